#!/usr/bin/env python3
"""bench/events/report.py ALL.env [--update-doc DOC]

Prints the results of bench/events/run.sh (key=value lines written by
sse_bench and run.sh) as tables with the ratios occd/nchan, and with
--update-doc rewrites the part of DOC between "<!-- bench-events:begin -->"
and "<!-- bench-events:end -->" (appended at the end when missing; nothing
else in DOC is touched). Exit 1 if any run failed its checks.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import load_env, machine_line  # noqa: E402

BEGIN = "<!-- bench-events:begin -->"
END = "<!-- bench-events:end -->"


def f(kv, k, default=None):
    try:
        return float(kv[k])
    except (KeyError, ValueError):
        return default


def ms(us):
    if us is None or us < 0:
        return "?"
    v = us / 1000
    return f"{v:.1f} ms" if v < 100 else f"{v:,.0f} ms"


def num(v):
    return "?" if v is None else f"{v:,.0f}"


def pct(v):
    return "?" if v is None else f"{v * 100:.0f}%"


def ratio(a, b):
    return "?" if a is None or b is None or not b else f"{a / b:.2f}"


def checks(kv, run):
    """(ok, problems) of one run."""
    g = lambda k: kv.get(f"{run}_{k}")
    probs = []
    if g("ok") != "yes":
        probs.append(f"client checks failed ({g('error') or 'see the counts'})")
    if g("rc") not in (None, "0"):
        probs.append(f"client exit status {g('rc')}")
    for k in ("occd_alive", "nginx_alive"):
        if g(k) != "yes":
            probs.append(f"{k.split('_')[0]} died")
    if g("occd_log_errors") not in (None, "0"):
        probs.append(f"occd logged {g('occd_log_errors')} error line(s)")
    if g("nginx_log_errors") not in (None, "0"):
        probs.append(f"nginx logged {g('nginx_log_errors')} error line(s)")
    if g("occd_nchan_degraded") not in (None, "0") and run.startswith("nchan"):
        probs.append("occd: nchan publishing degraded (dropped/failed publishes)")
    return not probs, probs


def tables(kv):
    runs = kv.get("ev_runs", "").split()
    sizes = [int(n) for n in kv.get("ev_sizes", "").split()]
    rates = dict(r.split(":") for r in kv.get("ev_rates", "").split())
    out = []
    t = lambda *cells: out.append("| " + " | ".join(str(c) for c in cells) + " |")
    ok_all = True
    problems = []
    for run in runs:
        ok, p = checks(kv, run)
        ok_all &= ok
        problems += [f"{run}: {x}" for x in p]

    def cell(run, k):
        return f(kv, f"{run}_{k}")

    def lost(run, phase):
        m = cell(run, f"{phase}_missing")
        d = cell(run, f"{phase}_dups")
        o = cell(run, f"{phase}_reordered")
        w = cell(run, f"{phase}_wrong")
        if None in (m, d, o, w):
            return "?"
        return f"{m:.0f} / {d:.0f}" + ("" if not (o or w) else f" (+{o:.0f} reordered, {w:.0f} wrong)")

    out.append(f"**Steady rate** ({kv.get('ev_duration')} s; the API calls are made on a "
               "fixed schedule whether or not the previous ones were answered):")
    out.append("")
    t("subscribers", "server", "events/s offered", "events/s delivered", "deliveries/s",
      "p50", "p99", "fan-out p50 / p99", "API reply p50 / p99", "server CPU",
      "other server", "missing / dup")
    t(*["---"] * 2, *["---:"] * 10)
    for n in sizes:
        for srv in ("occd", "nchan"):
            r = f"{srv}_{n}"
            if r not in runs:
                continue
            t(f"{n:,}", "occd push" if srv == "occd" else "nginx+nchan",
              rates.get(str(n), "?"), f"{cell(r, 'steady_events_per_s') or 0:.1f}",
              num(cell(r, "steady_deliveries_per_s")),
              ms(cell(r, "steady_p50_us")), ms(cell(r, "steady_p99_us")),
              f"{ms(cell(r, 'steady_fanout_p50_us'))} / {ms(cell(r, 'steady_fanout_p99_us'))}",
              f"{ms(cell(r, 'steady_api_p50_us'))} / {ms(cell(r, 'steady_api_p99_us'))}",
              pct(cell(r, "steady_srv_cpu")), pct(cell(r, "steady_aux_cpu")),
              lost(r, "steady"))
    out.append("")
    out.append(f"**Maximum** ({kv.get('ev_max_duration')} s; calls back to back, at most "
               f"{kv.get('ev_window')} events not yet delivered to every subscriber):")
    out.append("")
    t("subscribers", "server", "events/s", "deliveries/s", "p50", "p99",
      "server CPU", "server CPU per delivery", "other server", "client CPU", "missing / dup")
    t(*["---"] * 2, *["---:"] * 9)
    for n in sizes:
        for srv in ("occd", "nchan"):
            r = f"{srv}_{n}"
            if r not in runs:
                continue
            t(f"{n:,}", "occd push" if srv == "occd" else "nginx+nchan",
              f"{cell(r, 'max_events_per_s') or 0:.1f}", num(cell(r, "max_deliveries_per_s")),
              ms(cell(r, "max_p50_us")), ms(cell(r, "max_p99_us")),
              pct(cell(r, "max_srv_cpu")),
              f"{cell(r, 'max_srv_cpu_us_per_delivery') or 0:.1f} µs",
              pct(cell(r, "max_aux_cpu")), pct(cell(r, "max_cli_cpu")), lost(r, "max"))
    out.append("")
    out.append("**Subscribing** (all N streams opened, at most 200 connecting at once; "
               "server memory = VmRSS of the fan-out server):")
    out.append("")
    t("subscribers", "server", "all connected in", "server CPU for it", "RSS before",
      "RSS with the subscribers", "per subscriber")
    t(*["---"] * 2, *["---:"] * 5)
    for n in sizes:
        for srv in ("occd", "nchan"):
            r = f"{srv}_{n}"
            if r not in runs:
                continue
            b, a = cell(r, "rss_before"), cell(r, "rss_subs")
            per = None if None in (a, b) else (a - b) / n
            t(f"{n:,}", "occd push" if srv == "occd" else "nginx+nchan",
              f"{cell(r, 'connect_s') or 0:.2f} s", f"{cell(r, 'connect_srv_cpu_s') or 0:.2f} s",
              f"{(b or 0) / 1048576:.1f} MiB", f"{(a or 0) / 1048576:.1f} MiB",
              "?" if per is None else f"{per / 1024:.1f} KiB")
    out.append("")
    out.append("**Ratios occd/nchan**: max deliveries/s (above 1: occd delivers more); CPU per "
               "delivery as nchan's over occd's (above 1: occd spends less); steady p50 and "
               "p99, memory per subscriber and connect time as occd's over nchan's "
               "(below 1: occd does better):")
    out.append("")
    t("subscribers", "max deliveries/s", "CPU per delivery, nchan/occd",
      "steady p50", "steady p99", "memory per subscriber", "connect time")
    t("---", *["---:"] * 6)
    for n in sizes:
        o, c = f"occd_{n}", f"nchan_{n}"
        if o not in runs or c not in runs:
            continue
        mem = lambda r: (None if None in (cell(r, "rss_subs"), cell(r, "rss_before"))
                         else cell(r, "rss_subs") - cell(r, "rss_before"))
        t(f"{n:,}", f"**{ratio(cell(o, 'max_deliveries_per_s'), cell(c, 'max_deliveries_per_s'))}**",
          f"**{ratio(cell(c, 'max_srv_cpu_us_per_delivery'), cell(o, 'max_srv_cpu_us_per_delivery'))}**",
          ratio(cell(o, "steady_p50_us"), cell(c, "steady_p50_us")),
          ratio(cell(o, "steady_p99_us"), cell(c, "steady_p99_us")),
          ratio(mem(o), mem(c)), ratio(cell(o, "connect_s"), cell(c, "connect_s")))
    # issue 14: the API's replies while the fan-out runs, against the same
    # server's run with one subscriber (the client needs one)
    if "1" in [str(n) for n in sizes] and any(cell(f"{s}_{n}", "steady_probe_p99_us")
                                              for s in ("occd", "nchan") for n in sizes):
        out.append("")
        out.append(f"**The API during the fan-out**: `EVENT=AGENTSTATUS` (publishes nothing) "
                   f"on a connection of its own at {kv.get('ev_probe_rate', '?')} calls/s "
                   "through the steady phase, reply time from the write to the kernel's "
                   "receive stamp of the reply (`SO_TIMESTAMPNS`: the client's own loop "
                   "does not count); \"/ 1\" is over the same server's run with one "
                   "subscriber (issue 14: p99 within 2×):")
        out.append("")
        t("subscribers", "server", "calls", "p50", "p99", "max", "p50 / 1", "p99 / 1")
        t(*["---"] * 2, *["---:"] * 6)
        for n in sizes:
            for srv in ("occd", "nchan"):
                r, one = f"{srv}_{n}", f"{srv}_1"
                if r not in runs or cell(r, "steady_probe_calls") is None:
                    continue
                t(f"{n:,}", "occd push" if srv == "occd" else "nginx+nchan",
                  num(cell(r, "steady_probe_calls")),
                  ms(cell(r, "steady_probe_rx_p50_us")), ms(cell(r, "steady_probe_rx_p99_us")),
                  ms(cell(r, "steady_probe_rx_max_us")),
                  ratio(cell(r, "steady_probe_rx_p50_us"), cell(one, "steady_probe_rx_p50_us")),
                  f"**{ratio(cell(r, 'steady_probe_rx_p99_us'), cell(one, 'steady_probe_rx_p99_us'))}**")
    return out, ok_all, problems


def totals(kv):
    runs = kv.get("ev_runs", "").split()
    dl = sum(f(kv, f"{r}_{p}_deliveries", 0) for r in runs for p in ("steady", "max"))
    calls = sum(f(kv, f"{r}_calls", 0) for r in runs)
    other = max([f(kv, f"{r}_{p}_other_cpu", 0) for r in runs for p in ("steady", "max")] or [0])
    return dl, calls, other


def section(kv, body, ok):
    g = kv.get
    dl, calls, other = totals(kv)
    out = [
        BEGIN,
        "<!-- generated by `bench/events/run.sh --update-doc`; edit bench/events/report.py, not this -->",
        "",
        f"Measured {g('date')} at commit `{g('commit')}`.",
        "",
        machine_line(g, cpuinfo=True),
        f"- Software: nginx {g('nginx_version')} with nchan {g('nchan_version')} "
        f"(Debian), libmicrohttpd {g('mhd_version')}.",
        f"- Pinning: {g('ev_pinning')}. One nginx worker. Fresh occd and nginx for "
        "every run; the subscribers all on the team channel of `demo`.",
        "",
    ] + body + [
        "",
        f"Verified: every subscriber of every run got every event exactly once, in order, "
        f"with the right content ({dl:,.0f} deliveries of {calls:,.0f} API calls, all "
        f"answered `BackMsg_14`); occd and nginx up to the end, no error in their logs. "
        f"Other processes' CPU during the timed phases: at most {other:.0%} of one CPU"
        + (" (**the machine was not quiet: numbers are low and noisy**)." if other > 0.05 else "."),
        END,
    ]
    return "\n".join(out) + "\n"


def update_doc(path, text):
    with open(path) as fh:
        doc = fh.read()
    if BEGIN in doc and END in doc:
        a = doc.index(BEGIN)
        b = doc.index(END) + len(END)
        if b < len(doc) and doc[b] == "\n":
            b += 1
        doc = doc[:a] + text + doc[b:]
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    with open(path, "w") as fh:
        fh.write(doc)


def main():
    args = sys.argv[1:]
    doc = None
    if "--update-doc" in args:
        i = args.index("--update-doc")
        doc = args[i + 1]
        del args[i:i + 2]
    kv = load_env([args[0]])
    body, ok, problems = tables(kv)
    print()
    print("Event fan-out: occd's push (/push/sse) vs nginx+nchan fed by occd; "
          f"pinning: {kv.get('ev_pinning')}")
    print()
    print("\n".join(body))
    dl, calls, other = totals(kv)
    print()
    if other > 0.05:
        print(f"WARNING: other processes used up to {other:.0%} of a CPU during the runs; "
              "numbers are depressed and noisy. Rerun on a quiet machine.")
    for p in problems:
        print(f"PROBLEM: {p}")
    print(f"verification: {'passed' if ok else 'FAILED'} ({dl:,.0f} deliveries, {calls:,.0f} calls)")
    if doc and ok:
        update_doc(doc, section(kv, body, ok))
        print(f"{doc}: events section rewritten")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
