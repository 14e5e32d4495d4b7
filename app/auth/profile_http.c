/* profile_http.c - handlers: a person's own profile, e-mail change, the
 * privacy notice, data download and account deletion */
#include "lms/auth/profile_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/account.h"
#include "lms/auth/auth_http.h"
#include "lms/auth/privacy.h"
#include "lms/auth/profile_store.h"
#include "lms/auth/secret.h"
#include "lms/auth/session_store.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/service/audit.h"

static schema_check_fn email_check, display_name_check, stage_check;

static bool email_check(const struct schema_field *f, const json_t *v, char *msg, size_t len)
{
	const char *problem = account_email_problem(json_string_value(v));

	return !problem || schema_refuse(msg, len, "%s", problem);
}

static bool display_name_check(const struct schema_field *f, const json_t *v, char *msg,
			       size_t len)
{
	const char *problem = account_display_name_problem(json_string_value(v));

	return !problem || schema_refuse(msg, len, "%s", problem);
}

static bool stage_check(const struct schema_field *f, const json_t *v, char *msg, size_t len)
{
	return account_stage_valid(json_string_value(v)) ||
	       schema_refuse(msg, len,
			     "must be one of preschool, elementary, middle, high, undergraduate, "
			     "graduate, worker, job_seeker, public_servant, general");
}

static const char *const locales[] = {"ko", "en", NULL};

static const struct schema_field me_fields[] = {
	{"display_name", SCHEMA_STRING, .max_bytes = 400, .check = display_name_check},
	{"locale", SCHEMA_STRING, .max_bytes = 8, .values = locales, .message = "must be ko or en"},
	{"ladder_stage", SCHEMA_STRING, .max_bytes = 32, .check = stage_check},
	{"affiliation_institution_id", SCHEMA_ID, .nullable = true,
	 .message = "must be the id of an institution"},
	{"email", SCHEMA_STRING, .max_bytes = 254, .check = email_check},
	{"current_password", SCHEMA_STRING, .max_bytes = 1024},
};
static const struct schema me_schema = SCHEMA_OF(me_fields);

static const struct schema_field confirm_fields[] = {
	{"token", SCHEMA_STRING, .required = true, .max_bytes = 200},
};
static const struct schema confirm_schema = SCHEMA_OF(confirm_fields);

static const struct schema_field delete_fields[] = {
	{"password", SCHEMA_STRING, .required = true, .max_bytes = 1024},
};
static const struct schema delete_schema = SCHEMA_OF(delete_fields);

void profile_show(struct http_req *req)
{
	json_t *out = NULL;
	struct db_conn *db;
	int rc;

	if (!(db = http_req_db_or_reply(req)))
		return;
	if ((rc = profile_store_get(db, req->who.user_id, &out)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	http_reply_json(req, 200, out);
	json_decref(out);
}

void profile_update(struct http_req *req)
{
	const json_t *email = NULL, *aff;
	json_t *errors = NULL, *out = NULL, *detail = NULL;
	char token[SECRET_B64_LEN + 8], hash[SECRET_HEX_LEN + 1];
	const char *claim = NULL;
	struct db_conn *db = NULL;
	bool taken = false;
	int rc;

	if (!schema_body_check_or_reply(req, &me_schema, SCHEMA_CHANGE, &errors))
		return;
	email = json_object_get(req->json, "email");
	if (json_is_string(email) && !json_is_string(json_object_get(req->json, "current_password")) &&
	    !schema_errors_name(errors, "current_password"))
		http_json_error_add(&errors, "current_password",
				    "is needed to change the e-mail address");
	if (errors) {
		schema_reply_invalid(req, errors);
		return;
	}
	if (!(db = http_req_db_or_reply(req)))
		return;
	if (json_is_string(email)) {
		if ((rc = profile_store_email_taken(db, req->who.user_id, json_string_value(email),
						    &taken)) < 0)
			goto fail;
		if (taken) {
			http_reply_problem(req, 409, "email_taken", NULL,
					   "an account with this email already exists");
			return;
		}
		/* Checked before the transaction: a wrong password is a failed
		 * sign-in, recorded whatever happens next. */
		if (!auth_password_confirm_or_reply(req, "current_password"))
			return;
		if ((rc = secret_token_new("", token, sizeof(token))) < 0)
			goto fail;
		secret_sha256_hex(token, strlen(token), hash);
	}
	if ((rc = db_begin(db)) < 0 || (rc = profile_store_update(db, req->who.user_id, req->json)) < 0)
		goto fail;
	if ((aff = json_object_get(req->json, "affiliation_institution_id"))) {
		rc = profile_store_affiliation_claim_status(
			db, req->who.user_id, json_is_integer(aff) ? json_integer_value(aff) : 0,
			&claim);
		if (rc == LMS_ENOTFOUND) {
			db_rollback(db);
			http_json_error_add(&errors, "affiliation_institution_id",
					    "no institution has this id");
			schema_reply_invalid(req, errors);
			return;
		}
		if (rc < 0)
			goto fail;
	}
	if (json_is_string(email) &&
	    (rc = profile_store_email_change_request(db, req->who.user_id, json_string_value(email),
						     hash, token)) < 0)
		goto fail;
	if ((rc = profile_store_get(db, req->who.user_id, &out)) < 0)
		goto fail;
	detail = audit_fields_named(req->json);
	if (claim)
		json_object_set_new(detail, "affiliation", json_string(claim));
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "user.update",
						 .target_type = "user",
						 .target_id = req->who.user_id,
						 .detail = detail},
			   200, out, NULL, NULL);
	goto out;
fail:
	audit_change_failed(req, db, rc, "profile change");
out:
	json_decref(detail);
	json_decref(out);
}

void profile_email_confirm(struct http_req *req)
{
	char hash[SECRET_HEX_LEN + 1];
	const char *token;
	json_t *out = NULL, *body = NULL;
	struct db_conn *db = NULL;
	long long user_id = 0;
	int rc;

	if (!schema_body_or_reply(req, &confirm_schema, SCHEMA_CREATE) ||
	    !(db = http_req_db_or_reply(req)))
		return;
	token = json_string_value(json_object_get(req->json, "token"));
	secret_sha256_hex(token, strlen(token), hash);
	if ((rc = db_begin(db)) < 0)
		goto fail;
	rc = profile_store_email_change_confirm(db, hash, &user_id);
	if (rc == LMS_ENOTFOUND) {
		db_rollback(db);
		http_reply_problem(req, 400, "token_invalid", NULL,
				   "this link is not valid: it was used, replaced or has expired");
		return;
	}
	if (rc == LMS_ECONFLICT) {
		db_rollback(db);
		http_reply_problem(req, 409, "email_taken", NULL,
				   "an account with this email already exists");
		return;
	}
	if (rc < 0 || (rc = profile_store_get(db, user_id, &out)) < 0)
		goto fail;
	body = json_pack("{s:O, s:O}", "email", json_object_get(out, "email"), "email_verified_at",
			 json_object_get(out, "email_verified_at"));
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "user.email_change",
						 .target_type = "user",
						 .target_id = user_id,
						 .actor_user_id = user_id},
			   200, body, NULL, NULL);
	json_decref(body);
	json_decref(out);
	return;
fail:
	json_decref(out);
	audit_change_failed(req, db, rc, "e-mail change");
}

void profile_privacy_notice(struct http_req *req)
{
	json_t *out = privacy_notice_json();

	if (!out) {
		http_reply_error(req, LMS_ENOMEM);
		return;
	}
	http_reply_json(req, 200, out);
	json_decref(out);
}

void profile_export(struct http_req *req)
{
	struct db_conn *db;
	json_t *out = NULL;
	char *text = NULL;
	int rc;

	if (!(db = http_req_db_or_reply(req)))
		return;
	if ((rc = profile_store_export(db, req->who.user_id, &out)) < 0 ||
	    (rc = audit_record(req, &(struct audit_event){.action = "user.export",
							  .target_type = "user",
							  .target_id = req->who.user_id})) < 0)
		goto fail;
	if (!(text = json_dumps(out, JSON_INDENT(1)))) {
		rc = LMS_ENOMEM;
		goto fail;
	}
	http_reply_bytes(req, 200, "application/json", text, strlen(text),
			 "Content-Disposition: attachment; filename=\"my-data.json\"\r\n"
			 "Cache-Control: no-store\r\n");
	goto out;
fail:
	http_reply_error(req, rc);
out:
	free(text);
	json_decref(out);
}

void profile_delete(struct http_req *req)
{
	struct db_conn *db = NULL;
	json_t *detail = NULL;
	int ended = 0, rc;

	if (!schema_body_or_reply(req, &delete_schema, SCHEMA_CREATE) ||
	    !auth_password_confirm_or_reply(req, "password") || !(db = http_req_db_or_reply(req)))
		return;
	if ((rc = db_begin(db)) < 0 || (rc = audit_tell_database(req, db)) < 0)
		goto fail;
	rc = profile_store_erase(db, req->who.user_id, &ended);
	if (rc == LMS_ECONFLICT) {
		db_rollback(db);
		http_reply_problem(req, 409, "role_holder", NULL,
				   "an administrator's account cannot be deleted: hand the "
				   "administration over first");
		return;
	}
	if (rc < 0)
		goto fail;
	detail = json_pack("{s:i}", "enrollments_ended", ended);
	rc = audit_record(req, &(struct audit_event){.action = "user.delete",
						     .target_type = "user",
						     .target_id = req->who.user_id,
						     .detail = detail});
	json_decref(detail);
	if (rc < 0 || (rc = db_commit(db)) < 0)
		goto fail;
	http_reply_start(req, 204, NULL, 0, SESSION_COOKIE_CLEAR);
	return;
fail:
	audit_change_failed(req, db, rc, "account deletion");
}
