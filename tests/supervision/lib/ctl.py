#!/usr/bin/env python3
"""ctl.py — a baresip phone's events and commands over its ctrl_tcp port
(python3 stdlib only).

  ctl.py watch --port P --log LOG [--fifo FIFO] [--secs S]
      Connects to baresip's ctrl_tcp on 127.0.0.1:P (retrying while
      baresip starts) and logs every event and command response it sends,
      one JSON object a line with the arrival time added as "t" (Unix
      time, float). Each line written to FIFO is sent as a command (e.g.
      "hangup"). Runs until SIGTERM, the connection closes, or S seconds.
  ctl.py wait LOG TYPE [--after T] [--secs S] [--nth N]
      Waits (at most S seconds, default 10) for the N-th event TYPE (e.g.
      CALL_ESTABLISHED, CALL_CLOSED) logged after time T; prints its time
      its "param" (the close reason for CALL_CLOSED) and its call's "id"
      (the SIP Call-ID), tab-separated.
      Exit 1 when it does not come.

baresip 1.0.0's ctrl_tcp frames JSON in netstrings ("<len>:<json>,");
events look like {"event":true,"class":"call","type":"CALL_CLOSED",
"param":"Connection reset by peer","peeruri":"sip:...",...}.
"""
import argparse
import json
import os
import select
import signal
import socket
import sys
import time


def netstrings(buf):
    """Complete netstrings in buf: (list of payloads, rest)."""
    out = []
    while True:
        colon = buf.find(b":")
        if colon < 0 or not buf[:colon].isdigit():
            return out, buf
        n = int(buf[:colon])
        end = colon + 1 + n
        if len(buf) < end + 1:
            return out, buf
        out.append(buf[colon + 1:end])
        buf = buf[end + 1:]


def watch(a):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    deadline = time.time() + a.secs
    sock = None
    while not stop and time.time() < deadline and sock is None:
        try:
            sock = socket.create_connection(("127.0.0.1", a.port), timeout=1)
        except OSError:
            time.sleep(0.1)
    if sock is None:
        sys.exit(f"ctl.py: cannot connect to 127.0.0.1:{a.port}")
    sock.setblocking(False)
    fifo = None
    if a.fifo:
        fifo = os.open(a.fifo, os.O_RDWR | os.O_NONBLOCK)   # never EOF
    buf = b""
    cmdbuf = b""
    token = 0
    with open(a.log, "a", buffering=1) as log:
        log.write(json.dumps({"t": round(time.time(), 4), "type": "WATCHING"}) + "\n")
        while not stop and time.time() < deadline:
            rs = [sock] + ([fifo] if fifo is not None else [])
            try:
                r, _, _ = select.select(rs, [], [], 0.2)
            except InterruptedError:
                continue
            if fifo is not None and fifo in r:
                cmdbuf += os.read(fifo, 4096)
                while b"\n" in cmdbuf:
                    line, cmdbuf = cmdbuf.split(b"\n", 1)
                    cmd = line.decode().strip()
                    if not cmd:
                        continue
                    token += 1
                    name, _, params = cmd.partition(" ")
                    msg = json.dumps({"command": name, "params": params,
                                      "token": str(token)}).encode()
                    sock.sendall(b"%d:%s," % (len(msg), msg))
                    log.write(json.dumps({"t": round(time.time(), 4),
                                          "type": "COMMAND_SENT",
                                          "param": cmd}) + "\n")
            if sock in r:
                try:
                    data = sock.recv(65536)
                except BlockingIOError:
                    continue
                if not data:
                    break
                buf += data
                msgs, buf = netstrings(buf)
                for m in msgs:
                    try:
                        ev = json.loads(m)
                    except ValueError:
                        ev = {"raw": m.decode(errors="replace")}
                    if ev.get("response"):
                        ev.setdefault("type", "RESPONSE")
                    ev["t"] = round(time.time(), 4)
                    log.write(json.dumps(ev) + "\n")


def events(path, typ, after):
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if ev.get("type") == typ and ev["t"] > after:
                out.append(ev)
    return out


def wait(a):
    deadline = time.time() + a.secs
    while True:
        evs = events(a.log, a.type, a.after)
        if len(evs) >= a.nth:
            ev = evs[a.nth - 1]
            print(f'{ev["t"]:.4f}\t{ev.get("param", "")}\t{ev.get("id", "")}')
            return 0
        if time.time() >= deadline:
            print(f"no {a.type} event in {a.log} after {a.after:.3f} within {a.secs} s "
                  f"(saw {len(evs)})")
            return 1
        time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("watch")
    w.add_argument("--port", type=int, required=True)
    w.add_argument("--log", required=True)
    w.add_argument("--fifo")
    w.add_argument("--secs", type=float, default=300)
    q = sub.add_parser("wait")
    q.add_argument("log")
    q.add_argument("type")
    q.add_argument("--after", type=float, default=0)
    q.add_argument("--secs", type=float, default=10)
    q.add_argument("--nth", type=int, default=1)
    a = ap.parse_args()
    if a.cmd == "watch":
        watch(a)
    else:
        sys.exit(wait(a))


if __name__ == "__main__":
    main()
