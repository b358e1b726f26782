#!/usr/bin/env python3
"""Recordings and calls a crash interrupts (issue 9, items 9 and 12).

Item 9 — two teams (demo and acme), each with an agent 8006, call the same
number through their built-in customer trunk in the same second:
  - two WAV files (names carry team and sessionid), two getMonitor URLs,
    each serving its own team's file;
  - a token is bound to its team: demo's URL with o=acme, or demo's token
    on acme's file, is refused (403);
  - [recording] url_ttl sets the URL's expiry (e=); after it, 403.
Item 12 — occd is killed (SIGKILL) while 8001 talks to the built-in
customer; after the restart:
  - the call's closing events are in the event log (a hangup per leg and
    the CONVERSATION hangup), so push replay and the backend get them;
  - its CDR legs (agent, customer) exist, the CDR is INTERRUPTED;
  - the WAV header is repaired: frames > 0, data size = frames * 4.

Disk full — the recordings' file system (a 64 KiB tmpfs) fills during a
call: the call goes on and ends ANSWERED, occd logs it once, the WAV keeps
what fitted with a header that says so, getMonitor serves it; the next
call, with no room at all, goes as usual.

Peers are occd's built-in phones (virtual extensions) and its virtual
customer: the full B2BUA, the mixer clock and the recorder run as for SIP
phones. Usage: test_recordings.py [OCCD] [OCCCTL] (default: ASan builds)
"""
import os
import re
import shutil
import signal
import sqlite3
import struct
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_lifecycle as lc  # noqa: E402  (Occd, occctl, check)

check = lc.check


def api(d, team, num, **fields):
    return d.call(orgidentity=team, usertype="agent", pwdtype="plaintext",
                  user=num, password=num, **fields)


def sql(data, q, *args):
    c = sqlite3.connect(f"file:{os.path.join(data, 'occ.db')}?mode=ro", uri=True, timeout=5)
    try:
        return c.execute(q, args).fetchall()
    finally:
        c.close()


def set_recording(data, sid, name):
    """as a CDR from before the names carried team and sessionid"""
    c = sqlite3.connect(os.path.join(data, "occ.db"), timeout=5)
    with c:
        c.execute("UPDATE cdr SET recording = ? WHERE sessionid = ?", (name, sid))
    c.close()


def wait_until(pred, secs):
    end = time.time() + secs
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    return pred()


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


def wav_header(path):
    """(frames per the header, data bytes on disk)"""
    with open(path, "rb") as f:
        h = f.read(44)
        f.seek(0, 2)
        size = f.tell()
    return struct.unpack("<I", h[40:44])[0] // 4, size - 44


def rec_path(data, name):
    return os.path.join(data, "recordings", f"{name[:4]}-{name[4:6]}-{name[6:8]}", name)


def answered(data, sid):
    """the log says the customer answered (the CDR row is written at the
    start and at the end only)"""
    with open(os.path.join(data, "occd.log")) as f:
        return f"call answered session={sid} " in f.read()


def monitor_url(d, sid):
    r = d.call(EVENT="GetMonitor", sessionid=sid)
    m = re.match(r"^\|Retuen\|1\|Retuen\|(http://\S+)$", r)
    return m.group(1) if m else r


def two_teams_same_second(data, d):
    """Both 8006 call 13800138000; [(team, sessionid, recording)] of two
    calls that started in the same second (up to 3 tries)."""
    for attempt in range(3):
        before = {r[0] for r in sql(data, "SELECT sessionid FROM cdr")}
        go = threading.Barrier(2)
        out = {}

        def mk(team):
            go.wait()
            out[team] = api(d, team, "8006", EVENT="MAKECALL", targetdn="13800138000",
                            targettype="exter")
        ts = [threading.Thread(target=mk, args=(t,)) for t in ("demo", "acme")]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        rows = [r for r in sql(data, "SELECT t.name, c.sessionid, c.recording, c.start_ms"
                               " FROM cdr c JOIN teams t ON t.id = c.team_id")
                if r[1] not in before]
        wait_until(lambda: all(answered(data, r[1]) for r in rows), 10)
        if len(rows) == 2 and rows[0][3] // 1000 == rows[1][3] // 1000:
            return rows, out
        for team in ("demo", "acme"):
            api(d, team, "8006", EVENT="HANGUP", target="all")
        wait_until(lambda: not sql(data, "SELECT 1 FROM cdr WHERE end_ms = 0"), 10)
        time.sleep(1.1 - time.time() % 1)
    return rows, out


def item9(root):
    data = os.path.join(root, "teams")
    os.makedirs(data)
    conf = os.path.join(root, "occd.conf")
    with open(conf, "w") as f:
        f.write("# [recording] url_ttl: the default first\n")
    d = lc.Occd(data, extra=("--config", conf))
    try:
        for args in (("agent", "add", "acme", "8006", "8006"),
                     ("member", "add", "acme", "3", "8006")):
            code, out = lc.occctl(data, *args)
            check(code == 0, "acme gets an agent 8006 too: " + " ".join(args), out)
        time.sleep(0.5)       # occctl's SIGHUP reload
        r1 = api(d, "demo", "8006", EVENT="QUEUE", type="1", list="2", deviceexten="8106")
        r2 = api(d, "acme", "8006", EVENT="QUEUE", type="1", list="3", deviceexten="9101")
        check(r1.startswith("|Retuen|1|") and r2.startswith("|Retuen|1|"),
              "demo 8006 checks in at 8106, acme 8006 at 9101", r1 + " " + r2)
        rows, out = two_teams_same_second(data, d)
        check(len(rows) == 2 and rows[0][3] // 1000 == rows[1][3] // 1000,
              "two teams' 8006 call 13800138000 in the same second, both answered",
              f"{rows} {out}")
        if len(rows) != 2:
            return
        by = {r[0]: r for r in rows}
        files = {t: by[t][2] for t in by}
        check(files["demo"] != files["acme"] and all(files.values()),
              "two recordings: distinct file names", files)
        paths = {t: rec_path(data, f) for t, f in files.items()}
        check(all(os.path.exists(p) for p in paths.values()) and
              paths["demo"] != paths["acme"],
              "two files on disk", paths)
        now = time.time()
        urls = {t: monitor_url(d, by[t][1]) for t in by}
        check(urls["demo"] != urls["acme"] and all(u.startswith("http") for u in urls.values()),
              "two getMonitor URLs", urls)
        for t in by:
            st, _ = http_status(urls[t])
            check(st == 200, f"{t}'s URL serves its recording", f"{st} {urls[t]}")
        q = {t: dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(u).query))
             for t, u in urls.items()}
        e = int(q["demo"].get("e", "0") or 0)
        check(abs(e - (now + 86400)) < 60,
              "by default ([recording] url_ttl 86400) the URL expires in a day", urls["demo"])
        swapped = urls["demo"].replace("o=demo", "o=acme")
        st, _ = http_status(swapped)
        check(swapped != urls["demo"] and st == 403,
              "demo's token with o=acme is refused (403)", f"{st} {swapped}")
        cross = urls["acme"].split("?")[0] + "?" + urllib.parse.urlsplit(urls["demo"]).query
        st, _ = http_status(cross)
        check(st == 403, "demo's token on acme's file is refused (403)", f"{st} {cross}")

        # a recording named the old way keeps its old kind of URL
        old = files["demo"].split("-demo-")[0] + ".wav"
        shutil.copy(paths["demo"], rec_path(data, old))
        set_recording(data, by["demo"][1], old)
        legacy = monitor_url(d, by["demo"][1])
        st, _ = http_status(legacy)
        check(re.search(r"getMonitor/\d{14}-8006-13800138000\.wav\?t=[0-9a-f]{32}$", legacy)
              and st == 200, "an old-style recording keeps its old-style URL (no expiry)",
              f"{st} {legacy}")
        set_recording(data, by["demo"][1], files["demo"])

        # a shorter url_ttl by SIGHUP: the URL expires
        with open(conf, "w") as f:
            f.write("[recording]\nurl_ttl = 1\n")
        d.p.send_signal(signal.SIGHUP)
        time.sleep(1)
        short = monitor_url(d, by["demo"][1])
        e = int(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(short).query)).get("e", 0) or 0)
        time.sleep(max(0.0, e + 1.2 - time.time()))
        st, _ = http_status(short)
        check(e and e <= time.time() and st == 403,
              "url_ttl = 1 (SIGHUP): after its expiry the URL is refused (403)", f"{st} {short}")
        for team in ("demo", "acme"):
            api(d, team, "8006", EVENT="HANGUP", target="all")
    finally:
        rc = d.stop()
        check(rc == 0, "occd stops (item 9 part)", rc)


def item12(root):
    data = os.path.join(root, "crash")
    os.makedirs(data)
    d = lc.Occd(data)
    r = api(d, "demo", "8001", EVENT="QUEUE", type="1", list="1", deviceexten="8101")
    check(r.startswith("|Retuen|1|"), "8001 checks in at the built-in phone 8101", r)
    r = api(d, "demo", "8001", EVENT="MAKECALL", targetdn="13900139000", targettype="exter")
    check("BackMsg_19" in r, "8001 calls 13900139000", r)
    row = sql(data, "SELECT sessionid, recording FROM cdr WHERE end_ms = 0")
    check(row and wait_until(lambda: answered(data, row[0][0]), 10), "the customer answers", row)
    if not row:
        d.stop()
        return
    sid, name = row[0]
    time.sleep(2.5)           # two seconds of recording
    d.p.send_signal(signal.SIGKILL)
    d.p.wait(timeout=10)
    d.log.close()
    path = rec_path(data, name)
    frames, size = wav_header(path)
    print(f"# after kill -9: header frames={frames}, data bytes={size}")

    d = lc.Occd(data)
    try:
        ev = [t for (t,) in sql(data, "SELECT text FROM events WHERE text LIKE ?",
                                f"%sessionid={sid}&%")]
        hang = [t for t in ev if "event=hangup&" in t]
        srcs = sorted(re.search(r"source=(\w+)&", t).group(1) for t in hang)
        check(srcs == ["AGENT", "CALLEE", "CONVERSATION"],
              "after the restart the event log has the hangups of the agent, the customer and the call",
              srcs)
        check(hang and "source=CONVERSATION&" in hang[-1],
              "the CONVERSATION hangup comes last", hang[-1:] if hang else ev)
        legs = sql(data, "SELECT role, disposition, end_ms > 0 FROM cdr_legs"
                         " WHERE sessionid = ? ORDER BY uniqueid", sid)
        check([(r[0], r[2]) for r in legs] == [("agent", 1), ("customer", 1)],
              "CDR legs agent and customer exist, closed", legs)
        cdr = sql(data, "SELECT disposition, hangup_by, end_ms > 0, recording FROM cdr"
                        " WHERE sessionid = ?", sid)
        check(cdr and cdr[0][:3] == ("INTERRUPTED", "system", 1) and cdr[0][3] == name,
              "the CDR is closed INTERRUPTED by the system, its recording kept", cdr)
        frames, size = wav_header(path)
        check(frames > 8000 and frames * 4 == size,
              "the WAV header is repaired: frames > 1 s, matching the data on disk",
              f"frames={frames} data={size}")
        r = d.call(EVENT="GetMonitor", sessionid=sid)
        url = r.split("|Retuen|")[-1]
        st, body = http_status(url) if url.startswith("http") else (r, b"")
        check(st == 200 and len(body) == size + 44, "getMonitor serves the repaired recording",
              f"{st} {r}")
        r = api(d, "demo", "8001", EVENT="AGENTSTATUS")
        check(r.startswith("|Retuen|1|") and "busy" not in r and "ring" not in r,
              "the agent is not left busy", r)
    finally:
        rc = d.stop()
        check(rc == 0, "occd stops (item 12 part)", rc)
        ok, bad = lc.log_clean(data)
        check(ok, "occd log has no sanitizer report", bad)


def disk_full(root):
    """The recordings' disk fills during a call: a 64 KiB tmpfs (mounted
    here, as root) on <data>/recordings, two seconds of stereo audio."""
    import subprocess
    data = os.path.join(root, "full")
    recs = os.path.join(data, "recordings")
    os.makedirs(recs)
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", recs],
                       capture_output=True, text=True)
    if m.returncode:
        print(f"# SKIP disk full: cannot mount a tmpfs ({m.stderr.strip()})")
        return
    d = None
    try:
        d = lc.Occd(data)
        r = api(d, "demo", "8001", EVENT="QUEUE", type="1", list="1", deviceexten="8101")
        check(r.startswith("|Retuen|1|"), "disk full: 8001 checks in at the built-in phone 8101", r)
        r = api(d, "demo", "8001", EVENT="MAKECALL", targetdn="13900139001", targettype="exter")
        row = sql(data, "SELECT sessionid, recording FROM cdr WHERE end_ms = 0")
        check("BackMsg_19" in r and row and wait_until(lambda: answered(data, row[0][0]), 10),
              "disk full: 8001 calls, the customer answers", (r, row))
        if not row:
            return
        sid, name = row[0]
        time.sleep(4)             # 128 KiB of audio for 64 KiB of disk
        r = api(d, "demo", "8001", EVENT="AGENTSTATUS")
        check("busy" in r, "disk full: 4 s later the call goes on (8001 busy)", r)
        r = api(d, "demo", "8001", EVENT="HANGUP", target="all")
        check(wait_until(lambda: sql(data, "SELECT disposition, end_ms - answer_ms >= 3500 FROM cdr"
                                     " WHERE sessionid = ? AND end_ms > 0", sid), 10) ==
              [("ANSWERED", 1)], "disk full: hung up, the CDR says ANSWERED, 4 s of talk",
              sql(data, "SELECT * FROM cdr WHERE sessionid = ?", sid))
        with open(os.path.join(data, "occd.log")) as f:
            log = f.read()
        lines = re.findall(r"msg=recording write failed path=\S+ kept_ms=(\d+)", log)
        check(len(lines) == 1 and 500 < int(lines[0]) < 2100,
              "disk full: occd said once that the recording could not be written, "
              "and how much it kept", lines)
        frames, size = wav_header(rec_path(data, name))
        check(frames > 4000 and frames * 4 == size,
              "disk full: the WAV keeps what fitted, its header saying so (playable)",
              f"frames={frames} data={size}")
        url = monitor_url(d, sid)
        st, body = http_status(url) if url.startswith("http") else (url, b"")
        check(st == 200 and len(body) == size + 44,
              "disk full: getMonitor serves that recording", f"{st} {len(body)}")
        r = api(d, "demo", "8001", EVENT="MAKECALL", targetdn="13900139002", targettype="exter")
        row = sql(data, "SELECT sessionid FROM cdr WHERE end_ms = 0")
        ok2 = "BackMsg_19" in r and row and wait_until(lambda: answered(data, row[0][0]), 10)
        api(d, "demo", "8001", EVENT="HANGUP", target="all")
        check(ok2 and wait_until(lambda: sql(data, "SELECT disposition FROM cdr WHERE"
                                             " sessionid = ? AND end_ms > 0", row[0][0]), 10)
              == [("ANSWERED",)], "disk full: the next call, with no room to record, "
              "is answered and ends as usual", (r, row))
    finally:
        if d:
            rc = d.stop()
            check(rc == 0, "occd stops (disk full part)", rc)
            ok, bad = lc.log_clean(data)
            check(ok, "occd log has no sanitizer report (disk full part)", bad)
        subprocess.run(["umount", recs])


def main():
    root = tempfile.mkdtemp(prefix="occ-rec.")
    try:
        for part in (item9, item12, disk_full):
            try:
                part(root)
            except Exception as e:      # one part failing must not hide the other
                check(False, f"{part.__name__} ran to its end", repr(e))
    finally:
        if not os.environ.get("KEEP"):
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"# kept {root}")
    print(f"1..{lc.n}")
    print(f"# {lc.n - lc.failures} passed, {lc.failures} failed")
    return 1 if lc.failures else 0


if __name__ == "__main__":
    sys.exit(main())
