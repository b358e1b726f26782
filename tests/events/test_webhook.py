#!/usr/bin/env python3
"""test_webhook.py — backend event POST (src/events/webhook.c) end to end.

occd (ASan build, --demo) with short retry settings and a python receiver
(receiver.py). In order:

  1. agents 8001-8006 check in on the built-in phones 8101-8106 (events
     with pushevent=yes) while the team has no event_url; setting it with
     occctl (SIGHUP, no restart) delivers that backlog;
  2. load: every agent places calls to the virtual customer and hangs up
     after a random time, continuously; meanwhile the receiver (20 ms a
     request) is down for 10 s (connections refused) and then back, and
     while the backlog drains occd is killed with SIGKILL and restarted on
     the same data directory;
  3. after the load: the receiver has every eventid 1..max of team demo
     (max from the store), in POST order, with only immediate re-sends
     (the event in flight at a failure or at the kill), each body the
     stored message field for field, form-urlencoded, with its headers;
  4. event_url changed to a second receiver takes effect without restart;
     cleared, nothing is sent; set again, the backlog follows;
  5. a receiver that takes a POST and does not answer within
     webhook_timeout: the POST is sent again after the timeout, and a
     receiver answering on that address then gets every event from there,
     in order;
  6. occd stops cleanly on SIGTERM without sanitizer reports.
Output is TAP. Everything it starts is killed on exit.
"""
import os
import random
import shutil
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import ok, note  # noqa: E402

AGENTS = [str(8001 + i) for i in range(6)]
CONFIG = """
[events]
webhook_retry_min = 1
webhook_retry_max = 2
webhook_timeout = 3
[log]
level = info
"""


def check_in(occd):
    # 8001-8003 are in group 1 (Sales), 8004-8006 in group 2 (Support)
    replies = [occd.api(a, "QUEUE", type="1",
                        list="1" if a <= "8003" else "2",
                        deviceexten=str(int(a) + 100), pushevent="yes")
               for a in AGENTS]
    return all("|1|" in r for r in replies), replies


class Load:
    """One thread per agent: call, wait 0.2-2.5 s, hang up, again."""

    def __init__(self, occd):
        self.occd = occd
        self.stop_ev = threading.Event()
        self.calls = 0
        self.threads = [threading.Thread(target=self.run, args=(a,),
                                         daemon=True) for a in AGENTS]

    def run(self, agent):
        rnd = random.Random(int(agent))
        while not self.stop_ev.is_set():
            r = self.occd.api(agent, "MAKECALL", targetdn="13800138000",
                              targettype="exter")
            if r.startswith("|Retuen|1|"):
                self.calls += 1
            self.stop_ev.wait(rnd.uniform(0.2, 2.5))
            self.occd.api(agent, "HANGUP", target="all")
            self.stop_ev.wait(0.2)

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stop_ev.set()
        for t in self.threads:
            t.join(10)


def sequence_ok(ids):
    """POST order: each eventid is the previous one or the next one."""
    bad = [(i, ids[i - 1], ids[i]) for i in range(1, len(ids))
           if ids[i] not in (ids[i - 1], ids[i - 1] + 1)]
    return not bad and (not ids or ids[0] == 1), bad[:10]


def bodies_match(records, stored):
    """Every POST carries the stored message of its eventid, field for
    field, with the documented headers."""
    by_id = {e[0]: e[3] for e in stored}
    problems = []
    for r in records:
        f = lib.form(r["body"])
        eid = int(f.get("eventid", "0"))
        want = lib.message(by_id.get(eid, ""))
        if f != want:
            problems.append(f"eventid {eid}: got {f} want {want}")
        if r["ctype"] != "application/x-www-form-urlencoded":
            problems.append(f"eventid {eid}: content type {r['ctype']}")
        if r["eventid_hdr"] != str(eid) or r["team_hdr"] != "demo":
            problems.append(f"eventid {eid}: headers {r['eventid_hdr']} "
                            f"{r['team_hdr']}")
    return problems[:10]


def main():
    work = tempfile.mkdtemp(prefix="occ-events-wh.")
    keep = os.environ.get("KEEP") == "1"
    occd = lib.Occd(work, CONFIG)
    # r1 takes 20 ms a request: the backlog left by its outage then takes
    # a few seconds to drain, and the SIGKILL hits a POST in flight
    r1 = lib.Receiver(work, "r1", extra=["--delay", "0.02"])
    r2 = lib.Receiver(work, "r2")
    try:
        r1.start()
        occd.start()

        # 1. events before any address, then the address: the backlog
        good, replies = check_in(occd)
        ok(good, "agents 8001-8006 checked in on 8101-8106", replies)
        time.sleep(1.0)
        ok(not r1.records(), "no event_url: nothing is POSTed")
        rc, out = occd.team_set("event_url", r1.url())
        ok(rc == 0, "occctl team set demo event_url URL", out)
        backlog = occd.last_eventid()
        got = lib.wait_until(
            lambda: set(range(1, backlog + 1)) <= set(r1.eventids()), 10)
        ok(backlog >= 6 and got,
           f"the backlog (eventids 1..{backlog}) is delivered once the "
           "address is set, without a restart", r1.eventids())

        # 2. load, with the receiver down for 10 s and a SIGKILL
        load = Load(occd)
        load.start()
        time.sleep(3)
        r1.stop()
        down_at = occd.last_eventid()
        note(f"receiver stopped at eventid {down_at}")
        time.sleep(10)
        r1.start()
        note(f"receiver back at eventid {occd.last_eventid()}")
        ok(occd.last_eventid() > down_at + 10,
           "events kept coming while the receiver was down",
           f"{down_at} -> {occd.last_eventid()}")
        got = lib.wait_until(
            lambda: max(r1.eventids() or [0]) > down_at, 10)
        ok(got, "delivery resumes after the receiver is back (backoff)",
           f"receiver max {max(r1.eventids() or [0])}, down at {down_at}")
        time.sleep(2)
        before_kill = occd.last_eventid()
        occd.kill9()
        note(f"occd killed (SIGKILL) at eventid {before_kill}; "
             f"receiver had {max(r1.eventids() or [0])}")
        occd.start()
        ok(True, "occd restarted on the same data directory")
        time.sleep(6)
        load.stop()
        for a in AGENTS:
            occd.api(a, "HANGUP", target="all")
        note(f"{load.calls} calls placed")
        # calls end, then the outbox drains
        last = lib.wait_until(lambda: _settled(occd), 15)
        final = occd.last_eventid()
        got = lib.wait_until(
            lambda: set(range(1, final + 1)) <= set(r1.eventids()), 20)
        ids = r1.eventids()
        note(f"max eventid {final}, {len(ids)} POSTs received, "
             f"{len(ids) - len(set(ids))} duplicates")
        ok(last and final > before_kill, "more events after the restart",
           f"{before_kill} -> {final}")
        ok(final >= 150, f"a real load: {final} events", final)
        ok(got, f"every eventid 1..{final} of team demo was received",
           f"missing: {sorted(set(range(1, final + 1)) - set(ids))[:20]}")
        ok(sorted(set(ids)) == list(range(1, final + 1)),
           "after dedup by eventid: each exactly once, nothing else",
           f"extra: {sorted(set(ids) - set(range(1, final + 1)))[:20]}")
        good, bad = sequence_ok(ids)
        ok(good, "in POST order, with only re-sends of the event in flight",
           bad)
        ok(len(ids) - len(set(ids)) <= 12,
           "few duplicates (at most the events in flight at failures)",
           len(ids) - len(set(ids)))
        stored = occd.events()
        problems = bodies_match(r1.records(), stored)
        ok(not problems, "each POST body is the stored event, form-urlencoded"
           " field for field, with Content-Type and X-Occ-* headers",
           "\n".join(problems))
        log = occd.log_text()
        ok("event POST failed" in log and "delivering again" in log,
           "occd logged the outage and the recovery")

        # 4. a second receiver, without restart; then clear and set again
        r2.start()
        rc, out = occd.team_set("event_url", r2.url())
        ok(rc == 0, "event_url changed to a second receiver", out)
        switch = occd.last_eventid()
        occd.api("8001", "MAKECALL", targetdn="13900139000",
                 targettype="exter")
        time.sleep(2.5)
        occd.api("8001", "HANGUP", target="all")
        lib.wait_until(lambda: _settled(occd), 10)
        final2 = occd.last_eventid()
        got = lib.wait_until(
            lambda: set(range(switch + 1, final2 + 1)) <= set(r2.eventids()),
            10)
        ok(got and final2 > switch,
           f"the new events ({switch + 1}..{final2}) go to the second "
           "receiver", r2.eventids())
        ok(max(r1.eventids()) <= switch,
           "the first receiver gets nothing after the change",
           f"{max(r1.eventids())} > {switch}")

        rc, out = occd.team_set("event_url", "")
        ok(rc == 0, "event_url cleared", out)
        n2 = len(r2.records())
        occd.api("8002", "MAKECALL", targetdn="13900139001",
                 targettype="exter")
        time.sleep(1.5)
        occd.api("8002", "HANGUP", target="all")
        lib.wait_until(lambda: _settled(occd), 10)
        final3 = occd.last_eventid()
        time.sleep(1.0)
        ok(final3 > final2 and len(r2.records()) == n2,
           "no event_url: the new events are not sent",
           f"{final2} -> {final3}, {n2} -> {len(r2.records())}")
        rc, out = occd.team_set("event_url", r2.url())
        got = lib.wait_until(
            lambda: set(range(final2 + 1, final3 + 1)) <= set(r2.eventids()),
            10)
        ok(rc == 0 and got,
           "set again: the events of the gap follow (none lost)",
           r2.eventids()[-20:])
        ids2 = r2.eventids()
        ok(sequence_ok([i - switch for i in ids2])[0],
           "the second receiver's POSTs are in order too", ids2)

        # 5. a receiver that takes the POST and never answers in time: occd
        # gives up after webhook_timeout (3 s), sends it again, and once a
        # receiver answers again the events follow, none lost or reordered
        r3 = lib.Receiver(work, "r3", extra=["--delay", "8"])
        r3.start()
        rc, out = occd.team_set("event_url", r3.url())
        hang_from = occd.last_eventid()
        occd.api("8003", "QUEUE", type="2", list="", pushevent="yes")
        got = lib.wait_until(lambda: r3.eventids().count(hang_from + 1) >= 2, 15)
        times = [r["t"] for r in r3.records()
                 if int(lib.form(r["body"]).get("eventid", "0")) == hang_from + 1]
        ok(rc == 0 and got and times[1] - times[0] >= 3,
           "a receiver that does not answer: the POST times out after "
           "webhook_timeout (3 s) and is sent again",
           f"POSTs of {hang_from + 1} at {times}")
        ok(f"eventid={hang_from + 1} " in occd.log_text() and
           "why=timeout" in occd.log_text(),
           "occd logged the timeout (event POST failed ... why=timeout)")
        r3.stop()
        r4 = lib.Receiver(work, "r4", port=r3.port)
        r4.start()
        occd.api("8003", "QUEUE", type="1", list="1", deviceexten="8103",
                 pushevent="yes")
        lib.wait_until(lambda: _settled(occd), 10)
        final4 = occd.last_eventid()
        got = lib.wait_until(
            lambda: set(range(hang_from + 1, final4 + 1)) <= set(r4.eventids()),
            15)
        ids4 = r4.eventids()
        ok(got and final4 > hang_from + 1 and
           sequence_ok([i - hang_from for i in ids4])[0],
           "a receiver answering again on that address gets every event "
           "from the one that timed out on, in order", ids4)
        r4.stop()

        # 6. clean stop
        lib.stops_clean(occd)
    except Exception as e:  # a crash of the harness is a failure
        lib.harness_failed(e)
    finally:
        r1.stop()
        r2.stop()
        if occd.p and occd.p.poll() is None:
            lib.stop(occd.p)
        if lib.failed or keep:
            note(f"work directory kept: {work}")
            if lib.failed:
                note("---- occd log (last 30 lines) ----")
                note("\n".join(occd.log_text().splitlines()[-30:]))
        else:
            shutil.rmtree(work, ignore_errors=True)
    lib.finish()


def _settled(occd):
    """No new event for a second: the calls are over."""
    a = occd.last_eventid()
    time.sleep(1.0)
    return occd.last_eventid() == a


if __name__ == "__main__":
    main()
