/* faculty_http.c - handlers: instructor profiles, the directory, sharing, facilities */
#include "lms/schedule/faculty_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/account_store.h"
#include "lms/auth/guard.h"
#include "lms/catalog/catalog_rules.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/schedule/faculty_store.h"
#include "lms/schedule/invitation_http.h"
#include "lms/service/audit.h"

/* Answers differ by language. */
#define LANG_HEADERS "Vary: Accept-Language\r\n"

/* ---- what each body may hold ---- */

/* An instructor: who and where on creation; the profile then changes. */
static const struct schema_field instructor_fields[] = {
	{"user_id", SCHEMA_ID, .required = true, .use = SCHEMA_CREATE_ONLY,
	 .message = "must be the id of a user"},
	{"institution_id", SCHEMA_ID, .nullable = true, .use = SCHEMA_CREATE_ONLY,
	 .message = "must be the id of an institution"},
	{"expertise", SCHEMA_ARRAY, .min = 1, .max = 40, .check = catalog_rules_tags_check},
	{"bio_ko", SCHEMA_STRING, .max = 4000},
	{"bio_en", SCHEMA_STRING, .max = 4000},
};

static const struct schema_field share_fields[] = {
	{"institution_id", SCHEMA_ID, .required = true,
	 .message = "must be the id of an institution"},
};

static const char *const facility_kinds[] = {"classroom", "lab", "auditorium", "studio", NULL};
/* A change names any of them but the owner. */
static const struct schema_field facility_fields[] = {
	{"institution_id", SCHEMA_ID, .nullable = true, .use = SCHEMA_CREATE_ONLY,
	 .message = "must be the id of an institution"},
	{"name_ko", SCHEMA_STRING, .required = true, .min = 1, .max = 200},
	{"name_en", SCHEMA_STRING, .required = true, .min = 1, .max = 200},
	{"kind", SCHEMA_STRING, .required = true, .max_bytes = 32, .values = facility_kinds},
	{"capacity", SCHEMA_INT, .required = true, .min = 1, .max = 5000},
	{"location", SCHEMA_STRING, .max = 200},
	{"lent_to", SCHEMA_IDS, .max = 50},
};

static const struct schema instructor_schema = SCHEMA_OF(instructor_fields);
static const struct schema share_schema = SCHEMA_OF(share_fields);
static const struct schema facility_schema = SCHEMA_OF(facility_fields);

/* ---- shared steps ---- */

/* Replies 400 naming one bad field. */
static void reply_field(struct http_req *req, const char *field, const char *message)
{
	json_t *errors = NULL;

	http_json_error_add(&errors, field, message);
	schema_reply_invalid(req, errors);
}

/*
 * The institution the body's optional institution_id (an id, as its schema
 * checked) names, or the one the caller administers. Returns 0 after
 * replying when it cannot be told.
 */
static long long institution_or_reply(struct http_req *req)
{
	json_t *v = json_object_get(req->json, "institution_id");

	return guard_institution_or_reply(req, json_is_integer(v) ? json_integer_value(v) : 0);
}

/* Whether institution id exists; replies 400 naming field (or the error)
 * and returns false otherwise. */
static bool institution_known_or_reply(struct http_req *req, struct db_conn *db, long long id,
				       const char *field)
{
	int rc = account_store_institution_exists(db, id);

	if (rc == LMS_ENOTFOUND)
		reply_field(req, field, "no institution has this id");
	else if (rc < 0)
		http_reply_error(req, rc);
	return rc == 0;
}

/* Ends the update of target id (of type, at institution inst): audits the
 * names of the fields the body set, commits and replies 200 with out
 * (borrowed). */
static void update_done(struct http_req *req, struct db_conn *db, const char *action,
			const char *type, long long id, long long inst, const json_t *out)
{
	json_t *detail = audit_fields_named(req->json);

	audit_commit_reply(req, db,
			   &(struct audit_event){.action = action,
						 .target_type = type,
						 .target_id = id,
						 .institution_id = inst,
						 .detail = detail},
			   200, out, LANG_HEADERS, NULL);
	json_decref(detail);
}

/* Replies a page of items (borrowed) in the request's language. */
static void reply_page(struct http_req *req, const json_t *items, int limit)
{
	json_t *page = http_page_body(items, limit);

	if (!page) {
		http_reply_error(req, LMS_ENOMEM);
		return;
	}
	http_reply_json_headers(req, 200, page, LANG_HEADERS);
	json_decref(page);
}

/* ---- instructors ---- */

void faculty_instructor_create(struct http_req *req)
{
	json_t *profile = NULL, *detail = NULL;
	struct db_conn *db = NULL;
	long long user_id, inst;
	char location[64];
	bool granted;
	int rc;

	if (!schema_body_or_reply(req, &instructor_schema, SCHEMA_CREATE))
		goto out;
	user_id = json_integer_value(json_object_get(req->json, "user_id"));
	if (!(inst = institution_or_reply(req)) ||
	    !guard_require_or_reply(req, GUARD_FACULTY_MANAGE, inst) ||
	    !(db = http_req_db_or_reply(req)) ||
	    !institution_known_or_reply(req, db, inst, "institution_id"))
		goto out;
	/* Someone else's staff is asked, not taken. */
	if (invitation_instead_or_reply(req, db, user_id, inst))
		goto out;

	/* The profile and the role come together, or neither does. */
	if ((rc = db_begin(db)) < 0)
		goto fail;
	rc = faculty_store_instructor_create(db, user_id, inst, req->json);
	if (rc == LMS_ECONFLICT) {
		db_rollback(db);
		http_reply_problem(req, 409, "already_instructor",
				   json_pack("[{s:s, s:s}]", "field", "user_id", "message",
					     "is an instructor already; the home institution of a "
					     "profile does not change"),
				   "this user is an instructor already");
		goto out;
	}
	if (rc == LMS_ENOTFOUND) {
		db_rollback(db);
		http_reply_problem(req, 404, "not_found", NULL, "no user has this id");
		goto out;
	}
	if (rc < 0 || (rc = account_store_role_grant(db, user_id, ROLE_INSTRUCTOR, inst,
						     req->who.user_id, &granted)) < 0)
		goto fail;
	detail = json_pack("{s:s}", "role", role_name(ROLE_INSTRUCTOR));
	if (granted && (rc = audit_record(req, &(struct audit_event){.action = "role.grant",
								     .target_type = "user",
								     .target_id = user_id,
								     .institution_id = inst,
								     .detail = detail})) < 0)
		goto fail;
	if ((rc = faculty_store_instructor_get(db, user_id, http_req_lang(req), &profile)) < 0)
		goto fail;
	snprintf(location, sizeof(location), "/api/v1/instructors/%lld", user_id);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "instructor.create",
						 .target_type = "user",
						 .target_id = user_id,
						 .institution_id = inst},
			   201, profile, LANG_HEADERS, location);
	goto out;
fail:
	audit_change_failed(req, db, rc, "change");
out:
	json_decref(detail);
	json_decref(profile);
}

void faculty_instructor_update(struct http_req *req)
{
	json_t *profile = NULL;
	struct db_conn *db = NULL;
	long long id, home;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) ||
	    !schema_body_or_reply(req, &instructor_schema, SCHEMA_CHANGE) ||
	    !(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = db_begin(db)) < 0 ||
	    (rc = faculty_store_instructor_home(db, id, false, &home)) < 0)
		goto fail;
	/* The profile is public: others are told 403, not 404. */
	if (!guard_require_target_or_reply(
		    req, GUARD_PROFILE_EDIT,
		    &(struct guard_target){.institution_id = home,
					   .own = req->who.kind == PRINCIPAL_USER &&
						  req->who.user_id == id})) {
		db_rollback(db);
		goto out;
	}
	if ((rc = faculty_store_instructor_update(db, id, req->json)) < 0 ||
	    (rc = faculty_store_instructor_get(db, id, http_req_lang(req), &profile)) < 0)
		goto fail;
	update_done(req, db, "instructor.update", "user", id, home, profile);
	goto out;
fail:
	audit_change_failed(req, db, rc, "change");
out:
	json_decref(profile);
}

void faculty_instructor_list(struct http_req *req)
{
	struct faculty_filter f = {0};
	char expertise[161], q[101], shared[8];
	json_t *errors = NULL, *items = NULL;
	struct db_conn *db;
	int rc;

	if (!http_req_query_id_or_reply(req, "institution_id", &f.institution_id) ||
	    !http_req_page_or_reply(req, &f.limit, &f.after_id))
		return;
	if ((rc = http_req_query(req, "expertise", expertise, sizeof(expertise))) == -2 ||
	    rc == 0)
		http_json_error_add(&errors, "expertise", "must be a tag of 1 to 40 characters");
	else if (rc > 0)
		f.expertise = expertise;
	if ((rc = http_req_query(req, "q", q, sizeof(q))) == -2)
		http_json_error_add(&errors, "q", "must be at most 100 bytes of text");
	else if (rc > 0)
		f.q = q;
	if (http_req_query(req, "shared", shared, sizeof(shared)) != -1) {
		if (strcmp(shared, "true") && strcmp(shared, "false") && strcmp(shared, "1") &&
		    strcmp(shared, "0"))
			http_json_error_add(&errors, "shared", "must be true or false");
		else if ((f.shared = !strcmp(shared, "true") || !strcmp(shared, "1")) &&
			 !f.institution_id)
			http_json_error_add(&errors, "shared", "needs institution_id");
	}
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the directory query has invalid parameters");
		return;
	}
	f.lang = http_req_lang(req);
	if (!(db = http_req_db_or_reply(req)))
		return;
	if ((rc = faculty_store_instructor_list(db, &f, &items)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	reply_page(req, items, f.limit);
	json_decref(items);
}

void faculty_instructor_show(struct http_req *req)
{
	json_t *profile = NULL;
	struct db_conn *db;
	long long id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !(db = http_req_db_or_reply(req)))
		return;
	if ((rc = faculty_store_instructor_get(db, id, http_req_lang(req), &profile)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	http_reply_json_headers(req, 200, profile, LANG_HEADERS);
	json_decref(profile);
}

/* ---- sharing ---- */

/*
 * Begins a change of instructor id's shares (lock: the profile is locked
 * against scheduling, see faculty_store_can_teach) and checks that the
 * caller administers the home institution (*home). Replies 404 / 403 and
 * returns false otherwise.
 */
static bool begin_home_or_reply(struct http_req *req, struct db_conn *db, long long id,
				bool lock, long long *home)
{
	int rc;

	if ((rc = db_begin(db)) < 0 || (rc = faculty_store_instructor_home(db, id, lock, home)) < 0) {
		audit_change_failed(req, db, rc, "change");
		return false;
	}
	if (!guard_require_or_reply(req, GUARD_FACULTY_MANAGE, *home)) {
		db_rollback(db);
		return false;
	}
	return true;
}

void faculty_share_create(struct http_req *req)
{
	json_t *share = NULL, *detail = NULL;
	struct db_conn *db = NULL;
	long long id, home, inst;
	bool created;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) ||
	    !schema_body_or_reply(req, &share_schema, SCHEMA_CREATE) ||
	    !(db = http_req_db_or_reply(req)) || !begin_home_or_reply(req, db, id, false, &home))
		goto out;
	inst = json_integer_value(json_object_get(req->json, "institution_id"));
	if (inst == home) {
		db_rollback(db);
		reply_field(req, "institution_id",
			    "is the instructor's home institution: share with a partner");
		goto out;
	}
	if (!institution_known_or_reply(req, db, inst, "institution_id")) {
		db_rollback(db);
		goto out;
	}
	if ((rc = faculty_store_share_add(db, id, inst, req->who.user_id, &created)) < 0)
		goto fail;
	share = json_pack("{s:I, s:I, s:b}", "instructor_id", (json_int_t)id, "institution_id",
			  (json_int_t)inst, "created", created);
	if (!created) {
		db_rollback(db);
		http_reply_json(req, 200, share);
		goto out;
	}
	detail = json_pack("{s:I}", "institution_id", (json_int_t)inst);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "instructor.share",
						 .target_type = "user",
						 .target_id = id,
						 .institution_id = home,
						 .detail = detail},
			   201, share, LANG_HEADERS, NULL);
	goto out;
fail:
	audit_change_failed(req, db, rc, "change");
out:
	json_decref(detail);
	json_decref(share);
}

void faculty_share_delete(struct http_req *req)
{
	json_t *detail = NULL;
	struct db_conn *db = NULL;
	long long id, home, inst;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !http_req_param_id_or_reply(req, 1, &inst) ||
	    !(db = http_req_db_or_reply(req)) || !begin_home_or_reply(req, db, id, true, &home))
		goto out;
	/* Sessions already scheduled with the partner stay; it can schedule
	 * no new ones. */
	if ((rc = faculty_store_share_remove(db, id, inst)) < 0)
		goto fail;
	detail = json_pack("{s:I}", "institution_id", (json_int_t)inst);
	if ((rc = audit_record(req, &(struct audit_event){.action = "instructor.unshare",
							  .target_type = "user",
							  .target_id = id,
							  .institution_id = home,
							  .detail = detail})) < 0 ||
	    (rc = db_commit(db)) < 0)
		goto fail;
	http_reply_start(req, 204, NULL, 0, NULL);
	goto out;
fail:
	audit_change_failed(req, db, rc, "change");
out:
	json_decref(detail);
}

/* ---- facilities ---- */

/*
 * Checks the body's lent_to, if any, as the borrowers of a facility of
 * owner. Replies (400 naming it, or the error), rolls back and returns false
 * when they are not all existing institutions other than owner.
 */
static bool loans_ok_or_reply(struct http_req *req, struct db_conn *db, long long owner)
{
	json_t *ids = json_object_get(req->json, "lent_to");
	char *why = NULL;
	bool ok;
	int rc;

	if (!ids)
		return true;
	if ((rc = faculty_store_loans_check(db, owner, ids, &why)) < 0)
		audit_change_failed(req, db, rc, "change");
	else if (why) {
		db_rollback(db);
		reply_field(req, "lent_to", why);
	}
	ok = rc == 0 && !why;
	free(why);
	return ok;
}

/* Ends a change whose Korean name the owner uses for another room. */
static void name_taken(struct http_req *req, struct db_conn *db)
{
	db_rollback(db);
	http_reply_problem(req, 409, "facility_name_taken",
			   json_pack("[{s:s, s:s}]", "field", "name_ko", "message",
				     "the institution has a facility with this name"),
			   "the institution has a facility with this name");
}

/* Sets the body's lent_to, if any, and reads the facility back into *out. */
static int loans_and_facility(struct http_req *req, struct db_conn *db, long long id,
			      json_t **out)
{
	json_t *ids = json_object_get(req->json, "lent_to");
	int rc;

	if (ids && (rc = faculty_store_loans_set(db, id, ids)) < 0)
		return rc;
	return faculty_store_facility_get(db, id, http_req_lang(req), out);
}

void faculty_facility_create(struct http_req *req)
{
	json_t *facility = NULL;
	struct db_conn *db = NULL;
	long long inst, id;
	int rc;

	if (!schema_body_or_reply(req, &facility_schema, SCHEMA_CREATE) ||
	    !(inst = institution_or_reply(req)) ||
	    !guard_require_or_reply(req, GUARD_FACULTY_MANAGE, inst) ||
	    !(db = http_req_db_or_reply(req)) ||
	    !institution_known_or_reply(req, db, inst, "institution_id"))
		goto out;
	if ((rc = db_begin(db)) < 0)
		goto fail;
	if (!loans_ok_or_reply(req, db, inst))
		goto out;
	if ((rc = faculty_store_facility_create(db, inst, req->json, &id)) == LMS_ECONFLICT) {
		name_taken(req, db);
		goto out;
	}
	if (rc < 0 || (rc = loans_and_facility(req, db, id, &facility)) < 0)
		goto fail;
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "facility.create",
						 .target_type = "facility",
						 .target_id = id,
						 .institution_id = inst,
						 .detail = json_object_get(facility, "lent_to")},
			   201, facility, LANG_HEADERS, NULL);
	goto out;
fail:
	audit_change_failed(req, db, rc, "change");
out:
	json_decref(facility);
}

void faculty_facility_update(struct http_req *req)
{
	json_t *facility = NULL;
	struct db_conn *db = NULL;
	long long id, owner;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) ||
	    !schema_body_or_reply(req, &facility_schema, SCHEMA_CHANGE) ||
	    !(db = http_req_db_or_reply(req)))
		goto out;
	/* Locked: a new loan list and a booking that relies on the old one
	 * go one after the other (see faculty_store_facility_usable). */
	if ((rc = db_begin(db)) < 0 ||
	    (rc = faculty_store_facility_owner(db, id, true, &owner)) < 0)
		goto fail;
	/* Facilities are listed to anyone signed in: others are told 403. */
	if (!guard_require_or_reply(req, GUARD_FACULTY_MANAGE, owner)) {
		db_rollback(db);
		goto out;
	}
	if (!loans_ok_or_reply(req, db, owner))
		goto out;
	if ((rc = faculty_store_facility_update(db, id, req->json)) == LMS_ECONFLICT) {
		name_taken(req, db);
		goto out;
	}
	if (rc < 0 || (rc = loans_and_facility(req, db, id, &facility)) < 0)
		goto fail;
	update_done(req, db, "facility.update", "facility", id, owner, facility);
	goto out;
fail:
	audit_change_failed(req, db, rc, "change");
out:
	json_decref(facility);
}

void faculty_facility_list(struct http_req *req)
{
	long long owner, usable_by, after;
	json_t *items = NULL;
	struct db_conn *db;
	int limit, rc;

	if (!http_req_query_id_or_reply(req, "institution_id", &owner) ||
	    !http_req_query_id_or_reply(req, "usable_by", &usable_by) ||
	    !http_req_page_or_reply(req, &limit, &after) || !(db = http_req_db_or_reply(req)))
		return;
	if ((rc = faculty_store_facility_list(db, owner, usable_by, after, limit,
					      http_req_lang(req), &items)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	reply_page(req, items, limit);
	json_decref(items);
}
