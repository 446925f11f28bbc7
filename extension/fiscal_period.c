/*
 * fiscal_period.c
 *		fmgr wrappers of the fiscal_period type: a closed run of fiscal
 *		years, stored by value as int4 (lower << 16) | upper, so that the
 *		core int4 comparisons order periods by (lower, upper).
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/rangetypes.h"

#include "fiscal_value.h"
#include "fiscal_year.h"
#include "value_error.h"

PG_FUNCTION_INFO_V1(fiscal_period_in);
PG_FUNCTION_INFO_V1(fiscal_period_out);
PG_FUNCTION_INFO_V1(fiscal_period_recv);
PG_FUNCTION_INFO_V1(fiscal_period_make);
PG_FUNCTION_INFO_V1(fiscal_period_lower);
PG_FUNCTION_INFO_V1(fiscal_period_upper);
PG_FUNCTION_INFO_V1(fiscal_period_years);
PG_FUNCTION_INFO_V1(fiscal_period_fiscal_years);
PG_FUNCTION_INFO_V1(fiscal_period_contains_year);
PG_FUNCTION_INFO_V1(fiscal_year_contained_by);
PG_FUNCTION_INFO_V1(fiscal_period_contains);
PG_FUNCTION_INFO_V1(fiscal_period_contained_by);
PG_FUNCTION_INFO_V1(fiscal_period_overlaps);
PG_FUNCTION_INFO_V1(fiscal_period_year_range);
PG_FUNCTION_INFO_V1(fiscal_period_wareki);

/* Parses the text form of a period, e.g. FY2020-FY2024 or 令和2年度～令和6年度. */
Datum
fiscal_period_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	char	   *utf8 = pg_server_to_any(str, strlen(str), PG_UTF8);
	char		detail[VALUE_DETAIL_SIZE];
	int32		lower;
	int32		upper;
	ValueStatus st;

	detail[0] = '\0';
	st = fiscal_period_parse(utf8, strlen(utf8), &lower, &upper,
							 detail, sizeof(detail));
	if (st != VALUE_OK)
	{
		report_input_error(fcinfo->context, st, "fiscal_period", str,
						   fiscal_detail_to_server(detail));
		PG_RETURN_INT32(0);
	}
	PG_RETURN_INT32(MAKE_PERIOD(lower, upper));
}

/* Writes the canonical text form, e.g. FY2020-FY2024. */
Datum
fiscal_period_out(PG_FUNCTION_ARGS)
{
	int32		p = PG_GETARG_INT32(0);
	char		buf[FISCAL_PERIOD_TEXT_SIZE];

	fiscal_period_format(PERIOD_LOWER(p), PERIOD_UPPER(p), buf, sizeof(buf));
	PG_RETURN_CSTRING(pstrdup(buf));
}

/* Reads the binary form (the packed int4) and refuses invalid periods. */
Datum
fiscal_period_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		p = (int32) pq_getmsgint(buf, sizeof(int32));
	char		detail[VALUE_DETAIL_SIZE];

	if (p < 0 ||
		fiscal_period_check(PERIOD_LOWER(p), PERIOD_UPPER(p),
							detail, sizeof(detail)) != VALUE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type fiscal_period"),
				 errdetail("The value %08X does not encode FY%d to FY%d with the start not after the end.",
						   (uint32) p, FISCAL_YEAR_MIN, FISCAL_YEAR_MAX)));
	PG_RETURN_INT32(p);
}

/* Builds a period from its first and last fiscal year. */
Datum
fiscal_period_make(PG_FUNCTION_ARGS)
{
	int32		lower = PG_GETARG_FISCAL_YEAR(0);
	int32		upper = PG_GETARG_FISCAL_YEAR(1);
	char		detail[VALUE_DETAIL_SIZE];
	ValueStatus st = fiscal_period_check(lower, upper, detail, sizeof(detail));

	if (st != VALUE_OK)
		report_value_error(st, "fiscal_period", detail);
	PG_RETURN_INT32(MAKE_PERIOD(lower, upper));
}

/* The first fiscal year of the period. */
Datum
fiscal_period_lower(PG_FUNCTION_ARGS)
{
	PG_RETURN_FISCAL_YEAR(PERIOD_LOWER(PG_GETARG_INT32(0)));
}

/* The last fiscal year of the period. */
Datum
fiscal_period_upper(PG_FUNCTION_ARGS)
{
	PG_RETURN_FISCAL_YEAR(PERIOD_UPPER(PG_GETARG_INT32(0)));
}

/* The number of fiscal years in the period. */
Datum
fiscal_period_years(PG_FUNCTION_ARGS)
{
	int32		p = PG_GETARG_INT32(0);

	PG_RETURN_INT32(PERIOD_UPPER(p) - PERIOD_LOWER(p) + 1);
}

/* Returns each fiscal year of the period in order, one row per call. */
Datum
fiscal_period_fiscal_years(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	int32		p;
	int32		fy;

	if (SRF_IS_FIRSTCALL())
		(void) SRF_FIRSTCALL_INIT();
	funcctx = SRF_PERCALL_SETUP();
	p = PG_GETARG_INT32(0);
	/* computed first: SRF_RETURN_NEXT advances call_cntr before returning */
	fy = PERIOD_LOWER(p) + (int32) funcctx->call_cntr;
	if (fy <= PERIOD_UPPER(p))
		SRF_RETURN_NEXT(funcctx, Int16GetDatum((int16) fy));
	SRF_RETURN_DONE(funcctx);
}

/* period @> fiscal_year: the year lies within the period. */
Datum
fiscal_period_contains_year(PG_FUNCTION_ARGS)
{
	int32		p = PG_GETARG_INT32(0);
	int32		fy = PG_GETARG_FISCAL_YEAR(1);

	PG_RETURN_BOOL(PERIOD_LOWER(p) <= fy && fy <= PERIOD_UPPER(p));
}

/* fiscal_year <@ period: the year lies within the period. */
Datum
fiscal_year_contained_by(PG_FUNCTION_ARGS)
{
	int32		fy = PG_GETARG_FISCAL_YEAR(0);
	int32		p = PG_GETARG_INT32(1);

	PG_RETURN_BOOL(PERIOD_LOWER(p) <= fy && fy <= PERIOD_UPPER(p));
}

/* period @> period: every year of the second lies within the first. */
Datum
fiscal_period_contains(PG_FUNCTION_ARGS)
{
	int32		a = PG_GETARG_INT32(0);
	int32		b = PG_GETARG_INT32(1);

	PG_RETURN_BOOL(PERIOD_LOWER(a) <= PERIOD_LOWER(b) &&
				   PERIOD_UPPER(b) <= PERIOD_UPPER(a));
}

/* period <@ period: every year of the first lies within the second. */
Datum
fiscal_period_contained_by(PG_FUNCTION_ARGS)
{
	int32		a = PG_GETARG_INT32(0);
	int32		b = PG_GETARG_INT32(1);

	PG_RETURN_BOOL(PERIOD_LOWER(b) <= PERIOD_LOWER(a) &&
				   PERIOD_UPPER(a) <= PERIOD_UPPER(b));
}

/* period && period: the two share at least one year. */
Datum
fiscal_period_overlaps(PG_FUNCTION_ARGS)
{
	int32		a = PG_GETARG_INT32(0);
	int32		b = PG_GETARG_INT32(1);

	PG_RETURN_BOOL(PERIOD_LOWER(a) <= PERIOD_UPPER(b) &&
				   PERIOD_LOWER(b) <= PERIOD_UPPER(a));
}

/* The period as an int4range [lower, upper + 1), for GiST exclusion constraints. */
Datum
fiscal_period_year_range(PG_FUNCTION_ARGS)
{
	int32		p = PG_GETARG_INT32(0);
	TypeCacheEntry *typcache = range_get_typcache(fcinfo, INT4RANGEOID);
	RangeBound	lower;
	RangeBound	upper;

	lower.val = Int32GetDatum(PERIOD_LOWER(p));
	lower.infinite = false;
	lower.inclusive = true;
	lower.lower = true;
	upper.val = Int32GetDatum(PERIOD_UPPER(p) + 1);
	upper.infinite = false;
	upper.inclusive = false;
	upper.lower = false;
#if PG_VERSION_NUM >= 160000
	PG_RETURN_RANGE_P(make_range(typcache, &lower, &upper, false, NULL));
#else
	PG_RETURN_RANGE_P(make_range(typcache, &lower, &upper, false));
#endif
}

/* The era (wareki) names of both ends, e.g. 令和2年度～令和6年度. */
Datum
fiscal_period_wareki(PG_FUNCTION_ARGS)
{
	int32		p = PG_GETARG_INT32(0);
	char		buf[FISCAL_PERIOD_TEXT_SIZE];
	int			len = fiscal_period_format_wareki(PERIOD_LOWER(p),
												  PERIOD_UPPER(p),
												  buf, sizeof(buf));

	PG_RETURN_TEXT_P(cstring_to_text(pg_any_to_server(buf, len, PG_UTF8)));
}
