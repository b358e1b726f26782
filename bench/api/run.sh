#!/usr/bin/env bash
# bench/api/run.sh — HTTP API throughput and latency: occd against an nginx
# peer that returns the same reply from memory, same wrk parameters.
#
#   bench/api/run.sh [--out FILE] [--duration S] [--rounds N]
#                    [--connections N] [--threads N] [--workloads "get post"]
#                    [--wait-quiet S]
#
# Expects build/occd (release build; builds nothing). Starts occd with the
# demo data on a free port, logs agent 8001 in and checks it in to group 1,
# then for each workload and round runs wrk against occd and against nginx
# (order alternating per round), each server pinned to one CPU and wrk to
# another when two are available. Workloads: EVENT=AGENTSTATUS for 8001 as
# a GET with the query string ("get") and as a form POST ("post").
#
# Verifies occd's replies: zero non-2xx and socket errors in every timed
# run, bytes per reply equal to one full sampled reply, a body sample after
# the runs, a short extra pass in which wrk compares every reply body, and
# no error lines in occd's log. Exit 0 only if all hold.
#
# --out FILE receives the results as key=value lines (bench/run.sh uses it
# to fill docs/BENCHMARKS.md). Nothing is written outside /tmp otherwise.
# --wait-quiet S: before each timed run wait (at most S seconds in all)
# until the rest of the machine uses under 10% of a CPU, and run again (at
# most twice) a run during which other processes used more than 10%; for
# shared machines where builds, tests or fuzzers come and go. The table
# shows the CPU other processes used during the runs ("other CPU") anyway.
# Defaults can also come from OCC_BENCH_DURATION, OCC_BENCH_ROUNDS,
# OCC_BENCH_CONNECTIONS, OCC_BENCH_THREADS, OCC_BENCH_WORKLOADS,
# OCC_BENCH_WAIT_QUIET.
set -u
. "$(dirname "$0")/../lib.sh"

DURATION=${OCC_BENCH_DURATION:-6}
ROUNDS=${OCC_BENCH_ROUNDS:-5}
CONNS=${OCC_BENCH_CONNECTIONS:-50}
THREADS=${OCC_BENCH_THREADS:-1}
WORKLOADS=${OCC_BENCH_WORKLOADS:-"get post"}

bench_parse_common "out wait-quiet" "$@"
set -- "${BENCH_ARGS[@]}"
while (($#)); do
	case $1 in
	--duration) DURATION=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--connections) CONNS=$2; shift ;;
	--threads) THREADS=$2; shift ;;
	--workloads) WORKLOADS=$2; shift ;;
	*) bench_die "unknown argument $1 (see --help)" ;;
	esac
	shift
done

bench_need wrk wrk
bench_need nginx nginx-light
bench_need taskset util-linux
bench_need curl curl
bench_need python3 python3

bench_init api
bench_copy_bins occd
T=$BENCH_TMP
SCRIPT=$BENCH_ROOT/bench/api/wrk.lua

# ---- CPUs: server on one, wrk on another -------------------------------
if bench_pin; then
	PINNING="server on CPU $SRV_CPU, wrk on CPU $GEN_CPU"
else
	PINNING="none (only $BENCH_NCPUS CPU available: server and wrk share it)"
	bench_say "bench: warning: one CPU only; server and wrk compete for it"
fi

# ---- occd ----------------------------------------------------------------
OCC_PORT=$(bench_free_port)
SIP_PORT=$(bench_free_port)
mkdir -p "$T/data"
# wrk's connections (and nginx's to occd) all come from 127.0.0.1
printf '[http]\nmax_per_address = %d\n' $((CONNS + 64)) >"$T/occd.ini"
"${SRV_PIN[@]}" "$T/occd" --data "$T/data" --http "127.0.0.1:$OCC_PORT" \
	--sip "127.0.0.1:$SIP_PORT" --config "$T/occd.ini" --demo \
	>"$T/occd.log" 2>&1 &
OCC_PID=$!
bench_track "$OCC_PID"
bench_wait_http "$OCC_PID" "$OCC_PORT" ||
	{ cat "$T/occd.log" >&2; bench_die "occd did not start"; }

OCC_URL="http://127.0.0.1:$OCC_PORT/coccinterfaces"
CRED="orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=8001"
api() { curl -s --max-time 10 -d "$1&$CRED" "$OCC_URL"; }

r=$(api "EVENT=LOGIN")
[[ $r == "|Retuen|1|Retuen|BackMsg_04|"* ]] || bench_die "login failed: $r"
r=$(api "EVENT=QUEUE&type=1&list=1")
[[ $r == "|Retuen|1|Retuen|1:success" ]] || bench_die "check-in failed: $r"
EXPECT=$(api "EVENT=AGENTSTATUS")
[[ $EXPECT == "|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle," ]] ||
	bench_die "unexpected AGENTSTATUS reply: $EXPECT"

GET_PATH="/coccinterfaces?EVENT=AGENTSTATUS&$CRED"
POST_BODY="EVENT=AGENTSTATUS&$CRED"

# ---- nginx peer: the same body from memory --------------------------------
NGX_PORT=$(bench_free_port)
mkdir -p "$T/nginx"
{
	echo "worker_processes 1;"
	echo "daemon off;"
	echo "pid $T/nginx/nginx.pid;"
	echo "error_log $T/nginx/error.log warn;"
	echo "events { worker_connections 4096; }"
	echo "http {"
	echo "  access_log off;"
	# nginx closes a keep-alive connection after 1000 requests by default;
	# occd (libmicrohttpd) does not, so lift the limit for parity.
	echo "  keepalive_requests 100000000;"
	echo "  client_body_temp_path $T/nginx/body;"
	echo "  proxy_temp_path $T/nginx/proxy;"
	for m in fastcgi uwsgi scgi; do
		nginx -V 2>&1 | grep -q -- "--without-http_${m}_module" ||
			echo "  ${m}_temp_path $T/nginx/$m;"
	done
	echo "  server {"
	echo "    listen 127.0.0.1:$NGX_PORT;"
	echo "    location /coccinterfaces {"
	echo "      default_type \"text/plain; charset=utf-8\";"
	echo "      return 200 \"$EXPECT\";"
	echo "    }"
	echo "  }"
	echo "}"
} >"$T/nginx/nginx.conf"
"${SRV_PIN[@]}" nginx -p "$T/nginx/" -c "$T/nginx/nginx.conf" \
	-e "$T/nginx/error.log" >"$T/nginx/stdout.log" 2>&1 &
NGX_PID=$!
bench_track "$NGX_PID"
bench_wait_http "$NGX_PID" "$NGX_PORT" ||
	{ cat "$T/nginx/error.log" >&2; bench_die "nginx did not start"; }
NGX_URL="http://127.0.0.1:$NGX_PORT/coccinterfaces"
r=$(curl -s "$NGX_URL?x=1")
[[ $r == "$EXPECT" ]] || bench_die "nginx peer replies '$r'"

# all nginx processes (master + worker), for CPU accounting
ngx_pids() { echo "$NGX_PID" $(pgrep -P "$NGX_PID"); }

# Full size of one reply (status line + headers + body): wrk's byte count
# divided by its request count must equal it.
reply_size() { # URL [BODY]
	if [[ -n ${2:-} ]]; then
		curl -s -i --max-time 5 -d "$2" "$1" | wc -c
	else
		curl -s -i --max-time 5 "$1" | wc -c
	fi
}

# ---- waiting for a quiet machine (--wait-quiet) ----------------------------------
QUIET_DEADLINE=$(($(date +%s) + WAIT_QUIET))
HZ=$(getconf CLK_TCK)
wait_quiet() {
	local b0 b1
	((WAIT_QUIET > 0 && $(date +%s) < QUIET_DEADLINE)) || return 0
	while (($(date +%s) < QUIET_DEADLINE)); do
		b0=$(bench_busy_ticks); sleep 2; b1=$(bench_busy_ticks)
		# our servers are idle between runs: all of this is someone else
		((b1 - b0 < HZ * 2 / 10)) && return 0
		bench_say "  (machine busy: $(((b1 - b0) * 50 / HZ))% of a CPU; waiting)"
	done
	bench_say "  (--wait-quiet: $WAIT_QUIET s used up; no more waiting)"
}

# ---- one timed run ----------------------------------------------------------
# run_wrk WORKLOAD SERVER ROUND: appends a tab-separated row to runs.tsv
printf 'workload\tserver\tround\trequests\tbytes\tduration_us\tnon2xx\terrors\tp50_us\tp90_us\tp99_us\tmax_us\tsrv_ticks\twrk_cpu_s\treply_size\tother_ticks\n' >"$T/runs.tsv"
run_wrk() {
	local wl=$1 srv=$2 round=$3 base pids body="" url out=$T/wrk.$1.$2.$3
	local t0 t1 b0 b1 line size
	if [[ $srv == occd ]]; then
		base="http://127.0.0.1:$OCC_PORT"; pids=$OCC_PID
	else
		base="http://127.0.0.1:$NGX_PORT"; pids=$(ngx_pids)
	fi
	if [[ $wl == get ]]; then
		url="$base$GET_PATH"
		size=$(reply_size "$url")
	else
		url="$base/coccinterfaces"; body=$POST_BODY
		size=$(reply_size "$url" "$body")
	fi
	wait_quiet
	t0=$(bench_cpu_ticks $pids)
	b0=$(bench_busy_ticks)
	local TIMEFORMAT='%U %S'
	{ time OCC_BENCH_BODY=$body OCC_BENCH_EXPECT="" "${GEN_PIN[@]}" \
		wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency \
		-s "$SCRIPT" "$url" >"$out" 2>&1; } 2>"$out.time"
	t1=$(bench_cpu_ticks $pids)
	b1=$(bench_busy_ticks)
	line=$(grep '^WRK ' "$out") || { cat "$out" >&2; bench_die "wrk failed ($wl $srv)"; }
	python3 - "$wl" "$srv" "$round" "$line" "$((t1 - t0))" \
		"$(awk '{ print $1 + $2 }' "$out.time")" "$size" "$((b1 - b0))" \
		"$(getconf CLK_TCK)" >"$T/row.tsv" <<'EOF'
import sys
wl, srv, rnd, line, ticks, wrk_cpu, size, busy, hz = sys.argv[1:]
# CPU used by everything else on the machine during the run (other
# people's builds, fuzzers...), in ticks: total busy minus server and wrk
other = max(0, int(busy) - int(ticks) - round(float(wrk_cpu) * int(hz)))
kv = dict(f.split("=", 1) for f in line.split()[1:])
err = sum(int(kv[k]) for k in ("err_connect", "err_read", "err_write", "err_timeout"))
print("\t".join([wl, srv, rnd, kv["requests"], kv["bytes"], kv["duration_us"],
                 kv["non2xx"], str(err), kv["p50_us"], kv["p90_us"], kv["p99_us"],
                 kv["max_us"], ticks, wrk_cpu, size, str(other)]))
EOF
	local other_pct
	other_pct=$(awk -F'\t' -v hz="$HZ" '{ printf "%d", 100 * $16 / hz / ($6 / 1e6) }' "$T/row.tsv")
	bench_say "  $wl $srv round $round: $(awk -F'\t' '{ printf "%.0f req/s, p99 %.2f ms", $4 / ($6 / 1e6), $11 / 1000 }' "$T/row.tsv"), other CPU ${other_pct}%"
	# with --wait-quiet, a run disturbed by other processes is run again
	# (twice at most); without it every run counts, flagged in the table
	if ((WAIT_QUIET > 0 && other_pct > 10 && ${RETRY:-0} < 2)); then
		bench_say "  (disturbed by other processes: running it again)"
		RETRY=$((${RETRY:-0} + 1)) run_wrk "$@"
		return
	fi
	cat "$T/row.tsv" >>"$T/runs.tsv"
}

bench_say "api: wrk -t$THREADS -c$CONNS -d${DURATION}s, $ROUNDS round(s), workloads: $WORKLOADS; pinning: $PINNING"
for wl in $WORKLOADS; do
	[[ $wl == get || $wl == post ]] || bench_die "unknown workload $wl"
	for ((round = 1; round <= ROUNDS; round++)); do
		if ((round % 2)); then order="occd nginx"; else order="nginx occd"; fi
		for srv in $order; do
			run_wrk "$wl" "$srv" "$round"
			kill -0 "$OCC_PID" 2>/dev/null || {
				tail -20 "$T/occd.log" >&2
				bench_die "occd died during the $wl run"
			}
		done
	done
done

# ---- verification ------------------------------------------------------------
SAMPLE_GET=$(curl -s --max-time 5 "http://127.0.0.1:$OCC_PORT$GET_PATH")
SAMPLE_POST=$(curl -s --max-time 5 -d "$POST_BODY" "$OCC_URL")
VERIFY_CHECKED=0
VERIFY_BAD=0
for wl in $WORKLOADS; do
	body=""
	url="http://127.0.0.1:$OCC_PORT$GET_PATH"
	[[ $wl == post ]] && { body=$POST_BODY; url=$OCC_URL; }
	OCC_BENCH_BODY=$body OCC_BENCH_EXPECT=$EXPECT "${GEN_PIN[@]}" \
		wrk -t"$THREADS" -c"$CONNS" -d2s -s "$SCRIPT" "$url" \
		>"$T/verify.$wl" 2>&1
	line=$(grep '^WRK ' "$T/verify.$wl") || { cat "$T/verify.$wl" >&2; bench_die "verify wrk failed"; }
	c=$(sed 's/.* checked=\([0-9]*\).*/\1/' <<<"$line")
	b=$(sed 's/.* bad=\([0-9]*\).*/\1/' <<<"$line")
	VERIFY_CHECKED=$((VERIFY_CHECKED + c))
	VERIFY_BAD=$((VERIFY_BAD + b))
	grep '^WRK_FIRST_BAD' "$T/verify.$wl" >&2
done
LOG_ERRORS=$(grep -c 'level=error' "$T/occd.log")
kill -0 "$OCC_PID" 2>/dev/null && OCC_ALIVE=1 || OCC_ALIVE=0

# ---- report --------------------------------------------------------------------
python3 - "$T/runs.tsv" "${OUT:-/dev/null}" <<EOF
import statistics as st, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
hdr, rows = rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]
out = open(sys.argv[2], "w")
def emit(k, v): print(f"{k}={v}", file=out)
tick_us = 1e6 / $(getconf CLK_TCK)
ok = True
max_other = 0.0
print()
print("HTTP API: EVENT=AGENTSTATUS, agent 8001 logged in and checked in (1 group)")
print(f"wrk -t$THREADS -c$CONNS -d${DURATION}s --latency, keep-alive, loopback, "
      f"$ROUNDS round(s) per server, median shown; pinning: $PINNING")
print()
print(f"{'workload':8} {'server':6} {'req/s':>9} {'(min..max)':>17} {'p50 ms':>7} "
      f"{'p99 ms':>7} {'srv CPU us/req':>14} {'wrk CPU':>7} {'other CPU':>9} {'B/reply':>7}")
emit("api_duration_s", "$DURATION"); emit("api_connections", "$CONNS")
emit("api_threads", "$THREADS"); emit("api_rounds", "$ROUNDS")
emit("api_pinning", "$PINNING")
for wl in "$WORKLOADS".split():
    med, cpus = {}, {}
    for srv in ("occd", "nginx"):
        rs = [r for r in rows if r["workload"] == wl and r["server"] == srv]
        rps = [int(r["requests"]) / (int(r["duration_us"]) / 1e6) for r in rs]
        p50 = st.median(float(r["p50_us"]) for r in rs) / 1000
        p99 = st.median(float(r["p99_us"]) for r in rs) / 1000
        cpu = st.median(int(r["srv_ticks"]) * tick_us / int(r["requests"]) for r in rs)
        wcpu = st.median(float(r["wrk_cpu_s"]) / (int(r["duration_us"]) / 1e6) for r in rs)
        other = st.median(int(r["other_ticks"]) * tick_us / int(r["duration_us"]) for r in rs)
        max_other = max(max_other, other)
        bpr = [int(r["bytes"]) / int(r["requests"]) for r in rs]
        size = int(rs[0]["reply_size"])
        bad = sum(int(r["non2xx"]) + int(r["errors"]) for r in rs)
        sizes_ok = all(abs(b - size) <= 0.01 * size for b in bpr)
        if srv == "occd" and (bad or not sizes_ok):
            ok = False
        med[srv] = st.median(rps)
        cpus[srv] = cpu
        print(f"{wl.upper():8} {srv:6} {med[srv]:9.0f} {min(rps):8.0f}..{max(rps):<8.0f}"
              f"{p50:7.2f} {p99:7.2f} {cpu:14.1f} {wcpu:7.0%} {other:9.0%} {st.median(bpr):7.1f}"
              + ("" if not bad else f"  ERRORS={bad}")
              + ("" if sizes_ok else f"  (expected {size} B/reply)"))
        p = f"api_{wl}_{srv}"
        emit(p + "_rps", f"{med[srv]:.0f}")
        emit(p + "_rps_min", f"{min(rps):.0f}"); emit(p + "_rps_max", f"{max(rps):.0f}")
        emit(p + "_p50_ms", f"{p50:.2f}"); emit(p + "_p99_ms", f"{p99:.2f}")
        emit(p + "_cpu_us_per_req", f"{cpu:.1f}"); emit(p + "_wrk_cpu", f"{wcpu:.2f}")
        emit(p + "_other_cpu", f"{other:.2f}")
        emit(p + "_errors", bad); emit(p + "_bytes_per_reply", f"{st.median(bpr):.1f}")
    ratio = med["occd"] / med["nginx"]
    per_round = []
    for rnd in sorted({r["round"] for r in rows if r["workload"] == wl}, key=int):
        x = {r["server"]: int(r["requests"]) / int(r["duration_us"]) for r in rows
             if r["workload"] == wl and r["round"] == rnd}
        per_round.append(x["occd"] / x["nginx"])
    cpu_ratio = cpus["nginx"] / cpus["occd"]
    print(f"{'':8} ratio occd/nginx req/s: {ratio:.2f}  (per round: "
          + " ".join(f"{x:.2f}" for x in per_round) + ")")
    print(f"{'':8} ratio by CPU per request (nginx us/req / occd us/req): {cpu_ratio:.2f}")
    emit(f"api_{wl}_cpu_ratio", f"{cpu_ratio:.2f}")
    emit(f"api_{wl}_ratio", f"{ratio:.2f}")
    emit(f"api_{wl}_ratio_rounds", " ".join(f"{x:.2f}" for x in per_round))
emit("api_max_other_cpu", f"{max_other:.2f}")
if max_other > 0.05:
    print(f"WARNING: other processes used up to {max_other:.0%} of a CPU during the runs "
          "(column 'other CPU'); the numbers are depressed and noisy. Rerun on a quiet machine.")
print()
checked, badv = $VERIFY_CHECKED, $VERIFY_BAD
print(f"verification: every timed run non-2xx=0 and socket errors=0: "
      f"{'yes' if ok else 'NO'}; body-checked pass: {checked} replies, {badv} wrong; "
      f"sample GET {'ok' if '''$SAMPLE_GET''' == '''$EXPECT''' else 'WRONG'}, "
      f"sample POST {'ok' if '''$SAMPLE_POST''' == '''$EXPECT''' else 'WRONG'}; "
      f"occd log errors: $LOG_ERRORS; occd alive: {'yes' if $OCC_ALIVE else 'NO'}")
print(f"reply body: $EXPECT")
ok = ok and badv == 0 and checked > 0 and '''$SAMPLE_GET''' == '''$EXPECT''' \
     and '''$SAMPLE_POST''' == '''$EXPECT''' and $LOG_ERRORS == 0 and $OCC_ALIVE
emit("api_verify_checked", checked); emit("api_verify_bad", badv)
emit("api_verified", "yes" if ok else "no")
emit("api_body", "$EXPECT")
sys.exit(0 if ok else 1)
EOF
rc=$?
((rc == 0)) || bench_say "bench: api: verification FAILED (logs in $T; rerun with OCC_BENCH_KEEP=1 to keep them)"
exit $rc
