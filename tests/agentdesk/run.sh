#!/usr/bin/env bash
# run.sh — the agent desktop (/agent/) driven as a person would, in headless
# Debian Chromium (/usr/bin/chromium) through playwright-core: log in, check
# in, pause, an inbound call from outside (occctl call → DID 800888 → IVR →
# queue 6001) answered on a built-in phone, hold and resume, a reload while
# away (the page catches up from its last eventid), consult and transfer to
# another agent, the recording link, a makeCall answered by the virtual
# customer with a reload mid-call, today's figures, both languages, 1280×800
# and a tablet, the Content-Security-Policy and where the password goes.
# Then dialer.sh: a campaign's call to a sipp phone over real SIP, the
# pop-up with the record's fields (CustomerRecord), hold, resume, hang up.
#
# OCC_SCREENSHOT_DIR=docs/screenshots tests/agentdesk/run.sh also saves
# the screenshots the README shows. Installs playwright-core from
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
# the test caps itself at 150 s, timeout(1) is the backstop
rc=0
"$root/tests/lib/with-occd.sh" "$@" -- \
	timeout -k 5 180 node "$here/test_agentdesk.mjs" || rc=$?
# a dialer call over real SIP (sipp phone and customer), its own occd
"$here/dialer.sh" || rc=1
exit $rc
