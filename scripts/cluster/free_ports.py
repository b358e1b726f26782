#!/usr/bin/env python3
"""free_ports.py N: prints N distinct 127.0.0.1 ports free for both TCP and
UDP now (each held until all are found, so none is given twice); for
scripts/cluster.sh and bench/cluster/run.sh."""
import socket
import sys

got, held = [], []
while len(got) < int(sys.argv[1]):
    t = socket.socket()
    t.bind(("127.0.0.1", 0))
    p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p))
    except OSError:
        t.close()
        continue
    held += [t, u]
    got.append(p)
print(" ".join(map(str, got)))
