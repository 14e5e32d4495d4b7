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

# Signed-in learners for the burst (a session each, its cookie and CSRF
# token in sessions.txt), and a new section of a bench course they may join
# at once (no approval), with fewer seats than learners.
. tests/support/learners.sh
learners_make "$learners" load "$work/sessions.tsv"
cut -f2,3 "$work/sessions.tsv" | tr '\t' ' ' >"$work/sessions.txt"
read -r course section < <(section_open "$seats")
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
