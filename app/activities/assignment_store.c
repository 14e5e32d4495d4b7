/* assignment_store.c - assignments in the database: settings, submissions,
 * grades. The rules (due date, late policy, a graded submission is final
 * for its learner, the penalty) are the database's functions. */
#include "lms/activities/assignment_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

int assignment_store_submission_facts(struct db_conn *db, long long id, long long user_id,
				      struct submission_facts *f)
{
	PGresult *res = NULL;
	int rc;

	memset(f, 0, sizeof(*f));
	if ((rc = db_one_row(
		     db, &res,
		     "SELECT s.lesson_id, c.id, c.institution_id, s.user_id, c.published,"
		     " EXISTS (SELECT 1 FROM section_instructors si"
		     "  JOIN sections sc ON sc.id = si.section_id"
		     "  JOIN enrollments e ON e.section_id = sc.id"
		     "  WHERE sc.course_id = c.id AND si.user_id = $2 AND e.user_id = s.user_id),"
		     " coalesce(s.size, 0), coalesce(s.sha256, ''), coalesce(s.content_type, ''),"
		     " coalesce(s.filename, '')"
		     " FROM assignment_submissions s JOIN lessons l ON l.id = s.lesson_id"
		     " JOIN course_modules m ON m.id = l.module_id JOIN courses c ON c.id = m.course_id"
		     " WHERE s.id = $1",
		     "ll", id, user_id)) < 0)
		return rc;
	f->lesson_id = db_ll(res, 0, 0);
	f->course_id = db_ll(res, 0, 1);
	f->institution_id = db_ll(res, 0, 2);
	f->learner_id = db_ll(res, 0, 3);
	f->published = db_bool(res, 0, 4);
	f->teaches_learner = db_bool(res, 0, 5);
	f->size = db_ll(res, 0, 6);
	snprintf(f->sha256, sizeof(f->sha256), "%s", PQgetvalue(res, 0, 7));
	snprintf(f->content_type, sizeof(f->content_type), "%s", PQgetvalue(res, 0, 8));
	snprintf(f->filename, sizeof(f->filename), "%s", PQgetvalue(res, 0, 9));
	PQclear(res);
	return 0;
}

int assignment_store_rules(struct db_conn *db, long long lesson_id, struct assignment_rules *r)
{
	PGresult *res = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = db_one_row(db, &res,
			     "SELECT accepts, max_file_mb::bigint * 1048576 FROM assignments"
			     " WHERE lesson_id = $1",
			     "l", lesson_id)) < 0)
		return rc;
	snprintf(r->accepts, sizeof(r->accepts), "%s", PQgetvalue(res, 0, 0));
	r->max_file_bytes = db_ll(res, 0, 1);
	PQclear(res);
	return 0;
}

#define ASSIGNMENT_JSON                                                                  \
	"json_build_object('lesson_id', a.lesson_id, 'due_at', a.due_at,"                 \
	" 'late_policy', a.late_policy, 'late_penalty_pct', a.late_penalty_pct,"          \
	" 'late_until', a.late_until, 'max_score', a.max_score, 'accepts', a.accepts,"    \
	" 'max_file_mb', a.max_file_mb, 'server_now', now(), 'updated_at', a.updated_at)"

int assignment_store_put(struct db_conn *db, long long lesson_id, const json_t *body,
			 json_t **out)
{
	char *text = json_dumps(body, JSON_COMPACT);
	int rc;

	if (!text)
		return LMS_ENOMEM;
	rc = db_jsonf(
		db, out,
		"INSERT INTO assignments AS a (lesson_id, due_at, late_policy, late_penalty_pct,"
		" late_until, max_score, accepts, max_file_mb)"
		" SELECT $1, (j ->> 'due_at')::timestamptz, coalesce(j ->> 'late_policy', 'refuse'),"
		"  coalesce((j ->> 'late_penalty_pct')::integer, 0), (j ->> 'late_until')::timestamptz,"
		"  coalesce((j ->> 'max_score')::integer, 100), coalesce(j ->> 'accepts', 'both'),"
		"  coalesce((j ->> 'max_file_mb')::integer, 20) FROM (SELECT $2::jsonb) b(j)"
		" ON CONFLICT (lesson_id) DO UPDATE SET due_at = EXCLUDED.due_at,"
		" late_policy = EXCLUDED.late_policy, late_penalty_pct = EXCLUDED.late_penalty_pct,"
		" late_until = EXCLUDED.late_until, max_score = EXCLUDED.max_score,"
		" accepts = EXCLUDED.accepts, max_file_mb = EXCLUDED.max_file_mb, updated_at = now()"
		" RETURNING " ASSIGNMENT_JSON,
		"ls", lesson_id, text);
	free(text);
	return rc;
}

int assignment_store_view(struct db_conn *db, long long id, long long user_id, json_t **out)
{
	return db_jsonf(db, out,
			"SELECT (" ASSIGNMENT_JSON "::jsonb || jsonb_build_object('submission',"
			" (SELECT assignment_submission_json(s.id) FROM assignment_submissions s"
			"  WHERE s.lesson_id = a.lesson_id AND s.user_id = $2)))::json"
			" FROM assignments a WHERE a.lesson_id = $1",
			"ll", id, user_id);
}

int assignment_store_submit(struct db_conn *db, long long lesson_id, long long user_id,
			    const char *body, const char *filename, const char *content_type,
			    long long size, const char *sha256, long long *id)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_one_row(db, &res,
			     "SELECT assignment_submit($1, $2, $3, $4, $5, $6, $7)", "llsss?ls",
			     lesson_id, user_id, body, filename, content_type, sha256 != NULL, size,
			     sha256)) < 0)
		return rc;
	*id = db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}

int assignment_store_submission_json(struct db_conn *db, long long id, json_t **out)
{
	return db_jsonf(db, out, "SELECT assignment_submission_json($1)", "l", id);
}

int assignment_store_queue(struct db_conn *db, long long lesson_id, long long user_id, bool all,
			   const char *status, json_t **out)
{
	return db_jsonf(
		db, out,
		"SELECT coalesce(json_agg(assignment_submission_json(s.id)"
		" ORDER BY s.submitted_at, s.id), '[]')"
		" FROM assignment_submissions s JOIN lessons l ON l.id = s.lesson_id"
		" JOIN course_modules m ON m.id = l.module_id"
		" WHERE s.lesson_id = $1 AND ($4::text IS NULL OR s.status = $4)"
		" AND ($3 OR EXISTS (SELECT 1 FROM section_instructors si"
		"  JOIN sections sc ON sc.id = si.section_id JOIN enrollments e ON e.section_id = sc.id"
		"  WHERE sc.course_id = m.course_id AND si.user_id = $2 AND e.user_id = s.user_id))",
		"llbs", lesson_id, user_id, all, status);
}

int assignment_store_grade(struct db_conn *db, long long id, long long grader, long long score,
			   const char *feedback)
{
	int rc;

	if ((rc = db_execf(db, NULL, "SELECT assignment_grade($1, $2, $3, $4)", "ll?ls", id,
			   grader, score >= 0, score, feedback)) < 0)
		return rc;
	/* Its learner hears of it, once per grade given. */
	return db_execf(
		db, NULL,
		"SELECT outbox_enqueue(s.user_id, CASE s.status WHEN 'returned'"
		"  THEN 'assignment.returned' ELSE 'assignment.graded' END,"
		" jsonb_build_object('course', c.title_ko, 'course_en', c.title_en,"
		"  'lesson', l.title_ko, 'lesson_en', l.title_en,"
		"  'score', coalesce(s.final_score::text, ''), 'max_score', a.max_score,"
		"  'lesson_id', l.id),"
		" 'assignment:' || s.id || ':' || s.version || ':' || s.status || ':'"
		"  || extract(epoch FROM s.graded_at))"
		" FROM assignment_submissions s JOIN assignments a ON a.lesson_id = s.lesson_id"
		" JOIN lessons l ON l.id = s.lesson_id JOIN course_modules m ON m.id = l.module_id"
		" JOIN courses c ON c.id = m.course_id WHERE s.id = $1",
		"l", id);
}
