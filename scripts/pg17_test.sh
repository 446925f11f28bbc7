#!/usr/bin/env bash
# make test PG=17: builds tsetp and runs its tests (pg_regress, pgTAP with the
# lint, the scripted tests) on PostgreSQL 17, in a Debian 13 (trixie) root
# made with debootstrap (scripts/chroot.sh; cached in TSETP_CACHE, about
# 4 minutes the first time, seconds afterwards). Needs root and the network
# the first time. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/chroot.sh

PG17_PACKAGES="postgresql-17 postgresql-server-dev-17 postgresql-17-pgtap postgresql-17-plpgsql-check"
PG17_PACKAGES+=" libtap-parser-sourcehandler-pgtap-perl make gcc libc6-dev libpq-dev"

echo "== PostgreSQL 17 in a Debian 13 root"
t0=$(date +%s)
chroot_create trixie "$PG17_PACKAGES"
echo "   root ready in $(( $(date +%s) - t0 )) s"

# The sources as git sees them (tracked and new files), without build output.
mkdir -p "$CHROOT/src/tsetp"
git ls-files -z --cached --others --exclude-standard \
  | xargs -0 -I{} sh -c '[ -e "{}" ] && printf "%s\0" "{}"' \
  | tar --null -T - -cf - | tar -C "$CHROOT/src/tsetp" -xf -

# Subsets as for scripts/test.sh: REGRESS, TAP and TEST_SCRIPTS pass through.
in_chroot PG_CONFIG=/usr/lib/postgresql/17/bin/pg_config FUZZ_SECONDS=0 \
  ${REGRESS:+REGRESS="$REGRESS"} ${TAP:+TAP="$TAP"} ${TEST_SCRIPTS:+TEST_SCRIPTS="$TEST_SCRIPTS"} \
  sh -c 'cd /src/tsetp && bash scripts/test.sh'
