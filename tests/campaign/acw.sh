#!/usr/bin/env bash
# acw.sh — timed after-call work known to the dialer, over real SIP (issue
# 12, pacing item 4 "wrap-ups ending"; docs/DIALER.md "After-call work").
# occd --demo; a new group 5 with ACW after answer and an after-call-work
# time of 4 s (occctl group add --acw-time 4), agent 8001 in it on a sipp
# phone, campaign 10 dialling for group 5 (progressive) through the demo's
# virtual customer trunk (answers after 1 s).
#   1. the first number is bridged to 8001; a second number imported
#      while 8001 talks waits
#   2. 8001 hangs up: ACW, told to the pacing module as a wrap-up ending
#      in 4 s (not a pause); the second number is not dialled during it
#   3. occd ends the ACW by itself 4 s later (no ACWOFF); the waiting
#      number is dialled and reaches 8001: its phone's second INVITE
#      comes 4-7 s after the first call's BYE (4 s of ACW, the customer's
#      1 s of ringing, the 250 ms poll), checked from sipp's own times;
#      the state log says ACW lasted 4 s
#   4. ACWOFF still ends a timed ACW early; occd then does not end it
#      again
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/sip/lib/harness.sh"
. "$root/tests/sip/lib/calls.sh"
. "$root/tests/inbound/lib.sh"
. "$here/lib.sh"
suite_begin campaign-acw

preflight "apt-get install sip-tester" sipp python3 curl
scen=$root/tests/multiparty/scenarios

take_ports 5
http_port=${P[0]} sip_port=${P[1]} p1=${P[2]} r1=${P[3]} r2=${P[4]}
url=http://127.0.0.1:$http_port
F_AGENT=770 ACW_S=4
A=13900000051 B=13900000052

# acw_ms: how long 8001's last ACW lasted, from the state log (ms)
acw_ms() {
	sql "SELECT b.ts_ms - a.ts_ms FROM state_log a JOIN state_log b ON b.agent_id = a.agent_id AND b.id = (SELECT MIN(id) FROM state_log WHERE agent_id = a.agent_id AND id > a.id) WHERE a.agent_id = (SELECT id FROM agents WHERE number = '8001') AND a.state = 4 ORDER BY a.id DESC LIMIT 1"
}

start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)"
check "group 5 with ACW after answer, timed $ACW_S s; 8001 in it; campaign 10 dials for it" eval '
	provision group add demo 5 Timed 6005 --acw answer --acw-time $ACW_S &&
	provision member add demo 5 8001 &&
	octl campaign set demo 10 group=5 &&
	octl group list demo | grep -Eq "^5 +Timed +6005 +answer +${ACW_S}s "'
check "8001's phone registers and checks in to group 5" eval '
	phone_reg reg8001 "$p1" 8001 && checkin 8001 5 8001'

# ---- 1. the first number ------------------------------------------------------

f=call1
phone $f agent "$p1" phone.xml 300 $F_AGENT 0 "$r1"
m=$(log_mark)
check "$f: $A is dialled and bridged to 8001" eval '
	import_is A "$A" && octl campaign start demo 10 &&
	wait_log "$m" "dialing campaign=10 session=[0-9a-f]+ number=$A " 10 &&
	wait_log "$m" "campaign call bridged campaign=10 session=$(dial_sid "$m" $A) agent=8001" 10'
sid=$(dial_sid "$m" $A)
m2=$(log_mark)
check "$f: $B, imported while 8001 talks, waits" eval '
	import_is B "$B" && sleep 1 && ! since "$m2" | grep -q "number=$B"'

# ---- 2. the hang-up, ACW --------------------------------------------------------

check "$f: 8001 hangs up; its phone gets the BYE" eval '
	api_is 8001 "EVENT=HANGUP&target=all" "|Retuen|1|" &&
	wait_log "$m" "call ended session=$sid" 5 && phone_done $f agent 5'
t_bye=$(tfile "$work/$f/agent/bye.txt")
# the next call may come as soon as the ACW ends: its phone listens now
phone call2 agent "$p1" phone.xml 300 $F_AGENT 0 "$r2"
check "$f: 8001 is in ACW; the module is told a wrap-up ending in ~$ACW_S s" eval '
	wait_log "$m" "agent state team=demo agent=8001 state=acw" 5 &&
	wait_log "$m" "wrap-up until its timed acw ends campaign=10 agent=8001 in_ms=(3[5-9]|4[0-9])[0-9][0-9]$" 5'

# ---- 3. occd ends the ACW, the next call reaches 8001 ------------------------

f=call2
check "$f: occd ends the ACW by itself after $ACW_S s (no ACWOFF)" \
	wait_log "$m" "acw ended by time team=demo agent=8001 after=${ACW_S}s" 5
check "$f: then $B is dialled and bridged to 8001" eval '
	wait_log "$m2" "dialing campaign=10 session=[0-9a-f]+ number=$B " 5 &&
	wait_log "$m2" "campaign call bridged campaign=10 session=$(dial_sid "$m2" $B) agent=8001" 10 &&
	wait_file "$work/$f/agent/invite.txt" 5'
check "$f: $B was not dialled during the ACW (the log: after its end)" eval '
	since "$m2" | grep -E -m1 "acw ended by time|dialing campaign=10" | grep -q "acw ended by time"'
t_inv=$(tfile "$work/$f/agent/invite.txt")
check "$f: 8001's phone got the next INVITE 4-7 s after the first call's BYE" eval '
	awk -v b="$t_bye" -v i="$t_inv" "BEGIN { d = i - b; print d; exit !(d >= $ACW_S && d <= $ACW_S + 3) }"'
check "$f: the state log: the ACW lasted $ACW_S s" eval '
	v=$(acw_ms); echo "$v ms"; [ "$v" -ge $((ACW_S * 1000)) ] && [ "$v" -le $((ACW_S * 1000 + 300)) ]'

# ---- 4. ACWOFF ends a timed ACW early ---------------------------------------

sid2=$(dial_sid "$m2" $B)
m=$(log_mark)
check "$f: 8001 hangs up, is in ACW, and ends it with ACWOFF at once" eval '
	api_is 8001 "EVENT=HANGUP&target=all" "|Retuen|1|" &&
	wait_log "$m" "call ended session=$sid2" 5 &&
	wait_log "$m" "agent state team=demo agent=8001 state=acw" 5 &&
	api_is 8001 "EVENT=ACWOFF" "|Retuen|1|" &&
	wait_log "$m" "agent state team=demo agent=8001 state=idle" 2 &&
	phone_done $f agent 5'
check "$f: occd does not end it again ($ACW_S s later)" eval '
	sleep $((ACW_S + 1)); ! since "$m" | grep -q "acw ended by time"'
check "the rows: both answered" eval '
	expect_eq "$A" "$(row $A)" "1|answered|never" &&
	expect_eq "$B" "$(row $B)" "1|answered|never"'

stop_occd
echo "1..$n"
[ "$failed" -eq 0 ]
