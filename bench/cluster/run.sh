#!/usr/bin/env bash
# bench/cluster/run.sh — calls/s and calls up for 1, 2 and 3 occd nodes
# sharing one PostgreSQL, phones through Kamailio (docs/OPERATIONS.md,
# "Several nodes"), on this machine.
#
#   bench/cluster/run.sh [--out FILE] [--update-doc] [--quick] [--wait-quiet S]
#                        [--nodes 1,2,3] [--teams N] [--agents N]
#                        [--rates 10,20,40,60,80] [--duration S] [--hold S]
#                        [--levels 250,500] [--hold-rate R] [--window S]
#
# For each K of --nodes, from scratch: a PostgreSQL 15 cluster (private,
# in the temporary directory, TCP on loopback, fsync off), N teams
# (--teams, default 6: spread evenly over 1, 2 or 3 nodes) bench1..N made
# with occctl against it — a group with ACW off, agent and extension
# 2i001 (password "pw", secret "secret"), a default trunk to the trunk
# sipp — then cloned to --agents agents in all (default 1,200) in
# PostgreSQL (bench/cluster/driver.py provision; the HA1 format checked
# against occctl's). K occd nodes (release build, [cluster] enabled,
# lease 3 s) start together and balance the teams between them (the run
# waits until each holds N/K); Kamailio (scripts/cluster/kamailio.cfg,
# dispatcher over the K nodes, each team routed to its owner by SIP
# domain) is where every extension REGISTERs (sipp, digest; Contact on the
# phones sipp, which answers and echoes RTP). Each agent logs in and
# checks in; then bench/calls' measurements, over all the teams together:
#
# 1. Ramp: calls at each rate of --rates (calls/s) for --duration s
#    (8), each held --hold s (5), MAKECALL through each node's HTTP in
#    turn (as nginx's round robin: a node that does not own the agent's
#    team forwards the request). Stops at the first step with a failure
#    or a refusal (BackMsg_20[busy]). Result: the highest rate with zero
#    failures and zero refusals.
# 2. Concurrent calls: for each N of --levels (250,500), N calls placed
#    at --hold-rate (50, capped at the ramp's result, or at the first
#    rate if the ramp's first step failed) and held through a
#    --window s (6) measurement with all N up.
#
# The checks of bench/calls per call (API answer, CDR ANSWERED, hung up
# by the customer, talk time, both legs answered, closed; sipp failed
# calls; a sample of 8 recordings per step audible both ways) and at the
# end of each K (every node alive, every agent idle, no CDR open, no call
# left in the sipps, no level=error in any node's log).
#
# CPU: occd = utime+stime summed over the K nodes; PostgreSQL (postmaster
# and its backends) and Kamailio (and its children) apart; the store's
# write time from each node's /metrics (occ_store_write_seconds). Pinning
# (two CPUs or more): the nodes, PostgreSQL and Kamailio on one CPU, the
# sipps and the driver on the other — the same server core as
# bench/calls, so the table compares the capacity of K nodes on one core
# with one node's, not absolute gains.
#
# --quick: a smoke test (~3 minutes: K = 1 and 3, small). --update-doc
# rewrites the cluster results in docs/BENCHMARKS.md when the run was
# sound (every node alive, every agent idle, no CDR or call left open, no
# level=error, failed steps recovered), saying which K, if any, held no
# ramp step or concurrent level without a failure. Exit status: 0 all
# held, 2 sound but some K held nothing cleanly, 1 otherwise. --wait-quiet S (or OCC_BENCH_WAIT_QUIET): before each
# measurement wait (S s at most over the run) until other processes use
# under 10% of a CPU. Raw results stay in the temporary directory with
# OCC_BENCH_KEEP=1. Defaults also from OCC_BENCH_CLUSTER_NODES,
# OCC_BENCH_CLUSTER_RATES, OCC_BENCH_CLUSTER_LEVELS.
set -u
. "$(dirname "$0")/../lib.sh"

NODES_LIST=${OCC_BENCH_CLUSTER_NODES:-1,2,3}
NTEAMS=6
AGENTS=1200
RATES=${OCC_BENCH_CLUSTER_RATES:-10,20,40,60,80}
DURATION=8
HOLD=5
LEVELS=${OCC_BENCH_CLUSTER_LEVELS:-250,500}
HOLD_RATE=50
WINDOW=6
LEASE=3
NODES_SET=""
bench_parse_common "out quick update-doc wait-quiet" "$@"
set -- "${BENCH_ARGS[@]}"
while (($#)); do
	case $1 in
	--nodes) NODES_LIST=$2 NODES_SET=1; shift ;;
	--teams) NTEAMS=$2; shift ;;
	--agents) AGENTS=$2; shift ;;
	--rates) RATES=$2; shift ;;
	--duration) DURATION=$2; shift ;;
	--hold) HOLD=$2; shift ;;
	--levels) LEVELS=$2; shift ;;
	--hold-rate) HOLD_RATE=$2; shift ;;
	--window) WINDOW=$2; shift ;;
	*) bench_die "unknown argument $1 (see --help)" ;;
	esac
	shift
done
if ((QUICK)); then
	[[ $NODES_SET ]] || NODES_LIST=1,3
	AGENTS=120 RATES=5,10 DURATION=5 HOLD=4 LEVELS=40 HOLD_RATE=20 WINDOW=3
fi
((AGENTS % NTEAMS == 0)) || bench_die "--agents must be a multiple of --teams"

PGBIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
[[ -x $PGBIN/initdb ]] || bench_die "$PGBIN/initdb missing (apt-get install postgresql-15)"
bench_need sipp sip-tester
bench_need kamailio kamailio kamailio-postgres-modules
bench_need taskset util-linux
bench_need curl curl
bench_need python3 python3

bench_sip_start cluster "the occd nodes, PostgreSQL and kamailio" "sipp and the driver"
chmod 755 "$T"
ROOT=$BENCH_ROOT
AS=()
[[ $(id -u) == 0 ]] && AS=(runuser -u postgres --)
MPATH=$(dirname "$(find /usr/lib -name dispatcher.so -path '*kamailio*' 2>/dev/null | head -1)")/
[[ -f $MPATH/db_postgres.so ]] || bench_die "kamailio's db_postgres module missing (apt-get install kamailio-postgres-modules)"
QUIET_UNTIL=0
((WAIT_QUIET > 0)) && QUIET_UNTIL=$(($(date +%s) + WAIT_QUIET))
PER=$((AGENTS / NTEAMS))
STRIDE=1000
((PER < STRIDE)) || bench_die "at most $((STRIDE - 1)) agents per team"
TEAMS=$(seq -s, -f 'bench%g' 1 "$NTEAMS")

free_ports() {  # free_ports N: N distinct ports free for both TCP and UDP now
	python3 "$ROOT/scripts/cluster/free_ports.py" "$1"
}
soon() { # soon SECONDS CMD...: until CMD succeeds
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		((SECONDS >= end)) && return 1
		sleep 0.5
	done
}
sql() { "${DRIVER[@]}" sql --conninfo "$CONNINFO" --query "$1"; }

# the customers' voice, looped by the trunk sipp
bench_customer_ulaw "$T/customer.ulaw"

# run_k K: everything for K nodes in $T/kK; results in $T/kK/*.json*
run_k() {
	local k=$1 D=$T/k$1 i t g p
	mkdir -p "$D"
	chmod 755 "$D"
	local -a port
	read -r -a port <<<"$(free_ports $((6 + 2 * k)))"
	local pg_port=${port[0]} kam=${port[1]} phones=${port[2]} trunk=${port[3]}
	local phones_mp=${port[4]} trunk_mp=${port[5]}
	local -a http sip
	for ((i = 1; i <= k; i++)); do
		http[i]=${port[4 + 2 * i]}
		sip[i]=${port[5 + 2 * i]}
	done
	bench_say "cluster: == $k node(s): PostgreSQL, $NTEAMS teams of $PER agents"

	# ---- PostgreSQL, on the servers' CPU (its backends inherit it)
	mkdir -p "$D/pg"
	((${#AS[@]})) && chown postgres: "$D/pg"
	"${AS[@]}" "$PGBIN/initdb" -D "$D/pg/data" -U postgres --auth=trust --locale=C \
		-E UTF8 >"$D/pg/initdb.log" 2>&1 || { cat "$D/pg/initdb.log" >&2; bench_die "initdb failed"; }
	"${SRV_PIN[@]}" "${AS[@]}" "$PGBIN/pg_ctl" -D "$D/pg/data" -l "$D/pg/pg.log" -w -t 30 \
		-o "-c listen_addresses=127.0.0.1 -c unix_socket_directories='$D/pg' -p $pg_port -c fsync=off -c max_connections=200" \
		start >/dev/null || { cat "$D/pg/pg.log" >&2; bench_die "PostgreSQL did not start"; }
	PG_PID=$(head -1 "$D/pg/data/postmaster.pid")
	bench_track "$PG_PID"
	"${AS[@]}" "$PGBIN/psql" -h "$D/pg" -p "$pg_port" -U postgres -d postgres -qAt \
		-c "CREATE DATABASE occ" >/dev/null || bench_die "CREATE DATABASE failed"
	CONNINFO="host=127.0.0.1 port=$pg_port user=postgres dbname=occ"

	# ---- the nodes' files (scripts/cluster/node.conf.in; no nchan)
	for ((i = 1; i <= k; i++)); do
		mkdir -p "$D/occ$i"
		sed -e "s|@NAME@|occ$i|; s|@HTTP@|127.0.0.1:${http[i]}|g; s|@SIP@|127.0.0.1:${sip[i]}|g" \
			-e "s|@EDGE@|127.0.0.1:$kam|; s|@DATA@|$D/occ$i|" \
			-e "s|@CONNINFO@|$CONNINFO|; s|@LEASE@|$LEASE|; s|^@CLUSTER@||" \
			-e "s|^nchan_publish_url = .*|nchan_publish_url =|" \
			-e "s|^pwhash_memlimit_kib = 8|&\nauth_hash_rate = 5000\nauth_hash_queue = 4096|" \
			"$ROOT/scripts/cluster/node.conf.in" >"$D/occ$i/occ.conf"
	done

	# ---- the teams, with occctl against PostgreSQL, then cloned
	local -a CTL=("$T/occctl" --config "$D/occ1/occ.conf") groups=()
	for ((i = 1; i <= NTEAMS; i++)); do
		t=bench$i
		p=$((20001 + (i - 1) * STRIDE))
		{
			"${CTL[@]}" team add "$t" &&
			g=$("${CTL[@]}" group add "$t" auto Bench 6100 --acw off | awk '{ print $NF }') &&
			"${CTL[@]}" exten add "$t" "$p" secret &&
			"${CTL[@]}" agent add "$t" "$p" pw --exten "$p" &&
			"${CTL[@]}" member add "$t" "$g" "$p" &&
			"${CTL[@]}" trunk add "$t" gw "sip:127.0.0.1:$trunk" --default
		} >>"$D/occctl.log" 2>&1 || { cat "$D/occctl.log" >&2; bench_die "occctl provisioning failed"; }
		[[ $g =~ ^[0-9]+$ ]] || bench_die "occctl group add printed no group id"
		groups+=("$g")
	done
	COMMON=(--conninfo "$CONNINFO" --teams "$TEAMS" --stride "$STRIDE" --first 20001
		--count "$AGENTS")
	"${DRIVER[@]}" provision "${COMMON[@]}" || bench_die "provisioning failed"

	# ---- the nodes, together; the teams balanced between them
	NODE_PIDS=()
	for ((i = 1; i <= k; i++)); do
		"${SRV_PIN[@]}" "$T/occd" --config "$D/occ$i/occ.conf" >>"$D/occ$i/occd.log" 2>&1 &
		NODE_PIDS+=("$!")
		bench_track "$!"
	done
	for ((i = 1; i <= k; i++)); do
		soon 30 curl -fsS "http://127.0.0.1:${http[i]}/healthz" ||
			{ tail -5 "$D/occ$i/occd.log" >&2; bench_die "node occ$i did not start"; }
	done
	"${AS[@]}" "$PGBIN/psql" -h "$D/pg" -p "$pg_port" -U postgres -d occ -qAt \
		-v ON_ERROR_STOP=1 -f "$ROOT/scripts/cluster/route.sql" >/dev/null ||
		bench_die "route.sql failed"
	balanced() {
		[[ $(sql "SELECT count(*) FROM (SELECT l.node FROM occ_team_lease l WHERE l.expires > now() AND l.team LIKE 'bench%' GROUP BY l.node HAVING count(*) = $((NTEAMS / k))) x") == "$k" ]]
	}
	local t0=$SECONDS
	soon 90 balanced || bench_die "the $NTEAMS teams did not spread evenly over $k node(s) in 90 s: $(sql "SELECT string_agg(team || '@' || node, ' ') FROM occ_team_lease WHERE expires > now()")"
	echo "{\"balance_s\": $((SECONDS - t0)), \"owners\": \"$(sql "SELECT string_agg(team || '@' || node, ' ' ORDER BY team) FROM occ_team_lease WHERE expires > now()")\"}" >"$D/balance.json"
	bench_say "cluster: teams spread over $k node(s) in $((SECONDS - t0)) s: $(sql "SELECT string_agg(team || '@' || node, ' ' ORDER BY team) FROM occ_team_lease WHERE expires > now()")"

	# ---- Kamailio: the SIP entry point, dispatcher set 1 = the K nodes
	mkdir -p "$D/kamailio"
	: >"$D/kamailio/dispatcher.list"
	for ((i = 1; i <= k; i++)); do
		echo "1 sip:127.0.0.1:${sip[i]} 0 0 name=occ$i" >>"$D/kamailio/dispatcher.list"
	done
	sed -e "s|@DEBUG@|1|; s|@SIP_ADDR@|127.0.0.1|g; s|@SIP_PORT@|$kam|g; s|@MPATH@|$MPATH|" \
		-e "s|@DB_URL@|postgres://postgres@127.0.0.1:$pg_port/occ|" \
		-e "s|@DS_LIST@|$D/kamailio/dispatcher.list|" \
		"$ROOT/scripts/cluster/kamailio.cfg" >"$D/kamailio/kamailio.cfg"
	kamailio -c -f "$D/kamailio/kamailio.cfg" >"$D/kamailio/check.log" 2>&1 ||
		{ cat "$D/kamailio/check.log" >&2; bench_die "kamailio rejects its config"; }
	"${SRV_PIN[@]}" kamailio -f "$D/kamailio/kamailio.cfg" -DD -E -Y "$D/kamailio" \
		-w "$D/kamailio" -P "$D/kamailio/kamailio.pid" -m 256 -M 16 \
		>"$D/kamailio/kamailio.log" 2>&1 &
	KAM_PID=$!
	bench_track "$KAM_PID"

	sleep 1
	kill -0 "$KAM_PID" 2>/dev/null || { tail -5 "$D/kamailio/kamailio.log" >&2; bench_die "kamailio did not start"; }
	# ---- every extension REGISTERs through Kamailio (its team = its
	# ---- domain) from the phones' port: Kamailio's Path names the address
	# ---- a REGISTER came from, where the phones sipp then listens
	python3 -c 'import sys
first, per, stride, n = map(int, sys.argv[1:5])
print("SEQUENTIAL")
for t in range(n):
    for e in range(first + t * stride, first + t * stride + per):
        print(f"{e};bench{t + 1};[authentication username={e} password=secret];")' \
		20001 "$PER" "$STRIDE" "$NTEAMS" >"$D/register.csv"
	cp "$ROOT/bench/calls/register.xml" "$D/"
	bench_sipp "$D" "$D/register" -sf register.xml "127.0.0.1:$kam" -i 127.0.0.1 -p "$phones" \
		-inf register.csv -key phones_port "$phones" -key expires 3600 -m "$AGENTS" \
		-r 200 -l 50 -timeout 120
	local reg_rc=$? registered
	registered=$(sql "SELECT count(*) FROM registrations WHERE contact LIKE '%:$phones%'")
	((reg_rc == 0 && registered == AGENTS)) || {
		head -20 "$D/register.errors.log" >&2
		bench_die "registration: sipp exit $reg_rc, $registered of $AGENTS bindings in the store"
	}
	bench_say "cluster: $AGENTS extensions registered through Kamailio"

	# ---- the sipps: every agent's phone (through Kamailio), the trunk
	cp "$HERE/phones_uas.xml" "$ROOT/bench/calls/trunk_uas.xml" "$T/customer.ulaw" "$D/"
	bench_sipp_bg "$D" "$D/phones" -sf phones_uas.xml "127.0.0.1:$kam" -i 127.0.0.1 \
		-mi 127.0.0.1 -p "$phones" -mp "$phones_mp" -rtp_echo
	local phones_pid=$SIPP_PID
	bench_sipp_bg "$D" "$D/trunk" -sf trunk_uas.xml "127.0.0.1:${sip[1]}" -i 127.0.0.1 \
		-mi 127.0.0.1 -p "$trunk" -mp "$trunk_mp"
	local trunk_pid=$SIPP_PID
	sleep 1.5
	for p in "$phones_pid" "$trunk_pid"; do
		kill -0 "$p" 2>/dev/null || { cat "$D"/*.out >&2; bench_die "sipp did not start"; }
	done


	local hl
	hl=$(for ((i = 1; i <= k; i++)); do printf '%s,' "${http[i]}"; done)
	local pids
	pids=$(IFS=,; echo "${NODE_PIDS[*]}")
	local -a RUN=("${COMMON[@]}" --groups "$(IFS=,; echo "${groups[*]}")" --http-list "${hl%,}"
		--occd-pids "$pids" --pg-pid "$PG_PID" --kam-pid "$KAM_PID"
		--gen-pids "$phones_pid,$trunk_pid" --server-cpu "$SRV_CPU" --sink-port "$trunk_mp"
		--rec-dirs "$(for ((i = 1; i <= k; i++)); do printf '%s,' "$D/occ$i/recordings"; done)"
		--wait-quiet-until "$QUIET_UNTIL" --phones-stat "$D/phones.stat.csv"
		--trunk-stat "$D/trunk.stat.csv")
	"${GEN_PIN[@]}" "${DRIVER[@]}" login "${RUN[@]}" || bench_die "login failed"
	sleep 1

	# ---- 1. ramp, 2. concurrent calls
	bench_say "cluster: $k node(s): ramp: rates $RATES calls/s, ${DURATION} s each, hold ${HOLD} s; pinning: $PINNING"
	bench_fg "${GEN_PIN[@]}" "${DRIVER[@]}" ramp "${RUN[@]}" --rates "$RATES" \
		--duration "$DURATION" --hold "$HOLD" >"$D/ramp.jsonl"
	local max hr
	max=$(python3 -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1])]
print(next((x["max_zero_failure_rate"] for x in r if x["kind"]=="ramp_result"), 0))' "$D/ramp.jsonl")
	# at most the ramp's result; if its first step failed, that step's rate
	# (the levels then show what a loaded machine holds)
	hr=$(python3 -c "print(min(float('$HOLD_RATE'), float('$max') or float('${RATES%%,*}')))")
	echo "$hr" >"$D/hold_rate"
	bench_say "cluster: $k node(s): concurrent calls: levels $LEVELS, placed at $hr calls/s, ${WINDOW} s window"
	bench_fg "${GEN_PIN[@]}" "${DRIVER[@]}" hold "${RUN[@]}" --levels "$LEVELS" --rate "$hr" \
		--window "$WINDOW" >"$D/hold.jsonl"

	# ---- end checks
	local alive=1
	for p in "${NODE_PIDS[@]}"; do kill -0 "$p" 2>/dev/null || alive=0; done
	sleep 2
	if ((alive)); then
		"${GEN_PIN[@]}" "${DRIVER[@]}" agents "${RUN[@]}" >"$D/agents.json"
	else
		echo '{"agents": 0, "not_idle": -1}' >"$D/agents.json"
	fi
	sleep 1.5
	local errors=0 lines=0
	for ((i = 1; i <= k; i++)); do
		errors=$((errors + $(grep -c 'level=error' "$D/occ$i/occd.log")))
		lines=$((lines + $(wc -l <"$D/occ$i/occd.log")))
	done
	{
		echo "nodes_alive=$alive"
		echo "open_cdr=$(sql "SELECT count(*) FROM cdr WHERE end_ms = 0")"
		echo "sipp_left=$(bench_sipp_left "$D/phones.stat.csv" "$D/trunk.stat.csv")"
		echo "log_errors=$errors"
		echo "log_lines=$lines"
		echo "kam_alive=$(kill -0 "$KAM_PID" 2>/dev/null && echo 1 || echo 0)"
	} >"$D/end.env"
	bench_say "cluster: $k node(s): end: $(tr '\n' ' ' <"$D/end.env")"
	bench_stop "$phones_pid" "$trunk_pid" "$KAM_PID" "${NODE_PIDS[@]}"
	"${AS[@]}" "$PGBIN/pg_ctl" -D "$D/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1
	# the recordings of the passed steps were deleted; the rest is small
}

IFS=, read -r -a KS <<<"$NODES_LIST"
for K in "${KS[@]}"; do
	[[ $K =~ ^[1-9][0-9]*$ ]] && ((NTEAMS % K == 0)) ||
		bench_die "--nodes: $K does not divide the $NTEAMS teams evenly (see --teams)"
done
for K in "${KS[@]}"; do
	run_k "$K"
done

# ---- report -----------------------------------------------------------------------
OUTFILE=${OUT:-$T/cluster.env}
export CLUSTER_T=$T CLUSTER_OUT=$OUTFILE CLUSTER_NODES=$NODES_LIST CLUSTER_PINNING=$PINNING \
	CLUSTER_AGENTS=$AGENTS CLUSTER_TEAMS=$NTEAMS CLUSTER_HOLD=$HOLD CLUSTER_DURATION=$DURATION \
	CLUSTER_RATES=$RATES CLUSTER_LEVELS=$LEVELS CLUSTER_WINDOW=$WINDOW CLUSTER_LEASE=$LEASE \
	CLUSTER_STARTED=$started
python3 -B "$HERE/report.py"
rc=$?
{
	bench_run_facts
	echo "load_before=$LOAD_BEFORE"
	echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "sipp_version=$(bench_sipp_version)"
	echo "kam_version=$(kamailio -v 2>&1 | awk '/^version:/ { print $3; exit }')"
	echo "pg_version=$("$PGBIN/postgres" --version | awk '{ print $3 }')"
	echo "cluster_binary=${OCC_BENCH_BIN_NOTE:-build/occd (release)}"
} >>"$OUTFILE"
# report.py: 0 every check held; 2 the run was sound but some K held no
# ramp step or no concurrent level cleanly (a loaded machine): the doc may
# still be rewritten (it says so), the exit status is 2; 1 unsound
if ((rc == 2)); then
	bench_say "bench: cluster: not every K held a ramp step and a concurrent level without a failure (see \"capacity\" above)"
	bench_conclude cluster 0 "$UPDATE" "$OUTFILE" || exit 1
	exit 2
fi
bench_conclude cluster "$rc" "$UPDATE" "$OUTFILE"
