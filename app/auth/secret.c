/* secret.c - random tokens, their digests, and constant-time comparison */
#include "lms/auth/secret.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/core/text.h"

int secret_token_new(const char *prefix, char *out, size_t len)
{
	unsigned char raw[32];
	char b64[TEXT_B64URL_BUF(sizeof(raw))];
	size_t plen = strlen(prefix);

	if (len < plen + SECRET_B64_LEN + 1)
		return LMS_EINVAL;
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return LMS_EIO;
	text_b64url_encode(raw, sizeof(raw), b64);
	memcpy(out, prefix, plen);
	memcpy(out + plen, b64, SECRET_B64_LEN + 1);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

void secret_sha256_hex(const void *data, size_t len, char out[SECRET_HEX_LEN + 1])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	text_hex_encode(md, sizeof(md), out);
}

void secret_hmac_b64url(const char *key, const char *msg, char out[SECRET_B64_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg, strlen(msg), md,
	     &mdlen);
	text_b64url_encode(md, mdlen, out);
}

bool secret_equal(const char *a, const char *b)
{
	size_t n;

	if (!a || !b)
		return false;
	n = strlen(a);
	return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}
