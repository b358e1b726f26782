# harness.sh — bash pieces the SIP-level suites (tests/sip,
# tests/multiparty, tests/supervision) share. Source it after setting n,
# failed, url, log, util, data and occd_pid; it only defines functions.

ok()   { n=$((n + 1)); echo "ok $n - $*"; }
nok()  { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }
occd_alive() { [ -n "$occd_pid" ] && kill -0 "$occd_pid" 2>/dev/null; }
# api AGENT PARAMS: the HTTP interface as that demo agent (password = number)
api() {
	curl -sS -m 10 -d "$2&orgidentity=demo&usertype=agent&user=$1&pwdtype=plaintext&password=$1" \
		"$url/coccinterfaces" 2>&1
}
since() { tail -n +$(($1 + 1)) "$log"; }
log_mark() { wc -l <"$log"; }
sql() { python3 "$util" sql "$data/occ.db" "$@"; }
expect_eq() {  # expect_eq WHAT GOT WANT
	[ "$2" = "$3" ] && return 0
	echo "$1: got '$2', want '$3'"
	return 1
}
