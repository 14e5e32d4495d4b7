/* admin_http.c - handlers: institution admins publish courses, sections, modules, lessons;
 * the course's instructors write its modules and lessons too */
#include "lms/catalog/admin_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/account_store.h"
#include "lms/auth/guard.h"
#include "lms/catalog/admin_store.h"
#include "lms/catalog/catalog_rules.h"
#include "lms/catalog/catalog_store.h"
#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/service/audit.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- what each body may hold ---- */

static const char *const programs[] = {
	"ai_academy", "ai_do_dream", "corporate_university", "science_academy", "university_track",
	"graduate_school", "online", "startup_support", "regional_center", NULL};
static const char *const deliveries[] = {"online", "offline", "blended", NULL};
static const char *const levels[] = {"beginner", "intermediate", "advanced", NULL};
static const char *const statuses[] = {"draft", "open", "closed", "cancelled", NULL};
static const char *const kinds[] = {"text", "video", "link", "file", "quiz", "assignment", NULL};

/* Strings are bounded in characters (and so in bytes, four a character);
 * codes, terms and tags have checks of their own (catalog_rules.h). */
static const struct schema_field course_fields[] = {
	{"program", SCHEMA_STRING, .required = true, .max_bytes = 64, .values = programs},
	{"institution_id", SCHEMA_ID, .nullable = true,
	 .message = "must be the id of an institution"},
	{"code", SCHEMA_STRING, .required = true, .min = 1, .max = 40,
	 .check = catalog_rules_code_check},
	{"title_ko", SCHEMA_STRING, .required = true, .min = 1, .max = 200},
	{"title_en", SCHEMA_STRING, .required = true, .min = 1, .max = 200},
	{"summary_ko", SCHEMA_STRING, .max = 1000},
	{"summary_en", SCHEMA_STRING, .max = 1000},
	{"description", SCHEMA_STRING, .max = 20000},
	{"delivery", SCHEMA_STRING, .required = true, .max_bytes = 32, .values = deliveries},
	{"level", SCHEMA_STRING, .max_bytes = 32, .values = levels},
	{"tags", SCHEMA_ARRAY, .min = 1, .max = 40, .check = catalog_rules_tags_check},
	{"prerequisite_course_ids", SCHEMA_IDS, .max = 50},
	{"published", SCHEMA_BOOL, .required = false},
};

static const struct schema_field section_fields[] = {
	{"term", SCHEMA_STRING, .required = true, .max_bytes = 32,
	 .check = catalog_rules_term_check},
	{"starts_on", SCHEMA_DATE, .required = true},
	{"ends_on", SCHEMA_DATE, .required = true},
	{"capacity", SCHEMA_INT, .required = true, .min = 1, .max = 10000},
	{"enrollment_opens_at", SCHEMA_TIMESTAMP, .required = true},
	{"enrollment_closes_at", SCHEMA_TIMESTAMP, .required = true},
	{"status", SCHEMA_STRING, .max_bytes = 32, .values = statuses},
	{"instructor_ids", SCHEMA_IDS, .max = 50},
};

static const struct schema_field module_fields[] = {
	{"position", SCHEMA_INT, .required = true, .min = 0, .max = 10000},
	{"title_ko", SCHEMA_STRING, .required = true, .min = 1, .max = 200},
	{"title_en", SCHEMA_STRING, .required = true, .min = 1, .max = 200},
};

static const struct schema_field lesson_fields[] = {
	{"position", SCHEMA_INT, .required = true, .min = 0, .max = 10000},
	{"title_ko", SCHEMA_STRING, .required = true, .min = 1, .max = 200},
	{"title_en", SCHEMA_STRING, .required = true, .min = 1, .max = 200},
	{"kind", SCHEMA_STRING, .required = true, .max_bytes = 16, .values = kinds},
	{"body_md", SCHEMA_STRING, .max_bytes = 200000},
	{"url", SCHEMA_HTTPS_URL, .nullable = true, .max = 2000},
	{"duration_min", SCHEMA_INT, .nullable = true, .min = 1, .max = 1440},
};

static const struct schema course_schema = SCHEMA_OF(course_fields);
static const struct schema section_schema = SCHEMA_OF(section_fields);
static const struct schema module_schema = SCHEMA_OF(module_fields);
static const struct schema lesson_schema = SCHEMA_OF(lesson_fields);

/* ---- shared steps ---- */

/* Answers a body that a check against the database refused. */
static void refused(struct http_req *req, struct db_conn *db, json_t *errors)
{
	db_rollback(db);
	schema_reply_invalid(req, errors);
}

/* audit_change_failed, where a conflict is a course code the institution uses. */
static void course_failed(struct http_req *req, struct db_conn *db, int rc)
{
	if (rc != LMS_ECONFLICT) {
		audit_change_failed(req, db, rc, "catalogue change");
		return;
	}
	db_rollback(db);
	http_reply_problem(req, 409, "course_code_taken",
			   json_pack("[{s:s, s:s}]", "field", "code", "message",
				     "the institution has a course with this code"),
			   "the institution has a course with this code");
}

/*
 * Begins the change of target id of kind (lock: the target row itself
 * changes) and finds whose it is. Replies 404 when there is none, or when
 * the caller does not manage its institution: to them it does not exist.
 */
static bool begin_owned_or_reply(struct http_req *req, struct db_conn *db, enum admin_kind kind,
				 long long id, bool lock, struct admin_owner *o)
{
	int rc;

	if ((rc = db_begin(db)) < 0 || (rc = admin_store_owner(db, kind, id, lock, o)) < 0) {
		audit_change_failed(req, db, rc, "catalogue change");
		return false;
	}
	if (!guard_require_or_404(req, GUARD_CATALOG_MANAGE, o->institution_id)) {
		db_rollback(db);
		return false;
	}
	return true;
}

/*
 * begin_owned_or_reply for a course's content (modules, lessons): its
 * institution's admins and the instructors of the course's sections may
 * write it. Whoever may not is told 404.
 */
static bool begin_authored_or_reply(struct http_req *req, struct db_conn *db,
				    enum admin_kind kind, long long id, bool lock,
				    struct admin_owner *o)
{
	struct guard_target t = {0};
	bool teaches = false;
	int rc;

	if ((rc = db_begin(db)) < 0 || (rc = admin_store_owner(db, kind, id, lock, o)) < 0 ||
	    (rc = admin_store_teaches(db, o->course_id, req->who.user_id, &teaches)) < 0) {
		audit_change_failed(req, db, rc, "catalogue change");
		return false;
	}
	t.institution_id = o->institution_id;
	t.teaches = teaches;
	if (!guard_require_target_or_404(req, GUARD_CONTENT_AUTHOR, &t)) {
		db_rollback(db);
		return false;
	}
	return true;
}

/* ---- courses ---- */

/*
 * Looks up what a course body refers to: the programme (*program_id, 0 when
 * the body names none) and the prerequisites of course_id (0: new) of inst.
 * Adds an error naming each field that refers to nothing usable.
 */
static int course_refs_check(struct db_conn *db, long long course_id, long long inst,
			     const json_t *body, long long *program_id, json_t **errors)
{
	const char *program = json_string_value(json_object_get(body, "program"));
	json_t *ids = json_object_get(body, "prerequisite_course_ids");
	char *why = NULL;
	int rc = 0;

	*program_id = 0;
	if (program && (rc = admin_store_program_id(db, program, program_id)) == LMS_ENOTFOUND) {
		http_json_error_add(errors, "program", "no programme has this code");
		rc = 0;
	}
	if (rc == 0 && ids &&
	    (rc = admin_store_prerequisites_check(db, course_id, inst, ids, &why)) == 0 && why)
		http_json_error_add(errors, "prerequisite_course_ids", why);
	free(why);
	return rc;
}

void catalog_admin_course_create(struct http_req *req)
{
	json_t *errors = NULL, *course = NULL, *v;
	struct db_conn *db = NULL;
	long long inst, program_id, id = 0;
	char location[64];
	int rc;

	if (!schema_body_or_reply(req, &course_schema, SCHEMA_CREATE))
		goto out;
	v = json_object_get(req->json, "institution_id");
	if (!(inst = guard_institution_or_reply(req, json_integer_value(v))) ||
	    !guard_require_or_reply(req, GUARD_CATALOG_MANAGE, inst) ||
	    !(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = db_begin(db)) < 0)
		goto fail;
	if ((rc = account_store_institution_exists(db, inst)) == LMS_ENOTFOUND)
		http_json_error_add(&errors, "institution_id", "no institution has this id");
	else if (rc < 0)
		goto fail;
	if ((rc = course_refs_check(db, 0, inst, req->json, &program_id, &errors)) < 0)
		goto fail;
	if (errors) {
		refused(req, db, errors);
		goto out;
	}
	if ((rc = admin_store_course_create(db, inst, program_id, req->json, &id)) < 0 ||
	    ((v = json_object_get(req->json, "prerequisite_course_ids")) &&
	     (rc = admin_store_prerequisites_set(db, id, v)) < 0) ||
	    (rc = catalog_store_course(db, id, http_req_lang(req), true, &course)) < 0)
		goto fail;
	snprintf(location, sizeof(location), "/api/v1/courses/%lld", id);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "course.create",
						 .target_type = "course",
						 .target_id = id,
						 .institution_id = inst},
			   201, course, NULL, location);
	goto out;
fail:
	course_failed(req, db, rc);
out:
	json_decref(course);
}

void catalog_admin_course_update(struct http_req *req)
{
	json_t *errors = NULL, *course = NULL, *detail = NULL, *v;
	struct db_conn *db = NULL;
	struct admin_owner o;
	long long id, program_id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) ||
	    !schema_body_or_reply(req, &course_schema, SCHEMA_CHANGE) ||
	    !(db = http_req_db_or_reply(req)) ||
	    !begin_owned_or_reply(req, db, ADMIN_COURSE, id, true, &o))
		goto out;
	/* A course stays with the institution that offers it. */
	if ((v = json_object_get(req->json, "institution_id")) &&
	    json_integer_value(v) != o.institution_id)
		http_json_error_add(&errors, "institution_id",
				    "cannot change: a course stays with its institution");
	if ((rc = course_refs_check(db, id, o.institution_id, req->json, &program_id, &errors)) <
	    0)
		goto fail;
	if (errors) {
		refused(req, db, errors);
		goto out;
	}
	if ((rc = admin_store_course_update(db, id, program_id, req->json)) < 0 ||
	    ((v = json_object_get(req->json, "prerequisite_course_ids")) &&
	     (rc = admin_store_prerequisites_set(db, id, v)) < 0) ||
	    (rc = catalog_store_course(db, id, http_req_lang(req), true, &course)) < 0)
		goto fail;
	detail = audit_fields_named(req->json);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "course.update",
						 .target_type = "course",
						 .target_id = id,
						 .institution_id = o.institution_id,
						 .detail = detail},
			   200, course, NULL, NULL);
	goto out;
fail:
	course_failed(req, db, rc);
out:
	json_decref(detail);
	json_decref(course);
}

/* ---- sections ---- */

/* Adds an error naming instructor_ids when the body's are not all
 * instructors of inst or shared with it. */
static int instructors_check(struct db_conn *db, long long inst, const json_t *body,
			     json_t **errors)
{
	json_t *ids = json_object_get(body, "instructor_ids");
	char *why = NULL;
	int rc;

	if (!ids)
		return 0;
	if ((rc = admin_store_instructors_check(db, inst, ids, &why)) == 0 && why)
		http_json_error_add(errors, "instructor_ids", why);
	free(why);
	return rc;
}

void catalog_admin_section_create(struct http_req *req)
{
	json_t *errors = NULL, *section = NULL, *v;
	struct catalog_span span = {0};
	struct db_conn *db = NULL;
	struct admin_owner o;
	long long course_id, id = 0;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &course_id) ||
	    !schema_body_or_reply(req, &section_schema, SCHEMA_CREATE))
		goto out;
	if (!catalog_rules_section_span(req->json, &span, &errors)) {
		schema_reply_invalid(req, errors);
		goto out;
	}
	if (!(db = http_req_db_or_reply(req)) ||
	    !begin_owned_or_reply(req, db, ADMIN_COURSE, course_id, false, &o))
		goto out;
	if ((rc = instructors_check(db, o.institution_id, req->json, &errors)) < 0)
		goto fail;
	if (errors) {
		refused(req, db, errors);
		goto out;
	}
	if ((rc = admin_store_section_create(db, course_id, req->json, &id)) < 0 ||
	    ((v = json_object_get(req->json, "instructor_ids")) &&
	     (rc = admin_store_instructors_set(db, id, v)) < 0) ||
	    (rc = admin_store_section_get(db, id, &section)) < 0)
		goto fail;
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "section.create",
						 .target_type = "section",
						 .target_id = id,
						 .institution_id = o.institution_id},
			   201, section, NULL, NULL);
	goto out;
fail:
	audit_change_failed(req, db, rc, "catalogue change");
out:
	json_decref(section);
}

void catalog_admin_section_update(struct http_req *req)
{
	json_t *errors = NULL, *section = NULL, *detail = NULL, *v;
	struct admin_section cur;
	struct db_conn *db = NULL;
	struct admin_owner o;
	const char *status;
	long long id, capacity;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) ||
	    !schema_body_or_reply(req, &section_schema, SCHEMA_CHANGE) ||
	    !(db = http_req_db_or_reply(req)) ||
	    !begin_owned_or_reply(req, db, ADMIN_SECTION, id, true, &o))
		goto out;
	/* The row is locked: its seats and status hold until the commit. */
	if ((rc = admin_store_section_state(db, id, &cur)) < 0)
		goto fail;
	catalog_rules_section_span(req->json, &cur.span, &errors);
	if ((rc = instructors_check(db, o.institution_id, req->json, &errors)) < 0)
		goto fail;
	if (errors) {
		refused(req, db, errors);
		goto out;
	}
	status = json_string_value(json_object_get(req->json, "status"));
	if (status && !catalog_rules_section_transition_ok(cur.status, status)) {
		db_rollback(db);
		http_reply_problem(req, 409, "illegal_transition", NULL,
				   "a %s section cannot become %s", cur.status, status);
		goto out;
	}
	v = json_object_get(req->json, "capacity");
	capacity = v ? json_integer_value(v) : cur.capacity;
	if (capacity < cur.enrolled) {
		db_rollback(db);
		http_reply_problem(req, 409, "capacity_below_enrolled",
				   json_pack("[{s:s, s:s}]", "field", "capacity", "message",
					     "must not be below the number of enrolled learners"),
				   "%lld learners are enrolled: the capacity cannot be lower",
				   cur.enrolled);
		goto out;
	}
	/* New seats go to the waitlist within the UPDATE (the trigger
	 * sections_capacity_raised), before anyone else can take them; a
	 * cancellation ends its learners' places there too (sections_cancelled).
	 * Both are audited in this caller's name. */
	if ((rc = audit_tell_database(req, db)) < 0 ||
	    (rc = admin_store_section_update(db, id, req->json)) < 0 ||
	    ((v = json_object_get(req->json, "instructor_ids")) &&
	     (rc = admin_store_instructors_set(db, id, v)) < 0))
		goto fail;
	if ((rc = admin_store_section_get(db, id, &section)) < 0)
		goto fail;
	detail = audit_fields_named(req->json);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "section.update",
						 .target_type = "section",
						 .target_id = id,
						 .institution_id = o.institution_id,
						 .detail = detail},
			   200, section, NULL, NULL);
	goto out;
fail:
	audit_change_failed(req, db, rc, "catalogue change");
out:
	json_decref(detail);
	json_decref(section);
}

/* ---- modules ---- */

void catalog_admin_module_create(struct http_req *req)
{
	json_t *module = NULL;
	struct db_conn *db = NULL;
	struct admin_owner o;
	long long course_id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &course_id) ||
	    !schema_body_or_reply(req, &module_schema, SCHEMA_CREATE) ||
	    !(db = http_req_db_or_reply(req)) ||
	    !begin_authored_or_reply(req, db, ADMIN_COURSE, course_id, false, &o))
		goto out;
	if ((rc = admin_store_module_create(db, course_id, req->json, &module)) < 0) {
		audit_change_failed(req, db, rc, "catalogue change");
		goto out;
	}
	audit_commit_reply(req, db,
			   &(struct audit_event){
				   .action = "module.create",
				   .target_type = "module",
				   .target_id = json_integer_value(json_object_get(module, "id")),
				   .institution_id = o.institution_id},
			   201, module, NULL, NULL);
out:
	json_decref(module);
}

void catalog_admin_module_update(struct http_req *req)
{
	json_t *module = NULL, *detail = NULL;
	struct db_conn *db = NULL;
	struct admin_owner o;
	long long id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) ||
	    !schema_body_or_reply(req, &module_schema, SCHEMA_CHANGE) ||
	    !(db = http_req_db_or_reply(req)) ||
	    !begin_authored_or_reply(req, db, ADMIN_MODULE, id, true, &o))
		goto out;
	if ((rc = admin_store_module_update(db, id, req->json, &module)) < 0) {
		audit_change_failed(req, db, rc, "catalogue change");
		goto out;
	}
	detail = audit_fields_named(req->json);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "module.update",
						 .target_type = "module",
						 .target_id = id,
						 .institution_id = o.institution_id,
						 .detail = detail},
			   200, module, NULL, NULL);
out:
	json_decref(detail);
	json_decref(module);
}

/* ---- lessons ---- */

/* A video or a link is its url: such a lesson must keep one. */
static void lesson_url_check(const char *kind, bool has_url, json_t **errors)
{
	if (catalog_rules_lesson_needs_url(kind) && !has_url)
		http_json_error_add(errors, "url", "is required for video and link lessons");
}

void catalog_admin_lesson_create(struct http_req *req)
{
	json_t *errors = NULL, *lesson = NULL;
	struct db_conn *db = NULL;
	struct admin_owner o;
	long long module_id, id;
	char location[64];
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &module_id) ||
	    !schema_body_or_reply(req, &lesson_schema, SCHEMA_CREATE))
		goto out;
	lesson_url_check(json_string_value(json_object_get(req->json, "kind")),
			 json_is_string(json_object_get(req->json, "url")), &errors);
	if (errors) {
		schema_reply_invalid(req, errors);
		goto out;
	}
	if (!(db = http_req_db_or_reply(req)) ||
	    !begin_authored_or_reply(req, db, ADMIN_MODULE, module_id, false, &o))
		goto out;
	if ((rc = admin_store_lesson_create(db, module_id, req->json, &lesson)) < 0) {
		audit_change_failed(req, db, rc, "catalogue change");
		goto out;
	}
	id = json_integer_value(json_object_get(lesson, "id"));
	snprintf(location, sizeof(location), "/api/v1/lessons/%lld", id);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "lesson.create",
						 .target_type = "lesson",
						 .target_id = id,
						 .institution_id = o.institution_id},
			   201, lesson, NULL, location);
out:
	json_decref(lesson);
}

void catalog_admin_lesson_update(struct http_req *req)
{
	json_t *errors = NULL, *lesson = NULL, *detail = NULL, *cur = NULL, *after;
	struct db_conn *db = NULL;
	struct admin_owner o;
	long long id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) ||
	    !schema_body_or_reply(req, &lesson_schema, SCHEMA_CHANGE) ||
	    !(db = http_req_db_or_reply(req)) ||
	    !begin_authored_or_reply(req, db, ADMIN_LESSON, id, true, &o))
		goto out;
	if ((rc = admin_store_lesson_get(db, id, &cur)) < 0)
		goto fail;
	/* The lesson as it will be: the body's fields over the stored ones. */
	after = json_deep_copy(cur);
	json_object_update(after, req->json);
	lesson_url_check(json_string_value(json_object_get(after, "kind")),
			 json_is_string(json_object_get(after, "url")), &errors);
	json_decref(after);
	if (errors) {
		refused(req, db, errors);
		goto out;
	}
	if ((rc = admin_store_lesson_update(db, id, req->json, &lesson)) < 0)
		goto fail;
	detail = audit_fields_named(req->json);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "lesson.update",
						 .target_type = "lesson",
						 .target_id = id,
						 .institution_id = o.institution_id,
						 .detail = detail},
			   200, lesson, NULL, NULL);
	goto out;
fail:
	audit_change_failed(req, db, rc, "catalogue change");
out:
	json_decref(cur);
	json_decref(detail);
	json_decref(lesson);
}
