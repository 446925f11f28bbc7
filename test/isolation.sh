#!/usr/bin/env bash
# Every registry rule that reads more than the row it writes, across two
# sessions at every isolation level. For each rule and each pair of levels
# (READ COMMITTED, REPEATABLE READ, SERIALIZABLE for the first and for the
# second session): the first session makes its request and holds its
# transaction open; the second makes a request that, together with the
# first, would break the rule (each alone is legal); once the second waits
# for a lock (seen in pg_stat_activity) or has ended, the first commits.
# Afterwards the stored state must be legal, and every session that was
# refused must have got a clean error: 40001 (retry) or the rule's own code.
#   reserve  two transfers from a JVETS account, one by block, one by amount,
#            each leaving its commitment reserve, together not (1005)
#   cap      two surrenders of out-of-area credits for one facility and
#            period from two accounts, each within the 1/3 cap, together
#            over it (4004)
#   balance  two transfers of 60 t from an account holding 100 t (1004)
#   close_in     a transfer into an account / the account is closed (1008, 2004)
#   close_first  the account is closed / a transfer into it
#   approve  a pending transfer into an account is approved / the account is
#            closed
#   issue    credits are issued into an account / the account is closed
# Needs PGHOST/PGPORT/PGUSER of a running cluster (a superuser) where tsetp
# can be created; exits non-zero on any failure.
set -euo pipefail
EXT=${TSETP_EXTENSION:-tsetp}
db=tsetp_isolation_$$
work=$(mktemp -d /tmp/tsetp-iso.XXXXXX)
cleanup() {
  exec 7>&- 2>/dev/null || true
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
export PGDATABASE=$db
export PGOPTIONS="-c tsetp.now=2025-06-02T11:00+09 -c client_min_messages=warning -c statement_timeout=20s"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

q >/dev/null <<SQL
CREATE EXTENSION $EXT;
DO \$\$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tsetp_iso_approver') THEN
        CREATE ROLE tsetp_iso_approver IN ROLE tsetp_admin;
    END IF;
END \$\$;
-- Saitama surrenders come from the facility's designated account; a
-- programme may also let its operator's general accounts surrender (a row
-- of tsetp.account_route), and then two accounts surrender for one cap.
INSERT INTO tsetp.account_route (programme, type, from_type, to_type) VALUES ('saitama', 'surrender', 'general', 'none');
CREATE TABLE iso_obj (n int, k text, v text, PRIMARY KEY (n, k));
CREATE TABLE iso_seen (what text);
CREATE FUNCTION iso(n int, k text) RETURNS text LANGUAGE sql STABLE AS 'SELECT v FROM iso_obj WHERE iso_obj.n = \$1 AND iso_obj.k = \$2';
GRANT SELECT ON iso_obj TO tsetp_iso_approver;
-- The out-of-area cap of a facility for period 3.
CREATE FUNCTION iso_cap(fid bigint) RETURNS bigint LANGUAGE sql STABLE AS
  'SELECT floor(r.target_total::numeric * k.cap_numerator / k.cap_denominator)::bigint
     FROM tsetp.facility_period_reduction r, tsetp.credit_kind k
    WHERE r.facility_id = \$1 AND r.period_no = 3 AND k.programme = ''saitama'' AND k.code = ''OUT''';
-- The objects of scenario n of a rule, fresh for each scenario.
CREATE FUNCTION iso_setup(n int, rule text) RETURNS void LANGUAGE plpgsql AS \$f\$
DECLARE
    x text;
    y text;
    f bigint;
BEGIN
    CASE rule
    WHEN 'reserve' THEN
        x := tsetp.open_account('jvets', 'Iso ' || n || ' A');
        PERFORM tsetp.issue(x, 'JPA', 'FY2023', 'ISO', '50');
        INSERT INTO iso_obj VALUES (n, 'block', tsetp.issue(x, 'JPA', 'FY2024', 'ISO', '50')::text);
        UPDATE tsetp.account SET commitment_reserve = '40' WHERE number = x;
        INSERT INTO iso_obj VALUES (n, 'a', x), (n, 'b', tsetp.open_account('jvets', 'Iso ' || n || ' B')),
                                   (n, 'c', tsetp.open_account('jvets', 'Iso ' || n || ' C'));
    WHEN 'balance' THEN
        x := tsetp.open_account('jvets', 'Iso ' || n || ' A');
        PERFORM tsetp.issue(x, 'JPA', 'FY2024', 'ISO', '100');
        INSERT INTO iso_obj VALUES (n, 'a', x), (n, 'b', tsetp.open_account('jvets', 'Iso ' || n || ' B')),
                                   (n, 'c', tsetp.open_account('jvets', 'Iso ' || n || ' C'));
    WHEN 'cap' THEN
        -- A Saitama facility of category 2, base 20,000 t, covered from
        -- FY2019, with its designated account and a general account of its
        -- operator, each holding out-of-area credits: a surrender of half
        -- the cap plus one from either is legal alone.
        INSERT INTO tsetp.facility (programme, code, name, operator, category)
        VALUES ('saitama', 'ISO' || n, 'Isolation Plant ' || n, 'Isolation Works ' || n, '2')
        RETURNING id INTO f;
        INSERT INTO tsetp.energy_use SELECT f, g.fy, 2000, true FROM generate_series(2016, 2024) AS g(fy);
        INSERT INTO tsetp.base_emission VALUES (f, 'FY2020', '20000', 'historical', NULL);
        x := tsetp.designated_account(f);
        y := tsetp.open_account('saitama', 'Isolation Works ' || n);
        PERFORM tsetp.issue(x, 'OUT', 'FY2021', 'OFFSET', (iso_cap(f) / 2 + 1)::text::tsetp.tco2);
        PERFORM tsetp.issue(y, 'OUT', 'FY2021', 'OFFSET', (iso_cap(f) / 2 + 1)::text::tsetp.tco2);
        INSERT INTO iso_obj VALUES (n, 'f', f::text), (n, 'a', x), (n, 'g', y), (n, 'amount', (iso_cap(f) / 2 + 1)::text);
    WHEN 'close_in', 'close_first', 'issue' THEN
        x := tsetp.open_account('jvets', 'Iso ' || n || ' X');
        y := tsetp.open_account('jvets', 'Iso ' || n || ' Y');
        PERFORM tsetp.issue(y, 'JPA', 'FY2024', 'ISO', '10');
        INSERT INTO iso_obj VALUES (n, 'x', x), (n, 'y', y);
    WHEN 'approve' THEN
        x := tsetp.open_account('saitama', 'Iso ' || n || ' X');
        y := tsetp.open_account('saitama', 'Iso ' || n || ' Y');
        PERFORM tsetp.issue(y, 'SME', 'FY2024', 'ISO', '10');
        INSERT INTO iso_obj VALUES (n, 'x', x), (n, 'y', y), (n, 'tx', tsetp.transfer(y, x, 'SME', '10')::text);
    END CASE;
END
\$f\$;
-- What is illegal, whichever scenario left it.
CREATE FUNCTION iso_violations() RETURNS SETOF text LANGUAGE sql STABLE AS \$f\$
SELECT 'closed account ' || a.number || ' holds ' || sum(h.tonnes) || ' t'
  FROM tsetp.account a JOIN tsetp.holding h ON h.account = a.number AND h.state IN ('free', 'reserved')
 WHERE a.status = 'closed' GROUP BY a.number
UNION ALL
SELECT 'account ' || a.number || ' holds ' || COALESCE(sum(h.tonnes), 0) || ' t free under its reserve of ' || a.commitment_reserve
  FROM tsetp.account a LEFT JOIN tsetp.holding h ON h.account = a.number AND h.state = 'free'
 WHERE a.commitment_reserve::numeric > 0 GROUP BY a.number, a.commitment_reserve
HAVING COALESCE(sum(h.tonnes), 0) < a.commitment_reserve::numeric
UNION ALL
SELECT 'out-of-area credits for facility ' || l.facility_id || ' in period 3: ' || sum(l.amount::numeric) || ' t over the cap of ' || iso_cap(l.facility_id)
  FROM tsetp.ledger l JOIN tsetp.transaction_status s ON s.id = l.id
 WHERE l.type = 'surrender' AND l.kind = 'OUT' AND l.period_no = 3
   AND s.status IN ('requested', 'completed')
 GROUP BY l.facility_id
HAVING sum(l.amount::numeric) > iso_cap(l.facility_id)
UNION ALL
SELECT 'account ' || a.number || ': holdings ' || COALESCE(h.held, 0) || ' t, ledger ' || COALESCE(m.moved, 0) || ' t'
  FROM tsetp.account a
  LEFT JOIN (SELECT account, sum(tonnes) AS held FROM tsetp.holding WHERE state IN ('free', 'reserved') GROUP BY 1) h ON h.account = a.number
  LEFT JOIN (SELECT account, sum(CASE direction WHEN 'in' THEN tonnes ELSE -tonnes END) AS moved FROM tsetp.ledger_movement GROUP BY 1) m ON m.account = a.number
 WHERE COALESCE(h.held, 0) <> COALESCE(m.moved, 0) OR COALESCE(m.moved, 0) < 0
UNION ALL
SELECT 'serial held twice: ' || a.block || ' and ' || b.block
  FROM tsetp.holding a JOIN tsetp.holding b ON a.first_serial < b.first_serial
   AND tsetp.serials(a.block) && tsetp.serials(b.block)
\$f\$;
SQL

# The two requests of each rule (scenario number :n), and the codes with
# which the rule refuses one of them.
declare -A first second codes
first[reserve]="SELECT tsetp.transfer(iso(:n, 'a'), iso(:n, 'b'), iso(:n, 'block')::tsetp.credit)"
second[reserve]="SELECT tsetp.transfer(iso(:n, 'a'), iso(:n, 'c'), 'JPA', '50')"
codes[reserve]="TR105"
first[balance]="SELECT tsetp.transfer(iso(:n, 'a'), iso(:n, 'b'), 'JPA', '60')"
second[balance]="SELECT tsetp.transfer(iso(:n, 'a'), iso(:n, 'c'), 'JPA', '60')"
codes[balance]="TR104"
first[cap]="SELECT tsetp.surrender(iso(:n, 'f')::bigint, 3, iso(:n, 'a'), 'OUT', iso(:n, 'amount')::tsetp.tco2)"
second[cap]="SELECT tsetp.surrender(iso(:n, 'f')::bigint, 3, iso(:n, 'g'), 'OUT', iso(:n, 'amount')::tsetp.tco2)"
codes[cap]="TR404"
first[close_in]="SELECT tsetp.transfer(iso(:n, 'y'), iso(:n, 'x'), 'JPA', '10')"
second[close_in]="UPDATE tsetp.account SET status = 'closed' WHERE number = iso(:n, 'x')"
codes[close_in]="TR108 TR204"
first[close_first]="UPDATE tsetp.account SET status = 'closed' WHERE number = iso(:n, 'x')"
second[close_first]="SELECT tsetp.transfer(iso(:n, 'y'), iso(:n, 'x'), 'JPA', '10')"
codes[close_first]="TR108 TR204"
first[approve]="SELECT tsetp.approve(iso(:n, 'tx')::bigint)"
second[approve]="UPDATE tsetp.account SET status = 'closed' WHERE number = iso(:n, 'x')"
codes[approve]="TR108 TR204"
first[issue]="SELECT tsetp.issue(iso(:n, 'x'), 'JPA', 'FY2024', 'ISO', '5')"
second[issue]="UPDATE tsetp.account SET status = 'closed' WHERE number = iso(:n, 'x')"
codes[issue]="TR108 TR204"
# The approval is made by a second person.
declare -A prelude
prelude[approve]="SET SESSION AUTHORIZATION tsetp_iso_approver;"

levels=("READ COMMITTED" "REPEATABLE READ" "SERIALIZABLE")
rules=(${ISOLATION_RULES:-reserve cap balance close_in close_first approve issue})
# The SQLSTATE of the first error a session's psql reported, or ok.
outcome() { sed -n 's/^\(psql:[^ ]* \)\{0,1\}ERROR:  \([0-9A-Z]\{5\}\).*/\2/p' "$1" | head -n 1 | grep . || echo ok; }
# Waits until the named backend is in a state matching the pattern; gives
# up (and fails) after 20 seconds.
await_state() {
  local i
  for i in $(seq 1 2000); do
    [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1' AND state LIKE '$2'")" != 0 ] && return 0
    sleep 0.01
  done
  echo "isolation: $1 never reached state $2" >&2; exit 1
}

# Every scenario's objects at once.
n=0
setup=""
for rule in "${rules[@]}"; do
  for l in 1 2 3 4 5 6 7 8 9; do
    n=$((n + 1)); setup+="SELECT iso_setup($n, '$rule');"
  done
done
q -c "$setup" >/dev/null

failures=0
n=0
report=$work/report
: >"$report"
for rule in "${rules[@]}"; do
  for l1 in "${levels[@]}"; do
    for l2 in "${levels[@]}"; do
      n=$((n + 1))
      op1=${first[$rule]//:n/$n}
      op2=${second[$rule]//:n/$n}
      # Session 1: its request, held open.
      rm -f "$work/s1.in"; mkfifo "$work/s1.in"
      PGAPPNAME=iso_s1_$n psql -X -q -At -v VERBOSITY=sqlstate <"$work/s1.in" >/dev/null 2>"$work/s1.err" &
      s1=$!
      exec 7>"$work/s1.in"
      printf '%s\nBEGIN ISOLATION LEVEL %s\\; %s;\n' "${prelude[$rule]:-}" "$l1" "$op1" >&7
      await_state "iso_s1_$n" 'idle in transaction%'
      # Session 2: its request, then commit.
      printf 'BEGIN ISOLATION LEVEL %s\\; %s\\; COMMIT;\n' "$l2" "$op2" \
        | PGAPPNAME=iso_s2_$n psql -X -q -At -v VERBOSITY=sqlstate >/dev/null 2>"$work/s2.err" &
      s2=$!
      # Until it waits for a lock, or has ended.
      while kill -0 "$s2" 2>/dev/null \
            && [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'iso_s2_$n' AND wait_event_type = 'Lock'")" = 0 ]; do
        sleep 0.01
      done
      printf 'COMMIT;\n' >&7
      exec 7>&-
      wait "$s1" || true
      wait "$s2" || true
      o1=$(outcome "$work/s1.err")
      o2=$(outcome "$work/s2.err")
      bad=""
      for o in "$o1" "$o2"; do
        case " ok 40001 ${codes[$rule]} " in
          *" $o "*) ;;
          *) bad+=" unclean error $o ($(cat "$work/s1.err" "$work/s2.err" | tr '\n' ' '));" ;;
        esac
      done
      v=$(q -c "WITH new AS (INSERT INTO iso_seen SELECT x FROM iso_violations() x EXCEPT SELECT what FROM iso_seen RETURNING what)
                SELECT string_agg(what, '; ') FROM new")
      [ -n "$v" ] && bad+=" $v"
      line=$(printf '%-12s %-16s %-16s %-6s %-6s' "$rule" "$l1" "$l2" "$o1" "$o2")
      if [ -n "$bad" ]; then
        echo "$line FAILED:$bad" >>"$report"
        failures=$((failures + 1))
      else
        echo "$line" >>"$report"
      fi
    done
  done
done
cat "$report"
if [ "$failures" -ne 0 ]; then
  echo "isolation: FAILED" >&2
  exit 1
fi
echo "isolation: ok ($n scenarios: every rule held at every pair of isolation levels, every refusal clean)"
