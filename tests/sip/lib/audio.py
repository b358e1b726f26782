#!/usr/bin/env python3
"""audio.py — tone, pcap and RTP tools for the SIP tests (python3 stdlib only).

  audio.py wav OUT --freq F [--freq F2] [--secs S] [--amp A]
      8 kHz mono 16-bit WAV of a steady tone (two tones are summed).
  audio.py pcap OUT --freq F --codec pcmu|pcma [--secs S]
      a pcap (Ethernet/IPv4/UDP/RTP, 20 ms packets) of the tone, for
      sipp's play_pcap_audio.
  audio.py tone WAV --freq F [--freq F2] [--channel N] [--from S] [--to S]
                    [--absent] [--min-frac X]
      Goertzel: is the tone (all of the given frequencies at once) present
      in the WAV's channel N (0 = left/mono, 1 = right) between seconds S
      and S?  Exit 0 when the expectation holds.
  audio.py rtp LOG --from T --to T (--tone F [--tone F2] | --absent F |
                   --quiet | --dtmf DIGITS | --pt PT)
      Checks on what rtppeer logged (T: Unix time, float).
  audio.py rtppeer --port P --log LOG [--secs S] [--send F --codec C]
      RTP endpoint on 127.0.0.1:P: logs every packet it receives (one JSON
      object a line, payload in hex); with --send, answers the first
      sender with a tone (symmetric RTP).

Tone detection: the signal is cut into 50 ms blocks; a block is loud when
its RMS exceeds 200; the share of a block's energy at frequency f is
r(f) = 2|X(f)|^2 / (N * sum x^2) (1.0 for a pure tone at f). A loud block
"has" the tone when every asked frequency has r >= 0.5/len(freqs) * 0.8
and together they hold >= 0.6 of the energy. Present: at least --min-frac
(default 0.6) of the loud blocks have it, and loud blocks make up at least
a fifth of the window. Absent: no more than 2 blocks have it.
"""
import argparse
import json
import math
import os
import select
import signal
import socket
import struct
import sys
import time
import wave

RATE = 8000
BLOCK = 400                     # 50 ms
LOUD_RMS = 200.0

# ---- G.711 --------------------------------------------------------------


def ulaw_encode(x):
    BIAS, CLIP = 0x84, 32635
    sign = 0x80 if x < 0 else 0
    if x < 0:
        x = -x
    x = min(x, CLIP) + BIAS
    exp = 7
    mask = 0x4000
    while exp > 0 and not (x & mask):
        exp -= 1
        mask >>= 1
    mant = (x >> (exp + 3)) & 0x0F
    return ~(sign | (exp << 4) | mant) & 0xFF


def ulaw_decode(u):
    u = ~u & 0xFF
    sign = u & 0x80
    exp = (u >> 4) & 0x07
    mant = u & 0x0F
    x = ((mant << 3) + 0x84) << exp
    x -= 0x84
    return -x if sign else x


def alaw_encode(x):
    if x >= 0:
        mask = 0xD5
    else:
        mask = 0x55
        x = -x - 1
    x = min(x, 32767)
    if x < 256:
        seg, val = 0, x >> 4
    else:
        seg = 1
        while seg < 7 and x >= (256 << seg):
            seg += 1
        val = (seg << 4) | ((x >> (seg + 3)) & 0x0F)
    return (val ^ mask) & 0xFF


def alaw_decode(a):
    a ^= 0x55
    t = (a & 0x0F) << 4
    seg = (a & 0x70) >> 4
    if seg == 0:
        t += 8
    elif seg == 1:
        t += 0x108
    else:
        t = (t + 0x108) << (seg - 1)
    return t if a & 0x80 else -t


ULAW = [ulaw_decode(i) for i in range(256)]
ALAW = [alaw_decode(i) for i in range(256)]


def decode(pt, payload):
    table = ULAW if pt == 0 else ALAW
    return [table[b] for b in payload]


def tone_samples(freqs, secs, amp):
    n = int(secs * RATE)
    return [int(sum(amp * math.sin(2 * math.pi * f * i / RATE)
                    for f in freqs) / len(freqs)) for i in range(n)]

# ---- Goertzel -----------------------------------------------------------


def share(block, f):
    """Share of the block's energy at frequency f (0..1)."""
    n = len(block)
    w = 2 * math.pi * f / RATE
    c = 2 * math.cos(w)
    s1 = s2 = 0.0
    for x in block:
        s0 = x + c * s1 - s2
        s2, s1 = s1, s0
    power = s1 * s1 + s2 * s2 - c * s1 * s2
    energy = sum(x * x for x in block)
    return 2 * power / (n * energy) if energy else 0.0


def analyse(samples, freqs):
    """(blocks, loud, matching) over 50 ms blocks."""
    blocks = loud = match = 0
    need_each = 0.8 * 0.5 / len(freqs) if len(freqs) > 1 else 0.6
    for i in range(0, len(samples) - BLOCK + 1, BLOCK):
        b = samples[i:i + BLOCK]
        blocks += 1
        rms = math.sqrt(sum(x * x for x in b) / BLOCK)
        if rms < LOUD_RMS:
            continue
        loud += 1
        r = [share(b, f) for f in freqs]
        if min(r) >= need_each and sum(r) >= 0.6:
            match += 1
    return blocks, loud, match


def verdict(what, blocks, loud, match, absent, min_frac):
    desc = f"{what}: blocks={blocks} loud={loud} with-tone={match}"
    if absent:
        ok = match <= 2
    else:
        ok = blocks > 0 and loud >= blocks / 5 and match >= min_frac * loud
    print(("OK " if ok else "FAIL ") + desc)
    return 0 if ok else 1

# ---- files --------------------------------------------------------------


def write_wav(path, samples, channels=1):
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack("<%dh" % len(samples), *samples))


def read_wav(path, channel):
    with wave.open(path, "rb") as w:
        ch, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
        if width != 2:
            raise SystemExit(f"{path}: {8 * width}-bit samples, want 16")
        data = w.readframes(w.getnframes())
    s = struct.unpack("<%dh" % (len(data) // 2), data)
    if channel >= ch:
        raise SystemExit(f"{path}: has {ch} channel(s), no channel {channel}")
    return list(s[channel::ch]), rate


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def write_pcap(path, freqs, codec, secs, amp):
    pt = 0 if codec == "pcmu" else 8
    enc = ulaw_encode if pt == 0 else alaw_encode
    samples = tone_samples(freqs, secs, amp)
    src, dst = bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])
    ssrc = 0x0CC51234 + pt
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    t0 = 1_700_000_000
    for k in range(len(samples) // 160):
        payload = bytes(enc(x) for x in samples[k * 160:(k + 1) * 160])
        rtp = struct.pack("!BBHII", 0x80, pt | (0x80 if k == 0 else 0),
                          k & 0xFFFF, k * 160, ssrc) + payload
        udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), k & 0xFFFF,
                         0, 64, 17, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        frame = b"\0" * 12 + b"\x08\x00" + ip + udp
        usec = k * 20000
        out.append(struct.pack("<IIII", t0 + usec // 1_000_000,
                               usec % 1_000_000, len(frame), len(frame)))
        out.append(frame)
    with open(path, "wb") as f:
        f.write(b"".join(out))

# ---- RTP log checks -----------------------------------------------------


def load_log(path, t_from, t_to):
    pkts = []
    with open(path) as f:
        for line in f:
            try:
                p = json.loads(line)
            except ValueError:
                continue            # a line cut by a kill
            if t_from <= p["t"] <= t_to:
                pkts.append(p)
    return pkts


def rtp_check(a):
    pkts = load_log(a.log, a.t_from, a.t_to)
    audio = [p for p in pkts if p["pt"] in (0, 8)]
    events = [p for p in pkts if p["pt"] == a.event_pt]
    samples = []
    for p in audio:
        samples += decode(p["pt"], bytes.fromhex(p["payload"]))
    what = f"{a.log} [{a.t_from:.2f}, {a.t_to:.2f}] packets={len(pkts)} audio={len(audio)}"
    if a.tone:
        return verdict(what, *analyse(samples, a.tone), False, a.min_frac)
    if a.absent:
        return verdict(what, *analyse(samples, a.absent), True, a.min_frac)
    if a.quiet:
        loud = [p for p in audio
                if max(abs(x) for x in decode(p["pt"], bytes.fromhex(p["payload"]))) > 300]
        ok = len(loud) == 0
        print(("OK " if ok else "FAIL ") + what + f" loud-packets={len(loud)}")
        return 0 if ok else 1
    if a.pt is not None:
        pts = sorted({p["pt"] for p in audio})
        ok = len(audio) > 0 and pts == [a.pt]
        print(("OK " if ok else "FAIL ") + what + f" payload-types={pts}")
        return 0 if ok else 1
    if a.dtmf is not None:
        # RFC 4733: one event per RTP timestamp; the E bit ends it
        names = "0123456789*#ABCD"
        seen, ended = [], set()
        for p in events:
            b = bytes.fromhex(p["payload"])
            if len(b) < 4:
                continue
            key = (p["ssrc"], p["ts"])
            if not seen or seen[-1][0] != key:
                seen.append((key, b[0]))
            if b[1] & 0x80:
                ended.add(key)
        digits = "".join(names[e] if e < 16 else "?" for _, e in seen)
        all_ended = all(k in ended for k, _ in seen)
        ok = digits == a.dtmf and all_ended
        print(("OK " if ok else "FAIL ") + what +
              f" events={len(events)} digits={digits!r} all-ended={all_ended}")
        return 0 if ok else 1
    raise SystemExit("rtp: say what to check")

# ---- RTP peer -----------------------------------------------------------


def rtppeer(a):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", a.port))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    log = open(a.log, "w", buffering=1)
    deadline = time.time() + a.secs
    remote = None
    tone = None
    if a.send:
        tone = tone_samples([a.send], 1.0, 6000)
        pt = 0 if a.codec == "pcmu" else 8
        enc = ulaw_encode if pt == 0 else alaw_encode
        frames = [bytes(enc(x) for x in tone[i:i + 160])
                  for i in range(0, len(tone), 160)]
        seq = ts = 0
        next_send = 0.0
    while not stop and time.time() < deadline:
        timeout = 0.02
        if remote and tone:
            timeout = max(0.0, next_send - time.time())
        r, _, _ = select.select([sock], [], [], timeout)
        if r:
            data, src = sock.recvfrom(2048)
            now = time.time()
            if len(data) >= 12 and data[0] >> 6 == 2:
                cc = data[0] & 0x0F
                hl = 12 + 4 * cc
                seqn, tsn, ssrc = struct.unpack("!HII", data[2:12])
                log.write(json.dumps({
                    "t": round(now, 4), "pt": data[1] & 0x7F,
                    "m": data[1] >> 7, "seq": seqn, "ts": tsn, "ssrc": ssrc,
                    "src": f"{src[0]}:{src[1]}",
                    "payload": data[hl:].hex()}) + "\n")
                if remote is None:
                    remote = src
                    next_send = now
        if remote and tone and time.time() >= next_send:
            f = frames[(seq) % len(frames)]
            pkt = struct.pack("!BBHII", 0x80, pt | (0x80 if seq == 0 else 0),
                              seq & 0xFFFF, ts & 0xFFFFFFFF, 0x5EED) + f
            sock.sendto(pkt, remote)
            seq += 1
            ts += 160
            next_send += 0.02
    log.close()

# ---- main ---------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("wav")
    w.add_argument("out")
    w.add_argument("--freq", type=float, action="append", required=True)
    w.add_argument("--secs", type=float, default=60)
    w.add_argument("--amp", type=int, default=8000)
    p = sub.add_parser("pcap")
    p.add_argument("out")
    p.add_argument("--freq", type=float, action="append", required=True)
    p.add_argument("--codec", choices=["pcmu", "pcma"], required=True)
    p.add_argument("--secs", type=float, default=30)
    p.add_argument("--amp", type=int, default=8000)
    t = sub.add_parser("tone")
    t.add_argument("wav")
    t.add_argument("--freq", type=float, action="append", required=True)
    t.add_argument("--channel", type=int, default=0)
    t.add_argument("--from", dest="t_from", type=float, default=0)
    t.add_argument("--to", dest="t_to", type=float, default=1e9)
    t.add_argument("--absent", action="store_true")
    t.add_argument("--min-frac", type=float, default=0.6)
    r = sub.add_parser("rtp")
    r.add_argument("log")
    r.add_argument("--from", dest="t_from", type=float, default=0)
    r.add_argument("--to", dest="t_to", type=float, default=1e12)
    r.add_argument("--tone", type=float, action="append")
    r.add_argument("--absent", type=float, action="append")
    r.add_argument("--quiet", action="store_true")
    r.add_argument("--dtmf")
    r.add_argument("--pt", type=int)
    r.add_argument("--event-pt", type=int, default=101)
    r.add_argument("--min-frac", type=float, default=0.6)
    q = sub.add_parser("rtppeer")
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--log", required=True)
    q.add_argument("--secs", type=float, default=120)
    q.add_argument("--send", type=float)
    q.add_argument("--codec", choices=["pcmu", "pcma"], default="pcmu")
    a = ap.parse_args()

    if a.cmd == "wav":
        write_wav(a.out, tone_samples(a.freq, a.secs, a.amp))
    elif a.cmd == "pcap":
        write_pcap(a.out, a.freq, a.codec, a.secs, a.amp)
    elif a.cmd == "tone":
        s, rate = read_wav(a.wav, a.channel)
        if rate != RATE:
            raise SystemExit(f"{a.wav}: {rate} Hz, want {RATE}")
        s = s[int(a.t_from * RATE):int(min(a.t_to, 1e6) * RATE)]
        what = f"{os.path.basename(a.wav)} ch{a.channel} {a.freq} Hz"
        sys.exit(verdict(what, *analyse(s, a.freq), a.absent, a.min_frac))
    elif a.cmd == "rtp":
        sys.exit(rtp_check(a))
    elif a.cmd == "rtppeer":
        rtppeer(a)


if __name__ == "__main__":
    main()
