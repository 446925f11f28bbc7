
-- Compliance formulas (SPEC §1.3-1.7). One function per rule, so that one
-- formula serves assessment, projection, issuance and the reports. Rates,
-- caps, thresholds and factors are arguments (numeric fractions, 0.22 = 22%)
-- taken from configuration rows, never constants. Amounts are exact; a result
-- between two thousandths of a tonne rounds half away from zero.

CREATE FUNCTION tsetp.year_target(base tsetp.tco2, rate numeric)
    RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tsetp_rules_year_target'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.year_target(tsetp.tco2, numeric) IS
    'Reduction target of a fiscal year, t = base × rate (10000 t at 0.22 = 2200 t), rounded half away from zero to 0.001 t';

-- Not strict: a NULL cap means no cap.
CREATE FUNCTION tsetp.counted_reduction(base tsetp.tco2, emissions tsetp.tco2,
                                        cap numeric)
    RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tsetp_rules_counted_reduction'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.counted_reduction(tsetp.tco2, tsetp.tco2, numeric) IS
    'Reduction of a fiscal year as counted toward excess reduction: base − emissions, a positive reduction counted only up to cap × base (0.5 = half; truncated to 0.001 t so it never exceeds the cap); a NULL cap means no cap; NULL when base or emissions is NULL';

CREATE FUNCTION tsetp.excess_reduction(counted_total tsetp.tco2,
                                       target_total tsetp.tco2)
    RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tsetp_rules_positive_difference'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.excess_reduction(tsetp.tco2, tsetp.tco2) IS
    'Excess reduction (超過削減量): greatest(counted reduction total − target total, 0)';

CREATE FUNCTION tsetp.issuable_excess(cumulative_excess tsetp.tco2,
                                      already_issued tsetp.tco2)
    RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tsetp_rules_positive_difference'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.issuable_excess(tsetp.tco2, tsetp.tco2) IS
    'Excess reduction that may be issued now: greatest(cumulative excess of the verified years − already issued, 0)';

CREATE FUNCTION tsetp.revision_required(current_base tsetp.tco2,
                                        proposed_base tsetp.tco2,
                                        threshold numeric)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'tsetp_rules_revision_required'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.revision_required(tsetp.tco2, tsetp.tco2, numeric) IS
    'True when a change of base emissions is large enough to revise the base: |proposed − current| ≥ threshold × current, exactly (0.06: 10000 t → 10600 t or 9400 t qualify)';

CREATE FUNCTION tsetp.apply_relief(rate numeric, operation text, value numeric)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'tsetp_rules_apply_relief'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.apply_relief(numeric, text, numeric) IS
    'Applies a relief (緩和措置) to a standard rate, exactly: operation ''multiply'' gives rate × value (0.22 × 0.75 = 0.165), ''subtract'' gives rate − value but never below 0 (0.22 − 0.02 = 0.2); result without trailing zeros';

CREATE FUNCTION tsetp.coverage_year_number(coverage_start tsetp.fiscal_year,
                                           fy tsetp.fiscal_year)
    RETURNS integer
    AS 'MODULE_PATHNAME', 'tsetp_rules_coverage_year_number'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.coverage_year_number(tsetp.fiscal_year, tsetp.fiscal_year) IS
    'The n-th year of coverage that fy is (1 = the first covered year, fy − coverage_start + 1); NULL for a year before coverage';

-- Not strict in last_n: NULL means the rung is open-ended.
CREATE FUNCTION tsetp.rung_applies(n integer, first_n integer, last_n integer)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'tsetp_rules_rung_applies'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.rung_applies(integer, integer, integer) IS
    'True when a transitional ladder rung (経過措置) for coverage years first_n..last_n covers the n-th year of coverage; a NULL last_n is open-ended; NULL when n or first_n is NULL';

CREATE FUNCTION tsetp.banking_eligible(vintage_period integer,
                                       target_period integer,
                                       banking_periods integer)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'tsetp_rules_banking_eligible'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.banking_eligible(integer, integer, integer) IS
    'True when a credit of plan period vintage_period may be surrendered for target_period: 0 ≤ target_period − vintage_period ≤ banking_periods (banking, never borrowing)';

CREATE FUNCTION tsetp.outcome(pending boolean, reduction_total tsetp.tco2,
                              target_total tsetp.tco2, own_banked tsetp.tco2,
                              other_credits tsetp.tco2)
    RETURNS text
    AS 'MODULE_PATHNAME', 'tsetp_rules_outcome'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.outcome(boolean, tsetp.tco2, tsetp.tco2, tsetp.tco2, tsetp.tco2) IS
    'Outcome of a plan period: pending while a covered year lacks verified emissions, else achieved_own (reduction ≥ target), achieved_banking (with the facility''s own banked excess), achieved_trading (with other credits too) or not_achieved';

CREATE FUNCTION tsetp.shortfall(reduction_total tsetp.tco2, credits tsetp.tco2,
                                target_total tsetp.tco2)
    RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tsetp_rules_shortfall'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.shortfall(tsetp.tco2, tsetp.tco2, tsetp.tco2) IS
    'Shortfall (削減不足量): greatest(target − reduction − credits, 0)';

CREATE FUNCTION tsetp.projection(years_reported integer, years_total integer,
                                 emissions_to_date tsetp.tco2,
                                 base_total tsetp.tco2,
                                 target_total tsetp.tco2,
                                 OUT projected_emissions tsetp.tco2,
                                 OUT projected_reduction tsetp.tco2,
                                 OUT projected_balance tsetp.tco2,
                                 OUT allowed_remaining tsetp.tco2,
                                 OUT allowed_remaining_per_year tsetp.tco2)
    RETURNS record
    AS 'MODULE_PATHNAME', 'tsetp_rules_projection'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.projection(integer, integer, tsetp.tco2, tsetp.tco2, tsetp.tco2) IS
    'Projection (達成見込み) of a plan period: emissions continue the average of the reported years (emissions_to_date × years_total / years_reported), reduction = base − projected emissions, balance = reduction − target (negative = projected shortfall; all three NULL before any year is reported), allowed_remaining = base − target − emissions_to_date, and per remaining year (NULL when none remains); rounded half away from zero to 0.001 t';

CREATE FUNCTION tsetp.penalty_obligation(shortfall tsetp.tco2, factor numeric)
    RETURNS tsetp.tco2
    AS 'MODULE_PATHNAME', 'tsetp_rules_penalty_obligation'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tsetp.penalty_obligation(tsetp.tco2, numeric) IS
    'Reduction ordered for non-compliance: shortfall × factor (Tokyo 1.3), rounded half away from zero to 0.001 t; NULL when the programme has no factor';
