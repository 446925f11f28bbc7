/*
 * tco2.c
 *		fmgr wrappers of tco2: text I/O, arithmetic operators, casts and
 *		functions.  The value logic is in tco2_value.c; comparison, hashing
 *		and binary I/O reuse the core int8 functions (LANGUAGE internal).
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "decimal.h"
#include "tco2.h"
#include "value_error.h"

PG_FUNCTION_INFO_V1(tco2_in);
PG_FUNCTION_INFO_V1(tco2_out);
PG_FUNCTION_INFO_V1(tco2_pl);
PG_FUNCTION_INFO_V1(tco2_mi);
PG_FUNCTION_INFO_V1(tco2_um);
PG_FUNCTION_INFO_V1(tco2_abs);
PG_FUNCTION_INFO_V1(tco2_smaller);
PG_FUNCTION_INFO_V1(tco2_larger);
PG_FUNCTION_INFO_V1(tco2_mul_int4);
PG_FUNCTION_INFO_V1(int4_mul_tco2);
PG_FUNCTION_INFO_V1(tco2_mul_int8);
PG_FUNCTION_INFO_V1(int8_mul_tco2);
PG_FUNCTION_INFO_V1(tco2_mul_numeric);
PG_FUNCTION_INFO_V1(numeric_mul_tco2);
PG_FUNCTION_INFO_V1(tco2_div_int4);
PG_FUNCTION_INFO_V1(tco2_div_int8);
PG_FUNCTION_INFO_V1(tco2_div_numeric);
PG_FUNCTION_INFO_V1(tco2_div_tco2);
PG_FUNCTION_INFO_V1(tco2_numeric);
PG_FUNCTION_INFO_V1(numeric_tco2);
PG_FUNCTION_INFO_V1(int4_tco2);
PG_FUNCTION_INFO_V1(int8_tco2);
PG_FUNCTION_INFO_V1(tco2_kg);

/* Throws "tco2 out of range" (22003) unless status is VALUE_OK. */
static inline void
tco2_check(ValueStatus status)
{
	if (unlikely(status != VALUE_OK))
		report_value_error(VALUE_RANGE, "tco2", NULL);
}

/* Throws the usual division-by-zero error (22012). */
static void
tco2_division_by_zero(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DIVISION_BY_ZERO),
			 errmsg("division by zero")));
}

/* Reports why str is not a tco2; returns only for a soft error. */
static pg_noinline void
tco2_in_error(FunctionCallInfo fcinfo, const char *str)
{
	char		detail[VALUE_DETAIL_SIZE];
	int64		mt;
	ValueStatus status;

	status = tco2_parse(str, strlen(str), &mt, detail, sizeof(detail));
	report_input_error(fcinfo->context, status, "tco2", str, detail);
}

/* Text input: "1,234.5 t", "500 kg", "12 kt", ... */
Datum
tco2_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	int64		mt;

	/* COPY and drivers call this per value: no detail buffer unless needed */
	if (unlikely(tco2_parse(str, strlen(str), &mt, NULL, 0) != VALUE_OK))
	{
		tco2_in_error(fcinfo, str);
		PG_RETURN_NULL();		/* a soft error was saved (PostgreSQL 16+) */
	}
	PG_RETURN_TCO2(mt);
}

/* Text output in tonnes, shortest exact form. */
Datum
tco2_out(PG_FUNCTION_ARGS)
{
	int64		mt = PG_GETARG_TCO2(0);
	char	   *buf = palloc(TCO2_TEXT_SIZE);

	tco2_format(mt, buf, TCO2_TEXT_SIZE);
	PG_RETURN_CSTRING(buf);
}

/* tco2 + tco2, overflow-checked. */
Datum
tco2_pl(PG_FUNCTION_ARGS)
{
	int64		result;

	tco2_check(tco2_add(PG_GETARG_TCO2(0), PG_GETARG_TCO2(1), &result));
	PG_RETURN_TCO2(result);
}

/* tco2 - tco2, overflow-checked. */
Datum
tco2_mi(PG_FUNCTION_ARGS)
{
	int64		result;

	tco2_check(tco2_sub(PG_GETARG_TCO2(0), PG_GETARG_TCO2(1), &result));
	PG_RETURN_TCO2(result);
}

/* Unary minus, overflow-checked. */
Datum
tco2_um(PG_FUNCTION_ARGS)
{
	int64		result;

	tco2_check(tco2_neg(PG_GETARG_TCO2(0), &result));
	PG_RETURN_TCO2(result);
}

/* Absolute value, overflow-checked. */
Datum
tco2_abs(PG_FUNCTION_ARGS)
{
	int64		mt = PG_GETARG_TCO2(0);
	int64		result = mt;

	if (mt < 0)
		tco2_check(tco2_neg(mt, &result));
	PG_RETURN_TCO2(result);
}

/* The smaller of two amounts (min's step and combine function). */
Datum
tco2_smaller(PG_FUNCTION_ARGS)
{
	int64		a = PG_GETARG_TCO2(0);
	int64		b = PG_GETARG_TCO2(1);

	PG_RETURN_TCO2(a < b ? a : b);
}

/* The larger of two amounts (max's step and combine function). */
Datum
tco2_larger(PG_FUNCTION_ARGS)
{
	int64		a = PG_GETARG_TCO2(0);
	int64		b = PG_GETARG_TCO2(1);

	PG_RETURN_TCO2(a > b ? a : b);
}

/* tco2 * int4, overflow-checked. */
Datum
tco2_mul_int4(PG_FUNCTION_ARGS)
{
	int64		result;

	tco2_check(tco2_mul_int64(PG_GETARG_TCO2(0), PG_GETARG_INT32(1),
							  &result));
	PG_RETURN_TCO2(result);
}

/* int4 * tco2, overflow-checked. */
Datum
int4_mul_tco2(PG_FUNCTION_ARGS)
{
	int64		result;

	tco2_check(tco2_mul_int64(PG_GETARG_TCO2(1), PG_GETARG_INT32(0),
							  &result));
	PG_RETURN_TCO2(result);
}

/* tco2 * int8, overflow-checked. */
Datum
tco2_mul_int8(PG_FUNCTION_ARGS)
{
	int64		result;

	tco2_check(tco2_mul_int64(PG_GETARG_TCO2(0), PG_GETARG_INT64(1),
							  &result));
	PG_RETURN_TCO2(result);
}

/* int8 * tco2, overflow-checked. */
Datum
int8_mul_tco2(PG_FUNCTION_ARGS)
{
	int64		result;

	tco2_check(tco2_mul_int64(PG_GETARG_TCO2(1), PG_GETARG_INT64(0),
							  &result));
	PG_RETURN_TCO2(result);
}

/* Tonnes as numeric, in shortest exact form. */
Numeric
tco2_to_numeric(int64 mt)
{
	char		buf[TCO2_TEXT_SIZE];

	tco2_format(mt, buf, sizeof(buf));
	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(buf),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/* Exact tonnes from numeric; never rounds (see tco2.h for the errors). */
int64
tco2_from_numeric(Numeric n)
{
	char	   *text;
	char		detail[VALUE_DETAIL_SIZE];
	int64		mt;
	ValueStatus status;

	if (numeric_is_nan(n))
		report_value_error(VALUE_SYNTAX, "tco2", "NaN is not an amount.");
	if (numeric_is_inf(n))
		report_value_error(VALUE_RANGE, "tco2",
						   "tco2 ranges from -9223372036854775.808 t to 9223372036854775.807 t.");
	text = DatumGetCString(DirectFunctionCall1(numeric_out,
											   NumericGetDatum(n)));
	status = tco2_parse(text, strlen(text), &mt, detail, sizeof(detail));
	if (status != VALUE_OK)
		report_value_error(status, "tco2", detail);
	pfree(text);
	return mt;
}

/* Converts an integral numeric count of milli-tonnes, range-checked. */
static int64
tco2_from_numeric_mt(Numeric n)
{
	char	   *text;
	Decimal		d;

	if (numeric_is_nan(n))
		report_value_error(VALUE_SYNTAX, "tco2", "NaN is not an amount.");
	text = DatumGetCString(DirectFunctionCall1(numeric_out,
											   NumericGetDatum(n)));
	if (numeric_is_inf(n) || decimal_parse(text, strlen(text), &d) != VALUE_OK ||
		d.scale != 0)
		report_value_error(VALUE_RANGE, "tco2", NULL);
	pfree(text);
	return d.coef;
}

/* mt * n rounded half away from zero; exact in int128 when n fits. */
int64
tco2_mul_numeric_internal(int64 mt, Numeric n)
{
	Decimal		d;
	int64		result;
	Datum		product;

	if (likely(numeric_to_decimal(n, &d)))
	{
		tco2_check(tco2_mul_decimal(mt, d, &result));
		return result;
	}

	/* n has more digits than a Decimal holds: compute in numeric, exactly */
	if (numeric_is_nan(n))
		report_value_error(VALUE_SYNTAX, "tco2", "NaN is not an amount.");
	product = DirectFunctionCall2(numeric_mul,
								  NumericGetDatum(int64_to_numeric(mt)),
								  NumericGetDatum(n));
	product = DirectFunctionCall2(numeric_round, product, Int32GetDatum(0));
	return tco2_from_numeric_mt(DatumGetNumeric(product));
}

/* mt / n rounded half away from zero; exact in int128 when n fits. */
int64
tco2_div_numeric_internal(int64 mt, Numeric n)
{
	Decimal		d;
	int64		result;
	Datum		num;
	Datum		quot;
	Datum		rem;
	Datum		twice;

	if (likely(numeric_to_decimal(n, &d)))
	{
		if (d.coef == 0)
			tco2_division_by_zero();
		tco2_check(tco2_div_decimal(mt, d, &result));
		return result;
	}

	/* truncated quotient and exact remainder, then round half away */
	if (numeric_is_nan(n))
		report_value_error(VALUE_SYNTAX, "tco2", "NaN is not an amount.");
	num = NumericGetDatum(int64_to_numeric(mt));
	quot = DirectFunctionCall2(numeric_div_trunc, num, NumericGetDatum(n));
	rem = DirectFunctionCall2(numeric_mod, num, NumericGetDatum(n));
	twice = DirectFunctionCall2(numeric_mul,
								DirectFunctionCall1(numeric_abs, rem),
								NumericGetDatum(int64_to_numeric(2)));
	result = tco2_from_numeric_mt(DatumGetNumeric(quot));
	if (!numeric_is_inf(n) &&
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, twice,
										  DirectFunctionCall1(numeric_abs,
															  NumericGetDatum(n)))) >= 0)
	{
		bool		negative = (mt < 0) !=
			(DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											   NumericGetDatum(n),
											   NumericGetDatum(int64_to_numeric(0)))) < 0);

		tco2_check(tco2_add(result, negative ? -1 : 1, &result));
	}
	return result;
}

/* tco2 * numeric, rounded half away from zero to 0.001 t. */
Datum
tco2_mul_numeric(PG_FUNCTION_ARGS)
{
	PG_RETURN_TCO2(tco2_mul_numeric_internal(PG_GETARG_TCO2(0),
											 PG_GETARG_NUMERIC(1)));
}

/* numeric * tco2, rounded half away from zero to 0.001 t. */
Datum
numeric_mul_tco2(PG_FUNCTION_ARGS)
{
	PG_RETURN_TCO2(tco2_mul_numeric_internal(PG_GETARG_TCO2(1),
											 PG_GETARG_NUMERIC(0)));
}

/* tco2 / int4, rounded half away from zero to 0.001 t. */
Datum
tco2_div_int4(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(1);
	int64		result;

	if (n == 0)
		tco2_division_by_zero();
	tco2_check(tco2_div_int64(PG_GETARG_TCO2(0), n, &result));
	PG_RETURN_TCO2(result);
}

/* tco2 / int8, rounded half away from zero to 0.001 t. */
Datum
tco2_div_int8(PG_FUNCTION_ARGS)
{
	int64		n = PG_GETARG_INT64(1);
	int64		result;

	if (n == 0)
		tco2_division_by_zero();
	tco2_check(tco2_div_int64(PG_GETARG_TCO2(0), n, &result));
	PG_RETURN_TCO2(result);
}

/* tco2 / numeric, rounded half away from zero to 0.001 t. */
Datum
tco2_div_numeric(PG_FUNCTION_ARGS)
{
	PG_RETURN_TCO2(tco2_div_numeric_internal(PG_GETARG_TCO2(0),
											 PG_GETARG_NUMERIC(1)));
}

/* tco2 / tco2: the exact ratio as numeric division gives it. */
Datum
tco2_div_tco2(PG_FUNCTION_ARGS)
{
	int64		a = PG_GETARG_TCO2(0);
	int64		b = PG_GETARG_TCO2(1);

	if (b == 0)
		tco2_division_by_zero();
	return DirectFunctionCall2(numeric_div,
							   NumericGetDatum(int64_to_numeric(a)),
							   NumericGetDatum(int64_to_numeric(b)));
}

/* Cast tco2 -> numeric, and tonnes(tco2): tonnes in shortest exact form. */
Datum
tco2_numeric(PG_FUNCTION_ARGS)
{
	PG_RETURN_NUMERIC(tco2_to_numeric(PG_GETARG_TCO2(0)));
}

/* Cast numeric -> tco2: exact tonnes, never rounded. */
Datum
numeric_tco2(PG_FUNCTION_ARGS)
{
	PG_RETURN_TCO2(tco2_from_numeric(PG_GETARG_NUMERIC(0)));
}

/* Cast int4 -> tco2: whole tonnes. */
Datum
int4_tco2(PG_FUNCTION_ARGS)
{
	/* an int4 of tonnes always fits */
	PG_RETURN_TCO2((int64) PG_GETARG_INT32(0) * TCO2_PER_TONNE);
}

/* Cast int8 -> tco2: whole tonnes, overflow-checked. */
Datum
int8_tco2(PG_FUNCTION_ARGS)
{
	int64		result;

	tco2_check(tco2_mul_int64(PG_GETARG_INT64(0), TCO2_PER_TONNE, &result));
	PG_RETURN_TCO2(result);
}

/* kg(tco2): the raw count of kilograms (milli-tonnes). */
Datum
tco2_kg(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_TCO2(0));
}
