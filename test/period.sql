-- The plan-period evaluation in C (period_years, period_totals) against an
-- independent formulation of the same rules in SQL, one correlated lookup
-- per facility-year, over facilities that exercise every edge: the
-- transitional ladder, reliefs on standard and transitional rates and ties
-- between them, base revisions part-way through a period, years before the
-- first base, missing and unverified years, coverage starting part-way
-- through a period and after a part-way first year. Then the functions'
-- own edges and refusals.
BEGIN;
SET search_path = tsetp, public;
SELECT plan(24);

-- 240 Saitama and 60 Tokyo facilities; patterns by residue, so that every
-- edge occurs whatever the platform's hash functions.
INSERT INTO facility (id, programme, code, name, operator, category) OVERRIDING SYSTEM VALUE
SELECT 50000 + n, CASE WHEN n <= 240 THEN 'saitama' ELSE 'tokyo' END, 'P' || n, 'Facility ' || n, 'Operator ' || n,
       CASE WHEN n <= 240 THEN (ARRAY['1-1', '1-2', '2'])[n % 3 + 1]
            ELSE (ARRAY['I-1', 'I-2', 'II'])[n % 3 + 1] END
  FROM generate_series(1, 300) n;

-- Energy use from FY2004 + (n % 17): coverage starts three full years later
-- (FY2011 at the earliest), a year later still when the first year is partial.
INSERT INTO energy_use (facility_id, fy, crude_oil_kl, full_year)
SELECT 50000 + n, y::fiscal_year, 1500 + n, NOT (y = 2004 + n % 17 AND n % 5 = 0)
  FROM generate_series(1, 300) n, generate_series(2004, 2024) y
 WHERE y >= 2004 + n % 17;

-- A first base, from coverage start (or two years later for n % 11 = 0: the
-- years before it have none), and a revision of +10% or −7% in some year.
INSERT INTO base_emission (facility_id, effective_from, amount, method)
SELECT c.facility_id, c.coverage_start + CASE WHEN (c.facility_id - 50000) % 11 = 0 THEN 2 ELSE 0 END::int,
       (5000 + (c.facility_id - 50000) * 37 % 9000)::text::tco2, 'historical'
  FROM coverage c WHERE c.facility_id BETWEEN 50001 AND 50300;
INSERT INTO base_emission (facility_id, effective_from, amount, method, reason)
SELECT b.facility_id, b.effective_from + (1 + (b.facility_id - 50000) % 7)::int,
       b.amount * CASE WHEN (b.facility_id - 50000) % 2 = 0 THEN 1.1 ELSE 0.93 END, 'historical', 'floor_area'
  FROM base_emission b WHERE b.facility_id BETWEEN 50001 AND 50300 AND (b.facility_id - 50000) % 3 = 0;

-- Emissions FY2011-FY2024: missing when (n + y) % 13 = 0, unverified when
-- (n + y) % 9 = 0; amounts from 40% to 130% of a nominal base, so that the
-- cap on counted reduction bites now and then.
INSERT INTO emission (facility_id, fy, amount, verified_by)
SELECT 50000 + n, y::fiscal_year, ((5000 + n * 37 % 9000) * (40 + (n * 7 + y * 13) % 91) / 100.0)::text::tco2,
       CASE WHEN (n + y) % 9 = 0 THEN NULL ELSE 'JQA' END
  FROM generate_series(1, 300) n, generate_series(2011, 2024) y
 WHERE (n + y) % 13 <> 0;

-- Certifications: one kind a year in a rotation, and near_top with sme in the
-- same year (both ¾ in Saitama's period 3: a tie that near_top wins by name).
INSERT INTO certification (facility_id, fy, kind)
SELECT 50000 + n, y::fiscal_year, (ARRAY['sme', 'medical', 'near_top', 'top'])[(n + 3 * y) % 4 + 1]
  FROM generate_series(1, 300) n, generate_series(2011, 2024) y
 WHERE (n + 2 * y) % 3 = 0;
INSERT INTO certification (facility_id, fy, kind)
SELECT 50000 + n, 'FY2021', k
  FROM generate_series(1, 240, 5) n, unnest(ARRAY['near_top', 'sme']) k
ON CONFLICT DO NOTHING;

-- The reference: the engine's rules written as per-year lookups, with the
-- arithmetic in plain numeric (not the C formulas the engine shares):
-- relief as rate × value or rate − value (at least 0), target as base × rate
-- rounded half away from zero to 0.001 t (numeric round), a positive
-- reduction capped at cap × base truncated to 0.001 t.
CREATE FUNCTION pg_temp.relieved(rate numeric, operation text, value numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE STRICT
    RETURN trim_scale(CASE operation WHEN 'multiply' THEN rate * value ELSE greatest(rate - value, 0) END);

CREATE TEMP VIEW reference_year AS
WITH covered AS (
    SELECT f.id AS facility_id, f.programme, f.category, pp.period_no, y.fy, c.coverage_start,
           p.reduction_cap, coverage_start >= p.transitional_from AS on_ladder,
           y.fy::int - c.coverage_start::int + 1 AS n
      FROM facility f
      JOIN programme p ON p.code = f.programme
      JOIN coverage c ON c.facility_id = f.id
      JOIN plan_period pp ON pp.programme = f.programme
     CROSS JOIN LATERAL fiscal_years(pp.years) AS y(fy)
     WHERE y.fy >= c.coverage_start AND f.id BETWEEN 50001 AND 50300
), rated AS (
    SELECT c.*, base_at(c.facility_id, c.fy) AS base,
           (SELECT t.rate FROM transitional_rate t
             WHERE c.on_ladder AND t.programme = c.programme AND t.period_no = c.period_no
               AND t.category = c.category AND c.n >= t.first_n AND (t.last_n IS NULL OR c.n <= t.last_n)
             ORDER BY t.first_n LIMIT 1) AS ladder,
           (SELECT s.rate FROM target_rate s
             WHERE s.programme = c.programme AND s.period_no = c.period_no AND s.category = c.category) AS standard
      FROM covered c
), relieved AS (
    SELECT r.*, COALESCE(r.ladder, r.standard) AS before,
           (SELECT x FROM certification ce
              JOIN relief x ON x.programme = r.programme AND x.period_no = r.period_no AND x.kind = ce.kind
             WHERE ce.facility_id = r.facility_id AND ce.fy = r.fy
               AND NOT (x.standard_only AND r.ladder IS NOT NULL)
               AND COALESCE(r.ladder, r.standard) IS NOT NULL
             ORDER BY pg_temp.relieved(COALESCE(r.ladder, r.standard), x.operation, x.value), x.kind
             LIMIT 1) AS x
      FROM rated r
), final AS (
    SELECT v.*, COALESCE(pg_temp.relieved(v.before, (v.x).operation, (v.x).value), v.before) AS rate
      FROM relieved v
)
SELECT v.facility_id, v.programme, v.category, v.period_no, v.fy, v.n AS coverage_year, v.base,
       v.before AS rate_before_relief, v.ladder IS NOT NULL AS transitional, (v.x).kind AS relief,
       v.rate, round(v.base::numeric * v.rate, 3)::tco2 AS target, e.amount AS emissions,
       e.verified_by IS NOT NULL AS verified, v.base - e.amount AS reduction,
       CASE WHEN v.reduction_cap IS NOT NULL AND (v.base - e.amount)::numeric > 0
            THEN least((v.base - e.amount)::numeric,
                       floor(v.reduction_cap * v.base::numeric * 1000) / 1000)
            ELSE (v.base - e.amount)::numeric END::tco2 AS counted_reduction
  FROM final v
  LEFT JOIN emission e ON e.facility_id = v.facility_id AND e.fy = v.fy;

CREATE TEMP VIEW engine_year AS
SELECT * FROM facility_year WHERE facility_id BETWEEN 50001 AND 50300;

-- The fixture reaches every edge (so that the comparisons below mean something).
SELECT ok((SELECT count(*) FILTER (WHERE transitional) > 0 AND count(*) FILTER (WHERE NOT transitional) > 0
                  AND count(*) FILTER (WHERE transitional AND relief IS NOT NULL) > 0
                  AND count(*) FILTER (WHERE relief = 'near_top' AND fy = 'FY2021' AND NOT transitional) > 0
                  AND count(*) FILTER (WHERE relief IN ('sme', 'medical')) > 0
                  AND count(*) FILTER (WHERE base IS NULL) > 0
                  AND count(*) FILTER (WHERE emissions IS NULL) > 0
                  AND count(*) FILTER (WHERE emissions IS NOT NULL AND NOT verified) > 0
                  AND count(*) FILTER (WHERE counted_reduction < reduction) > 0
                  AND count(DISTINCT coverage_start) > 10
             FROM reference_year JOIN coverage USING (facility_id)),
          'the fixture has ladder and standard years, reliefs of each sort, a tie, years without base or emissions, unverified years, the cap biting, many coverage starts');
SELECT ok((SELECT count(*) FROM base_emission WHERE facility_id BETWEEN 50001 AND 50300 AND reason IS NOT NULL) > 50,
          'the fixture revises bases part-way through periods');

SELECT is((SELECT count(*) FROM engine_year), (SELECT count(*) FROM reference_year),
          'facility_year has a row for every covered year, and no more');
SELECT is_empty($$SELECT * FROM engine_year EXCEPT ALL SELECT * FROM reference_year$$,
                'every year the engine evaluates matches the per-year formulation');
SELECT is_empty($$SELECT * FROM reference_year EXCEPT ALL SELECT * FROM engine_year$$,
                'every year of the per-year formulation is in the engine');
SELECT is_empty($$SELECT facility_id, fy, rate_before_relief::text, rate::text FROM engine_year
                  EXCEPT SELECT facility_id, fy, rate_before_relief::text, rate::text FROM reference_year$$,
                'rates are written as configured (no rewritten scale)');

SELECT is_empty($$
    SELECT facility_id, programme, category, period_no, years_covered, years_verified, first_year,
           last_verified_year, base_total, target_total, emissions_total, reduction_total,
           counted_total, excess, pending
      FROM facility_period_reduction WHERE facility_id BETWEEN 50001 AND 50300
    EXCEPT ALL
    SELECT facility_id, programme, category, period_no, count(*)::int, count(*) FILTER (WHERE verified)::int,
           min(fy), max(fy) FILTER (WHERE verified),
           COALESCE(sum(base), '0'), COALESCE(sum(target), '0'),
           COALESCE(sum(emissions) FILTER (WHERE verified), '0'),
           COALESCE(sum(reduction) FILTER (WHERE verified), '0'),
           COALESCE(sum(counted_reduction) FILTER (WHERE verified AND target IS NOT NULL), '0'),
           excess_reduction(COALESCE(sum(counted_reduction) FILTER (WHERE verified AND target IS NOT NULL), '0'),
                            COALESCE(sum(target) FILTER (WHERE verified), '0')),
           bool_or(NOT verified OR base IS NULL OR rate IS NULL)
      FROM reference_year GROUP BY facility_id, programme, category, period_no$$,
    'facility_period_reduction equals the per-year formulation summed');
SELECT is((SELECT count(*) FROM facility_period_reduction WHERE facility_id BETWEEN 50001 AND 50300),
          (SELECT count(*) FROM (SELECT DISTINCT facility_id, period_no FROM reference_year) d),
          'one period row per facility and period with a covered year');
SELECT is((SELECT count(*) FROM facility_period_reduction WHERE facility_id = 50001 AND period_no = 2),
          1::bigint, 'a filter on facility and period finds its row');

-- The functions themselves.
CREATE TEMP TABLE args AS
SELECT 'FY2016'::fiscal_year AS coverage_start, 'FY2015-FY2019'::fiscal_period AS years, 0.150 AS standard_rate,
       ARRAY[1, 5] AS first_n, ARRAY[4, NULL] AS last_n, ARRAY[0.080, 0.15] AS ladder_rates, 0.5 AS cap,
       ARRAY['FY2018', 'FY2010']::fiscal_year[] AS base_from, ARRAY['11000', '10000']::tco2[] AS base_amounts,
       ARRAY['FY2019', 'FY2016', 'FY2017']::fiscal_year[] AS em_years,
       ARRAY['9000', '4000', '10000']::tco2[] AS em_amounts, ARRAY[true, true, false] AS em_verified,
       ARRAY['FY2017', 'FY2017', 'FY2019']::fiscal_year[] AS rl_years, ARRAY['b', 'a', 'c'] AS rl_kinds,
       ARRAY['multiply', 'subtract', 'subtract'] AS rl_ops, ARRAY[0.5, 0.04, 0.01] AS rl_values,
       ARRAY[false, false, true] AS rl_standard_only;

SELECT results_eq($$
    SELECT y.fy, y.coverage_year, y.base, y.rate_before_relief::text, y.transitional, y.relief, y.rate::text,
           y.target, y.emissions, y.verified, y.reduction, y.counted_reduction
      FROM args a, period_years(a.coverage_start, a.years, a.standard_rate, a.first_n, a.last_n, a.ladder_rates,
                                a.cap, a.base_from, a.base_amounts, a.em_years, a.em_amounts, a.em_verified,
                                a.rl_years, a.rl_kinds, a.rl_ops, a.rl_values, a.rl_standard_only) y$$,
    $$VALUES ('FY2016'::fiscal_year, 1, '10000'::tco2, '0.080', true, NULL::text, '0.080', '800'::tco2, '4000'::tco2, true, '6000'::tco2, '5000'::tco2),
             ('FY2017', 2, '10000', '0.080', true, 'b', '0.04', '400', '10000', false, '0', '0'),
             ('FY2018', 3, '11000', '0.080', true, NULL, '0.080', '880', NULL, false, NULL, NULL),
             ('FY2019', 4, '11000', '0.080', true, NULL, '0.080', '880', '9000', true, '2000', '2000')$$,
    'years from coverage start, bases in any order, the first rung in first_n order, the lowest relief (b: 0.04, a: 0.04, tie to the first given), standard-only relief skipped on a transitional rate, the cap at half the base');

SELECT results_eq($$
    SELECT t.* FROM args a, period_totals(a.coverage_start, a.years, a.standard_rate, a.first_n, a.last_n, a.ladder_rates,
                                          a.cap, a.base_from, a.base_amounts, a.em_years, a.em_amounts, a.em_verified,
                                          a.rl_years, a.rl_kinds, a.rl_ops, a.rl_values, a.rl_standard_only) t$$,
    $$VALUES (4, 2, 'FY2016'::fiscal_year, 'FY2019'::fiscal_year, '42000'::tco2, '2960'::tco2, '1680'::tco2,
              '13000'::tco2, '8000'::tco2, '7000'::tco2, '5320'::tco2, true)$$,
    'totals: every covered year''s base and target, the verified years'' emissions, target, reductions, excess; pending');

SELECT is((SELECT count(*) FROM args a, period_years('FY2020', a.years, a.standard_rate, NULL, NULL, NULL, NULL,
                                                  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)),
          0::bigint, 'coverage starting after the period: no years');
SELECT is((SELECT count(*) FROM period_totals(NULL, 'FY2015-FY2019', 0.15, NULL, NULL, NULL, NULL,
                                              NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)),
          0::bigint, 'no coverage: no totals');
SELECT results_eq($$SELECT y.base, y.rate, y.target, y.verified FROM period_years('FY2015', 'FY2015-FY2015', NULL, NULL, NULL, NULL, NULL,
                                                     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL) y$$,
                  $$VALUES (NULL::tco2, NULL::numeric, NULL::tco2, false)$$,
                  'without rows, a covered year has no base, rate or target and is not verified');
SELECT results_eq($$SELECT t.years_covered, t.base_total, t.target_total, t.excess, t.pending
                      FROM period_totals('FY2015', 'FY2015-FY2016', NULL, NULL, NULL, NULL, NULL,
                                         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL) t$$,
                  $$VALUES (2, '0'::tco2, '0'::tco2, '0'::tco2, true)$$,
                  'without rows, totals are zero and pending');

SELECT results_eq($$SELECT t.years_verified, t.reduction_total, t.counted_total, t.excess, t.pending
                      FROM period_totals('FY2015', 'FY2015-FY2015', NULL, NULL, NULL, NULL, 0.5,
                                         ARRAY['FY2015']::fiscal_year[], ARRAY['10000']::tco2[],
                                         ARRAY['FY2015']::fiscal_year[], ARRAY['6000']::tco2[], ARRAY[true],
                                         NULL, NULL, NULL, NULL, NULL) t$$,
                  $$VALUES (1, '4000'::tco2, '0'::tco2, '0'::tco2, true)$$,
                  'a verified year without a rate counts its reduction but earns no excess');

SELECT throws_ok($$SELECT * FROM period_years('FY2015', 'FY2015-FY2019', 0.15, NULL, NULL, NULL, NULL,
                                             ARRAY['FY2015']::fiscal_year[], ARRAY['1', '2']::tco2[],
                                             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$,
                 '2202E', 'the arrays of base emissions must have the same length', 'arrays of one kind of row must match in length');
SELECT throws_ok($$SELECT * FROM period_years('FY2015', 'FY2015-FY2019', 0.15, NULL, NULL, NULL, NULL,
                                             ARRAY['FY2015', NULL]::fiscal_year[], ARRAY['1', '2']::tco2[],
                                             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$,
                 '22004', 'base_from must not contain nulls', 'null elements are refused where a row cannot have them');
SELECT throws_ok($$SELECT * FROM period_years('FY2015', 'FY2015-FY2019', 0.15, ARRAY[1], ARRAY[NULL::int], ARRAY[0.1, 0.2], NULL,
                                             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$,
                 '2202E', NULL, 'ladder arrays must match in length');
SELECT throws_ok($$SELECT * FROM period_years('FY2015', 'FY2015-FY2019', 0.15, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                             ARRAY['FY2015']::fiscal_year[], ARRAY['x'], ARRAY['divide'], ARRAY[2.0], ARRAY[false])$$,
                 '22023', 'invalid relief operation: "divide"', 'an unknown relief operation is refused');
SELECT throws_ok($$SELECT * FROM period_years('FY2015', 'FY2015-FY2019', -0.15, NULL, NULL, NULL, NULL,
                                             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$,
                 '22023', 'target rate must not be negative', 'a negative rate is refused');
SELECT throws_ok($$SELECT * FROM period_years('FY2015', 'FY2015-FY2019', 1.5, NULL, NULL, NULL, NULL,
                                             ARRAY['FY2015']::fiscal_year[], ARRAY['9000000000000000']::tco2[],
                                             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$,
                 '22003', NULL, 'a target beyond tco2''s range is refused');
SELECT throws_ok($$SELECT * FROM period_totals('FY2015', 'FY2015-FY2019', 0.1, NULL, NULL, NULL, NULL,
                                              ARRAY['FY2015']::fiscal_year[], ARRAY['9000000000000000']::tco2[],
                                              NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$,
                 '22003', NULL, 'a total beyond tco2''s range is refused');
SELECT throws_ok($$SELECT * FROM period_years('FY2015', 'FY2015-FY2019', 0.15, NULL, NULL, NULL, NULL,
                                             ARRAY[['FY2015']]::fiscal_year[], ARRAY[['1']]::tco2[],
                                             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$,
                 '2202E', 'base_from must be a one-dimensional array', 'multidimensional arrays are refused');

SELECT * FROM finish();
ROLLBACK;
