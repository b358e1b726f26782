#!/usr/bin/env python3
"""bench/cluster/report.py — bench/cluster/run.sh's results: reads
CLUSTER_T/kK/{ramp.jsonl,hold.jsonl,agents.json,end.env,balance.json} for
every K of CLUSTER_NODES, prints a summary, writes key=value lines to
CLUSTER_OUT. Exits 0 when every check held, 2 when the run was sound but
some K held no ramp step or no concurrent level without a failure, 1
otherwise."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import KvOut, conclude, jsonl, load_env, load_json  # noqa: E402

E = os.environ
T = E["CLUSTER_T"]
emit = KvOut(E["CLUSTER_OUT"])
for k in ("nodes", "pinning", "agents", "teams", "hold", "duration", "rates", "levels",
          "window", "lease"):
    emit(f"cluster_{k}", E.get("CLUSTER_" + k.upper(), "?"))

checks = {}
capacity = {}
other_max = 0.0
base = {}
for K in [int(x) for x in E["CLUSTER_NODES"].split(",")]:
    d = os.path.join(T, f"k{K}")
    p = f"cluster_k{K}_"
    ramp = [r for r in jsonl(os.path.join(d, "ramp.jsonl")) if r["kind"] == "ramp"]
    best = next((r["max_zero_failure_rate"] for r in jsonl(os.path.join(d, "ramp.jsonl"))
                 if r["kind"] == "ramp_result"), 0)
    emit(p + "max_rate", f"{best:g}")
    emit(p + "ramp_steps", len(ramp))
    recovered = True
    print(f"{K} node(s): highest zero-failure rate {best:g} calls/s")
    for i, r in enumerate(ramp):
        st = r.get("steady") or r["whole_step"]
        q = f"{p}ramp{i}_"
        retrans = r["sipp"].get("phones_Retransmissions", 0) + r["sipp"].get("trunk_Retransmissions", 0)
        for key, v in (("rate", f"{r['rate']:g}"), ("placed", r["placed"]),
                       ("refused", r["refused"]), ("failed", r["total_failures"]),
                       ("occd_cpu", st["occd_cpu"]), ("node_cpu", "/".join(map(str, st["node_cpu"]))),
                       ("pg_cpu", st["pg_cpu"]), ("kam_cpu", st["kam_cpu"]),
                       ("other_cpu", st["other_cpu"]), ("api_p99_ms", r.get("api_ms_p99", 0)),
                       ("retrans", retrans), ("store_ms", st["store_write_ms"]),
                       ("silent", r["media_bad"]),
                       ("store_wps", st["store_writes_per_s"]),
                       ("store_share", st["store_loop_share"]),
                       ("media", f"{r['media_checked'] - r['media_bad']}/{r['media_checked']}")):
            emit(q + key, v)
        other_max = max(other_max, st["other_cpu"])
        if r["total_failures"] and r.get("recovery_s") is None:
            recovered = False
        print(f"  {r['rate']:g}/s: {r['placed']} placed, {r['refused']} refused, "
              f"{r['total_failures']} failed; occd {st['occd_cpu']:.0%} ({st['node_cpu']}), "
              f"PostgreSQL {st['pg_cpu']:.0%}, Kamailio {st['kam_cpu']:.0%}, "
              f"other {st['other_cpu']:.0%}; store write {st['store_write_ms']} ms, "
              f"{st['store_loop_share']:.1%} of the loops")
    hold = [r for r in jsonl(os.path.join(d, "hold.jsonl")) if r["kind"] == "hold"]
    emit(p + "hold_levels", len(hold))
    try:
        emit(p + "hold_rate", open(os.path.join(d, "hold_rate")).read().strip())
    except OSError:
        emit(p + "hold_rate", "?")
    top = None
    for j, r in enumerate(hold):
        w = r["window"]
        q = f"{p}hold{j}_"
        ok = r["total_failures"] == 0 and r["up"] == r["calls"]
        for key, v in (("calls", r["calls"]), ("up", r["up"]), ("failed", r["total_failures"]),
                       ("refused", r["refused"]), ("silent", r["media_bad"]),
                       ("occd_cpu", w["occd_cpu"]), ("node_cpu", "/".join(map(str, w["node_cpu"]))),
                       ("pg_cpu", w["pg_cpu"]), ("kam_cpu", w["kam_cpu"]),
                       ("gen_cpu", w["gen_cpu"]), ("other_cpu", w["other_cpu"]),
                       ("store_ms", w["store_write_ms"]), ("store_wps", w["store_writes_per_s"]),
                       ("store_share", w["store_loop_share"]),
                       ("occd_drops", w["occd_drops"]),
                       ("media", f"{r['media_checked'] - r['media_bad']}/{r['media_checked']}"),
                       # ms of occd CPU per second per call up
                       ("cpu_per_call_ms", round(w["occd_cpu"] * 1000 / max(1, r["up"]), 3))):
            emit(q + key, v)
        other_max = max(other_max, w["other_cpu"])
        if r["total_failures"] and r.get("recovery_s") is None:
            recovered = False
        if ok:
            top = r
        print(f"  {r['up']}/{r['calls']} up: occd {w['occd_cpu']:.0%} ({w['node_cpu']}), "
              f"PostgreSQL {w['pg_cpu']:.0%}, Kamailio {w['kam_cpu']:.0%}, other "
              f"{w['other_cpu']:.0%}; {r['total_failures']} failed; store write "
              f"{w['store_write_ms']} ms, {w['store_loop_share']:.1%} of the loops")
    emit(p + "hold_top", top["calls"] if top else 0)
    if top:
        emit(p + "hold_top_cpu", top["window"]["occd_cpu"])
        base.setdefault("hold", (top["calls"], top["window"]["occd_cpu"]))
    base.setdefault("rate", best)
    if base.get("rate"):
        emit(p + "rate_ratio", round(best / base["rate"], 2))
    end = load_env([os.path.join(d, "end.env")]) if os.path.exists(os.path.join(d, "end.env")) else {}
    ag = load_json(os.path.join(d, "agents.json"), {"agents": 0, "not_idle": -1})
    bal = load_json(os.path.join(d, "balance.json"), {})
    emit(p + "balance_s", bal.get("balance_s", "?"))
    emit(p + "owners", bal.get("owners", "?"))
    for key in ("open_cdr", "sipp_left", "log_errors", "log_lines"):
        emit(p + key, end.get(key, "?"))
    # capacity: what this machine held (a loaded machine may hold nothing
    # cleanly); the rest: the run itself was sound
    capacity[f"{K} nodes: ramp passed a step"] = best > 0
    capacity[f"{K} nodes: a concurrent level passed"] = top is not None
    checks[f"{K} nodes: every node alive"] = end.get("nodes_alive") == "1"
    checks[f"{K} nodes: kamailio alive"] = end.get("kam_alive") == "1"
    checks[f"{K} nodes: every agent idle"] = ag.get("not_idle") == 0 and ag.get("agents", 0) > 0
    checks[f"{K} nodes: no CDR open"] = end.get("open_cdr") == "0"
    checks[f"{K} nodes: no call left in the sipps"] = end.get("sipp_left") == "0"
    checks[f"{K} nodes: no level=error"] = end.get("log_errors") == "0"
    checks[f"{K} nodes: failed steps recovered"] = recovered

emit("cluster_other_cpu_max", other_max)
for k, v in capacity.items():
    emit("cluster_capacity_" + "".join(c if c.isalnum() else "_" for c in k), "yes" if v else "no")
short = [k for k, v in capacity.items() if not v]
print("capacity: " + (", ".join(k + ": NO" for k in short) if short else "every K passed a ramp step "
                      "and a concurrent level"))
emit("cluster_capacity_short", "; ".join(short))
# cluster_verified (the doc may be rewritten): the run was sound; the exit
# status also wants every K to have passed a ramp step and a level
ok = conclude(emit, "cluster", checks, E["CLUSTER_STARTED"])
sys.exit(1 if not ok else 2 if short else 0)
