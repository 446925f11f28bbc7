/*
 * text_value.c
 *		Text helpers of the pure value files (see text_value.h).
 */
#include "c.h"

#include <string.h>

#include "text_value.h"

void
value_set_detail(char *detail, size_t detail_size, const char *text)
{
	size_t		len = strlen(text);

	if (detail == NULL || detail_size == 0)
		return;
	if (len >= detail_size)
		len = detail_size - 1;
	memcpy(detail, text, len);
	detail[len] = '\0';
}

int
value_copy_text(const char *text, int len, char *buf, size_t size)
{
	if (size > 0)
	{
		size_t		n = Min((size_t) len, size - 1);

		memcpy(buf, text, n);
		buf[n] = '\0';
	}
	return len;
}

int
value_format_int64(int64 v, char *out)
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
