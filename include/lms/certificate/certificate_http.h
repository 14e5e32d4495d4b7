/* certificate_http.h - certificates of completion over HTTP: public
 * verification, the PDF, lists, the ZIP of a section, the issuer's seal */
#ifndef LMS_CERTIFICATE_CERTIFICATE_HTTP_H
#define LMS_CERTIFICATE_CERTIFICATE_HTTP_H

struct http_req;

/* GET /api/v1/certificates/{serial}: the signed public statement, to
 * anyone (throttled per address, audited); GET /api/v1/certificates/
 * {serial}.pdf: the PDF, to its learner and the institution's admins. */
void certificate_show(struct http_req *req);

/* GET /api/v1/certificates/keys: the public keys that sign statements. */
void certificate_keys(struct http_req *req);

/* GET /api/v1/me/certificates: the caller's own certificates. */
void certificate_mine(struct http_req *req);

/* GET /api/v1/sections/{id}/certificates: the section's certificates, for
 * its institution's admins. */
void certificate_section_list(struct http_req *req);

/* GET /api/v1/sections/{id}/certificates.zip: their PDFs as one ZIP,
 * streamed. */
void certificate_section_zip(struct http_req *req);

/* GET /api/v1/reports/kpi/trained?institution_id=&year=: the completions
 * behind a centre's "employees trained", with their certificates. */
void certificate_kpi_trained(struct http_req *req);

/* GET and PATCH /api/v1/institutions/{id}/certificate-issuer: who signs
 * an institution's certificates. */
void certificate_issuer(struct http_req *req);

/* PUT and DELETE /api/v1/institutions/{id}/certificate-seal: its seal, a
 * PNG as the raw body. */
void certificate_seal(struct http_req *req);

#endif
