-- pgTAP: the compliance formulas' results, SQLSTATEs and catalogue markings.
BEGIN;
SET search_path = tsetp, public;
SELECT plan(45);

-- Targets (§1.3) and the worked example.
SELECT is(year_target('10000', 0.22), '2200'::tco2, 'year_target 10,000 t × 22% = 2,200 t');
SELECT is(year_target('10000', 0.165), '1650'::tco2, 'year_target 10,000 t × 16.5% = 1,650 t');
SELECT is((SELECT sum(year_target('10000', 0.22)) FROM generate_series(1, 5)),
          '11000'::tco2, 'five years at 22% of 10,000 t = 11,000 t');
SELECT is((SELECT sum(counted_reduction('10000', e::tco2, 0.5))
             FROM unnest(ARRAY['8500', '8000', '7400', '7000', '8000']) AS e),
          '11100'::tco2, 'reductions 1500+2000+2600+3000+2000 = 11,100 t');
SELECT is(year_target('0.001', 0.5), '0.001'::tco2, 'half a milli-tonne rounds up');
SELECT is(year_target('-0.001', 0.5), '-0.001'::tco2, 'minus half a milli-tonne rounds down');

-- Cap and excess (§1.4).
SELECT is(counted_reduction('10000', '4000', 0.5), '5000'::tco2, 'cap bites at half of base');
SELECT is(counted_reduction('10000', '4000', NULL), '6000'::tco2, 'NULL cap means no cap');
SELECT is(counted_reduction('10000', '12000', 0.5), '-2000'::tco2, 'negative reduction passes uncapped');
SELECT is(counted_reduction(NULL, '4000', 0.5), NULL, 'NULL base gives NULL');
SELECT is(excess_reduction('11100', '11000'), '100'::tco2, 'excess 100 t');
SELECT is(excess_reduction('10900', '11000'), '0'::tco2, 'no negative excess');
SELECT is(issuable_excess('300', '100'), '200'::tco2, 'issuable = cumulative − issued');

-- Revision (§1.6).
SELECT ok(revision_required('10000', '10600', 0.06), '+6% exactly revises');
SELECT ok(revision_required('10000', '9400', 0.06), '−6% exactly revises');
SELECT ok(NOT revision_required('10000', '10599.999', 0.06), 'just under +6% does not');
SELECT ok(NOT revision_required('10000', '9400.001', 0.06), 'just under −6% does not');

-- Relief (§1.7).
SELECT is(apply_relief(0.22, 'multiply', 0.75), 0.165, 'SME ¾ of 22% = 16.5%');
SELECT is(apply_relief(0.20, 'multiply', 0.75), 0.15, 'SME ¾ of 20% = 15%');
SELECT is(apply_relief(0.22, 'subtract', 0.02), 0.20, 'medical 22% − 2 points = 20%');
SELECT is(apply_relief(0.02, 'subtract', 0.04), 0::numeric, 'subtract never goes below 0');
SELECT throws_ok($$SELECT tsetp.apply_relief(0.22, 'divide', 0.75)$$, '22023', NULL,
                 'unknown relief operation is 22023');

-- Ladder, banking (§1.5, §1.7).
SELECT is(coverage_year_number('FY2012', 'FY2021'), 10, 'FY2021 is the 10th year from FY2012');
SELECT is(coverage_year_number('FY2012', 'FY2011'), NULL, 'NULL before coverage');
SELECT ok(rung_applies(10, 10, NULL), 'open-ended rung');
SELECT ok(NOT rung_applies(5, 1, 4), 'n past the rung');
SELECT is(ARRAY[banking_eligible(3, 3, 1), banking_eligible(3, 4, 1),
                banking_eligible(3, 5, 1), banking_eligible(3, 2, 1)],
          ARRAY[true, true, false, false], 'banking: same, next; not two later, not earlier');

-- Outcome and shortfall (§1.3, §1.8).
SELECT is(ARRAY[outcome(true, '11100', '11000', '0', '0'),
                outcome(false, '11000', '11000', '0', '0'),
                outcome(false, '10900', '11000', '100', '0'),
                outcome(false, '10900', '11000', '99.999', '0.001'),
                outcome(false, '10900', '11000', '50', '49.999')],
          ARRAY['pending', 'achieved_own', 'achieved_banking', 'achieved_trading',
                'not_achieved'], 'every outcome branch');
SELECT is(shortfall('8750', '0', '11000'), '2250'::tco2, 'shortfall 2,250 t');
SELECT is(shortfall('11100', '0', '11000'), '0'::tco2, 'no negative shortfall');
SELECT is(penalty_obligation('2250', 1.3), '2925'::tco2, 'Tokyo: shortfall × 1.3');
SELECT is(penalty_obligation('2250', NULL), NULL, 'no factor, no penalty');

-- Projection (seed figures).
SELECT results_eq($$SELECT projected_emissions, projected_reduction, projected_balance
                      FROM tsetp.projection(2, 5, '16500', '50000', '11000')$$,
                  $$VALUES ('41250'::tsetp.tco2, '8750'::tsetp.tco2, '-2250'::tsetp.tco2)$$,
                  'projection after FY2020-21: 41,250 / 8,750 / −2,250');
SELECT results_eq($$SELECT allowed_remaining, allowed_remaining_per_year
                      FROM tsetp.projection(3, 5, '24400', '50000', '11000')$$,
                  $$VALUES ('14600'::tsetp.tco2, '7300'::tsetp.tco2)$$,
                  'after FY2022: 14,600 t allowed, 7,300 t a year');
SELECT ok((SELECT projected_emissions IS NULL AND allowed_remaining = '39000'
             FROM tsetp.projection(0, 5, '0', '50000', '11000')),
          'nothing reported: no projected emissions');
SELECT throws_ok($$SELECT * FROM tsetp.projection(6, 5, '0', '0', '0')$$, '22023', NULL,
                 'more years reported than the period has is 22023');

-- SQLSTATEs of bad fractions and overflow.
SELECT throws_ok($$SELECT tsetp.year_target('10000', -0.22)$$, '22023', NULL,
                 'negative rate is 22023');
SELECT throws_ok($$SELECT tsetp.year_target('10000', 'NaN')$$, '22003', NULL,
                 'NaN rate is 22003');
SELECT throws_ok($$SELECT tsetp.year_target('9223372036854775.807', 1.001)$$, '22003',
                 'tco2 out of range', 'target overflow is 22003');
SELECT throws_ok($$SELECT tsetp.excess_reduction('9223372036854775.807', '-0.001')$$,
                 '22003', 'tco2 out of range', 'excess overflow is 22003');
SELECT throws_ok($$SELECT tsetp.apply_relief(9999999999, 'multiply', 9999999999)$$,
                 '22003', 'rate out of range', 'relieved rate overflow is 22003');
SELECT throws_ok($$SELECT tsetp.penalty_obligation('9223372036854775.807', 1.3)$$,
                 '22003', 'tco2 out of range', 'penalty overflow is 22003');

-- Markings: all twelve C entry points, as thirteen SQL functions.
SELECT is((SELECT count(*)::int FROM pg_proc
            WHERE prosrc LIKE 'tsetp\_rules\_%'
              AND prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')),
          13, 'thirteen rules functions');
SELECT is_empty($$
    SELECT p.oid::regprocedure::text
      FROM pg_proc p
      JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                      AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'tsetp'
     WHERE p.prosrc LIKE 'tsetp\_rules\_%'
       AND (p.provolatile <> 'i' OR p.proparallel <> 's' OR p.proconfig IS NOT NULL
            OR obj_description(p.oid, 'pg_proc') IS NULL)$$,
    'every rules function is IMMUTABLE, PARALLEL SAFE, without SET, commented');
SELECT is(ARRAY(SELECT proname::text FROM pg_proc
                 WHERE prosrc LIKE 'tsetp\_rules\_%' AND NOT proisstrict
                 ORDER BY proname),
          ARRAY['counted_reduction', 'rung_applies'],
          'only counted_reduction and rung_applies are called on NULL input');

SELECT * FROM finish();
ROLLBACK;
