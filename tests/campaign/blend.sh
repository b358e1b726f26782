#!/usr/bin/env bash
# blend.sh — blended agents over real SIP (issue 12, docs/DIALER.md
# "Blending"): occd --demo, the demo's progressive campaign 10 (group 1,
# queue 6001), its virtual customers (they answer after 1 s and hang up
# 20 s later), a DID to queue 6001 called by a sipp caller.
#
#   1. 8002 works `dialout` (built-in phone 8102), 8003 `dialin` (8103),
#      both checked in to group 1: the campaign dials for 8002 only;
#      8003, idle, gets no dialer call while numbers wait
#   2. 8001 works `all` on a sipp phone: it takes a dialer call; a caller
#      dials into queue 6001 meanwhile and waits (8001 talks, 8002 is
#      dialout, 8003 checked out); the dialer logs 8001 awaited; when
#      8001's call ends the caller is offered to it and it answers; in
#      between no dialer call was bridged to 8001 and every number
#      dialled went to 8002, which kept getting dialer calls
#   3. after the inbound call, 8001 gets dialer calls again
#   4. over the whole run no dialer call reached 8003
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/sip/lib/harness.sh"
. "$root/tests/sip/lib/calls.sh"
. "$root/tests/inbound/lib.sh"
suite_begin blend

preflight "apt-get install sip-tester" sipp python3 curl
scen=$root/tests/multiparty/scenarios

take_ports 6
http_port=${P[0]} sip_port=${P[1]} p1=${P[2]} r1=${P[3]} c1=${P[4]} rc1=${P[5]}
url=http://127.0.0.1:$http_port
F_CALLER=1130 F_AGENT=770

import() {
	curl -sS -m 10 --data-urlencode "context=name=$1||phone1=$2" \
		-d "EVENT=Import&orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin&modeltype=Campaign&model_id=10&source=data&phone_field=phone1" \
		"$url/coccinterfaces" | grep -q BackMsg_83
}
campaign() { "$occctl" --data "$data" campaign "$1" demo 10; }
workway() { api_is "$1" "EVENT=WORKWAY&status=$2&agent_group_id=1" "|Retuen|1|"; }
# bridged_to MARK AGENT: the dialer sessions bridged to AGENT since MARK
bridged_to() {
	since "$1" | sed -n "s/.*campaign call bridged campaign=10 session=\([0-9a-f]*\) agent=$2\$/\1/p"
}
# dialled MARK [END]: the dialer sessions started between log lines MARK and END
dialled() {
	since "$1" | head -n "$(( ${2:-999999999} - $1 ))" |
		sed -n 's/.*dialing campaign=10 session=\([0-9a-f]*\) .*/\1/p'
}

start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)"
printf '[did 800500]\ndest = queue:6001\n\n[queue 6001]\n' >"$work/routing.ini"
check "a DID to queue 6001 (group 1) imports" import_routing "$work/routing.ini"
check "8001's phone registers" phone_reg reg8001 "$p1" 8001
import_all() {
	local i
	for i in $(seq 10 21); do import "n$i" "139000000$i" || return 1; done
}
check "twelve numbers import into campaign 10" import_all

# ---- 1. dialout and dialin agents ----------------------------------------------

m=$(log_mark)
check "8002 checks in to group 1 on 8102 and works dialout; 8003 on 8103, dialin" eval '
	checkin 8002 1 8102 && workway 8002 dialout &&
	checkin 8003 1 8103 && workway 8003 dialin'
check "occctl campaign start demo 10: a number is dialled and bridged to 8002" eval '
	campaign start &&
	wait_log "$m" "campaign call bridged campaign=10 session=[0-9a-f]+ agent=8002" 10'
check "for 3 s: only that number was dialled; 8003 stays idle and gets none" eval '
	sleep 3; expect_eq dials "$(dialled "$m" | wc -l)" 1 &&
	expect_eq "bridged to 8003" "$(bridged_to "$m" 8003)" "" && state_is 8003 idle'
check "8003 checks out" checkout 8003 1

# ---- 2. an all-mode agent, a caller waiting for it --------------------------------

f=blend
CALLS=3 SECS=120 phone $f agent "$p1" phone.xml 300 $F_AGENT 0 "$r1"
m=$(log_mark)
check "8001 checks in to group 1 on its phone (work mode all): it gets a dialer call" eval '
	checkin 8001 1 8001 &&
	wait_log "$m" "campaign call bridged campaign=10 session=[0-9a-f]+ agent=8001" 10'
d1=$(bridged_to "$m" 8001 | head -1)
m=$(log_mark)
caller $f caller "$c1" 800500 13800000009 60000 "$rc1"
check "a caller dials into queue 6001 and waits (8001 talks)" eval '
	wait_log "$m" "queued session=[0-9a-f]+ queue=6001" 10'
in_sid=$(since "$m" | sed -n 's/.*queued session=\([0-9a-f]*\) queue=6001.*/\1/p' | head -1)
check "the dialer takes 8001 as awaited by an inbound caller" \
	wait_log "$m" "campaign=10 agent=8001 awaited by an inbound caller" 5
m_wait=$(log_mark)
check "8001's dialer call ends; the caller is offered to 8001, which answers" eval '
	wait_log "$m" "call ended session=$d1" 40 &&
	wait_log "$m" "offer session=$in_sid uniqueid=[0-9]+ exten=8001 agent=8001" 5 &&
	wait_log "$m" "agent answered session=$in_sid uniqueid=[0-9]+ agent=8001" 10'
m_ans=$(since 0 | grep -n "agent answered session=$in_sid " | head -1 | cut -d: -f1)
check "while the caller waited no dialer call was bridged to 8001" eval '
	expect_eq "bridged to 8001" "$(since "$m_wait" | head -n "$((m_ans - m_wait))" |
		grep -c "campaign call bridged campaign=10 session=[0-9a-f]* agent=8001")" 0'
sleep 3   # a number dialled just before the answer is bridged by now
# all_to_8002: every session dialled between m_wait and m_ans (one at least)
# was bridged to 8002
all_to_8002() {
	local w to2 s
	w=$(dialled "$m_wait" "$m_ans")
	to2=$(bridged_to "$m_wait" 8002)
	echo "dialled:" $w "; bridged to 8002:" $to2
	[ -n "$w" ] || return 1
	for s in $w; do echo "$to2" | grep -qx "$s" || return 1; done
}
check "every number dialled while the caller waited went to 8002, at least one (dialout keeps dialling)" all_to_8002

# ---- 3. after the inbound call ------------------------------------------------------

m=$(log_mark)
check "8001 hangs up the inbound call; the caller gets BYE" eval '
	api_is 8001 "EVENT=HANGUP&target=all" "|Retuen|1|" &&
	wait_log "$m" "call ended session=$in_sid" 5'
check "8001 gets dialer calls again" \
	wait_log "$m" "campaign call bridged campaign=10 session=[0-9a-f]+ agent=8001" 15
check "CDR: the inbound call answered by 8001 in queue 6001" expect_eq cdr \
	"$(sql 'SELECT direction, disposition, agent FROM cdr WHERE sessionid = ?' "$in_sid")" \
	"in|ANSWERED|8001"

# ---- 4. the dialin agent ----------------------------------------------------------------

check "campaign stop" campaign stop
check "no dialer call was ever bridged to 8003 (dialin)" \
	expect_eq "bridged to 8003" "$(bridged_to 0 8003)" ""

stop_occd
echo "1..$n"
[ "$failed" -eq 0 ]
