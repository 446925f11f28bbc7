#!/usr/bin/env bash
# Races between issuing excess reduction and changing the configuration it
# is computed with, in two sessions with the first held open: the second
# must wait for the programme's issuance lock and then read what the first
# committed.
#   1. a facility's excess is issued while its category's target rate is changed;
#   2. a category's transitional rates (the facilities are on the ladder) are
#      raised while a facility of it has its excess issued;
#   3. a facility's excess is issued while the kind's marking is changed.
# Afterwards no facility may hold more standing excess reduction than the
# engine computes with the configuration as it finally stands.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (a superuser) where tsetp
# can be created; exits non-zero on any failure.
set -euo pipefail
EXT=${TSETP_EXTENSION:-tsetp}
db=tsetp_config_race_$$
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; }
trap cleanup EXIT
export PGDATABASE=$db
export PGOPTIONS="-c tsetp.now=2025-06-02T11:00+09 -c client_min_messages=warning"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# Saitama facilities covered from FY2019, base 10,000 t, FY2020 and FY2021
# verified at 7,000 t and 7,500 t: 3,900 t of excess each (C1 and C3 of
# category 1-1, C2 of category 2).
q >/dev/null <<SQL
CREATE EXTENSION $EXT;
INSERT INTO tsetp.facility (programme, code, name, operator, category)
VALUES ('saitama', 'C1', 'Race 1', 'Race Operator', '1-1'), ('saitama', 'C2', 'Race 2', 'Race Operator', '2'),
       ('saitama', 'C3', 'Race 3', 'Race Operator', '1-1');
INSERT INTO tsetp.energy_use SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2016, 2024) y;
INSERT INTO tsetp.base_emission SELECT f.id, 'FY2020', '10000', 'historical', NULL FROM tsetp.facility f;
INSERT INTO tsetp.emission
SELECT f.id, e.fy::tsetp.fiscal_year, e.amount::tsetp.tco2, 'Verifier KK'
  FROM tsetp.facility f, (VALUES ('FY2020', '7000'), ('FY2021', '7500')) AS e(fy, amount);
CREATE TABLE race_result (scenario int PRIMARY KEY, sqlstate text NOT NULL);
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

race() {
  q -c "BEGIN; $2; SELECT pg_sleep(1.5); COMMIT;" >/dev/null &
  local first=$!
  sleep 0.5
  q -c "SELECT try($1, \$\$$3\$\$)" >/dev/null
  wait "$first" || { echo "config_race: the first session of scenario $1 failed" >&2; exit 1; }
}
race 1 "SELECT tsetp.issue_excess(fid('C1'), 3)" \
       "UPDATE tsetp.target_rate SET rate = 0.3 WHERE programme = 'saitama' AND period_no = 3 AND category = '1-1'"
race 2 "UPDATE tsetp.transitional_rate SET rate = 0.3 WHERE programme = 'saitama' AND period_no = 3 AND category = '2'" \
       "SELECT tsetp.issue_excess(fid('C2'), 3)"
race 3 "SELECT tsetp.issue_excess(fid('C3'), 3)" \
       "UPDATE tsetp.credit_kind SET excess_reduction = false WHERE programme = 'saitama' AND code = 'ER'"

q <<'SQL'
CREATE TEMP TABLE failure (what text);
-- 1: the change waited for the issue, then was refused (4020).
-- 2: the issue waited for the higher rate (30%: no excess left) and was refused (4009).
-- 3: the re-marking waited for the issue, then was refused (3012).
INSERT INTO failure
SELECT format('scenario %s: the second session got %s, not %s', e.scenario, COALESCE(r.sqlstate, 'nothing'), e.sqlstate)
  FROM (VALUES (1, 'TR420'), (2, 'TR409'), (3, 'TR312')) AS e(scenario, sqlstate)
  LEFT JOIN race_result r USING (scenario)
 WHERE r.sqlstate IS DISTINCT FROM e.sqlstate;
INSERT INTO failure
SELECT format('%s holds %s t of standing excess reduction against %s t of excess', f.code, i.issued, COALESCE(r.excess::text, 'no'))
  FROM tsetp.facility f
  JOIN tsetp.facility_period_reduction r ON r.facility_id = f.id AND r.period_no = 3
 CROSS JOIN LATERAL (SELECT COALESCE(sum(s.amount::numeric), 0) AS issued FROM tsetp.standing_excess s WHERE s.source = f.code) i
 WHERE i.issued > floor(COALESCE(r.excess::numeric, 0));
INSERT INTO failure
SELECT format('%s issues stand, not 2 (C1 and C3)', count(*)) FROM tsetp.standing_excess HAVING count(*) <> 2;
SELECT what FROM failure;
SELECT count(*) = 0 AS ok FROM failure \gset
\if :ok
\echo config_race: ok (two rate changes and a re-marking each waited for the issuer or it for them, and read what the other committed)
\else
SELECT 'config_race: FAILED'::int;
\endif
SQL
