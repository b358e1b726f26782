#!/usr/bin/env bash
# bench/calls/run.sh — calls through occd driven by sipp, and kamailio as a
# stateful proxy on the same machine as the signalling ceiling.
#
#   bench/calls/run.sh [--out FILE] [--update-doc] [--quick] [--wait-quiet S]
#                      [--rates 10,20,40,60] [--duration S] [--hold S]
#                      [--levels 250,500] [--hold-rate R] [--window S]
#                      [--agents N] [--kam-rates 2000,3000,4000,5000]
#                      [--kam-duration S] [--only-levels] [--max-cpu C]
#
# occd (build/occd, release; builds nothing) gets team "bench": N agents
# (default 1,000) with one SIP extension each, in one group with ACW off,
# and a default trunk to a sipp. Every extension REGISTERs (sipp, digest)
# with its Contact on one sipp that is every agent's phone: it answers,
# its SDP naming the port of an RTP reflector (bench/tools/rtppeer.c
# echo, built here with cc) that sends every packet back to where it came
# from. Another sipp is the trunk's far end: it answers and hangs up after
# the hold time; its SDP names the port of bench/tools/rtppeer.c play,
# which streams the customers' G.711 (a looped file) to every call's occd
# socket that sends it RTP, on its own 20 ms clock. The two rtppeers
# serve every call from one socket each, in batches (recvmmsg/sendmmsg),
# and count what they drop: a step with any drop fails. bench/calls/driver.py
# places calls with EVENT=MAKECALL for idle agents. Each call is two SIP
# dialogs, two anchored RTP legs (PCMU, decoded to PCM and re-encoded), a
# stereo WAV recording, and CDR, leg and agent-state writes to SQLite.
#
# 1. Ramp: calls at each rate of --rates (calls/s, default 10,20,40,60)
#    for --duration seconds (20), each held --hold seconds (10); stops at
#    the first step with a failure (then waits, at most the media timeout
#    + 20 s, until occd has closed every call) or with calls occd refused
#    as overloaded (BackMsg_20[busy], counted apart: not failures).
#    Result: the highest rate with zero failures and zero refusals. occd's CPU is taken at steady state (from one hold
#    time after the step's start to its last call).
# 2. Concurrent calls, on a fresh occd (restarted on the same store): for
#    each N of --levels (250,500), N calls placed at --hold-rate (50,
#    capped at the ramp's result) and held until a --window second (8)
#    measurement with all N up: occd's CPU (utime+stime, /proc/PID/stat)
#    and VmRSS; memory per call = (RSS with N up - idle RSS of the fresh
#    occd) / N. A level whose CPU, extrapolated from the levels before,
#    would exceed 95% of a core is replaced by the largest N expected at
#    80%, and is the last (--max-cpu C: that cap in cores; default 0.95,
#    or 0.7 x the CPUs, issue 14's budget, when occd runs media workers
#    and is not pinned). Stops at the first level with a failure.
#    --only-levels: this phase alone (no ramp, calls placed at
#    --hold-rate; no kamailio), e.g. --only-levels --levels 500,1000.
# 3. kamailio (Debian package; private config bench/calls/kamailio.cfg: tm,
#    sl, rr, record-route, t_relay to a sipp UAS; -DD -E, pid file and
#    runtime directory in the temporary directory, -m 1024 MiB) driven by
#    a sipp UAC at each rate of --kam-rates for --kam-duration seconds (5),
#    same hold time, no media; stops at the first step with a failed call
#    (a failed step during which other processes used over 10% of a CPU
#    is run once more).
#
# Failures (see driver.py): API error, sipp failed call, CDR missing / not
# ANSWERED / not hung up by the customer / talk time off the hold time /
# a leg not ANSWERED / still open, mostly silent audio in sampled
# recordings, RTP dropped by an rtppeer, occd dying. At the end: every agent idle, no CDR open, no
# call left in either sipp, no level=error in occd's log, every failed
# step recovered. Exit 0 only if all hold and the ramp, a concurrent level
# and kamailio each found a passing rate or level.
#
# Pinning: occd and kamailio on one CPU, the sipps, the rtppeers and the
# driver on the other (when two are available). Raw results (JSON lines, sipp statistics,
# logs) go to the temporary directory, kept with OCC_BENCH_KEEP=1; --out
# FILE gets key=value lines; --update-doc rewrites the calls results in
# docs/BENCHMARKS.md when every check passed. --wait-quiet S (or
# OCC_BENCH_WAIT_QUIET): before each measurement, wait (S seconds at most
# over the run) until other processes use under 10% of a CPU.
# OCC_BENCH_BIN_NOTE describes the binary in the doc when it is not the
# tree's build (OCC_BENCH_BIN_DIR). --quick: a smoke test (~1 minute).
# Defaults also from OCC_BENCH_CALL_RATES, OCC_BENCH_CALL_DURATION,
# OCC_BENCH_CALL_HOLD, OCC_BENCH_CALL_LEVELS, OCC_BENCH_CALL_HOLD_RATE,
# OCC_BENCH_CALL_WINDOW, OCC_BENCH_CALL_AGENTS, OCC_BENCH_KAM_RATES,
# OCC_BENCH_KAM_DURATION, OCC_BENCH_CALL_MAX_CPU.
set -u
. "$(dirname "$0")/../lib.sh"

RATES=${OCC_BENCH_CALL_RATES:-10,20,40,60}
DURATION=${OCC_BENCH_CALL_DURATION:-20}
HOLD=${OCC_BENCH_CALL_HOLD:-10}
LEVELS=${OCC_BENCH_CALL_LEVELS:-250,500}
HOLD_RATE=${OCC_BENCH_CALL_HOLD_RATE:-50}
WINDOW=${OCC_BENCH_CALL_WINDOW:-8}
AGENTS=${OCC_BENCH_CALL_AGENTS:-1000}
KAM_RATES=${OCC_BENCH_KAM_RATES:-2000,3000,4000,5000}
KAM_DURATION=${OCC_BENCH_KAM_DURATION:-5}
MAX_CPU=${OCC_BENCH_CALL_MAX_CPU:-}
ONLY_LEVELS=0

bench_parse_common "out quick update-doc wait-quiet" "$@"
set -- "${BENCH_ARGS[@]}"
while (($#)); do
	case $1 in
	--rates) RATES=$2; shift ;;
	--duration) DURATION=$2; shift ;;
	--hold) HOLD=$2; shift ;;
	--levels) LEVELS=$2; shift ;;
	--hold-rate) HOLD_RATE=$2; shift ;;
	--window) WINDOW=$2; shift ;;
	--agents) AGENTS=$2; shift ;;
	--kam-rates) KAM_RATES=$2; shift ;;
	--kam-duration) KAM_DURATION=$2; shift ;;
	--only-levels) ONLY_LEVELS=1 ;;
	--max-cpu) MAX_CPU=$2; shift ;;
	*) bench_die "unknown argument $1 (see --help)" ;;
	esac
	shift
done
if ((QUICK)); then
	RATES=5,10 DURATION=8 HOLD=3 LEVELS=50 HOLD_RATE=25 WINDOW=3 AGENTS=120
	KAM_RATES=200 KAM_DURATION=5
fi
((ONLY_LEVELS && UPDATE)) && bench_die "--only-levels results are not for the doc"

bench_need sipp sip-tester
bench_need kamailio kamailio
bench_need taskset util-linux
bench_need nm binutils
bench_need curl curl
bench_need cc gcc
bench_need python3 python3

# temporary directory, binaries; occd and kamailio on one CPU, sipp, the rtppeers and the driver on the other
bench_sip_start calls "occd and kamailio" "sipp, the rtppeers and the driver"

# ---- provisioning (occd not running yet) -------------------------------------------
HTTP_PORT=$(bench_free_port)
SIP_PORT=$(bench_free_port)
PHONES_PORT=$(bench_free_port)
TRUNK_PORT=$(bench_free_port)
PHONES_MP=$(bench_free_port)
TRUNK_MP=$(bench_free_port)
FIRST=20001
bench_occ_team "$FIRST" "$TRUNK_PORT"
"${DRIVER[@]}" provision --db "$DATA/occ.db" --team bench --first "$FIRST" \
	--count "$AGENTS" || bench_die "provisioning failed"

# ---- occd ------------------------------------------------------------------------------
# A symbol occd exports that one of its libraries also defines: the
# library's own calls then land in occd's function (ELF interposition).
# scripts/check-symbols.sh lists the ones that are meant to.
CLASH=$(comm -12 <(nm -D --defined-only "$T/occd" | awk '$2 == "T" && $3 !~ /^(re_fprintf|fd_listen|fd_close|epoll_wait|tmr_start|tmr_cancel|tmr_poll|tmr_next_timeout)$/ { print $3 }' | sort -u) \
	<(ldd "$T/occd" | awk '/=>/ { print $3 }' | xargs -r nm -D --defined-only 2>/dev/null |
		awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u) | tr '\n' ' ')
[[ -n $CLASH ]] && bench_say "calls: warning: occd exports function(s) its libraries also define: $CLASH(the libraries' calls go to occd's); expect crashes"
OCC_PID=""
occd_died() { # what we know about a dead occd
	bench_say "calls: occd (pid $OCC_PID) DIED; last log lines:"
	grep '^ts=' "$T/occd.log" | tail -3 >&2
	bench_say "calls: kernel: $(dmesg 2>/dev/null | grep "occd\[$OCC_PID\]" | tail -1)"
}
bench_start_occd "$HTTP_PORT" "$SIP_PORT"

# ---- the sipps: agent phones and the trunk's far end ---------------------------------------
cp "$HERE/phones_uas.xml" "$T/"
# trunk_uas.xml with its media on the customers' rtppeer (bench/mixing
# runs it as it is, sipp streaming)
sed -e 's/m=audio \[media_port\]/m=audio [play_port]/' -e '/rtp_stream=/d' \
	"$HERE/trunk_uas.xml" >"$T/trunk_uas.xml"
# the customers' voice, looped by sipp
bench_customer_ulaw "$T/customer.ulaw"
# long-running sipp UASs, statistics every second
# the far ends' RTP (bench/tools/rtppeer.c), which the sipps' answers
# name as every phone's and every customer's media address: the phones'
# reflector, and the customers' voice, looped
bench_rtppeer rtppeer-echo echo
ECHO_PORT=$PEER_PORT ECHO_PID=$PEER_PID
bench_rtppeer rtppeer-play play "$T/customer.ulaw"
PLAY_PORT=$PEER_PORT PLAY_PID=$PEER_PID
bench_sipp_bg "$T" "$T/phones" -sf phones_uas.xml "127.0.0.1:$SIP_PORT" -i 127.0.0.1 \
	-mi 127.0.0.1 -p "$PHONES_PORT" -mp "$PHONES_MP" -key echo_port "$ECHO_PORT"
PHONES_PID=$SIPP_PID
bench_sipp_bg "$T" "$T/trunk" -sf trunk_uas.xml "127.0.0.1:$SIP_PORT" -i 127.0.0.1 \
	-mi 127.0.0.1 -p "$TRUNK_PORT" -mp "$TRUNK_MP" -key play_port "$PLAY_PORT"
TRUNK_PID=$SIPP_PID
sleep 1
for p in "$PHONES_PID" "$TRUNK_PID"; do
	kill -0 "$p" 2>/dev/null ||
		{ cat "$T/phones.out" "$T/trunk.out" >&2; bench_die "sipp did not start"; }
done

common() { # the driver's arguments for the current occd
	COMMON=(--team bench --first "$FIRST" --count "$AGENTS" --group "$GROUP"
		--http "$HTTP_PORT" --sip "$SIP_PORT" --occd-pid "$OCC_PID"
		--gen-pids "$PHONES_PID,$TRUNK_PID,$ECHO_PID,$PLAY_PID${PROBE_PIDS:-}" --server-cpu "$SRV_CPU" --sink-port "$TRUNK_MP"
		--db "$DATA/occ.db" --rec-dir "$DATA/recordings" --wait-quiet-until "$QUIET_UNTIL"
		--phones-stat "$T/phones.stat.csv" --trunk-stat "$T/trunk.stat.csv"
		--echo-stats "$T/rtppeer-echo.stats" --play-stats "$T/rtppeer-play.stats")
}
QUIET_UNTIL=0
((WAIT_QUIET > 0)) && QUIET_UNTIL=$(($(date +%s) + WAIT_QUIET))
common

# every extension REGISTERs (digest) from one sipp, Contact on the phones sipp
bench_sipp_register "$FIRST" "$AGENTS" "$PHONES_PORT" register "$SIP_PORT"
REG_RC=$?
REGISTERED=$(bench_registrations "$DATA/occ.db" "$PHONES_PORT")
((REG_RC == 0 && REGISTERED == AGENTS)) || {
	head -20 "$T/register.errors.log" >&2
	bench_die "registration: sipp exit $REG_RC, $REGISTERED of $AGENTS bindings in the store"
}
echo "{\"registered\": $REGISTERED}" >"$T/register.json"
bench_say "calls: $AGENTS extensions registered by sipp (Contact on the phones sipp)"
"${GEN_PIN[@]}" "${DRIVER[@]}" login "${COMMON[@]}" || bench_die "login failed"
sleep 1
RSS_START=$(bench_rss "$OCC_PID")

# ---- the API probe: a read request every 10 ms through the ramp and the levels,
# from its own process; the ramp first measures it idle for 10 s
# ... and the same probe against bench/tools/httpfloor.c on occd's CPU: the
# floor (loopback delivery and a wakeup on that core, no work at all)
bench_httpfloor
PROBE=(--probe-file "$T/probe.txt" --floor-file "$T/floor.txt")
"${GEN_PIN[@]}" "${DRIVER[@]}" probe "${COMMON[@]}" "${PROBE[@]}" 2>"$T/probe.err" &
PROBE_PID=$!
bench_track "$PROBE_PID"
"${GEN_PIN[@]}" "${DRIVER[@]}" probe "${COMMON[@]}" --http "$FLOOR_PORT" \
	--probe-file "$T/floor.txt" 2>"$T/floor.err" &
FLOOR_PROBE_PID=$!
bench_track "$FLOOR_PROBE_PID"
# the probes are the bench's own load: counted with the generators, not
# as other processes (a step is measured again when those pass 10%)
PROBE_PIDS=",$PROBE_PID,$FLOOR_PROBE_PID,$FLOOR_PID"
common

# ---- 1. ramp -----------------------------------------------------------------------------------
if ((ONLY_LEVELS)); then
	bench_say "calls: --only-levels: no ramp; the levels' calls placed at $HOLD_RATE calls/s"
	: >"$T/ramp.jsonl"
	MAX_RATE=$HOLD_RATE
else
	bench_say "calls: ramp: rates $RATES calls/s, ${DURATION} s each, hold ${HOLD} s; pinning: $PINNING"
	bench_fg "${GEN_PIN[@]}" "${DRIVER[@]}" ramp "${COMMON[@]}" "${PROBE[@]}" --rates "$RATES" \
		--duration "$DURATION" --hold "$HOLD" >"$T/ramp.jsonl"
	MAX_RATE=$(python3 -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1])]
print(next((x["max_zero_failure_rate"] for x in r if x["kind"]=="ramp_result"), 0))' "$T/ramp.jsonl")
fi
RAMP_ALIVE=1
kill -0 "$OCC_PID" 2>/dev/null || { RAMP_ALIVE=0; occd_died; }

# ---- 2. concurrent calls -------------------------------------------------------------------------
# the levels' CPU cap: 95% of a core for an occd pinned to one; with media
# workers (not pinned), issue 14's budget: 70% of the machine
if [[ -z $MAX_CPU ]]; then
	case ${OCC_MEDIA_THREADS:-auto} in
	0|1) MAX_CPU=0.95 ;;
	*) MAX_CPU=$(python3 -c "print(0.7 * $BENCH_NCPUS)") ;;
	esac
fi
TARGET_CPU=$(python3 -c "print(round($MAX_CPU * 0.8 / 0.95, 3))")
# on a fresh occd (same store: registrations, logins and check-ins are
# restored), so that its idle RSS does not hold the ramp's freed memory
if ((RAMP_ALIVE)); then
	kill -TERM "$OCC_PID"
	wait "$OCC_PID" 2>/dev/null
fi
bench_start_occd "$HTTP_PORT" "$SIP_PORT"
common
sleep 2
RSS_IDLE=$(bench_rss "$OCC_PID")
HR=$(python3 -c "print(min(float('$HOLD_RATE'), float('$MAX_RATE')) or min(float('$HOLD_RATE'), 5))")
bench_say "calls: concurrent calls: levels $LEVELS, placed at $HR calls/s, ${WINDOW} s window; fresh occd, idle RSS $RSS_IDLE B"
bench_fg "${GEN_PIN[@]}" "${DRIVER[@]}" hold "${COMMON[@]}" "${PROBE[@]}" --levels "$LEVELS" \
	--rate "$HR" --window "$WINDOW" --rss-base "$RSS_IDLE" --max-cpu "$MAX_CPU" \
	--target-cpu "$TARGET_CPU" >"$T/hold.jsonl"
bench_stop "$PROBE_PID"
bench_stop "$FLOOR_PROBE_PID"
bench_stop "$FLOOR_PID"

# ---- end checks ----------------------------------------------------------------------------------------
OCC_ALIVE=0
kill -0 "$OCC_PID" 2>/dev/null && OCC_ALIVE=1
if ((OCC_ALIVE)); then
	sleep 2
	"${GEN_PIN[@]}" "${DRIVER[@]}" agents "${COMMON[@]}" >"$T/agents.json"
	RSS_END=$(bench_rss "$OCC_PID")
else
	echo '{"agents": 0, "not_idle": -1}' >"$T/agents.json"
	RSS_END=0
	occd_died
fi
((RAMP_ALIVE)) || OCC_ALIVE=0
OPEN_CDR=$(bench_open_cdrs "$DATA/occ.db")
sleep 1.5
SIPP_LEFT=$(bench_sipp_left "$T/phones.stat.csv" "$T/trunk.stat.csv")
bench_log_counts "$T/occd.log"
STDERR_NOISE=$(grep -vc '^ts=' "$T/occd.log")
bench_say "calls: end: occd alive $OCC_ALIVE, open CDRs $OPEN_CDR, sipp calls left $SIPP_LEFT; occd log: $LOG_LINES lines, $LOG_ERRORS level=error, $LOG_WARNS level=warn, $STDERR_NOISE not from occd's logger (libre)"
bench_stop "$PHONES_PID" "$TRUNK_PID" "$OCC_PID"
bench_rtppeer_stop rtppeer-echo "$ECHO_PID"
ECHO_TOTALS=$PEER_TOTALS
bench_rtppeer_stop rtppeer-play "$PLAY_PID"
PLAY_TOTALS=$PEER_TOTALS
bench_say "calls: rtppeer: phones (echo) $ECHO_TOTALS; customers (play) $PLAY_TOTALS"

# ---- 3. kamailio ----------------------------------------------------------------------------------------
KDIR=$T/kamailio
mkdir -p "$KDIR/run"
SIPP_VERSION=$(bench_sipp_version)
KAM_VERSION="" KAM_ALIVE=1
if ((ONLY_LEVELS)); then
	bench_say "calls: --only-levels: no kamailio"
else
	KAM_PORT=$(bench_free_port)
	KUAS_PORT=$(bench_free_port)
	KUAC_PORT=$(bench_free_port)
	MPATH=$(dirname "$(find /usr/lib -name tm.so -path '*kamailio/modules*' 2>/dev/null | head -1)")
	[[ -d $MPATH ]] || bench_die "kamailio modules (tm.so) not found under /usr/lib"
	sed -e "s|@LISTEN@|127.0.0.1:$KAM_PORT|; s|@TARGET@|127.0.0.1:$KUAS_PORT|" \
		-e "s|@CHILDREN@|4|; s|@MPATH@|$MPATH/|" "$HERE/kamailio.cfg" >"$KDIR/kamailio.cfg"
	cp "$HERE/kam_uac.xml" "$HERE/kam_uas.xml" "$KDIR/"
	kamailio -c -f "$KDIR/kamailio.cfg" >"$KDIR/check.log" 2>&1 ||
		{ cat "$KDIR/check.log" >&2; bench_die "kamailio rejects its config"; }
	"${SRV_PIN[@]}" kamailio -DD -E -f "$KDIR/kamailio.cfg" -P "$KDIR/kamailio.pid" \
		-Y "$KDIR/run" -w "$KDIR" -m 1024 -M 16 >"$KDIR/kamailio.log" 2>&1 &
	KAM_PID=$!
	bench_track "$KAM_PID"
	bench_sipp_bg "$KDIR" "$KDIR/uas" -sf kam_uas.xml -i 127.0.0.1 -p "$KUAS_PORT" \
		-mp "$(bench_free_port)"
	KUAS_PID=$SIPP_PID
	sleep 1.5
	kill -0 "$KAM_PID" 2>/dev/null || { tail -5 "$KDIR/kamailio.log" >&2; bench_die "kamailio did not start"; }
	kill -0 "$KUAS_PID" 2>/dev/null || { cat "$KDIR/uas.out" >&2; bench_die "sipp (kamailio UAS) did not start"; }
	KAM_VERSION=$(kamailio -v 2>&1 | awk '/^version:/ { print $3; exit }')
	bench_say "calls: kamailio $KAM_VERSION: rates $KAM_RATES calls/s, ${KAM_DURATION} s each, hold ${HOLD} s, no media"
	bench_fg "${GEN_PIN[@]}" "${DRIVER[@]}" kamailio --rates "$KAM_RATES" --duration "$KAM_DURATION" \
		--hold "$HOLD" --kam-pid "$KAM_PID" --uas-pid "$KUAS_PID" --kam-port "$KAM_PORT" \
		--uas-port "$KUAS_PORT" --uac-port "$KUAC_PORT" --uac-mp "$(bench_free_port)" --dir "$KDIR" \
		--wait-quiet-until "$QUIET_UNTIL" >"$KDIR/steps.jsonl"
	kill -0 "$KAM_PID" 2>/dev/null || KAM_ALIVE=0
fi

# ---- report ------------------------------------------------------------------------------------------
OUTFILE=${OUT:-$T/calls.env}
export CALLS_T=$T CALLS_OUT=$OUTFILE CALLS_PINNING=$PINNING CALLS_AGENTS=$AGENTS \
	CALLS_HOLD=$HOLD CALLS_DURATION=$DURATION CALLS_RATES=$RATES CALLS_LEVELS=$LEVELS \
	CALLS_HR=$HR CALLS_WINDOW=$WINDOW CALLS_KAM_DURATION=$KAM_DURATION \
	CALLS_SIPP_VERSION=$SIPP_VERSION CALLS_KAM_VERSION=$KAM_VERSION CALLS_CLASH=$CLASH \
	CALLS_OCC_ALIVE=$OCC_ALIVE CALLS_OPEN_CDR=$OPEN_CDR CALLS_SIPP_LEFT=$SIPP_LEFT \
	CALLS_LOG_ERRORS=$LOG_ERRORS CALLS_LOG_WARNS=$LOG_WARNS CALLS_LOG_LINES=$LOG_LINES \
	CALLS_LOG_NOISE=$STDERR_NOISE CALLS_KAM_ALIVE=$KAM_ALIVE CALLS_RSS_START=$RSS_START \
	CALLS_RSS_IDLE=$RSS_IDLE CALLS_RSS_END=$RSS_END CALLS_STARTED=$started \
	CALLS_ECHO_TOTALS=$ECHO_TOTALS CALLS_PLAY_TOTALS=$PLAY_TOTALS CALLS_ONLY_LEVELS=$ONLY_LEVELS
python3 -B "$HERE/report.py"
rc=$?
{
	bench_run_facts
	echo "load_before=$LOAD_BEFORE"
	echo "libre_version=$(pkg-config --modversion libre 2>/dev/null || echo '?')"
	echo "sqlite_version=$(pkg-config --modversion sqlite3 2>/dev/null || echo '?')"
	# OCC_BENCH_BIN_NOTE: what the binary is when it is not the tree's build
	echo "calls_binary=${OCC_BENCH_BIN_NOTE:-build/occd (release)}"
} >>"$OUTFILE"
bench_conclude calls "$rc" "$UPDATE" "$OUTFILE"
exit $rc
