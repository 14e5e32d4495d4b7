/* account_store.h - users and their roles in PostgreSQL */
#ifndef LMS_AUTH_ACCOUNT_STORE_H
#define LMS_AUTH_ACCOUNT_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lms/auth/principal.h"

struct db_conn;

struct account_new {
	const char *email;
	const char *password_hash;
	const char *display_name;
	const char *ladder_stage;
	long long affiliation_institution_id; /* 0: none */
	const char *locale;
};

/*
 * Creates the user, holding the learner role, in one transaction; *user is
 * its JSON (new). Returns 0, LMS_ECONFLICT when the email is taken (in any
 * case), LMS_ENOTFOUND when the affiliation institution does not exist, or
 * another lms_err.
 */
int account_store_create(struct db_conn *db, const struct account_new *a, json_t **user);

/* The id and stored password hash of the account with email (any case).
 * Returns 0 or LMS_ENOTFOUND. */
int account_store_credentials(struct db_conn *db, const char *email, long long *user_id,
			      char *hash, size_t hashlen);

/* The email and stored password hash of user_id. Returns 0 or
 * LMS_ENOTFOUND. */
int account_store_secret(struct db_conn *db, long long user_id, char *email, size_t emaillen,
			 char *hash, size_t hashlen);

/* Stores a new password hash (a rehash at a higher cost, or a change). */
int account_store_set_hash(struct db_conn *db, long long user_id, const char *hash);

/* The user's JSON with its roles into *user (new); LMS_ENOTFOUND. */
int account_store_get(struct db_conn *db, long long user_id, json_t **user);

/* Whether institution id exists: 0 or LMS_ENOTFOUND. */
int account_store_institution_exists(struct db_conn *db, long long id);

/*
 * Grants role (at institution_id, 0 for platform_admin) to user_id.
 * *created is false when the user held it already. LMS_ENOTFOUND when the
 * user or the institution does not exist.
 */
int account_store_role_grant(struct db_conn *db, long long user_id, enum role role,
			     long long institution_id, long long granted_by, bool *created);

/*
 * Revokes it, inside the caller's transaction. LMS_ENOTFOUND when the
 * user does not hold it; LMS_ECONFLICT when it is the last platform_admin
 * (the platform would have no one left to administer it).
 */
int account_store_role_revoke(struct db_conn *db, long long user_id, enum role role,
			      long long institution_id);

/* Ends every session of user_id but keep_session_id (0: all). */
int account_store_sessions_end(struct db_conn *db, long long user_id, long long keep_session_id);

#endif
