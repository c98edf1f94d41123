#!/usr/bin/env bash
# The framework integrations, each through its framework's real request path over HTTP on
# 127.0.0.1, against the packed package as a user installs it:
#   1. units of cookie-seal/csrf and cookie-seal/rate-limit, and the Redis counter on a real
#      redis-server (node --test),
#   2. Hono on Node, Deno and workerd, and Express 5 (tests/frameworks, one scenario list),
#   3. a real Next.js app (tests/next): `next build`, `next start`, Chromium via playwright-core.
# Builds pkg/ only when its wasm is missing or older than the sources (so after test-js.sh
# in the same run it reuses that build), installs what is missing, and prints each runner's
# own summary; fails if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/test-output/frameworks
failures=()
step() { echo; echo "=== test-frameworks: $* ==="; }
run() { # run NAME CMD...: records a failure without stopping the other runners
  local name=$1; shift
  if ! "$@"; then failures+=("$name"); fi
}

set -e
scripts/setup-js.sh build test frameworks

wasm=pkg/cookie_seal_sessions_bg.wasm
if [ ! -f "$wasm" ] || [ ! -f pkg/sessions-node.js ] \
  || [ -n "$(find src Cargo.toml Cargo.lock scripts/build-pkg.sh -newer "$wasm" -print -quit)" ]; then
  step "build pkg/"
  scripts/build-pkg.sh
else
  echo "test-frameworks: pkg/ is built and up to date; reusing it"
fi

rm -rf "$out" && mkdir -p "$out"
step "npm pack and install the tarball into tests/frameworks and tests/next"
tarball=$(cd pkg && npm pack --pack-destination "$out" --loglevel=error 2>/dev/null | tail -1)
for dir in tests/frameworks tests/next; do
  (cd "$dir" && npm install --no-save --no-audit --no-fund --loglevel=error "$out/$tarball")
done
step "bundle the Hono worker for workerd (cookie-seal/sessions left as its own module)"
(cd tests/frameworks && NO_COLOR=1 ../js/node_modules/.bin/deno bundle --quiet --platform browser \
  --external=cookie-seal/sessions worker.js -o "$out/worker.bundle.js")
set +e

step "csrf and rate-limit units, the Redis counter, Hono on Node, Express 5 (node --test)"
run "node" bash -c 'cd tests/frameworks && node --test units.test.js redis.test.js hono-node.test.js express.test.js'

step "Hono on workerd"
run "workerd" bash -c 'cd tests/frameworks && node --test hono-workerd.test.js'

step "Hono on Deno; the entries' .d.ts type-checked (types.test.ts)"
# --no-check for the Hono run only: hono's own types want @types/node, which is not installed.
run "deno" env NO_COLOR=1 bash -c 'cd tests/frameworks && ../js/node_modules/.bin/deno test --no-check \
  --allow-net=127.0.0.1 --allow-read=. hono-deno.test.js \
  && ../js/node_modules/.bin/deno test --allow-read=. types.test.ts'

step "Next.js: next build, next start on 127.0.0.1, Chromium"
run "next" bash -c 'cd tests/next && node --test --test-concurrency=1 next.test.js'

echo
if [ ${#failures[@]} -eq 0 ]; then
  echo "test-frameworks: all frameworks passed"
else
  echo "test-frameworks: FAILED: ${failures[*]}"
  exit 1
fi
