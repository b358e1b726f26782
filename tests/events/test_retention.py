#!/usr/bin/env python3
"""test_retention.py — the event log is pruned (src/events/retention.c).

occd (ASan build, --demo, [events] retention_days = 7). In order:

  1. events in team demo, whose event_url points at a receiver that is
     down (nothing delivered, the webhook cursor stays at 0), and in team
     acme, which has no event_url; occd stops;
  2. 2,500 more events are written for acme (more than one chunk of the
     pruner), every stored event is made 40 days old (sqlite3 on the
     stopped occd's store) and occd starts again: within ~15 s acme keeps
     only its newest event (eventids go on from it), demo keeps every
     event — its backend has not received them;
  3. the receiver comes up: it gets every demo event 1..max, none lost;
  4. stopped, aged again, started: now demo keeps only its newest, and the
     next event in demo is max+1, never a reused eventid;
  5. retention_days = 0 keeps everything: nothing pruned after a restart;
  6. no sanitizer report.
Output is TAP. Everything it starts is killed on exit.
"""
import os
import shutil
import sqlite3
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import ok  # noqa: E402

DAY_MS = 86400 * 1000
CONFIG = """
[events]
retention_days = 7
webhook_retry_min = 1
webhook_retry_max = 1
[log]
level = info
"""


def make_events(occd, rounds=3):
    """Check-ins and check-outs with pushevent=yes: agent events in demo
    (8001) and in acme (9001)."""
    replies = []
    for _ in range(rounds):
        for team, agent, group, exten in (("demo", "8001", "1", "8101"),
                                          ("acme", "9001", "3", "9101")):
            for kind in ("1", "2"):
                replies.append(occd.api(agent, "QUEUE", type=kind,
                                        list=group, deviceexten=exten,
                                        pushevent="yes", orgidentity=team,
                                        password=agent))
    return all(r.startswith("|Retuen|1|") for r in replies), replies


def age_all(occd, days):
    db = sqlite3.connect(os.path.join(occd.data, "occ.db"), timeout=5)
    with db:
        db.execute("UPDATE events SET ts_ms = ts_ms - ?", (days * DAY_MS,))
    db.close()


def add_old_events(occd, team, n):
    db = sqlite3.connect(os.path.join(occd.data, "occ.db"), timeout=5)
    with db:
        tid, last = db.execute(
            "SELECT t.id, max(e.eventid) FROM teams t JOIN events e"
            " ON e.team_id = t.id WHERE t.name = ?", (team,)).fetchone()
        db.executemany(
            "INSERT INTO events (team_id, eventid, ts_ms, text)"
            " VALUES (?, ?, 0, 'event=padding')",
            [(tid, last + i) for i in range(1, n + 1)])
    db.close()


def ids(occd, team):
    return [e[0] for e in occd.events(team)]


def pruned(occd, since, team):
    return f"events pruned team={team}" in occd.log_text()[since:]


def main():
    work = tempfile.mkdtemp(prefix="occ-retention.")
    keep = os.environ.get("KEEP") == "1"
    occd = lib.Occd(work, CONFIG)
    rx = lib.Receiver(work, "rx")
    try:
        occd.start()
        rc, out = occd.team_set("event_url", rx.url())
        ok(rc == 0, "demo's event_url points at a receiver that is down", out)
        good, replies = make_events(occd)
        ok(good, "check-ins and check-outs in demo and acme", replies)
        demo_ids, acme_ids = ids(occd, "demo"), ids(occd, "acme")
        ok(len(demo_ids) >= 6 and len(acme_ids) >= 6,
           f"events stored: demo {len(demo_ids)}, acme {len(acme_ids)}")
        ok(occd.stop() == 0, "occd stops")

        add_old_events(occd, "acme", 2500)
        acme_ids = ids(occd, "acme")
        age_all(occd, 40)
        mark = len(occd.log_text())
        occd.start()
        got = lib.wait_until(lambda: pruned(occd, mark, "acme"), 20)
        ok(got and ids(occd, "acme") == acme_ids[-1:] and
           f"events pruned team=acme n={len(acme_ids) - 1}"
           in occd.log_text()[mark:],
           f"aged 40 days: acme keeps only its newest event "
           f"({len(acme_ids) - 1} pruned, in chunks)",
           f"acme {ids(occd, 'acme')[:5]}\n" + occd.log_text()[mark:])
        ok(ids(occd, "demo") == demo_ids,
           "demo keeps every event its backend has not received",
           f"demo {ids(occd, 'demo')}")

        rx.start()
        got = lib.wait_until(
            lambda: sorted(set(rx.eventids())) == demo_ids, 20)
        ok(got, f"the receiver gets every demo event 1..{demo_ids[-1]}",
           f"received {rx.eventids()}")
        ok(occd.stop() == 0, "occd stops")

        age_all(occd, 40)
        mark = len(occd.log_text())
        occd.start()
        got = lib.wait_until(lambda: pruned(occd, mark, "demo"), 20)
        ok(got and ids(occd, "demo") == demo_ids[-1:],
           "delivered and aged: demo keeps only its newest event",
           f"demo {ids(occd, 'demo')}")
        good, replies = make_events(occd, rounds=1)
        ok(good and ids(occd, "demo")[:2] == [demo_ids[-1],
                                              demo_ids[-1] + 1],
           "the next event in demo is the next eventid, none reused",
           f"demo {ids(occd, 'demo')}")
        got = lib.wait_until(
            lambda: max(rx.eventids()) == ids(occd, "demo")[-1], 20)
        ok(got, "and the receiver gets the new ones", rx.eventids())
        ok(occd.stop() == 0, "occd stops")

        with open(occd.conf, "w") as f:
            f.write(CONFIG.replace("retention_days = 7",
                                   "retention_days = 0"))
        before = ids(occd, "demo"), ids(occd, "acme")
        age_all(occd, 400)
        mark = len(occd.log_text())
        occd.start()
        lib.wait_until(lambda: False, 8)   # past the first pass (5 s)
        ok((ids(occd, "demo"), ids(occd, "acme")) == before and
           "events pruned" not in occd.log_text()[mark:],
           "retention_days = 0: nothing pruned", f"{before}")
        lib.stops_clean(occd)
    except Exception as e:  # a crash of the harness is a failure
        lib.harness_failed(e)
    finally:
        rx.stop()
        if lib.failed or keep:
            print(f"# work directory kept: {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)
    lib.finish()


if __name__ == "__main__":
    main()
