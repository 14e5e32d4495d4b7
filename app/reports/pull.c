/* pull.c - what report pulls share: whose data they read, their window,
 * their audit row and their reply */
#include "lms/reports/pull.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/audit.h"
#include "lms/core/datetime.h"
#include "lms/core/err.h"
#include "lms/http/csv.h"
#include "lms/http/request.h"
#include "lms/http/response.h"

#define INSTANT_MESSAGE                                                                  \
	"must be an RFC 3339 time with an offset, like 2027-03-02T09:00:00+09:00, or a date " \
	"YYYY-MM-DD"

bool pull_scope_or_reply(struct http_req *req, enum guard_action action,
			 long long *institution_id)
{
	long long named, inst;

	if (!http_req_query_id_or_reply(req, "institution_id", &named))
		return false;
	/* Without a name: the whole partnership for the operating committee,
	 * else the caller's own institution. The guard decides; the query is
	 * bound to its answer. */
	if (!named && principal_has_role(&req->who, ROLE_PLATFORM_ADMIN, 0))
		inst = 0;
	else if (!(inst = guard_institution_or_reply(req, named)))
		return false;
	if (!guard_require_or_reply(req, action, inst) || !http_req_db_or_reply(req))
		return false;
	*institution_id = inst;
	return true;
}

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
			http_json_error_add(&errors, field, "is not a parameter of this report");
		}
		p += len + (p[len] == '&');
	}
	if (!errors)
		return true;
	http_reply_problem(req, 400, "validation_failed", errors,
			   "the report's parameters are not valid");
	return false;
}

bool pull_window_or_reply(struct http_req *req, struct pull_window *w)
{
	static const char *const names[] = {"from", "to"};
	bool *set[] = {&w->has_from, &w->has_to};
	long long *us[] = {&w->from_us, &w->to_us};
	json_t *errors = NULL;
	char buf[64];

	*w = (struct pull_window){0};
	for (int i = 0; i < 2; i++) {
		int n = http_req_query(req, names[i], buf, sizeof(buf));

		*set[i] = n >= 0 && datetime_instant_parse(buf, us[i]);
		if (n != -1 && !*set[i])
			http_json_error_add(&errors, names[i], INSTANT_MESSAGE);
	}
	if (!errors && w->has_from && w->has_to && w->to_us <= w->from_us)
		http_json_error_add(&errors, "to", "must be later than from");
	if (!errors)
		return true;
	http_reply_problem(req, 400, "validation_failed", errors,
			   "the report's window is not valid");
	return false;
}

void pull_reply(struct http_req *req, const char *action, long long institution_id,
		json_t *detail, const json_t *json, const struct csv_writer *csv,
		const char *filename)
{
	char headers[256], *text = NULL;

	/* Ready to go before the trail is written, so that a recorded pull
	 * is one that was sent. */
	if (!csv)
		text = json_dumps(json, JSON_COMPACT | JSON_REAL_PRECISION(10));
	if (!detail || (!csv && !text)) {
		http_reply_error(req, LMS_ENOMEM);
		goto out;
	}
	if (audit_record(req, &(struct audit_event){.action = action,
						    .institution_id = institution_id,
						    .detail = detail}) < 0) {
		http_reply_problem(req, 503, "unavailable", NULL,
				   "the report cannot be sent: its reading could not be recorded "
				   "in the audit log; try again");
		goto out;
	}
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
out:
	json_decref(detail);
	free(text);
}
