/*
 * decimal.c
 *		Server side of Decimal: conversions from and to numeric.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "decimal.h"

/* Converts a finite numeric that fits into a Decimal, via its exact text. */
bool
numeric_to_decimal(Numeric n, Decimal *d)
{
	char	   *text;
	ValueStatus status;

	if (numeric_is_nan(n) || numeric_is_inf(n))
		return false;
	text = DatumGetCString(DirectFunctionCall1(numeric_out,
											   NumericGetDatum(n)));
	status = decimal_parse(text, strlen(text), d);
	pfree(text);
	return status == VALUE_OK;
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
