#!/usr/bin/env bash
# run.sh — the team admin console (/admin/) end to end: an administrator
# uses the page in headless Debian Chromium (test_admin.mjs, through
# playwright-core), then what it changed is used at once by real peers:
#
#   - the agent added on the page logs in over the HTTP interface with the
#     password set on the page (the old one is refused);
#   - the DID added on the page routes a real SIP call: a sipp caller from
#     outside dials it, extension 8005's sipp phone rings and answers, each
#     hears the other (Goertzel);
#   - the operations tabs (test_ops.mjs, after that call): an agent's name
#     and extension changed on the page (the HTTP interface's MyInfo
#     answers the new name); a campaign created, changed, filled from an
#     uploaded CSV whose import report matches the file, started, paused,
#     stopped, its daily report; the call above found by DID and number,
#     its recording played in the page's <audio>, and the bytes the page
#     fetched are occd's file of that call (both tones in it, Goertzel);
#     the event URL set on the page: a receiver started here gets the next
#     event; another team's session sees none of it;
#   - security: an agent's credentials and an agent's account cannot open
#     the console; another team's data is not visible and cannot be
#     changed; a change without the CSRF token, or from another Origin, is
#     refused; logout ends the session; an expired session is refused; the
#     Content-Security-Policy is there; the passwords typed on the page are
#     in none of the page's responses nor in occd's log.
#
# OCC_SCREENSHOT_DIR=docs/screenshots tests/admin/run.sh also saves the
# screenshot the README shows.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/sip/lib/harness.sh"
. "$root/tests/sip/lib/calls.sh"
. "$root/tests/inbound/lib.sh"
. "$root/tests/lib/browser.sh"
suite_begin admin

preflight "apt-get install sip-tester" sipp python3 curl node
browser_ready "$here" playwright-core
scen=$root/tests/multiparty/scenarios
if [ -n "${OCC_SCREENSHOT_DIR:-}" ]; then
	mkdir -p "$OCC_SCREENSHOT_DIR"
	OCC_SCREENSHOT_DIR=$(cd "$OCC_SCREENSHOT_DIR" && pwd)
	export OCC_SCREENSHOT_DIR
fi

take_ports 9
http_port=${P[0]} sip_port=${P[1]}
p5=${P[2]} r5=${P[3]} c1=${P[4]} rc1=${P[5]} ev_port=${P[6]}
g2=${P[7]} rg2=${P[8]}       # trunk carrier's second address (test_trunk.mjs)
url=http://127.0.0.1:$http_port
F_AGENT=770 F_CALLER=1130

# passwords that appear nowhere else, so a leak can be looked for
ADMIN_PW=Adm-console-Pw-93k
AGENT_PW1=Ag1099-first-Pw-4t
AGENT_PW2=Ag1099-second-Pw-8v
EXTEN_PW=Ext-8107-secret-Qz

# a configuration occd reads again on SIGHUP (the expiry test shortens it)
conf=$work/occd.conf
printf '[security]\nadmin_session_s = 1800\n' >"$conf"
start_occd "occd starts with the demo data" --config "$conf"
# the demo IVR's prompt: a routing change is checked like an import
tone_wav "$data/prompts/demo/welcome.wav" 400 1
check "setup: admin's password, an agent's account, another team" eval '
	"$occctl" --data "$data" account passwd demo admin "$ADMIN_PW" &&
	"$occctl" --data "$data" account add demo desk8002 Desk-8002-pw --agent 8002 &&
	"$occctl" --data "$data" team add other &&
	"$occctl" --data "$data" account add other boss Boss-other-pw &&
	"$occctl" --data "$data" agent add other 7001 Other-7001-pw --name Seven &&
	"$occctl" --data "$data" exten add other 7101 Other-7101-secret'
check "extension 8005's phone registers" phone_reg reg8005 "$p5" 8005

# page_tap: a page test's TAP lines, numbered here
page_tap() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "${line#ok * - }" ;;
		"not ok "*) nok "${line#not ok * - }" ;;
		1..*) ;;
		*) echo "$line" ;;
		esac
	done
}

# ---- the page --------------------------------------------------------------------
m=$(log_mark)
page_tap < <(OCC_URL=$url OCC_DATA=$data ADMIN_PW=$ADMIN_PW AGENT_PW1=$AGENT_PW1 \
	AGENT_PW2=$AGENT_PW2 EXTEN_PW=$EXTEN_PW \
	timeout -k 5 150 node "$here/test_admin.mjs" 2>&1; echo "# node exit $?")

# ---- what the page changed works at once ---------------------------------------------
check "the new agent 1099 logs in over the HTTP interface with the password set on the page" \
	eval 'curl -sS -m 10 -d "EVENT=LOGIN&orgidentity=demo&usertype=agent&user=1099&pwdtype=plaintext&password=$AGENT_PW2&extension=8004" "$url/coccinterfaces" | grep -q "|Retuen|1|Retuen|BackMsg_04"'
check "its first password no longer works (BackMsg_03)" expect_match reply \
	"$(curl -sS -m 10 -d "EVENT=LOGIN&orgidentity=demo&usertype=agent&user=1099&pwdtype=plaintext&password=$AGENT_PW1&extension=8004" "$url/coccinterfaces")" \
	"BackMsg_03"
check "the console's changes went through occd's reload (no restart)" \
	eval 'since "$m" | grep -q "provisioning reloaded" && [ "$(pgrep -c -f "^$occd .*--http 127.0.0.1:$http_port")" = 1 ] && occd_alive'

f=did
phone $f agent "$p5" phone.xml 500 $F_AGENT 0 "$r5"
m=$(log_mark)
caller $f caller "$c1" 555100 13800000077 4000 "$rc1"
check "$f: a call from outside to DID 555100 (added on the page) is answered" status_is $f caller 200
check "$f: extension 8005's phone rang and answered" eval '
	wait_file "$work/$f/agent/invite.txt" 5 && wait_log "$m" "inbound call session=.* did=555100" 5'
check "$f: the caller hangs up; the phone gets BYE" eval 'phone_done $f caller 15 && phone_done $f agent 5'
t_ans=$(tfile "$work/$f/agent/answer.txt")
check "$f: the caller hears the phone (770 Hz)" \
	hears $f caller "$(at "$t_ans" 0.5)" "$(at "$t_ans" 3)" --tone $F_AGENT
check "$f: the phone hears the caller (1130 Hz)" \
	hears $f agent "$(at "$t_ans" 0.5)" "$(at "$t_ans" 3)" --tone $F_CALLER
peers_stop caller agent

# ---- the operations tabs, on the call just made -------------------------------------
sid=$(sql "SELECT sessionid FROM cdr WHERE callee = '555100' ORDER BY start_ms DESC LIMIT 1")
rec=$(ls "$data"/recordings/*/*"-$sid.wav" 2>/dev/null | head -1)
check "$f: the call has a recording" test -s "$rec"
python3 "$root/tests/events/receiver.py" "$ev_port" "$work/events.jsonl" >"$work/receiver.out" 2>&1 &
pids+=("$!")
check "an event receiver listens (the backend)" eval '
	for _ in $(seq 50); do grep -q ready "$work/receiver.out" && break; sleep 0.1; done
	grep -q ready "$work/receiver.out"'
page_tap < <(OCC_URL=$url OCC_DATA=$data ADMIN_PW=$ADMIN_PW EV_PORT=$ev_port \
	EV_LOG=$work/events.jsonl OUT_WAV=$work/console.wav CALL_DID=555100 CALL_FROM=13800000077 \
	timeout -k 5 210 node "$here/test_ops.mjs" 2>&1; echo "# node exit $?")
check "the recording the page fetched is occd's file of that call, byte for byte" \
	cmp -s "$work/console.wav" "$rec"
check "in it, the phone's 770 Hz (left channel)" \
	python3 "$root/tests/sip/lib/audio.py" tone "$work/console.wav" --channel 0 --freq $F_AGENT
check "and the caller's 1130 Hz (right channel)" \
	python3 "$root/tests/sip/lib/audio.py" tone "$work/console.wav" --channel 1 --freq $F_CALLER
check "occctl group list shows the console group's after-call work changed on the page: 90 s" eval '
	"$occctl" --data "$data" group list demo | grep -Eq " Console group +6099 +off +90s "'
check "MyInfo (the HTTP interface) answers agent 8003's name set on the page" eval '
	curl -sS -m 10 -d "EVENT=MyInfo&orgidentity=demo&user=8003&pwdtype=plaintext&password=8003" \
		"$url/coccinterfaces" | grep -q "\"agentname\":\"Renamed Three\""'
check "occctl agent list shows it, with extension 8107 (added on the page)" eval '
	"$occctl" --data "$data" agent list demo | grep -Eq "^8003 +Renamed Three +8107 "'
check "occctl shows campaign 31 as the page left it: stopped, AMD on, action message" eval '
	"$occctl" --data "$data" campaign show demo 31 | grep -q "Console campaign: group 1, preview, stopped" &&
	"$occctl" --data "$data" campaign show demo 31 | grep -q "amd on, action message"'
check "occctl: team demo's do-not-call list has the page's number, campaign 31's its own, the system's neither" eval '
	"$occctl" --data "$data" dnc list --team demo | grep -q "^13900000009 " &&
	"$occctl" --data "$data" dnc list --team demo --campaign 31 | grep -q "^13900000010 " &&
	! "$occctl" --data "$data" dnc list --team demo --campaign 31 | grep -q "^1390000001[1] " &&
	! "$occctl" --data "$data" dnc list | grep -q "^139000000"'
check "team demo's event_url is the page's" eval '
	"$occctl" --data "$data" team show demo | grep -Eq "^event_url +http://127.0.0.1:$ev_port/occ/events$"'
# another team's administrator: none of it
ojar=$work/other.cookies
curl -sS -m 10 -c "$ojar" -H "Origin: $url" --data-urlencode team=other --data-urlencode user=boss \
	--data-urlencode password=Boss-other-pw "$url/admin/api/login" >/dev/null
check "team other's session: no call of team demo in its search" eval '
	curl -sS -m 10 -b "$ojar" "$url/admin/api/cdr?from=2020-01-01" | grep -q "\"calls\":\[\]"'
check "team other's session: team demo's recording is 404" eval '
	[ "$(curl -sS -m 10 -o /dev/null -w "%{http_code}" -b "$ojar" "$url/admin/api/recording?id=$sid")" = 404 ]'
check "team other's session: no campaign and no event URL of team demo" eval '
	curl -sS -m 10 -b "$ojar" "$url/admin/api/ops" | grep -q "{\"ok\":true,\"event_url\":\"\",\"campaigns\":\[\]}"'
check "team other's session: its do-not-call list has none of team demo's numbers; campaign 31's is refused" eval '
	curl -sS -m 10 -b "$ojar" "$url/admin/api/run?cmd=dnc+list" | grep -q "\"ok\":true" &&
	! curl -sS -m 10 -b "$ojar" "$url/admin/api/run?cmd=dnc+list" | grep -q 139000000 &&
	curl -sS -m 10 -b "$ojar" "$url/admin/api/run?cmd=dnc+list&campaign=31" | grep -q "no campaign 31 in team other"'
check "team other's session: campaign 31's reports are refused" eval '
	curl -sS -m 10 -b "$ojar" "$url/admin/api/run?cmd=campaign+import-report&id=31" | grep -q "\"ok\":false"'
check "without a session: the call search and the recording are 401" eval '
	[ "$(curl -sS -m 10 -o /dev/null -w "%{http_code}" "$url/admin/api/cdr")" = 401 ] &&
	[ "$(curl -sS -m 10 -o /dev/null -w "%{http_code}" "$url/admin/api/recording?id=$sid")" = 401 ]'
# ---- trunks, prompts, IVR flows, schedules, queues, routes (test_routing.mjs) ----
F_PROMPT=1400 ROUTE_DID=555300
tone_wav "$work/hello.wav" $F_PROMPT 3
python3 -c 'import sys, wave
w = wave.open(sys.argv[1], "wb"); w.setnchannels(2); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"\0" * 32000); w.close()' "$work/stereo.wav"
# the demo's welcome.wav missing: a routing change warns, it is not refused
rm -f "$data/prompts/demo/welcome.wav"
check "setup: team other has a trunk, a prompt file and a route" eval '
	"$occctl" --data "$data" trunk add other othertrunk sip:127.0.0.1:5999 >/dev/null &&
	"$occctl" --data "$data" prompt add other other-secret.wav "$work/hello.wav" >/dev/null &&
	"$occctl" --data "$data" routing set other "route otherroute" $'"'"'did = 777700\nopen = exten:7101'"'"' "did 777700" "" >/dev/null'
m=$(log_mark)
while IFS= read -r line; do
	case $line in
	"ok "*) ok "${line#ok * - }" ;;
	"not ok "*) nok "${line#not ok * - }" ;;
	1..*) ;;
	*) echo "$line" ;;
	esac
done < <(OCC_URL=$url ADMIN_PW=$ADMIN_PW TONE_WAV=$work/hello.wav BAD_WAV=$work/stereo.wav \
	TRUNK_URI=sip:127.0.0.1:$p5 DID=$ROUTE_DID \
	timeout -k 5 150 node "$here/test_routing.mjs" 2>&1; echo "# node exit $?")
check "the uploaded prompt is in the team's prompt directory, byte for byte" \
	cmp -s "$work/hello.wav" "$data/prompts/demo/hello.wav"
check "no upload is left behind in the data directory" \
	eval '[ -z "$(find "$data" -name ".admin-upload-*" -o -name ".*.tmp")" ]'
check "the missing prompt's warning is in occd's log" \
	eval 'since "$m" | grep -q "console routing set team=demo.*welcome.wav: no such file"'
check "occctl routing export: [did $ROUTE_DID] has group mainlines, [lists] the page's blacklist" eval '
	"$occctl" --data "$data" routing export demo >"$work/routing.txt" &&
	grep -A3 "^\[did $ROUTE_DID\]" "$work/routing.txt" | grep -q "^group = mainlines" &&
	grep -A3 "^\[lists\]" "$work/routing.txt" | grep -q "^blacklist = 13900000666,1900\*"'
check "team other's trunk, prompt file and route are untouched" eval '
	"$occctl" --data "$data" trunk list other | grep -q othertrunk &&
	[ -f "$data/prompts/other/other-secret.wav" ] &&
	"$occctl" --data "$data" routing export other | grep -q "route otherroute"'

f=ivr
m=$(log_mark)
caller $f caller "$c1" $ROUTE_DID 13800000078 7000 "$rc1"
check "$f: a call from outside to DID $ROUTE_DID (routed on the page) is answered" status_is $f caller 200
sid=
check "$f: by route adm" eval 'wait_log "$m" "inbound call session=.* did=$ROUTE_DID .*route=adm" 5'
sid=$(inbound_sid "$m" $ROUTE_DID)
t_ans=$(tfile "$work/$f/caller/answer.txt")
check "$f: the caller hears the prompt uploaded on the page (1400 Hz)" \
	hears $f caller "$(at "$t_ans" 0.3)" "$(at "$t_ans" 2.5)" --tone $F_PROMPT
check "$f: then waits in queue 6001" wait_log "$m" "queued session=.* queue=6001" 10
check "$f: the caller hangs up" phone_done $f caller 20
check "$f: the CDR has the path through flow adm into queue 6001" expect_match cdr \
	"$(sql "SELECT queue || ' ' || ivrpath FROM cdr WHERE sessionid = ?" "$sid")" "^6001 did:$ROUTE_DID>.*ivr:adm.*queue:6001"
peers_stop caller

# ---- a trunk changed in place on the page (test_trunk.mjs) ---------------------------
# carrier (made on the page, at sip:127.0.0.1:$p5, prefix 0) becomes the
# default; a built-in phone's deviceCall to a number goes out on it
F_BUILTIN=700      # the built-in agent phone's voice (src/sip/call.c)
device_call() {    # device_call NUMBER: BackMsg_19 from built-in 8101
	curl -sS -m 10 -d "EVENT=DeviceCall&orgidentity=demo&exten=8101&targetdn=$1" "$url/coccinterfaces" |
		grep -q BackMsg_19
}
m=$(log_mark)
check "setup: carrier is the team's default trunk" eval '
	"$occctl" --data "$data" trunk default demo carrier && wait_log "$m" "provisioning reloaded" 10'
f=trunk1
phone $f far "$p5" customer.xml 200 $F_CALLER 0 "$r5"
m=$(log_mark)
check "$f: deviceCall from built-in 8101 to 5550301 over carrier: BackMsg_19" device_call 5550301
check "$f: the far end at carrier's first address gets it (prefix 0: 05550301) and answers" eval '
	wait_file "$work/$f/far/remote.txt" 10 && grep -q "^INVITE sip:05550301@" "$work/$f/far/msgs.log"'
page_tap < <(OCC_URL=$url ADMIN_PW=$ADMIN_PW TRUNK_URI2=sip:127.0.0.1:$g2 \
	timeout -k 5 70 node "$here/test_trunk.mjs" 2>&1; echo "# node exit $?")
t_edit=$(now)
f=trunk2
phone $f far "$g2" customer.xml 200 $F_CALLER 0 "$rg2"
check "$f: the next deviceCall to 5550302: BackMsg_19" device_call 5550302
check "$f: it goes to carrier's new address, without the cleared prefix" eval '
	wait_file "$work/$f/far/remote.txt" 10 && grep -q "^INVITE sip:5550302@" "$work/$f/far/msgs.log"'
python3 -c 'import sys, time; time.sleep(max(0, float(sys.argv[1]) - time.time()))' "$(at "$t_edit" 2.5)"
check "trunk1: the call up through the old address goes on: no BYE, the far end still hears the phone (700 Hz)" eval '
	[ ! -e "$work/trunk1/far/bye" ] &&
	hears trunk1 far "$(at "$t_edit" 0)" "$(at "$t_edit" 2)" --tone $F_BUILTIN'
check "trunk1: the old address got one INVITE only" \
	expect_eq invites "$(grep -c "^INVITE " "$work/trunk1/far/msgs.log")" 1
check "the console's trunk change is logged, its password is not" eval '
	grep -q "console trunk set team=demo user=admin: done" "$log"'
# both calls end: the account hangs each built-in phone up
for sid in $(since "$m" | sed -n 's/.*call started session=\([0-9a-f]*\) team=demo .*exten=8101 .*/\1/p'); do
	uid=$(sql "SELECT min(uniqueid) FROM cdr_legs WHERE sessionid = ?" "$sid")
	curl -sS -m 10 -o /dev/null -d "EVENT=HANGUP&target=channel&uniqueid=$uid&usertype=account&orgidentity=demo&user=admin&password=$ADMIN_PW&pwdtype=plaintext" "$url/coccinterfaces"
done
check "both far ends get BYE" eval 'phone_done trunk1 far 15 && phone_done trunk2 far 15'
peers_stop far

# ---- the API's refusals, with a plain HTTP client -----------------------------------
jar=$work/cookies
login() {  # login ORIGIN TEAM USER PASSWORD: the reply's body
	curl -sS -m 10 -c "$jar" -H "Origin: $1" --data-urlencode "team=$2" \
		--data-urlencode "user=$3" --data-urlencode "password=$4" "$url/admin/api/login"
}
csrf_of() { sed -n 's/.*"csrf":"\([0-9a-f]*\)".*/\1/p'; }
check "a login from another Origin is refused (403)" eval '
	[ "$(curl -sS -m 10 -o /dev/null -w "%{http_code}" -H "Origin: http://evil.example" \
		-d "team=demo&user=admin&password=$ADMIN_PW" "$url/admin/api/login")" = 403 ]'
tok=$(login "$url" demo admin "$ADMIN_PW" | csrf_of)
check "the administrator logs in with curl" expect_match csrf "$tok" '^[0-9a-f]{64}$'
run_as() {  # run_as ORIGIN CSRF FIELDS: HTTP status of /admin/api/run
	curl -sS -m 10 -o "$work/run.out" -w "%{http_code}" -b "$jar" ${1:+-H "Origin: $1"} \
		${2:+-H "X-OCC-CSRF: $2"} -d "$3" "$url/admin/api/run"
}
check "a change with the token from another Origin: 403, nothing changed" eval '
	[ "$(run_as http://evil.example "$tok" "cmd=agent+remove&number=8006")" = 403 ] &&
	"$occctl" --data "$data" agent list demo | grep -q "^8006 "'
check "a change without an Origin: 403" eval '[ "$(run_as "" "$tok" "cmd=agent+remove&number=8006")" = 403 ]'
check "a change without the CSRF token: 403" eval '[ "$(run_as "$url" "" "cmd=agent+remove&number=8006")" = 403 ]'
check "team other's agent 7001 cannot be removed from team demo: refused, still there" eval '
	[ "$(run_as "$url" "$tok" "cmd=agent+remove&number=7001")" = 400 ] &&
	grep -q "7001" "$work/run.out" && "$occctl" --data "$data" agent list other | grep -q "^7001 "'
check "team other's account does not log in to team demo" eval '
	login "$url" demo boss Boss-other-pw | grep -q "wrong team, account or password"'

check "an upload without a session: 401" eval '
	[ "$(curl -sS -m 10 -o /dev/null -w "%{http_code}" -H "Origin: $url" --data-binary @"$work/hello.wav" \
		"$url/admin/api/upload?offset=0&total=48044")" = 401 ]'
tok=$(login "$url" demo admin "$ADMIN_PW" | csrf_of)
check "an upload without the CSRF token: 403" eval '
	[ "$(curl -sS -m 10 -o /dev/null -w "%{http_code}" -b "$jar" -H "Origin: $url" --data-binary @"$work/hello.wav" \
		"$url/admin/api/upload?offset=0&total=48044")" = 403 ]'
check "an upload over 4 MiB is refused before any byte is kept (413)" eval '
	[ "$(curl -sS -m 10 -o "$work/up.out" -w "%{http_code}" -b "$jar" -H "Origin: $url" -H "X-OCC-CSRF: $tok" \
		--data-binary x "$url/admin/api/upload?offset=0&total=99999999")" = 413 ] && grep -q "at most 4 MiB" "$work/up.out"'
check "prompt add with nothing uploaded: refused" eval '
	[ "$(run_as "$url" "$tok" "cmd=prompt+add&name=x.wav")" = 400 ] && grep -q "upload the file first" "$work/run.out"'
check "a prompt name with a path: refused, nothing written outside" eval '
	curl -sS -m 10 -o /dev/null -b "$jar" -H "Origin: $url" -H "X-OCC-CSRF: $tok" --data-binary @"$work/hello.wav" \
		"$url/admin/api/upload?offset=0&total=$(stat -c %s "$work/hello.wav")" &&
	[ "$(run_as "$url" "$tok" "cmd=prompt+add&name=../../x.wav")" = 400 ] && grep -q "bad WAVNAME" "$work/run.out" &&
	[ ! -e "$data/x.wav" ] && [ ! -e "$data/prompts/x.wav" ]'
check "an occctl command outside the console table (team remove): refused" eval '
	[ "$(run_as "$url" "$tok" "cmd=team+remove")" = 400 ] && grep -q "unknown command" "$work/run.out"'
check "an account linked to an agent gets no session, so no upload (401)" eval '
	login "$url" demo desk8002 Desk-8002-pw | grep -q "belongs to an agent" &&
	[ "$(curl -sS -m 10 -o /dev/null -w "%{http_code}" -b "$jar" -H "Origin: $url" --data-binary x \
		"$url/admin/api/upload?offset=0&total=1")" = 401 ]'

# expiry: admin_session_s = 2, applied by SIGHUP like any reload
m=$(log_mark)
printf '[security]\nadmin_session_s = 2\n' >"$conf"
kill -HUP "$occd_pid"
check "occd reloads its configuration" wait_log "$m" "provisioning reloaded" 10
tok=$(login "$url" demo admin "$ADMIN_PW" | csrf_of)
check "a fresh session works" eval 'curl -sS -m 10 -b "$jar" "$url/admin/api/state" | grep -q "\"ok\":true"'
sleep 3
check "2 s idle later it has expired: 401" eval '
	[ "$(curl -sS -m 10 -o "$work/exp.out" -w "%{http_code}" -b "$jar" "$url/admin/api/state")" = 401 ] &&
	grep -q "expired" "$work/exp.out"'

check "no password typed on the page or given to curl is in occd's log" eval '
	! grep -F -e "$ADMIN_PW" -e "$AGENT_PW1" -e "$AGENT_PW2" -e "$EXTEN_PW" "$log"'
check "the console's changes are logged by command, with the team and account" \
	grep -q "console agent add team=demo user=admin: done" "$log"

stop_occd
echo "1..$n"
[ "$failed" -eq 0 ]
