/* series_store.h - recurring classes in PostgreSQL: a series row and its
 * occurrences, created together or not at all */
#ifndef LMS_SCHEDULE_SERIES_STORE_H
#define LMS_SCHEDULE_SERIES_STORE_H

#include <jansson.h>
#include <stddef.h>

#include "lms/schedule/session_store.h"

struct db_conn;

/* What a series asks for; the occurrences are worked out by the caller. */
struct series_plan {
	long long section_id;
	const char *weekdays;      /* ISO days as a PostgreSQL array, "{2,4}" */
	const char *start_time;    /* "HH:MM", Asia/Seoul */
	const char *end_time;
	const char *starts_on;     /* "YYYY-MM-DD" */
	const char *ends_on;
	struct class_session_slot place; /* instructor, facility or online_url;
					  * its times are not read */
	const char *starts_us;     /* the occurrences' starts as a PostgreSQL
				    * bigint array of microseconds since the epoch */
	long long duration_us;     /* the length of each occurrence */
};

/*
 * Inside the caller's transaction: creates the series of plan and all its
 * occurrences, created_by its author; *id is the series. The exclusion
 * constraints of class_sessions decide double-booking: LMS_ECONFLICT (the
 * transaction is then aborted; roll it back). Otherwise 0 or a db_exec
 * error.
 */
int series_store_create(struct db_conn *db, const struct series_plan *plan, long long created_by,
			long long *id);

/*
 * Every clash of the occurrences of plan with a scheduled session, into
 * *conflicts (new array, empty when there is none), in the order of the
 * occurrences: {occurrence {starts_at, ends_at}, conflicts ["instructor"
 * and/or "facility"], conflicting_session {id, section_id, course_id,
 * course_title, institution_id, institution, starts_at, ends_at}}, names in
 * lang. Returns 0 or a db_exec error.
 */
int series_store_conflicts(struct db_conn *db, const struct series_plan *plan, const char *lang,
			   json_t **conflicts);

/*
 * Series id into *series (new): {id, section_id, weekdays, start_time,
 * end_time, time_zone, starts_on, ends_on, instructor_id, facility_id,
 * online_url, created_at, occurrences: [{id, starts_at, ends_at, status,
 * sequence}] in time order}. LMS_ENOTFOUND when there is none.
 */
int series_store_get(struct db_conn *db, long long id, json_t **series);

/* The section of series id into *section_id; LMS_ENOTFOUND. */
int series_store_section(struct db_conn *db, long long id, long long *section_id);

#endif
