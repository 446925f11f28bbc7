#!/usr/bin/env bash
# Benchmark of the assessment: tsetp.compliance_report for one period over
# FACILITIES facilities × 10 years of emissions, against a plain GROUP BY over
# the same emission rows (the floor no rule engine can beat). Median of RUNS,
# the two measured back to back within each run; the ratio is the median of
# the per-run ratios.
#   FACILITIES=14000 RUNS=5 bash bench/assess.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
FACILITIES=${FACILITIES:-14000}
RUNS=${RUNS:-5}
PERIOD=${PERIOD:-2}

bash scripts/build.sh
. scripts/cluster.sh
cluster_start "shared_buffers = '512MB'" "work_mem = '64MB'" "jit = off"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE bench" >/dev/null
export PGDATABASE=bench
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION tsetp" >/dev/null
start=$(date +%s%N)
psql -X -q -v ON_ERROR_STOP=1 -v facilities="$FACILITIES" -v seed=7 -f data/generate.sql >/dev/null
echo "tsetp bench/assess: $FACILITIES facilities generated in $(( ($(date +%s%N) - start) / 1000000 )) ms; period $PERIOD, median of $RUNS"

report="SELECT count(*), sum(target_total), sum(reduction_total) FROM tsetp.compliance_report WHERE programme = 'saitama' AND period_no = $PERIOD"
floor="SELECT count(*), tsetp.sum(s) FROM (SELECT e.facility_id, tsetp.sum(e.amount) AS s FROM tsetp.emission e
        JOIN tsetp.plan_period p ON p.programme = 'saitama' AND p.period_no = $PERIOD AND e.fy OPERATOR(tsetp.<@) p.years
        GROUP BY e.facility_id) g"

timed() { psql -X -q -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | head -n 1; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

r=""; f=""; q=""
for i in $(seq 1 "$RUNS"); do
  # the two back to back, in alternating order, so that each ratio compares
  # timings taken in the same state of the machine
  if [ $((i % 2)) = 1 ]; then a=$(timed "$report"); b=$(timed "$floor"); else b=$(timed "$floor"); a=$(timed "$report"); fi
  r+="$a"$'\n'; f+="$b"$'\n'
  q+="$(awk -v a="$a" -v b="$b" 'BEGIN {print a / b}')"$'\n'
done
rm_=$(printf '%s' "$r" | median); fm=$(printf '%s' "$f" | median); qm=$(printf '%s' "$q" | median)
printf '%-34s %10.1f ms\n' "compliance_report (period $PERIOD)" "$rm_"
printf '%-34s %10.1f ms\n' "plain GROUP BY over emissions" "$fm"
printf 'ratio: %.2f (median of the per-run ratios; target: at most 5)\n' "$qm"
