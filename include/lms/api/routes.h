/* routes.h - the platform's API: its route table and the guard before every handler */
#ifndef LMS_API_ROUTES_H
#define LMS_API_ROUTES_H

#include "lms/auth/auth_http.h"
#include "lms/http/routes.h"
#include "lms/http/server.h"

/*
 * The layer above the web kit and the domains: the only place that knows
 * every handler. The kit matches and dispatches; this layer says what
 * there is to match (the table), who may (the guard, through
 * struct http_app.authorise), and what the handlers share (struct
 * auth_state, through struct http_app.state). Arrows point down from here
 * only: to the domains' *_http.h, to auth's guard, to the kit.
 */

/* Every route of the platform (static; the same table on every call). */
const struct route_table *api_routes(void);

/*
 * Hands the platform to app before http_server_start: the route table,
 * guard_route_or_reply as the authorise hook (run before each handler of
 * a matched route: before the body for ROUTE_RAW_BODY routes, after it was
 * read and parsed for the others), and auth (borrowed; must outlive the
 * server) as the handlers' shared state.
 */
void api_register(struct http_app *app, struct auth_state *auth);

#endif
