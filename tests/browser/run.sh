#!/usr/bin/env bash
# run.sh — the browser tests: occd's Script (CJI) plugin, its test page and the
# cross-origin HTTP interface, in headless Debian Chromium (/usr/bin/chromium,
# `apt-get install -y chromium`) driven by playwright-core. No browser is ever
# downloaded: playwright-core only drives the system one.
#
# Installs playwright-core from package-lock.json (npm registry only) when
# node_modules is missing, then runs test_script.mjs under with-occd.sh
# (build/asan/occd unless $OCCD is set; build it first with
# `make build/asan/occd`). Extra arguments go to with-occd.sh before `--`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

. "$root/tests/lib/browser.sh"
browser_ready "$here" playwright-core
# playwright-core gives Chromium a fresh temporary profile; the test caps
# itself at 55 s, timeout(1) is the backstop.
exec "$root/tests/lib/with-occd.sh" "$@" -- \
	timeout -k 5 90 node "$here/test_script.mjs"
