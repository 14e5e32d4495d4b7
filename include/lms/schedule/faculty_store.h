/* faculty_store.h - instructor profiles, their shares, facilities and loans */
#ifndef LMS_SCHEDULE_FACULTY_STORE_H
#define LMS_SCHEDULE_FACULTY_STORE_H

#include <jansson.h>
#include <stdbool.h>

struct db_conn;

/*
 * Bodies (body arguments) are request objects already checked against the
 * handler's schema: PostgreSQL reads the fields it names from
 * them, and an update changes only the fields the body names. lang is "ko"
 * or "en": the language of "name" and "bio" in the answers.
 */

/* ---- for scheduling ---- */

/*
 * Whether instructor_id (a user with an instructor profile) may teach for
 * institution_id: it is their home or their home shares them with it. *ok is
 * false for a user without a profile. Inside the caller's transaction it
 * locks the profile (FOR KEY SHARE) until the transaction ends, so a share
 * revoked at the same time either waits for it or is seen by it. Returns 0
 * or an lms_err.
 */
int faculty_store_can_teach(struct db_conn *db, long long instructor_id,
			    long long institution_id, bool *ok);

/*
 * Whether institution_id may book facility_id: it owns the facility or the
 * owner lends it. *ok is false for an unknown facility. Inside the caller's
 * transaction it locks the facility the same way against a change of its
 * loans. Returns 0 or an lms_err.
 */
int faculty_store_facility_usable(struct db_conn *db, long long facility_id,
				  long long institution_id, bool *ok);

/* ---- instructors ---- */

/* What the directory lists. */
struct faculty_filter {
	const char *expertise;    /* an exact expertise tag, or NULL */
	long long institution_id; /* home institution, 0: any */
	bool shared;              /* institution_id also matches those shared with it */
	const char *q;            /* part of the display name (any case), or NULL */
	const char *lang;
	long long after_id;       /* cursor: user ids above it */
	int limit;
};

/* A page of the directory in user id order into *items (new JSON array).
 * No e-mail addresses: it is public. */
int faculty_store_instructor_list(struct db_conn *db, const struct faculty_filter *f,
				  json_t **items);

/* The profile of user id into *out (new); LMS_ENOTFOUND when the user has
 * none. */
int faculty_store_instructor_get(struct db_conn *db, long long id, const char *lang,
				 json_t **out);

/*
 * The home institution of instructor id into *home; LMS_ENOTFOUND when the
 * user has no profile. With lock the profile is locked FOR UPDATE until the
 * caller's transaction ends (revoking a share: see faculty_store_can_teach).
 */
int faculty_store_instructor_home(struct db_conn *db, long long id, bool lock, long long *home);

/*
 * Makes user_id an instructor of institution_id with the expertise, bio_ko
 * and bio_en of body. Returns 0, LMS_ECONFLICT when the user has a profile
 * already, LMS_ENOTFOUND when there is no such user, or another lms_err.
 */
int faculty_store_instructor_create(struct db_conn *db, long long user_id,
				    long long institution_id, const json_t *body);

/* Changes the expertise, bio_ko, bio_en body names. LMS_ENOTFOUND. */
int faculty_store_instructor_update(struct db_conn *db, long long id, const json_t *body);

/*
 * Shares instructor id with institution_id, recording by (a user id, 0:
 * none); *created is false when it was shared already. Returns 0 or an
 * lms_err.
 */
int faculty_store_share_add(struct db_conn *db, long long id, long long institution_id,
			    long long by, bool *created);

/* Ends the share; LMS_ENOTFOUND when there was none. Sessions already
 * scheduled stay. */
int faculty_store_share_remove(struct db_conn *db, long long id, long long institution_id);

/* ---- facilities ---- */

/*
 * Creates a facility of institution_id from body (name_ko, name_en, kind,
 * capacity, location) into *id. LMS_ECONFLICT when the institution has one
 * with that Korean name.
 */
int faculty_store_facility_create(struct db_conn *db, long long institution_id,
				  const json_t *body, long long *id);

/* Changes what body names (lent_to aside). LMS_ECONFLICT as above. */
int faculty_store_facility_update(struct db_conn *db, long long id, const json_t *body);

/*
 * The owner of facility id into *institution_id; LMS_ENOTFOUND. With lock
 * the facility is locked FOR UPDATE until the caller's transaction ends
 * (changing its loans: see faculty_store_facility_usable).
 */
int faculty_store_facility_owner(struct db_conn *db, long long id, bool lock,
				 long long *institution_id);

/* Makes the institutions facility id is lent to exactly ids (a JSON array
 * of institution ids). */
int faculty_store_loans_set(struct db_conn *db, long long id, const json_t *ids);

/*
 * Checks ids (a JSON array of institution ids) as the borrowers of a
 * facility of owner: each must exist and none be the owner. Returns 0 with
 * *why NULL when they are acceptable, or with *why a new message (free()
 * it); or an lms_err.
 */
int faculty_store_loans_check(struct db_conn *db, long long owner, const json_t *ids,
			      char **why);

/* Facility id with its owner and borrowers into *out (new); LMS_ENOTFOUND. */
int faculty_store_facility_get(struct db_conn *db, long long id, const char *lang,
			       json_t **out);

/*
 * A page of facilities in id order into *items (new JSON array): of owner
 * (0: any), usable by usable_by (its own and those lent to it; 0: any).
 */
int faculty_store_facility_list(struct db_conn *db, long long owner, long long usable_by,
				long long after_id, int limit, const char *lang, json_t **items);

#endif
