#!/usr/bin/env python3
"""test_nchan_stall.py — an nchan publisher that takes each POST and does
not answer (a stalled nginx): occd ([push] nchan_timeout = 1, one
connection, a queue of 16) gives each publish up after the timeout, drops
what does not fit its queue, counts both in /metrics and logs it, while
the API answers at once and every event stays in the event log (nchan is
fan-out, not the durable path); once the publisher answers again, new
events are published. The publisher is tests/events/receiver.py (--delay
8: it reads the POST, then sleeps). Output is TAP."""
import os
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import ok, note  # noqa: E402


NCHAN = 'occ_nchan_messages_total{result="'


def metrics(occd):
    """occ_nchan_messages_total by result"""
    return {k[len(NCHAN):-2]: v for k, v in occd.metrics().items()
            if k.startswith(NCHAN)}


def main():
    work = tempfile.mkdtemp(prefix="occ-nchan-stall.")
    pub = lib.Receiver(work, "pub", extra=["--delay", "8"])
    occd = lib.Occd(work, f"""
[push]
nchan_publish_url = http://127.0.0.1:{pub.port}/pub
nchan_timeout = 1
nchan_connections = 1
nchan_queue = 16
""")
    try:
        pub.start()
        occd.start()
        slow = 0
        first = occd.last_eventid()
        for i in range(20):      # 20 events, each on two channels
            t0 = time.monotonic()
            r = occd.api("8001", "QUEUE", type="1" if i % 2 == 0 else "2", list="",
                         pushevent="yes")
            slow += time.monotonic() - t0 > 0.5 or "|1|" not in r
        ok(slow == 0, "the API answers at once while nchan stalls", f"{slow} slow or failed")
        last = occd.last_eventid()
        ok(last - first >= 20, f"every event is in the event log ({first + 1}..{last})",
           last - first)
        got = lib.wait_until(lambda: metrics(occd).get("failed", 0) >= 2 and
                             metrics(occd).get("dropped", 0) >= 1, 10)
        m = metrics(occd)
        ok(got, "publishes time out (failed) and what does not fit the queue is "
           "dropped, both counted in /metrics", m)
        ok(got and "nchan publishing degraded" in occd.log_text(),
           "occd logs that nchan publishing is degraded")
        pub.stop()
        pub2 = lib.Receiver(work, "pub2", port=pub.port)
        pub2.start()
        # what is still queued drains; then a new event is published
        lib.wait_until(lambda: sum(metrics(occd).values()) >= 2 * (last - first), 30)
        before = metrics(occd).get("published", 0)
        r = occd.api("8001", "QUEUE", type="1", list="", pushevent="yes")
        got = lib.wait_until(lambda: metrics(occd).get("published", 0) >= before + 2, 10)
        ok(got and "|1|" in r and any("event=login" in r["body"] for r in pub2.records()),
           "the publisher answering again: new events are published on both channels",
           (metrics(occd), len(pub2.records())))
        pub2.stop()
        lib.stops_clean(occd)
    except Exception as e:  # a crash of the harness is a failure
        lib.harness_failed(e)
    finally:
        pub.stop()
        if occd.p and occd.p.poll() is None:
            lib.stop(occd.p)
        if lib.failed or os.environ.get("KEEP"):
            note(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    lib.finish()


if __name__ == "__main__":
    main()
