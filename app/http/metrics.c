/* metrics.c - request counters and latency histograms in Prometheus text */
#include "lms/http/metrics.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/http/routes.h"

/* Enough rows for the route table; checked when a request is counted. */
#define MAX_ROUTES 256
#define ROW_STATIC MAX_ROUTES
#define ROW_NONE (MAX_ROUTES + 1)
#define NROWS (MAX_ROUTES + 2)
#define NSTATUS 500 /* 100..599 */

/* One slot per enum http_method bit, in bit order, and one for the rest:
 * two entries of the table may share a pattern (GET and PATCH of one
 * path), so a series is told apart by its method too. */
static const char *const method_names[] = {"GET",   "HEAD",   "POST",    "PUT",
					   "PATCH", "DELETE", "OPTIONS", "OTHER"};
#define NMETHODS (sizeof(method_names) / sizeof(method_names[0]))
#define METHOD_OTHER (NMETHODS - 1)

static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				0.1,   0.25,   0.5,   1,    2.5,   5, 10};
#define NBUCKETS (sizeof(bounds) / sizeof(bounds[0]))

/* The latency of one route and method. */
struct histogram {
	atomic_ullong buckets[NBUCKETS + 1];
	atomic_ullong count;
	atomic_ullong sum_us;
};

static atomic_ullong requests[NROWS][NMETHODS][NSTATUS];
static struct histogram latency[NROWS][NMETHODS];

static size_t method_slot(unsigned method)
{
	for (size_t m = 0; m < METHOD_OTHER; m++)
		if (method == 1u << m)
			return m;
	return METHOD_OTHER;
}

void metrics_observe(size_t r, unsigned method, int status, double seconds)
{
	size_t row = r == METRICS_ROUTE_STATIC ? ROW_STATIC
		     : r == METRICS_ROUTE_NONE || r >= MAX_ROUTES ? ROW_NONE
								   : r;
	size_t m = method_slot(method), b = 0;
	struct histogram *h = &latency[row][m];

	if (status >= 100 && status < 600)
		atomic_fetch_add_explicit(&requests[row][m][status - 100], 1,
					  memory_order_relaxed);
	while (b < NBUCKETS && seconds > bounds[b])
		b++;
	atomic_fetch_add_explicit(&h->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_us, (unsigned long long)(seconds * 1e6),
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

/* Whether row and method slot m can hold requests: a method of a route of
 * the table (GET implies HEAD), or any method of the two other slots. */
static bool slot_used(const struct route_table *routes, size_t row, size_t m)
{
	unsigned methods;

	if (row >= ROW_STATIC)
		return true;
	if (row >= routes->count)
		return false;
	methods = routes->routes[row].methods;
	if (methods & HTTP_GET)
		methods |= HTTP_HEAD;
	return m < METHOD_OTHER && (methods & (1u << m));
}

static void render_counts(FILE *f, const struct route_table *routes, size_t row, size_t m)
{
	for (int s = 0; s < NSTATUS; s++) {
		unsigned long long n =
			atomic_load_explicit(&requests[row][m][s], memory_order_relaxed);

		if (n)
			fprintf(f,
				"lms_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"}"
				" %llu\n",
				row_label(routes, row), method_names[m], s + 100, n);
	}
}

/* A histogram is shown once it has counted a request: an idle route and
 * method would otherwise add fifteen lines of zeros. */
static void render_histogram(FILE *f, const struct route_table *routes, size_t row, size_t m)
{
	const struct histogram *h = &latency[row][m];
	unsigned long long cumulative = 0, count;
	const char *route = row_label(routes, row), *method = method_names[m];

	if (!(count = atomic_load_explicit(&h->count, memory_order_relaxed)))
		return;
	for (size_t b = 0; b <= NBUCKETS; b++) {
		char le[16];

		cumulative += atomic_load_explicit(&h->buckets[b], memory_order_relaxed);
		if (b < NBUCKETS)
			snprintf(le, sizeof(le), "%g", bounds[b]);
		else
			snprintf(le, sizeof(le), "+Inf");
		fprintf(f,
			"lms_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\","
			"le=\"%s\"} %llu\n",
			route, method, le, cumulative);
	}
	fprintf(f, "lms_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n",
		route, method,
		(double)atomic_load_explicit(&h->sum_us, memory_order_relaxed) / 1e6);
	fprintf(f, "lms_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n",
		route, method, count);
}

static void render_requests(FILE *f, const struct route_table *routes)
{
	fputs("# HELP lms_http_requests_total HTTP requests by route, method and status.\n"
	      "# TYPE lms_http_requests_total counter\n", f);
	for (size_t row = 0; row < NROWS; row++)
		for (size_t m = 0; m < NMETHODS; m++)
			if (slot_used(routes, row, m))
				render_counts(f, routes, row, m);
	fputs("# HELP lms_http_request_duration_seconds Time from request to reply, by route "
	      "and method.\n"
	      "# TYPE lms_http_request_duration_seconds histogram\n", f);
	for (size_t row = 0; row < NROWS; row++)
		for (size_t m = 0; m < NMETHODS; m++)
			if (slot_used(routes, row, m))
				render_histogram(f, routes, row, m);
}

static void render_pools(FILE *f, const struct metrics_input *in)
{
	const struct db_pool_stats *pool = &in->pools[0].stats, *reports = &in->pools[1].stats;

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
	fputs("# HELP lms_db_pool_waits_total Acquisitions that found every connection of the "
	      "pool in use.\n"
	      "# TYPE lms_db_pool_waits_total counter\n", f);
	for (size_t i = 0; i < in->npools; i++)
		fprintf(f, "lms_db_pool_waits_total{pool=\"%s\"} %lld\n", in->pools[i].name,
			in->pools[i].stats.waits);
	fputs("# HELP lms_db_pool_wait_seconds_total Time acquisitions spent waiting.\n"
	      "# TYPE lms_db_pool_wait_seconds_total counter\n", f);
	for (size_t i = 0; i < in->npools; i++)
		fprintf(f, "lms_db_pool_wait_seconds_total{pool=\"%s\"} %.6f\n",
			in->pools[i].name, in->pools[i].stats.wait_seconds);
}

static void render_databases(FILE *f, const struct metrics_input *in)
{
	fputs("# HELP lms_db_role What each configured database URL is to writes "
	      "(primary, replica, read_only, unknown).\n"
	      "# TYPE lms_db_role gauge\n", f);
	for (size_t i = 0; i < in->ndatabases; i++)
		fprintf(f, "lms_db_role{database=\"%s\",role=\"%s\"} 1\n",
			in->databases[i].name, db_role_name(in->databases[i].role));
	fprintf(f,
		"# HELP lms_listener_up 1 while the catalogue's change feed hears its own "
		"heartbeats.\n"
		"# TYPE lms_listener_up gauge\n"
		"lms_listener_up %d\n"
		"# HELP lms_listener_last_heartbeat_seconds Seconds since a heartbeat came back "
		"(-1: none yet).\n"
		"# TYPE lms_listener_last_heartbeat_seconds gauge\n"
		"lms_listener_last_heartbeat_seconds %.3f\n"
		"# HELP lms_listener_lost_total Times the change feed stopped receiving.\n"
		"# TYPE lms_listener_lost_total counter\n"
		"lms_listener_lost_total %lld\n",
		in->listener.up, in->listener.last_heartbeat_s, in->listener.lost);
}

static void render_cache(FILE *f, const struct metrics_input *in)
{
	fprintf(f,
		"# HELP lms_cache_hits_total Catalogue responses served from memory.\n"
		"# TYPE lms_cache_hits_total counter\n"
		"lms_cache_hits_total %llu\n"
		"# HELP lms_cache_misses_total Catalogue responses read from the database.\n"
		"# TYPE lms_cache_misses_total counter\n"
		"lms_cache_misses_total %llu\n"
		"# HELP lms_cache_fills_total Catalogue misses that ran the query for every "
		"simultaneous miss of the same response.\n"
		"# TYPE lms_cache_fills_total counter\n"
		"lms_cache_fills_total %llu\n"
		"# HELP lms_cache_waits_total Catalogue lookups that waited for another request "
		"to fill the same response.\n"
		"# TYPE lms_cache_waits_total counter\n"
		"lms_cache_waits_total %llu\n"
		"# HELP lms_cache_ttl_seconds How long a catalogue response is kept now (short "
		"while the change feed is not heard).\n"
		"# TYPE lms_cache_ttl_seconds gauge\n"
		"lms_cache_ttl_seconds %.3f\n"
		"# HELP lms_report_streams_in_flight Streamed reports being sent now.\n"
		"# TYPE lms_report_streams_in_flight gauge\n"
		"lms_report_streams_in_flight %d\n",
		in->cache.hits, in->cache.misses, in->cache.fills, in->cache.waits,
		in->cache.ttl_ms / 1000.0,
		in->reports_in_flight);
}

char *metrics_render(const struct metrics_input *in)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	render_requests(f, in->routes);
	render_pools(f, in);
	render_databases(f, in);
	render_cache(f, in);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
