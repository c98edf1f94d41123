#!/usr/bin/env bash
# `make demo`: installs what is missing, builds the npm package (pkg/) when the crate changed
# since the last build, builds the demo server, and runs it on 127.0.0.1.
#   scripts/demo.sh [--port N]     serve (default port 8787, or PORT; 0 = any free port)
#   scripts/demo.sh --build-only   build pkg/ and the server, then stop (scripts/test-e2e.sh)
# SESSION_KEYS, when set, is the server's key ring; otherwise it makes a key for the run.
set -euo pipefail
cd "$(dirname "$0")/.."

build_only=0
args=()
for arg in "$@"; do
  case $arg in
    --build-only) build_only=1 ;;
    *) args+=("$arg") ;;
  esac
done

say() { echo "demo: $*"; }

# The wasm target, wasm-bindgen CLI and binaryen: skipped when present (a fresh machine
# takes several minutes here, once).
scripts/setup-js.sh build

# pkg/ is rebuilt only when something it is built from is newer than its wasm.
wasm=pkg/cookie_seal_bg.wasm
if [ ! -f "$wasm" ] || [ -n "$(find src Cargo.toml Cargo.lock scripts/build-pkg.sh -newer "$wasm" -print -quit)" ]; then
  say "building the npm package in pkg/"
  scripts/build-pkg.sh
else
  say "pkg/ is up to date"
fi

say "building the demo server (cargo feature demo)"
cargo build --quiet --features demo --example demo_server
[ "$build_only" = 1 ] && exit 0

exec target/debug/examples/demo_server ${args[@]+"${args[@]}"}
