/*
 * rules.c
 *		fmgr wrappers of the compliance formulas (rules_value.c): they read
 *		the arguments, call the pure functions and report their errors.
 *
 * tco2 arguments are int64 milli-tonnes, fiscal_year arguments int16 years,
 * and rates, caps, thresholds and factors numeric fractions (0.22 = 22%),
 * which must be finite, non-negative and exact within 18 decimal places.
 */
#include "postgres.h"

#if PG_VERSION_NUM >= 160000
#include "varatt.h"			/* VARDATA, VARSIZE_ANY, SET_VARSIZE */
#endif

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "decimal.h"
#include "rules_value.h"
#include "value_error.h"

PG_FUNCTION_INFO_V1(tsetp_rules_year_target);
PG_FUNCTION_INFO_V1(tsetp_rules_counted_reduction);
PG_FUNCTION_INFO_V1(tsetp_rules_positive_difference);
PG_FUNCTION_INFO_V1(tsetp_rules_revision_required);
PG_FUNCTION_INFO_V1(tsetp_rules_apply_relief);
PG_FUNCTION_INFO_V1(tsetp_rules_coverage_year_number);
PG_FUNCTION_INFO_V1(tsetp_rules_rung_applies);
PG_FUNCTION_INFO_V1(tsetp_rules_banking_eligible);
PG_FUNCTION_INFO_V1(tsetp_rules_outcome);
PG_FUNCTION_INFO_V1(tsetp_rules_shortfall);
PG_FUNCTION_INFO_V1(tsetp_rules_projection);
PG_FUNCTION_INFO_V1(tsetp_rules_penalty_obligation);

/*
 * Reads numeric argument argno as a non-negative Decimal; what names it in
 * errors ("target rate", "cap", ...).
 */
static Decimal
fraction_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	return numeric_to_fraction(PG_GETARG_NUMERIC(argno), what);
}

/*
 * Returns a tco2 result, or throws the pure function's error (callers must
 * sequence the computation before the call: argument order is unspecified).
 */
static Datum
tco2_result(ValueStatus status, int64 result, const char *detail)
{
	if (status != VALUE_OK)
		report_value_error(status, "tco2", detail);
	return Int64GetDatum(result);
}

/* year_target(base tco2, rate numeric) → tco2: t_y = b_y × r_y. */
Datum
tsetp_rules_year_target(PG_FUNCTION_ARGS)
{
	int64		base = PG_GETARG_INT64(0);
	Decimal		rate = fraction_arg(fcinfo, 1, "target rate");
	int64		result = 0;
	char		detail[VALUE_DETAIL_SIZE] = "";
	ValueStatus status;

	status = rules_year_target(base, rate, &result, detail, sizeof(detail));
	return tco2_result(status, result, detail);
}

/*
 * counted_reduction(base tco2, emissions tco2, cap numeric) → tco2; not
 * strict: a NULL cap means no cap, a NULL amount gives NULL.
 */
Datum
tsetp_rules_counted_reduction(PG_FUNCTION_ARGS)
{
	Decimal		cap = {0, 0};
	int64		result = 0;
	char		detail[VALUE_DETAIL_SIZE] = "";
	ValueStatus status;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (!PG_ARGISNULL(2))
		cap = fraction_arg(fcinfo, 2, "cap");
	status = rules_counted_reduction(PG_GETARG_INT64(0), PG_GETARG_INT64(1),
									 PG_ARGISNULL(2) ? NULL : &cap,
									 &result, detail, sizeof(detail));
	return tco2_result(status, result, detail);
}

/*
 * greatest(a − b, 0) for two tco2 amounts: excess_reduction(counted_total,
 * target_total) and issuable_excess(cumulative_excess, already_issued).
 */
Datum
tsetp_rules_positive_difference(PG_FUNCTION_ARGS)
{
	int64		result = 0;
	char		detail[VALUE_DETAIL_SIZE] = "";
	ValueStatus status;

	status = rules_positive_difference(PG_GETARG_INT64(0), PG_GETARG_INT64(1),
									   &result, detail, sizeof(detail));
	return tco2_result(status, result, detail);
}

/* revision_required(current_base, proposed_base, threshold) → boolean. */
Datum
tsetp_rules_revision_required(PG_FUNCTION_ARGS)
{
	Decimal		threshold = fraction_arg(fcinfo, 2, "threshold");
	bool		result = false;

	if (rules_revision_required(PG_GETARG_INT64(0), PG_GETARG_INT64(1),
								threshold, &result) != VALUE_OK)
		report_value_error(VALUE_INVALID, "numeric", NULL);
	PG_RETURN_BOOL(result);
}

/* apply_relief(rate numeric, operation text, value numeric) → numeric. */
Datum
tsetp_rules_apply_relief(PG_FUNCTION_ARGS)
{
	Decimal		rate = fraction_arg(fcinfo, 0, "rate");
	text	   *optext = PG_GETARG_TEXT_PP(1);
	Decimal		value = fraction_arg(fcinfo, 2, "relief value");
	RuleReliefOp op;
	Decimal		result;
	char		detail[VALUE_DETAIL_SIZE] = "";
	ValueStatus status;

	if (!rules_relief_op_parse(VARDATA_ANY(optext), VARSIZE_ANY_EXHDR(optext),
							   &op))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid relief operation: \"%s\"",
						text_to_cstring(optext)),
				 errhint("The relief operation is \"multiply\" (rate × value) or \"subtract\" (rate − value).")));
	status = rules_apply_relief(rate, op, value, &result, detail,
								sizeof(detail));
	if (status != VALUE_OK)
		report_value_error(status, "rate", detail);
	PG_RETURN_NUMERIC(decimal_to_numeric(result));
}

/*
 * coverage_year_number(coverage_start fiscal_year, fy fiscal_year) → int:
 * 1 in the first year of coverage, NULL before it.
 */
Datum
tsetp_rules_coverage_year_number(PG_FUNCTION_ARGS)
{
	int32		n;

	if (!rules_coverage_year_number(PG_GETARG_INT16(0), PG_GETARG_INT16(1),
									&n))
		PG_RETURN_NULL();
	PG_RETURN_INT32(n);
}

/*
 * rung_applies(n int, first_n int, last_n int) → boolean; not strict in
 * last_n (NULL = open-ended rung).
 */
Datum
tsetp_rules_rung_applies(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	PG_RETURN_BOOL(rules_rung_applies(PG_GETARG_INT32(0), PG_GETARG_INT32(1),
									  !PG_ARGISNULL(2),
									  PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2)));
}

/* banking_eligible(vintage_period, target_period, banking_periods). */
Datum
tsetp_rules_banking_eligible(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(rules_banking_eligible(PG_GETARG_INT32(0),
										  PG_GETARG_INT32(1),
										  PG_GETARG_INT32(2)));
}

/* outcome(pending, reduction_total, target_total, own_banked, other). */
Datum
tsetp_rules_outcome(PG_FUNCTION_ARGS)
{
	RuleOutcome outcome = rules_outcome(PG_GETARG_BOOL(0),
										PG_GETARG_INT64(1),
										PG_GETARG_INT64(2),
										PG_GETARG_INT64(3),
										PG_GETARG_INT64(4));

	PG_RETURN_TEXT_P(cstring_to_text(rules_outcome_name(outcome)));
}

/* shortfall(reduction_total, credits, target_total) → tco2. */
Datum
tsetp_rules_shortfall(PG_FUNCTION_ARGS)
{
	int64		result = 0;
	char		detail[VALUE_DETAIL_SIZE] = "";
	ValueStatus status;

	status = rules_shortfall(PG_GETARG_INT64(0), PG_GETARG_INT64(1),
							 PG_GETARG_INT64(2), &result, detail, sizeof(detail));
	return tco2_result(status, result, detail);
}

/*
 * projection(years_reported, years_total, emissions_to_date, base_total,
 * target_total) → record of five tco2 amounts.
 */
Datum
tsetp_rules_projection(PG_FUNCTION_ARGS)
{
	RuleProjection p;
	char		detail[VALUE_DETAIL_SIZE] = "";
	ValueStatus status;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5];

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	tupdesc = BlessTupleDesc(tupdesc);

	status = rules_projection(PG_GETARG_INT32(0), PG_GETARG_INT32(1),
							  PG_GETARG_INT64(2), PG_GETARG_INT64(3),
							  PG_GETARG_INT64(4), &p, detail, sizeof(detail));
	if (status == VALUE_INVALID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid projection years: %d reported of %d",
						PG_GETARG_INT32(0), PG_GETARG_INT32(1)),
				 errdetail("%s", detail)));
	if (status != VALUE_OK)
		report_value_error(status, "tco2", detail);

	values[0] = Int64GetDatum(p.projected_emissions);
	values[1] = Int64GetDatum(p.projected_reduction);
	values[2] = Int64GetDatum(p.projected_balance);
	values[3] = Int64GetDatum(p.allowed_remaining);
	values[4] = Int64GetDatum(p.allowed_remaining_per_year);
	nulls[0] = nulls[1] = nulls[2] = !p.has_projected;
	nulls[3] = false;
	nulls[4] = !p.has_per_year;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values,
													  nulls)));
}

/* penalty_obligation(shortfall tco2, factor numeric) → tco2. */
Datum
tsetp_rules_penalty_obligation(PG_FUNCTION_ARGS)
{
	int64		shortfall = PG_GETARG_INT64(0);
	Decimal		factor = fraction_arg(fcinfo, 1, "penalty factor");
	int64		result = 0;
	char		detail[VALUE_DETAIL_SIZE] = "";
	ValueStatus status;

	status = rules_penalty_obligation(shortfall, factor, &result, detail,
									  sizeof(detail));
	return tco2_result(status, result, detail);
}
