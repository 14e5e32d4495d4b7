/* assignment_http.h - handlers: assignments (settings, submissions, files,
 * grading) */
#ifndef LMS_ACTIVITIES_ASSIGNMENT_HTTP_H
#define LMS_ACTIVITIES_ASSIGNMENT_HTTP_H

struct http_req;

/* PUT /api/v1/lessons/{id}/assignment: due date, late policy, limits (the
 * course's instructors and admins) -> 200. */
void assignment_put(struct http_req *req);

/* GET /api/v1/lessons/{id}/assignment: the settings and the caller's own
 * submission with its grade and feedback. */
void assignment_get(struct http_req *req);

/* PUT /api/v1/lessons/{id}/submission {body}: submits (or resubmits) the
 * text -> 200 with the submission. */
void assignment_submit_text(struct http_req *req);

/* POST /api/v1/lessons/{id}/submission/file?filename=: the raw body is the
 * file (PDF, ZIP, .ipynb, PNG, JPEG, checked by name and content) -> 200. */
void assignment_submit_file(struct http_req *req);

/* GET /api/v1/lessons/{id}/submissions?status=: the grading queue of the
 * caller's sections (every section for admins). */
void assignment_queue(struct http_req *req);

/* GET /api/v1/assignment-submissions/{id}: its learner, the instructors of
 * the learner's section, the institution's admins. */
void assignment_submission_show(struct http_req *req);

/* GET /api/v1/assignment-submissions/{id}/file: the file, always as an
 * attachment. */
void assignment_submission_file(struct http_req *req);

/* PUT /api/v1/assignment-submissions/{id}/grade {score, feedback} or
 * {return: true, feedback}: the instructors of the learner's section and
 * the institution's admins. */
void assignment_grade(struct http_req *req);

#endif
