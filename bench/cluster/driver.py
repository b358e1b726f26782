#!/usr/bin/env python3
"""bench/cluster/driver.py — the call-load driver of bench/cluster/run.sh.

bench/calls/driver.py's ramp and hold, over several teams served by K
occd nodes sharing one PostgreSQL: the same calls, the same per-call
checks (CDR ANSWERED, hung up by the customer, talk time, both legs,
closed; sipp failed calls; a sample of recordings audible both ways),
with these differences:

  - the store is PostgreSQL: queries go through libpq (ctypes; no Python
    driver needed) behind a small sqlite3-like execute();
  - the agents are those of every team (--teams bench1,bench2,...; team i
    has agents --first + i*--stride ..), interleaved so that consecutive
    calls go to different teams;
  - each MAKECALL goes to the next node's HTTP in turn (--http-list), as
    nginx's round robin would: a node that does not own the agent's team
    forwards it to the owner;
  - occd's CPU is the sum over the nodes (--occd-pids); PostgreSQL's
    (postmaster and its backends) and Kamailio's (and its children) are
    sampled apart, and each node's /metrics gives its store write time;
  - the recordings are in the data directory of whichever node owned the
    team (--rec-dirs).

Subcommands: provision (clone the first agent/extension/membership of
each team in PostgreSQL), login, ramp, hold, agents. JSON on stdout.
"""
import argparse
import ctypes
import ctypes.util
import hashlib
import os
import re
import sys
import threading
import urllib.request
from collections import deque
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "calls"))
import benchlib  # noqa: E402
import driver as calls  # noqa: E402  (bench/calls/driver.py)
from benchlib import HZ, numbers, proc_ticks, say  # noqa: E402

benchlib.TAG = "cluster"


# ---- PostgreSQL through libpq ----------------------------------------------------

class Pg:
    """the part of sqlite3.Connection the calls driver uses: execute(sql,
    params) with ? placeholders, rows with int8/int4 columns as ints"""
    INTS = {20, 21, 23}

    def __init__(self, conninfo):
        lib = ctypes.CDLL(ctypes.util.find_library("pq") or "libpq.so.5")
        lib.PQconnectdb.restype = ctypes.c_void_p
        lib.PQconnectdb.argtypes = [ctypes.c_char_p]
        lib.PQstatus.argtypes = [ctypes.c_void_p]
        lib.PQerrorMessage.restype = ctypes.c_char_p
        lib.PQerrorMessage.argtypes = [ctypes.c_void_p]
        lib.PQexecParams.restype = ctypes.c_void_p
        lib.PQexecParams.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                     ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p),
                                     ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
        for f in ("PQresultStatus", "PQntuples", "PQnfields"):
            getattr(lib, f).argtypes = [ctypes.c_void_p]
        lib.PQresultErrorMessage.restype = ctypes.c_char_p
        lib.PQresultErrorMessage.argtypes = [ctypes.c_void_p]
        lib.PQgetvalue.restype = ctypes.c_char_p
        lib.PQgetvalue.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        lib.PQgetisnull.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        lib.PQftype.restype = ctypes.c_uint
        lib.PQftype.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.PQclear.argtypes = [ctypes.c_void_p]
        lib.PQfinish.argtypes = [ctypes.c_void_p]
        self.lib = lib
        self.conn = lib.PQconnectdb(conninfo.encode())
        if lib.PQstatus(self.conn) != 0:
            sys.exit("pg: " + lib.PQerrorMessage(self.conn).decode(errors="replace"))
        self.lock = threading.Lock()

    def execute(self, sql, params=()):
        n = [0]

        def dollar(_):
            n[0] += 1
            return f"${n[0]}"
        sql = re.sub(r"\?", dollar, sql)
        vals = (ctypes.c_char_p * max(1, len(params)))(
            *[str(p).encode() for p in params])
        lib = self.lib
        with self.lock:
            r = lib.PQexecParams(self.conn, sql.encode(), len(params), None, vals,
                                 None, None, 0)
            try:
                st = lib.PQresultStatus(r)
                if st not in (1, 2):            # PGRES_COMMAND_OK, PGRES_TUPLES_OK
                    raise RuntimeError("pg: " + lib.PQresultErrorMessage(r).decode(
                        errors="replace").strip() + f" ({sql[:80]})")
                nf = lib.PQnfields(r)
                ints = [lib.PQftype(r, j) in self.INTS for j in range(nf)]
                rows = []
                for i in range(lib.PQntuples(r)):
                    row = []
                    for j in range(nf):
                        if lib.PQgetisnull(r, i, j):
                            row.append(None)
                            continue
                        v = lib.PQgetvalue(r, i, j).decode()
                        row.append(int(v) if ints[j] else v)
                    rows.append(tuple(row))
            finally:
                lib.PQclear(r)
        return Rows(rows)


class Rows(list):
    def fetchone(self):
        return self[0] if self else None

    def fetchall(self):
        return list(self)


# ---- several nodes -----------------------------------------------------------------

def children(pid):
    """pid and its descendants"""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return out


def metrics(port):
    """occ_store_write_seconds sum and count, from a node's /metrics"""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            text = r.read().decode()
    except OSError:
        return {}
    kv = {}
    for line in text.splitlines():
        for k in ("occ_store_write_seconds_sum", "occ_store_write_seconds_count"):
            if line.startswith(k + " "):
                kv[k] = float(line.split()[1])
    return kv


class Sampler(benchlib.Sampler):
    """benchlib's, with occd = the sum over the nodes, and PostgreSQL,
    Kamailio and the nodes' store writes apart"""

    def __init__(self, args):
        super().__init__(args)
        self.nodes = [int(p) for p in args.occd_pids.split(",")]
        self.pg, self.kam = args.pg_pid, args.kam_pid
        self.ports = [int(p) for p in args.http_list.split(",")]

    def take(self):
        s = super().take()
        s["occd"] = proc_ticks(self.nodes)
        s["node_ticks"] = [proc_ticks([p]) for p in self.nodes]
        s["pg"] = proc_ticks(children(self.pg))
        s["kam"] = proc_ticks(children(self.kam))
        s["occd_drop"] = sum(benchlib.udp_drops_of(p) for p in self.nodes)
        m = [metrics(p) for p in self.ports]
        s["store_s"] = sum(x.get("occ_store_write_seconds_sum", 0) for x in m)
        s["store_n"] = sum(x.get("occ_store_write_seconds_count", 0) for x in m)
        return s

    @staticmethod
    def delta(a, b):
        d = benchlib.Sampler.delta(a, b)
        dt = b["t"] - a["t"]
        d["node_cpu"] = [round((y - x) / HZ / dt, 3)
                         for x, y in zip(a["node_ticks"], b["node_ticks"])]
        d["pg_cpu"] = round((b["pg"] - a["pg"]) / HZ / dt, 3)
        d["kam_cpu"] = round((b["kam"] - a["kam"]) / HZ / dt, 3)
        # other: neither occd, the generators, PostgreSQL nor Kamailio
        d["other_cpu"] = round(max(0.0, d["other_cpu"] - d["pg_cpu"] - d["kam_cpu"]), 3)
        n = b["store_n"] - a["store_n"]
        d["store_writes_per_s"] = round(n / dt)
        d["store_write_ms"] = round((b["store_s"] - a["store_s"]) / n * 1000, 3) if n else 0
        # share of a node's loop time spent in the store's writes (waiting
        # for PostgreSQL), averaged over the nodes
        d["store_loop_share"] = round((b["store_s"] - a["store_s"]) / dt / len(a["node_ticks"]), 3)
        return d


class MultiApi:
    """benchlib.Api per node; an agent's team by its number; the nodes in
    turn"""

    def __init__(self, args):
        self.apis = [[benchlib.Api(int(p), t, args.password) for t in teams(args)]
                     for p in args.http_list.split(",")]
        self.k = 0
        self.lock = threading.Lock()
        self.args = args

    def call(self, agent, event, **params):
        with self.lock:
            self.k = (self.k + 1) % len(self.apis)
            node = self.k
        return self.apis[node][team_of(self.args, agent)].call(agent, event, **params)


def teams(args):
    return args.teams.split(",")


def per_team(args):
    """--count is every team's agents together"""
    return args.count // len(teams(args))


def team_agents(args, i):
    return numbers(args.first + i * args.stride, per_team(args))


def team_of(args, agent):
    return (int(agent) - args.first) // args.stride


def all_agents(args):
    """every team's agents, interleaved (consecutive calls: other teams)"""
    per = [team_agents(args, i) for i in range(len(teams(args)))]
    return [a for row in zip(*per) for a in row]


class Load(calls.Load):
    def __init__(self, args):
        self.args = args
        self.api = MultiApi(args)
        self.free = deque((n, 0.0) for n in all_agents(args))
        self.pool = ThreadPoolExecutor(args.threads)
        self.sampler = Sampler(args)
        self.db = Pg(args.conninfo)
        self.keep = set()

    def verify(self, calls_, hold_ms):
        res = super().verify(calls_, hold_ms)
        # the recording is in its team's owner's data directory: make its
        # name absolute (os.path.join(rec_dir, day, /abs) is /abs)
        dirs = args_rec_dirs(self.args)
        for c in calls_:
            rec = c.get("recording")
            if rec and rec[1] and not os.path.isabs(rec[1]):
                for d in dirs:
                    p = os.path.join(d, rec[0], rec[1])
                    if os.path.exists(p):
                        c["recording"] = (rec[0], p)
                        break
        return res


def args_rec_dirs(args):
    return args.rec_dirs.split(",")


def patch(args):
    """the calls driver's ramp and hold on this Load; every node must be
    alive where it asks whether occd is"""
    pids = [int(p) for p in args.occd_pids.split(",")]
    one = benchlib.alive

    def alive(pid):
        if pid == args.occd_pid:
            return all(one(p) for p in pids)
        return one(pid)
    calls.alive = benchlib.alive = alive
    calls.Load = Load
    calls.Sampler = Sampler


# ---- provision, login, agents -----------------------------------------------------

def cmd_provision(args):
    """occctl made team i's first agent, extension and membership; clone
    them into --count of each, in one statement per table and team"""
    db = Pg(args.conninfo)
    for i, team in enumerate(teams(args)):
        first = str(args.first + i * args.stride)
        (tid,) = db.execute("SELECT id FROM teams WHERE name = ?", (team,)).fetchone()
        ag = db.execute("SELECT id, pwhash FROM agents WHERE team_id = ? AND number = ?",
                        (tid, first)).fetchone()
        ext = db.execute("SELECT ha1, kind FROM extensions WHERE team_id = ? AND number = ?",
                         (tid, first)).fetchone()
        mb = db.execute("SELECT group_id, acw_mode FROM members WHERE agent_id = ?",
                        (ag[0],)).fetchone()
        if not (ag and ext and mb):
            sys.exit(f"provision: occctl did not create {team}'s first agent")
        # the HA1s occctl stores (src/core/provision.c, exten_ha1): one per
        # digest username form "N", "N@team", "team/N"
        want = " ".join(hashlib.md5(f"{u}:{team}:{args.secret}".encode()).hexdigest()
                        for u in (first, f"{first}@{team}", f"{team}/{first}"))
        if ext[0] != want:
            sys.exit("provision: occctl's HA1 is not MD5(user:team:secret) for the three "
                     "username forms; not cloning")
        if mb[1] != 3:
            sys.exit(f"provision: {team}'s group has acw_mode {mb[1]}, want 3 (off)")
        lo, hi = int(first) + 1, int(first) + per_team(args) - 1
        ha1 = " || ' ' || ".join(f"md5({u} || ':{team}:' || ?)" for u in (
            "n::text", f"n::text || '@{team}'", f"'{team}/' || n::text"))
        db.execute("INSERT INTO agents (team_id, number, name, pwhash, exten) "
                   "SELECT ?::bigint, n::text, 'Bench ' || n, ?, n::text "
                   "FROM generate_series(?::int, ?::int) n", (tid, ag[1], lo, hi))
        db.execute(f"INSERT INTO extensions (team_id, number, ha1, kind) SELECT ?::bigint, n::text, "
                   f"{ha1}, ? FROM generate_series(?::int, ?::int) n",
                   (tid, args.secret, args.secret, args.secret, ext[1], lo, hi))
        db.execute("INSERT INTO members (group_id, agent_id, dynamic, leader, checked_in, "
                   "acw_mode, work_mode) SELECT m.group_id, a.id, m.dynamic, m.leader, "
                   "m.checked_in, m.acw_mode, m.work_mode FROM agents a, members m "
                   "WHERE a.team_id = ? AND a.number <> ? AND m.agent_id = ?",
                   (tid, first, ag[0]))
        (na,) = db.execute("SELECT count(*) FROM agents WHERE team_id = ?", (tid,)).fetchone()
        (ne,) = db.execute("SELECT count(*) FROM extensions WHERE team_id = ?",
                           (tid,)).fetchone()
        if na != per_team(args) or ne != per_team(args):
            sys.exit(f"provision: {team}: {na} agents, {ne} extensions; want {per_team(args)}")
    say(f"provisioned {len(teams(args))} teams of {per_team(args)} agents and extensions")


def cmd_login(args):
    groups = [int(g) for g in args.groups.split(",")]
    benchlib.cmd_login(args, MultiApi(args), all_agents(args),
                       lambda n: groups[team_of(args, n)])


def cmd_agents(args):
    benchlib.cmd_agents(args, MultiApi(args), all_agents(args))


def cmd_sql(args):
    """one value of a query (run.sh's questions to the store)"""
    r = Pg(args.conninfo).execute(args.query).fetchone()
    print("" if r is None else r[0])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("cmd", choices=("provision", "login", "ramp", "hold", "agents", "sql"))
    calls.add_load_args(p)
    p.add_argument("--conninfo")
    p.add_argument("--teams", default="bench1")
    p.add_argument("--groups", default="")
    p.add_argument("--stride", type=int, default=1000)
    p.add_argument("--http-list", default="")
    p.add_argument("--occd-pids", default="")
    p.add_argument("--pg-pid", type=int, default=0)
    p.add_argument("--kam-pid", type=int, default=0)
    p.add_argument("--rec-dirs", default="")
    p.add_argument("--query", default="")
    args = p.parse_args()
    if args.cmd in ("ramp", "hold"):
        args.occd_pid = int(args.occd_pids.split(",")[0])
        args.http = int(args.http_list.split(",")[0])
        args.rec_dir = "/"              # Load.verify makes the names absolute
        patch(args)
        getattr(calls, "cmd_" + args.cmd)(args)
    else:
        globals()["cmd_" + args.cmd](args)


if __name__ == "__main__":
    main()
