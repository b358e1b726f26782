#!/usr/bin/env bash
# dial.sh — the demo's campaign 10 dials over real SIP (issue 12, the
# dialer host, docs/DIALER.md "The host"): occd --demo, agent 8001 on a
# sipp phone (tests/multiparty/scenarios/phone.xml, an mp.py peer for its
# media) checked in to group 1, records imported with EVENT=Import
# source=data, `occctl campaign start demo 10`. The demo's virtual
# customer trunk answers each number after 1 s, speaks 1 kHz and hangs up
# 20 s later.
#
#   1. the first number: the customer leg rings and answers, then 8001's
#      phone rings and answers; 8001 hears the customer's 1 kHz; events
#      CALLEE ringing/answer, AGENT ringing/answer, hangups, CONVERSATION
#      hangup, every one with modeltype=Campaign&model_id=10 and the
#      record's userdata; the CDR and the pre-dial list (attempts 1,
#      answered, never again)
#   2. progressive, one agent: a number imported while 8001 talks waits
#      until the call ends; stopped during the next call, the call goes
#      on and no other number is dialled; started again it resumes (8001
#      now on a built-in phone)
#   3. no agent was ever offered two calls at once (from the events)
#   4. abandon: a customer behind a sipp trunk rings 3 s; meanwhile the
#      only agent pauses; the answer waits hold_ms (1 s) for an agent,
#      then hears the message (950 Hz beeps) and is hung up; the list
#      says abandoned
#   4b. the campaign report (EVENT=CampaignReport, occctl campaign
#      report): the dials, answers and abandons above, as the CDRs and
#      the pre-dial list say; rights and team isolation
#   5. predictive runs through the same host: a new campaign 11 of group
#      1 in predictive mode dials its list for 8001 and bridges, with
#      its caller ID
#   6. restart: occd killed (-9) during that call; started again, the
#      interrupted dial has an attempt more and its next try in 30 min
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/sip/lib/harness.sh"
. "$root/tests/sip/lib/calls.sh"
. "$root/tests/inbound/lib.sh"
. "$here/lib.sh"
suite_begin dial

preflight "apt-get install sip-tester" sipp python3 curl
scen=$root/tests/multiparty/scenarios

take_ports 7
http_port=${P[0]} sip_port=${P[1]} p1=${P[2]} r1=${P[3]} r2=${P[4]}
pc=${P[5]} rc=${P[6]}                      # a customer behind a sipp trunk
url=http://127.0.0.1:$http_port
F_AGENT=770 F_CUSTOMER=1000
A=13900000001 B=13900000002 C=13900000003 D=13900000004
F_ABANDON=950

campaign() { "$occctl" --data "$data" campaign "$1" demo 10; }
# campaign_events SID: every event of the call has modeltype=Campaign,
# model_id=10 and the record's userdata (dial_id, customer_id)
campaign_events() {
	python3 - "$data/occ.db" "$1" <<-'EOF'
		import sqlite3, sys
		db, sid = sys.argv[1:]
		c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
		rows = [t for (t,) in c.execute("SELECT text FROM events WHERE text LIKE ?"
		                                " ORDER BY eventid", (f"%sessionid={sid}&%",))]
		bad = [t for t in rows if "&modeltype=Campaign&model_id=10&" not in t
		       or "&userdata=dial_id%3D" not in t or "customer_id%3D" not in t]
		print(len(rows), "events,", len(bad), "without them")
		for t in bad[:3]:
		    print(t)
		sys.exit(0 if rows and not bad else 1)
	EOF
}
# one_call_each: walking the events in order, an agent's AGENT ringing
# never comes while a call of its is still up
one_call_each() {
	python3 - "$data/occ.db" <<-'EOF'
		import sqlite3, sys, urllib.parse
		c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=5)
		up, offers, bad = {}, 0, 0
		for (t,) in c.execute("SELECT text FROM events ORDER BY eventid"):
		    f = dict(urllib.parse.parse_qsl(t, keep_blank_values=True))
		    sid = f.get("sessionid")
		    if f.get("source") == "AGENT" and f.get("event") == "ringing":
		        offers += 1
		        a = f.get("activenum")
		        if any(v == a for v in up.values()):
		            bad += 1
		            print("offered while busy:", t)
		        up[sid] = a
		    if f.get("source") == "CONVERSATION" and f.get("event") == "hangup":
		        up.pop(sid, None)
		print(offers, "offers,", bad, "to an agent already in a call")
		sys.exit(0 if offers >= 3 and not bad else 1)
	EOF
}

start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)"
check "8001's phone registers" phone_reg reg8001 "$p1" 8001
check "two records import into campaign 10 (BackMsg_83)" eval 'import_is A "$A"'
check "8001 checks in to group 1 on its phone" checkin 8001 1 8001

# ---- 1. the first number ------------------------------------------------------

# one phone for calls 1 and 2: the next number is dialled as soon as call
# 1 ends, and the agent's phone rings only what is left of the 2 s
f=call1
CALLS=2 SECS=120 phone $f agent "$p1" phone.xml 500 $F_AGENT 0 "$r1"
m=$(log_mark)
check "occctl campaign start demo 10" campaign start
check "$f: the customer $A is dialled and answers" eval '
	wait_log "$m" "dialing campaign=10 session=[0-9a-f]+ number=$A " 5 &&
	wait_log "$m" "call answered session=$(dial_sid "$m" $A)" 5'
sid=$(dial_sid "$m" $A)
check "$f: then 8001's phone rings and answers; 8001 is busy" eval '
	wait_file "$work/$f/agent/invite.txt" 5 &&
	wait_log "$m" "campaign call bridged campaign=10 session=$sid agent=8001" 5 &&
	state_is 8001 busy'
check "$f: occd asked 8001's phone to answer at once (Call-Info answer-after=0)" \
	grep -q "answer-after=0" "$work/$f/agent/callinfo.txt"
t_ans=$(tfile "$work/$f/agent/answer.txt")
check "$f: 8001 hears the customer (1 kHz)" eval '
	sleep 3; hears $f agent "$(at "$t_ans" 0.5)" "$(at "$t_ans" 2.5)" --tone $F_CUSTOMER'
m2=$(log_mark)
check "$f: a number imported while 8001 talks ($B) is not dialled" eval '
	import_is B "$B" && sleep 2 &&
	! since "$m2" | grep -q "dialing campaign=10"'
check "$f: the customer hangs up; 8001's phone gets BYE" eval '
	wait_log "$m" "call ended session=$sid" 30 && wait_file "$work/$f/agent/bye.txt" 5'
check "$f: events CALLEE ringing, CALLEE answer, AGENT ringing, AGENT answer, CALLEE hangup, AGENT hangup, CONVERSATION hangup" \
	events_are "$sid" "CALLEE ringing, CALLEE answer, AGENT ringing, AGENT answer, CALLEE hangup, AGENT hangup, CONVERSATION hangup"
check "$f: every event carries modeltype=Campaign, model_id=10 and the record's userdata" \
	campaign_events "$sid"
check "$f: CDR out, ANSWERED, agent 8001, to $A, Campaign 10" expect_eq cdr \
	"$(sql 'SELECT direction, disposition, agent, callee, modeltype, model_id FROM cdr WHERE sessionid = ?' "$sid")" \
	"out|ANSWERED|8001|$A|Campaign|10"
check "$f: the pre-dial list: 1 attempt, answered, never again" \
	expect_eq "$A" "$(row $A)" "1|answered|never"

# ---- 2. the next number, stop, start again -----------------------------------

# B is dialled as soon as call 1 ends: call 1's phone takes it
f=call2
m=$m2
check "$f: after the call, the waiting number $B is dialled" eval '
	wait_log "$m" "dialing campaign=10 session=[0-9a-f]+ number=$B " 25'
sid2=$(dial_sid "$m" $B)
check "$f: 8001 answers it" wait_log "$m" "campaign call bridged campaign=10 session=$sid2 agent=8001" 10
check "$f: occctl campaign stop demo 10 during the call" campaign stop
check "$f: a number imported now ($C)" import_is C "$C"
check "$f: the call goes on to its end (the customer hangs up)" eval '
	wait_log "$m" "call ended session=$sid2 disposition=ANSWERED by=customer" 30 &&
	phone_done call1 agent 5'
check "$f: stopped, $C is not dialled (3 s)" eval '
	sleep 3; ! since "$m" | grep -q "number=$C"; expect_eq "$C" "$(row $C)" "0||due"'
check "$f: $B: 1 attempt, answered" expect_eq "$B" "$(row $B)" "1|answered|never"
peers_stop agent
m=$(log_mark)
check "$f: 8001 moves to the built-in phone 8101; campaign start resumes: $C dialled and bridged" eval '
	checkout 8001 1 && checkin 8001 1 8101 && campaign start &&
	wait_log "$m" "dialing campaign=10 session=[0-9a-f]+ number=$C " 10 &&
	wait_log "$m" "campaign call bridged campaign=10 session=$(dial_sid "$m" $C) agent=8001" 10'
sid3=$(dial_sid "$m" $C)
check "$f: that call ends (the virtual customer hangs up)" \
	wait_log "$m" "call ended session=$sid3" 30

# ---- 3. one call per agent ---------------------------------------------------

check "no agent was offered a call while in another" one_call_each
check "occctl campaign show: attempts and results" eval '
	"$occctl" --data "$data" campaign show demo 10 | grep -E "^dial +$A +0 +answered x1, next never"'

# ---- 4. abandon ---------------------------------------------------------------

f=abandon
check "$f: a trunk to a sipp customer becomes the team's default" trunk_add cust "$pc" --default
phone $f cust "$pc" phone.xml 3000 $F_CUSTOMER 0 "$rc"
m=$(log_mark)
check "$f: $D is dialled over it; while it rings, 8001 pauses" eval '
	import_is D "$D" &&
	wait_log "$m" "dialing campaign=10 session=[0-9a-f]+ number=$D " 5 &&
	api_is 8001 "EVENT=QUEUEPAUSE&type=1&pause_reason=break" "|Retuen|1|"'
sid4=$(dial_sid "$m" $D)
check "$f: the customer answers; no agent: abandoned, then hung up (BYE)" eval '
	wait_log "$m" "abandoned campaign=10 number=$D" 8 && phone_done $f cust 10'
t_ans=$(tfile "$work/$f/cust/answer.txt")
t_bye=$(tfile "$work/$f/cust/bye.txt")
check "$f: the customer hears the message (950 Hz) within 2 s of its answer" \
	hears $f cust "$(at "$t_ans" 1.9)" "$(at "$t_ans" 2.6)" --tone $F_ABANDON
check "$f: and is hung up 2-5 s after its answer" eval '
	awk -v a="$t_ans" -v b="$t_bye" "BEGIN { d = b - a; print d; exit !(d >= 2 && d <= 5) }"'
check "$f: events CALLEE ringing, CALLEE answer, CALLEE hangup, CONVERSATION hangup (no agent)" \
	events_are "$sid4" "CALLEE ringing, CALLEE answer, CALLEE hangup, CONVERSATION hangup"
check "$f: the pre-dial list: 1 attempt, abandoned, to be tried again" \
	expect_eq "$D" "$(row $D)" "1|abandoned|due"
peers_stop cust

# ---- 4b. the campaign report --------------------------------------------------

# report_matches: EVENT=CampaignReport (admin) over today and yesterday
# (a run across midnight splits the day) says what this test did with
# campaign 10: 4 dials ($A $B $C answered by 8001, $D abandoned), and
# what the CDRs and the pre-dial list say; 8001's hours (state log) are
# there, with some occupancy; occctl's --json says the same
report_matches() {
	local r cli cdr list
	r=$(curl -sS -m 10 -d "EVENT=CampaignReport&orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin&campaignid=10&days=2" "$url/coccinterfaces")
	cli=$("$occctl" --data "$data" campaign report demo 10 --days 2 --json)
	cdr=$(sql "SELECT count(*), sum(answer_ms > 0) FROM cdr WHERE modeltype = 'Campaign' AND model_id = '10'")
	list=$(sql "SELECT count(*) FROM dial_list WHERE campaign_id = 10 AND last_result = 'abandoned'")
	python3 - "$r" "$cli" "$cdr" "$list" <<-'EOF'
		import json, sys
		r, cli, cdr, lst = sys.argv[1:]
		f = r.split("|Retuen|")
		if f[1] != "1":
		    sys.exit(f"reply {r}")
		rep, rep2 = json.loads(f[2]), json.loads(cli)
		def tot(rep, k):
		    return sum(d[k] for d in rep["days"])
		def wait(rep):
		    return sum(d["wait"]["answers"] for d in rep["days"])
		got = [tot(rep, k) for k in ("dials", "answers", "live", "abandons")]
		talk = tot(rep, "talk_min")
		dials, answers = (int(x) for x in cdr.split("|"))
		print("report", got, "waits", wait(rep), "talk", talk, "agent-hours",
		      tot(rep, "agent_hours"), "list", rep["list"], "; CDR", dials,
		      answers, "; list abandoned", lst)
		ok = (got == [4, 4, 4, 1] and dials == 4 and answers == 4 and
		      int(lst) == 1 and wait(rep) == 3 and talk > 0.3 and
		      rep["profile"] == "none" and len(rep["days"]) == 2 and
		      rep["list"]["waiting"] == 0 and tot(rep, "agent_hours") > 0 and
		      max(d["occupancy_pct"] for d in rep["days"]) > 0 and
		      rep["list"]["results"] == {"abandoned": 1, "answered": 3} and
		      [tot(rep2, k) for k in ("dials", "answers", "live", "abandons")] == got)
		sys.exit(0 if ok else 1)
	EOF
}
check "report: dials 4, answers 4, live 4, abandons 1, 3 waits to an agent, the list 3 answered 1 abandoned, as the CDRs and the pre-dial list say; occctl --json agrees" \
	report_matches
check "report: 8001 leads group 1 and may ask; 8002 (a member) gets BackMsg_60; acme gets BackMsg_73" eval '
	api_is 8001 "EVENT=CampaignReport&campaignid=10" "|Retuen|1|Retuen|{\"campaignid\":10," &&
	api_is 8002 "EVENT=CampaignReport&campaignid=10" "|Retuen|2|Retuen|BackMsg_60" &&
	r=$(curl -sS -m 10 -d "EVENT=CampaignReport&orgidentity=acme&usertype=agent&user=9001&pwdtype=plaintext&password=9001&campaignid=10" "$url/coccinterfaces") &&
	expect_eq acme "$r" "|Retuen|2|Retuen|BackMsg_73"'
check "report: a bad day answers BackMsg_28[day]" \
	api_is 8001 "EVENT=CampaignReport&campaignid=10&day=2026-13-01" "|Retuen|2|Retuen|BackMsg_28[day]"

# ---- 5. predictive ------------------------------------------------------------

f=predictive
phone $f cust "$pc" phone.xml 500 $F_CUSTOMER 0 "$rc"
m=$(log_mark)
check "$f: campaign 10 stops; campaign 11 (group 1, predictive) is added, $A listed, started; 8001 unpaused" eval '
	campaign stop &&
	"$occctl" --data "$data" campaign add demo 11 Predictive --group 1 --mode predictive --profile none --window 00:00-24:00 --callerid 4008001234 &&
	curl -sS -m 10 -d "EVENT=DialerList&orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin&campaignid=11&phonenum=$A&priority=0&dialtime=" "$url/coccinterfaces" | grep -q BackMsg_80 &&
	"$occctl" --data "$data" campaign start demo 11 &&
	api_is 8001 "EVENT=QUEUEPAUSE&type=2" "|Retuen|1|"'
check "$f: $A is dialled for campaign 11 and bridged to 8001" eval '
	wait_log "$m" "campaign dialer up team=demo campaign=11 mode=predictive" 5 &&
	wait_log "$m" "dialing campaign=11 session=[0-9a-f]+ number=$A " 10 &&
	wait_log "$m" "campaign call bridged campaign=11 session=[0-9a-f]+ agent=8001" 10'
check "$f: the customer sees the campaign's caller ID 4008001234" \
	grep -qE "^From: .*<sip:4008001234@" "$work/$f/cust/msgs.log"

# ---- 6. restart ------------------------------------------------------------------

f=restart
check "$f: occd is killed (-9) during campaign 11's call" eval '
	kill -9 "$occd_pid" && { wait "$occd_pid" 2>/dev/null; occd_pid=; }'
start_occd "$f: occd starts again on the same data"
check "$f: the interrupted dial: 1 attempt, interrupted, next try in 30 min" eval '
	grep -q "interrupted dials=1 " "$log" &&
	expect_eq "$A" "$(sql "SELECT attempts, last_result, dial_ms > ? + 1500000 FROM dial_list WHERE campaign_id = 11 AND number = ?" "$(date +%s%3N)" "$A")" "1|interrupted|1"'

stop_occd
echo "1..$n"
[ "$failed" -eq 0 ]
