/* tls.c - TLS set-up for the HTTPS listener, and the development certificate */
#include "lms/http/tls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lms/core/err.h"
#include "lms/core/log.h"

#define CERT_NAME "dev-cert.pem"
#define KEY_NAME "dev-key.pem"
#define CERT_DAYS 365
/* A certificate this close to expiry is replaced now rather than failing
 * mid-session tomorrow. */
#define RENEW_MARGIN_SECS (24L * 60 * 60)
/* Starts validity a little in the past so a client whose clock is slightly
 * behind ours does not reject a certificate generated a moment ago. */
#define BACKDATE_SECS (5L * 60)

/*
 * TLS 1.2 suites: ECDHE only (forward secrecy) and AEAD only (no CBC
 * padding oracles, no SHA-1 MAC). Both ECDSA and RSA variants are listed so
 * a deployment certificate of either kind works. TLS 1.3 suites are set
 * separately and are all ECDHE/AEAD by construction.
 */
static const char tls12_ciphers[] = "ECDHE-ECDSA-AES128-GCM-SHA256:"
				    "ECDHE-RSA-AES128-GCM-SHA256:"
				    "ECDHE-ECDSA-AES256-GCM-SHA384:"
				    "ECDHE-RSA-AES256-GCM-SHA384:"
				    "ECDHE-ECDSA-CHACHA20-POLY1305:"
				    "ECDHE-RSA-CHACHA20-POLY1305";

/* Sessions resumed from the cache must belong to this listener. */
static const unsigned char session_id_ctx[] = "lms-https";

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Takes the most specific OpenSSL error into buf and empties the queue, so a
 * stale error never shows up in a later, unrelated message.
 */
static const char *ssl_errstr(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (e == 0)
		snprintf(buf, len, "no openssl error reported");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

/* mkdir -p: creates each missing component of dir with mode 0700. */
static int mkdir_p(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	size_t n = strlen(dir);
	struct stat st;

	if (n == 0 || n >= sizeof(path)) {
		set_err(err, errlen, "tls: bad certificate directory \"%s\"", dir);
		return LMS_EINVAL;
	}
	memcpy(path, dir, n + 1);
	/* Start at 1 so an absolute path does not try to create "". */
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		if (path[i - 1] == '/')
			continue; /* repeated or trailing slash */
		path[i] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			set_err(err, errlen, "tls: cannot create %s: %s", path, strerror(errno));
			return LMS_EIO;
		}
		path[i] = dir[i];
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		set_err(err, errlen, "tls: %s is not a directory", dir);
		return LMS_EIO;
	}
	return 0;
}

/* Encrypted keys are not ours; refusing keeps OpenSSL from prompting on a
 * terminal during start-up. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/*
 * Says whether the existing pair can be used as it is; when not, why in
 * reason (for the log). Any read or parse failure just means "regenerate".
 */
static bool dev_pair_usable(const char *cert_path, const char *key_path, const char **reason)
{
	BIO *bio = NULL;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	struct stat st;
	time_t limit = time(NULL) + RENEW_MARGIN_SECS;
	bool ok = false;

	*reason = "certificate missing or unreadable";
	bio = BIO_new_file(cert_path, "r");
	if (bio == NULL || (cert = PEM_read_bio_X509(bio, NULL, no_password, NULL)) == NULL)
		goto out;
	BIO_free(bio);

	*reason = "key missing or unreadable";
	bio = BIO_new_file(key_path, "r");
	if (bio == NULL || (key = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL)) == NULL)
		goto out;

	/* A key others can read may have leaked; a new dev key costs nothing. */
	*reason = "key file accessible to group or others";
	if (stat(key_path, &st) != 0 || (st.st_mode & 077) != 0)
		goto out;

	*reason = "key does not match certificate";
	if (X509_check_private_key(cert, key) != 1)
		goto out;

	*reason = "certificate expired or about to";
	if (X509_cmp_time(X509_get0_notAfter(cert), &limit) <= 0)
		goto out;
	*reason = "certificate not yet valid";
	if (X509_cmp_time(X509_get0_notBefore(cert), NULL) >= 0)
		goto out;

	ok = true;
out:
	BIO_free(bio);
	X509_free(cert);
	EVP_PKEY_free(key);
	/* Failures here are expected (first run); keep them out of later messages. */
	ERR_clear_error();
	return ok;
}

static int add_ext(X509 *cert, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
	int rc = -1;

	if (ext != NULL && X509_add_ext(cert, ext, -1) == 1)
		rc = 0;
	X509_EXTENSION_free(ext);
	return rc;
}

/* Random positive 128-bit serial: browsers reject a reused issuer+serial
 * pair with a different key, which a fixed serial would cause. */
static int set_random_serial(X509 *cert)
{
	unsigned char raw[16];
	BIGNUM *bn = NULL;
	int rc = -1;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		goto out;
	raw[0] &= 0x7f; /* DER INTEGER serials must be positive */
	raw[0] |= 0x40; /* and never shrink to fewer bytes, nor be zero */
	bn = BN_bin2bn(raw, sizeof(raw), NULL);
	if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) == NULL)
		goto out;
	rc = 0;
out:
	BN_free(bn);
	return rc;
}

/* Builds and signs the self-signed certificate for key. */
static X509 *dev_cert_build(EVP_PKEY *key)
{
	X509 *cert = X509_new();
	X509_NAME *name;
	X509V3_CTX v3;

	if (cert == NULL)
		return NULL;
	if (X509_set_version(cert, X509_VERSION_3) != 1 || set_random_serial(cert) != 0)
		goto fail;
	if (X509_gmtime_adj(X509_getm_notBefore(cert), -BACKDATE_SECS) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(cert), CERT_DAYS, 0, NULL) == NULL)
		goto fail;

	name = X509_get_subject_name(cert);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost",
				       -1, -1, 0) != 1 ||
	    X509_set_issuer_name(cert, name) != 1 || X509_set_pubkey(cert, key) != 1)
		goto fail;

	/* Issuer and subject are the same certificate. */
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
	/* Browsers match names only against subjectAltName, never the CN. */
	if (add_ext(cert, &v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1") != 0 ||
	    add_ext(cert, &v3, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
	    add_ext(cert, &v3, NID_key_usage, "critical,digitalSignature") != 0 ||
	    add_ext(cert, &v3, NID_ext_key_usage, "serverAuth") != 0 ||
	    add_ext(cert, &v3, NID_subject_key_identifier, "hash") != 0)
		goto fail;

	if (X509_sign(cert, key, EVP_sha256()) <= 0)
		goto fail;
	return cert;
fail:
	X509_free(cert);
	return NULL;
}

enum pem_kind { PEM_KEY, PEM_CERT };

/*
 * Writes obj to path through a temporary file in the same directory and a
 * rename, so a crash leaves either the old file or the whole new one. The
 * file is created with its final mode; it never exists with looser rights.
 */
static int pem_write_atomic(const char *path, mode_t mode, enum pem_kind kind, void *obj,
			    char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	char ebuf[256];
	FILE *fp = NULL;
	int fd = -1;
	int n, rc = LMS_EIO;
	bool tmp_exists = false;

	/* The pid keeps two processes sharing a directory off each other's file. */
	n = snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		set_err(err, errlen, "tls: path too long: %s", path);
		return LMS_EINVAL;
	}
	/* A leftover from a crash may have any mode; O_EXCL below needs it gone. */
	if (unlink(tmp) != 0 && errno != ENOENT) {
		set_err(err, errlen, "tls: cannot remove %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		set_err(err, errlen, "tls: cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	tmp_exists = true;
	fp = fdopen(fd, "w");
	if (fp == NULL) {
		set_err(err, errlen, "tls: cannot open %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1; /* fp owns it now */

	if ((kind == PEM_KEY ? PEM_write_PrivateKey(fp, obj, NULL, NULL, 0, NULL, NULL)
			     : PEM_write_X509(fp, obj)) != 1) {
		set_err(err, errlen, "tls: cannot write %s: %s", tmp, ssl_errstr(ebuf, sizeof(ebuf)));
		goto out;
	}
	/* Data on disk before the rename makes it visible. */
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		set_err(err, errlen, "tls: cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	n = fclose(fp);
	fp = NULL;
	if (n != 0) {
		set_err(err, errlen, "tls: cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) != 0) {
		set_err(err, errlen, "tls: cannot rename %s to %s: %s", tmp, path, strerror(errno));
		goto out;
	}
	tmp_exists = false;
	rc = 0;
out:
	if (fp != NULL)
		fclose(fp);
	if (fd >= 0)
		close(fd);
	if (tmp_exists)
		unlink(tmp);
	return rc;
}

/* Makes the renames durable: without this a crash can lose the new names. */
static void dir_sync(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int dev_pair_generate(const char *dir, const char *cert_path, const char *key_path,
			     char *err, size_t errlen)
{
	char ebuf[256];
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int rc;

	key = EVP_EC_gen("P-256");
	if (key == NULL) {
		set_err(err, errlen, "tls: cannot generate key: %s", ssl_errstr(ebuf, sizeof(ebuf)));
		rc = LMS_EIO;
		goto out;
	}
	cert = dev_cert_build(key);
	if (cert == NULL) {
		set_err(err, errlen, "tls: cannot build certificate: %s",
			ssl_errstr(ebuf, sizeof(ebuf)));
		rc = LMS_EIO;
		goto out;
	}
	/* Key first: a crash between the two renames leaves a pair that does
	 * not match, which the next start detects and replaces. */
	rc = pem_write_atomic(key_path, 0600, PEM_KEY, key, err, errlen);
	if (rc != 0)
		goto out;
	rc = pem_write_atomic(cert_path, 0644, PEM_CERT, cert, err, errlen);
	if (rc != 0)
		goto out;
	dir_sync(dir);
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	if (rc != 0)
		ERR_clear_error();
	return rc;
}

int tls_dev_cert_ensure(const char *dir, char *cert_path, size_t cert_len, char *key_path,
			size_t key_len, char *err, size_t errlen)
{
	const char *reason;
	int n, rc;

	if (dir == NULL || cert_path == NULL || key_path == NULL) {
		set_err(err, errlen, "tls: missing argument");
		return LMS_EINVAL;
	}
	n = snprintf(cert_path, cert_len, "%s/%s", dir, CERT_NAME);
	if (n < 0 || (size_t)n >= cert_len) {
		set_err(err, errlen, "tls: certificate path too long in %s", dir);
		return LMS_EINVAL;
	}
	n = snprintf(key_path, key_len, "%s/%s", dir, KEY_NAME);
	if (n < 0 || (size_t)n >= key_len) {
		set_err(err, errlen, "tls: key path too long in %s", dir);
		return LMS_EINVAL;
	}
	rc = mkdir_p(dir, err, errlen);
	if (rc != 0)
		return rc;
	if (dev_pair_usable(cert_path, key_path, &reason))
		return 0;

	log_info("tls: generating development certificate %s (%s)", cert_path, reason);
	return dev_pair_generate(dir, cert_path, key_path, err, errlen);
}

int tls_ctx_setup(SSL_CTX *ctx, const char *cert_path, const char *key_path, char *err,
		  size_t errlen)
{
	char ebuf[256];
	int rc = LMS_EINVAL;

	if (ctx == NULL || cert_path == NULL || key_path == NULL) {
		set_err(err, errlen, "tls: missing argument");
		return LMS_EINVAL;
	}
	/* Whatever CivetWeb left in the queue is not about our calls. */
	ERR_clear_error();

	if (SSL_CTX_use_certificate_chain_file(ctx, cert_path) != 1) {
		set_err(err, errlen, "tls: cannot load certificate chain %s: %s", cert_path,
			ssl_errstr(ebuf, sizeof(ebuf)));
		rc = LMS_EIO;
		goto out;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM) != 1) {
		unsigned long e = ERR_peek_last_error();

		/* Loading already compares the key with the certificate; say so
		 * plainly rather than as a load failure. */
		if (ERR_GET_LIB(e) == ERR_LIB_X509 &&
		    ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH)
			goto mismatch;
		set_err(err, errlen, "tls: cannot load private key %s: %s", key_path,
			ssl_errstr(ebuf, sizeof(ebuf)));
		rc = LMS_EIO;
		goto out;
	}
	if (SSL_CTX_check_private_key(ctx) != 1)
		goto mismatch;
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		set_err(err, errlen, "tls: cannot set minimum version tls 1.2: %s",
			ssl_errstr(ebuf, sizeof(ebuf)));
		goto out;
	}
	/* The default list still offers AES128-SHA and other static-RSA and
	 * CBC suites on TLS 1.2. */
	if (SSL_CTX_set_cipher_list(ctx, tls12_ciphers) != 1) {
		set_err(err, errlen, "tls: cannot set tls 1.2 ciphers: %s",
			ssl_errstr(ebuf, sizeof(ebuf)));
		goto out;
	}
	/* Set explicitly in case the caller or system configuration changed them. */
	if (SSL_CTX_set_ciphersuites(ctx, TLS_DEFAULT_CIPHERSUITES) != 1) {
		set_err(err, errlen, "tls: cannot set tls 1.3 ciphersuites: %s",
			ssl_errstr(ebuf, sizeof(ebuf)));
		goto out;
	}
	/* Compression leaks secrets (CRIME); client renegotiation is a cheap
	 * CPU exhaustion vector; our order puts the strongest suites first. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
					 SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_set_session_id_context(ctx, session_id_ctx, sizeof(session_id_ctx) - 1) != 1) {
		set_err(err, errlen, "tls: cannot set session id context: %s",
			ssl_errstr(ebuf, sizeof(ebuf)));
		goto out;
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	rc = 0;
	goto out;
mismatch:
	set_err(err, errlen, "tls: private key %s does not match certificate %s: %s", key_path,
		cert_path, ssl_errstr(ebuf, sizeof(ebuf)));
out:
	if (rc != 0)
		ERR_clear_error();
	return rc;
}
