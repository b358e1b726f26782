#!/usr/bin/env python3
"""free_ports.py N: prints N distinct 127.0.0.1 ports free for both TCP and
UDP now; for
scripts/cluster.sh, scripts/webphone.sh, bench/lib.sh's bench_free_port and
tests/lib/ports.sh's port_take; its functions also serve the tests' port
pickers (tests/lib/freeport.py, tests/sip/lib/util.py).

They come from 6000-9999: below the kernel's ephemeral range (32768-60999),
where every client socket (a node's PostgreSQL connections, nginx's to
Redis, curl) takes its local port, so none of those can take one between
this script and the server binding it; below the test suites' blocks
(10000-20000, tests/sip/lib/util.py) and occd's RTP (20000-32767). A port
whose lock file a test suite holds (OCC_PORT_LOCKS, default
/tmp/occ-test-ports) is skipped."""
import fcntl
import os
import random
import socket
import sys

LOCKS = os.environ.get("OCC_PORT_LOCKS", "/tmp/occ-test-ports")
BAND = range(6000, 10000)


def bindable(p, n=1):
    """ports p..p+n-1 can be bound on 127.0.0.1, TCP and UDP, now"""
    socks = []
    try:
        for q in range(p, p + n):
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


def lock(p):
    """p's lock file, locked (its fd), or None if someone holds it"""
    os.makedirs(LOCKS, mode=0o1777, exist_ok=True)
    fd = os.open(os.path.join(LOCKS, str(p)), os.O_WRONLY | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except OSError:
        os.close(fd)
        return None


def unlocked(p):
    """nobody holds p's lock now (the caller may take it next)"""
    fd = lock(p)
    if fd is not None:
        os.close(fd)
    return fd is not None


def shuffled_band():
    ports = list(BAND)
    random.shuffle(ports)
    return ports


def main():
    want = int(sys.argv[1])
    # each port of the band is looked at once: none is given twice
    got = []
    for p in shuffled_band():
        if len(got) == want:
            break
        if unlocked(p) and bindable(p):
            got.append(p)
    if len(got) < want:
        sys.exit(f"free_ports.py: only {len(got)} of {want} ports free in 6000-9999")
    print(" ".join(map(str, got)))


if __name__ == "__main__":
    main()
