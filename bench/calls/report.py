#!/usr/bin/env python3
"""bench/calls/report.py — the console tables and the key=value results of
bench/calls/run.sh (which passes everything in CALLS_* variables and the
raw files in $CALLS_T). Exit status 0 only if every check holds."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import KvOut, conclude, jsonl, load_json, pct  # noqa: E402

E = os.environ
T = E["CALLS_T"]

ramp_all = jsonl(f"{T}/ramp.jsonl")
ramp = [x for x in ramp_all if x["kind"] == "ramp"]
best = next((x["max_zero_failure_rate"] for x in ramp_all if x["kind"] == "ramp_result"), 0)
hold = jsonl(f"{T}/hold.jsonl")
agents = load_json(f"{T}/agents.json", {})
reg = load_json(f"{T}/register.json", {})
kam_all = jsonl(f"{T}/kamailio/steps.jsonl")
kam = [x for x in kam_all if x["kind"] == "kamailio"]
kbest = next((x["max_zero_failure_rate"] for x in kam_all if x["kind"] == "kamailio_result"), 0)

emit = KvOut(E["CALLS_OUT"])
idle = next((x for x in ramp_all if x["kind"] == "probe_idle"), {})
emit("calls_probe_idle_p50_ms", idle.get("probe_ms_p50", "?"))
emit("calls_probe_idle_p99_ms", idle.get("probe_ms_p99", "?"))
emit("calls_floor_idle_p99_ms", idle.get("floor_ms_p99", "?"))

for k in ("PINNING", "AGENTS", "HOLD", "DURATION", "RATES", "LEVELS", "HR", "WINDOW",
          "KAM_DURATION", "SIPP_VERSION", "KAM_VERSION", "CLASH", "RSS_START", "RSS_IDLE",
          "RSS_END", "OPEN_CDR", "SIPP_LEFT", "LOG_ERRORS", "LOG_WARNS", "LOG_LINES",
          "LOG_NOISE", "OCC_ALIVE", "KAM_ALIVE"):
    emit("calls_" + k.lower(), E.get("CALLS_" + k, ""))
emit("calls_registered", reg.get("registered"))
emit("calls_agents_not_idle", agents.get("not_idle"))

hold_s = E["CALLS_HOLD"]
print()
print("Calls through occd: EVENT=MAKECALL; the agent's phone (sipp) answers; occd dials the")
print(f"customer over the trunk (sipp), which answers and hangs up after {hold_s} s; the customer's")
print("G.711 comes from rtppeer play, the agent's is rtppeer echo's. Pinning: " + E["CALLS_PINNING"])
print()
print(f"{'rate/s':>6} {'up':>4} {'calls':>6} {'busy':>5} {'failed':>6} {'occd CPU':>8} {'other':>6} "
      f"{'sipp+drv':>8} {'API p99':>8} {'retrans':>7} {'SIP drop':>8} {'RSS MiB':>7} {'recovery':>8}")
max_other = 0.0
for i, s in enumerate(ramp):
    st = s["steady"] or s["whole_step"]
    max_other = max(max_other, st["other_cpu"])
    retr = s["sipp"].get("phones_Retransmissions", 0) + s["sipp"].get("trunk_Retransmissions", 0)
    rec = s.get("recovery_s")
    print(f"{s['rate']:6g} {round(s['rate'] * s['hold_s']):4} {s['placed']:6} "
          f"{s.get('refused', 0):5} {s['total_failures']:6} {pct(st['occd_cpu']):>8} {pct(st['other_cpu']):>6} "
          f"{pct(st['gen_cpu']):>8} {s.get('api_ms_p99', 0):6.1f}ms {retr:7} "
          f"{st['sip_drops']:8} {s['rss_peak'] / 1048576:7.1f} "
          f"{'-' if not s['total_failures'] else ('never' if rec is None else f'{rec:.0f} s'):>8}")
    p = f"calls_ramp{i}"
    for k, v in (("rate", s["rate"]), ("placed", s["placed"]),
                 ("refused", s.get("refused", 0)), ("failed", s["total_failures"]),
                 ("occd_cpu", st["occd_cpu"]), ("other_cpu", st["other_cpu"]),
                 ("gen_cpu", st["gen_cpu"]), ("api_p50_ms", s.get("api_ms_p50", 0)),
                 ("api_p99_ms", s.get("api_ms_p99", 0)), ("retrans", retr),
                 ("probe_p50_ms", s.get("probe_ms_p50", "?")),
                 ("probe_p99_ms", s.get("probe_ms_p99", "?")),
                 ("floor_p99_ms", s.get("floor_ms_p99", "?")),
                 ("store_ms_per_call", s.get("store_ms_per_call", "?")),
                 ("store_writes_per_call", s.get("store_writes_per_call", "?")),
                 ("sip_drops", st["sip_drops"]), ("rss", s["rss_peak"]),
                 ("occd_drops", st.get("occd_drops", 0)),
                 ("steady", "yes" if s["steady"] else "no"),
                 ("driver_limited", s["driver_limited"]),
                 ("media", f"{s['media_checked'] - s['media_bad']}/{s['media_checked']}"),
                 ("api_fail", s["api_fail"]), ("sipp_failed", s["sipp_failed"]),
                 ("cdr_bad", s["no_cdr"] + s["not_answered"] + s["not_by_customer"] +
                  s["talk_off"] + s["leg_bad"] + s["open"]),
                 ("talk_off", s["talk_off"]), ("recovery_s", rec),
                 ("dispositions", " ".join(f"{k}:{v}" for k, v in s["dispositions"].items())),
                 ("examples", " | ".join(s["examples"]))):
        emit(f"{p}_{k}", v)
emit("calls_ramp_steps", len(ramp))
emit("calls_max_rate", f"{best:g}")
print(f"highest rate with zero failures: {best:g} calls/s")
print("API probe (AGENTSTATUS every 10 ms), p99: idle "
      f"{idle.get('probe_ms_p99', '?')} ms; ramp steps "
      + ", ".join(f"{s['rate']:g}/s {s.get('probe_ms_p99', '?')} ms" for s in ramp)
      + "; levels " + ", ".join(f"{h['calls']} {h.get('probe_ms_p99', '?')} ms" for h in hold))
print("floor (bench/tools/httpfloor.c on occd's CPU, the same probe), p99: idle "
      f"{idle.get('floor_ms_p99', '?')} ms; ramp steps "
      + ", ".join(f"{s['rate']:g}/s {s.get('floor_ms_p99', '?')} ms" for s in ramp)
      + "; levels " + ", ".join(f"{h['calls']} {h.get('floor_ms_p99', '?')} ms" for h in hold))
print()
print(f"{'calls':>6} {'up':>5} {'occd CPU':>8} {'other':>6} {'sipp+drv':>8} {'RSS idle':>10} "
      f"{'RSS up':>10} {'B/call':>7} {'UDP rx/s':>8} {'drops':>6} {'at occd':>7} {'failed':>6}")
for i, h in enumerate(hold):
    w = h["window"]
    max_other = max(max_other, w["other_cpu"])
    print(f"{h['calls']:6} {h['up']:5} {pct(w['occd_cpu']):>8} {pct(w['other_cpu']):>6} "
          f"{pct(w['gen_cpu']):>8} {h['rss_idle']:10} {h['rss_loaded']:10} "
          f"{h['rss_per_call'] or 0:7} {w['udp_in_pps']:8} {w['udp_drops']:6} "
          f"{w['occd_drops']:7} {h['total_failures']:6}")
    p = f"calls_hold{i}"
    for k, v in (("calls", h["calls"]), ("up", h["up"]), ("occd_cpu", w["occd_cpu"]),
                 ("other_cpu", w["other_cpu"]), ("gen_cpu", w["gen_cpu"]),
                 # run.sh's --gen-pids order
                 ("gen_each_cpu", " ".join(f"{n}:{c}" for n, c in zip(
                     ("phones_sipp", "trunk_sipp", "rtppeer_echo", "rtppeer_play"),
                     w.get("gen_each_cpu", [])))),
                 ("rss_idle", h["rss_idle"]), ("rss_loaded", h["rss_loaded"]),
                 ("rss_per_call", h["rss_per_call"]), ("udp_in_pps", w["udp_in_pps"]),
                 ("udp_drops", w["udp_drops"]), ("sip_drops", w["sip_drops"]),
                 ("occd_drops", w["occd_drops"]),
                 ("silent", f"{h.get('silent_agent', 0)}/{h.get('silent_customer', 0)}"),
                 ("failed", h["total_failures"]), ("hold_s", h["hold_s"]),
                 ("probe_p50_ms", h.get("probe_ms_p50", "?")),
                 ("probe_p99_ms", h.get("probe_ms_p99", "?")),
                 ("floor_p99_ms", h.get("floor_ms_p99", "?")),
                 ("store_ms_per_call", h.get("store_ms_per_call", "?")),
                 ("predicted_cpu", h.get("predicted_cpu")), ("recovery_s", h.get("recovery_s")),
                 ("media", f"{h['media_checked'] - h['media_bad']}/{h['media_checked']}"),
                 ("examples", " | ".join(h["examples"]))):
        emit(f"{p}_{k}", v)
emit("calls_hold_levels", len(hold))
good = [h for h in hold if h["total_failures"] == 0]
if good:
    g = max(good, key=lambda h: h["calls"])
    emit("calls_max_concurrent", g["calls"])
    emit("calls_max_concurrent_cpu", g["window"]["occd_cpu"])
    emit("calls_rss_per_call", g["rss_per_call"])
    print(f"most calls up with zero failures: {g['calls']} at {pct(g['window']['occd_cpu'])} of "
          f"occd's CPU; memory per call {g['rss_per_call']} B")
print()
print(f"{'kamailio rate/s':>15} {'calls':>6} {'ok':>6} {'not ok':>6} {'retrans':>7} "
      f"{'kam CPU':>7} {'other':>6} {'sipp CPU':>8} {'seconds':>7}")
kcpu_best = None
for i, k in enumerate(kam):
    max_other = max(max_other, k["other_cpu"])
    print(f"{k['rate']:15g} {k['calls']:6} {k['ok']:6} {k['calls'] - k['ok']:6} {k['retrans']:7} "
          f"{pct(k['kam_cpu']):>7} {pct(k['other_cpu']):>6} {pct(k['gen_cpu']):>8} "
          f"{k['seconds']:7}")
    for key in ("rate", "calls", "ok", "failed", "retrans", "kam_cpu", "other_cpu", "gen_cpu",
                "seconds", "on_time", "rc", "pass"):
        emit(f"calls_kam{i}_{key}", k[key])
    for key in ("drops_kamailio", "drops_uas", "drops_uac"):
        emit(f"calls_kam{i}_{key}", k.get(key, ""))
    # failed, or not over in time (sipp stopped)
    emit(f"calls_kam{i}_not_ok", k["calls"] - k["ok"])
    if k["pass"] and k["rate"] == kbest:
        kcpu_best = k["kam_cpu"]
emit("calls_kam_steps", len(kam))
emit("calls_kam_max_rate", f"{kbest:g}")
emit("calls_kam_max_rate_cpu", kcpu_best)
ratio = best / kbest if kbest else 0
emit("calls_ratio", f"{ratio:.4f}")
emit("calls_max_other_cpu", f"{max_other:.2f}")
print(f"kamailio: highest rate with zero failures {kbest:g} calls/s; occd/kamailio = {ratio:.3f}")
if max_other > 0.1:
    print(f"WARNING: other processes used up to {max_other:.0%} of a CPU during the measurements")

only_levels = E.get("CALLS_ONLY_LEVELS") == "1"
# the far ends' RTP (bench/tools/rtppeer.c) over the whole run (steps
# count what they dropped as failures)
for name, what in (("echo", "phones' reflector"), ("play", "customers' voice")):
    t = dict(x.split("=") for x in E.get(f"CALLS_{name.upper()}_TOTALS", "").split() if "=" in x)
    for k in ("received", "sent", "dropped", "rtcp", "streams", "closed", "late"):
        emit(f"calls_{name}_{k}", t.get(k, "?"))
    print(f"rtppeer, {what}: {t.get('received', '?')} RTP datagrams received, "
          f"{t.get('sent', '?')} sent, {t.get('dropped', '?')} dropped; {t.get('rtcp', '?')} RTCP"
          + (f"; {t.get('streams', '?')} streams ({t.get('closed', '?')} ended by occd's close), "
             f"{t.get('late', '?')} late ticks"
             if name == "play" else ""))
checks = {
    "occd alive": E["CALLS_OCC_ALIVE"] == "1",
    "every agent idle at the end": agents.get("not_idle") == 0 and
    agents.get("agents") == int(E["CALLS_AGENTS"]),
    "no open CDR at the end": E["CALLS_OPEN_CDR"] == "0",
    "no sipp call left": E["CALLS_SIPP_LEFT"] == "0",
    "no level=error in occd's log": E["CALLS_LOG_ERRORS"] == "0",
    "every failed step recovered": all(x.get("recovery_s") is not None for x in ramp + hold),
    "ramp found a rate": best > 0,
    "a concurrent level passed": bool(good),
    "kamailio found a rate": kbest > 0,
    "kamailio alive": E["CALLS_KAM_ALIVE"] == "1",
}
if only_levels:                 # --only-levels: neither the ramp nor kamailio ran
    for k in ("ramp found a rate", "kamailio found a rate", "kamailio alive"):
        del checks[k]
ok = conclude(emit, "calls", checks, E["CALLS_STARTED"])
sys.exit(0 if ok else 1)
