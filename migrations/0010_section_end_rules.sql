-- 0010_section_end_rules.sql - what the end of a section means for its
-- learners: a cancelled section ends their places, and nobody completes a
-- section that has not yet happened.

-- Cancelling a section cancels its enrolled and waitlisted learners in the
-- same statement, whoever cancels it, and rejects its pending applications
-- (the state machine has no pending -> cancelled): each change records its
-- enrollment_events row (reason section_cancelled) and an audit row naming
-- the actor, address and request the application put in lms.actor_user_id,
-- lms.remote_addr and lms.request_id. The seats they held are freed by
-- enrollment_record; a cancelled section promotes nobody.
CREATE FUNCTION section_cancelled() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	actor bigint := nullif(current_setting('lms.actor_user_id', true), '')::bigint;
	addr inet := nullif(current_setting('lms.remote_addr', true), '')::inet;
	request text := nullif(current_setting('lms.request_id', true), '');
BEGIN
	PERFORM set_config('lms.reason', 'section_cancelled', true);
	WITH ended AS (
		SELECT id, status FROM enrollments
			WHERE section_id = NEW.id AND status IN ('enrolled', 'waitlisted', 'pending')
			ORDER BY id FOR UPDATE),
	changed AS (
		UPDATE enrollments e SET status = CASE ended.status WHEN 'pending' THEN 'rejected'
				ELSE 'cancelled' END
			FROM ended WHERE e.id = ended.id
			RETURNING e.id, ended.status AS from_status, e.status AS to_status)
	INSERT INTO audit_log (actor_user_id, action, target_type, target_id, institution_id,
			remote_addr, request_id, detail)
		SELECT actor, 'enrollment.update', 'enrollment', changed.id, c.institution_id,
			addr, request, jsonb_build_object('from', changed.from_status,
				'to', changed.to_status, 'reason', 'section_cancelled',
				'section_id', NEW.id)
		FROM changed, courses c WHERE c.id = NEW.course_id;
	RETURN NULL;
END $$;
CREATE TRIGGER sections_cancelled AFTER UPDATE OF status ON sections
	FOR EACH ROW WHEN (NEW.status = 'cancelled' AND OLD.status <> 'cancelled')
	EXECUTE FUNCTION section_cancelled();

-- A learner completes a section only once it is over: its last day has
-- passed (Korean dates, as the catalogue's), or its last scheduled session
-- has ended. An admin may complete earlier by giving a reason in
-- lms.override_reason, which the application records in the history and
-- the audit trail. Named to fire after enrollments_guard, so an illegal
-- transition is reported as such first. Rows inserted as completed (seed
-- data, imports of past results) are history, not a completion now.
CREATE FUNCTION enrollment_completion_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF nullif(current_setting('lms.override_reason', true), '') IS NOT NULL
		OR EXISTS (SELECT 1 FROM sections s WHERE s.id = NEW.section_id
			AND s.ends_on < (now() AT TIME ZONE 'Asia/Seoul')::date)
		OR (SELECT max(ends_at) FROM class_sessions
			WHERE section_id = NEW.section_id AND status = 'scheduled') <= now() THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'section % has not ended', NEW.section_id
		USING ERRCODE = 'LMS02', HINT = 'section_not_ended';
END $$;
CREATE TRIGGER enrollments_guard_completion BEFORE UPDATE OF status ON enrollments
	FOR EACH ROW WHEN (NEW.status = 'completed' AND OLD.status <> 'completed')
	EXECUTE FUNCTION enrollment_completion_guard();
