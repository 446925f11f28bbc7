#!/usr/bin/env bash
# Four-eyes with real logins, and the registry's clock by the real time.
#   1. Two login roles holding tsetp_admin, and a group role both act as:
#      one login approving its own request is refused (check 5001) whichever
#      roles it requests and approves as (SET ROLE either way, a SECURITY
#      DEFINER function owned by the other login); the other login approves,
#      and both logins are recorded next to the roles.
#   2. A superuser login emulates the two people with SET SESSION
#      AUTHORIZATION and keeps its pin of the clock (tsetp.now); a login
#      that is not a superuser is refused when it pins it (check 5012) and
#      stores nothing.
#   3. By the real clock: business hours that end a few seconds from now; a
#      transaction that begins inside them approves one request inside and
#      one after their end (its now() still inside): the second is refused
#      (check 5004); so is the approval of a procedure CALLed inside them
#      in a transaction it begins after their end.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (a superuser, trust
# authentication) where tsetp can be created; exits non-zero on any failure.
set -euo pipefail
EXT=${TSETP_EXTENSION:-tsetp}
db=tsetp_four_eyes_$$
ann=fe_ann_$$
ben=fe_ben_$$
desk=fe_desk_$$
cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS $ann, $ben, $desk" >/dev/null 2>&1 || true
}
trap cleanup EXIT
export PGDATABASE=$db
export PGOPTIONS="-c client_min_messages=warning"
fail() { echo "four_eyes: $*" >&2; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null

q >/dev/null <<SQL
CREATE EXTENSION $EXT;
CREATE ROLE $ann LOGIN IN ROLE tsetp_admin;
CREATE ROLE $ben LOGIN IN ROLE tsetp_admin;
CREATE ROLE $desk IN ROLE tsetp_admin;
GRANT $desk TO $ann, $ben;
CREATE TABLE acct (k text PRIMARY KEY, n text NOT NULL);
GRANT SELECT ON acct TO PUBLIC;
INSERT INTO acct VALUES ('g1', tsetp.open_account('saitama', 'Eyes Broker')),
                        ('g2', tsetp.open_account('saitama', 'Eyes Broker')),
                        ('j1', tsetp.open_account('jvets', 'Eyes JV')),
                        ('j2', tsetp.open_account('jvets', 'Eyes JV Two'));
CREATE FUNCTION acc(text) RETURNS text LANGUAGE sql STABLE AS 'SELECT n FROM acct WHERE k = \$1';
SET tsetp.now = '2025-06-02 11:00+09';
SELECT tsetp.issue(acc('g1'), 'RE', 'FY2021', 'EYES-SOLAR', '1000');
SELECT tsetp.issue(acc('j1'), 'JPA', 'FY2024', 'EYES-ALLOC', '1000');
-- The outcome of a statement: ok, or its SQLSTATE.
CREATE FUNCTION outcome(sql text) RETURNS text LANGUAGE plpgsql AS \$\$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
\$\$;
-- Approves as the other login's role, whoever calls it.
CREATE FUNCTION approve_as_ben(tx bigint) RETURNS void LANGUAGE sql SECURITY DEFINER AS 'SELECT tsetp.approve(\$1)';
ALTER FUNCTION approve_as_ben(bigint) OWNER TO $ben;
CREATE TABLE tx (k text PRIMARY KEY, id bigint NOT NULL);
GRANT SELECT, INSERT ON tx TO PUBLIC;
SQL

# 1. Ann requests as herself and as the group role, then approves each in
# every other way: all refused. Ben approves: both pass.
got=$(q -U "$ann" <<SQL
INSERT INTO tx VALUES ('plain', tsetp.transfer(acc('g1'), acc('g2'), 'RE', '1'));
SET ROLE $desk;
INSERT INTO tx VALUES ('desk', tsetp.transfer(acc('g1'), acc('g2'), 'RE', '1'));
SELECT outcome(format('SELECT tsetp.approve(%s)', (SELECT id FROM tx WHERE k = 'plain')));
SELECT outcome(format('SELECT tsetp.approve(%s)', (SELECT id FROM tx WHERE k = 'desk')));
RESET ROLE;
SELECT outcome(format('SELECT tsetp.approve(%s)', (SELECT id FROM tx WHERE k = 'plain')));
SELECT outcome(format('SELECT tsetp.approve(%s)', (SELECT id FROM tx WHERE k = 'desk')));
SELECT outcome(format('SELECT approve_as_ben(%s)', (SELECT id FROM tx WHERE k = 'plain')));
SQL
)
[ "$(echo $got)" = "TR501 TR501 TR501 TR501 TR501" ] || fail "one login approved its own request: $(echo $got)"
got=$(q -U "$ben" <<SQL
SET ROLE $desk;
SELECT outcome(format('SELECT tsetp.approve(%s)', (SELECT id FROM tx WHERE k = 'plain')));
RESET ROLE;
SELECT outcome(format('SELECT tsetp.approve(%s)', (SELECT id FROM tx WHERE k = 'desk')));
SQL
)
[ "$(echo $got)" = "ok ok" ] || fail "another login could not approve: $(echo $got)"
got=$(q -c "SELECT string_agg(t.k || ':' || l.requested_by || '/' || l.requested_by_login || '>' || a.decided_by || '/' || a.decided_by_login, ' ' ORDER BY t.k)
              FROM tx t JOIN tsetp.ledger l ON l.id = t.id JOIN tsetp.approval a ON a.transaction_id = t.id")
[ "$got" = "desk:$desk/$ann>$ben/$ben plain:$ann/$ann>$desk/$ben" ] || fail "identities recorded: $got"
echo "four_eyes: one login under any role is refused (5001) five ways; another login approves; both recorded"

# 2. A superuser login as two people, its pin kept; another login's pin refused.
got=$(q <<SQL
SET tsetp.now = '2025-06-03 11:00+09';
SET SESSION AUTHORIZATION $ann;
SELECT tsetp.clock() = '2025-06-03 11:00+09';
INSERT INTO tx VALUES ('emulated', tsetp.transfer(acc('g1'), acc('g2'), 'RE', '1'));
SELECT outcome(format('SELECT tsetp.approve(%s)', (SELECT id FROM tx WHERE k = 'emulated')));
SET SESSION AUTHORIZATION $ben;
SELECT outcome(format('SELECT tsetp.approve(%s)', (SELECT id FROM tx WHERE k = 'emulated')));
RESET SESSION AUTHORIZATION;
SELECT requested_at = '2025-06-03 11:00+09' AND requested_by_login = '$ann' FROM tsetp.ledger WHERE id = (SELECT id FROM tx WHERE k = 'emulated');
SQL
)
[ "$(echo $got)" = "t TR501 ok t" ] || fail "SET SESSION AUTHORIZATION from a superuser login: $(echo $got)"
before=$(q -c "SELECT count(*) FROM tsetp.ledger")
got=$(PGOPTIONS="$PGOPTIONS -c tsetp.now=2025-06-02T11:00+09" q -U "$ann" <<'SQL'
SELECT outcome('SELECT tsetp.clock()');
SELECT outcome($$SELECT tsetp.transfer(acc('g1'), acc('g2'), 'RE', '1')$$);
SET tsetp.now = '';
SELECT outcome($$SELECT tsetp.transfer(acc('g1'), acc('g2'), 'RE', '1')$$);
SQL
)
[ "$(echo $got)" = "TR512 TR512 ok" ] || fail "a login that is not a superuser pinned the clock: $(echo $got)"
after=$(q -c "SELECT count(*) FROM tsetp.ledger")
[ "$after" -eq $((before + 1)) ] || fail "a refused pin stored a request ($before -> $after ledger rows)"
echo "four_eyes: a superuser login keeps its pin under SET SESSION AUTHORIZATION; another login's pin is refused (5012)"

# 3. The real clock: JVETS transfers wait for approval, and business hours
# end 3 seconds from now (every day; after a wait if that would pass
# midnight in Tokyo).
q >/dev/null <<'SQL'
SELECT pg_sleep(15) WHERE (clock_timestamp() AT TIME ZONE 'Asia/Tokyo')::time > '23:59:40';
UPDATE tsetp.transaction_rule SET needs_approval = true WHERE programme = 'jvets' AND type = 'transfer';
DELETE FROM tsetp.registry_holiday WHERE programme = 'jvets';
UPDATE tsetp.business_hours SET opens = '00:00', weekdays = '{1,2,3,4,5,6,7}',
       closes = ((clock_timestamp() + interval '3 seconds') AT TIME ZONE 'Asia/Tokyo')::time
 WHERE programme = 'jvets';
SQL
q -U "$ann" >/dev/null <<'SQL'
INSERT INTO tx VALUES ('jv1', tsetp.transfer(acc('j1'), acc('j2'), 'JPA', '10')),
                      ('jv2', tsetp.transfer(acc('j1'), acc('j2'), 'JPA', '10'));
SQL
got=$(q -U "$ben" <<'SQL'
BEGIN;
SELECT outcome(format('SELECT tsetp.approve(%s)', (SELECT id FROM tx WHERE k = 'jv1')));
SELECT pg_sleep(0.05) FROM generate_series(1, 200)
 WHERE (clock_timestamp() AT TIME ZONE 'Asia/Tokyo')::time
       <= (SELECT closes FROM tsetp.business_hours WHERE programme = 'jvets') + interval '0.2 seconds';
SELECT outcome(format('SELECT tsetp.approve(%s)', (SELECT id FROM tx WHERE k = 'jv2')));
SELECT (now() AT TIME ZONE 'Asia/Tokyo')::time < closes FROM tsetp.business_hours WHERE programme = 'jvets';
COMMIT;
SQL
)
got=$(echo $got | tr -s ' ')
[ "$got" = "ok TR504 t" ] || fail "an approval after the end of business hours, in a transaction begun inside them: $got"
got=$(q -c "SELECT string_agg(s.status, ' ' ORDER BY t.k) FROM tx t JOIN tsetp.transaction_status s ON s.id = t.id WHERE t.k IN ('jv1', 'jv2')")
[ "$got" = "completed requested" ] || fail "statuses after the boundary: $got"
echo "four_eyes: by the real clock, a transaction begun in business hours approves inside them and is refused (5004) after their end"

# 4. A procedure called inside business hours that commits after their end:
# its later transaction's approval is judged at that transaction's start,
# not at the CALL statement's.
q >/dev/null <<SQL
SELECT pg_sleep(15) WHERE (clock_timestamp() AT TIME ZONE 'Asia/Tokyo')::time > '23:59:40';
UPDATE tsetp.business_hours SET closes = ((clock_timestamp() + interval '3 seconds') AT TIME ZONE 'Asia/Tokyo')::time
 WHERE programme = 'jvets';
CREATE TABLE proc_result (outcome text);
GRANT INSERT ON proc_result TO PUBLIC;
CREATE PROCEDURE approve_after_hours(tx bigint) LANGUAGE plpgsql AS \$\$
BEGIN
    PERFORM pg_sleep(0.05) FROM generate_series(1, 200)
      WHERE (clock_timestamp() AT TIME ZONE 'Asia/Tokyo')::time
            <= (SELECT closes FROM tsetp.business_hours WHERE programme = 'jvets') + interval '0.2 seconds';
    COMMIT;
    INSERT INTO proc_result VALUES (outcome(format('SELECT tsetp.approve(%s)', tx)));
END
\$\$;
SQL
q -U "$ann" >/dev/null <<'SQL'
INSERT INTO tx VALUES ('jv3', tsetp.transfer(acc('j1'), acc('j2'), 'JPA', '10'));
SQL
q -U "$ben" >/dev/null -c "CALL approve_after_hours($(q -c "SELECT id FROM tx WHERE k = 'jv3'"))"
got=$(q -c "SELECT string_agg(outcome, ' ') FROM proc_result")
[ "$got" = "TR504" ] || fail "an approval in a procedure's transaction after the end of business hours, CALLed inside them: $got"
echo "four_eyes: ok (and a procedure CALLed in business hours that approves after committing past their end is refused)"
