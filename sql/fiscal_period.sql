--
-- fiscal_period (SPEC §1.2, §2.1): text forms in and out, reversed and
-- malformed input, the constructor, lower/upper/years/fiscal_years, the
-- containment and overlap truth tables, year_range for GiST exclusion
-- constraints, ordering and indexes.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tsetp;
RESET client_min_messages;
SET search_path = tsetp, public;
\set VERBOSITY default

-- Every accepted form, with its canonical and era output.
SELECT x AS input, x::fiscal_period AS p, wareki(x::fiscal_period)
FROM (VALUES ('FY2020-FY2024'), ('2020-2024'), ('R2-R6'), ('令和2年度～令和6年度'),
             ('令和2年度〜令和6年度'), ('2020~2024'), ('FY2020 - FY2024'),
             ('  2020 ～ 2024  '), ('fy2011-fy2014'), ('FY2011–FY2014'),
             ('H27-R1'), ('平成27年度～令和元年度'), ('H27-H31'),
             ('２０２０年度～２０２４年度'), ('FY2020'), ('令和2年度'),
             ('2020-2020'), ('FY1868-FY9999')) v(x);

-- Output is canonical and both text forms read back to the same value.
SELECT x, x::fiscal_period::text::fiscal_period = x::fiscal_period AS round_trip,
       wareki(x::fiscal_period)::fiscal_period = x::fiscal_period AS wareki_round_trip
FROM (VALUES ('FY2011-FY2014'), ('FY2015-FY2019'), ('FY2020-FY2024'),
             ('FY2025-FY2029'), ('FY1912-FY1926'), ('FY2019-FY2019')) v(x);

-- Reversed runs are malformed text (22P02) ...
SELECT '2024-2020'::fiscal_period;
SELECT 'R6-R2'::fiscal_period;
-- ... and the constructor refuses them with 22000.
SELECT fiscal_period('FY2024', 'FY2020');
SELECT fiscal_period('FY2020', 'FY2024') AS made, fiscal_period('R2', 'R2') AS one_year;

-- Malformed text (22P02) and out-of-range ends (22003).
SELECT ''::fiscal_period;
SELECT '-'::fiscal_period;
SELECT 'FY2020-'::fiscal_period;
SELECT '-FY2024'::fiscal_period;
SELECT 'FY2020--FY2024'::fiscal_period;
SELECT '2020-2022-2024'::fiscal_period;
SELECT 'FY2020 FY2024'::fiscal_period;
SELECT 'FY2020/FY2024'::fiscal_period;
SELECT 'R2-X6'::fiscal_period;
SELECT '2020-10000'::fiscal_period;
SELECT 'H27-H32'::fiscal_period;
SELECT '令和0年度～令和6年度'::fiscal_period;

-- lower, upper, years, fiscal_years for periods of four and five years.
SELECT p, lower(p), upper(p), years(p)
FROM (VALUES ('FY2011-FY2014'::fiscal_period), ('FY2015-FY2019'),
             ('FY2020-FY2024'), ('FY2020-FY2020'), ('FY1868-FY9999')) v(p);
SELECT fiscal_years('FY2011-FY2014');
SELECT y, wareki(y) FROM fiscal_years('平成27年度～令和元年度') y;
SELECT count(*) FROM fiscal_years('FY1868-FY9999');

-- Containment of a year, both argument orders.
SELECT p, y, p @> y AS contains, y <@ p AS contained
FROM (VALUES ('FY2020-FY2024'::fiscal_period)) a(p),
     (VALUES ('FY2019'::fiscal_year), ('FY2020'), ('FY2022'), ('FY2024'),
             ('FY2025')) b(y)
ORDER BY y;

-- Truth tables of @>, <@ and && between periods.
SELECT a, b, a @> b AS contains, a <@ b AS contained, a && b AS overlaps,
       year_range(a) && year_range(b) AS range_overlaps
FROM (VALUES ('FY2020-FY2024'::fiscal_period)) x(a),
     (VALUES ('FY2015-FY2019'::fiscal_period), ('FY2015-FY2020'),
             ('FY2020-FY2024'), ('FY2021-FY2023'), ('FY2020-FY2020'),
             ('FY2024-FY2024'), ('FY2024-FY2029'), ('FY2025-FY2029'),
             ('FY2010-FY2030'), ('FY2010-FY2014')) y(b)
ORDER BY b;

-- year_range: [lower, upper + 1), so adjacent periods do not overlap.
SELECT p, year_range(p)
FROM (VALUES ('FY2011-FY2014'::fiscal_period), ('FY2020'),
             ('FY1868-FY9999')) v(p);

-- An exclusion constraint over year_range keeps periods apart.
CREATE TEMP TABLE plan (years fiscal_period,
                        EXCLUDE USING gist (year_range(years) WITH &&));
INSERT INTO plan VALUES ('FY2011-FY2014'), ('FY2015-FY2019'), ('FY2020-FY2024');
INSERT INTO plan VALUES ('FY2024-FY2029');
INSERT INTO plan VALUES ('FY2025-FY2029');
SELECT years FROM plan ORDER BY years;

-- Ordering (by first year, then last year), DISTINCT, GROUP BY, indexes.
CREATE TEMP TABLE fp_t (p fiscal_period);
INSERT INTO fp_t VALUES ('FY2020-FY2024'), ('FY2015-FY2019'), ('R2-R6'),
       ('FY2020-FY2020'), ('FY2011-FY2014'), ('FY2020-FY2029'),
       ('FY2015-FY2015'), ('FY9999'), ('FY1868'), (NULL);
SELECT p FROM fp_t ORDER BY p;
SELECT DISTINCT p FROM fp_t ORDER BY p DESC;
SELECT p, count(*) FROM fp_t GROUP BY p ORDER BY p;
SELECT p FROM fp_t WHERE p @> 'FY2020'::fiscal_year ORDER BY p;
SELECT p FROM fp_t WHERE p && 'FY2019-FY2020' ORDER BY p;
INSERT INTO fp_t SELECT fiscal_period(g::fiscal_year, (g + 4)::fiscal_year)
  FROM generate_series(1868, 9995) g;
CREATE INDEX fp_t_btree ON fp_t (p);
CREATE INDEX fp_t_hash ON fp_t USING hash (p);
ANALYZE fp_t;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM fp_t WHERE p = 'R2-R6';
SELECT count(*) FROM fp_t WHERE p = 'R2-R6';
EXPLAIN (COSTS OFF) SELECT * FROM fp_t WHERE p >= 'FY9994-FY9998' ORDER BY p;
SELECT * FROM fp_t WHERE p >= 'FY9994-FY9998' ORDER BY p;
DROP INDEX fp_t_btree;
EXPLAIN (COSTS OFF) SELECT * FROM fp_t WHERE p = 'FY2015-FY2019';
SELECT count(*) FROM fp_t WHERE p = 'FY2015-FY2019';
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT fiscal_period_hash('FY2020-FY2024') = fiscal_period_hash('令和2年度～令和6年度') AS hash_eq;
