/*
 * decimal.h
 *		Conversions between PostgreSQL numeric and the pure Decimal.
 */
#ifndef TSETP_DECIMAL_H
#define TSETP_DECIMAL_H

#include "utils/numeric.h"

#include "decimal_value.h"

/*
 * Converts n exactly into d; returns false for NaN and infinities and when
 * n does not fit (more than 18 fractional digits or a coefficient beyond
 * int64), in which case the caller computes with numeric instead.
 */
extern bool numeric_to_decimal(Numeric n, Decimal *d);

/* Converts d into a numeric with the same value and scale. */
extern Numeric decimal_to_numeric(Decimal d);

/*
 * Converts a rate, cap, threshold or factor (a fraction: 0.22 = 22%) into a
 * Decimal; errors (22003 when not finite or too precise, 22023 when
 * negative) name it as what.
 */
extern Decimal numeric_to_fraction(Numeric num, const char *what);

#endif							/* TSETP_DECIMAL_H */
