#!/usr/bin/env python3
"""receiver.py PORT LOGFILE [--status CODE] [--delay SECONDS]

A backend event receiver for the tests: accepts POSTs on 127.0.0.1:PORT
(HTTP/1.1, keep-alive), answers CODE (default 200) after an optional delay,
and appends one JSON line per request to LOGFILE, in arrival order:
{"t": time, "path": ..., "ctype": ..., "eventid_hdr": ..., "team_hdr": ...,
 "body": ...}. Prints "ready" on stdout once it listens. python3 stdlib only.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    port = int(sys.argv[1])
    logpath = sys.argv[2]
    status, delay = 200, 0.0
    args = sys.argv[3:]
    while args:
        if args[0] == "--status":
            status = int(args[1])
        elif args[0] == "--delay":
            delay = float(args[1])
        else:
            sys.exit(__doc__)
        args = args[2:]
    lock = threading.Lock()
    log = open(logpath, "a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # one write per reply: headers and body in separate small writes
        # meet the client's delayed ACK (Nagle) and cost 40 ms a request
        wbufsize = -1

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode("utf-8", "replace")
            rec = {
                "t": time.time(), "path": self.path,
                "ctype": self.headers.get("Content-Type", ""),
                "eventid_hdr": self.headers.get("X-Occ-Eventid", ""),
                "team_hdr": self.headers.get("X-Occ-Team", ""),
                "body": body,
            }
            with lock:
                log.write(json.dumps(rec) + "\n")
            if delay:
                time.sleep(delay)
            reply = b"ok\n"
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, fmt, *a):
            pass

    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
