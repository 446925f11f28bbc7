-- Deterministic generator of a Saitama-like programme's facility data.
--   psql -v facilities=630 -v seed=42 -f data/generate.sql
-- Writes facilities (185 of every 630 in category 1, the rest in 2), their
-- energy use FY2006-FY2024, emissions FY2002-FY2007 (base years) and
-- FY2015-FY2024, base emissions chosen from the base years, revisions for
-- floor area, and SME / medical / top-level certifications in period 3.
-- Base emissions of 630 facilities sum to about 52 Mt over period 2, as in
-- the prefecture's results table. Pseudo-random numbers are hashes of
-- (seed, facility, year, purpose), so the data do not depend on plans.
\if :{?facilities}
\else
\set facilities 630
\endif
\if :{?seed}
\else
\set seed 42
\endif
\set ON_ERROR_STOP 1
SET search_path = tsetp, public;

\ir random.sql

CREATE TEMP TABLE gen_facility AS
SELECT n,
       CASE WHEN (n - 1) % 630 < 185
            THEN CASE WHEN pg_temp.h(:seed, n, 1) < 0.15 THEN '1-2' ELSE '1-1' END
            ELSE '2' END AS category,
       pg_temp.h(:seed, n, 2) AS size_u,
       0.02 + 0.48 * power(pg_temp.h(:seed, n, 3), 0.7) AS trend,
       pg_temp.h(:seed, n, 4) AS kind_u,
       pg_temp.h(:seed, n, 5) AS revision_u
  FROM generate_series(1, :facilities) AS n;

INSERT INTO facility (programme, code, name, operator, category, use, floor_area_m2)
SELECT 'saitama', 'F' || lpad(n::text, 6, '0'),
       CASE category WHEN '2' THEN 'Factory ' ELSE 'Building ' END || n,
       'Operator ' || ((n - 1) / 3 + 1),
       category,
       CASE category WHEN '2' THEN 'factory' ELSE 'commercial' END,
       round(20000 + 80000 * size_u)
  FROM gen_facility ORDER BY n;

CREATE TEMP TABLE gen_map AS
SELECT g.*, f.id AS facility_id,
       -- yearly base-level emissions in tonnes: category means of the results table
       round(CASE WHEN g.category = '2' THEN 19860 ELSE 8900 END * (0.3 + 1.4 * g.size_u), 3) AS level
  FROM gen_facility g JOIN facility f ON f.code = 'F' || lpad(g.n::text, 6, '0') AND f.programme = 'saitama';

INSERT INTO energy_use (facility_id, fy, crude_oil_kl, full_year)
SELECT m.facility_id, y::fiscal_year, round(m.level / 2.0 + 1500, 1), true
  FROM gen_map m, generate_series(2006, 2024) AS y;

-- Base years FY2002-FY2007 around the level, then the period years.
INSERT INTO emission (facility_id, fy, amount, verified_by, verified_at)
SELECT m.facility_id, y::fiscal_year,
       round(m.level * (0.97 + 0.06 * pg_temp.h(:seed, m.n, 100 + y)), 3)::tco2,
       'Verifier ' || (m.n % 7 + 1), '2009-01-15'
  FROM gen_map m, generate_series(2002, 2007) AS y;

INSERT INTO base_emission (facility_id, effective_from, amount, method)
SELECT e.facility_id, 'FY2011', tsetp.sum(e.amount) / 3, 'historical'
  FROM emission e WHERE e.fy BETWEEN 'FY2005' AND 'FY2007'
 GROUP BY e.facility_id;

-- One facility in twenty grew its floor area by 8-20% in FY2017.
INSERT INTO base_emission (facility_id, effective_from, amount, method, reason)
SELECT m.facility_id, 'FY2017', b.amount * (1.08 + 0.12 * m.revision_u * 20), 'historical', 'floor_area'
  FROM gen_map m JOIN base_emission b ON b.facility_id = m.facility_id
 WHERE m.revision_u < 0.05;

-- Emissions fall with the facility's trend (deeper in period 3), with
-- yearly noise; FY2024 is verified for nine facilities in ten so far.
INSERT INTO emission (facility_id, fy, amount, verified_by, verified_at)
SELECT m.facility_id, y::fiscal_year,
       round(base_at(m.facility_id, y::fiscal_year)::numeric
             * (1 - m.trend - CASE WHEN y >= 2020 THEN 0.07 ELSE 0 END
                  + 0.04 * (pg_temp.h(:seed, m.n, 200 + y) - 0.5)), 3)::tco2,
       CASE WHEN y < 2024 OR pg_temp.h(:seed, m.n, 300) < 0.9 THEN 'Verifier ' || (m.n % 7 + 1) END,
       CASE WHEN y < 2024 OR pg_temp.h(:seed, m.n, 300) < 0.9 THEN make_date(y + 1, 9, 30)::timestamptz END
  FROM gen_map m, generate_series(2015, 2024) AS y;

-- Certifications in period 3: SME, medical (category 1-1), top level.
INSERT INTO certification (facility_id, fy, kind)
SELECT m.facility_id, y::fiscal_year, k.kind
  FROM gen_map m
  JOIN (VALUES ('sme', 0.00, 0.05), ('medical', 0.05, 0.07), ('near_top', 0.07, 0.08), ('top', 0.08, 0.09)) AS k(kind, lo, hi)
    ON m.kind_u >= k.lo AND m.kind_u < k.hi AND (k.kind <> 'medical' OR m.category = '1-1')
 CROSS JOIN generate_series(2020, 2024) AS y;

ANALYZE facility, energy_use, emission, base_emission, certification;
