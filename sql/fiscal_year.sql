--
-- fiscal_year (SPEC §1.1, §2.1): every text form in and out, every era
-- boundary, 元年, full-width digits, refused era years, malformed and
-- out-of-range input, arithmetic, casts, dates, ordering and indexes.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tsetp;
RESET client_min_messages;
SET search_path = tsetp, public;
\set VERBOSITY default

-- Every accepted form, with its canonical and era output.
SELECT x AS input, x::fiscal_year AS fy, wareki(x::fiscal_year)
FROM (VALUES ('FY2020'), ('fy2020'), ('Fy2020'), ('2020'), ('2020年度'),
             ('R2'), ('r2'), ('R2年度'), ('R02'), ('令和2年度'), ('令和元年度'),
             ('H27'), ('h27'), ('平成27年度'), ('  FY2020  '), (E'\tR2\n'),
             ('　令和2年度　'), ('令和２年度'), ('２０２０年度'), ('２０２０'),
             ('FY２０２０'), ('H２７'), ('FY 2020'), ('FY1868'), ('FY9999')) v(x);

-- Output is canonical: text → fiscal_year → text → fiscal_year is stable.
SELECT x, x::fiscal_year::text AS canonical,
       x::fiscal_year::text::fiscal_year = x::fiscal_year AS round_trip,
       wareki(x::fiscal_year)::fiscal_year = x::fiscal_year AS wareki_round_trip
FROM (VALUES ('1868'), ('1912'), ('1926'), ('1989'), ('2019'), ('2020'),
             ('9999')) v(x);

-- Era boundaries: the last year of each era and 元年 of the next name the
-- same calendar year, hence the same fiscal year.
SELECT a, b, a::fiscal_year AS fy_a, b::fiscal_year AS fy_b,
       a::fiscal_year = b::fiscal_year AS same
FROM (VALUES ('M45', 'T1'), ('明治45年度', '大正元年度'),
             ('T15', 'S1'), ('大正15年度', '昭和元年度'),
             ('S64', 'H1'), ('昭和64年度', '平成元年度'),
             ('H31', 'R1'), ('平成31年度', '令和元年度')) v(a, b);

-- 元年 of each era, and the era letters.
SELECT x, x::fiscal_year AS fy
FROM (VALUES ('明治元年度'), ('大正元年度'), ('昭和元年度'), ('平成元年度'),
             ('令和元年度'), ('M1'), ('T1'), ('S1'), ('H1'), ('R1'),
             ('m1'), ('t1'), ('s1')) v(x);

-- wareki: the era of the calendar year the fiscal year starts in, the newer
-- one where two eras share it.
SELECT fy, wareki(fy)
FROM (VALUES ('FY1868'::fiscal_year), ('FY1911'), ('FY1912'), ('FY1913'),
             ('FY1925'), ('FY1926'), ('FY1927'), ('FY1988'), ('FY1989'),
             ('FY1990'), ('FY2015'), ('FY2018'), ('FY2019'), ('FY2020'),
             ('FY2024'), ('FY9999')) v(fy);

-- Era years past the era's end, and year 0, are out of range (22003); we
-- never reinterpret 平成32年度 as FY2020.
SELECT '平成32年度'::fiscal_year;
SELECT 'H32'::fiscal_year;
SELECT '令和0年度'::fiscal_year;
SELECT 'R0'::fiscal_year;
SELECT 'H0'::fiscal_year;
SELECT '大正16年度'::fiscal_year;
SELECT 'M46'::fiscal_year;
SELECT 'S65'::fiscal_year;
SELECT 'R7982'::fiscal_year;
-- Gregorian years outside FY1868..FY9999 (22003).
SELECT '1867'::fiscal_year;
SELECT 'FY10000'::fiscal_year;
SELECT '0'::fiscal_year;
SELECT 'FY20'::fiscal_year;
SELECT '99999999999999999999'::fiscal_year;
SELECT 'R7981'::fiscal_year;

-- Malformed text (22P02).
SELECT ''::fiscal_year;
SELECT '   '::fiscal_year;
SELECT 'FY'::fiscal_year;
SELECT 'Ｒ2'::fiscal_year;
SELECT 'ＦＹ2020'::fiscal_year;
SELECT 'FY2020年度'::fiscal_year;
SELECT '2020年'::fiscal_year;
SELECT 'R'::fiscal_year;
SELECT 'R2x'::fiscal_year;
SELECT 'X2'::fiscal_year;
SELECT '令和'::fiscal_year;
SELECT '令和2'::fiscal_year;
SELECT '令和2年'::fiscal_year;
SELECT '令和元'::fiscal_year;
SELECT 'R元'::fiscal_year;
SELECT '-2020'::fiscal_year;
SELECT '+2020'::fiscal_year;
SELECT '2020.0'::fiscal_year;
SELECT '20 20'::fiscal_year;
SELECT 'FY2020-FY2024'::fiscal_year;

-- Arithmetic: + integer (both orders), - integer, - fiscal_year, with
-- range checks; literals resolve without ambiguity.
SELECT 'FY2020'::fiscal_year + 1 AS plus, 4 + 'FY2020'::fiscal_year AS plus_rev,
       'FY2020'::fiscal_year - 1 AS minus,
       'FY2024'::fiscal_year - 'FY2020'::fiscal_year AS diff,
       'FY2020'::fiscal_year - 'FY2024' AS diff_literal,
       'FY2020'::fiscal_year + 0 AS plus_zero;
SELECT 'FY9999'::fiscal_year + 1;
SELECT 'FY1868'::fiscal_year - 1;
SELECT 'FY2020'::fiscal_year + 2147483647;
SELECT 'FY2020'::fiscal_year - (-2147483647 - 1);
SELECT 'FY9999'::fiscal_year - 'FY1868'::fiscal_year AS widest;

-- Casts: integer → fiscal_year (assignment, range-checked) and back.
SELECT 2020::fiscal_year AS from_int, 'FY2020'::fiscal_year::integer AS to_int,
       year('FY2020'), fiscal_year(2019);
SELECT 1867::fiscal_year;
SELECT 10000::fiscal_year;
CREATE TEMP TABLE fy_assign (fy fiscal_year, n integer);
INSERT INTO fy_assign VALUES (2020, 'FY2021'::fiscal_year);
SELECT * FROM fy_assign;
INSERT INTO fy_assign (fy) VALUES (1000);
-- no implicit cast: comparing with a bare integer needs a cast or quotes
SELECT 'FY2020'::fiscal_year = '2020' AS quoted, 'FY2020'::fiscal_year = 'R2' AS era,
       'FY2020'::fiscal_year > '平成31年度' AS later,
       'FY2020'::fiscal_year = 2020::fiscal_year AS cast;

-- Dates: fiscal_year(date), fy_start, fy_end.
SELECT d, fiscal_year(d)
FROM (VALUES ('2020-04-01'::date), ('2021-03-31'), ('2021-01-01'),
             ('2020-03-31'), ('2019-04-30'), ('2019-05-01'), ('1868-04-01'),
             ('10000-03-31'), ('2024-02-29')) v(d);
SELECT fiscal_year('1868-03-31'::date);
SELECT fiscal_year('10000-04-01'::date);
SELECT fiscal_year('infinity'::date);
SELECT fiscal_year('-infinity'::date);
SELECT fy, fy_start(fy), fy_end(fy), fy_end(fy) - fy_start(fy) + 1 AS days,
       fiscal_year(fy_start(fy)) = fy AND fiscal_year(fy_end(fy)) = fy AS inside
FROM (VALUES ('FY1868'::fiscal_year), ('FY2019'), ('FY2023'), ('FY9999')) v(fy);

-- Ordering, DISTINCT, GROUP BY, min/max, btree and hash index use.
CREATE TEMP TABLE fy_t (fy fiscal_year);
INSERT INTO fy_t VALUES ('R2'), ('2015'), ('令和元年度'), ('H31'), ('FY2024'),
       ('平成27年度'), ('R6'), ('FY1868'), ('FY9999'), (NULL);
SELECT fy FROM fy_t ORDER BY fy;
SELECT fy FROM fy_t ORDER BY fy DESC NULLS LAST;
SELECT DISTINCT fy FROM fy_t ORDER BY 1;
SELECT fy, count(*) FROM fy_t GROUP BY fy ORDER BY fy;
SELECT min(fy), max(fy) FROM fy_t;
SELECT min(fy), max(fy) FROM fy_t WHERE false;
SELECT fy FROM fy_t WHERE fy BETWEEN 'FY2015' AND 'R2' ORDER BY fy;
SELECT a.fy FROM fy_t a JOIN fy_t b ON a.fy = b.fy ORDER BY 1;
INSERT INTO fy_t SELECT g FROM generate_series(1868, 9999) g;
CREATE INDEX fy_t_btree ON fy_t (fy);
CREATE INDEX fy_t_hash ON fy_t USING hash (fy);
ANALYZE fy_t;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM fy_t WHERE fy = 'R2';
SELECT count(*) FROM fy_t WHERE fy = 'R2';
EXPLAIN (COSTS OFF) SELECT * FROM fy_t WHERE fy > 'FY9990' ORDER BY fy;
SELECT * FROM fy_t WHERE fy > 'FY9990' ORDER BY fy;
DROP INDEX fy_t_btree;
EXPLAIN (COSTS OFF) SELECT * FROM fy_t WHERE fy = 'H27';
SELECT count(*) FROM fy_t WHERE fy = 'H27';
RESET enable_seqscan;
RESET enable_bitmapscan;
-- hashing agrees with equality
SELECT fiscal_year_hash('FY2020') = fiscal_year_hash('R2') AS hash_eq,
       fiscal_year_hash_extended('FY2020', 7) = fiscal_year_hash_extended('令和2年度', 7) AS hash_ext_eq;
