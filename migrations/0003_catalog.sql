-- 0003_catalog.sql - programmes, courses, sections, content, progress,
-- facilities, and the enrolment rows that seats and lesson access read.

-- A programme of the partnership or the national scheme, with who may enrol.
CREATE TABLE programs (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code text NOT NULL UNIQUE CHECK (code IN ('ai_academy', 'ai_do_dream',
		'corporate_university', 'science_academy', 'university_track',
		'graduate_school', 'online', 'startup_support', 'regional_center')),
	name_ko text NOT NULL CHECK (length(name_ko) BETWEEN 1 AND 200),
	name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
	summary_ko text NOT NULL DEFAULT '',
	summary_en text NOT NULL DEFAULT '',
	allowed_stages ladder_stage[] NOT NULL CHECK (cardinality(allowed_stages) > 0),
	affiliation_required boolean NOT NULL DEFAULT false,
	approval_required boolean NOT NULL DEFAULT false,
	-- share of sessions attended that completion requires; NULL: none
	min_attendance_pct integer CHECK (min_attendance_pct BETWEEN 1 AND 100)
);

-- What the catalogue search reads: titles, summaries and tags, lower-cased.
-- Declared immutable (array_to_string is only stable in general, but on
-- text[] its result depends on nothing but the input).
CREATE FUNCTION course_search_text(title_ko text, title_en text, summary_ko text,
	summary_en text, code text, tags text[]) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN lower(title_ko || ' ' || title_en || ' ' || summary_ko || ' ' || summary_en
		|| ' ' || code || ' ' || array_to_string(tags, ' '));

-- Every two-character piece of a text without a space (course_search_text
-- joins its parts with spaces; a search word holds none). pg_trgm cannot use its index for a
-- pattern shorter than three characters, and Korean words are often two
-- syllables (코딩, 로봇, 교육): those are found through this array instead.
CREATE FUNCTION text_bigrams(t text) RETURNS text[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN ARRAY(SELECT DISTINCT substr(t, i, 2) FROM generate_series(1, length(t) - 1) i
		WHERE position(' ' IN substr(t, i, 2)) = 0);

CREATE TABLE courses (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	institution_id bigint NOT NULL REFERENCES institutions (id),
	program_id bigint NOT NULL REFERENCES programs (id),
	code text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$'),
	title_ko text NOT NULL CHECK (length(title_ko) BETWEEN 1 AND 200),
	title_en text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 200),
	summary_ko text NOT NULL DEFAULT '' CHECK (length(summary_ko) <= 1000),
	summary_en text NOT NULL DEFAULT '' CHECK (length(summary_en) <= 1000),
	description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
	delivery text NOT NULL CHECK (delivery IN ('online', 'offline', 'blended')),
	level text NOT NULL DEFAULT 'beginner'
		CHECK (level IN ('beginner', 'intermediate', 'advanced')),
	tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
	published boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	search_text text GENERATED ALWAYS AS
		(course_search_text(title_ko, title_en, summary_ko, summary_en, code, tags)) STORED,
	search_bigrams text[] GENERATED ALWAYS AS
		(text_bigrams(course_search_text(title_ko, title_en, summary_ko, summary_en,
			code, tags))) STORED,
	UNIQUE (institution_id, code)
);
CREATE INDEX courses_search_trgm ON courses USING gin (search_text gin_trgm_ops);
CREATE INDEX courses_search_bigrams ON courses USING gin (search_bigrams);
CREATE INDEX courses_program ON courses (program_id, id);
CREATE INDEX courses_institution ON courses (institution_id, id);

-- The rungs of the ladder: courses to complete before this one.
CREATE TABLE course_prerequisites (
	course_id bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	prerequisite_id bigint NOT NULL REFERENCES courses (id),
	PRIMARY KEY (course_id, prerequisite_id),
	CHECK (course_id <> prerequisite_id)
);

CREATE TABLE sections (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	course_id bigint NOT NULL REFERENCES courses (id),
	term text NOT NULL CHECK (term ~ '^[0-9]{4}-(1|2|summer|winter)$'),
	starts_on date NOT NULL,
	ends_on date NOT NULL,
	capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
	enrollment_opens_at timestamptz NOT NULL,
	enrollment_closes_at timestamptz NOT NULL,
	status text NOT NULL DEFAULT 'draft'
		CHECK (status IN ('draft', 'open', 'closed', 'cancelled')),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (ends_on >= starts_on),
	CHECK (enrollment_closes_at > enrollment_opens_at)
);
CREATE INDEX sections_course ON sections (course_id, starts_on);

-- Who teaches a section (users holding the instructor role).
CREATE TABLE section_instructors (
	section_id bigint NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users (id),
	PRIMARY KEY (section_id, user_id)
);
CREATE INDEX section_instructors_user ON section_instructors (user_id);

-- A learner in a section. The enrolment engine owns the transitions; the
-- catalogue counts seats and the content rules check access from here. At
-- most one active row per learner and section.
CREATE TABLE enrollments (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id),
	section_id bigint NOT NULL REFERENCES sections (id),
	status text NOT NULL CHECK (status IN ('pending', 'enrolled', 'waitlisted', 'rejected',
		'cancelled', 'completed', 'incomplete')),
	statement text CHECK (length(statement) <= 2000),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX enrollments_active ON enrollments (user_id, section_id)
	WHERE status IN ('pending', 'enrolled', 'waitlisted');
CREATE INDEX enrollments_section ON enrollments (section_id, status);
CREATE INDEX enrollments_user ON enrollments (user_id);

CREATE TABLE course_modules (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	course_id bigint NOT NULL REFERENCES courses (id),
	position integer NOT NULL CHECK (position BETWEEN 0 AND 10000),
	title_ko text NOT NULL CHECK (length(title_ko) BETWEEN 1 AND 200),
	title_en text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 200),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX course_modules_course ON course_modules (course_id, position, id);

CREATE TABLE lessons (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	module_id bigint NOT NULL REFERENCES course_modules (id),
	position integer NOT NULL CHECK (position BETWEEN 0 AND 10000),
	title_ko text NOT NULL CHECK (length(title_ko) BETWEEN 1 AND 200),
	title_en text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 200),
	kind text NOT NULL CHECK (kind IN ('text', 'video', 'link', 'file')),
	body_md text NOT NULL DEFAULT '' CHECK (length(body_md) <= 200000),
	url text CHECK (url ~ '^https://'),  -- video or external link
	duration_min integer CHECK (duration_min BETWEEN 1 AND 1440),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (kind NOT IN ('video', 'link') OR url IS NOT NULL)
);
CREATE INDEX lessons_module ON lessons (module_id, position, id);

-- Files of a lesson. The bytes live under data_dir/content named by their
-- SHA-256; the uploader's file name is only data.
CREATE TABLE attachments (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	lesson_id bigint NOT NULL REFERENCES lessons (id),
	filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
	content_type text NOT NULL,
	size bigint NOT NULL CHECK (size >= 0),
	sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	uploaded_by bigint REFERENCES users (id),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_lesson ON attachments (lesson_id);

CREATE TABLE lesson_progress (
	user_id bigint NOT NULL REFERENCES users (id),
	lesson_id bigint NOT NULL REFERENCES lessons (id),
	completed_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, lesson_id)
);

-- Rooms and labs; an institution may lend them to partners.
CREATE TABLE facilities (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	institution_id bigint NOT NULL REFERENCES institutions (id),
	name_ko text NOT NULL CHECK (length(name_ko) BETWEEN 1 AND 200),
	name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
	kind text NOT NULL CHECK (kind IN ('classroom', 'lab', 'auditorium', 'studio')),
	capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 5000),
	location text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (institution_id, name_ko)
);
CREATE TABLE facility_loans (
	facility_id bigint NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
	institution_id bigint NOT NULL REFERENCES institutions (id),
	PRIMARY KEY (facility_id, institution_id)
);

-- Catalogue lists may be cached by any server instance; each change to what
-- they show tells every instance through NOTIFY lms_catalog.
CREATE FUNCTION catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('lms_catalog', TG_TABLE_NAME);
	RETURN NULL;
END $$;
CREATE TRIGGER institutions_changed AFTER INSERT OR UPDATE OR DELETE ON institutions
	FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER programs_changed AFTER INSERT OR UPDATE OR DELETE ON programs
	FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER courses_changed AFTER INSERT OR UPDATE OR DELETE ON courses
	FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER course_prerequisites_changed AFTER INSERT OR UPDATE OR DELETE
	ON course_prerequisites FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
-- Not for seat counts: every enrolment changes those, and a transaction
-- that notifies takes a cluster-wide lock through its commit, which would
-- make enrolments commit one at a time. Answers that show seats (a course
-- page) are not cached; lists only show what changes below.
CREATE TRIGGER sections_changed AFTER INSERT OR DELETE OR UPDATE OF course_id, term,
	starts_on, ends_on, capacity, enrollment_opens_at, enrollment_closes_at, status
	ON sections FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER section_instructors_changed AFTER INSERT OR UPDATE OR DELETE
	ON section_instructors FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER course_modules_changed AFTER INSERT OR UPDATE OR DELETE ON course_modules
	FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER lessons_changed AFTER INSERT OR UPDATE OR DELETE ON lessons
	FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();

GRANT SELECT ON programs, course_prerequisites, facility_loans TO lms_app;
GRANT SELECT, INSERT, UPDATE ON courses, sections, course_modules, lessons, facilities
	TO lms_app;
GRANT INSERT, DELETE ON course_prerequisites, section_instructors, facility_loans TO lms_app;
GRANT SELECT ON section_instructors TO lms_app;
GRANT SELECT, INSERT, UPDATE ON enrollments TO lms_app;
GRANT SELECT, INSERT ON attachments TO lms_app;
GRANT SELECT, INSERT, DELETE ON lesson_progress TO lms_app;
