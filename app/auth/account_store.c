/* account_store.c - users and their roles in PostgreSQL */
#include "lms/auth/account_store.h"

#include <stdio.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

#define USER_JSON                                                                        \
	"json_build_object('id', u.id, 'email', u.email, 'display_name', u.display_name,"   \
	" 'ladder_stage', u.ladder_stage, 'affiliation_institution_id',"                   \
	" u.affiliation_institution_id, 'locale', u.locale, 'created_at', u.created_at,"   \
	" 'email_verified', u.email_verified_at IS NOT NULL,"                              \
	" 'roles', (SELECT coalesce(json_agg(json_build_object('role', r.role,"           \
	" 'institution_id', r.institution_id) ORDER BY r.id), '[]') FROM user_roles r"     \
	" WHERE r.user_id = u.id))"

int account_store_create(struct db_conn *db, const struct account_new *a, json_t **user)
{
	PGresult *res = NULL;
	int rc;

	*user = NULL;
	/* One statement: the user and its learner role exist together or not
	 * at all. */
	rc = db_execf(db, &res,
		      "WITH u AS (INSERT INTO users (email, password_hash, display_name,"
		      " ladder_stage, affiliation_institution_id, locale)"
		      " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id),"
		      " r AS (INSERT INTO user_roles (user_id, role) SELECT id, 'learner' FROM u)"
		      " SELECT id FROM u",
		      "ssss?ls", a->email, a->password_hash, a->display_name, a->ladder_stage,
		      a->affiliation_institution_id != 0, a->affiliation_institution_id, a->locale);
	if (rc == LMS_EDB && db_sqlstate_is(db, "23503"))
		return LMS_ENOTFOUND;
	if (rc < 0)
		return rc;
	rc = account_store_get(db, db_ll(res, 0, 0), user);
	PQclear(res);
	return rc;
}

int account_store_credentials(struct db_conn *db, const char *email, long long *user_id,
			      char *hash, size_t hashlen)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_one_row(db, &res,
			     "SELECT id, password_hash FROM users WHERE lower(email) = lower($1)",
			     "s", email)) < 0)
		return rc;
	*user_id = db_ll(res, 0, 0);
	snprintf(hash, hashlen, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}

int account_store_secret(struct db_conn *db, long long user_id, char *email, size_t emaillen,
			 char *hash, size_t hashlen)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_one_row(db, &res, "SELECT email, password_hash FROM users WHERE id = $1", "l",
			     user_id)) < 0)
		return rc;
	snprintf(email, emaillen, "%s", PQgetvalue(res, 0, 0));
	snprintf(hash, hashlen, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}

int account_store_set_hash(struct db_conn *db, long long user_id, const char *hash)
{
	return db_execf(db, NULL,
			"UPDATE users SET password_hash = $2, password_changed_at = now(),"
			" updated_at = now() WHERE id = $1",
			"ls", user_id, hash);
}

int account_store_get(struct db_conn *db, long long user_id, json_t **user)
{
	return db_jsonf(db, user, "SELECT " USER_JSON " FROM users u WHERE u.id = $1", "l",
			user_id);
}

int account_store_institution_exists(struct db_conn *db, long long id)
{
	return db_one_row(db, NULL, "SELECT 1 FROM institutions WHERE id = $1", "l", id);
}

int account_store_role_grant(struct db_conn *db, long long user_id, enum role role,
			     long long institution_id, long long granted_by, bool *created)
{
	PGresult *res = NULL;
	int rc;

	*created = false;
	rc = db_execf(db, &res,
		      "INSERT INTO user_roles (user_id, role, institution_id, granted_by)"
		      " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id",
		      "ls?l?l", user_id, role_name(role), institution_id != 0, institution_id,
		      granted_by != 0, granted_by);
	if (rc == LMS_EDB && db_sqlstate_is(db, "23503"))
		return LMS_ENOTFOUND;
	if (rc < 0)
		return rc;
	*created = PQntuples(res) == 1;
	PQclear(res);
	return 0;
}

int account_store_role_revoke(struct db_conn *db, long long user_id, enum role role,
			      long long institution_id)
{
	PGresult *res = NULL;
	int rc;

	/* Serialises revocations of platform_admin, so two at once cannot
	 * both see another admin left and leave none. */
	if (role == ROLE_PLATFORM_ADMIN &&
	    (rc = db_exec(db, NULL, "SELECT pg_advisory_xact_lock(hashtext('platform_admin'))", 0,
			  NULL)) < 0)
		goto out;
	rc = db_execf(db, &res,
		      "DELETE FROM user_roles WHERE user_id = $1 AND role = $2"
		      " AND institution_id IS NOT DISTINCT FROM $3::bigint"
		      " AND (role <> 'platform_admin' OR (SELECT count(*) FROM user_roles"
		      " WHERE role = 'platform_admin') > 1)"
		      " RETURNING id",
		      "ls?l", user_id, role_name(role), institution_id != 0, institution_id);
	if (rc < 0)
		goto out;
	if (PQntuples(res) == 0) {
		PQclear(res);
		res = NULL;
		/* Held but refused, or not held at all? */
		rc = db_execf(db, &res,
			      "SELECT 1 FROM user_roles WHERE user_id = $1 AND role = $2"
			      " AND institution_id IS NOT DISTINCT FROM $3::bigint",
			      "ls?l", user_id, role_name(role), institution_id != 0,
			      institution_id);
		if (rc == 0)
			rc = PQntuples(res) ? LMS_ECONFLICT : LMS_ENOTFOUND;
	}
out:
	PQclear(res);
	return rc;
}

int account_store_sessions_end(struct db_conn *db, long long user_id, long long keep_session_id)
{
	return db_execf(db, NULL, "DELETE FROM auth_sessions WHERE user_id = $1 AND id <> $2", "ll",
			user_id, keep_session_id);
}
