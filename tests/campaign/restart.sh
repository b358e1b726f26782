#!/usr/bin/env bash
# restart.sh — kill -9 during a running campaign (issue 12, docs/DIALER.md
# "Restart"): occd --demo, campaign 10 (progressive) over a sipp customer
# trunk that answers every number and talks until occd hangs up, agents
# 8002 and 8003 on built-in phones in group 1, six numbers.
#
#   1. two numbers are dialled and bridged; with both calls up occd is
#      killed (-9) and started again on the same data
#   2. the two interrupted rows: an attempt more, result interrupted, next
#      try 30 min later; the dialer goes on with the other numbers
#   3. from the sipp trunk's own logs (before and after the crash): no
#      number got a second INVITE (its retry delay is 30 min at least)
#   4. every imported record is still in the pre-dial list, each in a
#      consistent state (nothing left dialing once the calls ended)
#   5. the campaign report counts the calls from before the crash (their
#      CDRs, closed at the restart) and after it: 4 dials; the new
#      dialer's abandon budget starts from those answers
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/sip/lib/harness.sh"
. "$root/tests/sip/lib/calls.sh"
. "$root/tests/inbound/lib.sh"
suite_begin restart

preflight "apt-get install sip-tester" sipp python3 curl
scen=$root/tests/multiparty/scenarios

take_ports 4
http_port=${P[0]} sip_port=${P[1]} pc=${P[2]} rc=${P[3]}
url=http://127.0.0.1:$http_port
F_CUSTOMER=1000
nums=(13900000031 13900000032 13900000033 13900000034 13900000035 13900000036)

import() {
	curl -sS -m 10 --data-urlencode "context=name=$1||phone1=$2" \
		-d "EVENT=Import&orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin&modeltype=Campaign&model_id=10&source=data&phone_field=phone1" \
		"$url/coccinterfaces" | grep -q BackMsg_83
}
campaign() { "$occctl" --data "$data" campaign "$1" demo 10; }
bridged() { since "$1" | grep -c "campaign call bridged campaign=10 "; }
# invites: "NUMBER COUNT" for each number the trunk's sipp got INVITEs
# for, counted by Call-ID (a retransmission is not a second INVITE)
invites() {
	cat "$work"/cust*/cust/msgs.log 2>/dev/null | python3 -c '
import re, sys
calls = {}
num = None
for line in sys.stdin:
    m = re.match(r"INVITE sip:(\d+)@", line)
    if m:
        num = m.group(1)
    m = re.match(r"Call-ID: *(\S+)", line, re.I)
    if m and num:
        calls.setdefault(num, set()).add(m.group(1))
        num = None
for k in sorted(calls):
    print(k, len(calls[k]))'
}

start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)"
check "a trunk to a sipp customer becomes the team's default" trunk_add cust "$pc" --default
import_all() {
	local x
	for x in "${nums[@]}"; do import "n$x" "$x" || return 1; done
}
check "six numbers import into campaign 10" import_all
check "8002 and 8003 check in to group 1 on built-in phones" eval '
	checkin 8002 1 8102 && checkin 8003 1 8103'

# ---- 1. two calls up, kill -9 ---------------------------------------------------------

CALLS=10 SECS=90 phone cust1 cust "$pc" phone.xml 300 $F_CUSTOMER 0 "$rc"
m=$(log_mark)
check "campaign start: two numbers dialled, answered and bridged to 8002 and 8003" eval '
	campaign start &&
	for _ in $(seq 1 100); do [ "$(bridged "$m")" -ge 2 ] && break; sleep 0.1; done &&
	expect_eq bridged "$(bridged "$m")" 2'
before=$(sql "SELECT number FROM dial_list WHERE campaign_id = 10 AND last_result = 'dialing' ORDER BY number" | paste -sd' ')
check "the two calls are up, their rows dialing" \
	expect_eq "dialing" "$(echo "$before" | wc -w)" 2
check "occd is killed (-9) with the calls up" eval '
	kill -9 "$occd_pid" && { wait "$occd_pid" 2>/dev/null; occd_pid=; }'
kill -TERM "$SIPP_cust" "$PEER_cust" 2>/dev/null
wait "$SIPP_cust" "$PEER_cust" 2>/dev/null
t_restart=$(date +%s%3N)

# ---- 2. the restart ----------------------------------------------------------------------

CALLS=10 SECS=60 phone cust2 cust "$pc" phone.xml 300 $F_CUSTOMER 0 "$rc"
mv "$log" "$work/occd-1.log"
start_occd "occd starts again on the same data"
# interrupted NUMBER: its row has an attempt, interrupted, a next try 30 min on
interrupted() {
	expect_eq "$1" "$(sql "SELECT attempts, last_result, dial_ms >= ? + 1790000 FROM dial_list WHERE campaign_id = 10 AND number = ?" "$t_restart" "$1")" "1|interrupted|1"
}
all_interrupted() {
	local x
	for x in $before; do interrupted "$x" || return 1; done
}
check "the two interrupted dials: an attempt more, interrupted, next try in 30 min" eval '
	wait_log 0 "interrupted dials=2 retried in 30 min" 5 &&
	all_interrupted'
check "the new dialer starts from the stored answers (abandon budget restored, 2 live)" \
	wait_log 0 "abandon budget restored campaign=10 live=2 abandons=0" 10
check "the dialer goes on: two other numbers dialled and bridged" eval '
	for _ in $(seq 1 150); do [ "$(bridged 0)" -ge 2 ] && break; sleep 0.1; done &&
	expect_eq bridged "$(bridged 0)" 2 &&
	! since 0 | grep -E "dialing campaign=10 .*number=(${before// /|}) "'
check "campaign stop; the agents hang up; the calls end" eval '
	campaign stop &&
	api_is 8002 "EVENT=HANGUP&target=all" "|Retuen|1|" &&
	api_is 8003 "EVENT=HANGUP&target=all" "|Retuen|1|" &&
	for _ in $(seq 1 50); do
		[ "$(grep -c "call ended session=" "$log")" -ge 2 ] && break; sleep 0.1
	done && expect_eq ended "$(grep -c "campaign dial ended campaign=10" "$log")" 2'

# ---- 3. no second INVITE -----------------------------------------------------------------

check "the trunk's sipp logs: four numbers got one INVITE each, none a second" eval '
	got=$(invites); echo "$got" | sed "s/^/invites: /"
	expect_eq numbers "$(echo "$got" | wc -l)" 4 && ! echo "$got" | grep -qv " 1$"'

# ---- 4. the records ---------------------------------------------------------------------

check "every record is still listed; 2 interrupted, 2 answered, 2 not yet dialled, none dialing" eval '
	expect_eq list "$(sql "SELECT count(*), sum(last_result = '"'"'interrupted'"'"' AND attempts = 1),
		sum(last_result = '"'"'answered'"'"' AND attempts = 1),
		sum(last_result = '"'"''"'"' AND attempts = 0), sum(last_result = '"'"'dialing'"'"')
		FROM dial_list WHERE campaign_id = 10")" "6|2|2|2|0"'

# ---- 5. the report ------------------------------------------------------------------------

check "occctl campaign report: 4 dials, 4 answers (2 before the crash), as the CDRs say" eval '
	r=$("$occctl" --data "$data" campaign report demo 10 --days 2 --json) &&
	python3 -c "
import json, sys
r = json.loads(sys.argv[1])
got = [sum(d[k] for d in r[\"days\"]) for k in (\"dials\", \"answers\")]
print(\"report\", got, \"list\", r[\"list\"][\"results\"])
sys.exit(0 if got == [4, 4] and r[\"list\"][\"results\"].get(\"interrupted\") == 2 else 1)
" "$r" &&
	expect_eq cdr "$(sql "SELECT count(*) FROM cdr WHERE modeltype = '"'"'Campaign'"'"' AND model_id = '"'"'10'"'"' AND end_ms > 0")" 4'

stop_occd
echo "1..$n"
[ "$failed" -eq 0 ]
