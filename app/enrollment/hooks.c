/* hooks.c - what the enrolment engine does when the catalogue changes a section */
#include "lms/enrollment/hooks.h"

int enrollment_capacity_raised(struct db_conn *db, long long section_id, int old_capacity,
			       int new_capacity)
{
	/* The enrolment engine (issue 5) promotes waitlisted learners into
	 * the new seats here, first come first served; until then there is
	 * nothing to do. */
	return 0;
}
