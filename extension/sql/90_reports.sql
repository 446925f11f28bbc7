-- Assessment, projection and the report views. They join the engine's
-- totals (70_engine.sql) with the credits surrendered in the registry
-- (80_registry.sql) and call the rule formulas once per facility-period.

CREATE VIEW tsetp.facility_assessment AS
SELECT r.facility_id, r.programme, r.category, r.period_no,
       r.years_covered, r.years_verified,
       r.base_total, r.target_total, r.emissions_total, r.reduction_total, r.counted_total,
       r.excess,
       COALESCE(s.own_banked, '0') AS own_banked,
       COALESCE(s.other_credits, '0') AS other_credits,
       COALESCE(s.own_banked, '0') + COALESCE(s.other_credits, '0') AS credits_applied,
       CASE WHEN NOT r.pending THEN
            tsetp.shortfall(r.reduction_total, COALESCE(s.own_banked, '0') + COALESCE(s.other_credits, '0'), r.target_total)
       END AS shortfall,
       tsetp.outcome(r.pending, r.reduction_total, r.target_total,
                     COALESCE(s.own_banked, '0'), COALESCE(s.other_credits, '0')) AS outcome,
       p.penalty_factor
  FROM tsetp.facility_period_reduction r
  JOIN tsetp.programme p ON p.code = r.programme
  LEFT JOIN tsetp.surrendered_credit s ON s.facility_id = r.facility_id AND s.period_no = r.period_no;
COMMENT ON VIEW tsetp.facility_assessment IS 'Assessment of every facility and plan period, in tco2: totals, credits applied, shortfall and outcome';

-- What the caller may see of the assessment and the period totals: its own
-- facilities (an operator), every facility (the prefecture).
CREATE VIEW tsetp.my_facility_assessment AS
SELECT a.* FROM tsetp.facility_assessment a
  JOIN tsetp.facility f ON f.id = a.facility_id
 WHERE tsetp.sees_holder(f.operator);
COMMENT ON VIEW tsetp.my_facility_assessment IS 'facility_assessment restricted to the facilities the current role may see';

CREATE VIEW tsetp.my_facility_period AS
SELECT r.* FROM tsetp.facility_period_reduction r
  JOIN tsetp.facility f ON f.id = r.facility_id
 WHERE tsetp.sees_holder(f.operator);
COMMENT ON VIEW tsetp.my_facility_period IS 'facility_period_reduction restricted to the facilities the current role may see';

CREATE FUNCTION tsetp.assess(facility_id bigint, period_no int)
    RETURNS TABLE (base_total tsetp.tco2, target_total tsetp.tco2, emissions_total tsetp.tco2,
                   reduction_total tsetp.tco2, excess tsetp.tco2, shortfall tsetp.tco2,
                   credits_applied tsetp.tco2, outcome text, penalty_obligation tsetp.tco2)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT a.base_total, a.target_total, a.emissions_total, a.reduction_total, a.excess,
           a.shortfall, a.credits_applied, a.outcome,
           CASE WHEN a.outcome = 'not_achieved' THEN tsetp.penalty_obligation(a.shortfall, a.penalty_factor) END
      FROM tsetp.my_facility_assessment a
     WHERE a.facility_id = $1 AND a.period_no = $2;
END;
COMMENT ON FUNCTION tsetp.assess(bigint, int) IS 'Assessment of a facility for a plan period: totals over its covered years, excess (capped at half of base per year), shortfall, credits applied, outcome, and the penalty obligation where the programme has one; no row when the facility is not covered in the period';

CREATE FUNCTION tsetp.projection(facility_id bigint, period_no int)
    RETURNS TABLE (years_reported int, emissions_to_date tsetp.tco2, projected_emissions tsetp.tco2,
                   projected_reduction tsetp.tco2, projected_balance tsetp.tco2,
                   allowed_remaining tsetp.tco2, allowed_remaining_per_year tsetp.tco2)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT r.years_verified, r.emissions_total,
           x.projected_emissions, x.projected_reduction, x.projected_balance,
           x.allowed_remaining, x.allowed_remaining_per_year
      FROM tsetp.my_facility_period r
     CROSS JOIN LATERAL tsetp.projection(r.years_verified, r.years_covered, r.emissions_total,
                                         r.base_total, r.target_total) AS x
     WHERE r.facility_id = $1 AND r.period_no = $2;
END;
COMMENT ON FUNCTION tsetp.projection(bigint, int) IS 'Projection (達成見込み) for a facility and period: the average of the verified years so far continued to the end of the period, and what may still be emitted to meet the target';

CREATE VIEW tsetp.compliance_report AS
SELECT a.programme, pp.period_no, pp.years::text AS period_years,
       f.id AS facility_id, f.code AS facility_code, f.name AS facility_name, f.operator, a.category,
       a.years_covered, a.years_verified,
       a.base_total::numeric AS base_total,
       a.target_total::numeric AS target_total,
       a.emissions_total::numeric AS emissions_total,
       a.reduction_total::numeric AS reduction_total,
       a.excess::numeric AS excess,
       a.own_banked::numeric AS credits_banked,
       a.other_credits::numeric AS credits_acquired,
       a.credits_applied::numeric AS credits_applied,
       a.shortfall::numeric AS shortfall,
       CASE WHEN a.outcome = 'not_achieved'
            THEN tsetp.penalty_obligation(a.shortfall, a.penalty_factor)::numeric END AS penalty_obligation,
       a.outcome
  FROM tsetp.facility_assessment a
  JOIN tsetp.facility f ON f.id = a.facility_id
  JOIN tsetp.plan_period pp ON pp.programme = a.programme AND pp.period_no = a.period_no;
COMMENT ON VIEW tsetp.compliance_report IS 'One row per facility and plan period: base, target, verified emissions and reduction, excess, credits, shortfall and outcome; amounts are numeric tonnes';

CREATE VIEW tsetp.programme_summary AS
SELECT a.programme, a.period_no, pp.years::text AS period_years, a.category, c.name_ja AS category_ja,
       pg_catalog.count(*)::int AS facilities,
       tsetp.sum(a.base_total)::numeric AS base_total,
       tsetp.sum(a.target_total)::numeric AS target_total,
       tsetp.sum(a.reduction_total)::numeric AS reduction_total,
       pg_catalog.round(tsetp.sum(a.target_total) / NULLIF(tsetp.sum(a.base_total), '0'), 4) AS target_rate,
       pg_catalog.round(tsetp.sum(a.reduction_total) / NULLIF(tsetp.sum(a.base_total), '0'), 4) AS reduction_rate,
       pg_catalog.count(*) FILTER (WHERE a.outcome = 'achieved_own')::int AS achieved_own,
       pg_catalog.count(*) FILTER (WHERE a.outcome = 'achieved_banking')::int AS achieved_banking,
       pg_catalog.count(*) FILTER (WHERE a.outcome = 'achieved_trading')::int AS achieved_trading,
       pg_catalog.count(*) FILTER (WHERE a.outcome = 'not_achieved')::int AS not_achieved,
       pg_catalog.count(*) FILTER (WHERE a.outcome = 'pending')::int AS pending
  FROM tsetp.facility_assessment a
  JOIN tsetp.plan_period pp ON pp.programme = a.programme AND pp.period_no = a.period_no
  JOIN tsetp.category c ON c.programme = a.programme AND c.code = a.category
 GROUP BY a.programme, a.period_no, pp.years, a.category, c.name_ja;
COMMENT ON VIEW tsetp.programme_summary IS 'Per programme, plan period and category: facilities, base, target, reduction, rates, and how many achieved by own reduction, with banking, by trading, or not at all';
