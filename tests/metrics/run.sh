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
#   4. scripts/occ.conf.example (scripts/occd.service's) starts occd.
# TAP output; non-zero exit on failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
occd=${OCCD:-$root/build/asan/occd}
n=0 failed=0
ok()  { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

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
"$root/tests/lib/with-occd.sh" -- "$here/scenario.sh" >"$out" 2>&1
rc=$?
# the scenario's TAP lines, renumbered after ours
while IFS= read -r line; do
	case "$line" in
	"ok "*) ok "${line#ok * - }" ;;
	"not ok "*) nok "${line#not ok * - }" ;;
	*) echo "# ${line#\# }" ;;
	esac
done <"$out"
if [ $rc -eq 0 ]; then
	ok "occd ran the scenario and stopped cleanly (with-occd.sh)"
else
	nok "occd ran the scenario and stopped cleanly (with-occd.sh: status $rc)"
fi

# ---- 2 ------------------------------------------------------------------------
cfg=$tmp/occ.conf
printf '[metrics]\nallow = 10.0.0.0/8, ::1\n' >"$cfg"
# denied.sh, inline: 404 from 127.0.0.1, then SIGHUP with 127.0.0.1 allowed
CFG=$cfg "$root/tests/lib/with-occd.sh" --config "$cfg" -- bash -c '
	code() { curl -sS -m 10 -o /dev/null -w "%{http_code}" "$OCC_URL$1"; }
	c=$(code /metrics)
	body=$(curl -sS -m 10 "$OCC_URL/metrics")
	[ "$c" = 404 ] && [ "$body" = "not found" ] && echo "ok - allow = 10.0.0.0/8, ::1: /metrics from 127.0.0.1 is a 404 (not found)" ||
		echo "not ok - allow = 10.0.0.0/8, ::1: /metrics from 127.0.0.1 got $c ($body), want 404"
	c=$(code /healthz)
	[ "$c" = 200 ] && echo "ok - /healthz still answers 200" || echo "not ok - /healthz got $c"
	printf "[metrics]\nallow = 10.0.0.0/8, 127.0.0.1\n" >"$CFG"
	kill -HUP "$OCC_PID"
	for _ in $(seq 1 50); do
		grep -q "config \[metrics\] allow changed" "$OCC_LOG" && break
		sleep 0.1
	done
	c=$(code /metrics)
	[ "$c" = 200 ] && echo "ok - after SIGHUP with 127.0.0.1 in the list: 200" ||
		echo "not ok - after SIGHUP with 127.0.0.1 in the list: got $c"
	printf "[metrics]\nallow = 127.0.0.1, localhost\n" >"$CFG"
	kill -HUP "$OCC_PID"
	for _ in $(seq 1 50); do
		grep -q "config not reloaded.*localhost" "$OCC_LOG" && break
		sleep 0.1
	done
	grep -q "config not reloaded.*\[metrics\] allow: \"localhost\"" "$OCC_LOG" &&
		[ "$(code /metrics)" = 200 ] &&
		echo "ok - SIGHUP with a bad list (localhost): refused and logged, the list before stays" ||
		echo "not ok - SIGHUP with a bad list: not refused as expected"
' >"$out" 2>&1
rc=$?
while IFS= read -r line; do
	case "$line" in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) nok "${line#not ok - }" ;;
	*) echo "# $line" ;;
	esac
done <"$out"
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
	bash -c '/usr/bin/python3 "$0" scrape "$OCC_URL/metrics" /dev/null' \
	"$here/prom.py" >"$out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	ok "scripts/occ.conf.example starts occd; its allow list lets 127.0.0.1 scrape"
else
	nok "scripts/occ.conf.example: status $rc"
	sed 's/^/# /' "$out"
fi

echo "# $n tests, $failed failed"
[ "$failed" -eq 0 ]
