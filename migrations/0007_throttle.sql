-- 0007_throttle.sql - sign-in attempts in flight, and registrations by
-- address: throttling that slows an address down without locking out the
-- accounts behind it (a campus or an office shares one address).

-- Until busy_until an attempt is in flight: while its password is checked
-- (busy_until is then a bound, in case its server dies meanwhile) and while
-- a failure waits out the delay of its address. An address with many
-- failures may have only a few attempts in flight: that bounds the worker
-- threads one address can hold asleep. NULL: the attempt has its answer.
ALTER TABLE login_attempts ADD COLUMN busy_until timestamptz;
-- A success is answered at once, never held back.
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_success_not_held
	CHECK (NOT (succeeded AND busy_until IS NOT NULL));

-- Registrations attempted from an address that got as far as the password
-- hash, for the limit per address and window. An address's rows older than
-- the window are removed when it registers again.
CREATE TABLE registration_attempts (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	remote_addr inet NOT NULL
);
CREATE INDEX registration_attempts_addr ON registration_attempts (remote_addr, at);

GRANT SELECT, INSERT, DELETE ON registration_attempts TO lms_app;
