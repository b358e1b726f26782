"""lib.py — helpers for the event-sink tests (python3 stdlib only).

TAP output, free ports, processes this test started (and only those) killed
at exit, occd started on a data directory (and restarted on it), the HTTP
interface, the store read-only, and the parsing of event messages.
"""
import atexit
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import traceback
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OCCD = os.environ.get("OCCD", os.path.join(ROOT, "build/asan/occd"))
OCCCTL = os.environ.get("OCCCTL", os.path.join(ROOT, "build/asan/occctl"))

_n = 0
failed = 0
_procs = []


def ok(cond, desc, diag=None):
    global _n, failed
    _n += 1
    if cond:
        print(f"ok {_n} - {desc}", flush=True)
    else:
        failed += 1
        print(f"not ok {_n} - {desc}", flush=True)
        if diag:
            for line in str(diag).splitlines()[-25:]:
                print(f"# {line}", flush=True)
    return cond


def note(msg):
    for line in str(msg).splitlines():
        print(f"# {line}", flush=True)


# a server's port below the ephemeral range, held until this process exits
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from freeport import free_port  # noqa: E402


def spawn(argv, log, env=None, **kw):
    """Start a process of ours, output to log; killed at exit."""
    out = open(log, "ab")
    p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, env=env, **kw)
    out.close()
    _procs.append(p)
    return p


def stop(p, sig=signal.SIGTERM, timeout=10):
    """Stop one process of ours; its exit status (None if it hung)."""
    if p.poll() is None:
        try:
            p.send_signal(sig)
        except ProcessLookupError:
            pass
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None


def _cleanup():
    for p in _procs:
        if p.poll() is None:
            try:
                p.kill()
                p.wait(5)
            except Exception:
                pass


atexit.register(_cleanup)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))


def wait_until(pred, timeout, step=0.1):
    end = time.time() + timeout
    while True:
        v = pred()
        if v or time.time() >= end:
            return v
        time.sleep(step)


class Receiver:
    """tests/events/receiver.py on a port; can be stopped and restarted."""

    def __init__(self, work, name, port=None, extra=()):
        self.port = port or free_port()
        self.log = os.path.join(work, f"{name}.jsonl")
        self.out = os.path.join(work, f"{name}.out")
        self.extra = list(extra)
        self.p = None
        open(self.log, "a").close()

    def start(self):
        self.p = spawn([sys.executable, os.path.join(HERE, "receiver.py"),
                        str(self.port), self.log] + self.extra, self.out)
        ok_ = wait_until(lambda: _listening(self.port), 10)
        if not ok_:
            raise RuntimeError(f"receiver on {self.port} did not start")

    def stop(self):
        if self.p:
            stop(self.p)
            self.p = None

    def url(self, path="/ev"):
        return f"http://127.0.0.1:{self.port}{path}"

    def records(self):
        with open(self.log) as f:
            return [json.loads(line) for line in f if line.strip()]

    def eventids(self):
        return [int(form(r["body"]).get("eventid", "0"))
                for r in self.records()]


def _listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


class Occd:
    """An occd on a data directory; start() again after a kill restarts it
    on the same data."""

    def __init__(self, work, config_text=""):
        self.work = work
        self.data = os.path.join(work, "data")
        self.http = free_port()
        self.sip = free_port()
        self.url = f"http://127.0.0.1:{self.http}"
        self.conf = os.path.join(work, "occ.conf")
        with open(self.conf, "w") as f:
            f.write(config_text)
        self.runs = 0
        self.p = None
        self.logs = []

    def start(self):
        self.runs += 1
        log = os.path.join(self.work, f"occd.{self.runs}.log")
        self.logs.append(log)
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS",
                       "detect_leaks=1:abort_on_error=0:exitcode=86")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        self.p = spawn([OCCD, "--demo", "--config", self.conf, "--data",
                        self.data, "--http", f"127.0.0.1:{self.http}",
                        "--sip", f"127.0.0.1:{self.sip}"], log, env=env)
        if not wait_until(self.healthy, 20):
            raise RuntimeError("occd did not start:\n" + self.log_text())

    def healthy(self):
        if self.p.poll() is not None:
            raise RuntimeError("occd exited:\n" + self.log_text())
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                return True
        except Exception:
            return False

    def log_text(self):
        return "".join(open(p, errors="replace").read() for p in self.logs)

    def kill9(self):
        self.p.send_signal(signal.SIGKILL)
        self.p.wait()

    def stop(self):
        return stop(self.p)

    def sanitizer_report(self):
        return re.findall(r"ERROR: (?:AddressSanitizer|LeakSanitizer).*|"
                          r"runtime error:.*", self.log_text())

    def metrics(self):
        """/metrics as {'name{labels}': value} (the Prometheus parser
        itself is tests/metrics' business)"""
        with urllib.request.urlopen(self.url + "/metrics", timeout=10) as r:
            text = r.read().decode()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                k, v = line.rsplit(" ", 1)
                out[k] = float(v)
        return out

    def api(self, agent, event, **fields):
        q = {"EVENT": event, "orgidentity": "demo", "usertype": "agent",
             "user": agent, "pwdtype": "plaintext", "password": agent}
        q.update(fields)
        body = urllib.parse.urlencode(q).encode()
        try:
            with urllib.request.urlopen(self.url + "/coccinterfaces", body,
                                        timeout=5) as r:
                return r.read().decode()
        except Exception as e:
            return f"error: {e}"

    def occctl(self, *args):
        r = subprocess.run([OCCCTL, "--data", self.data] + list(args),
                           capture_output=True, text=True, timeout=30)
        return r.returncode, r.stdout + r.stderr

    def reloads(self):
        with open(self.logs[-1], errors="replace") as f:
            return f.read().count("provisioning reloaded")

    def team_set(self, key, value, team="demo"):
        """occctl team set, then wait until occd has reloaded (SIGHUP)."""
        n = self.reloads()
        rc, out = self.occctl("team", "set", team, key, value)
        if rc == 0 and not wait_until(lambda: self.reloads() > n, 10):
            return 1, out + "\n(occd did not reload)"
        return rc, out

    def events(self, team="demo"):
        """[(eventid, agent1, agent2, text)] of the team, from the store."""
        db = os.path.join(self.data, "occ.db")
        c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return c.execute(
                "SELECT e.eventid, e.agent1, e.agent2, e.text FROM events e"
                " JOIN teams t ON t.id = e.team_id WHERE t.name = ?"
                " ORDER BY e.eventid", (team,)).fetchall()
        finally:
            c.close()

    def last_eventid(self, team="demo"):
        ev = self.events(team)
        return ev[-1][0] if ev else 0


def form(body):
    """An application/x-www-form-urlencoded body as a dict."""
    return dict(urllib.parse.parse_qsl(body, keep_blank_values=True))


def message(text):
    """An event message (values escaped only for '%', '&', '=' and control
    bytes, see src/events/callev.h) as a dict."""
    out = {}
    for pair in text.split("&"):
        if not pair:
            continue
        k, _, v = pair.partition("=")
        out[urllib.parse.unquote(k)] = urllib.parse.unquote(v)
    return out


def stops_clean(occd):
    """occd stops on SIGTERM with status 0, no sanitizer report in its logs"""
    rc = occd.stop()
    ok(rc == 0, "occd stops cleanly on SIGTERM", f"exit status {rc}")
    rep = occd.sanitizer_report()
    ok(not rep, "no sanitizer report in occd's logs", "\n".join(rep))


def harness_failed(e):
    """a crash of the test's own code is a failure, with its traceback"""
    ok(False, f"test harness: {e}", traceback.format_exc())


def finish():
    print(f"# {_n - failed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)
