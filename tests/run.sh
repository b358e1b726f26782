#!/usr/bin/env bash
# run.sh — every test suite of `make check`. Each suite prints TAP-style
# lines ("ok - ..." / "not ok - ..."); this script counts them, adds one
# failure for a suite that exits non-zero without saying why, and ends with
# the line "N passed, N failed".
#
# Two lanes, to use the machine's second core while most suites wait on
# timers and peers: the suites marked "&" below run one after the other in
# a background lane, from the start, alongside the main lane. None checks
# what a call sounds like, their time limits are seconds wide, and none
# takes a fixed port (occd, sipp, nginx and the browsers take free ones;
# tests/lib/browser.sh locks a suite's npm install). The main lane runs
# the suites without calls first and stops at the line "wait" until the
# background lane has finished, so the suites that check audio and timing
# on real calls never share the machine. A background suite's output is
# printed as a whole when it has finished (between two main-lane suites).
# SERIAL=1 runs everything in one lane, in the order of the list.
# Arguments: only the suites whose names match one of these extended
# regular expressions (e.g. tests/run.sh '^occctl' 'fuzz'), in the same lanes.
set -u
cd "$(dirname "$0")/.."

suites=(
	"unit|build/asan/unit-tests '!dialer_sim'"
	"dialer simulations (release build)|build/unit-tests dialer_sim"
	"&postgresql store: unit tests, soak, api and plugin suites on PostgreSQL 15|tests/pg/run.sh"
	"&several nodes: three occd on one PostgreSQL, team leases, node move, kill -9 takeover|tests/cluster/nodes.sh"
	"&events|tests/events/run.sh"
	"&fuzz corpus replay|make -s -f fuzz/Makefile replay"
	"&metrics (Prometheus scrape vs what was done)|tests/metrics/run.sh"
	"&ops on real calls|tests/ops/run.sh"
	"&campaigns: kill -9 during a campaign, restart|tests/campaign/restart.sh"
	"&campaigns: blended agents (inbound callers first)|tests/campaign/blend.sh"
	"&sip limits|tests/sip/hostile.sh"
	"&campaigns: DNC lists, the record's time zone, retries by result|tests/campaign/compliance.sh"
	"symbols|scripts/check-symbols.sh build/occd && scripts/check-symbols.sh build/asan/occd"
	"generated docs|make -s check-generated"
	"file imports (http, ftp, allow-list, limits)|tests/import/run.sh"
	"occctl|tests/cli/test_occctl.sh build/asan/occctl"
	"occctl routing|tests/cli/test_routing.sh build/asan/occctl"
	"occctl campaign|tests/cli/test_campaign.sh build/asan/occctl"
	"lifecycle|tests/lifecycle/test_lifecycle.py"
	"recordings and crash recovery|tests/lifecycle/test_recordings.py"
	"api|tests/api/run.sh"
	"campaigns: import over HTTP, Script and SOAP|tests/campaign/run.sh"
	"browser|tests/browser/run.sh"
	"push|tests/push/run.sh"
	"original plugin and extension push|tests/plugin/run.sh"
	"agent desktop (/agent/) in Chromium|tests/agentdesk/run.sh"
	"supervisor wallboard (/wallboard/) in Chromium|tests/wallboard/run.sh"
	"wait"
	"campaigns: the dialer over real SIP|tests/campaign/dial.sh"
	"campaigns: AMD acting on dials, the recorded abandon message|tests/campaign/amd.sh"
	"campaigns: timed after-call work known to the dialer|tests/campaign/acw.sh"
	"browser phone (Kamailio + rtpengine + Chromium)|tests/webphone/run.sh"
	"team admin console (/admin/) in Chromium, sipp|tests/admin/run.sh"
	"sip|tests/sip/run.sh"
	"sip trunks: digest on INVITE, registration|tests/sip/trunk.sh"
	"sip re-INVITEs from phones and carriers: hold, refresh, no SDP|tests/sip/reinvite.sh"
	"phones (domain = occd's address)|tests/sip/phones.sh"
	"answering-machine detection on real calls|tests/sip/amd.sh"
	"multiparty|tests/multiparty/run.sh"
	"plugin calls: ACW after multi-party calls, recording segments|tests/plugin-calls/run.sh"
	"supervision|tests/supervision/run.sh"
	"inbound|tests/inbound/run.sh"
	"inbound calls from registered phones|tests/inbound/phones_in.sh"
	"inbound statistics (a day of calls vs the CDRs)|tests/inbound/stats.sh"
	"inbound branches|tests/inbound/branches.sh"
)

tmp=$(mktemp -d)
bg_pid=
stop_bg() {  # on exit: the background lane, then the suite it runs
	local p
	[ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null
	for p in "$tmp"/bg*/pid; do
		[ -e "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap stop_bg EXIT

# python3 found through a version manager's shim (pyenv's is a bash script
# that runs `pyenv exec`: 0.6-1 s a start on a loaded machine, against 0.15 s
# for the interpreter itself) is started hundreds of times by each call
# suite (every hears, sql, peer): the same interpreter, linked first in
# PATH, takes its place
py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
if [ -x "$py" ] && [ "$(command -v python3)" != "$py" ]; then
	mkdir -p "$tmp/bin"
	ln -s "$py" "$tmp/bin/python3"
	export PATH=$tmp/bin:$PATH
fi

# run_suite NAME CMD DIR [bg]: runs the suite; DIR/out gets its output and
# its summary line ("bg": its "== NAME: CMD" line first), DIR/counts
# "PASSED FAILED", then DIR/done is created
run_suite() {
	local name=$1 cmd=$2 d=$3 start rc p f
	mkdir -p "$d"
	start=$(date +%s)
	if [ "${4:-}" = bg ]; then
		bash -c "$cmd" >"$d/log" 2>&1 </dev/null &
		echo $! >"$d/pid"
		wait $!
		rc=$?
		rm -f "$d/pid"
	else
		bash -c "$cmd" >"$d/log" 2>&1
		rc=$?
	fi
	p=$(grep -cE '^ok( |$)' "$d/log")
	f=$(grep -cE '^not ok( |$)' "$d/log")
	{
		[ "${4:-}" = bg ] && echo "== $name: $cmd (in the background lane)"
		cat "$d/log"
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "not ok - suite '$name' exited with status $rc"
			f=1
		elif [ "$rc" -eq 0 ] && [ "$p" -eq 0 ]; then
			p=1      # a suite without TAP lines that succeeded counts once
		fi
		echo "== $name: $p passed, $f failed ($(( $(date +%s) - start )) s)"
	} >"$d/out"
	echo "$p $f" >"$d/counts"
	touch "$d/done"
}

selected() {  # selected NAME: no arguments, or NAME matches one
	local re
	[ $# -gt 1 ] || return 0
	for re in "${@:2}"; do
		[[ $1 =~ $re ]] && return 0
	done
	return 1
}

main=() bg=()
for s in "${suites[@]}"; do
	if [ "$s" = wait ]; then
		main+=("$s")
		continue
	fi
	name=${s%%|*}
	name=${name#&}
	selected "$name" "$@" || continue
	if [ "${s:0:1}" = "&" ] && [ "${SERIAL:-0}" != 1 ]; then
		bg+=("${s#&}")
	else
		main+=("${s#&}")
	fi
done

passed=0 failed=0 shown=0
tally() {  # tally DIR: print a finished suite's output, count it
	local c
	cat "$1/out"
	read -r -a c <"$1/counts"
	passed=$((passed + c[0]))
	failed=$((failed + c[1]))
}
show_bg() {  # show_bg: the background suites finished since the last call
	while [ "$shown" -lt "${#bg[@]}" ] && [ -e "$tmp/bg$shown/done" ]; do
		tally "$tmp/bg$shown"
		shown=$((shown + 1))
	done
}

t0=$(date +%s)
if [ "${#bg[@]}" -gt 0 ]; then
	(
		for i in "${!bg[@]}"; do
			run_suite "${bg[$i]%%|*}" "${bg[$i]#*|}" "$tmp/bg$i" bg
		done
	) &
	bg_pid=$!
fi
i=0
for s in "${main[@]}"; do
	show_bg
	if [ "$s" = wait ]; then
		if [ -n "$bg_pid" ]; then
			echo "== waiting for the background lane"
			wait "$bg_pid"
			bg_pid=
		fi
		continue
	fi
	echo "== ${s%%|*}: ${s#*|}"
	run_suite "${s%%|*}" "${s#*|}" "$tmp/main$i"
	tally "$tmp/main$i"
	i=$((i + 1))
done
[ -n "$bg_pid" ] && wait "$bg_pid"
bg_pid=
show_bg
echo "$passed passed, $failed failed ($(( $(date +%s) - t0 )) s)"
[ "$failed" -eq 0 ]
