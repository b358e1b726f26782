#!/usr/bin/env bash
# dialer.sh — a dialer call on the agent desktop over real SIP (run by
# tests/agentdesk/run.sh): occd --demo, a sipp phone registered as 8001
# (tests/multiparty/scenarios/phone.xml), a sipp customer behind the team's
# default trunk (customer.xml: held and resumed by re-INVITEs), one record
# imported into campaign 10 with a package column added for it; then
# test_dialer.mjs drives the page in Chromium (log in, check in, campaign
# start, the pop-up, hold, resume, hang up). Afterwards the customer's
# sipp says it really was held (sendonly) and resumed (sendrecv), and both
# phones got BYE.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/sip/lib/harness.sh"
. "$root/tests/sip/lib/calls.sh"
. "$root/tests/inbound/lib.sh"
. "$root/tests/lib/browser.sh"
suite_begin agentdesk-dialer

preflight "apt-get install sip-tester" sipp python3 curl node
browser_ready "$here" playwright-core
scen=$root/tests/multiparty/scenarios
take_ports 6
http_port=${P[0]} sip_port=${P[1]} p1=${P[2]} pc=${P[3]}
r1=${P[4]} rc=${P[5]}     # the phones' RTP ports (nobody listens: no audio is checked here)
url=http://127.0.0.1:$http_port
REC_NAME='Li Lei' REC_PHONE=13900000042 REC_ORDER=A-42

start_occd "dialer: occd starts with the demo data"
check "dialer: 8001's sipp phone registers" phone_reg reg8001 "$p1" 8001
check "dialer: a sipp customer behind the team's default trunk" trunk_add cust "$pc" --default
check "dialer: campaign 10's package gets a column order (订单号)" \
	"$occctl" --data "$data" campaign column demo 10 order 订单号
# reinvites_end FLOW WANT: the directions of the last re-INVITEs the
# customer got (the bridge to the agent may re-INVITE it first)
reinvites_end() {
	expect_match "re-INVITE directions" "$(awk '{ print $2 }' "$work/$1/cust/reinvites.txt" 2>/dev/null | paste -sd' ')" "(^| )$2\$"
}
import_one() {
	curl -sS -m 10 --data-urlencode "context=姓名=$REC_NAME||phone1=$REC_PHONE||order=$REC_ORDER" \
		-d "EVENT=Import&orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin&modeltype=Campaign&model_id=10&source=data&phone_field=phone1" \
		"$url/coccinterfaces"
}
check "dialer: the record imports into campaign 10 and its pre-dial list (BackMsg_83)" \
	expect_eq import "$(import_one)" "|Retuen|1|Retuen|BackMsg_83"

phone call agent "$p1" phone.xml 300 "" 0 "$r1"
phone call cust "$pc" customer.xml 300 "" 0 "$rc"
OCC_URL=$url OCC_DATA=$data OCC_SIP_PORT=$sip_port OCCCTL=$occctl \
	REC_NAME=$REC_NAME REC_PHONE=$REC_PHONE REC_ORDER=$REC_ORDER \
	timeout -k 5 75 node "$here/test_dialer.mjs" >"$work/page.tap" 2>&1
rc=$?
# the page's TAP lines, numbered into this suite's
while IFS= read -r line; do
	case "$line" in
	"ok "*) ok "${line#ok * - }" ;;
	"not ok "*) nok "${line#not ok * - }" ;;
	1..*) ;;        # the page's own plan: this suite prints its own
	*) echo "$line" ;;
	esac
done <"$work/page.tap"
[ "$rc" -eq 0 ] || nok "test_dialer.mjs exits with status 0 (got $rc)"
check "dialer: the customer's phone was held (sendonly) and resumed (sendrecv) by re-INVITEs, then got BYE" eval '
	phone_done call cust 5 && reinvites_end call "sendonly sendrecv"'
check "dialer: 8001's phone got BYE" phone_done call agent 5
stop_occd
exit $((failed > 0))
