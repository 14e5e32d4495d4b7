/* summary_store.h - the enrolment summary: counts by programme, course,
 * status and ladder stage */
#ifndef LMS_REPORTS_SUMMARY_STORE_H
#define LMS_REPORTS_SUMMARY_STORE_H

#include <jansson.h>

#include "lms/service/time_window.h"

struct db_conn;

/* The courses a summary lists: those with the most enrolments. */
#define SUMMARY_TOP_COURSES 20

/* What a summary may be narrowed to, on top of the institution and the
 * window; NULL or 0 leaves a member out. */
struct summary_filter {
	const char *program;  /* programme code */
	long long course_id;
	const char *status;   /* enrolment status */
	const char *stage;    /* the learner's ladder stage */
};

/*
 * Counts the enrolments in sections of courses of institution_id (0: all)
 * created within w, and matching f (NULL: all), into *out (new):
 * {"institution_id", "from", "to" (+09:00, or null), "total",
 *  "by_status": {the seven statuses: count},
 *  "by_program": [{program, name, name_ko, name_en, COUNTS}] in programme
 *  order, "by_course": [{course_id, code, title, title_ko, title_en,
 *  institution_id, program, COUNTS}] the SUMMARY_TOP_COURSES largest by
 *  total (then id), "by_stage": [{stage, total}] in ladder order (the
 *  learners' stages now), "completion_rate", "waitlist_length",
 *  "created_today" (of "total", those created since midnight in Korea)}, where
 * COUNTS are enrolled, waitlisted, pending, completed, incomplete,
 * cancelled, rejected, total and completion_rate (completed / (completed +
 * incomplete) to 4 places, null when both are 0). Rows without enrolments
 * are left out. Names and titles in lang ("ko" | "en").
 */
int summary_store_read(struct db_conn *db, long long institution_id, const struct time_window *w,
		       const struct summary_filter *f, const char *lang, json_t **out);

#endif
