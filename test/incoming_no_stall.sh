#!/usr/bin/env bash
# Units coming into an account do not hold up the account's own requests:
# a transaction that moved units into another holder's account and stays
# open (a broker's session left idle in transaction) must not make the
# receiving holder's transfer out wait, at any isolation level; closing the
# account still waits for it (test/isolation.sh, close_in). Each guard side
# of tsetp.account_guard is what makes the difference: with one guard row
# per account the transfer out times out here.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (a superuser).
set -euo pipefail
db=tsetp_incoming_$$
work=$(mktemp -d /tmp/tsetp-incoming.XXXXXX)
cleanup() {
  exec 7>&- 2>/dev/null || true
  wait 2>/dev/null || true
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
export PGDATABASE=$db
# A business day's morning in Tokyo, for the JVETS registry's hours.
export PGOPTIONS="-c tsetp.now=2025-06-02T11:00+09 -c client_min_messages=warning"
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
q -d postgres -c "CREATE DATABASE $db" >/dev/null
q -c "CREATE EXTENSION tsetp" >/dev/null
read -r a b c < <(q -F ' ' -c "SELECT tsetp.open_account('jvets', 'Incoming A'), tsetp.open_account('jvets', 'Incoming B'), tsetp.open_account('jvets', 'Incoming C')")
q -c "SELECT tsetp.issue('$a', 'JPA', 'FY2024', 'INCOMING', '100'), tsetp.issue('$b', 'JPA', 'FY2024', 'INCOMING', '100')" >/dev/null

failures=0
for level in 'READ COMMITTED' 'REPEATABLE READ' 'SERIALIZABLE'; do
  rm -f "$work/s1" "$work/s1.out"
  mkfifo "$work/s1"
  psql -X -q -v ON_ERROR_STOP=1 <"$work/s1" >"$work/s1.out" 2>&1 &
  s1=$!
  exec 7>"$work/s1"
  # Session 1: units from A into B, and the transaction stays open.
  echo "BEGIN ISOLATION LEVEL $level; SELECT tsetp.transfer('$a', '$b', 'JPA', '10');" >&7
  for _ in $(seq 1 100); do
    [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND state = 'idle in transaction'")" = 1 ] && break
    sleep 0.1
  done
  # Session 2: B's own transfer out, under the same level, bounded in time.
  if out=$(PGOPTIONS="$PGOPTIONS -c statement_timeout=3s" \
           q -c "BEGIN ISOLATION LEVEL $level" -c "SELECT tsetp.transfer('$b', '$c', 'JPA', '5')" -c "COMMIT" 2>&1); then
    echo "incoming_no_stall: $level: B's transfer out completed while units into B were uncommitted"
  else
    echo "incoming_no_stall: $level: B's transfer out did not complete: $out" >&2
    failures=$((failures + 1))
  fi
  echo "COMMIT;" >&7
  exec 7>&-
  wait $s1 || { cat "$work/s1.out" >&2; failures=$((failures + 1)); }
done
# Both transfers of each round stood: B received 30 t and sent 15 t.
held=$(q -c "SELECT (SELECT sum(tonnes) FROM tsetp.holding WHERE account = '$b' AND state = 'free'), (SELECT sum(tonnes) FROM tsetp.holding WHERE account = '$c' AND state = 'free')")
[ "$held" = "115|15" ] || { echo "incoming_no_stall: B and C hold $held, not 115|15" >&2; failures=$((failures + 1)); }
[ $failures -eq 0 ] || exit 1
echo "incoming_no_stall: ok"
