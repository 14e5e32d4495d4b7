/* bulk_store.h - enrolment by an admin in PostgreSQL: one learner on their
 * behalf, or a file of them classified and applied as a set */
#ifndef LMS_ENROLLMENT_BULK_STORE_H
#define LMS_ENROLLMENT_BULK_STORE_H

#include <stdbool.h>

#include <jansson.h>

#include "lms/db/sql.h"
#include "lms/enrollment/enrollment_store.h"

/* A section as an admin's enrolment needs it. */
struct bulk_section {
	long long id;
	long long institution_id;
	bool visible;   /* published course and not a draft: enrolments may exist */
};

/* Looks section id up. Returns 0, LMS_ENOTFOUND, or a db_exec error. */
int bulk_store_section(struct db_conn *db, long long id, struct bulk_section *out);

/* The id of the account with user id (when id > 0) or with address email
 * (case-insensitive) into *user_id. Returns 0, LMS_ENOTFOUND, or a db_exec
 * error. */
int bulk_store_user_find(struct db_conn *db, long long id, const char *email,
			 long long *user_id);

/*
 * Enrols user_id in section_id as actor (an admin, on the learner's
 * behalf): enrollment_place in migrations, the rules of self-enrolment,
 * over which override_reason (NULL: none) lets an admin pass. r as
 * enrollment_store_enroll fills it (r->detail: new reference or NULL).
 */
int bulk_store_enroll_on_behalf(struct db_conn *db, long long user_id, long long section_id,
				long long actor, const char *override_reason,
				const char *remote_addr, const char *request_id,
				struct enroll_result *r);

/*
 * Inside the caller's transaction: makes the temporary table bulk_rows
 * (dropped at its end) and copies into it the rows that fill writes in
 * COPY text format (line, email, display_name, ladder_stage, error).
 * Returns 0 or a db_copy_in error.
 */
int bulk_store_rows_load(struct db_conn *db, long (*fill)(void *ctx, char *buf, size_t cap),
			 void *ctx);

/*
 * Classifies the loaded rows for section_id into the temporary table
 * bulk_result (enrollment_bulk in migrations); with apply, also does what
 * they say, as actor, sending invitations in locale. *summary: counts by
 * result, {"rows", "enroll", "waitlist", "refused", "invite", "unchanged",
 * "error"} (new). Returns 0 or a db_exec error.
 */
int bulk_store_classify(struct db_conn *db, long long section_id, long long actor, bool apply,
			const char *locale, const char *remote_addr, const char *request_id,
			json_t **summary);

/* Starts streaming the classified rows in file order, one JSON object
 * (text) per row in column 0. As db_stream_begin. */
int bulk_store_results_stream(struct db_conn *db, struct db_stream *s);

/* The first limit rows with an error, as [{"field": "line N", "message"}]
 * (new). Returns 0 or a db_exec error. */
int bulk_store_errors(struct db_conn *db, int limit, json_t **errors);

/* Invitations to sections sent to the address of user_id, newest first,
 * with the course and whether the user now holds an enrolment there
 * (new array). Returns 0 or a db_exec error. */
int bulk_store_invitations_mine(struct db_conn *db, long long user_id, json_t **items);

#endif
