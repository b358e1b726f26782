#!/usr/bin/env bash
# soak.sh — under with-occd.sh with occd on PostgreSQL (tests/pg/run.sh):
# four occctl processes add agents while three API clients put numbers
# into campaign 10's pre-dial list (EVENT=DialerList), all at once, on
# the same database; then every write must be there, once.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
occctl=${OCCCTL:-$here/build/asan/occctl}
: "${OCC_URL:?run under with-occd.sh}" "${OCC_PG_CONNINFO:?run under with-pg.sh}"
fail=0
ok() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fail=1; fi; }
q() { psql "$OCC_PG_CONNINFO" -qAt -c "$1"; }

cfg=$OCC_DATA/pg.ini
cat >"$cfg" <<INI
[store]
data_dir = $OCC_DATA
backend = postgresql
conninfo = $OCC_PG_CONNINFO
[security]
pwhash_opslimit = 1
pwhash_memlimit_kib = 8
INI

NCLI=4 NAG=20 NAPI=3 NNUM=40
pids=()
for p in $(seq 1 $NCLI); do
	( for i in $(seq -w 1 $NAG); do
		"$occctl" --config "$cfg" agent add demo "7$p$i" "pw7$p$i" \
			>/dev/null 2>>"$OCC_DATA/occctl.err" || exit 1
	  done ) &
	pids+=($!)
done
for c in $(seq 1 $NAPI); do
	( for i in $(seq -w 1 $NNUM); do
		r=$(curl -sS -m 10 -d "EVENT=DialerList&orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin&campaignid=10&phonenum=1399$c$i&priority=0&dialtime=" \
			"$OCC_URL/coccinterfaces")
		case "$r" in
		*BackMsg_80*) ;;
		*) echo "soak: 1399$c$i: $r" >&2; exit 1 ;;
		esac
	  done ) &
	pids+=($!)
done
n=0
for pid in "${pids[@]}"; do
	n=$((n + 1))
	wait "$pid"
	rc=$?
	if [ "$n" -le $NCLI ]; then
		ok $rc "occctl writer $n: all $NAG agent adds succeeded"
	else
		ok $rc "API client $((n - NCLI)): all $NNUM DialerList calls answered BackMsg_80"
	fi
done
[ -s "$OCC_DATA/occctl.err" ] && cat "$OCC_DATA/occctl.err" >&2

got=$(q "SELECT count(*) FROM agents a JOIN teams t ON t.id = a.team_id WHERE t.name = 'demo' AND a.number LIKE '7___'")
[ "$got" = $((NCLI * NAG)) ]; ok $? "every agent occctl added is in the database ($got of $((NCLI * NAG)))"
got=$(q "SELECT count(DISTINCT number) FROM agents WHERE number LIKE '7___'")
[ "$got" = $((NCLI * NAG)) ]; ok $? "each agent once ($got distinct numbers)"
got=$(q "SELECT count(*) FROM dial_list WHERE campaign_id = 10 AND number LIKE '1399%'")
[ "$got" = $((NAPI * NNUM)) ]; ok $? "every number the API clients sent is in the pre-dial list ($got of $((NAPI * NNUM)))"
got=$(q "SELECT count(DISTINCT id) FROM dial_list WHERE number LIKE '1399%'")
[ "$got" = $((NAPI * NNUM)) ]; ok $? "each with its own id ($got)"
# a number already waiting is refused (BackMsg_82), not stored twice
r=$(curl -sS -m 10 -d "EVENT=DialerList&orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin&campaignid=10&phonenum=1399101&priority=0&dialtime=" "$OCC_URL/coccinterfaces")
echo "$r" | grep -q BackMsg_82; ok $? "a number still waiting is refused with BackMsg_82 on PostgreSQL too"
got=$(q "SELECT count(*) FROM dial_list WHERE number = '1399101'")
[ "$got" = 1 ]; ok $? "and stays in the list once"
# occd, told by each occctl to reload, loaded them all from PostgreSQL
grep -q "provisioning reloaded teams=2 agents=$((NCLI * NAG + 7))" "$OCC_LOG"
ok $? "occd reloaded all $((NCLI * NAG)) new agents from PostgreSQL"
curl -fsS -m 5 "$OCC_URL/healthz" >/dev/null; ok $? "occd still healthy after the soak"
exit $fail
