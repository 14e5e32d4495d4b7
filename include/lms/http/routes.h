/* routes.h - the route table: method mask, pattern, handler, access level */
#ifndef LMS_HTTP_ROUTES_H
#define LMS_HTTP_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "lms/auth/guard.h"
#include "lms/http/request.h"

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_PATCH = 1 << 4,
	HTTP_DELETE = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
};

enum route_flags {
	ROUTE_RAW_BODY = 1 << 0, /* body is not JSON (uploads): no 415; the
				  * handler reads it (http_req_body_to_file_or_reply) */
	ROUTE_REPORT = 1 << 1,   /* a streamed report: database connections from
				  * the reports' own pool */
};

typedef void (*http_handler)(struct http_req *req);

struct route {
	unsigned methods;       /* enum http_method bits; GET implies HEAD */
	const char *pattern;    /* "/api/v1/courses/{id}": {x} matches one segment */
	http_handler handler;
	enum guard_action action;  /* checked by the guard before the handler */
	unsigned flags;
};

/* The enum http_method bit of a method name, 0 when unknown. */
unsigned http_method_bit(const char *method);

/* "GET, HEAD, POST" for a method mask, into buf. */
void http_methods_format(unsigned methods, char *buf, size_t len);

/*
 * Finds the route for (method, path). Fills req->params / req->nparams from
 * the route's {x} segments. Returns the route, or NULL; then *allow holds
 * the methods of routes whose pattern matches path (0: no such path).
 */
const struct route *routes_match(struct http_req *req, unsigned method, unsigned *allow);

/* Whether path matches pattern; fills req->params for its {x} segments. */
bool routes_pattern_match(const char *pattern, const char *path, struct http_req *req);

/* The table, for metrics labels: routes_count() entries, index of r. */
size_t routes_count(void);
const struct route *routes_at(size_t i);
size_t routes_index(const struct route *r);

#endif
