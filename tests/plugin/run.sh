#!/usr/bin/env bash
# run.sh — the original plugin and browser extension, as integrators load
# them (docs/API.md, "The original plugin's wire"): a cross-origin page with
# jQuery 1.11.3 from npm, the plugin's |Retuen| POSTs and JSONP calls, and
# the extension's agentpull long-poll, in headless Debian Chromium
# (/usr/bin/chromium) driven by playwright-core; a sipp phone answers the
# agent's makeCall. Installs jquery and playwright-core from
# package-lock.json (npm registry only) when node_modules is missing, then
# runs test_plugin.mjs under with-occd.sh (build/asan/occd unless $OCCD).
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
if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/jquery" ]; then
	(cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) >&2
fi
# playwright-core gives Chromium a fresh temporary profile; the test caps
# itself at 75 s, timeout(1) is the backstop.
exec "$root/tests/lib/with-occd.sh" "$@" -- \
	timeout -k 5 110 node "$here/test_plugin.mjs"
