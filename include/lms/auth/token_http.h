/* token_http.h - handlers: an institution's API tokens */
#ifndef LMS_AUTH_TOKEN_HTTP_H
#define LMS_AUTH_TOKEN_HTTP_H

struct http_req;

/* POST /api/v1/tokens: {institution_id?, name, scopes, expires_in_days?}
 * -> 201 with the token's secret, shown this once. */
void tokens_create(struct http_req *req);

/* GET /api/v1/tokens?institution_id=: the institution's tokens, paged. */
void tokens_list(struct http_req *req);

/* DELETE /api/v1/tokens/{id}: revokes it -> 204. */
void tokens_revoke(struct http_req *req);

#endif
