#!/usr/bin/env bash
# tests/sip/amd.sh — answering-machine detection on real calls: occd with
# `[amd] outbound = 1` (docs/DIALER.md) runs the detector on the customer
# leg of each makeCall from its answer, and the verdict lands in the log
# and in the CDR's vars (amd, amd_cause, amd_ms).
#
# Agent 8002 is a baresip that auto-answers; each customer is a baresip
# behind a trunk of its own that auto-answers and plays a WAV as its
# microphone over RTP (PCMU):
#   human    0.3 s of silence, "Hello?" (0.7 s of speech-like noise under
#            a syllable envelope), then silence       -> HUMAN, HUMAN
#   machine  0.3 s of silence, then words of 250 ms, 150 ms apart, for
#            6 s ("Hi, you have reached ...")          -> MACHINE, MAXWORDS
#   silent   nothing but silence                       -> MACHINE,
#                                                         INITIALSILENCE
#   hangup   a sipp UAS that answers, sends no audio and hangs up after
#            1 s, before any verdict                   -> HANGUP
# The same WAVs through occ-amd give the same verdicts (the tool and the
# tap share the detector; the tap adds RTP, G.711 and arrival times).
# Each verdict is logged once, the call goes on (the trial only records),
# and the CDR carries it.
#
# TAP output; non-zero exit on failure; every wait is bounded; everything
# it starts is stopped on exit. OCCD and OCCCTL override the binaries
# (default: the ASan build), OCC_AMD the tool (default build/occ-amd);
# KEEP=1 keeps the work directory (/tmp/occ-amd.*), kept anyway on failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
occd=${OCCD:-$root/build/asan/occd}
occctl=${OCCCTL:-$root/build/asan/occctl}
occ_amd=${OCC_AMD:-$root/build/occ-amd}
util=$here/lib/util.py
scen=$here/scenarios

. "$here/lib/harness.sh"
suite_begin amd

preflight "apt-get install baresip-core" baresip python3 curl
if [ ! -x "$occ_amd" ]; then
	nok "$occ_amd is built (make all)"
	exit 1
fi

take_ports 7
http_port=${P[0]} sip_port=${P[1]}
bs_agent=${P[2]} bs_human=${P[3]} bs_machine=${P[4]} bs_silent=${P[5]}
sp_hangup=${P[6]}
url=http://127.0.0.1:$http_port

cdr_field() { sql "SELECT $2 FROM cdr WHERE sessionid = ?" "$1"; }

# the greetings, 8 kHz mono 16-bit
python3 - "$work" <<'PY' || { nok "greeting WAVs generated"; exit 1; }
import math, random, struct, sys, wave
random.seed(7)
def sil(ms):
    return [0] * (ms * 8)
def burst(ms, peak=9000):
    out = []
    for i in range(ms * 8):
        env = 0.25 + 0.75 * abs(math.sin(math.pi * 4 * i / 8000 + 0.3))
        out.append(int(peak * env * (random.random() * 2 - 1)))
    return out
def write(name, s):
    with wave.open(f"{sys.argv[1]}/{name}.wav", "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
        w.writeframes(b"".join(struct.pack("<h", v) for v in s))
write("human", sil(300) + burst(700) + sil(15000))
m = sil(300)
for _ in range(15):
    m += burst(250) + sil(150)
write("machine", m + sil(9000))
write("silent", sil(16000))
write("agent", burst(16000, 3000))
PY

# ---- the tool on the greetings ---------------------------------------------

tool_is() {  # tool_is WAV REGEX
	local out
	out=$("$occ_amd" "$1" 2>&1)
	expect_match "occ-amd $(basename "$1")" "$out" "$2"
}
check "occ-amd: the human greeting is HUMAN (HUMAN)" tool_is "$work/human.wav" '^HUMAN HUMAN at '
check "occ-amd: the machine greeting is MACHINE (MAXWORDS)" tool_is "$work/machine.wav" '^MACHINE MAXWORDS at '
check "occ-amd: silence is MACHINE (INITIALSILENCE)" tool_is "$work/silent.wav" '^MACHINE INITIALSILENCE at 2500 ms'
check "occ-amd: a stereo or 16 kHz WAV is refused, exit status 2" eval '
	sox "$work/human.wav" -c 2 "$work/stereo.wav" && sox "$work/human.wav" -r 16000 "$work/wide.wav" &&
	{ "$occ_amd" "$work/stereo.wav"; [ $? -eq 2 ]; } && { "$occ_amd" "$work/wide.wav"; [ $? -eq 2 ]; } &&
	"$occ_amd" "$work/wide.wav" 2>&1 | grep -q "16000 Hz.*only PCM (1), mono, 8000 Hz, 16 bits"'

# ---- occd with [amd] outbound = 1, the phones ----------------------------------

printf '[amd]\noutbound = 1\n' >"$work/amd.ini"
start_occd "occd starts with [amd] outbound = 1 (sip 127.0.0.1:$sip_port)" --config "$work/amd.ini"

m=$(log_mark)
baresip_start agent "$work/agent.wav" \
	"<sip:8002@demo>;auth_user=8002;auth_pass=8002;outbound=\"sip:127.0.0.1:$sip_port\";answermode=auto;regint=300;audio_codecs=PCMU" \
	46000-46999 "$bs_agent"
for p in human:$bs_human:47 machine:$bs_machine:48 silent:$bs_silent:49; do
	IFS=: read -r who port rtp <<<"$p"
	baresip_start "$who" "$work/$who.wav" \
		"<sip:555100@127.0.0.1:$port>;regint=0;answermode=auto;audio_codecs=PCMU" \
		"${rtp}000-${rtp}999" "$port"
done
check "the agent's baresip (8002) registers" \
	wait_log "$m" 'registered team=demo exten=8002 contact=sip:8002' 10
check "a trunk per customer (human, machine, silent)" eval '
	trunk_add human $bs_human && trunk_add machine $bs_machine && trunk_add silent $bs_silent'
check "agent 8002 checks in" api_is 8002 'EVENT=QUEUE&type=1&list=1&deviceexten=8002' '|Retuen|1|'

# amd_call TRUNK STATUS CAUSE: 8002 calls the customer behind TRUNK; the
# verdict STATUS/CAUSE is logged within 8 s of the answer, once; the call
# goes on until the API hangs it up; the CDR's vars carry the verdict
amd_call() {
	local trunk=$1 status=$2 cause=$3 m sid vars
	m=$(log_mark)
	call_up "$trunk" 8002 "$trunk" 555100
	sid=$SID
	check "$trunk: amd verdict $status ($cause) in the log" \
		wait_log "$m" "amd verdict session=$sid uniqueid=[0-9]+ status=$status cause=$cause at_ms=" 8
	check "$trunk: the call is still up after the verdict (the trial only records)" eval '
		sleep 0.5 && ! since "$m" | grep -q "call ended session=$sid" &&
		expect_eq "verdicts" "$(since "$m" | grep -c "amd verdict session=$sid")" 1'
	m=$(log_mark)
	check "$trunk: hangup (target=all)" api_is 8002 'EVENT=HANGUP&target=all' '|Retuen|1|'
	check "$trunk: the call ends" wait_log "$m" "call ended session=$sid disposition=ANSWERED" 5
	vars=$(cdr_field "$sid" vars)
	check "$trunk: the CDR's vars carry amd=$status&amd_cause=$cause" \
		expect_match "cdr vars" "$vars" "^amd=$status&amd_cause=$cause&amd_ms=[0-9]+\$"
	AMD_MS=${vars##*amd_ms=}
}

amd_call human HUMAN HUMAN
# 0.3 + 0.7 + 0.8 s of the greeting on the detector's timeline; RTP that
# came before occd took the answer is not heard, so it may be earlier
check "human: decided 1.8 s into the call, give or take the start of RTP" eval '
	[ "${AMD_MS:-0}" -ge 1300 ] && [ "${AMD_MS:-0}" -le 3500 ] || { echo "amd_ms=$AMD_MS"; false; }'
amd_call machine MACHINE MAXWORDS
check "machine: decided at the third word (1.2 s into the greeting)" eval '
	[ "${AMD_MS:-0}" -ge 700 ] && [ "${AMD_MS:-0}" -le 3000 ] || { echo "amd_ms=$AMD_MS"; false; }'
amd_call silent MACHINE INITIALSILENCE
check "silent: decided at the initial silence, 2.5 s" eval '
	[ "${AMD_MS:-0}" -ge 2500 ] && [ "${AMD_MS:-0}" -le 2600 ] || { echo "amd_ms=$AMD_MS"; false; }'

# the customer hangs up before a verdict (sipp: customer_bye.xml, no RTP)
sipp_uas hangup "$sp_hangup" customer_bye.xml -key talkms 1000
hpid=$BG
check "hangup: a trunk to a customer who hangs up after 1 s" trunk_add hangup "$sp_hangup"
m=$(log_mark)
call_up hangup 8002 hangup 555100
sid=$SID
check "hangup: the customer hangs up first: amd verdict HANGUP, at about 1 s" eval '
	wait_log "$m" "amd verdict session=$sid uniqueid=[0-9]+ status=HANGUP cause= at_ms=" 8 &&
	wait_log "$m" "call ended session=$sid" 5'
check "hangup: the CDR's vars carry amd=HANGUP, no cause" \
	expect_match "cdr vars" "$(cdr_field "$sid" vars)" "^amd=HANGUP&amd_cause=&amd_ms=(9|1[0-9])[0-9][0-9]\$"
check "hangup: the sipp customer saw its BYE answered" sipp_result hangup "$hpid" 10

stop_occd
[ "$failed" -eq 0 ]
