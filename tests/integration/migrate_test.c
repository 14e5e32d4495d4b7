/* migrate_test.c - lms migrate and the start-up schema check, on a real database */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char conninfo[1024], migrations[256], data_dir[64], env_db[1100], env_mig[300],
	env_data[100], env_static[300];

static const char *const *env(void)
{
	static const char *e[5];
	snprintf(env_db, sizeof(env_db), "LMS_DATABASE_URL=%s", conninfo);
	snprintf(env_mig, sizeof(env_mig), "LMS_MIGRATIONS_DIR=%s", migrations);
	snprintf(env_data, sizeof(env_data), "LMS_DATA_DIR=%s", data_dir);
	e[0] = env_db;
	e[1] = env_mig;
	e[2] = env_data;
	snprintf(env_static, sizeof(env_static), "LMS_STATIC_DIR=%s/static", harness_source_dir());
	e[3] = env_static;
	e[4] = NULL;
	return e;
}

static int run(const char *cmd, char *out, size_t len)
{
	const char *argv[] = {cmd, NULL};
	return harness_lms_run(argv, env(), out, len);
}

/* A private copy of the migrations that tests may change. */
static int setup(void **state)
{
	char cmd[1024];

	snprintf(migrations, sizeof(migrations), "/tmp/lms-test-mig-XXXXXX");
	snprintf(data_dir, sizeof(data_dir), "/tmp/lms-test-data-XXXXXX");
	if (!mkdtemp(migrations) || !mkdtemp(data_dir))
		return -1;
	snprintf(cmd, sizeof(cmd), "cp %s/migrations/*.sql %s/", harness_source_dir(), migrations);
	if (system(cmd) != 0)
		return -1;
	if (harness_db_create("it_migrate", conninfo, sizeof(conninfo)) != 0)
		return -1;
	/* Roles belong to the cluster, which other tests share: make sure the
	 * server's role exists, as it does on any database it once migrated,
	 * so that serve gets as far as the schema whichever test ran first. */
	return harness_sql(conninfo, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles"
				     " WHERE rolname = 'lms_app') THEN CREATE ROLE lms_app LOGIN"
				     " NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF; END $$");
}

static int teardown(void **state)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", migrations, data_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int count_rows(void)
{
	char sql[] = "DO $$ BEGIN IF (SELECT count(*) FROM schema_migrations) <> "
		     "(SELECT count(*) FROM schema_migrations WHERE checksum ~ '^[0-9a-f]{64}$') "
		     "THEN RAISE 'bad checksum'; END IF; END $$";
	return harness_sql(conninfo, sql);
}

/* Writes (mode "w") or appends to (mode "a") a file of the migrations copy. */
static void put_migration(const char *name, const char *mode, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", migrations, name);
	f = fopen(path, mode);
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void drop_migration(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", migrations, name);
	assert_int_equal(unlink(path), 0);
}

static void serve_refuses_an_unmigrated_database(void **state)
{
	char out[8192];

	assert_int_equal(run("serve", out, sizeof(out)), 1);
	assert_contains(out, "refusing to start: schema is behind: 0001_");
}

static void migrate_is_idempotent(void **state)
{
	char out[8192];

	assert_int_equal(run("migrate", out, sizeof(out)), 0);
	assert_contains(out, "applied; schema is current");
	assert_false(harness_migrated_none(out));
	assert_int_equal(count_rows(), 0);
	assert_int_equal(run("migrate", out, sizeof(out)), 0);
	assert_contains(out, "0 migrations applied; schema is current");
	/* the extensions of the first migration are there */
	assert_int_equal(harness_sql(conninfo, "SELECT 'x' % 'y', similarity('인공지능', '인공')"), 0);
	assert_int_equal(harness_sql(conninfo, "SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'"
					       " HAVING count(*) = 1"),
			 0);
}

static void a_new_migration_is_applied_once(void **state)
{
	char out[8192];

	put_migration("0900_probe.sql", "w", "CREATE TABLE migrate_probe (id int);\n");
	/* behind: serve refuses and names the file */
	assert_int_equal(run("serve", out, sizeof(out)), 1);
	assert_contains(out, "schema is behind: 0900_probe.sql not applied");
	assert_int_equal(run("migrate", out, sizeof(out)), 0);
	assert_contains(out, "1 migration applied");
	assert_int_equal(harness_sql(conninfo, "SELECT * FROM migrate_probe"), 0);
	assert_int_equal(run("migrate", out, sizeof(out)), 0);
	assert_contains(out, "0 migrations applied");
}

static void a_failing_migration_leaves_nothing_behind(void **state)
{
	char out[8192];

	put_migration("0950_broken.sql", "w",
		      "CREATE TABLE half_done (id int);\nSELECT no_such_function();\n");
	assert_int_equal(run("migrate", out, sizeof(out)), 1);
	assert_contains(out, "0950_broken.sql");
	/* its transaction rolled back: no table, no record */
	assert_int_not_equal(harness_sql(conninfo, "SELECT * FROM half_done"), 0);
	assert_int_equal(harness_sql(conninfo, "DO $$ BEGIN IF EXISTS (SELECT 1 FROM "
					       "schema_migrations WHERE version = 950) THEN RAISE "
					       "'recorded'; END IF; END $$"),
			 0);
	drop_migration("0950_broken.sql");
}

static void a_changed_migration_is_refused(void **state)
{
	char out[8192];

	put_migration("0900_probe.sql", "a", "-- edited after it was applied\n");
	assert_int_equal(run("migrate", out, sizeof(out)), 1);
	assert_contains(out, "migration 0900_probe.sql was changed after it was applied");
	assert_int_equal(run("serve", out, sizeof(out)), 1);
	assert_contains(out, "0900_probe.sql was changed after it was applied");
}

/* A release older than the database may still serve it (a rolling
 * upgrade migrates first), but never migrates or seeds it. */
static void an_unknown_applied_migration_is_refused(void **state)
{
	const char *seed[] = {"seed", "--demo", NULL};
	char out[8192];

	drop_migration("0900_probe.sql");
	assert_int_equal(run("migrate", out, sizeof(out)), 1);
	assert_contains(out, "database has migration 0900_probe.sql that this build does not know");
	assert_int_equal(harness_lms_run(seed, env(), out, sizeof(out)), 1);
	assert_contains(out, "database has migration 0900_probe.sql that this build does not know");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(serve_refuses_an_unmigrated_database),
		cmocka_unit_test(migrate_is_idempotent),
		cmocka_unit_test(a_new_migration_is_applied_once),
		cmocka_unit_test(a_failing_migration_leaves_nothing_behind),
		cmocka_unit_test(a_changed_migration_is_refused),
		cmocka_unit_test(an_unknown_applied_migration_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
