/* privacy_test.c - unit tests of the privacy notice's items and its
 * description for the front end, and of the texts it names */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/privacy.h"

static void optional_items(void **state)
{
	(void)state;
	assert_true(privacy_optional_item("program_news"));
	assert_true(privacy_optional_item("survey"));
	/* The required item is not optional; nothing else is an item. */
	assert_false(privacy_optional_item(PRIVACY_REQUIRED_ITEM));
	assert_false(privacy_optional_item("marketing_calls"));
	assert_false(privacy_optional_item(""));
	assert_false(privacy_optional_item(NULL));
	assert_string_equal(privacy_optional_list(), "program_news,survey");
}

static void notice_json(void **state)
{
	json_t *n = privacy_notice_json(), *items;
	size_t i, required = 0;
	json_t *it;

	(void)state;
	assert_non_null(n);
	assert_string_equal(json_string_value(json_object_get(n, "version")),
			    PRIVACY_NOTICE_VERSION);
	items = json_object_get(n, "items");
	assert_int_equal(json_array_size(items), 3);
	json_array_foreach(items, i, it) {
		const char *code = json_string_value(json_object_get(it, "code"));

		if (json_is_true(json_object_get(it, "required"))) {
			required++;
			assert_string_equal(code, PRIVACY_REQUIRED_ITEM);
		} else {
			assert_true(privacy_optional_item(code));
		}
	}
	assert_int_equal(required, 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(n, "text"), "ko")),
			    "/privacy/notice.ko.txt");
	json_decref(n);
}

/* The texts in static/ carry the version the server asks consent to, and
 * name every item: a notice changed without its version (or the reverse)
 * fails here. */
static void texts_match_version(void **state)
{
	static const char *const files[] = {"notice.ko.txt", "notice.en.txt"};
	const char *root = getenv("LMS_TEST_SOURCE_DIR");
	char path[1024], buf[16384];

	(void)state;
	assert_non_null(root);
	for (size_t i = 0; i < 2; i++) {
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "%s/static/privacy/%s", root, files[i]);
		f = fopen(path, "rb");
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		assert_non_null(strstr(buf, PRIVACY_NOTICE_VERSION));
		assert_non_null(strstr(buf, "program_news"));
		assert_non_null(strstr(buf, "survey"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(optional_items),
		cmocka_unit_test(notice_json),
		cmocka_unit_test(texts_match_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
