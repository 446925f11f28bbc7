/*
 * config.c
 *		Support for the configuration tables: tells a trigger whether the row
 *		it sees is being written by the extension's own script (a shipped row)
 *		or by a user (a row pg_dump must keep).
 */
#include "postgres.h"

#include "commands/extension.h"
#include "fmgr.h"

PG_FUNCTION_INFO_V1(tsetp_in_extension_script);

/* True while CREATE/ALTER EXTENSION runs a script of this extension. */
Datum
tsetp_in_extension_script(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(creating_extension);
}
