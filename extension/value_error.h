/*
 * value_error.h
 *		Turn a ValueStatus from a pure parser into a PostgreSQL error.
 */
#ifndef TSETP_VALUE_ERROR_H
#define TSETP_VALUE_ERROR_H

#include "nodes/nodes.h"
#include "value_status.h"

/*
 * Reports a failed text input of type typname.  On PostgreSQL 16 and later a
 * soft-error context (fcinfo->context) makes it an errsave; otherwise it
 * throws.  Returns only in the soft-error case.
 */
extern void report_input_error(Node *escontext, ValueStatus status,
							   const char *typname, const char *input,
							   const char *detail);

/* Throws the error for a failed value operation (arithmetic, casts). */
extern void report_value_error(ValueStatus status, const char *typname,
							   const char *detail) pg_attribute_noreturn();

#endif							/* TSETP_VALUE_ERROR_H */
