/* idempotency_store.h - retried requests answered once: keys claimed and
 * answers kept in PostgreSQL */
#ifndef LMS_SERVICE_IDEMPOTENCY_STORE_H
#define LMS_SERVICE_IDEMPOTENCY_STORE_H

#include <stdbool.h>

struct db_conn;

/*
 * Idempotent retries, inside the caller's transaction: claims (user, scope,
 * key); with begin, the claim also begins that transaction (in the same
 * round trip). When an earlier request holds it, *replayed is true and
 * *status / *body (malloc'd) are its answer. Otherwise the caller does the
 * work and calls idempotency_store_finish with its answer before
 * committing. Returns 0, LMS_ECONFLICT while the earlier request still
 * runs, or a negative lms_err.
 */
int idempotency_store_claim(struct db_conn *db, long long user_id, const char *scope,
			    const char *key, bool begin, bool *replayed, int *status, char **body);

/* Keeps the answer (status, body) of the request that claimed (user,
 * scope, key); with commit, also commits the transaction (in the same
 * round trip). Returns 0 or a negative lms_err. */
int idempotency_store_finish(struct db_conn *db, long long user_id, const char *scope,
			     const char *key, int status, const char *body, bool commit);

#endif
