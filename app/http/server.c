/* server.c - the HTTPS server: CivetWeb set-up, dispatch, shutdown */
#include "lms/http/server.h"

#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>

#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/core/netaddr.h"
#include "lms/core/text.h"
#include "lms/http/metrics.h"
#include "lms/http/response.h"
#include "lms/http/routes.h"
#include "lms/http/static.h"
#include "lms/http/tls.h"
#include "lms/http/watchdog.h"

struct http_server {
	struct mg_context *ctx;
	struct http_app *app;
	int port;
};

/* Request ids are a counter put through a bijective 64-bit mix (splitmix64's
 * finaliser) from a random start: unique within the process for 2^64
 * requests, unrelated across instances, and without a call into the random
 * generator (its lock and fork check) on every request. They name a request
 * in logs and audit rows; they are not secrets. */
static uint64_t request_id_base;
static atomic_uint_fast64_t request_id_seq;

static void request_id_new(char id[33])
{
	uint64_t x = request_id_base + atomic_fetch_add_explicit(&request_id_seq, 1,
								   memory_order_relaxed) *
					       0x9e3779b97f4a7c15u;
	unsigned char raw[8];

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	x ^= x >> 31;
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(x >> (8 * i));
	text_hex_encode(raw, sizeof(raw), id);
}

/* CivetWeb 1.15 accepts ambiguous framing that lets a proxy and this server
 * disagree on where a request ends (request smuggling). Refuse it. */
static const char *framing_problem(const struct mg_request_info *ri)
{
	const char *cl = NULL, *te = NULL;
	int ncl = 0, nte = 0;

	for (int i = 0; i < ri->num_headers; i++) {
		if (!strcasecmp(ri->http_headers[i].name, "Content-Length")) {
			ncl++;
			cl = ri->http_headers[i].value;
		} else if (!strcasecmp(ri->http_headers[i].name, "Transfer-Encoding")) {
			nte++;
			te = ri->http_headers[i].value;
		}
	}
	if (ncl && nte)
		return "both Content-Length and Transfer-Encoding are present";
	if (ncl > 1)
		return "Content-Length is given more than once";
	if (nte > 1 || (te && strcasecmp(te, "chunked") != 0))
		return "only Transfer-Encoding: chunked is supported";
	if (cl && (!*cl || strspn(cl, "0123456789") != strlen(cl) || strlen(cl) > 15))
		return "Content-Length is not a decimal number";
	return NULL;
}

static bool is_json_type(const char *ct)
{
	size_t n;

	if (!ct)
		return false;
	n = strcspn(ct, ";");
	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	return (n == 16 && !strncasecmp(ct, "application/json", 16)) ||
	       (n > 17 && !strncasecmp(ct, "application/", 12) && !strncasecmp(ct + n - 5, "+json", 5));
}

/* CivetWeb keeps the first MG_MAX_HEADERS headers and drops the rest
 * unseen: a request that fills them all may have had more (a
 * Transfer-Encoding placed after them would pass every framing check). */
static bool head_ok_or_reply(struct http_req *req)
{
	const struct mg_request_info *ri = req->ri;
	const char *problem, *host = NULL;
	int nhost = 0;

	if (ri->num_headers >= MG_MAX_HEADERS) {
		http_req_close(req);
		http_reply_problem(req, 431, "too_many_headers", NULL,
				   "a request may have at most %d header fields",
				   MG_MAX_HEADERS - 1);
		return false;
	}
	if ((problem = framing_problem(ri))) {
		http_req_close(req);
		http_reply_problem(req, 400, "invalid_request", NULL, "%s", problem);
		return false;
	}
	for (int i = 0; i < ri->num_headers; i++)
		if (!strcasecmp(ri->http_headers[i].name, "Host")) {
			nhost++;
			host = ri->http_headers[i].value;
		}
	/* RFC 9112 3.2: exactly one valid Host in HTTP/1.1, at most one before. */
	if (nhost > 1 || (nhost == 0 && ri->http_version && strcmp(ri->http_version, "1.0")) ||
	    (host && !http_host_valid(host))) {
		http_req_close(req);
		http_reply_problem(req, 400, "invalid_request", NULL,
				   nhost > 1 ? "the Host header is given more than once"
				   : host    ? "the Host header is not a valid host name"
					     : "the Host header is missing");
		return false;
	}
	return true;
}

/* A JSON route's body is read, checked and parsed before anyone looks at
 * who sent it: no database connection waits on a client's upload speed. */
static bool json_body_or_reply(struct http_req *req, long long limit, bool json_body)
{
	json_error_t jerr;

	if (json_body && !is_json_type(http_req_header(req, "Content-Type"))) {
		http_req_close(req);
		http_reply_problem(req, 415, "unsupported_media_type", NULL,
				   "the request body must be application/json");
		return false;
	}
	if (!http_req_body_or_reply(req, limit))
		return false;
	if (!json_body || !req->body_len)
		return true;
	if (!http_json_depth_ok(req->body, req->body_len, HTTP_JSON_MAX_DEPTH)) {
		http_reply_problem(req, 400, "invalid_request", NULL,
				   "the body nests arrays and objects more than %d deep",
				   HTTP_JSON_MAX_DEPTH);
		return false;
	}
	if (!(req->json = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr))) {
		http_reply_problem(req, 400, "invalid_request", NULL,
				   "the body is not valid JSON: %s (line %d, column %d)", jerr.text,
				   jerr.line, jerr.column);
		return false;
	}
	return true;
}

static void no_route(struct http_req *req, unsigned method, unsigned allow)
{
	bool api = !strncmp(req->path, "/api/", 5) || !strcmp(req->path, "/api");
	char allow_text[96], extra[160];

	if (!allow && !api)
		allow = HTTP_GET | HTTP_HEAD;
	if (method == HTTP_OPTIONS && allow) {
		/* No CORS: same-origin only, so no Access-Control-* headers. */
		http_methods_format(allow | HTTP_OPTIONS, allow_text, sizeof(allow_text));
		snprintf(extra, sizeof(extra), "Allow: %s\r\n", allow_text);
		http_reply_start(req, 204, NULL, 0, extra);
	} else if (allow && (method & (HTTP_GET | HTTP_HEAD)) && !api) {
		req->static_file = true;
		static_serve(req);
	} else if (allow) {
		http_methods_format(allow, allow_text, sizeof(allow_text));
		snprintf(extra, sizeof(extra), "Allow: %s\r\n", allow_text);
		http_reply_problem_headers(req, 405, "method_not_allowed", NULL, extra,
					   "%s is not allowed here; allowed: %s",
					   req->ri->request_method, allow_text);
	} else {
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
	}
}

/* The application's check before a matched route's handler (the
 * platform's guard): true to go on, false once it has replied. */
static bool authorise_or_reply(struct http_req *req)
{
	return !req->app->authorise || req->app->authorise(req);
}

static void dispatch(struct http_req *req)
{
	const struct mg_request_info *ri = req->ri;
	const struct lms_config *cfg = req->app->cfg;
	unsigned method = http_method_bit(ri->request_method), allow = 0;
	bool has_body, raw;
	long long limit;

	if (!head_ok_or_reply(req))
		return;
	/* decode_url is off, so the target is the path as sent; decoding it
	 * here lets a NUL or CR/LF be seen instead of silently cutting the path. */
	if (!req->target || req->target[0] != '/' || !(req->path = http_path_decode(req->target))) {
		http_reply_problem(req, 400, "invalid_request", NULL,
				   "the request path has a bad escape, invalid UTF-8 or a control "
				   "character");
		return;
	}
	req->route = routes_match(req->app->routes, req, method, &allow);
	raw = req->route && (req->route->flags & ROUTE_RAW_BODY);
	/* Uploads (raw bodies) have a limit of their own. */
	limit = raw ? cfg->max_upload_bytes : cfg->max_body_bytes;
	if (ri->content_length > limit) {
		http_req_close(req);
		http_reply_problem(req, 413, "body_too_large", NULL,
				   "the request body is larger than %lld bytes", limit);
		return;
	}
	has_body = ri->content_length > 0 || http_req_header(req, "Transfer-Encoding");
	if (raw) {
		/* An upload is authorised before a byte of it is read, and read
		 * by its handler, which knows where it goes; until then the
		 * connection cannot be reused. */
		if (has_body && ri->content_length < 0) {
			http_req_close(req);
			http_reply_problem(req, 411, "length_required", NULL,
					   "an upload must say its Content-Length");
			return;
		}
		req->body_pending = has_body;
		if (!authorise_or_reply(req))
			return;
	} else {
		if (has_body && !json_body_or_reply(req, limit,
						    method & (HTTP_POST | HTTP_PUT | HTTP_PATCH |
							      HTTP_DELETE)))
			return;
		if (req->route && !authorise_or_reply(req))
			return;
	}
	if (!req->route) {
		no_route(req, method, allow);
		return;
	}
	if (req->route->flags & ROUTE_REPORT) {
		atomic_fetch_add(&req->app->reports_in_flight, 1);
		req->route->handler(req);
		atomic_fetch_sub(&req->app->reports_in_flight, 1);
	} else {
		req->route->handler(req);
	}
	if (!req->status)
		http_reply_problem(req, 500, "internal", NULL, "the request was not answered");
}

static void access_log(const struct http_req *req, double seconds)
{
	char addr[NETADDR_TEXT_MAX], *text;
	json_t *line;

	if (!req->app->cfg->access_log)
		return;
	line = json_pack("{s:s, s:s, s:s?, s:s?, s:i, s:I, s:f, s:s, s:s?}", "type", "access",
			 "method", req->ri->request_method, "path", req->path,
			 "route", req->route ? req->route->pattern : NULL, "status", req->status,
			 "bytes", (json_int_t)req->bytes_out, "seconds", seconds, "remote",
			 http_req_client_addr(req, addr, sizeof(addr)), "request_id",
			 req->request_id);
	if (!line)
		return;
	if ((text = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(6))))
		log_json_line(text);
	free(text);
	json_decref(line);
}

/* The socket of the connection this worker thread serves, learnt when its
 * TLS handshake starts (CivetWeb does not hand it out): the watchdog needs
 * it to cut a read that outlasts its deadline. */
static _Thread_local const void *tls_conn;
static _Thread_local int tls_fd = -1;
/* CivetWeb answered this connection's last request with an error itself. */
static _Thread_local bool answered_by_civetweb;

static void tls_info(const SSL *ssl, int where, int ret)
{
	(void)ret;
	if (where & SSL_CB_HANDSHAKE_START) {
		tls_conn = SSL_get_app_data(ssl);
		tls_fd = SSL_get_fd(ssl);
	}
}

/*
 * A connection closed with a body still arriving ends with a reset, which
 * can destroy the answer before its client reads it (RFC 9112 9.6). Wait,
 * briefly, until the client has acknowledged every byte sent.
 */
static void linger_until_acked(int fd, int ms)
{
	int unacked = 0;

	for (int waited = 0; fd >= 0 && waited < ms; waited += 10) {
		if (ioctl(fd, TIOCOUTQ, &unacked) != 0 || unacked == 0)
			return;
		usleep(10000);
	}
}

static int serve(struct mg_connection *conn, const char *target, const char *query, bool last)
{
	struct http_req req = {0};
	struct timespec end;
	double seconds;

	req.conn = conn;
	req.ri = mg_get_request_info(conn);
	req.app = req.ri->user_data;
	req.method = req.ri->request_method;
	req.target = target;
	req.query = query;
	req.fd = tls_conn == conn ? tls_fd : -1;
	req.close = last;
	clock_gettime(CLOCK_MONOTONIC, &req.start);
	request_id_new(req.request_id);

	dispatch(&req);

	http_req_db_release(&req);
	if (req.body_pending)
		linger_until_acked(req.fd, 1000);
	clock_gettime(CLOCK_MONOTONIC, &end);
	seconds = (double)(end.tv_sec - req.start.tv_sec) +
		  (double)(end.tv_nsec - req.start.tv_nsec) / 1e9;
	metrics_observe(req.route	      ? routes_index(req.app->routes, req.route)
			: req.static_file ? METRICS_ROUTE_STATIC
					  : METRICS_ROUTE_NONE,
			http_method_bit(req.method), req.status, seconds);
	access_log(&req, seconds);
	json_decref(req.json);
	free(req.body);
	free(req.path);
	return req.status ? req.status : 500;
}

static int begin_request(struct mg_connection *conn)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);

	return serve(conn, ri->local_uri_raw, ri->query_string, false);
}

/*
 * CivetWeb 1.15 answers nothing to a request whose target is in absolute
 * form ("GET http://host/path", RFC 9112 3.2.2) unless it names this
 * server's exact port, nor to "OPTIONS *": it closes the connection
 * without a word. Such a request is still whole when the connection
 * closes, so it is answered here: for our name as any other request, for
 * another host 421.
 */
static void connection_close(const struct mg_connection *c)
{
	struct mg_connection *conn = (struct mg_connection *)c;
	const struct mg_request_info *ri = mg_get_request_info(conn);
	struct http_app *app = ri ? ri->user_data : NULL;
	char host[256], *target = NULL, *query;
	const char *path;
	bool answer = !answered_by_civetweb && app && ri->request_method && ri->request_uri &&
		      !ri->local_uri;

	answered_by_civetweb = false;
	if (tls_conn == conn)
		tls_conn = NULL;
	if (!answer)
		return;
	if (!strcmp(ri->request_uri, "*")) {
		struct http_req req = {.conn = conn, .ri = ri, .app = app, .method = "OPTIONS"};

		request_id_new(req.request_id);
		req.close = true;
		if (!strcmp(ri->request_method, "OPTIONS"))
			http_reply_start(&req, 204, NULL, 0,
					 "Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n");
		else
			http_reply_problem(&req, 400, "invalid_request", NULL,
					   "only OPTIONS may ask about the server as a whole (*)");
		return;
	}
	if (!(path = http_target_absolute(ri->request_uri, host, sizeof(host))) ||
	    !(target = strdup(path)))
		return;
	if ((query = strchr(target, '?')))
		*query++ = '\0';
	mg_disable_connection_keep_alive(conn);
	if (strcasecmp(host, app->cfg->public_host) != 0) {
		struct http_req req = {.conn = conn, .ri = ri, .app = app, .method = ri->request_method};

		request_id_new(req.request_id);
		req.close = true;
		http_reply_problem(&req, 421, "misdirected_request", NULL,
				   "this server does not answer for %s", host);
	} else {
		serve(conn, target, query, true);
	}
	free(target);
}

/* Errors CivetWeb detects itself (malformed request line, headers too
 * large) get the same problem+json and security headers as ours. */
static int http_error(struct mg_connection *conn, int status, const char *msg)
{
	struct http_req req = {0};

	answered_by_civetweb = true;
	req.conn = conn;
	req.ri = mg_get_request_info(conn);
	req.method = "GET";
	request_id_new(req.request_id);
	http_req_close(&req);
	http_reply_problem(&req, status, status == 413 || status == 431 ? "too_large" : "invalid_request",
			   NULL, "%s", msg && *msg ? msg : http_status_text(status));
	return 0;
}

static int log_message(const struct mg_connection *conn, const char *message)
{
	log_warn("http: %s", message);
	return 1;
}

static int init_ssl(void *ssl_ctx, void *user_data)
{
	struct http_app *app = user_data;
	char err[512];

	if (tls_ctx_setup(ssl_ctx, app->tls_cert, app->tls_key, err, sizeof(err)) < 0) {
		log_error("tls: %s", err);
		return -1;
	}
	/* CivetWeb's own info callback does nothing; this one replaces it. */
	SSL_CTX_set_info_callback(ssl_ctx, tls_info);
	return 1;
}

/* Every connection is a socket and every worker may hold one: ask for as
 * many descriptors as the hard limit allows. */
static void files_limit_raise(int workers)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)workers + 256)
		log_warn("http: %d workers but only %llu open files allowed: raise the limit "
			 "(ulimit -n, LimitNOFILE=)", workers, (unsigned long long)rl.rlim_cur);
}

int http_server_start(struct http_app *app, struct http_server **out, char *err, size_t errlen)
{
	const struct lms_config *cfg = app->cfg;
	char ports[512], threads[16], timeout[16], keepalive[16];
	struct mg_callbacks callbacks = {0};
	struct mg_server_port sp[4];
	struct http_server *s;
	int n;

	*out = NULL;
	if (!app->routes) {
		snprintf(err, errlen, "the server was given no routes");
		return LMS_EINVAL;
	}
	if (RAND_bytes((unsigned char *)&request_id_base, sizeof(request_id_base)) != 1) {
		snprintf(err, errlen, "the random generator gave no bytes for request ids");
		return LMS_EINVAL;
	}
	/* An "s" port speaks TLS; an "r" port only redirects to the TLS one. */
	if (cfg->http_port)
		snprintf(ports, sizeof(ports), "%s:%ds,%s:%dr", cfg->listen_address, cfg->https_port,
			 cfg->listen_address, cfg->http_port);
	else
		snprintf(ports, sizeof(ports), "%s:%ds", cfg->listen_address, cfg->https_port);
	snprintf(threads, sizeof(threads), "%d", cfg->worker_threads);
	snprintf(timeout, sizeof(timeout), "%d", cfg->request_timeout_ms);
	snprintf(keepalive, sizeof(keepalive), "%d", cfg->keep_alive_timeout_ms);

	const char *options[] = {
		"listening_ports", ports,
		/* A worker per open connection, keep-alive included: CivetWeb
		 * 1.15 has no other way to serve many connections at once. Its
		 * threads have a fixed 100 KiB stack (set when Debian built it),
		 * which is why JSON nesting is bounded before parsing. */
		"num_threads", threads,
		/* Connections accepted while every worker is busy wait here and
		 * in the kernel's queue, not refused. */
		"connection_queue", "512",
		"listen_backlog", "1024",
		/* The request head, from its first byte, and any read or write
		 * that stalls; bodies have their own deadline (request.c). */
		"request_timeout_ms", timeout,
		"keep_alive_timeout_ms", keepalive,
		"enable_keep_alive", "yes",
		/* Without it every response waits for the peer's delayed ACK. */
		"tcp_nodelay", "1",
		/* Paths are decoded by us, so NUL and CR/LF can be refused. */
		"decode_url", "no",
		/* No document_root: CivetWeb serves no files, runs no CGI or SSI and
		 * lists no directories; static/ is served by static.c. These keep
		 * it so should a document root ever be set. */
		"enable_directory_listing", "no",
		"cgi_pattern", "**.cgi-disabled$",
		"ssi_pattern", "**.ssi-disabled$",
		"hide_files_patterns", "**/.*",
		/* No CORS: the browser front end is same-origin. */
		"access_control_allow_origin", "",
		"access_control_allow_methods", "",
		"access_control_allow_headers", "",
		/* CivetWeb builds the plain port's redirect from this name. */
		"authentication_domain", cfg->public_host,
		/* 4: TLS 1.2 and newer; ciphers are set in init_ssl. */
		"ssl_protocol_version", "4",
		NULL,
	};

	callbacks.begin_request = begin_request;
	callbacks.http_error = http_error;
	callbacks.connection_close = connection_close;
	callbacks.log_message = log_message;
	callbacks.init_ssl = init_ssl;

	if (!(s = calloc(1, sizeof(*s))))
		return LMS_ENOMEM;
	s->app = app;
	files_limit_raise(cfg->worker_threads);
	if (watchdog_start() < 0) {
		snprintf(err, errlen, "cannot start the watchdog thread");
		free(s);
		return LMS_ENOMEM;
	}
	mg_init_library(MG_FEATURES_TLS);
	s->ctx = mg_start(&callbacks, app, options);
	if (!s->ctx) {
		snprintf(err, errlen, "cannot start the HTTPS server on %s (port in use, or TLS set-up "
				      "failed: see the log above)", ports);
		mg_exit_library();
		watchdog_stop();
		free(s);
		return LMS_EIO;
	}
	n = mg_get_server_ports(s->ctx, 4, sp);
	for (int i = 0; i < n; i++)
		if (sp[i].is_ssl)
			s->port = sp[i].port;
	*out = s;
	return 0;
}

int http_server_port(const struct http_server *s) { return s->port; }

void http_server_drain(struct http_server *s)
{
	if (s)
		atomic_store(&s->app->draining, true);
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	/* mg_stop closes the listeners, then waits for every worker to finish
	 * the request it is serving; reads and writes still waiting on a
	 * client end at once, so a stream still running is cut short (its
	 * chunked body never ends, which its client sees). */
	atomic_store(&s->app->draining, true);
	mg_stop(s->ctx);
	mg_exit_library();
	watchdog_stop();
	static_release();
	free(s);
}
