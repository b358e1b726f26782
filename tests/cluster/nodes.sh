#!/usr/bin/env bash
# tests/cluster/nodes.sh — three occd nodes on loopback sharing one
# PostgreSQL 15 (tests/lib/with-pg.sh), [cluster] lease = 3 s:
#   - the four teams split between the nodes, occctl node list shows them;
#   - occctl node move hands a team over within a few seconds, every node
#     answering the team's requests meanwhile (the owner's reply or the
#     retryable BackMsg_100, never BackMsg_02); an occctl change on one
#     machine reaches every node (reload epoch);
#   - push (SSE) through a node that does not serve the team is relayed;
#   - SIGSTOP of an owner: its team is taken over, and when it runs again
#     it stops serving that team at its first renewal;
#   - a node cut from PostgreSQL (a TCP proxy stopped) stops serving its
#     team within lease/2 + a tick and another node takes it;
#   - kill -9 of a team's owner: the survivors answer its requests as
#     during a move; another node holds it within the lease and
#     a few seconds, its agent logs in there, and its events go on with
#     eventids after the last one: every id 1..max once, none lost, none
#     twice, the stored rows from before unchanged; its CDRs likewise;
#     today's statistics on the new owner as on the old one.
# TAP output.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
[ -n "${OCC_PG_CONNINFO:-}" ] || exec tests/lib/with-pg.sh "$0" "$@"

occd=${OCCD:-build/asan/occd}
occctl=build/asan/occctl
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
work=$(mktemp -d /tmp/occ-cluster.XXXXXX)
declare -A pid http sip
n=0 fails=0

ok()   { n=$((n+1)); echo "ok $n - $1"; }
nok()  { n=$((n+1)); fails=$((fails+1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "# $2"; }
check() { if eval "$2"; then ok "$1"; else nok "$1" "${3:-}"; fi; }
sql()  { psql "$OCC_PG_CONNINFO" -qAt -c "$1"; }
. "$root/tests/lib/ports.sh"   # port_take: below the ephemeral range

cleanup() {
	for k in "${!pid[@]}"; do kill -9 "${pid[$k]}" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

sql "SET client_min_messages = warning;
     DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public" >/dev/null

conf() {   # conf NODE: its config file (conninfo: ${CONNINFO:-the test's})
	cat >"$work/$1.ini" <<INI
[node]
name = $1
[store]
backend = postgresql
conninfo = ${CONNINFO:-$OCC_PG_CONNINFO}
data_dir = $work/$1
[cluster]
enabled = yes
lease = 3
INI
	echo "$work/$1.ini"
}

start() {  # start NODE [--demo]
	local node=$1 hp sp
	shift
	port_take hp && port_take sp || { echo "Bail out! no free port"; exit 1; }
	http[$node]=127.0.0.1:$hp
	sip[$node]=127.0.0.1:$sp
	"$occd" --config "$(conf "$node")" --http "127.0.0.1:$hp" \
		--sip "127.0.0.1:$sp" "$@" >"$work/$node.log" 2>&1 &
	pid[$node]=$!
	for _ in $(seq 1 100); do
		curl -fsS "http://127.0.0.1:$hp/healthz" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "# $node did not start"; cat "$work/$node.log"; return 1
}

owner() { sql "SELECT node FROM occ_team_lease WHERE team = '$1' AND expires > now()"; }

# wait_for SECONDS 'shell condition'
wait_for() {
	local end=$((SECONDS + $1))
	while [ $SECONDS -lt $end ]; do
		eval "$2" && return 0
		sleep 0.2
	done
	return 1
}

# ask_through SECS COND NODE...: demo's teamstatus through each NODE
# every 0.2 s (as a client retrying would), until COND holds and then a
# whole round got the owner's reply, at most SECS s. Every reply must be
# the owner's or busy (BackMsg_100: no live node holds demo yet, or the
# node asked could not tell), never anything else (BackMsg_02 as if demo
# did not exist, a 502). Sets busy (how many), wrong (the others),
# answered (the last round's replies from the owner) and cond_at (s after
# the start when COND first held, "" if never).
ask_through() {
	local secs=$1 cond=$2 t0=$SECONDS k r
	shift 2
	busy=0 wrong='' answered=0 cond_at=''
	while [ $((SECONDS - t0)) -lt "$secs" ]; do
		[ -z "$cond_at" ] && eval "$cond" && cond_at=$((SECONDS - t0))
		answered=0
		for k in "$@"; do
			r=$(curl -sS --max-time 5 "http://${http[$k]}/asterccinterfaces?$TS" 2>&1)
			case "$r" in
			"|Retuen|1|Retuen|"*) answered=$((answered + 1)) ;;
			"|Retuen|2|Retuen|BackMsg_100"*) busy=$((busy + 1)) ;;
			*) wrong="$wrong $k@$((SECONDS - t0))s: ${r:0:60};" ;;
			esac
		done
		[ -n "$cond_at" ] && [ $answered = $# ] && return 0
		sleep 0.2
	done
	return 1
}

api() {    # api NODE form...: the HTTP interface's reply
	curl -sS --max-time 10 "http://${http[$1]}/coccinterfaces" --data "$2"
}
LOGIN='EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=8001&pushevent=yes'
# queue check-in and out: each a stored "login"/"logoff" event of demo
QIN='EVENT=QUEUE&type=1&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=8001&list=&pushevent=yes'
QOUT='EVENT=QUEUE&type=2&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=8001&list=&pushevent=yes'
LOGOUT='EVENT=LOGOUT&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=8001&pushevent=yes'

echo "TAP version 13"
start n1 --demo || exit 1
"$occctl" --config "$work/n1.ini" team add t3 >/dev/null &&
"$occctl" --config "$work/n1.ini" team add t4 >/dev/null
start n2 || exit 1
start n3 || exit 1

# 1. the split: each node holds at least one of the four teams
split() {
	[ "$(sql "SELECT count(*) FROM occ_team_lease WHERE expires > now()")" = 4 ] &&
	[ "$(sql "SELECT count(DISTINCT node) FROM occ_team_lease WHERE expires > now()")" = 3 ]
}
check "the four teams are held, split over the three nodes" 'wait_for 25 split' \
	"$(sql "SELECT team, node, expires > now() FROM occ_team_lease")"
list=$("$occctl" --config "$work/n1.ini" node list)
check "occctl node list shows the three nodes alive" \
	'[ "$(echo "$list" | grep -cE "^n[123] .* yes ")" = 3 ]' "$list"
check "occctl node list counts the teams" \
	'echo "$list" | grep -q "^4 teams, 0 without a live lease"' "$list"

# Kamailio's lookups (docs/ARCHITECTURE.md, "Several nodes")
route=$(sql "SELECT n.sip_address FROM occ_team_lease l JOIN occ_node n ON n.name = l.node WHERE l.team = 'demo' AND l.expires > now()")
check "Kamailio's lookup: demo's owner's SIP address ($route)" \
	'[ "$route" = "${sip[$(owner demo)]}" ]' "$route"
did=$(sql "SELECT team FROM occ_did WHERE did = '800888'")
check "Kamailio's lookup: DID 800888 is demo's (occ_did)" '[ "$did" = demo ]' "$did"

# occctl on n1's machine changes provisioning: every node loads it (the
# reload epoch in PostgreSQL, seen at each heartbeat), not only n1
for t in demo acme t3 t4; do [ "$(owner "$t")" != n1 ] && break; done
tb=$(owner "$t")
"$occctl" --config "$work/n1.ini" agent add "$t" 8777 s3cret-8777 >/dev/null
L8777="EVENT=LOGIN&orgidentity=$t&usertype=agent&user=8777&pwdtype=plaintext&password=s3cret-8777"
check "occctl agent add on n1: agent 8777 logs in to $t on its node $tb within 5 s" \
	'wait_for 5 "api $tb \"\$L8777\" | grep -q \"^|Retuen|1|Retuen|BackMsg_04\""' \
	"$(api "$tb" "$L8777")"
api "$tb" "${L8777/LOGIN/LOGOUT}" >/dev/null

# 2. any node answers: a request for demo on a node that does not serve it
# is forwarded to demo's owner and gets the owner's reply unchanged
TS='EVENT=teamstatus&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=8001&status=all'
own=$(owner demo)
other=n1; [ "$own" = n1 ] && other=n2
direct=$(curl -sS "http://${http[$own]}/asterccinterfaces?$TS")
via=$(curl -sS "http://${http[$other]}/asterccinterfaces?$TS")
check "teamstatus of demo through $other (not its owner) = straight from $own" \
	'[ -n "$direct" ] && [ "$via" = "$direct" ] && [[ "$direct" == "|Retuen|1|Retuen|"* ]]' \
	"direct: $direct via: $via"
via=$(api "$other" "$LOGIN")
check "a login for demo through $other succeeds on $own" \
	'[[ "$via" == "|Retuen|1|Retuen|BackMsg_04"* ]]' "$via"
api "$own" "$LOGOUT" >/dev/null
soap() {   # soap NODE: a SOAP login of 8001 in demo, its reply body
	curl -sS "http://${http[$1]}/coccwi.php" -H 'Content-Type: text/xml; charset=utf-8' \
		-H 'SOAPAction: "urn:coccWI#login"' --data '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:coccWI"><SOAP-ENV:Body><ns1:login><orgidentity>demo</orgidentity><usertype>agent</usertype><user>8001</user><pwdtype>plaintext</pwdtype><password>8001</password></ns1:login></SOAP-ENV:Body></SOAP-ENV:Envelope>'
}
direct=$(soap "$own")
via=$(soap "$other")
check "a SOAP login for demo through $other gets $own's reply" \
	'[[ "$direct" == *BackMsg_04* ]] && [ "$via" = "$direct" ]' "direct: $direct via: $via"
api "$own" "$LOGOUT" >/dev/null
# browser push through a node that does not serve the team: the token
# comes from the owner (PushToken forwarded), the SSE stream is relayed
PT='EVENT=PushToken&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=8001'
tok=$(api "$other" "$PT"); tok=${tok#|Retuen|1|Retuen|}; tok=${tok%%|*}
curl -sSN --max-time 20 "http://${http[$other]}/push/sse?token=$tok" >"$work/sse.out" 2>&1 &
sse=$!
check "an SSE stream of demo opens through $other (the owner's cursor event)" \
	'wait_for 5 "grep -q \"^event: cursor\" \"$work/sse.out\""' "$(head -c 300 "$work/sse.out")"
api "$other" "$LOGIN" >/dev/null; api "$other" "$QIN" >/dev/null
qin_id=$(sql "SELECT max(eventid) FROM events e JOIN teams t ON t.id = e.team_id WHERE t.name = 'demo'")
check "the stream through $other carries demo's new event (id $qin_id) from $own" \
	'wait_for 5 "grep -q \"^id: $qin_id\\$\" \"$work/sse.out\""' "$(tail -c 400 "$work/sse.out")"
kill "$sse" 2>/dev/null; wait "$sse" 2>/dev/null
api "$own" "$QOUT" >/dev/null; api "$own" "$LOGOUT" >/dev/null
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "X-Occ-Forwarded: n9" \
	"http://${http[$other]}/asterccinterfaces?$TS")
check "a request already forwarded once is not forwarded again (508)" '[ "$code" = 508 ]' "$code"

# 3. node move: demo to another node
from=$(owner demo)
to=n1; [ "$from" = n1 ] && to=n2
"$occctl" --config "$work/n1.ini" node move demo "$to" >/dev/null
# meanwhile every node answers demo's requests: the owner's reply (a
# node whose view still names $from is answered 508 there, reads the lease
# row again and forwards to $to) or busy
ask_through 10 '[ "$(owner demo)" = '"$to"' ]' n1 n2 n3
check "node move: demo goes from $from to $to within 6 s" \
	'[ -n "$cond_at" ] && [ "$cond_at" -le 6 ]' "owner: $(owner demo)"
echo "# demo answered busy $busy times during the move"
check "during the move every node answers demo's requests, or busy (BackMsg_100), never anything else" \
	'[ -z "$wrong" ] && [ $answered = 3 ]' "answered by $answered;$wrong"
# a request marked forwarded is answered by the node itself, never passed
# on: 508 (it knows the new owner) or BackMsg_100 (busy: the hand-over is
# under way); never BackMsg_02, as if demo did not exist
reply=$(curl -sS -w ' %{http_code}' -H "X-Occ-Forwarded: n9" \
	"http://${http[$from]}/asterccinterfaces?$TS")
check "$from, which let demo go, does not serve it any more" \
	'[[ "$reply" == *" 508" || "$reply" == "|Retuen|2|Retuen|BackMsg_100"* ]]' "$reply"
check "the new owner serves demo: agent 8001 logs in" \
	'api "$to" "$LOGIN" | grep -q "^|Retuen|1|Retuen|BackMsg_04"' "$(api "$to" "$LOGIN")"
"$occctl" --config "$work/n1.ini" node move demo "$to" >/dev/null
api "$to" "$QIN" >/dev/null; api "$to" "$QOUT" >/dev/null
api "$to" "$LOGOUT" >/dev/null

# 4. a stalled owner (SIGSTOP, as a long pause or a cut network would do):
# its lease expires, another node takes acme; when it runs again, its next
# renewal comes back without acme and it stops serving acme at once
wait_for 6 '[ -n "$(owner acme)" ]'
stalled=$(owner acme)
kill -STOP "${pid[$stalled]}"
check "SIGSTOP $stalled: another node holds acme within 9 s" \
	'wait_for 9 "o=\$(owner acme); [ -n \"\$o\" ] && [ \"\$o\" != $stalled ]"' "owner: $(owner acme)"
kill -CONT "${pid[$stalled]}"
check "$stalled, running again, logs that acme's lease was lost" \
	'wait_for 5 "grep -q \"team acme: not served here any more (lease lost)\" \"$work/$stalled.log\""' \
	"$(grep 'acme' "$work/$stalled.log" | tail -3)"
TSA='EVENT=teamstatus&orgidentity=acme&usertype=agent&user=8001&pwdtype=plaintext&password=8001&status=all'
reply=$(curl -sS -w ' %{http_code}' -H "X-Occ-Forwarded: n9" "http://${http[$stalled]}/asterccinterfaces?$TSA")
check "$stalled does not answer for acme itself any more" \
	'[[ "$reply" == *" 508" || "$reply" == "|Retuen|2|Retuen|BackMsg_100"* ]]' "$reply"
check "acme is held by exactly one live lease" \
	'[ "$(sql "SELECT count(*) FROM occ_team_lease WHERE team = '"'acme'"' AND expires > now()")" = 1 ]'

# 4b. a node cut from PostgreSQL (the fence): n4 reaches the database only
# through a TCP proxy; stopping the proxy closes its connection and
# refuses new ones. n4 must stop serving its team within lease/2 + a
# tick, and another node take the team; one live lease all along.
cat >"$work/proxy.py" <<'PY'
import asyncio, sys
async def pipe(r, w):
    try:
        while (b := await r.read(65536)):
            w.write(b); await w.drain()
    except Exception:
        pass
    w.close()
async def conn(cr, cw):
    sr, sw = await asyncio.open_unix_connection(sys.argv[2])
    asyncio.ensure_future(pipe(cr, sw)); await pipe(sr, cw)
async def main():
    srv = await asyncio.start_server(conn, '127.0.0.1', int(sys.argv[1]))
    print('ready', flush=True)
    await srv.serve_forever()
asyncio.run(main())
PY
port_take pport || { echo "Bail out! no free port"; exit 1; }
pg_port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$OCC_PG_CONNINFO")
python3 "$work/proxy.py" "$pport" "$OCC_PG_DIR/.s.PGSQL.$pg_port" >"$work/proxy.log" 2>&1 &
proxy=$!; pid[proxy]=$proxy
wait_for 5 'grep -q ready "$work/proxy.log"'
CONNINFO="host=127.0.0.1 port=$pport user=postgres dbname=occ connect_timeout=2" start n4
"$occctl" --config "$work/n1.ini" agent add t4 8778 pw-8778 >/dev/null
"$occctl" --config "$work/n1.ini" node move t4 n4 >/dev/null
check "node move: t4 goes to n4 (whose database connection runs through the proxy)" \
	'wait_for 6 "[ \"\$(owner t4)\" = n4 ]"' "owner: $(owner t4)"
TS4='EVENT=teamstatus&orgidentity=t4&usertype=agent&user=8778&pwdtype=plaintext&password=pw-8778&status=all'
ts4() { curl -sS -H "X-Occ-Forwarded: n9" "http://${http[n4]}/asterccinterfaces?$TS4"; }
check "n4 answers for t4 itself" 'wait_for 3 "ts4 | grep -q \"^|Retuen|1|\""' "$(ts4)"
kill "$proxy"; wait "$proxy" 2>/dev/null; unset "pid[proxy]"
t0=$SECONDS
check "proxy stopped: n4 stops serving t4 within 4 s (renewals failing for half a lease)" \
	'wait_for 4 "grep -q \"team t4: not served here any more (renewals failing\" \"$work/n4.log\""' \
	"$(grep -E 't4|renewal|postgres' "$work/n4.log" | tail -4)"
check "another node holds t4 within 6 s of the cut" \
	'wait_for 6 "o=\$(owner t4); [ -n \"\$o\" ] && [ \"\$o\" != n4 ]"' "owner: $(owner t4)"
echo "# t4 moved $((SECONDS - t0)) s after the cut"
reply=$(ts4)
check "n4, cut off, does not answer for t4 itself any more: busy (BackMsg_100)" \
	'[[ "$reply" == "|Retuen|2|Retuen|BackMsg_100"* ]]' "$reply"
check "t4 is held by exactly one live lease" \
	'[ "$(sql "SELECT count(*) FROM occ_team_lease WHERE team = '"'t4'"' AND expires > now()")" = 1 ]'
kill -TERM "${pid[n4]}"; wait "${pid[n4]}" 2>/dev/null; unset "pid[n4]"

# 5. kill -9 the owner: another node takes demo over, events go on
DEMO="FROM events e JOIN teams t ON t.id = e.team_id WHERE t.name = 'demo'"
# first a call of 8001 (built-in phone 8101, the virtual customer), so that
# today's statistics have something to carry over
victim=$(owner demo)
C8001='orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=8001'
api "$victim" "EVENT=LOGIN&$C8001" >/dev/null
api "$victim" "EVENT=QUEUE&type=1&list=1&deviceexten=8101&$C8001" >/dev/null
m=$(wc -l <"$work/$victim.log")
api "$victim" "EVENT=MAKECALL&targetdn=5550100&targettype=exter&$C8001" >/dev/null
# until the customer answered (the call then counts, with its talk time)
wait_for 5 'tail -n +$((m + 1)) "$work/$victim.log" | grep -q "call answered session="'
api "$victim" "EVENT=HANGUP&target=all&$C8001" >/dev/null
stat() { api "$1" "EVENT=AgentStatisticDay&agent_group_id=0&$C8001"; }
calls_ended() { [ "$(sql "SELECT count(*) FROM cdr WHERE end_ms = 0")" = 0 ]; }
wait_for 5 calls_ended
api "$victim" "EVENT=QUEUE&type=2&list=1&$C8001" >/dev/null
api "$victim" "EVENT=LOGOUT&$C8001" >/dev/null
stat_before=$(stat "$victim")
check "agentStatisticDay on $victim counts 8001's call" \
	'[[ "$stat_before" == *"\"total_calls\": 1"* || "$stat_before" == *"\"total_calls\":1"* ]]' "$stat_before"
max_before=$(sql "SELECT coalesce(max(eventid), 0) $DEMO")
rows_before=$(sql "SELECT md5(string_agg(eventid || text, ',' ORDER BY eventid)) $DEMO")
cdrs_before=$(sql "SELECT count(*) FROM cdr")
victim=$(owner demo)
survivors=()
for k in "${!pid[@]}"; do [ "$k" != "$victim" ] && survivors+=("$k"); done
kill -9 "${pid[$victim]}"; wait "${pid[$victim]}" 2>/dev/null; unset "pid[$victim]"
t0=$SECONDS
# meanwhile, demo's requests through the survivors: the owner's reply or
# busy, never BackMsg_02 as if demo did not exist, until demo's new owner
# answers through both (the one not taking demo over learns of it from
# the lease row, not only at its next tick)
ask_through 12 '[ -n "$(owner demo)" ] && [ "$(owner demo)" != '"$victim"' ]' "${survivors[@]}"
echo "# demo answered busy $busy times during the takeover"
check "during the takeover the survivors answer demo's requests, or busy (BackMsg_100), never anything else" \
	'[ -z "$wrong" ] && [ $answered = ${#survivors[@]} ]' "answered by $answered;$wrong"
check "kill -9 $victim: another node holds demo within 9 s" \
	'wait_for 9 "o=\$(owner demo); [ -n \"\$o\" ] && [ \"\$o\" != $victim ]"' "owner: $(owner demo)"
echo "# failover took $((SECONDS - t0)) s"
heir=$(owner demo)
stat_after=$(stat "$heir")
check "agentStatisticDay on $heir after the takeover = on $victim before it" \
	'[ "$stat_after" = "$stat_before" ]' "before: $stat_before after: $stat_after"
check "agent 8001 logs in on $heir" \
	'api "$heir" "$LOGIN" | grep -q "^|Retuen|1|Retuen|BackMsg_04"' "$(api "$heir" "$LOGIN")"
api "$heir" "$QIN" >/dev/null; api "$heir" "$QOUT" >/dev/null
api "$heir" "$LOGOUT" >/dev/null
max_after=$(sql "SELECT coalesce(max(eventid), 0) $DEMO")
ids=$(sql "SELECT count(DISTINCT eventid) || ' ' || count(*) $DEMO")
rows_kept=$(sql "SELECT md5(string_agg(eventid || text, ',' ORDER BY eventid)) $DEMO AND eventid <= $max_before")
metrics=$(curl -sS "http://${http[$heir]}/metrics")
check "$heir's /metrics: node name, teams owned, a takeover counted" \
	'echo "$metrics" | grep -q "^occ_node_info{node=\"$heir\",cluster=\"yes\"} 1" &&
	 echo "$metrics" | grep -qE "^occ_cluster_teams_owned [1-9]" &&
	 echo "$metrics" | grep -qE "^occ_cluster_takeovers_total [1-9]"' \
	"$(echo "$metrics" | grep -E "occ_cluster|occ_node")"
check "demo had events before the kill ($max_before), they go on after it (now $max_after)" \
	'[ "$max_before" -gt 0 ] && [ "$max_after" -gt "$max_before" ]'
check "every eventid of demo 1..$max_after once: none lost, none twice" \
	'[ "$ids" = "$max_after $max_after" ]' "$ids"
check "the events stored before the kill are unchanged" \
	'[ "$rows_kept" = "$rows_before" ]'
check "no CDR lost or added by the takeover" '[ "$(sql "SELECT count(*) FROM cdr")" = "$cdrs_before" ]'
check "no call left open" '[ "$(sql "SELECT count(*) FROM cdr WHERE end_ms = 0")" = 0 ]'

# the survivors stop cleanly (SIGTERM) and release their leases
for k in "${!pid[@]}"; do kill -TERM "${pid[$k]}"; done
rc_all=0
for k in "${!pid[@]}"; do wait "${pid[$k]}" || rc_all=1; done
pid=()
check "the surviving nodes stop cleanly (exit 0, no sanitizer report)" \
	'[ $rc_all = 0 ] && ! grep -l "ERROR: AddressSanitizer\|runtime error" "$work"/n*.log >/dev/null' \
	"$(grep -h "AddressSanitizer\|runtime error" "$work"/n*.log | head -3)"
check "their leases are released at stop" \
	'[ "$(sql "SELECT count(*) FROM occ_team_lease WHERE expires > now()")" = 0 ]'
echo "1..$n"
[ $fails = 0 ]
