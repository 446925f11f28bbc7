-- The credit GiST operator class (credit_serial_ops): the index behind the
-- holdings' exclusion constraint. Answers through the index equal answers
-- without it, for blocks inserted in shuffled order (many page splits) and
-- in ascending order (as the registry issues them); the constraint refuses
-- every overlap and accepts adjacent blocks; serial_span's text form.
BEGIN;
SET search_path = tsetp, public;
SELECT plan(16);

CREATE TEMP TABLE shuffled (block credit, EXCLUDE USING gist (block WITH &&));
CREATE TEMP TABLE ascending (block credit, EXCLUDE USING gist (block WITH &&));
-- 20,000 blocks of 1 to 40 serials with gaps: block i starts at 100 i + 1.
INSERT INTO shuffled
SELECT credit('SAI', 'ER', 'FY2020', 'F' || i % 7, 100 * i + 1, 100 * i + 1 + (i * 37) % 40)
  FROM generate_series(0, 19999) i ORDER BY (i * 7919) % 20011;
INSERT INTO ascending SELECT block FROM shuffled ORDER BY first_serial(block);
ANALYZE shuffled, ascending;

CREATE TEMP TABLE probe AS
SELECT n, credit('TKY', 'TKY', 'FY2021', 'P', lo, lo + width) AS block, lo + width / 2 AS serial
  FROM (SELECT n, 1 + (n * 104729) % 2000050 AS lo, (n * 31) % 900 AS width
          FROM generate_series(1, 400) n) p;

-- The same answers with and without the index.
CREATE TEMP TABLE answers_seq AS
SELECT 'shuffled' AS t, p.n, count(*) FILTER (WHERE s.block && p.block) AS n_overlapping,
       count(*) FILTER (WHERE s.block @> p.serial) AS n_holding
  FROM probe p CROSS JOIN shuffled s GROUP BY p.n;
SELECT ok((SELECT count(*) FROM answers_seq WHERE n_overlapping > 1) > 50
          AND (SELECT count(*) FROM answers_seq WHERE n_overlapping = 0) > 3
          AND (SELECT count(*) FROM answers_seq WHERE n_holding = 1) > 50
          AND (SELECT count(*) FROM answers_seq WHERE n_holding = 0) > 50,
          'the probes hit several blocks, none, a held serial and a gap');

CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END $$;

SET LOCAL enable_seqscan = off;
SELECT matches(pg_temp.plan_of($$SELECT * FROM ascending WHERE block && 'TKY/TKY/R3/P/500-600'::credit$$),
               'ascending_block_excl', 'an overlap query uses the GiST index');
SELECT matches(pg_temp.plan_of($$SELECT * FROM ascending WHERE block @> 12345::bigint$$),
               'ascending_block_excl', 'a query for the block holding a serial uses the GiST index');
SELECT is_empty($$
    SELECT p.n, (SELECT count(*) FROM shuffled s WHERE s.block && p.block),
                (SELECT count(*) FROM shuffled s WHERE s.block @> p.serial)
      FROM probe p
    EXCEPT
    SELECT n, n_overlapping, n_holding FROM answers_seq$$,
    '&& and @> through the index match a scan of every block (shuffled inserts)');
SELECT is_empty($$
    SELECT p.n, (SELECT count(*) FROM ascending s WHERE s.block && p.block),
                (SELECT count(*) FROM ascending s WHERE s.block @> p.serial)
      FROM probe p
    EXCEPT
    SELECT n, n_overlapping, n_holding FROM answers_seq$$,
    '&& and @> through the index match a scan of every block (ascending inserts)');

-- A sorted build (CREATE INDEX, or a constraint added to a filled table, as
-- in a restore or an update) gives the same answers, and refuses overlaps.
CREATE TEMP TABLE built AS SELECT block FROM shuffled;
ALTER TABLE built ADD CONSTRAINT built_excl EXCLUDE USING gist (block WITH &&);
SELECT is_empty($$
    SELECT p.n, (SELECT count(*) FROM built s WHERE s.block && p.block),
                (SELECT count(*) FROM built s WHERE s.block @> p.serial)
      FROM probe p
    EXCEPT
    SELECT n, n_overlapping, n_holding FROM answers_seq$$,
    '&& and @> through a sorted-built index match a scan of every block');
CREATE TEMP TABLE overlapping AS SELECT block FROM shuffled UNION ALL SELECT 'SAI/ER/R2/F1/120-130'::credit;
SELECT throws_ok($$ALTER TABLE overlapping ADD CONSTRAINT overlapping_excl EXCLUDE USING gist (block WITH &&)$$,
                 '23P01', NULL, 'a sorted build refuses blocks that share serials');
RESET enable_seqscan;

-- The constraint.
SELECT throws_ok($$INSERT INTO ascending VALUES ('SAI/ER/R2/F1/1-1')$$, '23P01', NULL,
                 'a block holding the first serial of another is refused');
SELECT throws_ok($$INSERT INTO ascending VALUES (credit('SAI', 'ER', 'FY2020', 'X', 100 * 500 + 1 + (500 * 37) % 40, 100 * 500 + 50))$$,
                 '23P01', NULL, 'a block starting at another''s last serial is refused');
SELECT throws_ok($$INSERT INTO ascending VALUES ('SAI/ER/R2/F1/1-2000000')$$, '23P01', NULL,
                 'a block covering many others is refused');
SELECT lives_ok($$INSERT INTO ascending VALUES (credit('SAI', 'ER', 'FY2020', 'X', 100 * 500 + 2 + (500 * 37) % 40, 100 * 500 + 100))$$,
                'a block in the gap after another, adjacent to it, is accepted');
SELECT throws_ok($$INSERT INTO ascending VALUES (credit('SAI', 'ER', 'FY2020', 'X', 100 * 500 + 100, 100 * 500 + 100))$$,
                 '23P01', NULL, 'a one-serial block inside another is refused');

-- serial_span, the index's key type.
SELECT is('[1,1000]'::serial_span::text, '[1,1000]', 'serial_span text form');
SELECT is(' [ -5 , 7 ] '::serial_span::text, '[-5,7]', 'white space and signs are read');
SELECT throws_ok($$SELECT '[7,5]'::serial_span$$, '22000', NULL, 'a reversed span is refused');
SELECT throws_ok($$SELECT '[1,99999999999999999999]'::serial_span$$, '22003', NULL, 'a serial beyond bigint is out of range');

SELECT * FROM finish();
ROLLBACK;
