/* password.h - password hashing (PBKDF2-HMAC-SHA256), common-password list, policy */
#ifndef LMS_AUTH_PASSWORD_H
#define LMS_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

/* Size of a buffer that holds any stored hash string, NUL included. */
#define PASSWORD_HASH_MAX 128

/* Highest iteration count password_hash() writes and password_verify()
 * accepts; bounds the work a stored string can ask for. */
#define PASSWORD_ITERATIONS_MAX 100000000

/*
 * Hashes the len bytes at pw (any bytes, NUL included; pw may be NULL when
 * len is 0) with PBKDF2-HMAC-SHA256, a fresh random 16-byte salt and
 * iterations rounds, and writes the NUL-terminated string
 *   pbkdf2_sha256$<iterations>$<salt>$<hash>
 * (salt and 32-byte hash in base64url without padding) into out, which the
 * caller owns (PASSWORD_HASH_MAX bytes are always enough).
 * Returns 0, LMS_EINVAL when iterations is outside 1..PASSWORD_ITERATIONS_MAX,
 * len is too large or outlen too small, or LMS_EIO when OpenSSL fails.
 * On failure out holds "" (when outlen > 0).
 * As with any PBKDF2-HMAC, passwords that differ only by trailing NUL bytes
 * hash alike (HMAC zero-pads short keys); password_policy_check() refuses
 * NUL bytes for this reason among others.
 */
int password_hash(const char *pw, size_t len, int iterations, char *out, size_t outlen);

/*
 * Checks the len bytes at pw against stored, a string from password_hash().
 * stored is parsed strictly: algorithm name, iterations in canonical decimal
 * (1..PASSWORD_ITERATIONS_MAX), salt and hash in canonical unpadded base64url
 * of exactly 16 and 32 bytes, nothing else. The comparison takes constant
 * time. *stored_iterations (may be NULL) receives the iteration count when
 * stored is well-formed, 0 otherwise: callers rehash when it is lower than
 * the configured cost.
 * Returns 0 with *match set, LMS_EINVAL when stored is malformed or len too
 * large, or LMS_EIO when OpenSSL fails; *match is false on every error.
 */
int password_verify(const char *pw, size_t len, const char *stored, bool *match,
		    int *stored_iterations);

/* True when stored is malformed or was hashed with fewer than iterations
 * rounds, so the password should be hashed again at the next login. */
bool password_needs_rehash(const char *stored, int iterations);

/* A sorted set of common passwords, ASCII-lowercased. */
struct password_list;

/*
 * Reads a word list with one password per line (the format of john-data's
 * /usr/share/john/password.lst): lines starting with "#!comment:" and empty
 * lines are skipped, a trailing CR is removed, duplicates are merged.
 * Returns 0 with *out set to a new list the caller frees with
 * password_list_free(), or LMS_EIO ("path: cannot read: reason") or
 * LMS_ENOMEM with the message in err; *out is NULL then.
 */
int password_list_load(const char *path, struct password_list **out, char *err, size_t errlen);

/* True when the len bytes at pw equal an entry, ignoring ASCII case.
 * A NULL list contains nothing. */
bool password_list_contains(const struct password_list *l, const char *pw, size_t len);

/* Number of distinct entries; 0 for NULL. */
size_t password_list_count(const struct password_list *l);

/* Frees l. Accepts NULL. */
void password_list_free(struct password_list *l);

/*
 * Applies the password rules to the len bytes at pw, in this order: no NUL
 * byte, at least 10 characters (UTF-8 code points), at most 128 bytes, not
 * the email address or its local part (ASCII case-insensitive; skipped when
 * email is NULL), not in l (skipped when l is NULL).
 * Returns NULL when pw is acceptable, or a static message for the first rule
 * broken, e.g. "must be at least 10 characters" (subject "password" implied).
 */
const char *password_policy_check(const struct password_list *l, const char *pw, size_t len,
				  const char *email);

#endif
