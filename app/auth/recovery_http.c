/* recovery_http.c - handlers: forgotten password, reset, address verification */
#include "lms/auth/recovery_http.h"

#include <stdio.h>
#include <string.h>

#include "lms/auth/account.h"
#include "lms/auth/account_store.h"
#include "lms/auth/auth_http.h"
#include "lms/auth/password.h"
#include "lms/auth/recovery_store.h"
#include "lms/core/err.h"
#include "lms/core/gate.h"
#include "lms/core/netaddr.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/http/server.h"
#include "lms/service/audit.h"

/* A token is 43 characters of base64url; anything much longer is not one. */
#define TOKEN_MAX_BYTES 128

static const char *str_field(const json_t *obj, const char *name)
{
	return json_string_value(json_object_get(obj, name));
}

static void reply_throttled(struct http_req *req, int retry_after_s, const char *why)
{
	char retry[48];

	snprintf(retry, sizeof(retry), "Retry-After: %d\r\n", retry_after_s);
	http_reply_problem_headers(req, 429, "too_many_requests", NULL, retry,
				   "%s: try again in %d seconds", why, retry_after_s);
}

/* Counts a mail request of scope for key; replies 429 (or the error) and
 * returns false when it is over the limit. */
static bool allowed_or_reply(struct http_req *req, struct db_conn *db, const char *scope,
			     const char *key, int limit, const char *why)
{
	int rc, wait;

	if ((rc = recovery_store_allow(db, scope, key, limit, req->app->cfg->mail_requests_window_s,
				       &wait)) < 0) {
		http_reply_error(req, rc);
		return false;
	}
	if (wait > 0) {
		reply_throttled(req, wait, why);
		return false;
	}
	return true;
}

/* 202 and what it means: the mail, if any, is on its way. */
static void accepted_reply(struct http_req *req)
{
	json_t *body = json_pack("{s:s}", "status", "accepted");

	http_reply_json(req, 202, body);
	json_decref(body);
}

static void reply_token_invalid(struct http_req *req)
{
	http_reply_problem(req, 400, "token_invalid", NULL,
			   "this link is unknown, was used already or has expired: ask for a new one");
}

static const struct schema_field forgot_fields[] = {
	{"email", SCHEMA_STRING, .required = true, .max_bytes = 254},
};
static const struct schema forgot_schema = SCHEMA_OF(forgot_fields);

void recovery_forgot(struct http_req *req)
{
	const struct lms_config *cfg = req->app->cfg;
	char addr[NETADDR_TEXT_MAX], folded[512], uid[24];
	long long user_id = 0;
	struct db_conn *db;
	json_t *detail;
	int rc, wait = 0;

	if (!schema_body_or_reply(req, &forgot_schema, SCHEMA_CREATE))
		return;
	account_email_fold(str_field(req->json, "email"), folded, sizeof(folded));
	http_req_client_addr(req, addr, sizeof(addr));
	if (!(db = http_req_db_or_reply(req)) ||
	    !allowed_or_reply(req, db, "reset addr", addr, cfg->mail_requests_per_address,
			      "too many reset requests from this address") ||
	    !allowed_or_reply(req, db, "reset email", folded, cfg->mail_requests_per_email,
			      "too many reset requests for this e-mail address"))
		return;
	if ((rc = db_begin(db)) < 0)
		goto fail;
	rc = recovery_store_user_by_email(db, folded, &user_id);
	if (rc == LMS_ENOTFOUND) {
		/* The same answer as for an account: nobody learns who has one. */
		rc = 0;
		user_id = 0;
	}
	if (rc < 0)
		goto fail;
	if (user_id) {
		/* Mail to one account, however asked for (by address, by an
		 * admin): past its limit nothing is sent, and the answer is the
		 * same. */
		snprintf(uid, sizeof(uid), "%lld", user_id);
		if ((rc = recovery_store_allow(db, "mail account", uid, cfg->mail_requests_per_email,
					       cfg->mail_requests_window_s, &wait)) < 0 ||
		    (wait == 0 &&
		     (rc = recovery_store_issue(db, user_id, RECOVERY_RESET,
						cfg->password_reset_ttl_s)) < 0))
			goto fail;
		detail = json_pack("{s:b}", "mail_sent", wait == 0);
		rc = audit_record(req, &(struct audit_event){.action = "user.password_reset_request",
							     .target_type = "user",
							     .target_id = user_id,
							     .detail = detail});
		json_decref(detail);
		if (rc < 0)
			goto fail;
	}
	if ((rc = db_commit(db)) < 0)
		goto fail;
	accepted_reply(req);
	return;
fail:
	db_rollback(db);
	http_reply_error(req, rc);
}

static const struct schema_field reset_fields[] = {
	{"token", SCHEMA_STRING, .required = true, .max_bytes = TOKEN_MAX_BYTES},
	{"new_password", SCHEMA_STRING, .required = true, .max_bytes = 1024},
};
static const struct schema reset_schema = SCHEMA_OF(reset_fields);

void recovery_reset(struct http_req *req)
{
	const struct lms_config *cfg = req->app->cfg;
	struct auth_state *auth = req->app->state;
	char email[256], hash[PASSWORD_HASH_MAX];
	const json_t *pw;
	const char *token, *problem;
	long long user_id = 0, used_by = 0;
	json_t *errors = NULL;
	struct db_conn *db;
	bool changed;
	int rc;

	if (!schema_body_check_or_reply(req, &reset_schema, SCHEMA_CREATE, &errors))
		return;
	if (errors) {
		schema_reply_invalid(req, errors);
		return;
	}
	token = str_field(req->json, "token");
	pw = json_object_get(req->json, "new_password");
	if (!(db = http_req_db_or_reply(req)))
		return;
	rc = recovery_store_peek(db, RECOVERY_RESET, token, &user_id, email, sizeof(email));
	if (rc == LMS_ENOTFOUND) {
		reply_token_invalid(req);
		return;
	}
	if (rc < 0)
		goto fail;
	/* The registration policy, against the account's own address. */
	if ((problem = password_policy_check(auth->common_passwords, json_string_value(pw),
					     json_string_length(pw), email))) {
		http_json_error_add(&errors, "new_password", problem);
		schema_reply_invalid(req, errors);
		return;
	}
	if (!auth_hash_turn_or_reply(req))
		return;
	rc = password_hash(json_string_value(pw), json_string_length(pw),
			   cfg->password_hash_iterations, hash, sizeof(hash));
	gate_leave(auth->hash_gate);
	if (rc < 0)
		goto fail;
	if ((rc = db_begin(db)) < 0)
		goto fail;
	rc = recovery_store_consume(db, RECOVERY_RESET, token, &used_by);
	if (rc == LMS_ENOTFOUND || (rc == 0 && used_by != user_id)) {
		db_rollback(db);
		reply_token_invalid(req);
		return;
	}
	/* The mail reached its owner: the address is proved too. Every
	 * session ends, the thief's as well as the owner's. */
	if (rc < 0 || (rc = account_store_set_hash(db, user_id, hash)) < 0 ||
	    (rc = account_store_sessions_end(db, user_id, 0)) < 0 ||
	    (rc = recovery_store_verified(db, user_id, &changed)) < 0 ||
	    (rc = audit_record(req, &(struct audit_event){.action = "user.password_reset",
							  .target_type = "user",
							  .target_id = user_id,
							  .actor_user_id = user_id})) < 0 ||
	    (rc = db_commit(db)) < 0)
		goto fail;
	http_reply_start(req, 204, NULL, 0, NULL);
	return;
fail:
	db_rollback(db);
	http_reply_error(req, rc);
}

static const struct schema_field verify_fields[] = {
	{"token", SCHEMA_STRING, .required = true, .max_bytes = TOKEN_MAX_BYTES},
};
static const struct schema verify_schema = SCHEMA_OF(verify_fields);

void recovery_verify(struct http_req *req)
{
	long long user_id = 0;
	struct db_conn *db;
	json_t *body = NULL;
	bool changed = false;
	int rc;

	if (!schema_body_or_reply(req, &verify_schema, SCHEMA_CREATE) ||
	    !(db = http_req_db_or_reply(req)))
		return;
	if ((rc = db_begin(db)) < 0)
		goto fail;
	rc = recovery_store_consume(db, RECOVERY_VERIFY, str_field(req->json, "token"), &user_id);
	if (rc == LMS_ENOTFOUND) {
		db_rollback(db);
		reply_token_invalid(req);
		return;
	}
	if (rc < 0 || (rc = recovery_store_verified(db, user_id, &changed)) < 0)
		goto fail;
	body = json_pack("{s:b}", "email_verified", 1);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "user.email_verify",
						 .target_type = "user",
						 .target_id = user_id,
						 .actor_user_id = user_id},
			   200, body, NULL, NULL);
	json_decref(body);
	return;
fail:
	db_rollback(db);
	http_reply_error(req, rc);
}

/* Whether user_id's address is verified: 0 with *verified, or an lms_err. */
static int verified_get(struct db_conn *db, long long user_id, bool *verified)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_one_row(db, &res,
			     "SELECT email_verified_at IS NOT NULL FROM users WHERE id = $1", "l",
			     user_id)) < 0)
		return rc;
	*verified = db_bool(res, 0, 0);
	PQclear(res);
	return 0;
}

void recovery_verify_resend(struct http_req *req)
{
	const struct lms_config *cfg = req->app->cfg;
	char addr[NETADDR_TEXT_MAX], uid[24];
	struct db_conn *db;
	json_t *body;
	bool verified = false;
	int rc;

	if (!(db = http_req_db_or_reply(req)))
		return;
	if ((rc = verified_get(db, req->who.user_id, &verified)) < 0)
		goto fail;
	if (verified) {
		http_reply_problem(req, 409, "already_verified", NULL,
				   "this account's e-mail address is verified already");
		return;
	}
	http_req_client_addr(req, addr, sizeof(addr));
	snprintf(uid, sizeof(uid), "%lld", req->who.user_id);
	if (!allowed_or_reply(req, db, "verify addr", addr, cfg->mail_requests_per_address,
			      "too many verification mails asked from this address") ||
	    !allowed_or_reply(req, db, "mail account", uid, cfg->mail_requests_per_email,
			      "too many mails sent to this account lately"))
		return;
	if ((rc = db_begin(db)) < 0 ||
	    (rc = recovery_store_issue(db, req->who.user_id, RECOVERY_VERIFY,
				       cfg->email_verify_ttl_s)) < 0)
		goto fail;
	body = json_pack("{s:s}", "status", "accepted");
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "user.email_verify_request",
						 .target_type = "user",
						 .target_id = req->who.user_id},
			   202, body, NULL, NULL);
	json_decref(body);
	return;
fail:
	db_rollback(db);
	http_reply_error(req, rc);
}

void recovery_admin_reset(struct http_req *req)
{
	const struct lms_config *cfg = req->app->cfg;
	struct db_conn *db;
	json_t *body, *detail;
	long long user_id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &user_id) || !(db = http_req_db_or_reply(req)))
		return;
	if ((rc = db_begin(db)) < 0 ||
	    (rc = recovery_store_issue(db, user_id, RECOVERY_RESET, cfg->password_reset_ttl_s)) < 0)
		goto fail;
	body = json_pack("{s:s}", "status", "accepted");
	detail = json_pack("{s:s}", "by", "platform_admin");
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "user.password_reset_request",
						 .target_type = "user",
						 .target_id = user_id,
						 .detail = detail},
			   202, body, NULL, NULL);
	json_decref(body);
	json_decref(detail);
	return;
fail:
	db_rollback(db);
	http_reply_error(req, rc);
}
