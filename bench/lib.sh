# bench/lib.sh — helpers shared by the bench scripts (sourced, not run).
#
# Nothing here writes outside the caller's temporary directory (but
# bench_conclude with UPDATE=1: docs/BENCHMARKS.md). Every
# process a script starts is recorded with bench_track PID and stopped by
# bench_cleanup (installed as the EXIT/INT/TERM trap by bench_init).

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_TMP=""
BENCH_PIDS=()

bench_say() { printf '%s\n' "$*" >&2; }
bench_die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# bench_need TOOL DEBIAN-PACKAGE... : fail with a hint if TOOL is missing.
bench_need() {
	local tool=$1; shift
	command -v "$tool" >/dev/null 2>&1 && return 0
	bench_say "bench: '$tool' not found; install it with:"
	bench_say "    apt-get install $*        (or: scripts/deps.sh --bench)"
	exit 2
}

bench_track() { BENCH_PIDS+=("$1"); }

# Stop every process we started, newest first: TERM, then KILL after 3 s.
bench_cleanup() {
	local i pid t
	trap - EXIT INT TERM
	for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${BENCH_PIDS[i]}
		kill -0 "$pid" 2>/dev/null || continue
		kill -TERM "$pid" 2>/dev/null
		for ((t = 0; t < 30; t++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	BENCH_PIDS=()
	if [[ -n $BENCH_TMP && -d $BENCH_TMP ]]; then
		if [[ ${OCC_BENCH_KEEP:-0} == 1 ]]; then
			bench_say "bench: kept $BENCH_TMP"
		else
			rm -rf "$BENCH_TMP"
		fi
	fi
}

# bench_init NAME: temporary directory + cleanup trap.
bench_init() {
	BENCH_TMP=$(mktemp -d "/tmp/occ-bench-$1.XXXXXX") ||
		bench_die "mktemp failed"
	trap bench_cleanup EXIT
	trap 'bench_cleanup; exit 130' INT
	trap 'bench_cleanup; exit 143' TERM
}

# A free port on 127.0.0.1, TCP and UDP, below the kernel's ephemeral range
# (scripts/cluster/free_ports.py): no client socket can take it before the
# server binds it. Two calls pick at random from 4,000: bind before the next.
bench_free_port() {
	python3 "$BENCH_ROOT/scripts/cluster/free_ports.py" 1
}

# The CPUs this shell may run on, one per line.
bench_cpus() {
	python3 -c 'import os; print("\n".join(map(str, sorted(os.sched_getaffinity(0)))))'
}

# bench_copy_bins NAME...: copy build/NAME into BENCH_TMP so that a rebuild
# during the run (other people share build/) cannot swap or remove them.
# OCC_BENCH_BIN_DIR overrides build/ (bench/run.sh copies once for all).
bench_copy_bins() {
	local b dir=${OCC_BENCH_BIN_DIR:-$BENCH_ROOT/build}
	for b in "$@"; do
		[[ -x $dir/$b ]] ||
			bench_die "$dir/$b is missing; run 'make build/$b' (or 'make') first"
		cp "$dir/$b" "$BENCH_TMP/$b" || bench_die "cp $dir/$b"
	done
	if ldd "$BENCH_TMP/occd" 2>/dev/null | grep -q 'libasan'; then
		bench_say "bench: warning: build/occd is an ASan build; numbers are meaningless"
	fi
}

# bench_wait_http PID PORT: wait until the server answers HTTP (10 s max).
bench_wait_http() {
	local pid=$1 port=$2 t
	for ((t = 0; t < 100; t++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && return 0
		sleep 0.1
	done
	return 1
}

# bench_rss PID: VmRSS in bytes.
bench_rss() {
	awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"
}

# bench_cpu_ticks PID...: utime+stime (clock ticks) summed over the PIDs.
bench_cpu_ticks() {
	local pid sum=0 v
	for pid in "$@"; do
		v=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || v=0
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

# Machine facts, as key=value lines.
bench_machine_facts() {
	local model
	model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	echo "nproc=$(nproc)"
	echo "cpu_model=${model:-unknown}"
	echo "kernel=$(uname -r)"
	echo "mem_total_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
}

# Busy clock ticks of the whole machine (user+nice+system+irq+softirq).
bench_busy_ticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat
}

# bench_help: print the calling script's header comment (up to `set -u`)
# as its --help, and exit 0.
bench_help() {
	sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
}

# bench_parse_common "NAMES" ARGS...: the options the benchmarks share,
# those NAMES lists (out quick update-doc wait-quiet), and -h/--help
# (bench_help). Sets OUT (--out FILE; default ""), QUICK and UPDATE
# (--quick, --update-doc; default 0), WAIT_QUIET (--wait-quiet S; default
# $OCC_BENCH_WAIT_QUIET or 0); refuses --quick with --update-doc. The
# other arguments stay, in order, in BENCH_ARGS for the bench's own loop:
#   bench_parse_common "out quick" "$@"; set -- "${BENCH_ARGS[@]}"
bench_parse_common() {
	local names=" $1 "
	shift
	OUT="" QUICK=0 UPDATE=0 WAIT_QUIET=${OCC_BENCH_WAIT_QUIET:-0}
	BENCH_ARGS=()
	while (($#)); do
		case $1 in
		-h|--help) bench_help ;;
		--out|--wait-quiet)
			if [[ $names == *" ${1#--} "* ]]; then
				(($# >= 2)) || bench_die "$1 needs a value"
				[[ $1 == --out ]] && OUT=$2 || WAIT_QUIET=$2
				shift 2
				continue
			fi ;;
		--quick|--update-doc)
			if [[ $names == *" ${1#--} "* ]]; then
				[[ $1 == --quick ]] && QUICK=1 || UPDATE=1
				shift
				continue
			fi ;;
		esac
		BENCH_ARGS+=("$1")
		shift
	done
	((UPDATE && QUICK)) && bench_die "--quick results are not for the doc"
	return 0
}

# bench_fg CMD...: run CMD in the background and wait for it, so that a
# TERM or INT reaches the cleanup trap at once (bash defers traps while a
# foreground command runs); the cleanup forwards TERM to CMD.
bench_fg() {
	"$@" &
	local pid=$!
	bench_track "$pid"
	wait "$pid"
}

# bench_run_facts: bench_machine_facts, the date and the commit (with
# "+local changes" when src/ or the Makefile differ from it), key=value.
bench_run_facts() {
	local rev
	bench_machine_facts
	echo "date=$(date -u +%Y-%m-%d)"
	rev=$(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo none)
	[[ -n $(git -C "$BENCH_ROOT" status --porcelain -- src Makefile 2>/dev/null) ]] &&
		rev="$rev+local changes"
	echo "commit=$rev"
}

# ---- the SIP benchmarks (bench/calls, bench/mixing) ----------------------------

SRV_PIN=()
GEN_PIN=()

# bench_pin [SERVERS GENERATORS]: the servers on the second CPU this shell
# may use, the load generators (sipp, wrk, the client, the driver) on the
# first. Sets SRV_CPU (-1 with one CPU), GEN_CPU, SRV_PIN and GEN_PIN
# (taskset prefixes, empty with one CPU) and BENCH_NCPUS; returns 1 with
# one CPU. With SERVERS and GENERATORS also PINNING, the words for the
# report ("SERVERS on CPU 1; GENERATORS on CPU 0"), and the warning.
bench_pin() {
	local cpus
	mapfile -t cpus < <(bench_cpus)
	BENCH_NCPUS=${#cpus[@]}
	if ((BENCH_NCPUS >= 2)); then
		GEN_CPU=${cpus[0]}
		SRV_CPU=${cpus[1]}
		SRV_PIN=(taskset -c "$SRV_CPU")
		GEN_PIN=(taskset -c "$GEN_CPU")
		(($#)) && PINNING="$1 on CPU $SRV_CPU; $2 on CPU $GEN_CPU"
		# bench_start_occd pins occd only without media workers
		# (or with OCC_BENCH_PIN_OCCD=1: occd's threads on its CPU)
		case ${OCC_BENCH_PIN_OCCD:-0}:${OCC_MEDIA_THREADS:-auto} in
		1:*|*:0|*:1) ;;
		*) (($#)) && PINNING="$PINNING (occd itself not pinned: [media] threads = ${OCC_MEDIA_THREADS:-auto})" ;;
		esac
		return 0
	fi
	SRV_CPU=-1
	SRV_PIN=()
	GEN_PIN=()
	if (($#)); then
		PINNING="none (one CPU: servers and load generators share it)"
		bench_say "bench: warning: one CPU only; servers and load generators compete for it"
	fi
	return 1
}

# bench_sip_start NAME SERVERS GENERATORS: the start of bench/NAME/run.sh
# for the SIP benchmarks (calls, mixing), after their options:
# bench_init NAME, copies occd
# and occctl, pins (bench_pin SERVERS GENERATORS), raises the open-file
# limit. Sets T, HERE (bench/NAME), DRIVER (its driver.py), LOAD_BEFORE
# and started.
bench_sip_start() {
	bench_init "$1"
	LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
	bench_copy_bins occd occctl
	T=$BENCH_TMP
	HERE=$BENCH_ROOT/bench/$1
	DRIVER=(python3 -B "$HERE/driver.py")
	started=$(date +%s)
	bench_pin "$2" "$3"
	# sipp wants a descriptor per call (and one per socket)
	ulimit -n "$(ulimit -Hn)" 2>/dev/null
	return 0
}

# bench_occ_team FIRST TRUNK-PORT: occd's store in BENCH_TMP/data (DATA),
# a cheap password hash verified without occd's per-second cap
# (BENCH_TMP/occ.ini), occctl on both (CTL), and with occctl team
# "bench": group "Bench" (ACW off; its id in GROUP), agent FIRST
# (password "pw") with extension FIRST (secret "secret") in it, and
# a default trunk to 127.0.0.1:TRUNK-PORT. occd must not be running.
bench_occ_team() {
	local first=$1 trunk_port=$2
	DATA=$BENCH_TMP/data
	mkdir -p "$DATA"
	# auth_hash_rate: occd verifies each user's password once after a start,
	# at most 20 a second by default; 1,000 agents would take 50 s, and a
	# restarted occd would answer their first requests that slowly
	printf '[security]\npwhash_opslimit = 1\npwhash_memlimit_kib = 8\nauth_hash_rate = 5000\nauth_hash_queue = 4096\n' >"$BENCH_TMP/occ.ini"
	CTL=("$BENCH_TMP/occctl" --data "$DATA" --config "$BENCH_TMP/occ.ini")
	{
		"${CTL[@]}" team add bench &&
		GROUP=$("${CTL[@]}" group add bench auto Bench 6100 --acw off | awk '{ print $NF }') &&
		"${CTL[@]}" exten add bench "$first" secret &&
		"${CTL[@]}" agent add bench "$first" pw --exten "$first" &&
		"${CTL[@]}" member add bench "$GROUP" "$first" &&
		"${CTL[@]}" trunk add bench gw "sip:127.0.0.1:$trunk_port" --default
	} >"$BENCH_TMP/occctl.log" 2>&1 ||
		{ cat "$BENCH_TMP/occctl.log" >&2; bench_die "occctl provisioning failed"; }
	[[ $GROUP =~ ^[0-9]+$ ]] || bench_die "occctl group add printed no group id"
}

# bench_start_occd HTTP-PORT SIP-PORT: BENCH_TMP/occd on DATA, pinned with
# SRV_PIN, log appended to BENCH_TMP/occd.log; sets OCC_PID once it answers.
# OCC_MEDIA_THREADS in the environment is occd's [media] threads (unset:
# its default, auto: one per core); occd is pinned only with 0 or 1 of them (its
# media workers are meant for every core; its CPU, from /proc/PID/stat, is
# all its threads'), or with OCC_BENCH_PIN_OCCD=1: all its threads on the
# server CPU, none on the load generators' (on 2 CPUs the generators'
# ~40% per 1,000 calls sharing a core with occd's threads cost it dropped
# RTP and 100 ms API replies that occd alone on its core did not have).
bench_start_occd() {
	local pin=()
	case ${OCC_BENCH_PIN_OCCD:-0}:${OCC_MEDIA_THREADS:-auto} in
	1:*|*:0|*:1) pin=("${SRV_PIN[@]}") ;;
	*) bench_say "bench: occd not pinned: [media] threads = ${OCC_MEDIA_THREADS:-auto}" ;;
	esac
	"${pin[@]}" "$BENCH_TMP/occd" --data "$DATA" --config "$BENCH_TMP/occ.ini" \
		--http "127.0.0.1:$1" --sip "127.0.0.1:$2" >>"$BENCH_TMP/occd.log" 2>&1 &
	OCC_PID=$!
	bench_track "$OCC_PID"
	bench_wait_http "$OCC_PID" "$1" ||
		{ tail -20 "$BENCH_TMP/occd.log" >&2; bench_die "occd did not start"; }
}

# bench_customer_ulaw FILE: the customers' voice for the trunk sipp's
# rtp_stream (bench/calls/trunk_uas.xml): 1 s of two tones (440 and
# 1250 Hz, 3 Hz tremolo), raw G.711 u-law.
bench_customer_ulaw() {
	python3 - "$1" <<'EOF'
import math, sys
def ulaw(s):
    sign = 0x80 if s < 0 else 0
    s = min(abs(s), 32635) + 0x84
    exp, mask = 7, 0x4000
    while exp > 0 and not s & mask:
        exp, mask = exp - 1, mask >> 1
    return ~(sign | exp << 4 | (s >> (exp + 3)) & 0x0F) & 0xFF
with open(sys.argv[1], "wb") as f:
    f.write(bytes(ulaw(int((0.6 + 0.4 * math.sin(2 * math.pi * 3 * i / 8000)) *
                           (4000 * math.sin(2 * math.pi * 440 * i / 8000) +
                            2000 * math.sin(2 * math.pi * 1250 * i / 8000))))
                  for i in range(8000)))
EOF
}

# bench_rtppeer NAME MODE [FILE]: bench/tools/rtppeer.c (built into
# BENCH_TMP once) in MODE (echo: the agent phones; play FILE: the
# customers) on a free pair of UDP ports of 127.0.0.1, pinned with
# GEN_PIN; the sipps' SDP answers name its port (-key echo_port /
# play_port). Sets PEER_PORT and PEER_PID; its counters go to
# BENCH_TMP/NAME.stats every second, and to BENCH_TMP/NAME.out when it is
# stopped (bench_rtppeer_stop).
bench_rtppeer() {
	local name=$1 try
	shift
	[[ -x $BENCH_TMP/rtppeer ]] ||
		cc -O2 -Wall -Wextra -Werror -o "$BENCH_TMP/rtppeer" "$BENCH_ROOT/bench/tools/rtppeer.c" ||
		bench_die "cc bench/tools/rtppeer.c failed"
	for ((try = 0; try < 5; try++)); do
		PEER_PORT=$(bench_free_port)
		"${GEN_PIN[@]}" "$BENCH_TMP/rtppeer" "$@" "$PEER_PORT" "$BENCH_TMP/$name.stats" \
			>"$BENCH_TMP/$name.out" 2>&1 &
		PEER_PID=$!
		sleep 0.2
		kill -0 "$PEER_PID" 2>/dev/null && break
		wait "$PEER_PID"                # PORT or PORT + 1 taken: another pair
	done
	kill -0 "$PEER_PID" 2>/dev/null ||
		{ cat "$BENCH_TMP/$name.out" >&2; bench_die "rtppeer $1 did not start"; }
	bench_track "$PEER_PID"
}

# bench_httpfloor: bench/tools/httpfloor.c (built into BENCH_TMP once), a
# do-nothing HTTP responder on a free port, pinned with SRV_PIN (the
# server's CPU): the API probe's floor. Sets FLOOR_PORT and FLOOR_PID.
bench_httpfloor() {
	[[ -x $BENCH_TMP/httpfloor ]] ||
		cc -O2 -Wall -Wextra -Werror -o "$BENCH_TMP/httpfloor" "$BENCH_ROOT/bench/tools/httpfloor.c" ||
		bench_die "cc bench/tools/httpfloor.c failed"
	FLOOR_PORT=$(bench_free_port)
	"${SRV_PIN[@]}" "$BENCH_TMP/httpfloor" "$FLOOR_PORT" >"$BENCH_TMP/httpfloor.out" 2>&1 &
	FLOOR_PID=$!
	sleep 0.2
	kill -0 "$FLOOR_PID" 2>/dev/null ||
		{ cat "$BENCH_TMP/httpfloor.out" >&2; bench_die "httpfloor did not start"; }
	bench_track "$FLOOR_PID"
}

# bench_rtppeer_stop NAME PID: stops it; sets PEER_TOTALS, its counters
# over the whole run ("received=N sent=N dropped=N ...").
bench_rtppeer_stop() {
	bench_stop "$2"
	PEER_TOTALS=$(tail -1 "$BENCH_TMP/$1.out")
}

# bench_sipp DIR OUT ARGS...: sipp ARGS in DIR, pinned with GEN_PIN, no
# stdin; statistics every second to OUT.stat.csv, errors to
# OUT.errors.log, its output to OUT.out. Returns sipp's exit status.
bench_sipp() {
	(_bench_sipp "$@")
}

# bench_sipp_bg DIR OUT ARGS...: bench_sipp in the background (a
# long-running UAS); sets SIPP_PID.
bench_sipp_bg() {
	(_bench_sipp "$@") &
	SIPP_PID=$!
	bench_track "$SIPP_PID"
}

_bench_sipp() { # (in a subshell) cd DIR, then exec sipp
	local dir=$1 out=$2
	shift 2
	cd "$dir" && exec "${GEN_PIN[@]}" sipp "$@" -nostdin -trace_stat -fd 1 \
		-stf "$out.stat.csv" -trace_err -error_file "$out.errors.log" >"$out.out" 2>&1
}

# bench_sipp_register FIRST COUNT CONTACT-PORT NAME SIP-PORT: extensions
# FIRST.. FIRST+COUNT-1 of team "bench" REGISTER (digest, secret
# "secret", bench/calls/register.xml) at occd's SIP-PORT, with their
# Contact on 127.0.0.1:CONTACT-PORT; files BENCH_TMP/NAME.*.
bench_sipp_register() {
	local first=$1 count=$2 contact=$3 name=$4 sip=$5
	python3 -c 'import sys
first, n = int(sys.argv[1]), int(sys.argv[2])
print("SEQUENTIAL")
for e in range(first, first + n):
    print(f"{e};bench;[authentication username={e} password=secret];")' \
		"$first" "$count" >"$BENCH_TMP/$name.csv"
	cp "$BENCH_ROOT/bench/calls/register.xml" "$BENCH_TMP/"
	bench_sipp "$BENCH_TMP" "$BENCH_TMP/$name" -sf register.xml "127.0.0.1:$sip" \
		-i 127.0.0.1 -p "$(bench_free_port)" -inf "$name.csv" -key phones_port "$contact" \
		-key expires 3600 -m "$count" -r 200 -l 50 -timeout 120
}

# bench_registrations DB PORT...: the fewest bindings of team "bench" in
# occd's store whose Contact is on one of the PORTs.
bench_registrations() {
	python3 -c 'import sqlite3,sys
c=sqlite3.connect("file:"+sys.argv[1]+"?mode=ro", uri=True)
q="SELECT count(*) FROM registrations r JOIN teams t ON t.id = r.team_id WHERE t.name = ? AND r.contact LIKE ?"
print(min(c.execute(q, ("bench", "%:"+p+"%")).fetchone()[0] for p in sys.argv[2:]))' "$@"
}

# bench_open_cdrs DB: CDRs not closed in occd's store.
bench_open_cdrs() {
	python3 -c 'import sqlite3,sys
c=sqlite3.connect("file:"+sys.argv[1]+"?mode=ro", uri=True)
print(c.execute("SELECT count(*) FROM cdr WHERE end_ms = 0").fetchone()[0])' "$1"
}

# bench_sipp_left STAT.CSV...: calls still up in the sipps (CurrentCall).
bench_sipp_left() {
	python3 -B -c 'import sys
sys.path.insert(0, sys.argv[1]); import benchlib
print(sum(benchlib.sipp_stats(p).get("CurrentCall", 0) for p in sys.argv[2:]))' \
		"$BENCH_ROOT/bench" "$@"
}

# bench_sipp_version: sipp's version (v3.7.1).
bench_sipp_version() {
	sipp -v 2>&1 | awk '/SIPp v/ { sub(/-.*/, "", $2); sub(/\.$/, "", $2); print $2; exit }'
}

# bench_log_counts LOG: LOG_ERRORS, LOG_WARNS (level=error, level=warn
# lines) and LOG_LINES of occd's log.
bench_log_counts() {
	LOG_ERRORS=$(grep -c 'level=error' "$1")
	LOG_WARNS=$(grep -c 'level=warn' "$1")
	LOG_LINES=$(wc -l <"$1")
}

# bench_stop PID...: TERM them all, then wait for each.
bench_stop() {
	local p
	for p in "$@"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "$@"; do
		wait "$p" 2>/dev/null
	done
}

# bench_conclude NAME RC UPDATE ENV: after bench/NAME/report.py exited
# with RC: say so if it failed; with UPDATE=1 and RC 0 rewrite NAME's
# results in docs/BENCHMARKS.md from ENV (bench/NAME/update_doc.py).
# Returns RC (1 if the rewrite failed), the benchmark's exit status.
bench_conclude() {
	local name=$1 rc=$2 update=$3 env=$4
	((rc == 0)) || bench_say "bench: $name: verification FAILED (raw results in $BENCH_TMP; rerun with OCC_BENCH_KEEP=1 to keep them)"
	((update)) || return "$rc"
	if ((rc == 0)); then
		python3 -B "$BENCH_ROOT/bench/$name/update_doc.py" "$BENCH_ROOT/docs/BENCHMARKS.md" "$env" ||
			return 1
		echo "docs/BENCHMARKS.md: $name results rewritten"
	else
		bench_say "bench: $name: docs/BENCHMARKS.md not updated"
	fi
	return "$rc"
}
