/* enrollment_http.c - handlers: enrol, cancel, approve, grade, move, show */
#include "lms/enrollment/enrollment_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/guard.h"
#include "lms/core/err.h"
#include "lms/core/netaddr.h"
#include "lms/db/sql.h"
#include "lms/enrollment/enrollment_store.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/schedule/session_store.h"
#include "lms/service/audit.h"
#include "lms/service/idempotency_store.h"

#define STATEMENT_MAX_CHARS 2000

/* A refusal of enroll(): its status and the words that explain it. */
static const struct {
	const char *code;
	int status;
	const char *detail;
} refusals[] = {
	{"not_found", 404, "no resource at this path"},
	{"section_cancelled", 409, "this section was cancelled"},
	{"selection_required", 409, "this section admits by selection: apply to its intake"},
	{"enrollment_not_open", 409, "enrolment for this section has not opened yet"},
	{"enrollment_closed", 409, "enrolment for this section is closed"},
	{"not_eligible_stage", 403, "this programme does not admit your ladder stage"},
	{"affiliation_required", 403,
	 "this programme is for staff of a member institution or company: add your affiliation"},
	{"prerequisite_missing", 403, "complete the prerequisite course first"},
	{"email_unverified", 403,
	 "confirm your e-mail address first: open the link we sent you, or ask for a new one"},
	{"already_enrolled", 409,
	 "you already hold an enrolment, an application or a waitlist place in this section"},
};

/* The answer to an enrolment request as (status, JSON text). */
static int enroll_answer(const struct enroll_result *r, long long section_id,
			 const char *statement, char **text)
{
	json_t *body = NULL;
	int status = 500;

	*text = NULL;
	if (!strcmp(r->code, "ok")) {
		status = 201;
		body = json_pack("{s:I, s:I, s:O?, s:s, s:s?, s:O?}", "id",
				 (json_int_t)r->enrollment_id, "section_id", (json_int_t)section_id,
				 "course_id", json_object_get(r->detail, "course_id"), "status",
				 r->status, "statement", statement, "created_at",
				 json_object_get(r->detail, "created_at"));
		if (body && r->waitlist_position)
			json_object_set_new(body, "waitlist_position",
					    json_integer(r->waitlist_position));
	} else {
		for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
			if (strcmp(refusals[i].code, r->code) != 0)
				continue;
			status = refusals[i].status;
			body = http_problem_new(status, r->code, "%s", refusals[i].detail);
			/* Say which rule failed and on what: the missing course,
			 * the stages admitted, when enrolment opens. */
			if (body && r->detail && !strcmp(r->code, "prerequisite_missing"))
				json_object_set(body, "missing_course", r->detail);
			else if (body && r->detail)
				json_object_update(body, r->detail);
		}
	}
	if (body)
		*text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return *text ? status : 500;
}

void enrollment_reply_text(struct http_req *req, int status, const char *text, bool replayed)
{
	char headers[160];
	json_t *j = status == 201 ? json_loads(text, 0, NULL) : NULL;

	headers[0] = '\0';
	if (status == 201)
		snprintf(headers, sizeof(headers), "Location: /api/v1/enrollments/%lld\r\n",
			 (long long)json_integer_value(json_object_get(j, "id")));
	if (replayed)
		strncat(headers, "Idempotent-Replayed: true\r\n", sizeof(headers) - strlen(headers) - 1);
	http_reply_bytes(req, status, status < 300 ? "application/json" : "application/problem+json",
			 text, strlen(text), headers);
	json_decref(j);
}

static bool key_valid(const char *key)
{
	size_t n = strlen(key);

	if (n < 1 || n > 200)
		return false;
	for (size_t i = 0; i < n; i++)
		if (key[i] < 0x21 || key[i] > 0x7e)
			return false;
	return true;
}

static const struct schema_field enroll_fields[] = {
	{"statement", SCHEMA_STRING, .nullable = true, .max = STATEMENT_MAX_CHARS},
};
static const struct schema enroll_schema = SCHEMA_OF(enroll_fields);

void enrollment_create(struct http_req *req)
{
	const char *key = http_req_header(req, "Idempotency-Key"), *statement = NULL;
	struct enroll_result r = {0};
	char scope[96], addr[NETADDR_TEXT_MAX], *text = NULL, *stored = NULL;
	bool replayed = false, in_tx = false;
	long long section;
	struct db_conn *db;
	json_t *v;
	int status = 0, rc;

	if (!http_req_param_id_or_reply(req, 0, &section))
		return;
	if (req->json && !schema_body_or_reply(req, &enroll_schema, SCHEMA_CREATE))
		return;
	if ((v = json_object_get(req->json, "statement")) && json_is_string(v))
		statement = json_string_value(v);
	if (key && !key_valid(key)) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "Idempotency-Key", "message",
					     "must be 1 to 200 visible ASCII characters"),
				   "the Idempotency-Key header is not valid");
		return;
	}
	if (!(db = http_req_db_or_reply(req)))
		return;

	/* With a key, the claim, the work and the stored answer are one
	 * transaction: a retry waits for the first and gets its answer. It
	 * begins with the claim and commits with the answer: three round
	 * trips in all. */
	if (key) {
		snprintf(scope, sizeof(scope), "POST /api/v1/sections/%lld/enrollments", section);
		in_tx = true;
		if ((rc = idempotency_store_claim(db, req->who.user_id, scope, key, true, &replayed,
						  &status, &stored)) < 0)
			goto fail;
		if (replayed) {
			if ((rc = db_commit(db)) < 0)
				goto fail;
			enrollment_reply_text(req, status, stored, true);
			goto out;
		}
	}
	if ((rc = enrollment_store_enroll(db, req->who.user_id, section, statement,
					  http_req_client_addr(req, addr, sizeof(addr)),
					  req->request_id, &r)) < 0)
		goto fail;
	if ((status = enroll_answer(&r, section, statement, &text)) == 500) {
		rc = LMS_ENOMEM;
		goto fail;
	}
	if (key && (rc = idempotency_store_finish(db, req->who.user_id, scope, key, status, text,
						  true)) < 0)
		goto fail;
	enrollment_reply_text(req, status, text, false);
	goto out;
fail:
	if (in_tx)
		db_rollback(db);
	if (rc == LMS_EDB && db_sqlstate_is(db, "LMS20"))
		http_reply_problem(req, 409, "selection_required", NULL,
				   "this section admits by selection: apply to its intake");
	else
		http_reply_error(req, rc);
out:
	json_decref(r.detail);
	free(stored);
	free(text);
}

/* The enrolment of the path for the asking user, and whether it may read
 * it; replies (404 to anyone unrelated to it) and returns false otherwise. */
static bool enrollment_or_reply(struct http_req *req, struct db_conn **db,
				struct enrollment_info *info, struct guard_target *t)
{
	long long id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !(*db = http_req_db_or_reply(req)))
		return false;
	if ((rc = enrollment_store_info(*db, id, req->who.user_id, info)) < 0) {
		http_reply_error(req, rc);
		return false;
	}
	*t = (struct guard_target){.institution_id = info->institution_id,
				   .teaches = info->caller_teaches,
				   .own = info->user_id == req->who.user_id};
	if (guard_decide_target(&req->who, GUARD_ENROLLMENT_READ, t) != GUARD_ALLOW) {
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
		return false;
	}
	return true;
}

/*
 * Inside the change's transaction: whether enrolment id may be marked
 * completed under its programme's attendance threshold (min_attendance_pct,
 * of the sessions held so far). A section with no session held yet is not
 * held to it: courses that record no sessions can be completed. Replies 409
 * attendance_below_threshold with the rate and the threshold, or the
 * error, and returns false otherwise.
 */
static bool attendance_meets_or_reply(struct http_req *req, struct db_conn *db, long long id)
{
	struct class_session_rate r;
	json_t *problem;
	int rc;

	if ((rc = class_session_store_attendance_rate(db, id, &r)) < 0) {
		http_reply_error(req, rc);
		return false;
	}
	if (class_session_store_rate_meets(&r))
		return true;
	problem = http_problem_new(409, "attendance_below_threshold",
				   "attended %lld of %lld sessions held; the programme requires %d%%",
				   r.attended, r.held, r.threshold_pct);
	if (problem && json_object_set_new(problem, "attendance",
					   json_pack("{s:I, s:I, s:f}", "attended",
						     (json_int_t)r.attended, "held",
						     (json_int_t)r.held, "rate_pct",
						     (double)((r.attended * 1000 + r.held / 2) / r.held) / 10)) ==
				       0 &&
	    json_object_set_new(problem, "threshold_pct", json_integer(r.threshold_pct)) == 0)
		http_reply_problem_json(req, 409, problem, NULL);
	else
		http_reply_error(req, LMS_ENOMEM);
	json_decref(problem);
	return false;
}

/*
 * The admin's override of the rule that a section must be over before a
 * learner completes it: the body's override_reason in *why (NULL when
 * absent). Replies 400 when it comes with anything but a completion, 403
 * (or 404) when the caller may not manage the enrolment, and returns false.
 */
static bool override_or_reply(struct http_req *req, const char *status,
			      const struct guard_target *t, const char **why)
{
	*why = json_string_value(json_object_get(req->json, "override_reason"));
	if (!*why)
		return true;
	if (!status || strcmp(status, "completed") != 0) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "override_reason", "message",
					     "only a completion can be overridden"),
				   "the change has invalid fields");
		return false;
	}
	return guard_require_target_or_reply(req, GUARD_ENROLLMENT_MANAGE, t);
}

/* Replies 200 with enrolment id as it is now. */
static void reply_enrollment(struct http_req *req, struct db_conn *db, long long id)
{
	json_t *e = NULL;
	int rc;

	if ((rc = enrollment_store_get(db, id, &e)) < 0)
		http_reply_error(req, rc);
	else
		http_reply_json(req, 200, e);
	json_decref(e);
}

/* Answers a failed change, rolling it back: the state machine and the seat
 * count are the database's to enforce, and their refusals are the client's
 * to read. */
static void reply_change_error(struct http_req *req, struct db_conn *db, int rc,
			       const char *from, const char *to)
{
	db_rollback(db);
	if (rc == LMS_EDB && db_sqlstate_is(db, "LMS02"))
		http_reply_problem(req, 409, "section_not_ended", NULL,
				   "a learner completes a section only once it has ended or its "
				   "last session is over; an admin may complete earlier with an "
				   "override_reason");
	else if (rc == LMS_EDB && db_sqlstate_is(db, "LMS03"))
		http_reply_problem(req, 409, "requirements_not_met", NULL,
				   "the learner does not yet meet the course's completion rules "
				   "(see the enrolment's checklist); an admin may complete with an "
				   "override_reason");
	else if (rc == LMS_EDB && db_sqlstate_is(db, "LMS20"))
		http_reply_problem(req, 409, "selection_required", NULL,
				   "this section admits by selection: apply to its intake");
	else if (rc == LMS_EDB && db_sqlstate_is(db, "LMS01"))
		http_reply_problem(req, 409, "illegal_transition", NULL,
				   "an enrolment cannot go from %s to %s", from, to);
	else if ((rc == LMS_EDB && db_sqlstate_is(db, "23514")) || rc == LMS_ECONFLICT)
		http_reply_problem(req, 409, "section_full", NULL, "the section has no free seat");
	else
		http_reply_error(req, rc);
}

void enrollment_show(struct http_req *req)
{
	struct enrollment_info info;
	struct guard_target t;
	struct db_conn *db;
	int rc;

	if (!enrollment_or_reply(req, &db, &info, &t))
		return;
	/* Someone else's enrolment is personal data: its reading is kept. */
	if (!t.own &&
	    (rc = audit_record(req, &(struct audit_event){.action = "enrollment.read",
							  .target_type = "enrollment",
							  .target_id = info.id,
							  .institution_id = info.institution_id})) < 0) {
		http_reply_error(req, rc);
		return;
	}
	reply_enrollment(req, db, info.id);
}

void enrollment_cancel(struct http_req *req)
{
	struct enrollment_info info;
	struct guard_target t;
	struct db_conn *db;
	int rc;

	if (!enrollment_or_reply(req, &db, &info, &t))
		return;
	/* Only the learner cancels their own; to anyone else it is not there
	 * to cancel (admins use PATCH). */
	if (guard_decide_target(&req->who, GUARD_ENROLLMENT_CANCEL, &t) != GUARD_ALLOW) {
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
		return;
	}
	if (info.started) {
		http_reply_problem(req, 409, "section_started",
				   NULL, "the section has started: ask its institution to withdraw you");
		return;
	}
	if ((rc = db_begin(db)) < 0 ||
	    (rc = enrollment_store_transition(db, &info, "cancelled", req->who.user_id,
					      "cancelled by the learner")) < 0 ||
	    (rc = audit_record(req, &(struct audit_event){.action = "enrollment.cancel",
							  .target_type = "enrollment",
							  .target_id = info.id,
							  .institution_id = info.institution_id})) < 0 ||
	    (rc = db_commit(db)) < 0) {
		reply_change_error(req, db, rc, info.status, "cancelled");
		return;
	}
	reply_enrollment(req, db, info.id);
}

static const struct schema_field change_fields[] = {
	{"status", SCHEMA_STRING, .max_bytes = 16},
	{"section_id", SCHEMA_INT, .required = false},
	{"reason", SCHEMA_STRING, .nullable = true, .max_bytes = 2000},
	{"override_reason", SCHEMA_STRING, .min = 1, .max = 500},
};
static const struct schema change_schema = SCHEMA_OF(change_fields);

void enrollment_change(struct http_req *req)
{
	struct enrollment_info info;
	struct guard_target t;
	struct db_conn *db;
	const char *status, *reason, *override;
	json_t *to_section, *detail = NULL;
	enum guard_action action;
	long long result_id, to = 0;
	char why[2100]; /* "completed before ...: " and a reason of up to 2000 bytes, whole */
	int rc;

	if (!enrollment_or_reply(req, &db, &info, &t) ||
	    !schema_body_or_reply(req, &change_schema, SCHEMA_CREATE))
		return;
	status = json_string_value(json_object_get(req->json, "status"));
	to_section = json_object_get(req->json, "section_id");
	reason = json_string_value(json_object_get(req->json, "reason"));
	if (!status == !to_section) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "status", "message",
					     "give either status or section_id"),
				   "say what to change");
		return;
	}
	if (to_section && (to = json_integer_value(to_section)) <= 0) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "section_id", "message",
					     "must be the id of a section"),
				   "the change has invalid fields");
		return;
	}
	/* Grading is the teachers' and admins'; the rest is the admins'. */
	if (status && (!strcmp(status, "completed") || !strcmp(status, "incomplete"))) {
		action = GUARD_ENROLLMENT_GRADE;
	} else if (!status || !strcmp(status, "enrolled") || !strcmp(status, "rejected") ||
		   !strcmp(status, "cancelled")) {
		action = GUARD_ENROLLMENT_MANAGE;
	} else {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "status", "message",
					     "must be enrolled, rejected, cancelled, completed or "
					     "incomplete"),
				   "the change has invalid fields");
		return;
	}
	/* Taking a completion back revokes its certificate: the admins'
	 * correction of a mistake, and it says why. */
	if (status && !strcmp(info.status, "completed") && strcmp(status, "completed") != 0) {
		action = GUARD_ENROLLMENT_MANAGE;
		if (!guard_require_target_or_reply(req, action, &t))
			return;
		if (!reason || !*reason) {
			http_reply_problem(req, 400, "validation_failed",
					   json_pack("[{s:s, s:s}]", "field", "reason", "message",
						     "is required to take a completion back: it "
						     "is kept with the revoked certificate"),
					   "say why the completion is taken back");
			return;
		}
	}
	if (!guard_require_target_or_reply(req, action, &t) ||
	    !override_or_reply(req, status, &t, &override))
		return;
	snprintf(why, sizeof(why), "%s%s", override ? "completed before the section ended: " : "",
		 override ? override : reason ? reason : status ? status : "moved");
	result_id = info.id;
	if ((rc = db_begin(db)) < 0)
		goto fail;
	if (status && !strcmp(status, "completed") && !attendance_meets_or_reply(req, db, info.id)) {
		db_rollback(db);
		return;
	}
	if (override && (rc = enrollment_store_override(db, override)) < 0)
		goto fail;
	rc = status ? enrollment_store_transition(db, &info, status, req->who.user_id, why)
		    : enrollment_store_move(db, &info, to, req->who.user_id, why, &result_id);
	if (rc == LMS_ENOTFOUND && !status) {
		db_rollback(db);
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "section_id", "message",
					     "must be an open or closed section of the same course"),
				   "the change has invalid fields");
		return;
	}
	if (rc < 0)
		goto fail;
	detail = status ? json_pack("{s:s, s:s, s:s?, s:s?}", "from", info.status, "to", status,
				    "reason", reason, "override_reason", override)
			: json_pack("{s:I, s:I, s:s?}", "moved_to_section", (json_int_t)to,
				    "new_enrollment_id", (json_int_t)result_id, "reason", reason);
	if ((rc = audit_record(req, &(struct audit_event){.action = "enrollment.update",
							  .target_type = "enrollment",
							  .target_id = info.id,
							  .institution_id = info.institution_id,
							  .detail = detail})) < 0 ||
	    (rc = db_commit(db)) < 0)
		goto fail;
	json_decref(detail);
	reply_enrollment(req, db, result_id);
	return;
fail:
	json_decref(detail);
	reply_change_error(req, db, rc, info.status, status ? status : "cancelled");
}
