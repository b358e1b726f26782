#!/usr/bin/env bash
# bench/timers/run.sh — how many timers occd's event loop holds with N
# phones registered (digest), read from libre's timer list with gdb.
#
#   bench/timers/run.sh [--count N (1000)]
#
# libre 1.1.0 keeps every running timer in one list sorted by expiry, and
# inserts by walking it, so timers that grow with registrations make each
# REGISTER cost more on the loop. Runs build/occd (OCC_BENCH_BIN_DIR:
# another build, e.g. an older commit's, for a before/after), provisions
# team "bench" with N extensions (bench/calls/driver.py), and counts the
# loop's timers (list_count(tmrl_get()), via gdb -p) idle and after
# bench/calls/register.xml registered all N. Prints key=value lines; exits
# non-zero if a registration failed. Needs sipp, gdb, python3, curl.
set -u
. "$(dirname "$0")/../lib.sh"

COUNT=1000
while (($#)); do
	case $1 in
	--count) COUNT=$2; shift ;;
	*) bench_die "unknown option $1" ;;
	esac
	shift
done
bench_need sipp sip-tester
bench_need gdb gdb
bench_need curl curl

bench_init timers
bench_copy_bins occd occctl
bench_pin
T=$BENCH_TMP
ulimit -n "$(ulimit -Hn)" 2>/dev/null
HTTP_PORT=$(bench_free_port)
SIP_PORT=$(bench_free_port)
PHONES_PORT=$(bench_free_port)
FIRST=20001
bench_occ_team "$FIRST" "$(bench_free_port)"
python3 -B "$BENCH_ROOT/bench/calls/driver.py" provision --db "$DATA/occ.db" \
	--team bench --first "$FIRST" --count "$COUNT" >/dev/null ||
	bench_die "provisioning failed"
bench_start_occd "$HTTP_PORT" "$SIP_PORT"

timers() { # the loop's running timers, read while occd is stopped by gdb
	gdb -p "$OCC_PID" -batch -nx \
		-ex 'print ((unsigned (*)(void *))list_count)(((void *(*)(void))tmrl_get)())' \
		2>/dev/null | awk '/^\$1 = / { print $3 }'
}

IDLE=$(timers)
bench_sipp_register "$FIRST" "$COUNT" "$PHONES_PORT" register "$SIP_PORT"
RC=$?
REGISTERED=$(bench_registrations "$DATA/occ.db" "$PHONES_PORT")
AFTER=$(timers)
echo "registrations=$REGISTERED"
echo "timers_idle=$IDLE"
echo "timers_registered=$AFTER"
echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
((RC == 0 && REGISTERED == COUNT)) ||
	bench_die "registration: sipp exit $RC, $REGISTERED of $COUNT bindings"
