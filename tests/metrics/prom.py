#!/usr/bin/python3
"""prom.py — scrape occd's /metrics and check it with the real Prometheus
client's parser (Debian's python3-prometheus-client: run with
/usr/bin/python3, not pyenv's python3).

  prom.py scrape URL FILE
      GET URL into FILE; the reply must be 200 with the 0.0.4 content type
      and parse; every family has HELP and TYPE, an occ_ or process_ name,
      counters' samples end in _total, a histogram's buckets are
      cumulative and end with +Inf = _count. Prints the family count.
  prom.py expect FILE [--base BASEFILE] EXPR...
      Each EXPR is NAME{label=value,...}OP NUMBER (OP: == >= > <=); the
      value is the sum of the samples named NAME whose labels include the
      given ones (none: error). With --base, the difference from the
      same sum in BASEFILE (a counter's increase). Prints each mismatch;
      exit 1 if any.
  prom.py value FILE NAME{label=value,...}
      Prints the sum, as expect computes it.
  prom.py cdr FILE DB
      The counters against the CDRs in DB (occd's sqlite store, read
      only): occ_call_legs_ended_total by role and disposition equals the
      closed cdr_legs rows, occ_calls_ended_total by direction and
      disposition the closed cdr rows. Prints each mismatch.
"""
import re
import sys
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

CTYPE = "text/plain; version=0.0.4; charset=utf-8"


def fail(msg):
    print(msg)
    sys.exit(1)


def families(text):
    return list(text_string_to_metric_families(text))


def check_format(text):
    fams = families(text)
    if not fams:
        fail("no metric families")
    for f in fams:
        if not (f.name.startswith("occ_") or f.name.startswith("process_")):
            fail(f"{f.name}: neither occ_ nor process_")
        if not f.documentation:
            fail(f"{f.name}: no HELP")
        if f.type not in ("counter", "gauge", "histogram"):
            fail(f"{f.name}: TYPE {f.type}")
        if f"# TYPE {f.name} {f.type}\n" not in text and \
                f"# TYPE {f.name}_total {f.type}\n" not in text:
            fail(f"{f.name}: no TYPE line")
        if f.type == "counter":
            for s in f.samples:
                if not s.name.endswith("_total"):
                    fail(f"counter sample {s.name} does not end in _total")
        if f.type == "histogram":
            series = {}
            for s in f.samples:
                key = tuple(sorted((k, v) for k, v in s.labels.items()
                                   if k != "le"))
                series.setdefault(key, []).append(s)
            for key, ss in series.items():
                buckets = [s for s in ss if s.name.endswith("_bucket")]
                count = [s.value for s in ss if s.name.endswith("_count")]
                vals = [b.value for b in buckets]
                if vals != sorted(vals):
                    fail(f"{f.name}: buckets not cumulative: {vals}")
                if not buckets or buckets[-1].labels["le"] != "+Inf":
                    fail(f"{f.name}: no +Inf bucket last")
                if count != [buckets[-1].value]:
                    fail(f"{f.name}: _count {count} != +Inf bucket")
    return fams


def scrape(url, path):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            status, ctype, body = r.status, r.headers.get("Content-Type"), \
                r.read().decode()
    except urllib.error.HTTPError as e:
        fail(f"GET {url}: HTTP {e.code}")
    if status != 200:
        fail(f"GET {url}: HTTP {status}")
    if ctype != CTYPE:
        fail(f"Content-Type {ctype!r}, want {CTYPE!r}")
    with open(path, "w") as f:
        f.write(body)
    print(len(check_format(body)))


EXPR = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s*(==|>=|<=|>)\s*(-?[0-9.e+]+)$")
SEL = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$")


def parse_labels(s):
    labels = {}
    for part in (s or "").split(","):
        if part.strip():
            k, v = part.split("=", 1)
            labels[k.strip()] = v.strip().strip('"')
    return labels


def total(path, name, labels):
    with open(path) as f:
        text = f.read()
    n, v = 0, 0.0
    for fam in families(text):
        for s in fam.samples:
            if s.name == name and all(s.labels.get(k) == w
                                      for k, w in labels.items()):
                n += 1
                v += s.value
    return n, v


def expect(path, base, exprs):
    bad = 0
    for e in exprs:
        m = EXPR.match(e)
        if not m:
            fail(f"bad expression {e!r}")
        name, labels, op, want = m.group(1), parse_labels(m.group(2)), \
            m.group(3), float(m.group(4))
        n, got = total(path, name, labels)
        if not n:
            print(f"{e}: no such sample")
            bad += 1
            continue
        if base:
            got -= total(base, name, labels)[1]
        ok = {"==": got == want, ">=": got >= want, "<=": got <= want,
              ">": got > want}[op]
        if not ok:
            print(f"{e}: got {got:g}{' (increase)' if base else ''}")
            bad += 1
    return bad


def cdr(path, db):
    import sqlite3
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    bad = 0
    want = {}
    for role, disp, n in c.execute(
            "SELECT role, disposition, count(*) FROM cdr_legs"
            " WHERE disposition <> '' GROUP BY role, disposition"):
        want[("occ_call_legs_ended_total", "role", role, disp)] = n
    for d, disp, n in c.execute(
            "SELECT direction, disposition, count(*) FROM cdr"
            " WHERE disposition <> '' GROUP BY direction, disposition"):
        want[("occ_calls_ended_total", "direction",
               {"in": "dialin", "out": "dialout"}[d], disp)] = n
    with open(path) as f:
        fams = families(f.read())
    got = {}
    for fam in fams:
        for s in fam.samples:
            if s.name == "occ_call_legs_ended_total":
                got[(s.name, "role", s.labels["role"],
                     s.labels["disposition"])] = int(s.value)
            elif s.name == "occ_calls_ended_total":
                got[(s.name, "direction", s.labels["direction"],
                     s.labels["disposition"])] = int(s.value)
    for k in sorted(set(want) | set(got)):
        if got.get(k, 0) != want.get(k, 0):
            print(f"{k[0]}{{{k[1]}={k[2]},disposition={k[3]}}}: "
                  f"metrics {got.get(k)}, CDRs {want.get(k, 0)}")
            bad += 1
    if not want:
        print("no closed CDRs")
        bad += 1
    return bad


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "scrape":
        scrape(a[1], a[2])
    elif len(a) >= 2 and a[0] == "expect":
        path, rest, base = a[1], a[2:], None
        if rest[:1] == ["--base"]:
            base, rest = rest[1], rest[2:]
        sys.exit(1 if expect(path, base, rest) else 0)
    elif len(a) == 3 and a[0] == "value":
        m = SEL.match(a[2])
        n, v = total(a[1], m.group(1), parse_labels(m.group(2)))
        if not n:
            fail(f"{a[2]}: no such sample")
        print(f"{v:g}")
    elif len(a) == 3 and a[0] == "cdr":
        sys.exit(1 if cdr(a[1], a[2]) else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
