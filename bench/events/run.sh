#!/usr/bin/env bash
# bench/events/run.sh — event fan-out: occd's own push (SSE /push/sse)
# against nginx + nchan fed by occd ([push] nchan_publish_url), with 1,000
# and 10,000 concurrent subscribers of one team channel.
#
#   bench/events/run.sh [--out FILE] [--update-doc] [--duration S]
#                       [--max-duration S] [--sizes "1 1000 10000"]
#                       [--rates "1:5 1000:20 10000:5"] [--window W]
#                       [--probe-rate P] [--wait-quiet S]
#                       [--rounds N (ignored)]
#
# Expects build/occd (release build); compiles its client
# (bench/events/sse_bench.c) into the temporary directory. Needs nginx
# (nginx-light) with the nchan module (libnginx-mod-nchan), a C compiler,
# taskset, curl and python3, and a hard open-file limit above the largest
# size (ulimit -Hn; every process here raises its soft limit to it).
#
# For every size and server (order alternating per size) a fresh nginx
# (docs/nginx-nchan.conf, only the ports and the occd upstream replaced,
# one worker) and a fresh occd (--demo; [push] nchan_publish_url, and the
# subscriber limits raised above the size) are started, pinned to one CPU,
# the client to another. Agent 8001 logs in and checks in; account admin
# gets a team token (PushToken type=team). The client (one process, epoll)
# opens N EventSource streams /push/sse?token=T — on occd, or on nginx,
# which asks occd /push/auth and subscribes the stream to nchan channel
# team-demo — checks every one answers 200, then makes events with
# EVENT=QUEUEPAUSE&pushevent=yes (pause, unpause, ...) on one pipelined
# keep-alive connection to occd:
#   warmup  one event; every subscriber must get it (all live)
#   steady  a fixed rate (--rates, events/s per size) for --duration s
#   max     back to back for --max-duration s, at most --window events not
#           yet delivered to every subscriber
# During steady an API probe (EVENT=AGENTSTATUS, which publishes nothing)
# runs on a connection of its own at --probe-rate calls/s (100), timed to
# the kernel's receive stamp of each reply; the report compares its p50/p99
# with the same server's 1-subscriber run (issue 14: the API's p99 within
# 2x of its value without subscribers; hence size 1 among the defaults).
# Latency = monotonic time from writing the API request to the subscriber's
# read() returning the event (same process, same clock), over every
# delivery. Reports events/s and deliveries/s, p50/p99, fan-out time (to
# the last subscriber), missing, duplicate and out-of-order deliveries
# (all must be 0), the servers' CPU and RSS, and the ratios occd/nchan.
#
# Exit 0 only if every run delivered every event exactly once, in order,
# with the right content, every API call succeeded, occd stayed up and
# logged no error, and nginx logged nothing at [error] or worse.
# --out FILE: the results as key=value lines. --update-doc: then rewrite
# the section between the "bench-events" markers of docs/BENCHMARKS.md.
# --wait-quiet S: before each run wait (at most S s in all) until the rest
# of the machine uses under 10% of a CPU, and run again (twice at most) a
# run during which other processes used more than that. Defaults also from
# OCC_BENCH_EVENTS_SIZES, OCC_BENCH_EVENTS_RATES, OCC_BENCH_EVENTS_DURATION,
# OCC_BENCH_EVENTS_MAX_DURATION, OCC_BENCH_EVENTS_WINDOW,
# OCC_BENCH_WAIT_QUIET. Raw results stay in /tmp with OCC_BENCH_KEEP=1.
# Takes about 2 minutes with the defaults.
set -u
. "$(dirname "$0")/../lib.sh"

SIZES=${OCC_BENCH_EVENTS_SIZES:-"1 1000 10000"}
RATES=${OCC_BENCH_EVENTS_RATES:-"1:5 1000:20 10000:5"}
DURATION=${OCC_BENCH_EVENTS_DURATION:-15}
MAX_DURATION=${OCC_BENCH_EVENTS_MAX_DURATION:-5}
WINDOW=${OCC_BENCH_EVENTS_WINDOW:-8}
PROBE_RATE=${OCC_BENCH_EVENTS_PROBE_RATE:-100}
SHORT=0

bench_parse_common "out update-doc wait-quiet" "$@"
set -- "${BENCH_ARGS[@]}"
while (($#)); do
	case $1 in
	--duration) DURATION=$2; SHORT=1; shift ;;
	--max-duration) MAX_DURATION=$2; shift ;;
	--sizes) SIZES=$2; shift ;;
	--rates) RATES=$2; shift ;;
	--window) WINDOW=$2; shift ;;
	--probe-rate) PROBE_RATE=$2; shift ;;
	--rounds) shift ;;              # bench/run.sh --quick passes it
	*) bench_die "unknown argument $1 (see --help)" ;;
	esac
	shift
done
# bench/run.sh --quick: --duration 3; the max phase no longer than that
((SHORT)) && awk -v a="$MAX_DURATION" -v b="$DURATION" 'BEGIN { exit !(a > b) }' &&
	MAX_DURATION=$DURATION

NCHAN_SO=/usr/lib/nginx/modules/ngx_nchan_module.so
bench_need nginx nginx-light libnginx-mod-nchan
[[ -f $NCHAN_SO ]] || {
	bench_say "bench: $NCHAN_SO not found; install it with:"
	bench_say "    apt-get install libnginx-mod-nchan"
	exit 2
}
bench_need cc gcc
bench_need taskset util-linux
bench_need curl curl
bench_need python3 python3

bench_init events
bench_copy_bins occd
T=$BENCH_TMP
HERE=$BENCH_ROOT/bench/events

cc -O2 -std=gnu11 -Wall -o "$T/sse_bench" "$HERE/sse_bench.c" ||
	bench_die "cannot compile bench/events/sse_bench.c"

# ---- limits: every subscriber is one descriptor in the client and one in
# ---- the server
MAXN=0
for n in $SIZES; do
	[[ $n =~ ^[0-9]+$ ]] && ((n > 0)) || bench_die "bad size $n"
	((n > MAXN)) && MAXN=$n
done
HARD=$(ulimit -Hn)
[[ $HARD == unlimited ]] && HARD=1048576
((HARD >= MAXN + 200)) ||
	bench_die "the hard open-file limit ($HARD) is below $((MAXN + 200)); raise it (ulimit -Hn, /etc/security/limits.conf)"
ulimit -n "$HARD" || bench_die "cannot raise ulimit -n to $HARD"
NGX_FILES=$((HARD < 1048576 ? HARD : 1048576))
NGX_CONNS=$((2 * MAXN + 1024))
((NGX_CONNS > NGX_FILES - 64)) && NGX_CONNS=$((NGX_FILES - 64))

rate_for() { # N -> events/s of the steady phase
	local r
	for r in $RATES; do
		[[ ${r%%:*} == "$1" ]] && { echo "${r#*:}"; return; }
	done
	echo 20
}

# ---- CPUs: servers on one, the client on another ------------------------------
if bench_pin; then
	PINNING="occd and nginx on CPU $SRV_CPU, the client on CPU $GEN_CPU"
else
	PINNING="none (one CPU: servers and client share it)"
	bench_say "bench: warning: one CPU only; servers and client compete for it"
fi

OCC_PORT=$(bench_free_port)
SIP_PORT=$(bench_free_port)
PUB_PORT=$(bench_free_port)
SUB_PORT=$(bench_free_port)

# ---- nginx + nchan: docs/nginx-nchan.conf, ports replaced -----------------------
mkdir -p "$T/nginx"
python3 - "$BENCH_ROOT/docs/nginx-nchan.conf" "$T/nginx" "$PUB_PORT" \
	"$SUB_PORT" "$OCC_PORT" "$NCHAN_SO" "$NGX_FILES" "$NGX_CONNS" <<'EOF' ||
import sys
src, d, pub, sub, occ, so, files, conns = sys.argv[1:]
text = open(src).read()
conf = text
for old, new in (("listen 127.0.0.1:8081;", f"listen 127.0.0.1:{pub};"),
                 ("listen 8080;", f"listen 127.0.0.1:{sub};"),
                 ("server 127.0.0.1:4580;", f"server 127.0.0.1:{occ};")):
    if old not in conf:
        sys.exit(f"docs/nginx-nchan.conf: '{old}' not found")
    conf = conf.replace(old, new)
open(f"{d}/nchan.conf", "w").write(conf)
open(f"{d}/nginx.conf", "w").write(f"""load_module {so};
worker_processes 1;
worker_rlimit_nofile {files};
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections {conns}; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    include {d}/nchan.conf;
}}
""")
EOF
	bench_die "cannot derive the nginx configuration"

# ---- occd configuration ---------------------------------------------------------
LIMIT=$((MAXN + 1024))
cat >"$T/occd.ini" <<EOF
[http]
max_connections = $((2 * MAXN + 1024))
; every subscriber (or nginx's proxy connection for it) comes from one
; loopback address
max_per_address = $((2 * MAXN + 1024))
[push]
nchan_publish_url = http://127.0.0.1:$PUB_PORT/pub
max_subscribers = $LIMIT
max_per_team = $LIMIT
max_per_channel = $LIMIT
EOF

CRED="orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=8001"
ADMIN="orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin"

stop_pid() { # PID: TERM, then KILL after 5 s
	local pid=$1 t
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((t = 0; t < 50; t++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# start_servers RUN: fresh nginx and occd; sets NGX_PID OCC_PID TOKEN LAST
start_servers() {
	local run=$1 r
	: >"$T/nginx/error.log"
	"${SRV_PIN[@]}" nginx -p "$T/nginx/" -c "$T/nginx/nginx.conf" \
		-e "$T/nginx/error.log" >"$T/nginx/stdout.log" 2>&1 &
	NGX_PID=$!
	bench_track "$NGX_PID"
	mkdir -p "$T/$run/data"
	"${SRV_PIN[@]}" "$T/occd" --config "$T/occd.ini" --data "$T/$run/data" \
		--http "127.0.0.1:$OCC_PORT" --sip "127.0.0.1:$SIP_PORT" --demo \
		>"$T/$run/occd.log" 2>&1 &
	OCC_PID=$!
	bench_track "$OCC_PID"
	bench_wait_http "$OCC_PID" "$OCC_PORT" ||
		{ tail "$T/$run/occd.log" >&2; bench_die "occd did not start"; }
	bench_wait_http "$NGX_PID" "$SUB_PORT" ||
		{ cat "$T/nginx/error.log" >&2; bench_die "nginx did not start"; }
	local api="http://127.0.0.1:$OCC_PORT/coccinterfaces"
	r=$(curl -s --max-time 10 -d "EVENT=LOGIN&$CRED" "$api")
	[[ $r == "|Retuen|1|Retuen|BackMsg_04|"* ]] || bench_die "login failed: $r"
	r=$(curl -s --max-time 10 -d "EVENT=QUEUE&type=1&list=1&$CRED" "$api")
	[[ $r == "|Retuen|1|Retuen|1:success" ]] || bench_die "check-in failed: $r"
	r=$(curl -s --max-time 10 -d "EVENT=PushToken&type=team&$ADMIN" "$api")
	[[ $r == "|Retuen|1|Retuen|"*"|Retuen|channel=team&"* ]] ||
		bench_die "PushToken failed: $r"
	TOKEN=$(cut -d'|' -f5 <<<"$r")
	# nginx's stream for this token: 200 and nchan's ": hi"
	r=$(curl -s -N --max-time 1 -H 'Accept: text/event-stream' \
		"http://127.0.0.1:$SUB_PORT/push/sse?token=$TOKEN")
	[[ $r == ":"* ]] || bench_die "nginx /push/sse did not stream: '$r' ($(tail -3 "$T/nginx/error.log"))"
	# the team's newest eventid: the client's events are the next ones
	r=$(curl -s --max-time 5 "http://127.0.0.1:$OCC_PORT/push/poll?token=$TOKEN")
	LAST=$(sed -n 's/^{"last":\([0-9]*\),.*/\1/p' <<<"$r")
	[[ -n $LAST ]] || bench_die "/push/poll: $r"
}

# ---- waiting for a quiet machine (--wait-quiet) -----------------------------------
QUIET_DEADLINE=$(($(date +%s) + WAIT_QUIET))
HZ=$(getconf CLK_TCK)
wait_quiet() {
	local b0 b1
	((WAIT_QUIET > 0)) || return 0
	while (($(date +%s) < QUIET_DEADLINE)); do
		b0=$(bench_busy_ticks); sleep 2; b1=$(bench_busy_ticks)
		# our servers idle between runs: all of this is someone else
		((b1 - b0 < HZ * 2 / 10)) && return 0
		bench_say "  (machine busy: $(((b1 - b0) * 50 / HZ))% of a CPU; waiting)"
	done
}

# ---- the runs ----------------------------------------------------------------------
# run_one SRV N SRC: one run (fresh servers), results in $T/SRV_N.env; sets
# RC (the client's exit status) and OTHER (the most CPU other processes
# used in a timed phase, % of one CPU)
run_one() {
	local srv=$1 n=$2 src=$3 run=$1_$2 port pids aux ngx_pids cpid
	start_servers "$run"
	ngx_pids="$NGX_PID $(pgrep -P "$NGX_PID" | tr '\n' ' ')"
	if [[ $srv == occd ]]; then
		port=$OCC_PORT; pids=$OCC_PID; aux=$ngx_pids
	else
		port=$SUB_PORT; pids=$ngx_pids; aux=$OCC_PID
	fi
	"${GEN_PIN[@]}" "$T/sse_bench" --tag "$run" --out "$T/$run.env" \
		--sub "127.0.0.1:$port" --sub-path "/push/sse?token=$TOKEN" \
		--api "127.0.0.1:$OCC_PORT" --cred "$CRED" --first-id "$LAST" \
		-n "$n" --rate "$(rate_for "$n")" --duration "$DURATION" \
		--max-duration "$MAX_DURATION" --window "$WINDOW" \
		--probe-rate "$PROBE_RATE" \
		--pids "$pids" --aux-pids "$aux" --src "$src" \
		2>"$T/$run.stderr" &
	cpid=$!
	bench_track "$cpid"
	wait "$cpid"
	RC=$?
	{
		echo "${run}_rc=$RC"
		kill -0 "$OCC_PID" 2>/dev/null && echo "${run}_occd_alive=yes" ||
			echo "${run}_occd_alive=no"
		kill -0 "$NGX_PID" 2>/dev/null && echo "${run}_nginx_alive=yes" ||
			echo "${run}_nginx_alive=no"
		echo "${run}_occd_log_errors=$(grep -c 'level=error' "$T/$run/occd.log")"
		echo "${run}_occd_nchan_degraded=$(grep -c 'nchan publishing degraded' "$T/$run/occd.log")"
		echo "${run}_nginx_log_errors=$(grep -cE '\[(error|crit|alert|emerg)\]' "$T/nginx/error.log")"
	} >>"$T/$run.env"
	grep -E '\[(error|crit|alert|emerg)\]' "$T/nginx/error.log" | head -3 >&2
	[[ -s $T/$run.stderr ]] && cat "$T/$run.stderr" >&2
	OTHER=$(python3 - "$T/$run.env" "$run" <<'EOF'
import sys
kv = dict(l.rstrip("\n").split("=", 1) for l in open(sys.argv[1]) if "=" in l)
r = sys.argv[2]
g = lambda k: kv.get(f"{r}_{k}", "?")
ms = lambda k: f"{float(g(k)) / 1000:.1f}" if g(k) not in ("?", "-1") else "?"
other = max(float(kv.get(f"{r}_{p}_other_cpu", 0)) for p in ("steady", "max"))
print(f"  {r}: connect {g('connect_s')} s; "
      f"steady {g('steady_events_per_s')} ev/s p50 {ms('steady_p50_us')} ms p99 {ms('steady_p99_us')} ms; "
      f"max {g('max_events_per_s')} ev/s ({g('max_deliveries_per_s')} deliveries/s) "
      f"p99 {ms('max_p99_us')} ms; API p50/p99 {ms('steady_api_p50_us')}/{ms('steady_api_p99_us')} ms, "
      f"probe {ms('steady_probe_p50_us')}/{ms('steady_probe_p99_us')} ms "
      f"(kernel stamp {ms('steady_probe_rx_p50_us')}/{ms('steady_probe_rx_p99_us')}); "
      f"missing {g('steady_missing')}+{g('max_missing')} "
      f"dups {g('steady_dups')}+{g('max_dups')}; other CPU {other:.0%}; ok {g('ok')}",
      file=sys.stderr)
print(round(other * 100))
EOF
)
	[[ -n ${OCC_BENCH_KEEP:-} ]] && cp "$T/nginx/error.log" "$T/$run/nginx-error.log"
	stop_pid "$cpid"
	stop_pid "$OCC_PID"
	stop_pid "$NGX_PID"
}

FAILED=0
RUNS=()
i=0
bench_say "events: sizes $SIZES; steady $DURATION s at $(for n in $SIZES; do printf '%s/s@%s ' "$(rate_for "$n")" "$n"; done)max $MAX_DURATION s window $WINDOW; pinning: $PINNING"
for n in $SIZES; do
	# server order alternates per size
	if ((${#RUNS[@]} % 4 == 0)); then order="occd nchan"; else order="nchan occd"; fi
	for srv in $order; do
		RUNS+=("${srv}_$n")
		for ((retry = 0; ; retry++)); do
			i=$((i + 1))
			wait_quiet
			# a loopback source address of its own per run: no run
			# meets another's TIME_WAIT ports
			run_one "$srv" "$n" "127.0.0.$((10 + i % 240))"
			# with --wait-quiet, a run disturbed by other processes
			# (over 10% of a CPU) is run again, twice at most
			((WAIT_QUIET > 0 && ${OTHER:-0} > 10 && retry < 2)) || break
			bench_say "  (disturbed by other processes: running it again)"
			rm -rf "${T:?}/${srv}_$n" "$T/${srv}_$n.env"
		done
		((RC == 0)) || FAILED=1
	done
done

# ---- report ------------------------------------------------------------------------
{
	bench_run_facts
	echo "nginx_version=$(nginx -v 2>&1 | sed 's|.*/||')"
	echo "nchan_version=$(dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null || echo '?')"
	echo "mhd_version=$(pkg-config --modversion libmicrohttpd 2>/dev/null || echo '?')"
	echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "ev_sizes=$SIZES"
	echo "ev_probe_rate=$PROBE_RATE"
	echo "ev_rates=$(for n in $SIZES; do printf '%s:%s ' "$n" "$(rate_for "$n")"; done)"
	echo "ev_duration=$DURATION"
	echo "ev_max_duration=$MAX_DURATION"
	echo "ev_window=$WINDOW"
	echo "ev_pinning=$PINNING"
	echo "ev_runs=${RUNS[*]}"
	cat "$T"/*.env 2>/dev/null
} >"$T/all.env"
[[ -n $OUT ]] && cp "$T/all.env" "$OUT"
args=("$T/all.env")
((UPDATE && !FAILED)) && args+=(--update-doc "$BENCH_ROOT/docs/BENCHMARKS.md")
python3 -B "$HERE/report.py" "${args[@]}"
rc=$?
((FAILED)) && rc=1
if ((rc)); then
	bench_say "bench: events: verification FAILED (rerun with OCC_BENCH_KEEP=1 to keep $T)"
	((UPDATE)) && bench_say "bench: events: docs/BENCHMARKS.md not updated"
fi
exit $rc
