/* report_store.h - the enrolment report's query, read row by row */
#ifndef LMS_REPORTS_REPORT_STORE_H
#define LMS_REPORTS_REPORT_STORE_H

#include <stdbool.h>

struct db_conn;
struct db_stream;

/* Which enrolments a report holds. Every member is a filter; 0 or NULL
 * leaves it out. */
struct report_filter {
	long long institution_id; /* the offering institution (of the section's
				   * course): the tenant boundary; 0 only for
				   * the platform-wide report */
	const char *program;      /* programme code */
	long long course_id;
	long long section_id;
	const char *status;       /* enrolment status */
	const char *stage;        /* the learner's ladder stage */
	bool has_from, has_to;
	long long from_us, to_us; /* created_at in [from, to), microseconds
				   * since the epoch */
};

/* How the rows come: one text column per report column (CSV), or one JSON
 * object per row in a single text column (JSON lines). */
enum report_shape {
	REPORT_COLUMNS,
	REPORT_JSON_LINES,
};

/*
 * Starts the enrolment report of f on db as a stream (see db_stream_begin),
 * in enrolment id order. REPORT_COLUMNS gives the columns the README
 * documents, named as the CSV header names them; REPORT_JSON_LINES gives
 * one column holding each row as a JSON object with those names as keys.
 * Returns 0 or a db_exec error; s needs db_stream_end in every case.
 */
int report_store_enrollments(struct db_stream *s, struct db_conn *db,
			     const struct report_filter *f, enum report_shape shape);

#endif
