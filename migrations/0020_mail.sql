-- 0020_mail.sql - what mail makes possible: a verified address, a way back
-- in after a forgotten password, and limits on how often either is asked.

-- NULL: the address was never proved to be the account holder's. Accounts
-- made before verification existed were trusted then, and stay trusted.
ALTER TABLE users ADD COLUMN IF NOT EXISTS email_verified_at timestamptz;
UPDATE users SET email_verified_at = created_at WHERE email_verified_at IS NULL;

-- A secret sent by mail, kept only as its SHA-256 digest: a reset link or
-- a verification link. Single use (used_at), short-lived (expires_at), and
-- bound to the address it was sent to, so a link stops working when the
-- account's address changes.
CREATE TABLE mail_tokens (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	purpose text NOT NULL CHECK (purpose IN ('password_reset', 'email_verify')),
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	email text NOT NULL,
	digest text NOT NULL UNIQUE CHECK (digest ~ '^[0-9a-f]{64}$'),
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at timestamptz,
	CHECK (expires_at > created_at)
);
CREATE INDEX mail_tokens_user ON mail_tokens (user_id, purpose) WHERE used_at IS NULL;
GRANT SELECT, INSERT, UPDATE, DELETE ON mail_tokens TO lms_app;

-- Requests that send mail, for limits per scope and key ('reset email',
-- 'x@example.com'): held in the database so every instance counts alike.
CREATE TABLE mail_requests (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	scope text NOT NULL,
	key text NOT NULL,
	at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_requests_key ON mail_requests (scope, key, at);
GRANT SELECT, INSERT, DELETE ON mail_requests TO lms_app;

-- Counts one request of p_key in p_scope and returns 0, or, when p_limit
-- requests fell within the last p_window_s seconds, counts nothing and
-- returns the seconds until one leaves the window. One decision per key at
-- a time, across instances.
CREATE FUNCTION mail_request_allow(p_scope text, p_key text, p_limit integer,
		p_window_s integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	wait integer;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended('mail ' || p_scope || ' ' || p_key, 0));
	DELETE FROM mail_requests WHERE scope = p_scope AND key = p_key
		AND at <= now() - make_interval(secs => p_window_s);
	SELECT ceil(extract(epoch FROM at + make_interval(secs => p_window_s)
			- clock_timestamp()))::integer INTO wait
		FROM mail_requests WHERE scope = p_scope AND key = p_key
		ORDER BY at DESC OFFSET p_limit - 1 LIMIT 1;
	IF wait IS NOT NULL THEN
		RETURN greatest(wait, 1);
	END IF;
	INSERT INTO mail_requests (scope, key) VALUES (p_scope, p_key);
	RETURN 0;
END $$;

-- The rule for unverified addresses: they may browse and sign in, but not
-- enrol or apply. Enrolment goes through this, which answers as enroll()
-- does, refusals as a code.
CREATE FUNCTION enroll_verified(p_user bigint, p_section bigint, p_statement text,
	p_remote_addr text, p_request_id text)
RETURNS TABLE (code text, enrollment_id bigint, status text, waitlist_position bigint,
	detail jsonb)
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM users u WHERE u.id = p_user AND u.email_verified_at IS NULL) THEN
		RETURN QUERY SELECT 'email_unverified'::text, NULL::bigint, NULL::text,
			NULL::bigint, NULL::jsonb;
		RETURN;
	END IF;
	RETURN QUERY SELECT * FROM enroll(p_user, p_section, p_statement, p_remote_addr,
		p_request_id);
END $$;

-- Failed messages are listed for platform admins, newest first.
CREATE INDEX outbox_failed ON outbox (id) WHERE state = 'failed';
