#!/usr/bin/env bash
# amd.sh — answering-machine detection acting on the dialer's calls, and
# the campaign's recorded abandon message, over real SIP (issue 12 items
# 5 and 6; docs/DIALER.md "AMD on a dial"). occd --demo, campaign 10,
# agent 8001; the customers are sipp UASs behind the team's default trunk
# whose media peer (mp.py peer --wav) plays a greeting made with sox:
#   machine  0.3 s of silence, then 8 s of continuous speech-like noise
#            (pink noise)                          -> MACHINE LONGGREETING
#   human    0.3 s of silence, "hello" (0.6 s of the noise), silence
#                                                  -> HUMAN
# `occctl campaign set demo 10 amd=on` (amd_action=hangup):
#   1. a machine: hung up by occd after the verdict; the row says
#      machine (1 attempt, to be tried again); 8001's phone (a sipp
#      phone, idle and registered) never gets an INVITE; the events are
#      the customer's only
#   2. a human: bridged to 8001 (its phone rings within 2 s of the end
#      of the greeting); the row says answered
# amd_action=message, abandon_msg= a WAV of 1.5 s of 1400 Hz (sox):
#   3. a machine hears the message (1400 Hz, Goertzel) before occd hangs
#      up; the built-in phone 8001 moved to is never offered the call
#   4. a human while 8001 is paused (no agent): held, then the message
#      (1400 Hz) is playing 2 s after the end of the greeting, then BYE;
#      the row says abandoned
#   5. the report (occctl campaign report --json, EVENT=CampaignReport):
#      machines 2, amd_fp_est 0.2 (the default 10 %), abandons 1, live 2,
#      answers 4; the abandon rate counts the estimate
#   6. the agent's phone refuses a human's call (486): the customer hears
#      the message (1400 Hz) by 2 s after the end of the greeting, then
#      BYE; the row says abandoned; 8001 is idle at once
#   7. the agent's phone rings and does not answer: occd gives up on it
#      within what is left of the 2 s, the customer hears the message
#      2.0-2.4 s after the end of the greeting; the report counts both
#      lost agents as abandons
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/sip/lib/harness.sh"
. "$root/tests/sip/lib/calls.sh"
. "$root/tests/inbound/lib.sh"
. "$here/lib.sh"
suite_begin campaign-amd

preflight "apt-get install sip-tester sox" sipp sox python3 curl
scen=$root/tests/multiparty/scenarios

take_ports 6
http_port=${P[0]} sip_port=${P[1]} p1=${P[2]} r1=${P[3]}
pc=${P[4]} rc=${P[5]}                      # the customers' sipp trunk
url=http://127.0.0.1:$http_port
F_AGENT=770 F_MSG=1400
M1=13900000021 H1=13900000022 M2=13900000023 H2=13900000024
H3=13900000025 H4=13900000026

# the greetings and the message, 8 kHz mono 16-bit, made with sox
S=(-r 8000 -c 1 -b 16 -e signed)
check "greetings and the message made with sox" eval '
	sox -n "${S[@]}" "$work/sil.wav" trim 0 0.3 &&
	sox -n "${S[@]}" "$work/hello.wav" synth 0.6 pinknoise vol 0.6 &&
	sox -n "${S[@]}" "$work/talk.wav" synth 8 pinknoise vol 0.6 &&
	sox -n "${S[@]}" "$work/tail.wav" trim 0 12 &&
	sox "$work/sil.wav" "$work/hello.wav" "$work/tail.wav" "$work/human.wav" &&
	sox "$work/sil.wav" "$work/talk.wav" "$work/tail.wav" "$work/machine.wav" &&
	sox -n "${S[@]}" "$work/msg.wav" synth 1.5 sine $F_MSG vol 0.5'
# customer FLOW GREETING RINGMS: the next customer on the trunk (the
# last one's media peer stops first: they share the port)
customer() {
	peers_stop cust
	WAV=$work/$2.wav phone "$1" cust "$pc" phone.xml "$3" 0 0 "$rc"
}
# verdict MARK SID STATUS: AMD's verdict on the call
verdict() { wait_log "$1" "amd verdict session=$2 uniqueid=[0-9]+ status=$3 " 10; }
# never_bridged MARK SID: no agent was offered the call
never_bridged() {
	! since "$1" | grep -q "bridging campaign=10 session=$2 " &&
	events_are "$2" "CALLEE ringing, CALLEE answer, CALLEE hangup, CONVERSATION hangup"
}

start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)"
check "a trunk to the sipp customers becomes the team's default" trunk_add cust "$pc" --default
check "8001's phone registers" phone_reg reg8001 "$p1" 8001
check "8001 checks in to group 1 on its phone" checkin 8001 1 8001
check "occctl campaign show: amd off by default, fp 10 %" eval '
	octl campaign show demo 10 | grep -q "^amd off, action hangup, false positives 10.0 %"'
check "occctl campaign set demo 10 amd=on" octl campaign set demo 10 amd=on

# ---- 1. a machine, hung up -------------------------------------------------------

phone agent agent "$p1" phone.xml 500 $F_AGENT 0 "$r1"
f=machine1
customer $f machine 500
m=$(log_mark)
check "$f: $M1 is dialled and answers" eval '
	import_is M1 "$M1" && octl campaign start demo 10 &&
	wait_log "$m" "dialing campaign=10 session=[0-9a-f]+ number=$M1 " 10'
sid=$(dial_sid "$m" $M1)
check "$f: AMD says MACHINE (LONGGREETING); occd hangs up (BYE)" eval '
	verdict "$m" "$sid" "MACHINE cause=LONGGREETING" &&
	wait_log "$m" "machine campaign=10 number=$M1 cause=LONGGREETING action=hangup" 5 &&
	phone_done $f cust 10'
check "$f: the row: 1 attempt, machine, to be tried again" eval '
	wait_log "$m" "campaign dial ended campaign=10 number=$M1 result=machine" 5 &&
	expect_eq "$M1" "$(row $M1)" "1|machine|due"'
check "$f: 8001's phone got no INVITE; the call's events are the customer's only" eval '
	sleep 1; [ ! -s "$work/agent/agent/invite.txt" ] && never_bridged "$m" "$sid"'
check "$f: the CDR carries amd=MACHINE" \
	expect_match "vars" "$(sql "SELECT vars FROM cdr WHERE sessionid = ?" "$sid")" "amd=MACHINE&amd_cause=LONGGREETING"

# ---- 2. a human, bridged ---------------------------------------------------------

f=human1
customer $f human 500
m=$(log_mark)
check "$f: $H1 is dialled; AMD says HUMAN" eval '
	import_is H1 "$H1" &&
	wait_log "$m" "dialing campaign=10 session=[0-9a-f]+ number=$H1 " 10 &&
	verdict "$m" "$(dial_sid "$m" $H1)" HUMAN'
sid=$(dial_sid "$m" $H1)
check "$f: bridged: 8001's phone rings and answers" eval '
	wait_file "$work/agent/agent/invite.txt" 5 &&
	wait_log "$m" "campaign call bridged campaign=10 session=$sid agent=8001" 5'
t_ans=$(tfile "$work/$f/cust/answer.txt")
t_inv=$(tfile "$work/agent/agent/invite.txt")
# the greeting ends 0.9 s after the answer (0.3 s silence, 0.6 s hello)
check "$f: 8001's phone rang within 2 s of the end of the greeting" eval '
	awk -v a="$t_ans" -v i="$t_inv" "BEGIN { d = i - (a + 0.9); print d; exit !(d > 0 && d <= 2) }"'
check "$f: 8001 hangs up; the row: answered, never again" eval '
	api_is 8001 "EVENT=HANGUP&target=all" "|Retuen|1|" &&
	wait_log "$m" "campaign dial ended campaign=10 number=$H1 result=answered" 5 &&
	expect_eq "$H1" "$(row $H1)" "1|answered|never" &&
	phone_done $f cust 5 && phone_done agent agent 5'
peers_stop agent

# ---- 3. a machine, the message ----------------------------------------------------

f=machine2
check "occctl campaign set amd_action=message abandon_msg=msg.wav; 8001 moves to the built-in 8101" eval '
	octl campaign set demo 10 amd_action=message "abandon_msg=$work/msg.wav" &&
	checkout 8001 1 && checkin 8001 1 8101'
customer $f machine 500
m=$(log_mark)
check "$f: $M2 is dialled; AMD says MACHINE; the message plays, then BYE" eval '
	import_is M2 "$M2" &&
	wait_log "$m" "dialing campaign=10 session=[0-9a-f]+ number=$M2 " 10 &&
	verdict "$m" "$(dial_sid "$m" $M2)" MACHINE &&
	wait_log "$m" "machine campaign=10 number=$M2 cause=LONGGREETING action=message" 5 &&
	phone_done $f cust 10'
sid=$(dial_sid "$m" $M2)
t_ans=$(tfile "$work/$f/cust/answer.txt")
t_bye=$(tfile "$work/$f/cust/bye.txt")
check "$f: the machine hears the message ($F_MSG Hz) before the BYE, none before the verdict" eval '
	hears $f cust "$(at "$t_bye" -1.2)" "$(at "$t_bye" -0.3)" --tone $F_MSG &&
	hears $f cust "$t_ans" "$(at "$t_ans" 1.5)" --absent $F_MSG'
check "$f: the BYE comes when the message ends (1.5 s after the verdict at ~1.9 s)" eval '
	awk -v a="$t_ans" -v b="$t_bye" "BEGIN { d = b - a; print d; exit !(d >= 3 && d <= 6) }"'
check "$f: the row says machine; no agent was offered the call" eval '
	expect_eq "$M2" "$(row $M2)" "1|machine|due" && never_bridged "$m" "$sid"'

# ---- 4. a human, no agent: the recorded abandon message ---------------------------

f=noagent
customer $f human 3000
m=$(log_mark)
check "$f: $H2 is dialled; while it rings, 8001 pauses" eval '
	import_is H2 "$H2" &&
	wait_log "$m" "dialing campaign=10 session=[0-9a-f]+ number=$H2 " 10 &&
	api_is 8001 "EVENT=QUEUEPAUSE&type=1&pause_reason=break" "|Retuen|1|"'
sid=$(dial_sid "$m" $H2)
check "$f: HUMAN, no agent: abandoned with the recorded message, then BYE" eval '
	verdict "$m" "$sid" HUMAN &&
	wait_log "$m" "abandoned campaign=10 number=$H2 message=$work/msg.wav" 5 &&
	phone_done $f cust 10'
t_ans=$(tfile "$work/$f/cust/answer.txt")
t_end=$(at "$t_ans" 0.9)              # the end of the greeting
check "$f: the message ($F_MSG Hz) plays 2 s after the end of the greeting, not before the verdict" eval '
	hears $f cust "$(at "$t_end" 2.0)" "$(at "$t_end" 2.5)" --tone $F_MSG &&
	hears $f cust "$t_ans" "$(at "$t_end" 0.7)" --absent $F_MSG'
check "$f: the row: abandoned, to be tried again" expect_eq "$H2" "$(row $H2)" "1|abandoned|due"
check "$f: 8001 unpauses" api_is 8001 "EVENT=QUEUEPAUSE&type=2" "|Retuen|1|"

# ---- 5. the report ------------------------------------------------------------------

report_is() {
	local r cli
	r=$(curl -sS -m 10 -d "EVENT=CampaignReport&orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin&campaignid=10&days=2" "$url/coccinterfaces")
	cli=$(octl campaign report demo 10 --days 2 --json)
	python3 - "$r" "$cli" <<-'EOF'
		import json, sys
		r, cli = sys.argv[1:]
		f = r.split("|Retuen|")
		if f[1] != "1":
		    sys.exit(f"reply {r}")
		for rep in (json.loads(f[2]), json.loads(cli)):
		    tot = lambda k: round(sum(d[k] for d in rep["days"]), 3)
		    got = {k: tot(k) for k in ("dials", "answers", "live", "abandons",
		                               "machines", "amd_fp_est")}
		    day = [d for d in rep["days"] if d["dials"]][-1]
		    print(got, "abandon_pct", day["abandon_pct"], "window",
		          day["window"], "list", rep["list"]["results"])
		    if (got != {"dials": 4, "answers": 4, "live": 2, "abandons": 1,
		                "machines": 2, "amd_fp_est": 0.2} or
		            day["abandon_pct"] != 54.5 or
		            day["window"]["machines"] != 2 or
		            day["window"]["amd_fp_est"] != 0.2 or
		            rep["list"]["results"] != {"abandoned": 1, "answered": 1,
		                                       "machine": 2}):
		        sys.exit(1)
	EOF
}
check "report: dials 4, answers 4, live 2, abandons 1, machines 2, amd_fp_est 0.2, abandon rate (1 + 0.2) / (2 + 0.2) = 54.5 %, over HTTP and occctl --json" report_is
check "occctl campaign report prints machines and amd_fp_est" eval '
	octl campaign report demo 10 | grep -E "machines 2, amd_fp_est 0.2 \(54.5 %\)"'

# ---- 6. the agent's phone fails -----------------------------------------------------

f=agentfails
check "8001 moves to its sipp phone, which answers 486" eval '
	checkout 8001 1 && checkin 8001 1 8001'
phone agent agent "$p1" "$root/tests/sip/scenarios/reject_486.xml" 0
customer $f human 500
m=$(log_mark)
check "$f: $H3 is dialled; HUMAN; bridged to 8001, whose phone answers 486" eval '
	import_is H3 "$H3" &&
	wait_log "$m" "dialing campaign=10 session=[0-9a-f]+ number=$H3 " 10 &&
	verdict "$m" "$(dial_sid "$m" $H3)" HUMAN &&
	wait_log "$m" "bridging campaign=10 session=$(dial_sid "$m" $H3) agent=8001" 5'
sid=$(dial_sid "$m" $H3)
check "$f: the customer is abandoned with the message, then BYE; the row: abandoned" eval '
	wait_log "$m" "agent leg failed campaign=10 number=$H3 agent=8001 scode=486: abandoned message=$work/msg.wav" 5 &&
	wait_log "$m" "campaign dial ended campaign=10 number=$H3 result=abandoned" 10 &&
	expect_eq "$H3" "$(row $H3)" "1|abandoned|due" && phone_done $f cust 10'
t_ans=$(tfile "$work/$f/cust/answer.txt")
t_end=$(at "$t_ans" 0.9)              # the end of the greeting
check "$f: the customer hears the message ($F_MSG Hz) by 2 s after the end of the greeting, not before the verdict" eval '
	hears $f cust "$(at "$t_end" 1.6)" "$(at "$t_end" 2.0)" --tone $F_MSG &&
	hears $f cust "$t_ans" "$(at "$t_end" 0.7)" --absent $F_MSG'
check "$f: 8001 is idle again at once, before the message ends" eval '
	since "$m" | grep -E -m1 "agent=8001 state=idle|campaign dial ended campaign=10 number=$H3 " |
	grep -q "agent=8001 state=idle" && state_is 8001 idle'
peers_stop agent

# ---- 7. the agent's phone rings and does not answer ---------------------------------

f=agentrings
phone agent agent "$p1" phone.xml 8000 $F_AGENT 0 "$r1"
customer $f human 500
m=$(log_mark)
check "$f: $H4 is dialled; HUMAN; bridged to 8001, whose phone rings 8 s" eval '
	import_is H4 "$H4" &&
	wait_log "$m" "dialing campaign=10 session=[0-9a-f]+ number=$H4 " 10 &&
	verdict "$m" "$(dial_sid "$m" $H4)" HUMAN &&
	wait_file "$work/agent/agent/invite.txt" 5'
check "$f: occd gives up on 8001's phone within the 2 s; the customer gets the message, then BYE" eval '
	wait_log "$m" "agent leg failed campaign=10 number=$H4 agent=8001 scode=[0-9]+: abandoned" 5 &&
	wait_log "$m" "campaign dial ended campaign=10 number=$H4 result=abandoned" 10 &&
	phone_done $f cust 10'
t_ans=$(tfile "$work/$f/cust/answer.txt")
t_end=$(at "$t_ans" 0.9)
check "$f: the message ($F_MSG Hz) is playing 2.0-2.4 s after the end of the greeting" \
	hears $f cust "$(at "$t_end" 2.0)" "$(at "$t_end" 2.4)" --tone $F_MSG
check "report: the two lost agents count as abandons (3 in all)" eval '
	octl campaign report demo 10 --days 2 --json | python3 -c "
import json, sys
r = json.load(sys.stdin)
n = sum(d[\"abandons\"] for d in r[\"days\"])
print(\"abandons\", n)
sys.exit(n != 3)"'

stop_occd
echo "1..$n"
[ "$failed" -eq 0 ]
