/* metrics.h - request counters and latency histogram in Prometheus text */
#ifndef LMS_HTTP_METRICS_H
#define LMS_HTTP_METRICS_H

#include <stddef.h>

#include "lms/db/pool.h"
#include "lms/http/routes.h"

/* Label slots besides the route table's: static files and unmatched paths. */
#define METRICS_ROUTE_STATIC ((size_t)-1)
#define METRICS_ROUTE_NONE ((size_t)-2)

/* Counts one request of route index r (or a METRICS_ROUTE_ slot) that
 * ended with status after seconds. Lock-free, thread-safe. */
void metrics_observe(size_t r, int status, double seconds);

/* Renders every metric as Prometheus text (new string, free()), or NULL;
 * requests are labelled with the patterns of routes, the table they were
 * counted against. */
char *metrics_render(const struct route_table *routes, const struct db_pool_stats *pool,
		     const struct db_pool_stats *reports);

#endif
