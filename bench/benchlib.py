"""bench/benchlib.py — Python shared by the bench drivers, reports and doc
rewriters (bench/calls, bench/mixing, bench/events, bench/update_doc.py).

Standard library only; the scripts import it with bench/ on sys.path and
run with python3 -B (nothing is written next to it).

  drivers     say (progress on stderr, tagged with TAG), /proc counters,
              Sampler, sipp statistics, the HTTP API client, provisioning,
              logins and the idle check of the "bench" team, wait_quiet,
              predict, CDR queries, recordings
  reports     jsonl, load_json, KvOut (key=value results), pct, conclude
  doc         load_env, num, pct, mib, machine_line, update_doc_main
"""
import hashlib
import http.client
import json
import math
import os
import re
import socket
import sqlite3
import sys
import threading
import time
import urllib.parse
import wave
from concurrent.futures import ThreadPoolExecutor

HZ = os.sysconf("SC_CLK_TCK")

# the progress tag: "calls", "mixing" (set by the driver)
TAG = "bench"


def say(*a):
    print(time.strftime("%H:%M:%S"), TAG + ":", *a, file=sys.stderr, flush=True)


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


def udp_drops(match):
    """drops counted on the UDP sockets whose /proc/net/udp row (split)
    match accepts"""
    n = 0
    try:
        with open("/proc/net/udp") as f:
            next(f)
            for line in f:
                p = line.split()
                if match(p):
                    n += int(p[-1])
    except (OSError, ValueError, IndexError):
        pass
    return n


def udp_socket_drops(port):
    """drops counted on the UDP sockets bound to a local port"""
    return udp_drops(lambda p: int(p[1].split(":")[1], 16) == port)


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
    return udp_drops(lambda p: p[9] in inodes)


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
                "gen_each": [proc_ticks([p]) for p in self.gen],
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
                # each load generator (--gen-pids order), the driver apart
                "gen_each_cpu": [round((y - x) / HZ / dt, 3)
                                 for x, y in zip(a["gen_each"], b["gen_each"])],
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
        say(f"  (machine busy: other processes use {other:.0%} of a CPU; waiting)")
    say("  (wait-quiet time used up; measuring anyway)")


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


def metric_hist(port, name):
    """(sum, count) of histogram NAME in occd's GET /metrics (Prometheus
    text), or None if it cannot be read"""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/metrics")
        r = conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        conn.close()
    except (OSError, http.client.HTTPException):
        return None
    if r.status != 200:
        return None
    got = {}
    for line in text.splitlines():
        for part in ("_sum", "_count"):
            if line.startswith(name + part + " "):
                got[part] = float(line.split()[1])
    return (got["_sum"], got["_count"]) if len(got) == 2 else None


# Linux's SO_TIMESTAMPNS (= SCM_TIMESTAMPNS, asm-generic: x86-64, arm64);
# Python's socket module does not name it
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


class StampedApi:
    """One keep-alive connection that times each reply from just before
    its request is written to the kernel's receive stamp of the reply's
    last segment (SO_TIMESTAMPNS): the server's reply time, without the
    client's own wait for a CPU once the reply is in (a load generator on
    the client's CPU would otherwise count). As bench/events/sse_bench.c's
    API probe does. call() returns (status, body, stamped ms, wall ms);
    stamped ms is the wall ms when the kernel gave no stamp."""

    def __init__(self, port, team, password):
        self.port, self.team, self.password = port, team, password
        self.sock = None

    def _connect(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock = s

    def _read_reply(self):
        buf, stamp = b"", None
        while True:
            data, anc, _, _ = self.sock.recvmsg(65536, socket.CMSG_SPACE(16))
            if not data:
                raise OSError("connection closed")
            for level, kind, payload in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS \
                        and len(payload) >= 16:
                    sec = int.from_bytes(payload[0:8], "little", signed=True)
                    nsec = int.from_bytes(payload[8:16], "little", signed=True)
                    stamp = sec * 1_000_000_000 + nsec
            buf += data
            head, sep, body = buf.partition(b"\r\n\r\n")
            if not sep:
                continue
            m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            if m and len(body) >= int(m.group(1)):
                status = int(head.split(b" ", 2)[1])
                return status, body[:int(m.group(1))].decode("utf-8", "replace"), stamp

    def call(self, agent, event, **params):
        body = urllib.parse.urlencode(dict(
            EVENT=event, orgidentity=self.team, usertype="agent", user=agent,
            pwdtype="plaintext", password=self.password, **params)).encode()
        req = (b"POST /coccinterfaces HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Content-Type: application/x-www-form-urlencoded\r\n"
               b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        for attempt in (1, 2):
            try:
                if self.sock is None:
                    self._connect()
                t0 = time.time_ns()
                self.sock.sendall(req)
                status, text, stamp = self._read_reply()
                wall = (time.time_ns() - t0) / 1e6
                return status, text, ((stamp - t0) / 1e6 if stamp else wall), wall
            except (OSError, ValueError, IndexError) as e:
                if self.sock:
                    self.sock.close()
                self.sock = None
                if attempt == 2:
                    return 0, f"{type(e).__name__}: {e}", None, None
        return 0, "unreachable", None, None


# ---- the bench team: provision, login, agents --------------------------------

def cmd_provision(args):
    """clone the agent, extension and membership that occctl made for the
    first bench agent into --count agents (occd is not running yet)"""
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
    # one HA1 per digest username form: "N", "N@team", "team/N"
    # (src/core/provision.c, exten_ha1)
    def ha1(n):
        return " ".join(hashlib.md5(f"{u}:{args.team}:{args.secret}".encode()).hexdigest()
                        for u in (n, f"{n}@{args.team}", f"{args.team}/{n}"))
    if ext[0] != ha1(first):
        sys.exit("provision: occctl's HA1 is not MD5(user:team:secret) for the three "
                 "username forms; not cloning")
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
    say(f"provisioned {args.count} agents and extensions {args.first}..{args.first + args.count - 1}")


def cmd_login(args, api=None, agents=None, group_of=None):
    """EVENT=LOGIN + EVENT=QUEUE (check-in, deviceexten = the agent's
    extension) for every agent (default: the bench team's, in group
    --group, through --http)"""
    api = api or Api(args.http, args.team, args.password)
    agents = agents or numbers(args.first, args.count)
    group_of = group_of or (lambda n: args.group)
    bad = []

    def one(n):
        st, body = api.call(n, "LOGIN")
        if not body.startswith("|Retuen|1|Retuen|BackMsg_04|"):
            return (n, "LOGIN", body[:80])
        g = group_of(n)
        st, body = api.call(n, "QUEUE", type="1", list=str(g), deviceexten=n)
        if body != f"|Retuen|1|Retuen|{g}:success":
            return (n, "QUEUE", body[:80])
        return None

    t0 = time.monotonic()
    with ThreadPoolExecutor(8) as ex:
        for r in ex.map(one, agents):
            if r:
                bad.append(r)
    say(f"{len(agents) - len(bad)} agents logged in and checked in "
        f"({time.monotonic() - t0:.1f} s)")
    if bad:
        sys.exit(f"login: {len(bad)} failed, e.g. {bad[:3]}")


def cmd_agents(args, api=None, agents=None):
    """every agent must be idle (EVENT=AGENTSTATUS); JSON on stdout"""
    api = api or Api(args.http, args.team, args.password)
    agents = agents or numbers(args.first, args.count)
    with ThreadPoolExecutor(8) as ex:
        res = list(ex.map(lambda n: (n, api.call(n, "AGENTSTATUS")[1]), agents))
    notidle = [(n, b) for n, b in res
               if not re.fullmatch(r"\|Retuen\|1\|Retuen\|BackMsg_43\|Retuen\|\d+-idle,", b)]
    print(json.dumps({"agents": len(res), "not_idle": len(notidle),
                      "examples": notidle[:5]}))


def add_common_args(p, count_help=None):
    """the options both drivers take, with the same defaults"""
    p.add_argument("--db")
    p.add_argument("--team", default="bench")
    p.add_argument("--secret", default="secret")
    p.add_argument("--password", default="pw")
    p.add_argument("--first", type=int, default=20001)
    p.add_argument("--count", type=int, default=100, help=count_help)
    p.add_argument("--group", type=int, default=1)
    p.add_argument("--http", type=int)
    p.add_argument("--sip", type=int)
    p.add_argument("--occd-pid", type=int)
    p.add_argument("--gen-pids", default="")
    p.add_argument("--server-cpu", type=int, default=-1)
    p.add_argument("--trunk-stat")
    p.add_argument("--rec-dir")
    p.add_argument("--settle", type=float, default=3)
    p.add_argument("--media-timeout", type=float, default=60)
    p.add_argument("--wait-quiet-until", type=float, default=0,
                   help="unix time until which to wait for a quiet machine (0: never)")
    p.add_argument("--rss-base", type=int, default=0)


# ---- the cdr table ------------------------------------------------------------

def query_in(db, sql, values, chunk=500):
    """rows of sql, whose {q} is a list of placeholders, for the values in
    chunks (SQLite limits the number of parameters)"""
    for i in range(0, len(values), chunk):
        part = values[i:i + chunk]
        yield from db.execute(sql.format(q=",".join("?" * len(part))), part)


def count_open(db, targets):
    """how many of the calls (by callee) have no closed CDR yet"""
    got = sum(n for (n,) in query_in(
        db, "SELECT count(*) FROM cdr WHERE callee IN ({q}) AND end_ms > 0", targets))
    return len(targets) - got


def cdr_bad(res, row, hangup_by):
    """the checks of every call's CDR (row: callee, sessionid, disposition,
    hangup_by, ...end_ms...): closed, ANSWERED, hung up by hangup_by. The
    first that fails is counted in res (open, not_answered,
    not_by_HANGUP_BY) and described; None if all hold."""
    _, sid, disp, by, ans, end, rec, day = row
    if not end:
        res["open"] += 1
        return f"cdr open session={sid}"
    if disp != "ANSWERED":
        res["not_answered"] += 1
        return f"disposition {disp} session={sid}"
    if by != hangup_by:
        res[f"not_by_{hangup_by}"] += 1
        return f"hangup_by {by} session={sid}"
    return None


def wait_closed(db, targets, seconds, pid):
    """poll the cdr table until every call's CDR is closed (or seconds
    passed, or pid died); returns how many are still open"""
    end = time.monotonic() + seconds
    while True:
        n = count_open(db, targets)
        if n == 0 or time.monotonic() > end or not alive(pid):
            return n
        time.sleep(0.5)


def recover(db, pid, sipp_calls, limit):
    """after a failed step: wait until occd (pid) has closed every CDR and
    sipp_calls() (the calls left in the sipps) is 0. Returns the seconds
    it took, or None."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if not alive(pid):
            return None
        open_ = db.execute("SELECT count(*) FROM cdr WHERE end_ms = 0").fetchone()[0]
        if open_ == 0 and sipp_calls() == 0:
            return round(time.monotonic() - t0, 1)
        time.sleep(1)
    return None


# ---- recordings -----------------------------------------------------------------

def read_stereo_wav(path):
    """the frames of a 16-bit stereo WAV; OSError, EOFError or wave.Error"""
    with wave.open(path) as w:
        if w.getnchannels() != 2 or w.getsampwidth() != 2:
            raise wave.Error("not 16-bit stereo")
        return w.readframes(w.getnframes())


def purge_recordings(rec_dir, recs, keep):
    """the recordings take 32 kB/s per call: delete the (day, name) ones,
    except those in keep (evidence of a failed check)"""
    for rec in recs:
        if rec and rec[1] and (rec[0], rec[1]) not in keep:
            try:
                os.unlink(os.path.join(rec_dir, rec[0], rec[1]))
            except OSError:
                pass


# ---- reports ------------------------------------------------------------------

def jsonl(path):
    try:
        with open(path) as f:
            return [json.loads(l) for l in f if l.strip()]
    except FileNotFoundError:
        return []


def load_json(path, default):
    try:
        with open(path) as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return default


class KvOut:
    """emit(key, value): one key=value line of the results file"""

    def __init__(self, path):
        self.f = open(path, "w")

    def __call__(self, k, v):
        print(f"{k}={v}", file=self.f)


def conclude(emit, prefix, checks, started):
    """the end of a report: every check as PREFIX_check_*, the line
    "checks: ...", PREFIX_verified and PREFIX_seconds; True if all hold"""
    for k, v in checks.items():
        emit(f"{prefix}_check_" + "".join(c if c.isalnum() else "_" for c in k),
             "yes" if v else "no")
    ok = all(checks.values())
    print("checks: " + ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in checks.items()))
    emit(f"{prefix}_verified", "yes" if ok else "no")
    emit(f"{prefix}_seconds", int(time.time()) - int(started))
    return ok


# ---- docs/BENCHMARKS.md -----------------------------------------------------------

def load_env(paths):
    """key=value lines of the files, later ones winning"""
    kv = {}
    for p in paths:
        with open(p) as f:
            kv.update(l.rstrip("\n").split("=", 1) for l in f if "=" in l)
    return kv


def num(v):
    try:
        return f"{int(float(v)):,}"
    except (TypeError, ValueError):
        return str(v)


def pct(v, digits=0):
    try:
        return f"{float(v):.{digits}%}"
    except (TypeError, ValueError):
        return "?"


def mib(v):
    try:
        return f"{int(v) / 1048576:.1f} MiB"
    except (TypeError, ValueError):
        return "?"


def machine_line(g, cpuinfo=False):
    """the "- Machine: ..." line from bench_machine_facts (lib.sh); g(key,
    default) reads the results"""
    mem_gib = int(g("mem_total_kib", "0")) / 1048576
    return (f"- Machine: {g('nproc')} CPUs (`nproc`), CPU model \"{g('cpu_model')}\""
            + (" (/proc/cpuinfo)" if cpuinfo else "") +
            f", kernel {g('kernel')}, {mem_gib:.1f} GiB RAM; load average before the "
            f"run: {g('load_before')}.")


def rewrite_section(doc, begin, end, new):
    """replace the text from begin to end (the markers, which new holds)
    in the file doc, or append new when they are missing"""
    text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
    b, e = text.find(begin), text.find(end)
    if b >= 0 and e > b:
        text = text[:b] + new.rstrip("\n") + text[e + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + new
    tmp = doc + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, doc)


def update_doc_main(verified, section, begin, end):
    """argv: DOC ENV...; refuses unless every key of verified is yes"""
    doc, paths = sys.argv[1], sys.argv[2:]
    kv = load_env(paths)
    for k in verified:
        if kv.get(k) != "yes":
            sys.exit(f"update_doc: {k} is not yes; not updating {doc}")
    rewrite_section(doc, begin, end, section(kv))
