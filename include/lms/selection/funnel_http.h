/* funnel_http.h - the selection funnel report: how many applied, passed
 * each stage, were offered, accepted and enrolled */
#ifndef LMS_SELECTION_FUNNEL_HTTP_H
#define LMS_SELECTION_FUNNEL_HTTP_H

struct http_req;

/* GET /api/v1/reports/selection-funnel: per intake and per programme and
 * institution, as JSON or CSV (?format=csv or Accept: text/csv); filters
 * institution_id and program. */
void selection_funnel_report(struct http_req *req);

#endif
