#!/usr/bin/env bash
# tests/campaign/run.sh — outbound campaigns on a real occd: import over
# HTTP, Script and SOAP with every dup rule and error, dialerList, team
# isolation, occctl campaign on the running occd, persistence across a
# restart (test_import.py; it starts and restarts its own occd); file
# imports over real HTTP and FTP servers (test_file_import.py).
#
# Needs php-cli with the soap extension (scripts/deps.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v php >/dev/null || ! php -m 2>/dev/null | grep -qi '^soap$'; then
	echo "not ok - campaign suite needs php-cli with the soap extension"
	exit 1
fi
python3 "$here/test_import.py"
rc=$?
# file imports: real HTTP and FTP servers; Debian's python3 has pyftpdlib
if ! /usr/bin/python3 -c 'import pyftpdlib' 2>/dev/null; then
	echo "not ok - /usr/bin/python3 lacks pyftpdlib (scripts/deps.sh installs python3-pyftpdlib)"
	exit 1
fi
timeout -k 5 300 /usr/bin/python3 "$here/test_file_import.py" || rc=1
exit $rc
