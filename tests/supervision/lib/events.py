#!/usr/bin/env python3
"""events.py — the call events occd stored (DIR/occ.db), python3 stdlib.

  events.py DB SESSIONID
      the session's events, one a line, in eventid order:
      "source event uniqueid activenum channel agent1" ("-" for empty).
  events.py DB SESSIONID --role ROLE
      per leg of that role (cdr_legs, in uniqueid order) one entry
      "PEER:EVENT(ACTIVENUM),EVENT(ACTIVENUM),...;" — the events stored
      with that leg's uniqueid, in eventid order.
"""
import sqlite3
import sys

db, sid = sys.argv[1:3]
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
rows = con.execute("SELECT text, agent1 FROM events WHERE text LIKE ? ORDER BY eventid",
                   (f"%sessionid={sid}&%",)).fetchall()
evs = []
for text, agent1 in rows:
    v = dict(kv.split("=", 1) for kv in text.split("&") if "=" in kv)
    v["agent1"] = agent1
    evs.append(v)

if len(sys.argv) > 4 and sys.argv[3] == "--role":
    out = ""
    for uid, peer in con.execute(
            "SELECT uniqueid, peer FROM cdr_legs WHERE sessionid = ? AND role = ? "
            "ORDER BY uniqueid", (sid, sys.argv[4])):
        out += peer + ":" + ",".join(
            f'{v.get("event")}({v.get("activenum")})' for v in evs
            if v.get("uniqueid") == str(uid)) + ";"
    print(out)
else:
    for v in evs:
        print(" ".join(v.get(k) or "-" for k in
                       ("source", "event", "uniqueid", "activenum", "channel", "agent1")))
