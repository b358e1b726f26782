#!/usr/bin/env bash
# tests/sip/trunk.sh — a carrier that wants digest credentials, as most
# SIP providers do, against the ASan occd with the demo data. The carrier
# is sipp on one address, first as its gateway, then as its registrar:
#   1. calls: a trunk with --user/--password: occd's INVITE is challenged
#      (407, qop=auth), occd sends it again with Proxy-Authorization for
#      the trunk's user, the gateway checks it (sipp verifyauth) and
#      answers; the agent and the customer hear each other and each
#      one's keys reach the other as RFC 4733 events. With a wrong
#      password the gateway refuses (403): the call fails cleanly (the
#      agent's phone gets BYE, the agent is idle, the CDR says so). A
#      trunk without credentials gets the 407 once and gives up (no loop).
#   2. registration: `trunk set ... --register`: occd REGISTERs, is
#      challenged (401), registers with the trunk's credentials, refreshes
#      the binding before the registrar's short Expires runs out (checked
#      again), and removes it (REGISTER Expires: 0, credentials checked)
#      when the trunk no longer registers; /metrics says whether the
#      trunk is registered. A wrong password: 403, occd logs the failure
#      and /metrics says 0.
# Output is TAP; OCCD/OCCCTL override the binaries; KEEP=1 keeps the work
# directory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
occd=${OCCD:-$root/build/asan/occd}
occctl=${OCCCTL:-$root/build/asan/occctl}
scen=$root/tests/multiparty/scenarios
mp=$root/tests/multiparty/lib/mp.py
util=$here/lib/util.py
F_AGENT=770 F_CUST=1130

. "$here/lib/harness.sh"
. "$here/lib/calls.sh"
suite_begin trunk
preflight "apt-get install sip-tester" sipp python3 curl

take_ports 6
http_port=${P[0]} sip_port=${P[1]} ag_port=${P[2]} gw_port=${P[3]}
rtp_ag=${P[4]} rtp_cu=${P[5]}
url=http://127.0.0.1:$http_port
carrier=sip:127.0.0.1:$gw_port

# carrier_sipp FLOW NAME SCENARIO [ARGS...]: sipp as the carrier on
# gw_port, with the trunk's credentials as the keys user and pass
carrier_sipp() {
	local d=$work/$1/$2 sf=$here/scenarios/$3
	mkdir -p "$d"
	(cd "$d" && exec timeout -k 2 60 sipp -sf "$sf" -i 127.0.0.1 -mi 127.0.0.1 \
		-p "$gw_port" -mp "$((gw_port + 2))" -m 1 -nostdin -timeout 50s -timeout_error \
		-key user acct -key pass s3cret "${@:4}" \
		-trace_msg -message_file msgs.log -trace_err -error_file err.log) >"$d/sipp.out" 2>&1 &
	sipp_started "$d" "$2"
}
# metric NAME: the value of that line of occd's /metrics
metric() { curl -fsS "$url/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
# digest_ok LOG HEADER METHOD USER PASSWORD: the last request METHOD in
# sipp's message LOG carries HEADER with a digest response (RFC 2617,
# qop=auth) computed from USER and PASSWORD
digest_ok() {
	python3 - "$@" <<'PY'
import hashlib, re, sys
log, hdr, method, user, pw = sys.argv[1:]
msgs = [m for m in open(log).read().split("\n\n") if m.lstrip().startswith(method + " ")]
line = [l for l in msgs[-1].splitlines() if l.startswith(hdr + ":")] if msgs else []
if not line:
    sys.exit(f"no {hdr} in the last {method}")
f = dict(re.findall(r'(\w+)="?([^",]*)"?', line[0].split(":", 1)[1]))
md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
ha1 = md5(f"{user}:{f['realm']}:{pw}")
ha2 = md5(f"{method}:{f['uri']}")
want = md5(f"{ha1}:{f['nonce']}:{f['nc']}:{f['cnonce']}:{f['qop']}:{ha2}")
ok = f.get("username") == user and f.get("qop") == "auth" and f["response"] == want
sys.exit(0 if ok else f"{hdr}: {line[0]} (want response {want} for {user})")
PY
}

start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)"
check "phone 8001 registers; trunk carrier with user acct and its password" eval '
	phone_reg reg8001 "$ag_port" 8001 &&
	provision trunk add demo carrier "$carrier" --user acct --password s3cret'
check "8001 logs in to group 1" api_is 8001 "EVENT=QUEUE&type=1&list=1&deviceexten=8001" "|Retuen|1|"

# ---- 1. calls through a gateway that challenges INVITE ------------------------

f=auth
phone $f agent "$ag_port" phone.xml 200 $F_AGENT 0 "$rtp_ag"
carrier_sipp $f cust trunk_gateway.xml -key challenge 407 -d 200 -key rtpport "$rtp_cu" -key pt 8 -key codec PCMA
python3 "$mp" peer --port "$rtp_cu" --dir "$work/$f/cust" --send $F_CUST --pt 8 --secs 30 \
	>"$work/$f/cust/peer.out" 2>&1 &
pids+=("$!")
PEER_cust=$!
wait_file "$work/$f/cust/ready" 10 >/dev/null
m=$(log_mark)
check "$f: makeCall over carrier answers BackMsg_19" \
	api_is 8001 "EVENT=MAKECALL&targetdn=5550101&targettype=exter&trunkidentity=carrier" BackMsg_19
SID=$(session_of "$m" 8001)
check "$f: the gateway challenged the INVITE (407), took the one sent again; the call is answered" eval '
	wait_log "$m" "call answered session=$SID" 10 && [ "$(cat "$work/$f/cust/auth.log")" = taken ]'
check "$f: occd sent the INVITE twice, the second with a Proxy-Authorization (qop=auth) right for acct's password" eval '
	[ "$(grep -c "^INVITE sip:" "$work/$f/cust/msgs.log")" = 2 ] &&
	digest_ok "$work/$f/cust/msgs.log" Proxy-Authorization INVITE acct s3cret'
check "$f: the password never travels in clear" eval '! grep -q s3cret "$work/$f/cust/msgs.log"'
T_ANS=$(tfile "$work/$f/cust/answer.txt")
sleep 2
check "$f: the customer hears the agent's voice" \
	hears $f cust "$(at "$T_ANS" 0.4)" "$(at "$T_ANS" 1.8)" --tone $F_AGENT
check "$f: the agent hears the customer's voice" \
	hears $f agent "$(at "$T_ANS" 0.4)" "$(at "$T_ANS" 1.8)" --tone $F_CUST
# press KEYS on the phone NAME's media peer (RFC 4733, mp.py peer)
press() { echo "$2" >"$work/$f/$1/keys.tmp" && mv "$work/$f/$1/keys.tmp" "$work/$f/$1/keys"; }
t_k=$(now)
press agent 159
sleep 1.5
t_k2=$(now)
press cust '#0'
sleep 1.2
check "$f: the agent's keys 1, 5, 9 (RFC 4733) reach the carrier as events, each ended (a far IVR can be worked)" \
	python3 "$root/tests/sip/lib/audio.py" rtp "$work/$f/cust/rtp.jsonl" --from "$t_k" --dtmf 159
check "$f: the customer's keys #, 0 reach the agent's phone" \
	python3 "$root/tests/sip/lib/audio.py" rtp "$work/$f/agent/rtp.jsonl" --from "$t_k2" --dtmf '#0'
m=$(log_mark)
check "$f: hangup target=all ends the call; both phones get BYE" eval '
	api_is 8001 "EVENT=HANGUP&target=all" "|Retuen|1|" &&
	wait_log "$m" "call ended session=$SID" 5 && phone_done $f agent 5 && phone_done $f cust 5'
peers_stop agent cust
check "$f: the CDR says ANSWERED" eval '
	expect_eq disposition "$(sql "SELECT disposition FROM cdr WHERE sessionid = ?" "$SID")" ANSWERED'
check "$f: 8001 idle again" eval 'state_is 8001 acw >/dev/null && api_is 8001 EVENT=ACWOFF "|Retuen|1|" ; state_is 8001 idle'

# failed_call FLOW CHALLENGE NUMBER INVITES AUTHLOG: 8001 calls NUMBER over
# carrier, whose gateway challenges with CHALLENGE (401 or 407) and does
# not answer: the call ends, the agent's phone gets BYE, occd sent INVITES
# INVITEs in all, the gateway's auth.log says AUTHLOG, the CDR says FAILED
failed_call() {
	local f=$1 m invites=$4 authlog=$5
	phone $f agent "$ag_port" phone.xml 200 $F_AGENT 0 "$rtp_ag"
	carrier_sipp $f cust trunk_gateway.xml -key challenge "$2" -key rtpport "$rtp_cu" -key pt 8 -key codec PCMA
	m=$(log_mark)
	check "$f: makeCall answers BackMsg_19" \
		api_is 8001 "EVENT=MAKECALL&targetdn=$3&targettype=exter&trunkidentity=carrier" BackMsg_19
	SID=$(session_of "$m" 8001)
	check "$f: the call ends; the agent's phone got BYE" eval '
		wait_log "$m" "call ended session=$SID" 10 && phone_done $f agent 5'
	check "$f: occd sent $4 INVITE(s) in all; the gateway's checks: ${5:-none}" eval '
		sleep 1; [ "$(grep -c "^INVITE sip:" "$work/$f/cust/msgs.log")" = "$invites" ] &&
		[ "$(cat "$work/$f/cust/auth.log" 2>/dev/null)" = "$authlog" ]'
	kill -TERM "$SIPP_cust" 2>/dev/null
	wait_exit "$SIPP_cust" 3
	peers_stop agent
	check "$f: the CDR says FAILED" eval '
		expect_eq disposition "$(sql "SELECT disposition FROM cdr WHERE sessionid = ?" "$SID")" FAILED'
	check "$f: 8001 idle again" eval 'state_is 8001 acw >/dev/null && api_is 8001 EVENT=ACWOFF "|Retuen|1|" ; state_is 8001 idle'
}

f=wrongpw
check "$f: trunk set carrier with another password" \
	provision trunk set demo carrier "$carrier" --user acct --password wrong
# the gateway (401) refuses the credentials with 403
failed_call $f 401 5550102 2 refused

f=nocred
check "$f: trunk set carrier without credentials" \
	provision trunk set demo carrier "$carrier" --no-password
# the 407 ends the call: nothing to answer it with
failed_call $f 407 5550103 1 ""

# ---- 2. registration --------------------------------------------------------------

f=register
carrier_sipp $f reg trunk_registrar.xml -key regexp1 4 -key regexp2 600
m=$(log_mark)
check "$f: trunk set carrier --register with acct's credentials" \
	provision trunk set demo carrier "$carrier" --register --user acct --password s3cret
check "$f: challenged (401), occd registers with acct's credentials (200)" eval '
	wait_file "$work/$f/reg/bound.txt" 10 && [ "$(cat "$work/$f/reg/auth.log")" = ok ]'
check "$f: the first REGISTER asks for 600 s and names acct at the carrier" eval '
	r=$(grep -m1 -A20 "^REGISTER sip:" "$work/$f/reg/msgs.log") &&
	grep -q "^To: <sip:acct@127.0.0.1:$gw_port>" <<<"$r" && grep -Eiq "^Expires: 600|expires=600" <<<"$r"'
check "$f: occd logs the registration" wait_log "$m" "trunk registration team=demo trunk=carrier ok" 5
check "$f: /metrics: occ_trunk_registered for carrier is 1" eval '
	expect_eq metric "$(metric "occ_trunk_registered{team=\"demo\",trunk=\"carrier\"}")" 1'
check "$f: the binding of 4 s is refreshed before it runs out, with credentials again" eval '
	wait_file "$work/$f/reg/refreshed.txt" 6 &&
	d=$(awk "{ print \$1 - b }" b="$(cat "$work/$f/reg/bound.txt")" "$work/$f/reg/refreshed.txt") &&
	echo "# refreshed after $d s" && awk -v d="$d" "BEGIN { exit !(d > 1 && d < 4) }" &&
	[ "$(paste -sd, "$work/$f/reg/auth.log")" = ok,ok ]'
check "$f: trunk set carrier without --register: occd removes the binding (Expires 0, credentials checked)" eval '
	provision trunk set demo carrier "$carrier" --user acct &&
	wait_file "$work/$f/reg/removed.txt" 10 && phone_done $f reg 5 &&
	[ "$(paste -sd, "$work/$f/reg/auth.log")" = ok,ok,ok ] &&
	grep -A20 "^REGISTER sip:" "$work/$f/reg/msgs.log" | grep -Eiq "^Expires: 0|expires=0"'
check "$f: /metrics no longer lists the trunk" eval '
	[ -z "$(metric "occ_trunk_registered{team=\"demo\",trunk=\"carrier\"}")" ]'

f=regrefused
carrier_sipp $f reg trunk_registrar.xml -key regexp1 4 -key regexp2 600
m=$(log_mark)
check "$f: trunk set carrier --register with a wrong password" \
	provision trunk set demo carrier "$carrier" --register --user acct --password wrong
check "$f: the registrar refuses it (403); occd logs the failure" eval '
	wait_log "$m" "trunk registration team=demo trunk=carrier failed" 10 &&
	[ "$(cat "$work/$f/reg/auth.log")" = refused ]'
check "$f: /metrics: occ_trunk_registered for carrier is 0" eval '
	expect_eq metric "$(metric "occ_trunk_registered{team=\"demo\",trunk=\"carrier\"}")" 0'
kill -TERM "$SIPP_reg" 2>/dev/null; wait_exit "$SIPP_reg" 3

stop_occd
echo "1..$n"
[ "$failed" -eq 0 ]
