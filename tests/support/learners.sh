# learners.sh - signed-in learners and an open section made straight in SQL,
# for the shell tests that load lms through many sessions at once
# (tests/load/run.sh, tests/deploy/). Sourced; the caller defines sql, a
# psql with its connection as the schema owner.

# learners_make N PREFIX TSV: N in-service workers PREFIX-1@example.com ..
# of the first institution, each with a session; writes one line "n token
# csrf" per learner to TSV: the session cookie's token (32 random bytes in
# base64url, as lms makes them) and its CSRF token (HMAC-SHA256 of "lms
# csrf" keyed by the token, as session_csrf_token makes it). The database
# keeps the token's SHA-256 only, as lms does.
learners_make() {
	python3 - "$1" >"$3" <<'PY'
import base64, hashlib, hmac, secrets, sys
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
for n in range(1, int(sys.argv[1]) + 1):
    token = b64(secrets.token_bytes(32))
    print(f"{n}\t{token}\t{b64(hmac.new(token.encode(), b'lms csrf', hashlib.sha256).digest())}")
PY
	sql <<SQL
CREATE TEMP TABLE s (n integer, token text, csrf text);
\copy s FROM '$3'
WITH u AS (
	INSERT INTO users (email, password_hash, display_name, ladder_stage,
		affiliation_institution_id, email_verified_at)
	SELECT '$2-' || n || '@example.com', '!', 'Learner $2 ' || n, 'worker',
		(SELECT min(id) FROM institutions), now()
	FROM s RETURNING id, email),
r AS (INSERT INTO user_roles (user_id, role) SELECT id, 'learner' FROM u)
INSERT INTO auth_sessions (token_hash, user_id, expires_at)
	SELECT sha256(convert_to(s.token, 'UTF8')), u.id, now() + interval '1 day'
	FROM s JOIN u ON u.email = '$2-' || s.n || '@example.com';
SQL
}

# section_open CAPACITY: a new section, open for enrolment now, of the first
# published bench course (lms seed --bench) that in-service workers may take
# without approval; prints "course section".
section_open() {
	sql <<SQL
WITH c AS (
	SELECT c.id FROM courses c JOIN programs p ON p.id = c.program_id
	WHERE c.code LIKE 'BENCH-%' AND c.published AND 'worker' = ANY (p.allowed_stages)
	AND NOT p.approval_required ORDER BY c.id LIMIT 1)
INSERT INTO sections (course_id, term, starts_on, ends_on, capacity, enrollment_opens_at,
	enrollment_closes_at, status)
	SELECT c.id, '2026-2', current_date + 30, current_date + 120, $1,
		now() - interval '1 day', now() + interval '20 days', 'open' FROM c
	RETURNING course_id || ' ' || id;
SQL
}
