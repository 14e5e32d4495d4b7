/* quiz_test.c - quizzes against a running server: authoring, attempts with
 * their own order, grading in the database, no answer key before
 * submission, the server's clock, attempt limits, feedback settings, and
 * who may read whose attempt */
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define USER_PASSWORD "quiz-user-pass-2026"
#define LEARNER_FIELDS "\"display_name\": \"수강생\", \"ladder_stage\": \"worker\""

static struct lms_server server;
static char conninfo[1024];
static struct harness_actor learner, other, instructor, instructor2, gist_admin, jnu_admin,
	outsider, waitlisted;
static long long course, section_a, module_id, lesson_quiz, lesson_timed, lesson_none,
	lesson_text, lesson_edit;

/* What must never reach a learner before submission: the accepted short
 * answers, the numeric key, the explanations and the names of key fields. */
static const char *const secrets[] = {
	"gradient descent", "경사 하강법", "2.71828", "EXPLAIN-SECRET", "\"correct\"",
	"\"accepted\"", "\"tolerance\"", "\"explanation\"", "\"value\"",
};

static long long sql_ll(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long sql_ll(const char *fmt, ...)
{
	char sql[4096];
	va_list ap;
	long long v;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	v = harness_sql_ll(conninfo, sql);
	if (v < 0)
		fail_msg("query failed or returned nothing: %s", sql);
	return v;
}

static void assert_secret_free(const char *what, const char *body)
{
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (body && strstr(body, secrets[i]))
			fail_msg("%s: the answer key (%s) shows before submission: %s", what,
				 secrets[i], body);
}

/* A request that must answer want; its body, scanned for the key when
 * scan, as JSON (new). */
static json_t *call(const struct harness_actor *a, const char *method, const char *path,
		    const char *body, long want, bool scan)
{
	struct http_result r = {0};
	json_t *j;

	if (harness_as(&server, a, method, path, body, &r) != 0)
		fail_msg("%s %s: no response", method, path);
	if (r.status != want)
		fail_msg("%s %s: expected %ld, got %ld: %s", method, path, want, r.status, r.body);
	if (scan)
		assert_secret_free(path, r.body);
	j = r.body && r.body[0] ? json_loads(r.body, 0, NULL) : NULL;
	http_result_release(&r);
	return j;
}

static long long lesson_of(const char *kind, int position)
{
	return sql_ll("INSERT INTO lessons (module_id, position, title_ko, title_en, kind)"
		      " VALUES (%lld, %d, '퀴즈 %d', 'Quiz %d', '%s') RETURNING id",
		      module_id, position, position, position, kind);
}

/* The main quiz: one of each kind. */
static const char *quiz_body =
	"{\"pass_pct\": 70, \"feedback\": \"answers\", \"attempts_max\": 3,"
	" \"questions\": ["
	" {\"kind\": \"single\", \"prompt\": \"지도 학습은?\", \"points\": 2,"
	"  \"choices\": [\"군집화\", \"분류\", \"차원 축소\"], \"correct\": [1],"
	"  \"explanation\": \"EXPLAIN-SECRET one\"},"
	" {\"kind\": \"multiple\", \"prompt\": \"Which are optimisers?\","
	"  \"choices\": [\"Adam\", \"ReLU\", \"SGD\", \"Dropout\"], \"correct\": [0, 2]},"
	" {\"kind\": \"short\", \"prompt\": \"손실을 줄이는 방법 (Korean or English)\","
	"  \"accepted\": [\"경사 하강법\", \"Gradient Descent\"]},"
	" {\"kind\": \"numeric\", \"prompt\": \"e to 2 places\", \"value\": 2.71828,"
	"  \"tolerance\": 0.005}"
	"]}";

static int setup(void **state)
{
	long long gist, section_b;
	char sql[512];

	(void)state;
	if (harness_db_create("quiz", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	harness_login_ok(&server, "learner@example.com", DEMO_PASSWORD, &learner);
	harness_login_ok(&server, "instructor@example.com", DEMO_PASSWORD, &instructor);
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	harness_register_ok(&server, "quiz-other@example.com", USER_PASSWORD, LEARNER_FIELDS,
			    &other);
	harness_register_ok(&server, "quiz-outsider@example.com", USER_PASSWORD, LEARNER_FIELDS,
			    &outsider);
	harness_register_ok(&server, "quiz-waitlisted@example.com", USER_PASSWORD,
			    LEARNER_FIELDS, &waitlisted);
	harness_register_ok(&server, "quiz-teacher2@example.com", USER_PASSWORD, LEARNER_FIELDS,
			    &instructor2);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO user_roles (user_id, role, institution_id) VALUES (%lld,"
		 " 'instructor', %lld)",
		 instructor2.user_id, gist);
	if (harness_sql(conninfo, sql) != 0)
		return -1;

	course = harness_course_create(conninfo, &(struct harness_course){
							 .institution = gist, .code = "QZ-101"});
	section_a = harness_section_create(conninfo, &(struct harness_section){.course = course});
	section_b = harness_section_create(conninfo, &(struct harness_section){.course = course});
	sql_ll("INSERT INTO section_instructors VALUES (%lld, %lld), (%lld, %lld)"
	       " RETURNING section_id",
	       section_a, instructor.user_id, section_b, instructor2.user_id);
	harness_enrollment_create(conninfo, &(struct harness_enrollment){
						    .section = section_a, .user = learner.user_id});
	harness_enrollment_create(conninfo, &(struct harness_enrollment){
						    .section = section_a, .user = other.user_id});
	harness_enrollment_create(conninfo,
				  &(struct harness_enrollment){.section = section_a,
							       .user = waitlisted.user_id,
							       .status = "waitlisted"});
	module_id = sql_ll("INSERT INTO course_modules (course_id, position, title_ko, title_en)"
			   " VALUES (%lld, 1, '평가', 'Assessment') RETURNING id",
			   course);
	lesson_quiz = lesson_of("quiz", 1);
	lesson_timed = lesson_of("quiz", 2);
	lesson_none = lesson_of("quiz", 3);
	lesson_text = lesson_of("text", 4);
	lesson_edit = lesson_of("quiz", 5);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return harness_server_stop(&server) == 0 ? 0 : -1;
}

/* A path with an id in it. */
#define path_of(buf, len, fmt, id) snprintf((buf), (len), fmt, (long long)(id))

/* ---- tests ---- */

static void test_normalise(void **state)
{
	char v[128];

	(void)state;
	/* NFD jamo to NFC syllables; case and all kinds of white space fold. */
	assert_int_equal(harness_sql_value(conninfo,
					   "SELECT quiz_normalise(U&'  \\1100\\1161 \\3000 B\\00a0C  ')",
					   v, sizeof(v)),
			 0);
	assert_string_equal(v, "가 b c");
	assert_int_equal(harness_sql_value(conninfo,
					   "SELECT quiz_normalise('Gradient' || chr(9) || '  DESCENT')",
					   v, sizeof(v)),
			 0);
	assert_string_equal(v, "gradient descent");
}

static void test_authoring(void **state)
{
	char path[128];
	json_t *quiz, *q;

	(void)state;
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/quiz", lesson_quiz);
	/* Who may author: the course's instructors and its institution's
	 * admins; not a learner, not another institution. */
	harness_problem_as(&server, &learner, "PUT", path, quiz_body, 403, "forbidden", NULL);
	harness_problem_as(&server, &jnu_admin, "PUT", path, quiz_body, 403, "forbidden", NULL);
	harness_problem_as(&server, NULL, "PUT", path, quiz_body, 401, "unauthenticated", NULL);

	/* Bad bodies name their fields. */
	harness_problem_as(&server, &instructor, "PUT", path, "{\"pass_pct\": 50}", 400,
			   "validation_failed", "questions");
	harness_problem_as(&server, &instructor, "PUT", path,
			   "{\"pass_pct\": 50, \"feedback\": \"score\", \"questions\": [{\"kind\":"
			   " \"single\", \"prompt\": \"x\", \"choices\": [\"a\", \"b\"],"
			   " \"correct\": [2]}]}",
			   400, "validation_failed", "questions[0].correct");
	harness_problem_as(&server, &instructor, "PUT", path,
			   "{\"pass_pct\": 50, \"feedback\": \"score\", \"questions\": [{\"kind\":"
			   " \"single\", \"prompt\": \"x\", \"choices\": [\"a\", \"b\"],"
			   " \"correct\": [0, 1]}]}",
			   400, "validation_failed", "questions[0].correct");
	harness_problem_as(&server, &instructor, "PUT", path,
			   "{\"pass_pct\": 50, \"feedback\": \"score\", \"questions\": [{\"kind\":"
			   " \"multiple\", \"prompt\": \"x\", \"choices\": [\"a\", \"b\"],"
			   " \"correct\": [1, 1]}]}",
			   400, "validation_failed", "questions[0].correct");
	harness_problem_as(&server, &instructor, "PUT", path,
			   "{\"pass_pct\": 50, \"feedback\": \"score\", \"questions\": [{\"kind\":"
			   " \"short\", \"prompt\": \"x\"}]}",
			   400, "validation_failed", "questions[0].accepted");
	harness_problem_as(&server, &instructor, "PUT", path,
			   "{\"pass_pct\": 50, \"feedback\": \"score\", \"questions\": [{\"kind\":"
			   " \"numeric\", \"prompt\": \"x\", \"value\": 1, \"tolerance\": -1}]}",
			   400, "validation_failed", "questions[0].tolerance");
	harness_problem_as(&server, &instructor, "PUT", path,
			   "{\"pass_pct\": 50, \"feedback\": \"score\", \"questions\": [{\"kind\":"
			   " \"essay\", \"prompt\": \"x\"}]}",
			   400, "validation_failed", "questions[0].kind");
	harness_problem_as(&server, &instructor, "PUT", path,
			   "{\"pass_pct\": 500, \"feedback\": \"loud\", \"questions\": [],"
			   " \"extra\": 1}",
			   400, "validation_failed", "extra");
	harness_problem_as(&server, &instructor, "PUT", path, "[1]", 400, "invalid_request",
			   NULL);
	/* Not a quiz lesson, no lesson at all. */
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/quiz", lesson_text);
	harness_problem_as(&server, &instructor, "PUT", path, quiz_body, 404, "not_a_quiz", NULL);
	harness_problem_as(&server, &instructor, "PUT", "/api/v1/lessons/99999999/quiz", quiz_body,
			   404, "not_found", NULL);
	assert_int_equal(sql_ll("SELECT count(*) FROM quizzes WHERE lesson_id IN (%lld, %lld)",
				lesson_quiz, lesson_text),
			 0);

	path_of(path, sizeof(path), "/api/v1/lessons/%lld/quiz", lesson_quiz);
	quiz = call(&instructor, "PUT", path, quiz_body, 200, false);
	assert_int_equal(json_array_size(json_object_get(quiz, "questions")), 4);
	q = json_array_get(json_object_get(quiz, "questions"), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(q, "accepted"), 1)),
			    "Gradient Descent");
	json_decref(quiz);
	/* An admin may too; the change is audited. */
	json_decref(call(&gist_admin, "PUT", path, quiz_body, 200, false));
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'quiz.update'"
				" AND target_id = %lld",
				lesson_quiz),
			 2);
	/* The authors read the key; a learner never does. */
	quiz = call(&instructor, "GET", path, NULL, 200, false);
	assert_non_null(json_object_get(json_array_get(json_object_get(quiz, "questions"), 0),
					"correct"));
	json_decref(quiz);
	quiz = call(&learner, "GET", path, NULL, 200, true);
	assert_int_equal(harness_json_ll(quiz, "question_count"), 4);
	assert_null(json_object_get(quiz, "questions"));
	json_decref(quiz);
	/* Someone with no place in the course reads nothing. */
	harness_problem_as(&server, &outsider, "GET", path, NULL, 403, "forbidden", NULL);

	path_of(path, sizeof(path), "/api/v1/lessons/%lld/quiz", lesson_timed);
	json_decref(call(&instructor, "PUT", path,
			 "{\"pass_pct\": 50, \"feedback\": \"score\", \"attempts_max\": 2,"
			 " \"time_limit_s\": 60, \"questions\": [{\"kind\": \"numeric\","
			 " \"prompt\": \"1 + 1\", \"value\": 2}]}",
			 200, false));
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/quiz", lesson_none);
	json_decref(call(&instructor, "PUT", path,
			 "{\"pass_pct\": 50, \"feedback\": \"none\", \"shuffle_questions\": false,"
			 " \"questions\": [{\"kind\": \"short\", \"prompt\": \"AI의 영어 약자\","
			 " \"accepted\": [\"AI\"]}]}",
			 200, false));
}

/* The answers that are right for attempt a, from the author's view q:
 * the short answer in another spelling than the key's. */
static char *right_answers(const json_t *a, const json_t *quiz)
{
	json_t *answers = json_object(), *aq, *kq, *body;
	size_t i, k;
	char key[32], *text;

	json_array_foreach(json_object_get(a, "questions"), i, aq) {
		long long id = json_integer_value(json_object_get(aq, "id"));
		const char *kind = json_string_value(json_object_get(aq, "kind"));

		snprintf(key, sizeof(key), "%lld", id);
		json_array_foreach(json_object_get(quiz, "questions"), k, kq)
			if (json_integer_value(json_object_get(kq, "id")) == id)
				break;
		if (!strcmp(kind, "single"))
			json_object_set(answers, key, json_array_get(json_object_get(kq, "correct"), 0));
		else if (!strcmp(kind, "multiple"))
			/* In another order than the key's. */
			json_object_set_new(answers, key, json_pack("[i, i]", 2, 0));
		else if (!strcmp(kind, "short"))
			/* Decomposed jamo, extra spaces: 경사 하강법 as typed on some systems. */
			json_object_set_new(answers, key,
					    json_string("  \xe1\x84\x80\xe1\x85\xa7\xe1\x86\xbc"
							"\xe1\x84\x89\xe1\x85\xa1   "
							"\xe1\x84\x92\xe1\x85\xa1\xe1\x84\x80"
							"\xe1\x85\xa1\xe1\x86\xbc"
							"\xe1\x84\x87\xe1\x85\xa5\xe1\x86\xb8 "));
		else
			json_object_set_new(answers, key, json_real(2.72));
	}
	body = json_pack("{s:o}", "answers", answers);
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return text;
}

static void test_attempt_and_grading(void **state)
{
	char path[128], sub[128], *body;
	json_t *a, *again, *view, *quiz, *done, *q0, *q1;
	long long id;

	(void)state;
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/quiz/attempts", lesson_quiz);
	/* Only learners enrolled now start one. */
	harness_problem_as(&server, &outsider, "POST", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &waitlisted, "POST", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &learner, "POST", path, "{\"x\": 1}", 400, "invalid_request",
			   NULL);

	a = call(&learner, "POST", path, NULL, 201, true);
	id = harness_json_ll(a, "id");
	assert_string_equal(json_string_value(json_object_get(a, "status")), "open");
	assert_int_equal(json_array_size(json_object_get(a, "questions")), 4);
	assert_true(json_is_null(json_object_get(a, "score")));
	/* A reload gives the same attempt, in the same order. */
	again = call(&learner, "POST", path, NULL, 200, true);
	assert_int_equal(harness_json_ll(again, "id"), id);
	assert_true(json_equal(json_object_get(a, "questions"), json_object_get(again, "questions")));
	json_decref(again);
	path_of(sub, sizeof(sub), "/api/v1/quiz-attempts/%lld", id);
	view = call(&learner, "GET", sub, NULL, 200, true);
	assert_true(json_equal(json_object_get(a, "questions"), json_object_get(view, "questions")));
	json_decref(view);
	path_of(sub, sizeof(sub), "/api/v1/lessons/%lld/quiz", lesson_quiz);
	json_decref(call(&learner, "GET", sub, NULL, 200, true));
	path_of(sub, sizeof(sub), "/api/v1/lessons/%lld", lesson_quiz);
	json_decref(call(&learner, "GET", sub, NULL, 200, true));
	/* Its layout is stored: the same as shown. */
	q0 = json_array_get(json_object_get(a, "questions"), 0);
	assert_int_equal(sql_ll("SELECT (layout -> 0 ->> 'question_id')::bigint FROM quiz_attempts"
				" WHERE id = %lld",
				id),
			 json_integer_value(json_object_get(q0, "id")));
	/* Once started, its questions cannot be replaced by others. */
	path_of(sub, sizeof(sub), "/api/v1/lessons/%lld/quiz", lesson_quiz);
	harness_problem_as(&server, &instructor, "PUT", sub, quiz_body, 409,
			   "quiz_change_alters_grades", "questions");

	/* Bad answers are refused before anything is graded. */
	path_of(sub, sizeof(sub), "/api/v1/quiz-attempts/%lld/submit", id);
	harness_problem_as(&server, &learner, "POST", sub, "{}", 400, "validation_failed",
			   "answers");
	harness_problem_as(&server, &learner, "POST", sub, "{\"answers\": {\"x\": 1}}", 400,
			   "validation_failed", "answers");
	harness_problem_as(&server, &learner, "POST", sub, "{\"answers\": {\"1\": {\"a\": 1}}}",
			   400, "validation_failed", "answers");
	assert_int_equal(sql_ll("SELECT count(*) FROM quiz_attempts WHERE id = %lld"
				" AND submitted_at IS NULL",
				id),
			 1);
	/* Someone else cannot submit it. */
	harness_problem_as(&server, &other, "POST", sub, "{\"answers\": {}}", 404, "not_found",
			   NULL);

	path_of(path, sizeof(path), "/api/v1/lessons/%lld/quiz", lesson_quiz);
	quiz = call(&instructor, "GET", path, NULL, 200, false);
	body = right_answers(a, quiz);
	done = call(&learner, "POST", sub, body, 200, false);
	assert_string_equal(json_string_value(json_object_get(done, "status")), "submitted");
	assert_true(json_equal(json_object_get(done, "score"), json_object_get(done, "max_score")));
	assert_true(json_is_true(json_object_get(done, "passed")));
	/* Feedback "answers": each question's result and key, now. */
	q1 = json_array_get(json_object_get(done, "questions"), 0);
	assert_non_null(json_object_get(q1, "correct"));
	assert_true(json_is_true(json_object_get(json_object_get(q1, "result"), "correct")));
	/* Submitted again (a double click, a retry): the same answer, one grade. */
	again = call(&learner, "POST", sub, "{\"answers\": {}}", 200, false);
	assert_true(json_equal(json_object_get(again, "score"), json_object_get(done, "score")));
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action ="
				" 'quiz_attempt.submit' AND target_id = %lld",
				id),
			 1);
	/* A passed quiz completes its lesson. */
	assert_int_equal(sql_ll("SELECT count(*) FROM lesson_progress WHERE user_id = %lld"
				" AND lesson_id = %lld",
				learner.user_id, lesson_quiz),
			 1);
	/* A graded attempt is final in the database too. */
	assert_int_not_equal(harness_sql(conninfo, "UPDATE quiz_attempts SET score = 0"), 0);
	json_decref(again);
	json_decref(done);
	json_decref(quiz);
	json_decref(a);
	free(body);

	/* A second attempt, answered wrong, scores what it earned. */
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/quiz/attempts", lesson_quiz);
	a = call(&learner, "POST", path, NULL, 201, true);
	id = harness_json_ll(a, "id");
	assert_int_equal(harness_json_ll(a, "number"), 2);
	path_of(sub, sizeof(sub), "/api/v1/quiz-attempts/%lld/submit", id);
	done = call(&learner, "POST", sub, "{\"answers\": {\"1\": 5}}", 200, false);
	assert_int_equal((int)json_number_value(json_object_get(done, "score")), 0);
	assert_true(json_is_false(json_object_get(done, "passed")));
	json_decref(done);
	json_decref(a);
}

/* vsnprintf into a new string at *out; -1 when out of memory. */
static int xasprintf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int xasprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(*out = malloc((size_t)n + 1)))
		return -1;
	va_start(ap, fmt);
	vsnprintf(*out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return n;
}

/* A quiz body for lesson_edit: q0 (single, id0 when > 0) and q1 (numeric,
 * id1), their variable parts given, and extra questions appended. */
static char *edit_body(int pass, long long id0, const char *prompt0, const char *correct0,
		       int points0, long long id1, double value1, const char *extra)
{
	char *b = NULL, i0[32] = "", i1[32] = "";

	if (id0 > 0)
		snprintf(i0, sizeof(i0), "\"id\": %lld, ", id0);
	if (id1 > 0)
		snprintf(i1, sizeof(i1), "\"id\": %lld, ", id1);
	if (xasprintf(&b,
		     "{\"pass_pct\": %d, \"feedback\": \"answers\", \"attempts_max\": 5,"
		     " \"questions\": ["
		     " {%s\"kind\": \"single\", \"prompt\": \"%s\", \"points\": %d,"
		     "  \"choices\": [\"하나\", \"둘\", \"셋\"], \"correct\": %s},"
		     " {%s\"kind\": \"numeric\", \"prompt\": \"2 + 2\", \"value\": %g}%s]}",
		     pass, i0, prompt0, points0, correct0, i1, value1, extra ? extra : "") < 0)
		fail_msg("out of memory");
	return b;
}

/* Once learners attempted a quiz, its wording, time limit, attempts and
 * new questions may change; what grades their attempts may not. */
static void test_change_after_attempts(void **state)
{
	char path[128], sub[128], *b;
	json_t *quiz, *a, *done, *qs;
	long long q0, q1, q2, attempt;

	(void)state;
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/quiz", lesson_edit);
	b = edit_body(50, 0, "하나는?", "[0]", 2, 0, 4, NULL);
	quiz = call(&instructor, "PUT", path, b, 200, false);
	free(b);
	qs = json_object_get(quiz, "questions");
	q0 = harness_json_ll(json_array_get(qs, 0), "id");
	q1 = harness_json_ll(json_array_get(qs, 1), "id");
	assert_true(json_is_false(json_object_get(json_array_get(qs, 0), "attempted")));
	json_decref(quiz);
	/* Before any attempt, anything may change, and ids may be kept. */
	b = edit_body(60, q0, "하나는?", "[1]", 3, q1, 4, NULL);
	json_decref(call(&instructor, "PUT", path, b, 200, false));
	free(b);
	b = edit_body(60, q0, "하나는?", "[0]", 2, q1, 4, NULL);
	json_decref(call(&instructor, "PUT", path, b, 200, false));
	free(b);
	assert_int_equal(sql_ll("SELECT count(*) FROM quiz_questions WHERE lesson_id = %lld"
				" AND id IN (%lld, %lld)",
				lesson_edit, q0, q1),
			 2);

	/* The learner attempts it: q0 right, q1 wrong. */
	path_of(sub, sizeof(sub), "/api/v1/lessons/%lld/quiz/attempts", lesson_edit);
	a = call(&learner, "POST", sub, NULL, 201, true);
	attempt = harness_json_ll(a, "id");
	json_decref(a);
	path_of(sub, sizeof(sub), "/api/v1/quiz-attempts/%lld/submit", attempt);
	if (xasprintf(&b, "{\"answers\": {\"%lld\": 0, \"%lld\": 5}}", q0, q1) < 0)
		fail_msg("out of memory");
	done = call(&learner, "POST", sub, b, 200, false);
	free(b);
	assert_int_equal((int)json_number_value(json_object_get(done, "score")), 2);
	json_decref(done);

	/* Refused, each reason named: a changed key, changed points, a
	 * deleted question, another pass mark. Nothing changes. */
	b = edit_body(60, q0, "하나는?", "[1]", 2, q1, 4, NULL);
	harness_problem_as(&server, &instructor, "PUT", path, b, 409, "quiz_change_alters_grades",
			   "questions[0].correct");
	free(b);
	b = edit_body(60, q0, "하나는?", "[0]", 2, q1, 5, NULL);
	harness_problem_as(&server, &instructor, "PUT", path, b, 409, "quiz_change_alters_grades",
			   "questions[1].value");
	free(b);
	b = edit_body(60, q0, "하나는?", "[0]", 5, q1, 4, NULL);
	harness_problem_as(&server, &instructor, "PUT", path, b, 409, "quiz_change_alters_grades",
			   "questions[0].points");
	free(b);
	b = edit_body(60, q0, "하나는?", "[0]", 2, 0, 4, NULL);
	harness_problem_as(&server, &instructor, "PUT", path, b, 409, "quiz_change_alters_grades",
			   "questions");
	free(b);
	b = edit_body(80, q0, "하나는?", "[0]", 2, q1, 4, NULL);
	harness_problem_as(&server, &instructor, "PUT", path, b, 409, "quiz_change_alters_grades",
			   "pass_pct");
	free(b);
	/* An id of another quiz's question is no id of this one's. */
	b = edit_body(60, sql_ll("SELECT min(id) FROM quiz_questions WHERE lesson_id = %lld",
				 lesson_quiz),
		      "하나는?", "[0]", 2, q1, 4, NULL);
	harness_problem_as(&server, &instructor, "PUT", path, b, 400, "validation_failed",
			   "questions[0].id");
	free(b);
	assert_int_equal(sql_ll("SELECT count(*) FROM quiz_questions WHERE lesson_id = %lld",
				lesson_edit),
			 2);
	/* The database refuses the same, whoever asks. */
	assert_int_not_equal(harness_sql(conninfo, "UPDATE quiz_questions SET points = 9"
						   " WHERE prompt = '하나는?'"),
			     0);
	assert_int_not_equal(harness_sql(conninfo, "DELETE FROM quiz_questions"
						   " WHERE prompt = '2 + 2'"),
			     0);

	/* Allowed: the wording, the settings for attempts to come, a new
	 * question (later attempts only). The attempt keeps its grade. */
	b = edit_body(60, q0, "하나는 어느 것?", "[0]", 2, q1, 4,
		      ", {\"kind\": \"short\", \"prompt\": \"새 문항\", \"accepted\": [\"새\"]}");
	quiz = call(&gist_admin, "PUT", path, b, 200, false);
	free(b);
	qs = json_object_get(quiz, "questions");
	assert_int_equal(json_array_size(qs), 3);
	assert_int_equal(harness_json_ll(json_array_get(qs, 0), "id"), q0);
	assert_true(json_is_true(json_object_get(json_array_get(qs, 0), "attempted")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(qs, 0), "prompt")),
			    "하나는 어느 것?");
	q2 = harness_json_ll(json_array_get(qs, 2), "id");
	assert_true(json_is_false(json_object_get(json_array_get(qs, 2), "attempted")));
	json_decref(quiz);
	assert_int_equal(sql_ll("SELECT score::integer * 10 + max_score::integer FROM quiz_attempts"
				" WHERE id = %lld",
				attempt),
			 2 * 10 + 3);
	/* Its view shows the new wording and not the new question. */
	path_of(sub, sizeof(sub), "/api/v1/quiz-attempts/%lld", attempt);
	a = call(&learner, "GET", sub, NULL, 200, false);
	assert_int_equal(json_array_size(json_object_get(a, "questions")), 2);
	{
		json_t *one;
		size_t k;
		int seen = 0;

		json_array_foreach(json_object_get(a, "questions"), k, one)
			if (json_integer_value(json_object_get(one, "id")) == q0)
				seen += !strcmp(json_string_value(json_object_get(one, "prompt")),
						"하나는 어느 것?");
		assert_int_equal(seen, 1);
	}
	json_decref(a);
	assert_int_equal(sql_ll("SELECT count(*) FROM quiz_questions WHERE id = %lld"
				" AND prompt = '하나는 어느 것?'",
				q0),
			 1);
	/* The new question, attempted by nobody yet, may still change or go. */
	if (xasprintf(&b, ", {\"id\": %lld, \"kind\": \"numeric\", \"prompt\": \"새 문항\","
			 " \"value\": 1}",
		     q2) < 0)
		fail_msg("out of memory");
	{
		char *body = edit_body(60, q0, "하나는 어느 것?", "[0]", 2, q1, 4, b);

		json_decref(call(&instructor, "PUT", path, body, 200, false));
		free(body);
	}
	free(b);
	b = edit_body(60, q0, "하나는 어느 것?", "[0]", 2, q1, 4, NULL);
	json_decref(call(&instructor, "PUT", path, b, 200, false));
	free(b);
	assert_int_equal(sql_ll("SELECT count(*) FROM quiz_questions WHERE lesson_id = %lld",
				lesson_edit),
			 2);
	/* The next attempt shows the quiz as it is now. */
	path_of(sub, sizeof(sub), "/api/v1/lessons/%lld/quiz/attempts", lesson_edit);
	a = call(&learner, "POST", sub, NULL, 201, true);
	assert_int_equal(harness_json_ll(a, "number"), 2);
	json_decref(a);
	/* A multiple choice's right choices in another order are the same key;
	 * fewer are not. */
	{
		char q[256];

		snprintf(q, sizeof(q),
			 "UPDATE quiz_questions SET correct = '[2, 0]' WHERE lesson_id = %lld"
			 " AND kind = 'multiple'",
			 lesson_quiz);
		assert_int_equal(harness_sql(conninfo, q), 0);
		snprintf(q, sizeof(q),
			 "UPDATE quiz_questions SET correct = '[0]' WHERE lesson_id = %lld"
			 " AND kind = 'multiple'",
			 lesson_quiz);
		assert_int_not_equal(harness_sql(conninfo, q), 0);
	}
	/* Every accepted change is audited, the refused ones are not. */
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'quiz.update'"
				" AND target_id = %lld",
				lesson_edit),
			 6);
}

struct submitter {
	char path[128];
	long status;
};

static void *submit_thread(void *arg)
{
	struct submitter *s = arg;

	s->status = harness_status_as(&server, &other, "POST", s->path, "{\"answers\": {}}");
	return NULL;
}

static void test_double_submit_counts_once(void **state)
{
	struct submitter subs[4];
	pthread_t th[4];
	char path[128];
	json_t *a;
	long long id;

	(void)state;
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/quiz/attempts", lesson_quiz);
	a = call(&other, "POST", path, NULL, 201, true);
	id = harness_json_ll(a, "id");
	json_decref(a);
	for (int i = 0; i < 4; i++) {
		path_of(subs[i].path, sizeof(subs[i].path), "/api/v1/quiz-attempts/%lld/submit", id);
		assert_int_equal(pthread_create(&th[i], NULL, submit_thread, &subs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(subs[i].status, 200);
	}
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action ="
				" 'quiz_attempt.submit' AND target_id = %lld",
				id),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM quiz_attempts WHERE user_id = %lld",
				other.user_id),
			 1);
}

static void test_time_limit_and_attempts(void **state)
{
	char path[128], sub[128];
	json_t *a, *view;
	long long id;

	(void)state;
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/quiz/attempts", lesson_timed);
	a = call(&learner, "POST", path, NULL, 201, true);
	id = harness_json_ll(a, "id");
	/* The deadline is the server's: a minute after the start. */
	assert_non_null(json_string_value(json_object_get(a, "deadline")));
	assert_non_null(json_string_value(json_object_get(a, "server_now")));
	assert_int_equal(sql_ll("SELECT extract(epoch FROM deadline - started_at)::bigint"
				" FROM quiz_attempts WHERE id = %lld",
				id),
			 60);
	json_decref(a);
	/* Within the grace after the deadline, it still counts. */
	sql_ll("UPDATE quiz_attempts SET started_at = now() - interval '65 seconds',"
	       " deadline = now() - interval '5 seconds' WHERE id = %lld RETURNING id",
	       id);
	path_of(sub, sizeof(sub), "/api/v1/quiz-attempts/%lld/submit", id);
	json_decref(call(&learner, "POST", sub, "{\"answers\": {}}", 200, false));

	/* Past the deadline and its grace: refused, and the attempt is closed
	 * with nothing answered, whatever the browser's clock says. */
	a = call(&learner, "POST", path, NULL, 201, true);
	id = harness_json_ll(a, "id");
	json_decref(a);
	sql_ll("UPDATE quiz_attempts SET started_at = now() - interval '10 minutes',"
	       " deadline = now() - interval '9 minutes' WHERE id = %lld RETURNING id",
	       id);
	path_of(sub, sizeof(sub), "/api/v1/quiz-attempts/%lld/submit", id);
	harness_problem_as(&server, &learner, "POST", sub, "{\"answers\": {}}", 409,
			   "time_limit_passed", NULL);
	harness_problem_as(&server, &learner, "POST", sub, "{\"answers\": {}}", 409,
			   "time_limit_passed", NULL);
	path_of(sub, sizeof(sub), "/api/v1/quiz-attempts/%lld", id);
	view = call(&learner, "GET", sub, NULL, 200, false);
	assert_string_equal(json_string_value(json_object_get(view, "status")), "expired");
	assert_int_equal((int)json_number_value(json_object_get(view, "score")), 0);
	json_decref(view);
	/* Two attempts allowed, two used. */
	harness_problem_as(&server, &learner, "POST", path, NULL, 409, "attempts_exhausted", NULL);
	path_of(sub, sizeof(sub), "/api/v1/lessons/%lld/quiz", lesson_timed);
	view = call(&learner, "GET", sub, NULL, 200, true);
	assert_int_equal(harness_json_ll(view, "attempts_left"), 0);
	assert_int_equal(json_array_size(json_object_get(view, "attempts")), 2);
	json_decref(view);

	/* An open attempt whose time ran out is closed when the next starts. */
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/quiz/attempts", lesson_timed);
	a = call(&other, "POST", path, NULL, 201, true);
	id = harness_json_ll(a, "id");
	json_decref(a);
	sql_ll("UPDATE quiz_attempts SET started_at = now() - interval '10 minutes',"
	       " deadline = now() - interval '9 minutes' WHERE id = %lld RETURNING id",
	       id);
	a = call(&other, "POST", path, NULL, 201, true);
	assert_int_equal(harness_json_ll(a, "number"), 2);
	json_decref(a);
	assert_int_equal(sql_ll("SELECT count(*) FROM quiz_attempts WHERE id = %lld AND expired",
				id),
			 1);
}

static void test_feedback_none(void **state)
{
	char path[128], sub[128];
	json_t *a, *done, *staff;
	long long id, qid;
	char *text;

	(void)state;
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/quiz/attempts", lesson_none);
	a = call(&learner, "POST", path, NULL, 201, true);
	id = harness_json_ll(a, "id");
	qid = harness_json_ll(json_array_get(json_object_get(a, "questions"), 0), "id");
	json_decref(a);
	path_of(sub, sizeof(sub), "/api/v1/quiz-attempts/%lld/submit", id);
	{
		char body[128];

		snprintf(body, sizeof(body), "{\"answers\": {\"%lld\": \" ai \"}}", qid);
		done = call(&learner, "POST", sub, body, 200, false);
	}
	/* The learner is told it was received, not how it went. */
	assert_string_equal(json_string_value(json_object_get(done, "status")), "submitted");
	assert_true(json_is_null(json_object_get(done, "score")));
	assert_true(json_is_null(json_object_get(done, "passed")));
	text = json_dumps(done, 0);
	assert_null(strstr(text, "\"correct\""));
	free(text);
	json_decref(done);
	/* The instructor sees the grade. */
	path_of(sub, sizeof(sub), "/api/v1/quiz-attempts/%lld", id);
	staff = call(&instructor, "GET", sub, NULL, 200, false);
	assert_true(json_is_true(json_object_get(staff, "passed")));
	json_decref(staff);
}

static void test_who_reads_attempts(void **state)
{
	char path[128];
	long long id;
	json_t *list;

	(void)state;
	id = sql_ll("SELECT id FROM quiz_attempts WHERE user_id = %lld AND lesson_id = %lld"
		    " AND number = 1",
		    learner.user_id, lesson_quiz);
	path_of(path, sizeof(path), "/api/v1/quiz-attempts/%lld", id);
	/* Its learner, the instructor of the learner's section, the
	 * institution's admins; not a classmate, not the instructor of
	 * another section, not another institution, not a visitor. */
	json_decref(call(&learner, "GET", path, NULL, 200, false));
	json_decref(call(&instructor, "GET", path, NULL, 200, false));
	json_decref(call(&gist_admin, "GET", path, NULL, 200, false));
	harness_problem_as(&server, &other, "GET", path, NULL, 404, "not_found", NULL);
	harness_problem_as(&server, &instructor2, "GET", path, NULL, 404, "not_found", NULL);
	harness_problem_as(&server, &jnu_admin, "GET", path, NULL, 404, "not_found", NULL);
	harness_problem_as(&server, &outsider, "GET", path, NULL, 404, "not_found", NULL);
	harness_problem_as(&server, NULL, "GET", path, NULL, 401, "unauthenticated", NULL);
	harness_problem_as(&server, &learner, "GET", "/api/v1/quiz-attempts/99999999", NULL, 404,
			   "not_found", NULL);
	/* Nor may the instructor submit it. */
	path_of(path, sizeof(path), "/api/v1/quiz-attempts/%lld/submit", id);
	harness_problem_as(&server, &instructor, "POST", path, "{\"answers\": {}}", 403,
			   "forbidden", NULL);

	/* The list of attempts: the instructor's own sections only. */
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/quiz/attempts", lesson_quiz);
	list = call(&instructor, "GET", path, NULL, 200, false);
	assert_true(json_array_size(list) >= 3);
	json_decref(list);
	list = call(&gist_admin, "GET", path, NULL, 200, false);
	assert_true(json_array_size(list) >= 3);
	json_decref(list);
	list = call(&instructor2, "GET", path, NULL, 200, false);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	harness_problem_as(&server, &learner, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &jnu_admin, "GET", path, NULL, 403, "forbidden", NULL);
	/* A lesson with a quiz stays a quiz. */
	path_of(path, sizeof(path), "/api/v1/lessons/%lld", lesson_quiz);
	harness_problem_as(&server, &gist_admin, "PATCH", path, "{\"kind\": \"text\"}", 400,
			   "validation_failed", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_authoring),
		cmocka_unit_test(test_attempt_and_grading),
		cmocka_unit_test(test_change_after_attempts),
		cmocka_unit_test(test_double_submit_counts_once),
		cmocka_unit_test(test_time_limit_and_attempts),
		cmocka_unit_test(test_feedback_none),
		cmocka_unit_test(test_who_reads_attempts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
