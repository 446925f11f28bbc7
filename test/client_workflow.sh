#!/usr/bin/env bash
# An integrator's workflow through a real driver: builds clients/integrator.c
# against libpq and runs it on a database of its own, with one login role per
# party (two registry clerks, two facility operators, a verifier). The
# program checks every result and every refusal's SQLSTATE and exits non-zero
# on any surprise. Runs against the cluster of scripts/test.sh (PGHOST,
# PGPORT, PGUSER: a superuser).
set -euo pipefail
cd "$(dirname "$0")/.."
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
db=tsetp_client_$$
work=$(mktemp -d /tmp/tsetp-client.XXXXXX)
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

gcc -std=gnu99 -Wall -Wextra -Werror -O1 -I"$($PG_CONFIG --includedir)" clients/integrator.c \
    -L"$($PG_CONFIG --libdir)" -lpq -o "$work/integrator"

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null
PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL'
CREATE EXTENSION tsetp;
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM (VALUES ('integ_clerk', 'tsetp_admin'), ('integ_approver', 'tsetp_admin'),
                                   ('integ_works', 'tsetp_operator'), ('integ_tower', 'tsetp_operator'),
                                   ('integ_verifier', 'tsetp_verifier')) AS v(role, grp) LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.role) THEN
            EXECUTE format('CREATE ROLE %I LOGIN IN ROLE %I', r.role, r.grp);
        END IF;
    END LOOP;
END
$$;
INSERT INTO tsetp.holder_member VALUES ('Kawaguchi Works KK', 'integ_works'), ('Omiya Tower KK', 'integ_tower');
SQL
"$work/integrator" "$db"
