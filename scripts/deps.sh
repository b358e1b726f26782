#!/usr/bin/env bash
# deps.sh — install what occ needs to build and test, with apt-get, only
# when something is missing (a second run costs a dpkg query). Debian 12.
# The browser phone's engines (kamailio, rtpengine: scripts/webphone.sh)
# are installed for tests/webphone and `make demo`; their system services,
# which start on install and take ports 5060 and 2223, are stopped and
# disabled — occ starts its own instances. (--bench, which `make bench`
# passes, needs nothing more: its peers are among these.)
# --bench: also the peers and tools only `make bench` runs (kamailio,
# rtpengine, tcpdump).
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
	kamailio kamailio-websocket-modules rtpengine-daemon  # the browser phone (webphone.sh)
	kamailio-postgres-modules redis-server  # several nodes (scripts/cluster.sh, make cluster-check)
)
[ "${1:-}" = --bench ] && pkgs+=(kamailio rtpengine-daemon tcpdump)

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
# the engines' own services: occ runs its instances (scripts/webphone.sh,
# scripts/cluster.sh)
for svc in kamailio rtpengine-daemon redis-server; do
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		$sudo systemctl disable --now "$svc" >/dev/null 2>&1 || true
	elif [ -x "/etc/init.d/$svc" ]; then
		$sudo "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
		$sudo update-rc.d "$svc" disable >/dev/null 2>&1 || true
	fi
done
