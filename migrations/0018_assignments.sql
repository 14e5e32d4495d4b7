-- 0018_assignments.sql - a lesson may be an assignment: instructions (the
-- lesson's body), a due date with a late policy, and one submission per
-- learner (a file, a text or both), resubmitted until it is due and graded
-- or returned for revision by the instructors of the learner's section.

ALTER TABLE lessons DROP CONSTRAINT lessons_kind_check;
ALTER TABLE lessons ADD CONSTRAINT lessons_kind_check
	CHECK (kind IN ('text', 'video', 'link', 'file', 'quiz', 'assignment'));

CREATE TABLE assignments (
	lesson_id bigint PRIMARY KEY REFERENCES lessons (id),
	due_at timestamptz NOT NULL,
	-- After due_at: refuse; accept (marked late); or accept and take
	-- late_penalty_pct off the score. Either until late_until, if set.
	late_policy text NOT NULL DEFAULT 'refuse'
		CHECK (late_policy IN ('refuse', 'accept', 'penalty')),
	late_penalty_pct integer NOT NULL DEFAULT 0 CHECK (late_penalty_pct BETWEEN 0 AND 100),
	late_until timestamptz,
	max_score integer NOT NULL DEFAULT 100 CHECK (max_score BETWEEN 1 AND 1000),
	accepts text NOT NULL DEFAULT 'both' CHECK (accepts IN ('file', 'text', 'both')),
	max_file_mb integer NOT NULL DEFAULT 20 CHECK (max_file_mb BETWEEN 1 AND 200),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (late_until IS NULL OR late_until > due_at)
);

CREATE TABLE assignment_submissions (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	lesson_id bigint NOT NULL REFERENCES assignments (lesson_id),
	user_id bigint NOT NULL REFERENCES users (id),
	version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
	body text NOT NULL DEFAULT '' CHECK (length(body) <= 50000),
	filename text CHECK (length(filename) BETWEEN 1 AND 255),
	content_type text CHECK (content_type IN ('application/pdf', 'application/zip',
		'application/x-ipynb+json', 'image/png', 'image/jpeg')),
	size bigint CHECK (size >= 0),
	sha256 text REFERENCES blobs (sha256),
	submitted_at timestamptz NOT NULL DEFAULT now(),
	late boolean NOT NULL DEFAULT false,
	status text NOT NULL DEFAULT 'submitted'
		CHECK (status IN ('submitted', 'graded', 'returned')),
	score numeric(7, 2),       -- as the instructor gave it
	final_score numeric(7, 2), -- after any late penalty
	feedback text NOT NULL DEFAULT '' CHECK (length(feedback) <= 20000),
	graded_by bigint REFERENCES users (id),
	graded_at timestamptz,
	UNIQUE (lesson_id, user_id),
	CHECK ((filename IS NULL) = (sha256 IS NULL) AND (filename IS NULL) = (size IS NULL)
		AND (filename IS NULL) = (content_type IS NULL)),
	CHECK ((status = 'graded') = (score IS NOT NULL) AND (score IS NULL) = (final_score IS NULL)),
	CHECK (status = 'submitted' OR graded_at IS NOT NULL)
);
CREATE INDEX assignment_submissions_queue ON assignment_submissions (lesson_id, status, submitted_at);
CREATE INDEX assignment_submissions_user ON assignment_submissions (user_id);

-- Whether a submission may be made now at assignment p_lesson by p_user:
-- 'ontime', 'late', or raises LMSA1 (past due) / LMSA2 (graded: final).
-- Locks the learner's submission row, if any.
CREATE FUNCTION assignment_window(p_lesson bigint, p_user bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	a assignments;
	st text;
BEGIN
	SELECT * INTO a FROM assignments WHERE lesson_id = p_lesson FOR SHARE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'lesson % is no assignment yet', p_lesson
			USING ERRCODE = 'LMSA3', HINT = 'assignment_not_set';
	END IF;
	SELECT status INTO st FROM assignment_submissions
		WHERE lesson_id = p_lesson AND user_id = p_user FOR UPDATE;
	IF st = 'graded' THEN
		RAISE EXCEPTION 'the submission at % is graded', p_lesson
			USING ERRCODE = 'LMSA2', HINT = 'already_graded';
	END IF;
	IF now() <= a.due_at THEN
		RETURN 'ontime';
	END IF;
	-- Returned for revision: the instructor asked for it, whatever the date.
	IF st = 'returned' THEN
		RETURN 'late';
	END IF;
	IF a.late_policy = 'refuse' OR (a.late_until IS NOT NULL AND now() > a.late_until) THEN
		RAISE EXCEPTION 'assignment % is past due', p_lesson
			USING ERRCODE = 'LMSA1', HINT = 'past_due';
	END IF;
	RETURN 'late';
END $$;

-- Records p_user's submission at p_lesson: the text when p_body is not
-- NULL, the file when p_sha256 is not NULL (the other part is kept). Returns
-- its id.
CREATE FUNCTION assignment_submit(p_lesson bigint, p_user bigint, p_body text,
		p_filename text, p_content_type text, p_size bigint, p_sha256 text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	is_late boolean := assignment_window(p_lesson, p_user) = 'late';
	new_id bigint;
BEGIN
	INSERT INTO assignment_submissions AS s (lesson_id, user_id, body, filename, content_type,
			size, sha256, late)
		VALUES (p_lesson, p_user, coalesce(p_body, ''), p_filename, p_content_type, p_size,
			p_sha256, is_late)
		ON CONFLICT (lesson_id, user_id) DO UPDATE SET version = s.version + 1,
			body = coalesce(p_body, s.body),
			filename = CASE WHEN p_sha256 IS NULL THEN s.filename ELSE p_filename END,
			content_type = CASE WHEN p_sha256 IS NULL THEN s.content_type
				ELSE p_content_type END,
			size = CASE WHEN p_sha256 IS NULL THEN s.size ELSE p_size END,
			sha256 = coalesce(p_sha256, s.sha256),
			submitted_at = now(), late = is_late, status = 'submitted',
			graded_at = NULL, graded_by = NULL
		RETURNING id INTO new_id;
	RETURN new_id;
END $$;

-- Grades submission p_id (p_score NULL: returns it for revision with the
-- feedback) as p_grader. The late penalty applies to a late submission.
-- Returns the final score (NULL when returned).
CREATE FUNCTION assignment_grade(p_id bigint, p_grader bigint, p_score numeric,
		p_feedback text) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
	s assignment_submissions;
	a assignments;
	fin numeric;
BEGIN
	SELECT * INTO s FROM assignment_submissions WHERE id = p_id FOR UPDATE;
	SELECT * INTO a FROM assignments WHERE lesson_id = s.lesson_id;
	IF p_score IS NOT NULL AND (p_score < 0 OR p_score > a.max_score) THEN
		RAISE EXCEPTION 'score % is outside 0..%', p_score, a.max_score
			USING ERRCODE = 'LMSA4', HINT = 'score_out_of_range';
	END IF;
	fin := CASE WHEN p_score IS NULL THEN NULL
		WHEN s.late AND a.late_policy = 'penalty'
			THEN round(p_score * (100 - a.late_penalty_pct) / 100.0, 2)
		ELSE p_score END;
	UPDATE assignment_submissions SET status = CASE WHEN p_score IS NULL THEN 'returned'
			ELSE 'graded' END,
		score = p_score, final_score = fin, feedback = coalesce(p_feedback, ''),
		graded_by = p_grader, graded_at = now()
		WHERE id = p_id;
	IF p_score IS NOT NULL THEN
		INSERT INTO lesson_progress (user_id, lesson_id) VALUES (s.user_id, s.lesson_id)
			ON CONFLICT DO NOTHING;
	END IF;
	RETURN fin;
END $$;

GRANT SELECT, INSERT, UPDATE ON assignments, assignment_submissions TO lms_app;

-- An assignment lesson stays one once its assignment exists.
CREATE FUNCTION lesson_assignment_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM assignments WHERE lesson_id = OLD.id) THEN
		RAISE EXCEPTION 'lesson % has an assignment: it stays one', OLD.id
			USING ERRCODE = '23514';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER lessons_assignment_kept BEFORE UPDATE OF kind ON lessons
	FOR EACH ROW WHEN (OLD.kind = 'assignment' AND NEW.kind <> 'assignment')
	EXECUTE FUNCTION lesson_assignment_kept();

-- A submission as its learner and graders see it.
CREATE FUNCTION assignment_submission_json(p_id bigint) RETURNS json LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', s.id, 'lesson_id', s.lesson_id, 'user_id', s.user_id,
		'display_name', u.display_name, 'version', s.version, 'body', s.body,
		'file', CASE WHEN s.sha256 IS NOT NULL THEN json_build_object(
			'filename', s.filename, 'content_type', s.content_type, 'size', s.size,
			'download', '/api/v1/assignment-submissions/' || s.id || '/file') END,
		'submitted_at', s.submitted_at, 'late', s.late, 'status', s.status,
		'score', s.score, 'final_score', s.final_score, 'feedback', s.feedback,
		'graded_at', s.graded_at)
	FROM assignment_submissions s JOIN users u ON u.id = s.user_id WHERE s.id = p_id
$$;
