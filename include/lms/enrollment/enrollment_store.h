/* enrollment_store.h - enrolments in PostgreSQL: enrol, change status,
 * promote from the waitlist */
#ifndef LMS_ENROLLMENT_ENROLLMENT_STORE_H
#define LMS_ENROLLMENT_ENROLLMENT_STORE_H

#include <jansson.h>
#include <stdbool.h>

#include "lms/catalog/content_store.h"

struct db_conn;

/* SQL: the JSON of enrolment "e" of section "s" (joined by the caller):
 * what the learner view, the roster and every enrolment answer show. The
 * waitlist position is the rank among the section's waitlisted, so the
 * positions are always 1..n without gaps. */
#define ENROLLMENT_JSON                                                                  \
	"json_build_object('id', e.id, 'section_id', e.section_id, 'course_id', s.course_id," \
	" 'user_id', e.user_id, 'status', e.status,"                                       \
	" 'waitlist_position', CASE WHEN e.status = 'waitlisted' THEN (SELECT count(*)"      \
	" FROM enrollments w WHERE w.section_id = e.section_id AND w.status = 'waitlisted'" \
	" AND w.waitlist_seq <= e.waitlist_seq) END,"                                       \
	" 'statement', e.statement,"                                                       \
	" 'progress', " CONTENT_STORE_PROGRESS_JSON("e.user_id", "s.course_id") ","        \
	" 'created_at', e.created_at, 'updated_at', e.updated_at)"

/* The outcome of an enrolment request (enroll() in the database). */
struct enroll_result {
	char code[32];           /* "ok" or the refusal: "not_eligible_stage", ... */
	long long enrollment_id;
	char status[16];         /* enrolled | waitlisted | pending */
	long long waitlist_position;
	json_t *detail;          /* owned: what the refusal names, or course_id and
				  * created_at */
};

/*
 * Enrols user_id in section_id in one statement (eligibility, seat or
 * waitlist place, audit row). Returns 0 with *r filled (release r->detail),
 * or an lms_err.
 */
int enrollment_store_enroll(struct db_conn *db, long long user_id, long long section_id,
			    const char *statement, const char *remote_addr, const char *request_id,
			    struct enroll_result *r);

/* What rules and permissions need to know of an enrolment. */
struct enrollment_info {
	long long id, user_id, section_id, course_id, institution_id;
	char status[16];
	bool started;        /* its section has begun (Korean date) */
	bool caller_teaches; /* the asking user instructs its section */
};

/* Looks up enrolment id for the asking user caller. LMS_ENOTFOUND. */
int enrollment_store_info(struct db_conn *db, long long id, long long caller,
			  struct enrollment_info *info);

/*
 * Inside the caller's transaction: lets a completion through before the
 * section has ended, for the given reason (an admin's, recorded by the
 * caller). Without it the database refuses such completions: SQLSTATE
 * LMS02. Returns 0 or an lms_err.
 */
int enrollment_store_override(struct db_conn *db, const char *reason);

/*
 * Inside the caller's transaction: locks the section, moves enrolment id to
 * status (the database refuses transitions the state machine does not
 * have: SQLSTATE LMS01; a completion before the section is over: LMS02;
 * and over-filling: 23514), records who and why, and
 * fills freed seats from the waitlist. Returns 0 or an lms_err.
 */
int enrollment_store_transition(struct db_conn *db, const struct enrollment_info *info,
				const char *status, long long actor, const char *reason);

/*
 * Inside the caller's transaction: moves the learner of enrolment info to
 * section to (same course): the old enrolment is cancelled, a new one
 * enrolled (LMS_ECONFLICT when to is full), the old section's waitlist
 * promoted. *new_id is the new enrolment.
 */
int enrollment_store_move(struct db_conn *db, const struct enrollment_info *info,
			  long long to_section, long long actor, const char *reason,
			  long long *new_id);

/* Enrolment id as ENROLLMENT_JSON plus its "history" (new). */
int enrollment_store_get(struct db_conn *db, long long id, json_t **enrollment);

#endif
