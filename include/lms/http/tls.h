/* tls.h - TLS set-up for the HTTPS listener, and the development certificate */
#ifndef LMS_HTTP_TLS_H
#define LMS_HTTP_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

/*
 * Makes sure dir holds a self-signed development certificate and key
 * ("dev-cert.pem", "dev-key.pem") for localhost, 127.0.0.1 and ::1: an EC
 * P-256 key and a one-year certificate signed with SHA-256. dir is created
 * like mkdir -p (new components mode 0700). Both files are generated again,
 * with the OpenSSL API, when either is missing or unreadable, when they do
 * not match, when the key file is accessible to group or others, or when
 * the certificate expires within a day; otherwise they are left as they
 * are. Each file is replaced through a rename, and the key file is mode 0600.
 * Writes the two paths into cert_path and key_path (caller's buffers).
 * Returns 0, or a negative lms_err with a message in err.
 */
int tls_dev_cert_ensure(const char *dir, char *cert_path, size_t cert_len, char *key_path,
			size_t key_len, char *err, size_t errlen);

/*
 * Configures ctx (created by CivetWeb; borrowed) for the HTTPS listener: the
 * certificate chain and key from the two PEM files, TLS 1.2 minimum,
 * ECDHE key exchange with AEAD ciphers only on TLS 1.2, the default TLS 1.3
 * suites, no compression, no renegotiation, server cipher preference, a
 * session id context and the server session cache. Meant for CivetWeb's
 * init_ssl callback, which returns 1 on success so CivetWeb loads nothing.
 * Returns 0, or a negative lms_err with a message naming the file and the
 * OpenSSL reason in err; the OpenSSL error queue is left empty on failure.
 */
int tls_ctx_setup(SSL_CTX *ctx, const char *cert_path, const char *key_path, char *err,
		  size_t errlen);

#endif
