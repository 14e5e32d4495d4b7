/* role_http.h - handlers: granting and revoking roles */
#ifndef LMS_AUTH_ROLE_HTTP_H
#define LMS_AUTH_ROLE_HTTP_H

struct http_req;

/* POST /api/v1/roles {user_id, role, institution_id?}: grants it -> 201
 * (200 when already held). DELETE /api/v1/roles with the same body:
 * revokes it -> 204. */
void roles_change(struct http_req *req);

#endif
