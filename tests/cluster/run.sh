#!/usr/bin/env bash
# tests/cluster/run.sh — several nodes (`make cluster-check`): 3 occd nodes
# on one PostgreSQL 15, Kamailio in front of them, two nginx + nchan sharing
# Redis, all on 127.0.0.1, started by scripts/cluster.sh in a temporary
# directory. What a user of the cluster would check:
#   1. both demo teams are leased to live nodes; Kamailio sends each
#      team's REGISTER (sipp phones 8002@demo, 9001@acme, registering
#      THROUGH Kamailio) to the team's owner, which keeps the Path;
#   2. nchan: a browser-like EventSource subscriber on the second nginx gets
#      the events the owner publishes to the first (Redis fan-out);
#   3. API through an nginx entry (any node; nodes forward to the owner):
#      agent 8002 logs in, checks in on its phone and makeCalls the virtual
#      customer; occd's INVITE to the phone goes through Kamailio (Route:
#      the Path), the phone answers;
#   4. kill -9 demo's owner during that call: within 30 s another node
#      holds demo; at once, the third node answers demo's login from the
#      new owner or busy (BackMsg_100), never BackMsg_02; agent 8002 logs
#      in, checks in and calls again, the
#      phone's binding restored from the store reached through Kamailio
#      (its stored Path), then the phone re-registers (the failover time is printed;
#      docs/BENCHMARKS.md); the call of the dead node is closed in its CDR
#      once; no stored event lost or duplicated, ids increasing; the
#      EventSource subscriber (same connection) keeps receiving;
#   5. a trunk's INVITE (From a carrier's domain) to demo's DID goes through
#      Kamailio to demo's owner only (route.sql's DID look-up);
#   6. a Prometheus scrape of every live node parses
#      (tests/metrics/prom.py) and its figures match what the test did.
# TAP output; everything it starts is stopped on exit (scripts/cluster.sh
# down, by the pid files); KEEP=1 keeps the directory (kept on failure).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
scen=$root/tests/sip/scenarios
prom=$root/tests/metrics/prom.py
export OCCD=${OCCD:-$root/build/occd} OCCCTL=${OCCCTL:-$root/build/occctl}
export CLUSTER_LEASE=${CLUSTER_LEASE:-6}
for c in sipp kamailio nginx redis-server curl psql; do
	command -v "$c" >/dev/null || { echo "1..0 # SKIP $c missing (scripts/deps.sh)"; exit 0; }
done

work=$(mktemp -d /tmp/occ-cluster.XXXXXX)
chmod 755 "$work"
n=0 fail=0 pids=()
check() {
	local name=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		fail=1
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /' | head -20
	fi
}
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	"$root/scripts/cluster.sh" down -d "$work/c" >/dev/null 2>&1
	if [ "$fail" = 0 ] && [ -z "${KEEP:-}" ]; then
		rm -rf "$work"
	else
		echo "# kept $work"
	fi
}
trap cleanup EXIT

echo "1..24"
check "scripts/cluster.sh up: 3 nodes, PostgreSQL, Redis, 2 nginx, Kamailio" \
	"$root/scripts/cluster.sh" up -n 3 -d "$work/c"
# shellcheck disable=SC1091
. "$work/c/env" 2>/dev/null || { echo "Bail out! no cluster"; exit 1; }
q() { psql "$PG_CONNINFO" -qAt -c "$1" 2>&1; }
owner() {  # owner TEAM: the node holding TEAM's live lease
	q "SELECT node FROM occ_team_lease WHERE team = '$1' AND expires > now()"
}
http_of() { local v=HTTP_${1#occ}; echo "${!v}"; }
log_of() { echo "$work/c/$1/occd.log"; }
soon() {  # soon SECONDS CMD...: until CMD succeeds
	local end=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && { "$@"; return 1; }
		sleep 0.3
	done
}
# the nodes balance the teams (one each here) once all have joined
both_leased() { local d a; d=$(owner demo) a=$(owner acme)
	[ -n "$d" ] && [ -n "$a" ] && [ "$d" != "$a" ]; }
check "both teams are leased, to two different live nodes" soon 40 both_leased

# ---- phones through Kamailio ----------------------------------------------
# the phones' ports: blocks held for the run (tests/lib/ports.sh), each
# sipp -p P -mp P+2 inside its block
. "$root/tests/lib/ports.sh"
ports_take 2 ports || { echo "Bail out! no free blocks of ports"; exit 1; }
ph8002=${ports[0]} ph9001=${ports[1]}
# reg NAME PORT TEAM USER EXPIRES: REGISTER (digest) through Kamailio
reg() {
	mkdir -p "$work/$1"
	printf 'SEQUENTIAL\n%s;%s;[authentication username=%s password=%s];%s\n' \
		"$4" "$3" "$4" "$4" "$5" >"$work/$1/users.csv"
	(cd "$work/$1" && timeout -k 2 15 sipp -sf "$scen/register.xml" -inf users.csv \
		"$SIP" -i 127.0.0.1 -mi 127.0.0.1 -p "$2" -mp "$(($2 + 2))" -m 1 -nostdin \
		-timeout 8s -timeout_error \
		-trace_err -error_file err.log) >"$work/$1.out" 2>&1
}
registered_on() {  # registered_on NODE TEAM EXTEN: NODE's log says so
	grep -q "registered team=$2 exten=$3 .*source=127.0.0.1:${SIP##*:}" "$(log_of "$1")"
}
# (a phone whose team moves meanwhile registers again, as on its refresh)
reg_owner() {  # reg_owner NAME PORT TEAM USER EXPIRES
	local o
	o=$(owner "$3") && reg "$@" && registered_on "$o" "$3" "$4" &&
		[ "$(owner "$3")" = "$o" ]
}
check "8002@demo registers through Kamailio, on demo's owner" \
	soon 20 reg_owner r8002 "$ph8002" demo 8002 60
check "9001@acme registers through Kamailio, on acme's owner" \
	soon 20 reg_owner r9001 "$ph9001" acme 9001 300
demo_owner=$(owner demo) acme_owner=$(owner acme)
echo "# demo on $demo_owner, acme on $acme_owner"

# ---- nchan: subscribe on the nginx the owner does not publish to ----------
pub_of() { local i=${1#occ}; echo $(( (i - 1) % 2 + 1 )); }
other=$(( 3 - $(pub_of "$demo_owner") ))
sub_web=WEB_$other
curl -sN -H 'Accept: text/event-stream' "${!sub_web}/sub/team-demo" \
	>"$work/sse.txt" 2>"$work/sse.err" &
sse_pid=$!
pids+=("$sse_pid")
sleep 1

# ---- API through nginx (any node), a call to the phone through Kamailio --
# nginx passes each request to any node (round robin); a node that does not
# serve demo forwards it to demo's owner
web=$WEB_1
api() {  # api BASE AGENT PARAMS
	curl -sS -m 10 -d "$3&orgidentity=demo&usertype=agent&user=$2&pwdtype=plaintext&password=$2" \
		"$1/coccinterfaces" 2>&1
}
api_is() {  # api_is BASE AGENT PARAMS EXPECTED
	local r
	r=$(api "$1" "$2" "$3")
	case "$r" in *"$4"*) return 0 ;; esac
	echo "EVENT ${3%%&*} as $2 at $1: got '$r', want '$4'"
	return 1
}
uas() {  # uas NAME PORT: the phone answers one call, on its registered port
	mkdir -p "$work/$1"
	(cd "$work/$1" && exec timeout -k 2 90 sipp -sf "$scen/agent_answer.xml" -i 127.0.0.1 \
		-mi 127.0.0.1 -p "$2" -mp "$(($2 + 2))" -m 1 -nostdin -timeout 80s \
		-trace_msg -message_file msgs.log) >"$work/$1.out" 2>&1 &
	UAS=$!
	pids+=("$UAS")
	sleep 0.3
}
sees_invite() { grep -q "^INVITE sip:8002@127.0.0.1:$2" "$work/$1/msgs.log" 2>/dev/null &&
	grep -q "^Record-Route: .*${SIP##*:}" "$work/$1/msgs.log"; }
check "agent 8002 logs in (through nginx: any node)" api_is "$web" 8002 'EVENT=LOGIN' '|Retuen|1|'
check "8002 checks in on its phone 8002 (through nginx)" \
	api_is "$web" 8002 'EVENT=QUEUE&type=1&list=1&deviceexten=8002' '|Retuen|1|'
uas call1 "$ph8002"
check "8002 makeCalls the virtual customer; the phone gets occd's INVITE through Kamailio and answers" eval '
	api_is "$web" 8002 "EVENT=MAKECALL&targetdn=5550100&targettype=exter" BackMsg_19 &&
	soon 15 sees_invite call1 $ph8002 &&
	soon 10 grep -q "call answered" "$(log_of $demo_owner)"'
sid1=$(sed -n 's/.*call answered session=\([^ ]*\).*/\1/p' "$(log_of "$demo_owner")" | head -1)
before_max=$(q "SELECT coalesce(max(eventid), 0) FROM events e JOIN teams t ON t.id = e.team_id WHERE t.name = 'demo'")
before_n=$(q "SELECT count(*) FROM events e JOIN teams t ON t.id = e.team_id WHERE t.name = 'demo'")
sse_before=$(grep -c '^data:' "$work/sse.txt")
check "the EventSource subscriber on the other nginx got demo's events (Redis fan-out)" \
	test "$sse_before" -gt 0

# ---- kill -9 demo's owner --------------------------------------------------
dead=$demo_owner
t0=$(date +%s.%N)
kill -9 "$(cat "$work/c/$dead/occd.pid")"
new_owner() { local o; o=$(owner demo); [ -n "$o" ] && [ "$o" != "$dead" ]; }
check "within 30 s another node holds demo's lease" soon 30 new_owner
demo_owner=$(owner demo)
echo "# demo moved from $dead to $demo_owner"
# at once, through the third node, whose view of the owners may still be
# a tick old (CI once saw it answer BackMsg_02 then): demo's owner
# answers, or the third node answers busy (BackMsg_100, retryable) until
# it learns of the new owner; never anything else
third=
for ((i = 1; i <= NODES; i++)); do
	[ "occ$i" != "$dead" ] && [ "occ$i" != "$demo_owner" ] && third=occ$i
done
third_answers() {  # at most 10 s: every reply the owner's or busy
	local end=$((SECONDS + 10)) r busy=0
	while [ $SECONDS -lt $end ]; do
		r=$(api "$(http_of "$third")" 8002 'EVENT=LOGIN')
		case "$r" in
		"|Retuen|1|"*) echo "$busy" >"$work/third_busy"; return 0 ;;
		*BackMsg_100*) busy=$((busy + 1)) ;;
		*) echo "$third answered '$r'"; return 1 ;;
		esac
		sleep 0.1
	done
	echo "$third answered busy for 10 s"; return 1
}
check "right after the takeover, $third answers demo's login from $demo_owner, or busy, never BackMsg_02" third_answers
echo "# $third answered busy $(cat "$work/third_busy" 2>/dev/null) times first"
kill "$UAS" 2>/dev/null
wait "$UAS" 2>/dev/null
# the agent's login and check-in are stored: on the new owner it is still
# checked in (Retuen 3: already), or checks in again
agent_back() { api_is "$web" 8002 'EVENT=LOGIN' '|Retuen|' &&
	api "$web" 8002 'EVENT=QUEUE&type=1&list=1&deviceexten=8002' |
	grep -qE '^\|Retuen\|1\||CheckedIn'; }
check "within 30 s of the kill the agent is back, on $demo_owner" soon 30 agent_back
t1=$(date +%s.%N)
failover=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
echo "# failover: ${failover} s from kill -9 to the agent checked in on the new owner (lease $CLUSTER_LEASE s)"
check "failover within 30 s" python3 -c "import sys; sys.exit(0 if $t1 - $t0 <= 30 else 1)"
# before the phone registers again: its binding restored from the store
# keeps the REGISTER's Path, so the new owner's INVITE goes through Kamailio
uas call2 "$ph8002"
m2=$(wc -l <"$(log_of "$demo_owner")")
check "8002 calls again, on $demo_owner: the phone's restored binding is reached through Kamailio (its stored Path)" eval '
	api_is "$web" 8002 "EVENT=MAKECALL&targetdn=5550100&targettype=exter" BackMsg_19 &&
	soon 15 sees_invite call2 $ph8002 &&
	soon 10 eval "tail -n +$m2 \"$(log_of $demo_owner)\" | grep -q \"call answered\""'
check "hang up" api_is "$web" 8002 'EVENT=HANGUP&target=all' '|Retuen|1|'
uas_done() { ! kill -0 "$UAS" 2>/dev/null; }
soon 15 uas_done || kill "$UAS" 2>/dev/null
# the phone re-registers (its registration refresh): on the new owner
rereg() { reg rr8002 "$ph8002" demo 8002 60 && registered_on "$demo_owner" demo 8002; }
check "8002 re-registers through Kamailio, on $demo_owner" soon 30 rereg

# ---- a trunk's call: Kamailio routes it by the DID ------------------------
did=$(q "SELECT did FROM occ_did WHERE team = 'demo' AND NOT prefix LIMIT 1")
# trunk_invite DID: an INVITE from a carrier's domain (no team) through
# Kamailio; prints the first final status
trunk_invite() {
	python3 - "$SIP" "$1" <<'PY'
import socket, sys, random
host, port = sys.argv[1].rsplit(":", 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
s.bind(("127.0.0.1", 0)); lp = s.getsockname()[1]
tag = random.randrange(1 << 30)
sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" % (lp + 2)
m = ("INVITE sip:%s@%s:%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;rport;branch=z9hG4bK%d\r\n"
     "From: <sip:4000555001@carrier.example>;tag=%d\r\nTo: <sip:%s@carrier.example>\r\n"
     "Call-ID: trunk%d\r\nCSeq: 1 INVITE\r\nContact: <sip:4000555001@127.0.0.1:%d>\r\n"
     "Max-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s") % (
    sys.argv[2], host, port, lp, tag, tag, sys.argv[2], tag, lp, len(sdp), sdp)
for _ in range(8):
    s.sendto(m.encode(), (host, int(port)))
    try:
        while True:
            code = int(s.recv(4000).split(b" ", 2)[1])
            if code >= 200:
                print(code); sys.exit(0)
    except socket.timeout:
        continue
print("no final reply"); sys.exit(1)
PY
}
only_owner_saw_did() {
	local i hit
	for ((i = 1; i <= NODES; i++)); do
		hit=no
		grep -q "did=$did " "$(log_of "occ$i")" && hit=yes
		if [ "occ$i" = "$demo_owner" ]; then [ $hit = yes ] || return 1
		elif [ $hit = yes ]; then echo "occ$i got it"; return 1; fi
	done
}
check "route.sql: demo's DID $did is demo's, at its owner's SIP address" eval '
	[ "$(q "SELECT team || '"' '"' || addr FROM occ_route('"'did'"', '"'$did'"')")" = "demo $(eval echo \$SIP_${demo_owner#occ})" ]'
check "a trunk's INVITE to DID $did through Kamailio reaches demo's owner only" eval '
	trunk_invite "$did" && soon 5 only_owner_saw_did'

# ---- what is stored ------------------------------------------------------
check "the dead node's call is closed in its CDR, once" eval '
	[ -n "$sid1" ] && soon 15 eval "[ \"\$(q \"SELECT count(*) FROM cdr WHERE sessionid = '"'"'$sid1'"'"' AND end_ms > 0\")\" = 1 ]"'
check "no stored event of demo lost, none duplicated, ids increasing" eval '
	[ "$(q "SELECT count(*) FROM events e JOIN teams t ON t.id = e.team_id WHERE t.name = '"'"'demo'"'"' AND eventid <= $before_max")" = "$before_n" ] &&
	[ "$(q "SELECT count(*) - count(DISTINCT (team_id, eventid)) FROM events")" = 0 ] &&
	[ "$(q "SELECT count(*) FROM events e JOIN teams t ON t.id = e.team_id WHERE t.name = '"'"'demo'"'"' AND eventid > $before_max")" -gt 0 ]'
sse_more() { [ "$(grep -c '^data:' "$work/sse.txt")" -gt "$sse_before" ]; }
check "the same EventSource connection keeps receiving after the failover" eval '
	kill -0 $sse_pid && soon 10 sse_more'

# ---- Prometheus ------------------------------------------------------------
scrape_all() {
	local i node rc=0
	for ((i = 1; i <= NODES; i++)); do
		node=occ$i
		[ "$node" = "$dead" ] && continue
		/usr/bin/python3 "$prom" scrape "$(http_of "$node")/metrics" "$work/m-$node.txt" >/dev/null || rc=1
	done
	return $rc
}
check "every live node's /metrics parses" scrape_all
acme_now=$(owner acme)
teams_owned() {
	local i sum=0 v
	for ((i = 1; i <= NODES; i++)); do
		[ "occ$i" = "$dead" ] && continue
		v=$(/usr/bin/python3 "$prom" value "$work/m-occ$i.txt" occ_cluster_teams_owned) || return 1
		sum=$((sum + ${v%.*}))
	done
	echo "$sum"
}
check "metrics: the live nodes own the 2 teams between them; demo's new owner counts a takeover" eval '
	[ "$(teams_owned)" = 2 ] &&
	/usr/bin/python3 "$prom" expect "$work/m-$demo_owner.txt" "occ_cluster_takeovers_total>=1"'
check "metrics: demo's owner counts 8002 registered, acme's owner 9001" eval '
	/usr/bin/python3 "$prom" expect "$work/m-$demo_owner.txt" "occ_sip_registered_extensions{team=demo}==1" &&
	{ [ "$acme_owner" = "$dead" ] ||
	  /usr/bin/python3 "$prom" expect "$work/m-$acme_owner.txt" "occ_sip_registered_extensions{team=acme}==1"; }'
check "scripts/cluster.sh down leaves nothing running" eval '
	"$root/scripts/cluster.sh" down -d "$work/c" >/dev/null &&
	! pgrep -f "$work/c" >/dev/null'
exit $fail
