# bench/lib.sh — helpers shared by the bench scripts (sourced, not run).
#
# Nothing here writes outside the caller's temporary directory. Every
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
	bench_say "    apt-get install $*        (or: make deps)"
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

# A free TCP port on 127.0.0.1 (the kernel picks; tiny race, fine here).
bench_free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
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
