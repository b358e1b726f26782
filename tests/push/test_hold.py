#!/usr/bin/env python3
"""test_hold.py — /push/sse?hold=MS: the stream's events wait up to MS ms
and go out together (the wallboard's stream), the same frames as a stream
without it. Two team streams, one with hold=1000, one without; agent 8001
checks in and out three times with pushevent=yes: the plain stream has
each event as it happens, the held one all of them in one read, no sooner
than 1 s after the first, and both the same frames. hold beyond 1000 or
not a number: 400. Runs under tests/lib/with-occd.sh (OCC_URL)."""
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


def api(**f):
    body = urllib.parse.urlencode(f).encode()
    with urllib.request.urlopen(URL + "/coccinterfaces", body, timeout=10) as r:
        return r.read().decode().split("|Retuen|")


def status(path):
    try:
        with urllib.request.urlopen(URL + path, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


class Stream:
    """a raw SSE stream: every read with the time it came"""

    def __init__(self, query):
        self.s = socket.create_connection((HOST, PORT), timeout=10)
        self.s.sendall(f"GET /push/sse?{query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        self.buf = b""
        self.reads = []

    def until(self, pred, secs):
        end = time.monotonic() + secs
        while not pred(self.buf) and time.monotonic() < end:
            self.s.settimeout(max(0.01, end - time.monotonic()))
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                break
            if not d:
                break
            self.reads.append((time.monotonic(), d))
            self.buf += d
        return pred(self.buf)

    def frames(self):
        """the data: lines of the events (not the cursor)"""
        return [ln for ln in self.buf.decode().split("\n")
                if ln.startswith("data: ") and "event=" in ln]


cred = dict(orgidentity="demo", pwdtype="plaintext")
team = api(EVENT="PushToken", type="team", usertype="account", user="admin",
           password="admin", **cred)
check(team[1] == "1", "team token issued", team)
tok = urllib.parse.quote(team[2])
check(status(f"/push/sse?hold=1001&token={tok}") == 400, "hold=1001: 400")
check(status(f"/push/sse?hold=x&token={tok}") == 400, "hold=x: 400")

plain, held = Stream(f"token={tok}"), Stream(f"hold=1000&token={tok}")
check(plain.until(lambda b: b"event: cursor" in b, 5) and
      held.until(lambda b: b"event: cursor" in b, 5), "both streams opened")
n0 = len(held.reads)
t0 = time.monotonic()
replies = [api(EVENT="QUEUE", type=t, list="", usertype="agent", user="8001",
               password="8001", pushevent="yes", **cred)[1] for t in ("1", "2") * 3]
t1 = time.monotonic()
check(replies == ["1"] * 6, "8001 checked in and out three times", replies)
enough = lambda b: b.decode().count("event=logoff") >= 3
check(plain.until(enough, 5) and held.until(enough, 5), "both streams have the events")
first_plain = next(t for t, d in plain.reads if b"event=login" in d)
held_reads = [(t, d) for t, d in held.reads[n0:] if b"event=" in d]
check(first_plain - t0 < 1.0, "the plain stream has the first event at once",
      round(first_plain - t0, 3))
if t1 - t0 < 0.9:   # all six answered within the hold: one send
    check(len(held_reads) == 1, "the held stream has them in one read", len(held_reads))
else:
    check(True, f"# the calls took {t1 - t0:.2f} s: the one read not checked")
check(held_reads and held_reads[0][0] - t0 >= 1.0,
      "the held stream's first event comes no sooner than 1 s after it",
      held_reads and round(held_reads[0][0] - t0, 3))
check(held.frames() == plain.frames() and len(plain.frames()) >= 6,
      "the same frames on both streams", (plain.frames()[:3], held.frames()[:3]))
sys.exit(finish())
