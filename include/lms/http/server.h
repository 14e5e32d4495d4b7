/* server.h - the HTTPS server: CivetWeb set-up, dispatch, shutdown */
#ifndef LMS_HTTP_SERVER_H
#define LMS_HTTP_SERVER_H

#include <stdatomic.h>
#include <stddef.h>

#include "lms/core/config.h"
#include "lms/db/migrate.h"
#include "lms/db/pool.h"
#include "lms/http/routes.h"

/* Runs before the handler of a matched route: true to go on, or false
 * once it has replied (401, 403, 503). */
typedef bool (*http_authorise)(struct http_req *req);

/*
 * What every request can reach; owned by the caller of http_server_start.
 * The application above the kit fills routes, authorise and state (the
 * platform's api_register does); the kit reads nothing of state.
 */
struct http_app {
	const struct lms_config *cfg;
	struct db_pool *pool;
	struct db_pool *report_pool; /* streamed reports only; NULL: they use pool */
	struct db_pool *read_pool;   /* what reports read (report_database_url, a
				      * replica); NULL: they read where they write */
	const struct migration_set *migrations;
	char tls_cert[4096];     /* PEM paths the listener uses */
	char tls_key[4096];
	char static_root[4096];  /* real path of cfg->static_dir */
	struct http_cache *cache; /* catalogue responses; NULL: none */
	struct db_listener *listener; /* the catalogue's change feed, for /metrics; may be NULL */
	const struct route_table *routes; /* what requests are matched against */
	http_authorise authorise; /* NULL: every matched route is open */
	void *state;             /* the application's own, for its handlers (borrowed) */
	/* More of /metrics from the application, in Prometheus text (a new
	 * string, or NULL for none); may be NULL. */
	char *(*metrics_more)(struct http_req *req);
	atomic_bool draining;    /* stopping: not ready, every connection closes */
	atomic_int reports_in_flight; /* ROUTE_REPORT requests being answered now */
};

struct http_server;

/*
 * Starts listening on cfg->https_port (and the redirecting cfg->http_port
 * when set) with cfg->worker_threads workers. app must outlive the server.
 * Returns 0 with *out set, or a negative lms_err with a message in err.
 */
int http_server_start(struct http_app *app, struct http_server **out, char *err, size_t errlen);

/* The port the HTTPS listener is bound to (useful with port 0). */
int http_server_port(const struct http_server *s);

/*
 * Begins a graceful stop: /readyz answers 503 from now on and every
 * response closes its connection, while new connections are still served
 * so that a load balancer can notice.
 */
void http_server_drain(struct http_server *s);

/* Stops accepting, lets in-flight requests finish, frees s. Accepts NULL. */
void http_server_stop(struct http_server *s);

#endif
