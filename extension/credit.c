/*
 * credit.c
 *		fmgr interface of the credit type: a block of serial-numbered whole
 *		tonnes of one credit line.  The value logic is in credit_value.c.
 *
 * A credit is a varlena whose payload is exactly its wire form (see
 * credit_value.h), so equal values are byte-equal, hashing is hash_any over
 * the payload, and send is a copy.  Values are always detoasted.
 */
#include "postgres.h"

#if PG_VERSION_NUM >= 160000
#include "varatt.h"			/* VARDATA, VARSIZE_ANY, SET_VARSIZE */
#endif

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/rangetypes.h"
#include "utils/typcache.h"

#include "credit_value.h"
#include "value_error.h"

/* fiscal_year is a by-value int16 year number (see fiscal_year.c). */
#define DatumGetFiscalYear(X) ((int32) DatumGetInt16(X))
#define FiscalYearGetDatum(X) Int16GetDatum((int16) (X))

/* tco2 is a by-value int64 count of milli-tonnes (see tco2.c). */
#define TCO2_PER_TONNE 1000

PG_FUNCTION_INFO_V1(credit_in);
PG_FUNCTION_INFO_V1(credit_out);
PG_FUNCTION_INFO_V1(credit_recv);
PG_FUNCTION_INFO_V1(credit_send);
PG_FUNCTION_INFO_V1(credit_construct);
PG_FUNCTION_INFO_V1(credit_origin);
PG_FUNCTION_INFO_V1(credit_kind);
PG_FUNCTION_INFO_V1(credit_vintage);
PG_FUNCTION_INFO_V1(credit_source);
PG_FUNCTION_INFO_V1(credit_first_serial);
PG_FUNCTION_INFO_V1(credit_last_serial);
PG_FUNCTION_INFO_V1(credit_tonnes_fn);
PG_FUNCTION_INFO_V1(credit_amount);
PG_FUNCTION_INFO_V1(credit_serials);
PG_FUNCTION_INFO_V1(credit_split_head);
PG_FUNCTION_INFO_V1(credit_split_tail);
PG_FUNCTION_INFO_V1(credit_merge_fn);
PG_FUNCTION_INFO_V1(credit_adjacent_fn);
PG_FUNCTION_INFO_V1(credit_same_line_fn);
PG_FUNCTION_INFO_V1(credit_overlaps_fn);
PG_FUNCTION_INFO_V1(credit_contains_serial);
PG_FUNCTION_INFO_V1(credit_serial_contained);
PG_FUNCTION_INFO_V1(credit_eq);
PG_FUNCTION_INFO_V1(credit_ne);
PG_FUNCTION_INFO_V1(credit_lt);
PG_FUNCTION_INFO_V1(credit_le);
PG_FUNCTION_INFO_V1(credit_gt);
PG_FUNCTION_INFO_V1(credit_ge);
PG_FUNCTION_INFO_V1(credit_cmp);
PG_FUNCTION_INFO_V1(credit_hash);
PG_FUNCTION_INFO_V1(credit_hash_extended);

/* Decodes a stored credit; a value that fails validation is corrupt. */
static void
credit_get(Datum d, CreditValue *c)
{
	struct varlena *v = PG_DETOAST_DATUM(d);
	char		detail[VALUE_DETAIL_SIZE];

	if (credit_decode((const uint8 *) VARDATA(v), VARSIZE(v) - VARHDRSZ, c,
					  detail, sizeof(detail)) != VALUE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt credit value"),
				 errdetail_internal("%s", detail)));
	if ((Pointer) v != DatumGetPointer(d))
		pfree(v);
}

/* Builds the varlena datum of a credit. */
static Datum
credit_datum(const CreditValue *c)
{
	uint8		buf[CREDIT_ENCODED_MAX];
	size_t		len = credit_encode(c, buf);
	struct varlena *v = (struct varlena *) palloc(VARHDRSZ + len);

	SET_VARSIZE(v, VARHDRSZ + len);
	memcpy(VARDATA(v), buf, len);
	return PointerGetDatum(v);
}

/* Returns a text datum of n bytes at s. */
static Datum
text_datum(const char *s, size_t n)
{
	return PointerGetDatum(cstring_to_text_with_len(s, (int) n));
}

/* Text input: origin/kind/vintage/source/first-last. */
Datum
credit_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	CreditValue c;
	char		detail[VALUE_DETAIL_SIZE];
	ValueStatus st;

	st = credit_parse(str, strlen(str), &c, detail, sizeof(detail));
	if (st != VALUE_OK)
	{
		report_input_error(fcinfo->context, st, "credit", str, detail);
		PG_RETURN_NULL();
	}
	PG_RETURN_DATUM(credit_datum(&c));
}

/* Text output, canonical: SAI/ER/FY2020/F000123/1000001-1001000. */
Datum
credit_out(PG_FUNCTION_ARGS)
{
	CreditValue c;
	char		buf[CREDIT_TEXT_SIZE];

	credit_get(PG_GETARG_DATUM(0), &c);
	credit_format(&c, buf, sizeof(buf));
	PG_RETURN_CSTRING(pstrdup(buf));
}

/* Binary input: re-validates every byte of the versioned wire form. */
Datum
credit_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	size_t		len = buf->len - buf->cursor;
	CreditValue c;
	char		detail[VALUE_DETAIL_SIZE];

	if (credit_decode((const uint8 *) buf->data + buf->cursor, len, &c,
					  detail, sizeof(detail)) != VALUE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external credit value"),
				 errdetail_internal("%s", detail)));
	buf->cursor = buf->len;
	PG_RETURN_DATUM(credit_datum(&c));
}

/* Binary output: the versioned wire form, which is the stored payload. */
Datum
credit_send(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_VARLENA_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA(v), VARSIZE(v) - VARHDRSZ);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* credit(origin, kind, vintage, source, first_serial, last_serial). */
Datum
credit_construct(PG_FUNCTION_ARGS)
{
	text	   *origin = PG_GETARG_TEXT_PP(0);
	text	   *kind = PG_GETARG_TEXT_PP(1);
	int32		vintage = DatumGetFiscalYear(PG_GETARG_DATUM(2));
	text	   *source = PG_GETARG_TEXT_PP(3);
	int64		first = PG_GETARG_INT64(4);
	int64		last = PG_GETARG_INT64(5);
	CreditValue c;
	char		detail[VALUE_DETAIL_SIZE];
	ValueStatus st;

	st = credit_make(VARDATA_ANY(origin), VARSIZE_ANY_EXHDR(origin),
					 VARDATA_ANY(kind), VARSIZE_ANY_EXHDR(kind),
					 vintage,
					 VARDATA_ANY(source), VARSIZE_ANY_EXHDR(source),
					 first, last, &c, detail, sizeof(detail));
	if (st != VALUE_OK)
		report_value_error(st, "credit", detail);
	PG_RETURN_DATUM(credit_datum(&c));
}

/* The issuing programme code of the block. */
Datum
credit_origin(PG_FUNCTION_ARGS)
{
	CreditValue c;

	credit_get(PG_GETARG_DATUM(0), &c);
	PG_RETURN_DATUM(text_datum(c.origin, c.origin_len));
}

/* The credit kind of the block. */
Datum
credit_kind(PG_FUNCTION_ARGS)
{
	CreditValue c;

	credit_get(PG_GETARG_DATUM(0), &c);
	PG_RETURN_DATUM(text_datum(c.kind, c.kind_len));
}

/* The vintage (fiscal year) of the block. */
Datum
credit_vintage(PG_FUNCTION_ARGS)
{
	CreditValue c;

	credit_get(PG_GETARG_DATUM(0), &c);
	PG_RETURN_DATUM(FiscalYearGetDatum(c.vintage));
}

/* The facility or project the block came from. */
Datum
credit_source(PG_FUNCTION_ARGS)
{
	CreditValue c;

	credit_get(PG_GETARG_DATUM(0), &c);
	PG_RETURN_DATUM(text_datum(c.source, c.source_len));
}

/* The first serial of the block. */
Datum
credit_first_serial(PG_FUNCTION_ARGS)
{
	CreditValue c;

	credit_get(PG_GETARG_DATUM(0), &c);
	PG_RETURN_INT64(c.first);
}

/* The last serial of the block (inclusive). */
Datum
credit_last_serial(PG_FUNCTION_ARGS)
{
	CreditValue c;

	credit_get(PG_GETARG_DATUM(0), &c);
	PG_RETURN_INT64(c.last);
}

/* The number of tonnes in the block. */
Datum
credit_tonnes_fn(PG_FUNCTION_ARGS)
{
	CreditValue c;

	credit_get(PG_GETARG_DATUM(0), &c);
	PG_RETURN_INT64(credit_tonnes(&c));
}

/* The block's amount as tco2; cannot overflow (see CREDIT_SERIAL_MAX). */
Datum
credit_amount(PG_FUNCTION_ARGS)
{
	CreditValue c;

	credit_get(PG_GETARG_DATUM(0), &c);
	PG_RETURN_INT64(credit_tonnes(&c) * TCO2_PER_TONNE);
}

/* The block's serials as the int8range [first, last + 1). */
Datum
credit_serials(PG_FUNCTION_ARGS)
{
	CreditValue c;
	TypeCacheEntry *typcache;
	RangeBound	lower;
	RangeBound	upper;

	credit_get(PG_GETARG_DATUM(0), &c);
	typcache = lookup_type_cache(INT8RANGEOID, TYPECACHE_RANGE_INFO);
	lower.val = Int64GetDatum(c.first);
	lower.infinite = false;
	lower.inclusive = true;
	lower.lower = true;
	upper.val = Int64GetDatum(c.last + 1);
	upper.infinite = false;
	upper.inclusive = false;
	upper.lower = false;
#if PG_VERSION_NUM >= 160000
	PG_RETURN_RANGE_P(make_range(typcache, &lower, &upper, false, NULL));
#else
	PG_RETURN_RANGE_P(make_range(typcache, &lower, &upper, false));
#endif
}

/* Splits the block after n tonnes and returns the head or the tail. */
static Datum
credit_split_part(FunctionCallInfo fcinfo, bool head)
{
	CreditValue c;
	CreditValue h;
	CreditValue t;
	char		detail[VALUE_DETAIL_SIZE];

	credit_get(PG_GETARG_DATUM(0), &c);
	if (credit_split(&c, PG_GETARG_INT64(1), &h, &t, detail,
					 sizeof(detail)) != VALUE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("split size out of range for credit block"),
				 errdetail_internal("%s", detail)));
	return credit_datum(head ? &h : &t);
}

/* split_head(block, n): the first n tonnes of the block. */
Datum
credit_split_head(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(credit_split_part(fcinfo, true));
}

/* split_tail(block, n): the block without its first n tonnes. */
Datum
credit_split_tail(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(credit_split_part(fcinfo, false));
}

/* merge(a, b): one block from two adjacent blocks of the same line. */
Datum
credit_merge_fn(PG_FUNCTION_ARGS)
{
	CreditValue a;
	CreditValue b;
	CreditValue m;
	char		detail[VALUE_DETAIL_SIZE];

	credit_get(PG_GETARG_DATUM(0), &a);
	credit_get(PG_GETARG_DATUM(1), &b);
	if (credit_merge(&a, &b, &m, detail, sizeof(detail)) != VALUE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("cannot merge credit blocks"),
				 errdetail_internal("%s", detail)));
	PG_RETURN_DATUM(credit_datum(&m));
}

/* Whether the serials of two blocks meet with no gap and no overlap. */
Datum
credit_adjacent_fn(PG_FUNCTION_ARGS)
{
	CreditValue a;
	CreditValue b;

	credit_get(PG_GETARG_DATUM(0), &a);
	credit_get(PG_GETARG_DATUM(1), &b);
	PG_RETURN_BOOL(credit_adjacent(&a, &b));
}

/* Whether two blocks are of one line (origin, kind, vintage, source). */
Datum
credit_same_line_fn(PG_FUNCTION_ARGS)
{
	CreditValue a;
	CreditValue b;

	credit_get(PG_GETARG_DATUM(0), &a);
	credit_get(PG_GETARG_DATUM(1), &b);
	PG_RETURN_BOOL(credit_same_line(&a, &b));
}

/* Whether two blocks share at least one serial. */
Datum
credit_overlaps_fn(PG_FUNCTION_ARGS)
{
	CreditValue a;
	CreditValue b;

	credit_get(PG_GETARG_DATUM(0), &a);
	credit_get(PG_GETARG_DATUM(1), &b);
	PG_RETURN_BOOL(credit_overlaps(&a, &b));
}

/* Whether the block holds the given serial. */
Datum
credit_contains_serial(PG_FUNCTION_ARGS)
{
	CreditValue c;
	int64		serial = PG_GETARG_INT64(1);

	credit_get(PG_GETARG_DATUM(0), &c);
	PG_RETURN_BOOL(c.first <= serial && serial <= c.last);
}

/* Whether the serial is held by the block (commutator of the above). */
Datum
credit_serial_contained(PG_FUNCTION_ARGS)
{
	CreditValue c;
	int64		serial = PG_GETARG_INT64(0);

	credit_get(PG_GETARG_DATUM(1), &c);
	PG_RETURN_BOOL(c.first <= serial && serial <= c.last);
}

/* Whether two stored credits are byte-equal (the representation is canonical). */
static bool
credit_bytes_equal(Datum a, Datum b)
{
	struct varlena *va = PG_DETOAST_DATUM_PACKED(a);
	struct varlena *vb = PG_DETOAST_DATUM_PACKED(b);
	size_t		la = VARSIZE_ANY_EXHDR(va);
	size_t		lb = VARSIZE_ANY_EXHDR(vb);

	return la == lb && memcmp(VARDATA_ANY(va), VARDATA_ANY(vb), la) == 0;
}

/* Compares two stored credits in the btree order. */
static int
credit_cmp_datums(Datum a, Datum b)
{
	CreditValue ca;
	CreditValue cb;

	credit_get(a, &ca);
	credit_get(b, &cb);
	return credit_compare(&ca, &cb);
}

/* a = b */
Datum
credit_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(credit_bytes_equal(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)));
}

/* a <> b */
Datum
credit_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!credit_bytes_equal(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)));
}

/* a < b */
Datum
credit_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(credit_cmp_datums(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)) < 0);
}

/* a <= b */
Datum
credit_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(credit_cmp_datums(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)) <= 0);
}

/* a > b */
Datum
credit_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(credit_cmp_datums(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)) > 0);
}

/* a >= b */
Datum
credit_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(credit_cmp_datums(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)) >= 0);
}

/* btree support: -1, 0 or 1. */
Datum
credit_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(credit_cmp_datums(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)));
}

/* hash support: hash_any over the canonical payload. */
Datum
credit_hash(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_VARLENA_PP(0);

	return hash_any((const unsigned char *) VARDATA_ANY(v),
					VARSIZE_ANY_EXHDR(v));
}

/* Extended hash support: hash_any_extended over the canonical payload. */
Datum
credit_hash_extended(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_VARLENA_PP(0);

	return hash_any_extended((const unsigned char *) VARDATA_ANY(v),
							 VARSIZE_ANY_EXHDR(v), PG_GETARG_INT64(1));
}
