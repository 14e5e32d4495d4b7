/* selection_store.c - intakes, stages, applications and offers in PostgreSQL */
#include "lms/selection/selection_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/blobstore.h"
#include "lms/db/sql.h"

int selection_store_section_owner(struct db_conn *db, long long section_id,
				  struct selection_owner *o)
{
	PGresult *res = NULL;
	int rc;

	memset(o, 0, sizeof(*o));
	if ((rc = db_one_row(db, &res,
			     "SELECT c.institution_id, c.published FROM sections s"
			     " JOIN courses c ON c.id = s.course_id WHERE s.id = $1",
			     "l", section_id)) < 0)
		return rc;
	o->id = section_id;
	o->institution_id = db_ll(res, 0, 0);
	o->published = db_bool(res, 0, 1);
	PQclear(res);
	return 0;
}

int selection_store_intake_owner(struct db_conn *db, long long id, struct selection_owner *o)
{
	PGresult *res = NULL;
	int rc;

	memset(o, 0, sizeof(*o));
	if ((rc = db_one_row(db, &res,
			     "SELECT i.institution_id, c.published AND s.status <> 'draft',"
			     " i.blind_review FROM intakes i JOIN sections s ON s.id = i.section_id"
			     " JOIN courses c ON c.id = s.course_id WHERE i.id = $1",
			     "l", id)) < 0)
		return rc;
	o->id = o->intake_id = id;
	o->institution_id = db_ll(res, 0, 0);
	o->published = db_bool(res, 0, 1);
	o->blind = db_bool(res, 0, 2);
	PQclear(res);
	return 0;
}

int selection_store_application_owner(struct db_conn *db, long long id, bool lock,
				      struct selection_owner *o)
{
	PGresult *res = NULL;
	int rc;

	memset(o, 0, sizeof(*o));
	rc = db_one_row(db, &res,
			lock ? "SELECT a.intake_id, i.institution_id, a.user_id, i.blind_review"
			       " FROM applications a JOIN intakes i ON i.id = a.intake_id"
			       " WHERE a.id = $1 FOR UPDATE OF a"
			     : "SELECT a.intake_id, i.institution_id, a.user_id, i.blind_review"
			       " FROM applications a JOIN intakes i ON i.id = a.intake_id"
			       " WHERE a.id = $1",
			"l", id);
	if (rc < 0)
		return rc;
	o->id = id;
	o->intake_id = db_ll(res, 0, 0);
	o->institution_id = db_ll(res, 0, 1);
	o->user_id = db_ll(res, 0, 2);
	o->blind = db_bool(res, 0, 3);
	o->published = true;
	PQclear(res);
	return 0;
}

int selection_store_intake_create(struct db_conn *db, const json_t *body, long long institution_id,
				  long long actor, long long *id)
{
	PGresult *res = NULL;
	char *stages = NULL;
	int rc;

	*id = 0;
	if (!(stages = json_dumps(json_object_get(body, "stages"), JSON_COMPACT)))
		return LMS_ENOMEM;
	/* The stages are numbered in the order given. */
	rc = db_one_row(
		db, &res,
		"WITH i AS (INSERT INTO intakes (section_id, institution_id, title_ko, title_en,"
		" opens_at, closes_at, offer_hours, created_by, blind_review)"
		" VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::integer, 72), $8,"
		" coalesce($10::boolean, false)) RETURNING id),"
		" st AS (INSERT INTO intake_stages (intake_id, position, kind, name_ko, name_en, rule,"
		" threshold, top_n, course_id)"
		" SELECT i.id, e.n, e.v->>'kind', e.v->>'name_ko', e.v->>'name_en', e.v->>'rule',"
		" (e.v->>'threshold')::numeric, (e.v->>'top_n')::integer, (e.v->>'course_id')::bigint"
		" FROM i, jsonb_array_elements($9::jsonb) WITH ORDINALITY AS e(v, n))"
		" SELECT id FROM i",
		"llssss?l?ls?b", json_integer_value(json_object_get(body, "section_id")), institution_id,
		json_string_value(json_object_get(body, "title_ko")),
		json_string_value(json_object_get(body, "title_en")),
		json_string_value(json_object_get(body, "opens_at")),
		json_string_value(json_object_get(body, "closes_at")),
		json_is_integer(json_object_get(body, "offer_hours")),
		(long long)json_integer_value(json_object_get(body, "offer_hours")),
		actor > 0, actor, stages, json_is_boolean(json_object_get(body, "blind_review")),
		json_is_true(json_object_get(body, "blind_review")));
	free(stages);
	if (rc < 0)
		return rc;
	*id = db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}

#define INTAKE_JSON                                                                      \
	"jsonb_build_object('id', i.id, 'section_id', i.section_id, 'course_id', s.course_id," \
	" 'institution_id', i.institution_id, 'program', p.code, 'title_ko', i.title_ko,"     \
	" 'title_en', i.title_en, 'blind_review', i.blind_review, 'course_title_ko', c.title_ko, 'course_title_en',"          \
	" c.title_en, 'opens_at', i.opens_at, 'closes_at', i.closes_at, 'offer_hours',"       \
	" i.offer_hours, 'open', now() >= i.opens_at AND now() < i.closes_at, 'seats',"       \
	" jsonb_build_object('capacity', s.capacity, 'enrolled', s.enrolled_count,"           \
	" 'offered', s.offered_count), 'stages', (SELECT coalesce(jsonb_agg("                 \
	" jsonb_build_object('id', st.id, 'position', st.position, 'kind', st.kind,"          \
	" 'name_ko', st.name_ko, 'name_en', st.name_en, 'rule', st.rule, 'threshold',"        \
	" st.threshold, 'top_n', st.top_n, 'course_id', st.course_id) ORDER BY st.position),"  \
	" '[]') FROM intake_stages st WHERE st.intake_id = i.id))"

#define INTAKE_FROM                                                                      \
	" FROM intakes i JOIN sections s ON s.id = i.section_id"                             \
	" JOIN courses c ON c.id = s.course_id JOIN programs p ON p.id = c.program_id"

int selection_store_intake_get(struct db_conn *db, long long id, json_t **out)
{
	return db_jsonf(db, out, "SELECT " INTAKE_JSON INTAKE_FROM " WHERE i.id = $1", "l", id);
}

int selection_store_intake_list(struct db_conn *db, long long institution_id, json_t **out)
{
	return db_jsonf(db, out,
			"SELECT coalesce(jsonb_agg(x.j ORDER BY x.id DESC), '[]') FROM (SELECT i.id, "
			INTAKE_JSON " AS j" INTAKE_FROM
			" WHERE c.published AND s.status <> 'draft'"
			" AND ($1::bigint IS NULL OR i.institution_id = $1)) x",
			"?l", institution_id > 0, institution_id);
}

int selection_store_stage_of(struct db_conn *db, long long intake_id, long long stage_id)
{
	return db_one_row(db, NULL, "SELECT 1 FROM intake_stages WHERE id = $1 AND intake_id = $2",
			  "ll", stage_id, intake_id);
}

int selection_store_apply(struct db_conn *db, long long user_id, long long intake_id,
			  const char *statement, struct selection_apply_result *r)
{
	PGresult *res = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = db_one_row(db, &res, "SELECT * FROM intake_apply($1, $2, $3)", "lls", user_id,
			intake_id, statement);
	if (rc < 0)
		return rc == LMS_ENOTFOUND ? LMS_EDB : rc;
	snprintf(r->code, sizeof(r->code), "%s", PQgetvalue(res, 0, 0));
	r->application_id = db_ll(res, 0, 1);
	if (!PQgetisnull(res, 0, 2))
		r->detail = json_loads(PQgetvalue(res, 0, 2), 0, NULL);
	PQclear(res);
	return 0;
}

#define APPLICATION_JSON                                                                  \
	"jsonb_build_object('id', a.id, 'intake_id', a.intake_id, 'user_id', a.user_id,"      \
	" 'display_name', u.display_name, 'email', u.email, 'status', a.status, 'stage',"     \
	" a.stage, 'statement', a.statement, 'offered_at', a.offered_at, 'offer_expires_at',"  \
	" a.offer_expires_at, 'enrollment_id', a.enrollment_id, 'created_at', a.created_at,"   \
	" 'updated_at', a.updated_at, 'total_score', (SELECT sum(r.score) FROM"               \
	" application_results r WHERE r.application_id = a.id), 'results', (SELECT"          \
	" coalesce(jsonb_agg(jsonb_build_object('stage_id', r.stage_id, 'position',"         \
	" st.position, 'score', r.score, 'decision', r.decision, 'decided_at', r.decided_at)" \
	" ORDER BY st.position), '[]') FROM application_results r JOIN intake_stages st"      \
	" ON st.id = r.stage_id WHERE r.application_id = a.id))"

int selection_store_application_get(struct db_conn *db, long long id, json_t **out)
{
	return db_jsonf(db, out,
			"SELECT " APPLICATION_JSON " || jsonb_build_object('intake', " INTAKE_JSON
			", 'documents', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', d.id,"
			" 'filename', d.filename, 'content_type', d.content_type, 'size', d.size,"
			" 'created_at', d.created_at) ORDER BY d.id), '[]') FROM application_documents d"
			" WHERE d.application_id = a.id), 'history', (SELECT coalesce(jsonb_agg(jsonb_build_object('at', v.at,"
			" 'from', v.from_status, 'to', v.to_status, 'from_stage', v.from_stage,"
			" 'to_stage', v.to_stage, 'actor_user_id', v.actor_user_id, 'reason',"
			" v.reason) ORDER BY v.id), '[]') FROM application_events v"
			" WHERE v.application_id = a.id))"
			" FROM applications a JOIN users u ON u.id = a.user_id"
			" JOIN intakes i ON i.id = a.intake_id JOIN sections s ON s.id = i.section_id"
			" JOIN courses c ON c.id = s.course_id JOIN programs p ON p.id = c.program_id"
			" WHERE a.id = $1",
			"l", id);
}

int selection_store_applications_mine(struct db_conn *db, long long user_id, json_t **out)
{
	return db_jsonf(db, out,
			"SELECT coalesce(jsonb_agg(" APPLICATION_JSON " || jsonb_build_object("
			"'intake', " INTAKE_JSON ", 'interview', (SELECT jsonb_build_object("
			"'session_id', cs.id, 'stage_id', ia.stage_id, 'starts_at', cs.starts_at,"
			" 'ends_at', cs.ends_at, 'status', cs.status, 'online_url', cs.online_url,"
			" 'facility', CASE WHEN f.id IS NULL THEN NULL ELSE jsonb_build_object("
			"'name_ko', f.name_ko, 'name_en', f.name_en, 'location', f.location) END)"
			" FROM interview_assignments ia JOIN class_sessions cs ON cs.id = ia.session_id"
			" LEFT JOIN facilities f ON f.id = cs.facility_id"
			" WHERE ia.application_id = a.id ORDER BY ia.assigned_at DESC LIMIT 1))"
			" ORDER BY a.id DESC), '[]')"
			" FROM applications a JOIN users u ON u.id = a.user_id"
			" JOIN intakes i ON i.id = a.intake_id JOIN sections s ON s.id = i.section_id"
			" JOIN courses c ON c.id = s.course_id JOIN programs p ON p.id = c.program_id"
			" WHERE a.user_id = $1",
			"l", user_id);
}

int selection_store_applications_of(struct db_conn *db, long long intake_id, const char *status,
				    json_t **out)
{
	return db_jsonf(db, out,
			"SELECT coalesce(jsonb_agg(" APPLICATION_JSON " ORDER BY a.id), '[]')"
			" FROM applications a JOIN users u ON u.id = a.user_id"
			" WHERE a.intake_id = $1 AND ($2::text IS NULL OR a.status = $2)",
			"ls", intake_id, status);
}

int selection_store_decide(struct db_conn *db, long long application_id, long long stage_id,
			   const char *score, const char *decision, long long actor,
			   const char *reason, struct selection_decision *d)
{
	PGresult *res = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = db_one_row(db, &res, "SELECT * FROM application_decide($1, $2, $3, $4, $5, $6)",
			"llssls", application_id, stage_id, score, decision, actor, reason);
	if (rc < 0)
		return rc == LMS_ENOTFOUND ? LMS_EDB : rc;
	snprintf(d->code, sizeof(d->code), "%s", PQgetvalue(res, 0, 0));
	snprintf(d->status, sizeof(d->status), "%s", PQgetvalue(res, 0, 1));
	d->stage = (int)db_ll(res, 0, 2);
	PQclear(res);
	return 0;
}

int selection_store_stage_close(struct db_conn *db, long long stage_id, long long actor,
				char *code, size_t len, long long *passed, long long *failed)
{
	PGresult *res = NULL;
	int rc;

	rc = db_one_row(db, &res, "SELECT * FROM intake_stage_close($1, $2)", "ll", stage_id,
			actor);
	if (rc < 0)
		return rc == LMS_ENOTFOUND ? LMS_EDB : rc;
	snprintf(code, len, "%s", PQgetvalue(res, 0, 0));
	*passed = db_ll(res, 0, 1);
	*failed = db_ll(res, 0, 2);
	PQclear(res);
	return 0;
}

int selection_store_transition(struct db_conn *db, long long id, const char *status,
			       long long actor, const char *reason)
{
	return db_execf(db, NULL, "SELECT application_move($1, $2, $3, $4)", "lsls", id, status,
			actor, reason);
}

int selection_store_offer(struct db_conn *db, long long intake_id, long long actor,
			  long long *made)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_execf(db, NULL, "SELECT selection_tell($1, 'offered')", "l", actor)) < 0)
		return rc;
	rc = db_one_row(db, &res,
			"SELECT intake_offer($1, 'offered: ranked among the passed applicants')", "l",
			intake_id);
	if (rc < 0)
		return rc;
	*made = db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}

int selection_store_accept(struct db_conn *db, long long id, long long actor, char *code,
			   size_t len)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_one_row(db, &res, "SELECT application_accept($1, $2)", "ll", id, actor)) < 0)
		return rc;
	snprintf(code, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int selection_store_expire(struct db_conn *db, int limit, long long *expired)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_one_row(db, &res, "SELECT offers_expire($1)", "i", limit)) < 0)
		return rc;
	*expired = db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}

int selection_store_decision_row(struct db_conn *db, long long intake_id,
				 long long application_id, const char *email, int position,
				 const char *score, const char *decision, long long actor,
				 const char *reason, struct selection_row_result *r)
{
	PGresult *res = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = db_one_row(db, &res,
			"SELECT * FROM intake_decision_row($1, $2, $3, $4, $5, $6, $7, $8)",
			"l?lsissls", intake_id, application_id > 0, application_id, email, position,
			score, decision, actor, reason);
	if (rc < 0)
		return rc == LMS_ENOTFOUND ? LMS_EDB : rc;
	snprintf(r->code, sizeof(r->code), "%s", PQgetvalue(res, 0, 0));
	r->application_id = db_ll(res, 0, 1);
	snprintf(r->from_status, sizeof(r->from_status), "%s", PQgetvalue(res, 0, 2));
	r->from_stage = (int)db_ll(res, 0, 3);
	snprintf(r->to_status, sizeof(r->to_status), "%s", PQgetvalue(res, 0, 4));
	r->to_stage = (int)db_ll(res, 0, 5);
	PQclear(res);
	return 0;
}

int selection_store_reviewer_is(struct db_conn *db, long long intake_id, long long user_id)
{
	return db_one_row(db, NULL,
			  "SELECT 1 FROM intake_reviewers WHERE intake_id = $1 AND user_id = $2", "ll",
			  intake_id, user_id);
}

int selection_store_reviewers(struct db_conn *db, long long intake_id, json_t **out)
{
	return db_jsonf(db, out,
			"SELECT coalesce(jsonb_agg(jsonb_build_object('user_id', r.user_id,"
			" 'display_name', u.display_name, 'email', u.email, 'added_at', r.created_at)"
			" ORDER BY r.user_id), '[]') FROM intake_reviewers r"
			" JOIN users u ON u.id = r.user_id WHERE r.intake_id = $1",
			"l", intake_id);
}

int selection_store_reviewer_add(struct db_conn *db, long long intake_id, long long user_id,
				 long long actor)
{
	/* Only the intake's institution's instructors and admins review. */
	int rc = db_one_row(db, NULL,
			    "INSERT INTO intake_reviewers (intake_id, user_id, added_by)"
			    " SELECT i.id, $2, $3 FROM intakes i WHERE i.id = $1 AND EXISTS ("
			    " SELECT 1 FROM user_roles ur WHERE ur.user_id = $2"
			    " AND ur.institution_id = i.institution_id"
			    " AND ur.role IN ('instructor', 'institution_admin'))"
			    " ON CONFLICT DO NOTHING RETURNING 1",
			    "lll", intake_id, user_id, actor);

	if (rc == LMS_ENOTFOUND && selection_store_reviewer_is(db, intake_id, user_id) == 0)
		return 0;
	return rc;
}

int selection_store_reviewer_remove(struct db_conn *db, long long intake_id, long long user_id)
{
	return db_one_row(db, NULL,
			  "DELETE FROM intake_reviewers WHERE intake_id = $1 AND user_id = $2"
			  " RETURNING 1",
			  "ll", intake_id, user_id);
}

int selection_store_document_add(struct db_conn *db, long long application_id, const void *data,
				 size_t len, const char *content_type, const char *filename,
				 long long *id)
{
	char hash[BLOB_HASH_LEN + 1];
	PGresult *res = NULL;
	int rc;

	*id = 0;
	if ((rc = db_one_row(db, NULL,
			     "SELECT 1 WHERE (SELECT count(*) FROM application_documents"
			     " WHERE application_id = $1) >= 10",
			     "l", application_id)) == 0)
		return LMS_ETOOBIG;
	if (rc != LMS_ENOTFOUND)
		return rc;
	if ((rc = blob_put(db, data, len, hash)) < 0)
		return rc;
	if ((rc = db_one_row(db, &res,
			     "INSERT INTO application_documents (application_id, sha256, content_type,"
			     " size, filename) VALUES ($1, $2, $3, $4, $5) RETURNING id",
			     "lssls", application_id, hash, content_type, (long long)len, filename)) < 0)
		return rc;
	*id = db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}

int selection_store_document_get(struct db_conn *db, long long application_id, long long id,
				 char *content_type, size_t typelen, char **data, size_t *len)
{
	struct blob_info b;
	PGresult *res = NULL;
	size_t got = 0;
	char *buf;
	int rc;

	*data = NULL;
	*len = 0;
	if ((rc = db_one_row(db, &res,
			     "SELECT sha256, content_type FROM application_documents"
			     " WHERE id = $1 AND application_id = $2",
			     "ll", id, application_id)) < 0)
		return rc;
	snprintf(content_type, typelen, "%s", PQgetvalue(res, 0, 1));
	rc = blob_stat(db, PQgetvalue(res, 0, 0), &b);
	PQclear(res);
	if (rc < 0)
		return rc == LMS_ENOTFOUND ? LMS_EIO : rc;
	if (!(buf = malloc((size_t)b.size)))
		return LMS_ENOMEM;
	/* A document is small (5 MiB at most): read whole, chunk by chunk. */
	while ((long long)got < b.size) {
		size_t n = 0;

		if ((rc = blob_read(db, &b, (long long)got, buf + got, (size_t)b.size - got, &n)) < 0) {
			free(buf);
			return rc;
		}
		got += n;
	}
	*data = buf;
	*len = got;
	return 0;
}

/* ---- interviews ---- */

int selection_store_interview_create(struct db_conn *db, const struct selection_slot *slot,
				     char *code, size_t len, long long *id)
{
	PGresult *res = NULL;
	int rc;

	*id = 0;
	rc = db_one_row(db, &res,
			"SELECT * FROM interview_slot_create($1, $2, $3::timestamptz,"
			" $4::timestamptz, $5, $6, $7)",
			"llssl?ls", slot->intake_id, slot->stage_id, slot->starts_at, slot->ends_at,
			slot->interviewer_id, slot->facility_id != 0, slot->facility_id,
			slot->online_url);
	if (rc == LMS_EDB && db_sqlstate_is(db, "23P01"))
		return LMS_ECONFLICT;
	if (rc < 0)
		return rc == LMS_ENOTFOUND ? LMS_EDB : rc;
	snprintf(code, len, "%s", PQgetvalue(res, 0, 0));
	*id = PQgetisnull(res, 0, 1) ? 0 : db_ll(res, 0, 1);
	PQclear(res);
	return 0;
}

int selection_store_interview_clash(struct db_conn *db, const struct selection_slot *slot,
				    bool by_facility, json_t **out)
{
	/* The scheduled session, class or interview, holding what the
	 * constraint guards at that time. */
	return db_jsonf(db, out,
			"SELECT json_build_object('id', cs.id, 'starts_at', cs.starts_at,"
			" 'ends_at', cs.ends_at, 'section_id', cs.section_id,"
			" 'interview', cs.interview_stage_id IS NOT NULL,"
			" 'course_title', c.title_ko, 'course_title_en', c.title_en)"
			" FROM class_sessions cs JOIN sections s ON s.id = cs.section_id"
			" JOIN courses c ON c.id = s.course_id"
			" WHERE cs.status = 'scheduled' AND (CASE WHEN $5 THEN cs.facility_id = $2"
			" ELSE cs.instructor_id = $1 END)"
			" AND tstzrange(cs.starts_at, cs.ends_at, '[)')"
			" && tstzrange($3::timestamptz, $4::timestamptz, '[)')"
			" ORDER BY cs.starts_at LIMIT 1",
			"llsss", slot->interviewer_id, slot->facility_id, slot->starts_at,
			slot->ends_at, by_facility ? "true" : "false");
}

int selection_store_interview_assign(struct db_conn *db, long long intake_id,
				     long long session_id, long long application_id,
				     long long actor, char *code, size_t len)
{
	PGresult *res = NULL;
	int rc;

	rc = db_one_row(db, &res, "SELECT interview_assign($1, $2, $3, $4)", "llll", intake_id,
			session_id, application_id, actor);
	if (rc < 0)
		return rc == LMS_ENOTFOUND ? LMS_EDB : rc;
	snprintf(code, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int selection_store_interviews(struct db_conn *db, long long intake_id, json_t **out)
{
	return db_jsonf(db, out,
			"SELECT coalesce(json_agg(json_build_object('id', cs.id,"
			" 'stage_id', cs.interview_stage_id, 'starts_at', cs.starts_at,"
			" 'ends_at', cs.ends_at, 'status', cs.status,"
			" 'interviewer', json_build_object('id', u.id,"
			"  'display_name', u.display_name),"
			" 'facility', CASE WHEN f.id IS NULL THEN NULL ELSE json_build_object("
			"  'id', f.id, 'name_ko', f.name_ko, 'name_en', f.name_en) END,"
			" 'online_url', cs.online_url,"
			" 'applicants', (SELECT coalesce(json_agg(json_build_object("
			"  'application_id', a.id, 'display_name', au.display_name)"
			"  ORDER BY a.id), '[]') FROM interview_assignments ia"
			"  JOIN applications a ON a.id = ia.application_id"
			"  JOIN users au ON au.id = a.user_id WHERE ia.session_id = cs.id))"
			" ORDER BY cs.starts_at, cs.id), '[]')"
			" FROM class_sessions cs JOIN intake_stages st ON st.id = cs.interview_stage_id"
			" JOIN users u ON u.id = cs.instructor_id"
			" LEFT JOIN facilities f ON f.id = cs.facility_id"
			" WHERE st.intake_id = $1",
			"l", intake_id);
}
