#!/usr/bin/env python3
"""hear.py — who does a phone hear? Goertzel on a WAV, per party's tone
(python3 stdlib; the WAV reader and Goertzel block size are
tests/sip/lib/audio.py's).

  hear.py WAV [--channel N] [--t0 T0] --from T --to T
              [--hears F ...] [--not F ...] [--level F ...] [--sent A]

Cuts the window [T, T] out of the WAV's channel N (with --t0, T are Unix
times and T0 the Unix time of the WAV's first sample; without, seconds
into the file), in 50 ms blocks. For each frequency F it measures, per
block, the amplitude of the F component (Goertzel over the Hann-windowed
block, scaled to the sine's own amplitude for a pure tone; the window
keeps a loud tone from leaking into frequencies 100 Hz and more away),
and the level of silence: the same measure at reference frequencies
nobody speaks (the floor).

  --hears F: F is present — in at least 80 % of the blocks its amplitude
             is at least 20 times the floor (and above 100, a tenth of
             the quietest mixed voice in these tests).
  --level F: F arrives at the level it was sent: its median amplitude is
             within 1 dB of --sent (8000, the test tones' amplitude) —
             alone or mixed with others, the mixer sums.
  --not F:   F is absent — its amplitude stays within 4 times the floor
             (or 80, 1 % of a voice's 8000, whichever is higher) in at
             least 90 % of the blocks: -40 dB is not hearing a voice, and
             a loaded machine's phone (jitter buffer, concealment) leaves
             traces around 20-50 in a mix of two tones.

The window must lie within the WAV (at least 90 % of it) and hold at
least 10 blocks. Prints one line with the measured amplitudes (median
per frequency) and exits 0 when every expectation holds.
"""
import argparse
import math
import os
import statistics
import sys

sys.dont_write_bytecode = True     # no __pycache__ in tests/sip/lib
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "sip", "lib"))
import audio  # noqa: E402  (tests/sip/lib/audio.py)

RATE = audio.RATE
BLOCK = audio.BLOCK
# nobody speaks these, and none is within 100 Hz of the tests' tones (907,
# 1243, 1687 Hz), the ringback or the hold chime
REFERENCE = (1100.0, 1460.0, 2300.0, 2600.0)
HANN = [0.5 - 0.5 * math.cos(2 * math.pi * i / (BLOCK - 1)) for i in range(BLOCK)]


def amplitude(block, f):
    w = 2 * math.pi * f / RATE
    c = 2 * math.cos(w)
    s1 = s2 = 0.0
    for x, h in zip(block, HANN):
        s0 = x * h + c * s1 - s2
        s2, s1 = s1, s0
    power = max(0.0, s1 * s1 + s2 * s2 - c * s1 * s2)
    return 2 * math.sqrt(power) / (len(block) * 0.5)   # the window's gain


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("wav")
    ap.add_argument("--channel", type=int, default=0)
    ap.add_argument("--t0", type=float)
    ap.add_argument("--from", dest="t_from", type=float, required=True)
    ap.add_argument("--to", dest="t_to", type=float, required=True)
    ap.add_argument("--hears", type=float, action="append", default=[])
    ap.add_argument("--not", dest="absent", type=float, action="append",
                    default=[])
    ap.add_argument("--level", type=float, action="append", default=[])
    ap.add_argument("--sent", type=float, default=8000.0)
    a = ap.parse_args()

    samples, rate = audio.read_wav(a.wav, a.channel)
    if rate != RATE:
        sys.exit(f"FAIL {a.wav}: {rate} Hz, want {RATE}")
    off = a.t0 if a.t0 is not None else 0.0
    start, end = a.t_from - off, a.t_to - off
    length = len(samples) / RATE
    what = (f"{os.path.basename(a.wav)} ch{a.channel} "
            f"[{start:.2f} s, {end:.2f} s of {length:.2f} s]")
    if end - start < 10 * BLOCK / RATE:
        print(f"FAIL {what}: window shorter than {10 * BLOCK / RATE:.1f} s")
        return 1
    covered = max(0.0, min(end, length) - max(start, 0.0))
    if covered < 0.9 * (end - start):
        print(f"FAIL {what}: the window is not in the file")
        return 1
    if start < 0:
        print(f"FAIL {what}: the window starts before the file")
        return 1
    seg = samples[int(start * RATE):int(end * RATE)]
    blocks = [seg[i:i + BLOCK] for i in range(0, len(seg) - BLOCK + 1, BLOCK)]
    floor_per_block = [statistics.median(amplitude(b, f) for f in REFERENCE)
                       for b in blocks]
    floor = statistics.median(floor_per_block)
    ok = True
    parts = []
    for f in a.hears:
        amps = [amplitude(b, f) for b in blocks]
        need = max(20 * floor, 100.0)
        frac = sum(x >= need for x in amps) / len(amps)
        good = frac >= 0.8
        ok &= good
        parts.append(f"{f:g} Hz {statistics.median(amps):.0f} "
                     f"({100 * frac:.0f}% >= {need:.0f}: "
                     f"{'present' if good else 'NOT PRESENT'})")
    for f in a.absent:
        amps = [amplitude(b, f) for b in blocks]
        limit = max(4 * floor, 80.0)
        frac = sum(x <= limit for x in amps) / len(amps)
        good = frac >= 0.9
        ok &= good
        parts.append(f"{f:g} Hz {statistics.median(amps):.0f} "
                     f"({100 * frac:.0f}% <= {limit:.0f}: "
                     f"{'absent' if good else 'NOT ABSENT'})")
    lo, hi = a.sent * 10 ** (-1 / 20), a.sent * 10 ** (1 / 20)
    for f in a.level:
        med = statistics.median(amplitude(b, f) for b in blocks)
        good = lo <= med <= hi
        ok &= good
        parts.append(f"{f:g} Hz level {med:.0f} "
                     f"({'within' if good else 'NOT WITHIN'} "
                     f"{lo:.0f}..{hi:.0f}, ±1 dB of {a.sent:.0f})")
    print(("OK " if ok else "FAIL ") + f"{what} blocks={len(blocks)} "
          f"floor={floor:.1f}: " + "; ".join(parts))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
