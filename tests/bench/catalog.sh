#!/usr/bin/env bash
# catalog.sh - the catalogue page over HTTPS keep-alive, side by side with
# nginx serving the very same response bytes as static files over TLS on the
# same machine; prints request rates and their ratio (target >= 0.9), the
# CPU each server spent per request, a check that answers are fresh after a
# write, and the server's idle resident memory (target < 16 MiB).
#
#   bash tests/bench/catalog.sh [COURSES] [SECONDS]     (defaults 2000, 10)
#
# Runs as root or with sudo; installs nginx and wrk when missing. Builds
# RelWithDebInfo into build-bench/ and keeps its data under /tmp.
set -euo pipefail
cd "$(dirname "$0")/../.."

courses=${1:-2000}
seconds=${2:-10}
connections=16
threads=2
work=/tmp/lms-bench
lms_port=9643
nginx_port=9644

. tests/bench/lib.sh
bench_require nginx wrk
bench_build

cleanup() {
	bench_stop
	[ -f "$work/nginx.pid" ] && nginx -c "$work/nginx.conf" -s stop 2>/dev/null
	true
}
trap cleanup EXIT

bench_serve "$work" "$lms_port" "$courses"
mkdir -p "$work/www"
key="$work/var/tls/dev-key.pem"
idle_rss=$(awk '/VmRSS/ {print $2}' "/proc/$lms_pid/status")
# Of which: anonymous pages (the threads' stacks, the heap, CivetWeb's
# connection table) and pages of files (the libraries, the executable).
idle_anon=$(awk '/RssAnon/ {print $2}' "/proc/$lms_pid/status")
idle_file=$(awk '/RssFile/ {print $2}' "/proc/$lms_pid/status")
idle_threads=$(awk '/Threads/ {print $2}' "/proc/$lms_pid/status")

first="/api/v1/courses"
filtered="/api/v1/courses?program=ai_academy&delivery=offline&open=true&limit=20"
curl -sf --cacert "$cert" "https://localhost:$lms_port$first" -o "$work/www/first.json"
curl -sf --cacert "$cert" "https://localhost:$lms_port$filtered" -o "$work/www/filtered.json"
items=$(grep -o '"id":' "$work/www/first.json" | wc -l)

cat >"$work/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	default_type application/json;
	server {
		listen 127.0.0.1:$nginx_port ssl;
		ssl_certificate $cert;
		ssl_certificate_key $key;
		ssl_protocols TLSv1.2 TLSv1.3;
		keepalive_requests 1000000;
		root $work/www;
	}
}
EOF
nginx -c "$work/nginx.conf"

nginx_pids=$(echo "$(cat "$work/nginx.pid")" $(pgrep -P "$(cat "$work/nginx.pid")"))
# rate URL PIDS: sets req (requests per second) and cpu (microseconds of
# CPU the processes PIDS spent per request). On a machine that also runs
# other work the rate swings with the load; the CPU per request holds better.
rate() {
	local out t0 t1
	t0=$(bench_ticks "$2")
	out=$(wrk -t$threads -c$connections -d"${seconds}s" "$1")
	t1=$(bench_ticks "$2")
	req=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
	cpu=$(awk -v t=$((t1 - t0)) -v n="$(awk '/requests in/ {print $1}' <<<"$out")" \
		-v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", t * 1e6 / hz / n }')
}
echo "catalogue benchmark: $courses courses, $items items on the first page," \
	"wrk -t$threads -c$connections -d${seconds}s, keep-alive HTTPS; load average" \
	"$(cut -d' ' -f1 /proc/loadavg) at the start"
printf '%-10s %10s %10s %7s %14s %14s %7s\n' page 'lms req/s' 'nginx' ratio \
	'lms CPU/req' 'nginx CPU/req' ratio
row() { # page, lms URL, nginx URL
	local lr lc
	rate "$2" "$lms_pid"
	lr=$req lc=$cpu
	rate "$3" "$nginx_pids"
	awk -v n="$1" -v a="$lr" -v b="$req" -v c="$lc" -v d="$cpu" 'BEGIN {
		printf "%-10s %10.0f %10.0f %7.2f %11.0f us %11.0f us %7.2f\n", n, a, b, a / b,
			c, d, d / c }'
}
row first "https://localhost:$lms_port$first" "https://localhost:$nginx_port/first.json"
row filtered "https://localhost:$lms_port$filtered" "https://localhost:$nginx_port/filtered.json"

# Fresh after a write: change the first course's English title in the
# database (as another instance would) and wait, bounded, for the page.
first_id=$(grep -o '"id":[0-9]*' "$work/www/first.json" | head -1 | cut -d: -f2)
psql -q "$conn" -c "UPDATE courses SET title_en = title_en || ' (bench write)' WHERE id = $first_id"
fresh=no
for _ in $(seq 1 100); do
	if curl -sf --cacert "$cert" "https://localhost:$lms_port$first" | grep -q '(bench write)'; then
		fresh=yes
		break
	fi
	sleep 0.05
done
echo "fresh after a write: $fresh"
awk -v k="$idle_rss" -v a="$idle_anon" -v f="$idle_file" -v t="$idle_threads" 'BEGIN {
	printf "idle resident memory: %.1f MiB (after start-up, before load; target < 16)\n", k / 1024
	printf "  anonymous %.1f MiB with %d threads, library and executable pages %.1f MiB\n",
		a / 1024, t, f / 1024 }'
awk '/VmRSS/ { printf "resident memory after the run: %.1f MiB\n", $2 / 1024 }' "/proc/$lms_pid/status"
[ "$fresh" = yes ]
