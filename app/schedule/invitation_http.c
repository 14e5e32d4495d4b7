/* invitation_http.c - handlers: invitations to teach for an institution,
 * and moving an instructor's home */
#include "lms/schedule/invitation_http.h"

#include <stdio.h>
#include <string.h>

#include "lms/auth/account_store.h"
#include "lms/auth/guard.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/schedule/faculty_store.h"
#include "lms/schedule/invitation_store.h"
#include "lms/service/audit.h"

static const char *const answers[] = {"accepted", "declined", NULL};
static const struct schema_field answer_fields[] = {
	{"status", SCHEMA_STRING, .required = true, .max_bytes = 16, .values = answers,
	 .message = "must be accepted or declined"},
};
static const struct schema answer_schema = SCHEMA_OF(answer_fields);

static const struct schema_field home_fields[] = {
	{"institution_id", SCHEMA_ID, .required = true,
	 .message = "must be the id of an institution"},
};
static const struct schema home_schema = SCHEMA_OF(home_fields);

static void reply_already(struct http_req *req)
{
	http_reply_problem(req, 409, "already_instructor",
			   json_pack("[{s:s, s:s}]", "field", "user_id", "message",
				     "is an instructor already; the home institution of a "
				     "profile does not change"),
			   "this user is an instructor already");
}

bool invitation_instead_or_reply(struct http_req *req, struct db_conn *db, long long user_id,
				 long long institution_id)
{
	bool affiliated, instructor;
	json_t *out = NULL;
	int rc;

	rc = invitation_store_person(db, user_id, institution_id, &affiliated, &instructor);
	if (rc == LMS_ENOTFOUND) {
		http_reply_problem(req, 404, "not_found", NULL, "no user has this id");
		return true;
	}
	if (rc < 0) {
		http_reply_error(req, rc);
		return true;
	}
	if (instructor) {
		reply_already(req);
		return true;
	}
	/* Staff of the institution (a verified affiliation) are its own to
	 * appoint; anyone else is asked. */
	if (affiliated)
		return false;
	if ((rc = db_begin(db)) < 0)
		goto fail;
	rc = invitation_store_create(db, user_id, institution_id, req->who.user_id, req->json,
				     &out);
	if (rc == LMS_ECONFLICT) {
		db_rollback(db);
		http_reply_problem(req, 409, "invitation_pending", NULL,
				   "this person has an invitation from this institution to answer");
		return true;
	}
	if (rc < 0)
		goto fail;
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "instructor.invite",
						 .target_type = "user",
						 .target_id = user_id,
						 .institution_id = institution_id},
			   202, out, NULL, NULL);
	json_decref(out);
	return true;
fail:
	audit_change_failed(req, db, rc, "invitation");
	return true;
}

void invitation_mine(struct http_req *req)
{
	struct db_conn *db;
	json_t *items = NULL, *body;
	int rc;

	if (!(db = http_req_db_or_reply(req)))
		return;
	if ((rc = invitation_store_mine(db, req->who.user_id, &items)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	body = json_pack("{s:o, s:n}", "items", items, "next_cursor");
	http_reply_json(req, 200, body);
	json_decref(body);
}

void invitation_answer(struct http_req *req)
{
	struct db_conn *db = NULL;
	json_t *profile = NULL, *out = NULL, *detail = NULL;
	long long id, inst = 0;
	bool accept, granted;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) ||
	    !schema_body_or_reply(req, &answer_schema, SCHEMA_CREATE) ||
	    !(db = http_req_db_or_reply(req)))
		return;
	accept = strcmp(json_string_value(json_object_get(req->json, "status")), "accepted") == 0;
	if ((rc = db_begin(db)) < 0)
		goto fail;
	rc = invitation_store_answer(db, id, req->who.user_id, accept, &inst, &profile);
	if (rc == LMS_ECONFLICT) {
		db_rollback(db);
		http_reply_problem(req, 409, "invitation_answered", NULL,
				   "this invitation is not pending any more");
		goto out;
	}
	if (rc < 0)
		goto fail;
	if (accept) {
		rc = faculty_store_instructor_create(db, req->who.user_id, inst, profile);
		if (rc == LMS_ECONFLICT) {
			db_rollback(db);
			reply_already(req);
			goto out;
		}
		if (rc < 0 || (rc = account_store_role_grant(db, req->who.user_id, ROLE_INSTRUCTOR,
							     inst, 0, &granted)) < 0)
			goto fail;
	}
	if ((rc = invitation_store_get(db, id, &out)) < 0)
		goto fail;
	detail = json_pack("{s:s}", "status", accept ? "accepted" : "declined");
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = accept ? "instructor.create"
								  : "instructor.decline",
						 .target_type = "user",
						 .target_id = req->who.user_id,
						 .institution_id = inst,
						 .detail = detail},
			   200, out, NULL, NULL);
	goto out;
fail:
	audit_change_failed(req, db, rc, "invitation answer");
out:
	json_decref(detail);
	json_decref(out);
	json_decref(profile);
}

void invitation_home_move(struct http_req *req)
{
	struct db_conn *db = NULL;
	json_t *profile = NULL, *detail = NULL, *errors = NULL;
	long long id, to, from = 0;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) ||
	    !schema_body_or_reply(req, &home_schema, SCHEMA_CREATE) ||
	    !(db = http_req_db_or_reply(req)))
		return;
	to = json_integer_value(json_object_get(req->json, "institution_id"));
	if ((rc = account_store_institution_exists(db, to)) == LMS_ENOTFOUND) {
		http_json_error_add(&errors, "institution_id", "no institution has this id");
		schema_reply_invalid(req, errors);
		return;
	}
	if (rc < 0 || (rc = db_begin(db)) < 0 ||
	    (rc = audit_tell_database(req, db)) < 0 ||
	    (rc = invitation_store_home_move(db, id, to, req->who.user_id, &from)) < 0 ||
	    (rc = faculty_store_instructor_get(db, id, http_req_lang(req), &profile)) < 0)
		goto fail;
	detail = json_pack("{s:I, s:I}", "from", (json_int_t)from, "to", (json_int_t)to);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "instructor.home_move",
						 .target_type = "user",
						 .target_id = id,
						 .institution_id = to,
						 .detail = detail},
			   200, profile, "Vary: Accept-Language\r\n", NULL);
	goto out;
fail:
	audit_change_failed(req, db, rc, "instructor move");
out:
	json_decref(detail);
	json_decref(profile);
}
