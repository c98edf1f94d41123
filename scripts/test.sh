#!/usr/bin/env bash
# The whole test suite: native Rust, the wasm32 build, then (when present) the wasm and
# JavaScript suites. Installs what it needs and skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-rust.sh

echo "== native: unit, integration and doc tests (examples are built too)"
cargo test --quiet

echo "== native: the cookie-seal command-line tool (feature cli)"
cargo test --quiet --features cli --test cli

scripts/test-stores.sh   # stores on real Redis and Postgres servers it starts (tests/stores.rs)
echo "== native: the framework integrations, each on its own feature (axum, actix-web)"
cargo test --quiet --features axum,rate-limit --lib --test axum
cargo test --quiet --features actix,rate-limit --test actix
# Their doc examples, and the README's quickstarts, need both features on.
cargo test --quiet --features axum,actix,rate-limit --doc

echo "== wasm32-unknown-unknown build"
cargo build --quiet --target wasm32-unknown-unknown

if [ -x scripts/test-js.sh ]; then
  scripts/test-js.sh
fi
scripts/test-js-stores.sh --no-build  # the npm package's stores on Redis, Deno KV, Workers KV, Durable Objects (after test-js.sh built pkg/)
scripts/test-e2e.sh   # the demo server over HTTP, then in Chromium (tests/demo_server.rs, tests/e2e/)
scripts/test-frameworks.sh   # Hono (Node, Deno, workerd), Express 5, Next.js in Chromium (tests/frameworks/, tests/next/)
