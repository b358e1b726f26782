#!/usr/bin/env python3
"""mp.py — audio checks for tests/multiparty (python3 stdlib only).

Builds on tests/sip/lib/audio.py (G.711, tone generation, Goertzel).

  mp.py peer --port P --dir DIR --send F [--pt 0|8] [--secs S]
             [--honour-hold]
      One phone's media: waits for DIR/remote.txt ("IP PORT", written by
      its sipp once it has answered), then speaks a tone of F Hz (amplitude
      8000) in 20 ms packets to that address and logs every packet it
      receives to DIR/rtp.jsonl (arrival time, PT, payload); DIR/ready
      says its port is bound. It stops
      speaking when DIR/bye exists (its sipp got BYE or CANCEL), so a port
      occd reuses for another leg never hears a hung-up phone; it ends on
      SIGTERM, after S seconds, or half a second after its sipp has ended
      (DIR/sipp.pid, written by the harness once it started that sipp,
      names a process that is gone), so the next call of a suite can
      take its port. With --honour-hold it behaves as RFC 3264
      asks of a phone that was told a=sendonly or a=inactive (its sipp
      answered recvonly and created DIR/held): it sends nothing while
      DIR/held exists, and prints "TIME held" / "TIME sending" when that
      changes. Keys: when DIR/keys appears (write DIR/keys.tmp, then
      rename it), its digits (0-9 * # A-D) are sent as RFC 4733
      telephone-events (payload type 101, 100 ms each with three end
      packets, 150 ms apart) in place of the tone, and the file is renamed
      DIR/keys.sent; each key's send time goes to DIR/keys.log.

  mp.py spray --to-file FILE... --send F --secs S --bind IP:PORT...
      A stranger: once every FILE ("IP PORT", a leg's RTP address at occd)
      exists, sends a tone of F Hz as 20 ms packets, each in PCMU and in
      PCMA (whichever the leg takes), from each bound address to each of
      those addresses, for S seconds (or SIGTERM).

  mp.py hears SRC --from T --to T [--tone F[+F2...]]... [--absent F]...
              [--quiet] [--amp F:LO:HI]... [--pps LO:HI]
      What one party heard in the wall-clock window [T, T]. SRC is an RTP
      log (rtp.jsonl) or WAV:CHANNEL@T0 (a WAV whose first sample is at
      wall time T0). --tone F+G: the tones F and G together (the mixer's
      sum; a single F is a single tone), as audio.py decides it; --absent
      F: no more than 2 of the 50 ms blocks have F; --quiet: no loud block
      at all; --amp F:LO:HI: the median amplitude of F over the loud
      blocks lies in [LO, HI] (a tone of amplitude A reads A); --pps LO:HI
      (RTP logs): audio packets a second (one 20 ms stream: 50);
      --max-gap S (RTP logs): no stretch of the window longer than S
      seconds without an audio packet (its edges included). Exit 0 when
      every expectation holds; prints one line per expectation.

  mp.py sequence WAV|RTPLOG [--channel N] --freqs F,G,... --want A;B;...
      For recordings without a wall clock (baresip's), or a peer's whole
      RTP log (rtp.jsonl, its packets in order): labels every 50 ms
      block with the set of the given frequencies it holds (one tone with
      a share >= 0.6, or several each >= 0.2 and together >= 0.6), keeps
      runs of at least 0.5 s, and checks that the labels of --want (e.g.
      "770;450;1470;770+1470") occur in that order. Prints the runs.

  mp.py rtpinfo LOG
      Where the stream in an RTP log (peer's rtp.jsonl) is discontinuous:
      SSRC changes, sequence gaps, timestamp steps that do not match, marker
      bits, pauses; for diagnostics.

  mp.py events DB SESSIONID
      The call's stored events, one "SOURCE event uniqueid ts_ms" a line.
"""
import argparse
import json
import math
import os
import select
import signal
import socket
import sqlite3
import statistics
import struct
import sys
import time
import wave

sys.dont_write_bytecode = True       # leave tests/sip/lib as it is
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "sip", "lib"))
import audio  # noqa: E402  (tests/sip/lib/audio.py)

RATE = audio.RATE
BLOCK = audio.BLOCK


# ---- a phone's media ------------------------------------------------------


def running(pid_file):
    """the process DIR/sipp.pid names runs (True while the file is not
    there yet); a zombie its parent has not reaped has ended"""
    try:
        pid = int(open(pid_file).read())
    except (OSError, ValueError):
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def peer(a):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", a.port))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    with open(os.path.join(a.dir, "ready"), "w") as f:
        f.write(f"{a.port}\n")             # bound: the phone can hear
    enc = audio.ulaw_encode if a.pt == 0 else audio.alaw_encode
    tone = audio.tone_samples([a.send], 1.0, 8000)        # whole periods
    if a.wav:           # a greeting: the WAV once from the answer, then silence
        tone, _ = audio.read_wav(a.wav, 0)
        tone = list(tone) + [0] * (-len(tone) % 160 + 160)
    frames = [bytes(enc(x) for x in tone[i:i + 160])
              for i in range(0, len(tone), 160)]
    if a.wav:
        silence = frames[-1]
        frames = frames[:-1]
    remote_file = os.path.join(a.dir, "remote.txt")
    bye_file = os.path.join(a.dir, "bye")
    held_file = os.path.join(a.dir, "held")
    keys_file = os.path.join(a.dir, "keys")
    keys = []                              # digits still to send
    ev = None                              # the event being sent
    next_key = 0.0
    held = False
    deadline = time.time() + a.secs
    sipp_pid = os.path.join(a.dir, "sipp.pid")
    next_look = 0.0
    remote = None
    seq = 0
    next_send = 0.0
    with open(os.path.join(a.dir, "rtp.jsonl"), "w", buffering=1) as log:
        while not stop and time.time() < deadline:
            now = time.time()
            if now >= next_look:
                next_look = now + 0.25
                if not running(sipp_pid):
                    deadline = min(deadline, now + 0.5)
            if remote is None and os.path.exists(remote_file):
                try:
                    ip, port = open(remote_file).read().split()[:2]
                    remote = (ip, int(port))
                    next_send = now
                except ValueError:
                    pass                    # not completely written yet
            if remote and os.path.exists(bye_file):
                remote = False              # hung up: silent from now on
            if a.honour_hold and os.path.exists(held_file) != held:
                held = not held
                print(f"{now:.3f} {'held' if held else 'sending'}", flush=True)
                next_send = now
            if remote and os.path.exists(keys_file):
                keys += [c for c in open(keys_file).read()
                         if c in "0123456789*#ABCD"]
                os.replace(keys_file, keys_file + ".sent")
            if remote and not held and now >= next_send:
                if ev is None and keys and now >= next_key:
                    d = keys.pop(0)
                    ev = {"code": "0123456789*#ABCD".index(d),
                          "ts": seq * 160, "n": 0}
                    with open(os.path.join(a.dir, "keys.log"), "a") as kl:
                        kl.write(f"{now:.3f} {d}\n")
                if ev is not None:
                    # RFC 4733: one timestamp per event, marker first,
                    # the duration growing, three end packets
                    end = ev["n"] >= 5
                    dur = min(ev["n"] + 1, 6) * 160
                    pkt = struct.pack("!BBHII", 0x80,
                                      101 | (0x80 if ev["n"] == 0 else 0),
                                      seq & 0xFFFF, ev["ts"] & 0xFFFFFFFF,
                                      0x5EED0000 | a.port) + struct.pack(
                        "!BBH", ev["code"], (0x80 if end else 0) | 10, dur)
                    ev["n"] += 1
                    if ev["n"] >= 8:
                        ev = None
                        next_key = now + 0.15
                else:
                    pkt = struct.pack("!BBHII", 0x80,
                                      a.pt | (0x80 if seq == 0 else 0),
                                      seq & 0xFFFF, (seq * 160) & 0xFFFFFFFF,
                                      0x5EED0000 | a.port) + (
                        frames[seq] if a.wav and seq < len(frames) else
                        silence if a.wav else frames[seq % len(frames)])
                try:
                    sock.sendto(pkt, remote)
                except OSError:
                    pass
                seq += 1
                next_send += 0.02
                if next_send < now - 0.1:   # never burst after a stall
                    next_send = now
            wait = 0.05 if not remote or held else max(0.0, next_send - time.time())
            try:
                r, _, _ = select.select([sock], [], [], min(wait, 0.05))
            except InterruptedError:
                continue
            if not r:
                continue
            try:
                data, src = sock.recvfrom(2048)
            except OSError:
                continue
            if len(data) < 12 or data[0] >> 6 != 2:
                continue
            hl = 12 + 4 * (data[0] & 0x0F)
            seqn, ts, ssrc = struct.unpack("!HII", data[2:12])
            log.write(json.dumps({
                "t": round(time.time(), 4), "pt": data[1] & 0x7F,
                "m": data[1] >> 7, "seq": seqn, "ts": ts, "ssrc": ssrc,
                "src": f"{src[0]}:{src[1]}",
                "payload": data[hl:].hex()}) + "\n")


# ---- sources ----------------------------------------------------------------


def samples_of(src, t_from, t_to):
    """PCM of what a party heard in [t_from, t_to] (wall clock), and the
    number of audio packets (None for a WAV)."""
    if "@" in src:                      # WAV:CH@T0
        path_ch, t0 = src.rsplit("@", 1)
        path, ch = path_ch.rsplit(":", 1)
        s, rate = audio.read_wav(path, int(ch))
        if rate != RATE:
            raise SystemExit(f"{path}: {rate} Hz, want {RATE}")
        a = max(0, int((t_from - float(t0)) * RATE))
        b = max(0, int((t_to - float(t0)) * RATE))
        return s[a:b], f"{os.path.basename(path)} ch{ch}", None
    pkts = audio.load_log(src, t_from, t_to)
    out = []
    npk = 0
    for p in pkts:
        if p["pt"] in (0, 8):
            out += audio.decode(p["pt"], bytes.fromhex(p["payload"]))
            npk += 1
    return out, f"{os.path.basename(os.path.dirname(src))} rtp", npk


def blocks_of(samples):
    for i in range(0, len(samples) - BLOCK + 1, BLOCK):
        yield samples[i:i + BLOCK]


def rms(b):
    return math.sqrt(sum(x * x for x in b) / len(b))


def amplitude(b, f):
    """Amplitude of the tone f in block b (a pure tone of amplitude A: A)."""
    n = len(b)
    w = 2 * math.pi * f / RATE
    c = 2 * math.cos(w)
    s1 = s2 = 0.0
    for x in b:
        s0 = x + c * s1 - s2
        s2, s1 = s1, s0
    power = s1 * s1 + s2 * s2 - c * s1 * s2
    return 2 * math.sqrt(max(power, 0.0)) / n


def freqs_of(spec):
    return [float(x) for x in spec.split("+")]


def hears(a):
    # a window that ends in the future is read once it has passed (plus a
    # packet's jitter), or the check would judge half a window
    wait = a.t_to + 0.15 - time.time()
    if 0 < wait < 30:
        time.sleep(wait)
    samples, name, npk = samples_of(a.src, a.t_from, a.t_to)
    what = f"{name} [{a.t_from:.2f}, {a.t_to:.2f}] {len(samples) / RATE:.2f}s"
    fails = 0

    def say(ok, text):
        nonlocal fails
        fails += 0 if ok else 1
        print(("OK " if ok else "FAIL ") + what + ": " + text)

    for spec in a.tone or []:
        blocks, loud, match = audio.analyse(samples, freqs_of(spec))
        ok = blocks > 0 and loud >= blocks / 5 and match >= a.min_frac * loud
        say(ok, f"tone {spec}: blocks={blocks} loud={loud} with-tone={match}")
    for spec in a.absent or []:
        blocks, loud, match = audio.analyse(samples, freqs_of(spec))
        say(match <= 2 and blocks > 0,
            f"no {spec}: blocks={blocks} loud={loud} with-it={match}")
    if a.quiet:
        bl = list(blocks_of(samples))
        loud = sum(1 for b in bl if rms(b) >= audio.LOUD_RMS)
        say(loud == 0, f"quiet: blocks={len(bl)} loud={loud}")
    for spec in a.amp or []:
        f, lo, hi = (float(x) for x in spec.split(":"))
        amps = [amplitude(b, f) for b in blocks_of(samples)
                if rms(b) >= audio.LOUD_RMS]
        med = statistics.median(amps) if amps else 0.0
        say(lo <= med <= hi,
            f"amplitude of {f:g} Hz: median {med:.0f} over {len(amps)} "
            f"loud blocks, want [{lo:g}, {hi:g}]")
    if a.max_gap is not None:
        times = [p["t"] for p in audio.load_log(a.src, a.t_from, a.t_to)
                 if p["pt"] in (0, 8)]
        edges = [a.t_from] + times + [a.t_to]
        gap = max(b - x for x, b in zip(edges, edges[1:]))
        say(gap <= a.max_gap,
            f"longest stretch without audio {gap:.3f}s over {len(times)} "
            f"packets, want <= {a.max_gap:g}s")
    if a.pps:
        lo, hi = (float(x) for x in a.pps.split(":"))
        rate = (npk or 0) / max(a.t_to - a.t_from, 1e-3)
        say(npk is not None and lo <= rate <= hi,
            f"{npk} audio packets, {rate:.1f} a second, want [{lo:g}, {hi:g}]")
    if not (a.tone or a.absent or a.quiet or a.amp or a.pps or
            a.max_gap is not None):
        raise SystemExit("hears: say what to check")
    return 1 if fails else 0


# ---- a stranger --------------------------------------------------------------


def spray(a):
    socks = []
    for b in a.bind:
        ip, port = b.rsplit(":", 1)
        sk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sk.bind((ip, int(port)))
        socks.append(sk)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    tone = audio.tone_samples([a.send], 1.0, 8000)
    frames = {pt: [bytes(enc(x) for x in tone[i:i + 160])
                   for i in range(0, len(tone), 160)]
              for pt, enc in ((0, audio.ulaw_encode), (8, audio.alaw_encode))}
    deadline = time.time() + a.secs
    targets = None
    seq = sent = 0
    next_send = time.time()
    while not stop and time.time() < deadline:
        if targets is None:
            try:
                targets = []
                for f in a.to_file:
                    ip, port = open(f).read().split()[:2]
                    targets.append((ip, int(port)))
            except (OSError, ValueError):
                targets = None
                time.sleep(0.05)
                continue
        for pt, fr in frames.items():
            pkt = struct.pack("!BBHII", 0x80, pt, seq & 0xFFFF,
                              (seq * 160) & 0xFFFFFFFF, 0xBAD00000 | pt) + \
                fr[seq % len(fr)]
            for sk in socks:
                for t in targets:
                    try:
                        sk.sendto(pkt, t)
                        sent += 1
                    except OSError:
                        pass
        seq += 1
        next_send += 0.02
        time.sleep(max(0.0, next_send - time.time()))
    print(f"sprayed {sent} packets at {targets} from {a.bind}", flush=True)


# ---- order of what was heard, without a clock -------------------------------


def sequence(a):
    if a.wav.endswith(".jsonl"):    # an RTP log: its packets in order
        s, rate = samples_of(a.wav, 0, float("inf"))[0], RATE
    else:
        s, rate = audio.read_wav(a.wav, a.channel)
    freqs = [float(x) for x in a.freqs.split(",")]
    labels = []
    for b in blocks_of(s):
        if rms(b) < audio.LOUD_RMS:
            labels.append("-")
            continue
        r = {f: audio.share(b, f) for f in freqs}
        top = [f for f in freqs if r[f] >= 0.2]
        if len(top) == 1 and r[top[0]] >= 0.6:
            labels.append(f"{top[0]:g}")
        elif len(top) > 1 and sum(r[f] for f in top) >= 0.6:
            labels.append("+".join(f"{f:g}" for f in top))
        else:
            labels.append("?")
    runs = []                       # [label, first block, length]
    for i, lab in enumerate(labels):
        if runs and runs[-1][0] == lab:
            runs[-1][2] += 1
        else:
            runs.append([lab, i, 1])
    long_runs = [r for r in runs if r[2] >= a.min_blocks and r[0] not in "-?"]
    seen = []
    for r in long_runs:
        if not seen or seen[-1] != r[0]:
            seen.append(r[0])
    want = [w.strip() for w in a.want.split(";")]
    # canonical labels: frequencies in the order of --freqs
    order = {f"{f:g}": i for i, f in enumerate(freqs)}
    want = ["+".join(sorted(w.split("+"), key=lambda x: order.get(x, 99)))
            for w in want]
    it = iter(seen)
    ok = all(any(w == x for x in it) for w in want)
    print(("OK " if ok else "FAIL ") + f"{os.path.basename(a.wav)} ch{a.channel}: "
          f"heard in order {seen}, want {want} in that order")
    print("runs (label@start_s:secs): " + " ".join(
        f"{lab}@{i * BLOCK / RATE:.1f}:{n * BLOCK / RATE:.1f}" for lab, i, n in runs
        if n >= 4))
    return 0 if ok else 1


def rtpinfo(a):
    """Discontinuities of the stream(s) in an RTP log: SSRC changes,
    sequence gaps, timestamp jumps that do not match the packets' spacing,
    marker bits."""
    prev = None
    n = 0
    for line in open(a.log):
        try:
            p = json.loads(line)
        except ValueError:
            continue
        n += 1
        if prev is None:
            print(f"{p['t']:.3f} first packet ssrc={p['ssrc']:#x} seq={p['seq']} ts={p['ts']} pt={p['pt']}")
        elif p["ssrc"] != prev["ssrc"]:
            print(f"{p['t']:.3f} SSRC {prev['ssrc']:#x} -> {p['ssrc']:#x} seq {prev['seq']} -> {p['seq']} ts {prev['ts']} -> {p['ts']}")
        else:
            dseq = (p["seq"] - prev["seq"]) & 0xFFFF
            dts = (p["ts"] - prev["ts"]) & 0xFFFFFFFF
            if dseq != 1:
                print(f"{p['t']:.3f} seq {prev['seq']} -> {p['seq']} (gap {dseq})")
            if p["pt"] in (0, 8) and prev["pt"] in (0, 8) and dts != 160 * dseq:
                print(f"{p['t']:.3f} ts {prev['ts']} -> {p['ts']} (step {dts if dts < 2**31 else dts - 2**32}, want {160 * dseq})")
        if p.get("m"):
            print(f"{p['t']:.3f} marker seq={p['seq']}")
        if prev and p["t"] - prev["t"] > 0.1:
            print(f"{p['t']:.3f} no packet for {p['t'] - prev['t']:.2f} s")
        prev = p
    print(f"{n} packets")


def events(a):
    c = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True, timeout=5)
    for (text,) in c.execute(
            "SELECT text FROM events WHERE text LIKE ? ORDER BY eventid",
            (f"%sessionid={a.sid}&%",)):
        v = dict(kv.split("=", 1) for kv in text.split("&") if "=" in kv)
        print(v.get("source"), v.get("event"), v.get("uniqueid"),
              v.get("activenum"))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("peer")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--send", type=float, required=True)
    p.add_argument("--pt", type=int, choices=[0, 8], default=0)
    p.add_argument("--secs", type=float, default=60)
    p.add_argument("--honour-hold", action="store_true")
    p.add_argument("--wav", help="8 kHz mono WAV sent once instead of --send, then silence")
    y = sub.add_parser("spray")
    y.add_argument("--to-file", action="append", required=True)
    y.add_argument("--bind", action="append", required=True)
    y.add_argument("--send", type=float, required=True)
    y.add_argument("--secs", type=float, default=30)
    h = sub.add_parser("hears")
    h.add_argument("src")
    h.add_argument("--from", dest="t_from", type=float, required=True)
    h.add_argument("--to", dest="t_to", type=float, required=True)
    h.add_argument("--tone", action="append")
    h.add_argument("--absent", action="append")
    h.add_argument("--quiet", action="store_true")
    h.add_argument("--amp", action="append")
    h.add_argument("--pps")
    h.add_argument("--max-gap", type=float)
    h.add_argument("--min-frac", type=float, default=0.6)
    s = sub.add_parser("sequence")
    s.add_argument("wav")
    s.add_argument("--channel", type=int, default=0)
    s.add_argument("--freqs", required=True)
    s.add_argument("--want", required=True)
    s.add_argument("--min-blocks", type=int, default=10)
    i = sub.add_parser("rtpinfo")
    i.add_argument("log")
    e = sub.add_parser("events")
    e.add_argument("db")
    e.add_argument("sid")
    a = ap.parse_args()
    if a.cmd == "peer":
        peer(a)
    elif a.cmd == "spray":
        spray(a)
    elif a.cmd == "hears":
        sys.exit(hears(a))
    elif a.cmd == "sequence":
        sys.exit(sequence(a))
    elif a.cmd == "rtpinfo":
        rtpinfo(a)
    elif a.cmd == "events":
        events(a)


if __name__ == "__main__":
    main()
