#!/usr/bin/env bash
# Benchmark: a fully checked registry transfer (INSERT into tsetp.ledger
# through tsetp.transfer, every trigger and constraint) against a bare INSERT
# of a row of the same shape into an unconstrained table, with pgbench at 1
# and 8 clients, side by side in one run on a throwaway cluster. Prints tps
# and the ratio (target: checked >= 0.5 x bare).
#   bash bench/transfer.sh            (DURATION=5 seconds per run, ROUNDS=3 alternating pairs, by default)
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
DURATION=${DURATION:-5}
EXT=${TSETP_EXTENSION:-tsetp}
[ "$EXT" = tsetp ] && bash scripts/build.sh
. scripts/cluster.sh
cluster_start "shared_buffers = '256MB'" "max_locks_per_transaction = 128"
work=$(mktemp -d /tmp/tsetp-bench.XXXXXX)
trap 'rm -rf "$work"; cluster_stop' EXIT

psql -X -q -v ON_ERROR_STOP=1 -o /dev/null <<SQL
CREATE EXTENSION $EXT;
-- JVETS transfers take effect at once, so each one is fully checked and
-- applied in the INSERT. Business hours: the clock is pinned to a Monday.
SET tsetp.now = '2025-06-02 11:00+09';
CREATE TABLE bench_account (client int PRIMARY KEY, a text, b text);
INSERT INTO bench_account
SELECT c, tsetp.open_account('jvets', 'Bench A' || c), tsetp.open_account('jvets', 'Bench B' || c)
  FROM generate_series(1, 8) c;
SELECT tsetp.issue(a, 'JPA', 'FY2024', 'BENCH' || client, '1000000'),
       tsetp.issue(b, 'JPA', 'FY2024', 'BENCH' || client, '1000000')
  FROM bench_account;
-- The same shape as tsetp.ledger, without any constraint, index or trigger.
CREATE TABLE bare_ledger AS SELECT * FROM tsetp.ledger WHERE false;
ANALYZE;
SQL

cat > "$work/checked.sql" <<'EOF2'
\set c :client_id + 1
\set dir random(0, 1)
SELECT tsetp.transfer(CASE WHEN :dir = 0 THEN a ELSE b END, CASE WHEN :dir = 0 THEN b ELSE a END, 'JPA', '1') FROM bench_account WHERE client = :c;
EOF2
cat > "$work/bare.sql" <<'EOF2'
\set c :client_id + 1
\set dir random(0, 1)
INSERT INTO bare_ledger (id, type, from_account, to_account, kind, amount, programme, blocks, needs_approval, requested_by, requested_at)
SELECT :c * 100000000 + (random() * 1e8)::bigint, 'transfer', CASE WHEN :dir = 0 THEN a ELSE b END, CASE WHEN :dir = 0 THEN b ELSE a END, 'JPA', '1', 'jvets', '{}', false, current_user, now()
  FROM bench_account WHERE client = :c;
EOF2

tps() {
  PGOPTIONS="-c tsetp.now=2025-06-02T11:00+09" "$PGBIN/pgbench" -n -M prepared -T "$DURATION" -c "$2" -j "$2" -f "$work/$1.sql" \
    | sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
# ROUNDS alternating pairs of runs (bare, checked) per client count; the
# ratio is the median of the per-round ratios.
ROUNDS=${ROUNDS:-3}
printf '%-8s %12s %12s %8s\n' clients bare_tps checked_tps ratio
for c in 1 8; do
  bs=""; ks=""; rs=""
  for r in $(seq 1 "$ROUNDS"); do
    b=$(tps bare $c)
    k=$(tps checked $c)
    bs+="$b"$'\n'; ks+="$k"$'\n'
    rs+="$(awk -v k="$k" -v b="$b" 'BEGIN {print k / b}')"$'\n'
  done
  printf '%-8s %12.0f %12.0f %8.2f\n' "$c" "$(printf '%s' "$bs" | median)" "$(printf '%s' "$ks" | median)" \
    "$(printf '%s' "$rs" | median)"
done
psql -X -q -At -c "SELECT 'holdings: ' || count(*) || ' blocks; transfers: ' || (SELECT count(*) FROM tsetp.ledger WHERE type = 'transfer') FROM tsetp.holding"
