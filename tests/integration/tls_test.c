/* tls_test.c - integration: real HTTPS (versions, ciphers, certificate, load, redirect port) */
#include "harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define DB_NAME "it_tls"
#define KEEPALIVE_REQUESTS 1000
#define CLIENTS 50
#define REQUESTS_PER_CLIENT 4
/* Upper bound on any single plain-TCP exchange with the redirect port. */
#define PLAIN_TIMEOUT_MS 5000

struct fixture {
	struct lms_server server;   /* HTTPS only */
	struct lms_server redirect; /* HTTPS plus a plain-HTTP redirect port */
	int http_port;
	char conninfo[1024];
};

static struct fixture fx;

static int group_setup(void **state)
{
	char env_port[48];
	const char *env_redirect[] = {env_port, NULL};

	if (harness_db_create(DB_NAME, fx.conninfo, sizeof(fx.conninfo)) != 0 ||
	    harness_migrate(fx.conninfo) != 0)
		return -1;
	if (harness_server_start(&fx.server, fx.conninfo, NULL) != 0)
		return -1;
	fx.http_port = harness_free_port();
	snprintf(env_port, sizeof(env_port), "LMS_HTTP_PORT=%d", fx.http_port);
	if (fx.http_port < 0 ||
	    harness_server_start(&fx.redirect, fx.conninfo, env_redirect) != 0) {
		/* No teardown after a failed setup: stop the first one here. */
		harness_server_stop(&fx.server);
		return -1;
	}
	*state = &fx;
	return 0;
}

static int group_teardown(void **state)
{
	int rc_server, rc_redirect;

	(void)state;
	/* Non-zero means a server crashed or a sanitizer reported. */
	rc_server = harness_server_stop(&fx.server);
	rc_redirect = harness_server_stop(&fx.redirect);
	assert_int_equal(rc_server, 0);
	assert_int_equal(rc_redirect, 0);
	return 0;
}

static void expect_healthz_ok(struct lms_server *s)
{
	struct http_result r = {0};

	assert_int_equal(harness_request(s, "GET", "/healthz", NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"status\":\"ok\""));
	http_result_release(&r);
}

/* ---- protocol versions ---- */

static void test_tls10_refused(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(harness_tls_handshake(&f->server, TLS1_VERSION, TLS1_VERSION, NULL), 0);
}

static void test_tls11_refused(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(harness_tls_handshake(&f->server, TLS1_1_VERSION, TLS1_1_VERSION, NULL),
			 0);
}

static void test_tls12_accepted(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(harness_tls_handshake(&f->server, TLS1_2_VERSION, TLS1_2_VERSION, NULL),
			 1);
}

static void test_tls13_accepted(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(harness_tls_handshake(&f->server, TLS1_3_VERSION, TLS1_3_VERSION, NULL),
			 1);
}

/* A client that offers everything from TLS 1.0 up still gets a modern
 * protocol: the refusal above is not a refusal of old-capable clients. */
static void test_tls_range_negotiates_up(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(harness_tls_handshake(&f->server, TLS1_VERSION, TLS1_3_VERSION, NULL), 1);
}

/* ---- TLS 1.2 cipher suites ---- */

static int tls12_with(const struct lms_server *s, const char *cipher)
{
	return harness_tls_handshake(s, TLS1_2_VERSION, TLS1_2_VERSION, cipher);
}

/* Static RSA key exchange, CBC, SHA-1 MAC: no forward secrecy. */
static void test_cipher_aes128_sha_refused(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(tls12_with(&f->server, "AES128-SHA"), 0);
}

/* ECDHE but CBC with a SHA-1 MAC: the suite matches the ECDSA dev
 * certificate, so only the server's cipher list can refuse it. */
static void test_cipher_ecdhe_cbc_refused(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(tls12_with(&f->server, "ECDHE-ECDSA-AES128-SHA"), 0);
	assert_int_equal(tls12_with(&f->server, "ECDHE-ECDSA-AES256-SHA384"), 0);
}

static void test_cipher_ecdhe_gcm_accepted(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(tls12_with(&f->server, "ECDHE-ECDSA-AES128-GCM-SHA256"), 1);
	assert_int_equal(tls12_with(&f->server, "ECDHE-ECDSA-CHACHA20-POLY1305"), 1);
}

/* ---- requests ---- */

/* The harness trusts only the server's own dev certificate and checks
 * the host name, so any successful request proves verification works. */
static void test_verified_request(void **state)
{
	struct fixture *f = *state;

	expect_healthz_ok(&f->server);
}

/*
 * A verifying handshake of our own: trusting cafile (NULL: the system's
 * store) and checking the name host or the address ip. Returns 1 when the
 * server's certificate was accepted, 0 when not, -1 on a local error.
 */
static int verified_handshake(const struct lms_server *s, const char *cafile, const char *host,
			      const char *ip)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {5, 0};
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	char sni[256];
	int fd = -1, rc = -1;

	if (!ctx)
		return -1;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if ((cafile ? SSL_CTX_load_verify_locations(ctx, cafile, NULL)
		    : SSL_CTX_set_default_verify_paths(ctx)) != 1)
		goto out;
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		goto out;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!(ssl = SSL_new(ctx)) || SSL_set_fd(ssl, fd) != 1)
		goto out;
	/* The macro takes a non-const pointer. */
	snprintf(sni, sizeof(sni), "%s", host ? host : "localhost");
	SSL_set_tlsext_host_name(ssl, sni);
	if ((host && SSL_set1_host(ssl, host) != 1) ||
	    (ip && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), ip) != 1))
		goto out;
	rc = SSL_connect(ssl) == 1 && SSL_get_verify_result(ssl) == X509_V_OK ? 1 : 0;
	if (rc == 1)
		SSL_shutdown(ssl);
out:
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

/* The dev certificate names localhost and 127.0.0.1 and nothing else, and
 * nobody trusts it who was not given it. */
static void test_certificate_names_and_trust(void **state)
{
	struct fixture *f = *state;
	const char *ca = f->server.cert_path;

	assert_int_equal(verified_handshake(&f->server, ca, "localhost", NULL), 1);
	assert_int_equal(verified_handshake(&f->server, ca, NULL, "127.0.0.1"), 1);
	assert_int_equal(verified_handshake(&f->server, ca, "evil.example", NULL), 0);
	assert_int_equal(verified_handshake(&f->server, ca, NULL, "10.1.2.3"), 0);
	assert_int_equal(verified_handshake(&f->server, NULL, "localhost", NULL), 0);
}

static void test_keepalive_thousand_requests(void **state)
{
	struct fixture *f = *state;
	long connects = 0;

	for (int i = 0; i < KEEPALIVE_REQUESTS; i++) {
		struct http_result r = {0};
		long n = 0;

		assert_int_equal(harness_request(&f->server, "GET", "/healthz", NULL, NULL, &r), 0);
		if (r.status != 200)
			fail_msg("request %d: status %ld", i, r.status);
		assert_non_null(strstr(r.body, "\"status\":\"ok\""));
		http_result_release(&r);
		/* New connections curl had to open for this transfer. */
		assert_int_equal(curl_easy_getinfo(f->server.curl, CURLINFO_NUM_CONNECTS, &n),
				 CURLE_OK);
		connects += n;
	}
	/* One connection at most (the first request may have to open it):
	 * the server keeps the connection alive. */
	assert_true(connects <= 1);
}

struct client {
	const struct lms_server *server;
	int ok;
	int failed;
	long last_status;
};

static void *client_run(void *arg)
{
	struct client *c = arg;

	for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
		struct http_result r = {0};

		if (harness_request_once(c->server, "GET", "/healthz", NULL, NULL, &r) == 0 &&
		    r.status == 200 && strstr(r.body, "\"status\":\"ok\""))
			c->ok++;
		else {
			c->failed++;
			c->last_status = r.status;
		}
		http_result_release(&r);
	}
	return NULL;
}

static void test_concurrent_clients(void **state)
{
	struct fixture *f = *state;
	struct client clients[CLIENTS];
	pthread_t threads[CLIENTS];
	int started = 0, ok = 0;

	memset(clients, 0, sizeof(clients));
	for (int i = 0; i < CLIENTS; i++) {
		clients[i].server = &f->server;
		if (pthread_create(&threads[i], NULL, client_run, &clients[i]) != 0)
			break;
		started++;
	}
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	assert_int_equal(started, CLIENTS);
	for (int i = 0; i < CLIENTS; i++) {
		if (clients[i].failed)
			fail_msg("client %d: %d of %d requests failed (last status %ld)", i,
				 clients[i].failed, REQUESTS_PER_CLIENT, clients[i].last_status);
		ok += clients[i].ok;
	}
	assert_int_equal(ok, CLIENTS * REQUESTS_PER_CLIENT);
	/* Still serving after the burst. */
	expect_healthz_ok(&f->server);
}

/* ---- optional plain-HTTP port: redirect only ---- */

/* Sends req over plain TCP and reads until the peer closes, the buffer is
 * full or PLAIN_TIMEOUT_MS pass. Returns bytes read (NUL-terminated) or -1. */
static int plain_exchange(int port, const char *req, char *out, size_t outlen)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	double deadline = harness_now() + PLAIN_TIMEOUT_MS / 1000.0;
	size_t used = 0, len = strlen(req), sent = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	while (sent < len) {
		ssize_t n = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
		if (n <= 0) {
			close(fd);
			return -1;
		}
		sent += (size_t)n;
	}
	while (used + 1 < outlen) {
		struct pollfd p = {fd, POLLIN, 0};
		int left = (int)((deadline - harness_now()) * 1000);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		n = recv(fd, out + used, outlen - used - 1, 0);
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	out[used] = '\0';
	close(fd);
	return (int)used;
}

/* Value of header name in a raw response head, or NULL. */
static const char *raw_header(const char *raw, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	const char *end = strstr(raw, "\r\n\r\n");

	for (const char *p = strstr(raw, "\r\n"); p && (!end || p < end); p = strstr(p, "\r\n")) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			size_t vl;

			while (*v == ' ' || *v == '\t')
				v++;
			vl = strcspn(v, "\r\n");
			snprintf(buf, len, "%.*s", (int)vl, v);
			return buf;
		}
	}
	return NULL;
}

/* The first answer of the plain port is a redirect to the HTTPS port. */
static void test_plain_http_redirects_to_https(void **state)
{
	struct fixture *f = *state;
	char raw[16384], loc[512], want[128], want_ip[128];
	int n, status;

	n = plain_exchange(f->http_port, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", raw,
			   sizeof(raw));
	if (n <= 0)
		fail_msg("no answer on the plain-HTTP port %d", f->http_port);
	status = harness_raw_status(raw);
	if (status < 300 || status > 399 || !raw_header(raw, "Location", loc, sizeof(loc)))
		fail_msg("plain GET /healthz: expected a 3xx with a Location, got:\n%s", raw);
	/* The host must be one that reaches this server: the one the client
	 * asked for, or the address the server listens on. */
	snprintf(want, sizeof(want), "https://localhost:%d/healthz", f->redirect.port);
	snprintf(want_ip, sizeof(want_ip), "https://127.0.0.1:%d/healthz", f->redirect.port);
	if (strcmp(loc, want) != 0 && strcmp(loc, want_ip) != 0)
		fail_msg("plain GET /healthz (Host: localhost): Location is \"%s\", "
			 "expected \"%s\" or \"%s\"",
			 loc, want, want_ip);
}

/* Whatever is asked in the clear, the answer is a redirect and no data. */
static void test_plain_http_serves_no_data(void **state)
{
	struct fixture *f = *state;
	static const char *const reqs[] = {
		"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n",
		"GET /healthz HTTP/1.0\r\n\r\n",
		"GET /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
		"HEAD /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n",
		"POST /api/v1/x HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
		"Content-Length: 2\r\n\r\n{}",
	};
	char raw[16384];

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		int n = plain_exchange(f->http_port, reqs[i], raw, sizeof(raw));
		int status = n > 0 ? harness_raw_status(raw) : -1;
		const char *body = strstr(raw, "\r\n\r\n");

		if (status < 300 || status > 399 || strstr(raw, "\"status\"") ||
		    strstr(raw, "lms_http_requests_total") || strstr(raw, "<!doctype") ||
		    strstr(raw, "<!DOCTYPE") || strstr(raw, "X-Request-Id"))
			fail_msg("plain request %zu: expected only a redirect, got:\n%s", i, raw);
		/* Nothing after the head either. */
		assert_non_null(body);
		assert_string_equal(body + 4, "");
	}
	/* The HTTPS side of that server answers as usual. */
	expect_healthz_ok(&f->redirect);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls10_refused),
		cmocka_unit_test(test_tls11_refused),
		cmocka_unit_test(test_tls12_accepted),
		cmocka_unit_test(test_tls13_accepted),
		cmocka_unit_test(test_tls_range_negotiates_up),
		cmocka_unit_test(test_cipher_aes128_sha_refused),
		cmocka_unit_test(test_cipher_ecdhe_cbc_refused),
		cmocka_unit_test(test_cipher_ecdhe_gcm_accepted),
		cmocka_unit_test(test_verified_request),
		cmocka_unit_test(test_certificate_names_and_trust),
		cmocka_unit_test(test_keepalive_thousand_requests),
		cmocka_unit_test(test_concurrent_clients),
		cmocka_unit_test(test_plain_http_redirects_to_https),
		cmocka_unit_test(test_plain_http_serves_no_data),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
