/* response.h - replies: JSON, problem+json, files, with the security headers */
#ifndef LMS_HTTP_RESPONSE_H
#define LMS_HTTP_RESPONSE_H

#include <jansson.h>
#include <stddef.h>

#include "lms/http/request.h"

/*
 * Starts a response: the status line, then the security headers, the
 * request id and Cache-Control every response carries, then extra_headers
 * (zero or more "Name: value\r\n" lines, may be NULL), then the blank line.
 * content_length < 0 means chunked transfer encoding. Records the status
 * on req. A body that is not sent whole at once goes through a stream
 * (stream.h), which starts with this.
 */
void http_reply_start(struct http_req *req, int status, const char *content_type,
		      long long content_length, const char *extra_headers);

/* Sends body (len bytes) in full with the given status and type. */
void http_reply_bytes(struct http_req *req, int status, const char *content_type,
		      const void *body, size_t len, const char *extra_headers);

/* Sends json (borrowed) as application/json. */
void http_reply_json(struct http_req *req, int status, const json_t *json);

/* The same with extra "Name: value\r\n" header lines (Set-Cookie, Location). */
void http_reply_json_headers(struct http_req *req, int status, const json_t *json,
			     const char *extra_headers);

/*
 * Replies 200 with the JSON text body (len bytes) and a strong ETag of its
 * SHA-256, or 304 without a body when If-None-Match names that tag.
 * extra_headers as for http_reply_start (Cache-Control, Vary).
 */
void http_reply_json_etag(struct http_req *req, const char *body, size_t len,
			  const char *extra_headers);

/* {"items": items, "next_cursor": ...} (new) for a page of at most limit
 * rows ordered by their "id" (items borrowed). */
json_t *http_page_body(const json_t *items, int limit);
/* The same for rows ordered by another key, last_key that of the last. */
json_t *http_page_body_at(const json_t *items, long long last_key, int limit);

/*
 * Replies 200 {"items": items, "next_cursor": ...} for a page of at most
 * limit rows ordered by their "id" (items borrowed).
 */
void http_reply_page(struct http_req *req, const json_t *items, int limit);

/*
 * The one map from an lms_err to a problem reply: ENOTFOUND 404, EFORBIDDEN
 * 403, EINVAL 400, ECONFLICT 409, ETOOBIG 413, EUNAVAILABLE and ERETRY 503;
 * EDB by the SQLSTATE table of http_reply_db_error; anything else is logged
 * with the database message and answered 500.
 */
void http_reply_error(struct http_req *req, int err);

/*
 * http_reply_error, where LMS_EDB is first looked up by the connection's
 * SQLSTATE in the one table of database refusals: a CHECK, NOT NULL or
 * foreign-key violation or a bad value is 400 validation_failed (logged as
 * "the database refused a <what>", since validation should have caught it);
 * a read-only, cancelled, restarting or exhausted database is 503.
 */
void http_reply_db_error(struct http_req *req, int err, const char *what);

/*
 * Sends an RFC 9457 problem: {"type","title","status","detail","code"} and,
 * when errors is not NULL, "errors" (stolen). detail is printf-style.
 */
void http_reply_problem(struct http_req *req, int status, const char *code, json_t *errors,
			const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));

/* A problem object (new) to add members to before replying with
 * http_reply_problem_json. */
json_t *http_problem_new(int status, const char *code, const char *detail_fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sends problem (borrowed) as application/problem+json. */
void http_reply_problem_json(struct http_req *req, int status, const json_t *problem,
			     const char *extra_headers);

/* http_reply_problem with extra "Name: value\r\n" header lines (Allow,
 * Retry-After, WWW-Authenticate). */
void http_reply_problem_headers(struct http_req *req, int status, const char *code,
				json_t *errors, const char *extra_headers, const char *detail_fmt,
				...) __attribute__((format(printf, 6, 7)));

/* The default problem "title" for a status, e.g. "Not Found". */
const char *http_status_text(int status);

#endif
