#!/usr/bin/env bash
# curves.sh - how cost grows with the size of the work: the catalogue search
# at several catalogue sizes, enrolment into cold and hot sections, the
# enrolment report at several table sizes, and many idle keep-alive
# connections; each figure beside its reference where one exists (pgbench
# or psql running the very SQL the server ran, nginx serving the same
# bytes) and the load average of the machine when it was taken.
#
#   bash tests/bench/curves.sh [quick|full] [PART...]
#
# PART: catalog, enroll, report, conns (default: all four). quick is a smoke
# run of a few minutes; full takes the documented figures (an hour or more
# on two cores: seeding a million courses and ten million enrolments is
# most of it). The sizes can be chosen in the environment:
#
#   CURVES_COURSES      catalogue sizes         quick "1000 10000", full "1000 10000 100000 1000000"
#   CURVES_ENROLL_AT    catalogue sizes at which enrolment is measured too
#                                               quick "1000", full "1000 100000"
#   CURVES_ROWS         report sizes            quick "100000", full "1000000 10000000"
#   CURVES_CONNS        connection counts       quick "100 1000", full "100 1000 5000"
#   CURVES_SECONDS      per measurement         quick 3, full 10
#   CURVES_KEEP=1       keep each catalogue's data under /tmp/lms-curves-N and use it
#                       again on the next run (seeding a million courses takes minutes)
#   CURVES_DATA         the prefix of those directories (default /tmp/lms-curves): to
#                       measure copies of kept ones (cp -a) that a new migration may change
#   LMS_BIN             the lms to measure (default build-bench/lms, built here)
#   CURVES_PORT, CURVES_OUT  the server's port (nginx: the next one) and the
#                       directory of the run's files (default 9663, /tmp/lms-curves-out),
#                       for two parts to run at once
#
# Runs as root or with sudo (installs nginx and wrk when missing), like the
# other benchmarks. The server's own response cache answers a repeated
# catalogue URL from memory: "cached" is that, "query" adds a parameter the
# server ignores but the cache keys on, so that every request runs the SQL.
set -euo pipefail
cd "$(dirname "$0")/../.."

mode=${1:-quick}
shift || true
parts=${*:-catalog enroll report conns}
case $mode in
quick)
	courses_sizes=${CURVES_COURSES:-1000 10000}
	enroll_at=${CURVES_ENROLL_AT:-1000}
	rows_sizes=${CURVES_ROWS:-100000}
	conns_sizes=${CURVES_CONNS:-100 1000}
	seconds=${CURVES_SECONDS:-3}
	;;
full)
	courses_sizes=${CURVES_COURSES:-1000 10000 100000 1000000}
	enroll_at=${CURVES_ENROLL_AT:-1000 100000}
	rows_sizes=${CURVES_ROWS:-1000000 10000000}
	conns_sizes=${CURVES_CONNS:-100 1000 5000}
	seconds=${CURVES_SECONDS:-10}
	;;
*)
	echo "usage: curves.sh [quick|full] [catalog|enroll|report|conns ...]" >&2
	exit 2
	;;
esac
lms_bin=${LMS_BIN:-build-bench/lms}
lms_port=${CURVES_PORT:-9663}
nginx_port=$((lms_port + 1))
connections=16
threads=2
pgbench=$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)
out=${CURVES_OUT:-/tmp/lms-curves-out}
rm -rf "$out"
mkdir -p "$out"
chmod 755 "$out"

. tests/bench/lib.sh
bench_require nginx wrk python3
[ -n "${LMS_BIN:-}" ] || bench_build
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

cleanup() {
	bench_stop
	[ -f "$out/nginx.pid" ] && nginx -c "$out/nginx.conf" -s stop 2>/dev/null
	[ -n "${sampler:-}" ] && kill "$sampler" 2>/dev/null
	true
}
trap cleanup EXIT

load() { cut -d' ' -f1 /proc/loadavg; }
sql() { psql -qAtX -v ON_ERROR_STOP=1 "$su_conn" "$@"; }

# curves_serve WORK COURSES: as bench_serve (tests/bench/lib.sh), with
# LMS_BIN, and with CURVES_KEEP the data of an earlier run of the same size
# kept. The tables are vacuumed and analysed, as autovacuum would have them
# by the time a catalogue of that size is read. Sets seed_s (seconds the
# seeding took, 0 when kept).
curves_serve() {
	local work=$1 courses=$2 t0
	if [ "${CURVES_KEEP:-}" != 1 ] || [ "$(cat "$work/courses" 2>/dev/null)" != "$courses" ]; then
		rm -rf "$work"
		mkdir -p "$work"
		chmod 755 "$work"
	fi
	export LMS_DATA_DIR="$work/var" LMS_STATIC_DIR="$PWD/static"
	export LMS_MIGRATIONS_DIR="$PWD/migrations" LMS_SEED_DIR="$PWD/app/seed/data"
	export LMS_HTTPS_PORT=$lms_port LMS_ACCESS_LOG=no LMS_LOG_LEVEL=warn
	export LMS_SHUTDOWN_GRACE_MS=0
	seed_s=0
	if [ ! -f "$work/courses" ]; then
		t0=$(date +%s)
		"$lms_bin" migrate >/dev/null
		"$lms_bin" seed --demo >/dev/null
		"$lms_bin" seed --bench "$courses" >/dev/null
		seed_s=$(($(date +%s) - t0))
		echo "$courses" >"$work/courses"
	else
		"$lms_bin" migrate >/dev/null
	fi
	"$lms_bin" serve 2>"$work/lms.log" &
	lms_pid=$!
	cert="$work/var/tls/dev-cert.pem"
	conn="host=$work/var/pgsock dbname=lms user=lms_owner"
	su_conn="host=$work/var/pgsock dbname=lms user=postgres"
	for _ in $(seq 1 600); do
		curl -sf --cacert "$cert" "https://localhost:$lms_port/healthz" >/dev/null 2>&1 && break
		kill -0 "$lms_pid" 2>/dev/null || { cat "$work/lms.log"; return 1; }
		sleep 0.1
	done
	sql -c "VACUUM ANALYZE" >/dev/null
}

curves_stop() {
	bench_stop
	lms_pid=
}

# Waits (30 s at most) until the database runs nothing but this, so that
# no request of the measurement before is still being answered.
settle() {
	for _ in $(seq 1 300); do
		[ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'
			AND backend_type = 'client backend' AND pid <> pg_backend_pid()")" = 0 ] && return
		sleep 0.1
	done
}

# wrk_run URL [fresh]: "p50_ms p99_ms rate non_2xx" of GETs on URL.
wrk_run() {
	settle
	wrk -t$threads -c$connections -d"${seconds}s" -s tests/bench/curves.lua "$1" -- ${2:-} |
		awk '/^curve:/ {print $2, $3, $4, $5}'
}

# pgbench_run FILE CLIENTS [-D ...]: "p50_ms p99_ms tps failed" of the
# script FILE, the percentiles from pgbench's log of every transaction.
pgbench_run() {
	local file=$1 clients=$2
	shift 2
	settle
	rm -f "$out"/pgb.*
	"$pgbench" -n -M extended -c"$clients" -j$threads -T"$seconds" -f "$file" "$@" \
		--log --log-prefix="$out/pgb" "$conn" >"$out/pgbench.out" 2>&1 ||
		{ cat "$out/pgbench.out" >&2; echo "- - 0 -"; return 0; }
	local tps failed
	tps=$(awk '/^tps = / {print $3}' "$out/pgbench.out")
	failed=$(awk -F': ' '/^number of failed transactions/ {print $2+0}' "$out/pgbench.out")
	cat "$out"/pgb.* | awk '{print $3}' | sort -n | awk -v tps="$tps" -v f="${failed:-0}" '
		{ v[NR] = $1 }
		END { if (!NR) { print "- - " tps " " f; exit }
			printf "%.2f %.2f %.1f %d\n", v[int(NR * 0.5) + (NR * 0.5 > int(NR * 0.5))] / 1000,
				v[int(NR * 0.99) + (NR * 0.99 > int(NR * 0.99))] / 1000, tps, f }'
}

# The server's statements as it ran them (PREFIX: a regular expression
# their text begins with): logged for one request each of
# the URLs given, written with their parameters by curves_sql.py into
# $out/stmt1.sql ...
statements_log() { # PREFIX URL...
	local prefix=$1 u
	shift
	sql -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" \
		>/dev/null
	# Past the response cache: a parameter the server does not read.
	for u in "$@"; do
		case $u in *'?'*) u="$u&_=log" ;; *) u="$u?_=log" ;; esac
		curl -sf --cacert "$cert" "https://localhost:$lms_port$u" -o /dev/null
	done
	sql -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" \
		>/dev/null
	python3 tests/bench/curves_sql.py "$(ls -t "$work"/var/*.log | head -1)" "$prefix" $# \
		"$out/stmt"
}

nginx_start() { # the directory to serve
	cat >"$out/nginx.conf" <<EOF
worker_processes auto;
pid $out/nginx.pid;
error_log $out/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	default_type application/json;
	server {
		listen 127.0.0.1:$nginx_port ssl;
		ssl_certificate $cert;
		ssl_certificate_key $work/var/tls/dev-key.pem;
		ssl_protocols TLSv1.2 TLSv1.3;
		keepalive_requests 1000000;
		root $1;
	}
}
EOF
	nginx -c "$out/nginx.conf"
}

nginx_stop() {
	[ -f "$out/nginx.pid" ] && nginx -c "$out/nginx.conf" -s stop 2>/dev/null
	sleep 0.3
	rm -f "$out/nginx.pid"
}

row_head() {
	printf '%-10s %-9s %-22s %9s %9s %9s %6s  %s\n' "$@"
}
row() { # size what side "p50 p99 rate bad" note
	local p50 p99 rate bad
	read -r p50 p99 rate bad <<<"$4"
	printf '%-10s %-9s %-22s %9s %9s %9s %6s  load %s%s\n' "$1" "$2" "$3" "$p50" "$p99" \
		"$rate" "$bad" "$(load)" "${5:+; $5}"
}

# --- catalogue -------------------------------------------------------------

# name and URL of each catalogue query: the first page, a search with a
# two-character Korean word (bigram index), a four-character one and an
# English word (trigram index), each matching an eighth of the bench
# catalogue; a course code fragment matching one course; the filters; and
# the second page (keyset).
catalog_queries=(
	"first|/api/v1/courses"
	"ko2|/api/v1/courses?q=%EC%BD%94%EB%94%A9"
	"ko4|/api/v1/courses?q=%EC%9D%B8%EA%B3%B5%EC%A7%80%EB%8A%A5"
	"en|/api/v1/courses?q=robotics"
	"code|/api/v1/courses?q=000500"
	"filtered|/api/v1/courses?program=ai_academy&delivery=offline&open=true"
	"ko2+filt|/api/v1/courses?q=%EC%BD%94%EB%94%A9&delivery=online"
)

catalog_curve() { # COURSES
	local n=$1 urls=() names=() q i cursor
	work=${CURVES_DATA:-/tmp/lms-curves}-$n
	curves_serve "$work" "$n"
	for q in "${catalog_queries[@]}"; do
		names+=("${q%%|*}")
		urls+=("${q#*|}")
	done
	cursor=$(curl -sf --cacert "$cert" "https://localhost:$lms_port/api/v1/courses" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["next_cursor"])')
	names+=("page2")
	urls+=("/api/v1/courses?cursor=$cursor")
	echo "catalogue of $n bench courses (+ demo), seeded in ${seed_s} s" \
		"($(sql -c "SELECT count(*) FROM courses") courses," \
		"$(sql -c "SELECT pg_size_pretty(pg_total_relation_size('courses'))") with its indexes)"
	# A search's statement begins with its CTE, a list's with the object.
	statements_log "SELECT json_build_object\\('items'|WITH m AS MATERIALIZED" "${urls[@]}"
	mkdir -p "$out/www"
	for i in "${!urls[@]}"; do
		curl -sf --cacert "$cert" "https://localhost:$lms_port${urls[$i]}" \
			-o "$out/www/${names[$i]}.json"
	done
	nginx_start "$out/www"
	row_head size query side p50_ms p99_ms per_s non2xx
	for i in "${!urls[@]}"; do
		# The plan, for the documentation.
		sql -c "EXPLAIN (ANALYZE, BUFFERS) $(cat "$out/stmt$((i + 1)).sql")" \
			>"$out/explain-$n-${names[$i]}.txt" 2>&1 || true
		row "$n" "${names[$i]}" "lms cached" "$(wrk_run "https://localhost:$lms_port${urls[$i]}")"
		row "$n" "${names[$i]}" "nginx same bytes" \
			"$(wrk_run "https://localhost:$nginx_port/${names[$i]}.json")" \
			"$(grep -o '"id":' "$out/www/${names[$i]}.json" | wc -l) items"
		row "$n" "${names[$i]}" "lms query" "$(wrk_run "https://localhost:$lms_port${urls[$i]}" fresh)"
		row "$n" "${names[$i]}" "pgbench same SQL" \
			"$(pgbench_run "$out/stmt$((i + 1)).sql" $connections)"
	done
	nginx_stop
	case " $parts " in *" enroll "*)
		case " $enroll_at " in *" $n "*) enroll_curve "$n" ;; esac ;;
	esac
	curves_stop
}

# --- enrolment -------------------------------------------------------------

# On the running server: learners with sessions made in SQL, as enroll.sh
# makes them; enrolment of random learners into random open sections of
# the whole catalogue (cold: few meet) and into 20 sections (hot: 32
# clients fight over their row locks, the seats run out and the waitlists
# grow), by HTTPS and by pgbench running the same statements.
enroll_curve() { # COURSES
	local n=$1 learners=20000 sections
	python3 - "$learners" "$out" <<'EOF'
import base64, hashlib, hmac, secrets, sys
n, out = int(sys.argv[1]), sys.argv[2]
with open(f"{out}/wrk-sessions.txt", "w") as w, open(f"{out}/digests.tsv", "w") as d:
    for i in range(1, n + 1):
        token = secrets.token_urlsafe(32)
        mac = hmac.new(token.encode(), b"lms csrf", hashlib.sha256).digest()
        csrf = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
        w.write(f"{token} {csrf}\n")
        d.write(f"{i}\t{hashlib.sha256(token.encode()).hexdigest()}\n")
EOF
	psql -qAtX -v ON_ERROR_STOP=1 "$conn" <<EOF
DROP TABLE IF EXISTS bench_sessions, bench_sections;
DELETE FROM auth_sessions WHERE user_id IN
	(SELECT id FROM users WHERE email LIKE 'curves-learner-%');
CREATE TEMP TABLE digests (n integer, hash text);
\copy digests FROM '$out/digests.tsv'
CREATE TABLE bench_sessions (n integer PRIMARY KEY, token_hash bytea NOT NULL, user_id bigint);
INSERT INTO users (email, password_hash, display_name, ladder_stage, affiliation_institution_id,
		email_verified_at)
	SELECT 'curves-learner-' || n || '@example.com', '!', 'Curves learner ' || n, 'worker',
		(SELECT min(id) FROM institutions), now()
	FROM digests ON CONFLICT DO NOTHING;
-- Confirmed addresses: an unconfirmed one may not enrol.
UPDATE users SET email_verified_at = now()
	WHERE email LIKE 'curves-learner-%' AND email_verified_at IS NULL;
INSERT INTO bench_sessions SELECT d.n, decode(d.hash, 'hex'), u.id FROM digests d
	JOIN users u ON u.email = 'curves-learner-' || d.n || '@example.com';
INSERT INTO user_roles (user_id, role) SELECT user_id, 'learner' FROM bench_sessions
	ON CONFLICT DO NOTHING;
INSERT INTO auth_sessions (token_hash, user_id, expires_at)
	SELECT token_hash, user_id, now() + interval '1 day' FROM bench_sessions;
CREATE TABLE bench_sections AS
	SELECT row_number() OVER (ORDER BY s.id)::integer AS n, s.id AS section_id
	FROM sections s JOIN courses c ON c.id = s.course_id JOIN programs p ON p.id = c.program_id
	WHERE c.code LIKE 'BENCH-%' AND c.published AND s.status = 'open'
	AND now() BETWEEN s.enrollment_opens_at AND s.enrollment_closes_at
	AND 'worker' = ANY (p.allowed_stages) AND NOT p.approval_required;
ALTER TABLE bench_sections ADD PRIMARY KEY (n);
\copy (SELECT section_id FROM bench_sections ORDER BY n) TO '$out/sections-cold.txt'
\copy (SELECT section_id FROM bench_sections WHERE n <= 20 ORDER BY n) TO '$out/sections-hot.txt'
ANALYZE users, user_roles, auth_sessions, bench_sessions, bench_sections;
EOF
	sections=$(wc -l <"$out/sections-cold.txt")
	echo
	echo "enrolment, $n bench courses: $learners learners; cold: $sections open sections," \
		"hot: 20 of them; $connections or 32 in flight"
	printf '%-10s %-9s %-22s %9s %9s %9s %6s  %s\n' courses sections side p50_ms p99_ms per_s \
		other "what the requests did"
	local kind clients pick
	for kind in cold hot; do
		for clients in 16 32; do
			[ "$kind" = hot ] && [ "$clients" = 16 ] && continue
			pick=$sections
			[ "$kind" = hot ] && pick=20
			enroll_forget
			wrk -t$threads -c"$clients" -d"${seconds}s" --latency -s tests/bench/enroll.lua \
				"https://localhost:$lms_port" -- "$out/wrk-sessions.txt" \
				"$out/sections-$kind.txt" >"$out/wrk-enroll.out"
			row "$n" "$kind" "lms -c$clients" "$(wrk_latency "$out/wrk-enroll.out")" \
				"$(grep '^answers:' "$out/wrk-enroll.out" | sed 's/answers: //'); $(enroll_outcome)"
			enroll_forget
			row "$n" "$kind" "pgbench -c$clients" \
				"$(pgbench_run tests/bench/enroll.pgbench "$clients" -D learners=$learners \
					-D sections="$pick")" "$(enroll_outcome)"
		done
	done
	enroll_forget
	echo
}

# "p50_ms p99_ms rate other" from wrk --latency output and enroll.lua's line.
wrk_latency() {
	awk '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
		if (v ~ /s$/) return v * 1000; return v }
	/^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
	/^Requests\/sec/ { r = $2 } /^answers:/ { o = $NF }
	END { printf "%.2f %.2f %.1f %s\n", p50, p99, r, o }' "$1"
}

enroll_outcome() {
	psql -qAtX "$conn" <<'EOF'
SELECT format('enrolled %s, waitlisted %s, longest waitlist %s',
	count(*) FILTER (WHERE e.status = 'enrolled'),
	count(*) FILTER (WHERE e.status = 'waitlisted'),
	(SELECT coalesce(max(c), 0) FROM (SELECT count(*) AS c FROM enrollments w
		WHERE w.status = 'waitlisted' AND w.user_id IN (SELECT user_id FROM bench_sessions)
		GROUP BY w.section_id) x))
FROM enrollments e WHERE e.user_id IN (SELECT user_id FROM bench_sessions);
EOF
}

enroll_forget() {
	psql -qAtX -v ON_ERROR_STOP=1 "$conn" >/dev/null <<'EOF'
DELETE FROM enrollment_events WHERE enrollment_id IN
	(SELECT id FROM enrollments WHERE user_id IN (SELECT user_id FROM bench_sessions));
DELETE FROM enrollments WHERE user_id IN (SELECT user_id FROM bench_sessions);
UPDATE sections s SET enrolled_count = (SELECT count(*) FROM enrollments e
	WHERE e.section_id = s.id AND e.status = 'enrolled')
	WHERE id IN (SELECT section_id FROM bench_sections);
VACUUM ANALYZE enrollments, enrollment_events, sections, auth_sessions;
EOF
}

# --- report ----------------------------------------------------------------

# The enrolment report (CSV) of the whole partnership at each size, grown in
# one database: ROWS enrolments of ROWS/20 learners, 20 each, in the 2,000
# sections of a bench catalogue of 2,000 courses (at most 10,000 seats a
# section: ten million enrolments need that many), made set-based as
# report.sh makes them; each pull
# beside psql \copy of the statement the server ran, the better of two runs
# each, and the server's peak resident memory during its pulls.
report_curve() {
	local sections=2000 per_learner=20 have=0 rows learners t0
	work=/tmp/lms-curves-report
	CURVES_KEEP= curves_serve "$work" "$sections"
	sql -c "UPDATE sections SET capacity = 10000 WHERE course_id IN
		(SELECT id FROM courses WHERE code LIKE 'BENCH-%')" >/dev/null
	curl -sf --cacert "$cert" -c "$out/cookies" -H 'Content-Type: application/json' \
		-d '{"email": "admin@example.com", "password": "demo-pass-2026"}' \
		"https://localhost:$lms_port/api/v1/auth/login" >/dev/null
	echo
	echo "enrolment report (CSV, the platform admin's: every row)"
	printf '%-10s %9s %8s %8s %11s %11s %9s %9s  %s\n' rows made_s lms_s psql_s lms_rows/s \
		psql_rows/s lms/psql peak_MiB load
	for rows in $rows_sizes; do
		learners=$(((rows + per_learner - 1) / per_learner))
		t0=$(date +%s)
		sql <<EOF
CREATE TEMP TABLE bench_sections AS
	SELECT row_number() OVER (ORDER BY s.id) - 1 AS n, s.id FROM sections s
	JOIN courses c ON c.id = s.course_id WHERE c.code LIKE 'BENCH-%';
INSERT INTO users (email, password_hash, display_name, ladder_stage,
	affiliation_institution_id)
SELECT 'report-learner-' || g || '@example.com', '!', '보고서 학습자 ' || g,
	(ARRAY['worker', 'undergraduate', 'job_seeker', 'general'])[g % 4 + 1],
	CASE WHEN g % 3 = 0 THEN (SELECT min(id) FROM institutions) END
FROM generate_series($((have / per_learner + 1)), $learners) g;
SET session_replication_role = replica;
INSERT INTO enrollments (user_id, section_id, status, waitlist_seq, created_at, updated_at)
SELECT u.id, s.id, st.status,
	CASE WHEN st.status = 'waitlisted' THEN nextval('waitlist_seq') END,
	now() - (x.k * interval '1 day'), now() - (x.k * interval '1 hour')
FROM (SELECT id, substr(email, 16, length(email) - 27)::int AS g FROM users
	WHERE email LIKE 'report-learner-%') u
CROSS JOIN generate_series(0, $per_learner - 1) AS x(k)
CROSS JOIN LATERAL (SELECT CASE WHEN (u.g + x.k) % 20 = 0 THEN 'waitlisted'
	WHEN (u.g + x.k) % 7 = 0 THEN 'completed' WHEN (u.g + x.k) % 11 = 0 THEN 'cancelled'
	ELSE 'enrolled' END AS status) st
JOIN bench_sections s ON s.n = (u.g + x.k * 10) % $sections
WHERE (u.g - 1) * $per_learner + x.k >= $have AND (u.g - 1) * $per_learner + x.k < $rows;
RESET session_replication_role;
UPDATE sections s SET enrolled_count = (SELECT count(*) FROM enrollments e
	WHERE e.section_id = s.id AND e.status = 'enrolled')
WHERE id IN (SELECT id FROM bench_sections);
EOF
		sql -c "VACUUM ANALYZE users, sections, enrollments" >/dev/null
		have=$rows
		report_pull "$rows" $(($(date +%s) - t0))
	done
	curves_stop
}

report_pull() { # ROWS MADE_S
	local url="https://localhost:$lms_port/api/v1/reports/enrollments?format=csv" statement
	local base peak best_lms= best_psql= t total
	total=$(sql -c "SELECT count(*) FROM enrollments")
	# The statement, as the server ran it, from the database's log.
	sql -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" \
		>/dev/null
	curl -sS --fail --cacert "$cert" -b "$out/cookies" "$url" -o /dev/null
	sql -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" \
		>/dev/null
	statement=$(grep -h 'execute <unnamed>: SELECT e.id AS enrollment_id' "$work"/var/*.log |
		tail -1 | sed 's/.*execute <unnamed>: //; s/\$[0-9]*/NULL/g')
	base=$(awk '/^VmRSS/ {print $2}' "/proc/$lms_pid/status")
	(while kill -0 "$lms_pid" 2>/dev/null; do
		awk '/^VmRSS/ {print $2}' "/proc/$lms_pid/status"
		sleep 0.02
	done) >"$out/rss.log" &
	sampler=$!
	for _ in 1 2; do
		t=$(timed curl -sS --fail --cacert "$cert" -b "$out/cookies" "$url" -o /dev/null)
		best_lms=$(awk -v a="$t" -v b="${best_lms:-$t}" 'BEGIN { print (a < b ? a : b) }')
		t=$(timed psql -qAtX "$conn" -c "\\copy ($statement) to /dev/null with csv header")
		best_psql=$(awk -v a="$t" -v b="${best_psql:-$t}" 'BEGIN { print (a < b ? a : b) }')
	done
	kill "$sampler" 2>/dev/null
	wait "$sampler" 2>/dev/null || true
	sampler=
	peak=$(sort -n "$out/rss.log" | tail -1)
	awk -v n="$total" -v m="$2" -v l="$best_lms" -v p="$best_psql" -v b="$base" -v k="$peak" \
		-v load="$(load)" 'BEGIN { printf "%-10d %9d %8.2f %8.2f %11.0f %11.0f %9.2f %9.1f  %s\n",
		n, m, l, p, n / l, n / p, l / p, (k - b) / 1024, load }'
}

timed() { # command... -> wall seconds
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

# --- connections -----------------------------------------------------------

# N keep-alive connections, each asking for a catalogue page every 4 s
# (under keep_alive_timeout_ms), while a probe times a course page on a
# fresh connection: tests/load/load.c without its slow clients. CivetWeb
# gives each open connection a worker thread: worker_threads is raised to
# N + 200 when N needs it (the default, 1200, would leave the rest queued).
conns_curve() {
	local n threads_n course rss_idle rss_peak
	cc -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$out/lms-load" tests/load/load.c \
		-lssl -lcrypto -lpthread -lm
	echo
	echo "idle keep-alive connections (each a catalogue page every ~4 s), probe on fresh connections"
	printf '%-8s %8s %-28s %9s %9s %9s %7s  %s\n' conns threads what p50_ms p99_ms max_ms failed \
		"server memory"
	for n in $conns_sizes; do
		threads_n=1200
		[ "$n" -gt 1000 ] && threads_n=$((n + 200))
		export LMS_WORKER_THREADS=$threads_n
		work=/tmp/lms-curves-conns
		CURVES_KEEP= curves_serve "$work" 200
		course=$(sql -c "SELECT min(id) FROM courses WHERE code LIKE 'BENCH-%'")
		rss_idle=$(awk '/^VmRSS/ {print $2}' "/proc/$lms_pid/status")
		"$out/lms-load" --port "$lms_port" --cert "$cert" --seconds $((seconds * 2)) \
			--readers "$n" --think-ms 4000 --slow-heads 0 --slow-bodies 0 --course "$course" \
			>"$out/load-$n.out" 2>&1 || true
		rss_peak=$(awk '/^VmHWM/ {print $2}' "/proc/$lms_pid/status")
		awk -v n="$n" -v t="$threads_n" -v i="$rss_idle" -v p="$rss_peak" -v load="$(load)" '
			/^probe GET \/courses/ { printf "%-8s %8s %-28s %9s %9s %9s %7s  idle %.1f MiB, peak %.1f MiB; load %s\n",
				n, t, "course page (fresh conn.)", $(NF-4), $(NF-3), $(NF-2), $NF, i / 1024, p / 1024, load }
			/^readers \(keep-alive\)/ { printf "%-8s %8s %-28s %9s %9s %9s %7s\n",
				n, t, "readers (keep-alive)", $(NF-4), $(NF-3), $(NF-2), $NF }
			/^readers connected at once/ { print "         " $0 }' "$out/load-$n.out"
		curves_stop
		unset LMS_WORKER_THREADS
	done
}

echo "curves ($mode): $(nproc) cores, load average now $(load); wrk -t$threads -c$connections" \
	"-d${seconds}s, pgbench -j$threads -T$seconds; latencies in ms"
for part in $parts; do
	case $part in
	catalog) for n in $courses_sizes; do catalog_curve "$n"; done ;;
	enroll)
		# At the catalogue sizes measured above, measured there.
		for n in $enroll_at; do
			case " $parts " in *" catalog "*)
				case " $courses_sizes " in *" $n "*) continue ;; esac ;;
			esac
			work=${CURVES_DATA:-/tmp/lms-curves}-$n
			curves_serve "$work" "$n"
			enroll_curve "$n"
			curves_stop
		done ;;
	report) report_curve ;;
	conns) conns_curve ;;
	*) echo "unknown part $part" >&2; exit 2 ;;
	esac
done
