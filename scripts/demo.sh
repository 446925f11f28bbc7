#!/usr/bin/env bash
# make demo: builds and installs tsetp, starts a throwaway cluster, generates a
# Saitama-like programme (630 facilities, FY2002-FY2024, data/generate.sql),
# the registry's history up to period 2 (data/registry_activity.sql), and runs
# the close of period 2 (data/close_period.sql): assessment, issuing of
# excess reduction, trades and surrenders approved four-eyes, the summary the
# prefecture publishes, and the projection of period 3 for one facility.
#   KEEP=1 make demo       leaves the cluster running and says how to connect
#   FACILITIES=1260 SEED=7 bash scripts/demo.sh
# Exits non-zero if any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
FACILITIES=${FACILITIES:-630}
SEED=${SEED:-42}
t0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

echo "== build and install"
bash scripts/build.sh
. scripts/cluster.sh
cluster_start "jit = off"

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE tsetp_demo" >/dev/null
export PGDATABASE=tsetp_demo
export PGOPTIONS="-c client_min_messages=warning"
run() { psql -X -q -v ON_ERROR_STOP=1 -v seed="$SEED" -v facilities="$FACILITIES" "$@"; }

run -c "CREATE EXTENSION tsetp"
run -f data/clerks.sql

echo "== data: $FACILITIES facilities, seed $SEED (data/generate.sql)"
t=$(date +%s%N)
run -f data/generate.sql >/dev/null
run -At -c "SELECT format('   %s facilities, %s emission rows, base emissions of period 2: %s Mt',
                          (SELECT count(*) FROM tsetp.facility), (SELECT count(*) FROM tsetp.emission),
                          (SELECT round(sum(base_total) / 1e6, 1) FROM tsetp.compliance_report WHERE period_no = 2))"
echo "   ($(ms "$t") ms)"

echo "== registry history to 2020: accounts, period-1 excess, trades (data/registry_activity.sql)"
t=$(date +%s%N)
run -f data/registry_activity.sql
echo "   ($(ms "$t") ms)"

echo "== close of period 2 (data/close_period.sql)"
t=$(date +%s%N)
run -f data/close_period.sql
echo "   ($(ms "$t") ms)"

run -At <<'SQL'
SELECT format('== registry: %s accounts, %s transactions (%s approved by a second clerk), %s t held, %s t surrendered',
              (SELECT count(*) FROM tsetp.account), (SELECT count(*) FROM tsetp.ledger),
              (SELECT count(*) FROM tsetp.approval WHERE decision = 'approved'),
              (SELECT sum(balance) FROM tsetp.account_balance), (SELECT sum(surrendered) FROM tsetp.account_balance));
SQL
echo "tsetp demo: done in $(ms "$t0") ms"
if [ "${KEEP:-0}" = 1 ]; then
  echo "tsetp demo: try  SELECT * FROM tsetp.programme_summary WHERE period_no = 2;"
  echo "                 SELECT * FROM tsetp.assess(1, 2);  SELECT * FROM tsetp.ledger_report LIMIT 20;"
fi
