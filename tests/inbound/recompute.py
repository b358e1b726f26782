#!/usr/bin/env python3
"""recompute.py DB now AGENT... | day AGENT... — the statistics the
operations answer, recomputed from occd's CDRs alone (read-only), for
tests/inbound/stats.sh to compare.

now: the calls in progress (end_ms 0).
  queue Q total|ringing|waiting|talking   for each queue of today's CDRs,
  queue all ...                           and all of them: an inbound call
      in Q is talking once an agent answered it, ringing while an agent leg
      rings, waiting otherwise (queueCustomerNum)
  busy A,B    agents of answered calls;  ringing A,B  agent legs ringing
  group A,B checked-in|idle|ringing|paused|busy|acw   for the checked-in
      agents AGENT... (groupStatusNum; none of them paused: the test says)
day: today's figures (local midnight on) of each AGENT (its phone is its
  own extension):
  stat A total_calls in_answered out_answered talk_ms pauses
      total_calls: agent legs on A's phone (each offer, each makeCall);
      answered: calls of that direction A answered (out: the customer
      did); talk_ms: answer to end of those; pauses: inbound offers to A
      that went unanswered (the queue pauses the agent: autopause)
"""
import datetime
import sqlite3
import sys

db, what, agents = sys.argv[1], sys.argv[2], sys.argv[3:]
c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
day0 = int(datetime.datetime.now().replace(hour=0, minute=0, second=0,
                                           microsecond=0).timestamp() * 1000)
q = lambda sql, *a: c.execute(sql, a).fetchall()

if what == "now":
    ringing_legs = """EXISTS (SELECT 1 FROM cdr_legs l WHERE l.sessionid =
        cdr.sessionid AND l.role = 'agent' AND l.answer_ms = 0
        AND l.end_ms = 0)"""
    queues = [r[0] for r in q("SELECT DISTINCT queue FROM cdr WHERE queue <> ''"
                              " AND start_ms >= ? ORDER BY queue", day0)]
    tot = [0, 0, 0, 0]
    for qu in queues:
        talking, = q("SELECT count(*) FROM cdr WHERE end_ms = 0 AND"
                     " direction = 'in' AND queue = ? AND answer_ms > 0", qu)[0]
        ringing, = q(f"SELECT count(*) FROM cdr WHERE end_ms = 0 AND"
                     f" direction = 'in' AND queue = ? AND answer_ms = 0 AND"
                     f" {ringing_legs}", qu)[0]
        waiting, = q(f"SELECT count(*) FROM cdr WHERE end_ms = 0 AND"
                     f" direction = 'in' AND queue = ? AND answer_ms = 0 AND"
                     f" NOT {ringing_legs}", qu)[0]
        n = [talking + ringing + waiting, ringing, waiting, talking]
        tot = [a + b for a, b in zip(tot, n)]
        print(f"queue {qu} " + "|".join(map(str, n)))
    print("queue all " + "|".join(map(str, tot)))
    busy = {r[0] for r in q("SELECT agent FROM cdr WHERE end_ms = 0 AND"
                            " answer_ms > 0 AND agent <> ''")}
    ringing = {r[0] for r in q("SELECT l.peer FROM cdr_legs l JOIN cdr USING"
                               " (sessionid) WHERE cdr.end_ms = 0 AND"
                               " l.role = 'agent' AND l.answer_ms = 0 AND"
                               " l.end_ms = 0")}
    print("busy " + ",".join(sorted(busy)))
    print("ringing " + ",".join(sorted(ringing)))
    nb = len(busy & set(agents))
    nr = len((ringing - busy) & set(agents))
    print(f"group {','.join(agents)} {len(agents)}|{len(agents) - nb - nr}"
          f"|{nr}|0|{nb}|0")
elif what == "day":
    for a in agents:
        total, = q("SELECT count(*) FROM cdr_legs l JOIN cdr USING (sessionid)"
                   " WHERE l.role = 'agent' AND l.peer = ? AND"
                   " cdr.start_ms >= ?", a, day0)[0]
        ans = {d: q("SELECT count(*), coalesce(sum(end_ms - answer_ms), 0)"
                    " FROM cdr WHERE agent = ? AND direction = ? AND"
                    " answer_ms > 0 AND start_ms >= ?", a, d, day0)[0]
               for d in ("in", "out")}
        pauses, = q("SELECT count(*) FROM cdr_legs l JOIN cdr USING (sessionid)"
                    " WHERE l.role = 'agent' AND l.peer = ? AND"
                    " cdr.direction = 'in' AND l.disposition = 'NO ANSWER'"
                    " AND cdr.start_ms >= ?", a, day0)[0]
        print(f"stat {a} {total} {ans['in'][0]} {ans['out'][0]}"
              f" {ans['in'][1] + ans['out'][1]} {pauses}")
else:
    sys.exit("usage: recompute.py DB now|day AGENT...")
