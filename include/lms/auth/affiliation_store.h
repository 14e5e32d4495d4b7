/* affiliation_store.h - institutions, their e-mail domains, affiliation
 * claims and the user directory in PostgreSQL */
#ifndef LMS_AUTH_AFFILIATION_STORE_H
#define LMS_AUTH_AFFILIATION_STORE_H

#include <jansson.h>

struct db_conn;

/* Creates the institution the body describes; *out (new) the row.
 * LMS_ECONFLICT: the code is taken. */
int affiliation_store_institution_create(struct db_conn *db, const json_t *body, json_t **out);

/* The domains of institution_id (new array). */
int affiliation_store_domains(struct db_conn *db, long long institution_id, json_t **out);

/* Registers domain (lower-cased) for institution_id by user; *out (new) the
 * row. LMS_ECONFLICT: the domain is registered (to any institution). */
int affiliation_store_domain_add(struct db_conn *db, long long institution_id,
				 const char *domain, long long by, json_t **out);

/* Removes domain of institution_id; LMS_ENOTFOUND when it has none such. */
int affiliation_store_domain_remove(struct db_conn *db, long long institution_id,
				    const char *domain);

/* A page of claims to institution_id with status (NULL: any), newest
 * first, before claim id before (0: from the newest). */
int affiliation_store_claims(struct db_conn *db, long long institution_id, const char *status,
			     long long before, int limit, json_t **out);

/* The institution claim id is to; LMS_ENOTFOUND when there is none. */
int affiliation_store_claim_institution(struct db_conn *db, long long id,
					long long *institution_id);

/* Decides pending claim id (approve or reject with reason, which may be
 * NULL to approve); *out (new) the claim. LMS_ECONFLICT: not pending. */
int affiliation_store_claim_decide(struct db_conn *db, long long id, long long actor,
				   bool approve, const char *reason, json_t **out);

/* A page of live users matching q (substring of e-mail or name, any case;
 * "" matches all) related to institution_id (0: everyone), by id after
 * after. */
int affiliation_store_users(struct db_conn *db, long long institution_id, const char *q,
			    long long after, int limit, json_t **out);

#endif
