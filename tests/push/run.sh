#!/usr/bin/env bash
# run.sh — the browser push tests: occd's /push/sse, /push/poll and
# push-stream paths and cocc_nginx_http_push.js, in headless Debian
# Chromium (/usr/bin/chromium) driven by playwright-core from
# tests/browser/node_modules (installed there with `npm ci` when missing; no
# browser is ever downloaded). Runs test_auth.py, test_revoke.py (tokens
# of changed or disabled credentials) and test_hold.py (/push/sse?hold=),
# test_limits.py (subscribers per channel and per team), test_wait.py
# (how long the long-polls wait: [push] poll_wait, pull_wait),
# then test_push.mjs under with-occd.sh (build/asan/occd unless $OCCD is
# set). Extra arguments go to with-occd.sh
# before `--`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mods="$root/tests/browser"

. "$root/tests/lib/browser.sh"
browser_ready "$mods" playwright-core
"$root/tests/lib/with-occd.sh" -- timeout -k 5 30 python3 "$here/test_auth.py" ||
	fail=1
# revoked credentials: tokens refused, streams cut (issue 9, item 11)
"$root/tests/lib/with-occd.sh" -- timeout -k 5 120 python3 "$here/test_revoke.py" ||
	fail=1
# /push/sse?hold=: events sent together, the same frames
"$root/tests/lib/with-occd.sh" -- timeout -k 5 30 python3 "$here/test_hold.py" ||
	fail=1
# [push] max_per_channel / max_per_team: refusals and places given back
cfg=$(mktemp /tmp/occ-push-limits.XXXXXX)
printf '[push]\nmax_per_channel = 2\nmax_per_team = 3\n' >"$cfg"
"$root/tests/lib/with-occd.sh" --config "$cfg" -- \
	timeout -k 5 30 python3 "$here/test_limits.py" || fail=1
rm -f "$cfg"
# [push] poll_wait / pull_wait: the long-polls answered empty (304) in time
cfg=$(mktemp /tmp/occ-push-wait.XXXXXX)
printf '[push]\npoll_wait = 1\npull_wait = 2\n' >"$cfg"
"$root/tests/lib/with-occd.sh" --config "$cfg" -- \
	timeout -k 5 60 python3 "$here/test_wait.py" || fail=1
rm -f "$cfg"
# the test caps itself at 85 s; timeout(1) is the backstop
"$root/tests/lib/with-occd.sh" "$@" -- \
	timeout -k 5 90 node "$here/test_push.mjs" || fail=1
exit ${fail:-0}
