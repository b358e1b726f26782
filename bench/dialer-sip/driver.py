#!/usr/bin/env python3
"""bench/dialer-sip/driver.py — the driver of bench/dialer-sip/run.sh.

Standard library only; run with python3 -B. Subcommands, in run.sh's order:

  setup   EVENT=LOGIN + EVENT=QUEUE (check-in on the agent's extension) for
          every agent; --records numbers imported into the campaign with
          EVENT=Import (source=data, phone_field=phone1) as the team's account
  run     occctl campaign start; for --duration seconds the agents' wrap-up:
          an agent whose call ended (its CDR closed) is in after-call work
          (the group's ACW mode "answer") and ends it with EVENT=ACWOFF
          --wrap seconds later (--no-acwoff: occd ends it, the group's
          --acw-time); then occctl campaign stop, and the calls
          still up run to their end (wrap-ups included); writes run.json
  report  the measured world, from packets: sipp's message traces (the
          customer trunk's and the agents' phones') and the RTP occd sent
          to the customers (tcpdump's pcap); key=value lines, and the
          checks; exit 0 when they hold

What is measured (docs/BENCHMARKS.md, "Dialer over SIP"):
  live answers   the customer trunk's 200 OKs to INVITEs
  abandoned      a live answer no agent phone was rung for (the agents'
                 INVITEs show the customer's number in From)
  talk min/h     the customer's talk, its 200 OK to occd's BYE, for the
                 bridged calls, within [start, start + duration], per
                 agent-hour (agents x duration), as the simulation counts
  2 s rule       bridged: the customer's 200 OK to the agent phone's 200
                 OK; abandoned: the customer's 200 OK to the first RTP
                 packet occd sends it that is not silence (the message);
                 every one <= 2 s
"""
import argparse
import bisect
import http.client
import json
import os
import re
import sqlite3
import struct
import subprocess
import sys
import time
import urllib.parse
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib  # noqa: E402
from benchlib import Api, say  # noqa: E402

benchlib.TAG = "dialer-sip"
RULE_S = 2.0


def cmd_setup(args):
    api = Api(args.http, args.team, args.password)
    for n in range(args.first, args.first + args.count):
        _, body = api.call(str(n), "LOGIN")
        if not body.startswith("|Retuen|1|Retuen|BackMsg_04|"):
            sys.exit(f"setup: LOGIN {n}: {body[:80]}")
        _, body = api.call(str(n), "QUEUE", type="1", list=str(args.group),
                           deviceexten=str(n))
        if body != f"|Retuen|1|Retuen|{args.group}:success":
            sys.exit(f"setup: QUEUE {n}: {body[:80]}")
    say(f"{args.count} agents logged in and checked in to group {args.group}")
    acc = Api(args.http, args.team, args.account_password)
    bad = 0
    for i in range(args.records):
        number = str(args.number_base + i)
        body = urllib.parse.urlencode(dict(
            EVENT="Import", orgidentity=args.team, usertype="account", user=args.account,
            pwdtype="plaintext", password=args.account_password, modeltype="Campaign",
            model_id=str(args.campaign), source="data", phone_field="phone1",
            context=f"phone1={number}"))
        conn = getattr(acc.local, "conn", None)
        if conn is None:
            conn = acc.local.conn = http.client.HTTPConnection("127.0.0.1", args.http,
                                                               timeout=30)
        conn.request("POST", "/coccinterfaces", body,
                     {"Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse().read().decode("utf-8", "replace")
        if r != "|Retuen|1|Retuen|BackMsg_83":
            bad += 1
            if bad <= 3:
                say(f"import {number}: {r[:80]}")
    if bad:
        sys.exit(f"setup: {bad} of {args.records} records not imported and listed")
    say(f"{args.records} records imported into campaign {args.campaign} (BackMsg_83)")


def cmd_run(args):
    api = Api(args.http, args.team, args.password)
    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True, timeout=10)
    ctl = args.ctl.split("\x1f")
    t0 = time.time()
    subprocess.run(ctl + ["campaign", "start", args.team, str(args.campaign)],
                   check=True, stdout=subprocess.DEVNULL)
    t_stop = t0 + args.duration
    seen, due, acw_off, acw_bad = set(), [], 0, 0
    stopped = None
    last_say = t0
    while True:
        now = time.time()
        if stopped is None and now >= t_stop:
            subprocess.run(ctl + ["campaign", "stop", args.team, str(args.campaign)],
                           check=True, stdout=subprocess.DEVNULL)
            stopped = time.time()
            say(f"campaign stopped after {stopped - t0:.0f} s; calls still up run to their end")
        # agents whose campaign call ended: ACW, ended wrap seconds later
        rows = db.execute("SELECT sessionid, agent, end_ms FROM cdr WHERE end_ms > 0 AND "
                          "agent <> '' AND modeltype = 'Campaign' AND model_id = ?",
                          (str(args.campaign),)).fetchall()
        for sid, agent, end_ms in rows:
            if sid not in seen:
                seen.add(sid)
                if not args.no_acwoff:
                    due.append((end_ms / 1000 + args.wrap, agent))
        due.sort()
        while due and due[0][0] <= now:
            _, agent = due.pop(0)
            _, body = api.call(agent, "ACWOFF")
            acw_off += 1
            if not body.startswith("|Retuen|1|"):
                acw_bad += 1
        if stopped is not None:
            (open_calls,) = db.execute("SELECT count(*) FROM cdr WHERE end_ms = 0").fetchone()
            if not open_calls and not due:
                break
            if now - stopped > args.drain:
                say(f"drain: {open_calls} calls still open after {args.drain} s")
                break
        if now - last_say >= 60:
            last_say = now
            (n,) = db.execute("SELECT count(*) FROM cdr WHERE modeltype = 'Campaign'").fetchone()
            say(f"{now - t0:.0f} s: {n} dials, {len(seen)} agent calls ended")
        time.sleep(0.1)
    json.dump({"t0": t0, "t_stop": stopped, "duration": args.duration,
               "acw_off": acw_off, "acw_off_refused": acw_bad,
               "t_end": time.time()}, open(args.out, "w"))
    say(f"run over: {acw_off} wrap-ups ended with ACWOFF ({acw_bad} refused)")


# ---- sipp message traces and the pcap ----------------------------------------------

SEP = re.compile(r"^-{20,} (\d{4}-\d\d-\d\d)\s+(\d\d:\d\d:\d\d\.\d+)")


def sipp_trace(path):
    """(time, 'sent'|'received', first line, headers dict, body) per message"""
    out = []
    cur = None
    lines = []

    def flush():
        if cur is None:
            return
        text = "\n".join(lines).strip("\n")
        head, _, body = text.partition("\n\n")
        hl = head.split("\n")
        first = hl[0].strip() if hl else ""
        hdrs = {}
        for h in hl[1:]:
            k, _, v = h.partition(":")
            hdrs.setdefault(k.strip().lower(), v.strip())
        out.append((cur[0], cur[1], first, hdrs, body))

    try:
        f = open(path, errors="replace")
    except FileNotFoundError:
        return out
    for line in f:
        line = line.rstrip("\r\n")
        m = SEP.match(line)
        if m:
            flush()
            t = time.mktime(time.strptime(f"{m[1]} {m[2].split('.')[0]}", "%Y-%m-%d %H:%M:%S"))
            cur = [t + float("0." + m[2].split(".")[1]), None]
            lines = []
            continue
        if cur is not None and cur[1] is None:
            if "message sent" in line:
                cur[1] = "sent"
                continue
            if "message received" in line:
                cur[1] = "received"
                continue
        lines.append(line)
    flush()
    return out


def user_of(v):
    m = re.search(r"sip:([^@;>]+)@", v or "")
    return m[1] if m else ""


def cseq_method(h):
    return (h.get("cseq", "").split() + ["", ""])[1]


def customers(path):
    """per Call-ID: number, t_invite, t_200, t_bye, occd's RTP port"""
    calls = {}
    for t, d, first, h, body in sipp_trace(path):
        cid = h.get("call-id")
        if not cid:
            continue
        c = calls.setdefault(cid, {"number": "", "t_invite": None, "t_200": None,
                                   "t_bye": None, "rtp_port": None, "final": None})
        if d == "received" and first.startswith("INVITE "):
            if c["t_invite"] is None:
                c["t_invite"] = t
                c["number"] = user_of(first)
                m = re.search(r"^m=audio (\d+)", body, re.M)
                c["rtp_port"] = int(m[1]) if m else None
        elif d == "sent" and first.startswith("SIP/2.0 ") and cseq_method(h) == "INVITE":
            code = int(first.split()[1])
            if code >= 200 and c["final"] is None:
                c["final"] = code
                if code == 200:
                    c["t_200"] = t
        elif d == "received" and first.startswith("BYE ") and c["t_bye"] is None:
            c["t_bye"] = t
    return calls


def agents(path):
    """per customer number: the agent phone's INVITE and 200 OK times"""
    out = {}
    for t, d, first, h, body in sipp_trace(path):
        cid = h.get("call-id")
        if d == "received" and first.startswith("INVITE "):
            out.setdefault(cid, {"number": user_of(h.get("from")), "t_invite": t,
                                 "t_200": None})
        elif (d == "sent" and first.startswith("SIP/2.0 200") and
              cseq_method(h) == "INVITE" and cid in out and out[cid]["t_200"] is None):
            out[cid]["t_200"] = t
    by_number = {}
    for a in out.values():
        by_number.setdefault(a["number"], a)
    return by_number


def pcap_voice_times(path):
    """src port -> sorted times of the RTP packets (UDP over IPv4, as
    captured on lo) whose captured payload is not G.711 u-law silence
    (0xff/0x7f): occd sends silence to a held customer, then the message"""
    ports = defaultdict(list)
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        return None
    hdr = f.read(24)
    if len(hdr) < 24:
        return None
    magic = struct.unpack("<I", hdr[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    nano = magic in (0xa1b23c4d, 0x4d3cb2a1)
    linktype = struct.unpack(endian + "I", hdr[20:24])[0]
    skip = {1: 14, 113: 16, 0: 4, 276: 20}.get(linktype, 14)
    while True:
        ph = f.read(16)
        if len(ph) < 16:
            break
        sec, frac, incl, _ = struct.unpack(endian + "IIII", ph)
        data = f.read(incl)
        ip = data[skip:]
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        rtp = ip[ihl + 8:]
        if len(rtp) <= 12 or rtp[0] >> 6 != 2:
            continue
        payload = rtp[12 + 4 * (rtp[0] & 15):]
        if any(b not in (0xff, 0x7f) for b in payload):
            sport = struct.unpack(">H", ip[ihl:ihl + 2])[0]
            ports[sport].append(sec + frac / (1e9 if nano else 1e6))
    for v in ports.values():
        v.sort()
    return ports


def first_after(times, t):
    i = bisect.bisect_left(times or [], t)
    return times[i] if times and i < len(times) else None


def pct(a, b):
    return 100.0 * a / b if b else 0.0


def cmd_report(args):
    run = json.load(open(args.run))
    t0, dur = run["t0"], run["duration"]
    cust = customers(args.customer_trace)
    ag = agents(args.agent_trace)
    rtp = pcap_voice_times(args.pcap) if args.pcap else None
    kv = benchlib.KvOut(args.out)
    dials = sum(1 for c in cust.values() if c["t_invite"] is not None)
    finals = defaultdict(int)
    for c in cust.values():
        finals[c["final"] or "cancelled"] += 1
    live = [c for c in cust.values() if c["t_200"] is not None]
    bridged, abandoned, delays, msg_delays, no_msg = [], [], [], [], 0
    talk_s = 0.0
    for c in live:
        a = ag.get(c["number"])
        if a and a["t_200"] is not None:
            bridged.append(c)
            delays.append(a["t_200"] - c["t_200"])
            if c["t_bye"] is not None:
                lo, hi = max(c["t_200"], t0), min(c["t_bye"], t0 + dur)
                talk_s += max(0.0, hi - lo)
        else:
            abandoned.append(c)
            if rtp is not None:
                t = first_after(rtp.get(c["rtp_port"]), c["t_200"])
                if t is None or t - c["t_200"] > 5:
                    no_msg += 1
                else:
                    msg_delays.append(t - c["t_200"])
    talk_rate = talk_s / 60 / (args.agents * dur / 3600) if dur else 0
    ab_rate = pct(len(abandoned), len(live))
    kv("real_duration_s", f"{dur:.0f}")
    kv("real_dials", dials)
    kv("real_live", len(live))
    kv("real_abandons", len(abandoned))
    kv("real_abandon_pct", f"{ab_rate:.2f}")
    kv("real_talk", f"{talk_rate:.1f}")
    kv("real_fail_share_pct", f"{pct(finals.get(404, 0), dials):.1f}")
    kv("real_noanswer_share_pct", f"{pct(finals.get(487, 0) + finals.get('cancelled', 0), dials):.1f}")
    kv("real_live_share_pct", f"{pct(len(live), dials):.1f}")
    kv("real_acw_off", run.get("acw_off", 0))
    kv("real_acw_off_refused", run.get("acw_off_refused", 0))
    delays.sort()
    msg_delays.sort()
    q = lambda v, p: v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))] if v else 0
    kv("rule_bridged", len(delays))
    kv("rule_bridged_p50_ms", f"{q(delays, 0.5) * 1000:.0f}")
    kv("rule_bridged_max_ms", f"{(delays[-1] if delays else 0) * 1000:.0f}")
    kv("rule_bridged_over_2s", sum(1 for d in delays if d > RULE_S))
    kv("rule_abandoned", len(abandoned))
    kv("rule_msg_checked", len(msg_delays) if rtp is not None else "no pcap")
    kv("rule_msg_max_ms", f"{(msg_delays[-1] if msg_delays else 0) * 1000:.0f}")
    kv("rule_msg_over_2s", sum(1 for d in msg_delays if d > RULE_S))
    kv("rule_msg_missing", no_msg)
    # the product's own report over the same calls, for comparison
    rep = {}
    try:
        out = subprocess.run(args.ctl.split("\x1f") + ["campaign", "report", args.team,
                             str(args.campaign), "--json"], capture_output=True, text=True,
                             check=True).stdout
        rep = json.loads(out)
    except (subprocess.CalledProcessError, ValueError) as e:
        say(f"campaign report: {e}")
    days = rep.get("days", [])
    kv("report_dials", sum(d.get("dials", 0) for d in days))
    kv("report_live", sum(d.get("live", 0) for d in days))
    kv("report_abandons", sum(d.get("abandons", 0) for d in days))
    kv("report_talk_min", f"{sum(d.get('talk_min', 0) for d in days):.1f}")
    # side by side with the simulation
    sim = benchlib.load_env([args.sim]) if args.sim else {}
    checks = []
    for name, real, key in (("abandon rate", ab_rate, "sim_abandon_median_pct"),
                            ("talk min/h", talk_rate, "sim_talk_median")):
        s = float(sim.get(key, "nan"))
        dev = (real - s) / s * 100 if s else float("nan")
        kv(f"dev_{key}", f"{dev:+.0f}")
        within = abs(dev) <= 20
        kv(f"within20_{key}", "yes" if within else "no")
        lo = float(sim.get(key.replace("median", "p10"), "nan"))
        hi = float(sim.get(key.replace("median", "p90"), "nan"))
        kv(f"in_p10_p90_{key}", "yes" if lo <= real <= hi else "no")
        say(f"{name}: real {real:.2f}, simulation median {s:.2f} (p10-p90 {lo:.2f}-{hi:.2f}); "
            f"{dev:+.0f} %: {'within' if within else 'NOT within'} 20 %")
    checks.append(("calls were made and answered", len(live) > 0 and dials > 0))
    checks.append(("every bridged live answer reached an agent within 2 s (packets)",
                   bool(delays) and delays[-1] <= RULE_S))
    checks.append(("every abandoned answer heard the message within 2 s (packets)",
                   rtp is not None and no_msg == 0 and
                   (not msg_delays or msg_delays[-1] <= RULE_S)))
    checks.append(("the campaign report counts the same live answers and abandons",
                   kv_int(rep, "live") == len(live) and kv_int(rep, "abandons") == len(abandoned)))
    checks.append(("no ACWOFF refused", run.get("acw_off_refused", 0) == 0))
    ok = True
    for what, good in checks:
        say(f"  {'ok  ' if good else 'FAIL'} {what}")
        ok = ok and good
    kv("dialer_sip_verified", "yes" if ok else "no")
    sys.exit(0 if ok else 1)


def kv_int(rep, k):
    return sum(d.get(k, 0) for d in rep.get("days", []))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("setup", "run", "report"):
        s = sub.add_parser(name)
        s.add_argument("--http", type=int, default=0)
        s.add_argument("--team", default="bench")
        s.add_argument("--password", default="pw")
        s.add_argument("--account", default="admin")
        s.add_argument("--account-password", default="adminpw")
        s.add_argument("--campaign", type=int, default=1)
        s.add_argument("--ctl", default="")
        s.add_argument("--db", default="")
        s.add_argument("--out", default="")
    sp = sub.choices
    sp["setup"].add_argument("--first", type=int, required=True)
    sp["setup"].add_argument("--count", type=int, required=True)
    sp["setup"].add_argument("--group", type=int, required=True)
    sp["setup"].add_argument("--records", type=int, required=True)
    sp["setup"].add_argument("--number-base", type=int, default=13900000000)
    sp["run"].add_argument("--duration", type=float, required=True)
    sp["run"].add_argument("--wrap", type=float, required=True)
    sp["run"].add_argument("--no-acwoff", action="store_true",
                           help="occd ends the ACW itself (the group's "
                           "--acw-time): send no ACWOFF")
    sp["run"].add_argument("--drain", type=float, default=180)
    sp["report"].add_argument("--run", required=True)
    sp["report"].add_argument("--customer-trace", required=True)
    sp["report"].add_argument("--agent-trace", required=True)
    sp["report"].add_argument("--pcap", default="")
    sp["report"].add_argument("--agents", type=int, required=True)
    sp["report"].add_argument("--sim", default="")
    args = p.parse_args()
    {"setup": cmd_setup, "run": cmd_run, "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    main()
