# lib.sh - what the benchmarks share, sourced by them from the source tree:
# missing tools installed, a RelWithDebInfo build in build-bench/, and an
# lms on fresh data with the demo and benchmark catalogues.

# Installs the Debian packages named that are not installed yet (as root or
# with sudo).
bench_require() {
	local missing=() sudo=() p
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "${missing[@]}" >/dev/null
	fi
}

# bench_ticks "PID ...": the CPU time (user and system, in clock ticks) the
# processes named have spent so far, their threads included.
bench_ticks() {
	local sum=0 p
	for p in ${1//,/ }; do
		[ -r "/proc/$p/stat" ] || continue
		sum=$((sum + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat")))
	done
	echo "$sum"
}

bench_build() {
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLMS_TESTS=OFF >/dev/null
	cmake --build build-bench -j "$(nproc)" >/dev/null
}

# bench_serve WORK PORT COURSES: empties WORK, migrates and seeds its
# embedded database (demo data and COURSES benchmark courses), starts
# `lms serve` on PORT in the background and waits until it answers. Sets
# lms_pid, cert (its dev certificate) and conn (a psql conninfo as the
# database owner); bench_stop ends it.
bench_serve() {
	local work=$1 port=$2 courses=$3
	rm -rf "$work"
	mkdir -p "$work"
	chmod 755 "$work"
	export LMS_DATA_DIR="$work/var" LMS_STATIC_DIR="$PWD/static"
	export LMS_MIGRATIONS_DIR="$PWD/migrations" LMS_SEED_DIR="$PWD/app/seed/data"
	export LMS_HTTPS_PORT=$port
	export LMS_ACCESS_LOG=no LMS_LOG_LEVEL=warn
	# No load balancer to warn: stop at once.
	export LMS_SHUTDOWN_GRACE_MS=0
	build-bench/lms migrate >/dev/null
	build-bench/lms seed --demo >/dev/null
	build-bench/lms seed --bench "$courses" >/dev/null

	build-bench/lms serve 2>"$work/lms.log" &
	lms_pid=$!
	cert="$work/var/tls/dev-cert.pem"
	conn="host=$work/var/pgsock dbname=lms user=lms_owner"
	for _ in $(seq 1 300); do
		curl -sf --cacert "$cert" "https://localhost:$port/healthz" >/dev/null 2>&1 && return 0
		kill -0 "$lms_pid" 2>/dev/null || { cat "$work/lms.log"; return 1; }
		sleep 0.1
	done
	echo "lms did not answer within 30 s" >&2
	return 1
}

bench_stop() {
	[ -n "${lms_pid:-}" ] && kill "$lms_pid" 2>/dev/null && wait "$lms_pid" 2>/dev/null
	true
}

# bench_learners N, after bench_serve: N signed-in learners at the "worker"
# stage with an affiliation and a confirmed address (sessions made in SQL,
# set-based), in bench_sessions (n, token_hash, user_id); the open bench
# sections they may join without approval in bench_sections (n, section_id).
# Writes $work/wrk-sessions.txt ("token csrf" per line) and
# $work/wrk-sections.txt (a section id per line) for the wrk scripts.
bench_learners() {
	local n=$1
	# The session tokens (the cookie), their CSRF tokens (an HMAC keyed by
	# the token, as session_csrf_token computes it) and digests.
	python3 - "$n" "$work" <<'EOF'
import base64, hashlib, hmac, secrets, sys
n, work = int(sys.argv[1]), sys.argv[2]
with open(f"{work}/wrk-sessions.txt", "w") as w, open(f"{work}/digests.tsv", "w") as d:
    for i in range(1, n + 1):
        token = secrets.token_urlsafe(32)
        mac = hmac.new(token.encode(), b"lms csrf", hashlib.sha256).digest()
        csrf = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
        w.write(f"{token} {csrf}\n")
        d.write(f"{i}\t{hashlib.sha256(token.encode()).hexdigest()}\n")
EOF

	psql -qAtX -v ON_ERROR_STOP=1 "$conn" <<EOF
CREATE TEMP TABLE digests (n integer, hash text);
\copy digests FROM '$work/digests.tsv'
CREATE TABLE bench_sessions (n integer PRIMARY KEY, token_hash bytea NOT NULL, user_id bigint);
WITH u AS (
	INSERT INTO users (email, password_hash, display_name, ladder_stage,
		affiliation_institution_id, email_verified_at)
	SELECT 'bench-learner-' || n || '@example.com', '!', 'Bench learner ' || n, 'worker',
		(SELECT min(id) FROM institutions), now()
	FROM digests RETURNING id, email)
INSERT INTO bench_sessions
	SELECT d.n, decode(d.hash, 'hex'), u.id FROM digests d
	JOIN u ON u.email = 'bench-learner-' || d.n || '@example.com';
INSERT INTO user_roles (user_id, role) SELECT user_id, 'learner' FROM bench_sessions;
INSERT INTO auth_sessions (token_hash, user_id, expires_at)
	SELECT token_hash, user_id, now() + interval '1 day' FROM bench_sessions;
CREATE TABLE bench_sections AS
	SELECT row_number() OVER (ORDER BY s.id)::integer AS n, s.id AS section_id
	FROM sections s JOIN courses c ON c.id = s.course_id JOIN programs p ON p.id = c.program_id
	WHERE c.code LIKE 'BENCH-%' AND c.published AND s.status = 'open'
	AND now() BETWEEN s.enrollment_opens_at AND s.enrollment_closes_at
	AND 'worker' = ANY (p.allowed_stages) AND NOT p.approval_required;
ALTER TABLE bench_sections ADD PRIMARY KEY (n);
\copy (SELECT section_id FROM bench_sections ORDER BY n) TO '$work/wrk-sections.txt'
ANALYZE users, user_roles, auth_sessions, bench_sessions, bench_sections;
EOF
	[ -s "$work/wrk-sections.txt" ] || { echo "no bench section accepts the learners" >&2; return 1; }
}
