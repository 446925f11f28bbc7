/*
 * value_status.h
 *		Outcome of the pure value functions (parsers and arithmetic).
 *
 * The pure C files (*_value.c) make no server calls, so they cannot ereport.
 * They return one of these codes and, for parsers, a one-line detail in a
 * caller-supplied buffer; the fmgr wrappers turn that into an error with the
 * SQLSTATE fixed in SPEC §2.1 (see value_error.c).  The same code path will
 * serve PostgreSQL 16's soft errors.
 */
#ifndef TSETP_VALUE_STATUS_H
#define TSETP_VALUE_STATUS_H

typedef enum ValueStatus
{
	VALUE_OK = 0,
	VALUE_SYNTAX,				/* malformed text: 22P02 */
	VALUE_RANGE,				/* out of range or overflow: 22003 */
	VALUE_PRECISION,			/* finer than the type can hold: 22P02 */
	VALUE_INVALID				/* well-formed but meaningless (e.g. a
								 * reversed range): 22000 */
} ValueStatus;

/* Size of the detail buffers the parsers write into. */
#define VALUE_DETAIL_SIZE 160

#endif							/* TSETP_VALUE_STATUS_H */
