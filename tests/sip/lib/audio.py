#!/usr/bin/env python3
"""audio.py — tones, Goertzel and RTP tools for the SIP tests (python3 stdlib only).

  audio.py wav OUT --freq F [--freq F2] [--secs S] [--amp A]
      8 kHz mono 16-bit WAV of a steady tone (two tones are summed).
  audio.py tone WAV --freq F [--freq F2] [--channel N] [--from S] [--to S]
                    [--absent] [--min-frac X]
      Goertzel: is the tone (all of the given frequencies at once) present
      in the WAV's channel N (0 = left/mono, 1 = right) between seconds S
      and S?  Exit 0 when the expectation holds.
  audio.py rtp LOG --from T --to T (--tone F [--tone F2] | --absent F |
                   --quiet | --dtmf DIGITS | --pt PT)
      Checks on what rtppeer logged (T: Unix time, float).
  audio.py rtppeer --port P --log LOG [--secs S]
                   [--send F --pt 0|8 --remote-file FILE]
      A far end's RTP on 127.0.0.1:P (its SDP points occd here): logs
      every packet it receives, one JSON object a line (arrival time, PT,
      marker, seq, ts, SSRC, payload in hex), until SIGTERM or S seconds.
      With --send it also speaks: a tone of F Hz in 20 ms PCMU (0) or PCMA
      (8) packets, from P, to the "IP PORT" that FILE holds once it exists
      (sipp writes occd's SDP address there).

Tone detection (Goertzel): the signal is cut into 50 ms blocks; a block is
loud when its RMS exceeds 200; the share of a block's energy at frequency f
is r(f) = 2|X(f)|^2 / (N * sum x^2) (1.0 for a pure tone at f). A loud block
has a single tone when r >= 0.6; two tones (a chime) when each has
r >= 0.2 and together r >= 0.6. Present: at least --min-frac (default 0.6)
of the loud blocks have it, and loud blocks make up at least a fifth of the
window. Absent: no more than 2 blocks have it.
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
    try:
        w = wave.open(path, "rb")
    except (OSError, EOFError, wave.Error) as e:
        raise SystemExit(f"FAIL cannot read {path!r}: {e}")
    with w:
        ch, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
        if width != 2:
            raise SystemExit(f"{path}: {8 * width}-bit samples, want 16")
        data = w.readframes(w.getnframes())
    s = struct.unpack("<%dh" % (len(data) // 2), data)
    if channel >= ch:
        raise SystemExit(f"{path}: has {ch} channel(s), no channel {channel}")
    return list(s[channel::ch]), rate


# ---- RTP log checks -----------------------------------------------------


def load_log(path, t_from, t_to):
    pkts = []
    if not os.path.exists(path):
        raise SystemExit(f"FAIL no RTP log {path}")
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
    deadline = time.time() + a.secs
    remote = None
    frames = []
    if a.send:
        enc = ulaw_encode if a.pt == 0 else alaw_encode
        tone = tone_samples([a.send], 1.0, 8000)   # 1 s: whole periods
        frames = [bytes(enc(x) for x in tone[i:i + 160])
                  for i in range(0, len(tone), 160)]
    seq = 0
    next_send = 0.0
    with open(a.log, "w", buffering=1) as log:
        while not stop and time.time() < deadline:
            now = time.time()
            if frames and remote is None and os.path.exists(a.remote_file):
                try:
                    ip, port = open(a.remote_file).read().split()[:2]
                    remote = (ip, int(port))
                    next_send = now
                except ValueError:
                    pass        # not written completely yet
            if remote and now >= next_send:
                pkt = struct.pack("!BBHII", 0x80,
                                  a.pt | (0x80 if seq == 0 else 0),
                                  seq & 0xFFFF, (seq * 160) & 0xFFFFFFFF,
                                  0x0CC5EED) + frames[seq % len(frames)]
                sock.sendto(pkt, remote)
                seq += 1
                next_send += 0.02
                if next_send < now - 0.1:      # never burst after a stall
                    next_send = now
            wait = 0.05 if not remote else max(0.0, next_send - time.time())
            r, _, _ = select.select([sock], [], [], min(wait, 0.05))
            if not r:
                continue
            data, src = sock.recvfrom(2048)
            if len(data) < 12 or data[0] >> 6 != 2:
                continue
            hl = 12 + 4 * (data[0] & 0x0F)
            seqn, ts, ssrc = struct.unpack("!HII", data[2:12])
            log.write(json.dumps({
                "t": round(time.time(), 4), "pt": data[1] & 0x7F,
                "m": data[1] >> 7, "seq": seqn, "ts": ts, "ssrc": ssrc,
                "src": f"{src[0]}:{src[1]}",
                "payload": data[hl:].hex()}) + "\n")


# ---- main ---------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("wav")
    w.add_argument("out")
    w.add_argument("--freq", type=float, action="append", required=True)
    w.add_argument("--secs", type=float, default=60)
    w.add_argument("--amp", type=int, default=8000)
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
    q.add_argument("--pt", type=int, choices=[0, 8], default=0)
    q.add_argument("--remote-file", default="")
    a = ap.parse_args()

    if a.cmd == "wav":
        write_wav(a.out, tone_samples(a.freq, a.secs, a.amp))
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
