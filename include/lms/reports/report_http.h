/* report_http.h - handler: the enrolment report, streamed as CSV or JSON lines */
#ifndef LMS_REPORTS_REPORT_HTTP_H
#define LMS_REPORTS_REPORT_HTTP_H

#include <jansson.h>

struct http_req;

/* The text filters the reports share. */
#define REPORT_TEXT_FILTERS 3
extern const char *const report_text_filter_names[REPORT_TEXT_FILTERS]; /* program, status, stage */

/*
 * Reads the text filter name (one of report_text_filter_names) into buf
 * (len bytes). Returns buf, NULL when absent, or NULL after adding a
 * message for name to *errors when it is not one of its values.
 */
const char *report_text_filter(struct http_req *req, const char *name, char *buf, size_t len,
			       json_t **errors);

/*
 * GET /api/v1/reports/enrollments: the enrolments of the sections an
 * institution offers (its admins and its tokens with reports:read; every
 * institution for platform admins), filtered by ?institution_id, program,
 * course_id, section_id, status, stage, from, to. CSV for Accept: text/csv
 * or ?format=csv (?bom=0 leaves out the byte order mark), else JSON lines.
 * Rows are sent as PostgreSQL returns them, in chunks; each pull is audited
 * (report.enrollments) with its filters and row count once it ends.
 */
void report_enrollments(struct http_req *req);

#endif
