/* recovery_store.c - links sent by mail (password reset, address verification)
 * and the limits on asking for them, in PostgreSQL */
#include "lms/auth/recovery_store.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "lms/auth/secret.h"
#include "lms/core/err.h"

int recovery_store_issue(struct db_conn *db, long long user_id, const char *purpose, int ttl_s)
{
	char token[SECRET_B64_LEN + 1], digest[SECRET_HEX_LEN + 1];
	const char *kind = strcmp(purpose, RECOVERY_RESET) ? "auth.email_verify"
							   : "auth.password_reset";
	PGresult *res = NULL;
	int rc;

	if ((rc = secret_token_new("", token, sizeof(token))) < 0)
		return rc;
	secret_sha256_hex(token, strlen(token), digest);
	/* The token itself travels only in the message's params, which the
	 * worker scrubs once the message is sent or given up. */
	rc = db_execf(db, &res,
		      "WITH u AS (SELECT id, email, display_name FROM users WHERE id = $1),"
		      " t AS (INSERT INTO mail_tokens (purpose, user_id, email, digest, expires_at)"
		      "  SELECT $2, id, email, $3, now() + make_interval(secs => $4::int) FROM u"
		      "  RETURNING id)"
		      " SELECT outbox_enqueue(u.id, $5, jsonb_build_object('token', $6::text,"
		      "  'name', u.display_name, 'minutes', $4::int / 60, 'hours', $4::int / 3600))"
		      " FROM u, t",
		      "lssiss", user_id, purpose, digest, ttl_s, kind, token);
	OPENSSL_cleanse(token, sizeof(token));
	if (rc < 0)
		return rc;
	rc = PQntuples(res) == 1 ? 0 : LMS_ENOTFOUND;
	PQclear(res);
	return rc;
}

int recovery_store_peek(struct db_conn *db, const char *purpose, const char *token,
			long long *user_id, char *email, size_t emaillen)
{
	char digest[SECRET_HEX_LEN + 1];
	PGresult *res = NULL;
	int rc;

	secret_sha256_hex(token, strlen(token), digest);
	if ((rc = db_one_row(db, &res,
			     "SELECT u.id, u.email FROM mail_tokens t JOIN users u ON u.id = t.user_id"
			     " WHERE t.digest = $1 AND t.purpose = $2 AND t.used_at IS NULL"
			     " AND t.expires_at > now() AND lower(u.email) = lower(t.email)",
			     "ss", digest, purpose)) < 0)
		return rc;
	*user_id = db_ll(res, 0, 0);
	snprintf(email, emaillen, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}

int recovery_store_consume(struct db_conn *db, const char *purpose, const char *token,
			   long long *user_id)
{
	char digest[SECRET_HEX_LEN + 1];
	PGresult *res = NULL;
	int rc;

	secret_sha256_hex(token, strlen(token), digest);
	/* The UPDATE's row lock makes a second use wait, then find it used. */
	if ((rc = db_one_row(db, &res,
			     "UPDATE mail_tokens t SET used_at = now() FROM users u"
			     " WHERE u.id = t.user_id AND t.digest = $1 AND t.purpose = $2"
			     " AND t.used_at IS NULL AND t.expires_at > now()"
			     " AND lower(u.email) = lower(t.email) RETURNING t.user_id",
			     "ss", digest, purpose)) < 0)
		return rc;
	*user_id = db_ll(res, 0, 0);
	PQclear(res);
	return db_execf(db, NULL,
			"UPDATE mail_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2"
			" AND used_at IS NULL",
			"ls", *user_id, purpose);
}

int recovery_store_allow(struct db_conn *db, const char *scope, const char *key, int limit,
			 int window_s, int *retry_after_s)
{
	PGresult *res = NULL;
	int rc;

	*retry_after_s = 0;
	if ((rc = db_execf(db, &res, "SELECT mail_request_allow($1, $2, $3, $4)", "ssii", scope,
			   key, limit, window_s)) < 0)
		return rc;
	*retry_after_s = (int)db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}

int recovery_store_user_by_email(struct db_conn *db, const char *email, long long *user_id)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_one_row(db, &res, "SELECT id FROM users WHERE lower(email) = lower($1)", "s",
			     email)) < 0)
		return rc;
	*user_id = db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}

int recovery_store_verified(struct db_conn *db, long long user_id, bool *changed)
{
	PGresult *res = NULL;
	int rc;

	*changed = false;
	if ((rc = db_execf(db, &res,
			   "UPDATE users SET email_verified_at = now(), updated_at = now()"
			   " WHERE id = $1 AND email_verified_at IS NULL RETURNING id",
			   "l", user_id)) < 0)
		return rc;
	*changed = PQntuples(res) == 1;
	PQclear(res);
	return 0;
}
