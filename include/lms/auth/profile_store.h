/* profile_store.h - a person's own account in PostgreSQL: profile, e-mail
 * change, affiliation claim, consents, export and deletion */
#ifndef LMS_AUTH_PROFILE_STORE_H
#define LMS_AUTH_PROFILE_STORE_H

#include <stdbool.h>

#include <jansson.h>

struct db_conn;

/* How long an e-mail change link works (seconds). */
#define PROFILE_EMAIL_LINK_TTL_S 3600

/* Records the consent of user to the notice of version: the required item
 * and each optional item, agreed (named in optional, an array of strings
 * or NULL) or not, from address addr. Returns 0 or a negative lms_err. */
int profile_store_consents_record(struct db_conn *db, long long user_id, const char *version,
				  const json_t *optional, const char *addr);

/* user claims institution_id (0: none) through affiliation_claim();
 * *status (may be NULL) gets "approved", "pending" or "none" (static).
 * Returns 0, LMS_ENOTFOUND when there is no such institution, or an error. */
int profile_store_affiliation_claim_status(struct db_conn *db, long long user_id,
					   long long institution_id, const char **status);
int profile_store_affiliation_claim(struct db_conn *db, long long user_id,
				    long long institution_id);

/* The user as GET /api/v1/me/profile shows it (new): the account with roles,
 * email_verified_at, the affiliation's institution, the latest claim, the
 * e-mail change awaiting its link and the consents. */
int profile_store_get(struct db_conn *db, long long user_id, json_t **out);

/* Sets the body's display_name, locale and ladder_stage that are present. */
int profile_store_update(struct db_conn *db, long long user_id, const json_t *body);

/* Whether an account other than user_id has email (any case). */
int profile_store_email_taken(struct db_conn *db, long long user_id, const char *email,
			      bool *taken);

/* Starts a change of user's address to new_email with a link token whose
 * SHA-256 is hash_hex: supersedes earlier requests, enqueues the link to
 * the new address and a notice to the old one. */
int profile_store_email_change_request(struct db_conn *db, long long user_id,
				       const char *new_email, const char *hash_hex,
				       const char *token);

/* Uses the link whose token digest is hash_hex: the address changes and
 * counts as verified, the old address is told. *user_id gets the account.
 * LMS_ENOTFOUND: no such live link; LMS_ECONFLICT: the address was taken
 * meanwhile. */
int profile_store_email_change_confirm(struct db_conn *db, const char *hash_hex,
				       long long *user_id);

/* Everything the platform keeps about user, as one JSON document (new). */
int profile_store_export(struct db_conn *db, long long user_id, json_t **out);

/* account_erase(): *ended gets the enrolments ended. LMS_ECONFLICT when
 * the person administers (hand over first), LMS_ENOTFOUND when gone. */
int profile_store_erase(struct db_conn *db, long long user_id, int *ended);

#endif
