-- 0024_selection_interviews.sql - interview slots scheduled as class
-- sessions under the same exclusion rules, and a seat freed by a cancelled
-- enrolment in a section admitted by selection offered to the next in line.

-- An interview slot is a class session of the intake's section marked with
-- its interview stage: the exclusion constraints of class_sessions are the
-- one rule that keeps an interviewer out of two places and a room from two
-- bookings, for classes and interviews alike, and the interviewer's week
-- and calendar feed show the slot as they show a class.
ALTER TABLE class_sessions ADD COLUMN interview_stage_id bigint REFERENCES intake_stages (id);
CREATE INDEX class_sessions_interview ON class_sessions (interview_stage_id)
	WHERE interview_stage_id IS NOT NULL;

-- Which slot an applicant has for a stage: one per application and stage;
-- assigning again moves the applicant to the new slot.
CREATE TABLE interview_assignments (
	application_id bigint NOT NULL REFERENCES applications (id),
	stage_id bigint NOT NULL REFERENCES intake_stages (id),
	session_id bigint NOT NULL REFERENCES class_sessions (id),
	assigned_by bigint REFERENCES users (id),
	assigned_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (application_id, stage_id)
);
CREATE INDEX interview_assignments_session ON interview_assignments (session_id);

-- Schedules a slot for interview stage p_stage of intake p_intake. The
-- interviewer must be an instructor of the intake's institution or one lent
-- to it, the room the institution's or lent to it. A clash is the exclusion
-- constraints' error (23P01), for the caller to name. Codes: ok, not_found,
-- not_interview_stage, bad_times, interviewer_not_available, facility_not_available.
CREATE FUNCTION interview_slot_create(p_intake bigint, p_stage bigint, p_starts timestamptz,
	p_ends timestamptz, p_interviewer bigint, p_facility bigint, p_url text)
RETURNS TABLE (code text, id bigint)
LANGUAGE plpgsql AS $$
DECLARE
	i record;
	st record;
	sid bigint;
BEGIN
	SELECT it.section_id, it.institution_id INTO i FROM intakes it WHERE it.id = p_intake;
	SELECT s.kind INTO st FROM intake_stages s WHERE s.id = p_stage AND s.intake_id = p_intake;
	IF i.section_id IS NULL OR st.kind IS NULL THEN
		RETURN QUERY SELECT 'not_found', NULL::bigint;
		RETURN;
	END IF;
	IF st.kind <> 'interview' THEN
		RETURN QUERY SELECT 'not_interview_stage', NULL::bigint;
		RETURN;
	END IF;
	IF p_ends <= p_starts OR p_ends > p_starts + interval '1 day' THEN
		RETURN QUERY SELECT 'bad_times', NULL::bigint;
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM instructors x WHERE x.user_id = p_interviewer
			AND (x.home_institution_id = i.institution_id
			OR EXISTS (SELECT 1 FROM instructor_shares sh
				WHERE sh.instructor_id = x.user_id
				AND sh.institution_id = i.institution_id))) THEN
		RETURN QUERY SELECT 'interviewer_not_available', NULL::bigint;
		RETURN;
	END IF;
	IF p_facility IS NOT NULL AND NOT EXISTS (SELECT 1 FROM facilities f
			WHERE f.id = p_facility AND (f.institution_id = i.institution_id
			OR EXISTS (SELECT 1 FROM facility_loans l WHERE l.facility_id = f.id
				AND l.institution_id = i.institution_id))) THEN
		RETURN QUERY SELECT 'facility_not_available', NULL::bigint;
		RETURN;
	END IF;
	INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id, facility_id,
			online_url, interview_stage_id)
		VALUES (i.section_id, p_starts, p_ends, p_interviewer, p_facility, p_url, p_stage)
		RETURNING class_sessions.id INTO sid;
	RETURN QUERY SELECT 'ok', sid;
END $$;

-- Assigns application p_app to interview slot p_session of intake p_intake:
-- the application must wait in the slot's stage. The applicant is told
-- through the outbox, once per slot. Codes: ok, not_found, not_at_stage,
-- slot_cancelled.
CREATE FUNCTION interview_assign(p_intake bigint, p_session bigint, p_app bigint,
	p_actor bigint)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	cs record;
	a record;
BEGIN
	SELECT s.id, s.status, s.starts_at, s.ends_at, s.online_url, st.id AS stage_id,
		st.position, st.name_ko, st.name_en, f.name_ko AS room_ko, f.name_en AS room_en
		INTO cs FROM class_sessions s JOIN intake_stages st ON st.id = s.interview_stage_id
		LEFT JOIN facilities f ON f.id = s.facility_id
		WHERE s.id = p_session AND st.intake_id = p_intake;
	SELECT x.id, x.user_id, x.status, x.stage INTO a FROM applications x
		WHERE x.id = p_app AND x.intake_id = p_intake FOR UPDATE;
	IF cs.id IS NULL OR a.id IS NULL THEN
		RETURN 'not_found';
	END IF;
	IF cs.status <> 'scheduled' THEN
		RETURN 'slot_cancelled';
	END IF;
	IF a.status NOT IN ('applied', 'in_stage') OR a.stage <> cs.position THEN
		RETURN 'not_at_stage';
	END IF;
	INSERT INTO interview_assignments (application_id, stage_id, session_id, assigned_by)
		VALUES (p_app, cs.stage_id, p_session, p_actor)
		ON CONFLICT (application_id, stage_id) DO UPDATE
		SET session_id = EXCLUDED.session_id, assigned_by = EXCLUDED.assigned_by,
			assigned_at = now();
	PERFORM outbox_enqueue(a.user_id, 'interview.scheduled', application_mail_params(p_app)
		|| jsonb_build_object('stage_ko', cs.name_ko, 'stage_en', cs.name_en,
			'starts_at', to_char(cs.starts_at AT TIME ZONE 'Asia/Seoul',
				'YYYY-MM-DD HH24:MI "KST"'),
			'ends_at', to_char(cs.ends_at AT TIME ZONE 'Asia/Seoul', 'HH24:MI'),
			'place_ko', coalesce(cs.room_ko, cs.online_url),
			'place_en', coalesce(cs.room_en, cs.online_url),
			'session_id', cs.id),
		'interview.scheduled:' || p_app || ':' || p_session);
	RETURN 'ok';
END $$;

GRANT SELECT, INSERT, UPDATE ON interview_assignments TO lms_app;

-- A cancelled enrolment frees its seat (enrollments_record, which fires
-- first by name, has already lowered enrolled_count); if the section admits
-- by selection, the seat is offered on in the same transaction, exactly as
-- a decline does. Whoever cancels (the learner, an admin, a move, a
-- cancelled section, an erased account) goes through this one rule.
-- intake_offer locks the section row, so concurrent cancellations are
-- counted one after the other and each freed seat is offered once.
CREATE FUNCTION enrollment_selection_reoffer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	it bigint;
	actor text := current_setting('lms.actor_user_id', true);
	why text := current_setting('lms.reason', true);
BEGIN
	SELECT id INTO it FROM intakes WHERE section_id = NEW.section_id;
	IF it IS NULL THEN
		RETURN NULL;
	END IF;
	PERFORM intake_offer(it, 'offered: a seat was freed by a cancelled enrolment');
	-- The rest of the caller's statement keeps its own reason.
	PERFORM set_config('lms.actor_user_id', coalesce(actor, ''), true),
		set_config('lms.reason', coalesce(why, ''), true);
	RETURN NULL;
END $$;
CREATE TRIGGER enrollments_selection_reoffer AFTER UPDATE OF status ON enrollments
	FOR EACH ROW WHEN (OLD.status = 'enrolled' AND NEW.status = 'cancelled')
	EXECUTE FUNCTION enrollment_selection_reoffer();
