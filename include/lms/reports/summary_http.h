/* summary_http.h - handler: the enrolment summary report */
#ifndef LMS_REPORTS_SUMMARY_HTTP_H
#define LMS_REPORTS_SUMMARY_HTTP_H

struct http_req;

/*
 * GET /api/v1/reports/summary[?institution_id=&from=&to=&format=csv|json
 * &bom=0|1&lang=]: counts of the enrolments created in [from, to) in an
 * institution's sections (a platform admin's default: all) by programme,
 * course, status and ladder stage, the completion rate and the waitlist's
 * length; JSON, or CSV for Accept: text/csv or ?format=csv. Every pull is
 * written to the audit log ("report.summary") before it is sent.
 */
void summary_report(struct http_req *req);

#endif
