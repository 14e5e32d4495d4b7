/* bulk_store.c - enrolment by an admin in PostgreSQL: on behalf of one
 * learner, or a file of them as a set */
#include "lms/enrollment/bulk_store.h"

#include <stdio.h>
#include <string.h>

#include "lms/core/err.h"

int bulk_store_section(struct db_conn *db, long long id, struct bulk_section *out)
{
	PGresult *res = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_one_row(db, &res,
			"SELECT c.institution_id, c.published AND s.status <> 'draft'"
			" FROM sections s JOIN courses c ON c.id = s.course_id WHERE s.id = $1",
			"l", id);
	if (rc < 0)
		return rc;
	out->id = id;
	out->institution_id = db_ll(res, 0, 0);
	out->visible = db_bool(res, 0, 1);
	PQclear(res);
	return 0;
}

int bulk_store_user_find(struct db_conn *db, long long id, const char *email,
			 long long *user_id)
{
	PGresult *res = NULL;
	int rc;

	*user_id = 0;
	rc = db_one_row(db, &res,
			"SELECT id FROM users WHERE ($1::bigint IS NOT NULL AND id = $1)"
			" OR ($2::text IS NOT NULL AND lower(email) = lower($2))",
			"?l?s", id > 0, id, email != NULL, email);
	if (rc < 0)
		return rc;
	*user_id = db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}

int bulk_store_enroll_on_behalf(struct db_conn *db, long long user_id, long long section_id,
				long long actor, const char *override_reason,
				const char *remote_addr, const char *request_id,
				struct enroll_result *r)
{
	PGresult *res = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = db_one_row(db, &res, "SELECT * FROM enrollment_place($1, $2, $3, $4, NULL, $5, $6)",
			"lllsss", user_id, section_id, actor, override_reason, remote_addr,
			request_id);
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

int bulk_store_rows_load(struct db_conn *db, long (*fill)(void *ctx, char *buf, size_t cap),
			 void *ctx)
{
	int rc;

	if ((rc = db_exec(db, NULL,
			   "CREATE TEMP TABLE bulk_rows (line integer PRIMARY KEY, email text NOT NULL,"
			   " display_name text, ladder_stage text, error text) ON COMMIT DROP",
			   0, NULL)) < 0)
		return rc;
	if ((rc = db_copy_in(db,
			     "COPY bulk_rows (line, email, display_name, ladder_stage, error)"
			     " FROM STDIN",
			     fill, ctx)) < 0)
		return rc;
	/* The set work below reads it: the planner should know its size. */
	return db_exec(db, NULL, "ANALYZE bulk_rows", 0, NULL);
}

int bulk_store_classify(struct db_conn *db, long long section_id, long long actor, bool apply,
			const char *locale, const char *remote_addr, const char *request_id,
			json_t **summary)
{
	int rc;

	*summary = NULL;
	if ((rc = db_execf(db, NULL, "SELECT enrollment_bulk($1, $2, $3, $4, $5, $6)", "llbsss",
			   section_id, actor, apply, locale, remote_addr, request_id)) < 0)
		return rc;
	return db_json(db, summary,
			"SELECT json_build_object('rows', count(*),"
			" 'enroll', count(*) FILTER (WHERE result = 'enroll'),"
			" 'waitlist', count(*) FILTER (WHERE result = 'waitlist'),"
			" 'refused', count(*) FILTER (WHERE result = 'refused'),"
			" 'invite', count(*) FILTER (WHERE result = 'invite'),"
			" 'unchanged', count(*) FILTER (WHERE result = 'unchanged'),"
			" 'error', count(*) FILTER (WHERE result = 'error')) FROM bulk_result",
			0, NULL);
}

int bulk_store_results_stream(struct db_conn *db, struct db_stream *s)
{
	return db_stream_begin(s, db,
				"SELECT json_strip_nulls(json_build_object('line', line, 'email', email,"
				" 'name', display_name, 'ladder_stage', ladder_stage, 'result', result,"
				" 'code', code, 'detail', detail, 'user_id', user_id, 'status', status,"
				" 'enrollment_id', enrollment_id, 'waitlist_position',"
				" waitlist_position)) FROM bulk_result ORDER BY line",
				0, NULL);
}

int bulk_store_errors(struct db_conn *db, int limit, json_t **errors)
{
	return db_jsonf(db, errors,
			"SELECT coalesce(json_agg(json_build_object('field', 'line ' || line,"
			" 'message', detail->>'message') ORDER BY line), '[]') FROM (SELECT line, detail"
			" FROM bulk_result WHERE result = 'error' ORDER BY line LIMIT $1) e",
			"i", limit);
}

int bulk_store_invitations_mine(struct db_conn *db, long long user_id, json_t **items)
{
	return db_jsonf(db, items,
			"SELECT coalesce(json_agg(json_build_object('id', i.id, 'section_id',"
			" i.section_id, 'course_id', c.id, 'title_ko', c.title_ko, 'title_en',"
			" c.title_en, 'term', s.term, 'starts_on', s.starts_on, 'ends_on',"
			" s.ends_on, 'section_status', s.status, 'invited_at', i.created_at,"
			" 'enrollment_status', (SELECT e.status FROM enrollments e"
			" WHERE e.user_id = u.id AND e.section_id = i.section_id"
			" ORDER BY e.id DESC LIMIT 1)) ORDER BY i.id DESC), '[]')"
			" FROM users u JOIN enrollment_invitations i ON i.email = lower(u.email)"
			" JOIN sections s ON s.id = i.section_id JOIN courses c ON c.id = s.course_id"
			" WHERE u.id = $1 AND c.published AND s.status <> 'draft'",
			"l", user_id);
}
