-- pgTAP: fiscal_year and fiscal_period values, SQLSTATEs (22P02, 22003,
-- 22000, 22008, 22P03), the binary format, and catalogue markings.
BEGIN;
SET search_path = tsetp, public;
SELECT plan(66);

-- SPEC §1.1 examples.
SELECT is('平成27年度'::fiscal_year, 'FY2015'::fiscal_year, '平成27年度 = FY2015');
SELECT is('令和元年度'::fiscal_year, 'FY2019'::fiscal_year, '令和元年度 = FY2019');
SELECT is('令和2年度'::fiscal_year, 'FY2020'::fiscal_year, '令和2年度 = FY2020');
SELECT is('令和6年度'::fiscal_year, 'FY2024'::fiscal_year, '令和6年度 = FY2024');
SELECT is('H31'::fiscal_year, 'R1'::fiscal_year, 'H31 and R1 are the same fiscal year');
SELECT is('令和２年度'::fiscal_year::text, 'FY2020', 'full-width digits, canonical output');
SELECT is(wareki('FY2019'::fiscal_year), '令和元年度', 'wareki FY2019');
SELECT is(wareki('FY1989'::fiscal_year), '平成元年度', 'wareki FY1989');
SELECT is(wareki('FY1988'::fiscal_year), '昭和63年度', 'wareki FY1988');
SELECT is(wareki('FY2015'::fiscal_year), '平成27年度', 'wareki FY2015');
SELECT is(wareki('R2-R6'::fiscal_period), '令和2年度～令和6年度', 'wareki of a period');
SELECT is('令和2年度～令和6年度'::fiscal_period::text, 'FY2020-FY2024', 'period from era names');
SELECT is('FY2020'::fiscal_period, 'FY2020-FY2020'::fiscal_period, 'one year is a one-year period');

-- Text input errors: 22P02 malformed, 22003 out of range.
SELECT throws_ok($$SELECT ''::tsetp.fiscal_year$$, '22P02', NULL, 'empty fiscal_year');
SELECT throws_ok($$SELECT 'FY'::tsetp.fiscal_year$$, '22P02', NULL, 'FY without digits');
SELECT throws_ok($$SELECT '令和2年'::tsetp.fiscal_year$$, '22P02', NULL, 'era year without 年度');
SELECT throws_ok($$SELECT 'X2'::tsetp.fiscal_year$$, '22P02', NULL, 'unknown era letter');
SELECT throws_ok($$SELECT '2020.5'::tsetp.fiscal_year$$, '22P02', NULL, 'trailing text');
SELECT throws_ok($$SELECT '平成32年度'::tsetp.fiscal_year$$, '22003',
                 'value "平成32年度" is out of range for type fiscal_year', '平成32年度 is refused, not guessed');
SELECT throws_ok($$SELECT 'H32'::tsetp.fiscal_year$$, '22003', NULL, 'H32 is refused');
SELECT throws_ok($$SELECT '令和0年度'::tsetp.fiscal_year$$, '22003', NULL, '令和0年度 is refused');
SELECT throws_ok($$SELECT 'R0'::tsetp.fiscal_year$$, '22003', NULL, 'R0 is refused');
SELECT throws_ok($$SELECT 'H0'::tsetp.fiscal_year$$, '22003', NULL, 'H0 is refused');
SELECT throws_ok($$SELECT '大正16年度'::tsetp.fiscal_year$$, '22003', NULL, '大正16年度 is refused');
SELECT throws_ok($$SELECT '1867'::tsetp.fiscal_year$$, '22003', NULL, 'before FY1868');
SELECT throws_ok($$SELECT 'FY10000'::tsetp.fiscal_year$$, '22003', NULL, 'after FY9999');
SELECT throws_ok($$SELECT '2024-2020'::tsetp.fiscal_period$$, '22P02',
                 'invalid input syntax for type fiscal_period: "2024-2020"', 'reversed period text');
SELECT throws_ok($$SELECT 'FY2020-'::tsetp.fiscal_period$$, '22P02', NULL, 'period without an end');
SELECT throws_ok($$SELECT 'H27-H32'::tsetp.fiscal_period$$, '22003', NULL, 'period end out of range');

-- Value errors: 22003 arithmetic and casts, 22000 reversed constructor,
-- 22008 infinite dates.
SELECT throws_ok($$SELECT 'FY9999'::tsetp.fiscal_year + 1$$, '22003', 'fiscal_year out of range', 'FY9999 + 1');
SELECT throws_ok($$SELECT 'FY1868'::tsetp.fiscal_year - 1$$, '22003', NULL, 'FY1868 - 1');
SELECT throws_ok($$SELECT 1 + 'FY9999'::tsetp.fiscal_year$$, '22003', NULL, '1 + FY9999');
SELECT throws_ok($$SELECT 'FY2020'::tsetp.fiscal_year - (-2147483647 - 1)$$, '22003', NULL, 'minus INT_MIN');
SELECT throws_ok($$SELECT 10000::tsetp.fiscal_year$$, '22003', NULL, 'cast 10000');
SELECT throws_ok($$SELECT tsetp.fiscal_year('1868-03-31'::date)$$, '22003', NULL, 'date before FY1868');
SELECT throws_ok($$SELECT tsetp.fiscal_year('infinity'::date)$$, '22008', NULL, 'infinite date');
SELECT throws_ok($$SELECT tsetp.fiscal_period('FY2024', 'FY2020')$$, '22000',
                 'invalid value for type fiscal_period', 'reversed constructor');

-- Arithmetic and calendar.
SELECT is('FY2020'::fiscal_year + 4, 'FY2024'::fiscal_year, 'FY2020 + 4');
SELECT is('FY2024'::fiscal_year - 'FY2020'::fiscal_year, 4, 'FY2024 - FY2020');
SELECT is(fiscal_year('2021-03-31'::date), 'FY2020'::fiscal_year, '31 March belongs to the year before');
SELECT is(fiscal_year('2020-04-01'::date), 'FY2020'::fiscal_year, '1 April starts the year');
SELECT is(fy_start('R2'), '2020-04-01'::date, 'fy_start');
SELECT is(fy_end('R2'), '2021-03-31'::date, 'fy_end');
SELECT is(years('FY2011-FY2014'), 4, 'period 1 has four years');
SELECT is(years('FY2020-FY2024'), 5, 'period 3 has five years');
SELECT is(array_agg(y ORDER BY y)::text, '{FY2011,FY2012,FY2013,FY2014}', 'fiscal_years')
  FROM fiscal_years('FY2011-FY2014') y;
SELECT ok('FY2020-FY2024'::fiscal_period @> 'FY2022'::fiscal_year
          AND 'FY2022'::fiscal_year <@ 'FY2020-FY2024'::fiscal_period, 'year containment');
SELECT ok(NOT ('FY2015-FY2019'::fiscal_period && 'FY2020-FY2024'), 'adjacent periods do not overlap');
SELECT is(year_range('FY2020-FY2024'), int4range(2020, 2025), 'year_range');

-- Binary format: send is the int2 / packed int4; recv re-validates (22P03).
SELECT is(fiscal_year_send('FY2020'), '\x07e4'::bytea, 'fiscal_year send');
SELECT is(fiscal_period_send('FY2020-FY2024'), '\x07e407e8'::bytea, 'fiscal_period send');
CREATE TEMP TABLE fiscal_bin (fy fiscal_year, p fiscal_period);
-- PGCOPY header, one row of one field, trailer; printf writes the bytes.
SELECT lives_ok($$COPY fiscal_bin (fy) FROM PROGRAM $p$printf 'PGCOPY\n\377\r\n\000\000\000\000\000\000\000\000\000\000\001\000\000\000\002\007\344\377\377'$p$ WITH (FORMAT binary)$$,
                'binary fiscal_year 2020 is accepted');
SELECT is((SELECT fy FROM fiscal_bin), 'FY2020'::fiscal_year, 'binary fiscal_year read back');
SELECT throws_ok($$COPY fiscal_bin (fy) FROM PROGRAM $p$printf 'PGCOPY\n\377\r\n\000\000\000\000\000\000\000\000\000\000\001\000\000\000\002\000\000\377\377'$p$ WITH (FORMAT binary)$$,
                 '22P03', NULL, 'binary fiscal_year 0 is refused');
SELECT throws_ok($$COPY fiscal_bin (fy) FROM PROGRAM $p$printf 'PGCOPY\n\377\r\n\000\000\000\000\000\000\000\000\000\000\001\000\000\000\002\047\020\377\377'$p$ WITH (FORMAT binary)$$,
                 '22P03', NULL, 'binary fiscal_year 10000 is refused');
SELECT lives_ok($$COPY fiscal_bin (p) FROM PROGRAM $p$printf 'PGCOPY\n\377\r\n\000\000\000\000\000\000\000\000\000\000\001\000\000\000\004\007\344\007\350\377\377'$p$ WITH (FORMAT binary)$$,
                'binary fiscal_period 2020-2024 is accepted');
SELECT is((SELECT p FROM fiscal_bin WHERE p IS NOT NULL), 'FY2020-FY2024'::fiscal_period, 'binary fiscal_period read back');
SELECT throws_ok($$COPY fiscal_bin (p) FROM PROGRAM $p$printf 'PGCOPY\n\377\r\n\000\000\000\000\000\000\000\000\000\000\001\000\000\000\004\007\350\007\344\377\377'$p$ WITH (FORMAT binary)$$,
                 '22P03', NULL, 'binary reversed fiscal_period is refused');
SELECT throws_ok($$COPY fiscal_bin (p) FROM PROGRAM $p$printf 'PGCOPY\n\377\r\n\000\000\000\000\000\000\000\000\000\000\001\000\000\000\004\377\377\007\344\377\377'$p$ WITH (FORMAT binary)$$,
                 '22P03', NULL, 'binary negative fiscal_period is refused');

-- Catalogue: markings, operator classes, operator properties.
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'tsetp'::regnamespace
       AND (p.prorettype IN ('tsetp.fiscal_year'::regtype, 'tsetp.fiscal_period'::regtype)
            OR 'tsetp.fiscal_year'::regtype = ANY (p.proargtypes)
            OR 'tsetp.fiscal_period'::regtype = ANY (p.proargtypes))
       AND (p.proname LIKE 'fiscal%' OR p.proname IN ('fy_start', 'fy_end', 'wareki',
            'year', 'lower', 'upper', 'years', 'year_range', 'int4_pl_fiscal_year', 'min', 'max'))
       AND NOT (p.provolatile = 'i' AND p.proparallel = 's'
                AND (p.proisstrict OR p.prokind = 'a'))
$$, 'every fiscal function is IMMUTABLE STRICT PARALLEL SAFE');
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'tsetp'::regnamespace
       AND p.proname IN ('fiscal_year_in', 'fiscal_year_out', 'fiscal_year_recv',
                         'fiscal_period_in', 'fiscal_period_out', 'fiscal_period_recv')
       AND p.proconfig IS NOT NULL
$$, 'no SET clause on fiscal I/O functions');
SELECT is((SELECT count(*)::int FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
            WHERE c.opcdefault AND a.amname IN ('btree', 'hash')
              AND c.opcintype IN ('tsetp.fiscal_year'::regtype, 'tsetp.fiscal_period'::regtype)),
          4, 'default btree and hash operator classes for both types');
SELECT is((SELECT count(*)::int FROM pg_operator
            WHERE oprname = '=' AND oprcanhash AND oprcanmerge
              AND oprleft IN ('tsetp.fiscal_year'::regtype, 'tsetp.fiscal_period'::regtype)),
          2, '= HASHES and MERGES for both types');
SELECT is_empty($$
    SELECT oid::regoperator::text FROM pg_operator
     WHERE oprnamespace = 'tsetp'::regnamespace AND oprresult = 'bool'::regtype
       AND (oprleft IN ('tsetp.fiscal_year'::regtype, 'tsetp.fiscal_period'::regtype)
            OR oprright IN ('tsetp.fiscal_year'::regtype, 'tsetp.fiscal_period'::regtype))
       AND (oprcom = 0 OR oprrest = 0 OR oprjoin = 0)
$$, 'every fiscal comparison has a commutator and selectivity estimators');
SELECT is_empty($$
    SELECT typname FROM pg_type
     WHERE typnamespace = 'tsetp'::regnamespace
       AND typname IN ('fiscal_year', 'fiscal_period')
       AND obj_description(oid, 'pg_type') IS NULL
$$, 'both types have comments');
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'tsetp'::regnamespace
       AND (p.prorettype IN ('tsetp.fiscal_year'::regtype, 'tsetp.fiscal_period'::regtype)
            OR 'tsetp.fiscal_year'::regtype = ANY (p.proargtypes)
            OR 'tsetp.fiscal_period'::regtype = ANY (p.proargtypes))
       AND (p.proname LIKE 'fiscal%' OR p.proname IN ('fy_start', 'fy_end', 'wareki',
            'year', 'lower', 'upper', 'years', 'year_range', 'int4_pl_fiscal_year', 'min', 'max'))
       AND obj_description(p.oid, 'pg_proc') IS NULL
$$, 'every fiscal function has a comment');

SELECT * FROM finish();
ROLLBACK;
