/* migrate_lock_test.c - concurrent lms migrate runs wait for each other, boundedly */
#include "harness.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The key app/db/migrate.c locks. */
#define LOCK_SQL "SELECT pg_advisory_xact_lock(7310226001)"

static char conninfo[1024], data_dir[64];

struct run {
	pthread_t thread;
	const char *timeout_s;
	int status;
	char out[16384];
};

static void *migrate_run(void *arg)
{
	struct run *r = arg;
	char db[1100], mig[PATH_MAX + 32], data[100], timeout[64];
	const char *argv[] = {"migrate", NULL};
	const char *env[] = {db, mig, data, timeout, NULL};

	snprintf(db, sizeof(db), "LMS_DATABASE_URL=%s", conninfo);
	snprintf(mig, sizeof(mig), "LMS_MIGRATIONS_DIR=%s/migrations", harness_source_dir());
	snprintf(data, sizeof(data), "LMS_DATA_DIR=%s", data_dir);
	snprintf(timeout, sizeof(timeout), "LMS_MIGRATE_LOCK_TIMEOUT_S=%s", r->timeout_s);
	r->status = harness_lms_run(argv, env, r->out, sizeof(r->out));
	return NULL;
}

/* A connection of the test that holds the migration lock in a transaction. */
static PGconn *hold_lock(void)
{
	PGconn *pg = PQconnectdb(conninfo);
	PGresult *r;

	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	PQclear(PQexec(pg, "BEGIN"));
	r = PQexec(pg, LOCK_SQL);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
	return pg;
}

static void release_lock(PGconn *pg)
{
	PGresult *r = PQexec(pg, "COMMIT");

	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(pg);
}

/* Waits (at most 60 s) until n sessions wait for an advisory lock. */
static void wait_for_waiters(long long n)
{
	struct timespec pause = {0, 20 * 1000000L};

	for (int i = 0; i < 3000; i++) {
		if (harness_sql_ll(conninfo, "SELECT count(*) FROM pg_locks WHERE locktype ="
					     " 'advisory' AND NOT granted") == n)
			return;
		nanosleep(&pause, NULL);
	}
	fail_msg("%lld migrate runs never waited for the lock", n);
}

static int setup(void **state)
{
	(void)state;
	snprintf(data_dir, sizeof(data_dir), "/tmp/lms-test-data-XXXXXX");
	if (!mkdtemp(data_dir))
		return -1;
	return harness_db_create("it_migrate_lock", conninfo, sizeof(conninfo));
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", data_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void two_migrates_one_waits_then_finds_nothing_to_do(void **state)
{
	struct run a = {.timeout_s = "120"}, b = {.timeout_s = "120"};
	struct run *first, *second;
	PGconn *holder = hold_lock();

	(void)state;
	assert_int_equal(pthread_create(&a.thread, NULL, migrate_run, &a), 0);
	assert_int_equal(pthread_create(&b.thread, NULL, migrate_run, &b), 0);
	wait_for_waiters(2);
	release_lock(holder);
	pthread_join(a.thread, NULL);
	pthread_join(b.thread, NULL);
	assert_int_equal(a.status, 0);
	assert_int_equal(b.status, 0);
	assert_contains(a.out, "waiting for another migration");
	assert_contains(b.out, "waiting for another migration");
	/* One applied everything; the other, once it had the lock, nothing. */
	first = harness_migrated_none(a.out) ? &b : &a;
	second = first == &a ? &b : &a;
	assert_true(harness_migrated_none(second->out));
	assert_contains(second->out, "applied; schema is current");
	assert_false(harness_migrated_none(first->out));
	assert_contains(first->out, "applied; schema is current");
	/* No lock outlives its run: a third one finds it free at once. */
	/* Of this database only: other tests share the cluster, and take
	 * advisory locks of their own. */
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM pg_locks"
						  " WHERE locktype = 'advisory' AND database ="
						  " (SELECT oid FROM pg_database"
						  " WHERE datname = current_database())"),
			 0);
}

static void a_migrate_gives_up_after_its_timeout(void **state)
{
	struct run r = {.timeout_s = "1"};
	PGconn *holder = hold_lock();
	time_t started = time(NULL);

	(void)state;
	migrate_run(&r);
	release_lock(holder);
	assert_int_equal(r.status, 1);
	assert_contains(r.out, "waiting for another migration");
	assert_contains(r.out, "still holds the migration lock after 1 s: giving up");
	assert_true(time(NULL) - started < 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_migrates_one_waits_then_finds_nothing_to_do),
		cmocka_unit_test(a_migrate_gives_up_after_its_timeout),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
