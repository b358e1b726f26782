#!/usr/bin/env bash
# tests/sip/hostile.sh — the limits a hostile SIP client or API caller meets
# (issue 9), against the ASan occd with small limits in its configuration:
#   1. REGISTER tells nothing about which extensions exist: an unknown one
#      (or team) is challenged and then refused like a wrong password
#      (tests/sip/phones.sh: the same with occd's address as domain);
#   2. a nonce that carried a wrong digest is spent;
#   3. guessing: after [security] auth_fail_limit wrong digests for one
#      extension from one address even the right password gets 403, with
#      one log line at the lockout and none per guess; other extensions
#      from there still register; past auth_fail_limit_source any
#      extension from that address is refused, from elsewhere not;
#   4. contacts: [sip] max_contacts_per_exten per extension (the oldest
#      go, the 200 OK stays small), [sip] max_bindings in all (503 for a
#      new contact, refreshes still work);
#   5. dial strings: makeCall/consult/silentMonitor with CRLF or other
#      characters in targetdn, callerid or phonenumber answer BackMsg_28
#      and the trunk receives nothing; +, * and # still dial, '#' escaped.
# The SIP client and the trunk's far end are tests/sip/lib/sipreg.py.
# Output is TAP; OCCD/OCCCTL override the binaries; KEEP=1 keeps the work
# directory (kept anyway on failure).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
occd=${OCCD:-$root/build/asan/occd}
occctl=${OCCCTL:-$root/build/asan/occctl}
util=$here/lib/util.py
sipreg=$here/lib/sipreg.py


. "$here/lib/harness.sh"
suite_begin hostile
preflight "apt-get install python3 curl" python3 curl

take_ports 3
http_port=${P[0]} sip_port=${P[1]} sink_port=${P[2]}
url=http://127.0.0.1:$http_port

reg() { python3 "$sipreg" reg "$sip_port" "$@"; }
reg_is() {  # reg_is WANT DOMAIN USER PASSWORD [--again PASSWORD] [--auth-user NAME]
	local want=$1
	shift
	expect_eq "REGISTER $2@$1" "$(reg "$@" 2>&1)" "$want"
}
wait_file() {  # wait_file FILE REGEX SECS
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no line /$2/ in $1 within $3 s:"
	cat "$1" 2>/dev/null
	return 1
}

# ---- occd -------------------------------------------------------------------

cat >"$work/occd.conf" <<EOF
[security]
auth_fail_limit = 5
auth_fail_limit_source = 12
auth_fail_window = 600
[sip]
max_contacts_per_exten = 3
max_bindings = 8
EOF
start_occd "occd starts with small limits (sip 127.0.0.1:$sip_port)" --config "$work/occd.conf"

# ---- 1. existence ---------------------------------------------------------------

check "REGISTER with a wrong password: 401, then 403" reg_is "401 403" demo 8002 wrong
check "REGISTER of an unknown extension: the same 401, then 403" reg_is "401 403" demo 8099 8099
check "REGISTER in an unknown team (the digest username's): challenged for that team, then 403" \
	reg_is "401 401 403" 127.0.0.1 8001 8001 --auth-user 8001@nosuchteam
check "REGISTER with a domain that is no team, of a number in no team: the same 401, then 403" \
	reg_is "401 403" nosuchteam 8099 8099
check "REGISTER of a built-in (virtual) extension: the same 401, then 403" \
	reg_is "401 403" demo 8101 8101

# ---- 2. nonces --------------------------------------------------------------------

check "a nonce that carried a wrong digest is spent: the right password on it gets a new 401" \
	reg_is "401 403 401" demo 8003 wrong --again 8003
check "the right password on a fresh nonce: 200" reg_is "401 200" demo 8003 8003

# ---- 3. guessing -------------------------------------------------------------------

m=$(log_mark)
check "5 wrong passwords for 8004 (auth_fail_limit): 403 each" \
	expect_eq guesses "$(python3 "$sipreg" guess "$sip_port" demo 8004 5)" "403 403 403 403 403"
check "then 8004's right password from the same address: 403 (locked out)" \
	reg_is "401 403" demo 8004 8004
check "one log line at the lockout, none per guess" eval '
	expect_eq "lockout lines" "$(since "$m" | grep -c "REGISTER locked out demo/8004@127.0.0.1")" 1 &&
	expect_eq "lines naming 8004" "$(since "$m" | grep -c 8004)" 1'
check "another extension (8005) from the same address still registers" \
	reg_is "401 200" demo 8005 8005

from2() { SIPREG_FROM=127.0.0.2 "$@"; }
check "12 wrong digests from 127.0.0.2 over unknown extensions (auth_fail_limit_source)" eval '
	from2 python3 "$sipreg" guess "$sip_port" demo 8091 5 >/dev/null &&
	from2 python3 "$sipreg" guess "$sip_port" demo 8092 5 >/dev/null &&
	from2 python3 "$sipreg" guess "$sip_port" demo 8093 2 >/dev/null'
check "then 8006's right password from 127.0.0.2: 403" from2 reg_is "401 403" demo 8006 8006
check "and from 127.0.0.1: 200" reg_is "401 200" demo 8006 8006

# ---- 4. contacts --------------------------------------------------------------------

contacts() { python3 "$sipreg" contacts "$sip_port" demo "$1" "$1" "$2"; }
# bindings so far: 8003, 8005, 8006 (one each)
out=$(contacts 8002 6)
check "8002 registers 6 contacts: 200 listing the newest 3 (max_contacts_per_exten)" \
	expect_eq "contacts" "$(echo "$out" | tail -n +2 | tr '\n' ' ')" \
	"sip:8002-3@127.0.0.1:9 sip:8002-4@127.0.0.1:9 sip:8002-5@127.0.0.1:9 "
check "the 200 OK stays small" eval '
	size=$(echo "$out" | head -1 | cut -d" " -f2); echo "200 OK: $size bytes"; [ "$size" -lt 1400 ]'
check "occctl status lists 3 contacts of 8002" eval '
	expect_eq "8002 rows" "$("$occctl" --data "$data" status demo | grep -c "sip:8002-")" 3'
check "8001 fills the total (max_bindings 8): 200" \
	expect_eq "8001" "$(contacts 8001 2 | head -1 | cut -d" " -f1)" 200
check "a new contact beyond max_bindings: 503" reg_is "401 503" demo 8005 8005
check "a refresh at the total cap: 200" \
	expect_eq "8001 refresh" "$(contacts 8001 1 | head -1 | cut -d" " -f1)" 200
check "a new contact of an extension at its own cap evicts its oldest: 200" \
	expect_eq "8002 again" "$(contacts 8002 1 | tail -n +2 | tr '\n' ' ')" \
	"sip:8002-4@127.0.0.1:9 sip:8002-5@127.0.0.1:9 sip:8002-0@127.0.0.1:9 "

# ---- 5. dial strings --------------------------------------------------------------------

sink_log=$work/sink.log
: >"$sink_log"
python3 "$sipreg" sink "$sink_port" "$sink_log" 120 &
pids+=("$!")
m=$(log_mark)
check "trunk gw to the sink (occctl trunk add, SIGHUP)" eval '
	"$occctl" --data "$data" trunk add demo gw "sip:127.0.0.1:$sink_port" >/dev/null &&
	for _ in $(seq 1 100); do since "$m" | grep -q "provisioning reloaded" && break; sleep 0.1; done'
check "agents 8001, 8002 check in on built-in phones" eval '
	api_is 8001 "EVENT=QUEUE&type=1&list=1&deviceexten=8101" "|Retuen|1|" &&
	api_is 8002 "EVENT=QUEUE&type=1&list=1&deviceexten=8102" "|Retuen|1|"'

mk() { echo "EVENT=MAKECALL&targettype=exter&trunkidentity=gw&$1"; }
check "makeCall, CRLF in targetdn: BackMsg_28[targetdn]" \
	api_is 8001 "$(mk 'targetdn=123%0d%0aX-Injected:%201')" '|Retuen|2|Retuen|BackMsg_28[targetdn]'
check "makeCall, a letter in targetdn: BackMsg_28[targetdn]" \
	api_is 8001 "$(mk 'targetdn=123a')" '|Retuen|2|Retuen|BackMsg_28[targetdn]'
check "makeCall, a URI in targetdn: BackMsg_28[targetdn]" \
	api_is 8001 "$(mk 'targetdn=123%40evil.example')" '|Retuen|2|Retuen|BackMsg_28[targetdn]'
check "makeCall, CRLF in callerid: BackMsg_28[callerid]" \
	api_is 8001 "$(mk 'targetdn=5551000&callerid=1%0d%0aP-Asserted-Identity:%20%3Csip:110@x%3E')" \
	'|Retuen|2|Retuen|BackMsg_28[callerid]'
check "consult, CRLF in an external targetdn: BackMsg_28[targetdn]" \
	api_is 8001 'EVENT=CONSULT&consulttype=external&agentgroupid=0&targetdn=1%0d%0aX:%201' \
	'|Retuen|2|Retuen|BackMsg_28[targetdn]'
check "silentMonitor, CRLF in phonenumber: BackMsg_28[phonenumber]" \
	api_is 8001 'EVENT=SILENTMONITOR&target=8002&phonenumber=1%0d%0aX:%201' \
	'|Retuen|2|Retuen|BackMsg_28[phonenumber]'
sleep 3     # a call would ring the built-in phone (1 s), then the trunk
check "the trunk received nothing" eval '[ ! -s "$sink_log" ] || { cat "$sink_log"; false; }'
check "agent 8001 is idle" api_is 8001 'EVENT=AGENTSTATUS' '1-idle,'

check "makeCall +8613800138000: BackMsg_19" \
	api_is 8001 "$(mk 'targetdn=%2B8613800138000')" '|Retuen|1|Retuen|BackMsg_19'
check "the trunk gets INVITE sip:+8613800138000@" \
	wait_file "$sink_log" "^INVITE sip:\+8613800138000@127\.0\.0\.1:$sink_port SIP/2\.0" 10
check "makeCall *86#123 with callerid +8610: BackMsg_19" \
	api_is 8002 "$(mk 'targetdn=*86%23123&callerid=%2B8610')" '|Retuen|1|Retuen|BackMsg_19'
check "the trunk gets INVITE sip:*86%23123@ ('#' escaped) from sip:+8610@" eval '
	wait_file "$sink_log" "^INVITE sip:\*86%23123@127\.0\.0\.1:$sink_port SIP/2\.0" 10 &&
	wait_file "$sink_log" "^From: <sip:\+8610@" 2'

stop_occd
check "no error-level lines in the occd log" eval '! grep "level=error" "$log"'
echo "1..$n"
[ "$failed" -eq 0 ]
