#!/usr/bin/env bash
# The Debian package, as a user gets it: builds postgresql-15-tsetp with
# dpkg-buildpackage from a copy of the sources (nothing is written into the
# tree), installs it with apt on a fresh Debian 12 root (debootstrap minbase,
# scripts/chroot.sh) together with only what it depends on, creates a
# cluster with pg_createcluster, creates the extension, runs the Makefile's
# pg_regress list and the pgTAP suite against the installed files, updates
# from every older version, and removes the package with apt-get remove
# --purge: every file it installed must be gone. Needs root (and the network
# for the first run). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
. scripts/chroot.sh
t0=$(date +%s)
since() { echo "$(( $(date +%s) - $1 )) s"; }

build=$(mktemp -d /tmp/tsetp-package.XXXXXX)
cleanup() { chroot_cleanup; rm -rf "$build"; }
trap cleanup EXIT

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
echo "== package: dpkg-buildpackage of tsetp $version"
mkdir "$build/tsetp"
git ls-files -z --cached --others --exclude-standard \
  | xargs -0 -I{} sh -c '[ -e "{}" ] && printf "%s\0" "{}"' \
  | tar --null -T - -cf - | tar -C "$build/tsetp" -xf -
# The pg_regress suite runs against the installed package below, not at
# build time (nocheck skips dh_pgxs_test's own pg_virtualenv run).
if ! (cd "$build/tsetp" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) >"$build/build.log" 2>&1; then
  tail -n 40 "$build/build.log"; echo "package: build FAILED"; exit 1
fi
debs=("$build"/postgresql-*-tsetp_"${version}"_*.deb)
[ -f "${debs[0]}" ] || { echo "package: no postgresql-*-tsetp_${version}_*.deb built"; ls "$build"; exit 1; }
for deb in "${debs[@]}"; do echo "   $(basename "$deb") ($(since "$t0"))"; done
deb=$(ls "$build"/postgresql-15-tsetp_"${version}"_*.deb)
regress=$(make -s --no-print-directory regress-list PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config)

echo "== package: fresh Debian 12 root"
t=$(date +%s)
chroot_create bookworm ""
trap cleanup EXIT    # chroot_create set its own
echo "   ready ($(since "$t"))"
mkdir -p "$CHROOT/src/tsetp"
cp "$deb" "$CHROOT/src/"
cp -r sql expected test "$CHROOT/src/tsetp/"

echo "== package: apt-get install $(basename "$deb")"
t=$(date +%s)
in_chroot apt-get update -q >/dev/null
chroot_apt_install "/src/$(basename "$deb")" >"$build/install.log" 2>&1 \
  || { tail -n 30 "$build/install.log"; echo "package: install FAILED"; exit 1; }
in_chroot dpkg-query -W -f='${Package} ${Version} ${Status}\n' postgresql-15-tsetp
in_chroot dpkg -L postgresql-15-tsetp >"$build/files"
# What the tests need besides the package: pgTAP, pg_prove and the linter.
chroot_apt_install postgresql-15-pgtap postgresql-15-plpgsql-check \
  libtap-parser-sourcehandler-pgtap-perl >>"$build/install.log" 2>&1 \
  || { tail -n 30 "$build/install.log"; echo "package: install of the test tools FAILED"; exit 1; }
echo "   installed ($(since "$t"))"

echo "== package: cluster, pg_regress and pgTAP against the installed package"
t=$(date +%s)
in_chroot pg_createcluster 15 pkgtest --port 5439 --locale C.UTF-8 --encoding UTF8 --start >/dev/null
as_pg() { in_chroot runuser -u postgres -- env PGPORT=5439 PGHOST=/var/run/postgresql "$@"; }
status=0
in_chroot sh -c 'mkdir -p /tmp/regress && chown postgres: /tmp/regress'
if ! as_pg /usr/lib/postgresql/15/lib/pgxs/src/test/regress/pg_regress \
       --bindir=/usr/lib/postgresql/15/bin --inputdir=/src/tsetp --outputdir=/tmp/regress \
       --dbname=contrib_regression --encoding=UTF8 $regress; then
  status=1
  cat "$CHROOT/tmp/regress/regression.diffs" 2>/dev/null || true
fi
as_pg psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE tsetp_tap" \
  && as_pg psql -X -q -v ON_ERROR_STOP=1 -d tsetp_tap -c "CREATE EXTENSION pgtap; CREATE EXTENSION tsetp"
if ! as_pg sh -c 'cd /src/tsetp && pg_prove -d tsetp_tap test/*.sql'; then
  status=1
fi
# Every older version the package ships updates to the default.
for v in $(as_pg psql -X -At -d postgres -c "SELECT version FROM pg_available_extension_versions
                                              WHERE name = 'tsetp' AND version <> (SELECT default_version
                                              FROM pg_available_extensions WHERE name = 'tsetp') ORDER BY 1"); do
  as_pg psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE tsetp_up"
  if as_pg psql -X -q -v ON_ERROR_STOP=1 -d tsetp_up \
       -c "SET client_min_messages = warning" -c "CREATE EXTENSION tsetp VERSION '$v'" -c "ALTER EXTENSION tsetp UPDATE" \
       -c "SELECT 1/(extversion = '2.0')::int FROM pg_extension WHERE extname = 'tsetp'" >/dev/null; then
    echo "   update $v -> 2.0: ok"
  else
    echo "   update $v -> 2.0: FAILED"; status=1
  fi
  as_pg psql -X -q -d postgres -c "DROP DATABASE IF EXISTS tsetp_up"
done
in_chroot pg_dropcluster 15 pkgtest --stop
echo "   tests done ($(since "$t"))"

echo "== package: apt-get remove --purge"
in_chroot apt-get remove --purge -y -q postgresql-15-tsetp >>"$build/install.log" 2>&1 \
  || { tail -n 20 "$build/install.log"; echo "package: remove FAILED"; exit 1; }
if in_chroot dpkg-query -W -f='${Status}\n' postgresql-15-tsetp 2>/dev/null | grep -q -v 'not-installed'; then
  echo "package: postgresql-15-tsetp still known to dpkg after purge"; status=1
fi
left=0
while read -r f; do
  # Directories the package shares with others (the extension and library
  # folders of PostgreSQL 15) stay; every file of its own must be gone.
  if [ -e "$CHROOT$f" ] && [ ! -d "$CHROOT$f" ]; then echo "   left behind: $f"; left=1; fi
done <"$build/files"
[ $left -eq 0 ] && echo "   every one of its $(grep -c . "$build/files") paths that is a file is gone" || status=1

if [ $status -ne 0 ]; then
  echo "package: FAILED ($(since "$t0"))"; exit 1
fi
echo "package: ok ($(basename "$deb") built, installed on a fresh Debian 12, tested and purged in $(since "$t0"))"
