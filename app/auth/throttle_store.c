/* throttle_store.c - sign-in and registration throttling kept in PostgreSQL */
#include "lms/auth/throttle_store.h"

#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

/* Takes the transaction-scoped lock named kind and key ("login email",
 * "x@example.com"): decisions on one key are taken one at a time, by every
 * server instance. */
static int lock(struct db_conn *db, const char *kind, const char *key)
{
	return db_execf(db, NULL,
			"SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 0))", "ss",
			kind, key);
}

/* Column col of the one row of res as seconds to wait, at least 1, or 0
 * when it is NULL (no limit reached). Clears res. */
static int wait_of(PGresult *res, int col)
{
	int s = 0;

	if (!PQgetisnull(res, 0, col) && (s = (int)db_ll(res, 0, col)) < 1)
		s = 1;
	PQclear(res);
	return s;
}

/* Ends the open transaction after an INSERT ... RETURNING id whose
 * outcome is rc and result res (cleared here): stores the id and commits,
 * or rolls back when either failed. */
static int insert_and_commit(struct db_conn *db, int rc, PGresult *res, long long *id)
{
	if (rc < 0) {
		db_rollback(db);
		return rc;
	}
	*id = db_ll(res, 0, 0);
	PQclear(res);
	if ((rc = db_commit(db)) < 0)
		db_rollback(db);
	return rc;
}

int throttle_store_begin(struct db_conn *db, const char *email, const char *addr,
			 struct throttle_attempt *a)
{
	PGresult *res = NULL;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((rc = db_begin(db)) < 0)
		return rc;
	/* Locked until the oldest failure that still counts leaves the
	 * window: with n failures allowed, the n-th newest. */
	if ((rc = lock(db, "login email", email)) < 0 ||
	    (rc = db_execf(db, &res,
			   "WITH acct AS (SELECT at FROM login_attempts"
			   " WHERE email = $1 AND NOT succeeded"
			   " AND at > now() - make_interval(secs => $2::int)"
			   " AND at > coalesce((SELECT max(at) FROM login_attempts"
			   " WHERE email = $1 AND succeeded), '-infinity'))"
			   " SELECT (SELECT count(*) FROM acct),"
			   " ceil(extract(epoch FROM"
			   " (SELECT at FROM acct ORDER BY at DESC OFFSET $3::int - 1 LIMIT 1)"
			   " + make_interval(secs => $2::int) - clock_timestamp()))::int",
			   "sii", email, THROTTLE_WINDOW_S, THROTTLE_ACCOUNT_FAILURES)) < 0) {
		db_rollback(db);
		return rc;
	}
	a->account_failures = (int)db_ll(res, 0, 0);
	if ((a->retry_after_s = wait_of(res, 1)) > 0)
		return db_commit(db);
	rc = db_execf(db, &res,
		      "INSERT INTO login_attempts (email, remote_addr, busy_until)"
		      " VALUES ($1, $2::inet, now() + make_interval(secs => $3::int))"
		      " RETURNING id",
		      "ssi", email, addr, THROTTLE_IN_FLIGHT_MAX_S);
	return insert_and_commit(db, rc, res, &a->id);
}

int throttle_store_succeeded(struct db_conn *db, long long attempt_id)
{
	return db_execf(db, NULL,
			"UPDATE login_attempts SET succeeded = true, busy_until = NULL"
			" WHERE id = $1",
			"l", attempt_id);
}

/* The delay of a failure after `failures` others from its address. */
static int penalty_delay_ms(int failures)
{
	int excess = failures - THROTTLE_ADDRESS_FAILURES, ms = THROTTLE_DELAY_BASE_MS;

	if (excess < 0)
		return 0;
	while (excess-- > 0 && ms < THROTTLE_DELAY_MAX_MS)
		ms *= 2;
	return ms < THROTTLE_DELAY_MAX_MS ? ms : THROTTLE_DELAY_MAX_MS;
}

int throttle_store_failed(struct db_conn *db, const char *addr, long long attempt_id,
			  struct throttle_penalty *p)
{
	PGresult *res = NULL;
	int rc, failures, in_flight;

	memset(p, 0, sizeof(*p));
	/* Unanswered attempts count as failures, as for the account: a burst
	 * sent at once is slowed down as much as the same burst sent in turn.
	 * Every attempt in flight started within THROTTLE_IN_FLIGHT_MAX_S, so
	 * the index on (remote_addr, at) finds them. */
	if ((rc = lock(db, "login addr", addr)) < 0 ||
	    (rc = db_execf(db, &res,
			   "SELECT count(*) FILTER (WHERE NOT succeeded),"
			   " count(*) FILTER (WHERE busy_until > clock_timestamp()"
			   " AND at > now() - make_interval(secs => $4::int))"
			   " FROM login_attempts WHERE remote_addr = $1::inet AND id <> $2"
			   " AND at > now() - make_interval(secs => $3::int)",
			   "slii", addr, attempt_id, THROTTLE_WINDOW_S,
			   THROTTLE_IN_FLIGHT_MAX_S)) < 0)
		return rc;
	failures = (int)db_ll(res, 0, 0);
	in_flight = (int)db_ll(res, 0, 1);
	PQclear(res);

	p->address_failures = failures + 1;
	p->delay_ms = penalty_delay_ms(failures);
	/* Past the cap the answer comes at once: a thread asleep per
	 * attempt would let one address hold every worker. */
	if (p->delay_ms > 0 && in_flight >= THROTTLE_ADDRESS_IN_FLIGHT) {
		p->retry_after_s = (p->delay_ms + 999) / 1000;
		p->delay_ms = 0;
	}
	return db_execf(db, NULL,
			"UPDATE login_attempts SET busy_until = CASE WHEN $2::int > 0 THEN"
			" clock_timestamp() + make_interval(secs => $2::int / 1000.0) END"
			" WHERE id = $1",
			"li", attempt_id, p->delay_ms);
}

int throttle_store_forget(struct db_conn *db, long long attempt_id)
{
	return db_execf(db, NULL, "DELETE FROM login_attempts WHERE id = $1", "l", attempt_id);
}

int throttle_store_register(struct db_conn *db, const char *addr, int limit, int window_s,
			    long long *attempt_id, int *retry_after_s)
{
	PGresult *res = NULL;
	int rc;

	*attempt_id = 0;
	*retry_after_s = 0;
	if ((rc = db_begin(db)) < 0)
		return rc;
	/* Full until the limit-th newest attempt leaves the window. */
	if ((rc = lock(db, "register addr", addr)) < 0 ||
	    (rc = db_execf(db, NULL,
			   "DELETE FROM registration_attempts WHERE remote_addr = $1::inet"
			   " AND at <= now() - make_interval(secs => $2::int)",
			   "si", addr, window_s)) < 0 ||
	    (rc = db_execf(db, &res,
			   "SELECT ceil(extract(epoch FROM (SELECT at FROM registration_attempts"
			   " WHERE remote_addr = $1::inet ORDER BY at DESC OFFSET $3::int - 1 LIMIT 1)"
			   " + make_interval(secs => $2::int) - clock_timestamp()))::int",
			   "sii", addr, window_s, limit)) < 0) {
		db_rollback(db);
		return rc;
	}
	if ((*retry_after_s = wait_of(res, 0)) > 0)
		return db_commit(db);
	rc = db_execf(db, &res,
		      "INSERT INTO registration_attempts (remote_addr) VALUES ($1::inet)"
		      " RETURNING id",
		      "s", addr);
	return insert_and_commit(db, rc, res, attempt_id);
}

int throttle_store_register_forget(struct db_conn *db, long long attempt_id)
{
	return db_execf(db, NULL, "DELETE FROM registration_attempts WHERE id = $1", "l",
			attempt_id);
}
