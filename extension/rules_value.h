/*
 * rules_value.h
 *		Pure formulas of the compliance engine (SPEC §1.3-1.7): reduction
 *		targets, counted and excess reduction, base revision, relief,
 *		transitional ladders, banking, outcomes, projections and penalties.
 *
 * Amounts are tco2 values: int64 counts of milli-tonnes.  Rates, caps,
 * thresholds and factors are Decimals (coef / 10^scale) that come from
 * configuration rows; nothing here is a programme constant.  Every function
 * is exact (int128 inside); where a result falls between two thousandths of
 * a tonne it rounds half away from zero, and any result outside tco2's range
 * is VALUE_RANGE with a one-line detail.  A Decimal whose scale is outside
 * 0..18 is VALUE_INVALID.  No server calls.
 */
#ifndef TSETP_RULES_VALUE_H
#define TSETP_RULES_VALUE_H

#include "c.h"
#include "decimal_value.h"
#include "value_status.h"

/* How a relief changes a standard rate (SPEC §1.7). */
typedef enum RuleReliefOp
{
	RELIEF_MULTIPLY,			/* rate × value: ¾ of 22% = 16.5% */
	RELIEF_SUBTRACT				/* rate − value, never below 0: 22% − 2% */
} RuleReliefOp;

/* The outcome of a facility's plan period (SPEC §1.3). */
typedef enum RuleOutcome
{
	OUTCOME_PENDING,
	OUTCOME_ACHIEVED_OWN,
	OUTCOME_ACHIEVED_BANKING,
	OUTCOME_ACHIEVED_TRADING,
	OUTCOME_NOT_ACHIEVED
} RuleOutcome;

/* What rules_projection computes; the has_* flags mark non-NULL results. */
typedef struct RuleProjection
{
	bool		has_projected;	/* false when no year is reported yet */
	int64		projected_emissions;
	int64		projected_reduction;
	int64		projected_balance;
	int64		allowed_remaining;
	bool		has_per_year;	/* false when no year remains */
	int64		allowed_remaining_per_year;
} RuleProjection;

/* Reduction target t = base × rate, rounded half away from zero. */
extern ValueStatus rules_year_target(int64 base, Decimal rate, int64 *result,
									 char *detail, size_t detail_size);

/*
 * Counted reduction: base − emissions, but a positive reduction counts only
 * up to cap × base (the exact cap, truncated to 0.001 t so the count never
 * exceeds it).  cap NULL means no cap.
 */
extern ValueStatus rules_counted_reduction(int64 base, int64 emissions,
										   const Decimal *cap, int64 *result,
										   char *detail, size_t detail_size);

/* greatest(minuend − subtrahend, 0): excess reduction, issuable excess. */
extern ValueStatus rules_positive_difference(int64 minuend, int64 subtrahend,
											 int64 *result, char *detail,
											 size_t detail_size);

/*
 * Sets *result to |proposed − current| ≥ threshold × current, compared
 * exactly.  VALUE_INVALID for a scale outside 0..18.
 */
extern ValueStatus rules_revision_required(int64 current, int64 proposed,
										   Decimal threshold, bool *result);

/* Parses a relief operation name ("multiply", "subtract"). */
extern bool rules_relief_op_parse(const char *name, size_t len,
								  RuleReliefOp *op);

/*
 * Applies a relief to a rate, exactly; the result is in its shortest form
 * (no trailing zeros).  VALUE_RANGE when it needs more than 18 decimal
 * places or does not fit in an int64 coefficient.
 */
extern ValueStatus rules_apply_relief(Decimal rate, RuleReliefOp op,
									  Decimal value, Decimal *result,
									  char *detail, size_t detail_size);

/* n-th year of coverage (1 = the first); false for years before coverage. */
extern bool rules_coverage_year_number(int32 coverage_start, int32 fy,
									   int32 *n);

/* True when first_n ≤ n and (no last_n or n ≤ last_n). */
extern bool rules_rung_applies(int32 n, int32 first_n, bool has_last,
							   int32 last_n);

/* True when 0 ≤ target_period − vintage_period ≤ banking_periods. */
extern bool rules_banking_eligible(int32 vintage_period, int32 target_period,
								   int32 banking_periods);

/* The outcome of a period from its totals (SPEC §1.3). */
extern RuleOutcome rules_outcome(bool pending, int64 reduction_total,
								 int64 target_total, int64 own_banked,
								 int64 other_credits);

/* The outcome's text form: "pending", "achieved_own", ... */
extern const char *rules_outcome_name(RuleOutcome outcome);

/* greatest(target − reduction − credits, 0). */
extern ValueStatus rules_shortfall(int64 reduction_total, int64 credits,
								   int64 target_total, int64 *result,
								   char *detail, size_t detail_size);

/*
 * Projection of a period from the years reported so far.  Requires
 * 0 ≤ years_reported ≤ years_total and years_total ≥ 1 (VALUE_INVALID).
 */
extern ValueStatus rules_projection(int32 years_reported, int32 years_total,
									int64 emissions_to_date, int64 base_total,
									int64 target_total, RuleProjection *out,
									char *detail, size_t detail_size);

/* Penalty obligation: shortfall × factor, rounded half away from zero. */
extern ValueStatus rules_penalty_obligation(int64 shortfall, Decimal factor,
											int64 *result, char *detail,
											size_t detail_size);

#endif							/* TSETP_RULES_VALUE_H */
