#!/usr/bin/env bash
# tests/events/run.sh — the event sinks end to end (ASan occd):
#   test_webhook.py  backend event POST: backlog when event_url is set,
#                    a receiver down for 10 s and occd killed with SIGKILL
#                    under load, then every eventid exactly once after
#                    dedup, in order; event_url changed/cleared/set again
#                    without restart; a receiver that never answers (the
#                    POST times out, is sent again, none lost);
#   test_retention.py  the event log pruned after [events] retention_days,
#                    never what a team's backend has not received, never a
#                    team's newest event;
#   test_nchan.py    the same events through a real nginx + nchan started
#                    with docs/nginx-nchan.conf (installs nginx-light and
#                    libnginx-mod-nchan when missing and run as root);
#   test_nchan_stall.py  a publisher that never answers: publishes time
#                    out and overflow, counted and logged, the API and the
#                    event log unaffected, publishing again once it answers.
# TAP lines from both; the exit status is non-zero if anything failed.
# OCCD/OCCCTL override the binaries; KEEP=1 keeps the work directories.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export OCCD=${OCCD:-$root/build/asan/occd}
export OCCCTL=${OCCCTL:-$root/build/asan/occctl}

for b in "$OCCD" "$OCCCTL"; do
	if [ ! -x "$b" ]; then
		echo "not ok - $b is not built (make asan)"
		exit 1
	fi
done
rc=0
for t in test_webhook.py test_retention.py test_nchan.py test_nchan_stall.py; do
	echo "# $t"
	timeout -k 5 150 python3 "$here/$t" || rc=1
done
exit $rc
