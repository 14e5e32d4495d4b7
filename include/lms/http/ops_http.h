/* ops_http.h - operations endpoints: liveness, readiness, metrics */
#ifndef LMS_HTTP_OPS_HTTP_H
#define LMS_HTTP_OPS_HTTP_H

#include "lms/http/request.h"

/* GET /healthz: 200 while the process serves requests. */
void ops_healthz(struct http_req *req);

/* GET /readyz: 200 when the database answers and its schema is current,
 * else 503 problem+json saying which. */
void ops_readyz(struct http_req *req);

/* GET /metrics: Prometheus text exposition. */
void ops_metrics(struct http_req *req);

#endif
