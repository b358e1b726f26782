#!/usr/bin/env bash
# bench/inbound/run.sh — the ACD's dispatcher alone (src/acd, no SIP):
# the races soak and the decision latency at scale; then occd's ACD host
# reloading 1,000 queues and 5,000 agents (bench/inbound/reload.sh) and
# inbound calls/s through IVR -> queue -> agent with sipp at both ends
# (bench/inbound/calls.sh).
#
#   bench/inbound/run.sh [--out FILE] [--update-doc] [--quick]
#                        [--outbound-env FILE]
#
# Compiles bench/inbound/acd_bench.c with src/acd and the simulated
# contact center of tests/unit/acd_sim.c (cc -O2) into a temporary
# directory and runs it on one CPU (taskset, the second CPU this shell may
# use, as the servers of the other benchmarks):
#
# 1. Races soak: 100,000 offers over 3 queues (two ringall, one
#    leastrecent) sharing 20 agents who answer 0-50 ms after the offer, so
#    that ringall answers collide; 3 % let it ring to the timeout, 3 % are
#    busy, callers give up after 30 s on average, priorities 0-2. Checked
#    after every event: 0 callers bridged twice, 0 agents with two offers,
#    0 agents reserved without an offer (acd_check_invariants), 0 fairness
#    inversions (an agent offered a caller while a better one it could
#    take waited). The unit test acd_races_soak_short runs 5,000.
# 2. Latency: 1,000 queues (the eight strategies in turn, one in three
#    with relaxation steps), 5,000 agents in 3 queues each, 2,000 callers
#    waiting. 100,000 times a random busy agent becomes free: the time
#    from acd_agent_set() to the ACD's offer callback (p50, p99, max).
#    Then with free agents and no callers: from acd_caller_join() to the
#    offer.
#
# 3. Reload (bench/inbound/reload.sh, build/occd): the time occd's ACD
#    host takes to follow the model with 1,000 queues and 5,000 agents in
#    3 queues each, at start and on SIGHUP.
# 4. Inbound calls (bench/inbound/calls.sh, build/occd): the highest rate
#    of calls through an IVR prompt, a queue and an agent's phone with
#    every call answered by an agent; with --outbound-env FILE (bench/calls'
#    results of the same run, as bench/run.sh passes them), its ratio to
#    the outbound (makeCall) rate.
#
# --quick: 5,000 offers and 10,000 samples, a short calls ramp (a smoke
# test; not for the doc). --out FILE: the results as key=value lines. --update-doc: rewrite
# the section between the "bench-inbound" markers of docs/BENCHMARKS.md
# if the soak found nothing. Takes a few seconds.
set -u
. "$(dirname "$0")/../lib.sh"

OUTBOUND_ENV=""
bench_parse_common "out quick update-doc" "$@"
set -- "${BENCH_ARGS[@]}"
while (($#)); do
	case $1 in
	--outbound-env) OUTBOUND_ENV=$2; shift ;;
	*) bench_die "unknown argument $1 (see --help)" ;;
	esac
	shift
done
bench_need cc gcc
bench_need taskset util-linux

bench_init inbound
T=$BENCH_TMP
R=$BENCH_ROOT
cc -O2 -std=gnu11 -Wall -Wextra -Wno-unused-parameter -I"$R/src" -I"$R/tests/unit" \
	-o "$T/acd_bench" "$R/bench/inbound/acd_bench.c" "$R/tests/unit/acd_sim.c" \
	"$R"/src/acd/*.c -lm || bench_die "cannot compile bench/inbound/acd_bench.c"

if bench_pin; then
	PINNING="acd_bench on CPU $SRV_CPU"
else
	PINNING="none (one CPU)"
fi
args=()
((QUICK)) && args=(--soak-offers 5000 --samples 10000)
{
	bench_run_facts
	echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "inbound_pinning=$PINNING"
} >"$T/inbound.env"
"${SRV_PIN[@]}" "$T/acd_bench" --out "$T/bench.env" "${args[@]}"
rc=$?
cat "$T/bench.env" >>"$T/inbound.env"
# occd itself: the ACD host's reload, then calls with sipp at both ends
bench_fg "$R/bench/inbound/reload.sh" --out "$T/reload.env" || rc=1
cat "$T/reload.env" >>"$T/inbound.env" 2>/dev/null
calls=(--out "$T/in_calls.env")
((QUICK)) && calls+=(--quick)
[[ -n $OUTBOUND_ENV ]] && calls+=(--outbound-env "$OUTBOUND_ENV")
bench_fg "$R/bench/inbound/calls.sh" "${calls[@]}" || rc=1
cat "$T/in_calls.env" >>"$T/inbound.env" 2>/dev/null
[[ -n $OUT ]] && cp "$T/inbound.env" "$OUT"
bench_conclude inbound "$rc" "$UPDATE" "$T/inbound.env"
exit "$rc"
