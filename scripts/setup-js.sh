#!/usr/bin/env bash
# Installs what the wasm/JS side needs, skipping whatever is already present, so it is cheap
# to run before every build or test. Parts: build (wasm target, wasm-bindgen CLI, npm
# tooling incl. binaryen's wasm-opt), test (Chromium + chromedriver for wasm-bindgen-test,
# wasm-pack for `wasm-pack test`; deno and workerd come with the npm tooling), bench (jose,
# iron-webcrypto). Default: all.
set -euo pipefail
cd "$(dirname "$0")/.."

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(build test bench)
want() { [[ " ${parts[*]} " == *" $1 "* ]]; }

say() { echo "setup-js: $*"; }

# Installs a tooling folder's packages when node_modules is missing or stale. `npm install`,
# not `npm ci`: npm 11 writes lockfiles without the other platforms' optional binaries of
# deno and workerd, and `npm ci` then refuses the lockfile it just wrote. Versions are pinned
# exactly in package.json and the lockfile, so `npm install` installs the same tree.
npm_tooling() {
  local dir=$1 stamp="$1/node_modules/.cookie-seal-stamp" sum
  sum=$(cat "$dir/package.json" "$dir/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    say "$dir/node_modules up to date"
    return
  fi
  say "npm install in $dir"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  # The lockfile may have been written just now: hash again.
  cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1 > "$stamp"
}

if want build || want test; then
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  # The CLI must be exactly the wasm-bindgen version in Cargo.lock.
  wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wb_version" ]; then
    say "installing wasm-bindgen-cli $wb_version (about 4 minutes)"
    # Not --locked: that fails for this release, whose lockfile pins a yanked dependency.
    cargo install wasm-bindgen-cli --version "$wb_version"
  else
    say "wasm-bindgen $wb_version present"
  fi
  npm_tooling tests/js
fi

if want test; then
  # `wasm-pack test --node` / `--headless --chrome` run the crate's wasm tests the way
  # wasm-pack users expect. It uses the wasm-bindgen on PATH (installed above, same version)
  # and runs no wasm-opt for tests.
  if ! command -v wasm-pack >/dev/null; then
    say "installing wasm-pack (about 3 minutes)"
    cargo install wasm-pack --version "^0.15"
  else
    say "wasm-pack present"
  fi
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing chromium and chromium-driver"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  else
    say "chromium and chromedriver present"
  fi
fi

if want bench; then
  npm_tooling tests/js # workerd for the in-worker run
  npm_tooling bench
fi
