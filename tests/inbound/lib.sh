# lib.sh — helpers the inbound suites (run.sh, branches.sh, stats.sh)
# share: a caller from outside, its final answer, the call's session and
# events, agents checking in and out, importing a team's routing, prompt
# WAVs.
# Sourced after tests/sip/lib/harness.sh and calls.sh, with here and root
# set; it sets the paths below. The suite sets work, data, log, sip_port,
# url and F_CALLER.

occd=${OCCD:-$root/build/asan/occd}
occctl=${OCCCTL:-$root/build/asan/occctl}
caller_xml=$root/tests/inbound/scenarios/caller.xml
mp=$root/tests/multiparty/lib/mp.py
util=$root/tests/sip/lib/util.py

# caller FLOW NAME PORT DID CID TALKMS [RTPPORT]: a caller from 127.0.0.1
# (SRC=127.0.0.2: from there) dialling DID as CID, speaking F_CALLER from
# an mp.py peer on RTPPORT; it hangs up after TALKMS unless occd does
# first. Its files are in $work/FLOW/NAME; SIPP_NAME, PEER_NAME.
caller() {
	sipp_dial "$1" "$2" "$3" "$4" "$5" "$6" "${7:-0}" "$caller_xml"
}

# sipp_dial FLOW NAME PORT TARGET CID TALKMS RTPPORT XML [SIPP-ARG...]:
# what caller() does, with the scenario XML (its TALK_MS replaced) and
# more arguments for sipp (phones_in.sh: -au/-ap to answer a challenge)
sipp_dial() {
	local flow=$1 name=$2 port=$3 target=$4 cid=$5 talk=$6 rtp=${7:-0}
	local xml=$8 d=$work/$1/$2 src=${SRC:-127.0.0.1}
	shift 8
	mkdir -p "$d"
	sed "s/TALK_MS/$talk/" "$xml" >"$d/scenario.xml"
	if [ "$rtp" != 0 ]; then
		python3 "$mp" peer --port "$rtp" --dir "$d" --send "$F_CALLER" \
			--secs 60 >"$d/peer.out" 2>&1 &
		pids+=("$!")
		printf -v "PEER_$name" %s "$!"
		wait_file "$d/ready" 10 >/dev/null
	fi
	(cd "$d" && exec timeout -k 2 60 sipp -sf scenario.xml -s "$target" "127.0.0.1:$sip_port" \
		-i "$src" -mi 127.0.0.1 -p "$port" -mp "$((port + 2))" -m 1 -nostdin \
		"$@" -timeout 50s -timeout_error -key cid "$cid" -key rtpport "$rtp" \
		-trace_msg -message_file msgs.log -trace_err -error_file err.log \
		-trace_logs -log_file log.log) >"$d/sipp.out" 2>&1 &
	sipp_started "$d" "$name"
}

# status_is FLOW NAME CODE: the caller's INVITE got CODE as its final answer
status_is() {
	wait_file "$work/$1/$2/status.txt" 10 >/dev/null
	expect_eq "final status" "$(cat "$work/$1/$2/status.txt" 2>/dev/null)" "$3"
}

# inbound_sid MARK DID: the session of the inbound call to DID since MARK
inbound_sid() {
	since "$1" | sed -n "s/.*inbound call session=\([0-9a-f]*\) team=demo did=$2 .*/\1/p" | tail -1
}

# event_text SID SOURCE EVENT: the stored text of the call's first such event
event_text() {
	python3 - "$data/occ.db" "$1" "$2" "$3" <<-'EOF'
		import sqlite3, sys
		db, sid, src, ev = sys.argv[1:]
		c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
		for (t,) in c.execute("SELECT text FROM events WHERE text LIKE ? ORDER BY eventid",
		                      (f"%sessionid={sid}&%",)):
		    if f"source={src}&" in t and f"event={ev}&" in t:
		        print(t)
		        break
	EOF
}

# checkin AGENT GROUP EXTEN: the agent checks in to GROUP on EXTEN
checkin() {
	api_is "$1" "EVENT=QUEUE&type=1&list=$2&deviceexten=$3" "|Retuen|1|"
}
checkout() {
	api_is "$1" "EVENT=QUEUE&type=2&list=$2" "|Retuen|1|"
}

# import FILE: the team's routing, loaded by occd
import_routing() {
	local m
	m=$(log_mark)
	"$occctl" --data "$data" routing import demo "$1" &&
		wait_log "$m" 'provisioning reloaded' 10
}

# tone_wav FILE FREQ SECS: a prompt recording of SECS seconds of FREQ Hz
tone_wav() {
	mkdir -p "$(dirname "$1")"
	python3 - "$1" "$2" "$3" <<-'EOP'
		import math, struct, sys, wave
		w = wave.open(sys.argv[1], "wb")
		w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
		f, n = float(sys.argv[2]), int(float(sys.argv[3]) * 8000)
		w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * f * i / 8000)))
		                       for i in range(n)))
		w.close()
	EOP
}

# press FLOW NAME KEYS: the caller's peer sends KEYS (RFC 4733)
press() {
	echo "$3" >"$work/$1/$2/keys.tmp" && mv "$work/$1/$2/keys.tmp" "$work/$1/$2/keys"
}
