/* progress_test.c - video progress from watched intervals, completion rules
 * per course with the learner's checklist and the guard on completion, and
 * the section gradebook (JSON and CSV) */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define USER_PASSWORD "progress-user-pass-2026"
#define LEARNER_FIELDS "\"display_name\": \"수강생\", \"ladder_stage\": \"worker\""

static struct lms_server server;
static char conninfo[1024];
static struct harness_actor learner, other, instructor, instructor2, gist_admin, jnu_admin,
	outsider;
static long long course, section_a, module_id, lesson_video, lesson_quiz, lesson_hw, lesson_text,
	enrollment;

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

#define path_of(buf, len, fmt, id) snprintf((buf), (len), fmt, (long long)(id))

static long long lesson_of(const char *kind, int position, const char *url)
{
	return sql_ll("INSERT INTO lessons (module_id, position, title_ko, title_en, kind, url,"
		      " duration_min) VALUES (%lld, %d, '활동 %d', 'Activity %d', '%s', %s, 2)"
		      " RETURNING id",
		      module_id, position, position, position, kind, url);
}

static int setup(void **state)
{
	long long gist, section_b;
	char sql[512];

	(void)state;
	if (harness_db_create("progress", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	harness_login_ok(&server, "learner@example.com", DEMO_PASSWORD, &learner);
	harness_login_ok(&server, "instructor@example.com", DEMO_PASSWORD, &instructor);
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	harness_register_ok(&server, "pg-other@example.com", USER_PASSWORD, LEARNER_FIELDS, &other);
	harness_register_ok(&server, "pg-outsider@example.com", USER_PASSWORD, LEARNER_FIELDS,
			    &outsider);
	harness_register_ok(&server, "pg-teacher2@example.com", USER_PASSWORD, LEARNER_FIELDS,
			    &instructor2);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO user_roles (user_id, role, institution_id) VALUES (%lld,"
		 " 'instructor', %lld)",
		 instructor2.user_id, gist);
	if (harness_sql(conninfo, sql) != 0)
		return -1;
	course = harness_course_create(conninfo, &(struct harness_course){
							 .institution = gist, .code = "PG-101"});
	/* Over already, so that only the course's rules stand in the way. */
	section_a = harness_section_create(conninfo,
					   &(struct harness_section){.course = course,
								     .term = "2025-1",
								     .starts_on = "2025-03-02",
								     .ends_on = "2025-06-30",
								     .opens_at = "2025-01-01",
								     .closes_at = "2025-03-01"});
	section_b = harness_section_create(conninfo, &(struct harness_section){.course = course});
	sql_ll("INSERT INTO section_instructors VALUES (%lld, %lld), (%lld, %lld)"
	       " RETURNING section_id",
	       section_a, instructor.user_id, section_b, instructor2.user_id);
	enrollment = harness_enrollment_create(
		conninfo, &(struct harness_enrollment){.section = section_a, .user = learner.user_id});
	harness_enrollment_create(conninfo, &(struct harness_enrollment){
						    .section = section_a, .user = other.user_id});
	module_id = sql_ll("INSERT INTO course_modules (course_id, position, title_ko, title_en)"
			   " VALUES (%lld, 1, '1주차', 'Week 1') RETURNING id",
			   course);
	lesson_video = lesson_of("video", 1, "'https://video.example.com/w1.mp4'");
	lesson_quiz = lesson_of("quiz", 2, "NULL");
	lesson_hw = lesson_of("assignment", 3, "NULL");
	lesson_text = lesson_of("text", 4, "NULL");
	sql_ll("INSERT INTO quizzes (lesson_id, pass_pct) VALUES (%lld, 50) RETURNING lesson_id",
	       lesson_quiz);
	sql_ll("INSERT INTO quiz_questions (lesson_id, position, kind, prompt, points, correct)"
	       " VALUES (%lld, 0, 'numeric', '6 x 7', 10, '{\"value\": 42, \"tolerance\": 0}')"
	       " RETURNING id",
	       lesson_quiz);
	sql_ll("INSERT INTO assignments (lesson_id, due_at, max_score) VALUES (%lld,"
	       " now() + interval '7 days', 30) RETURNING lesson_id",
	       lesson_hw);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return harness_server_stop(&server) == 0 ? 0 : -1;
}

static void test_video_progress(void **state)
{
	char path[128];
	json_t *p;

	(void)state;
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/video-progress", lesson_video);
	p = harness_json_as(&server, &learner, "PUT", path,
			    "{\"intervals\": [[0, 10.7]], \"position\": 10, \"duration\": 100}", 200);
	assert_int_equal(harness_json_ll(p, "watched_seconds"), 10);
	json_decref(p);
	/* Watching a part again adds only what is new. */
	p = harness_json_as(&server, &learner, "PUT", path,
			    "{\"intervals\": [[5, 15], [12, 18]], \"position\": 18,"
			    " \"duration\": 100}",
			    200);
	assert_int_equal(harness_json_ll(p, "watched_seconds"), 18);
	assert_true(json_is_null(json_object_get(p, "completed_at")));
	json_decref(p);
	/* A claim of more than the clock allows credits nothing now. */
	harness_problem_as(&server, &learner, "PUT", path,
			   "{\"intervals\": [[0, 100]], \"position\": 100, \"duration\": 100}", 409,
			   "progress_too_fast", NULL);
	assert_int_equal(sql_ll("SELECT multirange_seconds(watched) FROM video_progress"
				" WHERE user_id = %lld AND lesson_id = %lld",
				learner.user_id, lesson_video),
			 18);
	/* The same report once the time has passed counts, and completes it
	 * past the course's share (90 % by default). */
	sql_ll("UPDATE video_progress SET updated_at = now() - interval '2 minutes'"
	       " WHERE user_id = %lld RETURNING 1",
	       learner.user_id);
	p = harness_json_as(&server, &learner, "PUT", path,
			    "{\"intervals\": [[18, 95]], \"position\": 95, \"duration\": 100}", 200);
	assert_int_equal(harness_json_ll(p, "watched_seconds"), 95);
	assert_non_null(json_string_value(json_object_get(p, "completed_at")));
	json_decref(p);
	/* Resume where it stopped. */
	p = harness_get_json(&server, &learner, path);
	assert_int_equal(harness_json_ll(p, "position"), 95);
	json_decref(p);

	/* A player that claims a short video earns no more than the lesson's
	 * length allows: the 2-minute lesson is at least 60 s. */
	p = harness_json_as(&server, &other, "PUT", path,
			    "{\"intervals\": [[0, 5]], \"position\": 5, \"duration\": 5}", 200);
	assert_int_equal(harness_json_ll(p, "duration"), 60);
	assert_true(json_is_null(json_object_get(p, "completed_at")));
	json_decref(p);

	/* Bad reports, the wrong lesson, the wrong people. */
	harness_problem_as(&server, &learner, "PUT", path,
			   "{\"intervals\": [[10, 5]], \"position\": 0, \"duration\": 100}", 400,
			   "validation_failed", "intervals");
	harness_problem_as(&server, &learner, "PUT", path,
			   "{\"intervals\": [\"a\"], \"position\": -1, \"duration\": 100}", 400,
			   "validation_failed", "position");
	harness_problem_as(&server, &outsider, "PUT", path,
			   "{\"intervals\": [], \"position\": 0, \"duration\": 100}", 403,
			   "forbidden", NULL);
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/video-progress", lesson_text);
	harness_problem_as(&server, &learner, "PUT", path,
			   "{\"intervals\": [], \"position\": 0, \"duration\": 100}", 404,
			   "not_a_video", NULL);
}

static void test_rules_and_checklist(void **state)
{
	char path[128], body[256];
	json_t *c, *items;

	(void)state;
	path_of(path, sizeof(path), "/api/v1/courses/%lld/completion-rules", course);
	snprintf(body, sizeof(body),
		 "{\"min_grade_pct\": 60, \"require_lessons\": true,"
		 " \"optional_lesson_ids\": [%lld]}",
		 lesson_text);
	harness_problem_as(&server, &instructor, "PUT", path, body, 403, "forbidden", NULL);
	harness_problem_as(&server, &jnu_admin, "PUT", path, body, 403, "forbidden", NULL);
	harness_problem_as(&server, &gist_admin, "PUT", path, "{\"min_grade_pct\": 0}", 400,
			   "validation_failed", "min_grade_pct");
	harness_problem_as(&server, &gist_admin, "PUT", path, "{\"optional_lesson_ids\": [1]}",
			   400, "validation_failed", "optional_lesson_ids");
	c = harness_json_as(&server, &gist_admin, "PUT", path, body, 200);
	assert_int_equal(harness_json_ll(c, "min_grade_pct"), 60);
	assert_int_equal(json_array_size(json_object_get(c, "optional_lesson_ids")), 1);
	json_decref(c);
	c = harness_get_json(&server, NULL, path);
	assert_true(json_is_true(json_object_get(c, "require_lessons")));
	json_decref(c);

	/* The checklist: the learner's own, their instructor's, admins'. */
	path_of(path, sizeof(path), "/api/v1/enrollments/%lld/checklist", enrollment);
	c = harness_get_json(&server, &learner, path);
	assert_true(json_is_false(json_object_get(c, "met")));
	items = json_object_get(c, "items");
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "rule")),
			    "grade");
	assert_true(json_is_false(json_object_get(json_array_get(items, 1), "met")));
	/* The video is done, quiz and assignment are not: 1 of 3 required. */
	assert_int_equal(harness_json_ll(json_array_get(items, 2), "completed"), 1);
	assert_int_equal(harness_json_ll(json_array_get(items, 2), "total"), 3);
	json_decref(c);
	json_decref(harness_get_json(&server, &instructor, path));
	json_decref(harness_get_json(&server, &gist_admin, path));
	harness_problem_as(&server, &other, "GET", path, NULL, 404, "not_found", NULL);
	harness_problem_as(&server, &instructor2, "GET", path, NULL, 404, "not_found", NULL);
	harness_problem_as(&server, &jnu_admin, "GET", path, NULL, 404, "not_found", NULL);
}

static void test_completion_follows_rules(void **state)
{
	char path[128], sub[128], body[128];
	json_t *a, *c;
	long long id, qid;

	(void)state;
	/* Not yet: the rules are not met. */
	path_of(path, sizeof(path), "/api/v1/enrollments/%lld", enrollment);
	harness_problem_as(&server, &instructor, "PATCH", path, "{\"status\": \"completed\"}", 409,
			   "requirements_not_met", NULL);
	/* The quiz, passed... */
	path_of(sub, sizeof(sub), "/api/v1/lessons/%lld/quiz/attempts", lesson_quiz);
	a = harness_json_as(&server, &learner, "POST", sub, NULL, 201);
	id = harness_json_ll(a, "id");
	qid = harness_json_ll(json_array_get(json_object_get(a, "questions"), 0), "id");
	json_decref(a);
	path_of(sub, sizeof(sub), "/api/v1/quiz-attempts/%lld/submit", id);
	snprintf(body, sizeof(body), "{\"answers\": {\"%lld\": 42}}", qid);
	json_decref(harness_json_as(&server, &learner, "POST", sub, body, 200));
	/* ...the assignment, graded 12 of 30: 22 of 40 points is 55 %. */
	path_of(sub, sizeof(sub), "/api/v1/lessons/%lld/submission", lesson_hw);
	a = harness_json_as(&server, &learner, "PUT", sub, "{\"body\": \"my work\"}", 200);
	id = harness_json_ll(a, "id");
	json_decref(a);
	path_of(sub, sizeof(sub), "/api/v1/assignment-submissions/%lld/grade", id);
	json_decref(harness_json_as(&server, &instructor, "PUT", sub, "{\"score\": 12}", 200));
	path_of(sub, sizeof(sub), "/api/v1/enrollments/%lld/checklist", enrollment);
	c = harness_get_json(&server, &learner, sub);
	assert_int_equal((int)json_number_value(
				 json_object_get(json_array_get(json_object_get(c, "items"), 1),
						 "value_pct")),
			 55);
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(c, "items"), 2),
						 "met")));
	assert_true(json_is_false(json_object_get(c, "met")));
	json_decref(c);
	harness_problem_as(&server, &instructor, "PATCH", path, "{\"status\": \"completed\"}", 409,
			   "requirements_not_met", NULL);
	/* Regraded to 20: 30 of 40 is 75 %, over 60: complete. */
	json_decref(harness_json_as(&server, &instructor, "PUT",
				    (path_of(sub, sizeof(sub),
					     "/api/v1/assignment-submissions/%lld/grade", id),
				     sub),
				    "{\"score\": 20}", 200));
	c = harness_json_as(&server, &instructor, "PATCH", path, "{\"status\": \"completed\"}", 200);
	assert_string_equal(json_string_value(json_object_get(c, "status")), "completed");
	json_decref(c);
}

/* The programme's attendance threshold holds for a course with no rules
 * row too, on every path to completed, as its checklist says; a course
 * whose rules do not require attendance is not held to it. */
static void test_attendance_without_rules(void **state)
{
	struct harness_actor third;
	long long ai_course, sec, e1, e2;
	char path[128], sql[1024];
	json_t *c, *att;

	(void)state;
	harness_register_ok(&server, "pg-third@example.com", USER_PASSWORD, LEARNER_FIELDS, &third);
	ai_course = harness_course_create(
		conninfo, &(struct harness_course){.institution = sql_ll("SELECT id FROM institutions"
									   " WHERE code = 'gist'"),
						   .code = "PG-ATT",
						   .program = "ai_academy"});
	sec = harness_section_create(conninfo, &(struct harness_section){.course = ai_course,
									.term = "2025-1",
									.starts_on = "2025-03-02",
									.ends_on = "2025-06-30",
									.opens_at = "2025-01-01",
									.closes_at = "2025-03-01"});
	e1 = harness_enrollment_create(conninfo, &(struct harness_enrollment){
							 .section = sec, .user = other.user_id});
	e2 = harness_enrollment_create(conninfo, &(struct harness_enrollment){
							 .section = sec, .user = third.user_id});
	/* Two sessions held; each learner at the first only: 50 % of 80. */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO section_instructors VALUES (%lld, %lld);"
		 "INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id,"
		 " online_url) SELECT %lld, v.s::timestamptz, v.s::timestamptz + interval '1 hour',"
		 " %lld, 'https://meet.example.com/att' FROM (VALUES"
		 " ('2025-04-05 01:07+00'), ('2025-04-12 01:07+00')) v(s);"
		 "INSERT INTO attendance (session_id, enrollment_id, present)"
		 " SELECT cs.id, e.id, cs.starts_at < '2025-04-10' FROM class_sessions cs,"
		 " enrollments e WHERE cs.section_id = %lld AND e.section_id = %lld",
		 sec, instructor.user_id, sec, instructor.user_id, sec, sec);
	assert_int_equal(harness_sql(conninfo, sql), 0);

	/* No rules row: the checklist requires the threshold and says it is
	 * not met; the rules read so. */
	path_of(path, sizeof(path), "/api/v1/enrollments/%lld/checklist", e1);
	c = harness_get_json(&server, &instructor, path);
	assert_true(json_is_false(json_object_get(c, "rules_set")));
	assert_true(json_is_false(json_object_get(c, "met")));
	att = json_array_get(json_object_get(c, "items"), 0);
	assert_true(json_is_true(json_object_get(att, "required")));
	assert_true(json_is_false(json_object_get(att, "met")));
	assert_int_equal(harness_json_ll(att, "target_pct"), 80);
	json_decref(c);
	path_of(path, sizeof(path), "/api/v1/courses/%lld/completion-rules", ai_course);
	c = harness_get_json(&server, NULL, path);
	assert_true(json_is_true(json_object_get(c, "require_attendance")));
	json_decref(c);
	/* Refused by the handler, with the numbers, and by the database on
	 * any other path. */
	path_of(path, sizeof(path), "/api/v1/enrollments/%lld", e1);
	harness_problem_as(&server, &instructor, "PATCH", path, "{\"status\": \"completed\"}", 409,
			   "attendance_below_threshold", NULL);
	snprintf(sql, sizeof(sql), "UPDATE enrollments SET status = 'completed' WHERE id = %lld",
		 e1);
	assert_int_not_equal(harness_sql(conninfo, sql), 0);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE id = %lld"
				" AND status = 'enrolled'",
				e1),
			 1);
	/* Present at both: met, and completed. */
	snprintf(sql, sizeof(sql), "UPDATE attendance SET present = true WHERE enrollment_id = %lld",
		 e1);
	assert_int_equal(harness_sql(conninfo, sql), 0);
	path_of(path, sizeof(path), "/api/v1/enrollments/%lld/checklist", e1);
	c = harness_get_json(&server, &other, path);
	assert_true(json_is_true(json_object_get(c, "met")));
	json_decref(c);
	path_of(path, sizeof(path), "/api/v1/enrollments/%lld", e1);
	json_decref(harness_json_as(&server, &instructor, "PATCH", path,
				    "{\"status\": \"completed\"}", 200));

	/* Rules that do not require attendance: not held to it. */
	path_of(path, sizeof(path), "/api/v1/courses/%lld/completion-rules", ai_course);
	c = harness_json_as(&server, &gist_admin, "PUT", path, "{\"require_attendance\": false}",
			    200);
	assert_true(json_is_false(json_object_get(c, "require_attendance")));
	json_decref(c);
	path_of(path, sizeof(path), "/api/v1/enrollments/%lld/checklist", e2);
	c = harness_get_json(&server, &third, path);
	att = json_array_get(json_object_get(c, "items"), 0);
	assert_true(json_is_false(json_object_get(att, "required")));
	assert_true(json_is_true(json_object_get(c, "met")));
	json_decref(c);
	path_of(path, sizeof(path), "/api/v1/enrollments/%lld", e2);
	json_decref(harness_json_as(&server, &instructor, "PATCH", path,
				    "{\"status\": \"completed\"}", 200));
}

static void test_gradebook(void **state)
{
	struct http_result r = {0};
	char path[128];
	json_t *g, *l;
	size_t i;
	bool found = false;

	(void)state;
	path_of(path, sizeof(path), "/api/v1/sections/%lld/gradebook", section_a);
	g = harness_get_json(&server, &instructor, path);
	assert_int_equal(json_array_size(json_object_get(g, "activities")), 2);
	json_array_foreach(json_object_get(g, "learners"), i, l)
		if (json_integer_value(json_object_get(l, "user_id")) == learner.user_id) {
			found = true;
			assert_int_equal((int)json_number_value(json_object_get(
						 json_object_get(l, "grade"), "pct")),
					 75);
		}
	assert_true(found);
	json_decref(g);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'gradebook.read'"
				" AND target_id = %lld",
				section_a),
			 1);
	json_decref(harness_get_json(&server, &gist_admin, path));
	harness_problem_as(&server, &instructor2, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &learner, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &jnu_admin, "GET", path, NULL, 403, "forbidden", NULL);

	path_of(path, sizeof(path), "/api/v1/sections/%lld/gradebook?format=csv", section_a);
	assert_int_equal(harness_as(&server, &instructor, "GET", path, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	/* A byte order mark for spreadsheets, Korean headings, one row a learner. */
	assert_memory_equal(r.body, "\xef\xbb\xbf", 3);
	assert_non_null(strstr(r.body, "이름,이메일,상태,활동 2 (10),활동 3 (30),점수,만점,백분율\r\n"));
	assert_non_null(strstr(r.body, "learner@example.com"));
	http_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_video_progress),
		cmocka_unit_test(test_rules_and_checklist),
		cmocka_unit_test(test_completion_follows_rules),
		cmocka_unit_test(test_gradebook),
		cmocka_unit_test(test_attendance_without_rules),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
