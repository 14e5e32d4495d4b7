/* funnel_http.c - the selection funnel report: how many applied, passed
 * each stage, were offered, accepted and enrolled */
#include "lms/selection/funnel_http.h"

#include <stdio.h>
#include <string.h>

#include "lms/auth/guard.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/csv.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/service/pull.h"

static const char *const params[] = {"institution_id", "program", "format", "bom", "lang", NULL};

/* An application counts at a step when it ever reached it (its history
 * says so), so that a later withdrawal does not shrink the funnel. */
#define REACHED(status)                                                                   \
	"(SELECT count(DISTINCT e.application_id) FROM application_events e JOIN"            \
	" applications a ON a.id = e.application_id WHERE a.intake_id = i.id"                \
	" AND e.to_status = '" status "')"

static const char funnel_sql[] =
	"WITH f AS (SELECT i.id, ins.code AS institution, i.institution_id, p.code AS program,"
	" jsonb_build_object('intake_id', i.id, 'institution_id', i.institution_id,"
	" 'institution', ins.code, 'program', p.code, 'title_ko', i.title_ko, 'title_en',"
	" i.title_en, 'applied', (SELECT count(*) FROM applications a WHERE a.intake_id = i.id),"
	" 'stages', (SELECT coalesce(jsonb_agg(jsonb_build_object('position', st.position,"
	" 'kind', st.kind, 'name_ko', st.name_ko, 'name_en', st.name_en, 'passed', (SELECT"
	" count(*) FROM application_results r WHERE r.stage_id = st.id AND r.decision = 'pass'),"
	" 'failed', (SELECT count(*) FROM application_results r WHERE r.stage_id = st.id AND"
	" r.decision = 'fail')) ORDER BY st.position), '[]') FROM intake_stages st"
	" WHERE st.intake_id = i.id),"
	" 'offered', " REACHED("offered") ", 'accepted', " REACHED("accepted") ","
	" 'enrolled', " REACHED("enrolled") ", 'declined', " REACHED("declined") ","
	" 'offer_expired', " REACHED("offer_expired") ", 'withdrawn', " REACHED("withdrawn") ","
	" 'rejected', " REACHED("rejected") ") AS j"
	" FROM intakes i JOIN institutions ins ON ins.id = i.institution_id"
	" JOIN sections s ON s.id = i.section_id JOIN courses c ON c.id = s.course_id"
	" JOIN programs p ON p.id = c.program_id"
	" WHERE ($1::bigint IS NULL OR i.institution_id = $1) AND ($2::text IS NULL OR p.code = $2))"
	" SELECT jsonb_build_object('intakes', (SELECT coalesce(jsonb_agg(f.j ORDER BY"
	" f.institution, f.program, f.id), '[]') FROM f), 'totals', (SELECT coalesce(jsonb_agg("
	" t ORDER BY t->>'institution', t->>'program'), '[]') FROM (SELECT jsonb_build_object("
	" 'institution', f.institution, 'institution_id', f.institution_id, 'program', f.program,"
	" 'intakes', count(*), 'applied', sum((f.j->>'applied')::bigint), 'offered',"
	" sum((f.j->>'offered')::bigint), 'accepted', sum((f.j->>'accepted')::bigint),"
	" 'enrolled', sum((f.j->>'enrolled')::bigint)) AS t FROM f"
	" GROUP BY f.institution, f.institution_id, f.program) x))";

static void csv_step(struct csv_writer *w, const json_t *intake, const char *step,
		     const json_t *count)
{
	csv_cell_write_json(w, json_object_get(intake, "institution"));
	csv_cell_write_json(w, json_object_get(intake, "program"));
	csv_cell_write_json(w, json_object_get(intake, "intake_id"));
	csv_cell_write_json(w, json_object_get(intake, "title_en"));
	csv_cell_write_str(w, step);
	csv_cell_write_json(w, count);
	csv_row_end(w);
}

/* The funnel in long form: a row per intake and step, as charts read it. */
static int funnel_csv(struct csv_writer *w, const json_t *report, bool bom)
{
	static const char *const steps[] = {"offered", "accepted", "enrolled"};
	const json_t *intake, *st;
	size_t i, k;
	char step[96];

	if (csv_writer_init(w, bom) < 0)
		return w->err;
	csv_row_write(w, (const char *const[]){"institution", "program", "intake_id", "intake",
					      "step", "count"},
		      6);
	json_array_foreach(json_object_get(report, "intakes"), i, intake) {
		csv_step(w, intake, "applied", json_object_get(intake, "applied"));
		json_array_foreach(json_object_get(intake, "stages"), k, st) {
			snprintf(step, sizeof(step), "stage %lld passed",
				 (long long)json_integer_value(json_object_get(st, "position")));
			csv_step(w, intake, step, json_object_get(st, "passed"));
		}
		for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++)
			csv_step(w, intake, steps[k], json_object_get(intake, steps[k]));
	}
	return w->err;
}

void selection_funnel_report(struct http_req *req)
{
	struct csv_writer w = {0};
	json_t *report = NULL, *errors = NULL;
	char program[40];
	const char *prog = NULL;
	long long inst = 0;
	bool csv, bom;
	int n, rc;

	if (!pull_params_or_reply(req, params) || !csv_wanted_or_reply(req, "json", &csv, &bom))
		goto out;
	if ((n = http_req_query(req, "program", program, sizeof(program))) != -1) {
		if (n <= 0 || strspn(program, "abcdefghijklmnopqrstuvwxyz_") != strlen(program)) {
			http_json_error_add(&errors, "program", "must be a programme's code");
			http_reply_problem(req, 400, "validation_failed", errors,
					   "the query parameter program is not valid");
			goto out;
		}
		prog = program;
	}
	if (!guard_scope_or_reply(req, GUARD_REPORTS_READ, &inst))
		goto out;
	if ((rc = db_jsonf(req->db, &report, funnel_sql, "?ls", inst > 0, inst, prog)) < 0 ||
	    (csv && (rc = funnel_csv(&w, report, bom)) < 0)) {
		http_reply_error(req, rc);
		goto out;
	}
	pull_reply(req, "report.selection_funnel", inst,
		   json_pack("{s:s, s:{s:o, s:s*}, s:I}", "format", csv ? "csv" : "json", "filters",
			     "institution_id", inst ? json_integer(inst) : json_null(), "program",
			     prog, "rows",
			     (json_int_t)json_array_size(json_object_get(report, "intakes"))),
		   report, csv ? &w : NULL, "selection-funnel.csv");
out:
	csv_writer_release(&w);
	json_decref(report);
}
