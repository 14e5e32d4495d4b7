-- enroll.lua - wrk script for tests/bench/enroll.sh: each request enrols a
-- random learner (session cookie + CSRF token) in a random section.
--
--   wrk ... -s enroll.lua URL -- SESSIONS_FILE SECTIONS_FILE
--
-- (the files are the last two arguments, whatever wrk passes before them)
-- SESSIONS_FILE: "token csrf" per line; SECTIONS_FILE: a section id per line.
-- Prints how many answers were 201, 409 and anything else.

local threads = {}

function setup(thread)
	thread:set("id", #threads + 1)
	table.insert(threads, thread)
end

local function lines(path)
	local t = {}
	for line in io.lines(path) do
		t[#t + 1] = line
	end
	return t
end

function init(args)
	sessions, sections = {}, lines(args[#args])
	for _, line in ipairs(lines(args[#args - 1])) do
		local token, csrf = line:match("^(%S+) (%S+)$")
		sessions[#sessions + 1] = {
			Cookie = "__Host-lms_session=" .. token,
			["X-CSRF-Token"] = csrf,
			["Content-Type"] = "application/json",
		}
	end
	created, conflict, other = 0, 0, 0
	math.randomseed(os.time() * 100 + id)
end

function request()
	local headers = sessions[math.random(#sessions)]
	local section = sections[math.random(#sections)]
	return wrk.format("POST", "/api/v1/sections/" .. section .. "/enrollments", headers, "{}")
end

function response(status, headers, body)
	if status == 201 then
		created = created + 1
	elseif status == 409 then
		conflict = conflict + 1
	else
		other = other + 1
	end
end

function done(summary, latency, requests)
	local c, k, o = 0, 0, 0
	for _, t in ipairs(threads) do
		c = c + t:get("created")
		k = k + t:get("conflict")
		o = o + t:get("other")
	end
	io.write(string.format("answers: 201 %d, 409 %d, other %d\n", c, k, o))
end
