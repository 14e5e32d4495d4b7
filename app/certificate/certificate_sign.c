/* certificate_sign.c - the Ed25519 key that signs certificate statements
 * (OpenSSL EVP) */
#include "lms/certificate/certificate_sign.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "lms/core/config.h"
#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/core/text.h"

/* Loaded once and kept for the life of the process: the key never
 * changes under a running server. */
static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static EVP_PKEY *key;
static char key_id[CERTIFICATE_KEY_ID_BUF];

static EVP_PKEY *key_read(const char *path)
{
	EVP_PKEY *k = NULL;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return k;
}

/* Makes a key and keeps it at path unless another process kept one first:
 * written to a file of its own, then linked into place, which fails when
 * the name exists. Returns the key at path. */
static EVP_PKEY *key_generate(const char *path)
{
	char tmp[4200];
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	FILE *f = NULL;
	int fd = -1, ok = 0;

	if (!k)
		return NULL;
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		goto out;
	}
	ok = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1;
	ok = fclose(f) == 0 && ok;
	if (ok && link(tmp, path) != 0 && errno != EEXIST)
		ok = 0;
	unlink(tmp);
out:
	EVP_PKEY_free(k);
	return ok ? key_read(path) : NULL;
}

static int id_of(EVP_PKEY *k, char out[CERTIFICATE_KEY_ID_BUF])
{
	unsigned char raw[32], md[32];
	size_t len = sizeof(raw);
	unsigned int mdlen = 0;

	if (EVP_PKEY_get_raw_public_key(k, raw, &len) != 1 || len != 32 ||
	    EVP_Digest(raw, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return LMS_EIO;
	text_hex_encode(md, 8, out);
	out[16] = '\0';
	return 0;
}

int certificate_key_load(const struct lms_config *cfg)
{
	char path[4096];
	EVP_PKEY *k;
	int rc = 0;

	pthread_mutex_lock(&key_lock);
	if (key)
		goto out;
	if (cfg->certificate_signing_key && *cfg->certificate_signing_key) {
		snprintf(path, sizeof(path), "%s", cfg->certificate_signing_key);
		k = key_read(path);
	} else {
		snprintf(path, sizeof(path), "%s/certificate-signing-key.pem", cfg->data_dir);
		if (!(k = key_read(path)) && access(path, F_OK) != 0)
			k = key_generate(path);
	}
	if (!k || EVP_PKEY_get_id(k) != EVP_PKEY_ED25519 || id_of(k, key_id) < 0) {
		log_error("certificates: the signing key %s cannot be read, is not an Ed25519 "
			  "private key in PEM, or cannot be made", path);
		EVP_PKEY_free(k);
		rc = LMS_EIO;
		goto out;
	}
	key = k;
out:
	pthread_mutex_unlock(&key_lock);
	return rc;
}

static EVP_PKEY *key_get(char id[CERTIFICATE_KEY_ID_BUF])
{
	EVP_PKEY *k;

	pthread_mutex_lock(&key_lock);
	k = key;
	if (k)
		memcpy(id, key_id, CERTIFICATE_KEY_ID_BUF);
	pthread_mutex_unlock(&key_lock);
	return k;
}

int certificate_sign(const void *msg, size_t len, char *sig, size_t siglen,
		     char id[CERTIFICATE_KEY_ID_BUF])
{
	unsigned char raw[64];
	size_t rawlen = sizeof(raw);
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY *k = key_get(id);
	int rc = LMS_EIO;

	if (!k || siglen < 89 || !(ctx = EVP_MD_CTX_new()))
		goto out;
	/* Ed25519 signs the message itself: no digest is named. */
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestSign(ctx, raw, &rawlen, msg, len) != 1 || rawlen != 64)
		goto out;
	EVP_EncodeBlock((unsigned char *)sig, raw, (int)rawlen);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int certificate_public_key(char *pem, size_t pemlen, char *raw_b64, size_t rawlen,
			   char id[CERTIFICATE_KEY_ID_BUF])
{
	unsigned char raw[32];
	size_t len = sizeof(raw);
	EVP_PKEY *k = key_get(id);
	BIO *bio = NULL;
	char *data;
	long n;
	int rc = LMS_EIO;

	if (!k || rawlen < 45 || EVP_PKEY_get_raw_public_key(k, raw, &len) != 1 || len != 32 ||
	    !(bio = BIO_new(BIO_s_mem())) || PEM_write_bio_PUBKEY(bio, k) != 1)
		goto out;
	n = BIO_get_mem_data(bio, &data);
	if (n <= 0 || (size_t)n >= pemlen)
		goto out;
	memcpy(pem, data, (size_t)n);
	pem[n] = '\0';
	EVP_EncodeBlock((unsigned char *)raw_b64, raw, 32);
	rc = 0;
out:
	BIO_free(bio);
	return rc;
}
