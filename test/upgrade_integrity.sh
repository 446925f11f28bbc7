#!/usr/bin/env bash
# ALTER EXTENSION tsetp UPDATE runs tsetp.verify_integrity() and reports what
# an older version stored illegally: under 1.0 a tsetp_admin could issue
# excess reduction (ER) in any amount with tsetp.issue; the update to the
# default version warns, naming the over-issued facility. A sound populated
# database updates without a warning. Runs against the cluster of
# scripts/test.sh (PGHOST, PGPORT, PGUSER: a superuser).
set -euo pipefail
db=tsetp_upgrade_integrity
work=$(mktemp -d /tmp/tsetp-upgrade-integrity.XXXXXX)
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
fresh() {
  psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
  q -c "CREATE EXTENSION tsetp VERSION '$1'" >/dev/null
  q -f data/clerks.sql >/dev/null
  PGOPTIONS="-c client_min_messages=warning" q -v facilities=126 -v seed=5 -f data/generate.sql >/dev/null
}
update() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d $db -c "ALTER EXTENSION tsetp UPDATE" 2>&1; }

# 1.0: a clerk issues a million tonnes of ER to a facility with verified
# years in period 2, far beyond its excess.
fresh 1.0
fac=$(q <<'SQL'
SELECT f.code || ' ' || tsetp.designated_account(f.id) || ' ' || max(y.fy::int)::text
  FROM tsetp.facility_year y JOIN tsetp.facility f ON f.id = y.facility_id
 WHERE y.period_no = 2 AND y.verified AND tsetp.designated_account(f.id) IS NOT NULL
 GROUP BY f.id, f.code ORDER BY f.id LIMIT 1;
SQL
)
read -r code account vintage <<<"$fac"
[ -n "$code" ] || { echo "upgrade_integrity: no facility with verified years in period 2" >&2; exit 1; }
q -c "SET tsetp.now = '2020-07-01 10:00+09'" -c "SET ROLE clerk" \
  -c "SELECT tsetp.issue('$account', 'ER', '$vintage', '$code', '1000000')" >/dev/null
out=$(update)
echo "$out" > "$work/over_issued.log"
if ! grep -q "WARNING:  tsetp.verify_integrity() found" "$work/over_issued.log" \
   || ! grep -q "excess_over_issued: $code: " "$work/over_issued.log"; then
  cat "$work/over_issued.log"
  echo "upgrade_integrity: the update from 1.0 did not report the over-issued excess reduction of $code" >&2
  exit 1
fi
[ "$(q -c "SELECT extversion FROM pg_extension WHERE extname = 'tsetp'")" != 1.0 ] \
  || { echo "upgrade_integrity: the update did not happen" >&2; exit 1; }
# The finding stays visible after the update.
[ "$(q -c "SELECT count(*) FROM tsetp.verify_integrity() WHERE check_name = 'excess_over_issued' AND subject = '$code'")" = 1 ] \
  || { echo "upgrade_integrity: verify_integrity() does not list $code after the update" >&2; exit 1; }
echo "upgrade_integrity: 1.0 with over-issued ER of $code: the update warns ($(grep -c . "$work/over_issued.log") lines)"

# A sound populated database of every older version updates silently.
for v in $(psql -X -At -d postgres -c "SELECT version FROM pg_available_extension_versions
                                        WHERE name = 'tsetp' AND version <> (SELECT default_version FROM pg_available_extensions WHERE name = 'tsetp')
                                        ORDER BY version"); do
  fresh "$v"
  PGOPTIONS="-c client_min_messages=warning" q -v facilities=126 -v seed=5 -f data/registry_activity.sql >/dev/null
  out=$(update)
  if [ -n "$out" ]; then
    echo "$out"
    echo "upgrade_integrity: a sound $v database warned on update" >&2
    exit 1
  fi
  [ "$(q -c "SELECT count(*) FROM tsetp.verify_integrity()")" = 0 ] \
    || { echo "upgrade_integrity: a sound $v database has findings after the update" >&2; exit 1; }
  echo "upgrade_integrity: sound $v -> default: no warning"
done
