-- pgTAP: roles and row-level security (SPEC §2.5): each role logs in and
-- is shown what it may see and do, and what is refused.
BEGIN;
SELECT plan(41);
SET LOCAL client_min_messages = warning;
SET search_path = public;
-- Shared fixture of the registry tests (inlined into each file): two
-- Saitama facilities, covered from FY2019 (designated accounts open), base
-- 10,000 t and 20,000 t, F1 verified for FY2020-FY2021; a Tokyo facility;
-- two JVETS general accounts. Clock: Monday 2 June 2025, 11:00 JST.
SET LOCAL tsetp.now = '2025-06-02 11:00+09';
INSERT INTO tsetp.facility (programme, code, name, operator, category) VALUES
    ('saitama', 'RF1', 'Omiya Tower', 'Omiya Estate', '1-1'),
    ('saitama', 'RF2', 'Kawagoe Plant', 'Kawagoe Works', '2'),
    ('tokyo', 'RT1', 'Marunouchi Building', 'Marunouchi Co', 'I-1');
INSERT INTO tsetp.energy_use
SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2016, 2024) y WHERE f.code IN ('RF1', 'RF2', 'RT1');
INSERT INTO tsetp.base_emission
SELECT f.id, 'FY2020', (CASE f.code WHEN 'RF2' THEN '20000' ELSE '10000' END)::tsetp.tco2, 'historical', NULL
  FROM tsetp.facility f WHERE f.code IN ('RF1', 'RF2', 'RT1');
INSERT INTO tsetp.emission
SELECT f.id, e.fy, e.amount, 'Verifier KK'
  FROM tsetp.facility f
  JOIN (VALUES ('RF1', 'FY2020'::tsetp.fiscal_year, '7000'::tsetp.tco2), ('RF1', 'FY2021', '7500'),
               ('RF2', 'FY2020', '19000')) AS e(code, fy, amount) ON e.code = f.code;
CREATE TEMP TABLE acct (k text PRIMARY KEY, n text NOT NULL);
GRANT SELECT ON acct TO PUBLIC;
INSERT INTO acct
SELECT lower(f.code), tsetp.designated_account(f.id) FROM tsetp.facility f WHERE f.code IN ('RF1', 'RF2', 'RT1');
INSERT INTO acct VALUES ('g1', tsetp.open_account('saitama', 'Broker One')),
                        ('g2', tsetp.open_account('saitama', 'Broker Two')),
                        ('j1', tsetp.open_account('jvets', 'JV Corp')),
                        ('j2', tsetp.open_account('jvets', 'JV Broker'));
CREATE FUNCTION pg_temp.a(k text) RETURNS text LANGUAGE sql STABLE AS 'SELECT n FROM pg_temp.acct WHERE acct.k = $1';
CREATE FUNCTION pg_temp.f(code text) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT id FROM tsetp.facility WHERE facility.code = $1';
CREATE ROLE reg_admin2 IN ROLE tsetp_admin;

-- pgTAP's own temporary tables must be writable whichever role runs a test.
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind IN ('r', 'S') LOOP
        EXECUTE format('GRANT ALL ON %s TO PUBLIC', r.rel);
    END LOOP;
END
$$;
CREATE ROLE reg_op1 IN ROLE tsetp_operator;
CREATE ROLE reg_op2 IN ROLE tsetp_operator;
CREATE ROLE reg_reader IN ROLE tsetp_reader;
CREATE ROLE reg_verifier IN ROLE tsetp_verifier;
INSERT INTO tsetp.holder_member VALUES ('Omiya Estate', 'reg_op1'), ('Kawagoe Works', 'reg_op2');
SELECT tsetp.issue_excess(pg_temp.f('RF1'), 3) IS NOT NULL AS issued;
SELECT tsetp.issue(pg_temp.a('rf2'), 'SME', 'FY2020', 'P01', '500') IS NOT NULL AS issued;

-- An operator sees its own facilities, accounts, holdings and transactions.
SET LOCAL SESSION AUTHORIZATION reg_op1;
SELECT is((SELECT string_agg(code, ',') FROM tsetp.facility), 'RF1', 'operator sees only its facility');
SELECT is((SELECT string_agg(number, ',') FROM tsetp.account), pg_temp.a('rf1'), 'operator sees only its accounts');
SELECT is((SELECT count(*)::int FROM tsetp.holding WHERE account = pg_temp.a('rf2')), 0, 'operator does not see others'' holdings');
SELECT is((SELECT count(*)::int FROM tsetp.balance(pg_temp.a('rf2'))), 0, 'balance of another holder''s account shows nothing');
SELECT is((SELECT count(*)::int FROM tsetp.emission), 2, 'operator sees its own emissions only');
SELECT lives_ok($$SELECT tsetp.transfer(pg_temp.a('rf1'), pg_temp.a('rf2'), 'ER', '100')$$, 'operator requests a transfer from its account');
SELECT is((SELECT count(*)::int FROM tsetp.ledger_report WHERE type = 'transfer'), 1, 'ledger_report shows its side of its transfer only');
SELECT is((SELECT count(*)::int FROM tsetp.ledger_report WHERE type = 'issue'), 1, 'ledger_report hides the other holder''s issue');
SELECT is((SELECT string_agg(DISTINCT account, ',') FROM tsetp.account_balance), pg_temp.a('rf1'), 'account_balance shows its accounts only');
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('rf2'), pg_temp.a('rf1'), 'SME', '10')$$, '42501', NULL, 'not from another holder''s account');
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, from_account, to_account, kind, amount) VALUES ('transfer', pg_temp.a('rf2'), pg_temp.a('rf1'), 'SME', '10')$$,
                 '42501', NULL, 'not by direct INSERT either');
SELECT throws_ok($$SELECT tsetp.issue(pg_temp.a('rf1'), 'SME', 'FY2021', 'P9', '10')$$, '42501', NULL, 'an operator cannot issue');
SELECT throws_ok($$INSERT INTO tsetp.ledger (id, type, from_account, to_account, kind, amount) OVERRIDING SYSTEM VALUE
                   VALUES (999999999, 'transfer', pg_temp.a('rf1'), pg_temp.a('rf2'), 'ER', '1')$$,
                 '428C9', NULL, 'an operator cannot take a future transaction id (it would block another request)');
SELECT throws_ok($$SELECT tsetp.approve((SELECT max(id) FROM tsetp.ledger))$$, 'TR502', NULL, 'an operator cannot approve (check 5002)');
SELECT throws_ok($$SELECT tsetp.correct((SELECT min(id) FROM tsetp.ledger), 'x')$$, '42501', NULL, 'an operator cannot correct');
SELECT throws_ok($$INSERT INTO tsetp.holding (block, account, state, tx) VALUES ('SAI/SME/FY2020/P01/999999-999999', pg_temp.a('rf1'), 'free', 0)$$,
                 '42501', NULL, 'nobody writes holdings directly');
SELECT throws_ok($$UPDATE tsetp.account SET status = 'open'$$, '42501', NULL, 'an operator cannot change accounts');
SELECT throws_ok($$UPDATE tsetp.ledger SET note = 'x'$$, '42501', NULL, 'an operator cannot update the ledger');
SELECT lives_ok($$SELECT tsetp.open_account('saitama', 'Omiya Estate')$$, 'an operator opens a general account for its holder');
SELECT throws_ok($$SELECT tsetp.open_account('saitama', 'Somebody Else')$$, '42501', NULL, 'but not for another holder');
SELECT throws_ok($$INSERT INTO tsetp.energy_use VALUES (pg_temp.f('RF2'), 'FY2025', 1900, true)$$, '42501', NULL, 'but not another''s');
SELECT throws_ok($$INSERT INTO tsetp.emission VALUES (pg_temp.f('RF1'), 'FY2025', '7000', 'Self Verified')$$, '42501', NULL, 'an operator cannot verify its own emissions');
RESET SESSION AUTHORIZATION;

-- Another operator cannot act on it; the requester can withdraw.
SET LOCAL SESSION AUTHORIZATION reg_op2;
SELECT is((SELECT count(*)::int FROM tsetp.ledger WHERE from_account = pg_temp.a('rf1')), 1, 'the receiving operator sees the request');
SELECT is((SELECT count(*)::int FROM tsetp.ledger WHERE type = 'issue'), 1, 'but not the issue into the other account');
SELECT throws_ok($$SELECT tsetp.withdraw((SELECT max(id) FROM tsetp.ledger WHERE type = 'transfer'))$$, 'TR509', NULL, 'only the requester withdraws (check 5009)');
SELECT throws_ok($$SELECT tsetp.surrender(pg_temp.f('RF2'), 3, pg_temp.a('rf1'), 'ER', '1')$$, '42501', NULL, 'not from the other holder''s account, whatever the trigger would say');
RESET SESSION AUTHORIZATION;
SET LOCAL SESSION AUTHORIZATION reg_admin2;
SELECT lives_ok($$SELECT tsetp.approve((SELECT max(id) FROM tsetp.ledger WHERE type = 'transfer'))$$, 'a second tsetp_admin approves');
RESET SESSION AUTHORIZATION;
SET LOCAL SESSION AUTHORIZATION reg_op2;
SELECT is((SELECT sum(amount::numeric)::int FROM tsetp.balance(pg_temp.a('rf2')) WHERE kind = 'ER'), 100, 'the receiver now sees the units');
SELECT lives_ok($$SELECT tsetp.surrender(pg_temp.f('RF2'), 3, pg_temp.a('rf2'), 'ER', '100')$$, 'the receiver requests a surrender');
SELECT lives_ok($$SELECT tsetp.withdraw((SELECT max(id) FROM tsetp.ledger WHERE type = 'surrender'))$$, 'and withdraws it');
RESET SESSION AUTHORIZATION;

-- What there is to see, as the owner.
SELECT (SELECT count(DISTINCT account) FROM tsetp.account_balance) AS all_balances,
       (SELECT count(*) FROM tsetp.ledger_report) AS all_report_rows,
       (SELECT count(*)::int FROM tsetp.emission WHERE facility_id = pg_temp.f('RF2')) AS rf2_emissions \gset
SELECT ok(:all_balances >= 2 AND :all_report_rows >= 4 AND :rf2_emissions >= 1, 'there are balances, report rows and emissions to see');

-- A reader sees the report views only.
SET LOCAL ROLE reg_reader;
SELECT throws_ok($$SELECT * FROM tsetp.account$$, '42501', NULL, 'a reader cannot read the account table');
SELECT throws_ok($$SELECT * FROM tsetp.ledger$$, '42501', NULL, 'a reader cannot read the ledger');
SELECT throws_ok($$SELECT tsetp.transfer(pg_temp.a('rf1'), pg_temp.a('rf2'), 'ER', '1')$$, '42501', NULL, 'a reader cannot transfer');
SELECT is((SELECT count(DISTINCT account)::int FROM tsetp.account_balance), :all_balances, 'a reader sees every account''s balance');
SELECT is((SELECT count(*)::int FROM tsetp.ledger_report), :all_report_rows, 'a reader sees the whole ledger report');
RESET ROLE;

-- A verifier records verification, and nothing in the registry.
SET LOCAL ROLE reg_verifier;
WITH u AS (UPDATE tsetp.emission SET verified_by = 'Verifier QA', verified_at = '2025-06-01'
             WHERE facility_id = pg_temp.f('RF2') RETURNING 1)
SELECT count(*)::int AS verified_rows FROM u \gset
SELECT is(:verified_rows, :rf2_emissions, 'a verifier verifies emissions (every row of the facility)');
SELECT throws_ok($$SELECT * FROM tsetp.account$$, '42501', NULL, 'a verifier cannot read accounts');
RESET ROLE;

-- SECURITY DEFINER functions have a fixed search_path; hostile objects in
-- public change nothing.
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
            JOIN pg_extension e ON e.oid = d.refobjid AND e.extname LIKE 'tsetp%'
           WHERE p.prosecdef AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')), 0,
          'every SECURITY DEFINER function sets search_path');
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
            JOIN pg_extension e ON e.oid = d.refobjid AND e.extname LIKE 'tsetp%'
           WHERE p.prosecdef AND has_function_privilege('public', p.oid, 'EXECUTE')), 0,
          'no SECURITY DEFINER function is executable by PUBLIC');
CREATE TABLE public.account (number text, holder text);
CREATE FUNCTION public.hashtext(text) RETURNS int LANGUAGE sql AS 'SELECT 1/0';
SET LOCAL search_path = public, tsetp;
SELECT lives_ok($$SELECT tsetp.transfer(pg_temp.a('rf1'), pg_temp.a('rf2'), 'ER', '5')$$, 'transfer works with hostile objects first on the search_path');

SELECT * FROM finish();
ROLLBACK;
