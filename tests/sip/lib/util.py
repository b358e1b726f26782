#!/usr/bin/env python3
"""util.py — small helpers for tests/sip/run.sh (python3 stdlib only).

  util.py ports N          N base ports, one a line, each with P to P+4
                           free for both UDP and TCP on 127.0.0.1 and no
                           two within 5 of each other: sipp -p P -mp P+2
                           binds P, P+2 and P+4 (video), baresip takes
                           sip_listen's port + 1 for TLS. They are below
                           the kernel's ephemeral range (32768-60999), so
                           no client socket opened meanwhile takes one,
                           and below occd's RTP range (20000-40000).
  util.py sql DB QUERY [ARG...]
                           rows of a read-only query, fields joined by '|'.
  util.py authline FILE    the first "Authorization: Digest ..." line sipp
                           sent, from its -message_file.
"""
import random
import socket
import sqlite3
import sys


def free(p):
    socks = []
    try:
        for q in range(p, p + 5):
            for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                s = socket.socket(socket.AF_INET, t)
                socks.append(s)
                s.bind(("127.0.0.1", q))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


def ports(n):
    got = []
    for _ in range(2000):
        if len(got) == n:
            break
        p = random.randrange(10000, 19990, 2)
        if all(abs(p - q) >= 6 for q in got) and free(p):
            got.append(p)
    if len(got) < n:
        sys.exit("util.py: not enough free ports")
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
