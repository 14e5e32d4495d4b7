-- 0002_accounts.sql - institutions, accounts, roles, sessions, API tokens,
-- login attempts, the audit log, and the application role the server uses.

-- The server connects as lms_app: not a superuser, owns nothing, so it cannot
-- alter the schema; it gets only the rights granted below. A DBA may create it
-- beforehand (with a password); otherwise the migrating owner creates it. Two
-- databases migrated at once in one cluster may race on the cluster-wide
-- role: the loser carries on.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lms_app') THEN
		CREATE ROLE lms_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
	END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
	NULL;
END $$;

-- Stages of the AI talent ladder, from kindergarten to working adults.
CREATE DOMAIN ladder_stage AS text CHECK (VALUE IN (
	'preschool', 'elementary', 'middle', 'high', 'undergraduate', 'graduate',
	'worker', 'job_seeker', 'public_servant', 'general'));

CREATE TABLE institutions (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9_]{2,40}$'),
	kind text NOT NULL CHECK (kind IN ('city', 'education_office', 'science_museum',
		'university', 'graduate_school', 'company', 'public_agency')),
	name_ko text NOT NULL CHECK (length(name_ko) BETWEEN 1 AND 200),
	name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
	region text,
	is_partner boolean NOT NULL DEFAULT false,         -- Gwangju agreement member
	is_regional_center boolean NOT NULL DEFAULT false, -- national programme centre
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	-- "pbkdf2_sha256$<iterations>$<salt>$<hash>": self-describing, so the
	-- cost can rise and old hashes are upgraded at sign-in.
	password_hash text NOT NULL,
	display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
	ladder_stage ladder_stage NOT NULL,
	affiliation_institution_id bigint REFERENCES institutions (id),
	locale text NOT NULL DEFAULT 'ko' CHECK (locale IN ('ko', 'en')),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	password_changed_at timestamptz NOT NULL DEFAULT now()
);
-- One account per address, whatever its case.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Every user holds "learner" (no institution); instructors and institution
-- admins act for one institution each row; platform admins for all.
CREATE TABLE user_roles (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role text NOT NULL CHECK (role IN ('learner', 'instructor', 'institution_admin',
		'platform_admin')),
	institution_id bigint REFERENCES institutions (id),
	granted_by bigint REFERENCES users (id),
	granted_at timestamptz NOT NULL DEFAULT now(),
	CHECK ((role IN ('instructor', 'institution_admin')) = (institution_id IS NOT NULL)),
	UNIQUE NULLS NOT DISTINCT (user_id, role, institution_id)
);
CREATE INDEX user_roles_institution ON user_roles (institution_id, role);

-- Only a SHA-256 of each session token is kept: a copy of this table
-- signs nobody in.
CREATE TABLE auth_sessions (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	last_seen_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	remote_addr inet,
	user_agent text
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

-- An institution's credential for scripts; shown once, stored as a hash.
CREATE TABLE api_tokens (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	institution_id bigint NOT NULL REFERENCES institutions (id),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	token_prefix text NOT NULL,  -- the first characters, to tell tokens apart
	scopes text[] NOT NULL CHECK (cardinality(scopes) > 0),
	created_by bigint NOT NULL REFERENCES users (id),
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	last_used_at timestamptz,
	revoked_at timestamptz,
	revoked_by bigint REFERENCES users (id)
);
CREATE INDEX api_tokens_institution ON api_tokens (institution_id, id);

-- Sign-in attempts, for throttling that holds across server instances.
-- email is lower-cased as typed, whether or not an account has it.
CREATE TABLE login_attempts (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	email text NOT NULL,
	remote_addr inet,
	succeeded boolean NOT NULL DEFAULT false
);
CREATE INDEX login_attempts_email ON login_attempts (email, at);
CREATE INDEX login_attempts_addr ON login_attempts (remote_addr, at);

-- Who read or changed what, when, from where. Append-only for the server.
-- No foreign keys: the trail outlives the rows it names.
CREATE TABLE audit_log (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	actor_user_id bigint,
	actor_token_id bigint,
	action text NOT NULL,
	target_type text,
	target_id bigint,
	institution_id bigint,   -- whose data it concerns, for institution views
	remote_addr inet,
	request_id text,
	detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_institution ON audit_log (institution_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, id);

GRANT USAGE ON SCHEMA public TO lms_app;
GRANT SELECT ON schema_migrations TO lms_app;
GRANT SELECT ON institutions TO lms_app;
GRANT SELECT, INSERT, UPDATE ON users TO lms_app;
GRANT SELECT, INSERT, DELETE ON user_roles TO lms_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON auth_sessions TO lms_app;
GRANT SELECT, INSERT, UPDATE ON api_tokens TO lms_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON login_attempts TO lms_app;
GRANT SELECT, INSERT ON audit_log TO lms_app;
