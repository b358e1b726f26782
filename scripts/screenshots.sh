#!/usr/bin/env bash
# screenshots.sh [OUTDIR] — the screenshots README.md's "Pages" section
# shows (docs/screenshots/page-*.png by default; 1280×800): the index page,
# the agent desktop in a dialer call with its pop-up, the wallboard with
# a few agents and a queue, the admin console. Builds occd, starts a fresh
# occd --demo on free 127.0.0.1 ports (tests/lib/with-occd.sh; the release
# build unless OCCD is set), drives headless Debian Chromium with
# playwright-core (scripts/screenshots.mjs) and stops everything. Not part
# of `make check`.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/docs/screenshots}" && cd "${1:-$root/docs/screenshots}" && pwd)
. "$root/tests/lib/browser.sh"
browser_ready "$root/tests/agentdesk" playwright-core
make -C "$root" -s all
export OCCD=${OCCD:-$root/build/occd} OCCCTL=${OCCCTL:-$root/build/occctl}
"$root/tests/lib/with-occd.sh" -- timeout -k 5 120 node "$root/scripts/screenshots.mjs" "$out"
