# calls.sh — helpers for the suites that place calls with sipp phones and
# listen to them with tests/multiparty/lib/mp.py (multiparty, inbound).
# Sourced after harness.sh; the suite sets root, work, data, scen (its
# sipp scenarios), mp (mp.py) and util.

now() { date +%s.%N; }
# at T [OFFSET]: T + OFFSET seconds
at() { awk -v t="$1" -v d="${2:-0}" 'BEGIN { printf "%.3f\n", t + d }'; }
# first line of FILE (a time written by a sipp scenario), or "0"; sipp
# writes it from a child shell that may finish after sipp itself: wait 2 s
tfile() {
	local i
	for ((i = 0; i < 20; i++)); do
		[ -s "$1" ] && break
		sleep 0.1
	done
	head -1 "$1" 2>/dev/null || echo 0
}

# phone_reg NAME PORT USER: the phone USER (its password is its number)
# registers from PORT for an hour (a loaded machine can take longer than
# the default for a suite)
phone_reg() {
	scen=$root/tests/sip/scenarios sipp_reg "$1" "$2" register.xml "$3" "$3" 3600
}

# wait_file FILE SECS: FILE exists within SECS
wait_file() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	echo "no $1 within $2 s"
	return 1
}

# peers_stop NAME...: end the media peers of the current flow
peers_stop() {
	local nm pid
	for nm in "$@"; do
		pid=PEER_$nm
		[ -n "${!pid:-}" ] && { kill -TERM "${!pid}" 2>/dev/null; wait_exit "${!pid}" 3; }
	done
	return 0
}

# hears FLOW NAME FROM TO EXPECTATIONS...: what the phone NAME heard
hears() {
	local f=$work/$1/$2/rtp.jsonl
	shift 2
	python3 "$mp" hears "$f" --from "$1" --to "$2" "${@:3}"
}

# events_are SID WANT: the call's stored events, "SOURCE event" each,
# joined by ", "
events_are() {
	local got
	got=$(python3 "$mp" events "$data/occ.db" "$1" | awk '{ print $1 " " $2 }' | paste -sd, | sed 's/,/, /g')
	expect_eq "events of $1" "$got" "$2"
}

# legs_are SID WANT: the CDR's legs, "role|disposition" each, by uniqueid
legs_are() {
	expect_eq "cdr legs" \
		"$(sql 'SELECT role, disposition FROM cdr_legs WHERE sessionid = ? ORDER BY uniqueid' "$1" | paste -sd' ')" \
		"$2"
}

state_is() {  # state_is AGENT STATE: agentStatus says STATE
	api_is "$1" 'EVENT=AGENTSTATUS' "-$2,"
}

# phone FLOW NAME SIPPORT SCENARIO RINGMS [FREQ PT RTPPORT [SIPPARGS...]]: a
# phone for one call: sipp on SIPPORT (the port the phone registered from,
# or a trunk's) running SCENARIO (relative to $scen, or an absolute path),
# ringing RINGMS before it answers, and, with FREQ, its media (mp.py peer
# on RTPPORT speaking FREQ in PT); SIPPARGS go to sipp (-key, -set).
# HOLD=MS: how long phone_bye.xml talks before it hangs up. SECS=S: the phone lasts S seconds
# at most (default 60). CALLS=N: N calls one after the other (default 1). HONOUR=1: its peer sends nothing while it is held
# (customer.xml answered a=sendonly with recvonly), as RFC 3264 asks.
# WAV=FILE: its peer sends that 8 kHz WAV once from the answer, then
# silence, instead of FREQ (a greeting). Its
# files are in $work/FLOW/NAME; sets SIPP_NAME and PEER_NAME to the pids.
phone() {
	local flow=$1 name=$2 port=$3 sf=$4 ring=$5 freq=${6:-} pt=${7:-0} rtp=${8:-0}
	local d=$work/$flow/$name codec=PCMU hold=() secs=${SECS:-60} honour=()
	case $sf in /*) ;; *) sf=$scen/$sf ;; esac    # absolute, or under $scen
	[ "$pt" = 8 ] && codec=PCMA
	[ -n "${HOLD:-}" ] && hold=(-set hold "$HOLD")
	[ -n "${HONOUR:-}" ] && honour=(--honour-hold)
	[ -n "${WAV:-}" ] && honour+=(--wav "$WAV")
	mkdir -p "$d"
	if [ -n "$freq" ]; then
		python3 "$mp" peer --port "$rtp" --dir "$d" --send "$freq" --pt "$pt" --secs "$secs" \
			"${honour[@]}" >"$d/peer.out" 2>&1 &
		pids+=("$!")
		printf -v "PEER_$name" %s "$!"
		# a loaded machine may take a second or two to start python:
		# the call must not begin before the phone can hear it
		wait_file "$d/ready" 10 >/dev/null
	fi
	(cd "$d" && exec timeout -k 2 "$secs" sipp -sf "$sf" -i 127.0.0.1 -mi 127.0.0.1 \
		-p "$port" -mp "$((port + 2))" -m "${CALLS:-1}" -nostdin -timeout "$((secs - 10))s" -timeout_error -d "$ring" \
		-key rtpport "$rtp" -key pt "$pt" -key codec "$codec" "${hold[@]}" "${@:9}" \
		-trace_msg -message_file msgs.log -trace_err -error_file err.log \
		-trace_logs -log_file log.log) >"$d/sipp.out" 2>&1 &
	sipp_started "$d" "$name"
}

# sipp_started DIR NAME: the sipp just started in the background ($!) is
# the suite's (pids) and SIPP_NAME; DIR/sipp.pid tells its media peer
# (mp.py peer --dir DIR) to end when it has ended
sipp_started() {
	pids+=("$!")
	printf -v "SIPP_$2" %s "$!"
	echo "$!" >"$1/sipp.pid"
}

# phone_done FLOW NAME SECS: the phone's sipp ended with success within SECS
phone_done() {
	local d=$work/$1/$2 pid rc
	pid=SIPP_$2
	wait_exit "${!pid}" "$3"
	rc=$?
	[ $rc -eq 0 ] && return 0
	echo "sipp $1/$2 exited with status $rc"
	[ -f "$d/err.log" ] && tail -5 "$d/err.log"
	[ -f "$d/log.log" ] && tail -5 "$d/log.log"
	grep -E 'Successful call|Failed call' "$d/sipp.out"
	return 1
}
