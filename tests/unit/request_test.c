/* request_test.c - unit tests for path decoding, JSON field checks and page cursors */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lms/http/request.h"
#include "lms/http/schema.h"

static void decodes_escapes_and_utf8(void **state)
{
	char *p;

	p = http_path_decode("/api/v1/courses/%EC%9D%B8%EA%B3%B5");
	assert_non_null(p);
	assert_string_equal(p, "/api/v1/courses/인공");
	free(p);
	p = http_path_decode("/a+b%20c");
	assert_string_equal(p, "/a+b c");
	free(p);
}

static void refuses_control_characters_and_bad_escapes(void **state)
{
	static const char *const bad[] = {
		"/index.txt%00.html", "/a%0d%0aSet-Cookie:x", "/a%0a", "/%7f", "/%1b[31m",
		"/%zz", "/%4", "/%", "/%c0%ae", /* overlong "." */
		"/%ed%a0%80",                   /* surrogate */
		"/%f4%90%80%80",                /* above U+10FFFF */
		"/%e4%b8",                      /* truncated */
		"/\x01",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *p = http_path_decode(bad[i]);
		if (p)
			fail_msg("%s decoded to \"%s\"", bad[i], p);
	}
}

static const struct schema_field fields[] = {
	{"email", SCHEMA_STRING, .required = true, .max_bytes = 10},
	{"age", SCHEMA_INT, .required = false},
	{"note", SCHEMA_STRING, .nullable = true},
	{"tags", SCHEMA_ARRAY, .required = false},
};

static json_t *check(const char *text)
{
	json_t *obj = json_loads(text, 0, NULL), *errors = NULL;
	bool ok;

	assert_non_null(obj);
	ok = schema_check(obj, &(const struct schema)SCHEMA_OF(fields), SCHEMA_CREATE, &errors);
	json_decref(obj);
	assert_true(ok == (errors == NULL));
	return errors;
}

static bool has_error(const json_t *errors, const char *field, const char *message)
{
	size_t i;
	json_t *e;

	json_array_foreach((json_t *)errors, i, e) {
		if (!strcmp(json_string_value(json_object_get(e, "field")), field) &&
		    strstr(json_string_value(json_object_get(e, "message")), message))
			return true;
	}
	return false;
}

static void json_check_accepts_valid(void **state)
{
	assert_null(check("{\"email\":\"a@b.kr\"}"));
	assert_null(check("{\"email\":\"a@b.kr\",\"age\":3,\"note\":null,\"tags\":[]}"));
}

static void json_check_names_each_bad_field(void **state)
{
	json_t *errors = check("{\"age\":\"3\",\"note\":1,\"extra\":true,\"tags\":{}}");

	assert_non_null(errors);
	assert_true(has_error(errors, "email", "is required"));
	assert_true(has_error(errors, "age", "must be an integer"));
	assert_true(has_error(errors, "note", "must be a string"));
	assert_true(has_error(errors, "extra", "unknown field"));
	assert_true(has_error(errors, "tags", "must be an array"));
	assert_int_equal(json_array_size(errors), 5);
	json_decref(errors);

	errors = check("{\"email\":\"much-too-long@example.com\",\"age\":null}");
	assert_true(has_error(errors, "email", "at most 10 bytes"));
	assert_true(has_error(errors, "age", "must not be null"));
	json_decref(errors);
}

static void page_cursor_round_trips(void **state)
{
	static const long long ids[] = {1, 9, 10, 4096, 123456789, LLONG_MAX};
	long long id;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		json_t *cursor = http_page_cursor(ids[i], 20, 20);

		assert_true(json_is_string(cursor));
		id = 0;
		assert_true(http_page_cursor_decode(json_string_value(cursor), &id));
		assert_int_equal(id, ids[i]);
		json_decref(cursor);
	}
}

static void page_cursor_refuses_others(void **state)
{
	static const char *const bad[] = {
		"", "c", "cA", "cDA" /* p0 */, "cC0x" /* p-1 */, "cDF4" /* p1x */,
		"cCAx" /* "p 1" */, "eDE" /* x1 */, "cDE=", "cDE+", "cD E",
		"cDk5OTk5OTk5OTk5OTk5OTk5OTk5", /* beyond LLONG_MAX */
		"cDEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* longer than any cursor */
	};
	long long id;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (http_page_cursor_decode(bad[i], &id))
			fail_msg("\"%s\" decoded to %lld", bad[i], id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_escapes_and_utf8),
		cmocka_unit_test(refuses_control_characters_and_bad_escapes),
		cmocka_unit_test(json_check_accepts_valid),
		cmocka_unit_test(json_check_names_each_bad_field),
		cmocka_unit_test(page_cursor_round_trips),
		cmocka_unit_test(page_cursor_refuses_others),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
