#!/usr/bin/env bash
# cluster.sh up|down|status [-n NODES] [-d DIR] — several occd nodes on one
# machine, on the engines of a several-machine deployment
# (docs/OPERATIONS.md, "Several nodes"):
#
#   PostgreSQL 15   the store of every node, and the team leases
#                   (Debian's postgresql-15, a private cluster in DIR/pg)
#   Redis           nchan's shared channels (redis-server)
#   nginx + nchan   two of them, each a publisher for half of the nodes and
#                   a subscriber/API entry for browsers (scripts/cluster/
#                   nginx.conf): an event published at either reaches the
#                   subscribers of both
#   Kamailio        the SIP entry point of phones and trunks, routing each
#                   team to its owner node (scripts/cluster/kamailio.cfg)
#   occd × NODES    occ1..occN (scripts/cluster/node.conf.in), NODES = 3
#                   unless -n says otherwise
#
# Everything listens on 127.0.0.1, on free ports picked at `up` (6000-9999:
# scripts/cluster/free_ports.py); DIR
# (default ./cluster) holds the data, logs, configurations and pid files,
# and DIR/env the addresses (sourced by tests/cluster/run.sh):
#   PG_CONNINFO, SIP (Kamailio, where phones register), HTTP_1..N (nodes),
#   SIP_1..N, WEB_1/WEB_2 (the nginx entries for browsers and API
#   clients), PUB_1/PUB_2, REDIS_PORT, NODES.
# The store gets the demo teams "demo" and "acme" (occd --demo on the first
# node, before the others start).
# `down` stops everything `up` started (by the pid files in DIR) and keeps
# DIR; `status` says what runs. OCCD / OCCCTL pick the binaries (default
# build/occd, build/occctl); CLUSTER_LEASE the lease in seconds (10).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
pgbin=${PG_BIN:-/usr/lib/postgresql/15/bin}
occd=${OCCD:-$root/build/occd}
occctl=${OCCCTL:-$root/build/occctl}

cmd=${1:-}
[ $# -gt 0 ] && shift
nodes=3
dir=./cluster
while [ $# -gt 0 ]; do
	case "$1" in
	-n) nodes=$2; shift 2 ;;
	-d) dir=$2; shift 2 ;;
	*) echo "usage: cluster.sh up|down|status [-n NODES] [-d DIR]" >&2; exit 2 ;;
	esac
done
case "$nodes" in ''|*[!0-9]*) echo "cluster: -n takes a number" >&2; exit 2 ;; esac
[ "$nodes" -ge 1 ] && [ "$nodes" -le 20 ] || { echo "cluster: 1..20 nodes" >&2; exit 2; }

as=()
[ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)

free_ports() {  # free_ports N: N distinct ports free for both TCP and UDP now
	python3 "$here/cluster/free_ports.py" "$1"
}

alive() {  # alive PIDFILE
	[ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

stop_pid() {  # stop_pid FILE [SIGNAL]: signal the process, KILL after 10 s
	local f=$1 sig=${2:-TERM} pid i
	[ -s "$f" ] || return 0
	pid=$(cat "$f")
	if kill -0 "$pid" 2>/dev/null; then
		kill "-$sig" "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$f"
}

wait_for() {  # wait_for SECONDS WHAT CMD...: until CMD succeeds
	local end=$((SECONDS + $1)) what=$2
	shift 2
	while [ $SECONDS -lt $end ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "cluster: $what did not come up" >&2
	return 1
}

wait_node() {  # wait_node I: occI answers /healthz; if it exits or hangs, its log's tail
	local i=$1 end=$((SECONDS + 60))
	while [ $SECONDS -lt $end ]; do
		curl -fsS "http://${http[i]}/healthz" >/dev/null 2>&1 && return 0
		alive "$dir/occ$i/occd.pid" || break
		sleep 0.1
	done
	echo "cluster: occ$i did not come up; the end of $dir/occ$i/occd.log:" >&2
	tail -n 15 "$dir/occ$i/occd.log" | sed 's/^/cluster:   /' >&2
	return 1
}

down() {
	local f
	[ -d "$dir" ] || return 0
	for f in "$dir"/occ*/occd.pid; do
		[ -e "$f" ] && stop_pid "$f"
	done
	stop_pid "$dir/kamailio/kamailio.pid"
	for f in "$dir"/nginx*/nginx.pid; do
		[ -e "$f" ] && stop_pid "$f" QUIT
	done
	stop_pid "$dir/redis/redis.pid"
	if [ -s "$dir/pg/data/postmaster.pid" ]; then
		"${as[@]}" "$pgbin/pg_ctl" -D "$dir/pg/data" -m fast -w -t 30 stop \
			>/dev/null 2>&1 || true
	fi
}

status() {
	local f n rc=0
	[ -f "$dir/env" ] || { echo "cluster: not up (no $dir/env)"; return 1; }
	for f in "$dir/pg/data/postmaster.pid" "$dir/redis/redis.pid" \
		"$dir"/nginx*/nginx.pid "$dir/kamailio/kamailio.pid" \
		"$dir"/occ*/occd.pid; do
		n=${f#"$dir"/}
		if [ -s "$f" ] && kill -0 "$(head -1 "$f")" 2>/dev/null; then
			echo "up    ${n%%/*} (pid $(head -1 "$f"))"
		else
			echo "down  ${n%%/*}"
			rc=1
		fi
	done
	cat "$dir/env"
	return $rc
}

start_node() {  # start_node I [--demo]
	local i=$1 nd=$dir/occ$1
	# shellcheck disable=SC2086
	"$occd" --config "$nd/occ.conf" ${2:-} >>"$nd/occd.log" 2>&1 &
	echo $! >"$nd/occd.pid"
}

up() {
	local i
	for i in kamailio redis-server nginx; do
		command -v "$i" >/dev/null || {
			echo "cluster: $i missing (scripts/deps.sh)" >&2; exit 1; }
	done
	[ -x "$pgbin/initdb" ] || { echo "cluster: $pgbin/initdb missing" >&2; exit 1; }
	[ -x "$occd" ] && [ -x "$occctl" ] || {
		echo "cluster: build occd and occctl first (make)" >&2; exit 1; }
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	down
	rm -rf "$dir/pg" "$dir/redis" "$dir"/nginx* "$dir/kamailio" "$dir"/occ* \
		"$dir/env"
	trap 'echo "cluster: up failed; stopping what started" >&2; down' ERR

	# ---- PostgreSQL: TCP on loopback (Kamailio's db_postgres) + socket
	# every port at once (distinct): PostgreSQL, Redis, Kamailio, two per
	# nginx, two per node
	local -a port
	read -r -a port <<<"$(free_ports $((7 + 2 * nodes)))"
	local pg_port=${port[0]} redis_port=${port[1]} kam_port=${port[2]} conninfo
	mkdir -p "$dir/pg"
	[ ${#as[@]} -gt 0 ] && chown postgres: "$dir/pg"
	"${as[@]}" "$pgbin/initdb" -D "$dir/pg/data" -U postgres --auth=trust \
		--locale=C -E UTF8 >"$dir/pg/initdb.log" 2>&1
	"${as[@]}" "$pgbin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/pg.log" -w -t 30 \
		-o "-c listen_addresses=127.0.0.1 -c unix_socket_directories='$dir/pg' -p $pg_port -c fsync=off -c max_connections=200" \
		start >/dev/null
	"${as[@]}" "$pgbin/psql" -h "$dir/pg" -p "$pg_port" -U postgres -d postgres \
		-qAt -c "CREATE DATABASE occ" >/dev/null
	conninfo="host=127.0.0.1 port=$pg_port user=postgres dbname=occ"

	# ---- Redis, no disk
	mkdir -p "$dir/redis"
	redis-server --bind 127.0.0.1 --port "$redis_port" --save '' \
		--appendonly no --dir "$dir/redis" --logfile "$dir/redis/redis.log" \
		--daemonize no >/dev/null 2>&1 &
	echo $! >"$dir/redis/redis.pid"
	wait_for 10 redis redis-cli -p "$redis_port" ping

	# ---- ports of the nodes, then the two nginx (they name the nodes)
	local -a http sip
	for ((i = 1; i <= nodes; i++)); do
		http[i]=127.0.0.1:${port[5 + 2 * i]}
		sip[i]=127.0.0.1:${port[6 + 2 * i]}
	done
	local upstreams="" k pub sub mod=/usr/lib/nginx/modules/ngx_nchan_module.so
	for ((i = 1; i <= nodes; i++)); do
		upstreams+="        server ${http[i]} max_fails=1 fail_timeout=10s;"$'\n'
	done
	: >"$dir/env.tmp"
	for k in 1 2; do
		pub=127.0.0.1:${port[1 + 2 * k]}
		sub=127.0.0.1:${port[2 + 2 * k]}
		mkdir -p "$dir/nginx$k/tmp"
		awk -v up="$upstreams" '{ if ($0 == "@UPSTREAMS@") printf "%s", up; else print }' \
			"$here/cluster/nginx.conf" |
		sed -e "s|@NCHAN_MODULE@|$mod|; s|@DIR@|$dir/nginx$k|g" \
			-e "s|@REDIS_URL@|redis://127.0.0.1:$redis_port|" \
			-e "s|@PUB_ADDR@|$pub|; s|@SUB_ADDR@|$sub|" >"$dir/nginx$k/nginx.conf"
		nginx -q -t -c "$dir/nginx$k/nginx.conf" -p "$dir/nginx$k" -e "$dir/nginx$k/error.log"
		nginx -c "$dir/nginx$k/nginx.conf" -p "$dir/nginx$k" -e "$dir/nginx$k/error.log" \
			>>"$dir/nginx$k/stdout.log" 2>&1 &
		wait_for 10 "nginx $k" curl -s -o /dev/null "http://$pub/"
		echo "PUB_$k=$pub" >>"$dir/env.tmp"
		echo "WEB_$k=http://$sub" >>"$dir/env.tmp"
	done

	# ---- the nodes' configurations
	local cluster_on="" lease=${CLUSTER_LEASE:-10} nd
	"$occd" --dump-config 2>/dev/null | grep -q '^\[cluster\]' || cluster_on=";"
	for ((i = 1; i <= nodes; i++)); do
		nd=$dir/occ$i
		mkdir -p "$nd"
		sed -e "s|@NAME@|occ$i|; s|@HTTP@|${http[i]}|g; s|@SIP@|${sip[i]}|g" \
			-e "s|@EDGE@|127.0.0.1:$kam_port|; s|@DATA@|$nd|" \
			-e "s|@CONNINFO@|$conninfo|; s|@LEASE@|$lease|" \
			-e "s|@PUB@|http://$(sed -n "s/^PUB_$(( (i - 1) % 2 + 1 ))=//p" "$dir/env.tmp")/pub|" \
			-e "s|^@CLUSTER@|$cluster_on|" \
			"$here/cluster/node.conf.in" >"$nd/occ.conf"
		chmod 600 "$nd/occ.conf"
	done

	# ---- the first node makes the schema and the demo teams, then the
	# ---- others
	start_node 1 --demo
	wait_node 1
	for ((i = 2; i <= nodes; i++)); do
		start_node "$i"
	done
	for ((i = 2; i <= nodes; i++)); do
		wait_node "$i"
	done
	# the proxy's route look-up (after occd made the tables)
	"${as[@]}" "$pgbin/psql" -h "$dir/pg" -p "$pg_port" -U postgres -d occ -qAt \
		-v ON_ERROR_STOP=1 -f "$here/cluster/route.sql" >/dev/null

	# ---- Kamailio: the nodes are dispatcher set 1
	mkdir -p "$dir/kamailio"
	: >"$dir/kamailio/dispatcher.list"
	for ((i = 1; i <= nodes; i++)); do
		echo "1 sip:${sip[i]} 0 0 name=occ$i" >>"$dir/kamailio/dispatcher.list"
	done
	local mpath=/usr/lib/x86_64-linux-gnu/kamailio/modules/
	[ -d "$mpath" ] || mpath=$(dirname "$(find /usr/lib -name dispatcher.so -path '*kamailio*' | head -1)")/
	sed -e "s|@DEBUG@|${CLUSTER_KAMAILIO_DEBUG:-2}|; s|@SIP_ADDR@|127.0.0.1|g" \
		-e "s|@SIP_PORT@|$kam_port|g; s|@MPATH@|$mpath|" \
		-e "s|@DB_URL@|postgres://postgres@127.0.0.1:$pg_port/occ|" \
		-e "s|@DS_LIST@|$dir/kamailio/dispatcher.list|" \
		"$here/cluster/kamailio.cfg" >"$dir/kamailio/kamailio.cfg"
	kamailio -c -f "$dir/kamailio/kamailio.cfg" >"$dir/kamailio/check.log" 2>&1 || {
		cat "$dir/kamailio/check.log" >&2; false; }
	kamailio -f "$dir/kamailio/kamailio.cfg" -DD -E -Y "$dir/kamailio" \
		-w "$dir/kamailio" -m 64 -M 8 >"$dir/kamailio/kamailio.log" 2>&1 &
	echo $! >"$dir/kamailio/kamailio.pid"
	wait_for 10 kamailio sip_options "$kam_port"

	{
		echo "NODES=$nodes"
		echo "PG_CONNINFO='$conninfo'"
		echo "PG_SOCKET_DIR=$dir/pg"
		echo "PG_PORT=$pg_port"
		echo "REDIS_PORT=$redis_port"
		echo "SIP=127.0.0.1:$kam_port"
		for ((i = 1; i <= nodes; i++)); do
			echo "HTTP_$i=http://${http[i]}"
			echo "SIP_$i=${sip[i]}"
		done
		cat "$dir/env.tmp"
	} >"$dir/env"
	rm -f "$dir/env.tmp"
	trap - ERR
	echo "cluster: up in $dir ($nodes nodes)"
	cat "$dir/env"
}

sip_options() {  # sip_options PORT: Kamailio answers OPTIONS
	python3 - "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.3)
s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
m = ("OPTIONS sip:127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKc%d\r\n"
     "From: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: c%d\r\nCSeq: 1 OPTIONS\r\n"
     "Max-Forwards: 5\r\nContent-Length: 0\r\n\r\n") % (sys.argv[1], p, p, p)
s.sendto(m.encode(), ("127.0.0.1", int(sys.argv[1])))
try: sys.exit(0 if s.recv(2000).startswith(b"SIP/2.0 200") else 1)
except OSError: sys.exit(1)
PY
}

case "$cmd" in
up) up ;;
down) down; echo "cluster: down" ;;
status) dir=$(cd "$dir" 2>/dev/null && pwd) || { echo "cluster: no $dir"; exit 1; }; status ;;
*) echo "usage: cluster.sh up|down|status [-n NODES] [-d DIR]" >&2; exit 2 ;;
esac
