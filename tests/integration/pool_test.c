/* pool_test.c - the connection pool against a real PostgreSQL */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lms/core/err.h"
#include "lms/db/pool.h"

static char conninfo[1024];

static int setup(void **state)
{
	return harness_db_create("it_pool", conninfo, sizeof(conninfo));
}

static void exhausted_pool_answers_unavailable_within_its_bound(void **state)
{
	struct db_pool *p = db_pool_new(conninfo, 2, 200);
	struct db_conn *a, *b, *c;
	struct db_pool_stats st;
	char msg[256];
	double t0;

	assert_int_equal(db_pool_acquire(p, &a, msg, sizeof(msg)), 0);
	assert_int_equal(db_pool_acquire(p, &b, msg, sizeof(msg)), 0);
	db_pool_stats_get(p, &st);
	assert_int_equal(st.size, 2);
	assert_int_equal(st.in_use, 2);
	t0 = harness_now();
	assert_int_equal(db_pool_acquire(p, &c, msg, sizeof(msg)), LMS_EUNAVAILABLE);
	assert_null(c);
	assert_true(harness_now() - t0 >= 0.19);
	assert_true(harness_now() - t0 < 5);
	assert_contains(msg, "no database connection freed within 200 ms");
	db_pool_stats_get(p, &st);
	assert_int_equal(st.timeouts, 1);
	db_pool_release(p, b);
	assert_int_equal(db_pool_acquire(p, &c, msg, sizeof(msg)), 0);
	db_pool_release(p, a);
	db_pool_release(p, c);
	db_pool_stats_get(p, &st);
	assert_int_equal(st.in_use, 0);
	db_pool_free(p);
}

static void failed_and_open_transactions_are_rolled_back(void **state)
{
	struct db_pool *p = db_pool_new(conninfo, 1, 1000);
	struct db_conn *c;
	char msg[256];

	assert_int_equal(db_pool_acquire(p, &c, msg, sizeof(msg)), 0);
	assert_int_equal(db_begin(c), 0);
	assert_int_equal(db_exec(c, NULL, "SELECT 1/0", 0, NULL), LMS_EDB);
	assert_string_equal(c->sqlstate, "22012");
	assert_int_equal(PQtransactionStatus(c->pg), PQTRANS_INERROR);
	db_pool_release(p, c);

	assert_int_equal(db_pool_acquire(p, &c, msg, sizeof(msg)), 0);
	assert_int_equal(PQtransactionStatus(c->pg), PQTRANS_IDLE);
	assert_int_equal(db_begin(c), 0);
	assert_int_equal(db_exec(c, NULL, "CREATE TABLE pool_uncommitted (id int)", 0, NULL), 0);
	db_pool_release(p, c); /* never committed */

	assert_int_equal(db_pool_acquire(p, &c, msg, sizeof(msg)), 0);
	assert_int_equal(db_exec(c, NULL, "SELECT * FROM pool_uncommitted", 0, NULL), LMS_EDB);
	assert_string_equal(c->sqlstate, "42P01");
	db_pool_release(p, c);
	db_pool_free(p);
}

static void sqlstates_map_to_errors(void **state)
{
	struct db_pool *p = db_pool_new(conninfo, 1, 1000);
	struct db_conn *c;
	PGresult *res = NULL;
	char msg[256];

	assert_int_equal(db_pool_acquire(p, &c, msg, sizeof(msg)), 0);
	assert_int_equal(db_exec(c, NULL, "CREATE TEMP TABLE u (k text PRIMARY KEY)", 0, NULL), 0);
	assert_int_equal(db_execp(c, NULL, "INSERT INTO u VALUES ($1)", "a"), 0);
	assert_int_equal(db_execp(c, NULL, "INSERT INTO u VALUES ($1)", "a"), LMS_ECONFLICT);
	assert_true(db_sqlstate_is(c, "23505"));
	/* parameters are data, never SQL */
	assert_int_equal(db_execp(c, &res, "SELECT $1::text", "'; DROP TABLE u; --"), 0);
	assert_string_equal(PQgetvalue(res, 0, 0), "'; DROP TABLE u; --");
	PQclear(res);
	assert_int_equal(db_execp(c, &res, "SELECT count(*) FROM u WHERE k = $1", NULL), 0);
	assert_string_equal(PQgetvalue(res, 0, 0), "0");
	PQclear(res);
	db_pool_release(p, c);
	db_pool_free(p);
}

static void a_terminated_connection_is_replaced_transparently(void **state)
{
	struct db_pool *p = db_pool_new(conninfo, 1, 1000);
	struct db_conn *c;
	PGresult *res = NULL;
	char msg[256], sql[128];

	assert_int_equal(db_pool_acquire(p, &c, msg, sizeof(msg)), 0);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)", PQbackendPID(c->pg));
	db_pool_release(p, c);
	/* The server ends the pooled connection behind the pool's back. */
	assert_int_equal(harness_sql(conninfo, sql), 0);

	assert_int_equal(db_pool_acquire(p, &c, msg, sizeof(msg)), 0);
	assert_int_equal(db_exec(c, &res, "SELECT 42", 0, NULL), 0);
	assert_string_equal(PQgetvalue(res, 0, 0), "42");
	PQclear(res);
	db_pool_release(p, c);
	db_pool_free(p);
}

static void an_unreachable_database_is_unavailable(void **state)
{
	struct db_pool *p = db_pool_new("host=/nonexistent-socket-dir dbname=x", 2, 1000);
	struct db_conn *c;
	struct db_pool_stats st;
	char msg[256];

	assert_int_equal(db_pool_acquire(p, &c, msg, sizeof(msg)), LMS_EUNAVAILABLE);
	assert_contains(msg, "database unavailable");
	db_pool_stats_get(p, &st);
	assert_int_equal(st.in_use, 0);
	db_pool_free(p);
}

struct worker {
	struct db_pool *pool;
	int failures;
};

static void *hammer(void *arg)
{
	struct worker *w = arg;
	char msg[256];

	for (int i = 0; i < 50; i++) {
		struct db_conn *c;
		if (db_pool_acquire(w->pool, &c, msg, sizeof(msg)) < 0) {
			w->failures++;
			continue;
		}
		if (db_exec(c, NULL, "SELECT pg_sleep(0.001)", 0, NULL) < 0)
			w->failures++;
		db_pool_release(w->pool, c);
	}
	return NULL;
}

static void many_threads_share_few_connections(void **state)
{
	struct db_pool *p = db_pool_new(conninfo, 3, 30000);
	struct worker w[8];
	pthread_t t[8];
	struct db_pool_stats st;

	for (int i = 0; i < 8; i++) {
		w[i] = (struct worker){p, 0};
		pthread_create(&t[i], NULL, hammer, &w[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].failures, 0);
	}
	db_pool_stats_get(p, &st);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.timeouts, 0);
	db_pool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exhausted_pool_answers_unavailable_within_its_bound),
		cmocka_unit_test(failed_and_open_transactions_are_rolled_back),
		cmocka_unit_test(sqlstates_map_to_errors),
		cmocka_unit_test(a_terminated_connection_is_replaced_transparently),
		cmocka_unit_test(an_unreachable_database_is_unavailable),
		cmocka_unit_test(many_threads_share_few_connections),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
