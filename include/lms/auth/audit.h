/* audit.h - the audit trail: who read or changed what, when, from where */
#ifndef LMS_AUTH_AUDIT_H
#define LMS_AUTH_AUDIT_H

#include <jansson.h>

struct db_conn;
struct http_req;

struct audit_event {
	const char *action;       /* "auth.login", "token.create", "roster.read", ... */
	const char *target_type;  /* "user", "api_token", "section", ... or NULL */
	long long target_id;      /* 0: none */
	long long institution_id; /* whose data it concerns; 0: none */
	json_t *detail;           /* borrowed; NULL: {} */
	long long actor_user_id;  /* 0: the request's signed-in user, if any */
};

/*
 * Appends ev to the audit log on db (inside the caller's transaction, if
 * one is open) with the actor, address and request id given. Returns 0 or
 * a negative lms_err. Never give it passwords or tokens.
 */
int audit_insert(struct db_conn *db, long long actor_user_id, long long actor_token_id,
		 const char *remote_addr, const char *request_id, const struct audit_event *ev);

/* audit_insert for the request's caller, address and id, on its connection
 * (acquired if needed). */
int audit_record(struct http_req *req, const struct audit_event *ev);

/* {"fields": [the names body sets]} (new): what a change touched, not the
 * values, for an event's detail. */
json_t *audit_fields_named(const json_t *body);

/*
 * Ends a change made in a transaction on db: records ev, commits, and
 * replies status with body (borrowed) and extra_headers (zero or more
 * "Name: value\r\n" lines, may be NULL). When either step fails it rolls
 * back and answers for the error instead.
 */
void audit_commit_and_reply(struct http_req *req, struct db_conn *db,
			    const struct audit_event *ev, int status, const json_t *body,
			    const char *extra_headers);

/*
 * Reads audit rows, newest first: of institution_id (0: all), with ids below
 * before_id (0: from the newest), at most limit. *items is a new JSON array.
 */
int audit_list(struct db_conn *db, long long institution_id, long long before_id, int limit,
	       json_t **items);

#endif
