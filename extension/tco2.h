/*
 * tco2.h
 *		Server-side helpers of tco2 for other C files of tsetp.
 */
#ifndef TSETP_TCO2_H
#define TSETP_TCO2_H

#include "fmgr.h"
#include "utils/numeric.h"

#include "tco2_value.h"

/* A tco2 Datum is an int64 count of milli-tonnes, passed by value. */
#define PG_GETARG_TCO2(n)	PG_GETARG_INT64(n)
#define PG_RETURN_TCO2(x)	PG_RETURN_INT64(x)

/* Tonnes as a numeric in shortest exact form (8523.4, 12). */
extern Numeric tco2_to_numeric(int64 mt);

/*
 * Exact tonnes from a numeric: finer than 0.001 t or NaN is 22P02, out of
 * range or infinite is 22003; never rounds.
 */
extern int64 tco2_from_numeric(Numeric n);

/* mt * n rounded half away from zero to 0.001 t; errors as the operator. */
extern int64 tco2_mul_numeric_internal(int64 mt, Numeric n);

/* mt / n rounded half away from zero to 0.001 t; errors as the operator. */
extern int64 tco2_div_numeric_internal(int64 mt, Numeric n);

#endif							/* TSETP_TCO2_H */
