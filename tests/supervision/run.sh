#!/usr/bin/env bash
# tests/supervision/run.sh — supervision by a group leader (silentMonitor,
# whisper, intrude, hangup target=groupadmin, forcedRelease) against real
# SIP phones on 127.0.0.1, proving by the audio who hears whom.
#
# Every party is a baresip phone sending its own tone (a WAV as its
# microphone) and recording what it hears (sndfile): the agent 8002 907 Hz,
# the customer (behind the trunk "gw") 1243 Hz, the leader 1687 Hz — at
# his extension 8001, or at an outside number behind the default trunk
# (a PCMA phone: the mixer transcodes). The tones are no harmonics of each
# other and away from the ringback (450 Hz), the hold chime (523.25 +
# 659.25 Hz) and the built-in peers' tones. Each phone's events
# (CALL_ESTABLISHED, CALL_CLOSED) are logged with the wall clock through
# its ctrl_tcp port (lib/ctl.py), so its recording is cut into the call's
# phases by the times of the API requests and of those events, and
# analysed with Goertzel (lib/hear.py: each tone present, or absent,
# against the level of silence; and a heard voice at the level it was
# sent, ±1 dB, alone or mixed: the mixer sums). occd's own recording
# (left: what the customer hears, right: what the agent hears) is checked
# per phase too, and the events and CDR legs it stored.
#
#   1. an idle target: silentMonitor, whisper, intrude, forcedRelease and
#      hangup target=groupadmin answer 92 (no related call), and nobody is
#      dialled; an unknown target answers 09[target].
#   2. call A: 8002 calls the customer; while they talk, the refusals:
#      8003 (member of Sales and Support, leader of neither) and 8004
#      (leader of Support only) get 68 for every operation, groupadmin
#      without a supervisor 92, the leader at an unregistered extension
#      42/49/40, no phonenumber 01, an account passes the leader check.
#      Then the leader 8001 (checked in: busy while he supervises, idle
#      again after, without after-call work), at his extension:
#      a. silentMonitor (41): the leader hears agent and customer, nobody
#         hears the leader; hangup target=groupadmin (37): his phone gets
#         BYE, back to two parties;
#      b. whisper (48): the agent hears customer and leader, the customer
#         only the agent; the leader hangs up his phone himself: the call
#         goes on, back to two parties; groupadmin then answers 92;
#      c. intrude (39): everybody hears everybody; supervising again
#         meanwhile fails (42/49/40) and dials nobody; groupadmin; two
#         parties again;
#      d. forcedRelease (46): agent and customer phones get BYE; the agent
#         is idle; the CDR has every leg; the stored events have a join
#         and a hangup for each of the leader's legs.
#      Each phase on the agent's phone, the customer's phone and both
#      channels of occd's recording; the leader's phone per supervision.
#   3. call B, the leader at outside numbers over the default trunk: at
#      the first his phone only rings (intrude 39; intrude again 40;
#      groupadmin cancels it: CANCEL, the call unchanged); at the second
#      he answers: everybody hears everybody; the agent holds the customer
#      (silence=1): the customer hears nobody, the agent still the leader;
#      forcedRelease while he is on: all three phones get BYE.
#   4. call C, the customer still ringing: every operation answers 92.
#      Call D: the customer hangs up while monitored: the agent's and the
#      leader's phones get BYE; CDR and events. Call E, the leader's own:
#      supervising it answers 28[target] (even at a phone not in it) and
#      dials nobody.
#   5. occd stops on SIGTERM with status 0, no sanitizer report, no error
#      line in its log.
#
# TAP output; non-zero exit on failure; every wait is bounded; everything
# it starts is stopped on exit. OCCD and OCCCTL override the binaries
# (default: the ASan build); VERBOSE=1 shows every check's output (the
# measured levels, for one); KEEP=1 keeps the work directory
# (/tmp/occ-supervision.*: occd log, baresip logs, recordings and event
# logs), kept anyway on failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
occd=${OCCD:-$root/build/asan/occd}
occctl=${OCCCTL:-$root/build/asan/occctl}
audio=$root/tests/sip/lib/audio.py
util=$root/tests/sip/lib/util.py
ctl=$here/lib/ctl.py
hear=$here/lib/hear.py
evlist=$here/lib/events.py

# the parties' voices (odd numbers of Hz: the tone's G.711 quantization
# noise spreads thin instead of piling up on a few lines that may fall on
# another party's frequency)
F_AGENT=907 F_CUST=1243 F_LEAD=1687

# times (Unix, from now() or the phones' events) and recordings; set by
# checks that may fail, so a failure leaves them empty rather than unset
t_agent0= t_agent1= t_cust0= t_cust1= t_rec0= t_mon= t_mon_bye= t_wh= t_wh_bye=
t_bar= t_bar_bye= tb_agent0= tb_cust0= tb_rec0= tb_join= T_REQ= T_JOIN= T_BYE=
EV_T= EV_PARAM= EV_ID= LDUMP= l_mon= l_wh= l_bar=

# ---- TAP ------------------------------------------------------------------

. "$here/../sip/lib/harness.sh"
suite_begin supervision

preflight "apt-get install baresip-core" baresip python3 curl

# ---- helpers --------------------------------------------------------------

take_ports 6
http_port=${P[0]} sip_port=${P[1]}
bs_agent=${P[2]} bs_lead=${P[3]} bs_cust=${P[4]} bs_out=${P[5]}    # baresips
url=http://127.0.0.1:$http_port
OUT_NUMBER=5559001       # the leader's outside numbers: the phone bs_out
OUT_RING=5559002         # answers the first, only rings at the second
CUST_NUMBER=5551001

# api_exact AGENT PARAMS EXPECTED: the reply is exactly EXPECTED (harness.sh's
# api_is only wants it contained)
api_exact() {
	local r
	r=$(api "$1" "$2")
	[ "$r" = "$3" ] && return 0
	echo "EVENT ${2%%&*} as $1: got '$r', want '$3'"
	return 1
}

# makecall AGENT NUMBER TRUNK: the agent's makeCall to an outside number
# over TRUNK, answered BackMsg_19 (the call is placed)
makecall() {
	api_exact "$1" "EVENT=MAKECALL&targetdn=$2&targettype=exter&trunkidentity=$3" \
		'|Retuen|1|Retuen|BackMsg_19'
}
cdr_field() { sql "SELECT $2 FROM cdr WHERE sessionid = ?" "$1"; }
legs_of() {
	sql "SELECT role, peer, disposition FROM cdr_legs WHERE sessionid = ? ORDER BY uniqueid" "$1" |
		tr '\n' ' '
}

now() { date +%s.%N; }
add() { python3 -c "import sys; print(f'{float(sys.argv[1]) + float(sys.argv[2]):.4f}')" "$1" "$2"; }
newest() { ls -t $1 2>/dev/null | head -1; }

trunk_add() {  # trunk_add NAME PORT [--default]
	local m
	m=$(log_mark)
	"$occctl" --data "$data" trunk add demo "$1" "sip:127.0.0.1:$2" ${3:-} >/dev/null &&
		wait_log "$m" 'provisioning reloaded' 10
}

# (RTP ports above the ephemeral range and occd's 20000-32767, apart from
# the other suites' baresips)
# phone NAME WAV ACCOUNT RTPRANGE SIPPORT: the harness's baresip
# (baresip_start: WAV as its microphone, what it hears in NAME/rec) with a
# ctl.py watching its events (NAME.events) and taking commands (lines
# written to NAME.cmd).
phone() {
	baresip_start "$@"
	mkfifo "$work/$1.cmd"
	python3 "$ctl" watch --port $(($5 + 2)) --log "$work/$1.events" --fifo "$work/$1.cmd" \
		--secs 400 >"$work/$1.ctl.out" 2>&1 &
	pids+=("$!")
}

# tell NAME COMMAND: a ctrl_tcp command to phone NAME (e.g. hangup)
tell() { timeout 2 sh -c 'echo "$1" >"$2"' sh "$2" "$work/$1.cmd"; }

# ev NAME TYPE AFTER [SECS]: the time of phone NAME's first event TYPE
# after AFTER (waits at most SECS, default 10); sets EV_T, EV_PARAM and
# EV_ID (the call's Call-ID)
ev() {
	local out
	out=$(python3 "$ctl" wait "$work/$1.events" "$2" --after "$3" --secs "${4:-10}") ||
		{ echo "phone $1: $out"; return 1; }
	IFS=$'\t' read -r EV_T EV_PARAM EV_ID <<<"$out"
}

# got_bye NAME: phone NAME's last closed call (ev ... CALL_CLOSED) ended by
# a BYE it received (its SIP trace: a BYE to its own contact, with that
# Call-ID)
got_bye() {
	[ "$EV_PARAM" = "Connection reset by peer" ] &&
		grep -A8 -E '^BYE sip:[^ ]*-0x[0-9a-f]+@' "$work/$1/log" | grep -q "^Call-ID: ${EV_ID}[[:space:]]*\$" &&
		return 0
	echo "phone $1: call $EV_ID closed ($EV_PARAM) without a BYE from occd"
	return 1
}

# invites NAME: how many INVITEs phone NAME received
invites() { grep -c -E '^INVITE sip:[^ ]*-0x[0-9a-f]+@' "$work/$1/log"; }

# hears WAV T0 FROM TO [ARGS...]: lib/hear.py on the window [FROM, TO]
# (Unix times; T0: the WAV's first sample); ARGS as hear.py's
hears() {
	local wav=$1 t0=$2 from=$3 to=$4
	shift 4
	[ -n "$wav" ] && [ -f "$wav" ] || { echo "no recording '$wav'"; return 1; }
	python3 "$hear" "$wav" --t0 "$t0" --from "$from" --to "$to" "$@"
}

# dump_of NAME START: the recording phone NAME made of its newest call,
# checked to have been written to after START (so it is that call's)
dump_of() {
	local f
	f=$(newest "$work/$1/rec/*-dec.wav")
	[ -n "$f" ] && [ "$(stat -c %Y "$f")" -ge "${2%.*}" ] && echo "$f"
}

# continuous FILE T0 T1 ...: each phone recording FILE, of a call from T0 to
# T1 (its CALL_ESTABLISHED and CALL_CLOSED), is as long as the call within
# 0.4 s — it has no gaps, so the wall clock cuts it into phases
continuous() {
	local bad=0
	while [ $# -ge 3 ]; do
		python3 - "$1" "$2" "$3" <<-'PY' || bad=1
			import sys, wave
			f, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
			with wave.open(f) as w:
			    secs = w.getnframes() / w.getframerate()
			print(f"{f}: {secs:.2f} s recorded, call {t1 - t0:.2f} s")
			sys.exit(0 if abs(secs - (t1 - t0)) < 0.4 else 1)
		PY
		shift 3
	done
	return $bad
}

# ---- occd -------------------------------------------------------------------

start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)"

for p in agent:$F_AGENT cust:$F_CUST lead:$F_LEAD; do
	python3 "$audio" wav "$work/${p%%:*}.wav" --freq "${p#*:}" --secs 60 ||
		{ nok "test tones generated"; exit 1; }
done

m=$(log_mark)
phone agent "$work/agent.wav" \
	"<sip:8002@demo>;auth_user=8002;auth_pass=8002;outbound=\"sip:127.0.0.1:$sip_port\";answermode=auto;regint=300;audio_codecs=PCMU" \
	61000-61999 "$bs_agent"
phone lead "$work/lead.wav" \
	"<sip:8001@demo>;auth_user=8001;auth_pass=8001;outbound=\"sip:127.0.0.1:$sip_port\";answermode=auto;regint=300;audio_codecs=PCMU" \
	62000-62999 "$bs_lead"
phone cust "$work/cust.wav" \
	"<sip:$CUST_NUMBER@127.0.0.1:$bs_cust>;regint=0;answermode=auto;audio_codecs=PCMU" 63000-63999 "$bs_cust"
phone out "$work/lead.wav" \
	"<sip:$OUT_NUMBER@127.0.0.1:$bs_out>;regint=0;answermode=auto;audio_codecs=PCMA
<sip:$OUT_RING@127.0.0.1:$bs_out>;regint=0;answermode=manual;audio_codecs=PCMA" 64000-64999 "$bs_out"
check "baresip phones of the agent (8002) and the leader (8001) register" eval '
	wait_log "$m" "registered team=demo exten=8002 contact=sip:8002" 10 &&
	wait_log "$m" "registered team=demo exten=8001 contact=sip:8001" 10'
check "the customer's trunk gw (default) is added" trunk_add gw "$bs_cust" --default
check "agent 8002 checks in to Sales on its phone" \
	api_exact 8002 'EVENT=QUEUE&type=1&list=1&deviceexten=8002' '|Retuen|1|Retuen|1:success'
check "the leader 8001 checks in to Sales on his phone" \
	api_exact 8001 'EVENT=QUEUE&type=1&list=1&deviceexten=8001' '|Retuen|1|Retuen|1:success'
for p in agent lead cust out; do
	ev "$p" WATCHING 0 5 >/dev/null || { nok "ctl.py watches phone $p"; cat "$work/$p.ctl.out" | diag; }
done

# ---- 1. an idle agent; an unknown one -------------------------------------

SUP_OPS="SILENTMONITOR:41:42 Whisper:48:49 INTRUDE:39:40"
m=$(log_mark)
for op in $SUP_OPS ForcedRelease; do
	check "target idle: ${op%%:*} by the leader answers 92 (no related call)" \
		api_exact 8001 "EVENT=${op%%:*}&target=8002&phonenumber=8001" '|Retuen|2|Retuen|BackMsg_92'
done
check "target idle: hangup target=groupadmin answers 92" \
	api_exact 8001 'EVENT=HANGUP&target=groupadmin&targetagent=8002' '|Retuen|2|Retuen|BackMsg_92'
for op in $SUP_OPS ForcedRelease; do
	check "unknown target 8099: ${op%%:*} answers 09[8099]" \
		api_exact 8001 "EVENT=${op%%:*}&target=8099&phonenumber=8001" '|Retuen|2|Retuen|BackMsg_09[8099]'
done
check "target idle: nothing was dialled, the leader's phone did not ring" eval '
	! since "$m" | grep -E "supervis|call started" &&
	expect_eq "INVITEs to the leader phone" "$(invites lead)" 0'

# ---- 2. call A: the leader at his extension 8001 ------------------------------

m=$(log_mark)
t_call=$(now)
check "call A: 8002 makeCall to the customer answers BackMsg_19" \
	makecall 8002 "$CUST_NUMBER" gw
sid=$(session_of "$m" 8002)
check "call A: the agent's phone answers, then the customer's" eval '
	wait_log "$m" "agent answered session=$sid" 10 && wait_log "$m" "call answered session=$sid" 10 &&
	ev agent CALL_ESTABLISHED "$t_call" && t_agent0=$EV_T &&
	ev cust CALL_ESTABLISHED "$t_call" && t_cust0=$EV_T'
t_rec0=$(log_time "$m" "call answered session=$sid")     # occd starts recording
sleep 2.5

# the refusals, while the call is up (so 92 cannot hide them)
check "8003 leads no group: agentgroupStatus Sales and Support answer 65" eval '
	api_exact 8003 "EVENT=AgentgroupStatus&agent_group_id=1&status=all" "|Retuen|2|Retuen|BackMsg_65" &&
	api_exact 8003 "EVENT=AgentgroupStatus&agent_group_id=2&status=all" "|Retuen|2|Retuen|BackMsg_65"'
m_ref=$(log_mark)
for op in $SUP_OPS ForcedRelease; do
	check "8003 (member of Sales, not its leader) ${op%%:*} 8002: 68" \
		api_exact 8003 "EVENT=${op%%:*}&target=8002&phonenumber=8003" '|Retuen|2|Retuen|BackMsg_68'
	check "8004 (leader of Support, not of Sales) ${op%%:*} 8002: 68" \
		api_exact 8004 "EVENT=${op%%:*}&target=8002&phonenumber=8004" '|Retuen|2|Retuen|BackMsg_68'
done
check "8003: hangup target=groupadmin targetagent=8002: 68" \
	api_exact 8003 'EVENT=HANGUP&target=groupadmin&targetagent=8002' '|Retuen|2|Retuen|BackMsg_68'
check "no supervision yet: hangup target=groupadmin answers 92" \
	api_exact 8001 'EVENT=HANGUP&target=groupadmin&targetagent=8002' '|Retuen|2|Retuen|BackMsg_92'
for op in $SUP_OPS; do
	IFS=: read -r name _ failc <<<"$op"
	check "the leader at an unregistered extension (8005): $name answers $failc" \
		api_exact 8001 "EVENT=$name&target=8002&phonenumber=8005" "|Retuen|2|Retuen|BackMsg_$failc"
done
check "silentMonitor without phonenumber: 01[phonenumber]" \
	api_exact 8001 'EVENT=SILENTMONITOR&target=8002' '|Retuen|2|Retuen|BackMsg_01[phonenumber]'
check "an account (admin) passes the leader check: silentMonitor to 8005 answers 42, not 68" \
	eval 'r=$(curl -sS -m 10 -d "EVENT=SILENTMONITOR&target=8002&phonenumber=8005&orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin" "$url/coccinterfaces") &&
	expect_eq reply "$r" "|Retuen|2|Retuen|BackMsg_42"'
check "the refusals dialled nobody and left the call alone" eval '
	! since "$m_ref" | grep -E "supervis|call ended|leg closed"'

# sup NAME OP CODE: the leader 8001 supervises 8002 with OP, answered
# CODE; his phone answers; sets T_REQ and T_JOIN
sup() {
	T_REQ=$(now)
	check "$1: $2 target=8002 phonenumber=8001 answers BackMsg_$3" \
		api_exact 8001 "EVENT=$2&target=8002&phonenumber=8001" "|Retuen|1|Retuen|BackMsg_$3"
	check "$1: the leader's phone rings and answers" eval '
		ev lead CALL_ESTABLISHED "$T_REQ" && T_JOIN=$EV_T'
	check "$1: the leader (8001) is busy while he supervises" leader_state busy
}

# leader_state STATE: agentStatus of 8001 says STATE (within 2 s)
leader_state() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		api_exact 8001 'EVENT=AGENTSTATUS' "|Retuen|1|Retuen|BackMsg_43|Retuen|1-$1," >/dev/null && return 0
		sleep 0.2
	done
	api_exact 8001 'EVENT=AGENTSTATUS' "|Retuen|1|Retuen|BackMsg_43|Retuen|1-$1,"
}

# groupadmin NAME: hangup target=groupadmin; the leader's phone gets BYE;
# sets T_END (the request) and T_BYE
groupadmin() {
	T_END=$(now)
	check "$1: hangup target=groupadmin targetagent=8002 answers BackMsg_37" \
		api_exact 8001 'EVENT=HANGUP&target=groupadmin&targetagent=8002' '|Retuen|1|Retuen|BackMsg_37'
	check "$1: the leader's phone gets BYE, the call goes on" eval '
		ev lead CALL_CLOSED "$T_END" 5 && T_BYE=$EV_T && got_bye lead &&
		! since "$m" | grep "call ended session=$sid"'
	check "$1: the leader is idle again (no after-call work)" leader_state idle
}

# leader_heard NAME FROM TO CALLSTART WANT... : what the leader's phone
# recorded of its call (started at CALLSTART) between FROM and TO
leader_heard() {
	local name=$1 from=$2 to=$3 t0=$4
	shift 4
	LDUMP=$(dump_of lead "$t0")
	check "$name: the leader hears the agent and the customer, not himself" \
		hears "$LDUMP" "$t0" "$from" "$to" \
		--hears $F_AGENT --hears $F_CUST --not $F_LEAD
}

# a. silentMonitor
m=$(log_mark)
sup monitor SILENTMONITOR 41
check "monitor: occd dialled the leader's extension" \
	wait_log "$m" "supervising session=$sid leader=8001 mode=0" 2
t_mon_req=$T_REQ t_mon=$T_JOIN
sleep 3
t_mon_end=$(now)
groupadmin monitor
leader_heard monitor "$(add "$t_mon" 0.5)" "$(add "$t_mon_end" -0.2)" "$t_mon"
t_mon_bye=$T_BYE l_mon=$LDUMP
sleep 1.5

# b. whisper; the leader hangs up himself
m=$(log_mark)
sup whisper Whisper 48
t_wh_req=$T_REQ t_wh=$T_JOIN
sleep 3
t_wh_end=$(now)
tell lead hangup
check "whisper: the leader hangs up his phone: occd sees the BYE, the call goes on" eval '
	wait_log "$m" "leg closed session=$sid .*role=supervisor" 5 &&
	wait_log "$m" "supervision ended session=$sid" 2 &&
	ev lead CALL_CLOSED "$t_wh_end" 5 && t_wh_bye=$EV_T &&
	! since "$m" | grep "call ended session=$sid"'
check "whisper: the leader is idle again" leader_state idle
leader_heard whisper "$(add "$t_wh" 0.5)" "$(add "$t_wh_end" -0.2)" "$t_wh"
l_wh=$LDUMP
check "whisper over: hangup target=groupadmin answers 92" \
	api_exact 8001 'EVENT=HANGUP&target=groupadmin&targetagent=8002' '|Retuen|2|Retuen|BackMsg_92'
sleep 1.5

# c. intrude (barge-in)
m=$(log_mark)
sup barge INTRUDE 39
t_bar_req=$T_REQ t_bar=$T_JOIN
sleep 1.5
inv=$(invites lead)
for op in $SUP_OPS; do
	IFS=: read -r name _ failc <<<"$op"
	check "barge: supervising the supervised call fails: $name answers $failc" \
		api_exact 8001 "EVENT=$name&target=8002&phonenumber=8001" "|Retuen|2|Retuen|BackMsg_$failc"
done
sleep 1.5
t_bar_end=$(now)
check "barge: ... and dialled nobody (no INVITE to the leader's phone)" \
	expect_eq "INVITEs to the leader's phone" "$(invites lead)" "$inv"
groupadmin barge
leader_heard barge "$(add "$t_bar" 0.5)" "$(add "$t_bar_end" -0.2)" "$t_bar"
t_bar_bye=$T_BYE l_bar=$LDUMP
sleep 2.5

# d. forcedRelease
m=$(log_mark)
t_fr=$(now)
check "forcedRelease target=8002 answers BackMsg_46" \
	api_exact 8001 'EVENT=ForcedRelease&target=8002&phonenumber=8001' '|Retuen|1|Retuen|BackMsg_46'
check "forcedRelease: the call ends, hung up by the API" \
	wait_log "$m" "call ended session=$sid disposition=ANSWERED by=api" 5
check "forcedRelease: the agent's and the customer's phones get BYE" eval '
	ev agent CALL_CLOSED "$t_fr" 5 && got_bye agent && t_agent1=$EV_T &&
	ev cust CALL_CLOSED "$t_fr" 5 && got_bye cust && t_cust1=$EV_T'
check "forcedRelease: agent 8002 is idle again" api_exact 8002 'EVENT=AGENTSTATUS' '|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,'
check "forcedRelease on the ended call: 92" \
	api_exact 8001 'EVENT=ForcedRelease&target=8002&phonenumber=8001' '|Retuen|2|Retuen|BackMsg_92'
sleep 0.5      # the phones close their recordings

# who heard whom in call A, phase by phase: on the agent's and the
# customer's phones, and in occd's recording (left: the customer's ear,
# right: the agent's). PHASE FROM TO AGENT-HEARS CUSTOMER-HEARS, where a
# party's letter means heard (A agent, C customer, L leader) and nobody
# else is.
freq_of() { case $1 in A) echo $F_AGENT ;; C) echo $F_CUST ;; L) echo $F_LEAD ;; esac; }
expect_args() {  # expect_args HEARD: --hears/--level/--not for the three voices
	local p
	for p in A C L; do
		case $1 in
		*$p*) printf -- '--hears %s --level %s ' "$(freq_of $p)" "$(freq_of $p)" ;;
		*) printf -- '--not %s ' "$(freq_of $p)" ;;
		esac
	done
}
names() {  # names HEARD: "the customer and the leader"
	local out=() p
	for p in A C L; do
		case $1 in *$p*) out+=("$(case $p in A) echo the agent ;; C) echo the customer ;; L) echo the leader ;; esac)") ;; esac
	done
	local IFS=,
	echo "${out[*]}" | sed 's/,\([^,]*\)$/ and \1/; s/,/, /g'
}
others() {  # others HEARD: the voices not heard, "nobody else" if none
	local out=() p
	for p in A C L; do
		case $1 in *$p*) ;; *) out+=("$(case $p in A) echo the agent ;; C) echo the customer ;; L) echo the leader ;; esac)") ;; esac
	done
	local IFS=,
	[ ${#out[@]} -eq 0 ] && echo "nobody else" || echo "not ${out[*]}" | sed 's/,/ nor /g'
}

rec_a=$(ls "$data"/recordings/*/"$(cdr_field "$sid" recording)" 2>/dev/null)
agent_a=$(dump_of agent "$t_call")
cust_a=$(dump_of cust "$t_call")
check "call A: the phones' recordings have no gaps (each as long as its call)" \
	continuous "$agent_a" "$t_agent0" "$t_agent1" "$cust_a" "$t_cust0" "$t_cust1" \
	"$l_mon" "$t_mon" "$t_mon_bye" "$l_wh" "$t_wh" "$t_wh_bye" "$l_bar" "$t_bar" "$t_bar_bye"
while read -r phase from to ag cu; do
	check "$phase: the agent's phone hears $(names "$ag"), $(others "$ag")" \
		hears "$agent_a" "$t_agent0" "$from" "$to" $(expect_args "$ag")
	check "$phase: the customer's phone hears $(names "$cu"), $(others "$cu")" \
		hears "$cust_a" "$t_cust0" "$from" "$to" $(expect_args "$cu")
	check "$phase: recording, right (the agent's ear): $(names "$ag"), $(others "$ag")" \
		hears "$rec_a" "$t_rec0" "$from" "$to" --channel 1 $(expect_args "$ag")
	check "$phase: recording, left (the customer's ear): $(names "$cu"), $(others "$cu")" \
		hears "$rec_a" "$t_rec0" "$from" "$to" --channel 0 $(expect_args "$cu")
done <<-PHASES
	two-party $(add "$t_cust0" 0.6) $(add "$t_mon_req" -0.2) C A
	monitor $(add "$t_mon" 0.5) $(add "$t_mon_end" -0.2) C A
	after-monitor $(add "$t_mon_bye" 0.4) $(add "$t_wh_req" -0.2) C A
	whisper $(add "$t_wh" 0.5) $(add "$t_wh_end" -0.2) CL A
	after-whisper $(add "$t_wh_bye" 0.4) $(add "$t_bar_req" -0.2) C A
	barge $(add "$t_bar" 0.5) $(add "$t_bar_end" -0.2) CL AL
	after-barge $(add "$t_bar_bye" 0.4) $(add "$t_fr" -0.2) C A
PHASES

check "call A: CDR ANSWERED by the API; legs: agent, customer and three of the leader's, all answered" \
	expect_eq "cdr legs" "$(cdr_field "$sid" "disposition || '|' || hangup_by")|$(legs_of "$sid")" \
	"ANSWERED|api|agent|8002|ANSWERED customer|$CUST_NUMBER|ANSWERED supervisor|8001|ANSWERED supervisor|8001|ANSWERED supervisor|8001|ANSWERED "

# the stored events of the leader's legs: events.py --role supervisor
leader_events() {  # leader_events SID WANT
	local got
	got=$(python3 "$evlist" "$data/occ.db" "$1" --role supervisor)
	expect_eq "events per leader's leg (peer:event(activenum),...;)" "$got" "$2" && return 0
	echo "all the call's events (source event uniqueid activenum channel agent1):"
	python3 "$evlist" "$data/occ.db" "$1"
	return 1
}
check "call A: the stored events have a join and a hangup for each of the leader's three legs" \
	leader_events "$sid" "8001:join(8001),hangup(8001);8001:join(8001),hangup(8001);8001:join(8001),hangup(8001);"

# ---- 3. call B: the leader at an outside number, over the default trunk ------

check "a second trunk, mobile, becomes the default (the leader's outside number is behind it)" \
	trunk_add mobile "$bs_out" --default
m=$(log_mark)
t_callb=$(now)
check "call B: 8002 makeCall to the customer (trunk gw) answers BackMsg_19" \
	makecall 8002 "$CUST_NUMBER" gw
sidb=$(session_of "$m" 8002)
check "call B: agent and customer answer" eval '
	wait_log "$m" "call answered session=$sidb" 10 &&
	ev agent CALL_ESTABLISHED "$t_callb" && tb_agent0=$EV_T &&
	ev cust CALL_ESTABLISHED "$t_callb" && tb_cust0=$EV_T'
tb_rec0=$(log_time "$m" "call answered session=$sidb")
sleep 1.5

# the leader does not answer at OUT_RING: groupadmin cancels the ringing
tb_req=$(now)
m=$(log_mark)
check "call B: INTRUDE target=8002 phonenumber=$OUT_RING answers BackMsg_39" \
	api_exact 8001 "EVENT=INTRUDE&target=8002&phonenumber=$OUT_RING" '|Retuen|1|Retuen|BackMsg_39'
check "call B: the phone at $OUT_RING rings (INVITE sip:$OUT_RING@127.0.0.1:$bs_out over the default trunk)" eval '
	for _ in $(seq 1 50); do grep -q "^sip:$OUT_RING@[^ ]*: Incoming call" "$work/out/log" && break; sleep 0.1; done &&
	grep -q "^INVITE sip:$OUT_RING@127.0.0.1:$bs_out " "$work/out/log" &&
	since "$m" | grep -q "supervising session=$sidb leader=8001 mode=2"'
tb_ring=$(now)
sleep 1.5
check "call B: while the leader's phone rings, INTRUDE again answers 40" \
	api_exact 8001 "EVENT=INTRUDE&target=8002&phonenumber=$OUT_NUMBER" '|Retuen|2|Retuen|BackMsg_40'
tb_cancel=$(now)
check "call B: hangup target=groupadmin while it rings answers BackMsg_37" \
	api_exact 8001 'EVENT=HANGUP&target=groupadmin&targetagent=8002' '|Retuen|1|Retuen|BackMsg_37'
check "call B: the ringing phone gets CANCEL; the call goes on" eval '
	for _ in $(seq 1 50); do grep -q "^CANCEL sip:$OUT_RING@" "$work/out/log" && break; sleep 0.1; done &&
	grep -q "^CANCEL sip:$OUT_RING@" "$work/out/log" &&
	wait_log "$m" "supervision ended session=$sidb" 2 && ! since "$m" | grep "call ended"'
sleep 1

# the leader answers at OUT_NUMBER
m=$(log_mark)
tb_req=$(now)
check "call B: INTRUDE target=8002 phonenumber=$OUT_NUMBER answers BackMsg_39" \
	api_exact 8001 "EVENT=INTRUDE&target=8002&phonenumber=$OUT_NUMBER" '|Retuen|1|Retuen|BackMsg_39'
check "call B: the leader's outside phone is called over the default trunk (INVITE sip:$OUT_NUMBER@127.0.0.1:$bs_out) and answers" eval '
	ev out CALL_ESTABLISHED "$tb_req" && tb_join=$EV_T &&
	grep -q "^INVITE sip:$OUT_NUMBER@127.0.0.1:$bs_out " "$work/out/log" &&
	since "$m" | grep -q "supervising session=$sidb leader=8001 mode=2"'
sleep 3
# the agent holds the customer (silence=1) while the leader is on: the
# customer hears nobody, the agent and the leader go on talking
tb_hold=$(now)
check "call B: the agent holds the customer (Hold silence=1) answers BackMsg_52" \
	api_exact 8002 'EVENT=Hold&silence=1' '|Retuen|1|Retuen|BackMsg_52'
sleep 2.5
tb_fr=$(now)
m=$(log_mark)
check "call B: forcedRelease while the leader is on answers BackMsg_46" \
	api_exact 8001 'EVENT=ForcedRelease&target=8002&phonenumber=8001' '|Retuen|1|Retuen|BackMsg_46'
check "call B: the call ends; the agent's, the customer's and the leader's phones get BYE" eval '
	wait_log "$m" "call ended session=$sidb disposition=ANSWERED by=api" 5 &&
	ev agent CALL_CLOSED "$tb_fr" 5 && got_bye agent &&
	ev cust CALL_CLOSED "$tb_fr" 5 && got_bye cust &&
	ev out CALL_CLOSED "$tb_fr" 5 && got_bye out'
sleep 0.5
from=$(add "$tb_ring" 0.3) to=$(add "$tb_cancel" -0.2)
check "call B, the leader's phone ringing: the agent's phone hears the customer only" \
	hears "$(dump_of agent "$t_callb")" "$tb_agent0" "$from" "$to" $(expect_args C)
check "call B, the leader's phone ringing: the customer's phone hears the agent only" \
	hears "$(dump_of cust "$t_callb")" "$tb_cust0" "$from" "$to" $(expect_args A)
from=$(add "$tb_join" 0.5) to=$(add "$tb_hold" -0.2)
check "call B, barge: the agent's phone hears the customer and the leader, not the agent" \
	hears "$(dump_of agent "$t_callb")" "$tb_agent0" "$from" "$to" $(expect_args CL)
check "call B, barge: the customer's phone hears the agent and the leader, not the customer" \
	hears "$(dump_of cust "$t_callb")" "$tb_cust0" "$from" "$to" $(expect_args AL)
check "call B, barge: the leader's outside phone hears the agent and the customer, not the leader" \
	hears "$(dump_of out "$tb_req")" "$tb_join" "$from" "$to" $(expect_args AC)
rec_b=$(ls "$data"/recordings/*/"$(cdr_field "$sidb" recording)" 2>/dev/null)
check "call B, barge: recording, right (the agent's ear): the customer and the leader" \
	hears "$rec_b" "$tb_rec0" "$from" "$to" --channel 1 $(expect_args CL)
check "call B, barge: recording, left (the customer's ear): the agent and the leader" \
	hears "$rec_b" "$tb_rec0" "$from" "$to" --channel 0 $(expect_args AL)
from=$(add "$tb_hold" 0.5) to=$(add "$tb_fr" -0.2)
# (not on the customer's phone: baresip's sndfile stops recording what it
# hears at the hold re-INVITE, although the phone goes on receiving)
check "call B, barge, customer on hold: recording, left (the customer's ear): nobody, the leader neither" \
	hears "$rec_b" "$tb_rec0" "$from" "$to" --channel 0 $(expect_args "")
check "call B, barge, customer on hold: the agent's phone hears the leader, not the customer" \
	hears "$(dump_of agent "$t_callb")" "$tb_agent0" "$from" "$to" $(expect_args L)
check "call B, barge, customer on hold: recording, right (the agent's ear): the leader, not the customer" \
	hears "$rec_b" "$tb_rec0" "$from" "$to" --channel 1 $(expect_args L)
check "call B, barge, customer on hold: the leader's phone hears the agent" \
	hears "$(dump_of out "$tb_req")" "$tb_join" "$from" "$to" --hears $F_AGENT --not $F_LEAD
check "call B: CDR legs agent, customer, the leader unanswered at $OUT_RING, answered at $OUT_NUMBER" \
	expect_eq "cdr legs" "$(legs_of "$sidb")" \
	"agent|8002|ANSWERED customer|$CUST_NUMBER|ANSWERED supervisor|$OUT_RING|NO ANSWER supervisor|$OUT_NUMBER|ANSWERED "
check "call B: the stored events: a hangup for the leader's unanswered leg, a join and a hangup for the other" \
	leader_events "$sidb" "$OUT_RING:hangup($OUT_RING);$OUT_NUMBER:join($OUT_NUMBER),hangup($OUT_NUMBER);"

# ---- 4. a call not answered yet; the customer hangs up while monitored ------

m=$(log_mark)
check "call C: 8002 calls $OUT_RING (a phone that only rings) answers BackMsg_19" \
	makecall 8002 "$OUT_RING" mobile
sidc=$(session_of "$m" 8002)
check "call C: the customer rings" wait_log "$m" "customer ringing session=$sidc" 10
inv=$(invites lead)
for op in $SUP_OPS; do
	check "call C, not answered yet: ${op%%:*} answers 92" \
		api_exact 8001 "EVENT=${op%%:*}&target=8002&phonenumber=8001" '|Retuen|2|Retuen|BackMsg_92'
done
check "call C: nobody was dialled" eval '
	expect_eq "INVITEs to the leader phone" "$(invites lead)" "$inv" && ! since "$m" | grep supervising'
check "call C: hangup target=all; the call ends" eval '
	api_exact 8002 "EVENT=HANGUP&target=all" "|Retuen|1|Retuen|BackMsg_37" &&
	wait_log "$m" "call ended session=$sidc" 5'

m=$(log_mark)
t_calld=$(now)
check "call D: 8002 calls the customer answers BackMsg_19" \
	makecall 8002 "$CUST_NUMBER" gw
sidd=$(session_of "$m" 8002)
check "call D: answered" wait_log "$m" "call answered session=$sidd" 10
td_req=$(now)
check "call D: silentMonitor answers 41; the leader's phone answers" eval '
	api_exact 8001 "EVENT=SILENTMONITOR&target=8002&phonenumber=8001" "|Retuen|1|Retuen|BackMsg_41" &&
	ev lead CALL_ESTABLISHED "$td_req"'
sleep 1.5
td_bye=$(now)
tell cust hangup
check "call D: the customer hangs up while monitored: the call ends, hung up by the customer" \
	wait_log "$m" "call ended session=$sidd disposition=ANSWERED by=customer" 5
check "call D: the agent's and the leader's phones get BYE" eval '
	ev agent CALL_CLOSED "$td_bye" 5 && got_bye agent && ev lead CALL_CLOSED "$td_bye" 5 && got_bye lead'
check "call D: agent 8002 is idle again" \
	api_exact 8002 'EVENT=AGENTSTATUS' '|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,'
check "call D: CDR ANSWERED by the customer, legs agent, customer, leader" \
	expect_eq "cdr" "$(cdr_field "$sidd" "disposition || '|' || hangup_by")|$(legs_of "$sidd")" \
	"ANSWERED|customer|agent|8002|ANSWERED customer|$CUST_NUMBER|ANSWERED supervisor|8001|ANSWERED "
check "call D: the stored events: a join and a hangup for the leader's leg" \
	leader_events "$sidd" "8001:join(8001),hangup(8001);"

# call E: the leader's own call (he is its agent): he cannot supervise it,
# whatever phone he names (here an outside number, not in the call)
m=$(log_mark)
check "call E: the leader 8001 calls the customer himself: BackMsg_19" \
	makecall 8001 "$CUST_NUMBER" gw
side=$(session_of "$m" 8001)
check "call E: answered" wait_log "$m" "call answered session=$side" 10
m_e=$(log_mark)
inv=$(invites out)
for op in $SUP_OPS; do
	check "call E: ${op%%:*} of his own call (target 8001, at $OUT_NUMBER) answers 28[target]" \
		api_exact 8001 "EVENT=${op%%:*}&target=8001&phonenumber=$OUT_NUMBER" \
		'|Retuen|2|Retuen|BackMsg_28[target]'
done
check "call E: nobody was dialled, the call goes on" eval '
	expect_eq "INVITEs to the outside phone" "$(invites out)" "$inv" &&
	! since "$m_e" | grep -E "supervis|call ended"'
check "call E: hangup target=all; the call ends" eval '
	api_exact 8001 "EVENT=HANGUP&target=all" "|Retuen|1|Retuen|BackMsg_37" &&
	wait_log "$m" "call ended session=$side" 5'

# ---- 5. occd stops cleanly ----------------------------------------------------

stop_occd
check "no error-level lines in the occd log" eval '! grep "level=error" "$log"'

echo "1..$n"
[ "$failed" -eq 0 ]
