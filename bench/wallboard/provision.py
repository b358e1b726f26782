#!/usr/bin/env python3
"""bench/wallboard/provision.py — a team for the wallboard at scale.

  provision.py --ctl 'OCCCTL [OPTIONS]' --db DATA/occ.db --team T --agents N --groups G
               [--first 20001] [--password pw] [--account admin:adminpw]

occctl makes the team, its account, the G groups (queues 7001..) and the
first agent with its membership; the other N-1 agents are copies of the
first (same password hash) put straight into the store, agent i in group
i mod G, as bench/api/rss.sh does for its 10,000 (a thousand occctl runs
would take minutes). occd, if running, must be sent SIGHUP afterwards.
Prints one line: the group ids, comma-separated, in queue order.
"""
import argparse
import shlex
import sqlite3
import subprocess
import sys


def ctl(args, *words):
    r = subprocess.run(shlex.split(args.ctl) + list(words), capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"provision: occctl {' '.join(words)}: {r.stdout}{r.stderr}")
    return r.stdout.strip()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ctl", required=True, help="occctl and its options, one string")
    p.add_argument("--db", required=True)
    p.add_argument("--team", required=True)
    p.add_argument("--agents", type=int, required=True)
    p.add_argument("--groups", type=int, required=True)
    p.add_argument("--first", type=int, default=20001)
    p.add_argument("--password", default="pw")
    p.add_argument("--account", default="admin:adminpw")
    a = p.parse_args()
    if not (1 <= a.groups <= a.agents <= 10000):
        sys.exit("provision: want 1 <= groups <= agents <= 10000")

    ctl(a, "team", "add", a.team)
    name, pw = a.account.split(":", 1)
    ctl(a, "account", "add", a.team, name, pw)
    groups = []
    for g in range(a.groups):
        out = ctl(a, "group", "add", a.team, "auto", f"Queue {g + 1}", str(7001 + g))
        gid = out.split()[-1]
        if not gid.isdigit():
            sys.exit(f"provision: occctl group add printed no id: {out}")
        groups.append(int(gid))
    first = str(a.first)
    ctl(a, "agent", "add", a.team, first, a.password, "--name", f"Agent {first}")
    ctl(a, "member", "add", a.team, str(groups[0]), first)

    db = sqlite3.connect(a.db, timeout=30)
    db.execute("PRAGMA foreign_keys = ON")
    (tid,) = db.execute("SELECT id FROM teams WHERE name = ?", (a.team,)).fetchone()
    (pwhash,) = db.execute("SELECT pwhash FROM agents WHERE team_id = ? AND number = ?",
                           (tid, first)).fetchone()
    acw, work = db.execute("SELECT acw_mode, work_mode FROM members WHERE group_id = ?",
                           (groups[0],)).fetchone()
    rest = [str(a.first + i) for i in range(1, a.agents)]
    with db:
        db.executemany("INSERT INTO agents (team_id, number, name, pwhash) VALUES (?, ?, ?, ?)",
                       ((tid, n, f"Agent {n}", pwhash) for n in rest))
        ids = dict(db.execute("SELECT number, id FROM agents WHERE team_id = ?", (tid,)))
        db.executemany("INSERT INTO members (group_id, agent_id, acw_mode, work_mode) "
                       "VALUES (?, ?, ?, ?)",
                       ((groups[(int(n) - a.first) % a.groups], ids[n], acw, work)
                        for n in rest))
    (na,) = db.execute("SELECT count(*) FROM agents WHERE team_id = ?", (tid,)).fetchone()
    db.close()
    if na != a.agents:
        sys.exit(f"provision: {na} agents in the store, want {a.agents}")
    print(",".join(map(str, groups)))


if __name__ == "__main__":
    main()
