/* replica_test.c - reports read from a streaming replica; a main URL on a replica is not
 * ready and answers 503, never 500 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "topology.h"

#define DB "it_replica"

static struct topo_replica replica;
static struct lms_server primary_app, replica_app;
static struct harness_actor admin, gist_admin;
static char owner[1024], replica_owner[512], replica_app_url[512];

static const char fixture_sql[] =
	"INSERT INTO courses (institution_id, program_id, code, title_ko, title_en, delivery,"
	" published) SELECT i.id, p.id, 'R-OPEN', '복제 과정', 'Replica Course', 'offline', true"
	" FROM institutions i, programs p WHERE i.code = 'gist' AND p.code = 'online';"
	"INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
	" enrollment_opens_at, enrollment_closes_at, status)"
	" SELECT id, '2030-1', '2030-03-02', '2030-06-20', 5, now() - interval '1 day',"
	" now() + interval '30 days', 'open' FROM courses WHERE code = 'R-OPEN';";

static int setup(void **state)
{
	char report[600], app[600];
	const char *report_env[] = {report, NULL}, *replica_env[] = {app, NULL};

	(void)state;
	if (harness_db_create(DB, owner, sizeof(owner)) != 0 || harness_migrate(owner) != 0 ||
	    harness_seed_demo(owner) != 0 || harness_sql(owner, fixture_sql) != 0 ||
	    topo_replica_start(&replica, owner) != 0 ||
	    topo_replica_catch_up(&replica, owner, 60000) != 0)
		return -1;
	topo_replica_conninfo(&replica, DB, "postgres", replica_owner, sizeof(replica_owner));
	topo_replica_conninfo(&replica, DB, "lms_app", replica_app_url, sizeof(replica_app_url));
	/* One instance writes to the primary and reports from the replica;
	 * the other is (wrongly) pointed at the replica for everything. */
	snprintf(report, sizeof(report), "LMS_REPORT_DATABASE_URL=%s", replica_app_url);
	snprintf(app, sizeof(app), "LMS_APP_DATABASE_URL=%s", replica_app_url);
	if (harness_server_start(&primary_app, owner, report_env) != 0 ||
	    harness_server_start(&replica_app, owner, replica_env) != 0)
		return -1;
	if (harness_login(&primary_app, "admin@example.com", "demo-pass-2026", &admin) != 0 ||
	    harness_login(&primary_app, "gist-admin@example.com", "demo-pass-2026", &gist_admin) !=
		    0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	int rc = 0;

	(void)state;
	rc |= harness_server_stop(&primary_app) != 0;
	rc |= harness_server_stop(&replica_app) != 0;
	rc |= topo_replica_stop(&replica) != 0;
	return rc ? -1 : 0;
}

/* The enrolment report of the test's section as gist's admin (new). */
static char *report(void)
{
	struct http_result r = {0};
	char *body;

	assert_int_equal(harness_as(&primary_app, &gist_admin, "GET", "/api/v1/reports/enrollments",
				    NULL, &r),
			 0);
	assert_int_equal(r.status, 200);
	body = strdup(r.body);
	http_result_release(&r);
	return body;
}

static long long audit_rows(void)
{
	return harness_sql_llf(owner, "SELECT count(*) FROM audit_log"
				      " WHERE action = 'report.enrollments'");
}

static void a_report_reads_the_replica_and_its_audit_row_lands_on_the_primary(void **state)
{
	struct harness_actor learner;
	long long before;
	char path[96], *body;

	(void)state;
	/* Replay stops: what the primary does from now on, the replica does
	 * not have, so a report that shows it did not read the replica. */
	assert_int_equal(harness_sql(replica_owner, "SELECT pg_wal_replay_pause()"), 0);
	assert_int_equal(harness_login(&primary_app, "learner@example.com", "demo-pass-2026",
				       &learner),
			 0);
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments",
		 harness_sql_llf(owner, "SELECT s.id FROM sections s JOIN courses c"
					" ON c.id = s.course_id WHERE c.code = 'R-OPEN'"));
	json_decref(harness_json_as(&primary_app, &learner, "POST", path, NULL, 201));
	before = audit_rows();

	body = report();
	assert_null(strstr(body, "Replica Course"));
	free(body);
	/* The reading is recorded on the primary all the same. */
	assert_true(audit_rows() == before + 1);

	assert_int_equal(harness_sql(replica_owner, "SELECT pg_wal_replay_resume()"), 0);
	assert_int_equal(topo_replica_catch_up(&replica, owner, 60000), 0);
	body = report();
	assert_contains(body, "Replica Course");
	assert_contains(body, "learner@example.com");
	free(body);
	assert_true(audit_rows() == before + 2);
	json_decref(harness_json_as(&primary_app, &gist_admin, "GET", "/api/v1/reports/summary",
				    NULL, 200));
	json_decref(harness_json_as(&primary_app, &gist_admin, "GET", "/api/v1/reports/kpi", NULL,
				    200));
}

static void the_metrics_name_each_database_role(void **state)
{
	struct http_result r = {0};

	(void)state;
	assert_int_equal(harness_as(&primary_app, &admin, "GET", "/metrics", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_contains(r.body, "lms_db_role{database=\"app\",role=\"primary\"} 1\n");
	assert_contains(r.body, "lms_db_role{database=\"report\",role=\"replica\"} 1\n");
	assert_contains(r.body, "lms_db_pool_waits_total{pool=\"replica\"} ");
	assert_contains(r.body, "lms_db_pool_wait_seconds_total{pool=\"main\"} ");
	/* The reports above have all ended. */
	assert_contains(r.body, "lms_report_streams_in_flight 0\n");
	http_result_release(&r);
}

static void a_main_url_on_a_replica_is_not_ready_and_refuses_with_503(void **state)
{
	struct http_result r = {0};
	const char body[] = "{\"email\":\"learner@example.com\",\"password\":\"demo-pass-2026\"}";

	(void)state;
	assert_int_equal(harness_request_once(&replica_app, "GET", "/readyz", NULL, NULL, &r), 0);
	assert_int_equal(r.status, 503);
	assert_contains(r.body, "database_read_only");
	assert_contains(r.body, "app_database_url is a replica");
	http_result_release(&r);
	/* Sign-in writes a session: the replica refuses, the client is told
	 * to come back, and nothing is a server error. */
	harness_problem_as(&replica_app, NULL, "POST", "/api/v1/auth/login", body, 503,
			   "unavailable", NULL);
	/* Reads still work there. */
	json_decref(harness_json_as(&replica_app, NULL, "GET", "/api/v1/courses?q=replica", NULL,
				    200));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_report_reads_the_replica_and_its_audit_row_lands_on_the_primary),
		cmocka_unit_test(the_metrics_name_each_database_role),
		cmocka_unit_test(a_main_url_on_a_replica_is_not_ready_and_refuses_with_503),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
