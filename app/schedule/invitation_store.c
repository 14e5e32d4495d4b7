/* invitation_store.c - invitations to teach for an institution, and moves
 * of an instructor's home, in PostgreSQL */
#include "lms/schedule/invitation_store.h"

#include <stdlib.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

#define INVITATION_JSON                                                                  \
	"json_build_object('id', v.id, 'user_id', v.user_id, 'status', v.status,"          \
	" 'created_at', v.created_at, 'decided_at', v.decided_at, 'profile', v.profile,"    \
	" 'institution', (SELECT json_build_object('id', i.id, 'name_ko', i.name_ko,"       \
	"  'name_en', i.name_en, 'kind', i.kind) FROM institutions i"                      \
	"  WHERE i.id = v.institution_id),"                                               \
	" 'invited_by', (SELECT u.display_name FROM users u WHERE u.id = v.invited_by))"

int invitation_store_person(struct db_conn *db, long long user_id, long long institution_id,
			    bool *affiliated, bool *instructor)
{
	PGresult *res = NULL;
	int rc;

	*affiliated = *instructor = false;
	if ((rc = db_one_row(db, &res,
			     "SELECT u.affiliation_institution_id IS NOT DISTINCT FROM $2::bigint,"
			     " EXISTS (SELECT 1 FROM instructors i WHERE i.user_id = u.id)"
			     " FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL",
			     "ll", user_id, institution_id)) < 0)
		return rc;
	*affiliated = db_bool(res, 0, 0);
	*instructor = db_bool(res, 0, 1);
	PQclear(res);
	return 0;
}

int invitation_store_create(struct db_conn *db, long long user_id, long long institution_id,
			    long long inviter, const json_t *body, json_t **out)
{
	char *text = json_dumps(body, JSON_COMPACT);
	int rc;

	if (!text)
		return LMS_ENOMEM;
	rc = db_jsonf(db, out,
		      "WITH v AS (INSERT INTO instructor_invitations (user_id, institution_id,"
		      "  invited_by, profile) VALUES ($1, $2, $3,"
		      "  $4::jsonb - 'user_id' - 'institution_id') RETURNING *),"
		      " m AS (SELECT outbox_enqueue(v.user_id, 'instructor.invited',"
		      "  jsonb_build_object('institution_ko', i.name_ko, 'institution_en', i.name_en,"
		      "  'invitation_id', v.id), 'instructor_invitation:' || v.id) AS sent"
		      "  FROM v JOIN institutions i ON i.id = v.institution_id)"
		      " SELECT " INVITATION_JSON " FROM v, m",
		      "llls", user_id, institution_id, inviter, text);
	free(text);
	if (rc == LMS_EDB && db_sqlstate_is(db, "23505"))
		return LMS_ECONFLICT;
	return rc;
}

int invitation_store_mine(struct db_conn *db, long long user_id, json_t **out)
{
	return db_jsonf(db, out,
			"SELECT coalesce(json_agg(" INVITATION_JSON " ORDER BY v.id DESC), '[]')"
			" FROM (SELECT * FROM instructor_invitations WHERE user_id = $1"
			" ORDER BY id DESC LIMIT 100) v",
			"l", user_id);
}

int invitation_store_get(struct db_conn *db, long long id, json_t **out)
{
	return db_jsonf(db, out,
			"SELECT " INVITATION_JSON " FROM instructor_invitations v WHERE v.id = $1",
			"l", id);
}

int invitation_store_answer(struct db_conn *db, long long id, long long user_id, bool accept,
			    long long *institution_id, json_t **profile)
{
	PGresult *res = NULL;
	json_error_t jerr;
	int rc;

	*institution_id = 0;
	*profile = NULL;
	if ((rc = db_one_row(db, &res,
			     "SELECT status, institution_id, profile FROM instructor_invitations"
			     " WHERE id = $1 AND user_id = $2 FOR UPDATE",
			     "ll", id, user_id)) < 0)
		return rc;
	if (PQgetvalue(res, 0, 0)[0] != 'p') {
		PQclear(res);
		return LMS_ECONFLICT;
	}
	*institution_id = db_ll(res, 0, 1);
	*profile = json_loads(PQgetvalue(res, 0, 2), 0, &jerr);
	PQclear(res);
	if (!*profile)
		return LMS_ENOMEM;
	return db_execf(db, NULL,
			"UPDATE instructor_invitations SET status = $2, decided_at = now()"
			" WHERE id = $1",
			"ls", id, accept ? "accepted" : "declined");
}

int invitation_store_home_move(struct db_conn *db, long long id, long long institution_id,
			       long long actor, long long *from)
{
	PGresult *res = NULL;
	int rc;

	*from = 0;
	if ((rc = db_one_row(db, &res,
			     "SELECT home_institution_id FROM instructors WHERE user_id = $1"
			     " FOR UPDATE",
			     "l", id)) < 0)
		return rc;
	*from = db_ll(res, 0, 0);
	PQclear(res);
	return db_execf(db, NULL,
			"WITH h AS (UPDATE instructors SET home_institution_id = $2, updated_at = now()"
			"  WHERE user_id = $1 RETURNING user_id),"
			" d AS (DELETE FROM user_roles WHERE user_id = $1 AND role = 'instructor'"
			"  AND institution_id = $4 AND $4 <> $2),"
			" r AS (INSERT INTO user_roles (user_id, role, institution_id, granted_by)"
			"  VALUES ($1, 'instructor', $2, $3) ON CONFLICT DO NOTHING),"
			" s AS (DELETE FROM instructor_shares WHERE instructor_id = $1"
			"  AND institution_id = $2)"
			" SELECT outbox_enqueue($1, 'instructor.home_changed',"
			"  jsonb_build_object('institution_ko', i.name_ko, 'institution_en', i.name_en),"
			"  NULL) FROM institutions i, h WHERE i.id = $2",
			"llll", id, institution_id, actor, *from);
}
