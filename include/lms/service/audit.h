/* audit.h - the audit trail for requests: a row in the caller's
 * transaction, and the end of an audited change (commit and reply, or
 * roll back and answer) */
#ifndef LMS_SERVICE_AUDIT_H
#define LMS_SERVICE_AUDIT_H

#include <jansson.h>

#include "lms/service/audit_store.h"

struct db_conn;
struct http_req;

/* audit_store_insert for the request's caller, address and id, on its
 * connection (acquired if needed), so inside its open transaction if any.
 * Returns 0 or a negative lms_err. */
int audit_record(struct http_req *req, const struct audit_event *ev);

/* audit_store_tell for the request's caller, address and id on db, inside
 * its open transaction. Returns 0 or a negative lms_err. */
int audit_tell_database(struct http_req *req, struct db_conn *db);

/* {"fields": [the names body sets]} (new): what a change touched, not the
 * values, for an event's detail. */
json_t *audit_fields_named(const json_t *body);

/*
 * Ends a change made in a transaction on db: records ev, commits, and
 * replies status with body (borrowed), then headers (zero or more
 * "Name: value\r\n" lines, may be NULL) and a Location when location is not
 * NULL. When either step fails it answers for the error
 * (audit_change_failed) instead.
 */
void audit_commit_reply(struct http_req *req, struct db_conn *db,
			const struct audit_event *ev, int status, const json_t *body,
			const char *headers, const char *location);

/*
 * Ends a change that failed with rc: answers for it (a refusal of the
 * database by its SQLSTATE, logged as a refused what, e.g. "catalogue
 * change"), then rolls db back unless it is NULL.
 */
void audit_change_failed(struct http_req *req, struct db_conn *db, int rc, const char *what);

#endif
