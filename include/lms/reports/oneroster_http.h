/* oneroster_http.h - handler: an institution's rostering data as a
 * OneRoster 1.2 CSV archive */
#ifndef LMS_REPORTS_ONEROSTER_HTTP_H
#define LMS_REPORTS_ONEROSTER_HTTP_H

struct http_req;

/*
 * GET /api/v1/reports/oneroster[?institution_id=&lang=ko|en]: the
 * institution's orgs, terms, courses, classes, users, roles and
 * enrollments as OneRoster 1.2 CSV files (bulk) with manifest.csv, in one
 * application/zip attachment "oneroster-<institution code>.zip". For
 * platform admins (who name the institution), its admins and its tokens
 * with reports:read. Each export is written to the audit log
 * ("report.oneroster", with the rows of each file) before it is sent.
 */
void oneroster_report(struct http_req *req);

#endif
