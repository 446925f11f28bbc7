/*
 * value_error.c
 *		The one place where ValueStatus codes become SQLSTATEs.
 */
#include "postgres.h"

#include "value_error.h"

#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#endif

static int
status_sqlstate(ValueStatus status)
{
	switch (status)
	{
		case VALUE_SYNTAX:
		case VALUE_PRECISION:
			return ERRCODE_INVALID_TEXT_REPRESENTATION;
		case VALUE_RANGE:
			return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
		case VALUE_INVALID:
		case VALUE_OK:
			break;
	}
	return ERRCODE_DATA_EXCEPTION;
}

#if PG_VERSION_NUM >= 160000
#define REPORT_INPUT(...) ereturn(escontext, , __VA_ARGS__)
#else
#define REPORT_INPUT(...) ereport(ERROR, __VA_ARGS__)
#endif

void
report_input_error(Node *escontext, ValueStatus status, const char *typname,
				   const char *input, const char *detail)
{
	REPORT_INPUT((errcode(status_sqlstate(status)),
				  status == VALUE_RANGE
				  ? errmsg("value \"%s\" is out of range for type %s",
						   input, typname)
				  : errmsg("invalid input syntax for type %s: \"%s\"",
						   typname, input),
				  detail && *detail ? errdetail_internal("%s", detail) : 0));
}

void
report_value_error(ValueStatus status, const char *typname, const char *detail)
{
	ereport(ERROR,
			(errcode(status_sqlstate(status)),
			 status == VALUE_RANGE
			 ? errmsg("%s out of range", typname)
			 : errmsg("invalid value for type %s", typname),
			 detail && *detail ? errdetail_internal("%s", detail) : 0));
	pg_unreachable();
}
