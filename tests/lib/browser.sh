# browser.sh — what the Chromium suites (tests/browser, tests/push,
# tests/plugin) need before they start: Debian's Chromium, Node.js >= 20
# for playwright-core, and DIR's npm modules installed from its
# package-lock.json (npm registry only; no browser is ever downloaded).
#
# browser_ready DIR MODULE...: exits the suite (status 1) with what to
# install when something is missing; runs `npm ci` in DIR when one of the
# MODULEs is not in DIR/node_modules.
browser_ready() {
	local dir=$1 m
	shift
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
	# two suites may want DIR at once (tests/run.sh runs tests/pg, which
	# runs tests/plugin, alongside the other suites): one installs, the
	# other waits for it under the lock
	(
		flock 9
		for m in "$@"; do
			if [ ! -d "$dir/node_modules/$m" ]; then
				(cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) >&2
				exit
			fi
		done
	) 9>"$dir/.npm-lock"
}
