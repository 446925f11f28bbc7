#!/usr/bin/env bash
# Builds tsetp with -Werror and installs it into the local PostgreSQL 15.
# Serialised with a lock so that parallel test runs never install a half-built
# library under one another.
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
exec 9>/tmp/tsetp-build.lock
flock 9
make -s PG_CONFIG="$PG_CONFIG" all
make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
