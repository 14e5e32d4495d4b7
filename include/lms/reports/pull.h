/* pull.h - what report pulls share: whose data they read, their window,
 * their audit row and their reply */
#ifndef LMS_REPORTS_PULL_H
#define LMS_REPORTS_PULL_H

#include <stdbool.h>

#include <jansson.h>

#include "lms/auth/guard.h"

struct csv_writer;
struct http_req;

/*
 * The institution a report request reads into *institution_id:
 * ?institution_id= when it is given; else every institution (0) for a
 * platform admin and the caller's own for anyone else (an API token's
 * institution, the one institution an admin administers). Checks action
 * there. Replies 400 naming institution_id (not an id, or ambiguous), 401,
 * 403 or 503 and returns false otherwise. Acquires the request's database
 * connection.
 */
bool pull_scope_or_reply(struct http_req *req, enum guard_action action,
			 long long *institution_id);

/*
 * Checks that every query parameter is one of known (NULL-terminated): a
 * misspelt filter would otherwise widen a report without a word. Replies
 * 400 naming each other one and returns false.
 */
bool pull_params_or_reply(struct http_req *req, const char *const *known);

/* A time window [from, to); either end may be open. */
struct pull_window {
	bool has_from, has_to;
	long long from_us, to_us; /* microseconds since 1970-01-01T00:00:00Z */
};

/*
 * Reads ?from= and ?to= into *w: RFC 3339 with an offset, or YYYY-MM-DD
 * meaning 00:00 of that day in Korea (+09:00). Replies 400 naming each bad
 * one (to when it is not later than from) and returns false.
 */
bool pull_window_or_reply(struct http_req *req, struct pull_window *w);

/*
 * Ends a report pull: serialises the report, records it in the audit log
 * (action "report.<name>", the institution read, 0 for all, and detail:
 * the filters and row count; stolen, NULL meaning memory ran out) and only
 * then replies 200, with csv's text as the attachment filename when csv is
 * not NULL, else with json (borrowed; reals with at most 10 significant
 * digits). When the audit row cannot be written nothing but a 503 is sent.
 */
void pull_reply(struct http_req *req, const char *action, long long institution_id,
		json_t *detail, const json_t *json, const struct csv_writer *csv,
		const char *filename);

#endif
