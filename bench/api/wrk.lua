-- bench/api/wrk.lua — request shape and result line for bench/api/run.sh.
--
-- Environment (read in every wrk Lua state):
--   OCC_BENCH_BODY    form body; if set the request is a POST with it,
--                     otherwise a GET of the URL given to wrk
--   OCC_BENCH_EXPECT  if set, every reply body is compared with it and
--                     mismatches are counted (costs wrk CPU: used only in
--                     the short verification pass, not the timed runs)
--
-- done() prints one line "WRK key=value ..." that run.sh parses; no per
-- request Lua runs in the timed runs (no request()/response() functions),
-- so wrk sends a precomputed request.

local body = os.getenv("OCC_BENCH_BODY")
local expect = os.getenv("OCC_BENCH_EXPECT")

if body and body ~= "" then
	wrk.method = "POST"
	wrk.body = body
	wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

if expect and expect ~= "" then
	checked, bad, first_bad = 0, 0, ""
	function response(status, headers, rbody)
		checked = checked + 1
		if status ~= 200 or rbody ~= expect then
			bad = bad + 1
			if first_bad == "" then
				first_bad = status .. " " .. tostring(rbody)
			end
		end
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	local checked_all, bad_all, first = 0, 0, ""
	for _, t in ipairs(threads) do
		checked_all = checked_all + (t:get("checked") or 0)
		bad_all = bad_all + (t:get("bad") or 0)
		if first == "" then first = t:get("first_bad") or "" end
	end
	io.write(string.format(
		"WRK requests=%d bytes=%d duration_us=%d non2xx=%d " ..
		"err_connect=%d err_read=%d err_write=%d err_timeout=%d " ..
		"p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f mean_us=%.1f " ..
		"checked=%d bad=%d\n",
		summary.requests, summary.bytes, summary.duration, e.status,
		e.connect, e.read, e.write, e.timeout,
		latency:percentile(50), latency:percentile(90),
		latency:percentile(99), latency.max, latency.mean,
		checked_all, bad_all))
	if first ~= "" then
		io.write("WRK_FIRST_BAD " .. first:gsub("\n", "\\n") .. "\n")
	end
end
