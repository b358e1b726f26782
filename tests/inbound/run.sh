#!/usr/bin/env bash
# run.sh — inbound calls end to end: callers from outside (sipp UAC, with
# an mp.py peer for their media and keys) dial the demo team's DIDs; agents
# answer on sipp phones (tests/multiparty/scenarios). Checks what a caller,
# an agent and an integrator see: SIP answers, who rings in which order,
# what each side hears (Goertzel), the events (the manual's inbound shapes)
# and the CDRs.
#
#   A. refusals: unknown number 404, blacklisted caller 403, closed 480,
#      a source the team does not admit 407 (only a phone with its
#      password may call from there: tests/inbound/phones_in.sh)
#   B. a DID bound to a built-in phone: answered, each hears the other
#   C. a DID to queue 6002 with one agent: it rings, answers, the audio
#      goes both ways, events incoming/ringing/answer/hangups
#   D. nobody checked in to 6001: the caller waits (queueCustomerNum
#      1|0|1|0), hangs up: incoming, CALLER hangup, CONVERSATION hangup;
#      another presses the queue's exit key and reaches a built-in phone
#   E. ringall with two phones answering at once, 5 times: one bridge
#   F. the IVR: key 2 (RFC 4733) leads to queue 6002
#   G. ring-no-answer: the first agent's phone only rings, it is paused
#      and the next agent answers
#   H. agentToIvr: bad path 107, unknown IVR 106, release into the IVR and
#      on to another agent
#   I. announcements every 2 s: two callers hear their positions 1 and 2
#      (then 1) between the music, a third the expected wait too; the
#      QUEUE join/leave events (C, D, G check their places among the
#      others, F the IVR input event)
#   J. a full queue and a maximum wait: QUEUE leave full and timeout
#   K. overload: while occd lags, a new caller gets 503 (Retry-After)
#   L. (after C) yealinkAnswer: the queue's offer rings a phone that takes
#      BroadSoft's remote answer until the desk answers it (NOTIFY Event:
#      talk in the offer's dialog); the caller hears the agent
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../sip/lib/harness.sh"
. "$here/../sip/lib/calls.sh"
. "$here/lib.sh"
suite_begin inbound

preflight "apt-get install sip-tester" sipp python3 curl
scen=$root/tests/multiparty/scenarios

take_ports 14
http_port=${P[0]} sip_port=${P[1]}
p5=${P[2]} p6=${P[3]} p3=${P[4]}                  # agents' phones 8005 8006 8003
r5=${P[5]} r6=${P[6]} r3=${P[7]}                  # their media
c1=${P[8]} c2=${P[9]} rc1=${P[10]} rc2=${P[11]}   # callers and their media
url=http://127.0.0.1:$http_port
F_AGENT=770 F_AGENT2=1470 F_CALLER=1130 F_VIRTUAL=700 F_PROMPT=400

# the routing of these tests: the demo's IVR and queues, and a DID for
# each case
routing() {
	cat <<-EOF
		[lists]
		blacklist = 4000666*

		[did 800888]
		[did 800100]
		dest = exten:8101
		[did 800300]
		[did 800400]
		dest = queue:6002
		[did 800500]
		dest = queue:6001

		[route main]
		did = 800888
		open = ivr:main

		[route closed]
		did = 800300
		schedule = never
		open = queue:6001
		closed = hangup

		[schedule never]
		hours = daily 00:00-24:00
		closed = 2000-01-01..2099-12-31

		[prompt welcome]
		file = welcome.wav

		[ivr main]
		exten = 6000
		start = welcome
		fail = queue:6001

		[node main.welcome]
		type = play_collect
		prompt = welcome
		first_timeout = 5s
		tries = 2
		key.1 = queue:6001
		key.2 = queue:6002
		fail = queue:6001

		[queue 6001]
		exit_key = 9
		exit = exten:8101

		[queue 6002]
		strategy = ${STRATEGY:-linear}
		ring_timeout = ${RING:-15}
		autopause = ${AUTOPAUSE:-no}
		member.8005 = 0
		member.8006 = ${LEVEL6:-1}
		member.8003 = 2
	EOF
}

# ---- occd ---------------------------------------------------------------------

start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)"
# the menu's prompt: 2 s of F_PROMPT, as a recording would be
tone_wav "$data/prompts/demo/welcome.wav" "$F_PROMPT" 2
routing >"$work/routing.ini"
check "the tests' routing imports" import_routing "$work/routing.ini"
check "phones 8005, 8006, 8003 register" eval '
	phone_reg reg8005 "$p5" 8005 && phone_reg reg8006 "$p6" 8006 &&
	phone_reg reg8003 "$p3" 8003'

# ---- A. refusals ---------------------------------------------------------------

f=refuse
m=$(log_mark)
caller $f unknown "$c1" 999999 13800000001 1000
check "$f: an unknown number: 404, logged" eval '
	status_is $f unknown 404 && wait_log "$m" "no such number did=999999" 3'
caller $f black "$c1" 800400 4000666123 1000
check "$f: a blacklisted caller: 403" status_is $f black 403
caller $f closed "$c1" 800300 13800000001 1000
check "$f: a closed route leading to hangup: 480" status_is $f closed 480
check "$f: team demo takes calls from 127.0.0.1 only" \
	"$occctl" --data "$data" team set demo inbound_from 127.0.0.1
sleep 0.5
SRC=127.0.0.2 caller $f stranger "$c1" 800400 13800000001 1000
check "$f: a call from 127.0.0.2: 407 (asked for a phone's password), no call made" eval '
	status_is $f stranger 407 && wait_log "$m" "source not admitted" 3 &&
	expect_eq calls "$(sql "SELECT count(*) FROM cdr WHERE direction = ?" in)" 0'
check "$f: and from anywhere again" \
	"$occctl" --data "$data" team set demo inbound_from any
sleep 0.5

# ---- B. a DID bound to a built-in phone ---------------------------------------------

f=direct
m=$(log_mark)
caller $f caller "$c1" 800100 13800000002 4000 "$rc1"
check "$f: answered at once" status_is $f caller 200
check "$f: the built-in phone answers" wait_log "$m" "agent answered session=" 5
sid=$(inbound_sid "$m" 800100)
check "$f: the caller hangs up" eval 'phone_done $f caller 10'
check "$f: the call ends" wait_log "$m" "call ended session=$sid" 5
t_ans=$(tfile "$work/$f/caller/answer.txt")
check "$f: the caller heard the built-in phone (700 Hz) after its ringback" \
	hears $f caller "$(at "$t_ans" 1.6)" "$(at "$t_ans" 3.5)" --tone $F_VIRTUAL
check "$f: events CALLER incoming, AGENT ringing, AGENT answer, CALLER hangup, AGENT hangup, CONVERSATION hangup" \
	events_are "$sid" "CALLER incoming, AGENT ringing, AGENT answer, CALLER hangup, AGENT hangup, CONVERSATION hangup"
check "$f: CDR in, ANSWERED, from the caller to the DID" expect_eq cdr \
	"$(sql 'SELECT direction, disposition, caller, callee FROM cdr WHERE sessionid = ?' "$sid")" \
	"in|ANSWERED|13800000002|800100"
peers_stop caller

# ---- C. a queue with one agent ---------------------------------------------------------

f=queue
check "$f: 8005 checks in to group 2 on its phone" checkin 8005 2 8005
phone $f agent "$p5" phone.xml 500 $F_AGENT 0 "$r5"
m=$(log_mark)
caller $f caller "$c1" 800400 13800000003 6000 "$rc1"
check "$f: answered at once" status_is $f caller 200
check "$f: 8005's phone rings, 8005 is ringing" eval '
	wait_file "$work/$f/agent/invite.txt" 5 && state_is 8005 ring'
check "$f: 8005 answers" wait_log "$m" "agent answered session=.* agent=8005" 5
sid=$(inbound_sid "$m" 800400)
check "$f: 8005 is busy; queueCustomerNum 6002 says 1|0|0|1" eval '
	state_is 8005 busy &&
	curl -s "$url/coccinterfaces" -d "EVENT=queueCustomerNum&orgidentity=demo&queuenumber=6002" | grep -q "|Retuen|1|Retuen|1|0|0|1"'
check "$f: the caller hangs up; the agent's phone gets BYE" eval '
	phone_done $f caller 15 && phone_done $f agent 5'
check "$f: the call ends, 8005 idle again" eval '
	wait_log "$m" "call ended session=$sid" 5 && state_is 8005 idle'
t_ans=$(tfile "$work/$f/agent/answer.txt")
check "$f: the caller hears the agent (770 Hz)" \
	hears $f caller "$(at "$t_ans" 0.5)" "$(at "$t_ans" 3)" --tone $F_AGENT
check "$f: the agent hears the caller (1130 Hz)" \
	hears $f agent "$(at "$t_ans" 0.5)" "$(at "$t_ans" 3)" --tone $F_CALLER
check "$f: events CALLER incoming, QUEUE join, AGENT ringing, AGENT answer, QUEUE leave, CALLER hangup, AGENT hangup, CONVERSATION hangup" \
	events_are "$sid" "CALLER incoming, QUEUE join, AGENT ringing, AGENT answer, QUEUE leave, CALLER hangup, AGENT hangup, CONVERSATION hangup"
uid=$(event_text "$sid" CALLER incoming | sed -n 's/.*&uniqueid=\([0-9]*\)&.*/\1/p')
check "$f: QUEUE/join: the caller's leg, group 2, queue 6002, position 1, prio 0" expect_match join \
	"$(event_text "$sid" QUEUE join)" \
	"^calleridnum=13800000003&didnumber=800400&source=QUEUE&event=join&uniqueid=$uid&sessionid=$sid&eventTime=[0-9: -]+&AgentTeamId=[0-9]+&AgentGroupId=2&queuenumber=6002&position=1&prio=0&from=dialin&eventid=[0-9]+&$"
check "$f: QUEUE/leave: answered, position 0, waittime 0 s" expect_match leave \
	"$(event_text "$sid" QUEUE leave)" \
	"^calleridnum=13800000003&didnumber=800400&source=QUEUE&event=leave&uniqueid=$uid&sessionid=$sid&eventTime=[0-9: -]+&AgentTeamId=[0-9]+&AgentGroupId=2&queuenumber=6002&reason=answered&position=0&waittime=0&from=dialin&eventid=[0-9]+&$"
check "$f: CALLER/incoming has the manual's keys only" expect_match incoming \
	"$(event_text "$sid" CALLER incoming)" \
	"^source=CALLER&event=incoming&modeltype=&uniqueid=[0-9]+&model_id=&from=dialin&sessionid=$sid&channel=SIP/13800000003-[0-9a-f]+&eventid=[0-9]+&$"
check "$f: AGENT/ringing: didnumber, the agent's phone, group 2, from=dialin, no calltype" expect_match ringing \
	"$(event_text "$sid" AGENT ringing)" \
	"^calleridnum=13800000003&didnumber=800400&activenum=8005&source=AGENT&event=ringing&uniqueid=[0-9]+&sessionid=$sid&eventTime=[0-9: -]+&AgentTeamId=[0-9]+&modeltype=&model_id=&AgentGroupId=2&from=dialin&channel=SIP/8005-[0-9a-f]+&eventid"
check "$f: CONVERSATION/hangup: empty didnumber, channel, then from=dialin" expect_match conversation \
	"$(event_text "$sid" CONVERSATION hangup)" \
	"^calleridnum=13800000003&didnumber=&activenum=8005&source=CONVERSATION&event=hangup&uniqueid=0&.*&AgentGroupId=2&channel=&from=dialin&"
check "$f: CDR ANSWERED by agent 8005, legs customer and agent" eval '
	expect_eq cdr "$(sql "SELECT disposition, agent FROM cdr WHERE sessionid = ?" "$sid")" "ANSWERED|8005" &&
	legs_are "$sid" "customer|ANSWERED agent|ANSWERED"'
# the phone rings 500 ms before it answers: the caller waited that long in
# 6002, and a few seconds at most
check "$f: CDR queue 6002, waited 0.5 to 4 s, answered by 8005, not abandoned" eval '
	expect_match cdr "$(sql "SELECT queue, abandoned, agent, queue_wait_ms BETWEEN 500 AND 4000 FROM cdr WHERE sessionid = ?" "$sid")" "^6002\|0\|8005\|1$"'
peers_stop caller agent

# ---- L. yealinkAnswer answers a queue's offer ----------------------------------------------
# the desk's Answer button for a phone that takes BroadSoft's remote answer:
# the offer's INVITE rings 8005's phone until occd's NOTIFY Event: talk

f=remote
phone $f agent "$p5" "$root/tests/plugin-calls/scenarios/phone_talk.xml" 0 $F_AGENT 0 "$r5"
m=$(log_mark)
caller $f caller "$c1" 800400 13800000005 4000 "$rc1"
check "$f: the queue offers the caller to 8005, whose phone keeps ringing (ring after 1 s)" eval '
	status_is $f caller 200 && wait_log "$m" "offer session=.* agent=8005" 5 &&
	sleep 1 && state_is 8005 ring'
sid=$(inbound_sid "$m" 800400)
check "$f: yealinkAnswerCJI as 8005 answers 120[127.0.0.1] (the NOTIFY went to the phone)" \
	expect_eq reply "$(curl -sS -m 10 "$url/setevent/yealinkAnswerCJI?callback=cb&orgidentity=demo&type=&target=127.0.0.1&phoneuser=8005&phonepwd=8005")" \
	'cb({"code":1,"message":"BackMsg_120[127.0.0.1]"});'
check "$f: the phone got NOTIFY Event: talk in the offer's dialog and answered; 8005 is busy" eval '
	wait_file "$work/$f/agent/notify.txt" 5 &&
	wait_log "$m" "agent answered session=$sid .*agent=8005" 5 && state_is 8005 busy'
t_ans=$(tfile "$work/$f/agent/answer.txt")
sleep 2
check "$f: the caller hears the agent (770 Hz)" \
	hears $f caller "$(at "$t_ans" 0.4)" "$(at "$t_ans" 1.8)" --tone $F_AGENT
check "$f: nothing rings for 8005 any more: 92" \
	api_is 8005 "EVENT=YealinkAnswer" '|Retuen|2|Retuen|BackMsg_92'
check "$f: the caller hangs up; the call ends, 8005 idle again" eval '
	phone_done $f caller 10 && phone_done $f agent 5 &&
	wait_log "$m" "call ended session=$sid" 5 && state_is 8005 idle'
check "$f: CDR ANSWERED by 8005" expect_eq cdr \
	"$(sql "SELECT disposition, agent FROM cdr WHERE sessionid = ?" "$sid")" "ANSWERED|8005"
peers_stop caller agent

# ---- D. waiting, then abandoning ----------------------------------------------------------

f=abandon
m=$(log_mark)
caller $f caller "$c1" 800500 13800000004 3000 "$rc1"
check "$f: answered; the caller waits in 6001 (nobody checked in)" eval '
	status_is $f caller 200 && wait_log "$m" "queued session=.* queue=6001" 3'
sid=$(inbound_sid "$m" 800500)
check "$f: queueCustomerNum 6001: 1|0|1|0; queue 0 (all) too" eval '
	curl -s "$url/coccinterfaces" -d "EVENT=queueCustomerNum&orgidentity=demo&queuenumber=6001" | grep -q "|Retuen|1|Retuen|1|0|1|0" &&
	curl -s "$url/coccinterfaces" -d "EVENT=queueCustomerNum&orgidentity=demo&queuenumber=0" | grep -q "|Retuen|1|Retuen|1|0|1|0"'
check "$f: the caller hears music on hold" eval '
	sleep 1; t=$(tfile "$work/$f/caller/answer.txt");
	hears $f caller "$(at "$t" 0.3)" "$(at "$t" 1.8)" --tone 523+659'
check "$f: the caller gives up; the call ends" eval '
	phone_done $f caller 10 && wait_log "$m" "call ended session=$sid" 5'
check "$f: events CALLER incoming, QUEUE join, CALLER hangup, QUEUE leave, CONVERSATION hangup (no AGENT)" \
	events_are "$sid" "CALLER incoming, QUEUE join, CALLER hangup, QUEUE leave, CONVERSATION hangup"
check "$f: QUEUE/leave: abandon, at position 1, after 3 s or so" expect_match leave \
	"$(event_text "$sid" QUEUE leave)" \
	"&source=QUEUE&event=leave&.*&AgentGroupId=1&queuenumber=6001&reason=abandon&position=1&waittime=[2-4]&from=dialin&"
# the caller hung up 3 s after it was answered and queued at once
check "$f: CDR queue 6001, abandoned after 2.5 to 4.5 s, no agent" eval '
	expect_match cdr "$(sql "SELECT queue, abandoned, agent, answer_ms, queue_wait_ms BETWEEN 2500 AND 4500 FROM cdr WHERE sessionid = ?" "$sid")" "^6001\|1\|\|0\|1$"'
check "$f: queueCustomerNum 6001 is 0|0|0|0 again" eval '
	curl -s "$url/coccinterfaces" -d "EVENT=queueCustomerNum&orgidentity=demo&queuenumber=6001" | grep -q "|Retuen|1|Retuen|0|0|0|0"'
peers_stop caller

# ---- D2. the queue's exit key -------------------------------------------------------------

f=exitkey
m=$(log_mark)
caller $f caller "$c1" 800500 13800000008 6000 "$rc1"
check "$f: the caller waits in 6001" eval '
	status_is $f caller 200 && wait_log "$m" "queued session=.* queue=6001" 3'
sid=$(inbound_sid "$m" 800500)
check "$f: it presses 9 (the exit key): out of the queue, to the built-in phone 8101" eval '
	sleep 1; press $f caller 9 &&
	wait_log "$m" "exit key session=$sid queue=6001 key=9" 3 &&
	wait_log "$m" "agent answered session=$sid .*exten=8101" 5'
check "$f: queueCustomerNum 6001: nobody waits" eval '
	curl -s "$url/coccinterfaces" -d "EVENT=queueCustomerNum&orgidentity=demo&queuenumber=6001" | grep -q "|Retuen|1|Retuen|0|0|0|0"'
check "$f: the caller hangs up; the CDR's path says how it went" eval '
	phone_done $f caller 15 && wait_log "$m" "call ended session=$sid" 5 &&
	expect_match path "$(sql "SELECT ivrpath FROM cdr WHERE sessionid = ?" "$sid")" "queue:6001>exit:9>exten:8101"'
check "$f: QUEUE/leave: exit" expect_match leave "$(event_text "$sid" QUEUE leave)" \
	"&queuenumber=6001&reason=exit&position=1&waittime=[0-9]+&from=dialin&"
peers_stop caller

# ---- E. ringall: two phones answer at once ----------------------------------------------------

f=ringall
STRATEGY=ringall LEVEL6=0 routing >"$work/routing.ini"
check "$f: queue 6002 rings all (8005 and 8006 at level 0)" import_routing "$work/routing.ini"
check "$f: 8006 checks in to group 2 too" checkin 8006 2 8006
bridged=0 phones=0
for i in 1 2 3 4 5; do
	phone $f$i a5 "$p5" "$here/scenarios/racer.xml" 0 $F_AGENT 0 "$r5"
	phone $f$i a6 "$p6" "$here/scenarios/racer.xml" 0 $F_AGENT2 0 "$r6"
	m=$(log_mark)
	caller $f$i caller "$c1" 800400 1380000010$i 2500 "$rc1"
	wait_log "$m" "call ended session=" 12 >/dev/null
	phone_done $f$i caller 5 >/dev/null
	# both answered: the one that lost got CANCEL or BYE, and its 200
	# was ACKed and hung up (racer.xml ends well)
	phone_done $f$i a5 5 >/dev/null && phones=$((phones + 1))
	phone_done $f$i a6 5 >/dev/null && phones=$((phones + 1))
	peers_stop caller a5 a6
	sid=$(inbound_sid "$m" 800400)
	bridged=$((bridged + $(python3 "$mp" events "$data/occ.db" "$sid" | grep -c '^AGENT answer')))
done
check "$f: 5 calls, one agent answer each; every phone answered and was hung up" eval '
	expect_eq answers "$bridged" 5 && expect_eq phones "$phones" 10'
check "$f: 8005 and 8006 are idle again" eval 'state_is 8005 idle && state_is 8006 idle'

# ---- F. the IVR ----------------------------------------------------------------------------------

f=ivr
STRATEGY=linear routing >"$work/routing.ini"
check "$f: queue 6002 back to linear" import_routing "$work/routing.ini"
phone $f agent "$p5" phone.xml 300 $F_AGENT 0 "$r5"
m=$(log_mark)
caller $f caller "$c1" 800888 13800000005 6000 "$rc1"
check "$f: answered, the IVR main runs" eval '
	status_is $f caller 200 && wait_log "$m" "ivr session=.* flow=main" 3'
sid=$(inbound_sid "$m" 800888)
check "$f: the caller presses 2 (RFC 4733): queue 6002, 8005 answers" eval '
	press $f caller 2 &&
	wait_log "$m" "queued session=$sid queue=6002" 5 &&
	wait_log "$m" "agent answered session=$sid .*agent=8005" 5'
check "$f: the call ends when the caller hangs up" eval '
	phone_done $f caller 15 && wait_log "$m" "call ended session=$sid" 5'
check "$f: the CDR keeps the IVR path" expect_match ivrpath \
	"$(sql 'SELECT ivrpath FROM cdr WHERE sessionid = ?' "$sid")" "^did:800888>ivr:main.*>2>queue:6002$"
check "$f: events CALLER incoming, IVR input, QUEUE join, AGENT ringing ..." \
	events_are "$sid" "CALLER incoming, IVR input, QUEUE join, AGENT ringing, AGENT answer, QUEUE leave, CALLER hangup, AGENT hangup, CONVERSATION hangup"
check "$f: IVR/input: flow main, node welcome, digits 2, ok" expect_match input \
	"$(event_text "$sid" IVR input)" \
	"^calleridnum=13800000005&didnumber=800888&source=IVR&event=input&uniqueid=[0-9]+&sessionid=$sid&eventTime=[0-9: -]+&AgentTeamId=[0-9]+&flow=main&node=welcome&digits=2&result=ok&from=dialin&eventid=[0-9]+&$"
phone_done $f agent 5 >/dev/null
peers_stop caller agent

# ---- G. ring-no-answer ---------------------------------------------------------------------------

f=rona
RING=2 AUTOPAUSE=yes routing >"$work/routing.ini"
check "$f: queue 6002: 2 s ring timeout, autopause" import_routing "$work/routing.ini"
phone $f a5 "$p5" ring.xml 0
phone $f a6 "$p6" phone.xml 300 $F_AGENT2 0 "$r6"
m=$(log_mark)
caller $f caller "$c1" 800400 13800000006 6000 "$rc1"
check "$f: 8005 rings first, is cancelled after 2 s, then 8006 answers" eval '
	wait_file "$work/$f/a5/invite.txt" 5 && phone_done $f a5 6 &&
	wait_log "$m" "agent answered session=.* agent=8006" 6'
sid=$(inbound_sid "$m" 800400)
check "$f: 8005 was paused (ring-no-answer)" state_is 8005 pause
check "$f: events: AGENT ringing, AGENT hangup (8005), AGENT ringing, AGENT answer (8006)" eval '
	phone_done $f caller 15 && wait_log "$m" "call ended session=$sid" 5 &&
	events_are "$sid" "CALLER incoming, QUEUE join, AGENT ringing, AGENT hangup, AGENT ringing, AGENT answer, QUEUE leave, CALLER hangup, AGENT hangup, CONVERSATION hangup"'
check "$f: two agent legs, the first NO ANSWER" legs_are "$sid" "customer|ANSWERED agent|NO ANSWER agent|ANSWERED"
check "$f: 8005 back to idle" api_is 8005 "EVENT=QUEUEPAUSE&type=2" "|Retuen|1|"
phone_done $f a6 5 >/dev/null
peers_stop caller a6

# ---- H. agentToIvr ---------------------------------------------------------------------------------

f=toivr
routing >"$work/routing.ini"
check "$f: default settings again" import_routing "$work/routing.ini"
phone $f a5 "$p5" phone.xml 300 $F_AGENT 0 "$r5"
m=$(log_mark)
caller $f caller "$c1" 800400 13800000007 12000 "$rc1"
check "$f: 8005 answers" wait_log "$m" "agent answered session=.* agent=8005" 6
sid=$(inbound_sid "$m" 800400)
check "$f: ivrflow 9 (no such key): 107; ivrexten 7000: 106" eval '
	api_is 8005 "EVENT=AgentToIvr&ivrexten=6000&ivrflow=9&transfer=0" "BackMsg_107" &&
	api_is 8005 "EVENT=AgentToIvr&ivrexten=7000&ivrflow=&transfer=0" "BackMsg_106"'
phone $f a6 "$p6" phone.xml 300 $F_AGENT2 0 "$r6"
check "$f: 8005 takes no more inbound calls (work mode dialout)" \
	api_is 8005 "EVENT=WORKWAY&status=dialout&agentgroupid=2" "|Retuen|1|"
check "$f: release at path 2 (Support): 108; 8005 gets BYE; 8006 answers the same call" eval '
	api_is 8005 "EVENT=AgentToIvr&ivrexten=6000&ivrflow=2&transfer=0" "BackMsg_108" &&
	phone_done $f a5 5 &&
	wait_log "$m" "agent answered session=$sid .*agent=8006" 8'
check "$f: 8005 is idle, 8006 busy" eval 'state_is 8005 idle && state_is 8006 busy'
check "$f: the caller hangs up, the call ends" eval '
	phone_done $f caller 20 && wait_log "$m" "call ended session=$sid" 5'
phone_done $f a6 5 >/dev/null
peers_stop caller a5 a6
# one recording for the whole call, from 8005's answer and named after
# it (a second answer once made a second recorder, named after 8006, and
# lost the first: never finished, left on the media clock)
one_recording() {
	local rec
	rec=$(python3 "$util" sql "$data/occ.db" "SELECT recording FROM cdr WHERE sessionid = ?" "$sid")
	case $rec in *-8005-*) ;; *) echo "recording $rec: not 8005's"; return 1 ;; esac
	rec=$(ls "$data"/recordings/*/"$rec") &&
	python3 -c "import os, sys, wave; w = wave.open(sys.argv[1]); sys.exit(w.getnframes() * 4 + 44 != os.path.getsize(sys.argv[1]))" "$rec" &&
	python3 "$mp" hears "$rec:0@$t5" --from "$(at "$t6" 0.4)" --to "$(at "$t6" 2)" --tone $F_AGENT2 &&
	python3 "$mp" hears "$rec:1@$t5" --from "$(at "$t6" 0.4)" --to "$(at "$t6" 2)" --tone $F_CALLER
}
t5=$(tfile "$work/$f/a5/answer.txt") t6=$(tfile "$work/$f/a6/answer.txt")
check "$f: the CDR names one finished recording, 8005's, from its answer: 8006's voice after the IVR, the caller's" one_recording

# ---- I. announcements ---------------------------------------------------------------------------

f=announce
# prompts of distinct tones, 0.8 s each (the music: 350 Hz, looped)
F_MUSIC=350 F_POS=2700 F_WAIT=3100 F_MIN=3400
F_DIGIT=(450 650 850 1050 1250 1450 1650 1850 2050 2250)
pd=$data/prompts/demo
tone_wav "$pd/music.wav" $F_MUSIC 4
tone_wav "$pd/queue-position.wav" $F_POS 0.8
tone_wav "$pd/queue-wait.wav" $F_WAIT 0.8
tone_wav "$pd/queue-minutes.wav" $F_MIN 0.8
prompts="[prompt music]
file = music.wav"
for p in queue-position queue-wait queue-minutes; do
	prompts+=$'\n'"[prompt $p]"$'\n'"file = $p.wav"
done
for d in 0 1 2 3 4 5 6 7 8 9; do
	tone_wav "$pd/digit-$d.wav" "${F_DIGIT[$d]}" 0.8
	prompts+=$'\n'"[prompt digit-$d]"$'\n'"file = digit-$d.wav"
done
{ routing | sed '/^\[queue 6001\]$/a announce = 2\nmoh = music'; echo "$prompts"; } >"$work/routing.ini"
check "$f: queue 6001 announces every 2 s, digits as prompts" import_routing "$work/routing.ini"
freqs=$F_MUSIC,$F_AGENT,$F_POS,$F_WAIT,$F_MIN,$(IFS=,; echo "${F_DIGIT[*]}")
# sequence NAME WANT: what caller NAME heard, in order (runs of 0.4 s)
sequence() {
	python3 "$mp" sequence "$work/$f/$1/rtp.jsonl" --freqs "$freqs" --want "$2" --min-blocks 8
}
c3=${P[12]} rc3=${P[13]}
m=$(log_mark)
caller $f first "$c1" 800500 13800000011 12000 "$rc1"
check "$f: a first caller waits in 6001 (nobody checked in)" eval '
	status_is $f first 200 && wait_log "$m" "queued session=.* queue=6001" 3'
sid1=$(inbound_sid "$m" 800500)
sleep 1
m2=$(log_mark)
caller $f second "$c2" 800500 13800000012 45000 "$rc2"
check "$f: a second caller waits behind it" eval '
	status_is $f second 200 && wait_log "$m2" "queued session=.* queue=6001" 3'
sid2=$(inbound_sid "$m2" 800500)
check "$f: QUEUE/join says position 1 and 2" eval '
	expect_match first "$(event_text "$sid1" QUEUE join)" "&queuenumber=6001&position=1&prio=0&" &&
	expect_match second "$(event_text "$sid2" QUEUE join)" "&queuenumber=6001&position=2&prio=0&"'
check "$f: the first caller gives up after 12 s" eval '
	phone_done $f first 16 && wait_log "$m" "call ended session=$sid1" 5'
check "$f: the first heard music, 'you are number' 1, music, and no expected wait (none known yet)" eval '
	sequence first "$F_MUSIC;$F_POS;${F_DIGIT[1]};$F_MUSIC;$F_POS;${F_DIGIT[1]};$F_MUSIC" &&
	t=$(tfile "$work/$f/first/answer.txt") &&
	hears $f first "$t" "$(at "$t" 12)" --absent $F_WAIT --absent ${F_DIGIT[2]}'
check "$f: QUEUE/leave of the first: abandon at position 1" expect_match leave \
	"$(event_text "$sid1" QUEUE leave)" "&queuenumber=6001&reason=abandon&position=1&waittime=1[0-3]&from=dialin&"
# the second, once alone, waits on; then 8003 takes it (it waited 14 s
# or more: the queue's expected wait becomes 14/4 s at least)
t2=$(tfile "$work/$f/second/answer.txt")
while awk -v t="$t2" -v n="$(now)" 'BEGIN { exit !(n < t + 14) }'; do sleep 0.2; done
phone $f agent "$p3" phone.xml 4000 $F_AGENT 0 "$r3"
m3=$(log_mark)
check "$f: 8003 checks in to group 1, its phone rings 4 s, it answers the second" eval '
	checkin 8003 1 8003 && wait_log "$m3" "agent answered session=$sid2 .*agent=8003" 9'
# an announcement playing when the phone began to ring ends within 1.6 s;
# none begins while it rings (the period is at most 2 s: one was due)
t_inv=$(tfile "$work/$f/agent/invite.txt")
t_ans=$(tfile "$work/$f/agent/answer.txt")
check "$f: no announcement begins while 8003's phone rings: music" \
	hears $f second "$(at "$t_inv" 1.7)" "$(at "$t_ans" -0.1)" --tone $F_MUSIC --absent $F_POS
# the sequence ends with the agent's voice: give the capture 1.5 s of it
# (checked at once, it held 0.3 s once in CI, under the 0.4 s a run needs)
while awk -v t="$t_ans" -v n="$(now)" 'BEGIN { exit !(n < t + 1.5) }'; do sleep 0.2; done
check "$f: the second heard position 2 while the first waited, then 1" \
	sequence second "$F_MUSIC;$F_POS;${F_DIGIT[2]};$F_MUSIC;$F_POS;${F_DIGIT[2]};$F_MUSIC;$F_POS;${F_DIGIT[1]};$F_MUSIC;$F_AGENT"
check "$f: QUEUE/leave of the second: answered" expect_match leave \
	"$(event_text "$sid2" QUEUE leave)" "&queuenumber=6001&reason=answered&position=0&waittime=(1[89]|2[0-9])&from=dialin&"
m4=$(log_mark)
caller $f third "$c3" 800500 13800000013 7000 "$rc3"
check "$f: a third caller waits while 8003 talks" eval '
	status_is $f third 200 && wait_log "$m4" "queued session=.* queue=6001" 3'
check "$f: the third hears position 1 and an expected wait of 1 minute, then music" eval '
	phone_done $f third 12 &&
	sequence third "$F_MUSIC;$F_POS;${F_DIGIT[1]};$F_WAIT;${F_DIGIT[1]};$F_MIN;$F_MUSIC"'
check "$f: 8003 hangs up the second caller" eval '
	api_is 8003 "EVENT=HANGUP&target=all" "|Retuen|1|" &&
	phone_done $f second 5 && phone_done $f agent 5'
check "$f: 8003 checks out of group 1" checkout 8003 1
peers_stop first second third agent

# ---- J. a full queue, a maximum wait ------------------------------------------------------------

f=limits
routing | sed '/^\[queue 6001\]$/a max_callers = 1\nmax_wait = 8' >"$work/routing.ini"
check "$f: queue 6001 takes one caller, for 8 s at most" import_routing "$work/routing.ini"
m=$(log_mark)
caller $f waiter "$c1" 800500 13800000021 15000 "$rc1"
check "$f: a caller waits" eval 'status_is $f waiter 200 && wait_log "$m" "queued session=.* queue=6001" 3'
sidw=$(inbound_sid "$m" 800500)
m2=$(log_mark)
caller $f refused "$c2" 800500 13800000022 8000 "$rc2"
check "$f: the next is refused (the queue's fail: hang up)" eval '
	status_is $f refused 200 && phone_done $f refused 10'
sidr=$(inbound_sid "$m2" 800500)
check "$f: QUEUE join (position 2), then QUEUE leave full at once" eval '
	expect_match join "$(event_text "$sidr" QUEUE join)" "&queuenumber=6001&position=2&prio=0&from=dialin&" &&
	expect_match leave "$(event_text "$sidr" QUEUE leave)" "&queuenumber=6001&reason=full&position=0&waittime=0&from=dialin&"'
check "$f: the waiter is sent away after 8 s: QUEUE leave timeout" eval '
	phone_done $f waiter 15 &&
	expect_match leave "$(event_text "$sidw" QUEUE leave)" "&queuenumber=6001&reason=timeout&position=0&waittime=[89]&from=dialin&"'
peers_stop waiter refused

# ---- K. overload: new calls refused while occd lags ------------------------------------

# occd stopped for 0.4 s with a call up (SIGSTOP): its media clock fires
# 400 ms late, over [call] overload_lag_ms (200); for a second or two a
# new caller gets 503 with Retry-After (a carrier or a proxy tries another
# route at once), the call up goes on
f=overload
m=$(log_mark)
caller $f up "$c1" 800100 13800000031 5000 "$rc1"
check "$f: a call is up (the built-in phone answers)" eval '
	status_is $f up 200 && wait_log "$m" "agent answered session=" 5'
kill -STOP "$occd_pid"; sleep 0.4; kill -CONT "$occd_pid"
sleep 0.2
caller $f late "$c2" 800100 13800000032 1000
check "$f: after a 0.4 s stall a new caller gets 503 Retry-After: 2, logged" eval '
	status_is $f late 503 && grep -q "^Retry-After: 2" "$work/$f/late/msgs.log" &&
	wait_log "$m" "inbound call refused did=800100: occd is overloaded lag_ms=[0-9]+" 3'
check "$f: no call was made for it" expect_eq calls \
	"$(sql "SELECT count(*) FROM cdr WHERE caller = ?" 13800000032)" 0
sleep 2.5
caller $f again "$c2" 800100 13800000033 1000 "$rc2"
check "$f: 2.5 s later calls are taken again, and the call up went on" eval '
	status_is $f again 200 && phone_done $f again 10 &&
	phone_done $f up 10'
peers_stop up again

stop_occd
echo "1..$n"
[ "$failed" -eq 0 ]
