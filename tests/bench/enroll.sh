#!/usr/bin/env bash
# enroll.sh - enrolment (POST /api/v1/sections/{id}/enrollments) over HTTPS
# keep-alive, side by side with pgbench running the same SQL against the same
# database (with the statements parsed on every run, and prepared), each with
# 16 and with 32 requests in flight; prints the rates, the CPU per request of
# each side and of PostgreSQL, the ratios of the best of each (target >= 0.9)
# and what the requests did.
#
#   bash tests/bench/enroll.sh [COURSES] [LEARNERS] [SECONDS]   (defaults 2000, 20000, 10)
#
# Each request picks a random learner (a session made in SQL) and a random
# open bench section the learner may join, so repeats (409 already_enrolled)
# stay rare. Every run starts from the same state: the enrolments of the run
# before are removed. Runs as root or with sudo; installs wrk when missing.
# Builds RelWithDebInfo into build-bench/ and keeps its data under /tmp.
set -euo pipefail
cd "$(dirname "$0")/../.."

courses=${1:-2000}
learners=${2:-20000}
seconds=${3:-10}
threads=2
work=/tmp/lms-bench-enroll
lms_port=9645
pgbench=$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)

. tests/bench/lib.sh
bench_require wrk
bench_build
trap bench_stop EXIT
# As many database connections as the smaller pgbench run has clients.
export LMS_DB_POOL_SIZE=16
bench_serve "$work" "$lms_port" "$courses"
sql() { psql -qAtX -v ON_ERROR_STOP=1 "$conn" "$@"; }

bench_learners "$learners"
sections=$(wc -l <"$work/wrk-sections.txt")

# What the bench learners' enrolments came to.
outcome() {
	sql <<'EOF'
SELECT format('enrolled %s, waitlisted %s, seats taken %s of %s',
	count(*) FILTER (WHERE e.status = 'enrolled'),
	count(*) FILTER (WHERE e.status = 'waitlisted'),
	(SELECT sum(enrolled_count) FROM sections WHERE id IN (SELECT section_id FROM bench_sections)),
	(SELECT sum(capacity) FROM sections WHERE id IN (SELECT section_id FROM bench_sections)))
FROM enrollments e WHERE e.user_id IN (SELECT user_id FROM bench_sessions);
EOF
}
# Removes them, so that the next run starts where this one did.
forget() {
	sql <<'EOF'
DELETE FROM enrollment_events WHERE enrollment_id IN
	(SELECT id FROM enrollments WHERE user_id IN (SELECT user_id FROM bench_sessions));
DELETE FROM enrollments WHERE user_id IN (SELECT user_id FROM bench_sessions);
UPDATE sections s SET enrolled_count = (SELECT count(*) FROM enrollments e
	WHERE e.section_id = s.id AND e.status = 'enrolled')
	WHERE id IN (SELECT section_id FROM bench_sections);
VACUUM ANALYZE enrollments, enrollment_events, sections, auth_sessions;
EOF
}

postmaster=$(head -1 "$work/var/pgdata/postmaster.pid")
# The CPU time PostgreSQL spent so far: the postmaster, its live children
# and the children it reaped (a pgbench run's backends end with it).
pg_ticks() {
	echo $(($(bench_ticks "$postmaster $(pgrep -P "$postmaster")") +
		$(awk '{sub(/^.*\) /, ""); print $14 + $15}' "/proc/$postmaster/stat")))
}
hz=$(getconf CLK_TCK)
# cpu_per CLIENT_TICKS PG_TICKS N: "client + PostgreSQL" in ms per request.
cpu_per() {
	awk -v a="$1" -v b="$2" -v n="$3" -v hz="$hz" \
		'BEGIN { printf "%.2f + %.2f ms", a * 1000 / hz / n, b * 1000 / hz / n }'
}

echo "enrolment benchmark: $learners learners, $sections open sections of $courses bench" \
	"courses; wrk -t$threads -d${seconds}s over keep-alive HTTPS (db_pool_size 16) and" \
	"pgbench -j$threads -T$seconds, each with 16 and with 32 in flight; load average" \
	"$(cut -d' ' -f1 /proc/loadavg) at the start"
echo "CPU per request: the client's (lms, or pgbench itself) + PostgreSQL's"
printf '%-22s %10s  %-22s %s\n' run 'per second' 'CPU per request' 'what the requests did'

https() { # clients
	local c0 p0 c1 p1 n
	c0=$(bench_ticks "$lms_pid") p0=$(pg_ticks)
	wrk -t$threads -c"$1" -d"${seconds}s" -s tests/bench/enroll.lua \
		"https://localhost:$lms_port" -- "$work/wrk-sessions.txt" "$work/wrk-sections.txt" \
		>"$work/wrk.out"
	c1=$(bench_ticks "$lms_pid") p1=$(pg_ticks)
	n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
	https_rate=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
	https_answers=$(grep '^answers:' "$work/wrk.out")
	printf '%-22s %10.0f  %-22s %s; %s\n' "HTTPS -c$1" "$https_rate" \
		"$(cpu_per $((c1 - c0)) $((p1 - p0)) "$n")" "$https_answers" "$(outcome)"
	grep -q 'other 0$' <<<"$https_answers" || others=1
	best_https=$(awk -v a="$https_rate" -v b="$best_https" 'BEGIN { print (a > b ? a : b) }')
}

# PostgreSQL may do better with fewer clients on two cores: each ratio is
# taken against the better pgbench rate of its protocol. lms prepares its
# statements once per connection (db_prepared_statements): pgbench
# -M prepared runs the statements as lms does, -M extended as lms did
# before (parsed and planned on every run).
declare -A best=([extended]=0 [prepared]=0)
failed=0
pgbench_run() { # mode, clients
	local rate done_n failed_n p0 p1 t0 t1
	p0=$(pg_ticks) t0=$(awk '{print $16 + $17}' /proc/$$/stat)
	"$pgbench" -n -M "$1" -c"$2" -j$threads -T"$seconds" -f tests/bench/enroll.pgbench \
		-D learners="$learners" -D sections="$sections" "$conn" >"$work/pgbench.out" 2>&1 ||
		{ cat "$work/pgbench.out"; exit 1; }
	# pgbench's own CPU: this shell's reaped children.
	p1=$(pg_ticks) t1=$(awk '{print $16 + $17}' /proc/$$/stat)
	rate=$(awk '/^tps = / {print $3}' "$work/pgbench.out")
	done_n=$(awk -F': ' '/^number of transactions actually processed/ {print $2}' \
		"$work/pgbench.out")
	failed_n=$(awk -F': ' '/^number of failed transactions/ {print $2+0}' "$work/pgbench.out")
	failed=$((failed + ${failed_n:-0}))
	printf '%-22s %10.0f  %-22s transactions %s, failed %s; %s\n' "pgbench -M $1 -c$2" \
		"$rate" "$(cpu_per $((t1 - t0)) $((p1 - p0)) "$done_n")" "$done_n" "${failed_n:-0}" \
		"$(outcome)"
	best[$1]=$(awk -v a="$rate" -v b="${best[$1]}" 'BEGIN { print (a > b ? a : b) }')
}

# Each side at 16 and at 32 requests in flight, alternating, so that
# neither always runs on the freshest database; each at its best counts.
best_https=0
others=0
for clients in 16 32; do
	pgbench_run extended $clients
	forget
	https $clients
	forget
	pgbench_run prepared $clients
	forget
done
awk -v a="$best_https" -v b="${best[extended]}" -v c="${best[prepared]}" 'BEGIN {
	printf "best HTTPS / best pgbench -M extended: %.2f (target >= 0.9)\n", a / b
	printf "best HTTPS / best pgbench -M prepared: %.2f\n", a / c }'
# Every HTTPS answer was an enrolment or a repeat, and no transaction failed.
[ "$others" -eq 0 ] && [ "$failed" -eq 0 ]
