/*
 * rules_fuzz.c
 *		libFuzzer harness for the compliance formulas (rules_value.c): feeds
 *		them arbitrary amounts and fractions and abort()s when a result breaks
 *		the rule it implements (cap never exceeded, exact relief, projection
 *		identities, outcome order), besides any sanitizer report.
 */
#include "c.h"

#include <stdlib.h>
#include <string.h>

#include "rules_value.h"

/* Reads the fuzzer's bytes as a stream of fixed-size values. */
typedef struct Reader
{
	const uint8_t *data;
	size_t		size;
} Reader;

/* Takes n bytes (zero-padded when the input runs out) into out. */
static void
take(Reader *r, void *out, size_t n)
{
	size_t		k = Min(n, r->size);

	memset(out, 0, n);
	memcpy(out, r->data, k);
	r->data += k;
	r->size -= k;
}

/* Next int64 amount; small values are made likely by the low byte. */
static int64
take_amount(Reader *r)
{
	int64		v;
	uint8		mode;

	take(r, &mode, 1);
	take(r, &v, sizeof(v));
	if (mode & 1)
		v %= 100000000;			/* realistic amounts, up to 100,000 t */
	return v;
}

/* Next non-negative Decimal with a valid scale. */
static Decimal
take_fraction(Reader *r)
{
	Decimal		d;
	uint8		scale;

	take(r, &d.coef, sizeof(d.coef));
	take(r, &scale, 1);
	if (d.coef < 0)
		d.coef = (d.coef == PG_INT64_MIN) ? 0 : -d.coef;
	if (scale & 0x80)
		d.coef %= 2000;			/* rates like 0.22, 1.3 */
	d.scale = scale % (DECIMAL_MAX_SCALE + 1);
	return d;
}

/* 10^n for 0 <= n <= 38, in int128. */
static int128
pow10_128(int n)
{
	int128		v = 1;

	while (n-- > 0)
		v *= 10;
	return v;
}

/* Aborts when a property does not hold. */
static void
check(bool ok)
{
	if (!ok)
		abort();
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One run: every formula on values drawn from the input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Reader		r = {data, size};
	int64		base = take_amount(&r);
	int64		emissions = take_amount(&r);
	int64		other = take_amount(&r);
	int64		bought = take_amount(&r);
	Decimal		f1 = take_fraction(&r);
	Decimal		f2 = take_fraction(&r);
	int32		ints[3];
	int64		v;
	int64		capped;
	bool		b;
	Decimal		dec;
	RuleProjection p;
	char		detail[VALUE_DETAIL_SIZE];

	take(&r, ints, sizeof(ints));

	/* Counted reduction: never above the exact cap, and as high as allowed. */
	if (rules_counted_reduction(base, emissions, NULL, &v, detail,
								sizeof(detail)) == VALUE_OK)
	{
		check(v == base - emissions);
		if (rules_counted_reduction(base, emissions, &f1, &capped, detail,
									sizeof(detail)) == VALUE_OK)
		{
			int128		lim = (int128) f1.coef * base;
			int128		den = pow10_128(f1.scale);

			check(capped <= v);
			if (v <= 0)
				check(capped == v);
			else if (capped < v)
				check((int128) capped * den <= lim &&
					  ((int128) capped + 1) * den > lim);
			else
				check((int128) v * den <= lim);
		}
	}

	/* Positive difference and shortfall never go below zero. */
	if (rules_positive_difference(base, emissions, &v, detail,
								  sizeof(detail)) == VALUE_OK)
		check(v >= 0 && (v == 0 ? (int128) base <= emissions :
						 (int128) v == (int128) base - emissions));
	if (rules_shortfall(base, emissions, other, &v, detail,
						sizeof(detail)) == VALUE_OK)
		check((int128) v == Max((int128) 0, (int128) other - base - emissions));

	/* Revision: the exact threshold comparison. */
	check(rules_revision_required(base, emissions, f1, &b) == VALUE_OK);
	{
		int128		change = (int128) emissions - base;

		if (change < 0)
			change = -change;
		check(b == (change * pow10_128(f1.scale) >=
					(int128) f1.coef * base));
	}

	/* Relief: multiply is the exact product, subtract floors at zero. */
	if (rules_apply_relief(f1, RELIEF_MULTIPLY, f2, &dec, detail,
						   sizeof(detail)) == VALUE_OK)
	{
		int128		prod = (int128) f1.coef * f2.coef;
		int			k = f1.scale + f2.scale - dec.scale;

		check(k >= 0 && dec.coef >= 0);
		check(prod % pow10_128(k) == 0 && prod / pow10_128(k) == dec.coef);
		check(dec.scale == 0 || dec.coef % 10 != 0);
	}
	if (rules_apply_relief(f1, RELIEF_SUBTRACT, f2, &dec, detail,
						   sizeof(detail)) == VALUE_OK)
	{
		int			s = Max(Max(f1.scale, f2.scale), dec.scale);
		int128		diff = (int128) f1.coef * pow10_128(s - f1.scale) -
			(int128) f2.coef * pow10_128(s - f2.scale);

		check(dec.coef >= 0);
		check((int128) dec.coef * pow10_128(s - dec.scale) ==
			  (diff < 0 ? 0 : diff));
	}

	/* Outcome: the branches in order. */
	{
		/* reduction base, target emissions, own banked other, bought */
		RuleOutcome o = rules_outcome(false, base, emissions, other, bought);
		int128		reached = base;

		if (reached >= emissions)
			check(o == OUTCOME_ACHIEVED_OWN);
		else if (reached + other >= emissions)
			check(o == OUTCOME_ACHIEVED_BANKING);
		else if (reached + (int128) other + bought >= emissions)
			check(o == OUTCOME_ACHIEVED_TRADING);
		else
			check(o == OUTCOME_NOT_ACHIEVED);
		check(rules_outcome(true, base, emissions, other, bought) ==
			  OUTCOME_PENDING);
	}

	/* Banking window. */
	check(rules_banking_eligible(ints[0], ints[1], ints[2]) ==
		  ((int64) ints[1] - ints[0] >= 0 &&
		   (int64) ints[1] - ints[0] <= ints[2]));

	/* Projection identities. */
	{
		int32		total = (int32) ((uint32) ints[0] % 12);
		int32		reported = (int32) ((uint32) ints[1] % 13);

		if (rules_projection(reported, total, emissions, base, other, &p,
							 detail, sizeof(detail)) == VALUE_OK)
		{
			check(total >= 1 && reported <= total);
			check((int128) p.allowed_remaining ==
				  (int128) base - other - emissions);
			if (p.has_projected)
			{
				int128		exact2 = 2 * (int128) emissions * total;
				int128		got2 = 2 * (int128) p.projected_emissions * reported;
				int128		err = exact2 - got2;

				check(reported > 0);
				if (err < 0)
					err = -err;
				check(err <= reported);
				check((int128) p.projected_reduction + p.projected_emissions == base);
				check((int128) p.projected_balance + other == p.projected_reduction);
			}
			else
				check(reported == 0);
			check(p.has_per_year == (total > reported));
		}
	}

	/* Penalty and target agree with each other (both are amount × rate). */
	{
		int64		t1;
		int64		t2;
		ValueStatus s1 = rules_year_target(base, f1, &t1, detail,
										   sizeof(detail));
		ValueStatus s2 = rules_penalty_obligation(base, f1, &t2, detail,
												  sizeof(detail));

		check(s1 == s2 && (s1 != VALUE_OK || t1 == t2));
	}
	return 0;
}
