"""tap.py — the TAP lines of the push suite's Python tests: check() prints
"ok N - name" or "not ok N - name: detail"; finish() prints the plan and
returns the exit status."""
import sys

n = failed = 0


def check(cond, name, detail=""):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print(("ok" if cond else "not ok") + f" {n} - {name}" + ("" if cond else f": {detail}"))
    sys.stdout.flush()
    return cond


def finish():
    print(f"1..{n}")
    return 1 if failed else 0
