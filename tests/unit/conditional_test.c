/* conditional_test.c - unit tests for If-None-Match matching */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lms/http/conditional.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static void matches(void **state)
{
	static const char *const yes[] = {
		"\"abc\"",        "W/\"abc\"",         "*",          " \"x\", \"abc\"",
		"\"x\",\"abc\"",  "\"x\" ,W/\"abc\" ", ",,\"abc\",", "\"a,b\", \"abc\"",
	};

	for (size_t i = 0; i < NELEMS(yes); i++)
		if (!http_etag_list_matches(yes[i], "\"abc\""))
			fail_msg("%s does not name \"abc\"", yes[i]);
	/* Weak comparison: the W/ of our tag is ignored too. */
	assert_true(http_etag_list_matches("\"abc\"", "W/\"abc\""));
}

static void does_not_match(void **state)
{
	static const char *const no[] = {
		"",           "\"ab\"",          "\"abcd\"",     "abc",       "\"abc",
		"\"x\" \"abc\"", "W/abc",          "w/\"abc\"",    "\"ABC\"",   "\"x\"; \"abc\"",
		"\"a,\"abc\"\"", " , ",
	};

	assert_false(http_etag_list_matches(NULL, "\"abc\""));
	for (size_t i = 0; i < NELEMS(no); i++)
		if (http_etag_list_matches(no[i], "\"abc\""))
			fail_msg("%s names \"abc\"", no[i]);
	/* Not an entity-tag of ours: nothing names it, "*" neither. */
	assert_false(http_etag_list_matches("*", "abc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches),
		cmocka_unit_test(does_not_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
