#!/usr/bin/env python3
"""test_limits.py — [push] max_per_channel and max_per_team (this suite's
config: 2 and 3): a channel's third stream and a team's fourth are refused
with 503, and a closed stream gives its place back (to its channel and to
its team). Runs under tests/lib/with-occd.sh --config (OCC_URL)."""
import os
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from tap import check, finish

URL = os.environ["OCC_URL"]
HOST, PORT = urllib.parse.urlsplit(URL).hostname, urllib.parse.urlsplit(URL).port
cred = dict(orgidentity="demo", pwdtype="plaintext")


def api(**f):
    body = urllib.parse.urlencode(f).encode()
    with urllib.request.urlopen(URL + "/coccinterfaces", body, timeout=10) as r:
        return r.read().decode().split("|Retuen|")


def token(agent):
    r = api(EVENT="PushToken", usertype="agent", user=agent, password=agent, **cred)
    return urllib.parse.quote(r[2]) if r[1] == "1" else None


def stream(tok):
    """opens /push/sse; returns (socket, HTTP status of its head)"""
    s = socket.create_connection((HOST, PORT), timeout=10)
    s.sendall(f"GET /push/sse?token={tok} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    head = b""
    end = time.monotonic() + 5
    while b"\r\n" not in head and time.monotonic() < end:
        d = s.recv(4096)
        if not d:
            break
        head += d
    parts = head.split(b" ", 2)
    return s, int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def opened(tok, want, what):
    s, code = stream(tok)
    check(code == want, what, code)
    return s


a, b, c = token("8001"), token("8002"), token("8003")
check(a and b and c, "agent tokens issued")
a1 = opened(a, 200, "8001's first stream")
a2 = opened(a, 200, "8001's second stream")
a3 = opened(a, 503, "8001's third stream: 503 (max_per_channel 2)")
a3.close()
b1 = opened(b, 200, "8002's stream (the team's third)")
c1 = opened(c, 503, "8003's stream: 503 (max_per_team 3)")
c1.close()
a1.close()
# the server notices the close at its next read or write of the stream
ok = False
end = time.monotonic() + 5
while not ok and time.monotonic() < end:
    s, code = stream(c)
    ok = code == 200
    if not ok:
        s.close()
        time.sleep(0.2)
check(ok, "8001's closed stream gave its place to 8003")
s2, code = stream(a)
check(code == 503, "the team is full again: 8001's new stream 503", code)
for x in (a2, b1, s, s2):
    x.close()
sys.exit(finish())
