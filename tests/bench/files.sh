#!/bin/bash
# files.sh - downloads of a 1 MiB lesson attachment over HTTPS keep-alive:
# the request rate, and the CPU that lms and PostgreSQL spend per download.
#
#   bash tests/bench/files.sh [SECONDS]   # default 15
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh

seconds=${1:-15}
work=/tmp/lms-bench-files
port=9649

bench_require wrk
bench_build
trap bench_stop EXIT
bench_serve "$work" "$port" 1
url="https://localhost:$port"
c=(curl -sf --cacert "$cert")

# An institution admin of GIST attaches 1 MiB of random bytes to a lesson.
"${c[@]}" -c "$work/jar" -H 'Content-Type: application/json' \
	-d '{"email":"gist-admin@example.com","password":"demo-pass-2026"}' \
	"$url/api/v1/auth/login" >"$work/login.json"
csrf=$(grep -o '"csrf_token":"[^"]*"' "$work/login.json" | cut -d'"' -f4)
session=$(awk '$6 == "__Host-lms_session" {print $7}' "$work/jar")
lesson=$(psql "$conn" -Atc "SELECT l.id FROM lessons l JOIN course_modules m ON m.id = l.module_id
	JOIN courses c ON c.id = m.course_id JOIN institutions i ON i.id = c.institution_id
	WHERE i.code = 'gist' ORDER BY l.id LIMIT 1")
head -c 1048576 /dev/urandom >"$work/one.bin"
"${c[@]}" -b "$work/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/pdf' \
	--data-binary @"$work/one.bin" "$url/api/v1/lessons/$lesson/attachments?filename=one.pdf" \
	>"$work/up.json"
id=$(grep -o '"id":[0-9]*' "$work/up.json" | head -1 | cut -d: -f2)
"${c[@]}" -b "$work/jar" -o "$work/back.bin" "$url/api/v1/attachments/$id"
cmp "$work/one.bin" "$work/back.bin"

# CPU ticks of pid $1 and its reaped children; with $2, its live ones too.
ticks() {
	local t c
	t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat")
	if [ -n "${2:-}" ]; then
		for c in $(pgrep -P "$1"); do
			t=$((t + $(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0)))
		done
	fi
	echo "$t"
}
postmaster=$(head -1 "$work/var/pgdata/postmaster.pid")
l0=$(ticks "$lms_pid")
p0=$(ticks "$postmaster" children)
wrk -t2 -c4 -d"${seconds}s" -H "Cookie: __Host-lms_session=$session" \
	"$url/api/v1/attachments/$id" >"$work/wrk.txt"
l1=$(ticks "$lms_pid")
p1=$(ticks "$postmaster" children)
n=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
hz=$(getconf CLK_TCK)
echo "1 MiB attachment, wrk -t2 -c4 -d${seconds}s: $(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt") downloads/s"
awk -v l=$((l1 - l0)) -v p=$((p1 - p0)) -v hz="$hz" -v n="$n" 'BEGIN {
	printf "CPU per download: lms %.2f ms, PostgreSQL %.2f ms (%d downloads)\n",
		l * 1000 / hz / n, p * 1000 / hz / n, n }'
echo "load average while it ran: $(cut -d' ' -f1-3 /proc/loadavg)"
