/*
 * serial_span.c
 *		Text I/O of serial_span, the key type of the credit GiST operator
 *		class (a fixed 16-byte SerialSpan, passed by reference).  The value
 *		logic is in serial_span_value.c.
 */
#include "postgres.h"

#include "fmgr.h"

#include "serial_span_value.h"
#include "value_error.h"

PG_FUNCTION_INFO_V1(serial_span_in);
PG_FUNCTION_INFO_V1(serial_span_out);

/* Parses "[first,last]". */
Datum
serial_span_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	SerialSpan *span = palloc(sizeof(SerialSpan));
	char		detail[VALUE_DETAIL_SIZE] = "";
	ValueStatus status;

	status = serial_span_parse(str, strlen(str), span, detail, sizeof(detail));
	if (status != VALUE_OK)
	{
		report_input_error(fcinfo->context, status, "serial_span", str, detail);
		PG_RETURN_NULL();
	}
	PG_RETURN_POINTER(span);
}

/* Writes "[first,last]". */
Datum
serial_span_out(PG_FUNCTION_ARGS)
{
	SerialSpan *span = (SerialSpan *) PG_GETARG_POINTER(0);
	char	   *buf = palloc(SERIAL_SPAN_TEXT_SIZE);

	serial_span_format(span, buf, SERIAL_SPAN_TEXT_SIZE);
	PG_RETURN_CSTRING(buf);
}
