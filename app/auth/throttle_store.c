/* throttle_store.c - sign-in throttling kept in PostgreSQL */
#include "lms/auth/throttle_store.h"

#include <stdio.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

int throttle_store_begin(struct db_conn *db, const char *email, const char *addr,
			 struct throttle_attempt *a)
{
	char window[16], acct_n[16], addr_n[16];
	PGresult *res = NULL;
	int rc;

	memset(a, 0, sizeof(*a));
	snprintf(window, sizeof(window), "%d", THROTTLE_WINDOW_S);
	snprintf(acct_n, sizeof(acct_n), "%d", THROTTLE_ACCOUNT_FAILURES);
	snprintf(addr_n, sizeof(addr_n), "%d", THROTTLE_ADDRESS_FAILURES);
	if ((rc = db_begin(db)) < 0)
		return rc;
	/* Always email first, then address: no two attempts wait on each
	 * other in a cycle. */
	if ((rc = db_execp(db, NULL,
			   "SELECT pg_advisory_xact_lock(hashtextextended('login email ' || $1, 0)),"
			   " pg_advisory_xact_lock(hashtextextended('login addr ' || $2, 0))",
			   email, addr)) < 0)
		goto fail;
	/* Locked until the oldest failure that still counts leaves the
	 * window: with n failures allowed, the n-th newest. */
	rc = db_execp(db, &res,
		      "WITH acct AS (SELECT at FROM login_attempts"
		      " WHERE email = $1 AND NOT succeeded"
		      " AND at > now() - make_interval(secs => $3::int)"
		      " AND at > coalesce((SELECT max(at) FROM login_attempts"
		      " WHERE email = $1 AND succeeded), '-infinity')),"
		      " addr AS (SELECT at FROM login_attempts"
		      " WHERE remote_addr = $2::inet AND NOT succeeded"
		      " AND at > now() - make_interval(secs => $3::int))"
		      " SELECT (SELECT count(*) FROM acct), (SELECT count(*) FROM addr),"
		      " ceil(extract(epoch FROM greatest("
		      " (SELECT at FROM acct ORDER BY at DESC OFFSET $4::int - 1 LIMIT 1),"
		      " (SELECT at FROM addr ORDER BY at DESC OFFSET $5::int - 1 LIMIT 1))"
		      " + make_interval(secs => $3::int) - clock_timestamp()))::int",
		      email, addr, window, acct_n, addr_n);
	if (rc < 0)
		goto fail;
	a->account_failures = (int)db_ll(res, 0, 0);
	a->address_failures = (int)db_ll(res, 0, 1);
	if (!PQgetisnull(res, 0, 2)) {
		a->retry_after_s = (int)db_ll(res, 0, 2);
		if (a->retry_after_s < 1)
			a->retry_after_s = 1;
		PQclear(res);
		return db_commit(db);
	}
	PQclear(res);
	res = NULL;
	if ((rc = db_execp(db, &res,
			   "INSERT INTO login_attempts (email, remote_addr) VALUES ($1, $2::inet)"
			   " RETURNING id",
			   email, addr)) < 0)
		goto fail;
	a->id = db_ll(res, 0, 0);
	PQclear(res);
	return db_commit(db);
fail:
	PQclear(res);
	db_rollback(db);
	return rc;
}

int throttle_store_succeeded(struct db_conn *db, long long attempt_id)
{
	char id[24];

	snprintf(id, sizeof(id), "%lld", attempt_id);
	return db_execp(db, NULL, "UPDATE login_attempts SET succeeded = true WHERE id = $1", id);
}

int throttle_store_forget(struct db_conn *db, long long attempt_id)
{
	char id[24];

	snprintf(id, sizeof(id), "%lld", attempt_id);
	return db_execp(db, NULL, "DELETE FROM login_attempts WHERE id = $1", id);
}
