#!/usr/bin/env bash
# tsetp.verify_integrity() is one query of many parts: on a server with the
# default settings its estimated cost passes the JIT thresholds, and
# compiling it takes seconds (far more than running it). It must run with
# JIT off, whatever the session or server says: the function carries
# jit = off, and with JIT forced on for every query (thresholds 0) it still
# answers quickly.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (a superuser) where tsetp
# can be created; exits non-zero on any failure.
set -euo pipefail
EXT=${TSETP_EXTENSION:-tsetp}
db=tsetp_integrity_jit_$$
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; }
trap cleanup EXIT
export PGDATABASE=$db
export PGOPTIONS="-c client_min_messages=warning"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
q -c "CREATE EXTENSION $EXT" >/dev/null
fail=0

conf=$(q -c "SELECT COALESCE(array_to_string(proconfig, ','), '') FROM pg_proc
              WHERE oid = 'tsetp.verify_integrity()'::regprocedure")
case ",$conf," in
  *,jit=off,*) echo "ok: verify_integrity carries jit = off";;
  *) echo "FAIL: verify_integrity's settings are '$conf', without jit = off"; fail=1;;
esac

if [ "$(q -c "SELECT pg_jit_available()")" = t ]; then
  ms=$(q <<'SQL'
SET jit = on; SET jit_above_cost = 0; SET jit_inline_above_cost = 0; SET jit_optimize_above_cost = 0;
SELECT count(*) FROM tsetp.verify_integrity() \gset
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM tsetp.verify_integrity() \gset
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000);
SQL
)
  if [ "$ms" -lt 2000 ]; then
    echo "ok: with JIT forced on, verify_integrity took $ms ms"
  else
    echo "FAIL: with JIT forced on, verify_integrity took $ms ms (JIT compiles it)"; fail=1
  fi
else
  echo "note: this server has no JIT; the timing under JIT is not measured"
fi
exit $fail
