#!/usr/bin/env bash
# tests/api/run.sh — the API tests, each against a fresh demo occd started by
# tests/lib/with-occd.sh (build/asan/occd unless $OCCD is set):
#
#   http      run_http.py           cases.json over HTTP + HTTP wire details
#   script    run_http.py --script  cases.json over the Script (JSONP) interface
#   soap      run_soap.php          cases.json over SOAP (PHP SoapClient)
#   security  test_security.py      isolation, JSONP, XXE, hashes, limits
#             (starts a second occd itself, with --config, for the
#             brute-force limit)
#   plugin    test_plugin_ops.py    the original plugin's MyInfo,
#             DefaultGroup and agentStatisticDayCJI (issue 11)
#   qstat     test_queue_statistic.py  QueueStatistic's agentsince (the
#             wallboard's poll, issue 13)
#   hostile   test_hostile_http.py  slow connections, bodies, methods and
#             framing a hostile client tries (occd with hostile_http.ini)
#
# Usage: tests/api/run.sh [http|script|soap|security|plugin|qstat|hostile]...
#        (default: all)
# Exits non-zero if any suite fails. Full output of a suite goes to stdout;
# a summary line per suite follows.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
with="$root/tests/lib/with-occd.sh"

suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(http script soap security plugin qstat hostile)

declare -A result
rc=0
for s in "${suites[@]}"; do
	occd_args=()
	case "$s" in
	http)     cmd=(python3 "$here/run_http.py") ;;
	script)   cmd=(python3 "$here/run_http.py" --script) ;;
	soap)
		if ! command -v php >/dev/null || ! php -m 2>/dev/null | grep -qi '^soap$'; then
			echo "run.sh: soap suite needs php-cli with the soap extension" >&2
			result[$s]="FAIL (php-soap missing)"
			rc=1
			continue
		fi
		cmd=(php "$here/run_soap.php") ;;
	security) cmd=(python3 "$here/test_security.py") ;;
	plugin)   cmd=(python3 "$here/test_plugin_ops.py") ;;
	qstat)    cmd=(python3 "$here/test_queue_statistic.py") ;;
	hostile)
		occd_args=(--config "$here/hostile_http.ini")
		cmd=(python3 "$here/test_hostile_http.py") ;;
	*) echo "run.sh: unknown suite '$s' (http, script, soap, security, plugin, qstat, hostile)" >&2; exit 2 ;;
	esac
	echo "=== $s"
	out=$(mktemp)
	"$with" "${occd_args[@]}" -- "${cmd[@]}" 2>&1 | tee "$out"
	src=${PIPESTATUS[0]}
	pass=$(grep -c '^ok ' "$out")
	fail=$(grep -c '^not ok ' "$out")
	rm -f "$out"
	if [ "$src" -eq 0 ]; then
		result[$s]="PASS ($pass ok)"
	else
		result[$s]="FAIL ($pass ok, $fail not ok, exit $src)"
		rc=1
	fi
done

echo "=== summary"
for s in "${suites[@]}"; do
	printf '%-9s %s\n' "$s" "${result[$s]:-not run}"
done
exit $rc
