-- 0023_enroll_on_behalf.sql - an institution's admin enrols learners: one
-- by one on their behalf (overriding eligibility only with a recorded
-- reason), or a whole file of them for a section, with invitations for the
-- addresses that have no account yet.
--
-- The eligibility rules leave enroll() for a function of their own, so that
-- self-enrolment, enrolment on behalf and the bulk file's dry run and apply
-- ask the same questions in the same order: one place for the rules.

-- Why p_user may not enrol in p_section now, as enroll() has always said it:
-- one row, code 'ok' when nothing stands in the way. With p_user NULL only
-- the section's own rules are asked (status, window). With p_override the
-- rules an admin may override with a reason (the enrolment window, the
-- ladder stage, the affiliation, the prerequisites) are not asked; a missing,
-- draft or cancelled section and an active enrolment in it still refuse.
-- Reads without locking: enrollment_place locks the section first.
CREATE FUNCTION enrollment_refusal(p_user bigint, p_section bigint,
	p_override boolean DEFAULT false)
RETURNS TABLE (code text, detail jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	s record;
	u record;
	missing record;
BEGIN
	SELECT sec.id, sec.status, sec.enrollment_opens_at, sec.enrollment_closes_at,
		c.id AS course_id, c.published, p.allowed_stages, p.affiliation_required
		INTO s
		FROM sections sec JOIN courses c ON c.id = sec.course_id
		JOIN programs p ON p.id = c.program_id
		WHERE sec.id = p_section;
	IF NOT FOUND OR NOT s.published OR s.status = 'draft' THEN
		RETURN QUERY SELECT 'not_found', NULL::jsonb;
		RETURN;
	END IF;
	IF s.status = 'cancelled' THEN
		RETURN QUERY SELECT 'section_cancelled', NULL::jsonb;
		RETURN;
	END IF;
	-- A section admitted by selection takes its learners from its intake's
	-- offers only (0022_selection.sql), whoever asks and whatever override.
	IF EXISTS (SELECT 1 FROM intakes WHERE section_id = p_section) THEN
		RETURN QUERY SELECT 'selection_required', NULL::jsonb;
		RETURN;
	END IF;
	IF NOT p_override AND now() < s.enrollment_opens_at THEN
		RETURN QUERY SELECT 'enrollment_not_open',
			jsonb_build_object('opens_at', s.enrollment_opens_at);
		RETURN;
	END IF;
	IF NOT p_override AND (s.status = 'closed' OR now() >= s.enrollment_closes_at) THEN
		RETURN QUERY SELECT 'enrollment_closed',
			jsonb_build_object('closes_at', s.enrollment_closes_at);
		RETURN;
	END IF;
	IF p_user IS NULL THEN
		RETURN QUERY SELECT 'ok', NULL::jsonb;
		RETURN;
	END IF;
	SELECT ladder_stage, affiliation_institution_id INTO u FROM users WHERE id = p_user;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'user_not_found', NULL::jsonb;
		RETURN;
	END IF;
	IF NOT p_override AND NOT (u.ladder_stage = ANY (s.allowed_stages)) THEN
		RETURN QUERY SELECT 'not_eligible_stage',
			jsonb_build_object('ladder_stage', u.ladder_stage,
				'allowed_stages', s.allowed_stages);
		RETURN;
	END IF;
	IF NOT p_override AND s.affiliation_required AND u.affiliation_institution_id IS NULL THEN
		RETURN QUERY SELECT 'affiliation_required', NULL::jsonb;
		RETURN;
	END IF;
	IF NOT p_override THEN
		-- The rungs below this one must be completed.
		SELECT pc.id, pc.title_ko, pc.title_en INTO missing
			FROM course_prerequisites cp JOIN courses pc ON pc.id = cp.prerequisite_id
			WHERE cp.course_id = s.course_id AND NOT EXISTS (
				SELECT 1 FROM enrollments pe JOIN sections ps ON ps.id = pe.section_id
				WHERE pe.user_id = p_user AND ps.course_id = pc.id
				AND pe.status = 'completed')
			ORDER BY pc.id LIMIT 1;
		IF FOUND THEN
			RETURN QUERY SELECT 'prerequisite_missing',
				jsonb_build_object('course_id', missing.id, 'title_ko', missing.title_ko,
					'title_en', missing.title_en);
			RETURN;
		END IF;
	END IF;
	IF EXISTS (SELECT 1 FROM enrollments x WHERE x.user_id = p_user
			AND x.section_id = p_section
			AND x.status IN ('pending', 'enrolled', 'waitlisted')) THEN
		RETURN QUERY SELECT 'already_enrolled', NULL::jsonb;
		RETURN;
	END IF;
	RETURN QUERY SELECT 'ok', NULL::jsonb;
END $$;

-- Enrols p_user in p_section as p_actor: the learner themself (p_actor =
-- p_user, enroll() below) or an admin on their behalf. One statement:
-- the section lock, the rules (enrollment_refusal), the seat or waitlist
-- place, the history and the audit row. An admin's enrolment is the
-- approval, so it never waits as pending; an admin's p_override_reason
-- overrides the rules enrollment_refusal lets it, and the rule it overrode
-- and the reason go into the history and the audit row. Refusals come back
-- as a code, not an error.
CREATE FUNCTION enrollment_place(p_user bigint, p_section bigint, p_actor bigint,
	p_override_reason text, p_statement text, p_remote_addr text, p_request_id text)
RETURNS TABLE (code text, enrollment_id bigint, status text, waitlist_position bigint,
	detail jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	s record;
	r record;
	overridden text;
	on_behalf boolean := p_actor IS DISTINCT FROM p_user;
	new_status text;
	e record;
BEGIN
	-- The section row lock orders every enrolment of this section: seats
	-- and waitlist places are handed out one transaction at a time.
	SELECT sec.id, sec.capacity, sec.enrolled_count, c.id AS course_id, c.institution_id,
		p.approval_required
		INTO s
		FROM sections sec JOIN courses c ON c.id = sec.course_id
		JOIN programs p ON p.id = c.program_id
		WHERE sec.id = p_section FOR UPDATE OF sec;
	SELECT * INTO r FROM enrollment_refusal(p_user, p_section, false);
	IF r.code <> 'ok' AND on_behalf AND p_override_reason IS NOT NULL THEN
		overridden := r.code;
		SELECT * INTO r FROM enrollment_refusal(p_user, p_section, true);
	END IF;
	IF r.code <> 'ok' THEN
		RETURN QUERY SELECT r.code, NULL::bigint, NULL::text, NULL::bigint, r.detail;
		RETURN;
	END IF;

	new_status := CASE WHEN s.approval_required AND NOT on_behalf THEN 'pending'
		WHEN s.enrolled_count < s.capacity THEN 'enrolled'
		ELSE 'waitlisted' END;
	PERFORM set_config('lms.actor_user_id', p_actor::text, true);
	PERFORM set_config('lms.reason', CASE
		WHEN overridden IS NOT NULL THEN 'enrolled by an admin over ' || overridden || ': '
			|| p_override_reason
		WHEN on_behalf THEN 'enrolled by an admin'
		WHEN new_status = 'pending' THEN 'applied'
		WHEN new_status = 'enrolled' THEN 'enrolled'
		ELSE 'section full: waitlisted' END, true);
	INSERT INTO enrollments (user_id, section_id, status, statement)
		VALUES (p_user, p_section, new_status, p_statement)
		RETURNING enrollments.id, enrollments.waitlist_seq, enrollments.created_at INTO e;
	INSERT INTO audit_log (actor_user_id, action, target_type, target_id, institution_id,
			remote_addr, request_id, detail)
		VALUES (p_actor, 'enrollment.create', 'enrollment', e.id, s.institution_id,
			p_remote_addr::inet, p_request_id,
			jsonb_build_object('section_id', p_section, 'status', new_status)
			|| CASE WHEN on_behalf THEN jsonb_build_object('user_id', p_user,
				'on_behalf', true) ELSE '{}' END
			|| CASE WHEN overridden IS NOT NULL THEN jsonb_build_object(
				'overridden', overridden, 'override_reason', p_override_reason)
				ELSE '{}' END);
	RETURN QUERY SELECT 'ok', e.id, new_status,
		CASE WHEN new_status = 'waitlisted' THEN (SELECT count(*) FROM enrollments w
			WHERE w.section_id = p_section AND w.status = 'waitlisted'
			AND w.waitlist_seq <= e.waitlist_seq) END,
		jsonb_build_object('course_id', s.course_id, 'created_at', e.created_at,
			'overridden', overridden);
END $$;

-- Self-enrolment, as before, through the one set of rules.
CREATE OR REPLACE FUNCTION enroll(p_user bigint, p_section bigint, p_statement text,
	p_remote_addr text, p_request_id text)
RETURNS TABLE (code text, enrollment_id bigint, status text, waitlist_position bigint,
	detail jsonb)
LANGUAGE sql AS $$
	SELECT * FROM enrollment_place(p_user, p_section, p_user, NULL, p_statement,
		p_remote_addr, p_request_id)
$$;

-- An address with no account that a bulk file named for a section: it was
-- sent an invitation to create an account, once. When that person has an
-- account with this address, the section is offered to them
-- (GET /api/v1/me/invitations) and they enrol themselves, through the rules
-- above; or the admin applies the file again, which enrols them now that
-- the address has an account.
CREATE TABLE enrollment_invitations (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	section_id bigint NOT NULL REFERENCES sections (id),
	email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email = lower(email)),
	display_name text CHECK (length(display_name) <= 100),
	ladder_stage text,
	invited_by bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (section_id, email)
);
CREATE INDEX enrollment_invitations_email ON enrollment_invitations (email);

-- The rows of one uploaded file, made by the application in a temporary
-- table of the transaction (bulk_rows: line, email, display_name,
-- ladder_stage, error), classified here as a set into bulk_result: what
-- each row would do (p_apply false, nothing is written) or did (p_apply
-- true: the section locked, enrolments, waitlist places in file order,
-- audit rows and invitations, all in the caller's transaction).
--   error      the row is malformed (its error) or repeats an earlier line
--   unchanged  the learner already holds an active enrolment (its status),
--              or the address was invited to this section before
--   refused    a rule refuses the learner (code, as self-enrolment says it)
--   enroll     a seat is free for the learner, in file order
--   waitlist   the seats are gone: a waitlist place, in file order
--   invite     no account has the address: an invitation to create one
-- Returns the number of rows classified.
CREATE FUNCTION enrollment_bulk(p_section bigint, p_actor bigint, p_apply boolean,
	p_locale text, p_remote_addr text, p_request_id text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	s record;
	sec_code text;
	sec_detail jsonb;
	free integer;
	n bigint;
	k bigint;
BEGIN
	SELECT sec.id, sec.capacity, sec.enrolled_count, sec.term, c.id AS course_id,
		c.institution_id, c.title_ko, c.title_en, i.name_ko, i.name_en
		INTO s
		FROM sections sec JOIN courses c ON c.id = sec.course_id
		JOIN institutions i ON i.id = c.institution_id
		WHERE sec.id = p_section;
	IF p_apply THEN
		-- Seats as they are once every other enrolment of the section
		-- has finished: self-enrolments wait behind this lock, and see
		-- the seats this file took.
		SELECT sec.capacity, sec.enrolled_count INTO s.capacity, s.enrolled_count
			FROM sections sec WHERE sec.id = p_section FOR UPDATE;
	END IF;
	free := greatest(s.capacity - s.enrolled_count, 0);
	SELECT f.code, f.detail INTO sec_code, sec_detail FROM enrollment_refusal(NULL, p_section) f;

	CREATE TEMP TABLE IF NOT EXISTS bulk_result (
		line integer PRIMARY KEY,
		email text,
		display_name text,
		ladder_stage text,
		result text NOT NULL,
		code text,
		detail jsonb,
		user_id bigint,
		status text,
		enrollment_id bigint,
		waitlist_position bigint
	) ON COMMIT DROP;
	TRUNCATE bulk_result;

	INSERT INTO bulk_result (line, email, display_name, ladder_stage, result, code, detail,
			user_id, status)
	SELECT r.line, r.email, r.display_name, r.ladder_stage,
		CASE WHEN r.error IS NOT NULL OR r.first_line <> r.line THEN 'error'
			WHEN a.status IS NOT NULL OR (u.id IS NULL AND inv.id IS NOT NULL)
				THEN 'unchanged'
			WHEN sec_code <> 'ok' THEN 'refused'
			WHEN u.id IS NULL THEN 'invite'
			WHEN f.code <> 'ok' THEN 'refused'
			ELSE 'place' END,
		CASE WHEN r.error IS NOT NULL THEN 'invalid_row'
			WHEN r.first_line <> r.line THEN 'duplicate_row'
			WHEN a.status IS NOT NULL OR (u.id IS NULL AND inv.id IS NOT NULL) THEN NULL
			WHEN sec_code <> 'ok' THEN sec_code
			WHEN u.id IS NULL THEN NULL
			WHEN f.code <> 'ok' THEN f.code END,
		CASE WHEN r.error IS NOT NULL THEN jsonb_build_object('message', r.error)
			WHEN r.first_line <> r.line THEN jsonb_build_object('message',
				'the address is on line ' || r.first_line || ' already',
				'first_line', r.first_line)
			WHEN a.status IS NOT NULL OR (u.id IS NULL AND inv.id IS NOT NULL) THEN NULL
			WHEN sec_code <> 'ok' THEN sec_detail
			WHEN u.id IS NULL THEN NULL
			WHEN f.code <> 'ok' THEN f.detail END,
		u.id,
		CASE WHEN a.status IS NOT NULL THEN a.status
			WHEN u.id IS NULL AND inv.id IS NOT NULL THEN 'invited' END
	FROM (SELECT b.*, min(b.line) OVER (PARTITION BY b.email) AS first_line
		FROM bulk_rows b) r
	LEFT JOIN users u ON r.error IS NULL AND lower(u.email) = r.email
	LEFT JOIN enrollment_invitations inv ON inv.section_id = p_section AND inv.email = r.email
	LEFT JOIN LATERAL (SELECT x.status FROM enrollments x WHERE x.user_id = u.id
		AND x.section_id = p_section AND x.status IN ('pending', 'enrolled', 'waitlisted')
		LIMIT 1) a ON true
	LEFT JOIN LATERAL enrollment_refusal(u.id, p_section) f
		ON u.id IS NOT NULL AND a.status IS NULL AND r.error IS NULL
		AND r.first_line = r.line AND sec_code = 'ok';
	GET DIAGNOSTICS n = ROW_COUNT;

	-- The free seats go to the learners in the order of the file.
	UPDATE bulk_result b SET result = CASE WHEN o.rank <= free THEN 'enroll' ELSE 'waitlist' END
		FROM (SELECT line, row_number() OVER (ORDER BY line) AS rank FROM bulk_result
			WHERE result = 'place') o
		WHERE b.line = o.line;

	IF NOT p_apply THEN
		RETURN n;
	END IF;

	PERFORM set_config('lms.actor_user_id', p_actor::text, true);
	PERFORM set_config('lms.reason', 'enrolled by an admin from a file', true);
	-- In file order, so that waitlist places follow it.
	WITH placed AS (
		INSERT INTO enrollments (user_id, section_id, status)
			SELECT b.user_id, p_section,
				CASE b.result WHEN 'enroll' THEN 'enrolled' ELSE 'waitlisted' END
			FROM bulk_result b WHERE b.result IN ('enroll', 'waitlist') ORDER BY b.line
			RETURNING id, user_id, status, waitlist_seq),
	audited AS (
		INSERT INTO audit_log (actor_user_id, action, target_type, target_id,
				institution_id, remote_addr, request_id, detail)
			SELECT p_actor, 'enrollment.create', 'enrollment', p.id, s.institution_id,
				p_remote_addr::inet, p_request_id,
				jsonb_build_object('section_id', p_section, 'status', p.status,
					'user_id', p.user_id, 'on_behalf', true, 'source', 'bulk')
			FROM placed p)
	UPDATE bulk_result b SET enrollment_id = p.id, status = p.status
		FROM placed p WHERE b.user_id = p.user_id AND b.result IN ('enroll', 'waitlist');
	UPDATE bulk_result b SET waitlist_position = w.position
		FROM (SELECT e.id, row_number() OVER (ORDER BY e.waitlist_seq) AS position
			FROM enrollments e WHERE e.section_id = p_section AND e.status = 'waitlisted') w
		WHERE w.id = b.enrollment_id AND b.result = 'waitlist';

	-- One invitation per address and section, whatever is applied again.
	WITH invited AS (
		INSERT INTO enrollment_invitations (section_id, email, display_name, ladder_stage,
				invited_by)
			SELECT p_section, b.email, b.display_name, b.ladder_stage, p_actor
			FROM bulk_result b WHERE b.result = 'invite' ORDER BY b.line
			ON CONFLICT (section_id, email) DO NOTHING
			RETURNING email)
	SELECT count(outbox_enqueue_address(i.email, p_locale, 'invitation.enroll',
			jsonb_build_object('email', i.email, 'course_title',
				CASE p_locale WHEN 'en' THEN s.title_en ELSE s.title_ko END,
				'institution', CASE p_locale WHEN 'en' THEN s.name_en ELSE s.name_ko END,
				'term', s.term, 'section_id', p_section),
			'invitation.enroll:' || p_section || ':' || i.email))
		INTO k FROM invited i;
	UPDATE bulk_result SET status = 'invited' WHERE result = 'invite';
	RETURN n;
END $$;

GRANT SELECT, INSERT, DELETE ON enrollment_invitations TO lms_app;

-- An account deleted (account_erase) takes the invitations to its address
-- with it: no list of sections keeps naming the person.
CREATE FUNCTION enrollment_invitations_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM enrollment_invitations WHERE email = lower(OLD.email);
	RETURN NULL;
END $$;
CREATE TRIGGER users_erased_invitations AFTER UPDATE OF deleted_at ON users
	FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
	EXECUTE FUNCTION enrollment_invitations_forget();
