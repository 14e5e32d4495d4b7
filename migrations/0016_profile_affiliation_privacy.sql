-- 0016_profile_affiliation_privacy.sql - the profile a person keeps:
-- verified e-mail changes, verified affiliation (institution e-mail domains
-- and claims an institution's admin decides), consent to the privacy notice,
-- account deletion (회원 탈퇴), and invitations to teach for an institution.

-- NULL: the address was never verified (a link sent to it and followed).
ALTER TABLE users ADD COLUMN IF NOT EXISTS email_verified_at timestamptz;
-- Set when the account was deleted: the row stays, pseudonymised, so that
-- enrolment statistics and the audit trail keep their references.
ALTER TABLE users ADD COLUMN IF NOT EXISTS deleted_at timestamptz;

-- An institution may now also be created through the API (platform admins).
GRANT INSERT ON institutions TO lms_app;

-- ---- e-mail change: the new address proves itself by a link ----

-- Only a SHA-256 of the link's token is kept; a request supersedes the
-- previous one; a token works once, for a short time.
CREATE TABLE email_changes (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id),
	new_email text NOT NULL CHECK (length(new_email) BETWEEN 3 AND 254),
	token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at timestamptz,
	CHECK (expires_at > created_at)
);
CREATE INDEX email_changes_user ON email_changes (user_id, id);

-- ---- verified affiliation ----

-- The e-mail domains an institution vouches for: a verified address at one
-- of them is proof of affiliation. A domain belongs to one institution; the
-- big free-mail providers prove nothing and are refused.
CREATE TABLE institution_domains (
	domain text PRIMARY KEY CHECK (length(domain) <= 253
		AND domain ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$'
		AND domain NOT IN ('gmail.com', 'naver.com', 'daum.net', 'hanmail.net', 'kakao.com',
			'nate.com', 'outlook.com', 'hotmail.com', 'live.com', 'yahoo.com',
			'yahoo.co.kr', 'icloud.com', 'me.com', 'proton.me', 'protonmail.com',
			'example.com')),
	institution_id bigint NOT NULL REFERENCES institutions (id),
	created_by bigint REFERENCES users (id),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX institution_domains_institution ON institution_domains (institution_id);

-- A person's claim to belong to an institution. users.affiliation_institution_id
-- holds only a verified affiliation (the one eligibility reads): it changes to
-- an institution only through an approved claim (see the trigger below).
-- Affiliations that existed before claims did (the seed's) count as verified.
CREATE TABLE affiliation_claims (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id),
	institution_id bigint NOT NULL REFERENCES institutions (id),
	status text NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
	verified_by text CHECK (verified_by IN ('domain', 'admin')),
	reason text CHECK (length(reason) BETWEEN 1 AND 1000),
	created_at timestamptz NOT NULL DEFAULT now(),
	decided_at timestamptz,
	decided_by bigint REFERENCES users (id),
	CHECK ((status = 'pending') = (decided_at IS NULL)),
	CHECK ((status = 'approved') = (verified_by IS NOT NULL)),
	CHECK (status <> 'rejected' OR reason IS NOT NULL)
);
-- One open claim per person.
CREATE UNIQUE INDEX affiliation_claims_pending ON affiliation_claims (user_id)
	WHERE status = 'pending';
CREATE INDEX affiliation_claims_institution ON affiliation_claims (institution_id, status, id);

-- The institution whose registered domain the address is at, or NULL.
CREATE FUNCTION email_domain_institution(p_email text) RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT institution_id FROM institution_domains
		WHERE domain = lower(split_part(p_email, '@', 2))
$$;

-- The database's half of the rule "only a verified affiliation counts":
-- the column moves to an institution only with an approved claim for it.
CREATE FUNCTION users_affiliation_verified() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.affiliation_institution_id IS NOT NULL
			AND NEW.affiliation_institution_id IS DISTINCT FROM OLD.affiliation_institution_id
			AND NOT EXISTS (SELECT 1 FROM affiliation_claims c
				WHERE c.user_id = NEW.id
				AND c.institution_id = NEW.affiliation_institution_id
				AND c.status = 'approved') THEN
		RAISE EXCEPTION 'affiliation % of user % is not verified',
			NEW.affiliation_institution_id, NEW.id
			USING ERRCODE = 'LMS04', HINT = 'affiliation_unverified';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER users_affiliation_verified BEFORE UPDATE OF affiliation_institution_id
	ON users FOR EACH ROW EXECUTE FUNCTION users_affiliation_verified();

-- Decides a pending claim: approval makes it the person's affiliation.
-- The person is told, in this transaction. Returns false when the claim is
-- not pending (decided already, or withdrawn).
CREATE FUNCTION affiliation_claim_decide(p_claim bigint, p_actor bigint, p_approve boolean,
	p_verified_by text, p_reason text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	c record;
BEGIN
	UPDATE affiliation_claims SET
			status = CASE WHEN p_approve THEN 'approved' ELSE 'rejected' END,
			verified_by = CASE WHEN p_approve THEN p_verified_by END,
			reason = p_reason, decided_at = now(), decided_by = p_actor
		WHERE id = p_claim AND status = 'pending'
		RETURNING user_id, institution_id INTO c;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	IF p_approve THEN
		UPDATE users SET affiliation_institution_id = c.institution_id, updated_at = now()
			WHERE id = c.user_id;
	END IF;
	PERFORM outbox_enqueue(c.user_id,
		CASE WHEN p_approve THEN 'affiliation.approved' ELSE 'affiliation.rejected' END,
		(SELECT jsonb_build_object('institution_ko', i.name_ko, 'institution_en', i.name_en,
			'reason', coalesce(p_reason, '')) FROM institutions i WHERE i.id = c.institution_id),
		'affiliation_claim:' || p_claim);
	RETURN true;
END $$;

-- A person claims institution p_institution (NULL: no affiliation). A
-- verified address at one of its domains proves it at once; otherwise the
-- claim waits for the institution's admin, and the verified affiliation the
-- person had stays until then. Returns the claim (NULL when none is made).
CREATE FUNCTION affiliation_claim(p_user bigint, p_institution bigint)
RETURNS TABLE (claim_id bigint, claim_status text)
LANGUAGE plpgsql AS $$
DECLARE
	u record;
	new_id bigint;
BEGIN
	SELECT email, email_verified_at, affiliation_institution_id INTO u
		FROM users WHERE id = p_user FOR UPDATE;
	UPDATE affiliation_claims SET status = 'withdrawn', decided_at = now(),
			decided_by = p_user
		WHERE user_id = p_user AND status = 'pending';
	IF p_institution IS NULL THEN
		UPDATE users SET affiliation_institution_id = NULL, updated_at = now()
			WHERE id = p_user;
		RETURN;
	END IF;
	IF u.affiliation_institution_id = p_institution THEN
		RETURN QUERY SELECT NULL::bigint, 'approved'::text;
		RETURN;
	END IF;
	INSERT INTO affiliation_claims (user_id, institution_id) VALUES (p_user, p_institution)
		RETURNING id INTO new_id;
	IF u.email_verified_at IS NOT NULL
			AND email_domain_institution(u.email) = p_institution THEN
		PERFORM affiliation_claim_decide(new_id, p_user, true, 'domain', NULL);
		RETURN QUERY SELECT new_id, 'approved'::text;
		RETURN;
	END IF;
	RETURN QUERY SELECT new_id, 'pending'::text;
END $$;

-- An address verified later (an e-mail change confirmed, or the sign-up
-- verification) proves a pending claim for the institution of its domain.
CREATE FUNCTION users_email_verified() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	c bigint;
BEGIN
	IF NEW.email_verified_at IS NULL OR NEW.deleted_at IS NOT NULL THEN
		RETURN NULL;
	END IF;
	SELECT id INTO c FROM affiliation_claims
		WHERE user_id = NEW.id AND status = 'pending'
		AND institution_id = email_domain_institution(NEW.email);
	IF FOUND THEN
		PERFORM affiliation_claim_decide(c, NEW.id, true, 'domain', NULL);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER users_email_verified AFTER UPDATE OF email, email_verified_at ON users
	FOR EACH ROW WHEN (NEW.email_verified_at IS NOT NULL
		AND (OLD.email_verified_at IS NULL OR NEW.email IS DISTINCT FROM OLD.email
			OR NEW.email_verified_at <> OLD.email_verified_at))
	EXECUTE FUNCTION users_email_verified();

-- ---- consent to the privacy notice (PIPA) ----

-- One row per item of the notice, agreed or not, with the notice's version
-- and the time: what a person was shown and said yes (or no) to.
CREATE TABLE privacy_consents (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id),
	item text NOT NULL CHECK (item ~ '^[a-z][a-z0-9_]{1,40}$'),
	required boolean NOT NULL,
	granted boolean NOT NULL,
	notice_version text NOT NULL CHECK (length(notice_version) BETWEEN 1 AND 40),
	at timestamptz NOT NULL DEFAULT now(),
	remote_addr inet,
	CHECK (granted OR NOT required)
);
CREATE INDEX privacy_consents_user ON privacy_consents (user_id, id);

-- ---- invitations to teach for an institution (instead of taking staff) ----

CREATE TABLE instructor_invitations (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id),
	institution_id bigint NOT NULL REFERENCES institutions (id),
	invited_by bigint REFERENCES users (id),
	profile jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(profile) = 'object'),
	status text NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'accepted', 'declined', 'withdrawn')),
	created_at timestamptz NOT NULL DEFAULT now(),
	decided_at timestamptz,
	CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE UNIQUE INDEX instructor_invitations_pending ON instructor_invitations
	(user_id, institution_id) WHERE status = 'pending';
CREATE INDEX instructor_invitations_user ON instructor_invitations (user_id, id);

-- ---- account deletion ----

-- Deletes account p_user in the caller's transaction: active enrolments end
-- (seats freed go to the waitlist at once, in section order so that two
-- deletions never deadlock), personal data is erased or replaced by a
-- pseudonym, sessions, feeds and links stop working, and mail not yet sent
-- is dropped. Enrolment rows, their history, attendance and the audit trail
-- stay, naming the pseudonymous account. The caller has set lms.* (actor,
-- address, request id). Returns how many enrolments ended; -1 (and changes
-- nothing) when the person administers an institution or the platform;
-- NULL when there is no such live account.
CREATE FUNCTION account_erase(p_user bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	e record;
	n integer := 0;
	old_email text;
	alias text := 'deleted-' || p_user || '@deleted.invalid';
BEGIN
	SELECT email INTO old_email FROM users WHERE id = p_user AND deleted_at IS NULL
		FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	-- Those who administer must hand over first: no institution (and not
	-- the platform) is left without its admins by a deletion.
	IF EXISTS (SELECT 1 FROM user_roles WHERE user_id = p_user
			AND role IN ('institution_admin', 'platform_admin')) THEN
		RETURN -1;
	END IF;
	FOR e IN SELECT en.id, en.section_id, en.status, c.institution_id
			FROM enrollments en JOIN sections s ON s.id = en.section_id
			JOIN courses c ON c.id = s.course_id
			WHERE en.user_id = p_user AND en.status IN ('pending', 'enrolled', 'waitlisted')
			ORDER BY en.section_id, en.id LOOP
		PERFORM 1 FROM sections WHERE id = e.section_id FOR UPDATE;
		PERFORM set_config('lms.reason', 'account deleted', true);
		-- An application cannot be cancelled; it is turned down instead.
		UPDATE enrollments SET status = CASE e.status WHEN 'pending' THEN 'rejected'
				ELSE 'cancelled' END
			WHERE id = e.id;
		INSERT INTO audit_log (actor_user_id, remote_addr, request_id, action, target_type,
				target_id, institution_id, detail)
			VALUES (p_user, nullif(current_setting('lms.remote_addr', true), '')::inet,
				nullif(current_setting('lms.request_id', true), ''),
				'enrollment.cancel', 'enrollment', e.id, e.institution_id,
				jsonb_build_object('section_id', e.section_id, 'from', e.status,
					'reason', 'account deleted'));
		IF e.status = 'enrolled' THEN
			PERFORM enrollment_promote(e.section_id, 'seat freed: account deleted');
		END IF;
		n := n + 1;
	END LOOP;

	UPDATE outbox SET to_address = alias,
			state = CASE WHEN state = 'pending' THEN 'failed' ELSE state END,
			last_error = CASE WHEN state = 'pending' THEN 'account deleted'
				ELSE last_error END
		WHERE user_id = p_user OR lower(to_address) = lower(old_email)
			OR lower(to_address) IN (SELECT lower(new_email) FROM email_changes
				WHERE user_id = p_user);
	DELETE FROM auth_sessions WHERE user_id = p_user;
	UPDATE calendar_feeds SET revoked_at = now() WHERE user_id = p_user AND revoked_at IS NULL;
	DELETE FROM idempotency_keys WHERE user_id = p_user;
	DELETE FROM login_attempts WHERE email = lower(old_email);
	UPDATE email_changes SET new_email = alias, used_at = coalesce(used_at, now())
		WHERE user_id = p_user;
	UPDATE affiliation_claims SET status = 'withdrawn', decided_at = now(), decided_by = p_user
		WHERE user_id = p_user AND status = 'pending';
	UPDATE instructor_invitations SET status = 'withdrawn', decided_at = now()
		WHERE user_id = p_user AND status = 'pending';
	DELETE FROM user_roles WHERE user_id = p_user AND role = 'instructor';
	UPDATE instructors SET bio_ko = '', bio_en = '', expertise = '{}', updated_at = now()
		WHERE user_id = p_user;
	-- The ladder stage stays: statistics count by it, and it names nobody.
	UPDATE users SET email = alias, display_name = '탈퇴 회원', password_hash = '!deleted',
			affiliation_institution_id = NULL, email_verified_at = NULL,
			deleted_at = now(), updated_at = now()
		WHERE id = p_user;
	RETURN n;
END $$;

GRANT SELECT, INSERT, UPDATE ON email_changes, affiliation_claims, privacy_consents,
	instructor_invitations TO lms_app;
GRANT SELECT, INSERT, DELETE ON institution_domains TO lms_app;
GRANT UPDATE ON instructors TO lms_app;
GRANT UPDATE, DELETE ON user_roles TO lms_app;
