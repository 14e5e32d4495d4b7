/* session_store.c - browser sessions in PostgreSQL, stored as token digests */
#include "lms/auth/session_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

void session_csrf_token(const char *token, char out[SECRET_B64_LEN + 1])
{
	secret_hmac_b64url(token, "lms csrf", out);
}

void session_roles_parse(struct principal *p, const char *text)
{
	char name[32];
	long long inst;
	int used;

	p->nroles = 0;
	while (text && *text && p->nroles < PRINCIPAL_MAX_ROLES) {
		if (sscanf(text, "%31[a-z_]:%lld%n", name, &inst, &used) != 2)
			break;
		if (role_parse(name, &p->roles[p->nroles].role)) {
			p->roles[p->nroles].institution_id = inst;
			p->nroles++;
		}
		text += used;
		if (*text == ',')
			text++;
	}
}

int session_store_create(struct db_conn *db, long long user_id, int lifetime_s,
			 const char *remote_addr, const char *user_agent,
			 char token[SECRET_B64_LEN + 1])
{
	char hash[SECRET_HEX_LEN + 1];
	int rc;

	if ((rc = secret_token_new("", token, SECRET_B64_LEN + 1)) < 0)
		return rc;
	secret_sha256_hex(token, strlen(token), hash);
	if ((rc = db_execf(db, NULL,
			   "DELETE FROM auth_sessions WHERE user_id = $1 AND expires_at <= now()",
			   "l", user_id)) < 0)
		return rc;
	return db_execf(db, NULL,
			"INSERT INTO auth_sessions (token_hash, user_id, expires_at, remote_addr, "
			"user_agent) VALUES (decode($1, 'hex'), $2, now() + make_interval(secs => "
			"$3::int), $4::inet, left($5, 200))",
			"sliss", hash, user_id, lifetime_s, remote_addr, user_agent);
}

int session_store_lookup(struct db_conn *db, const char *token, int idle_s, struct principal *p)
{
	char hash[SECRET_HEX_LEN + 1];
	PGresult *res = NULL;
	int rc;

	secret_sha256_hex(token, strlen(token), hash);
	/* The last-use time is written at most every 30 s, not on every
	 * request: idle expiry needs no finer grain. */
	rc = db_one_row(db, &res,
			"WITH s AS ("
			" SELECT id, user_id, last_seen_at FROM auth_sessions"
			" WHERE token_hash = decode($1, 'hex') AND expires_at > now()"
			" AND last_seen_at > now() - make_interval(secs => $2::int)),"
			" touched AS ("
			" UPDATE auth_sessions a SET last_seen_at = now() FROM s"
			" WHERE a.id = s.id AND s.last_seen_at < now() - interval '30 seconds')"
			" SELECT s.id, s.user_id, (SELECT string_agg(r.role || ':' ||"
			" coalesce(r.institution_id, 0), ',' ORDER BY r.role = 'platform_admin'"
			" DESC, r.id) FROM user_roles r WHERE r.user_id = s.user_id) FROM s",
			"si", hash, idle_s);
	if (rc < 0)
		return rc;
	memset(p, 0, sizeof(*p));
	p->identified = true;
	p->kind = PRINCIPAL_USER;
	p->session_id = db_ll(res, 0, 0);
	p->user_id = db_ll(res, 0, 1);
	session_roles_parse(p, PQgetisnull(res, 0, 2) ? NULL : PQgetvalue(res, 0, 2));
	session_csrf_token(token, p->csrf_token);
	PQclear(res);
	return 0;
}

int session_store_delete(struct db_conn *db, long long session_id)
{
	return db_execf(db, NULL, "DELETE FROM auth_sessions WHERE id = $1", "l", session_id);
}
