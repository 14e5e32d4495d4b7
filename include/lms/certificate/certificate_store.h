/* certificate_store.h - certificates in PostgreSQL: lookups, the stored PDF,
 * the issuer's settings, the public lookup throttle */
#ifndef LMS_CERTIFICATE_CERTIFICATE_STORE_H
#define LMS_CERTIFICATE_CERTIFICATE_STORE_H

#include <jansson.h>

#include "lms/db/sql.h"

/*
 * The certificate with this serial (canonical form) into *out (new): every
 * column of the row by name, dates as YYYY-MM-DD (issued_on and revoked_on
 * in Korean time), hours and attendance_pct as text (attendance_pct null
 * when no session was held), status "valid" or "revoked". Returns 0,
 * LMS_ENOTFOUND, or a db_exec error.
 */
int certificate_store_by_serial(struct db_conn *db, const char *serial, json_t **out);

/*
 * Records sha256 as the PDF of certificate id unless it has one already,
 * inside the caller's transaction. Returns 1 when recorded, 0 when another
 * request recorded one first (the caller rolls back and reads it), or a
 * db_exec error.
 */
int certificate_store_pdf_set(struct db_conn *db, long long id, const char *sha256);

/* A learner's certificates, newest first, after certificate id cursor (0:
 * from the newest), at most limit: items (new). */
int certificate_store_mine(struct db_conn *db, long long user_id, long long cursor, int limit,
			   json_t **items);

/* The institution of section id into *institution_id; LMS_ENOTFOUND. */
int certificate_store_section_institution(struct db_conn *db, long long section_id,
					  long long *institution_id);

/* A section's certificates (valid and revoked), by id after cursor, at most
 * limit (0: all), as items (new). */
int certificate_store_section(struct db_conn *db, long long section_id, long long cursor,
			      int limit, json_t **items);

/*
 * Counts a public lookup from addr against the limit per window, inside the
 * caller's transaction: *retry_after_s > 0 (and nothing counted) when the
 * address has had its share. Returns 0 or a db_exec error.
 */
int certificate_store_lookup_count(struct db_conn *db, const char *addr, int limit,
				   int window_s, int *retry_after_s);

/*
 * The evidence of a regional centre's "employees trained" (the KPI report's
 * count, reports/kpi_store.c): the completions it counts for centre
 * institution_id (0: every centre) in year (0: every year), each with its
 * valid certificate's serial and verification path (null when it was
 * completed before certificates were issued), as items (new).
 */
int certificate_store_kpi_trained(struct db_conn *db, long long institution_id, int year,
				  json_t **items);

/* Sets an institution's seal (a stored blob, or NULL to remove it), inside
 * the caller's transaction. */
int certificate_store_seal_set(struct db_conn *db, long long institution_id, const char *sha256,
			       long long by);

/* Sets the signatory fields of body (borrowed; those absent stay, nulls
 * clear) and returns the issuer's settings in *out (new). */
int certificate_store_issuer_set(struct db_conn *db, long long institution_id,
				 const json_t *body, long long by, json_t **out);

/* An institution's settings, {institution_id, signatory_*, seal} (new). */
int certificate_store_issuer(struct db_conn *db, long long institution_id, json_t **out);

#endif
