/*
 * credit_fuzz.c
 *		libFuzzer harness for the credit text scanner and wire decoder.
 *
 * Properties checked (abort() on failure):
 *	- text: whatever credit_parse accepts formats to text that parses to the
 *	  same value, and formatting is canonical (format(parse(format(x))) ==
 *	  format(x)); the value satisfies every field rule;
 *	- wire: whatever credit_decode accepts re-encodes to exactly the input
 *	  bytes, and decodes again to the same value; a parsed value's encoding
 *	  always decodes;
 *	- split/merge: split then merge (both orders) gives the value back;
 *	- credit_decode_serials (the index's reader) agrees with credit_decode.
 */
#include "c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credit_value.h"

/* Aborts with a message when a property does not hold. */
static void
check(bool ok, const char *what)
{
	if (!ok)
	{
		/* fputs, not fprintf: c.h maps fprintf to pg_fprintf (libpgport). */
		fputs("credit_fuzz: property failed: ", stderr);
		fputs(what, stderr);
		fputs("\n", stderr);
		abort();
	}
}

/* Whether two values are equal field by field. */
static bool
same_value(const CreditValue *a, const CreditValue *b)
{
	return credit_compare(a, b) == 0 &&
		a->origin_len == b->origin_len &&
		a->kind_len == b->kind_len &&
		a->source_len == b->source_len;
}

/* Checks the invariants every accepted value must satisfy. */
static void
check_invariants(const CreditValue *c)
{
	check(c->first >= 1 && c->first <= c->last &&
		  c->last <= CREDIT_SERIAL_MAX, "serial range");
	check(c->origin_len >= 1 && c->origin_len <= CREDIT_ORIGIN_MAX, "origin length");
	check(c->kind_len >= 1 && c->kind_len <= CREDIT_KIND_MAX, "kind length");
	check(c->source_len >= 1 && c->source_len <= CREDIT_SOURCE_MAX, "source length");
	check(strlen(c->origin) == c->origin_len &&
		  strlen(c->kind) == c->kind_len &&
		  strlen(c->source) == c->source_len, "NUL termination");
}

/* Round-trips a valid value through encode/decode, text and split/merge. */
static void
check_value(const CreditValue *c)
{
	uint8		wire[CREDIT_ENCODED_MAX];
	size_t		wlen;
	CreditValue d;
	char		detail[VALUE_DETAIL_SIZE];
	char		text1[CREDIT_TEXT_SIZE];
	char		text2[CREDIT_TEXT_SIZE];
	int			len1;
	int			len2;

	check_invariants(c);

	wlen = credit_encode(c, wire);
	check(wlen <= CREDIT_ENCODED_MAX, "encoded size");
	check(credit_decode(wire, wlen, &d, detail, sizeof(detail)) == VALUE_OK,
		  "encode then decode");
	check(same_value(c, &d), "decode(encode(x)) == x");

	len1 = credit_format(c, text1, sizeof(text1));
	check(len1 > 0 && len1 < CREDIT_TEXT_SIZE && (size_t) len1 == strlen(text1),
		  "format length");
	check(credit_parse(text1, len1, &d, detail, sizeof(detail)) == VALUE_OK,
		  "parse(format(x)) accepted");
	check(same_value(c, &d), "parse(format(x)) == x");
	len2 = credit_format(&d, text2, sizeof(text2));
	check(len1 == len2 && memcmp(text1, text2, len1) == 0,
		  "format is canonical");

	if (credit_tonnes(c) > 1)
	{
		CreditValue head;
		CreditValue tail;
		CreditValue m;
		int64		n = 1 + (c->first % (credit_tonnes(c) - 1));

		check(credit_split(c, n, &head, &tail, detail, sizeof(detail)) == VALUE_OK,
			  "split accepted");
		check(credit_tonnes(&head) == n &&
			  credit_tonnes(&head) + credit_tonnes(&tail) == credit_tonnes(c),
			  "split sizes");
		check(credit_adjacent(&head, &tail) && !credit_overlaps(&head, &tail),
			  "split parts adjacent");
		check(credit_merge(&head, &tail, &m, detail, sizeof(detail)) == VALUE_OK &&
			  same_value(&m, c), "merge(head, tail) == x");
		check(credit_merge(&tail, &head, &m, detail, sizeof(detail)) == VALUE_OK &&
			  same_value(&m, c), "merge(tail, head) == x");
		check(credit_merge(c, &head, &m, detail, sizeof(detail)) != VALUE_OK,
			  "merge refuses overlap");
	}
	else
		check(credit_split(c, 1, NULL, NULL, detail, sizeof(detail)) == VALUE_RANGE,
			  "one tonne cannot be split");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CreditValue c;
	char		detail[VALUE_DETAIL_SIZE];
	ValueStatus st;

	/* Text. */
	memset(detail, 0x7F, sizeof(detail));
	st = credit_parse((const char *) data, size, &c, detail, sizeof(detail));
	if (st == VALUE_OK)
		check_value(&c);
	else
	{
		check(st == VALUE_SYNTAX || st == VALUE_RANGE, "parse status");
		check(memchr(detail, '\0', sizeof(detail)) != NULL &&
			  detail[0] >= 'A' && detail[0] <= 'Z', "parse detail");
	}

	/* Wire bytes. */
	memset(detail, 0x7F, sizeof(detail));
	st = credit_decode(data, size, &c, detail, sizeof(detail));
	if (st == VALUE_OK)
	{
		uint8		wire[CREDIT_ENCODED_MAX];
		size_t		wlen = credit_encode(&c, wire);

		int64		first;
		int64		last;

		check(wlen == size && memcmp(wire, data, size) == 0,
			  "encode(decode(bytes)) == bytes");
		check(credit_decode_serials(data, size, &first, &last) &&
			  first == c.first && last == c.last,
			  "decode_serials agrees with decode");
		check_value(&c);
	}
	else
	{
		check(st == VALUE_INVALID, "decode status");
		check(memchr(detail, '\0', sizeof(detail)) != NULL &&
			  detail[0] >= 'A' && detail[0] <= 'Z', "decode detail");
	}
	return 0;
}
