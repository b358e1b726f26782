#!/usr/bin/env bash
# bench/api/rss.sh — resident memory per idle logged-in agent.
#
#   bench/api/rss.sh [--out FILE] [--agents N] [--groups G] [--clients C]
#
# Starts occd (build/occd, release) on an empty store and reads its VmRSS,
# provisions team "bench" with N agents (default 10,000) spread evenly over
# G agent groups (default 100), has occd reload (SIGHUP) and reads VmRSS
# again, logs every agent in and checks it in to its group through the HTTP
# API (C concurrent keep-alive clients, default 8; connections closed
# before measuring) and reads VmRSS a third time. Reports
#
#     RSS per idle logged-in agent = (rss_logged_in - rss_empty) / N
#
# and, as a cross-check, the RSS of a fresh occd started on the resulting
# store (all agents restored logged in and checked in).
#
# Provisioning: team and groups with occctl; one agent with occctl (this
# produces the argon2id hash), the other N-1 agents and all memberships
# written directly with python's sqlite3 in one transaction, every agent
# reusing that hash (same password "benchpw" for all). Hash cost is cut to
# opslimit=1, memlimit=8 KiB by an INI file so the N first logins (one
# argon2id verification each, then the HMAC cache) take seconds, not minutes.
#
# Verification: every LOGIN must answer code 1 (BackMsg_04) and every QUEUE
# "<group>:success"; the store must then hold N logged-in agents and N
# checked-in memberships; sampled AGENTSTATUS replies must say "idle".
set -u
. "$(dirname "$0")/../lib.sh"

N=${OCC_BENCH_AGENTS:-10000}
G=${OCC_BENCH_GROUPS:-100}
CLIENTS=${OCC_BENCH_CLIENTS:-8}
OUT=""
while (($#)); do
	case $1 in
	--out) OUT=$2; shift ;;
	--agents) N=$2; shift ;;
	--groups) G=$2; shift ;;
	--clients) CLIENTS=$2; shift ;;
	-h|--help) bench_help ;;
	*) bench_die "unknown argument $1 (see --help)" ;;
	esac
	shift
done
((N >= 1 && G >= 1 && G <= N)) || bench_die "need 1 <= groups <= agents"

bench_need curl curl
bench_need python3 python3

bench_init rss
bench_copy_bins occd occctl
T=$BENCH_TMP
DATA=$T/data
mkdir -p "$DATA"
printf '[security]\npwhash_opslimit = 1\npwhash_memlimit_kib = 8\n' >"$T/occ.ini"
CTL=("$T/occctl" --data "$DATA" --config "$T/occ.ini")

PORT=$(bench_free_port)
SIP_PORT=$(bench_free_port)
OCC_PID=""
start_occd() {
	"$T/occd" --data "$DATA" --config "$T/occ.ini" \
		--http "127.0.0.1:$PORT" --sip "127.0.0.1:$SIP_PORT" \
		>>"$T/occd.log" 2>&1 &
	OCC_PID=$!
	bench_track "$OCC_PID"
	bench_wait_http "$OCC_PID" "$PORT" ||
		{ cat "$T/occd.log" >&2; bench_die "occd did not start"; }
}
stop_occd() {
	kill -TERM "$OCC_PID"
	wait "$OCC_PID" 2>/dev/null
}
# let the allocator settle after a burst, then read
rss_now() { sleep 1; bench_rss "$OCC_PID"; }

# ---- 1. empty store ---------------------------------------------------------
start_occd
# one API request, so lazily built per-request state is in the baseline
curl -s -o /dev/null -d "EVENT=AGENTSTATUS&orgidentity=bench&user=1&password=x" \
	"http://127.0.0.1:$PORT/coccinterfaces"
RSS_EMPTY=$(rss_now)
bench_say "rss: empty store: $RSS_EMPTY B"

# ---- 2. provision N agents in G groups ---------------------------------------
t0=$(date +%s.%N)
"${CTL[@]}" team add bench >/dev/null || bench_die "occctl team add"
for ((g = 1; g <= G; g++)); do
	"${CTL[@]}" group add bench auto "Group $g" "$((9000 + g))" >/dev/null ||
		bench_die "occctl group add $g"
done
"${CTL[@]}" agent add bench 100001 benchpw --name "Agent 100001" >/dev/null ||
	bench_die "occctl agent add"
python3 - "$DATA/occ.db" "$N" <<'EOF' || bench_die "provisioning with sqlite3 failed"
import sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db, timeout=30)
c.execute("PRAGMA foreign_keys = ON")
(tid,) = c.execute("SELECT id FROM teams WHERE name = 'bench'").fetchone()
(pwhash,) = c.execute("SELECT pwhash FROM agents WHERE team_id = ? AND number = '100001'",
                      (tid,)).fetchone()
groups = c.execute("SELECT id, acw_mode, work_mode FROM agent_groups WHERE team_id = ? "
                   "ORDER BY id", (tid,)).fetchall()
with c:
    c.executemany("INSERT INTO agents (team_id, number, name, pwhash) VALUES (?, ?, ?, ?)",
                  ((tid, str(100000 + i), f"Agent {100000 + i}", pwhash)
                   for i in range(2, n + 1)))
    ids = dict(c.execute("SELECT number, id FROM agents WHERE team_id = ?", (tid,)))
    rows = []
    for i in range(1, n + 1):
        gid, acw, work = groups[(i - 1) % len(groups)]
        rows.append((gid, ids[str(100000 + i)], acw, work))
    c.executemany("INSERT INTO members (group_id, agent_id, acw_mode, work_mode) "
                  "VALUES (?, ?, ?, ?)", rows)
c.close()
EOF
kill -HUP "$OCC_PID"
for ((t = 0; t < 300; t++)); do
	grep -q "provisioning reloaded teams=1 agents=$N\b" "$T/occd.log" && break
	sleep 0.1
done
grep -q "provisioning reloaded teams=1 agents=$N\b" "$T/occd.log" ||
	{ tail -5 "$T/occd.log" >&2; bench_die "occd did not reload $N agents"; }
t1=$(date +%s.%N)
RSS_LOADED=$(rss_now)
bench_say "rss: $N agents provisioned in $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s, occd reloaded: $RSS_LOADED B"

# ---- 3. log every agent in and check it in -------------------------------------
python3 - "$PORT" "$N" "$G" "$CLIENTS" >"$T/login.out" <<'EOF'
import http.client, sys, threading, time
port, n, g, clients = map(int, sys.argv[1:])
ok = {"login": 0, "checkin": 0}
bad = []
lock = threading.Lock()

def worker(k):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    def call(body):
        nonlocal conn
        for attempt in (1, 2):
            try:
                conn.request("POST", "/coccinterfaces", body,
                             {"Content-Type": "application/x-www-form-urlencoded"})
                r = conn.getresponse()
                return r.status, r.read().decode()
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                if attempt == 2:
                    return 0, repr(e)
    lo = ci = 0
    errs = []
    for i in range(k + 1, n + 1, clients):
        num = 100000 + i
        cred = f"orgidentity=bench&usertype=agent&user={num}&pwdtype=plaintext&password=benchpw"
        st, body = call("EVENT=LOGIN&" + cred)
        if st == 200 and body.startswith("|Retuen|1|Retuen|BackMsg_04|"):
            lo += 1
        else:
            errs.append(f"LOGIN {num}: {st} {body[:80]}")
        gid = (i - 1) % g + 1   # groups were created 1..G in order
        st, body = call("EVENT=QUEUE&type=1&" + cred)
        if st == 200 and body == f"|Retuen|1|Retuen|{gid}:success":
            ci += 1
        else:
            errs.append(f"QUEUE {num}: {st} {body[:80]}")
    conn.close()
    with lock:
        ok["login"] += lo
        ok["checkin"] += ci
        bad.extend(errs)

t0 = time.monotonic()
ts = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
for t in ts: t.start()
for t in ts: t.join()
dt = time.monotonic() - t0
print(f"login_ok={ok['login']} checkin_ok={ok['checkin']} failures={len(bad)} "
      f"seconds={dt:.2f} requests_per_s={2 * n / dt:.0f}")
for e in bad[:5]:
    print("FAIL", e)
EOF
cat "$T/login.out" >&2
read -r LOGIN_OK CHECKIN_OK FAILURES LOGIN_S LOGIN_RPS < <(head -1 "$T/login.out" |
	sed 's/[a-z_]*=//g')

# independent check: what the store holds, and a few live replies
read -r DB_LOGGED DB_CHECKED < <(python3 - "$DATA/occ.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
q = lambda s: c.execute(s).fetchone()[0]
print(q("SELECT count(*) FROM agent_state s JOIN agents a ON a.id = s.agent_id "
        "JOIN teams t ON t.id = a.team_id WHERE t.name = 'bench' AND s.logged_in = 1"),
      q("SELECT count(*) FROM members WHERE checked_in = 1"))
EOF
)
SAMPLES_OK=0
for i in 1 $((N / 2)) "$N"; do
	r=$(curl -s -d "EVENT=AGENTSTATUS&orgidentity=bench&user=$((100000 + i))&password=benchpw" \
		"http://127.0.0.1:$PORT/coccinterfaces")
	[[ $r == "|Retuen|1|Retuen|BackMsg_43|Retuen|$(((i - 1) % G + 1))-idle," ]] &&
		SAMPLES_OK=$((SAMPLES_OK + 1))
done
RSS_LOGGED=$(rss_now)
HWM=$(awk '/^VmHWM:/ { print $2 * 1024 }' "/proc/$OCC_PID/status")
LOG_ERRORS=$(grep -c 'level=error' "$T/occd.log")

# ---- 4. cross-check: a fresh occd on the same store --------------------------------
stop_occd
start_occd
RSS_RESTART=$(rss_now)
r=$(curl -s -d "EVENT=AGENTSTATUS&orgidentity=bench&user=100001&password=benchpw" \
	"http://127.0.0.1:$PORT/coccinterfaces")
[[ $r == "|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle," ]] && RESTART_OK=1 || RESTART_OK=0
stop_occd

# ---- report ------------------------------------------------------------------------
python3 - "${OUT:-/dev/null}" <<EOF
import sys
n = $N
out = open(sys.argv[1], "w")
def emit(k, v): print(f"{k}={v}", file=out)
e, l, li, rs = $RSS_EMPTY, $RSS_LOADED, $RSS_LOGGED, $RSS_RESTART
per = (li - e) / n
ok = ($LOGIN_OK == n and $CHECKIN_OK == n and $FAILURES == 0 and $DB_LOGGED == n
      and $DB_CHECKED == n and $SAMPLES_OK == 3 and $LOG_ERRORS == 0 and $RESTART_OK == 1)
print()
print(f"RSS: team bench, {n} agents in $G groups ({n // $G} per group), release occd,")
print("pwhash cost opslimit=1 memlimit=8KiB (bench only), same password for every agent")
print()
print(f"  {'occd VmRSS':45} {'bytes':>12} {'per agent':>10}")
print(f"  {'empty store':45} {e:12,d}")
print(f"  {f'{n} agents provisioned (reloaded), idle':45} {l:12,d} {(l - e) / n:10.0f}")
print(f"  {'all logged in and checked in':45} {li:12,d} {(li - l) / n:10.0f}  (over provisioned)")
print(f"  {'fresh occd on that store (state restored)':45} {rs:12,d} {(rs - e) / n:10.0f}  (over empty)")
print(f"  peak (VmHWM) of the measured process: {$HWM:,d} bytes")
print()
print(f"  RSS per idle logged-in agent = ({li:,d} - {e:,d}) / {n} = {per:.0f} bytes")
print()
print(f"logins: {$LOGIN_OK}/{n} code 1, check-ins: {$CHECKIN_OK}/{n} success, "
      f"{$FAILURES} failures, {$LOGIN_S}s for {2 * n} requests ({$LOGIN_RPS}/s, "
      f"$CLIENTS python clients); store: {$DB_LOGGED} logged in, {$DB_CHECKED} checked in; "
      f"AGENTSTATUS samples idle: {$SAMPLES_OK}/3; after restart: "
      f"{'ok' if $RESTART_OK else 'WRONG'}; occd log errors: {$LOG_ERRORS}")
print("verification:", "ok" if ok else "FAILED")
for k, v in (("agents", n), ("groups", $G), ("rss_empty", e), ("rss_loaded", l),
             ("rss_logged_in", li), ("rss_restart", rs), ("rss_hwm", $HWM),
             ("rss_per_agent_provisioned", f"{(l - e) / n:.0f}"),
             ("rss_per_agent_login", f"{(li - l) / n:.0f}"),
             ("rss_per_agent", f"{per:.0f}"),
             ("rss_per_agent_restart", f"{(rs - e) / n:.0f}"),
             ("rss_login_ok", $LOGIN_OK), ("rss_checkin_ok", $CHECKIN_OK),
             ("rss_login_seconds", "$LOGIN_S"), ("rss_login_rps", "$LOGIN_RPS"),
             ("rss_clients", $CLIENTS), ("rss_verified", "yes" if ok else "no")):
    emit(k, v)
sys.exit(0 if ok else 1)
EOF
rc=$?
((rc == 0)) || bench_say "bench: rss: verification FAILED (rerun with OCC_BENCH_KEEP=1 to keep $T)"
exit $rc
