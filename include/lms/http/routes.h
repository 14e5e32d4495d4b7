/* routes.h - route matching: method bits, patterns, 404 vs 405, on a table it is given */
#ifndef LMS_HTTP_ROUTES_H
#define LMS_HTTP_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "lms/http/request.h"

/*
 * The web kit matches requests against a table but owns none: the
 * application's table (lms/api/routes.h) is handed to the server at start
 * (struct http_app.routes), together with the hook that authorises a
 * request before its handler runs.
 */

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
	int action;             /* what the authorise hook checks before the handler;
				 * the kit does not read it */
	unsigned flags;
};

/* An application's routes: count entries at routes (borrowed, static). */
struct route_table {
	const struct route *routes;
	size_t count;
};

/* The enum http_method bit of a method name, 0 when unknown. */
unsigned http_method_bit(const char *method);

/* "GET, HEAD, POST" for a method mask, into buf. */
void http_methods_format(unsigned methods, char *buf, size_t len);

/*
 * Finds the route of t for (method, path). Fills req->params / req->nparams
 * from the route's {x} segments. Returns the route (borrowed from t), or
 * NULL; then *allow holds the methods of routes whose pattern matches path
 * (0: no such path). The first matching entry wins, and the search stops
 * there: *allow then holds the methods of the matches up to it.
 */
const struct route *routes_match(const struct route_table *t, struct http_req *req,
				 unsigned method, unsigned *allow);

/* Whether path matches pattern; fills req->params for its {x} segments. */
bool routes_pattern_match(const char *pattern, const char *path, struct http_req *req);

/* The index of r in t (the metrics label slot of its pattern). */
size_t routes_index(const struct route_table *t, const struct route *r);

#endif
