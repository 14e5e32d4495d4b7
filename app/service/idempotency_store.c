/* idempotency_store.c - retried requests answered once: keys claimed and
 * answers kept in PostgreSQL */
#include "lms/service/idempotency_store.h"

#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

int idempotency_store_claim(struct db_conn *db, long long user_id, const char *scope,
			    const char *key, bool begin, bool *replayed, int *status, char **body)
{
	static const char claim[] = "INSERT INTO idempotency_keys (user_id, scope, key)"
				    " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1";
	struct db_params p;
	PGresult *res = NULL;
	int rc;

	*replayed = false;
	*body = NULL;
	/* A second request with the key waits here, on the key's unique index,
	 * until the first commits; then it finds the first answer. */
	if ((rc = db_params_format(&p, "lss", user_id, scope, key)) < 0 ||
	    (rc = begin ? db_begin_exec(db, &res, claim, p.n, p.values)
			: db_exec(db, &res, claim, p.n, p.values)) < 0)
		return rc;
	rc = PQntuples(res) == 1 ? 0 : LMS_ENOTFOUND;
	PQclear(res);
	if (rc == 0)
		return 0;
	/* Claimed before: by an answered request, or by one still running. */
	rc = db_one_row(db, &res,
			"SELECT status, body FROM idempotency_keys WHERE user_id = $1"
			" AND scope = $2 AND key = $3 AND status IS NOT NULL",
			"lss", user_id, scope, key);
	if (rc == LMS_ENOTFOUND)
		return LMS_ECONFLICT;
	if (rc < 0)
		return rc;
	if ((*body = strdup(PQgetvalue(res, 0, 1)))) {
		*replayed = true;
		*status = (int)db_ll(res, 0, 0);
	} else {
		rc = LMS_ENOMEM;
	}
	PQclear(res);
	return rc;
}

int idempotency_store_finish(struct db_conn *db, long long user_id, const char *scope,
			     const char *key, int status, const char *body, bool commit)
{
	static const char keep[] = "UPDATE idempotency_keys SET status = $4, body = $5"
				   " WHERE user_id = $1 AND scope = $2 AND key = $3";
	struct db_params p;
	int rc;

	if ((rc = db_params_format(&p, "lssis", user_id, scope, key, status, body)) < 0)
		return rc;
	return commit ? db_exec_commit(db, NULL, keep, p.n, p.values)
		      : db_exec(db, NULL, keep, p.n, p.values);
}
