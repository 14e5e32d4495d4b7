/* secret.h - random tokens, their digests, and constant-time comparison */
#ifndef LMS_AUTH_SECRET_H
#define LMS_AUTH_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* Characters of a 256-bit value in base64url without padding. */
#define SECRET_B64_LEN 43
/* Hex digits of a SHA-256 digest. */
#define SECRET_HEX_LEN 64

/*
 * Writes prefix followed by 32 random bytes (RAND_bytes) in base64url into
 * out (at least strlen(prefix) + SECRET_B64_LEN + 1 bytes). Returns 0,
 * LMS_EINVAL when out is too small, or LMS_EIO when no randomness is to be had.
 */
int secret_token_new(const char *prefix, char *out, size_t len);

/* SHA-256 of the len bytes at data as lower-case hex into out
 * (SECRET_HEX_LEN + 1 bytes). */
void secret_sha256_hex(const void *data, size_t len, char out[SECRET_HEX_LEN + 1]);

/* HMAC-SHA256(key, msg) in base64url into out (SECRET_B64_LEN + 1 bytes). */
void secret_hmac_b64url(const char *key, const char *msg, char out[SECRET_B64_LEN + 1]);

/* Whether the strings a and b are equal, in time that does not depend on
 * where they differ (CRYPTO_memcmp); NULL equals nothing. */
bool secret_equal(const char *a, const char *b);

#endif
