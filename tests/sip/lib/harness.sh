# harness.sh — bash pieces the SIP-level suites (tests/sip,
# tests/multiparty, tests/supervision) share. Source it after setting url,
# util, occd and occctl; it only defines functions. The suite then calls
# suite_begin NAME, which sets the rest (n, failed, pids, work, data, log,
# occd_pid, occd_stopping) and the cleanup trap.

# suite_begin NAME: TAP counters, no helper or occd yet, and a work
# directory /tmp/occ-NAME.XXXXXX (data/, occd.log) that cleanup removes
suite_begin() {
	n=0 failed=0 pids=() occd_pid= occd_stopping=0
	work=$(mktemp -d "/tmp/occ-$1.XXXXXX")
	data=$work/data
	log=$work/occd.log
	trap cleanup EXIT
}

ok()   { n=$((n + 1)); echo "ok $n - $*"; }
nok()  { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }
occd_alive() { [ -n "$occd_pid" ] && kill -0 "$occd_pid" 2>/dev/null; }
# api AGENT PARAMS: the HTTP interface as that demo agent (password = number)
api() {
	curl -sS -m 10 -d "$2&orgidentity=demo&usertype=agent&user=$1&pwdtype=plaintext&password=$1" \
		"$url/coccinterfaces" 2>&1
}
# api_is AGENT PARAMS EXPECTED: the reply contains EXPECTED
api_is() {
	local r
	r=$(api "$1" "$2")
	case "$r" in
	*"$3"*) return 0 ;;
	esac
	echo "EVENT ${2%%&*} as $1: got '$r', want '$3'"
	return 1
}
# since MARK: the occd log lines after line MARK (log_mark: the line now)
since() { tail -n +$(($1 + 1)) "$log"; }
log_mark() { wc -l <"$log"; }
# wait_log MARK REGEX SECS: a line matching REGEX appears after MARK
wait_log() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		since "$1" | grep -qE "$2" && return 0
		occd_alive || { echo "occd is not running"; return 1; }
		sleep 0.1
	done
	echo "no log line /$2/ within $3 s; the log since:"
	since "$1" | tail -8
	return 1
}
# session_of MARK AGENT: the sessionid of the call AGENT started after MARK
session_of() {
	since "$1" | sed -n "s/.*call started session=\([0-9a-f]*\) team=demo agent=$2 .*/\1/p" | tail -1
}
# log_time MARK REGEX: the Unix time of the first line after MARK matching
log_time() {
	local ts
	ts=$(since "$1" | grep -m1 -E "$2" | sed -n 's/^ts=\([^ ]*\) .*/\1/p')
	[ -n "$ts" ] && date -d "$ts" +%s.%N
}
sql() { python3 "$util" sql "$data/occ.db" "$@"; }
expect_eq() {  # expect_eq WHAT GOT WANT
	[ "$2" = "$3" ] && return 0
	echo "$1: got '$2', want '$3'"
	return 1
}
expect_match() {  # expect_match WHAT GOT REGEX
	[[ "$2" =~ $3 ]] && return 0
	echo "$1: got '$2', want /$3/"
	return 1
}

# check DESC CMD...: one TAP line; the command's output becomes diagnostics
# when it fails (VERBOSE=1: also when it passes). It runs in this shell, not
# a subshell, so CMD may set variables and wait for our children. If occd
# died, everything after would fail for the same reason: bail out.
check() {
	local desc=$1 rc
	shift
	"$@" >"$work/check.out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "$desc"
		[ "${VERBOSE:-0}" = 1 ] && diag <"$work/check.out"
	else
		nok "$desc"
		tail -20 "$work/check.out" | diag
	fi
	if [ -n "$occd_pid" ] && [ "$occd_stopping" = 0 ] && ! occd_alive; then
		nok "occd is still running after \"$desc\""
		{ grep -m1 -B2 -A25 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log" ||
			tail -25 "$log"; } | diag
		echo "Bail out! occd died; the remaining tests were not run"
		exit 1
	fi
	return $rc
}

# cleanup: stop everything the suite started (TERM, then KILL; timeout(1)
# passes TERM on to sipp); keep the work directory on failure or KEEP=1
cleanup() {
	local p
	for p in "${pids[@]}" $occd_pid; do
		kill -TERM "$p" 2>/dev/null
	done
	sleep 0.3
	for p in "${pids[@]}" $occd_pid; do
		kill -KILL "$p" 2>/dev/null
	done
	if [ "${KEEP:-0}" = 1 ] || [ "$failed" -ne 0 ]; then
		echo "# work directory kept: $work"
	else
		rm -rf "$work"
	fi
}

# take_ports N [ARRAY]: ports_take (tests/lib/ports.sh); if N blocks
# cannot be had, the suite ends with one failure.
. "$(dirname "${BASH_SOURCE[0]}")/../../lib/ports.sh"
take_ports() {
	ports_take "$@" && return 0
	nok "$1 blocks of free ports (tests/sip/lib/util.py ports)"
	exit 1
}

# preflight HINT TOOL...: the tools (HINT: how to install them) and the
# ASan binaries are there, or the suite ends with one failure
preflight() {
	local hint=$1 tool b
	shift
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			nok "$tool is installed ($hint)"
			exit 1
		fi
	done
	for b in "$occd" "$occctl"; do
		if [ ! -x "$b" ]; then
			nok "$b is built (make asan)"
			exit 1
		fi
	done
}

# start_occd DESC [FLAGS...]: the ASan occd with the demo data on
# $http_port and $sip_port (FLAGS: more, e.g. --config), healthy within
# 10 s: one TAP line DESC; if it does not come up the suite ends
start_occd() {
	local desc=$1
	shift
	mkdir -p "$data"
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	"$occd" --demo "$@" --data "$data" --http "127.0.0.1:$http_port" \
		--sip "127.0.0.1:$sip_port" >"$log" 2>&1 &
	occd_pid=$!
	for _ in $(seq 1 100); do
		curl -fsS "$url/healthz" >/dev/null 2>&1 && break
		occd_alive || break
		sleep 0.1
	done
	if ! curl -fsS "$url/healthz" >/dev/null 2>&1; then
		nok "occd starts (http $http_port, sip $sip_port)"
		tail -20 "$log" | diag
		exit 1
	fi
	ok "$desc"
}

# stop_occd: the suite's helpers, then occd, with SIGTERM; checks that occd
# exits with status 0 and logged no sanitizer report or undeclared BackMsg
stop_occd() {
	local p rc=124
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	sleep 0.3
	occd_stopping=1
	kill -TERM "$occd_pid" 2>/dev/null
	for _ in $(seq 1 100); do
		if ! occd_alive; then
			wait "$occd_pid"
			rc=$?
			break
		fi
		sleep 0.1
	done
	[ $rc -eq 124 ] || occd_pid=
	check "occd stops on SIGTERM with status 0 (86: LeakSanitizer)" expect_eq "occd exit status" "$rc" 0
	check "no sanitizer report or undeclared BackMsg in the occd log" \
		eval '! grep -E -A15 "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|undeclared backmsg" "$log"'
}

# ---- SIP peers and the occd log ----------------------------------------------
# The suites driving sipp with tests/sip/scenarios set scen (the scenario
# directory), sip_port (occd's), occctl and data before using these.

# provision OCCCTL-ARGS...: an occctl change, applied and reloaded by occd
# (occctl sends it SIGHUP) within 10 s
provision() {
	local m
	m=$(log_mark)
	"$occctl" --data "$data" "$@" >/dev/null && wait_log "$m" 'provisioning reloaded' 10
}

trunk_add() {  # trunk_add NAME PORT [--default]: a trunk to sip:127.0.0.1:PORT
	provision trunk add demo "$1" "sip:127.0.0.1:$2" "${@:3}"
}

# wait_exit PID SECS: wait for a background child; its status, or 124 if
# it did not end in time (then it is stopped)
wait_exit() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			return $?
		fi
		sleep 0.1
	done
	kill -TERM "$1" 2>/dev/null      # timeout(1) passes it on to sipp
	for ((i = 0; i < 20; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 124
}

# next_second: sleep into the next wall-clock second (the same-second
# registration test starts two registrations right after it)
next_second() { python3 -c 'import time; time.sleep(1.02 - time.time() % 1)'; }

# sipp_reg NAME PORT SCENARIO USER PASSWORD EXPIRES: one REGISTER
# transaction (scenarios/register*.xml) against occd from 127.0.0.1:PORT;
# TEAM=NAME: the domain (demo). occd's nonces are unique per challenge
# (src/sip/registrar.c), so registrations need no second of their own.
sipp_reg() {
	local name=$1 port=$2 sf=$3 user=$4 pass=$5 exp=$6 rc
	mkdir -p "$work/$name"
	printf 'SEQUENTIAL\n%s;%s;[authentication username=%s password=%s];%s\n' \
		"$user" "${TEAM:-demo}" "$user" "$pass" "$exp" >"$work/$name/users.csv"
	(cd "$work/$name" && timeout -k 2 20 sipp -sf "$scen/$sf" -inf users.csv "127.0.0.1:$sip_port" \
		-i 127.0.0.1 -p "$port" -mp "$((port + 2))" -m 1 -nostdin -timeout 10s -timeout_error \
		-trace_msg -message_file msgs.log -trace_err -error_file err.log) \
		>"$work/$name.out" 2>&1
	rc=$?
	[ $rc -eq 0 ] && return 0
	echo "sipp $name ($sf) exited with status $rc"
	[ -f "$work/$name/err.log" ] && tail -5 "$work/$name/err.log"
	return 1
}

# sipp_uas NAME PORT SCENARIO [ARGS...]: a sipp UAS on PORT, in directory
# NAME, for one call (SIPP_CALLS=N: N calls); sets BG to its pid
sipp_uas() {
	local name=$1 port=$2 sf=$3
	shift 3
	mkdir -p "$work/$name"
	(cd "$work/$name" && exec timeout -k 2 60 sipp -sf "$scen/$sf" -i 127.0.0.1 -mi 127.0.0.1 \
		-p "$port" -mp "$((port + 2))" -m "${SIPP_CALLS:-1}" -nostdin -timeout 50s -timeout_error \
		-trace_msg -message_file msgs.log -trace_err -error_file err.log \
		-trace_logs -log_file log.log "$@") >"$work/$name.out" 2>&1 &
	BG=$!
	pids+=("$BG")
	sleep 0.3      # sipp binds its port
}

# call_up NAME AGENT TRUNK NUMBER: demo agent AGENT makeCalls NUMBER over
# TRUNK; two TAP lines (BackMsg_19; the agent's leg up, then the
# customer's); sets SID to the call's sessionid
call_up() {
	local m
	m=$(log_mark)
	check "$1: makeCall answers BackMsg_19" \
		api_is "$2" "EVENT=MAKECALL&targetdn=$4&targettype=exter&trunkidentity=$3" \
		'|Retuen|1|Retuen|BackMsg_19'
	SID=$(session_of "$m" "$2")
	check "$1: agent leg up, then customer leg up" eval '
		wait_log "$m" "agent answered session=$SID" 10 && wait_log "$m" "call answered session=$SID" 10'
}

# sipp_result NAME PID SECS: the UAS NAME ended with success within SECS
sipp_result() {
	local rc
	wait_exit "$2" "$3"
	rc=$?
	[ $rc -eq 0 ] && return 0
	echo "sipp $1 exited with status $rc"
	[ -f "$work/$1/err.log" ] && tail -5 "$work/$1/err.log"
	[ -f "$work/$1/log.log" ] && tail -5 "$work/$1/log.log"
	grep -E 'Successful call|Failed call' "$work/$1.out"
	return 1
}

# baresip_start NAME WAV ACCOUNT RTPRANGE SIPPORT: a headless baresip that
# sends WAV as its microphone and records what it hears (sndfile:
# NAME/rec/dump-*-dec.wav); ACCOUNT is its accounts line. It takes SIPPORT
# (UDP, TCP), SIPPORT+1 (TLS) and SIPPORT+2 (ctrl_tcp).
baresip_start() {
	local d=$work/$1
	mkdir -p "$d/rec"
	cat >"$d/config" <<-EOF
		poll_method epoll
		sip_listen 127.0.0.1:$5
		net_interface 127.0.0.1
		audio_player aubridge,null
		audio_alert aubridge,null
		audio_source aufile,$2
		rtp_ports $4
		module_path /usr/lib/baresip/modules
		module g711.so
		module aufile.so
		module aubridge.so
		module sndfile.so
		module_tmp account.so
		module_app menu.so
		module_app ctrl_tcp.so
		ctrl_tcp_listen 127.0.0.1:$(($5 + 2))
		snd_path $d/rec
	EOF
	printf '%s\n' "$3" >"$d/accounts"
	baresip -f "$d" -s </dev/null >"$d/log" 2>&1 &
	pids+=("$!")
}
