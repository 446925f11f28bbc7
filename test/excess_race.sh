#!/usr/bin/env bash
# Races between issuing excess reduction and changing what it rests on, in
# two sessions with the first held open: the second must wait for the
# programme's issuance lock and then read what the first committed.
#   1. a facility is renamed while its excess is issued;
#   2. its verified emissions are lowered while its excess is issued;
#   3. its excess is issued while its verified emissions are lowered.
# Afterwards no facility may hold more standing excess reduction than the
# engine computes from its data as they finally stand, and each second
# session must have got the answer the committed first one implies.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (a superuser) where tsetp
# can be created; exits non-zero on any failure.
set -euo pipefail
EXT=${TSETP_EXTENSION:-tsetp}
db=tsetp_excess_race_$$
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; }
trap cleanup EXIT
export PGDATABASE=$db
export PGOPTIONS="-c tsetp.now=2025-06-02T11:00+09 -c client_min_messages=warning"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# Three Saitama facilities covered from FY2019, base 10,000 t, FY2020 and
# FY2021 verified: 3,900 t of excess each.
q >/dev/null <<SQL
CREATE EXTENSION $EXT;
INSERT INTO tsetp.facility (programme, code, name, operator, category)
SELECT 'saitama', 'R' || i, 'Race ' || i, 'Race Operator', '1-1' FROM generate_series(1, 3) i;
INSERT INTO tsetp.energy_use SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2016, 2024) y;
INSERT INTO tsetp.base_emission SELECT f.id, 'FY2020', '10000', 'historical', NULL FROM tsetp.facility f;
INSERT INTO tsetp.emission
SELECT f.id, e.fy::tsetp.fiscal_year, e.amount::tsetp.tco2, 'Verifier KK'
  FROM tsetp.facility f, (VALUES ('FY2020', '7000'), ('FY2021', '7500')) AS e(fy, amount);
CREATE TABLE race_result (scenario int PRIMARY KEY, sqlstate text NOT NULL);
-- Runs a statement, records its SQLSTATE ('ok' when it succeeds).
CREATE FUNCTION try(scenario int, sql text) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE
    st text := 'ok';
BEGIN
    BEGIN
        EXECUTE sql;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
    END;
    INSERT INTO race_result VALUES (scenario, st);
END
\$\$;
CREATE FUNCTION fid(code text) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT id FROM tsetp.facility WHERE facility.code = \$1';
SQL

# race N "first session's change" "second session's statement": the first
# makes its change, then holds its transaction open for a second while the
# second session runs.
race() {
  q -c "BEGIN; $2; SELECT pg_sleep(1.5); COMMIT;" >/dev/null &
  local first=$!
  sleep 0.5
  q -c "SELECT try($1, \$\$$3\$\$)" >/dev/null
  wait "$first" || { echo "excess_race: the first session of scenario $1 failed" >&2; exit 1; }
}
race 1 "UPDATE tsetp.facility SET code = 'R1X' WHERE code = 'R1'" "SELECT tsetp.issue_excess(fid('R1'), 3)"
race 2 "UPDATE tsetp.emission SET amount = '9500' WHERE facility_id = fid('R2') AND fy::text = 'FY2021'" \
       "SELECT tsetp.issue_excess(fid('R2'), 3)"
race 3 "SELECT tsetp.issue_excess(fid('R3'), 3)" \
       "UPDATE tsetp.emission SET amount = '9500' WHERE facility_id = fid('R3') AND fy::text = 'FY2021'"
# Whatever is left to issue after the races.
q -c "SELECT tsetp.issue_excess(f.id, 3) FROM tsetp.facility f WHERE f.code = 'R1X'" >/dev/null

q <<'SQL'
CREATE TEMP TABLE failure (what text);
-- 1: the renamed facility's excess was not issued under its old code; it
--    is issued once, under the new one.
-- 2: the issue waited for the lowered emissions: 2,200 - 300 = 1,900 t.
-- 3: the change waited for the issue, then was refused (4013).
INSERT INTO failure
SELECT format('scenario %s: the second session got %s, not %s', e.scenario, COALESCE(r.sqlstate, 'nothing'), e.sqlstate)
  FROM (VALUES (1, 'TR406'), (2, 'ok'), (3, 'TR413')) AS e(scenario, sqlstate)
  LEFT JOIN race_result r USING (scenario)
 WHERE r.sqlstate IS DISTINCT FROM e.sqlstate;
INSERT INTO failure
SELECT format('%s holds %s t of standing excess reduction against %s t of excess', f.code, i.issued, COALESCE(r.excess::text, 'no'))
  FROM tsetp.facility f
  JOIN tsetp.facility_period_reduction r ON r.facility_id = f.id AND r.period_no = 3
  -- (R1X's issues include any made under its old code R1)
 CROSS JOIN LATERAL (SELECT sum(l.amount::numeric) AS issued
                       FROM tsetp.ledger l
                      WHERE l.type = 'issue' AND l.kind = 'ER'
                        AND l.source IN (f.code, CASE f.code WHEN 'R1X' THEN 'R1' END)
                        AND NOT EXISTS (SELECT 1 FROM tsetp.ledger c WHERE c.corrects = l.id)) i
 WHERE i.issued > floor(COALESCE(r.excess::numeric, 0));
INSERT INTO failure
SELECT format('%s t issued in all, not 3,900 + 1,900 + 3,900', sum(amount::numeric))
  FROM tsetp.ledger WHERE type = 'issue' HAVING sum(amount::numeric) <> 3900 + 1900 + 3900;
SELECT what FROM failure;
SELECT count(*) = 0 AS ok FROM failure \gset
\if :ok
\echo excess_race: ok (a rename, a re-verification and an issue each waited for the other and read what it committed)
\else
SELECT 'excess_race: FAILED'::int;
\endif
SQL
