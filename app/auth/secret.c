/* secret.c - random tokens, their digests, and constant-time comparison */
#include "lms/auth/secret.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <string.h>

#include "lms/core/err.h"

size_t secret_b64url(const unsigned char *data, size_t len, char *out)
{
	int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);

	/* The URL-safe alphabet, and no padding: tokens travel in cookies,
	 * headers and query strings unescaped. */
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (int i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return (size_t)n;
}

int secret_token_new(const char *prefix, char *out, size_t len)
{
	unsigned char raw[32];
	char b64[4 * ((sizeof(raw) + 2) / 3) + 1];
	size_t plen = strlen(prefix);

	if (len < plen + SECRET_B64_LEN + 1)
		return LMS_EINVAL;
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return LMS_EIO;
	secret_b64url(raw, sizeof(raw), b64);
	memcpy(out, prefix, plen);
	memcpy(out + plen, b64, SECRET_B64_LEN + 1);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

void secret_sha256_hex(const void *data, size_t len, char out[SECRET_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	for (size_t i = 0; i < sizeof(md); i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[SECRET_HEX_LEN] = '\0';
}

void secret_hmac_b64url(const char *key, const char *msg, char out[SECRET_B64_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg, strlen(msg), md,
	     &mdlen);
	secret_b64url(md, mdlen, out);
}

bool secret_equal(const char *a, const char *b)
{
	size_t n;

	if (!a || !b)
		return false;
	n = strlen(a);
	return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}
