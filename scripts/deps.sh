#!/usr/bin/env bash
# deps.sh — install what occ needs to build and test, with apt-get, only
# when something is missing (a second run costs a dpkg query). Debian 12.
# --bench: also the peers only `make bench` runs (kamailio, rtpengine).
set -eu

pkgs=(
	gcc make pkg-config
	libre-dev librem-dev libmicrohttpd-dev libsqlite3-dev libsodium-dev
	libxml2-dev libcurl4-openssl-dev    # libcurl: file imports (src/import)
	libpq-dev postgresql-15             # [store] backend = postgresql; tests/pg
	sqlite3 curl python3                # tools and test drivers
	python3-pyftpdlib                   # the FTP server of tests/import
	php-cli php-soap                    # the SOAP test client (PHP SoapClient)
	chromium                            # the Script interface test (headless)
	fonts-wqy-microhei                  # Chinese labels in the agent desktop's screenshots
	wrk nginx-light libnginx-mod-nchan  # bench peer; nchan for the events tests
	sip-tester baresip-core sox         # SIP peers and audio tools for the call tests
	python3-prometheus-client           # the /metrics test's parser (/usr/bin/python3)
)
[ "${1:-}" = --bench ] && pkgs+=(kamailio rtpengine-daemon)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
# Node.js runs the browser test; keep a Node that is already installed
# (for example from NodeSource) rather than pulling Debian's.
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
echo "deps: installing ${missing[*]}"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
