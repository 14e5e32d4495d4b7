/* hooks.c - what the enrolment engine does when the catalogue changes a section */
#include "lms/enrollment/hooks.h"

#include "lms/db/sql.h"

int enrollment_capacity_raised(struct db_conn *db, long long section_id, int old_capacity,
			       int new_capacity)
{
	/* k new seats promote the first k waitlisted, in the caller's
	 * transaction, under its lock on the section. */
	return db_execf(db, NULL,
			"SELECT enrollment_promote($1, 'promoted from the waitlist: capacity raised')",
			"l", section_id);
}
