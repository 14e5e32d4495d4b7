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

static void render_requests(FILE *f, const struct route_table *routes)
{
	unsigned long long cumulative = 0;
	size_t nroutes = routes->count;

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
		"# HELP lms_cache_ttl_seconds How long a catalogue response is kept now (short "
		"while the change feed is not heard).\n"
		"# TYPE lms_cache_ttl_seconds gauge\n"
		"lms_cache_ttl_seconds %.3f\n"
		"# HELP lms_report_streams_in_flight Streamed reports being sent now.\n"
		"# TYPE lms_report_streams_in_flight gauge\n"
		"lms_report_streams_in_flight %d\n",
		in->cache.hits, in->cache.misses, in->cache.ttl_ms / 1000.0,
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
