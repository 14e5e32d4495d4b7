/* metrics.h - request counters and latency histograms in Prometheus text */
#ifndef LMS_HTTP_METRICS_H
#define LMS_HTTP_METRICS_H

#include <stddef.h>

#include "lms/db/listen.h"
#include "lms/db/pool.h"
#include "lms/http/cache.h"
#include "lms/http/routes.h"

/* Label slots besides the route table's: static files and unmatched paths. */
#define METRICS_ROUTE_STATIC ((size_t)-1)
#define METRICS_ROUTE_NONE ((size_t)-2)

/* Counts one request of route index r (or a METRICS_ROUTE_ slot) and
 * method (one enum http_method bit; 0 or any other value: "OTHER") that
 * ended with status after seconds, in its counter and in the latency
 * histogram of its route and method. Lock-free, thread-safe. */
void metrics_observe(size_t r, unsigned method, int status, double seconds);

/* What /metrics shows besides the requests: read at the scrape. */
struct metrics_input {
	const struct route_table *routes; /* the table requests were counted against */
	struct {
		const char *name;   /* "main", "report", "replica" (static) */
		struct db_pool_stats stats;
	} pools[3];                       /* [0] main, [1] report (may be all zero) */
	size_t npools;
	struct {
		const char *name;   /* "app", "report", "listen" (static) */
		enum db_role role;
	} databases[3];
	size_t ndatabases;
	struct db_listener_stats listener;
	struct http_cache_stats cache;
	int reports_in_flight;
};

/* Renders every metric as Prometheus text (new string, free()), or NULL. */
char *metrics_render(const struct metrics_input *in);

#endif
