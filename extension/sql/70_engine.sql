-- The compliance engine: views that gather rows set-wise and call the rule
-- formulas (40_rules.sql) once per facility-year. Coverage, base emissions,
-- rates, targets and reductions all come from here, so assessment,
-- projection, issuance of excess and the reports share one evaluation.

-- Coverage: covered from the fiscal year after the coverage_years-th of a run
-- of consecutive full years at or above the programme's energy threshold. A
-- part-way first year never counts (energy_use.full_year = false).
CREATE VIEW tsetp.facility_coverage AS
SELECT q.facility_id,
       GREATEST((pg_catalog.min(q.run_start) + q.coverage_years)::tsetp.fiscal_year,
                (SELECT tsetp.min(tsetp.lower(pp.years)) FROM tsetp.plan_period pp
                  WHERE pp.programme = q.programme)) AS coverage_start
  FROM (SELECT r.facility_id, r.programme, r.coverage_years,
               pg_catalog.min(r.year) AS run_start, pg_catalog.count(*) AS run_length
          FROM (SELECT e.facility_id, f.programme, e.fy::int AS year, p.coverage_years,
                       e.fy::int - pg_catalog.row_number() OVER (PARTITION BY e.facility_id ORDER BY e.fy) AS island
                  FROM tsetp.energy_use e
                  JOIN tsetp.facility f ON f.id = e.facility_id
                  JOIN tsetp.programme p ON p.code = f.programme
                 WHERE e.full_year AND e.crude_oil_kl >= p.coverage_kl) r
         GROUP BY r.facility_id, r.programme, r.coverage_years, r.island) q
 WHERE q.run_length >= q.coverage_years
 GROUP BY q.facility_id, q.programme, q.coverage_years;
COMMENT ON VIEW tsetp.facility_coverage IS 'First covered fiscal year of each covered facility: the year after three consecutive full years at 1,500 kL or more (as configured), and not before the programme''s first plan period';

CREATE FUNCTION tsetp.coverage_start(facility_id bigint) RETURNS tsetp.fiscal_year
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT c.coverage_start FROM tsetp.facility_coverage c WHERE c.facility_id = $1);
COMMENT ON FUNCTION tsetp.coverage_start(bigint) IS 'First fiscal year in which the facility is covered; NULL while it is not';

-- Base emissions in force, as half-open runs of fiscal years.
CREATE VIEW tsetp.base_history AS
SELECT b.facility_id, b.effective_from,
       pg_catalog.lead(b.effective_from) OVER (PARTITION BY b.facility_id ORDER BY b.effective_from) AS effective_until,
       b.amount, b.method, b.reason
  FROM tsetp.base_emission b;
COMMENT ON VIEW tsetp.base_history IS 'Base emissions of each facility with the fiscal year each value stops applying (NULL: still in force)';

CREATE FUNCTION tsetp.base_at(facility_id bigint, fy tsetp.fiscal_year) RETURNS tsetp.tco2
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT b.amount FROM tsetp.base_emission b
             WHERE b.facility_id = $1 AND b.effective_from <= $2
             ORDER BY b.effective_from DESC LIMIT 1);
COMMENT ON FUNCTION tsetp.base_at(bigint, tsetp.fiscal_year) IS 'Base emissions in force for the facility in a fiscal year, revisions applied; NULL before the first';

-- Every candidate for historical base emissions: averages of
-- base_average_years consecutive years within the window that applies (the
-- programme's historical window for a facility covered from its first
-- period, else the new_base_lookback_years before coverage starts).
CREATE FUNCTION tsetp.base_candidates(facility_id bigint)
    RETURNS TABLE (years tsetp.fiscal_period, average tsetp.tco2)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH f AS (
        SELECT f.id, p.base_average_years AS n,
               CASE WHEN c.coverage_start <= (SELECT tsetp.lower(pp.years) FROM tsetp.plan_period pp
                                                  WHERE pp.programme = p.code ORDER BY pp.period_no LIMIT 1)
                    THEN p.historical_base_years
                    ELSE tsetp.fiscal_period(c.coverage_start - p.new_base_lookback_years,
                                             c.coverage_start - 1)
               END AS window_years
          FROM tsetp.facility f
          JOIN tsetp.programme p ON p.code = f.programme
          JOIN tsetp.facility_coverage c ON c.facility_id = f.id
         WHERE f.id = $1
    ), runs AS (
        SELECT tsetp.fiscal_period(s.fy, s.fy + (f.n - 1)) AS years, f.n
          FROM f CROSS JOIN LATERAL tsetp.fiscal_years(f.window_years) AS s(fy)
         WHERE (s.fy + (f.n - 1)) <@ f.window_years
    )
    SELECT r.years, tsetp.sum(e.amount) / r.n
      FROM runs r
      JOIN tsetp.emission e ON e.facility_id = $1 AND e.fy <@ r.years
     GROUP BY r.years, r.n
    HAVING pg_catalog.count(*) = r.n
     ORDER BY r.years;
END;
COMMENT ON FUNCTION tsetp.base_candidates(bigint) IS 'The three-consecutive-year averages the operator may choose as historical base emissions';

CREATE FUNCTION tsetp.standard_base(programme text, use text, floor_area_m2 numeric) RETURNS tsetp.tco2
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT pg_catalog.round($3 * i.t_per_m2, 3)::tsetp.tco2
              FROM tsetp.standard_intensity i WHERE i.programme = $1 AND i.use = $2);
COMMENT ON FUNCTION tsetp.standard_base(text, text, numeric) IS 'Base emissions from floor area × the standard emission intensity of the use (commercial 0.160 t/m²: 50,000 m² → 8,000 t)';

-- One row per covered fiscal year of every plan period: base, effective
-- rate (standard, transitional ladder, relief), target, emissions and
-- reductions. Everything the assessment, projection and issuance need.
CREATE VIEW tsetp.facility_year AS
WITH years AS (
    SELECT f.id AS facility_id, f.programme, f.category, pp.period_no, y.fy,
           tsetp.coverage_year_number(c.coverage_start, y.fy) AS coverage_year,
           (p.transitional_from IS NOT NULL AND c.coverage_start >= p.transitional_from) AS on_ladder,
           p.reduction_cap
      FROM tsetp.facility f
      JOIN tsetp.programme p ON p.code = f.programme
      JOIN tsetp.facility_coverage c ON c.facility_id = f.id
      JOIN tsetp.plan_period pp ON pp.programme = f.programme
     CROSS JOIN LATERAL tsetp.fiscal_years(pp.years) AS y(fy)
     WHERE y.fy >= c.coverage_start
), rated AS (
    SELECT y.*, COALESCE(t.rate, s.rate) AS rate_before_relief, t.rate IS NOT NULL AS transitional
      FROM years y
      LEFT JOIN tsetp.target_rate s
             ON s.programme = y.programme AND s.period_no = y.period_no AND s.category = y.category
      LEFT JOIN tsetp.transitional_rate t
             ON y.on_ladder AND t.programme = y.programme AND t.period_no = y.period_no
            AND t.category = y.category AND tsetp.rung_applies(y.coverage_year, t.first_n, t.last_n)
)
SELECT r.facility_id, r.programme, r.category, r.period_no, r.fy, r.coverage_year,
       b.amount AS base,
       r.rate_before_relief,
       r.transitional,
       rl.kind AS relief,
       COALESCE(rl.rate, r.rate_before_relief) AS rate,
       tsetp.year_target(b.amount, COALESCE(rl.rate, r.rate_before_relief)) AS target,
       e.amount AS emissions,
       (e.verified_by IS NOT NULL) AS verified,
       b.amount - e.amount AS reduction,
       tsetp.counted_reduction(b.amount, e.amount, r.reduction_cap) AS counted_reduction
  FROM rated r
  LEFT JOIN tsetp.base_history b
         ON b.facility_id = r.facility_id AND r.fy >= b.effective_from
        AND (b.effective_until IS NULL OR r.fy < b.effective_until)
  LEFT JOIN tsetp.emission e ON e.facility_id = r.facility_id AND e.fy = r.fy
  LEFT JOIN LATERAL (
        SELECT ce.kind, tsetp.apply_relief(r.rate_before_relief, x.operation, x.value) AS rate
          FROM tsetp.certification ce
          JOIN tsetp.relief x ON x.programme = r.programme AND x.period_no = r.period_no AND x.kind = ce.kind
         WHERE ce.facility_id = r.facility_id AND ce.fy = r.fy
           AND NOT (x.standard_only AND r.transitional)
         ORDER BY 2, 1
         LIMIT 1) rl ON true;
COMMENT ON VIEW tsetp.facility_year IS 'Each covered fiscal year of each facility and plan period: base, effective rate, target, emissions, reduction and counted (capped) reduction';

CREATE FUNCTION tsetp.rate_at(facility_id bigint, fy tsetp.fiscal_year) RETURNS numeric
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT y.rate FROM tsetp.facility_year y WHERE y.facility_id = $1 AND y.fy = $2);
COMMENT ON FUNCTION tsetp.rate_at(bigint, tsetp.fiscal_year) IS 'Effective target rate of the facility in a fiscal year (0.22 = 22%): category and period, transitional ladder, and the lowest relief certified; NULL where not covered';

-- Per facility and plan period: the totals the assessment, the projection
-- and the issuance of excess reduction are computed from. Reductions and
-- excess count verified years only; pending while any covered year lacks
-- verified emissions or a base.
CREATE VIEW tsetp.facility_period_reduction AS
SELECT y.facility_id, y.programme, y.category, y.period_no,
       pg_catalog.count(*)::int AS years_covered,
       pg_catalog.count(*) FILTER (WHERE y.verified)::int AS years_verified,
       tsetp.min(y.fy) AS first_year,
       tsetp.max(y.fy) FILTER (WHERE y.verified) AS last_verified_year,
       COALESCE(tsetp.sum(y.base), '0') AS base_total,
       COALESCE(tsetp.sum(y.target), '0') AS target_total,
       COALESCE(tsetp.sum(y.emissions) FILTER (WHERE y.verified), '0') AS emissions_total,
       COALESCE(tsetp.sum(y.reduction) FILTER (WHERE y.verified), '0') AS reduction_total,
       COALESCE(tsetp.sum(y.counted_reduction) FILTER (WHERE y.verified), '0') AS counted_total,
       tsetp.excess_reduction(COALESCE(tsetp.sum(y.counted_reduction) FILTER (WHERE y.verified), '0'),
                              COALESCE(tsetp.sum(y.target) FILTER (WHERE y.verified), '0')) AS excess,
       pg_catalog.bool_or(NOT y.verified OR y.base IS NULL OR y.rate IS NULL) AS pending
  FROM tsetp.facility_year y
 GROUP BY y.facility_id, y.programme, y.category, y.period_no;
COMMENT ON VIEW tsetp.facility_period_reduction IS 'Totals per facility and plan period over its covered years: base, target, verified emissions, reduction, capped reduction and excess so far';
