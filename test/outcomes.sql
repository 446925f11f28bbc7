-- pgTAP: the assessment's outcome with real credits from the registry.
-- Four Saitama facilities, base 10,000 t from FY2011, period 3 target
-- 11,000 t each: one meets it alone, one closes its gap with its own excess
-- banked from period 2, one with excess bought from another facility, one
-- does not close it. The figures come out of compliance_report and
-- programme_summary as BI tools read them.
BEGIN;
SELECT plan(14);
SET LOCAL client_min_messages = warning;
SET LOCAL search_path = public, tsetp;
SET LOCAL tsetp.now = '2026-06-01 11:00+09';
CREATE ROLE outcomes_approver IN ROLE tsetp_admin;

INSERT INTO tsetp.facility (programme, code, name, operator, category) VALUES
    ('saitama', 'OWN', 'Own Reduction Tower', 'Own Co', '1-1'),
    ('saitama', 'BANK', 'Banking Hall', 'Bank Co', '1-1'),
    ('saitama', 'TRADE', 'Trading House', 'Trade Co', '1-1'),
    ('saitama', 'SHORT', 'Short Plant', 'Short Co', '1-1');
INSERT INTO tsetp.energy_use
SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2008, 2024) y
 WHERE f.code IN ('OWN', 'BANK', 'TRADE', 'SHORT');
INSERT INTO tsetp.base_emission
SELECT f.id, 'FY2011', '10000', 'historical', NULL FROM tsetp.facility f
 WHERE f.code IN ('OWN', 'BANK', 'TRADE', 'SHORT');
-- Period 2 (15% a year: 7,500 t): BANK reduces 3,000 t a year, the others 1,500 t.
-- Period 3 (22% a year: 11,000 t): OWN 2,200 t a year, BANK and TRADE
-- 2,000 t (1,000 t short), SHORT 100 t (10,500 t short).
INSERT INTO tsetp.emission (facility_id, fy, amount, verified_by)
SELECT f.id, y::tsetp.fiscal_year,
       CASE WHEN y < 2020 THEN CASE f.code WHEN 'BANK' THEN '7000' ELSE '8500' END
            ELSE CASE f.code WHEN 'OWN' THEN '7800' WHEN 'SHORT' THEN '9900' ELSE '8000' END
       END::tsetp.tco2, 'Verifier KK'
  FROM tsetp.facility f, generate_series(2015, 2024) y
 WHERE f.code IN ('OWN', 'BANK', 'TRADE', 'SHORT');
CREATE FUNCTION pg_temp.f(code text) RETURNS bigint LANGUAGE sql STABLE
    AS 'SELECT id FROM tsetp.facility WHERE facility.code = $1';
CREATE FUNCTION pg_temp.acct(code text) RETURNS text LANGUAGE sql STABLE
    AS 'SELECT tsetp.designated_account(pg_temp.f($1))';

SELECT is((SELECT excess FROM tsetp.assess(pg_temp.f('BANK'), 2)), '7500'::tsetp.tco2,
          'BANK''s excess in period 2: 15,000 t reduced against 7,500 t');
-- BANK's period-2 excess is issued (vintage FY2019) and half of it sold to TRADE.
SELECT lives_ok($$SELECT tsetp.issue_excess(pg_temp.f('BANK'), 2)$$, 'excess of period 2 issued');
SELECT lives_ok($$SELECT tsetp.transfer(pg_temp.acct('BANK'), pg_temp.acct('TRADE'), 'ER', '1000')$$, 'transfer requested');
SET LOCAL SESSION AUTHORIZATION outcomes_approver;
SELECT lives_ok($$SELECT tsetp.approve(max(id)) FROM tsetp.ledger WHERE type = 'transfer'$$, 'transfer approved by a second admin');
RESET SESSION AUTHORIZATION;
SELECT lives_ok($$SELECT tsetp.surrender(pg_temp.f('BANK'), 3, pg_temp.acct('BANK'), 'ER', '1000');
                  SELECT tsetp.surrender(pg_temp.f('TRADE'), 3, pg_temp.acct('TRADE'), 'ER', '1000')$$,
                'both surrender 1,000 t for period 3');
SELECT is((SELECT outcome FROM tsetp.assess(pg_temp.f('BANK'), 3)), 'not_achieved',
          'a surrender waiting for approval does not count yet');
SET LOCAL SESSION AUTHORIZATION outcomes_approver;
SELECT lives_ok($$SELECT tsetp.approve(id) FROM tsetp.ledger WHERE type = 'surrender'$$, 'surrenders approved');
RESET SESSION AUTHORIZATION;

SELECT results_eq(
    $$SELECT f.code, a.outcome, a.credits_applied, a.shortfall
        FROM tsetp.facility f, tsetp.assess(f.id, 3) a
       WHERE f.code IN ('OWN', 'BANK', 'TRADE', 'SHORT') ORDER BY f.code$$,
    $$VALUES ('BANK', 'achieved_banking', '1000'::tsetp.tco2, '0'::tsetp.tco2),
             ('OWN', 'achieved_own', '0', '0'),
             ('SHORT', 'not_achieved', '0', '10500'),
             ('TRADE', 'achieved_trading', '1000', '0')$$,
    'own reduction, own banked excess, acquired excess, not achieved');
SELECT is((SELECT penalty_obligation FROM tsetp.assess(pg_temp.f('SHORT'), 3)), NULL,
          'Saitama orders no penalty: not achieving is a published outcome');

-- What a BI tool reads: plain numeric columns that add up.
SELECT is((SELECT count(*)::int FROM information_schema.columns
            WHERE table_schema = 'tsetp' AND table_name IN ('compliance_report', 'programme_summary')
              AND (column_name LIKE '%total' OR column_name IN ('excess', 'shortfall', 'credits_applied'))
              AND data_type <> 'numeric'), 0, 'report amounts are numeric');
SELECT is((SELECT sum(credits_applied) FROM tsetp.compliance_report
            WHERE programme = 'saitama' AND period_no = 3 AND facility_code IN ('OWN', 'BANK', 'TRADE', 'SHORT')),
          2000::numeric, 'credits applied add up');
SELECT is((SELECT sum(reduction_total) FROM tsetp.compliance_report
            WHERE programme = 'saitama' AND period_no = 3 AND facility_code IN ('OWN', 'BANK', 'TRADE', 'SHORT')),
          (11000 + 10000 + 10000 + 500)::numeric, 'reductions add up');
SELECT results_eq(
    $$SELECT facilities, achieved_own, achieved_banking, achieved_trading, not_achieved, target_rate
        FROM tsetp.programme_summary WHERE programme = 'saitama' AND period_no = 3 AND category = '1-1'$$,
    $$VALUES (4, 1, 1, 1, 1, 0.2200)$$,
    'the summary counts each outcome once');
SELECT results_eq(
    $$SELECT facilities, base_total, target_total, reduction_total
        FROM tsetp.programme_summary WHERE programme = 'saitama' AND period_no = 2 AND category = '1-1'$$,
    $$VALUES (4, 200000::numeric, 30000::numeric, 37500::numeric)$$,
    'period 2 summary: base, target and reduction over four facilities');

SELECT * FROM finish();
ROLLBACK;
