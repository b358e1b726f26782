#!/usr/bin/env bash
# bench/dialer-sip/run.sh — a predictive campaign end to end over real SIP,
# side by side with the simulation of the same world (issue 12, "Must
# show"; docs/BENCHMARKS.md, "Dialer over SIP").
#
#   bench/dialer-sip/run.sh [--out FILE] [--update-doc] [--quick]
#                           [--minutes M] [--agents N] [--seeds S] [--acwoff]
#
# occd (build/occd, release; builds nothing) gets, with occctl, team
# "bench": N agents (20) with one extension each, in one group whose
# after-call work mode is "answer" with an after-call-work time of WRAP
# seconds (occctl group add --acw-time: occd ends each ACW itself and the
# dialer knows when), an account, a default trunk to a sipp, and campaign 1
# of that group, predictive, profile none, open all day.
# Every extension REGISTERs (sipp, digest) with its Contact on one sipp
# that is every agent's phone (agent_uas.xml): it answers at once and hangs
# up after a talk time drawn lognormal (sipp's pause distribution=).
# --acwoff: the group's ACW is untimed and the driver (driver.py) ends each
# agent's after-call work with EVENT=ACWOFF WRAP seconds after its call
# (the way before occd had timed ACW). The customer trunk is another sipp
# (customer_uas.xml): statistical branching (sipp's chance=) between a fast
# failure, no answer (ringing until the dialer's release) and a live answer
# after a ring time drawn lognormal (sipp's sample distribution=). Records
# are imported with EVENT=Import; the campaign runs M minutes (20; --quick
# 3), is stopped, and its calls run to their end.
#
# The world (the simulation's S1 shape, with shorter talks so that a run
# has a few hundred live answers): failures 10 % (404 after 1-5 s), live
# answers 30 % (ring lognormal, mean 10 s, cv 0.6; no answer past the
# dialer's 25 s release), the rest no answer; talk lognormal mean 45 s, cv
# 1.0; wrap-up 10 s; no machines, pauses, DNC or closed windows. Defaults
# also from OCC_BENCH_DSIP_MINUTES, OCC_BENCH_DSIP_AGENTS,
# OCC_BENCH_DSIP_SEEDS.
#
# Measured from packets (driver.py report): sipp's message traces of both
# sipps and tcpdump's capture of the RTP occd sends to the customers (on
# lo; without tcpdump the abandon message's timing is not checked and the
# run does not verify): abandon rate, talk minutes per agent-hour, and the
# 2 s rule (customer's 200 OK to the agent phone's 200 OK, or to the
# message's first RTP packet). The simulation (sim_world.c: the same
# module in tests/unit/dialer_sim.c's world with these parameters, S seeds,
# 40) runs twice: as occd's host reports after-call work in this run (timed
# ACW: a wrap-up with its end, as the simulation's agents report it;
# --acwoff: wrap-up ending at once, then paused), compared with the run;
# and the other way, for reference. Exit 0 when the
# 2 s rule held for every live answer and the product's campaign report
# agrees with the packets; the ±20 % comparison is reported, not enforced
# (a single run's spread is about that wide: see the p10-p90 columns).
set -u
. "$(dirname "$0")/../lib.sh"

MINUTES=${OCC_BENCH_DSIP_MINUTES:-20}
AGENTS=${OCC_BENCH_DSIP_AGENTS:-20}
SEEDS=${OCC_BENCH_DSIP_SEEDS:-40}
P_FAIL=0.10 P_LIVE=0.30 RING_MEAN=10 RING_CV=0.6 TALK_MEAN=45 TALK_CV=1.0 WRAP=10
RING_LIMIT_MS=25000     # dialer_ring_ms(): the module's default release
ACW=timed
bench_parse_common "out quick update-doc" "$@"
set -- "${BENCH_ARGS[@]}"
while (($#)); do
	case $1 in
	--minutes) MINUTES=$2; shift ;;
	--agents) AGENTS=$2; shift ;;
	--seeds) SEEDS=$2; shift ;;
	--acwoff) ACW=acwoff ;;
	*) bench_die "unknown argument $1 (see --help)" ;;
	esac
	shift
done
((QUICK)) && MINUTES=3
bench_need sipp sip-tester
bench_need cc gcc
bench_need curl curl
bench_need python3 python3
HAVE_TCPDUMP=1
command -v tcpdump >/dev/null 2>&1 ||
	{ HAVE_TCPDUMP=0; bench_say "dialer-sip: no tcpdump: the abandon message's 2 s is not checked (apt-get install tcpdump)"; }

bench_sip_start dialer-sip "occd" "the sipps and the driver"
R=$BENCH_ROOT
DRIVER=(python3 -B "$HERE/driver.py")

# ---- the simulation of the same world ---------------------------------------------------
cc -O2 -std=gnu11 -Wall -Wextra -Wno-unused-parameter -I"$R/src" -I"$R/tests/unit" \
	-o "$T/sim_world" "$HERE/sim_world.c" "$R/tests/unit/dialer_sim.c" "$R"/src/dialer/*.c \
	-lm || bench_die "cannot compile bench/dialer-sip/sim_world.c"
WORLD=(--agents "$AGENTS" --minutes "$MINUTES" --seeds "$SEEDS" --p-fail "$P_FAIL"
	--p-live "$P_LIVE" --ring-mean "$RING_MEAN" --ring-cv "$RING_CV" --talk-mean "$TALK_MEAN"
	--talk-cv "$TALK_CV" --wrap "$WRAP")
# the simulation as occd reports after-call work in this run, and the other
# way (simother_) for reference
if [[ $ACW == timed ]]; then
	SIM_RUN=() SIM_OTHER=(--wrap-as-pause)
	OTHER_DESC="after-call work reported as a pause (untimed ACW ended by ACWOFF)"
	ACW_OPT=(--acw-time "$WRAP") DRIVER_ACW=(--no-acwoff)
else
	SIM_RUN=(--wrap-as-pause) SIM_OTHER=()
	OTHER_DESC="the wrap-up known to the module (a timed ACW)"
	ACW_OPT=() DRIVER_ACW=()
fi
"${GEN_PIN[@]}" "$T/sim_world" "${WORLD[@]}" "${SIM_RUN[@]}" >"$T/sim.env" ||
	bench_die "the simulation broke a rule (see $T/sim.env)"
"${GEN_PIN[@]}" "$T/sim_world" "${WORLD[@]}" "${SIM_OTHER[@]}" --prefix simother_ >>"$T/sim.env" ||
	bench_die "the simulation broke a rule (see $T/sim.env)"
"${GEN_PIN[@]}" "$T/sim_world" "${WORLD[@]}" --mode progressive --prefix simprog_ >>"$T/sim.env" ||
	bench_die "the simulation broke a rule (see $T/sim.env)"
bench_say "dialer-sip: simulation ($SEEDS seeds of $MINUTES min): $(tr '\n' ' ' <"$T/sim.env")"

# lognormal (mean s, cv) as sipp's: the normal distribution of ln(ms)
lnparams() {
	python3 -c 'import math, sys
m, cv = float(sys.argv[1]) * 1000, float(sys.argv[2]); s2 = math.log(1 + cv * cv)
print(f"{math.log(m) - s2 / 2:.6f} {math.sqrt(s2):.6f}")' "$1" "$2"
}
read -r RING_MU RING_SIGMA < <(lnparams "$RING_MEAN" "$RING_CV")
read -r TALK_MU TALK_SIGMA < <(lnparams "$TALK_MEAN" "$TALK_CV")
P_NOANSWER=$(python3 -c "print(f'{(1 - $P_FAIL - $P_LIVE) / (1 - $P_FAIL):.6f}')")
sed -e "s/@P_FAIL@/$P_FAIL/; s/@P_NOANSWER@/$P_NOANSWER/; s/@RING_MU@/$RING_MU/" \
	-e "s/@RING_SIGMA@/$RING_SIGMA/; s/@RING_LIMIT@/$RING_LIMIT_MS/" \
	"$HERE/customer_uas.xml" >"$T/customer_uas.xml"
sed -e "s/@TALK_MU@/$TALK_MU/; s/@TALK_SIGMA@/$TALK_SIGMA/" "$HERE/agent_uas.xml" \
	>"$T/agent_uas.xml"

# ---- provisioning with occctl (occd not running yet) -----------------------------------------
HTTP_PORT=$(bench_free_port)
SIP_PORT=$(bench_free_port)
AGENTS_PORT=$(bench_free_port)
CUST_PORT=$(bench_free_port)
AGENTS_MP=$(bench_free_port)
CUST_MP=$(bench_free_port)
FIRST=20001
DATA=$T/data
mkdir -p "$DATA"
printf '[security]\npwhash_opslimit = 1\npwhash_memlimit_kib = 8\n[media]\ntimeout = 0\n' >"$T/occ.ini"
CTL=("$T/occctl" --data "$DATA" --config "$T/occ.ini")
{
	"${CTL[@]}" team add bench &&
	GROUP=$("${CTL[@]}" group add bench auto Bench 6100 --acw answer "${ACW_OPT[@]}" | awk '{ print $NF }') &&
	"${CTL[@]}" account add bench admin adminpw &&
	"${CTL[@]}" trunk add bench gw "sip:127.0.0.1:$CUST_PORT" --default &&
	for ((a = FIRST; a < FIRST + AGENTS; a++)); do
		"${CTL[@]}" exten add bench "$a" secret &&
		"${CTL[@]}" agent add bench "$a" pw --exten "$a" &&
		"${CTL[@]}" member add bench "$GROUP" "$a" || exit 1
	done &&
	"${CTL[@]}" campaign add bench 1 Bench --group "$GROUP" --mode predictive \
		--profile none --window 00:00-24:00 --callerid 4008001234 &&
	"${CTL[@]}" campaign column bench 1 phone1 Phone
} >"$T/occctl.log" 2>&1 || { cat "$T/occctl.log" >&2; bench_die "occctl provisioning failed"; }
[[ $GROUP =~ ^[0-9]+$ ]] || bench_die "occctl group add printed no group id"

bench_start_occd "$HTTP_PORT" "$SIP_PORT"

# ---- the sipps, the capture -------------------------------------------------------------------
SIPP_TRACE=(-trace_msg)
bench_sipp_bg "$T" "$T/agents" -sf agent_uas.xml "127.0.0.1:$SIP_PORT" -i 127.0.0.1 \
	-mi 127.0.0.1 -p "$AGENTS_PORT" -mp "$AGENTS_MP" "${SIPP_TRACE[@]}" \
	-message_file "$T/agents.msg.log"
AGENTS_PID=$SIPP_PID
bench_sipp_bg "$T" "$T/customers" -sf customer_uas.xml "127.0.0.1:$SIP_PORT" -i 127.0.0.1 \
	-mi 127.0.0.1 -p "$CUST_PORT" -mp "$CUST_MP" "${SIPP_TRACE[@]}" \
	-message_file "$T/customers.msg.log"
CUST_PID=$SIPP_PID
TCPDUMP_PID=""
if ((HAVE_TCPDUMP)); then
	"${GEN_PIN[@]}" tcpdump -i lo -n -s 64 -U -w "$T/rtp.pcap" "udp and dst port $CUST_MP" \
		>"$T/tcpdump.out" 2>&1 &
	TCPDUMP_PID=$!
	bench_track "$TCPDUMP_PID"
fi
sleep 1
for p in "$AGENTS_PID" "$CUST_PID" $TCPDUMP_PID; do
	kill -0 "$p" 2>/dev/null || {
		cat "$T/agents.out" "$T/customers.out" "$T/tcpdump.out" >&2 2>/dev/null
		bench_die "sipp or tcpdump did not start"
	}
done

bench_sipp_register "$FIRST" "$AGENTS" "$AGENTS_PORT" register "$SIP_PORT"
REG_RC=$?
REGISTERED=$(bench_registrations "$DATA/occ.db" "$AGENTS_PORT")
((REG_RC == 0 && REGISTERED == AGENTS)) ||
	bench_die "registration: sipp exit $REG_RC, $REGISTERED of $AGENTS bindings in the store"
RECORDS=$((MINUTES * 100 + 300))
COMMON=(--http "$HTTP_PORT" --db "$DATA/occ.db" --ctl "$(IFS=$'\x1f'; echo "${CTL[*]}")")
"${GEN_PIN[@]}" "${DRIVER[@]}" setup "${COMMON[@]}" --first "$FIRST" --count "$AGENTS" \
	--group "$GROUP" --records "$RECORDS" || bench_die "setup failed"

# ---- the run ----------------------------------------------------------------------------------
bench_say "dialer-sip: campaign 1 runs $MINUTES min with $AGENTS agents; pinning: $PINNING"
bench_fg "${GEN_PIN[@]}" "${DRIVER[@]}" run "${COMMON[@]}" --duration $((MINUTES * 60)) \
	--wrap "$WRAP" "${DRIVER_ACW[@]}" --out "$T/run.json" || bench_die "the run failed"
sleep 1
bench_log_counts "$T/occd.log"
OCC_ALIVE=0
kill -0 "$OCC_PID" 2>/dev/null && OCC_ALIVE=1
SIPP_LEFT=$(bench_sipp_left "$T/agents.stat.csv" "$T/customers.stat.csv")
[[ -n $TCPDUMP_PID ]] && bench_stop "$TCPDUMP_PID"
bench_stop "$AGENTS_PID" "$CUST_PID"

# ---- the report -------------------------------------------------------------------------------
OUTFILE=${OUT:-$T/dialer-sip.env}
{
	bench_run_facts
	echo "load_before=$LOAD_BEFORE"
	echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "dsip_pinning=$PINNING"
	echo "dsip_minutes=$MINUTES"
	echo "dsip_quick=$QUICK"
	echo "dsip_agents=$AGENTS"
	echo "dsip_acw=$ACW"
	echo "dsip_sim_other=$OTHER_DESC"
	echo "dsip_world=failures $P_FAIL, live $P_LIVE (ring lognormal mean ${RING_MEAN} s cv $RING_CV, release ${RING_LIMIT_MS} ms), talk lognormal mean ${TALK_MEAN} s cv $TALK_CV, wrap-up ${WRAP} s"
	echo "dsip_sipp_version=$(bench_sipp_version)"
	echo "dsip_occd_alive=$OCC_ALIVE"
	echo "dsip_sipp_left=$SIPP_LEFT"
	echo "dsip_log_errors=$LOG_ERRORS"
	cat "$T/sim.env"
} >"$OUTFILE"
"${DRIVER[@]}" report "${COMMON[@]}" --run "$T/run.json" --agents "$AGENTS" \
	--customer-trace "$T/customers.msg.log" --agent-trace "$T/agents.msg.log" \
	$( ((HAVE_TCPDUMP)) && echo --pcap "$T/rtp.pcap") --sim "$T/sim.env" --out "$T/report.env"
rc=$?
cat "$T/report.env" >>"$OUTFILE"
((OCC_ALIVE)) || { bench_say "dialer-sip: occd died"; rc=1; }
((SIPP_LEFT == 0)) || { bench_say "dialer-sip: $SIPP_LEFT calls left in the sipps"; rc=1; }
bench_stop "$OCC_PID"
cat "$OUTFILE"
bench_conclude dialer-sip "$rc" "$UPDATE" "$OUTFILE"
exit $rc
