#!/usr/bin/env python3
"""bench/calls/driver.py — the call-load driver of bench/calls/run.sh.

Standard library only. Subcommands (run.sh calls them in this order):

  provision  clone the agent, extension and membership that occctl made for
             the first bench agent into COUNT agents (SQLite, one
             transaction; occd is not running yet)
  register   REGISTER every extension with digest auth, Contact on the
             agent-phones sipp
  login      EVENT=LOGIN + EVENT=QUEUE (check-in, deviceexten = the agent's
             extension) for every agent
  ramp       calls at increasing rates; per step: failures and occd's CPU
  hold       N calls up at once; occd's CPU and RSS, memory per call
  agents     every agent must be idle (EVENT=AGENTSTATUS)

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
import os
import random
import re
import socket
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
    print(*a, file=sys.stderr, flush=True)


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


class Sampler:
    """CPU (occd process, load generators, the server CPU), UDP counters"""

    def __init__(self, args):
        self.occd = args.occd_pid
        self.gen = [int(p) for p in args.gen_pids.split(",") if p]
        self.srv_cpu = args.server_cpu

    def take(self):
        udp_in, udp_drop = udp_counters()
        return {"t": time.monotonic(), "occd": proc_ticks([self.occd]),
                "gen": proc_ticks(self.gen),
                "srv": cpu_busy(self.srv_cpu) if self.srv_cpu >= 0 else 0,
                "udp_in": udp_in, "udp_drop": udp_drop}

    @staticmethod
    def delta(a, b):
        dt = b["t"] - a["t"]
        return {"seconds": round(dt, 2),
                "occd_cpu": round((b["occd"] - a["occd"]) / HZ / dt, 3),
                "gen_cpu": round((b["gen"] - a["gen"]) / HZ / dt, 3),
                "server_cpu_busy": round((b["srv"] - a["srv"]) / HZ / dt, 3),
                "udp_in_pps": round((b["udp_in"] - a["udp_in"]) / dt),
                "udp_drops": b["udp_drop"] - a["udp_drop"]}


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


# ---- register -------------------------------------------------------------------

def cmd_register(args):
    """Sequential REGISTERs, each challenged and answered (RFC 2617 digest,
    qop=auth). The nonce-count is kept per nonce value across extensions:
    occd's nonce is one per second for everybody and it refuses a
    nonce-count used before with the same nonce, whoever used it (see
    docs/BENCHMARKS.md); a phone that starts at nc=1 for each challenge, as
    sipp does, is refused when another registered in the same second."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(2)
    lp = s.getsockname()[1]
    nc_of = {}
    ok = 0
    bad = []
    tag = os.urandom(4).hex()

    def transact(msg, branch):
        for attempt in range(4):
            s.sendto(msg.encode(), ("127.0.0.1", args.sip))
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                try:
                    r = s.recv(65535).decode("utf-8", "replace")
                except socket.timeout:
                    break
                if branch in r and not r.startswith("SIP/2.0 1"):
                    return r
        return ""

    for n in numbers(args.first, args.count):
        cid = f"occ-bench-{tag}-{n}"

        def req(cseq, auth=""):
            branch = f"z9hG4bK{tag}{n}x{cseq}"
            return transact(
                f"REGISTER sip:{args.team} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{lp};branch={branch}\r\n"
                f"From: <sip:{n}@{args.team}>;tag={tag}{n}\r\n"
                f"To: <sip:{n}@{args.team}>\r\n"
                f"Call-ID: {cid}\r\nCSeq: {cseq} REGISTER\r\n"
                f"Contact: <sip:{n}@127.0.0.1:{args.contact_port}>;expires={args.expires}\r\n"
                f"{auth}Max-Forwards: 70\r\nUser-Agent: occ-bench\r\nContent-Length: 0\r\n\r\n",
                branch)

        r = req(1)
        m = re.search(r'nonce="([^"]+)"', r)
        realm = re.search(r'realm="([^"]+)"', r)
        if not r.startswith("SIP/2.0 401") or not m or not realm:
            bad.append((n, r.split("\r\n", 1)[0] or "no answer"))
            continue
        nonce, realm = m.group(1), realm.group(1)
        nc = nc_of.get(nonce, 0) + 1
        nc_of[nonce] = nc
        ha1 = hashlib.md5(f"{n}:{realm}:{args.secret}".encode()).hexdigest()
        ha2 = hashlib.md5(f"REGISTER:sip:{args.team}".encode()).hexdigest()
        cnonce = os.urandom(8).hex()
        resp = hashlib.md5(f"{ha1}:{nonce}:{nc:08x}:{cnonce}:auth:{ha2}".encode()).hexdigest()
        r = req(2, f'Authorization: Digest username="{n}", realm="{realm}", '
                   f'nonce="{nonce}", uri="sip:{args.team}", response="{resp}", '
                   f'algorithm=MD5, qop=auth, nc={nc:08x}, cnonce="{cnonce}"\r\n')
        if r.startswith("SIP/2.0 200"):
            ok += 1
        else:
            bad.append((n, r.split("\r\n", 1)[0] or "no answer"))
    print(json.dumps({"registered": ok, "failed": len(bad), "first_failures": bad[:5],
                      "nonces": len(nc_of)}))
    if bad:
        sys.exit(f"register: {len(bad)} REGISTERs failed, e.g. {bad[:3]}")


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

    def place(self, rate, count, hold_ms, tag):
        """count calls at rate calls/s; returns per-call records"""
        a = self.args
        calls = []
        starved = 0
        futs = []
        t0 = time.monotonic() + 0.05
        for i in range(count):
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
            if open_ == 0 or time.monotonic() > end:
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
        ignoring the first and last second."""
        recs = [c["recording"] for c in calls if c.get("recording") and c["recording"][1]]
        checked, bad, worst = 0, 0, 1.0
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
            frames = len(data) // 4
            fr = 160
            lo, hi = 8000 // fr, frames // fr - 8000 // fr
            if hi - lo < 10:
                continue
            ok = [0, 0]
            for k in range(lo, hi):
                chunk = memoryview(data)[k * fr * 4:(k + 1) * fr * 4].cast("h")
                for ch in (0, 1):
                    if any(abs(x) > 64 for x in chunk[ch::2]):
                        ok[ch] += 1
            frac = min(ok) / (hi - lo)
            worst = min(worst, frac)
            checked += 1
            if frac < 0.9:
                bad += 1
        return {"media_checked": checked, "media_bad": bad, "media_worst": round(worst, 3)}

    def purge_recordings(self, calls):
        for c in calls:
            rec = c.get("recording")
            if rec and rec[1]:
                try:
                    os.unlink(os.path.join(self.args.rec_dir, rec[0], rec[1]))
                except OSError:
                    pass


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
        s0 = sipp_all(args)
        say(f"calls: ramp step {k + 1}: {rate:g} calls/s for {args.duration:g} s "
            f"({count} calls, hold {args.hold:g} s)")
        samples = {}
        # steady state: from one hold time after the start to the last call
        steady_at = time.monotonic() + args.hold + 1
        timer = threading.Timer(max(0.0, steady_at - time.monotonic()),
                                lambda: samples.__setitem__("a", load.sampler.take()))
        timer.start()
        a0 = load.sampler.take()
        calls, starved, achieved = load.place(rate, count, hold_ms, tag=100 + k)
        a1 = load.sampler.take()
        timer.cancel()
        rss_peak = proc_rss(args.occd_pid) if alive(args.occd_pid) else 0
        steady = Sampler.delta(samples["a"], a1) if "a" in samples and \
            a1["t"] - samples["a"]["t"] > 3 else None
        open_ = load.wait_ended(calls, hold_ms, args.hold + args.reuse_margin + 15)
        time.sleep(1.5)                       # sipp writes its stats every second
        v = load.verify(calls, hold_ms)
        v.update(load.check_media(calls))
        d = sipp_diff(s0, sipp_all(args))
        sipp_failed = d.get("phones_FailedCall", 0) + d.get("trunk_FailedCall", 0)
        occd_ok = alive(args.occd_pid)
        step = {"kind": "ramp", "rate": rate, "duration_s": args.duration,
                "hold_s": args.hold, "achieved_rate": round(achieved, 2),
                "starved": starved, "whole_step": Sampler.delta(a0, a1),
                "steady": steady, "rss_peak": rss_peak, "occd_alive": occd_ok,
                "still_open_after_drain": open_, "sipp": d}
        step.update(v)
        failed = v["failed"] + sipp_failed + (0 if occd_ok else 1) + v["media_bad"]
        step["total_failures"] = failed
        step["driver_limited"] = starved > 0 or achieved < 0.95 * rate
        print(json.dumps(step), flush=True)
        load.purge_recordings(calls)
        cpu = steady["occd_cpu"] if steady else step["whole_step"]["occd_cpu"]
        say(f"calls:   placed {v['placed']}, failed {failed} (api {v['api_fail']}, "
            f"cdr {v['no_cdr'] + v['not_answered'] + v['not_by_customer'] + v['talk_off'] + v['leg_bad'] + v['open']}, "
            f"sipp {sipp_failed}, media {v['media_bad']}/{v['media_checked']}), "
            f"occd CPU {cpu:.0%}, API p99 {v.get('api_ms_p99', 0)} ms, "
            f"retransmissions {d.get('phones_Retransmissions', 0) + d.get('trunk_Retransmissions', 0)}")
        for e in v["examples"]:
            say(f"calls:     e.g. {e}")
        if failed or step["driver_limited"]:
            if step["driver_limited"]:
                say(f"calls:   the driver could not hold {rate:g} calls/s "
                    f"(achieved {achieved:.1f}, starved {starved})")
            break
        best = rate
    print(json.dumps({"kind": "ramp_result", "max_zero_failure_rate": best}), flush=True)


def cmd_hold(args):
    load = Load(args)
    levels = [int(x) for x in args.levels.split(",")]
    for k, n in enumerate(levels):
        if not alive(args.occd_pid):
            say("calls: occd is not running; hold stopped")
            break
        if n > args.count:
            say(f"calls: {n} calls need {n} agents, have {args.count}; stopped")
            break
        setup_s = n / args.rate
        hold = setup_s + args.settle + args.window + 1
        hold_ms = int(hold * 1000)
        if hold_ms >= 1000000:
            say("calls: hold time too long for the dialled-number format; stopped")
            break
        # every agent of this level must be idle: wait for the previous ones
        while load.free and load.free[0][1] > time.monotonic():
            time.sleep(0.2)
        time.sleep(2)
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
        # how many were answered and still up during the window: open CDRs
        # with an answer time, counted right after the window
        answered_up = 0
        tg = [c["target"] for c in calls if c["api_ok"]]
        for i in range(0, len(tg), 500):
            chunk = tg[i:i + 500]
            q = ",".join("?" * len(chunk))
            answered_up += load.db.execute(
                f"SELECT count(*) FROM cdr WHERE callee IN ({q}) AND answer_ms > 0 "
                "AND end_ms = 0", chunk).fetchone()[0]
        open_ = load.wait_ended(calls, hold_ms, hold + 20)
        time.sleep(1.5)
        v = load.verify(calls, hold_ms)
        v.update(load.check_media(calls))
        d = sipp_diff(s0, sipp_all(args))
        sipp_failed = d.get("phones_FailedCall", 0) + d.get("trunk_FailedCall", 0)
        occd_ok = alive(args.occd_pid)
        w = Sampler.delta(a, b)
        lvl = {"kind": "hold", "calls": n, "rate": args.rate, "hold_s": round(hold, 2),
               "window": w, "answered_up_after_window": answered_up,
               "rss_idle": rss_idle, "rss_loaded": rss_n,
               "rss_per_call": round((rss_n - rss_idle) / n) if rss_n else None,
               "achieved_rate": round(achieved, 2), "starved": starved,
               "occd_alive": occd_ok, "still_open_after_drain": open_, "sipp": d,
               "seconds": round(time.monotonic() - t_start, 1)}
        lvl.update(v)
        failed = v["failed"] + sipp_failed + (0 if occd_ok else 1) + v["media_bad"] + \
            (0 if answered_up == n else 1)
        lvl["total_failures"] = failed
        print(json.dumps(lvl), flush=True)
        load.purge_recordings(calls)
        say(f"calls:   {answered_up}/{n} up during the window; occd CPU {w['occd_cpu']:.0%} "
            f"(server CPU busy {w['server_cpu_busy']:.0%}), load generators {w['gen_cpu']:.0%}; "
            f"RSS {rss_idle} -> {rss_n} B ({lvl['rss_per_call']} B/call); "
            f"UDP {w['udp_in_pps']} pkt/s in, {w['udp_drops']} dropped; failures {failed}")
        for e in v["examples"]:
            say(f"calls:     e.g. {e}")
        if failed:
            break


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("cmd", choices=("provision", "register", "login", "ramp", "hold", "agents"))
    p.add_argument("--db")
    p.add_argument("--team", default="bench")
    p.add_argument("--secret", default="secret")
    p.add_argument("--password", default="pw")
    p.add_argument("--first", type=int, default=20001)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--group", type=int, default=1)
    p.add_argument("--http", type=int)
    p.add_argument("--sip", type=int)
    p.add_argument("--contact-port", type=int)
    p.add_argument("--expires", type=int, default=3600)
    p.add_argument("--occd-pid", type=int)
    p.add_argument("--gen-pids", default="")
    p.add_argument("--server-cpu", type=int, default=-1)
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
    args = p.parse_args()
    globals()["cmd_" + args.cmd](args)


if __name__ == "__main__":
    main()
