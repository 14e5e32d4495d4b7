/* tls_test.c - unit tests for the development certificate and the TLS context set-up */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lms/core/err.h"
#include "lms/http/tls.h"

/* Every blocking socket call in a handshake gives up after this long. */
#define HANDSHAKE_TIMEOUT_SECS 5

struct fx {
	char dir[64];      /* mkdtemp root, removed in teardown */
	char certdir[128]; /* below dir, so mkdir -p is exercised */
	char cert[PATH_MAX];
	char key[PATH_MAX];
	char err[512];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/lms-tls-test-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->certdir, sizeof(f->certdir), "%s/var/tls", f->dir);
	*state = f;
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	int rc = nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);

	free(f);
	return rc;
}

static int ensure(struct fx *f, const char *dir)
{
	f->err[0] = '\0';
	return tls_dev_cert_ensure(dir, f->cert, sizeof(f->cert), f->key, sizeof(f->key), f->err,
				   sizeof(f->err));
}

/* Whole file in a malloc'd buffer; *len gets its size. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(fp);
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static X509 *cert_load(const char *path)
{
	BIO *bio = BIO_new_file(path, "r");
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return x;
}

static EVP_PKEY *key_load(const char *path)
{
	BIO *bio = BIO_new_file(path, "r");
	EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return k;
}

static bool file_equals(const char *path, const unsigned char *bytes, size_t len)
{
	size_t n = 0;
	unsigned char *b = slurp(path, &n);
	bool same = b != NULL && n == len && memcmp(b, bytes, len) == 0;

	free(b);
	return same;
}

/* A minimal self-signed certificate for key, valid for secs from now; the
 * tests use it for an RSA server and for a nearly expired dev certificate. */
static X509 *make_cert(EVP_PKEY *key, long secs)
{
	X509 *x = X509_new();

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 4242), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -60));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), secs));
	assert_int_equal(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
						    (const unsigned char *)"localhost", -1, -1, 0),
			 1);
	assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(x)), 1);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	return x;
}

static void cert_write(const char *path, X509 *x)
{
	BIO *bio = BIO_new_file(path, "w");

	assert_non_null(bio);
	assert_int_equal(PEM_write_bio_X509(bio, x), 1);
	BIO_free(bio);
}

static void key_write(const char *path, EVP_PKEY *k)
{
	BIO *bio = BIO_new_file(path, "w");

	assert_non_null(bio);
	assert_int_equal(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL), 1);
	BIO_free(bio);
}

static void test_dev_cert_created(void **state)
{
	struct fx *f = *state;
	char want[PATH_MAX];
	struct stat st;

	assert_int_equal(ensure(f, f->certdir), 0);

	snprintf(want, sizeof(want), "%s/dev-cert.pem", f->certdir);
	assert_string_equal(f->cert, want);
	snprintf(want, sizeof(want), "%s/dev-key.pem", f->certdir);
	assert_string_equal(f->key, want);

	assert_int_equal(stat(f->certdir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(f->cert, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

static void test_dev_cert_reused(void **state)
{
	struct fx *f = *state;
	size_t clen = 0, klen = 0;
	unsigned char *cert, *key;

	assert_int_equal(ensure(f, f->certdir), 0);
	cert = slurp(f->cert, &clen);
	key = slurp(f->key, &klen);
	assert_non_null(cert);
	assert_non_null(key);

	assert_int_equal(ensure(f, f->certdir), 0);
	assert_true(file_equals(f->cert, cert, clen));
	assert_true(file_equals(f->key, key, klen));
	free(cert);
	free(key);
}

static void test_dev_cert_corrupt_regenerated(void **state)
{
	struct fx *f = *state;
	X509 *x;
	EVP_PKEY *k;

	assert_int_equal(ensure(f, f->certdir), 0);
	spit(f->cert, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n");
	assert_int_equal(ensure(f, f->certdir), 0);

	x = cert_load(f->cert);
	k = key_load(f->key);
	assert_non_null(x);
	assert_non_null(k);
	assert_int_equal(X509_check_private_key(x, k), 1);
	X509_free(x);
	EVP_PKEY_free(k);

	/* A damaged key is replaced as well. */
	spit(f->key, "");
	assert_int_equal(ensure(f, f->certdir), 0);
	k = key_load(f->key);
	assert_non_null(k);
	EVP_PKEY_free(k);
}

static void test_dev_cert_mismatch_regenerated(void **state)
{
	struct fx *f = *state;
	char other[PATH_MAX], other_key[PATH_MAX];
	X509 *a, *b;
	EVP_PKEY *k;

	snprintf(other, sizeof(other), "%s/other", f->dir);
	assert_int_equal(ensure(f, other), 0);
	snprintf(other_key, sizeof(other_key), "%s", f->key);
	assert_int_equal(ensure(f, f->certdir), 0);

	/* Two generations never share a serial. */
	a = cert_load(f->cert);
	snprintf(other, sizeof(other), "%s/other/dev-cert.pem", f->dir);
	b = cert_load(other);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(a), X509_get0_serialNumber(b)),
			     0);
	X509_free(a);
	X509_free(b);

	/* Key from the other pair: the next call must notice and replace both. */
	assert_int_equal(rename(other_key, f->key), 0);
	assert_int_equal(ensure(f, f->certdir), 0);
	a = cert_load(f->cert);
	k = key_load(f->key);
	assert_non_null(a);
	assert_non_null(k);
	assert_int_equal(X509_check_private_key(a, k), 1);
	X509_free(a);
	EVP_PKEY_free(k);
}

static void test_dev_cert_expiring_regenerated(void **state)
{
	struct fx *f = *state;
	EVP_PKEY *k;
	X509 *x;
	int days = 0, secs = 0;

	assert_int_equal(ensure(f, f->certdir), 0);
	k = key_load(f->key);
	assert_non_null(k);
	x = make_cert(k, 3600); /* valid for one more hour only */
	cert_write(f->cert, x);
	X509_free(x);
	EVP_PKEY_free(k);

	assert_int_equal(ensure(f, f->certdir), 0);
	x = cert_load(f->cert);
	assert_non_null(x);
	assert_int_equal(ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)), 1);
	assert_true(days >= 364);
	X509_free(x);
}

static void test_dev_cert_loose_key_mode_regenerated(void **state)
{
	struct fx *f = *state;
	size_t klen = 0;
	unsigned char *key;
	struct stat st;

	assert_int_equal(ensure(f, f->certdir), 0);
	key = slurp(f->key, &klen);
	assert_non_null(key);
	assert_int_equal(chmod(f->key, 0644), 0);

	assert_int_equal(ensure(f, f->certdir), 0);
	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_false(file_equals(f->key, key, klen));
	free(key);
}

static void test_dev_cert_contents(void **state)
{
	struct fx *f = *state;
	X509 *x;
	EVP_PKEY *k;
	GENERAL_NAMES *sans;
	static const unsigned char v4[] = {127, 0, 0, 1};
	static const unsigned char v6[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	bool dns = false, ip4 = false, ip6 = false;
	char group[64];
	int days = 0, secs = 0;

	assert_int_equal(ensure(f, f->certdir), 0);
	x = cert_load(f->cert);
	k = key_load(f->key);
	assert_non_null(x);
	assert_non_null(k);

	sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	assert_non_null(sans);
	assert_int_equal(sk_GENERAL_NAME_num(sans), 3);
	for (int i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
		const ASN1_STRING *s;

		if (gn->type == GEN_DNS) {
			s = gn->d.dNSName;
			dns = ASN1_STRING_length(s) == 9 &&
			      memcmp(ASN1_STRING_get0_data(s), "localhost", 9) == 0;
		} else if (gn->type == GEN_IPADD) {
			s = gn->d.iPAddress;
			if (ASN1_STRING_length(s) == 4)
				ip4 = memcmp(ASN1_STRING_get0_data(s), v4, 4) == 0;
			else if (ASN1_STRING_length(s) == 16)
				ip6 = memcmp(ASN1_STRING_get0_data(s), v6, 16) == 0;
		}
	}
	GENERAL_NAMES_free(sans);
	assert_true(dns);
	assert_true(ip4);
	assert_true(ip6);
	assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
	assert_int_equal(X509_check_ip_asc(x, "::1", 0), 1);
	assert_int_not_equal(X509_check_host(x, "example.com", 0, 0, NULL), 1);

	/* Self-signed by the key next to it. */
	assert_int_equal(X509_verify(x, k), 1);
	assert_int_equal(X509_check_private_key(x, k), 1);
	assert_int_equal(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
	assert_int_equal(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	assert_true(EVP_PKEY_is_a(k, "EC"));
	assert_int_equal(EVP_PKEY_get_group_name(k, group, sizeof(group), NULL), 1);
	assert_string_equal(group, "prime256v1");

	/* A leaf certificate for servers only. */
	assert_int_equal(X509_get_version(x), X509_VERSION_3);
	assert_int_equal(X509_check_ca(x), 0);
	assert_true(X509_get_extension_flags(x) & EXFLAG_BCONS);
	assert_int_equal(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	assert_int_equal(X509_get_extended_key_usage(x), XKU_SSL_SERVER);
	assert_int_equal(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0), 1);

	assert_int_equal(ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)), 1);
	assert_in_range(days, 364, 366);
	assert_true(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);

	X509_free(x);
	EVP_PKEY_free(k);
}

static void test_dev_cert_bad_dir(void **state)
{
	struct fx *f = *state;
	char file[256], below[PATH_MAX];

	/* A regular file where the directory should be. */
	snprintf(file, sizeof(file), "%s/plain", f->dir);
	spit(file, "x");
	snprintf(below, sizeof(below), "%s/sub", file);
	assert_true(ensure(f, below) < 0);
	assert_non_null(strstr(f->err, file));
	assert_true(ensure(f, "") < 0);
}

static SSL_CTX *server_ctx(struct fx *f)
{
	SSL_CTX *ctx;

	assert_int_equal(ensure(f, f->certdir), 0);
	ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(ctx);
	assert_int_equal(tls_ctx_setup(ctx, f->cert, f->key, f->err, sizeof(f->err)), 0);
	return ctx;
}

static void test_ctx_setup_settings(void **state)
{
	struct fx *f = *state;
	const uint64_t opts =
		SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE;
	SSL_CTX *ctx = server_ctx(f);
	SSL *ssl;
	STACK_OF(SSL_CIPHER) *ciphers;
	int tls12 = 0, tls13 = 0;

	assert_int_equal(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
	assert_int_equal(SSL_CTX_get_options(ctx) & opts, opts);
	assert_true(SSL_CTX_get_session_cache_mode(ctx) & SSL_SESS_CACHE_SERVER);

	ssl = SSL_new(ctx);
	assert_non_null(ssl);
	ciphers = SSL_get_ciphers(ssl); /* borrowed */
	assert_non_null(ciphers);
	for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); i++) {
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(ciphers, i);
		int kx = SSL_CIPHER_get_kx_nid(c);

		if (kx == NID_kx_any) {
			tls13++; /* TLS 1.3: key exchange is negotiated separately */
		} else {
			if (kx != NID_kx_ecdhe)
				fail_msg("non-ecdhe cipher offered: %s", SSL_CIPHER_get_name(c));
			tls12++;
		}
		if (SSL_CIPHER_is_aead(c) != 1)
			fail_msg("non-aead cipher offered: %s", SSL_CIPHER_get_name(c));
	}
	assert_int_equal(tls12, 6);
	assert_true(tls13 >= 2);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
}

static void test_ctx_setup_missing_key(void **state)
{
	struct fx *f = *state;
	char missing[PATH_MAX];
	SSL_CTX *ctx;

	assert_int_equal(ensure(f, f->certdir), 0);
	snprintf(missing, sizeof(missing), "%s/no-such-key.pem", f->dir);
	ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(ctx);
	assert_true(tls_ctx_setup(ctx, f->cert, missing, f->err, sizeof(f->err)) < 0);
	assert_non_null(strstr(f->err, missing));
	assert_int_equal(ERR_peek_error(), 0);

	snprintf(missing, sizeof(missing), "%s/no-such-cert.pem", f->dir);
	assert_true(tls_ctx_setup(ctx, missing, f->key, f->err, sizeof(f->err)) < 0);
	assert_non_null(strstr(f->err, missing));
	assert_int_equal(ERR_peek_error(), 0);
	SSL_CTX_free(ctx);
}

static void test_ctx_setup_mismatched_key(void **state)
{
	struct fx *f = *state;
	char other[PATH_MAX], cert[PATH_MAX];
	SSL_CTX *ctx;

	assert_int_equal(ensure(f, f->certdir), 0);
	snprintf(cert, sizeof(cert), "%s", f->cert);
	snprintf(other, sizeof(other), "%s/other", f->dir);
	assert_int_equal(ensure(f, other), 0);

	ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(ctx);
	assert_true(tls_ctx_setup(ctx, cert, f->key, f->err, sizeof(f->err)) < 0);
	assert_non_null(strstr(f->err, f->key));
	assert_non_null(strstr(f->err, "does not match"));
	assert_int_equal(ERR_peek_error(), 0);
	SSL_CTX_free(ctx);
}

struct server_side {
	SSL_CTX *ctx;
	int fd;
	int rc;
};

static void *server_run(void *arg)
{
	struct server_side *s = arg;
	SSL *ssl = SSL_new(s->ctx);

	s->rc = -1;
	if (ssl != NULL && SSL_set_fd(ssl, s->fd) == 1)
		s->rc = SSL_accept(ssl);
	SSL_free(ssl);
	ERR_clear_error(); /* this thread's queue */
	return NULL;
}

/* Runs one handshake over a socketpair, server side in a thread; every
 * read and write times out, so a stuck peer cannot hang the test. */
static bool handshake(SSL_CTX *sctx, SSL_CTX *cctx)
{
	const struct timeval tv = {.tv_sec = HANDSHAKE_TIMEOUT_SECS};
	struct server_side srv = {.ctx = sctx, .fd = -1, .rc = -1};
	pthread_t tid;
	SSL *ssl;
	int sv[2], crc = -1;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(setsockopt(sv[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
		assert_int_equal(setsockopt(sv[i], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
	}
	srv.fd = sv[0];
	assert_int_equal(pthread_create(&tid, NULL, server_run, &srv), 0);

	ssl = SSL_new(cctx);
	if (ssl != NULL && SSL_set_fd(ssl, sv[1]) == 1)
		crc = SSL_connect(ssl);
	/* On failure the server may still wait for input: end of file frees it. */
	if (crc != 1)
		shutdown(sv[1], SHUT_RDWR);
	assert_int_equal(pthread_join(tid, NULL), 0);
	SSL_free(ssl);
	ERR_clear_error();
	close(sv[0]);
	close(sv[1]);
	return crc == 1 && srv.rc == 1;
}

static SSL_CTX *client_ctx(int max_version, const char *ciphers)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	assert_non_null(ctx);
	if (max_version != 0)
		assert_int_equal(SSL_CTX_set_max_proto_version(ctx, max_version), 1);
	if (ciphers != NULL)
		assert_int_equal(SSL_CTX_set_cipher_list(ctx, ciphers), 1);
	return ctx;
}

static void test_handshake_modern_client_accepted(void **state)
{
	struct fx *f = *state;
	SSL_CTX *sctx = server_ctx(f);
	SSL_CTX *any = client_ctx(0, NULL);
	SSL_CTX *tls12 = client_ctx(TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256");

	assert_true(handshake(sctx, any));
	assert_true(handshake(sctx, tls12));
	SSL_CTX_free(tls12);
	SSL_CTX_free(any);
	SSL_CTX_free(sctx);
}

/*
 * AES128-SHA needs an RSA certificate, so the server here gets one: the
 * plain context (OpenSSL defaults) accepts the suite, proving the client is
 * able to use it, and the same certificate after tls_ctx_setup refuses it.
 */
static void test_handshake_aes128_sha_refused(void **state)
{
	struct fx *f = *state;
	char cert[PATH_MAX], key[PATH_MAX];
	EVP_PKEY *rsa = EVP_RSA_gen(2048);
	X509 *x;
	SSL_CTX *plain, *ours, *client;

	assert_non_null(rsa);
	x = make_cert(rsa, 3600);
	snprintf(cert, sizeof(cert), "%s/rsa-cert.pem", f->dir);
	snprintf(key, sizeof(key), "%s/rsa-key.pem", f->dir);
	cert_write(cert, x);
	key_write(key, rsa);
	X509_free(x);
	EVP_PKEY_free(rsa);

	plain = SSL_CTX_new(TLS_server_method());
	assert_non_null(plain);
	assert_int_equal(SSL_CTX_use_certificate_chain_file(plain, cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey_file(plain, key, SSL_FILETYPE_PEM), 1);
	ours = SSL_CTX_new(TLS_server_method());
	assert_non_null(ours);
	assert_int_equal(tls_ctx_setup(ours, cert, key, f->err, sizeof(f->err)), 0);
	client = client_ctx(TLS1_2_VERSION, "AES128-SHA");

	assert_true(handshake(plain, client));
	assert_false(handshake(ours, client));

	SSL_CTX_free(client);
	SSL_CTX_free(ours);
	SSL_CTX_free(plain);
}

/* The same with the dev certificate: ECDHE alone is not enough, CBC is out. */
static void test_handshake_ecdhe_cbc_refused(void **state)
{
	struct fx *f = *state;
	SSL_CTX *ours = server_ctx(f);
	SSL_CTX *plain = SSL_CTX_new(TLS_server_method());
	SSL_CTX *client = client_ctx(TLS1_2_VERSION, "ECDHE-ECDSA-AES128-SHA");

	assert_non_null(plain);
	assert_int_equal(SSL_CTX_use_certificate_chain_file(plain, f->cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey_file(plain, f->key, SSL_FILETYPE_PEM), 1);

	assert_true(handshake(plain, client));
	assert_false(handshake(ours, client));

	SSL_CTX_free(client);
	SSL_CTX_free(plain);
	SSL_CTX_free(ours);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dev_cert_created, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev_cert_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev_cert_corrupt_regenerated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev_cert_mismatch_regenerated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev_cert_expiring_regenerated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev_cert_loose_key_mode_regenerated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dev_cert_contents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev_cert_bad_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctx_setup_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctx_setup_missing_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctx_setup_mismatched_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handshake_modern_client_accepted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_handshake_aes128_sha_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handshake_ecdhe_cbc_refused, setup, teardown),
	};

	/* A peer that hangs up mid-handshake must fail the write, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
