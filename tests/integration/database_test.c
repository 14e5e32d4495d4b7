/* database_test.c - readiness and recovery when PostgreSQL goes away under lms */
#include "harness.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lms/db/embedded.h"

/* This test restarts its database, so it runs a private cluster instead of
 * the shared scratch one. */
static char dir[64], pgdata[128];
static struct db_embedded *cluster;
static struct lms_server server;
static char conninfo[1024];

static int start_cluster(void)
{
	struct db_embedded_opts opts = {pgdata, LMS_PG_BINDIR_DEFAULT, "lms", true, false};
	char err[1024];

	if (db_embedded_start(&opts, &cluster, err, sizeof(err)) < 0) {
		fprintf(stderr, "cluster: %s\n", err);
		return -1;
	}
	snprintf(conninfo, sizeof(conninfo), "%s", db_embedded_conninfo(cluster));
	return 0;
}

static int stop_cluster(void)
{
	char err[1024];
	int rc = db_embedded_stop_dir(pgdata, LMS_PG_BINDIR_DEFAULT, err, sizeof(err));

	db_embedded_stop(cluster);
	cluster = NULL;
	if (rc < 0)
		fprintf(stderr, "cluster: %s\n", err);
	return rc;
}

static int setup(void **state)
{
	const char *server_env[] = {"LMS_DB_POOL_WAIT_MS=500", NULL};

	snprintf(dir, sizeof(dir), "/tmp/lms-test-db-XXXXXX");
	/* mkdtemp makes it 0700; the postgres user must be able to enter it. */
	if (!mkdtemp(dir) || chmod(dir, 0755) != 0)
		return -1;
	snprintf(pgdata, sizeof(pgdata), "%s/pgdata", dir);
	if (start_cluster() < 0 || harness_migrate(conninfo) != 0)
		return -1;
	return harness_server_start(&server, conninfo, server_env);
}

static int teardown(void **state)
{
	char cmd[128];
	int rc = harness_server_stop(&server);

	if (cluster)
		stop_cluster();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return -1;
	return rc == 0 ? 0 : -1;
}

static long get(const char *path, struct http_result *r)
{
	assert_int_equal(harness_request(&server, "GET", path, NULL, NULL, r), 0);
	return r->status;
}

static void ready_when_database_and_schema_are(void **state)
{
	struct http_result r;

	assert_int_equal(get("/readyz", &r), 200);
	assert_contains(r.body, "\"status\":\"ready\"");
	http_result_release(&r);
}

static void restart_under_the_server_is_invisible(void **state)
{
	struct http_result r;

	/* the pool holds an idle connection now */
	assert_int_equal(get("/readyz", &r), 200);
	http_result_release(&r);
	assert_int_equal(stop_cluster(), 0);
	assert_int_equal(start_cluster(), 0);
	/* the first request after the restart already succeeds */
	assert_int_equal(get("/readyz", &r), 200);
	http_result_release(&r);
}

static void database_down_is_503_not_a_hang(void **state)
{
	struct http_result r;
	char buf[64];
	json_t *body;

	assert_int_equal(stop_cluster(), 0);
	assert_int_equal(get("/readyz", &r), 503);
	assert_non_null(http_result_header(&r, "Retry-After", buf, sizeof(buf)));
	assert_non_null(http_result_header(&r, "Content-Type", buf, sizeof(buf)));
	assert_string_equal(buf, "application/problem+json");
	body = json_loads(r.body, 0, NULL);
	assert_non_null(body);
	assert_int_equal(json_integer_value(json_object_get(body, "status")), 503);
	assert_contains(json_string_value(json_object_get(body, "detail")), "database unavailable");
	json_decref(body);
	http_result_release(&r);
	/* liveness does not depend on the database */
	assert_int_equal(get("/healthz", &r), 200);
	http_result_release(&r);

	assert_int_equal(start_cluster(), 0);
	assert_int_equal(get("/readyz", &r), 200);
	http_result_release(&r);
}

static void schema_behind_at_run_time_is_not_ready(void **state)
{
	struct http_result r;

	assert_int_equal(harness_sql(conninfo, "CREATE TABLE keep AS SELECT * FROM schema_migrations;"
					       "DELETE FROM schema_migrations"),
			 0);
	assert_int_equal(get("/readyz", &r), 503);
	assert_contains(r.body, "schema is behind");
	http_result_release(&r);
	assert_int_equal(harness_sql(conninfo, "INSERT INTO schema_migrations SELECT * FROM keep;"
					       "DROP TABLE keep"),
			 0);
	assert_int_equal(get("/readyz", &r), 200);
	http_result_release(&r);
}

static void pool_gauges_in_metrics(void **state)
{
	struct http_result r;

	assert_int_equal(get("/metrics", &r), 200);
	assert_contains(r.body, "lms_db_pool_size 8\n");
	assert_contains(r.body, "lms_db_pool_in_use 0\n");
	assert_contains(r.body, "lms_http_requests_total{route=\"/readyz\",status=\"503\"}");
	http_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ready_when_database_and_schema_are),
		cmocka_unit_test(restart_under_the_server_is_invisible),
		cmocka_unit_test(database_down_is_503_not_a_hang),
		cmocka_unit_test(schema_behind_at_run_time_is_not_ready),
		cmocka_unit_test(pool_gauges_in_metrics),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
