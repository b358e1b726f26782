#!/usr/bin/python3
"""test_import.py — file imports end to end through occ-csv (the fetcher
and CSV parser of src/import/, rows handed from the worker thread to a
libre loop), against a real HTTP server (Python's http.server) and a real
FTP server (pyftpdlib), both on free 127.0.0.1 ports in this process.

Checks: UTF-8 (BOM, CRLF) and GBK files with quoted fields and embedded
line breaks parse to the right rows over HTTP and FTP (with a login),
delrow; a URL outside the allow-list is refused without any connection
(the servers count every accepted connection); a redirect to a host that
is not allowed is refused (its server sees nothing), one to an allowed
path is followed; an oversize file (announced, and streamed without a
length) and a hanging server are refused within the limits; 404 and FTP
550, a non-CSV file; the job stopped by its row handler and cancelled;
occd refusing an allow entry that is not a URL. TAP lines; exit status 1
if anything failed.

Runs with /usr/bin/python3 (Debian's python3-pyftpdlib). OCC_CSV
and OCCD override the binaries (default build/asan/occ-csv, occd).
"""
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import ThreadedFTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OCC_CSV = os.environ.get("OCC_CSV", os.path.join(ROOT, "build/asan/occ-csv"))
WORK = tempfile.mkdtemp(prefix="occ-import-test.")
FAILED = 0

# ---- files ------------------------------------------------------------------

UTF8_ROWS = [
    ["phone1", "name", "note"],
    ["13800000001", "张三", 'said "hi", twice'],
    ["13800000002", "李四", "line one\nline two"],
    ["13800000003", "", "a\r\nb"],
]


def csv_text(rows):
    def q(f):
        if any(c in f for c in ',"\r\n'):
            return '"' + f.replace('"', '""') + '"'
        return f
    return "".join(",".join(q(f) for f in r) + "\r\n" for r in rows)


def write(name, data):
    path = os.path.join(WORK, "pub", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


write("utf8.csv", b"\xef\xbb\xbf" + csv_text(UTF8_ROWS).encode())
GBK_ROWS = [["电话号码一", "姓名"], ["13900000001", "王五"],
            ["13900000002", "赵六,\n北京"]]
write("gbk.csv", csv_text(GBK_ROWS).encode("gbk"))
write("big.csv", b"1,2,3\n" * 200000)          # 1.2 MB
write("binary.csv", b"PK\x03\x04\x00\x00\x00" + bytes(range(256)))
os.makedirs(os.path.join(WORK, "private"), exist_ok=True)
with open(os.path.join(WORK, "private", "secret.csv"), "w") as f:
    f.write("secret,1\n")

# ---- servers ------------------------------------------------------------------


class Counting(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *a, **k):
        self.connections = 0
        super().__init__(*a, **k)

    def verify_request(self, request, client_address):
        self.connections += 1
        return True

    def handle_error(self, request, client_address):
        pass            # a client that hangs up early (the size limit)


def handler_for(directory, other_port=None):
    class H(SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=directory, **k)

        def log_message(self, *a):
            pass

        def do_GET(self):
            if self.path == "/pub/redirect-away":
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.1:{other_port}/pub/utf8.csv")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path == "/pub/redirect-private":
                self.send_response(301)
                self.send_header("Location", "/private/secret.csv")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path == "/pub/redirect-ok":
                self.send_response(302)
                self.send_header("Location", "/pub/gbk.csv")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path == "/pub/stream":
                # no Content-Length: the limit is met while it arrives
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.end_headers()
                try:
                    for _ in range(400):
                        self.wfile.write(b"1,2,3\n" * 1000)
                except OSError:
                    pass
                self.close_connection = True
            elif self.path == "/pub/hang":
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b"a,b\n")
                self.wfile.flush()
                time.sleep(60)
            elif self.path == "/pub/silent":
                time.sleep(60)
            else:
                super().do_GET()
    return H


def start_http(other_port=None):
    srv = Counting(("127.0.0.1", 0), handler_for(WORK, other_port))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


other = start_http()                       # never in the allow-list
http = start_http(other.server_address[1])
HP = http.server_address[1]


class FtpCounting(FTPHandler):
    connections = 0

    def on_connect(self):
        FtpCounting.connections += 1


logging.getLogger("pyftpdlib").addHandler(logging.NullHandler())
logging.getLogger("pyftpdlib").propagate = False
auth = DummyAuthorizer()
auth.add_user("imp", "s3cret", WORK, perm="elr")
FtpCounting.authorizer = auth
FtpCounting.banner = "occ test ftp"
ftp = ThreadedFTPServer(("127.0.0.1", 0), FtpCounting)
FP = ftp.socket.getsockname()[1]
threading.Thread(target=ftp.serve_forever, kwargs={"handle_exit": False},
                 daemon=True).start()

ALLOW = f"http://127.0.0.1:{HP}/pub/ ftp://127.0.0.1:{FP}/pub"

# ---- helpers --------------------------------------------------------------------


def occ_csv(*args, timeout=60):
    t0 = time.monotonic()
    p = subprocess.run([OCC_CSV, *args], capture_output=True, timeout=timeout)
    rows = [json.loads(l) for l in p.stdout.decode().splitlines() if l]
    return p.returncode, rows, p.stderr.decode(), time.monotonic() - t0


def ok(cond, name, detail=""):
    global FAILED
    if cond:
        print(f"ok - {name}")
    else:
        FAILED += 1
        print(f"not ok - {name}")
        if detail:
            print("#   " + str(detail).replace("\n", "\n#   "))


def fields(rows, skipped=False):
    return [r["fields"] for r in rows if bool(r.get("skipped")) == skipped]


def sanitizer_clean(err):
    return "Sanitizer" not in err and "runtime error" not in err


# ---- tests ----------------------------------------------------------------------

rc, rows, err, _ = occ_csv("--allow", ALLOW, f"http://127.0.0.1:{HP}/pub/utf8.csv")
ok(rc == 0 and fields(rows) == UTF8_ROWS and sanitizer_clean(err),
   "http: UTF-8 with a BOM, CRLF, quotes, embedded LF and CRLF parse to the rows",
   (rc, rows, err))
ok([r["line"] for r in rows] == [1, 2, 3, 5], "line numbers count the embedded line breaks",
   [r["line"] for r in rows])

rc, rows, err, _ = occ_csv("--allow", ALLOW, "--delrow", "1",
                           f"http://127.0.0.1:{HP}/pub/utf8.csv")
ok(rc == 0 and fields(rows, True) == UTF8_ROWS[:1] and fields(rows) == UTF8_ROWS[1:]
   and "3 rows" in err, "delrow=1: the title row is skipped", (rc, rows, err))
rc, rows, err, _ = occ_csv("--allow", ALLOW, "--delrow", "3",
                           f"http://127.0.0.1:{HP}/pub/utf8.csv")
ok(rc == 0 and fields(rows) == UTF8_ROWS[3:] and len(fields(rows, True)) == 3,
   "delrow=3 counts records, not lines", (rc, rows, err))

rc, rows, err, _ = occ_csv("--allow", ALLOW, "--user", "imp", "--password", "s3cret",
                           "--delrow", "1", f"ftp://127.0.0.1:{FP}/pub/gbk.csv")
ok(rc == 0 and fields(rows) == GBK_ROWS[1:] and fields(rows, True) == GBK_ROWS[:1],
   "ftp with a login: GBK detected and converted to UTF-8, quoted line break kept",
   (rc, rows, err))
rc, rows, err, _ = occ_csv("--allow", ALLOW, "--charset", "gbk", "--blocking",
                           f"http://127.0.0.1:{HP}/pub/gbk.csv")
ok(rc == 0 and fields(rows) == GBK_ROWS, "http: GBK declared, blocking fetch", (rc, rows, err))
rc, rows, err, _ = occ_csv("--allow", ALLOW, "--charset", "utf-8",
                           f"http://127.0.0.1:{HP}/pub/gbk.csv")
ok(rc == 2 and "bad_csv (BackMsg_86)" in err and "line 1:" in err,
   "GBK declared as UTF-8: refused with BackMsg_86 and the line", err)

rc, rows, err, _ = occ_csv("--allow", ALLOW, "--user", "imp", "--password", "wrong",
                           f"ftp://127.0.0.1:{FP}/pub/gbk.csv")
ok(rc == 2 and "fetch_failed (BackMsg_89)" in err, "ftp: a wrong password is BackMsg_89", err)
rc, rows, err, _ = occ_csv("--allow", ALLOW, "--user", "imp", "--password", "s3cret",
                           f"ftp://127.0.0.1:{FP}/pub/none.csv")
ok(rc == 2 and "not_found (BackMsg_404)" in err, "ftp: a missing file is BackMsg_404", err)
rc, rows, err, _ = occ_csv("--allow", ALLOW, f"http://127.0.0.1:{HP}/pub/none.csv")
ok(rc == 2 and "not_found (BackMsg_404)" in err, "http: 404 is BackMsg_404", err)
rc, rows, err, _ = occ_csv("--allow", ALLOW, f"http://127.0.0.1:{HP}/pub/binary.csv")
ok(rc == 2 and "bad_csv (BackMsg_86)" in err and "NUL byte" in err,
   "a binary file (a spreadsheet) is BackMsg_86", err)

# ---- SSRF: refused before any connection -------------------------------------------

before = (http.connections, other.connections, FtpCounting.connections)
cases = [
    ("", f"http://127.0.0.1:{HP}/pub/utf8.csv", "empty allow-list"),
    (ALLOW, f"http://127.0.0.1:{HP}/private/secret.csv", "a path outside the prefix"),
    (ALLOW, f"http://127.0.0.1:{HP}/pub/../private/secret.csv", "a dot segment"),
    (ALLOW, f"http://127.0.0.1:{HP}/pub/%2e%2e/private/secret.csv", "an encoded dot segment"),
    (ALLOW, f"http://127.0.0.1:{other.server_address[1]}/pub/utf8.csv", "another port"),
    (ALLOW, f"http://localhost:{HP}/pub/utf8.csv", "another host name"),
    (f"http://127.0.0.1:{HP}/pub/", f"ftp://127.0.0.1:{FP}/pub/gbk.csv", "ftp not allowed"),
    (ALLOW, f"file://{WORK}/pub/utf8.csv", "file://"),
]
for allow, url, what in cases:
    rc, rows, err, _ = occ_csv("--allow", allow, url)
    ok(rc == 2 and ("denied (BackMsg_89)" in err or "bad_url (BackMsg_75)" in err) and not rows,
       f"refused: {what}", (rc, rows, err))
time.sleep(0.3)
after = (http.connections, other.connections, FtpCounting.connections)
ok(after == before, "no server saw a connection for the refused URLs", (before, after))

before = other.connections
rc, rows, err, _ = occ_csv("--allow", ALLOW, f"http://127.0.0.1:{HP}/pub/redirect-away")
ok(rc == 2 and "denied (BackMsg_89)" in err and "redirect refused" in err and not rows,
   "a redirect to a host that is not allowed is refused", err)
rc, rows, err, _ = occ_csv("--allow", ALLOW, f"http://127.0.0.1:{HP}/pub/redirect-private")
ok(rc == 2 and "redirect refused" in err and not rows,
   "a redirect outside the path prefix is refused", err)
time.sleep(0.3)
ok(other.connections == before, "the redirect's target server saw no connection",
   (before, other.connections))
rc, rows, err, _ = occ_csv("--allow", ALLOW, f"http://127.0.0.1:{HP}/pub/redirect-ok")
ok(rc == 0 and fields(rows) == GBK_ROWS, "a redirect within the allow-list is followed",
   (rc, rows, err))

# ---- limits -------------------------------------------------------------------------

rc, rows, err, _ = occ_csv("--allow", ALLOW, "--count", "--max-bytes", "1000000",
                           f"http://127.0.0.1:{HP}/pub/big.csv")
ok(rc == 2 and "too_big (BackMsg_89)" in err, "an oversize file (Content-Length) is refused", err)
rc, rows, err, _ = occ_csv("--allow", ALLOW, "--count", "--max-bytes", "1000000",
                           "--user", "imp", "--password", "s3cret",
                           f"ftp://127.0.0.1:{FP}/pub/big.csv")
ok(rc == 2 and "too_big (BackMsg_89)" in err, "an oversize file over ftp (SIZE) is refused", err)
rc, rows, err, _ = occ_csv("--allow", ALLOW, "--count", "--max-bytes", "1000000",
                           f"http://127.0.0.1:{HP}/pub/stream")
ok(rc == 2 and "too_big (BackMsg_89)" in err, "an oversize stream without a length is cut", err)
rc, rows, err, _ = occ_csv("--allow", ALLOW, "--count",
                           f"http://127.0.0.1:{HP}/pub/big.csv")
ok(rc == 0 and "200000 rows" in err, "the same file within the default limit: 200000 rows", err)

rc, rows, err, took = occ_csv("--allow", ALLOW, "--idle-timeout", "2", "--timeout", "30",
                              f"http://127.0.0.1:{HP}/pub/hang")
ok(rc == 2 and "timeout (BackMsg_89)" in err and took < 20,
   f"a server that stops sending: idle timeout 2 s (took {took:.1f} s)", err)
rc, rows, err, took = occ_csv("--allow", ALLOW, "--timeout", "3", "--idle-timeout", "60",
                              f"http://127.0.0.1:{HP}/pub/silent")
ok(rc == 2 and "timeout (BackMsg_89)" in err and 2 <= took < 20,
   f"a server that never answers: total timeout 3 s (took {took:.1f} s)", err)

# ---- the job on the loop: stopped by the importer, cancelled -------------------------

rc, rows, err, _ = occ_csv("--allow", ALLOW, "--stop-after", "5",
                           f"http://127.0.0.1:{HP}/pub/big.csv")
ok(rc == 2 and "aborted" in err and len(rows) == 5 and sanitizer_clean(err),
   "a row handler returning non-zero stops the import after its row", (rc, len(rows), err))
rc, rows, err, took = occ_csv("--allow", ALLOW, "--idle-timeout", "60", "--timeout", "60",
                              "--cancel-after", "500", f"http://127.0.0.1:{HP}/pub/hang")
ok(rc == 3 and took < 15 and sanitizer_clean(err),
   f"a job cancelled while the server hangs ends at once (took {took:.1f} s), no leak", (rc, err))
rc, rows, err, took = occ_csv("--allow", ALLOW, "--count", "--row-delay-us", "200",
                              "--cancel-after", "1500", f"http://127.0.0.1:{HP}/pub/big.csv")
n = int(err.split("cancelled after ")[1].split()[0]) if "cancelled after" in err else -1
ok(rc == 3 and 0 < n < 200000 and took < 15 and sanitizer_clean(err),
   f"a slow importer: the worker waits for it and is cancelled while waiting ({n} rows)",
   (rc, err))

# ---- occd refuses an allow-list entry that is not a URL --------------------------------

OCCD = os.environ.get("OCCD", os.path.join(ROOT, "build/asan/occd"))
ini = os.path.join(WORK, "bad.ini")
with open(ini, "w") as f:
    f.write("[import]\nallow = http://files.example.com/ files.example.com/x\n")
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# free ports: should it start after all, it binds nothing another test uses
p = subprocess.run([OCCD, "--config", ini, "--data", os.path.join(WORK, "data"),
                    "--http", f"127.0.0.1:{free_port()}", "--sip", f"127.0.0.1:{free_port()}"],
                   capture_output=True, text=True, timeout=30)
ok(p.returncode == 1 and '[import] allow: "files.example.com/x"' in p.stderr,
   "occd refuses to start with an allow entry that is not a URL", (p.returncode, p.stderr))

ftp.close_all()
http.shutdown()
other.shutdown()
shutil.rmtree(WORK, ignore_errors=True)
sys.exit(1 if FAILED else 0)
