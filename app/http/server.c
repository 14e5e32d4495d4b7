/* server.c - the HTTPS server: CivetWeb set-up, dispatch, shutdown */
#include "lms/http/server.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lms/auth/guard.h"
#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/http/metrics.h"
#include "lms/http/response.h"
#include "lms/http/routes.h"
#include "lms/http/static.h"
#include "lms/http/tls.h"

struct http_server {
	struct mg_context *ctx;
	int port;
};

static void request_id_new(char id[33])
{
	unsigned char raw[8];
	static const char hex[] = "0123456789abcdef";

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		memset(raw, 0, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++) {
		id[2 * i] = hex[raw[i] >> 4];
		id[2 * i + 1] = hex[raw[i] & 15];
	}
	id[2 * sizeof(raw)] = '\0';
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

/* Reads the body into req->body, at most limit bytes. Each read asks for
 * no more than one byte past the limit: mg_read blocks until it has what
 * it was asked for, so a larger request would let a chunked body that never
 * ends hold this worker until the request timeout. */
static int read_body(struct http_req *req, long long limit)
{
	long long declared = req->ri->content_length;
	size_t cap = declared > 0 ? (size_t)declared + 1 : 8192, len = 0, want;
	char *buf = malloc(cap);
	int n;

	if (!buf)
		return LMS_ENOMEM;
	for (;;) {
		if (len + 1 >= cap) {
			char *grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				return LMS_ENOMEM;
			}
			buf = grown;
			cap *= 2;
		}
		want = cap - len - 1;
		if (want > (size_t)limit + 1 - len)
			want = (size_t)limit + 1 - len;
		n = mg_read(req->conn, buf + len, want);
		if (n <= 0)
			break;
		len += (size_t)n;
		if ((long long)len > limit) {
			free(buf);
			return LMS_ETOOBIG;
		}
	}
	buf[len] = '\0';
	req->body = buf;
	req->body_len = len;
	return n < 0 ? LMS_EIO : 0;
}

static void dispatch(struct http_req *req)
{
	const struct mg_request_info *ri = req->ri;
	const struct lms_config *cfg = req->app->cfg;
	const char *problem, *te;
	unsigned method = http_method_bit(ri->request_method), allow = 0;
	long long limit;
	bool has_body, changes, json_body;
	char allow_text[96], extra[160];
	int rc;

	if ((problem = framing_problem(ri))) {
		mg_disable_connection_keep_alive(req->conn);
		http_reply_problem(req, 400, "invalid_request", NULL, "%s", problem);
		return;
	}
	/* decode_url is off, so local_uri_raw is the path as sent; decoding it
	 * here lets a NUL or CR/LF be seen instead of silently cutting the path. */
	if (!ri->local_uri_raw || ri->local_uri_raw[0] != '/' ||
	    !(req->path = http_path_decode(ri->local_uri_raw))) {
		http_reply_problem(req, 400, "invalid_request", NULL,
				   "the request path has a bad escape, invalid UTF-8 or a control "
				   "character");
		return;
	}
	req->query = ri->query_string;
	req->route = routes_match(req, method, &allow);
	/* Uploads (raw bodies) have a limit of their own. */
	limit = req->route && (req->route->flags & ROUTE_RAW_BODY) ? cfg->max_upload_bytes
								    : cfg->max_body_bytes;
	if (ri->content_length > limit) {
		mg_disable_connection_keep_alive(req->conn);
		http_reply_problem(req, 413, "body_too_large", NULL,
				   "the request body is larger than %lld bytes", limit);
		return;
	}

	te = http_req_header(req, "Transfer-Encoding");
	has_body = ri->content_length > 0 || te;
	/* Who may ask is settled before a byte of the body is read: nobody can
	 * make a worker hold an upload that would be refused anyway. A body
	 * left unread ends the connection. */
	if (req->route && !guard_route_or_reply(req)) {
		if (has_body)
			mg_disable_connection_keep_alive(req->conn);
		return;
	}
	changes = method & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE);
	json_body = changes && !(req->route && (req->route->flags & ROUTE_RAW_BODY));
	if (json_body && has_body && !is_json_type(http_req_header(req, "Content-Type"))) {
		http_reply_problem(req, 415, "unsupported_media_type", NULL,
				   "the request body must be application/json");
		return;
	}
	if (has_body) {
		if ((rc = read_body(req, limit)) == LMS_ETOOBIG) {
			mg_disable_connection_keep_alive(req->conn);
			http_reply_problem(req, 413, "body_too_large", NULL,
					   "the request body is larger than %lld bytes", limit);
			return;
		}
		if (rc == LMS_ENOMEM) {
			mg_disable_connection_keep_alive(req->conn);
			http_reply_problem(req, 503, "unavailable", NULL, "out of memory");
			return;
		}
		if (rc < 0) {
			mg_disable_connection_keep_alive(req->conn);
			http_reply_problem(req, 400, "invalid_request", NULL,
					   "the request body could not be read");
			return;
		}
	}
	if (json_body && req->body_len) {
		json_error_t jerr;
		if (!(req->json = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr))) {
			http_reply_problem(req, 400, "invalid_request", NULL,
					   "the body is not valid JSON: %s (line %d, column %d)",
					   jerr.text, jerr.line, jerr.column);
			return;
		}
	}

	if (!req->route) {
		bool api = !strncmp(req->path, "/api/", 5) || !strcmp(req->path, "/api");
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
						   ri->request_method, allow_text);
		} else {
			http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
		}
		return;
	}
	req->route->handler(req);
	if (!req->status)
		http_reply_problem(req, 500, "internal", NULL, "the request was not answered");
}

static void access_log(const struct http_req *req, double seconds)
{
	json_t *line;
	char *text;

	if (!req->app->cfg->access_log)
		return;
	line = json_pack("{s:s, s:s, s:s?, s:s?, s:i, s:I, s:f, s:s, s:s?}", "type", "access",
			 "method", req->ri->request_method, "path", req->path,
			 "route", req->route ? req->route->pattern : NULL, "status", req->status,
			 "bytes", (json_int_t)req->bytes_out, "seconds", seconds, "remote",
			 req->ri->remote_addr, "request_id", req->request_id);
	if (!line)
		return;
	if ((text = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(6))))
		log_json_line(text);
	free(text);
	json_decref(line);
}

static int begin_request(struct mg_connection *conn)
{
	struct http_req req = {0};
	struct timespec end;
	double seconds;

	req.conn = conn;
	req.ri = mg_get_request_info(conn);
	req.app = req.ri->user_data;
	req.method = req.ri->request_method;
	clock_gettime(CLOCK_MONOTONIC, &req.start);
	request_id_new(req.request_id);

	dispatch(&req);

	if (req.db)
		db_pool_release(req.app->pool, req.db);
	clock_gettime(CLOCK_MONOTONIC, &end);
	seconds = (double)(end.tv_sec - req.start.tv_sec) +
		  (double)(end.tv_nsec - req.start.tv_nsec) / 1e9;
	metrics_observe(req.route	      ? routes_index(req.route)
			: req.static_file ? METRICS_ROUTE_STATIC
					  : METRICS_ROUTE_NONE,
			req.status, seconds);
	access_log(&req, seconds);
	json_decref(req.json);
	free(req.body);
	free(req.path);
	return req.status ? req.status : 500;
}

/* Errors CivetWeb detects itself (malformed request line, headers too
 * large) get the same problem+json and security headers as ours. */
static int http_error(struct mg_connection *conn, int status, const char *msg)
{
	struct http_req req = {0};

	req.conn = conn;
	req.ri = mg_get_request_info(conn);
	req.method = "GET";
	request_id_new(req.request_id);
	mg_disable_connection_keep_alive(conn);
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
	return 1;
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
		"num_threads", threads,
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
	callbacks.log_message = log_message;
	callbacks.init_ssl = init_ssl;

	if (!(s = calloc(1, sizeof(*s))))
		return LMS_ENOMEM;
	mg_init_library(MG_FEATURES_TLS);
	s->ctx = mg_start(&callbacks, app, options);
	if (!s->ctx) {
		snprintf(err, errlen, "cannot start the HTTPS server on %s (port in use, or TLS set-up "
				      "failed: see the log above)", ports);
		mg_exit_library();
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

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	/* mg_stop closes the listeners, then waits for every worker to finish
	 * the request it is serving. */
	mg_stop(s->ctx);
	mg_exit_library();
	free(s);
}
