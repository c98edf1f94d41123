#!/usr/bin/env bash
# Installs the servers the store tests run against (Debian 12: Redis 7.0, PostgreSQL 15)
# and the sqlite3 shell, skipping whatever is already there. Nothing is started here: scripts/test-stores.sh
# starts its own instances on 127.0.0.1 with their own ports and data folders.
set -euo pipefail

need=()
command -v redis-server >/dev/null || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# The sqlite3 shell holds a SQLite file's write lock from another process (tests/remember.rs).
command -v sqlite3 >/dev/null || need+=(sqlite3)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends: no cluster of the distribution's own is wanted, only the binaries.
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The Debian packages start system-wide servers on the default ports; the tests never use
# them, so leave them as the package set them up.
