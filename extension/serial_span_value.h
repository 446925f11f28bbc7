/*
 * serial_span_value.h
 *		A closed interval of credit serial numbers, [lo, hi]: the key of the
 *		GiST operator class that proves no serial is held twice (see
 *		credit_gist.c).  Pure value logic: no server calls.
 *
 * Text form "[lo,hi]", e.g. "[1,1000]"; lo ≤ hi, both within int64.
 */
#ifndef TSETP_SERIAL_SPAN_VALUE_H
#define TSETP_SERIAL_SPAN_VALUE_H

#include "c.h"
#include "value_status.h"

typedef struct SerialSpan
{
	int64		lo;
	int64		hi;
} SerialSpan;

/* Longest text serial_span_format writes, with the terminating NUL. */
#define SERIAL_SPAN_TEXT_SIZE 48

/*
 * Parses exactly the len bytes at s ("[lo,hi]", white space allowed around
 * the numbers); VALUE_SYNTAX for malformed text, VALUE_RANGE for a number
 * beyond int64, VALUE_INVALID when lo > hi; a one-line detail in detail.
 */
extern ValueStatus serial_span_parse(const char *s, size_t len, SerialSpan *span,
									 char *detail, size_t detail_size);

/* Writes the text form into buf (SERIAL_SPAN_TEXT_SIZE); returns its length. */
extern int	serial_span_format(const SerialSpan *span, char *buf, size_t size);

/* Whether the spans share at least one serial. */
extern bool serial_span_overlaps(const SerialSpan *a, const SerialSpan *b);

/* Whether the span holds the serial. */
extern bool serial_span_contains_serial(const SerialSpan *a, int64 serial);

/* Widens acc to cover b as well. */
extern void serial_span_extend(SerialSpan *acc, const SerialSpan *b);

/*
 * How many serials acc would grow by to cover b as well (0 when it covers
 * b already), as a double for GiST's penalty: an ordering heuristic only.
 */
extern double serial_span_growth(const SerialSpan *acc, const SerialSpan *b);

/* Orders by lo, then hi: -1, 0 or 1. */
extern int	serial_span_cmp(const SerialSpan *a, const SerialSpan *b);

#endif							/* TSETP_SERIAL_SPAN_VALUE_H */
