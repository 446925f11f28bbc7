/*
 * fiscal_value.c
 *		Pure value logic of fiscal_year and fiscal_period: parsing and
 *		formatting of Japanese fiscal years in Gregorian and era (wareki)
 *		form.  No server calls; all text is UTF-8.
 *
 * Accepted fiscal year forms (ASCII letters in any case, surrounding white
 * space, including U+3000, allowed; digits may be ASCII or full-width):
 *		FY2020		2020		2020年度
 *		R2			H27			R2年度			(era letter M, T, S, H, R)
 *		令和2年度	令和元年度	平成27年度		(era name 明治 … 令和)
 * An era year is calendar year (era start + n - 1); fiscal year N is the one
 * starting on 1 April N.  Era years past the era's last year (平成32年度) and
 * era year 0 are out of range, never reinterpreted.
 */
#include "c.h"

#include <stdarg.h>
#include <string.h>

#include "fiscal_value.h"

/* One Japanese era: its name, letter, first calendar year, last era year. */
typedef struct FiscalEra
{
	const char *name;			/* UTF-8 name, e.g. "令和" */
	char		letter;			/* upper-case abbreviation, e.g. 'R' */
	int32		start;			/* calendar year of 元年 */
	int32		last;			/* last era year, or 0 if the era is open */
} FiscalEra;

static const FiscalEra eras[] = {
	{"明治", 'M', 1868, 45},
	{"大正", 'T', 1912, 15},
	{"昭和", 'S', 1926, 64},
	{"平成", 'H', 1989, 31},
	{"令和", 'R', 2019, 0},
};

#define NUM_ERAS ((int) lengthof(eras))

/* UTF-8 spellings of the non-ASCII characters the scanner knows. */
#define U_NENDO		"\xE5\xB9\xB4\xE5\xBA\xA6"	/* 年度 */
#define U_GAN		"\xE5\x85\x83"	/* 元 */
#define U_IDEO_SP	"\xE3\x80\x80"	/* U+3000 ideographic space */
#define U_FW_TILDE	"\xEF\xBD\x9E"	/* U+FF5E ～ */
#define U_WAVE_DASH "\xE3\x80\x9C"	/* U+301C 〜 */
#define U_EN_DASH	"\xE2\x80\x93"	/* U+2013 – */

/* A saturating cap for digit runs: anything above is out of range anyway. */
#define NUMBER_CAP 1000000

#define EXPECTED_FORMS "Expected a fiscal year such as FY2020, 2020, R2, H27 or 令和2年度."

/*
 * A small snprintf for %s, %c and %d: the pure files are also linked without
 * libpgport (fuzzing), where c.h's snprintf macro would be unresolved.
 * Always NUL-terminates (when size > 0) and returns the length written.
 */
static int
format_text(char *buf, size_t size, const char *fmt,...)
{
	va_list		ap;
	size_t		len = 0;
	const char *f;

	if (size == 0)
		return 0;
	va_start(ap, fmt);
	for (f = fmt; *f; f++)
	{
		char		num[16];
		const char *s = num;

		if (*f != '%' || f[1] == '\0')
		{
			num[0] = *f;
			num[1] = '\0';
		}
		else
		{
			f++;
			if (*f == 's')
				s = va_arg(ap, const char *);
			else if (*f == 'c')
			{
				num[0] = (char) va_arg(ap, int);
				num[1] = '\0';
			}
			else if (*f == 'd')
			{
				int			v = va_arg(ap, int);
				char		rev[16];
				int			i = 0;
				int			j = 0;
				unsigned int u = v < 0 ? -(unsigned int) v : (unsigned int) v;

				do
				{
					rev[i++] = (char) ('0' + u % 10);
					u /= 10;
				} while (u > 0);
				if (v < 0)
					num[j++] = '-';
				while (i > 0)
					num[j++] = rev[--i];
				num[j] = '\0';
			}
			else
			{
				num[0] = *f;
				num[1] = '\0';
			}
		}
		for (; *s && len + 1 < size; s++)
			buf[len++] = *s;
	}
	va_end(ap);
	buf[len] = '\0';
	return (int) len;
}

/* Returns true if the n bytes at p (of the remaining len) spell lit. */
static bool
match_lit(const char *p, size_t len, const char *lit, size_t *litlen)
{
	size_t		n = strlen(lit);

	*litlen = n;
	return len >= n && memcmp(p, lit, n) == 0;
}

/* Returns the byte length of white space starting at p, or 0 if none. */
static size_t
space_at(const char *p, size_t len)
{
	size_t		n;

	if (len == 0)
		return 0;
	if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		*p == '\f' || *p == '\v')
		return 1;
	if (match_lit(p, len, U_IDEO_SP, &n))
		return n;
	return 0;
}

/* Returns the byte length of white space ending at p + len, or 0 if none. */
static size_t
space_before(const char *p, size_t len)
{
	size_t		n = strlen(U_IDEO_SP);

	if (len == 0)
		return 0;
	if (space_at(p + len - 1, 1) == 1)
		return 1;
	if (len >= n && memcmp(p + len - n, U_IDEO_SP, n) == 0)
		return n;
	return 0;
}

/* Narrows [*str, *str + *len) to exclude leading and trailing white space. */
static void
trim_space(const char **str, size_t *len)
{
	size_t		n;

	while ((n = space_at(*str, *len)) > 0)
	{
		*str += n;
		*len -= n;
	}
	while ((n = space_before(*str, *len)) > 0)
		*len -= n;
}

/*
 * Returns the value (0-9) of the ASCII or full-width digit at p and its byte
 * length in *n, or -1 if p does not start with a digit.
 */
static int
digit_at(const char *p, size_t len, size_t *n)
{
	const unsigned char *u = (const unsigned char *) p;

	if (len >= 1 && u[0] >= '0' && u[0] <= '9')
	{
		*n = 1;
		return u[0] - '0';
	}
	/* U+FF10..U+FF19 are EF BC 90..99 */
	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99)
	{
		*n = 3;
		return u[2] - 0x90;
	}
	return -1;
}

/*
 * Reads a run of digits at p; returns the bytes consumed (0 if none) and the
 * value, saturated at NUMBER_CAP, in *value.
 */
static size_t
scan_number(const char *p, size_t len, int32 *value)
{
	size_t		pos = 0;
	size_t		n;
	int			d;
	int32		v = 0;

	while ((d = digit_at(p + pos, len - pos, &n)) >= 0)
	{
		v = v * 10 + d;
		if (v > NUMBER_CAP)
			v = NUMBER_CAP;
		pos += n;
	}
	*value = v;
	return pos;
}

/* Returns the English ordinal suffix of n ("st", "nd", "rd", "th"). */
static const char *
ordinal_suffix(int32 n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	switch (n % 10)
	{
		case 1:
			return "st";
		case 2:
			return "nd";
		case 3:
			return "rd";
		default:
			return "th";
	}
}

/* Writes the range detail shared by every out-of-range Gregorian year. */
static ValueStatus
range_error(char *detail, size_t detail_size)
{
	format_text(detail, detail_size,
			 "Fiscal years run from FY%d to FY%d.",
			 FISCAL_YEAR_MIN, FISCAL_YEAR_MAX);
	return VALUE_RANGE;
}

/* Checks a Gregorian year against the type's range. */
static ValueStatus
check_gregorian(int32 year, int32 *fy, char *detail, size_t detail_size)
{
	if (year < FISCAL_YEAR_MIN || year > FISCAL_YEAR_MAX)
		return range_error(detail, detail_size);
	*fy = year;
	return VALUE_OK;
}

/* Turns era year n of era e into a fiscal year, checking the era's bounds. */
static ValueStatus
era_to_year(const FiscalEra *e, int32 n, int32 *fy,
			char *detail, size_t detail_size)
{
	if (n < 1)
	{
		format_text(detail, detail_size,
				 "Era years start at 1 (%s元年度); there is no year 0.",
				 e->name);
		return VALUE_RANGE;
	}
	if (e->last > 0 && n > e->last)
	{
		format_text(detail, detail_size,
				 "The %s era (%c) ended in its %d%s year (%d).",
				 e->name, e->letter, e->last, ordinal_suffix(e->last),
				 e->start + e->last - 1);
		return VALUE_RANGE;
	}
	return check_gregorian(e->start + n - 1, fy, detail, detail_size);
}

/* Writes a syntax detail and returns VALUE_SYNTAX. */
static ValueStatus
syntax_error(char *detail, size_t detail_size, const char *msg)
{
	format_text(detail, detail_size, "%s", msg);
	return VALUE_SYNTAX;
}

/* Returns the number of bytes of "年度" at p, or 0 if it is not there. */
static size_t
nendo_at(const char *p, size_t len)
{
	size_t		n;

	return match_lit(p, len, U_NENDO, &n) ? n : 0;
}

ValueStatus
fiscal_year_parse(const char *str, size_t len, int32 *fy,
				  char *detail, size_t detail_size)
{
	const char *p = str;
	size_t		n;
	int32		value;
	int			i;

	trim_space(&p, &len);
	if (len == 0)
		return syntax_error(detail, detail_size, EXPECTED_FORMS);

	/* FY2020, FY 2020 */
	if (len >= 2 && (p[0] == 'F' || p[0] == 'f') && (p[1] == 'Y' || p[1] == 'y'))
	{
		size_t		start = 2;

		while (start < len && p[start] == ' ')
			start++;
		n = scan_number(p + start, len - start, &value);
		if (n == 0)
			return syntax_error(detail, detail_size,
								"Expected the year after \"FY\", as in FY2020.");
		if (start + n != len)
			return syntax_error(detail, detail_size,
								"Unexpected characters after the year.");
		return check_gregorian(value, fy, detail, detail_size);
	}

	/* 2020, 2020年度 */
	n = scan_number(p, len, &value);
	if (n > 0)
	{
		if (n != len && n + nendo_at(p + n, len - n) != len)
			return syntax_error(detail, detail_size,
								"Unexpected characters after the year; expected nothing or \"年度\".");
		return check_gregorian(value, fy, detail, detail_size);
	}

	for (i = 0; i < NUM_ERAS; i++)
	{
		const FiscalEra *e = &eras[i];
		size_t		namelen;

		/* R2, R2年度 */
		if (p[0] == e->letter || p[0] == e->letter - 'A' + 'a')
		{
			n = scan_number(p + 1, len - 1, &value);
			if (n == 0)
				break;			/* not an era abbreviation after all */
			if (1 + n != len && 1 + n + nendo_at(p + 1 + n, len - 1 - n) != len)
				return syntax_error(detail, detail_size,
									"Unexpected characters after the era year; expected nothing or \"年度\".");
			return era_to_year(e, value, fy, detail, detail_size);
		}

		/* 令和2年度, 令和元年度 */
		if (match_lit(p, len, e->name, &namelen))
		{
			const char *q = p + namelen;
			size_t		rest = len - namelen;
			size_t		gan;

			if (match_lit(q, rest, U_GAN, &gan))
			{
				value = 1;
				n = gan;
			}
			else
			{
				n = scan_number(q, rest, &value);
				if (n == 0)
					return syntax_error(detail, detail_size,
										"Expected the era year (a number or 元) after the era name.");
			}
			if (n + nendo_at(q + n, rest - n) != rest || n == rest)
				return syntax_error(detail, detail_size,
									"Expected \"年度\" after the era year.");
			return era_to_year(e, value, fy, detail, detail_size);
		}
	}

	return syntax_error(detail, detail_size, EXPECTED_FORMS);
}

int
fiscal_year_format(int32 fy, char *buf, size_t size)
{
	return format_text(buf, size, "FY%d", (int) fy);
}

/* Returns the newest era that had begun by calendar year fy. */
static const FiscalEra *
era_of(int32 fy)
{
	int			i;

	for (i = NUM_ERAS - 1; i > 0; i--)
	{
		if (fy >= eras[i].start)
			return &eras[i];
	}
	return &eras[0];
}

int
fiscal_year_format_wareki(int32 fy, char *buf, size_t size)
{
	const FiscalEra *e = era_of(fy);
	int32		n = fy - e->start + 1;

	if (n == 1)
		return format_text(buf, size, "%s元年度", e->name);
	return format_text(buf, size, "%s%d年度", e->name, (int) n);
}

/*
 * Finds the first separator of a period in [str, str + len): returns true and
 * its offset and byte length, or false if there is none.  None of the
 * separators can occur inside a year.
 */
static bool
find_separator(const char *str, size_t len, size_t *at, size_t *seplen)
{
	static const char *const seps[] = {"-", "~", U_FW_TILDE, U_WAVE_DASH, U_EN_DASH};
	size_t		pos;
	int			i;

	for (pos = 0; pos < len; pos++)
	{
		for (i = 0; i < (int) lengthof(seps); i++)
		{
			if (match_lit(str + pos, len - pos, seps[i], seplen))
			{
				*at = pos;
				return true;
			}
		}
	}
	return false;
}

ValueStatus
fiscal_period_check(int32 lower, int32 upper, char *detail, size_t detail_size)
{
	if (lower < FISCAL_YEAR_MIN || lower > FISCAL_YEAR_MAX ||
		upper < FISCAL_YEAR_MIN || upper > FISCAL_YEAR_MAX)
		return range_error(detail, detail_size);
	if (upper < lower)
	{
		format_text(detail, detail_size,
				 "The end FY%d is before the start FY%d.",
				 (int) upper, (int) lower);
		return VALUE_INVALID;
	}
	return VALUE_OK;
}

ValueStatus
fiscal_period_parse(const char *str, size_t len, int32 *lower, int32 *upper,
					char *detail, size_t detail_size)
{
	const char *p = str;
	size_t		sep;
	size_t		seplen;
	size_t		dummy;
	ValueStatus st;
	int32		lo;
	int32		hi;
	const char *rest;
	size_t		restlen;

	trim_space(&p, &len);
	if (len == 0)
		return syntax_error(detail, detail_size,
							"Expected a period such as FY2020-FY2024, 2020-2024, R2-R6 or 令和2年度～令和6年度.");

	if (!find_separator(p, len, &sep, &seplen))
	{
		/* a single year is a one-year period */
		st = fiscal_year_parse(p, len, &lo, detail, detail_size);
		if (st != VALUE_OK)
			return st;
		*lower = *upper = lo;
		return VALUE_OK;
	}

	rest = p + sep + seplen;
	restlen = len - sep - seplen;
	if (find_separator(rest, restlen, &dummy, &dummy))
		return syntax_error(detail, detail_size,
							"Expected one separator between the start and the end of the period.");

	{
		const char *a = p;
		size_t		alen = sep;

		trim_space(&a, &alen);
		if (alen == 0)
			return syntax_error(detail, detail_size,
								"Expected a fiscal year before the separator.");
		trim_space(&rest, &restlen);
		if (restlen == 0)
			return syntax_error(detail, detail_size,
								"Expected a fiscal year after the separator.");
		st = fiscal_year_parse(a, alen, &lo, detail, detail_size);
		if (st != VALUE_OK)
			return st;
		st = fiscal_year_parse(rest, restlen, &hi, detail, detail_size);
		if (st != VALUE_OK)
			return st;
	}

	st = fiscal_period_check(lo, hi, detail, detail_size);
	if (st != VALUE_OK)
		return st == VALUE_INVALID ? VALUE_SYNTAX : st;
	*lower = lo;
	*upper = hi;
	return VALUE_OK;
}

int
fiscal_period_format(int32 lower, int32 upper, char *buf, size_t size)
{
	return format_text(buf, size, "FY%d-FY%d", (int) lower, (int) upper);
}

int
fiscal_period_format_wareki(int32 lower, int32 upper, char *buf, size_t size)
{
	char		a[FISCAL_YEAR_TEXT_SIZE];
	char		b[FISCAL_YEAR_TEXT_SIZE];

	fiscal_year_format_wareki(lower, a, sizeof(a));
	fiscal_year_format_wareki(upper, b, sizeof(b));
	return format_text(buf, size, "%s" U_FW_TILDE "%s", a, b);
}

ValueStatus
fiscal_year_add(int32 fy, int32 n, int32 *result,
				char *detail, size_t detail_size)
{
	int64		r = (int64) fy + (int64) n;

	if (r < FISCAL_YEAR_MIN || r > FISCAL_YEAR_MAX)
		return range_error(detail, detail_size);
	*result = (int32) r;
	return VALUE_OK;
}

ValueStatus
fiscal_year_check(int64 year, char *detail, size_t detail_size)
{
	if (year < FISCAL_YEAR_MIN || year > FISCAL_YEAR_MAX)
		return range_error(detail, detail_size);
	return VALUE_OK;
}
