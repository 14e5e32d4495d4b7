/* decision_csv_test.c - unit tests of the decision file reader: columns,
 * quoting, line numbers and every kind of fault */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "lms/selection/decision_csv.h"

static void parse(const char *text, json_t **rows, json_t **errors)
{
	assert_int_equal(decision_csv_parse(text, strlen(text), rows, errors), 0);
	assert_non_null(*rows);
	assert_non_null(*errors);
}

static long long line_of(const json_t *a, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(a, i), "line"));
}

static const char *column_of(const json_t *a, size_t i)
{
	return json_string_value(json_object_get(json_array_get(a, i), "column"));
}

static void rows_with_quotes_and_a_bom(void **state)
{
	json_t *rows, *errors, *r;

	(void)state;
	parse("\xEF\xBB\xBF" "application_id,stage,score,decision,reason\r\n"
	      "12,1,,pass,\"fine, really\"\r\n"
	      "13,2,87,,\"two\nlines\"\r\n"
	      "\r\n"
	      "14,1,,fail,\r\n",
	      &rows, &errors);
	assert_int_equal(json_array_size(errors), 0);
	assert_int_equal(json_array_size(rows), 3);
	r = json_array_get(rows, 0);
	assert_int_equal(json_integer_value(json_object_get(r, "application_id")), 12);
	assert_int_equal(json_integer_value(json_object_get(r, "stage")), 1);
	assert_null(json_object_get(r, "score"));
	assert_string_equal(json_string_value(json_object_get(r, "decision")), "pass");
	assert_string_equal(json_string_value(json_object_get(r, "reason")), "fine, really");
	r = json_array_get(rows, 1);
	assert_int_equal(json_integer_value(json_object_get(r, "score")), 87);
	assert_string_equal(json_string_value(json_object_get(r, "reason")), "two\nlines");
	/* A record's line is the line it ends on. */
	assert_int_equal(line_of(rows, 0), 2);
	assert_int_equal(line_of(rows, 1), 4);
	assert_int_equal(line_of(rows, 2), 6);
	json_decref(rows);
	json_decref(errors);
}

static void faults_by_line_and_column(void **state)
{
	json_t *rows, *errors;

	(void)state;
	parse("email,stage,score,decision\n"
	      "a@example.com,1,,maybe\n"
	      "not-an-address,1,,pass\n"
	      "b@example.com,0,,pass\n"
	      "c@example.com,1,-5,\n"
	      "d@example.com,1,1e3,\n"
	      "e@example.com,1\n"
	      "f@example.com,2,70,\n",
	      &rows, &errors);
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(line_of(rows, 0), 8);
	assert_int_equal(json_array_size(errors), 6);
	assert_int_equal(line_of(errors, 0), 2);
	assert_string_equal(column_of(errors, 0), "decision");
	assert_string_equal(column_of(errors, 1), "email");
	assert_string_equal(column_of(errors, 2), "stage");
	assert_string_equal(column_of(errors, 3), "score");
	assert_string_equal(column_of(errors, 4), "score");
	assert_int_equal(line_of(errors, 5), 7);
	assert_null(column_of(errors, 5));
	json_decref(rows);
	json_decref(errors);
}

static void headers_refused(void **state)
{
	static const char *const bad[] = {
		"stage,score\n1,2\n",                    /* neither application_id nor email */
		"application_id,email,stage\n",          /* both */
		"application_id,score\n",                /* no stage */
		"application_id,stage,colour\n",         /* unknown */
		"application_id,stage,stage\n",          /* twice */
		"",                                      /* empty */
	};
	json_t *rows, *errors;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parse(bad[i], &rows, &errors);
		assert_int_equal(json_array_size(rows), 0);
		assert_true(json_array_size(errors) >= 1);
		assert_int_equal(line_of(errors, 0), 1);
		json_decref(rows);
		json_decref(errors);
	}
}

static void broken_csv_and_nul(void **state)
{
	json_t *rows, *errors;

	(void)state;
	parse("application_id,stage\n1,\"2\n", &rows, &errors);
	assert_true(json_array_size(errors) >= 1);
	json_decref(rows);
	json_decref(errors);
	assert_int_equal(decision_csv_parse("application_id,stage\n1,\0002\n", 25, &rows, &errors), 0);
	assert_int_equal(json_array_size(errors), 1);
	assert_int_equal(line_of(errors, 0), 2);
	json_decref(rows);
	json_decref(errors);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_with_quotes_and_a_bom),
		cmocka_unit_test(faults_by_line_and_column),
		cmocka_unit_test(headers_refused),
		cmocka_unit_test(broken_csv_and_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
