/*
 * period_value.h
 *		Evaluation of one facility's plan period, year by year (SPEC §1.3-1.7):
 *		the covered years, the base in force, the effective rate (standard,
 *		transitional ladder, relief), the target, emissions, reduction and
 *		counted reduction of each year, and the period's totals.
 *
 * The inputs are the facility's rows for the period as plain arrays, in any
 * order (except the ladder rungs, ordered by first_n, and the reliefs, in
 * the order that breaks ties between equal relieved rates).  Each year is
 * computed with the rule formulas of rules_value.h, so the engine's views
 * and the single-value SQL functions share one formula.  No server calls.
 */
#ifndef TSETP_PERIOD_VALUE_H
#define TSETP_PERIOD_VALUE_H

#include "c.h"
#include "decimal_value.h"
#include "rules_value.h"
#include "value_status.h"

/* A rung of the transitional ladder: rate for coverage years first_n..last_n. */
typedef struct PeriodRung
{
	int32		first_n;
	bool		has_last;		/* false: open-ended */
	int32		last_n;
	Decimal		rate;
} PeriodRung;

/* A row of base emissions: amount in force from effective_from on. */
typedef struct PeriodBase
{
	int32		effective_from;
	int64		amount;
} PeriodBase;

/* A year's reported emissions. */
typedef struct PeriodEmission
{
	int32		fy;
	int64		amount;
	bool		verified;
} PeriodEmission;

/* A relief the facility is certified for in a fiscal year. */
typedef struct PeriodRelief
{
	int32		fy;
	RuleReliefOp op;
	Decimal		value;
	bool		standard_only;	/* never applies to a transitional rate */
} PeriodRelief;

typedef struct PeriodInput
{
	int32		coverage_start;
	int32		first_fy;		/* the plan period's years */
	int32		last_fy;
	bool		has_standard_rate;
	Decimal		standard_rate;
	const PeriodRung *rungs;	/* only for facilities on the ladder */
	int			nrungs;
	bool		has_cap;		/* cap on counted reduction, × base */
	Decimal		cap;
	const PeriodBase *bases;
	int			nbases;
	const PeriodEmission *emissions;
	int			nemissions;
	const PeriodRelief *reliefs;
	int			nreliefs;
} PeriodInput;

/* Where a year's rate before relief comes from. */
#define PERIOD_RATE_NONE	(-2)
#define PERIOD_RATE_STANDARD (-1)
/* otherwise: the index of the ladder rung */

/* One covered year; has_* false means SQL NULL. */
typedef struct PeriodYear
{
	int32		fy;
	int32		coverage_year;	/* 1 = the first year of coverage */
	bool		has_base;
	int64		base;
	int			rate_source;	/* PERIOD_RATE_* or a rung index */
	int			relief;			/* index into reliefs, -1 for none */
	bool		has_rate;		/* rate after relief */
	Decimal		rate;
	bool		has_target;
	int64		target;
	bool		has_emissions;
	int64		emissions;
	bool		verified;
	bool		has_reduction;
	int64		reduction;
	bool		has_counted;
	int64		counted;
} PeriodYear;

/* The period's totals, as the facility_period_reduction view shows them. */
typedef struct PeriodTotals
{
	int32		years_covered;
	int32		years_verified;
	int32		first_year;
	bool		has_last_verified_year;
	int32		last_verified_year;
	int64		base_total;
	int64		target_total;
	int64		target_verified;
	int64		emissions_total;
	int64		reduction_total;
	int64		counted_total;	/* verified years with a target */
	int64		excess;
	bool		pending;
} PeriodTotals;

/*
 * Number of covered years of the period: from the later of its first year
 * and coverage_start to its last year; 0 when coverage starts after it.
 */
extern int	period_covered_years(const PeriodInput *in);

/*
 * Fills years[0 .. period_covered_years(in) - 1], in fiscal-year order.
 * Errors of the formulas (a target beyond tco2's range, a relieved rate with
 * too many digits) are returned with their detail; *rate_failed tells the
 * second kind from the first.
 */
extern ValueStatus period_evaluate(const PeriodInput *in, PeriodYear *years,
								   bool *rate_failed, char *detail,
								   size_t detail_size);

/* Totals over nyears ≥ 1 evaluated years; VALUE_RANGE on overflow. */
extern ValueStatus period_totals(const PeriodYear *years, int nyears,
								 PeriodTotals *out, char *detail,
								 size_t detail_size);

#endif							/* TSETP_PERIOD_VALUE_H */
