/*
 * decimal_value.c
 *		Pure parsing and formatting of the small exact Decimal.
 */
#include "c.h"

#include "common/int.h"

#include "decimal_value.h"
#include "text_value.h"

/* Parses plain numeric text into a normalised Decimal (see the header). */
ValueStatus
decimal_parse(const char *s, size_t len, Decimal *d)
{
	const char *p = s;
	const char *end = s + len;
	bool		neg = false;
	bool		any_digit = false;
	uint64		mag = 0;
	uint64		limit;
	int			scale = 0;
	int			pending_zeros = 0;

	if (p < end && (*p == '+' || *p == '-'))
	{
		neg = (*p == '-');
		p++;
	}
	limit = neg ? (uint64) PG_INT64_MAX + 1 : (uint64) PG_INT64_MAX;

	/* integer part */
	while (p < end && *p >= '0' && *p <= '9')
	{
		if (pg_mul_u64_overflow(mag, 10, &mag) ||
			pg_add_u64_overflow(mag, (uint64) (*p - '0'), &mag) ||
			mag > limit)
			return VALUE_RANGE;
		any_digit = true;
		p++;
	}

	/* fraction: zeros are only counted until a non-zero digit follows */
	if (p < end && *p == '.')
	{
		p++;
		while (p < end && *p >= '0' && *p <= '9')
		{
			any_digit = true;
			if (*p == '0')
				pending_zeros++;
			else
			{
				int			i;

				for (i = 0; i <= pending_zeros; i++)
				{
					if (pg_mul_u64_overflow(mag, 10, &mag))
						return VALUE_RANGE;
				}
				if (pg_add_u64_overflow(mag, (uint64) (*p - '0'), &mag) ||
					mag > limit)
					return VALUE_RANGE;
				scale += pending_zeros + 1;
				pending_zeros = 0;
				if (scale > DECIMAL_MAX_SCALE)
					return VALUE_RANGE;
			}
			p++;
		}
	}

	if (!any_digit || p != end)
		return VALUE_SYNTAX;

	if (mag == (uint64) PG_INT64_MAX + 1)
		d->coef = PG_INT64_MIN;
	else
		d->coef = neg ? -(int64) mag : (int64) mag;
	d->scale = scale;
	return VALUE_OK;
}

/* Writes d as plain numeric text and returns its length. */
int
decimal_format(Decimal d, char *buf, size_t size)
{
	char		digits[24];
	char		out[DECIMAL_TEXT_SIZE];
	int			ndigits = 0;
	int			len = 0;
	int			scale = d.scale;
	uint64		mag;
	int			i;

	if (scale < 0)
		scale = 0;
	if (scale > DECIMAL_MAX_SCALE)
		scale = DECIMAL_MAX_SCALE;
	mag = d.coef < 0 ? (uint64) 0 - (uint64) d.coef : (uint64) d.coef;
	do
	{
		digits[ndigits++] = (char) ('0' + mag % 10);
		mag /= 10;
	} while (mag > 0);
	/* at least one digit before the point */
	while (ndigits <= scale)
		digits[ndigits++] = '0';

	if (d.coef < 0)
		out[len++] = '-';
	for (i = ndigits - 1; i >= 0; i--)
	{
		out[len++] = digits[i];
		if (i == scale && scale > 0)
			out[len++] = '.';
	}
	return value_copy_text(out, len, buf, size);
}

/* -1, 0 or 1 as a < b, a = b, a > b; scales must be within 0..18. */
int
decimal_cmp(Decimal a, Decimal b)
{
	int128		x = a.coef;
	int128		y = b.coef;
	int32		s;

	/* bring both to the larger scale: |coef| × 10^18 stays below 2^127 */
	for (s = a.scale; s < b.scale; s++)
		x *= 10;
	for (s = b.scale; s < a.scale; s++)
		y *= 10;
	return (x > y) - (x < y);
}
