#!/usr/bin/env bash
# branches.sh — the inbound branches run.sh does not take, with real SIP
# peers: sipp callers (an mp.py peer for their media and keys), sipp agent
# phones, and a local HTTP server for the IVR's lookups. Each destination
# is a prompt of its own tone, so what the caller hears says where the
# call went.
#
#   R. routes: a schedule open now / closed by its hours / closed by an
#      exception date of today (in a zone 14 h from UTC), a blacklisted
#      caller to its destination, caller-ID prefix against priority, a
#      DID prefix, an open route to hang-up (480), a whitelist
#   I. IVR: play, play_collect (# ends, max digits, below min digits:
#      invalid prompt, no input: its prompt, tries), set + goto, http
#      (a reply mapped and branched on, a hanging server, garbage, 500),
#      a prompt file missing at run time (silence, logged once)
#   Q. queues: max wait, max callers, join empty (no), leave empty
#   S. strategies seen on the phones: linear (member order), rrmemory
#      (after the last one offered); sticky agent
#   A. an agent unregistered, in ACW, paused, in DND (queuePause dnd=1,
#      idle again but still DND), dialout-only is
#      never offered a waiting caller, and is offered at once when it
#      becomes available
#   D. a phone's own reply to an offer: 486, 600, 603 (busy: the next
#      agent rings at once, the refusing one stays idle), 480 (as no
#      answer: autopause), with retry 0 too; the cdr_legs; the only agent
#      refusing nine times: the caller waits on, offered again each retry
#   T. agentToIvr suspend: the caller hears the IVR, then the agent again
#   W. ringall race: two phones answer at once, 30 rounds: one bridge
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../sip/lib/harness.sh"
. "$here/../sip/lib/calls.sh"
. "$here/lib.sh"
suite_begin inbound-branches

preflight "apt-get install sip-tester" sipp python3 curl
scen=$root/tests/multiparty/scenarios

take_ports 31
http_port=${P[0]} sip_port=${P[1]} web_port=${P[2]}
p2=${P[3]} p3=${P[4]} p5=${P[5]} p6=${P[6]}       # agents' phones 8002 8003 8005 8006
r2=${P[7]} r3=${P[8]} r5=${P[9]} r6=${P[10]}      # their media
C=("${P[@]:11:10}") RC=("${P[@]:21:10}")          # callers and their media
url=http://127.0.0.1:$http_port
F_AGENT=770 F_AGENT2=1470 F_AGENT3=2900 F_CALLER=1130
# the prompts, each a tone of its own
F_HELLO=450 F_OPEN=600 F_QFAIL=850 F_CLOSED=950 F_BLOCKED=1300 F_A=1700
F_B=2000 F_C=2300 F_INV=2600 F_NOIN=3100

# ---- helpers ------------------------------------------------------------------

# call_to FLOW NAME I DID CID [TALKMS]: caller I (its ports C[I], RC[I])
call_to() {
	caller "$1" "$2" "${C[$3]}" "$4" "$5" "${6:-8000}" "${RC[$3]}"
}

# t_answer FLOW NAME: when the caller's call was answered
t_answer() { tfile "$work/$1/$2/answer.txt"; }

# heard FLOW NAME FROM TO ARGS...: what the caller heard FROM..TO seconds
# after its answer
heard() {
	local t
	t=$(t_answer "$1" "$2")
	hears "$1" "$2" "$(at "$t" "$3")" "$(at "$t" "$4")" "${@:5}"
}

# press_at FLOW NAME SECS KEYS: in the background, the caller presses KEYS
# SECS seconds after its answer (callers start slowly on a loaded machine:
# time keys by their own call)
press_at() {
	(
		wait_file "$work/$1/$2/answer.txt" 20 >/dev/null || exit 1
		t=$(tfile "$work/$1/$2/answer.txt")
		sleep "$(awk -v t="$t" -v d="$3" -v n="$(now)" 'BEGIN { s = t + d - n; printf "%.3f", (s > 0 ? s : 0) }')"
		press "$1" "$2" "$4"
	) &
	pids+=("$!")
}

# t_bye FLOW NAME: when occd hung up on the caller
t_bye() { tfile "$work/$1/$2/bye.txt"; }

# prompt_dest FLOW NAME FREQ [SECS]: the call was answered, occd hung up
# within SECS (10), and the last thing the caller heard was the prompt FREQ
# (each plays 1 s, then the call ends)
prompt_dest() {
	local t
	status_is "$1" "$2" 200 && phone_done "$1" "$2" "${4:-10}" || return 1
	[ -e "$work/$1/$2/bye.txt" ] || { echo "the caller hung up, not occd"; return 1; }
	t=$(t_bye "$1" "$2")
	hears "$1" "$2" "$(at "$t" -0.85)" "$(at "$t" -0.2)" --tone "$3"
}

# took FLOW NAME LO HI: occd hung up LO..HI seconds after the answer
took() {
	local d
	d=$(awk -v a="$(t_answer "$1" "$2")" -v b="$(t_bye "$1" "$2")" 'BEGIN { printf "%.2f", b - a }')
	awk -v d="$d" -v lo="$3" -v hi="$4" 'BEGIN { exit !(d >= lo && d <= hi) }' && return 0
	echo "hung up after $d s, want $3..$4 s"
	return 1
}

# cdr_vars_has CID DID REGEX: the vars of the last CDR from CID to DID match
cdr_vars_has() {
	expect_match vars "$(sql "SELECT vars FROM cdr WHERE caller = ? AND callee = ? ORDER BY rowid DESC LIMIT 1" "$1" "$2")" "$3"
}

# never_rang DIR...: no INVITE reached these phones
never_rang() {
	local d
	for d in "$@"; do
		[ -e "$work/$d/invite.txt" ] && { echo "$d rang"; return 1; }
	done
	return 0
}

# rang_first FLOW A B...: phone A's INVITE came before each other's
rang_first() {
	local flow=$1 first=$2 ta tb o
	shift 2
	ta=$(tfile "$work/$flow/$first/invite.txt")
	for o in "$@"; do
		tb=$(tfile "$work/$flow/$o/invite.txt")
		[ "$tb" = 0 ] && { echo "$o never rang"; return 1; }
		awk -v a="$ta" -v b="$tb" 'BEGIN { exit !(a > 0 && a < b) }' ||
			{ echo "$first rang at $ta, $o at $tb"; return 1; }
	done
}

# occ ARGS...: occctl on the suite's data (occd reloads; the routing
# import after these waits for a reload that has them all)
occ() { "$occctl" --data "$data" "$@" >/dev/null; }

# the local time in the schedules' zone (14 h ahead of UTC: its weekday
# and date are often not UTC's, so a zone ignored shows)
TZONE=Pacific/Kiritimati
# a minute before midnight the date could turn during the test
[ "$(TZ=$TZONE date +%H%M)" = 2359 ] && sleep 61
today=$(TZ=$TZONE date +%a | tr A-Z a-z)
tomorrow=$(TZ=$TZONE date -d tomorrow +%a | tr A-Z a-z)
hour=$(TZ=$TZONE date +%H)
date_local=$(TZ=$TZONE date +%F)

routing() {
	cat <<-EOF
		[lists]
		blacklist = 4000666*
		${WHITELIST:+whitelist = $WHITELIST}
		blocked = prompt:blocked

		[did 800888]
		[route main]
		did = 800888
		open = ivr:main

		# R: schedules (open now, closed by hours, closed today)
		[did 800601]
		[did 800602]
		[did 800603]
		[route s_open]
		did = 800601
		schedule = open_now
		open = prompt:open
		closed = prompt:closed
		[route s_hours]
		did = 800602
		schedule = other_day
		open = prompt:open
		closed = prompt:closed
		[route s_today]
		did = 800603
		schedule = not_today
		open = prompt:open
		closed = prompt:closed
		[schedule open_now]
		tz = $TZONE
		hours = $today $hour:00-24:00
		hours = $tomorrow 00:00-01:00
		[schedule other_day]
		tz = $TZONE
		hours = $tomorrow 00:00-24:00
		[schedule not_today]
		tz = $TZONE
		hours = daily 00:00-24:00
		closed = $date_local

		# R: caller-ID prefixes and priorities; a DID prefix; hang-up
		[did 800700]
		[route low]
		did = 800700
		open = prompt:A
		[route cid139]
		priority = 10
		did = 800700
		cid_prefix = 139
		open = prompt:B
		[route cid1391]
		priority = 5
		did = 800700
		cid_prefix = 1391
		open = prompt:C
		[did 80077*]
		[did 800779]
		dest = prompt:B
		[route pfx]
		did = 80077
		open = prompt:C
		[did 800711]
		[route hang]
		did = 800711
		open = hangup

		[prompt hello]
		file = hello.wav
		[prompt open]
		file = open.wav
		[prompt closed]
		file = closed.wav
		[prompt blocked]
		file = blocked.wav
		[prompt qfail]
		file = qfail.wav
		[prompt A]
		file = a.wav
		[prompt B]
		file = b.wav
		[prompt C]
		file = c.wav
		[prompt inv]
		file = inv.wav
		[prompt noin]
		file = noin.wav
		[prompt gone]
		file = gone.wav
		[prompt welcome]
		file = hello.wav

		[ivr main]
		exten = 6000
		start = welcome
		[node main.welcome]
		type = play_collect
		prompt = welcome
		key.1 = queue:6001
		key.2 = queue:6002

		# I: play, play_collect, set, goto
		[did 800801]
		dest = ivr:pc
		[ivr pc]
		start = hello
		fail = prompt:C
		[node pc.hello]
		type = play
		prompt = hello
		next = node:menu
		[node pc.menu]
		type = play_collect
		min_digits = 2
		max_digits = 4
		first_timeout = 1500ms
		inter_timeout = 1s
		tries = 2
		invalid_prompt = inv
		noinput_prompt = noin
		var = CODE
		next = node:mark
		[node pc.mark]
		type = set
		set.SEEN = x\${CODE}
		next = node:route
		[node pc.route]
		type = goto
		if = SEEN = x123 -> prompt:A
		if = CODE = 1234 -> prompt:B
		next = hangup

		# I: http lookups
		[did 800802]
		dest = ivr:hx
		[ivr hx]
		start = ask
		[node hx.ask]
		type = http
		url = http://127.0.0.1:$web_port/lookup?cid=\${callerid}
		timeout = 1s
		map = VIP, NAME
		next = node:vip
		fail = prompt:C
		[node hx.vip]
		type = goto
		if = VIP = 1 -> prompt:A
		next = prompt:B

		# I: a prompt file gone at run time, played twice
		[did 800803]
		dest = ivr:ms
		[ivr ms]
		start = g1
		[node ms.g1]
		type = play
		prompt = gone
		next = node:g2
		[node ms.g2]
		type = play
		prompt = gone
		next = prompt:A

		# T: agentToIvr into a flow that plays A
		[ivr sus]
		exten = 6100
		start = p
		[node sus.p]
		type = play
		prompt = A
		next = hangup

		# Q: queue limits
		[did 800611]
		dest = queue:6011
		[did 800612]
		dest = queue:6012
		[did 800613]
		dest = queue:6013
		[did 800614]
		dest = queue:6014
		[queue 6011]
		max_wait = 2
		fail = prompt:qfail
		[queue 6012]
		max_callers = 1
		fail = prompt:qfail
		[queue 6013]
		join_empty = no
		fail = prompt:qfail
		[queue 6014]
		leave_empty = yes
		fail = prompt:qfail

		# S: strategies, sticky; A: availability; W: ringall; D: replies
		[did 800620]
		dest = queue:6020
		[did 800621]
		dest = queue:6021
		[did 800622]
		dest = queue:6022
		[did 800623]
		dest = queue:6023
		[did 800624]
		dest = queue:6024
		[did 800625]
		dest = queue:6025
		[queue 6020]
		strategy = linear
		ring_timeout = 1
		member.8006 = 0
		member.8005 = 0
		member.8003 = 0
		[queue 6024]
		strategy = rrmemory
		ring_timeout = 1
		member.8003 = 0
		member.8005 = 0
		member.8006 = 0
		[queue 6021]
		strategy = linear
		sticky = 60
		member.8005 = 0
		member.8006 = 0
		[queue 6022]
		[queue 6023]
		strategy = ringall
		member.8005 = 0
		member.8006 = 0
		[queue 6025]
		strategy = linear
		ring_timeout = 10
		retry = ${RETRY:-1}
		autopause = yes
		member.8005 = 0
		member.8006 = 0
		[queue 6001]
		[queue 6002]
	EOF
}

# ---- occd, groups, routing, phones ----------------------------------------------

start_occd "occd starts with the demo data (sip 127.0.0.1:$sip_port)"
pd=$data/prompts/demo
tone_wav "$pd/hello.wav" $F_HELLO 0.6
for p in open:$F_OPEN closed:$F_CLOSED blocked:$F_BLOCKED qfail:$F_QFAIL \
	a:$F_A b:$F_B c:$F_C inv:$F_INV noin:$F_NOIN gone:$F_A; do
	tone_wav "$pd/${p%%:*}.wav" "${p#*:}" 1
done
check "groups 11-14 (queue limits), 20-25 (strategies, ACW after answer, replies) exist" eval '
	for g in 11 12 13 14 20 21 22 23 24 25; do
		acw=off; [ $g = 22 ] && acw=answer
		occ group add demo $g q$g 60$g --acw $acw || exit 1
	done
	for m in 14:8003 20:8003 20:8005 20:8006 21:8005 21:8006 22:8002 23:8005 23:8006 24:8003 24:8005 24:8006 25:8005 25:8006; do
		occ member add demo ${m%%:*} ${m#*:} --dynamic || exit 1
	done'
routing >"$work/routing.ini"
check "the routing imports" import_routing "$work/routing.ini"
check "phones 8003, 8005, 8006 register" eval '
	phone_reg reg8003 "$p3" 8003 && phone_reg reg8005 "$p5" 8005 && phone_reg reg8006 "$p6" 8006'

# the lookup server: /lookup?cid=1001 "1|Alice", 1002 "0|Bob", 1003 hangs,
# 1004 garbage, 1005 a 500; each request is logged
python3 - "$web_port" "$work/web.log" >"$work/web.out" 2>&1 <<-'EOF' &
	import http.server, sys, time, urllib.parse
	port, logf = int(sys.argv[1]), sys.argv[2]
	class H(http.server.BaseHTTPRequestHandler):
	    def do_GET(self):
	        with open(logf, "a") as f:
	            f.write(f"{time.time():.3f} {self.path}\n")
	        cid = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query).get("cid", [""])[0]
	        if cid == "1003":
	            time.sleep(8)
	        code, body = {"1001": (200, b"1|Alice\n"), "1002": (200, b"0|Bob"),
	                      "1004": (200, b"\x00\x01\xfe garbage \x07"),
	                      "1005": (500, b"oops")}.get(cid, (404, b""))
	        try:
	            self.send_response(code)
	            self.send_header("Content-Length", str(len(body)))
	            self.end_headers()
	            self.wfile.write(body)
	        except OSError:
	            pass
	    def log_message(self, *a):
	        pass
	http.server.ThreadingHTTPServer.daemon_threads = True
	http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
pids+=("$!")

# ---- R. routes ---------------------------------------------------------------------

f=routes
call_to $f open 0 800601 13800000001
call_to $f hours 1 800602 13800000001
call_to $f today 2 800603 13800000001
call_to $f black 3 800601 4000666001
call_to $f low 4 800700 13800000002
call_to $f cid139 5 800700 13912345678
call_to $f pfx 6 8007712345 13800000003
call_to $f exact 7 800779 13800000003
call_to $f hang 8 800711 13800000004
check "$f: a schedule open now ($today from $hour:00 in $TZONE): its open destination" \
	prompt_dest $f open $F_OPEN
check "$f: a schedule with hours on $tomorrow only: its closed destination" \
	prompt_dest $f hours $F_CLOSED
check "$f: a schedule closed on $date_local (an exception date): closed" \
	prompt_dest $f today $F_CLOSED
check "$f: a blacklisted caller goes to the blocked destination" \
	prompt_dest $f black $F_BLOCKED
check "$f: a caller no prefix matches: the route without one (A)" \
	prompt_dest $f low $F_A
check "$f: 139... matches 139 (priority 10) and 1391 (priority 5): priority wins (B)" \
	prompt_dest $f cid139 $F_B
check "$f: 8007712345 matches the DID prefix 80077*: its route (C)" \
	prompt_dest $f pfx $F_C
check "$f: 800779, a longer DID bound to a destination, wins over 80077* (B)" \
	prompt_dest $f exact $F_B
check "$f: an open route to hang-up: 480, no call" status_is $f hang 480
peers_stop open hours today black low cid139 pfx exact hang

f=whitelist
WHITELIST='1390*' routing >"$work/routing-white.ini"
check "$f: a whitelist 1390* imports" import_routing "$work/routing-white.ini"
call_to $f in 0 800601 13900000001
call_to $f out 1 800601 13800000001
check "$f: a whitelisted caller reaches the open destination" prompt_dest $f in $F_OPEN
check "$f: any other caller goes to the blocked destination" prompt_dest $f out $F_BLOCKED
peers_stop in out
check "$f: no whitelist again" import_routing "$work/routing.ini"

# ---- I. the IVR ------------------------------------------------------------------------

f=ivr
rm -f "$pd/gone.wav"                      # imported, then gone
m=$(log_mark)
call_to $f hash 0 800801 13800000011 12000
press_at $f hash 1 '123#'                 # after the play node's 0.6 s
call_to $f max 1 800801 13800000012 12000
press_at $f max 1 1234
call_to $f short 2 800801 13800000013 12000
press_at $f short 1 '1#'
press_at $f short 3.2 '55#'               # after the invalid prompt
call_to $f none 3 800801 13800000014 12000
call_to $f ok 4 800802 1001
call_to $f no 5 800802 1002
call_to $f hang 6 800802 1003
call_to $f junk 7 800802 1004
call_to $f err 8 800802 1005
call_to $f gone 9 800803 13800000015
check "$f: play: the caller hears the hello prompt first" \
	heard $f hash 0.1 0.55 --tone $F_HELLO
check "$f: 123# (# ends the input), set SEEN=x\${CODE}, goto SEEN = x123: A" eval '
	prompt_dest $f hash $F_A && cdr_vars_has 13800000011 800801 "CODE=123(&|$)" &&
	cdr_vars_has 13800000011 800801 "SEEN=x123"'
check "$f: 1234 (max_digits 4, no #), goto CODE = 1234: B" prompt_dest $f max $F_B
check "$f: 1# (below min_digits 2): the invalid prompt, a second try, 55#: goto's next, hang-up" eval '
	heard $f short 1.2 2.6 --tone $F_INV && phone_done $f short 10 &&
	[ -e "$work/$f/short/bye.txt" ] && heard $f short 2.6 3.6 --absent $F_A --absent $F_B --absent $F_C'
check "$f: no input: the no-input prompt, and after 2 tries the flow's fail (C)" eval '
	prompt_dest $f none $F_C &&
	hears $f none "$(at "$(t_bye $f none)" -3.4)" "$(at "$(t_bye $f none)" -2.7)" --tone $F_NOIN &&
	took $f none 4.8 6.5'
check "$f: http: the reply 1|Alice maps VIP=1, NAME=Alice; goto VIP = 1: A" eval '
	prompt_dest $f ok $F_A && cdr_vars_has 1001 800802 "NAME=Alice" &&
	grep -q "/lookup?cid=1001" "$work/web.log"'
check "$f: http: 0|Bob: goto next: B" prompt_dest $f no $F_B
check "$f: http: a server that hangs: the fail branch (C) after the 1 s timeout" eval '
	prompt_dest $f hang $F_C && took $f hang 1.7 2.8'
check "$f: http: garbage (control bytes): the fail branch (C) at once" eval '
	prompt_dest $f junk $F_C && took $f junk 0.8 1.7'
check "$f: http: a 500: the fail branch (C)" eval '
	prompt_dest $f err $F_C && took $f err 0.8 1.7'
check "$f: a prompt file gone at run time, played twice: silence, then A" eval '
	prompt_dest $f gone $F_A && heard $f gone 0.2 0.8 --quiet'
check "$f: the missing file is logged once" expect_eq "log lines" \
	"$(since "$m" | grep -c "prompt .*gone.wav: cannot be read")" 1
peers_stop hash max short none ok no hang junk err gone

# ---- Q. queue limits ------------------------------------------------------------------

f=limits
m=$(log_mark)
call_to $f wait 0 800611 13800000021 12000
call_to $f first 1 800612 13800000022 5000
check "$f: a first caller waits in 6012 (max_callers 1)" wait_log "$m" "queued session=.* queue=6012" 10
call_to $f full 2 800612 13800000023 12000
call_to $f nojoin 3 800613 13800000024 12000
check "$f: max_wait 2 s: music on hold, then the queue's fail destination" eval '
	prompt_dest $f wait $F_QFAIL && heard $f wait 0.3 1.6 --tone 523+659 && took $f wait 2.7 4.5'
check "$f: 6012 is full: the next caller goes to the fail destination at once" eval '
	prompt_dest $f full $F_QFAIL && took $f full 0.8 1.9'
check "$f: join_empty no, nobody checked in: the fail destination at once" eval '
	prompt_dest $f nojoin $F_QFAIL && took $f nojoin 0.8 1.9'
check "$f: the first caller waited on until it hung up" eval '
	phone_done $f first 10 && [ ! -e "$work/$f/first/bye.txt" ]'
peers_stop wait first full nojoin

f=leave
check "$f: 8003 checks in to 6014 (leave_empty)" checkin 8003 14 8003
phone $f agent "$p3" phone.xml 0 $F_AGENT3 0 "$r3"
m=$(log_mark)
call_to $f talker 4 800614 13800000025 7000
check "$f: 8003 answers a first caller" wait_log "$m" "agent answered session=.* agent=8003" 10
call_to $f waiter 5 800614 13800000026 12000
check "$f: a second caller waits (8003 busy, still checked in)" \
	wait_log "$m" "queued session=.* queue=6014" 10
check "$f: 8003 checks out: the waiting caller leaves to the fail destination" eval '
	checkout 8003 14 && prompt_dest $f waiter $F_QFAIL'
check "$f: the first caller's call with 8003 goes on until it hangs up" eval '
	phone_done $f talker 10 && [ ! -e "$work/$f/talker/bye.txt" ] && phone_done $f agent 5'
peers_stop agent talker waiter

# ---- A. agents never offered ---------------------------------------------------------

# avail_round NAME I OFF ON: with 8002 made unavailable by OFF (commands),
# a caller to 6022 waits and 8002's phone gets no INVITE; ON makes it
# available and the phone rings at once; it answers, the caller hangs up
avail_round() {
	local nm=$1 i=$2 off=$3 on=$4
	api 8002 "EVENT=ACWOFF" >/dev/null
	check "$f: $nm: 8002 made unavailable" eval "$off"
	phone $f "${nm}_phone" "$p2" phone.xml 0 $F_AGENT 0 "$r2"
	m=$(log_mark)
	call_to $f "$nm" "$i" 800622 1380000003$i 6000
	check "$f: $nm: a caller waits in 6022, 8002's phone gets no INVITE for 2 s" eval '
		wait_log "$m" "queued session=.* queue=6022" 10 && sleep 2 && never_rang $f/${nm}_phone'
	check "$f: $nm: made available, 8002's phone rings at once, answers" eval "
		$on && wait_file \$work/$f/${nm}_phone/invite.txt 2 &&
		wait_log \$m 'agent answered session=.* agent=8002' 5"
	check "$f: $nm: the call ends" eval 'phone_done $f $nm 10 && phone_done $f ${nm}_phone 5'
	peers_stop "$nm" "${nm}_phone"
}

f=avail
check "$f: 8002 (no phone registered) checks in to 6022 (ACW after answer)" checkin 8002 22 8002
m=$(log_mark)
call_to $f unreg 6 800622 13800000036 7000
check "$f: unregistered: a caller waits, no offer to 8002 for 2 s" eval '
	wait_log "$m" "queued session=.* queue=6022" 10 && sleep 2 &&
	! since "$m" | grep -E "offer session=.* agent=8002"'
check "$f: unregistered: 8002's phone registers and rings at once, answers" eval '
	phone_reg reg8002 "$p2" 8002 && phone $f unreg_phone "$p2" phone.xml 0 $F_AGENT 0 "$r2" &&
	wait_file "$work/$f/unreg_phone/invite.txt" 3 &&
	wait_log "$m" "agent answered session=.* agent=8002" 5'
check "$f: unregistered: the call ends" eval 'phone_done $f unreg 10 && phone_done $f unreg_phone 5'
peers_stop unreg unreg_phone
check "$f: after the answered call 8002 is in ACW" state_is 8002 acw
phone $f acw_phone "$p2" phone.xml 0 $F_AGENT 0 "$r2"
m=$(log_mark)
call_to $f acw 7 800622 13800000037 6000
check "$f: ACW: a caller waits in 6022, 8002's phone gets no INVITE for 2 s" eval '
	wait_log "$m" "queued session=.* queue=6022" 10 && sleep 2 && never_rang $f/acw_phone'
check "$f: ACW: ACWOFF, 8002's phone rings at once, answers" eval '
	api_is 8002 EVENT=ACWOFF "|Retuen|1|" && wait_file "$work/$f/acw_phone/invite.txt" 2 &&
	wait_log "$m" "agent answered session=.* agent=8002" 5'
check "$f: ACW: the call ends" eval 'phone_done $f acw 10 && phone_done $f acw_phone 5'
peers_stop acw acw_phone
avail_round paused 8 'api_is 8002 "EVENT=QUEUEPAUSE&type=1&pause_reason=break" "|Retuen|1|"' \
	'api_is 8002 "EVENT=QUEUEPAUSE&type=2" "|Retuen|1|"'
# DND outlasts the pause it came with: unpaused without dnd, 8002 is idle
# but still not offered; type=2 with dnd ends it
avail_round dnd 9 'api_is 8002 "EVENT=QUEUEPAUSE&type=1&pause_reason=break&dnd=1" "|Retuen|1|" &&
	api_is 8002 "EVENT=QUEUEPAUSE&type=2" "|Retuen|1|" && state_is 8002 idle' \
	'api_is 8002 "EVENT=QUEUEPAUSE&type=2&dnd=1" "|Retuen|1|"'
avail_round dialout 0 'api_is 8002 "EVENT=WORKWAY&status=dialout&agentgroupid=22" "|Retuen|1|"' \
	'api_is 8002 "EVENT=WORKWAY&status=all&agentgroupid=22" "|Retuen|1|"'

# ---- D. a phone's own reply to an offer -------------------------------------------------

# refuse NAME PORT CODE N [FREQ RTPPORT]: a phone on PORT that replies
# CODE to occd's first N INVITEs after a 180 (refuse.xml: a phone in DND,
# a reject key) and, with FREQ, answers the next one speaking FREQ
refuse() {
	local calls=$4
	[ -n "${5:-}" ] && calls=$(($4 + 1))
	mkdir -p "$work/$f"
	sed -e "s/CODE/$3/" -e "s/REFUSALS/$4/" "$here/scenarios/refuse.xml" >"$work/$f/$1.xml"
	CALLS=$calls phone $f "$1" "$2" "$work/$f/$1.xml" 0 "${5:-}" 0 "${6:-0}"
}

# gap_below FILE_A FILE_B SECS: the time in FILE_B is 0..SECS after FILE_A's
gap_below() {
	local a b
	a=$(tfile "$1") b=$(tfile "$2")
	awk -v a="$a" -v b="$b" -v s="$3" 'BEGIN { exit !(a > 0 && b >= a && b - a < s) }' && return 0
	echo "$(basename "$(dirname "$2")") at $b, $3 s after $(basename "$(dirname "$1")")'s $a wanted"
	return 1
}

# gaps_in FILE LO HI: each time in FILE (one a line) is LO..HI s after
# the one before
gaps_in() {
	awk -v lo="$2" -v hi="$3" 'NR > 1 && ($1 - p < lo || $1 - p > hi) {
		printf "line %d: %.3f s after the one before, want %s..%s\n", NR, $1 - p, lo, hi; bad = 1 }
		{ p = $1 } END { exit bad }' "$1"
}

# queue_empty QUEUE: /metrics counts no caller in QUEUE (waiting, ringing
# or talking)
queue_empty() {
	local got
	got=$(curl -sS -m 5 "$url/metrics" | grep "^occ_queue_callers{team=\"demo\",queue=\"$1\"")
	[ -n "$got" ] && ! grep -qv ' 0$' <<<"$got" && return 0
	echo "$got"
	return 1
}

# answered_by SID AGENT LEGS: the call's CDR says ANSWERED by AGENT, and
# its legs are LEGS (legs_are)
answered_by() {
	expect_eq cdr "$(sql 'SELECT disposition, agent FROM cdr WHERE sessionid = ?' "$1")" "ANSWERED|$2" &&
		legs_are "$1" "$3"
}

# reply_round CODE I DISP STATE: 8005's phone (first in 6025, linear)
# replies CODE to the caller's offer; 8006's phone rings at once (far
# inside the 10 s ring timeout) and answers; they talk; the rejected leg
# is DISP in cdr_legs, 8005 is STATE afterwards
reply_round() {
	local code=$1 i=$2 disp=$3 st=$4 nm=c$1 ta
	refuse "${nm}_a5" "$p5" "$code" 1
	phone $f "${nm}_a6" "$p6" phone.xml 0 $F_AGENT2 0 "$r6"
	m=$(log_mark)
	call_to $f "$nm" "$i" 800625 1380000007$i 3500
	check "$f: $code: 8005's phone rings first and replies $code, once; 8006's rings within 1 s and answers" eval "
		wait_log \$m 'agent answered session=.* agent=8006' 8 && phone_done $f ${nm}_a5 3 &&
		rang_first $f ${nm}_a5 ${nm}_a6 &&
		gap_below \$work/$f/${nm}_a5/invite.txt \$work/$f/${nm}_a6/invite.txt 1 &&
		expect_eq 'offers to 8005' \$(since \$m | grep -c 'offer session=.* agent=8005') 1"
	ta=$(tfile "$work/$f/${nm}_a6/answer.txt")
	check "$f: $code: the caller and 8006 hear each other" eval "
		hears $f $nm $(at "$ta" 0.5) $(at "$ta" 1.5) --tone $F_AGENT2 &&
		hears $f ${nm}_a6 $(at "$ta" 0.5) $(at "$ta" 1.5) --tone $F_CALLER"
	check "$f: $code: 8005 is $st" state_is 8005 "$st"
	sid=$(inbound_sid "$m" 800625)
	check "$f: $code: the call ends; its CDR: ANSWERED by 8006, legs customer, agent $disp, agent ANSWERED; its events" eval "
		phone_done $f $nm 10 && phone_done $f ${nm}_a6 5 && wait_log \$m 'call ended session=$sid' 5 &&
		answered_by $sid 8006 'customer|ANSWERED agent|$disp agent|ANSWERED' &&
		events_are $sid 'CALLER incoming, QUEUE join, AGENT ringing, AGENT hangup, AGENT ringing, AGENT answer, QUEUE leave, CALLER hangup, AGENT hangup, CONVERSATION hangup'"
	peers_stop "$nm" "${nm}_a6"
}

f=reply
check "$f: 8005, 8006 check in to 6025 (linear 8005, 8006; ring 10 s, retry 1 s, autopause)" eval '
	checkin 8005 25 8005 && checkin 8006 25 8006'
reply_round 486 0 BUSY idle
reply_round 600 1 BUSY idle
# retry 0 still keeps 8005 from being offered the caller again at once
RETRY=0 routing >"$work/routing-r0.ini"
check "$f: 6025 with retry 0" import_routing "$work/routing-r0.ini"
reply_round 603 2 BUSY idle
check "$f: 6025 with retry 1 again" import_routing "$work/routing.ini"
reply_round 480 3 "NO ANSWER" pause
check "$f: 8005 back from the pause; 8006 checks out: 8005 alone in 6025" eval '
	api_is 8005 "EVENT=QUEUEPAUSE&type=2" "|Retuen|1|" && state_is 8005 idle && checkout 8006 25'
# the only agent's phone is in DND: it replies 486 to every offer; the
# caller waits on, to the music, offered to it again after each retry
# (1 s) — past the 8 legs a call keeps, occd read a freed leg — until the
# phone answers the tenth
refuse solo_a5 "$p5" 486 9 $F_AGENT "$r5"
m=$(log_mark)
call_to $f solo 4 800625 13800000075 12000
check "$f: alone, 8005's phone replies 486 nine times, offered again 1 s (retry) after each; it answers the tenth" eval '
	wait_log "$m" "agent answered session=.* agent=8005" 15 &&
	expect_eq INVITEs "$(wc -l <"$work/$f/solo_a5/invites.txt")" 10 &&
	gaps_in "$work/$f/solo_a5/invites.txt" 0.8 1.8'
check "$f: alone: meanwhile the caller stayed in the queue, hearing the music; then 8005" eval '
	t=$(head -1 "$work/$f/solo_a5/invites.txt") &&
	hears $f solo "$(at "$t" 0.3)" "$(at "$t" 8.5)" --tone 523+659 &&
	! since "$m" | grep -E "queue left" &&
	ta=$(tfile "$work/$f/solo_a5/answer.txt") &&
	hears $f solo "$(at "$ta" 0.5)" "$(at "$ta" 1.5)" --tone $F_AGENT'
sid=$(inbound_sid "$m" 800625)
check "$f: alone: the CDR: ANSWERED by 8005, legs customer, 9 agent BUSY, agent ANSWERED" eval '
	phone_done $f solo 12 && phone_done $f solo_a5 5 && wait_log "$m" "call ended session=$sid" 5 &&
	answered_by $sid 8005 "customer|ANSWERED$(printf " agent|BUSY%.0s" 1 2 3 4 5 6 7 8 9) agent|ANSWERED"'
check "$f: nobody left in 6025 (/metrics occ_queue_callers); 8005 idle" eval '
	queue_empty 6025 && state_is 8005 idle'
peers_stop solo solo_a5
check "$f: out of 6025" checkout 8005 25

# ---- S. strategies and sticky, seen on the phones --------------------------------------

f=linear
check "$f: 8003, 8005, 8006 check in to 6020 (linear: 8006, 8005, 8003; ring 1 s)" eval '
	checkin 8003 20 8003 && checkin 8005 20 8005 && checkin 8006 20 8006'
phone $f a3 "$p3" ring.xml 0
phone $f a5 "$p5" ring.xml 0
phone $f a6 "$p6" ring.xml 0
m=$(log_mark)
call_to $f caller 0 800620 13800000041 4500
check "$f: each phone rings in turn: 8006, then 8005, then 8003" eval '
	wait_file "$work/$f/a3/invite.txt" 8 && rang_first $f a6 a5 a3 && rang_first $f a5 a3'
check "$f: the caller hangs up; the phones were cancelled" eval '
	phone_done $f caller 10 && phone_done $f a3 5 && phone_done $f a5 5 && phone_done $f a6 5'
peers_stop caller
check "$f: out of 6020" eval 'checkout 8003 20 && checkout 8005 20 && checkout 8006 20'

f=rrmemory
check "$f: 8003, 8005, 8006 check in to 6024 (rrmemory, in that order)" eval '
	checkin 8003 24 8003 && checkin 8005 24 8005 && checkin 8006 24 8006'
phone $f 1a3 "$p3" ring.xml 0
phone $f 1a5 "$p5" phone.xml 0 $F_AGENT 0 "$r5"
m=$(log_mark)
call_to $f c1 0 800624 13800000042 3000
check "$f: a first call: 8003 rings first (no answer), then 8005 answers" eval '
	wait_log "$m" "agent answered session=.* agent=8005" 8 && rang_first $f 1a3 1a5'
check "$f: it ends" eval 'phone_done $f c1 10 && phone_done $f 1a5 5 && phone_done $f 1a3 5'
phone $f 2a3 "$p3" ring.xml 0
phone $f 2a5 "$p5" ring.xml 0
phone $f 2a6 "$p6" phone.xml 0 $F_AGENT2 0 "$r6"
m=$(log_mark)
call_to $f c2 1 800624 13800000043 3000
check "$f: the next call starts after 8005: 8006 rings first and answers, 8003 and 8005 never ring" eval '
	wait_log "$m" "agent answered session=.* agent=8006" 8 && never_rang $f/2a3 $f/2a5'
check "$f: it ends" eval 'phone_done $f c2 10 && phone_done $f 2a6 5'
wait_exit "$SIPP_2a3" 0 >/dev/null; wait_exit "$SIPP_2a5" 0 >/dev/null
peers_stop c1 1a5 c2 2a6
check "$f: out of 6024" eval 'checkout 8003 24 && checkout 8005 24 && checkout 8006 24'

f=sticky
check "$f: 8005, 8006 check in to 6021 (linear 8005, 8006; sticky 60 s); 8005 pauses" eval '
	checkin 8005 21 8005 && checkin 8006 21 8006 &&
	api_is 8005 "EVENT=QUEUEPAUSE&type=1&pause_reason=break" "|Retuen|1|"'
phone $f 1a6 "$p6" phone.xml 0 $F_AGENT2 0 "$r6"
m=$(log_mark)
call_to $f c1 0 800621 13955500001 2500
check "$f: 13955500001 talks to 8006 (8005 paused)" eval '
	wait_log "$m" "agent answered session=.* agent=8006" 8 && phone_done $f c1 10 && phone_done $f 1a6 5'
check "$f: 8005 back" api_is 8005 "EVENT=QUEUEPAUSE&type=2" "|Retuen|1|"
phone $f 2a5 "$p5" phone.xml 0 $F_AGENT 0 "$r5"
phone $f 2a6 "$p6" phone.xml 0 $F_AGENT2 0 "$r6"
m=$(log_mark)
call_to $f c2 1 800621 13955500001 2500
check "$f: 13955500001 again: offered to 8006 first (not linear's 8005), 8005 never rings" eval '
	wait_log "$m" "agent answered session=.* agent=8006" 8 && never_rang $f/2a5'
check "$f: it ends" eval 'phone_done $f c2 10 && phone_done $f 2a6 5'
wait_exit "$SIPP_2a5" 0 >/dev/null
peers_stop c1 1a6 c2 2a5 2a6

# ---- T. agentToIvr suspend -------------------------------------------------------------------

f=suspend
phone $f agent "$p5" phone.xml 0 $F_AGENT 0 "$r5"
m=$(log_mark)
call_to $f caller 0 800621 13800000051 9000
check "$f: 8005 answers a caller of 6021" wait_log "$m" "agent answered session=.* agent=8005" 8
sleep 1.5
t_ivr=$(now)
check "$f: agentToIvr 6100 suspend (transfer=1): accepted" \
	api_is 8005 "EVENT=AgentToIvr&ivrexten=6100&ivrflow=&transfer=1" "BackMsg_10"
check "$f: the caller hears the IVR's prompt (A), not the agent" \
	hears $f caller "$(at "$t_ivr" 0.3)" "$(at "$t_ivr" 0.9)" --tone $F_A --absent $F_AGENT
check "$f: after it, the caller hears the agent again, the agent the caller" eval '
	wait_log "$m" "ivr returns to the agent" 5 &&
	hears $f caller "$(at "$t_ivr" 1.6)" "$(at "$t_ivr" 2.6)" --tone $F_AGENT &&
	hears $f agent "$(at "$t_ivr" 1.6)" "$(at "$t_ivr" 2.6)" --tone $F_CALLER'
hears $f agent "$(at "$t_ivr" 0.3)" "$(at "$t_ivr" 0.9)" --tone $F_CALLER --tone $F_A >"$work/suspend-agent.txt" 2>&1
diag <"$work/suspend-agent.txt"
check "$f: the call ends when the caller hangs up" eval 'phone_done $f caller 12 && phone_done $f agent 5'
peers_stop caller agent
check "$f: 8005 out of 6021" eval 'checkout 8005 21 && checkout 8006 21'

# ---- W. ringall race -----------------------------------------------------------------------

f=race
ROUNDS=${ROUNDS:-30}
check "$f: 8005 and 8006 check in to 6023 (ringall)" eval 'checkin 8005 23 8005 && checkin 8006 23 8006'
# both phones answer every INVITE at once (racer.xml: a 200 with no 180)
CALLS=$ROUNDS SECS=200 phone $f a5 "$p5" "$here/scenarios/racer.xml" 0 "" 0 "$r5"
CALLS=$ROUNDS SECS=200 phone $f a6 "$p6" "$here/scenarios/racer.xml" 0 "" 0 "$r6"
bad=0
for ((i = 0; i < ROUNDS; i++)); do
	m=$(log_mark)
	caller $f "c$i" "${C[$((i % 10))]}" 800623 "1390000$((1000 + i))" 800 "${RC[$((i % 10))]}"
	wait_log "$m" "call ended session=" 10 >/dev/null
	phone_done $f "c$i" 5 >/dev/null
	peers_stop "c$i"              # its media peer would send on for 60 s
	sid=$(inbound_sid "$m" 800623)
	a=$(python3 "$mp" events "$data/occ.db" "$sid" | grep -c '^AGENT answer')
	[ "$a" = 1 ] || { bad=$((bad + 1)); echo "# round $i: $a agent answers (session $sid)"; }
done
check "$f: $ROUNDS rounds, each bridged to exactly one agent" expect_eq "rounds not bridged once" "$bad" 0
check "$f: both phones answered every call and were hung up well (CANCEL or BYE)" eval '
	phone_done $f a5 20 && phone_done $f a6 20 &&
	grep -qE "Successful call +\| +[0-9]+ +\| +$ROUNDS( |$)" "$work/$f/a5/sipp.out" &&
	grep -qE "Successful call +\| +[0-9]+ +\| +$ROUNDS( |$)" "$work/$f/a6/sipp.out"'
check "$f: no agent left reserved: 8005 and 8006 idle, nobody waiting" eval '
	state_is 8005 idle && state_is 8006 idle &&
	curl -s "$url/coccinterfaces" -d "EVENT=queueCustomerNum&orgidentity=demo&queuenumber=6023" | grep -q "|Retuen|0|0|0|0"'

stop_occd
echo "1..$n"
[ "$failed" -eq 0 ]
