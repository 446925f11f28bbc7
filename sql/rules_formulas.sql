-- The compliance formulas (SPEC §1.3-1.7) with the seed's figures and their
-- edges: caps, thresholds, banking, outcomes, rounding, overflow, NULLs.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tsetp;
RESET client_min_messages;
SET search_path = tsetp, public;
\set VERBOSITY default

-- §1.3 worked example (Saitama): base 10,000 t, 22%, five years.
CREATE TEMP TABLE seed (fy tsetp.fiscal_year, base tsetp.tco2, emissions tsetp.tco2);
INSERT INTO seed VALUES
    ('FY2020', '10000', '8500'), ('FY2021', '10000', '8000'),
    ('FY2022', '10000', '7400'), ('FY2023', '10000', '7000'),
    ('FY2024', '10000', '8000');
SELECT fy, base, emissions,
       year_target(base, 0.22) AS target,
       counted_reduction(base, emissions, NULL) AS reduction,
       counted_reduction(base, emissions, 0.5) AS counted
  FROM seed ORDER BY fy;
SELECT sum(year_target(base, 0.22)) AS target_total,
       sum(counted_reduction(base, emissions, NULL)) AS reduction_total,
       excess_reduction(sum(counted_reduction(base, emissions, 0.5)),
                        sum(year_target(base, 0.22))) AS excess,
       outcome(false, sum(counted_reduction(base, emissions, NULL)),
               sum(year_target(base, 0.22)), '0', '0') AS outcome
  FROM seed;

-- Targets at the relieved and category rates.
SELECT year_target('10000', 0.22) AS std, year_target('10000', 0.165) AS sme,
       year_target('10000', 0.15) AS sme_1_2, year_target('10000', 0.20) AS medical,
       year_target('10000', 0.11) AS top, year_target('10000', 0) AS zero;

-- Rounding half away from zero, on both signs, only where digits are finer.
SELECT year_target('0.001', 0.5) AS half_up, year_target('-0.001', 0.5) AS half_down,
       year_target('0.003', 0.5) AS "0.0015", year_target('-0.003', 0.5) AS "-0.0015",
       year_target('0.001', 0.499) AS below_half, year_target('-0.001', 0.499) AS above_neg_half,
       year_target('12345.678', 1) AS exact;

-- §1.4 cap: reduction counted only up to cap × base.
SELECT counted_reduction('10000', '4000', 0.5) AS cap_bites,
       counted_reduction('10000', '4000', NULL) AS no_cap,
       counted_reduction('10000', '5000', 0.5) AS at_cap,
       counted_reduction('10000', '5000.001', 0.5) AS under_cap,
       counted_reduction('10000', '12000', 0.5) AS negative_uncapped,
       counted_reduction('10000.001', '0', 0.5) AS cap_truncated,
       counted_reduction('10000', '0', 0) AS zero_cap;
SELECT counted_reduction(NULL, '4000', 0.5) IS NULL AS null_base,
       counted_reduction('10000', NULL, 0.5) IS NULL AS null_emissions,
       counted_reduction(NULL, NULL, NULL) IS NULL AS all_null;

-- Excess and issuance during the period.
SELECT excess_reduction('11100', '11000') AS excess,
       excess_reduction('10900', '11000') AS none,
       issuable_excess('300', '100') AS issuable,
       issuable_excess('300', '300') AS nothing_left,
       issuable_excess('200', '300') AS never_negative;

-- §1.6 revision at 6% of the current base, both directions.
SELECT p AS proposed, revision_required('10000', p, 0.06) AS revise
  FROM unnest(ARRAY['10600', '10599.999', '10600.001', '9400', '9400.001',
                    '9399.999', '10000']::tsetp.tco2[]) AS p;

-- §1.7 relief: SME ¾, medical −2 points, top ½, period 4 SME −4 points.
SELECT apply_relief(0.22, 'multiply', 0.75) AS sme_22,
       apply_relief(0.20, 'multiply', 0.75) AS sme_20,
       apply_relief(0.22, 'subtract', 0.02) AS medical,
       apply_relief(0.22, 'multiply', 0.5) AS top,
       apply_relief(0.50, 'subtract', 0.04) AS p4_sme,
       apply_relief(0.02, 'subtract', 0.04) AS floor_zero,
       apply_relief(0.27, 'multiply', 1) AS unchanged;
SELECT year_target('10000', apply_relief(0.22, 'multiply', 0.75)) AS sme_target;
SELECT apply_relief(0.22, 'divide', 0.75);
SELECT apply_relief(0.22, 'Multiply', 0.75);

-- §1.7 transitional ladder: years of coverage and rungs.
SELECT fy, coverage_year_number('FY2012', fy) AS n
  FROM unnest(ARRAY['FY2011', 'FY2012', 'FY2015', 'FY2016', 'FY2020',
                    'FY2021']::tsetp.fiscal_year[]) AS fy;
SELECT n, rung_applies(n, 1, 4) AS p1_rate, rung_applies(n, 5, 9) AS p2_rate,
       rung_applies(n, 10, NULL) AS own_period
  FROM unnest(ARRAY[1, 4, 5, 9, 10, 25]) AS n;
SELECT rung_applies(NULL, 1, 4) IS NULL AS null_n,
       rung_applies(3, NULL, 4) IS NULL AS null_first;

-- §1.5 banking: own period or the next, never earlier, never two later.
SELECT v AS vintage, t AS target, banking_eligible(v, t, 1) AS eligible
  FROM (VALUES (3, 3), (3, 4), (3, 5), (3, 2)) AS x(v, t);
SELECT banking_eligible(3, 3, 0) AS same_no_banking,
       banking_eligible(3, 4, 0) AS next_no_banking,
       banking_eligible(-2147483648, 2147483647, 2147483647) AS far_apart;

-- §1.3 outcome: every branch, each at its boundary.
SELECT outcome(true, '11100', '11000', '0', '0') AS pending,
       outcome(false, '11000', '11000', '0', '0') AS own,
       outcome(false, '10900', '11000', '100', '0') AS banking,
       outcome(false, '10900', '11000', '99.999', '0.001') AS trading,
       outcome(false, '10900', '11000', '50', '49.999') AS not_achieved;

-- Shortfall and Tokyo's penalty of shortfall × 1.3.
SELECT shortfall('8750', '0', '11000') AS shortfall,
       shortfall('8750', '1000', '11000') AS with_credits,
       shortfall('8750', '2250', '11000') AS closed,
       shortfall('11100', '0', '11000') AS never_negative;
SELECT penalty_obligation('2250', 1.3) AS tokyo,
       penalty_obligation('0.005', 1.3) AS "0.0065",
       penalty_obligation('-0.005', 1.3) AS "-0.0065",
       penalty_obligation('2250', NULL) IS NULL AS no_penalty;

-- Projection: FY2020-21 reported (8,500 + 8,000), then FY2022 too (7,900).
SELECT * FROM projection(2, 5, '16500', '50000', '11000');
SELECT * FROM projection(3, 5, '24400', '50000', '11000');
SELECT * FROM projection(0, 5, '0', '50000', '11000');
SELECT * FROM projection(5, 5, '40000', '50000', '11000');
SELECT * FROM projection(3, 5, '0.002', '0.001', '0.006');
SELECT * FROM projection(6, 5, '0', '50000', '11000');
SELECT * FROM projection(-1, 5, '0', '50000', '11000');
SELECT * FROM projection(0, 0, '0', '0', '0');

-- Invalid fractions: negative is 22023, unrepresentable is 22003.
SELECT year_target('10000', -0.22);
SELECT counted_reduction('10000', '4000', -0.5);
SELECT revision_required('10000', '10600', -0.06);
SELECT penalty_obligation('2250', -1.3);
SELECT apply_relief(0.22, 'subtract', -0.02);
SELECT year_target('10000', 'NaN');
SELECT year_target('10000', 'Infinity');
SELECT year_target('10000', 0.1234567890123456789);

-- Overflow of tco2 and of the exact rate.
SELECT year_target('9223372036854775.807', 1.001);
SELECT year_target('9223372036854775.807', 1) AS max_times_one;
SELECT penalty_obligation('9223372036854775.807', 1.3);
SELECT counted_reduction('9223372036854775.807', '-0.001', NULL);
SELECT counted_reduction('9223372036854775.807', '-0.001', 0.5) AS capped_back_in_range;
SELECT excess_reduction('9223372036854775.807', '-0.001');
SELECT shortfall('-9223372036854775.808', '0', '0.001');
SELECT * FROM projection(1, 2, '9223372036854775.807', '0', '0');
SELECT apply_relief(0.123456789, 'multiply', 0.1234567891);
SELECT apply_relief(9999999999, 'multiply', 9999999999);
SELECT apply_relief(0.000000001, 'multiply', 0.000000001) AS smallest_exact;

-- Strict functions give NULL for NULL arguments.
SELECT year_target(NULL, 0.22) IS NULL AS a, year_target('1', NULL) IS NULL AS b,
       apply_relief(0.22, NULL, 0.75) IS NULL AS c,
       outcome(NULL, '1', '1', '0', '0') IS NULL AS d,
       coverage_year_number(NULL, 'FY2020') IS NULL AS e,
       banking_eligible(1, NULL, 1) IS NULL AS f,
       (projection(NULL, 5, '0', '0', '0')).allowed_remaining IS NULL AS g;
