/* quiz_store.c - quizzes in the database: definitions, attempts, grading.
 * Grading itself is the database's (quiz_grade in the migration): it runs
 * in the transaction that closes the attempt. */
#include "lms/activities/quiz_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

#define LESSON_COURSE                                                                    \
	" JOIN course_modules m ON m.id = l.module_id JOIN courses c ON c.id = m.course_id"

int quiz_store_lesson_kind(struct db_conn *db, long long id, char *kind, size_t len)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_one_row(db, &res, "SELECT kind FROM lessons WHERE id = $1", "l", id)) < 0)
		return rc;
	snprintf(kind, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int quiz_store_attempt_facts(struct db_conn *db, long long id, long long user_id,
			     struct quiz_attempt_facts *f)
{
	PGresult *res = NULL;
	int rc;

	memset(f, 0, sizeof(*f));
	if ((rc = db_one_row(
		     db, &res,
		     "SELECT a.lesson_id, c.id, c.institution_id, a.user_id, c.published,"
		     " EXISTS (SELECT 1 FROM enrollments e JOIN sections s ON s.id = e.section_id"
		     "  WHERE s.course_id = c.id AND e.user_id = $2 AND e.status = 'enrolled'),"
		     " EXISTS (SELECT 1 FROM section_instructors si"
		     "  JOIN sections s ON s.id = si.section_id"
		     "  JOIN enrollments e ON e.section_id = s.id"
		     "  WHERE s.course_id = c.id AND si.user_id = $2 AND e.user_id = a.user_id),"
		     " z.feedback"
		     " FROM quiz_attempts a JOIN quizzes z ON z.lesson_id = a.lesson_id"
		     " JOIN lessons l ON l.id = a.lesson_id" LESSON_COURSE " WHERE a.id = $1",
		     "ll", id, user_id)) < 0)
		return rc;
	f->lesson_id = db_ll(res, 0, 0);
	f->course_id = db_ll(res, 0, 1);
	f->institution_id = db_ll(res, 0, 2);
	f->learner_id = db_ll(res, 0, 3);
	f->published = db_bool(res, 0, 4);
	f->enrolled_active = db_bool(res, 0, 5);
	f->teaches_learner = db_bool(res, 0, 6);
	snprintf(f->feedback, sizeof(f->feedback), "%s", PQgetvalue(res, 0, 7));
	PQclear(res);
	return 0;
}

/* json as text (new, malloc'd) or NULL. */
static char *json_text(const json_t *json)
{
	return json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
}

int quiz_store_keys_invalid(struct db_conn *db, const json_t *questions, json_t **bad)
{
	char *text = json_text(questions);
	int rc;

	if (!text)
		return LMS_ENOMEM;
	rc = db_jsonf(db, bad,
		      "SELECT coalesce(json_agg(x.ord - 1 ORDER BY x.ord), '[]')"
		      " FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY x(q, ord)"
		      " WHERE NOT quiz_key_valid(q ->> 'kind', q -> 'choices', q -> 'correct')",
		      "s", text);
	free(text);
	return rc;
}

int quiz_store_replace(struct db_conn *db, long long lesson_id, const json_t *settings,
		       const json_t *questions, json_t **refusals)
{
	char *s = json_text(settings), *q = json_text(questions);
	PGresult *res = NULL;
	int rc;

	*refusals = NULL;
	rc = LMS_ENOMEM;
	if (!s || !q)
		goto out;
	/* The quiz's row locked first: a start waits for this change (FOR
	 * SHARE), and one that came first is seen by the checks below. */
	if ((rc = db_execf(db, NULL, "SELECT 1 FROM quizzes WHERE lesson_id = $1 FOR UPDATE", "l",
			   lesson_id)) < 0)
		goto out;
	/* Ids that are not this quiz's questions. */
	if ((rc = db_jsonf(db, refusals,
			   "SELECT coalesce(json_agg(json_build_object('field',"
			   " 'questions[' || (x.ord - 1) || '].id', 'message',"
			   " 'is not a question of this quiz') ORDER BY x.ord), '[]')"
			   " FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY x(q, ord)"
			   " WHERE x.q ? 'id' AND NOT EXISTS (SELECT 1 FROM quiz_questions z"
			   "  WHERE z.lesson_id = $1 AND z.id = (x.q ->> 'id')::bigint)"
			   "  OR (SELECT count(*) FROM jsonb_array_elements($2::jsonb) y"
			   "  WHERE y -> 'id' = x.q -> 'id') > 1",
			   "ls", lesson_id, q)) < 0)
		goto out;
	if (json_array_size(*refusals)) {
		rc = LMS_EINVAL;
		goto out;
	}
	json_decref(*refusals);
	if ((rc = db_jsonf(db, refusals,
			   "SELECT quiz_change_refusals($1, $2::jsonb,"
			   " coalesce(($3::jsonb ->> 'pass_pct')::integer, 60))",
			   "lss", lesson_id, q, s)) < 0)
		goto out;
	if (json_array_size(*refusals)) {
		rc = LMS_ECONFLICT;
		goto out;
	}
	json_decref(*refusals);
	*refusals = NULL;
	if ((rc = db_execf(db, NULL,
			   "INSERT INTO quizzes AS z (lesson_id, attempts_max, time_limit_s, pass_pct,"
			   " shuffle_questions, shuffle_choices, feedback)"
			   " SELECT $1, (j ->> 'attempts_max')::integer, (j ->> 'time_limit_s')::integer,"
			   "  coalesce((j ->> 'pass_pct')::integer, 60),"
			   "  coalesce((j ->> 'shuffle_questions')::boolean, true),"
			   "  coalesce((j ->> 'shuffle_choices')::boolean, true),"
			   "  coalesce(j ->> 'feedback', 'score') FROM (SELECT $2::jsonb) s(j)"
			   " ON CONFLICT (lesson_id) DO UPDATE SET attempts_max = EXCLUDED.attempts_max,"
			   " time_limit_s = EXCLUDED.time_limit_s, pass_pct = EXCLUDED.pass_pct,"
			   " shuffle_questions = EXCLUDED.shuffle_questions,"
			   " shuffle_choices = EXCLUDED.shuffle_choices, feedback = EXCLUDED.feedback,"
			   " updated_at = now()",
			   "ls", lesson_id, s)) < 0)
		goto out;
	/* Questions left out go (the triggers keep those in attempts), those
	 * kept take their new wording and place, the rest are added. */
	if ((rc = db_execf(db, NULL,
			   "DELETE FROM quiz_questions z WHERE z.lesson_id = $1 AND NOT EXISTS ("
			   " SELECT 1 FROM jsonb_array_elements($2::jsonb) x"
			   " WHERE (x ->> 'id')::bigint = z.id)",
			   "ls", lesson_id, q)) < 0 ||
	    (rc = db_execf(db, NULL,
			   "UPDATE quiz_questions z SET position = x.ord - 1, kind = x.q ->> 'kind',"
			   " prompt = x.q ->> 'prompt', points = (x.q ->> 'points')::numeric,"
			   " choices = x.q -> 'choices', correct = x.q -> 'correct',"
			   " explanation = x.q ->> 'explanation'"
			   " FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY x(q, ord)"
			   " WHERE z.lesson_id = $1 AND z.id = (x.q ->> 'id')::bigint",
			   "ls", lesson_id, q)) < 0)
		goto out;
	rc = db_execf(db, NULL,
		      "INSERT INTO quiz_questions (lesson_id, position, kind, prompt, points,"
		      " choices, correct, explanation)"
		      " SELECT $1, x.ord - 1, q ->> 'kind', q ->> 'prompt', (q ->> 'points')::numeric,"
		      "  q -> 'choices', q -> 'correct', q ->> 'explanation'"
		      " FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY x(q, ord)"
		      " WHERE NOT q ? 'id'",
		      "ls", lesson_id, q);
out:
	PQclear(res);
	free(s);
	free(q);
	return rc;
}

int quiz_store_authoring(struct db_conn *db, long long id, json_t **out)
{
	return db_jsonf(
		db, out,
		"SELECT json_build_object('lesson_id', z.lesson_id, 'attempts_max', z.attempts_max,"
		" 'time_limit_s', z.time_limit_s, 'pass_pct', z.pass_pct,"
		" 'shuffle_questions', z.shuffle_questions, 'shuffle_choices', z.shuffle_choices,"
		" 'feedback', z.feedback, 'updated_at', z.updated_at,"
		" 'has_attempts', EXISTS (SELECT 1 FROM quiz_attempts a"
		"  WHERE a.lesson_id = z.lesson_id),"
		" 'questions', (SELECT coalesce(json_agg(jsonb_build_object('id', q.id,"
		"  'kind', q.kind, 'prompt', q.prompt, 'points', q.points,"
		"  'explanation', q.explanation,"
		"  'attempted', quiz_question_attempted(z.lesson_id, q.id)) || CASE q.kind"
		"   WHEN 'short' THEN jsonb_build_object('accepted', q.correct)"
		"   WHEN 'numeric' THEN q.correct"
		"   ELSE jsonb_build_object('choices', q.choices, 'correct', q.correct) END"
		"  ORDER BY q.position, q.id), '[]') FROM quiz_questions q"
		"  WHERE q.lesson_id = z.lesson_id))"
		" FROM quizzes z WHERE z.lesson_id = $1",
		"l", id);
}

int quiz_store_learner_view(struct db_conn *db, long long id, long long user_id, json_t **out)
{
	return db_jsonf(
		db, out,
		"SELECT json_build_object('lesson_id', z.lesson_id, 'attempts_max', z.attempts_max,"
		" 'time_limit_s', z.time_limit_s, 'pass_pct', z.pass_pct, 'feedback', z.feedback,"
		" 'question_count', (SELECT count(*) FROM quiz_questions q"
		"  WHERE q.lesson_id = z.lesson_id),"
		" 'max_score', (SELECT coalesce(sum(q.points), 0) FROM quiz_questions q"
		"  WHERE q.lesson_id = z.lesson_id),"
		" 'attempts_left', CASE WHEN z.attempts_max IS NOT NULL THEN"
		"  greatest(z.attempts_max - (SELECT count(*) FROM quiz_attempts a"
		"  WHERE a.lesson_id = z.lesson_id AND a.user_id = $2), 0) END,"
		" 'attempts', (SELECT coalesce(json_agg(json_build_object('id', a.id,"
		"  'number', a.number, 'started_at', a.started_at, 'deadline', a.deadline,"
		"  'submitted_at', a.submitted_at, 'status', quiz_attempt_status(a),"
		"  'score', CASE WHEN z.feedback <> 'none' THEN a.score END,"
		"  'max_score', CASE WHEN z.feedback <> 'none' THEN a.max_score END,"
		"  'passed', CASE WHEN z.feedback <> 'none' THEN a.passed END)"
		"  ORDER BY a.number), '[]') FROM quiz_attempts a"
		"  WHERE a.lesson_id = z.lesson_id AND a.user_id = $2))"
		" FROM quizzes z WHERE z.lesson_id = $1",
		"ll", id, user_id);
}

int quiz_store_attempt_json(struct db_conn *db, long long id, bool show_score, bool reveal,
			    json_t **out)
{
	return db_jsonf(db, out, "SELECT quiz_attempt_json($1, $2, $3)", "lbb", id, show_score,
			reveal);
}

int quiz_store_attempt_start(struct db_conn *db, long long lesson_id, long long user_id,
			     long long *attempt_id, bool *resumed)
{
	PGresult *res = NULL;
	long long v;
	int rc;

	if ((rc = db_one_row(db, &res, "SELECT quiz_attempt_start($1, $2)", "ll", lesson_id,
			     user_id)) < 0)
		return rc;
	v = db_ll(res, 0, 0);
	PQclear(res);
	*resumed = v < 0;
	*attempt_id = v < 0 ? -v : v;
	return 0;
}

int quiz_store_attempt_submit(struct db_conn *db, long long id, const char *answers,
			      char *outcome, size_t len)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_one_row(db, &res, "SELECT quiz_attempt_submit($1, $2::jsonb)", "ls", id,
			     answers)) < 0)
		return rc;
	if (PQgetisnull(res, 0, 0))
		rc = LMS_ENOTFOUND;
	else
		snprintf(outcome, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

int quiz_store_attempts_list(struct db_conn *db, long long lesson_id, long long user_id, bool all,
			     json_t **out)
{
	return db_jsonf(
		db, out,
		"SELECT coalesce(json_agg(json_build_object('id', a.id, 'user_id', a.user_id,"
		" 'display_name', u.display_name, 'number', a.number, 'started_at', a.started_at,"
		" 'submitted_at', a.submitted_at, 'status', quiz_attempt_status(a),"
		" 'score', a.score, 'max_score', a.max_score, 'passed', a.passed)"
		" ORDER BY a.started_at DESC, a.id DESC), '[]')"
		" FROM quiz_attempts a JOIN users u ON u.id = a.user_id"
		" JOIN lessons l ON l.id = a.lesson_id JOIN course_modules m ON m.id = l.module_id"
		" WHERE a.lesson_id = $1 AND ($3 OR EXISTS (SELECT 1 FROM section_instructors si"
		"  JOIN sections s ON s.id = si.section_id JOIN enrollments e ON e.section_id = s.id"
		"  WHERE s.course_id = m.course_id AND si.user_id = $2 AND e.user_id = a.user_id))",
		"llb", lesson_id, user_id, all);
}
