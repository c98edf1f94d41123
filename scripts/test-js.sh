#!/usr/bin/env bash
# Every wasm/JS test, self-contained: installs what is missing, builds pkg/ once, packs it
# with `npm pack` and installs the tarball as a user would, then runs
#   1. the core's Rust tests compiled to wasm (wasm-bindgen-test, run by `wasm-pack test`) in
#      Node and headless Chromium,
#   2. the JS suite (tests/js/suite.js) in Node, Deno, a workerd-served worker and headless
#      Chromium (through the package's browser entry),
#   3. the cross-runtime proof: native Rust opens what each JS runtime sealed, and reads the
#      sessions each wrote, including Set-Cookie headers a workerd worker sent over HTTP (each
#      JS run opens and reads what native Rust sealed and wrote, inside the suite); and the
#      anti-forgery tokens (session-bound and pre-session) cookie-seal/csrf made in Node
#      verify natively, as native ones verify there.
# Each runner prints its own summary; the script fails if any of them failed.
# Options: --skip-core-wasm skips step 1 (the slowest build).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

skip_core_wasm=0
for arg in "$@"; do
  case $arg in
    --skip-core-wasm) skip_core_wasm=1 ;;
    *) echo "usage: $0 [--skip-core-wasm]" >&2; exit 2 ;;
  esac
done

failures=()
step() { echo; echo "=== test-js: $* ==="; }
run() { # run NAME CMD...: runs, records a failure without stopping the other runtimes
  local name=$1; shift
  if ! "$@"; then failures+=("$name"); fi
}

set -e
scripts/setup-js.sh build test
step "build pkg/"
scripts/build-pkg.sh

out=$root/test-output/js
rm -rf "$out" && mkdir -p "$out"
step "npm pack and install the tarball into tests/js"
tarball=$(cd pkg && npm pack --pack-destination "$out" --loglevel=error 2>/dev/null | tail -1)
(cd tests/js && npm install --no-save --no-audit --no-fund --loglevel=error "$out/$tarball")

step "native helper (examples/cross_runtime.rs) seals values for the JS runtimes"
cargo build --example cross_runtime
target/debug/examples/cross_runtime seal > "$out/native-sealed.json"
set +e

export COOKIE_SEAL_CROSS_DIR=$out

if [ "$skip_core_wasm" = 0 ]; then
  # The core's own tests compiled for wasm32, the way wasm-pack users run them: in Node, then
  # in headless Chromium through Debian's chromedriver (wasm-pack would download its own).
  # wasm-pack uses the wasm-bindgen-test-runner that setup-js.sh installed with the CLI.
  step "core tests in wasm: Node (wasm-pack test --node)"
  run "core-wasm-node" wasm-pack test --node
  step "core tests in wasm: headless Chromium (wasm-pack test --headless --chrome)"
  # The tests are configured for Node (wasm-bindgen-test's default); WASM_BINDGEN_USE_BROWSER=1
  # has the runner take them into the browser too, or it skips every one.
  run "core-wasm-chromium" env WASM_BINDGEN_USE_BROWSER=1 \
    wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver
fi

# Node and Deno run the suite twice: on node:crypto's AES (their default) and forced onto the
# wasm's software AES (COOKIE_SEAL_AES=software); workerd.test.js runs it on three workers
# (node:crypto, software, no nodejs_compat), Chromium on software, the only one it has.
step "JS suite: Node"
run "js-node" bash -c 'cd tests/js && node --test node.test.js'
step "JS suite: Node, software AES"
run "js-node-software" bash -c 'cd tests/js && COOKIE_SEAL_AES=software node --test node.test.js'

step "JS suite: Deno"
# Deno may read only the vectors and the cross-runtime folder, and write only the latter:
# the package itself needs no permission (deno.js imports its wasm as a module).
# types.test.ts is type-checked against the package's index.d.ts before it runs.
deno_test='cd tests/js && NO_COLOR=1 node_modules/.bin/deno test \
  --allow-env=COOKIE_SEAL_CROSS_DIR,COOKIE_SEAL_AES --allow-read=../vectors,"$COOKIE_SEAL_CROSS_DIR" \
  --allow-write="$COOKIE_SEAL_CROSS_DIR"'
run "js-deno" bash -c "$deno_test deno.test.js types.test.ts"
step "JS suite: Deno, software AES"
run "js-deno-software" env COOKIE_SEAL_AES=software bash -c "$deno_test deno.test.js"

step "JS suite: Cloudflare workerd on 127.0.0.1 (node:crypto, software and no-nodejs_compat workers)"
run "js-workerd" bash -c 'cd tests/js && node --test workerd.test.js'

step "JS suite: headless Chromium (browser entry, after init())"
run "js-chromium" bash -c 'cd tests/js && node --test browser.test.js'

# to_native MODE KIND PREFIX WHAT: hands native Rust (cross_runtime MODE) the $out/<runtime>-KIND.json
# each JS runtime wrote; a missing file is that runtime's failure PREFIX-<runtime>.
to_native() {
  local mode=$1 kind=$2 prefix=$3 what=$4 rt files=()
  for rt in node node-software deno deno-software workerd workerd-software workerd-nocompat chromium; do
    if [ -f "$out/$rt-$kind.json" ]; then files+=("$out/$rt-$kind.json"); else
      echo "no $what by $rt (its run failed)"; failures+=("$prefix-$rt"); fi
  done
  [ ${#files[@]} -gt 0 ] && run "$prefix-native" target/debug/examples/cross_runtime "$mode" "${files[@]}"
}

step "cross-runtime: native Rust opens what the JS runtimes sealed"
to_native open sealed cross "values sealed"

step "cross-runtime: native Rust reads the sessions the JS runtimes wrote (workerd's over HTTP)"
to_native read sessions sessions "sessions written"

# cookie-seal/csrf is JavaScript over the sessions entry, the same in every runtime: its
# tokens cross languages from the two Node runs (node:crypto and software AES).
step "cross-language: native Rust verifies the anti-forgery tokens cookie-seal/csrf made"
csrf_files=()
for rt in node node-software; do
  if [ -f "$out/$rt-csrf.json" ]; then csrf_files+=("$out/$rt-csrf.json"); else
    echo "no anti-forgery tokens by $rt (its run failed)"; failures+=("csrf-$rt"); fi
done
[ ${#csrf_files[@]} -gt 0 ] && run "csrf-native" target/debug/examples/cross_runtime csrf "${csrf_files[@]}"

echo
if [ ${#failures[@]} -eq 0 ]; then
  echo "test-js: all runtimes passed"
else
  echo "test-js: FAILED: ${failures[*]}"
  exit 1
fi
