/* audit_store.h - the audit trail in PostgreSQL: appending a row, reading rows */
#ifndef LMS_SERVICE_AUDIT_STORE_H
#define LMS_SERVICE_AUDIT_STORE_H

#include <stdbool.h>

#include <jansson.h>

struct db_conn;

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
 * one is open) with the actor, address and request id given (0 / NULL:
 * none). Returns 0 or a negative lms_err. Never give it passwords or tokens.
 */
int audit_store_insert(struct db_conn *db, long long actor_user_id, long long actor_token_id,
		       const char *remote_addr, const char *request_id,
		       const struct audit_event *ev);

/* Which audit rows a reading returns; a 0 or NULL field does not filter. */
struct audit_filter {
	long long institution_id; /* 0: all institutions */
	long long before_id;      /* ids below it (the page cursor); 0: from the newest */
	int limit;                /* at most this many rows */
	const char *action;       /* borrowed */
	long long actor_user_id;
	const char *target_type;  /* borrowed */
	long long target_id;
	bool has_from, has_to;    /* at >= from_us, at < to_us */
	long long from_us, to_us; /* microseconds since 1970-01-01T00:00:00Z */
};

/*
 * Tells the database, for the rest of the open transaction on db, who acts
 * (0: nobody), from where and in which request (NULL: unknown), so that the
 * triggers which change rows on their own (sections_cancelled) audit them
 * as the caller would. Returns 0 or a negative lms_err.
 */
int audit_store_tell(struct db_conn *db, long long actor_user_id, const char *remote_addr,
		     const char *request_id);

/*
 * Reads the audit rows f selects, newest first. *items is a new JSON
 * array. Returns 0 or a negative lms_err.
 */
int audit_store_list(struct db_conn *db, const struct audit_filter *f, json_t **items);

#endif
