#!/usr/bin/env python3
"""test_auth.py — GET /push/auth, the token check nginx's auth_request asks
occd for in docs/nginx-nchan.conf: a valid token answers 200 with its nchan
channel in X-Occ-Channel, anything else 403. Runs under
tests/lib/with-occd.sh (OCC_URL)."""
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

from tap import check, finish

URL = os.environ["OCC_URL"]


def api(**f):
    body = urllib.parse.urlencode(f).encode()
    with urllib.request.urlopen(URL + "/coccinterfaces", body, timeout=10) as r:
        return r.read().decode().split("|Retuen|")


def auth(token):
    try:
        with urllib.request.urlopen(URL + "/push/auth?" + urllib.parse.urlencode(
                {"token": token}), timeout=10) as r:
            return r.status, r.headers.get("X-Occ-Channel")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("X-Occ-Channel")


cred = dict(orgidentity="demo", pwdtype="plaintext")
agent = api(EVENT="PushToken", usertype="agent", user="8001", password="8001", **cred)
team = api(EVENT="PushToken", type="team", usertype="account", user="admin",
           password="admin", **cred)
check(agent[1] == "1" and team[1] == "1", "tokens issued", (agent, team))
check(auth(agent[2]) == (200, "agent-demo-8001"), "agent token -> its nchan channel",
      auth(agent[2]))
check(auth(team[2]) == (200, "team-demo"), "team token -> the team channel",
      auth(team[2]))
forged = agent[2][:-1] + ("0" if agent[2][-1] != "0" else "1")
check(auth(forged)[0] == 403 and auth(forged)[1] is None, "a forged token -> 403",
      auth(forged))
check(auth("")[0] == 403, "no token -> 403", auth(""))
sys.exit(finish())
