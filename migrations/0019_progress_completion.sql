-- 0019_progress_completion.sql - video progress from the intervals a player
-- actually played, a course's grade from its quizzes and assignments, and
-- what completing a course requires: rules per course, a checklist per
-- enrolment, and a guard on the transition to completed.

-- Each course may set what completion requires. A course with no row keeps
-- the rule of before: nothing beyond the section being over.
CREATE TABLE course_completion_rules (
	course_id bigint PRIMARY KEY REFERENCES courses (id),
	-- the programme's min_attendance_pct, when it has one
	require_attendance boolean NOT NULL DEFAULT true,
	min_grade_pct integer CHECK (min_grade_pct BETWEEN 1 AND 100), -- NULL: no grade needed
	require_lessons boolean NOT NULL DEFAULT false, -- every required lesson completed
	-- share of a video that must have been watched for it to be completed
	video_complete_pct integer NOT NULL DEFAULT 90 CHECK (video_complete_pct BETWEEN 50 AND 100),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- Lessons a course's completion does not wait for (extra reading).
ALTER TABLE lessons ADD COLUMN required boolean NOT NULL DEFAULT true;

-- What a learner watched of a video lesson: seconds as ranges, merged, so
-- that watching a part twice counts once and a seek counts nothing.
CREATE TABLE video_progress (
	user_id bigint NOT NULL REFERENCES users (id),
	lesson_id bigint NOT NULL REFERENCES lessons (id),
	watched int4multirange NOT NULL DEFAULT '{}',
	duration_s integer NOT NULL CHECK (duration_s BETWEEN 1 AND 86400),
	position_s integer NOT NULL DEFAULT 0 CHECK (position_s >= 0),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, lesson_id)
);

CREATE FUNCTION multirange_seconds(m int4multirange) RETURNS integer
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN (SELECT coalesce(sum(upper(r) - lower(r)), 0)::integer FROM unnest(m) r);

-- Records what p_user's player reports of video lesson p_lesson: the
-- intervals played ([[from, to], ...] in whole seconds), where it stands and
-- the video's length. No more new time is credited than the clock allows
-- since the last report (at double speed, plus a margin): a report that
-- claims more credits nothing and says 'too_fast' (the row is still kept,
-- so the same report sent again later counts). The lesson is completed once
-- the course's share of it has been watched.
CREATE FUNCTION video_report(p_user bigint, p_lesson bigint, p_intervals jsonb,
		p_position integer, p_duration integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	l lessons;
	vp video_progress;
	dur integer;
	added int4multirange;
	before integer;
	after integer;
	pct integer;
	outcome text := 'ok';
BEGIN
	SELECT * INTO l FROM lessons WHERE id = p_lesson;
	-- The player's length, but no shorter than the lesson says (less a
	-- minute of rounding): a short claimed length earns nothing.
	dur := least(greatest(p_duration, coalesce((l.duration_min - 1) * 60, 0), 1), 86400);
	INSERT INTO video_progress (user_id, lesson_id, duration_s) VALUES (p_user, p_lesson, dur)
		ON CONFLICT DO NOTHING;
	SELECT * INTO vp FROM video_progress WHERE user_id = p_user AND lesson_id = p_lesson
		FOR UPDATE;
	dur := greatest(dur, vp.duration_s);
	SELECT coalesce(range_agg(int4range(greatest((x ->> 0)::integer, 0),
			least((x ->> 1)::integer, dur))), '{}')
		INTO added FROM jsonb_array_elements(p_intervals) x
		WHERE (x ->> 0)::integer < least((x ->> 1)::integer, dur);
	before := multirange_seconds(vp.watched);
	after := multirange_seconds(vp.watched + added);
	IF after - before > 2 * extract(epoch FROM now() - vp.updated_at) + 20 THEN
		outcome := 'too_fast';
		after := before;
	ELSE
		UPDATE video_progress SET watched = watched + added, duration_s = dur,
			position_s = least(greatest(p_position, 0), dur), updated_at = now()
			WHERE user_id = p_user AND lesson_id = p_lesson;
	END IF;
	SELECT coalesce(r.video_complete_pct, 90) INTO pct FROM course_modules m
		LEFT JOIN course_completion_rules r ON r.course_id = m.course_id
		WHERE m.id = l.module_id;
	IF after * 100 >= pct * dur THEN
		INSERT INTO lesson_progress (user_id, lesson_id) VALUES (p_user, p_lesson)
			ON CONFLICT DO NOTHING;
	END IF;
	RETURN jsonb_build_object('outcome', outcome) || video_progress_json(p_user, p_lesson);
END $$;

-- Where p_user stands in video lesson p_lesson.
CREATE FUNCTION video_progress_json(p_user bigint, p_lesson bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('lesson_id', l.id,
		'position', coalesce(vp.position_s, 0),
		'duration', vp.duration_s,
		'watched_seconds', coalesce(multirange_seconds(vp.watched), 0),
		'watched', coalesce((SELECT jsonb_agg(jsonb_build_array(lower(r), upper(r)))
			FROM unnest(vp.watched) r), '[]'),
		'percent', CASE WHEN vp.duration_s > 0 THEN
			round(100.0 * multirange_seconds(vp.watched) / vp.duration_s, 1) ELSE 0 END,
		'complete_pct', coalesce(r.video_complete_pct, 90),
		'completed_at', (SELECT p.completed_at FROM lesson_progress p
			WHERE p.user_id = p_user AND p.lesson_id = l.id))
	FROM lessons l JOIN course_modules m ON m.id = l.module_id
	LEFT JOIN course_completion_rules r ON r.course_id = m.course_id
	LEFT JOIN video_progress vp ON vp.lesson_id = l.id AND vp.user_id = p_user
	WHERE l.id = p_lesson
$$;

-- The graded activities of course p_course and what p_user earned in each:
-- a quiz's best submitted attempt, an assignment's final score once graded.
CREATE FUNCTION course_activities(p_user bigint, p_course bigint)
	RETURNS TABLE (lesson_id bigint, kind text, title_ko text, title_en text, max_score numeric,
		earned numeric)
LANGUAGE sql STABLE AS $$
	SELECT l.id, l.kind, l.title_ko, l.title_en,
		CASE l.kind WHEN 'quiz' THEN (SELECT coalesce(sum(q.points), 0) FROM quiz_questions q
				WHERE q.lesson_id = l.id)
			ELSE a.max_score END,
		CASE l.kind WHEN 'quiz' THEN (SELECT max(t.score) FROM quiz_attempts t
				WHERE t.lesson_id = l.id AND t.user_id = p_user AND t.submitted_at IS NOT NULL)
			ELSE (SELECT s.final_score FROM assignment_submissions s
				WHERE s.lesson_id = l.id AND s.user_id = p_user AND s.status = 'graded') END
	FROM course_modules m JOIN lessons l ON l.module_id = m.id
	LEFT JOIN quizzes z ON z.lesson_id = l.id
	LEFT JOIN assignments a ON a.lesson_id = l.id
	WHERE m.course_id = p_course AND (z.lesson_id IS NOT NULL OR a.lesson_id IS NOT NULL)
	ORDER BY m.position, m.id, l.position, l.id
$$;

-- p_user's overall grade in p_course: points earned over points possible,
-- an activity not done counting nothing. pct is NULL when the course has no
-- graded activity.
CREATE FUNCTION course_grade(p_user bigint, p_course bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('earned', coalesce(sum(earned), 0),
		'max', coalesce(sum(max_score), 0),
		'pct', CASE WHEN sum(max_score) > 0
			THEN round(100 * coalesce(sum(earned), 0) / sum(max_score), 1) END,
		'activities', coalesce(jsonb_agg(jsonb_build_object('lesson_id', lesson_id,
			'kind', kind, 'title_ko', title_ko, 'title_en', title_en,
			'max_score', max_score, 'earned', earned)), '[]'))
	FROM course_activities(p_user, p_course)
$$;

-- Where enrolment p_enrollment stands against its course's completion
-- rules: each rule with whether it applies, the target, the value now and
-- whether it is met; met when every rule that applies is.
CREATE FUNCTION completion_checklist(p_enrollment bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	e enrollments;
	c_id bigint;
	r course_completion_rules;
	min_att integer;
	held integer;
	present integer;
	grade jsonb;
	lessons_total integer;
	lessons_done integer;
	items jsonb := '[]';
	att_pct numeric;
	att_required boolean;
	grade_required boolean;
	lessons_required boolean;
	att_met boolean;
	grade_met boolean;
	lessons_met boolean;
BEGIN
	SELECT * INTO e FROM enrollments WHERE id = p_enrollment;
	SELECT s.course_id, p.min_attendance_pct INTO c_id, min_att
		FROM sections s JOIN courses c ON c.id = s.course_id
		JOIN programs p ON p.id = c.program_id WHERE s.id = e.section_id;
	SELECT * INTO r FROM course_completion_rules WHERE course_id = c_id;
	-- Attendance: of the sessions held so far, the share attended.
	SELECT count(*), count(*) FILTER (WHERE a.present) INTO held, present
		FROM class_sessions cs LEFT JOIN attendance a ON a.session_id = cs.id
			AND a.enrollment_id = e.id
		WHERE cs.section_id = e.section_id AND cs.status = 'scheduled' AND cs.starts_at <= now();
	att_pct := CASE WHEN held > 0 THEN round(100.0 * present / held, 1) END;
	att_required := r.course_id IS NOT NULL AND r.require_attendance AND min_att IS NOT NULL;
	att_met := held = 0 OR att_pct >= coalesce(min_att, 0);
	grade := course_grade(e.user_id, c_id);
	grade_required := r.min_grade_pct IS NOT NULL;
	grade_met := coalesce((grade ->> 'pct')::numeric, 0) >= coalesce(r.min_grade_pct, 0);
	SELECT count(*), count(lp.lesson_id) INTO lessons_total, lessons_done
		FROM course_modules m JOIN lessons l ON l.module_id = m.id
		LEFT JOIN lesson_progress lp ON lp.lesson_id = l.id AND lp.user_id = e.user_id
		WHERE m.course_id = c_id AND l.required;
	lessons_required := coalesce(r.require_lessons, false);
	lessons_met := lessons_done >= lessons_total;
	items := jsonb_build_array(
		jsonb_build_object('rule', 'attendance', 'required', att_required,
			'target_pct', min_att, 'value_pct', att_pct, 'sessions_held', held,
			'sessions_attended', present, 'met', att_met),
		jsonb_build_object('rule', 'grade', 'required', grade_required,
			'target_pct', r.min_grade_pct, 'value_pct', grade -> 'pct',
			'earned', grade -> 'earned', 'max', grade -> 'max', 'met', grade_met,
			'activities', grade -> 'activities'),
		jsonb_build_object('rule', 'lessons', 'required', lessons_required,
			'total', lessons_total, 'completed', lessons_done, 'met', lessons_met));
	RETURN jsonb_build_object('enrollment_id', e.id, 'course_id', c_id,
		'status', e.status, 'rules_set', r.course_id IS NOT NULL, 'items', items,
		'met', (NOT att_required OR att_met) AND (NOT grade_required OR grade_met)
			AND (NOT lessons_required OR lessons_met));
END $$;

-- Completion waits for the course's rules, unless an admin overrides with a
-- reason (lms.override_reason, as for a section not yet over). Named to fire
-- after enrollments_guard_completion.
CREATE FUNCTION enrollment_requirements_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF nullif(current_setting('lms.override_reason', true), '') IS NOT NULL
		OR (completion_checklist(NEW.id) ->> 'met')::boolean THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'enrolment % does not meet its course''s completion rules', NEW.id
		USING ERRCODE = 'LMS03', HINT = 'requirements_not_met';
END $$;
CREATE TRIGGER enrollments_guard_requirements BEFORE UPDATE OF status ON enrollments
	FOR EACH ROW WHEN (NEW.status = 'completed' AND OLD.status <> 'completed')
	EXECUTE FUNCTION enrollment_requirements_guard();

GRANT SELECT, INSERT, UPDATE ON course_completion_rules, video_progress TO lms_app;
