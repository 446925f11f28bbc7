/*
 * tco2_agg.c
 *		avg(tco2): an internal state of an int128 sum and an int64 count,
 *		with combine, serial and deserial functions for parallel plans.
 *		(sum, min and max need no state type: their step functions are
 *		tco2_pl, tco2_smaller and tco2_larger.)
 */
#include "postgres.h"

#if PG_VERSION_NUM >= 160000
#include "varatt.h"			/* VARDATA, VARSIZE_ANY, SET_VARSIZE */
#endif

#include "fmgr.h"
#include "libpq/pqformat.h"

#include "tco2.h"
#include "value_error.h"

PG_FUNCTION_INFO_V1(tco2_avg_accum);
PG_FUNCTION_INFO_V1(tco2_avg_combine);
PG_FUNCTION_INFO_V1(tco2_avg_serialize);
PG_FUNCTION_INFO_V1(tco2_avg_deserialize);
PG_FUNCTION_INFO_V1(tco2_avg_final);

/* Running state of avg(tco2); lives in the aggregate memory context. */
typedef struct Tco2AvgState
{
	int128		sum;			/* sum of milli-tonnes; cannot overflow */
	int64		count;			/* number of non-NULL inputs */
} Tco2AvgState;

/* Size of the serialised state: sum high and low halves, then count. */
#define TCO2_AVG_STATE_BYTES 24

/* Returns the aggregate memory context, or throws outside an aggregate. */
static MemoryContext
tco2_agg_context(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can only be called as part of an aggregate",
						fname)));
	return aggcontext;
}

/* Allocates a zeroed state in the aggregate memory context. */
static Tco2AvgState *
tco2_avg_new(MemoryContext aggcontext)
{
	return (Tco2AvgState *) MemoryContextAllocZero(aggcontext,
												   sizeof(Tco2AvgState));
}

/* Step function of avg(tco2): adds one amount; NULL inputs are skipped. */
Datum
tco2_avg_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = tco2_agg_context(fcinfo, "tco2_avg_accum");
	Tco2AvgState *state;

	state = PG_ARGISNULL(0) ? tco2_avg_new(aggcontext)
		: (Tco2AvgState *) PG_GETARG_POINTER(0);
	if (!PG_ARGISNULL(1))
	{
		state->sum += (int128) PG_GETARG_TCO2(1);
		state->count++;
	}
	PG_RETURN_POINTER(state);
}

/* Combine function of avg(tco2): merges two partial states. */
Datum
tco2_avg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = tco2_agg_context(fcinfo, "tco2_avg_combine");
	Tco2AvgState *state1 = PG_ARGISNULL(0) ? NULL
		: (Tco2AvgState *) PG_GETARG_POINTER(0);
	Tco2AvgState *state2 = PG_ARGISNULL(1) ? NULL
		: (Tco2AvgState *) PG_GETARG_POINTER(1);

	if (state2 == NULL)
	{
		if (state1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state1);
	}
	if (state1 == NULL)
	{
		state1 = tco2_avg_new(aggcontext);
		*state1 = *state2;
		PG_RETURN_POINTER(state1);
	}
	state1->sum += state2->sum;
	state1->count += state2->count;
	PG_RETURN_POINTER(state1);
}

/* Serial function of avg(tco2): the state as 24 bytes in network order. */
Datum
tco2_avg_serialize(PG_FUNCTION_ARGS)
{
	Tco2AvgState *state;
	StringInfoData buf;

	tco2_agg_context(fcinfo, "tco2_avg_serialize");
	state = (Tco2AvgState *) PG_GETARG_POINTER(0);
	pq_begintypsend(&buf);
	pq_sendint64(&buf, (int64) (state->sum >> 64));
	pq_sendint64(&buf, (int64) (uint64) state->sum);
	pq_sendint64(&buf, state->count);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Deserial function of avg(tco2): rebuilds a state from its 24 bytes. */
Datum
tco2_avg_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = tco2_agg_context(fcinfo,
												"tco2_avg_deserialize");
	bytea	   *sstate = PG_GETARG_BYTEA_PP(0);
	Tco2AvgState *state;
	StringInfoData buf;
	int64		high;
	uint64		low;

	if (VARSIZE_ANY_EXHDR(sstate) != TCO2_AVG_STATE_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid avg(tco2) state")));
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(sstate),
						   VARSIZE_ANY_EXHDR(sstate));
	state = tco2_avg_new(aggcontext);
	high = pq_getmsgint64(&buf);
	low = (uint64) pq_getmsgint64(&buf);
	state->sum = (int128) (((uint128) (uint64) high << 64) | low);
	state->count = pq_getmsgint64(&buf);
	pfree(buf.data);
	PG_RETURN_POINTER(state);
}

/* Final function of avg(tco2): rounds half away from zero to 0.001 t. */
Datum
tco2_avg_final(PG_FUNCTION_ARGS)
{
	Tco2AvgState *state = PG_ARGISNULL(0) ? NULL
		: (Tco2AvgState *) PG_GETARG_POINTER(0);
	int64		result;

	if (state == NULL || state->count == 0)
		PG_RETURN_NULL();
	if (tco2_avg_round(state->sum, state->count, &result) != VALUE_OK)
		report_value_error(VALUE_RANGE, "tco2", NULL);
	PG_RETURN_TCO2(result);
}
