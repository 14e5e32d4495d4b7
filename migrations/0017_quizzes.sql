-- 0017_quizzes.sql - a lesson may be a quiz, graded by the database at
-- submission. The answer key lives in quiz_questions.correct, which only the
-- course's instructors and admins read; a learner sees questions only through
-- an attempt, whose order and choice order are fixed when it starts. The
-- clock is the database's: an attempt started at T with a limit L cannot be
-- submitted after T + L + quiz_grace().

ALTER TABLE lessons DROP CONSTRAINT lessons_kind_check;
ALTER TABLE lessons ADD CONSTRAINT lessons_kind_check
	CHECK (kind IN ('text', 'video', 'link', 'file', 'quiz'));

-- How late a submission may arrive after the deadline and still count: the
-- network, not the learner.
CREATE FUNCTION quiz_grace() RETURNS interval LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN interval '15 seconds';

CREATE TABLE quizzes (
	lesson_id bigint PRIMARY KEY REFERENCES lessons (id),
	attempts_max integer CHECK (attempts_max BETWEEN 1 AND 100),   -- NULL: any number
	time_limit_s integer CHECK (time_limit_s BETWEEN 60 AND 86400), -- NULL: no limit
	pass_pct integer NOT NULL DEFAULT 60 CHECK (pass_pct BETWEEN 0 AND 100),
	shuffle_questions boolean NOT NULL DEFAULT true,
	shuffle_choices boolean NOT NULL DEFAULT true,
	-- What a learner sees of a submitted attempt: that it was received, its
	-- score, or its score with each question's result and correct answer.
	feedback text NOT NULL DEFAULT 'score' CHECK (feedback IN ('none', 'score', 'answers')),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- Whether correct is an answer key of the shape kind needs: single and
-- multiple choice, indexes into choices (a list of 2 to 20 texts), one for
-- single; short answer, 1 to 20 accepted texts; numeric, a value and a
-- tolerance of 0 or more.
CREATE FUNCTION quiz_key_valid(kind text, choices jsonb, correct jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF kind IS NULL OR choices IS NULL OR correct IS NULL THEN
		RETURN false;
	END IF;
	IF kind IN ('single', 'multiple') THEN
		IF jsonb_typeof(choices) <> 'array' OR jsonb_typeof(correct) <> 'array' THEN
			RETURN false;
		END IF;
		RETURN jsonb_typeof(choices) = 'array'
			AND jsonb_array_length(choices) BETWEEN 2 AND 20
			AND NOT jsonb_path_exists(choices,
				'$[*] ? (@.type() != "string" || @ == "")')
			AND jsonb_typeof(correct) = 'array'
			AND jsonb_array_length(correct) BETWEEN 1
				AND CASE kind WHEN 'single' THEN 1 ELSE jsonb_array_length(choices) END
			AND NOT jsonb_path_exists(correct,
				'$[*] ? (@.type() != "number" || @ < 0 || @ >= $n || @.floor() != @)',
				jsonb_build_object('n', jsonb_array_length(choices)))
			AND (SELECT count(DISTINCT x) FROM jsonb_array_elements(correct) x)
				= jsonb_array_length(correct);
	ELSIF kind = 'short' THEN
		IF choices <> '[]' OR jsonb_typeof(correct) <> 'array' THEN
			RETURN false;
		END IF;
		RETURN jsonb_array_length(correct) BETWEEN 1 AND 20
			AND NOT jsonb_path_exists(correct, '$[*] ? (@.type() != "string" || @ == "")');
	ELSIF kind = 'numeric' THEN
		IF choices <> '[]' OR jsonb_typeof(correct) <> 'object'
			OR jsonb_typeof(correct -> 'value') IS DISTINCT FROM 'number'
			OR jsonb_typeof(correct -> 'tolerance') IS DISTINCT FROM 'number' THEN
			RETURN false;
		END IF;
		RETURN (correct ->> 'tolerance')::numeric >= 0;
	END IF;
	RETURN false;
END $$;

CREATE TABLE quiz_questions (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	lesson_id bigint NOT NULL REFERENCES quizzes (lesson_id) ON DELETE CASCADE,
	position integer NOT NULL CHECK (position BETWEEN 0 AND 1000),
	kind text NOT NULL CHECK (kind IN ('single', 'multiple', 'short', 'numeric')),
	prompt text NOT NULL CHECK (length(prompt) BETWEEN 1 AND 5000),
	points numeric(6, 2) NOT NULL DEFAULT 1 CHECK (points > 0 AND points <= 1000),
	choices jsonb NOT NULL DEFAULT '[]',
	correct jsonb NOT NULL,
	explanation text NOT NULL DEFAULT '' CHECK (length(explanation) <= 5000),
	CHECK (quiz_key_valid(kind, choices, correct))
);
CREATE INDEX quiz_questions_lesson ON quiz_questions (lesson_id, position, id);

CREATE TABLE quiz_attempts (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	lesson_id bigint NOT NULL REFERENCES quizzes (lesson_id),
	user_id bigint NOT NULL REFERENCES users (id),
	number integer NOT NULL CHECK (number >= 1),
	started_at timestamptz NOT NULL DEFAULT now(),
	deadline timestamptz,                -- NULL: no time limit
	-- The questions in the order shown, each with its choices' indexes in
	-- the order shown: [{"question_id": 7, "choices": [2, 0, 1]}, ...].
	layout jsonb NOT NULL CHECK (jsonb_typeof(layout) = 'array'),
	submitted_at timestamptz,
	expired boolean NOT NULL DEFAULT false, -- closed by the clock, not by the learner
	answers jsonb CHECK (jsonb_typeof(answers) = 'object'),
	score numeric(9, 2),
	max_score numeric(9, 2),
	passed boolean,
	results jsonb,                       -- [{"question_id", "correct", "points"}]
	UNIQUE (lesson_id, user_id, number),
	CHECK ((submitted_at IS NULL) = (score IS NULL)
		AND (score IS NULL) = (passed IS NULL) AND (score IS NULL) = (results IS NULL)),
	CHECK (deadline IS NULL OR deadline > started_at)
);
-- One attempt open at a time per learner and quiz.
CREATE UNIQUE INDEX quiz_attempts_open ON quiz_attempts (lesson_id, user_id)
	WHERE submitted_at IS NULL;
CREATE INDEX quiz_attempts_user ON quiz_attempts (user_id, lesson_id);

-- A graded attempt is final: a second submission changes nothing.
CREATE FUNCTION quiz_attempt_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'quiz attempt % is already graded', OLD.id
		USING ERRCODE = 'LMSQ5', HINT = 'attempt_final';
END $$;
CREATE TRIGGER quiz_attempts_final BEFORE UPDATE OR DELETE ON quiz_attempts
	FOR EACH ROW WHEN (OLD.submitted_at IS NOT NULL) EXECUTE FUNCTION quiz_attempt_final();

-- A short answer as compared: Unicode NFC (a Hangul syllable typed as
-- jamo matches the precomposed one), lower case, runs of white space
-- (including no-break and ideographic spaces) as one space, none at the ends.
CREATE FUNCTION quiz_normalise(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN lower(btrim(regexp_replace(normalize(t, NFC),
		'[[:space:]\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]+', ' ', 'g')));

-- Whether answer v (JSON, as sent) is right for question q.
CREATE FUNCTION quiz_answer_correct(q quiz_questions, v jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF v IS NULL THEN
		RETURN false;
	ELSIF q.kind = 'single' THEN
		RETURN jsonb_typeof(v) = 'number' AND jsonb_build_array(v) = q.correct;
	ELSIF q.kind = 'multiple' THEN
		RETURN jsonb_typeof(v) = 'array' AND v @> q.correct AND q.correct @> v;
	ELSIF q.kind = 'short' THEN
		RETURN jsonb_typeof(v) = 'string' AND EXISTS (
			SELECT 1 FROM jsonb_array_elements_text(q.correct) c
			WHERE quiz_normalise(c) = quiz_normalise(v #>> '{}'));
	ELSIF q.kind = 'numeric' THEN
		IF jsonb_typeof(v) <> 'number' THEN
			RETURN false;
		END IF;
		RETURN abs((v #>> '{}')::numeric - (q.correct ->> 'value')::numeric)
			<= (q.correct ->> 'tolerance')::numeric;
	END IF;
	RETURN false;
END $$;

-- Grades open attempt a with answers (an object: question id -> answer) and
-- closes it; expired when the clock closed it. A passed quiz completes its
-- lesson for the learner.
CREATE FUNCTION quiz_grade(a quiz_attempts, p_answers jsonb, p_expired boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	total numeric;
	got numeric;
	res jsonb;
	pass integer;
BEGIN
	SELECT coalesce(sum(q.points), 0),
		coalesce(sum(q.points) FILTER (WHERE quiz_answer_correct(q, p_answers -> (q.id::text))), 0),
		coalesce(jsonb_agg(jsonb_build_object('question_id', q.id,
			'correct', quiz_answer_correct(q, p_answers -> (q.id::text)),
			'points', CASE WHEN quiz_answer_correct(q, p_answers -> (q.id::text))
				THEN q.points ELSE 0 END) ORDER BY l.ord), '[]')
		INTO total, got, res
		FROM jsonb_array_elements(a.layout) WITH ORDINALITY l(item, ord)
		JOIN quiz_questions q ON q.id = (l.item ->> 'question_id')::bigint;
	SELECT pass_pct INTO pass FROM quizzes WHERE lesson_id = a.lesson_id;
	UPDATE quiz_attempts SET submitted_at = now(), expired = p_expired,
			answers = p_answers, score = got, max_score = total,
			passed = total > 0 AND got * 100 >= pass * total, results = res
		WHERE id = a.id;
	IF total > 0 AND got * 100 >= pass * total THEN
		INSERT INTO lesson_progress (user_id, lesson_id) VALUES (a.user_id, a.lesson_id)
			ON CONFLICT DO NOTHING;
	END IF;
END $$;

-- Starts an attempt of p_user at quiz p_lesson, or gives back the open one
-- (a reload shows the same questions in the same order). An open attempt
-- whose time is over is closed first, graded with no answers. Refuses with
-- LMSQ1 when no attempt is left, LMSQ4 when the quiz has no questions.
-- Returns the attempt's id, negated when it was already open.
CREATE FUNCTION quiz_attempt_start(p_lesson bigint, p_user bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	q quizzes;
	a quiz_attempts;
	n integer;
	new_id bigint;
BEGIN
	-- Shared: a change of the quiz waits for this start, and a start for
	-- the change (which refuses once there are attempts).
	SELECT * INTO q FROM quizzes WHERE lesson_id = p_lesson FOR SHARE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'lesson % has no quiz', p_lesson
			USING ERRCODE = 'LMSQ4', HINT = 'quiz_empty';
	END IF;
	-- One learner's starts of one quiz, one at a time: the count below is
	-- then the count when the new attempt commits.
	PERFORM pg_advisory_xact_lock(hashtextextended('quiz_attempt:' || p_lesson || ':' || p_user, 0));
	SELECT * INTO a FROM quiz_attempts WHERE lesson_id = p_lesson AND user_id = p_user
		AND submitted_at IS NULL FOR UPDATE;
	IF FOUND THEN
		IF a.deadline IS NULL OR now() <= a.deadline + quiz_grace() THEN
			RETURN -a.id;
		END IF;
		PERFORM quiz_grade(a, '{}', true);
	END IF;
	SELECT count(*) INTO n FROM quiz_attempts WHERE lesson_id = p_lesson AND user_id = p_user;
	IF q.attempts_max IS NOT NULL AND n >= q.attempts_max THEN
		RAISE EXCEPTION 'no attempt left at quiz %', p_lesson
			USING ERRCODE = 'LMSQ1', HINT = 'attempts_exhausted';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM quiz_questions WHERE lesson_id = p_lesson) THEN
		RAISE EXCEPTION 'quiz % has no questions', p_lesson
			USING ERRCODE = 'LMSQ4', HINT = 'quiz_empty';
	END IF;
	INSERT INTO quiz_attempts (lesson_id, user_id, number, deadline, layout)
		SELECT p_lesson, p_user, n + 1,
			now() + make_interval(secs => q.time_limit_s),
			jsonb_agg(jsonb_build_object('question_id', qq.id, 'choices',
				(SELECT coalesce(jsonb_agg(i ORDER BY CASE WHEN q.shuffle_choices
					THEN random() ELSE i END), '[]')
				 FROM generate_series(0, jsonb_array_length(qq.choices) - 1) i))
				ORDER BY CASE WHEN q.shuffle_questions THEN random() ELSE 0 END,
					qq.position, qq.id)
		FROM quiz_questions qq WHERE qq.lesson_id = p_lesson
		RETURNING id INTO new_id;
	RETURN new_id;
END $$;

-- Submits attempt p_attempt with p_answers: 'graded' when this grades it,
-- 'again' when it was graded before (a repeated submission counts once),
-- 'late' when its time was over (it is then closed with no answers, and the
-- caller commits that and refuses), 'expired' when the clock had closed it.
CREATE FUNCTION quiz_attempt_submit(p_attempt bigint, p_answers jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	a quiz_attempts;
BEGIN
	SELECT * INTO a FROM quiz_attempts WHERE id = p_attempt FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	ELSIF a.submitted_at IS NOT NULL THEN
		RETURN CASE WHEN a.expired THEN 'expired' ELSE 'again' END;
	ELSIF a.deadline IS NOT NULL AND now() > a.deadline + quiz_grace() THEN
		PERFORM quiz_grade(a, '{}', true);
		RETURN 'late';
	END IF;
	PERFORM quiz_grade(a, p_answers, false);
	RETURN 'graded';
END $$;

-- open, submitted or expired (closed by the clock, or its time is over).
CREATE FUNCTION quiz_attempt_status(a quiz_attempts) RETURNS text LANGUAGE sql STABLE
	RETURN CASE WHEN a.expired OR (a.submitted_at IS NULL
			AND a.deadline + quiz_grace() < now()) THEN 'expired'
		WHEN a.submitted_at IS NULL THEN 'open' ELSE 'submitted' END;

-- An attempt as JSON. Its questions carry no answer key unless reveal
-- (a submitted attempt, to someone allowed to see it); score and results
-- only when show_score / reveal.
CREATE FUNCTION quiz_attempt_json(p_attempt bigint, p_show_score boolean, p_reveal boolean)
	RETURNS json LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', a.id, 'lesson_id', a.lesson_id, 'user_id', a.user_id,
		'number', a.number, 'started_at', a.started_at, 'deadline', a.deadline,
		'grace_seconds', extract(epoch FROM quiz_grace())::integer,
		'server_now', now(),
		'status', quiz_attempt_status(a),
		'submitted_at', a.submitted_at,
		'answers', a.answers,
		'score', CASE WHEN p_show_score THEN a.score END,
		'max_score', CASE WHEN p_show_score THEN a.max_score END,
		'passed', CASE WHEN p_show_score THEN a.passed END,
		'questions', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', q.id,
				'kind', q.kind, 'prompt', q.prompt, 'points', q.points,
				'choices', (SELECT coalesce(jsonb_agg(jsonb_build_object('index', c.i::integer,
						'text', q.choices ->> c.i::integer) ORDER BY c.ord), '[]')
					FROM jsonb_array_elements_text(l.item -> 'choices')
						WITH ORDINALITY c(i, ord)))
				|| CASE WHEN p_reveal AND a.submitted_at IS NOT NULL THEN
					jsonb_build_object('correct', q.correct,
						'explanation', q.explanation,
						'result', (SELECT r FROM jsonb_array_elements(a.results) r
							WHERE (r ->> 'question_id')::bigint = q.id))
					ELSE '{}' END
				ORDER BY l.ord), '[]')
			FROM jsonb_array_elements(a.layout) WITH ORDINALITY l(item, ord)
			JOIN quiz_questions q ON q.id = (l.item ->> 'question_id')::bigint))
	FROM quiz_attempts a WHERE a.id = p_attempt
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON quizzes, quiz_questions TO lms_app;
GRANT SELECT, INSERT, UPDATE ON quiz_attempts TO lms_app;

-- A quiz lesson stays a quiz once its quiz exists: its attempts and grades
-- belong to it.
CREATE FUNCTION lesson_quiz_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM quizzes WHERE lesson_id = OLD.id) THEN
		RAISE EXCEPTION 'lesson % has a quiz: it stays a quiz', OLD.id
			USING ERRCODE = '23514';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER lessons_quiz_kept BEFORE UPDATE OF kind ON lessons
	FOR EACH ROW WHEN (OLD.kind = 'quiz' AND NEW.kind <> 'quiz')
	EXECUTE FUNCTION lesson_quiz_kept();
