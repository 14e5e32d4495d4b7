/* http_test.c - integration: HTTP layer (headers, errors, limits, framing, static, ops) */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DB_NAME "it_http"
/* The small server's body limit: cheap to exceed. */
#define SMALL_LIMIT 2048
/* harness_raw_tls gives up after 5 s; a server that answers and closes
 * must be done long before that. */
#define PROMPT_SECS 2.5
#define RAW_MAX (1 << 18)
#define SCAN_MAX_DEPTH 4
#define SCAN_MAX_DIRS 16

struct fixture {
	struct lms_server server; /* defaults, static/ of the source tree */
	struct lms_server small;  /* LMS_MAX_BODY_BYTES=2048, fixture static dir */
	char conninfo[1024];
	char static_dir[64];      /* the small server's static fixture */
};

static struct fixture fx;
static char raw[RAW_MAX]; /* reply of the last raw exchange */

/* ---- static fixture for the small server ---- */

static const struct {
	const char *path;
	const char *content;
	mode_t mode;
} fixture_files[] = {
	{"index.html", "<!doctype html><title>fixture</title>\n", 0644},
	{"style.css", "body { color: #000 }\n", 0644},
	{"app.js", "console.log(1);\n", 0644},
	{".hidden", "HIDDEN-MARKER\n", 0644},
	{".env", "SECRET=ENV-MARKER\n", 0644},
	{".git/config", "[core] GIT-MARKER\n", 0644},
	{"sub/inner.txt", "INNER-MARKER\n", 0644},
	{"x.cgi", "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho CGI-EXECUTED-$((6*7))\n",
	 0755},
};
static const char *const fixture_dirs[] = {".git", "sub"};
static const struct {
	const char *path;
	const char *target;
} fixture_links[] = {
	{"passwd-link", "/etc/passwd"},
	{"etc-link", "/etc"},
};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static int write_file(const char *path, const char *content, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(content);
	int rc = -1;

	if (fd < 0)
		return -1;
	if (write(fd, content, len) == (ssize_t)len && fchmod(fd, mode) == 0)
		rc = 0;
	close(fd);
	return rc;
}

static int fixture_create(char *dir)
{
	char path[PATH_MAX];

	snprintf(dir, 64, "/tmp/lms-it-static-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	for (size_t i = 0; i < NELEMS(fixture_dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, fixture_dirs[i]);
		if (mkdir(path, 0755) != 0)
			return -1;
	}
	for (size_t i = 0; i < NELEMS(fixture_files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, fixture_files[i].path);
		if (write_file(path, fixture_files[i].content, fixture_files[i].mode) != 0)
			return -1;
	}
	for (size_t i = 0; i < NELEMS(fixture_links); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, fixture_links[i].path);
		if (symlink(fixture_links[i].target, path) != 0)
			return -1;
	}
	return 0;
}

static void fixture_remove(const char *dir)
{
	char path[PATH_MAX];

	if (!dir[0])
		return;
	for (size_t i = 0; i < NELEMS(fixture_links); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, fixture_links[i].path);
		unlink(path);
	}
	for (size_t i = 0; i < NELEMS(fixture_files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, fixture_files[i].path);
		unlink(path);
	}
	for (size_t i = NELEMS(fixture_dirs); i-- > 0;) {
		snprintf(path, sizeof(path), "%s/%s", dir, fixture_dirs[i]);
		rmdir(path);
	}
	rmdir(dir);
}

/* ---- group setup ---- */

static int group_setup(void **state)
{
	char static_env[96];
	const char *small_env[] = {"LMS_MAX_BODY_BYTES=2048", static_env, NULL};

	if (harness_db_create(DB_NAME, fx.conninfo, sizeof(fx.conninfo)) != 0 ||
	    harness_migrate(fx.conninfo) != 0 || harness_seed_demo(fx.conninfo) != 0)
		return -1;
	if (fixture_create(fx.static_dir) != 0) {
		fprintf(stderr, "cannot create the static fixture in %s: %s\n", fx.static_dir,
			strerror(errno));
		fixture_remove(fx.static_dir);
		return -1;
	}
	snprintf(static_env, sizeof(static_env), "LMS_STATIC_DIR=%s", fx.static_dir);
	if (harness_server_start(&fx.server, fx.conninfo, NULL) != 0) {
		fixture_remove(fx.static_dir);
		return -1;
	}
	if (harness_server_start(&fx.small, fx.conninfo, small_env) != 0) {
		/* No teardown after a failed setup: clean up here. */
		harness_server_stop(&fx.server);
		fixture_remove(fx.static_dir);
		return -1;
	}
	*state = &fx;
	return 0;
}

static int group_teardown(void **state)
{
	int rc_server, rc_small;

	(void)state;
	/* Non-zero means a server crashed or a sanitizer reported. */
	rc_server = harness_server_stop(&fx.server);
	rc_small = harness_server_stop(&fx.small);
	fixture_remove(fx.static_dir);
	assert_int_equal(rc_server, 0);
	assert_int_equal(rc_small, 0);
	return 0;
}

/* ---- helpers ---- */

/* Sends req over a new TLS connection into raw; returns the status of the
 * first response (-1 when none) and the time until the server closed. */
static int raw_send(const struct lms_server *s, const void *req, size_t len, double *secs)
{
	double start = harness_now();
	int n = harness_raw_tls(s, req, len, raw, sizeof(raw));

	if (secs)
		*secs = harness_now() - start;
	if (n < 0)
		raw[0] = '\0';
	return n > 0 ? harness_raw_status(raw) : -1;
}

static int raw_str(const struct lms_server *s, const char *req, double *secs)
{
	return raw_send(s, req, strlen(req), secs);
}

/* A bodyless request for path, exactly as written, with extra header
 * lines (each ending in CRLF), the connection closed after. */
static int raw_request(const struct lms_server *s, const char *method, const char *path,
		       const char *extra)
{
	char req[PATH_MAX + 1024];

	if (snprintf(req, sizeof(req),
		     "%s %s HTTP/1.1\r\nHost: localhost\r\n%sConnection: close\r\n\r\n", method,
		     path, extra) >= (int)sizeof(req))
		fail_msg("request too long: %s %s", method, path);
	return raw_str(s, req, NULL);
}

/* The same without extra headers. */
static int raw_bare(const struct lms_server *s, const char *method, const char *path)
{
	return raw_request(s, method, path, "");
}

/* Body of the reply in raw, or "" when there is none. */
static const char *raw_body(void)
{
	const char *p = strstr(raw, "\r\n\r\n");

	return p ? p + 4 : "";
}

/* Header of the first response in raw (the head only). */
static const char *raw_header(const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	const char *end = strstr(raw, "\r\n\r\n");

	for (const char *p = strstr(raw, "\r\n"); p && end && p < end; p = strstr(p, "\r\n")) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			snprintf(buf, len, "%.*s", (int)strcspn(v, "\r\n"), v);
			return buf;
		}
	}
	return NULL;
}

/* Number of responses in raw: each starts with a status line. */
static int raw_responses(void)
{
	int n = 0;

	for (const char *p = raw; (p = strstr(p, "HTTP/1.")); p++)
		if (p == raw || p[-1] == '\n')
			n++;
	return n;
}

/* Signature of both header lookups: the curl result's and raw's. */
typedef const char *(*header_fn)(const void *src, const char *name, char *buf, size_t len);

static const char *result_header(const void *src, const char *name, char *buf, size_t len)
{
	return http_result_header(src, name, buf, len);
}

static const char *raw_header_fn(const void *src, const char *name, char *buf, size_t len)
{
	(void)src;
	return raw_header(name, buf, len);
}

static bool is_request_id(const char *id)
{
	return strlen(id) == 16 && strspn(id, "0123456789abcdef") == 16;
}

/* Checks the security headers of one response and copies its request id. */
static void check_security_headers(const char *what, header_fn get, const void *src,
				   char id_out[17])
{
	char v[1024];

	if (!get(src, "Strict-Transport-Security", v, sizeof(v)) || !strstr(v, "max-age="))
		fail_msg("%s: Strict-Transport-Security missing or without max-age", what);
	if (!get(src, "X-Content-Type-Options", v, sizeof(v)) || strcasecmp(v, "nosniff") != 0)
		fail_msg("%s: X-Content-Type-Options is not nosniff", what);
	if (!get(src, "Referrer-Policy", v, sizeof(v)) || !v[0])
		fail_msg("%s: Referrer-Policy missing", what);
	if (!get(src, "Content-Security-Policy", v, sizeof(v)))
		fail_msg("%s: Content-Security-Policy missing", what);
	if (!strstr(v, "default-src 'self'") || !strstr(v, "frame-ancestors 'none'"))
		fail_msg("%s: Content-Security-Policy \"%s\" lacks default-src 'self' or "
			 "frame-ancestors 'none'",
			 what, v);
	if (!get(src, "X-Request-Id", v, sizeof(v)) || !is_request_id(v))
		fail_msg("%s: X-Request-Id missing or not 16 hex characters", what);
	if (id_out)
		snprintf(id_out, 17, "%.16s", v);
}

static void request_ok(struct lms_server *s, const char *method, const char *path,
		       const char *const *headers, const char *body, struct http_result *r)
{
	if (harness_request(s, method, path, headers, body, r) != 0) {
		http_result_release(r);
		fail_msg("%s %s: no response", method, path);
	}
}

/* Parses a problem+json body and checks its members. */
static void check_problem(const struct http_result *r, long status, const char *code)
{
	char ct[256];
	json_error_t err;
	json_t *doc, *v;

	if (!http_result_header(r, "Content-Type", ct, sizeof(ct)) ||
	    strncmp(ct, "application/problem+json", 24) != 0)
		fail_msg("status %ld: Content-Type is not application/problem+json", r->status);
	if (!(doc = json_loadb(r->body, r->len, 0, &err)))
		fail_msg("problem body is not JSON: %s: %s", err.text, r->body);
	assert_true(json_is_string(json_object_get(doc, "type")));
	assert_true(json_is_string(json_object_get(doc, "title")));
	assert_true(json_is_string(json_object_get(doc, "detail")));
	v = json_object_get(doc, "status");
	assert_true(json_is_integer(v));
	assert_int_equal(json_integer_value(v), status);
	v = json_object_get(doc, "code");
	assert_true(json_is_string(v));
	if (code && strcmp(json_string_value(v), code) != 0)
		fail_msg("problem code is \"%s\", expected \"%s\"", json_string_value(v), code);
	json_decref(doc);
}

static char *read_whole_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1))) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* ---- security headers ---- */

static void test_security_headers_on_every_response(void **state)
{
	struct fixture *f = *state;
	const char *json_hdr[] = {"Content-Type: application/json", NULL};
	char ids[7][17], etag[256], inm[300];
	const char *inm_hdr[] = {inm, NULL};
	struct http_result r = {0};
	int n = 0;

	request_ok(&f->server, "GET", "/healthz", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	check_security_headers("200 json", result_header, &r, ids[n++]);
	http_result_release(&r);

	request_ok(&f->server, "GET", "/api/v1/no-such-thing", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	check_security_headers("404 problem", result_header, &r, ids[n++]);
	http_result_release(&r);

	request_ok(&f->server, "POST", "/healthz", json_hdr, "{}", &r);
	assert_int_equal(r.status, 405);
	check_security_headers("405", result_header, &r, ids[n++]);
	http_result_release(&r);

	request_ok(&f->server, "GET", "/", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	check_security_headers("static html", result_header, &r, ids[n++]);
	assert_non_null(http_result_header(&r, "ETag", etag, sizeof(etag)));
	http_result_release(&r);

	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	request_ok(&f->server, "GET", "/", inm_hdr, NULL, &r);
	assert_int_equal(r.status, 304);
	check_security_headers("304", result_header, &r, ids[n++]);
	http_result_release(&r);

	/* Bodyless methods other than GET and HEAD go over raw TLS: the
	 * harness's curl client would send them with a chunked body. */
	assert_int_equal(raw_bare(&f->server, "OPTIONS", "/healthz"), 204);
	check_security_headers("204 options", raw_header_fn, NULL, ids[n++]);

	/* An error CivetWeb itself detects goes through our reply too. */
	assert_int_equal(raw_str(&f->server, "GARBAGE\r\n\r\n", NULL), 400);
	check_security_headers("400 from the parser", raw_header_fn, NULL, ids[n++]);

	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(ids[i], ids[j]) == 0)
				fail_msg("responses %d and %d share X-Request-Id %s", i, j, ids[i]);
}

/* ---- routing errors ---- */

static void test_unknown_api_path_is_problem_404(void **state)
{
	struct fixture *f = *state;
	struct http_result r = {0};

	request_ok(&f->server, "GET", "/api/v1/no-such-thing", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	check_problem(&r, 404, "not_found");
	http_result_release(&r);

	/* /api/ is never handed to the static files. */
	request_ok(&f->server, "GET", "/api/index.html", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	check_problem(&r, 404, "not_found");
	http_result_release(&r);
}

static void test_method_not_allowed(void **state)
{
	struct fixture *f = *state;
	const char *json_hdr[] = {"Content-Type: application/json", NULL};
	struct http_result r = {0};
	char allow[128];

	request_ok(&f->server, "POST", "/healthz", json_hdr, "{}", &r);
	assert_int_equal(r.status, 405);
	check_problem(&r, 405, "method_not_allowed");
	assert_non_null(http_result_header(&r, "Allow", allow, sizeof(allow)));
	assert_string_equal(allow, "GET, HEAD");
	http_result_release(&r);

	assert_int_equal(raw_bare(&f->server, "DELETE", "/metrics"), 405);
	assert_non_null(raw_header("Allow", allow, sizeof(allow)));
	assert_string_equal(allow, "GET, HEAD");
}

static void check_no_cors(header_fn get, const void *src, const char *what)
{
	static const char *const names[] = {
		"Access-Control-Allow-Origin", "Access-Control-Allow-Methods",
		"Access-Control-Allow-Headers", "Access-Control-Allow-Credentials",
	};
	char v[256];

	for (size_t i = 0; i < NELEMS(names); i++)
		if (get(src, names[i], v, sizeof(v)))
			fail_msg("%s: answered with %s: %s", what, names[i], v);
}

static void test_options_without_cors(void **state)
{
	struct fixture *f = *state;
	static const char preflight[] = "Origin: https://evil.example\r\n"
					"Access-Control-Request-Method: POST\r\n"
					"Access-Control-Request-Headers: content-type\r\n";
	const char *origin[] = {"Origin: https://evil.example", NULL};
	struct http_result r = {0};
	char allow[128];
	int status;

	/* OPTIONS over raw TLS: see test_security_headers_on_every_response. */
	assert_int_equal(raw_request(&f->server, "OPTIONS", "/healthz", preflight), 204);
	assert_non_null(raw_header("Allow", allow, sizeof(allow)));
	assert_non_null(strstr(allow, "GET"));
	assert_null(strstr(allow, "POST"));
	check_no_cors(raw_header_fn, NULL, "OPTIONS /healthz preflight");

	assert_int_equal(raw_request(&f->server, "OPTIONS", "/", preflight), 204);
	assert_non_null(raw_header("Allow", allow, sizeof(allow)));
	check_no_cors(raw_header_fn, NULL, "OPTIONS / preflight");

	status = raw_request(&f->server, "OPTIONS", "/api/v1/anything", preflight);
	assert_true(status >= 200 && status < 500);
	check_no_cors(raw_header_fn, NULL, "OPTIONS /api/v1/anything preflight");

	request_ok(&f->server, "GET", "/healthz", origin, NULL, &r);
	assert_int_equal(r.status, 200);
	check_no_cors(result_header, &r, "cross-origin GET /healthz");
	http_result_release(&r);
}

/* ---- body limits ---- */

static void test_declared_length_over_limit(void **state)
{
	struct fixture *f = *state;
	double secs;
	int status;

	/* Declares 2 MB and sends none of it: the answer cannot wait for it. */
	status = raw_str(&f->server,
			 "POST /api/v1/anything HTTP/1.1\r\nHost: localhost\r\n"
			 "Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n",
			 &secs);
	if (status != 413)
		fail_msg("declared 2000000 bytes: expected 413, got %d after %.2f s:\n%s", status,
			 secs, raw);
	assert_non_null(strstr(raw_body(), "\"body_too_large\""));
	if (secs >= PROMPT_SECS)
		fail_msg("413 took %.2f s: the server waited for a body it refuses", secs);
}

/* Exactly at the limit passes (and reaches routing); one byte more is 413. */
static void test_declared_length_boundary(void **state)
{
	struct fixture *f = *state;
	char *req = malloc(SMALL_LIMIT + 512);
	int head, status;

	assert_non_null(req);
	for (int extra = 0; extra <= 1; extra++) {
		size_t body = SMALL_LIMIT + (size_t)extra;

		head = snprintf(req, 512,
				"POST /api/v1/anything HTTP/1.1\r\nHost: localhost\r\n"
				"Content-Type: application/json\r\nConnection: close\r\n"
				"Content-Length: %zu\r\n\r\n{\"a\":\"",
				body);
		memset(req + head, 'x', body - 8);
		memcpy(req + head + body - 8, "\"}", 2);
		status = raw_send(&f->small, req, (size_t)head + body - 6, NULL);
		if (status != (extra ? 413 : 404))
			fail_msg("Content-Length %zu with limit %d: expected %d, got %d:\n%s", body,
				 SMALL_LIMIT, extra ? 413 : 404, status, raw);
	}
	free(req);
}

/* Builds a chunked request of nchunks chunks of size bytes each, with or
 * without the terminating zero chunk. Returns its length; *out is malloc'd. */
static size_t chunked_request(char **out, int nchunks, size_t size, bool terminate, bool close)
{
	size_t cap = 512 + (size_t)nchunks * (size + 16), len;
	char *req = malloc(cap);

	assert_non_null(req);
	len = (size_t)snprintf(req, cap,
			       "POST /api/v1/anything HTTP/1.1\r\nHost: localhost\r\n"
			       "Content-Type: application/json\r\n%s"
			       "Transfer-Encoding: chunked\r\n\r\n",
			       close ? "Connection: close\r\n" : "");
	for (int i = 0; i < nchunks; i++) {
		len += (size_t)snprintf(req + len, cap - len, "%zx\r\n", size);
		memset(req + len, 'x', size);
		len += size;
		memcpy(req + len, "\r\n", 2);
		len += 2;
	}
	if (terminate) {
		memcpy(req + len, "0\r\n\r\n", 5);
		len += 5;
	}
	*out = req;
	return len;
}

static void test_chunked_body_over_default_limit(void **state)
{
	struct fixture *f = *state;
	char *req;
	/* 70 chunks of 16 KiB: 1.1 MiB, over the default 1 MiB. */
	size_t len = chunked_request(&req, 70, 16384, true, false);
	double secs;
	int status = raw_send(&f->server, req, len, &secs);

	free(req);
	if (status != 413)
		fail_msg("chunked 1.1 MiB: expected 413, got %d after %.2f s:\n%.2000s", status,
			 secs, raw);
	assert_non_null(strstr(raw_body(), "\"body_too_large\""));
	assert_true(secs < PROMPT_SECS);
}

static void test_chunked_body_over_small_limit(void **state)
{
	struct fixture *f = *state;
	char *req;
	size_t len = chunked_request(&req, 8, 512, true, false);
	double secs;
	int status = raw_send(&f->small, req, len, &secs);

	free(req);
	if (status != 413)
		fail_msg("chunked 4 KiB, limit %d: expected 413, got %d after %.2f s:\n%s",
			 SMALL_LIMIT, status, secs, raw);
	assert_true(secs < PROMPT_SECS);
}

static void test_chunked_body_at_small_limit(void **state)
{
	struct fixture *f = *state;
	char *req;
	/* Four 512-byte chunks: exactly the limit, not JSON -> 400, not 413. */
	size_t len = chunked_request(&req, 4, 512, true, true);
	int status = raw_send(&f->small, req, len, NULL);

	free(req);
	if (status != 400 || !strstr(raw_body(), "\"invalid_request\""))
		fail_msg("chunked body of exactly %d bytes: expected 400 invalid_request (the "
			 "body is not JSON), got %d:\n%s",
			 SMALL_LIMIT, status, raw);
}

/*
 * The client has sent twice the limit in chunks and waits before sending
 * the rest: the server has all it needs to refuse and should say so now,
 * not wait for more of a body it will not accept.
 */
static void test_chunked_body_over_limit_answered_before_end(void **state)
{
	struct fixture *f = *state;
	char *req;
	size_t len = chunked_request(&req, 8, 512, false, false);
	double secs;
	int status = raw_send(&f->small, req, len, &secs);

	free(req);
	if (status != 413 || secs >= PROMPT_SECS)
		fail_msg("chunked: 4096 bytes sent (limit %d), body not yet finished: expected 413 "
			 "at once, got %d after %.2f s (the server keeps reading past the limit)",
			 SMALL_LIMIT, status, secs);
}

/* ---- content type and JSON ---- */

static void test_non_json_body_is_415(void **state)
{
	struct fixture *f = *state;
	const char *text[] = {"Content-Type: text/plain", NULL};
	const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	struct http_result r = {0};

	request_ok(&f->server, "POST", "/api/v1/anything", text, "hello", &r);
	assert_int_equal(r.status, 415);
	check_problem(&r, 415, "unsupported_media_type");
	http_result_release(&r);

	request_ok(&f->server, "PUT", "/api/v1/anything", form, "a=1", &r);
	assert_int_equal(r.status, 415);
	http_result_release(&r);
}

static void test_bad_json_is_400(void **state)
{
	struct fixture *f = *state;
	const char *json_hdr[] = {"Content-Type: application/json", NULL};
	static const struct {
		const char *what;
		const char *body;
	} cases[] = {
		{"truncated", "{"},
		{"invalid UTF-8 in a string", "{\"a\":\"\xc3\x28\"}"},
		{"overlong UTF-8 in a string", "{\"a\":\"\xc0\xae\"}"},
		{"duplicate keys", "{\"a\":1,\"a\":2}"},
		{"trailing garbage", "{} x"},
	};

	for (size_t i = 0; i < NELEMS(cases); i++) {
		struct http_result r = {0};

		request_ok(&f->server, "POST", "/api/v1/anything", json_hdr, cases[i].body, &r);
		if (r.status != 400)
			fail_msg("%s: expected 400, got %ld: %s", cases[i].what, r.status, r.body);
		check_problem(&r, 400, "invalid_request");
		http_result_release(&r);
	}
}

/* ---- framing (request smuggling) ---- */

/* The framing error closes the connection: the read ends promptly and the
 * request pipelined behind it is never answered. */
static void expect_framing_400(const struct lms_server *s, const char *what, const char *req)
{
	double secs;
	int status = raw_str(s, req, &secs);

	if (status != 400)
		fail_msg("%s: expected 400, got %d:\n%s", what, status, raw);
	if (raw_responses() != 1 || strstr(raw, "\"status\":\"ok\"") || strstr(raw, "lms_http"))
		fail_msg("%s: the pipelined request was answered too:\n%s", what, raw);
	if (secs >= PROMPT_SECS)
		fail_msg("%s: the server kept the connection open (%.2f s)", what, secs);
}

static void test_content_length_and_transfer_encoding(void **state)
{
	struct fixture *f = *state;

	expect_framing_400(&f->server, "CL then TE",
			   "POST /api/v1/anything HTTP/1.1\r\nHost: localhost\r\n"
			   "Content-Type: application/json\r\nContent-Length: 5\r\n"
			   "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
			   "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
	expect_framing_400(&f->server, "TE then CL",
			   "POST /api/v1/anything HTTP/1.1\r\nHost: localhost\r\n"
			   "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
			   "Content-Length: 44\r\n\r\n0\r\n\r\n"
			   "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
	expect_framing_400(&f->server, "GET with CL and TE",
			   "GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
			   "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
			   "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
}

static void test_duplicate_content_length(void **state)
{
	struct fixture *f = *state;

	expect_framing_400(&f->server, "two equal Content-Length",
			   "POST /api/v1/anything HTTP/1.1\r\nHost: localhost\r\n"
			   "Content-Type: application/json\r\nContent-Length: 2\r\n"
			   "Content-Length: 2\r\n\r\n{}"
			   "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
	expect_framing_400(&f->server, "two different Content-Length",
			   "POST /api/v1/anything HTTP/1.1\r\nHost: localhost\r\n"
			   "Content-Type: application/json\r\nContent-Length: 2\r\n"
			   "Content-Length: 45\r\n\r\n{}"
			   "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
	expect_framing_400(&f->server, "Content-Length not a number",
			   "POST /api/v1/anything HTTP/1.1\r\nHost: localhost\r\n"
			   "Content-Type: application/json\r\nContent-Length: +2\r\n\r\n{}"
			   "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
}

static void test_unsupported_transfer_encoding(void **state)
{
	struct fixture *f = *state;

	expect_framing_400(&f->server, "Transfer-Encoding: gzip",
			   "POST /api/v1/anything HTTP/1.1\r\nHost: localhost\r\n"
			   "Content-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n"
			   "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
	expect_framing_400(&f->server, "two Transfer-Encoding headers",
			   "POST /api/v1/anything HTTP/1.1\r\nHost: localhost\r\n"
			   "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
			   "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
			   "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
}

/* ---- paths ---- */

static void test_control_characters_in_path(void **state)
{
	struct fixture *f = *state;
	static const char *const paths[] = {
		"/index.html%00.txt", "/a%0d%0aSet-Cookie:x", "/%7f", "/%zz", "/%c0%ae",
		"/%", "/%0a", "/healthz%00", "/%ed%a0%80",
	};

	for (size_t i = 0; i < NELEMS(paths); i++) {
		int status = raw_bare(&f->server, "GET", paths[i]);

		if (status != 400)
			fail_msg("GET %s: expected 400, got %d:\n%s", paths[i], status, raw);
		if (strstr(raw, "Set-Cookie"))
			fail_msg("GET %s: a header was injected:\n%s", paths[i], raw);
	}
}

static void test_malformed_requests_get_4xx(void **state)
{
	struct fixture *f = *state;
	static const char *const reqs[] = {
		"GARBAGE\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: localhost\r\nNoColonHere\r\n\r\n",
		"GET healthz HTTP/1.1\r\nHost: localhost\r\n\r\n",
		"get /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n",
		"GET /healthz HTTP/9.9\r\nHost: localhost\r\n\r\n",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
		"\r\n\r\n\r\n\r\n",
	};

	for (size_t i = 0; i < NELEMS(reqs); i++) {
		int status = raw_str(&f->server, reqs[i], NULL);

		/* 505 is the apt answer to an unknown HTTP version. */
		if ((status < 400 || status > 499) && status != 505)
			fail_msg("malformed request %zu: expected 4xx, got %d:\n%s", i, status,
				 raw);
	}
	/* Still serving. */
	assert_int_equal(raw_bare(&f->server, "GET", "/healthz"), 200);
}

/* ---- static files ---- */

struct static_scan {
	char css[PATH_MAX];
	char js[PATH_MAX];
	char dirs[SCAN_MAX_DIRS][PATH_MAX];
	int ndirs;
};

static struct static_scan scan;

static bool url_safe(const char *name)
{
	return name[0] != '.' &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
		       strlen(name);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* Walks root/rel (bounded depth), noting the first .css and .js file and
 * the subdirectories, as URL paths. */
static void scan_static(const char *root, const char *rel, int depth)
{
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s%s", root, rel);
	if (depth > SCAN_MAX_DEPTH || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX], url[PATH_MAX];
		struct stat st;

		if (!url_safe(e->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
		    snprintf(url, sizeof(url), "%s/%s", rel, e->d_name) >= (int)sizeof(url) - 1 ||
		    lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (scan.ndirs < SCAN_MAX_DIRS)
				snprintf(scan.dirs[scan.ndirs++], PATH_MAX, "%s", url);
			scan_static(root, url, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			if (!scan.css[0] && ends_with(e->d_name, ".css"))
				snprintf(scan.css, sizeof(scan.css), "%s", url);
			else if (!scan.js[0] && ends_with(e->d_name, ".js"))
				snprintf(scan.js, sizeof(scan.js), "%s", url);
		}
	}
	closedir(d);
}

/* GET url serves the file root/url with a type starting with type. */
static void expect_static_file(struct lms_server *s, const char *root, const char *url,
			       const char *file, const char *type)
{
	char path[PATH_MAX * 2], ct[256];
	struct http_result r = {0};
	size_t len = 0;
	char *want;

	snprintf(path, sizeof(path), "%s%s", root, file);
	want = read_whole_file(path, &len);
	assert_non_null(want);
	request_ok(s, "GET", url, NULL, NULL, &r);
	if (r.status != 200)
		fail_msg("GET %s: expected 200, got %ld", url, r.status);
	if (!http_result_header(&r, "Content-Type", ct, sizeof(ct)) ||
	    strncasecmp(ct, type, strlen(type)) != 0)
		fail_msg("GET %s: Content-Type \"%s\", expected %s", url, ct, type);
	check_security_headers(url, result_header, &r, NULL);
	if (r.len != len || memcmp(r.body, want, len) != 0)
		fail_msg("GET %s: body (%zu bytes) differs from %s (%zu bytes)", url, r.len, path,
			 len);
	free(want);
	http_result_release(&r);
}

/* GET url serves the source tree's index.html as static.c writes it out:
 * an import map and versioned URLs, its hash in the CSP, no caching. */
static void expect_index_versioned(struct lms_server *s, const char *url)
{
	char ct[256], cc[256], csp[1024];
	struct http_result r = {0};

	request_ok(s, "GET", url, NULL, NULL, &r);
	if (r.status != 200)
		fail_msg("GET %s: expected 200, got %ld", url, r.status);
	assert_non_null(http_result_header(&r, "Content-Type", ct, sizeof(ct)));
	assert_string_equal(ct, "text/html; charset=utf-8");
	check_security_headers(url, result_header, &r, NULL);
	assert_non_null(http_result_header(&r, "Cache-Control", cc, sizeof(cc)));
	assert_string_equal(cc, "no-cache");
	assert_non_null(http_result_header(&r, "Content-Security-Policy", csp, sizeof(csp)));
	if (!strstr(csp, "script-src 'self' 'sha256-"))
		fail_msg("GET %s: the CSP does not allow the import map by its hash: %s", url, csp);
	if (!r.body || !strstr(r.body, "<script type=\"importmap\">{\"imports\":{") ||
	    !strstr(r.body, "src=\"/js/main.js?v=") || !strstr(r.body, "rel=\"modulepreload\""))
		fail_msg("GET %s: no import map, versioned main.js or preloads in:\n%.1500s", url,
			 r.body ? r.body : "");
	http_result_release(&r);
}

static void test_static_index(void **state)
{
	struct fixture *f = *state;

	expect_index_versioned(&f->server, "/");
	expect_index_versioned(&f->server, "/index.html");
	/* The fixture server serves its own directory. */
	expect_static_file(&f->small, f->static_dir, "/", "/index.html",
			   "text/html; charset=utf-8");
}

static void test_static_types(void **state)
{
	struct fixture *f = *state;
	char root[PATH_MAX];

	snprintf(root, sizeof(root), "%s/static", harness_source_dir());
	memset(&scan, 0, sizeof(scan));
	scan_static(root, "", 0);
	if (scan.css[0])
		expect_static_file(&f->server, root, scan.css, scan.css, "text/css");
	else
		print_message("static/ has no .css file yet: type checked on the fixture only\n");
	if (scan.js[0])
		expect_static_file(&f->server, root, scan.js, scan.js, "text/javascript");
	else
		print_message("static/ has no .js file yet: type checked on the fixture only\n");
	expect_static_file(&f->small, f->static_dir, "/style.css", "/style.css", "text/css");
	expect_static_file(&f->small, f->static_dir, "/app.js", "/app.js", "text/javascript");
	expect_static_file(&f->small, f->static_dir, "/sub/inner.txt", "/sub/inner.txt",
			   "text/plain");
}

static void test_etag_not_modified(void **state)
{
	struct fixture *f = *state;
	char etag[256], etag2[256], inm[300];
	const char *inm_hdr[] = {inm, NULL};
	const char *stale_hdr[] = {"If-None-Match: \"0-0\"", NULL};
	struct http_result r = {0};

	request_ok(&f->server, "GET", "/", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(http_result_header(&r, "ETag", etag, sizeof(etag)));
	assert_true(etag[0] == '"' || !strncmp(etag, "W/\"", 3));
	http_result_release(&r);

	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	request_ok(&f->server, "GET", "/", inm_hdr, NULL, &r);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.len, 0);
	assert_non_null(http_result_header(&r, "ETag", etag2, sizeof(etag2)));
	assert_string_equal(etag, etag2);
	http_result_release(&r);

	request_ok(&f->server, "GET", "/", stale_hdr, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(r.len > 0);
	http_result_release(&r);

	/* "*" (any version), a list, weak tags, and HEAD alike. */
	{
		char list[300], weak[300];
		const char *const hdrs[] = {"If-None-Match: *", list, weak};

		snprintf(list, sizeof(list), "If-None-Match: \"0-0\" , %s", etag);
		snprintf(weak, sizeof(weak), "If-None-Match: W/%s", etag);
		for (size_t i = 0; i < 6; i++) {
			const char *one[] = {hdrs[i % 3], NULL};

			request_ok(&f->server, i < 3 ? "GET" : "HEAD", "/", one, NULL, &r);
			if (r.status != 304 || r.len != 0)
				fail_msg("%s: %ld with %zu bytes", hdrs[i % 3], r.status, r.len);
			http_result_release(&r);
		}
	}

	/* Over raw TLS too: nothing at all follows the 304 head. */
	{
		char req[512];

		snprintf(req, sizeof(req),
			 "GET / HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: %s\r\n"
			 "Connection: close\r\n\r\n",
			 etag);
		assert_int_equal(raw_str(&f->server, req, NULL), 304);
		assert_string_equal(raw_body(), "");
	}
}

static void test_head_has_length_and_no_body(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], cl[64];
	struct stat st;

	/* app.css: as it stands on disk (index.html is written out anew) */
	snprintf(path, sizeof(path), "%s/static/app.css", harness_source_dir());
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(raw_bare(&f->server, "HEAD", "/app.css"), 200);
	assert_non_null(raw_header("Content-Length", cl, sizeof(cl)));
	assert_int_equal(strtoll(cl, NULL, 10), (long long)st.st_size);
	assert_non_null(raw_header("Content-Type", cl, sizeof(cl)));
	assert_string_equal(raw_body(), "");

	assert_int_equal(raw_bare(&f->server, "HEAD", "/healthz"), 200);
	assert_non_null(raw_header("Content-Length", cl, sizeof(cl)));
	assert_int_equal(strtoll(cl, NULL, 10), (long long)strlen("{\"status\":\"ok\"}"));
	assert_string_equal(raw_body(), "");
}

/* Every attempt is refused with a 4xx and nothing of /etc/passwd leaks. */
static void expect_refused(struct lms_server *s, const char *path, const char *const *markers)
{
	int status = raw_bare(s, "GET", path);

	if (status < 400 || status > 499)
		fail_msg("GET %s: expected 4xx, got %d:\n%.2000s", path, status, raw);
	if (strstr(raw, "root:"))
		fail_msg("GET %s: /etc/passwd leaked:\n%.2000s", path, raw);
	for (; markers && *markers; markers++)
		if (strstr(raw, *markers))
			fail_msg("GET %s: \"%s\" leaked:\n%.2000s", path, *markers, raw);
}

static void test_traversal_refused(void **state)
{
	struct fixture *f = *state;
	static const char *const paths[] = {
		"/../etc/passwd",
		"/%2e%2e/%2e%2e/etc/passwd",
		"/%252e%252e/etc/passwd",
		"/..%2f..%2fetc/passwd",
		"/static/../../etc/passwd",
		"/.%2e/etc/passwd",
		"/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
		"/..\\..\\etc\\passwd",
		"/%2fetc%2fpasswd",
		"//etc/passwd",
		"/../../../../../../../../etc/passwd",
	};

	for (size_t i = 0; i < NELEMS(paths); i++) {
		expect_refused(&f->server, paths[i], NULL);
		expect_refused(&f->small, paths[i], NULL);
	}
	/* Symbolic links inside the root that point out of it. */
	expect_refused(&f->small, "/passwd-link", NULL);
	expect_refused(&f->small, "/etc-link/passwd", NULL);
}

static void test_dotfiles_refused(void **state)
{
	struct fixture *f = *state;
	static const char *const paths[] = {"/.git/config", "/.env", "/.hidden",
					    "/%2ehidden", "/sub/../.hidden", "/sub/%2e%2e/.env"};
	static const char *const markers[] = {"HIDDEN-MARKER", "ENV-MARKER", "GIT-MARKER", NULL};

	for (size_t i = 0; i < NELEMS(paths); i++) {
		int status;

		expect_refused(&f->small, paths[i], markers);
		status = raw_bare(&f->server, "GET", paths[i]);
		if (status != 404)
			fail_msg("GET %s: expected 404, got %d", paths[i], status);
	}
	/* The fixture files exist: the 404 is a refusal, not a miss. */
	assert_int_equal(raw_bare(&f->small, "GET", "/.hidden"), 404);
}

static void test_directories_not_listed(void **state)
{
	struct fixture *f = *state;
	static const char *const markers[] = {"inner.txt", "INNER-MARKER", NULL};
	char root[PATH_MAX], url[PATH_MAX + 2];

	expect_refused(&f->server, "/css/", NULL);
	expect_refused(&f->small, "/sub/", markers);
	expect_refused(&f->small, "/sub", markers);
	expect_refused(&f->small, "//", markers);
	/* Every subdirectory static/ has today. */
	snprintf(root, sizeof(root), "%s/static", harness_source_dir());
	memset(&scan, 0, sizeof(scan));
	scan_static(root, "", 0);
	for (int i = 0; i < scan.ndirs; i++) {
		int status;

		snprintf(url, sizeof(url), "%s/", scan.dirs[i]);
		if ((status = raw_bare(&f->server, "GET", url)) != 404)
			fail_msg("GET %s: expected 404, got %d:\n%.2000s", url, status, raw);
		if ((status = raw_bare(&f->server, "GET", scan.dirs[i])) != 404)
			fail_msg("GET %s: expected 404, got %d:\n%.2000s", scan.dirs[i], status,
				 raw);
	}
}

static void test_no_cgi(void **state)
{
	struct fixture *f = *state;
	int status;

	assert_int_equal(raw_bare(&f->server, "GET", "/x.cgi"), 404);
	/* The fixture has an executable x.cgi: it must never run. Serving
	 * its source as a plain file would be harmless. */
	status = raw_bare(&f->small, "GET", "/x.cgi");
	if (strstr(raw, "CGI-EXECUTED-42"))
		fail_msg("GET /x.cgi ran the script:\n%s", raw);
	assert_true(status == 404 || (status == 200 && strstr(raw_body(), "$((6*7))")));
	status = raw_bare(&f->small, "POST", "/x.cgi");
	assert_null(strstr(raw, "CGI-EXECUTED-42"));
	assert_true(status >= 400 && status < 500);
}

/* RFC 9110 8.6: no Content-Length on a 204, and on a 304 only the length
 * the 200 would have had (a cache may otherwise take it for the file's). */
static void test_bodyless_status_framing(void **state)
{
	struct fixture *f = *state;
	char etag[256], req[512], cl204[64] = "", cl304[64] = "", path[PATH_MAX];
	bool bad204, bad304;
	struct stat st;

	assert_int_equal(raw_bare(&f->server, "OPTIONS", "/healthz"), 204);
	bad204 = raw_header("Content-Length", cl204, sizeof(cl204)) != NULL;

	assert_int_equal(raw_bare(&f->server, "GET", "/"), 200);
	assert_non_null(raw_header("ETag", etag, sizeof(etag)));
	snprintf(req, sizeof(req),
		 "GET / HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: %s\r\n"
		 "Connection: close\r\n\r\n",
		 etag);
	assert_int_equal(raw_str(&f->server, req, NULL), 304);
	snprintf(path, sizeof(path), "%s/static/index.html", harness_source_dir());
	assert_int_equal(stat(path, &st), 0);
	bad304 = raw_header("Content-Length", cl304, sizeof(cl304)) &&
		 strtoll(cl304, NULL, 10) != (long long)st.st_size;
	if (bad204 || bad304)
		fail_msg("%s%s%s%s%s", bad204 ? "OPTIONS /healthz: 204 sent Content-Length: " : "",
			 bad204 ? cl204 : "", bad204 && bad304 ? "; " : "",
			 bad304 ? "GET / If-None-Match: 304 sent Content-Length: " : "",
			 bad304 ? cl304 : "");
}

/* ---- operations endpoints ---- */

static void test_healthz(void **state)
{
	struct fixture *f = *state;
	struct http_result r = {0};
	char ct[128];

	request_ok(&f->server, "GET", "/healthz", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"status\":\"ok\"}");
	assert_non_null(http_result_header(&r, "Content-Type", ct, sizeof(ct)));
	assert_int_equal(strncmp(ct, "application/json", 16), 0);
	http_result_release(&r);
}

static void test_readyz(void **state)
{
	struct fixture *f = *state;
	struct http_result r = {0};
	json_error_t err;
	json_t *doc;

	request_ok(&f->server, "GET", "/readyz", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	if (!(doc = json_loadb(r.body, r.len, 0, &err)))
		fail_msg("/readyz body is not JSON: %s: %s", err.text, r.body);
	assert_true(json_is_string(json_object_get(doc, "status")));
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "ready");
	json_decref(doc);
	http_result_release(&r);
}

/* Value of the sample whose line starts with prefix, or -1. */
static double metric_value(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, prefix, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

/* Sorts label pairs "k=v" for a canonical series name. */
static int label_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the labels of a sample after its '{' into sorted "k=v" pairs
 * appended to key; returns the text after '}', or NULL when malformed. */
static const char *series_labels(const char *p, char *key, size_t size)
{
	char pairs[8][256], *sorted[8];
	size_t n = 0;

	while (*p && *p != '}') {
		size_t k = strcspn(p, "=\n");
		const char *v;

		if (n == 8 || k == 0 || k > 64 || p[k] != '=' || p[k + 1] != '"')
			return NULL;
		snprintf(pairs[n], sizeof(pairs[n]), "%.*s=", (int)k, p);
		for (p = v = p + k + 2; *p && *p != '"' && *p != '\n'; p++)
			if (*p == '\\' && !*++p)
				return NULL;
		if (*p != '"')
			return NULL;
		snprintf(pairs[n] + k + 1, sizeof(pairs[n]) - k - 1, "%.*s", (int)(p - v), v);
		sorted[n] = pairs[n];
		n++;
		if (*++p == ',')
			p++;
	}
	if (*p != '}')
		return NULL;
	qsort(sorted, n, sizeof(sorted[0]), label_cmp);
	for (size_t i = 0; i < n; i++)
		snprintf(key + strlen(key), size - strlen(key), "|%s", sorted[i]);
	return p + 1;
}

/* The family of a sample name: name less a histogram's suffix when the
 * rest is a declared family. */
static bool family_declared(json_t *seen, const char *name)
{
	static const char *const suffixes[] = {"_bucket", "_sum", "_count"};
	char buf[160];
	size_t n = strlen(name);

	snprintf(buf, sizeof(buf), "TYPE %s", name);
	if (json_object_get(seen, buf))
		return true;
	for (size_t i = 0; i < 3; i++) {
		size_t k = strlen(suffixes[i]);

		if (n > k && !strcmp(name + n - k, suffixes[i])) {
			snprintf(buf, sizeof(buf), "TYPE %.*s", (int)(n - k), name);
			if (json_object_get(seen, buf))
				return true;
		}
	}
	return false;
}

/* Checks one line of Prometheus text into seen (HELP/TYPE per family and
 * every series, name + sorted labels): fails the test on a repeat, a
 * malformed line or a sample of an undeclared family. */
static void exposition_line(json_t *seen, const char *line, size_t len)
{
	char key[1024], name[128];
	size_t n;
	const char *rest;

	if (len == 0)
		return;
	if (len > 7 && (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7))) {
		n = strcspn(line + 7, " \n");
		snprintf(key, sizeof(key), "%.4s %.*s", line + 2, (int)n, line + 7);
		if (json_object_get(seen, key))
			fail_msg("%s given twice", key);
		json_object_set_new(seen, key, json_true());
		return;
	}
	if (line[0] == '#')
		return;
	n = strcspn(line, "{ \n");
	if (n == 0 || n >= sizeof(name))
		fail_msg("no metric name in: %.*s", (int)len, line);
	snprintf(name, sizeof(name), "%.*s", (int)n, line);
	if (!family_declared(seen, name))
		fail_msg("%s has no # TYPE before it", name);
	snprintf(key, sizeof(key), "series %s", name);
	rest = line[n] == '{' ? series_labels(line + n + 1, key, sizeof(key)) : line + n;
	if (!rest || *rest != ' ')
		fail_msg("malformed sample: %.*s", (int)len, line);
	if (json_object_get(seen, key))
		fail_msg("series repeated: %.*s", (int)len, line);
	json_object_set_new(seen, key, json_true());
}

/* Fails unless text is Prometheus text a scraper keeps whole: every series
 * once, HELP and TYPE once per family. */
static void assert_exposition_unique(const char *text)
{
	json_t *seen = json_object();

	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");

		exposition_line(seen, p, len);
		p += len + (p[len] == '\n');
	}
	json_decref(seen);
}

static void test_metrics_series_unique(void **state)
{
	static const char *const methods[] = {"GET", "DELETE"};
	static const char *const names[] = {"lms_http_requests_total",
					    "lms_http_request_duration_seconds_count"};
	static const char *const tails[] = {",status=\"401\"}", "}"};
	struct fixture *f = *state;
	struct http_result r = {0};
	struct harness_actor admin;

	/* GET, PATCH and DELETE of one path are three route entries of one
	 * pattern: the same status from two of them must be two series. */
	assert_int_equal(harness_login(&f->server, "admin@example.com", "demo-pass-2026", &admin), 0);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(harness_status_as(&f->server, NULL, methods[i],
						   "/api/v1/enrollments/999999", NULL),
				 401);
	assert_int_equal(harness_as(&f->server, &admin, "GET", "/metrics", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_exposition_unique(r.body);
	for (size_t i = 0; i < 4; i++) {
		char series[160];

		snprintf(series, sizeof(series),
			 "%s{route=\"/api/v1/enrollments/{id}\",method=\"%s\"%s", names[i / 2],
			 methods[i % 2], tails[i / 2]);
		if (metric_value(r.body, series) < 1)
			fail_msg("no %s in:\n%s", series, r.body);
	}
	http_result_release(&r);
}

/* A series of the latency histogram of GET /healthz. */
#define HEALTHZ_HISTOGRAM(suffix, more)                                                  \
	"lms_http_request_duration_seconds" suffix "{route=\"/healthz\",method=\"GET\"" more "}"

static void test_metrics(void **state)
{
	struct fixture *f = *state;
	static const char healthz[] =
		"lms_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}";
	static const char latency[] =
		"lms_http_request_duration_seconds_bucket{route=\"/healthz\",method=\"GET\",le=\"";
	struct http_result r = {0};
	struct harness_actor admin;
	double before, after;
	char ct[128];

	/* Platform-wide figures are the operating committee's. */
	assert_int_equal(harness_status_as(&f->server, NULL, "GET", "/metrics", NULL), 401);
	assert_int_equal(harness_login(&f->server, "admin@example.com", "demo-pass-2026", &admin), 0);
	for (int i = 0; i < 3; i++) {
		request_ok(&f->server, "GET", "/healthz", NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		http_result_release(&r);
	}
	assert_int_equal(harness_as(&f->server, &admin, "GET", "/metrics", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(http_result_header(&r, "Content-Type", ct, sizeof(ct)));
	assert_int_equal(strncmp(ct, "text/plain", 10), 0);
	before = metric_value(r.body, healthz);
	if (before < 3)
		fail_msg("%s is %g after three requests:\n%s", healthz, before, r.body);
	assert_non_null(strstr(r.body, latency));
	assert_true(metric_value(r.body, HEALTHZ_HISTOGRAM("_bucket", ",le=\"+Inf\"")) >= 3);
	assert_true(metric_value(r.body, HEALTHZ_HISTOGRAM("_sum", "")) >= 0);
	assert_true(metric_value(r.body, HEALTHZ_HISTOGRAM("_count", "")) >= 3);
	assert_true(metric_value(r.body, HEALTHZ_HISTOGRAM("_bucket", ",le=\"+Inf\"")) ==
		    metric_value(r.body, HEALTHZ_HISTOGRAM("_count", "")));
	assert_true(metric_value(r.body, "lms_db_pool_size") >= 1);
	assert_true(metric_value(r.body, "lms_db_pool_in_use") >= 0);
	http_result_release(&r);

	/* The counter moves. */
	request_ok(&f->server, "GET", "/healthz", NULL, NULL, &r);
	http_result_release(&r);
	assert_int_equal(harness_as(&f->server, &admin, "GET", "/metrics", NULL, &r), 0);
	after = metric_value(r.body, healthz);
	assert_true(after == before + 1);
	http_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_security_headers_on_every_response),
		cmocka_unit_test(test_unknown_api_path_is_problem_404),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_options_without_cors),
		cmocka_unit_test(test_declared_length_over_limit),
		cmocka_unit_test(test_declared_length_boundary),
		cmocka_unit_test(test_chunked_body_over_default_limit),
		cmocka_unit_test(test_chunked_body_over_small_limit),
		cmocka_unit_test(test_chunked_body_at_small_limit),
		cmocka_unit_test(test_chunked_body_over_limit_answered_before_end),
		cmocka_unit_test(test_non_json_body_is_415),
		cmocka_unit_test(test_bad_json_is_400),
		cmocka_unit_test(test_content_length_and_transfer_encoding),
		cmocka_unit_test(test_duplicate_content_length),
		cmocka_unit_test(test_unsupported_transfer_encoding),
		cmocka_unit_test(test_control_characters_in_path),
		cmocka_unit_test(test_malformed_requests_get_4xx),
		cmocka_unit_test(test_static_index),
		cmocka_unit_test(test_static_types),
		cmocka_unit_test(test_etag_not_modified),
		cmocka_unit_test(test_head_has_length_and_no_body),
		cmocka_unit_test(test_traversal_refused),
		cmocka_unit_test(test_dotfiles_refused),
		cmocka_unit_test(test_directories_not_listed),
		cmocka_unit_test(test_no_cgi),
		cmocka_unit_test(test_bodyless_status_framing),
		cmocka_unit_test(test_healthz),
		cmocka_unit_test(test_readyz),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_metrics_series_unique),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
