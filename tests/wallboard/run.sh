#!/usr/bin/env bash
# run.sh — the supervisor wallboard (/wallboard/) driven as a person would,
# in headless Debian Chromium (/usr/bin/chromium) through playwright-core:
# a group leader logs in, a customer waits in queue 6001 (occctl call →
# DID 800888 → IVR key 1) with nobody checked in, the page shows 1 waiting,
# a growing longest wait and the alarm; an agent checks in and takes the
# call, the page shows it talking with the customer and the queue's answered
# count (the same numbers as the API's QueueStatistic); the leader monitors
# and releases the call from the page; a team account sees every queue; an
# agent who leads no group is refused; labels in both languages; the
# Content-Security-Policy. Then test_scale.mjs: 60 agents in 6 queues
# changing state 20 times a second, every change shown on the page.
#
# OCC_SCREENSHOT_DIR=docs/screenshots tests/wallboard/run.sh also saves the
# screenshot the README shows. Installs playwright-core from
# package-lock.json when node_modules is missing (tests/lib/browser.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

. "$root/tests/lib/browser.sh"
browser_ready "$here" playwright-core
export OCCCTL=${OCCCTL:-$root/build/asan/occctl}
if [ -n "${OCC_SCREENSHOT_DIR:-}" ]; then
	mkdir -p "$OCC_SCREENSHOT_DIR"
	OCC_SCREENSHOT_DIR=$(cd "$OCC_SCREENSHOT_DIR" && pwd)
	export OCC_SCREENSHOT_DIR
fi
# the tests cap themselves at 55 s and 75 s, timeout(1) is the backstop
"$root/tests/lib/with-occd.sh" "$@" -- \
	timeout -k 5 70 node "$here/test_wallboard.mjs" || exit 1
# at scale (test_scale.mjs): 60 agents, 6 queues, every change shown
exec "$root/tests/lib/with-occd.sh" "$@" -- \
	timeout -k 5 90 node "$here/test_scale.mjs"
