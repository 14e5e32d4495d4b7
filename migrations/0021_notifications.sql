-- 0021_notifications.sql - telling people what happened to them: every kind
-- of notice is enqueued by the database, in the transaction of the change,
-- whoever makes the change (a request, a promotion, a cancelled section).

-- The kinds of notice, and which a user may turn off. A notice of a change
-- to one's own enrolment (a seat, an application's answer, a cancellation,
-- a completion) changes what one may do and is always sent; a change to
-- the timetable of a class is optional.
CREATE TABLE notification_kinds (
	kind text PRIMARY KEY,
	optional boolean NOT NULL,
	position integer NOT NULL UNIQUE
);
INSERT INTO notification_kinds (kind, optional, position) VALUES
	('enrollment.promoted', false, 1),
	('enrollment.approved', false, 2),
	('enrollment.rejected', false, 3),
	('enrollment.cancelled', false, 4),
	('section.cancelled', false, 5),
	('enrollment.completed', false, 6),
	('session.moved', true, 7),
	('session.cancelled', true, 8);
GRANT SELECT ON notification_kinds TO lms_app;

-- A user's choice for an optional kind; no row: sent.
CREATE TABLE notification_settings (
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind text NOT NULL REFERENCES notification_kinds (kind),
	enabled boolean NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, kind)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON notification_settings TO lms_app;

-- Only optional kinds can be turned off.
CREATE FUNCTION notification_setting_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NOT NEW.enabled AND NOT (SELECT optional FROM notification_kinds WHERE kind = NEW.kind)
	THEN
		RAISE EXCEPTION 'notices of kind % cannot be turned off', NEW.kind
			USING ERRCODE = '23514', CONSTRAINT = 'notification_settings_required';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER notification_settings_check BEFORE INSERT OR UPDATE ON notification_settings
	FOR EACH ROW EXECUTE FUNCTION notification_setting_check();

-- Enqueues a notice of p_kind to p_user (params plus the user's name)
-- unless the user turned that kind off; the one place every notice goes
-- through.
CREATE FUNCTION notify(p_user bigint, p_kind text, p_params jsonb, p_dedup text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM notification_settings
			WHERE user_id = p_user AND kind = p_kind AND NOT enabled) THEN
		RETURN NULL;
	END IF;
	RETURN outbox_enqueue(p_user, p_kind,
		(SELECT jsonb_build_object('name', display_name) FROM users WHERE id = p_user)
			|| p_params, p_dedup);
END $$;

-- What a notice says about a section: its course in both languages (the
-- template picks the recipient's) and its term and dates.
CREATE FUNCTION notice_section_params(p_section bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('course_ko', c.title_ko, 'course_en', c.title_en,
		'course_code', c.code, 'term', s.term, 'starts_on', s.starts_on::text,
		'ends_on', s.ends_on::text, 'section_id', s.id, 'course_id', c.id)
	FROM sections s JOIN courses c ON c.id = s.course_id WHERE s.id = p_section
$$;

-- A change of an enrolment's status tells its learner, by what happened:
-- a seat from the waitlist, an application's answer (with the reason), a
-- cancellation by someone else (an admin; the learner's own is not told
-- back), the whole section cancelled, a completion. An enrolment moved to
-- another section (lms.moving) is not told as a cancellation.
CREATE FUNCTION enrollment_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	actor bigint := nullif(current_setting('lms.actor_user_id', true), '')::bigint;
	why text := nullif(current_setting('lms.reason', true), '');
	kind text;
BEGIN
	kind := CASE
		WHEN OLD.status = 'waitlisted' AND NEW.status = 'enrolled' THEN 'enrollment.promoted'
		WHEN OLD.status = 'pending' AND NEW.status = 'enrolled' THEN 'enrollment.approved'
		WHEN why = 'section_cancelled' AND NEW.status IN ('rejected', 'cancelled')
			THEN 'section.cancelled'
		WHEN OLD.status = 'pending' AND NEW.status = 'rejected' THEN 'enrollment.rejected'
		WHEN NEW.status = 'cancelled' AND actor IS DISTINCT FROM NEW.user_id
			AND coalesce(current_setting('lms.moving', true), '') <> 'on'
			THEN 'enrollment.cancelled'
		WHEN NEW.status = 'completed' THEN 'enrollment.completed'
	END;
	IF kind IS NOT NULL THEN
		-- A completion's notice carries the certificate it issued (the
		-- certificates trigger, enrollments_certificate, ran before this one).
		PERFORM notify(NEW.user_id, kind,
			notice_section_params(NEW.section_id) || jsonb_build_object(
				'reason', coalesce(why, '-'), 'enrollment_id', NEW.id)
			|| CASE WHEN kind = 'enrollment.completed' THEN jsonb_build_object('serial',
				coalesce((SELECT serial FROM certificates WHERE enrollment_id = NEW.id
					AND revoked_at IS NULL ORDER BY id DESC LIMIT 1), '-'))
				ELSE '{}' END,
			'enrollment ' || NEW.id || ' ' || NEW.status
			|| CASE WHEN kind = 'enrollment.completed' THEN ' ' || txid_current() ELSE '' END);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER enrollments_notify AFTER UPDATE OF status ON enrollments
	FOR EACH ROW WHEN (NEW.status <> OLD.status) EXECUTE FUNCTION enrollment_notify();

-- A class moved or cancelled tells the section's enrolled learners, with
-- the new time (Korean time, as the timetable shows it).
CREATE FUNCTION class_session_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	kind text := CASE WHEN NEW.status = 'cancelled' THEN 'session.cancelled'
		ELSE 'session.moved' END;
	params jsonb := notice_section_params(NEW.section_id) || jsonb_build_object(
		'old_starts', to_char(OLD.starts_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD HH24:MI'),
		'old_ends', to_char(OLD.ends_at AT TIME ZONE 'Asia/Seoul', 'HH24:MI'),
		'new_starts', to_char(NEW.starts_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD HH24:MI'),
		'new_ends', to_char(NEW.ends_at AT TIME ZONE 'Asia/Seoul', 'HH24:MI'),
		'session_id', NEW.id);
BEGIN
	PERFORM notify(e.user_id, kind, params, NULL)
		FROM enrollments e WHERE e.section_id = NEW.section_id AND e.status = 'enrolled';
	RETURN NULL;
END $$;
CREATE TRIGGER class_sessions_notify AFTER UPDATE OF starts_at, ends_at, status ON class_sessions
	FOR EACH ROW WHEN (OLD.status = 'scheduled' AND (NEW.status = 'cancelled'
		OR (NEW.status = 'scheduled' AND (NEW.starts_at, NEW.ends_at)
			IS DISTINCT FROM (OLD.starts_at, OLD.ends_at))))
	EXECUTE FUNCTION class_session_notify();
