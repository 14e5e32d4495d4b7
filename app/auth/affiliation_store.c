/* affiliation_store.c - institutions, their e-mail domains, affiliation
 * claims and the user directory in PostgreSQL */
#include <stdbool.h>
#include <stdlib.h>

#include "lms/auth/affiliation_store.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"

#define CLAIM_JSON                                                                       \
	"json_build_object('id', c.id, 'status', c.status, 'verified_by', c.verified_by,"  \
	" 'reason', c.reason, 'created_at', c.created_at, 'decided_at', c.decided_at,"      \
	" 'institution_id', c.institution_id, 'user', json_build_object('id', u.id,"         \
	" 'email', u.email, 'display_name', u.display_name, 'ladder_stage', u.ladder_stage," \
	" 'email_verified', u.email_verified_at IS NOT NULL))"

int affiliation_store_institution_create(struct db_conn *db, const json_t *body, json_t **out)
{
	char *text = json_dumps(body, JSON_COMPACT);
	int rc;

	if (!text)
		return LMS_ENOMEM;
	rc = db_jsonf(db, out,
		      "INSERT INTO institutions AS i (code, kind, name_ko, name_en, region,"
		      " is_partner, is_regional_center)"
		      " SELECT b->>'code', b->>'kind', b->>'name_ko', b->>'name_en', b->>'region',"
		      " coalesce((b->>'is_partner')::boolean, false),"
		      " coalesce((b->>'is_regional_center')::boolean, false)"
		      " FROM (SELECT $1::jsonb AS b) body"
		      " RETURNING json_build_object('id', i.id, 'code', i.code, 'kind', i.kind,"
		      " 'name_ko', i.name_ko, 'name_en', i.name_en, 'region', i.region,"
		      " 'is_partner', i.is_partner, 'is_regional_center', i.is_regional_center)",
		      "s", text);
	free(text);
	if (rc == LMS_EDB && db_sqlstate_is(db, "23505"))
		return LMS_ECONFLICT;
	return rc;
}

int affiliation_store_domains(struct db_conn *db, long long institution_id, json_t **out)
{
	return db_jsonf(db, out,
			"SELECT coalesce(json_agg(json_build_object('domain', d.domain,"
			" 'institution_id', d.institution_id, 'created_at', d.created_at)"
			" ORDER BY d.domain), '[]') FROM institution_domains d"
			" WHERE d.institution_id = $1",
			"l", institution_id);
}

int affiliation_store_domain_add(struct db_conn *db, long long institution_id,
				 const char *domain, long long by, json_t **out)
{
	int rc = db_jsonf(db, out,
			  "INSERT INTO institution_domains AS d (domain, institution_id, created_by)"
			  " VALUES (lower($2), $1, $3) RETURNING json_build_object('domain',"
			  " d.domain, 'institution_id', d.institution_id, 'created_at', d.created_at)",
			  "lsl", institution_id, domain, by);

	if (rc == LMS_EDB && db_sqlstate_is(db, "23505"))
		return LMS_ECONFLICT;
	if (rc == LMS_EDB && db_sqlstate_is(db, "23514"))
		return LMS_EINVAL;
	return rc;
}

int affiliation_store_domain_remove(struct db_conn *db, long long institution_id,
				    const char *domain)
{
	return db_one_row(db, NULL,
			  "DELETE FROM institution_domains WHERE institution_id = $1"
			  " AND domain = lower($2) RETURNING domain",
			  "ls", institution_id, domain);
}

int affiliation_store_claims(struct db_conn *db, long long institution_id, const char *status,
			     long long before, int limit, json_t **out)
{
	return db_jsonf(db, out,
			"SELECT coalesce(json_agg(" CLAIM_JSON " ORDER BY c.id DESC), '[]')"
			" FROM (SELECT * FROM affiliation_claims WHERE institution_id = $1"
			"  AND ($2::text IS NULL OR status = $2) AND ($3::bigint = 0 OR id < $3)"
			"  ORDER BY id DESC LIMIT $4) c JOIN users u ON u.id = c.user_id",
			"l?sli", institution_id, status != NULL, status, before, limit);
}

int affiliation_store_claim_institution(struct db_conn *db, long long id,
					long long *institution_id)
{
	PGresult *res = NULL;
	int rc;

	*institution_id = 0;
	if ((rc = db_one_row(db, &res, "SELECT institution_id FROM affiliation_claims WHERE id = $1",
			     "l", id)) < 0)
		return rc;
	*institution_id = db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}

int affiliation_store_claim_decide(struct db_conn *db, long long id, long long actor,
				   bool approve, const char *reason, json_t **out)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_one_row(db, &res,
			     "SELECT affiliation_claim_decide($1, $2, $3, 'admin', nullif($4, ''))",
			     "llbs", id, actor, approve, reason ? reason : "")) < 0)
		return rc;
	rc = db_bool(res, 0, 0) ? 0 : LMS_ECONFLICT;
	PQclear(res);
	if (rc < 0)
		return rc;
	return db_jsonf(db, out,
			"SELECT " CLAIM_JSON " FROM affiliation_claims c JOIN users u"
			" ON u.id = c.user_id WHERE c.id = $1",
			"l", id);
}

int affiliation_store_users(struct db_conn *db, long long institution_id, const char *q,
			    long long after, int limit, json_t **out)
{
	/* Related to an institution: affiliated or claiming to be, enrolled
	 * in (or applying to) one of its sections, teaching for it (home or
	 * shared), invited to, or holding one of its roles. */
	return db_jsonf(
		db, out,
		"SELECT coalesce(json_agg(json_build_object('id', u.id, 'email', u.email,"
		" 'display_name', u.display_name, 'ladder_stage', u.ladder_stage,"
		" 'affiliation_institution_id', u.affiliation_institution_id,"
		" 'email_verified', u.email_verified_at IS NOT NULL,"
		" 'instructor_home_institution_id', (SELECT i.home_institution_id FROM instructors i"
		"  WHERE i.user_id = u.id),"
		" 'roles', (SELECT coalesce(json_agg(json_build_object('role', r.role,"
		"  'institution_id', r.institution_id) ORDER BY r.id), '[]') FROM user_roles r"
		"  WHERE r.user_id = u.id)) ORDER BY u.id), '[]')"
		" FROM (SELECT * FROM users u WHERE u.deleted_at IS NULL AND u.id > $3"
		"  AND ($2 = '' OR strpos(lower(u.email), lower($2)) > 0"
		"   OR strpos(lower(u.display_name), lower($2)) > 0)"
		"  AND ($1::bigint = 0 OR u.affiliation_institution_id = $1"
		"   OR EXISTS (SELECT 1 FROM affiliation_claims c WHERE c.user_id = u.id"
		"    AND c.institution_id = $1 AND c.status = 'pending')"
		"   OR EXISTS (SELECT 1 FROM enrollments e JOIN sections s ON s.id = e.section_id"
		"    JOIN courses co ON co.id = s.course_id WHERE e.user_id = u.id"
		"    AND co.institution_id = $1)"
		"   OR EXISTS (SELECT 1 FROM instructors i WHERE i.user_id = u.id"
		"    AND (i.home_institution_id = $1 OR EXISTS (SELECT 1 FROM instructor_shares sh"
		"     WHERE sh.instructor_id = i.user_id AND sh.institution_id = $1)))"
		"   OR EXISTS (SELECT 1 FROM instructor_invitations v WHERE v.user_id = u.id"
		"    AND v.institution_id = $1 AND v.status = 'pending')"
		"   OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id"
		"    AND r.institution_id = $1))"
		"  ORDER BY u.id LIMIT $4) u",
		"lsli", institution_id, q, after, limit);
}
