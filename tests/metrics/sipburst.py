#!/usr/bin/env python3
"""sipburst.py — the SIP UDP socket is read until empty each loop pass.

Under tests/lib/with-occd.sh: sends N OPTIONS in one burst (faster than
occd's loop turns), expects every one answered 200, then reads /metrics:
occ_sip_udp_datagrams_total counts them, and occ_sip_udp_datagrams_per_pass_max
shows that one loop pass read several (libre alone reads one per pass).
TAP lines on stdout; exit 1 on failure.
"""
import os
import socket
import sys
import time
import urllib.request

N = 200
port = int(os.environ["OCC_SIP_PORT"])
url = os.environ["OCC_URL"] + "/metrics"


def metric(text, name):
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def main():
    fails = 0
    before = urllib.request.urlopen(url, timeout=10).read().decode()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", 0))
    lp = s.getsockname()[1]
    stamp = time.time_ns()
    for i in range(N):
        s.sendto((f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n"
                  f"Via: SIP/2.0/UDP 127.0.0.1:{lp};branch=z9hG4bK{stamp}x{i}\r\n"
                  f"From: <sip:probe@127.0.0.1>;tag={i}\r\n"
                  f"To: <sip:127.0.0.1:{port}>\r\nCall-ID: burst{stamp}x{i}\r\n"
                  "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                  "Content-Length: 0\r\n\r\n").encode(), ("127.0.0.1", port))
    answered = set()
    s.settimeout(10)
    try:
        while len(answered) < N:
            msg = s.recv(65535).decode(errors="replace")
            if msg.startswith("SIP/2.0 200"):
                for line in msg.split("\r\n"):
                    if line.lower().startswith("call-id:"):
                        answered.add(line.split(":", 1)[1].strip())
    except socket.timeout:
        pass
    if len(answered) == N:
        print(f"ok - a burst of {N} OPTIONS: every one answered 200")
    else:
        fails += 1
        print(f"not ok - a burst of {N} OPTIONS: {len(answered)} answered 200")
    after = urllib.request.urlopen(url, timeout=10).read().decode()
    got = (metric(after, "occ_sip_udp_datagrams_total") or 0) - \
        (metric(before, "occ_sip_udp_datagrams_total") or 0)
    most = metric(after, "occ_sip_udp_datagrams_per_pass_max")
    if got >= N:
        print(f"ok - occ_sip_udp_datagrams_total counted them ({got:.0f})")
    else:
        fails += 1
        print(f"not ok - occ_sip_udp_datagrams_total grew by {got}, want {N}")
    if most is not None and most > 1:
        print(f"ok - one loop pass read {most:.0f} SIP datagrams (drained, "
              "not one a pass)")
    else:
        fails += 1
        print(f"not ok - occ_sip_udp_datagrams_per_pass_max is {most}")
    return 1 if fails else 0


sys.exit(main())
