/*
 * serial_span_fuzz.c
 *		libFuzzer harness for serial spans (serial_span_value.c), the keys of
 *		the credit GiST operator class.
 *
 * Properties checked (abort() on failure):
 *	- text: whatever serial_span_parse accepts has lo <= hi and formats to
 *	  text that parses to the same span, canonically;
 *	- refusals carry a status of the parser's kinds and a capitalised detail;
 *	- two spans read from the bytes as integers: overlap is symmetric and
 *	  agrees with a serial held by both; extending one by the other covers
 *	  both and grows it by exactly the computed growth (0 when it covered
 *	  the other already); the ordering is antisymmetric.
 */
#include "c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serial_span_value.h"

static void
check(bool ok, const char *what)
{
	if (!ok)
	{
		/* fputs, not fprintf: c.h maps fprintf to pg_fprintf (libpgport). */
		fputs("serial_span_fuzz: property failed: ", stderr);
		fputs(what, stderr);
		fputs("\n", stderr);
		abort();
	}
}

/* A span from 16 bytes: two int64s, ordered. */
static SerialSpan
span_from(const uint8_t *p)
{
	SerialSpan	s;

	memcpy(&s.lo, p, 8);
	memcpy(&s.hi, p + 8, 8);
	if (s.lo > s.hi)
	{
		int64		t = s.lo;

		s.lo = s.hi;
		s.hi = t;
	}
	return s;
}

static void
check_pair(const SerialSpan *a, const SerialSpan *b)
{
	SerialSpan	u = *a;
	double		growth = serial_span_growth(a, b);
	bool		covered = a->lo <= b->lo && b->hi <= a->hi;

	check(serial_span_overlaps(a, b) == serial_span_overlaps(b, a), "overlap symmetric");
	check(serial_span_overlaps(a, b) ==
		  (serial_span_contains_serial(a, Max(a->lo, b->lo)) &&
		   serial_span_contains_serial(b, Max(a->lo, b->lo))), "overlap means a shared serial");
	serial_span_extend(&u, b);
	check(u.lo <= a->lo && u.lo <= b->lo && u.hi >= a->hi && u.hi >= b->hi, "extend covers both");
	check(u.lo == Min(a->lo, b->lo) && u.hi == Max(a->hi, b->hi), "extend is the least cover");
	check(growth >= 0 && (growth == 0) == covered, "growth zero exactly when covered");
	check(serial_span_cmp(a, b) == -serial_span_cmp(b, a), "ordering antisymmetric");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	SerialSpan	span;
	char		detail[VALUE_DETAIL_SIZE];
	ValueStatus st;

	memset(detail, 0x7F, sizeof(detail));
	st = serial_span_parse((const char *) data, size, &span, detail, sizeof(detail));
	if (st == VALUE_OK)
	{
		char		text1[SERIAL_SPAN_TEXT_SIZE];
		char		text2[SERIAL_SPAN_TEXT_SIZE];
		SerialSpan	again;
		int			len1;
		int			len2;

		check(span.lo <= span.hi, "lo <= hi");
		len1 = serial_span_format(&span, text1, sizeof(text1));
		check(len1 > 0 && (size_t) len1 < sizeof(text1), "format length");
		check(serial_span_parse(text1, len1, &again, detail, sizeof(detail)) == VALUE_OK &&
			  serial_span_cmp(&span, &again) == 0, "parse(format(x)) == x");
		len2 = serial_span_format(&again, text2, sizeof(text2));
		check(len1 == len2 && memcmp(text1, text2, len1) == 0, "canonical format");
	}
	else
	{
		check(st == VALUE_SYNTAX || st == VALUE_RANGE || st == VALUE_INVALID, "parse status");
		check(memchr(detail, '\0', sizeof(detail)) != NULL &&
			  detail[0] >= 'A' && detail[0] <= 'Z', "parse detail");
	}

	if (size >= 32)
	{
		SerialSpan	a = span_from(data);
		SerialSpan	b = span_from(data + 16);

		check_pair(&a, &b);
		check_pair(&b, &a);
	}
	return 0;
}
