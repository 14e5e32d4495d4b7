/* catalog_rules_test.c - unit tests for the catalogue's value rules and their checks */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lms/catalog/catalog_rules.h"
#include "lms/http/schema.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Whether field f accepts the JSON text value. */
static bool accepts(const struct schema_field *f, const char *value, char *msg, size_t len)
{
	json_t *v = json_loads(value, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	bool ok;

	if (!v)
		fail_msg("bad JSON in test: %s", value);
	ok = schema_value_ok(f, v, msg, len);
	json_decref(v);
	return ok;
}

static void values_follow_their_rules(void **state)
{
	const struct schema_field code = {"code", SCHEMA_STRING, .min = 1, .max = 40,
					  .check = catalog_rules_code_check};
	const struct schema_field term = {"term", SCHEMA_STRING, .check = catalog_rules_term_check};
	const struct schema_field tags = {"tags", SCHEMA_ARRAY, .min = 1, .max = 40,
					  .check = catalog_rules_tags_check};
	char msg[160];

	assert_true(accepts(&code, "\"AI-101.a_2\"", msg, sizeof(msg)));
	assert_true(accepts(&code, "\"7\"", msg, sizeof(msg)));
	assert_false(accepts(&code, "\"-AI\"", msg, sizeof(msg)));
	assert_false(accepts(&code, "\"AI 101\"", msg, sizeof(msg)));
	assert_false(accepts(&code, "\"인공\"", msg, sizeof(msg)));
	assert_false(accepts(&code, "\"\"", msg, sizeof(msg)));
	assert_false(accepts(&code, "\"A1234567890123456789012345678901234567890\"", msg,
			     sizeof(msg)));
	assert_string_equal(msg, "must be 1 to 40 letters, digits, '_', '.' or '-', starting "
				 "with a letter or digit");

	assert_true(accepts(&term, "\"2027-1\"", msg, sizeof(msg)));
	assert_true(accepts(&term, "\"2027-winter\"", msg, sizeof(msg)));
	assert_false(accepts(&term, "\"2027-3\"", msg, sizeof(msg)));
	assert_false(accepts(&term, "\"27-1\"", msg, sizeof(msg)));
	assert_false(accepts(&term, "\"2027-Summer\"", msg, sizeof(msg)));
	/* Cohorts (기수) of the Academy and the regional centres. */
	assert_true(accepts(&term, "\"2027-c3\"", msg, sizeof(msg)));
	assert_true(accepts(&term, "\"2027-c1\"", msg, sizeof(msg)));
	assert_true(accepts(&term, "\"2027-c99\"", msg, sizeof(msg)));
	assert_false(accepts(&term, "\"2027-c0\"", msg, sizeof(msg)));
	assert_false(accepts(&term, "\"2027-c03\"", msg, sizeof(msg)));
	assert_false(accepts(&term, "\"2027-c100\"", msg, sizeof(msg)));
	assert_false(accepts(&term, "\"2027-c\"", msg, sizeof(msg)));
	assert_false(accepts(&term, "\"2027-C3\"", msg, sizeof(msg)));
	assert_false(accepts(&term, "\"2027-c3x\"", msg, sizeof(msg)));

	assert_true(accepts(&tags, "[]", msg, sizeof(msg)));
	assert_true(accepts(&tags, "[\"AI\", \"코딩\"]", msg, sizeof(msg)));
	assert_false(accepts(&tags, "[\"AI\", 3]", msg, sizeof(msg)));
	assert_string_equal(msg, "each tag must be a string");
	assert_false(accepts(&tags, "[\"\"]", msg, sizeof(msg)));
	assert_false(accepts(&tags, "[\" \"]", msg, sizeof(msg)));
	assert_false(accepts(&tags, "[\"a\\u0000b\"]", msg, sizeof(msg)));
	assert_false(accepts(&tags, "[\"12345678901234567890123456789012345678901\"]", msg,
			     sizeof(msg)));
	/* Forty Korean syllables are a tag; forty-one are not. */
	assert_true(accepts(&tags, "[\"가나다라마바사아자차카타파하가나다라마바사아자차카타파하가나다라마바사아자차카타\"]",
			    msg, sizeof(msg)));
	assert_false(accepts(&tags, "[\"가나다라마바사아자차카타파하가나다라마바사아자차카타파하가나다라마바사아자차카타파\"]",
			     msg, sizeof(msg)));
	assert_string_equal(msg, "each tag must be 1 to 40 characters, not blank");
	assert_false(accepts(&tags,
			     "[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\","
			     "\"12\",\"13\",\"14\",\"15\",\"16\",\"17\",\"18\",\"19\",\"20\",\"21\"]",
			     msg, sizeof(msg)));
	assert_string_equal(msg, "must have at most 20 tags");
}

/* The field an error list names first, or "". */
static const char *first_field(const json_t *errors)
{
	const char *f = json_string_value(json_object_get(json_array_get(errors, 0), "field"));

	return f ? f : "";
}

/* A section as stored: March to June, enrolment in February. */
static struct catalog_span stored_span(void)
{
	/* 2027-03-02 and 2027-06-20 in days, 2027-02-01 and 2027-02-20 at
	 * 00:00Z in microseconds, since the epoch (datetime_test.c). */
	return (struct catalog_span){.starts_on = 20879, .ends_on = 20989,
				     .opens_at = 1801440000000000LL,
				     .closes_at = 1803081600000000LL};
}

static void section_span_names_the_changed_field(void **state)
{
	struct catalog_span span = {
		.starts_on = 100, .ends_on = 200, .opens_at = 1000, .closes_at = 2000};
	json_t *errors = NULL, *body;

	/* A new section: every date named, the later one blamed. */
	body = json_loads("{\"starts_on\": \"2027-03-10\", \"ends_on\": \"2027-03-09\","
			  " \"enrollment_opens_at\": \"2027-02-01T09:00:00+09:00\","
			  " \"enrollment_closes_at\": \"2027-02-01T00:00:00Z\"}",
			  0, NULL);
	assert_false(catalog_rules_section_span(body, &span, &errors));
	assert_int_equal(json_array_size(errors), 2);
	assert_string_equal(first_field(errors), "ends_on");
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(errors, 1), "field")),
		"enrollment_closes_at");
	json_decref(errors);
	json_decref(body);

	/* Equal dates are a one-day section; an equal window is none. */
	errors = NULL;
	body = json_loads("{\"starts_on\": \"2027-03-10\", \"ends_on\": \"2027-03-10\","
			  " \"enrollment_opens_at\": \"2027-02-01T00:00:00Z\","
			  " \"enrollment_closes_at\": \"2027-02-01T00:00:00.000001Z\"}",
			  0, NULL);
	assert_true(catalog_rules_section_span(body, &span, &errors));
	assert_null(errors);
	json_decref(body);

	/* An update that moves only the start past the stored end. */
	span = stored_span();
	body = json_loads("{\"starts_on\": \"2027-07-01\"}", 0, NULL);
	assert_false(catalog_rules_section_span(body, &span, &errors));
	assert_string_equal(first_field(errors), "starts_on");
	json_decref(errors);
	json_decref(body);

	errors = NULL;
	span = stored_span();
	body = json_loads("{\"enrollment_opens_at\": \"2027-02-21T00:00:00+09:00\"}", 0, NULL);
	assert_false(catalog_rules_section_span(body, &span, &errors));
	assert_string_equal(first_field(errors), "enrollment_opens_at");
	json_decref(errors);
	json_decref(body);

	/* Nothing about dates: the stored span holds. */
	errors = NULL;
	body = json_loads("{\"capacity\": 30}", 0, NULL);
	span = stored_span();
	assert_true(catalog_rules_section_span(body, &span, &errors));
	assert_null(errors);
	json_decref(body);
}

static void section_transitions(void **state)
{
	static const char *const live[] = {"draft", "open", "closed"};

	for (size_t i = 0; i < NELEMS(live); i++) {
		for (size_t j = 0; j < NELEMS(live); j++)
			assert_true(catalog_rules_section_transition_ok(live[i], live[j]));
		assert_true(catalog_rules_section_transition_ok(live[i], "cancelled"));
		assert_false(catalog_rules_section_transition_ok("cancelled", live[i]));
		assert_false(catalog_rules_section_transition_ok(live[i], "archived"));
	}
	assert_true(catalog_rules_section_transition_ok("cancelled", "cancelled"));
}

static void lessons_that_need_a_url(void **state)
{
	assert_true(catalog_rules_lesson_needs_url("video"));
	assert_true(catalog_rules_lesson_needs_url("link"));
	assert_false(catalog_rules_lesson_needs_url("text"));
	assert_false(catalog_rules_lesson_needs_url("file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values_follow_their_rules),
		cmocka_unit_test(section_span_names_the_changed_field),
		cmocka_unit_test(section_transitions),
		cmocka_unit_test(lessons_that_need_a_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
