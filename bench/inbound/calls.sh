#!/usr/bin/env bash
# bench/inbound/calls.sh — inbound calls per second through occd's IVR,
# a queue and an agent, with sipp at both ends.
#
#   bench/inbound/calls.sh [--out FILE] [--rates 10,20,40] [--duration S]
#                          [--hold S] [--agents N] [--outbound-env FILE]
#                          [--quick]
#
# occd (build/occd, release) gets team "bench": N agents (default 300),
# each with a SIP extension, in group 6100 (ACW off), registered (sipp,
# digest) with their Contact on one sipp that answers every INVITE at once
# (bench/calls/phones_uas.xml) with its media on an RTP reflector
# (bench/tools/rtppeer.c) that echoes what occd sends, logged in and checked
# in. The team's routing: DID 900200 -> IVR "bench" (a `play` node: a
# 0.3 s prompt, then) -> queue 6100 (leastrecent). A sipp UAC (the built-in
# uac scenario, echoing the RTP it gets) calls 900200 at each rate of
# --rates (calls/s) for --duration seconds (15), each call held --hold
# seconds (5) from occd's answer; so each call is two SIP dialogs, the
# prompt, a queue entry and dispatch, an agent offer, two anchored RTP legs
# and the CDR writes.
#
# A step passes when sipp counts no failed call and every call of the step
# has a CDR that an agent ANSWERED (callee 900200, agent set); the result
# is the highest rate of a passing step (the ramp stops at the first
# failing one). With --outbound-env FILE (bench/calls' key=value results of
# the same run, calls_max_rate), the ratio inbound/outbound. Pinning as
# bench/calls: occd on one CPU, the sipps on the other. --quick: 5 and 10
# calls/s, 6 s each, hold 2 s, 60 agents. Takes about two minutes.
set -u
. "$(dirname "$0")/../lib.sh"

RATES=${OCC_BENCH_IN_RATES:-10,20,40}
DURATION=${OCC_BENCH_IN_DURATION:-15}
HOLD=${OCC_BENCH_IN_HOLD:-5}
AGENTS=${OCC_BENCH_IN_AGENTS:-300}
OUT=""
OUTBOUND_ENV=""
QUICK=0
UPDATE=0
while (($#)); do
	case $1 in
	--out) OUT=$2; shift ;;
	--rates) RATES=$2; shift ;;
	--duration) DURATION=$2; shift ;;
	--hold) HOLD=$2; shift ;;
	--agents) AGENTS=$2; shift ;;
	--outbound-env) OUTBOUND_ENV=$2; shift ;;
	--quick) QUICK=1 ;;
	-h|--help) bench_help ;;
	*) bench_die "unknown argument $1 (see --help)" ;;
	esac
	shift
done
((QUICK)) && { RATES=5,10 DURATION=6 HOLD=2 AGENTS=60; }
bench_need sipp sip-tester
bench_need python3 python3
bench_need curl curl
bench_need cc gcc

bench_sip_start inbound-calls "occd" "the sipps and the driver"
HTTP_PORT=$(bench_free_port)
SIP_PORT=$(bench_free_port)
PHONES_PORT=$(bench_free_port)
PHONES_MP=$(bench_free_port)
FIRST=20001
bench_occ_team "$FIRST" "$(bench_free_port)"
CALLS_DRIVER=(python3 -B "$BENCH_ROOT/bench/calls/driver.py")
"${CALLS_DRIVER[@]}" provision --db "$DATA/occ.db" --team bench --first "$FIRST" \
	--count "$AGENTS" || bench_die "provisioning failed"

# the routing: DID -> IVR (a short prompt) -> the group's queue
mkdir -p "$DATA/prompts/bench"
python3 "$BENCH_ROOT/tests/sip/lib/audio.py" wav "$DATA/prompts/bench/hello.wav" \
	--freq 440 --secs 0.3 || bench_die "cannot write the prompt"
cat >"$T/routing.ini" <<'EOF'
[did 900200]
dest = ivr:bench

[prompt hello]
file = hello.wav

[ivr bench]
exten = 6000
start = hello

[node bench.hello]
type = play
prompt = hello
next = queue:6100

[queue 6100]
strategy = leastrecent
EOF
"${CTL[@]}" routing import bench "$T/routing.ini" >>"$T/occctl.log" 2>&1 ||
	{ tail -5 "$T/occctl.log" >&2; bench_die "routing import failed"; }

bench_start_occd "$HTTP_PORT" "$SIP_PORT"
cp "$BENCH_ROOT/bench/calls/phones_uas.xml" "$T/"
bench_rtppeer rtppeer-echo echo
bench_sipp_bg "$T" "$T/phones" -sf phones_uas.xml "127.0.0.1:$SIP_PORT" -i 127.0.0.1 \
	-mi 127.0.0.1 -p "$PHONES_PORT" -mp "$PHONES_MP" -key echo_port "$PEER_PORT"
PHONES_PID=$SIPP_PID
sleep 1
kill -0 "$PHONES_PID" 2>/dev/null || { cat "$T/phones.out" >&2; bench_die "sipp did not start"; }
bench_sipp_register "$FIRST" "$AGENTS" "$PHONES_PORT" register "$SIP_PORT" ||
	bench_die "registration failed"
"${GEN_PIN[@]}" "${CALLS_DRIVER[@]}" login --team bench --first "$FIRST" --count "$AGENTS" \
	--group "$GROUP" --http "$HTTP_PORT" --sip "$SIP_PORT" --db "$DATA/occ.db" ||
	bench_die "login failed"
sleep 1

# answered CDRs to the DID since START-MS: "calls answered"
cdrs_since() {
	python3 -c 'import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True, timeout=10)
q = "SELECT count(*), sum(disposition = '"'"'ANSWERED'"'"' AND agent != '"'"''"'"') FROM cdr WHERE callee = ? AND start_ms >= ?"
n, a = c.execute(q, ("900200", int(sys.argv[2]))).fetchone()
print(n, a or 0)' "$DATA/occ.db" "$1"
}

BEST=0
: >"$T/steps.env"
IFS=, read -r -a rates <<<"$RATES"
bench_say "inbound calls: rates $RATES calls/s, ${DURATION} s each, hold ${HOLD} s, $AGENTS agents; pinning: $PINNING"
for rate in "${rates[@]}"; do
	n=$(python3 -c "print(max(1, round($rate * $DURATION)))")
	start_ms=$(($(date +%s%N) / 1000000))
	ticks0=$(bench_cpu_ticks "$OCC_PID")
	bench_sipp "$T" "$T/uac_$rate" -sn uac "127.0.0.1:$SIP_PORT" -s 900200 -i 127.0.0.1 \
		-mi 127.0.0.1 -p "$(bench_free_port)" -mp "$(bench_free_port)" -rtp_echo \
		-r "$rate" -m "$n" -d "$((HOLD * 1000))" -timeout "$((DURATION + HOLD + 60))s" \
		-timeout_error -max_socket 2000
	src=$?
	ticks1=$(bench_cpu_ticks "$OCC_PID")
	sleep 2                       # the last CDRs are closed
	read -r cdrs answered < <(cdrs_since "$start_ms")
	wall=$(( ($(date +%s%N) / 1000000 - start_ms) ))
	cpu=$(python3 -c "print(round(($ticks1 - $ticks0) / $(getconf CLK_TCK) / ($wall / 1000) * 100))")
	ok=no
	((src == 0 && answered == n)) && ok=yes
	bench_say "inbound calls: $rate calls/s: $n calls, sipp exit $src, $answered answered by an agent (of $cdrs CDRs), occd CPU ~$cpu%: $ok"
	echo "in_step_${rate}=calls:$n answered:$answered sipp_rc:$src cpu_pct:$cpu pass:$ok" >>"$T/steps.env"
	[[ $ok == yes ]] || break
	BEST=$rate
	kill -0 "$OCC_PID" 2>/dev/null || break
done
bench_stop "$PHONES_PID" "$OCC_PID"

OUTBOUND=""
[[ -n $OUTBOUND_ENV && -f $OUTBOUND_ENV ]] &&
	OUTBOUND=$(sed -n 's/^calls_max_rate=//p' "$OUTBOUND_ENV" | tail -1)
{
	echo "in_calls_rates=$RATES"
	echo "in_calls_duration_s=$DURATION"
	echo "in_calls_hold_s=$HOLD"
	echo "in_calls_agents=$AGENTS"
	echo "in_calls_pinning=$PINNING"
	echo "in_calls_max_rate=$BEST"
	cat "$T/steps.env"
	if [[ -n $OUTBOUND ]] && python3 -c "import sys; sys.exit(not float('$OUTBOUND') > 0)"; then
		echo "in_calls_outbound_rate=$OUTBOUND"
		echo "in_calls_ratio=$(python3 -c "print(f'{$BEST / $OUTBOUND:.2f}')")"
	fi
	echo "in_calls_verified=$( ((BEST > 0)) && echo yes || echo no)"
} >"$T/in_calls.env"
cat "$T/in_calls.env"
[[ -n $OUT ]] && cp "$T/in_calls.env" "$OUT"
((BEST > 0))
