/*
 * credit_value.c
 *		Pure value logic of the credit type: text scanner and formatter,
 *		stored/wire encoding with full validation, ordering, split and merge.
 *
 * No server calls and no snprintf (port.h maps it to pg_snprintf, which the
 * fuzzing build does not link): details are assembled by hand.
 */
#include "c.h"

#include <string.h>

#include "credit_value.h"
#include "fiscal_value.h"
#include "text_value.h"

/* A detail under construction: appends truncate silently at size - 1. */
typedef struct Detail
{
	char	   *buf;
	size_t		size;
	size_t		len;
} Detail;

/* Starts an empty detail in buf (which may be NULL or of size 0). */
static void
detail_start(Detail *d, char *buf, size_t size)
{
	d->buf = buf;
	d->size = buf ? size : 0;
	d->len = 0;
	if (d->size > 0)
		buf[0] = '\0';
}

/* Appends n bytes of s to the detail, truncating at its end. */
static void
detail_addn(Detail *d, const char *s, size_t n)
{
	if (d->size == 0 || d->len >= d->size - 1)
		return;
	if (n > d->size - 1 - d->len)
		n = d->size - 1 - d->len;
	memcpy(d->buf + d->len, s, n);
	d->len += n;
	d->buf[d->len] = '\0';
}

/* Appends a NUL-terminated string to the detail. */
static void
detail_add(Detail *d, const char *s)
{
	detail_addn(d, s, strlen(s));
}

/* Appends the decimal form of v to the detail. */
static void
detail_add_int64(Detail *d, int64 v)
{
	char		tmp[24];

	detail_addn(d, tmp, value_format_int64(v, tmp));
}

/* Appends a byte quoted for a message: printable ASCII as "x", else a hex code. */
static void
detail_add_char(Detail *d, unsigned char ch)
{
	static const char hex[] = "0123456789ABCDEF";
	char		tmp[8];

	if (ch >= 0x20 && ch < 0x7F)
	{
		tmp[0] = '"';
		tmp[1] = (char) ch;
		tmp[2] = '"';
		detail_addn(d, tmp, 3);
	}
	else
	{
		detail_add(d, "byte 0x");
		tmp[0] = hex[ch >> 4];
		tmp[1] = hex[ch & 15];
		detail_addn(d, tmp, 2);
	}
}

/* Whether ch is ASCII white space. */
static inline bool
is_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
		ch == '\v' || ch == '\f';
}

/* Whether ch is an ASCII digit. */
static inline bool
is_digit(unsigned char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Whether ch may appear in an origin: [A-Z0-9]. */
static inline bool
origin_char(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || is_digit(ch);
}

/* Whether ch may appear in a kind: [A-Za-z0-9]. */
static inline bool
kind_char(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || is_digit(ch);
}

/* Whether ch may appear in a source: [A-Za-z0-9._-]. */
static inline bool
source_char(unsigned char ch)
{
	return kind_char(ch) || ch == '.' || ch == '_' || ch == '-';
}

/* The rules of one text field of a credit line. */
typedef struct FieldRule
{
	const char *name;			/* capitalised, for the detail */
	size_t		max;
	bool		(*ok) (unsigned char ch);
	const char *allowed;		/* what the field may contain, for the detail */
} FieldRule;

static const FieldRule origin_rule = {
	"Origin", CREDIT_ORIGIN_MAX, origin_char,
	"upper-case letters A-Z and digits"
};
static const FieldRule kind_rule = {
	"Kind", CREDIT_KIND_MAX, kind_char,
	"letters and digits"
};
static const FieldRule source_rule = {
	"Source", CREDIT_SOURCE_MAX, source_char,
	"letters, digits, \".\", \"_\" and \"-\""
};

/*
 * Checks one text field against its rule and copies it (NUL-terminated) into
 * out; VALUE_SYNTAX with a detail naming the field otherwise.
 */
static ValueStatus
check_field(const FieldRule *rule, const char *s, size_t n,
			char *out, uint8 *out_len, Detail *d)
{
	size_t		i;

	if (n == 0)
	{
		detail_add(d, rule->name);
		detail_add(d, " is empty.");
		return VALUE_SYNTAX;
	}
	for (i = 0; i < n; i++)
	{
		if (!rule->ok((unsigned char) s[i]))
		{
			detail_add(d, rule->name);
			detail_add(d, " may contain only ");
			detail_add(d, rule->allowed);
			detail_add(d, ", found ");
			detail_add_char(d, (unsigned char) s[i]);
			detail_add(d, ".");
			return VALUE_SYNTAX;
		}
	}
	if (n > rule->max)
	{
		detail_add(d, rule->name);
		detail_add(d, " is longer than ");
		detail_add_int64(d, (int64) rule->max);
		detail_add(d, " characters.");
		return VALUE_SYNTAX;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	*out_len = (uint8) n;
	return VALUE_OK;
}

/* Checks the serial range: both in [1, CREDIT_SERIAL_MAX], first <= last. */
static ValueStatus
check_serials(int64 first, int64 last, Detail *d)
{
	if (first < 1 || first > CREDIT_SERIAL_MAX ||
		last < 1 || last > CREDIT_SERIAL_MAX)
	{
		detail_add(d, "Serial numbers must be between 1 and ");
		detail_add_int64(d, CREDIT_SERIAL_MAX);
		detail_add(d, ".");
		return VALUE_RANGE;
	}
	if (first > last)
	{
		detail_add(d, "Serial range is reversed: first serial ");
		detail_add_int64(d, first);
		detail_add(d, " is greater than last serial ");
		detail_add_int64(d, last);
		detail_add(d, ".");
		return VALUE_SYNTAX;
	}
	return VALUE_OK;
}

/* Checks that a vintage is a fiscal year the fiscal_year type can hold. */
static ValueStatus
check_vintage(int32 vintage, Detail *d)
{
	if (vintage < FISCAL_YEAR_MIN || vintage > FISCAL_YEAR_MAX)
	{
		detail_add(d, "Vintage must be a fiscal year from FY");
		detail_add_int64(d, FISCAL_YEAR_MIN);
		detail_add(d, " to FY");
		detail_add_int64(d, FISCAL_YEAR_MAX);
		detail_add(d, ".");
		return VALUE_RANGE;
	}
	return VALUE_OK;
}

/*
 * Scans one serial number of n bytes (decimal digits; leading zeros allowed).
 * Returns VALUE_SYNTAX on a non-digit, VALUE_RANGE when above
 * CREDIT_SERIAL_MAX (the whole field is still checked for syntax first).
 */
static ValueStatus
scan_serial(const char *what, const char *s, size_t n, int64 *out, Detail *d)
{
	int64		v = 0;
	bool		overflow = false;
	size_t		i;

	if (n == 0)
	{
		detail_add(d, what);
		detail_add(d, " serial is missing; write the serials as first-last, e.g. 1000001-1001000.");
		return VALUE_SYNTAX;
	}
	for (i = 0; i < n; i++)
	{
		unsigned char ch = (unsigned char) s[i];

		if (!is_digit(ch))
		{
			detail_add(d, what);
			detail_add(d, " serial may contain only digits, found ");
			detail_add_char(d, ch);
			detail_add(d, ".");
			return VALUE_SYNTAX;
		}
		if (!overflow)
		{
			v = v * 10 + (ch - '0');
			if (v > CREDIT_SERIAL_MAX)
				overflow = true;
		}
	}
	if (overflow)
	{
		detail_add(d, what);
		detail_add(d, " serial is greater than ");
		detail_add_int64(d, CREDIT_SERIAL_MAX);
		detail_add(d, ".");
		return VALUE_RANGE;
	}
	*out = v;
	return VALUE_OK;
}

ValueStatus
credit_parse(const char *str, size_t len, CreditValue *c,
			 char *detail, size_t detail_size)
{
	Detail		d;
	const char *fields[5];
	size_t		lens[5];
	const char *end;
	const char *p;
	const char *dash;
	int			nfields;
	char		sub[VALUE_DETAIL_SIZE];
	ValueStatus st;
	int32		fy;

	detail_start(&d, detail, detail_size);
	memset(c, 0, sizeof(*c));

	/* Trim white space around the whole. */
	while (len > 0 && is_space((unsigned char) str[0]))
	{
		str++;
		len--;
	}
	while (len > 0 && is_space((unsigned char) str[len - 1]))
		len--;
	if (len == 0)
	{
		detail_add(&d, "Input is empty; expected origin/kind/vintage/source/first-last.");
		return VALUE_SYNTAX;
	}

	/* Split at "/" (no byte of a multibyte UTF-8 character is 0x2F). */
	end = str + len;
	p = str;
	nfields = 0;
	for (;;)
	{
		const char *slash = memchr(p, '/', end - p);
		const char *stop = slash ? slash : end;

		if (nfields < 5)
		{
			fields[nfields] = p;
			lens[nfields] = stop - p;
		}
		nfields++;
		if (!slash)
			break;
		p = slash + 1;
	}
	if (nfields != 5)
	{
		detail_add(&d, "Expected 5 fields separated by \"/\" (origin/kind/vintage/source/first-last), found ");
		detail_add_int64(&d, nfields);
		detail_add(&d, ".");
		return VALUE_SYNTAX;
	}

	st = check_field(&origin_rule, fields[0], lens[0], c->origin,
					 &c->origin_len, &d);
	if (st != VALUE_OK)
		return st;
	st = check_field(&kind_rule, fields[1], lens[1], c->kind,
					 &c->kind_len, &d);
	if (st != VALUE_OK)
		return st;

	/* Vintage: any fiscal_year text form, but no white space around it. */
	if (lens[2] == 0)
	{
		detail_add(&d, "Vintage is empty.");
		return VALUE_SYNTAX;
	}
	if (is_space((unsigned char) fields[2][0]) ||
		is_space((unsigned char) fields[2][lens[2] - 1]))
	{
		detail_add(&d, "Vintage must not have white space around it.");
		return VALUE_SYNTAX;
	}
	sub[0] = '\0';
	st = fiscal_year_parse(fields[2], lens[2], &fy, sub, sizeof(sub));
	if (st != VALUE_OK)
	{
		detail_add(&d, st == VALUE_RANGE
				   ? "Vintage is out of range."
				   : "Vintage is not a fiscal year.");
		if (sub[0])
		{
			sub[sizeof(sub) - 1] = '\0';
			detail_add(&d, " ");
			detail_add(&d, sub);
		}
		return st == VALUE_RANGE ? VALUE_RANGE : VALUE_SYNTAX;
	}
	st = check_vintage(fy, &d);
	if (st != VALUE_OK)
		return st;
	c->vintage = fy;

	st = check_field(&source_rule, fields[3], lens[3], c->source,
					 &c->source_len, &d);
	if (st != VALUE_OK)
		return st;

	/* Serials: first-last. */
	dash = memchr(fields[4], '-', lens[4]);
	if (!dash)
	{
		if (lens[4] == 0)
			detail_add(&d, "Serial range is empty");
		else
			detail_add(&d, "Serial range has no \"-\"");
		detail_add(&d, "; write it as first-last, e.g. 1000001-1001000.");
		return VALUE_SYNTAX;
	}
	{
		int64		first = 0;
		int64		last = 0;
		ValueStatus st_first;
		ValueStatus st_last;
		Detail		d_last;
		char		last_detail[VALUE_DETAIL_SIZE];

		st_first = scan_serial("First", fields[4], dash - fields[4], &first, &d);
		if (st_first == VALUE_SYNTAX)
			return st_first;
		detail_start(&d_last, last_detail, sizeof(last_detail));
		st_last = scan_serial("Last", dash + 1,
							  fields[4] + lens[4] - (dash + 1), &last,
							  &d_last);
		/* Report syntax before range, and the first serial before the last. */
		if (st_last == VALUE_SYNTAX ||
			(st_first == VALUE_OK && st_last != VALUE_OK))
		{
			detail_start(&d, detail, detail_size);
			detail_add(&d, last_detail);
			return st_last;
		}
		if (st_first != VALUE_OK)
			return st_first;
		st = check_serials(first, last, &d);
		if (st != VALUE_OK)
			return st;
		c->first = first;
		c->last = last;
	}
	return VALUE_OK;
}

int
credit_format(const CreditValue *c, char *buf, size_t size)
{
	char		tmp[CREDIT_TEXT_SIZE];
	size_t		len = 0;
	char		fy[FISCAL_YEAR_TEXT_SIZE];
	int			fy_len;

	memcpy(tmp + len, c->origin, c->origin_len);
	len += c->origin_len;
	tmp[len++] = '/';
	memcpy(tmp + len, c->kind, c->kind_len);
	len += c->kind_len;
	tmp[len++] = '/';
	fy_len = fiscal_year_format(c->vintage, fy, sizeof(fy));
	if (fy_len < 0)
		fy_len = 0;
	if (fy_len > (int) sizeof(fy) - 1)
		fy_len = sizeof(fy) - 1;
	memcpy(tmp + len, fy, fy_len);
	len += fy_len;
	tmp[len++] = '/';
	memcpy(tmp + len, c->source, c->source_len);
	len += c->source_len;
	tmp[len++] = '/';
	len += value_format_int64(c->first, tmp + len);
	tmp[len++] = '-';
	len += value_format_int64(c->last, tmp + len);

	if (size == 0)
		return (int) len;
	if (len > size - 1)
		len = size - 1;
	memcpy(buf, tmp, len);
	buf[len] = '\0';
	return (int) len;
}

ValueStatus
credit_make(const char *origin, size_t origin_len,
			const char *kind, size_t kind_len,
			int32 vintage,
			const char *source, size_t source_len,
			int64 first, int64 last, CreditValue *c,
			char *detail, size_t detail_size)
{
	Detail		d;
	ValueStatus st;

	detail_start(&d, detail, detail_size);
	memset(c, 0, sizeof(*c));
	st = check_field(&origin_rule, origin, origin_len, c->origin,
					 &c->origin_len, &d);
	if (st == VALUE_OK)
		st = check_field(&kind_rule, kind, kind_len, c->kind,
						 &c->kind_len, &d);
	if (st == VALUE_OK)
		st = check_vintage(vintage, &d);
	if (st == VALUE_OK)
		st = check_field(&source_rule, source, source_len, c->source,
						 &c->source_len, &d);
	if (st == VALUE_OK)
		st = check_serials(first, last, &d);
	if (st != VALUE_OK)
		return st;
	c->vintage = vintage;
	c->first = first;
	c->last = last;
	return VALUE_OK;
}

/* Writes v big-endian into 8 bytes at p. */
static void
put_int64(uint8 *p, int64 v)
{
	uint64		u = (uint64) v;
	int			i;

	for (i = 7; i >= 0; i--)
	{
		p[i] = (uint8) (u & 0xFF);
		u >>= 8;
	}
}

/* Reads a big-endian int64 from 8 bytes at p. */
static int64
get_int64(const uint8 *p)
{
	uint64		u = 0;
	int			i;

	for (i = 0; i < 8; i++)
		u = (u << 8) | p[i];
	return (int64) u;
}

size_t
credit_encode(const CreditValue *c, uint8 *buf)
{
	size_t		len = 0;
	uint16		v = (uint16) (int16) c->vintage;

	buf[len++] = CREDIT_FORMAT_VERSION;
	put_int64(buf + len, c->first);
	len += 8;
	put_int64(buf + len, c->last);
	len += 8;
	buf[len++] = (uint8) (v >> 8);
	buf[len++] = (uint8) (v & 0xFF);
	buf[len++] = c->origin_len;
	memcpy(buf + len, c->origin, c->origin_len);
	len += c->origin_len;
	buf[len++] = c->kind_len;
	memcpy(buf + len, c->kind, c->kind_len);
	len += c->kind_len;
	buf[len++] = c->source_len;
	memcpy(buf + len, c->source, c->source_len);
	len += c->source_len;
	return len;
}

/*
 * Reads one length-prefixed field at *pos of buf (len bytes) and checks it
 * against its rule; VALUE_INVALID on truncation or a bad field.
 */
static ValueStatus
decode_field(const FieldRule *rule, const uint8 *buf, size_t len, size_t *pos,
			 char *out, uint8 *out_len, Detail *d)
{
	size_t		n;

	if (*pos >= len)
	{
		detail_add(d, "The value is truncated before the ");
		detail_add(d, rule == &origin_rule ? "origin" :
				   rule == &kind_rule ? "kind" : "source");
		detail_add(d, ".");
		return VALUE_INVALID;
	}
	n = buf[(*pos)++];
	if (n > len - *pos)
	{
		detail_add(d, rule->name);
		detail_add(d, " length ");
		detail_add_int64(d, (int64) n);
		detail_add(d, " runs past the end of the value.");
		return VALUE_INVALID;
	}
	if (check_field(rule, (const char *) buf + *pos, n, out, out_len, d)
		!= VALUE_OK)
		return VALUE_INVALID;
	*pos += n;
	return VALUE_OK;
}

ValueStatus
credit_decode(const uint8 *buf, size_t len, CreditValue *c,
			  char *detail, size_t detail_size)
{
	Detail		d;
	size_t		pos;

	detail_start(&d, detail, detail_size);
	memset(c, 0, sizeof(*c));
	if (len < 1)
	{
		detail_add(&d, "The value is empty.");
		return VALUE_INVALID;
	}
	if (buf[0] != CREDIT_FORMAT_VERSION)
	{
		detail_add(&d, "Unknown credit format version ");
		detail_add_int64(&d, buf[0]);
		detail_add(&d, "; this version reads format 1.");
		return VALUE_INVALID;
	}
	if (len < 1 + 8 + 8 + 2)
	{
		detail_add(&d, "The value is truncated before the end of the serials and vintage.");
		return VALUE_INVALID;
	}
	c->first = get_int64(buf + 1);
	c->last = get_int64(buf + 9);
	c->vintage = (int16) (uint16) ((buf[17] << 8) | buf[18]);
	if (check_serials(c->first, c->last, &d) != VALUE_OK ||
		check_vintage(c->vintage, &d) != VALUE_OK)
		return VALUE_INVALID;
	pos = 19;
	if (decode_field(&origin_rule, buf, len, &pos, c->origin,
					 &c->origin_len, &d) != VALUE_OK ||
		decode_field(&kind_rule, buf, len, &pos, c->kind,
					 &c->kind_len, &d) != VALUE_OK ||
		decode_field(&source_rule, buf, len, &pos, c->source,
					 &c->source_len, &d) != VALUE_OK)
		return VALUE_INVALID;
	if (pos != len)
	{
		detail_add(&d, "Unexpected data after the end of the value (");
		detail_add_int64(&d, (int64) (len - pos));
		detail_add(&d, " bytes).");
		return VALUE_INVALID;
	}
	return VALUE_OK;
}

/* Compares two byte strings as unsigned bytes, then by length. */
static int
compare_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int			r = memcmp(a, b, Min(alen, blen));

	if (r != 0)
		return r < 0 ? -1 : 1;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return 0;
}

int
credit_compare(const CreditValue *a, const CreditValue *b)
{
	int			r;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	if (a->last != b->last)
		return a->last < b->last ? -1 : 1;
	r = compare_bytes(a->origin, a->origin_len, b->origin, b->origin_len);
	if (r != 0)
		return r;
	r = compare_bytes(a->kind, a->kind_len, b->kind, b->kind_len);
	if (r != 0)
		return r;
	if (a->vintage != b->vintage)
		return a->vintage < b->vintage ? -1 : 1;
	return compare_bytes(a->source, a->source_len, b->source, b->source_len);
}

bool
credit_same_line(const CreditValue *a, const CreditValue *b)
{
	return a->vintage == b->vintage &&
		compare_bytes(a->origin, a->origin_len, b->origin, b->origin_len) == 0 &&
		compare_bytes(a->kind, a->kind_len, b->kind, b->kind_len) == 0 &&
		compare_bytes(a->source, a->source_len, b->source, b->source_len) == 0;
}

bool
credit_overlaps(const CreditValue *a, const CreditValue *b)
{
	return a->first <= b->last && b->first <= a->last;
}

bool
credit_adjacent(const CreditValue *a, const CreditValue *b)
{
	/* Serials are at most CREDIT_SERIAL_MAX, so last + 1 cannot overflow. */
	return a->last + 1 == b->first || b->last + 1 == a->first;
}

int64
credit_tonnes(const CreditValue *c)
{
	return c->last - c->first + 1;
}

ValueStatus
credit_split(const CreditValue *c, int64 n, CreditValue *head,
			 CreditValue *tail, char *detail, size_t detail_size)
{
	Detail		d;
	int64		tonnes = credit_tonnes(c);

	detail_start(&d, detail, detail_size);
	if (n < 1 || n >= tonnes)
	{
		if (tonnes == 1)
			detail_add(&d, "A block of 1 tonne cannot be split.");
		else
		{
			detail_add(&d, "Split size ");
			detail_add_int64(&d, n);
			detail_add(&d, " is not between 1 and ");
			detail_add_int64(&d, tonnes - 1);
			detail_add(&d, " (the block holds ");
			detail_add_int64(&d, tonnes);
			detail_add(&d, " tonnes).");
		}
		return VALUE_RANGE;
	}
	*head = *c;
	*tail = *c;
	head->last = c->first + n - 1;
	tail->first = c->first + n;
	return VALUE_OK;
}

ValueStatus
credit_merge(const CreditValue *a, const CreditValue *b, CreditValue *result,
			 char *detail, size_t detail_size)
{
	Detail		d;
	const CreditValue *lo;
	const CreditValue *hi;

	detail_start(&d, detail, detail_size);
	if (!credit_same_line(a, b))
	{
		const char *field = "source";
		const char *va = a->source;
		const char *vb = b->source;
		char		fa[FISCAL_YEAR_TEXT_SIZE];
		char		fb[FISCAL_YEAR_TEXT_SIZE];

		if (strcmp(a->origin, b->origin) != 0)
		{
			field = "origin";
			va = a->origin;
			vb = b->origin;
		}
		else if (strcmp(a->kind, b->kind) != 0)
		{
			field = "kind";
			va = a->kind;
			vb = b->kind;
		}
		else if (a->vintage != b->vintage)
		{
			fa[0] = fb[0] = '\0';
			fiscal_year_format(a->vintage, fa, sizeof(fa));
			fiscal_year_format(b->vintage, fb, sizeof(fb));
			field = "vintage";
			va = fa;
			vb = fb;
		}
		detail_add(&d, "The blocks are of different credit lines: ");
		detail_add(&d, field);
		detail_add(&d, " ");
		detail_add(&d, va);
		detail_add(&d, " differs from ");
		detail_add(&d, vb);
		detail_add(&d, ".");
		return VALUE_INVALID;
	}
	if (credit_overlaps(a, b))
	{
		int64		lo_shared = Max(a->first, b->first);
		int64		hi_shared = Min(a->last, b->last);

		detail_add(&d, lo_shared == hi_shared
				   ? "The blocks overlap: they share serial "
				   : "The blocks overlap: they share serials ");
		detail_add_int64(&d, lo_shared);
		if (hi_shared != lo_shared)
		{
			detail_add(&d, "-");
			detail_add_int64(&d, hi_shared);
		}
		detail_add(&d, ".");
		return VALUE_INVALID;
	}
	lo = a->first < b->first ? a : b;
	hi = a->first < b->first ? b : a;
	if (lo->last + 1 != hi->first)
	{
		if (lo->last + 1 == hi->first - 1)
		{
			detail_add(&d, "The blocks are not adjacent: serial ");
			detail_add_int64(&d, lo->last + 1);
			detail_add(&d, " lies between them.");
		}
		else
		{
			detail_add(&d, "The blocks are not adjacent: serials ");
			detail_add_int64(&d, lo->last + 1);
			detail_add(&d, "-");
			detail_add_int64(&d, hi->first - 1);
			detail_add(&d, " lie between them.");
		}
		return VALUE_INVALID;
	}
	*result = *lo;
	result->last = hi->last;
	return VALUE_OK;
}

bool
credit_decode_serials(const uint8 *buf, size_t len, int64 *first, int64 *last)
{
	if (len < 1 + 8 + 8 || buf[0] != CREDIT_FORMAT_VERSION)
		return false;
	*first = get_int64(buf + 1);
	*last = get_int64(buf + 9);
	return *first >= 1 && *first <= *last && *last <= CREDIT_SERIAL_MAX;
}
