# A throw-away PostgreSQL cluster on loopback for the server tests (sourced). Exports PGHOST,
# PGPORT, PGUSER and ESEAL_TEST_PG_CRASH (a command that crashes and restarts the cluster);
# the cluster is stopped and removed when the sourcing shell exits.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$PG_BIN/initdb" ] || { echo "pg.sh: PostgreSQL server binaries not found" >&2; return 1; }
PG_DIR=$(mktemp -d /tmp/eseal-pg.XXXXXX)
PGPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# initdb refuses to run as root: run the cluster as the postgres user then.
if [ "$(id -u)" = 0 ]; then
    chown postgres "$PG_DIR"
    pg_as() { runuser -u postgres -- "$@"; }
else
    pg_as() { "$@"; }
fi
pg_ctl_do() { pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 "$@" >/dev/null; }
pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; rm -rf "$PG_DIR"; return 1; }
pg_ctl_do -o "-k $PG_DIR -p $PGPORT -h 127.0.0.1 -c fsync=on" start \
    || { cat "$PG_DIR/log" >&2; rm -rf "$PG_DIR"; return 1; }
pg_cleanup() { pg_ctl_do -m immediate stop 2>/dev/null; rm -rf "$PG_DIR"; }
trap pg_cleanup EXIT
export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PATH="$PG_BIN:$PATH"
export ESEAL_TEST_PG_CRASH="runuser_or() { if [ \"\$(id -u)\" = 0 ]; then runuser -u postgres -- \"\$@\"; else \"\$@\"; fi; };
runuser_or $PG_BIN/pg_ctl -D $PG_DIR/data -m immediate -w stop >/dev/null &&
runuser_or $PG_BIN/pg_ctl -D $PG_DIR/data -l $PG_DIR/log -w -t 60 -o '-k $PG_DIR -p $PGPORT -h 127.0.0.1' start >/dev/null &&
grep -q 'database system was interrupted\|not properly shut down' $PG_DIR/log"
