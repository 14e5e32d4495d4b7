-- 0005_schedule.sql - shared instructors, class sessions that can never
-- double-book an instructor or a facility, attendance, calendar feeds.

-- An instructor's profile: a user who teaches, at a home institution that
-- may share them with partners.
CREATE TABLE instructors (
	user_id bigint PRIMARY KEY REFERENCES users (id),
	home_institution_id bigint NOT NULL REFERENCES institutions (id),
	expertise text[] NOT NULL DEFAULT '{}' CHECK (cardinality(expertise) <= 20),
	bio_ko text NOT NULL DEFAULT '' CHECK (length(bio_ko) <= 4000),
	bio_en text NOT NULL DEFAULT '' CHECK (length(bio_en) <= 4000),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX instructors_home ON instructors (home_institution_id);
CREATE INDEX instructors_expertise ON instructors USING gin (expertise);

-- The partners a home institution lends an instructor to.
CREATE TABLE instructor_shares (
	instructor_id bigint NOT NULL REFERENCES instructors (user_id) ON DELETE CASCADE,
	institution_id bigint NOT NULL REFERENCES institutions (id),
	shared_by bigint REFERENCES users (id),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (instructor_id, institution_id)
);
CREATE INDEX instructor_shares_institution ON instructor_shares (institution_id);

-- One meeting of a section. Nobody is ever in two overlapping sessions, and
-- no room holds two: exclusion constraints over the time range, across all
-- institutions. Ranges are half-open, so a session may start the moment the
-- previous one ends; a cancelled session frees its slot.
CREATE TABLE class_sessions (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	section_id bigint NOT NULL REFERENCES sections (id),
	starts_at timestamptz NOT NULL,
	ends_at timestamptz NOT NULL,
	instructor_id bigint NOT NULL REFERENCES instructors (user_id),
	facility_id bigint REFERENCES facilities (id),
	online_url text CHECK (online_url ~ '^https://[^[:space:]]+$'),
	status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
	-- iCalendar SEQUENCE: rises with every change a calendar must notice
	sequence integer NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (ends_at > starts_at),
	CHECK ((facility_id IS NULL) <> (online_url IS NULL)),
	CONSTRAINT class_sessions_instructor_free EXCLUDE USING gist
		(instructor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
		WHERE (status = 'scheduled'),
	CONSTRAINT class_sessions_facility_free EXCLUDE USING gist
		(facility_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
		WHERE (status = 'scheduled' AND facility_id IS NOT NULL)
);
CREATE INDEX class_sessions_section ON class_sessions (section_id, starts_at);

-- Who was there: one row per session and enrolment, set by the session's
-- instructor.
CREATE TABLE attendance (
	session_id bigint NOT NULL REFERENCES class_sessions (id),
	enrollment_id bigint NOT NULL REFERENCES enrollments (id),
	present boolean NOT NULL,
	recorded_by bigint REFERENCES users (id),
	recorded_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (session_id, enrollment_id)
);
CREATE INDEX attendance_enrollment ON attendance (enrollment_id);

-- Calendar subscriptions: a calendar app fetches a feed with a secret in the
-- URL instead of a session. Stored as a digest; revocable.
CREATE TABLE calendar_feeds (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id),
	kind text NOT NULL CHECK (kind IN ('instructor', 'learner')),
	token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	created_at timestamptz NOT NULL DEFAULT now(),
	last_used_at timestamptz,
	revoked_at timestamptz
);
CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id);

GRANT SELECT, INSERT, UPDATE ON instructors, class_sessions, calendar_feeds TO lms_app;
GRANT SELECT, INSERT, DELETE ON instructor_shares TO lms_app;
GRANT SELECT, INSERT, UPDATE ON attendance TO lms_app;
