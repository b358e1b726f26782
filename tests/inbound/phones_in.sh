#!/usr/bin/env bash
# phones_in.sh — a team's registered phones calling its internal numbers
# (docs/INBOUND.md, "Calls from the team's phones"), against the ASan occd
# with the demo data and its routing (IVR main on 6000, queues 6001 and
# 6002, DID 800888). The phones are sipp: they REGISTER (digest), then
# call from the same port, answer occd's 407 with their password
# (tests/inbound/scenarios/phone_caller.xml) and speak and press keys
# through an mp.py peer.
#
#   A. 8006 dials 6000: asked (407), answered; hears the menu's prompt
#      (Goertzel), presses 1 (RFC 4733), waits in 6001 and agent 8002's
#      phone answers; each hears the other; the events name 8006 as the
#      caller; the CDR is from 8006 to 6000
#   B. 8006 dials the built-in phone 8101 (an extension) and hears it
#   C. refused: a wrong password (407, 403, no call), an external number
#      (404: never a trunk), its own extension (486), a number of team
#      acme (404)
#   D. team isolation: acme's 9001 dials demo's IVR 6000, queue 6001 and
#      DID 800888 (which demo takes from any address): 404 each, no call
#   E. its own team's DID 800888 through the routes: the IVR
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../sip/lib/harness.sh"
. "$here/../sip/lib/calls.sh"
. "$here/lib.sh"
suite_begin phones_in

preflight "apt-get install sip-tester" sipp python3 curl
scen=$root/tests/multiparty/scenarios
phone_xml=$here/scenarios/phone_caller.xml

take_ports 8
http_port=${P[0]} sip_port=${P[1]}
pc=${P[2]} rc=${P[3]}          # the calling phone 8006 and its media
p2=${P[4]} r2=${P[5]}          # agent 8002's phone and its media
pa=${P[6]} ra=${P[7]}          # acme's phone 9001
url=http://127.0.0.1:$http_port
F_AGENT=770 F_CALLER=1130 F_VIRTUAL=700 F_PROMPT=400

# call FLOW NAME PORT NUMBER USER PASSWORD TALKMS [RTPPORT]: the phone
# USER (team by its number, domain occd's address), registered from PORT,
# dials NUMBER and answers the challenge with PASSWORD; its media from an
# mp.py peer on RTPPORT speaking F_CALLER. Files in $work/FLOW/NAME.
call() {
	sipp_dial "$1" "$2" "$3" "$4" "$5" "$7" "${8:-0}" "$phone_xml" -au "$5" -ap "$6"
}

# answers_are FLOW NAME CHALLENGE FINAL: the first INVITE got CHALLENGE,
# the call's final answer was FINAL
answers_are() {
	wait_file "$work/$1/$2/status.txt" 10 >/dev/null
	expect_eq "answers" "$(cat "$work/$1/$2/challenge.txt" 2>/dev/null) $(cat "$work/$1/$2/status.txt" 2>/dev/null)" "$3 $4"
}

# refused FLOW NAME NUMBER USER PASSWORD PORT CHALLENGE FINAL: a call
# that must not be made: the answers, sipp ends, and no CDR
refused() {
	local m cdrs
	m=$(log_mark)
	cdrs=$(sql 'SELECT count(*) FROM cdr')
	call "$1" "$2" "$6" "$3" "$4" "$5" 1000
	answers_are "$1" "$2" "$7" "$8" && phone_done "$1" "$2" 10 &&
		! since "$m" | grep "inbound call session=" &&
		expect_eq "CDRs" "$(sql 'SELECT count(*) FROM cdr')" "$cdrs"
}

# ---- occd ---------------------------------------------------------------------

start_occd "occd starts with the demo data and its routing (sip 127.0.0.1:$sip_port)"
# the menu's prompt: 2 s of F_PROMPT, as a recording would be
mkdir -p "$data/prompts/demo"
python3 "$root/tests/sip/lib/audio.py" wav "$data/prompts/demo/welcome.wav" \
	--freq "$F_PROMPT" --secs 2 || nok "the prompt is written"
check "phones 8006 (the caller), 8002 (an agent) and acme's 9001 register" eval '
	phone_reg reg8006 "$pc" 8006 && phone_reg reg8002 "$p2" 8002 &&
	TEAM=acme phone_reg reg9001 "$pa" 9001'
check "agent 8002 checks in to group 1 (queue 6001) on its phone" \
	api_is 8002 "EVENT=QUEUE&type=1&list=1&deviceexten=8002" "|Retuen|1|"

# ---- A. the IVR, a key, the queue, an agent --------------------------------------

f=ivr
phone $f agent "$p2" phone.xml 300 $F_AGENT 0 "$r2"
m=$(log_mark)
call $f caller "$pc" 6000 8006 8006 8000 "$rc"
check "$f: 8006 dials 6000: 407, then (with its password) 200" answers_are $f caller 407 200
check "$f: the IVR main runs for the phone's call" wait_log "$m" "ivr session=.* flow=main" 3
sid=$(inbound_sid "$m" 6000)
t_ans=$(tfile "$work/$f/caller/answer.txt")
check "$f: the phone hears the menu's prompt (400 Hz)" eval '
	sleep 1.8; hears $f caller "$(at "$t_ans" 0.3)" "$(at "$t_ans" 1.6)" --tone $F_PROMPT'
check "$f: it presses 1 (RFC 4733): queue 6001, 8002 answers" eval '
	press $f caller 1 && wait_log "$m" "queued session=$sid queue=6001" 5 &&
	wait_log "$m" "agent answered session=$sid .*agent=8002" 6'
t_agent=$(tfile "$work/$f/agent/answer.txt")
check "$f: the phone hears the agent (770 Hz), the agent hears the phone (1130 Hz)" eval '
	sleep 3.2;
	hears $f caller "$(at "$t_agent" 0.5)" "$(at "$t_agent" 3)" --tone $F_AGENT &&
	hears $f agent "$(at "$t_agent" 0.5)" "$(at "$t_agent" 3)" --tone $F_CALLER'
check "$f: the phone hangs up, the call ends, the agent gets BYE" eval '
	phone_done $f caller 15 && wait_log "$m" "call ended session=$sid" 5 && phone_done $f agent 5'
check "$f: events: CALLER incoming (from 8006), AGENT ringing, AGENT answer, hangups" \
	events_are "$sid" "CALLER incoming, IVR input, QUEUE join, AGENT ringing, AGENT answer, QUEUE leave, CALLER hangup, AGENT hangup, CONVERSATION hangup"
check "$f: CALLER/incoming's channel is 8006's" expect_match incoming \
	"$(sql "SELECT text FROM events WHERE text LIKE ? AND text LIKE ?" "%sessionid=$sid&%" "%source=CALLER&event=incoming&%")" \
	"channel=SIP/8006-"
check "$f: AGENT/ringing: calleridnum=8006, didnumber=6000" expect_match ringing \
	"$(sql "SELECT text FROM events WHERE text LIKE ? AND text LIKE ?" "%sessionid=$sid&%" "%source=AGENT&event=ringing&%")" \
	"^calleridnum=8006&didnumber=6000&activenum=8002&"
check "$f: CDR in, ANSWERED by 8002, from 8006 to 6000" expect_eq cdr \
	"$(sql 'SELECT direction, disposition, agent, caller, callee FROM cdr WHERE sessionid = ?' "$sid")" \
	"in|ANSWERED|8002|8006|6000"
peers_stop caller agent

# ---- B. an extension ---------------------------------------------------------------

f=exten
m=$(log_mark)
call $f caller "$pc" 8101 8006 8006 4000 "$rc"
check "$f: 8006 dials the built-in phone 8101: 407, 200; it answers" eval '
	answers_are $f caller 407 200 && wait_log "$m" "agent answered session=.* exten=8101" 5'
sid=$(inbound_sid "$m" 8101)
check "$f: the phone hangs up, the call ends" eval '
	phone_done $f caller 10 && wait_log "$m" "call ended session=$sid" 5'
t_ans=$(tfile "$work/$f/caller/answer.txt")
check "$f: the phone heard the built-in phone (700 Hz)" \
	hears $f caller "$(at "$t_ans" 1.6)" "$(at "$t_ans" 3.5)" --tone $F_VIRTUAL
peers_stop caller

# ---- C. refusals -----------------------------------------------------------------------

f=refuse
check "$f: a wrong password: 407, then 403, no call" \
	refused $f wrong 6000 8006 wrong "$pc" 407 403
check "$f: an external number (13800000000): 404, never a trunk" \
	refused $f external 13800000000 8006 8006 "$pc" 407 404
check "$f: no external number through a trunk even with one configured" eval '
	trunk_add carrier "$ra" --default && refused $f external2 013800000000 8006 8006 "$pc" 407 404'
check "$f: its own extension: 486" refused $f self 8006 8006 8006 "$pc" 407 486
check "$f: team acme's queue 7001: 404" refused $f acmeq 7001 8006 8006 "$pc" 407 404

# ---- D. team isolation -------------------------------------------------------------------

f=isolation
check "$f: acme's 9001 dials demo's IVR 6000: 404" refused $f ivr 6000 9001 9001 "$pa" 407 404
check "$f: ... demo's queue 6001: 404" refused $f queue 6001 9001 9001 "$pa" 407 404
check "$f: ... demo's DID 800888 (demo takes it from any address, but not from another team's phone): 404" \
	refused $f did 800888 9001 9001 "$pa" 407 404
check "$f: ... demo's extension 8002: 404" refused $f exten 8002 9001 9001 "$pa" 407 404

# ---- E. its own team's DID ---------------------------------------------------------------

f=did
m=$(log_mark)
call $f caller "$pc" 800888 8006 8006 2000 "$rc"
check "$f: 8006 dials 800888: 407, 200, routed by the route main to the IVR" eval '
	answers_are $f caller 407 200 && wait_log "$m" "inbound call session=.* did=800888 from=8006 .*route=main" 3 &&
	wait_log "$m" "ivr session=.* flow=main" 3'
check "$f: the phone hangs up" phone_done $f caller 10
peers_stop caller

stop_occd
echo "1..$n"
[ "$failed" -eq 0 ]
