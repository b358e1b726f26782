#!/usr/bin/env bash
# run.sh — the original plugin and browser extension, as integrators load
# them (docs/API.md, "The original plugin's wire"): a cross-origin page with
# jQuery 1.11.3 from npm, the plugin's |Retuen| POSTs and JSONP calls, and
# the extension's agentpull long-poll, in headless Debian Chromium
# (/usr/bin/chromium) driven by playwright-core; a sipp phone answers the
# agent's makeCall. Installs jquery and playwright-core from
# package-lock.json (npm registry only) when node_modules is missing, then
# runs test_plugin.mjs under with-occd.sh (build/asan/occd unless $OCCD),
# the phone's sipp on a block of ports held for the run (tests/lib/ports.sh:
# OCC_PHONE_PORT).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/lib/ports.sh"
# the lock's descriptor stays open through the exec below
ports_take 1 PHONE || { echo "Bail out! no free block of ports"; exit 1; }
export OCC_PHONE_PORT=${PHONE[0]}

. "$root/tests/lib/browser.sh"
browser_ready "$here" playwright-core jquery
# playwright-core gives Chromium a fresh temporary profile; the test caps
# itself at 75 s, timeout(1) is the backstop.
exec "$root/tests/lib/with-occd.sh" "$@" -- \
	timeout -k 5 110 node "$here/test_plugin.mjs"
