-- pgTAP: the credit type's values, SQLSTATEs and catalogue markings.
BEGIN;
SET search_path = tsetp, public;
SELECT plan(51);

-- Text in and out.
SELECT is('SAI/ER/令和2年度/F000123/1000001-1001000'::credit::text,
          'SAI/ER/FY2020/F000123/1000001-1001000', 'wareki vintage reads, output is canonical');
SELECT is(' TKY/TKY/R1/T-1/0007-0009 '::credit::text, 'TKY/TKY/FY2019/T-1/7-9',
          'white space, R1 and leading zeros');
SELECT is('JV/jCER/H27/p.1_a/1-1'::credit::text, 'JV/jCER/FY2015/p.1_a/1-1', 'kind keeps its case');

-- Malformed text: 22P02.
SELECT throws_ok($$SELECT ''::tsetp.credit$$, '22P02', NULL, 'empty text');
SELECT throws_ok($$SELECT 'SAI/ER/FY2020/F1'::tsetp.credit$$, '22P02', NULL, 'missing field');
SELECT throws_ok($$SELECT 'SAI/ER/FY2020/F1/1-2/3'::tsetp.credit$$, '22P02', NULL, 'extra field');
SELECT throws_ok($$SELECT 'sai/ER/FY2020/F1/1-2'::tsetp.credit$$, '22P02', NULL, 'lower-case origin');
SELECT throws_ok($$SELECT 'SAI/E.R/FY2020/F1/1-2'::tsetp.credit$$, '22P02', NULL, 'bad kind character');
SELECT throws_ok($$SELECT 'SAI/ER/FYx/F1/1-2'::tsetp.credit$$, '22P02', NULL, 'bad vintage');
SELECT throws_ok($$SELECT 'SAI/ER/FY2020/F 1/1-2'::tsetp.credit$$, '22P02', NULL, 'space in source');
SELECT throws_ok($$SELECT ('SAI/ER/FY2020/' || repeat('s', 33) || '/1-2')::tsetp.credit$$,
                 '22P02', NULL, 'source longer than 32');
SELECT throws_ok($$SELECT 'SAI/ER/FY2020/F1/12'::tsetp.credit$$, '22P02', NULL, 'no dash in serials');
SELECT throws_ok($$SELECT 'SAI/ER/FY2020/F1/1-x'::tsetp.credit$$, '22P02', NULL, 'non-digit serial');
SELECT throws_ok($$SELECT 'SAI/ER/FY2020/F1/10-9'::tsetp.credit$$, '22P02',
                 'invalid input syntax for type credit: "SAI/ER/FY2020/F1/10-9"', 'reversed serials');

-- Out of range: 22003.
SELECT throws_ok($$SELECT 'SAI/ER/FY2020/F1/0-9'::tsetp.credit$$, '22003', NULL, 'serial 0');
SELECT throws_ok($$SELECT 'SAI/ER/FY2020/F1/1-1000000000000000'::tsetp.credit$$, '22003', NULL,
                 'serial above 999999999999999');
SELECT throws_ok($$SELECT 'SAI/ER/FY2020/F1/1-99999999999999999999999'::tsetp.credit$$, '22003', NULL,
                 'serial beyond int64');
SELECT throws_ok($$SELECT 'SAI/ER/FY1000/F1/1-2'::tsetp.credit$$, '22003', NULL, 'vintage out of range');
SELECT lives_ok($$SELECT 'SAI/ER/FY2020/F1/999999999999999-999999999999999'::tsetp.credit$$,
                'largest serial');

-- Constructor.
SELECT is(credit('SAI', 'ER', 'FY2020', 'F000123', 1000001, 1001000),
          'SAI/ER/FY2020/F000123/1000001-1001000'::credit, 'constructor');
SELECT throws_ok($$SELECT tsetp.credit('SAI', 'ER', 'FY2020', 'F1', 0, 5)$$, '22003', NULL,
                 'constructor: serial 0');
SELECT throws_ok($$SELECT tsetp.credit('SAI', 'ER', 'FY2020', 'F1', 6, 5)$$, '22P02', NULL,
                 'constructor: reversed');
SELECT throws_ok($$SELECT tsetp.credit('S/I', 'ER', 'FY2020', 'F1', 1, 5)$$, '22P02', NULL,
                 'constructor: bad origin');

-- Accessors and amount.
SELECT is(tonnes('SAI/ER/FY2020/F1/1000001-1001000'::credit), 1000::bigint, 'tonnes');
SELECT is(amount('SAI/ER/FY2020/F1/1000001-1001000'::credit), '1000'::tco2, 'amount in tco2');
SELECT is(vintage('SAI/ER/R2/F1/1-2'::credit), 'FY2020'::fiscal_year, 'vintage is a fiscal_year');
SELECT is(serials('SAI/ER/R2/F1/5-9'::credit), int8range(5, 10), 'serials is [first, last + 1)');

-- Split and merge.
SELECT is(merge(split_head(c, 400), split_tail(c, 400)), c, 'merge(head, tail) = block')
FROM (SELECT 'SAI/ER/R2/F1/1000001-1001000'::credit AS c) s;
SELECT is(merge(split_tail(c, 400), split_head(c, 400)), c, 'merge(tail, head) = block')
FROM (SELECT 'SAI/ER/R2/F1/1000001-1001000'::credit AS c) s;
SELECT throws_ok($$SELECT tsetp.split_head('SAI/ER/R2/F1/1-10', 10)$$, '22003', NULL, 'split of all tonnes');
SELECT throws_ok($$SELECT tsetp.split_tail('SAI/ER/R2/F1/1-10', 0)$$, '22003', NULL, 'split of none');
SELECT throws_ok($$SELECT tsetp.split_head('SAI/ER/R2/F1/3-3', 1)$$, '22003', NULL, 'split of one tonne');
SELECT throws_ok($$SELECT tsetp.merge('SAI/ER/R2/F1/1-10', 'SAI/ER/R2/F1/12-20')$$, '22000',
                 'cannot merge credit blocks', 'merge across a gap');
SELECT throws_ok($$SELECT tsetp.merge('SAI/ER/R2/F1/1-10', 'SAI/ER/R2/F1/10-20')$$, '22000',
                 'cannot merge credit blocks', 'merge of overlapping blocks');
SELECT throws_ok($$SELECT tsetp.merge('SAI/ER/R2/F1/1-10', 'SAI/ER/R3/F1/11-20')$$, '22000',
                 'cannot merge credit blocks', 'merge of different lines');

-- Exclusion constraint: no serial in two blocks.
CREATE TABLE pg_temp.holding (block tsetp.credit, EXCLUDE USING gist (block WITH &&));
INSERT INTO pg_temp.holding VALUES ('SAI/ER/R2/F1/100-200');
SELECT throws_ok($$INSERT INTO pg_temp.holding VALUES ('TKY/TKY/R3/T1/200-300')$$, '23P01', NULL,
                 'a block sharing one serial is refused');
SELECT lives_ok($$INSERT INTO pg_temp.holding VALUES ('TKY/TKY/R3/T1/201-300')$$,
                'an adjacent block is accepted');

-- Operators.
SELECT ok('SAI/ER/R2/F1/1-10'::credit && 'TKY/TKY/R2/T/10-20'::credit, '&& on one shared serial');
SELECT ok(NOT ('SAI/ER/R2/F1/1-10'::credit && 'SAI/ER/R2/F1/11-20'::credit), '&& false when adjacent');
SELECT ok('SAI/ER/R2/F1/1-10'::credit -|- 'SAI/ER/R2/F1/11-20'::credit, '-|- when adjacent');
SELECT ok('SAI/ER/R2/F1/1-10'::credit @> 10::bigint, '@> holds the last serial');
SELECT ok('SAI/ER/R2/F1/1-10'::credit < 'SAI/ER/R2/F1/2-3'::credit, 'ordered by first serial');

-- Catalogue: markings and operator properties. The value functions of the
-- type are the C and internal ones; registry functions (issue, transfer)
-- take credits too but read and write tables.
SELECT is((SELECT count(*)::int FROM pg_proc p
           WHERE p.pronamespace = 'tsetp'::regnamespace
             AND p.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('c', 'internal'))
             AND (p.proargtypes::oid[] && ARRAY['tsetp.credit'::regtype::oid]
                  OR p.prorettype = 'tsetp.credit'::regtype)
             AND NOT (p.provolatile = 'i' AND p.proisstrict AND p.proparallel = 's')),
          0, 'every credit function is IMMUTABLE STRICT PARALLEL SAFE');
SELECT is((SELECT count(*)::int FROM pg_proc p
           WHERE p.pronamespace = 'tsetp'::regnamespace
             AND (p.proargtypes::oid[] && ARRAY['tsetp.credit'::regtype::oid]
                  OR p.prorettype = 'tsetp.credit'::regtype)
             AND p.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('c', 'internal'))
             AND p.proconfig IS NOT NULL),
          0, 'no credit function has a SET clause');
SELECT is((SELECT count(*)::int FROM pg_proc p
           WHERE p.pronamespace = 'tsetp'::regnamespace
             AND (p.proargtypes::oid[] && ARRAY['tsetp.credit'::regtype::oid]
                  OR p.prorettype = 'tsetp.credit'::regtype)
             AND obj_description(p.oid, 'pg_proc') IS NULL),
          0, 'every credit function has a comment');
SELECT ok((SELECT oprcanhash AND oprcanmerge FROM pg_operator
           WHERE oprname = '=' AND oprleft = 'tsetp.credit'::regtype
             AND oprright = 'tsetp.credit'::regtype), '= HASHES and MERGES');
SELECT is((SELECT count(*)::int FROM pg_operator
           WHERE oprnamespace = 'tsetp'::regnamespace
             AND (oprleft = 'tsetp.credit'::regtype OR oprright = 'tsetp.credit'::regtype)
             AND (oprcom = 0 OR oprrest = 0 OR oprjoin = 0)),
          0, 'every credit operator has a commutator and selectivity');
SELECT ok((SELECT opcdefault FROM pg_opclass
           WHERE opcintype = 'tsetp.credit'::regtype
             AND opcmethod = (SELECT oid FROM pg_am WHERE amname = 'btree')), 'default btree class');
SELECT ok((SELECT opcdefault FROM pg_opclass
           WHERE opcintype = 'tsetp.credit'::regtype
             AND opcmethod = (SELECT oid FROM pg_am WHERE amname = 'hash')), 'default hash class');
SELECT is((SELECT count(*)::int FROM pg_amproc ap
           JOIN pg_opfamily f ON f.oid = ap.amprocfamily
           JOIN pg_am am ON am.oid = f.opfmethod AND am.amname = 'hash'
           WHERE ap.amproclefttype = 'tsetp.credit'::regtype),
          2, 'hash class has support functions 1 and 2');
SELECT ok(obj_description('tsetp.credit'::regtype, 'pg_type') IS NOT NULL, 'type comment');

SELECT * FROM finish();
ROLLBACK;
