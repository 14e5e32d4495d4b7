/* password.c - PBKDF2-HMAC-SHA256 password hashes, common-password list, policy */
#include "lms/auth/password.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "lms/core/err.h"
#include "lms/core/text.h"

#define ALGORITHM "pbkdf2_sha256"
#define SALT_LEN 16
#define KEY_LEN 32
#define LIST_COMMENT "#!comment:"
#define PW_MIN_CHARS 10
#define PW_MAX_BYTES 128

/*
 * Decodes exactly want bytes from the n characters at in, in canonical
 * unpadded base64url only: each hash then has exactly one spelling, and
 * junk a lenient decoder would tolerate, such as whitespace, is refused.
 */
static bool b64url_decode(const char *in, size_t n, unsigned char *out, size_t want)
{
	return n == TEXT_B64URL_LEN(want) && text_b64url_decode(in, n, out, want) == (long)want;
}

/* Parses "pbkdf2_sha256$<iterations>$<salt>$<hash>"; false on any deviation. */
static bool parse_stored(const char *s, int *iterations, unsigned char salt[SALT_LEN],
			 unsigned char key[KEY_LEN])
{
	const char *p, *end;
	long long v = 0;

	if (!s || strncmp(s, ALGORITHM "$", strlen(ALGORITHM "$")) != 0)
		return false;
	p = s + strlen(ALGORITHM "$");

	/* Plain digits only: strtol would take a sign, blanks and leading
	 * zeros, and a second spelling of the same cost helps nobody. */
	if (*p < '1' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > PASSWORD_ITERATIONS_MAX)
			return false;
	}
	if (*p++ != '$')
		return false;

	end = strchr(p, '$');
	if (!end || !b64url_decode(p, (size_t)(end - p), salt, SALT_LEN))
		return false;
	p = end + 1;
	if (strchr(p, '$') || !b64url_decode(p, strlen(p), key, KEY_LEN))
		return false;
	*iterations = (int)v;
	return true;
}

static int derive(const char *pw, size_t len, const unsigned char salt[SALT_LEN], int iterations,
		  unsigned char key[KEY_LEN])
{
	/* OpenSSL takes an int length, and -1 there would mean strlen(). */
	if (len > INT_MAX)
		return LMS_EINVAL;
	if (PKCS5_PBKDF2_HMAC(pw ? pw : "", (int)len, salt, SALT_LEN, iterations, EVP_sha256(),
			      KEY_LEN, key) != 1)
		return LMS_EIO;
	return 0;
}

int password_hash(const char *pw, size_t len, int iterations, char *out, size_t outlen)
{
	unsigned char salt[SALT_LEN], key[KEY_LEN];
	char salt64[TEXT_B64URL_BUF(SALT_LEN)], key64[TEXT_B64URL_BUF(KEY_LEN)];
	int need, rc;

	if (outlen > 0)
		out[0] = '\0';
	if (iterations < 1 || iterations > PASSWORD_ITERATIONS_MAX)
		return LMS_EINVAL;
	/* Check the size before spending the iterations, not after. */
	need = snprintf(NULL, 0, ALGORITHM "$%d$", iterations) + TEXT_B64URL_LEN(SALT_LEN) + 1 +
	       TEXT_B64URL_LEN(KEY_LEN);
	if ((size_t)need >= outlen)
		return LMS_EINVAL;

	if (RAND_bytes(salt, sizeof(salt)) != 1) {
		rc = LMS_EIO;
		goto out;
	}
	if ((rc = derive(pw, len, salt, iterations, key)) < 0)
		goto out;
	text_b64url_encode(salt, sizeof(salt), salt64);
	text_b64url_encode(key, sizeof(key), key64);
	snprintf(out, outlen, ALGORITHM "$%d$%s$%s", iterations, salt64, key64);
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int password_verify(const char *pw, size_t len, const char *stored, bool *match,
		    int *stored_iterations)
{
	unsigned char salt[SALT_LEN], want[KEY_LEN], got[KEY_LEN];
	int iterations = 0, rc;

	*match = false;
	if (stored_iterations)
		*stored_iterations = 0;
	if (!parse_stored(stored, &iterations, salt, want))
		return LMS_EINVAL;
	if (stored_iterations)
		*stored_iterations = iterations;

	if ((rc = derive(pw, len, salt, iterations, got)) < 0)
		goto out;
	/* Constant time, so response timing does not reveal how many leading
	 * bytes of a guess's hash were right. */
	*match = CRYPTO_memcmp(got, want, KEY_LEN) == 0;
out:
	OPENSSL_cleanse(got, sizeof(got));
	return rc;
}

bool password_needs_rehash(const char *stored, int iterations)
{
	unsigned char salt[SALT_LEN], key[KEY_LEN];
	int have;

	if (!parse_stored(stored, &have, salt, key))
		return true;
	return have < iterations;
}

/* Locale-independent on purpose: the list and the rules fold ASCII only,
 * whatever setlocale() the process made. */
static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool ascii_equal_fold(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
			return false;
	return true;
}

struct password_list {
	char *text;    /* the whole file; words point into it */
	char **words;  /* lowercased, sorted with strcmp, distinct */
	size_t count;
};

static int cmp_words(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A lookup key: pw is not NUL-terminated and not lowercased. */
struct list_key {
	const char *s;
	size_t len;
};

/* Orders a key against a word exactly as strcmp orders the folded key,
 * so bsearch can run on the qsort order without copying the password. */
static int cmp_key_word(const void *k, const void *w)
{
	const struct list_key *key = k;
	const unsigned char *word = *(const unsigned char *const *)w;

	for (size_t i = 0; i < key->len; i++) {
		unsigned char c = ascii_lower((unsigned char)key->s[i]);

		if (c != word[i])   /* also when the word ends: c is never NUL */
			return c < word[i] ? -1 : 1;
	}
	return word[key->len] == '\0' ? 0 : -1;
}

/* Reads the whole stream; text is NUL-terminated, *len excludes the NUL. */
static int read_all(FILE *f, char **text, size_t *len)
{
	char *buf = NULL, *bigger;
	size_t cap = 0, n = 0, got;

	for (;;) {
		if (cap - n < 2) {
			cap = cap ? cap * 2 : 64 * 1024;
			if (!(bigger = realloc(buf, cap))) {
				free(buf);
				return LMS_ENOMEM;
			}
			buf = bigger;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		return LMS_EIO;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int password_list_load(const char *path, struct password_list **out, char *err, size_t errlen)
{
	struct password_list *l = NULL;
	FILE *f = NULL;
	size_t len = 0, lines = 1, kept;
	char *line, *next;
	int rc;

	*out = NULL;
	if (!(f = fopen(path, "rb"))) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		rc = LMS_EIO;
		goto out;
	}
	if (!(l = calloc(1, sizeof(*l)))) {
		rc = LMS_ENOMEM;
		goto out;
	}
	errno = 0;
	if ((rc = read_all(f, &l->text, &len)) < 0) {
		if (rc == LMS_EIO)
			snprintf(err, errlen, "%s: cannot read: %s", path,
				 strerror(errno ? errno : EIO));
		goto out;
	}

	for (size_t i = 0; i < len; i++)
		lines += l->text[i] == '\n';
	if (!(l->words = malloc(lines * sizeof(*l->words)))) {
		rc = LMS_ENOMEM;
		goto out;
	}

	for (line = l->text; line < l->text + len; line = next) {
		char *end = memchr(line, '\n', (size_t)(l->text + len - line));

		if (!end)
			end = l->text + len;
		next = end + 1;
		while (end > line && end[-1] == '\r')
			end--;
		*end = '\0';
		/* A line with a NUL byte could never match: the policy refuses
		 * such passwords before it asks the list. */
		if (end == line || strncmp(line, LIST_COMMENT, strlen(LIST_COMMENT)) == 0 ||
		    strlen(line) != (size_t)(end - line))
			continue;
		for (char *c = line; c < end; c++)
			*c = (char)ascii_lower((unsigned char)*c);
		l->words[l->count++] = line;
	}

	if (l->count > 0) {
		qsort(l->words, l->count, sizeof(*l->words), cmp_words);
		kept = 1;
		for (size_t i = 1; i < l->count; i++)
			if (strcmp(l->words[i], l->words[kept - 1]) != 0)
				l->words[kept++] = l->words[i];
		l->count = kept;
	}
	*out = l;
	l = NULL;
	rc = 0;
out:
	if (rc == LMS_ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	if (f)
		fclose(f);
	password_list_free(l);
	return rc;
}

bool password_list_contains(const struct password_list *l, const char *pw, size_t len)
{
	struct list_key key = {pw, len};

	/* Entries are never empty and never hold a NUL, so neither can match;
	 * ruling them out here also keeps cmp_key_word's reasoning simple. */
	if (!l || l->count == 0 || len == 0 || memchr(pw, '\0', len))
		return false;
	return bsearch(&key, l->words, l->count, sizeof(*l->words), cmp_key_word) != NULL;
}

size_t password_list_count(const struct password_list *l)
{
	return l ? l->count : 0;
}

void password_list_free(struct password_list *l)
{
	if (!l)
		return;
	free(l->words);
	free(l->text);
	free(l);
}

const char *password_policy_check(const struct password_list *l, const char *pw, size_t len,
				  const char *email)
{

	if (len > 0 && memchr(pw, '\0', len))
		return "must not contain NUL characters";

	/* Users count letters, not bytes: a Korean syllable is three bytes in
	 * UTF-8 but one character. */
	if (text_utf8_chars_n(pw, len) < PW_MIN_CHARS)
		return "must be at least 10 characters";
	/* Bytes, not characters: the limit bounds what one request hands to
	 * the hash and the database, whatever the script. */
	if (len > PW_MAX_BYTES)
		return "must be at most 128 bytes";

	if (email) {
		const char *at = strrchr(email, '@');
		size_t local = at ? (size_t)(at - email) : strlen(email);

		if (ascii_equal_fold(pw, len, email, strlen(email)) ||
		    ascii_equal_fold(pw, len, email, local))
			return "must not be your email address";
	}
	if (password_list_contains(l, pw, len))
		return "is too common: choose a less common password";
	return NULL;
}
