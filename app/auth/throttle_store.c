/* throttle_store.c - sign-in and registration throttling kept in PostgreSQL */
#include "lms/auth/throttle_store.h"

#include <stdio.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

/* Runs sql, whose one parameter is the row id. */
static int exec_for_id(struct db_conn *db, const char *sql, long long row_id)
{
	char id[24];

	snprintf(id, sizeof(id), "%lld", row_id);
	return db_execp(db, NULL, sql, id);
}

/* Takes the transaction-scoped lock named kind and key ("login email",
 * "x@example.com"): decisions on one key are taken one at a time, by every
 * server instance. */
static int lock(struct db_conn *db, const char *kind, const char *key)
{
	return db_execp(db, NULL,
			"SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 0))", kind,
			key);
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

/* Runs the INSERT ... RETURNING id sql in the open transaction, stores the
 * id and commits; rolls back when either fails. */
static int insert_and_commit(struct db_conn *db, const char *sql, int nparams,
			     const char *const *params, long long *id)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_exec(db, &res, sql, nparams, params)) < 0) {
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
	char window[16], acct_n[16], busy[16];
	PGresult *res = NULL;
	int rc;

	memset(a, 0, sizeof(*a));
	snprintf(window, sizeof(window), "%d", THROTTLE_WINDOW_S);
	snprintf(acct_n, sizeof(acct_n), "%d", THROTTLE_ACCOUNT_FAILURES);
	snprintf(busy, sizeof(busy), "%d", THROTTLE_IN_FLIGHT_MAX_S);
	if ((rc = db_begin(db)) < 0)
		return rc;
	/* Locked until the oldest failure that still counts leaves the
	 * window: with n failures allowed, the n-th newest. */
	if ((rc = lock(db, "login email", email)) < 0 ||
	    (rc = db_execp(db, &res,
			   "WITH acct AS (SELECT at FROM login_attempts"
			   " WHERE email = $1 AND NOT succeeded"
			   " AND at > now() - make_interval(secs => $2::int)"
			   " AND at > coalesce((SELECT max(at) FROM login_attempts"
			   " WHERE email = $1 AND succeeded), '-infinity'))"
			   " SELECT (SELECT count(*) FROM acct),"
			   " ceil(extract(epoch FROM"
			   " (SELECT at FROM acct ORDER BY at DESC OFFSET $3::int - 1 LIMIT 1)"
			   " + make_interval(secs => $2::int) - clock_timestamp()))::int",
			   email, window, acct_n)) < 0) {
		db_rollback(db);
		return rc;
	}
	a->account_failures = (int)db_ll(res, 0, 0);
	if ((a->retry_after_s = wait_of(res, 1)) > 0)
		return db_commit(db);
	return insert_and_commit(db,
				 "INSERT INTO login_attempts (email, remote_addr, busy_until)"
				 " VALUES ($1, $2::inet, now() + make_interval(secs => $3::int))"
				 " RETURNING id",
				 3, (const char *[]){email, addr, busy}, &a->id);
}

int throttle_store_succeeded(struct db_conn *db, long long attempt_id)
{
	return exec_for_id(db,
			   "UPDATE login_attempts SET succeeded = true, busy_until = NULL WHERE id = $1",
			   attempt_id);
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
	char id[24], window[16], busy[16], delay[16];
	PGresult *res = NULL;
	int rc, failures, in_flight;

	memset(p, 0, sizeof(*p));
	snprintf(id, sizeof(id), "%lld", attempt_id);
	snprintf(window, sizeof(window), "%d", THROTTLE_WINDOW_S);
	snprintf(busy, sizeof(busy), "%d", THROTTLE_IN_FLIGHT_MAX_S);
	/* Unanswered attempts count as failures, as for the account: a burst
	 * sent at once is slowed down as much as the same burst sent in turn.
	 * Every attempt in flight started within THROTTLE_IN_FLIGHT_MAX_S, so
	 * the index on (remote_addr, at) finds them. */
	if ((rc = lock(db, "login addr", addr)) < 0 ||
	    (rc = db_execp(db, &res,
			   "SELECT count(*) FILTER (WHERE NOT succeeded),"
			   " count(*) FILTER (WHERE busy_until > clock_timestamp()"
			   " AND at > now() - make_interval(secs => $4::int))"
			   " FROM login_attempts WHERE remote_addr = $1::inet AND id <> $2"
			   " AND at > now() - make_interval(secs => $3::int)",
			   addr, id, window, busy)) < 0)
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
	snprintf(delay, sizeof(delay), "%d", p->delay_ms);
	return db_execp(db, NULL,
			"UPDATE login_attempts SET busy_until = CASE WHEN $2::int > 0 THEN"
			" clock_timestamp() + make_interval(secs => $2::int / 1000.0) END"
			" WHERE id = $1",
			id, delay);
}

int throttle_store_forget(struct db_conn *db, long long attempt_id)
{
	return exec_for_id(db, "DELETE FROM login_attempts WHERE id = $1", attempt_id);
}

int throttle_store_register(struct db_conn *db, const char *addr, int limit, int window_s,
			    long long *attempt_id, int *retry_after_s)
{
	char window[16], max[16];
	PGresult *res = NULL;
	int rc;

	*attempt_id = 0;
	*retry_after_s = 0;
	snprintf(window, sizeof(window), "%d", window_s);
	snprintf(max, sizeof(max), "%d", limit);
	if ((rc = db_begin(db)) < 0)
		return rc;
	/* Full until the limit-th newest attempt leaves the window. */
	if ((rc = lock(db, "register addr", addr)) < 0 ||
	    (rc = db_execp(db, NULL,
			   "DELETE FROM registration_attempts WHERE remote_addr = $1::inet"
			   " AND at <= now() - make_interval(secs => $2::int)",
			   addr, window)) < 0 ||
	    (rc = db_execp(db, &res,
			   "SELECT ceil(extract(epoch FROM (SELECT at FROM registration_attempts"
			   " WHERE remote_addr = $1::inet ORDER BY at DESC OFFSET $3::int - 1 LIMIT 1)"
			   " + make_interval(secs => $2::int) - clock_timestamp()))::int",
			   addr, window, max)) < 0) {
		db_rollback(db);
		return rc;
	}
	if ((*retry_after_s = wait_of(res, 0)) > 0)
		return db_commit(db);
	return insert_and_commit(db,
				 "INSERT INTO registration_attempts (remote_addr) VALUES ($1::inet)"
				 " RETURNING id",
				 1, (const char *[]){addr}, attempt_id);
}

int throttle_store_register_forget(struct db_conn *db, long long attempt_id)
{
	return exec_for_id(db, "DELETE FROM registration_attempts WHERE id = $1", attempt_id);
}
