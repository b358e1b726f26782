#!/usr/bin/env python3
"""events_check.py DB SESSIONID NUMBER AGENT_EXTEN MANUAL_FILE

Compares the events occd stored for one outbound makeCall with the cocc
manual's outbound example (API.md 6.3, events 1-7): the same sequence of
(source, event); in every event the manual's field names in the manual's
order, followed only by occ's additions userdata and eventid; and values
that mean what the manual's do (same sessionid throughout; calleridnum the
dialled number; activenum the source party's number; uniqueid the leg's,
0 for CONVERSATION; channel empty exactly where the manual's is; eventTime
YYYY-MM-DD hh:mm:ss; calltype/from dialout). Prints TAP lines."""
import re
import sqlite3
import sys

db, sid, number, exten, manual = sys.argv[1:6]
n = failed = 0


def check(cond, name, detail=""):
    global n, failed
    n += 1
    failed += 0 if cond else 1
    print(("ok" if cond else "not ok") + f" {n} - events: {name}" +
          ("" if cond else f": {detail}"))


def parse(text):
    pairs = [kv.split("=", 1) for kv in text.split("&") if kv]
    return [k for k, _ in pairs], dict(pairs), text.endswith("&")


examples = [parse(l.strip()) for l in open(manual) if l.strip() and not l.startswith("#")]
rows = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute(
    "SELECT eventid, text FROM events WHERE text LIKE ? ORDER BY eventid",
    (f"%sessionid={sid}&%",)).fetchall()
ours = [parse(t) for _, t in rows]

seq = [(v["source"], v["event"]) for _, v, _ in ours]
want = [(v["source"], v["event"]) for _, v, _ in examples]
check(seq == want, "the manual's outbound sequence", f"{seq} vs {want}")
ids = [e for e, _ in rows]
check(ids == list(range(ids[0], ids[0] + len(ids))) if ids else False,
      "consecutive eventids", ids)

for i, ((keys, v, trail), (mkeys, mv, _)) in enumerate(zip(ours, examples)):
    tag = f"{v.get('source')} {v.get('event')}"
    check(keys[:len(mkeys)] == mkeys and keys[len(mkeys):] == ["userdata", "eventid"],
          f"{tag}: field names in the manual's order (+ userdata, eventid)", keys)
    check(trail, f"{tag}: trailing &")
    check(v["sessionid"] == sid and re.fullmatch(r"[0-9a-f]{32}", sid) is not None,
          f"{tag}: sessionid", v["sessionid"])
    check(v["calleridnum"] == number, f"{tag}: calleridnum is the dialled number",
          v["calleridnum"])
    want_active = exten if v["source"] in ("AGENT", "CONVERSATION") else number
    check(v["activenum"] == want_active, f"{tag}: activenum is the party's number",
          v["activenum"])
    check(v["didnumber"] == "" and v["calltype"] == "dialout" and v["from"] == "dialout",
          f"{tag}: didnumber empty, calltype and from dialout")
    check(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", v["eventTime"]) is not None,
          f"{tag}: eventTime", v["eventTime"])
    check(v["AgentTeamId"].isdigit() and v["AgentGroupId"] == "1",
          f"{tag}: AgentTeamId, AgentGroupId", (v["AgentTeamId"], v["AgentGroupId"]))
    manual_empty = mv["channel"].strip() == ""
    check((v["channel"] == "") == manual_empty and
          (manual_empty or v["channel"].startswith("SIP/")),
          f"{tag}: channel {'empty' if manual_empty else 'the leg'}s as in the manual",
          v["channel"])
    if v["source"] == "CONVERSATION":
        check(v["uniqueid"] == "0", f"{tag}: uniqueid 0", v["uniqueid"])
uid = {}
for _, v, _ in ours:
    uid.setdefault(v["source"], set()).add(v["uniqueid"])
check(len(uid.get("AGENT", ())) == 1 and len(uid.get("CALLEE", ())) == 1 and
      uid["AGENT"] != uid["CALLEE"], "one uniqueid per leg, the legs' differ", uid)
print(f"# {n - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
