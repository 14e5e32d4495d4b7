/* selection_http.h - handlers: intakes, applications, stage decisions, offers */
#ifndef LMS_SELECTION_SELECTION_HTTP_H
#define LMS_SELECTION_SELECTION_HTTP_H

struct http_req;

/* POST /api/v1/intakes: an intake with its stages (the section's admins). */
void selection_intake_create(struct http_req *req);
/* GET /api/v1/intakes: the intakes of published courses. */
void selection_intake_list(struct http_req *req);
/* GET /api/v1/intakes/{id}: one intake, its stages and seats. */
void selection_intake_show(struct http_req *req);
/* GET /api/v1/intakes/{id}/applications: its applications (its admins). */
void selection_intake_applications(struct http_req *req);
/* POST /api/v1/intakes/{id}/applications: apply (signed in). */
void selection_apply(struct http_req *req);
/* POST /api/v1/intakes/{id}/stages/{stage_id}/close: decide a top-N or
 * pre-course stage for everyone waiting in it (its admins). */
void selection_stage_close(struct http_req *req);
/* POST /api/v1/intakes/{id}/offers: offer the free seats (its admins). */
void selection_offers_make(struct http_req *req);
void selection_interview_create(struct http_req *req);
void selection_interviews_list(struct http_req *req);
void selection_interview_assign(struct http_req *req);
/* POST /api/v1/intakes/{id}/decisions: a CSV file of stage decisions; a
 * dry run (the default) answers the diff and every row's fault, with
 * ?dry_run=false it applies them all in one transaction or none. */
void selection_decisions_upload(struct http_req *req);
/* POST /api/v1/applications/{id}/documents?filename=: the applicant adds a
 * document (PDF, PNG or JPEG, at most 5 MiB, ten at most) while the
 * application is under review; GET .../documents/{document_id}: the
 * applicant, the intake's admins and reviewers read it. */
void selection_document_upload(struct http_req *req);
void selection_document_download(struct http_req *req);
/* GET /api/v1/me/applications: the caller's applications. */
void selection_applications_mine(struct http_req *req);
/* GET /api/v1/applications/{id}: its applicant or the intake's admins. */
void selection_application_show(struct http_req *req);
/* DELETE /api/v1/applications/{id}: the applicant withdraws. */
void selection_application_withdraw(struct http_req *req);
/* POST /api/v1/applications/{id}/results: a stage's score or decision. */
void selection_application_result(struct http_req *req);
/* POST /api/v1/applications/{id}/reject: the intake's admins reject. */
void selection_application_reject(struct http_req *req);
/* POST /api/v1/applications/{id}/accept and /decline: the applicant's answer
 * to an offer. */
void selection_offer_accept(struct http_req *req);
void selection_offer_decline(struct http_req *req);

/* GET /api/v1/program-exclusions: the pairs of programmes that may not be
 * taken in the same year; POST (platform admins) adds one, {"programs":
 * [code, code]}; DELETE /api/v1/program-exclusions/{code}/{other_code}
 * removes one. */
void selection_exclusions_list(struct http_req *req);
void selection_exclusion_create(struct http_req *req);
void selection_exclusion_delete(struct http_req *req);

/* GET, POST /api/v1/intakes/{id}/reviewers and DELETE
 * /api/v1/intakes/{id}/reviewers/{user_id}: who reviews an intake
 * (instructors or admins of its institution), managed by its admins. */
void selection_reviewers_list(struct http_req *req);
void selection_reviewer_add(struct http_req *req);
void selection_reviewer_remove(struct http_req *req);

#endif
