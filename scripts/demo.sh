#!/usr/bin/env bash
# demo.sh — start occd in the foreground with the demo teams (make demo).
# OCC_DEMO_HTTP and OCC_DEMO_DATA override the address and data directory.
# The browser phone's engines (scripts/webphone.sh: Kamailio, rtpengine)
# start with it when they are installed; OCC_DEMO_PHONE=0 leaves them off.
set -eu
cd "$(dirname "$0")/.."
http=${OCC_DEMO_HTTP:-127.0.0.1:4580}
data=${OCC_DEMO_DATA:-./demo-data}
sip=${OCC_DEMO_SIP:-127.0.0.1:5060}
mkdir -p "$data"
conf=()
phone="off (OCC_DEMO_PHONE=0, or kamailio/rtpengine not installed)"
if [ "${OCC_DEMO_PHONE:-1}" != 0 ] && command -v kamailio >/dev/null &&
	command -v rtpengine >/dev/null; then
	run=$data/webphone
	if scripts/webphone.sh up "$run" "$sip" >/dev/null; then
		. "$run/env"
		printf '[web]\nphone_ws = %s\n[sip]\nwebphone_proxy = %s\n' \
			"$phone_ws" "$webphone_proxy" >"$run/occ.conf"
		conf=(--config "$run/occ.conf")
		phone="$phone_ws (Kamailio + rtpengine; logs in $run)"
	fi
fi
cat <<EOT

occ demo — http://$http/

  Agent desktop      http://$http/agent/   (team demo, agent 8001, password 8001;
                     check in on phone 8101, a built-in phone that answers,
                     or on 8001 with the Browser phone: SIP password 8001)
  Wallboard          http://$http/wallboard/   (leader 8001 or account admin/admin;
                     supervise with phone 8101, or with the browser phone on
                     8006: SIP password 8006)
  Browser phone      $phone
  Script test page   http://$http/coccinterface/test_CJI.html
  Script plugin      http://$http/coccinterface/astcc_CJI.js
  SOAP WSDL          http://$http/coccwi.php?wsdl
  HTTP interface     curl -d 'EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=8001' http://$http/coccinterfaces

  Team demo: account admin/admin; agents 8001-8006 (password = number);
             group 1 Sales (queue 6001, leader 8001), group 2 Support (queue 6002, leader 8004)
  Team acme: agent 9001 (password 9001), group 3 Acme (queue 7001)
  Data in $data (delete it to start over).  Ctrl-C stops occd.

EOT
if [ ${#conf[@]} -eq 0 ]; then
	exec build/occd --demo --data "$data" --http "$http" --sip "$sip"
fi
# with the engines: occd in the background, so Ctrl-C or a TERM to this
# script stops occd and then them
build/occd --demo --data "$data" --http "$http" --sip "$sip" "${conf[@]}" &
occ=$!
trap 'kill -TERM $occ 2>/dev/null; wait $occ; scripts/webphone.sh down "$run"' EXIT
trap 'exit 130' INT TERM
wait $occ
