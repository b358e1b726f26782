#!/usr/bin/env python3
"""test_wait.py — how long the long-polls wait for an event, under an occd
started with [push] poll_wait = 1 and pull_wait = 2 (tests/push/run.sh):
  - /push/poll?token=&last=N with nothing new: answered after ~1 s with
    {"last":N,"events":[]}, the cursor unchanged; an event during the wait
    answers it at once;
  - the original extension's pull (/agentindesks/agentpull/<org>-<agent>-
    <md5>, and the push-stream one named by the token): 304 Not Modified
    after ~2 s with its Etag as sent, and asked again with the 304's
    headers it gets the event that came between; an event during the wait
    answers it at once (200);
  - a pull refused for a wrong password is held 3 s before its 403, every
    time (the extension polls again at once; its password is checked off
    the loop, and that reply was once sent at once); a client that gives up
    within those 3 s leaves nothing behind: occd goes on serving.
Runs under tests/lib/with-occd.sh (OCC_URL)."""
import hashlib
import json
import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from tap import check, finish

URL = os.environ["OCC_URL"]
HOST, PORT = urllib.parse.urlsplit(URL).hostname, urllib.parse.urlsplit(URL).port
cred = dict(orgidentity="demo", pwdtype="plaintext", usertype="agent",
            user="8001", password="8001")


def api(**f):
    body = urllib.parse.urlencode(f).encode()
    with urllib.request.urlopen(URL + "/coccinterfaces", body, timeout=10) as r:
        return r.read().decode().split("|Retuen|")


def get(path, headers=None, timeout=15):
    """status, headers, body and the seconds it took"""
    t0 = time.monotonic()
    req = urllib.request.Request(URL + path, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read().decode(), time.monotonic() - t0
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode(), time.monotonic() - t0


turn = ["2"]


def event_soon(delay):
    """8001 checks in, or out (pushevent=yes: an event on its channel,
    login or logoff), in delay s"""
    turn[0] = "1" if turn[0] == "2" else "2"
    kind = turn[0]

    def run():
        time.sleep(delay)
        api(EVENT="QUEUE", type=kind, list="", pushevent="yes", **cred)
    t = threading.Thread(target=run)
    t.start()
    return t


tok = api(EVENT="PushToken", type="agent", **cred)
check(tok[1] == "1", "8001's push token issued", tok)
tq = urllib.parse.quote(tok[2])

# ---- /push/poll: [push] poll_wait = 1 --------------------------------------
st, _, body, _ = get(f"/push/poll?token={tq}")
last = json.loads(body)["last"] if st == 200 else None
check(st == 200 and isinstance(last, int), "a poll without last= learns the cursor at once", (st, body))
st, _, body, took = get(f"/push/poll?token={tq}&last={last}")
check(st == 200 and json.loads(body) == {"last": last, "events": []} and 0.8 <= took <= 2.5,
      f"nothing new: answered empty with the same cursor after poll_wait (1 s; took {took:.2f} s)",
      (st, body, took))
t = event_soon(0.3)
st, _, body, took = get(f"/push/poll?token={tq}&last={last}")
t.join()
ev = json.loads(body)["events"] if st == 200 else []
check(st == 200 and len(ev) == 1 and "event=login" in ev[0]["message"] and took < 0.9,
      f"an event during the wait answers it at once (took {took:.2f} s)", (st, body))
last = json.loads(body)["last"] if st == 200 else last

# ---- the extension's pull: [push] pull_wait = 2 -----------------------------
md5 = hashlib.md5(b"8001").hexdigest()
since = "Tue, 08 Dec 2026 00:00:00 GMT"
for name, chan in (("the extension's (org-agent-md5)", f"demo-8001-{md5}"),
                   ("push-stream's (the token)", tq)):
    hdrs = {"If-None-Match": str(last), "If-Modified-Since": since}
    st, h, body, took = get(f"/agentindesks/agentpull/{chan}", hdrs)
    check(st == 304 and body == "" and h.get("Etag") == str(last) and 1.7 <= took <= 3.5,
          f"pull {name}: nothing new: 304 after pull_wait (2 s; took {took:.2f} s), Etag as sent",
          (st, dict(h), body, took))
    # it asks again with what the 304 said: an event meanwhile is not lost
    hdrs = {"If-None-Match": h.get("Etag", ""), "If-Modified-Since": h.get("Last-Modified", "")}
    event_soon(0).join()
    st, h, body, took = get(f"/agentindesks/agentpull/{chan}", hdrs)
    check(st == 200 and "event" in body and took < 1 and int(h.get("Etag", "0")) > last,
          f"pull {name}: asked again with the 304's headers, it gets the event that came between",
          (st, body, dict(h)))
    last = int(h.get("Etag", last))
    hdrs = {"If-None-Match": str(last), "If-Modified-Since": since}
    t = event_soon(0.3)
    st, h, body, took = get(f"/agentindesks/agentpull/{chan}", hdrs)
    t.join()
    check(st == 200 and "event" in body and took < 1.5 and int(h.get("Etag", "0")) > last,
          f"pull {name}: an event during the wait answers it at once with the next Etag (took {took:.2f} s)",
          (st, body, dict(h)))
    last = int(h.get("Etag", last))

# ---- a refused pull is held; a client gone meanwhile ------------------------
bad = hashlib.md5(b"wrong").hexdigest()
st, _, _, took = get(f"/agentindesks/agentpull/demo-8001-{bad}")
check(st == 403 and 2.5 <= took <= 5,
      f"a wrong password: 403 after 3 s, though checked off the loop (took {took:.2f} s)", (st, took))
st, _, _, took = get(f"/agentindesks/agentpull/demo-8001-{bad}")
check(st == 403 and 2.5 <= took <= 5, f"... and again: the extension cannot loop (took {took:.2f} s)", (st, took))
socks = []
for _ in range(5):
    s = socket.create_connection((HOST, PORT), timeout=5)
    s.sendall(f"GET /agentindesks/agentpull/demo-8001-{bad} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    socks.append(s)
time.sleep(0.5)
for s in socks:
    s.close()
time.sleep(3)
st, _, body, _ = get(f"/push/poll?token={tq}")
check(st == 200, "five refused pulls closed by their clients while held: occd goes on serving", (st, body))
sys.exit(finish())
