#!/usr/bin/env bash
# run.sh — every test suite of `make check`, in order. Each suite prints
# TAP-style lines ("ok - ..." / "not ok - ..."); this script counts them,
# adds one failure for a suite that exits non-zero without saying why, and
# ends with the line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

suites=(
	"unit|build/asan/unit-tests '!dialer_sim'"
	"dialer simulations (release build)|build/unit-tests dialer_sim"
	"symbols|scripts/check-symbols.sh build/occd && scripts/check-symbols.sh build/asan/occd"
	"generated docs|make -s check-generated"
	"fuzz corpus replay|make -s -f fuzz/Makefile replay"
	"file imports (http, ftp, allow-list, limits)|tests/import/run.sh"
	"occctl|tests/cli/test_occctl.sh build/asan/occctl"
	"occctl routing|tests/cli/test_routing.sh build/asan/occctl"
	"occctl campaign|tests/cli/test_campaign.sh build/asan/occctl"
	"lifecycle|tests/lifecycle/test_lifecycle.py"
	"recordings and crash recovery|tests/lifecycle/test_recordings.py"
	"api|tests/api/run.sh"
	"campaigns: import over HTTP, Script and SOAP|tests/campaign/run.sh"
	"campaigns: the dialer over real SIP|tests/campaign/dial.sh"
	"campaigns: DNC lists, the record's time zone, retries by result|tests/campaign/compliance.sh"
	"campaigns: blended agents (inbound callers first)|tests/campaign/blend.sh"
	"campaigns: kill -9 during a campaign, restart|tests/campaign/restart.sh"
	"campaigns: AMD acting on dials, the recorded abandon message|tests/campaign/amd.sh"
	"campaigns: timed after-call work known to the dialer|tests/campaign/acw.sh"
	"browser|tests/browser/run.sh"
	"push|tests/push/run.sh"
	"original plugin and extension push|tests/plugin/run.sh"
	"agent desktop (/agent/) in Chromium|tests/agentdesk/run.sh"
	"browser phone (Kamailio + rtpengine + Chromium)|tests/webphone/run.sh"
	"supervisor wallboard (/wallboard/) in Chromium|tests/wallboard/run.sh"
	"team admin console (/admin/) in Chromium, sipp|tests/admin/run.sh"
	"events|tests/events/run.sh"
	"sip|tests/sip/run.sh"
	"sip limits|tests/sip/hostile.sh"
	"phones (domain = occd's address)|tests/sip/phones.sh"
	"answering-machine detection on real calls|tests/sip/amd.sh"
	"multiparty|tests/multiparty/run.sh"
	"plugin calls: ACW after multi-party calls, recording segments|tests/plugin-calls/run.sh"
	"supervision|tests/supervision/run.sh"
	"ops on real calls|tests/ops/run.sh"
	"inbound|tests/inbound/run.sh"
	"inbound calls from registered phones|tests/inbound/phones_in.sh"
	"inbound statistics (a day of calls vs the CDRs)|tests/inbound/stats.sh"
	"inbound branches|tests/inbound/branches.sh"
	"metrics (Prometheus scrape vs what was done)|tests/metrics/run.sh"
	"postgresql store: unit tests, soak, api and plugin suites on PostgreSQL 15|tests/pg/run.sh"
)

passed=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for s in "${suites[@]}"; do
	name=${s%%|*}
	cmd=${s#*|}
	echo "== $name: $cmd"
	start=$(date +%s)
	bash -c "$cmd" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(grep -cE '^ok( |$)' "$out")
	f=$(grep -cE '^not ok( |$)' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - suite '$name' exited with status $rc"
		f=1
	elif [ "$rc" -eq 0 ] && [ "$p" -eq 0 ]; then
		p=1      # a suite without TAP lines that succeeded counts once
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	echo "== $name: $p passed, $f failed ($(( $(date +%s) - start )) s)"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
