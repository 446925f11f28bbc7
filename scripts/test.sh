#!/usr/bin/env bash
# make test: build, install, start a throwaway cluster, run pg_regress and the
# pgTAP suite, stop the cluster. Exits non-zero on any failure.
#   REGRESS="tco2_io credit" TAP="test/credit.sql" bash scripts/test.sh
# runs a subset (for development).
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
bash scripts/build.sh
if [ -z "${REGRESS:-}" ] && [ "${FUZZ_SECONDS:-10}" != 0 ]; then
  echo "== fuzz (${FUZZ_SECONDS:-10}s per parser; make fuzz runs longer)"
  FUZZ_SECONDS=${FUZZ_SECONDS:-10} bash scripts/fuzz.sh
fi
. scripts/cluster.sh
cluster_start

status=0
outdir=$(mktemp -d /tmp/tsetp-regress.XXXXXX)
echo "== pg_regress"
if ! make -s PG_CONFIG="$PG_CONFIG" installcheck REGRESS_OUTDIR="$outdir" \
     ${REGRESS:+REGRESS="$REGRESS"}; then
  status=1
  [ -f "$outdir/regression.diffs" ] && cat "$outdir/regression.diffs"
fi
rm -rf "$outdir"

echo "== pgTAP"
tapdb=tsetp_tap
psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $tapdb" >/dev/null
psql -q -X -v ON_ERROR_STOP=1 -d $tapdb -c "CREATE EXTENSION pgtap; CREATE EXTENSION tsetp;" >/dev/null
if ! pg_prove -d $tapdb ${TAP:-test/*.sql}; then
  status=1
fi

echo "== scripted tests"
for script in ${TEST_SCRIPTS:-test/*.sh}; do
  [ -e "$script" ] || continue
  echo "-- $script"
  if ! bash "$script"; then
    echo "FAILED: $script"
    status=1
  fi
done

if [ $status -ne 0 ]; then
  echo "tsetp: TESTS FAILED" >&2
  sed -n '/ERROR\|FATAL\|PANIC\|TRAP/p' "$CLUSTER_DIR/server.log" | grep -i -E 'PANIC|TRAP|terminated by signal' || true
else
  echo "tsetp: all tests passed"
fi
exit $status
