/*
 * period_fuzz.c
 *		libFuzzer harness for the plan-period evaluation (period_value.c):
 *		builds a facility-period (coverage, period, standard rate, ladder,
 *		cap, base history, emissions, reliefs) from the input and aborts
 *		when the evaluation breaks a rule, besides any sanitizer report.
 *
 * Properties checked:
 *	- the covered years run from the later of the period's first year and
 *	  coverage start to its last year, numbered from coverage start;
 *	- each year's base is the latest row in force, its rate the first rung
 *	  that applies or else the standard rate, relieved by an eligible relief
 *	  of that year that no other eligible relief undercuts; target, reduction
 *	  and counted reduction are the single formulas' results, present exactly
 *	  when their inputs are;
 *	- the totals are the sums of the years (verified years where the rule
 *	  says so), pending exactly when a year lacks verification, base or rate,
 *	  and excess is counted minus target of the verified years, at least 0;
 *	- refusals are range or invalid-value errors with a capitalised detail.
 */
#include "c.h"

#include <stdlib.h>
#include <string.h>

#include "period_value.h"
#include "rules_value.h"

typedef struct Reader
{
	const uint8_t *data;
	size_t		size;
} Reader;

static void
take(Reader *r, void *out, size_t n)
{
	size_t		k = Min(n, r->size);

	memset(out, 0, n);
	memcpy(out, r->data, k);
	r->data += k;
	r->size -= k;
}

static uint8
take_byte(Reader *r)
{
	uint8		b;

	take(r, &b, 1);
	return b;
}

/* A fiscal year between 2000 and 2031. */
static int32
take_year(Reader *r)
{
	return 2000 + take_byte(r) % 32;
}

/* An amount; mostly realistic, now and then anything. */
static int64
take_amount(Reader *r)
{
	int64		v;
	uint8		mode = take_byte(r);

	take(r, &v, sizeof(v));
	if ((mode & 3) != 0)
		v = (int64) ((uint64) v % 100000000);	/* up to 100,000 t */
	return v;
}

/* A non-negative fraction; mostly a rate like 0.22, now and then anything. */
static Decimal
take_fraction(Reader *r)
{
	Decimal		d;
	uint8		scale = take_byte(r);

	take(r, &d.coef, sizeof(d.coef));
	if (d.coef < 0)
		d.coef = (d.coef == PG_INT64_MIN) ? 0 : -d.coef;
	if ((scale & 0xC0) != 0)
	{
		d.coef %= 1000;
		d.scale = 2 + scale % 3;
	}
	else
		d.scale = scale % (DECIMAL_MAX_SCALE + 1);
	return d;
}

static void
check(bool ok)
{
	if (!ok)
		abort();
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Reader		r = {data, size};
	PeriodInput in;
	PeriodRung	rungs[4];
	PeriodBase	bases[4];
	PeriodEmission emissions[8];
	PeriodRelief reliefs[6];
	PeriodYear	years[32];
	PeriodTotals t;
	char		detail[VALUE_DETAIL_SIZE];
	ValueStatus st;
	bool		rate_failed;
	uint8		flags;
	int			n;
	int			i;
	int			k;
	int32		from;
	int128		sum_base = 0,
				sum_target = 0,
				sum_target_verified = 0,
				sum_emissions = 0,
				sum_reduction = 0,
				sum_counted = 0;
	int			verified = 0;
	bool		pending = false;

	memset(&in, 0, sizeof(in));
	in.first_fy = take_year(&r);
	in.last_fy = in.first_fy + take_byte(&r) % 6;
	in.coverage_start = take_year(&r);
	flags = take_byte(&r);
	in.has_standard_rate = (flags & 1) != 0;
	in.standard_rate = take_fraction(&r);
	in.has_cap = (flags & 2) != 0;
	in.cap = take_fraction(&r);

	in.nrungs = take_byte(&r) % 5;
	for (i = 0; i < in.nrungs; i++)
	{
		rungs[i].first_n = 1 + take_byte(&r) % 12;
		rungs[i].has_last = (take_byte(&r) & 1) != 0;
		rungs[i].last_n = rungs[i].first_n + take_byte(&r) % 6;
		rungs[i].rate = take_fraction(&r);
	}
	in.rungs = rungs;
	in.nbases = take_byte(&r) % 5;
	for (i = 0; i < in.nbases; i++)
	{
		bases[i].effective_from = take_year(&r);
		bases[i].amount = take_amount(&r);
	}
	in.bases = bases;
	in.nemissions = take_byte(&r) % 9;
	for (i = 0; i < in.nemissions; i++)
	{
		/* one row a year, as the table's key keeps it */
		emissions[i].fy = in.first_fy + i;
		emissions[i].amount = take_amount(&r);
		emissions[i].verified = (take_byte(&r) & 3) != 0;
	}
	in.emissions = emissions;
	in.nreliefs = take_byte(&r) % 7;
	for (i = 0; i < in.nreliefs; i++)
	{
		uint8		b = take_byte(&r);

		reliefs[i].fy = in.first_fy + b % 6;
		reliefs[i].op = (b & 0x40) ? RELIEF_SUBTRACT : RELIEF_MULTIPLY;
		reliefs[i].standard_only = (b & 0x80) != 0;
		reliefs[i].value = take_fraction(&r);
	}
	in.reliefs = reliefs;

	n = period_covered_years(&in);
	from = Max(in.first_fy, in.coverage_start);
	check(n == (from <= in.last_fy ? in.last_fy - from + 1 : 0));
	if (n == 0)
		return 0;

	memset(detail, 0x7F, sizeof(detail));
	st = period_evaluate(&in, years, &rate_failed, detail, sizeof(detail));
	if (st != VALUE_OK)
	{
		check(st == VALUE_RANGE || st == VALUE_INVALID);
		check(memchr(detail, '\0', sizeof(detail)) != NULL);
		return 0;
	}

	for (k = 0; k < n; k++)
	{
		const PeriodYear *y = &years[k];
		int			best = -1;
		Decimal		before = {0, 0};
		bool		has_before = false;
		int64		v;

		check(y->fy == from + k);
		check(y->coverage_year == y->fy - in.coverage_start + 1);

		/* base: the latest row in force */
		for (i = 0; i < in.nbases; i++)
			if (bases[i].effective_from <= y->fy &&
				(best < 0 || bases[i].effective_from > bases[best].effective_from))
				best = i;
		check(y->has_base == (best >= 0));
		if (best >= 0)
			check(y->base == bases[best].amount);

		/* rate before relief: first rung that applies, else standard */
		check(y->rate_source >= PERIOD_RATE_NONE && y->rate_source < in.nrungs);
		for (i = 0; i < in.nrungs; i++)
			if (rules_rung_applies(y->coverage_year, rungs[i].first_n,
								   rungs[i].has_last, rungs[i].last_n))
				break;
		if (i < in.nrungs)
		{
			check(y->rate_source == i);
			before = rungs[i].rate;
			has_before = true;
		}
		else if (in.has_standard_rate)
		{
			check(y->rate_source == PERIOD_RATE_STANDARD);
			before = in.standard_rate;
			has_before = true;
		}
		else
			check(y->rate_source == PERIOD_RATE_NONE);
		check(y->has_rate == has_before);

		/* relief: eligible, and no eligible relief gives a lower rate */
		if (y->relief >= 0)
		{
			const PeriodRelief *c = &reliefs[y->relief];
			Decimal		own;

			check(has_before && y->relief < in.nreliefs && c->fy == y->fy &&
				  !(c->standard_only && y->rate_source >= 0));
			check(rules_apply_relief(before, c->op, c->value, &own, detail,
									 sizeof(detail)) == VALUE_OK);
			check(decimal_cmp(own, y->rate) == 0);
		}
		if (has_before)
			for (i = 0; i < in.nreliefs; i++)
			{
				Decimal		other;

				if (reliefs[i].fy != y->fy ||
					(reliefs[i].standard_only && y->rate_source >= 0))
					continue;
				check(y->relief >= 0);
				check(rules_apply_relief(before, reliefs[i].op, reliefs[i].value,
										 &other, detail, sizeof(detail)) == VALUE_OK);
				check(decimal_cmp(y->rate, other) <= 0);
				if (i < y->relief)
					check(decimal_cmp(y->rate, other) < 0);
			}
		if (y->relief < 0 && has_before)
			check(decimal_cmp(y->rate, before) == 0 && y->rate.scale == before.scale);

		/* target, reduction, counted reduction */
		check(y->has_target == (y->has_base && y->has_rate));
		if (y->has_target)
			check(rules_year_target(y->base, y->rate, &v, detail, sizeof(detail)) == VALUE_OK &&
				  v == y->target);
		check(y->has_reduction == (y->has_base && y->has_emissions));
		check(y->has_counted == y->has_reduction);
		if (y->has_reduction)
		{
			check((int128) y->reduction == (int128) y->base - y->emissions);
			check(y->counted <= y->reduction);
			check(rules_counted_reduction(y->base, y->emissions, in.has_cap ? &in.cap : NULL,
										  &v, detail, sizeof(detail)) == VALUE_OK &&
				  v == y->counted);
		}

		/* emissions: the year's row */
		for (i = 0; i < in.nemissions; i++)
			if (emissions[i].fy == y->fy)
				break;
		check(y->has_emissions == (i < in.nemissions));
		check(y->verified == (i < in.nemissions && emissions[i].verified));

		if (!y->verified || !y->has_base || !y->has_rate)
			pending = true;
		if (y->has_base)
			sum_base += y->base;
		if (y->has_target)
			sum_target += y->target;
		if (y->verified)
		{
			verified++;
			sum_emissions += y->emissions;
			if (y->has_target)
				sum_target_verified += y->target;
			if (y->has_reduction)
				sum_reduction += y->reduction;
			if (y->has_counted && y->has_target)
				sum_counted += y->counted;
		}
	}

	st = period_totals(years, n, &t, detail, sizeof(detail));
	if (st != VALUE_OK)
	{
		check(st == VALUE_RANGE);
		return 0;
	}
	check(t.years_covered == n && t.years_verified == verified);
	check(t.first_year == from);
	check(t.has_last_verified_year == (verified > 0));
	check(t.base_total == sum_base && t.target_total == sum_target &&
		  t.target_verified == sum_target_verified &&
		  t.emissions_total == sum_emissions &&
		  t.reduction_total == sum_reduction && t.counted_total == sum_counted);
	check(t.pending == pending);
	check((int128) t.excess == Max((int128) 0, (int128) t.counted_total - t.target_verified));
	return 0;
}
