#!/usr/bin/env bash
# bench/import/run.sh — the file side of a 1,000,000-row customer import
# (issue 12: the whole import ≤ 60 s on 2 cores; this measures the
# download + parse part, src/import/, through build/occ-csv -O2):
#
#   parse    a generated 1,000,000-row CSV from a local file, UTF-8 and GBK
#            (occ-csv --file: the parser and iconv alone);
#   fetch    the same UTF-8 file from a local HTTP server (Python's
#            http.server) through the fetcher: libcurl on the worker
#            thread, rows handed to the libre loop in batches (occ-csv
#            URL, what occd's import job does).
#
# Rows: 13-digit phone, a Chinese name, a city, a quoted note with a comma,
# a quoted field with an embedded line break every 100th row; ~70 bytes.
# Each figure is the median of ROUNDS runs (OCC_BENCH_ROUNDS, default 3):
# wall time and the CPU time of occ-csv (user + sys, its threads together;
# on a shared machine the steadier of the two). Verified: every run gives
# exactly 1,000,000 rows.
#
#   bench/import/run.sh [--out FILE] [--update-doc] [--quick]
#
# --quick: 100,000 rows, one round (a smoke test, not for the doc).
set -u
. "$(dirname "$0")/../lib.sh"

bench_parse_common "out quick update-doc" "$@"
set -- "${BENCH_ARGS[@]}"
(($#)) && bench_die "unknown argument $1 (see --help)"
bench_need python3 python3
bench_need iconv libc-bin
[[ -x /usr/bin/time ]] || bench_die "/usr/bin/time not found; apt-get install time"

ROWS=1000000
ROUNDS=${OCC_BENCH_ROUNDS:-3}
((QUICK)) && ROWS=100000 ROUNDS=1

bench_init import
T=$BENCH_TMP
bench_copy_bins occ-csv
if bench_pin; then
	PINNING="occ-csv on CPU $SRV_CPU, the HTTP server on CPU $GEN_CPU"
else
	PINNING="none (one CPU)"
fi

mkdir -p "$T/www"
python3 - "$ROWS" "$T/www/customers.csv" <<'PY'
import random, sys
n, path = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(12)
sur = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
giv = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
cities = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京"]
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write("phone1,name,city,note,remark\r\n")
    for i in range(n):
        name = rnd.choice(sur) + rnd.choice(giv) + rnd.choice(giv)
        note = f"\"order {i % 977}, vip\""
        remark = "\"line one\nline two\"" if i % 100 == 0 else "none"
        f.write(f"{13800000000 + i},{name},{rnd.choice(cities)},{note},{remark}\r\n")
PY
iconv -f UTF-8 -t GBK "$T/www/customers.csv" >"$T/www/customers-gbk.csv" ||
	bench_die "iconv to GBK failed"
BYTES=$(stat -c %s "$T/www/customers.csv")
BYTES_GBK=$(stat -c %s "$T/www/customers-gbk.csv")

port=$(bench_free_port)
"${GEN_PIN[@]}" python3 -m http.server "$port" --bind 127.0.0.1 --directory "$T/www" \
	>"$T/http.log" 2>&1 &
bench_track $!
for _ in $(seq 1 100); do
	curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
	sleep 0.1
done

ok=yes
# run NAME ARGS...: ROUNDS runs; prints the median wall and CPU (user +
# sys of occ-csv, both threads) seconds
run() {
	local name=$1 i err
	shift
	: >"$T/$name.times"
	for ((i = 0; i < ROUNDS; i++)); do
		/usr/bin/time -f "%e %U %S" -o "$T/$name.time" \
			"${SRV_PIN[@]}" "$T/occ-csv" --count --delrow 1 "$@" 2>"$T/$name.err" || ok=no
		err=$(cat "$T/$name.err")
		[[ $err == *"occ-csv: $ROWS rows"* ]] || { ok=no; bench_say "bench: $name: $err"; }
		awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$T/$name.time" >>"$T/$name.times"
	done
	median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
	echo "$(cut -d' ' -f1 "$T/$name.times" | median) $(cut -d' ' -f2 "$T/$name.times" | median)"
}
read -r parse_utf8 parse_utf8_cpu < <(run parse_utf8 --file "$T/www/customers.csv")
read -r parse_gbk parse_gbk_cpu < <(run parse_gbk --file "$T/www/customers-gbk.csv" --charset gbk)
read -r fetch_http fetch_http_cpu < <(run fetch_http --allow "http://127.0.0.1:$port/" \
	"http://127.0.0.1:$port/customers.csv")

rps() { awk -v r="$ROWS" -v s="$1" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }'; }
mbps() { awk -v b="$2" -v s="$1" 'BEGIN { printf "%.1f", (s > 0 ? b / s / 1048576 : 0) }'; }
{
	bench_run_facts
	echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "import_pinning=$PINNING"
	echo "import_rows=$ROWS"
	echo "import_rounds=$ROUNDS"
	echo "import_bytes=$BYTES"
	echo "import_bytes_gbk=$BYTES_GBK"
	echo "import_parse_utf8_s=$parse_utf8"
	echo "import_parse_utf8_rps=$(rps "$parse_utf8")"
	echo "import_parse_utf8_mibps=$(mbps "$parse_utf8" "$BYTES")"
	echo "import_parse_utf8_cpu_s=$parse_utf8_cpu"
	echo "import_parse_utf8_cpu_rps=$(rps "$parse_utf8_cpu")"
	echo "import_parse_gbk_s=$parse_gbk"
	echo "import_parse_gbk_rps=$(rps "$parse_gbk")"
	echo "import_parse_gbk_mibps=$(mbps "$parse_gbk" "$BYTES_GBK")"
	echo "import_parse_gbk_cpu_s=$parse_gbk_cpu"
	echo "import_parse_gbk_cpu_rps=$(rps "$parse_gbk_cpu")"
	echo "import_fetch_http_s=$fetch_http"
	echo "import_fetch_http_rps=$(rps "$fetch_http")"
	echo "import_fetch_http_mibps=$(mbps "$fetch_http" "$BYTES")"
	echo "import_fetch_http_cpu_s=$fetch_http_cpu"
	echo "import_fetch_http_cpu_rps=$(rps "$fetch_http_cpu")"
	echo "import_verified=$ok"
} >"$T/import.env"
cat "$T/import.env"
[[ -n $OUT ]] && cp "$T/import.env" "$OUT"
rc=0
[[ $ok == yes ]] || rc=1
bench_conclude import "$rc" "$UPDATE" "$T/import.env"
exit "$rc"
