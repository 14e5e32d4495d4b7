/* audit_http.h - handler: reading an institution's audit trail */
#ifndef LMS_AUTH_AUDIT_HTTP_H
#define LMS_AUTH_AUDIT_HTTP_H

struct http_req;

/* GET /api/v1/audit?institution_id=&limit=&cursor=: newest first; the read
 * is itself recorded. */
void audit_read(struct http_req *req);

#endif
