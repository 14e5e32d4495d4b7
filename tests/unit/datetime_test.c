/* datetime_test.c - unit tests for calendar dates and RFC 3339 instants */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lms/core/datetime.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static long long day(const char *s)
{
	long long d = -999999;

	if (!datetime_date_parse(s, &d))
		fail_msg("%s did not parse as a date", s);
	return d;
}

static long long instant(const char *s)
{
	long long us = -999999;

	if (!datetime_timestamp_parse(s, &us))
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
		if (datetime_date_parse(bad[i], &d))
			fail_msg("\"%s\" parsed as a date", bad[i]);
	assert_false(datetime_date_parse(NULL, &d));
	assert_int_equal(d, 42); /* untouched */
	assert_true(datetime_date_parse("2024-02-29", &d));
	assert_true(datetime_date_parse("2000-02-29", &d));
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
		if (datetime_timestamp_parse(bad[i], &us))
			fail_msg("\"%s\" parsed as a time", bad[i]);
	assert_false(datetime_timestamp_parse(NULL, &us));
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

	assert_true(datetime_instant_parse("2027-03-01", &us));
	assert_int_equal(us, instant("2027-03-01T00:00:00+09:00"));
	assert_int_equal(us, instant("2027-02-28T15:00:00Z"));
	assert_true(datetime_instant_parse("2027-03-01T09:30:00.5-02:00", &us));
	assert_int_equal(us, instant("2027-03-01T09:30:00.5-02:00"));
	assert_true(datetime_instant_parse("2027-03-01T09:30:00 09:00", &us));
	assert_int_equal(us, instant("2027-03-01T09:30:00+09:00"));
	assert_true(datetime_instant_parse("2027-03-01T09:30:00.123456 09:00", &us));
	assert_int_equal(us, instant("2027-03-01T09:30:00.123456+09:00"));
	us = 7;
	for (size_t i = 0; i < NELEMS(bad); i++)
		if (datetime_instant_parse(bad[i], &us))
			fail_msg("\"%s\" parsed as an instant", bad[i]);
	assert_false(datetime_instant_parse(NULL, &us));
	assert_int_equal(us, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates_count_days_from_the_epoch),
		cmocka_unit_test(dates_refuse_what_does_not_exist),
		cmocka_unit_test(times_take_offsets_and_fractions),
		cmocka_unit_test(times_refuse_garbage),
		cmocka_unit_test(instants_of_queries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
