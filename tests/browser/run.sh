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

if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
	echo "run.sh: ${CHROMIUM:-/usr/bin/chromium} is missing (apt-get install -y chromium)" >&2
	exit 1
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
	(cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
# Chromium under a fresh HOME-less CI environment still wants a writable
# profile and runtime dir; playwright-core gives it a temporary profile.
exec "$root/tests/lib/with-occd.sh" "$@" -- \
	timeout -k 5 90 node "$here/test_script.mjs"
