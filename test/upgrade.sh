#!/usr/bin/env bash
# ALTER EXTENSION tsetp UPDATE from every released version. For each version
# in pg_available_extension_versions other than the default: install it,
# update to the default, and compare the extension's objects with a fresh
# install (pg_dump --binary-upgrade --schema-only shows every member object;
# lines carrying OIDs are left out). Also asserts that the update graph leads
# from every version to the default, and that ALTER EXTENSION tsetp UPDATE on
# a fresh install changes nothing. Runs against the cluster of
# scripts/test.sh (PGHOST, PGPORT, PGUSER: a superuser).
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
work=$(mktemp -d /tmp/tsetp-upgrade.XXXXXX)
fresh=tsetp_upgrade_fresh
cleanup() {
  for db in $fresh tsetp_upgrade_old; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# The extension's objects, without OIDs, comments on the dump and the SET
# lines that differ between runs.
schema() {
  pg_dump --binary-upgrade --schema-only -d "$1" \
    | grep -v -E '^--|^.(un)?restrict |binary_upgrade_set_next|binary_upgrade_set_record_init_privs|pg_catalog.set_config|^SET |^$' \
    | sed -E 's/[0-9]+::pg_catalog\.oid/OID::pg_catalog.oid/g'
}

default=$(q -d postgres -c "SELECT default_version FROM pg_available_extensions WHERE name = 'tsetp'")
versions=$(q -d postgres -c "SELECT version FROM pg_available_extension_versions WHERE name = 'tsetp' ORDER BY version")
echo "upgrade: default version $default; available: $(echo $versions)"

q -d postgres -c "DROP DATABASE IF EXISTS $fresh" -c "CREATE DATABASE $fresh"
q -d $fresh -c "CREATE EXTENSION tsetp"
schema $fresh > "$work/fresh.sql"
[ -s "$work/fresh.sql" ] || { echo "upgrade: empty schema dump" >&2; exit 1; }

# Every version has an update path to the default.
stuck=$(q -d $fresh -c "SELECT string_agg(source, ' ') FROM pg_extension_update_paths('tsetp')
                         WHERE target = '$default' AND source <> '$default' AND path IS NULL")
if [ -n "$stuck" ]; then
  echo "upgrade: no update path to $default from: $stuck" >&2
  exit 1
fi

# ALTER EXTENSION UPDATE on a fresh install is a no-op.
q -d $fresh -c "ALTER EXTENSION tsetp UPDATE"
[ "$(q -d $fresh -c "SELECT extversion FROM pg_extension WHERE extname = 'tsetp'")" = "$default" ] \
  || { echo "upgrade: version changed on a no-op update" >&2; exit 1; }
schema $fresh > "$work/fresh_updated.sql"
if ! diff -u "$work/fresh.sql" "$work/fresh_updated.sql"; then
  echo "upgrade: ALTER EXTENSION tsetp UPDATE changed a fresh install" >&2
  exit 1
fi

# The comparison sees a difference inside the extension (a changed comment
# of a member function), so that a silent pass means something.
q -d postgres -c "DROP DATABASE IF EXISTS tsetp_upgrade_old" -c "CREATE DATABASE tsetp_upgrade_old"
q -d tsetp_upgrade_old -c "CREATE EXTENSION tsetp" -c "COMMENT ON FUNCTION tsetp.clock() IS 'changed'"
schema tsetp_upgrade_old > "$work/changed.sql"
if diff -q "$work/fresh.sql" "$work/changed.sql" >/dev/null; then
  echo "upgrade: the schema comparison misses a changed member object" >&2
  exit 1
fi

tested=0
for v in $versions; do
  [ "$v" = "$default" ] && continue
  q -d postgres -c "DROP DATABASE IF EXISTS tsetp_upgrade_old" -c "CREATE DATABASE tsetp_upgrade_old"
  q -d tsetp_upgrade_old -c "CREATE EXTENSION tsetp VERSION '$v'" -c "ALTER EXTENSION tsetp UPDATE"
  schema tsetp_upgrade_old > "$work/from_$v.sql"
  if ! diff -u "$work/fresh.sql" "$work/from_$v.sql"; then
    echo "upgrade: $v updated to $default differs from a fresh install of $default" >&2
    exit 1
  fi
  echo "upgrade: $v -> $default matches a fresh install"
  tested=$((tested + 1))
done
echo "upgrade: ok ($tested older version(s) updated and compared; the update graph reaches $default from every version; a no-op update changes nothing, $(wc -l < "$work/fresh.sql") schema lines)"
