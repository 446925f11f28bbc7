/*
 * tco2_fuzz.c
 *		libFuzzer harness of the pure tco2 and Decimal logic.  Properties
 *		checked (abort() on failure):
 *		- whatever tco2_parse accepts formats to text that parses back to the
 *		  same value, and that text is canonical (a fixed point of format);
 *		- on plain numeric text tco2_parse agrees with decimal_parse × 1000;
 *		- decimal_parse -> decimal_format -> decimal_parse is the identity;
 *		- tco2_mul_decimal, tco2_div_decimal and tco2_div_int64 agree with an
 *		  independent unsigned long-division reference, including overflow.
 */
#include "c.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decimal_value.h"
#include "tco2_value.h"

/* Aborts with a message when a property does not hold. */
static void
check(bool ok, const char *what)
{
	if (!ok)
	{
		fputs("property failed: ", stderr);
		fputs(what, stderr);
		fputc('\n', stderr);
		abort();
	}
}

/* 10^n as unsigned 128-bit, 0 <= n <= 18. */
static uint128
pow10_u128(int n)
{
	uint128		r = 1;

	while (n-- > 0)
		r *= 10;
	return r;
}

/*
 * Reference: num / den rounded half away from zero, with num and den given
 * as sign and magnitude; returns false when the result is beyond int64.
 */
static bool
reference_round(bool neg, uint128 num, uint128 den, int64 *result)
{
	uint128		q = num / den;
	uint128		r = num % den;

	if (r >= den - r)			/* 2r >= den without overflow */
		q++;
	if (q == 0)
	{
		*result = 0;
		return true;
	}
	if (neg)
	{
		if (q > (uint128) PG_INT64_MAX + 1)
			return false;
		*result = (int64) (0 - (uint64) q);
	}
	else
	{
		if (q > (uint128) PG_INT64_MAX)
			return false;
		*result = (int64) q;
	}
	return true;
}

/* Unsigned magnitude of an int64. */
static uint64
mag64(int64 v)
{
	return v < 0 ? (uint64) 0 - (uint64) v : (uint64) v;
}

/* Reads a big-endian int64 from 8 bytes. */
static int64
read64(const uint8_t *p)
{
	uint64		v = 0;
	int			i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return (int64) v;
}

/* Checks the text properties of tco2_parse and decimal_parse. */
static void
fuzz_text(const char *str, size_t len)
{
	char		detail[VALUE_DETAIL_SIZE];
	char		buf[TCO2_TEXT_SIZE];
	char		buf2[TCO2_TEXT_SIZE];
	int64		mt = 0;
	int64		mt2 = 0;
	int			n;
	Decimal		d;
	ValueStatus status;

	detail[0] = 'x';
	status = tco2_parse(str, len, &mt, detail, sizeof(detail));
	if (status == VALUE_OK)
	{
		n = tco2_format(mt, buf, sizeof(buf));
		check(n > 0 && n < TCO2_TEXT_SIZE && (size_t) n == strlen(buf),
			  "format length");
		check(tco2_parse(buf, n, &mt2, detail, sizeof(detail)) == VALUE_OK,
			  "formatted text parses");
		check(mt2 == mt, "format -> parse round trip");
		check(tco2_format(mt2, buf2, sizeof(buf2)) == n &&
			  memcmp(buf, buf2, n + 1) == 0, "format is canonical");
		/* canonical: no trailing fractional zero, no "-0", no leading zero */
		if (strchr(buf, '.'))
			check(buf[n - 1] != '0' && buf[n - 1] != '.', "no trailing zero");
		check(strcmp(buf, "-0") != 0, "no negative zero");
		check(!(buf[buf[0] == '-'] == '0' && buf[(buf[0] == '-') + 1] >= '0' &&
				buf[(buf[0] == '-') + 1] <= '9'), "no leading zero");
	}
	else
	{
		check(status == VALUE_SYNTAX || status == VALUE_PRECISION ||
			  status == VALUE_RANGE, "parse status");
		check(detail[0] != '\0' && detail[0] != 'x' &&
			  strlen(detail) < sizeof(detail), "failure has a detail");
	}

	/* plain numeric text: tco2 is exactly the Decimal in tonnes */
	if (decimal_parse(str, len, &d) == VALUE_OK)
	{
		char		dbuf[DECIMAL_TEXT_SIZE];
		Decimal		d2;
		int128		lhs;
		int128		rhs;

		n = decimal_format(d, dbuf, sizeof(dbuf));
		check(n > 0 && n < DECIMAL_TEXT_SIZE, "decimal format length");
		check(decimal_parse(dbuf, n, &d2) == VALUE_OK &&
			  d2.coef == d.coef && d2.scale == d.scale,
			  "decimal round trip");
		check(d.scale == 0 || d.coef % 10 != 0, "decimal is normalised");

		if (status == VALUE_OK)
		{
			/* mt * 10^scale == coef * 1000 */
			lhs = (int128) mt * (int128) pow10_u128(d.scale);
			rhs = (int128) d.coef * 1000;
			check(lhs == rhs, "tco2_parse agrees with decimal_parse");
		}
		else if (status == VALUE_PRECISION)
			check(d.scale > 3, "precision error only beyond 3 decimals");
		else
		{
			/* a Decimal within 3 decimals that tco2 rejects must be out of range */
			check(status == VALUE_RANGE && d.scale <= 3, "decimal fits but tco2 says syntax");
		}
	}
}

/* Checks the arithmetic against the reference on values from the input. */
static void
fuzz_arith(const uint8_t *data, size_t size)
{
	int64		mt;
	Decimal		d;
	int64		got = 0;
	int64		want = 0;
	bool		fits;
	ValueStatus status;

	if (size < 17)
		return;
	mt = read64(data);
	d.coef = read64(data + 8);
	d.scale = data[16] % (DECIMAL_MAX_SCALE + 1);

	/* mul: |mt * coef| / 10^scale */
	status = tco2_mul_decimal(mt, d, &got);
	fits = reference_round((mt < 0) != (d.coef < 0) && mt != 0 && d.coef != 0,
						   (uint128) mag64(mt) * mag64(d.coef),
						   pow10_u128(d.scale), &want);
	check(fits ? (status == VALUE_OK && got == want) : status == VALUE_RANGE,
		  "tco2_mul_decimal matches the reference");

	/* div: |mt| * 10^scale / |coef| */
	status = tco2_div_decimal(mt, d, &got);
	if (d.coef == 0)
		check(status == VALUE_INVALID, "division by zero is VALUE_INVALID");
	else
	{
		fits = reference_round((mt < 0) != (d.coef < 0) && mt != 0,
							   (uint128) mag64(mt) * pow10_u128(d.scale),
							   mag64(d.coef), &want);
		check(fits ? (status == VALUE_OK && got == want) : status == VALUE_RANGE,
			  "tco2_div_decimal matches the reference");
	}

	/* integer division agrees with Decimal division at scale 0 */
	status = tco2_div_int64(mt, d.coef, &got);
	if (d.coef == 0)
		check(status == VALUE_INVALID, "integer division by zero");
	else
	{
		Decimal		whole = {d.coef, 0};
		int64		viadec = 0;
		ValueStatus s2 = tco2_div_decimal(mt, whole, &viadec);

		check(s2 == status && (status != VALUE_OK || viadec == got),
			  "tco2_div_int64 agrees with tco2_div_decimal");
	}

	/* integer multiplication agrees with Decimal multiplication at scale 0 */
	{
		Decimal		whole = {d.coef, 0};
		int64		viadec = 0;
		ValueStatus s1 = tco2_mul_int64(mt, d.coef, &got);
		ValueStatus s2 = tco2_mul_decimal(mt, whole, &viadec);

		check(s1 == s2 && (s1 != VALUE_OK || viadec == got),
			  "tco2_mul_int64 agrees with tco2_mul_decimal");
	}

	/* average of one value is the value; add/sub agree with int128 */
	check(tco2_avg_round((int128) mt, 1, &got) == VALUE_OK && got == mt,
		  "avg of one value");
	{
		int128		sum = (int128) mt + d.coef;
		int128		diff = (int128) mt - d.coef;
		bool		sum_fits = sum >= PG_INT64_MIN && sum <= PG_INT64_MAX;
		bool		diff_fits = diff >= PG_INT64_MIN && diff <= PG_INT64_MAX;

		status = tco2_add(mt, d.coef, &got);
		check(sum_fits ? (status == VALUE_OK && got == (int64) sum)
			  : status == VALUE_RANGE, "tco2_add");
		status = tco2_sub(mt, d.coef, &got);
		check(diff_fits ? (status == VALUE_OK && got == (int64) diff)
			  : status == VALUE_RANGE, "tco2_sub");
	}
}

/* libFuzzer entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_text((const char *) data, size);
	fuzz_arith(data, size);
	return 0;
}
