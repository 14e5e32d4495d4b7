/* certificate_sign.h - the Ed25519 key that signs certificate statements */
#ifndef LMS_CERTIFICATE_CERTIFICATE_SIGN_H
#define LMS_CERTIFICATE_CERTIFICATE_SIGN_H

#include <stddef.h>

struct lms_config;

/* Key ids are the first 16 hex digits of the SHA-256 of the raw public key. */
#define CERTIFICATE_KEY_ID_BUF 17

/*
 * Loads the signing key named by cfg->certificate_signing_key, or when that
 * is empty the one at <data_dir>/certificate-signing-key.pem, generating
 * and keeping it there (mode 0600) the first time; once per process, later
 * calls return what the first found. Two processes generating at once keep
 * one key. Returns 0, or LMS_EIO (logged) when the key cannot be read,
 * is not Ed25519, or cannot be made.
 */
int certificate_key_load(const struct lms_config *cfg);

/*
 * Signs the len bytes of msg with the loaded key: the signature in base64
 * (standard alphabet, padded) into sig (at least 89 bytes) and the key id
 * into key_id. Returns 0, LMS_EIO when no key is loaded or signing fails.
 */
int certificate_sign(const void *msg, size_t len, char *sig, size_t siglen,
		     char key_id[CERTIFICATE_KEY_ID_BUF]);

/*
 * The loaded key's public half: a PEM SubjectPublicKeyInfo into pem (at
 * least 128 bytes), the raw 32 bytes in base64 into raw_b64 (at least 45),
 * and its id. Returns 0 or LMS_EIO.
 */
int certificate_public_key(char *pem, size_t pemlen, char *raw_b64, size_t rawlen,
			   char key_id[CERTIFICATE_KEY_ID_BUF]);

#endif
