/* enrollment_store.c - enrolments in PostgreSQL: enrol, change status,
 * promote from the waitlist */
#include "lms/enrollment/enrollment_store.h"

#include <stdio.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

int enrollment_store_enroll(struct db_conn *db, long long user_id, long long section_id,
			    const char *statement, const char *remote_addr, const char *request_id,
			    struct enroll_result *r)
{
	PGresult *res = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	/* enroll_verified() answers one row, always: enroll()'s, or the
	 * refusal of an unverified address. */
	rc = db_one_row(db, &res, "SELECT * FROM enroll_verified($1, $2, $3, $4, $5)", "llsss",
			user_id, section_id, statement, remote_addr, request_id);
	if (rc < 0)
		return rc == LMS_ENOTFOUND ? LMS_EDB : rc;
	snprintf(r->code, sizeof(r->code), "%s", PQgetvalue(res, 0, 0));
	r->enrollment_id = db_ll(res, 0, 1);
	snprintf(r->status, sizeof(r->status), "%s", PQgetvalue(res, 0, 2));
	r->waitlist_position = db_ll(res, 0, 3);
	if (!PQgetisnull(res, 0, 4))
		r->detail = json_loads(PQgetvalue(res, 0, 4), 0, NULL);
	PQclear(res);
	return 0;
}

int enrollment_store_info(struct db_conn *db, long long id, long long caller,
			  struct enrollment_info *info)
{
	PGresult *res = NULL;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = db_one_row(db, &res,
			"SELECT e.user_id, e.section_id, s.course_id, c.institution_id, e.status,"
			" s.starts_on <= (now() AT TIME ZONE 'Asia/Seoul')::date,"
			" EXISTS (SELECT 1 FROM section_instructors si WHERE si.section_id = s.id"
			" AND si.user_id = $2)"
			" FROM enrollments e JOIN sections s ON s.id = e.section_id"
			" JOIN courses c ON c.id = s.course_id WHERE e.id = $1",
			"ll", id, caller);
	if (rc < 0)
		return rc;
	info->id = id;
	info->user_id = db_ll(res, 0, 0);
	info->section_id = db_ll(res, 0, 1);
	info->course_id = db_ll(res, 0, 2);
	info->institution_id = db_ll(res, 0, 3);
	snprintf(info->status, sizeof(info->status), "%s", PQgetvalue(res, 0, 4));
	info->started = db_bool(res, 0, 5);
	info->caller_teaches = db_bool(res, 0, 6);
	PQclear(res);
	return 0;
}

/* Locks section rows in id order (so two moves never wait on each other
 * in a cycle) and names who acts and why for the history trigger. */
static int lock_and_tell(struct db_conn *db, long long a, long long b, long long actor,
			 const char *reason)
{
	return db_execf(db, NULL,
			"SELECT (SELECT count(*) FROM (SELECT 1 FROM sections"
			" WHERE id IN ($1::bigint, $2::bigint) ORDER BY id FOR UPDATE) l),"
			" set_config('lms.actor_user_id', $3, true), set_config('lms.reason', $4, true)",
			"llls", a < b || !b ? a : b, a < b || !b ? b : a, actor,
			reason ? reason : "");
}

static int promote(struct db_conn *db, long long section_id)
{
	return db_execf(db, NULL,
			"SELECT enrollment_promote($1, 'promoted from the waitlist: a seat was freed')",
			"l", section_id);
}

int enrollment_store_transition(struct db_conn *db, const struct enrollment_info *info,
				const char *status, long long actor, const char *reason)
{
	int rc;

	if ((rc = lock_and_tell(db, info->section_id, 0, actor, reason)) < 0 ||
	    (rc = db_execf(db, NULL, "UPDATE enrollments SET status = $2 WHERE id = $1", "ls",
			   info->id, status)) < 0)
		return rc;
	/* A seat freed here goes to the first in line, in this transaction. */
	return promote(db, info->section_id);
}

int enrollment_store_override(struct db_conn *db, const char *reason)
{
	return db_execf(db, NULL, "SELECT set_config('lms.override_reason', $1, true)", "s",
			reason);
}

int enrollment_store_move(struct db_conn *db, const struct enrollment_info *info,
			  long long to_section, long long actor, const char *reason,
			  long long *new_id)
{
	PGresult *res = NULL;
	int rc;

	*new_id = 0;
	/* lms.moving: the learner is told of no cancellation, only moved. */
	if ((rc = lock_and_tell(db, info->section_id, to_section, actor, reason)) < 0 ||
	    (rc = db_exec(db, NULL, "SELECT set_config('lms.moving', 'on', true)", 0, NULL)) < 0 ||
	    (rc = db_execf(db, NULL, "UPDATE enrollments SET status = 'cancelled' WHERE id = $1",
			   "l", info->id)) < 0)
		return rc;
	/* The seat in the new section is taken only if there is one: the
	 * CHECK on enrolled_count refuses the insert otherwise. */
	rc = db_one_row(db, &res,
			"INSERT INTO enrollments (user_id, section_id, status)"
			" SELECT $1, $2, 'enrolled'"
			" FROM sections s JOIN courses c ON c.id = s.course_id"
			" WHERE s.id = $2 AND s.status IN ('open', 'closed')"
			" AND s.course_id = (SELECT course_id FROM sections WHERE id = $3)"
			" RETURNING id",
			"lll", info->user_id, to_section, info->section_id);
	if (rc == LMS_EDB && db_sqlstate_is(db, "23514"))
		return LMS_ECONFLICT;
	if (rc < 0)
		return rc;
	*new_id = db_ll(res, 0, 0);
	PQclear(res);
	return promote(db, info->section_id);
}

int enrollment_store_get(struct db_conn *db, long long id, json_t **enrollment)
{
	int rc;

	rc = db_jsonf(db, enrollment,
		      "SELECT " ENROLLMENT_JSON "::jsonb || jsonb_build_object('history',"
		      " (SELECT coalesce(jsonb_agg(jsonb_build_object('at', v.at, 'from', v.from_status,"
		      " 'to', v.to_status, 'actor_user_id', v.actor_user_id, 'reason', v.reason)"
		      " ORDER BY v.id), '[]') FROM enrollment_events v WHERE v.enrollment_id = e.id))"
		      " FROM enrollments e JOIN sections s ON s.id = e.section_id WHERE e.id = $1",
		      "l", id);
	return rc;
}
