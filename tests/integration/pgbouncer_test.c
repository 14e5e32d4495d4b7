/* pgbouncer_test.c - lms instances behind PgBouncer in transaction pooling: the change
 * feed on a direct connection, its heartbeat, migrations and the main flows */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "topology.h"

#define DB "it_bouncer"
#define HEARTBEAT_MS "300"

static struct topo_pgbouncer bouncer;
static struct lms_server a, b, c;
static struct harness_actor admin, gist_admin;
static char owner[1024], app_direct[1200], app_bounced[512], owner_bounced[512];

/* A course and an open section of the test's own: anyone may enrol. */
static const char fixture_sql[] =
	"INSERT INTO courses (institution_id, program_id, code, title_ko, title_en, delivery,"
	" published) SELECT i.id, p.id, 'B-OPEN', '풀링 과정', 'Pooling Course', 'offline', true"
	" FROM institutions i, programs p WHERE i.code = 'gist' AND p.code = 'online';"
	"INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
	" enrollment_opens_at, enrollment_closes_at, status)"
	" SELECT id, '2030-1', '2030-03-02', '2030-06-20', 5, now() - interval '1 day',"
	" now() + interval '30 days', 'open' FROM courses WHERE code = 'B-OPEN';";

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* The value of the sample named exactly name (labels included) in s's
 * /metrics; fails the test when there is none. */
static double metric(struct lms_server *s, const char *name)
{
	struct http_result r = {0};
	char needle[256];
	const char *at;
	double v;

	snprintf(needle, sizeof(needle), "\n%s ", name);
	assert_int_equal(harness_as(s, &admin, "GET", "/metrics", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	if (!(at = strstr(r.body, needle)))
		fail_msg("no %s in /metrics:\n%s", name, r.body);
	v = strtod(at + strlen(needle), NULL);
	http_result_release(&r);
	return v;
}

/* Waits at most 20 s until s's metric name has value want. */
static void metric_wait(struct lms_server *s, const char *name, double want)
{
	for (int i = 0; i < 400; i++) {
		if (metric(s, name) == want)
			return;
		pause_ms(50);
	}
	fail_msg("%s never became %g", name, want);
}

/* Fails the test when s's log does not hold text. */
static void assert_log_has(const struct lms_server *s, const char *text)
{
	FILE *f = fopen(s->log_path, "r");
	char line[4096];
	bool found = false;

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, text) != NULL;
	fclose(f);
	if (!found)
		fail_msg("\"%s\" is not in %s", text, s->log_path);
}

static int start(struct lms_server *s, bool direct_listen)
{
	char app[600], listen[1300];
	const char *env[] = {app, "LMS_DB_PREPARED_STATEMENTS=no",
			     "LMS_LISTEN_HEARTBEAT_MS=" HEARTBEAT_MS, "LMS_CACHE_FALLBACK_TTL_MS=1000",
			     direct_listen ? listen : NULL, NULL};

	snprintf(app, sizeof(app), "LMS_APP_DATABASE_URL=%s", app_bounced);
	snprintf(listen, sizeof(listen), "LMS_LISTEN_DATABASE_URL=%s", app_direct);
	return harness_server_start(s, owner, env);
}

static int setup(void **state)
{
	(void)state;
	if (harness_db_create(DB, owner, sizeof(owner)) != 0 || harness_migrate(owner) != 0 ||
	    harness_seed_demo(owner) != 0 || harness_sql(owner, fixture_sql) != 0 ||
	    topo_pgbouncer_start(&bouncer, owner) != 0)
		return -1;
	snprintf(app_direct, sizeof(app_direct), "%s user=lms_app", owner);
	topo_pgbouncer_conninfo(&bouncer, DB, "lms_app", app_bounced, sizeof(app_bounced));
	topo_pgbouncer_conninfo(&bouncer, DB, "postgres", owner_bounced, sizeof(owner_bounced));
	/* a and b hear changes on PostgreSQL itself; c through PgBouncer. */
	if (start(&a, true) != 0 || start(&b, true) != 0 || start(&c, false) != 0)
		return -1;
	if (harness_login(&a, "admin@example.com", "demo-pass-2026", &admin) != 0 ||
	    harness_login(&a, "gist-admin@example.com", "demo-pass-2026", &gist_admin) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	int rc = 0;

	(void)state;
	rc |= harness_server_stop(&a) != 0;
	rc |= harness_server_stop(&b) != 0;
	rc |= harness_server_stop(&c) != 0;
	rc |= topo_pgbouncer_stop(&bouncer) != 0;
	return rc ? -1 : 0;
}

static long long course(void)
{
	return harness_sql_llf(owner, "SELECT id FROM courses WHERE code = 'B-OPEN'");
}

/* Renames the course through a; its new English title. */
static const char *rename_on_a(const char *title)
{
	char path[64], body[128];

	snprintf(path, sizeof(path), "/api/v1/courses/%lld", course());
	snprintf(body, sizeof(body), "{\"title_en\":\"%s\"}", title);
	json_decref(harness_json_as(&a, &gist_admin, "PATCH", path, body, 200));
	return title;
}

/* s's catalogue search that finds the course, in English (new): a list,
 * which the response cache keeps. */
static char *course_page(struct lms_server *s)
{
	struct http_result r = {0};
	char *body;

	assert_int_equal(
		harness_request_once(s, "GET", "/api/v1/courses?q=pooling&lang=en", NULL, NULL, &r),
		0);
	assert_int_equal(r.status, 200);
	body = strdup(r.body);
	http_result_release(&r);
	return body;
}

/* Milliseconds until s's course page shows title (at most 20 s), or -1. */
static long shows_within(struct lms_server *s, const char *title)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 400; i++) {
		char *page = course_page(s);
		bool seen = strstr(page, title) != NULL;

		free(page);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (seen)
			return (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		pause_ms(50);
	}
	return -1;
}

static void a_change_on_one_instance_reaches_another_at_once(void **state)
{
	double hits;
	long ms;

	(void)state;
	metric_wait(&a, "lms_listener_up", 1);
	metric_wait(&b, "lms_listener_up", 1);
	assert_true(metric(&b, "lms_listener_last_heartbeat_seconds") >= 0);
	/* Trusted: b keeps catalogue pages 30 s... */
	assert_true(metric(&b, "lms_cache_ttl_seconds") == 30);
	free(course_page(&b));
	hits = metric(&b, "lms_cache_hits_total");
	free(course_page(&b));
	assert_true(metric(&b, "lms_cache_hits_total") == hits + 1);
	/* ...so only the notification can bring a's change this soon. */
	ms = shows_within(&b, rename_on_a("Pooling Course, Revised"));
	assert_true(ms >= 0 && ms < 10000);
	assert_true(metric(&b, "lms_db_role{database=\"listen\",role=\"primary\"}") == 1);
}

static void a_listener_behind_pgbouncer_is_reported_and_the_cache_falls_back(void **state)
{
	long ms;

	(void)state;
	/* Its LISTEN is accepted but hears nothing: it never reports receiving
	 * while a, on PostgreSQL itself, hears its heartbeats come back. */
	metric_wait(&a, "lms_listener_up", 1);
	for (int i = 0; i < 10; i++) {
		assert_true(metric(&c, "lms_listener_up") == 0);
		pause_ms(300);
	}
	assert_true(metric(&c, "lms_listener_last_heartbeat_seconds") == -1);
	assert_true(metric(&c, "lms_cache_ttl_seconds") == 1);
	assert_log_has(&c, "not receiving notifications (is listen_database_url a "
			   "transaction-pooling PgBouncer?)");
	/* Short-lived cache: a's change shows within about a second. */
	free(course_page(&c));
	free(course_page(&c));
	ms = shows_within(&c, rename_on_a("Pooling Course, Third"));
	assert_true(ms >= 0 && ms < 10000);
}

static long long section(void)
{
	return harness_sql_llf(owner, "SELECT s.id FROM sections s JOIN courses c"
				      " ON c.id = s.course_id WHERE c.code = 'B-OPEN'");
}

static void the_main_flows_work_through_pgbouncer(void **state)
{
	struct harness_actor learner;
	char path[96];
	json_t *j;
	long long id;

	(void)state;
	/* sign-in, catalogue, enrol, cancel, report: on a, whose every query
	 * goes through PgBouncer in transaction pooling */
	assert_int_equal(harness_login(&a, "learner@example.com", "demo-pass-2026", &learner), 0);
	json_decref(harness_json_as(&a, NULL, "GET", "/api/v1/courses?q=pooling", NULL, 200));
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments", section());
	j = harness_json_as(&a, &learner, "POST", path, NULL, 201);
	id = harness_json_ll(j, "id");
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/enrollments/%lld", id);
	j = harness_json_as(&a, &learner, "DELETE", path, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "cancelled");
	json_decref(j);
	json_decref(harness_json_as(&a, &gist_admin, "GET", "/api/v1/reports/summary", NULL, 200));
	assert_int_equal(harness_status_as(&a, &gist_admin, "GET", "/api/v1/reports/enrollments",
					   NULL),
			 200);
	assert_int_equal(harness_status_as(&a, &learner, "POST", "/api/v1/auth/logout", NULL), 204);
	assert_true(metric(&a, "lms_db_role{database=\"app\",role=\"primary\"}") == 1);
}

static void migrate_through_pgbouncer_leaves_no_lock(void **state)
{
	char out[8192], db[600], mig[PATH_MAX + 32];
	const char *argv[] = {"migrate", NULL}, *env[] = {db, mig, "LMS_DATA_DIR=/tmp", NULL};

	(void)state;
	snprintf(db, sizeof(db), "LMS_DATABASE_URL=%s", owner_bounced);
	snprintf(mig, sizeof(mig), "LMS_MIGRATIONS_DIR=%s/migrations", harness_source_dir());
	/* Twice: a lock left on a pooled server connection would hang the second. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(harness_lms_run(argv, env, out, sizeof(out)), 0);
		assert_true(harness_migrated_none(out));
	}
	/* The migrations' lock (app/db/migrate.c): the servers of this test
	 * take advisory locks of their own meanwhile (housekeeping, sign-in
	 * throttling), each for one transaction. */
	assert_true(harness_sql_ll(owner, "SELECT count(*) FROM pg_locks"
					  " WHERE locktype = 'advisory' AND objsubid = 1"
					  " AND (classid::bigint << 32 | objid::bigint) = 7310226001")
		    == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_change_on_one_instance_reaches_another_at_once),
		cmocka_unit_test(a_listener_behind_pgbouncer_is_reported_and_the_cache_falls_back),
		cmocka_unit_test(the_main_flows_work_through_pgbouncer),
		cmocka_unit_test(migrate_through_pgbouncer_leaves_no_lock),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
