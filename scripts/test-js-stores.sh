#!/usr/bin/env bash
# The npm package's stores, on real backends: installs what is missing, builds and packs
# pkg/ (unless --no-build), installs the tarball into tests/js, then runs the store suite
# (tests/js/store-suite.js) and the rate limiter on each store (tests/js/rate-suite.js)
#   1. in Node on `cookie-seal/redis`, against a redis-server started here on 127.0.0.1
#      (own port and folder, appendonly, stopped by pid), with the cross-language cases
#      against the Rust RedisStore and RedisRateLimit (examples/store_cross.rs) and the
#      store going down;
#   2. in Deno on `cookie-seal/deno-kv`, on a local Deno.openKv(path);
#   3. in workerd (miniflare from npm) on `cookie-seal/workers-kv` and
#      `cookie-seal/durable-object`, through the worker's fetch handler over HTTP.
# Subcommands redis-stop and redis-start (used by the Node test) act on the server started
# by the run in progress (COOKIE_SEAL_STORES_DIR).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

REDIS_PORT=${COOKIE_SEAL_JS_REDIS_PORT:-36479}
dir=${COOKIE_SEAL_STORES_DIR:-$root/test-output/js-stores}

redis_start() {
  # A server already answering on the port is not ours: testing against it would kill the
  # wrong process in the store-down test and read its stale data.
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    echo "port $REDIS_PORT is taken by another Redis; set COOKIE_SEAL_JS_REDIS_PORT" >&2
    return 1
  fi
  mkdir -p "$dir/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$dir/redis" \
    --appendonly yes --appendfsync always --save "" --daemonize no >>"$dir/redis.log" 2>&1 &
  echo $! >"$dir/redis.pid"
  for _ in $(seq 100); do
    # Ours, not a server someone left on the port: the pid must still be alive.
    kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null || break
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis-server did not become ready; see $dir/redis.log" >&2
  return 1
}

redis_stop() { # a SIGKILL: a crash, not a shutdown
  local pid
  pid=$(cat "$dir/redis.pid" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$dir/redis.pid"
}

case ${1:-} in
  redis-stop) redis_stop; exit ;;
  redis-start) redis_start; exit ;;
esac

build=1
for arg in "$@"; do
  case $arg in
    --no-build) build=0 ;;
    *) echo "usage: $0 [--no-build] | redis-stop | redis-start" >&2; exit 2 ;;
  esac
done

set -e
if ! command -v redis-server >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
fi
scripts/setup-js.sh build test
# build-pkg.sh also fails when an entry is over its size budget, after building it: that is
# test-js.sh's to report; the stores are tested on what was built.
if [ "$build" = 1 ]; then scripts/build-pkg.sh || echo "test-js-stores: build-pkg.sh failed; testing what it built"; fi
[ -f pkg/cookie_seal_sessions_bg.wasm ] && [ -f pkg/sessions-node.js ] || { echo "test-js-stores: pkg/ is not built" >&2; exit 1; }
rm -rf "$dir" && mkdir -p "$dir"
tarball=$(cd pkg && npm pack --pack-destination "$dir" --loglevel=error 2>/dev/null | tail -1)
(cd tests/js && npm install --no-save --no-audit --no-fund --loglevel=error "$dir/$tarball")
cargo build --quiet --features store-redis --example store_cross
set +e

trap redis_stop EXIT
redis_start || exit 1
export COOKIE_SEAL_REDIS_PORT=$REDIS_PORT COOKIE_SEAL_STORES_DIR=$dir
export COOKIE_SEAL_STORES_SCRIPT=$root/scripts/test-js-stores.sh
export COOKIE_SEAL_STORE_CROSS=$root/target/debug/examples/store_cross

failures=()
echo "=== test-js-stores: Node + Redis (with the Rust RedisStore) ==="
(cd tests/js && node --test stores.node.test.js) || failures+=(node-redis)
echo "=== test-js-stores: Deno + Deno KV ==="
(cd tests/js && NO_COLOR=1 node_modules/.bin/deno test --unstable-kv \
  --allow-read=.,"$dir" --allow-write="$dir" --allow-env=COOKIE_SEAL_STORES_DIR stores.deno.test.js) ||
  failures+=(deno-kv)
echo "=== test-js-stores: workerd (miniflare) + Workers KV and a Durable Object, over HTTP ==="
(cd tests/js && node --test stores.workerd.test.js) || failures+=(workerd)

if [ ${#failures[@]} -eq 0 ]; then
  echo "test-js-stores: all stores passed"
else
  echo "test-js-stores: FAILED: ${failures[*]}"
  exit 1
fi
