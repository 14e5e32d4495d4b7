#!/usr/bin/env bash
# profile.sh - where the CPU of a catalogue page and of an enrolment goes:
# drives each with wrk over keep-alive HTTPS while `perf record` samples the
# lms process and its PostgreSQL backends, then prints the CPU time per
# request of each side and the samples split into TLS, HTTP (CivetWeb), our
# code, JSON, libpq, the C library, the kernel and PostgreSQL, and the
# hottest symbols of each workload.
#
#   bash tests/bench/profile.sh [COURSES] [SECONDS]   (defaults 2000, 10)
#
# Runs as root or with sudo; installs wrk when missing. Builds RelWithDebInfo
# into build-bench/ and keeps its data and perf files under /tmp.
set -euo pipefail
cd "$(dirname "$0")/../.."

courses=${1:-2000}
seconds=${2:-10}
learners=20000
connections=16
work=/tmp/lms-bench-profile
lms_port=9648

. tests/bench/lib.sh
bench_require wrk linux-perf
bench_build
trap bench_stop EXIT
export LMS_DB_POOL_SIZE=$connections
bench_serve "$work" "$lms_port" "$courses"
bench_learners "$learners"

# The cluster's postmaster, whose children are the backends.
postmaster=$(head -1 "$work/var/pgdata/postmaster.pid")
backends() { pgrep -P "$postmaster" -d, || true; }
hz=$(getconf CLK_TCK)

# Splits `perf report --sort comm,dso,sym` lines (percent, thread name,
# shared object, [k] or [.], symbol) into classes, and names the hottest
# symbols of each side; symbols the system's libraries do not name are
# counted under their library.
summarise='
function class(side, dso) {
	if (side == "postgres") return dso ~ /kernel/ ? "PostgreSQL: kernel" : "PostgreSQL";
	if (dso ~ /libssl|libcrypto/) return "TLS (OpenSSL)";
	if (dso ~ /civetweb/) return "HTTP (CivetWeb)";
	if (dso ~ /jansson/) return "JSON (jansson)";
	if (dso ~ /libpq/) return "libpq";
	if (dso ~ /libc\.so|ld-linux/) return "C library";
	if (dso ~ /kernel/) return "kernel (lms)";
	if (dso == "lms") return "our code";
	return "lms: " dso;
}
{
	pct = $1; sub(/%/, "", pct); side = $2 == "postgres" ? "postgres" : "lms"
	sym = $5; for (i = 6; i <= NF; i++) sym = sym " " $i
	if (sym ~ /^0x/) sym = "(unnamed)"
	cls[class(side, $3)] += pct
	hot[side SUBSEP $3 " " sym] += pct
}
END {
	for (k in cls) printf "  %6.1f %%  %s\n", cls[k], k | "sort -rn"
	close("sort -rn")
	split("lms postgres", names, " ")
	for (n = 1; n <= 2; n++) {
		print "  hottest symbols, " names[n] ":"
		cmd = "sort -rn | head -" (n == 1 ? 20 : 10)
		for (k in hot) {
			split(k, part, SUBSEP)
			if (part[1] == names[n]) printf "    %6.2f %%  %s\n", hot[k], part[2] | cmd
		}
		close(cmd)
	}
}'

profile() { # name, then the wrk arguments
	local name=$1
	shift
	# Warm up: every pooled connection opened, caches filled.
	wrk -t2 -c$connections -d2s "$@" >/dev/null
	local pids lms0 pg0 lms1 pg1 reqs
	pids="$lms_pid,$(backends)"
	lms0=$(bench_ticks "$lms_pid")
	pg0=$(bench_ticks "$(backends)")
	perf record -q -F 1999 -p "$pids" -o "$work/$name.perf" -- sleep "$seconds" \
		>/dev/null 2>&1 &
	local perf_pid=$!
	wrk -t2 -c$connections -d"${seconds}s" "$@" >"$work/$name.wrk"
	wait "$perf_pid" || true
	lms1=$(bench_ticks "$lms_pid")
	pg1=$(bench_ticks "$(backends)")
	reqs=$(awk '/requests in/ {print $1}' "$work/$name.wrk")
	echo
	echo "== $name: $(awk '/Requests\/sec/ {print $2}' "$work/$name.wrk") requests/s," \
		"wrk -t2 -c$connections -d${seconds}s"
	awk -v r="$reqs" -v a=$((lms1 - lms0)) -v b=$((pg1 - pg0)) -v hz="$hz" 'BEGIN {
		printf "CPU per request: lms %.3f ms, PostgreSQL %.3f ms\n",
			a * 1000 / hz / r, b * 1000 / hz / r }'
	perf report -i "$work/$name.perf" --no-children --sort comm,dso,sym --stdio -q \
		2>/dev/null | awk "$summarise"
}

echo "profile: $courses bench courses, $learners learners; perf record -F 1999 of lms" \
	"and its PostgreSQL backends; percentages of all samples of both"
profile catalogue "https://localhost:$lms_port/api/v1/courses"
profile enrolment -s tests/bench/enroll.lua "https://localhost:$lms_port" -- \
	"$work/wrk-sessions.txt" "$work/wrk-sections.txt"
