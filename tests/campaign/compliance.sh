#!/usr/bin/env bash
# compliance.sh — the dialer's compliance rules over real SIP (issue 12
# item 5, docs/DIALER.md "Compliance"): occd --demo, campaign 10 dialing
# over a trunk to a sipp customer that answers every INVITE 486 Busy,
# agent 8001 on the built-in phone 8101.
#
#   1. DNC lists (occctl dnc on the running occd): numbers on the
#      system's list (added as "+1 390-000-0011": digits compared), the
#      team's and the campaign's are never dialled (the trunk sees no
#      INVITE for them; their rows: no attempt, result dnc, never again)
#      while a number on none is
#   2. the calling window in the record's time zone: the campaign's
#      window is the two hours around now in its zone (Etc/UTC); a record
#      whose timezone field is Asia/Dhaka (UTC+6) is outside it: not
#      dialled now, its next try at the window's next opening there
#   3. retry by result: retry_busy=2 max_attempts=2 (occctl campaign
#      set): the busy number is dialled again 2 s or more after its
#      first busy, then never (2 attempts, busy, never)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/sip/lib/harness.sh"
. "$root/tests/sip/lib/calls.sh"
. "$root/tests/inbound/lib.sh"
. "$here/lib.sh"
suite_begin compliance

preflight "apt-get install sip-tester" sipp python3 curl
scen=$root/tests/sip/scenarios

take_ports 4
http_port=${P[0]} sip_port=${P[1]} pc=${P[2]} rc=${P[3]}
url=http://127.0.0.1:$http_port
S=13900000011 T=13900000012 K=13900000013 OK=13900000014 Z=13900000015

dialled() { since "$1" | grep -cE "dialing campaign=10 session=[0-9a-f]+ number=$2 "; }
invites() { grep -c "^INVITE sip:$1@" "$work/dnc/cust/msgs.log" 2>/dev/null; }

start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)"
check "a trunk to a sipp customer becomes the team's default" trunk_add cust "$pc" --default
SECS=40 CALLS=2 phone dnc cust "$pc" reject_486.xml 0

# the window: now ± 1 h in UTC, so Asia/Dhaka (UTC+6) is outside it
now_min=$((10#$(date -u +%H) * 60 + 10#$(date -u +%M)))
w0=$(((now_min + 1440 - 60) % 1440)) w1=$(((now_min + 60) % 1440))
win=$(printf '%02d:%02d-%02d:%02d' $((w0 / 60)) $((w0 % 60)) $((w1 / 60)) $((w1 % 60)))
check "occctl campaign set demo 10: window $win in Etc/UTC, retry_busy=2, max_attempts=2" eval '
	octl campaign set demo 10 window=$win timezone=Etc/UTC retry_busy=2 max_attempts=2 &&
	octl campaign show demo 10 | grep -q "timezone Etc/UTC, retry busy 2 s"'
check "occctl campaign set refuses an unknown zone and an unknown setting" eval '
	! octl campaign set demo 10 timezone=Mars/Olympus 2>/dev/null &&
	! octl campaign set demo 10 retry_later=5 2>/dev/null'
check "campaign 10's package gets a timezone column" octl campaign column demo 10 timezone Zone
check "five records import (one with timezone=Asia/Dhaka)" eval '
	import_is S "$S" && import_is T "$T" && import_is K "$K" &&
	import_is Z "$Z" Asia/Dhaka && import_is OK "$OK"'
check "occctl dnc add: the system's list (+1 390-000-0011), the team's, the campaign's" eval '
	octl dnc add "+1 390-000-0011" &&
	octl dnc add 139-0000-0012 13900000099 --team demo &&
	octl dnc add "$K" --team demo --campaign 10'
check "occctl dnc remove and list: the team's list holds $T only" eval '
	octl dnc remove 13900000099 --team demo &&
	! octl dnc remove 13900000099 --team demo 2>/dev/null &&
	expect_eq "team list" "$(octl dnc list --team demo | awk "NR > 1 { print \$1 }")" "$T" &&
	expect_eq "system list" "$(octl dnc list | awk "NR > 1 { print \$1 }")" "$S"'
check "8001 checks in to group 1 on the built-in phone 8101" checkin 8001 1 8101

m=$(log_mark)
t0=$(date +%s%3N)
check "occctl campaign start demo 10: $OK is dialled, busy" eval '
	octl campaign start demo 10 &&
	wait_log "$m" "dialing campaign=10 session=[0-9a-f]+ number=$OK " 10 &&
	wait_log "$m" "campaign dial ended campaign=10 number=$OK result=busy" 10'

# ---- 1. DNC ------------------------------------------------------------------

list_name() { case $1 in S) echo system ;; T) echo team ;; *) echo campaign ;; esac; }
for x in S T K; do
	check "dnc: ${!x} (on the $(list_name $x)'s list) is not dialled: no attempt, dnc, never" eval '
		expect_eq "${!x}" "$(row ${!x})" "0|dnc|never" &&
		wait_log "$m" "not dialled campaign=10 number=${!x}: on a DNC list" 5'
done

# ---- 2. the record's time zone ---------------------------------------------

check "window: $Z (Asia/Dhaka) is not dialled now; its next try is hours away" eval '
	wait_log "$m" "not dialled campaign=10 number=$Z: outside its window" 5 &&
	expect_eq "$Z" "$(sql "SELECT attempts, last_result, dial_ms > ? + 3 * 3600000 FROM dial_list WHERE number = ?" "$t0" "$Z")" "0||1"'

# ---- 3. retry by result -------------------------------------------------------

# retried NUMBER: dialled twice, now 2 attempts, busy, never
retried() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(dialled "$m" "$1")" = 2 ] && [ "$(row "$1")" = "2|busy|never" ] && return 0
		sleep 0.1
	done
	echo "dials: $(dialled "$m" "$1"), row: $(row "$1")"
	return 1
}
# retry_gap NUMBER: from the occd log, the first busy's end to the second
# dial: at least the 2 s of retry_busy
retry_gap() {
	since "$m" | python3 -c '
import datetime, re, sys
num = sys.argv[1]
ends, dials = [], []
for l in sys.stdin:
    t = re.match(r"ts=(\S+)Z ", l)
    if not t:
        continue
    t = datetime.datetime.fromisoformat(t.group(1))
    if re.search(r"campaign dial ended campaign=10 number=%s result=busy" % num, l):
        ends.append(t)
    elif re.search(r"dialing campaign=10 session=[0-9a-f]+ number=%s " % num, l):
        dials.append(t)
gap = (dials[1] - ends[0]).total_seconds() if ends and len(dials) > 1 else -1
print("gap", gap, "s")
sys.exit(0 if gap >= 1.9 else 1)' "$1"
}
# no_invites NUMBER...: the trunk saw no INVITE for any
no_invites() {
	local x
	for x in "$@"; do
		expect_eq "INVITEs to $x" "$(invites "$x")" 0 || return 1
	done
}
check "retry: $OK is dialled again after its busy, then never (2 attempts, busy)" retried "$OK"
check "retry: the second dial came 2 s or more after the first busy" retry_gap "$OK"
check "the trunk's sipp took its two calls (both for $OK)" eval '
	phone_done dnc cust 15 && expect_eq "INVITEs to $OK" "$(invites $OK)" 2'
check "the trunk saw no INVITE for $S, $T, $K (DNC) or $Z (outside its window)" \
	no_invites "$S" "$T" "$K" "$Z"

stop_occd
echo "1..$n"
[ "$failed" -eq 0 ]
