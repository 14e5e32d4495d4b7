/* session_http.c - handlers: scheduling class sessions, attendance, the
 * sections an instructor teaches */
#include "lms/schedule/session_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/guard.h"
#include "lms/core/datetime.h"
#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/schedule/calendar_store.h"
#include "lms/schedule/faculty_store.h"
#include "lms/schedule/session_store.h"
#include "lms/service/audit.h"

/* At most this many marks in one attendance request (a section's largest
 * capacity). */
#define ATTENDANCE_MAX 10000

static const char *const statuses[] = {"scheduled", "cancelled", NULL};

/* The fields of a session body; status only in a change. */
static const struct schema_field session_fields[] = {
	{"starts_at", SCHEMA_TIMESTAMP, .required = true},
	{"ends_at", SCHEMA_TIMESTAMP, .required = true},
	{"instructor_id", SCHEMA_ID, .required = true,
	 .message = "must be the id of an instructor"},
	{"facility_id", SCHEMA_ID, .nullable = true, .message = "must be the id of a facility"},
	{"online_url", SCHEMA_HTTPS_URL, .nullable = true, .max = CLASS_SESSION_URL_MAX},
	{"status", SCHEMA_STRING, .use = SCHEMA_CHANGE_ONLY, .max_bytes = 16, .values = statuses},
};
static const struct schema session_schema = SCHEMA_OF(session_fields);

/* One mark of an attendance body. */
static const struct schema_field mark_fields[] = {
	{"enrollment_id", SCHEMA_ID, .required = true, .message = "must be the id of an enrolment"},
	{"present", SCHEMA_BOOL, .required = true},
};
static const struct schema mark_schema = SCHEMA_OF(mark_fields);

/*
 * Applies the body's fields (checked by its schema) over *s and checks
 * the result: it ends after it starts, and meets in a facility or online,
 * not both. Adds an error for each relation that fails, naming a field
 * the body sets where it can.
 */
static void slot_apply(const json_t *body, struct class_session_slot *s, json_t **errors)
{
	json_t *facility = json_object_get(body, "facility_id"),
	       *url = json_object_get(body, "online_url"), *v;

	if ((v = json_object_get(body, "starts_at")))
		datetime_timestamp_parse(json_string_value(v), &s->starts_us);
	if ((v = json_object_get(body, "ends_at")))
		datetime_timestamp_parse(json_string_value(v), &s->ends_us);
	if ((v = json_object_get(body, "instructor_id")))
		s->instructor_id = json_integer_value(v);
	/* Naming one place replaces the other. */
	if (json_is_integer(facility) && json_is_string(url)) {
		http_json_error_add(errors, "facility_id",
				    "give either facility_id or online_url, not both");
		return;
	}
	if (facility) {
		s->facility_id = json_integer_value(facility);
		if (s->facility_id)
			s->online_url = NULL;
	}
	if (url) {
		s->online_url = json_string_value(url);
		if (s->online_url)
			s->facility_id = 0;
	}
	if (!s->facility_id && !s->online_url)
		http_json_error_add(errors, url && !facility ? "online_url" : "facility_id",
				    "give a facility_id or an online_url");
	if (s->ends_us <= s->starts_us)
		http_json_error_add(errors,
				    json_object_get(body, "ends_at") || !json_object_get(body, "starts_at")
					    ? "ends_at"
					    : "starts_at",
				    "the session must end after it starts");
}

/* Adds an error when slot s is not within the dates of section sec. */
static void slot_within(const struct class_session_section *sec,
			const struct class_session_slot *s, json_t **errors)
{
	char msg[160];

	snprintf(msg, sizeof(msg),
		 "must be within the section's dates, %s to %s (Asia/Seoul)", sec->starts_on,
		 sec->ends_on);
	if (s->starts_us < sec->first_us || s->starts_us >= sec->last_us)
		http_json_error_add(errors, "starts_at", msg);
	else if (s->ends_us > sec->last_us)
		http_json_error_add(errors, "ends_at", msg);
}

bool class_session_refs_or_reply(struct http_req *req, struct db_conn *db, long long inst,
				 const struct class_session_slot *s, bool instructor, bool facility)
{
	bool instructor_ok, facility_ok, ok = true;
	long long facility_id = facility ? s->facility_id : 0;
	json_t *errors = NULL;
	int rc;

	if ((rc = class_session_store_refs(db, s->instructor_id, facility_id, &instructor_ok,
					   &facility_ok)) < 0)
		goto fail;
	if (instructor && !instructor_ok)
		http_json_error_add(&errors, "instructor_id",
				    "must be the id of a user with an instructor profile");
	if (!facility_ok)
		http_json_error_add(&errors, "facility_id", "must be the id of a facility");
	if (errors) {
		schema_reply_invalid(req, errors);
		return false;
	}
	if (instructor &&
	    ((rc = faculty_store_can_teach(db, s->instructor_id, inst, &ok)) < 0 || !ok)) {
		if (rc < 0)
			goto fail;
		http_reply_problem(req, 403, "instructor_not_shared", NULL,
				   "this instructor is not of the course's institution and not "
				   "shared with it");
		return false;
	}
	if (facility_id &&
	    ((rc = faculty_store_facility_usable(db, facility_id, inst, &ok)) < 0 || !ok)) {
		if (rc < 0)
			goto fail;
		http_reply_problem(req, 403, "facility_not_available", NULL,
				   "this facility is not the course's institution's and not lent "
				   "to it");
		return false;
	}
	return true;
fail:
	http_reply_error(req, rc);
	return false;
}

/*
 * Answers a change the exclusion constraints refused: 409 naming what is
 * double-booked and the scheduled session it collides with (looked up
 * after the rollback, outside the failed transaction).
 */
static void reply_conflict(struct http_req *req, struct db_conn *db,
			   const struct class_session_slot *s, long long except_id)
{
	char constraint[sizeof(db->constraint)];
	json_t *problem = NULL, *other = NULL;
	const char *what;
	bool facility;
	int rc;

	memcpy(constraint, db->constraint, sizeof(constraint));
	db_rollback(db);
	facility = !strcmp(constraint, CLASS_SESSION_FACILITY_FREE);
	if (!facility && strcmp(constraint, CLASS_SESSION_INSTRUCTOR_FREE) != 0) {
		http_reply_error(req, LMS_ECONFLICT);
		return;
	}
	rc = class_session_store_conflict(db, constraint, s, except_id, http_req_lang(req), &other);
	if (rc < 0 && rc != LMS_ENOTFOUND) {
		http_reply_error(req, rc);
		return;
	}
	what = facility ? "facility" : "instructor";
	if (other)
		problem = http_problem_new(
			409, facility ? "facility_conflict" : "instructor_conflict",
			"the %s is booked from %s to %s for %s (%s)", what,
			json_string_value(json_object_get(other, "starts_at")),
			json_string_value(json_object_get(other, "ends_at")),
			json_string_value(json_object_get(other, "course_title")),
			json_string_value(json_object_get(other, "institution")));
	else
		problem = http_problem_new(409, facility ? "facility_conflict" : "instructor_conflict",
					   "the %s is booked at this time", what);
	if (!problem || json_object_set_new(problem, "conflicting_session",
					    other ? json_incref(other) : json_null()) < 0)
		http_reply_error(req, LMS_ENOMEM);
	else
		http_reply_problem_json(req, 409, problem, NULL);
	json_decref(problem);
	json_decref(other);
}

/* Records ev, reads session id, commits and replies status with it (and a
 * Location for a new one); rolls back and answers a failure. */
static void finish_reply(struct http_req *req, struct db_conn *db, const struct audit_event *ev,
			 long long id, int status)
{
	json_t *session = NULL;
	char headers[96];
	int rc;

	if ((rc = audit_record(req, ev)) < 0 ||
	    (rc = class_session_store_get(db, id, http_req_lang(req), &session)) < 0 ||
	    (rc = db_commit(db)) < 0) {
		audit_change_failed(req, db, rc, "session change");
		goto out;
	}
	snprintf(headers, sizeof(headers), "Location: /api/v1/sessions/%lld\r\n", id);
	http_reply_json_headers(req, status, session, status == 201 ? headers : NULL);
out:
	json_decref(session);
}

void class_session_create(struct http_req *req)
{
	struct class_session_slot slot = {0};
	struct class_session_section sec;
	struct guard_target t;
	json_t *errors = NULL, *detail = NULL;
	long long section_id, id;
	struct db_conn *db;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &section_id) ||
	    !schema_body_or_reply(req, &session_schema, SCHEMA_CREATE))
		goto out;
	slot_apply(req->json, &slot, &errors);
	if (errors) {
		schema_reply_invalid(req, errors);
		goto out;
	}
	if (!(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = class_session_store_section(db, section_id, req->who.user_id, &sec)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	t = (struct guard_target){.institution_id = sec.institution_id,
				  .teaches = sec.teaches,
				  .hidden = !sec.published};
	if (!guard_require_target_or_reply(req, GUARD_SESSION_MANAGE, &t))
		goto out;
	if (!strcmp(sec.status, "cancelled")) {
		http_reply_problem(req, 409, "section_cancelled", NULL,
				   "this section was cancelled: it has no sessions to schedule");
		goto out;
	}
	slot_within(&sec, &slot, &errors);
	if (errors) {
		schema_reply_invalid(req, errors);
		goto out;
	}
	/* The sharing and lending checks hold their locks until the commit: a
	 * share or loan ended meanwhile waits for this session, or is seen. */
	if ((rc = db_begin(db)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	if (!class_session_refs_or_reply(req, db, sec.institution_id, &slot, true, true)) {
		db_rollback(db);
		goto out;
	}
	rc = class_session_store_create(db, section_id, &slot, &id);
	if (rc == LMS_ECONFLICT) {
		reply_conflict(req, db, &slot, 0);
		goto out;
	}
	if (rc < 0) {
		audit_change_failed(req, db, rc, "session change");
		goto out;
	}
	detail = json_pack("{s:I, s:I}", "section_id", (json_int_t)section_id, "instructor_id",
			   (json_int_t)slot.instructor_id);
	finish_reply(req, db,
		     &(struct audit_event){.action = "session.create",
					   .target_type = "class_session",
					   .target_id = id,
					   .institution_id = sec.institution_id,
					   .detail = detail},
		     id, 201);
out:
	json_decref(detail);
}

void class_session_update(struct http_req *req)
{
	struct class_session_info info;
	struct class_session_slot slot;
	struct guard_target t;
	json_t *errors = NULL;
	const char *status;
	struct db_conn *db;
	bool cancel;
	long long id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) ||
	    !schema_body_or_reply(req, &session_schema, SCHEMA_CHANGE))
		return;
	status = json_string_value(json_object_get(req->json, "status"));
	cancel = status && !strcmp(status, "cancelled");
	if (cancel && json_object_size(req->json) > 1) {
		http_json_error_add(&errors, "status",
				    "a cancellation changes nothing else: send it alone");
		schema_reply_invalid(req, errors);
		return;
	}
	if (!(db = http_req_db_or_reply(req)))
		return;
	if ((rc = db_begin(db)) < 0 ||
	    (rc = class_session_store_info(db, id, req->who.user_id, true, &info)) < 0) {
		audit_change_failed(req, db, rc, "session change");
		return;
	}
	t = (struct guard_target){.institution_id = info.section.institution_id,
				  .teaches = info.section.teaches,
				  .hidden = !info.section.published};
	if (!guard_require_target_or_reply(req, GUARD_SESSION_MANAGE, &t))
		goto rollback;
	if (!strcmp(info.status, "cancelled")) {
		http_reply_problem(req, 409, "illegal_transition", NULL,
				   "a cancelled session is final: schedule a new one");
		goto rollback;
	}
	slot = info.slot;
	if (!cancel) {
		slot_apply(req->json, &slot, &errors);
		if (!errors)
			slot_within(&info.section, &slot, &errors);
		if (errors) {
			schema_reply_invalid(req, errors);
			goto rollback;
		}
		/* Only what the change names is checked again: a session keeps
		 * its instructor when a share is revoked later. */
		if (!class_session_refs_or_reply(
			    req, db, info.section.institution_id, &slot,
			    json_object_get(req->json, "instructor_id") != NULL,
			    json_is_integer(json_object_get(req->json, "facility_id"))))
			goto rollback;
	}
	rc = class_session_store_update(db, id, &slot, cancel);
	if (rc == LMS_ECONFLICT) {
		reply_conflict(req, db, &slot, id);
		return;
	}
	if (rc < 0) {
		audit_change_failed(req, db, rc, "session change");
		return;
	}
	finish_reply(req, db,
		     &(struct audit_event){.action = cancel ? "session.cancel" : "session.update",
					   .target_type = "class_session",
					   .target_id = id,
					   .institution_id = info.section.institution_id,
					   .detail = req->json},
		     id, 200);
	return;
rollback:
	db_rollback(db);
}

/*
 * Session {id} for the caller into *info (not locked), when the caller may
 * do action on it: GUARD_CONTENT_READ to see it, GUARD_ROSTER_READ to see
 * who attended. Whoever teaches it or its section counts as teaching it,
 * its section's learners as enrolled. Replies and returns false otherwise.
 */
static bool readable_or_reply(struct http_req *req, enum guard_action action, long long *id,
			      struct class_session_info *info)
{
	struct guard_target t;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, id) || !http_req_db_or_reply(req))
		return false;
	if ((rc = class_session_store_info(req->db, *id, req->who.user_id, false, info)) < 0) {
		http_reply_error(req, rc);
		return false;
	}
	t = (struct guard_target){.institution_id = info->section.institution_id,
				  .teaches = info->section.teaches || info->instructs,
				  .enrolled = info->section.enrolled,
				  .hidden = !info->section.published};
	return guard_require_target_or_reply(req, action, &t);
}

void class_session_show(struct http_req *req)
{
	struct class_session_info info;
	json_t *session = NULL;
	long long id;
	int rc;

	/* Those who see the course's lessons see when it meets: its
	 * learners, whoever teaches it, its admins. */
	if (!readable_or_reply(req, GUARD_CONTENT_READ, &id, &info))
		return;
	if ((rc = class_session_store_get(req->db, id, http_req_lang(req), &session)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	http_reply_json(req, 200, session);
	json_decref(session);
}

void class_session_list(struct http_req *req)
{
	struct class_session_section sec;
	struct guard_target t;
	json_t *items = NULL, *body = NULL;
	struct db_conn *db;
	long long id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = class_session_store_section(db, id, req->who.user_id, &sec)) < 0)
		goto fail;
	/* Whoever may read one of its sessions reads them all. A draft is
	 * not offered yet: like an unpublished course, it exists only for
	 * those who run it. */
	t = (struct guard_target){.institution_id = sec.institution_id,
				  .teaches = sec.teaches || sec.instructs,
				  .enrolled = sec.enrolled,
				  .hidden = !sec.published || !strcmp(sec.status, "draft")};
	if (!guard_require_target_or_reply(req, GUARD_CONTENT_READ, &t))
		goto out;
	if ((rc = calendar_store_section_sessions(db, id, http_req_lang(req), &items)) < 0)
		goto fail;
	if (!(body = json_pack("{s:I, s:O}", "section_id", (json_int_t)id, "items", items))) {
		rc = LMS_ENOMEM;
		goto fail;
	}
	http_reply_json(req, 200, body);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	json_decref(items);
	json_decref(body);
}

static int id_order(const void *a, const void *b)
{
	const long long *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : (x[1] > y[1]) - (x[1] < y[1]);
}

/* Adds an error naming item i's field ("[i].field", or "[i]" for NULL). */
static void item_error_add(json_t **errors, size_t i, const char *field, const char *message)
{
	char name[96];

	snprintf(name, sizeof(name), field ? "[%zu].%s" : "[%zu]", i, field);
	http_json_error_add(errors, name, message);
}

/*
 * Checks an attendance body: an array of at most ATTENDANCE_MAX
 * {enrollment_id, present}, no enrolment twice. Replies 400 naming each
 * bad item by its index and returns false.
 */
static bool marks_or_reply(struct http_req *req)
{
	size_t n = json_array_size(req->json), i, j, nids = 0;
	json_t *errors = NULL, *item, *errs, *e;
	long long (*ids)[2] = NULL;

	if (!json_is_array(req->json) || n > ATTENDANCE_MAX) {
		http_reply_problem(req, 400, "invalid_request", NULL,
				   "the request body must be a JSON array of at most %d "
				   "{enrollment_id, present}",
				   ATTENDANCE_MAX);
		return false;
	}
	if (n && !(ids = malloc(n * sizeof(*ids)))) {
		http_reply_error(req, LMS_ENOMEM);
		return false;
	}
	json_array_foreach(req->json, i, item) {
		if (!json_is_object(item)) {
			item_error_add(&errors, i, NULL, "must be an object {enrollment_id, present}");
			continue;
		}
		errs = NULL;
		schema_check(item, &mark_schema, SCHEMA_CREATE, &errs);
		json_array_foreach(errs, j, e)
			item_error_add(&errors, i, json_string_value(json_object_get(e, "field")),
				       json_string_value(json_object_get(e, "message")));
		json_decref(errs);
		e = json_object_get(item, "enrollment_id");
		if (json_is_integer(e) && json_integer_value(e) > 0) {
			ids[nids][0] = json_integer_value(e);
			ids[nids++][1] = (long long)i;
		}
	}
	/* Sorted by id, then index: a repeat names its later place. */
	if (nids)
		qsort(ids, nids, sizeof(*ids), id_order);
	for (i = 1; i < nids; i++)
		if (ids[i][0] == ids[i - 1][0])
			item_error_add(&errors, (size_t)ids[i][1], "enrollment_id",
				       "names an enrolment an earlier item marks");
	free(ids);
	if (!errors)
		return true;
	http_reply_problem(req, 400, "validation_failed", errors,
			   "the attendance has invalid items");
	return false;
}

void class_session_attendance_put(struct http_req *req)
{
	struct class_session_info info;
	struct guard_target t;
	json_t *bad = NULL, *errors = NULL, *list = NULL, *detail = NULL, *v;
	struct db_conn *db;
	bool cancelled;
	long long id;
	size_t i;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !marks_or_reply(req) ||
	    !(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = db_begin(db)) < 0 ||
	    (rc = class_session_store_info(db, id, req->who.user_id, true, &info)) < 0)
		goto fail;
	t = (struct guard_target){.institution_id = info.section.institution_id,
				  .teaches = info.instructs,
				  .hidden = !info.section.published};
	if (!guard_require_target_or_reply(req, GUARD_ATTENDANCE_WRITE, &t))
		goto rollback;
	cancelled = strcmp(info.status, "scheduled") != 0;
	if (cancelled || !info.started) {
		http_reply_problem(req, 409, cancelled ? "session_cancelled" : "session_not_started",
				   NULL, "attendance is taken at sessions that are held: this one %s",
				   cancelled ? "was cancelled" : "has not begun");
		goto rollback;
	}
	if ((rc = class_session_store_attendance_check(db, info.section.id, req->json, &bad)) < 0)
		goto fail;
	json_array_foreach(bad, i, v)
		item_error_add(&errors, (size_t)json_integer_value(v), "enrollment_id",
			       "is not an enrolment (enrolled, completed or incomplete) of this "
			       "session's section");
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the attendance has invalid items");
		goto rollback;
	}
	detail = json_pack("{s:I}", "marks", (json_int_t)json_array_size(req->json));
	if ((rc = class_session_store_attendance_set(db, id, req->json, req->who.user_id)) < 0 ||
	    (rc = audit_record(req, &(struct audit_event){.action = "attendance.update",
							  .target_type = "class_session",
							  .target_id = id,
							  .institution_id = info.section.institution_id,
							  .detail = detail})) < 0 ||
	    (rc = class_session_store_attendance_list(db, id, &list)) < 0 ||
	    (rc = db_commit(db)) < 0)
		goto fail;
	http_reply_json(req, 200, list);
	goto out;
fail:
	audit_change_failed(req, db, rc, "session change");
	goto out;
rollback:
	db_rollback(db);
out:
	json_decref(bad);
	json_decref(list);
	json_decref(detail);
}

void class_session_attendance_show(struct http_req *req)
{
	struct class_session_info info;
	json_t *list = NULL;
	long long id;
	int rc;

	/* Those who take it, and those who run the section, see it; its
	 * learners do not see one another. */
	if (!readable_or_reply(req, GUARD_ROSTER_READ, &id, &info))
		return;
	/* A list of learners is personal data: it leaves only with its
	 * reading recorded, as a roster does. */
	if ((rc = db_begin(req->db)) < 0 ||
	    (rc = class_session_store_attendance_list(req->db, id, &list)) < 0) {
		db_rollback(req->db);
		http_reply_error(req, rc);
		return;
	}
	audit_commit_reply(req, req->db,
			   &(struct audit_event){.action = "attendance.read",
						 .target_type = "class_session",
						 .target_id = id,
						 .institution_id = info.section.institution_id},
			   200, list, NULL, NULL);
	json_decref(list);
}

void class_session_sections_mine(struct http_req *req)
{
	json_t *items = NULL;
	long long cursor;
	int limit, rc;

	if (!http_req_page_or_reply(req, &limit, &cursor) || !http_req_db_or_reply(req))
		return;
	if ((rc = class_session_store_taught(req->db, req->who.user_id, cursor, limit,
					     http_req_lang(req), &items)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	http_reply_page(req, items, limit);
	json_decref(items);
}
