#!/usr/bin/env python3
"""bench/calls/driver.py — the call-load driver of bench/calls/run.sh.

Standard library only; run with python3 -B. The /proc, sipp-statistics and
HTTP helpers and the provision, login and agents subcommands are in
bench/benchlib.py (shared with bench/mixing/driver.py). Subcommands (run.sh
calls them in this order):

  provision  clone the agent, extension and membership that occctl made for
             the first bench agent into COUNT agents (SQLite, one
             transaction; occd is not running yet)
  login      EVENT=LOGIN + EVENT=QUEUE (check-in, deviceexten = the agent's
             extension) for every agent
  ramp       calls at increasing rates; per step: failures and occd's CPU
  hold       N calls up at once; occd's CPU and RSS, memory per call
  agents     every agent must be idle (EVENT=AGENTSTATUS)
  kamailio   sipp UAC -> kamailio -> sipp UAS at increasing rates
  probe      EVENT=AGENTSTATUS of the first agent every 10 ms, on its own
             connection, until stopped: "monotonic-time stamped-ms wall-ms"
             lines to --probe-file (ramp and hold read them: the API's
             latency for a client that is not the call driver; stamped:
             up to the kernel's receive stamp of the reply, so the
             probe's own wait for a CPU shared with the load generators
             does not count; wall: up to the probe having read it)

A call: EVENT=MAKECALL for an idle agent; occd rings the agent's extension
(the phones sipp answers, its RTP reflector echoes), then dials the customer over the trunk (the
trunk sipp answers, streams audio, hangs up after the hold time). The
dialled number is 55<hold ms, 6 digits><tag><sequence>: it carries the hold
time to the trunk sipp and identifies the call in the cdr table.

A call counts as failed if any of: the API does not answer
|Retuen|1|Retuen|BackMsg_19; no CDR; CDR disposition not ANSWERED; hangup
not by the customer; talk time not within [hold - 0.2 s, hold + 3 s]; a
leg not ANSWERED; the CDR still open after the drain. Per step the sipp
failed-call counters (phones and trunk) and the dropped count of the
RTP peers (bench/tools/rtppeer.c, --echo-stats, --play-stats) must not
move. Results are JSON on
stdout (one object per step or level), progress on stderr.
"""
import argparse
import json
import os
import random
import sqlite3
import sys
import threading
import time
import wave
from collections import deque
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib  # noqa: E402
from benchlib import (HZ, Api, StampedApi, Sampler, alive, machine_busy, numbers,  # noqa: E402
                      predict, proc_rss, proc_ticks, say, sipp_stats,
                      udp_socket_drops, wait_quiet)

benchlib.TAG = "calls"


def peer_counters(path):
    """bench/tools/rtppeer.c's counters (its stats file, rewritten every
    second): received, sent, dropped, ..."""
    try:
        with open(path) as f:
            return {k: int(v) for k, v in (x.split("=") for x in f.read().split())}
    except (OSError, ValueError):
        return {}


def sipp_all(args):
    """the generators' counters: both sipps' statistics, and the RTP
    peers' (bench/tools/rtppeer.c) under "echo" and "play" (with
    --echo-stats, --play-stats)"""
    d = {name: sipp_stats(path) for name, path in
         (("phones", args.phones_stat), ("trunk", args.trunk_stat)) if path}
    for name in ("echo", "play"):
        if getattr(args, f"{name}_stats", None):
            d[name] = peer_counters(getattr(args, f"{name}_stats"))
    return d


def sipp_diff(a, b):
    d = {}
    for name in b:
        if name in ("echo", "play"):
            for k in ("received", "sent", "dropped"):
                d[f"{name}_{k}"] = b[name].get(k, 0) - a.get(name, {}).get(k, 0)
            continue
        for k in ("FailedCall(C)", "SuccessfulCall(C)", "Retransmissions(C)",
                  "OutOfCallMsgs(C)", "DeadCallMsgs(C)"):
            d[f"{name}_{k[:-3]}"] = b[name].get(k, 0) - a.get(name, {}).get(k, 0)
        d[f"{name}_current"] = b[name].get("CurrentCall", 0)
    return d


# ---- calls ----------------------------------------------------------------------------

class Load:
    """Places calls; keeps the agents in a queue ordered by when each is
    expected to be idle again (after hold + setup + reuse margin)."""

    def __init__(self, args):
        self.args = args
        self.api = Api(args.http, args.team, args.password)
        self.free = deque((n, 0.0) for n in numbers(args.first, args.count))
        self.pool = ThreadPoolExecutor(args.threads)
        self.sampler = Sampler(args)
        self.db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True, timeout=30)
        self.keep = set()

    def place(self, rate, count, hold_ms, tag):
        """count calls at rate calls/s; returns per-call records"""
        a = self.args
        calls = []
        starved = 0
        futs = []
        t0 = time.monotonic() + 0.05
        for i in range(count):
            if i % 20 == 0 and not alive(a.occd_pid):
                say("  occd is gone; no more calls in this step")
                break
            due = t0 + i / rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            agent, ready = self.free[0]
            if ready > time.monotonic():
                starved += 1            # no idle agent: the driver is the limit
                continue
            self.free.popleft()
            target = f"55{hold_ms:06d}{tag:03d}{i:05d}"
            issued = time.monotonic()
            self.free.append((agent, issued + hold_ms / 1000 + a.reuse_margin))
            rec = {"agent": agent, "target": target, "issued": issued}
            calls.append(rec)
            futs.append(self.pool.submit(self._makecall, rec))
        t_last = time.monotonic()
        for f in futs:
            f.result()
        span = max(t_last - t0, 1e-3)
        return calls, starved, (len(calls) - 1) / span if len(calls) > 1 else 0.0

    def _makecall(self, rec):
        t = time.monotonic()
        st, body = self.api.call(rec["agent"], "MAKECALL", targetdn=rec["target"],
                                 targettype="exter")
        rec["api_ms"] = (time.monotonic() - t) * 1000
        rec["api"] = body
        rec["api_ok"] = body == "|Retuen|1|Retuen|BackMsg_19"
        # occd overloaded: it refuses new calls rather than break those up
        rec["refused"] = body == "|Retuen|2|Retuen|BackMsg_20[busy]"

    def wait_ended(self, calls, hold_ms, deadline_s):
        """poll the cdr table until every placed call's CDR is closed"""
        return benchlib.wait_closed(self.db, [c["target"] for c in calls if c["api_ok"]],
                                    deadline_s, self.args.occd_pid)

    def verify(self, calls, hold_ms):
        """per-call checks against the cdr and cdr_legs tables"""
        res = {"placed": len(calls), "refused": 0, "api_fail": 0, "no_cdr": 0,
               "not_answered": 0, "not_by_customer": 0, "talk_off": 0, "leg_bad": 0,
               "open": 0}
        examples = []
        dispositions = {}
        rows = {r[0]: r for r in benchlib.query_in(
            self.db, "SELECT callee, sessionid, disposition, hangup_by, answer_ms, end_ms, "
            "recording, calldate FROM cdr WHERE callee IN ({q})", [c["target"] for c in calls])}
        legs = {}
        for sid, disp in benchlib.query_in(
                self.db, "SELECT sessionid, disposition FROM cdr_legs WHERE sessionid IN ({q})",
                [r[1] for r in rows.values()]):
            legs.setdefault(sid, []).append(disp)
        hold = hold_ms / 1000
        for c in calls:
            bad = None
            if c.get("refused"):
                res["refused"] += 1
            elif not c["api_ok"]:
                res["api_fail"] += 1
                bad = f"api: {c['api'][:60]}"
            elif c["target"] not in rows:
                res["no_cdr"] += 1
                bad = "no cdr"
            else:
                _, sid, disp, by, ans, end, rec, day = rows[c["target"]]
                dispositions[disp or "(open)"] = dispositions.get(disp or "(open)", 0) + 1
                talk = (end - ans) / 1000 if ans and end else -1
                bad = benchlib.cdr_bad(res, rows[c["target"]], "customer")
                if bad:
                    pass                # counted by cdr_bad
                elif not (hold - 0.2 <= talk <= hold + 3):
                    res["talk_off"] += 1
                    bad = f"talk {talk:.2f} s, hold {hold:.2f} s session={sid}"
                elif sorted(legs.get(sid, [])) != ["ANSWERED", "ANSWERED"]:
                    res["leg_bad"] += 1
                    bad = f"legs {legs.get(sid)} session={sid}"
                c["recording"] = (day, rec)
            if bad and len(examples) < 5:
                examples.append(f"{c['agent']} {c['target']}: {bad}")
        res["failed"] = sum(v for k, v in res.items() if k not in ("placed", "refused"))
        res["dispositions"] = dispositions
        res["examples"] = examples
        api_ms = sorted(c["api_ms"] for c in calls if "api_ms" in c)
        if api_ms:
            res["api_ms_p50"] = round(api_ms[len(api_ms) // 2], 1)
            res["api_ms_p99"] = round(api_ms[min(len(api_ms) - 1, int(len(api_ms) * 0.99))], 1)
        return res

    def check_media(self, calls, sample=8):
        """Both directions of audio went through occd: in a sample of the
        recordings (stereo, agent left, customer right) at least 90% of the
        20 ms frames are not silent on each channel (the customer's stream
        on the right, the phone's echo of it, relayed by occd, on the left),
        ignoring the first and last second (a quarter each of a call
        shorter than 4 s). Silent frames are counted per
        channel and together (a gap in the customer's stream, or one occd
        did not receive in time, silences both)."""
        recs = [c["recording"] for c in calls if c.get("recording") and c["recording"][1]]
        checked, bad, worst = 0, 0, 1.0
        silent = [0, 0, 0]      # agent, customer, both
        frames_total = 0
        for day, name in random.Random(1).sample(recs, min(sample, len(recs))):
            path = os.path.join(self.args.rec_dir, day, name)
            try:
                data = benchlib.read_stereo_wav(path)
            except (OSError, EOFError, wave.Error):
                bad += 1
                continue
            fr = 160
            n = len(data) // 4 // fr
            # skip the first and last second (a quarter of a short call)
            edge = min(8000, n * fr // 4) // fr
            lo, hi = edge, n - edge
            if hi - lo < 10:
                continue
            ok = [0, 0]
            pcm = memoryview(data).cast("h")
            for k in range(lo, hi):
                chunk = pcm[k * fr * 2:(k + 1) * fr * 2]
                heard = [max(map(abs, chunk[ch::2])) > 64 for ch in (0, 1)]
                for ch in (0, 1):
                    ok[ch] += heard[ch]
                    silent[ch] += not heard[ch]
                silent[2] += not heard[0] and not heard[1]
            frames_total += hi - lo
            frac = min(ok) / (hi - lo)
            worst = min(worst, frac)
            checked += 1
            if frac < 0.9:
                bad += 1
                self.keep.add((day, name))
        f = lambda x: round(x / frames_total, 4) if frames_total else 0
        return {"media_checked": checked, "media_bad": bad, "media_worst": round(worst, 3),
                "silent_agent": f(silent[0]), "silent_customer": f(silent[1]),
                "silent_both": f(silent[2])}

    def purge_recordings(self, calls):
        benchlib.purge_recordings(self.args.rec_dir, [c.get("recording") for c in calls],
                                  self.keep)


# ---- the API probe -------------------------------------------------------------------

# 100 a second: a step's p99 from 1,500 replies, a level's from 800 (at 20 a
# second it was a step's 3rd-worst reply and a level's 2nd-worst: the same
# build measured 0.4-3 ms at 1,000 calls up from one run to the next)
PROBE_S = 0.01

def cmd_probe(args):
    """a read request every PROBE_S whatever else happens (its own process:
    the driver's threads and GIL do not delay it)"""
    api = StampedApi(args.http, args.team, args.password)
    nxt = time.monotonic()
    with open(args.probe_file, "a", buffering=1) as out:
        while True:
            t = time.monotonic()
            _, _, stamped, wall = api.call(args.first, "AGENTSTATUS")
            if stamped is not None:
                # the kernel-stamped reply time, then the wall time
                out.write(f"{t:.4f} {stamped:.2f} {wall:.2f}\n")
            nxt += PROBE_S
            d = nxt - time.monotonic()
            if d > 0:
                time.sleep(d)
            else:
                nxt = time.monotonic()


def replies(path, t0, t1):
    """a probe file's stamped and wall times of the requests started in
    [t0, t1], each sorted"""
    ms, wall = [], []
    try:
        with open(path) as f:
            for line in f:
                col = line.split()
                if t0 <= float(col[0]) <= t1:
                    ms.append(float(col[1]))
                    wall.append(float(col[2] if len(col) > 2 else col[1]))
    except (OSError, ValueError, IndexError):
        return [], []
    return sorted(ms), sorted(wall)


def p99(v):
    return round(v[min(len(v) - 1, int(len(v) * 0.99))], 2)


def probe_stats(args, t0, t1):
    """p50 and p99 of the probe's requests started in [t0, t1] (stamped),
    the p99 of their wall times, and the floor's p99 (the same probe
    against bench/tools/httpfloor.c on occd's CPU)"""
    if not args.probe_file:
        return {}
    ms, wall = replies(args.probe_file, t0, t1)
    if not ms:
        return {}
    res = {"probe_n": len(ms), "probe_ms_p50": round(ms[len(ms) // 2], 2),
           "probe_ms_p99": p99(ms), "probe_wall_ms_p99": p99(wall)}
    floor, _ = replies(args.floor_file, t0, t1) if args.floor_file else ([], [])
    if floor:
        res.update(floor_n=len(floor), floor_ms_p99=p99(floor))
    return res


def recover(load, args, limit):
    """After a failed step: wait until occd has closed every CDR and both
    sipps have no call left. Returns the seconds it took, or None."""
    return benchlib.recover(load.db, args.occd_pid, lambda: sum(
        c.get("CurrentCall", 0) for c in sipp_all(args).values()), limit)


def store_mark(args):
    """occd's store writes so far (occ_store_write_seconds: writes and
    commits), for store_cost"""
    return benchlib.metric_hist(args.http, "occ_store_write_seconds")


def store_cost(args, m0, calls, rec):
    """the loop's time in store writes from store_mark m0 to now, per call
    placed"""
    m1 = store_mark(args)
    if m0 and m1 and calls:
        rec["store_ms_per_call"] = round((m1[0] - m0[0]) * 1000 / len(calls), 3)
        rec["store_writes_per_call"] = round((m1[1] - m0[1]) / len(calls), 1)


def finish_step(load, args, calls, hold_ms, s0, rec, m0=None):
    """drain, verify, print one JSON record; returns the failure count"""
    rec["still_open_after_drain"] = load.wait_ended(calls, hold_ms,
                                                    hold_ms / 1000 + args.reuse_margin + 15)
    store_cost(args, m0, calls, rec)
    time.sleep(1.5)                       # sipp writes its stats every second
    v = load.verify(calls, hold_ms)
    v.update(load.check_media(calls))
    d = sipp_diff(s0, sipp_all(args))
    sipp_failed = d.get("phones_FailedCall", 0) + d.get("trunk_FailedCall", 0)
    rec["occd_alive"] = alive(args.occd_pid)
    rec["sipp"] = d
    rec.update(v)
    # RTP the far ends lost: a hole in the audio, which the sampled
    # recordings may not show
    rec["peer_dropped"] = d.get("echo_dropped", 0) + d.get("play_dropped", 0)
    failed = v["failed"] + sipp_failed + v["media_bad"] + (0 if rec["occd_alive"] else 1) + \
        rec.get("extra_failures", 0) + rec["peer_dropped"]
    rec["sipp_failed"] = sipp_failed
    rec["total_failures"] = failed
    rec["recovery_s"] = 0
    load.purge_recordings(calls)
    if failed and rec["occd_alive"]:
        lim = args.media_timeout + 20
        say(f"  waiting (at most {lim:.0f} s) for occd to close every call ...")
        rec["recovery_s"] = recover(load, args, lim)
        say(f"  ... " + (f"done in {rec['recovery_s']} s" if rec["recovery_s"] is not None
                                else "NOT RECOVERED: calls still open (stuck)"))
        # every agent is idle again: forget the reuse times
        now = time.monotonic()
        load.free = deque((a, now) for a, _ in load.free)
    print(json.dumps(rec), flush=True)
    say(f"  placed {v['placed']}, refused (busy) {v['refused']}, failed {failed} (API {v['api_fail']}, "
        f"CDR {v['no_cdr'] + v['not_answered'] + v['not_by_customer'] + v['talk_off'] + v['leg_bad'] + v['open']}, "
        f"sipp {sipp_failed}, silent recordings {v['media_bad']}/{v['media_checked']}, "
        f"RTP lost by the rtppeers {rec['peer_dropped']} of "
        f"{d.get('echo_received', 0) + d.get('play_sent', 0)}); "
        f"API p99 {v.get('api_ms_p99', 0)} ms (probe {rec.get('probe_ms_p99', '?')} ms, floor {rec.get('floor_ms_p99', '?')} ms); "
        f"SIP retransmissions "
        f"{d.get('phones_Retransmissions', 0) + d.get('trunk_Retransmissions', 0)}; "
        f"store writes {rec.get('store_ms_per_call', '?')} ms per call "
        f"({rec.get('store_writes_per_call', '?')} writes)")
    for e in v["examples"]:
        say(f"    e.g. {e}")
    if not rec["occd_alive"]:
        say("  occd DIED during this step")
    return failed


def cmd_ramp(args):
    load = Load(args)
    rates = [float(r) for r in args.rates.split(",")]
    hold_ms = int(args.hold * 1000)
    best = 0
    if args.probe_file:
        # the API idle (agents logged in, no call): the reference for every step
        wait_quiet(args)
        t0 = time.monotonic()
        time.sleep(args.probe_idle)
        idle = probe_stats(args, t0, time.monotonic())
        say(f"API probe, idle: p50 {idle.get('probe_ms_p50')} ms, p99 {idle.get('probe_ms_p99')} ms "
            f"({idle.get('probe_n', 0)} requests); floor p99 {idle.get('floor_ms_p99', '?')} ms")
        print(json.dumps(dict(kind="probe_idle", **idle)), flush=True)
    for k, rate in enumerate(rates):
        if not alive(args.occd_pid):
            say("occd is not running; ramp stopped")
            break
        need = rate * (args.hold + args.reuse_margin + 1)
        if need > args.count:
            say(f"rate {rate:g}/s needs ~{need:.0f} agents, have {args.count}; ramp stopped")
            break
        count = int(round(rate * args.duration))
        wait_quiet(args)
        s0 = sipp_all(args)
        say(f"ramp step {k + 1}: {rate:g} calls/s for {args.duration:g} s "
            f"({count} calls, hold {args.hold:g} s)")
        samples = {}
        # steady state: from one hold time after the start to the last call
        timer = threading.Timer(args.hold + 1,
                                lambda: samples.__setitem__("a", load.sampler.take()))
        timer.start()
        m0 = store_mark(args)
        a0 = load.sampler.take()
        calls, starved, achieved = load.place(rate, count, hold_ms, tag=100 + k)
        a1 = load.sampler.take()
        timer.cancel()
        rss_peak = proc_rss(args.occd_pid) if alive(args.occd_pid) else 0
        steady = Sampler.delta(samples["a"], a1) if "a" in samples and \
            a1["t"] - samples["a"]["t"] > 3 else None
        st = steady or Sampler.delta(a0, a1)
        say(f"  occd CPU {st['occd_cpu']:.0%} at steady state (~{rate * args.hold:.0f} calls up), "
            f"other processes {st['other_cpu']:.0%}, drops at occd's SIP socket {st['sip_drops']}")
        rec = {"kind": "ramp", "rate": rate, "duration_s": args.duration,
               "hold_s": args.hold, "achieved_rate": round(achieved, 2),
               "starved": starved, "whole_step": Sampler.delta(a0, a1),
               "steady": steady, "rss_peak": rss_peak,
               "driver_limited": starved > 0 or achieved < 0.95 * rate}
        rec.update(probe_stats(args, a0["t"], a1["t"]))
        failed = finish_step(load, args, calls, hold_ms, s0, rec, m0)
        if rec["driver_limited"]:
            say(f"  the driver could not hold {rate:g} calls/s "
                f"(achieved {achieved:.1f}, starved {starved}); ramp stopped")
            break
        if failed:
            break
        if rec["refused"]:
            say(f"  occd refused {rec['refused']} of {len(calls)} calls (overloaded) and "
                f"every call it took succeeded; ramp stopped")
            break
        best = rate
    print(json.dumps({"kind": "ramp_result", "max_zero_failure_rate": best}), flush=True)


def cmd_hold(args):
    load = Load(args)
    levels = [int(x) for x in args.levels.split(",")]
    points = []
    k = 0
    while levels:
        n = levels.pop(0)
        if not alive(args.occd_pid):
            say("occd is not running; stopped")
            break
        if n > args.count:
            say(f"{n} calls need {n} agents, have {args.count}; stopped")
            break
        guess = predict(points, n)
        if points and guess > args.max_cpu:
            # not this level: the largest one expected under --target-cpu
            m = points[-1][0]
            while predict(points, m + 10) <= args.target_cpu:
                m += 10
            say(f"{n} calls would need ~{guess:.0%} of occd's CPU "
                f"(extrapolated); measuring {m} instead" if m > points[-1][0] else
                f"{n} calls would need ~{guess:.0%} of occd's CPU (extrapolated); stopped")
            if m <= points[-1][0]:
                break
            n, levels = m, []
        setup_s = n / args.rate
        hold = setup_s + args.settle + args.window + 3
        hold_ms = int(hold * 1000)
        if hold_ms >= 1000000:
            say("hold time too long for the dialled-number format; stopped")
            break
        while load.free and load.free[0][1] > time.monotonic():
            time.sleep(0.2)
        time.sleep(2)
        wait_quiet(args)
        rss_idle = proc_rss(args.occd_pid)
        s0 = sipp_all(args)
        say(f"hold level {k + 1}: {n} calls at {args.rate:g}/s, each held {hold:.1f} s")
        t_start = time.monotonic()
        m0 = store_mark(args)
        calls, starved, achieved = load.place(args.rate, n, hold_ms, tag=200 + k)
        time.sleep(args.settle)
        a = load.sampler.take()
        time.sleep(args.window)
        b = load.sampler.take()
        rss_n = proc_rss(args.occd_pid) if alive(args.occd_pid) else 0
        # calls up during the window: both sipps' current calls (their
        # statistics file is rewritten every second, so this is the count
        # at most a second before the window's end)
        cur = sipp_all(args)
        up = min(cur.get(x, {}).get("CurrentCall", 0) for x in ("phones", "trunk"))
        w = Sampler.delta(a, b)
        say(f"  {up}/{n} up during the window: occd CPU {w['occd_cpu']:.0%}, "
            f"other processes {w['other_cpu']:.0%}, load generators {w['gen_cpu']:.0%}; "
            f"RSS {rss_idle} -> {rss_n} B; UDP {w['udp_in_pps']} datagrams/s received; dropped: "
            f"{w['occd_drops']} at occd's sockets, {w['udp_drops']} in all; "
            f"CPU of each generator ({args.gen_pids}): "
            + ", ".join(f"{c:.0%}" for c in w["gen_each_cpu"]))
        rec = {"kind": "hold", "calls": n, "rate": args.rate, "hold_s": round(hold, 2),
               "window": w, "up": up, "predicted_cpu": round(guess, 3),
               "rss_idle": rss_idle, "rss_loaded": rss_n, "rss_base": args.rss_base,
               # against the fresh occd's idle RSS: the allocator keeps what
               # the previous (smaller) levels freed, so the RSS just before
               # this level would hide part of it
               "rss_per_call": round((rss_n - args.rss_base) / n) if rss_n else None,
               "achieved_rate": round(achieved, 2), "starved": starved,
               "extra_failures": 0 if up == n else 1}
        rec.update(probe_stats(args, a["t"], b["t"]))
        failed = finish_step(load, args, calls, hold_ms, s0, rec, m0)
        rec["seconds"] = round(time.monotonic() - t_start, 1)
        k += 1
        if failed:
            break
        points.append((n, w["occd_cpu"]))


def kam_step(args, rate, kam, child):
    """one kamailio step: a sipp UAC at rate calls/s for --duration s"""
    import subprocess
    n = int(round(rate * args.duration))
    tag = f"{rate:g}.{int(time.time())}"
    stat = os.path.join(args.dir, f"uac.{tag}.stat.csv")
    args.gen_pids, args.occd_pid = str(args.uas_pid), args.kam_pid
    wait_quiet(args)
    cmd = [
        "sipp", "-sf", "kam_uac.xml", f"127.0.0.1:{args.kam_port}", "-i", "127.0.0.1",
        "-p", str(args.uac_port), "-mp", str(args.uac_mp), "-r", f"{rate:g}", "-m", str(n),
        "-l", str(int(rate * (args.hold + 4)) + 100), "-d", str(int(args.hold * 1000)),
        "-pause_msg_ign", "-nostdin",
        "-timeout", str(int(args.duration * 3 + args.hold + 60)),
        "-trace_stat", "-fd", "1", "-stf", stat,
        "-trace_err", "-error_file", os.path.join(args.dir, f"uac.{tag}.errors.log")]
    drops = lambda: [udp_socket_drops(p) for p in (args.kam_port, args.uas_port, args.uac_port)]
    d0 = drops()
    k0, g0, b0, t0 = proc_ticks(kam()), proc_ticks([args.uas_pid]), machine_busy(), time.monotonic()
    with open(os.path.join(args.dir, f"uac.{tag}.out"), "w") as out:
        uac = subprocess.Popen(cmd, cwd=args.dir, stdout=out, stderr=subprocess.STDOUT)
        child[:] = [uac]
        # CPU while the calls are being placed (the rate is on)
        time.sleep(max(1.0, args.duration - 1))
        k1, g1, b1, t1 = (proc_ticks(kam()), proc_ticks([args.uas_pid, uac.pid]),
                          machine_busy(), time.monotonic())
        # a step is over when every call is: a call still open well after
        # its hold time has failed (sipp would wait up to 32 s per lost
        # transaction); stop there instead of waiting
        try:
            rc = uac.wait(timeout=max(0.0, t0 + args.duration + args.hold + 5 - time.monotonic()))
        except subprocess.TimeoutExpired:
            uac.terminate()
            try:
                uac.wait(timeout=5)
            except subprocess.TimeoutExpired:
                uac.kill()
                uac.wait()
            rc = -1
    t2 = time.monotonic()
    d1 = drops()
    row = sipp_stats(stat)
    span = t1 - t0
    kcpu = (k1 - k0) / HZ / span
    gcpu = (g1 - g0) / HZ / span
    other = max(0, (b1 - b0) - (k1 - k0) - (g1 - g0)) / HZ / span
    # every call placed and ended in about the intended time
    on_time = rc != -1
    ok = row.get("SuccessfulCall(C)", 0)
    failed = row.get("FailedCall(C)", 0)
    rec = {"kind": "kamailio", "rate": rate, "calls": n, "rc": rc, "ok": ok,
           "failed": failed, "retrans": row.get("Retransmissions(C)", 0),
           "kam_cpu": round(kcpu, 3), "gen_cpu": round(gcpu, 3),
           "other_cpu": round(other, 3), "seconds": round(t2 - t0, 1),
           "created": row.get("TotalCallCreated", 0), "current": row.get("CurrentCall", 0),
           # UDP datagrams the kernel dropped at kamailio's, the UAS's and
           # the UAC's socket (receive buffer full)
           "drops_kamailio": d1[0] - d0[0], "drops_uas": d1[1] - d0[1],
           "drops_uac": d1[2] - d0[2],
           "on_time": on_time, "kam_alive": alive(args.kam_pid)}
    good = rc == 0 and failed == 0 and ok == n and on_time and rec["kam_alive"]
    rec["pass"] = good
    say(f"  kamailio {rate:g} calls/s: {ok}/{n} calls ok, {failed} failed"
        + ("" if on_time else f", {rec['current']} still open {args.hold + 5:g} s after the "
           "last was placed (stopped)")
        + f", {rec['retrans']} retransmissions; kamailio CPU {kcpu:.0%}, sipp CPU {gcpu:.0%}, "
        f"other processes {other:.0%}; {t2 - t0:.1f} s; UDP drops at kamailio/UAS/UAC "
        f"{rec['drops_kamailio']}/{rec['drops_uas']}/{rec['drops_uac']}")
    return rec


def cmd_kamailio(args):
    """sipp UAC -> kamailio -> sipp UAS at each rate; stops at the first
    step with a failed call, a missing call or one placed late"""
    import signal
    import subprocess
    child = []

    def stop(signum, frame):
        for c in child:
            c.terminate()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    kam = lambda: [args.kam_pid] + [int(x) for x in subprocess.run(
        ["pgrep", "-P", str(args.kam_pid)], capture_output=True, text=True).stdout.split()]
    best = 0
    for rate in [float(r) for r in args.rates.split(",")]:
        for attempt in (1, 2):
            rec = kam_step(args, rate, kam, child)
            # a failure while other processes were busy is run once more
            if rec["pass"] or rec["other_cpu"] <= 0.1 or attempt == 2:
                break
            say(f"  (other processes used {rec['other_cpu']:.0%} of a CPU: running it again)")
        print(json.dumps(rec), flush=True)
        if not rec["pass"]:
            break
        best = rate
    print(json.dumps({"kind": "kamailio_result", "max_zero_failure_rate": best}), flush=True)


def add_load_args(p):
    """the options of ramp and hold (bench/cluster/driver.py's too)"""
    benchlib.add_common_args(p)
    p.add_argument("--sink-port", type=int, default=0)
    p.add_argument("--phones-stat")
    p.add_argument("--echo-stats", help="the phones' bench/tools/rtppeer.c stats file")
    p.add_argument("--play-stats", help="the customers' bench/tools/rtppeer.c stats file")
    p.add_argument("--rates", default="5,10,20,40,80")
    p.add_argument("--duration", type=float, default=30)
    p.add_argument("--hold", type=float, default=10)
    p.add_argument("--reuse-margin", type=float, default=3)
    p.add_argument("--threads", type=int, default=16)
    p.add_argument("--levels", default="100,250,500")
    p.add_argument("--rate", type=float, default=50)
    p.add_argument("--window", type=float, default=10)
    p.add_argument("--max-cpu", type=float, default=0.95)
    p.add_argument("--target-cpu", type=float, default=0.8)
    p.add_argument("--probe-file")
    p.add_argument("--floor-file")
    p.add_argument("--probe-idle", type=float, default=10)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("cmd", choices=("provision", "login", "ramp", "hold", "agents", "kamailio",
                                   "probe"))
    add_load_args(p)
    p.add_argument("--kam-pid", type=int)
    p.add_argument("--uas-pid", type=int)
    p.add_argument("--kam-port", type=int)
    p.add_argument("--uac-port", type=int)
    p.add_argument("--uas-port", type=int)
    p.add_argument("--uac-mp", type=int)
    p.add_argument("--dir")
    args = p.parse_args()
    if args.cmd in ("provision", "login", "agents"):
        getattr(benchlib, "cmd_" + args.cmd)(args)
    else:
        globals()["cmd_" + args.cmd](args)


if __name__ == "__main__":
    main()
