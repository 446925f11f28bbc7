-- The compliance engine on the figures of the Saitama briefing (seed 004)
-- and on each rule's edges: coverage, base emissions and their revision,
-- rates with the transitional ladder and relief, assessment, projection.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tsetp;
RESET client_min_messages;
SET search_path = tsetp, public;
\set VERBOSITY default

-- Energy use that makes a facility covered from FY2011 (existing facility).
CREATE FUNCTION pg_temp.register(code text, category text, first_fy int, last_fy int,
                                 programme text DEFAULT 'saitama') RETURNS bigint
LANGUAGE sql AS $$
    WITH f AS (
        INSERT INTO tsetp.facility (programme, code, name, operator, category, use)
        VALUES (programme, code, 'Facility ' || code, 'Operator of ' || code, category, 'commercial')
        RETURNING id)
    , e AS (
        INSERT INTO tsetp.energy_use (facility_id, fy, crude_oil_kl)
        SELECT f.id, y::tsetp.fiscal_year, 2000 FROM f, generate_series(first_fy, last_fy) y)
    SELECT id FROM f;
$$;

-- 1. The worked example: base 10,000 t, 22%, five years.
SELECT pg_temp.register('A', '1-1', 2006, 2024) AS a \gset
SELECT coverage_start(:a);
INSERT INTO emission (facility_id, fy, amount, verified_by)
SELECT :a, y::fiscal_year, amount::tco2, 'JQA'
  FROM (VALUES (2002, 10200), (2003, 9900), (2004, 10100), (2005, 10000), (2006, 9900), (2007, 10400)) v(y, amount);
SELECT * FROM base_candidates(:a);
INSERT INTO base_emission (facility_id, effective_from, amount, method)
VALUES (:a, 'FY2011', '10,000', 'historical');
INSERT INTO emission (facility_id, fy, amount, verified_by)
SELECT :a, y::fiscal_year, amount::tco2, 'JQA'
  FROM (VALUES (2020, 8500), (2021, 8000), (2022, 7400), (2023, 7000), (2024, 8000)) v(y, amount);
SELECT fy, base, rate, target, emissions, reduction, counted_reduction
  FROM facility_year WHERE facility_id = :a AND period_no = 3 ORDER BY fy;
SELECT * FROM assess(:a, 3);
-- Period 1 has four years: 4 × 8% of 10,000 t.
SELECT base_total, target_total, outcome FROM assess(:a, 1);

-- 2. The projection (達成見込み): FY2020-21 at 8,500 and 8,000.
SELECT pg_temp.register('B', '1-1', 2006, 2024) AS b \gset
INSERT INTO base_emission (facility_id, effective_from, amount, method) VALUES (:b, 'FY2011', '10000', 'historical');
INSERT INTO emission (facility_id, fy, amount, verified_by)
VALUES (:b, 'R2', '8500', 'JQA'), (:b, 'R3', '8000', 'JQA');
SELECT * FROM projection(:b, 3);
-- ... and with FY2022 at 7,900: 14,600 t may still be emitted, 7,300 a year.
INSERT INTO emission (facility_id, fy, amount, verified_by) VALUES (:b, '令和4年度', '7900', 'JQA');
SELECT * FROM projection(:b, 3);
SELECT outcome, shortfall FROM assess(:b, 3);

-- 3. Relief: SME ¾ (16.5%, 15%), medical −2 points, top ½; the lowest wins.
SELECT pg_temp.register('C', '2', 2006, 2024) AS c \gset
INSERT INTO certification (facility_id, fy, kind) VALUES
    (:a, 'FY2021', 'sme'), (:c, 'FY2021', 'sme'), (:b, 'FY2021', 'medical'),
    (:b, 'FY2022', 'medical'), (:b, 'FY2022', 'top'), (:a, 'FY2018', 'sme');
SELECT f.code, y.fy, rate_at(f.id, y.fy) AS rate
  FROM facility f CROSS JOIN (VALUES ('FY2018'::fiscal_year), ('FY2020'), ('FY2021'), ('FY2022')) y(fy)
 WHERE f.code IN ('A', 'B', 'C') ORDER BY 1, 2;

-- 4. Standard intensity: 50,000 m² of commercial use at 0.160 t/m².
SELECT standard_base('saitama', 'commercial', 50000);
SELECT standard_base('saitama', 'commercial', 1234.5678);

-- 5. Revision: at least 6% of the current base, on an admissible ground.
INSERT INTO base_emission VALUES (:a, 'FY2022', '10599.999', 'historical', 'floor_area');
INSERT INTO base_emission VALUES (:a, 'FY2022', '9400.001', 'historical', 'equipment');
INSERT INTO base_emission VALUES (:a, 'FY2022', '12000', 'historical', 'weather');
INSERT INTO base_emission VALUES (:a, 'FY2022', '12000', 'historical', 'operating_hours');
INSERT INTO base_emission VALUES (:a, 'FY2022', '12000', 'historical', 'moon_phase');
INSERT INTO base_emission VALUES (:a, 'FY2022', '12000', 'historical', NULL);
INSERT INTO base_emission VALUES (:a, 'FY2010', '12000', 'historical', 'floor_area');
INSERT INTO base_emission VALUES (:a, 'FY2022', '10600', 'historical', 'floor_area');
INSERT INTO base_emission VALUES (:b, 'FY2023', '9400', 'historical', 'use');
SELECT base_at(:a, 'FY2021') AS before, base_at(:a, 'FY2022') AS after, base_at(:a, 'FY2010') AS before_first;
UPDATE base_emission SET amount = '1' WHERE facility_id = :a;
DELETE FROM base_emission WHERE facility_id = :a;
SELECT fy, base, target FROM facility_year WHERE facility_id = :a AND period_no = 3 ORDER BY fy;

-- 6. The transitional ladder: a facility whose first year was part-way
-- (FY2012) is covered from FY2016 and assessed at period 1's rate in its
-- 1st-4th year, period 2's in its 5th-9th, the standard rate from the 10th.
SELECT pg_temp.register('D', '1-1', 2013, 2029) AS d \gset
INSERT INTO energy_use (facility_id, fy, crude_oil_kl, full_year) VALUES (:d, 'FY2012', 1800, false);
SELECT coverage_start(:d);
INSERT INTO certification (facility_id, fy, kind) VALUES (:d, 'FY2021', 'sme'), (:d, 'FY2022', 'top');
SELECT fy, period_no, coverage_year, rate_before_relief, transitional, relief, rate
  FROM facility_year WHERE facility_id = :d ORDER BY fy;

-- 7. Covered part-way through a period: only the covered years count.
INSERT INTO base_emission (facility_id, effective_from, amount, method) VALUES (:d, 'FY2016', '5000', 'intensity');
INSERT INTO emission (facility_id, fy, amount, verified_by)
SELECT :d, y::fiscal_year, '4500', 'JQA' FROM generate_series(2016, 2019) y;
SELECT * FROM assess(:d, 2);
SELECT * FROM assess(:d, 1);
-- A new facility chooses among the four years before its coverage started.
SELECT * FROM base_candidates(:d);
INSERT INTO emission (facility_id, fy, amount, verified_by)
VALUES (:d, 'FY2012', '2100', 'JQA'), (:d, 'FY2013', '5100', 'JQA'), (:d, 'FY2014', '5000', 'JQA'), (:d, 'FY2015', '4800', 'JQA');
SELECT * FROM base_candidates(:d);

-- 8. The cap: reduction counts only up to half of each year's base.
SELECT pg_temp.register('E', '2', 2006, 2024) AS e \gset
INSERT INTO base_emission (facility_id, effective_from, amount, method) VALUES (:e, 'FY2011', '10000', 'agreed');
INSERT INTO emission (facility_id, fy, amount, verified_by)
VALUES (:e, 'FY2020', '4000', 'JQA'), (:e, 'FY2021', '3000', 'JQA'), (:e, 'FY2022', '9000', 'JQA'),
       (:e, 'FY2023', '9000', 'JQA'), (:e, 'FY2024', '9000', 'JQA');
SELECT fy, reduction, counted_reduction FROM facility_year WHERE facility_id = :e AND period_no = 3 ORDER BY fy;
SELECT reduction_total, target_total, excess, outcome FROM assess(:e, 3);

-- 9. Pending while a year is missing or unverified.
INSERT INTO emission (facility_id, fy, amount) VALUES (:c, 'FY2020', '100');
INSERT INTO base_emission (facility_id, effective_from, amount, method) VALUES (:c, 'FY2011', '200', 'agreed');
SELECT years_covered, years_verified, pending FROM facility_period_reduction WHERE facility_id = :c AND period_no = 3;
SELECT outcome, shortfall FROM assess(:c, 3);

-- 10. Tokyo: shortfall × 1.3 is the penalty obligation.
SELECT pg_temp.register('T1', 'I-1', 2006, 2024, 'tokyo') AS t \gset
INSERT INTO base_emission (facility_id, effective_from, amount, method) VALUES (:t, 'FY2010', '10000', 'historical');
INSERT INTO emission (facility_id, fy, amount, verified_by)
SELECT :t, y::fiscal_year, '9000', 'JQA' FROM generate_series(2020, 2024) y;
SELECT * FROM assess(:t, 3);

-- 11. Refusals of nonsense data.
INSERT INTO energy_use (facility_id, fy, crude_oil_kl) VALUES (:e, 'FY2030', -1);
INSERT INTO emission (facility_id, fy, amount, verified_by) VALUES (:e, 'FY2020', '1', 'JQA');
INSERT INTO emission (facility_id, fy, amount) VALUES (:e, 'FY2030', '-1');
INSERT INTO facility (programme, code, name, operator, category) VALUES ('saitama', 'X', 'X', 'X', 'I-1');
INSERT INTO certification (facility_id, fy, kind) VALUES (:e, 'FY2021', 'bronze');
INSERT INTO relief (programme, period_no, kind, operation, value) VALUES ('saitama', 3, 'sme', 'divide', 2);
INSERT INTO plan_period (programme, period_no, years, deadline) VALUES ('saitama', 5, 'FY2029-FY2033', '2035-09-30');

-- 12. A fictional programme, purely as rows: coverage at 1,000 kL for two
-- years, one 3-year period at 10%/5%, counted reduction capped at 40%.
INSERT INTO programme (code, name, credit_origin, coverage_kl, coverage_years, historical_base_years,
                       base_average_years, new_base_lookback_years, revision_threshold, reduction_cap,
                       penalty_factor, excess_from_year)
VALUES ('atlantis', 'Atlantis Prefecture Trial', 'ATL', 1000, 2, 'FY2015-FY2017', 2, 2, 0.1, 0.4, 2, 2);
INSERT INTO plan_period VALUES ('atlantis', 1, 'FY2020-FY2022', '2023-12-31');
INSERT INTO category VALUES ('atlantis', 'big', 'Big'), ('atlantis', 'small', 'Small');
INSERT INTO target_rate VALUES ('atlantis', 1, 'big', 0.10), ('atlantis', 1, 'small', 0.05);
INSERT INTO revision_ground VALUES ('atlantis', 'floor_area', true, 'Floor area changed.');
INSERT INTO facility (programme, code, name, operator, category) VALUES ('atlantis', 'Z1', 'Z', 'Z', 'big')
RETURNING id AS z \gset
INSERT INTO energy_use (facility_id, fy, crude_oil_kl) VALUES (:z, 'FY2017', 1000), (:z, 'FY2018', 1200), (:z, 'FY2019', 999);
SELECT coverage_start(:z);
INSERT INTO emission (facility_id, fy, amount, verified_by) VALUES
    (:z, 'FY2015', '1000', 'V'), (:z, 'FY2016', '1100', 'V'), (:z, 'FY2017', '1200', 'V'),
    (:z, 'FY2019', '1000', 'V'), (:z, 'FY2020', '500', 'V'), (:z, 'FY2021', '980', 'V'), (:z, 'FY2022', '990', 'V');
SELECT * FROM base_candidates(:z);
INSERT INTO base_emission VALUES (:z, 'FY2020', '1000', 'historical', NULL);
INSERT INTO base_emission VALUES (:z, 'FY2021', '1099.999', 'historical', 'floor_area');
SELECT fy, rate, target, reduction, counted_reduction FROM facility_year WHERE facility_id = :z ORDER BY fy;
SELECT * FROM assess(:z, 1);

-- Existing or new (seed 004): an existing facility used 1,500 kL or more in
-- each of FY2006-FY2010 and chooses its base within FY2002-FY2007; one over
-- the threshold only from FY2008 is covered from FY2011 all the same, but
-- is new and chooses within the four years before FY2011.
SELECT pg_temp.register('N', '2', 2008, 2024) AS n \gset
SELECT coverage_start(:n);
INSERT INTO emission (facility_id, fy, amount, verified_by)
SELECT :n, y::fiscal_year, (9000 + 100 * (y - 2005))::text::tco2, 'JQA' FROM generate_series(2005, 2010) y;
SELECT * FROM base_candidates(:n);
