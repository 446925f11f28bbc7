-- The compliance engine: views that gather each facility-period's rows
-- set-wise and evaluate it once, in C, with the rule formulas of
-- 40_rules.sql (period_years, period_totals). Coverage, base emissions,
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
-- base_average_years consecutive years within the window that applies: the
-- programme's historical window for an existing facility (one that used
-- coverage_kl in every full year of existing_use_years, or, where the
-- programme sets none, one covered from its first period), else the
-- new_base_lookback_years before coverage starts.
CREATE FUNCTION tsetp.base_candidates(facility_id bigint)
    RETURNS TABLE (years tsetp.fiscal_period, average tsetp.tco2)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH f AS (
        SELECT f.id, p.base_average_years AS n,
               CASE WHEN CASE WHEN p.existing_use_years IS NOT NULL
                              THEN (SELECT pg_catalog.count(*) FROM tsetp.energy_use u
                                     WHERE u.facility_id = f.id AND u.fy <@ p.existing_use_years
                                       AND u.full_year AND u.crude_oil_kl >= p.coverage_kl)
                                   = tsetp.upper(p.existing_use_years)::int - tsetp.lower(p.existing_use_years)::int + 1
                              ELSE c.coverage_start <= (SELECT tsetp.lower(pp.years) FROM tsetp.plan_period pp
                                                         WHERE pp.programme = p.code ORDER BY pp.period_no LIMIT 1)
                         END
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

-- The evaluation of a facility's plan period, year by year (period.c): the
-- covered years, the base in force, the rate before relief (the first rung
-- of the transitional ladder that applies, else the standard rate), the
-- relief giving the lowest rate, then target, reduction and counted
-- reduction, with the same formulas as year_target(), apply_relief(),
-- counted_reduction() and the others. period_years() returns the years,
-- period_totals() the period's totals.
CREATE FUNCTION tsetp.period_years(
        coverage_start tsetp.fiscal_year, years tsetp.fiscal_period, standard_rate numeric,
        ladder_first_n int[], ladder_last_n int[], ladder_rates numeric[], reduction_cap numeric,
        base_from tsetp.fiscal_year[], base_amounts tsetp.tco2[],
        emission_years tsetp.fiscal_year[], emission_amounts tsetp.tco2[], emission_verified boolean[],
        relief_years tsetp.fiscal_year[], relief_kinds text[], relief_operations text[],
        relief_values numeric[], relief_standard_only boolean[])
    RETURNS TABLE (fy tsetp.fiscal_year, coverage_year int, base tsetp.tco2,
                   rate_before_relief numeric, transitional boolean, relief text, rate numeric,
                   target tsetp.tco2, emissions tsetp.tco2, verified boolean,
                   reduction tsetp.tco2, counted_reduction tsetp.tco2)
    AS 'MODULE_PATHNAME', 'tsetp_period_years'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION tsetp.period_years(tsetp.fiscal_year, tsetp.fiscal_period, numeric, int[], int[], numeric[], numeric,
                                       tsetp.fiscal_year[], tsetp.tco2[], tsetp.fiscal_year[], tsetp.tco2[], boolean[],
                                       tsetp.fiscal_year[], text[], text[], numeric[], boolean[]) IS
    'Each covered year of a facility''s plan period from its rows (as facility_period_input gathers them): base in force, rate before relief (first ladder rung in first_n order that applies, else the standard rate), the relief giving the lowest rate (ties: the first in input order; standard-only reliefs skip transitional rates), target, emissions, reduction and counted reduction';

CREATE FUNCTION tsetp.period_totals(
        coverage_start tsetp.fiscal_year, years tsetp.fiscal_period, standard_rate numeric,
        ladder_first_n int[], ladder_last_n int[], ladder_rates numeric[], reduction_cap numeric,
        base_from tsetp.fiscal_year[], base_amounts tsetp.tco2[],
        emission_years tsetp.fiscal_year[], emission_amounts tsetp.tco2[], emission_verified boolean[],
        relief_years tsetp.fiscal_year[], relief_kinds text[], relief_operations text[],
        relief_values numeric[], relief_standard_only boolean[])
    RETURNS TABLE (years_covered int, years_verified int, first_year tsetp.fiscal_year,
                   last_verified_year tsetp.fiscal_year, base_total tsetp.tco2, target_total tsetp.tco2,
                   target_verified tsetp.tco2, emissions_total tsetp.tco2, reduction_total tsetp.tco2,
                   counted_total tsetp.tco2, excess tsetp.tco2, pending boolean)
    AS 'MODULE_PATHNAME', 'tsetp_period_totals'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION tsetp.period_totals(tsetp.fiscal_year, tsetp.fiscal_period, numeric, int[], int[], numeric[], numeric,
                                        tsetp.fiscal_year[], tsetp.tco2[], tsetp.fiscal_year[], tsetp.tco2[], boolean[],
                                        tsetp.fiscal_year[], text[], text[], numeric[], boolean[]) IS
    'Totals of a facility''s plan period over the years period_years() gives (no row when none is covered): base and target of every covered year; emissions, target and reduction of the verified years, and counted reduction of those with a target (a year without a rate earns no excess); excess = greatest(counted − target of the verified years, 0); pending while a year lacks verified emissions, a base or a rate';

-- Everything the evaluation of a facility's plan period needs, one row per
-- facility and plan period, the facility's rows of the period gathered into
-- arrays: a report then evaluates each facility-period once, without a join
-- per facility-year. A filter on facility_id, programme or period_no reaches
-- every table read.
CREATE VIEW tsetp.facility_period_input AS
SELECT f.id AS facility_id, f.programme, f.category, pp.period_no, pp.years,
       c.coverage_start, s.rate AS standard_rate,
       l.first_n AS ladder_first_n, l.last_n AS ladder_last_n, l.rates AS ladder_rates,
       p.reduction_cap,
       b.effective_from AS base_from, b.amounts AS base_amounts,
       e.fys AS emission_years, e.amounts AS emission_amounts, e.verified AS emission_verified,
       r.fys AS relief_years, r.kinds AS relief_kinds, r.operations AS relief_operations,
       r.relief_values, r.standard_only AS relief_standard_only
  FROM tsetp.facility f
  JOIN tsetp.programme p ON p.code = f.programme
  JOIN tsetp.coverage c ON c.facility_id = f.id
  JOIN tsetp.plan_period pp ON pp.programme = f.programme
  LEFT JOIN tsetp.target_rate s
         ON s.programme = f.programme AND s.period_no = pp.period_no AND s.category = f.category
  -- the transitional ladder, only for facilities covered late enough to be on it
  LEFT JOIN (SELECT t.programme, t.period_no, t.category,
                    pg_catalog.array_agg(t.first_n ORDER BY t.first_n) AS first_n,
                    pg_catalog.array_agg(t.last_n ORDER BY t.first_n) AS last_n,
                    pg_catalog.array_agg(t.rate ORDER BY t.first_n) AS rates
               FROM tsetp.transitional_rate t
              GROUP BY t.programme, t.period_no, t.category) l
         ON l.programme = f.programme AND l.period_no = pp.period_no AND l.category = f.category
        AND c.coverage_start >= p.transitional_from
  LEFT JOIN (SELECT b.facility_id,
                    pg_catalog.array_agg(b.effective_from) AS effective_from,
                    pg_catalog.array_agg(b.amount) AS amounts
               FROM tsetp.base_emission b
              GROUP BY b.facility_id) b
         ON b.facility_id = f.id
  -- emissions of the period's years only (the period is known before the
  -- emission rows are read, so other years never reach the aggregate)
  LEFT JOIN (SELECT e.facility_id, ep.programme, ep.period_no,
                    pg_catalog.array_agg(e.fy) AS fys,
                    pg_catalog.array_agg(e.amount) AS amounts,
                    pg_catalog.array_agg(e.verified_by IS NOT NULL) AS verified
               FROM tsetp.emission e
               JOIN tsetp.plan_period ep
                 ON e.fy >= tsetp.lower(ep.years) AND e.fy <= tsetp.upper(ep.years)
              GROUP BY e.facility_id, ep.programme, ep.period_no) e
         ON e.facility_id = f.id AND e.programme = f.programme AND e.period_no = pp.period_no
  -- certified reliefs, ordered by kind within a year: the first kind wins a tie
  LEFT JOIN (SELECT ce.facility_id, cp.period_no,
                    pg_catalog.array_agg(ce.fy ORDER BY ce.fy, ce.kind) AS fys,
                    pg_catalog.array_agg(ce.kind ORDER BY ce.fy, ce.kind) AS kinds,
                    pg_catalog.array_agg(x.operation ORDER BY ce.fy, ce.kind) AS operations,
                    pg_catalog.array_agg(x.value ORDER BY ce.fy, ce.kind) AS relief_values,
                    pg_catalog.array_agg(x.standard_only ORDER BY ce.fy, ce.kind) AS standard_only
               FROM tsetp.certification ce
               JOIN tsetp.facility cf ON cf.id = ce.facility_id
               JOIN tsetp.plan_period cp ON cp.programme = cf.programme AND cp.years @> ce.fy
               JOIN tsetp.relief x ON x.programme = cf.programme AND x.period_no = cp.period_no AND x.kind = ce.kind
              GROUP BY ce.facility_id, cp.period_no) r
         ON r.facility_id = f.id AND r.period_no = pp.period_no;
COMMENT ON VIEW tsetp.facility_period_input IS 'Per facility and plan period, the rows its evaluation needs: coverage, standard rate, ladder rungs (for facilities on the ladder), cap, base history, the period''s emissions and certified reliefs, as arrays for period_years() and period_totals()';

-- One row per covered fiscal year of every plan period: base, effective
-- rate (standard, transitional ladder, relief), target, emissions and
-- reductions.
CREATE VIEW tsetp.facility_year AS
SELECT i.facility_id, i.programme, i.category, i.period_no,
       y.fy, y.coverage_year, y.base, y.rate_before_relief, y.transitional, y.relief, y.rate,
       y.target, y.emissions, y.verified, y.reduction, y.counted_reduction
  FROM tsetp.facility_period_input i
 CROSS JOIN LATERAL tsetp.period_years(
       i.coverage_start, i.years, i.standard_rate, i.ladder_first_n, i.ladder_last_n, i.ladder_rates,
       i.reduction_cap, i.base_from, i.base_amounts, i.emission_years, i.emission_amounts,
       i.emission_verified, i.relief_years, i.relief_kinds, i.relief_operations, i.relief_values,
       i.relief_standard_only) y;
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
-- verified emissions or a base. The same evaluation as facility_year, summed
-- in C: the totals equal sums over facility_year (a test checks it).
CREATE VIEW tsetp.facility_period_reduction AS
SELECT i.facility_id, i.programme, i.category, i.period_no,
       t.years_covered, t.years_verified, t.first_year, t.last_verified_year,
       t.base_total, t.target_total, t.emissions_total, t.reduction_total, t.counted_total,
       t.excess, t.pending
  FROM tsetp.facility_period_input i
 CROSS JOIN LATERAL tsetp.period_totals(
       i.coverage_start, i.years, i.standard_rate, i.ladder_first_n, i.ladder_last_n, i.ladder_rates,
       i.reduction_cap, i.base_from, i.base_amounts, i.emission_years, i.emission_amounts,
       i.emission_verified, i.relief_years, i.relief_kinds, i.relief_operations, i.relief_values,
       i.relief_standard_only) t;
COMMENT ON VIEW tsetp.facility_period_reduction IS 'Totals per facility and plan period over its covered years: base, target, verified emissions, reduction, capped reduction and excess so far';
