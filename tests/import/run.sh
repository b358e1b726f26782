#!/usr/bin/env bash
# tests/import/run.sh — file imports end to end: test_import.py runs a real
# HTTP server (http.server) and a real FTP server (pyftpdlib) on free
# 127.0.0.1 ports in its own process and fetches from them with
# build/asan/occ-csv (src/import/: allow-list, libcurl on a worker thread,
# rows back on a libre loop, the CSV parser). TAP lines.
# OCC_CSV overrides the binary.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export OCC_CSV=${OCC_CSV:-$root/build/asan/occ-csv}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [ ! -x "$OCC_CSV" ]; then
	echo "not ok - $OCC_CSV is not built (make asan)"
	exit 1
fi
# Debian's python3 has python3-pyftpdlib (scripts/deps.sh); pyenv's has not
if ! /usr/bin/python3 -c 'import pyftpdlib' 2>/dev/null; then
	echo "not ok - /usr/bin/python3 lacks pyftpdlib (scripts/deps.sh installs python3-pyftpdlib)"
	exit 1
fi
timeout -k 5 300 /usr/bin/python3 "$here/test_import.py"
