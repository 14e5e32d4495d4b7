/* schema_test.c - unit tests for request body schemas and their checker */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lms/http/schema.h"

static const char *const deliveries[] = {"online", "offline", "blended", NULL};

/* A custom check: the value must be even. */
static bool even(const struct schema_field *f, const json_t *v, char *msg, size_t len)
{
	(void)f;
	if (json_integer_value(v) % 2 == 0)
		return true;
	snprintf(msg, len, "must be even");
	return false;
}

static const struct schema_field course_fields[] = {
	{"title_ko", SCHEMA_STRING, .required = true, .min = 1, .max = 10},
	{"summary", SCHEMA_STRING, .max = 5},
	{"delivery", SCHEMA_STRING, .required = true, .max_bytes = 32, .values = deliveries},
	{"capacity", SCHEMA_INT, .min = 1, .max = 100},
	{"pairs", SCHEMA_INT, .nullable = true, .check = even},
	{"owner_id", SCHEMA_ID, .use = SCHEMA_CREATE_ONLY, .message = "must be the id of a user"},
	{"status", SCHEMA_STRING, .use = SCHEMA_CHANGE_ONLY, .max_bytes = 16},
	{"helpers", SCHEMA_IDS, .max = 3},
	{"published", SCHEMA_BOOL, .required = false},
	{"meta", SCHEMA_OBJECT, .nullable = true},
};
static const struct schema course = SCHEMA_OF(course_fields);

/* schema_check of the JSON text body for mode; the errors (new reference)
 * or NULL, and ok as returned. */
static json_t *check(const char *text, enum schema_mode mode, bool *ok)
{
	json_t *body = json_loads(text, 0, NULL), *errors = NULL;

	if (!body)
		fail_msg("bad JSON in test: %s", text);
	*ok = schema_check(body, &course, mode, &errors);
	json_decref(body);
	assert_true(*ok == (errors == NULL));
	return errors;
}

/* The message errors has for field, or NULL when it names it not. */
static const char *message_for(const json_t *errors, const char *field)
{
	size_t i;
	json_t *e;

	json_array_foreach((json_t *)errors, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "field")), field))
			return json_string_value(json_object_get(e, "message"));
	return NULL;
}

/* How many times errors names field. */
static int times_named(const json_t *errors, const char *field)
{
	size_t i;
	json_t *e;
	int n = 0;

	json_array_foreach((json_t *)errors, i, e)
		n += !strcmp(json_string_value(json_object_get(e, "field")), field);
	return n;
}

static void valid_bodies_pass(void **state)
{
	bool ok;

	(void)state;
	assert_null(check("{\"title_ko\": \"인공지능\", \"delivery\": \"online\"}", SCHEMA_CREATE,
			  &ok));
	assert_true(ok);
	assert_null(check("{\"title_ko\": \"AI\", \"summary\": \"\", \"delivery\": \"blended\","
			  " \"capacity\": 100, \"pairs\": null, \"owner_id\": 7, \"helpers\": [1, 2, 3],"
			  " \"published\": true, \"meta\": {}}",
			  SCHEMA_CREATE, &ok));
	/* A change may name any one field. */
	assert_null(check("{\"status\": \"open\"}", SCHEMA_CHANGE, &ok));
}

static void every_bad_field_is_named_once(void **state)
{
	bool ok;
	json_t *errors = check("{\"title_ko\": \"   \", \"delivery\": \"hybrid\", \"capacity\": \"many\","
			       " \"pairs\": 3, \"owner_id\": 0, \"helpers\": [1, -2], \"extra\": 1,"
			       " \"published\": null, \"meta\": []}",
			       SCHEMA_CREATE, &ok);

	(void)state;
	assert_false(ok);
	assert_string_equal(message_for(errors, "extra"), "unknown field");
	assert_string_equal(message_for(errors, "title_ko"), "must not be blank");
	assert_string_equal(message_for(errors, "delivery"),
			    "must be one of online, offline, blended");
	assert_string_equal(message_for(errors, "capacity"), "must be an integer");
	assert_string_equal(message_for(errors, "pairs"), "must be even");
	assert_string_equal(message_for(errors, "owner_id"), "must be the id of a user");
	assert_string_equal(message_for(errors, "helpers"), "each must be a positive integer id");
	assert_string_equal(message_for(errors, "published"), "must not be null");
	assert_string_equal(message_for(errors, "meta"), "must be an object");
	assert_int_equal(json_array_size(errors), 9);
	for (size_t i = 0; i < course.nfields; i++)
		assert_true(times_named(errors, course_fields[i].name) <= 1);
	/* The shape first (unknown, type, null), then the values. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 0), "field")),
			    "extra");
	json_decref(errors);

	errors = check("{}", SCHEMA_CREATE, &ok);
	assert_string_equal(message_for(errors, "title_ko"), "is required");
	assert_string_equal(message_for(errors, "delivery"), "is required");
	assert_int_equal(json_array_size(errors), 2);
	json_decref(errors);
}

static void modes_choose_fields(void **state)
{
	bool ok;
	json_t *errors;

	(void)state;
	/* A create knows no status; a change no owner, and requires nothing. */
	errors = check("{\"title_ko\": \"a\", \"delivery\": \"online\", \"status\": \"x\"}",
		       SCHEMA_CREATE, &ok);
	assert_string_equal(message_for(errors, "status"), "unknown field");
	assert_int_equal(json_array_size(errors), 1);
	json_decref(errors);
	errors = check("{\"owner_id\": 3}", SCHEMA_CHANGE, &ok);
	assert_string_equal(message_for(errors, "owner_id"), "unknown field");
	assert_int_equal(json_array_size(errors), 1);
	json_decref(errors);
}

static void lengths_count_characters(void **state)
{
	bool ok;
	json_t *errors;

	(void)state;
	/* Ten Korean syllables are 30 bytes and within ten characters. */
	assert_null(check("{\"title_ko\": \"가나다라마바사아자차\", \"delivery\": \"online\","
			  " \"summary\": \"가나다라마\"}",
			  SCHEMA_CREATE, &ok));
	errors = check("{\"title_ko\": \"가나다라마바사아자차카\", \"delivery\": \"online\"}",
		       SCHEMA_CREATE, &ok);
	assert_string_equal(message_for(errors, "title_ko"), "must be 1 to 10 characters");
	json_decref(errors);
	errors = check("{\"title_ko\": \"\", \"delivery\": \"online\", \"summary\": \"가나다라마바\"}",
		       SCHEMA_CREATE, &ok);
	assert_string_equal(message_for(errors, "title_ko"), "must be 1 to 10 characters");
	assert_string_equal(message_for(errors, "summary"), "must be at most 5 characters");
	json_decref(errors);
	/* Bytes bound a string before it is read: four a character here. */
	errors = check("{\"title_ko\": \"😀😀😀😀😀😀😀😀😀😀a\", \"delivery\": \"online\"}",
		       SCHEMA_CREATE, &ok);
	assert_string_equal(message_for(errors, "title_ko"), "must be at most 40 bytes");
	json_decref(errors);
}

static void numbers_and_ids(void **state)
{
	bool ok;
	json_t *errors;

	(void)state;
	assert_null(check("{\"title_ko\": \"a\", \"delivery\": \"online\", \"capacity\": 1}",
			  SCHEMA_CREATE, &ok));
	errors = check("{\"title_ko\": \"a\", \"delivery\": \"online\", \"capacity\": 101,"
		       " \"helpers\": [1, 2, 3, 4]}",
		       SCHEMA_CREATE, &ok);
	assert_string_equal(message_for(errors, "capacity"), "must be an integer from 1 to 100");
	assert_string_equal(message_for(errors, "helpers"), "must have at most 3 ids");
	json_decref(errors);
	errors = check("{\"title_ko\": \"a\", \"delivery\": \"online\", \"capacity\": 1.5,"
		       " \"helpers\": [\"1\"]}",
		       SCHEMA_CREATE, &ok);
	assert_string_equal(message_for(errors, "capacity"), "must be an integer");
	assert_string_equal(message_for(errors, "helpers"), "each must be a positive integer id");
	json_decref(errors);
}

static void nul_in_a_string_is_refused(void **state)
{
	json_t *body = json_loads("{\"title_ko\": \"a\\u0000b\", \"delivery\": \"online\"}",
				  JSON_ALLOW_NUL, NULL), *errors = NULL;

	(void)state;
	assert_non_null(body);
	assert_false(schema_check(body, &course, SCHEMA_CREATE, &errors));
	assert_string_equal(message_for(errors, "title_ko"), "must not contain NUL characters");
	json_decref(errors);
	json_decref(body);
}

static void errors_already_there_are_kept(void **state)
{
	json_t *body = json_loads("{\"title_ko\": \"a\", \"delivery\": \"online\"}", 0, NULL);
	json_t *errors = json_pack("[{s:s, s:s}]", "field", "x", "message", "already bad");

	(void)state;
	/* Valid: it adds nothing, whatever the list held before. */
	assert_true(schema_check(body, &course, SCHEMA_CREATE, &errors));
	assert_int_equal(json_array_size(errors), 1);
	json_object_set_new(body, "capacity", json_integer(0));
	assert_false(schema_check(body, &course, SCHEMA_CREATE, &errors));
	assert_int_equal(json_array_size(errors), 2);
	json_decref(errors);
	json_decref(body);
}

/*
 * Checks the body {f->name: value} (value: JSON text) against the schema
 * of f alone. Returns the message of its error (copied into msg) or NULL
 * when it passes.
 */
static const char *refusal(const struct schema_field *f, const char *value, char *msg,
			   size_t len)
{
	const struct schema one = {f, 1};
	json_t *body = json_object(), *errors = NULL;
	const char *why;

	json_object_set_new(body, f->name, json_loads(value, JSON_DECODE_ANY, NULL));
	if (!json_object_get(body, f->name))
		fail_msg("bad JSON in test: %s", value);
	schema_check(body, &one, SCHEMA_CREATE, &errors);
	why = message_for(errors, f->name);
	if (why)
		snprintf(msg, len, "%s", why);
	json_decref(errors);
	json_decref(body);
	return why ? msg : NULL;
}

static void named_types_of_strings(void **state)
{
	const struct schema_field url = {"url", SCHEMA_HTTPS_URL, .max = 2000};
	const struct schema_field date = {"starts_on", SCHEMA_DATE, .required = false};
	const struct schema_field time = {"opens_at", SCHEMA_TIMESTAMP, .required = false};
	char msg[160];

	(void)state;
	assert_null(refusal(&url, "\"https://example.com/v/1\"", msg, sizeof(msg)));
	assert_non_null(refusal(&url, "\"http://example.com/\"", msg, sizeof(msg)));
	assert_non_null(refusal(&url, "\"HTTPS://example.com/\"", msg, sizeof(msg)));
	assert_non_null(refusal(&url, "\"https://\"", msg, sizeof(msg)));
	assert_non_null(refusal(&url, "\"https:///path\"", msg, sizeof(msg)));
	assert_non_null(refusal(&url, "\"https://exa mple.com/\"", msg, sizeof(msg)));
	assert_non_null(refusal(&url, "\"https://example.com/\\n\"", msg, sizeof(msg)));
	assert_non_null(refusal(&url, "\"javascript:alert(1)\"", msg, sizeof(msg)));
	assert_string_equal(msg, "must be an https:// link without spaces, at most 2000 bytes");
	/* Dates and times are short: their bytes are bounded before parsing. */
	assert_non_null(refusal(&date, "\"2027-02-01                       \"", msg, sizeof(msg)));
	assert_string_equal(msg, "must be at most 32 bytes");

	assert_null(refusal(&date, "\"2028-02-29\"", msg, sizeof(msg)));
	assert_non_null(refusal(&date, "\"2027-02-29\"", msg, sizeof(msg)));
	assert_string_equal(msg, "must be a date YYYY-MM-DD that exists");
	assert_null(refusal(&time, "\"2027-02-01T09:00:00+09:00\"", msg, sizeof(msg)));
	assert_non_null(refusal(&time, "\"2027-02-01 09:00\"", msg, sizeof(msg)));
}

static void values_outside_bodies(void **state)
{
	const struct schema_field delivery = {"delivery", SCHEMA_STRING, .values = deliveries};
	json_t *v = json_string("hybrid");
	char msg[160];

	(void)state;
	assert_false(schema_value_ok(&delivery, v, msg, sizeof(msg)));
	assert_string_equal(msg, "must be one of online, offline, blended");
	json_decref(v);
	v = json_string("offline");
	assert_true(schema_value_ok(&delivery, v, msg, sizeof(msg)));
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_bodies_pass),
		cmocka_unit_test(every_bad_field_is_named_once),
		cmocka_unit_test(modes_choose_fields),
		cmocka_unit_test(lengths_count_characters),
		cmocka_unit_test(numbers_and_ids),
		cmocka_unit_test(nul_in_a_string_is_refused),
		cmocka_unit_test(errors_already_there_are_kept),
		cmocka_unit_test(named_types_of_strings),
		cmocka_unit_test(values_outside_bodies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
