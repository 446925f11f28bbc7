/*
 * decimal_value.h
 *		A small exact decimal (coef / 10^scale) for rates and factors such as
 *		0.22, 0.165 or 0.75, so that tco2 arithmetic with them can be done in
 *		integers.  Pure value logic: no server calls.
 */
#ifndef TSETP_DECIMAL_VALUE_H
#define TSETP_DECIMAL_VALUE_H

#include "c.h"
#include "value_status.h"

/* The value is coef / 10^scale, with 0 <= scale <= DECIMAL_MAX_SCALE. */
typedef struct Decimal
{
	int64		coef;
	int32		scale;
} Decimal;

#define DECIMAL_MAX_SCALE 18

/* Longest text decimal_format writes, with the terminating NUL. */
#define DECIMAL_TEXT_SIZE 48

/*
 * Parses exactly the len bytes at s as plain numeric text: optional sign,
 * digits, optional point and fraction (".5" and "1." are accepted; no white
 * space, no exponent).  Trailing fractional zeros are dropped, so "0.2200"
 * gives {22, 2}.  Returns VALUE_SYNTAX for malformed text and VALUE_RANGE when
 * the value does not fit (coefficient beyond int64 or scale beyond 18).
 */
extern ValueStatus decimal_parse(const char *s, size_t len, Decimal *d);

/*
 * Writes d as plain numeric text ("0.22", "-3", "0.000001") into buf and
 * returns its length; buf should hold DECIMAL_TEXT_SIZE bytes.
 */
extern int	decimal_format(Decimal d, char *buf, size_t size);

/* -1, 0 or 1 as a < b, a = b, a > b, exactly (scales within 0..18). */
extern int	decimal_cmp(Decimal a, Decimal b);

#endif							/* TSETP_DECIMAL_VALUE_H */
