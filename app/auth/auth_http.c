/* auth_http.c - handlers: register, sign in, sign out, the current user */
#include "lms/auth/auth_http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lms/auth/account.h"
#include "lms/auth/account_store.h"
#include "lms/auth/password.h"
#include "lms/auth/privacy.h"
#include "lms/auth/profile_store.h"
#include "lms/auth/recovery_store.h"
#include "lms/auth/session_store.h"
#include "lms/auth/throttle_store.h"
#include "lms/core/err.h"
#include "lms/core/gate.h"
#include "lms/core/netaddr.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/http/server.h"
#include "lms/service/audit.h"

static const char *str_field(const json_t *obj, const char *name)
{
	return json_string_value(json_object_get(obj, name));
}

/* The sign-in state the API layer registered with the server. */
static struct auth_state *auth_state(const struct http_req *req)
{
	return req->app->state;
}

bool auth_hash_turn_or_reply(struct http_req *req)
{
	if (gate_enter(auth_state(req)->hash_gate, AUTH_HASH_WAIT_MS) == 0)
		return true;
	http_reply_problem(req, 503, "busy", NULL,
			   "too many sign-ins at once: try again in a moment");
	return false;
}

/* Replies 429 with Retry-After; why says what was exceeded ("too many
 * failed sign-ins"). */
static void reply_throttled(struct http_req *req, const char *code, int retry_after_s,
			    const char *why)
{
	char retry[48];

	snprintf(retry, sizeof(retry), "Retry-After: %d\r\n", retry_after_s);
	http_reply_problem_headers(req, 429, code, NULL, retry, "%s: try again in %d seconds", why,
				   retry_after_s);
}

/* Counts a registration against the client's address before the costly
 * hash, or replies 429 (or the error) when the address has had its share
 * of the window. Returns the attempt's id, or 0 after replying. */
static long long registration_turn_or_reply(struct http_req *req, struct db_conn *db)
{
	const struct lms_config *cfg = req->app->cfg;
	char addr[NETADDR_TEXT_MAX];
	long long id;
	int rc, retry_after_s;

	http_req_client_addr(req, addr, sizeof(addr));
	if ((rc = throttle_store_register(db, addr, cfg->register_per_address,
					  cfg->register_window_s, &id, &retry_after_s)) < 0) {
		http_reply_error(req, rc);
		return 0;
	}
	if (retry_after_s > 0) {
		reply_throttled(req, "too_many_registrations", retry_after_s,
				"too many registrations from this address");
		return 0;
	}
	return id;
}

/* The checks of the account rules, as schema checks. */
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

static const struct schema_field register_fields[] = {
	{"email", SCHEMA_STRING, .required = true, .max_bytes = 254, .check = email_check},
	{"password", SCHEMA_STRING, .required = true, .max_bytes = 1024},
	{"display_name", SCHEMA_STRING, .required = true, .max_bytes = 400,
	 .check = display_name_check},
	{"ladder_stage", SCHEMA_STRING, .required = true, .max_bytes = 32, .check = stage_check},
	{"affiliation_institution_id", SCHEMA_ID, .nullable = true,
	 .message = "must be the id of an institution"},
	{"locale", SCHEMA_STRING, .nullable = true, .max_bytes = 8, .values = locales,
	 .message = "must be ko or en"},
	/* Consent to the privacy notice of this version (privacy.h). */
	{"consent_version", SCHEMA_STRING, .max_bytes = 40},
	{"consent_required", SCHEMA_BOOL, .required = false},
	{"consent_optional", SCHEMA_ARRAY, .max = 10},
};
static const struct schema register_schema = SCHEMA_OF(register_fields);

/* Adds the password policy's verdict on the body's password to *errors,
 * unless the schema named it already: every bad field of a body is named,
 * once. */
static void password_policy_add(struct http_req *req, const char *field, const char *email,
				json_t **errors)
{
	const json_t *pw = json_object_get(req->json, field);
	const char *problem;

	if (!json_is_string(pw) || schema_errors_name(*errors, field))
		return;
	if ((problem = password_policy_check(auth_state(req)->common_passwords,
					     json_string_value(pw), json_string_length(pw), email)))
		http_json_error_add(errors, field, problem);
}

/* Adds to *errors what is wrong with the body's consent to the privacy
 * notice; false when the required item was not agreed to. */
static bool consent_check(struct http_req *req, json_t **errors)
{
	const json_t *version = json_object_get(req->json, "consent_version");
	const json_t *required = json_object_get(req->json, "consent_required");
	const json_t *optional = json_object_get(req->json, "consent_optional");
	char msg[200];
	size_t i;
	json_t *v;

	if (!schema_errors_name(*errors, "consent_version") &&
	    (!json_is_string(version) ||
	     strcmp(json_string_value(version), PRIVACY_NOTICE_VERSION) != 0)) {
		snprintf(msg, sizeof(msg), "must be the version of the privacy notice shown: %s",
			 PRIVACY_NOTICE_VERSION);
		http_json_error_add(errors, "consent_version", msg);
	}
	if (json_is_array(optional) && !schema_errors_name(*errors, "consent_optional"))
		json_array_foreach(optional, i, v) {
			if (!privacy_optional_item(json_string_value(v))) {
				snprintf(msg, sizeof(msg), "must list only optional items: %s",
					 privacy_optional_list());
				http_json_error_add(errors, "consent_optional", msg);
				break;
			}
		}
	if (json_is_true(required))
		return true;
	if (!schema_errors_name(*errors, "consent_required"))
		http_json_error_add(errors, "consent_required",
				    "must be true: the required items of the privacy notice "
				    "must be agreed to");
	return false;
}

void auth_register(struct http_req *req)
{
	const struct lms_config *cfg = req->app->cfg;
	struct account_new a = {.locale = "ko"};
	json_t *errors = NULL, *user = NULL, *v;
	char hash[PASSWORD_HASH_MAX], addr[NETADDR_TEXT_MAX];
	const char *pw;
	struct db_conn *db = NULL;
	long long attempt, claim_inst = 0, user_id;
	bool consent;
	size_t pwlen;
	int rc;

	if (!schema_body_check_or_reply(req, &register_schema, SCHEMA_CREATE, &errors))
		goto out;
	password_policy_add(req, "password", str_field(req->json, "email"), &errors);
	consent = consent_check(req, &errors);
	if (errors) {
		if (!consent)
			http_reply_problem(req, 400, "consent_required", errors,
					   "the required items of the privacy notice must be "
					   "agreed to");
		else
			http_reply_problem(req, 400, "validation_failed", errors,
					   "the registration has invalid fields");
		goto out;
	}
	a.email = str_field(req->json, "email");
	a.display_name = str_field(req->json, "display_name");
	a.ladder_stage = str_field(req->json, "ladder_stage");
	pw = str_field(req->json, "password");
	pwlen = json_string_length(json_object_get(req->json, "password"));
	if ((v = json_object_get(req->json, "affiliation_institution_id")) && json_is_integer(v))
		a.affiliation_institution_id = json_integer_value(v);
	if ((v = json_object_get(req->json, "locale")) && json_is_string(v))
		a.locale = json_string_value(v);
	if (!(db = http_req_db_or_reply(req)))
		goto out;
	if (a.affiliation_institution_id &&
	    (rc = account_store_institution_exists(db, a.affiliation_institution_id)) < 0)
		goto fail;

	if (!(attempt = registration_turn_or_reply(req, db)))
		goto out;
	if (!auth_hash_turn_or_reply(req)) {
		throttle_store_register_forget(db, attempt);
		goto out;
	}
	rc = password_hash(pw, pwlen, cfg->password_hash_iterations, hash, sizeof(hash));
	gate_leave(auth_state(req)->hash_gate);
	if (rc < 0)
		goto fail;
	a.password_hash = hash;

	/* The account, its consents, its affiliation claim and the mail that
	 * verifies its address come together:
	 * an affiliation given at sign-up is a claim, verified later (by the
	 * institution's e-mail domain or its admin). */
	claim_inst = a.affiliation_institution_id;
	a.affiliation_institution_id = 0;
	if ((rc = db_begin(db)) < 0 || (rc = account_store_create(db, &a, &user)) < 0)
		goto fail;
	user_id = json_integer_value(json_object_get(user, "id"));
	if ((rc = profile_store_consents_record(
		     db, user_id, PRIVACY_NOTICE_VERSION,
		     json_object_get(req->json, "consent_optional"),
		     http_req_client_addr(req, addr, sizeof(addr)))) < 0 ||
	    (claim_inst && (rc = profile_store_affiliation_claim(db, user_id, claim_inst)) < 0) ||
	    (rc = recovery_store_issue(db, user_id, RECOVERY_VERIFY, cfg->email_verify_ttl_s)) < 0 ||
	    (rc = audit_record(req, &(struct audit_event){.action = "user.register",
							  .target_type = "user",
							  .target_id = user_id,
							  .actor_user_id = user_id})) < 0 ||
	    (rc = db_commit(db)) < 0)
		goto fail;
	if (claim_inst)
		json_object_set_new(user, "affiliation_claim",
				    json_pack("{s:I, s:s}", "institution_id", (json_int_t)claim_inst,
					      "status", "pending"));
	http_reply_json(req, 201, user);
	goto out;
fail:
	if (db)
		db_rollback(db);
	if (rc == LMS_ECONFLICT)
		http_reply_problem(req, 409, "email_taken", NULL,
				   "an account with this email already exists");
	else if (rc == LMS_ENOTFOUND)
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "affiliation_institution_id",
					     "message", "no institution has this id"),
				   "the registration has invalid fields");
	else
		http_reply_error(req, rc);
out:
	json_decref(user);
}

static const struct schema_field login_fields[] = {
	{"email", SCHEMA_STRING, .required = true, .max_bytes = 1000},
	{"password", SCHEMA_STRING, .required = true, .max_bytes = 1024},
};
static const struct schema login_schema = SCHEMA_OF(login_fields);

/*
 * Records a failed attempt from addr in one transaction: the failure, its
 * address's penalty (*p), a lockout when this failure is the one that
 * reaches the account's limit, and the slowing down of the address when
 * it is the one that reaches the address's.
 */
static int attempt_failed(struct http_req *req, const char *email, long long user_id,
			  const char *addr, const struct throttle_attempt *t,
			  struct throttle_penalty *p)
{
	json_t *detail = json_pack("{s:s}", "email", email);
	struct db_conn *db = req->db;
	int rc;

	if ((rc = db_begin(db)) < 0 || (rc = throttle_store_failed(db, addr, t->id, p)) < 0)
		goto out;
	rc = audit_record(req, &(struct audit_event){.action = "auth.login_failed",
						     .target_type = user_id ? "user" : NULL,
						     .target_id = user_id,
						     .detail = detail});
	if (rc == 0 && t->account_failures + 1 == THROTTLE_ACCOUNT_FAILURES) {
		json_object_set_new(detail, "scope", json_string("account"));
		rc = audit_record(req, &(struct audit_event){.action = "auth.lockout",
							     .target_type = user_id ? "user" : NULL,
							     .target_id = user_id,
							     .detail = detail});
	}
	if (rc == 0 && p->address_failures == THROTTLE_ADDRESS_FAILURES) {
		json_object_set_new(detail, "scope", json_string("address"));
		rc = audit_record(req, &(struct audit_event){.action = "auth.throttle",
							     .detail = detail});
	}
	if (rc == 0)
		rc = db_commit(db);
out:
	if (rc < 0)
		db_rollback(db);
	json_decref(detail);
	return rc;
}

static void sleep_ms(int ms)
{
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/*
 * Serves the penalty of a failed attempt before its answer: the delay,
 * slept holding neither the database connection nor a hash turn (returns
 * true: the caller answers), or 429 at once when the address has too many
 * attempts in flight (returns false). Only failures are penalised, so the
 * correct password of an account is never held back by what others do
 * from its address.
 */
static bool penalty_served_or_reply(struct http_req *req, const struct throttle_penalty *p)
{
	if (p->retry_after_s > 0) {
		reply_throttled(req, "too_many_attempts", p->retry_after_s,
				"too many sign-in attempts from this address at once");
		return false;
	}
	if (p->delay_ms > 0) {
		http_req_db_release(req);
		sleep_ms(p->delay_ms);
	}
	return true;
}

void auth_login(struct http_req *req)
{
	const struct lms_config *cfg = req->app->cfg;
	const char *email, *pw;
	char folded[1024], stored[PASSWORD_HASH_MAX], fresh[PASSWORD_HASH_MAX];
	char token[SECRET_B64_LEN + 1], csrf[SECRET_B64_LEN + 1], cookie[256];
	char addr[NETADDR_TEXT_MAX];
	struct throttle_penalty p;
	struct throttle_attempt t;
	json_t *user = NULL, *body = NULL;
	long long user_id = 0;
	bool match = false;
	struct db_conn *db;
	size_t pwlen;
	int rc;

	if (!schema_body_or_reply(req, &login_schema, SCHEMA_CREATE))
		goto out;
	email = str_field(req->json, "email");
	pw = str_field(req->json, "password");
	pwlen = json_string_length(json_object_get(req->json, "password"));
	account_email_fold(email, folded, sizeof(folded));
	http_req_client_addr(req, addr, sizeof(addr));
	if (!(db = http_req_db_or_reply(req)))
		goto out;

	if ((rc = throttle_store_begin(db, folded, addr, &t)) < 0)
		goto fail;
	if (t.retry_after_s > 0) {
		reply_throttled(req, "too_many_attempts", t.retry_after_s, "too many failed sign-ins");
		goto out;
	}
	if (!auth_hash_turn_or_reply(req)) {
		throttle_store_forget(db, t.id);
		goto out;
	}
	/* An unknown email costs one hash at the same cost as a known one, and
	 * gets the same answer: neither time nor text tells them apart. */
	rc = account_store_credentials(db, email, &user_id, stored, sizeof(stored));
	if (rc == LMS_ENOTFOUND) {
		password_verify(pw, pwlen, auth_state(req)->dummy_hash, &match, NULL);
		match = false;
		rc = 0;
	} else if (rc == 0 && password_verify(pw, pwlen, stored, &match, NULL) < 0) {
		match = false;
	}
	/* The configured cost rose since this hash was made: upgrade it now,
	 * while the password is at hand. */
	if (rc == 0 && match && password_needs_rehash(stored, cfg->password_hash_iterations) &&
	    password_hash(pw, pwlen, cfg->password_hash_iterations, fresh, sizeof(fresh)) == 0)
		rc = account_store_set_hash(db, user_id, fresh);
	gate_leave(auth_state(req)->hash_gate);
	if (rc < 0)
		goto fail;

	if (!match) {
		if ((rc = attempt_failed(req, email, user_id, addr, &t, &p)) < 0)
			goto fail;
		if (penalty_served_or_reply(req, &p))
			http_reply_problem(req, 401, "unauthenticated", NULL,
					   "the email or password is not correct");
		goto out;
	}
	if ((rc = throttle_store_succeeded(db, t.id)) < 0 ||
	    (rc = session_store_create(db, user_id, cfg->session_lifetime_s, addr,
				       http_req_header(req, "User-Agent"), token)) < 0 ||
	    (rc = account_store_get(db, user_id, &user)) < 0 ||
	    (rc = audit_record(req, &(struct audit_event){.action = "auth.login",
							  .target_type = "user",
							  .target_id = user_id,
							  .actor_user_id = user_id})) < 0)
		goto fail;
	session_csrf_token(token, csrf);
	snprintf(cookie, sizeof(cookie), "Set-Cookie: %s=%s; Max-Age=%d; %s\r\n", SESSION_COOKIE,
		 token, cfg->session_lifetime_s, SESSION_COOKIE_ATTRS);
	body = json_pack("{s:O, s:s}", "user", user, "csrf_token", csrf);
	if (!body) {
		rc = LMS_ENOMEM;
		goto fail;
	}
	http_reply_json_headers(req, 200, body, cookie);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	json_decref(body);
	json_decref(user);
}

void auth_logout(struct http_req *req)
{
	struct db_conn *db;
	int rc;

	if (!(db = http_req_db_or_reply(req)))
		return;
	if ((rc = session_store_delete(db, req->who.session_id)) < 0 ||
	    (rc = audit_record(req, &(struct audit_event){.action = "auth.logout",
							  .target_type = "user",
							  .target_id = req->who.user_id})) < 0) {
		http_reply_error(req, rc);
		return;
	}
	http_reply_start(req, 204, NULL, 0, SESSION_COOKIE_CLEAR);
}

void auth_me(struct http_req *req)
{
	json_t *user = NULL;
	struct db_conn *db;
	int rc;

	if (!(db = http_req_db_or_reply(req)))
		return;
	if ((rc = account_store_get(db, req->who.user_id, &user)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	json_object_set_new(user, "csrf_token", json_string(req->who.csrf_token));
	http_reply_json(req, 200, user);
	json_decref(user);
}

static const struct schema_field password_fields[] = {
	{"current_password", SCHEMA_STRING, .required = true, .max_bytes = 1024},
	{"new_password", SCHEMA_STRING, .required = true, .max_bytes = 1024},
};
static const struct schema password_schema = SCHEMA_OF(password_fields);

bool auth_password_confirm_or_reply(struct http_req *req, const char *field)
{
	const json_t *v = json_object_get(req->json, field);
	char email[256], folded[256], stored[PASSWORD_HASH_MAX], addr[NETADDR_TEXT_MAX];
	struct throttle_penalty p;
	struct throttle_attempt t;
	struct db_conn *db;
	bool match = false;
	int rc;

	if (!(db = http_req_db_or_reply(req)))
		return false;
	if ((rc = account_store_secret(db, req->who.user_id, email, sizeof(email), stored,
				       sizeof(stored))) < 0)
		goto fail;
	account_email_fold(email, folded, sizeof(folded));
	http_req_client_addr(req, addr, sizeof(addr));
	if ((rc = throttle_store_begin(db, folded, addr, &t)) < 0)
		goto fail;
	if (t.retry_after_s > 0) {
		reply_throttled(req, "too_many_attempts", t.retry_after_s, "too many failed attempts");
		return false;
	}
	if (!auth_hash_turn_or_reply(req)) {
		throttle_store_forget(db, t.id);
		return false;
	}
	if (json_is_string(v) && password_verify(json_string_value(v), json_string_length(v),
						 stored, &match, NULL) < 0)
		match = false;
	gate_leave(auth_state(req)->hash_gate);
	if (match) {
		if ((rc = throttle_store_succeeded(db, t.id)) < 0)
			goto fail;
		return true;
	}
	if ((rc = attempt_failed(req, email, req->who.user_id, addr, &t, &p)) < 0)
		goto fail;
	if (penalty_served_or_reply(req, &p))
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", field, "message",
					     "is not correct"),
				   "the password is not correct");
	return false;
fail:
	http_reply_error(req, rc);
	return false;
}

void auth_password_change(struct http_req *req)
{
	const struct lms_config *cfg = req->app->cfg;
	const char *current, *fresh;
	json_t *errors = NULL;
	char email[256], folded[256], stored[PASSWORD_HASH_MAX], hash[PASSWORD_HASH_MAX];
	char addr[NETADDR_TEXT_MAX];
	size_t curlen, freshlen;
	struct throttle_penalty p;
	struct throttle_attempt t;
	struct db_conn *db;
	bool match = false;
	int rc;

	if (!schema_body_check_or_reply(req, &password_schema, SCHEMA_CREATE, &errors))
		return;
	/* The policy compares the new password with the account's email. */
	if (!(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = account_store_secret(db, req->who.user_id, email, sizeof(email), stored,
				       sizeof(stored))) < 0)
		goto fail;
	password_policy_add(req, "new_password", email, &errors);
	if (errors) {
		schema_reply_invalid(req, errors);
		return;
	}
	current = str_field(req->json, "current_password");
	fresh = str_field(req->json, "new_password");
	curlen = json_string_length(json_object_get(req->json, "current_password"));
	freshlen = json_string_length(json_object_get(req->json, "new_password"));
	account_email_fold(email, folded, sizeof(folded));
	http_req_client_addr(req, addr, sizeof(addr));
	if ((rc = throttle_store_begin(db, folded, addr, &t)) < 0)
		goto fail;
	if (t.retry_after_s > 0) {
		reply_throttled(req, "too_many_attempts", t.retry_after_s, "too many failed attempts");
		return;
	}
	if (!auth_hash_turn_or_reply(req)) {
		throttle_store_forget(db, t.id);
		return;
	}
	if (password_verify(current, curlen, stored, &match, NULL) < 0)
		match = false;
	rc = match ? password_hash(fresh, freshlen, cfg->password_hash_iterations, hash,
				   sizeof(hash))
		   : 0;
	gate_leave(auth_state(req)->hash_gate);
	if (rc < 0)
		goto fail;
	if (!match) {
		if ((rc = attempt_failed(req, email, req->who.user_id, addr, &t, &p)) < 0)
			goto fail;
		if (!penalty_served_or_reply(req, &p))
			return;
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "current_password", "message",
					     "is not correct"),
				   "the current password is not correct");
		return;
	}
	if ((rc = db_begin(db)) < 0 || (rc = throttle_store_succeeded(db, t.id)) < 0 ||
	    (rc = account_store_set_hash(db, req->who.user_id, hash)) < 0 ||
	    (rc = account_store_sessions_end(db, req->who.user_id, req->who.session_id)) < 0 ||
	    (rc = audit_record(req, &(struct audit_event){.action = "user.password_change",
							  .target_type = "user",
							  .target_id = req->who.user_id})) < 0 ||
	    (rc = db_commit(db)) < 0) {
		db_rollback(db);
		goto fail;
	}
	http_reply_start(req, 204, NULL, 0, NULL);
	return;
fail:
	http_reply_error(req, rc);
out:
	json_decref(errors);
}
