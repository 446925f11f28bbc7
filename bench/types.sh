#!/usr/bin/env bash
# Benchmark of tco2 against bigint (kg) and numeric(18,3) holding the same
# values: sum, avg, ORDER BY ... LIMIT 1 and btree index build, serial and
# with 2 parallel workers, and COPY FROM of text rows (COPY is always serial).
# Every figure is the median of RUNS runs, the three types measured in turn
# within each run, so that they share the machine's noise.
#   ROWS=5000000 COPY_ROWS=1000000 RUNS=5 bash bench/types.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
ROWS=${ROWS:-5000000}
COPY_ROWS=${COPY_ROWS:-1000000}
RUNS=${RUNS:-5}

bash scripts/build.sh
. scripts/cluster.sh
cluster_start "shared_buffers = '1GB'" "max_worker_processes = 8" "max_parallel_workers = 4" \
              "work_mem = '256MB'" "maintenance_work_mem = '512MB'" "jit = off"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE bench" >/dev/null
export PGDATABASE=bench

echo "tsetp bench/types: $ROWS rows, COPY of $COPY_ROWS rows, median of $RUNS runs (ratios: median of the per-run ratios)"
psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION tsetp;
SET search_path = tsetp, public;
CREATE UNLOGGED TABLE src AS
    SELECT (random() * 2e9)::bigint - 1000000000 AS kg FROM generate_series(1, $ROWS);
CREATE TABLE t_bigint  AS SELECT kg AS v FROM src;
CREATE TABLE t_numeric AS SELECT (kg / 1000.0)::numeric(18,3) AS v FROM src;
CREATE TABLE t_tco2    AS SELECT (kg / 1000.0)::numeric::tco2 AS v FROM src;
CREATE TABLE c_bigint  (v bigint);
CREATE TABLE c_numeric (v numeric(18,3));
CREATE TABLE c_tco2    (v tco2);
COPY (SELECT kg FROM src LIMIT $COPY_ROWS) TO '$CLUSTER_DIR/bigint.txt';
COPY (SELECT (kg / 1000.0)::numeric(18,3) FROM src LIMIT $COPY_ROWS) TO '$CLUSTER_DIR/numeric.txt';
COPY (SELECT (kg / 1000.0)::numeric(18,3) FROM src LIMIT $COPY_ROWS) TO '$CLUSTER_DIR/tco2.txt';
DROP TABLE src;
VACUUM ANALYZE;
-- the three tables must hold the same values
DO \$\$
BEGIN
    IF (SELECT sum(v) FROM t_bigint) <> (SELECT sum(v) * 1000 FROM t_numeric)
       OR (SELECT sum(v) FROM t_numeric) <> (SELECT sum(v)::numeric FROM t_tco2) THEN
        RAISE EXCEPTION 'benchmark tables differ';
    END IF;
END
\$\$;
SQL

serial="SET max_parallel_workers_per_gather = 0; SET max_parallel_maintenance_workers = 0;"
parallel="SET max_parallel_workers_per_gather = 2; SET max_parallel_maintenance_workers = 2;
          SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
          SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = on;"

# Runs setup then the measured statement in one session; prints its ms.
timed() {
  psql -X -q -v ON_ERROR_STOP=1 -c "SET search_path = tsetp, public; $1" \
       -c '\timing on' -c "$2" -c '\timing off' -c "${3:-SELECT 1}" \
    | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | head -n 1
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# Each statement of a test is timed for the three types back to back, in an
# order that rotates from run to run, so that the three share the machine's
# state of the moment; the ratios are the medians of the per-run ratios.
declare -A samples ratio_b ratio_n
tests=("sum" "avg" "order" "index" "copy")
statement() {
  case $1 in
    sum)   echo "SELECT sum(v) FROM t_$2" ;;
    avg)   echo "SELECT avg(v) FROM t_$2" ;;
    order) echo "SELECT v FROM t_$2 ORDER BY v LIMIT 1" ;;
    index) echo "CREATE INDEX i_$2 ON t_$2 (v)" ;;
    copy)  echo "COPY c_$2 FROM '$CLUSTER_DIR/$2.txt'" ;;
  esac
}
cleanup() {
  case $1 in
    index) echo "DROP INDEX i_$2" ;;
    copy)  echo "TRUNCATE c_$2" ;;
    *)     echo "SELECT 1" ;;
  esac
}
orders=("bigint numeric tco2" "tco2 bigint numeric" "numeric tco2 bigint")
for run in $(seq 1 "$RUNS"); do
  for t in "${tests[@]}"; do
    for mode in serial parallel; do
      [ "$t" = copy ] && [ "$mode" = parallel ] && continue
      setup=${!mode}
      declare -A ms=()
      for ty in ${orders[$(( (run - 1) % 3 ))]}; do
        ms[$ty]=$(timed "$setup" "$(statement "$t" "$ty")" "$(cleanup "$t" "$ty")")
        samples[$t,$mode,$ty]+="${ms[$ty]}"$'\n'
      done
      ratio_b[$t,$mode]+="$(awk -v c="${ms[tco2]}" -v b="${ms[bigint]}" 'BEGIN {print c / b}')"$'\n'
      ratio_n[$t,$mode]+="$(awk -v c="${ms[tco2]}" -v n="${ms[numeric]}" 'BEGIN {print c / n}')"$'\n'
    done
  done
  echo "run $run of $RUNS done" >&2
done

# The plans really are parallel where the table says so.
psql -X -q -At -c "SET search_path = tsetp, public; $parallel EXPLAIN (COSTS OFF) SELECT sum(v), avg(v) FROM t_tco2" \
  | grep -q 'Partial Aggregate' || { echo "tco2 aggregates did not run in parallel" >&2; exit 1; }

printf '\n%-8s %-9s %10s %10s %10s %10s %10s\n' test mode bigint_ms numeric_ms tco2_ms tco2/bigint tco2/numeric
worst=0
for t in "${tests[@]}"; do
  for mode in serial parallel; do
    [ "$t" = copy ] && [ "$mode" = parallel ] && continue
    b=$(printf '%s' "${samples[$t,$mode,bigint]}" | median)
    n=$(printf '%s' "${samples[$t,$mode,numeric]}" | median)
    c=$(printf '%s' "${samples[$t,$mode,tco2]}" | median)
    rb=$(printf '%s' "${ratio_b[$t,$mode]}" | median | awk '{printf "%.2f", $1}')
    rn=$(printf '%s' "${ratio_n[$t,$mode]}" | median | awk '{printf "%.2f", $1}')
    printf '%-8s %-9s %10.1f %10.1f %10.1f %10s %10s\n' "$t" "$mode" "$b" "$n" "$c" "$rb" "$rn"
    worst=$(awk -v w="$worst" -v r="$rb" 'BEGIN {print (r > w) ? r : w}')
  done
done
echo
echo "worst tco2/bigint ratio: $worst (target: at most 1.10)"
