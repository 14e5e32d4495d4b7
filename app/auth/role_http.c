/* role_http.c - handlers: granting and revoking roles */
#include "lms/auth/role_http.h"

#include <string.h>

#include "lms/auth/account_store.h"
#include "lms/auth/guard.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/service/audit.h"

static const struct schema_field role_fields[] = {
	{"user_id", SCHEMA_INT, .required = true},
	{"role", SCHEMA_STRING, .required = true, .max_bytes = 32},
	{"institution_id", SCHEMA_INT, .nullable = true},
};
static const struct schema role_schema = SCHEMA_OF(role_fields);

void roles_change(struct http_req *req)
{
	bool grant = strcmp(req->method, "POST") == 0, created = false;
	long long user_id, inst = 0;
	json_t *errors = NULL, *v, *body = NULL, *detail = NULL;
	enum role role = ROLE_LEARNER;
	struct db_conn *db;
	int rc;

	if (!schema_body_or_reply(req, &role_schema, SCHEMA_CREATE))
		return;
	user_id = json_integer_value(json_object_get(req->json, "user_id"));
	if ((v = json_object_get(req->json, "institution_id")) && json_is_integer(v))
		inst = json_integer_value(v);
	if (user_id <= 0)
		http_json_error_add(&errors, "user_id", "must be the id of a user");
	if (!role_parse(json_string_value(json_object_get(req->json, "role")), &role) ||
	    role == ROLE_LEARNER)
		http_json_error_add(&errors, "role",
				    "must be instructor, institution_admin or platform_admin "
				    "(every user is a learner)");
	else if (role == ROLE_PLATFORM_ADMIN && inst)
		http_json_error_add(&errors, "institution_id",
				    "must be absent: platform_admin spans every institution");
	else if (role != ROLE_PLATFORM_ADMIN && inst <= 0)
		http_json_error_add(&errors, "institution_id", "is required for this role");
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the role change has invalid fields");
		return;
	}
	if (!guard_require_or_reply(req, role == ROLE_PLATFORM_ADMIN ? GUARD_ADMINS_MANAGE
								     : GUARD_ROLES_MANAGE,
				    inst) ||
	    !(db = http_req_db_or_reply(req)))
		return;

	if ((rc = db_begin(db)) < 0)
		goto fail;
	rc = grant ? account_store_role_grant(db, user_id, role, inst, req->who.user_id, &created)
		   : account_store_role_revoke(db, user_id, role, inst);
	if (rc < 0)
		goto fail;
	detail = json_pack("{s:s}", "role", role_name(role));
	if ((grant ? created : true) &&
	    (rc = audit_record(req, &(struct audit_event){
					    .action = grant ? "role.grant" : "role.revoke",
					    .target_type = "user",
					    .target_id = user_id,
					    .institution_id = inst,
					    .detail = detail})) < 0)
		goto fail;
	if ((rc = db_commit(db)) < 0)
		goto fail;
	if (!grant) {
		http_reply_start(req, 204, NULL, 0, NULL);
		json_decref(detail);
		return;
	}
	body = json_pack("{s:I, s:s, s:o}", "user_id", (json_int_t)user_id, "role", role_name(role),
			 "institution_id", inst ? json_integer(inst) : json_null());
	http_reply_json(req, created ? 201 : 200, body);
	json_decref(body);
	json_decref(detail);
	return;
fail:
	db_rollback(db);
	if (rc == LMS_ENOTFOUND)
		http_reply_problem(req, 404, "not_found", NULL,
				   grant ? "no such user or institution"
					 : "the user does not hold this role");
	else if (rc == LMS_ECONFLICT)
		http_reply_problem(req, 409, "last_platform_admin", NULL,
				   "this is the last platform admin: grant the role to someone "
				   "else first");
	else
		http_reply_error(req, rc);
	json_decref(detail);
}
