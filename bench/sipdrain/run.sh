#!/usr/bin/env bash
# bench/sipdrain/run.sh — SIP transactions while occd's RTP sockets are
# flooded on the same loop (issue 14: the SIP socket is read until empty
# each pass, src/sip/sipdrain.c).
#
#   bench/sipdrain/run.sh [--calls N (100)] [--seconds S (15)]
#
# Runs build/occd (OCC_BENCH_BIN_DIR: another build, for a before/after)
# with the demo data, pinned to one CPU; sipp (other CPU) places N calls to
# the demo DID 800888 (occd answers: IVR, then queue, RTP anchored) and
# holds them; flood.py then sends RTP-shaped datagrams round-robin to every
# UDP port occd holds but SIP's, as fast as it can, for S seconds, while
# sending one SIP OPTIONS every 20 ms (no retransmission) and timing each
# to its 200. Prints flood.py's key=value lines, occd's CPU over the flood
# and the load average. Needs sipp, ss (iproute2), python3, curl.
set -u
. "$(dirname "$0")/../lib.sh"

CALLS=100 SECONDS_=15
while (($#)); do
	case $1 in
	--calls) CALLS=$2; shift ;;
	--seconds) SECONDS_=$2; shift ;;
	*) bench_die "unknown option $1" ;;
	esac
	shift
done
bench_need sipp sip-tester
bench_need ss iproute2
bench_init sipdrain
bench_copy_bins occd
bench_pin
T=$BENCH_TMP
ulimit -n "$(ulimit -Hn)" 2>/dev/null
HTTP_PORT=$(bench_free_port)
SIP_PORT=$(bench_free_port)
"${SRV_PIN[@]}" "$T/occd" --data "$T/data" --demo --http "127.0.0.1:$HTTP_PORT" \
	--sip "127.0.0.1:$SIP_PORT" >"$T/occd.log" 2>&1 &
OCC_PID=$!
bench_track "$OCC_PID"
bench_wait_http "$OCC_PID" "$HTTP_PORT" || bench_die "occd did not start"

UAC_PORT=$(bench_free_port)
UAC_MP=$(bench_free_port)
(cd "$T" && exec "${GEN_PIN[@]}" sipp -sn uac "127.0.0.1:$SIP_PORT" -s 800888 \
	-m "$CALLS" -r 50 -d $(((SECONDS_ + 60) * 1000)) -i 127.0.0.1 -mi 127.0.0.1 \
	-p "$UAC_PORT" -mp "$UAC_MP" -nostdin >"$T/sipp.out" 2>&1) &
bench_track $!
rtp_ports() { # occd's UDP ports but SIP's
	ss -uanpH | awk -v pid="pid=$OCC_PID," -v sip=":$SIP_PORT" \
		'index($0, pid) && $4 !~ sip"$" { n = split($4, a, ":"); print a[n] }'
}
for ((i = 0; i < 60; i++)); do
	mapfile -t PORTS < <(rtp_ports)
	((${#PORTS[@]} >= CALLS)) && break
	sleep 1
done
((${#PORTS[@]} >= CALLS)) || bench_die "occd holds ${#PORTS[@]} RTP ports, want >= $CALLS"
cpu0=$(bench_cpu_ticks "$OCC_PID")
"${GEN_PIN[@]}" python3 "$(dirname "$0")/flood.py" "$SIP_PORT" "$SECONDS_" "${PORTS[@]}"
cpu1=$(bench_cpu_ticks "$OCC_PID")
echo "occd_cpu_percent=$(( (cpu1 - cpu0) * 100 / $(getconf CLK_TCK) / SECONDS_ ))"
curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | grep '^occ_sip_udp' | tr ' ' '='
echo "load_average=$(cut -d' ' -f1-3 /proc/loadavg)"
