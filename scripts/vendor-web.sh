#!/usr/bin/env bash
# vendor-web.sh OUT — bundle the browser libraries of web/vendor/ (JsSIP,
# pinned by web/vendor/package-lock.json) into OUT, one minified file that
# webassets.c compiles into occd (/agent/jssip.js, the agent desktop's
# browser phone). `npm ci` installs the locked versions; esbuild bundles.
#
# Without npm (or without the registry) OUT becomes a one-line script that
# leaves JsSIP undefined: occd still builds and the desk says the browser
# phone is unavailable. docs/OPERATIONS.md, "Browser phone".
set -u
out=$1
here=$(cd "$(dirname "$0")/.." && pwd)
vendor=$here/web/vendor
mkdir -p "$(dirname "$out")"

fallback() {
	echo "vendor-web: $1; the browser phone is left out of this build" >&2
	printf '/* JsSIP not bundled: %s */\n' "$1" > "$out"
	exit 0
}
command -v npm >/dev/null 2>&1 || fallback "npm is not installed"
if [ ! -x "$vendor/node_modules/.bin/esbuild" ] ||
	[ "$vendor/package-lock.json" -nt "$vendor/node_modules/.package-lock.json" ]; then
	(cd "$vendor" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
		fallback "npm ci failed"
fi
"$vendor/node_modules/.bin/esbuild" "$vendor/node_modules/jssip/lib/JsSIP.js" \
	--bundle --minify --format=iife --global-name=JsSIP \
	--target=es2019 --log-level=warning --outfile="$out.tmp" >&2 ||
	fallback "esbuild failed"
mv "$out.tmp" "$out"
