/* report_http.h - handler: the enrolment report, streamed as CSV or JSON lines */
#ifndef LMS_REPORTS_REPORT_HTTP_H
#define LMS_REPORTS_REPORT_HTTP_H

struct http_req;

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
