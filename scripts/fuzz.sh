#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for FUZZ_SECONDS each (default 600), one after
# another, starting from the committed corpus. Installs a nightly toolchain and cargo-fuzz
# if they are missing. New inputs go to fuzz/corpus/<target>/; a crash is written to
# fuzz/artifacts/<target>/ and stops the run (replay it on stable with the `one_input` test
# of tests/fuzz_replay.rs). Before committing a grown corpus, keep one input per covered
# edge (a few dozen files):
#   fuzz/target/x86_64-unknown-linux-gnu/release/<target> -set_cover_merge=1 -use_counters=0 NEW_DIR fuzz/corpus/<target>
#   make fuzz                         every target, 600 s each
#   make fuzz FUZZ_SECONDS=60         shorter
#   FUZZ_TARGETS="open_paths" scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-600}"
targets="${FUZZ_TARGETS:-open_paths authentic_sessions cookie_headers keyring_text}"

if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

for target in $targets; do
  echo "== fuzz $target for ${seconds}s"
  mkdir -p "fuzz/corpus/$target"
  nice -n 10 cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=16384 -print_final_stats=1
done
