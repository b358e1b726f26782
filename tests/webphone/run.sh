#!/usr/bin/env bash
# run.sh — the agent desktop's browser phone, end to end with real engines:
# headless Chromium (fake microphone playing a tone made with sox) runs
# /agent/'s JsSIP over a WebSocket to Kamailio, rtpengine turns its
# DTLS-SRTP/ICE/Opus into RTP/G.711 for occd (scripts/webphone.sh up), and
# a baresip phone (8002) plays another tone and records what it hears.
#
#   1. the page's policy allows [web] phone_ws; a wrong SIP password fails,
#      the right one registers 8001 (a ws contact in occd)
#   2. the browser calls 8002: each side hears the other's tone (Goertzel
#      in the page on the remote stream; audio.py on baresip's recording)
#   3. 8002 calls 8001: the browser rings, the agent answers, both hear;
#      muted, 8002 hears no tone
#   4. the desk's Call (makeCall): occd rings the browser first, then the
#      demo's virtual customer, whose tone the browser hears
#   5. the registrar counts a browser's wrong passwords per browser
#      (X-Occ-Client), so it does not lock out the proxy's other browsers
#   6. the wallboard: the leader 8001 registers his browser phone there;
#      8002 calls a customer (a second baresip, behind the trunk gw, its
#      own tone); Monitor, Whisper and Intrude on the page: occd calls the
#      browser, which answers by itself and hears agent and customer
#      (Goertzel in the page); who else hears the leader's tone is checked
#      on the agent's and the customer's recordings (supervision's hear.py):
#      monitor nobody, whisper the agent only, intrude both
#
# OCC_SCREENSHOT_DIR=docs/screenshots also saves the README's
# wallboard-phone.png (the leader monitoring with the browser phone).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
occd=${OCCD:-$root/build/asan/occd}
occctl=${OCCCTL:-$root/build/asan/occctl}
util=$root/tests/sip/lib/util.py
audio=$root/tests/sip/lib/audio.py
sipreg=$root/tests/sip/lib/sipreg.py
hear=$root/tests/supervision/lib/hear.py

. "$root/tests/sip/lib/harness.sh"
. "$root/tests/lib/browser.sh"
suite_begin webphone
preflight "scripts/deps.sh: kamailio kamailio-websocket-modules rtpengine-daemon baresip-core sox" \
	kamailio rtpengine baresip sox python3 curl
browser_ready "$here" playwright-core

take_ports 4
http_port=${P[0]} sip_port=${P[1]} bs_port=${P[2]} cust_port=${P[3]}
url=http://127.0.0.1:$http_port
# the tones: no harmonics of each other, away from hear.py's reference
# frequencies (1100, 1460, 2300, 2600 Hz)
browser_hz=600 peer_hz=1687 customer_hz=1000 cust_hz=907 cust_number=5551001

webphone_down() { "$root/scripts/webphone.sh" down "$work/webphone"; }
trap 'webphone_down; cleanup' EXIT
if "$root/scripts/webphone.sh" up "$work/webphone" "127.0.0.1:$sip_port" >"$work/webphone.env"; then
	ok "Kamailio and rtpengine start (scripts/webphone.sh up)"
else
	nok "Kamailio and rtpengine start (scripts/webphone.sh up)"
	exit 1
fi
. "$work/webphone.env"
cat >"$work/occ.conf" <<EOF2
[web]
phone_ws = $phone_ws
[sip]
webphone_proxy = $webphone_proxy
EOF2
start_occd "occd starts with [web] phone_ws = $phone_ws" --config "$work/occ.conf"

# the browser's microphone: a tone (Chromium loops the file)
sox -n -r 48000 -c 1 -b 16 "$work/browser.wav" synth 30 sine "$browser_hz" vol 0.5
python3 "$audio" wav "$work/peer.wav" --freq "$peer_hz" --secs 60
m=$(log_mark)
baresip_start peer "$work/peer.wav" \
	"<sip:8002@127.0.0.1>;auth_pass=8002;outbound=\"sip:127.0.0.1:$sip_port\";answermode=auto;regint=300;audio_codecs=PCMU" \
	46000-46499 "$bs_port"
check "baresip registers 8002" \
	wait_log "$m" "registered team=demo exten=8002 contact=sip:8002[^@]*@127.0.0.1:$bs_port" 10
# the customer of 6.: a baresip behind the trunk gw, playing its tone
python3 "$audio" wav "$work/cust.wav" --freq "$cust_hz" --secs 60
baresip_start cust "$work/cust.wav" \
	"<sip:$cust_number@127.0.0.1:$cust_port>;regint=0;answermode=auto;audio_codecs=PCMU" \
	46500-46999 "$cust_port"
check "the trunk gw leads to the customer's phone" trunk_add gw "$cust_port"

OCC_URL=$url OCC_LOG=$log BROWSER_WAV=$work/browser.wav BROWSER_HZ=$browser_hz \
	PEER_HZ=$peer_hz PEER_CTRL=$((bs_port + 2)) CUSTOMER_HZ=$customer_hz \
	CUST_HZ=$cust_hz CUST_NUMBER=$cust_number \
	timeout -k 5 210 node "$here/test_webphone.mjs" | tee "$work/node.tap" |
	awk -v base="$n" '/^(not )?ok [0-9]+ /{ sub(/^(not )?ok [0-9]+/, ($1 == "not" ? "not ok " : "ok ") (++base)) } /^1\.\./{ next } { print }'
node_n=$(grep -cE '^(not )?ok ' "$work/node.tap")
node_failed=$(grep -cE '^not ok ' "$work/node.tap")
n=$((n + node_n)) failed=$((failed + node_failed))
grep -q '^1\.\.' "$work/node.tap" || nok "the browser test ran to its end"

# what 8002 heard: its recordings of the two calls, oldest first
tval() { sed -n "s/^# $1=//p" "$work/node.tap"; }
mapfile -t recs < <(ls -tr "$work"/peer/rec/*-dec.wav 2>/dev/null)
check "baresip recorded the three calls" expect_eq recordings "${#recs[@]}" 3
check "8002 hears the browser's $browser_hz Hz on the call the browser placed" \
	python3 "$audio" tone "${recs[0]:-none}" --freq "$browser_hz" --from 1 --min-frac 0.6
check "8002 hears the browser's $browser_hz Hz on the call the browser took" \
	python3 "$audio" tone "${recs[1]:-none}" --freq "$browser_hz" --from 1 --to 4 --min-frac 0.6
t_in=$(tval T_IN_START) t_mute=$(tval T_MUTE) t_mute_end=$(tval T_MUTE_END)
if [ -n "$t_in" ] && [ -n "$t_mute" ] && [ -n "${recs[1]:-}" ]; then
	# the recording starts when 8002's call is answered, shortly after T_IN_START
	from=$(python3 -c "print(max(0, $t_mute - $t_in - 0.5))")
	to=$(python3 -c "print($t_mute_end - $t_in - 1.5)")
	check "muted in the browser, 8002 hears no tone" \
		python3 "$audio" tone "${recs[1]}" --freq "$browser_hz" --from "$from" --to "$to" --absent
else
	nok "muted in the browser, 8002 hears no tone (no times from the browser test)"
fi

# ---- 6. who hears the leader: the agent's and the customer's recordings ----
# (each starts when its phone answered; the windows are those in which the
# page measured, the leader's microphone sending all along)
sid=$(session_of 0 8002)
t_agent0=$(log_time 0 "agent answered session=$sid")
t_cust0=$(log_time 0 "call answered session=$sid")
cust_rec=$(ls "$work"/cust/rec/*-dec.wav 2>/dev/null | head -1)
heard_in() {  # heard_in WAV T0 OP HEAR.PY-ARGS...: in OP's window
	local from to
	from=$(tval "T_$3_FROM") to=$(tval "T_$3_TO")
	[ -n "$2" ] && [ -n "$from" ] && [ -n "$to" ] || { echo "no times (T0 '$2', $3 '$from'-'$to')"; return 1; }
	python3 "$hear" "${1:-none}" --t0 "$2" --from "$from" --to "$to" "${@:4}"
}
# heard_by WHO OP WHAT HEAR.PY-ARGS...: one check on the agent's or the
# customer's recording
heard_by() {
	if [ "$1" = agent ]; then set -- "${recs[2]:-}" "$t_agent0" "$@"
	else set -- "$cust_rec" "$t_cust0" "$@"; fi
	check "$4: the $3 hears $5" heard_in "$1" "$2" "${4^^}" "${@:6}"
}
heard_by agent monitor "the customer, not the leader" --hears "$cust_hz" --not "$browser_hz"
heard_by customer monitor "the agent, not the leader" --hears "$peer_hz" --not "$browser_hz"
heard_by agent whisper "the customer and the leader" --hears "$cust_hz" --hears "$browser_hz"
heard_by customer whisper "the agent, not the leader" --hears "$peer_hz" --not "$browser_hz"
heard_by agent intrude "the customer and the leader" --hears "$cust_hz" --hears "$browser_hz"
heard_by customer intrude "the agent and the leader" --hears "$peer_hz" --hears "$browser_hz"

# ---- 5. wrong passwords are counted per browser ------------------------------
# 12 wrong digests for 8003 "from a browser" (X-Occ-Client, sent from the
# proxy's address) lock that browser out; another browser behind the same
# proxy (the right password) still registers
good() { SIPREG_HEADER="X-Occ-Client: $1" python3 "$sipreg" reg "$sip_port" demo 8003 8003; }
SIPREG_HEADER="X-Occ-Client: 192.0.2.7" python3 "$sipreg" guess "$sip_port" demo 8003 12 >/dev/null
check "the browser that guessed is locked out (403 without a digest check)" \
	expect_eq "locked out" "$(good 192.0.2.7)" "401 403"
check "another browser behind the proxy still registers" \
	expect_eq "another browser" "$(good 192.0.2.8)" "401 200"
check "a client without the header, from the proxy's address, is not locked out" \
	expect_eq "no header" "$(python3 "$sipreg" reg "$sip_port" demo 8003 8003)" "401 200"

webphone_down
stop_occd
check "no error-level lines in the occd log" eval '! grep "level=error" "$log"'
echo "1..$n"
[ "$failed" -eq 0 ]
