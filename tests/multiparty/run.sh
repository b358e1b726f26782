#!/usr/bin/env bash
# tests/multiparty/run.sh — consult, transfer, callReturn and conference
# with real SIP peers on 127.0.0.1, proving by the audio who hears whom.
#
# Every party is a phone of its own speaking its own tone: the agent 770 Hz,
# the customer 1130 Hz, the consulted agent 1470 Hz, an external consultee
# 1870 Hz (none a harmonic of another, all away from the ringback's 450 Hz
# and the hold chime's 523.25 + 659.25 Hz). A phone is sipp (signalling,
# scenarios/) plus lib/mp.py peer (its media: it speaks the tone and logs
# what it receives with the wall-clock time), so what each party heard is
# cut into the call's phases by the times of the API requests and of the
# SIP messages, and analysed with Goertzel (tests/sip/lib/audio.py). Flow 6
# has baresip phones for the agents and checks the order of what each
# heard. occd's recording (left: what the customer hears, right: what the
# agent hears) is checked per phase too, and the call's stored events.
#
#   1. conference: agent <-> customer (transfer, callReturn, conference,
#      hangup target=consult without a consult: 29, 33, 35, 92); consult
#      8002: the customer hears the chime, the agent ringback and then
#      8002, 8002 the agent; conference: each hears the other two, each
#      at the level it was sent (the mixer sums, with a limiter), 50
#      packets a second each; callReturn from the conference: 8002 gets
#      BYE, the two are back with each other.
#   2. transfer: the agent's phone gets BYE, 8001 is idle and out of the
#      call, the customer and 8002 hear each other, 8002 hangs up.
#   3. external consult over the default trunk; refusals first (25 not
#      checked in, not a member, oneself; 56[pause]; 28); consulting twice
#      (95, ringing and answered); callReturn: the far end gets BYE.
#   4. the consultee does not answer: its phone rings, transfer 29,
#      conference 35, consult 95; HANGUP target=consult cancels it; again,
#      and callReturn cancels it; the customer is back each time.
#   4b. the external consultee answers 486; then one that rings, callReturn.
#   5. the consultee hangs up during the consult, 5b. during a conference:
#      the customer is back with the agent.
#   5c. the agent's phone hangs up during the consult: a transfer;
#   5d. HANGUP target=agent during the consult: the same expected.
#   5e. the customer hangs up during the consult: the agent and 8002 go on
#      talking (transfer 29, conference 35, caller 92) until the agent
#      hangs up; 5f. HANGUP target=caller during a conference: the agent
#      and 8002 hear each other alone; callReturn then ends the call.
#   6. baresip phones (agent 8005, consultee 8006 in group 2, PCMA through
#      the mixer): consult, conference, transfer from the conference.
#   7. hold, then consult; hold and resume while consulting (refused).
#   9. SIGHUP applies [call] consult_ring_timeout = 5 (a restart-only key
#      is only logged, a bad file changes nothing); nobody answers: 8002's
#      phone gets CANCEL 5 s after the consult, the customer is back.
#  10. SIGHUP applies [media] moh_file (a 2330 Hz WAV): hold and consult
#      play it to the customer (and into the recording), not the chime.
#  11. occd stopped 0.4 s (SIGSTOP) with a call up: makeCall answers
#      20[busy] for a second or two (the loop lags), the call goes on.
#  12. two calls at once for 18 s (OCC_LONG_SECS), past [media] timeout
#      (8 here, set by SIGHUP; checked every 5 s):
#      8003 holds its customer (silence=1), 8001 consults 8002; both
#      customers' phones stop sending while held (RFC 3264). Nobody is
#      dropped, Resume and callReturn work and both directions are heard
#      after; during the hold the agent and the customer get RTP at the
#      ptime (silence) all along.
#  13. a stranger sprays RTP at both legs' ports (from 127.0.0.2 and from
#      another port of 127.0.0.1): nobody hears it, the recording does not
#      keep it, and with [media] timeout = 6 it does not keep the call
#      alive once the customer's phone falls silent.
#  14. meanwhile, a baresip customer (which stops sending when held) of
#      8003 held 14 s with [media] timeout = 6: it stays, and is heard
#      after Resume.
#   8. occd stops cleanly, no sanitizer report.
#
# TAP output; non-zero exit on failure; everything it starts is stopped on
# exit. OCCD and OCCCTL override the binaries (default: the ASan build);
# KEEP=1 keeps the work directory (kept anyway on failure).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
occd=${OCCD:-$root/build/asan/occd}
occctl=${OCCCTL:-$root/build/asan/occctl}
scen=$here/scenarios
mp=$here/lib/mp.py
audio=$root/tests/sip/lib/audio.py
util=$root/tests/sip/lib/util.py

# the parties' voices
F_AGENT=770 F_CUST=1130 F_CONS=1470 F_EXT=1870
CHIME=523.25+659.25 RINGBACK=450


# ---- TAP ------------------------------------------------------------------

. "$here/../sip/lib/harness.sh"
. "$here/../sip/lib/calls.sh"
suite_begin multiparty

preflight "apt-get install sip-tester baresip-core" sipp baresip python3 curl

# ---- helpers --------------------------------------------------------------

take_ports 17
http_port=${P[0]} sip_port=${P[1]}
ag_port=${P[2]} co_port=${P[3]} cu_port=${P[4]} ex_port=${P[5]}   # sipp phones
rtp_ag=${P[6]} rtp_co=${P[7]} rtp_cu=${P[8]} rtp_ex=${P[9]}        # their media
bs_agent=${P[10]} bs_cons=${P[11]}                                # baresips
a3_port=${P[12]} cu2_port=${P[13]} rtp_a3=${P[14]} rtp_cu2=${P[15]}  # flow 12's second call
bs_cust=${P[16]}                                                  # flow 14's baresip
url=http://127.0.0.1:$http_port


# rec_hears SID CHANNEL FROM TO EXPECTATIONS...: occd's recording of the
# call; channel 0 what the customer hears, 1 what the agent hears
rec_hears() {
	local sid=$1 ch=$2 rec t0
	shift 2
	rec=$(ls "$data"/recordings/*/"$(sql 'SELECT recording FROM cdr WHERE sessionid = ?' "$sid")" 2>/dev/null)
	[ -f "$rec" ] || { echo "no recording for $sid"; return 1; }
	t0=$(sql 'SELECT answer_ms / 1000.0 FROM cdr WHERE sessionid = ?' "$sid")
	python3 "$mp" hears "$rec:$ch@$t0" --from "$1" --to "$2" "${@:3}"
}

# reinvites_are FLOW WANT: the directions of the customer's re-INVITEs
reinvites_are() {
	expect_eq "re-INVITE directions" "$(awk '{ print $2 }' "$work/$1/cust/reinvites.txt" 2>/dev/null | paste -sd' ')" "$2"
}

# cdr_is SID DISPOSITION LEGS: the call's CDR disposition and its legs
cdr_is() {
	expect_eq disposition "$(sql 'SELECT disposition FROM cdr WHERE sessionid = ?' "$1")" "$2" &&
		legs_are "$1" "$3"
}


# ---- occd -------------------------------------------------------------------

# its configuration file: flows 9 and 10 change it and send SIGHUP
conf=$work/occd.conf
printf '[media]\ntimeout = 60\n' >"$conf"
start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)" --config "$conf"

check "phones 8001 (agent) and 8002 (consultee) register" eval '
	phone_reg reg8001 "$ag_port" 8001 && phone_reg reg8002 "$co_port" 8002'
check "trunks: gw (the customers), ext (the default: external consultees)" eval '
	trunk_add gw "$cu_port" && trunk_add ext "$ex_port" --default'
check "8001 and 8002 check in to group 1" eval '
	api_is 8001 "EVENT=QUEUE&type=1&list=1&deviceexten=8001" "|Retuen|1|" &&
	api_is 8002 "EVENT=QUEUE&type=1&list=1&deviceexten=8002" "|Retuen|1|"'

check "no call: consult answers 21, transfer 29, callReturn 33, conference 35" eval '
	api_is 8001 "EVENT=CONSULT&targetdn=8002&agentgroupid=1&consulttype=internal" "BackMsg_21" &&
	api_is 8001 "EVENT=TRANSFER" "BackMsg_29" &&
	api_is 8001 "EVENT=CALLRETURN" "BackMsg_33" &&
	api_is 8001 "EVENT=CONFERENCE" "BackMsg_35"'

. "$here/lib/flows.sh"

# ---- 1. consult, then conference ----------------------------------------------

f=conf
three_phones $f 5550001 customer.xml 500 phone.xml 1200
sleep 0.5
check "$f: transfer without a consult answers 29" api_is 8001 'EVENT=TRANSFER' 'BackMsg_29'
check "$f: callReturn without a consult answers 33" api_is 8001 'EVENT=CALLRETURN' 'BackMsg_33'
check "$f: conference without a consult answers 35" api_is 8001 'EVENT=CONFERENCE' 'BackMsg_35'
check "$f: hangup target=consult without a consult answers 92" \
	api_is 8001 'EVENT=HANGUP&target=consult' 'BackMsg_92'
sleep 1.5
t_consult=$(now)
m=$(log_mark)
check "$f: consult 8002 (internal) answers 27" \
	api_is 8001 'EVENT=CONSULT&targetdn=8002&agentgroupid=1&consulttype=internal' 'BackMsg_27'
check "$f: 8002's phone rings, 8002 state ring" eval '
	wait_file "$work/$f/cons/invite.txt" 3 && state_is 8002 ring'
check "$f: 8002 answers" wait_log "$m" "consult answered session=$SID" 5
t_cans=$(tfile "$work/$f/cons/answer.txt")
check "$f: 8002 busy while consulted" state_is 8002 busy
sleep 2
t_conf=$(now)
check "$f: conference answers 34" api_is 8001 'EVENT=CONFERENCE' 'BackMsg_34'
check "$f: conference again answers 35" api_is 8001 'EVENT=CONFERENCE' 'BackMsg_35'
check "$f: consult during the conference answers 95" \
	api_is 8001 'EVENT=CONSULT&targetdn=8003&agentgroupid=1&consulttype=internal' 'BackMsg_95'
sleep 2.5
t_ret=$(now)
check "$f: callReturn from the conference answers 32" api_is 8001 'EVENT=CALLRETURN' 'BackMsg_32'
check "$f: 8002's phone gets BYE at once" eval '
	phone_done $f cons 3 && wait_file "$work/$f/cons/bye.txt" 2 &&
	awk -v a="$t_ret" "{ exit !(\$1 - a < 1) }" "$work/$f/cons/bye.txt"'
sleep 2
end_call $f 8001
check "$f: the customer got re-INVITEs a=sendonly (consult), a=sendrecv (conference), then BYE" eval '
	phone_done $f cust 5 && reinvites_are $f "sendonly sendrecv"'
check "$f: the agent's phone got BYE" phone_done $f agent 5
peers_stop agent cust cons

# the phases, as each phone heard them
check "$f: two-party: the agent hears the customer (1130 Hz, full level), not 8002" \
	hears $f agent "$(at "$T_ANS" 0.4)" "$(at "$t_consult" -0.1)" \
	--tone $F_CUST --absent $F_CONS --amp $F_CUST:6000:10000 --pps 45:55
check "$f: two-party: the customer hears the agent (770 Hz, full level)" \
	hears $f cust "$(at "$T_ANS" 0.4)" "$(at "$t_consult" -0.1)" \
	--tone $F_AGENT --absent $F_CONS --amp $F_AGENT:6000:10000 --pps 45:55
check "$f: consult, 8002 ringing: the agent hears ringback (450 Hz), not the customer" \
	hears $f agent "$(at "$t_consult" 0.3)" "$(at "$t_cans" -0.1)" \
	--tone $RINGBACK --absent $F_CUST
check "$f: consult, 8002 ringing: the customer hears the chime, not the agent" \
	hears $f cust "$(at "$t_consult" 0.3)" "$(at "$t_cans" -0.1)" \
	--tone $CHIME --absent $F_AGENT
check "$f: consult: the agent hears 8002 (1470 Hz), not the customer, no ringback" \
	hears $f agent "$(at "$t_cans" 0.3)" "$(at "$t_conf" -0.1)" \
	--tone $F_CONS --absent $F_CUST --absent $RINGBACK --pps 45:55
check "$f: consult: 8002 hears the agent (770 Hz), not the customer" \
	hears $f cons "$(at "$t_cans" 0.3)" "$(at "$t_conf" -0.1)" \
	--tone $F_AGENT --absent $F_CUST --pps 45:55
check "$f: consult: the customer hears the chime, neither the agent nor 8002" \
	hears $f cust "$(at "$t_cans" 0.3)" "$(at "$t_conf" -0.1)" \
	--tone $CHIME --absent $F_AGENT --absent $F_CONS --pps 45:55
check "$f: conference: the agent hears the customer and 8002, each at full level" \
	hears $f agent "$(at "$t_conf" 0.5)" "$(at "$t_ret" -0.1)" \
	--tone $F_CUST+$F_CONS --amp $F_CUST:6000:10000 --amp $F_CONS:6000:10000 --pps 45:55
check "$f: conference: the customer hears the agent and 8002, each at full level, no chime" \
	hears $f cust "$(at "$t_conf" 0.5)" "$(at "$t_ret" -0.1)" \
	--tone $F_AGENT+$F_CONS --amp $F_AGENT:6000:10000 --amp $F_CONS:6000:10000 --absent $CHIME --pps 45:55
check "$f: conference: 8002 hears the agent and the customer, each at full level" \
	hears $f cons "$(at "$t_conf" 0.5)" "$(at "$t_ret" -0.1)" \
	--tone $F_AGENT+$F_CUST --amp $F_AGENT:6000:10000 --amp $F_CUST:6000:10000 --pps 45:55
check "$f: after callReturn: agent and customer hear each other at full level, not 8002" eval '
	hears $f agent "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CUST --amp $F_CUST:6000:10000 --absent $F_CONS --pps 45:55 &&
	hears $f cust "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --tone $F_AGENT --amp $F_AGENT:6000:10000 --absent $F_CONS --pps 45:55'
check "$f: after callReturn: 8002's phone gets no more audio" \
	hears $f cons "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --quiet
check "$f: the customer's consult re-INVITE came with the consult request" eval '
	awk -v a="$t_consult" -v b="$(at "$t_consult" 1)" "{ exit !(\$1 >= a && \$1 <= b) }" \
		"$work/$f/cust/reinvites.txt"'

# occd's recording: left what the customer hears, right what the agent hears
check "$f: recording, two-party: left the agent, right the customer" eval '
	rec_hears $SID 0 "$(at "$T_ANS" 0.4)" "$(at "$t_consult" -0.1)" --tone $F_AGENT &&
	rec_hears $SID 1 "$(at "$T_ANS" 0.4)" "$(at "$t_consult" -0.1)" --tone $F_CUST'
check "$f: recording, 8002 ringing: left the chime, right ringback" eval '
	rec_hears $SID 0 "$(at "$t_consult" 0.3)" "$(at "$t_cans" -0.1)" --tone $CHIME &&
	rec_hears $SID 1 "$(at "$t_consult" 0.3)" "$(at "$t_cans" -0.1)" --tone $RINGBACK'
check "$f: recording, consult: left the chime only, right 8002 only" eval '
	rec_hears $SID 0 "$(at "$t_cans" 0.3)" "$(at "$t_conf" -0.1)" --tone $CHIME --absent $F_AGENT --absent $F_CONS &&
	rec_hears $SID 1 "$(at "$t_cans" 0.3)" "$(at "$t_conf" -0.1)" --tone $F_CONS --absent $F_CUST'
check "$f: recording, conference: left agent + 8002, right customer + 8002" eval '
	rec_hears $SID 0 "$(at "$t_conf" 0.5)" "$(at "$t_ret" -0.1)" --tone $F_AGENT+$F_CONS &&
	rec_hears $SID 1 "$(at "$t_conf" 0.5)" "$(at "$t_ret" -0.1)" --tone $F_CUST+$F_CONS'
check "$f: recording, after callReturn: left the agent, right the customer, each at full level" eval '
	rec_hears $SID 0 "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --tone $F_AGENT --amp $F_AGENT:6000:10000 &&
	rec_hears $SID 1 "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CUST --amp $F_CUST:6000:10000'
check "$f: events: CALLEE onhold, CONSULT ringing/answer, CALLEE resume, CONSULT join, CONSULT hangup" \
	events_are "$SID" "AGENT ringing, AGENT answer, CALLEE ringing, CALLEE answer, CALLEE onhold, CONSULT ringing, CONSULT answer, CALLEE resume, CONSULT join, CONSULT hangup, CALLEE hangup, AGENT hangup, CONVERSATION hangup"
# agent1/agent2 of a stored event name the agents whose channels get it
# (while 8002 is in the call: from its ringing to its hangup; after the
# callReturn the call is no longer its business)
check "$f: the events while 8002 is in the call concern 8002 too (its agent channel gets them)" \
	expect_eq "events without 8002 in agent1/agent2, CONSULT ringing..hangup" "$(sql "
		SELECT group_concat(substr(text, instr(text, 'source='), 28), ' | ') FROM events
		WHERE text LIKE ? AND agent1 <> '8002' AND agent2 <> '8002' AND eventid >= (
			SELECT min(eventid) FROM events WHERE text LIKE ? AND text LIKE '%source=CONSULT&%')
		AND eventid <= (
			SELECT max(eventid) FROM events WHERE text LIKE ? AND text LIKE '%source=CONSULT&event=hangup&%')" \
		"%sessionid=$SID&%" "%sessionid=$SID&%" "%sessionid=$SID&%")" ""
check "$f: CDR ANSWERED, legs agent, customer, consult all answered" cdr_is $SID ANSWERED "agent|ANSWERED customer|ANSWERED consult|ANSWERED"
check "$f: 8001 and 8002 idle afterwards" eval 'state_is 8001 idle && state_is 8002 idle'

# ---- 2. consult, then transfer ------------------------------------------------

f=xfer
three_phones $f 5550002 customer.xml 500 phone.xml 600
sleep 1.5
t_consult=$(now)
consult_8002 $f
t_cans=$(tfile "$work/$f/cons/answer.txt")
sleep 1.5
t_xfer=$(now)
check "$f: transfer answers 31" api_is 8001 'EVENT=TRANSFER' 'BackMsg_31'
check "$f: the agent's phone gets BYE at once" eval '
	phone_done $f agent 3 && wait_file "$work/$f/agent/bye.txt" 2 &&
	awk -v a="$t_xfer" "{ exit !(\$1 - a < 1) }" "$work/$f/agent/bye.txt"'
check "$f: 8001 is idle, the call is no longer its own (transfer 29, callReturn 33, hangup 92)" eval '
	state_is 8001 idle &&
	api_is 8001 "EVENT=TRANSFER" "BackMsg_29" && api_is 8001 "EVENT=CALLRETURN" "BackMsg_33" &&
	api_is 8001 "EVENT=HANGUP&target=all" "BackMsg_92"'
check "$f: 8002 is busy with the customer" state_is 8002 busy
sleep 2.5
end_call $f 8002
check "$f: the customer got re-INVITEs a=sendonly (consult), a=sendrecv (transfer), then BYE" eval '
	phone_done $f cust 5 && reinvites_are $f "sendonly sendrecv"'
check "$f: the customer was resumed at the transfer" eval '
	awk -v a="$t_xfer" "NR == 2 { exit !(\$1 >= a && \$1 - a < 1) }" "$work/$f/cust/reinvites.txt"'
check "$f: 8002's phone got BYE" phone_done $f cons 5
peers_stop agent cust cons
check "$f: consult: the agent hears 8002, 8002 the agent, the customer the chime" eval '
	hears $f agent "$(at "$t_cans" 0.3)" "$(at "$t_xfer" -0.1)" --tone $F_CONS --absent $F_CUST &&
	hears $f cons "$(at "$t_cans" 0.3)" "$(at "$t_xfer" -0.1)" --tone $F_AGENT --absent $F_CUST &&
	hears $f cust "$(at "$t_cans" 0.3)" "$(at "$t_xfer" -0.1)" --tone $CHIME --absent $F_AGENT --absent $F_CONS'
check "$f: transferred: the customer hears 8002 (full level), not the agent, no chime" \
	hears $f cust "$(at "$t_xfer" 0.5)" "$(at "$T_END" -0.1)" \
	--tone $F_CONS --amp $F_CONS:6000:10000 --absent $F_AGENT --absent $CHIME --pps 45:55
check "$f: transferred: 8002 hears the customer (full level), not the agent" \
	hears $f cons "$(at "$t_xfer" 0.5)" "$(at "$T_END" -0.1)" \
	--tone $F_CUST --amp $F_CUST:6000:10000 --absent $F_AGENT --pps 45:55
check "$f: transferred: the agent's phone gets no more audio" \
	hears $f agent "$(at "$t_xfer" 0.5)" "$(at "$T_END" -0.1)" --quiet
check "$f: recording, transferred: left (the customer's ear) 8002" \
	rec_hears $SID 0 "$(at "$t_xfer" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CONS --absent $F_AGENT
check "$f: recording, transferred: the customer's voice is still recorded (right)" \
	rec_hears $SID 1 "$(at "$t_xfer" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CUST
check "$f: events: CONSULT answer, then AGENT hangup, CALLEE resume, CONSULT join" \
	events_are "$SID" "AGENT ringing, AGENT answer, CALLEE ringing, CALLEE answer, CALLEE onhold, CONSULT ringing, CONSULT answer, AGENT hangup, CALLEE resume, CONSULT join, CALLEE hangup, CONSULT hangup, CONVERSATION hangup"
check "$f: CDR ANSWERED, hung up by the API, legs agent, customer, consult all answered" eval '
	expect_eq "disposition|hangup_by" "$(sql "SELECT disposition || \"|\" || hangup_by FROM cdr WHERE sessionid = ?" $SID)" "ANSWERED|api" &&
	legs_are $SID "agent|ANSWERED customer|ANSWERED consult|ANSWERED"'
check "$f: 8001 and 8002 idle afterwards" eval 'state_is 8001 idle && state_is 8002 idle'

# ---- 3. external consult, refusals, consulting twice, callReturn ---------------

f=ext
phone $f agent "$ag_port" phone.xml 200 $F_AGENT 0 "$rtp_ag"
phone $f cust "$cu_port" customer.xml 500 $F_CUST 0 "$rtp_cu"
phone $f ext "$ex_port" phone.xml 800 $F_EXT 8 "$rtp_ex"
sleep 0.3
start_call $f 5550003
check "$f: consultee not checked in (8003, group 1) answers 25" \
	api_is 8001 'EVENT=CONSULT&targetdn=8003&agentgroupid=1&consulttype=internal' 'BackMsg_25'
check "$f: consultee not a member of the group (8004, group 1) answers 25" \
	api_is 8001 'EVENT=CONSULT&targetdn=8004&agentgroupid=1&consulttype=internal' 'BackMsg_25'
check "$f: consulting oneself answers 25" \
	api_is 8001 'EVENT=CONSULT&targetdn=8001&agentgroupid=1&consulttype=internal' 'BackMsg_25'
check "$f: consultee paused answers 56[pause]" eval '
	api_is 8002 "EVENT=QUEUEPAUSE&type=1&pause_reason=rest" "|Retuen|1|" &&
	api_is 8001 "EVENT=CONSULT&targetdn=8002&agentgroupid=1&consulttype=internal" "|Retuen|2|Retuen|BackMsg_56[pause]"'
check "$f: 8002 unpaused" api_is 8002 "EVENT=QUEUEPAUSE&type=2" "|Retuen|1|"
check "$f: consulttype neither internal nor external answers 28" \
	api_is 8001 'EVENT=CONSULT&targetdn=8002&agentgroupid=1&consulttype=sideways' 'BackMsg_28'
check "$f: the refused consults left the customer alone (no re-INVITE)" eval '
	expect_eq "re-INVITEs" "$(wc -l <"$work/$f/cust/reinvites.txt")" 0'
sleep 1
t_consult=$(now)
m=$(log_mark)
check "$f: external consult of 5552000 over the default trunk answers 27" \
	api_is 8001 'EVENT=CONSULT&targetdn=5552000&consulttype=external' 'BackMsg_27'
check "$f: consulting again while it rings answers 95" \
	api_is 8001 'EVENT=CONSULT&targetdn=8002&agentgroupid=1&consulttype=internal' 'BackMsg_95'
check "$f: the far end answers (INVITE sip:5552000@ the ext trunk)" eval '
	wait_log "$m" "consult answered session=$SID" 5 &&
	grep -q "^INVITE sip:5552000@127.0.0.1:$ex_port" "$work/$f/ext/msgs.log"'
t_cans=$(tfile "$work/$f/ext/answer.txt")
check "$f: consulting again while talking to it answers 95" \
	api_is 8001 'EVENT=CONSULT&targetdn=5552001&consulttype=external' 'BackMsg_95'
sleep 2
t_ret=$(now)
check "$f: callReturn answers 32" api_is 8001 'EVENT=CALLRETURN' 'BackMsg_32'
check "$f: the consultee's phone gets BYE at once" eval '
	phone_done $f ext 3 && wait_file "$work/$f/ext/bye.txt" 2 &&
	awk -v a="$t_ret" "{ exit !(\$1 - a < 1) }" "$work/$f/ext/bye.txt"'
check "$f: after callReturn: callReturn 33, conference 35, transfer 29" eval '
	api_is 8001 "EVENT=CALLRETURN" "BackMsg_33" && api_is 8001 "EVENT=CONFERENCE" "BackMsg_35" &&
	api_is 8001 "EVENT=TRANSFER" "BackMsg_29"'
sleep 2.5
end_call $f 8001
check "$f: the customer got re-INVITEs a=sendonly (consult), a=sendrecv (callReturn), then BYE" eval '
	phone_done $f cust 5 && reinvites_are $f "sendonly sendrecv"'
check "$f: the agent's phone got BYE" phone_done $f agent 5
peers_stop agent cust ext
check "$f: two-party: agent and customer hear each other" eval '
	hears $f agent "$(at "$T_ANS" 0.4)" "$(at "$t_consult" -0.1)" --tone $F_CUST &&
	hears $f cust "$(at "$T_ANS" 0.4)" "$(at "$t_consult" -0.1)" --tone $F_AGENT'
check "$f: consult: the agent hears the far end (1870 Hz), not the customer" \
	hears $f agent "$(at "$t_cans" 0.3)" "$(at "$t_ret" -0.1)" --tone $F_EXT --absent $F_CUST
check "$f: consult: the far end hears the agent, not the customer" \
	hears $f ext "$(at "$t_cans" 0.3)" "$(at "$t_ret" -0.1)" --tone $F_AGENT --absent $F_CUST
check "$f: consult: the customer hears the chime, neither the agent nor the far end" \
	hears $f cust "$(at "$t_cans" 0.3)" "$(at "$t_ret" -0.1)" \
	--tone $CHIME --absent $F_AGENT --absent $F_EXT
check "$f: after callReturn: the agent hears the customer (full level), not the far end" \
	hears $f agent "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" \
	--tone $F_CUST --amp $F_CUST:6000:10000 --absent $F_EXT --absent $RINGBACK
check "$f: after callReturn: the customer hears the agent (full level), no chime" \
	hears $f cust "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" \
	--tone $F_AGENT --amp $F_AGENT:6000:10000 --absent $CHIME --absent $F_EXT
check "$f: after callReturn: the far end gets no more audio" \
	hears $f ext "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --quiet
check "$f: recording: consult left chime, right far end; after callReturn left agent, right customer" eval '
	rec_hears $SID 0 "$(at "$t_cans" 0.3)" "$(at "$t_ret" -0.1)" --tone $CHIME --absent $F_AGENT &&
	rec_hears $SID 1 "$(at "$t_cans" 0.3)" "$(at "$t_ret" -0.1)" --tone $F_EXT --absent $F_CUST &&
	rec_hears $SID 0 "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --tone $F_AGENT --absent $CHIME &&
	rec_hears $SID 1 "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CUST --absent $F_EXT'
check "$f: events: CALLEE onhold, CONSULT ringing/answer/hangup, CALLEE resume" \
	events_are "$SID" "AGENT ringing, AGENT answer, CALLEE ringing, CALLEE answer, CALLEE onhold, CONSULT ringing, CONSULT answer, CONSULT hangup, CALLEE resume, CALLEE hangup, AGENT hangup, CONVERSATION hangup"
check "$f: CDR legs agent, customer, consult (peer 5552000) all answered" eval '
	legs_are $SID "agent|ANSWERED customer|ANSWERED consult|ANSWERED" &&
	expect_eq "consult peer" "$(sql "SELECT peer FROM cdr_legs WHERE sessionid = ? AND role = \"consult\"" $SID)" 5552000'
check "$f: 8001 and 8002 idle afterwards" eval 'state_is 8001 idle && state_is 8002 idle'

# ---- 4. the consultee does not answer -------------------------------------------

f=noans
three_phones $f 5550004 customer.xml 500 ring.xml 0
sleep 1.5
t_c1=$(now)
check "$f: consult 8002 answers 27" \
	api_is 8001 'EVENT=CONSULT&targetdn=8002&agentgroupid=1&consulttype=internal' 'BackMsg_27'
check "$f: 8002's phone rings, 8002 state ring" eval '
	wait_file "$work/$f/cons/invite.txt" 3 && state_is 8002 ring'
check "$f: while it rings: transfer 29, conference 35, consult again 95" eval '
	api_is 8001 "EVENT=TRANSFER" "BackMsg_29" && api_is 8001 "EVENT=CONFERENCE" "BackMsg_35" &&
	api_is 8001 "EVENT=CONSULT&targetdn=5552000&consulttype=external" "BackMsg_95"'
sleep 1.5
t_h1=$(now)
check "$f: hangup target=consult with another leg's uniqueid answers 92" \
	api_is 8001 'EVENT=HANGUP&target=consult&uniqueid=1' 'BackMsg_92'
check "$f: hangup target=consult answers 37" api_is 8001 'EVENT=HANGUP&target=consult' 'BackMsg_37'
check "$f: 8002's phone gets CANCEL (200, 487, ACK)" phone_done $f cons 3
check "$f: 8002 idle again, the call goes on (8001 busy)" eval 'state_is 8002 idle && state_is 8001 busy'
phone $f cons2 "$co_port" ring.xml 0
sleep 1.5
t_c2=$(now)
check "$f: consult 8002 again answers 27" \
	api_is 8001 'EVENT=CONSULT&targetdn=8002&agentgroupid=1&consulttype=internal' 'BackMsg_27'
check "$f: 8002's phone rings again" wait_file "$work/$f/cons2/invite.txt" 3
sleep 1.5
t_r2=$(now)
check "$f: callReturn while it rings answers 32" api_is 8001 'EVENT=CALLRETURN' 'BackMsg_32'
check "$f: 8002's phone gets CANCEL" phone_done $f cons2 3
sleep 1.5
end_call $f 8001
check "$f: the customer got re-INVITEs sendonly, sendrecv, sendonly, sendrecv, then BYE" eval '
	phone_done $f cust 5 && reinvites_are $f "sendonly sendrecv sendonly sendrecv"'
check "$f: the agent's phone got BYE" phone_done $f agent 5
peers_stop agent cust
check "$f: ringing: the agent hears ringback, the customer the chime, not each other" eval '
	hears $f agent "$(at "$t_c1" 0.3)" "$(at "$t_h1" -0.1)" --tone $RINGBACK --absent $F_CUST &&
	hears $f cust "$(at "$t_c1" 0.3)" "$(at "$t_h1" -0.1)" --tone $CHIME --absent $F_AGENT'
check "$f: after hangup target=consult: agent and customer hear each other again, no chime, no ringback" eval '
	hears $f agent "$(at "$t_h1" 0.5)" "$(at "$t_c2" -0.1)" --tone $F_CUST --absent $RINGBACK &&
	hears $f cust "$(at "$t_h1" 0.5)" "$(at "$t_c2" -0.1)" --tone $F_AGENT --absent $CHIME'
check "$f: ringing again: the agent hears ringback, the customer the chime" eval '
	hears $f agent "$(at "$t_c2" 0.3)" "$(at "$t_r2" -0.1)" --tone $RINGBACK --absent $F_CUST &&
	hears $f cust "$(at "$t_c2" 0.3)" "$(at "$t_r2" -0.1)" --tone $CHIME --absent $F_AGENT'
check "$f: after callReturn: agent and customer hear each other again" eval '
	hears $f agent "$(at "$t_r2" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CUST --absent $RINGBACK &&
	hears $f cust "$(at "$t_r2" 0.5)" "$(at "$T_END" -0.1)" --tone $F_AGENT --absent $CHIME'
check "$f: events: twice CALLEE onhold, CONSULT ringing, CONSULT hangup, CALLEE resume" \
	events_are "$SID" "AGENT ringing, AGENT answer, CALLEE ringing, CALLEE answer, CALLEE onhold, CONSULT ringing, CONSULT hangup, CALLEE resume, CALLEE onhold, CONSULT ringing, CONSULT hangup, CALLEE resume, CALLEE hangup, AGENT hangup, CONVERSATION hangup"
check "$f: CDR ANSWERED, legs agent and customer answered, two consults NO ANSWER" cdr_is $SID ANSWERED "agent|ANSWERED customer|ANSWERED consult|NO ANSWER consult|NO ANSWER"
check "$f: 8001 and 8002 idle afterwards" eval 'state_is 8001 idle && state_is 8002 idle'

# ---- 4b. the external consultee is busy (486) ----------------------------------

f=extbusy
phone $f agent "$ag_port" phone.xml 200 $F_AGENT 0 "$rtp_ag"
phone $f cust "$cu_port" customer.xml 200 $F_CUST 8 "$rtp_cu"
phone $f ext "$ex_port" ../../sip/scenarios/reject_486.xml 0
sleep 0.3
start_call $f 5550011
sleep 0.5
m=$(log_mark)
t_consult=$(now)
check "$f: external consult answers 27" \
	api_is 8001 'EVENT=CONSULT&targetdn=5552486&consulttype=external' 'BackMsg_27'
check "$f: the far end answers 486 (and gets its ACK), the consult ends" eval '
	phone_done $f ext 3 && wait_log "$m" "consult ended session=$SID" 2'
t_gone=$(now)
check "$f: consulting again works (27), callReturn (32)" eval '
	phone $f ext2 "$ex_port" ../../sip/scenarios/ring_cancel.xml 0 && sleep 0.3 &&
	api_is 8001 "EVENT=CONSULT&targetdn=5552487&consulttype=external" "BackMsg_27" &&
	sleep 0.5 &&
	api_is 8001 "EVENT=CALLRETURN" "BackMsg_32" && phone_done $f ext2 3'
t_ret=$(now)
sleep 1.5
end_call $f 8001
check "$f: the customer got re-INVITEs sendonly, sendrecv, sendonly, sendrecv, then BYE" eval '
	phone_done $f cust 5 && reinvites_are $f "sendonly sendrecv sendonly sendrecv"'
check "$f: the agent's phone got BYE" phone_done $f agent 5
peers_stop agent cust
check "$f: after the 486: agent and customer hear each other, no chime, no ringback" eval '
	hears $f agent "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CUST --absent $RINGBACK &&
	hears $f cust "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --tone $F_AGENT --absent $CHIME'
check "$f: CDR ANSWERED; legs agent, customer answered, consults BUSY and NO ANSWER" cdr_is $SID ANSWERED "agent|ANSWERED customer|ANSWERED consult|BUSY consult|NO ANSWER"

# ---- 5. the consultee hangs up during the consult ------------------------------

f=consbye
HOLD=2500 three_phones $f 5550005 customer.xml 500 phone_bye.xml 300
sleep 1
m=$(log_mark)
check "$f: consult 8002 answers 27" \
	api_is 8001 'EVENT=CONSULT&targetdn=8002&agentgroupid=1&consulttype=internal' 'BackMsg_27'
check "$f: 8002 answers, and hangs up 2.5 s later (occd answers its BYE)" eval '
	wait_log "$m" "consult answered session=$SID" 5 && phone_done $f cons 6'
check "$f: the consult ends, the call goes on" wait_log "$m" "consult ended session=$SID" 2
t_bye=$(tfile "$work/$f/cons/bye.txt")
check "$f: 8002 idle, 8001 busy" eval 'state_is 8002 idle && state_is 8001 busy'
sleep 2
end_call $f 8001
check "$f: the customer got re-INVITEs sendonly, sendrecv, then BYE" eval '
	phone_done $f cust 5 && reinvites_are $f "sendonly sendrecv"'
check "$f: the agent's phone got BYE" phone_done $f agent 5
peers_stop agent cust cons
check "$f: after 8002 hung up: agent and customer hear each other, no chime, not 8002" eval '
	hears $f agent "$(at "$t_bye" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CUST --absent $F_CONS --absent $RINGBACK &&
	hears $f cust "$(at "$t_bye" 0.5)" "$(at "$T_END" -0.1)" --tone $F_AGENT --absent $CHIME'
check "$f: events: CONSULT hangup, then CALLEE resume" \
	events_are "$SID" "AGENT ringing, AGENT answer, CALLEE ringing, CALLEE answer, CALLEE onhold, CONSULT ringing, CONSULT answer, CONSULT hangup, CALLEE resume, CALLEE hangup, AGENT hangup, CONVERSATION hangup"

# ---- 5b. the consultee hangs up during the conference ---------------------------

f=confbye
HOLD=3000 three_phones $f 5550006 customer.xml 300 phone_bye.xml 200
sleep 0.5
consult_8002 $f
sleep 0.5
t_conf=$(now)
check "$f: conference answers 34" api_is 8001 'EVENT=CONFERENCE' 'BackMsg_34'
check "$f: 8002 hangs up during the conference (occd answers its BYE)" phone_done $f cons 6
check "$f: the call goes on" wait_log "$m" "consult ended session=$SID" 2
t_bye=$(tfile "$work/$f/cons/bye.txt")
sleep 2
end_call $f 8001
check "$f: the customer got re-INVITEs sendonly, sendrecv (and none when 8002 left), then BYE" eval '
	phone_done $f cust 5 && reinvites_are $f "sendonly sendrecv"'
check "$f: the agent's phone got BYE" phone_done $f agent 5
peers_stop agent cust cons
check "$f: conference: each hears the two others" eval '
	hears $f agent "$(at "$t_conf" 0.5)" "$(at "$t_bye" -0.1)" --tone $F_CUST+$F_CONS &&
	hears $f cust "$(at "$t_conf" 0.5)" "$(at "$t_bye" -0.1)" --tone $F_AGENT+$F_CONS'
check "$f: after 8002 left: agent and customer hear each other at full level" eval '
	hears $f agent "$(at "$t_bye" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CUST --amp $F_CUST:6000:10000 --absent $F_CONS &&
	hears $f cust "$(at "$t_bye" 0.5)" "$(at "$T_END" -0.1)" --tone $F_AGENT --amp $F_AGENT:6000:10000 --absent $CHIME'

# ---- 5c. the agent's phone hangs up during the consult: a transfer --------------

f=agbye
HOLD=3500 phone $f agent "$ag_port" phone_bye.xml 200 $F_AGENT 0 "$rtp_ag"
phone $f cust "$cu_port" customer.xml 200 $F_CUST 8 "$rtp_cu"
phone $f cons "$co_port" phone.xml 200 $F_CONS 0 "$rtp_co"
sleep 0.3
start_call $f 5550007
consult_8002 $f
check "$f: the agent's phone hangs up: transferred to 8002" eval '
	phone_done $f agent 6 && wait_log "$m" "transferred session=$SID" 2'
t_bye=$(tfile "$work/$f/agent/bye.txt")
check "$f: 8001 idle, 8002 busy" eval 'state_is 8001 idle && state_is 8002 busy'
sleep 2
end_call $f 8002
check "$f: the customer got re-INVITEs sendonly, sendrecv, then BYE" eval '
	phone_done $f cust 5 && reinvites_are $f "sendonly sendrecv"'
check "$f: 8002's phone got BYE" phone_done $f cons 5
peers_stop agent cust cons
check "$f: transferred: the customer and 8002 hear each other, no chime" eval '
	hears $f cust "$(at "$t_bye" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CONS --absent $CHIME --absent $F_AGENT &&
	hears $f cons "$(at "$t_bye" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CUST --absent $F_AGENT'
check "$f: events: AGENT hangup, CALLEE resume, CONSULT join" \
	events_are "$SID" "AGENT ringing, AGENT answer, CALLEE ringing, CALLEE answer, CALLEE onhold, CONSULT ringing, CONSULT answer, AGENT hangup, CALLEE resume, CONSULT join, CALLEE hangup, CONSULT hangup, CONVERSATION hangup"

# ---- 5d. hangup target=agent during the consult --------------------------------

f=apiag
three_phones $f 5550008 customer.xml 200 phone.xml 200
consult_8002 $f
sleep 0.5
t_bye=$(now)
check "$f: hangup target=agent answers 37" api_is 8001 'EVENT=HANGUP&target=agent' 'BackMsg_37'
check "$f: the agent's phone gets BYE" phone_done $f agent 3
check "$f: as when the agent's phone hangs up: transferred to 8002, the customer stays" eval '
	wait_log "$m" "transferred session=$SID" 2 && ! since "$m" | grep "call ended session=$SID"'
sleep 1.5
since "$m" | grep -q "call ended session=$SID" || end_call $f 8002
phone_done $f cust 5 >/dev/null
phone_done $f cons 5 >/dev/null
peers_stop agent cust cons

# ---- 5e. the customer hangs up during the consult ------------------------------

# the agent and 8002 go on talking until the agent hangs up
f=custbye
three_phones $f 5550012 customer_bye.xml 200 phone.xml 200
consult_8002 $f
check "$f: the customer hangs up 3 s after its re-INVITE (occd answers its BYE)" eval '
	phone_done $f cust 6 && wait_log "$m" "customer left the consult session=$SID" 2'
t_bye=$(tfile "$work/$f/cust/bye.txt")
check "$f: the call goes on: 8001 and 8002 busy" eval '
	! since "$m" | grep "call ended session=$SID" && state_is 8001 busy && state_is 8002 busy'
check "$f: without the customer: transfer 29, conference 35, hangup target=caller 92, consult 95" eval '
	api_is 8001 "EVENT=TRANSFER" "BackMsg_29" && api_is 8001 "EVENT=CONFERENCE" "BackMsg_35" &&
	api_is 8001 "EVENT=HANGUP&target=caller" "BackMsg_92" &&
	api_is 8001 "EVENT=CONSULT&targetdn=5552000&consulttype=external" "BackMsg_95"'
sleep 1.5
end_call $f 8001
check "$f: the phones of the agent and 8002 get BYE" eval 'phone_done $f agent 5 && phone_done $f cons 5'
peers_stop agent cust cons
check "$f: after the customer left: the agent and 8002 still hear each other, no ringback" eval '
	hears $f agent "$(at "$t_bye" 0.3)" "$(at "$T_END" -0.1)" --tone $F_CONS --absent $F_CUST --absent $RINGBACK &&
	hears $f cons "$(at "$t_bye" 0.3)" "$(at "$T_END" -0.1)" --tone $F_AGENT --absent $F_CUST'
check "$f: the recording goes on: the agent hears 8002 (right), the customer nothing (left)" eval '
	rec_hears $SID 1 "$(at "$t_bye" 0.3)" "$(at "$T_END" -0.1)" --tone $F_CONS --absent $F_CUST &&
	rec_hears $SID 0 "$(at "$t_bye" 0.3)" "$(at "$T_END" -0.1)" --quiet'
check "$f: events: CALLEE hangup during the consult, no CALLEE resume" \
	events_are "$SID" "AGENT ringing, AGENT answer, CALLEE ringing, CALLEE answer, CALLEE onhold, CONSULT ringing, CONSULT answer, CALLEE hangup, CONSULT hangup, AGENT hangup, CONVERSATION hangup"
check "$f: CDR ANSWERED, every leg answered" cdr_is $SID ANSWERED "agent|ANSWERED customer|ANSWERED consult|ANSWERED"
check "$f: 8001 and 8002 idle afterwards" eval 'state_is 8001 idle && state_is 8002 idle'

# ---- 5f. hangup target=caller during a conference, then callReturn -------------

# the agent and 8002 stay; callReturn has no customer to return to: the end
f=confcaller
three_phones $f 5550013 customer.xml 200 phone.xml 200
consult_8002 $f
check "$f: conference answers 34" api_is 8001 'EVENT=CONFERENCE' 'BackMsg_34'
sleep 1.5
t_bye=$(now)
check "$f: hangup target=caller answers 37, the customer's phone gets BYE" eval '
	api_is 8001 "EVENT=HANGUP&target=caller" "BackMsg_37" && phone_done $f cust 3 &&
	wait_log "$m" "customer left the consult session=$SID" 2'
sleep 1.5
t_ret=$(now)
check "$f: callReturn answers 32 and ends the call: both phones get BYE" eval '
	api_is 8001 "EVENT=CALLRETURN" "BackMsg_32" && wait_log "$m" "call ended session=$SID" 3 &&
	phone_done $f cons 5 && phone_done $f agent 5'
peers_stop agent cust cons
check "$f: conference: the agent hears customer and 8002 mixed" \
	hears $f agent "$(at "$t_bye" -1.2)" "$(at "$t_bye" -0.1)" --tone $F_CUST+$F_CONS
check "$f: after the customer left: agent and 8002 hear each other alone, one 50/s stream each" eval '
	hears $f agent "$(at "$t_bye" 0.3)" "$(at "$t_ret" -0.1)" --tone $F_CONS --absent $F_CUST --pps 45:55 &&
	hears $f cons "$(at "$t_bye" 0.3)" "$(at "$t_ret" -0.1)" --tone $F_AGENT --absent $F_CUST --pps 45:55'
check "$f: events: CONSULT join, CALLEE hangup, then the end" \
	events_are "$SID" "AGENT ringing, AGENT answer, CALLEE ringing, CALLEE answer, CALLEE onhold, CONSULT ringing, CONSULT answer, CALLEE resume, CONSULT join, CALLEE hangup, CONSULT hangup, AGENT hangup, CONVERSATION hangup"
check "$f: 8001 and 8002 idle afterwards" eval 'state_is 8001 idle && state_is 8002 idle'

# ---- 6. baresip phones: consult, conference, transfer from the conference --------
#
# The agent 8005 and the consultee 8006 (group 2) are baresips registered
# with digest and answering by themselves, 8006 speaking PCMA through the
# mixer. Their recordings have no wall clock, so what each heard is
# checked in order. The customer is sipp with a peer as above: baresip
# 1.0's aubridge player stops for good when a re-INVITE restarts it, so a
# baresip customer records nothing after the consult's sendonly.

f=baresip
for fr in $F_AGENT $F_CONS; do
	python3 "$audio" wav "$work/tone$fr.wav" --freq "$fr" --secs 60
done
m=$(log_mark)
baresip_start bs-agent "$work/tone$F_AGENT.wav" \
	"<sip:8005@demo>;auth_user=8005;auth_pass=8005;outbound=\"sip:127.0.0.1:$sip_port\";answermode=auto;regint=300;audio_codecs=PCMU" \
	41000-41999 "$bs_agent"
next_second
baresip_start bs-cons "$work/tone$F_CONS.wav" \
	"<sip:8006@demo>;auth_user=8006;auth_pass=8006;outbound=\"sip:127.0.0.1:$sip_port\";answermode=auto;regint=300;audio_codecs=PCMA" \
	42000-42999 "$bs_cons"
check "$f: baresips 8005 and 8006 register" eval '
	wait_log "$m" "registered team=demo exten=8005 " 10 &&
	wait_log "$m" "registered team=demo exten=8006 " 10'
check "$f: 8005 and 8006 check in to group 2" eval '
	api_is 8005 "EVENT=QUEUE&type=1&list=2&deviceexten=8005" "|Retuen|1|" &&
	api_is 8006 "EVENT=QUEUE&type=1&list=2&deviceexten=8006" "|Retuen|1|"'
phone $f cust "$cu_port" customer.xml 300 $F_CUST 8 "$rtp_cu"
sleep 0.3
m=$(log_mark)
check "$f: 8005 calls the customer" \
	api_is 8005 'EVENT=MAKECALL&targetdn=5553000&targettype=exter&trunkidentity=gw' 'BackMsg_19'
SID=$(session_of "$m" 8005)
check "$f: agent and customer answer" wait_log "$m" "call answered session=$SID" 10
T_ANS=$(tfile "$work/$f/cust/answer.txt")
sleep 2.5
t_consult=$(now)
check "$f: consult 8006 answers 27" \
	api_is 8005 'EVENT=CONSULT&targetdn=8006&agentgroupid=2&consulttype=internal' 'BackMsg_27'
check "$f: 8006 answers" wait_log "$m" "consult answered session=$SID" 5
t_cans=$(now)
sleep 2.5
t_conf=$(now)
check "$f: conference answers 34" api_is 8005 'EVENT=CONFERENCE' 'BackMsg_34'
sleep 2.5
t_xfer=$(now)
check "$f: transfer from the conference answers 31" api_is 8005 'EVENT=TRANSFER' 'BackMsg_31'
check "$f: 8005 idle, 8006 busy" eval 'state_is 8005 idle && state_is 8006 busy'
sleep 2.5
end_call $f 8006
check "$f: the customer got re-INVITEs sendonly, sendrecv, then BYE" eval '
	phone_done $f cust 5 && reinvites_are $f "sendonly sendrecv"'
peers_stop cust
sleep 0.5      # the phones finish their recordings when their calls close
FREQS=$RINGBACK,523.25,659.25,$F_AGENT,$F_CUST,$F_CONS
check "$f: the agent's phone heard the customer, 8006, then both" \
	python3 "$mp" sequence "$(ls -t "$work"/bs-agent/rec/*-dec.wav | head -1)" --freqs "$FREQS" \
	--want "$F_CUST;$F_CONS;$F_CUST+$F_CONS"
check "$f: the customer heard the agent, the chime, agent and 8006 at full level, then 8006" eval '
	hears $f cust "$(at "$T_ANS" 0.4)" "$(at "$t_consult" -0.1)" --tone $F_AGENT &&
	hears $f cust "$(at "$t_cans" 0.3)" "$(at "$t_conf" -0.1)" --tone $CHIME --absent $F_AGENT --absent $F_CONS &&
	hears $f cust "$(at "$t_conf" 0.5)" "$(at "$t_xfer" -0.1)" --tone $F_AGENT+$F_CONS \
		--amp $F_AGENT:6000:10000 --amp $F_CONS:6000:10000 &&
	hears $f cust "$(at "$t_xfer" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CONS --absent $F_AGENT'
check "$f: 8006's phone heard the agent, agent and customer, then the customer" \
	python3 "$mp" sequence "$(ls -t "$work"/bs-cons/rec/*-dec.wav | head -1)" --freqs "$FREQS" \
	--want "$F_AGENT;$F_AGENT+$F_CUST;$F_CUST"
check "$f: recording, two-party: left the agent, right the customer" eval '
	rec_hears $SID 0 "$(at "$T_ANS" 0.4)" "$(at "$t_consult" -0.1)" --tone $F_AGENT &&
	rec_hears $SID 1 "$(at "$T_ANS" 0.4)" "$(at "$t_consult" -0.1)" --tone $F_CUST'
check "$f: recording, consult: left the chime, right 8006" eval '
	rec_hears $SID 0 "$(at "$t_cans" 0.3)" "$(at "$t_conf" -0.1)" --tone $CHIME --absent $F_AGENT &&
	rec_hears $SID 1 "$(at "$t_cans" 0.3)" "$(at "$t_conf" -0.1)" --tone $F_CONS --absent $F_CUST'
check "$f: recording, conference: left agent + 8006, right customer + 8006" eval '
	rec_hears $SID 0 "$(at "$t_conf" 0.5)" "$(at "$t_xfer" -0.1)" --tone $F_AGENT+$F_CONS &&
	rec_hears $SID 1 "$(at "$t_conf" 0.5)" "$(at "$t_xfer" -0.1)" --tone $F_CUST+$F_CONS'
check "$f: recording, transferred: left 8006" \
	rec_hears $SID 0 "$(at "$t_xfer" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CONS --absent $F_AGENT
check "$f: events: CONSULT join at the conference and again at the transfer" \
	events_are "$SID" "AGENT ringing, AGENT answer, CALLEE ringing, CALLEE answer, CALLEE onhold, CONSULT ringing, CONSULT answer, CALLEE resume, CONSULT join, AGENT hangup, CONSULT join, CALLEE hangup, CONSULT hangup, CONVERSATION hangup"
check "$f: CDR legs agent, customer, consult all answered" \
	legs_are $SID "agent|ANSWERED customer|ANSWERED consult|ANSWERED"

# ---- 7. hold and consult ------------------------------------------------------

# the agent holds the customer (music), then consults: the customer stays
# held (no second re-INVITE), callReturn resumes it
f=heldcons
three_phones $f 5550009 customer.xml 200 phone.xml 200
sleep 0.5
check "$f: hold (music) answers 1" api_is 8001 'EVENT=Hold&silence=0' '|Retuen|1|'
sleep 0.3
m=$(log_mark)
t_consult=$(now)
check "$f: consult 8002 while holding answers 27" \
	api_is 8001 'EVENT=CONSULT&targetdn=8002&agentgroupid=1&consulttype=internal' 'BackMsg_27'
check "$f: 8002 answers" wait_log "$m" "consult answered session=$SID" 5
t_cans=$(tfile "$work/$f/cons/answer.txt")
sleep 1.5
t_ret=$(now)
check "$f: callReturn answers 32" api_is 8001 'EVENT=CALLRETURN' 'BackMsg_32'
check "$f: 8002's phone gets BYE" phone_done $f cons 3
sleep 1.5
end_call $f 8001
check "$f: the customer got re-INVITEs sendonly (hold), sendrecv (callReturn), then BYE" eval '
	phone_done $f cust 5 && reinvites_are $f "sendonly sendrecv"'
check "$f: the agent's phone got BYE" phone_done $f agent 5
peers_stop agent cust cons
check "$f: consult: the customer hears the chime, agent and 8002 each other" eval '
	hears $f cust "$(at "$t_cans" 0.3)" "$(at "$t_ret" -0.1)" --tone $CHIME --absent $F_AGENT --absent $F_CONS &&
	hears $f agent "$(at "$t_cans" 0.3)" "$(at "$t_ret" -0.1)" --tone $F_CONS --absent $F_CUST &&
	hears $f cons "$(at "$t_cans" 0.3)" "$(at "$t_ret" -0.1)" --tone $F_AGENT --absent $F_CUST'
check "$f: after callReturn: agent and customer hear each other, no chime" eval '
	hears $f agent "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CUST &&
	hears $f cust "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --tone $F_AGENT --absent $CHIME'
check "$f: events: CALLEE onhold once, CONSULT ringing/answer/hangup, CALLEE resume" \
	events_are "$SID" "AGENT ringing, AGENT answer, CALLEE ringing, CALLEE answer, CALLEE onhold, CONSULT ringing, CONSULT answer, CONSULT hangup, CALLEE resume, CALLEE hangup, AGENT hangup, CONVERSATION hangup"

# hold and resume while consulting: refused, the customer keeps hearing the
# one chime it heard, and callReturn brings the agent back. (What the
# customer heard is checked before the call ends: should occd die at the
# end, the audio's evidence is in already.)
f=conshold
three_phones $f 5550010 customer.xml 200 phone.xml 200
consult_8002 $f
t_cans=$(tfile "$work/$f/cons/answer.txt")
sleep 1.5
t_hold=$(now)
check "$f: hold while consulting is refused" api_is 8001 'EVENT=Hold&silence=0' '|Retuen|2|'
sleep 1.5
t_res=$(now)
check "$f: resume while consulting is refused" api_is 8001 'EVENT=Resume' '|Retuen|2|'
sleep 1.5
t_ret=$(now)
check "$f: callReturn answers 32" api_is 8001 'EVENT=CALLRETURN' 'BackMsg_32'
check "$f: 8002's phone gets BYE" phone_done $f cons 3
sleep 2
t_chk=$(now)
check "$f: the customer got re-INVITEs sendonly (consult), sendrecv (callReturn) and no others" \
	reinvites_are $f "sendonly sendrecv"
check "$f: consult, after the hold request: the customer hears one chime (one 50/s stream)" eval '
	hears $f cust "$(at "$t_cans" 0.3)" "$(at "$t_hold" -0.1)" --tone $CHIME --pps 45:55 &&
	hears $f cust "$(at "$t_hold" 0.3)" "$(at "$t_res" -0.1)" --tone $CHIME --pps 45:55 &&
	hears $f cust "$(at "$t_res" 0.3)" "$(at "$t_ret" -0.1)" --tone $CHIME --pps 45:55'
check "$f: after callReturn: agent and customer hear each other, no chime, one stream each" eval '
	hears $f agent "$(at "$t_ret" 0.5)" "$t_chk" --tone $F_CUST --pps 45:55 &&
	hears $f cust "$(at "$t_ret" 0.5)" "$t_chk" --tone $F_AGENT --absent $CHIME --pps 45:55'
end_call $f 8001
check "$f: the phones got BYE" eval 'phone_done $f cust 5 && phone_done $f agent 5'
peers_stop agent cust cons

# ---- 9. the consultee's ring timeout, set by SIGHUP ------------------------------

# reload FILE-CONTENT WANT: write occd's configuration, SIGHUP, and wait for
# the log line WANT
reload() {
	local m
	m=$(log_mark)
	printf '%s\n' "$1" >"$conf"
	kill -HUP "$occd_pid" && wait_log "$m" "$2" 5
}

f=ringto
check "$f: SIGHUP applies [call] consult_ring_timeout = 5" \
	reload $'[media]\ntimeout = 60\n[call]\nconsult_ring_timeout = 5' \
	'config \[call\] consult_ring_timeout changed'
check "$f: a restart-only key is only logged ([events] webhook_timeout: applies after a restart)" \
	reload $'[events]\nwebhook_timeout = 20\n[call]\nconsult_ring_timeout = 5' \
	'config \[events\] webhook_timeout changed: applies after a restart'
check "$f: a file that does not parse changes nothing (logged)" \
	reload $'[call]\nconsult_ring_timeout = 1' 'config not reloaded, keeping the current one: .*consult_ring_timeout'
three_phones $f 5550014 customer.xml 200 ring.xml 0
sleep 0.5
m=$(log_mark)
t_consult=$(now)
check "$f: consult 8002 answers 27; its phone rings" eval '
	api_is 8001 "EVENT=CONSULT&targetdn=8002&agentgroupid=1&consulttype=internal" "BackMsg_27" &&
	wait_file "$work/$f/cons/invite.txt" 3'
check "$f: nobody answers: 8002's phone gets CANCEL after 5 s" eval '
	phone_done $f cons 9 && wait_log "$m" "consult ended session=$SID" 2'
t_gone=$(now)
check "$f: ... 5 s after the consult started (4.5 to 7 s)" eval '
	awk -v a="$t_consult" -v b="$(tfile "$work/$f/cons/cancel.txt")" "BEGIN { d = b - a; print \"waited \" d \" s\"; exit !(d >= 4.5 && d <= 7) }"'
check "$f: 8002 idle, the call goes on" eval 'state_is 8002 idle && state_is 8001 busy'
sleep 1.5
end_call $f 8001
check "$f: the customer got re-INVITEs sendonly, sendrecv, then BYE" eval '
	phone_done $f cust 5 && reinvites_are $f "sendonly sendrecv"'
check "$f: the agent's phone got BYE" phone_done $f agent 5
peers_stop agent cust
check "$f: after the timeout: agent and customer hear each other, no chime, no ringback" eval '
	hears $f agent "$(at "$t_gone" 0.3)" "$(at "$T_END" -0.1)" --tone $F_CUST --absent $RINGBACK &&
	hears $f cust "$(at "$t_gone" 0.3)" "$(at "$T_END" -0.1)" --tone $F_AGENT --absent $CHIME'
check "$f: events: CONSULT ringing, CONSULT hangup, CALLEE resume; leg consult NO ANSWER" eval '
	events_are "$SID" "AGENT ringing, AGENT answer, CALLEE ringing, CALLEE answer, CALLEE onhold, CONSULT ringing, CONSULT hangup, CALLEE resume, CALLEE hangup, AGENT hangup, CONVERSATION hangup" &&
	legs_are $SID "agent|ANSWERED customer|ANSWERED consult|NO ANSWER"'

# ---- 10. music on hold from [media] moh_file, set by SIGHUP ----------------------

f=moh
F_MOH=2330
python3 "$audio" wav "$work/moh.wav" --freq $F_MOH --secs 2
check "$f: SIGHUP applies [media] moh_file" \
	reload "$(printf '[media]\nmoh_file = %s' "$work/moh.wav")" 'config \[media\] moh_file changed'
three_phones $f 5550015 customer.xml 200 phone.xml 200
sleep 0.5
t_hold=$(now)
check "$f: hold with music answers 1" api_is 8001 'EVENT=Hold&silence=0' '|Retuen|1|'
sleep 2.5
t_res=$(now)
check "$f: resume answers 1" api_is 8001 'EVENT=Resume' '|Retuen|1|'
sleep 1
m=$(log_mark)
t_consult=$(now)
check "$f: consult 8002 answers 27, 8002 answers" eval '
	api_is 8001 "EVENT=CONSULT&targetdn=8002&agentgroupid=1&consulttype=internal" "BackMsg_27" &&
	wait_log "$m" "consult answered session=$SID" 5'
sleep 2
t_ret=$(now)
check "$f: callReturn answers 32" api_is 8001 'EVENT=CALLRETURN' 'BackMsg_32'
sleep 1
end_call $f 8001
check "$f: the phones got BYE" eval 'phone_done $f cust 5 && phone_done $f agent 5 && phone_done $f cons 5'
peers_stop agent cust cons
check "$f: on hold the customer hears the music file (2330 Hz, across its 2 s loop), not the chime" \
	hears $f cust "$(at "$t_hold" 0.3)" "$(at "$t_res" -0.1)" --tone $F_MOH --absent $CHIME --absent $F_AGENT
check "$f: during the consult too, and agent and 8002 hear each other" eval '
	hears $f cust "$(at "$t_consult" 0.5)" "$(at "$t_ret" -0.1)" --tone $F_MOH --absent $CHIME --absent $F_AGENT --absent $F_CONS &&
	hears $f agent "$(at "$t_consult" 0.8)" "$(at "$t_ret" -0.1)" --tone $F_CONS'
check "$f: the recording keeps the music on the customer's side" \
	rec_hears $SID 0 "$(at "$t_hold" 0.3)" "$(at "$t_res" -0.1)" --tone $F_MOH --absent $CHIME
check "$f: resumed and returned: no music" eval '
	hears $f cust "$(at "$t_res" 0.3)" "$(at "$t_consult" -0.1)" --tone $F_AGENT --absent $F_MOH &&
	hears $f cust "$(at "$t_ret" 0.3)" "$(at "$T_END" -0.1)" --tone $F_AGENT --absent $F_MOH'

# ---- 11. overload: makeCall refused while the loop lags ---------------------------

# occd stopped for 0.4 s with a call up (SIGSTOP): its media clock fires
# 400 ms late, over [call] overload_lag_ms (200): a new call is refused
# with BackMsg_20[busy] for a second or two, the call up goes on
f=lag
phone $f agent "$ag_port" phone.xml 200 $F_AGENT 0 "$rtp_ag"
phone $f cust "$cu_port" customer.xml 200 $F_CUST 8 "$rtp_cu"
sleep 0.3
start_call $f 5550016
sleep 0.5
m=$(log_mark)
check "$f: before: makeCall by 8002 over a missing trunk answers 20[trunk] (not busy)" \
	api_is 8002 'EVENT=MAKECALL&targetdn=5550017&targettype=exter&trunkidentity=nosuch' 'BackMsg_20[trunk]'
kill -STOP "$occd_pid"; sleep 0.4; kill -CONT "$occd_pid"
sleep 0.2
check "$f: after a 0.4 s stall: makeCall by 8002 answers 20[busy], logged" eval '
	api_is 8002 "EVENT=MAKECALL&targetdn=5550017&targettype=exter&trunkidentity=nosuch" "BackMsg_20[busy]" &&
	wait_log "$m" "makeCall refused team=demo agent=8002: occd is overloaded lag_ms=[0-9]+" 2 &&
	wait_log "$m" "media clock late lag_ms=[0-9]+" 2'
sleep 2.5
check "$f: 2.5 s later new calls are taken again (20[trunk], not busy)" \
	api_is 8002 'EVENT=MAKECALL&targetdn=5550017&targettype=exter&trunkidentity=nosuch' 'BackMsg_20[trunk]'
t_chk=$(now)
end_call $f 8001
check "$f: the call up went on: the phones got BYE from the hangup" eval '
	phone_done $f cust 5 && phone_done $f agent 5'
peers_stop agent cust
check "$f: ... and agent and customer heard each other after the stall" eval '
	hears $f agent "$(at "$t_chk" -2.0)" "$(at "$t_chk" -0.1)" --tone $F_CUST &&
	hears $f cust "$(at "$t_chk" -2.0)" "$(at "$t_chk" -0.1)" --tone $F_AGENT'

# ---- 12. a long hold and a long consult, with phones that stop sending --------

# Two calls at once, each longer than [media] timeout (8 s here, so that
# the suite need not wait out the default 60 s; a silent stream is dropped
# 8 to 13 s after its last packet) in the state that silences the
# customer: 8003 holds its customer (silence=1) for 18 s; 8001 consults
# 8002 for 18 s while its customer waits. Both
# customers' phones do what RFC 3264 asks of a phone told a=sendonly:
# answer recvonly and send nothing. Every party must still be there at
# the end, and hear the other after Resume / callReturn. During the hold
# occd's SDP says it sends to the agent and to the customer: both get RTP
# at the ptime (silence), not a dead stream.
# OCC_LONG_SECS=3600 makes it the one-hour hold and consult.
f=long
LONG=${OCC_LONG_SECS:-18}
check "$f: SIGHUP applies [media] timeout = 8 (the music file kept)" \
	reload "$(printf '[media]\nmoh_file = %s\ntimeout = 8' "$work/moh.wav")" 'config \[media\] timeout changed'
# (registrations last 300 s and a loaded machine can take that long to get
# here: 8001 and 8002 register again)
check "$f: 8001, 8002 and 8003 register, 8003 checks in; trunk gw2 to the second customer" eval '
	phone_reg rereg8001 "$ag_port" 8001 && phone_reg rereg8002 "$co_port" 8002 &&
	phone_reg reg8003 "$a3_port" 8003 && trunk_add gw2 "$cu2_port" &&
	api_is 8003 "EVENT=QUEUE&type=1&list=1&deviceexten=8003" "|Retuen|1|"'
SECS=$((LONG + 40)) phone $f agent "$ag_port" phone.xml 200 $F_AGENT 0 "$rtp_ag"
SECS=$((LONG + 40)) HONOUR=1 phone $f cust "$cu_port" customer.xml 200 $F_CUST 8 "$rtp_cu"
SECS=$((LONG + 40)) phone $f cons "$co_port" phone.xml 200 $F_CONS 0 "$rtp_co"
SECS=$((LONG + 40)) phone $f hagent "$a3_port" phone.xml 200 $F_AGENT 0 "$rtp_a3"
SECS=$((LONG + 40)) HONOUR=1 phone $f hcust "$cu2_port" customer.xml 200 $F_CUST 0 "$rtp_cu2"
sleep 0.3
start_call $f 5550030
call_as $f 8003 5550031 gw2
SID2=$CALL_SID
sleep 1.5
m=$(log_mark)
t_consult=$(now)
check "$f: 8001 consults 8002 (27); 8003 holds, silence=1 (1)" eval '
	api_is 8001 "EVENT=CONSULT&targetdn=8002&agentgroupid=1&consulttype=internal" "BackMsg_27" &&
	api_is 8003 "EVENT=Hold&silence=1" "|Retuen|1|" &&
	wait_log "$m" "consult answered session=$SID" 5'
t_hold=$(now)
t_cans=$(tfile "$work/$f/cons/answer.txt")
sleep "$LONG"
t_ret=$(now)
check "$f: $LONG s later callReturn answers 32, Resume answers 1 (nobody was dropped)" eval '
	api_is 8001 "EVENT=CALLRETURN" "BackMsg_32" && api_is 8003 "EVENT=Resume" "|Retuen|1|"'
check "$f: 8002's phone gets BYE from the callReturn" phone_done $f cons 3
sleep 2.5
T_END=$(now)
check "$f: no media timeout, and the customers' phones had no BYE until now" eval '
	! since "$m" | grep "media timeout" &&
	[ ! -e "$work/$f/cust/bye" ] && [ ! -e "$work/$f/hcust/bye" ]'
end_call $f 8001
m=$(log_mark)
check "$f: hangup of 8003's call" eval '
	api_is 8003 "EVENT=HANGUP&target=all" "|Retuen|1|" && wait_log "$m" "call ended session=$SID2" 5'
check "$f: the phones got BYE" eval '
	phone_done $f cust 5 && phone_done $f agent 5 && phone_done $f hcust 5 && phone_done $f hagent 5'
peers_stop agent cust cons hagent hcust
check "$f: each customer got re-INVITEs sendonly, sendrecv, and its phone stopped sending while held" eval '
	reinvites_are $f "sendonly sendrecv" &&
	expect_eq "second customer re-INVITEs" "$(awk "{ print \$2 }" "$work/$f/hcust/reinvites.txt" | paste -sd" ")" "sendonly sendrecv" &&
	grep -q " held" "$work/$f/cust/peer.out" && grep -q " held" "$work/$f/hcust/peer.out"'
check "$f: consult: after $LONG s the agent and 8002 still hear each other, the customer the music" eval '
	hears $f agent "$(at "$t_ret" -3)" "$(at "$t_ret" -0.1)" --tone $F_CONS --absent $F_CUST &&
	hears $f cons "$(at "$t_ret" -3)" "$(at "$t_ret" -0.1)" --tone $F_AGENT &&
	hears $f cust "$(at "$t_ret" -3)" "$(at "$t_ret" -0.1)" --tone $F_MOH --absent $F_AGENT'
check "$f: after callReturn: agent and customer hear each other" eval '
	hears $f agent "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CUST --absent $F_CONS &&
	hears $f cust "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --tone $F_AGENT --absent $F_MOH'
check "$f: after Resume: 8003 and its customer hear each other" eval '
	hears $f hagent "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CUST &&
	hears $f hcust "$(at "$t_ret" 0.5)" "$(at "$T_END" -0.1)" --tone $F_AGENT'
check "$f: on hold, the agent's phone gets RTP at its ptime all along (50 a second, silence)" \
	hears $f hagent "$(at "$t_hold" 0.5)" "$(at "$t_ret" -0.1)" --pps 45:55 --max-gap 0.5 --quiet
check "$f: on hold with silence=1, the customer's phone too (its SDP says occd sends)" \
	hears $f hcust "$(at "$t_hold" 0.5)" "$(at "$t_ret" -0.1)" --pps 45:55 --max-gap 0.5 --quiet
check "$f: CDRs ANSWERED with every leg answered" eval '
	cdr_is $SID ANSWERED "agent|ANSWERED customer|ANSWERED consult|ANSWERED" &&
	cdr_is $SID2 ANSWERED "agent|ANSWERED customer|ANSWERED"'

# ---- 13. RTP from a stranger; 14. a real phone on hold, at the same time ----

# 13: a stranger sprays RTP (a 2630 Hz tone, in PCMU and in PCMA) at both
# legs' ports from another
# address (127.0.0.2) and from another port of the phones' own address:
# nobody hears it, the recording does not keep it, and when the customer's
# phone falls silent the stranger's packets do not keep the call alive past
# [media] timeout (6 s here; checked every 5 s).
# 14: baresip 1.0 stops sending when it is re-INVITEd a=sendonly (its stream
# sends only while the negotiated direction lets it). 8003's baresip
# customer is held 14 s with [media] timeout = 6, while flow 13 runs (the
# two share the wait for the timeout): the customer stays; after Resume
# 8003 hears it again.
f=spray
F_SPRAY=2630
check "$f: SIGHUP applies [media] timeout = 6" \
	reload $'[media]\ntimeout = 6' 'config \[media\] timeout changed'

f=bshold
python3 "$audio" wav "$work/tone$F_CUST.wav" --freq $F_CUST --secs 60
baresip_start bs-cust "$work/tone$F_CUST.wav" \
	"<sip:5559000@127.0.0.1:$bs_cust>;regint=0;answermode=auto" 43000-43999 "$bs_cust"
check "$f: trunk bgw to a baresip customer" trunk_add bgw "$bs_cust"
phone $f hagent "$a3_port" phone.xml 200 $F_AGENT 0 "$rtp_a3"
sleep 0.3
call_as $f 8003 5559000 bgw
SID14=$CALL_SID
sleep 1.5
check "$f: 8003 holds its baresip customer, silence=1" api_is 8003 'EVENT=Hold&silence=1' '|Retuen|1|'
t_hold14=$(now)

f=spray
check "$f: 8001 registers again" phone_reg rereg8001b "$ag_port" 8001
phone $f agent "$ag_port" phone.xml 200 $F_AGENT 0 "$rtp_ag"
phone $f cust "$cu_port" customer.xml 200 $F_CUST 8 "$rtp_cu"
sleep 0.3
start_call $f 5550032
sleep 1
python3 "$mp" spray --to-file "$work/$f/agent/remote.txt" --to-file "$work/$f/cust/remote.txt" \
	--bind 127.0.0.2:0 --bind 127.0.0.1:0 --send $F_SPRAY --secs 40 >"$work/$f/spray.out" 2>&1 &
SPRAY_PID=$!
pids+=("$SPRAY_PID")
t_spray=$(now)
sleep 3
m=$(log_mark)
t_dead=$(now)
touch "$work/$f/cust/bye"            # the customer's phone falls silent
check "$f: the customer's phone silent, the stranger spraying: the call ends by the media timeout" eval '
	wait_log "$m" "call ended session=$SID .*by=timeout" 20'
t_end=$(now)
kill -TERM "$SPRAY_PID" 2>/dev/null
wait_exit "$SPRAY_PID" 3
check "$f: ... within [media] timeout and a check (at most 13 s)" eval '
	awk -v a="$t_dead" -v b="$t_end" "BEGIN { d = b - a; print \"ended \" d \" s after the phone fell silent\"; exit !(d <= 13) }"'
check "$f: the customer's phone got BYE" phone_done $f cust 5
check "$f: the agent's phone got BYE" phone_done $f agent 5
peers_stop agent cust
check "$f: the stranger sprayed (from both sources) and occd logged the drops" eval '
	grep -E "sprayed [0-9]{3,} packets" "$work/$f/spray.out" &&
	grep -q "rtp from elsewhere dropped session=$SID" "$log"'
# (relayed, the stranger's packets would interleave with the party's: more
# than 50 a second)
check "$f: the agent heard the customer alone, not the stranger (one 50/s stream)" \
	hears $f agent "$(at "$t_spray" 0.3)" "$(at "$t_dead" -0.1)" --tone $F_CUST --absent $F_SPRAY \
	--pps 40:60
check "$f: the customer heard the agent alone, not the stranger (one 50/s stream)" \
	hears $f cust "$(at "$t_spray" 0.3)" "$(at "$t_dead" -0.1)" --tone $F_AGENT --absent $F_SPRAY \
	--pps 40:60
check "$f: the recording has neither side with the stranger" eval '
	rec_hears $SID 0 "$(at "$t_spray" 0.3)" "$(at "$t_dead" -0.1)" --tone $F_AGENT --absent $F_SPRAY &&
	rec_hears $SID 1 "$(at "$t_spray" 0.3)" "$(at "$t_dead" -0.1)" --tone $F_CUST --absent $F_SPRAY &&
	rec_hears $SID 1 "$(at "$t_dead" 0.5)" "$t_end" --absent $F_SPRAY'

f=bshold
SID=$SID14
while awk -v t="$t_hold14" -v n="$(now)" 'BEGIN { exit !(n < t + 14) }'; do sleep 0.2; done
check "$f: 14 s later (timeout 6) the customer is still there: Resume answers 1" eval '
	api_is 8003 "EVENT=Resume" "|Retuen|1|" && ! grep "media timeout session=$SID " "$log"'
t_res=$(now)
sleep 2.5
end_call $f 8003
check "$f: the agent's phone got BYE" phone_done $f hagent 5
peers_stop hagent
check "$f: after Resume the agent hears the baresip customer" \
	hears $f hagent "$(at "$t_res" 0.5)" "$(at "$T_END" -0.1)" --tone $F_CUST

# ---- 8. occd stops cleanly ----------------------------------------------------

stop_occd
check "no error-level lines in the occd log" eval '! grep "level=error" "$log"'

echo "1..$n"
[ "$failed" -eq 0 ]
