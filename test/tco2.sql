-- pgTAP: tco2 SQLSTATEs (22P02, 22003, 22012), values, and catalogue markings.
BEGIN;
SELECT plan(46);
SET search_path = tsetp, public;

-- Text input errors: 22P02 (syntax and precision) and 22003 (range).
SELECT throws_ok($$SELECT ''::tsetp.tco2$$, '22P02', NULL, 'empty input is 22P02');
SELECT throws_ok($$SELECT 'abc'::tsetp.tco2$$, '22P02', NULL, 'letters are 22P02');
SELECT throws_ok($$SELECT '1,23'::tsetp.tco2$$, '22P02', NULL, 'bad thousands groups are 22P02');
SELECT throws_ok($$SELECT '12 xyz'::tsetp.tco2$$, '22P02', NULL, 'an unknown unit is 22P02');
SELECT throws_ok($$SELECT '1.0005'::tsetp.tco2$$, '22P02',
    'invalid input syntax for type tco2: "1.0005"', 'a digit finer than 0.001 t is 22P02');
SELECT throws_ok($$SELECT '0.5 kg'::tsetp.tco2$$, '22P02', NULL, 'a fraction of a kilogram is 22P02');
SELECT throws_ok($$SELECT '9223372036854775.808'::tsetp.tco2$$, '22003',
    'value "9223372036854775.808" is out of range for type tco2', 'one past the maximum is 22003');
SELECT throws_ok($$SELECT '-9223372036854775.809'::tsetp.tco2$$, '22003', NULL, 'one past the minimum is 22003');

-- Casts.
SELECT throws_ok($$SELECT 1.0005::tsetp.tco2$$, '22P02', NULL, 'numeric finer than 0.001 t is 22P02, never rounded');
SELECT throws_ok($$SELECT 'NaN'::numeric::tsetp.tco2$$, '22P02', NULL, 'NaN is 22P02');
SELECT throws_ok($$SELECT 'Infinity'::numeric::tsetp.tco2$$, '22003', NULL, 'Infinity is 22003');
SELECT throws_ok($$SELECT 1e16::tsetp.tco2$$, '22003', NULL, 'a numeric beyond the range is 22003');
SELECT throws_ok($$SELECT 9223372036854776::bigint::tsetp.tco2$$, '22003', NULL, 'a bigint beyond the range is 22003');

-- Arithmetic overflow: 22003 "tco2 out of range".
SELECT throws_ok($$SELECT '9223372036854775.807'::tsetp.tco2 + '0.001'$$, '22003', 'tco2 out of range', '+ overflows with 22003');
SELECT throws_ok($$SELECT '-9223372036854775.808'::tsetp.tco2 - '0.001'$$, '22003', 'tco2 out of range', '- overflows with 22003');
SELECT throws_ok($$SELECT -'-9223372036854775.808'::tsetp.tco2$$, '22003', 'tco2 out of range', 'unary - overflows with 22003');
SELECT throws_ok($$SELECT '9223372036854775.807'::tsetp.tco2 * 2$$, '22003', 'tco2 out of range', '* int4 overflows with 22003');
SELECT throws_ok($$SELECT '9223372036854775.807'::tsetp.tco2 * 2::bigint$$, '22003', 'tco2 out of range', '* int8 overflows with 22003');
SELECT throws_ok($$SELECT '9223372036854775.807'::tsetp.tco2 * 1.5$$, '22003', 'tco2 out of range', '* numeric overflows with 22003');
SELECT throws_ok($$SELECT '1'::tsetp.tco2 * 1e100$$, '22003', 'tco2 out of range', '* a huge numeric overflows with 22003');
SELECT throws_ok($$SELECT '-9223372036854775.808'::tsetp.tco2 / -1$$, '22003', 'tco2 out of range', '/ -1 of the minimum overflows with 22003');
SELECT throws_ok($$SELECT '9223372036854775.807'::tsetp.tco2 / 0.1$$, '22003', 'tco2 out of range', '/ numeric overflows with 22003');
SELECT throws_ok($$SELECT tsetp.sum(x) FROM (VALUES ('9223372036854775.807'::tsetp.tco2), ('1')) v(x)$$,
    '22003', 'tco2 out of range', 'sum overflows with 22003');

-- Division by zero: 22012.
SELECT throws_ok($$SELECT '1'::tsetp.tco2 / 0$$, '22012', 'division by zero', '/ int4 zero is 22012');
SELECT throws_ok($$SELECT '1'::tsetp.tco2 / 0::bigint$$, '22012', 'division by zero', '/ int8 zero is 22012');
SELECT throws_ok($$SELECT '1'::tsetp.tco2 / 0.0$$, '22012', 'division by zero', '/ numeric zero is 22012');
SELECT throws_ok($$SELECT '1'::tsetp.tco2 / '0'::tsetp.tco2$$, '22012', 'division by zero', '/ tco2 zero is 22012');

-- Values.
SELECT is('10000'::tco2 * 0.22, '2200'::tco2, '10,000 t × 22% = 2,200 t');
SELECT is('10000'::tco2 * 0.165, '1650'::tco2, '10,000 t × 16.5% = 1,650 t');
SELECT is('2200'::tco2 * 0.75, '1650'::tco2, '2,200 t × ¾ = 1,650 t');
SELECT is('0.001'::tco2 * 0.5, '0.001'::tco2, '0.0005 t rounds up to 0.001 t');
SELECT is('-0.001'::tco2 * 0.5, '-0.001'::tco2, '-0.0005 t rounds to -0.001 t');
SELECT is('1,234.5 t-CO₂'::tco2::text, '1234.5', 'thousands separators and unit in, canonical out');
SELECT is('500 kg'::tco2, '0.5'::tco2, '500 kg = 0.5 t');
SELECT is('3 Mt'::tco2, '3000000'::tco2, '3 Mt = 3,000,000 t');
SELECT is(kg('1.5'), 1500::bigint, 'kg() is the raw count');
SELECT is(tonnes('8523.4'::tco2), 8523.4, 'tonnes() is exact numeric');
SELECT is('8523.4'::tco2::numeric::text, '8523.4', 'the numeric cast keeps the shortest scale');
SELECT is(avg(x), '0.667'::tco2, 'avg rounds to the nearest 0.001 t')
FROM (VALUES ('1'::tco2), ('1'), ('0')) v(x);
SELECT is(ARRAY[(SELECT avg(x) FROM (VALUES ('0.001'::tco2), ('0')) v(x)),
                (SELECT avg(x) FROM (VALUES ('-0.001'::tco2), ('0')) v(x))],
          ARRAY['0.001'::tco2, '-0.001'],
          'avg rounds a tie (0.0005 t) half away from zero, both signs');
SELECT is(tco2_send('1.5'), '\x00000000000005dc'::bytea, 'binary form is a big-endian int64 of kilograms');

-- Catalogue: value functions IMMUTABLE STRICT PARALLEL SAFE, no SET clauses.
SELECT is_empty($$
    SELECT p.oid::regprocedure::text
    FROM pg_proc p
    WHERE (p.proargtypes::oid[] @> ARRAY['tsetp.tco2'::regtype::oid]
           OR p.prorettype = 'tsetp.tco2'::regtype)
      AND p.prokind = 'f'
      AND (p.proname LIKE '%tco2%' OR p.proname IN ('tonnes', 'kg', 'abs'))
      AND (p.provolatile <> 'i' OR p.proparallel <> 's' OR p.proconfig IS NOT NULL
           OR (NOT p.proisstrict AND 'internal'::regtype <> ALL (p.proargtypes::oid[])))
$$, 'every tco2 function is IMMUTABLE, PARALLEL SAFE, STRICT (unless an aggregate support), without SET');
SELECT is_empty($$
    SELECT a.aggfnoid::regprocedure::text
    FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
    WHERE p.proargtypes::oid[] = ARRAY['tsetp.tco2'::regtype::oid]
      AND (a.aggcombinefn = 0 OR p.proparallel <> 's')
$$, 'every tco2 aggregate has a combine function and is PARALLEL SAFE');
SELECT ok((SELECT oprcanhash AND oprcanmerge FROM pg_operator
           WHERE oprname = '=' AND oprleft = 'tsetp.tco2'::regtype
             AND oprright = 'tsetp.tco2'::regtype), '= HASHES and MERGES');
SELECT is((SELECT count(*)::int FROM pg_opclass
           WHERE opcintype = 'tsetp.tco2'::regtype AND opcdefault), 2,
          'default btree and hash operator classes');
SELECT is((SELECT typbyval FROM pg_type WHERE oid = 'tsetp.tco2'::regtype), true,
          'tco2 is passed by value');

SELECT * FROM finish();
ROLLBACK;
