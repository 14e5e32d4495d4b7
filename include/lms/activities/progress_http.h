/* progress_http.h - handlers: video progress, completion rules and
 * checklists, gradebooks */
#ifndef LMS_ACTIVITIES_PROGRESS_HTTP_H
#define LMS_ACTIVITIES_PROGRESS_HTTP_H

struct http_req;

/* PUT /api/v1/lessons/{id}/video-progress {intervals, position, duration}:
 * the learner's player reports what it played -> 200 where they stand;
 * 409 progress_too_fast when it claims more than the clock allows. */
void video_progress_put(struct http_req *req);

/* GET /api/v1/lessons/{id}/video-progress: the caller's own. */
void video_progress_get(struct http_req *req);

/* PUT /api/v1/courses/{id}/completion-rules: the institution's admins. */
void completion_rules_put(struct http_req *req);

/* GET /api/v1/courses/{id}/completion-rules: whoever may see the course. */
void completion_rules_get(struct http_req *req);

/* GET /api/v1/enrollments/{id}/checklist: where an enrolment stands against
 * its course's rules, with its grades: its learner, the section's
 * instructors, the institution's admins. */
void completion_checklist_get(struct http_req *req);

/* GET /api/v1/sections/{id}/gradebook[?format=csv]: per activity and
 * overall, for the section's instructors and the institution's admins. */
void gradebook_section(struct http_req *req);

#endif
