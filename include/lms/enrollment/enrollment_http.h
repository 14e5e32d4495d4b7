/* enrollment_http.h - handlers: enrol, cancel, approve, grade, move, show */
#ifndef LMS_ENROLLMENT_ENROLLMENT_HTTP_H
#define LMS_ENROLLMENT_ENROLLMENT_HTTP_H

#include <stdbool.h>

struct http_req;

/* POST /api/v1/sections/{id}/enrollments {statement?}: 201 enrolled,
 * waitlisted (with waitlist_position) or pending; refusals name their rule.
 * An Idempotency-Key header makes a retry return the first answer. */
void enrollment_create(struct http_req *req);

/* GET /api/v1/enrollments/{id}: with its history; the learner, the
 * section's instructors and the institution's admins. */
void enrollment_show(struct http_req *req);

/* DELETE /api/v1/enrollments/{id}: the learner cancels before the section
 * starts; the first waitlisted takes the seat. */
void enrollment_cancel(struct http_req *req);

/* PATCH /api/v1/enrollments/{id} {status | section_id, reason?}: approve or
 * reject an application, cancel, move (admins); completed / incomplete
 * (instructors and admins). */
void enrollment_change(struct http_req *req);

/* Answers an enrolment request with its stored answer text (JSON of the
 * enrolment, or a problem): Location on 201, Idempotent-Replayed when
 * replayed from an Idempotency-Key. Shared by enrolment on one's own behalf
 * and by an admin's. */
void enrollment_reply_text(struct http_req *req, int status, const char *text, bool replayed);

#endif
