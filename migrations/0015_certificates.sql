-- 0015_certificates.sql - certificates of completion (수료증): issued by the
-- database in the transaction that completes an enrolment, whatever decided
-- the completion, and revoked (never deleted) in the transaction that takes
-- it back. A certificate keeps what it states as of its issue, so a later
-- change of a name or a title does not change a certificate already handed
-- out.

-- What an institution puts on its certificates: who signs them and, if an
-- admin uploaded one, its seal (a PNG in the blob store).
CREATE TABLE certificate_issuers (
	institution_id bigint PRIMARY KEY REFERENCES institutions (id),
	signatory_name_ko text CHECK (length(signatory_name_ko) BETWEEN 1 AND 60),
	signatory_title_ko text CHECK (length(signatory_title_ko) BETWEEN 1 AND 60),
	signatory_name_en text CHECK (length(signatory_name_en) BETWEEN 1 AND 100),
	signatory_title_en text CHECK (length(signatory_title_en) BETWEEN 1 AND 100),
	seal_sha256 text REFERENCES blobs (sha256),
	updated_at timestamptz NOT NULL DEFAULT now(),
	updated_by bigint REFERENCES users (id)
);

-- Crockford's base 32: no I, L, O or U, so a serial read aloud or typed from
-- paper is not misread.
CREATE FUNCTION certificate_alphabet() RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

-- The check character of a serial's body (year and random characters, no
-- dashes): Luhn mod 32 over the alphabet above, so any one character typed
-- wrong, and any two neighbours swapped but 0 and Z, are caught before a
-- lookup.
-- app/certificate/certificate.c computes the same.
CREATE FUNCTION certificate_check_char(body text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	factor integer := 2;
	total integer := 0;
	addend integer;
BEGIN
	FOR i IN REVERSE length(body)..1 LOOP
		addend := factor * (strpos(certificate_alphabet(), substr(body, i, 1)) - 1);
		factor := 3 - factor;
		total := total + addend / 32 + addend % 32;
	END LOOP;
	RETURN substr(certificate_alphabet(), (32 - total % 32) % 32 + 1, 1);
END $$;

-- A new serial: GJAI-<year>-XXXX-XXXX-XXXC, eleven random characters
-- (55 bits from the server's strong random source) and a check character.
-- Nothing in it counts or orders certificates.
CREATE FUNCTION certificate_serial_new(p_year integer) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	b bytea := uuid_send(gen_random_uuid());
	r text := '';
	k integer;
BEGIN
	-- uuid v4 bytes 6 and 8 carry the version and variant: skipped.
	FOREACH k IN ARRAY ARRAY[0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12] LOOP
		r := r || substr(certificate_alphabet(), get_byte(b, k) % 32 + 1, 1);
	END LOOP;
	RETURN 'GJAI-' || p_year || '-' || substr(r, 1, 4) || '-' || substr(r, 5, 4) || '-'
		|| substr(r, 9, 3) || certificate_check_char(p_year || r);
END $$;

CREATE TABLE certificates (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	serial text NOT NULL UNIQUE
		CHECK (serial ~ '^GJAI-[0-9]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$'),
	enrollment_id bigint NOT NULL REFERENCES enrollments (id),
	user_id bigint NOT NULL REFERENCES users (id),
	section_id bigint NOT NULL REFERENCES sections (id),
	course_id bigint NOT NULL REFERENCES courses (id),
	institution_id bigint NOT NULL REFERENCES institutions (id),
	-- What the certificate states, as of its issue.
	learner_name text NOT NULL,
	course_code text NOT NULL,
	course_title_ko text NOT NULL,
	course_title_en text NOT NULL,
	program_code text NOT NULL,
	program_name_ko text NOT NULL,
	program_name_en text NOT NULL,
	institution_name_ko text NOT NULL,
	institution_name_en text NOT NULL,
	starts_on date NOT NULL,
	ends_on date NOT NULL,
	sessions_held integer NOT NULL CHECK (sessions_held >= 0),
	sessions_attended integer NOT NULL CHECK (sessions_attended BETWEEN 0 AND sessions_held),
	-- Hours of the sessions held, one decimal.
	hours numeric(7, 1) NOT NULL CHECK (hours >= 0),
	signatory_name_ko text,
	signatory_title_ko text NOT NULL,
	signatory_name_en text,
	signatory_title_en text NOT NULL,
	seal_sha256 text REFERENCES blobs (sha256),
	issued_at timestamptz NOT NULL DEFAULT now(),
	revoked_at timestamptz,
	revoked_reason text CHECK (length(revoked_reason) BETWEEN 1 AND 2000),
	-- The PDF, made once on first demand and then served as stored.
	pdf_sha256 text REFERENCES blobs (sha256),
	CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
-- One valid certificate per enrolment; revoked ones stay beside it.
CREATE UNIQUE INDEX certificates_live ON certificates (enrollment_id) WHERE revoked_at IS NULL;
CREATE INDEX certificates_user ON certificates (user_id, id);
CREATE INDEX certificates_section ON certificates (section_id, id);
CREATE INDEX certificates_institution ON certificates (institution_id, issued_at);

-- Issues enrolment p_enrollment's certificate, as things stand now; returns
-- its id. The caller is the completion trigger below (or the demo data).
CREATE FUNCTION certificate_issue(p_enrollment bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	new_id bigint;
	issued timestamptz := now();
BEGIN
	INSERT INTO certificates (serial, enrollment_id, user_id, section_id, course_id,
			institution_id, learner_name, course_code, course_title_ko, course_title_en,
			program_code, program_name_ko, program_name_en, institution_name_ko,
			institution_name_en, starts_on, ends_on, sessions_held, sessions_attended,
			hours, signatory_name_ko, signatory_title_ko, signatory_name_en,
			signatory_title_en, seal_sha256, issued_at)
		SELECT certificate_serial_new(extract(year FROM issued AT TIME ZONE 'Asia/Seoul')::integer),
			e.id, e.user_id, s.id, c.id, i.id, u.display_name, c.code, c.title_ko,
			c.title_en, p.code, p.name_ko, p.name_en, i.name_ko, i.name_en, s.starts_on,
			s.ends_on, h.held, h.attended, h.hours, ci.signatory_name_ko,
			coalesce(ci.signatory_title_ko, i.name_ko), ci.signatory_name_en,
			coalesce(ci.signatory_title_en, i.name_en), ci.seal_sha256, issued
		FROM enrollments e
		JOIN users u ON u.id = e.user_id
		JOIN sections s ON s.id = e.section_id
		JOIN courses c ON c.id = s.course_id
		JOIN programs p ON p.id = c.program_id
		JOIN institutions i ON i.id = c.institution_id
		LEFT JOIN certificate_issuers ci ON ci.institution_id = i.id
		-- Held: scheduled sessions that have begun, as the attendance
		-- threshold counts them.
		CROSS JOIN LATERAL (SELECT count(*)::integer AS held,
				(count(*) FILTER (WHERE a.present))::integer AS attended,
				coalesce(round(sum(extract(epoch FROM cs.ends_at - cs.starts_at)) / 3600, 1),
					0) AS hours
			FROM class_sessions cs
			LEFT JOIN attendance a ON a.session_id = cs.id AND a.enrollment_id = e.id
			WHERE cs.section_id = e.section_id AND cs.status = 'scheduled'
				AND cs.starts_at <= issued) h
		WHERE e.id = p_enrollment
		RETURNING id INTO new_id;
	RETURN new_id;
END $$;

-- An enrolment that becomes completed gets its certificate (its learner's
-- completion notice carries the serial); one that stops being completed (an admin
-- corrects a mistake) has it revoked with the change's reason. The revoked
-- row stays, so a paper copy shown later is answered "revoked", not
-- "unknown".
CREATE FUNCTION enrollment_certificate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.status = 'completed' THEN
		PERFORM certificate_issue(NEW.id);
	ELSE
		UPDATE certificates SET revoked_at = now(),
				revoked_reason = left(coalesce(nullif(current_setting('lms.reason', true), ''),
					'completion revoked'), 2000)
			WHERE enrollment_id = NEW.id AND revoked_at IS NULL;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER enrollments_certificate AFTER UPDATE OF status ON enrollments
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
		AND (NEW.status = 'completed' OR OLD.status = 'completed'))
	EXECUTE FUNCTION enrollment_certificate();

-- A completion given by mistake is taken back: completed -> incomplete.
INSERT INTO enrollment_transitions VALUES ('completed', 'incomplete');

-- Public lookups of certificates by address, for the limit per address and
-- window (like registration_attempts); rows older than the window go when
-- the address looks again.
CREATE TABLE certificate_lookups (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	remote_addr inet NOT NULL
);
CREATE INDEX certificate_lookups_addr ON certificate_lookups (remote_addr, at);

GRANT SELECT, INSERT, UPDATE ON certificate_issuers TO lms_app;
GRANT SELECT, INSERT, UPDATE ON certificates TO lms_app;
GRANT SELECT, INSERT, DELETE ON certificate_lookups TO lms_app;
-- The PDF and the seal are stored in the blob store as the server's role.
GRANT SELECT, INSERT ON blobs, blob_chunks TO lms_app;
