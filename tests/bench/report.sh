#!/usr/bin/env bash
# report.sh - the enrolment report (GET /api/v1/reports/enrollments?format=csv)
# of ROWS enrolments over HTTPS, timed against psql \copy of the very SELECT
# the server ran, on the same database in the same run; prints both times,
# their ratio (target <= 1.0) and the server's peak memory growth during the
# pulls (target < 32 MiB).
#
#   bash tests/bench/report.sh [ROWS]     (default 1000000)
#
# ROWS enrolments of ROWS/20 learners, 20 each, in the 200 sections of the
# bench catalogue, are made set-based. The statement is taken from the
# database's own log of the server's pull (logging is on for that pull
# only), so both sides run the same SQL; their CSV is compared byte for byte
# (the server's without its byte order mark and with LF line ends, as psql
# writes them) before anything is timed. Then each side runs REPORT_RUNS
# times (default 5), alternating, and the median of each counts. Builds RelWithDebInfo
# into build-bench/ and keeps its data under /tmp.
set -euo pipefail
cd "$(dirname "$0")/../.."

rows=${1:-1000000}
sections=200
per_learner=20
learners=$(( (rows + per_learner - 1) / per_learner ))
work=/tmp/lms-bench-report
lms_port=9646

. tests/bench/lib.sh
bench_build
trap 'bench_stop; [ -n "${sampler:-}" ] && kill "$sampler" 2>/dev/null; true' EXIT
bench_serve "$work" "$lms_port" "$sections"
su_conn="host=$work/var/pgsock dbname=lms user=postgres"
sql() { psql -qAtX -v ON_ERROR_STOP=1 "$su_conn" "$@"; }

# The enrolments, set-based. The seat trigger would update a section row
# once per enrolment inside one transaction (quadratic): triggers are off
# for this session, the waitlist places and seat counts are set here.
started=$(date +%s)
sql <<EOF
UPDATE sections SET capacity = 10000 WHERE course_id IN
	(SELECT id FROM courses WHERE code LIKE 'BENCH-%');
CREATE TEMP TABLE bench_sections AS
	SELECT row_number() OVER (ORDER BY s.id) - 1 AS n, s.id FROM sections s
	JOIN courses c ON c.id = s.course_id WHERE c.code LIKE 'BENCH-%';
INSERT INTO users (email, password_hash, display_name, ladder_stage,
	affiliation_institution_id)
SELECT 'report-learner-' || g || '@example.com', '!', '보고서 학습자 ' || g,
	(ARRAY['worker', 'undergraduate', 'job_seeker', 'general'])[g % 4 + 1],
	CASE WHEN g % 3 = 0 THEN (SELECT min(id) FROM institutions) END
FROM generate_series(1, $learners) g;
SET session_replication_role = replica;
INSERT INTO enrollments (user_id, section_id, status, waitlist_seq, created_at, updated_at)
SELECT u.id, s.id, st.status,
	CASE WHEN st.status = 'waitlisted' THEN nextval('waitlist_seq') END,
	now() - (x.k * interval '1 day'), now() - (x.k * interval '1 hour')
FROM (SELECT id, row_number() OVER (ORDER BY id) AS g FROM users
	WHERE email LIKE 'report-learner-%') u
CROSS JOIN generate_series(0, $per_learner - 1) AS x(k)
CROSS JOIN LATERAL (SELECT CASE WHEN (u.g + x.k) % 20 = 0 THEN 'waitlisted'
	WHEN (u.g + x.k) % 7 = 0 THEN 'completed' WHEN (u.g + x.k) % 11 = 0 THEN 'cancelled'
	ELSE 'enrolled' END AS status) st
JOIN bench_sections s ON s.n = (u.g + x.k * 10) % $sections
WHERE (u.g - 1) * $per_learner + x.k < $rows;
RESET session_replication_role;
UPDATE sections s SET enrolled_count = (SELECT count(*) FROM enrollments e
	WHERE e.section_id = s.id AND e.status = 'enrolled')
WHERE id IN (SELECT id FROM bench_sections);
VACUUM ANALYZE users, sections, enrollments;
EOF
total=$(sql -c "SELECT count(*) FROM enrollments")
echo "enrolment report benchmark: $total enrolments ($learners learners, $sections sections)," \
	"made in $(( $(date +%s) - started )) s"

# The platform admin's session: the whole partnership's report.
curl -sf --cacert "$cert" -c "$work/cookies" -H 'Content-Type: application/json' \
	-d '{"email": "admin@example.com", "password": "demo-pass-2026"}' \
	"https://localhost:$lms_port/api/v1/auth/login" >/dev/null
url="https://localhost:$lms_port/api/v1/reports/enrollments?format=csv"
pull() { curl -sS --fail --cacert "$cert" -b "$work/cookies" "$url" "$@"; }

# Resident memory, sampled every 20 ms from before the first pull on.
rss() {
	local k v _
	while read -r k v _; do
		if [ "$k" = VmRSS: ]; then echo "$v"; fi
	done <"/proc/$lms_pid/status"
}
base_rss=$(rss)
( while kill -0 "$lms_pid" 2>/dev/null; do rss; sleep 0.02; done ) >"$work/rss.log" &
sampler=$!

# The server's pull with statement logging on: its SQL, as it ran it.
sql -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
pull | tail -c +4 | tr -d '\r' | md5sum >"$work/lms.md5"
sql -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
statement=$(grep -h 'execute <unnamed>: SELECT e.id AS enrollment_id' "$work"/var/*.log |
	tail -1 | sed 's/.*execute <unnamed>: //')
[ -n "$statement" ] || { echo "the server's statement is not in the log" >&2; exit 1; }
# Unfiltered, its parameters are all NULL.
statement=$(sed -E 's/\$[0-9]+/NULL/g' <<<"$statement")
copy() { psql -qAtX -v ON_ERROR_STOP=1 "$conn" -c "\\copy ($statement) to $1 with csv $2"; }
copy stdout header | md5sum >"$work/psql.md5"
if ! cmp -s "$work/lms.md5" "$work/psql.md5"; then
	echo "the server's CSV differs from psql's" >&2
	exit 1
fi

seconds() { # command... -> wall seconds
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
# The runs alternate, so a change in the machine's load falls on both sides;
# the median of each side is the figure, the best is shown beside it.
runs=${REPORT_RUNS:-5}
times_lms=(); times_psql=()
printf '%-8s %10s %10s\n' run lms psql
for run in $(seq 1 "$runs"); do
	t_lms=$(seconds pull -o /dev/null)
	t_psql=$(seconds copy /dev/null "")
	printf '%-8s %9ss %9ss\n' "$run" "$t_lms" "$t_psql"
	times_lms+=("$t_lms"); times_psql+=("$t_psql")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
best() { printf '%s\n' "$@" | sort -n | head -1; }
kill "$sampler" 2>/dev/null
wait "$sampler" 2>/dev/null || true
sampler=
peak_rss=$(sort -n "$work/rss.log" | tail -1)
bytes=$(pull | wc -c)

awk -v l="$(median "${times_lms[@]}")" -v p="$(median "${times_psql[@]}")" \
	-v bl="$(best "${times_lms[@]}")" -v bp="$(best "${times_psql[@]}")" \
	-v b="$bytes" -v n="$total" -v r="$runs" 'BEGIN {
	printf "%d rows, %.1f MB of CSV, median of %d runs: lms %.2f s (%.0f rows/s), psql \\copy %.2f s\n",
		n, b / 1e6, r, l, n / l, p
	printf "lms / psql: %.2f (target <= 1.0); best runs %.2f / %.2f s: %.2f\n", l / p, bl, bp, bl / bp }'
awk -v a="$base_rss" -v p="$peak_rss" 'BEGIN {
	printf "server RSS: %.1f MiB before the first pull, peak %.1f MiB: growth %.1f MiB" \
		" (target < 32 MiB)\n", a / 1024, p / 1024, (p - a) / 1024 }'
