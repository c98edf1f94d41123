# The two commands the README promises, and a few conveniences.
.PHONY: demo test bench

demo:
	cargo run --quiet --example roundtrip

test:
	scripts/test.sh

bench:
	cargo bench --bench seal_open
