/*
 * credit_gist.c
 *		GiST operator class for credit blocks, keyed by their serials: the
 *		index behind the exclusion constraint that proves no serial is held
 *		twice (EXCLUDE USING gist (block WITH &&)).
 *
 * Every key, leaf or internal, is a SerialSpan [lo, hi] (the storage type
 * tsetp.serial_span): a leaf's is the block's serials, an internal one's
 * covers its children.  Serials are integers, so keys are compared exactly
 * and no match needs a recheck.  Splits sort the entries by their first
 * serial and cut the run in half, which keeps sibling keys disjoint for the
 * ascending serials the registry issues.  Strategies: 3 (&&, blocks share a
 * serial) and 16 (@>, the block holds a serial).  CREATE INDEX (and so a
 * restore, or rebuilding the constraint) sorts the keys by serial and packs
 * the pages instead of inserting one key at a time.
 */
#include "postgres.h"

#if PG_VERSION_NUM >= 160000
#include "varatt.h"			/* VARDATA, VARSIZE_ANY, SET_VARSIZE */
#endif

#include "access/gist.h"
#include "access/stratnum.h"
#include "fmgr.h"
#include "utils/sortsupport.h"

#include "credit_value.h"
#include "serial_span_value.h"

PG_FUNCTION_INFO_V1(credit_gist_consistent);
PG_FUNCTION_INFO_V1(credit_gist_union);
PG_FUNCTION_INFO_V1(credit_gist_compress);
PG_FUNCTION_INFO_V1(credit_gist_penalty);
PG_FUNCTION_INFO_V1(credit_gist_picksplit);
PG_FUNCTION_INFO_V1(credit_gist_same);
PG_FUNCTION_INFO_V1(credit_gist_sortsupport);

#define DatumGetSerialSpan(d) ((SerialSpan *) DatumGetPointer(d))

/* The serials of a credit datum; a value that fails the check is corrupt. */
static void
credit_span(Datum d, SerialSpan *span)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);

	/*
	 * Read in place, short header or not: GiST calls this for every entry of
	 * every page it visits, and a credit (at most 75 bytes) is toasted only
	 * when a caller builds it so.
	 */
	if (VARATT_IS_COMPRESSED(v) || VARATT_IS_EXTERNAL(v))
		v = PG_DETOAST_DATUM_PACKED(d);

	if (!credit_decode_serials((const uint8 *) VARDATA_ANY(v),
							   VARSIZE_ANY_EXHDR(v), &span->lo, &span->hi))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt credit value")));
	if ((Pointer) v != DatumGetPointer(d))
		pfree(v);
}

/* Leaf entries: the block's serials; internal entries are spans already. */
Datum
credit_gist_compress(PG_FUNCTION_ARGS)
{
	GISTENTRY  *entry = (GISTENTRY *) PG_GETARG_POINTER(0);
	GISTENTRY  *result;
	SerialSpan *span;

	if (!entry->leafkey)
		PG_RETURN_POINTER(entry);
	span = palloc(sizeof(SerialSpan));
	credit_span(entry->key, span);
	result = palloc(sizeof(GISTENTRY));
	gistentryinit(*result, PointerGetDatum(span), entry->rel, entry->page,
				  entry->offset, false);
	PG_RETURN_POINTER(result);
}

/*
 * Whether the subtree (or the leaf) can hold a match of the query: a credit
 * for &&, a serial for @>.  Exact on leaves, so *recheck is false.
 */
Datum
credit_gist_consistent(PG_FUNCTION_ARGS)
{
	GISTENTRY  *entry = (GISTENTRY *) PG_GETARG_POINTER(0);
	StrategyNumber strategy = (StrategyNumber) PG_GETARG_UINT16(2);
	bool	   *recheck = (bool *) PG_GETARG_POINTER(4);
	SerialSpan *key = DatumGetSerialSpan(entry->key);

	*recheck = false;
	switch (strategy)
	{
		case RTOverlapStrategyNumber:
			{
				SerialSpan	query;

				credit_span(PG_GETARG_DATUM(1), &query);
				PG_RETURN_BOOL(serial_span_overlaps(key, &query));
			}
		case RTContainsElemStrategyNumber:
			PG_RETURN_BOOL(serial_span_contains_serial(key, PG_GETARG_INT64(1)));
		default:
			elog(ERROR, "credit_gist_consistent: unknown strategy %d", strategy);
	}
	PG_RETURN_BOOL(false);		/* keep the compiler quiet */
}

/* The span covering every entry. */
Datum
credit_gist_union(PG_FUNCTION_ARGS)
{
	GistEntryVector *entryvec = (GistEntryVector *) PG_GETARG_POINTER(0);
	SerialSpan *result = palloc(sizeof(SerialSpan));
	int			i;

	*result = *DatumGetSerialSpan(entryvec->vector[0].key);
	for (i = 1; i < entryvec->n; i++)
		serial_span_extend(result, DatumGetSerialSpan(entryvec->vector[i].key));
	PG_RETURN_POINTER(result);
}

/* How much the subtree's span would grow to take the new entry. */
Datum
credit_gist_penalty(PG_FUNCTION_ARGS)
{
	GISTENTRY  *orig = (GISTENTRY *) PG_GETARG_POINTER(0);
	GISTENTRY  *add = (GISTENTRY *) PG_GETARG_POINTER(1);
	float	   *penalty = (float *) PG_GETARG_POINTER(2);

	*penalty = (float) serial_span_growth(DatumGetSerialSpan(orig->key),
										  DatumGetSerialSpan(add->key));
	PG_RETURN_POINTER(penalty);
}

/* An entry's offset with its key, for sorting in picksplit. */
typedef struct SortedEntry
{
	OffsetNumber offset;
	SerialSpan *span;
} SortedEntry;

static int
sorted_entry_cmp(const void *a, const void *b)
{
	return serial_span_cmp(((const SortedEntry *) a)->span,
						   ((const SortedEntry *) b)->span);
}

/* Sorts the entries by their serials and cuts the run in half. */
Datum
credit_gist_picksplit(PG_FUNCTION_ARGS)
{
	GistEntryVector *entryvec = (GistEntryVector *) PG_GETARG_POINTER(0);
	GIST_SPLITVEC *v = (GIST_SPLITVEC *) PG_GETARG_POINTER(1);
	OffsetNumber maxoff = entryvec->n - 1;
	int			n = maxoff - FirstOffsetNumber + 1;
	SortedEntry *sorted = palloc(sizeof(SortedEntry) * n);
	SerialSpan *left = palloc(sizeof(SerialSpan));
	SerialSpan *right = palloc(sizeof(SerialSpan));
	OffsetNumber i;
	int			k;

	for (i = FirstOffsetNumber; i <= maxoff; i = OffsetNumberNext(i))
	{
		sorted[i - FirstOffsetNumber].offset = i;
		sorted[i - FirstOffsetNumber].span = DatumGetSerialSpan(entryvec->vector[i].key);
	}
	qsort(sorted, n, sizeof(SortedEntry), sorted_entry_cmp);

	v->spl_left = palloc(sizeof(OffsetNumber) * (n + 1));
	v->spl_right = palloc(sizeof(OffsetNumber) * (n + 1));
	v->spl_nleft = 0;
	v->spl_nright = 0;
	for (k = 0; k < n; k++)
	{
		if (k < n / 2)
		{
			if (v->spl_nleft == 0)
				*left = *sorted[k].span;
			else
				serial_span_extend(left, sorted[k].span);
			v->spl_left[v->spl_nleft++] = sorted[k].offset;
		}
		else
		{
			if (v->spl_nright == 0)
				*right = *sorted[k].span;
			else
				serial_span_extend(right, sorted[k].span);
			v->spl_right[v->spl_nright++] = sorted[k].offset;
		}
	}
	v->spl_ldatum = PointerGetDatum(left);
	v->spl_rdatum = PointerGetDatum(right);
	PG_RETURN_POINTER(v);
}

/* Whether two keys are equal. */
Datum
credit_gist_same(PG_FUNCTION_ARGS)
{
	SerialSpan *a = DatumGetSerialSpan(PG_GETARG_DATUM(0));
	SerialSpan *b = DatumGetSerialSpan(PG_GETARG_DATUM(1));
	bool	   *result = (bool *) PG_GETARG_POINTER(2);

	*result = serial_span_cmp(a, b) == 0;
	PG_RETURN_POINTER(result);
}

/* Sorted build: keys in serial order. */
static int
credit_gist_key_cmp(Datum a, Datum b, SortSupport ssup)
{
	return serial_span_cmp(DatumGetSerialSpan(a), DatumGetSerialSpan(b));
}

Datum
credit_gist_sortsupport(PG_FUNCTION_ARGS)
{
	SortSupport ssup = (SortSupport) PG_GETARG_POINTER(0);

	ssup->comparator = credit_gist_key_cmp;
	PG_RETURN_VOID();
}
