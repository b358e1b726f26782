#!/usr/bin/env bash
# tests/metrics/denied.sh — run by run.sh under tests/lib/with-occd.sh with
# --config $CFG, whose [metrics] allow leaves 127.0.0.1 out: /metrics is a
# 404 from here; SIGHUP with 127.0.0.1 added lets it in; a bad list on
# SIGHUP is refused and the one before stays. TAP lines (run.sh numbers
# them).
set -u
code() { curl -sS -m 10 -o /dev/null -w "%{http_code}" "$OCC_URL$1"; }
# hup LIST REGEX: [metrics] allow = LIST, SIGHUP, until the log says REGEX
hup() {
	printf '[metrics]\nallow = %s\n' "$1" >"$CFG"
	kill -HUP "$OCC_PID"
	for _ in $(seq 1 50); do
		grep -q "$2" "$OCC_LOG" && return 0
		sleep 0.1
	done
	echo "# no log line /$2/ within 5 s"
}
tap() {  # tap DESC CMD...: ok/not ok
	local d=$1
	shift
	if "$@"; then echo "ok - $d"; else echo "not ok - $d"; fi
}

c=$(code /metrics)
body=$(curl -sS -m 10 "$OCC_URL/metrics")
echo "# /metrics: $c $body"
tap "allow = 10.0.0.0/8, ::1: /metrics from 127.0.0.1 is a 404 (not found)" \
	test "$c $body" = "404 not found"
tap "/healthz still answers 200" test "$(code /healthz)" = 200
hup "10.0.0.0/8, 127.0.0.1" 'config \[metrics\] allow changed'
tap "after SIGHUP with 127.0.0.1 in the list: 200" test "$(code /metrics)" = 200
hup "127.0.0.1, localhost" 'config not reloaded.*localhost'
tap "SIGHUP with a bad list (localhost): refused and logged" \
	grep -q 'config not reloaded.*\[metrics\] allow: "localhost"' "$OCC_LOG"
tap "... and the list before stays (200)" test "$(code /metrics)" = 200
