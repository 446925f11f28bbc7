/*
 * tco2_value.h
 *		Pure value logic of tco2, an exact amount of CO2 held as an int64
 *		count of milli-tonnes (kilograms): text scanner and formatter and
 *		overflow-checked arithmetic.  No server calls.
 */
#ifndef TSETP_TCO2_VALUE_H
#define TSETP_TCO2_VALUE_H

#include "c.h"
#include "decimal_value.h"
#include "value_status.h"

/* Longest canonical text ("-9223372036854775.808"), with room to spare. */
#define TCO2_TEXT_SIZE 32

/* Milli-tonnes in one tonne. */
#define TCO2_PER_TONNE INT64CONST(1000)

/*
 * Parses exactly the len bytes at str (no NUL needed): optional white space,
 * optional sign, digits with optional thousands separators ("1,234,567"),
 * optional fraction (".5" and "1." are accepted), then an optional unit after
 * optional spaces: t, t-CO2, t-CO₂, tCO2, tCO₂ (tonnes, the default), kg,
 * kt, Mt (each also with the CO2 suffixes), then optional white space.
 * Returns VALUE_SYNTAX for malformed text, VALUE_PRECISION for a non-zero
 * digit finer than 0.001 t, VALUE_RANGE when the amount exceeds int64
 * milli-tonnes; on failure writes a one-line reason into detail.
 */
extern ValueStatus tco2_parse(const char *str, size_t len, int64 *mt,
							  char *detail, size_t detail_size);

/*
 * Writes mt in tonnes, shortest exact form ("8523.4", "-12", "0.001"), into
 * buf (TCO2_TEXT_SIZE bytes suffice) and returns its length.
 */
extern int	tco2_format(int64 mt, char *buf, size_t size);

/* a + b; VALUE_RANGE on overflow. */
extern ValueStatus tco2_add(int64 a, int64 b, int64 *result);

/* a - b; VALUE_RANGE on overflow. */
extern ValueStatus tco2_sub(int64 a, int64 b, int64 *result);

/* -a; VALUE_RANGE for the most negative value. */
extern ValueStatus tco2_neg(int64 a, int64 *result);

/* mt * n for an integer n; VALUE_RANGE on overflow. */
extern ValueStatus tco2_mul_int64(int64 mt, int64 n, int64 *result);

/*
 * mt / n for an integer n, rounded half away from zero to a whole
 * milli-tonne; VALUE_INVALID when n is zero, VALUE_RANGE on overflow.
 */
extern ValueStatus tco2_div_int64(int64 mt, int64 n, int64 *result);

/*
 * mt * d exactly (int128), rounded half away from zero to a whole
 * milli-tonne: 10,000 t * 0.165 = 1,650 t.  VALUE_RANGE when the result does
 * not fit, VALUE_INVALID for a scale outside 0..18.
 */
extern ValueStatus tco2_mul_decimal(int64 mt, Decimal d, int64 *result);

/*
 * mt / d exactly (int128), rounded half away from zero to a whole
 * milli-tonne.  VALUE_INVALID when d is zero (or its scale is outside
 * 0..18), VALUE_RANGE when the result does not fit.
 */
extern ValueStatus tco2_div_decimal(int64 mt, Decimal d, int64 *result);

/*
 * sum / count rounded half away from zero to a whole milli-tonne (the
 * average of count amounts whose int128 sum is given); VALUE_INVALID when
 * count is not positive, VALUE_RANGE when the result does not fit.
 */
extern ValueStatus tco2_avg_round(int128 sum, int64 count, int64 *result);

#endif							/* TSETP_TCO2_VALUE_H */
