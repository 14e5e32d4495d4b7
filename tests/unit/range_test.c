/* range_test.c - unit tests for Range header parsing */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lms/http/range.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Fails unless h asks for [first, last] of a file of size bytes. */
static void assert_one(const char *h, long long size, long long first, long long last)
{
	long long f = -1, l = -1;

	if (http_range_parse(h, size, &f, &l) != HTTP_RANGE_ONE)
		fail_msg("\"%s\" of %lld bytes is not one range", h, size);
	if (f != first || l != last)
		fail_msg("\"%s\" of %lld bytes: %lld-%lld, not %lld-%lld", h, size, f, l, first,
			 last);
}

static void one_range_clipped_to_the_file(void **state)
{
	assert_one("bytes=0-0", 10, 0, 0);
	assert_one("bytes=0-9", 10, 0, 9);
	assert_one("bytes=2-5", 10, 2, 5);
	assert_one("BYTES=2-5", 10, 2, 5);
	assert_one("bytes=3-", 10, 3, 9);
	assert_one("bytes=3-100", 10, 3, 9);
	assert_one("bytes=9-99999999999999999999999", 10, 9, 9);
	assert_one("bytes=-4", 10, 6, 9);
	assert_one("bytes=-10", 10, 0, 9);
	assert_one("bytes=-99999999999999999999999", 10, 0, 9);
	assert_one("bytes=1-2 \t", 10, 1, 2);
}

static void outside_the_file_is_unsatisfiable(void **state)
{
	static const struct {
		const char *h;
		long long size;
	} cases[] = {
		{"bytes=10-", 10}, {"bytes=10-20", 10}, {"bytes=-0", 10},
		{"bytes=0-", 0},   {"bytes=-5", 0},     {"bytes=99999999999999999999-", 10},
	};
	long long f, l;

	for (size_t i = 0; i < NELEMS(cases); i++)
		if (http_range_parse(cases[i].h, cases[i].size, &f, &l) != HTTP_RANGE_UNSATISFIABLE)
			fail_msg("\"%s\" of %lld bytes is not unsatisfiable", cases[i].h,
				 cases[i].size);
}

static void anything_else_is_the_whole_file(void **state)
{
	static const char *const cases[] = {
		"", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=5-2", "bytes=0-1,3-4",
		"bytes= 1-2", "bytes=1 -2", "bytes=1-2x", "bytes=+1-2", "bytes=1-+2",
		"bytes=--1", "bytes=-1-", "items=0-1", "bytes=0x1-2",
	};
	long long f = -1, l = -1;

	assert_int_equal(http_range_parse(NULL, 10, &f, &l), HTTP_RANGE_NONE);
	for (size_t i = 0; i < NELEMS(cases); i++)
		if (http_range_parse(cases[i], 10, &f, &l) != HTTP_RANGE_NONE)
			fail_msg("\"%s\" is not ignored", cases[i]);
	assert_int_equal(f, -1);
	assert_int_equal(l, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_range_clipped_to_the_file),
		cmocka_unit_test(outside_the_file_is_unsatisfiable),
		cmocka_unit_test(anything_else_is_the_whole_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
