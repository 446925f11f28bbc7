/*
 * fiscal_value.h
 *		Pure value logic of fiscal_year and fiscal_period: Japanese fiscal
 *		years (FY N runs from 1 April N to 31 March N+1) named in Gregorian
 *		or era (wareki) form.  No server calls.
 */
#ifndef TSETP_FISCAL_VALUE_H
#define TSETP_FISCAL_VALUE_H

#include "c.h"
#include "value_status.h"

/* The first fiscal year an era can name (明治元年) and the last we accept. */
#define FISCAL_YEAR_MIN 1868
#define FISCAL_YEAR_MAX 9999

/* Longest canonical or wareki text, with the terminating NUL. */
#define FISCAL_YEAR_TEXT_SIZE 32
#define FISCAL_PERIOD_TEXT_SIZE 64

/*
 * Parses exactly the len bytes at str (no NUL needed) as a fiscal year:
 * "FY2020", "2020", "R2", "H27", "令和2年度", "令和元年度", "平成27年度", with
 * surrounding white space allowed.  On failure returns VALUE_SYNTAX or
 * VALUE_RANGE and writes a one-line reason into detail.
 */
extern ValueStatus fiscal_year_parse(const char *str, size_t len, int32 *fy,
									 char *detail, size_t detail_size);

/* Writes "FY2020" into buf; returns the length. */
extern int	fiscal_year_format(int32 fy, char *buf, size_t size);

/* Writes the era name of the year, e.g. "令和2年度", "令和元年度". */
extern int	fiscal_year_format_wareki(int32 fy, char *buf, size_t size);

/*
 * Parses a closed run of fiscal years: "FY2020-FY2024", "2020-2024",
 * "R2-R6", "令和2年度～令和6年度" (also "〜", "~").  A reversed run is
 * VALUE_SYNTAX with a detail that says so.
 */
extern ValueStatus fiscal_period_parse(const char *str, size_t len,
									   int32 *lower, int32 *upper,
									   char *detail, size_t detail_size);

/* Writes "FY2020-FY2024"; returns the length. */
extern int	fiscal_period_format(int32 lower, int32 upper, char *buf,
								 size_t size);

/* Writes the era names of both ends, e.g. "令和2年度～令和6年度". */
extern int	fiscal_period_format_wareki(int32 lower, int32 upper, char *buf,
										size_t size);

/*
 * Checks that both ends are in range (VALUE_RANGE) and that upper is not
 * before lower (VALUE_INVALID), writing the reason into detail.
 */
extern ValueStatus fiscal_period_check(int32 lower, int32 upper,
									   char *detail, size_t detail_size);

/* Adds n years to fy; VALUE_RANGE if the result leaves the type's range. */
extern ValueStatus fiscal_year_add(int32 fy, int32 n, int32 *result,
								   char *detail, size_t detail_size);

/* VALUE_RANGE (with a detail) unless year is FISCAL_YEAR_MIN..MAX. */
extern ValueStatus fiscal_year_check(int64 year, char *detail,
									 size_t detail_size);

#endif							/* TSETP_FISCAL_VALUE_H */
