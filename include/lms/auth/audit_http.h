/* audit_http.h - handler: reading an institution's audit trail */
#ifndef LMS_AUTH_AUDIT_HTTP_H
#define LMS_AUTH_AUDIT_HTTP_H

struct http_req;

/* GET /api/v1/audit?institution_id=&limit=&cursor=&action=&actor_user_id=
 * &target_type=&target_id=&from=&to=: newest first, the rows every given
 * filter selects (from/to: RFC 3339 or a Korean date, [from, to)); any
 * other parameter is refused with 400. The read is itself recorded. */
void audit_read(struct http_req *req);

#endif
