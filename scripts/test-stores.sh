#!/usr/bin/env bash
# The store suite (tests/stores.rs) against real servers: a redis-server and a PostgreSQL
# started here on 127.0.0.1, with ports and data folders of their own, stopped by pid on
# exit. Then the fault tests, which stop and restart those servers through this script's
# subcommands (redis-stop, redis-start, pg-stop, pg-start) while a client is connected.
# Last, two demo servers on the same keys share the Redis, then the Postgres, over HTTP.
# `scripts/test-stores.sh bench` starts the same servers and runs bench/stores instead.
#
# Redis runs as a one-node Redis Cluster (every slot on this node): a command or script
# whose keys span two hash slots fails there with CROSSSLOT, so the suite also proves the
# key layout is cluster-safe. It syncs its append-only file on every write
# (appendfsync always), so even a SIGKILL loses no acknowledged revocation.
set -euo pipefail
cd "$(dirname "$0")/.."

REDIS_PORT=${COOKIE_SEAL_REDIS_PORT:-36379}
PG_PORT=${COOKIE_SEAL_PG_PORT:-35432}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)

as_postgres() {
  # Postgres refuses to run as root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

redis_start() {
  # Refuse a port another Redis answers on: the fault tests would kill the wrong server.
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    echo "port $REDIS_PORT is taken by another Redis; set COOKIE_SEAL_REDIS_PORT" >&2
    return 1
  fi
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$STORES_DIR/redis" \
    --appendonly yes --appendfsync always --save "" --daemonize no \
    --cluster-enabled yes --cluster-config-file nodes.conf \
    >>"$STORES_DIR/redis.log" 2>&1 &
  echo $! >"$STORES_DIR/redis.pid"
  for _ in $(seq 100); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  if ! redis-cli -p "$REDIS_PORT" cluster info | grep -q 'cluster_slots_assigned:16384'; then
    redis-cli -p "$REDIS_PORT" cluster addslotsrange 0 16383 >/dev/null
  fi
  for _ in $(seq 100); do
    redis-cli -p "$REDIS_PORT" cluster info | grep -q 'cluster_state:ok' && return 0
    sleep 0.1
  done
  echo "redis-server did not become ready; see $STORES_DIR/redis.log" >&2
  return 1
}

redis_stop() { # $1: signal (KILL for the fault tests: a crash, not a shutdown)
  local pid
  pid=$(cat "$STORES_DIR/redis.pid" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  kill "-${1:-TERM}" "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$STORES_DIR/redis.pid"
}

pg_start() {
  if [ ! -f "$STORES_DIR/pg/PG_VERSION" ]; then
    mkdir -p "$STORES_DIR/pg" "$STORES_DIR/pgrun"
    chown postgres "$STORES_DIR/pg" "$STORES_DIR/pgrun" 2>/dev/null || true
    as_postgres "$PG_BIN/initdb" -D "$STORES_DIR/pg" -U postgres --auth=trust >/dev/null
  fi
  # After a crash (the fault tests' immediate stop) a new postmaster can find the old one's
  # shared memory or socket lock still held for a moment: try again a few times, and show
  # the server's log if it never starts.
  local try
  for try in 1 2 3 4 5; do
    if as_postgres "$PG_BIN/pg_ctl" -D "$STORES_DIR/pg" -l "$STORES_DIR/pgrun/pg.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$STORES_DIR/pgrun" \
      start >/dev/null; then
      return 0
    fi
    sleep 1
  done
  tail -20 "$STORES_DIR/pgrun/pg.log" >&2
  return 1
}

pg_stop() { # $1: immediate (a crash, for the fault tests) or fast
  local pid
  pid=$(head -1 "$STORES_DIR/pg/postmaster.pid" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  if [ "${1:-fast}" = immediate ]; then kill -QUIT "$pid" 2>/dev/null || true
  else kill -INT "$pid" 2>/dev/null || true; fi
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

case "${1:-}" in
  redis-start) redis_start; exit ;;
  redis-stop) redis_stop KILL; exit ;;
  pg-start) pg_start; exit ;;
  pg-stop) pg_stop immediate; exit ;;
  "" | bench) ;;
  *) echo "usage: $0 [bench|redis-start|redis-stop|pg-start|pg-stop]" >&2; exit 2 ;;
esac

scripts/setup-stores.sh
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

STORES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cookie-seal-stores.XXXXXX")
export STORES_DIR
chmod 755 "$STORES_DIR"
mkdir -p "$STORES_DIR/redis"
cleanup() {
  redis_stop TERM
  pg_stop fast
  rm -rf "$STORES_DIR"
}
trap cleanup EXIT

echo "== stores: redis-server on 127.0.0.1:$REDIS_PORT, postgres on 127.0.0.1:$PG_PORT"
redis_start
pg_start

export COOKIE_SEAL_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export COOKIE_SEAL_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
export COOKIE_SEAL_STORE_CONTROL="$PWD/scripts/test-stores.sh"

if [ "${1:-}" = bench ]; then
  # The figures in BENCHMARKS.md: prints a table, asserts nothing about speed.
  cargo run --quiet --release --manifest-path bench/stores/Cargo.toml
  exit
fi

features=store-sqlite,store-redis,store-postgres
echo "== stores: the doc examples with every store feature on"
cargo test --quiet --features "$features" --doc
echo "== stores: the behavioural suite on memory, SQLite, Redis and Postgres"
cargo test --quiet --features "$features" --test stores
echo "== stores: faults (servers killed and restarted mid-run)"
cargo test --quiet --features "$features" --test stores -- --ignored --test-threads=1
echo "== stores: remember-me tokens (rotation, theft, grace window, bounds), then their outage"
cargo test --quiet --features "$features" --test remember
cargo test --quiet --features "$features" --test remember -- --ignored --test-threads=1
echo "== stores: two demo servers on one Redis, then one Postgres (sign-out everywhere, outage)"
cargo test --quiet --features demo --test demo_server -- --ignored --test-threads=1
