--
-- tco2 arithmetic (SPEC §2.1): + - * / and unary minus, all overflow-checked;
-- a product or quotient between two thousandths of a tonne rounds half away
-- from zero.  Casts and functions.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tsetp;
RESET client_min_messages;
\set VERBOSITY default
SET search_path = tsetp, public;

-- Addition, subtraction, negation, comparison.
SELECT '8523.4'::tco2 + '0.6'::tco2 AS sum, '1'::tco2 - '1.001'::tco2 AS diff,
       -'12.5'::tco2 AS neg, -'-0.001'::tco2 AS neg_neg, abs('-3.25'::tco2) AS abs;
SELECT '1'::tco2 < '1.001' AS lt, '1'::tco2 <= '1' AS le, '2'::tco2 > '-2' AS gt,
       '2'::tco2 >= '2.001' AS ge, '1000 kg'::tco2 = '1' AS eq,
       '1'::tco2 <> '1 kt' AS ne;

-- Targets: base × rate is exact (SPEC §1.3, §1.7).
SELECT '10000'::tco2 * 0.22 AS "10000 × 0.22", '10000'::tco2 * 0.165 AS "10000 × 0.165",
       '2200'::tco2 * 0.75 AS "2200 × 0.75", 0.22 * '10000'::tco2 AS commuted,
       '10000'::tco2 * 0.2200 AS trailing_zeros, '8000'::tco2 * 0.5 AS half;
SELECT sum(b * 0.22) AS period_target
FROM (VALUES ('10000'::tco2), ('10000'), ('10000'), ('10000'), ('10000')) v(b);

-- Integers.
SELECT '1.5'::tco2 * 3 AS int4, 3 * '1.5'::tco2 AS int4_commuted,
       '1.5'::tco2 * 3::bigint AS int8, 3::bigint * '1.5'::tco2 AS int8_commuted,
       '-0.001'::tco2 * -7 AS negative;

-- Rounding half away from zero, both signs.
SELECT '0.001'::tco2 * 0.5 AS "0.0005", '-0.001'::tco2 * 0.5 AS "-0.0005",
       '0.001'::tco2 * 0.4999 AS "0.0004999", '-0.001'::tco2 * 0.4999 AS "-0.0004999",
       '1'::tco2 * 0.0015 AS "0.0015", '-1'::tco2 * 0.0015 AS "-0.0015",
       '1'::tco2 * 0.00049999 AS "0.00049999";
SELECT '0.001'::tco2 / 2 AS "0.0005", '-0.001'::tco2 / 2 AS "-0.0005",
       '0.001'::tco2 / -2 AS "0.001 / -2", '0.002'::tco2 / 3 AS "0.000667",
       '-0.002'::tco2 / 3::bigint AS "-0.000667", '0.001'::tco2 / 3 AS "0.000333";
SELECT '100'::tco2 / 3 AS third, '100'::tco2 / 3.0 AS numeric_third,
       '100'::tco2 / 0.3 AS by_rate, '-100'::tco2 / 8 AS eighth,
       '1'::tco2 / 0.0016 AS "625", '0.001'::tco2 / -0.002 AS "-0.0005";

-- Numeric operands with more digits than 18 decimals or int64 still work,
-- exactly: computed in numeric, rounded half away from zero.
SELECT '1'::tco2 * 0.000500000000000000000001 AS just_above_half,
       '1'::tco2 * 0.000499999999999999999999 AS just_below_half,
       '-1'::tco2 * 0.000500000000000000000000001 AS negative,
       '0'::tco2 * 100000000000000000000 AS big_factor,
       '-0.001'::tco2 * -1000000000000000000.5 AS big_factor_half;
SELECT '1'::tco2 / 3.000000000000000000000000001 AS third,
       '1'::tco2 / 2000.0000000000000000000000001 AS just_below_half,
       '1'::tco2 / 1999.9999999999999999999999999 AS just_above_half,
       '-1'::tco2 / 100000000000000000000000 AS tiny,
       '-1'::tco2 / 1999.9999999999999999999999999 AS negative_above_half,
       '1'::tco2 / -1999.9999999999999999999999999 AS negative_divisor,
       '5'::tco2 / 'Infinity'::numeric AS by_infinity;

-- tco2 / tco2 is the exact ratio as numeric.
SELECT '8000'::tco2 / '10000'::tco2 AS ratio, '10'::tco2 / '3'::tco2 AS third,
       '-1'::tco2 / '0.001'::tco2 AS thousand;

-- Overflow at the extremes: 22003.
SELECT '9223372036854775.807'::tco2 + '0.001'::tco2;
SELECT '-9223372036854775.808'::tco2 - '0.001'::tco2;
SELECT -'-9223372036854775.808'::tco2;
SELECT abs('-9223372036854775.808'::tco2);
SELECT '9223372036854775.807'::tco2 * 2;
SELECT '-9223372036854775.808'::tco2 * -1::bigint;
SELECT '4611686018427388'::tco2 * 2.0;
SELECT '9223372036854775.807'::tco2 * 1.0000000000000000001;
SELECT '1'::tco2 * 1e100;
SELECT '-9223372036854775.808'::tco2 / -1;
SELECT '9223372036854775.807'::tco2 / 0.5;
SELECT '1'::tco2 / 0.00000000000000000000000001;
SELECT '1'::tco2 * 'Infinity'::numeric;
-- the extremes themselves are fine
SELECT '9223372036854775.806'::tco2 + '0.001'::tco2 AS max,
       '-9223372036854775.807'::tco2 - '0.001'::tco2 AS min,
       '-9223372036854775.808'::tco2 / 2 AS half_min,
       '9223372036854775.807'::tco2 * 1.0 AS max_times_one,
       '-9223372036854775.808'::tco2 * 0.5 AS min_times_half;

-- Division by zero: 22012.
SELECT '1'::tco2 / 0;
SELECT '1'::tco2 / 0::bigint;
SELECT '1'::tco2 / 0.000;
SELECT '1'::tco2 / '0'::tco2;

-- NaN is not an amount: 22P02.
SELECT '1'::tco2 * 'NaN'::numeric;
SELECT '1'::tco2 / 'NaN'::numeric;

-- Casts and functions: numeric and integers in tonnes.
SELECT '8523.4'::tco2::numeric AS "8523.4", '12'::tco2::numeric AS "12",
       '0.001'::tco2::numeric AS "0.001", tonnes('-0.5'::tco2) AS "-0.5",
       tonnes('9223372036854775.807'::tco2) AS max;
SELECT 8523.4::tco2 AS from_numeric, 1.000000::tco2 AS trailing_zeros,
       12::tco2 AS from_int4, 12::bigint::tco2 AS from_int8,
       (-2147483648)::tco2 AS min_int4, 9223372036854775::bigint::tco2 AS max_int8;
SELECT kg('12.5'::tco2) AS kg, kg('-0.001'::tco2) AS kg_negative,
       kg('-9223372036854775.808'::tco2) AS kg_min;
SELECT 1.0005::tco2;
SELECT (-0.0000001)::tco2;
SELECT 'NaN'::numeric::tco2;
SELECT 'Infinity'::numeric::tco2;
SELECT '-Infinity'::numeric::tco2;
SELECT 9223372036854775.808::tco2;
SELECT 9223372036854776::bigint::tco2;
-- assignment casts apply on INSERT; implicit ones do not exist
CREATE TEMP TABLE tco2_cast (amount tco2, tonnes numeric);
INSERT INTO tco2_cast VALUES (1234.5, '1.5'::tco2), (7, '-0.001'::tco2);
SELECT * FROM tco2_cast;
INSERT INTO tco2_cast VALUES (0.0001, 0);
SELECT '1'::tco2 + 1;
