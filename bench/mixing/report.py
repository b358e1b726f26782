#!/usr/bin/env python3
"""bench/mixing/report.py — the console tables and the key=value results of
bench/mixing/run.sh (which passes everything in MIX_* variables and the raw
files in $MIX_T). Exit status 0 only if every check holds."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import KvOut, conclude, jsonl, load_json, pct  # noqa: E402

E = os.environ
T = E["MIX_T"]

allrec = jsonl(f"{T}/levels.jsonl")
levels = [x for x in allrec if x["kind"] == "level"]
stop = next((x["stop"] for x in allrec if x["kind"] == "levels_done"), "?")
rtpe_all = jsonl(f"{T}/rtpengine.jsonl")
rtpe = [x for x in rtpe_all if x["kind"] == "rtpengine"]
relay = next((x for x in rtpe_all if x["kind"] == "rtpengine_relay"), None)
agents = load_json(f"{T}/agents.json", {})
target = float(E["MIX_TARGET"])
emit = KvOut(E["MIX_OUT"])

for k in ("PINNING", "PAIRS", "LEVELS", "RATE", "WINDOW", "TARGET", "SIPP_VERSION",
          "RTPE_VERSION", "RSS_IDLE", "RSS_END", "OPEN_CDR", "SIPP_LEFT", "LOG_ERRORS",
          "LOG_WARNS", "LOG_LINES", "OCC_ALIVE", "RTPE_ALIVE", "REGISTERED", "PEER"):
    emit("mix_" + k.lower(), E.get("MIX_" + k, ""))
emit("mix_agents_not_idle", agents.get("not_idle"))
emit("mix_stop", stop)

print()
print("Three-party conferences through occd (agent 770 Hz, customer 1130 Hz, consulted agent")
print("1470 Hz, each a 20 ms PCMU stream; occd mixes, records). Pinning: " + E["MIX_PINNING"])
print()
print(f"{'confs':>5} {'up':>4} {'occd CPU':>8} {'per conf':>8} {'other':>6} {'sipp+drv':>8} "
      f"{'RSS MiB':>7} {'B/conf':>7} {'UDP rx/s':>8} {'drops':>5} {'setup p50':>9} "
      f"{'API p99':>8} {'retrans':>7} {'audio':>6} {'failed':>6}")
max_other = 0.0
rt = {r["n"]: r for r in rtpe}
for i, h in enumerate(levels):
    w = h["window"]
    max_other = max(max_other, w["other_cpu"])
    print(f"{h['n']:5} {h['up']:4} {pct(w['occd_cpu']):>8} {h['cpu_per_conf'] * 100:7.2f}% "
          f"{pct(w['other_cpu']):>6} {pct(w['gen_cpu']):>8} {h['rss_loaded'] / 1048576:7.1f} "
          f"{h['rss_per_conf'] or 0:7} {w['udp_in_pps']:8} {w['occd_drops']:5} "
          f"{h['setup_p50_s']:8.2f}s {h['api_p99_ms']:6.1f}ms {h['retrans']:7} "
          f"{h['audio_checked'] - h['audio_bad']}/{h['audio_checked']:<4} {h['total_failures']:6}")
    p = f"mix_level{i}"
    for k, v in (("n", h["n"]), ("up", h["up"]), ("occd_cpu", w["occd_cpu"]),
                 ("cpu_per_conf", h["cpu_per_conf"]), ("other_cpu", w["other_cpu"]),
                 ("gen_cpu", w["gen_cpu"]), ("rss_loaded", h["rss_loaded"]),
                 ("rss_per_conf", h["rss_per_conf"]), ("udp_in_pps", w["udp_in_pps"]),
                 ("occd_drops", w["occd_drops"]), ("sip_drops", w["sip_drops"]),
                 ("setup_s", h["setup_s"]), ("setup_p50_s", h["setup_p50_s"]),
                 ("setup_max_s", h["setup_max_s"]), ("retries", h["retries"]),
                 ("api_p99_ms", h["api_p99_ms"]), ("retrans", h["retrans"]),
                 ("audio", f"{h['audio_checked'] - h['audio_bad']}/{h['audio_checked']}"),
                 ("amp_median", h.get("amp_median")), ("audible_min", h.get("audible_min")),
                 ("failed", h["total_failures"]), ("api_fail", h["api_fail"]),
                 ("cdr_bad", h["failed"] - h["api_fail"]), ("sipp_failed", h["sipp_failed"]),
                 ("predicted_cpu", h["predicted_cpu"]), ("recovery_s", h["recovery_s"]),
                 ("examples", " | ".join(h["examples"] + h["audio_examples"]))):
        emit(f"{p}_{k}", v)
    r = rt.get(h["n"])
    if r and r.get("pass") and r.get("rtpe_cpu"):
        emit(f"{p}_rtpe_cpu", r["rtpe_cpu"])
        emit(f"{p}_ratio", f"{w['occd_cpu'] / r['rtpe_cpu']:.2f}")
emit("mix_levels_measured", len(levels))
good = [h for h in levels if h["total_failures"] == 0 and h["window"]["occd_cpu"] < target]
best = max(good, key=lambda h: h["n"]) if good else None
if best:
    emit("mix_max_conf", best["n"])
    emit("mix_max_conf_cpu", best["window"]["occd_cpu"])
    emit("mix_cpu_per_conf", best["cpu_per_conf"])
    emit("mix_rss_per_conf", best["rss_per_conf"])
    print(f"most conferences up under {target:.0%} of occd's core with zero failures: {best['n']} "
          f"at {pct(best['window']['occd_cpu'])} ({best['cpu_per_conf'] * 100:.2f}% of a core each); "
          f"memory per conference {best['rss_per_conf']} B")
# a line through the passing levels: CPU = fixed + slope * N
pts = [(h["n"], h["window"]["occd_cpu"]) for h in levels if h["total_failures"] == 0]
if len(pts) >= 2:
    mx = sum(n for n, _ in pts) / len(pts)
    my = sum(c for _, c in pts) / len(pts)
    sxx = sum((n - mx) ** 2 for n, _ in pts)
    slope = sum((n - mx) * (c - my) for n, c in pts) / sxx if sxx else 0
    icpt = my - slope * mx
    emit("mix_fit_slope", f"{slope:.5f}")
    emit("mix_fit_intercept", f"{icpt:.4f}")
    if slope > 0:
        emit("mix_fit_n_at_target", int((target - icpt) / slope))
        print(f"least squares over the passing levels: {icpt:.1%} + {slope * 100:.3f}% per "
              f"conference; {target:.0%} at ~{int((target - icpt) / slope)} conferences")
print(f"levels stopped: {stop}")

print()
if rtpe:
    print(f"rtpengine {E['MIX_RTPE_VERSION']} (userspace, one worker, same CPU as occd): the same "
          "number of streams, PCMU<->PCMA")
    print(f"{'confs':>5} {'streams':>7} {'rtpe CPU':>8} {'occd CPU':>8} {'occd/rtpe':>9} "
          f"{'generator':>9} {'other':>6} {'checked pkts':>12} {'ok':>4}")
occ = {h["n"]: h for h in levels}
for i, r in enumerate(rtpe):
    o = occ.get(r["n"])
    if "rtpe_cpu" not in r:
        print(f"{r['n']:5} error: {r.get('error')}")
        emit(f"mix_rtpe{i}_n", r["n"])
        emit(f"mix_rtpe{i}_pass", False)
        continue
    max_other = max(max_other, r["other_cpu"])
    ratio = o["window"]["occd_cpu"] / r["rtpe_cpu"] if o and r["rtpe_cpu"] else 0
    print(f"{r['n']:5} {r['streams']:7} {pct(r['rtpe_cpu']):>8} "
          f"{pct(o['window']['occd_cpu']) if o else '?':>8} {ratio:9.2f} {pct(r['gen_cpu']):>9} "
          f"{pct(r['other_cpu']):>6} {r['check']['packets']:5}/{r['check']['expected']:<6} "
          f"{'yes' if r['pass'] else 'NO':>4}")
    for k in ("n", "streams", "calls", "rtpe_cpu", "gen_cpu", "other_cpu", "pps_sent",
              "late_ticks", "drops_at_rtpengine", "pass"):
        emit(f"mix_rtpe{i}_{k}", r[k])
    emit(f"mix_rtpe{i}_packets", f"{r['check']['packets']}/{r['check']['expected']}")
    emit(f"mix_rtpe{i}_ratio", f"{ratio:.2f}")
emit("mix_rtpe_levels", len(rtpe))
if relay and "rtpe_cpu" in relay:
    print(f"{relay['n']:5} {relay['streams']:7} {pct(relay['rtpe_cpu']):>8}   relay only (PCMU both "
          f"sides, no transcoding), generator {pct(relay['gen_cpu'])}, other "
          f"{pct(relay['other_cpu'])}, {relay['check']['packets']}/{relay['check']['expected']} "
          f"{'ok' if relay['pass'] else 'NOT OK'}")
    max_other = max(max_other, relay["other_cpu"])
    for k in ("n", "streams", "rtpe_cpu", "other_cpu", "pass"):
        emit(f"mix_relay_{k}", relay[k])
peer_ok = True
if E.get("MIX_PEER") == "1" and best:
    r = rt.get(best["n"])
    peer_ok = bool(r and r.get("pass"))
    if peer_ok:
        ratio = best["window"]["occd_cpu"] / r["rtpe_cpu"]
        emit("mix_rtpe_cpu", r["rtpe_cpu"])
        emit("mix_ratio", f"{ratio:.2f}")
        print(f"at {best['n']} conferences ({r['streams']} streams): occd {pct(best['window']['occd_cpu'])}"
              f", rtpengine {pct(r['rtpe_cpu'])}: occd/rtpengine CPU = {ratio:.2f}")
emit("mix_max_other_cpu", f"{max_other:.2f}")
if max_other > 0.1:
    print(f"WARNING: other processes used up to {max_other:.0%} of a CPU during the measurements")

checks = {
    "occd alive": E["MIX_OCC_ALIVE"] == "1",
    "every agent idle at the end": agents.get("not_idle") == 0 and
    agents.get("agents") == 2 * int(E["MIX_PAIRS"]),
    "no open CDR at the end": E["MIX_OPEN_CDR"] == "0",
    "no sipp call left": E["MIX_SIPP_LEFT"] == "0",
    "no level=error in occd's log": E["MIX_LOG_ERRORS"] == "0",
    "every failed level recovered": all(x.get("recovery_s") is not None for x in levels),
    f"a level passed under {target:.0%}": best is not None,
    "rtpengine measured at that level": peer_ok,
    "rtpengine alive": E["MIX_RTPE_ALIVE"] == "1",
}
ok = conclude(emit, "mix", checks, E["MIX_STARTED"])
print(f"took {int(time.time()) - int(E['MIX_STARTED'])} s")
sys.exit(0 if ok else 1)
