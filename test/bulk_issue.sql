-- pgTAP: the set-wise issuance of excess reduction,
-- tsetp.issue_excess_all(programme, period_no), gives exactly the ledger rows,
-- serials and holdings of one tsetp.issue_excess(facility_id, period_no) per
-- facility; issues nothing twice; skips facilities with nothing to issue;
-- and leaves no way around the ledger's checks.
BEGIN;
SELECT plan(62);
SET LOCAL client_min_messages = warning;
SET search_path = public;
-- Clock: Monday 2 June 2025, 11:00 JST, in period 3 (FY2020-FY2024) of
-- Saitama. Facilities are covered from FY2019 (transitional rate 8%).
--   B1 base 10,000: FY2020 7,000, FY2021 7,500 -> excess 3,900
--   B2 base 20,000: FY2020 19,000 only -> second year not verified: skipped
--   B3 base 10,000: FY2020 9,500, FY2021 9,900 -> no excess: skipped
--   B4 base 5,000: FY2020 3,000, FY2021 2,000 -> 3,700 issued before; then
--      FY2022 4,000 verified -> 600 more, vintage FY2022
--   B5 base 10,000: FY2020 7,000.4, FY2021 7,500 -> 3,899.6: 3,899 t
--   B6 like B1, but its designated account is suspended: skipped
--   B7 covered from FY2021 (part-way through the period), base 10,000:
--      FY2020 9,000 verified before coverage; FY2021 7,000, FY2022 7,500
--      -> excess 5,500 - 1,600 = 3,900, vintage FY2022
--   B8 covered from FY2022; only FY2021, before coverage, verified: nothing
--      to issue (the single version refuses with TR409)
--   T1 Tokyo, like B1: another programme
SET LOCAL tsetp.now = '2025-06-02 11:00+09';
INSERT INTO tsetp.facility (programme, code, name, operator, category) VALUES
    ('saitama', 'B1', 'Bulk One', 'Op One', '1-1'),
    ('saitama', 'B2', 'Bulk Two', 'Op Two', '2'),
    ('saitama', 'B3', 'Bulk Three', 'Op Three', '1-1'),
    ('saitama', 'B4', 'Bulk Four', 'Op Four', '1-1'),
    ('saitama', 'B5', 'Bulk Five', 'Op Five', '1-1'),
    ('saitama', 'B6', 'Bulk Six', 'Op Six', '1-1'),
    ('saitama', 'B7', 'Bulk Seven', 'Op Seven', '1-1'),
    ('saitama', 'B8', 'Bulk Eight', 'Op Eight', '1-1'),
    ('tokyo', 'T1', 'Tokyo One', 'Op Tokyo', 'I-1');
INSERT INTO tsetp.energy_use
SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2016, 2024) y WHERE f.code IN ('B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'T1');
INSERT INTO tsetp.energy_use
SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2018, 2024) y WHERE f.code = 'B7';
INSERT INTO tsetp.energy_use
SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2019, 2024) y WHERE f.code = 'B8';
INSERT INTO tsetp.base_emission
SELECT f.id, CASE f.code WHEN 'B7' THEN 'FY2021' ELSE 'FY2022' END::tsetp.fiscal_year, '10000', 'historical', NULL
  FROM tsetp.facility f WHERE f.code IN ('B7', 'B8');
INSERT INTO tsetp.base_emission
SELECT f.id, 'FY2020', (CASE f.code WHEN 'B2' THEN '20000' WHEN 'B4' THEN '5000' ELSE '10000' END)::tsetp.tco2, 'historical', NULL
  FROM tsetp.facility f WHERE f.code IN ('B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'T1');
INSERT INTO tsetp.emission
SELECT f.id, e.fy, e.amount, 'Verifier KK'
  FROM tsetp.facility f
  JOIN (VALUES ('B1', 'FY2020'::tsetp.fiscal_year, '7000'::tsetp.tco2), ('B1', 'FY2021', '7500'),
               ('B2', 'FY2020', '19000'),
               ('B3', 'FY2020', '9500'), ('B3', 'FY2021', '9900'),
               ('B4', 'FY2020', '3000'), ('B4', 'FY2021', '2000'),
               ('B5', 'FY2020', '7000.4'), ('B5', 'FY2021', '7500'),
               ('B6', 'FY2020', '7000'), ('B6', 'FY2021', '7500'),
               ('B7', 'FY2020', '9000'), ('B7', 'FY2021', '7000'), ('B7', 'FY2022', '7500'),
               ('B8', 'FY2021', '8000'),
               ('T1', 'FY2020', '7000'), ('T1', 'FY2021', '7500')) AS e(code, fy, amount) ON e.code = f.code;
CREATE FUNCTION pg_temp.f(code text) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT id FROM tsetp.facility WHERE facility.code = $1';
CREATE ROLE bulk_admin IN ROLE tsetp_admin;
CREATE ROLE bulk_operator IN ROLE tsetp_operator;
INSERT INTO tsetp.holder_member VALUES ('Op One', 'bulk_operator');

-- B4's excess of FY2020-FY2021 was issued before; FY2022 is verified since.
SELECT is(tsetp.amount(tsetp.issue_excess(pg_temp.f('B4'), 3))::numeric, 3700::numeric, 'B4: 3,700 t issued one by one before');
INSERT INTO tsetp.emission SELECT pg_temp.f('B4'), 'FY2022', '4000', 'Verifier KK';
UPDATE tsetp.account SET status = 'suspended' WHERE facility_id = pg_temp.f('B6');
SELECT max(id) AS before_id, (SELECT next_serial FROM tsetp.serial_counter) AS first_serial FROM tsetp.ledger \gset

-- What one tsetp.issue_excess(facility_id, 3) per facility gives, in
-- facility order (kept as JSON, then undone): the ledger rows as stored (but
-- for the id, numbered instead) and the holdings they made.
CREATE TEMP VIEW new_rows AS
SELECT row_number() OVER (ORDER BY l.id) AS n, l.*
  FROM tsetp.ledger l WHERE l.id > :before_id;
CREATE TEMP VIEW new_result AS
SELECT (SELECT coalesce(jsonb_agg(to_jsonb(r) - 'id' ORDER BY r.n), '[]') FROM new_rows r) AS ledger,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('block', h.block::text, 'account', h.account, 'state', h.state,
                                                     'tx', r.n, 'kind', h.kind, 'vintage', h.vintage::text, 'tonnes', h.tonnes)
                                  ORDER BY h.first_serial), '[]')
          FROM tsetp.holding h JOIN new_rows r ON r.id = h.tx) AS holdings;
GRANT SELECT ON new_rows, new_result TO PUBLIC;
SET LOCAL ROLE bulk_admin;
SAVEPOINT one_by_one;
DO $$
DECLARE
    f record;
BEGIN
    FOR f IN SELECT x.id FROM tsetp.facility x WHERE x.programme = 'saitama' ORDER BY x.id LOOP
        BEGIN
            PERFORM tsetp.issue_excess(f.id, 3);
        EXCEPTION WHEN SQLSTATE 'TR406' OR SQLSTATE 'TR408' OR SQLSTATE 'TR409' OR SQLSTATE 'TR203' THEN
            NULL;
        END;
    END LOOP;
END
$$;
SELECT ledger AS single_ledger, holdings AS single_holdings FROM new_result \gset
ROLLBACK TO SAVEPOINT one_by_one;
SELECT is((SELECT count(*)::int FROM tsetp.ledger WHERE id > :before_id), 0, 'the one-by-one issuance is undone');

-- The set-wise issuance, as a tsetp_admin that is not the owner.
SET LOCAL client_min_messages = error;
CREATE TEMP TABLE bulk_result AS SELECT * FROM tsetp.issue_excess_all('saitama', 3);
SET LOCAL client_min_messages = warning;
SELECT results_eq($$SELECT f.code, b.block::text FROM bulk_result b JOIN tsetp.facility f ON f.id = b.facility_id ORDER BY b.facility_id$$,
                  format($$VALUES ('B1', 'SAI/ER/FY2021/B1/%s-%s'), ('B4', 'SAI/ER/FY2022/B4/%s-%s'), ('B5', 'SAI/ER/FY2021/B5/%s-%s'),
                                  ('B7', 'SAI/ER/FY2022/B7/%s-%s')$$,
                         :first_serial, :first_serial + 3899, :first_serial + 3900, :first_serial + 4499,
                         :first_serial + 4500, :first_serial + 8398, :first_serial + 8399, :first_serial + 12298),
                  'B1 3,900 t, B4 600 t more (vintage FY2022), B5 3,899 t (whole tonnes), B7 3,900 t of its covered years (vintage FY2022): serials in facility order from the counter');
SELECT is((SELECT ledger FROM new_result), :'single_ledger'::jsonb, 'ledger rows exactly as one issue_excess per facility');
SELECT is((SELECT holdings FROM new_result), :'single_holdings'::jsonb, 'holdings exactly as one issue_excess per facility');
SELECT is((SELECT next_serial FROM tsetp.serial_counter), :first_serial + 12299::bigint, 'the serial counter moved by the tonnes issued');
SELECT is((SELECT count(*)::int FROM tsetp.ledger WHERE id > :before_id), 4, 'one transaction per facility');
SELECT is((SELECT string_agg(DISTINCT requested_by::text, ',') FROM tsetp.ledger WHERE id > :before_id), 'bulk_admin',
          'requested_by is the calling role, not the extension''s owner');
SELECT is((SELECT string_agg(DISTINCT note, ',') FROM tsetp.ledger WHERE id > :before_id AND source = 'B4'),
          'Excess reduction of period 3, verified years to FY2022', 'note as the single version''s');
SELECT is((SELECT count(*)::int FROM tsetp.transaction_status s WHERE s.id > :before_id AND s.status = 'completed'), 4, 'completed');
SELECT is((SELECT count(*)::int FROM tsetp.ledger_report r WHERE r.transaction_id > :before_id AND r.amount_in IS NOT NULL), 4,
          'visible in ledger_report');
SELECT is((SELECT sum(tonnes)::int FROM tsetp.holding WHERE kind = 'ER' AND account = tsetp.designated_account(pg_temp.f('B4'))), 4300,
          'B4 holds 3,700 + 600 t');
SELECT ok(NOT EXISTS (SELECT 1 FROM bulk_result b JOIN tsetp.facility f ON f.id = b.facility_id WHERE f.code IN ('B2', 'B3', 'B6', 'B8', 'T1')),
          'skipped: B2 (second year not verified), B3 (no excess), B6 (account suspended), B8 (no covered year verified), T1 (Tokyo)');

-- Nothing twice: a second call, and the single version, find nothing left.
SET LOCAL client_min_messages = error;
SELECT is((SELECT count(*)::int FROM tsetp.issue_excess_all('saitama', 3)), 0, 'a second call issues nothing');
SELECT throws_ok($$SELECT tsetp.issue_excess(pg_temp.f('B1'), 3)$$, 'TR409', NULL, 'the single version counts the set-wise issue as issued');
SELECT is((SELECT count(*)::int FROM tsetp.ledger WHERE id > :before_id), 4, 'no further rows');
RESET ROLE;
SELECT ok(NOT EXISTS (SELECT 1 FROM tsetp.holding a JOIN tsetp.holding b ON a.first_serial < b.first_serial
                                   AND tsetp.serials(a.block) && tsetp.serials(b.block)), 'every serial held once');

-- A reversed issue does not count as issued: correct B1's, issue again.
SELECT lives_ok(format($$SELECT tsetp.correct(%s, 'wrong vintage')$$,
                       (SELECT id FROM tsetp.ledger WHERE id > :before_id AND source = 'B1')), 'B1''s issue is reversed');
SELECT results_eq($$SELECT f.code, tsetp.tonnes(b.block) FROM tsetp.issue_excess_all('saitama', 3) b JOIN tsetp.facility f ON f.id = b.facility_id$$,
                  $$VALUES ('B1', 3900::bigint)$$, 'after the correction, B1''s excess is issued again, nothing else');
SET LOCAL client_min_messages = warning;

-- The programme's own excess reduction exists only as the engine computes
-- it, whoever issues it and however (tsetp.issue, a direct INSERT).
SET LOCAL ROLE bulk_admin;
SELECT throws_ok($$SELECT tsetp.issue(tsetp.designated_account(pg_temp.f('B1')), 'ER', 'FY2021', 'B1', '1')$$,
                 'TR412', '1 t of excess reduction exceed what facility B1 has left for period 3',
                 '4012 tsetp.issue: B1''s excess is issued in full');
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, to_account, kind, vintage, source, amount)
                   VALUES ('issue', tsetp.designated_account(pg_temp.f('B3')), 'ER', 'FY2021', 'B3', '1')$$,
                 'TR412', NULL, '4012 direct INSERT: B3 reduced less than its target');
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, to_account, kind, vintage, source, amount)
                   VALUES ('issue', tsetp.designated_account(pg_temp.f('B2')), 'ER', 'FY2021', 'B2', '1')$$,
                 'TR411', NULL, '4011 a vintage that is not a verified year of the facility');
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, to_account, kind, vintage, source, amount)
                   VALUES ('issue', tsetp.designated_account(pg_temp.f('B3')), 'ER', 'FY2021', 'B1', '1')$$,
                 'TR410', NULL, '4010 another facility''s designated account');
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, to_account, kind, vintage, source, amount)
                   VALUES ('issue', tsetp.designated_account(pg_temp.f('B1')), 'ER', 'FY2021', 'T1', '1')$$,
                 'TR406', NULL, '4006 a source that is not a facility of the programme');
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, to_account, kind, block)
                   VALUES ('issue', tsetp.designated_account(pg_temp.f('B1')), 'ER', 'SAI/ER/FY2021/B1/990000001-990000010')$$,
                 'TR412', NULL, '4012 a given block of the programme''s own origin is bounded too');
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, to_account, kind, block)
                   VALUES ('issue', tsetp.designated_account(pg_temp.f('B3')), 'ER', 'TKY/ER/FY2021/T1/990000001-990000010')$$,
                 'TR311', NULL, '3011 excess reduction of another origin cannot be minted here (linked credits have their own kind)');
-- FY2022 verified for B1: 3,000 t reduced, 800 t asked, 2,200 t more.
INSERT INTO tsetp.emission SELECT pg_temp.f('B1'), 'FY2022', '7000', 'Verifier KK';
SELECT throws_ok($$SELECT tsetp.issue(tsetp.designated_account(pg_temp.f('B1')), 'ER', 'FY2021', 'B1', '100')$$,
                 'TR411', NULL, '4011 the vintage is the latest verified year (FY2022), not an earlier one');
SELECT lives_ok($$SELECT tsetp.issue(tsetp.designated_account(pg_temp.f('B1')), 'ER', 'FY2022', 'B1', '2000')$$,
                'within the bound, tsetp.issue issues part of the new excess');
SELECT throws_ok($$SELECT tsetp.issue(tsetp.designated_account(pg_temp.f('B1')), 'ER', 'FY2022', 'B1', '201')$$,
                 'TR412', NULL, '4012 one tonne more than is left');
SELECT is(tsetp.amount(tsetp.issue_excess(pg_temp.f('B1'), 3))::numeric, 200::numeric, 'tsetp.issue_excess issues the rest');
RESET ROLE;

-- Verified emissions that excess reduction rests on stay as they are.
SELECT throws_ok($$UPDATE tsetp.emission SET amount = '6000' WHERE facility_id = pg_temp.f('B1') AND fy::text = 'FY2020'$$,
                 'TR413', 'verified emissions of B1 for FY2020 cannot change: excess reduction was issued on them',
                 '4013 a verified year under issued excess cannot change');
SELECT throws_ok($$DELETE FROM tsetp.emission WHERE facility_id = pg_temp.f('B1') AND fy::text = 'FY2022'$$,
                 'TR413', NULL, '4013 nor be deleted');
SELECT throws_ok($$TRUNCATE tsetp.emission CASCADE$$, 'TR413', NULL, '4013 nor truncated');
SELECT lives_ok($$UPDATE tsetp.emission SET amount = '9000' WHERE facility_id = pg_temp.f('B3') AND fy::text = 'FY2021'$$,
                'a facility without issued excess re-verifies freely');
-- Reversing FY2022's issues frees FY2022 (FY2021's issue rests on FY2020-FY2021 only).
SELECT lives_ok(format($$SELECT tsetp.correct(%s, 'FY2022 re-verified'); SELECT tsetp.correct(%s, 'FY2022 re-verified')$$,
                       VARIADIC (SELECT array_agg(id ORDER BY id)::text[] FROM tsetp.ledger
                                  WHERE type = 'issue' AND source = 'B1' AND vintage::text = 'FY2022')),
                'B1''s FY2022 issues are reversed');
SELECT lives_ok($$UPDATE tsetp.emission SET amount = '7100' WHERE facility_id = pg_temp.f('B1') AND fy::text = 'FY2022'$$,
                'then FY2022 is re-verified');
-- Nor is the base revised under issued excess: B4's was issued to FY2022.
SELECT throws_ok($$INSERT INTO tsetp.base_emission VALUES (pg_temp.f('B4'), 'FY2022', '6000', 'historical', 'floor_area')$$,
                 'TR414', 'base emissions of B4 cannot be revised from FY2022: excess reduction was issued on them',
                 '4014 a base revision from a year excess was issued for');
SELECT lives_ok($$INSERT INTO tsetp.base_emission VALUES (pg_temp.f('B4'), 'FY2023', '6000', 'historical', 'floor_area')$$,
                'a revision from the year after the last issue is recorded');

-- No way around the checks.
SET LOCAL ROLE bulk_operator;
SELECT throws_ok($$SELECT * FROM tsetp.issue_excess_all('saitama', 3)$$, '42501', NULL, 'an operator cannot issue set-wise');
SELECT throws_ok($$SELECT * FROM tsetp.issue_excess_all_apply('saitama', 3)$$, '42501', NULL, 'the internal function is the owner''s only');
RESET ROLE;
SET LOCAL ROLE bulk_admin;
SELECT throws_ok($$SELECT * FROM tsetp.issue_excess_all_apply('saitama', 3)$$, '42501', NULL, 'a tsetp_admin cannot call the internal function either');
-- A row dressed as the set-wise issuance's (blocks and programme filled in)
-- still goes through every check: here 3003, excess of the first year.
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, to_account, kind, vintage, source, amount, block, programme, blocks, needs_approval)
                   VALUES ('issue', tsetp.designated_account(pg_temp.f('B3')), 'ER', 'FY2020', 'B3', '10',
                           'SAI/ER/FY2020/B3/900001-900010', 'saitama', '{SAI/ER/FY2020/B3/900001-900010}', false)$$,
                 'TR303', NULL, 'a direct INSERT after a set-wise issuance is checked');
-- After a set-wise issuance that failed and was caught, the same.
DO $$
BEGIN
    PERFORM tsetp.issue_excess_all('saitama', 9);
EXCEPTION WHEN SQLSTATE 'TR406' THEN
    NULL;
END
$$;
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, to_account, kind, vintage, source, amount)
                   VALUES ('issue', tsetp.designated_account(pg_temp.f('B3')), 'ER', 'FY2020', 'B3', '10')$$,
                 'TR303', NULL, 'a direct INSERT after a failed set-wise issuance is checked');
SELECT throws_ok($$SELECT * FROM tsetp.issue_excess_all('saitama', 9)$$, 'TR406', NULL, '4006 no such period');
RESET ROLE;
SET LOCAL ROLE bulk_operator;
SELECT throws_ok($$INSERT INTO tsetp.ledger (type, to_account, kind, vintage, source, amount, block, programme, blocks, needs_approval)
                   VALUES ('issue', tsetp.designated_account(pg_temp.f('B1')), 'ER', 'FY2021', 'B1', '10',
                           'SAI/ER/FY2021/B1/900001-900010', 'saitama', '{SAI/ER/FY2021/B1/900001-900010}', false)$$,
                 '42501', NULL, 'an operator''s issue row is refused');
RESET ROLE;

-- A verified year that standing excess rests on cannot appear later either:
-- B8, covered from FY2022, verifies FY2023 first (FY2022 not yet).
INSERT INTO tsetp.emission SELECT pg_temp.f('B8'), 'FY2023', '7000', 'Verifier KK';
SELECT is(tsetp.vintage(tsetp.issue_excess(pg_temp.f('B8'), 3))::text, 'FY2023', 'B8''s excess of FY2023 is issued');
SELECT throws_ok($$INSERT INTO tsetp.emission SELECT pg_temp.f('B8'), 'FY2022', '9900', 'Verifier KK'$$,
                 'TR413', NULL, '4013 a year before the vintage is not verified under a standing issue');
SELECT lives_ok($$INSERT INTO tsetp.emission SELECT pg_temp.f('B8'), 'FY2022', '9900'$$,
                'an unverified amount counts for nothing and is recorded');

-- Nor do the other inputs of its evaluation: certifications of its years,
-- energy use up to its vintage (B1's standing issue: FY2021).
SELECT throws_ok($$INSERT INTO tsetp.certification VALUES (pg_temp.f('B1'), 'FY2020', 'sme')$$,
                 'TR417', NULL, '4017 no relief for a year standing excess rests on');
SELECT lives_ok($$INSERT INTO tsetp.certification VALUES (pg_temp.f('B1'), 'FY2022', 'sme')$$,
                'a certification of a later year is recorded');
SELECT throws_ok($$UPDATE tsetp.energy_use SET crude_oil_kl = 1000 WHERE facility_id = pg_temp.f('B1') AND fy::text = 'FY2019'$$,
                 'TR417', NULL, '4017 no change of energy use up to the vintage (it decides coverage)');
SELECT lives_ok($$INSERT INTO tsetp.energy_use VALUES (pg_temp.f('B1'), 'FY2025', 2000, true)$$,
                'energy use of a later year is recorded');

-- Credits carry the facility's code.
SELECT throws_ok($$UPDATE tsetp.facility SET code = 'B1X' WHERE code = 'B1'$$,
                 'TR416', NULL, '4016 a facility that credits were issued from keeps its code');
SELECT lives_ok($$UPDATE tsetp.facility SET code = 'B6X' WHERE code = 'B6'$$, 'one without credits may be recoded');
SELECT throws_ok($$UPDATE tsetp.facility SET category = '2' WHERE code = 'B1'$$,
                 'TR416', NULL, '4016 nor its category while excess computed with its rates stands');
SELECT lives_ok($$UPDATE tsetp.facility SET category = '2' WHERE code = 'B3'$$, 'one without standing excess may change category');

-- Which kind is excess reduction is configuration (credit_kind.excess_reduction),
-- fixed once the ledger uses the kind.
SELECT throws_ok($$UPDATE tsetp.credit_kind SET excess_reduction = true WHERE programme = 'saitama' AND code = 'SME'$$,
                 '23505', NULL, 'a programme has one kind of excess reduction');
SELECT throws_ok($$UPDATE tsetp.credit_kind SET excess_reduction = false WHERE programme = 'saitama' AND code = 'ER'$$,
                 'TR312', NULL, '3012 the kind of issued excess stays marked');
SELECT throws_ok($$UPDATE tsetp.credit_kind SET code = 'ER2' WHERE programme = 'saitama' AND code = 'ER'$$,
                 'TR312', NULL, '3012 and keeps its code');
SELECT throws_ok($$SELECT tsetp.excess_kind('jvets')$$, 'TR301', 'programme jvets has no credit kind for excess reduction',
                 '3001 a programme without a kind of excess reduction issues none');
-- The C fast path reads the marking: a JVETS kind marked (here behind the
-- check that refuses marking a kind in use) leaves it and is held to the
-- excess rules.
CREATE TEMP TABLE jv AS SELECT tsetp.open_account('jvets', 'JV One') AS a, tsetp.open_account('jvets', 'JV Two') AS b;
SELECT tsetp.issue(a, 'JPA', 'FY2024', 'ALLOC', '100') IS NOT NULL AS issued FROM jv;
ALTER TABLE tsetp.credit_kind DISABLE TRIGGER credit_kind_check;
UPDATE tsetp.credit_kind SET excess_reduction = true WHERE programme = 'jvets' AND code = 'JPA';
SELECT throws_ok($$SELECT tsetp.transfer(a, b, 'JPA', '1') FROM jv$$, 'TR303', NULL,
                 'a kind marked as excess reduction leaves the fast path and is held to the excess rules');
UPDATE tsetp.credit_kind SET excess_reduction = false WHERE programme = 'jvets' AND code = 'JPA';
ALTER TABLE tsetp.credit_kind ENABLE TRIGGER credit_kind_check;
SELECT lives_ok($$SELECT tsetp.transfer(a, b, 'JPA', '1') FROM jv$$, 'unmarked, it transfers at once');

SELECT * FROM finish();
ROLLBACK;
