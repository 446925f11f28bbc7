--
-- tco2 aggregates (SPEC §2.1): sum, avg, min, max, overflow-checked and
-- parallel safe; operator classes at work in sorting, grouping, indexes and
-- joins.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tsetp;
RESET client_min_messages;
\set VERBOSITY default
SET search_path = tsetp, public;

-- Empty set: every aggregate is NULL.
SELECT sum(x), avg(x), min(x), max(x), count(x)
FROM (SELECT '1'::tco2 WHERE false) v(x);
-- Only NULLs: NULL too.
SELECT sum(x), avg(x), min(x), max(x), count(x)
FROM (VALUES (NULL::tco2), (NULL)) v(x);
-- NULLs are skipped.
SELECT sum(x), avg(x), min(x), max(x), count(x)
FROM (VALUES ('1'::tco2), (NULL), ('2'), ('2.001'), (NULL)) v(x);

-- The worked example (SPEC §1.3): emissions of five years.
SELECT sum(e) AS emissions, avg(e) AS average, min(e), max(e),
       '50000'::tco2 - sum(e) AS reduction
FROM (VALUES ('8,500'::tco2), ('8,000'), ('7,400'), ('7,000'), ('8,000')) v(e);

-- avg rounds half away from zero to 0.001 t, both signs.
SELECT avg(x) AS "0.0005", avg(-x) AS "-0.0005"
FROM (VALUES ('0.001'::tco2), ('0')) v(x);
SELECT avg(x) AS "0.000333", avg(-x) AS "-0.000333"
FROM (VALUES ('0.001'::tco2), ('0'), ('0')) v(x);
SELECT avg(x) AS "0.000667", avg(-x) AS "-0.000667"
FROM (VALUES ('0.001'::tco2), ('0.001'), ('0')) v(x);

-- avg is exact beyond int64 sums; sum is overflow-checked (22003).
SELECT avg(x) AS avg_of_max, min(x), max(x)
FROM (VALUES ('9223372036854775.807'::tco2), ('9223372036854775.807'),
             ('9223372036854775.806')) v(x);
SELECT avg(x) AS avg_of_min
FROM (VALUES ('-9223372036854775.808'::tco2), ('-9223372036854775.808')) v(x);
SELECT sum(x)
FROM (VALUES ('9223372036854775.807'::tco2), ('0.001')) v(x);
SELECT sum(x)
FROM (VALUES ('-9223372036854775.808'::tco2), ('-0.001')) v(x);
-- cancelling extremes stay exact in avg
SELECT avg(x) AS avg_cancelling
FROM (VALUES ('9223372036854775.807'::tco2), ('-9223372036854775.808')) v(x);

-- A table to sort, group, index and join.
CREATE TABLE tco2_agg_t (id int, grp int, amount tco2);
INSERT INTO tco2_agg_t
SELECT i, i % 4, (i * 1.5 - 3000)::numeric::tco2
FROM generate_series(1, 4000) i;
INSERT INTO tco2_agg_t VALUES (0, 0, NULL), (-1, 1, '0.001'), (-2, 1, '0.001');
ANALYZE tco2_agg_t;

-- GROUP BY, both sorted and hashed, give the same groups.
SELECT grp, sum(amount), avg(amount), min(amount), max(amount), count(amount)
FROM tco2_agg_t GROUP BY grp ORDER BY grp;
SET enable_hashagg = off;
SELECT count(*) AS sorted_groups FROM (SELECT amount FROM tco2_agg_t GROUP BY amount) s;
RESET enable_hashagg;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT amount FROM tco2_agg_t GROUP BY amount;
SELECT count(*) AS hashed_groups FROM (SELECT amount FROM tco2_agg_t GROUP BY amount) s;
RESET enable_sort;

-- DISTINCT and ORDER BY (NULLs last, as for any type).
SELECT DISTINCT amount FROM tco2_agg_t WHERE amount < '-2990' OR amount IS NULL
    OR amount = '0.001' ORDER BY amount;
SELECT amount FROM tco2_agg_t ORDER BY amount DESC NULLS LAST LIMIT 3;
SELECT sum(DISTINCT amount) AS sum_distinct, count(DISTINCT amount) FROM tco2_agg_t;

-- Parallel plans: sum, avg, min and max are split into partial aggregates.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT sum(amount), avg(amount), min(amount), max(amount) FROM tco2_agg_t;
CREATE TEMP TABLE tco2_parallel AS
SELECT sum(amount) AS s, avg(amount) AS a, min(amount) AS mn, max(amount) AS mx
FROM tco2_agg_t;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SET max_parallel_workers_per_gather = 0;
SELECT p.*, (p.s, p.a, p.mn, p.mx) = (s.s, s.a, s.mn, s.mx) AS parallel_equals_serial
FROM tco2_parallel p,
     (SELECT sum(amount) AS s, avg(amount) AS a, min(amount) AS mn,
             max(amount) AS mx FROM tco2_agg_t) s;
RESET max_parallel_workers_per_gather;

-- A btree index serves equality, ranges, ORDER BY and min/max.
CREATE INDEX tco2_agg_t_amount ON tco2_agg_t (amount);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM tco2_agg_t WHERE amount = '1.5';
SELECT id FROM tco2_agg_t WHERE amount = '1.5';
EXPLAIN (COSTS OFF) SELECT count(*) FROM tco2_agg_t WHERE amount BETWEEN '-1' AND '1';
SELECT count(*) FROM tco2_agg_t WHERE amount BETWEEN '-1' AND '1';
EXPLAIN (COSTS OFF) SELECT min(amount), max(amount) FROM tco2_agg_t;
SELECT min(amount), max(amount) FROM tco2_agg_t;
RESET enable_seqscan;
RESET enable_bitmapscan;

-- Hash and merge joins on =.
CREATE TABLE tco2_agg_u (amount tco2 PRIMARY KEY);
INSERT INTO tco2_agg_u VALUES ('-2998.5'), ('0.001'), ('3000'), ('123456');
ANALYZE tco2_agg_u;
SET enable_nestloop = off;
SET enable_mergejoin = off;
EXPLAIN (COSTS OFF)
SELECT t.id FROM tco2_agg_t t JOIN tco2_agg_u u ON t.amount = u.amount;
SELECT t.id, u.amount FROM tco2_agg_t t JOIN tco2_agg_u u ON t.amount = u.amount
ORDER BY t.id;
RESET enable_mergejoin;
SET enable_hashjoin = off;
EXPLAIN (COSTS OFF)
SELECT t.id FROM tco2_agg_t t JOIN tco2_agg_u u ON t.amount = u.amount;
SELECT count(*) AS merge_joined
FROM tco2_agg_t t JOIN tco2_agg_u u ON t.amount = u.amount;
RESET enable_hashjoin;
RESET enable_nestloop;

-- A hash index works too.
CREATE INDEX tco2_agg_u_hash ON tco2_agg_u USING hash (amount);
SET enable_seqscan = off;
SET enable_indexscan = off;
SELECT amount FROM tco2_agg_u WHERE amount = '3000';
RESET enable_indexscan;
RESET enable_seqscan;

DROP TABLE tco2_agg_t, tco2_agg_u;
