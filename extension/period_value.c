/*
 * period_value.c
 *		Year-by-year evaluation of a facility's plan period (see
 *		period_value.h).
 *
 * Each year applies the same formulas as the SQL functions year_target(),
 * counted_reduction(), apply_relief(), coverage_year_number() and
 * rung_applies(), in the order the engine defines: base in force, rate
 * before relief (the first ladder rung that applies, else the standard
 * rate), the relief giving the lowest rate, then target and reductions.
 */
#include "c.h"

#include <string.h>

#include "period_value.h"
#include "text_value.h"
#include "tco2_value.h"

int
period_covered_years(const PeriodInput *in)
{
	int32		from = Max(in->first_fy, in->coverage_start);

	return from <= in->last_fy ? in->last_fy - from + 1 : 0;
}

/* The base in force in fy: the latest row that took effect by then. */
static bool
base_in_force(const PeriodInput *in, int32 fy, int64 *amount)
{
	int			best = -1;
	int			i;

	for (i = 0; i < in->nbases; i++)
		if (in->bases[i].effective_from <= fy &&
			(best < 0 || in->bases[i].effective_from > in->bases[best].effective_from))
			best = i;
	if (best < 0)
		return false;
	*amount = in->bases[best].amount;
	return true;
}

/* The year's emission row, or NULL. */
static const PeriodEmission *
emission_of(const PeriodInput *in, int32 fy)
{
	int			i;

	for (i = 0; i < in->nemissions; i++)
		if (in->emissions[i].fy == fy)
			return &in->emissions[i];
	return NULL;
}

/*
 * Rate before relief: the first rung (in first_n order) that covers the
 * n-th year of coverage, else the standard rate.
 */
static int
rate_source(const PeriodInput *in, int32 n, Decimal *rate)
{
	int			i;

	for (i = 0; i < in->nrungs; i++)
		if (rules_rung_applies(n, in->rungs[i].first_n, in->rungs[i].has_last,
							   in->rungs[i].last_n))
		{
			*rate = in->rungs[i].rate;
			return i;
		}
	if (in->has_standard_rate)
	{
		*rate = in->standard_rate;
		return PERIOD_RATE_STANDARD;
	}
	return PERIOD_RATE_NONE;
}

/*
 * The relief of fy giving the lowest rate (the earlier in input order on a
 * tie); standard-only reliefs skip transitional rates.  Returns its index,
 * or -1, and the relieved rate in *rate.
 */
static ValueStatus
choose_relief(const PeriodInput *in, int32 fy, bool transitional,
			  Decimal *rate, int *chosen, char *detail, size_t detail_size)
{
	Decimal		best = {0, 0};
	int			i;

	*chosen = -1;
	for (i = 0; i < in->nreliefs; i++)
	{
		const PeriodRelief *r = &in->reliefs[i];
		Decimal		relieved;
		ValueStatus status;

		if (r->fy != fy || (r->standard_only && transitional))
			continue;
		status = rules_apply_relief(*rate, r->op, r->value, &relieved,
									detail, detail_size);
		if (status != VALUE_OK)
			return status;
		if (*chosen < 0 || decimal_cmp(relieved, best) < 0)
		{
			best = relieved;
			*chosen = i;
		}
	}
	if (*chosen >= 0)
		*rate = best;
	return VALUE_OK;
}

ValueStatus
period_evaluate(const PeriodInput *in, PeriodYear *years, bool *rate_failed,
				char *detail, size_t detail_size)
{
	int			n = period_covered_years(in);
	int32		from = Max(in->first_fy, in->coverage_start);
	int			k;

	*rate_failed = false;
	for (k = 0; k < n; k++)
	{
		PeriodYear *y = &years[k];
		const PeriodEmission *e;
		ValueStatus status;

		memset(y, 0, sizeof(*y));
		y->fy = from + k;
		y->relief = -1;
		(void) rules_coverage_year_number(in->coverage_start, y->fy,
										  &y->coverage_year);
		y->has_base = base_in_force(in, y->fy, &y->base);

		y->rate_source = rate_source(in, y->coverage_year, &y->rate);
		y->has_rate = y->rate_source != PERIOD_RATE_NONE;
		if (y->has_rate)
		{
			status = choose_relief(in, y->fy, y->rate_source >= 0, &y->rate,
								   &y->relief, detail, detail_size);
			if (status != VALUE_OK)
			{
				*rate_failed = true;
				return status;
			}
		}
		if (y->has_base && y->has_rate)
		{
			status = rules_year_target(y->base, y->rate, &y->target,
									   detail, detail_size);
			if (status != VALUE_OK)
				return status;
			y->has_target = true;
		}

		e = emission_of(in, y->fy);
		if (e != NULL)
		{
			y->has_emissions = true;
			y->emissions = e->amount;
			y->verified = e->verified;
		}
		if (y->has_base && y->has_emissions)
		{
			if (tco2_sub(y->base, y->emissions, &y->reduction) != VALUE_OK)
			{
				value_set_detail(detail, detail_size,
						   "The reduction base − emissions does not fit in a tco2 value.");
				return VALUE_RANGE;
			}
			y->has_reduction = true;
			status = rules_counted_reduction(y->base, y->emissions,
											 in->has_cap ? &in->cap : NULL,
											 &y->counted, detail, detail_size);
			if (status != VALUE_OK)
				return status;
			y->has_counted = true;
		}
	}
	return VALUE_OK;
}

/* *total += v, or VALUE_RANGE with a detail naming the total. */
static ValueStatus
add_to_total(int64 *total, int64 v, const char *overflow_detail,
			 char *detail, size_t detail_size)
{
	if (tco2_add(*total, v, total) != VALUE_OK)
	{
		value_set_detail(detail, detail_size, overflow_detail);
		return VALUE_RANGE;
	}
	return VALUE_OK;
}

ValueStatus
period_totals(const PeriodYear *years, int nyears, PeriodTotals *out,
			  char *detail, size_t detail_size)
{
	const char *overflow = "A total of the period does not fit in a tco2 value.";
	ValueStatus status = VALUE_OK;
	int			k;

	memset(out, 0, sizeof(*out));
	out->years_covered = nyears;
	out->first_year = years[0].fy;
	for (k = 0; k < nyears && status == VALUE_OK; k++)
	{
		const PeriodYear *y = &years[k];

		if (!y->verified || !y->has_base || !y->has_rate)
			out->pending = true;
		if (y->has_base)
			status = add_to_total(&out->base_total, y->base, overflow,
								  detail, detail_size);
		if (status == VALUE_OK && y->has_target)
			status = add_to_total(&out->target_total, y->target, overflow,
								  detail, detail_size);
		if (status != VALUE_OK || !y->verified)
			continue;

		/* what only verified years count */
		out->years_verified++;
		out->has_last_verified_year = true;
		out->last_verified_year = y->fy;
		status = add_to_total(&out->emissions_total, y->emissions, overflow,
							  detail, detail_size);
		if (status == VALUE_OK && y->has_target)
			status = add_to_total(&out->target_verified, y->target, overflow,
								  detail, detail_size);
		if (status == VALUE_OK && y->has_reduction)
			status = add_to_total(&out->reduction_total, y->reduction,
								  overflow, detail, detail_size);
		/* a year without a target (no rate configured) earns no excess */
		if (status == VALUE_OK && y->has_counted && y->has_target)
			status = add_to_total(&out->counted_total, y->counted, overflow,
								  detail, detail_size);
	}
	if (status != VALUE_OK)
		return status;
	return rules_positive_difference(out->counted_total, out->target_verified,
									 &out->excess, detail, detail_size);
}
