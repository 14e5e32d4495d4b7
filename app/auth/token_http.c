/* token_http.c - handlers: an institution's API tokens */
#include "lms/auth/token_http.h"

#include <stdio.h>
#include <string.h>

#include "lms/auth/account_store.h"
#include "lms/auth/guard.h"
#include "lms/auth/token_store.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/service/audit.h"

#define TOKEN_DAYS_DEFAULT 90
#define TOKEN_DAYS_MAX 365

static schema_check_fn name_check, scopes_check;

static bool name_check(const struct schema_field *f, const json_t *v, char *msg, size_t len)
{
	return json_string_value(v)[0] || schema_refuse(msg, len, "must not be empty");
}

/* The scopes of the array v as bits; 0 when one is not a scope. */
static unsigned scope_bits(const json_t *v)
{
	unsigned bits = 0, bit;
	const json_t *s;
	size_t i;

	json_array_foreach(v, i, s) {
		if (!(bit = json_is_string(s) ? scope_parse(json_string_value(s)) : 0))
			return 0;
		bits |= bit;
	}
	return bits;
}

static bool scopes_check(const struct schema_field *f, const json_t *v, char *msg, size_t len)
{
	if (json_array_size(v) == 0)
		return schema_refuse(msg, len, "must name at least one scope");
	return scope_bits(v) ||
	       schema_refuse(msg, len, "each must be one of reports:read, audit:read, "
				       "metrics:read");
}

static const struct schema_field create_fields[] = {
	{"institution_id", SCHEMA_ID, .nullable = true,
	 .message = "must be the id of an institution"},
	{"name", SCHEMA_STRING, .required = true, .max_bytes = 100, .check = name_check},
	{"scopes", SCHEMA_ARRAY, .required = true, .check = scopes_check},
	{"expires_in_days", SCHEMA_INT, .nullable = true, .min = 1, .max = TOKEN_DAYS_MAX,
	 .message = "must be from 1 to 365"},
};
static const struct schema create_schema = SCHEMA_OF(create_fields);

void tokens_create(struct http_req *req)
{
	char secret[TOKEN_LEN + 1];
	json_t *row = NULL, *v;
	long long inst, days = TOKEN_DAYS_DEFAULT;
	const char *name;
	unsigned bits;
	struct db_conn *db;
	int rc;

	if (!schema_body_or_reply(req, &create_schema, SCHEMA_CREATE))
		goto out;
	name = json_string_value(json_object_get(req->json, "name"));
	bits = scope_bits(json_object_get(req->json, "scopes"));
	if ((v = json_object_get(req->json, "expires_in_days")) && json_is_integer(v))
		days = json_integer_value(v);
	v = json_object_get(req->json, "institution_id");
	if (!(inst = guard_institution_or_reply(req, json_is_integer(v) ? json_integer_value(v) : 0)))
		goto out;
	if (!guard_require_or_reply(req, GUARD_TOKENS_MANAGE, inst))
		goto out;
	/* A token can never do more than the person who makes it. */
	for (unsigned bit = 1; bit <= bits; bit <<= 1) {
		if ((bits & bit) &&
		    guard_decide(&req->who, guard_scope_action((enum scope)bit), inst) != GUARD_ALLOW) {
			http_reply_problem(req, 403, "forbidden", NULL,
					   "you may not grant the scope %s",
					   scope_name((enum scope)bit));
			goto out;
		}
	}
	if (!(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = account_store_institution_exists(db, inst)) == LMS_ENOTFOUND) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "institution_id", "message",
					     "no institution has this id"),
				   "the token request has invalid fields");
		goto out;
	}
	if (rc < 0 || (rc = db_begin(db)) < 0)
		goto fail;
	if ((rc = token_store_create(db, inst, name, bits, (int)days, req->who.user_id, secret,
				     &row)) < 0 ||
	    (rc = audit_record(req, &(struct audit_event){
					    .action = "token.create",
					    .target_type = "api_token",
					    .target_id = json_integer_value(json_object_get(row, "id")),
					    .institution_id = inst,
					    .detail = json_object_get(row, "scopes")})) < 0 ||
	    (rc = db_commit(db)) < 0) {
		db_rollback(db);
		goto fail;
	}
	json_object_set_new(row, "token", json_string(secret));
	http_reply_json(req, 201, row);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	json_decref(row);
}

void tokens_list(struct http_req *req)
{
	long long named, inst, cursor;
	json_t *items = NULL;
	struct db_conn *db;
	int limit, rc;

	if (!http_req_query_id_or_reply(req, "institution_id", &named) ||
	    !http_req_page_or_reply(req, &limit, &cursor))
		goto out;
	/* A platform admin who names none sees every institution's. */
	if (!named && principal_has_role(&req->who, ROLE_PLATFORM_ADMIN, 0))
		inst = 0;
	else if (!(inst = guard_institution_or_reply(req, named)))
		goto out;
	if (!guard_require_or_reply(req, GUARD_TOKENS_MANAGE, inst) ||
	    !(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = token_store_list(db, inst, cursor, limit, &items)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	http_reply_page(req, items, limit);
out:
	json_decref(items);
}

void tokens_revoke(struct http_req *req)
{
	long long id, inst;
	struct db_conn *db;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !(db = http_req_db_or_reply(req)))
		return;
	/* Another institution's token is, to this caller, no token at all. */
	if ((rc = token_store_institution(db, id, &inst)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	if (!guard_require_or_404(req, GUARD_TOKENS_MANAGE, inst))
		return;
	if ((rc = db_begin(db)) < 0 || (rc = token_store_revoke(db, id, req->who.user_id)) < 0 ||
	    (rc = audit_record(req, &(struct audit_event){.action = "token.revoke",
							  .target_type = "api_token",
							  .target_id = id,
							  .institution_id = inst})) < 0 ||
	    (rc = db_commit(db)) < 0) {
		db_rollback(db);
		http_reply_error(req, rc);
		return;
	}
	http_reply_start(req, 204, NULL, 0, NULL);
}
