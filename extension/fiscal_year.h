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

#endif							/* TSETP_FISCAL_YEAR_H */
