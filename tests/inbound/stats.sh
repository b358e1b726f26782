#!/usr/bin/env bash
# stats.sh — a day of calls through occd, then the statistics operations
# against a recomputation from the CDRs (sqlite3 on occd's database) and
# the states the agents were put in. Real peers: sipp callers from outside
# dialling DIDs (with mp.py media), sipp phones of agents 8005 and 8006
# (queue 6002, group 2), a sipp far end behind the trunk "gw".
#
#   1. ring-no-answer: 8005's phone only rings, it is paused, 8006 answers
#   2. busy hour: two callers talk to 8005 and 8006, a third waits in 6002,
#      a fourth in 6001 (nobody checked in): queueCustomerNum (6002, 6001,
#      all), groupStatusNum and agentRealtime agree with the open CDRs;
#      then both waiting callers give up
#   3. outbound: 8006 calls out and talks, 8005's call is not answered
#   4. agentStatisticDay (HTTP and Script/JSONP) and agentRealtime agree
#      with the CDRs; so do queueCustomerNum and groupStatusNum (nobody
#      left); after a restart agentStatisticDay is rebuilt from the stored
#      events and still agrees
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../sip/lib/harness.sh"
. "$here/../sip/lib/calls.sh"
. "$here/lib.sh"
suite_begin inbound-stats

preflight "apt-get install sip-tester php-cli php-soap" sipp python3 curl php
scen=$root/tests/sip/scenarios        # agent phones and the far end
soap_php=$root/tests/ops/lib/soap.php
F_CALLER=1130

take_ports 13
http_port=${P[0]} sip_port=${P[1]}
p5=${P[2]} p6=${P[3]} trunk_port=${P[4]}
c1=${P[5]} c2=${P[6]} c3=${P[7]} c4=${P[8]}
rc1=${P[9]} rc2=${P[10]} rc3=${P[11]} rc4=${P[12]}
url=http://127.0.0.1:$http_port

# the routing: 800400 to queue 6002 (8005 first, then 8006; 3 s of
# ringing, then the agent is paused), 800500 to queue 6001
cat >"$work/routing.ini" <<-'EOF'
	[did 800400]
	dest = queue:6002
	[did 800500]
	dest = queue:6001

	[queue 6001]

	[queue 6002]
	strategy = linear
	ring_timeout = 3
	autopause = yes
	member.8005 = 0
	member.8006 = 1
EOF

soap() { php "$soap_php" "$url" "$@" 2>&1; }
qcn() {  # qcn QUEUE: queueCustomerNum's total|ringing|waiting|talking
	local r
	r=$(curl -sS -m 10 "$url/coccinterfaces" -d "EVENT=queueCustomerNum&orgidentity=demo&queuenumber=$1")
	echo "${r#|Retuen|1|Retuen|}"
}
# uas NAME PORT SCENARIO: a phone or far end for one call (sipp_uas)
uas() { sipp_uas "$1" "$2" "$3"; printf -v "UAS_$1" %s "$BG"; }
uas_done() {  # uas_done NAME SECS
	local pid=UAS_$1
	sipp_result "$1" "${!pid}" "$2"
}

# agentStatisticDay of AGENT in group 2: HTTP, and Script (JSONP)
http_stat() { local r; r=$(api "$1" "EVENT=AgentStatisticDay&agent_group_id=2"); echo "${r#|Retuen|1|Retuen|}"; }
script_stat() {
	curl -sS -m 10 "$url/coccinterface/setevent/agentStatisticDayCJI?callback=cb&orgidentity=demo&usertype=agent&user=$1&pwdtype=plaintext&password=$1&agent_group_id=2" |
		python3 -c 'import json,sys,re; b=sys.stdin.read(); o=json.loads(re.fullmatch(r"cb\((.*)\);", b, re.S).group(1)); assert o["code"] == 1, b; print(json.dumps(o["message"]))'
}
# The CDRs' side, computed by recompute.py from the database alone.
recompute() { python3 "$here/recompute.py" "$data/occ.db" "$@"; }

start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)"
check "the routing imports" import_routing "$work/routing.ini"
check "trunk gw, the team's default, to the far end" trunk_add gw "$trunk_port" --default
check "phones 8005 and 8006 register" eval '
	phone_reg reg8005 "$p5" 8005 && phone_reg reg8006 "$p6" 8006'
check "8005 and 8006 check in to group 2 (queue 6002) on their phones, ACW off" eval '
	checkin 8005 2 8005 && checkin 8006 2 8006 &&
	api_is 8005 "EVENT=ACW&type=3&agent_group_id=2" BackMsg_59 &&
	api_is 8006 "EVENT=ACW&type=3&agent_group_id=2" BackMsg_59'

# ---- 1. ring-no-answer -----------------------------------------------------------

uas rona_a5 "$p5" ring_cancel.xml
uas rona_a6 "$p6" agent_answer.xml
m=$(log_mark)
caller rona caller "$c1" 800400 13900000001 7000 "$rc1"
check "rona: 8005 rings 3 s, is cancelled and paused; 8006 answers" eval '
	uas_done rona_a5 8 && wait_log "$m" "agent answered session=.* agent=8006" 5 &&
	state_is 8005 pause'
check "rona: the caller hangs up after 7 s, the call ends" eval '
	phone_done rona caller 15 && uas_done rona_a6 5 && wait_log "$m" "call ended session=" 5'
check "rona: 8005 unpauses" api_is 8005 'EVENT=QUEUEPAUSE&type=2' '|Retuen|1|'
peers_stop caller

# ---- 2. busy hour ------------------------------------------------------------------

uas busy_a5 "$p5" agent_answer.xml
uas busy_a6 "$p6" agent_answer.xml
m=$(log_mark)
caller busy s1 "$c1" 800400 13900000002 12000 "$rc1"
check "busy: the first caller reaches 8005" wait_log "$m" "agent answered session=.* agent=8005" 8
caller busy s2 "$c2" 800400 13900000003 11000 "$rc2"
check "busy: the second caller reaches 8006" wait_log "$m" "agent answered session=.* agent=8006" 8
caller busy s3 "$c3" 800400 13900000004 4000 "$rc3"
caller busy s4 "$c4" 800500 13900000005 3000 "$rc4"
check "busy: a third caller waits in 6002, a fourth in 6001" eval '
	wait_log "$m" "queued session=.* queue=6002" 3 && wait_log "$m" "queued session=.* queue=6001" 3 &&
	[ "$(since "$m" | grep -c "queued session=.* queue=6002")" = 3 ]'
# the open CDRs now: two answered in 6002, one waiting there, one in 6001
snap_cdr=$(recompute now 8005 8006)
check "busy: queueCustomerNum 6002, 6001 and 0 (all) agree with the open CDRs (3|0|1|2, 1|0|1|0, 4|0|2|2)" eval '
	expect_eq "cdr 6002" "$(grep "^queue 6002 " <<<"$snap_cdr" | cut -d" " -f3)" "3|0|1|2" &&
	expect_eq "6002" "$(qcn 6002)" "$(grep "^queue 6002 " <<<"$snap_cdr" | cut -d" " -f3)" &&
	expect_eq "6001" "$(qcn 6001)" "$(grep "^queue 6001 " <<<"$snap_cdr" | cut -d" " -f3)" &&
	expect_eq "all" "$(qcn 0)" "$(grep "^queue all " <<<"$snap_cdr" | cut -d" " -f3)"'
# groupStatusNum: checked-in|idle|ringing|paused|busy|acw, with the two
# checked-in agents as the test put them (none paused now) and busy and
# ringing from the open CDRs
check "busy: groupStatusNum 6002 agrees with the open CDRs (both agents busy)" eval '
	want=$(grep "^group 8005,8006 " <<<"$snap_cdr" | cut -d" " -f3)
	expect_eq cdr "$want" "2|0|0|0|2|0" && expect_eq groupStatusNum "$(soap groupStatusNum demo 6002 all)" "1|$want"'
# realtime_is AGENT STATE [PAUSES]: agentRealtime's number, state and
# (given) today's pause count
realtime_is() {
	expect_match "agentRealtime $1" "$(api "$1" EVENT=AgentRealtime)" \
		"^\|Retuen\|1\|Retuen\|[^|]*\|$1\|$2\|[0-9]+\|${3:-[0-9]+}\|"
}
busy_agree() {
	local a busy
	busy=$(grep "^busy " <<<"$snap_cdr" | cut -d" " -f2)
	expect_eq "busy in the CDRs" "$busy" "8005,8006" || return 1
	for a in ${busy//,/ }; do
		realtime_is "$a" busy || return 1
	done
}
check "busy: agentRealtime says busy for the agents of the open CDRs" busy_agree
check "busy: agentStatisticDay's waiting_calls of group 2 is the open CDRs' waiting in 6002" eval '
	w=$(grep "^queue 6002 " <<<"$snap_cdr" | cut -d" " -f3 | cut -d"|" -f3)
	expect_match waiting_calls "$(http_stat 8005)" "\"waiting_calls\":$w}"'
check "busy: the waiting callers give up, the talking ones hang up" eval '
	phone_done busy s3 10 && phone_done busy s4 10 &&
	phone_done busy s1 20 && phone_done busy s2 20 &&
	uas_done busy_a5 5 && uas_done busy_a6 5'
check "busy: two abandoned calls in the CDRs, with their queues" expect_eq abandoned \
	"$(sql "SELECT group_concat(queue, ' ') FROM (SELECT queue FROM cdr WHERE abandoned = 1 ORDER BY queue)")" "6001 6002"
peers_stop s1 s2 s3 s4

# ---- 3. outbound --------------------------------------------------------------------

uas out_a6 "$p6" agent_answer.xml
uas out_far6 "$trunk_port" agent_answer.xml
m=$(log_mark)
check "out: 8006 calls 5550601, the far end answers; they talk 2 s" eval '
	api_is 8006 "EVENT=MAKECALL&targetdn=5550601&targettype=exter" BackMsg_19 &&
	wait_log "$m" "call answered session=" 10 && sleep 2 &&
	api_is 8006 "EVENT=HANGUP&target=all" "|Retuen|1|" &&
	uas_done out_a6 5 && uas_done out_far6 5 && wait_log "$m" "call ended session=" 5'
uas out_a5 "$p5" agent_answer.xml
uas out_far5 "$trunk_port" ring_cancel.xml
m=$(log_mark)
check "out: 8005 calls 5550602, nobody answers; 8005 gives up" eval '
	api_is 8005 "EVENT=MAKECALL&targetdn=5550602&targettype=exter" BackMsg_19 &&
	wait_log "$m" "customer ringing session=" 10 && sleep 1 &&
	api_is 8005 "EVENT=HANGUP&target=all" "|Retuen|1|" &&
	uas_done out_a5 5 && uas_done out_far5 5 && wait_log "$m" "call ended session=" 5'
api 8005 'EVENT=ACWOFF' >/dev/null
api 8006 'EVENT=ACWOFF' >/dev/null

# ---- 4. the day's figures against the CDRs ------------------------------------------------

day_cdr=$(recompute day 8005 8006)
check "the CDRs say: 8005 rang 3 times, answered 1 inbound; 8006 rang 3 times, answered 2 inbound and 1 outbound" eval '
	expect_match 8005 "$(grep "^stat 8005 " <<<"$day_cdr")" "^stat 8005 3 1 0 [0-9]+ 1$" &&
	expect_match 8006 "$(grep "^stat 8006 " <<<"$day_cdr")" "^stat 8006 3 2 1 [0-9]+ 0$"'

# stat_agrees AGENT JSON: group 2's figures equal the CDRs' (talk to the
# second either way: the events are stamped a few ms after the CDR times)
stat_agrees() {
	python3 - "$1" "$2" "$(grep "^stat $1 " <<<"$day_cdr")" <<-'EOF'
		import json, sys
		agent, msg, line = sys.argv[1], sys.argv[2], sys.argv[3].split()
		calls, inn, out, talk = (int(x) for x in line[2:6])
		try:
		    g = json.loads(msg)["2"]
		except Exception as e:
		    sys.exit("not the statistics object: %r (%s)" % (msg, e))
		h, m, s = (int(x) for x in g["total_call_duration"].split(":"))
		want = {"agent_status": "idle", "in_bound_call_answered": inn,
		        "out_bound_call_answered": out, "total_calls": calls, "waiting_calls": 0}
		bad = {k: (g.get(k), v) for k, v in want.items() if g.get(k) != v}
		if bad or abs(h * 3600 + m * 60 + s - talk / 1000) > 1:
		    sys.exit("%s: got %s; want %s and talk %d ms" % (agent, g, want, talk))
	EOF
}
for a in 8005 8006; do
	check "agentStatisticDay of $a (HTTP) agrees with the CDRs" stat_agrees $a "$(http_stat $a)"
	check "agentStatisticDayCJI of $a (Script, JSONP) agrees with the CDRs" stat_agrees $a "$(script_stat $a)"
	check "agentRealtime of $a: idle, as many pauses as its rings went unanswered in the CDRs" \
		realtime_is $a idle "$(grep "^stat $a " <<<"$day_cdr" | cut -d" " -f7)"
done
check "queueCustomerNum 6002, 6001 and 0: nobody, as no CDR is open" eval '
	r=$(recompute now)
	expect_eq cdr "$(grep "^queue " <<<"$r" | cut -d" " -f3 | sort -u)" "0|0|0|0" &&
	expect_eq 6002 "$(qcn 6002)" "0|0|0|0" && expect_eq 6001 "$(qcn 6001)" "0|0|0|0" &&
	expect_eq all "$(qcn 0)" "0|0|0|0"'
check "groupStatusNum 6002: both agents idle" \
	expect_eq groupStatusNum "$(soap groupStatusNum demo 6002 all)" "1|2|2|0|0|0|0"

# ---- restart: the figures are rebuilt from the stored events ----------------------------------

before5=$(http_stat 8005) before6=$(http_stat 8006)
stop_occd
start_occd "occd starts again on the same data"
check "after the restart agentStatisticDay of 8005 and 8006 is the same" eval '
	expect_eq 8005 "$(http_stat 8005)" "$before5" && expect_eq 8006 "$(http_stat 8006)" "$before6"'
for a in 8005 8006; do
	check "after the restart agentStatisticDayCJI of $a still agrees with the CDRs" stat_agrees $a "$(script_stat $a)"
done

stop_occd
echo "1..$n"
[ "$failed" -eq 0 ]
