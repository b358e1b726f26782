#!/usr/bin/env python3
"""test_nchan.py — the nchan publisher (src/events/nchan.c) through a real
nginx + nchan (Debian nginx-light + libnginx-mod-nchan).

Starts a private nginx on free ports with docs/nginx-nchan.conf (only the
listen addresses and the occd upstream replaced), occd with [push]
nchan_publish_url pointing at it and a backend receiver (event_url) to
compare with. The config's token check (GET /push/auth on occd) is played
by a stub here. EventSource subscribers on occd's URL /push/sse?token=T —
ten with a team token, one with agent 8001's, one with agent 8002's — and
one on a raw /sub/team-demo channel then see agent 8001 check in and make
a call:

  - every team subscriber gets every eventid of team demo, in order, each
    message exactly the stored event text; the backend POST got the same
    eventids;
  - agent-demo-8001 gets the events concerning 8001, agent-demo-8002 none;
  - /metrics counts as many nchan publishes as nginx logged, none pending;
  - with nginx stopped, occd keeps working (calls, backend POST) and logs
    (and counts in /metrics) the failed publishes; occd stops cleanly
    without sanitizer reports.
Output is TAP. Everything it starts is killed on exit.
"""
import http.client
import os
import shutil
import socket
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import ok, note  # noqa: E402

NCHAN_SO = "/usr/lib/nginx/modules/ngx_nchan_module.so"
WRAPPER = """
load_module {so};
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    client_body_buffer_size 16k;
    nchan_shared_memory_size 16M;
    include {d}/nchan.conf;
}}
"""


class Subscriber(threading.Thread):
    """An EventSource subscriber: collects the data: lines."""

    def __init__(self, port, path):
        super().__init__(daemon=True)
        self.port, self.channel = port, path
        self.messages = []
        self.connected = threading.Event()
        self.status = None
        self.error = None
        self.conn = None

    def run(self):
        try:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                   timeout=60)
            self.conn.request("GET", self.channel,
                              headers={"Accept": "text/event-stream"})
            r = self.conn.getresponse()
            self.status = r.status
            while True:
                line = r.fp.readline()
                if not line:
                    break
                line = line.decode("utf-8", "replace").rstrip("\r\n")
                if line.startswith(":"):
                    self.connected.set()     # nchan's ": hi"
                elif line.startswith("data: "):
                    self.messages.append(line[6:])
                elif line.startswith("data:"):
                    self.messages.append(line[5:])
        except Exception as e:   # closed by close() at the end
            self.error = e
        finally:
            self.connected.set()

    def eventids(self):
        return [int(lib.message(m).get("eventid", "0"))
                for m in self.messages]

    def close(self):
        try:
            if self.conn and self.conn.sock:
                self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class AuthStub:
    """Stands in for occd's GET /push/auth?token=T (the contract the
    shipped config relies on): 200 + X-Occ-Channel, or 403."""
    TOKENS = {"tok-team": "team-demo", "tok-8001": "agent-demo-8001",
              "tok-8002": "agent-demo-8002"}

    def __init__(self):
        import urllib.parse
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        stub = self
        self.seen = []

        class H(BaseHTTPRequestHandler):
            def do_GET(self):
                u = urllib.parse.urlsplit(self.path)
                tok = urllib.parse.parse_qs(u.query).get("token", [""])[0]
                stub.seen.append((u.path, tok))
                chan = stub.TOKENS.get(tok) if u.path == "/push/auth" else None
                self.send_response(200 if chan else 403)
                if chan:
                    self.send_header("X-Occ-Channel", chan)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def http_status(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request("GET", path, headers={"Accept": "text/event-stream"})
        return c.getresponse().status
    except Exception as e:
        return str(e)
    finally:
        c.close()


def ensure_nchan():
    if os.path.exists(NCHAN_SO) and shutil.which("nginx"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        note("installing nginx-light libnginx-mod-nchan")
        os.system("DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                  "--no-install-recommends nginx-light libnginx-mod-nchan "
                  ">/dev/null 2>&1")
    return os.path.exists(NCHAN_SO) and bool(shutil.which("nginx"))


def start_nginx(work, occd_port):
    d = os.path.join(work, "nginx")
    os.makedirs(d)
    os.chmod(work, 0o755)   # workers (nobody when run as root) traverse it
    os.chmod(d, 0o755)
    pub, sub = lib.free_port(), lib.free_port()
    with open(os.path.join(lib.ROOT, "docs/nginx-nchan.conf")) as f:
        text = f.read()
    conf = (text.replace("listen 127.0.0.1:8081;", f"listen 127.0.0.1:{pub};")
            .replace("listen 8080;", f"listen 127.0.0.1:{sub};")
            .replace("server 127.0.0.1:4580;",
                     f"server 127.0.0.1:{occd_port};"))
    ok(conf.count(f":{pub};") == 1 and conf.count(f":{sub};") == 1 and
       conf.count(f":{occd_port};") == 1,
       "docs/nginx-nchan.conf has the publisher and subscriber servers "
       "and the occd upstream")
    with open(os.path.join(d, "nchan.conf"), "w") as f:
        f.write(conf)
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write(WRAPPER.format(so=NCHAN_SO, d=d))
    p = lib.spawn(["nginx", "-e", os.path.join(d, "error.log"), "-p", d + "/",
                   "-c", os.path.join(d, "nginx.conf")],
                  os.path.join(d, "nginx.out"))
    up = lib.wait_until(lambda: p.poll() is None and listening(pub)
                        and listening(sub), 10)
    if not up:
        err = ""
        for name in ("nginx.out", "error.log"):
            path = os.path.join(d, name)
            if os.path.exists(path):
                err += open(path, errors="replace").read()
        raise RuntimeError("nginx did not start:\n" + err)
    return p, pub, sub, d


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


def main():
    work = tempfile.mkdtemp(prefix="occ-events-nchan.")
    keep = os.environ.get("KEEP") == "1"
    occd = None
    nginx = None
    subs = []
    auth = None
    recv = lib.Receiver(work, "recv")
    try:
        if not ok(ensure_nchan(), "nginx and libnginx-mod-nchan installed"):
            raise RuntimeError("no nginx with nchan")
        auth = AuthStub()
        nginx, pub, sub, nd = start_nginx(work, auth.port)
        ok(True, "a private nginx with nchan runs the shipped config")
        occd = lib.Occd(work, f"""
[push]
nchan_publish_url = http://127.0.0.1:{pub}/pub
[events]
webhook_retry_min = 1
webhook_retry_max = 2
""")
        recv.start()
        occd.start()
        rc, out = occd.team_set("event_url", recv.url())
        ok(rc == 0, "event_url set (to compare with the backend POST)", out)

        # occd's subscriber URL: 10 on the team channel, one per agent
        subs = ([Subscriber(sub, "/push/sse?token=tok-team")
                 for _ in range(10)] +
                [Subscriber(sub, "/push/sse?token=tok-8001"),
                 Subscriber(sub, "/push/sse?token=tok-8002"),
                 Subscriber(sub, "/sub/team-demo")])
        for s in subs:
            s.start()
        connected = all(s.connected.wait(10) for s in subs)
        ok(connected and all(s.status == 200 for s in subs),
           "13 EventSource subscribers connected to nginx (12 on "
           "/push/sse?token=T, one on a raw /sub/ channel)",
           [(s.channel, s.status, s.error) for s in subs])
        st = http_status(sub, "/push/sse?token=forged")
        ok(st == 403 and ("/push/auth", "forged") in auth.seen,
           "a token occd refuses gets 403 from nginx", st)

        r = occd.api("8001", "QUEUE", type="1", list="1", deviceexten="8101",
                     pushevent="yes")
        r2 = occd.api("8001", "MAKECALL", targetdn="13800138000",
                      targettype="exter")
        time.sleep(2.6)
        r3 = occd.api("8001", "HANGUP", target="all")
        ok(r.startswith("|Retuen|1|") and r3.startswith("|Retuen|1|"),
           "agent 8001 checked in, called and hung up", [r, r2, r3])
        lib.wait_until(lambda: settled(occd), 10)
        stored = occd.events()
        final = stored[-1][0] if stored else 0
        want = list(range(1, final + 1))
        team = subs[:10] + [subs[12]]
        got = lib.wait_until(
            lambda: all(s.eventids() == want for s in team), 10)
        ok(final >= 7 and got,
           f"all 11 team-demo subscribers got eventids 1..{final} in order",
           [s.eventids() for s in team][:2])
        texts = [e[3] for e in stored]
        ok(all(s.messages == texts for s in team),
           "each message is the stored event text, as is",
           f"{team[0].messages[:2]} vs {texts[:2]}")
        a8001 = [e[0] for e in stored if "8001" in (e[1], e[2])]
        got = lib.wait_until(lambda: subs[10].eventids() == a8001, 5)
        ok(got and a8001, "agent-demo-8001 got the events concerning 8001",
           f"{subs[10].eventids()} vs {a8001}")
        ok(subs[11].messages == [], "agent-demo-8002 got nothing",
           subs[11].messages)
        got = lib.wait_until(lambda: set(recv.eventids()) >= set(want), 10)
        ok(got, "the backend POST got the same eventids", recv.eventids())
        def publishes():
            with open(os.path.join(nd, "access.log")) as f:
                return [line for line in f if "POST /pub/" in line]
        lib.wait_until(lambda: len(publishes()) >= final + len(a8001), 5)
        pubs = publishes()
        ok(len(pubs) == final + len(a8001) and
           all('" 201 ' in p or '" 202 ' in p for p in pubs),
           f"nginx logged {len(pubs)} publishes (team + agent), all accepted",
           "".join(pubs[-5:]))
        m = occd.metrics()
        ok(m.get('occ_nchan_messages_total{result="published"}') ==
           len(pubs) and m.get('occ_events_pending{sink="nchan"}') == 0 and
           m.get('occ_nchan_messages_total{result="failed"}') == 0,
           "/metrics: as many nchan publishes as nginx logged, none "
           "pending or failed", {k: v for k, v in m.items() if "nchan" in k})

        # nginx gone: nchan is fan-out only, occd and the backend POST go on
        for s in subs:
            s.close()
        auth.close()
        lib.stop(nginx)
        nginx = None
        before = occd.last_eventid()
        occd.api("8001", "MAKECALL", targetdn="13800138001",
                 targettype="exter")
        time.sleep(1.5)
        occd.api("8001", "HANGUP", target="all")
        lib.wait_until(lambda: settled(occd), 10)
        after = occd.last_eventid()
        got = lib.wait_until(
            lambda: set(recv.eventids()) >= set(range(1, after + 1)), 10)
        ok(after > before and got and occd.healthy(),
           "nginx down: calls and the backend POST carry on",
           f"{before} -> {after}")
        ok(lib.wait_until(
            lambda: "nchan publishing degraded" in occd.log_text(), 5),
           "occd logs the failed publishes")
        m = occd.metrics()
        ok(m.get('occ_nchan_messages_total{result="failed"}', 0) +
           m.get('occ_nchan_messages_total{result="dropped"}', 0) > 0,
           "/metrics counts the failed publishes",
           {k: v for k, v in m.items() if "nchan" in k})

        lib.stops_clean(occd)
    except Exception as e:  # a crash of the harness is a failure
        lib.harness_failed(e)
    finally:
        for s in subs:
            s.close()
        if nginx:
            lib.stop(nginx)
        recv.stop()
        if occd and occd.p and occd.p.poll() is None:
            lib.stop(occd.p)
        if lib.failed or keep:
            note(f"work directory kept: {work}")
            if lib.failed and occd:
                note("---- occd log (last 20 lines) ----")
                note("\n".join(occd.log_text().splitlines()[-20:]))
        else:
            shutil.rmtree(work, ignore_errors=True)
    lib.finish()


def settled(occd):
    a = occd.last_eventid()
    time.sleep(1.0)
    return occd.last_eventid() == a


if __name__ == "__main__":
    main()
