#!/usr/bin/env bash
# run.sh - many connections at once against one lms: keep-alive catalogue
# readers, clients trickling heads and bodies, and a burst of enrolments into
# a section with fewer seats than learners, while a probe times /healthz and a
# course page on fresh connections. Prints what held and exits non-zero when
# a bound broke (a probe over 1 s or failed, a reader refused, a slow client
# never cut, seats and waitlist not exact).
#
#   bash tests/load/run.sh [SECONDS] [READERS] [SLOW] [THINK_MS]   (defaults 30, 1000, 50, 1000)
#
# Each reader asks for a catalogue page, waits about THINK_MS, asks again;
# SLOW clients trickle heads and as many trickle bodies. Loopback only; the
# server keeps its default limits (worker_threads, timeouts). Builds
# RelWithDebInfo into build-bench/ and keeps its data under /tmp.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-30}
readers=${2:-1000}
slow=${3:-50}
think=${4:-1000}
learners=80
seats=25
work=/tmp/lms-load
port=9647

. tests/bench/lib.sh
bench_require python3
bench_build
cc -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -o build-bench/lms-load tests/load/load.c \
	-lssl -lcrypto -lpthread -lm

# Both sides hold a socket per connection (the server a worker each too).
need=$((readers + 2 * slow + learners + 256))
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$need" ] ||
	{ echo "open files limit $(ulimit -n) is below $need: raise it (ulimit -Hn)" >&2; exit 1; }

trap bench_stop EXIT
bench_serve "$work" "$port" 200
sql() { psql -qAtX -v ON_ERROR_STOP=1 "$conn" "$@"; }

# Signed-in learners for the burst: a session token each (the cookie), its
# CSRF token (an HMAC keyed by the token, as session_csrf_token makes it) and
# the token's digest, which is what the database keeps.
python3 - "$learners" >"$work/sessions.tsv" <<'EOF'
import base64, hashlib, hmac, secrets, sys
for i in range(1, int(sys.argv[1]) + 1):
    token = secrets.token_urlsafe(32)
    csrf = base64.urlsafe_b64encode(
        hmac.new(token.encode(), b"lms csrf", hashlib.sha256).digest()).rstrip(b"=").decode()
    print(f"{token}\t{csrf}\t{i}\t{hashlib.sha256(token.encode()).hexdigest()}")
EOF
cut -f1,2 "$work/sessions.tsv" | tr '\t' ' ' >"$work/sessions.txt"

# The learners, and a new section of a bench course they may join at once
# (no approval), with fewer seats than learners.
read -r course section < <(sql <<EOF
CREATE TEMP TABLE s (token text, csrf text, n integer, hash text);
\copy s FROM '$work/sessions.tsv'
WITH u AS (
	INSERT INTO users (email, password_hash, display_name, ladder_stage,
		affiliation_institution_id)
	SELECT 'load-' || n || '@example.com', '!', 'Load learner ' || n, 'worker',
		(SELECT min(id) FROM institutions)
	FROM s RETURNING id, email),
r AS (INSERT INTO user_roles (user_id, role) SELECT id, 'learner' FROM u)
INSERT INTO auth_sessions (token_hash, user_id, expires_at)
	SELECT decode(s.hash, 'hex'), u.id, now() + interval '1 day'
	FROM s JOIN u ON u.email = 'load-' || s.n || '@example.com';
WITH c AS (
	SELECT c.id FROM courses c JOIN programs p ON p.id = c.program_id
	WHERE c.code LIKE 'BENCH-%' AND c.published AND 'worker' = ANY (p.allowed_stages)
	AND NOT p.approval_required ORDER BY c.id LIMIT 1)
INSERT INTO sections (course_id, term, starts_on, ends_on, capacity, enrollment_opens_at,
	enrollment_closes_at, status)
	SELECT c.id, '2026-2', current_date + 30, current_date + 120, $seats,
		now() - interval '1 day', now() + interval '20 days', 'open' FROM c
	RETURNING course_id || ' ' || id;
EOF
)
[ -n "${section:-}" ] || { echo "no bench course takes the learners" >&2; exit 1; }

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$lms_pid/status"; }
idle_kb=$(rss_kb)
rc=0
build-bench/lms-load --port "$port" --cert "$cert" --seconds "$seconds" \
	--readers "$readers" --think-ms "$think" --slow-heads "$slow" --slow-bodies "$slow" \
	--course "$course" --section "$section" --sessions "$work/sessions.txt" \
	--burst "$learners" || rc=1
peak_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$lms_pid/status")

# Exactly the seats enrolled, the rest waitlisted, and the count kept on
# the section agreeing, whatever the load did to the timing.
read -r enrolled waitlisted counted < <(sql -F ' ' -c "
	SELECT count(*) FILTER (WHERE status = 'enrolled'),
		count(*) FILTER (WHERE status = 'waitlisted'),
		(SELECT enrolled_count FROM sections WHERE id = $section)
	FROM enrollments WHERE section_id = $section")
printf '\n%-40s %s\n' "section $section: seats" "$seats"
printf '%-40s %s\n' "enrolled (in SQL)" "$enrolled" "waitlisted (in SQL)" "$waitlisted" \
	"enrolled_count on the section" "$counted"
printf '%-40s %s MiB idle, %s MiB peak\n' "server resident memory" \
	"$((idle_kb / 1024))" "$((peak_kb / 1024))"
if [ "$enrolled" -eq "$seats" ] && [ "$counted" -eq "$seats" ] &&
	[ "$waitlisted" -eq $((learners - seats)) ]; then
	echo "  held   exactly $seats of $learners learners enrolled, the rest waitlisted"
else
	echo "  BROKEN enrolment not exact: $enrolled enrolled, $waitlisted waitlisted," \
		"count $counted, for $seats seats and $learners learners"
	rc=1
fi
kill -0 "$lms_pid" 2>/dev/null || { echo "  BROKEN the server died" >&2; rc=1; }
exit $rc
