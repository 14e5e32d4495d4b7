/* profile_store.c - a person's own account in PostgreSQL */
#include "lms/auth/profile_store.h"

#include <stdlib.h>
#include <string.h>

#include "lms/auth/privacy.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"

int profile_store_consents_record(struct db_conn *db, long long user_id, const char *version,
				  const json_t *optional, const char *addr)
{
	char *list = json_is_array(optional) ? json_dumps(optional, JSON_COMPACT) : NULL;
	int rc;

	rc = db_execf(db, NULL,
		      "INSERT INTO privacy_consents (user_id, item, required, granted,"
		      " notice_version, remote_addr)"
		      " SELECT $1, item, item = $3, item = $3 OR coalesce($4::jsonb, '[]') ? item,"
		      " $2, nullif($5, '')::inet"
		      " FROM unnest(array[$3] || string_to_array($6, ',')) AS item",
		      "lss?sss", user_id, version, PRIVACY_REQUIRED_ITEM, list != NULL, list,
		      addr ? addr : "", privacy_optional_list());
	free(list);
	return rc;
}

int profile_store_affiliation_claim_status(struct db_conn *db, long long user_id,
					   long long institution_id, const char **status)
{
	PGresult *res = NULL;
	int rc;

	if (status)
		*status = "none";
	rc = db_execf(db, &res, "SELECT claim_status FROM affiliation_claim($1, nullif($2, 0))",
		      "ll", user_id, institution_id);
	if (rc == LMS_EDB && db_sqlstate_is(db, "23503"))
		return LMS_ENOTFOUND;
	if (rc < 0)
		return rc;
	if (status && PQntuples(res) == 1)
		*status = strcmp(PQgetvalue(res, 0, 0), "approved") == 0 ? "approved" : "pending";
	PQclear(res);
	return 0;
}

int profile_store_affiliation_claim(struct db_conn *db, long long user_id,
				    long long institution_id)
{
	return profile_store_affiliation_claim_status(db, user_id, institution_id, NULL);
}

#define INSTITUTION_JSON(i)                                                              \
	"json_build_object('id', " i ".id, 'code', " i ".code, 'kind', " i ".kind,"        \
	" 'name_ko', " i ".name_ko, 'name_en', " i ".name_en)"

int profile_store_get(struct db_conn *db, long long user_id, json_t **out)
{
	return db_jsonf(
		db, out,
		"SELECT json_build_object('id', u.id, 'email', u.email, 'display_name',"
		" u.display_name, 'ladder_stage', u.ladder_stage, 'locale', u.locale,"
		" 'created_at', u.created_at, 'email_verified_at', u.email_verified_at,"
		" 'affiliation_institution_id', u.affiliation_institution_id,"
		" 'affiliation', (SELECT " INSTITUTION_JSON("i") " FROM institutions i"
		"  WHERE i.id = u.affiliation_institution_id),"
		" 'affiliation_claim', (SELECT json_build_object('id', c.id, 'institution',"
		"  " INSTITUTION_JSON("i") ", 'status', c.status, 'verified_by', c.verified_by,"
		"  'reason', c.reason, 'created_at', c.created_at, 'decided_at', c.decided_at)"
		"  FROM affiliation_claims c JOIN institutions i ON i.id = c.institution_id"
		"  WHERE c.user_id = u.id AND c.status <> 'withdrawn' ORDER BY c.id DESC LIMIT 1),"
		" 'pending_email', (SELECT e.new_email FROM email_changes e WHERE e.user_id = u.id"
		"  AND e.used_at IS NULL AND e.expires_at > now() ORDER BY e.id DESC LIMIT 1),"
		" 'roles', (SELECT coalesce(json_agg(json_build_object('role', r.role,"
		"  'institution_id', r.institution_id) ORDER BY r.id), '[]') FROM user_roles r"
		"  WHERE r.user_id = u.id),"
		" 'consents', (SELECT coalesce(json_agg(json_build_object('item', p.item,"
		"  'required', p.required, 'granted', p.granted, 'notice_version',"
		"  p.notice_version, 'at', p.at) ORDER BY p.id), '[]') FROM privacy_consents p"
		"  WHERE p.user_id = u.id))"
		" FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL",
		"l", user_id);
}

int profile_store_update(struct db_conn *db, long long user_id, const json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	int rc;

	if (!text)
		return LMS_ENOMEM;
	rc = db_execf(db, NULL,
		      "UPDATE users SET display_name = coalesce(b->>'display_name', display_name),"
		      " locale = coalesce(b->>'locale', locale),"
		      " ladder_stage = coalesce(b->>'ladder_stage', ladder_stage), updated_at = now()"
		      " FROM (SELECT $2::jsonb AS b) body WHERE id = $1",
		      "ls", user_id, text);
	free(text);
	return rc;
}

int profile_store_email_taken(struct db_conn *db, long long user_id, const char *email,
			      bool *taken)
{
	PGresult *res = NULL;
	int rc;

	rc = db_execf(db, &res, "SELECT 1 FROM users WHERE lower(email) = lower($2) AND id <> $1",
		      "ls", user_id, email);
	if (rc < 0)
		return rc;
	*taken = PQntuples(res) > 0;
	PQclear(res);
	return 0;
}

int profile_store_email_change_request(struct db_conn *db, long long user_id,
				       const char *new_email, const char *hash_hex,
				       const char *token)
{
	PGresult *res = NULL;
	int rc;

	/* One link at a time: a new request ends the ones before it. */
	if ((rc = db_execf(db, NULL,
			   "UPDATE email_changes SET used_at = now() WHERE user_id = $1"
			   " AND used_at IS NULL",
			   "l", user_id)) < 0)
		return rc;
	rc = db_one_row(db, &res,
			"WITH c AS (INSERT INTO email_changes (user_id, new_email, token_hash,"
			"  expires_at) VALUES ($1, $2, decode($3, 'hex'),"
			"  now() + make_interval(secs => $5::int)) RETURNING id),"
			" u AS (SELECT display_name, locale FROM users WHERE id = $1)"
			" SELECT outbox_enqueue_address($2, u.locale, 'email_change.confirm',"
			"  jsonb_build_object('display_name', u.display_name, 'token', $4::text,"
			"  'new_email', $2::text), 'email_change.confirm:' || c.id),"
			" outbox_enqueue($1, 'email_change.requested',"
			"  jsonb_build_object('display_name', u.display_name, 'new_email', $2::text),"
			"  'email_change.requested:' || c.id)"
			" FROM c, u",
			"lsssi", user_id, new_email, hash_hex, token, PROFILE_EMAIL_LINK_TTL_S);
	PQclear(res);
	return rc;
}

int profile_store_email_change_confirm(struct db_conn *db, const char *hash_hex,
				       long long *user_id)
{
	PGresult *res = NULL;
	int rc;

	*user_id = 0;
	rc = db_one_row(db, &res,
			"UPDATE email_changes e SET used_at = now() FROM users u"
			" WHERE e.token_hash = decode($1, 'hex') AND e.used_at IS NULL"
			" AND e.expires_at > now() AND u.id = e.user_id AND u.deleted_at IS NULL"
			" RETURNING e.id, e.user_id",
			"s", hash_hex);
	if (rc < 0)
		return rc;
	*user_id = db_ll(res, 0, 1);
	rc = db_one_row(db, NULL,
			"WITH e AS (SELECT new_email FROM email_changes WHERE id = $1),"
			" old AS (SELECT email, locale, display_name FROM users WHERE id = $2"
			"  FOR UPDATE),"
			" q AS (SELECT outbox_enqueue_address(old.email, old.locale,"
			"  'email_change.done', jsonb_build_object('display_name', old.display_name,"
			"  'new_email', e.new_email), 'email_change.done:' || $1) FROM old, e)"
			" UPDATE users u SET email = e.new_email, email_verified_at = now(),"
			" updated_at = now() FROM e, q WHERE u.id = $2 RETURNING u.id",
			"ll", db_ll(res, 0, 0), *user_id);
	PQclear(res);
	if (rc == LMS_EDB && db_sqlstate_is(db, "23505"))
		return LMS_ECONFLICT;
	return rc;
}

int profile_store_export(struct db_conn *db, long long user_id, json_t **out)
{
	return db_jsonf(
		db, out,
		"SELECT json_build_object('exported_at', now(),"
		" 'profile', json_build_object('id', u.id, 'email', u.email, 'display_name',"
		"  u.display_name, 'ladder_stage', u.ladder_stage, 'locale', u.locale,"
		"  'affiliation_institution_id', u.affiliation_institution_id,"
		"  'email_verified_at', u.email_verified_at, 'created_at', u.created_at,"
		"  'updated_at', u.updated_at, 'password_changed_at', u.password_changed_at),"
		" 'roles', (SELECT coalesce(json_agg(json_build_object('role', r.role,"
		"  'institution_id', r.institution_id, 'granted_at', r.granted_at) ORDER BY r.id),"
		"  '[]') FROM user_roles r WHERE r.user_id = u.id),"
		" 'consents', (SELECT coalesce(json_agg(json_build_object('item', p.item,"
		"  'required', p.required, 'granted', p.granted, 'notice_version',"
		"  p.notice_version, 'at', p.at) ORDER BY p.id), '[]') FROM privacy_consents p"
		"  WHERE p.user_id = u.id),"
		" 'affiliation_claims', (SELECT coalesce(json_agg(json_build_object('id', c.id,"
		"  'institution_id', c.institution_id, 'status', c.status, 'verified_by',"
		"  c.verified_by, 'reason', c.reason, 'created_at', c.created_at, 'decided_at',"
		"  c.decided_at) ORDER BY c.id), '[]') FROM affiliation_claims c"
		"  WHERE c.user_id = u.id),"
		" 'enrollments', (SELECT coalesce(json_agg(json_build_object('id', e.id,"
		"  'section_id', e.section_id, 'course_id', c.id, 'course_code', c.code,"
		"  'course_title_ko', c.title_ko, 'course_title_en', c.title_en, 'term', s.term,"
		"  'status', e.status, 'created_at', e.created_at, 'updated_at', e.updated_at,"
		"  'history', (SELECT coalesce(json_agg(json_build_object('at', v.at, 'from',"
		"   v.from_status, 'to', v.to_status, 'reason', v.reason) ORDER BY v.id), '[]')"
		"   FROM enrollment_events v WHERE v.enrollment_id = e.id))"
		"  ORDER BY e.id), '[]') FROM enrollments e JOIN sections s ON s.id = e.section_id"
		"  JOIN courses c ON c.id = s.course_id WHERE e.user_id = u.id),"
		" 'applications', (SELECT coalesce(json_agg(json_build_object('enrollment_id', e.id,"
		"  'section_id', e.section_id, 'status', e.status, 'statement', e.statement,"
		"  'created_at', e.created_at) ORDER BY e.id), '[]') FROM enrollments e"
		"  WHERE e.user_id = u.id AND e.statement IS NOT NULL),"
		" 'attendance', (SELECT coalesce(json_agg(json_build_object('session_id',"
		"  a.session_id, 'enrollment_id', a.enrollment_id, 'starts_at', cs.starts_at,"
		"  'present', a.present, 'recorded_at', a.recorded_at) ORDER BY cs.starts_at), '[]')"
		"  FROM attendance a JOIN enrollments e ON e.id = a.enrollment_id"
		"  JOIN class_sessions cs ON cs.id = a.session_id WHERE e.user_id = u.id),"
		" 'lesson_progress', (SELECT coalesce(json_agg(to_jsonb(lp) - 'user_id'), '[]')"
		"  FROM lesson_progress lp WHERE lp.user_id = u.id),"
		" 'instructor_profile', (SELECT to_jsonb(i) FROM instructors i"
		"  WHERE i.user_id = u.id),"
		" 'sessions', (SELECT coalesce(json_agg(json_build_object('created_at',"
		"  s.created_at, 'last_seen_at', s.last_seen_at, 'remote_addr', s.remote_addr,"
		"  'user_agent', s.user_agent) ORDER BY s.id), '[]') FROM auth_sessions s"
		"  WHERE s.user_id = u.id),"
		" 'audit', (SELECT coalesce(json_agg(json_build_object('at', l.at, 'action',"
		"  l.action, 'target_type', l.target_type, 'target_id', l.target_id,"
		"  'remote_addr', l.remote_addr, 'detail', l.detail) ORDER BY l.id), '[]')"
		"  FROM audit_log l WHERE l.actor_user_id = u.id"
		"  OR (l.target_type = 'user' AND l.target_id = u.id)))"
		" FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL",
		"l", user_id);
}

int profile_store_erase(struct db_conn *db, long long user_id, int *ended)
{
	PGresult *res = NULL;
	int rc;

	*ended = 0;
	if ((rc = db_one_row(db, &res, "SELECT account_erase($1)", "l", user_id)) < 0)
		return rc;
	if (PQgetisnull(res, 0, 0))
		rc = LMS_ENOTFOUND;
	else if ((*ended = atoi(PQgetvalue(res, 0, 0))) < 0)
		rc = LMS_ECONFLICT;
	PQclear(res);
	return rc;
}
