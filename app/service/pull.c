/* pull.c - audited pulls: the parameters a pull knows, and a reply sent only
 * once its reading is recorded in the audit trail */
#include "lms/service/pull.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/csv.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/service/audit.h"

bool pull_params_or_reply(struct http_req *req, const char *const *known)
{
	json_t *errors = NULL;

	for (const char *p = req->query; p && *p;) {
		size_t len = strcspn(p, "&"), name = strcspn(p, "=&");
		bool found = name == 0;
		char field[48];

		for (size_t i = 0; !found && known[i]; i++)
			found = strlen(known[i]) == name && !strncmp(p, known[i], name);
		if (!found) {
			size_t n = name < sizeof(field) - 1 ? name : sizeof(field) - 1;

			/* The name is the client's: printable ASCII only. */
			for (size_t i = 0; i < n; i++)
				field[i] = p[i] > ' ' && p[i] < 0x7f ? p[i] : '?';
			field[n] = '\0';
			http_json_error_add(&errors, field, "is not a parameter this endpoint takes");
		}
		p += len + (p[len] == '&');
	}
	if (!errors)
		return true;
	http_reply_problem(req, 400, "validation_failed", errors,
			   "the report's parameters are not valid");
	return false;
}

bool pull_recorded_or_reply(struct http_req *req, const struct audit_event *ev,
			    bool commit, const char *what)
{
	if (audit_record(req, ev) == 0 && (!commit || db_commit(req->db) == 0))
		return true;
	if (commit)
		db_rollback(req->db);
	http_reply_problem(req, 503, "unavailable", NULL,
			   "the %s cannot be sent: its reading could not be recorded in the "
			   "audit log; try again",
			   what);
	return false;
}

void pull_send(struct http_req *req, const struct csv_writer *csv, const char *text,
	       const char *filename)
{
	char headers[256];

	if (csv) {
		snprintf(headers, sizeof(headers),
			 "Content-Disposition: attachment; filename=\"%s\"\r\n"
			 "Vary: Accept\r\n",
			 filename);
		http_reply_bytes(req, 200, CSV_CONTENT_TYPE, csv->data, csv->len, headers);
	} else {
		http_reply_bytes(req, 200, "application/json", text, strlen(text),
				 "Vary: Accept\r\n");
	}
}

void pull_reply(struct http_req *req, const char *action, long long institution_id,
		json_t *detail, const json_t *json, const struct csv_writer *csv,
		const char *filename)
{
	char *text = NULL;

	/* Ready to go before the trail is written, so that a recorded pull
	 * is one that was sent. */
	if (!csv)
		text = json_dumps(json, JSON_COMPACT | JSON_REAL_PRECISION(10));
	if (!detail || (!csv && !text)) {
		http_reply_error(req, LMS_ENOMEM);
		goto out;
	}
	if (pull_recorded_or_reply(req,
				   &(struct audit_event){.action = action,
							 .institution_id = institution_id,
							 .detail = detail},
				   false, "report"))
		pull_send(req, csv, text, filename);
out:
	json_decref(detail);
	free(text);
}
