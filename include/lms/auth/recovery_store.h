/* recovery_store.h - links sent by mail (password reset, address verification)
 * and the limits on asking for them, in PostgreSQL */
#ifndef LMS_AUTH_RECOVERY_STORE_H
#define LMS_AUTH_RECOVERY_STORE_H

#include <stddef.h>

#include "lms/db/sql.h"

#define RECOVERY_RESET "password_reset"
#define RECOVERY_VERIFY "email_verify"

/*
 * Makes a link of purpose (RECOVERY_RESET or RECOVERY_VERIFY) for user_id,
 * valid ttl_s seconds, stores its digest and enqueues the message that
 * carries it (auth.password_reset or auth.email_verify), all in the
 * caller's transaction. Returns 0, LMS_ENOTFOUND when there is no such
 * user, or another lms_err.
 */
int recovery_store_issue(struct db_conn *db, long long user_id, const char *purpose, int ttl_s);

/*
 * The account a live link of purpose belongs to (unused, not expired, and
 * still the account's address) into *user_id and its address into email.
 * Returns 0 or LMS_ENOTFOUND.
 */
int recovery_store_peek(struct db_conn *db, const char *purpose, const char *token,
			long long *user_id, char *email, size_t emaillen);

/*
 * Uses up a live link of purpose, and every other link of that purpose
 * of its account, inside the caller's transaction: one use at most, even
 * when two requests bring it at once. Returns 0 with *user_id, or
 * LMS_ENOTFOUND.
 */
int recovery_store_consume(struct db_conn *db, const char *purpose, const char *token,
			   long long *user_id);

/*
 * Counts a request in scope for key ("reset addr", "192.0.2.1") against
 * limit per window_s. Returns 0 with *retry_after_s 0 when it is allowed,
 * or with the seconds to wait when it is not.
 */
int recovery_store_allow(struct db_conn *db, const char *scope, const char *key, int limit,
			 int window_s, int *retry_after_s);

/* The account of email (any case): 0 with *user_id, or LMS_ENOTFOUND. */
int recovery_store_user_by_email(struct db_conn *db, const char *email, long long *user_id);

/* Marks the address of user_id verified (when it is not yet); *changed
 * tells whether it was not. */
int recovery_store_verified(struct db_conn *db, long long user_id, bool *changed);

#endif
