#!/usr/bin/env python3
"""test_revoke.py — a push token dies with its credential (issue 9, item
11): after `occctl agent passwd` or `occctl account disable`, the tokens
issued before are refused with 403 on /push/sse, /push/poll, the
push-stream pull path and /push/auth (nchan), and the streams and polls
open with them are closed within seconds, while other tokens go on.
Runs under tests/lib/with-occd.sh (OCC_URL, OCC_DATA, OCC_LOG)."""
import http.client
import os
import subprocess
import sys
import threading
import time
import urllib.parse

from tap import check, finish

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OCCCTL = os.environ.get("OCCCTL", os.path.join(ROOT, "build/asan/occctl"))
U = urllib.parse.urlsplit(os.environ["OCC_URL"])
CLOSE_WITHIN = 10      # seconds for an open stream to be cut


def get(path, timeout=10):
    c = http.client.HTTPConnection(U.hostname, U.port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        c.close()


def api(**f):
    c = http.client.HTTPConnection(U.hostname, U.port, timeout=10)
    try:
        c.request("POST", "/coccinterfaces", urllib.parse.urlencode(f),
                  {"Content-Type": "application/x-www-form-urlencoded"})
        return c.getresponse().read().decode().split("|Retuen|")
    finally:
        c.close()


def token(user, password=None, usertype="agent", type_="", org="demo"):
    r = api(EVENT="PushToken", orgidentity=org, usertype=usertype, user=user,
            pwdtype="plaintext", password=password or user, type=type_)
    return r[2] if len(r) > 2 and r[1] == "1" else None


def paths(tok):
    q = urllib.parse.quote(tok)
    return {"/push/sse": "/push/sse?token=" + q,
            "/push/poll": "/push/poll?token=" + q,
            "push-stream pull": "/agentindesks/agentpull/" + q,
            "/push/auth (nchan)": "/push/auth?token=" + q}


def status_of(path):
    """The status line's code; a stream that answers 200 is not read, and
    a long-poll that waits is "waiting"."""
    c = http.client.HTTPConnection(U.hostname, U.port, timeout=5)
    try:
        c.request("GET", path)
        return c.getresponse().status
    except TimeoutError:
        return "waiting"
    finally:
        c.close()


def cursor(tok):
    """The newest eventid of the token's channel: a poll with last= it
    waits."""
    import json
    st, body = get(paths(tok)["/push/poll"])
    return json.loads(body)["last"] if st == 200 else 0


class Held(threading.Thread):
    """A request kept open (an SSE stream or a waiting poll): when and how
    it ended."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.status, self.ended = path, None, None
        self.conn = http.client.HTTPConnection(U.hostname, U.port, timeout=60)
        self.start()

    def run(self):
        try:
            self.conn.request("GET", self.path)
            r = self.conn.getresponse()
            self.status = r.status
            while r.readline():
                pass
        except Exception:  # noqa: BLE001 - a cut stream may end either way
            pass
        self.ended = time.monotonic()

    def close(self):
        self.conn.close()


def occctl(*args):
    reloads = open(os.environ["OCC_LOG"], errors="replace").read().count("provisioning reloaded")
    r = subprocess.run([OCCCTL, "--data", os.environ["OCC_DATA"]] + list(args),
                       capture_output=True, text=True, timeout=30)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        if open(os.environ["OCC_LOG"], errors="replace").read().count("provisioning reloaded") > reloads:
            break
        time.sleep(0.1)
    return r.returncode, r.stdout + r.stderr


def wait_ended(held, seconds):
    held.join(seconds)
    return held.ended is not None


def revoked(what, change, dead, alive):
    """Open streams with dead and alive tokens, make the change, check."""
    streams = {name: Held(paths(t)["/push/sse"]) for name, t in dead + alive}
    polls = {name: Held(paths(t)["/push/poll"] + "&last=%d" % cursor(t)) for name, t in dead}
    time.sleep(1)
    t0 = time.monotonic()
    rc, out = occctl(*change)
    check(rc == 0, what + ": occctl " + " ".join(change), out)
    for name, t in dead:
        check(wait_ended(streams[name], CLOSE_WITHIN),
              f"{what}: the open SSE stream of {name} is closed within {CLOSE_WITHIN} s")
        check(wait_ended(polls[name], CLOSE_WITHIN) and polls[name].status == 403,
              f"{what}: the waiting poll of {name} is answered 403 within {CLOSE_WITHIN} s",
              f"status {polls[name].status}")
        for pname, p in paths(t).items():
            st = status_of(p)
            check(st == 403, f"{what}: {name}'s token is refused on {pname}", f"status {st}")
    for name, t in alive:
        ended = streams[name].ended
        check(ended is None, f"{what}: the stream of {name} stays open",
              "ended %.1f s after the change" % (ended - t0) if ended else "")
        check(status_of(paths(t)["/push/auth (nchan)"]) == 200, f"{what}: {name}'s token still works")
    for h in list(streams.values()) + list(polls.values()):
        h.close()


def main():
    tok_8002 = token("8002")
    tok_8001 = token("8001")
    tok_lead = token("8004", type_="team")
    tok_admin = token("admin", usertype="account", type_="team")
    tok_acme = token("9001", org="acme")
    check(all((tok_8002, tok_8001, tok_lead, tok_admin, tok_acme)), "tokens issued",
          (tok_8002, tok_8001, tok_lead, tok_admin, tok_acme))
    for t in (tok_8002, tok_admin):
        st = status_of(paths(t)["/push/auth (nchan)"])
        check(st == 200, "a fresh token is accepted", f"status {st}")

    revoked("password change of 8002", ("agent", "passwd", "demo", "8002", "n3w-8002"),
            dead=[("agent 8002", tok_8002)],
            alive=[("agent 8001", tok_8001), ("account admin", tok_admin)])
    fresh = token("8002", "n3w-8002")
    check(fresh and status_of(paths(fresh)["/push/auth (nchan)"]) == 200,
          "a token taken with the new password works", fresh)

    revoked("account admin disabled", ("account", "disable", "demo", "admin"),
            dead=[("account admin", tok_admin), ("leader 8004 (team channel)", tok_lead),
                  ("agent 8001 (of account admin)", tok_8001)],
            alive=[("acme agent 9001", tok_acme)])
    return finish()


if __name__ == "__main__":
    sys.exit(main())
