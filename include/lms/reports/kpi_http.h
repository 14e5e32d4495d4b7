/* kpi_http.h - handlers: the regional centres' KPI report and the outputs
 * they record */
#ifndef LMS_REPORTS_KPI_HTTP_H
#define LMS_REPORTS_KPI_HTTP_H

struct http_req;

/*
 * GET /api/v1/reports/kpi[?year=&institution_id=&format=csv|json&bom=0|1
 * &lang=]: per regional centre and year, the in-service employees trained,
 * degree graduates, papers, patents and technology-transfer income; an
 * institution's own (a platform admin's default: every centre); JSON, or
 * CSV for Accept: text/csv or ?format=csv. Audited ("report.kpi").
 */
void kpi_report(struct http_req *req);

/*
 * POST /api/v1/reports/kpi/outputs {institution_id?, year, kind, title,
 * doi | patent_number | amount_krw | count}: a centre's admins (or a
 * platform admin) record an output with the evidence of its kind → 201.
 */
void kpi_outputs_create(struct http_req *req);

/* GET /api/v1/reports/kpi/outputs[?year=&institution_id=&limit=&cursor=]:
 * the outputs recorded, newest first, paged; scoped like the report. */
void kpi_outputs_list(struct http_req *req);

/* DELETE /api/v1/reports/kpi/outputs/{id}: the centre's admins remove an
 * output → 204 (another institution's is 404). */
void kpi_outputs_delete(struct http_req *req);

#endif
