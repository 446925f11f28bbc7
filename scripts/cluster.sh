# Sourced by the test, demo and benchmark scripts: starts a throwaway
# PostgreSQL 15 cluster in a temporary folder, listening only on a Unix socket
# inside it, and stops and removes it when the calling script exits.
#   cluster_start [extra postgresql.conf lines...]
# exports PGHOST, PGPORT, PGUSER and PGDATABASE for psql, pg_regress and
# pg_prove. KEEP=1 leaves the cluster running and says how to connect.

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PGBIN=${PGBIN:-$($PG_CONFIG --bindir)}

_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cluster_stop() {
  if [ -n "${CLUSTER_DIR:-}" ] && [ -d "$CLUSTER_DIR" ]; then
    if [ "${KEEP:-0}" = 1 ]; then
      echo "tsetp: cluster left running; connect with: psql -h $CLUSTER_DIR -p $PGPORT -U $PGUSER ${PGDATABASE}"
      echo "tsetp: stop it with: runuser -u postgres -- $PGBIN/pg_ctl -D $CLUSTER_DIR/data stop; rm -rf $CLUSTER_DIR"
      return
    fi
    _as_owner "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$CLUSTER_DIR"
  fi
}

cluster_start() {
  CLUSTER_DIR=$(mktemp -d /tmp/tsetp-cluster.XXXXXX)
  chmod 755 "$CLUSTER_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$CLUSTER_DIR"
  trap cluster_stop EXIT
  export LC_ALL=C.UTF-8 LANG=C.UTF-8
  unset LANGUAGE
  _as_owner "$PGBIN/initdb" -D "$CLUSTER_DIR/data" -U postgres -E UTF8 \
    --locale=C.UTF-8 -A trust >"$CLUSTER_DIR/initdb.log" 2>&1 \
    || { cat "$CLUSTER_DIR/initdb.log"; return 1; }
  {
    echo "listen_addresses = ''"
    echo "unix_socket_directories = '$CLUSTER_DIR'"
    echo "port = 5432"
    echo "fsync = off"
    echo "max_connections = 100"
    for line in "$@"; do echo "$line"; done
  } >>"$CLUSTER_DIR/data/postgresql.conf"
  _as_owner "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" -w start >/dev/null \
    || { cat "$CLUSTER_DIR/server.log"; return 1; }
  export PGHOST=$CLUSTER_DIR PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
}
