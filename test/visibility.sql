-- pgTAP: who sees which assessment. An operator assesses and projects its
-- own facilities and sees nothing of another's; a reader sees the published
-- reports only; the prefecture sees everything.
BEGIN;
SELECT plan(13);
SET LOCAL client_min_messages = warning;
SET LOCAL search_path = public, tsetp;
CREATE ROLE vis_op1 IN ROLE tsetp_operator;
CREATE ROLE vis_op2 IN ROLE tsetp_operator;
CREATE ROLE vis_reader IN ROLE tsetp_reader;
CREATE ROLE vis_admin IN ROLE tsetp_admin;
INSERT INTO tsetp.facility (programme, code, name, operator, category) VALUES
    ('saitama', 'VIS1', 'First', 'First Co', '1-1'), ('saitama', 'VIS2', 'Second', 'Second Co', '2');
INSERT INTO tsetp.holder_member VALUES ('First Co', 'vis_op1'), ('Second Co', 'vis_op2');
INSERT INTO tsetp.energy_use SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2008, 2024) y
 WHERE f.code LIKE 'VIS%';
INSERT INTO tsetp.base_emission SELECT f.id, 'FY2011', '10000', 'historical', NULL FROM tsetp.facility f WHERE f.code LIKE 'VIS%';
INSERT INTO tsetp.emission SELECT f.id, y, '8000', 'JQA' FROM tsetp.facility f, generate_series(2020, 2021) y
 WHERE f.code LIKE 'VIS%';
CREATE TEMP TABLE vis AS SELECT code, id FROM tsetp.facility WHERE code LIKE 'VIS%';
GRANT SELECT ON vis TO PUBLIC;

-- Which relations each role may read, pinned: a new view is for the
-- prefecture only until a grant here says otherwise.
CREATE TEMP VIEW readable AS
SELECT r AS role, array_agg(c.relname::text ORDER BY c.relname::text) AS relations
  FROM pg_class c CROSS JOIN unnest(ARRAY['tsetp_operator', 'tsetp_reader', 'tsetp_verifier']) r
 WHERE c.relnamespace = 'tsetp'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')
   AND has_table_privilege(r, c.oid, 'SELECT')
 GROUP BY r;
SELECT is((SELECT relations FROM readable WHERE role = 'tsetp_reader'),
          ARRAY['account_balance', 'compliance_report', 'holder_member', 'ledger_movement', 'ledger_report',
                'programme_summary'],
          'a reader reads the published reports (and who acts for whom)');
SELECT is((SELECT relations FROM readable WHERE role = 'tsetp_operator'),
          ARRAY['account', 'account_balance', 'account_route', 'approval', 'base_emission', 'business_hours',
                'category', 'certification', 'certification_kind', 'coverage', 'credit_kind', 'emission',
                'energy_use', 'facility', 'facility_coverage', 'holder_member', 'holding', 'ledger',
                'ledger_movement', 'ledger_report', 'my_facility_assessment', 'my_facility_period',
                'my_facility_year', 'plan_period', 'programme', 'registry_holiday', 'relief', 'revision_ground',
                'standard_intensity', 'target_rate', 'transaction_rule', 'transitional_rate'],
          'an operator reads its own rows (row-level security), the configuration and the my_* views');
SELECT is((SELECT relations FROM readable WHERE role = 'tsetp_verifier'),
          ARRAY['account_route', 'business_hours', 'category', 'certification_kind', 'credit_kind', 'emission',
                'facility', 'holder_member', 'plan_period', 'programme', 'registry_holiday', 'relief',
                'revision_ground', 'standard_intensity', 'target_rate', 'transaction_rule', 'transitional_rate'],
          'a verifier reads facilities, emissions and the configuration');
SELECT ok(has_table_privilege('tsetp_admin', 'tsetp.facility_period_input', 'SELECT')
          AND has_table_privilege('tsetp_admin', 'tsetp.facility_year', 'SELECT'),
          'the prefecture reads the engine''s views');

SET LOCAL ROLE vis_op1;
SELECT is((SELECT target_total FROM tsetp.assess((SELECT id FROM vis WHERE code = 'VIS1'), 3)), '11000'::tco2,
          'an operator assesses its own facility');
SELECT is((SELECT count(*)::int FROM tsetp.assess((SELECT id FROM vis WHERE code = 'VIS2'), 3)), 0,
          'and gets nothing for another operator''s');
SELECT is(tsetp.rate_at((SELECT id FROM vis WHERE code = 'VIS2'), 'FY2021'), NULL, 'nor its rate');
SELECT is((SELECT years_reported FROM tsetp.projection((SELECT id FROM vis WHERE code = 'VIS1'), 3)), 2,
          'it projects its own period');
SELECT throws_ok($$SELECT count(*) FROM tsetp.facility_assessment$$, '42501', NULL,
                 'the unfiltered engine views are the prefecture''s');
RESET ROLE;
SET LOCAL ROLE vis_reader;
SELECT throws_ok($$SELECT * FROM tsetp.assess((SELECT id FROM vis WHERE code = 'VIS1'), 3)$$, '42501', NULL,
                 'a reader does not assess');
SELECT is((SELECT count(*)::int FROM tsetp.compliance_report WHERE facility_code LIKE 'VIS%' AND period_no = 3), 2,
          'a reader sees every facility in the published report');
RESET ROLE;
SET LOCAL ROLE vis_admin;
SELECT is((SELECT count(*)::int FROM tsetp.my_facility_assessment WHERE facility_id IN (SELECT id FROM vis) AND period_no = 3), 2,
          'the prefecture sees every facility');
SELECT is((SELECT count(*)::int FROM tsetp.facility_period_reduction WHERE facility_id IN (SELECT id FROM vis)), 8,
          'and reads the engine views (four periods each)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
