#!/usr/bin/env bash
# with-pg.sh -- CMD ARGS...
#
# Starts a throwaway PostgreSQL 15 cluster (Debian's postgresql-15:
# initdb and pg_ctl from /usr/lib/postgresql/15/bin) in a temporary
# directory, listening only on a unix socket there (no TCP port), trust
# authentication, locale C, UTF-8; runs CMD with OCC_PG_CONNINFO (a libpq
# connection string to its database "occ") and OCC_PG_DIR in the
# environment; then stops the cluster and removes the directory, whatever
# CMD did. When run as root the cluster runs as the user postgres (initdb
# refuses root). Exits with CMD's status.
set -u
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$bin/initdb" ]; then
	echo "with-pg: $bin/initdb missing (apt-get install postgresql-15)" >&2
	exit 1
fi
dir=$(mktemp -d /tmp/occ-pg.XXXXXX)
chmod 755 "$dir"
as=()
if [ "$(id -u)" -eq 0 ]; then
	chown postgres: "$dir"
	as=(runuser -u postgres --)
fi
# a port number only names the socket file (.s.PGSQL.<port>)
port=$(( 20000 + RANDOM % 20000 ))

cleanup() {
	"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT

"${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust \
	--locale=C -E UTF8 >"$dir/initdb.log" 2>&1 || {
	echo "with-pg: initdb failed:" >&2; cat "$dir/initdb.log" >&2; exit 1; }
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w -t 30 \
	-o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=off" \
	start >/dev/null || {
	echo "with-pg: the server did not start:" >&2; cat "$dir/pg.log" >&2; exit 1; }
"${as[@]}" "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -qAt \
	-c "CREATE DATABASE occ" >/dev/null || {
	echo "with-pg: CREATE DATABASE failed" >&2; exit 1; }
export OCC_PG_CONNINFO="host=$dir port=$port user=postgres dbname=occ"
export OCC_PG_DIR=$dir
"$@"
