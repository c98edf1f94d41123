#!/usr/bin/env bash
# The demo server's tests: HTTP-level (tests/demo_server.rs: missing, tampered, expired,
# foreign and oversized cookies, rotation, bad forms, cross-site posts, CSRF tokens, the
# sign-in rate limit), then the browser end-to-end suite
# (tests/e2e/: playwright-core driving Debian's Chromium against a running server).
# Installs what is missing, builds once, starts the server on a free port, stops it on exit.
# Screenshots: test-output/e2e/. With COOKIE_SEAL_DOCS_SCREENSHOT=1 it also rewrites the
# README's docs/playground.png.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { echo; echo "=== test-e2e: $* ==="; }

say "setup: wasm toolchain, Chromium, playwright-core"
scripts/setup-js.sh build test
# playwright-core only; reinstalled when its package files change (a stamp, as setup-js.sh does).
stamp=tests/e2e/node_modules/.cookie-seal-stamp
sum=$(cat tests/e2e/package.json tests/e2e/package-lock.json | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  echo "$sum" > "$stamp"
fi

say "build pkg/ and the demo server"
scripts/demo.sh --build-only

say "demo server over HTTP (cargo test --features demo --test demo_server)"
cargo test --quiet --features demo --test demo_server

out=$root/test-output/e2e
rm -rf "$out" && mkdir -p "$out"
log=$out/server.log
say "browser end-to-end (Chromium, playwright-core)"
# Key rotation is an admin action: the browser test types this token into the form.
export DEMO_ADMIN_TOKEN="e2e-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
# Sessions go to an SQLite file of this run's own (the demo's default store).
DEMO_DATA_DIR="$out/demo-data" target/debug/examples/demo_server --port 0 > "$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT

# The server prints its URL once it listens; give it 20 s.
url=
for _ in $(seq 200); do
  url=$(sed -n 's|^cookie-seal demo: \(http://127\.0\.0\.1:[0-9]*\)/$|\1|p' "$log")
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; echo "test-e2e: the server exited"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "test-e2e: the server printed no URL"; exit 1; }
echo "server: $url"

cd tests/e2e
DEMO_URL=$url E2E_OUT=$out node --test --test-concurrency=1 demo.test.js
echo "screenshots: $out"
