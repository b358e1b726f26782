#!/usr/bin/env bash
# demo.sh — start occd in the foreground with the demo teams (make demo).
# OCC_DEMO_HTTP and OCC_DEMO_DATA override the address and data directory.
set -eu
cd "$(dirname "$0")/.."
http=${OCC_DEMO_HTTP:-127.0.0.1:4580}
data=${OCC_DEMO_DATA:-./demo-data}
cat <<EOT

occ demo — http://$http/

  Agent desktop      http://$http/agent/   (team demo, agent 8001, password 8001;
                     check in on phone 8101, a built-in phone that answers)
  Script test page   http://$http/coccinterface/test_CJI.html
  Script plugin      http://$http/coccinterface/astcc_CJI.js
  SOAP WSDL          http://$http/coccwi.php?wsdl
  HTTP interface     curl -d 'EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=8001' http://$http/coccinterfaces

  Team demo: account admin/admin; agents 8001-8006 (password = number);
             group 1 Sales (queue 6001, leader 8001), group 2 Support (queue 6002, leader 8004)
  Team acme: agent 9001 (password 9001), group 3 Acme (queue 7001)
  Data in $data (delete it to start over).  Ctrl-C stops occd.

EOT
exec build/occd --demo --data "$data" --http "$http"
