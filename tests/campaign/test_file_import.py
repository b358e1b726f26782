#!/usr/bin/python3
"""test_file_import.py — file imports (API.md §4.23 source=http|ftp,
docs/CAMPAIGNS.md) into the demo's campaign 10 on a real occd, from a real
HTTP server (http.server) and a real FTP server (pyftpdlib) started here on
free 127.0.0.1 ports, over the three interfaces (EVENT=Import, importCJI,
importWS through PHP SoapClient).

- a CSV file with a title row (display and column names) imports: the
  answer is code 1 with the task id, each row goes through the same rules
  as source=data (new, listed, a duplicate inside the file, a row without
  its key refused with its line), and the report (occctl campaign
  import-report, the store) counts them;
- the same file over FTP with a login and dupway=update: every customer
  updated (78), the data changed;
- delrow=0: the columns are the package's, in order (SOAP);
- a URL outside [import] allow: BackMsg_89 at once, no connection seen by
  the server; a file that is not there: the task fails with 404; a title
  that names no column: the task fails with 74;
- exetime: a scheduled import is queued, runs at its time, and survives an
  occd restart;
- occd stopping while a file still arrives: the task fails at once;
- the report over EVENT=ImportReport and importReportCJI (occ's addition).

Runs with /usr/bin/python3 (Debian's python3-pyftpdlib).
"""
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import ThreadedFTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "events"))
sys.path.insert(0, HERE)
import lib  # noqa: E402
from lib import ok  # noqa: E402
import test_import as ti  # noqa: E402  (Api, db, occctl, customer, listed)

WORK = tempfile.mkdtemp(prefix="occ-file-import.")
PUB = os.path.join(WORK, "pub")
os.makedirs(PUB)


def write(name, text, enc="utf-8"):
    with open(os.path.join(PUB, name), "wb") as f:
        f.write(text.encode(enc))


class Counting(ThreadingHTTPServer):
    daemon_threads = True
    connections = 0

    def verify_request(self, request, client_address):
        self.connections += 1
        return True


class Quiet(SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=WORK, **k)

    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path != "/pub/hang.csv":
            return super().do_GET()
        # a title and one row, then nothing: the import stays running
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"phone1,name\n15000000077,x\n")
        self.wfile.flush()
        time.sleep(30)


def start_http():
    srv = Counting(("127.0.0.1", 0), Quiet)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


logging.getLogger("pyftpdlib").propagate = False
logging.getLogger("pyftpdlib").addHandler(logging.NullHandler())


def start_ftp():
    auth = DummyAuthorizer()
    auth.add_user("imp", "s3cret", WORK, perm="elr")
    handler = type("H", (FTPHandler,), {"authorizer": auth})
    srv = ThreadedFTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever,
                     kwargs={"handle_exit": False}, daemon=True).start()
    return srv


def report(occd, task):
    rows = ti.db(occd, "SELECT state, rows, failed, counts, errors, msg"
                 " FROM import_reports WHERE id = ?", int(task))
    return rows[0] if rows else None


def wait_done(occd, task, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r = report(occd, task)
        if r and r[0] in ("done", "failed"):
            return r
        time.sleep(0.1)
    return report(occd, task)


FILE_ARGS = dict(model_id="10", delrow="1", phone_field="phone1")


def main():
    http, other, ftp = start_http(), start_http(), start_ftp()
    hp, op = http.server_address[1], other.server_address[1]
    fp = ftp.socket.getsockname()[1]
    occd = lib.Occd(WORK, "[import]\nallow = http://127.0.0.1:%d/pub"
                    " ftp://127.0.0.1:%d/pub\n" % (hp, fp))
    occd.start()
    api = ti.Api(occd)
    try:
        # 1: http, a title row by display name and column name
        write("a.csv", "姓名,phone1\r\n客户 1,15000000001\r\n"
              "客户 2,15000000002\r\n\"客户 3, 北京\",15000000003\r\n"
              "again,15000000001\r\nno key,\r\n")
        r = api.http(source="http", context=f"http://127.0.0.1:{hp}/pub/a.csv",
                     **FILE_ARGS)
        ok(r[0] == 1 and re.fullmatch(r"\d+", r[1]), "http: EVENT=Import"
           " source=http answers code 1 with the task id", r)
        task = r[1]
        rep = wait_done(occd, task)
        ok(rep and rep[0] == "done" and rep[1] == 5 and rep[2] == 1 and
           rep[3] == "81=1,83=3", "http: the report counts the file: 5"
           " records, 3 new and listed (83), the repeated key a duplicate"
           " (81), one refused", rep)
        ok(rep and rep[4].startswith("line 6: 76["), "http: the row without"
           " its key is refused with its line and BackMsg 76", rep)
        c = ti.customer(occd, "15000000003")
        ok(c and c[0] == 10 and "%E5%8C%97%E4%BA%AC" in c[3], "http: a"
           " quoted field with a comma is the customer's name", c)
        ok(ti.listed(occd, 10, "15000000002") == 1, "http: the new"
           " customers are in the pre-dial list")
        rc, out = ti.occctl(occd, "campaign", "import-report", "demo", "10",
                            "--task", task)
        ok(rc == 0 and f"task {task}:" in out and "done" in out and
           "81=1,83=3" in out and "line 6: 76[" in out,
           "occctl campaign import-report shows the task", out)

        r = api.http(event="ImportReport", campaignid="10", taskid=task)
        try:
            j = json.loads(r[1]) if r[0] == 1 else None
        except ValueError:
            j = None
        ok(j and len(j) == 1 and j[0]["taskid"] == int(task) and
           j[0]["state"] == "done" and j[0]["records"] == 5 and
           j[0]["refused"] == 1 and j[0]["outcomes"] == {"81": 1, "83": 3}
           and j[0]["errors"][0].startswith("line 6: 76["),
           "EVENT=ImportReport answers the report as JSON", r)
        acme = dict(orgidentity="acme", usertype="agent", user="9001",
                    pwdtype="plaintext", password="9001")
        r = api.http(who=acme, event="ImportReport", campaignid="10",
                     taskid=task)
        ok(r == (2, "BackMsg_73"), "acme: demo's campaign 10 and its"
           " reports do not exist for acme", r)
        r = api.http(who=acme, source="http", model_id="10",
                     context=f"http://127.0.0.1:{hp}/pub/a.csv")
        ok(r == (2, "BackMsg_73"), "acme: no file import into demo's"
           " campaign 10", r)
        r = api.script(fn="importReportCJI", campaignid="10", taskid="999999")
        ok(r == (2, "BackMsg_28[taskid]"), "importReportCJI: no such task"
           " -> BackMsg_28[taskid]", r)

        # 2: ftp with a login, dupway=update, over the Script interface
        write("b.csv", "电话号码一,name\n15000000001,新 1\n15000000002,新 2\n"
              "15000000003,新 3\n")
        r = api.script(source="ftp", context=f"ftp://127.0.0.1:{fp}/pub/b.csv",
                       source_user="imp", source_pwd="s3cret", dupway="update",
                       **FILE_ARGS)
        ok(r[0] == 1 and re.fullmatch(r"\d+", str(r[1])) and str(r[1]) != task,
           "ftp: importCJI source=ftp answers code 1 with a new task id", r)
        rep = wait_done(occd, r[1])
        ok(rep and rep[0] == "done" and rep[1] == 3 and rep[2] == 0 and
           rep[3] == "78=3", "ftp: dupway=update updates the 3 customers"
           " (78)", rep)
        c = ti.customer(occd, "15000000002")
        ok(c and "name=%E6%96%B0%202" in c[3], "ftp: the data is the file's",
           c)
        rc, out = ti.occctl(occd, "campaign", "import-report", "demo", "10")
        ok(rc == 0 and "imp" not in out and "s3cret" not in out and
           out.count("task ") == 2, "the report lists both tasks, no"
           " credentials", out)
        r = api.script(fn="importReportCJI", campaignid="10", taskid="")
        ok(r[0] == 1 and isinstance(r[1], list) and len(r[1]) == 2 and
           r[1][0]["outcomes"] == {"78": 3} and "s3cret" not in str(r[1]),
           "importReportCJI without taskid: both tasks, newest first", r)

        # 3: SOAP, delrow=0: the package's columns in order (name, phone1)
        write("c.csv", "客户 4,15000000004\n")
        r = api.soap(source="http", context=f"http://127.0.0.1:{hp}/pub/c.csv",
                     model_id="10", delrow="0")
        ok(r[0] == 1 and re.fullmatch(r"\d+", r[1]), "soap: importWS"
           " source=http answers code 1 with the task id", r)
        rep = wait_done(occd, r[1])
        ok(rep and rep[0] == "done" and rep[3] == "84=1", "soap: delrow=0"
           " imports the row in the package's column order (84)", rep)

        # 4: outside the allow-list: refused before any connection
        n0 = other.connections
        for iface in ("http", "script"):
            r = api.via(iface, source="http",
                        context=f"http://127.0.0.1:{op}/pub/a.csv",
                        **FILE_ARGS)
            ok(r == (2, "BackMsg_89"), f"{iface}: a URL outside [import]"
               " allow answers code 2 BackMsg_89", r)
        r = api.http(source="ftp", context=f"ftp://127.0.0.1:{fp}/private.csv",
                     **FILE_ARGS)
        ok(r == (2, "BackMsg_89"), "ftp: a path outside the allowed prefix"
           " -> BackMsg_89", r)
        time.sleep(0.5)
        ok(other.connections == n0, "the server outside the allow-list saw"
           " no connection", other.connections - n0)

        # 5: the task fails: no such file (404), a title naming no column (74)
        r = api.http(source="http", context=f"http://127.0.0.1:{hp}/pub/none.csv",
                     **FILE_ARGS)
        rep = r[0] == 1 and wait_done(occd, r[1])
        ok(rep and rep[0] == "failed" and rep[5].startswith("404"),
           "a file that is not there: the task fails with 404", (r, rep))
        write("d.csv", "phone1,colour\n15000000009,red\n")
        r = api.http(source="http", context=f"http://127.0.0.1:{hp}/pub/d.csv",
                     **FILE_ARGS)
        rep = r[0] == 1 and wait_done(occd, r[1])
        ok(rep and rep[0] == "failed" and rep[5] == "74[colour]" and
           ti.customer(occd, "15000000009") is None, "a title naming no"
           " column: the task fails with 74[colour], nothing imported",
           (r, rep))

        # 7: exetime: a scheduled import waits for its time, and one that
        # is still waiting when occd restarts runs after the restart
        write("e.csv", "phone1,name\n15000000021,s1\nabc,bad\n")
        at = time.strftime("%Y-%m-%d %H:%M:%S",
                           time.localtime(time.time() + 3))
        r = api.http(source="http", context=f"http://127.0.0.1:{hp}/pub/e.csv",
                     exetime=at, **FILE_ARGS)
        rep0 = r[0] == 1 and report(occd, r[1])
        ok(rep0 and rep0[0] == "queued" and
           ti.customer(occd, "15000000021") is None, "exetime 3 s ahead:"
           " the task id at once, the report says queued, nothing imported"
           " yet", (r, rep0))
        rep = r[0] == 1 and wait_done(occd, r[1])
        ok(rep and rep[0] == "done" and rep[3] == "83=1" and rep[2] == 1
           and rep[4].startswith("line 3: 28[phone1]"), "at its time the"
           " scheduled import runs: one new record, a bad phone refused",
           rep)
        write("f.csv", "phone1,name\n15000000031,r1\n15000000032,r2\n")
        at = time.strftime("%Y-%m-%d %H:%M:%S",
                           time.localtime(time.time() + 4))
        r = api.script(source="ftp", context=f"ftp://127.0.0.1:{fp}/pub/f.csv",
                       source_user="imp", source_pwd="s3cret", exetime=at,
                       **FILE_ARGS)
        rc = occd.stop()
        rep0 = r[0] == 1 and report(occd, r[1])
        ok(rc == 0 and rep0 and rep0[0] == "queued", "a scheduled import"
           " is still queued in the store when occd stops", (rc, r, rep0))
        occd.start()
        rep = r[0] == 1 and wait_done(occd, r[1])
        ok(rep and rep[0] == "done" and rep[3] == "83=2" and
           ti.customer(occd, "15000000032"), "after the restart it runs at"
           " its time (over FTP with its login)", rep)
        left = r[0] == 1 and ti.db(occd, "SELECT request FROM import_reports"
                                   " WHERE id = ?", int(r[1]))
        ok(left == [("",)], "once run, the task keeps no request (no login)",
           left)
        r = api.http(source="http", context=f"http://127.0.0.1:{hp}/pub/e.csv",
                     exetime="2030-02-30 10:00:00", **FILE_ARGS)
        ok(r == (2, "BackMsg_28[exetime]"), "exetime that is no date ->"
           " BackMsg_28[exetime]", r)

        # 6: occd stops while a file is still coming (the server holds
        # the rest back): the task ends as failed, occd stops cleanly
        r = api.http(source="http", context=f"http://127.0.0.1:{hp}/pub/hang.csv",
                     **FILE_ARGS)
        time.sleep(1)
        rep0 = r[0] == 1 and report(occd, r[1])
        t0 = time.monotonic()
        rc = occd.stop()
        took = time.monotonic() - t0
        rep = r[0] == 1 and report(occd, r[1])
        ok(rep0 and rep0[0] == "running", "a file still arriving: the"
           " report says running", (r, rep0))
        ok(rc == 0 and took < 10 and rep and rep[0] == "failed" and
           rep[5] == "87[occd stopped]", "occd stopping during an import:"
           " it stops at once, the task fails with 87[occd stopped]",
           (rc, took, rep))
    finally:
        rc = occd.stop()
        ok(rc == 0, "occd stops cleanly", rc)
        rep = occd.sanitizer_report()
        ok(not rep, "no sanitizer report in occd's logs", rep)
        ftp.close_all()
        http.shutdown()
        other.shutdown()
        subprocess.run(["rm", "-rf", WORK])
    lib.finish()


if __name__ == "__main__":
    main()
