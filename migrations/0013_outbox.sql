-- 0013_outbox.sql - outgoing mail, written in the same transaction as the
-- change that causes it and delivered later by the server's mail worker: a
-- change rolled back sends nothing, a change committed is never lost, and a
-- slow mail server never slows a request.
--
-- A row names a kind of message (its templates live in app/mail/templates/)
-- and the values the templates fill in; the text is made at delivery, in the
-- recipient's language as of the event.
CREATE TABLE outbox (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'
		AND length(kind) <= 60),
	user_id bigint REFERENCES users (id) ON DELETE SET NULL, -- NULL: not an account (an invitation)
	to_address text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
	locale text NOT NULL CHECK (locale IN ('ko', 'en')),
	params jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
	-- The same event enqueued twice (a retried request, a replayed file)
	-- makes one message.
	dedup_key text UNIQUE CHECK (length(dedup_key) <= 200),
	created_at timestamptz NOT NULL DEFAULT now(),
	state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
	attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	sent_at timestamptz,
	last_error text,
	CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_user ON outbox (user_id, id);

-- A message to an account, at its address and in its language now. NULL
-- when the account does not exist or the same dedup_key was enqueued before.
-- The worker hears of it on channel lms_outbox once the transaction commits.
CREATE FUNCTION outbox_enqueue(p_user bigint, p_kind text, p_params jsonb DEFAULT '{}',
		p_dedup text DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	new_id bigint;
BEGIN
	INSERT INTO outbox (kind, user_id, to_address, locale, params, dedup_key)
		SELECT p_kind, u.id, u.email, u.locale, coalesce(p_params, '{}'), p_dedup
		FROM users u WHERE u.id = p_user
		ON CONFLICT (dedup_key) DO NOTHING
		RETURNING id INTO new_id;
	IF new_id IS NOT NULL THEN
		PERFORM pg_notify('lms_outbox', '');
	END IF;
	RETURN new_id;
END $$;

-- A message to an address that has no account (an invitation to create one).
CREATE FUNCTION outbox_enqueue_address(p_address text, p_locale text, p_kind text,
		p_params jsonb DEFAULT '{}', p_dedup text DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	new_id bigint;
BEGIN
	INSERT INTO outbox (kind, to_address, locale, params, dedup_key)
		VALUES (p_kind, p_address, p_locale, coalesce(p_params, '{}'), p_dedup)
		ON CONFLICT (dedup_key) DO NOTHING
		RETURNING id INTO new_id;
	IF new_id IS NOT NULL THEN
		PERFORM pg_notify('lms_outbox', '');
	END IF;
	RETURN new_id;
END $$;

GRANT SELECT, INSERT, UPDATE ON outbox TO lms_app;
