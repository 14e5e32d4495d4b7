/* selection_http.c - handlers: intakes, applications, stage decisions, offers */
#include "lms/selection/selection_http.h"

#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/guard.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/selection/decision_csv.h"
#include "lms/selection/selection_store.h"
#include "lms/service/audit.h"
#include "lms/service/pull.h"

#define STATEMENT_MAX_CHARS 4000
#define STAGES_MAX 20

/* Answers a failed change and rolls it back: the state machine and the
 * seat ledger are the database's to enforce, their refusals the client's
 * to read. */
static void change_failed(struct http_req *req, struct db_conn *db, int rc)
{
	if (rc == LMS_EDB && db_sqlstate_is(db, "LMS01")) {
		db_rollback(db);
		http_reply_problem(req, 409, "illegal_transition", NULL,
				   "the application cannot make this change in its present status");
	} else if (rc == LMS_EDB && db_sqlstate_is(db, "23514") &&
		   !strcmp(db->constraint, "sections_offered_seats")) {
		db_rollback(db);
		http_reply_problem(req, 409, "section_full", NULL,
				   "offers and enrolments would exceed the section's seats");
	} else {
		audit_change_failed(req, db, rc, "selection change");
	}
}

/* Who may act on an intake or an application besides its admins. */
enum who_else {
	ADMINS_ONLY,    /* the intake's institution's admins */
	REVIEWERS_TOO,  /* and the intake's reviewers */
	APPLICANT_ONLY, /* the application's applicant, nobody else */
};

/* Whether the caller may act on o as who says; sets o->reviewer when it
 * may as a reviewer only. */
static int may_act(struct http_req *req, struct db_conn *db, struct selection_owner *o,
		   enum who_else who, bool *may)
{
	int rc;

	*may = false;
	if (who == APPLICANT_ONLY) {
		*may = o->user_id == req->who.user_id;
		return 0;
	}
	if (guard_decide(&req->who, GUARD_ENROLLMENT_MANAGE, o->institution_id) == GUARD_ALLOW) {
		*may = true;
		return 0;
	}
	if (who != REVIEWERS_TOO || req->who.kind != PRINCIPAL_USER)
		return 0;
	rc = selection_store_reviewer_is(db, o->intake_id, req->who.user_id);
	if (rc == LMS_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	*may = o->reviewer = true;
	return 0;
}

/* The intake of the path, for its institution's admins (and its reviewers
 * when who says so); 404 to others, as if it did not exist. */
static bool intake_admin_or_reply(struct http_req *req, struct db_conn **db,
				  struct selection_owner *o, enum who_else who)
{
	long long id;
	bool may;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !(*db = http_req_db_or_reply(req)))
		return false;
	if ((rc = selection_store_intake_owner(*db, id, o)) < 0 ||
	    (rc = may_act(req, *db, o, who, &may)) < 0) {
		http_reply_error(req, rc);
		return false;
	}
	if (!may)
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
	return may;
}

/* The application of the path, locked when lock (inside the caller's
 * transaction, begun here), for whom who names; 404 to anyone else. */
static bool application_or_reply(struct http_req *req, struct db_conn **db, bool lock,
				 enum who_else who, struct selection_owner *o)
{
	long long id;
	bool may = false;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !(*db = http_req_db_or_reply(req)))
		return false;
	if (lock && (rc = db_begin(*db)) < 0) {
		http_reply_error(req, rc);
		return false;
	}
	if ((rc = selection_store_application_owner(*db, id, lock, o)) < 0 ||
	    (rc = may_act(req, *db, o, who, &may)) < 0) {
		if (lock)
			db_rollback(*db);
		http_reply_error(req, rc);
		return false;
	}
	if (may)
		return true;
	if (lock)
		db_rollback(*db);
	http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
	return false;
}

/* Leaves out who an applicant is, for a reviewer of a blind intake. */
static void blind(json_t *app)
{
	json_object_set_new(app, "user_id", json_null());
	json_object_set_new(app, "display_name", json_null());
	json_object_set_new(app, "email", json_null());
	json_object_set_new(app, "blind", json_true());
}

/* Commits the change to application id, recorded as action with detail
 * (borrowed, may be NULL), and replies with the application as it is now. */
static void application_commit_reply(struct http_req *req, struct db_conn *db,
				     const struct selection_owner *o, const char *action,
				     json_t *detail)
{
	json_t *app = NULL;
	int rc;

	if ((rc = selection_store_application_get(db, o->id, &app)) < 0) {
		change_failed(req, db, rc);
		return;
	}
	if (o->reviewer && o->blind)
		blind(app);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = action,
						 .target_type = "application",
						 .target_id = o->id,
						 .institution_id = o->institution_id,
						 .detail = detail},
			   200, app, NULL, NULL);
	json_decref(app);
}

/* ---- intakes ---- */

static const char *const stage_kinds[] = {"document_screening", "precourse", "test_score",
					  "interview", NULL};
static const char *const stage_rules[] = {"pass_fail", "threshold", "top_n", NULL};

static const struct schema_field stage_fields[] = {
	{"kind", SCHEMA_STRING, .required = true, .values = stage_kinds},
	{"name_ko", SCHEMA_STRING, .required = true, .min = 1, .max = 200},
	{"name_en", SCHEMA_STRING, .required = true, .min = 1, .max = 200},
	{"rule", SCHEMA_STRING, .required = true, .values = stage_rules},
	{"threshold", SCHEMA_INT, .min = 0, .max = 1000000},
	{"top_n", SCHEMA_INT, .min = 1, .max = 100000},
	{"course_id", SCHEMA_ID, .required = false},
};
static const struct schema stage_schema = SCHEMA_OF(stage_fields);

static const struct schema_field intake_fields[] = {
	{"section_id", SCHEMA_ID, .required = true},
	{"title_ko", SCHEMA_STRING, .required = true, .min = 1, .max = 200},
	{"title_en", SCHEMA_STRING, .required = true, .min = 1, .max = 200},
	{"opens_at", SCHEMA_TIMESTAMP, .required = true},
	{"closes_at", SCHEMA_TIMESTAMP, .required = true},
	{"offer_hours", SCHEMA_INT, .min = 1, .max = 1440},
	{"blind_review", SCHEMA_BOOL, .required = false},
	{"stages", SCHEMA_ARRAY, .required = true},
};
static const struct schema intake_schema = SCHEMA_OF(intake_fields);

static void stage_error(json_t **errors, size_t i, const char *field, const char *message)
{
	char name[64];

	snprintf(name, sizeof(name), "stages[%zu].%s", i, field);
	http_json_error_add(errors, name, message);
}

/* Checks each stage of the body: its fields, and that its rule and kind
 * come with what they need (a threshold, an n, a course) and nothing else. */
static void stages_check(const json_t *stages, json_t **errors)
{
	const json_t *st, *e;
	size_t i, j;

	if (json_array_size(stages) < 1 || json_array_size(stages) > STAGES_MAX) {
		http_json_error_add(errors, "stages", "must hold 1 to 20 stages");
		return;
	}
	json_array_foreach(stages, i, st) {
		json_t *own = NULL;
		const char *rule, *kind;

		if (!json_is_object(st)) {
			stage_error(errors, i, "", "must be an object");
			continue;
		}
		if (!schema_check(st, &stage_schema, SCHEMA_CREATE, &own)) {
			json_array_foreach(own, j, e)
				stage_error(errors, i,
					    json_string_value(json_object_get(e, "field")),
					    json_string_value(json_object_get(e, "message")));
			json_decref(own);
			continue;
		}
		rule = json_string_value(json_object_get(st, "rule"));
		kind = json_string_value(json_object_get(st, "kind"));
		if (!strcmp(rule, "threshold") != !!json_object_get(st, "threshold"))
			stage_error(errors, i, "threshold",
				    "is given with the rule threshold, and only with it");
		if (!strcmp(rule, "top_n") != !!json_object_get(st, "top_n"))
			stage_error(errors, i, "top_n", "is given with the rule top_n, and only with it");
		if (!strcmp(kind, "precourse") != !!json_object_get(st, "course_id"))
			stage_error(errors, i, "course_id",
				    "names the course a pre-course stage needs completed, and only "
				    "for that kind");
		if (!strcmp(kind, "precourse") && strcmp(rule, "pass_fail") != 0)
			stage_error(errors, i, "rule",
				    "must be pass_fail for a pre-course stage (completed or not)");
	}
}

void selection_intake_create(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db = NULL;
	json_t *errors = NULL, *intake = NULL;
	char location[64];
	long long id = 0;
	int rc;

	if (!schema_body_check_or_reply(req, &intake_schema, SCHEMA_CREATE, &errors))
		return;
	if (!schema_errors_name(errors, "stages"))
		stages_check(json_object_get(req->json, "stages"), &errors);
	if (errors) {
		schema_reply_invalid(req, errors);
		return;
	}
	if (!(db = http_req_db_or_reply(req)))
		return;
	rc = selection_store_section_owner(
		db, json_integer_value(json_object_get(req->json, "section_id")), &o);
	if (rc == LMS_ENOTFOUND) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "section_id", "message",
					     "no section has this id"),
				   "the intake has invalid fields");
		return;
	}
	if (rc < 0) {
		http_reply_error(req, rc);
		return;
	}
	if (!guard_require_or_reply(req, GUARD_ENROLLMENT_MANAGE, o.institution_id))
		return;
	if ((rc = db_begin(db)) < 0 ||
	    (rc = selection_store_intake_create(db, req->json, o.institution_id, req->who.user_id,
						&id)) < 0 ||
	    (rc = selection_store_intake_get(db, id, &intake)) < 0) {
		if (rc == LMS_ECONFLICT) {
			db_rollback(db);
			http_reply_problem(req, 409, "intake_exists", NULL,
					   "this section already admits through an intake");
			return;
		}
		change_failed(req, db, rc);
		return;
	}
	snprintf(location, sizeof(location), "/api/v1/intakes/%lld", id);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "intake.create",
						 .target_type = "intake",
						 .target_id = id,
						 .institution_id = o.institution_id},
			   201, intake, NULL, location);
	json_decref(intake);
}

static const char *const list_params[] = {"institution_id", "lang", NULL};

void selection_intake_list(struct http_req *req)
{
	json_t *items = NULL, *body = NULL;
	long long inst = 0;
	int rc;

	if (!pull_params_or_reply(req, list_params) ||
	    !http_req_query_id_or_reply(req, "institution_id", &inst) ||
	    !http_req_db_or_reply(req))
		return;
	if ((rc = selection_store_intake_list(req->db, inst, &items)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	body = json_pack("{s:o}", "items", items);
	http_reply_json(req, 200, body);
	json_decref(body);
}

void selection_intake_show(struct http_req *req)
{
	struct selection_owner o;
	json_t *intake = NULL;
	long long id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !http_req_db_or_reply(req))
		return;
	if ((rc = selection_store_intake_owner(req->db, id, &o)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	/* An intake of an unpublished course exists for its admins only. */
	if (!o.published && !guard_visible_or_404(req, GUARD_ENROLLMENT_MANAGE, o.institution_id))
		return;
	if ((rc = selection_store_intake_get(req->db, id, &intake)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	http_reply_json(req, 200, intake);
	json_decref(intake);
}

static const char *const application_statuses[] = {
	"applied", "in_stage", "passed", "offered", "accepted", "enrolled", "rejected",
	"withdrawn", "declined", "offer_expired", NULL,
};

void selection_intake_applications(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db;
	json_t *items = NULL, *body = NULL, *detail = NULL;
	char status[16];
	const char *filter = NULL;
	int n, rc;

	if (!intake_admin_or_reply(req, &db, &o, REVIEWERS_TOO))
		return;
	if ((n = http_req_query(req, "status", status, sizeof(status))) != -1) {
		for (int i = 0; n > 0 && application_statuses[i]; i++)
			if (!strcmp(status, application_statuses[i]))
				filter = application_statuses[i];
		if (!filter) {
			json_t *errors = NULL;

			http_json_error_add(&errors, "status", "must be a status of an application");
			http_reply_problem(req, 400, "validation_failed", errors,
					   "the query parameter status is not valid");
			return;
		}
	}
	if ((rc = selection_store_applications_of(db, o.id, filter, &items)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	if (o.reviewer && o.blind) {
		size_t i;
		json_t *item;

		json_array_foreach(items, i, item)
			blind(item);
	}
	/* Applicants' personal data: its reading is recorded before it is sent. */
	detail = json_pack("{s:s*, s:I}", "status", filter, "rows",
			   (json_int_t)json_array_size(items));
	if ((rc = audit_record(req, &(struct audit_event){.action = "application.list",
							  .target_type = "intake",
							  .target_id = o.id,
							  .institution_id = o.institution_id,
							  .detail = detail})) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	body = json_pack("{s:O}", "items", items);
	http_reply_json(req, 200, body);
out:
	json_decref(detail);
	json_decref(body);
	json_decref(items);
}

/* ---- applying ---- */

static const struct {
	const char *code;
	int status;
	const char *detail;
} apply_refusals[] = {
	{"not_found", 404, "no resource at this path"},
	{"section_cancelled", 409, "this section was cancelled"},
	{"application_not_open", 409, "applications to this intake have not opened yet"},
	{"application_closed", 409, "applications to this intake are closed"},
	{"not_eligible_stage", 403, "this programme does not admit your ladder stage"},
	{"affiliation_required", 403,
	 "this programme is for staff of a member institution or company: add your affiliation"},
	{"email_unverified", 403,
	 "confirm your e-mail address first: open the link we sent you, or ask for a new one"},
	{"already_applied", 409, "you have already applied to this intake"},
	{"program_exclusive", 409,
	 "this programme cannot be taken in the same year as one you already hold a place in"},
};

static const struct schema_field apply_fields[] = {
	{"statement", SCHEMA_STRING, .nullable = true, .max = STATEMENT_MAX_CHARS},
};
static const struct schema apply_schema = SCHEMA_OF(apply_fields);

void selection_apply(struct http_req *req)
{
	struct selection_apply_result r = {0};
	struct selection_owner o = {0};
	const char *statement = NULL;
	char location[64];
	json_t *app = NULL, *problem;
	long long intake;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &intake))
		return;
	if (req->json && !schema_body_or_reply(req, &apply_schema, SCHEMA_CREATE))
		return;
	statement = json_string_value(json_object_get(req->json, "statement"));
	if (!http_req_db_or_reply(req))
		return;
	if ((rc = db_begin(req->db)) < 0 ||
	    (rc = selection_store_apply(req->db, req->who.user_id, intake, statement, &r)) < 0) {
		change_failed(req, req->db, rc);
		goto out;
	}
	if (strcmp(r.code, "ok") != 0) {
		db_rollback(req->db);
		for (size_t i = 0; i < sizeof(apply_refusals) / sizeof(apply_refusals[0]); i++) {
			if (strcmp(apply_refusals[i].code, r.code) != 0)
				continue;
			problem = http_problem_new(apply_refusals[i].status, r.code, "%s",
						   apply_refusals[i].detail);
			if (problem && r.detail)
				json_object_update(problem, r.detail);
			if (problem)
				http_reply_problem_json(req, apply_refusals[i].status, problem, NULL);
			else
				http_reply_error(req, LMS_ENOMEM);
			json_decref(problem);
			goto out;
		}
		http_reply_error(req, LMS_EDB);
		goto out;
	}
	if ((rc = selection_store_application_owner(req->db, r.application_id, false, &o)) < 0 ||
	    (rc = selection_store_application_get(req->db, r.application_id, &app)) < 0) {
		change_failed(req, req->db, rc);
		goto out;
	}
	snprintf(location, sizeof(location), "/api/v1/applications/%lld", r.application_id);
	audit_commit_reply(req, req->db,
			   &(struct audit_event){.action = "application.create",
						 .target_type = "application",
						 .target_id = r.application_id,
						 .institution_id = o.institution_id},
			   201, app, NULL, location);
out:
	json_decref(app);
	json_decref(r.detail);
}

void selection_applications_mine(struct http_req *req)
{
	json_t *items = NULL, *body;
	int rc;

	if (!http_req_db_or_reply(req))
		return;
	if ((rc = selection_store_applications_mine(req->db, req->who.user_id, &items)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	body = json_pack("{s:o}", "items", items);
	http_reply_json(req, 200, body);
	json_decref(body);
}

void selection_application_show(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db;
	json_t *app = NULL;
	long long id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !(db = http_req_db_or_reply(req)))
		return;
	bool may = true;

	if ((rc = selection_store_application_owner(db, id, false, &o)) < 0 ||
	    (o.user_id != req->who.user_id && (rc = may_act(req, db, &o, REVIEWERS_TOO, &may)) < 0)) {
		http_reply_error(req, rc);
		return;
	}
	if (!may) {
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
		return;
	}
	if (o.user_id != req->who.user_id) {
		/* Someone else's application is personal data: its reading is kept. */
		if ((rc = audit_record(req, &(struct audit_event){
						    .action = "application.read",
						    .target_type = "application",
						    .target_id = id,
						    .institution_id = o.institution_id})) < 0) {
			http_reply_error(req, rc);
			return;
		}
	}
	if ((rc = selection_store_application_get(db, id, &app)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	if (o.reviewer && o.blind)
		blind(app);
	http_reply_json(req, 200, app);
	json_decref(app);
}

/* ---- the applicant's changes ---- */

/* Moves the caller's own application to status. */
static void own_transition(struct http_req *req, const char *status, const char *reason,
			   const char *action)
{
	struct selection_owner o;
	struct db_conn *db;
	int rc;

	if (!application_or_reply(req, &db, true, APPLICANT_ONLY, &o))
		return;
	if ((rc = selection_store_transition(db, o.id, status, req->who.user_id, reason)) < 0) {
		change_failed(req, db, rc);
		return;
	}
	application_commit_reply(req, db, &o, action, NULL);
}

void selection_application_withdraw(struct http_req *req)
{
	own_transition(req, "withdrawn", "withdrawn by the applicant", "application.withdraw");
}

void selection_offer_decline(struct http_req *req)
{
	own_transition(req, "declined", "offer declined by the applicant", "application.decline");
}

void selection_offer_accept(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db;
	char code[32];
	int rc;

	if (!application_or_reply(req, &db, true, APPLICANT_ONLY, &o))
		return;
	if ((rc = selection_store_accept(db, o.id, req->who.user_id, code, sizeof(code))) < 0) {
		change_failed(req, db, rc);
		return;
	}
	if (!strcmp(code, "already_enrolled")) {
		db_rollback(db);
		http_reply_problem(req, 409, "already_enrolled", NULL,
				   "you already hold an enrolment in this section");
		return;
	}
	if (!strcmp(code, "program_exclusive")) {
		json_t *problem = http_problem_new(
			409, "program_exclusive",
			"this programme cannot be taken in the same year as one you already hold "
			"a place in");
		json_t *why = NULL;

		if ((rc = db_jsonf(db, &why, "SELECT selection_exclusion(a.user_id, a.intake_id)"
					     " FROM applications a WHERE a.id = $1",
				   "l", o.id)) == 0 && problem)
			json_object_update(problem, why);
		db_rollback(db);
		if (problem)
			http_reply_problem_json(req, 409, problem, NULL);
		else
			http_reply_error(req, LMS_ENOMEM);
		json_decref(problem);
		json_decref(why);
		return;
	}
	if (!strcmp(code, "already_expired")) {
		db_rollback(db);
		http_reply_problem(req, 409, "offer_expired", NULL,
				   "the offer's deadline has passed: it is no longer open");
		return;
	}
	if (!strcmp(code, "offer_expired")) {
		/* The expiry is kept: the seat goes to the next in line. */
		if ((rc = audit_record(req, &(struct audit_event){
						    .action = "application.offer_expire",
						    .target_type = "application",
						    .target_id = o.id,
						    .institution_id = o.institution_id})) < 0 ||
		    (rc = db_commit(db)) < 0) {
			change_failed(req, db, rc);
			return;
		}
		http_reply_problem(req, 409, "offer_expired", NULL,
				   "the offer's deadline has passed: it is no longer open");
		return;
	}
	application_commit_reply(req, db, &o, "application.accept", NULL);
}

/* ---- the intake's admins ---- */

static const char *const decisions[] = {"pass", "fail", NULL};

static const struct schema_field result_fields[] = {
	{"stage_id", SCHEMA_ID, .required = true},
	{"score", SCHEMA_INT, .min = 0, .max = 1000000},
	{"decision", SCHEMA_STRING, .values = decisions},
	{"reason", SCHEMA_STRING, .min = 1, .max = 500},
};
static const struct schema result_schema = SCHEMA_OF(result_fields);

/* A refusal of application_decide() that names a field of the body. */
static const struct {
	const char *code;
	const char *field;
	const char *message;
} decide_field_refusals[] = {
	{"not_found", "stage_id", "is not a stage of this application's intake"},
	{"score_required", "score", "is required: this stage's rule decides by score"},
	{"decision_required", "decision", "is required: this stage is decided pass or fail"},
	{"decision_not_allowed", "decision",
	 "must be left out: this stage's rule decides (a score, the best n, or the pre-course "
	 "completion)"},
};

void selection_application_result(struct http_req *req)
{
	struct selection_decision d;
	struct selection_owner o;
	struct db_conn *db;
	json_t *detail = NULL, *score;
	char score_text[32];
	int rc;

	if (!schema_body_or_reply(req, &result_schema, SCHEMA_CREATE) ||
	    !application_or_reply(req, &db, true, REVIEWERS_TOO, &o))
		return;
	if ((score = json_object_get(req->json, "score")))
		snprintf(score_text, sizeof(score_text), "%lld",
			 (long long)json_integer_value(score));
	if ((rc = selection_store_decide(
		     db, o.id, json_integer_value(json_object_get(req->json, "stage_id")),
		     score ? score_text : NULL,
		     json_string_value(json_object_get(req->json, "decision")), req->who.user_id,
		     json_string_value(json_object_get(req->json, "reason")), &d)) < 0) {
		change_failed(req, db, rc);
		return;
	}
	for (size_t i = 0; i < sizeof(decide_field_refusals) / sizeof(decide_field_refusals[0]);
	     i++) {
		if (strcmp(d.code, decide_field_refusals[i].code) != 0)
			continue;
		db_rollback(db);
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", decide_field_refusals[i].field,
					     "message", decide_field_refusals[i].message),
				   "the result has invalid fields");
		return;
	}
	if (!strcmp(d.code, "not_at_stage") || !strcmp(d.code, "decided") ||
	    !strcmp(d.code, "precourse_incomplete")) {
		db_rollback(db);
		http_reply_problem(
			req, 409, !strcmp(d.code, "decided") ? "already_decided" : d.code, NULL, "%s",
			!strcmp(d.code, "decided") ? "this stage was decided otherwise for this "
						     "application"
			: !strcmp(d.code, "precourse_incomplete")
				? "the applicant has not completed the pre-course yet"
				: "the application does not wait in this stage");
		return;
	}
	detail = json_pack("{s:O, s:O?, s:O?, s:b}", "stage_id",
			   json_object_get(req->json, "stage_id"), "score", score, "decision",
			   json_object_get(req->json, "decision"), "unchanged",
			   !strcmp(d.code, "unchanged"));
	application_commit_reply(req, db, &o, "application.decide", detail);
	json_decref(detail);
}

static const struct schema_field reject_fields[] = {
	{"reason", SCHEMA_STRING, .required = true, .min = 1, .max = 500},
};
static const struct schema reject_schema = SCHEMA_OF(reject_fields);

void selection_application_reject(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db;
	const char *reason;
	int rc;

	if (!schema_body_or_reply(req, &reject_schema, SCHEMA_CREATE) ||
	    !application_or_reply(req, &db, true, ADMINS_ONLY, &o))
		return;
	reason = json_string_value(json_object_get(req->json, "reason"));
	if ((rc = selection_store_transition(db, o.id, "rejected", req->who.user_id, reason)) <
	    0) {
		change_failed(req, db, rc);
		return;
	}
	application_commit_reply(req, db, &o, "application.reject", NULL);
}

void selection_stage_close(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db;
	json_t *body = NULL;
	long long stage, passed = 0, failed = 0;
	char code[32];
	int rc;

	if (!intake_admin_or_reply(req, &db, &o, ADMINS_ONLY) ||
	    !http_req_param_id_or_reply(req, 1, &stage))
		return;
	if ((rc = selection_store_stage_of(db, o.id, stage)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	if ((rc = db_begin(db)) < 0 ||
	    (rc = selection_store_stage_close(db, stage, req->who.user_id, code, sizeof(code),
					      &passed, &failed)) < 0) {
		change_failed(req, db, rc);
		return;
	}
	if (!strcmp(code, "not_closable")) {
		db_rollback(db);
		http_reply_problem(req, 409, "stage_not_closable", NULL,
				   "only a top-N or a pre-course stage is closed; the others are "
				   "decided application by application");
		return;
	}
	if (!strcmp(code, "scores_missing")) {
		json_t *problem = http_problem_new(409, "scores_missing",
						   "%lld applications in this stage have no score yet",
						   failed);

		db_rollback(db);
		json_object_set_new(problem, "missing", json_integer(failed));
		http_reply_problem_json(req, 409, problem, NULL);
		json_decref(problem);
		return;
	}
	body = json_pack("{s:I, s:I, s:I}", "stage_id", (json_int_t)stage, "passed",
			 (json_int_t)passed, "failed", (json_int_t)failed);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "intake.stage_close",
						 .target_type = "intake",
						 .target_id = o.id,
						 .institution_id = o.institution_id,
						 .detail = body},
			   200, body, NULL, NULL);
	json_decref(body);
}

void selection_offers_make(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db;
	json_t *body = NULL, *intake = NULL;
	long long made = 0;
	int rc;

	if (!intake_admin_or_reply(req, &db, &o, ADMINS_ONLY))
		return;
	if ((rc = db_begin(db)) < 0 ||
	    (rc = selection_store_offer(db, o.id, req->who.user_id, &made)) < 0 ||
	    (rc = selection_store_intake_get(db, o.id, &intake)) < 0) {
		change_failed(req, db, rc);
		return;
	}
	body = json_pack("{s:I, s:O}", "offered", (json_int_t)made, "seats",
			 json_object_get(intake, "seats"));
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "intake.offer",
						 .target_type = "intake",
						 .target_id = o.id,
						 .institution_id = o.institution_id,
						 .detail = body},
			   200, body, NULL, NULL);
	json_decref(body);
	json_decref(intake);
}

/* ---- decision files ---- */

#define DECISIONS_MAX_BYTES (1 << 20)

/* What a row's refusal means, for the file's errors. */
static const struct {
	const char *code;
	const char *column;
	const char *message;
} row_refusals[] = {
	{"no_application", NULL, "no application to this intake has this id or e-mail"},
	{"no_stage", "stage", "this intake has no stage at this position"},
	{"not_at_stage", "stage", "the application does not wait in this stage"},
	{"decided", "decision", "this stage was decided otherwise for this application"},
	{"score_required", "score", "is required: this stage's rule decides by score"},
	{"decision_required", "decision", "is required: this stage is decided pass or fail"},
	{"decision_not_allowed", "decision",
	 "must be empty: this stage's rule decides (a score, the best n, or the pre-course)"},
	{"precourse_incomplete", "stage", "the applicant has not completed the pre-course yet"},
	{"not_found", NULL, "no application to this intake has this id or e-mail"},
};

/* Reads ?dry_run= (true when absent). Replies 400 and returns false when
 * it is neither true nor false. */
static bool dry_run_or_reply(struct http_req *req, bool *dry)
{
	char buf[8];
	int n = http_req_query(req, "dry_run", buf, sizeof(buf));
	json_t *errors = NULL;

	*dry = true;
	if (n == -1 || (n > 0 && !strcmp(buf, "true")))
		return true;
	if (n > 0 && !strcmp(buf, "false")) {
		*dry = false;
		return true;
	}
	http_json_error_add(&errors, "dry_run", "must be true or false");
	http_reply_problem(req, 400, "validation_failed", errors,
			   "the query parameter dry_run is not valid");
	return false;
}

/* Runs every row in db's open transaction; appends the diff to diff and
 * each refusal to errors. Counts the rows that changed an application. */
static int rows_run(struct http_req *req, struct db_conn *db, long long intake,
		    const json_t *rows, json_t *diff, json_t *errors, long long *changed)
{
	const json_t *row;
	size_t i;
	int rc;

	*changed = 0;
	json_array_foreach(rows, i, row) {
		struct selection_row_result r;
		json_t *score = json_object_get(row, "score");
		long long line = json_integer_value(json_object_get(row, "line"));
		char score_text[32];
		bool refused = false;

		if (score)
			snprintf(score_text, sizeof(score_text), "%lld",
				 (long long)json_integer_value(score));
		if ((rc = selection_store_decision_row(
			     db, intake, json_integer_value(json_object_get(row, "application_id")),
			     json_string_value(json_object_get(row, "email")),
			     (int)json_integer_value(json_object_get(row, "stage")),
			     score ? score_text : NULL,
			     json_string_value(json_object_get(row, "decision")), req->who.user_id,
			     json_string_value(json_object_get(row, "reason")), &r)) < 0)
			return rc;
		for (size_t k = 0; k < sizeof(row_refusals) / sizeof(row_refusals[0]); k++) {
			if (strcmp(r.code, row_refusals[k].code) != 0)
				continue;
			json_array_append_new(errors, json_pack("{s:I, s:s?, s:s}", "line",
								(json_int_t)line, "column",
								row_refusals[k].column, "message",
								row_refusals[k].message));
			refused = true;
		}
		if (refused)
			continue;
		if (strcmp(r.code, "unchanged") != 0 &&
		    (strcmp(r.from_status, r.to_status) || r.from_stage != r.to_stage))
			(*changed)++;
		json_array_append_new(
			diff, json_pack("{s:I, s:I, s:s, s:{s:s, s:o}, s:{s:s, s:o}}", "line",
					(json_int_t)line, "application_id",
					(json_int_t)r.application_id, "outcome",
					!strcmp(r.code, "unchanged") ? "unchanged" : "recorded",
					"from", "status", r.from_status, "stage",
					r.from_stage ? json_integer(r.from_stage) : json_null(),
					"to", "status", r.to_status, "stage",
					r.to_stage ? json_integer(r.to_stage) : json_null()));
	}
	return 0;
}

void selection_decisions_upload(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db;
	json_t *rows = NULL, *errors = NULL, *diff = NULL, *body = NULL, *problem = NULL,
	       *detail = NULL;
	const char *ct;
	long long changed = 0;
	bool dry;
	int rc;

	if (!dry_run_or_reply(req, &dry))
		return;
	ct = http_req_header(req, "Content-Type");
	if (!ct || strncasecmp(ct, "text/csv", 8) != 0 || (ct[8] && ct[8] != ';')) {
		http_reply_problem(req, 415, "unsupported_media_type", NULL,
				   "send the decisions as text/csv");
		return;
	}
	/* The file is read before a database connection is taken: a slow
	 * sender holds only its own connection. */
	if (!http_req_body_or_reply(req, DECISIONS_MAX_BYTES) ||
	    !intake_admin_or_reply(req, &db, &o, REVIEWERS_TOO))
		return;
	if ((rc = decision_csv_parse(req->body ? req->body : "", req->body_len, &rows, &errors)) <
		    0 ||
	    !(diff = json_array())) {
		http_reply_error(req, rc < 0 ? rc : LMS_ENOMEM);
		goto out;
	}
	/* A blind reviewer names applications by id: an address would say
	 * whose scores they are. */
	if (o.reviewer && o.blind) {
		size_t i;
		const json_t *row;

		json_array_foreach(rows, i, row) {
			if (!json_object_get(row, "email"))
				continue;
			http_reply_problem(req, 403, "blind_review", NULL,
					   "this intake is reviewed blind: name applications by "
					   "application_id, not e-mail");
			goto out;
		}
	}
	/* The rows are run in one transaction, kept only when this is no
	 * dry run and no row was refused: all or nothing. */
	if ((rc = db_begin(db)) < 0 ||
	    (rc = rows_run(req, db, o.id, rows, diff, errors, &changed)) < 0) {
		change_failed(req, db, rc);
		goto out;
	}
	body = json_pack("{s:b, s:b, s:I, s:I, s:I, s:O, s:O}", "dry_run", dry, "applied",
			 !dry && !json_array_size(errors), "rows", (json_int_t)json_array_size(rows),
			 "changed", (json_int_t)changed, "refused",
			 (json_int_t)json_array_size(errors), "diff", diff, "errors", errors);
	if (!body) {
		change_failed(req, db, LMS_ENOMEM);
		goto out;
	}
	if (dry || json_array_size(errors)) {
		db_rollback(db);
		if (dry) {
			http_reply_json(req, 200, body);
		} else if ((problem = http_problem_new(
				    422, "decisions_invalid",
				    "%zu rows are refused: nothing was applied",
				    json_array_size(errors))) &&
			   json_object_update_missing(problem, body) == 0) {
			http_reply_problem_json(req, 422, problem, NULL);
		} else {
			http_reply_error(req, LMS_ENOMEM);
		}
		goto out;
	}
	detail = json_pack("{s:I, s:I}", "rows", (json_int_t)json_array_size(rows), "changed",
			   (json_int_t)changed);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "intake.decisions",
						 .target_type = "intake",
						 .target_id = o.id,
						 .institution_id = o.institution_id,
						 .detail = detail},
			   200, body, NULL, NULL);
out:
	json_decref(problem);
	json_decref(detail);
	json_decref(body);
	json_decref(diff);
	json_decref(errors);
	json_decref(rows);
}

/* ---- exclusivity between programmes ---- */

#define EXCLUSIONS_JSON                                                                   \
	"SELECT coalesce(jsonb_agg(jsonb_build_object('program_a', x.program_a,"             \
	" 'program_b', x.program_b, 'created_at', x.created_at)"                            \
	" ORDER BY x.program_a, x.program_b), '[]') FROM program_exclusions x"

void selection_exclusions_list(struct http_req *req)
{
	json_t *items = NULL, *body;
	int rc;

	if (!http_req_db_or_reply(req))
		return;
	if ((rc = db_json(req->db, &items, EXCLUSIONS_JSON, 0, NULL)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	body = json_pack("{s:o}", "items", items);
	http_reply_json(req, 200, body);
	json_decref(body);
}

static const struct schema_field exclusion_fields[] = {
	{"programs", SCHEMA_ARRAY, .required = true},
};
static const struct schema exclusion_schema = SCHEMA_OF(exclusion_fields);

void selection_exclusion_create(struct http_req *req)
{
	const json_t *programs;
	json_t *errors = NULL, *items = NULL;
	PGresult *res = NULL;
	const char *a, *b;
	int rc;

	if (!schema_body_check_or_reply(req, &exclusion_schema, SCHEMA_CREATE, &errors))
		return;
	programs = json_object_get(req->json, "programs");
	a = json_string_value(json_array_get(programs, 0));
	b = json_string_value(json_array_get(programs, 1));
	if (!errors && (json_array_size(programs) != 2 || !a || !b || !strcmp(a, b)))
		http_json_error_add(&errors, "programs", "must be two different programme codes");
	if (errors) {
		schema_reply_invalid(req, errors);
		return;
	}
	if (!http_req_db_or_reply(req))
		return;
	if ((rc = db_begin(req->db)) < 0)
		goto fail;
	rc = db_one_row(req->db, &res,
			"INSERT INTO program_exclusions (program_a, program_b)"
			" SELECT least(x.code, y.code), greatest(x.code, y.code)"
			" FROM programs x, programs y"
			" WHERE x.code = $1 AND y.code = $2 ON CONFLICT DO NOTHING RETURNING 1",
			"ss", a, b);
	PQclear(res);
	if (rc == LMS_ENOTFOUND) {
		/* Either a code names no programme, or the pair exists. */
		if (db_one_row(req->db, NULL,
			       "SELECT 1 FROM programs x, programs y WHERE x.code = $1"
			       " AND y.code = $2",
			       "ss", a, b) == LMS_ENOTFOUND) {
			db_rollback(req->db);
			http_reply_problem(req, 400, "validation_failed",
					   json_pack("[{s:s, s:s}]", "field", "programs", "message",
						     "must be the codes of two programmes"),
					   "the exclusion has invalid fields");
			return;
		}
		rc = 0;
	}
	if (rc < 0 || (rc = db_json(req->db, &items, EXCLUSIONS_JSON, 0, NULL)) < 0)
		goto fail;
	audit_commit_reply(req, req->db,
			   &(struct audit_event){.action = "program_exclusion.create",
						 .target_type = "program_exclusion",
						 .detail = req->json},
			   201, items, NULL, NULL);
	json_decref(items);
	return;
fail:
	change_failed(req, req->db, rc);
}

void selection_exclusion_delete(struct http_req *req)
{
	const char *a = req->nparams > 1 ? req->params[0] : NULL,
		   *b = req->nparams > 1 ? req->params[1] : NULL;
	json_t *detail = NULL;
	int rc;

	if (!a || !b || strlen(a) > 40 || strlen(b) > 40) {
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
		return;
	}
	if (!http_req_db_or_reply(req))
		return;
	if ((rc = db_begin(req->db)) < 0 ||
	    (rc = db_one_row(req->db, NULL,
			     "DELETE FROM program_exclusions WHERE program_a = least($1::text, $2)"
			     " AND program_b = greatest($1::text, $2) RETURNING 1",
			     "ss", a, b)) < 0) {
		change_failed(req, req->db, rc);
		return;
	}
	detail = json_pack("{s:[s, s]}", "programs", a, b);
	rc = audit_record(req, &(struct audit_event){.action = "program_exclusion.delete",
						     .target_type = "program_exclusion",
						     .detail = detail});
	json_decref(detail);
	if (rc < 0 ||
	    (rc = db_commit(req->db)) < 0) {
		change_failed(req, req->db, rc);
		return;
	}
	http_reply_start(req, 204, NULL, 0, NULL);
}

/* ---- reviewers ---- */

static const struct schema_field reviewer_fields[] = {
	{"user_id", SCHEMA_ID, .required = true},
};
static const struct schema reviewer_schema = SCHEMA_OF(reviewer_fields);

static void reviewers_reply(struct http_req *req, struct db_conn *db,
			    const struct selection_owner *o, const char *action, long long user,
			    int status)
{
	json_t *items = NULL;
	int rc;

	if ((rc = selection_store_reviewers(db, o->id, &items)) < 0) {
		change_failed(req, db, rc);
		return;
	}
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = action,
						 .target_type = "intake",
						 .target_id = o->id,
						 .institution_id = o->institution_id,
						 .detail = req->json},
			   status, items, NULL, NULL);
	json_decref(items);
	(void)user;
}

void selection_reviewers_list(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db;
	json_t *items = NULL, *body;
	int rc;

	if (!intake_admin_or_reply(req, &db, &o, ADMINS_ONLY))
		return;
	if ((rc = selection_store_reviewers(db, o.id, &items)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	body = json_pack("{s:o}", "items", items);
	http_reply_json(req, 200, body);
	json_decref(body);
}

void selection_reviewer_add(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db;
	long long user;
	int rc;

	if (!schema_body_or_reply(req, &reviewer_schema, SCHEMA_CREATE) ||
	    !intake_admin_or_reply(req, &db, &o, ADMINS_ONLY))
		return;
	user = json_integer_value(json_object_get(req->json, "user_id"));
	if ((rc = db_begin(db)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	rc = selection_store_reviewer_add(db, o.id, user, req->who.user_id);
	if (rc == LMS_ENOTFOUND) {
		db_rollback(db);
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "user_id", "message",
					     "must be an instructor or an admin of the intake's "
					     "institution"),
				   "the reviewer has invalid fields");
		return;
	}
	if (rc < 0) {
		change_failed(req, db, rc);
		return;
	}
	reviewers_reply(req, db, &o, "intake.reviewer_add", user, 201);
}

void selection_reviewer_remove(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db;
	long long user;
	int rc;

	if (!intake_admin_or_reply(req, &db, &o, ADMINS_ONLY) ||
	    !http_req_param_id_or_reply(req, 1, &user))
		return;
	if ((rc = db_begin(db)) < 0 ||
	    (rc = selection_store_reviewer_remove(db, o.id, user)) < 0) {
		change_failed(req, db, rc);
		return;
	}
	reviewers_reply(req, db, &o, "intake.reviewer_remove", user, 200);
}

/* ---- documents ---- */

#define DOCUMENT_MAX_BYTES (5 << 20)

/* The types a document may have, and the bytes each begins with: the
 * declared type must be what the file is. */
static const struct {
	const char *type;
	const char *magic;
	size_t len;
	const char *ext;
} document_types[] = {
	{"application/pdf", "%PDF-", 5, "pdf"},
	{"image/png", "\x89PNG\r\n\x1a\n", 8, "png"},
	{"image/jpeg", "\xff\xd8\xff", 3, "jpg"},
};

/* The file name of ?filename=: 1 to 200 bytes of UTF-8, no control
 * character, slash or backslash. */
static bool filename_ok(const char *name)
{
	json_t *s;

	if (!*name || strlen(name) > 200 || strpbrk(name, "/\\"))
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	if (!(s = json_string(name)))
		return false;
	json_decref(s);
	return true;
}

void selection_document_upload(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db;
	char filename[256], location[96], status[16];
	const char *ct = http_req_header(req, "Content-Type");
	json_t *body = NULL;
	PGresult *res = NULL;
	long long doc = 0;
	size_t t = sizeof(document_types) / sizeof(document_types[0]), k;
	int n, rc;

	n = http_req_query(req, "filename", filename, sizeof(filename));
	if (n <= 0 || !filename_ok(filename)) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "filename", "message",
					     "must be the file's name: 1 to 200 characters, no slash"),
				   "the upload has invalid parts");
		return;
	}
	for (k = 0; ct && k < t; k++)
		if (!strncasecmp(ct, document_types[k].type, strlen(document_types[k].type)) &&
		    (!ct[strlen(document_types[k].type)] || ct[strlen(document_types[k].type)] == ';'))
			break;
	if (!ct || k == t) {
		http_reply_problem(req, 415, "unsupported_media_type", NULL,
				   "a document is a PDF, PNG or JPEG file");
		return;
	}
	if (http_req_content_length(req) == 0) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "body", "message",
					     "must hold the file: it is empty"),
				   "the upload has invalid parts");
		return;
	}
	if (!http_req_body_or_reply(req, DOCUMENT_MAX_BYTES) ||
	    !application_or_reply(req, &db, true, APPLICANT_ONLY, &o))
		return;
	if (req->body_len < document_types[k].len ||
	    memcmp(req->body, document_types[k].magic, document_types[k].len) != 0) {
		db_rollback(db);
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "body", "message",
					     "is not a file of the type it is sent as"),
				   "the upload has invalid parts");
		return;
	}
	if ((rc = db_one_row(db, &res, "SELECT status FROM applications WHERE id = $1", "l",
			     o.id)) < 0) {
		change_failed(req, db, rc);
		return;
	}
	snprintf(status, sizeof(status), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if (strcmp(status, "applied") != 0 && strcmp(status, "in_stage") != 0) {
		db_rollback(db);
		http_reply_problem(req, 409, "documents_closed", NULL,
				   "documents are added while the application is under review");
		return;
	}
	rc = selection_store_document_add(db, o.id, req->body, req->body_len,
					  document_types[k].type, filename, &doc);
	if (rc == LMS_ETOOBIG) {
		db_rollback(db);
		http_reply_problem(req, 409, "too_many_documents", NULL,
				   "an application holds ten documents at most");
		return;
	}
	if (rc < 0) {
		change_failed(req, db, rc);
		return;
	}
	body = json_pack("{s:I, s:I, s:s, s:s, s:I}", "id", (json_int_t)doc, "application_id",
			 (json_int_t)o.id, "filename", filename, "content_type",
			 document_types[k].type, "size", (json_int_t)req->body_len);
	snprintf(location, sizeof(location), "/api/v1/applications/%lld/documents/%lld", o.id, doc);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "application.document_add",
						 .target_type = "application",
						 .target_id = o.id,
						 .institution_id = o.institution_id,
						 .detail = body},
			   201, body, NULL, location);
	json_decref(body);
}

void selection_document_download(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db;
	char type[32], headers[160], *data = NULL;
	const char *ext = "bin";
	long long doc;
	size_t len = 0;
	bool may = true;
	int rc;

	if (!http_req_param_id_or_reply(req, 1, &doc) ||
	    !http_req_param_id_or_reply(req, 0, &o.id) || !(db = http_req_db_or_reply(req)))
		return;
	if ((rc = selection_store_application_owner(db, o.id, false, &o)) < 0 ||
	    (o.user_id != req->who.user_id && (rc = may_act(req, db, &o, REVIEWERS_TOO, &may)) < 0)) {
		http_reply_error(req, rc);
		return;
	}
	if (!may) {
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
		return;
	}
	if ((rc = selection_store_document_get(db, o.id, doc, type, sizeof(type), &data, &len)) <
		    0 ||
	    (o.user_id != req->who.user_id &&
	     (rc = audit_record(req, &(struct audit_event){.action = "application.document_read",
							   .target_type = "application",
							   .target_id = o.id,
							   .institution_id = o.institution_id})) < 0)) {
		free(data);
		http_reply_error(req, rc);
		return;
	}
	for (size_t k = 0; k < sizeof(document_types) / sizeof(document_types[0]); k++)
		if (!strcmp(type, document_types[k].type))
			ext = document_types[k].ext;
	/* The stored name is not put in a header: the id names the file. */
	snprintf(headers, sizeof(headers),
		 "Content-Disposition: attachment; filename=\"document-%lld.%s\"\r\n", doc, ext);
	http_reply_bytes(req, 200, type, data, len, headers);
	free(data);
}

/* ---- interviews ---- */

static const struct schema_field slot_fields[] = {
	{"stage_id", SCHEMA_ID, .required = true},
	{"starts_at", SCHEMA_TIMESTAMP, .required = true},
	{"ends_at", SCHEMA_TIMESTAMP, .required = true},
	{"interviewer_id", SCHEMA_ID, .required = true},
	{"facility_id", SCHEMA_ID, .nullable = true},
	{"online_url", SCHEMA_HTTPS_URL, .nullable = true, .max = 2000},
};
static const struct schema slot_schema = SCHEMA_OF(slot_fields);

static void invalid_field(struct http_req *req, const char *field, const char *message)
{
	http_reply_problem(req, 400, "validation_failed",
			   json_pack("[{s:s, s:s}]", "field", field, "message", message),
			   "the interview slot has invalid fields");
}

/* A slot the exclusion constraints refused: 409 naming what is booked and
 * the session it collides with (looked up after the rollback). */
static void slot_clash_reply(struct http_req *req, struct db_conn *db,
			     const struct selection_slot *slot)
{
	bool facility = strstr(db->constraint, "facility") != NULL;
	json_t *other = NULL, *problem;
	int rc;

	db_rollback(db);
	rc = selection_store_interview_clash(db, slot, facility, &other);
	if (rc < 0 && rc != LMS_ENOTFOUND) {
		http_reply_error(req, rc);
		return;
	}
	if (other)
		problem = http_problem_new(
			409, facility ? "facility_conflict" : "instructor_conflict",
			"the %s is booked from %s to %s for %s", facility ? "room" : "interviewer",
			json_string_value(json_object_get(other, "starts_at")),
			json_string_value(json_object_get(other, "ends_at")),
			json_string_value(json_object_get(other, "course_title")));
	else
		problem = http_problem_new(409, facility ? "facility_conflict" : "instructor_conflict",
					   "the %s is booked at this time",
					   facility ? "room" : "interviewer");
	if (!problem || json_object_set_new(problem, "conflicting_session",
					    other ? json_incref(other) : json_null()) < 0)
		http_reply_error(req, LMS_ENOMEM);
	else
		http_reply_problem_json(req, 409, problem, NULL);
	json_decref(problem);
	json_decref(other);
}

void selection_interview_create(struct http_req *req)
{
	struct selection_owner o;
	struct selection_slot slot = {0};
	struct db_conn *db;
	json_t *body = NULL;
	const json_t *j = NULL;
	char code[40];
	long long id = 0;
	int rc;

	if (!schema_body_or_reply(req, &slot_schema, SCHEMA_CREATE))
		return;
	j = req->json;
	slot.stage_id = json_integer_value(json_object_get(j, "stage_id"));
	slot.starts_at = json_string_value(json_object_get(j, "starts_at"));
	slot.ends_at = json_string_value(json_object_get(j, "ends_at"));
	slot.interviewer_id = json_integer_value(json_object_get(j, "interviewer_id"));
	slot.facility_id = json_integer_value(json_object_get(j, "facility_id"));
	slot.online_url = json_string_value(json_object_get(j, "online_url"));
	if ((slot.facility_id != 0) == (slot.online_url != NULL)) {
		invalid_field(req, "facility_id", "give a room (facility_id) or an online_url, "
						  "one of the two");
		return;
	}
	if (!intake_admin_or_reply(req, &db, &o, ADMINS_ONLY))
		return;
	slot.intake_id = o.id;
	if ((rc = db_begin(db)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	rc = selection_store_interview_create(db, &slot, code, sizeof(code), &id);
	if (rc == LMS_ECONFLICT) {
		slot_clash_reply(req, db, &slot);
		return;
	}
	if (rc < 0) {
		change_failed(req, db, rc);
		return;
	}
	if (strcmp(code, "ok") != 0) {
		db_rollback(db);
		if (!strcmp(code, "not_found"))
			invalid_field(req, "stage_id", "the intake has no such stage");
		else if (!strcmp(code, "not_interview_stage"))
			http_reply_problem(req, 409, "not_interview_stage", NULL,
					   "interview slots are for an interview stage");
		else if (!strcmp(code, "bad_times"))
			invalid_field(req, "ends_at", "ends after starts_at, within a day");
		else if (!strcmp(code, "interviewer_not_available"))
			invalid_field(req, "interviewer_id",
				      "not an instructor of the intake's institution or lent to it");
		else
			invalid_field(req, "facility_id",
				      "not a room of the intake's institution or lent to it");
		return;
	}
	body = json_pack("{s:I, s:I, s:I}", "id", (json_int_t)id, "intake_id", (json_int_t)o.id,
			 "stage_id", (json_int_t)slot.stage_id);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "intake.interview_create",
						 .target_type = "class_session",
						 .target_id = id,
						 .institution_id = o.institution_id,
						 .detail = body},
			   201, body, NULL, NULL);
	json_decref(body);
}

void selection_interviews_list(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db;
	json_t *items = NULL, *body;
	int rc;

	if (!intake_admin_or_reply(req, &db, &o, ADMINS_ONLY))
		return;
	if ((rc = selection_store_interviews(db, o.id, &items)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	body = json_pack("{s:o}", "items", items);
	http_reply_json(req, 200, body);
	json_decref(body);
}

static const struct schema_field assign_fields[] = {
	{"application_id", SCHEMA_ID, .required = true},
};
static const struct schema assign_schema = SCHEMA_OF(assign_fields);

void selection_interview_assign(struct http_req *req)
{
	struct selection_owner o;
	struct db_conn *db;
	json_t *body = NULL;
	long long session, app;
	char code[40];
	int rc;

	if (!schema_body_or_reply(req, &assign_schema, SCHEMA_CREATE) ||
	    !intake_admin_or_reply(req, &db, &o, ADMINS_ONLY) ||
	    !http_req_param_id_or_reply(req, 1, &session))
		return;
	app = json_integer_value(json_object_get(req->json, "application_id"));
	if ((rc = db_begin(db)) < 0 ||
	    (rc = selection_store_interview_assign(db, o.id, session, app, req->who.user_id, code,
						   sizeof(code))) < 0) {
		change_failed(req, db, rc);
		return;
	}
	if (strcmp(code, "ok") != 0) {
		db_rollback(db);
		if (!strcmp(code, "not_found"))
			http_reply_problem(req, 404, "not_found", NULL,
					   "no such interview slot or application in this intake");
		else if (!strcmp(code, "slot_cancelled"))
			http_reply_problem(req, 409, "slot_cancelled", NULL,
					   "the interview slot was cancelled");
		else
			http_reply_problem(req, 409, "not_at_stage", NULL,
					   "the application does not wait in this slot's stage");
		return;
	}
	body = json_pack("{s:I, s:I}", "session_id", (json_int_t)session, "application_id",
			 (json_int_t)app);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "application.interview_assign",
						 .target_type = "application",
						 .target_id = app,
						 .institution_id = o.institution_id,
						 .detail = body},
			   200, body, NULL, NULL);
	json_decref(body);
}
