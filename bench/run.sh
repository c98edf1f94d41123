#!/usr/bin/env bash
# Benchmark (prints figures; not a test): builds and packs pkg/ unless told to reuse it,
# installs the tarball into bench/, then runs bench/run.js (Node, Deno and workerd, one run).
#   bench/run.sh [--reuse-pkg]      BENCH_MS=500 sets the measuring time per figure,
#   BENCH_ROUNDS=3 the rounds, BENCH_RUNTIMES=node,deno,workerd (the default) which runs to make
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-js.sh build bench
if [ "${1:-}" != "--reuse-pkg" ] || [ ! -f pkg/cookie_seal_bg.wasm ]; then scripts/build-pkg.sh; fi
mkdir -p test-output/bench
rm -f test-output/bench/cookie-seal-*.tgz
tarball=$(cd pkg && npm pack --pack-destination ../test-output/bench --loglevel=error 2>/dev/null | tail -1)
(cd bench && npm install --no-save --no-audit --no-fund --loglevel=error "../test-output/bench/$tarball")
node bench/run.js
