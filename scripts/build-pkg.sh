#!/usr/bin/env bash
# Builds the npm package in pkg/ from a clean checkout: the crate for wasm32, wasm-bindgen's
# glue (web target: one glue that every entry file instantiates its own way), then binaryen's
# wasm-opt from npm (Debian's older wasm-opt produced modules workerd rejects; TOOLCHAIN.md).
# Prints the sizes the README quotes.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-js.sh build

cargo build --release --target wasm32-unknown-unknown --lib
wasm-bindgen --target web --no-typescript --out-dir pkg --out-name cookie_seal \
  target/wasm32-unknown-unknown/release/cookie_seal.wasm
# -O3, not -Oz: the whole package is already under the 48 KB gzip target at -O3, and the
# seal/open hot path is what users feel.
tests/js/node_modules/.bin/wasm-opt -O3 pkg/cookie_seal_bg.wasm -o pkg/cookie_seal_bg.wasm
# The glue is generated code nobody reads in the package: minified (Deno's bundler, already
# installed as test tooling) it is about 2.8 KB smaller gzipped, with the same exports and the
# `new URL("cookie_seal_bg.wasm", import.meta.url)` that bundlers follow.
NO_COLOR=1 tests/js/node_modules/.bin/deno bundle --quiet --minify --platform browser \
  pkg/cookie_seal.js -o pkg/cookie_seal.min.js
mv pkg/cookie_seal.min.js pkg/cookie_seal.js

size() { printf '%-22s %7d bytes raw, %6d gzipped\n' "$1" "$(wc -c < "$1")" "$(gzip -9c "$1" | wc -c)"; }
echo "build-pkg: sizes"
for f in pkg/cookie_seal_bg.wasm pkg/cookie_seal.js pkg/core.js; do size "$f"; done
total=$(( $(gzip -9c pkg/cookie_seal_bg.wasm | wc -c) + $(gzip -9c pkg/cookie_seal.js | wc -c) ))
echo "build-pkg: wasm + glue gzipped: $total bytes (target 49152)"
