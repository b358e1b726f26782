#!/usr/bin/env python3
"""util.py — small helpers for tests/sip/run.sh (python3 stdlib only).

  util.py ports N          up to N base ports, one a line, offered to
                           harness.sh's take_ports, which locks them: each
                           the first of a block of six (P to P+5, blocks
                           on a grid from 10000, so two suites' blocks
                           never overlap) whose lock file under
                           $OCC_PORT_LOCKS (default /tmp/occ-test-ports)
                           no suite holds and whose six ports are free for
                           both UDP and TCP on 127.0.0.1: sipp -p P -mp P+2
                           binds P, P+2 and P+4 (video), baresip takes
                           sip_listen's port + 1 for TLS and + 2 for
                           ctrl_tcp. They are below the kernel's ephemeral
                           range (32768-60999), so no client socket opened
                           meanwhile takes one, and below occd's RTP range
                           (20000-32767).
  util.py sql DB QUERY [ARG...]
                           rows of a read-only query, fields joined by '|'.
  util.py authline FILE    the first "Authorization: Digest ..." line sipp
                           sent, from its -message_file.
"""
import os
import random
import sqlite3
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "scripts", "cluster"))
from free_ports import LOCKS, bindable, unlocked  # noqa: E402

BLOCK = 6


def free(p):
    """block P's ports are free for both UDP and TCP now"""
    return bindable(p, BLOCK)


def ports(n):
    os.makedirs(LOCKS, mode=0o1777, exist_ok=True)
    blocks = list(range(10000, 20000 - BLOCK, BLOCK))
    random.shuffle(blocks)
    got = []
    for p in blocks:
        if len(got) == n:
            break
        if unlocked(p) and free(p):
            got.append(p)
    print("\n".join(map(str, got)))


def sql(db, query, args):
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    for row in c.execute(query, args):
        print("|".join("" if v is None else str(v) for v in row))


def authline(path):
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("Authorization: Digest"):
                print(line.strip())
                return
    sys.exit(f"util.py: no Authorization line in {path}")


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "ports":
        ports(int(sys.argv[2]))
    elif cmd == "sql":
        sql(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif cmd == "authline":
        authline(sys.argv[2])
    else:
        sys.exit(__doc__)
