-- 0028_housekeeping.sql - rows kept only as long as something reads them,
-- and an erased applicant's documents.

-- ---- retention ----
--
-- Deletes, in the caller's transaction, at most p_batch rows of each table
-- below that nothing will read again, and answers how many per table. The
-- server's housekeeping job calls it in short transactions until every
-- count is below p_batch, so a long backlog never holds its locks for long
-- nor makes one large transaction. Rows that requests update (sessions,
-- attempts in flight, links, keys) are skipped while another transaction
-- holds them (SKIP LOCKED), not waited for; the other tables' rows are only
-- ever inserted and deleted. Several servers may call it at once: one
-- transaction at a time works, the others delete nothing.
-- The windows the throttles read come from the server's configuration:
--   login_attempts         older than the sign-in throttle's window, and not
--                          in flight (the throttle reads only its window; the
--                          last success before it changes nothing in it);
--   registration_attempts  older than register_window_s;
--   certificate_lookups    older than certificate_lookup_window_s;
--   mail_requests          older than mail_requests_window_s;
--   auth_sessions          past expires_at or idle longer than
--                          session_idle_timeout_s (they sign nobody in);
--   mail_tokens            used or expired (a link works once, until then);
--   idempotency_keys       answered more than a day ago (a retry comes within
--                          minutes; a key still running is never touched);
--   enrollment_invitations of sections that ended more than 30 days ago
--                          (nobody can take up the place any more).
-- Kept: the audit log, enrolment and application history, the outbox,
-- certificates and what reports read; email_changes (account_erase finds
-- the mail sent to a requested address through them) and decided
-- instructor invitations (the person's own list).
CREATE FUNCTION housekeeping_prune(p_batch integer, p_login_window_s integer,
	p_register_window_s integer, p_lookup_window_s integer, p_mail_window_s integer,
	p_session_idle_s integer)
RETURNS TABLE (what text, deleted integer)
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	-- One run at a time across servers: another server's batch is not
	-- waited for, and this transaction deletes nothing (it tries again
	-- next interval; the run under way goes on until nothing is due).
	IF NOT pg_try_advisory_xact_lock(hashtextextended('lms housekeeping', 0)) THEN
		RETURN QUERY SELECT t, 0 FROM unnest(ARRAY['login_attempts', 'registration_attempts',
			'certificate_lookups', 'mail_requests', 'auth_sessions', 'mail_tokens',
			'idempotency_keys', 'enrollment_invitations']) t;
		RETURN;
	END IF;
	WITH d AS (DELETE FROM login_attempts WHERE id IN (SELECT id FROM login_attempts
			WHERE at <= now() - make_interval(secs => p_login_window_s)
			AND (busy_until IS NULL OR busy_until <= now())
			LIMIT p_batch FOR UPDATE SKIP LOCKED) RETURNING 1)
		SELECT count(*) INTO n FROM d;
	what := 'login_attempts'; deleted := n; RETURN NEXT;

	WITH d AS (DELETE FROM registration_attempts WHERE id IN (SELECT id
			FROM registration_attempts
			WHERE at <= now() - make_interval(secs => p_register_window_s)
			LIMIT p_batch) RETURNING 1)
		SELECT count(*) INTO n FROM d;
	what := 'registration_attempts'; deleted := n; RETURN NEXT;

	WITH d AS (DELETE FROM certificate_lookups WHERE id IN (SELECT id
			FROM certificate_lookups
			WHERE at <= now() - make_interval(secs => p_lookup_window_s)
			LIMIT p_batch) RETURNING 1)
		SELECT count(*) INTO n FROM d;
	what := 'certificate_lookups'; deleted := n; RETURN NEXT;

	WITH d AS (DELETE FROM mail_requests WHERE id IN (SELECT id FROM mail_requests
			WHERE at <= now() - make_interval(secs => p_mail_window_s)
			LIMIT p_batch) RETURNING 1)
		SELECT count(*) INTO n FROM d;
	what := 'mail_requests'; deleted := n; RETURN NEXT;

	WITH d AS (DELETE FROM auth_sessions WHERE id IN (SELECT id FROM auth_sessions
			WHERE expires_at <= now()
			OR last_seen_at <= now() - make_interval(secs => p_session_idle_s)
			LIMIT p_batch FOR UPDATE SKIP LOCKED) RETURNING 1)
		SELECT count(*) INTO n FROM d;
	what := 'auth_sessions'; deleted := n; RETURN NEXT;

	WITH d AS (DELETE FROM mail_tokens WHERE id IN (SELECT id FROM mail_tokens
			WHERE used_at IS NOT NULL OR expires_at <= now()
			LIMIT p_batch FOR UPDATE SKIP LOCKED) RETURNING 1)
		SELECT count(*) INTO n FROM d;
	what := 'mail_tokens'; deleted := n; RETURN NEXT;

	WITH d AS (DELETE FROM idempotency_keys WHERE (user_id, scope, key) IN (SELECT user_id,
			scope, key FROM idempotency_keys
			WHERE status IS NOT NULL AND created_at <= now() - interval '1 day'
			LIMIT p_batch FOR UPDATE SKIP LOCKED) RETURNING 1)
		SELECT count(*) INTO n FROM d;
	what := 'idempotency_keys'; deleted := n; RETURN NEXT;

	WITH d AS (DELETE FROM enrollment_invitations WHERE id IN (SELECT i.id
			FROM enrollment_invitations i JOIN sections s ON s.id = i.section_id
			WHERE s.ends_on < current_date - 30
			LIMIT p_batch) RETURNING 1)
		SELECT count(*) INTO n FROM d;
	what := 'enrollment_invitations'; deleted := n; RETURN NEXT;
END $$;

-- ---- what an erased account leaves behind ----
--
-- After account_erase (deleted_at set; OLD is the row as it was):
-- - the person's applications still under way end as a withdrawal would
--   (an offer held is declined, and its seat offered to the next in line at
--   once), audited with the reason "account deleted"; their statements and
--   documents go, and with a document its bytes (the blob-release trigger),
--   unless another row holds the same file. The applications' statuses,
--   stage results and history stay: other applicants' ranks and the
--   funnel's counts depend on them, and they name only the pseudonymous
--   account;
-- - links sent by mail (mail_tokens, with the address they went to) go;
-- - the mail-request counts kept under the address or the account go;
-- - invitations to teach keep their answer but not the profile they carried;
-- - the message confirming an e-mail change, sent to the address before it,
--   gets the pseudonymous address like the person's other mail.
CREATE FUNCTION applications_forget() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	a record;
	next_status text;
BEGIN
	FOR a IN SELECT x.id, x.status, x.intake_id, i.institution_id FROM applications x
			JOIN intakes i ON i.id = x.intake_id
			WHERE x.user_id = OLD.id
			AND x.status IN ('applied', 'in_stage', 'passed', 'offered', 'accepted')
			ORDER BY i.section_id, x.id LOOP
		next_status := CASE a.status WHEN 'offered' THEN 'declined' ELSE 'withdrawn' END;
		PERFORM application_move(a.id, next_status, OLD.id, 'account deleted');
		INSERT INTO audit_log (actor_user_id, remote_addr, request_id, action, target_type,
				target_id, institution_id, detail)
			VALUES (OLD.id, nullif(current_setting('lms.remote_addr', true), '')::inet,
				nullif(current_setting('lms.request_id', true), ''),
				CASE next_status WHEN 'declined' THEN 'application.decline'
					ELSE 'application.withdraw' END,
				'application', a.id, a.institution_id,
				jsonb_build_object('intake_id', a.intake_id, 'from', a.status,
					'reason', 'account deleted'));
	END LOOP;
	DELETE FROM application_documents WHERE application_id IN (SELECT id FROM applications
		WHERE user_id = OLD.id);
	UPDATE applications SET statement = NULL WHERE user_id = OLD.id AND statement IS NOT NULL;

	DELETE FROM mail_tokens WHERE user_id = OLD.id;
	DELETE FROM mail_requests WHERE key = lower(OLD.email)
		OR (scope = 'mail account' AND key = OLD.id::text);
	UPDATE instructor_invitations SET profile = '{}' WHERE user_id = OLD.id
		AND profile <> '{}';
	UPDATE outbox SET to_address = NEW.email,
			state = CASE WHEN state = 'pending' THEN 'failed' ELSE state END,
			last_error = CASE WHEN state = 'pending' THEN 'account deleted'
				ELSE last_error END
		WHERE dedup_key IN (SELECT 'email_change.done:' || e.id FROM email_changes e
			WHERE e.user_id = OLD.id);
	RETURN NULL;
END $$;
CREATE TRIGGER users_erased_applications AFTER UPDATE OF deleted_at ON users
	FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
	EXECUTE FUNCTION applications_forget();

GRANT DELETE ON application_documents TO lms_app;
