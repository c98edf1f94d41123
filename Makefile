# The two commands the README promises, and a few conveniences.
.PHONY: demo test bench fuzz

# The demo server and playground (scripts/demo.sh): `make demo`, `make demo PORT=9000`.
demo:
	scripts/demo.sh

test:
	scripts/test.sh

# Prints the native table, then the JavaScript one (Node and workerd); see BENCHMARKS.md.
bench:
	cargo bench --bench seal_open
	bench/run.sh
	scripts/test-stores.sh bench   # reads/s with each store, and tower-sessions (bench/stores/)

# Every cargo-fuzz target in fuzz/ for FUZZ_SECONDS each (scripts/fuzz.sh installs nightly
# and cargo-fuzz when missing): `make fuzz`, `make fuzz FUZZ_SECONDS=60`.
FUZZ_SECONDS ?= 600
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh
