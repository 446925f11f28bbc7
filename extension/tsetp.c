/*
 * tsetp.c
 *		Module entry: the one PG_MODULE_MAGIC of tsetp.so.
 *
 * Every other C file holds one type or one family of rules; see README.md.
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
