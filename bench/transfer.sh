#!/usr/bin/env bash
# Benchmark: a fully checked registry transfer (INSERT into tsetp.ledger
# through tsetp.transfer, every trigger and constraint) against a bare INSERT
# of a row of the same shape into an unconstrained table, with pgbench at 1
# and 8 clients, side by side in one run on a throwaway cluster. Prints tps
# and the ratio (target: checked >= 0.5 x bare). Also runs the writes of a
# transfer alone ("structure": the ledger row, the holding moved and split,
# under the same indexes, exclusion constraint and foreign keys, with no
# check at all), the floor of any checked transfer on these tables.
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
-- The writes a transfer makes, without a single check: copies of the ledger
-- and the holdings with their indexes, the holdings' exclusion constraint
-- and the foreign keys to the accounts, no triggers; each source account
-- starts with the same one block as in the registry.
CREATE TABLE struct_ledger (LIKE tsetp.ledger INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING INDEXES);
ALTER TABLE struct_ledger ADD FOREIGN KEY (from_account) REFERENCES tsetp.account,
    ADD FOREIGN KEY (to_account) REFERENCES tsetp.account, ADD FOREIGN KEY (facility_id) REFERENCES tsetp.facility,
    ADD FOREIGN KEY (corrects) REFERENCES struct_ledger;
CREATE TABLE struct_holding (LIKE tsetp.holding INCLUDING ALL);
ALTER TABLE struct_holding ADD FOREIGN KEY (account) REFERENCES tsetp.account;
INSERT INTO struct_holding (block, account, state, tx) SELECT block, account, state, tx FROM tsetp.holding;
CREATE FUNCTION struct_transfer(c int, dir int) RETURNS bigint LANGUAGE plpgsql AS \$f\$
DECLARE
    src text;
    dst text;
    new_tx bigint;
    h record;
BEGIN
    SELECT CASE WHEN dir = 0 THEN x.a ELSE x.b END, CASE WHEN dir = 0 THEN x.b ELSE x.a END INTO src, dst
      FROM bench_account x WHERE x.client = c;
    INSERT INTO struct_ledger (type, from_account, to_account, kind, amount, programme, blocks, needs_approval, requested_by, requested_at)
    VALUES ('transfer', src, dst, 'JPA', '1', 'jvets', '{}', false, current_user, now()) RETURNING id INTO new_tx;
    SELECT x.ctid, x.block, x.tonnes, x.tx INTO h FROM struct_holding x
     WHERE x.account = src AND x.kind = 'JPA' AND x.state = 'free' ORDER BY x.vintage, x.first_serial LIMIT 1 FOR UPDATE;
    IF h.tonnes = 1 THEN
        UPDATE struct_holding x SET account = dst, tx = new_tx WHERE x.ctid = h.ctid;
    ELSE
        UPDATE struct_holding x SET block = tsetp.split_head(h.block, 1), account = dst, tx = new_tx WHERE x.ctid = h.ctid;
        INSERT INTO struct_holding (block, account, state, tx) VALUES (tsetp.split_tail(h.block, 1), src, 'free', h.tx);
    END IF;
    RETURN new_tx;
END
\$f\$;
ANALYZE;
SQL

cat > "$work/checked.sql" <<'EOF2'
\set c :client_id + 1
\set dir random(0, 1)
SELECT tsetp.transfer(CASE WHEN :dir = 0 THEN a ELSE b END, CASE WHEN :dir = 0 THEN b ELSE a END, 'JPA', '1') FROM bench_account WHERE client = :c;
EOF2
cat > "$work/structure.sql" <<'EOF2'
\set c :client_id + 1
\set dir random(0, 1)
SELECT struct_transfer(:c, :dir);
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
# ROUNDS alternating runs (bare, structure, checked) per client count; the
# ratios are the medians of the per-round ratios. "structure" is the floor
# of any checked transfer with these tables: the same writes, no check.
ROUNDS=${ROUNDS:-3}
printf '%-8s %12s %14s %12s %15s %13s\n' clients bare_tps structure_tps checked_tps structure_ratio checked_ratio
for c in 1 8; do
  bs=""; ss=""; ks=""; rs=""; qs=""
  for r in $(seq 1 "$ROUNDS"); do
    b=$(tps bare $c)
    t=$(tps structure $c)
    k=$(tps checked $c)
    bs+="$b"$'\n'; ss+="$t"$'\n'; ks+="$k"$'\n'
    qs+="$(awk -v k="$t" -v b="$b" 'BEGIN {print k / b}')"$'\n'
    rs+="$(awk -v k="$k" -v b="$b" 'BEGIN {print k / b}')"$'\n'
  done
  printf '%-8s %12.0f %14.0f %12.0f %15.2f %13.2f\n' "$c" "$(printf '%s' "$bs" | median)" "$(printf '%s' "$ss" | median)" \
    "$(printf '%s' "$ks" | median)" "$(printf '%s' "$qs" | median)" "$(printf '%s' "$rs" | median)"
done
psql -X -q -At -c "SELECT 'holdings: ' || count(*) || ' blocks; transfers: ' || (SELECT count(*) FROM tsetp.ledger WHERE type = 'transfer') FROM tsetp.holding"
