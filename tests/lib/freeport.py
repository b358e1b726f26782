"""freeport.py — one 127.0.0.1 port for a test's server, free for both TCP
and UDP, from 6000-9999 (scripts/cluster/free_ports.py): below the
kernel's ephemeral range, where every client socket takes its local port,
so none of the clients running meanwhile (a suite's curl, PostgreSQL and
SIP connections) can take it between the pick and the server's bind, as
happened with ports picked by binding port 0.

free_port(): the port, its lock file held by this process until it exits,
so suites running side by side never get the same one (shells:
tests/lib/ports.sh's port_take)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts", "cluster"))
from free_ports import bindable, lock, shuffled_band  # noqa: E402

_held = []


def free_port():
    for p in shuffled_band():
        fd = lock(p)
        if fd is None:
            continue
        if bindable(p):
            _held.append(fd)
            return p
        os.close(fd)
    raise OSError("no free port in 6000-9999")

