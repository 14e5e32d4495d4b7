/* ops_http.c - operations endpoints: liveness, readiness, metrics */
#include "lms/http/ops_http.h"

#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/migrate.h"
#include "lms/db/pool.h"
#include "lms/http/metrics.h"
#include "lms/http/response.h"
#include "lms/http/server.h"

void ops_healthz(struct http_req *req)
{
	static const char body[] = "{\"status\":\"ok\"}";
	http_reply_bytes(req, 200, "application/json", body, sizeof(body) - 1, NULL);
}

void ops_readyz(struct http_req *req)
{
	static const char body[] = "{\"status\":\"ready\",\"database\":\"ok\",\"schema\":\"current\"}";
	struct db_conn *db;
	char err[512];
	int rc;

	/* A stopping server still answers, but asks for no new work. */
	if (atomic_load(&req->app->draining)) {
		http_reply_problem(req, 503, "stopping", NULL,
				   "the server is stopping: send requests to another instance");
		return;
	}
	if (!(db = http_req_db_or_reply(req)))
		return;
	/* The pool hands out a connection that looks fine; this query proves
	 * the server still answers. */
	rc = migrate_check(db, req->app->migrations, err, sizeof(err));
	if (rc == LMS_EUNAVAILABLE) {
		http_reply_problem(req, 503, "unavailable", NULL, "database unavailable: %s", err);
		return;
	}
	if (rc < 0) {
		http_reply_problem(req, 503, "not_ready", NULL, "%s", err);
		return;
	}
	http_reply_bytes(req, 200, "application/json", body, sizeof(body) - 1, NULL);
}

void ops_metrics(struct http_req *req)
{
	struct db_pool_stats stats, reports = {0};
	char *text;

	db_pool_stats_get(req->app->pool, &stats);
	if (req->app->report_pool)
		db_pool_stats_get(req->app->report_pool, &reports);
	if (!(text = metrics_render(req->app->routes, &stats, &reports))) {
		http_reply_problem(req, 500, "internal", NULL, "out of memory");
		return;
	}
	http_reply_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text),
			 NULL);
	free(text);
}
