#!/usr/bin/env python3
"""Lifecycle: what an operator relies on across restarts and provisioning.

- agent state (check-in, pause with reason, device, DefaultGroup's default
  dial-out group) survives an occd restart,
  and agentRealtime still counts the pause taken before the restart;
- SIGTERM stops occd cleanly (exit 0) and SIGINT too;
- occctl changes reach a running occd (SIGHUP reload): a new agent can log in
  at once, a changed password replaces the old one (the verification cache
  must not keep accepting the old password), a removed agent is refused;
- occd refuses to start on a bad configuration, with a clear message;
- logs: a flood of malformed SIP from one source grows the log by a bounded
  number of lines (libre's "msg decode err" in occd's format, then a
  "suppressed similar lines n=" count), a user name with a space is logged
  quoted (no forged field), and the agent state log keeps
  [store] state_log_retention_days without changing today's agentRealtime.

Usage: test_lifecycle.py [OCCD] [OCCCTL]   (default: the ASan builds)
"""
import os
import re
import sqlite3
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OCCD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/asan/occd")
OCCCTL = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "build/asan/occctl")

n = 0
failures = 0


def check(cond, what, detail=""):
    global n, failures
    n += 1
    if cond:
        print(f"ok {n} - {what}")
    else:
        failures += 1
        print(f"not ok {n} - {what}: {detail}")


# a server's port below the ephemeral range, held until this process exits
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from freeport import free_port  # noqa: E402


class Occd:
    def __init__(self, data, demo=True, extra=()):
        self.data = data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.sip_port = free_port()
        args = [OCCD, "--data", data, "--http", f"127.0.0.1:{self.port}",
                "--sip", f"127.0.0.1:{self.sip_port}", *extra]
        if demo:
            args.append("--demo")
        self.log = open(os.path.join(data, "occd.log"), "a")
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:exitcode=86")
        self.p = subprocess.Popen(args, stdout=self.log, stderr=self.log, env=env)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.p.poll() is not None:
                raise RuntimeError(f"occd exited {self.p.returncode} at start")
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("occd did not answer within 10 s")

    def call(self, **fields):
        body = urllib.parse.urlencode(fields).encode()
        with urllib.request.urlopen(self.url + "/coccinterfaces", body, timeout=10) as r:
            return r.read().decode()

    def stop(self, sig=signal.SIGTERM):
        self.p.send_signal(sig)
        try:
            rc = self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = "timeout"
        self.log.close()
        return rc


AUTH = dict(orgidentity="demo", usertype="agent", pwdtype="plaintext")


def agent(num, pw=None):
    return dict(AUTH, user=num, password=pw or num)


def log_clean(data):
    with open(os.path.join(data, "occd.log")) as f:
        text = f.read()
    bad = re.findall(r"ERROR: (?:Address|Leak)Sanitizer|runtime error:|undeclared backmsg", text)
    return not bad, "; ".join(bad)


def occctl(data, *args):
    r = subprocess.run([OCCCTL, "--data", data, *args], capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout + r.stderr


FIELD = re.compile(r'([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)')


def logfmt(line):
    """The fields of one log line, as a logfmt reader splits them."""
    out = {}
    for m in FIELD.finditer(line):
        v = m.group(2)
        if v.startswith('"'):
            v = re.sub(r'\\(.)', r'\1', v[1:-1])
        out[m.group(1)] = v
    return out


def log_lines(data):
    with open(os.path.join(data, "occd.log"), errors="replace") as f:
        return f.read().splitlines()


def wait_for_log(data, pattern, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        hits = [l for l in log_lines(data) if re.search(pattern, l)]
        if hits:
            return hits
        time.sleep(0.25)
    return []


def test_log_flood(data):
    """Malformed SIP at speed from one source: libre's complaint is an occd
    log line, written at most [log] rate_burst (100) + rate_limit (20)/s
    times, then counted."""
    d = Occd(data)
    before = len(log_lines(data))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    start = time.time()
    sent = 0
    while time.time() - start < 3:
        for _ in range(100):
            try:
                sock.sendto(b"NOT SIP \x01\x02\r\n\r\n", ("127.0.0.1", d.sip_port))
                sent += 1
            except OSError:
                pass
    sock.close()
    summary = wait_for_log(data, r"topic=libre .*suppressed similar lines", 10)
    elapsed = time.time() - start
    alive = d.call(EVENT="AGENTSTATUS", **agent("8001")).startswith("|Retuen|")
    rc = d.stop()
    lines = log_lines(data)[before:]
    decode = [l for l in lines if "msg decode err" in l and "suppressed" not in l]
    raw = [l for l in lines if not l.startswith("ts=")]
    budget = 100 + 20 * (elapsed + 1)
    check(decode and all(logfmt(l).get("topic") == "libre" and logfmt(l).get("level") == "warn"
                         for l in decode),
          "libre's msg decode err is an occd log line (topic=libre)",
          (decode or lines or ["nothing"])[:2])
    check(not raw, "nothing reaches stderr outside occd's log format", raw[:3])
    check(len(decode) <= budget,
          f"at most {int(budget)} decode lines for {sent} datagrams in {elapsed:.1f} s",
          len(decode))
    suppressed = sum(int(logfmt(l).get("n", 0)) for l in summary)
    check(summary and suppressed > 0 and 'format="sip: msg decode err' in summary[0],
          "a summary counts the suppressed lines", summary[:2])
    check(len(lines) <= budget + 60, "the log grew by a bounded number of lines",
          f"{len(lines)} lines for {sent} datagrams")
    check(alive and rc == 0, "occd serves and stops cleanly after the flood", (alive, rc))


def test_log_quoting(data):
    """A user name with a space cannot forge a field of the log line."""
    d = Occd(data)
    r = d.call(EVENT="LOGIN", **agent("8001 forged=1", "wrong"))
    check(r.startswith("|Retuen|2|"), "login with a forged user name fails", r)
    d.stop()
    failed = [logfmt(l) for l in log_lines(data) if "login failed" in l]
    check(failed and failed[-1].get("user") == "demo/8001 forged=1"
          and "forged" not in failed[-1],
          "the failed login is logged with the user quoted, no forged field",
          [l for l in log_lines(data) if "login failed" in l][-1:])


def ephemeral_ports():
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        lo, hi = f.read().split()
    return int(lo), int(hi)


def test_rtp_port_range(data):
    """[media] rtp_port_min/max: the default stays clear of the kernel's
    ephemeral ports; a range overlapping them is taken with a warning."""
    lo, hi = ephemeral_ports()
    d = Occd(data, demo=False)
    d.stop()
    started = [l for l in log_lines(data) if "rtp ports=" in l]
    check(started and "rtp ports=20000-32767" in started[-1],
          "occd's default RTP ports are 20000-32767", started[-1:])
    if lo > 32767:
        check(not any("ephemeral" in l for l in log_lines(data)),
              "the default range draws no warning on this kernel", (lo, hi))
    conf = os.path.join(data, "rtp.conf")
    with open(conf, "w") as f:
        f.write(f"[media]\nrtp_port_min = {lo + 100}\nrtp_port_max = {lo + 199}\n")
    d = Occd(data, demo=False, extra=("--config", conf))
    d.stop()
    warned = [l for l in log_lines(data) if "ephemeral" in l]
    check(warned and f"rtp={lo + 100}-{lo + 199}" in warned[-1]
          and f"ephemeral={lo}-{hi}" in warned[-1] and "level=warn" in warned[-1],
          "a range inside the ephemeral ports is taken with a warning naming both", warned[-1:])


def test_state_log_retention(data):
    """Rows older than [store] state_log_retention_days (90) go; each agent's
    last older row (its state in force) and today's stay, and agentRealtime
    answers the same."""
    d = Occd(data)
    d.call(EVENT="QUEUE", type="1", list="1", deviceexten="8001", **agent("8001"))
    d.call(EVENT="QUEUEPAUSE", type="1", pause_reason="lunch", **agent("8001"))
    time.sleep(1.1)
    d.call(EVENT="QUEUEPAUSE", type="2", **agent("8001"))
    realtime = d.call(EVENT="AgentRealtime", **agent("8001"))
    d.stop()
    day = 86400 * 1000
    now = int(time.time() * 1000)
    db = sqlite3.connect(os.path.join(data, "occ.db"))
    aid = db.execute("SELECT a.id FROM agents a JOIN teams t ON t.id = a.team_id"
                     " WHERE t.name = 'demo' AND a.number = '8001'").fetchone()[0]
    today = db.execute("SELECT count(*) FROM state_log WHERE agent_id = ?", (aid,)).fetchone()[0]
    for age in (200, 150, 120, 91):     # the 91-day-old row is in force at the cutoff
        db.execute("INSERT INTO state_log (agent_id, ts_ms, state, pause_reason)"
                   " VALUES (?, ?, 4, 'lunch')", (aid, now - age * day))
    db.commit()
    db.close()

    d = Occd(data)
    pruned = wait_for_log(data, r"state log pruned team=demo", 20)
    after = d.call(EVENT="AgentRealtime", **agent("8001"))
    d.stop()
    db = sqlite3.connect(os.path.join(data, "occ.db"))
    old = [r[0] for r in db.execute("SELECT ts_ms FROM state_log WHERE agent_id = ?"
                                    " AND ts_ms < ? ORDER BY ts_ms", (aid, now - 90 * day))]
    kept_today = db.execute("SELECT count(*) FROM state_log WHERE agent_id = ?"
                            " AND ts_ms >= ?", (aid, now - day)).fetchone()[0]
    db.close()
    check(pruned and logfmt(pruned[0]).get("n") == "3",
          "retention deletes the three rows older than 90 days", pruned or "no prune line")
    check(old == [now - 91 * day], "the agent's row in force at the cutoff stays", old)
    check(kept_today == today and today >= 2, "today's rows stay", (kept_today, today))
    # field 3 is the time in the current state; the pause counts and times follow
    f0, f1 = (r.split("|Retuen|")[-1].split("|") for r in (realtime, after))
    check(len(f0) == 18 and f0[4] == "1" and f1[:3] + f1[4:] == f0[:3] + f0[4:],
          "agentRealtime answers the same after the pruning", (realtime, after))


def main():
    data = tempfile.mkdtemp(prefix="occ-life.")
    try:
        d = Occd(data)
        r = d.call(EVENT="QUEUE", type="1", list="1,2", deviceexten="8004", **agent("8003"))
        check(r == "|Retuen|1|Retuen|1:success,2:success", "check in to both groups", r)
        r = d.call(EVENT="QUEUEPAUSE", type="1", pause_reason="meeting", **agent("8003"))
        check(r == "|Retuen|1|Retuen|BackMsg_14", "pause for a meeting", r)
        # the default dial-out group (the first checked-in one, 1, unless set)
        r = d.call(EVENT="DefaultGroup", agent_group_id="2", **agent("8003"))
        check(r == "|Retuen|1|Retuen|2", "DefaultGroup 2", r)
        time.sleep(1.2)
        rc = d.stop(signal.SIGTERM)
        check(rc == 0, "SIGTERM stops occd with status 0", rc)

        d = Occd(data)
        r = d.call(EVENT="AGENTSTATUS", **agent("8003"))
        check(r == "|Retuen|1|Retuen|BackMsg_43|Retuen|1-pause,2-pause,",
              "check-in and pause survive a restart", r)
        r = d.call(EVENT="MyInfo", **agent("8003"))
        check('"dialout_default_group_id":"2"' in r,
              "the default dial-out group (DefaultGroup) survives a restart", r)
        r = d.call(EVENT="AgentRealtime", **agent("8003"))
        f = r.split("|Retuen|")[-1].split("|")
        check(len(f) == 18 and f[2] == "pause" and f[4] == "1" and f[7] == "1"
              and int(f[11]) >= 1 and f[14] == f[11],
              "agentRealtime after restart counts the meeting pause and its time", r)
        r = d.call(EVENT="LOGIN", **agent("8003"))
        check("agentline=online" in r and "status=pause" in r,
              "login param shows the restored state", r)
        r = d.call(EVENT="QUEUEPAUSE", type="2", **agent("8003"))
        check(r == "|Retuen|1|Retuen|BackMsg_14", "unpause after restart", r)

        # provisioning while occd runs
        code, out = occctl(data, "agent", "add", "demo", "8101", "pw8101", "--name", "New Hire")
        check(code == 0, "occctl agent add while occd runs", out)
        code, out = occctl(data, "member", "add", "demo", "1", "8101")
        check(code == 0, "occctl member add", out)
        r = d.call(EVENT="QUEUE", type="1", list="1", **agent("8101", "pw8101"))
        check(r == "|Retuen|1|Retuen|1:success", "the new agent works at once (SIGHUP reload)", r)
        r = d.call(EVENT="AGENTSTATUS", **agent("8003"))
        check(r.endswith("1-idle,2-idle,"), "runtime state kept across the reload", r)

        r = d.call(EVENT="AGENTSTATUS", **agent("8002"))
        check(r.startswith("|Retuen|1|"), "8002 verified (its password now cached)", r)
        code, out = occctl(data, "agent", "passwd", "demo", "8002", "n3w-secret")
        check(code == 0, "occctl agent passwd", out)
        r = d.call(EVENT="AGENTSTATUS", **agent("8002"))
        check(r == "|Retuen|2|Retuen|BackMsg_03", "the old password is refused after a change", r)
        r = d.call(EVENT="AGENTSTATUS", **agent("8002", "n3w-secret"))
        check(r.startswith("|Retuen|1|"), "the new password works", r)

        code, out = occctl(data, "agent", "remove", "demo", "8101")
        check(code == 0, "occctl agent remove", out)
        r = d.call(EVENT="AGENTSTATUS", **agent("8101", "pw8101"))
        check(r == "|Retuen|2|Retuen|BackMsg_03", "a removed agent is refused", r)
        r = d.call(EVENT="TeamStatus", status="all", **agent("8001"))
        check("8101" not in r and "8003:idle" in r, "teamStatus no longer lists it", r)

        code, out = occctl(data, "status", "demo")
        check(code == 0 and re.search(r"8003.*idle", out) is not None,
              "occctl status shows 8003 idle", out)

        rc = d.stop(signal.SIGINT)
        check(rc == 0, "SIGINT stops occd with status 0", rc)
        ok, bad = log_clean(data)
        check(ok, "occd log has no sanitizer report", bad)

        # a bad configuration is refused with a message naming the line
        conf = os.path.join(data, "bad.conf")
        with open(conf, "w") as f:
            f.write("[system]\nwebroot_address = http://x/\n[http]\nlistn = 1\n")
        r = subprocess.run([OCCD, "--config", conf, "--data", data], capture_output=True,
                           text=True, timeout=10)
        check(r.returncode != 0 and "bad.conf:4" in r.stderr and "listn" in r.stderr,
              "a config typo stops occd with file:line", r.stderr)
        # an empty RTP port range stops occd, naming both keys
        with open(conf, "w") as f:
            f.write("[media]\nrtp_port_min = 30000\nrtp_port_max = 30000\n")
        r = subprocess.run([OCCD, "--config", conf, "--data", data,
                            "--http", f"127.0.0.1:{free_port()}",
                            "--sip", f"127.0.0.1:{free_port()}"],
                           capture_output=True, text=True, timeout=20)
        out = r.stdout + r.stderr
        check(r.returncode != 0 and "rtp_port_min=30000 is not below rtp_port_max=30000" in out,
              "an empty [media] RTP port range stops occd with both keys named", out[-400:])
        r = subprocess.run([OCCD, "--dump-config"], capture_output=True, text=True, timeout=10)
        check(r.returncode == 0 and "webroot_address" in r.stdout and "[security]" in r.stdout,
              "--dump-config prints the keys", r.stdout[:200])
    finally:
        shutil.rmtree(data, ignore_errors=True)
    for test in (test_log_flood, test_log_quoting, test_state_log_retention,
                 test_rtp_port_range):
        data = tempfile.mkdtemp(prefix="occ-life.")
        try:
            test(data)
            ok, bad = log_clean(data)
            check(ok, f"{test.__name__}: occd log has no sanitizer report", bad)
        finally:
            shutil.rmtree(data, ignore_errors=True)
    print(f"# {n - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
