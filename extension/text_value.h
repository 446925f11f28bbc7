/*
 * text_value.h
 *		Small text helpers shared by the pure value files (*_value.c): the
 *		one-line details of their refusals and the bounded copy of the text
 *		they format.  No server calls, no snprintf (c.h maps it to
 *		libpgport's, which the fuzzing harnesses do not link).
 */
#ifndef TSETP_TEXT_VALUE_H
#define TSETP_TEXT_VALUE_H

#include "c.h"

/* Copies text into the caller's detail buffer, if there is one, truncated. */
extern void value_set_detail(char *detail, size_t detail_size, const char *text);

/*
 * Copies the len characters at text into buf (size bytes, truncated and
 * NUL-terminated when size > 0) and returns len.
 */
extern int	value_copy_text(const char *text, int len, char *buf, size_t size);

/* Writes v in decimal at out (21 bytes suffice) and returns its length. */
extern int	value_format_int64(int64 v, char *out);

#endif							/* TSETP_TEXT_VALUE_H */
