#!/usr/bin/env bash
# tests/sip/run.sh — the telephony engine against real SIP peers on
# 127.0.0.1: sipp (Debian sip-tester) and baresip (baresip-core).
#
# Starts the ASan occd itself (like tests/lib/with-occd.sh, which does not
# export the SIP port), then runs, in order:
#   1. registration (sipp): digest 200, 403 (an unknown extension too:
#      tests/sip/hostile.sh has the registrar's limits), a replayed Authorization
#      refused, 423, OPTIONS, `occctl status`, unregister (expires=0);
#   2. a full makeCall between two baresip phones (agent 8001 registered
#      with digest and auto-answering, the customer behind a trunk): both
#      legs, RTP both ways, the recording checked by Goertzel (the agent's
#      700 Hz left, the customer's 1000 Hz right), what each phone heard,
#      hangup, CDR, getMonitor and its token;
#   3. the same with a PCMA-only customer: PCMU <-> PCMA transcoding;
#   4. failure paths with sipp phones: agent not registered, trunk busy
#      (486), agent does not answer (HANGUP target=all while it rings: the
#      phone gets CANCEL; the 45 s ring timeout itself is not waited for),
#      agent rejects (486, 603), customer hangs up first (ACW per the
#      group's mode), CANCEL while the customer rings, and two phones
#      registering within one second;
#   5. hold/resume as the far end sees it (sipp checks each re-INVITE's
#      direction, an RTP logger checks the chime, then the silence), and
#   6. sendDtmf "12#" arriving as RFC 4733 events, on a PCMA customer; the
#      ringback the agent hears while that customer rings (180), and early
#      media (183 with SDP) from another;
#   7. keys an agent phone presses by SIP INFO (dtmf-relay, dtmf) reach
#      the far end as RFC 4733 events; other INFO bodies get 415;
#   8. occd stops cleanly on SIGTERM, with no sanitizer report.
#
# Output is TAP ("ok N - ..."); the exit status is non-zero if anything
# failed; if occd dies the suite says so, shows the crash and bails out.
# Everything it starts is stopped on exit. OCCD and OCCCTL override the
# binaries; KEEP=1 keeps the work directory (kept anyway on failure) with
# the occd log, sipp traces, baresip logs and recordings, and RTP captures.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
occd=${OCCD:-$root/build/asan/occd}
occctl=${OCCCTL:-$root/build/asan/occctl}
scen=$here/scenarios
audio=$here/lib/audio.py
util=$here/lib/util.py


# ---- TAP ------------------------------------------------------------------

. "$here/lib/harness.sh"
suite_begin sip

preflight "apt-get install sip-tester baresip-core" sipp baresip python3 curl

# ---- helpers --------------------------------------------------------------

take_ports 11
http_port=${P[0]} sip_port=${P[1]}
ag_port=${P[2]} ag2_port=${P[3]} cust_port=${P[4]}    # sipp phones
bs_agent=${P[5]} bs_cust=${P[6]} bs_cust2=${P[7]}     # baresips
rtp_log_port=${P[8]} reg_port=${P[9]} reg2_port=${P[10]}
url=http://127.0.0.1:$http_port

cdr_field() { sql "SELECT $2 FROM cdr WHERE sessionid = ?" "$1"; }
legs_of() {
	sql "SELECT role, disposition FROM cdr_legs WHERE sessionid = ? ORDER BY uniqueid" "$1" | tr '\n' ' '
}

# cdr_is SID REGEX LEGS: the CDR's "disposition|hangup_by|answered(0/1)"
# matches REGEX and its legs are LEGS ("role|disposition " each)
cdr_is() {
	expect_match "cdr disposition|hangup_by|answered" \
		"$(cdr_field "$1" "disposition || '|' || hangup_by || '|' || (answer_ms > 0)")" "$2" &&
		expect_eq "cdr legs" "$(legs_of "$1")" "$3"
}

# codecs_are SID AGENT-CODEC CUSTOMER-CODEC: what each leg negotiated
codecs_are() {
	grep -q "agent answered session=$1 .*codec=$2" "$log" &&
		grep -q "call answered session=$1 .*codec=$3" "$log" && return 0
	echo "occd log:"
	grep -E "answered session=$1" "$log"
	return 1
}

http_get() {  # http_get URL WANT-STATUS [OUT]
	local code
	code=$(curl -sS -m 10 -o "${3:-/dev/null}" -w '%{http_code}' "$1")
	expect_eq "GET $1" "$code" "$2"
}

status_has() {  # status_has REGEX: a line of `occctl status demo`
	"$occctl" --data "$data" status demo | grep -E "$1" && return 0
	echo "occctl status has no line /$1/:"
	"$occctl" --data "$data" status demo
	return 1
}

# newest GLOB: the newest file matching
newest() { ls -t $1 2>/dev/null | head -1; }
now() { date +%s.%N; }
add() { python3 -c "import sys; print(float(sys.argv[1]) + float(sys.argv[2]))" "$1" "$2"; }

# far_end NAME SCENARIO: a PCMA far end on the trunk "gw": sipp NAME runs
# SCENARIO (customer_hold.xml, customer_early.xml), whose SDP points occd
# at an rtppeer that logs what occd sends (to NAME.jsonl) and speaks
# 1000 Hz to the address sipp found in occd's SDP. Sets CPID and RTP_PID.
far_end() {
	mkdir -p "$work/$1"
	python3 "$audio" rtppeer --port "$rtp_log_port" --log "$work/$1.jsonl" --secs 60 \
		--send 1000 --pt 8 --remote-file "$work/$1/remote.txt" >"$work/$1-rtppeer.out" 2>&1 &
	RTP_PID=$!
	pids+=("$RTP_PID")
	sipp_uas "$1" "$cust_port" "$2" -key rtpport "$rtp_log_port" -key pt 8 -key codec PCMA
	CPID=$BG
}

# ---- occd -------------------------------------------------------------------

start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)"

# test material: the agent says 700 Hz, the customer 1000 Hz
python3 "$audio" wav "$work/agent700.wav" --freq 700 --secs 60 &&
	python3 "$audio" wav "$work/cust1000.wav" --freq 1000 --secs 60 ||
	{ nok "test tones generated"; exit 1; }

# ---- 1. registration ----------------------------------------------------------

m=$(log_mark)
check "REGISTER with digest (8002, qop=auth): 401 then 200" \
	sipp_reg reg_ok "$reg_port" register.xml 8002 8002 300
check "occd logs the binding" \
	wait_log "$m" "registered team=demo exten=8002 contact=sip:8002@127.0.0.1:$reg_port expires=300" 2
check "occctl status shows the registration" \
	status_has "^8002 +8002 +sip:8002@127.0.0.1:$reg_port +UDP:127.0.0.1:$reg_port +expires in"
check "REGISTER with a wrong password: 403" \
	sipp_reg reg_bad "$reg2_port" register_403.xml 8002 wrong 300
check "REGISTER of an unknown extension (8099): 401, then 403 like a wrong password" \
	sipp_reg reg_404 "$reg2_port" register_403.xml 8099 8099 300

# the Authorization header of the successful REGISTER, sent again
replay() {
	local auth
	auth=$(python3 "$util" authline "$work/reg_ok/msgs.log") || return 1
	mkdir -p "$work/reg_replay"
	printf 'SEQUENTIAL\n8002;demo;%s;300\n' "$auth" >"$work/reg_replay/users.csv"
	(cd "$work/reg_replay" && timeout -k 2 20 sipp -sf "$scen/register_replay.xml" -inf users.csv \
		"127.0.0.1:$sip_port" -i 127.0.0.1 -p "$reg2_port" -mp "$((reg2_port + 2))" -m 1 -nostdin -timeout 10s \
		-timeout_error -trace_msg -message_file msgs.log -trace_err -error_file err.log) \
		>"$work/reg_replay.out" 2>&1 && return 0
	echo "sipp: no 401 to the replayed $auth"
	tail -5 "$work/reg_replay/err.log"
	return 1
}
m=$(log_mark)
check "a replayed Authorization is refused with a new 401" replay
check "occd logs the replay" wait_log "$m" 'REGISTER replay refused team=demo exten=8002' 2
check "REGISTER with expires=30: 423 with Min-Expires: 60" \
	sipp_reg reg_423 "$reg2_port" register_423.xml 8002 8002 30

options() {
	(cd "$work" && timeout -k 2 20 sipp -sf "$scen/options.xml" "127.0.0.1:$sip_port" -i 127.0.0.1 \
		-p "$reg2_port" -mp "$((reg2_port + 2))" -m 1 -nostdin -timeout 10s -timeout_error) >"$work/options.out" 2>&1 && return 0
	echo "sipp: no 200 with Allow: INVITE, REGISTER"
	tail -5 "$work/options.out"
	return 1
}
check "OPTIONS: 200 with Allow" options

m=$(log_mark)
check "unregister (expires=0): 200" sipp_reg reg_zero "$reg_port" register.xml 8002 8002 0
check "the binding is gone (log and occctl status)" eval '
	wait_log "$m" "unregistered team=demo exten=8002" 2 &&
	status_has "^8002 +8002 +- .*not registered"'

# ---- 2. a full call between two baresip phones --------------------------------

m=$(log_mark)
baresip_start agent "$work/agent700.wav" \
	"<sip:8001@demo>;auth_user=8001;auth_pass=8001;outbound=\"sip:127.0.0.1:$sip_port\";answermode=auto;regint=300;audio_codecs=PCMU" \
	41000-41999 "$bs_agent"
baresip_start cust "$work/cust1000.wav" \
	"<sip:5551001@127.0.0.1:$bs_cust>;regint=0;answermode=auto" 42000-42999 "$bs_cust"
baresip_start cust2 "$work/cust1000.wav" \
	"<sip:5551002@127.0.0.1:$bs_cust2>;regint=0;answermode=auto;audio_codecs=PCMA" 43000-43999 "$bs_cust2"
check "baresip (agent 8001) registers with digest" \
	wait_log "$m" 'registered team=demo exten=8001 contact=sip:8001' 10
check "trunks added (occctl trunk add, SIGHUP)" eval '
	trunk_add phone1 $bs_cust && trunk_add phone2 $bs_cust2 && trunk_add gw $cust_port'
check "agent 8001 checks in" api_is 8001 'EVENT=QUEUE&type=1&list=1&deviceexten=8001' '|Retuen|1|'

# call_bs NAME TRUNK NUMBER: 8001 calls a baresip customer: 4 s of talk,
# setVar, hangup by the API; sets SID
call_bs() {
	local name=$1 trunk=$2 number=$3 m
	call_up "$name" 8001 "$trunk" "$number"
	check "$name: agent state busy during the call" api_is 8001 'EVENT=AGENTSTATUS' '1-busy,'
	check "$name: SetVar during the call" \
		api_is 8001 "EVENT=SetVar&varname=ORDER_ID&varvalue=$name-17" '|Retuen|1|'
	sleep 4
	m=$(log_mark)
	check "$name: hangup (target=all)" api_is 8001 'EVENT=HANGUP&target=all' '|Retuen|1|'
	check "$name: call ends" wait_log "$m" "call ended session=$SID disposition=ANSWERED by=api" 5
	sleep 0.5      # the phones finish their recordings when the call closes
}

call_bs call phone1 5551001
sid=$SID
check "call: both legs negotiated PCMU" codecs_are "$sid" PCMU PCMU
check "call: CDR row ANSWERED, hung up by the API, with both legs answered" \
	cdr_is "$sid" '^ANSWERED\|api\|1$' 'agent|ANSWERED customer|ANSWERED '
check "call: the CDR keeps the SetVar variable" \
	expect_eq "cdr vars" "$(cdr_field "$sid" vars)" "ORDER_ID=call-17"
check "call: occctl cdr lists it" eval '"$occctl" --data "$data" cdr demo --limit 3 | grep -q "$sid"'
mon=$(api 8001 "EVENT=GetMonitor&sessionid=$sid&calldate=$(cdr_field "$sid" calldate)")
mon_url=${mon##*|Retuen|}
check "call: getMonitor returns a URL" \
	expect_match getMonitor "$mon" '^\|Retuen\|1\|Retuen\|http://.*getMonitor/.*-demo-[0-9a-f]{32}\.wav\?o=demo&e=[0-9]+&t=[0-9a-f]{32}$'
check "call: the URL serves the WAV" http_get "$mon_url" 200 "$work/monitor.wav"
check "call: recording, left channel: the agent's 700 Hz" \
	python3 "$audio" tone "$work/monitor.wav" --channel 0 --freq 700
check "call: recording, right channel: the customer's 1000 Hz" \
	python3 "$audio" tone "$work/monitor.wav" --channel 1 --freq 1000
check "call: recording, channels not mixed up (no 1000 Hz left, no 700 Hz right)" eval '
	python3 "$audio" tone "$work/monitor.wav" --channel 0 --freq 1000 --absent &&
	python3 "$audio" tone "$work/monitor.wav" --channel 1 --freq 700 --absent'
check "call: a wrong token in the URL gets 403" \
	http_get "${mon_url%t=*}t=00000000000000000000000000000000" 403
check "call: the customer phone heard the agent (700 Hz)" \
	python3 "$audio" tone "$(newest "$work/cust/rec/*-dec.wav")" --freq 700
check "call: the agent phone heard the customer (1000 Hz)" \
	python3 "$audio" tone "$(newest "$work/agent/rec/*-dec.wav")" --freq 1000
check "call: agent idle afterwards (ACW off)" api_is 8001 'EVENT=AGENTSTATUS' '1-idle,'
# the manual's outbound event sequence, field for field (its lines are TAP)
while IFS= read -r line; do
	case "$line" in
	"ok "*) ok "${line#ok * - }" ;;
	"not ok "*) nok "${line#not ok * - }" ;;
	esac
done < <(python3 "$here/lib/events_check.py" "$data/occ.db" "$sid" 5551001 8001 \
	"$here/manual_outbound_events.txt")

# ---- 3. transcoding: PCMU agent, PCMA-only customer ---------------------------

call_bs transcoding phone2 5551002
sid=$SID
check "transcoding: agent leg PCMU, customer leg PCMA" codecs_are "$sid" PCMU PCMA
rec=$(ls "$data"/recordings/*/"$(cdr_field "$sid" recording)" 2>/dev/null)
check "transcoding: recording has 700 Hz left and 1000 Hz right" eval '
	python3 "$audio" tone "$rec" --channel 0 --freq 700 &&
	python3 "$audio" tone "$rec" --channel 1 --freq 1000'
check "transcoding: the PCMA customer heard the PCMU agent's 700 Hz" \
	python3 "$audio" tone "$(newest "$work/cust2/rec/*-dec.wav")" --freq 700
check "transcoding: the PCMU agent heard the PCMA customer's 1000 Hz" \
	python3 "$audio" tone "$(newest "$work/agent/rec/*-dec.wav")" --freq 1000

# ---- 4. failure paths ---------------------------------------------------------

check "agent 8002 (unregistered above) checks in" \
	api_is 8002 'EVENT=QUEUE&type=1&list=1&deviceexten=8002' '|Retuen|1|'
no_call() {
	since "$m" | grep 'call started' && return 1
	expect_eq "CDRs of 8002" "$(sql "SELECT count(*) FROM cdr WHERE agent = '8002'")" 0
}
m=$(log_mark)
check "agent not registered: makeCall answers BackMsg_119" \
	api_is 8002 'EVENT=MAKECALL&targetdn=5550119&targettype=exter&trunkidentity=gw' 'BackMsg_119'
check "agent not registered: no call (so no INVITE), no CDR" no_call

# sipp phones: 8003 (Sales, ACW off) and 8005 (a group with ACW after
# answer), registering one right after the other as phones do after a power
# cut: each gets its challenge and must get its 200
next_second
sipp_reg reg8003 "$ag_port" register.xml 8003 8003 300 >/dev/null
r1=$?
sipp_reg reg8005 "$ag2_port" register.xml 8005 8005 300 >/dev/null
r2=$?
same_second() {
	[ $r1 = 0 ] && [ $r2 = 0 ] && return 0
	echo "8003: sipp status $r1, 8005: sipp status $r2; occd:"
	grep -E "exten=800[35]" "$log" | tail -4
	echo "nonces in the 401s: $(grep -h '^WWW-Authenticate' "$work"/reg800[35]/msgs.log |
		grep -o 'nonce="[0-9a-f]*"' | sort | uniq -c | tr -s '\n ' ' ')"
	return 1
}
check "two phones registering within the same second both get 200 (8003, 8005)" same_second
[ $r1 = 0 ] || check "8003 registers (in a second of its own)" \
	sipp_reg reg8003b "$ag_port" register.xml 8003 8003 300
[ $r2 = 0 ] || check "8005 registers (in a second of its own)" \
	sipp_reg reg8005b "$ag2_port" register.xml 8005 8005 300

acw_group() {
	local m gid
	m=$(log_mark)
	gid=$("$occctl" --data "$data" group add demo auto Outbound 6009 --acw answer | grep -oE '[0-9]+' | head -1)
	[ -n "$gid" ] && wait_log "$m" "provisioning reloaded" 5 || return 1
	m=$(log_mark)
	"$occctl" --data "$data" member add demo "$gid" 8005 >/dev/null &&
		wait_log "$m" "provisioning reloaded" 5 && echo "$gid" >"$work/acw_gid"
}
check "a group with ACW after answer (occctl group add, member add 8005)" acw_group
acw_gid=$(cat "$work/acw_gid" 2>/dev/null)
check "agent 8003 checks in (Sales)" api_is 8003 'EVENT=QUEUE&type=1&list=1&deviceexten=8003' '|Retuen|1|'
check "agent 8005 checks in (group ${acw_gid:-?}, ACW after answer)" \
	api_is 8005 "EVENT=QUEUE&type=1&list=$acw_gid&deviceexten=8005" '|Retuen|1|'

# call_sipp NAME AGENT AGENT-PORT AGENT-SCENARIO CUST-SCENARIO|- [CUST-ARGS]:
# starts the sipp phones (the customer on the trunk "gw") and makeCall;
# sets SID, M (log mark), APID and CPID (the phones' pids)
call_sipp() {
	local name=$1 agent=$2 aport=$3 asf=$4 csf=$5
	shift 5
	APID= CPID=
	if [ "$csf" != - ]; then
		sipp_uas "$name-cust" "$cust_port" "$csf" "$@"
		CPID=$BG
	fi
	sipp_uas "$name-agent" "$aport" "$asf"
	APID=$BG
	M=$(log_mark)
	check "$name: makeCall answers BackMsg_19" \
		api_is "$agent" "EVENT=MAKECALL&targetdn=555$RANDOM&targettype=exter&trunkidentity=gw" 'BackMsg_19'
	SID=$(session_of "$M" "$agent")
}

# the trunk answers 486
call_sipp busy 8003 "$ag_port" agent_answer.xml reject_486.xml
check "trunk busy: the call ends" wait_log "$M" "call ended session=$SID disposition=BUSY" 10
check "trunk busy: the far end got its ACK" sipp_result busy-cust "$CPID" 5
check "trunk busy: the agent's leg is hung up (BYE)" sipp_result busy-agent "$APID" 5
check "trunk busy: CDR BUSY, legs agent ANSWERED, customer BUSY" \
	cdr_is "$SID" '^BUSY\|' 'agent|ANSWERED customer|BUSY '
check "trunk busy: agent back to idle" api_is 8003 'EVENT=AGENTSTATUS' '1-idle,'

# the agent does not answer: HANGUP target=all while its phone rings
call_sipp noanswer 8003 "$ag_port" ring_cancel.xml -
check "agent does not answer: the phone rings" wait_log "$M" "agent ringing session=$SID" 5
check "agent does not answer: agent state ring" api_is 8003 'EVENT=AGENTSTATUS' '1-ring,'
check "agent does not answer: HANGUP target=all" api_is 8003 'EVENT=HANGUP&target=all' '|Retuen|1|'
check "agent does not answer: the phone gets CANCEL (200, 487, ACK)" sipp_result noanswer-agent "$APID" 5
check "agent does not answer: CDR not answered, agent leg NO ANSWER, no customer leg" \
	cdr_is "$SID" '^(CANCEL|NO ANSWER)\|api\|0$' 'agent|NO ANSWER '
check "agent does not answer: agent back to idle" api_is 8003 'EVENT=AGENTSTATUS' '1-idle,'

# the agent rejects: busy here or declined, BUSY either way
for code in 486 603; do
	call_sipp "reject$code" 8003 "$ag_port" "reject_$code.xml" -
	check "agent rejects with $code: the call ends without dialing out" eval '
		wait_log "$M" "call ended session=$SID" 5 && ! since "$M" | grep "dialing customer session=$SID"'
	check "agent rejects with $code: the phone got its ACK" sipp_result "reject$code-agent" "$APID" 5
	check "agent rejects with $code: CDR BUSY, agent leg BUSY" \
		cdr_is "$SID" '^BUSY\|agent\|0$' "agent|BUSY "
	check "agent rejects with $code: agent back to idle" api_is 8003 'EVENT=AGENTSTATUS' '1-idle,'
done

# the customer hangs up first
call_sipp custbye 8005 "$ag2_port" agent_answer.xml customer_bye.xml
check "customer hangs up first: the call ends, hung up by the customer" \
	wait_log "$M" "call ended session=$SID disposition=ANSWERED by=customer" 10
check "customer hangs up first: occd answers the customer's BYE" sipp_result custbye-cust "$CPID" 5
check "customer hangs up first: the agent phone gets BYE" sipp_result custbye-agent "$APID" 5
check "customer hangs up first: agent in ACW (group mode: after answer)" \
	api_is 8005 'EVENT=AGENTSTATUS' '-acw,'
check "customer hangs up first: CDR ANSWERED by customer, both legs answered" \
	cdr_is "$SID" '^ANSWERED\|customer\|1$' 'agent|ANSWERED customer|ANSWERED '
check "customer hangs up first: acwOff ends ACW" eval '
	api_is 8005 "EVENT=ACWOFF" "|Retuen|1|" && api_is 8005 "EVENT=AGENTSTATUS" "-idle,"'

# CANCEL while the customer rings
call_sipp custcancel 8003 "$ag_port" agent_answer.xml ring_cancel.xml
check "customer rings" wait_log "$M" "customer ringing session=$SID" 5
check "customer rings: HANGUP target=all" api_is 8003 'EVENT=HANGUP&target=all' '|Retuen|1|'
check "customer rings: the far end gets CANCEL (200, 487, ACK)" sipp_result custcancel-cust "$CPID" 5
check "customer rings: the agent phone gets BYE" sipp_result custcancel-agent "$APID" 5
check "customer rings: CDR not answered, customer leg NO ANSWER" \
	cdr_is "$SID" '^(CANCEL|NO ANSWER)\|api\|0$' 'agent|ANSWERED customer|NO ANSWER '

# ---- 5, 6. hold, resume and DTMF as a PCMA far end sees them -------------------
#
# The customer is sipp (customer_hold.xml), checking the direction of
# each re-INVITE, with an rtppeer logging what occd sends it. The agent is
# the baresip 8001.

far_end hold-cust customer_hold.xml
m=$(log_mark)
check "hold: makeCall (agent baresip 8001, customer sipp PCMA)" \
	api_is 8001 'EVENT=MAKECALL&targetdn=5551003&targettype=exter&trunkidentity=gw' 'BackMsg_19'
sid=$(session_of "$m" 8001)
check "hold: call answered" wait_log "$m" "call answered session=$sid .*codec=PCMA" 10
sleep 1.5
t_h1=$(now)
check "hold: Hold silence=0" api_is 8001 'EVENT=Hold&silence=0' '|Retuen|1|'
sleep 2.5
t_r1=$(now)
check "hold: Resume" api_is 8001 'EVENT=Resume' '|Retuen|1|'
sleep 1.5
t_h2=$(now)
check "hold: Hold silence=1" api_is 8001 'EVENT=Hold&silence=1' '|Retuen|1|'
sleep 2
t_r2=$(now)
check "hold: Resume again" api_is 8001 'EVENT=Resume' '|Retuen|1|'
sleep 1
t_d=$(now)
check "dtmf: SendDtmf 12#" api_is 8001 'EVENT=SendDtmf&dtmf=12%23' '|Retuen|1|'
sleep 1.5
m=$(log_mark)
check "hold: hangup" eval '
	api_is 8001 "EVENT=HANGUP&target=all" "|Retuen|1|" && wait_log "$m" "call ended session=$sid" 5'
check "hold: the far end saw re-INVITEs a=sendonly, a=sendrecv, a=sendonly, a=sendrecv" \
	sipp_result hold-cust "$CPID" 5
kill -TERM "$RTP_PID" 2>/dev/null
wait_exit "$RTP_PID" 5
rtp=$work/hold-cust.jsonl
check "hold: audio reached the far end as PCMA" python3 "$audio" rtp "$rtp" --pt 8
check "hold: before hold the far end hears the agent (700 Hz)" \
	python3 "$audio" rtp "$rtp" --to "$t_h1" --tone 700
check "hold (silence=0): the far end hears the chime (523+659 Hz)" \
	python3 "$audio" rtp "$rtp" --from "$(add "$t_h1" 0.3)" --to "$(add "$t_r1" -0.1)" \
	--tone 523.25 --tone 659.25
check "hold (silence=0): ... and not the agent" \
	python3 "$audio" rtp "$rtp" --from "$(add "$t_h1" 0.3)" --to "$(add "$t_r1" -0.1)" --absent 700
check "resume: the far end hears the agent again" \
	python3 "$audio" rtp "$rtp" --from "$(add "$t_r1" 0.3)" --to "$t_h2" --tone 700
check "hold (silence=1): the far end gets no audio (or silence)" \
	python3 "$audio" rtp "$rtp" --from "$(add "$t_h2" 0.3)" --to "$(add "$t_r2" -0.1)" --quiet
check "dtmf: the far end got RFC 4733 events 1, 2, # (each ended)" \
	python3 "$audio" rtp "$rtp" --from "$t_d" --dtmf '12#'
rec=$(ls "$data"/recordings/*/"$(cdr_field "$sid" recording)" 2>/dev/null)
check "hold: the recording has the far end's 1000 Hz (right)" \
	python3 "$audio" tone "$rec" --channel 1 --freq 1000 --min-frac 0.5
# the far end rang 1.5 s (180 without SDP) before it answered
check "ringback: while the far end rang, the agent phone heard 450 Hz" \
	python3 "$audio" tone "$(newest "$work/agent/rec/*-dec.wav")" --from 0.1 --to 0.9 --freq 450

# ---- early media: 183 with SDP, the far end's audio before the answer ------------

far_end early-cust customer_early.xml
m=$(log_mark)
check "early media: makeCall" \
	api_is 8001 'EVENT=MAKECALL&targetdn=5551004&targettype=exter&trunkidentity=gw' 'BackMsg_19'
sid=$(session_of "$m" 8001)
check "early media: answered after the 183" wait_log "$m" "call answered session=$sid" 10
sleep 1
m=$(log_mark)
check "early media: hangup" eval '
	api_is 8001 "EVENT=HANGUP&target=all" "|Retuen|1|" && wait_log "$m" "call ended session=$sid" 5'
check "early media: the far end got its BYE" sipp_result early-cust "$CPID" 5
kill -TERM "$RTP_PID" 2>/dev/null
wait_exit "$RTP_PID" 5
sleep 0.3
early=$(newest "$work/agent/rec/*-dec.wav")
check "early media: before the answer the agent phone heard the far end (1000 Hz)" \
	python3 "$audio" tone "$early" --from 0.3 --to 2.2 --freq 1000
check "early media: ... and no ringback of occd's own" \
	python3 "$audio" tone "$early" --from 0.3 --to 2.2 --freq 450 --absent

# ---- DTMF by SIP INFO: the agent's keys reach the far end as RFC 4733 ------------
#
# The agent is a sipp phone (8003, agent_info.xml) that presses 5 and 9 by
# INFO (application/dtmf-relay, application/dtmf) once the customer, a PCMA
# far end with an RTP logger, has answered; a text/plain INFO gets 415.

check "info: 8003 registers again" sipp_reg reg8003i "$ag_port" register.xml 8003 8003 300
far_end info-cust customer_early.xml
sipp_uas info-agent "$ag_port" agent_info.xml
APID=$BG
m=$(log_mark)
t_i=$(now)
check "info: makeCall (agent sipp 8003, customer sipp PCMA)" \
	api_is 8003 'EVENT=MAKECALL&targetdn=5551005&targettype=exter&trunkidentity=gw' 'BackMsg_19'
sid=$(session_of "$m" 8003)
check "info: call answered" wait_log "$m" "call answered session=$sid" 10
sleep 3.5
m=$(log_mark)
check "info: hangup" eval '
	api_is 8003 "EVENT=HANGUP&target=all" "|Retuen|1|" && wait_log "$m" "call ended session=$sid" 5'
check "info: the phone's INFOs got 200, 200 and 415 (text/plain)" sipp_result info-agent "$APID" 5
check "info: the far end got its BYE" sipp_result info-cust "$CPID" 5
kill -TERM "$RTP_PID" 2>/dev/null
wait_exit "$RTP_PID" 5
check "info: the far end got the keys as RFC 4733 events 5, 9 (each ended)" \
	python3 "$audio" rtp "$work/info-cust.jsonl" --from "$t_i" --dtmf '59'

# ---- 7. occd stops cleanly ----------------------------------------------------

stop_occd
check "no error-level lines in the occd log" eval '! grep "level=error" "$log"'

echo "1..$n"
[ "$failed" -eq 0 ]
