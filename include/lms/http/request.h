/* request.h - one HTTP request: path, parameters, bounded body, JSON input */
#ifndef LMS_HTTP_REQUEST_H
#define LMS_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "lms/core/principal.h"

/*
 * CivetWeb stays inside the web kit: its connection and request info are
 * opaque here (only the kit's own sources include <civetweb.h>), and
 * whatever a handler needs of them has a function below (headers, query,
 * cookies, Content-Length, the client's address; replies in response.h,
 * streams in stream.h). The caller's identity is a plain value (core's struct
 * principal) that the kit carries and never reads: the layer above fills it
 * in its authorise hook (the platform's guard) and the handlers read it.
 */
struct mg_connection;
struct mg_request_info;
struct http_app;
struct route;
struct db_conn;
struct db_pool;

#define HTTP_MAX_PARAMS 4

struct http_req {
	struct mg_connection *conn;
	const struct mg_request_info *ri;
	struct http_app *app;
	const struct route *route;       /* NULL when no route matched */
	const char *method;
	const char *target;              /* the path as sent, before decoding */
	char *path;                      /* percent-decoded path, owned */
	const char *query;               /* raw query string or NULL */
	const char *params[HTTP_MAX_PARAMS]; /* path parameters, into path_params */
	int nparams;
	char path_params[256];
	char request_id[33];
	struct timespec start;
	char *body;                      /* request body, NUL-terminated, owned */
	size_t body_len;
	json_t *json;                    /* parsed body when it is JSON, owned */
	struct db_conn *db;              /* from http_req_db_or_reply, released after */
	struct db_pool *db_pool;         /* the pool db came from */
	struct db_conn *read_db;         /* from http_req_read_db_or_reply's own pool */
	struct principal who;            /* the caller, once the guard identified it */
	bool session_ended;              /* the guard: a session cookie named no live session */
	bool static_file;                /* served from static/ */
	char script_src_extra[64];       /* a CSP source added to script-src, "" for none */
	bool close;                      /* the connection ends after the reply */
	bool body_pending;               /* a body is announced and not yet read */
	int fd;                          /* the connection's socket, -1 unknown */
	int status;                      /* status sent, 0 before the reply */
	long long bytes_out;
};

/* Request header by name, case-insensitive (borrowed), or NULL. */
const char *http_req_header(const struct http_req *req, const char *name);

/* The request's Content-Length, -1 when it has none (chunked or no body). */
long long http_req_content_length(const struct http_req *req);

/*
 * Copies the value of cookie name from the Cookie header into buf. Returns
 * its length, -1 when absent, -2 when it does not fit (no partial value).
 */
int http_req_cookie(const struct http_req *req, const char *name, char *buf, size_t len);

/*
 * Copies the percent-decoded query parameter name into buf. Returns the
 * length, -1 when absent, -2 when it does not fit or is not valid UTF-8 or
 * has control characters.
 */
int http_req_query(const struct http_req *req, const char *name, char *buf, size_t len);

/*
 * Parses path parameter i as a positive 64-bit id into *out. Replies 404
 * (an id that cannot exist names no resource) and returns false otherwise.
 */
bool http_req_param_id_or_reply(struct http_req *req, int i, long long *out);

/*
 * The language to answer in, "ko" or "en": ?lang= when it names one of
 * them, else the preferred of the two in Accept-Language (by q-value),
 * else Korean. Returns a static string.
 */
const char *http_req_lang(const struct http_req *req);

/*
 * Parses the query parameter name as a positive id into *out (0 when it is
 * absent). Replies 400 naming it and returns false when it is not an id.
 */
bool http_req_query_id_or_reply(struct http_req *req, const char *name, long long *out);

/*
 * Hands out a pooled database connection for this request (released when
 * the request ends). Replies 503 problem+json and returns NULL when the
 * pool has none within its bound or the database is down. Routes that
 * stream reports (ROUTE_REPORT) draw from the reports' own small pool and
 * do not wait: when all of its connections are busy the answer is 503 with
 * Retry-After at once, and no report ever holds a connection that the
 * catalogue, enrolment or sign-in need.
 */
struct db_conn *http_req_db_or_reply(struct http_req *req);

/* http_req_db_or_reply without the reply: 0, or LMS_EUNAVAILABLE with a
 * message in errmsg (for callers that must not answer, such as audit). */
int http_req_db_acquire(struct http_req *req, char *errmsg, size_t errlen);

/*
 * The connection reports read from (released when the request ends): one
 * of app->read_pool (report_database_url, typically a streaming replica)
 * when there is one, else http_req_db_or_reply's. Writes, audit rows
 * included, stay on req->db. Replies 503 and returns NULL as
 * http_req_db_or_reply does.
 */
struct db_conn *http_req_read_db_or_reply(struct http_req *req);

/* Gives the request's database connections back to their pools early (a
 * connection that failed is replaced there). */
void http_req_db_release(struct http_req *req);

/* Ends the connection after this request: a reply not yet started says
 * Connection: close; one already sent ends with the connection (a stream
 * cut short, fewer bytes than promised). */
void http_req_close(struct http_req *req);

/*
 * Receives a JSON route's body (at most limit bytes, within the body
 * deadline) into req->body. On failure replies (400, 408, 413, 503), ends
 * the connection and returns false.
 */
bool http_req_body_or_reply(struct http_req *req, long long limit);

/* An uploaded body, kept in a temporary file (see http_req_body_to_file). */
struct http_upload {
	char path[4096];       /* the temporary file; the caller renames or unlinks it */
	long long size;
	char sha256[65];       /* lower-case hex digest of the bytes */
};

/*
 * Receives the request body (at most cfg->max_upload_bytes, within the
 * body deadline) into a new temporary file in dir, hashing it on the way,
 * after giving back the request's database connection: a slow sender
 * holds only its own connection. Call it after authorising. On failure
 * replies (400, 408, 413, 503), leaves no file and returns false.
 */
bool http_req_body_to_file_or_reply(struct http_req *req, const char *dir,
				    struct http_upload *up);

/*
 * Receives the request body (at most limit bytes, within the body
 * deadline) piece by piece, handing each to each(ctx, data, len) as it
 * arrives, after giving back the request's database connection; nothing of
 * it is kept. Returns true when the whole body was taken. When each()
 * fails, stops reading, sets *each_rc to its error, ends the connection and
 * returns false without replying (the caller answers for it); when the
 * body cannot be received, replies (400, 408, 413, 503) and returns false
 * with *each_rc 0.
 */
bool http_req_body_each_or_reply(struct http_req *req, long long limit,
				 int (*each)(void *ctx, const char *data, size_t len), void *ctx,
				 int *each_rc);

/*
 * Adds {"field": field, "message": message} to the array *errors, creating
 * it when NULL (for checks of the handler's own; body schemas: schema.h).
 */
void http_json_error_add(json_t **errors, const char *field, const char *message);

/*
 * Reads the list parameters "limit" (1..100, default 20) and "cursor" (an
 * opaque string from a previous page's next_cursor; *cursor_id gets the row
 * id that page ended at, 0 without a cursor). Replies 400 naming the
 * parameter and returns false when either is bad.
 */
bool http_req_page_or_reply(struct http_req *req, int *limit, long long *cursor_id);

/* The opaque cursor for a page that ended at row id (new reference, a
 * JSON string), or JSON null when the page was not full (no more rows). */
json_t *http_page_cursor(long long last_id, size_t count, int limit);

/*
 * Reads a cursor that http_page_cursor made (text: NUL-terminated, from the
 * query string) into *id, the row id its page ended at. Returns false for
 * anything else (then *id is unspecified).
 */
bool http_page_cursor_decode(const char *text, long long *id);

/* Deepest nesting of arrays and objects a JSON body may have. */
#define HTTP_JSON_MAX_DEPTH 64

/*
 * Whether the JSON text in body[0..len) nests arrays and objects at most
 * max_depth deep. A linear scan that skips strings and needs no stack: a
 * parser that recurses (jansson does) is handed only what it can finish.
 * Malformed text passes when it is shallow; the parser refuses it then.
 */
bool http_json_depth_ok(const char *body, size_t len, int max_depth);

/*
 * Whether host is a valid Host header value (RFC 9110 7.2, RFC 3986 3.2.2):
 * a registered name, IPv4 address or [IPv6 literal], with an optional
 * :port. Empty, spaces, '/', '@' and the like are not.
 */
bool http_host_valid(const char *host);

/*
 * Splits an absolute-form request target ("http://host[:port]/path?q",
 * RFC 9112 3.2.2; schemes http, https, ws, wss) into the host name (no
 * port, copied into host) and the path it addresses (returned, borrowed
 * from target). Returns NULL when target is not such a target or the host
 * is not valid or does not fit.
 */
const char *http_target_absolute(const char *target, char *host, size_t hostlen);

/* Decodes a percent-encoded path into a new string. Fails (NULL) on a bad
 * escape, invalid UTF-8, or any control character or NUL after decoding. */
char *http_path_decode(const char *raw);

/*
 * The client's address, written into buf (NETADDR_TEXT_MAX bytes suffice)
 * and returned: the peer's, or, when the peer is one of the configured
 * trusted_proxies, the right-most X-Forwarded-For entry that is not one of
 * them (see netaddr_client). A header a trusted proxy sent that does not
 * parse is ignored, as is the header of any other peer.
 */
const char *http_req_client_addr(const struct http_req *req, char *buf, size_t len);

#endif
