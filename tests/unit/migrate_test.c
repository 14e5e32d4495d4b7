/* migrate_test.c - unit tests for reading the migrations directory */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lms/core/err.h"
#include "lms/db/migrate.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/lms-mig-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void loads_in_version_order_with_checksums(void **state)
{
	struct migration_set set;
	char err[256] = "";

	put("0002_second.sql", "SELECT 2;");
	put("0001_first.sql", "SELECT 1;");
	put("0010_tenth.sql", "SELECT 10;");
	assert_int_equal(migrate_load(dir, &set, err, sizeof(err)), 0);
	assert_int_equal(set.n, 3);
	assert_int_equal(set.items[0].version, 1);
	assert_string_equal(set.items[0].file, "0001_first.sql");
	assert_string_equal(set.items[0].sql, "SELECT 1;");
	assert_int_equal(set.items[2].version, 10);
	/* sha256("SELECT 1;") */
	assert_int_equal(strlen(set.items[0].checksum), 64);
	assert_string_not_equal(set.items[0].checksum, set.items[1].checksum);
	migrate_set_release(&set);
}

static void refuses_bad_names_and_duplicates(void **state)
{
	struct migration_set set;
	char err[256] = "";

	put("0001_first.sql", "SELECT 1;");
	put("0001_again.sql", "SELECT 1;");
	assert_int_equal(migrate_load(dir, &set, err, sizeof(err)), LMS_EINVAL);
	assert_non_null(strstr(err, "two migrations with version 0001"));
	migrate_set_release(&set);

	teardown(state);
	setup(state);
	put("1_short.sql", "SELECT 1;");
	assert_int_equal(migrate_load(dir, &set, err, sizeof(err)), LMS_EINVAL);
	assert_non_null(strstr(err, "1_short.sql: not a migration name"));
	migrate_set_release(&set);

	teardown(state);
	setup(state);
	put("0003_Upper.sql", "SELECT 1;");
	assert_int_equal(migrate_load(dir, &set, err, sizeof(err)), LMS_EINVAL);
	migrate_set_release(&set);
}

static void shipped_migrations_load(void **state)
{
	struct migration_set set;
	char err[256] = "", path[4096];

	snprintf(path, sizeof(path), "%s/migrations", getenv("LMS_TEST_SOURCE_DIR"));
	assert_int_equal(migrate_load(path, &set, err, sizeof(err)), 0);
	assert_true(set.n >= 1);
	for (size_t i = 0; i < set.n; i++)
		assert_int_equal(set.items[i].version, (int)i + 1);
	migrate_set_release(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(loads_in_version_order_with_checksums, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_bad_names_and_duplicates, setup, teardown),
		cmocka_unit_test(shipped_migrations_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
