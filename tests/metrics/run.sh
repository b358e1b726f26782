#!/usr/bin/env bash
# tests/metrics/run.sh — GET /metrics (Prometheus text format 0.0.4):
#   1. scenario.sh under tests/lib/with-occd.sh: a day in miniature (a
#      phone registers, agents log in and check in, a call with the
#      virtual customer, a caller waiting in a queue, a failed call, a
#      webhook backlog that drains), each step checked in a scrape parsed
#      by the real Prometheus client parser (python3-prometheus-client);
#   2. [metrics] allow without 127.0.0.1: /metrics is a 404 from here
#      (/healthz still answers); SIGHUP with 127.0.0.1 added: 200;
#   3. an allow list that does not parse: occd refuses to start;
#   4. scripts/occ.conf.example (scripts/occd.service's) starts occd, and
#      every log line names its node (node=occ1); a bad [node] name stops
#      occd at start;
#      (with one media worker, [media] threads = 1: its load and sockets
#      are scraped while the caller waits);
#   5. a burst of SIP datagrams is read in few loop passes (sipburst.py).
# TAP output; non-zero exit on failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
occd=${OCCD:-$root/build/asan/occd}
n=0 failed=0
ok()  { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
# relay FILE: the TAP lines of a run under with-occd.sh, renumbered after
# ours; anything else as diagnostics
relay() {
	local line re='^(not )?ok( [0-9]+)? - (.*)$'
	while IFS= read -r line; do
		if [[ $line =~ $re ]]; then
			if [ -n "${BASH_REMATCH[1]}" ]; then
				nok "${BASH_REMATCH[3]}"
			else
				ok "${BASH_REMATCH[3]}"
			fi
		else
			echo "# ${line#\# }"
		fi
	done <"$1"
}

if ! /usr/bin/python3 -c 'import prometheus_client' 2>/dev/null; then
	nok "Debian's python3-prometheus-client is installed (scripts/deps.sh)"
	exit 1
fi
for t in sipp curl; do
	command -v "$t" >/dev/null || { nok "$t is installed (scripts/deps.sh)"; exit 1; }
done

# ---- 1 ------------------------------------------------------------------------
out=$(mktemp)
tmp=$(mktemp -d /tmp/occ-metrics-run.XXXXXX)
trap 'rm -rf "$out" "$tmp"' EXIT
OCC_MEDIA_THREADS=1 "$root/tests/lib/with-occd.sh" -- "$here/scenario.sh" >"$out" 2>&1
rc=$?
relay "$out"
if [ $rc -eq 0 ]; then
	ok "occd ran the scenario and stopped cleanly (with-occd.sh)"
else
	nok "occd ran the scenario and stopped cleanly (with-occd.sh: status $rc)"
fi

# ---- 2 ------------------------------------------------------------------------
cfg=$tmp/occ.conf
printf '[metrics]\nallow = 10.0.0.0/8, ::1\n' >"$cfg"
CFG=$cfg "$root/tests/lib/with-occd.sh" --config "$cfg" -- "$here/denied.sh" \
	>"$out" 2>&1
rc=$?
relay "$out"
[ $rc -eq 0 ] && ok "occd stopped cleanly (second run)" ||
	nok "occd stopped cleanly (second run: status $rc)"

# ---- 3 ------------------------------------------------------------------------
printf '[metrics]\nallow = 127.0.0.1/40\n' >"$cfg"
timeout 20 "$occd" --config "$cfg" --data "$tmp/data" --http 127.0.0.1:1 \
	--sip 127.0.0.1:1 >"$out" 2>&1
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q '\[metrics\] allow: "127.0.0.1/40"' "$out"; then
	ok "a bad allow list (127.0.0.1/40): occd refuses to start and says why"
else
	nok "a bad allow list: occd status $rc"
	sed 's/^/# /' "$out"
fi

# ---- 4 ------------------------------------------------------------------------
# the example configuration of scripts/occd.service starts occd (its
# addresses and data directory overridden by with-occd.sh's flags), and its
# allow list lets this host scrape
"$root/tests/lib/with-occd.sh" --config "$root/scripts/occ.conf.example" -- \
	bash -c '/usr/bin/python3 "$0" scrape "$OCC_URL/metrics" /dev/null &&
		cp "$OCC_LOG" "$1"' "$here/prom.py" "$tmp/example.log" >"$out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	ok "scripts/occ.conf.example starts occd; its allow list lets 127.0.0.1 scrape"
else
	nok "scripts/occ.conf.example: status $rc"
	sed 's/^/# /' "$out"
fi
lines=$(grep -c '^ts=' "$tmp/example.log" 2>/dev/null)
named=$(grep -c '^ts=[^ ]* node=occ1 level=' "$tmp/example.log" 2>/dev/null)
if [ "${lines:-0}" -gt 5 ] && [ "$lines" = "$named" ]; then
	ok "every log line names the node ([node] name = occ1): $named of $lines"
else
	nok "log lines naming node=occ1: ${named:-0} of ${lines:-0}"
	head -3 "$tmp/example.log" | sed 's/^/# /'
fi
printf '[node]\nname = "occ 1"\n' >"$cfg"
timeout 20 "$occd" --config "$cfg" --data "$tmp/data" --http 127.0.0.1:1 \
	--sip 127.0.0.1:1 >"$out" 2>&1
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q 'bad \[node\] name' "$out"; then
	ok "a bad [node] name: occd refuses to start and says why"
else
	nok "a bad [node] name: occd status $rc"
	sed 's/^/# /' "$out"
fi

# ---- 5 ------------------------------------------------------------------------
"$root/tests/lib/with-occd.sh" -- /usr/bin/python3 "$here/sipburst.py" >"$out" 2>&1
rc=$?
relay "$out"
[ $rc -eq 0 ] && ok "occd stopped cleanly (SIP burst)" ||
	nok "occd stopped cleanly (SIP burst: status $rc)"

echo "# $n tests, $failed failed"
[ "$failed" -eq 0 ]
