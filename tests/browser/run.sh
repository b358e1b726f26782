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
if ! command -v node >/dev/null 2>&1; then
	echo "run.sh: node is missing (scripts/deps.sh installs it)" >&2
	exit 1
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
	echo "run.sh: playwright-core needs Node.js >= 20, this is $(node --version)" >&2
	exit 1
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
	(cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) >&2
fi
# playwright-core gives Chromium a fresh temporary profile; the test caps
# itself at 55 s, timeout(1) is the backstop.
exec "$root/tests/lib/with-occd.sh" "$@" -- \
	timeout -k 5 90 node "$here/test_script.mjs"
