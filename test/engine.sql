-- The compliance engine's refusals, each with its SQLSTATE, and its key
-- figures (seed 004) pinned.
BEGIN;
SET search_path = tsetp, public;
SELECT plan(27);

INSERT INTO facility (id, programme, code, name, operator, category) OVERRIDING SYSTEM VALUE
VALUES (9001, 'saitama', 'T9001', 'Test building', 'Test operator', '1-1'),
       (9002, 'tokyo', 'T9002', 'Tokyo building', 'Test operator', 'I-1');
INSERT INTO energy_use (facility_id, fy, crude_oil_kl)
SELECT f, y::fiscal_year, 1500 FROM generate_series(2007, 2024) y, (VALUES (9001), (9002)) v(f);
INSERT INTO base_emission VALUES (9001, 'FY2011', '10000', 'historical', NULL);
INSERT INTO base_emission VALUES (9002, 'FY2010', '10000', 'historical', NULL);

SELECT is(coverage_start(9001), 'FY2011'::fiscal_year, 'an existing facility is covered from the first period');
SELECT is(rate_at(9001, 'FY2022'), 0.22, 'category 1-1 in period 3: 22%');
SELECT is(rate_at(9001, 'FY2016'), 0.15, 'category 1-1 in period 2: 15%');
SELECT is(rate_at(9002, 'FY2022'), 0.27, 'Tokyo I-1 in period 3: 27%');
SELECT is(standard_base('saitama', 'commercial', 50000), '8000'::tco2, '50,000 m² of commercial floor: 8,000 t');

INSERT INTO emission (facility_id, fy, amount, verified_by)
SELECT 9001, y::fiscal_year, a::tco2, 'JQA'
  FROM (VALUES (2020, 8500), (2021, 8000), (2022, 7400), (2023, 7000), (2024, 8000)) v(y, a);
SELECT results_eq(
    $$SELECT target_total, reduction_total, excess, outcome FROM assess(9001, 3)$$,
    $$VALUES ('11000'::tco2, '11100'::tco2, '100'::tco2, 'achieved_own'::text)$$,
    'the worked example: target 11,000 t, reduction 11,100 t');

INSERT INTO certification VALUES (9001, 'FY2021', 'sme'), (9001, 'FY2022', 'medical'),
                                 (9001, 'FY2023', 'near_top'), (9001, 'FY2024', 'top'),
                                 (9001, 'FY2024', 'sme');
SELECT is(rate_at(9001, 'FY2021'), 0.165, 'SME relief: 22% becomes 16.5%');
SELECT is(rate_at(9001, 'FY2022'), 0.20, 'medical relief: 22% becomes 20%');
SELECT is(rate_at(9001, 'FY2023'), 0.165, 'near-top-level: three quarters');
SELECT is(rate_at(9001, 'FY2024'), 0.11, 'top-level and SME certified: the lowest rate, half, wins');

-- Revisions
SELECT throws_ok($$INSERT INTO base_emission VALUES (9001, 'FY2022', '10599.999', 'historical', 'floor_area')$$,
                 'TB001', NULL, 'a change just under 6% is refused');
SELECT throws_ok($$INSERT INTO base_emission VALUES (9001, 'FY2022', '9400.001', 'historical', 'floor_area')$$,
                 'TB001', NULL, 'a decrease just under 6% is refused');
SELECT throws_ok($$INSERT INTO base_emission VALUES (9001, 'FY2022', '13000', 'historical', 'weather')$$,
                 'TB002', NULL, 'weather is never a ground');
SELECT throws_ok($$INSERT INTO base_emission VALUES (9001, 'FY2022', '13000', 'historical', 'operating_hours')$$,
                 'TB002', NULL, 'operating hours are never a ground');
SELECT throws_ok($$INSERT INTO base_emission VALUES (9001, 'FY2022', '13000', 'historical', 'luck')$$,
                 'TB003', NULL, 'an unknown ground is refused');
SELECT throws_ok($$INSERT INTO base_emission VALUES (9001, 'FY2022', '13000', 'historical', NULL)$$,
                 'TB003', NULL, 'a revision without a reason is refused');
SELECT throws_ok($$INSERT INTO base_emission VALUES (9001, 'FY2011', '13000', 'historical', 'use')$$,
                 'TB004', NULL, 'a second base row for the same year is refused');
SELECT throws_ok($$INSERT INTO base_emission VALUES (9001, 'FY2010', '13000', 'historical', 'use')$$,
                 'TB004', NULL, 'a revision before the base in force is refused');
SELECT throws_ok($$UPDATE base_emission SET amount = '1' WHERE facility_id = 9001$$,
                 'TB005', NULL, 'base emissions are never updated');
SELECT throws_ok($$DELETE FROM base_emission WHERE facility_id = 9001$$,
                 'TB005', NULL, 'base emissions are never deleted');
SELECT lives_ok($$INSERT INTO base_emission VALUES (9001, 'FY2022', '9400', 'historical', 'equipment')$$,
                'a decrease of exactly 6% on an admissible ground is a revision');
SELECT is(base_at(9001, 'FY2022'), '9400'::tco2, 'the revision applies from its year');

-- Nonsense data
SELECT throws_ok($$INSERT INTO energy_use VALUES (9001, 'FY2030', -5, true)$$, '23514', NULL, 'negative energy use');
SELECT throws_ok($$INSERT INTO emission (facility_id, fy, amount) VALUES (9001, 'FY2020', '1')$$, '23505', NULL, 'emissions for a year twice');
SELECT throws_ok($$INSERT INTO facility (programme, code, name, operator, category) VALUES ('saitama', 'Q', 'Q', 'Q', 'II')$$,
                 '23503', NULL, 'a category the programme does not have');
SELECT throws_ok($$INSERT INTO certification VALUES (9001, 'FY2021', 'gold')$$, '23503', NULL, 'a certification kind that does not exist');

-- Tokyo: penalty 1.3 × shortfall
INSERT INTO emission (facility_id, fy, amount, verified_by)
SELECT 9002, y::fiscal_year, '9000', 'JQA' FROM generate_series(2020, 2024) y;
SELECT results_eq($$SELECT shortfall, outcome, penalty_obligation FROM assess(9002, 3)$$,
                  $$VALUES ('8500'::tco2, 'not_achieved'::text, '11050'::tco2)$$,
                  'Tokyo: a shortfall of 8,500 t orders 11,050 t');

SELECT * FROM finish();
ROLLBACK;
