/* pull.h - audited pulls: the parameters a pull knows, and a reply sent only
 * once its reading is recorded in the audit trail */
#ifndef LMS_SERVICE_PULL_H
#define LMS_SERVICE_PULL_H

#include <stdbool.h>

#include <jansson.h>

struct audit_event;
struct csv_writer;
struct http_req;

/*
 * Checks that every query parameter is one of known (NULL-terminated): a
 * misspelt filter would otherwise widen a report without a word. Replies
 * 400 naming each other one and returns false.
 */
bool pull_params_or_reply(struct http_req *req, const char *const *known);

/*
 * Records ev, the reading of a pull, on req's connection, and when commit
 * commits req's open transaction (rolling it back on failure). Replies 503
 * "the <what> cannot be sent" and returns false when either fails: a pull
 * whose reading is not in the audit log is never sent.
 */
bool pull_recorded_or_reply(struct http_req *req, const struct audit_event *ev,
			    bool commit, const char *what);

/*
 * Replies 200 with a pull: csv's text as an attachment named filename when
 * csv is not NULL, else text, JSON (both borrowed). Answers vary by Accept.
 */
void pull_send(struct http_req *req, const struct csv_writer *csv, const char *text,
	       const char *filename);

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
