#!/usr/bin/env bash
# bench/dialer/run.sh — the dialer's pacing module in the simulated world:
# the full matrix (S1 at 10/25/50/100 agents × 20 seeds, progressive and
# predictive), 30 days, step changes, and the decision time with 50
# campaigns × 50 agents. make check runs a reduced matrix
# (tests/unit/test_dialer_sim.c); this is the whole one.
#
#   bench/dialer/run.sh [--out FILE] [--update-doc] [--quick]
#
# A few minutes at -O2 on one core. --update-doc rewrites the dialer's
# results in docs/BENCHMARKS.md (bench/dialer/update_doc.py) when no
# compliance rule was broken.
set -u
. "$(dirname "$0")/../lib.sh"

bench_parse_common "out quick update-doc" "$@"
set -- "${BENCH_ARGS[@]}"
(($#)) && bench_die "unknown argument $1 (see --help)"
bench_need cc gcc

bench_init dialer
T=$BENCH_TMP
R=$BENCH_ROOT
cc -O2 -std=gnu11 -Wall -Wextra -Wno-unused-parameter -I"$R/src" -I"$R/tests/unit" \
	-o "$T/dialer_bench" "$R/bench/dialer/dialer_bench.c" "$R/tests/unit/dialer_sim.c" \
	"$R"/src/dialer/*.c -lm || bench_die "cannot compile bench/dialer/dialer_bench.c"
if bench_pin; then
	PINNING="dialer_bench on CPU $SRV_CPU"
else
	PINNING="none (one CPU)"
fi
args=()
((QUICK)) && args=(--quick)
{
	bench_run_facts
	echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "dialer_pinning=$PINNING"
} >"$T/dialer.env"
"${SRV_PIN[@]}" "$T/dialer_bench" --out "$T/bench.env" "${args[@]}"
rc=$?
cat "$T/bench.env" >>"$T/dialer.env"
[[ -n $OUT ]] && cp "$T/dialer.env" "$OUT"
bench_conclude dialer "$rc" "$UPDATE" "$T/dialer.env"
exit "$rc"
