#!/usr/bin/env bash
# tests/metrics/scenario.sh — run by run.sh under tests/lib/with-occd.sh
# (OCC_URL, OCC_SIP_PORT, OCC_DATA, OCC_LOG, OCC_PID): what a user does,
# and after each step a scrape of /metrics, parsed by the Prometheus
# client's parser (prom.py), whose gauges and counters must say what was
# done:
#   1. at the start: no call, no registration, every agent logged out;
#      the process figures are there;
#   2. a phone (sipp, 8003) registers with digest;
#   3. agent 8001 logs in and checks in on the built-in phone 8101; a
#      browser's event stream gets its pause and unpause, and the
#      fan-out's loop passes are timed;
#   4. 8001 calls the demo's virtual customer: a call active and up,
#      8001 busy;
#   5. meanwhile a caller (sipp) dials a DID of queue 6001, where 8001 is
#      the only agent: it waits, and the longest wait grows; 8001 hangs up
#      and the ACD gives it the caller; 8001 hangs up that call too;
#   6. agent 8003 calls out over a trunk whose far end (sipp) is busy
#      (486): a failed call;
#   7. team acme's event_url is dead: its events pile up (webhook
#      backlog); pointed at a live receiver, the backlog drains;
#   8. the phone unregisters;
#   9. the call counters equal the CDRs (closed legs by role and
#      disposition, calls by direction and disposition); the store's write
#      latency and the loop lag were measured.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
url=$OCC_URL sip_port=$OCC_SIP_PORT data=$OCC_DATA log=$OCC_LOG
occd_pid=$OCC_PID occctl=${OCCCTL:-$root/build/asan/occctl}
scen=$root/tests/sip/scenarios
util=$root/tests/sip/lib/util.py

. "$root/tests/sip/lib/harness.sh"
. "$root/tests/sip/lib/calls.sh"
. "$root/tests/inbound/lib.sh"

n=0 failed=0 pids=() occd_stopping=0
work=$(mktemp -d /tmp/occ-metrics.XXXXXX)
# harness.sh's cleanup would stop occd too: with-occd.sh does that
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	if [ "${KEEP:-0}" = 1 ] || [ "$failed" -ne 0 ]; then
		echo "# work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

take_ports 6
ph=${P[0]} trunk_port=${P[1]} c1=${P[2]} hook_dead=${P[3]} hook=${P[4]}
rc1=${P[5]}                 # the caller's media (an mp.py peer)
F_CALLER=1130               # what it says (Hz)

prom() { /usr/bin/python3 "$here/prom.py" "$@"; }
# scrape NAME: /metrics into $work/NAME.txt, checked (prom.py scrape)
scrape() { prom scrape "$url/metrics" "$work/$1.txt" >/dev/null; }
# expect NAME EXPR...: the scrape NAME says so
expect() { local f=$1; shift; prom expect "$work/$f.txt" "$@"; }
# grown NAME EXPR...: the counters grew by so much since the first scrape
grown() { local f=$1; shift; prom expect "$work/$f.txt" --base "$work/s0.txt" "$@"; }
# soon SECS NAME EXPR...: scrapes until they say so (a state that settles)
soon() {
	local secs=$1 name=$2 i
	shift 2
	for ((i = 0; i < secs * 5; i++)); do
		scrape "$name" && expect "$name" "$@" >/dev/null && return 0
		sleep 0.2
	done
	scrape "$name" && expect "$name" "$@"
	return 1
}

# ---- 1. the start ------------------------------------------------------------

t0=$(date +%s)
check "a scrape parses (Prometheus client parser): HELP, TYPE, _total, histograms" \
	scrape s0
check "at the start: no call, no registration, all 7 agents logged out" \
	expect s0 'occ_calls_active==0' 'occ_calls_up==0' \
	'occ_sip_registrations==0' 'occ_sip_registered_extensions{team=demo}==0' \
	'occ_agents{team=demo,state=logout}==6' 'occ_agents{team=acme,state=logout}==1' \
	'occ_agents{state=idle}==0' 'occ_queue_callers{team=demo,queue=6001}==0'
check "process figures: CPU, memory, fds, start time (within the last minutes)" \
	expect s0 'process_cpu_seconds_total>0' 'process_resident_memory_bytes>1000000' \
	'process_open_fds>4' 'process_max_fds>=1024' \
	"process_start_time_seconds>=$((t0 - 300))" "process_start_time_seconds<=$((t0 + 2))"
check "the loop lag histogram has samples (a 100 ms timer)" \
	expect s0 'occ_event_loop_lag_seconds_count>0'

# ---- 2. a phone registers ----------------------------------------------------

check "phone 8003 registers (sipp, digest)" \
	sipp_reg reg8003 "$ph" register.xml 8003 8003 300
check "metrics: 1 registration, 1 registered extension in demo, none in acme" eval '
	scrape s2 && expect s2 "occ_sip_registrations==1" \
		"occ_sip_registered_extensions{team=demo}==1" \
		"occ_sip_registered_extensions{team=acme}==0"'

# ---- 3. login and check-in ---------------------------------------------------

check "agent 8001 logs in" api_is 8001 'EVENT=LOGIN' '|Retuen|1|'
check "agent 8001 checks in to Sales (6001) on the built-in phone 8101" \
	api_is 8001 'EVENT=QUEUE&type=1&list=1&deviceexten=8101' '|Retuen|1|'
check "metrics: demo has 1 agent idle, 5 logged out" eval '
	scrape s3 && expect s3 "occ_agents{team=demo,state=idle}==1" \
		"occ_agents{team=demo,state=logout}==5"'

# a browser's event stream (/push/sse): the fan-out's loop passes are timed
tok=$(curl -s -m 10 -d "EVENT=PushToken&type=team&orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin" \
	"$url/coccinterfaces" | cut -d'|' -f5)
curl -s -N -m 20 -H 'Accept: text/event-stream' "$url/push/sse?token=$tok" \
	>"$work/sse.txt" 2>/dev/null &
pids+=($!)
sleep 1
check "8001 pauses and unpauses, with push events" eval '
	api_is 8001 "EVENT=QUEUEPAUSE&type=1&pause_reason=rest&pushevent=yes" "|Retuen|1|" &&
	api_is 8001 "EVENT=QUEUEPAUSE&type=2&pushevent=yes" "|Retuen|1|"'
check "the stream got both events, and the fan-out's passes were timed (occ_push_fanout_pass_seconds)" eval '
	soon 5 s3p "occ_push_fanout_pass_seconds_count>=1" &&
	grep -q "agentnum=8001&state=pause" "$work/sse.txt" &&
	grep -q "agentnum=8001&state=idle" "$work/sse.txt"'

# ---- 4. a call with the virtual customer -------------------------------------

m=$(log_mark)
check "8001 calls the demo's virtual customer (makeCall)" \
	api_is 8001 'EVENT=MAKECALL&targetdn=5550100&targettype=exter' 'BackMsg_19'
sid1=$(session_of "$m" 8001)
check "the customer answers" wait_log "$m" "call answered session=$sid1" 15
check "metrics: 1 call active and up, 8001 busy" \
	soon 5 s4 'occ_calls_active==1' 'occ_calls_up==1' \
	'occ_agents{team=demo,state=busy}==1'

# ---- 5. a caller waits in queue 6001 -----------------------------------------

cat >"$work/routing.ini" <<-EOF
	[did 800500]
	dest = queue:6001

	[queue 6001]
EOF
check "routing: DID 800500 goes to queue 6001" import_routing "$work/routing.ini"
m5=$(log_mark)
caller q c1 "$c1" 800500 4000555001 30000 "$rc1"
check "the caller's INVITE is answered (it waits in the queue)" status_is q c1 200
sleep 2
check "metrics: 1 caller waiting in 6001 for at least 1.5 s, 2 calls active and up (occd answered the caller)" \
	soon 5 s5 'occ_queue_callers{team=demo,queue=6001,state=waiting}==1' \
	'occ_queue_longest_wait_seconds{team=demo,queue=6001}>=1.5' \
	'occ_queue_longest_wait_seconds{team=demo,queue=6001}<=20' \
	'occ_queue_callers{team=demo,queue=6002}==0' 'occ_calls_active==2' \
	'occ_calls_up==2'
# run.sh runs this occd with one media worker ([media] threads): the
# caller's RTP and RTCP sockets are its, and it has handled its packets
if [ "${OCC_MEDIA_THREADS:-0}" -ge 1 ]; then
	check "metrics: $OCC_MEDIA_THREADS media thread(s), polling the caller's RTP and RTCP, busy with its packets, its lateness and lock wait shown" \
		soon 5 s5m "occ_media_threads==$OCC_MEDIA_THREADS" \
		'occ_media_thread_sockets>=2' \
		'occ_media_thread_busy_seconds_total>0' \
		'occ_media_thread_lag_seconds>=0' \
		'occ_media_thread_lock_wait_seconds_total>0' \
		'occ_media_handover_yields_total>=0'
fi
m=$(log_mark)
check "8001 hangs up the outbound call" api_is 8001 'EVENT=HANGUP&target=all' '|Retuen|1|'
check "the outbound call ends ANSWERED" \
	wait_log "$m" "call ended session=$sid1 disposition=ANSWERED by=api" 10
check "metrics: the ACD gives 8001 the caller: talking in 6001, nobody waits" \
	soon 15 s5b 'occ_queue_callers{team=demo,queue=6001,state=talking}==1' \
	'occ_queue_callers{team=demo,queue=6001,state=waiting}==0' \
	'occ_queue_longest_wait_seconds{team=demo,queue=6001}==0' \
	'occ_calls_up==1' 'occ_agents{team=demo,state=busy}==1'
sid2=$(inbound_sid "$m5" 800500)
m=$(log_mark)
check "8001 hangs up the inbound call" api_is 8001 'EVENT=HANGUP&target=all' '|Retuen|1|'
check "the inbound call ends ANSWERED" \
	wait_log "$m" "call ended session=$sid2 disposition=ANSWERED" 10
check "metrics: calls ended: 1 dialout and 1 dialin ANSWERED; legs: 2 agent and 2 customer ANSWERED" \
	soon 5 s5c 'occ_calls_active==0' 'occ_calls_up==0' \
	'occ_queue_callers{team=demo,queue=6001}==0'
check "... counted as they ended (increase since the start)" \
	grown s5c 'occ_calls_ended_total{direction=dialout,disposition=ANSWERED}==1' \
	'occ_calls_ended_total{direction=dialin,disposition=ANSWERED}==1' \
	'occ_calls_ended_total==2' \
	'occ_call_legs_ended_total{role=agent,disposition=ANSWERED}==2' \
	'occ_call_legs_ended_total{role=customer,disposition=ANSWERED}==2' \
	'occ_call_legs_ended_total==4'

# ---- 6. a failed call --------------------------------------------------------

check "trunk gw to a far end that is busy (occctl trunk add)" trunk_add gw "$trunk_port"
check "agent 8003 checks in to Sales on its phone" \
	api_is 8003 'EVENT=QUEUE&type=1&list=1&deviceexten=8003' '|Retuen|1|'
sipp_uas busy-cust "$trunk_port" reject_486.xml
cpid=$BG
sipp_uas busy-agent "$ph" agent_answer.xml
apid=$BG
m=$(log_mark)
check "8003 calls out over gw" \
	api_is 8003 'EVENT=MAKECALL&targetdn=5550200&targettype=exter&trunkidentity=gw' 'BackMsg_19'
sid3=$(session_of "$m" 8003)
check "the call ends BUSY" wait_log "$m" "call ended session=$sid3 disposition=BUSY" 15
check "the far end and the phone did their part (sipp)" eval '
	sipp_result busy-cust "$cpid" 10 && sipp_result busy-agent "$apid" 10'
check "metrics: +1 dialout BUSY call, +1 customer BUSY leg, +1 agent ANSWERED leg" eval '
	scrape s6 && grown s6 \
		"occ_calls_ended_total{direction=dialout,disposition=BUSY}==1" \
		"occ_calls_ended_total==3" \
		"occ_call_legs_ended_total{role=customer,disposition=BUSY}==1" \
		"occ_call_legs_ended_total{role=agent,disposition=ANSWERED}==3" \
		"occ_call_legs_ended_total==6" &&
	expect s6 "occ_calls_active==0" "occ_agents{team=demo,state=idle}==2"'

# ---- 7. the webhook backlog ---------------------------------------------------

hook_set() {  # hook_set URL: acme's event_url, applied (SIGHUP)
	local m
	m=$(log_mark)
	"$occctl" --data "$data" team set acme event_url "$1" >/dev/null &&
		wait_log "$m" 'provisioning reloaded' 10
}
check "acme's event_url points where nobody listens" \
	hook_set "http://127.0.0.1:$hook_dead/events"
# acme AGENT PARAMS WANT: the HTTP interface as an acme agent
acme() {
	local r
	r=$(curl -sS -m 10 -d "$2&orgidentity=acme&usertype=agent&user=$1&pwdtype=plaintext&password=$1" \
		"$url/coccinterfaces" 2>&1)
	case "$r" in *"$3"*) return 0 ;; esac
	echo "EVENT ${2%%&*} as $1: got '$r', want '$3'"
	return 1
}
check "agent 9001 (acme) logs in and checks in on the built-in phone 9101" eval '
	acme 9001 EVENT=LOGIN "|Retuen|1|" &&
	acme 9001 "EVENT=QUEUE&type=1&list=3&deviceexten=9101" "|Retuen|1|"'
m=$(log_mark)
check "9001 calls acme's virtual customer, which answers; 9001 hangs up (call events)" eval '
	acme 9001 "EVENT=MAKECALL&targetdn=5550300&targettype=exter" BackMsg_19 &&
	sid4=$(since "$m" | sed -n "s/.*call started session=\([0-9a-f]*\) team=acme .*/\1/p" | tail -1) &&
	wait_log "$m" "call answered session=$sid4" 15 &&
	acme 9001 "EVENT=HANGUP&target=all" "|Retuen|1|" &&
	wait_log "$m" "call ended session=$sid4 disposition=ANSWERED" 10'
check "metrics: acme's call events wait for its event_url (webhook backlog)" \
	soon 10 s7 'occ_events_pending{sink=webhook,team=acme}>=4' \
	'occ_agents{team=acme,state=idle}==1' 'occ_calls_active==0'
/usr/bin/python3 - "$hook" "$work/hook.log" >/dev/null 2>&1 <<-'EOF' &
	import http.server, sys
	class H(http.server.BaseHTTPRequestHandler):
	    def do_POST(self):
	        n = int(self.headers.get("Content-Length", 0))
	        with open(sys.argv[2], "a") as f:
	            f.write(self.rfile.read(n).decode() + "\n")
	        self.send_response(200)
	        self.send_header("Content-Length", "0")
	        self.end_headers()
	    def log_message(self, *a):
	        pass
	http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
pids+=("$!")
sleep 0.5
check "acme's event_url points at a receiver" hook_set "http://127.0.0.1:$hook/events"
check "metrics: the backlog drains to 0" \
	soon 20 s7b 'occ_events_pending{sink=webhook,team=acme}==0'
check "... and the receiver got acme's events" eval '
	grep -c "eventid=" "$work/hook.log"'

# ---- 8. the phone unregisters ------------------------------------------------

check "phone 8003 unregisters (expires 0)" \
	sipp_reg unreg8003 "$ph" register.xml 8003 8003 0
check "metrics: no registration left" \
	soon 5 s8 'occ_sip_registrations==0' 'occ_sip_registered_extensions{team=demo}==0'

# ---- 9. the counters against the CDRs ----------------------------------------

check "the call counters equal the CDRs (legs by role and disposition, calls by direction and disposition)" \
	prom cdr "$work/s8.txt" "$data/occ.db"
check "the store's write latency was measured, the loop lag sampled all along" \
	grown s8 'occ_store_write_seconds_count>10' 'occ_event_loop_lag_seconds_count>10'

[ "$failed" -eq 0 ]
