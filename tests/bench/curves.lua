-- curves.lua - wrk script for tests/bench/curves.sh: GET the URL given, and
-- with "fresh" as the last argument add a parameter the server ignores but
-- its response cache keys on (_=thread.counter), so that every request runs
-- the query; prints one line "curve: p50_ms p99_ms requests_per_s non_2xx".
--
--   wrk ... -s curves.lua URL [-- fresh]

local threads = {}

function setup(thread)
	thread:set("id", #threads + 1)
	table.insert(threads, thread)
end

function init(args)
	fresh = args[#args] == "fresh"
	sep = wrk.path:find("?", 1, true) and "&" or "?"
	n = 0
end

function request()
	if not fresh then
		return wrk.format("GET", wrk.path)
	end
	n = n + 1
	return wrk.format("GET", wrk.path .. sep .. "_=" .. id .. "." .. n)
end

function done(summary, latency, requests)
	local seconds = summary.duration / 1e6
	io.write(string.format("curve: %.2f %.2f %.1f %d\n", latency:percentile(50) / 1000,
		latency:percentile(99) / 1000, summary.requests / seconds,
		summary.errors.status))
end
