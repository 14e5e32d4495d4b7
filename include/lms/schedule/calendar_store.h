/* calendar_store.h - schedules in the database: an instructor's and a learner's
 * sessions, and the calendar feeds that publish them */
#ifndef LMS_SCHEDULE_CALENDAR_STORE_H
#define LMS_SCHEDULE_CALENDAR_STORE_H

#include <jansson.h>
#include <stdbool.h>

#include "lms/auth/secret.h"

struct db_conn;

/* Feed secrets read "cal_" and 43 base64url characters: recognisable in a
 * leaked URL, and never mistaken for an API token. */
#define CALENDAR_FEED_PREFIX "cal_"
#define CALENDAR_FEED_LEN (sizeof(CALENDAR_FEED_PREFIX) - 1 + SECRET_B64_LEN)

/* A live user may hold this many feeds that are not revoked. */
#define CALENDAR_FEEDS_MAX 20

/* What the permission rules and the calendar need of an instructor, for
 * one caller. */
struct calendar_instructor {
	long long home_institution_id;
	bool own;              /* the caller is the instructor */
	bool partner;          /* the caller administers an institution the
				* instructor is shared with */
	char display_name[512];
};

/*
 * The instructor profile of user instructor_id, with the relation of
 * caller_id (0: nobody) to it. Returns 0, LMS_ENOTFOUND when the user has
 * no instructor profile, or a db_exec error.
 */
int calendar_store_instructor(struct db_conn *db, long long instructor_id, long long caller_id,
			      struct calendar_instructor *out);

/*
 * The sessions instructor_id teaches that overlap [from_us, to_us)
 * (microseconds since 1970-01-01T00:00:00Z), cancelled ones included, by
 * start: *items (new) is a JSON array of {id, section_id, course_id,
 * course_title, term, institution: {id, name}, instructor_id, instructor:
 * {id, display_name}, starts_at, ends_at, facility: {id, name, location} |
 * null, online_url | null, status, sequence, updated_at, interview (an
 * interview slot of a selection intake, not a class)}, names in lang
 * ("ko" | "en"), times in Korean time ("+09:00").
 */
int calendar_store_instructor_sessions(struct db_conn *db, long long instructor_id,
				       long long from_us, long long to_us, const char *lang,
				       json_t **items);

/* The same for the sessions of the sections of institution_id's courses,
 * whoever teaches them; LMS_ENOTFOUND when no institution has that id. */
int calendar_store_institution_sessions(struct db_conn *db, long long institution_id,
					long long from_us, long long to_us, const char *lang,
					json_t **items);

/* The same for the sessions of the sections user_id is enrolled in (or
 * completed, or did not complete). */
int calendar_store_learner_sessions(struct db_conn *db, long long user_id, long long from_us,
				    long long to_us, const char *lang, json_t **items);

/* All the sessions of section_id, cancelled ones included, by start, into
 * *items (new) as calendar_store_instructor_sessions has them; [] for a
 * section with none (or no such section). */
int calendar_store_section_sessions(struct db_conn *db, long long section_id, const char *lang,
				    json_t **items);

/*
 * The owner of the live (not revoked) feed of kind ("instructor" |
 * "learner") whose secret is secret, into *user_id, noting its use.
 * Returns 0, LMS_ENOTFOUND, or a db_exec error.
 */
int calendar_store_feed_use(struct db_conn *db, const char *kind, const char *secret,
			    long long *user_id);

/*
 * Creates a feed of kind for user_id: writes its secret (shown once; only
 * its SHA-256 is kept) into secret and {id, kind, created_at} into *row
 * (new). Returns 0, LMS_ECONFLICT when the user already has
 * CALENDAR_FEEDS_MAX live feeds, or an lms_err.
 */
int calendar_store_feed_create(struct db_conn *db, long long user_id, const char *kind,
			       char secret[CALENDAR_FEED_LEN + 1], json_t **row);

/* user_id's feeds, newest first, with ids below before_id (0: from the
 * newest), at most limit: *items (new) of {id, kind, created_at,
 * last_used_at, revoked_at}; never secrets. */
int calendar_store_feeds_list(struct db_conn *db, long long user_id, long long before_id,
			      int limit, json_t **items);

/*
 * Revokes feed id of user_id (a revoked one stays as it was) and writes its
 * kind into kind. Returns 0, LMS_ENOTFOUND when user_id has no such feed,
 * or a db_exec error.
 */
int calendar_store_feed_revoke(struct db_conn *db, long long id, long long user_id,
			       char kind[16]);

#endif
