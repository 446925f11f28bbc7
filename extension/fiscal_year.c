/*
 * fiscal_year.c
 *		fmgr wrappers of the fiscal_year type: a Japanese fiscal year (FY N
 *		runs from 1 April N to 31 March N+1) stored by value as int2.
 *
 * Comparison, hashing and sort support use the core int2 functions directly
 * (LANGUAGE internal in the install script); only what needs validation or
 * calendar arithmetic lives here.
 */
#include "postgres.h"

#include "common/string.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"

#include "fiscal_value.h"
#include "fiscal_year.h"
#include "value_error.h"

#define PG_GETARG_FISCAL_YEAR(n) ((int32) PG_GETARG_INT16(n))
#define PG_RETURN_FISCAL_YEAR(x) PG_RETURN_INT16((int16) (x))

PG_FUNCTION_INFO_V1(fiscal_year_in);
PG_FUNCTION_INFO_V1(fiscal_year_out);
PG_FUNCTION_INFO_V1(fiscal_year_recv);
PG_FUNCTION_INFO_V1(fiscal_year_from_int4);
PG_FUNCTION_INFO_V1(fiscal_year_pl_int4);
PG_FUNCTION_INFO_V1(int4_pl_fiscal_year);
PG_FUNCTION_INFO_V1(fiscal_year_mi_int4);
PG_FUNCTION_INFO_V1(fiscal_year_mi);
PG_FUNCTION_INFO_V1(fiscal_year_from_date);
PG_FUNCTION_INFO_V1(fiscal_year_start);
PG_FUNCTION_INFO_V1(fiscal_year_end);
PG_FUNCTION_INFO_V1(fiscal_year_wareki);

/* Converts a parser's UTF-8 detail to the server encoding, never failing. */
const char *
fiscal_detail_to_server(const char *detail)
{
	int			encoding = GetDatabaseEncoding();
	char	   *ascii;
	char	   *out;
	const char *p;

	if (encoding == PG_UTF8 || encoding == PG_SQL_ASCII || pg_is_ascii(detail))
		return detail;
	/* the Japanese encodings hold every character the parsers write */
	if (encoding == PG_EUC_JP || encoding == PG_EUC_JIS_2004)
		return pg_any_to_server(detail, strlen(detail), PG_UTF8);
	ascii = out = palloc(strlen(detail) + 1);
	for (p = detail; *p; p++)
	{
		if (IS_HIGHBIT_SET(*p))
		{
			/* one '?' per character: skip its continuation bytes */
			if ((*p & 0xC0) == 0xC0)
				*out++ = '?';
		}
		else
			*out++ = *p;
	}
	*out = '\0';
	return ascii;
}

/* Parses the text form (Gregorian or era) of a fiscal year. */
Datum
fiscal_year_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	size_t		len = strlen(str);
	char	   *utf8 = pg_server_to_any(str, len, PG_UTF8);
	char		detail[VALUE_DETAIL_SIZE];
	int32		fy;
	ValueStatus st;

	detail[0] = '\0';
	st = fiscal_year_parse(utf8, strlen(utf8), &fy, detail, sizeof(detail));
	if (st != VALUE_OK)
	{
		report_input_error(fcinfo->context, st, "fiscal_year", str,
						   fiscal_detail_to_server(detail));
		PG_RETURN_FISCAL_YEAR(0);
	}
	PG_RETURN_FISCAL_YEAR(fy);
}

/* Writes the canonical text form, e.g. FY2020. */
Datum
fiscal_year_out(PG_FUNCTION_ARGS)
{
	int32		fy = PG_GETARG_FISCAL_YEAR(0);
	char		buf[FISCAL_YEAR_TEXT_SIZE];

	fiscal_year_format(fy, buf, sizeof(buf));
	PG_RETURN_CSTRING(pstrdup(buf));
}

/* Reads the binary form (an int2) and refuses years out of range. */
Datum
fiscal_year_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		fy = (int16) pq_getmsgint(buf, sizeof(int16));

	if (fy < FISCAL_YEAR_MIN || fy > FISCAL_YEAR_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type fiscal_year"),
				 errdetail("The year %d is outside FY%d to FY%d.",
						   fy, FISCAL_YEAR_MIN, FISCAL_YEAR_MAX)));
	PG_RETURN_FISCAL_YEAR(fy);
}

/* Throws 22003 unless year is a valid fiscal year. */
static void
check_year(int64 year)
{
	char		detail[VALUE_DETAIL_SIZE];
	ValueStatus st = fiscal_year_check(year, detail, sizeof(detail));

	if (st != VALUE_OK)
		report_value_error(st, "fiscal_year", detail);
}

/* Returns fy + n, range-checked. */
static int32
add_years(int32 fy, int32 n)
{
	char		detail[VALUE_DETAIL_SIZE];
	int32		result;
	ValueStatus st = fiscal_year_add(fy, n, &result, detail, sizeof(detail));

	if (st != VALUE_OK)
		report_value_error(st, "fiscal_year", detail);
	return result;
}

/* Casts an integer (the Gregorian year) to fiscal_year, range-checked. */
Datum
fiscal_year_from_int4(PG_FUNCTION_ARGS)
{
	int32		year = PG_GETARG_INT32(0);

	check_year(year);
	PG_RETURN_FISCAL_YEAR(year);
}

/* fiscal_year + integer. */
Datum
fiscal_year_pl_int4(PG_FUNCTION_ARGS)
{
	PG_RETURN_FISCAL_YEAR(add_years(PG_GETARG_FISCAL_YEAR(0),
									PG_GETARG_INT32(1)));
}

/* integer + fiscal_year. */
Datum
int4_pl_fiscal_year(PG_FUNCTION_ARGS)
{
	PG_RETURN_FISCAL_YEAR(add_years(PG_GETARG_FISCAL_YEAR(1),
									PG_GETARG_INT32(0)));
}

/* fiscal_year - integer. */
Datum
fiscal_year_mi_int4(PG_FUNCTION_ARGS)
{
	int32		fy = PG_GETARG_FISCAL_YEAR(0);
	int64		result = (int64) fy - (int64) PG_GETARG_INT32(1);

	check_year(result);
	PG_RETURN_FISCAL_YEAR((int32) result);
}

/* fiscal_year - fiscal_year: the number of years between them. */
Datum
fiscal_year_mi(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PG_GETARG_FISCAL_YEAR(0) - PG_GETARG_FISCAL_YEAR(1));
}

/* The fiscal year a date falls in: January to March belong to the year before. */
Datum
fiscal_year_from_date(PG_FUNCTION_ARGS)
{
	DateADT		date = PG_GETARG_DATEADT(0);
	int			year;
	int			month;
	int			day;

	if (DATE_NOT_FINITE(date))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("date out of range for fiscal_year"),
				 errdetail("An infinite date has no fiscal year.")));
	j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	if (month < 4)
		year--;
	check_year(year);
	PG_RETURN_FISCAL_YEAR(year);
}

/* The first day of the fiscal year, 1 April. */
Datum
fiscal_year_start(PG_FUNCTION_ARGS)
{
	int32		fy = PG_GETARG_FISCAL_YEAR(0);

	PG_RETURN_DATEADT(date2j(fy, 4, 1) - POSTGRES_EPOCH_JDATE);
}

/* The last day of the fiscal year, 31 March of the next calendar year. */
Datum
fiscal_year_end(PG_FUNCTION_ARGS)
{
	int32		fy = PG_GETARG_FISCAL_YEAR(0);

	PG_RETURN_DATEADT(date2j(fy + 1, 3, 31) - POSTGRES_EPOCH_JDATE);
}

/* The era (wareki) name of the fiscal year, e.g. 令和2年度, in the server encoding. */
Datum
fiscal_year_wareki(PG_FUNCTION_ARGS)
{
	int32		fy = PG_GETARG_FISCAL_YEAR(0);
	char		buf[FISCAL_YEAR_TEXT_SIZE];
	int			len = fiscal_year_format_wareki(fy, buf, sizeof(buf));
	char	   *server = pg_any_to_server(buf, len, PG_UTF8);

	PG_RETURN_TEXT_P(cstring_to_text(server));
}
