/*
 * fiscal_year.h
 *		Server-side helpers shared by the fiscal_year and fiscal_period
 *		wrappers.
 */
#ifndef TSETP_FISCAL_YEAR_H
#define TSETP_FISCAL_YEAR_H

/*
 * Returns a parser's UTF-8 detail in the server encoding; characters the
 * server encoding cannot hold become '?', so that reporting never fails.
 */
extern const char *fiscal_detail_to_server(const char *detail);

/*
 * fiscal_year is an int16 year; fiscal_period packs its first and last years
 * into an int32.
 */
#define PERIOD_LOWER(p) ((int32) (((uint32) (p)) >> 16))
#define PERIOD_UPPER(p) ((int32) (((uint32) (p)) & 0xFFFF))
#define MAKE_PERIOD(lo, hi) ((int32) ((((uint32) (lo)) << 16) | (uint32) (hi)))

#define PG_GETARG_FISCAL_YEAR(n) ((int32) PG_GETARG_INT16(n))
#define PG_RETURN_FISCAL_YEAR(x) PG_RETURN_INT16((int16) (x))

#endif							/* TSETP_FISCAL_YEAR_H */
