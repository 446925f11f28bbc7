-- The compliance engine: views that gather rows set-wise and call the rule
-- formulas (40_rules.sql) once per facility-year. Coverage, base emissions,
-- rates, targets and reductions all come from here, so assessment,
-- projection, issuance of excess and the reports share one evaluation.

-- Coverage: covered from the fiscal year after the coverage_years-th of a run
-- of consecutive full years at or above the programme's energy threshold, and
-- not before the programme's first plan period. A part-way first year never
-- counts (energy_use.full_year = false). This computes it for any facilities;
-- tsetp.coverage keeps the result, refreshed by triggers whenever energy use
-- or the programme's parameters change, so that reports need not recompute
-- it from every year of energy data.
CREATE FUNCTION tsetp.computed_coverage(facility_ids bigint[])
    RETURNS TABLE (facility_id bigint, coverage_start tsetp.fiscal_year)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT q.facility_id,
           GREATEST((min(q.run_start) + q.coverage_years)::tsetp.fiscal_year,
                    (SELECT tsetp.min(tsetp.lower(pp.years)) FROM tsetp.plan_period pp
                      WHERE pp.programme = q.programme))
      FROM (SELECT r.facility_id, r.programme, r.coverage_years,
                   min(r.year) AS run_start, count(*) AS run_length
              FROM (SELECT e.facility_id, f.programme, e.fy::int AS year, p.coverage_years,
                           e.fy::int - row_number() OVER (PARTITION BY e.facility_id ORDER BY e.fy) AS island
                      FROM tsetp.energy_use e
                      JOIN tsetp.facility f ON f.id = e.facility_id
                      JOIN tsetp.programme p ON p.code = f.programme
                     WHERE e.facility_id = ANY ($1)
                       AND e.full_year AND e.crude_oil_kl >= p.coverage_kl) r
             GROUP BY r.facility_id, r.programme, r.coverage_years, r.island) q
     WHERE q.run_length >= q.coverage_years
     GROUP BY q.facility_id, q.programme, q.coverage_years;
END;
COMMENT ON FUNCTION tsetp.computed_coverage(bigint[]) IS 'First covered fiscal year of the given facilities, computed from their energy use and the programme''s coverage rule';

CREATE TABLE tsetp.coverage (
    facility_id    bigint PRIMARY KEY REFERENCES tsetp.facility ON DELETE CASCADE,
    coverage_start tsetp.fiscal_year NOT NULL
);
COMMENT ON TABLE tsetp.coverage IS 'First covered fiscal year of each covered facility, kept equal to tsetp.computed_coverage() by triggers on energy use, programmes and plan periods';

-- Recomputes the coverage of the given facilities.
CREATE FUNCTION tsetp.refresh_coverage(facility_ids bigint[]) RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    DELETE FROM tsetp.coverage c
     WHERE c.facility_id = ANY ($1)
       AND NOT EXISTS (SELECT 1 FROM tsetp.computed_coverage($1) n
                        WHERE n.facility_id = c.facility_id AND n.coverage_start = c.coverage_start);
    INSERT INTO tsetp.coverage (facility_id, coverage_start)
    SELECT n.facility_id, n.coverage_start FROM tsetp.computed_coverage($1) n
    ON CONFLICT (facility_id) DO UPDATE SET coverage_start = excluded.coverage_start
     WHERE tsetp.coverage.coverage_start <> excluded.coverage_start;
END;
COMMENT ON FUNCTION tsetp.refresh_coverage(bigint[]) IS 'Recomputes tsetp.coverage for the given facilities';

-- Statement triggers: one recomputation per statement, however many rows.
CREATE FUNCTION tsetp.energy_use_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tsetp.refresh_coverage(ARRAY(SELECT DISTINCT n.facility_id FROM new_rows n));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tsetp.refresh_coverage(ARRAY(SELECT n.facility_id FROM new_rows n
                                              UNION SELECT o.facility_id FROM old_rows o));
    ELSE
        PERFORM tsetp.refresh_coverage(ARRAY(SELECT DISTINCT o.facility_id FROM old_rows o));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION tsetp.energy_use_changed() IS 'Trigger: refreshes the coverage of the facilities whose energy use a statement changed (as the owner: coverage is derived, no role writes it)';
CREATE TRIGGER energy_use_inserted AFTER INSERT ON tsetp.energy_use
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tsetp.energy_use_changed();
CREATE TRIGGER energy_use_updated AFTER UPDATE ON tsetp.energy_use
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tsetp.energy_use_changed();
CREATE TRIGGER energy_use_deleted AFTER DELETE ON tsetp.energy_use
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tsetp.energy_use_changed();

-- A change of the coverage rule or of a programme's periods recomputes the
-- coverage of every facility of the programmes concerned.
CREATE FUNCTION tsetp.coverage_rule_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_NAME = 'programme' THEN
        PERFORM tsetp.refresh_coverage(ARRAY(
            SELECT f.id FROM tsetp.facility f WHERE f.programme IN (SELECT n.code FROM new_rows n)));
    ELSIF TG_TABLE_NAME = 'plan_period' THEN
        PERFORM tsetp.refresh_coverage(ARRAY(
            SELECT f.id FROM tsetp.facility f WHERE f.programme IN (SELECT n.programme FROM new_rows n)));
    ELSE
        PERFORM tsetp.refresh_coverage(ARRAY(SELECT n.id FROM new_rows n));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION tsetp.coverage_rule_changed() IS 'Trigger: refreshes coverage when a programme''s coverage rule or its plan periods change';
CREATE TRIGGER programme_coverage_rule AFTER UPDATE ON tsetp.programme
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tsetp.coverage_rule_changed();
CREATE TRIGGER plan_period_coverage_rule AFTER INSERT ON tsetp.plan_period
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tsetp.coverage_rule_changed();
CREATE TRIGGER plan_period_coverage_rule_update AFTER UPDATE ON tsetp.plan_period
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tsetp.coverage_rule_changed();
CREATE TRIGGER facility_coverage_rule AFTER UPDATE ON tsetp.facility
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tsetp.coverage_rule_changed();

CREATE VIEW tsetp.facility_coverage AS
SELECT c.facility_id, c.coverage_start FROM tsetp.coverage c;
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

-- The transitional rate of the n-th year of coverage in a period, from the
-- programme's ladder rows; NULL when no rung applies. (A function, not an
-- inline subquery, so that the planner does not count a subquery per
-- facility-year in its estimates: reports stay below the JIT thresholds.)
CREATE FUNCTION tsetp.ladder_rate(programme text, period_no int, category text, n int) RETURNS numeric
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT t.rate FROM tsetp.transitional_rate t
             WHERE t.programme = $1 AND t.period_no = $2 AND t.category = $3
               AND tsetp.rung_applies($4, t.first_n, t.last_n)
             ORDER BY t.first_n LIMIT 1);
COMMENT ON FUNCTION tsetp.ladder_rate(text, int, text, int) IS
    'Transitional rate of the n-th year of coverage in a period and category (経過措置); NULL when no rung applies';

-- Which of a year's certified reliefs applies: the one giving the lowest
-- rate (ties: the first kind by name); standard-only reliefs never apply to
-- transitional rates. Returns the position in the arrays, NULL for none.
CREATE FUNCTION tsetp.best_relief(rate numeric, transitional boolean, kinds text[],
                                  operations text[], relief_values numeric[], standard_only boolean[])
    RETURNS int
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (SELECT u.i FROM unnest($3, $4, $5, $6) WITH ORDINALITY AS u(kind, operation, value, standard_only, i)
             WHERE NOT (u.standard_only AND $2)
             ORDER BY tsetp.apply_relief($1, u.operation, u.value), u.kind
             LIMIT 1);
COMMENT ON FUNCTION tsetp.best_relief(numeric, boolean, text[], text[], numeric[], boolean[]) IS
    'The relief that applies among a year''s certified ones: the lowest resulting rate wins; standard-only reliefs skip transitional rates';

-- One row per covered fiscal year of every plan period: base, effective
-- rate (standard, transitional ladder, relief), target, emissions and
-- reductions. Everything the assessment, projection and issuance need.
CREATE VIEW tsetp.facility_year AS
WITH facility_period AS (
    -- Everything that is fixed for a facility within a period is looked up
    -- once per facility and period, not once per year.
    SELECT f.id AS facility_id, f.programme, f.category, pp.period_no, pp.years,
           c.coverage_start, s.rate AS standard_rate, p.reduction_cap,
           CASE WHEN c.coverage_start >= p.transitional_from THEN f.category END AS ladder_category
      FROM tsetp.facility f
      JOIN tsetp.programme p ON p.code = f.programme
      JOIN tsetp.coverage c ON c.facility_id = f.id
      JOIN tsetp.plan_period pp ON pp.programme = f.programme
      LEFT JOIN tsetp.target_rate s
             ON s.programme = f.programme AND s.period_no = pp.period_no AND s.category = f.category
), rated AS (
    SELECT y.*,
           COALESCE(y.transitional_rate, y.standard_rate) AS rate_before_relief,
           y.transitional_rate IS NOT NULL AS transitional
      FROM (SELECT fp.facility_id, fp.programme, fp.category, fp.period_no, y.fy, fp.reduction_cap,
                   fp.standard_rate,
                   tsetp.coverage_year_number(fp.coverage_start, y.fy) AS coverage_year,
                   -- the transitional ladder, looked up only for facilities
                   -- covered late enough to be on it
                   CASE WHEN fp.ladder_category IS NOT NULL THEN
                       tsetp.ladder_rate(fp.programme, fp.period_no, fp.ladder_category,
                                         tsetp.coverage_year_number(fp.coverage_start, y.fy))
                   END AS transitional_rate
              FROM facility_period fp
             -- the covered years of the period (none when coverage starts
             -- after it: fiscal_years(NULL) is empty), written without a
             -- filter so that the planner counts the rows right
             CROSS JOIN LATERAL tsetp.fiscal_years(
                   CASE WHEN fp.coverage_start <= tsetp.upper(fp.years)
                        THEN tsetp.fiscal_period(GREATEST(tsetp.lower(fp.years), fp.coverage_start),
                                                 tsetp.upper(fp.years))
                   END) AS y(fy)) y
), gathered AS (
    SELECT r.*, b.amount AS base, e.amount AS emissions, (e.verified_by IS NOT NULL) AS verified,
           cr.kinds, cr.operations, cr.relief_values, cr.standard_only
      FROM rated r
      LEFT JOIN tsetp.base_history b
             ON b.facility_id = r.facility_id AND r.fy >= b.effective_from
            AND (b.effective_until IS NULL OR r.fy < b.effective_until)
      -- emissions of the period's years only (the period is known before
      -- the emission rows are read, so other years never reach the join)
      LEFT JOIN (SELECT e.facility_id, ep.programme, ep.period_no, e.fy, e.amount, e.verified_by
                   FROM tsetp.emission e
                   JOIN tsetp.plan_period ep
                     ON e.fy >= tsetp.lower(ep.years) AND e.fy <= tsetp.upper(ep.years)) e
             ON e.facility_id = r.facility_id AND e.programme = r.programme
            AND e.period_no = r.period_no AND e.fy = r.fy
      LEFT JOIN (
            SELECT ce.facility_id, cp.period_no, ce.fy,
                   array_agg(ce.kind ORDER BY ce.kind) AS kinds,
                   array_agg(x.operation ORDER BY ce.kind) AS operations,
                   array_agg(x.value ORDER BY ce.kind) AS relief_values,
                   array_agg(x.standard_only ORDER BY ce.kind) AS standard_only
              FROM tsetp.certification ce
              JOIN tsetp.facility cf ON cf.id = ce.facility_id
              JOIN tsetp.plan_period cp ON cp.programme = cf.programme AND cp.years @> ce.fy
              JOIN tsetp.relief x ON x.programme = cf.programme AND x.period_no = cp.period_no AND x.kind = ce.kind
             GROUP BY ce.facility_id, cp.period_no, ce.fy) cr
             ON cr.facility_id = r.facility_id AND cr.period_no = r.period_no AND cr.fy = r.fy
), relieved AS (
    -- One relief applies, the one giving the lowest rate; standard-only
    -- reliefs never apply to transitional rates. Only certified years pay
    -- for the choice.
    SELECT g.*,
           CASE WHEN g.kinds IS NOT NULL THEN
               tsetp.best_relief(g.rate_before_relief, g.transitional, g.kinds,
                                 g.operations, g.relief_values, g.standard_only)
           END AS chosen
      FROM gathered g
)
SELECT v.facility_id, v.programme, v.category, v.period_no, v.fy, v.coverage_year,
       v.base,
       v.rate_before_relief,
       v.transitional,
       v.kinds[v.chosen] AS relief,
       COALESCE(tsetp.apply_relief(v.rate_before_relief, v.operations[v.chosen], v.relief_values[v.chosen]),
                v.rate_before_relief) AS rate,
       tsetp.year_target(v.base,
                         COALESCE(tsetp.apply_relief(v.rate_before_relief, v.operations[v.chosen],
                                                     v.relief_values[v.chosen]),
                                  v.rate_before_relief)) AS target,
       v.emissions,
       v.verified,
       v.base - v.emissions AS reduction,
       tsetp.counted_reduction(v.base, v.emissions, v.reduction_cap) AS counted_reduction
  FROM relieved v;
COMMENT ON VIEW tsetp.facility_year IS 'Each covered fiscal year of each facility and plan period: base, effective rate, target, emissions, reduction and counted (capped) reduction';

-- What the caller may see of facility_year: its own facilities (an
-- operator), every facility (the prefecture).
CREATE VIEW tsetp.my_facility_year AS
SELECT y.* FROM tsetp.facility_year y
  JOIN tsetp.facility f ON f.id = y.facility_id
 WHERE tsetp.sees_holder(f.operator);
COMMENT ON VIEW tsetp.my_facility_year IS 'facility_year restricted to the facilities the current role may see';

CREATE FUNCTION tsetp.rate_at(facility_id bigint, fy tsetp.fiscal_year) RETURNS numeric
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT y.rate FROM tsetp.my_facility_year y WHERE y.facility_id = $1 AND y.fy = $2);
COMMENT ON FUNCTION tsetp.rate_at(bigint, tsetp.fiscal_year) IS 'Effective target rate of the facility in a fiscal year (0.22 = 22%): category and period, transitional ladder, and the lowest relief certified; NULL where not covered';

-- Per facility and plan period: the totals the assessment, the projection
-- and the issuance of excess reduction are computed from. Reductions and
-- excess count verified years only; pending while any covered year lacks
-- verified emissions or a base.
CREATE VIEW tsetp.facility_period_reduction AS
SELECT t.facility_id, t.programme, t.category, t.period_no,
       t.years_covered, t.years_verified, t.first_year, t.last_verified_year,
       t.base_total, t.target_total, t.emissions_total, t.reduction_total, t.counted_total,
       tsetp.excess_reduction(t.counted_total, t.target_verified) AS excess,
       t.pending
  FROM (SELECT y.facility_id, y.programme, y.category, y.period_no,
               pg_catalog.count(*)::int AS years_covered,
               pg_catalog.count(y.emissions_verified)::int AS years_verified,
               tsetp.min(y.fy) AS first_year,
               tsetp.max(y.fy) FILTER (WHERE y.verified) AS last_verified_year,
               COALESCE(tsetp.sum(y.base), '0') AS base_total,
               COALESCE(tsetp.sum(y.target), '0') AS target_total,
               COALESCE(tsetp.sum(y.target) FILTER (WHERE y.verified), '0') AS target_verified,
               COALESCE(tsetp.sum(y.emissions_verified), '0') AS emissions_total,
               COALESCE(tsetp.sum(y.reduction) FILTER (WHERE y.verified), '0') AS reduction_total,
               COALESCE(tsetp.sum(y.counted_reduction) FILTER (WHERE y.verified), '0') AS counted_total,
               pg_catalog.bool_or(NOT y.verified OR y.base IS NULL OR y.rate IS NULL) AS pending
          FROM (SELECT fy.*, CASE WHEN fy.verified THEN fy.emissions END AS emissions_verified
                  FROM tsetp.facility_year fy) y
         GROUP BY y.facility_id, y.programme, y.category, y.period_no) t;
COMMENT ON VIEW tsetp.facility_period_reduction IS 'Totals per facility and plan period over its covered years: base, target, verified emissions, reduction, capped reduction and excess so far';
