#!/usr/bin/env bash
# pg_dump of a populated database restores into a fresh one with identical
# configuration (user rows added, shipped rows changed), facility data,
# assessments and balances. Runs against the cluster of scripts/test.sh.
set -euo pipefail
src=tsetp_dump_src
dst=tsetp_dump_dst
export PGOPTIONS="-c client_min_messages=warning"
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
for db in $src $dst; do q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"; done

q -d $src <<'SQL'
CREATE EXTENSION tsetp;
SET search_path = tsetp, public;
-- a user's own programme, and changes to shipped rows
INSERT INTO programme (code, name, credit_origin, coverage_kl, coverage_years, historical_base_years,
                       base_average_years, new_base_lookback_years, revision_threshold, reduction_cap, excess_from_year)
VALUES ('atlantis', 'Atlantis Prefecture Trial', 'ATL', 1000, 2, 'FY2015-FY2017', 2, 2, 0.1, 0.4, 2);
INSERT INTO plan_period VALUES ('atlantis', 1, 'FY2020-FY2022', '2023-12-31');
INSERT INTO category VALUES ('atlantis', 'big', 'Big');
INSERT INTO target_rate VALUES ('atlantis', 1, 'big', 0.10);
UPDATE target_rate SET rate = 0.23 WHERE programme = 'saitama' AND period_no = 3 AND category = '1-1';
UPDATE plan_period SET deadline = '2026-10-31' WHERE programme = 'saitama' AND period_no = 3;
INSERT INTO standard_intensity VALUES ('saitama', 'office', '事務所', 0.085);
INSERT INTO transitional_rate VALUES ('saitama', 4, '1-1', 1, 4, 0.3);
-- facility data
INSERT INTO facility (programme, code, name, operator, category) VALUES
    ('saitama', 'F1', 'One', 'Op', '1-1'), ('atlantis', 'Z1', 'Z', 'Zop', 'big');
INSERT INTO energy_use (facility_id, fy, crude_oil_kl)
SELECT f.id, y::fiscal_year, 2000 FROM facility f, generate_series(2006, 2024) y;
INSERT INTO base_emission VALUES (1, 'FY2011', '10000', 'historical', NULL), (2, 'FY2020', '1000', 'agreed', NULL);
INSERT INTO base_emission VALUES (1, 'FY2022', '11000', 'historical', 'floor_area');
INSERT INTO emission (facility_id, fy, amount, verified_by)
SELECT f.id, y::fiscal_year, (700 + y)::tco2, 'JQA' FROM facility f, generate_series(2020, 2024) y;
INSERT INTO certification VALUES (1, 'FY2021', 'sme');
SQL

pg_dump -d $src -f "$PGHOST/tsetp_dump.sql"
q -d $dst -f "$PGHOST/tsetp_dump.sql" >/dev/null

snapshot() {
  psql -X -q -At -d "$1" <<'SQL'
SET search_path = tsetp, public;
SELECT 'programme', p::text FROM programme p ORDER BY code;
SELECT 'plan_period', p::text FROM plan_period p ORDER BY 2;
SELECT 'category', c::text FROM category c ORDER BY 2;
SELECT 'target_rate', r::text FROM target_rate r ORDER BY 2;
SELECT 'transitional_rate', r::text FROM transitional_rate r ORDER BY 2;
SELECT 'relief', r::text FROM relief r ORDER BY 2;
SELECT 'revision_ground', r::text FROM revision_ground r ORDER BY 2;
SELECT 'standard_intensity', r::text FROM standard_intensity r ORDER BY 2;
SELECT 'credit_kind', r::text FROM credit_kind r ORDER BY 2;
SELECT 'certification_kind', r::text FROM certification_kind r ORDER BY 2;
SELECT 'facility_year', y::text FROM facility_year y ORDER BY facility_id, fy;
SELECT 'period', r::text FROM facility_period_reduction r ORDER BY facility_id, period_no;
SQL
}
snapshot $src > "$PGHOST/before.txt"
snapshot $dst > "$PGHOST/after.txt"
if ! diff -u "$PGHOST/before.txt" "$PGHOST/after.txt"; then
  echo "dump_restore: restored database differs" >&2
  exit 1
fi
grep -q "^target_rate|(saitama,3,1-1,0.23,f)$" "$PGHOST/after.txt" || { echo "dump_restore: changed shipped rate lost" >&2; exit 1; }
grep -q "^programme|(atlantis," "$PGHOST/after.txt" || { echo "dump_restore: user programme lost" >&2; exit 1; }
echo "dump_restore: ok ($(wc -l < "$PGHOST/after.txt") rows identical after pg_dump and restore)"
