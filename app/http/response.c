/* response.c - replies: JSON, problem+json, with the security headers */
#include "lms/http/response.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <civetweb.h>
#include <openssl/sha.h>

#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/core/text.h"
#include "lms/db/sql.h"
#include "lms/http/cache.h"
#include "lms/http/conditional.h"
#include "lms/http/server.h"

/* Sent on every response we write, errors and static files included:
 * CivetWeb's additional_header option does not reach handler replies. The
 * request's script_src_extra follows script-src 'self': index.html's inline import map
 * allowed by its hash (static.c), nothing on any other response. */
static const char security_headers[] =
	"Strict-Transport-Security: max-age=63072000; includeSubDomains\r\n"
	"X-Content-Type-Options: nosniff\r\n"
	"Referrer-Policy: no-referrer\r\n"
	"X-Frame-Options: DENY\r\n"
	"Cross-Origin-Opener-Policy: same-origin\r\n"
	"Cross-Origin-Resource-Policy: same-origin\r\n"
	"Content-Security-Policy: default-src 'self'; script-src 'self'";
static const char security_headers_end[] =
	"; style-src 'self'; "
	"img-src 'self' data:; media-src 'self' https:; connect-src 'self'; font-src 'self'; "
	"object-src 'none'; "
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'\r\n";

const char *http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 421: return "Misdirected Request";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
}

static bool has_header(const char *headers, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = headers; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != '\0'))
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return true;
	return false;
}

/* Writes the response head into *head (allocated, with room for extra
 * bytes after it) and returns its length, or -1 when out of memory. */
static int head_format(struct http_req *req, int status, const char *content_type,
		       long long content_length, const char *extra_headers, size_t extra,
		       char **head)
{
	char date[64], length[64];
	struct tm tm;
	time_t now = time(NULL);
	int n;
	char *h;

	if (!extra_headers)
		extra_headers = "";
	/* A change that succeeded makes cached responses stale here and now,
	 * before its client can read them back; other instances hear of it by
	 * NOTIFY. */
	if (status < 300 && req->app && strcmp(req->method, "GET") && strcmp(req->method, "HEAD") &&
	    strcmp(req->method, "OPTIONS"))
		http_cache_invalidate(req->app->cache);
	/* A body left unread cannot be told from the next request; a server
	 * that is stopping sends its clients elsewhere. Either way the client
	 * is told before it tries to reuse the connection. */
	if (req->body_pending || (req->app && atomic_load(&req->app->draining)))
		req->close = true;
	if (req->close)
		mg_disable_connection_keep_alive(req->conn);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	/* 204 and 304 have no body and must not claim one (RFC 9110 8.6). */
	if (status == 204 || status == 304)
		length[0] = '\0';
	else if (content_length >= 0)
		snprintf(length, sizeof(length), "Content-Length: %lld\r\n", content_length);
	else
		snprintf(length, sizeof(length), "Transfer-Encoding: chunked\r\n");

	n = asprintf(head,
		     "HTTP/1.1 %d %s\r\n"
		     "Date: %s\r\n"
		     "%s%s%s%s"
		     "%s%s%s"
		     "%s"
		     "X-Request-Id: %s\r\n"
		     "%s"
		     "%s%s"
		     "\r\n",
		     status, http_status_text(status), date, security_headers,
		     req->script_src_extra[0] ? " " : "", req->script_src_extra, security_headers_end,
		     content_type ? "Content-Type: " : "", content_type ? content_type : "",
		     content_type ? "\r\n" : "", length, req->request_id,
		     req->close ? "Connection: close\r\n" : "",
		     has_header(extra_headers, "Cache-Control") ? "" : "Cache-Control: no-store\r\n",
		     extra_headers);
	if (n < 0)
		return -1;
	if (extra) {
		if (!(h = realloc(*head, (size_t)n + extra))) {
			free(*head);
			return -1;
		}
		*head = h;
	}
	req->status = status;
	return n;
}

void http_reply_start(struct http_req *req, int status, const char *content_type,
		      long long content_length, const char *extra_headers)
{
	char *head;
	int n = head_format(req, status, content_type, content_length, extra_headers, 0, &head);

	/* One write for the whole head keeps it in one TLS record. */
	if (n < 0)
		return;
	mg_write(req->conn, head, (size_t)n);
	free(head);
}

/* Bodies up to this size leave in the same write as the head: one TLS
 * record and one system call fewer for every small answer. */
#define BODY_WITH_HEAD_MAX (64u << 10)

void http_reply_bytes(struct http_req *req, int status, const char *content_type,
		      const void *body, size_t len, const char *extra_headers)
{
	bool with_body = len && strcmp(req->method, "HEAD") != 0;
	size_t extra = with_body && len <= BODY_WITH_HEAD_MAX ? len : 0;
	char *head;
	int n = head_format(req, status, content_type, (long long)len, extra_headers, extra, &head);

	if (n < 0)
		return;
	if (extra)
		memcpy(head + n, body, extra);
	mg_write(req->conn, head, (size_t)n + extra);
	free(head);
	if (with_body && !extra)
		mg_write(req->conn, body, len);
	if (with_body)
		req->bytes_out += (long long)len;
}

void http_reply_json(struct http_req *req, int status, const json_t *json)
{
	http_reply_json_headers(req, status, json, NULL);
}

void http_reply_json_headers(struct http_req *req, int status, const json_t *json,
			     const char *extra_headers)
{
	char *text = json_dumps(json, JSON_COMPACT);

	if (!text) {
		static const char oom[] = "{\"title\":\"Internal Server Error\",\"status\":500}";
		http_reply_bytes(req, 500, "application/problem+json", oom, sizeof(oom) - 1, NULL);
		return;
	}
	http_reply_bytes(req, status, "application/json", text, strlen(text), extra_headers);
	free(text);
}

json_t *http_problem_new(int status, const char *code, const char *detail_fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, detail_fmt);
	vsnprintf(detail, sizeof(detail), detail_fmt, ap);
	va_end(ap);
	return json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", "about:blank", "title",
			 http_status_text(status), "status", status, "detail", detail, "code", code);
}

void http_reply_problem_json(struct http_req *req, int status, const json_t *problem,
			     const char *extra_headers)
{
	char extra[512], *text = problem ? json_dumps(problem, JSON_COMPACT) : NULL;

	/* Saturation and outages pass quickly; tell clients when to come back. */
	if (!extra_headers)
		extra_headers = "";
	snprintf(extra, sizeof(extra), "%s%s",
		 status == 503 && !has_header(extra_headers, "Retry-After") ? "Retry-After: 1\r\n"
									     : "",
		 extra_headers);
	if (text)
		http_reply_bytes(req, status, "application/problem+json", text, strlen(text), extra);
	else
		http_reply_bytes(req, 500, "application/problem+json", "{}", 2, NULL);
	free(text);
}

__attribute__((format(printf, 6, 0)))
static void problem_v(struct http_req *req, int status, const char *code, json_t *errors,
		      const char *extra_headers, const char *detail_fmt, va_list ap)
{
	char detail[512];
	json_t *body;

	vsnprintf(detail, sizeof(detail), detail_fmt, ap);
	body = http_problem_new(status, code, "%s", detail);
	if (body && errors)
		json_object_set_new(body, "errors", errors);
	else
		json_decref(errors);
	http_reply_problem_json(req, status, body, extra_headers);
	json_decref(body);
}

void http_reply_problem(struct http_req *req, int status, const char *code, json_t *errors,
			const char *detail_fmt, ...)
{
	va_list ap;

	va_start(ap, detail_fmt);
	problem_v(req, status, code, errors, NULL, detail_fmt, ap);
	va_end(ap);
}

void http_reply_problem_headers(struct http_req *req, int status, const char *code,
				json_t *errors, const char *extra_headers, const char *detail_fmt,
				...)
{
	va_list ap;

	va_start(ap, detail_fmt);
	problem_v(req, status, code, errors, extra_headers, detail_fmt, ap);
	va_end(ap);
}

void http_reply_json_etag(struct http_req *req, const char *body, size_t len,
			  const char *extra_headers)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char etag[2 * 16 + 3], headers[1024];

	/* 128 bits of the digest name a version of the body well enough. */
	SHA256((const unsigned char *)body, len, md);
	etag[0] = '"';
	text_hex_encode(md, 16, etag + 1);
	etag[33] = '"';
	etag[34] = '\0';
	snprintf(headers, sizeof(headers), "ETag: %s\r\n%s", etag,
		 extra_headers ? extra_headers : "");
	if (!http_reply_not_modified(req, etag, headers))
		http_reply_bytes(req, 200, "application/json", body, len, headers);
}

json_t *http_page_body(const json_t *items, int limit)
{
	size_t n = json_array_size(items);
	json_t *last = n ? json_object_get(json_array_get(items, n - 1), "id") : NULL;

	return http_page_body_at(items, json_integer_value(last), limit);
}

json_t *http_page_body_at(const json_t *items, long long last_key, int limit)
{
	return json_pack("{s:O, s:o}", "items", (json_t *)items, "next_cursor",
			 http_page_cursor(last_key, json_array_size(items), limit));
}

void http_reply_page(struct http_req *req, const json_t *items, int limit)
{
	json_t *body = http_page_body(items, limit);

	if (!body) {
		http_reply_error(req, LMS_ENOMEM);
		return;
	}
	http_reply_json(req, 200, body);
	json_decref(body);
}

/*
 * The one map from a database refusal to an answer, by SQLSTATE (or its
 * two-character class). A value the database's constraints refuse is the
 * request's fault; validation is meant to catch it first, so it is logged.
 * A read-only, overloaded, restarting or cancelling database passes.
 */
static const struct sqlstate_answer {
	const char *state;
	int status;
	const char *code, *detail;
} sqlstate_answers[] = {
	{"23514", 400, "validation_failed",
	 "a value is out of range or names something that does not exist"},
	{"23503", 400, "validation_failed",
	 "a value is out of range or names something that does not exist"},
	{"23502", 400, "validation_failed",
	 "a value is out of range or names something that does not exist"},
	{"22", 400, "validation_failed",
	 "a value is out of range or names something that does not exist"},
	{"25006", 503, "unavailable", "the database takes no changes here now: try again"},
	{"57014", 503, "unavailable", "the database took too long: try again"},
	{"57P", 503, "unavailable", "the database is restarting: try again"},
	{"53", 503, "unavailable", "the database is out of resources: try again"},
	{"08", 503, "unavailable", "the database connection failed: try again"},
};

static const struct sqlstate_answer *sqlstate_answer(const struct db_conn *db)
{
	for (size_t i = 0; db && i < sizeof(sqlstate_answers) / sizeof(sqlstate_answers[0]); i++)
		if (db->sqlstate[0] &&
		    !strncmp(db->sqlstate, sqlstate_answers[i].state, strlen(sqlstate_answers[i].state)))
			return &sqlstate_answers[i];
	return NULL;
}

void http_reply_error(struct http_req *req, int err)
{
	http_reply_db_error(req, err, "change");
}

void http_reply_db_error(struct http_req *req, int err, const char *what)
{
	/* A report's failure is on the database it reads, if that failed. */
	struct db_conn *db = req->read_db && req->read_db->sqlstate[0] ? req->read_db : req->db;
	const struct sqlstate_answer *a;

	if (err == LMS_EDB && (a = sqlstate_answer(db))) {
		log_warn("request %s: the database refused a %s: %s", req->request_id, what,
			 db->errmsg);
		http_reply_problem(req, a->status, a->code, NULL, "%s", a->detail);
		return;
	}
	switch (err) {
	case LMS_ENOTFOUND:
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
		return;
	case LMS_EFORBIDDEN:
		http_reply_problem(req, 403, "forbidden", NULL, "your roles do not allow this");
		return;
	case LMS_EINVAL:
		http_reply_problem(req, 400, "invalid_request", NULL, "the request is not valid");
		return;
	case LMS_ECONFLICT:
		http_reply_problem(req, 409, "conflict", NULL,
				   "the request conflicts with the current state");
		return;
	case LMS_ETOOBIG:
		http_reply_problem(req, 413, "too_large", NULL, "the request is too large");
		return;
	case LMS_EUNAVAILABLE:
	case LMS_ERETRY:
		http_reply_problem(req, 503, "unavailable", NULL,
				   "the database is unavailable or busy: try again");
		return;
	}
	/* Anything else is our bug or the database's: say little, log it. */
	log_error("request %s %s failed: %s%s%s", req->request_id, req->path ? req->path : "",
		  lms_strerror(err), db && db->errmsg[0] ? ": " : "", db ? db->errmsg : "");
	http_reply_problem(req, 500, "internal", NULL, "the request failed on the server (id %s)",
			   req->request_id);
}
