-- 0014_session_series.sql - recurring classes: "every Tuesday and Thursday
-- 19:00-22:00 from ... to ..." is one row, and each of its occurrences an
-- ordinary class session that refers to it. The occurrences are created
-- together in one transaction, each under the exclusion constraints of
-- class_sessions; afterwards each one is moved or cancelled on its own, so
-- the series row records what was asked for, not what the sessions are now.
CREATE TABLE class_session_series (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	section_id bigint NOT NULL REFERENCES sections (id),
	-- ISO days of the week, 1 = Monday .. 7 = Sunday, each once, in order
	weekdays smallint[] NOT NULL CHECK (cardinality(weekdays) BETWEEN 1 AND 7
		AND weekdays <@ ARRAY[1, 2, 3, 4, 5, 6, 7]::smallint[]),
	-- wall-clock times of time_zone on each of those days
	start_time time NOT NULL,
	end_time time NOT NULL,
	time_zone text NOT NULL DEFAULT 'Asia/Seoul' CHECK (time_zone = 'Asia/Seoul'),
	starts_on date NOT NULL,
	ends_on date NOT NULL,
	instructor_id bigint NOT NULL REFERENCES instructors (user_id),
	facility_id bigint REFERENCES facilities (id),
	online_url text CHECK (online_url ~ '^https://[^[:space:]]+$'),
	created_by bigint REFERENCES users (id),
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK (end_time > start_time),
	-- at most a year: a longer series is a mistake, not a plan
	CHECK (ends_on >= starts_on AND ends_on - starts_on <= 366),
	CHECK ((facility_id IS NULL) <> (online_url IS NULL))
);
CREATE INDEX class_session_series_section ON class_session_series (section_id);

ALTER TABLE class_sessions ADD COLUMN series_id bigint REFERENCES class_session_series (id);
CREATE INDEX class_sessions_series ON class_sessions (series_id) WHERE series_id IS NOT NULL;

GRANT SELECT, INSERT ON class_session_series TO lms_app;
