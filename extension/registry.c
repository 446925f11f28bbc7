/*
 * registry.c
 *		The registry's hot path in C: the clock, the stamp on new ledger and
 *		approval rows, and the ledger trigger's fast path for the commonest
 *		request, a transfer of an amount of a kind that takes effect at once.
 *
 * The fast path only ever accepts.  It runs the same checks as the rule
 * function tsetp.ledger_rules() (80_registry.sql) on plans prepared once per
 * backend and kept, and whenever anything is not plainly in order (a check
 * would fail, the request needs approval, the kind is excess reduction, a
 * non-administrator asks, ...) it hands the whole request, before writing
 * anything, to tsetp.ledger_rules(), which makes every check again and
 * raises the documented refusal (docs/checks.md).  So the refusals, their
 * check codes and SQLSTATEs live in one place.
 *
 * Every name in the SQL below is schema-qualified and every operator written
 * as OPERATOR(pg_catalog.x) or OPERATOR(tsetp.x): the trigger runs as the
 * extension's owner and the plans are re-analysed under the caller's
 * search_path.
 *
 * It also holds the entry of the set-wise issuance of excess reduction,
 * tsetp.issue_excess_all(programme, period_no), and the marker by which the
 * ledger's row triggers let that issuance's rows through: a variable of this
 * file, which no SQL statement can set (see registry_issue_excess_all and
 * the comment above tsetp.issue_excess_all_apply in 80_registry.sql).
 */
#include "postgres.h"

#if PG_VERSION_NUM >= 160000
#include "varatt.h"			/* VARDATA, VARSIZE_ANY, SET_VARSIZE */
#endif

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(registry_clock);
PG_FUNCTION_INFO_V1(registry_stamp);
PG_FUNCTION_INFO_V1(registry_ledger_apply);
PG_FUNCTION_INFO_V1(registry_issue_excess_all);

/* From credit.c. */
extern Datum credit_split_head(PG_FUNCTION_ARGS);
extern Datum credit_split_tail(PG_FUNCTION_ARGS);

/* Blocks taken in one fast-path transfer before falling back. */
#define FAST_MAX_BLOCKS 64

/* The fast path's plans, prepared once per backend and kept. */
typedef struct RegistryPlans
{
	Oid			trigger_fn;		/* tsetp.ledger_apply() they were made for */
	bool		excess_flag;	/* made for credit_kind.excess_reduction */
	bool		has_guard;		/* made for tsetp.account_guard (2.0 on) */
	SPIPlanPtr	guard;			/* update both accounts' guard rows */
	SPIPlanPtr	check;			/* accounts, rules, route, kind, hours, role */
	SPIPlanPtr	free_sum;		/* free tonnes of an account (reserve) */
	SPIPlanPtr	candidates;		/* free blocks of a kind, oldest first */
	SPIPlanPtr	move;			/* rewrite one holding by ctid */
	SPIPlanPtr	tail;			/* insert the rest of a split block */
} RegistryPlans;

static RegistryPlans plans;

/*
 * The set-wise issuance in progress in this backend: the extension's owner,
 * as whom tsetp.issue_excess_all_apply() runs, and the tsetp_admin who called
 * tsetp.issue_excess_all(programme, period_no).  InvalidOid when none is; set
 * and cleared only by registry_issue_excess_all.
 */
static Oid	bulk_owner = InvalidOid;
static Oid	bulk_requester = InvalidOid;

/*
 * The check query; %s is the test that the kind is not the programme's
 * excess reduction (those transfers go to tsetp.ledger_rules, which checks
 * their vintage): the kind's flag from 1.2 on, the code ER before (this
 * library serves an installed older version until it is updated).
 */
static const char *check_sql =
"SELECT s.programme, s.commitment_reserve,"
"  (s.status OPERATOR(pg_catalog.=) 'open' AND d.status OPERATOR(pg_catalog.=) 'open'"
"   AND s.number OPERATOR(pg_catalog.<>) d.number"
"   AND s.programme OPERATOR(pg_catalog.=) d.programme"
"   AND NOT r.needs_approval"
"   AND k.transferable AND %s"
"   AND EXISTS (SELECT 1 FROM tsetp.account_route x"
"                WHERE x.programme OPERATOR(pg_catalog.=) s.programme"
"                  AND x.type OPERATOR(pg_catalog.=) 'transfer'"
"                  AND x.from_type OPERATOR(pg_catalog.=) s.account_type"
"                  AND x.to_type OPERATOR(pg_catalog.=) d.account_type)"
"   AND (NOT r.business_hours OR COALESCE((SELECT pg_catalog.bool_and("
"            (l.t)::pg_catalog.time OPERATOR(pg_catalog.>=) b.opens"
"            AND (l.t)::pg_catalog.time OPERATOR(pg_catalog.<) b.closes"
"            AND pg_catalog.date_part('isodow', l.t)::pg_catalog.int4 OPERATOR(pg_catalog.=) ANY (b.weekdays)"
"            AND NOT EXISTS (SELECT 1 FROM tsetp.registry_holiday h"
"                             WHERE h.programme OPERATOR(pg_catalog.=) b.programme"
"                               AND h.day OPERATOR(pg_catalog.=) (l.t)::pg_catalog.date))"
"          FROM tsetp.business_hours b"
"          JOIN tsetp.programme p ON p.code OPERATOR(pg_catalog.=) b.programme"
"         CROSS JOIN LATERAL (SELECT $5 AT TIME ZONE p.timezone) AS l(t)"
"         WHERE b.programme OPERATOR(pg_catalog.=) s.programme), true))"
"   AND (pg_catalog.pg_has_role($4, 'tsetp_admin', 'MEMBER')"
"        OR EXISTS (SELECT 1 FROM tsetp.holder_member m"
"                    WHERE m.holder OPERATOR(pg_catalog.=) s.holder"
"                      AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles o"
"                                 WHERE o.rolname OPERATOR(pg_catalog.=) m.member"
"                                   AND pg_catalog.pg_has_role($4, o.oid, 'MEMBER'))))"
"  ) AS fast"
"  FROM tsetp.account s"
"  JOIN tsetp.account d ON d.number OPERATOR(pg_catalog.=) $2"
"  JOIN tsetp.transaction_rule r ON r.programme OPERATOR(pg_catalog.=) s.programme"
"   AND r.type OPERATOR(pg_catalog.=) 'transfer'"
"  JOIN tsetp.credit_kind k ON k.programme OPERATOR(pg_catalog.=) s.programme"
"   AND k.code OPERATOR(pg_catalog.=) $3"
" WHERE s.number OPERATOR(pg_catalog.=) $1";

/*
 * The guard rows of the movement, the sender's 'out' and the receiver's
 * 'in' (see tsetp.account_guard in 80_registry.sql), in (account, side)
 * order as tsetp.account_guard_move() takes them: taken before anything of the accounts is read, so that a concurrent
 * movement, closing or suspension has committed before the reads (READ
 * COMMITTED, where every SPI query takes a new snapshot) or this transfer
 * fails with 40001 (REPEATABLE READ, SERIALIZABLE).
 */
static const char *guard_sql =
"INSERT INTO tsetp.account_guard AS g (account, side)"
" SELECT v.a, v.s FROM (VALUES ($1, 'out'), ($2, 'in')) AS v(a, s) ORDER BY v.a, v.s"
" ON CONFLICT (account, side) DO UPDATE SET touches = g.touches OPERATOR(pg_catalog.+) 1";

static const char *free_sum_sql =
"SELECT COALESCE(pg_catalog.sum(x.tonnes), 0)::pg_catalog.int8 FROM tsetp.holding x"
" WHERE x.account OPERATOR(pg_catalog.=) $1 AND x.state OPERATOR(pg_catalog.=) 'free'";

static const char *candidates_sql =
"SELECT x.ctid, x.block, x.tonnes, x.tx FROM tsetp.holding x"
" WHERE x.account OPERATOR(pg_catalog.=) $1 AND x.kind OPERATOR(pg_catalog.=) $2"
"   AND x.state OPERATOR(pg_catalog.=) 'free'"
" ORDER BY x.vintage, x.first_serial FOR UPDATE";

static const char *move_sql =
"UPDATE tsetp.holding x SET block = $2, account = $3, state = 'free', tx = $4"
" WHERE x.ctid OPERATOR(pg_catalog.=) $1";

static const char *tail_sql =
"INSERT INTO tsetp.holding (block, account, state, tx) VALUES ($1, $2, 'free', $3)";

/*
 * The registry's time: the moment of the current statement, or tsetp.now
 * when the login that authenticated the session is a superuser.
 *
 * A rule judged by the clock (business hours, deadlines) is judged at the
 * moment of the statement that makes the transaction take effect, and the
 * row records that same moment (requested_at, decided_at): the statement's
 * start, not the transaction's, so that a transaction begun at 16:59 that
 * approves at 17:01 is judged at 17:01.  The statement's time rather than
 * clock_timestamp(): it is one moment for every row and every check of a
 * statement (tsetp.clock() stays STABLE, the stamp and the judgement of a
 * row read the same value, and a multi-row INSERT is judged as one request),
 * and it is the moment the client asked.  In a procedure that commits, a
 * later transaction starts after its CALL statement did (PostgreSQL then
 * advances now() but not statement_timestamp()), so the later of the two is
 * taken: the statement's time in a transaction, the transaction's start for
 * the statements of a procedure's later transactions.
 *
 * The pin is read at each call, so SET LOCAL tsetp.now between statements of
 * one transaction moves the clock for the next.  Whether it may be pinned is
 * decided by the login that authenticated (GetAuthenticatedUserId), not the
 * session authorization: a superuser session that emulates another person
 * with SET SESSION AUTHORIZATION keeps its pin, and a login that is not a
 * superuser is refused (check 5012) rather than silently given the real
 * time, so that nobody believes the registry judged at a time it did not.
 */
static TimestampTz
registry_now(void)
{
	const char *pinned = GetConfigOption("tsetp.now", true, false);
	TimestampTz stmt;
	TimestampTz xact;

	if (pinned != NULL && pinned[0] != '\0')
	{
		if (!superuser_arg(GetAuthenticatedUserId()))
			ereport(ERROR,
					(errcode(MAKE_SQLSTATE('T', 'R', '5', '1', '2')),
					 errmsg("the registry's clock cannot be pinned by login %s",
							GetUserNameFromId(GetAuthenticatedUserId(), false)),
					 errdetail("Check 5012: the setting tsetp.now moves the registry's clock only for a session whose login is a superuser."),
					 errhint("RESET tsetp.now; the registry judges and records at the real time.")));
		return DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
													   CStringGetDatum(pinned),
													   ObjectIdGetDatum(InvalidOid),
													   Int32GetDatum(-1)));
	}
	stmt = GetCurrentStatementStartTimestamp();
	xact = GetCurrentTransactionStartTimestamp();
	return stmt > xact ? stmt : xact;
}

/* tsetp.clock(): the registry's clock (see registry_now). */
Datum
registry_clock(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(registry_now());
}

/* Refuses a call that is not a BEFORE INSERT ... FOR EACH ROW trigger. */
static TriggerData *
registry_trigger_data(FunctionCallInfo fcinfo, const char *fname)
{
	TriggerData *td;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be called as a trigger", fname)));
	td = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event)
		|| !TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired BEFORE INSERT FOR EACH ROW", fname)));
	return td;
}

/* Column number of a column that must exist. */
static int
registry_attnum(TupleDesc desc, const char *name)
{
	int			n = SPI_fnumber(desc, name);

	if (n <= 0)
		elog(ERROR, "tsetp: column \"%s\" is missing", name);
	return n;
}

/*
 * Refuses a ledger row whose id the identity did not give: one above the
 * sequence's last value (INSERT ... OVERRIDING SYSTEM VALUE) would later be
 * the id of someone else's transaction and make it fail.  The sequence is
 * read as the ledger's owner, since clients need no rights on it.
 */
static void
registry_check_ledger_id(Relation rel, HeapTuple row)
{
	/* the ledger's identity sequence, looked up once per backend */
	static Oid	seq_of = InvalidOid;
	static Oid	seq = InvalidOid;
	TupleDesc	desc = RelationGetDescr(rel);
	bool		isnull;
	Datum		id = heap_getattr(row, registry_attnum(desc, "id"), desc, &isnull);
	Datum		last;
	Oid			save_userid;
	int			save_sec_context;
	LOCAL_FCINFO(call, 1);

	if (seq_of != RelationGetRelid(rel))
	{
		List	   *owned = getOwnedSequences(RelationGetRelid(rel));

		if (list_length(owned) != 1)
			elog(ERROR, "tsetp: the ledger has %d owned sequences, not one", list_length(owned));
		seq = linitial_oid(owned);
		seq_of = RelationGetRelid(rel);
	}
	if (isnull)
		return;					/* refused by NOT NULL */

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(rel->rd_rel->relowner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	InitFunctionCallInfoData(*call, NULL, 1, InvalidOid, NULL, NULL);
	call->args[0].value = ObjectIdGetDatum(seq);
	call->args[0].isnull = false;
	last = pg_sequence_last_value(call);
	SetUserIdAndSecContext(save_userid, save_sec_context);

	if (call->isnull || DatumGetInt64(id) > DatumGetInt64(last))
		ereport(ERROR,
				(errcode(ERRCODE_GENERATED_ALWAYS),
				 errmsg("transaction id %lld was not given by the registry",
						(long long) DatumGetInt64(id)),
				 errdetail("Ledger ids come from the ledger's identity; a chosen one would later collide with another request."),
				 errhint("Leave id out (no OVERRIDING SYSTEM VALUE); the new id is returned by RETURNING id.")));
}

/*
 * Trigger: stamps the inserting role, its login and the registry's time on a
 * ledger row (requested_by, requested_by_login, requested_at) or an approval
 * row (decided_by, decided_by_login, decided_at), whatever the client wrote
 * there; on the ledger, it also refuses an id the registry did not give.
 */
Datum
registry_stamp(PG_FUNCTION_ARGS)
{
	TriggerData *td = registry_trigger_data(fcinfo, "registry_stamp");
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	bool		ledger = strcmp(RelationGetRelationName(td->tg_relation), "ledger") == 0;
	int			cols[3];
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	int			ncols = 2;
	int			login_col;
	Oid			who;

	cols[0] = registry_attnum(desc, ledger ? "requested_by" : "decided_by");
	cols[1] = registry_attnum(desc, ledger ? "requested_at" : "decided_at");
	/* A set-wise issuance's rows, written as the owner: its caller. */
	who = GetUserId();
	if (ledger && OidIsValid(bulk_owner) && who == bulk_owner)
		who = bulk_requester;
	values[0] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(who, false)));
	values[1] = TimestampTzGetDatum(registry_now());

	/*
	 * The person: the session's user, whatever role acts (SET ROLE, a group
	 * role, a SECURITY DEFINER function); it changes only by SET SESSION
	 * AUTHORIZATION, which only a superuser login can do.  Four-eyes compares
	 * these.  A library that serves an installed version without the column
	 * (before 2.0, until it is updated) stamps only the role.
	 */
	login_col = SPI_fnumber(desc, ledger ? "requested_by_login" : "decided_by_login");
	if (login_col > 0)
	{
		cols[2] = login_col;
		values[2] = DirectFunctionCall1(namein,
										CStringGetDatum(GetUserNameFromId(GetSessionUserId(), false)));
		ncols = 3;
	}
	if (ledger)
		registry_check_ledger_id(td->tg_relation, td->tg_trigtuple);
	return PointerGetDatum(heap_modify_tuple_by_cols(td->tg_trigtuple, desc, ncols,
													 cols, values, nulls));
}

/* Prepares and keeps one plan. */
static SPIPlanPtr
registry_prepare(const char *sql, int nargs, Oid *argtypes, int cursor_options)
{
	SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, argtypes, cursor_options);

	if (plan == NULL)
		elog(ERROR, "tsetp: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "tsetp: SPI_keepplan failed");
	return plan;
}

/*
 * Whether tsetp.credit_kind (in the trigger function's schema) has the
 * excess_reduction flag, i.e. the installed version is 1.2 or later.
 */
static bool
registry_has_excess_flag(Oid trigger_fn)
{
	Oid			relid = get_relname_relid("credit_kind", get_func_namespace(trigger_fn));

	return OidIsValid(relid) && get_attnum(relid, "excess_reduction") != InvalidAttrNumber;
}

/*
 * Whether tsetp.account_guard (in the trigger function's schema) exists,
 * i.e. the installed version is 2.0 or later.
 */
static bool
registry_has_guard(Oid trigger_fn)
{
	return OidIsValid(get_relname_relid("account_guard", get_func_namespace(trigger_fn)));
}

/*
 * Prepares the fast path's plans once per backend (again if the extension
 * was re-created, which gives its trigger function and types new OIDs).
 */
static void
registry_prepare_plans(Oid trigger_fn, Oid credit_oid)
{
	Oid			check_args[5] = {TEXTOID, TEXTOID, TEXTOID, NAMEOID, TIMESTAMPTZOID};
	Oid			sum_args[1] = {TEXTOID};
	Oid			guard_args[2] = {TEXTOID, TEXTOID};
	Oid			cand_args[2] = {TEXTOID, TEXTOID};
	Oid			move_args[4] = {TIDOID, credit_oid, TEXTOID, INT8OID};
	Oid			tail_args[3] = {credit_oid, TEXTOID, INT8OID};

	/*
	 * Again when the extension was updated to a version with the excess
	 * marking while this backend kept the plans (three syscache lookups).
	 */
	bool		excess_flag = registry_has_excess_flag(trigger_fn);
	bool		has_guard = registry_has_guard(trigger_fn);

	if (plans.trigger_fn == trigger_fn && plans.excess_flag == excess_flag
		&& plans.has_guard == has_guard)
		return;
	if (plans.trigger_fn != InvalidOid)
	{
		SPI_freeplan(plans.check);
		SPI_freeplan(plans.free_sum);
		SPI_freeplan(plans.candidates);
		SPI_freeplan(plans.move);
		SPI_freeplan(plans.tail);
		if (plans.guard != NULL)
			SPI_freeplan(plans.guard);
		plans.guard = NULL;
		plans.trigger_fn = InvalidOid;
	}
	plans.check = registry_prepare(psprintf(check_sql,
											excess_flag
											? "NOT k.excess_reduction"
											: "k.code OPERATOR(pg_catalog.<>) 'ER'"),
								   5, check_args, 0);
	plans.free_sum = registry_prepare(free_sum_sql, 1, sum_args, 0);
	plans.candidates = registry_prepare(candidates_sql, 2, cand_args,
										CURSOR_OPT_FAST_PLAN);
	plans.move = registry_prepare(move_sql, 4, move_args, 0);
	plans.tail = registry_prepare(tail_sql, 3, tail_args, 0);
	plans.guard = has_guard ? registry_prepare(guard_sql, 2, guard_args, 0) : NULL;
	plans.trigger_fn = trigger_fn;
	plans.excess_flag = excess_flag;
	plans.has_guard = has_guard;
}

/* Whether a text datum equals a C string. */
static bool
text_equals(Datum d, const char *s)
{
	text	   *t = DatumGetTextPP(d);
	size_t		n = strlen(s);

	return VARSIZE_ANY_EXHDR(t) == n && memcmp(VARDATA_ANY(t), s, n) == 0;
}

/* hashtext() of a text datum, as the SQL side computes the lock keys. */
static int32
text_hash(Datum d)
{
	text	   *t = DatumGetTextPP(d);

	return DatumGetInt32(hash_any((const unsigned char *) VARDATA_ANY(t),
								  VARSIZE_ANY_EXHDR(t)));
}

/* One free block picked by the candidates query. */
typedef struct Candidate
{
	ItemPointerData ctid;
	Datum		block;
	int64		tonnes;
	int64		tx;
} Candidate;

/*
 * Runs the candidates query with a row limit (0: all) and collects blocks
 * until want tonnes are covered; returns how many blocks are needed, or -1
 * when they do not cover want.
 */
static int
registry_collect(Datum src, Datum kind, int64 want, long limit,
				 Candidate *cand, MemoryContext outer)
{
	Datum		args[2] = {src, kind};
	int64		got = 0;
	uint64		i;

	if (SPI_execute_plan(plans.candidates, args, NULL, false, limit) != SPI_OK_SELECT)
		elog(ERROR, "tsetp: candidate query failed");
	for (i = 0; i < SPI_processed && i < FAST_MAX_BLOCKS; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		MemoryContext old;

		cand[i].ctid = *((ItemPointer) DatumGetPointer(SPI_getbinval(tup, desc, 1, &isnull)));
		old = MemoryContextSwitchTo(outer);
		cand[i].block = datumCopy(SPI_getbinval(tup, desc, 2, &isnull), false, -1);
		MemoryContextSwitchTo(old);
		cand[i].tonnes = DatumGetInt64(SPI_getbinval(tup, desc, 3, &isnull));
		cand[i].tx = DatumGetInt64(SPI_getbinval(tup, desc, 4, &isnull));
		got += cand[i].tonnes;
		if (got >= want)
			return (int) i + 1;
	}
	SPI_freetuptable(SPI_tuptable);
	return -1;
}

/*
 * The fast path of a transfer by kind and amount that takes effect at once.
 * Returns the row to store, or NULL when the request must go to
 * tsetp.ledger_rules() (nothing has been written then).
 */
static HeapTuple
registry_fast_transfer(FunctionCallInfo fcinfo, TriggerData *td)
{
	Relation	rel = td->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	HeapTuple	row = td->tg_trigtuple;
	MemoryContext outer = CurrentMemoryContext;
	int			c_id = registry_attnum(desc, "id"),
				c_type = registry_attnum(desc, "type"),
				c_from = registry_attnum(desc, "from_account"),
				c_to = registry_attnum(desc, "to_account"),
				c_kind = registry_attnum(desc, "kind"),
				c_amount = registry_attnum(desc, "amount"),
				c_block = registry_attnum(desc, "block"),
				c_corrects = registry_attnum(desc, "corrects"),
				c_programme = registry_attnum(desc, "programme"),
				c_blocks = registry_attnum(desc, "blocks"),
				c_approval = registry_attnum(desc, "needs_approval"),
				c_by = registry_attnum(desc, "requested_by"),
				c_at = registry_attnum(desc, "requested_at");
	Datum		id,
				type,
				from,
				to,
				kind,
				amount,
				by,
				at;
	bool		isnull;
	Oid			credit_oid = TupleDescAttr(desc, c_block - 1)->atttypid;
	int64		want;
	int64		reserve;
	Datum		programme;
	Datum		args[5];
	Candidate	cand[FAST_MAX_BLOCKS];
	Datum		taken[FAST_MAX_BLOCKS];
	int			ncand;
	int64		got = 0;
	int			i;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			cols[3];
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	/* Only a transfer of an amount of a kind, with nothing unusual. */
	type = heap_getattr(row, c_type, desc, &isnull);
	if (isnull || !text_equals(type, "transfer"))
		return NULL;
	(void) heap_getattr(row, c_block, desc, &isnull);
	if (!isnull)
		return NULL;
	(void) heap_getattr(row, c_corrects, desc, &isnull);
	if (!isnull)
		return NULL;
	id = heap_getattr(row, c_id, desc, &isnull);
	if (isnull)
		return NULL;
	from = heap_getattr(row, c_from, desc, &isnull);
	if (isnull)
		return NULL;
	to = heap_getattr(row, c_to, desc, &isnull);
	if (isnull)
		return NULL;
	kind = heap_getattr(row, c_kind, desc, &isnull);
	if (isnull)
		return NULL;
	amount = heap_getattr(row, c_amount, desc, &isnull);
	if (isnull || DatumGetInt64(amount) <= 0 || DatumGetInt64(amount) % 1000 != 0)
		return NULL;
	want = DatumGetInt64(amount) / 1000;
	by = heap_getattr(row, c_by, desc, &isnull);
	if (isnull)
		return NULL;
	at = heap_getattr(row, c_at, desc, &isnull);
	if (isnull)
		return NULL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "tsetp: SPI_connect failed");
	registry_prepare_plans(fcinfo->flinfo->fn_oid, credit_oid);

	/* The accounts' guard rows, before anything of them is read. */
	if (plans.guard != NULL)
	{
		Datum		gargs[2] = {from, to};

		if (SPI_execute_plan(plans.guard, gargs, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "tsetp: account guard could not be updated");
	}

	/* Accounts, the programme's rules, the kind, business hours, the role. */
	args[0] = from;
	args[1] = to;
	args[2] = kind;
	args[3] = by;
	args[4] = at;
	if (SPI_execute_plan(plans.check, args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "tsetp: registry check query failed");
	if (SPI_processed != 1)
		goto fallback;
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	rdesc = SPI_tuptable->tupdesc;
		Datum		fast = SPI_getbinval(tup, rdesc, 3, &isnull);
		MemoryContext old;

		if (isnull || !DatumGetBool(fast))
			goto fallback;
		old = MemoryContextSwitchTo(outer);
		programme = datumCopy(SPI_getbinval(tup, rdesc, 1, &isnull), false, -1);
		MemoryContextSwitchTo(old);
		reserve = DatumGetInt64(SPI_getbinval(tup, rdesc, 2, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);

	/* An older installed version (no guard rows): its lock, as it had it. */
	if (plans.guard == NULL)
		DirectFunctionCall2(pg_advisory_xact_lock_int4,
							Int32GetDatum(text_hash(CStringGetTextDatum("tsetp.account"))),
							Int32GetDatum(text_hash(from)));

	/* JVETS commitment reserve: the free units left must cover it. */
	if (reserve > 0)
	{
		int64		free_t;

		if (SPI_execute_plan(plans.free_sum, args, NULL, false, 1) != SPI_OK_SELECT)
			elog(ERROR, "tsetp: free balance query failed");
		free_t = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											 SPI_tuptable->tupdesc, 1, &isnull));
		SPI_freetuptable(SPI_tuptable);
		if ((free_t - want) * 1000 < reserve)
			goto fallback;
	}

	/* The blocks, oldest vintage first: usually the first one covers it. */
	ncand = registry_collect(from, kind, want, 1, cand, outer);
	if (ncand < 0)
		ncand = registry_collect(from, kind, want, FAST_MAX_BLOCKS, cand, outer);
	if (ncand < 0)
		goto fallback;

	/* Move them; the last one split when it holds more than is left. */
	for (i = 0; i < ncand; i++)
	{
		Datum		move[4];
		Datum		piece = cand[i].block;

		move[0] = PointerGetDatum(&cand[i].ctid);
		move[2] = to;
		move[3] = id;
		if (cand[i].tonnes > want - got)
		{
			Datum		tail[3];
			MemoryContext old = MemoryContextSwitchTo(outer);

			piece = DirectFunctionCall2(credit_split_head, cand[i].block,
										Int64GetDatum(want - got));
			tail[0] = DirectFunctionCall2(credit_split_tail, cand[i].block,
										  Int64GetDatum(want - got));
			MemoryContextSwitchTo(old);
			move[1] = piece;
			if (SPI_execute_plan(plans.move, move, NULL, false, 0) != SPI_OK_UPDATE
				|| SPI_processed != 1)
				elog(ERROR, "tsetp: holding of a transfer could not be moved");
			tail[1] = from;
			tail[2] = Int64GetDatum(cand[i].tx);
			if (SPI_execute_plan(plans.tail, tail, NULL, false, 0) != SPI_OK_INSERT)
				elog(ERROR, "tsetp: rest of a split block could not be stored");
			got = want;
		}
		else
		{
			move[1] = piece;
			if (SPI_execute_plan(plans.move, move, NULL, false, 0) != SPI_OK_UPDATE
				|| SPI_processed != 1)
				elog(ERROR, "tsetp: holding of a transfer could not be moved");
			got += cand[i].tonnes;
		}
		taken[i] = piece;
	}
	SPI_finish();

	/* Record what the registry set: programme, blocks, no approval. */
	get_typlenbyvalalign(credit_oid, &typlen, &typbyval, &typalign);
	cols[0] = c_programme;
	values[0] = programme;
	cols[1] = c_blocks;
	values[1] = PointerGetDatum(construct_array(taken, ncand, credit_oid,
												typlen, typbyval, typalign));
	cols[2] = c_approval;
	values[2] = BoolGetDatum(false);
	return heap_modify_tuple_by_cols(row, desc, 3, cols, values, nulls);

fallback:
	SPI_finish();
	return NULL;
}

/*
 * Hands the request to tsetp.ledger_rules() (in the trigger function's
 * schema) with the same trigger call data, and returns its row.
 */
static Datum
registry_rules(FunctionCallInfo fcinfo)
{
	/* looked up once per backend (again if the extension was re-created) */
	static Oid	rules_for = InvalidOid;
	static FmgrInfo rules_fn;
	LOCAL_FCINFO(call, 0);

	if (rules_for != fcinfo->flinfo->fn_oid)
	{
		Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
		List	   *name = list_make2(makeString(get_namespace_name(nsp)),
									  makeString(pstrdup("ledger_rules")));

		rules_for = InvalidOid;
		fmgr_info_cxt(LookupFuncName(name, 0, NULL, false), &rules_fn,
					  TopMemoryContext);
		rules_for = fcinfo->flinfo->fn_oid;
	}
	InitFunctionCallInfoData(*call, &rules_fn, 0, InvalidOid, fcinfo->context, NULL);
	return FunctionCallInvoke(call);
}

/*
 * Trigger on tsetp.ledger: applies a transfer that passes every check on
 * the fast path, and hands any other request to tsetp.ledger_rules().
 */
Datum
registry_ledger_apply(PG_FUNCTION_ARGS)
{
	TriggerData *td = registry_trigger_data(fcinfo, "ledger_apply");
	HeapTuple	result;

	/*
	 * A row of the set-wise issuance in progress: checked and applied
	 * set-wise by tsetp.issue_excess_all_apply(), stored as it is.
	 */
	if (OidIsValid(bulk_owner))
		return PointerGetDatum(td->tg_trigtuple);
	result = registry_fast_transfer(fcinfo, td);

	if (result != NULL)
		return PointerGetDatum(result);
	return registry_rules(fcinfo);
}

/*
 * tsetp.issue_excess_all(programme, period_no): checks that the calling role is
 * a tsetp_admin, then runs tsetp.issue_excess_all_apply() as the extension's
 * owner with the marker set that lets its ledger rows through the row
 * triggers, clears the marker however the call ends, and returns its rows.
 */
Datum
registry_issue_excess_all(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			requester = GetUserId();
	Oid			admin = get_role_oid("tsetp_admin", true);
	Oid			owner;
	Oid			save_userid;
	int			save_sec_context;
	HeapTuple	proc;
	Oid			argtypes[2] = {TEXTOID, INT4OID};
	Datum		args[2];

	if (!OidIsValid(admin) || !is_member_of_role(requester, admin))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for issue request"),
				 errdetail("Role %s is not a tsetp_admin, and only the registry administrator issues credits.",
						   GetUserNameFromId(requester, false)),
				 errhint("Ask the registry administrator.")));
	if (OidIsValid(bulk_owner))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a set-wise issuance of excess reduction is already in progress")));

	/* The owner of this function, i.e. of the extension. */
	proc = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
	if (!HeapTupleIsValid(proc))
		elog(ERROR, "tsetp: cache lookup failed for function %u", fcinfo->flinfo->fn_oid);
	owner = ((Form_pg_proc) GETSTRUCT(proc))->proowner;
	ReleaseSysCache(proc);

	InitMaterializedSRF(fcinfo, 0);
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_GETARG_DATUM(1);

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner, save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	bulk_owner = owner;
	bulk_requester = requester;
	PG_TRY();
	{
		uint64		i;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "tsetp: SPI_connect failed");
		if (SPI_execute_with_args("SELECT b.facility_id, b.block FROM tsetp.issue_excess_all_apply($1, $2) AS b",
								  2, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "tsetp: set-wise issuance failed");
		for (i = 0; i < SPI_processed; i++)
		{
			Datum		values[2];
			bool		nulls[2];

			values[0] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &nulls[0]);
			values[1] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &nulls[1]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		SPI_finish();
	}
	PG_FINALLY();
	{
		bulk_owner = InvalidOid;
		bulk_requester = InvalidOid;
		SetUserIdAndSecContext(save_userid, save_sec_context);
	}
	PG_END_TRY();
	return (Datum) 0;
}
