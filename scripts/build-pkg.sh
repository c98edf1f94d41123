#!/usr/bin/env bash
# Builds the npm package in pkg/ from a clean checkout. Two wasm modules, so a user who only
# seals and opens values does not download the session lifecycle:
#   cookie_seal          the crate without features: the main entry `cookie-seal` (Sealer)
#   cookie_seal_sessions the crate with `js-sessions`: `cookie-seal/sessions` (+ SessionManager)
# Each is the crate for wasm32, wasm-bindgen's glue (web target: one glue that every entry file
# instantiates its own way), then binaryen's wasm-opt from npm (Debian's older wasm-opt
# produced modules workerd rejects; TOOLCHAIN.md), then the glue minified.
# Prints the sizes the README quotes, and fails if the main entry is over its budget.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-js.sh build

# Issue 3: the main entry's wasm + glue, gzipped, must stay within 48 KB.
BUDGET=49152

# build OUT_NAME [CARGO_ARGS...]: one module. Cargo reuses the dependencies between the two
# runs; only the crate itself recompiles.
build() {
  local name=$1; shift
  cargo build --release --target wasm32-unknown-unknown --lib "$@"
  wasm-bindgen --target web --no-typescript --out-dir pkg --out-name "$name" \
    target/wasm32-unknown-unknown/release/cookie_seal.wasm
  # -O3, not -Oz: -Oz saves nothing measurable here, opt-level z/s make seal/open 1.3-3x
  # slower, and the seal/open hot path is what users feel.
  # The producers and target_features sections are metadata no runtime reads.
  tests/js/node_modules/.bin/wasm-opt -O3 --strip-producers --strip-target-features \
    "pkg/${name}_bg.wasm" -o "pkg/${name}_bg.wasm"
  # The glue is generated code nobody reads in the package: minified (Deno's bundler, already
  # installed as test tooling) it is about 2.8 KB smaller gzipped, with the same exports and
  # the `new URL("${name}_bg.wasm", import.meta.url)` that bundlers follow.
  NO_COLOR=1 tests/js/node_modules/.bin/deno bundle --quiet --minify --platform browser \
    "pkg/$name.js" -o "pkg/$name.min.js"
  mv "pkg/$name.min.js" "pkg/$name.js"
}

# Sequential on purpose: both write target/.../cookie_seal.wasm.
build cookie_seal
build cookie_seal_sessions --features js-sessions

gz() { gzip -9c "$1" | wc -c; }
size() { printf '%-30s %7d bytes raw, %6d gzipped\n' "$1" "$(wc -c < "$1")" "$(gz "$1")"; }
echo "build-pkg: sizes"
for f in pkg/cookie_seal_bg.wasm pkg/cookie_seal.js pkg/cookie_seal_sessions_bg.wasm \
  pkg/cookie_seal_sessions.js pkg/core.js pkg/session-core.js; do size "$f"; done
main=$(( $(gz pkg/cookie_seal_bg.wasm) + $(gz pkg/cookie_seal.js) ))
sessions=$(( $(gz pkg/cookie_seal_sessions_bg.wasm) + $(gz pkg/cookie_seal_sessions.js) ))
echo "build-pkg: cookie-seal          wasm + glue gzipped: $main bytes (budget $BUDGET)"
echo "build-pkg: cookie-seal/sessions wasm + glue gzipped: $sessions bytes"
if [ "$main" -gt "$BUDGET" ]; then
  echo "build-pkg: FAILED: the main entry is $main bytes gzipped, over the $BUDGET-byte budget" >&2
  exit 1
fi
