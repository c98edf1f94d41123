#!/usr/bin/env bash
# Idempotent: adds the wasm32 target only when rustup does not have it yet.
set -euo pipefail
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
