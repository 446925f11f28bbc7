/*
 * rules_value.c
 *		Pure formulas of the compliance engine (see rules_value.h).
 *
 * Everything is computed exactly in int128 from int64 milli-tonnes and
 * Decimal fractions; a Decimal's coefficient times an int64 amount is below
 * 2^126, so no intermediate here can overflow int128.  Results are checked
 * against tco2's range before they are returned.
 */
#include "c.h"

#include <string.h>

#include "rules_value.h"
#include "text_value.h"
#include "tco2_value.h"

/* 10^0 .. 10^18. */
static const int64 pow10_table[DECIMAL_MAX_SCALE + 1] = {
	INT64CONST(1), INT64CONST(10), INT64CONST(100), INT64CONST(1000),
	INT64CONST(10000), INT64CONST(100000), INT64CONST(1000000),
	INT64CONST(10000000), INT64CONST(100000000), INT64CONST(1000000000),
	INT64CONST(10000000000), INT64CONST(100000000000),
	INT64CONST(1000000000000), INT64CONST(10000000000000),
	INT64CONST(100000000000000), INT64CONST(1000000000000000),
	INT64CONST(10000000000000000), INT64CONST(100000000000000000),
	INT64CONST(1000000000000000000)
};

/* True when v is a valid tco2 value (milli-tonnes). */
static bool
fits_tco2(int128 v)
{
	return v >= (int128) PG_INT64_MIN && v <= (int128) PG_INT64_MAX;
}

/* Stores v into *result, or returns VALUE_RANGE with the given detail. */
static ValueStatus
return_tco2(int128 v, int64 *result, const char *range_detail,
			char *detail, size_t detail_size)
{
	if (!fits_tco2(v))
	{
		value_set_detail(detail, detail_size, range_detail);
		return VALUE_RANGE;
	}
	*result = (int64) v;
	return VALUE_OK;
}

/* num / den rounded half away from zero; den must be positive. */
static int128
div_round_half_away(int128 num, int128 den)
{
	int128		q = num / den;
	int128		r = num % den;

	if (r < 0)
		r = -r;
	if (r >= den - r)
		q += (num < 0) ? -1 : 1;
	return q;
}

/* num / den rounded toward minus infinity; den must be positive. */
static int128
div_floor(int128 num, int128 den)
{
	int128		q = num / den;

	if (num % den != 0 && num < 0)
		q -= 1;
	return q;
}

/* True when d's scale is within 0..DECIMAL_MAX_SCALE. */
static bool
valid_decimal(Decimal d)
{
	return d.scale >= 0 && d.scale <= DECIMAL_MAX_SCALE;
}

/* Returns a Decimal with trailing zeros stripped, if it fits; else false. */
static bool
make_decimal(int128 coef, int32 scale, Decimal *result)
{
	while (scale > 0 && coef % 10 == 0)
	{
		coef /= 10;
		scale--;
	}
	if (scale > DECIMAL_MAX_SCALE || coef > (int128) PG_INT64_MAX ||
		coef < (int128) PG_INT64_MIN)
		return false;
	result->coef = (int64) coef;
	result->scale = scale;
	return true;
}

/* Reduction target t_y = b_y × r_y, rounded half away from zero. */
ValueStatus
rules_year_target(int64 base, Decimal rate, int64 *result,
				  char *detail, size_t detail_size)
{
	if (tco2_mul_decimal(base, rate, result) != VALUE_OK)
	{
		value_set_detail(detail, detail_size,
				   "The reduction target base × rate does not fit in a tco2 value.");
		return VALUE_RANGE;
	}
	return VALUE_OK;
}

/* Counted reduction d_y = b_y − e_y, a positive one capped at cap × b_y. */
ValueStatus
rules_counted_reduction(int64 base, int64 emissions, const Decimal *cap,
						int64 *result, char *detail, size_t detail_size)
{
	int128		d = (int128) base - (int128) emissions;
	int128		limit_scaled;
	int128		den;

	if (cap != NULL && !valid_decimal(*cap))
		return VALUE_INVALID;

	/* Without a cap, or for a zero or negative reduction, d counts whole. */
	if (cap != NULL && d > 0)
	{
		den = (int128) pow10_table[cap->scale];
		limit_scaled = (int128) cap->coef * (int128) base;
		if (d * den > limit_scaled)
			d = div_floor(limit_scaled, den);
	}
	return return_tco2(d, result, "The reduction base − emissions does not fit in a tco2 value.",
					   detail, detail_size);
}

/* greatest(minuend − subtrahend, 0), overflow-checked. */
ValueStatus
rules_positive_difference(int64 minuend, int64 subtrahend, int64 *result,
						  char *detail, size_t detail_size)
{
	int128		v = (int128) minuend - (int128) subtrahend;

	if (v < 0)
		v = 0;
	return return_tco2(v, result, "The difference does not fit in a tco2 value.", detail, detail_size);
}

/* Whether a proposed base differs from the current by the threshold. */
ValueStatus
rules_revision_required(int64 current, int64 proposed, Decimal threshold,
						bool *result)
{
	int128		change = (int128) proposed - (int128) current;

	if (!valid_decimal(threshold))
		return VALUE_INVALID;

	if (change < 0)
		change = -change;
	*result = change * (int128) pow10_table[threshold.scale] >=
		(int128) threshold.coef * (int128) current;
	return VALUE_OK;
}

/* Maps "multiply" and "subtract" to a relief operation. */
bool
rules_relief_op_parse(const char *name, size_t len, RuleReliefOp *op)
{
	if (len == 8 && memcmp(name, "multiply", 8) == 0)
		*op = RELIEF_MULTIPLY;
	else if (len == 8 && memcmp(name, "subtract", 8) == 0)
		*op = RELIEF_SUBTRACT;
	else
		return false;
	return true;
}

/* Applies a relief operation to a rate, exactly. */
ValueStatus
rules_apply_relief(Decimal rate, RuleReliefOp op, Decimal value,
				   Decimal *result, char *detail, size_t detail_size)
{
	int128		coef;
	int32		scale;

	if (!valid_decimal(rate) || !valid_decimal(value))
		return VALUE_INVALID;
	if (op == RELIEF_MULTIPLY)
	{
		coef = (int128) rate.coef * (int128) value.coef;
		scale = rate.scale + value.scale;
		/* Up to 36 places: strip zeros first, make_decimal checks the rest. */
		while (scale > DECIMAL_MAX_SCALE && coef % 10 == 0)
		{
			coef /= 10;
			scale--;
		}
		if (scale > DECIMAL_MAX_SCALE)
		{
			value_set_detail(detail, detail_size,
					   "The exact relieved rate needs more than 18 decimal places.");
			return VALUE_RANGE;
		}
	}
	else
	{
		scale = Max(rate.scale, value.scale);
		coef = (int128) rate.coef * (int128) pow10_table[scale - rate.scale] -
			(int128) value.coef * (int128) pow10_table[scale - value.scale];
		if (coef < 0)
			coef = 0;
	}
	if (!make_decimal(coef, scale, result))
	{
		value_set_detail(detail, detail_size,
				   "The exact relieved rate has too many digits.");
		return VALUE_RANGE;
	}
	return VALUE_OK;
}

/* The n-th year of coverage of fy, or false before coverage starts. */
bool
rules_coverage_year_number(int32 coverage_start, int32 fy, int32 *n)
{
	if (fy < coverage_start)
		return false;
	*n = fy - coverage_start + 1;
	return true;
}

/* Whether a transitional ladder rung covers the n-th year of coverage. */
bool
rules_rung_applies(int32 n, int32 first_n, bool has_last, int32 last_n)
{
	return first_n <= n && (!has_last || n <= last_n);
}

/* Whether a credit of one plan period may be surrendered for another. */
bool
rules_banking_eligible(int32 vintage_period, int32 target_period,
					   int32 banking_periods)
{
	int64		gap = (int64) target_period - (int64) vintage_period;

	return gap >= 0 && gap <= (int64) banking_periods;
}

/* The outcome of a period from its reduction, target and credits. */
RuleOutcome
rules_outcome(bool pending, int64 reduction_total, int64 target_total,
			  int64 own_banked, int64 other_credits)
{
	int128		reached = reduction_total;

	if (pending)
		return OUTCOME_PENDING;
	if (reached >= target_total)
		return OUTCOME_ACHIEVED_OWN;
	reached += own_banked;
	if (reached >= target_total)
		return OUTCOME_ACHIEVED_BANKING;
	reached += other_credits;
	if (reached >= target_total)
		return OUTCOME_ACHIEVED_TRADING;
	return OUTCOME_NOT_ACHIEVED;
}

/* The text name of an outcome. */
const char *
rules_outcome_name(RuleOutcome outcome)
{
	switch (outcome)
	{
		case OUTCOME_PENDING:
			return "pending";
		case OUTCOME_ACHIEVED_OWN:
			return "achieved_own";
		case OUTCOME_ACHIEVED_BANKING:
			return "achieved_banking";
		case OUTCOME_ACHIEVED_TRADING:
			return "achieved_trading";
		case OUTCOME_NOT_ACHIEVED:
			break;
	}
	return "not_achieved";
}

/* The part of the target that reduction and credits leave open. */
ValueStatus
rules_shortfall(int64 reduction_total, int64 credits, int64 target_total,
				int64 *result, char *detail, size_t detail_size)
{
	int128		v = (int128) target_total - (int128) reduction_total -
		(int128) credits;

	if (v < 0)
		v = 0;
	return return_tco2(v, result, "The shortfall target − reduction − credits does not fit in a tco2 value.", detail, detail_size);
}

/* Projects a period from the years reported so far. */
ValueStatus
rules_projection(int32 years_reported, int32 years_total,
				 int64 emissions_to_date, int64 base_total,
				 int64 target_total, RuleProjection *out,
				 char *detail, size_t detail_size)
{
	ValueStatus status;
	int128		pe;

	memset(out, 0, sizeof(*out));
	if (years_total < 1 || years_reported < 0 || years_reported > years_total)
	{
		value_set_detail(detail, detail_size,
				   "Years reported must be between 0 and the period's years, which must be at least 1.");
		return VALUE_INVALID;
	}

	/* The average of the reported years, continued over the whole period. */
	if (years_reported > 0)
	{
		pe = div_round_half_away((int128) emissions_to_date * years_total,
								 years_reported);
		status = return_tco2(pe, &out->projected_emissions,
							 "The projected emissions do not fit in a tco2 value.", detail, detail_size);
		if (status != VALUE_OK)
			return status;
		status = return_tco2((int128) base_total - out->projected_emissions,
							 &out->projected_reduction,
							 "The projected reduction does not fit in a tco2 value.", detail, detail_size);
		if (status != VALUE_OK)
			return status;
		status = return_tco2((int128) out->projected_reduction - target_total,
							 &out->projected_balance,
							 "The projected balance does not fit in a tco2 value.", detail, detail_size);
		if (status != VALUE_OK)
			return status;
		out->has_projected = true;
	}

	/* What may still be emitted over the remaining years. */
	status = return_tco2((int128) base_total - target_total - emissions_to_date,
						 &out->allowed_remaining, "The allowed remaining emissions do not fit in a tco2 value.",
						 detail, detail_size);
	if (status != VALUE_OK)
		return status;
	if (years_total > years_reported)
	{
		out->allowed_remaining_per_year =
			(int64) div_round_half_away(out->allowed_remaining,
										years_total - years_reported);
		out->has_per_year = true;
	}
	return VALUE_OK;
}

/* Penalty obligation shortfall × factor, rounded half away from zero. */
ValueStatus
rules_penalty_obligation(int64 shortfall, Decimal factor, int64 *result,
						 char *detail, size_t detail_size)
{
	if (tco2_mul_decimal(shortfall, factor, result) != VALUE_OK)
	{
		value_set_detail(detail, detail_size,
				   "The penalty obligation shortfall × factor does not fit in a tco2 value.");
		return VALUE_RANGE;
	}
	return VALUE_OK;
}
