-- BI check: the report views a dashboard reads over a plain SQL connection
-- have only built-in column types (amounts numeric tonnes), their sums agree
-- with the registry and the engine, and every column and every member of the
-- extension has a comment for the BI tool's data dictionary.
BEGIN;
SELECT plan(12);
SET search_path = tsetp, public;
SET client_min_messages = warning;
SET tsetp.now = '2021-06-01 11:00+09';

CREATE TEMP VIEW report_column AS
SELECT c.relname AS view, a.attname AS col, a.atttypid, t.typnamespace, col_description(c.oid, a.attnum) AS comment
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
 WHERE c.relnamespace = 'tsetp'::regnamespace
   AND c.relname IN ('compliance_report', 'programme_summary', 'account_balance', 'ledger_report');

SELECT is((SELECT count(DISTINCT view)::int FROM report_column), 4, 'the four report views exist');
SELECT is_empty($$SELECT view || '.' || col FROM report_column WHERE typnamespace <> 'pg_catalog'::regnamespace$$,
                'report views have only built-in column types');
SELECT is_empty($$SELECT view || '.' || col || ' ' || format_type(atttypid, NULL) FROM report_column
                   WHERE (col ~ '(_total|^excess|^credits_|^shortfall|^penalty|_rate$|^amount_)'
                          OR (view = 'account_balance' AND col IN ('free', 'reserved', 'balance', 'surrendered', 'retired', 'cancelled')))
                     AND atttypid <> 'numeric'::regtype$$,
                'amount and rate columns are numeric');
SELECT is_empty($$SELECT view || '.' || col FROM report_column WHERE comment IS NULL$$,
                'every column of the report views has a comment');
SELECT is_empty($$
    SELECT pg_describe_object(d.classid, d.objid, 0)
      FROM pg_depend d
     WHERE d.refclassid = 'pg_extension'::regclass
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'tsetp') AND d.deptype = 'e'
       AND d.classid IN ('pg_opclass'::regclass, 'pg_opfamily'::regclass, 'pg_cast'::regclass, 'pg_namespace'::regclass)
       AND obj_description(d.objid, d.classid::regclass::text) IS NULL$$,
    'every operator class, operator family and cast of the extension has a comment');

-- A small programme: two facilities, excess issued, a transfer and a
-- surrender approved by a second admin.
CREATE ROLE bi_clerk IN ROLE tsetp_admin;
CREATE ROLE bi_approver IN ROLE tsetp_admin;
INSERT INTO facility (programme, code, name, operator, category) VALUES
    ('saitama', 'BI-1', 'Works', 'Works KK', '2'), ('saitama', 'BI-2', 'Tower', 'Tower KK', '1-1');
INSERT INTO energy_use (facility_id, fy, crude_oil_kl)
SELECT f.id, y::fiscal_year, 3000 FROM facility f, generate_series(2008, 2020) y WHERE f.code LIKE 'BI-%';
INSERT INTO base_emission (facility_id, effective_from, amount, method)
SELECT f.id, 'FY2011', '10000', 'historical' FROM facility f WHERE f.code LIKE 'BI-%';
INSERT INTO emission (facility_id, fy, amount, verified_by)
SELECT f.id, y::fiscal_year, CASE f.code WHEN 'BI-1' THEN '6000' ELSE '8600.5' END::tco2, 'JQA'
  FROM facility f, generate_series(2015, 2019) y WHERE f.code LIKE 'BI-%';
SELECT issue_excess((SELECT id FROM facility WHERE code = 'BI-1'), 2) IS NOT NULL AS issued \gset
SET SESSION AUTHORIZATION bi_clerk;
SELECT transfer(designated_account((SELECT id FROM facility WHERE code = 'BI-1')),
                designated_account((SELECT id FROM facility WHERE code = 'BI-2')), 'ER', '900') AS t1 \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION bi_approver;
SELECT approve(:t1);
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION bi_clerk;
SELECT surrender((SELECT id FROM facility WHERE code = 'BI-2'), 2,
                 designated_account((SELECT id FROM facility WHERE code = 'BI-2')), 'ER', '503') AS t2 \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION bi_approver;
SELECT approve(:t2);
RESET SESSION AUTHORIZATION;

SELECT is((SELECT sum(base_total) FROM compliance_report WHERE period_no = 2 AND facility_code LIKE 'BI-%'),
          100000::numeric, 'compliance_report: bases sum to the exact tonnes (2 facilities × 5 years × 10,000 t)');
SELECT is((SELECT sum(reduction_total) FROM compliance_report WHERE period_no = 2 AND facility_code LIKE 'BI-%'),
          20000 + 6997.5, 'compliance_report: reductions sum to the exact tonnes');
SELECT results_eq($$SELECT category, facilities, base_total, target_total, reduction_total, achieved_own, achieved_trading
                      FROM programme_summary WHERE programme = 'saitama' AND period_no = 2 ORDER BY category$$,
                  $$SELECT category, count(*)::int, sum(base_total), sum(target_total), sum(reduction_total),
                           (count(*) FILTER (WHERE outcome = 'achieved_own'))::int,
                           (count(*) FILTER (WHERE outcome = 'achieved_trading'))::int
                      FROM compliance_report WHERE programme = 'saitama' AND period_no = 2 GROUP BY category ORDER BY category$$,
                  'programme_summary: per-category sums equal the sums of compliance_report');
SELECT is((SELECT outcome FROM compliance_report WHERE facility_code = 'BI-2' AND period_no = 2), 'achieved_trading',
          'the surrender counts for the buyer');
SELECT is((SELECT sum(balance) FROM account_balance), 12997::numeric,
          'account_balance: balances sum to the units held (13,500 t issued, 503 t surrendered)');
SELECT is_empty($$SELECT b.account FROM (SELECT account, sum(balance) AS balance FROM account_balance GROUP BY account) b
                   FULL JOIN (SELECT account, sum(COALESCE(amount_in, 0)) - sum(COALESCE(amount_out, 0)) AS net
                                FROM ledger_report WHERE status = 'completed' GROUP BY account) l USING (account)
                  WHERE b.balance IS DISTINCT FROM l.net$$,
                'ledger_report: completed amounts in minus out equal each account''s balance');
SELECT is((SELECT sum(surrendered) FROM account_balance), 503::numeric, 'account_balance: the surrender is counted once');

SELECT * FROM finish();
ROLLBACK;
