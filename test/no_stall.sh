#!/usr/bin/env bash
# No one can stall the registry for others. A login with no grants at all
# opens a transaction and, holding it open, takes every advisory lock on
# the keys a registry could use (the account and issuance keys of earlier
# versions, hashtext of every account number and programme, in both
# advisory key spaces) and tries every lock it can reach on every relation
# of the extension (LOCK TABLE in each mode, SELECT ... FOR KEY SHARE / FOR
# SHARE / FOR UPDATE), keeping whatever it got. Meanwhile an operator's
# requests (a transfer that takes effect at once, one that waits for
# approval) and an administrator's issue, issue of excess reduction and
# approval must complete, each within statement_timeout.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (a superuser) where tsetp
# can be created; exits non-zero on any failure.
set -euo pipefail
EXT=${TSETP_EXTENSION:-tsetp}
db=tsetp_no_stall_$$
work=$(mktemp -d /tmp/tsetp-stall.XXXXXX)
cleanup() {
  exec 7>&- 2>/dev/null || true
  [ -n "${attacker:-}" ] && kill "$attacker" 2>/dev/null || true
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
export PGDATABASE=$db
export PGOPTIONS="-c client_min_messages=warning"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

q >/dev/null <<SQL
CREATE EXTENSION $EXT;
DO \$\$
DECLARE r record;
BEGIN
    FOR r IN SELECT * FROM (VALUES ('tsetp_stall_nobody', NULL), ('tsetp_stall_operator', 'tsetp_operator'),
                                   ('tsetp_stall_admin', 'tsetp_admin')) AS v(role, grp) LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.role) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', r.role);
        END IF;
        IF r.grp IS NOT NULL THEN
            EXECUTE format('GRANT %I TO %I', r.grp, r.role);
        END IF;
    END LOOP;
END
\$\$;
-- The registry is open around the clock here (JVETS business hours), so
-- that logins that cannot pin the clock may transfer at any time.
UPDATE tsetp.business_hours SET opens = '00:00', closes = '23:59:59.999999', weekdays = '{1,2,3,4,5,6,7}';
-- The operator's accounts, a Saitama facility with excess reduction to issue.
INSERT INTO tsetp.holder_member VALUES ('Stall Co', 'tsetp_stall_operator');
CREATE TABLE stall_account (k text PRIMARY KEY, number text NOT NULL);
INSERT INTO stall_account VALUES
    ('j1', tsetp.open_account('jvets', 'Stall Co')), ('j2', tsetp.open_account('jvets', 'Other Co')),
    ('s1', tsetp.open_account('saitama', 'Stall Co')), ('s2', tsetp.open_account('saitama', 'Other Co'));
SELECT tsetp.issue(number, CASE WHEN k LIKE 'j%' THEN 'JPA' ELSE 'SME' END, 'FY2024', 'STALL', '1000') FROM stall_account;
INSERT INTO tsetp.facility (programme, code, name, operator, category) VALUES ('saitama', 'ST1', 'Stall Tower', 'Stall Co', '1-1');
INSERT INTO tsetp.energy_use SELECT f.id, y, 2000, true FROM tsetp.facility f, generate_series(2016, 2024) y;
INSERT INTO tsetp.base_emission SELECT f.id, 'FY2020', '10000', 'historical', NULL FROM tsetp.facility f;
INSERT INTO tsetp.emission
SELECT f.id, e.fy::tsetp.fiscal_year, e.amount::tsetp.tco2, 'Verifier KK'
  FROM tsetp.facility f, (VALUES ('FY2020', '7000'), ('FY2021', '7500')) AS e(fy, amount);
GRANT SELECT ON stall_account TO PUBLIC;
-- Every advisory key pair a registry could use: its words and every
-- account number, programme and facility code, hashed as PostgreSQL hashes text.
CREATE TABLE stall_key AS
SELECT DISTINCT hashtext(w) AS k1, hashtext(x) AS k2
  FROM unnest(ARRAY['tsetp.account', 'tsetp.issue_excess', 'tsetp.ledger', 'tsetp.holding', 'tsetp.serial_counter', 'tsetp']) AS w,
       (SELECT number FROM tsetp.account UNION SELECT code FROM tsetp.programme
        UNION SELECT code FROM tsetp.facility UNION SELECT '') AS a(x);
GRANT SELECT ON stall_key TO PUBLIC;
-- Every relation of the extension, for the attacker to try.
CREATE TABLE stall_relation AS
SELECT c.oid::regclass::text AS rel, c.relkind
  FROM pg_class c JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = '$EXT'
 WHERE c.relkind IN ('r', 'v', 'm', 'p', 'S');
GRANT SELECT ON stall_relation TO PUBLIC;
CREATE TABLE stall_got (what text);
GRANT INSERT ON stall_got TO PUBLIC;
SQL

# The attacker: no grants, holds its transaction open.
mkfifo "$work/attacker.in"
PGUSER=tsetp_stall_nobody PGAPPNAME=tsetp_stall_attacker psql -X -q -At -v ON_ERROR_STOP=1 <"$work/attacker.in" >"$work/attacker.out" 2>&1 &
attacker=$!
exec 7>"$work/attacker.in"
cat >&7 <<'SQL'
BEGIN;
SELECT count(pg_advisory_lock(k1, k2)) + count(pg_advisory_lock_shared(k2, k1))
     + count(pg_advisory_xact_lock(((k1::bigint << 32) | (k2::bigint & 4294967295)))) FROM stall_key;
DO $$
DECLARE
    r record;
    m text;
BEGIN
    FOR r IN SELECT * FROM stall_relation ORDER BY rel LOOP
        FOREACH m IN ARRAY ARRAY['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE',
                                 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'] LOOP
            BEGIN
                EXECUTE format('LOCK TABLE %s IN %s MODE NOWAIT', r.rel, m);
                INSERT INTO stall_got VALUES (format('LOCK %s IN %s MODE', r.rel, m));
            EXCEPTION WHEN OTHERS THEN NULL;
            END;
        END LOOP;
        FOREACH m IN ARRAY ARRAY['KEY SHARE', 'SHARE', 'NO KEY UPDATE', 'UPDATE'] LOOP
            BEGIN
                EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %s FOR %s NOWAIT) x', r.rel, m);
                INSERT INTO stall_got VALUES (format('SELECT FROM %s FOR %s', r.rel, m));
            EXCEPTION WHEN OTHERS THEN NULL;
            END;
        END LOOP;
    END LOOP;
END
$$;
SELECT 'attacker ready';
SQL
for i in $(seq 1 2000); do
  grep -q 'attacker ready' "$work/attacker.out" 2>/dev/null && break
  kill -0 "$attacker" 2>/dev/null || { cat "$work/attacker.out"; echo "no_stall: the attacker's session ended" >&2; exit 1; }
  sleep 0.01
done
grep -q 'attacker ready' "$work/attacker.out" || { echo "no_stall: the attacker never got ready" >&2; exit 1; }
held=$(q -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
              WHERE a.application_name = 'tsetp_stall_attacker' AND l.locktype = 'advisory' AND l.granted")
echo "no_stall: the attacker holds $held advisory locks"
[ "$held" -gt 0 ] || { echo "no_stall: the attacker took no advisory lock" >&2; exit 1; }

# Everyone else, each statement bounded.
status=0
as() {  # role, what, sql
  if ! PGUSER=$1 PGOPTIONS="$PGOPTIONS -c statement_timeout=5s" q <<<"$3" >"$work/out" 2>&1; then
    echo "no_stall: $2 as $1 did not complete: $(cat "$work/out")" >&2
    status=1
  fi
}
as tsetp_stall_operator "a transfer that takes effect at once" \
   "SELECT tsetp.transfer((SELECT number FROM stall_account WHERE k = 'j1'), (SELECT number FROM stall_account WHERE k = 'j2'), 'JPA', '10')"
as tsetp_stall_operator "a transfer by block" \
   "SELECT tsetp.transfer((SELECT number FROM stall_account WHERE k = 'j1'), (SELECT number FROM stall_account WHERE k = 'j2'),
                          (SELECT block FROM tsetp.holding WHERE account = (SELECT number FROM stall_account WHERE k = 'j1') AND state = 'free' LIMIT 1))"
as tsetp_stall_operator "a transfer that waits for approval" \
   "SELECT tsetp.transfer((SELECT number FROM stall_account WHERE k = 's1'), (SELECT number FROM stall_account WHERE k = 's2'), 'SME', '10')"
as tsetp_stall_admin "an issue" \
   "SELECT tsetp.issue((SELECT number FROM stall_account WHERE k = 'j2'), 'JPA', 'FY2024', 'STALL', '5')"
as tsetp_stall_admin "an issue of excess reduction" \
   "SELECT tsetp.issue_excess((SELECT id FROM tsetp.facility WHERE code = 'ST1'), 3)"
as tsetp_stall_admin "an approval" \
   "SELECT tsetp.approve(max(id)) FROM tsetp.ledger WHERE type = 'transfer' AND programme = 'saitama'"
as tsetp_stall_admin "a change of verified emissions" \
   "UPDATE tsetp.emission SET amount = '7100' WHERE fy::text = 'FY2022'"
as tsetp_stall_admin "closing an account" \
   "SELECT tsetp.open_account('jvets', 'Empty Co') AS n \\gset
    UPDATE tsetp.account SET status = 'closed' WHERE number = :'n'"

printf 'COMMIT;\n' >&7
exec 7>&-
wait "$attacker" || true
echo "no_stall: what the login without grants could lock: $(q -c "SELECT coalesce(string_agg(what, ', '), 'nothing') FROM stall_got")"
[ "$(q -c "SELECT count(*) FROM tsetp.ledger WHERE requested_by IN ('tsetp_stall_operator', 'tsetp_stall_admin')")" = 5 ] \
  || { echo "no_stall: not every request was recorded" >&2; status=1; }
if [ $status -ne 0 ]; then
  echo "no_stall: FAILED" >&2
  exit 1
fi
echo "no_stall: ok (a login without grants holding every lock it can take stalls no operator's or administrator's request)"
