/* bulk_http.h - handlers: an admin enrols a learner on their behalf, or a
 * CSV file of learners (dry run, then apply); a learner's invitations */
#ifndef LMS_ENROLLMENT_BULK_HTTP_H
#define LMS_ENROLLMENT_BULK_HTTP_H

struct http_req;

/* POST /api/v1/sections/{id}/enrollments/on-behalf {user_id | email,
 * override_reason?}: the section's institution admins (and platform
 * admins) enrol a learner through self-enrolment's rules and seats; 201
 * enrolled or waitlisted; a refusal names its rule, which override_reason
 * (recorded in the history and the audit trail) may pass where an admin
 * may. An Idempotency-Key header makes a retry return the first answer. */
void enrollment_on_behalf(struct http_req *req);

/* POST /api/v1/sections/{id}/enrollments/bulk[?apply=1][&invite_locale=en]
 * with a text/csv body (email, name?, ladder_stage?): 200 with what each
 * row would do (a dry run) or, with apply=1, did, in one transaction;
 * a file with row errors is not applied (400). See docs/bulk-enrolment.md. */
void enrollment_bulk(struct http_req *req);

/* GET /api/v1/me/invitations: sections the caller's address was invited
 * to by a bulk file, for them to enrol in. */
void enrollment_invitations_mine(struct http_req *req);

#endif
