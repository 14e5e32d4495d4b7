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

static long long day(const char *s)
{
	long long d = -999999;

	if (!catalog_rules_date_parse(s, &d))
		fail_msg("%s did not parse as a date", s);
	return d;
}

static long long instant(const char *s)
{
	long long us = -999999;

	if (!catalog_rules_timestamp_parse(s, &us))
		fail_msg("%s did not parse as a time", s);
	return us;
}

static void dates_count_days_from_the_epoch(void **state)
{
	assert_int_equal(day("1970-01-01"), 0);
	assert_int_equal(day("1970-01-02"), 1);
	assert_int_equal(day("1969-12-31"), -1);
	assert_int_equal(day("2000-03-01") - day("2000-02-28"), 2); /* 2000 is a leap year */
	assert_int_equal(day("1900-03-01") - day("1900-02-28"), 1); /* 1900 is not */
	assert_int_equal(day("2028-03-01") - day("2028-02-28"), 2);
	assert_int_equal(day("2027-03-01") - day("2027-02-28"), 1);
	assert_int_equal(day("2027-01-01") - day("2026-01-01"), 365);
	assert_int_equal(day("2029-01-01") - day("2028-01-01"), 366);
	assert_int_equal(day("2026-11-21"), 20778);
	assert_int_equal(day("0001-01-01"), -719162);
	assert_int_equal(day("9999-12-31"), 2932896);
}

static void dates_refuse_what_does_not_exist(void **state)
{
	static const char *const bad[] = {
		"2027-02-30", "2027-02-29", "1900-02-29", "2027-13-01", "2027-00-10", "2027-04-31",
		"2027-01-00", "2027-01-32", "0000-01-01", "tomorrow", "", "2027-1-01", "2027-01-1",
		"27-01-01", "2027/01/01", "2027-01-01 ", " 2027-01-01", "2027-01-01T00:00:00Z",
		"+2027-01-01", "2027-0a-01", "20270101", "2027-01-01\n", "２０２７-01-01",
	};
	long long d = 42;

	for (size_t i = 0; i < NELEMS(bad); i++)
		if (catalog_rules_date_parse(bad[i], &d))
			fail_msg("\"%s\" parsed as a date", bad[i]);
	assert_false(catalog_rules_date_parse(NULL, &d));
	assert_int_equal(d, 42); /* untouched */
	assert_true(catalog_rules_date_parse("2024-02-29", &d));
	assert_true(catalog_rules_date_parse("2000-02-29", &d));
}

static void times_take_offsets_and_fractions(void **state)
{
	assert_int_equal(instant("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(instant("1970-01-01T00:00:01Z"), 1000000);
	assert_int_equal(instant("1970-01-01T09:00:00+09:00"), 0);
	assert_int_equal(instant("1969-12-31T23:00:00-01:00"), 0);
	assert_int_equal(instant("1970-01-01T00:00:00-00:00"), 0);
	assert_int_equal(instant("1970-01-01T05:30:00+05:30"), 0);
	assert_int_equal(instant("1970-01-01T00:00:00.5Z"), 500000);
	assert_int_equal(instant("1970-01-01T00:00:00.123456Z"), 123456);
	assert_int_equal(instant("1970-01-01T00:00:00.000001Z"), 1);
	assert_int_equal(instant("1970-01-01T00:00:00.12Z"), 120000);
	/* The same instant written in two zones. */
	assert_int_equal(instant("2027-02-01T09:00:00+09:00"), instant("2027-02-01T00:00:00Z"));
	assert_int_equal(instant("2027-03-01T00:30:00+09:00"), instant("2027-02-28T15:30:00Z"));
	assert_int_equal(instant("2028-02-29T23:59:59Z") - instant("2028-02-28T23:59:59Z"),
			 86400LL * 1000000);
	assert_true(instant("2027-01-01T00:00:00.000001Z") > instant("2027-01-01T00:00:00Z"));
	assert_int_equal(instant("2026-11-21T00:00:00Z"), 20778LL * 86400 * 1000000);
	assert_int_equal(instant("2027-01-01T00:00:00+15:59") - instant("2027-01-01T00:00:00Z"),
			 -(15LL * 3600 + 59 * 60) * 1000000);
}

static void times_refuse_garbage(void **state)
{
	static const char *const bad[] = {
		"2027-02-01T09:00:00",           /* no offset */
		"2027-02-01 09:00:00+09:00",     /* space */
		"2027-02-01t09:00:00z",          /* lower case */
		"2027-02-01T09:00+09:00",        /* no seconds */
		"2027-02-01T24:00:00Z", "2027-02-01T23:60:00Z", "2027-02-01T23:59:60Z",
		"2027-02-30T09:00:00Z", "2027-13-01T09:00:00Z",
		"2027-02-01T09:00:00.Z",         /* empty fraction */
		"2027-02-01T09:00:00.1234567Z",  /* finer than PostgreSQL keeps */
		"2027-02-01T09:00:00+0900", "2027-02-01T09:00:00+09", "2027-02-01T09:00:00+9:00",
		"2027-02-01T09:00:00+16:00", "2027-02-01T09:00:00+09:60",
		"2027-02-01T09:00:00Z ", "2027-02-01T09:00:00ZZ", "2027-02-01T09:00:00+09:00x",
		"2027-02-01", "tomorrow", "now", "", "T", "2027-02-01T", "2027-02-01T9:00:00Z",
		"2027-02-01T09:00:00,5Z", "2027-02-01T09:00:00.-5Z",
	};
	long long us = 7;

	for (size_t i = 0; i < NELEMS(bad); i++)
		if (catalog_rules_timestamp_parse(bad[i], &us))
			fail_msg("\"%s\" parsed as a time", bad[i]);
	assert_false(catalog_rules_timestamp_parse(NULL, &us));
	assert_int_equal(us, 7);
}

/* What a query string names: a date is 00:00 in Korea, a time is itself,
 * and an offset's "+" a query string made a space is still a "+". */
static void instants_of_queries(void **state)
{
	static const char *const bad[] = {
		"2027-02-01T09:00:00", "2027-02-01 09:00:00+09:00", "2027-02-01T09:00:00 0900",
		"2027-02-30", "tomorrow", "", "2027-02-01T09:00:00  09:00",
	};
	long long us = 7;

	assert_true(catalog_rules_instant_parse("2027-03-01", &us));
	assert_int_equal(us, instant("2027-03-01T00:00:00+09:00"));
	assert_int_equal(us, instant("2027-02-28T15:00:00Z"));
	assert_true(catalog_rules_instant_parse("2027-03-01T09:30:00.5-02:00", &us));
	assert_int_equal(us, instant("2027-03-01T09:30:00.5-02:00"));
	assert_true(catalog_rules_instant_parse("2027-03-01T09:30:00 09:00", &us));
	assert_int_equal(us, instant("2027-03-01T09:30:00+09:00"));
	assert_true(catalog_rules_instant_parse("2027-03-01T09:30:00.123456 09:00", &us));
	assert_int_equal(us, instant("2027-03-01T09:30:00.123456+09:00"));
	us = 7;
	for (size_t i = 0; i < NELEMS(bad); i++)
		if (catalog_rules_instant_parse(bad[i], &us))
			fail_msg("\"%s\" parsed as an instant", bad[i]);
	assert_false(catalog_rules_instant_parse(NULL, &us));
	assert_int_equal(us, 7);
}

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
	const struct schema_field url = {"url", SCHEMA_STRING, .max = 2000,
					 .check = catalog_rules_url_check};
	const struct schema_field tags = {"tags", SCHEMA_ARRAY, .min = 1, .max = 40,
					  .check = catalog_rules_tags_check};
	const struct schema_field date = {"starts_on", SCHEMA_STRING,
					  .check = catalog_rules_date_check};
	const struct schema_field time = {"enrollment_opens_at", SCHEMA_STRING,
					  .check = catalog_rules_timestamp_check};
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

	assert_true(accepts(&url, "\"https://example.com/v/1\"", msg, sizeof(msg)));
	assert_false(accepts(&url, "\"http://example.com/\"", msg, sizeof(msg)));
	assert_false(accepts(&url, "\"HTTPS://example.com/\"", msg, sizeof(msg)));
	assert_false(accepts(&url, "\"https://\"", msg, sizeof(msg)));
	assert_false(accepts(&url, "\"https:///path\"", msg, sizeof(msg)));
	assert_false(accepts(&url, "\"https://exa mple.com/\"", msg, sizeof(msg)));
	assert_false(accepts(&url, "\"https://example.com/\\n\"", msg, sizeof(msg)));
	assert_false(accepts(&url, "\"javascript:alert(1)\"", msg, sizeof(msg)));

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

	assert_true(accepts(&date, "\"2028-02-29\"", msg, sizeof(msg)));
	assert_false(accepts(&date, "\"2027-02-29\"", msg, sizeof(msg)));
	assert_string_equal(msg, "must be a date YYYY-MM-DD that exists");
	assert_true(accepts(&time, "\"2027-02-01T09:00:00+09:00\"", msg, sizeof(msg)));
	assert_false(accepts(&time, "\"2027-02-01 09:00\"", msg, sizeof(msg)));
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
	return (struct catalog_span){.starts_on = day("2027-03-02"), .ends_on = day("2027-06-20"),
				     .opens_at = instant("2027-02-01T00:00:00Z"),
				     .closes_at = instant("2027-02-20T00:00:00Z")};
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
		cmocka_unit_test(dates_count_days_from_the_epoch),
		cmocka_unit_test(dates_refuse_what_does_not_exist),
		cmocka_unit_test(times_take_offsets_and_fractions),
		cmocka_unit_test(times_refuse_garbage),
		cmocka_unit_test(instants_of_queries),
		cmocka_unit_test(values_follow_their_rules),
		cmocka_unit_test(section_span_names_the_changed_field),
		cmocka_unit_test(section_transitions),
		cmocka_unit_test(lessons_that_need_a_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
