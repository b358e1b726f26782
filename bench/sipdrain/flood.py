#!/usr/bin/env python3
"""flood.py SIP_PORT SECONDS PORT... — SIP transactions under an RTP flood.

Sends RTP-shaped datagrams (PCMU, 160 bytes of payload) round-robin to
every PORT as fast as one process can for SECONDS, and meanwhile one SIP
OPTIONS every 20 ms to occd's SIP_PORT from another socket (no
retransmission), timing each transaction from send to its 200. Prints
key=value lines: options sent, answered, lost (no answer within 2 s of
the end), p50/p99/max in ms, and RTP datagrams sent.
"""
import os
import socket
import struct
import sys
import threading
import time

sip_port, seconds = int(sys.argv[1]), float(sys.argv[2])
ports = [int(p) for p in sys.argv[3:]]
stop = time.monotonic() + seconds
sent_rtp = 0


def flood():
    global sent_rtp
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = bytes([0xFF]) * 160
    seq, n = 0, 0
    while time.monotonic() < stop:
        for p in ports:
            hdr = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, seq * 160, 0x1234)
            try:
                s.sendto(hdr + payload, ("127.0.0.1", p))
                n += 1
            except OSError:
                pass
        seq += 1
    sent_rtp = n


t = threading.Thread(target=flood)
t.start()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.setblocking(False)
lp = s.getsockname()[1]
sent, rtt = {}, []
i = 0
next_at = time.monotonic() + 0.5
while time.monotonic() < stop + 2:
    now = time.monotonic()
    if now >= next_at and now < stop:
        cid = f"fl{os.getpid()}x{i}"
        s.sendto((f"OPTIONS sip:127.0.0.1:{sip_port} SIP/2.0\r\n"
                  f"Via: SIP/2.0/UDP 127.0.0.1:{lp};branch=z9hG4bK{cid}\r\n"
                  f"From: <sip:probe@127.0.0.1>;tag={i}\r\nTo: <sip:127.0.0.1>\r\n"
                  f"Call-ID: {cid}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                  "Content-Length: 0\r\n\r\n").encode(), ("127.0.0.1", sip_port))
        sent[cid] = now
        i += 1
        next_at += 0.02
    try:
        while True:
            msg = s.recv(65535).decode(errors="replace")
            for line in msg.split("\r\n"):
                if line.lower().startswith("call-id:"):
                    cid = line.split(":", 1)[1].strip()
                    if cid in sent:
                        rtt.append(time.monotonic() - sent.pop(cid))
    except BlockingIOError:
        time.sleep(0.001)
t.join()
rtt.sort()
q = lambda f: rtt[min(len(rtt) - 1, int(f * len(rtt)))] * 1000 if rtt else -1
print(f"options_sent={i}")
print(f"options_answered={len(rtt)}")
print(f"options_lost={len(sent)}")
print(f"rtt_p50_ms={q(0.5):.1f}")
print(f"rtt_p99_ms={q(0.99):.1f}")
print(f"rtt_max_ms={(rtt[-1] * 1000 if rtt else -1):.1f}")
print(f"rtp_sent={sent_rtp}")
print(f"rtp_ports={len(ports)}")
