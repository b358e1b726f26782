#!/usr/bin/env bash
# coverage.sh [SUITE-REGEX...] — which code no test executes: a clone of
# this checkout's HEAD in a temporary directory, its ASan build compiled
# with gcov (--coverage), then tests/run.sh there (all suites, or those
# matching the arguments, as tests/run.sh takes them), then per file the
# share of lines executed (lowest first) and every function never
# executed. The clone is kept (its path is printed: gcov -o
# build/asan/obj/src/DIR src/DIR/FILE.c there shows the lines). Takes as
# long as the suites it runs (make check: ~20 min on 2 cores). Not part
# of make check: the guide to where tests are missing (a function never
# run is a behaviour nobody has seen work).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/occ-coverage.XXXXXX)
git clone -q "$root" "$dir/occ"
cd "$dir/occ"
# --coverage on the ASan objects and binaries the suites run
sed -i 's/^ASAN_CFLAGS := $(CFLAGS_COMMON) /&--coverage /; s/^ASAN_LDFLAGS := /&--coverage /' Makefile
grep -q -- '--coverage' Makefile || { echo "coverage.sh: Makefile flags not found" >&2; exit 1; }
make -s -j"$(nproc)" all asan >"$dir/build.log" 2>&1 || { tail -20 "$dir/build.log"; exit 1; }
tests/run.sh "$@" >"$dir/tests.log" 2>&1 || echo "# some tests failed: $dir/tests.log"
grep -E '^[0-9]+ passed' "$dir/tests.log" || true

report() {  # FILE: "PERCENT LINES FILE", then "FILE FUNCTION" for each never run
	local f=$1 o=build/asan/obj/$(dirname "$1")
	gcov -n -f -o "$o" "$f" 2>/dev/null | awk -v f="$f" '
		/^Function / { fn = $2 }
		/^File /     { fn = ""; cur = $2 }
		/Lines executed:/ {
			split($2, a, ":"); sub("%", "", a[2])
			if (fn == "" && index(cur, f)) print "L", a[2], $4, f
			else if (fn != "" && a[2] + 0 == 0) print "F", f, fn
		}'
}
for f in src/*/*.c; do report "$f"; done | tr -d "'" >"$dir/report.txt"
echo "# lines executed, lowest first (percent, lines, file)"
awk '$1 == "L" { print $2, $3, $4 }' "$dir/report.txt" | sort -u | sort -n | head -25
echo "# functions never executed"
awk '$1 == "F" { print $2, $3 }' "$dir/report.txt"
echo "# kept: $dir/occ (report: $dir/report.txt)"
