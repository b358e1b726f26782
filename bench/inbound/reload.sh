#!/usr/bin/env bash
# bench/inbound/reload.sh — how long occd's ACD host takes to follow the
# model (src/sip/acdhost.c, acdhost_sync) at scale: 1,000 queues (agent
# groups) and 5,000 agents, each a member of 3 queues, in one team.
#
#   bench/inbound/reload.sh [--out FILE] [--agents N] [--queues N] [--reloads N]
#
# Provisions the team with occctl (one group, agent, extension), clones
# them in the store (SQLite, one transaction, occd not running), starts the
# release occd (build/occd) on it and sends SIGHUP --reloads times (5).
# occd logs "acd synced queues= agents= us=" after each sync: the start's
# and each reload's time goes to FILE as key=value lines (reload_sync_ms_*:
# the start, the median and the worst reload). The whole reload (the
# model read from SQLite included) is "provisioning reloaded" in the log;
# this times only the ACD host's part. Takes a few seconds.
set -u
. "$(dirname "$0")/../lib.sh"

OUT=""
AGENTS=5000
QUEUES=1000
RELOADS=5
while (($#)); do
	case $1 in
	--out) OUT=$2; shift ;;
	--agents) AGENTS=$2; shift ;;
	--queues) QUEUES=$2; shift ;;
	--reloads) RELOADS=$2; shift ;;
	-h|--help) bench_help ;;
	*) bench_die "unknown argument $1 (see --help)" ;;
	esac
	shift
done
bench_need curl curl
bench_need python3 python3

bench_init reload
bench_copy_bins occd occctl
bench_pin
HTTP_PORT=$(bench_free_port)
SIP_PORT=$(bench_free_port)
bench_occ_team 20001 "$(bench_free_port)"
python3 - "$DATA/occ.db" "$AGENTS" "$QUEUES" <<'EOF' || bench_die "cloning failed"
import sqlite3, sys
db_path, na, nq = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = sqlite3.connect(db_path, timeout=30)
(tid,) = db.execute("SELECT id FROM teams WHERE name = 'bench'").fetchone()
aid, pwhash = db.execute("SELECT id, pwhash FROM agents WHERE team_id = ?", (tid,)).fetchone()
ha1, kind = db.execute("SELECT ha1, kind FROM extensions WHERE team_id = ?", (tid,)).fetchone()
with db:
    db.executemany("INSERT INTO agent_groups (team_id, name, queue, acw_mode) VALUES (?, ?, ?, 3)",
                   ((tid, f"Q{i}", str(30000 + i)) for i in range(1, nq)))
    gids = [g for (g,) in db.execute("SELECT id FROM agent_groups WHERE team_id = ? ORDER BY id", (tid,))]
    db.executemany("INSERT INTO agents (team_id, number, name, pwhash, exten) VALUES (?, ?, ?, ?, ?)",
                   ((tid, str(20001 + i), f"A{i}", pwhash, str(20001 + i)) for i in range(1, na)))
    db.executemany("INSERT INTO extensions (team_id, number, ha1, kind) VALUES (?, ?, ?, ?)",
                   ((tid, str(20001 + i), ha1, kind) for i in range(1, na)))
    aids = [a for (a,) in db.execute("SELECT id FROM agents WHERE team_id = ? ORDER BY id", (tid,))]
    db.execute("DELETE FROM members")
    rows = set()
    for i, a in enumerate(aids):
        for k in range(3):
            rows.add((gids[(i * 7 + k * 331) % len(gids)], a))
    db.executemany("INSERT INTO members (group_id, agent_id, checked_in, acw_mode) VALUES (?, ?, 1, 3)",
                   sorted(rows))
print(f"reload: {len(aids)} agents, {len(gids)} queues, {len(rows)} memberships", file=sys.stderr)
EOF

bench_start_occd "$HTTP_PORT" "$SIP_PORT"
synced() { grep -c 'acd synced' "$BENCH_TMP/occd.log"; }
for ((i = 1; i <= RELOADS; i++)); do
	want=$(($(synced) + 1))
	kill -HUP "$OCC_PID"
	for ((t = 0; t < 600; t++)); do
		(($(synced) >= want)) && break
		sleep 0.1
	done
	(($(synced) >= want)) || bench_die "no 'acd synced' after SIGHUP $i (60 s)"
done
bench_stop "$OCC_PID"
grep 'acd synced' "$BENCH_TMP/occd.log" | python3 -c '
import re, statistics, sys
rows = [re.search(r"queues=(\d+) agents=(\d+) us=(\d+)", l).groups() for l in sys.stdin]
q, a, _ = rows[-1]
start = int(rows[0][2]) / 1000
reloads = [int(r[2]) / 1000 for r in rows[1:]]
print(f"reload_queues={q}\nreload_agents={a}\nreload_count={len(reloads)}")
print(f"reload_sync_ms_start={start:.1f}")
print(f"reload_sync_ms_median={statistics.median(reloads):.1f}")
print(f"reload_sync_ms_max={max(reloads):.1f}")' >"$BENCH_TMP/reload.env"
cat "$BENCH_TMP/reload.env"
[[ -n $OUT ]] && cp "$BENCH_TMP/reload.env" "$OUT"
exit 0
