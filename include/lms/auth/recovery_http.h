/* recovery_http.h - handlers: forgotten password, reset, address verification */
#ifndef LMS_AUTH_RECOVERY_HTTP_H
#define LMS_AUTH_RECOVERY_HTTP_H

struct http_req;

/* POST /api/v1/auth/password/forgot: {email} -> 202 whether or not an
 * account has that address (a reset mail when one has); 429 (Retry-After)
 * past mail_requests_per_address for the client or mail_requests_per_email
 * for the address. */
void recovery_forgot(struct http_req *req);

/* POST /api/v1/auth/password/reset: {token, new_password} -> 204; the
 * link is used up, every session of the account ends, the address counts
 * as verified. 400 token_invalid for a link unknown, used or expired. */
void recovery_reset(struct http_req *req);

/* POST /api/v1/auth/email/verify: {token} -> 200 {email_verified: true};
 * 400 token_invalid. No session needed: the link may open anywhere. */
void recovery_verify(struct http_req *req);

/* POST /api/v1/me/email/verification: a new verification mail -> 202;
 * 409 already_verified; 429 (Retry-After) past the limits. */
void recovery_verify_resend(struct http_req *req);

/* POST /api/v1/users/{id}/password-reset (platform admins): sends the
 * account a reset mail -> 202; 404 when there is no such user. */
void recovery_admin_reset(struct http_req *req);

#endif
