#!/usr/bin/env bash
# tests/plugin-calls/run.sh — operations of the original plugin on real
# calls (issue 11).
#
# 1. After-call work when a multi-party call ends: each
# agent goes to ACW or idle by ITS OWN group membership's ACW mode, never
# by the other agent's (issue 11: a consulted agent with ACW off took the
# consulting agent's mode and a second consult to it failed with
# BackMsg_56[acw]).
#
# Real SIP: sipp phones for 8001 (the agent) and 8002 (consulted), a sipp
# customer behind the trunk gw (tests/multiparty's phones and helpers).
# Each ending — callReturn, HANGUP target=consult, transfer (then 8002
# hangs up), conference (then 8001 hangs up), and an inner makeCall — is
# run twice with the modes crossed: 8001 "after answer" (2) and 8002 off
# (3), then 8001 off and 8002 "after answer". After each step both
# agents' states are read back with AGENTSTATUS.
#
# 2. monitorCtrl: a recording segment of the agent's call (start/stop,
# Script and HTTP), beside the whole call's recording; getMonitor gives
# both URLs (the segment's by filename), both are fetched, and the
# segment holds the agent's voice (Goertzel, tests/sip/lib/audio.py)
# from its start to its stop only.
#
# 3. yealinkAnswer: a sipp phone that rings until it gets the NOTIFY with
# Event: talk in the INVITE's dialog, then answers it and the INVITE;
# the call is answered (AGENT answer, busy) and the customer hears the
# agent. No ringing call: 92; a wrong password, another team: refused.
#
# 4. auto-answer: with the team setting auto_answer naming 8001, occd's
# INVITE to its phone carries Call-Info answer-after=0 and Alert-Info
# info=alert-autoanswer (a sipp phone checks them; without the setting,
# section 3's phone checks there is none).
#
# TAP output; non-zero exit on failure; everything it starts is stopped.
# OCCD / OCCCTL override the binaries (default: the ASan build); KEEP=1
# keeps the work directory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
occd=${OCCD:-$root/build/asan/occd}
occctl=${OCCCTL:-$root/build/asan/occctl}
scen=$root/tests/multiparty/scenarios
mp=$root/tests/multiparty/lib/mp.py
util=$root/tests/sip/lib/util.py
F_AGENT=770 F_CUST=1130 F_CONS=1470

. "$root/tests/sip/lib/harness.sh"
. "$root/tests/sip/lib/calls.sh"
. "$root/tests/multiparty/lib/flows.sh"
suite_begin plugin-calls
preflight "apt-get install sip-tester" sipp python3 curl

take_ports 8
http_port=${P[0]} sip_port=${P[1]}
ag_port=${P[2]} co_port=${P[3]} cu_port=${P[4]}
rtp_ag=${P[5]} rtp_co=${P[6]} rtp_cu=${P[7]}
url=http://127.0.0.1:$http_port

# state_soon AGENT STATE: AGENTSTATUS says STATE within 3 s (the state
# moves on the loop right after the SIP that ends a leg)
state_soon() {
	local i
	for ((i = 0; i < 30; i++)); do
		state_is "$1" "$2" >/dev/null && return 0
		sleep 0.1
	done
	state_is "$1" "$2"
}
# states_are A1 S1 A2 S2: both agents' states
states_are() { state_soon "$1" "$2" && state_soon "$3" "$4"; }
# modes M1 M2: 8001's and 8002's ACW mode in group 1
modes() {
	api_is 8001 "EVENT=ACW&type=$1&agent_group_id=1" BackMsg_59 &&
		api_is 8002 "EVENT=ACW&type=$2&agent_group_id=1" BackMsg_59
}
# idle_again: whoever is in ACW ends it, so the next flow starts idle
idle_again() {
	local a
	for a in 8001 8002; do
		state_is "$a" acw >/dev/null && api_is "$a" EVENT=ACWOFF '|Retuen|1|'
	done
	states_are 8001 idle 8002 idle
}
# word MODE: after-call state of an answered call under that mode
word() { [ "$1" = 3 ] && echo idle || echo acw; }

start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)"
check "phones 8001 and 8002 register, trunk gw to the customer" eval '
	phone_reg reg8001 "$ag_port" 8001 && phone_reg reg8002 "$co_port" 8002 &&
	trunk_add gw "$cu_port"'
check "8001 and 8002 check in to group 1" eval '
	api_is 8001 "EVENT=QUEUE&type=1&list=1&deviceexten=8001" "|Retuen|1|" &&
	api_is 8002 "EVENT=QUEUE&type=1&list=1&deviceexten=8002" "|Retuen|1|"'

num=5550100
for pair in "2 3" "3 2"; do
	read -r m1 m2 <<<"$pair"
	w1=$(word "$m1") w2=$(word "$m2")
	check "modes: 8001 ACW type=$m1, 8002 ACW type=$m2 in group 1 (59)" modes "$m1" "$m2"

	# -- callReturn: 8002 by its mode at once; (issue 11) consulted again
	f=return-$m1$m2; num=$((num + 1))
	three_phones $f $num customer.xml 200 phone.xml 200
	consult_8002 $f
	check "$f: callReturn (32): 8002 $w2, 8001 busy" eval '
		api_is 8001 EVENT=CALLRETURN BackMsg_32 && states_are 8002 "$w2" 8001 busy'
	if [ "$w2" = idle ]; then
		check "$f: 8002 (ACW off) can be consulted again (27, not 56[acw])" eval '
			phone "$f" cons2 "$co_port" phone.xml 200 $F_CONS 0 "$rtp_co" &&
			api_is 8001 "EVENT=CONSULT&targetdn=8002&agentgroupid=1&consulttype=internal" BackMsg_27 &&
			state_soon 8002 busy && api_is 8001 EVENT=CALLRETURN BackMsg_32 &&
			state_soon 8002 idle'
	fi
	end_call $f 8001
	check "$f: after the hangup: 8001 $w1, 8002 $w2" states_are 8001 "$w1" 8002 "$w2"
	check "$f: phones done" eval 'phone_done $f agent 5 && phone_done $f cust 5 && phone_done $f cons 5'
	peers_stop agent cust cons
	check "$f: both idle again (ACWOFF where in acw)" idle_again

	# -- HANGUP target=consult
	f=hangcons-$m1$m2; num=$((num + 1))
	three_phones $f $num customer.xml 200 phone.xml 200
	consult_8002 $f
	check "$f: hangup target=consult (1): 8002 $w2, 8001 busy" eval '
		api_is 8001 "EVENT=HANGUP&target=consult" "|Retuen|1|" && states_are 8002 "$w2" 8001 busy'
	end_call $f 8001
	check "$f: after the hangup: 8001 $w1, 8002 $w2" states_are 8001 "$w1" 8002 "$w2"
	check "$f: phones done" eval 'phone_done $f agent 5 && phone_done $f cust 5 && phone_done $f cons 5'
	peers_stop agent cust cons
	check "$f: both idle again" idle_again

	# -- transfer: 8001 leaves at once, 8002 ends the call later
	f=xfer-$m1$m2; num=$((num + 1))
	three_phones $f $num customer.xml 200 phone.xml 200
	consult_8002 $f
	check "$f: transfer (31): 8001 $w1 at once, 8002 busy with the customer" eval '
		api_is 8001 EVENT=TRANSFER BackMsg_31 && states_are 8001 "$w1" 8002 busy'
	end_call $f 8002
	check "$f: after 8002 hangs up: 8002 $w2, 8001 still $w1" states_are 8002 "$w2" 8001 "$w1"
	check "$f: phones done" eval 'phone_done $f agent 5 && phone_done $f cust 5 && phone_done $f cons 5'
	peers_stop agent cust cons
	check "$f: both idle again" idle_again

	# -- conference, then 8001 hangs up the whole call
	f=conf-$m1$m2; num=$((num + 1))
	three_phones $f $num customer.xml 200 phone.xml 200
	consult_8002 $f
	check "$f: conference (34): both busy" eval '
		api_is 8001 EVENT=CONFERENCE BackMsg_34 && states_are 8001 busy 8002 busy'
	end_call $f 8001
	check "$f: after the hangup: 8001 $w1, 8002 $w2" states_are 8001 "$w1" 8002 "$w2"
	check "$f: phones done" eval 'phone_done $f agent 5 && phone_done $f cust 5 && phone_done $f cons 5'
	peers_stop agent cust cons
	check "$f: both idle again" idle_again

	# -- an inner call: 8001 calls 8002 (the callee has its own mode too)
	f=inner-$m1$m2
	phone $f agent "$ag_port" phone.xml 200 $F_AGENT 0 "$rtp_ag"
	phone $f cons "$co_port" phone.xml 200 $F_CONS 0 "$rtp_co"
	sleep 0.3
	mk=$(log_mark)
	check "$f: 8001 calls 8002 (targettype=inner, 19); both answer, both busy" eval '
		api_is 8001 "EVENT=MAKECALL&targetdn=8002&targettype=inner&agentgroupid=1" BackMsg_19 &&
		SID=$(session_of "$mk" 8001) && wait_log "$mk" "call answered session=$SID" 10 &&
		states_are 8001 busy 8002 busy'
	end_call $f 8001
	check "$f: after the hangup: 8001 $w1, 8002 $w2" states_are 8001 "$w1" 8002 "$w2"
	check "$f: phones done" eval 'phone_done $f agent 5 && phone_done $f cons 5'
	peers_stop agent cons
	check "$f: both idle again" idle_again
done

# ---- 2. monitorCtrl: recording segments -----------------------------------------

f=segment
mc() {  # mc ACTION [PUSHEVENT]: monitorCtrl over HTTP as 8001
	api 8001 "EVENT=MonitorCtrl&action=$1&pushevent=${2:-no}"
}
# pushed NAME: the stored agent notification events NAME of 8001, one a line
pushed() {
	sql "SELECT text FROM events WHERE text LIKE ? ORDER BY eventid" "source=AGENT&event=$1&agentno=8001&%"
}
# monitor_url SID [FILE]: getMonitor's URL path (occd's own origin)
monitor_url() {
	api 8001 "EVENT=GetMonitor&sessionid=$1&filename=${2:-}" | sed -n 's#^|Retuen|1|Retuen|.*\(/getMonitor/.*\)$#\1#p'
}
check "$f: no call: monitorCtrl start answers 92" eval '
	expect_eq reply "$(mc start)" "|Retuen|2|Retuen|BackMsg_92"'
phone $f agent "$ag_port" phone.xml 200 $F_AGENT 0 "$rtp_ag"
phone $f cust "$cu_port" customer.xml 200 $F_CUST 8 "$rtp_cu"
sleep 0.3
start_call $f 5550190
sleep 1
check "$f: stop without a segment answers 44, a bad action 28[action]" eval '
	expect_eq stop "$(mc stop)" "|Retuen|2|Retuen|BackMsg_44" &&
	expect_eq bad "$(mc pause)" "|Retuen|2|Retuen|BackMsg_28[action]"'
t_seg=$(now)
seg=$(curl -sS -m 10 "$url/setevent/monitorCtrlCJI?callback=cb&action=start&usertype=agent&user=8001&orgidentity=demo&pwdtype=plaintext&password=8001&pushevent=yes" |
	sed -n 's/^cb({"code":1,"message":"\([^"]*\)"});$/\1/p')
check "$f: monitorCtrlCJI start (Script) answers 1 with the segment's file, named for this call" \
	expect_match segment "$seg" "^[0-9]{14}-8001-5550190-demo-$SID\.wav$"
check "$f: start again while it is open answers 44 (pushevent=yes, no event)" expect_eq start "$(mc start yes)" "|Retuen|2|Retuen|BackMsg_44"
sleep 2.5
t_stop=$(now)
check "$f: stop answers 1 with the same file" expect_eq stop "$(mc stop yes)" "|Retuen|1|Retuen|$seg"
check "$f: pushevent=yes: one monitorstart and one monitorstop, each naming the segment's file" eval '
	[ "$(pushed monitorstart | wc -l)" = 1 ] && [ "$(pushed monitorstop | wc -l)" = 1 ] &&
	pushed monitorstart | grep -q "&action=monitorCtrl&filename=$seg&AgentTeamId=" &&
	pushed monitorstop | grep -q "&state=busy&.*&filename=$seg&"'

sleep 1.5
end_call $f 8001
check "$f: the phones got BYE" eval 'phone_done $f agent 5 && phone_done $f cust 5'
peers_stop agent cust
whole=$(sql 'SELECT recording FROM cdr WHERE sessionid = ?' "$SID")
check "$f: the whole call's recording is another file" eval '[ -n "$whole" ] && [ "$whole" != "$seg" ]'
check "$f: getMonitor gives both URLs, both serve a WAV" eval '
	u1=$(monitor_url "$SID") && u2=$(monitor_url "$SID" "$seg") &&
	expect_match whole "$u1" "^/getMonitor/$whole\?" && expect_match segment "$u2" "^/getMonitor/$seg\?" &&
	curl -fsS "$url$u1" | head -c 4 | grep -q RIFF && curl -fsS "$url$u2" | head -c 4 | grep -q RIFF'
check "$f: getMonitor of a file not of this session, or a path, answers 404" eval '
	expect_eq other "$(api 8001 "EVENT=GetMonitor&sessionid=$SID&filename=20260101000000-8001-1-demo-0123456789abcdef0123456789abcdef.wav")" "|Retuen|2|Retuen|BackMsg_404" &&
	expect_eq path "$(api 8001 "EVENT=GetMonitor&sessionid=$SID&filename=../../occ.db")" "|Retuen|2|Retuen|BackMsg_404"'
segpath=$(ls "$data"/recordings/*/"$seg" 2>/dev/null)
check "$f: the segment lasts from its start to its stop (2.5 s, 2 to 3.5)" eval '
	python3 -c "import wave,sys; w = wave.open(sys.argv[1]); d = w.getnframes() / w.getframerate(); print(d); sys.exit(not 2 <= d <= 3.5)" "$segpath"'
check "$f: the segment holds the agent (left) and the customer (right)" eval '
	python3 "$mp" hears "$segpath:0@$t_seg" --from "$(at "$t_seg" 0.3)" --to "$(at "$t_stop" -0.3)" --tone $F_AGENT &&
	python3 "$mp" hears "$segpath:1@$t_seg" --from "$(at "$t_seg" 0.3)" --to "$(at "$t_stop" -0.3)" --tone $F_CUST'

# ---- 3. yealinkAnswer: a SIP NOTIFY (Event: talk) answers the ringing phone

f=yealink
# ya [ARGS]: yealinkAnswerCJI as the original plugin calls it (Script,
# JSONP), phoneuser/phonepwd 8001's; prints the callback's body
ya() {
	curl -sS -m 10 "$url/setevent/yealinkAnswerCJI?callback=cb&orgidentity=demo&type=&target=127.0.0.1&phoneuser=8001&phonepwd=${1:-8001}"
}
check "$f: nothing rings: yealinkAnswerCJI answers 92" \
	expect_eq reply "$(ya)" 'cb({"code":2,"message":"BackMsg_92"});'
check "$f: a wrong phonepwd answers 3" \
	expect_eq reply "$(ya wrong)" 'cb({"code":2,"message":"BackMsg_03"});'
phone $f agent "$ag_port" "$here/scenarios/phone_talk.xml" 0 $F_AGENT 0 "$rtp_ag"
phone $f cust "$cu_port" customer.xml 200 $F_CUST 8 "$rtp_cu"
sleep 0.3
mk=$(log_mark)
check "$f: makeCall (19): 8001's phone rings and keeps ringing (ring state after 1.5 s)" eval '
	api_is 8001 "EVENT=MAKECALL&targetdn=5550191&targettype=exter&trunkidentity=gw" BackMsg_19 &&
	SID=$(session_of "$mk" 8001) && wait_log "$mk" "agent ringing session=$SID" 10 &&
	sleep 1.5 && state_is 8001 ring'
check "$f: another team's credentials do not reach it (02)" \
	expect_eq reply "$(curl -sS -m 10 "$url/setevent/yealinkAnswerCJI?callback=cb&orgidentity=nosuchteam&phoneuser=8001&phonepwd=8001")" \
	'cb({"code":2,"message":"BackMsg_02"});'
t_ya=$(now)
check "$f: yealinkAnswerCJI answers 120[127.0.0.1] (the NOTIFY went to the phone)" \
	expect_eq reply "$(ya)" 'cb({"code":1,"message":"BackMsg_120[127.0.0.1]"});'
check "$f: the phone got NOTIFY Event: talk in the INVITE's dialog and answered; the call is answered" eval '
	wait_file "$work/$f/agent/notify.txt" 5 && wait_log "$mk" "call answered session=$SID" 10'
check "$f: occd logs the phone's 200 to the NOTIFY" wait_log "$mk" "remote answer NOTIFY answered scode=200" 5
check "$f: 8001 is busy" state_soon 8001 busy
check "$f: the AGENT answer event was sent" eval '
	python3 "$mp" events "$data/occ.db" "$SID" | grep -q "^AGENT answer"'
T_ANS=$(tfile "$work/$f/cust/answer.txt")
sleep 2
check "$f: the customer hears the agent's voice" \
	hears $f cust "$(at "$T_ANS" 0.4)" "$(at "$T_ANS" 1.8)" --tone $F_AGENT
check "$f: HTTP EVENT=YealinkAnswer now finds nothing ringing (92)" \
	api_is 8001 "EVENT=YealinkAnswer" '|Retuen|2|Retuen|BackMsg_92'
end_call $f 8001
check "$f: the phones got BYE" eval 'phone_done $f agent 5 && phone_done $f cust 5'
peers_stop agent cust
check "$f: 8001 idle again" eval 'state_soon 8001 acw >/dev/null && api_is 8001 EVENT=ACWOFF "|Retuen|1|" ; state_soon 8001 idle'

# ---- 4. auto-answer at offer time: team setting auto_answer --------------------

f=autoanswer
check "$f: occctl team set demo auto_answer 8001" eval '
	m=$(log_mark) && "$occctl" --data "$data" team set demo auto_answer 8001 &&
	wait_log "$m" "provisioning reloaded" 5'
check "$f: a bad list is refused" eval '! "$occctl" --data "$data" team set demo auto_answer "80 01" 2>/dev/null'
phone $f agent "$ag_port" "$here/scenarios/phone_auto.xml" 0 $F_AGENT 0 "$rtp_ag"
phone $f cust "$cu_port" customer.xml 200 $F_CUST 8 "$rtp_cu"
sleep 0.3
start_call $f 5550192
end_call $f 8001
check "$f: 8001's phone was asked to answer at once (Call-Info answer-after=0, Alert-Info)" eval '
	phone_done $f agent 5 && phone_done $f cust 5'
peers_stop agent cust
check "$f: 8001 idle again" eval 'state_soon 8001 acw >/dev/null && api_is 8001 EVENT=ACWOFF "|Retuen|1|" ; state_soon 8001 idle'

stop_occd
check "no error-level lines in the occd log" eval '! grep "level=error" "$log"'
echo "1..$n"
[ "$failed" -eq 0 ]
