/* roster_http.h - handlers: reading enrolments (the learner's own, a
 * section's roster, an institution's) */
#ifndef LMS_ENROLLMENT_ROSTER_HTTP_H
#define LMS_ENROLLMENT_ROSTER_HTTP_H

struct http_req;

/* GET /api/v1/me/enrollments[?status=&limit=&cursor=&lang=]: the caller's
 * enrolments with course and section, newest first, paged. */
void roster_mine(struct http_req *req);

/*
 * GET /api/v1/sections/{id}/roster[?status=&format=csv|json&bom=0|1&lang=]:
 * the section's enrolments with their learners, for its instructors and
 * its institution's admins; JSON, or CSV for Accept: text/csv or
 * ?format=csv. Every read is written to the audit log first.
 */
void roster_section(struct http_req *req);

/*
 * GET /api/v1/enrollments[?institution_id=&status=&course_id=&section_id=
 * &limit=&cursor=&lang=]: the enrolments in the sections of an
 * institution's courses with their learners, courses and sections, oldest
 * first, paged: for its admins (their own institution by default) and
 * platform admins (every institution unless one is named). Every read is
 * written to the audit log (enrollment.list) before it is sent.
 */
void roster_institution(struct http_req *req);

#endif
