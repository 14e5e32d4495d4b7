/* token_store.h - institutions' API tokens, stored as digests */
#ifndef LMS_AUTH_TOKEN_STORE_H
#define LMS_AUTH_TOKEN_STORE_H

#include <jansson.h>

#include "lms/auth/principal.h"
#include "lms/auth/secret.h"

struct db_conn;

/* Tokens read "lms_" and 43 base64url characters, so a leaked one is easy
 * to recognise in a secret scanner. */
#define TOKEN_PREFIX "lms_"
#define TOKEN_LEN (sizeof(TOKEN_PREFIX) - 1 + SECRET_B64_LEN)

/*
 * Finds the live (not revoked, not expired) token, records its use time and
 * fills p as a PRINCIPAL_TOKEN. Returns 0, LMS_ENOTFOUND or another lms_err.
 */
int token_store_lookup(struct db_conn *db, const char *token, struct principal *p);

/*
 * Creates a token of institution_id with the scope bits, valid for days.
 * Writes the secret (shown once) into secret and the stored row (no secret)
 * into *row (new reference). Returns 0 or an lms_err.
 */
int token_store_create(struct db_conn *db, long long institution_id, const char *name,
		       unsigned scopes, int days, long long created_by, char secret[TOKEN_LEN + 1],
		       json_t **row);

/* Lists tokens of institution_id (0: all), newest first, with ids below
 * before_id (0: from the newest), at most limit, into *items (new). */
int token_store_list(struct db_conn *db, long long institution_id, long long before_id, int limit,
		     json_t **items);

/* The institution of token id; LMS_ENOTFOUND when there is no such token. */
int token_store_institution(struct db_conn *db, long long id, long long *institution_id);

/* Revokes token id (idempotent). Returns 0 or an lms_err. */
int token_store_revoke(struct db_conn *db, long long id, long long by_user);

#endif
