/* summary_http.c - handler: the enrolment summary report */
#include "lms/reports/summary_http.h"

#include <stdio.h>

#include "lms/auth/guard.h"
#include "lms/core/err.h"
#include "lms/http/csv.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/service/time_window.h"
#include "lms/reports/report_http.h"
#include "lms/reports/summary_store.h"
#include "lms/service/pull.h"

/* The counts of a summary row, in the order of its CSV columns. */
static const char *const count_columns[] = {
	"enrolled", "waitlisted", "pending", "completed", "incomplete",
	"cancelled", "rejected", "total", "completion_rate",
};

#define NCOUNTS (sizeof(count_columns) / sizeof(count_columns[0]))

static const char *const known_params[] = {"institution_id", "from", "to", "format", "bom",
					   "lang", "program", "course_id", "status", "stage", NULL};

/* One CSV row: dimension, key, name (borrowed; NULL is empty), then the
 * counts counts holds (absent ones empty). */
static void row_write(struct csv_writer *w, const char *dimension, const json_t *key,
		      const json_t *name, const json_t *counts)
{
	csv_cell_write_str(w, dimension);
	csv_cell_write_json(w, key);
	csv_cell_write_json(w, name);
	for (size_t c = 0; c < NCOUNTS; c++)
		csv_cell_write_json(w, json_object_get(counts, count_columns[c]));
	csv_row_end(w);
}

/* The rows of a summary: all enrolments, then each programme, course
 * and ladder stage. */
static size_t summary_rows(const json_t *report)
{
	return 1 + json_array_size(json_object_get(report, "by_program")) +
	       json_array_size(json_object_get(report, "by_course")) +
	       json_array_size(json_object_get(report, "by_stage"));
}

/*
 * The summary as CSV into w (see the README): a header, then the rows of
 * summary_rows() in that order (stages have a total only).
 */
static int summary_csv(struct csv_writer *w, const json_t *report, bool bom)
{
	json_t *all, *item;
	size_t i;

	if (csv_writer_init(w, bom) < 0)
		return w->err;
	/* The row of all: the status counts with the overall total and rate. */
	if (!(all = json_copy(json_object_get(report, "by_status"))) ||
	    json_object_set(all, "total", json_object_get(report, "total")) < 0 ||
	    json_object_set(all, "completion_rate", json_object_get(report, "completion_rate")) < 0) {
		json_decref(all);
		return LMS_ENOMEM;
	}
	csv_cell_write_str(w, "dimension");
	csv_cell_write_str(w, "key");
	csv_cell_write_str(w, "name");
	for (size_t c = 0; c < NCOUNTS; c++)
		csv_cell_write_str(w, count_columns[c]);
	csv_row_end(w);
	row_write(w, "all", NULL, NULL, all);
	json_decref(all);
	json_array_foreach(json_object_get(report, "by_program"), i, item)
		row_write(w, "program", json_object_get(item, "program"),
			  json_object_get(item, "name"), item);
	json_array_foreach(json_object_get(report, "by_course"), i, item)
		row_write(w, "course", json_object_get(item, "course_id"),
			  json_object_get(item, "title"), item);
	json_array_foreach(json_object_get(report, "by_stage"), i, item)
		row_write(w, "stage", json_object_get(item, "stage"), NULL, item);
	return w->err;
}

/* The filters beyond institution and window, as the enrolment report
 * takes them; replies 400 naming each bad one and returns false. */
static bool filter_or_reply(struct http_req *req, struct summary_filter *f, char text[][32])
{
	json_t *errors = NULL;

	if (!http_req_query_id_or_reply(req, "course_id", &f->course_id))
		return false;
	f->program = report_text_filter(req, "program", text[0], 32, &errors);
	f->status = report_text_filter(req, "status", text[1], 32, &errors);
	f->stage = report_text_filter(req, "stage", text[2], 32, &errors);
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the summary's parameters are not valid");
		return false;
	}
	return true;
}

void summary_report(struct http_req *req)
{
	struct summary_filter filter = {0};
	char text[3][32];
	struct csv_writer w = {0};
	struct time_window win;
	struct db_conn *db;
	json_t *report = NULL;
	long long inst;
	bool csv, bom;
	int rc;

	if (!pull_params_or_reply(req, known_params) || !time_window_or_reply(req, &win) ||
	    !filter_or_reply(req, &filter, text) ||
	    !csv_wanted_or_reply(req, "json", &csv, &bom) ||
	    !guard_scope_or_reply(req, GUARD_REPORTS_READ, &inst) ||
	    !(db = http_req_read_db_or_reply(req)))
		goto out;
	if ((rc = summary_store_read(db, inst, &win, &filter, http_req_lang(req), &report)) < 0 ||
	    (csv && (rc = summary_csv(&w, report, bom)) < 0)) {
		http_reply_error(req, rc);
		goto out;
	}
	pull_reply(req, "report.summary", inst,
		   json_pack("{s:s, s:O, s:O, s:O, s:I, s:O, s:s?, s:o?, s:s?, s:s?}", "format",
			     csv ? "csv" : "json", "institution_id",
			     json_object_get(report, "institution_id"), "from",
			     json_object_get(report, "from"), "to", json_object_get(report, "to"),
			     "rows", (json_int_t)summary_rows(report), "enrollments",
			     json_object_get(report, "total"), "program", filter.program, "course_id",
			     filter.course_id > 0 ? json_integer(filter.course_id) : NULL, "status",
			     filter.status, "stage", filter.stage),
		   report, csv ? &w : NULL, "summary.csv");
out:
	csv_writer_release(&w);
	json_decref(report);
}
