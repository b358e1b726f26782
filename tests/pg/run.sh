#!/usr/bin/env bash
# tests/pg/run.sh — occ on PostgreSQL ([store] backend = postgresql), in a
# throwaway PostgreSQL 15 cluster (tests/lib/with-pg.sh):
#   - the store unit tests (store_*, campaign*, campreport_store) against it
#     (the SQLite-only ones report "# SKIP");
#   - soak.sh: occctl processes and API clients writing at once, then
#     every write counted;
#   - the API suites (tests/api: http, script, soap) and the original
#     plugin's (tests/plugin) with occd on PostgreSQL.
# Suites that run `occctl --data DIR` on the SQLite file directly cannot run
# on PostgreSQL and are not repeated here.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
exec tests/lib/with-pg.sh bash -c '
	rc=0
	for f in store_ campaign campreport_store; do
		build/asan/unit-tests "$f" || rc=1
	done
	tests/lib/with-occd.sh -- tests/pg/soak.sh || rc=1
	tests/api/run.sh || rc=1
	tests/plugin/run.sh || rc=1
	exit $rc'
