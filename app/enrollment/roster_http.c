/* roster_http.c - handlers: reading enrolments (the learner's own, a
 * section's roster, an institution's) */
#include "lms/enrollment/roster_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/guard.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/enrollment/roster_store.h"
#include "lms/http/csv.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/service/audit.h"
#include "lms/service/pull.h"

static const char *const statuses[] = {
	"pending", "enrolled", "waitlisted", "rejected", "cancelled", "completed", "incomplete",
};

/* The columns of a roster in CSV: the item's field, or a member of it. */
static const struct {
	const char *header;
	const char *field;
	const char *member;
} roster_columns[] = {
	{"enrollment_id", "id", NULL},
	{"user_id", "user_id", NULL},
	{"display_name", "display_name", NULL},
	{"email", "email", NULL},
	{"ladder_stage", "ladder_stage", NULL},
	{"affiliation_institution_id", "affiliation_institution_id", NULL},
	{"status", "status", NULL},
	{"waitlist_position", "waitlist_position", NULL},
	{"created_at", "created_at", NULL},
	{"updated_at", "updated_at", NULL},
	{"lessons_completed", "progress", "completed"},
	{"lessons_total", "progress", "total"},
	{"sessions_held", "attendance", "held"},
	{"sessions_attended", "attendance", "attended"},
	{"attendance_rate_pct", "attendance", "rate_pct"},
};

#define NCOLUMNS (sizeof(roster_columns) / sizeof(roster_columns[0]))

/* Reads ?status= into buf: *status is buf, or NULL when it is absent.
 * Replies 400 naming it and returns false when it is no status. */
static bool status_or_reply(struct http_req *req, char *buf, size_t len, const char **status)
{
	json_t *errors = NULL;
	int n;

	*status = NULL;
	if ((n = http_req_query(req, "status", buf, len)) == -1)
		return true;
	for (size_t i = 0; n > 0 && i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		if (strcmp(buf, statuses[i]) == 0) {
			*status = buf;
			return true;
		}
	}
	http_json_error_add(&errors, "status",
			    "must be one of pending, enrolled, waitlisted, rejected, cancelled, "
			    "completed, incomplete");
	http_reply_problem(req, 400, "validation_failed", errors,
			   "the query parameter status is not valid");
	return false;
}

void roster_mine(struct http_req *req)
{
	char buf[16];
	const char *status;
	json_t *items = NULL;
	long long cursor;
	int limit, rc;

	if (!status_or_reply(req, buf, sizeof(buf), &status) ||
	    !http_req_page_or_reply(req, &limit, &cursor) || !http_req_db_or_reply(req))
		goto out;
	if ((rc = roster_store_learner(req->db, req->who.user_id, status, cursor, limit,
				       http_req_lang(req), &items)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	http_reply_page(req, items, limit);
out:
	json_decref(items);
}

/* The roster's items as CSV text into w: a header row, then a row each. */
static int roster_csv(struct csv_writer *w, const json_t *items, bool bom)
{
	const json_t *item;
	size_t i;

	if (csv_writer_init(w, bom) < 0)
		return w->err;
	for (size_t c = 0; c < NCOLUMNS; c++)
		csv_cell_write_str(w, roster_columns[c].header);
	csv_row_end(w);
	json_array_foreach(items, i, item) {
		for (size_t c = 0; c < NCOLUMNS; c++) {
			const json_t *v = json_object_get(item, roster_columns[c].field);

			csv_cell_write_json(w, roster_columns[c].member
						       ? json_object_get(v, roster_columns[c].member)
						       : v);
		}
		csv_row_end(w);
	}
	return w->err;
}

void roster_section(struct http_req *req)
{
	struct csv_writer w = {0};
	struct roster_section s;
	struct guard_target t;
	json_t *roster = NULL, *detail = NULL, *items;
	char buf[16], filename[48], *text = NULL;
	const char *status;
	long long id;
	bool csv, bom;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) ||
	    !status_or_reply(req, buf, sizeof(buf), &status) ||
	    !csv_wanted_or_reply(req, "json", &csv, &bom) || !http_req_db_or_reply(req))
		goto out;
	if ((rc = roster_store_section(req->db, id, req->who.user_id, &s)) < 0)
		goto fail;
	t = (struct guard_target){
		.institution_id = s.institution_id,
		.teaches = s.teaches,
		.hidden = !s.published,
	};
	if (!guard_require_target_or_reply(req, GUARD_ROSTER_READ, &t))
		goto out;

	/* The roster is read, serialised and its reading recorded in one
	 * transaction, and sent only once that committed: personal data
	 * never leaves without its trail. */
	if ((rc = db_begin(req->db)) < 0)
		goto fail;
	if ((rc = roster_store_read(req->db, id, status, http_req_lang(req), &roster)) < 0)
		goto rollback;
	items = json_object_get(roster, "items");
	if (csv)
		rc = roster_csv(&w, items, bom);
	else
		rc = (text = json_dumps(roster, JSON_COMPACT)) ? 0 : LMS_ENOMEM;
	if (rc < 0)
		goto rollback;
	rc = LMS_ENOMEM;
	if (!(detail = json_pack("{s:s, s:I, s:s*}", "format", csv ? "csv" : "json", "rows",
				 (json_int_t)json_array_size(items), "status", status)))
		goto rollback;
	if (!pull_recorded_or_reply(req,
				    &(struct audit_event){.action = "roster.read",
							  .target_type = "section",
							  .target_id = id,
							  .institution_id = s.institution_id,
							  .detail = detail},
				    true, "roster"))
		goto out;
	snprintf(filename, sizeof(filename), "roster-%lld.csv", id);
	pull_send(req, csv ? &w : NULL, text, filename);
	goto out;
rollback:
	db_rollback(req->db);
fail:
	http_reply_error(req, rc);
out:
	csv_writer_release(&w);
	free(text);
	json_decref(detail);
	json_decref(roster);
}

/* The parameters of an institution's list: a misspelt filter would widen
 * it, so any other is refused. */
static const char *const institution_params[] = {
	"institution_id", "status", "course_id", "section_id", "limit", "cursor", "lang", NULL,
};

void roster_institution(struct http_req *req)
{
	struct roster_filter f = {0};
	json_t *items = NULL, *page = NULL;
	char buf[16];
	int rc;

	if (!pull_params_or_reply(req, institution_params) ||
	    !http_req_query_id_or_reply(req, "course_id", &f.course_id) ||
	    !http_req_query_id_or_reply(req, "section_id", &f.section_id) ||
	    !status_or_reply(req, buf, sizeof(buf), &f.status) ||
	    !http_req_page_or_reply(req, &f.limit, &f.after_id) ||
	    !guard_scope_or_reply(req, GUARD_ENROLLMENT_MANAGE, &f.institution_id))
		goto out;
	f.lang = http_req_lang(req);
	if ((rc = roster_store_institution(req->db, &f, &items)) < 0 ||
	    (rc = (page = http_page_body(items, f.limit)) ? 0 : LMS_ENOMEM) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	/* Learners' personal data: the reading is recorded before it is sent,
	 * or nothing is sent. */
	pull_reply(req, "enrollment.list", f.institution_id,
		   json_pack("{s:s, s:{s:o, s:s*, s:o*, s:o*}, s:I}", "format", "json", "filters",
			     "institution_id",
			     f.institution_id ? json_integer(f.institution_id) : json_null(),
			     "status", f.status, "course_id",
			     f.course_id ? json_integer(f.course_id) : NULL, "section_id",
			     f.section_id ? json_integer(f.section_id) : NULL, "rows",
			     (json_int_t)json_array_size(items)),
		   page, NULL, NULL);
out:
	json_decref(page);
	json_decref(items);
}
