/*
 * decimal.c
 *		Server side of Decimal: conversions from and to numeric.
 */
#include "postgres.h"

#if PG_VERSION_NUM >= 160000
#include "varatt.h"			/* VARDATA, VARSIZE_ANY, SET_VARSIZE */
#endif

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "decimal.h"

/*
 * A few recent conversions, keyed by the numeric's bytes.  Rates, caps and
 * factors come from a handful of configuration rows, so a report that calls
 * year_target() and counted_reduction() for every facility-year would
 * otherwise print and re-parse the same few numerics thousands of times.
 */
#define DECIMAL_CACHE_ENTRIES 4
#define DECIMAL_CACHE_BYTES 32

typedef struct DecimalCacheEntry
{
	Size		len;
	char		bytes[DECIMAL_CACHE_BYTES];
	Decimal		value;
} DecimalCacheEntry;

static DecimalCacheEntry decimal_cache[DECIMAL_CACHE_ENTRIES];
static int	decimal_cache_next = 0;

/* Converts a finite numeric that fits into a Decimal, via its exact text. */
bool
numeric_to_decimal(Numeric n, Decimal *d)
{
	char	   *text;
	ValueStatus status;
	Size		len = VARSIZE_ANY(n);
	int			i;

	for (i = 0; i < DECIMAL_CACHE_ENTRIES; i++)
	{
		if (decimal_cache[i].len == len &&
			memcmp(decimal_cache[i].bytes, n, len) == 0)
		{
			*d = decimal_cache[i].value;
			return true;
		}
	}

	if (numeric_is_nan(n) || numeric_is_inf(n))
		return false;
	text = DatumGetCString(DirectFunctionCall1(numeric_out,
											   NumericGetDatum(n)));
	status = decimal_parse(text, strlen(text), d);
	pfree(text);
	if (status != VALUE_OK)
		return false;

	if (len <= DECIMAL_CACHE_BYTES)
	{
		DecimalCacheEntry *e = &decimal_cache[decimal_cache_next];

		memcpy(e->bytes, n, len);
		e->len = len;
		e->value = *d;
		decimal_cache_next = (decimal_cache_next + 1) % DECIMAL_CACHE_ENTRIES;
	}
	return true;
}

/* Builds the numeric coef / 10^scale. */
Numeric
decimal_to_numeric(Decimal d)
{
	char		buf[DECIMAL_TEXT_SIZE];

	decimal_format(d, buf, sizeof(buf));
	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(buf),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/* Converts a rate, cap or factor; errors name it as what. */
Decimal
numeric_to_fraction(Numeric num, const char *what)
{
	Decimal		d;

	if (!numeric_to_decimal(num, &d))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s out of range", what),
				 errdetail("The %s %s is not finite or has more digits than a fraction may have (at most 18 decimal places).",
						   what,
						   DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(num))))));
	if (d.coef < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", what),
				 errdetail("The %s given is %s.", what,
						   DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(num))))));
	return d;
}
