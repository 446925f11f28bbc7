#!/usr/bin/env bash
# Scale benchmark: the close of a period and tsetp.programme_summary at
# 14,000 facilities (the nationwide regional programme Tokyo proposed) and
# 140,000, against a plain GROUP BY over the same emission rows (the floor no
# rule engine can beat). The close is timed in two parts:
#   assessment  every facility's assessment of the period, materialised
#               (CREATE TEMP TABLE AS SELECT * FROM tsetp.compliance_report)
#   issuance    tsetp.issue_excess_all('saitama', PERIOD): the excess reduction of
#               every facility, one checked ledger transaction each, issued
#               set-wise; rolled back after timing
# Median of RUNS (3), the parts measured in turn within each run; the
# registry tables are vacuumed (untimed) before each issuance, so that every
# run issues into the tables as generated, not into ones bloated by the
# rolled-back runs before it. Also timed: the issuance's writes alone (see
# structure_writes), the floor of any close on these tables.
#   SIZES="14000 140000" RUNS=3 PERIOD=2 bash bench/scale.sh
# ISSUE=0 skips the issuance. SINGLE=1 also times the old way of closing,
# tsetp.issue_excess(facility_id, PERIOD) once per facility (slow: about
# 0.8 ms a facility at 14,000, more at 140,000).
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
SIZES=${SIZES:-14000 140000}
RUNS=${RUNS:-3}
PERIOD=${PERIOD:-2}

bash scripts/build.sh
. scripts/cluster.sh
cluster_start "shared_buffers = '1GB'" "work_mem = '64MB'" "jit = off" "max_wal_size = '4GB'"
export PGOPTIONS="-c client_min_messages=warning"

ms_of() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1; }
timed() { psql -X -q -v ON_ERROR_STOP=1 -c '\timing on' -c "$1" | ms_of; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

floor="SELECT count(*), tsetp.sum(s) FROM (SELECT e.facility_id, tsetp.sum(e.amount) AS s FROM tsetp.emission e
        JOIN tsetp.plan_period p ON p.programme = 'saitama' AND p.period_no = $PERIOD AND e.fy OPERATOR(tsetp.<@) p.years
        GROUP BY e.facility_id) g"
assessment="CREATE TEMP TABLE closed AS SELECT * FROM tsetp.compliance_report WHERE programme = 'saitama' AND period_no = $PERIOD"
summary="SELECT * FROM tsetp.programme_summary WHERE programme = 'saitama' AND period_no = $PERIOD"
issuance() {
  psql -X -q -v ON_ERROR_STOP=1 <<SQL | ms_of
BEGIN;
SET tsetp.now = '2020-10-15 10:00+09';
\\timing on
SELECT count(*), tsetp.sum(tsetp.amount(i.block)) FROM tsetp.issue_excess_all('saitama', $PERIOD) i;
\\timing off
ROLLBACK;
SQL
}
single_issuance() {
  psql -X -q -v ON_ERROR_STOP=1 <<SQL | ms_of
BEGIN;
SET tsetp.now = '2020-10-15 10:00+09';
\\timing on
SELECT count(tsetp.issue_excess(r.facility_id, $PERIOD))
  FROM tsetp.facility_period_reduction r
 WHERE r.programme = 'saitama' AND r.period_no = $PERIOD AND r.excess OPERATOR(tsetp.>=) '1';
\\timing off
ROLLBACK;
SQL
}

# The writes of the issuance alone, with no rule and no evaluation: the
# same ledger rows and holdings (what the issuance wrote, kept from a rolled
# back run) inserted set-wise into copies of the ledger and the holdings (made
# and dropped in the same rolled-back transaction) with
# their indexes, the exclusion constraint and the foreign keys, no triggers,
# next to the holdings already there. Together with the assessment, the
# floor of any close that records one ledger transaction and one block per
# facility on these tables.
structure_writes() {
  psql -X -q -v ON_ERROR_STOP=1 <<SQL | ms_of
BEGIN;
SET tsetp.now = '2020-10-15 10:00+09';
CREATE TEMP TABLE issued_blocks ON COMMIT DROP AS SELECT i.block FROM tsetp.issue_excess_all('saitama', $PERIOD) i;
CREATE TEMP TABLE issued_rows ON COMMIT DROP AS
SELECT l.* FROM issued_blocks i JOIN tsetp.ledger l ON l.block OPERATOR(tsetp.=) i.block;
CREATE TABLE public.s_ledger (LIKE tsetp.ledger INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING INDEXES);
ALTER TABLE s_ledger ADD FOREIGN KEY (from_account) REFERENCES tsetp.account,
    ADD FOREIGN KEY (to_account) REFERENCES tsetp.account, ADD FOREIGN KEY (facility_id) REFERENCES tsetp.facility,
    ADD FOREIGN KEY (corrects) REFERENCES s_ledger;
CREATE TABLE public.s_holding (LIKE tsetp.holding INCLUDING ALL);
ALTER TABLE s_holding ADD FOREIGN KEY (account) REFERENCES tsetp.account;
INSERT INTO s_holding (block, account, state, tx) SELECT h.block, h.account, h.state, h.tx FROM tsetp.holding h WHERE h.tx < (SELECT min(id) FROM issued_rows);
ANALYZE s_holding;
\\timing on
WITH w AS (
    INSERT INTO s_ledger (type, to_account, kind, vintage, source, amount, note, block, programme, blocks, needs_approval, requested_by, requested_at)
    SELECT r.type, r.to_account, r.kind, r.vintage, r.source, r.amount, r.note, r.block, r.programme, r.blocks, r.needs_approval, r.requested_by, r.requested_at
      FROM issued_rows r ORDER BY r.id
    RETURNING id, block, to_account)
INSERT INTO s_holding (block, account, state, tx) SELECT w.block, w.to_account, 'free', w.id FROM w;
\\timing off
ROLLBACK;
SQL
}
vacuum_registry() { psql -X -q -c "VACUUM tsetp.ledger, tsetp.holding, tsetp.serial_counter" >/dev/null; }

printf '%-10s %-34s %12s %8s\n' facilities measure ms "× floor"
for n in $SIZES; do
  db=scale_$n
  psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null
  export PGDATABASE=$db
  psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION tsetp" >/dev/null
  start=$(date +%s%N)
  psql -X -q -v ON_ERROR_STOP=1 -v facilities="$n" -v seed=7 -f data/generate.sql >/dev/null
  psql -X -q -c "VACUUM ANALYZE" >/dev/null
  gen=$(( ($(date +%s%N) - start) / 1000000 ))
  issued=$(psql -X -At -c "SELECT count(*) FROM tsetp.facility_period_reduction WHERE programme = 'saitama' AND period_no = $PERIOD AND excess OPERATOR(tsetp.>=) '1'")
  f=""; a=""; i=""; s=""; o=""; w=""
  for r in $(seq 1 "$RUNS"); do
    f+="$(timed "$floor")"$'\n'
    a+="$(timed "$assessment")"$'\n'
    if [ "${ISSUE:-1}" = 1 ]; then
      vacuum_registry; i+="$(issuance)"$'\n'
      vacuum_registry; w+="$(structure_writes)"$'\n'
    else i+="0"$'\n'; w+="0"$'\n'; fi
    if [ "${SINGLE:-0}" = 1 ]; then o+="$(single_issuance)"$'\n'; fi
    s+="$(timed "$summary")"$'\n'
  done
  fm=$(printf '%s' "$f" | median); am=$(printf '%s' "$a" | median)
  im=$(printf '%s' "$i" | median); sm=$(printf '%s' "$s" | median)
  wm=$(printf '%s' "$w" | median)
  om=$(printf '%s' "${o:-0}" | median)
  row() { awk -v n="$n" -v l="$1" -v t="$2" -v f="$fm" 'BEGIN {printf "%-10s %-34s %12.1f %8.1f\n", n, l, t, t / f}'; }
  echo "(generated in $gen ms; $issued facilities with excess to issue)"
  row "plain GROUP BY (floor)" "$fm"
  row "close: assessment of all" "$am"
  row "close: issuance ($issued transactions)" "$im"
  row "close: total" "$(awk -v a="$am" -v b="$im" 'BEGIN {print a + b}')"
  row "issuance writes alone (no rule)" "$wm"
  row "assessment + writes alone" "$(awk -v a="$am" -v b="$wm" 'BEGIN {print a + b}')"
  if [ "${SINGLE:-0}" = 1 ]; then row "issuance one call per facility" "$om"; fi
  row "programme_summary" "$sm"
  awk -v n="$n" -v a="$am" -v i="$im" -v k="$issued" 'BEGIN {printf "%-10s per facility: assessment %.3f ms, issuance %.3f ms per transaction\n", n, a / n, i / k}'
  psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
done
