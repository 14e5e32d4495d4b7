-- 0008_capacity_promotes.sql - a section whose capacity rises fills its new
-- seats from its waitlist in the same statement, whoever raises it: the
-- catalogue no longer calls into the enrolment engine to have it done.

-- The seats go to the oldest waitlisted first (enrollment_promote), under
-- the row lock the UPDATE holds, so nobody else can take them in between;
-- each promotion records its enrollment_events row as any status change
-- does. A cancelled section has no seats to give.
CREATE FUNCTION section_capacity_raised() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM enrollment_promote(NEW.id, 'promoted from the waitlist: capacity raised');
	RETURN NULL;
END $$;
CREATE TRIGGER sections_capacity_raised AFTER UPDATE OF capacity ON sections
	FOR EACH ROW WHEN (NEW.capacity > OLD.capacity AND NEW.status <> 'cancelled')
	EXECUTE FUNCTION section_capacity_raised();
