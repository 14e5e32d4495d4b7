/* password_test.c - unit tests for password hashing, the common-password list and the policy */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lms/auth/password.h"
#include "lms/core/err.h"

/* Low cost keeps the suite fast; the format is the same at any cost. */
#define ITER 1000

static const char korean11[] = "비밀번호는길고안전해요"; /* 11 code points, 33 bytes */
static const char korean10[] = "비밀번호는길고안전해";   /* 10 code points */
static const char korean9[] = "비밀번호는길고안전";      /* 9 code points, 27 bytes */

static bool verify(const char *pw, size_t len, const char *stored)
{
	bool match = true;

	assert_int_equal(password_verify(pw, len, stored, &match, NULL), 0);
	return match;
}

static void hash_then_verify(void **state)
{
	char h[PASSWORD_HASH_MAX];
	int iter = -1;
	bool match = false;

	assert_int_equal(password_hash("correct horse", 13, ITER, h, sizeof(h)), 0);
	assert_int_equal(password_verify("correct horse", 13, h, &match, &iter), 0);
	assert_true(match);
	assert_int_equal(iter, ITER);
	assert_false(verify("correct hors", 12, h));
	assert_false(verify("correct horsf", 13, h));
	assert_false(verify("Correct horse", 13, h));
	assert_false(verify("", 0, h));

	assert_int_equal(password_hash(korean11, strlen(korean11), ITER, h, sizeof(h)), 0);
	assert_true(verify(korean11, strlen(korean11), h));
	assert_false(verify(korean10, strlen(korean10), h));
}

static void empty_password(void **state)
{
	char h[PASSWORD_HASH_MAX];

	assert_int_equal(password_hash("", 0, ITER, h, sizeof(h)), 0);
	assert_true(verify("", 0, h));
	assert_true(verify(NULL, 0, h));
	assert_false(verify("a", 1, h));

	assert_int_equal(password_hash(NULL, 0, ITER, h, sizeof(h)), 0);
	assert_true(verify("", 0, h));
}

static void embedded_nul_bytes_count(void **state)
{
	static const char pw[] = "ab\0cd";  /* 5 bytes given by length */
	char h[PASSWORD_HASH_MAX];

	assert_int_equal(password_hash(pw, 5, ITER, h, sizeof(h)), 0);
	assert_true(verify(pw, 5, h));
	assert_true(verify("ab\0cd", 5, h));
	assert_false(verify(pw, 4, h));
	assert_false(verify("ab", 2, h));
	assert_false(verify("abcd", 4, h));
	assert_false(verify("ab\0ce", 5, h));
	assert_false(verify("\0ab\0cd", 6, h));

	/* Documented PBKDF2-HMAC property: HMAC pads a short key with zero
	 * bytes, so trailing NULs do not change the hash. The policy refuses
	 * NUL bytes, so no account can depend on this. */
	assert_true(verify("ab\0cd\0", 6, h));
}

static void salts_differ(void **state)
{
	char a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];

	assert_int_equal(password_hash("same password", 13, ITER, a, sizeof(a)), 0);
	assert_int_equal(password_hash("same password", 13, ITER, b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_true(verify("same password", 13, a));
	assert_true(verify("same password", 13, b));
}

static void format_shape(void **state)
{
	static const int iters[] = {1, 9, ITER, 12345};

	for (size_t k = 0; k < sizeof(iters) / sizeof(iters[0]); k++) {
		char h[PASSWORD_HASH_MAX], want[32], *field[5], *save = NULL;
		size_t n = 0;

		assert_int_equal(password_hash("pw", 2, iters[k], h, sizeof(h)), 0);
		assert_true(strlen(h) < PASSWORD_HASH_MAX);
		assert_null(strpbrk(h, "=+/ \n"));
		for (char *t = strtok_r(h, "$", &save); t && n < 5; t = strtok_r(NULL, "$", &save))
			field[n++] = t;
		assert_int_equal(n, 4);
		assert_string_equal(field[0], "pbkdf2_sha256");
		snprintf(want, sizeof(want), "%d", iters[k]);
		assert_string_equal(field[1], want);
		assert_int_equal(strlen(field[2]), 22);  /* 16 bytes, unpadded */
		assert_int_equal(strlen(field[3]), 43);  /* 32 bytes, unpadded */
	}
}

static void hash_bad_arguments(void **state)
{
	char h[PASSWORD_HASH_MAX], small[40];

	memset(h, 'x', sizeof(h));
	assert_int_equal(password_hash("pw", 2, 0, h, sizeof(h)), LMS_EINVAL);
	assert_string_equal(h, "");
	assert_int_equal(password_hash("pw", 2, -1, h, sizeof(h)), LMS_EINVAL);
	assert_int_equal(password_hash("pw", 2, PASSWORD_ITERATIONS_MAX + 1, h, sizeof(h)),
			 LMS_EINVAL);
	memset(small, 'x', sizeof(small));
	assert_int_equal(password_hash("pw", 2, ITER, small, sizeof(small)), LMS_EINVAL);
	assert_string_equal(small, "");
	assert_int_equal(password_hash("pw", 2, ITER, h, 0), LMS_EINVAL);
	/* "pbkdf2_sha256$1000$" + 22 + "$" + 43 = 85 characters and the NUL. */
	assert_int_equal(password_hash("pw", 2, ITER, h, 85), LMS_EINVAL);
	assert_int_equal(password_hash("pw", 2, ITER, h, 86), 0);
	assert_int_equal(strlen(h), 85);
}

/* base64url without padding, written here with OpenSSL like the module's. */
static void encode(const unsigned char *in, int n, char *out)
{
	int len = EVP_EncodeBlock((unsigned char *)out, in, n);

	for (int i = 0; i < len; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
		else if (out[i] == '=')
			out[i] = '\0';
	}
}

/* Salt bytes whose base64 holds '+' and '/', so the alphabet is tested. */
static const unsigned char fixed_salt[16] = {0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff, 0, 1,
					     2,    3,    4,    5,    6,    7,    8, 9};

static void known_answer_from_openssl(void **state)
{
	unsigned char key[32];
	char salt64[25], key64[45], stored[PASSWORD_HASH_MAX];
	int iter = 0;
	bool match = false;

	assert_int_equal(PKCS5_PBKDF2_HMAC(korean11, (int)strlen(korean11), fixed_salt, 16, ITER,
					   EVP_sha256(), 32, key),
			 1);
	encode(fixed_salt, 16, salt64);
	encode(key, 32, key64);
	assert_string_equal(salt64, "----____AAECAwQFBgcICQ");
	snprintf(stored, sizeof(stored), "pbkdf2_sha256$%d$%s$%s", ITER, salt64, key64);

	assert_int_equal(password_verify(korean11, strlen(korean11), stored, &match, &iter), 0);
	assert_true(match);
	assert_int_equal(iter, ITER);
	assert_false(verify(korean10, strlen(korean10), stored));
}

/* Computed independently with Python's hashlib.pbkdf2_hmac and
 * base64.urlsafe_b64encode (padding stripped). */
static void known_answer_from_python(void **state)
{
	assert_true(verify("correct horse battery staple", 28,
			   "pbkdf2_sha256$1000$AAECAwQFBgcICQoLDA0ODw$"
			   "ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4"));
	assert_true(verify(korean11, strlen(korean11),
			   "pbkdf2_sha256$1000$----____AAECAwQFBgcICQ$"
			   "cIU1LBL-xWKZf-4-_EHP9dfzqi64ltdP4x2j3NvxwdQ"));
	assert_true(verify("", 0,
			   "pbkdf2_sha256$1$----____AAECAwQFBgcICQ$"
			   "H5W5giKVxoIWhtUYbtzG_i_1rxRn27Sv6AxspY3vjdU"));
	assert_false(verify("correct horse battery stapl", 27,
			    "pbkdf2_sha256$1000$AAECAwQFBgcICQoLDA0ODw$"
			    "ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4"));
}

#define SALT "AAECAwQFBgcICQoLDA0ODw"
#define HASH "ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4"

static void malformed_stored_strings(void **state)
{
	static const char *const bad[] = {
		"",
		"pbkdf2_sha1$1000$" SALT "$" HASH,
		"PBKDF2_SHA256$1000$" SALT "$" HASH,
		"pbkdf2_sha256 $1000$" SALT "$" HASH,
		"$pbkdf2_sha256$1000$" SALT "$" HASH,
		"pbkdf2_sha256$0$" SALT "$" HASH,
		"pbkdf2_sha256$12a$" SALT "$" HASH,
		"pbkdf2_sha256$-5$" SALT "$" HASH,
		"pbkdf2_sha256$+5$" SALT "$" HASH,
		"pbkdf2_sha256$ 1000$" SALT "$" HASH,
		"pbkdf2_sha256$01000$" SALT "$" HASH,
		"pbkdf2_sha256$$" SALT "$" HASH,
		"pbkdf2_sha256$100000001$" SALT "$" HASH,
		"pbkdf2_sha256$99999999999999999999999$" SALT "$" HASH,
		"pbkdf2_sha256$1000$AAECAwQFBgcICQoLDA0OD!$" HASH,      /* bad character */
		"pbkdf2_sha256$1000$AAECAwQFBgcICQoLDA0ODw==$" HASH,    /* padding */
		"pbkdf2_sha256$1000$AAECAwQFBgcICQoLDA0O+w$" HASH,      /* '+' is not base64url */
		"pbkdf2_sha256$1000$AAECAwQFBgc ICQoLDA0ODw$" HASH,     /* blank */
		"pbkdf2_sha256$1000$AAECAwQFBgcICQoLDA0ODx$" HASH,      /* low bits set */
		"pbkdf2_sha256$1000$AAECAwQFBgcICQoLDA0O$" HASH,        /* 15-byte salt */
		"pbkdf2_sha256$1000$AAECAwQFBgcICQoLDA0ODxA$" HASH,     /* 17-byte salt */
		"pbkdf2_sha256$1000$AAECAwQFBgcICQoLDA0ODw$" HASH "A",  /* 33-character tail */
		"pbkdf2_sha256$1000$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ",
		"pbkdf2_sha256$1000$$" HASH,
		"pbkdf2_sha256$1000$" SALT "$",
		"pbkdf2_sha256$1000$" SALT,
		"pbkdf2_sha256$1000$" SALT HASH,
		"pbkdf2_sha256$1000",
		"pbkdf2_sha256$",
		"pbkdf2_sha256",
		"pbkdf2_sha256$1000$" SALT "$" HASH "$",
		"pbkdf2_sha256$1000$" SALT "$" HASH "$extra",
		"pbkdf2_sha256$1000$" SALT "$" SALT "$" HASH,
		"pbkdf2_sha256$1000$" SALT "$" HASH "\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool match = true;
		int iter = 42;
		int rc = password_verify("correct horse battery staple", 28, bad[i], &match, &iter);

		if (rc != LMS_EINVAL || match || iter != 0)
			fail_msg("case %zu \"%s\": rc %d match %d iterations %d", i, bad[i], rc,
				 match, iter);
		assert_true(password_needs_rehash(bad[i], 1));
	}
	/* The well-formed original of all of them, as a control. */
	assert_true(verify("correct horse battery staple", 28, "pbkdf2_sha256$1000$" SALT "$" HASH));

	bool match = true;

	assert_int_equal(password_verify("x", 1, NULL, &match, NULL), LMS_EINVAL);
	assert_false(match);
}

static void needs_rehash(void **state)
{
	char h[PASSWORD_HASH_MAX];

	assert_int_equal(password_hash("pw", 2, ITER, h, sizeof(h)), 0);
	assert_false(password_needs_rehash(h, 1));
	assert_false(password_needs_rehash(h, ITER - 1));
	assert_false(password_needs_rehash(h, ITER));
	assert_true(password_needs_rehash(h, ITER + 1));
	assert_true(password_needs_rehash(h, 600000));
	assert_true(password_needs_rehash("", ITER));
	assert_true(password_needs_rehash(NULL, ITER));
	assert_true(password_needs_rehash("bcrypt$whatever", 1));
}

static char list_path[64];

static void write_list(const char *text, size_t len)
{
	int fd;

	snprintf(list_path, sizeof(list_path), "/tmp/lms-pwlist-XXXXXX");
	fd = mkstemp(list_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static struct password_list *load_text(const char *text, size_t len)
{
	struct password_list *l = NULL;
	char err[256] = "";

	write_list(text, len);
	assert_int_equal(password_list_load(list_path, &l, err, sizeof(err)), 0);
	unlink(list_path);
	assert_non_null(l);
	return l;
}

static bool has(const struct password_list *l, const char *pw)
{
	return password_list_contains(l, pw, strlen(pw));
}

static void list_load_and_lookup(void **state)
{
	static const char text[] = "#!comment: a test list\n"
				   "#!comment:\n"
				   "\n"
				   "Password\r\n"
				   "password\n"
				   "LetMeIn\r\n"
				   "\r\n"
				   "letmein\n"
				   "with space \n"
				   "#not a comment\n"
				   "QWERTY\n"
				   "caf\xc3\xa9\n"
				   "nul\0byte\n"
				   "zzz";  /* no final newline */
	struct password_list *l = load_text(text, sizeof(text) - 1);

	/* password, letmein, with space, #not a comment, qwerty, café, zzz */
	assert_int_equal(password_list_count(l), 7);
	assert_true(has(l, "password"));
	assert_true(has(l, "PASSWORD"));
	assert_true(has(l, "PassWord"));
	assert_true(has(l, "letmein"));
	assert_true(has(l, "LETMEIN"));
	assert_true(has(l, "qwerty"));
	assert_true(has(l, "with space "));
	assert_true(has(l, "#NOT A COMMENT"));
	assert_true(has(l, "zzz"));
	assert_true(has(l, "caf\xc3\xa9"));
	assert_true(password_list_contains(l, "zzzz", 3));

	assert_false(has(l, "with space"));
	assert_false(has(l, "passwor"));
	assert_false(has(l, "password1"));
	assert_false(has(l, "letmein\r"));
	assert_false(has(l, "#!comment: a test list"));
	assert_false(has(l, "CAF\xc3\x89"));  /* folding is ASCII only */
	assert_false(has(l, "nul"));
	assert_false(password_list_contains(l, "nul\0byte", 8));
	assert_false(has(l, ""));
	assert_false(has(l, "a"));
	assert_false(has(l, "\x7f\xff"));
	password_list_free(l);

	assert_false(has(NULL, "password"));
	assert_int_equal(password_list_count(NULL), 0);
	password_list_free(NULL);
}

static void list_only_comments_is_empty(void **state)
{
	static const char text[] = "#!comment: nothing here\n\r\n\n";
	struct password_list *l = load_text(text, sizeof(text) - 1);

	assert_int_equal(password_list_count(l), 0);
	assert_false(has(l, "anything"));
	password_list_free(l);

	l = load_text("", 0);
	assert_int_equal(password_list_count(l), 0);
	password_list_free(l);
}

static void list_missing_file(void **state)
{
	struct password_list *l = (struct password_list *)&l;  /* any non-NULL: must be reset */
	char err[256] = "";

	assert_int_equal(password_list_load("/nonexistent/password.lst", &l, err, sizeof(err)),
			 LMS_EIO);
	assert_null(l);
	assert_string_equal(err, "/nonexistent/password.lst: cannot read: No such file or directory");

	assert_int_equal(password_list_load("/tmp", &l, err, sizeof(err)), LMS_EIO);
	assert_null(l);
	assert_non_null(strstr(err, "/tmp: cannot read: "));
}

/* The list the server ships with, when this machine has john-data. */
static void debian_john_list(void **state)
{
	static const char path[] = "/usr/share/john/password.lst";
	struct password_list *l = NULL;
	char err[256] = "";

	if (access(path, R_OK) != 0)
		skip();
	assert_int_equal(password_list_load(path, &l, err, sizeof(err)), 0);
	assert_true(password_list_count(l) > 3000);
	assert_true(has(l, "123456"));
	assert_true(has(l, "PASSWORD"));
	assert_false(has(l, "#!comment: This list has been compiled by Solar Designer of Openwall "
			    "Project"));
	assert_string_equal(password_policy_check(l, "1234567890", 10, NULL),
			    "is too common: choose a less common password");
	assert_null(password_policy_check(l, korean11, strlen(korean11), NULL));
	password_list_free(l);
}

static void policy_rules(void **state)
{
	static const char list[] = "correcthorse\nqwertyuiop\nletmein\n";
	struct password_list *l = load_text(list, sizeof(list) - 1);
	char long_pw[200];
	const char *email = "Alice.Smith@Example.com";

	/* NUL first, even when another rule is broken too. */
	assert_string_equal(password_policy_check(l, "abcdefghij\0klm", 14, NULL),
			    "must not contain NUL characters");
	assert_string_equal(password_policy_check(l, "a\0", 2, NULL),
			    "must not contain NUL characters");

	/* Length counts code points, not bytes. */
	assert_string_equal(password_policy_check(l, "short", 5, NULL),
			    "must be at least 10 characters");
	assert_string_equal(password_policy_check(l, "", 0, NULL),
			    "must be at least 10 characters");
	assert_string_equal(password_policy_check(l, "123456789", 9, NULL),
			    "must be at least 10 characters");
	assert_null(password_policy_check(l, "1234567890", 10, NULL));
	assert_string_equal(password_policy_check(l, korean9, strlen(korean9), NULL),
			    "must be at least 10 characters");
	assert_null(password_policy_check(l, korean10, strlen(korean10), NULL));
	assert_null(password_policy_check(l, korean11, strlen(korean11), email));
	/* Short and common: the length rule speaks first. */
	assert_string_equal(password_policy_check(l, "letmein", 7, NULL),
			    "must be at least 10 characters");

	/* The upper bound is in bytes. */
	memset(long_pw, 'x', sizeof(long_pw));
	assert_null(password_policy_check(l, long_pw, 128, NULL));
	assert_string_equal(password_policy_check(l, long_pw, 129, NULL),
			    "must be at most 128 bytes");
	assert_string_equal(password_policy_check(l, long_pw, sizeof(long_pw), NULL),
			    "must be at most 128 bytes");

	/* The email address and its local part, in any ASCII case. */
	assert_string_equal(password_policy_check(l, "alice.smith", 11, email),
			    "must not be your email address");
	assert_string_equal(password_policy_check(l, "ALICE.SMITH@EXAMPLE.COM", 23, email),
			    "must not be your email address");
	assert_null(password_policy_check(l, "alice.smith", 11, NULL));
	assert_null(password_policy_check(l, "alice.smith.", 12, email));
	assert_null(password_policy_check(l, "example.com", 11, email));
	/* The local part ends at the last '@'. */
	assert_string_equal(password_policy_check(l, "weird@name", 10, "weird@name@example.org"),
			    "must not be your email address");
	assert_null(password_policy_check(l, "alice.smith", 11, "nobody@example.com"));

	/* Common passwords, case-insensitively; the list may be absent. */
	assert_string_equal(password_policy_check(l, "CorrectHorse", 12, NULL),
			    "is too common: choose a less common password");
	assert_string_equal(password_policy_check(l, "QWERTYUIOP", 10, email),
			    "is too common: choose a less common password");
	assert_null(password_policy_check(l, "CorrectHorse!", 13, NULL));
	assert_null(password_policy_check(NULL, "CorrectHorse", 12, NULL));
	password_list_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_then_verify),
		cmocka_unit_test(empty_password),
		cmocka_unit_test(embedded_nul_bytes_count),
		cmocka_unit_test(salts_differ),
		cmocka_unit_test(format_shape),
		cmocka_unit_test(hash_bad_arguments),
		cmocka_unit_test(known_answer_from_openssl),
		cmocka_unit_test(known_answer_from_python),
		cmocka_unit_test(malformed_stored_strings),
		cmocka_unit_test(needs_rehash),
		cmocka_unit_test(list_load_and_lookup),
		cmocka_unit_test(list_only_comments_is_empty),
		cmocka_unit_test(list_missing_file),
		cmocka_unit_test(debian_john_list),
		cmocka_unit_test(policy_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
