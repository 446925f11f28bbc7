#!/usr/bin/env bash
# Installs the Debian packages tsetp needs to build, test, fuzz, benchmark and
# demo, when any is missing. Safe to run again: it does nothing when all are
# present. Must run as root on a machine that lacks any of them.
set -euo pipefail

packages=(
  postgresql-15                          # the server the tests and demo run on
  postgresql-server-dev-15               # PGXS and server headers
  postgresql-contrib                     # pgbench for the transfer benchmark
  postgresql-15-pgtap                    # pgTAP
  libtap-parser-sourcehandler-pgtap-perl # pg_prove
  clang libclang-rt-14-dev               # libFuzzer, ASan and UBSan for make fuzz
  make gcc libc6-dev locales             # the build itself
  libpq-dev                              # libpq for the client workflow test (clients/)
  postgresql-15-plpgsql-check            # the PL/pgSQL lint (test/lint.sql)
  debhelper dpkg-dev postgresql-server-dev-all # the Debian package (debian/, pg_buildext)
  debootstrap                            # fresh Debian roots for the package and PostgreSQL 17 tests
  python3                                # the PGXN metadata test (test/meta.sh)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "tsetp: missing Debian packages: ${missing[*]}" >&2
  echo "tsetp: run 'make deps' as root, or install them with apt-get." >&2
  exit 1
fi

echo "tsetp: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The package's own cluster on port 5432 is not used: tests and the demo start
# their own throwaway clusters.
mkdir -p /etc/postgresql-common
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
  echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
fi
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
