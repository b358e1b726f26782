#!/usr/bin/env bash
# with-occd.sh [--no-demo] [--config FILE] -- CMD ARGS...
#
# Starts occd (build/asan/occd unless $OCCD is set) on a free 127.0.0.1 port
# with a fresh data directory and the demo data, waits until it answers, runs
# CMD with OCC_URL, OCC_SIP_PORT, OCC_DATA, OCC_LOG and OCC_PID in the environment, then
# stops occd with SIGTERM. Fails if CMD fails, if occd does not stop cleanly,
# or if its log shows a sanitizer report or an undeclared BackMsg.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
occd=${OCCD:-$here/build/asan/occd}
demo=--demo
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--no-demo) demo=; shift ;;
	--config) extra+=(--config "$2"); shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done

# occd's HTTP and SIP ports: a locked block below the ephemeral range
# (tests/lib/ports.sh), so no client socket of another suite takes one
# between the choice and occd's bind
. "$here/tests/lib/ports.sh"
ports_take 1 OCCD_PORTS || { echo "with-occd: no free test ports" >&2; exit 1; }

data=$(mktemp -d /tmp/occ-test.XXXXXX)
# under tests/lib/with-pg.sh: occd on PostgreSQL, its schema emptied first
# (every occd of a suite starts as afresh as with a new data directory)
if [ -n "${OCC_PG_CONNINFO:-}" ]; then
	psql "$OCC_PG_CONNINFO" -qAt -c "SET client_min_messages = warning;
		DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public" >/dev/null ||
		{ echo "with-occd: cannot empty the PostgreSQL schema" >&2; exit 1; }
	extra+=(--store postgresql --conninfo "$OCC_PG_CONNINFO")
fi
port=${OCCD_PORTS[0]}
log=$data/occd.log
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
sip_port=$((OCCD_PORTS[0] + 1))
"$occd" $demo --data "$data" --http "127.0.0.1:$port" --sip "127.0.0.1:$sip_port" \
	"${extra[@]}" >"$log" 2>&1 &
pid=$!

cleanup() {
	kill -9 "$pid" 2>/dev/null
	rm -rf "$data"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
	if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
		break
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "with-occd: occd exited at start:" >&2
		cat "$log" >&2
		exit 1
	fi
	sleep 0.1
done

OCC_URL="http://127.0.0.1:$port" OCC_SIP_PORT="$sip_port" OCC_DATA="$data" OCC_LOG="$log" OCC_PID="$pid" "$@"
rc=$?

kill -TERM "$pid" 2>/dev/null
for _ in $(seq 1 100); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
	echo "with-occd: occd did not stop within 10 s of SIGTERM" >&2
	rc=1
else
	wait "$pid"
	orc=$?
	if [ "$orc" -ne 0 ]; then
		echo "with-occd: occd exited with status $orc" >&2
		rc=1
	fi
fi
if grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|undeclared backmsg' "$log" >&2; then
	echo "with-occd: problems in the occd log (above)" >&2
	rc=1
fi
if [ "$rc" -ne 0 ]; then
	echo "---- occd log (last 40 lines) ----" >&2
	tail -40 "$log" >&2
fi
exit $rc
