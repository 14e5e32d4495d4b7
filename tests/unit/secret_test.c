/* secret_test.c - unit tests of secrets: random tokens, SHA-256, HMAC,
 * constant-time comparison, base64url */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lms/auth/secret.h"
#include "lms/core/err.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static bool b64url_alphabet(const char *s)
{
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
	       strlen(s);
}

static void token_new(void **state)
{
	char a[64], b[64], small[4 + SECRET_B64_LEN];

	(void)state;
	assert_int_equal(secret_token_new("lms_", a, sizeof(a)), 0);
	assert_int_equal(secret_token_new("lms_", b, sizeof(b)), 0);
	assert_int_equal(strlen(a), 4 + SECRET_B64_LEN);
	assert_int_equal(strncmp(a, "lms_", 4), 0);
	assert_true(b64url_alphabet(a + 4));
	assert_string_not_equal(a, b);

	assert_int_equal(secret_token_new("", a, SECRET_B64_LEN + 1), 0);
	assert_int_equal(strlen(a), SECRET_B64_LEN);
	assert_true(b64url_alphabet(a));

	/* One byte short of room for the terminator. */
	assert_int_equal(secret_token_new("lms_", small, sizeof(small)), LMS_EINVAL);
	assert_int_equal(secret_token_new("", a, SECRET_B64_LEN), LMS_EINVAL);
}

/* FIPS 180-2 examples. */
#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void sha256_known_answers(void **state)
{
	char hex[SECRET_HEX_LEN + 1];

	(void)state;
	secret_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, SHA256_ABC);
	secret_sha256_hex("", 0, hex);
	assert_string_equal(hex, SHA256_EMPTY);
	/* Length counts, not the terminator. */
	secret_sha256_hex("abcdef", 3, hex);
	assert_string_equal(hex, SHA256_ABC);
}

static void hmac_known_answer(void **state)
{
	char a[SECRET_B64_LEN + 1], b[SECRET_B64_LEN + 1];

	(void)state;
	/* RFC 4231 test case 2, in base64url. */
	secret_hmac_b64url("Jefe", "what do ya want for nothing?", a);
	assert_string_equal(a, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
	secret_hmac_b64url("Jefe", "what do ya want for nothing?", b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), SECRET_B64_LEN);

	secret_hmac_b64url("key", "message", a);
	assert_int_equal(strlen(a), 43);
	assert_true(b64url_alphabet(a));
	secret_hmac_b64url("key2", "message", b);
	assert_string_not_equal(a, b);
	secret_hmac_b64url("key", "message2", b);
	assert_string_not_equal(a, b);
}

static void equal_cases(void **state)
{
	(void)state;
	assert_true(secret_equal("abc", "abc"));
	assert_true(secret_equal("", ""));
	assert_false(secret_equal("abc", "abd"));
	assert_false(secret_equal("abc", "xbc"));
	assert_false(secret_equal("abc", "abcd"));
	assert_false(secret_equal("abcd", "abc"));
	assert_false(secret_equal("", "a"));
	assert_false(secret_equal(NULL, "abc"));
	assert_false(secret_equal("abc", NULL));
	assert_false(secret_equal(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(token_new),
		cmocka_unit_test(sha256_known_answers),
		cmocka_unit_test(hmac_known_answer),
		cmocka_unit_test(equal_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
