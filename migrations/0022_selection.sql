-- 0022_selection.sql - admission by selection: intakes with ordered stages,
-- applications whose status only moves along the transitions below, offers
-- that hold seats in the section's seat ledger, and the job that expires
-- offers and makes the next one.

-- An intake admits one section by selection: an application window, how
-- long an offer stays open, and its stages. Its institution is its
-- section's, copied so that institution views filter without joins.
CREATE TABLE intakes (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	section_id bigint NOT NULL UNIQUE REFERENCES sections (id),
	institution_id bigint NOT NULL REFERENCES institutions (id),
	title_ko text NOT NULL CHECK (length(title_ko) BETWEEN 1 AND 200),
	title_en text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 200),
	opens_at timestamptz NOT NULL,
	closes_at timestamptz NOT NULL,
	offer_hours integer NOT NULL DEFAULT 72 CHECK (offer_hours BETWEEN 1 AND 1440),
	-- reviewers see no applicant's name or address
	blind_review boolean NOT NULL DEFAULT false,
	created_by bigint REFERENCES users (id),
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK (closes_at > opens_at)
);
CREATE INDEX intakes_institution ON intakes (institution_id, id);

-- Who reviews an intake: instructors and admins of its institution (the
-- code adds only those), who then score and decide its applications.
CREATE TABLE intake_reviewers (
	intake_id bigint NOT NULL REFERENCES intakes (id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	added_by bigint REFERENCES users (id),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (intake_id, user_id)
);
CREATE INDEX intake_reviewers_user ON intake_reviewers (user_id);

-- The stages of an intake, in order. A stage is a kind and a pass rule, not
-- free text: pass_fail takes a reviewer's decision, threshold passes a score
-- at or above it, top_n passes the best n scores when the stage is closed.
-- A pre-course stage passes whoever completed its course.
CREATE TABLE intake_stages (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	intake_id bigint NOT NULL REFERENCES intakes (id) ON DELETE CASCADE,
	position integer NOT NULL CHECK (position BETWEEN 1 AND 20),
	kind text NOT NULL CHECK (kind IN ('document_screening', 'precourse', 'test_score',
		'interview')),
	name_ko text NOT NULL CHECK (length(name_ko) BETWEEN 1 AND 200),
	name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
	rule text NOT NULL CHECK (rule IN ('pass_fail', 'threshold', 'top_n')),
	threshold numeric CHECK (threshold >= 0),
	top_n integer CHECK (top_n BETWEEN 1 AND 100000),
	course_id bigint REFERENCES courses (id),
	UNIQUE (intake_id, position),
	CHECK ((rule = 'threshold') = (threshold IS NOT NULL)),
	CHECK ((rule = 'top_n') = (top_n IS NOT NULL)),
	CHECK ((kind = 'precourse') = (course_id IS NOT NULL)),
	CHECK (kind <> 'precourse' OR rule = 'pass_fail')
);

-- The state machine, as data: every change of an application's status is
-- one of these rows, or the database refuses it.
CREATE TABLE application_transitions (
	from_status text NOT NULL,
	to_status text NOT NULL,
	PRIMARY KEY (from_status, to_status)
);
INSERT INTO application_transitions VALUES
	('applied', 'in_stage'), ('applied', 'passed'), ('applied', 'rejected'),
	('applied', 'withdrawn'),
	('in_stage', 'in_stage'), ('in_stage', 'passed'), ('in_stage', 'rejected'),
	('in_stage', 'withdrawn'),
	('passed', 'offered'), ('passed', 'rejected'), ('passed', 'withdrawn'),
	('offered', 'accepted'), ('offered', 'declined'), ('offered', 'offer_expired'),
	('accepted', 'enrolled'), ('accepted', 'withdrawn');

-- One application of a user to an intake. stage is the position of the
-- stage it waits in while applied or in_stage, NULL otherwise.
CREATE TABLE applications (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	intake_id bigint NOT NULL REFERENCES intakes (id),
	user_id bigint NOT NULL REFERENCES users (id),
	status text NOT NULL DEFAULT 'applied' CHECK (status IN ('applied', 'in_stage', 'passed',
		'offered', 'accepted', 'enrolled', 'rejected', 'withdrawn', 'declined',
		'offer_expired')),
	stage integer,
	statement text CHECK (length(statement) <= 4000),
	offered_at timestamptz,
	offer_expires_at timestamptz,
	enrollment_id bigint REFERENCES enrollments (id),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (intake_id, user_id),
	CHECK ((status IN ('applied', 'in_stage')) = (stage IS NOT NULL)),
	CHECK ((status = 'offered') <= (offer_expires_at IS NOT NULL)),
	CHECK ((status = 'enrolled') <= (enrollment_id IS NOT NULL))
);
CREATE INDEX applications_intake ON applications (intake_id, status, id);
CREATE INDEX applications_user ON applications (user_id, id);
CREATE INDEX applications_offer_due ON applications (offer_expires_at) WHERE status = 'offered';

-- A stage's outcome for an application: the score and the decision, who
-- recorded them and when. decision is NULL while a top-N stage is open.
CREATE TABLE application_results (
	application_id bigint NOT NULL REFERENCES applications (id),
	stage_id bigint NOT NULL REFERENCES intake_stages (id),
	score numeric CHECK (score >= 0 AND score <= 1000000),
	decision text CHECK (decision IN ('pass', 'fail')),
	reviewer_user_id bigint REFERENCES users (id),
	decided_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (application_id, stage_id)
);

-- Documents sent with an application (a CV, a business plan): the bytes in
-- the blob store, the name and type here.
CREATE TABLE application_documents (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	application_id bigint NOT NULL REFERENCES applications (id),
	sha256 text NOT NULL REFERENCES blobs (sha256),
	content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'image/png',
		'image/jpeg')),
	size bigint NOT NULL CHECK (size BETWEEN 1 AND 5242880),
	filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX application_documents_application ON application_documents (application_id, id);

-- Every status and stage an application took: who, when, from, to, why.
CREATE TABLE application_events (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	application_id bigint NOT NULL REFERENCES applications (id),
	at timestamptz NOT NULL DEFAULT now(),
	actor_user_id bigint,
	from_status text,
	to_status text NOT NULL,
	from_stage integer,
	to_stage integer,
	reason text NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, id);

-- Offers hold seats: the CHECK makes offers and enrolments together
-- exceed no section's capacity, whatever the path or the concurrency.
ALTER TABLE sections ADD COLUMN offered_count integer NOT NULL DEFAULT 0,
	ADD CONSTRAINT sections_offered_seats CHECK (offered_count >= 0
		AND enrolled_count + offered_count <= capacity);

-- Who changes an application and why travel with the transaction, as for
-- enrolments (lms.actor_user_id, lms.reason); a change without a reason is
-- refused.
CREATE FUNCTION application_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF nullif(current_setting('lms.reason', true), '') IS NULL THEN
		RAISE EXCEPTION 'an application changes only with a reason'
			USING ERRCODE = 'LMS21', HINT = 'reason_required';
	END IF;
	IF TG_OP = 'UPDATE' THEN
		-- Setting the status it has is no change to make: refused too.
		IF NOT EXISTS (SELECT 1 FROM application_transitions
				WHERE from_status = OLD.status AND to_status = NEW.status)
			-- within in_stage, only to the next stage
			OR (NEW.status = 'in_stage' AND NEW.stage <> OLD.stage + 1)
			OR (NEW.status = OLD.status AND NEW.status <> 'in_stage') THEN
			RAISE EXCEPTION 'illegal transition from % to %', OLD.status, NEW.status
				USING ERRCODE = 'LMS01', HINT = 'illegal_transition';
		END IF;
		NEW.updated_at := now();
		IF NEW.status = 'offered' THEN
			NEW.offered_at := now();
		END IF;
	ELSIF NEW.status <> 'applied' OR NEW.stage <> 1 THEN
		RAISE EXCEPTION 'an application starts applied, at its first stage'
			USING ERRCODE = 'LMS01', HINT = 'illegal_transition';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER applications_guard BEFORE INSERT OR UPDATE OF status, stage ON applications
	FOR EACH ROW EXECUTE FUNCTION application_guard();

-- The history row, and the seat an offer holds in the section's ledger.
CREATE FUNCTION application_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	delta integer := 0;
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.status = OLD.status
			AND NEW.stage IS NOT DISTINCT FROM OLD.stage THEN
		RETURN NULL;
	END IF;
	INSERT INTO application_events (application_id, actor_user_id, from_status, to_status,
			from_stage, to_stage, reason)
		VALUES (NEW.id, nullif(current_setting('lms.actor_user_id', true), '')::bigint,
			CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status,
			CASE WHEN TG_OP = 'UPDATE' THEN OLD.stage END, NEW.stage,
			current_setting('lms.reason', true));
	IF TG_OP = 'UPDATE' AND NEW.status = 'offered' AND OLD.status <> 'offered' THEN
		delta := 1;
	ELSIF TG_OP = 'UPDATE' AND OLD.status = 'offered' AND NEW.status <> 'offered' THEN
		delta := -1;
	END IF;
	IF delta <> 0 THEN
		UPDATE sections SET offered_count = offered_count + delta
			WHERE id = (SELECT section_id FROM intakes WHERE id = NEW.intake_id);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER applications_record AFTER INSERT OR UPDATE OF status, stage ON applications
	FOR EACH ROW EXECUTE FUNCTION application_record();

-- A section admitted by selection takes enrolments only from its accepted
-- offers (which set lms.selection): otherwise a direct enrolment could take
-- a seat that no offer counted on.
CREATE FUNCTION enrollment_selection_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM intakes WHERE section_id = NEW.section_id)
			AND current_setting('lms.selection', true) IS DISTINCT FROM 'on' THEN
		RAISE EXCEPTION 'section % admits by selection: apply to its intake', NEW.section_id
			USING ERRCODE = 'LMS20', HINT = 'selection_required';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER enrollments_selection BEFORE INSERT ON enrollments
	FOR EACH ROW EXECUTE FUNCTION enrollment_selection_guard();

-- Names who acts and why for the triggers, in this transaction.
CREATE FUNCTION selection_tell(p_actor bigint, p_reason text) RETURNS void
LANGUAGE sql AS $$
	SELECT set_config('lms.actor_user_id', coalesce(p_actor::text, ''), true),
		set_config('lms.reason', coalesce(p_reason, ''), true);
$$;

-- The parameters every message about an application carries.
CREATE FUNCTION application_mail_params(p_app bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('application_id', a.id, 'intake_ko', i.title_ko,
		'intake_en', i.title_en, 'course_ko', c.title_ko, 'course_en', c.title_en)
	FROM applications a JOIN intakes i ON i.id = a.intake_id
	JOIN sections s ON s.id = i.section_id JOIN courses c ON c.id = s.course_id
	WHERE a.id = p_app;
$$;

-- Programmes that may not be taken together in one year (AI Academy and AI
-- Do-Dream: the second is for career changers the first already trains).
-- Named by code (the programmes are rows the seed or the committee adds
-- later); the pair is stored once, in code order.
CREATE TABLE program_exclusions (
	program_a text NOT NULL,
	program_b text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (program_a, program_b),
	CHECK (program_a < program_b)
);
INSERT INTO program_exclusions (program_a, program_b) VALUES ('ai_academy', 'ai_do_dream');

-- The year of a term ('2027-1' -> 2027).
CREATE FUNCTION term_year(p_term text) RETURNS integer
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN split_part(p_term, '-', 1)::integer;

-- What keeps p_user out of intake p_intake's programme this year: a seat
-- held (enrolled, completed, waiting) or an offer accepted in a programme
-- excluded with it, in a section of the same year. NULL when nothing does.
CREATE FUNCTION selection_exclusion(p_user bigint, p_intake bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	WITH me AS (SELECT p.code, term_year(s.term) AS year FROM intakes i
		JOIN sections s ON s.id = i.section_id JOIN courses c ON c.id = s.course_id
		JOIN programs p ON p.id = c.program_id WHERE i.id = p_intake),
	other AS (SELECT CASE WHEN x.program_a = me.code THEN x.program_b
			ELSE x.program_a END AS code, me.year
		FROM program_exclusions x, me
		WHERE me.code IN (x.program_a, x.program_b))
	SELECT jsonb_build_object('conflicting_program', p.code, 'year', o.year,
		'course_id', c.id)
	FROM other o JOIN programs p ON p.code = o.code
	JOIN courses c ON c.program_id = p.id
	JOIN sections s ON s.course_id = c.id AND term_year(s.term) = o.year
	WHERE EXISTS (SELECT 1 FROM enrollments e WHERE e.user_id = p_user
			AND e.section_id = s.id
			AND e.status IN ('pending', 'enrolled', 'waitlisted', 'completed'))
		OR EXISTS (SELECT 1 FROM intakes i JOIN applications a ON a.intake_id = i.id
			WHERE i.section_id = s.id AND a.user_id = p_user
			AND a.status IN ('accepted', 'enrolled'))
	ORDER BY c.id LIMIT 1;
$$;

-- Applies for p_user to p_intake in one statement. Refusals come back as a
-- code, as enroll() does.
CREATE FUNCTION intake_apply(p_user bigint, p_intake bigint, p_statement text)
RETURNS TABLE (code text, application_id bigint, detail jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	i record;
	u record;
	new_id bigint;
BEGIN
	SELECT it.id, it.opens_at, it.closes_at, c.published, sec.status, p.allowed_stages,
		p.affiliation_required
		INTO i
		FROM intakes it JOIN sections sec ON sec.id = it.section_id
		JOIN courses c ON c.id = sec.course_id JOIN programs p ON p.id = c.program_id
		WHERE it.id = p_intake;
	IF NOT FOUND OR NOT i.published OR i.status = 'draft' THEN
		RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::jsonb;
		RETURN;
	END IF;
	IF i.status = 'cancelled' THEN
		RETURN QUERY SELECT 'section_cancelled', NULL::bigint, NULL::jsonb;
		RETURN;
	END IF;
	IF now() < i.opens_at THEN
		RETURN QUERY SELECT 'application_not_open', NULL::bigint,
			jsonb_build_object('opens_at', i.opens_at);
		RETURN;
	END IF;
	IF now() >= i.closes_at THEN
		RETURN QUERY SELECT 'application_closed', NULL::bigint,
			jsonb_build_object('closes_at', i.closes_at);
		RETURN;
	END IF;
	SELECT ladder_stage, affiliation_institution_id, email_verified_at INTO u
		FROM users WHERE id = p_user;
	-- As for enrolment (enroll_verified): an address not yet confirmed
	-- may browse, not apply.
	IF u.email_verified_at IS NULL THEN
		RETURN QUERY SELECT 'email_unverified', NULL::bigint, NULL::jsonb;
		RETURN;
	END IF;
	IF NOT (u.ladder_stage = ANY (i.allowed_stages)) THEN
		RETURN QUERY SELECT 'not_eligible_stage', NULL::bigint,
			jsonb_build_object('ladder_stage', u.ladder_stage,
				'allowed_stages', i.allowed_stages);
		RETURN;
	END IF;
	IF i.affiliation_required AND u.affiliation_institution_id IS NULL THEN
		RETURN QUERY SELECT 'affiliation_required', NULL::bigint, NULL::jsonb;
		RETURN;
	END IF;
	IF selection_exclusion(p_user, p_intake) IS NOT NULL THEN
		RETURN QUERY SELECT 'program_exclusive', NULL::bigint,
			selection_exclusion(p_user, p_intake);
		RETURN;
	END IF;
	PERFORM selection_tell(p_user, 'applied');
	INSERT INTO applications (intake_id, user_id, statement, stage)
		VALUES (p_intake, p_user, p_statement, 1)
		ON CONFLICT (intake_id, user_id) DO NOTHING
		RETURNING id INTO new_id;
	IF new_id IS NULL THEN
		RETURN QUERY SELECT 'already_applied', NULL::bigint, NULL::jsonb;
		RETURN;
	END IF;
	RETURN QUERY SELECT 'ok', new_id, NULL::jsonb;
END $$;

-- Moves an application on from the stage it waits in: to the next stage or
-- to passed after the last, or to rejected (the applicant is told).
CREATE FUNCTION application_advance(p_app bigint, p_pass boolean, p_reason text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	a record;
	last integer;
BEGIN
	SELECT * INTO a FROM applications WHERE id = p_app;
	PERFORM set_config('lms.reason', p_reason, true);
	IF NOT p_pass THEN
		UPDATE applications SET status = 'rejected', stage = NULL WHERE id = p_app;
		PERFORM outbox_enqueue(a.user_id, 'application.rejected',
			application_mail_params(p_app), 'application.rejected:' || p_app);
		RETURN 'rejected';
	END IF;
	SELECT max(position) INTO last FROM intake_stages WHERE intake_id = a.intake_id;
	IF a.stage >= last THEN
		UPDATE applications SET status = 'passed', stage = NULL WHERE id = p_app;
		RETURN 'passed';
	END IF;
	UPDATE applications SET status = 'in_stage', stage = a.stage + 1 WHERE id = p_app;
	RETURN 'in_stage';
END $$;

-- Records the outcome of stage p_stage for application p_app and moves it
-- on as the stage's rule says. Recording the same outcome again changes
-- nothing ('unchanged'), so a replayed decision file is harmless.
-- Codes: ok, unchanged, not_found, not_at_stage, decided, score_required,
-- decision_required, decision_not_allowed, precourse_incomplete.
CREATE FUNCTION application_decide(p_app bigint, p_stage bigint, p_score numeric,
	p_decision text, p_actor bigint, p_reason text)
RETURNS TABLE (code text, status text, stage integer)
LANGUAGE plpgsql AS $$
DECLARE
	a record;
	st record;
	prev record;
	pass boolean;
	outcome text;
	why text;
BEGIN
	SELECT * INTO a FROM applications WHERE id = p_app FOR UPDATE;
	SELECT * INTO st FROM intake_stages WHERE id = p_stage;
	IF a.id IS NULL OR st.id IS NULL OR st.intake_id <> a.intake_id THEN
		RETURN QUERY SELECT 'not_found', NULL::text, NULL::integer;
		RETURN;
	END IF;
	SELECT * INTO prev FROM application_results r
		WHERE r.application_id = p_app AND r.stage_id = p_stage;
	IF prev.application_id IS NOT NULL AND prev.decision IS NOT NULL THEN
		IF prev.score IS NOT DISTINCT FROM p_score
				AND (p_decision IS NULL OR p_decision = prev.decision) THEN
			RETURN QUERY SELECT 'unchanged', a.status, a.stage;
		ELSE
			RETURN QUERY SELECT 'decided', a.status, a.stage;
		END IF;
		RETURN;
	END IF;
	IF a.status NOT IN ('applied', 'in_stage') OR a.stage <> st.position THEN
		RETURN QUERY SELECT 'not_at_stage', a.status, a.stage;
		RETURN;
	END IF;
	IF st.rule = 'pass_fail' AND st.kind = 'precourse' THEN
		IF p_score IS NOT NULL OR p_decision IS NOT NULL THEN
			RETURN QUERY SELECT 'decision_not_allowed', a.status, a.stage;
			RETURN;
		END IF;
		IF NOT EXISTS (SELECT 1 FROM enrollments e JOIN sections s ON s.id = e.section_id
				WHERE e.user_id = a.user_id AND s.course_id = st.course_id
				AND e.status = 'completed') THEN
			RETURN QUERY SELECT 'precourse_incomplete', a.status, a.stage;
			RETURN;
		END IF;
		pass := true;
	ELSIF st.rule = 'pass_fail' THEN
		IF p_decision IS NULL THEN
			RETURN QUERY SELECT 'decision_required', a.status, a.stage;
			RETURN;
		END IF;
		pass := p_decision = 'pass';
	ELSE
		IF p_score IS NULL THEN
			RETURN QUERY SELECT 'score_required', a.status, a.stage;
			RETURN;
		END IF;
		IF p_decision IS NOT NULL THEN
			RETURN QUERY SELECT 'decision_not_allowed', a.status, a.stage;
			RETURN;
		END IF;
		IF st.rule = 'top_n' THEN
			-- The best n are known only when the stage is closed.
			INSERT INTO application_results (application_id, stage_id, score,
					reviewer_user_id)
				VALUES (p_app, p_stage, p_score, p_actor)
				ON CONFLICT (application_id, stage_id) DO UPDATE
				SET score = EXCLUDED.score, reviewer_user_id = EXCLUDED.reviewer_user_id,
					decided_at = now();
			RETURN QUERY SELECT 'ok', a.status, a.stage;
			RETURN;
		END IF;
		pass := p_score >= st.threshold;
	END IF;
	INSERT INTO application_results (application_id, stage_id, score, decision,
			reviewer_user_id)
		VALUES (p_app, p_stage, p_score, CASE WHEN pass THEN 'pass' ELSE 'fail' END, p_actor);
	why := format('stage %s (%s) %s', st.position, st.name_en,
		CASE WHEN pass THEN 'passed' ELSE 'failed' END);
	IF p_reason IS NOT NULL AND p_reason <> '' THEN
		why := why || ': ' || p_reason;
	END IF;
	PERFORM set_config('lms.actor_user_id', coalesce(p_actor::text, ''), true);
	outcome := application_advance(p_app, pass, why);
	RETURN QUERY SELECT 'ok', outcome, (SELECT x.stage FROM applications x WHERE x.id = p_app);
END $$;

-- Closes stage p_stage: a top-N stage passes the n best scores of those
-- waiting in it (ties by application order), a pre-course stage whoever
-- completed the course; everyone else waiting in it fails. Codes: ok,
-- not_found, not_closable, scores_missing (with how many).
CREATE FUNCTION intake_stage_close(p_stage bigint, p_actor bigint)
RETURNS TABLE (code text, passed integer, failed integer)
LANGUAGE plpgsql AS $$
DECLARE
	st record;
	a record;
	n_pass integer := 0;
	n_fail integer := 0;
	missing integer;
	pass boolean;
	rank integer := 0;
BEGIN
	SELECT * INTO st FROM intake_stages WHERE id = p_stage;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'not_found', 0, 0;
		RETURN;
	END IF;
	IF st.rule <> 'top_n' AND st.kind <> 'precourse' THEN
		RETURN QUERY SELECT 'not_closable', 0, 0;
		RETURN;
	END IF;
	-- The intake's applications are decided one closing at a time.
	PERFORM 1 FROM intakes WHERE id = st.intake_id FOR UPDATE;
	IF st.rule = 'top_n' THEN
		SELECT count(*) INTO missing FROM applications x
			WHERE x.intake_id = st.intake_id AND x.status IN ('applied', 'in_stage')
			AND x.stage = st.position AND NOT EXISTS (SELECT 1 FROM application_results r
				WHERE r.application_id = x.id AND r.stage_id = p_stage
				AND r.score IS NOT NULL);
		IF missing > 0 THEN
			RETURN QUERY SELECT 'scores_missing', 0, missing;
			RETURN;
		END IF;
	END IF;
	PERFORM set_config('lms.actor_user_id', coalesce(p_actor::text, ''), true);
	FOR a IN SELECT x.id, x.user_id, r.score FROM applications x
			LEFT JOIN application_results r ON r.application_id = x.id
				AND r.stage_id = p_stage
			WHERE x.intake_id = st.intake_id AND x.status IN ('applied', 'in_stage')
			AND x.stage = st.position
			ORDER BY r.score DESC NULLS LAST, x.id FOR UPDATE OF x LOOP
		rank := rank + 1;
		IF st.rule = 'top_n' THEN
			pass := rank <= st.top_n;
			UPDATE application_results SET decision = CASE WHEN pass THEN 'pass'
					ELSE 'fail' END, reviewer_user_id = p_actor, decided_at = now()
				WHERE application_id = a.id AND stage_id = p_stage;
		ELSE
			pass := EXISTS (SELECT 1 FROM enrollments e JOIN sections s
					ON s.id = e.section_id
				WHERE e.user_id = a.user_id AND s.course_id = st.course_id
				AND e.status = 'completed');
			INSERT INTO application_results (application_id, stage_id, decision,
					reviewer_user_id)
				VALUES (a.id, p_stage, CASE WHEN pass THEN 'pass' ELSE 'fail' END,
					p_actor);
		END IF;
		PERFORM application_advance(a.id, pass, format('stage %s (%s) closed: %s',
			st.position, st.name_en, CASE WHEN st.rule = 'top_n'
				THEN format('rank %s of top %s', rank, st.top_n)
				WHEN pass THEN 'pre-course completed' ELSE 'pre-course not completed'
				END));
		IF pass THEN
			n_pass := n_pass + 1;
		ELSE
			n_fail := n_fail + 1;
		END IF;
	END LOOP;
	RETURN QUERY SELECT 'ok', n_pass, n_fail;
END $$;

-- Offers the free seats of p_intake's section to its passed applicants,
-- best total score first (then first applied), each with its deadline; the
-- applicant is told. The section row lock orders every offer, acceptance
-- and expiry of the section, so the seats are counted exactly even with
-- several servers. Returns how many offers were made.
CREATE FUNCTION intake_offer(p_intake bigint, p_reason text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	i record;
	free integer;
	a record;
	n integer := 0;
BEGIN
	SELECT it.id, it.offer_hours, s.id AS section_id, s.capacity, s.enrolled_count,
		s.offered_count, s.status
		INTO i
		FROM intakes it JOIN sections s ON s.id = it.section_id
		WHERE it.id = p_intake FOR UPDATE OF s;
	IF NOT FOUND OR i.status = 'cancelled' THEN
		RETURN 0;
	END IF;
	free := i.capacity - i.enrolled_count - i.offered_count;
	IF free <= 0 THEN
		RETURN 0;
	END IF;
	PERFORM set_config('lms.reason', p_reason, true);
	FOR a IN SELECT x.id, x.user_id FROM applications x
			WHERE x.intake_id = p_intake AND x.status = 'passed'
			ORDER BY (SELECT coalesce(sum(r.score), 0) FROM application_results r
				WHERE r.application_id = x.id) DESC, x.id
			LIMIT free FOR UPDATE OF x LOOP
		UPDATE applications SET status = 'offered',
			offer_expires_at = now() + make_interval(hours => i.offer_hours)
			WHERE id = a.id;
		PERFORM outbox_enqueue(a.user_id, 'offer.made', application_mail_params(a.id)
			|| jsonb_build_object('expires_at', to_char((now() + make_interval(
				hours => i.offer_hours)) AT TIME ZONE 'Asia/Seoul',
				'YYYY-MM-DD HH24:MI "KST"')), 'offer.made:' || a.id);
		n := n + 1;
	END LOOP;
	RETURN n;
END $$;

-- Expires up to p_limit offers past their deadline and offers their seats
-- to the next in line, each in the caller's transaction. Rows another
-- server is expiring are skipped, not waited for: with several servers
-- each offer expires once and each freed seat is offered once. Returns how
-- many offers expired.
CREATE FUNCTION offers_expire(p_limit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	a record;
	n integer := 0;
BEGIN
	PERFORM set_config('lms.actor_user_id', '', true);
	FOR a IN SELECT x.id, x.user_id, x.intake_id, i.institution_id FROM applications x
			JOIN intakes i ON i.id = x.intake_id
			WHERE x.status = 'offered' AND x.offer_expires_at <= now()
			ORDER BY x.offer_expires_at, x.id
			LIMIT p_limit FOR UPDATE OF x SKIP LOCKED LOOP
		PERFORM set_config('lms.reason', 'the offer was not accepted by its deadline', true);
		-- Locked, but another server may have expired it since this
		-- statement's snapshot: the row as it is now decides.
		UPDATE applications SET status = 'offer_expired'
			WHERE id = a.id AND status = 'offered';
		IF NOT FOUND THEN
			CONTINUE;
		END IF;
		PERFORM outbox_enqueue(a.user_id, 'offer.expired', application_mail_params(a.id),
			'offer.expired:' || a.id);
		INSERT INTO audit_log (action, target_type, target_id, institution_id, detail)
			VALUES ('application.offer_expire', 'application', a.id, a.institution_id,
				jsonb_build_object('intake_id', a.intake_id));
		PERFORM intake_offer(a.intake_id, 'offered: a seat was freed by an expired offer');
		n := n + 1;
	END LOOP;
	RETURN n;
END $$;

-- Moves application p_app to rejected, withdrawn or declined: the
-- applicant is told of a rejection, and the seat a declined offer held is
-- offered to the next in line in the same transaction.
CREATE FUNCTION application_move(p_app bigint, p_status text, p_actor bigint, p_reason text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	a record;
BEGIN
	SELECT * INTO a FROM applications WHERE id = p_app FOR UPDATE;
	PERFORM selection_tell(p_actor, p_reason);
	UPDATE applications SET status = p_status, stage = NULL WHERE id = p_app;
	IF p_status = 'rejected' THEN
		PERFORM outbox_enqueue(a.user_id, 'application.rejected',
			application_mail_params(p_app), 'application.rejected:' || p_app);
	ELSIF p_status = 'declined' THEN
		PERFORM intake_offer(a.intake_id, 'offered: a seat was freed by a declined offer');
	END IF;
END $$;

-- The applicant accepts offer p_app: the seat the offer held becomes an
-- enrolment in the same transaction (the section row is locked by the
-- first update, so nobody takes the seat in between). An offer past its
-- deadline is expired here, its seat offered on, and 'offer_expired'
-- answered; the caller commits that too.
CREATE FUNCTION application_accept(p_app bigint, p_actor bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	a record;
	eid bigint;
BEGIN
	SELECT x.id, x.user_id, x.intake_id, x.status, x.offer_expires_at, i.section_id
		INTO a FROM applications x JOIN intakes i ON i.id = x.intake_id
		WHERE x.id = p_app FOR UPDATE OF x;
	IF a.status = 'offer_expired' THEN
		RETURN 'already_expired';
	END IF;
	IF a.status = 'offered' AND a.offer_expires_at <= now() THEN
		PERFORM selection_tell(NULL, 'the offer was not accepted by its deadline');
		UPDATE applications SET status = 'offer_expired' WHERE id = p_app;
		PERFORM outbox_enqueue(a.user_id, 'offer.expired', application_mail_params(p_app),
			'offer.expired:' || p_app);
		PERFORM intake_offer(a.intake_id, 'offered: a seat was freed by an expired offer');
		RETURN 'offer_expired';
	END IF;
	IF a.status = 'offered' AND EXISTS (SELECT 1 FROM enrollments e
			WHERE e.user_id = a.user_id AND e.section_id = a.section_id
			AND e.status IN ('pending', 'enrolled', 'waitlisted')) THEN
		RETURN 'already_enrolled';
	END IF;
	-- Checked again: a seat in the excluded programme may have been taken
	-- since the application.
	IF a.status = 'offered' AND selection_exclusion(a.user_id, a.intake_id) IS NOT NULL THEN
		RETURN 'program_exclusive';
	END IF;
	PERFORM selection_tell(p_actor, 'offer accepted');
	UPDATE applications SET status = 'accepted' WHERE id = p_app;
	PERFORM set_config('lms.selection', 'on', true);
	PERFORM set_config('lms.reason', 'enrolled through an accepted offer', true);
	INSERT INTO enrollments (user_id, section_id, status)
		VALUES (a.user_id, a.section_id, 'enrolled') RETURNING id INTO eid;
	PERFORM set_config('lms.selection', 'off', true);
	UPDATE applications SET status = 'enrolled', enrollment_id = eid WHERE id = p_app;
	RETURN 'ok';
END $$;

-- One row of a decision file: the application (by id, or by its
-- applicant's e-mail) and the stage (by position) of intake p_intake, then
-- application_decide(). Answers the code and the application's status and
-- stage before and after, for the file's diff.
CREATE FUNCTION intake_decision_row(p_intake bigint, p_app bigint, p_email text,
	p_position integer, p_score numeric, p_decision text, p_actor bigint, p_reason text)
RETURNS TABLE (code text, application_id bigint, from_status text, from_stage integer,
	to_status text, to_stage integer)
LANGUAGE plpgsql AS $$
DECLARE
	a record;
	st_id bigint;
	d record;
BEGIN
	IF p_app IS NOT NULL THEN
		SELECT x.id, x.status, x.stage INTO a FROM applications x
			WHERE x.id = p_app AND x.intake_id = p_intake;
	ELSE
		SELECT x.id, x.status, x.stage INTO a FROM applications x
			JOIN users u ON u.id = x.user_id
			WHERE x.intake_id = p_intake AND lower(u.email) = lower(p_email);
	END IF;
	IF a.id IS NULL THEN
		RETURN QUERY SELECT 'no_application', NULL::bigint, NULL::text, NULL::integer,
			NULL::text, NULL::integer;
		RETURN;
	END IF;
	SELECT s.id INTO st_id FROM intake_stages s
		WHERE s.intake_id = p_intake AND s.position = p_position;
	IF st_id IS NULL THEN
		RETURN QUERY SELECT 'no_stage', a.id, a.status, a.stage, a.status, a.stage;
		RETURN;
	END IF;
	SELECT * INTO d FROM application_decide(a.id, st_id, p_score, p_decision, p_actor,
		p_reason);
	RETURN QUERY SELECT d.code, a.id, a.status, a.stage, d.status, d.stage;
END $$;

GRANT SELECT, INSERT, UPDATE ON intakes, applications, application_results TO lms_app;
GRANT SELECT, INSERT ON intake_stages, application_events TO lms_app;
GRANT SELECT ON application_transitions TO lms_app;
GRANT SELECT, INSERT, DELETE ON intake_reviewers TO lms_app;
GRANT SELECT, INSERT ON application_documents TO lms_app;
GRANT SELECT, INSERT, DELETE ON program_exclusions TO lms_app;
