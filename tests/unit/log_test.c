/* log_test.c - unit tests of logging: level names and filtering, one JSON
 * object a line whatever the message holds */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lms/core/log.h"

/* stderr goes to a temporary file while a test writes its lines. */
static FILE *captured;
static int saved_stderr = -1;

static void capture_start(void)
{
	assert_non_null(captured = tmpfile());
	fflush(stderr);
	assert_true((saved_stderr = dup(STDERR_FILENO)) >= 0);
	assert_true(dup2(fileno(captured), STDERR_FILENO) >= 0);
}

/* Restores stderr and returns what was written (free it). */
static char *capture_end(void)
{
	long n;
	char *text;

	fflush(stderr);
	assert_true(dup2(saved_stderr, STDERR_FILENO) >= 0);
	close(saved_stderr);
	n = ftell(captured);
	assert_true(n >= 0);
	assert_non_null(text = calloc(1, (size_t)n + 1));
	rewind(captured);
	assert_int_equal(fread(text, 1, (size_t)n, captured), (size_t)n);
	fclose(captured);
	return text;
}

/* Fails unless line (up to its newline) is {"ts","level","msg"} with these
 * level and msg and a UTC time of milliseconds. */
static void assert_line(const char *line, const char *level, const char *msg)
{
	json_error_t err;
	json_t *j = json_loadb(line, strcspn(line, "\n"), 0, &err);
	const char *ts;

	if (!j)
		fail_msg("not one JSON object (%s): %s", err.text, line);
	assert_int_equal(json_object_size(j), 3);
	assert_string_equal(json_string_value(json_object_get(j, "level")), level);
	assert_string_equal(json_string_value(json_object_get(j, "msg")), msg);
	assert_non_null(ts = json_string_value(json_object_get(j, "ts")));
	/* 2027-03-03T09:00:00.123Z */
	assert_int_equal(strlen(ts), 24);
	assert_true(ts[10] == 'T' && ts[19] == '.' && ts[23] == 'Z');
	json_decref(j);
}

static void level_names_parse(void **state)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	static const char *const bad[] = {"", "INFO", "warning", "fatal", "info "};
	enum log_level level;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_true(log_level_parse(names[i], &level));
		assert_int_equal(level, (enum log_level)i);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (log_level_parse(bad[i], &level))
			fail_msg("accepted level \"%s\"", bad[i]);
}

static void lines_below_the_level_are_dropped(void **state)
{
	char *text;

	(void)state;
	capture_start();
	log_debug("not written");
	log_info("written %d", 1);
	log_level_set(LOG_ERROR);
	log_warn("not written either");
	log_error("written %d", 2);
	log_level_set(LOG_DEBUG);
	log_debug("written %d", 3);
	log_level_set(LOG_INFO);
	text = capture_end();
	assert_null(strstr(text, "not written"));
	assert_line(text, "info", "written 1");
	assert_line(strchr(text, '\n') + 1, "error", "written 2");
	assert_line(strchr(strchr(text, '\n') + 1, '\n') + 1, "debug", "written 3");
	free(text);
}

static void a_message_stays_on_its_line(void **state)
{
	static const char msg[] = "quote \" backslash \\ line\nbreak\ttab 광주 \x01";
	char *text;

	(void)state;
	capture_start();
	log_warn("%s", msg);
	log_json_line("{\"access\":1}");
	text = capture_end();
	/* Two lines: the message's newline and control character are escaped,
	 * and Korean is written as \u escapes, so every line is ASCII. */
	assert_non_null(strchr(text, '\n'));
	assert_string_equal(strchr(text, '\n') + 1, "{\"access\":1}\n");
	for (const char *p = text; *p; p++)
		assert_true((unsigned char)*p < 0x80);
	assert_line(text, "warn", msg);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(level_names_parse),
		cmocka_unit_test(lines_below_the_level_are_dropped),
		cmocka_unit_test(a_message_stays_on_its_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
