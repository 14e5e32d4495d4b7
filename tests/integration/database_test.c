/* database_test.c - readiness and recovery when PostgreSQL goes away; embedded cluster roles */
#include "harness.h"

#include <jansson.h>
#include <libpq-fe.h>
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
	if (start_cluster() < 0 || harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0)
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

/* A later release migrated first, as a rolling upgrade does: this one
 * stays in service until it is replaced. */
static void schema_ahead_at_run_time_is_ready(void **state)
{
	struct http_result r;

	assert_int_equal(harness_sql(conninfo, "INSERT INTO schema_migrations (version, file, checksum)"
					       " VALUES (9999, '9999_later.sql', 'x')"),
			 0);
	assert_int_equal(get("/readyz", &r), 200);
	assert_contains(r.body, "\"schema\":\"ahead\"");
	http_result_release(&r);
	assert_int_equal(harness_sql(conninfo, "DELETE FROM schema_migrations WHERE version = 9999"), 0);
	assert_int_equal(get("/readyz", &r), 200);
	assert_contains(r.body, "\"schema\":\"current\"");
	http_result_release(&r);
}

static void pool_gauges_in_metrics(void **state)
{
	struct http_result r;
	struct harness_actor admin;

	assert_int_equal(harness_login(&server, "admin@example.com", "demo-pass-2026", &admin), 0);
	assert_int_equal(harness_as(&server, &admin, "GET", "/metrics", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_contains(r.body, "lms_db_pool_size 8\n");
	/* The metrics request itself holds one: it looked up the session. */
	assert_contains(r.body, "lms_db_pool_in_use 1\n");
	assert_contains(r.body, "lms_http_requests_total{route=\"/readyz\",method=\"GET\",status=\"503\"}");
	http_result_release(&r);
}

/* A cluster of its own for the roles test, so that it starts fresh. */
static char own_dir[64], own_pgdata[128];
static struct db_embedded *own_first, *own_second;

/* Runs sql on ci and copies the first column of the one row it returns into
 * buf. */
static void query_value(const char *ci, const char *sql, char *buf, size_t len)
{
	PGconn *c = PQconnectdb(ci);
	PGresult *r = NULL;

	if (PQstatus(c) != CONNECTION_OK)
		fprintf(stderr, "connect: %s", PQerrorMessage(c));
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(r), 1);
	snprintf(buf, len, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
}

static struct db_embedded *own_start(void)
{
	struct db_embedded_opts opts = {own_pgdata, LMS_PG_BINDIR_DEFAULT, "lms", true, false};
	struct db_embedded *e = NULL;
	char err[1024];

	if (db_embedded_start(&opts, &e, err, sizeof(err)) < 0)
		fprintf(stderr, "cluster: %s\n", err);
	assert_non_null(e);
	return e;
}

static int own_setup(void **state)
{
	snprintf(own_dir, sizeof(own_dir), "/tmp/lms-test-roles-XXXXXX");
	if (!mkdtemp(own_dir) || chmod(own_dir, 0755) != 0)
		return -1;
	snprintf(own_pgdata, sizeof(own_pgdata), "%s/pgdata", own_dir);
	return 0;
}

static int own_teardown(void **state)
{
	char err[1024], cmd[128];
	int rc;

	/* the handle that started it stops it; after a failure, whatever runs */
	db_embedded_stop(own_second);
	db_embedded_stop(own_first);
	own_first = own_second = NULL;
	if ((rc = db_embedded_stop_dir(own_pgdata, LMS_PG_BINDIR_DEFAULT, err, sizeof(err))) < 0)
		fprintf(stderr, "cluster: %s\n", err);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", own_dir);
	return system(cmd) == 0 && rc == 0 ? 0 : -1;
}

static void fresh_cluster_connects_as_an_owner_that_is_no_superuser(void **state)
{
	char v[256], conninfo_first[1024];

	own_first = own_start();
	snprintf(conninfo_first, sizeof(conninfo_first), "%s", db_embedded_conninfo(own_first));
	assert_contains(conninfo_first, "user=lms_owner");
	query_value(conninfo_first, "SELECT current_user", v, sizeof(v));
	assert_string_equal(v, "lms_owner");
	query_value(conninfo_first,
		    "SELECT rolsuper::text || rolcreatedb::text || rolcreaterole::text "
		    "FROM pg_roles WHERE rolname = current_user",
		    v, sizeof(v));
	assert_string_equal(v, "falsefalsetrue");
	query_value(conninfo_first,
		    "SELECT r.rolname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba "
		    "WHERE d.datname = current_database()",
		    v, sizeof(v));
	assert_string_equal(v, "lms_owner");
	/* what migrations/0001_extensions.sql needs: both are trusted */
	assert_int_equal(harness_sql(conninfo_first, "CREATE EXTENSION IF NOT EXISTS pg_trgm"), 0);
	assert_int_equal(harness_sql(conninfo_first, "CREATE EXTENSION IF NOT EXISTS btree_gist"),
			 0);
	query_value(conninfo_first,
		    "SELECT string_agg(e.extname || ':' || r.rolname, ',' ORDER BY e.extname) "
		    "FROM pg_extension e JOIN pg_roles r ON r.oid = e.extowner "
		    "WHERE e.extname IN ('pg_trgm', 'btree_gist')",
		    v, sizeof(v));
	assert_string_equal(v, "btree_gist:lms_owner,pg_trgm:lms_owner");

	/* the bootstrap superuser stays reachable for tooling */
	assert_contains(db_embedded_superuser_conninfo(own_first), "user=postgres");
	query_value(db_embedded_superuser_conninfo(own_first),
		    "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user", v,
		    sizeof(v));
	assert_string_equal(v, "true");

	/* starting again on the running cluster, then after a stop, changes
	 * nothing */
	own_second = own_start();
	assert_string_equal(db_embedded_conninfo(own_second), conninfo_first);
	db_embedded_stop(own_second);
	own_second = NULL;
	db_embedded_stop(own_first);
	own_first = NULL;
	own_first = own_start();
	assert_string_equal(db_embedded_conninfo(own_first), conninfo_first);
	query_value(conninfo_first, "SELECT count(*)::text FROM pg_extension", v, sizeof(v));
	assert_string_equal(v, "3"); /* plpgsql and the two above: the same database */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ready_when_database_and_schema_are),
		cmocka_unit_test(restart_under_the_server_is_invisible),
		cmocka_unit_test(database_down_is_503_not_a_hang),
		cmocka_unit_test(schema_behind_at_run_time_is_not_ready),
		cmocka_unit_test(schema_ahead_at_run_time_is_ready),
		cmocka_unit_test(pool_gauges_in_metrics),
		cmocka_unit_test_setup_teardown(
			fresh_cluster_connects_as_an_owner_that_is_no_superuser, own_setup,
			own_teardown),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
