/* prepared_test.c - statements prepared once per pooled connection, against
 * a real PostgreSQL: reused, bounded, refreshed after a schema change and
 * after a reconnect, and failing as unnamed statements fail; a transaction
 * begun or committed in the round trip of its first or last statement */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/pool.h"

static char conninfo[1024];

static int setup(void **state)
{
	(void)state;
	return harness_db_create("it_prepared", conninfo, sizeof(conninfo));
}

/* A pool of one connection with statements prepared, and that connection. */
static struct db_pool *pool_of_one(struct db_conn **c)
{
	struct db_pool *p = db_pool_new(conninfo, 1, 1000);
	char msg[256];

	assert_non_null(p);
	db_pool_set_prepare(p, true);
	assert_int_equal(db_pool_acquire(p, c, msg, sizeof(msg)), 0);
	assert_true((*c)->prepare);
	return p;
}

/* How many statements the server holds prepared for this session. */
static long long server_prepared(struct db_conn *c)
{
	PGresult *r = NULL;
	long long n;

	assert_int_equal(db_exec(c, &r, "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'lms\\_%'", 0, NULL),
			 0);
	n = db_ll(r, 0, 0);
	PQclear(r);
	return n;
}

static void a_statement_is_prepared_once_and_reused(void **state)
{
	struct db_conn *c;
	struct db_pool *p = pool_of_one(&c);
	PGresult *r = NULL;
	int base = c->nprepared; /* the pool's own look at the database's role */

	(void)state;
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(db_one_row(c, &r, "SELECT $1::int * 2", "i", i), 0);
		assert_int_equal(db_ll(r, 0, 0), 2 * i);
		PQclear(r);
	}
	/* That statement, and then the count's own. */
	assert_int_equal(c->nprepared, base + 1);
	assert_int_equal(server_prepared(c), base + 2);
	assert_int_equal(server_prepared(c), base + 2);
	/* A statement with an optional filter, in either form, is planned
	 * with its values. */
	for (int i = 0; i < 7; i++) {
		assert_int_equal(db_one_row(c, &r,
					    "SELECT count(*) FROM pg_class"
					    " WHERE ($1::text IS NULL OR relname = $1::text)",
					    "s", i % 2 ? "pg_class" : NULL),
				 0);
		assert_true(db_ll(r, 0, 0) >= 1);
		PQclear(r);
	}
	for (int i = 0; i < 7; i++) {
		assert_int_equal(db_one_row(c, &r,
					    "SELECT count(*) FROM pg_class"
					    " WHERE ($1::bigint = 0 OR oid = $1::bigint)",
					    "l", (long long)(i % 2 ? 1259 : 0)),
				 0);
		assert_true(db_ll(r, 0, 0) >= 1);
		PQclear(r);
	}
	assert_int_equal(c->nprepared, base + 2);
	/* Raw bytes travel through a prepared statement as through an unnamed one. */
	{
		const char *params[] = {"\x01\x00\xff"};
		const int lengths[] = {3}, formats[] = {1};

		assert_int_equal(db_exec_raw(c, &r, "SELECT length($1::bytea), $1::bytea", 1,
					     params, lengths, formats, true),
				 0);
		assert_int_equal(PQgetlength(r, 0, 1), 3);
		assert_memory_equal(PQgetvalue(r, 0, 1), "\x01\x00\xff", 3);
		PQclear(r);
	}
	db_pool_release(p, c);
	db_pool_free(p);
}

static void the_number_prepared_per_connection_is_bounded(void **state)
{
	struct db_conn *c;
	struct db_pool *p = pool_of_one(&c);
	char sql[64];
	PGresult *r = NULL;

	(void)state;
	for (int i = 0; i < DB_PREPARED_MAX + 10; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d + $1::int", i);
		assert_int_equal(db_one_row(c, &r, sql, "i", 1), 0);
		assert_int_equal(db_ll(r, 0, 0), i + 1);
		PQclear(r);
	}
	assert_int_equal(c->nprepared, DB_PREPARED_MAX);
	assert_int_equal(server_prepared(c), DB_PREPARED_MAX);
	db_pool_release(p, c);
	db_pool_free(p);
}

static void a_schema_change_is_followed(void **state)
{
	struct db_conn *c, other;
	struct db_pool *p = pool_of_one(&c);
	PGresult *r = NULL;

	(void)state;
	assert_int_equal(db_conn_open(&other, conninfo), 0);
	assert_int_equal(db_exec(&other, NULL, "DROP TABLE IF EXISTS prep_t", 0, NULL), 0);
	assert_int_equal(db_exec(&other, NULL, "CREATE TABLE prep_t (a int)", 0, NULL), 0);
	assert_int_equal(db_exec(&other, NULL, "INSERT INTO prep_t VALUES (1)", 0, NULL), 0);
	assert_int_equal(db_one_row(c, &r, "SELECT * FROM prep_t WHERE a = $1", "i", 1), 0);
	assert_int_equal(PQnfields(r), 1);
	PQclear(r);

	/* Another instance migrates: the prepared result type is stale. Outside
	 * a transaction the statement is prepared again and answers. */
	assert_int_equal(db_exec(&other, NULL, "ALTER TABLE prep_t ADD COLUMN b text DEFAULT 'x'", 0, NULL),
			 0);
	assert_int_equal(db_one_row(c, &r, "SELECT * FROM prep_t WHERE a = $1", "i", 1), 0);
	assert_int_equal(PQnfields(r), 2);
	assert_string_equal(PQgetvalue(r, 0, 1), "x");
	PQclear(r);

	/* Inside a transaction nothing can run again: the request fails, and
	 * the next one is prepared afresh. */
	assert_int_equal(db_exec(&other, NULL, "ALTER TABLE prep_t ADD COLUMN c int DEFAULT 7", 0, NULL), 0);
	assert_int_equal(db_begin(c), 0);
	assert_int_equal(db_one_row(c, &r, "SELECT * FROM prep_t WHERE a = $1", "i", 1), LMS_EDB);
	assert_string_equal(c->sqlstate, "0A000");
	assert_int_equal(db_rollback(c), 0);
	assert_int_equal(db_one_row(c, &r, "SELECT * FROM prep_t WHERE a = $1", "i", 1), 0);
	assert_int_equal(PQnfields(r), 3);
	PQclear(r);

	db_conn_close(&other);
	db_pool_release(p, c);
	db_pool_free(p);
}

static void errors_are_those_of_the_statement(void **state)
{
	struct db_conn *c;
	struct db_pool *p = pool_of_one(&c);
	PGresult *r = NULL;

	(void)state;
	/* A statement that does not parse fails with its own SQLSTATE, inside
	 * a transaction too (not "current transaction is aborted"). */
	assert_int_equal(db_exec(c, NULL, "SELEC 1", 0, NULL), LMS_EDB);
	assert_string_equal(c->sqlstate, "42601");
	assert_int_equal(db_begin(c), 0);
	assert_int_equal(db_exec(c, NULL, "SELECT no_such_column FROM pg_class", 0, NULL), LMS_EDB);
	assert_string_equal(c->sqlstate, "42703");
	assert_int_equal(db_rollback(c), 0);
	/* An error at execution is the same prepared or not. */
	assert_int_equal(db_one_row(c, &r, "SELECT 1 / $1::int", "i", 0), LMS_EDB);
	assert_string_equal(c->sqlstate, "22012");
	assert_int_equal(db_one_row(c, &r, "SELECT 1 / $1::int", "i", 1), 0);
	PQclear(r);
	db_pool_release(p, c);
	db_pool_free(p);
}

static void a_reconnected_session_prepares_again(void **state)
{
	struct db_conn *c, other;
	struct db_pool *p = pool_of_one(&c);
	PGresult *r = NULL;
	long long pid;

	(void)state;
	assert_int_equal(db_one_row(c, &r, "SELECT pg_backend_pid() + $1::int", "i", 0), 0);
	pid = db_ll(r, 0, 0);
	PQclear(r);
	assert_true(c->nprepared >= 1);
	/* The server ends the session between two requests. */
	assert_int_equal(db_conn_open(&other, conninfo), 0);
	assert_int_equal(db_execf(&other, NULL, "SELECT pg_terminate_backend($1)", "l", pid), 0);
	db_conn_close(&other);
	assert_int_equal(db_one_row(c, &r, "SELECT pg_backend_pid() + $1::int", "i", 0), 0);
	assert_true(db_ll(r, 0, 0) != pid);
	PQclear(r);
	assert_int_equal(c->nprepared, 1);
	assert_int_equal(server_prepared(c), 2);
	db_pool_release(p, c);
	db_pool_free(p);
}

static void without_prepare_statements_stay_unnamed(void **state)
{
	struct db_pool *p = db_pool_new(conninfo, 1, 1000);
	struct db_conn *c;
	PGresult *r = NULL;
	char msg[256];

	(void)state;
	assert_int_equal(db_pool_acquire(p, &c, msg, sizeof(msg)), 0);
	assert_false(c->prepare);
	assert_int_equal(db_one_row(c, &r, "SELECT $1::int", "i", 5), 0);
	PQclear(r);
	assert_int_equal(c->nprepared, 0);
	assert_int_equal(server_prepared(c), 0);
	db_pool_release(p, c);
	db_pool_free(p);
}

/* BEGIN with the first statement and COMMIT with the last, prepared or
 * not: what they leave is what four round trips would have. */
static void begin_and_commit_ride_with_a_statement(bool prepare)
{
	struct db_pool *p = db_pool_new(conninfo, 1, 1000);
	struct db_conn *c, other;
	const char *one[] = {"1"}, *two[] = {"2"}, *zero[] = {"0"};
	PGresult *r = NULL;
	char msg[256];

	db_pool_set_prepare(p, prepare);
	assert_int_equal(db_pool_acquire(p, &c, msg, sizeof(msg)), 0);
	assert_int_equal(db_conn_open(&other, conninfo), 0);
	assert_int_equal(db_exec(&other, NULL, "DROP TABLE IF EXISTS pipe_t", 0, NULL), 0);
	assert_int_equal(db_exec(&other, NULL, "CREATE TABLE pipe_t (a int PRIMARY KEY)", 0, NULL),
			 0);

	/* Begun: the row is there for this transaction only; committed: for all. */
	assert_int_equal(db_begin_exec(c, &r, "INSERT INTO pipe_t VALUES ($1::int) RETURNING a", 1,
				       one),
			 0);
	assert_string_equal(PQgetvalue(r, 0, 0), "1");
	PQclear(r);
	assert_int_equal(PQtransactionStatus(c->pg), PQTRANS_INTRANS);
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM pipe_t"), 0);
	assert_int_equal(db_exec_commit(c, &r, "INSERT INTO pipe_t VALUES ($1::int) RETURNING a", 1,
					two),
			 0);
	assert_string_equal(PQgetvalue(r, 0, 0), "2");
	PQclear(r);
	assert_int_equal(PQtransactionStatus(c->pg), PQTRANS_IDLE);
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM pipe_t"), 2);

	/* A first statement that fails leaves the transaction to roll back. */
	assert_int_equal(db_begin_exec(c, NULL, "INSERT INTO pipe_t VALUES ($1::int)", 1, one),
			 LMS_ECONFLICT);
	assert_string_equal(c->sqlstate, "23505");
	assert_int_equal(PQtransactionStatus(c->pg), PQTRANS_INERROR);
	assert_int_equal(db_rollback(c), 0);

	/* A last statement that fails is not committed, nor what came before. */
	assert_int_equal(db_begin(c), 0);
	assert_int_equal(db_exec(c, NULL, "INSERT INTO pipe_t VALUES (3)", 0, NULL), 0);
	assert_int_equal(db_exec_commit(c, &r, "SELECT 1 / $1::int", 1, zero), LMS_EDB);
	assert_null(r);
	assert_string_equal(c->sqlstate, "22012");
	assert_int_equal(PQtransactionStatus(c->pg), PQTRANS_INERROR);
	assert_int_equal(db_rollback(c), 0);
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM pipe_t"), 2);

	/* The connection is back to one statement at a time. */
	assert_int_equal(db_one_row(c, &r, "SELECT $1::int + 1", "i", 1), 0);
	assert_int_equal(db_ll(r, 0, 0), 2);
	PQclear(r);
	assert_int_equal(PQpipelineStatus(c->pg), PQ_PIPELINE_OFF);

	db_conn_close(&other);
	db_pool_release(p, c);
	db_pool_free(p);
}

static void begin_and_commit_in_one_round_trip_prepared(void **state)
{
	(void)state;
	begin_and_commit_ride_with_a_statement(true);
}

static void begin_and_commit_in_one_round_trip_unnamed(void **state)
{
	(void)state;
	begin_and_commit_ride_with_a_statement(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_statement_is_prepared_once_and_reused),
		cmocka_unit_test(the_number_prepared_per_connection_is_bounded),
		cmocka_unit_test(a_schema_change_is_followed),
		cmocka_unit_test(errors_are_those_of_the_statement),
		cmocka_unit_test(a_reconnected_session_prepares_again),
		cmocka_unit_test(without_prepare_statements_stay_unnamed),
		cmocka_unit_test(begin_and_commit_in_one_round_trip_prepared),
		cmocka_unit_test(begin_and_commit_in_one_round_trip_unnamed),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
