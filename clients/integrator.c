/*
 * integrator.c — an integrator's workflow against tsetp through libpq, the C
 * driver every other PostgreSQL driver wraps: a facility operator's energy
 * system, a verifier, a broker's back office and the prefecture's two
 * registry clerks, each on its own connection as its own login role.
 *
 * It registers two facilities, reports and verifies their emissions for
 * plan period 4, issues excess reduction, requests and approves a transfer,
 * surrenders, and reads the assessment; and it tries the operations the
 * registry must refuse, printing what the driver sees (SQLSTATE, message,
 * detail) and checking the SQLSTATE. Exits 1 on the first surprise.
 *
 *   integrator DBNAME     (PGHOST, PGPORT from the environment; roles made
 *                          by test/client_workflow.sh)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libpq-fe.h"

static const char *dbname;
static int	checks = 0;

/* Prints a message and exits with failure. */
static void
die(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	fprintf(stderr, "integrator: FAILED: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* Opens a connection as the given login role. */
static PGconn *
connect_as(const char *role)
{
	const char *keys[] = {"dbname", "user", "application_name", NULL};
	const char *values[] = {dbname, role, "tsetp-integrator", NULL};
	PGconn	   *conn = PQconnectdbParams(keys, values, 1);

	if (PQstatus(conn) != CONNECTION_OK)
		die("connection as %s: %s", role, PQerrorMessage(conn));
	return conn;
}

/* Runs a parameterised statement that must succeed and returns its result. */
static PGresult *
run(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult   *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		die("%s\n  %s  (SQLSTATE %s)", sql, PQresultErrorMessage(res),
			PQresultErrorField(res, PG_DIAG_SQLSTATE));
	return res;
}

/* Runs a statement that must return one value, and copies that value. */
static char *
value(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult   *res = run(conn, sql, nparams, params);
	char	   *v;

	if (PQntuples(res) != 1 || PQnfields(res) < 1)
		die("%s: expected one row, got %d", sql, PQntuples(res));
	v = strdup(PQgetisnull(res, 0, 0) ? "NULL" : PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

/* Checks that a value read back is the one expected. */
static void
expect_value(const char *what, const char *got, const char *want)
{
	checks++;
	if (strcmp(got, want) != 0)
		die("%s: got \"%s\", expected \"%s\"", what, got, want);
	printf("  ok   %-58s %s\n", what, got);
}

/* Runs a statement that the database must refuse with the given SQLSTATE,
 * and prints what the driver sees. */
static void
expect_refusal(PGconn *conn, const char *who, const char *what, const char *sqlstate,
			   const char *sql, int nparams, const char *const *params)
{
	PGresult   *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);

	checks++;
	if (PQresultStatus(res) != PGRES_FATAL_ERROR)
		die("%s (%s): accepted, expected refusal %s", what, who, sqlstate);
	if (state == NULL || strcmp(state, sqlstate) != 0)
		die("%s (%s): SQLSTATE %s (%s), expected %s", what, who, state ? state : "(none)",
			PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), sqlstate);
	printf("  refused  %s, as %s\n", what, who);
	printf("           SQLSTATE %s: %s\n", state, PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
	if (detail)
		printf("           DETAIL: %s\n", detail);
	if (hint)
		printf("           HINT: %s\n", hint);
	PQclear(res);
}

/* The workflow, step by step. */
int
main(int argc, char **argv)
{
	PGconn	   *clerk,
			   *approver,
			   *works,
			   *tower,
			   *verifier;
	char	   *a_id,
			   *b_id,
			   *a_acct,
			   *b_acct,
			   *tx,
			   *own_tx;

	if (argc != 2)
	{
		fprintf(stderr, "usage: integrator DBNAME\n");
		return 2;
	}
	dbname = argv[1];
	clerk = connect_as("integ_clerk");
	approver = connect_as("integ_approver");
	works = connect_as("integ_works");
	tower = connect_as("integ_tower");
	verifier = connect_as("integ_verifier");
	printf("libpq %d, server %d\n", PQlibVersion(), PQserverVersion(clerk));

	/* 1. The prefecture registers two facilities, their energy use and base. */
	printf("1. register facilities (integ_clerk)\n");
	{
		const char *pa[] = {"INT-A", "Kawaguchi Works", "Kawaguchi Works KK", "2"};
		const char *pb[] = {"INT-B", "Omiya Tower", "Omiya Tower KK", "1-1"};
		const char *ins = "INSERT INTO tsetp.facility (programme, code, name, operator, category) "
			"VALUES ('saitama', $1, $2, $3, $4) RETURNING id";

		a_id = value(clerk, ins, 4, pa);
		b_id = value(clerk, ins, 4, pb);
	}
	{
		const char *p[] = {a_id, b_id};

		PQclear(run(clerk, "INSERT INTO tsetp.energy_use (facility_id, fy, crude_oil_kl) "
					"SELECT f, y::tsetp.fiscal_year, 2500 FROM unnest(ARRAY[$1, $2]::bigint[]) f, "
					"generate_series(2019, 2029) y", 2, p));
		PQclear(run(clerk, "INSERT INTO tsetp.base_emission (facility_id, effective_from, amount, method) "
					"VALUES ($1, 'FY2025', '10,000 t-CO2', 'historical'), ($2, 'FY2025', '10 kt', 'historical')", 2, p));
	}
	{
		const char *pa[] = {a_id};
		const char *pb[] = {b_id};

		a_acct = value(clerk, "SELECT tsetp.designated_account($1)", 1, pa);
		b_acct = value(clerk, "SELECT tsetp.designated_account($1)", 1, pb);
		printf("  facilities %s and %s covered; designated accounts %s and %s opened\n", a_id, b_id, a_acct, b_acct);
		expect_value("coverage of INT-A starts", value(clerk, "SELECT tsetp.coverage_start($1)::text", 1, pa), "FY2022");
		expect_value("rate of INT-B in FY2026 (period 4, category 1-1)",
					 value(clerk, "SELECT tsetp.rate_at($1, 'R8')::text", 1, pb), "0.50");
	}

	/* 2. The operators' energy systems report emissions, unverified. */
	printf("2. report emissions FY2025-FY2029 (integ_works, integ_tower)\n");
	{
		const char *pa[] = {a_id, "3,000 t"};
		const char *pb[] = {b_id, "5100"};
		const char *ins = "INSERT INTO tsetp.emission (facility_id, fy, amount) "
			"SELECT $1, y::tsetp.fiscal_year, $2::tsetp.tco2 FROM generate_series(2025, 2029) y";

		PQclear(run(works, ins, 2, pa));
		PQclear(run(tower, ins, 2, pb));
	}
	{
		const char *p[] = {a_id};
		const char *pb[] = {b_id};
		const char *bad[] = {b_id, "12.0001"};

		expect_refusal(works, "integ_works", "reporting an already verified amount", "42501",
					   "INSERT INTO tsetp.emission (facility_id, fy, amount, verified_by) VALUES ($1, 'FY2030', '3000', 'self')", 1, p);
		expect_refusal(works, "integ_works", "reporting for another operator's facility", "42501",
					   "INSERT INTO tsetp.emission (facility_id, fy, amount) VALUES ($1, 'FY2030', '3000')", 1, pb);
		expect_refusal(tower, "integ_tower", "an amount finer than a kilogram", "22P02",
					   "INSERT INTO tsetp.emission (facility_id, fy, amount) VALUES ($1, 'FY2030', $2)", 2, bad);
		expect_value("INT-A's emissions as integ_tower sees them (row-level security)",
					 value(tower, "SELECT count(*)::text FROM tsetp.emission WHERE facility_id = $1", 1, p), "0");
		expect_refusal(clerk, "integ_clerk", "revising a base for the weather", "TB002",
					   "INSERT INTO tsetp.base_emission VALUES ($1, 'FY2027', '11000', 'historical', 'weather')", 1, p);
	}

	/* 3. The verifier verifies them. */
	printf("3. verify (integ_verifier)\n");
	{
		const char *p[] = {a_id, b_id};

		expect_value("rows verified",
					 value(verifier, "WITH v AS (UPDATE tsetp.emission SET verified_by = 'JQA', verified_at = now() "
						   "WHERE facility_id IN ($1, $2) AND verified_by IS NULL RETURNING 1) SELECT count(*)::text FROM v", 2, p),
					 "10");
	}

	/* 4. The prefecture issues INT-A's excess reduction. */
	printf("4. issue excess reduction (integ_clerk)\n");
	{
		const char *p[] = {a_id};

		expect_value("excess of INT-A, period 4", value(clerk, "SELECT excess::text FROM tsetp.assess($1, 4)", 1, p), "1000");
		printf("  issued %s\n", value(clerk, "SELECT tsetp.issue_excess($1, 4)::text", 1, p));
		expect_refusal(clerk, "integ_clerk", "issuing the same excess twice", "TR409",
					   "SELECT tsetp.issue_excess($1, 4)", 1, p);
	}

	/* 5. INT-A's operator sells 600 t to INT-B; the prefecture approves. */
	printf("5. transfer (integ_works requests, integ_approver approves)\n");
	{
		const char *p[] = {a_acct, b_acct, "600"};
		const char *too_much[] = {a_acct, b_acct, "5000"};
		const char *wrong[] = {b_acct, a_acct, "1"};

		expect_refusal(works, "integ_works", "transferring more than the account holds", "TR104",
					   "SELECT tsetp.transfer($1, $2, 'ER', $3::tsetp.tco2)", 3, too_much);
		expect_refusal(works, "integ_works", "transferring from another holder's account", "42501",
					   "SELECT tsetp.transfer($1, $2, 'ER', $3::tsetp.tco2)", 3, wrong);
		tx = value(works, "SELECT tsetp.transfer($1, $2, 'ER', $3::tsetp.tco2)::text", 3, p);
		printf("  transaction %s requested\n", tx);
	}
	{
		const char *p[] = {tx};
		const char *pa[] = {a_acct};
		const char *own[] = {a_acct, b_acct};

		expect_value("status before approval",
					 value(works, "SELECT string_agg(DISTINCT status, ',') FROM tsetp.ledger_report WHERE transaction_id = $1", 1, p), "requested");
		expect_refusal(works, "integ_works", "the operator approving its own request", "TR502",
					   "SELECT tsetp.approve($1)", 1, p);
		PQclear(run(approver, "SELECT tsetp.approve($1)", 1, p));
		expect_value("status after approval",
					 value(works, "SELECT string_agg(DISTINCT status, ',') FROM tsetp.ledger_report WHERE transaction_id = $1", 1, p), "completed");
		expect_value("INT-A's balance (account_balance, numeric)",
					 value(works, "SELECT sum(balance)::text FROM tsetp.account_balance WHERE account = $1", 1, pa), "400");
		/* Four-eyes: a clerk cannot approve what it requested itself. */
		own_tx = value(clerk, "SELECT tsetp.transfer($1, $2, 'ER', '10')::text", 2, own);
		{
			const char *po[] = {own_tx};

			expect_refusal(clerk, "integ_clerk", "approving a transfer it requested itself", "TR501",
						   "SELECT tsetp.approve($1)", 1, po);
			PQclear(run(clerk, "SELECT tsetp.withdraw($1)", 1, po));
			expect_value("status after withdrawal",
						 value(clerk, "SELECT status FROM tsetp.transaction_status WHERE id = $1", 1, po), "cancelled");
		}
		expect_refusal(approver, "integ_approver", "editing a recorded transaction", "42501",
					   "UPDATE tsetp.ledger SET amount = '1' WHERE id = $1", 1, p);
	}

	/* 6. INT-B surrenders what it bought; the prefecture approves. */
	printf("6. surrender (integ_tower requests, integ_approver approves)\n");
	{
		const char *p[] = {b_id, b_acct, "500"};
		const char *pa[] = {a_id, a_acct, "1"};
		const char *pb[] = {b_id};
		const char *old[] = {b_id, b_acct};

		expect_value("INT-B's shortfall before surrender",
					 value(clerk, "SELECT shortfall::text FROM tsetp.assess($1, 4)", 1, pb), "500");
		expect_refusal(tower, "integ_tower", "surrendering from another facility's account", "42501",
					   "SELECT tsetp.surrender($1, 4, $2, 'ER', $3::tsetp.tco2)", 3, pa);
		expect_refusal(tower, "integ_tower", "surrendering for a period not covered", "TR406",
					   "SELECT tsetp.surrender($1, 1, $2, 'ER', '1')", 2, old);
		tx = value(tower, "SELECT tsetp.surrender($1, 4, $2, 'ER', $3::tsetp.tco2)::text", 3, p);
		{
			const char *pt[] = {tx};

			PQclear(run(approver, "SELECT tsetp.approve($1)", 1, pt));
			expect_refusal(approver, "integ_approver", "approving it a second time", "TR503",
						   "SELECT tsetp.approve($1)", 1, pt);
		}
	}

	/*
	 * 7. The prefecture reads the assessment (operators cannot yet: see
	 * test/client_workflow.sh).
	 */
	printf("7. assessment of period 4\n");
	{
		const char *pa[] = {a_id};
		const char *pb[] = {b_id};

		expect_value("outcome of INT-A", value(approver, "SELECT outcome FROM tsetp.assess($1, 4)", 1, pa), "achieved_own");
		expect_value("outcome of INT-B", value(approver, "SELECT outcome FROM tsetp.assess($1, 4)", 1, pb), "achieved_trading");
		expect_value("INT-B: target, reduction, credits, shortfall",
					 value(approver, "SELECT concat_ws(' ', target_total, reduction_total, credits_applied, shortfall) "
						   "FROM tsetp.assess($1, 4)", 1, pb), "25000 24500 500 0");
		expect_value("compliance_report row of INT-B (numeric columns)",
					 value(approver, "SELECT concat_ws(' ', base_total, target_total, credits_acquired, outcome) "
						   "FROM tsetp.compliance_report WHERE facility_id = $1 AND period_no = 4", 1, pb),
					 "50000 25000 500 achieved_trading");
	}

	PQfinish(clerk);
	PQfinish(approver);
	PQfinish(works);
	PQfinish(tower);
	PQfinish(verifier);
	printf("integrator: ok (%d checks)\n", checks);
	return 0;
}
