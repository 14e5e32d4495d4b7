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
	static const char current[] =
		"{\"status\":\"ready\",\"database\":\"ok\",\"schema\":\"current\"}";
	static const char newer[] =
		"{\"status\":\"ready\",\"database\":\"ok\",\"schema\":\"ahead\"}";
	struct db_conn *db;
	bool ahead;
	enum db_role role;
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
	 * the server still answers. A schema ahead of this build is a rolling
	 * upgrade's: the instance stays in service until it is replaced. */
	rc = migrate_check(db, req->app->migrations, &ahead, err, sizeof(err));
	if (rc == LMS_EUNAVAILABLE) {
		http_reply_problem(req, 503, "unavailable", NULL, "database unavailable: %s", err);
		return;
	}
	if (rc < 0) {
		http_reply_problem(req, 503, "not_ready", NULL, "%s", err);
		return;
	}
	/* A replica (or a primary turned read-only) behind the main URL serves
	 * reads and refuses every sign-in and change: not ready. */
	if ((rc = db_role_read(db, &role)) < 0) {
		http_reply_problem(req, 503, "unavailable", NULL, "database unavailable: %s",
				   db->errmsg);
		return;
	}
	if (role != DB_ROLE_PRIMARY) {
		http_reply_problem(req, 503, "database_read_only", NULL,
				   "the database behind app_database_url is %s: it takes no "
				   "changes; point it at the primary",
				   role == DB_ROLE_REPLICA ? "a replica (in recovery)"
							   : "read-only (default_transaction_read_only)");
		return;
	}
	if (ahead)
		http_reply_bytes(req, 200, "application/json", newer, sizeof(newer) - 1, NULL);
	else
		http_reply_bytes(req, 200, "application/json", current, sizeof(current) - 1, NULL);
}

/* What the scrape shows of the pools and of the databases behind them. */
static void pools_read(const struct http_app *app, struct metrics_input *in)
{
	db_pool_stats_get(app->pool, &in->pools[0].stats);
	in->pools[0].name = "main";
	in->pools[1].name = "report";
	if (app->report_pool)
		db_pool_stats_get(app->report_pool, &in->pools[1].stats);
	in->npools = 2;
	in->databases[in->ndatabases].name = "app";
	in->databases[in->ndatabases++].role = in->pools[0].stats.role;
	if (app->read_pool) {
		in->pools[2].name = "replica";
		db_pool_stats_get(app->read_pool, &in->pools[2].stats);
		in->npools = 3;
		in->databases[in->ndatabases].name = "report";
		in->databases[in->ndatabases++].role = in->pools[2].stats.role;
	}
}

void ops_metrics(struct http_req *req)
{
	const struct http_app *app = req->app;
	struct metrics_input in = {.routes = app->routes};
	char *text;

	pools_read(app, &in);
	db_listener_stats_get(app->listener, &in.listener);
	if (app->listener) {
		in.databases[in.ndatabases].name = "listen";
		in.databases[in.ndatabases++].role = in.listener.role;
	}
	http_cache_stats_get(app->cache, &in.cache);
	in.reports_in_flight = atomic_load(&req->app->reports_in_flight);
	if (!(text = metrics_render(&in))) {
		http_reply_problem(req, 500, "internal", NULL, "out of memory");
		return;
	}
	if (app->metrics_more) {
		char *more = app->metrics_more(req), *both = NULL;

		if (more && asprintf(&both, "%s%s", text, more) >= 0) {
			free(text);
			text = both;
		}
		free(more);
	}
	http_reply_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text),
			 NULL);
	free(text);
}
