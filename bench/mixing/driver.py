#!/usr/bin/env python3
"""bench/mixing/driver.py — the conference-load driver of bench/mixing/run.sh.

Standard library only; run with python3 -B. Reuses bench/benchlib.py
(provisioning, logins, the HTTP client, /proc and sipp-statistics helpers,
the CPU extrapolation, CDR queries; shared with bench/calls/driver.py) and
tests/sip/lib/audio.py (G.711, Goertzel).
Subcommands (run.sh calls them in this order):

  voice      OUT --freq F: one second of a tone, raw G.711 u-law (sipp's
             rtp_stream loops it; F whole periods a second, so seamless)
  provision  / login / agents: as bench/calls (benchlib; 2 x COUNT agents: the first
             COUNT place the calls, the next COUNT are consulted)
  levels     N three-party conferences up at once, for each N of --levels;
             occd's CPU and RSS with all N up; correctness and audio checks
  rtpengine  the peer: for each N, 3N G.711 streams relayed by rtpengine
             with PCMU <-> PCMA transcoding; rtpengine's CPU

A conference: agent A (20001...) EVENT=MAKECALL to 56<tag><seq> (occd
rings A's phone, then the customer over the trunk), EVENT=CONSULT internal
to agent B (retried while it answers BackMsg_21: the customer has not
answered yet), EVENT=CONFERENCE (retried while BackMsg_35: B's phone has
not answered yet). A's phone says 770 Hz, B's 1470 Hz, the customer
1130 Hz, each a 20 ms PCMU stream for the whole call. The conference ends
with EVENT=HANGUP&target=all by A.

A conference counts as failed if any of: an API request does not answer as
expected (MAKECALL BackMsg_19, CONSULT 27, CONFERENCE 34, HANGUP 37, the
retries bounded by --setup-timeout); fewer than N calls up in any of the
three sipps during the window; no CDR; CDR not ANSWERED, not hung up by
"api", still open after the drain; its legs not exactly agent, customer,
consult all ANSWERED. Per level: no failed call in any sipp; in
--audio-sample recordings the conference phase (from CONFERENCE + 0.5 s
to HANGUP - 0.2 s) must hold on the left channel (what the customer hears)
770 + 1470 Hz, each at the level it was sent (±1 dB: the mixer sums),
and not 1130 Hz; on the right (what the agent hears) 1130 + 1470 Hz and
not 770 Hz; and at least 90% of its 20 ms frames audible on each channel.
Results are JSON lines on stdout, progress on stderr.
"""
import argparse
import importlib.util
import json
import math
import os
import random
import re
import socket
import sqlite3
import struct
import sys
import time
import wave
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


sys.path.insert(0, os.path.join(ROOT, "bench"))
import benchlib  # noqa: E402
audio = _load("sip_audio", os.path.join(ROOT, "tests", "sip", "lib", "audio.py"))

HZ = benchlib.HZ
F_AGENT, F_CUST, F_CONS = 770, 1130, 1470
AMP = 8000

benchlib.TAG = "mixing"
say = benchlib.say


# ---- voice --------------------------------------------------------------------

def cmd_voice(args):
    pcm = audio.tone_samples([args.freq], 1.0, AMP)
    with open(args.out, "wb") as f:
        f.write(bytes(audio.ulaw_encode(x) for x in pcm))


# ---- conferences through occd ---------------------------------------------------

class Conf:
    __slots__ = ("a", "b", "target", "err", "t_conf", "t_hang", "setup_s", "retries",
                 "api_ms", "rec")

    def __init__(self, a, b, target):
        self.a, self.b, self.target = a, b, target
        self.err, self.t_conf, self.t_hang, self.setup_s = None, 0.0, 0.0, 0.0
        self.retries, self.api_ms, self.rec = 0, [], None


def sipp_counts(args):
    return {k: benchlib.sipp_stats(p) for k, p in
            (("agents", args.phones_a_stat), ("consulted", args.phones_b_stat),
             ("customers", args.trunk_stat))}


def sipp_cur(args):
    """CurrentCall of the three sipps (statistics rewritten every second)"""
    return {k: v.get("CurrentCall", 0) for k, v in sipp_counts(args).items()}


class Mixing:
    def __init__(self, args):
        self.args = args
        self.api = benchlib.Api(args.http, args.team, args.password)
        self.pool = ThreadPoolExecutor(args.threads)
        args.sink_port = 0
        args.gen_pids = args.gen_pids or ""
        self.sampler = benchlib.Sampler(args)
        self.db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True, timeout=30)
        self.keep = set()

    def _api(self, conf, agent, event, **kw):
        t = time.monotonic()
        st, body = self.api.call(agent, event, **kw)
        conf.api_ms.append((time.monotonic() - t) * 1000)
        return body

    def setup(self, c):
        """MAKECALL, CONSULT, CONFERENCE for one conference (a pool thread)"""
        a = self.args
        t0 = time.monotonic()
        deadline = t0 + a.setup_timeout
        body = self._api(c, c.a, "MAKECALL", targetdn=c.target, targettype="exter")
        if "|Retuen|1|Retuen|BackMsg_19" not in body:
            c.err = f"MAKECALL: {body[:60]}"
            return
        time.sleep(0.15)
        # 21: no two-party call yet (customer not answered)
        if not self._until(c, deadline, "BackMsg_27", "BackMsg_21", "CONSULT", targetdn=c.b,
                           agentgroupid=str(a.group), consulttype="internal"):
            return
        time.sleep(0.1)
        # 35: the consulted phone has not answered yet
        if not self._until(c, deadline, "BackMsg_34", "BackMsg_35", "CONFERENCE"):
            return
        c.t_conf = time.time()
        c.setup_s = time.monotonic() - t0

    def _until(self, c, deadline, ok, busy, event, **kw):
        """event by agent A until it answers ok: again 0.1 s later while it
        answers busy and the deadline has not passed; else c.err"""
        while True:
            body = self._api(c, c.a, event, **kw)
            if ok in body:
                return True
            if busy not in body or time.monotonic() > deadline:
                c.err = f"{event}: {body[:60]}"
                return False
            c.retries += 1
            time.sleep(0.1)

    def hangup(self, c):
        c.t_hang = time.time()
        body = self._api(c, c.a, "HANGUP", target="all")
        if "|Retuen|1|" not in body and not c.err:
            c.err = f"HANGUP: {body[:60]}"

    def paced(self, fn, confs, rate):
        """fn(c) for every conference at rate per second; waits for all"""
        futs = []
        t0 = time.monotonic() + 0.05
        for i, c in enumerate(confs):
            if i % 20 == 0 and not benchlib.alive(self.args.occd_pid):
                say("occd is gone")
                break
            due = t0 + i / rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            futs.append(self.pool.submit(fn, c))
        for f in futs:
            f.result()

    def wait_closed(self, confs, limit):
        return benchlib.wait_closed(self.db, [c.target for c in confs], limit,
                                    self.args.occd_pid)

    def verify(self, confs):
        res = {"api_fail": 0, "no_cdr": 0, "not_answered": 0, "not_by_api": 0,
               "open": 0, "leg_bad": 0}
        examples = []
        rows = {r[0]: r for r in benchlib.query_in(
            self.db, "SELECT callee, sessionid, disposition, hangup_by, answer_ms, end_ms, "
            "recording, calldate FROM cdr WHERE callee IN ({q})", [c.target for c in confs])}
        legs = {}
        for sid, role, disp in benchlib.query_in(
                self.db, "SELECT sessionid, role, disposition FROM cdr_legs "
                "WHERE sessionid IN ({q})", [r[1] for r in rows.values()]):
            legs.setdefault(sid, []).append(f"{role}|{disp}")
        want_legs = ["agent|ANSWERED", "consult|ANSWERED", "customer|ANSWERED"]
        for c in confs:
            bad = None
            if c.err:
                res["api_fail"] += 1
                bad = c.err
            elif c.target not in rows:
                res["no_cdr"] += 1
                bad = "no cdr"
            else:
                _, sid, disp, by, ans, end, rec, day = rows[c.target]
                bad = benchlib.cdr_bad(res, rows[c.target], "api")
                if bad:
                    pass                # counted by cdr_bad
                elif sorted(legs.get(sid, [])) != want_legs:
                    res["leg_bad"] += 1
                    bad = f"legs {sorted(legs.get(sid, []))} session={sid}"
                c.rec = (day, rec, ans / 1000 if ans else 0)
            if bad and len(examples) < 5:
                examples.append(f"{c.a}->{c.b} {c.target}: {bad}")
        res["failed"] = sum(res.values())
        res["examples"] = examples
        return res

    def check_audio(self, confs, sample):
        """the conference phase of sampled recordings (left: what the
        customer hears, right: what the agent hears)"""
        cand = [c for c in confs if c.rec and c.rec[1] and c.t_conf and c.t_hang and not c.err]
        out = {"audio_checked": 0, "audio_bad": 0, "audio_examples": [],
               "amp_median": [], "audible_min": 1.0}
        for c in random.Random(len(confs)).sample(cand, min(sample, len(cand))):
            day, name, t0 = c.rec
            path = os.path.join(self.args.rec_dir, day, name)
            problems = []
            try:
                data = benchlib.read_stereo_wav(path)
            except (OSError, EOFError, wave.Error) as e:
                out["audio_bad"] += 1
                out["audio_examples"].append(f"{name}: {e}")
                self.keep.add((day, name))
                continue
            pcm = memoryview(data).cast("h")
            lo = int((c.t_conf + 0.5 - t0) * 8000)
            hi = int((c.t_hang - 0.2 - t0) * 8000)
            hi = min(hi, len(pcm) // 2)
            if hi - lo < 8000 * 2:
                problems.append(f"conference phase only {(hi - lo) / 8000:.2f} s in the WAV")
            else:
                for ch, want, absent in ((0, (F_AGENT, F_CONS), F_CUST),
                                         (1, (F_CUST, F_CONS), F_AGENT)):
                    s = list(pcm[2 * lo + ch:2 * hi:2])
                    blocks, loud, match = audio.analyse(s, list(want))
                    if not (loud >= 0.9 * blocks and match >= 0.9 * loud):
                        problems.append(f"ch{ch}: {'+'.join(map(str, want))} Hz in {match} "
                                        f"of {loud} loud of {blocks} blocks")
                    _, _, m2 = audio.analyse(s, [absent])
                    if m2 > 2:
                        problems.append(f"ch{ch}: {absent} Hz present in {m2} blocks")
                    amps = sorted(amplitude(s[i:i + 400], f) for f in want
                                  for i in range(0, len(s) - 399, 400))
                    med = amps[len(amps) // 2] if amps else 0
                    out["amp_median"].append(round(med))
                    if not 0.89 * AMP <= med <= 1.12 * AMP:      # ±1 dB
                        problems.append(f"ch{ch}: median amplitude {med:.0f}, want ~{AMP}")
                    fr = [max(map(abs, s[k:k + 160])) > 64 for k in range(0, len(s) - 159, 160)]
                    frac = sum(fr) / len(fr)
                    out["audible_min"] = round(min(out["audible_min"], frac), 4)
                    if frac < 0.9:
                        problems.append(f"ch{ch}: only {frac:.0%} of the 20 ms frames audible")
            out["audio_checked"] += 1
            if problems:
                out["audio_bad"] += 1
                self.keep.add((day, name))
                if len(out["audio_examples"]) < 4:
                    out["audio_examples"].append(f"{name}: " + "; ".join(problems))
        return out

    def purge(self, confs):
        benchlib.purge_recordings(self.args.rec_dir, [c.rec for c in confs], self.keep)


def amplitude(block, f):
    """amplitude of the tone f in a block (a pure tone of amplitude A: A)"""
    n = len(block)
    w = 2 * math.pi * f / 8000
    cw = 2 * math.cos(w)
    s1 = s2 = 0.0
    for x in block:
        s1, s2 = x + cw * s1 - s2, s1
    power = s1 * s1 + s2 * s2 - cw * s1 * s2
    return 2 * math.sqrt(max(power, 0)) / n


def recover(m, args, limit):
    """after a failed level: every CDR closed and no call in any sipp"""
    return benchlib.recover(m.db, args.occd_pid, lambda: sum(sipp_cur(args).values()), limit)


def pctl(xs, p, digits=1):
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(len(xs) * p))], digits) if xs else 0


def cmd_levels(args):
    m = Mixing(args)
    levels = [int(x) for x in args.levels.split(",")]
    points = []
    k = 0
    refined = False
    stop_reason = "levels done"
    while levels:
        n = levels.pop(0)
        if not benchlib.alive(args.occd_pid):
            stop_reason = "occd not running"
            break
        if n > args.count:
            say(f"{n} conferences need {n} agent pairs, have {args.count}; stopped")
            stop_reason = f"{n} > {args.count} agent pairs"
            break
        guess = benchlib.predict(points, n)
        if points and guess > args.max_cpu:
            last = points[-1][0]
            mm = last
            # a little under the target: the level is meant to pass it
            while benchlib.predict(points, mm + 5) <= args.target_cpu - 0.04:
                mm += 5
            if mm <= last:
                say(f"{n} conferences would need ~{guess:.0%} of occd's core (extrapolated); stopped")
                stop_reason = "extrapolated over the target"
                break
            say(f"{n} conferences would need ~{guess:.0%} of occd's core (extrapolated); "
                f"measuring {mm} instead, the last level")
            n, levels = mm, []
        time.sleep(1.5)
        benchlib.wait_quiet(args)
        rss_idle = benchlib.proc_rss(args.occd_pid)
        s0 = sipp_counts(args)
        confs = [Conf(str(args.first + i), str(args.first + args.count + i),
                      f"56{(300 + k) % 1000:03d}{i:05d}") for i in range(n)]
        say(f"level {k + 1}: {n} conferences, set up at {args.rate:g}/s")
        t_start = time.monotonic()
        m.paced(m.setup, confs, args.rate)
        t_setup = time.monotonic() - t_start
        up_ok = sum(1 for c in confs if not c.err)
        time.sleep(args.settle)
        cur0 = sipp_cur(args)
        a = m.sampler.take()
        time.sleep(args.window)
        b = m.sampler.take()
        rss_n = benchlib.proc_rss(args.occd_pid) if benchlib.alive(args.occd_pid) else 0
        cur1 = sipp_cur(args)
        up = min(min(cur0.values()), min(cur1.values()))
        w = benchlib.Sampler.delta(a, b)
        say(f"  {up_ok}/{n} set up in {t_setup:.1f} s; {up}/{n} up in every sipp during the "
            f"window: occd CPU {w['occd_cpu']:.0%}, other processes {w['other_cpu']:.0%}, "
            f"load generators {w['gen_cpu']:.0%}; RSS {rss_idle} -> {rss_n} B; "
            f"{w['udp_in_pps']} UDP datagrams/s received; dropped at occd's sockets {w['occd_drops']}")
        m.paced(m.hangup, confs, args.hangup_rate)
        still = m.wait_closed(confs, 20)
        time.sleep(1.5)                       # sipp writes its statistics every second
        v = m.verify(confs)
        au = m.check_audio(confs, args.audio_sample)
        s1 = sipp_counts(args)
        sipp_failed = sum(s1[x].get("FailedCall(C)", 0) - s0.get(x, {}).get("FailedCall(C)", 0)
                          for x in s1)
        retrans = sum(s1[x].get("Retransmissions(C)", 0) -
                      s0.get(x, {}).get("Retransmissions(C)", 0) for x in s1)
        alive = benchlib.alive(args.occd_pid)
        failed = v["failed"] + sipp_failed + au["audio_bad"] + (0 if up == n else 1) + \
            (0 if alive else 1)
        setup = [c.setup_s for c in confs if not c.err]
        api_ms = [x for c in confs for x in c.api_ms]
        rec = {"kind": "level", "n": n, "up": up, "up_ok": up_ok, "rate": args.rate,
               "setup_s": round(t_setup, 1), "setup_p50_s": pctl(setup, 0.5, 2),
               "setup_max_s": round(max(setup), 2) if setup else 0,
               "retries": sum(c.retries for c in confs),
               "api_p99_ms": pctl(api_ms, 0.99), "window": w, "predicted_cpu": round(guess, 3),
               "rss_idle": rss_idle, "rss_loaded": rss_n, "rss_base": args.rss_base,
               "rss_per_conf": round((rss_n - args.rss_base) / n) if rss_n else None,
               "cpu_per_conf": round(w["occd_cpu"] / n, 5),
               "sipp_failed": sipp_failed, "retrans": retrans,
               "still_open_after_drain": still, "occd_alive": alive,
               "total_failures": failed, "recovery_s": 0}
        rec.update(v)
        au["amp_median"] = sorted(au["amp_median"])[len(au["amp_median"]) // 2] \
            if au["amp_median"] else 0
        rec.update(au)
        m.purge(confs)
        if failed and alive:
            lim = args.media_timeout + 20
            say(f"  failures: waiting (at most {lim:.0f} s) for occd to close every call ...")
            rec["recovery_s"] = recover(m, args, lim)
        rec["seconds"] = round(time.monotonic() - t_start, 1)
        print(json.dumps(rec), flush=True)
        say(f"  failed {failed} (API {v['api_fail']}, CDR {v['failed'] - v['api_fail']}, sipp "
            f"{sipp_failed}, audio {au['audio_bad']}/{au['audio_checked']}); setup p50 "
            f"{rec['setup_p50_s']} s, API p99 {rec['api_p99_ms']} ms, SIP retransmissions {retrans}")
        for e in v["examples"] + au["audio_examples"]:
            say(f"    e.g. {e}")
        k += 1
        if failed:
            stop_reason = "failures"
            break
        points.append((n, w["occd_cpu"]))
        if w["occd_cpu"] >= args.target_cpu:
            stop_reason = f"reached {args.target_cpu:.0%} of the core"
            under = [p for p in points if p[1] < args.target_cpu]
            if refined or not under:
                break
            # once: the N expected a little under the target, interpolated
            # between the last level under it and this one
            (n1, c1), c2 = under[-1], w["occd_cpu"]
            mm = n1 + int((args.target_cpu - 0.04 - c1) * (n - n1) / (c2 - c1) / 5) * 5
            if mm <= n1:
                break
            say(f"{n} conferences took {c2:.0%}: measuring {mm} as well")
            levels, refined = [mm], True
    print(json.dumps({"kind": "levels_done", "stop": stop_reason}), flush=True)


# ---- the peer: rtpengine (ng protocol: bencode over UDP) -------------------------

def benc(x):
    if isinstance(x, int):
        return b"i%de" % x
    if isinstance(x, str):
        x = x.encode()
    if isinstance(x, bytes):
        return b"%d:%s" % (len(x), x)
    if isinstance(x, list):
        return b"l" + b"".join(benc(i) for i in x) + b"e"
    if isinstance(x, dict):
        return b"d" + b"".join(benc(k) + benc(v) for k, v in sorted(x.items())) + b"e"
    raise TypeError(type(x))


def bdec(s, i=0):
    c = s[i:i + 1]
    if c == b"i":
        j = s.index(b"e", i)
        return int(s[i + 1:j]), j + 1
    if c in (b"l", b"d"):
        i += 1
        out = [] if c == b"l" else {}
        while s[i:i + 1] != b"e":
            if c == b"l":
                v, i = bdec(s, i)
                out.append(v)
            else:
                key, i = bdec(s, i)
                v, i = bdec(s, i)
                out[key.decode()] = v
        return out, i + 1
    j = s.index(b":", i)
    n = int(s[i:j])
    return s[j + 1:j + 1 + n], j + 1 + n


class Ng:
    def __init__(self, port):
        self.addr = ("127.0.0.1", port)
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", 0))
        self.s.settimeout(2)
        self.n = 0

    def __call__(self, d):
        self.n += 1
        cookie = f"{os.getpid()}_{self.n}".encode()
        for _ in range(3):
            self.s.sendto(cookie + b" " + benc(d), self.addr)
            try:
                while True:
                    r = self.s.recv(65536)
                    sp = r.index(b" ")
                    if r[:sp] == cookie:
                        return bdec(r, sp + 1)[0]
            except socket.timeout:
                continue
        raise RuntimeError(f"rtpengine does not answer {d.get('command')}")


def sdp(port, pt, name):
    return (f"v=0\r\no=bench 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
            f"t=0 0\r\nm=audio {port} RTP/AVP {pt}\r\na=rtpmap:{pt} {name}/8000\r\n"
            f"a=sendrecv\r\n")


def g711_frames(freq, enc):
    pcm = audio.tone_samples([freq], 1.0, AMP)
    data = bytes(enc(x) for x in pcm)
    return [data[i * 160:(i + 1) * 160] for i in range(50)]


def rtpe_level(args, ng, n, tag, transcode=True):
    """3n streams: ceil(3n/2) rtpengine calls, side A PCMU (770 Hz), side B
    PCMA (1130 Hz); rtpengine transcodes each direction. transcode=False:
    both sides PCMU, rtpengine only relays (for reference)."""
    b_pt, b_name, b_enc, b_table = (8, "PCMA", audio.alaw_encode, audio.ALAW) if transcode \
        else (0, "PCMU", audio.ulaw_encode, audio.ULAW)
    ncalls = (3 * n + 1) // 2
    socks = []                     # (sa, sb, to_a_port, to_b_port)
    t0 = time.monotonic()
    for i in range(ncalls):
        sa = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sb = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sa.bind(("127.0.0.1", 0))
        sb.bind(("127.0.0.1", 0))
        sa.setblocking(False)
        sb.setblocking(False)
        cid = f"bench-{tag}-{i}"
        offer = {"command": "offer", "call-id": cid, "from-tag": "a",
                 "sdp": sdp(sa.getsockname()[1], 0, "PCMU"), "ICE": "remove"}
        if transcode:
            offer["codec"] = {"transcode": ["PCMA"]}
        o = ng(offer)
        if o.get("result") != b"ok":
            raise RuntimeError(f"offer: {o}")
        an = ng({"command": "answer", "call-id": cid, "from-tag": "a", "to-tag": "b",
                 "sdp": sdp(sb.getsockname()[1], b_pt, b_name), "ICE": "remove"})
        if an.get("result") != b"ok":
            raise RuntimeError(f"answer: {an}")
        to_b = int(re.search(rb"m=audio (\d+) RTP/AVP ([0-9 ]+)", o["sdp"]).group(1))
        to_a = int(re.search(rb"m=audio (\d+)", an["sdp"]).group(1))
        if transcode and b"PCMA" not in o["sdp"]:
            raise RuntimeError("rtpengine did not offer PCMA (no transcoding)")
        socks.append((sa, sb, to_a, to_b, cid))
    t_setup = time.monotonic() - t0
    fa = g711_frames(F_AGENT, audio.ulaw_encode)
    fb = g711_frames(F_CUST, b_enc)
    sample = random.Random(n).sample(range(ncalls), min(8, ncalls))
    pids = [args.rtpe_pid]
    settle_end = time.monotonic() + args.settle
    win_end = settle_end + args.window
    check_start = win_end
    end = check_start + 1.0
    a = b = None
    k = 0
    tick0 = time.monotonic()
    late = 0
    while True:
        now = time.monotonic()
        due = tick0 + k * 0.02
        if due > now:
            time.sleep(due - now)
        elif now - due > 0.02:
            late += 1
        ts = (k * 160) & 0xFFFFFFFF
        seq = k & 0xFFFF
        pa, pb = fa[k % 50], fb[k % 50]
        for j, (sa, sb, to_a, to_b, _) in enumerate(socks):
            try:
                sa.sendto(struct.pack("!BBHII", 0x80, 0, seq, ts, 0x10000 + j) + pa,
                          ("127.0.0.1", to_a))
                sb.sendto(struct.pack("!BBHII", 0x80, b_pt, seq, ts, 0x20000 + j) + pb,
                          ("127.0.0.1", to_b))
            except (BlockingIOError, ConnectionRefusedError):
                pass
        k += 1
        now = time.monotonic()
        if a is None and now >= settle_end:
            a = (now, benchlib.proc_ticks(pids), benchlib.proc_ticks([os.getpid()]),
                 benchlib.machine_busy())
            drops0 = benchlib.udp_drops_of(args.rtpe_pid)
        if b is None and now >= win_end:
            b = (now, benchlib.proc_ticks(pids), benchlib.proc_ticks([os.getpid()]),
                 benchlib.machine_busy())
            drops1 = benchlib.udp_drops_of(args.rtpe_pid)
            for j in sample:       # empty the sampled sockets: count from here
                for s in socks[j][:2]:
                    try:
                        while True:
                            s.recv(2048)
                    except (BlockingIOError, OSError):
                        pass
        if now >= end:
            break
    span = end - check_start
    # what the sampled endpoints received in the last second
    got = {"packets": 0, "expected": 0, "bad_pt": 0, "tone_bad": 0}
    for j in sample:
        for side, s, want_pt, table, freq in ((0, socks[j][1], b_pt, b_table, F_AGENT),
                                              (1, socks[j][0], 0, audio.ULAW, F_CUST)):
            pkts = []
            try:
                while True:
                    pkts.append(s.recv(2048))
            except (BlockingIOError, OSError):
                pass
            got["packets"] += len(pkts)
            got["expected"] += int(span * 50)
            got["bad_pt"] += sum(1 for p in pkts if p[1] & 0x7F != want_pt)
            pcm = [table[x] for p in pkts for x in p[12:]]
            blocks, loud, match = audio.analyse(pcm, [freq])
            if not pcm or match < 0.9 * blocks:
                got["tone_bad"] += 1
    for sa, sb, _, _, cid in socks:
        try:
            ng({"command": "delete", "call-id": cid, "from-tag": "a"})
        except RuntimeError:
            pass
        sa.close()
        sb.close()
    dt = b[0] - a[0]
    cpu = (b[1] - a[1]) / HZ / dt
    gen = (b[2] - a[2]) / HZ / dt
    other = max(0, (b[3] - a[3]) - (b[1] - a[1]) - (b[2] - a[2])) / HZ / dt
    ok = (got["bad_pt"] == 0 and got["tone_bad"] == 0 and
          got["packets"] >= 0.85 * got["expected"] and benchlib.alive(args.rtpe_pid))
    rec = {"kind": "rtpengine" if transcode else "rtpengine_relay", "n": n,
           "streams": 2 * ncalls, "calls": ncalls,
           "setup_s": round(t_setup, 2), "rtpe_cpu": round(cpu, 3), "gen_cpu": round(gen, 3),
           "other_cpu": round(other, 3), "seconds": round(dt, 2),
           "pps_sent": round(2 * ncalls * 50), "late_ticks": late,
           "drops_at_rtpengine": max(0, drops1 - drops0), "check": got, "pass": ok}
    say(f"  rtpengine, {n} conferences' worth: {2 * ncalls} streams ({ncalls} calls, "
        f"{'PCMU<->PCMA' if transcode else 'PCMU, relay only'}), "
        f"set up in {t_setup:.1f} s: rtpengine CPU {cpu:.0%}, generator {gen:.0%}, other "
        f"{other:.0%}; sampled endpoints got {got['packets']}/{got['expected']} packets, "
        f"wrong PT {got['bad_pt']}, wrong tone {got['tone_bad']}; late ticks {late}")
    return rec


def cmd_rtpengine(args):
    ng = Ng(args.ng_port)
    n = i = 0
    r = ng({"command": "ping"})
    if r.get("result") != b"pong":
        sys.exit(f"rtpengine ping: {r}")
    for i, n in enumerate(int(x) for x in args.levels.split(",") if x):
        if not benchlib.alive(args.rtpe_pid):
            say("rtpengine is not running; stopped")
            break
        args.gen_pids, args.occd_pid = "", args.rtpe_pid
        benchlib.wait_quiet(args)
        try:
            rec = rtpe_level(args, ng, n, i)
        except (RuntimeError, OSError) as e:
            rec = {"kind": "rtpengine", "n": n, "pass": False, "error": str(e)}
            say(f"  rtpengine level {n}: {e}")
        print(json.dumps(rec), flush=True)
        if not rec["pass"]:
            return
        time.sleep(1)
    # for reference, at the largest level: the same streams relayed only
    # (PCMU on both sides), so that the cost of transcoding shows
    if n and benchlib.alive(args.rtpe_pid):
        benchlib.wait_quiet(args)
        try:
            rec = rtpe_level(args, ng, n, i + 1, transcode=False)
        except (RuntimeError, OSError) as e:
            rec = {"kind": "rtpengine_relay", "n": n, "pass": False, "error": str(e)}
        print(json.dumps(rec), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("cmd", choices=("voice", "provision", "login", "agents", "levels",
                                   "rtpengine"))
    p.add_argument("--out")
    p.add_argument("--freq", type=float)
    benchlib.add_common_args(p, count_help="agent pairs")
    p.add_argument("--phones-a-stat")
    p.add_argument("--phones-b-stat")
    p.add_argument("--levels", default="25,50,100,150,200")
    p.add_argument("--rate", type=float, default=8)
    p.add_argument("--hangup-rate", type=float, default=40)
    p.add_argument("--threads", type=int, default=24)
    p.add_argument("--setup-timeout", type=float, default=15)
    p.add_argument("--window", type=float, default=8)
    p.add_argument("--max-cpu", type=float, default=0.85)
    p.add_argument("--target-cpu", type=float, default=0.70)
    p.add_argument("--audio-sample", type=int, default=8)
    p.add_argument("--ng-port", type=int)
    p.add_argument("--rtpe-pid", type=int)
    args = p.parse_args()
    if args.cmd in ("provision", "login", "agents"):
        # benchlib's subcommands over both halves: callers and consulted
        args.count *= 2
        getattr(benchlib, "cmd_" + args.cmd)(args)
    else:
        globals()["cmd_" + args.cmd](args)


if __name__ == "__main__":
    main()
