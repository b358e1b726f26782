#!/usr/bin/env bash
# bench/mixing/run.sh — how many simultaneous three-party conferences occd
# carries under 70% of its core, every party speaking real G.711; and, in
# the same run, rtpengine relaying and transcoding as many streams.
#
#   bench/mixing/run.sh [--out FILE] [--update-doc] [--quick] [--wait-quiet S]
#                       [--levels 25,50,100,200,300,400,500] [--rate R]
#                       [--window S] [--pairs N] [--target-cpu X]
#
# occd (build/occd, release; builds nothing) gets team "bench": 2 x N
# agents (N = --pairs, default the largest level) with one SIP extension
# each, in one group with ACW off, and a default trunk to a sipp. The
# first N agents' extensions REGISTER (sipp, digest) with their Contact on
# one sipp (the agents' phones, saying 770 Hz), the other N on another
# sipp (the consulted agents' phones, 1470 Hz); a third sipp is the
# trunk's far end (every customer, 1130 Hz). Each answers at once and
# speaks its tone for the whole call: a 20 ms PCMU stream (sipp
# rtp_stream, one second of the tone looped); nobody echoes.
# bench/mixing/driver.py makes each conference through the API as an
# agent desktop would: agent A EVENT=MAKECALL (occd rings A's phone, then
# dials the customer), EVENT=CONSULT internal to agent B (the customer is
# re-INVITEd sendonly and hears music; occd rings B's phone), then
# EVENT=CONFERENCE (the customer is re-INVITEd sendrecv; from then on every
# 20 ms occd's mixer sends each party the sum of the two others).
# Per conference occd then receives three streams, decodes them, mixes
# three frames, encodes and sends three, and records the customer's and
# the agent's ear (stereo WAV).
#
# 1. Levels: for each N of --levels, N conferences set up at --rate (8)
#    per second, then --window seconds (8) with all N up: occd's CPU
#    (utime+stime, /proc/PID/stat) and VmRSS; memory per conference =
#    (VmRSS with N up - occd's idle VmRSS after the logins) / N. Then every
#    conference is hung up (EVENT=HANGUP&target=all) and checked (see
#    driver.py): API answers, CDR and its three legs, no failed call in
#    any sipp, and in 8 sampled recordings the conference phase holds on
#    the left (the customer's ear) 770 + 1470 Hz at full level each, not
#    1130 Hz, on the right (the agent's ear) 1130 + 1470 Hz, not 770 Hz,
#    audible in at least 90% of its 20 ms frames. A level whose CPU,
#    extrapolated from the levels before, would exceed --target-cpu (0.70
#    of the core) is replaced by the largest N expected a little under it
#    (4 points) and is the last; the levels also stop at the first failing level and
#    after the first one at or above the target. Result: the largest N
#    with zero failures under the target.
# 2. The peer, rtpengine (Debian rtpengine-daemon, userspace only:
#    --table=-1, private pid file, 127.0.0.1, one worker thread, pinned
#    like occd), for each N occd passed: 3N streams as ceil(3N/2) calls
#    created with the ng protocol (bencode over UDP), side A offering
#    PCMU with `codec: transcode PCMA`, side B answering PCMA, so every
#    packet is decoded and re-encoded; the driver sends 50 packets a
#    second per stream (770 Hz u-law, 1130 Hz A-law) and checks at the
#    end that sampled endpoints receive the other side's tone in the
#    other codec at 50 packets a second. Ratio: occd's CPU / rtpengine's
#    at the same N. rtpengine does no mixing and no recording: see
#    docs/BENCHMARKS.md for what the ratio compares.
#
# At the end: every agent idle, no CDR open, no call left in any sipp, no
# level=error in occd's log. Exit 0 only if all hold and a level passed.
#
# Pinning: occd and rtpengine on one CPU, the sipps and the driver on the
# other (when two are available). Raw results (JSON lines, sipp
# statistics, logs, recordings that failed the audio check) go to the
# temporary directory, kept with OCC_BENCH_KEEP=1; --out FILE gets
# key=value lines; --update-doc rewrites the mixing results in
# docs/BENCHMARKS.md when every check passed. --wait-quiet S (or
# OCC_BENCH_WAIT_QUIET): before each measurement, wait (S seconds at most
# over the run) until other processes use under 10% of a CPU. --quick: a
# smoke test (~1 minute). Defaults also from OCC_BENCH_MIX_LEVELS,
# OCC_BENCH_MIX_RATE, OCC_BENCH_MIX_WINDOW, OCC_BENCH_MIX_PAIRS,
# OCC_BENCH_MIX_TARGET. OCC_BENCH_RTPENGINE=0 skips the peer.
set -u
. "$(dirname "$0")/../lib.sh"

LEVELS=${OCC_BENCH_MIX_LEVELS:-25,50,100,200,300,400,500}
RATE=${OCC_BENCH_MIX_RATE:-8}
WINDOW=${OCC_BENCH_MIX_WINDOW:-8}
PAIRS=${OCC_BENCH_MIX_PAIRS:-}
TARGET=${OCC_BENCH_MIX_TARGET:-0.70}
PEER=${OCC_BENCH_RTPENGINE:-1}

bench_parse_common "out quick update-doc wait-quiet" "$@"
set -- "${BENCH_ARGS[@]}"
while (($#)); do
	case $1 in
	--levels) LEVELS=$2; shift ;;
	--rate) RATE=$2; shift ;;
	--window) WINDOW=$2; shift ;;
	--pairs) PAIRS=$2; shift ;;
	--target-cpu) TARGET=$2; shift ;;
	*) bench_die "unknown argument $1 (see --help)" ;;
	esac
	shift
done
if ((QUICK)); then
	LEVELS=10,20 RATE=8 WINDOW=3 PAIRS=20
fi
[[ $LEVELS =~ ^[0-9]+(,[0-9]+)*$ ]] || bench_die "--levels: numbers separated by commas"
[[ -n $PAIRS ]] || PAIRS=$(tr ',' '\n' <<<"$LEVELS" | sort -n | tail -1)

bench_need sipp sip-tester
bench_need taskset util-linux
bench_need curl curl
bench_need python3 python3
((PEER)) && bench_need rtpengine rtpengine-daemon

# temporary directory, binaries; occd and rtpengine on one CPU, the sipps and the driver on the other
bench_sip_start mixing "occd and rtpengine" "the sipps and the driver"

# ---- provisioning (occd not running yet) ----------------------------------------
HTTP_PORT=$(bench_free_port)
SIP_PORT=$(bench_free_port)
A_PORT=$(bench_free_port)
B_PORT=$(bench_free_port)
TRUNK_PORT=$(bench_free_port)
# media ports of the three sipps (rtp_stream takes ports upward from -mp):
# below the kernel's ephemeral range, 3,000 apart
MP_A=21000 MP_B=24000 MP_T=27000
FIRST=20001
bench_occ_team "$FIRST" "$TRUNK_PORT"
"${DRIVER[@]}" provision --db "$DATA/occ.db" --team bench --first "$FIRST" \
	--count "$PAIRS" 2>"$T/provision.log" || { cat "$T/provision.log" >&2; bench_die "provisioning failed"; }

# ---- occd -------------------------------------------------------------------------
bench_start_occd "$HTTP_PORT" "$SIP_PORT"

# ---- the sipps: two sets of phones and the customers ---------------------------------
start_sipp() { # NAME FREQ SCENARIO ARGS...: a sipp UAS in $T/NAME speaking FREQ Hz
	local name=$1 freq=$2 sf=$3; shift 3
	mkdir -p "$T/$name"
	cp "$HERE/$sf" "$T/$name/"
	"${DRIVER[@]}" voice --out "$T/$name/voice.ulaw" --freq "$freq" || bench_die "voice $freq"
	bench_sipp_bg "$T/$name" "$T/$name" -sf "$sf" "127.0.0.1:$SIP_PORT" -i 127.0.0.1 \
		-mi 127.0.0.1 "$@"
}
start_sipp agents 770 phone_uas.xml -p "$A_PORT" -mp "$MP_A"
A_PID=$SIPP_PID
start_sipp consulted 1470 phone_uas.xml -p "$B_PORT" -mp "$MP_B"
B_PID=$SIPP_PID
start_sipp customers 1130 trunk_uas.xml -p "$TRUNK_PORT" -mp "$MP_T"
C_PID=$SIPP_PID
sleep 1
for p in "$A_PID" "$B_PID" "$C_PID"; do
	kill -0 "$p" 2>/dev/null ||
		{ cat "$T"/*.out >&2; bench_die "sipp did not start"; }
done

QUIET_UNTIL=0
((WAIT_QUIET > 0)) && QUIET_UNTIL=$(($(date +%s) + WAIT_QUIET))
COMMON=(--team bench --first "$FIRST" --count "$PAIRS" --group "$GROUP"
	--http "$HTTP_PORT" --sip "$SIP_PORT" --occd-pid "$OCC_PID"
	--gen-pids "$A_PID,$B_PID,$C_PID" --server-cpu "$SRV_CPU"
	--db "$DATA/occ.db" --rec-dir "$DATA/recordings" --wait-quiet-until "$QUIET_UNTIL"
	--phones-a-stat "$T/agents.stat.csv" --phones-b-stat "$T/consulted.stat.csv"
	--trunk-stat "$T/customers.stat.csv")

# REGISTER (digest): the first PAIRS extensions on the agents' sipp, the
# next PAIRS on the consulted agents' sipp
bench_sipp_register "$FIRST" "$PAIRS" "$A_PORT" reg_agents "$SIP_PORT" ||
	bench_die "registration (agents) failed"
bench_sipp_register "$((FIRST + PAIRS))" "$PAIRS" "$B_PORT" reg_consulted "$SIP_PORT" ||
	bench_die "registration (consulted) failed"
REGISTERED=$(bench_registrations "$DATA/occ.db" "$A_PORT" "$B_PORT")
((REGISTERED == PAIRS)) ||
	bench_die "registration: $REGISTERED of $PAIRS bindings per phones sipp in the store"
bench_say "mixing: $((2 * PAIRS)) extensions registered ($PAIRS on each phones sipp)"
"${GEN_PIN[@]}" "${DRIVER[@]}" login "${COMMON[@]}" || bench_die "login failed"
sleep 2
RSS_IDLE=$(bench_rss "$OCC_PID")

# ---- 1. levels ---------------------------------------------------------------------
bench_say "mixing: levels $LEVELS conferences, set up at $RATE/s, ${WINDOW} s window, target ${TARGET}; pinning: $PINNING"
bench_fg "${GEN_PIN[@]}" "${DRIVER[@]}" levels "${COMMON[@]}" --levels "$LEVELS" --rate "$RATE" \
	--window "$WINDOW" --target-cpu "$TARGET" --max-cpu "$TARGET" --rss-base "$RSS_IDLE" \
	>"$T/levels.jsonl"

# ---- end checks ------------------------------------------------------------------------
OCC_ALIVE=0
kill -0 "$OCC_PID" 2>/dev/null && OCC_ALIVE=1
if ((OCC_ALIVE)); then
	sleep 1
	"${GEN_PIN[@]}" "${DRIVER[@]}" agents "${COMMON[@]}" >"$T/agents.json" 2>>"$T/driver.log"
	RSS_END=$(bench_rss "$OCC_PID")
else
	echo '{"agents": 0, "not_idle": -1}' >"$T/agents.json"
	RSS_END=0
	bench_say "mixing: occd DIED; last log lines:"
	grep '^ts=' "$T/occd.log" | tail -3 >&2
fi
OPEN_CDR=$(bench_open_cdrs "$DATA/occ.db")
sleep 1.5
SIPP_LEFT=$(bench_sipp_left "$T/agents.stat.csv" "$T/consulted.stat.csv" "$T/customers.stat.csv")
bench_log_counts "$T/occd.log"
bench_say "mixing: end: occd alive $OCC_ALIVE, open CDRs $OPEN_CDR, sipp calls left $SIPP_LEFT; occd log: $LOG_LINES lines, $LOG_ERRORS level=error, $LOG_WARNS level=warn"
bench_stop "$A_PID" "$B_PID" "$C_PID" "$OCC_PID"

# ---- 2. rtpengine --------------------------------------------------------------------------
PASSED=$(python3 -c 'import json,sys
print(",".join(str(r["n"]) for r in map(json.loads, open(sys.argv[1]))
               if r["kind"] == "level" and r["total_failures"] == 0))' "$T/levels.jsonl")
RTPE_VERSION=none
RTPE_ALIVE=1
: >"$T/rtpengine.jsonl"
if ((PEER)) && [[ -n $PASSED ]]; then
	RDIR=$T/rtpengine
	mkdir -p "$RDIR"
	NG_PORT=$(bench_free_port)
	RTPE_VERSION=$(rtpengine --version 2>&1 | awk '/Version:/ { print $2; exit }')
	"${SRV_PIN[@]}" rtpengine --config-file=none --table=-1 --interface=127.0.0.1 \
		--listen-ng="127.0.0.1:$NG_PORT" --foreground --log-stderr --log-level=4 \
		--pidfile="$RDIR/rtpengine.pid" --port-min=20000 --port-max=29999 \
		--num-threads=1 --media-num-threads=1 --delete-delay=0 --timeout=60 \
		>"$RDIR/rtpengine.log" 2>&1 &
	RTPE_PID=$!
	bench_track "$RTPE_PID"
	sleep 1
	kill -0 "$RTPE_PID" 2>/dev/null || { tail -5 "$RDIR/rtpengine.log" >&2; bench_die "rtpengine did not start"; }
	bench_say "mixing: rtpengine $RTPE_VERSION (userspace, one worker): levels $PASSED conferences' worth of streams"
	bench_fg "${GEN_PIN[@]}" "${DRIVER[@]}" rtpengine --ng-port "$NG_PORT" --rtpe-pid "$RTPE_PID" \
		--levels "$PASSED" --window "$WINDOW" --server-cpu "$SRV_CPU" \
		--wait-quiet-until "$QUIET_UNTIL" >"$T/rtpengine.jsonl"
	kill -0 "$RTPE_PID" 2>/dev/null || RTPE_ALIVE=0
	kill -TERM "$RTPE_PID" 2>/dev/null
	wait "$RTPE_PID" 2>/dev/null
fi

# ---- report ---------------------------------------------------------------------------------
OUTFILE=${OUT:-$T/mixing.env}
export MIX_T=$T MIX_OUT=$OUTFILE MIX_PINNING=$PINNING MIX_PAIRS=$PAIRS MIX_LEVELS=$LEVELS \
	MIX_RATE=$RATE MIX_WINDOW=$WINDOW MIX_TARGET=$TARGET MIX_PEER=$PEER \
	MIX_SIPP_VERSION="$(bench_sipp_version)" \
	MIX_RTPE_VERSION=$RTPE_VERSION MIX_RTPE_ALIVE=$RTPE_ALIVE MIX_OCC_ALIVE=$OCC_ALIVE \
	MIX_OPEN_CDR=$OPEN_CDR MIX_SIPP_LEFT=$SIPP_LEFT MIX_LOG_ERRORS=$LOG_ERRORS \
	MIX_LOG_WARNS=$LOG_WARNS MIX_LOG_LINES=$LOG_LINES MIX_RSS_IDLE=$RSS_IDLE \
	MIX_RSS_END=$RSS_END MIX_STARTED=$started MIX_REGISTERED=$((2 * REGISTERED))
python3 -B "$HERE/report.py"
rc=$?
{
	bench_run_facts
	echo "load_before=$LOAD_BEFORE"
	echo "libre_version=$(pkg-config --modversion libre 2>/dev/null || echo '?')"
	echo "mixing_binary=${OCC_BENCH_BIN_NOTE:-build/occd (release)}"
} >>"$OUTFILE"
bench_conclude mixing "$rc" "$UPDATE" "$OUTFILE"
exit $rc
