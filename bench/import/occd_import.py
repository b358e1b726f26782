#!/usr/bin/env python3
"""occd_import.py — a file import end to end on a release occd: a
generated N-row CSV (default 100,000; title row phone1,name) served by a
local http.server, EVENT=Import source=http into the demo's campaign 10
with phone_field=phone1, timed from the request until the import report
says done; checks the report counts N new listed records (83).

  bench/import/occd_import.py [ROWS]      (OCCD, OCCCTL: build/occd, ...)
Prints one line: rows, seconds, rows/s.
"""
import os
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("OCCD", os.path.join(ROOT, "build/occd"))
os.environ.setdefault("OCCCTL", os.path.join(ROOT, "build/occctl"))
sys.path.insert(0, os.path.join(ROOT, "tests", "events"))
import lib  # noqa: E402

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
work = tempfile.mkdtemp(prefix="occ-bench-import.")
os.makedirs(os.path.join(work, "pub"))
with open(os.path.join(work, "pub", "big.csv"), "w") as f:
    f.write("phone1,name\n")
    for i in range(rows):
        f.write(f"1{i:010d},客户 {i}\n")


class Quiet(SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=work, **k)

    def log_message(self, *a):
        pass


srv = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
threading.Thread(target=srv.serve_forever, daemon=True).start()
port = srv.server_address[1]
occd = lib.Occd(work, f"[import]\nallow = http://127.0.0.1:{port}/pub\n"
                "[log]\nlevel = warn\n")
occd.start()
try:
    body = urllib.parse.urlencode(dict(
        EVENT="Import", orgidentity="demo", usertype="account", user="admin",
        pwdtype="plaintext", password="admin", modeltype="Campaign",
        model_id="10", source="http", delrow="1", phone_field="phone1",
        context=f"http://127.0.0.1:{port}/pub/big.csv")).encode()
    t0 = time.monotonic()
    with urllib.request.urlopen(occd.url + "/asterccinterfaces", body,
                                timeout=30) as r:
        reply = r.read().decode()
    task = int(reply.rsplit("|", 1)[1])
    state = None
    while time.monotonic() - t0 < 600:
        row = lib.sqlite3.connect(occd.data + "/occ.db", timeout=30).execute(
            "SELECT state, rows, counts FROM import_reports WHERE id = ?",
            (task,)).fetchone()
        if row and row[0] in ("done", "failed"):
            state = row
            break
        time.sleep(0.05)
    took = time.monotonic() - t0
    if not state or state[0] != "done" or state[2] != f"83={rows}":
        sys.exit(f"import did not finish right: {state}")
    print(f"{rows} rows {took:.2f} s {rows / took:.0f} rows/s")
finally:
    occd.stop()
    srv.shutdown()
    os.system(f"rm -rf {work}")
