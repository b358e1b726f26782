#!/usr/bin/env bash
# tests/sip/phones.sh — phones as people set them up (issue 10, item 7):
# the SIP domain is occd's address rather than the team, against the ASan
# occd with the demo data (teams demo and acme):
#   1. each way of naming the team registers: the domain (8002@demo), the
#      digest username (8002@demo, demo/8002) with occd's address or a host
#      name as domain, and the number alone where it is in one team only;
#      the realm challenged is the team's;
#   2. a number in two teams (8003, added to acme) registers only with a
#      username that names the team; alone it is refused;
#   3. numbers cannot be probed: an unknown extension gets the same
#      answers as a known one with a wrong password (status codes and
#      headers but the nonce; with an IP domain the realm of a number in
#      no team is a team's too);
#   4. makeCall rings a phone registered with occd's address as domain
#      (the INVITE goes to its Contact);
#   5. real phones (baresip) set up that way: auth user demo/8005 registers,
#      answers makeCall and talks; auth user 8003@<team> for the number in
#      two teams registers through a second challenge (the phone first
#      hashes with the other team's realm and sends both credentials).
# The SIP client is tests/sip/lib/sipreg.py. Output is TAP; OCCD/OCCCTL
# override the binaries; KEEP=1 keeps the work directory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
occd=${OCCD:-$root/build/asan/occd}
occctl=${OCCCTL:-$root/build/asan/occctl}
util=$here/lib/util.py
sipreg=$here/lib/sipreg.py

. "$here/lib/harness.sh"
suite_begin phones
preflight "apt-get install python3 curl baresip-core" python3 curl baresip

take_ports 5
http_port=${P[0]} sip_port=${P[1]} phone_port=${P[2]}
bs1_port=${P[3]} bs2_port=${P[4]}       # baresips (each takes +1, +2)
url=http://127.0.0.1:$http_port

reg() { python3 "$sipreg" reg "$sip_port" "$@"; }
reg_is() {  # reg_is WANT DOMAIN USER PASSWORD [OPTIONS]
	local want=$1
	shift
	expect_eq "REGISTER $2@$1 ${*:4}" "$(reg "$@" 2>&1)" "$want"
}
reg_like() {  # reg_like REGEX DOMAIN USER PASSWORD [OPTIONS]
	local want=$1 got
	shift
	got=$(reg "$@" 2>&1)
	[[ "$got" =~ ^($want)$ ]] && return 0
	echo "REGISTER $2@$1 ${*:4}: got '$got', want /$want/"
	return 1
}
realms() {  # realms DOMAIN USER PASSWORD [OPTIONS]: the realms challenged
	reg "$@" --show | sed -n 's/^realm=//p' | grep -v '^-$' | sort -u | tr '\n' ' '
}
# answers DOMAIN USER PASSWORD: what a registration got, realm masked
answers() { reg "$@" --show | grep -v '^realm=' | sed 's/realm="[^"]*"/realm="R"/'; }
same_answers() {  # same_answers KNOWN UNKNOWN DOMAIN
	local a b
	a=$(answers "$3" "$1" wrong)
	b=$(answers "$3" "$2" wrong)
	[ "$a" = "$b" ] && [ -n "$a" ] && return 0
	echo "exten $1:"; echo "$a"; echo "exten $2:"; echo "$b"
	return 1
}

start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)"

# ---- 1. the three ways of naming the team -----------------------------------

check "domain = team (8002@demo): 401, then 200" reg_is "401 200" demo 8002 8002
check "domain = occd's address, username 8002@demo: 401, then 200" \
	reg_is "401 200" 127.0.0.1 8002 8002 --auth-user 8002@demo
check "domain = occd's address, username demo/8002: 401, then 200" \
	reg_is "401 200" 127.0.0.1 8002 8002 --auth-user demo/8002
check "domain = another address (192.0.2.10), number alone (8002 is only in demo): 200" \
	reg_is "401 200" 192.0.2.10 8002 8002
check "domain = a host name that is not a team, number alone: 200" \
	reg_is "401 200" pbx.example.com 8002 8002
check "the realm challenged for the number alone is its team's" \
	expect_eq realms "$(realms 127.0.0.1 8002 8002)" "demo "
check "the username's team must be the domain's when that is a team: 403" \
	reg_is "401 403" demo 8002 8002 --auth-user 8002@acme
check "a wrong password with a username form: 403" \
	reg_is "401 403" 127.0.0.1 8002 wrong --auth-user 8002@demo
check "occd logs the binding under demo" \
	eval 'grep -q "registered team=demo exten=8002 contact=sip:8002@127.0.0.1:" "$log"'

# ---- 2. a number in two teams -------------------------------------------------------

check "8003 added to team acme too (occctl exten add)" provision exten add acme 8003 acme8003
check "8003 in two teams, number alone: 401, then 403" reg_is "401 403" 127.0.0.1 8003 8003
check "8003 with username 8003@demo: 200 (a second challenge, for demo, if the first named another realm)" \
	reg_like "401 200|401 401 200" 127.0.0.1 8003 8003 --auth-user 8003@demo
check "8003 with username acme/8003 and acme's secret: 200" \
	reg_like "401 200|401 401 200" 127.0.0.1 8003 acme8003 --auth-user acme/8003
check "... and with demo's secret: 403" \
	reg_like "401 403|401 401 403" 127.0.0.1 8003 8003 --auth-user acme/8003
# the first challenge for 8003 names one of its teams; a username naming
# the other is challenged again, for that team
first=$(realms 127.0.0.1 8003 8003 | tr -d " ")
if [ "$first" = demo ]; then other=acme secret=acme8003; else other=demo secret=8003; fi
check "8003@$other (first challenged for $first): 401, 401 for $other, then 200" \
	reg_is "401 401 200" 127.0.0.1 8003 "$secret" --auth-user "8003@$other"
check "... also when the phone sends the credentials of both realms, the old one first" \
	reg_is "401 401 200" 127.0.0.1 8003 "$secret" --auth-user "8003@$other" --all-realms
check "occd logs both bindings" eval '
	grep -q "registered team=demo exten=8003" "$log" && grep -q "registered team=acme exten=8003" "$log"'

# ---- 3. no probing ---------------------------------------------------------------------

check "domain = team: an unknown extension (8099) gets the answers of a known one (8002) with a wrong password" \
	same_answers 8002 8099 demo
check "domain = occd's address: the same, realm aside" same_answers 8002 8099 127.0.0.1
check "domain = occd's address: a number in no team is challenged with a team's realm" \
	eval 'r=$(realms 127.0.0.1 8099 8099); [[ "$r" =~ ^(demo|acme)\ $ ]] || { echo "realms: $r"; false; }'
check "... and the same realm each time" \
	eval '[ "$(realms 127.0.0.1 8099 8099)" = "$(realms 127.0.0.1 8099 8099)" ]'
check "unknown extension with a username form: 403 like a wrong password" \
	reg_like "401 403|401 401 403" 127.0.0.1 8099 8099 --auth-user 8099@demo
check "unknown team in the username: 403 like a wrong password" \
	reg_like "401 403|401 401 403" 127.0.0.1 8002 8002 --auth-user 8002@nosuchteam

# ---- 4. makeCall rings a phone registered with occd's address ------------------------

sink_log=$work/phone.log
: >"$sink_log"
python3 "$sipreg" sink "$phone_port" "$sink_log" 60 &
pids+=("$!")
check "8004 registers with domain 127.0.0.1 and its Contact on port $phone_port" \
	reg_is "401 200" 127.0.0.1 8004 8004 --contact-port "$phone_port"
check "agent 8004 checks in on extension 8004" \
	api_is 8004 'EVENT=QUEUE&type=1&list=2&deviceexten=8004' '|Retuen|1|'
check "makeCall by 8004: BackMsg_19" \
	api_is 8004 'EVENT=MAKECALL&targetdn=5550104&targettype=exter' 'BackMsg_19'
rang() {
	for _ in $(seq 1 50); do
		grep -q "^INVITE sip:8004@127.0.0.1:$phone_port" "$sink_log" && return 0
		sleep 0.1
	done
	echo "the phone got no INVITE:"
	cat "$sink_log"
	return 1
}
check "the phone (its Contact) gets the INVITE" rang

# ---- 5. real phones --------------------------------------------------------------------

python3 "$here/lib/audio.py" wav "$work/tone.wav" --freq 700 --secs 30 ||
	nok "test tone generated"
m=$(log_mark)
baresip_start bs1 "$work/tone.wav" \
	"<sip:8005@127.0.0.1>;auth_user=demo/8005;auth_pass=8005;outbound=\"sip:127.0.0.1:$sip_port\";answermode=auto;regint=300;audio_codecs=PCMU" \
	44000-44499 "$bs1_port"
check "baresip, domain 127.0.0.1, auth user demo/8005: registered" \
	wait_log "$m" "registered team=demo exten=8005 contact=sip:8005[^@]*@127.0.0.1:$bs1_port" 10
# 8003 is in demo and acme: the phone's auth user names the team the
# first challenge did not ($other, section 2), so it is challenged again
m=$(log_mark)
baresip_start bs2 "$work/tone.wav" \
	"<sip:8003@127.0.0.1>;auth_user=8003@$other;auth_pass=$secret;outbound=\"sip:127.0.0.1:$sip_port\";regint=300" \
	44500-44999 "$bs2_port"
check "baresip, domain 127.0.0.1, auth user 8003@$other (challenged first for $first): registered" \
	wait_log "$m" "registered team=$other exten=8003 contact=sip:8003[^@]*@127.0.0.1:$bs2_port" 10
check "agent 8005 checks in on extension 8005" \
	api_is 8005 'EVENT=QUEUE&type=1&list=2&deviceexten=8005' '|Retuen|1|'
m=$(log_mark)
check "makeCall by 8005: BackMsg_19" \
	api_is 8005 'EVENT=MAKECALL&targetdn=5550105&targettype=exter' 'BackMsg_19'
sid=$(session_of "$m" 8005)
check "the baresip phone answers, the customer too" eval '
	wait_log "$m" "agent answered session=$sid" 10 && wait_log "$m" "call answered session=$sid" 10'
sleep 1
m=$(log_mark)
check "hangup" eval '
	api_is 8005 "EVENT=HANGUP&target=all" "|Retuen|1|" && wait_log "$m" "call ended session=$sid" 5'

stop_occd
check "no error-level lines in the occd log" eval '! grep "level=error" "$log"'

echo "1..$n"
[ "$failed" -eq 0 ]
