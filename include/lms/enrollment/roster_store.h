/* roster_store.h - reading enrolments: a learner's own, a section's roster, an
 * institution's */
#ifndef LMS_ENROLLMENT_ROSTER_STORE_H
#define LMS_ENROLLMENT_ROSTER_STORE_H

#include <jansson.h>
#include <stdbool.h>

struct db_conn;

/* A roster shows at most this many enrolments. */
#define ROSTER_MAX_ROWS 10000

/* What the permission rules need to know of a section, for one caller. */
struct roster_section {
	long long institution_id;  /* of its course */
	bool published;            /* its course is published */
	bool teaches;              /* the caller is one of its instructors */
};

/*
 * The facts of section_id for the user caller (0: nobody) into *s. Returns
 * 0, LMS_ENOTFOUND when there is no such section or it is a draft (a draft
 * has no roster), or a db_exec error.
 */
int roster_store_section(struct db_conn *db, long long section_id, long long caller,
			 struct roster_section *s);

/*
 * The roster of section_id into *out (new): {"section": {the section's
 * fields, seat counts, "course": {id, code, title, title_ko, title_en,
 * institution_id}}, "items": [...], "truncated": bool}. Items are
 * enrolments (ENROLLMENT_JSON) with the learner's display_name, email,
 * ladder_stage and affiliation_institution_id, and beside its progress
 * its "attendance": {held, attended, rate_pct (null before a session is
 * held), required_pct (the programme's, or null), meets}: enrolled first, then the
 * waitlist in its order, then pending, completed, incomplete, cancelled,
 * rejected; of status only when status is not NULL; at most
 * ROSTER_MAX_ROWS (then truncated is true). Titles in lang ("ko" | "en").
 */
int roster_store_read(struct db_conn *db, long long section_id, const char *status,
		      const char *lang, json_t **out);

/*
 * user_id's enrolments, newest first (id descending), with ids below
 * before_id (0: from the newest), of status when it is not NULL, at most
 * limit, into *items (new): ENROLLMENT_JSON with "course" {id, code, title,
 * title_ko, title_en, institution_id} and "section" {id, term, starts_on,
 * ends_on, status}.
 */
int roster_store_learner(struct db_conn *db, long long user_id, const char *status,
			 long long before_id, int limit, const char *lang, json_t **items);

/* Which enrolments roster_store_institution lists; 0 or NULL members do
 * not filter. */
struct roster_filter {
	long long institution_id; /* offering the section's course; 0: all */
	const char *status;
	long long course_id;
	long long section_id;
	long long after_id;       /* keyset: ids above this */
	int limit;
	const char *lang;         /* "ko" | "en" */
};

/*
 * The enrolments in the sections of f's institution's courses, oldest
 * first (id ascending), at most f->limit, into *items (new): ENROLLMENT_JSON
 * with the learner's display_name, email, ladder_stage and
 * affiliation_institution_id, "course" {id, code, title, title_ko,
 * title_en, institution_id} and "section" {id, term, starts_on, ends_on,
 * status}.
 */
int roster_store_institution(struct db_conn *db, const struct roster_filter *f, json_t **items);

#endif
