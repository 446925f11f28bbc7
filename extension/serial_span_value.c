/*
 * serial_span_value.c
 *		Closed intervals of serial numbers (see serial_span_value.h).
 */
#include "c.h"

#include <string.h>

#include "common/int.h"

#include "serial_span_value.h"

/* Copies a one-line detail into the caller's buffer (no snprintf here). */
static void
set_detail(char *detail, size_t detail_size, const char *text)
{
	size_t		len = strlen(text);

	if (detail == NULL || detail_size == 0)
		return;
	if (len >= detail_size)
		len = detail_size - 1;
	memcpy(detail, text, len);
	detail[len] = '\0';
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Skips white space at *pos. */
static void
skip_space(const char *s, size_t len, size_t *pos)
{
	while (*pos < len && is_space(s[*pos]))
		(*pos)++;
}

/* Reads an optionally signed decimal int64 at *pos. */
static ValueStatus
read_int64(const char *s, size_t len, size_t *pos, int64 *out)
{
	bool		negative = false;
	int64		v = 0;
	size_t		start;

	if (*pos < len && (s[*pos] == '-' || s[*pos] == '+'))
	{
		negative = s[*pos] == '-';
		(*pos)++;
	}
	start = *pos;
	while (*pos < len && s[*pos] >= '0' && s[*pos] <= '9')
	{
		/* accumulate negatively, so that INT64_MIN fits */
		if (pg_mul_s64_overflow(v, 10, &v) ||
			pg_sub_s64_overflow(v, s[*pos] - '0', &v))
			return VALUE_RANGE;
		(*pos)++;
	}
	if (*pos == start)
		return VALUE_SYNTAX;
	if (!negative)
	{
		if (v == PG_INT64_MIN)
			return VALUE_RANGE;
		v = -v;
	}
	*out = v;
	return VALUE_OK;
}

ValueStatus
serial_span_parse(const char *s, size_t len, SerialSpan *span,
				  char *detail, size_t detail_size)
{
	size_t		pos = 0;
	ValueStatus status;

	skip_space(s, len, &pos);
	if (pos >= len || s[pos] != '[')
	{
		set_detail(detail, detail_size, "A serial span is written [first,last], e.g. [1,1000].");
		return VALUE_SYNTAX;
	}
	pos++;
	skip_space(s, len, &pos);
	status = read_int64(s, len, &pos, &span->lo);
	if (status == VALUE_OK)
	{
		skip_space(s, len, &pos);
		if (pos >= len || s[pos] != ',')
			status = VALUE_SYNTAX;
		else
		{
			pos++;
			skip_space(s, len, &pos);
			status = read_int64(s, len, &pos, &span->hi);
		}
	}
	if (status == VALUE_OK)
	{
		skip_space(s, len, &pos);
		if (pos >= len || s[pos] != ']')
			status = VALUE_SYNTAX;
		else
		{
			pos++;
			skip_space(s, len, &pos);
			if (pos != len)
				status = VALUE_SYNTAX;
		}
	}
	if (status == VALUE_RANGE)
	{
		set_detail(detail, detail_size, "A serial number is beyond the range of bigint.");
		return status;
	}
	if (status != VALUE_OK)
	{
		set_detail(detail, detail_size, "A serial span is written [first,last], e.g. [1,1000].");
		return status;
	}
	if (span->lo > span->hi)
	{
		set_detail(detail, detail_size, "The first serial of a span must not exceed its last.");
		return VALUE_INVALID;
	}
	return VALUE_OK;
}

/* Writes v in decimal at out; returns the number of characters. */
static int
format_int64(int64 v, char *out)
{
	char		digits[24];
	int			n = 0;
	int			len = 0;
	uint64		mag = v < 0 ? (uint64) 0 - (uint64) v : (uint64) v;

	do
	{
		digits[n++] = (char) ('0' + mag % 10);
		mag /= 10;
	} while (mag > 0);
	if (v < 0)
		out[len++] = '-';
	while (n > 0)
		out[len++] = digits[--n];
	return len;
}

int
serial_span_format(const SerialSpan *span, char *buf, size_t size)
{
	char		out[SERIAL_SPAN_TEXT_SIZE];
	int			len = 0;

	out[len++] = '[';
	len += format_int64(span->lo, out + len);
	out[len++] = ',';
	len += format_int64(span->hi, out + len);
	out[len++] = ']';
	out[len] = '\0';
	if (size > 0)
	{
		size_t		n = Min((size_t) len, size - 1);

		memcpy(buf, out, n);
		buf[n] = '\0';
	}
	return len;
}

bool
serial_span_overlaps(const SerialSpan *a, const SerialSpan *b)
{
	return a->lo <= b->hi && b->lo <= a->hi;
}

bool
serial_span_contains_serial(const SerialSpan *a, int64 serial)
{
	return a->lo <= serial && serial <= a->hi;
}

void
serial_span_extend(SerialSpan *acc, const SerialSpan *b)
{
	if (b->lo < acc->lo)
		acc->lo = b->lo;
	if (b->hi > acc->hi)
		acc->hi = b->hi;
}

double
serial_span_growth(const SerialSpan *acc, const SerialSpan *b)
{
	/* differences of int64s taken as uint64 cannot overflow */
	double		growth = 0;

	if (b->lo < acc->lo)
		growth += (double) ((uint64) acc->lo - (uint64) b->lo);
	if (b->hi > acc->hi)
		growth += (double) ((uint64) b->hi - (uint64) acc->hi);
	return growth;
}

int
serial_span_cmp(const SerialSpan *a, const SerialSpan *b)
{
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	return 0;
}
