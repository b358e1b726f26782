#!/usr/bin/env python3
"""bench/calls/driver.py — the call-load driver of bench/calls/run.sh.

Standard library only. Subcommands (run.sh calls them in this order):

  provision  clone the agent, extension and membership that occctl made for
             the first bench agent into COUNT agents (SQLite, one
             transaction; occd is not running yet)
  login      EVENT=LOGIN + EVENT=QUEUE (check-in, deviceexten = the agent's
             extension) for every agent
  ramp       calls at increasing rates; per step: failures and occd's CPU
  hold       N calls up at once; occd's CPU and RSS, memory per call
  agents     every agent must be idle (EVENT=AGENTSTATUS)
  kamailio   sipp UAC -> kamailio -> sipp UAS at increasing rates

A call: EVENT=MAKECALL for an idle agent; occd rings the agent's extension
(the phones sipp answers), then dials the customer over the trunk (the
trunk sipp answers, streams audio, hangs up after the hold time). The
dialled number is 55<hold ms, 6 digits><tag><sequence>: it carries the hold
time to the trunk sipp and identifies the call in the cdr table.

A call counts as failed if any of: the API does not answer
|Retuen|1|Retuen|BackMsg_19; no CDR; CDR disposition not ANSWERED; hangup
not by the customer; talk time not within [hold - 0.2 s, hold + 3 s]; a
leg not ANSWERED; the CDR still open after the drain. Per step the sipp
failed-call counters (phones and trunk) must not move. Results are JSON on
stdout (one object per step or level), progress on stderr.
"""
import argparse
import hashlib
import http.client
import json
import math
import os
import random
import re
import sqlite3
import sys
import threading
import time
import urllib.parse
import wave
from collections import deque
from concurrent.futures import ThreadPoolExecutor

HZ = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def say(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def numbers(first, count):
    return [str(first + i) for i in range(count)]


# ---- /proc ----------------------------------------------------------------

def proc_ticks(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])   # utime + stime
        except (OSError, IndexError, ValueError):
            pass
    return total


def proc_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def cpu_busy(cpu):
    """busy ticks (user+nice+system+irq+softirq) of one CPU"""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith(f"cpu{cpu} "):
                v = [int(x) for x in line.split()[1:]]
                return v[0] + v[1] + v[2] + v[5] + v[6]
    return 0


def udp_counters():
    with open("/proc/net/snmp") as f:
        rows = [l.split() for l in f if l.startswith("Udp:")]
    kv = dict(zip(rows[0][1:], map(int, rows[1][1:])))
    return kv.get("InDatagrams", 0), kv.get("RcvbufErrors", 0)


def udp_socket_drops(port):
    """drops counted on the UDP sockets bound to a local port"""
    n = 0
    try:
        with open("/proc/net/udp") as f:
            next(f)
            for line in f:
                p = line.split()
                if int(p[1].split(":")[1], 16) == port:
                    n += int(p[-1])
    except (OSError, ValueError, IndexError):
        pass
    return n


def udp_drops_of(pid):
    """drops counted on the UDP sockets a process has open now"""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    except OSError:
        return 0
    n = 0
    try:
        with open("/proc/net/udp") as f:
            next(f)
            for line in f:
                p = line.split()
                if p[9] in inodes:
                    n += int(p[-1])
    except (OSError, IndexError, ValueError):
        pass
    return n


def machine_busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[0] + v[1] + v[2] + v[5] + v[6]


class Sampler:
    """CPU (occd process, load generators, the server CPU), UDP counters"""

    def __init__(self, args):
        self.occd = args.occd_pid
        self.gen = [int(p) for p in args.gen_pids.split(",") if p]
        self.srv_cpu = args.server_cpu
        self.sink = args.sink_port
        self.sip = args.sip or 0

    def take(self):
        udp_in, udp_drop = udp_counters()
        return {"t": time.monotonic(), "occd": proc_ticks([self.occd]),
                "gen": proc_ticks(self.gen + [os.getpid()]),
                "srv": cpu_busy(self.srv_cpu) if self.srv_cpu >= 0 else 0,
                "all": machine_busy(),
                "udp_in": udp_in, "udp_drop": udp_drop,
                "sink_drop": udp_socket_drops(self.sink) if self.sink else 0,
                "sip_drop": udp_socket_drops(self.sip) if self.sip else 0,
                "occd_drop": udp_drops_of(self.occd)}

    @staticmethod
    def delta(a, b):
        dt = b["t"] - a["t"]
        occd = b["occd"] - a["occd"]
        gen = b["gen"] - a["gen"]
        sink = b["sink_drop"] - a["sink_drop"]
        return {"seconds": round(dt, 2),
                "occd_cpu": round(occd / HZ / dt, 3),
                "gen_cpu": round(gen / HZ / dt, 3),
                "server_cpu_busy": round((b["srv"] - a["srv"]) / HZ / dt, 3),
                # everything else on the machine (kernel softirq work for
                # our packets included, other people's processes too)
                "other_cpu": round(max(0, b["all"] - a["all"] - occd - gen) / HZ / dt, 3),
                "udp_in_pps": round((b["udp_in"] - a["udp_in"]) / dt),
                "udp_sink_drops": sink,
                "sip_drops": b["sip_drop"] - a["sip_drop"],
                # at occd's own sockets (those open at both samples)
                "occd_drops": max(0, b["occd_drop"] - a["occd_drop"]),
                "udp_drops": max(0, b["udp_drop"] - a["udp_drop"] - sink)}


# ---- sipp statistics (-trace_stat CSV, cumulative columns) ------------------

SIPP_KEYS = ("TotalCallCreated", "CurrentCall", "SuccessfulCall(C)",
             "FailedCall(C)", "Retransmissions(C)", "OutOfCallMsgs(C)",
             "DeadCallMsgs(C)", "FailedUnexpectedMessage(C)",
             "FailedMaxUDPRetrans(C)", "FailedRegexpDoesntMatch(C)")


def sipp_stats(path):
    try:
        with open(path) as f:
            lines = [l for l in f.read().splitlines() if l.strip()]
    except OSError:
        return {}
    if len(lines) < 2:
        return {}
    hdr = lines[0].rstrip(";").split(";")
    val = lines[-1].rstrip(";").split(";")
    row = dict(zip(hdr, val))
    out = {}
    for k in SIPP_KEYS:
        try:
            out[k] = int(row.get(k, "0"))
        except ValueError:
            out[k] = 0
    return out


def sipp_all(args):
    return {name: sipp_stats(path) for name, path in
            (("phones", args.phones_stat), ("trunk", args.trunk_stat)) if path}


def sipp_diff(a, b):
    d = {}
    for name in b:
        for k in ("FailedCall(C)", "SuccessfulCall(C)", "Retransmissions(C)",
                  "OutOfCallMsgs(C)", "DeadCallMsgs(C)"):
            d[f"{name}_{k[:-3]}"] = b[name].get(k, 0) - a.get(name, {}).get(k, 0)
        d[f"{name}_current"] = b[name].get("CurrentCall", 0)
    return d


# ---- HTTP API ---------------------------------------------------------------

class Api:
    """one keep-alive connection per thread"""

    def __init__(self, port, team, password):
        self.port, self.team, self.password = port, team, password
        self.local = threading.local()

    def call(self, agent, event, **params):
        body = urllib.parse.urlencode(dict(
            EVENT=event, orgidentity=self.team, usertype="agent", user=agent,
            pwdtype="plaintext", password=self.password, **params))
        for attempt in (1, 2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=30)
            try:
                conn.request("POST", "/coccinterfaces", body, {
                    "Content-Type": "application/x-www-form-urlencoded"})
                r = conn.getresponse()
                return r.status, r.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    return 0, f"{type(e).__name__}: {e}"
        return 0, "unreachable"


# ---- provision ----------------------------------------------------------------

def cmd_provision(args):
    db = sqlite3.connect(args.db, timeout=30)
    db.execute("PRAGMA foreign_keys = ON")
    (tid,) = db.execute("SELECT id FROM teams WHERE name = ?", (args.team,)).fetchone()
    first = str(args.first)
    agent = db.execute("SELECT id, pwhash FROM agents WHERE team_id = ? AND number = ?",
                       (tid, first)).fetchone()
    ext = db.execute("SELECT ha1, kind FROM extensions WHERE team_id = ? AND number = ?",
                     (tid, first)).fetchone()
    mb = db.execute("SELECT group_id, dynamic, leader, checked_in, acw_mode, work_mode "
                    "FROM members WHERE agent_id = ?", (agent[0],)).fetchone()
    if not (agent and ext and mb):
        sys.exit("provision: occctl did not create the first agent, extension, membership")
    # the digest HA1 occctl stores must be what we compute, or every
    # cloned extension would refuse its REGISTER
    ha1 = lambda n: hashlib.md5(f"{n}:{args.team}:{args.secret}".encode()).hexdigest()
    if ext[0] != ha1(first):
        sys.exit("provision: occctl's HA1 is not MD5(exten:team:secret); not cloning")
    if mb[4] != 3:
        sys.exit(f"provision: the bench group has acw_mode {mb[4]}, want 3 (off)")
    rest = numbers(args.first + 1, args.count - 1)
    with db:
        db.executemany("INSERT INTO agents (team_id, number, name, pwhash, exten) "
                       "VALUES (?, ?, ?, ?, ?)",
                       ((tid, n, f"Bench {n}", agent[1], n) for n in rest))
        db.executemany("INSERT INTO extensions (team_id, number, ha1, kind) VALUES (?, ?, ?, ?)",
                       ((tid, n, ha1(n), ext[1]) for n in rest))
        ids = dict(db.execute("SELECT number, id FROM agents WHERE team_id = ?", (tid,)))
        db.executemany("INSERT INTO members (group_id, agent_id, dynamic, leader, checked_in, "
                       "acw_mode, work_mode) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       ((mb[0], ids[n]) + tuple(mb[1:]) for n in rest))
    (na,) = db.execute("SELECT count(*) FROM agents WHERE team_id = ?", (tid,)).fetchone()
    (ne,) = db.execute("SELECT count(*) FROM extensions WHERE team_id = ?", (tid,)).fetchone()
    db.close()
    if na != args.count or ne != args.count:
        sys.exit(f"provision: {na} agents, {ne} extensions; want {args.count}")
    say(f"calls: provisioned {args.count} agents and extensions {args.first}..{args.first + args.count - 1}")


# ---- login ------------------------------------------------------------------------

def cmd_login(args):
    api = Api(args.http, args.team, args.password)
    bad = []

    def one(n):
        st, body = api.call(n, "LOGIN")
        if not body.startswith("|Retuen|1|Retuen|BackMsg_04|"):
            return (n, "LOGIN", body[:80])
        st, body = api.call(n, "QUEUE", type="1", list=str(args.group), deviceexten=n)
        if body != f"|Retuen|1|Retuen|{args.group}:success":
            return (n, "QUEUE", body[:80])
        return None

    t0 = time.monotonic()
    with ThreadPoolExecutor(8) as ex:
        for r in ex.map(one, numbers(args.first, args.count)):
            if r:
                bad.append(r)
    say(f"calls: {args.count - len(bad)} agents logged in and checked in "
        f"({time.monotonic() - t0:.1f} s)")
    if bad:
        sys.exit(f"login: {len(bad)} failed, e.g. {bad[:3]}")


def cmd_agents(args):
    api = Api(args.http, args.team, args.password)
    with ThreadPoolExecutor(8) as ex:
        res = list(ex.map(lambda n: (n, api.call(n, "AGENTSTATUS")[1]),
                          numbers(args.first, args.count)))
    notidle = [(n, b) for n, b in res
               if not re.fullmatch(r"\|Retuen\|1\|Retuen\|BackMsg_43\|Retuen\|\d+-idle,", b)]
    print(json.dumps({"agents": len(res), "not_idle": len(notidle),
                      "examples": notidle[:5]}))


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
                say("calls:   occd is gone; no more calls in this step")
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

    def wait_ended(self, calls, hold_ms, deadline_s):
        """poll the cdr table until every placed call's CDR is closed"""
        targets = [c["target"] for c in calls if c["api_ok"]]
        end = time.monotonic() + deadline_s
        while True:
            open_ = self.count_open(targets)
            if open_ == 0 or time.monotonic() > end or not alive(self.args.occd_pid):
                return open_
            time.sleep(0.5)

    def count_open(self, targets):
        n = 0
        for i in range(0, len(targets), 500):
            chunk = targets[i:i + 500]
            q = ",".join("?" * len(chunk))
            got = self.db.execute(f"SELECT count(*) FROM cdr WHERE callee IN ({q}) "
                                  "AND end_ms > 0", chunk).fetchone()[0]
            n += len(chunk) - got
        return n

    def verify(self, calls, hold_ms):
        """per-call checks against the cdr and cdr_legs tables"""
        res = {"placed": len(calls), "api_fail": 0, "no_cdr": 0, "not_answered": 0,
               "not_by_customer": 0, "talk_off": 0, "leg_bad": 0, "open": 0}
        examples = []
        dispositions = {}
        rows = {}
        targets = [c["target"] for c in calls]
        for i in range(0, len(targets), 500):
            chunk = targets[i:i + 500]
            q = ",".join("?" * len(chunk))
            for r in self.db.execute(
                    "SELECT callee, sessionid, disposition, hangup_by, answer_ms, end_ms, "
                    f"recording, calldate FROM cdr WHERE callee IN ({q})", chunk):
                rows[r[0]] = r
        legs = {}
        sids = [r[1] for r in rows.values()]
        for i in range(0, len(sids), 500):
            chunk = sids[i:i + 500]
            q = ",".join("?" * len(chunk))
            for sid, disp in self.db.execute(
                    f"SELECT sessionid, disposition FROM cdr_legs WHERE sessionid IN ({q})",
                    chunk):
                legs.setdefault(sid, []).append(disp)
        hold = hold_ms / 1000
        for c in calls:
            bad = None
            if not c["api_ok"]:
                res["api_fail"] += 1
                bad = f"api: {c['api'][:60]}"
            elif c["target"] not in rows:
                res["no_cdr"] += 1
                bad = "no cdr"
            else:
                _, sid, disp, by, ans, end, rec, day = rows[c["target"]]
                dispositions[disp or "(open)"] = dispositions.get(disp or "(open)", 0) + 1
                talk = (end - ans) / 1000 if ans and end else -1
                if not end:
                    res["open"] += 1
                    bad = f"cdr open session={sid}"
                elif disp != "ANSWERED":
                    res["not_answered"] += 1
                    bad = f"disposition {disp} session={sid}"
                elif by != "customer":
                    res["not_by_customer"] += 1
                    bad = f"hangup_by {by} session={sid}"
                elif not (hold - 0.2 <= talk <= hold + 3):
                    res["talk_off"] += 1
                    bad = f"talk {talk:.2f} s, hold {hold:.2f} s session={sid}"
                elif sorted(legs.get(sid, [])) != ["ANSWERED", "ANSWERED"]:
                    res["leg_bad"] += 1
                    bad = f"legs {legs.get(sid)} session={sid}"
                c["recording"] = (day, rec)
            if bad and len(examples) < 5:
                examples.append(f"{c['agent']} {c['target']}: {bad}")
        res["failed"] = sum(v for k, v in res.items() if k != "placed")
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
        ignoring the first and last second. Silent frames are counted per
        channel and together (a gap in the customer's stream, or one occd
        did not receive in time, silences both)."""
        recs = [c["recording"] for c in calls if c.get("recording") and c["recording"][1]]
        checked, bad, worst = 0, 0, 1.0
        silent = [0, 0, 0]      # agent, customer, both
        frames_total = 0
        for day, name in random.Random(1).sample(recs, min(sample, len(recs))):
            path = os.path.join(self.args.rec_dir, day, name)
            try:
                with wave.open(path) as w:
                    if w.getnchannels() != 2 or w.getsampwidth() != 2:
                        bad += 1
                        continue
                    data = w.readframes(w.getnframes())
            except (OSError, EOFError, wave.Error):
                bad += 1
                continue
            fr = 160
            n = len(data) // 4 // fr
            lo, hi = 8000 // fr, n - 8000 // fr
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
                self.keep.add(name)
        f = lambda x: round(x / frames_total, 4) if frames_total else 0
        return {"media_checked": checked, "media_bad": bad, "media_worst": round(worst, 3),
                "silent_agent": f(silent[0]), "silent_customer": f(silent[1]),
                "silent_both": f(silent[2])}

    def purge_recordings(self, calls):
        """the recordings take 32 kB/s per call: delete them, except those
        that failed the media check (evidence)"""
        for c in calls:
            rec = c.get("recording")
            if rec and rec[1] and rec[1] not in self.keep:
                try:
                    os.unlink(os.path.join(self.args.rec_dir, rec[0], rec[1]))
                except OSError:
                    pass


def wait_quiet(args):
    """before a measurement, wait (until --wait-quiet-until, shared by the
    whole run) until other processes use under 10% of a CPU"""
    if args.wait_quiet_until <= time.time():
        return
    gen = [int(p) for p in args.gen_pids.split(",") if p] + [os.getpid(), args.occd_pid or 0]
    while time.time() < args.wait_quiet_until:
        b0, o0 = machine_busy(), proc_ticks(gen)
        time.sleep(2)
        other = (machine_busy() - b0 - (proc_ticks(gen) - o0)) / HZ / 2
        if other < 0.1:
            return
        say(f"calls:   (machine busy: other processes use {other:.0%} of a CPU; waiting)")
    say("calls:   (wait-quiet time used up; measuring anyway)")


def recover(load, args, limit):
    """After a failed step: wait until occd has closed every CDR and both
    sipps have no call left. Returns the seconds it took, or None."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if not alive(args.occd_pid):
            return None
        open_ = load.db.execute("SELECT count(*) FROM cdr WHERE end_ms = 0").fetchone()[0]
        cur = sipp_all(args)
        left = sum(cur.get(k, {}).get("CurrentCall", 0) for k in ("phones", "trunk"))
        if open_ == 0 and left == 0:
            return round(time.monotonic() - t0, 1)
        time.sleep(1)
    return None


def finish_step(load, args, calls, hold_ms, s0, rec):
    """drain, verify, print one JSON record; returns the failure count"""
    rec["still_open_after_drain"] = load.wait_ended(calls, hold_ms,
                                                    hold_ms / 1000 + args.reuse_margin + 15)
    time.sleep(1.5)                       # sipp writes its stats every second
    v = load.verify(calls, hold_ms)
    v.update(load.check_media(calls))
    d = sipp_diff(s0, sipp_all(args))
    sipp_failed = d.get("phones_FailedCall", 0) + d.get("trunk_FailedCall", 0)
    rec["occd_alive"] = alive(args.occd_pid)
    rec["sipp"] = d
    rec.update(v)
    failed = v["failed"] + sipp_failed + v["media_bad"] + (0 if rec["occd_alive"] else 1) + \
        rec.get("extra_failures", 0)
    rec["sipp_failed"] = sipp_failed
    rec["total_failures"] = failed
    rec["recovery_s"] = 0
    load.purge_recordings(calls)
    if failed and rec["occd_alive"]:
        lim = args.media_timeout + 20
        say(f"calls:   waiting (at most {lim:.0f} s) for occd to close every call ...")
        rec["recovery_s"] = recover(load, args, lim)
        say(f"calls:   ... " + (f"done in {rec['recovery_s']} s" if rec["recovery_s"] is not None
                                else "NOT RECOVERED: calls still open (stuck)"))
        # every agent is idle again: forget the reuse times
        now = time.monotonic()
        load.free = deque((a, now) for a, _ in load.free)
    print(json.dumps(rec), flush=True)
    say(f"calls:   placed {v['placed']}, failed {failed} (API {v['api_fail']}, "
        f"CDR {v['no_cdr'] + v['not_answered'] + v['not_by_customer'] + v['talk_off'] + v['leg_bad'] + v['open']}, "
        f"sipp {sipp_failed}, silent recordings {v['media_bad']}/{v['media_checked']}); "
        f"API p99 {v.get('api_ms_p99', 0)} ms; SIP retransmissions "
        f"{d.get('phones_Retransmissions', 0) + d.get('trunk_Retransmissions', 0)}")
    for e in v["examples"]:
        say(f"calls:     e.g. {e}")
    if not rec["occd_alive"]:
        say("calls:   occd DIED during this step")
    return failed


def cmd_ramp(args):
    load = Load(args)
    rates = [float(r) for r in args.rates.split(",")]
    hold_ms = int(args.hold * 1000)
    best = 0
    for k, rate in enumerate(rates):
        if not alive(args.occd_pid):
            say("calls: occd is not running; ramp stopped")
            break
        need = rate * (args.hold + args.reuse_margin + 1)
        if need > args.count:
            say(f"calls: rate {rate:g}/s needs ~{need:.0f} agents, have {args.count}; ramp stopped")
            break
        count = int(round(rate * args.duration))
        wait_quiet(args)
        s0 = sipp_all(args)
        say(f"calls: ramp step {k + 1}: {rate:g} calls/s for {args.duration:g} s "
            f"({count} calls, hold {args.hold:g} s)")
        samples = {}
        # steady state: from one hold time after the start to the last call
        timer = threading.Timer(args.hold + 1,
                                lambda: samples.__setitem__("a", load.sampler.take()))
        timer.start()
        a0 = load.sampler.take()
        calls, starved, achieved = load.place(rate, count, hold_ms, tag=100 + k)
        a1 = load.sampler.take()
        timer.cancel()
        rss_peak = proc_rss(args.occd_pid) if alive(args.occd_pid) else 0
        steady = Sampler.delta(samples["a"], a1) if "a" in samples and \
            a1["t"] - samples["a"]["t"] > 3 else None
        st = steady or Sampler.delta(a0, a1)
        say(f"calls:   occd CPU {st['occd_cpu']:.0%} at steady state (~{rate * args.hold:.0f} calls up), "
            f"other processes {st['other_cpu']:.0%}, drops at occd's SIP socket {st['sip_drops']}")
        rec = {"kind": "ramp", "rate": rate, "duration_s": args.duration,
               "hold_s": args.hold, "achieved_rate": round(achieved, 2),
               "starved": starved, "whole_step": Sampler.delta(a0, a1),
               "steady": steady, "rss_peak": rss_peak,
               "driver_limited": starved > 0 or achieved < 0.95 * rate}
        failed = finish_step(load, args, calls, hold_ms, s0, rec)
        if rec["driver_limited"]:
            say(f"calls:   the driver could not hold {rate:g} calls/s "
                f"(achieved {achieved:.1f}, starved {starved}); ramp stopped")
            break
        if failed:
            break
        best = rate
    print(json.dumps({"kind": "ramp_result", "max_zero_failure_rate": best}), flush=True)


def predict(points, n):
    """occd CPU at n calls from the measured (calls, cpu) points: a power
    law through the last two (exponent clamped to 1..2), or n^1.2 from one
    (this machine measured 1.0-1.1 between 100 and 400 calls)"""
    if not points:
        return 0.0
    (n2, c2) = points[-1]
    k = 1.2
    if len(points) >= 2:
        (n1, c1) = points[-2]
        if c1 > 0 and c2 > 0 and n2 > n1:
            k = min(2.0, max(1.0, math.log(c2 / c1) / math.log(n2 / n1)))
    return c2 * (n / n2) ** k


def cmd_hold(args):
    load = Load(args)
    levels = [int(x) for x in args.levels.split(",")]
    points = []
    k = 0
    while levels:
        n = levels.pop(0)
        if not alive(args.occd_pid):
            say("calls: occd is not running; stopped")
            break
        if n > args.count:
            say(f"calls: {n} calls need {n} agents, have {args.count}; stopped")
            break
        guess = predict(points, n)
        if points and guess > args.max_cpu:
            # not this level: the largest one expected under --target-cpu
            m = points[-1][0]
            while predict(points, m + 10) <= args.target_cpu:
                m += 10
            say(f"calls: {n} calls would need ~{guess:.0%} of occd's CPU "
                f"(extrapolated); measuring {m} instead" if m > points[-1][0] else
                f"calls: {n} calls would need ~{guess:.0%} of occd's CPU (extrapolated); stopped")
            if m <= points[-1][0]:
                break
            n, levels = m, []
        setup_s = n / args.rate
        hold = setup_s + args.settle + args.window + 3
        hold_ms = int(hold * 1000)
        if hold_ms >= 1000000:
            say("calls: hold time too long for the dialled-number format; stopped")
            break
        while load.free and load.free[0][1] > time.monotonic():
            time.sleep(0.2)
        time.sleep(2)
        wait_quiet(args)
        rss_idle = proc_rss(args.occd_pid)
        s0 = sipp_all(args)
        say(f"calls: hold level {k + 1}: {n} calls at {args.rate:g}/s, each held {hold:.1f} s")
        t_start = time.monotonic()
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
        say(f"calls:   {up}/{n} up during the window: occd CPU {w['occd_cpu']:.0%}, "
            f"other processes {w['other_cpu']:.0%}, load generators {w['gen_cpu']:.0%}; "
            f"RSS {rss_idle} -> {rss_n} B; UDP {w['udp_in_pps']} datagrams/s received; dropped: "
            f"{w['occd_drops']} at occd's sockets, {w['udp_drops']} in all (not counting the "
            f"trunk's unread media socket)")
        rec = {"kind": "hold", "calls": n, "rate": args.rate, "hold_s": round(hold, 2),
               "window": w, "up": up, "predicted_cpu": round(guess, 3),
               "rss_idle": rss_idle, "rss_loaded": rss_n, "rss_base": args.rss_base,
               # against the fresh occd's idle RSS: the allocator keeps what
               # the previous (smaller) levels freed, so the RSS just before
               # this level would hide part of it
               "rss_per_call": round((rss_n - args.rss_base) / n) if rss_n else None,
               "achieved_rate": round(achieved, 2), "starved": starved,
               "extra_failures": 0 if up == n else 1}
        failed = finish_step(load, args, calls, hold_ms, s0, rec)
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
    say(f"calls:   kamailio {rate:g} calls/s: {ok}/{n} calls ok, {failed} failed"
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
            say(f"calls:   (other processes used {rec['other_cpu']:.0%} of a CPU: running it again)")
        print(json.dumps(rec), flush=True)
        if not rec["pass"]:
            break
        best = rate
    print(json.dumps({"kind": "kamailio_result", "max_zero_failure_rate": best}), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("cmd", choices=("provision", "login", "ramp", "hold", "agents", "kamailio"))
    p.add_argument("--db")
    p.add_argument("--team", default="bench")
    p.add_argument("--secret", default="secret")
    p.add_argument("--password", default="pw")
    p.add_argument("--first", type=int, default=20001)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--group", type=int, default=1)
    p.add_argument("--http", type=int)
    p.add_argument("--sip", type=int)
    p.add_argument("--occd-pid", type=int)
    p.add_argument("--gen-pids", default="")
    p.add_argument("--server-cpu", type=int, default=-1)
    p.add_argument("--sink-port", type=int, default=0)
    p.add_argument("--phones-stat")
    p.add_argument("--trunk-stat")
    p.add_argument("--rec-dir")
    p.add_argument("--rates", default="5,10,20,40,80")
    p.add_argument("--duration", type=float, default=30)
    p.add_argument("--hold", type=float, default=10)
    p.add_argument("--reuse-margin", type=float, default=3)
    p.add_argument("--threads", type=int, default=16)
    p.add_argument("--levels", default="100,250,500")
    p.add_argument("--rate", type=float, default=50)
    p.add_argument("--settle", type=float, default=3)
    p.add_argument("--window", type=float, default=10)
    p.add_argument("--max-cpu", type=float, default=0.95)
    p.add_argument("--target-cpu", type=float, default=0.8)
    p.add_argument("--media-timeout", type=float, default=60)
    p.add_argument("--wait-quiet-until", type=float, default=0,
                   help="unix time until which to wait for a quiet machine (0: never)")
    p.add_argument("--rss-base", type=int, default=0)
    p.add_argument("--kam-pid", type=int)
    p.add_argument("--uas-pid", type=int)
    p.add_argument("--kam-port", type=int)
    p.add_argument("--uac-port", type=int)
    p.add_argument("--uas-port", type=int)
    p.add_argument("--uac-mp", type=int)
    p.add_argument("--dir")
    args = p.parse_args()
    globals()["cmd_" + args.cmd](args)


if __name__ == "__main__":
    main()
