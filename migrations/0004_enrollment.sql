-- 0004_enrollment.sql - the enrolment engine: the state machine, exact seats,
-- the waitlist, its history, and idempotent retries.

-- The state machine, as data: every change of an enrolment's status must be
-- one of these rows, or the database refuses it.
CREATE TABLE enrollment_transitions (
	from_status text NOT NULL,
	to_status text NOT NULL,
	PRIMARY KEY (from_status, to_status)
);
INSERT INTO enrollment_transitions VALUES
	('pending', 'enrolled'), ('pending', 'rejected'),
	('waitlisted', 'enrolled'), ('waitlisted', 'cancelled'),
	('enrolled', 'cancelled'), ('enrolled', 'completed'), ('enrolled', 'incomplete');

-- Every status an enrolment took: who, when, from, to, why.
CREATE TABLE enrollment_events (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	enrollment_id bigint NOT NULL REFERENCES enrollments (id),
	at timestamptz NOT NULL DEFAULT now(),
	actor_user_id bigint,
	from_status text,          -- NULL: the enrolment was created
	to_status text NOT NULL,
	reason text
);
CREATE INDEX enrollment_events_enrollment ON enrollment_events (enrollment_id, id);

-- Seats taken, kept by the trigger below: the CHECK makes over-filling a
-- section impossible whatever the code path or the concurrency.
ALTER TABLE sections ADD COLUMN enrolled_count integer NOT NULL DEFAULT 0,
	ADD CONSTRAINT sections_seats CHECK (enrolled_count BETWEEN 0 AND capacity);

-- Waitlist order: first come, first served, across the whole platform.
CREATE SEQUENCE waitlist_seq;
ALTER TABLE enrollments ADD COLUMN waitlist_seq bigint;
CREATE INDEX enrollments_waitlist ON enrollments (section_id, waitlist_seq)
	WHERE status = 'waitlisted';

-- Who changes a status and why travel with the transaction: the
-- application sets lms.actor_user_id and lms.reason with set_config(...,
-- true).
CREATE FUNCTION enrollment_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		IF NEW.status = OLD.status THEN
			RETURN NEW;
		END IF;
		IF NOT EXISTS (SELECT 1 FROM enrollment_transitions
				WHERE from_status = OLD.status AND to_status = NEW.status) THEN
			RAISE EXCEPTION 'illegal transition from % to %', OLD.status, NEW.status
				USING ERRCODE = 'LMS01', HINT = 'illegal_transition';
		END IF;
		NEW.updated_at := now();
		IF NEW.status <> 'waitlisted' THEN
			NEW.waitlist_seq := NULL;
		END IF;
	ELSIF NEW.status = 'waitlisted' AND NEW.waitlist_seq IS NULL THEN
		NEW.waitlist_seq := nextval('waitlist_seq');
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER enrollments_guard BEFORE INSERT OR UPDATE OF status ON enrollments
	FOR EACH ROW EXECUTE FUNCTION enrollment_guard();

CREATE FUNCTION enrollment_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	actor bigint := nullif(current_setting('lms.actor_user_id', true), '')::bigint;
	why text := nullif(current_setting('lms.reason', true), '');
	delta integer := 0;
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.status = OLD.status THEN
		RETURN NULL;
	END IF;
	INSERT INTO enrollment_events (enrollment_id, actor_user_id, from_status, to_status, reason)
		VALUES (NEW.id, actor, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status,
			why);
	IF NEW.status = 'enrolled' THEN
		delta := 1;
	END IF;
	IF TG_OP = 'UPDATE' AND OLD.status = 'enrolled' THEN
		delta := delta - 1;
	END IF;
	IF delta <> 0 THEN
		UPDATE sections SET enrolled_count = enrolled_count + delta WHERE id = NEW.section_id;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER enrollments_record AFTER INSERT OR UPDATE OF status ON enrollments
	FOR EACH ROW EXECUTE FUNCTION enrollment_record();

-- Fills free seats of a section from its waitlist, oldest first. The caller
-- holds the section row locked (FOR UPDATE), so two transactions never
-- promote into the same seats. Returns how many were promoted.
CREATE FUNCTION enrollment_promote(p_section bigint, p_reason text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	free integer;
	n integer;
BEGIN
	SELECT capacity - enrolled_count INTO free FROM sections
		WHERE id = p_section AND status <> 'cancelled';
	IF free IS NULL OR free <= 0 THEN
		RETURN 0;
	END IF;
	PERFORM set_config('lms.reason', p_reason, true);
	UPDATE enrollments SET status = 'enrolled'
		WHERE id IN (SELECT id FROM enrollments
			WHERE section_id = p_section AND status = 'waitlisted'
			ORDER BY waitlist_seq LIMIT free);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $$;

-- Enrols p_user in p_section in one statement: eligibility, seat, waitlist
-- place or application, and the audit row. Refusals come back as a code,
-- not an error, so a refusal costs one round trip like a success.
CREATE FUNCTION enroll(p_user bigint, p_section bigint, p_statement text,
	p_remote_addr text, p_request_id text)
RETURNS TABLE (code text, enrollment_id bigint, status text, waitlist_position bigint,
	detail jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	s record;
	u record;
	missing record;
	new_status text;
	e record;
BEGIN
	-- The section row lock orders every enrolment of this section: seats
	-- and waitlist places are handed out one transaction at a time.
	SELECT sec.id, sec.status, sec.capacity, sec.enrolled_count, sec.enrollment_opens_at,
		sec.enrollment_closes_at, c.id AS course_id, c.published, c.institution_id,
		p.allowed_stages, p.affiliation_required, p.approval_required
		INTO s
		FROM sections sec JOIN courses c ON c.id = sec.course_id
		JOIN programs p ON p.id = c.program_id
		WHERE sec.id = p_section FOR UPDATE OF sec;
	IF NOT FOUND OR NOT s.published OR s.status = 'draft' THEN
		RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::text, NULL::bigint, NULL::jsonb;
		RETURN;
	END IF;
	IF s.status = 'cancelled' THEN
		RETURN QUERY SELECT 'section_cancelled', NULL::bigint, NULL::text, NULL::bigint,
			NULL::jsonb;
		RETURN;
	END IF;
	IF now() < s.enrollment_opens_at THEN
		RETURN QUERY SELECT 'enrollment_not_open', NULL::bigint, NULL::text, NULL::bigint,
			jsonb_build_object('opens_at', s.enrollment_opens_at);
		RETURN;
	END IF;
	IF s.status = 'closed' OR now() >= s.enrollment_closes_at THEN
		RETURN QUERY SELECT 'enrollment_closed', NULL::bigint, NULL::text, NULL::bigint,
			jsonb_build_object('closes_at', s.enrollment_closes_at);
		RETURN;
	END IF;
	SELECT ladder_stage, affiliation_institution_id INTO u FROM users WHERE id = p_user;
	IF NOT (u.ladder_stage = ANY (s.allowed_stages)) THEN
		RETURN QUERY SELECT 'not_eligible_stage', NULL::bigint, NULL::text, NULL::bigint,
			jsonb_build_object('ladder_stage', u.ladder_stage,
				'allowed_stages', s.allowed_stages);
		RETURN;
	END IF;
	IF s.affiliation_required AND u.affiliation_institution_id IS NULL THEN
		RETURN QUERY SELECT 'affiliation_required', NULL::bigint, NULL::text, NULL::bigint,
			NULL::jsonb;
		RETURN;
	END IF;
	-- The rungs below this one must be completed.
	SELECT pc.id, pc.title_ko, pc.title_en INTO missing
		FROM course_prerequisites cp JOIN courses pc ON pc.id = cp.prerequisite_id
		WHERE cp.course_id = s.course_id AND NOT EXISTS (
			SELECT 1 FROM enrollments pe JOIN sections ps ON ps.id = pe.section_id
			WHERE pe.user_id = p_user AND ps.course_id = pc.id
			AND pe.status = 'completed')
		ORDER BY pc.id LIMIT 1;
	IF FOUND THEN
		RETURN QUERY SELECT 'prerequisite_missing', NULL::bigint, NULL::text, NULL::bigint,
			jsonb_build_object('course_id', missing.id, 'title_ko', missing.title_ko,
				'title_en', missing.title_en);
		RETURN;
	END IF;
	IF EXISTS (SELECT 1 FROM enrollments x WHERE x.user_id = p_user
			AND x.section_id = p_section
			AND x.status IN ('pending', 'enrolled', 'waitlisted')) THEN
		RETURN QUERY SELECT 'already_enrolled', NULL::bigint, NULL::text, NULL::bigint,
			NULL::jsonb;
		RETURN;
	END IF;

	new_status := CASE WHEN s.approval_required THEN 'pending'
		WHEN s.enrolled_count < s.capacity THEN 'enrolled'
		ELSE 'waitlisted' END;
	PERFORM set_config('lms.actor_user_id', p_user::text, true);
	PERFORM set_config('lms.reason', CASE new_status WHEN 'pending' THEN 'applied'
		WHEN 'enrolled' THEN 'enrolled' ELSE 'section full: waitlisted' END, true);
	INSERT INTO enrollments (user_id, section_id, status, statement)
		VALUES (p_user, p_section, new_status, p_statement)
		RETURNING enrollments.id, enrollments.waitlist_seq, enrollments.created_at INTO e;
	INSERT INTO audit_log (actor_user_id, action, target_type, target_id, institution_id,
			remote_addr, request_id, detail)
		VALUES (p_user, 'enrollment.create', 'enrollment', e.id, s.institution_id,
			p_remote_addr::inet, p_request_id,
			jsonb_build_object('section_id', p_section, 'status', new_status));
	RETURN QUERY SELECT 'ok', e.id, new_status,
		CASE WHEN new_status = 'waitlisted' THEN (SELECT count(*) FROM enrollments w
			WHERE w.section_id = p_section AND w.status = 'waitlisted'
			AND w.waitlist_seq <= e.waitlist_seq) END,
		jsonb_build_object('course_id', s.course_id, 'created_at', e.created_at);
END $$;

-- A retried request with the same Idempotency-Key gets the first answer.
CREATE TABLE idempotency_keys (
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	scope text NOT NULL,          -- method and path
	key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
	status integer,               -- NULL while the first request runs
	body text,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, scope, key)
);

GRANT SELECT ON enrollment_transitions, enrollment_events TO lms_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO lms_app;
GRANT USAGE ON SEQUENCE waitlist_seq TO lms_app;
GRANT INSERT ON enrollment_events TO lms_app;
