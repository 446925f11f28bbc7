#!/usr/bin/env bash
# Concurrency test of the registry: eight clients at once try to drain one
# account, double-spend one block, reverse the same transactions twice,
# approve the same requests twice, churn transfers and reversals around
# a ring of accounts, issue excess reduction while re-verifying the
# emissions under it, transfer out of a JVETS account down to its
# commitment reserve (under REPEATABLE READ) and surrender capped
# out-of-area credits for one facility from two accounts. Afterwards the
# invariants are checked in SQL:
#   - every serial is held once;
#   - issued - cancelled = the units in holdings;
#   - no account holds a negative amount, and every account's holdings
#     equal what the effective ledger moved in and out of it;
#   - exactly the legal attempts succeeded;
#   - no facility holds more issued excess reduction than the engine
#     computes from its verified emissions as they finally stand;
#   - no account holds fewer free units than its commitment reserve;
#   - no facility has more of a capped kind surrendered or requested than
#     its cap;
#   - every failure was a clean registry refusal or a serialization
#     failure to retry (its SQLSTATE is counted).
# Needs PGHOST/PGPORT/PGUSER of a running cluster (a superuser) where tsetp
# can be created; exits non-zero on any failure.
set -euo pipefail
EXT=${TSETP_EXTENSION:-tsetp}
PGBENCH=${PGBENCH:-$( (pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin) | sed 's|$|/pgbench|')}
[ -x "$PGBENCH" ] || PGBENCH=pgbench
db=tsetp_concurrency_$$
work=$(mktemp -d /tmp/tsetp-conc.XXXXXX)
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
export PGDATABASE=$db
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null
export PGOPTIONS="-c tsetp.now=2025-06-02T11:00+09 -c client_min_messages=warning"

psql -X -q -v ON_ERROR_STOP=1 -o /dev/null <<SQL
CREATE EXTENSION $EXT;
DO \$\$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tsetp_conc_admin') THEN
        CREATE ROLE tsetp_conc_admin IN ROLE tsetp_admin;
    END IF;
END \$\$;
CREATE TABLE conc_account (name text PRIMARY KEY, number text NOT NULL);
INSERT INTO conc_account
SELECT n, tsetp.open_account('jvets', 'Conc ' || n)
  FROM unnest(ARRAY['A', 'C', 'D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7', 'D8',
                    'E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8', 'R1', 'R2']) AS n;
INSERT INTO conc_account
SELECT n, tsetp.open_account('saitama', 'Conc ' || n) FROM unnest(ARRAY['S1', 'S2']) AS n;
INSERT INTO conc_account VALUES ('V', tsetp.open_account('jvets', 'Conc V'));
CREATE FUNCTION acc(text) RETURNS text LANGUAGE sql STABLE AS 'SELECT number FROM conc_account WHERE name = \$1';
SELECT tsetp.issue(acc('A'), 'JPA', 'FY2024', 'DRAIN', '1000');
CREATE TABLE conc_block AS SELECT tsetp.issue(acc('C'), 'JPA', 'FY2024', 'SPEND', '500') AS block;
SELECT tsetp.issue(acc('E' || i), 'JPA', 'FY2024', 'RING', '1000') FROM generate_series(1, 8) i;
SELECT tsetp.issue(acc('R1'), 'JPA', 'FY2024', 'REV', '1000');
-- 1,000 t in ten blocks over a commitment reserve of 600 t.
SELECT tsetp.issue(acc('V'), 'JPA', ('FY' || (2015 + i))::tsetp.fiscal_year, 'RESERVE', '100') FROM generate_series(1, 10) i;
UPDATE tsetp.account SET commitment_reserve = '600' WHERE number = acc('V');
-- Twenty completed transfers to reverse, and twenty pending ones to approve.
CREATE TABLE conc_reversible AS
SELECT i, tsetp.transfer(acc('R1'), acc('R2'), 'JPA', '10') AS tx FROM generate_series(1, 20) i;
SELECT tsetp.issue(acc('S1'), 'SME', 'FY2024', 'APPR', '1000');
CREATE TABLE conc_pending AS
SELECT i, tsetp.transfer(acc('S1'), acc('S2'), 'SME', '10') AS tx FROM generate_series(1, 20) i;

-- Eight Saitama facilities covered from FY2019 (base 10,000 t; transitional
-- rate 8%), FY2020 and FY2021 verified: 3,900 t of excess each at first.
INSERT INTO tsetp.facility (programme, code, name, operator, category)
SELECT 'saitama', 'X' || i, 'Excess ' || i, 'Conc Operator ' || i, '1-1' FROM generate_series(1, 8) i;
INSERT INTO tsetp.energy_use
SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2016, 2024) y WHERE f.code LIKE 'X_';
INSERT INTO tsetp.base_emission
SELECT f.id, 'FY2020', '10000', 'historical', NULL FROM tsetp.facility f WHERE f.code LIKE 'X_';
INSERT INTO tsetp.emission
SELECT f.id, e.fy::tsetp.fiscal_year, e.amount::tsetp.tco2, 'Verifier KK'
  FROM tsetp.facility f, (VALUES ('FY2020', '7000'), ('FY2021', '7500')) AS e(fy, amount)
 WHERE f.code LIKE 'X_';

-- A facility whose out-of-area credits (capped at 1/3 of its obligation)
-- lie in its designated account and in a general account of its operator,
-- from which the programme here also lets it surrender.
INSERT INTO tsetp.facility (programme, code, name, operator, category) VALUES ('saitama', 'XCAP', 'Capped', 'Conc Capped', '2');
INSERT INTO tsetp.energy_use SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2016, 2024) y WHERE f.code = 'XCAP';
INSERT INTO tsetp.base_emission SELECT f.id, 'FY2020', '20000', 'historical', NULL FROM tsetp.facility f WHERE f.code = 'XCAP';
INSERT INTO tsetp.account_route (programme, type, from_type, to_type) VALUES ('saitama', 'surrender', 'general', 'none');
INSERT INTO conc_account VALUES ('CAPD', tsetp.designated_account((SELECT id FROM tsetp.facility WHERE code = 'XCAP'))),
                                ('CAPG', tsetp.open_account('saitama', 'Conc Capped'));
SELECT tsetp.issue(acc(n), 'OUT', 'FY2021', 'OFFSET', '5000') FROM unnest(ARRAY['CAPD', 'CAPG']) AS n;
CREATE FUNCTION conc_cap() RETURNS numeric LANGUAGE sql STABLE AS
  'SELECT floor(r.target_total::numeric / 3) FROM tsetp.facility_period_reduction r
     JOIN tsetp.facility f ON f.id = r.facility_id WHERE f.code = ''XCAP'' AND r.period_no = 3';

CREATE UNLOGGED TABLE conc_result (op text, sqlstate text, message text);
-- One attempt of an operation; records the outcome instead of failing.
CREATE FUNCTION attempt(op text, client int) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE
    st text := 'ok';
    msg text;
    k int := 1 + floor(random() * 8)::int;
    r int := 1 + floor(random() * 20)::int;
BEGIN
    BEGIN
        CASE op
        WHEN 'drain' THEN
            PERFORM tsetp.transfer(acc('A'), acc('D' || (client % 8 + 1)), 'JPA', '100');
        WHEN 'spend' THEN
            PERFORM tsetp.transfer(acc('C'), acc('D' || (client % 8 + 1)), (SELECT block FROM conc_block));
        WHEN 'reverse' THEN
            PERFORM tsetp.correct((SELECT tx FROM conc_reversible WHERE i = r), 'concurrency test');
        WHEN 'approve' THEN
            PERFORM tsetp.approve((SELECT tx FROM conc_pending WHERE i = r));
        WHEN 'excess' THEN
            -- Issue X<n>'s excess or re-verify one of its years, all
            -- at once on the same eight facilities; each stays open a moment
            -- so that the others' issues and changes overlap it (the window
            -- the issuance lock closes). Once X<n> has an issue, its years
            -- are fixed (TR413).
            k := 1 + floor(random() * 8)::int;
            IF random() < 0.5 THEN
                PERFORM tsetp.issue_excess((SELECT id FROM tsetp.facility WHERE code = 'X' || k), 3);
            ELSE
                UPDATE tsetp.emission SET amount = (7000 + floor(random() * 2500)::int)::text::tsetp.tco2
                 WHERE facility_id = (SELECT id FROM tsetp.facility WHERE code = 'X' || k)
                   AND fy OPERATOR(tsetp.=) (CASE WHEN k % 2 = 0 THEN 'FY2020' ELSE 'FY2021' END)::tsetp.fiscal_year;
            END IF;
            PERFORM pg_sleep(0.01);
        WHEN 'reserve' THEN
            -- By amount, or a whole block (the ledger's rule function).
            IF random() < 0.5 THEN
                PERFORM tsetp.transfer(acc('V'), acc('D' || k), 'JPA', (1 + floor(random() * 60)::int)::text::tsetp.tco2);
            ELSE
                PERFORM tsetp.transfer(acc('V'), acc('D' || k),
                                       (SELECT h.block FROM tsetp.holding h WHERE h.account = acc('V') AND h.state = 'free'
                                         ORDER BY random() LIMIT 1));
            END IF;
        WHEN 'cap' THEN
            PERFORM tsetp.surrender((SELECT id FROM tsetp.facility WHERE code = 'XCAP'), 3,
                                    acc(CASE WHEN random() < 0.5 THEN 'CAPD' ELSE 'CAPG' END), 'OUT',
                                    (1 + floor(random() * conc_cap() / 8)::int)::text::tsetp.tco2);
        WHEN 'ring' THEN
            IF random() < 0.2 THEN
                PERFORM tsetp.correct((SELECT l.id FROM tsetp.ledger l
                                        WHERE l.type = 'transfer' AND l.from_account IN (SELECT number FROM conc_account WHERE name LIKE 'E%')
                                        ORDER BY l.id DESC OFFSET floor(random() * 20)::int LIMIT 1), 'churn');
            ELSE
                PERFORM tsetp.transfer(acc('E' || k), acc('E' || (k % 8 + 1)), 'JPA', (1 + floor(random() * 300)::int)::text::tsetp.tco2);
            END IF;
        END CASE;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    END;
    INSERT INTO conc_result VALUES (op, st, msg);
END
\$\$;
GRANT SELECT, INSERT ON conc_result TO tsetp_conc_admin;
GRANT SELECT ON conc_account, conc_block, conc_reversible, conc_pending TO tsetp_conc_admin;
SQL

for op in drain spend reverse approve ring excess reserve cap; do
  echo "SELECT attempt('$op', :client_id);" > "$work/$op.sql"
done
# The approvers are another person than the requester (four-eyes by login).
sed -i '1i SET SESSION AUTHORIZATION tsetp_conc_admin;' "$work/approve.sql"
run() {  # op, transactions per client, extra PGOPTIONS
  PGOPTIONS="$PGOPTIONS ${3:-}" "$PGBENCH" -n -c 8 -j 8 -t "$2" -f "$work/$1.sql" >"$work/$1.log" 2>&1 \
    || { cat "$work/$1.log"; echo "concurrency: pgbench $1 failed"; exit 1; }
}
# A bare `wait` would hide a failed run: wait for each one.
pids=()
run drain 20 & pids+=($!)
run spend 10 & pids+=($!)
run reverse 10 & pids+=($!)
run approve 10 & pids+=($!)
run ring 100 & pids+=($!)
run excess 40 & pids+=($!)
run reserve 10 "-c default_transaction_isolation=repeatable\\ read" & pids+=($!)
run cap 10 & pids+=($!)
for pid in "${pids[@]}"; do
  wait "$pid" || { echo "concurrency: a client run failed" >&2; exit 1; }
done

psql -X -q -v ON_ERROR_STOP=1 -P pager=off <<'SQL'
\echo outcomes by operation and SQLSTATE:
SELECT op, sqlstate, count(*) FROM conc_result GROUP BY 1, 2 ORDER BY 1, 2;
CREATE TEMP TABLE failure (what text);
INSERT INTO failure
SELECT 'unclean error in ' || op || ': ' || sqlstate || ' ' || message FROM conc_result
 WHERE sqlstate <> 'ok' AND sqlstate NOT IN ('TR104', 'TR304', 'TR305', 'TR306', 'TR309', 'TR409', 'TR412', 'TR413', 'TR503', 'TR506', 'TR507')
   AND NOT (op = 'reserve' AND sqlstate IN ('TR105', '40001'))
   AND NOT (op = 'cap' AND sqlstate = 'TR404');
-- Every attempt was recorded, and every operation succeeded at least once
-- (so that 'successes = rows written' below is not 0 = 0).
INSERT INTO failure
SELECT op || ': ' || count(*) || ' attempts recorded, not ' || n
  FROM (VALUES ('drain', 160), ('spend', 80), ('reverse', 80), ('approve', 80), ('ring', 800), ('excess', 320),
              ('reserve', 80), ('cap', 80)) AS e(op, n)
  LEFT JOIN conc_result USING (op)
 GROUP BY op, n HAVING count(conc_result.op) <> n;
INSERT INTO failure
SELECT op || ': no attempt succeeded'
  FROM (VALUES ('drain'), ('spend'), ('reverse'), ('approve'), ('ring'), ('excess'), ('reserve'), ('cap')) AS e(op)
 WHERE NOT EXISTS (SELECT 1 FROM conc_result r WHERE r.op = e.op AND r.sqlstate = 'ok');
INSERT INTO failure
SELECT 'drain: ' || count(*) || ' transfers of 100 t out of 1000 t succeeded, not 10'
  FROM conc_result WHERE op = 'drain' AND sqlstate = 'ok' HAVING count(*) <> 10;
INSERT INTO failure
SELECT 'spend: the block moved ' || count(*) || ' times, not once'
  FROM conc_result WHERE op = 'spend' AND sqlstate = 'ok' HAVING count(*) <> 1;
INSERT INTO failure
SELECT 'reverse: transaction ' || l.corrects || ' reversed ' || count(*) || ' times'
  FROM tsetp.ledger l WHERE l.corrects IS NOT NULL GROUP BY l.corrects HAVING count(*) > 1;
INSERT INTO failure
SELECT 'reverse: ' || count(*) || ' successful reversals but ' ||
       (SELECT count(*) FROM tsetp.ledger l JOIN conc_reversible r ON r.tx = l.corrects) || ' corrections'
  FROM conc_result WHERE op = 'reverse' AND sqlstate = 'ok'
HAVING count(*) <> (SELECT count(*) FROM tsetp.ledger l JOIN conc_reversible r ON r.tx = l.corrects);
INSERT INTO failure
SELECT 'approve: ' || count(*) || ' successful approvals but ' ||
       (SELECT count(*) FROM tsetp.approval a JOIN conc_pending p ON p.tx = a.transaction_id) || ' decisions'
  FROM conc_result WHERE op = 'approve' AND sqlstate = 'ok'
HAVING count(*) <> (SELECT count(*) FROM tsetp.approval a JOIN conc_pending p ON p.tx = a.transaction_id);
INSERT INTO failure
SELECT 'excess: ' || f.code || ' holds ' || i.issued || ' t issued against ' || COALESCE(r.excess::text, 'no') || ' t of excess'
  FROM tsetp.facility f
  JOIN tsetp.facility_period_reduction r ON r.facility_id = f.id AND r.period_no = 3
  JOIN (SELECT l.source, sum(l.amount::numeric) AS issued FROM tsetp.ledger l
         WHERE l.type = 'issue' AND l.kind = 'ER' AND l.programme = 'saitama'
           AND NOT EXISTS (SELECT 1 FROM tsetp.ledger c WHERE c.corrects = l.id)
         GROUP BY l.source) i ON i.source = f.code
 WHERE f.code LIKE 'X_' AND i.issued > floor(COALESCE(r.excess::numeric, 0));
INSERT INTO failure
SELECT 'excess: no ' || w || ' succeeded'
  FROM (VALUES ('issue'), ('re-verification')) AS e(w)
 WHERE NOT EXISTS (SELECT 1 FROM tsetp.ledger l WHERE e.w = 'issue' AND l.type = 'issue' AND l.source LIKE 'X_')
   AND NOT (e.w = 're-verification' AND EXISTS (SELECT 1 FROM tsetp.emission x JOIN tsetp.facility f ON f.id = x.facility_id
                                                 WHERE f.code LIKE 'X_' AND x.amount::numeric NOT IN (7000, 7500)));
INSERT INTO failure
SELECT 'serial held twice: ' || a.block || ' and ' || b.block
  FROM tsetp.holding a JOIN tsetp.holding b ON a.first_serial < b.first_serial
   AND tsetp.serials(a.block) && tsetp.serials(b.block);
INSERT INTO failure
SELECT 'issued - cancelled = ' || x.issued || ' but holdings = ' || x.held
  FROM (SELECT (SELECT sum(tonnes) FROM tsetp.holding WHERE state <> 'cancelled') AS held,
               (SELECT sum(CASE WHEN l.type = 'issue' THEN l.amount::numeric
                                WHEN l.type = 'cancel' THEN -l.amount::numeric
                                WHEN l.type = 'correction' AND t.type = 'issue' THEN -l.amount::numeric
                                WHEN l.type = 'correction' AND t.type = 'cancel' THEN l.amount::numeric
                                ELSE 0 END)
                  FROM tsetp.ledger l LEFT JOIN tsetp.ledger t ON t.id = l.corrects) AS issued) x
 WHERE x.held IS DISTINCT FROM x.issued;
INSERT INTO failure
SELECT 'non-positive block ' || block FROM tsetp.holding WHERE tonnes <= 0;
INSERT INTO failure
SELECT 'account ' || a.number || ': holdings ' || COALESCE(h.held, 0) || ' t, ledger ' || COALESCE(m.moved, 0) || ' t'
  FROM tsetp.account a
  LEFT JOIN (SELECT account, sum(tonnes) AS held FROM tsetp.holding WHERE state IN ('free', 'reserved') GROUP BY 1) h ON h.account = a.number
  LEFT JOIN (SELECT account, sum(CASE direction WHEN 'in' THEN tonnes ELSE -tonnes END) AS moved FROM tsetp.ledger_movement GROUP BY 1) m ON m.account = a.number
 WHERE COALESCE(h.held, 0) <> COALESCE(m.moved, 0) OR COALESCE(m.moved, 0) < 0;
INSERT INTO failure
SELECT 'account A still holds ' || sum(tonnes) || ' t after the drain' FROM tsetp.holding h
 WHERE h.account = (SELECT number FROM conc_account WHERE name = 'A') AND h.state = 'free' HAVING sum(tonnes) <> 0;
INSERT INTO failure
SELECT 'reserve: account ' || a.number || ' holds ' || COALESCE(sum(h.tonnes), 0) || ' t free under its reserve of ' || a.commitment_reserve
  FROM tsetp.account a LEFT JOIN tsetp.holding h ON h.account = a.number AND h.state = 'free'
 WHERE a.commitment_reserve::numeric > 0 GROUP BY a.number, a.commitment_reserve
HAVING COALESCE(sum(h.tonnes), 0) < a.commitment_reserve::numeric;
INSERT INTO failure
SELECT 'reserve: the account was never brought to its reserve (' || sum(h.tonnes) || ' t free)'
  FROM tsetp.holding h WHERE h.account = (SELECT number FROM conc_account WHERE name = 'V') AND h.state = 'free'
HAVING sum(h.tonnes) > 700;
INSERT INTO failure
SELECT 'cap: ' || sum(l.amount::numeric) || ' t of OUT surrendered or requested for XCAP, over its cap of ' || conc_cap()
  FROM tsetp.ledger l JOIN tsetp.transaction_status s ON s.id = l.id
 WHERE l.type = 'surrender' AND l.kind = 'OUT' AND s.status IN ('requested', 'completed')
HAVING sum(l.amount::numeric) > conc_cap();
INSERT INTO failure
SELECT 'cap: no surrender was refused by the cap' WHERE NOT EXISTS (SELECT 1 FROM conc_result WHERE op = 'cap' AND sqlstate = 'TR404');
\echo invariant violations:
SELECT what FROM failure;
SELECT CASE WHEN count(*) = 0 THEN 'concurrency: all invariants hold' ELSE 'concurrency: FAILED' END AS result FROM failure \gset
\echo :result
SELECT count(*) = 0 AS ok FROM failure \gset
\if :ok
\else
SELECT 'invariants violated'::int;
\endif
SQL
