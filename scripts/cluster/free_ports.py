#!/usr/bin/env python3
"""free_ports.py N: prints N distinct 127.0.0.1 ports free for both TCP and
UDP now (each held until all are found, so none is given twice); for
scripts/cluster.sh and bench/cluster/run.sh.

They come from 6000-9999: below the kernel's ephemeral range (32768-60999),
where every client socket (a node's PostgreSQL connections, nginx's to
Redis, curl) takes its local port, so none of those can take one between
this script and the server binding it; below the test suites' blocks
(10000-20000, tests/sip/lib/util.py) and occd's RTP (20000-40000)."""
import random
import socket
import sys

want = int(sys.argv[1])
candidates = list(range(6000, 10000))
random.shuffle(candidates)
got, held = [], []
for p in candidates:
    if len(got) == want:
        break
    t = socket.socket()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        t.bind(("127.0.0.1", p))
        u.bind(("127.0.0.1", p))
    except OSError:
        t.close()
        u.close()
        continue
    held += [t, u]
    got.append(p)
if len(got) < want:
    sys.exit(f"free_ports.py: only {len(got)} of {want} ports free in 6000-9999")
print(" ".join(map(str, got)))
