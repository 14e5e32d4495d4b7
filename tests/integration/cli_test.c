/* cli_test.c - the lms command line: usage errors, config errors, embedded default */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char out[16384];

static int lms(const char *const *argv, const char *const *env)
{
	return harness_lms_run(argv, env, out, sizeof(out));
}

static void help_and_version(void **state)
{
	const char *help[] = {"--help", NULL}, *version[] = {"--version", NULL};

	assert_int_equal(lms(help, NULL), 0);
	assert_contains(out, "usage: lms [--config FILE] COMMAND");
	assert_contains(out, "serve");
	assert_contains(out, "migrate");
	assert_int_equal(lms(version, NULL), 0);
	assert_contains(out, "lms ");
}

static void usage_errors_exit_2(void **state)
{
	static const struct {
		const char *argv[4];
		const char *want;
	} cases[] = {
		{{NULL}, "usage: lms"},
		{{"frobnicate", NULL}, "unknown command frobnicate"},
		{{"--frob", "serve", NULL}, "unknown option --frob"},
		{{"serve", "extra", NULL}, "unexpected argument extra"},
		{{"--config", NULL}, "--config needs a file name"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(lms(cases[i].argv, NULL), 2);
		assert_contains(out, cases[i].want);
	}
}

static void config_errors_stop_with_file_and_line(void **state)
{
	char path[] = "/tmp/lms-test-conf-XXXXXX";
	const char *missing[] = {"--config", "/nonexistent/lms.conf", "serve", NULL};
	const char *bad[] = {"--config", path, "serve", NULL};
	const char *env_bad[] = {"LMS_DB_POOL_SIZE=lots", NULL};
	const char *plain[] = {"--config", path, "config", NULL};
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	char want[128];

	assert_int_equal(lms(missing, NULL), 1);
	assert_contains(out, "/nonexistent/lms.conf: cannot open");

	fputs("# a comment\nhttps_port = eighty\n", f);
	fclose(f);
	assert_int_equal(lms(bad, NULL), 1);
	snprintf(want, sizeof(want), "%s:2: https_port: expected an integer", path);
	assert_contains(out, want);

	f = fopen(path, "w");
	fputs("https_port = 9443\n", f);
	fclose(f);
	assert_int_equal(lms(plain, env_bad), 1);
	assert_contains(out, "LMS_DB_POOL_SIZE: db_pool_size: expected an integer");
	unlink(path);
}

static void config_prints_effective_values_without_secrets(void **state)
{
	const char *argv[] = {"config", NULL};
	const char *env[] = {"LMS_DATABASE_URL=host=db password=hunter2", "LMS_HTTPS_PORT=9999",
			     NULL};

	assert_int_equal(lms(argv, env), 0);
	assert_contains(out, "https_port = 9999\n");
	assert_contains(out, "database_url = (set)\n");
	assert_null(strstr(out, "hunter2"));
}

static void tls_files_must_come_in_pairs(void **state)
{
	const char *argv[] = {"serve", NULL};
	const char *env[] = {"LMS_TLS_CERT=/etc/ssl/certs/ca-certificates.crt",
			     "LMS_DATABASE_URL=host=/nonexistent", NULL};

	assert_int_equal(lms(argv, env), 1);
	assert_contains(out, "tls_cert and tls_key must be set together");
}

static void embedded_default_migrates_and_stops_its_cluster(void **state)
{
	char dir[] = "/tmp/lms-test-embedded-XXXXXX", env_data[128], env_mig[512], env_static[512],
	     pid_file[128], cmd[128];
	const char *argv[] = {"migrate", NULL};
	const char *env[] = {env_data, env_mig, env_static, "LMS_DATABASE_URL=", NULL};

	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(env_data, sizeof(env_data), "LMS_DATA_DIR=%s", dir);
	snprintf(env_mig, sizeof(env_mig), "LMS_MIGRATIONS_DIR=%s/migrations", harness_source_dir());
	snprintf(env_static, sizeof(env_static), "LMS_STATIC_DIR=%s/static", harness_source_dir());

	assert_int_equal(lms(argv, env), 0);
	assert_contains(out, "initialising a cluster");
	assert_contains(out, "applied; schema is current");
	/* the cluster it started is stopped again */
	snprintf(pid_file, sizeof(pid_file), "%s/pgdata/postmaster.pid", dir);
	assert_int_not_equal(access(pid_file, F_OK), 0);
	/* a second run reuses the cluster and finds nothing to do */
	assert_int_equal(lms(argv, env), 0);
	assert_null(strstr(out, "initialising a cluster"));
	assert_true(harness_migrated_none(out));
	assert_int_not_equal(access(pid_file, F_OK), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(help_and_version),
		cmocka_unit_test(usage_errors_exit_2),
		cmocka_unit_test(config_errors_stop_with_file_and_line),
		cmocka_unit_test(config_prints_effective_values_without_secrets),
		cmocka_unit_test(tls_files_must_come_in_pairs),
		cmocka_unit_test(embedded_default_migrates_and_stops_its_cluster),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
