/* oneroster_store.h - the SQL of the OneRoster export: an institution's
 * classes, courses, terms, people and enrolments, read through cursors */
#ifndef LMS_REPORTS_ONEROSTER_STORE_H
#define LMS_REPORTS_ONEROSTER_STORE_H

#include "lms/reports/oneroster.h"

struct db_conn;

/* The institution exported. */
struct oneroster_institution {
	long long id;
	char code[48];   /* institutions.code, [a-z0-9_]{2,40} */
	char name[808];  /* in the language asked for (200 characters at most) */
};

/*
 * Reads institution id with its name in lang ("ko" or "en") into *out.
 * Returns 0, LMS_ENOTFOUND or a db_exec error.
 */
int oneroster_store_institution(struct db_conn *db, long long id, const char *lang,
				struct oneroster_institution *out);

/*
 * Opens the transaction an export reads in: REPEATABLE READ, so that every
 * file sees the same moment (a class, its course and its enrolments agree).
 * Returns 0 or a db_exec error; end it with db_commit or db_rollback.
 */
int oneroster_store_begin(struct db_conn *db);

/* Called with each row read (borrowed for the call); returns 0 to go on, or
 * a negative lms_err that stops the read and is returned by it. */
typedef int (*oneroster_store_row_fn)(void *ctx, const struct oneroster_row *row);

/*
 * Reads, in a transaction oneroster_store_begin opened, the rows of source
 * for institution_id, in batches through a cursor so that memory does not
 * grow with the institution, and hands each to fn. The classes exported
 * are the institution's open and closed sections (drafts are not offered
 * yet, cancelled ones are gone); with them:
 * - ONEROSTER_ACADEMIC_SESSIONS: their terms, each from its first day to
 *   its last of these classes, by term;
 * - ONEROSTER_COURSES: the institution's published courses and those of
 *   the classes, by id;
 * - ONEROSTER_CLASSES: the classes with their course's code and title
 *   (in lang), by id;
 * - ONEROSTER_USERS: their instructors and the learners enrolled in them
 *   (enrolled, completed or incomplete), once each, by id;
 * - ONEROSTER_ENROLLMENTS: those enrolments, and each instructor of each
 *   class, by class.
 * Returns 0, LMS_EINVAL for any other source, fn's error or a db_exec
 * error (then roll the transaction back).
 */
int oneroster_store_read(struct db_conn *db, long long institution_id, const char *lang,
			 enum oneroster_file source, oneroster_store_row_fn fn, void *ctx);

#endif
