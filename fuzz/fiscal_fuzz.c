/*
 * fiscal_fuzz.c
 *		libFuzzer harness for the fiscal_year and fiscal_period parsers.
 *
 * Feeds arbitrary bytes to fiscal_year_parse and fiscal_period_parse and,
 * whenever one accepts, checks: the value is in range; the canonical text
 * and the wareki text both parse back to the same value; formatting is
 * canonical (format(parse(format(x))) == format(x)); the detail buffer is
 * always NUL-terminated.  Any failed property aborts.
 */
#include "c.h"

#include <stdlib.h>
#include <string.h>

#include "fiscal_value.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless cond holds. */
static void
require(bool cond)
{
	if (!cond)
		abort();
}

/* Parses text as a fiscal year and requires it to give fy. */
static void
require_year(const char *text, int32 fy)
{
	char		detail[VALUE_DETAIL_SIZE];
	int32		again = -1;

	require(fiscal_year_parse(text, strlen(text), &again,
							  detail, sizeof(detail)) == VALUE_OK);
	require(again == fy);
}

/* Parses text as a period and requires it to give lower..upper. */
static void
require_period(const char *text, int32 lower, int32 upper)
{
	char		detail[VALUE_DETAIL_SIZE];
	int32		lo = -1;
	int32		hi = -1;

	require(fiscal_period_parse(text, strlen(text), &lo, &hi,
								detail, sizeof(detail)) == VALUE_OK);
	require(lo == lower && hi == upper);
}

/* Checks the round-trip properties of an accepted fiscal year. */
static void
check_year(int32 fy)
{
	char		buf[FISCAL_YEAR_TEXT_SIZE];
	char		buf2[FISCAL_YEAR_TEXT_SIZE];
	int			len;

	require(fy >= FISCAL_YEAR_MIN && fy <= FISCAL_YEAR_MAX);
	len = fiscal_year_format(fy, buf, sizeof(buf));
	require(len > 0 && (size_t) len < sizeof(buf) && strlen(buf) == (size_t) len);
	require_year(buf, fy);
	fiscal_year_format(fy, buf2, sizeof(buf2));
	require(strcmp(buf, buf2) == 0);

	len = fiscal_year_format_wareki(fy, buf, sizeof(buf));
	require(len > 0 && (size_t) len < sizeof(buf) && strlen(buf) == (size_t) len);
	require_year(buf, fy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		detail[VALUE_DETAIL_SIZE];
	char		buf[FISCAL_PERIOD_TEXT_SIZE];
	int32		fy;
	int32		lower;
	int32		upper;
	ValueStatus st;
	int			len;

	/* the parsers take a length; a copy catches reads past it */
	char	   *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);

	memset(detail, 'x', sizeof(detail));
	st = fiscal_year_parse(copy, size, &fy, detail, sizeof(detail));
	if (st == VALUE_OK)
		check_year(fy);
	else
	{
		require(st == VALUE_SYNTAX || st == VALUE_RANGE);
		require(memchr(detail, '\0', sizeof(detail)) != NULL && detail[0] != '\0');
	}

	memset(detail, 'x', sizeof(detail));
	st = fiscal_period_parse(copy, size, &lower, &upper, detail, sizeof(detail));
	if (st == VALUE_OK)
	{
		require(lower <= upper);
		check_year(lower);
		check_year(upper);
		require(fiscal_period_check(lower, upper, detail, sizeof(detail)) == VALUE_OK);
		len = fiscal_period_format(lower, upper, buf, sizeof(buf));
		require(len > 0 && (size_t) len < sizeof(buf));
		require_period(buf, lower, upper);
		len = fiscal_period_format_wareki(lower, upper, buf, sizeof(buf));
		require(len > 0 && (size_t) len < sizeof(buf));
		require_period(buf, lower, upper);
	}
	else
	{
		require(st == VALUE_SYNTAX || st == VALUE_RANGE);
		require(memchr(detail, '\0', sizeof(detail)) != NULL && detail[0] != '\0');
	}

	/* a year accepted alone is also a one-year period */
	if (fiscal_year_parse(copy, size, &fy, detail, sizeof(detail)) == VALUE_OK)
	{
		require(fiscal_period_parse(copy, size, &lower, &upper,
									detail, sizeof(detail)) == VALUE_OK);
		require(lower == fy && upper == fy);
	}

	free(copy);
	return 0;
}
