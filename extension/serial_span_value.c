/*
 * serial_span_value.c
 *		Closed intervals of serial numbers (see serial_span_value.h).
 */
#include "c.h"

#include <string.h>

#include "common/int.h"

#include "serial_span_value.h"
#include "text_value.h"

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
		value_set_detail(detail, detail_size, "A serial span is written [first,last], e.g. [1,1000].");
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
		value_set_detail(detail, detail_size, "A serial number is beyond the range of bigint.");
		return status;
	}
	if (status != VALUE_OK)
	{
		value_set_detail(detail, detail_size, "A serial span is written [first,last], e.g. [1,1000].");
		return status;
	}
	if (span->lo > span->hi)
	{
		value_set_detail(detail, detail_size, "The first serial of a span must not exceed its last.");
		return VALUE_INVALID;
	}
	return VALUE_OK;
}

int
serial_span_format(const SerialSpan *span, char *buf, size_t size)
{
	char		out[SERIAL_SPAN_TEXT_SIZE];
	int			len = 0;

	out[len++] = '[';
	len += value_format_int64(span->lo, out + len);
	out[len++] = ',';
	len += value_format_int64(span->hi, out + len);
	out[len++] = ']';
	return value_copy_text(out, len, buf, size);
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
