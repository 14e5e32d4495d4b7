/* sql_test.c - unit tests for typed SQL parameters and result helpers */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

static void numbers(void **state)
{
	struct db_params p;

	assert_int_equal(db_params_format(&p, "lllliii", 0LL, 42LL, -7LL, 1234567890123LL, 0,
					  -2147483647 - 1, INT_MAX),
			 0);
	assert_int_equal(p.n, 7);
	assert_string_equal(p.values[0], "0");
	assert_string_equal(p.values[1], "42");
	assert_string_equal(p.values[2], "-7");
	assert_string_equal(p.values[3], "1234567890123");
	assert_string_equal(p.values[4], "0");
	assert_string_equal(p.values[5], "-2147483648");
	assert_string_equal(p.values[6], "2147483647");

	assert_int_equal(db_params_format(&p, "ll", LLONG_MAX, LLONG_MIN), 0);
	assert_string_equal(p.values[0], "9223372036854775807");
	assert_string_equal(p.values[1], "-9223372036854775808");
}

static void strings_and_bools(void **state)
{
	static const char name[] = "Kim";
	struct db_params p;

	assert_int_equal(db_params_format(&p, "sbsb", name, true, (const char *)NULL, false), 0);
	assert_int_equal(p.n, 4);
	/* Strings are borrowed, not copied. */
	assert_ptr_equal(p.values[0], name);
	assert_string_equal(p.values[1], "true");
	assert_null(p.values[2]);
	assert_string_equal(p.values[3], "false");
}

static void conditions(void **state)
{
	struct db_params p;
	long long id = 0;

	/* Each "?" reads its condition, then the value, whether used or not. */
	assert_int_equal(db_params_format(&p, "?l?l?i?ss", id > 0, id, 1, 9LL, 0, 5, 1, "x", "y"),
			 0);
	assert_int_equal(p.n, 5);
	assert_null(p.values[0]);
	assert_string_equal(p.values[1], "9");
	assert_null(p.values[2]);
	assert_string_equal(p.values[3], "x");
	assert_string_equal(p.values[4], "y");
}

static void faults(void **state)
{
	struct db_params p;

	assert_int_equal(db_params_format(&p, "lx", 1LL, 2), LMS_EINVAL);
	assert_int_equal(db_params_format(&p, "?", 1), LMS_EINVAL);
	/* One more than DB_PARAMS_MAX (32). */
	assert_int_equal(db_params_format(&p, "iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii", 1, 2, 3, 4, 5, 6,
					  7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
					  22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33),
			 LMS_EINVAL);
	assert_int_equal(db_params_format(&p, ""), 0);
	assert_int_equal(p.n, 0);
}

static void without_a_connection(void **state)
{
	struct db_conn c = {0};
	PGresult *res = (PGresult *)&c;
	json_t *out = (json_t *)&c;
	struct db_stream s;

	/* A malformed types string fails before anything is sent. */
	assert_int_equal(db_execf(&c, &res, "SELECT $1", "x", 1), LMS_EDB);
	assert_null(res);
	assert_string_equal(c.errmsg, "bad parameter types \"x\"");
	assert_int_equal(db_one_row(&c, &res, "SELECT $1", "l", 1LL), LMS_EUNAVAILABLE);
	assert_null(res);
	assert_int_equal(db_one_row(&c, NULL, "SELECT $1", "l", 1LL), LMS_EUNAVAILABLE);
	assert_int_equal(db_jsonf(&c, &out, "SELECT $1", "s", "{}"), LMS_EUNAVAILABLE);
	assert_null(out);
	assert_int_equal(db_stream_beginf(&s, &c, "SELECT $1", "b", true), LMS_EUNAVAILABLE);
	db_stream_end(&s);
}

static void result_values(void **state)
{
	PGresAttDesc cols[2] = {{.name = "flag", .format = 0}, {.name = "n", .format = 0}};
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);

	assert_non_null(res);
	assert_int_equal(PQsetResultAttrs(res, 2, cols), 1);
	assert_int_equal(PQsetvalue(res, 0, 0, "t", 1), 1);
	assert_int_equal(PQsetvalue(res, 0, 1, "-12", 3), 1);
	assert_int_equal(PQsetvalue(res, 1, 0, "f", 1), 1);
	assert_int_equal(PQsetvalue(res, 1, 1, NULL, -1), 1);
	assert_int_equal(PQsetvalue(res, 2, 0, NULL, -1), 1);
	assert_true(db_bool(res, 0, 0));
	assert_false(db_bool(res, 1, 0));
	assert_false(db_bool(res, 2, 0));
	assert_int_equal(db_ll(res, 0, 1), -12);
	assert_int_equal(db_ll(res, 1, 1), 0);
	/* Past the last row or column. */
	assert_false(db_bool(res, 3, 0));
	assert_false(db_bool(res, 0, 2));
	assert_int_equal(db_ll(res, 3, 1), 0);
	PQclear(res);
	assert_false(db_bool(NULL, 0, 0));
	assert_int_equal(db_ll(NULL, 0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers),         cmocka_unit_test(strings_and_bools),
		cmocka_unit_test(conditions),      cmocka_unit_test(faults),
		cmocka_unit_test(without_a_connection), cmocka_unit_test(result_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
