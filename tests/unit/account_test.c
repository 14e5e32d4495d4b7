/* account_test.c - unit tests of account field rules: e-mail, display name,
 * ladder stage, locale */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lms/auth/account.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static void email_rules(void **state)
{
	char local64[65], local65[66], buf[100], long254[300], long255[300];
	static const char *const good[] = {
		"a@b.co",
		"learner@example.com",
		"First.Last+tag@sub.example.co.kr",
		"김학습@example.com",
		"x_y-z@my-host.example",
	};
	static const struct {
		const char *email, *problem; /* a part of the expected message */
	} bad[] = {
		{"", "3 to 254"},
		{"a@", "3 to 254"},
		{"has space@example.com", "spaces"},
		{"tab\there@example.com", "control"},
		{"nl\n@example.com", "control"},
		{"del\x7f@example.com", "control"},
		{"\"quoted\"@example.com", "quotes"},
		{"a,b@example.com", "commas"},
		{"a;b@example.com", "spaces"},
		{"<a@example.com>", "angle"},
		{"a\\b@example.com", "spaces"},
		{"a@b@example.com", "one @"},
		{"noat.example.com", "one @"},
		{"@example.com", "one @"},
		{"user@localhost", "domain"},
		{"user@.example.com", "domain"},
		{"user@-example.com", "domain"},
		{"user@example.com.", "domain"},
		{"user@example..com", "domain"},
		{"user@", "domain"},
	};

	(void)state;
	for (size_t i = 0; i < NELEMS(good); i++) {
		const char *p = account_email_problem(good[i]);
		if (p)
			fail_msg("account_email_problem(\"%s\") refused it: %s", good[i], p);
	}
	for (size_t i = 0; i < NELEMS(bad); i++) {
		const char *p = account_email_problem(bad[i].email);
		if (!p)
			fail_msg("account_email_problem(\"%s\") accepted it", bad[i].email);
		if (!strstr(p, bad[i].problem))
			fail_msg("account_email_problem(\"%s\") = \"%s\", expected it to "
				 "mention %s",
				 bad[i].email, p, bad[i].problem);
	}

	/* 64 bytes before the @ are fine, 65 are not. */
	memset(local64, 'a', 64);
	local64[64] = '\0';
	memset(local65, 'a', 65);
	local65[65] = '\0';
	snprintf(buf, sizeof(buf), "%s@example.com", local64);
	assert_null(account_email_problem(buf));
	snprintf(buf, sizeof(buf), "%s@example.com", local65);
	assert_non_null(account_email_problem(buf));
	assert_non_null(strstr(account_email_problem(buf), "64 bytes"));
	/* 22 Korean syllables are 66 bytes: the limit is bytes. */
	assert_non_null(account_email_problem("가나다라마바사아자차카타파하"
					      "가나다라마바사아@example.com"));

	/* 254 bytes in all are fine, 255 are not. */
	memset(long254, 0, sizeof(long254));
	memset(long254, 'a', 64);
	long254[64] = '@';
	memset(long254 + 65, 'b', 254 - 65 - 4);
	memcpy(long254 + 250, ".com", 5);
	assert_int_equal(strlen(long254), 254);
	assert_null(account_email_problem(long254));
	memset(long255, 0, sizeof(long255));
	memset(long255, 'a', 64);
	long255[64] = '@';
	memset(long255 + 65, 'b', 255 - 65 - 4);
	memcpy(long255 + 251, ".com", 5);
	assert_int_equal(strlen(long255), 255);
	assert_non_null(account_email_problem(long255));
	assert_non_null(strstr(account_email_problem(long255), "3 to 254"));
}

static void display_name_rules(void **state)
{
	char ko[101 * 3 + 1], ascii[102];

	(void)state;
	assert_null(account_display_name_problem("김학습"));
	assert_null(account_display_name_problem("A"));
	assert_null(account_display_name_problem(" padded name "));
	assert_string_equal(account_display_name_problem(""), "must not be empty");
	assert_string_equal(account_display_name_problem("   "), "must not be empty");
	assert_non_null(strstr(account_display_name_problem("a\tb"), "control"));
	assert_non_null(strstr(account_display_name_problem("a\nb"), "control"));
	assert_non_null(strstr(account_display_name_problem("\x1b[31mred"), "control"));
	assert_non_null(strstr(account_display_name_problem("del\x7f"), "control"));

	/* 100 characters, not bytes: 100 Korean syllables (300 bytes) pass,
	 * 101 do not. */
	for (int i = 0; i < 101; i++)
		memcpy(ko + 3 * i, "가", 3);
	ko[300] = '\0';
	assert_null(account_display_name_problem(ko));
	memcpy(ko + 300, "가", 3);
	ko[303] = '\0';
	assert_non_null(strstr(account_display_name_problem(ko), "100"));

	memset(ascii, 'x', 101);
	ascii[100] = '\0';
	assert_null(account_display_name_problem(ascii));
	ascii[100] = 'x';
	ascii[101] = '\0';
	assert_non_null(account_display_name_problem(ascii));
}

static void stage_and_locale(void **state)
{
	static const char *const stages[] = {
		"preschool", "elementary", "middle", "high", "undergraduate", "graduate",
		"worker", "job_seeker", "public_servant", "general",
	};
	static const char *const not_stages[] = {
		"", "Worker", "worker ", "job-seeker", "student", "preschool,worker", "generals",
	};
	static const char *const not_locales[] = {"", "KO", "En", "ja", "en-US", "ko_KR", "kor"};

	(void)state;
	for (size_t i = 0; i < NELEMS(stages); i++)
		if (!account_stage_valid(stages[i]))
			fail_msg("account_stage_valid(\"%s\") refused it", stages[i]);
	for (size_t i = 0; i < NELEMS(not_stages); i++)
		if (account_stage_valid(not_stages[i]))
			fail_msg("account_stage_valid(\"%s\") accepted it", not_stages[i]);
	assert_true(account_locale_valid("ko"));
	assert_true(account_locale_valid("en"));
	for (size_t i = 0; i < NELEMS(not_locales); i++)
		if (account_locale_valid(not_locales[i]))
			fail_msg("account_locale_valid(\"%s\") accepted it", not_locales[i]);
}

static void email_fold(void **state)
{
	char out[64];

	(void)state;
	account_email_fold("Learner@Example.COM", out, sizeof(out));
	assert_string_equal(out, "learner@example.com");
	account_email_fold("김학습@EXAMPLE.com", out, sizeof(out));
	assert_string_equal(out, "김학습@example.com");
	account_email_fold("", out, sizeof(out));
	assert_string_equal(out, "");
	/* Bounded by len, always terminated. */
	account_email_fold("ABCDEFGH", out, 6);
	assert_string_equal(out, "abcde");
	account_email_fold("ABC", out, 1);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(email_rules),
		cmocka_unit_test(display_name_rules),
		cmocka_unit_test(stage_and_locale),
		cmocka_unit_test(email_fold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
