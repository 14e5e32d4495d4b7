/* progress_http.c - handlers: video progress, completion rules and
 * checklists, gradebooks. What counts (merged intervals, the grade, the
 * rules) is computed by the database's functions; these check who asks
 * and what they sent. */
#include "lms/activities/progress_http.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/guard.h"
#include "lms/catalog/catalog_store.h"
#include "lms/catalog/content_store.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/enrollment/enrollment_store.h"
#include "lms/enrollment/roster_store.h"
#include "lms/http/csv.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/http/server.h"
#include "lms/service/audit.h"

#define INTERVALS_MAX 200
#define VIDEO_SECONDS_MAX 86400

static const struct schema_field video_fields[] = {
	{"intervals", SCHEMA_ARRAY, .required = true},
	{"position", SCHEMA_INT, .required = true, .min = 0, .max = VIDEO_SECONDS_MAX},
	{"duration", SCHEMA_INT, .required = true, .min = 1, .max = VIDEO_SECONDS_MAX},
};
static const struct schema video_schema = SCHEMA_OF(video_fields);

static const struct schema_field rules_fields[] = {
	{"require_attendance", SCHEMA_BOOL, .required = false},
	{"min_grade_pct", SCHEMA_INT, .nullable = true, .min = 1, .max = 100},
	{"require_lessons", SCHEMA_BOOL, .required = false},
	{"video_complete_pct", SCHEMA_INT, .min = 50, .max = 100},
	{"optional_lesson_ids", SCHEMA_IDS, .max = 500},
};
static const struct schema rules_schema = SCHEMA_OF(rules_fields);

/* ---- video ---- */

/* Path parameter 0 as a video lesson checked for action. */
static bool video_lesson_or_reply(struct http_req *req, enum guard_action action, long long *id,
				  struct content_facts *f)
{
	struct guard_target t;
	struct db_conn *db;
	PGresult *res = NULL;
	bool is;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, id) || !(db = http_req_db_or_reply(req)))
		return false;
	if ((rc = content_store_lesson_facts(db, *id, req->who.user_id, f)) < 0 ||
	    (rc = db_one_row(db, &res, "SELECT kind = 'video' FROM lessons WHERE id = $1", "l",
			     *id)) < 0) {
		http_reply_error(req, rc);
		return false;
	}
	is = db_bool(res, 0, 0);
	PQclear(res);
	t = (struct guard_target){
		.institution_id = f->institution_id,
		.enrolled = action == GUARD_PROGRESS_WRITE ? f->enrolled_active : f->enrolled,
		.teaches = f->teaches,
		.hidden = !f->published,
	};
	if (!guard_require_target_or_reply(req, action, &t))
		return false;
	if (!is) {
		http_reply_problem(req, 404, "not_a_video", NULL, "lesson %lld is not a video", *id);
		return false;
	}
	return true;
}

/* The intervals as whole seconds ([[from, to], ...], new) or NULL when
 * they are not pairs of numbers 0 <= from < to <= VIDEO_SECONDS_MAX. */
static json_t *intervals_read(const json_t *in)
{
	json_t *out, *pair;
	size_t i;

	if (json_array_size(in) > INTERVALS_MAX || !(out = json_array()))
		return NULL;
	json_array_foreach(in, i, pair) {
		const json_t *a = json_array_get(pair, 0), *b = json_array_get(pair, 1);
		double from, to;

		if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_number(a) ||
		    !json_is_number(b))
			goto bad;
		from = json_number_value(a);
		to = json_number_value(b);
		if (!(from >= 0) || !(to > from) || to > VIDEO_SECONDS_MAX)
			goto bad;
		json_array_append_new(out, json_pack("[I, I]", (json_int_t)floor(from),
						     (json_int_t)floor(to)));
	}
	return out;
bad:
	json_decref(out);
	return NULL;
}

void video_progress_put(struct http_req *req)
{
	struct content_facts f;
	json_t *errors = NULL, *intervals = NULL, *out = NULL;
	PGresult *res = NULL;
	char *text = NULL;
	long long id;
	int rc;

	if (!video_lesson_or_reply(req, GUARD_PROGRESS_WRITE, &id, &f) ||
	    !schema_body_check_or_reply(req, &video_schema, SCHEMA_CREATE, &errors))
		goto out;
	if (!schema_errors_name(errors, "intervals") &&
	    !(intervals = intervals_read(json_object_get(req->json, "intervals"))))
		http_json_error_add(&errors, "intervals",
				    "must be at most 200 pairs [from, to] of seconds, "
				    "0 <= from < to <= 86400");
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the progress report has invalid fields");
		errors = NULL;
		goto out;
	}
	rc = LMS_ENOMEM;
	if (!(text = json_dumps(intervals, JSON_COMPACT)))
		goto fail;
	if ((rc = db_begin(req->db)) < 0)
		goto fail;
	if ((rc = db_one_row(req->db, &res, "SELECT video_report($1, $2, $3::jsonb, $4, $5)",
			     "llsll", req->who.user_id, id, text,
			     (long long)json_integer_value(json_object_get(req->json, "position")),
			     (long long)json_integer_value(
				     json_object_get(req->json, "duration")))) < 0 ||
	    (rc = db_commit(req->db)) < 0) {
		db_rollback(req->db);
		goto fail;
	}
	if (!(out = json_loads(PQgetvalue(res, 0, 0), 0, NULL))) {
		rc = LMS_ENOMEM;
		goto fail;
	}
	if (!strcmp(json_string_value(json_object_get(out, "outcome")), "too_fast"))
		http_reply_problem(req, 409, "progress_too_fast", NULL,
				   "more was reported watched than time has passed since the last "
				   "report: send it again later");
	else
		http_reply_json(req, 200, out);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	PQclear(res);
	free(text);
	json_decref(errors);
	json_decref(intervals);
	json_decref(out);
}

void video_progress_get(struct http_req *req)
{
	struct content_facts f;
	json_t *out = NULL;
	long long id;
	int rc;

	if (!video_lesson_or_reply(req, GUARD_CONTENT_READ, &id, &f))
		return;
	if ((rc = db_jsonf(req->db, &out, "SELECT video_progress_json($1, $2)", "ll",
			   req->who.user_id, id)) < 0)
		http_reply_error(req, rc);
	else
		http_reply_json(req, 200, out);
	json_decref(out);
}

/* ---- completion rules ---- */

#define RULES_JSON                                                                       \
	"SELECT json_build_object('course_id', c.id, 'rules_set', r.course_id IS NOT NULL,"  \
	" 'require_attendance', coalesce(r.require_attendance, true),"                    \
	" 'min_attendance_pct', p.min_attendance_pct, 'min_grade_pct', r.min_grade_pct,"  \
	" 'require_lessons', coalesce(r.require_lessons, false),"                         \
	" 'video_complete_pct', coalesce(r.video_complete_pct, 90),"                      \
	" 'optional_lesson_ids', (SELECT coalesce(json_agg(l.id ORDER BY l.id), '[]')"    \
	"  FROM lessons l JOIN course_modules m ON m.id = l.module_id"                    \
	"  WHERE m.course_id = c.id AND NOT l.required))"                                 \
	" FROM courses c JOIN programs p ON p.id = c.program_id"                          \
	" LEFT JOIN course_completion_rules r ON r.course_id = c.id WHERE c.id = $1"

void completion_rules_put(struct http_req *req)
{
	json_t *out = NULL, *errors = NULL;
	char *text = NULL;
	PGresult *res = NULL;
	long long id, inst;
	bool published;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !http_req_db_or_reply(req))
		goto out;
	if ((rc = catalog_store_course_owner(req->db, id, &inst, &published)) < 0)
		goto fail;
	if ((!published && !guard_visible_or_404(req, GUARD_CATALOG_MANAGE, inst)) ||
	    !guard_require_or_reply(req, GUARD_CATALOG_MANAGE, inst) ||
	    !schema_body_check_or_reply(req, &rules_schema, SCHEMA_CHANGE, &errors))
		goto out;
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the rules have invalid fields");
		errors = NULL;
		goto out;
	}
	rc = LMS_ENOMEM;
	if (!(text = json_dumps(req->json, JSON_COMPACT)))
		goto fail;
	if ((rc = db_begin(req->db)) < 0)
		goto fail;
	/* Fields left out keep their value (or the default). */
	if ((rc = db_execf(
		     req->db, NULL,
		     "INSERT INTO course_completion_rules AS r (course_id, require_attendance,"
		     " min_grade_pct, require_lessons, video_complete_pct)"
		     " SELECT $1, coalesce((j ->> 'require_attendance')::boolean, true),"
		     "  (j ->> 'min_grade_pct')::integer,"
		     "  coalesce((j ->> 'require_lessons')::boolean, false),"
		     "  coalesce((j ->> 'video_complete_pct')::integer, 90)"
		     " FROM (SELECT $2::jsonb) b(j)"
		     " ON CONFLICT (course_id) DO UPDATE SET"
		     " require_attendance = CASE WHEN $2::jsonb ? 'require_attendance'"
		     "  THEN EXCLUDED.require_attendance ELSE r.require_attendance END,"
		     " min_grade_pct = CASE WHEN $2::jsonb ? 'min_grade_pct'"
		     "  THEN EXCLUDED.min_grade_pct ELSE r.min_grade_pct END,"
		     " require_lessons = CASE WHEN $2::jsonb ? 'require_lessons'"
		     "  THEN EXCLUDED.require_lessons ELSE r.require_lessons END,"
		     " video_complete_pct = CASE WHEN $2::jsonb ? 'video_complete_pct'"
		     "  THEN EXCLUDED.video_complete_pct ELSE r.video_complete_pct END,"
		     " updated_at = now()",
		     "ls", id, text)) < 0)
		goto rollback;
	if (json_object_get(req->json, "optional_lesson_ids")) {
		/* Every id must be a lesson of this course. */
		if ((rc = db_one_row(
			     req->db, &res,
			     "SELECT count(*) = jsonb_array_length($2::jsonb -> 'optional_lesson_ids')"
			     " FROM lessons l JOIN course_modules m ON m.id = l.module_id"
			     " WHERE m.course_id = $1 AND l.id IN (SELECT x::bigint FROM"
			     "  jsonb_array_elements_text($2::jsonb -> 'optional_lesson_ids') x)",
			     "ls", id, text)) < 0)
			goto rollback;
		if (!db_bool(res, 0, 0)) {
			db_rollback(req->db);
			http_reply_problem(req, 400, "validation_failed",
					   json_pack("[{s:s, s:s}]", "field", "optional_lesson_ids",
						     "message", "must name lessons of this course"),
					   "the rules have invalid fields");
			goto out;
		}
		if ((rc = db_execf(req->db, NULL,
				   "UPDATE lessons l SET required = NOT (l.id IN (SELECT x::bigint"
				   "  FROM jsonb_array_elements_text($2::jsonb -> 'optional_lesson_ids')"
				   "  x)) FROM course_modules m WHERE m.id = l.module_id"
				   " AND m.course_id = $1",
				   "ls", id, text)) < 0)
			goto rollback;
	}
	if ((rc = db_jsonf(req->db, &out, RULES_JSON, "l", id)) < 0)
		goto rollback;
	audit_commit_reply(req, req->db,
			   &(struct audit_event){.action = "course.completion_rules",
						 .target_type = "course",
						 .target_id = id,
						 .institution_id = inst,
						 .detail = req->json},
			   200, out, NULL, NULL);
	goto out;
rollback:
	audit_change_failed(req, req->db, rc, "completion rules change");
	goto out;
fail:
	http_reply_error(req, rc);
out:
	PQclear(res);
	free(text);
	json_decref(errors);
	json_decref(out);
}

void completion_rules_get(struct http_req *req)
{
	json_t *out = NULL;
	long long id, inst;
	bool published;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !http_req_db_or_reply(req))
		goto out;
	if ((rc = catalog_store_course_owner(req->db, id, &inst, &published)) < 0)
		goto fail;
	if (!published && !guard_visible_or_404(req, GUARD_CATALOG_MANAGE, inst))
		goto out;
	if ((rc = db_jsonf(req->db, &out, RULES_JSON, "l", id)) < 0)
		goto fail;
	http_reply_json(req, 200, out);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	json_decref(out);
}

void completion_checklist_get(struct http_req *req)
{
	struct enrollment_info info;
	struct guard_target t;
	json_t *out = NULL;
	long long id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !http_req_db_or_reply(req))
		return;
	if ((rc = enrollment_store_info(req->db, id, req->who.user_id, &info)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	t = (struct guard_target){
		.institution_id = info.institution_id,
		.own = info.user_id == req->who.user_id,
		.teaches = info.caller_teaches,
	};
	/* Someone else's enrolment is not even there. */
	if (guard_decide_target(&req->who, GUARD_ENROLLMENT_READ, &t) != GUARD_ALLOW) {
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
		return;
	}
	if ((rc = db_jsonf(req->db, &out, "SELECT completion_checklist($1)", "l", id)) < 0)
		http_reply_error(req, rc);
	else
		http_reply_json(req, 200, out);
	json_decref(out);
}

/* ---- gradebook ---- */

/* The gradebook as CSV into w: one row a learner, one column an activity. */
static int gradebook_csv(struct csv_writer *w, const json_t *book, bool en, bool bom)
{
	const json_t *acts = json_object_get(book, "activities"), *a, *l, *v;
	size_t i, k;
	char head[600];
	int rc;

	if ((rc = csv_writer_init(w, bom)) < 0)
		return rc;
	csv_cell_write_str(w, en ? "Name" : "이름");
	csv_cell_write_str(w, en ? "E-mail" : "이메일");
	csv_cell_write_str(w, en ? "Status" : "상태");
	json_array_foreach(acts, i, a) {
		snprintf(head, sizeof(head), "%s (%g)",
			 json_string_value(json_object_get(a, "title")),
			 json_number_value(json_object_get(a, "max_score")));
		csv_cell_write_str(w, head);
	}
	csv_cell_write_str(w, en ? "Points" : "점수");
	csv_cell_write_str(w, en ? "Possible" : "만점");
	csv_cell_write_str(w, en ? "Percent" : "백분율");
	csv_row_end(w);
	json_array_foreach(json_object_get(book, "learners"), i, l) {
		const json_t *grade = json_object_get(l, "grade");

		csv_cell_write_json(w, json_object_get(l, "display_name"));
		csv_cell_write_json(w, json_object_get(l, "email"));
		csv_cell_write_json(w, json_object_get(l, "status"));
		json_array_foreach(json_object_get(l, "scores"), k, v)
			csv_cell_write_json(w, v);
		csv_cell_write_json(w, json_object_get(grade, "earned"));
		csv_cell_write_json(w, json_object_get(grade, "max"));
		csv_cell_write_json(w, json_object_get(grade, "pct"));
		if ((rc = csv_row_end(w)) < 0)
			return rc;
	}
	return w->err;
}

void gradebook_section(struct http_req *req)
{
	struct csv_writer w = {0};
	struct roster_section s;
	struct guard_target t;
	json_t *book = NULL;
	char headers[128];
	const char *lang;
	long long id;
	bool csv, bom;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) ||
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
	lang = http_req_lang(req);
	/* Grades are personal data: read and recorded as read together. */
	if ((rc = db_begin(req->db)) < 0)
		goto fail;
	if ((rc = db_jsonf(
		     req->db, &book,
		     "SELECT json_build_object('section_id', s.id, 'course_id', s.course_id,"
		     " 'activities', (SELECT coalesce(json_agg(json_build_object('lesson_id',"
		     "  a.lesson_id, 'kind', a.kind, 'title', CASE WHEN $2 = 'en' THEN a.title_en"
		     "  ELSE a.title_ko END, 'max_score', a.max_score)), '[]')"
		     "  FROM course_activities(0, s.course_id) a),"
		     " 'learners', (SELECT coalesce(json_agg(json_build_object('user_id', e.user_id,"
		     "  'display_name', u.display_name, 'email', u.email, 'enrollment_id', e.id,"
		     "  'status', e.status, 'scores', (SELECT json_agg(a.earned)"
		     "   FROM course_activities(e.user_id, s.course_id) a),"
		     "  'grade', course_grade(e.user_id, s.course_id) - 'activities')"
		     "  ORDER BY u.display_name, e.id), '[]')"
		     "  FROM enrollments e JOIN users u ON u.id = e.user_id WHERE e.section_id = s.id"
		     "  AND e.status IN ('enrolled', 'completed', 'incomplete')))"
		     " FROM sections s WHERE s.id = $1",
		     "ls", id, lang)) < 0 ||
	    (rc = audit_record(req, &(struct audit_event){
					    .action = "gradebook.read",
					    .target_type = "section",
					    .target_id = id,
					    .institution_id = s.institution_id})) < 0 ||
	    (rc = db_commit(req->db)) < 0) {
		db_rollback(req->db);
		goto fail;
	}
	if (!csv) {
		http_reply_json(req, 200, book);
		goto out;
	}
	if ((rc = gradebook_csv(&w, book, !strcmp(lang, "en"), bom)) < 0)
		goto fail;
	snprintf(headers, sizeof(headers),
		 "Content-Disposition: attachment; filename=\"gradebook-%lld.csv\"\r\n", id);
	http_reply_bytes(req, 200, CSV_CONTENT_TYPE, w.data, w.len, headers);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	csv_writer_release(&w);
	json_decref(book);
}
