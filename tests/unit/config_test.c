/* config_test.c - unit tests for the typed configuration table */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lms/core/config.h"
#include "lms/core/err.h"

static char path[64];

static void write_conf(const char *text)
{
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/lms-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

static int load(const char *text, struct lms_config *cfg, char *err, size_t len)
{
	int rc;

	write_conf(text);
	rc = config_load(cfg, path, err, len);
	unlink(path);
	return rc;
}

static void defaults_without_file(void **state)
{
	struct lms_config cfg;
	char err[256] = "";

	assert_int_equal(config_load(&cfg, NULL, err, sizeof(err)), 0);
	assert_string_equal(cfg.listen_address, "127.0.0.1");
	assert_int_equal(cfg.https_port, 8443);
	assert_int_equal(cfg.http_port, 0);
	assert_string_equal(cfg.database_url, "");
	assert_string_equal(cfg.data_dir, "var");
	assert_int_equal(cfg.max_body_bytes, 1 << 20);
	assert_int_equal(cfg.password_hash_iterations, 600000);
	assert_true(cfg.access_log);
	config_release(&cfg);
}

static void file_values_and_comments(void **state)
{
	struct lms_config cfg;
	char err[256] = "";

	assert_int_equal(load("# comment\n\n  https_port = 9443  \nmax_body_bytes = 64KiB\n"
			      "access_log = no\nlog_level = debug\n"
			      "database_url = host=/tmp dbname=x\n",
			      &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg.https_port, 9443);
	assert_int_equal(cfg.max_body_bytes, 64 * 1024);
	assert_false(cfg.access_log);
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_string_equal(cfg.database_url, "host=/tmp dbname=x");
	config_release(&cfg);
}

static void bad_values_name_file_and_line(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{"https_port = 8443\nhttps_port = 9443\n", ":2: https_port: set twice"},
		{"\n\nhttps_port = abc\n", ":3: https_port: expected an integer"},
		{"https_port = 70000\n", ":1: https_port: expected an integer from 1 to 65535"},
		{"https_port = 12x\n", ":1: https_port"},
		{"https_port = \n", ":1: https_port"},
		{"nonsense = 1\n", ":1: unknown key \"nonsense\""},
		{"just words\n", ":1: expected \"key = value\""},
		{"access_log = maybe\n", ":1: access_log: expected yes or no"},
		{"log_level = loud\n", ":1: log_level: expected debug, info, warn or error"},
		{"max_body_bytes = 1TB\n", ":1: max_body_bytes"},
		{"max_body_bytes = 2GiB\n", ":1: max_body_bytes"},
		{"listen_address =\n", ":1: listen_address: must not be empty"},
		{"db_pool_size = 0\n", ":1: db_pool_size"},
		{"\ntrusted_proxies = 10.0.0.0/33\n",
		 ":2: trusted_proxies: \"10.0.0.0/33\" is not an IP address or CIDR range"},
		{"trusted_proxies = 127.0.0.1,,::1\n", ":1: trusted_proxies: an entry of the list"},
		{"register_per_address = 0\n", ":1: register_per_address"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lms_config cfg;
		char err[256] = "";

		assert_int_equal(load(cases[i].text, &cfg, err, sizeof(err)), LMS_EINVAL);
		if (!strstr(err, cases[i].want) || strncmp(err, path, strlen(path)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s%s...\"", i, err, path, cases[i].want);
		config_release(&cfg);
	}
}

static void missing_file_is_an_error(void **state)
{
	struct lms_config cfg;
	char err[256] = "";

	assert_int_equal(config_load(&cfg, "/nonexistent/lms.conf", err, sizeof(err)), LMS_EIO);
	assert_non_null(strstr(err, "/nonexistent/lms.conf"));
	config_release(&cfg);
}

static void environment_overrides_file(void **state)
{
	struct lms_config cfg;
	char err[256] = "";

	setenv("LMS_HTTPS_PORT", "10443", 1);
	setenv("LMS_DATABASE_URL", "dbname=fromenv", 1);
	assert_int_equal(load("https_port = 9443\n", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.https_port, 10443);
	assert_string_equal(cfg.database_url, "dbname=fromenv");
	config_release(&cfg);

	setenv("LMS_HTTPS_PORT", "zero", 1);
	assert_int_equal(config_load(&cfg, NULL, err, sizeof(err)), LMS_EINVAL);
	assert_non_null(strstr(err, "LMS_HTTPS_PORT: https_port: expected an integer"));
	config_release(&cfg);
	unsetenv("LMS_HTTPS_PORT");
	unsetenv("LMS_DATABASE_URL");
}

static void trusted_proxies_are_parsed(void **state)
{
	struct lms_config cfg;
	char err[256] = "";

	assert_int_equal(config_load(&cfg, NULL, err, sizeof(err)), 0);
	assert_int_equal(cfg.trusted_proxies.n, 0);
	assert_int_equal(cfg.register_per_address, 20);
	assert_int_equal(cfg.register_window_s, 3600);
	config_release(&cfg);

	assert_int_equal(load("trusted_proxies = 127.0.0.1, 10.0.0.0/8, fd00::/8\n", &cfg, err,
			      sizeof(err)),
			 0);
	assert_int_equal(cfg.trusted_proxies.n, 3);
	assert_int_equal(cfg.trusted_proxies.v[1].prefix, 8);
	config_release(&cfg);
	assert_int_equal(cfg.trusted_proxies.n, 0);

	setenv("LMS_TRUSTED_PROXIES", "10.1.2.3/8", 1);
	assert_int_equal(config_load(&cfg, NULL, err, sizeof(err)), LMS_EINVAL);
	assert_non_null(strstr(err, "LMS_TRUSTED_PROXIES: trusted_proxies: \"10.1.2.3/8\" has bits"));
	config_release(&cfg);
	unsetenv("LMS_TRUSTED_PROXIES");
}

static void shipped_file_is_valid(void **state)
{
	struct lms_config cfg;
	char err[256] = "", file[4096];

	snprintf(file, sizeof(file), "%s/config/lms.conf", getenv("LMS_TEST_SOURCE_DIR"));
	assert_int_equal(config_load(&cfg, file, err, sizeof(err)), 0);
	assert_int_equal(cfg.https_port, 8443);
	config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_without_file),
		cmocka_unit_test(file_values_and_comments),
		cmocka_unit_test(bad_values_name_file_and_line),
		cmocka_unit_test(missing_file_is_an_error),
		cmocka_unit_test(environment_overrides_file),
		cmocka_unit_test(trusted_proxies_are_parsed),
		cmocka_unit_test(shipped_file_is_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
