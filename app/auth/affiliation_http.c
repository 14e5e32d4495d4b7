/* affiliation_http.c - handlers: institutions of every kind, their e-mail
 * domains, affiliation claims, the user directory */
#include "lms/auth/affiliation_http.h"

#include <stdio.h>
#include <string.h>

#include "lms/auth/account_store.h"
#include "lms/auth/affiliation_store.h"
#include "lms/auth/guard.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/service/audit.h"

static const char *const kinds[] = {"city",     "education_office", "science_museum",
				    "university", "graduate_school", "company",
				    "public_agency", NULL};

static schema_check_fn code_check;

static bool code_check(const struct schema_field *f, const json_t *v, char *msg, size_t len)
{
	const char *s = json_string_value(v);
	size_t n = strlen(s);

	if (n < 2 || n > 40)
		return schema_refuse(msg, len, "must be 2 to 40 characters");
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return schema_refuse(msg, len, "must be lower-case letters, digits and _");
	return true;
}

static const struct schema_field institution_fields[] = {
	{"code", SCHEMA_STRING, .required = true, .max_bytes = 40, .check = code_check},
	{"kind", SCHEMA_STRING, .required = true, .max_bytes = 40, .values = kinds,
	 .message = "must be one of city, education_office, science_museum, university, "
		    "graduate_school, company, public_agency"},
	{"name_ko", SCHEMA_STRING, .required = true, .min = 1, .max = 200},
	{"name_en", SCHEMA_STRING, .required = true, .min = 1, .max = 200},
	{"region", SCHEMA_STRING, .min = 1, .max = 40},
	{"is_partner", SCHEMA_BOOL, .required = false},
	{"is_regional_center", SCHEMA_BOOL, .required = false},
};
static const struct schema institution_schema = SCHEMA_OF(institution_fields);

static const struct schema_field domain_fields[] = {
	{"domain", SCHEMA_STRING, .required = true, .max_bytes = 253, .min = 3, .max = 253},
};
static const struct schema domain_schema = SCHEMA_OF(domain_fields);

static const char *const decisions[] = {"approved", "rejected", NULL};
static const struct schema_field decide_fields[] = {
	{"status", SCHEMA_STRING, .required = true, .max_bytes = 16, .values = decisions,
	 .message = "must be approved or rejected"},
	{"reason", SCHEMA_STRING, .min = 1, .max = 1000},
};
static const struct schema decide_schema = SCHEMA_OF(decide_fields);

static void reply_field(struct http_req *req, const char *field, const char *message)
{
	json_t *errors = NULL;

	http_json_error_add(&errors, field, message);
	schema_reply_invalid(req, errors);
}

void affiliation_institution_create(struct http_req *req)
{
	struct db_conn *db = NULL;
	json_t *out = NULL;
	char location[64];
	int rc;

	if (!schema_body_or_reply(req, &institution_schema, SCHEMA_CREATE) ||
	    !(db = http_req_db_or_reply(req)))
		return;
	if ((rc = db_begin(db)) < 0)
		goto fail;
	rc = affiliation_store_institution_create(db, req->json, &out);
	if (rc == LMS_ECONFLICT) {
		db_rollback(db);
		http_reply_problem(req, 409, "code_taken",
				   json_pack("[{s:s, s:s}]", "field", "code", "message",
					     "is the code of another institution"),
				   "an institution with this code exists");
		return;
	}
	if (rc < 0)
		goto fail;
	snprintf(location, sizeof(location), "/api/v1/institutions/%lld",
		 (long long)json_integer_value(json_object_get(out, "id")));
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "institution.create",
						 .target_type = "institution",
						 .target_id = json_integer_value(json_object_get(out, "id")),
						 .institution_id =
							 json_integer_value(json_object_get(out, "id")),
						 .detail = out},
			   201, out, NULL, location);
	json_decref(out);
	return;
fail:
	audit_change_failed(req, db, rc, "institution change");
}

/* The institution of the path, when the caller may manage its affiliation;
 * replies (404 for an unknown institution, 403) and returns 0 otherwise. */
static long long institution_or_reply(struct http_req *req, struct db_conn **db)
{
	long long id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) ||
	    !guard_require_or_reply(req, GUARD_AFFILIATION_MANAGE, id) ||
	    !(*db = http_req_db_or_reply(req)))
		return 0;
	if ((rc = account_store_institution_exists(*db, id)) < 0) {
		http_reply_error(req, rc);
		return 0;
	}
	return id;
}

void affiliation_domains_list(struct http_req *req)
{
	struct db_conn *db = NULL;
	json_t *items = NULL, *body;
	long long inst;
	int rc;

	if (!(inst = institution_or_reply(req, &db)))
		return;
	if ((rc = affiliation_store_domains(db, inst, &items)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	body = json_pack("{s:o}", "items", items);
	http_reply_json(req, 200, body);
	json_decref(body);
}

void affiliation_domain_add(struct http_req *req)
{
	struct db_conn *db = NULL;
	json_t *out = NULL;
	long long inst;
	int rc;

	if (!schema_body_or_reply(req, &domain_schema, SCHEMA_CREATE) ||
	    !(inst = institution_or_reply(req, &db)))
		return;
	if ((rc = db_begin(db)) < 0)
		goto fail;
	rc = affiliation_store_domain_add(db, inst,
					  json_string_value(json_object_get(req->json, "domain")),
					  req->who.user_id, &out);
	if (rc == LMS_ECONFLICT || rc == LMS_EINVAL) {
		db_rollback(db);
		if (rc == LMS_ECONFLICT)
			http_reply_problem(req, 409, "domain_taken", NULL,
					   "this domain is registered already");
		else
			reply_field(req, "domain",
				    "must be a domain name such as gist.ac.kr, and not a public "
				    "mail provider's");
		return;
	}
	if (rc < 0)
		goto fail;
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "institution.domain_add",
						 .target_type = "institution",
						 .target_id = inst,
						 .institution_id = inst,
						 .detail = out},
			   201, out, NULL, NULL);
	json_decref(out);
	return;
fail:
	audit_change_failed(req, db, rc, "domain change");
}

void affiliation_domain_remove(struct http_req *req)
{
	struct db_conn *db = NULL;
	const char *domain = req->nparams > 1 ? req->params[1] : "";
	json_t *detail = NULL;
	long long inst;
	int rc;

	if (!(inst = institution_or_reply(req, &db)))
		return;
	if ((rc = db_begin(db)) < 0)
		goto fail;
	if ((rc = affiliation_store_domain_remove(db, inst, domain)) < 0)
		goto fail;
	detail = json_pack("{s:s}", "domain", domain);
	rc = audit_record(req, &(struct audit_event){.action = "institution.domain_remove",
						     .target_type = "institution",
						     .target_id = inst,
						     .institution_id = inst,
						     .detail = detail});
	json_decref(detail);
	if (rc < 0 || (rc = db_commit(db)) < 0)
		goto fail;
	http_reply_start(req, 204, NULL, 0, NULL);
	return;
fail:
	audit_change_failed(req, db, rc, "domain change");
}

static const char *const claim_states[] = {"pending", "approved", "rejected", "withdrawn", NULL};

void affiliation_claims_list(struct http_req *req)
{
	static const struct schema_field status_field = {
		"status", SCHEMA_STRING, .values = claim_states,
		.message = "must be pending, approved, rejected or withdrawn"};
	struct db_conn *db = NULL;
	json_t *items = NULL, *v;
	char status[32], msg[128];
	long long inst, cursor;
	int limit, rc, n;

	if (!http_req_page_or_reply(req, &limit, &cursor))
		return;
	n = http_req_query(req, "status", status, sizeof(status));
	if (n >= 0) {
		v = json_string(status);
		if (!schema_value_ok(&status_field, v, msg, sizeof(msg))) {
			json_decref(v);
			reply_field(req, "status", msg);
			return;
		}
		json_decref(v);
	} else if (n == -2) {
		reply_field(req, "status", "must be pending, approved, rejected or withdrawn");
		return;
	}
	if (!(inst = institution_or_reply(req, &db)))
		return;
	if ((rc = affiliation_store_claims(db, inst, n >= 0 ? status : NULL, cursor, limit,
					   &items)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	http_reply_page(req, items, limit);
	json_decref(items);
}

void affiliation_claim_decide(struct http_req *req)
{
	struct db_conn *db = NULL;
	json_t *out = NULL, *detail = NULL;
	const char *status, *reason;
	long long id, inst;
	bool approve;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) ||
	    !schema_body_or_reply(req, &decide_schema, SCHEMA_CREATE))
		return;
	status = json_string_value(json_object_get(req->json, "status"));
	reason = json_string_value(json_object_get(req->json, "reason"));
	approve = strcmp(status, "approved") == 0;
	if (!approve && !reason) {
		reply_field(req, "reason", "is needed to reject a claim: the person is told it");
		return;
	}
	if (!(db = http_req_db_or_reply(req)))
		return;
	if ((rc = affiliation_store_claim_institution(db, id, &inst)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	/* Another institution's claim is, to this caller, no claim at all. */
	if (!guard_require_or_404(req, GUARD_AFFILIATION_MANAGE, inst))
		return;
	if ((rc = db_begin(db)) < 0)
		goto fail;
	rc = affiliation_store_claim_decide(db, id, req->who.user_id, approve, reason, &out);
	if (rc == LMS_ECONFLICT) {
		db_rollback(db);
		http_reply_problem(req, 409, "claim_decided", NULL,
				   "this claim is not pending: it was decided or withdrawn");
		return;
	}
	if (rc < 0)
		goto fail;
	detail = json_pack("{s:s, s:O}", "status", status, "user_id",
			   json_object_get(json_object_get(out, "user"), "id"));
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "affiliation.decide",
						 .target_type = "affiliation_claim",
						 .target_id = id,
						 .institution_id = inst,
						 .detail = detail},
			   200, out, NULL, NULL);
	json_decref(detail);
	json_decref(out);
	return;
fail:
	audit_change_failed(req, db, rc, "affiliation decision");
}

void affiliation_users(struct http_req *req)
{
	struct db_conn *db = NULL;
	long long named, inst, cursor;
	json_t *items = NULL;
	char q[256];
	int limit, rc, n;

	if (!http_req_query_id_or_reply(req, "institution_id", &named) ||
	    !http_req_page_or_reply(req, &limit, &cursor))
		return;
	if ((n = http_req_query(req, "q", q, sizeof(q))) == -2) {
		reply_field(req, "q", "must be at most 200 bytes of text");
		return;
	}
	if (n < 0)
		q[0] = '\0';
	/* A platform admin who names none sees everyone; an institution's
	 * admin, the people related to it. */
	if (!named && principal_has_role(&req->who, ROLE_PLATFORM_ADMIN, 0))
		inst = 0;
	else if (!(inst = guard_institution_or_reply(req, named)))
		return;
	if (!guard_require_or_reply(req, GUARD_USERS_READ, inst) ||
	    !(db = http_req_db_or_reply(req)))
		return;
	/* Looking people up is reading personal data: on the trail. */
	if ((rc = affiliation_store_users(db, inst, q, cursor, limit, &items)) == 0) {
		json_t *detail = json_pack("{s:s, s:I}", "q", q, "results",
					   (json_int_t)json_array_size(items));

		rc = audit_record(req, &(struct audit_event){.action = "user.search",
							     .institution_id = inst,
							     .detail = detail});
		json_decref(detail);
	}
	if (rc < 0) {
		http_reply_error(req, rc);
		json_decref(items);
		return;
	}
	http_reply_page(req, items, limit);
	json_decref(items);
}
