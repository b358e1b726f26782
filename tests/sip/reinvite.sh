#!/usr/bin/env bash
# tests/sip/reinvite.sh — re-INVITEs the far end sends occd during a call
# (libre's sipsess offer handler, leg_sip_offer), against the ASan occd
# with the demo data and [media] timeout = 2. In two calls (8001 makes
# each over trunk gw) one party is sipp running scenarios/reinviter.xml,
# which re-INVITEs occd: Hold (a=sendonly), resume, a=inactive, resume, a
# session refresh (RFC 4028, the same SDP) and a re-INVITE without SDP
# (occd offers in its 200, the ACK answers). The other party is
# tests/multiparty/scenarios/customer.xml, which notes any re-INVITE occd
# sends it. Each party has an mp.py peer speaking its own tone (agent
# 770 Hz PCMU, customer 1130 Hz PCMA) and logging what occd sends it.
#   1. phone: the agent's desk phone presses Hold and mutes, as phones
#      do (RFC 3264 8.4), for 7.5 s, past the media timeout and its 5 s
#      check.
#   2. carrier: the customer's carrier holds occd and plays its music on
#      hold (its peer goes on sending) for 2 s.
# Checked at each step: the direction of occd's answer (recvonly to
# sendonly, inactive to inactive, sendrecv otherwise); occd sends the
# holding party no RTP at all while it holds (SendDtmf to it is refused,
# BackMsg_98); what the other party hears meanwhile (silence at the ptime
# from a muted phone, the carrier's music passed through); both hear each
# other again after each resume, without a gap across the refresh, and
# after the offer/answer of the re-INVITE without SDP (occd's offer:
# PCMU, PCMA, telephone-event, sendrecv; the ACK's answer puts the other
# codec first, and occd sends that from then on); the call is not
# dropped for media timeout while a phone holds without sending; occd
# re-INVITEs nobody (the hold is not passed on); HANGUP target=all ends
# the call, the CDR says ANSWERED.
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
holder=$here/scenarios/reinviter.xml
F_AGENT=770 F_CUST=1130

. "$here/lib/harness.sh"
. "$here/lib/calls.sh"
suite_begin reinvite
preflight "apt-get install sip-tester" sipp python3 curl

take_ports 6
http_port=${P[0]} sip_port=${P[1]} ag_port=${P[2]} cu_port=${P[3]}
rtp_ag=${P[4]} rtp_cu=${P[5]}
url=http://127.0.0.1:$http_port

# step FLOW NAME N: wait (15 s at most) for occd's answer to the Nth
# re-INVITE of the party NAME; R and A: when it was sent and answered
step() {
	local d=$work/$1/$2 i
	for ((i = 0; i < 150; i++)); do
		[ "$(wc -l <"$d/answers.txt" 2>/dev/null || echo 0)" -ge "$3" ] && break
		sleep 0.1
	done
	R=$(sed -n "$3p" "$d/sent.txt" | cut -d' ' -f1)
	A=$(sed -n "$3p" "$d/answers.txt" | cut -d' ' -f1)
	R=${R:-0} A=${A:-0}
}
# answer_is FLOW NAME N DIR: the direction in occd's answer to the Nth
answer_is() {
	expect_eq "answer $3 of $(sed -n "$3p" "$work/$1/$2/sent.txt" | cut -d' ' -f2)" \
		"$(sed -n "$3p" "$work/$1/$2/answers.txt" | cut -d' ' -f2)" "$4"
}
# rtp_is FLOW NAME FROM TO none|PT: the RTP NAME's peer got in [FROM, TO]
# (read once the window has passed): none at all (no audio, no
# telephone-event), or audio in payload type PT only, 40 packets a second
# or more
rtp_is() {
	python3 - "$work/$1/$2/rtp.jsonl" "${@:3}" <<'PY'
import collections, json, sys, time
log, a, b, want = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
time.sleep(min(max(0, b + 0.15 - time.time()), 30))
got = collections.Counter(p["pt"] for p in map(json.loads, open(log)) if a <= p["t"] <= b)
ok = not got if want == "none" else (
    set(got) == {int(want)} and got[int(want)] >= 40 * (b - a))
print(f"[{a:.2f}, {b:.2f}] packets by payload type: {dict(got)}, want {want}")
sys.exit(0 if ok else 1)
PY
}
# talk FLOW FROM TO: the agent hears the customer and the customer the agent
talk() {
	hears "$1" agent "$2" "$3" --tone $F_CUST && hears "$1" cust "$2" "$3" --tone $F_AGENT
}
# offer_ok LOG CSEQ: occd's 200 to the INVITE with CSeq CSEQ (sipp's
# message LOG) carries an SDP offer: audio at occd's address, PCMU, PCMA
# and telephone-event, sendrecv
offer_ok() {
	python3 - "$@" <<'PY'
import re, sys
log, cseq = sys.argv[1:]
for m in re.split(r"\n-{20,}[^\n]*\n", open(log).read()):
    m = m.replace("\r", "")
    if re.search(r"^SIP/2\.0 200", m, re.M) and re.search(rf"^CSeq: {cseq} INVITE", m, re.M):
        body = m.split("\n\n", 2)[-1] if "\nv=0" in m else ""
        mline = re.search(r"^m=audio [0-9]+ RTP/AVP ([0-9 ]+)$", body, re.M)
        if not mline or sorted(mline[1].split()) != ["0", "101", "8"]:
            sys.exit(f"the 200's m= line does not offer 0, 8, 101:\n{m}")
        want = [r"^c=IN IP4 127\.0\.0\.1$",
                r"^a=rtpmap:0 PCMU/8000$", r"^a=rtpmap:8 PCMA/8000$",
                r"^a=rtpmap:101 telephone-event/8000$", r"^a=sendrecv$"]
        miss = [w for w in want if not re.search(w, body, re.M)]
        sys.exit(f"the 200 misses {miss}:\n{m}" if miss else 0)
sys.exit(f"no 200 to CSeq {cseq} INVITE in {log}")
PY
}

conf=$work/occd.conf
printf '[media]\ntimeout = 2\n' >"$conf"
start_occd "occd starts with the demo data, [media] timeout = 2 (sip 127.0.0.1:$sip_port)" --config "$conf"
check "phone 8001 registers; trunk gw to the customers" eval '
	phone_reg reg8001 "$ag_port" 8001 && trunk_add gw "$cu_port"'
check "8001 logs in to group 1" api_is 8001 "EVENT=QUEUE&type=1&list=1&deviceexten=8001" "|Retuen|1|"

# reinvites FLOW HOLDER OTHER HOLD1 MOH: a call in which HOLDER (agent or
# cust) re-INVITEs occd as scenarios/reinviter.xml does, holding HOLD1 ms
# first; MOH=1: it plays music on hold then (its peer keeps sending, and
# OTHER hears it), else it mutes (OTHER hears silence)
reinvites() {
	local f=$1 h=$2 o=$3 hold1=$4 moh=$5 m t_ans r1 a1 r2 a2 r3 a3 r4 a4 r5 a5 a6 dtmf
	local -A port=([agent]=$ag_port [cust]=$cu_port) rtp=([agent]=$rtp_ag [cust]=$rtp_cu)
	local -A freq=([agent]=$F_AGENT [cust]=$F_CUST) pt=([agent]=0 [cust]=8)
	local -A alt=([agent]="8 PCMA" [cust]="0 PCMU")
	# the holder's peer honours ./held: silent while the phone mutes
	HONOUR=1 phone $f "$h" "${port[$h]}" "$holder" 200 "${freq[$h]}" "${pt[$h]}" "${rtp[$h]}" \
		-set hold1 "$hold1" -key moh "$moh" -key altpt "${alt[$h]% *}" -key altcodec "${alt[$h]#* }"
	phone $f "$o" "${port[$o]}" customer.xml 200 "${freq[$o]}" "${pt[$o]}" "${rtp[$o]}"
	m=$(log_mark)
	call_up $f 8001 gw 5550101
	t_ans=$(tfile "$work/$f/cust/answer.txt")

	step $f "$h" 1
	r1=$R a1=$A
	# at once, while it holds (the checks below take their time)
	[ "$moh" = 1 ] && dtmf=$(api 8001 "EVENT=SendDtmf&dtmf=5")
	check "$f: before any re-INVITE the agent and the customer hear each other" \
		talk $f "$(at "$t_ans" 0.4)" "$(at "$r1" -0.1)"
	check "$f: Hold (a=sendonly): occd answers a=recvonly" answer_is $f "$h" 1 recvonly
	step $f "$h" 2
	r2=$R a2=$A
	check "$f: while $h holds ($hold1 ms) occd sends it no RTP" \
		rtp_is $f "$h" "$(at "$a1" 0.1)" "$(at "$r2" -0.1)" none
	if [ "$moh" = 1 ]; then
		check "$f: sendDtmf while $h holds: refused (BackMsg_98), no telephone-event to it" eval '
			expect_match "sendDtmf 5" "$dtmf" "BackMsg_98\$" &&
			rtp_is $f "$h" "$(at "$a1" 0.1)" "$(at "$r2" -0.1)" none' 
		check "$f: meanwhile $o hears the music $h plays on hold (passed through)" \
			hears $f "$o" "$(at "$a1" 0.3)" "$(at "$r2" -0.1)" --tone "${freq[$h]}"
	else
		check "$f: meanwhile $o hears silence (RTP at the ptime), not a dead line" \
			hears $f "$o" "$(at "$a1" 0.3)" "$(at "$r2" -0.1)" --quiet --pps 40:60
		check "$f: $h muted on hold past [media] timeout (2 s) and its check: the call stays" eval '
			! since "$m" | grep -E "media timeout|call ended session=$SID"'
	fi
	check "$f: resume (a=sendrecv): occd answers a=sendrecv" answer_is $f "$h" 2 sendrecv
	step $f "$h" 3
	r3=$R a3=$A
	check "$f: after resume both hear each other again" \
		talk $f "$(at "$a2" 0.4)" "$(at "$r3" -0.1)"
	check "$f: a=inactive: occd answers a=inactive" answer_is $f "$h" 3 inactive
	step $f "$h" 4
	r4=$R a4=$A
	check "$f: while inactive occd sends $h no RTP; $o hears silence (RTP at the ptime)" eval '
		rtp_is $f "$h" "$(at "$a3" 0.1)" "$(at "$r4" -0.1)" none &&
		hears $f "$o" "$(at "$a3" 0.3)" "$(at "$r4" -0.1)" --quiet --pps 40:60'
	check "$f: resume: occd answers a=sendrecv" answer_is $f "$h" 4 sendrecv
	step $f "$h" 5
	r5=$R a5=$A
	check "$f: after resume both hear each other again" \
		talk $f "$(at "$a4" 0.4)" "$(at "$r5" -0.1)"
	check "$f: session refresh (Session-Expires, the same SDP): occd answers a=sendrecv" \
		answer_is $f "$h" 5 sendrecv
	check "$f: across the refresh neither side misses a packet (no gap over 0.1 s); both hear the other after it" eval '
		hears $f agent "$(at "$r5" -1)" "$(at "$a5" 1.5)" --max-gap 0.1 &&
		hears $f cust "$(at "$r5" -1)" "$(at "$a5" 1.5)" --max-gap 0.1 &&
		talk $f "$(at "$a5" 0.2)" "$(at "$a5" 1.8)"'
	step $f "$h" 6
	a6=$A
	check "$f: re-INVITE without SDP: occd's 200 offers (PCMU, PCMA, telephone-event, sendrecv)" eval '
		answer_is $f "$h" 6 sendrecv && offer_ok "$work/$f/$h/msgs.log" 16'
	check "$f: the ACK's answer put ${alt[$h]#* } first: occd sends $h ${alt[$h]#* } from then on" \
		rtp_is $f "$h" "$(at "$a6" 0.2)" "$(at "$a6" 1.5)" "${alt[$h]% *}"
	check "$f: both hear each other after it" \
		talk $f "$(at "$a6" 0.4)" "$(at "$a6" 2)"
	check "$f: occd did not pass the hold on: it re-INVITEd $o not once" eval '
		expect_eq "re-INVITEs to $o" "$(wc -l <"$work/$f/$o/reinvites.txt")" 0'
	m=$(log_mark)
	check "$f: hangup target=all ends the call; both phones get BYE" eval '
		api_is 8001 "EVENT=HANGUP&target=all" "|Retuen|1|" &&
		wait_log "$m" "call ended session=$SID" 5 && phone_done $f agent 5 && phone_done $f cust 5'
	peers_stop agent cust
	check "$f: the CDR says ANSWERED" eval '
		expect_eq disposition "$(sql "SELECT disposition FROM cdr WHERE sessionid = ?" "$SID")" ANSWERED'
	check "$f: 8001 idle again" eval 'state_is 8001 acw >/dev/null && api_is 8001 EVENT=ACWOFF "|Retuen|1|" ; state_is 8001 idle'
}

# 1. the agent's desk phone holds (and mutes) past the media timeout
reinvites phone agent cust 7500 0
# 2. the customer's carrier holds occd with its music on hold
reinvites carrier cust agent 2000 1

stop_occd
echo "1..$n"
[ "$failed" -eq 0 ]
