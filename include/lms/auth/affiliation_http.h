/* affiliation_http.h - handlers: institutions of every kind, their e-mail
 * domains, affiliation claims, the user directory (docs/accounts.md) */
#ifndef LMS_AUTH_AFFILIATION_HTTP_H
#define LMS_AUTH_AFFILIATION_HTTP_H

struct http_req;

/* POST /api/v1/institutions: platform admins -> 201 institution. */
void affiliation_institution_create(struct http_req *req);

/* GET /api/v1/institutions/{id}/domains: its admins -> {items}. */
void affiliation_domains_list(struct http_req *req);

/* POST /api/v1/institutions/{id}/domains {domain}: its admins -> 201;
 * 409 domain_taken. */
void affiliation_domain_add(struct http_req *req);

/* DELETE /api/v1/institutions/{id}/domains/{domain}: its admins -> 204. */
void affiliation_domain_remove(struct http_req *req);

/* GET /api/v1/institutions/{id}/affiliation-claims?status=: its admins. */
void affiliation_claims_list(struct http_req *req);

/* PATCH /api/v1/affiliation-claims/{id} {status: approved|rejected,
 * reason}: the institution's admins -> 200 claim; 409 claim_decided. */
void affiliation_claim_decide(struct http_req *req);

/* GET /api/v1/users?q=&institution_id=: the directory, scoped. */
void affiliation_users(struct http_req *req);

#endif
