# lib.sh — what the occctl test scripts share: a scratch data directory
# with cheap password hashes, running occctl on it, and TAP lines.
# Sourced after the script sets OCC (the occctl binary) and NAME (for the
# scratch directory's name).
case $OCC in /*) ;; *) OCC=$PWD/$OCC ;; esac
T=$(mktemp -d "/tmp/$NAME.XXXXXX")
D=$T/data
CONF=$T/occ.ini
HUP_PID=
cleanup() {
	[ -n "$HUP_PID" ] && kill "$HUP_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# Cheap hashes keep the test fast; the cost comes from --config as in occd.
cat > "$CONF" <<EOC
[security]
pwhash_opslimit = 1
pwhash_memlimit_kib = 8
EOC

FAILED=0
N=0
OUT= ERR= RC=0

pass() { N=$((N + 1)); echo "ok - $1"; }
fail() {
	N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok - $1"
	echo "#   rc=$RC stdout: ${OUT//$'\n'/ | }"
	echo "#   stderr: ${ERR//$'\n'/ | }"
}

# occ ARGS...: run occctl on the test data dir; sets OUT, ERR, RC.
occ() {
	OUT=$("$OCC" --data "$D" --config "$CONF" "$@" 2>"$T/err")
	RC=$?
	ERR=$(cat "$T/err")
}

# expect RC DESC ARGS...: run and check the exit status.
expect() {
	local want=$1 desc=$2
	shift 2
	occ "$@"
	if [ "$RC" -eq "$want" ]; then pass "$desc"; else fail "$desc"; fi
}

# out_has / err_has / out_lacks REGEX DESC: check the last run's output.
out_has() { if grep -qE -- "$1" <<<"$OUT"; then pass "$2"; else fail "$2"; fi; }
out_lacks() { if grep -qE -- "$1" <<<"$OUT"; then fail "$2"; else pass "$2"; fi; }
err_has() { if grep -qE -- "$1" <<<"$ERR"; then pass "$2"; else fail "$2"; fi; }

# fake_occd_start: a stand-in occd (its command line mentions occd) whose
# pid is in the data directory, counting the SIGHUPs occctl sends it in
# $T/hups; hups prints the count. SIGHUPs are taken as they come
# (sigwait): a shell trap runs only between commands, so two signals sent
# meanwhile were counted as one.
fake_occd_start() {
	python3 -c 'import signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGHUP])
while True:
    signal.sigwait([signal.SIGHUP])
    with open(sys.argv[2], "a") as f:
        f.write("hup\n")' \
		fake-occd "$T/hups" &
	HUP_PID=$!
	echo "$HUP_PID" > "$D/occd.pid"
	sleep 0.3
}
hups() { [ -f "$T/hups" ] && wc -l < "$T/hups" || echo 0; }
