/* activity_seed.c - demo learning activities: a quiz, an assignment with
 * submissions and a video lesson in a GIST course and an AI Academy course */
#include "lms/seed/activity_seed.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/seed/seed.h"

/* The position of the demo module: after the template's modules. */
#define MODULE_POSITION "100"

/* Adds the module, its three lessons, the quiz and the assignment to
 * course, with data (the file's JSON as text); the assignment's lesson id
 * into *assignment. */
static int course_activities(struct db_conn *db, long long course, const char *data,
			     long long *assignment)
{
	PGresult *res = NULL;
	int rc;

	rc = db_one_row(
		db, &res,
		"WITH d AS (SELECT $2::jsonb AS j),"
		" m AS (INSERT INTO course_modules (course_id, position, title_ko, title_en)"
		"  SELECT $1, " MODULE_POSITION ", j -> 'module' ->> 'ko', j -> 'module' ->> 'en'"
		"  FROM d RETURNING id),"
		" v AS (INSERT INTO lessons (module_id, position, title_ko, title_en, kind, body_md,"
		"  url, duration_min) SELECT m.id, 1, j -> 'video' ->> 'ko', j -> 'video' ->> 'en',"
		"  'video', j -> 'video' ->> 'body', j -> 'video' ->> 'url',"
		"  (j -> 'video' ->> 'minutes')::integer FROM m, d RETURNING id),"
		" q AS (INSERT INTO lessons (module_id, position, title_ko, title_en, kind, body_md)"
		"  SELECT m.id, 2, j -> 'quiz' ->> 'ko', j -> 'quiz' ->> 'en', 'quiz',"
		"  j -> 'quiz' ->> 'body' FROM m, d RETURNING id),"
		" a AS (INSERT INTO lessons (module_id, position, title_ko, title_en, kind, body_md)"
		"  SELECT m.id, 3, j -> 'assignment' ->> 'ko', j -> 'assignment' ->> 'en',"
		"  'assignment', j -> 'assignment' ->> 'body' FROM m, d RETURNING id),"
		" z AS (INSERT INTO quizzes (lesson_id, attempts_max, time_limit_s, pass_pct, feedback)"
		"  SELECT q.id, (j -> 'quiz' ->> 'attempts_max')::integer,"
		"  (j -> 'quiz' ->> 'time_limit_s')::integer, (j -> 'quiz' ->> 'pass_pct')::integer,"
		"  j -> 'quiz' ->> 'feedback' FROM q, d RETURNING lesson_id),"
		" qq AS (INSERT INTO quiz_questions (lesson_id, position, kind, prompt, points, choices,"
		"  correct, explanation) SELECT z.lesson_id, x.ord - 1, x.q ->> 'kind', x.q ->> 'prompt',"
		"  (x.q ->> 'points')::numeric, x.q -> 'choices', x.q -> 'correct',"
		"  coalesce(x.q ->> 'explanation', '') FROM z, d,"
		"  jsonb_array_elements(j -> 'quiz' -> 'questions') WITH ORDINALITY x(q, ord)"
		"  RETURNING 1),"
		" s AS (INSERT INTO assignments (lesson_id, due_at, late_policy, late_penalty_pct,"
		"  max_score) SELECT a.id, date_trunc('hour', now())"
		"  + make_interval(days => (j -> 'assignment' ->> 'due_days')::integer),"
		"  j -> 'assignment' ->> 'late_policy',"
		"  (j -> 'assignment' ->> 'late_penalty_pct')::integer,"
		"  (j -> 'assignment' ->> 'max_score')::integer FROM a, d RETURNING lesson_id)"
		" SELECT (SELECT lesson_id FROM s), (SELECT count(*) FROM qq), (SELECT count(*) FROM v)",
		"ls", course, data);
	if (rc == 0)
		*assignment = db_ll(res, 0, 0);
	PQclear(res);
	return rc;
}

/* Enrols the submitting learners in section and records their
 * submissions (graded and returned ones by the section's instructor). */
static int submissions(struct db_conn *db, long long section, long long assignment,
		       const char *data)
{
	int rc;

	if ((rc = db_execf(db, NULL,
			   "INSERT INTO enrollments (user_id, section_id, status)"
			   " SELECT u.id, $1, 'enrolled'"
			   " FROM jsonb_array_elements($2::jsonb -> 'assignment' -> 'submissions') x"
			   " JOIN users u ON lower(u.email) = lower(x ->> 'email')"
			   " WHERE NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.user_id = u.id"
			   "  AND e.section_id = $1 AND e.status IN ('pending', 'enrolled',"
			   "  'waitlisted'))",
			   "ls", section, data)) < 0)
		return rc;
	return db_execf(
		db, NULL,
		"INSERT INTO assignment_submissions (lesson_id, user_id, body, status, score,"
		" final_score, feedback, graded_by, graded_at)"
		" SELECT $1, u.id, x ->> 'body', CASE WHEN x ->> 'score' IS NOT NULL THEN 'graded'"
		"  WHEN (x ->> 'returned')::boolean THEN 'returned' ELSE 'submitted' END,"
		" (x ->> 'score')::numeric, (x ->> 'score')::numeric, coalesce(x ->> 'feedback', ''),"
		" CASE WHEN x ->> 'score' IS NOT NULL OR (x ->> 'returned')::boolean THEN"
		"  (SELECT min(user_id) FROM section_instructors WHERE section_id = $2) END,"
		" CASE WHEN x ->> 'score' IS NOT NULL OR (x ->> 'returned')::boolean THEN now() END"
		" FROM jsonb_array_elements($3::jsonb -> 'assignment' -> 'submissions') x"
		" JOIN users u ON lower(u.email) = lower(x ->> 'email')"
		" ON CONFLICT (lesson_id, user_id) DO NOTHING",
		"lls", assignment, section, data);
}

int activity_seed_demo_load(struct db_conn *db, const char *dir, int iterations, bool work,
			    char *err, size_t errlen)
{
	json_t *d = NULL, *v;
	PGresult *res = NULL;
	char *text = NULL;
	size_t i;
	bool created;
	int rc;

	if ((rc = seed_data_load(dir, "activities.json", &d, err, errlen)) < 0)
		return rc;
	json_array_foreach(json_object_get(d, "learners"), i, v)
		if ((rc = seed_account(db, json_string_value(json_object_get(v, "email")),
				       json_string_value(json_object_get(v, "name")),
				       json_string_value(json_object_get(v, "stage")),
				       SEED_DEMO_PASSWORD, iterations, NULL, 0, "seed", &created, err,
				       errlen)) < 0)
			goto out;
	rc = LMS_ENOMEM;
	if (!(text = json_dumps(d, JSON_COMPACT)))
		goto fail;
	if ((rc = db_begin(db)) < 0)
		goto fail;
	json_array_foreach(json_object_get(d, "courses"), i, v) {
		long long course, section, assignment;

		/* The first course of the institution or programme with content
		 * and a section; its module once there, the course is done. */
		PQclear(res);
		res = NULL;
		rc = db_one_row(
			db, &res,
			"SELECT c.id, (SELECT s.id FROM sections s WHERE s.course_id = c.id"
			"  ORDER BY (s.status = 'open') DESC, s.starts_on DESC, s.id LIMIT 1),"
			" EXISTS (SELECT 1 FROM course_modules m WHERE m.course_id = c.id"
			"  AND m.position = " MODULE_POSITION ")"
			" FROM courses c JOIN institutions i ON i.id = c.institution_id"
			" JOIN programs p ON p.id = c.program_id"
			" WHERE ($1::text IS NULL OR i.code = $1) AND ($2::text IS NULL OR p.code = $2)"
			" AND ($3::text IS NULL OR i.code <> $3)"
			" AND EXISTS (SELECT 1 FROM course_modules m WHERE m.course_id = c.id)"
			" AND EXISTS (SELECT 1 FROM sections s WHERE s.course_id = c.id)"
			" ORDER BY c.id LIMIT 1",
			"sss", json_string_value(json_object_get(v, "institution")),
			json_string_value(json_object_get(v, "program")),
			json_string_value(json_object_get(v, "exclude_institution")));
		if (rc == LMS_ENOTFOUND)
			continue;
		if (rc < 0)
			goto rollback;
		course = db_ll(res, 0, 0);
		section = db_ll(res, 0, 1);
		if (!db_bool(res, 0, 2) &&
		    (rc = course_activities(db, course, text, &assignment)) < 0)
			goto rollback;
		if (!work)
			continue;
		PQclear(res);
		res = NULL;
		if ((rc = db_one_row(db, &res,
				     "SELECT l.id FROM lessons l JOIN course_modules m ON m.id = l.module_id"
				     " WHERE m.course_id = $1 AND m.position = " MODULE_POSITION
				     " AND l.kind = 'assignment' ORDER BY l.id LIMIT 1",
				     "l", course)) < 0)
			goto rollback;
		assignment = db_ll(res, 0, 0);
		if ((rc = submissions(db, section, assignment, text)) < 0)
			goto rollback;
	}
	if ((rc = db_commit(db)) < 0)
		goto fail;
	goto out;
rollback:
	db_rollback(db);
fail:
	rc = seed_error(db, rc, err, errlen, "learning activities");
out:
	PQclear(res);
	free(text);
	json_decref(d);
	return rc;
}
