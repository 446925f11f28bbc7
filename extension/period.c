/*
 * period.c
 *		fmgr wrappers of the plan-period evaluation (period_value.c):
 *		period_years() returns each covered year of a facility's plan period,
 *		period_totals() the period's totals.  The engine's views gather each
 *		facility-period's rows into arrays and call these once per
 *		facility-period, so a report makes no join per facility-year.
 *
 * Both take the same arguments:
 *	 0 coverage_start fiscal_year		  1 years fiscal_period
 *	 2 standard_rate numeric			  3 ladder_first_n int[]
 *	 4 ladder_last_n int[]				  5 ladder_rates numeric[]
 *	 6 reduction_cap numeric			  7 base_from fiscal_year[]
 *	 8 base_amounts tco2[]				  9 emission_years fiscal_year[]
 *	10 emission_amounts tco2[]			 11 emission_verified boolean[]
 *	12 relief_years fiscal_year[]		 13 relief_kinds text[]
 *	14 relief_operations text[]			 15 relief_values numeric[]
 *	16 relief_standard_only boolean[]
 * Any argument may be NULL: no coverage or no period gives no rows, a NULL
 * array is empty, a NULL rate or cap is absent.  The ladder's rungs come in
 * first_n order and the reliefs in the order that breaks ties.
 */
#include "postgres.h"

#if PG_VERSION_NUM >= 160000
#include "varatt.h"			/* VARDATA, VARSIZE_ANY, SET_VARSIZE */
#endif

#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"

#include "decimal.h"
#include "fiscal_year.h"
#include "period_value.h"
#include "value_error.h"

PG_FUNCTION_INFO_V1(tsetp_period_years);
PG_FUNCTION_INFO_V1(tsetp_period_totals);

#define PERIOD_NARGS 17

/* An argument array, deconstructed; empty when the argument is NULL. */
typedef struct ArgArray
{
	Datum	   *values;
	bool	   *nulls;
	int			n;
} ArgArray;

/* Physical layout of an array's element type (see the SQL signatures). */
typedef struct ElementLayout
{
	int16		len;
	bool		byval;
	char		align;
} ElementLayout;

static const ElementLayout layout_fiscal_year = {2, true, TYPALIGN_SHORT};
static const ElementLayout layout_tco2 = {8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE};
static const ElementLayout layout_int4 = {4, true, TYPALIGN_INT};
static const ElementLayout layout_bool = {1, true, TYPALIGN_CHAR};
static const ElementLayout layout_varlena = {-1, false, TYPALIGN_INT};

/*
 * Deconstructs array argument argno; what names it in errors.  Elements
 * may be NULL only where nulls_allowed.
 */
static ArgArray
array_arg(FunctionCallInfo fcinfo, int argno, const ElementLayout *layout,
		  bool nulls_allowed, const char *what)
{
	ArgArray	a = {NULL, NULL, 0};
	ArrayType  *arr;
	int			i;

	if (PG_ARGISNULL(argno))
		return a;
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(arr, ARR_ELEMTYPE(arr), layout->len, layout->byval,
					  layout->align, &a.values, &a.nulls, &a.n);
	if (!nulls_allowed)
		for (i = 0; i < a.n; i++)
			if (a.nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("%s must not contain nulls", what)));
	return a;
}

/* Requires arrays that describe the same rows to have the same length. */
static void
check_lengths(const char *what, int n, int m)
{
	if (n != m)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("the arrays of %s must have the same length", what),
				 errdetail("One has %d elements, another %d.", n, m)));
}

/*
 * The arguments, read into a PeriodInput, with the Datums the results
 * refer to (the rates as given, the relief kinds).
 */
typedef struct PeriodArgs
{
	PeriodInput in;
	bool		valid;			/* false: no coverage or no period */
	Datum		standard_rate;
	ArgArray	ladder_rates;
	ArgArray	relief_kinds;
} PeriodArgs;

static void
read_args(FunctionCallInfo fcinfo, PeriodArgs *args)
{
	PeriodInput *in = &args->in;
	ArgArray	first_n,
				last_n,
				base_from,
				base_amounts,
				em_years,
				em_amounts,
				em_verified,
				rl_years,
				rl_ops,
				rl_values,
				rl_standard_only;
	PeriodRung *rungs;
	PeriodBase *bases;
	PeriodEmission *emissions;
	PeriodRelief *reliefs;
	int32		years;
	int			i;

	memset(args, 0, sizeof(*args));
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		return;
	args->valid = true;
	in->coverage_start = PG_GETARG_FISCAL_YEAR(0);
	years = PG_GETARG_INT32(1);
	in->first_fy = PERIOD_LOWER(years);
	in->last_fy = PERIOD_UPPER(years);

	if (!PG_ARGISNULL(2))
	{
		Numeric		rate = PG_GETARG_NUMERIC(2);	/* detoasted: results keep it */

		in->has_standard_rate = true;
		args->standard_rate = NumericGetDatum(rate);
		in->standard_rate = numeric_to_fraction(rate, "target rate");
	}
	if (!PG_ARGISNULL(6))
	{
		in->has_cap = true;
		in->cap = numeric_to_fraction(PG_GETARG_NUMERIC(6), "cap");
	}

	first_n = array_arg(fcinfo, 3, &layout_int4, false, "ladder_first_n");
	last_n = array_arg(fcinfo, 4, &layout_int4, true, "ladder_last_n");
	args->ladder_rates = array_arg(fcinfo, 5, &layout_varlena, false, "ladder_rates");
	check_lengths("ladder rungs", first_n.n, last_n.n);
	check_lengths("ladder rungs", first_n.n, args->ladder_rates.n);
	rungs = palloc(sizeof(PeriodRung) * Max(first_n.n, 1));
	for (i = 0; i < first_n.n; i++)
	{
		rungs[i].first_n = DatumGetInt32(first_n.values[i]);
		rungs[i].has_last = !last_n.nulls[i];
		rungs[i].last_n = last_n.nulls[i] ? 0 : DatumGetInt32(last_n.values[i]);
		rungs[i].rate = numeric_to_fraction(DatumGetNumeric(args->ladder_rates.values[i]),
											"transitional rate");
	}
	in->rungs = rungs;
	in->nrungs = first_n.n;

	base_from = array_arg(fcinfo, 7, &layout_fiscal_year, false, "base_from");
	base_amounts = array_arg(fcinfo, 8, &layout_tco2, false, "base_amounts");
	check_lengths("base emissions", base_from.n, base_amounts.n);
	bases = palloc(sizeof(PeriodBase) * Max(base_from.n, 1));
	for (i = 0; i < base_from.n; i++)
	{
		bases[i].effective_from = DatumGetInt16(base_from.values[i]);
		bases[i].amount = DatumGetInt64(base_amounts.values[i]);
	}
	in->bases = bases;
	in->nbases = base_from.n;

	em_years = array_arg(fcinfo, 9, &layout_fiscal_year, false, "emission_years");
	em_amounts = array_arg(fcinfo, 10, &layout_tco2, false, "emission_amounts");
	em_verified = array_arg(fcinfo, 11, &layout_bool, false, "emission_verified");
	check_lengths("emissions", em_years.n, em_amounts.n);
	check_lengths("emissions", em_years.n, em_verified.n);
	emissions = palloc(sizeof(PeriodEmission) * Max(em_years.n, 1));
	for (i = 0; i < em_years.n; i++)
	{
		emissions[i].fy = DatumGetInt16(em_years.values[i]);
		emissions[i].amount = DatumGetInt64(em_amounts.values[i]);
		emissions[i].verified = DatumGetBool(em_verified.values[i]);
	}
	in->emissions = emissions;
	in->nemissions = em_years.n;

	rl_years = array_arg(fcinfo, 12, &layout_fiscal_year, false, "relief_years");
	args->relief_kinds = array_arg(fcinfo, 13, &layout_varlena, false, "relief_kinds");
	rl_ops = array_arg(fcinfo, 14, &layout_varlena, false, "relief_operations");
	rl_values = array_arg(fcinfo, 15, &layout_varlena, false, "relief_values");
	rl_standard_only = array_arg(fcinfo, 16, &layout_bool, false, "relief_standard_only");
	check_lengths("reliefs", rl_years.n, args->relief_kinds.n);
	check_lengths("reliefs", rl_years.n, rl_ops.n);
	check_lengths("reliefs", rl_years.n, rl_values.n);
	check_lengths("reliefs", rl_years.n, rl_standard_only.n);
	reliefs = palloc(sizeof(PeriodRelief) * Max(rl_years.n, 1));
	for (i = 0; i < rl_years.n; i++)
	{
		text	   *op = DatumGetTextPP(rl_ops.values[i]);

		reliefs[i].fy = DatumGetInt16(rl_years.values[i]);
		if (!rules_relief_op_parse(VARDATA_ANY(op), VARSIZE_ANY_EXHDR(op),
								   &reliefs[i].op))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid relief operation: \"%s\"", text_to_cstring(op)),
					 errhint("The relief operation is \"multiply\" (rate × value) or \"subtract\" (rate − value).")));
		reliefs[i].value = numeric_to_fraction(DatumGetNumeric(rl_values.values[i]),
											   "relief value");
		reliefs[i].standard_only = DatumGetBool(rl_standard_only.values[i]);
	}
	in->reliefs = reliefs;
	in->nreliefs = rl_years.n;
}

/* Evaluates the covered years; *nyears = 0 when there are none. */
static PeriodYear *
evaluate(FunctionCallInfo fcinfo, PeriodArgs *args, int *nyears)
{
	PeriodYear *years;
	char		detail[VALUE_DETAIL_SIZE] = "";
	bool		rate_failed;
	ValueStatus status;

	read_args(fcinfo, args);
	*nyears = args->valid ? period_covered_years(&args->in) : 0;
	if (*nyears == 0)
		return NULL;
	years = palloc(sizeof(PeriodYear) * *nyears);
	status = period_evaluate(&args->in, years, &rate_failed, detail,
							 sizeof(detail));
	if (status != VALUE_OK)
		report_value_error(status, rate_failed ? "rate" : "tco2", detail);
	return years;
}

/* Each covered year of the period. */
Datum
tsetp_period_years(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PeriodArgs	args;
	PeriodYear *years;
	int			nyears;
	int			k;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	years = evaluate(fcinfo, &args, &nyears);
	for (k = 0; k < nyears; k++)
	{
		const PeriodYear *y = &years[k];
		Datum		values[12];
		bool		nulls[12] = {0};
		Datum		rate_before = (Datum) 0;

		if (y->rate_source >= 0)
			rate_before = args.ladder_rates.values[y->rate_source];
		else if (y->rate_source == PERIOD_RATE_STANDARD)
			rate_before = args.standard_rate;

		values[0] = Int16GetDatum((int16) y->fy);
		values[1] = Int32GetDatum(y->coverage_year);
		values[2] = Int64GetDatum(y->base);
		nulls[2] = !y->has_base;
		values[3] = rate_before;
		nulls[3] = y->rate_source == PERIOD_RATE_NONE;
		values[4] = BoolGetDatum(y->rate_source >= 0);
		if (y->relief >= 0)
		{
			values[5] = args.relief_kinds.values[y->relief];
			values[6] = NumericGetDatum(decimal_to_numeric(y->rate));
		}
		else
		{
			nulls[5] = true;
			values[6] = rate_before;
			nulls[6] = !y->has_rate;
		}
		values[7] = Int64GetDatum(y->target);
		nulls[7] = !y->has_target;
		values[8] = Int64GetDatum(y->emissions);
		nulls[8] = !y->has_emissions;
		values[9] = BoolGetDatum(y->verified);
		values[10] = Int64GetDatum(y->reduction);
		nulls[10] = !y->has_reduction;
		values[11] = Int64GetDatum(y->counted);
		nulls[11] = !y->has_counted;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* The period's totals: one row, or none when no year is covered. */
Datum
tsetp_period_totals(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PeriodArgs	args;
	PeriodYear *years;
	PeriodTotals t;
	int			nyears;
	char		detail[VALUE_DETAIL_SIZE] = "";
	ValueStatus status;
	Datum		values[12];
	bool		nulls[12] = {0};

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	years = evaluate(fcinfo, &args, &nyears);
	if (nyears == 0)
		return (Datum) 0;
	status = period_totals(years, nyears, &t, detail, sizeof(detail));
	if (status != VALUE_OK)
		report_value_error(status, "tco2", detail);

	values[0] = Int32GetDatum(t.years_covered);
	values[1] = Int32GetDatum(t.years_verified);
	values[2] = Int16GetDatum((int16) t.first_year);
	values[3] = Int16GetDatum((int16) t.last_verified_year);
	nulls[3] = !t.has_last_verified_year;
	values[4] = Int64GetDatum(t.base_total);
	values[5] = Int64GetDatum(t.target_total);
	values[6] = Int64GetDatum(t.target_verified);
	values[7] = Int64GetDatum(t.emissions_total);
	values[8] = Int64GetDatum(t.reduction_total);
	values[9] = Int64GetDatum(t.counted_total);
	values[10] = Int64GetDatum(t.excess);
	values[11] = BoolGetDatum(t.pending);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}
