/* metrics.c - request counters and latency histogram in Prometheus text */
#include "lms/http/metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/http/routes.h"

/* Enough rows for the route table; checked when a request is counted. */
#define MAX_ROUTES 256
#define ROW_STATIC MAX_ROUTES
#define ROW_NONE (MAX_ROUTES + 1)
#define NSTATUS 500 /* 100..599 */

static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				0.1,   0.25,   0.5,   1,    2.5,   5, 10};
#define NBUCKETS (sizeof(bounds) / sizeof(bounds[0]))

static atomic_ullong requests[MAX_ROUTES + 2][NSTATUS];
static atomic_ullong buckets[NBUCKETS + 1];
static atomic_ullong latency_count;
static atomic_ullong latency_sum_us;

void metrics_observe(size_t r, int status, double seconds)
{
	size_t row = r == METRICS_ROUTE_STATIC ? ROW_STATIC
		     : r == METRICS_ROUTE_NONE || r >= MAX_ROUTES ? ROW_NONE
								   : r;
	size_t b = 0;

	if (status >= 100 && status < 600)
		atomic_fetch_add_explicit(&requests[row][status - 100], 1, memory_order_relaxed);
	while (b < NBUCKETS && seconds > bounds[b])
		b++;
	atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&latency_count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&latency_sum_us, (unsigned long long)(seconds * 1e6),
				  memory_order_relaxed);
}

static const char *row_label(const struct route_table *routes, size_t row)
{
	if (row == ROW_STATIC)
		return "static";
	if (row == ROW_NONE)
		return "unmatched";
	return routes->routes[row].pattern;
}

char *metrics_render(const struct route_table *routes, const struct db_pool_stats *pool,
		     const struct db_pool_stats *reports)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	unsigned long long cumulative = 0;
	size_t nroutes = routes->count;

	if (!f)
		return NULL;
	fputs("# HELP lms_http_requests_total HTTP requests by route and status.\n"
	      "# TYPE lms_http_requests_total counter\n", f);
	for (size_t row = 0; row < MAX_ROUTES + 2; row++) {
		if (row >= nroutes && row < ROW_STATIC)
			continue;
		for (int s = 0; s < NSTATUS; s++) {
			unsigned long long n =
				atomic_load_explicit(&requests[row][s], memory_order_relaxed);
			if (n)
				fprintf(f, "lms_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
					row_label(routes, row), s + 100, n);
		}
	}
	fputs("# HELP lms_http_request_duration_seconds Time from request to reply.\n"
	      "# TYPE lms_http_request_duration_seconds histogram\n", f);
	for (size_t b = 0; b <= NBUCKETS; b++) {
		cumulative += atomic_load_explicit(&buckets[b], memory_order_relaxed);
		if (b < NBUCKETS)
			fprintf(f, "lms_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
				bounds[b], cumulative);
		else
			fprintf(f, "lms_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
				cumulative);
	}
	fprintf(f, "lms_http_request_duration_seconds_sum %.6f\n",
		(double)atomic_load_explicit(&latency_sum_us, memory_order_relaxed) / 1e6);
	fprintf(f, "lms_http_request_duration_seconds_count %llu\n",
		atomic_load_explicit(&latency_count, memory_order_relaxed));
	fprintf(f,
		"# HELP lms_db_pool_size Database connections the pool may open.\n"
		"# TYPE lms_db_pool_size gauge\n"
		"lms_db_pool_size %d\n"
		"# HELP lms_db_pool_in_use Database connections handed out now.\n"
		"# TYPE lms_db_pool_in_use gauge\n"
		"lms_db_pool_in_use %d\n"
		"# HELP lms_db_pool_timeouts_total Requests that found no free connection in time.\n"
		"# TYPE lms_db_pool_timeouts_total counter\n"
		"lms_db_pool_timeouts_total %lld\n",
		pool->size, pool->in_use, pool->timeouts);
	fprintf(f,
		"# HELP lms_db_report_pool_size Database connections streamed reports may open.\n"
		"# TYPE lms_db_report_pool_size gauge\n"
		"lms_db_report_pool_size %d\n"
		"# HELP lms_db_report_pool_in_use Report connections handed out now.\n"
		"# TYPE lms_db_report_pool_in_use gauge\n"
		"lms_db_report_pool_in_use %d\n"
		"# HELP lms_db_report_pool_busy_total Reports answered 503 as every report "
		"connection was in use.\n"
		"# TYPE lms_db_report_pool_busy_total counter\n"
		"lms_db_report_pool_busy_total %lld\n",
		reports->size, reports->in_use, reports->timeouts);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
