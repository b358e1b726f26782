#!/usr/bin/env bash
# bench/run.sh — run every benchmark and print the results (`make bench`).
#
#   bench/run.sh [--update-doc] [--quick] [--cluster]
#
#   bench/api/run.sh   HTTP API req/s and p99: occd vs an nginx peer
#   bench/api/rss.sh   resident memory per idle logged-in agent (10,000)
#   bench/events/run.sh    event fan-out: occd push vs nginx+nchan
#   bench/calls/run.sh     calls through occd (sipp) vs kamailio's signalling
#   bench/mixing/run.sh    three-party conferences under 70% of occd's core,
#                          rtpengine relaying as many streams as the peer
#   bench/inbound/run.sh   the ACD dispatcher: races soak, latency at scale;
#                          occd's ACD reload; inbound calls/s (IVR, queue, agent)
#   bench/dialer/run.sh    the dialer's pacing in the simulated world, decision time
#   bench/dialer-sip/run.sh  a predictive campaign over real SIP (20 agents,
#                          20 min; --quick 3 min) vs the simulation of its world
#   bench/import/run.sh    a 1,000,000-row CSV: parse (UTF-8, GBK), fetch over HTTP
#   bench/wallboard/run.sh the wallboard with 500 agents, 50 queues: latency, Chromium CPU
#   bench/cluster/run.sh   calls/s and calls up for 1, 2 and 3 nodes on one
#                          PostgreSQL, phones through Kamailio (--cluster
#                          only: ~10 minutes; --quick ~2)
#
# Expects the release build (build/occd, build/occctl); builds nothing.
# Writes nothing outside /tmp, except with --update-doc: then, if every
# benchmark's own verification passed, the generated results section of
# docs/BENCHMARKS.md (between the "bench-results" markers) is rewritten.
# --quick: 3 s, one round (a smoke test; never use it for the doc).
# Takes some minutes with the defaults (API, memory, events, calls, mixing). On a shared machine set
# OCC_BENCH_WAIT_QUIET=SECONDS (see bench/api/run.sh --help). Other
# OCC_BENCH_* variables tune the benchmarks (see their --help).
# Exit status: 0 all passed.
set -u
. "$(dirname "$0")/lib.sh"

CLUSTER=0
bench_parse_common "quick update-doc" "$@"
set -- "${BENCH_ARGS[@]}"
while (($#)); do
	case $1 in
	--cluster) CLUSTER=1 ;;
	*) bench_die "unknown argument $1 (see --help)" ;;
	esac
	shift
done

bench_init all
T=$BENCH_TMP
B=$BENCH_ROOT/bench
started=$(date +%s)

# one copy of the binaries for every benchmark: build/ is shared and may be
# rebuilt or cleaned while we run
mkdir -p "$T/bin"
BENCH_TMP=$T/bin bench_copy_bins occd occctl occ-csv
export OCC_BENCH_BIN_DIR=$T/bin

{
	bench_run_facts
	echo "nginx_version=$(nginx -v 2>&1 | sed 's|.*/||')"
	echo "wrk_version=$(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')"
	echo "mhd_version=$(pkg-config --modversion libmicrohttpd 2>/dev/null || echo '?')"
	echo "sqlite_version=$(pkg-config --modversion sqlite3 2>/dev/null || echo '?')"
	echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$T/machine.env"

extra=()
((QUICK)) && extra=(--duration 3 --rounds 1)

# Each benchmark runs in the background and is waited for (bench_fg), so
# that a TERM/INT to this script is handled at once: the cleanup trap then
# forwards TERM to the benchmark, which stops its own servers.

echo "== bench/api/run.sh: HTTP API throughput (occd vs nginx)"
bench_fg "$B/api/run.sh" --out "$T/api.env" "${extra[@]}"
rc_api=$?
echo
echo "== bench/api/rss.sh: memory per idle logged-in agent"
bench_fg "$B/api/rss.sh" --out "$T/rss.env"
rc_rss=$?
echo; echo "== bench/events/run.sh: event fan-out, occd push vs nginx+nchan"; bench_fg "$B/events/run.sh" --out "$T/events.env" $( ((UPDATE && !rc_api && !rc_rss)) && echo --update-doc ) "${extra[@]}" || { bench_say "bench: FAILED (events rc=$?)"; exit 1; }
echo; echo "== bench/calls/run.sh: calls through occd (sipp), kamailio as the signalling ceiling"; bench_fg "$B/calls/run.sh" --out "$T/calls.env" $( ((UPDATE && !rc_api && !rc_rss)) && echo --update-doc ) $( ((QUICK)) && echo --quick ) || { bench_say "bench: FAILED (calls rc=$?)"; exit 1; }
echo; echo "== bench/mixing/run.sh: three-party conferences through occd's mixer, rtpengine as the media peer"; bench_fg "$B/mixing/run.sh" --out "$T/mixing.env" $( ((UPDATE && !rc_api && !rc_rss)) && echo --update-doc ) $( ((QUICK)) && echo --quick ) || { bench_say "bench: FAILED (mixing rc=$?)"; exit 1; }
echo; echo "== bench/inbound/run.sh: the ACD dispatcher alone, races soak and latency at scale"; bench_fg "$B/inbound/run.sh" --out "$T/inbound.env" --outbound-env "$T/calls.env" $( ((UPDATE && !rc_api && !rc_rss)) && echo --update-doc ) $( ((QUICK)) && echo --quick ) || { bench_say "bench: FAILED (inbound rc=$?)"; exit 1; }
echo; echo "== bench/dialer/run.sh: the dialer in the simulated world, decision time"; bench_fg "$B/dialer/run.sh" --out "$T/dialer.env" $( ((UPDATE && !rc_api && !rc_rss)) && echo --update-doc ) $( ((QUICK)) && echo --quick ) || { bench_say "bench: FAILED (dialer rc=$?)"; exit 1; }
echo; echo "== bench/dialer-sip/run.sh: a predictive campaign over real SIP, side by side with the simulation"; bench_fg "$B/dialer-sip/run.sh" --out "$T/dialer-sip.env" $( ((UPDATE && !rc_api && !rc_rss)) && echo --update-doc ) $( ((QUICK)) && echo --quick ) || { bench_say "bench: FAILED (dialer-sip rc=$?)"; exit 1; }
echo; echo "== bench/import/run.sh: a 1,000,000-row CSV import file, parsed and fetched over HTTP"; bench_fg "$B/import/run.sh" --out "$T/import.env" $( ((UPDATE && !rc_api && !rc_rss)) && echo --update-doc ) $( ((QUICK)) && echo --quick ) || { bench_say "bench: FAILED (import rc=$?)"; exit 1; }
echo; echo "== bench/wallboard/run.sh: the wallboard in Chromium, 500 agents and 50 queues changing state"; bench_fg "$B/wallboard/run.sh" --out "$T/wallboard.env" $( ((UPDATE && !rc_api && !rc_rss)) && echo --update-doc ) $( ((QUICK)) && echo --quick ) || { bench_say "bench: FAILED (wallboard rc=$?)"; exit 1; }
if ((CLUSTER)); then
	echo; echo "== bench/cluster/run.sh: calls/s and calls up for 1, 2 and 3 nodes on one PostgreSQL"; bench_fg "$B/cluster/run.sh" --out "$T/cluster.env" $( ((UPDATE && !rc_api && !rc_rss)) && echo --update-doc ) $( ((QUICK)) && echo --quick ) || { bench_say "bench: FAILED (cluster rc=$?)"; exit 1; }
fi

echo
echo "== summary ($(($(date +%s) - started)) s)"
python3 - "$T/machine.env" "$T/api.env" "$T/rss.env" <<'EOF'
import sys
kv = {}
for f in sys.argv[1:]:
    try:
        kv.update(l.rstrip("\n").split("=", 1) for l in open(f) if "=" in l)
    except FileNotFoundError:
        pass
g = lambda k: kv.get(k, "?")
print(f"machine: {g('nproc')} CPUs, {g('cpu_model')}, kernel {g('kernel')}")
for wl in ("get", "post"):
    if f"api_{wl}_ratio" in kv:
        print(f"{wl.upper():4}: occd {g(f'api_{wl}_occd_rps')} req/s p99 {g(f'api_{wl}_occd_p99_ms')} ms;"
              f" nginx {g(f'api_{wl}_nginx_rps')} req/s p99 {g(f'api_{wl}_nginx_p99_ms')} ms;"
              f" ratio {g(f'api_{wl}_ratio')}")
print(f"RSS per idle logged-in agent: {g('rss_per_agent')} bytes ({g('agents')} agents)")
print(f"verified: api {g('api_verified')}, rss {g('rss_verified')}")
EOF

if ((rc_api || rc_rss)); then
	bench_say "bench: FAILED (api rc=$rc_api, rss rc=$rc_rss)"
	((UPDATE)) && bench_say "bench: docs/BENCHMARKS.md not updated"
	exit 1
fi
if ((UPDATE)); then
	python3 -B "$B/update_doc.py" "$BENCH_ROOT/docs/BENCHMARKS.md" \
		"$T/machine.env" "$T/api.env" "$T/rss.env" || exit 1
	echo "docs/BENCHMARKS.md: results section rewritten"
fi
exit 0
