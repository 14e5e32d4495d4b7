-- 0025_activity_authoring.sql - what authors may still change once learners
-- have attempted a quiz, files no row refers to leave the blob store, and
-- the programme's attendance threshold holds for every course.

-- ---- quizzes changed after their first attempt ----
--
-- An attempt stores the questions it showed (layout) and, once submitted,
-- its score, results and pass. Grading reads the question rows, so what a
-- question is graded by (its kind, points, number of choices and key) may
-- not change, nor may it be deleted, once any attempt holds it: the open
-- ones would be graded by another key, the submitted ones would no longer
-- add up. Its wording (prompt, choice texts, explanation) may; so may the
-- settings that act on attempts yet to start (time limit, attempts,
-- shuffling, feedback) and new questions, which only later attempts show.
-- The pass mark may not, or one score would pass for one learner and fail
-- for another.

-- Whether question p_id is in any attempt of quiz p_lesson.
CREATE FUNCTION quiz_question_attempted(p_lesson bigint, p_id bigint) RETURNS boolean
LANGUAGE sql STABLE
	RETURN EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.lesson_id = p_lesson
		AND a.layout @> jsonb_build_array(jsonb_build_object('question_id', p_id)));

-- Whether answer keys a and b of a question of kind grade alike: the same
-- set of right choices in any order for a multiple choice.
CREATE FUNCTION quiz_key_same(kind text, a jsonb, b jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN kind = 'multiple' THEN a @> b AND b @> a ELSE a = b END;

CREATE INDEX quiz_attempts_layout ON quiz_attempts USING gin (layout jsonb_path_ops);

CREATE FUNCTION quiz_question_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF quiz_question_attempted(OLD.lesson_id, OLD.id) THEN
		RAISE EXCEPTION 'question % is in learners'' attempts: what grades it cannot change',
			OLD.id USING ERRCODE = 'LMSQ6', HINT = 'quiz_change_alters_grades';
	END IF;
	RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER quiz_questions_graded_kept BEFORE UPDATE ON quiz_questions
	FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.points <> NEW.points
		OR NOT quiz_key_same(OLD.kind, OLD.correct, NEW.correct) OR OLD.lesson_id <> NEW.lesson_id
		OR jsonb_array_length(OLD.choices) <> jsonb_array_length(NEW.choices))
	EXECUTE FUNCTION quiz_question_guard();
CREATE TRIGGER quiz_questions_attempted_kept BEFORE DELETE ON quiz_questions
	FOR EACH ROW EXECUTE FUNCTION quiz_question_guard();

CREATE FUNCTION quiz_pass_mark_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM quiz_attempts WHERE lesson_id = OLD.lesson_id) THEN
		RAISE EXCEPTION 'quiz % has attempts: its pass mark cannot change', OLD.lesson_id
			USING ERRCODE = 'LMSQ6', HINT = 'quiz_change_alters_grades';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER quizzes_pass_mark_kept BEFORE UPDATE OF pass_pct ON quizzes
	FOR EACH ROW WHEN (OLD.pass_pct <> NEW.pass_pct) EXECUTE FUNCTION quiz_pass_mark_kept();

-- What the author's change p_questions (the questions as they will be, in
-- order, each with the id of the question it keeps, if any) and p_pass_pct
-- would alter of quiz p_lesson's attempts: [{field, message}], empty when
-- nothing. The triggers above refuse the same; this names every reason at
-- once, for the author.
CREATE FUNCTION quiz_change_refusals(p_lesson bigint, p_questions jsonb, p_pass_pct integer)
	RETURNS jsonb LANGUAGE sql STABLE AS $$
	WITH sent AS (
		SELECT x.ord - 1 AS i, x.q, (x.q ->> 'id')::bigint AS id
		FROM jsonb_array_elements(p_questions) WITH ORDINALITY x(q, ord)),
	kept AS (
		SELECT s.i, q.id,
			CASE WHEN q.kind <> s.q ->> 'kind' THEN 'kind'
				WHEN q.points <> (s.q ->> 'points')::numeric THEN 'points'
				WHEN jsonb_array_length(q.choices)
					<> jsonb_array_length(s.q -> 'choices') THEN 'choices'
				WHEN NOT quiz_key_same(q.kind, q.correct, s.q -> 'correct') THEN
					CASE WHEN q.kind = 'short' THEN 'accepted'
						WHEN q.kind <> 'numeric' THEN 'correct'
						WHEN q.correct -> 'value' <> s.q -> 'correct' -> 'value'
							THEN 'value' ELSE 'tolerance' END
			END AS field
		FROM sent s JOIN quiz_questions q ON q.id = s.id AND q.lesson_id = p_lesson),
	refused AS (
		SELECT 0 AS o, -1 AS i, 'pass_pct' AS field,
			'learners have attempted this quiz: its pass mark stays ' || z.pass_pct AS message
		FROM quizzes z WHERE z.lesson_id = p_lesson AND z.pass_pct <> p_pass_pct
			AND EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.lesson_id = p_lesson)
		UNION ALL
		SELECT 1, k.i, 'questions[' || k.i || '].' || k.field,
			'learners have attempted this question: its ' || k.field
				|| ' cannot change (add a new question instead)'
		FROM kept k WHERE k.field IS NOT NULL AND quiz_question_attempted(p_lesson, k.id)
		UNION ALL
		SELECT 2, q.position, 'questions',
			'question ' || q.id || ' ("' || left(q.prompt, 40) || '") is in learners'''
				|| ' attempts: it cannot be deleted'
		FROM quiz_questions q WHERE q.lesson_id = p_lesson
			AND NOT EXISTS (SELECT 1 FROM sent s WHERE s.id = q.id)
			AND quiz_question_attempted(p_lesson, q.id))
	SELECT coalesce(jsonb_agg(jsonb_build_object('field', field, 'message', message)
		ORDER BY o, i), '[]') FROM refused
$$;

-- ---- blobs nothing refers to ----
--
-- A file's bytes are stored once, whatever number of rows name them (the
-- store deduplicates by SHA-256), and every table that names a blob does so
-- through a foreign key. So a blob is unreferenced exactly when deleting it
-- breaks no foreign key: blob_release tries, and keeps it when one does.
-- Done in the transaction that dropped the reference, so a rolled-back
-- change loses nothing. A put of the same bytes at the same time locks the
-- blob's row (app/db/blobstore.c), so one of the two waits for the other.

-- Deletes blob p_sha256 (and its chunks) unless a row still refers to it;
-- true when it did.
CREATE FUNCTION blob_release(p_sha256 text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	IF p_sha256 IS NULL THEN
		RETURN false;
	END IF;
	DELETE FROM blobs WHERE sha256 = p_sha256;
	RETURN FOUND;
EXCEPTION WHEN foreign_key_violation THEN
	RETURN false;
END $$;

-- After a row's column TG_ARGV[0] (a blob's hash) changed or the row went:
-- the old blob released.
CREATE FUNCTION blob_release_old() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	old_hash text := to_jsonb(OLD) ->> TG_ARGV[0];
BEGIN
	IF old_hash IS NOT NULL
		AND (TG_OP = 'DELETE' OR old_hash IS DISTINCT FROM to_jsonb(NEW) ->> TG_ARGV[0]) THEN
		PERFORM blob_release(old_hash);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER assignment_submissions_blob AFTER UPDATE OF sha256 OR DELETE
	ON assignment_submissions FOR EACH ROW EXECUTE FUNCTION blob_release_old('sha256');
CREATE TRIGGER attachments_blob AFTER UPDATE OF sha256 OR DELETE
	ON attachments FOR EACH ROW EXECUTE FUNCTION blob_release_old('sha256');
CREATE TRIGGER application_documents_blob AFTER UPDATE OF sha256 OR DELETE
	ON application_documents FOR EACH ROW EXECUTE FUNCTION blob_release_old('sha256');
CREATE TRIGGER certificate_issuers_seal_blob AFTER UPDATE OF seal_sha256 OR DELETE
	ON certificate_issuers FOR EACH ROW EXECUTE FUNCTION blob_release_old('seal_sha256');
CREATE TRIGGER certificates_pdf_blob AFTER UPDATE OF pdf_sha256 OR DELETE
	ON certificates FOR EACH ROW EXECUTE FUNCTION blob_release_old('pdf_sha256');
CREATE TRIGGER certificates_seal_blob AFTER UPDATE OF seal_sha256 OR DELETE
	ON certificates FOR EACH ROW EXECUTE FUNCTION blob_release_old('seal_sha256');

-- An erased account (account_erase) keeps its submissions' grades, which
-- the gradebook and the enrolment's history count, but not its work: the
-- text and the file go, and with the file its bytes, unless another
-- submission holds the same.
CREATE FUNCTION assignment_submissions_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE assignment_submissions SET body = '', filename = NULL, content_type = NULL,
			size = NULL, sha256 = NULL
		WHERE user_id = OLD.id AND (body <> '' OR sha256 IS NOT NULL);
	RETURN NULL;
END $$;
CREATE TRIGGER users_erased_submissions AFTER UPDATE OF deleted_at ON users
	FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
	EXECUTE FUNCTION assignment_submissions_forget();

GRANT DELETE, UPDATE (size) ON blobs TO lms_app;

-- ---- the attendance threshold, with or without rules ----
--
-- The programme's min_attendance_pct held at completion before courses had
-- rules (checked by the enrolment handler), and the checklist said it was
-- not required for a course without a rules row. Now it is required for
-- every course whose programme has a threshold, unless the course's rules
-- say require_attendance false; a section with no session held yet is not
-- held to it; the comparison is exact (attended * 100 >= pct * held), as
-- the handler's. The completion trigger of 0019 follows the checklist, so
-- the database enforces it on every path to completed.
CREATE OR REPLACE FUNCTION completion_checklist(p_enrollment bigint) RETURNS jsonb
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
	att_required := min_att IS NOT NULL AND coalesce(r.require_attendance, true);
	att_met := held = 0 OR present * 100 >= coalesce(min_att, 0) * held;
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

-- Whether course p_course holds its learners to the programme's attendance
-- threshold (the handler's check and the roster read it).
CREATE FUNCTION course_requires_attendance(p_course bigint) RETURNS boolean
LANGUAGE sql STABLE
	RETURN coalesce((SELECT r.require_attendance FROM course_completion_rules r
		WHERE r.course_id = p_course), true);
