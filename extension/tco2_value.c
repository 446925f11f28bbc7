/*
 * tco2_value.c
 *		Pure value logic of tco2: text scanner and formatter, and arithmetic
 *		that never wraps.  An amount is an int64 count of milli-tonnes.
 */
#include "c.h"

#include <string.h>

#include "common/int.h"

#include "tco2_value.h"
#include "text_value.h"

#ifndef HAVE_INT128
#error "tco2 needs a 128-bit integer type"
#endif

/* Longest input quoted whole in a detail message. */
#define QUOTE_MAX 64

/* Longest unknown unit quoted in a detail message. */
#define UNIT_QUOTE_MAX 24

static const char range_detail[] =
"tco2 ranges from -9223372036854775.808 t to 9223372036854775.807 t.";

/* Tells whether c is ASCII white space (locale independent). */
static inline bool
tco2_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\v' || c == '\f';
}

/* Tells whether c is an ASCII digit (locale independent). */
static inline bool
tco2_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Writes the concatenation of up to three pieces (the middle one of length
 * midlen) into the caller's detail buffer, if there is one, and returns
 * status.  (No snprintf: the pure files must link without libpgport.)
 */
static ValueStatus
tco2_fail(ValueStatus status, char *detail, size_t detail_size,
		  const char *head, const char *mid, size_t midlen, const char *tail)
{
	size_t		pos = 0;
	const char *pieces[3] = {head, mid, tail};
	size_t		lens[3];
	int			k;

	if (detail == NULL || detail_size == 0)
		return status;
	lens[0] = head ? strlen(head) : 0;
	lens[1] = mid ? midlen : 0;
	lens[2] = tail ? strlen(tail) : 0;
	for (k = 0; k < 3; k++)
	{
		size_t		n = Min(lens[k], detail_size - 1 - pos);

		if (n > 0)
			memcpy(detail + pos, pieces[k], n);
		pos += n;
	}
	detail[pos] = '\0';
	return status;
}

/* Shorthand for a detail that is one fixed sentence. */
#define TCO2_FAIL(status, msg) \
	tco2_fail((status), detail, detail_size, (msg), NULL, 0, NULL)

/* 10^n for 0 <= n <= 18. */
static int64
tco2_pow10(int n)
{
	int64		r = 1;

	while (n-- > 0)
		r *= 10;
	return r;
}

/*
 * Matches the unit text [u, end) exactly; on success stores the number of
 * fractional tonne digits the unit's digits carry (kg 0, t 3, kt 6, Mt 9).
 */
static bool
tco2_match_unit(const char *u, const char *end, int *exponent)
{
	size_t		len = end - u;
	const char *rest;
	size_t		restlen;

	if (len >= 2 && memcmp(u, "kg", 2) == 0)
	{
		*exponent = 0;
		rest = u + 2;
	}
	else if (len >= 2 && memcmp(u, "kt", 2) == 0)
	{
		*exponent = 6;
		rest = u + 2;
	}
	else if (len >= 2 && memcmp(u, "Mt", 2) == 0)
	{
		*exponent = 9;
		rest = u + 2;
	}
	else if (len >= 1 && u[0] == 't')
	{
		*exponent = 3;
		rest = u + 1;
	}
	else
		return false;

	/* optional CO2 suffix: "CO2", "-CO2", "CO₂", "-CO₂" (U+2082) */
	restlen = end - rest;
	if (restlen > 0 && rest[0] == '-')
	{
		rest++;
		restlen--;
		if (restlen == 0)
			return false;
	}
	if (restlen == 0)
		return true;
	if (restlen == 3 && memcmp(rest, "CO2", 3) == 0)
		return true;
	if (restlen == 5 && memcmp(rest, "CO\xE2\x82\x82", 5) == 0)
		return true;
	return false;
}

/* Scans a tco2 amount; see the header for the accepted forms. */
ValueStatus
tco2_parse(const char *str, size_t len, int64 *mt, char *detail,
		   size_t detail_size)
{
	const char *p = str;
	const char *end = str + len;
	const char *start;
	const char *frac_start = NULL;
	const char *frac_end = NULL;
	const char *unit;
	bool		neg = false;
	int			group = 0;
	bool		commas = false;
	int			ndigits = 0;
	int			exponent = 3;
	int			nfrac;
	uint64		mag = 0;		/* whole units so far */
	bool		overflow = false;
	uint64		frac = 0;
	uint64		limit;
	int			i;

	/*
	 * Fast path for the canonical form that COPY, drivers and tco2_out
	 * produce: an optional minus, at most 15 digits, and optionally a point
	 * with at most 3 digits, nothing else.  It cannot overflow (10^18 <
	 * 2^63) and accepts exactly what the general scanner below would, with
	 * the same value; anything else takes the general path.
	 */
	{
		const char *q = str;
		uint64		v = 0;
		int			nwhole = 0;
		int			nf = 0;
		bool		negative = false;

		if (q < end && *q == '-')
		{
			negative = true;
			q++;
		}
		while (q < end && nwhole < 15 && tco2_is_digit(*q))
		{
			v = v * 10 + (uint64) (*q++ - '0');
			nwhole++;
		}
		if (nwhole > 0 && q < end && *q == '.')
		{
			q++;
			while (q < end && nf < 3 && tco2_is_digit(*q))
			{
				v = v * 10 + (uint64) (*q++ - '0');
				nf++;
			}
		}
		if (nwhole > 0 && q == end)
		{
			for (; nf < 3; nf++)
				v *= 10;
			*mt = negative ? -(int64) v : (int64) v;
			return VALUE_OK;
		}
	}

	if (detail != NULL && detail_size > 0)
		detail[0] = '\0';

	/* trim white space at both ends */
	while (p < end && tco2_is_space(*p))
		p++;
	while (end > p && tco2_is_space(end[-1]))
		end--;
	start = p;
	if (p == end)
		return TCO2_FAIL(VALUE_SYNTAX, "The input is empty.");

	if (*p == '+' || *p == '-')
	{
		neg = (*p == '-');
		p++;
	}

	/* whole tonnes (or units), with optional thousands separators */
	while (p < end)
	{
		if (tco2_is_digit(*p))
		{
			/* per-digit overflow check; reported after the syntax checks */
			if (unlikely(pg_mul_u64_overflow(mag, 10, &mag) ||
						 pg_add_u64_overflow(mag, (uint64) (*p - '0'), &mag)))
				overflow = true;
			group++;
			ndigits++;
			p++;
		}
		else if (*p == ',')
		{
			if (group == 0 || (commas ? group != 3 : group > 3) ||
				p + 1 >= end || !tco2_is_digit(p[1]))
				return TCO2_FAIL(VALUE_SYNTAX, "Thousands separators must separate groups of three digits.");
			commas = true;
			group = 0;
			p++;
		}
		else
			break;
	}
	if (commas && group != 3)
		return TCO2_FAIL(VALUE_SYNTAX, "Thousands separators must separate groups of three digits.");

	/* fraction */
	if (p < end && *p == '.')
	{
		p++;
		frac_start = p;
		while (p < end && tco2_is_digit(*p))
		{
			ndigits++;
			p++;
		}
		frac_end = p;
	}
	if (ndigits == 0)
		return TCO2_FAIL(VALUE_SYNTAX, "Expected an amount such as 1234.5, 1,234.5 t or 500 kg.");
	if (p < end && *p == '.')
		return TCO2_FAIL(VALUE_SYNTAX, "An amount has at most one decimal point.");
	if (p < end && *p == ',')
		return TCO2_FAIL(VALUE_SYNTAX, "Thousands separators are allowed only before the decimal point.");

	/* unit, after optional spaces */
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	unit = p;
	if (unit < end && !tco2_match_unit(unit, end, &exponent))
	{
		size_t		ulen = end - unit;

		/* quote a bounded prefix of the unit, cut at a character boundary */
		if (ulen > UNIT_QUOTE_MAX)
		{
			ulen = UNIT_QUOTE_MAX;
			while (ulen > 0 && ((unsigned char) unit[ulen] & 0xC0) == 0x80)
				ulen--;
		}
		return tco2_fail(VALUE_SYNTAX, detail, detail_size,
						 "Unexpected \"", unit, ulen,
						 ulen < (size_t) (end - unit)
						 ? "...\" after the number; the units are t, t-CO2, tCO2, kg, kt and Mt."
						 : "\" after the number; the units are t, t-CO2, tCO2, kg, kt and Mt.");
	}

	/* no non-zero digit may lie beyond the unit's resolution of 0.001 t */
	nfrac = frac_start ? (int) (frac_end - frac_start) : 0;
	for (i = exponent; i < nfrac; i++)
	{
		if (frac_start[i] != '0')
		{
			if (end - start <= QUOTE_MAX)
				return tco2_fail(VALUE_PRECISION, detail, detail_size,
								 "tco2 holds whole kilograms (0.001 t); \"",
								 start, end - start, "\" has a finer digit.");
			return TCO2_FAIL(VALUE_PRECISION, "tco2 holds whole kilograms (0.001 t); the input has a finer digit.");
		}
	}

	/* value = whole units * 10^exponent + the unit's fraction digits */
	for (i = 0; i < exponent; i++)
		frac = frac * 10 + (uint64) (i < nfrac ? frac_start[i] - '0' : 0);
	limit = neg ? (uint64) PG_INT64_MAX + 1 : (uint64) PG_INT64_MAX;
	if (overflow ||
		pg_mul_u64_overflow(mag, (uint64) tco2_pow10(exponent), &mag) ||
		pg_add_u64_overflow(mag, frac, &mag) ||
		mag > limit)
		return TCO2_FAIL(VALUE_RANGE, range_detail);
	*mt = neg ? (int64) ((uint64) 0 - mag) : (int64) mag;
	return VALUE_OK;
}

/* Writes mt in tonnes, shortest exact form, and returns the length. */
int
tco2_format(int64 mt, char *buf, size_t size)
{
	char		out[TCO2_TEXT_SIZE];
	char		digits[24];
	int			ndigits = 0;
	int			len = 0;
	uint64		mag;
	uint64		whole;
	int			frac;

	mag = mt < 0 ? (uint64) 0 - (uint64) mt : (uint64) mt;
	whole = mag / 1000;
	frac = (int) (mag % 1000);

	if (mt < 0)
		out[len++] = '-';
	do
	{
		digits[ndigits++] = (char) ('0' + whole % 10);
		whole /= 10;
	} while (whole > 0);
	while (ndigits > 0)
		out[len++] = digits[--ndigits];
	if (frac != 0)
	{
		out[len++] = '.';
		out[len++] = (char) ('0' + frac / 100);
		frac %= 100;
		if (frac != 0)
		{
			out[len++] = (char) ('0' + frac / 10);
			frac %= 10;
			if (frac != 0)
				out[len++] = (char) ('0' + frac);
		}
	}
	return value_copy_text(out, len, buf, size);
}

/* a + b, overflow-checked. */
ValueStatus
tco2_add(int64 a, int64 b, int64 *result)
{
	return pg_add_s64_overflow(a, b, result) ? VALUE_RANGE : VALUE_OK;
}

/* a - b, overflow-checked. */
ValueStatus
tco2_sub(int64 a, int64 b, int64 *result)
{
	return pg_sub_s64_overflow(a, b, result) ? VALUE_RANGE : VALUE_OK;
}

/* -a, overflow-checked. */
ValueStatus
tco2_neg(int64 a, int64 *result)
{
	if (a == PG_INT64_MIN)
		return VALUE_RANGE;
	*result = -a;
	return VALUE_OK;
}

/* mt * n, overflow-checked. */
ValueStatus
tco2_mul_int64(int64 mt, int64 n, int64 *result)
{
	return pg_mul_s64_overflow(mt, n, result) ? VALUE_RANGE : VALUE_OK;
}

/* num / den rounded half away from zero; VALUE_RANGE if beyond int64. */
static ValueStatus
tco2_round_div128(int128 num, int128 den, int64 *result)
{
	int128		q = num / den;
	int128		rem = num % den;

	if (rem != 0)
	{
		int128		arem = rem < 0 ? -rem : rem;
		int128		aden = den < 0 ? -den : den;

		if (arem * 2 >= aden)
			q += ((num < 0) != (den < 0)) ? -1 : 1;
	}
	if (q > (int128) PG_INT64_MAX || q < (int128) PG_INT64_MIN)
		return VALUE_RANGE;
	*result = (int64) q;
	return VALUE_OK;
}

/* mt / n rounded half away from zero. */
ValueStatus
tco2_div_int64(int64 mt, int64 n, int64 *result)
{
	if (n == 0)
		return VALUE_INVALID;
	return tco2_round_div128((int128) mt, (int128) n, result);
}

/* mt * d exactly, rounded half away from zero to a milli-tonne. */
ValueStatus
tco2_mul_decimal(int64 mt, Decimal d, int64 *result)
{
	if (d.scale < 0 || d.scale > DECIMAL_MAX_SCALE)
		return VALUE_INVALID;
	return tco2_round_div128((int128) mt * (int128) d.coef,
							 (int128) tco2_pow10(d.scale), result);
}

/* mt / d exactly, rounded half away from zero to a milli-tonne. */
ValueStatus
tco2_div_decimal(int64 mt, Decimal d, int64 *result)
{
	if (d.coef == 0 || d.scale < 0 || d.scale > DECIMAL_MAX_SCALE)
		return VALUE_INVALID;
	return tco2_round_div128((int128) mt * (int128) tco2_pow10(d.scale),
							 (int128) d.coef, result);
}

/* sum / count rounded half away from zero to a milli-tonne. */
ValueStatus
tco2_avg_round(int128 sum, int64 count, int64 *result)
{
	if (count <= 0)
		return VALUE_INVALID;
	return tco2_round_div128(sum, (int128) count, result);
}
