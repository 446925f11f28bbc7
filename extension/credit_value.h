/*
 * credit_value.h
 *		Pure value logic of the credit type: a block of serial-numbered whole
 *		tonnes of one credit line.  No server calls.
 *
 * Text form: origin/kind/vintage/source/first-last, for example
 * "SAI/ER/FY2020/F000123/1000001-1001000".
 *
 *	origin	issuing programme, 1 to 8 of [A-Z0-9] (upper case only)
 *	kind	credit kind, 1 to 8 of [A-Za-z0-9] (case kept: "jCER")
 *	vintage fiscal year; input takes any fiscal_year text form
 *	source	facility or project, 1 to 32 of [A-Za-z0-9._-]
 *	first-last	serial numbers, 1 <= first <= last <= CREDIT_SERIAL_MAX
 *
 * Stored and wire form (identical, so that equal values are byte-equal and
 * recv can check that what it accepts re-encodes to the same bytes):
 *
 *	uint8	format version (CREDIT_FORMAT_VERSION)
 *	int64	first serial, big-endian
 *	int64	last serial, big-endian
 *	int16	vintage (fiscal year number), big-endian
 *	uint8	origin length, then the origin bytes
 *	uint8	kind length, then the kind bytes
 *	uint8	source length, then the source bytes
 */
#ifndef TSETP_CREDIT_VALUE_H
#define TSETP_CREDIT_VALUE_H

#include "c.h"
#include "value_status.h"

#define CREDIT_FORMAT_VERSION 1

#define CREDIT_ORIGIN_MAX 8
#define CREDIT_KIND_MAX 8
#define CREDIT_SOURCE_MAX 32

/*
 * Largest serial number: 15 digits.  It keeps every block's tonnage times
 * 1000 (its amount in milli-tonnes, the tco2 representation) and last + 1
 * (the exclusive upper bound of serials()) far inside int64.
 */
#define CREDIT_SERIAL_MAX INT64CONST(999999999999999)

/* Encoded size: fixed part, and the largest possible value. */
#define CREDIT_ENCODED_FIXED (1 + 8 + 8 + 2 + 1 + 1 + 1)
#define CREDIT_ENCODED_MAX \
	(CREDIT_ENCODED_FIXED + CREDIT_ORIGIN_MAX + CREDIT_KIND_MAX + CREDIT_SOURCE_MAX)

/* Enough for the longest canonical text, with the terminating NUL. */
#define CREDIT_TEXT_SIZE 128

typedef struct CreditValue
{
	int64		first;			/* first serial of the block */
	int64		last;			/* last serial of the block (inclusive) */
	int32		vintage;		/* fiscal year number, e.g. 2020 */
	uint8		origin_len;
	uint8		kind_len;
	uint8		source_len;
	char		origin[CREDIT_ORIGIN_MAX + 1];	/* NUL-terminated */
	char		kind[CREDIT_KIND_MAX + 1];
	char		source[CREDIT_SOURCE_MAX + 1];
} CreditValue;

/*
 * Parses exactly the len bytes at str (no NUL needed), allowing white space
 * around the whole.  VALUE_SYNTAX for malformed text (including a reversed
 * serial range), VALUE_RANGE for a serial or vintage out of range; detail
 * names the faulty field.
 */
extern ValueStatus credit_parse(const char *str, size_t len, CreditValue *c,
								char *detail, size_t detail_size);

/* Writes the canonical text into buf (CREDIT_TEXT_SIZE); returns its length. */
extern int	credit_format(const CreditValue *c, char *buf, size_t size);

/*
 * Builds a credit from its parts (the SQL constructor), with the same checks
 * and statuses as credit_parse.
 */
extern ValueStatus credit_make(const char *origin, size_t origin_len,
							   const char *kind, size_t kind_len,
							   int32 vintage,
							   const char *source, size_t source_len,
							   int64 first, int64 last, CreditValue *c,
							   char *detail, size_t detail_size);

/* Writes the stored/wire bytes into buf (CREDIT_ENCODED_MAX); returns length. */
extern size_t credit_encode(const CreditValue *c, uint8 *buf);

/*
 * Decodes and fully re-validates stored/wire bytes: version, lengths,
 * character sets, vintage and serial ranges, no trailing bytes.  Returns
 * VALUE_INVALID with a detail on any fault.
 */
extern ValueStatus credit_decode(const uint8 *buf, size_t len, CreditValue *c,
								 char *detail, size_t detail_size);

/*
 * Reads only the serials of stored/wire bytes (for index support, which sees
 * many values): false unless the version is known and 1 <= first <= last <=
 * CREDIT_SERIAL_MAX.
 */
extern bool credit_decode_serials(const uint8 *buf, size_t len, int64 *first,
								  int64 *last);

/* Orders by first serial, last serial, origin, kind, vintage, source. */
extern int	credit_compare(const CreditValue *a, const CreditValue *b);

/* Whether both blocks are of the same line (origin, kind, vintage, source). */
extern bool credit_same_line(const CreditValue *a, const CreditValue *b);

/* Whether the serial ranges share at least one serial. */
extern bool credit_overlaps(const CreditValue *a, const CreditValue *b);

/* Whether one block's serials follow the other's with no gap or overlap. */
extern bool credit_adjacent(const CreditValue *a, const CreditValue *b);

/* Number of tonnes in the block (last - first + 1). */
extern int64 credit_tonnes(const CreditValue *c);

/*
 * Splits c after its first n tonnes into head and tail; VALUE_RANGE unless
 * 1 <= n < tonnes.
 */
extern ValueStatus credit_split(const CreditValue *c, int64 n,
								CreditValue *head, CreditValue *tail,
								char *detail, size_t detail_size);

/*
 * Merges two blocks of the same line with adjacent serials (either order);
 * VALUE_INVALID with a detail saying why otherwise.
 */
extern ValueStatus credit_merge(const CreditValue *a, const CreditValue *b,
								CreditValue *result,
								char *detail, size_t detail_size);

#endif							/* TSETP_CREDIT_VALUE_H */
