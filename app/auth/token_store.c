/* token_store.c - institutions' API tokens, stored as digests */
#include "lms/auth/token_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

/* The JSON of a token row: never the secret or its digest. */
#define TOKEN_JSON                                                                       \
	"json_build_object('id', t.id, 'institution_id', t.institution_id, 'name', t.name,"  \
	" 'token_prefix', t.token_prefix, 'scopes', t.scopes, 'created_by', t.created_by,"  \
	" 'created_at', t.created_at, 'expires_at', t.expires_at, 'last_used_at',"          \
	" t.last_used_at, 'revoked_at', t.revoked_at)"

int token_store_lookup(struct db_conn *db, const char *token, struct principal *p)
{
	char hash[SECRET_HEX_LEN + 1];
	PGresult *res = NULL;
	int rc;

	secret_sha256_hex(token, strlen(token), hash);
	rc = db_one_row(db, &res,
			"UPDATE api_tokens SET last_used_at = now()"
			" WHERE token_hash = decode($1, 'hex') AND revoked_at IS NULL"
			" AND expires_at > now()"
			" RETURNING id, institution_id, array_to_string(scopes, ',')",
			"s", hash);
	if (rc < 0)
		return rc;
	memset(p, 0, sizeof(*p));
	p->identified = true;
	p->kind = PRINCIPAL_TOKEN;
	p->token_id = db_ll(res, 0, 0);
	p->token_institution_id = db_ll(res, 0, 1);
	for (char *s = PQgetvalue(res, 0, 2), *end; s && *s; s = *end ? end + 1 : end) {
		char name[32];
		size_t n;

		end = s + strcspn(s, ",");
		n = (size_t)(end - s) < sizeof(name) - 1 ? (size_t)(end - s) : sizeof(name) - 1;
		memcpy(name, s, n);
		name[n] = '\0';
		p->scopes |= scope_parse(name);
	}
	PQclear(res);
	return 0;
}

int token_store_create(struct db_conn *db, long long institution_id, const char *name,
		       unsigned scopes, int days, long long created_by, char secret[TOKEN_LEN + 1],
		       json_t **row)
{
	char hash[SECRET_HEX_LEN + 1], list[128] = "", prefix[16];
	int rc;

	*row = NULL;
	for (unsigned bit = 1; bit && bit <= scopes; bit <<= 1) {
		if (!(scopes & bit))
			continue;
		strncat(list, list[0] ? "," : "", sizeof(list) - strlen(list) - 1);
		strncat(list, scope_name((enum scope)bit), sizeof(list) - strlen(list) - 1);
	}
	if ((rc = secret_token_new(TOKEN_PREFIX, secret, TOKEN_LEN + 1)) < 0)
		return rc;
	secret_sha256_hex(secret, strlen(secret), hash);
	snprintf(prefix, sizeof(prefix), "%.12s", secret);
	return db_jsonf(db, row,
			"INSERT INTO api_tokens AS t (institution_id, name, token_hash, token_prefix,"
			" scopes, created_by, expires_at) VALUES ($1, $2, decode($3, 'hex'), $4,"
			" string_to_array($5, ','), $6, now() + make_interval(days => $7::int))"
			" RETURNING " TOKEN_JSON,
			"lssssli", institution_id, name, hash, prefix, list, created_by, days);
}

int token_store_list(struct db_conn *db, long long institution_id, long long before_id, int limit,
		     json_t **items)
{
	return db_jsonf(db, items,
			"SELECT coalesce(json_agg(" TOKEN_JSON " ORDER BY t.id DESC), '[]')"
			" FROM (SELECT * FROM api_tokens WHERE ($1::bigint = 0 OR institution_id = $1::bigint)"
			" AND ($2::bigint = 0 OR id < $2::bigint) ORDER BY id DESC LIMIT $3) t",
			"lli", institution_id, before_id, limit);
}

int token_store_institution(struct db_conn *db, long long id, long long *institution_id)
{
	PGresult *res = NULL;
	int rc;

	rc = db_one_row(db, &res, "SELECT institution_id FROM api_tokens WHERE id = $1", "l", id);
	*institution_id = db_ll(res, 0, 0);
	PQclear(res);
	return rc;
}

int token_store_revoke(struct db_conn *db, long long id, long long by_user)
{
	return db_execf(db, NULL,
			"UPDATE api_tokens SET revoked_at = now(), revoked_by = $2"
			" WHERE id = $1 AND revoked_at IS NULL",
			"ll", id, by_user);
}
