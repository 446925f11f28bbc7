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

q -d $src >/dev/null <<'SQL'
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
-- a populated registry: a broker's general account, issued credits, a
-- transfer and a surrender approved four-eyes, a pending request
SET tsetp.now = '2025-06-02 11:00+09';
INSERT INTO facility (programme, code, name, operator, category) VALUES ('saitama', 'F2', 'Two', 'Op2', '2');
INSERT INTO energy_use (facility_id, fy, crude_oil_kl) SELECT 3, y::fiscal_year, 2000 FROM generate_series(2006, 2024) y;
INSERT INTO base_emission VALUES (3, 'FY2011', '10000', 'historical', NULL);
INSERT INTO emission (facility_id, fy, amount, verified_by)
SELECT 3, y::fiscal_year, '6000', 'JQA' FROM generate_series(2020, 2024) y;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dump_clerk') THEN CREATE ROLE dump_clerk IN ROLE tsetp_admin; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dump_approver') THEN CREATE ROLE dump_approver IN ROLE tsetp_admin; END IF;
END $$;
SELECT issue_excess(3, 3);
SELECT open_account('saitama', 'Broker KK') AS broker \gset
SELECT issue(:'broker', 'RE', 'FY2021', 'RE-1', '500');
SET SESSION AUTHORIZATION dump_clerk;
SELECT transfer(designated_account(3), :'broker', 'ER', '300') AS t1 \gset
SET SESSION AUTHORIZATION dump_approver;
SELECT approve(:t1);
SET SESSION AUTHORIZATION dump_clerk;
SELECT transfer(:'broker', designated_account(1), 'ER', '200') AS t2 \gset
SET SESSION AUTHORIZATION dump_approver;
SELECT approve(:t2);
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION dump_clerk;
SELECT surrender(1, 3, designated_account(1), 'ER', '150') AS t3 \gset
SELECT transfer(:'broker', designated_account(3), 'RE', '40') AS pending \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION dump_approver;
SELECT approve(:t3);
RESET SESSION AUTHORIZATION;
SQL

# The registry's tables must be dumped with the extension's data.
unregistered=$(psql -X -At -d $src -c "
    SELECT string_agg(t, ' ' ORDER BY t) FROM unnest(ARRAY['account', 'holding', 'ledger', 'approval', 'serial_counter',
                                                        'holder_member', 'account_number_seq']) AS t
     WHERE ('tsetp.' || t)::regclass <> ALL (SELECT unnest(extconfig) FROM pg_extension WHERE extname = 'tsetp')")
if [ -n "$unregistered" ]; then
  echo "dump_restore: registry tables not registered with pg_extension_config_dump, so pg_dump leaves them out: $unregistered" >&2
  exit 1
fi

pg_dump -d $src -f "$PGHOST/tsetp_dump.sql"
# Restore as README says: without re-running the registry triggers.
PGOPTIONS="$PGOPTIONS -c session_replication_role=replica" q -d $dst -f "$PGHOST/tsetp_dump.sql" >/dev/null

snapshot() {
  psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
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
SELECT 'assessment', r::text FROM compliance_report r ORDER BY facility_id, period_no;
SELECT 'account', a.number, a.programme, a.account_type, a.holder, a.facility_id, a.status, a.opened_at FROM account a ORDER BY number;
SELECT 'balance', b::text FROM account_balance b ORDER BY account, kind, vintage;
SELECT 'holding', h.block, h.account, h.state, h.tx FROM holding h ORDER BY first_serial;
SELECT 'ledger', l.id, l.type, l.from_account, l.to_account, l.amount, l.blocks, l.requested_by, l.requested_at, s.status
  FROM ledger l JOIN transaction_status s USING (id) ORDER BY l.id;
SELECT 'next', (SELECT next_serial FROM serial_counter), nextval('account_number_seq');
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
grep -q "^ledger|.*|requested$" "$PGHOST/after.txt" || { echo "dump_restore: pending request lost" >&2; exit 1; }
applied=$(psql -X -At -d $dst -c "SELECT credits_applied FROM tsetp.compliance_report WHERE facility_code = 'F1' AND period_no = 3")
[ "$applied" = 150 ] || { echo "dump_restore: surrender lost from the assessment (credits applied: $applied)" >&2; exit 1; }
echo "dump_restore: ok ($(wc -l < "$PGHOST/after.txt") rows identical after pg_dump and restore)"
