/* profile_http.h - handlers: a person's own profile, e-mail change, the
 * privacy notice, data download and account deletion (docs/accounts.md) */
#ifndef LMS_AUTH_PROFILE_HTTP_H
#define LMS_AUTH_PROFILE_HTTP_H

struct http_req;

/* GET /api/v1/me/profile: the account with its verification, affiliation,
 * claim, pending e-mail change and consents. */
void profile_show(struct http_req *req);

/* PATCH /api/v1/me: {display_name?, locale?, ladder_stage?,
 * affiliation_institution_id?, email?, current_password?} -> 200 profile.
 * A new email needs current_password and takes effect only through the
 * link sent to it; an affiliation is a claim unless the verified address
 * proves it. */
void profile_update(struct http_req *req);

/* POST /api/v1/me/email/confirm: {token} -> 200 {email}; public: the link
 * is the credential. 400 token_invalid for an unknown, used or expired
 * link; 409 email_taken when the address was taken meanwhile. */
void profile_email_confirm(struct http_req *req);

/* GET /api/v1/privacy-notice: {version, items, text} (public). */
void profile_privacy_notice(struct http_req *req);

/* GET /api/v1/me/export: everything kept about the caller, as a JSON
 * download. Audited. */
void profile_export(struct http_req *req);

/* DELETE /api/v1/me: {password} -> 204 and the session cookie cleared; the
 * account is erased (account_erase in the database). 409 role_holder for
 * admins, who must hand over first. */
void profile_delete(struct http_req *req);

#endif
