/* hooks.h - what the enrolment engine does when the catalogue changes a section */
#ifndef LMS_ENROLLMENT_HOOKS_H
#define LMS_ENROLLMENT_HOOKS_H

struct db_conn;

/*
 * The capacity of section_id rose from old_capacity to new_capacity, in the
 * caller's open transaction, which holds the section row locked (SELECT ...
 * FOR UPDATE). Called in that transaction, so seats freed this way are
 * filled before anyone else sees them. Returns 0 or a negative lms_err (the
 * caller then rolls the whole change back).
 */
int enrollment_capacity_raised(struct db_conn *db, long long section_id, int old_capacity,
			       int new_capacity);

#endif
