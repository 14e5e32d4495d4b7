/* ssl_compat.c - SSL_get_peer_certificate for CivetWeb builds made against OpenSSL 1.1 */

/*
 * Debian 12's CivetWeb 1.15 dlopen()s "libssl.so" at run time and looks up
 * every function it uses with dlsym(). It was built for the OpenSSL 1.1 API,
 * so one of the names it asks for is SSL_get_peer_certificate, which OpenSSL
 * 3 no longer exports (it is only a macro for SSL_get1_peer_certificate), and
 * CivetWeb then crashes on every HTTPS connection.
 *
 * This file is built as our own libssl.so, linked against the real
 * libssl.so.3 and libcrypto.so.3 and found first through the lms executable's
 * DT_RPATH. dlsym() on a dlopen() handle searches the handle's dependencies
 * too, so every other SSL_* name still comes from the real libssl; only the
 * old name is added here.
 */
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* OpenSSL 3 headers turn the old name into the new one; we need the symbol. */
#undef SSL_get_peer_certificate

X509 *SSL_get_peer_certificate(const SSL *ssl);

/* OpenSSL 1.1's function returned a new reference, which CivetWeb frees with
 * X509_free(); get1 has the same contract. */
__attribute__((visibility("default"))) X509 *SSL_get_peer_certificate(const SSL *ssl)
{
	return SSL_get1_peer_certificate(ssl);
}
