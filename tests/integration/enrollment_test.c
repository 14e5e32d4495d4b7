/* enrollment_test.c - the enrolment engine against a running server: seats,
 * waitlist, eligibility, approvals, cancellation, grading, moves, history */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PASSWORD "enrol-test-2026"

static struct lms_server server;
static char conninfo[1024];
static struct harness_actor gist_admin, jnu_admin, teacher, visitor;

/* GIST courses of the test's own: one per rule to break. Sections are
 * named by their term for the test's look-ups. */
static const char fixture_sql[] =
	"INSERT INTO courses (institution_id, program_id, code, title_ko, title_en, delivery,"
	" published) SELECT i.id, p.id, v.code, v.ko, v.en, 'offline', v.pub"
	" FROM institutions i, (VALUES"
	" ('E-OPEN', 'online', '열린 과정', 'Open Course', true),"
	" ('E-BASE', 'online', '기초 과정', 'Basics', true),"
	" ('E-NEXT', 'online', '심화 과정', 'Advanced', true),"
	" ('E-KIDS', 'science_academy', '어린이 과정', 'For Children', true),"
	" ('E-CORP', 'corporate_university', '사내 과정', 'For Staff', true),"
	" ('E-STUP', 'startup_support', '창업 과정', 'Startup', true),"
	" ('E-HIDE', 'online', '숨은 과정', 'Hidden', false))"
	" AS v(code, program, ko, en, pub) JOIN programs p ON p.code = v.program"
	" WHERE i.code = 'gist';"
	"INSERT INTO course_prerequisites SELECT n.id, b.id FROM courses n, courses b"
	" WHERE n.code = 'E-NEXT' AND b.code = 'E-BASE';"
	"INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
	" enrollment_opens_at, enrollment_closes_at, status)"
	" SELECT c.id, v.term, v.starts::date, v.ends::date, v.cap, now() + v.opens::interval,"
	" now() + v.closes::interval, v.status FROM courses c, (VALUES"
	" ('E-OPEN', '2030-1', '2030-03-02', '2030-06-20', 2, '-1 day', '30 days', 'open'),"
	" ('E-OPEN', '2030-2', '2030-09-01', '2030-12-20', 1, '-1 day', '30 days', 'open'),"
	" ('E-OPEN', '2030-summer', '2030-07-01', '2030-08-20', 5, '-1 day', '30 days', 'draft'),"
	" ('E-OPEN', '2031-1', '2031-03-02', '2031-06-20', 5, '-1 day', '30 days', 'cancelled'),"
	" ('E-OPEN', '2031-2', '2031-09-01', '2031-12-20', 5, '-1 day', '30 days', 'closed'),"
	" ('E-OPEN', '2032-1', '2032-03-02', '2032-06-20', 5, '10 days', '30 days', 'open'),"
	" ('E-OPEN', '2020-1', '2020-03-02', '2020-06-20', 5, '-1 day', '30 days', 'open'),"
	" ('E-BASE', '2030-1', '2030-03-02', '2030-06-20', 5, '-1 day', '30 days', 'open'),"
	" ('E-NEXT', '2030-1', '2030-03-02', '2030-06-20', 5, '-1 day', '30 days', 'open'),"
	" ('E-KIDS', '2030-1', '2030-03-02', '2030-06-20', 5, '-1 day', '30 days', 'open'),"
	" ('E-CORP', '2030-1', '2030-03-02', '2030-06-20', 5, '-1 day', '30 days', 'open'),"
	" ('E-STUP', '2030-1', '2030-03-02', '2030-06-20', 1, '-1 day', '30 days', 'open'),"
	" ('E-HIDE', '2030-1', '2030-03-02', '2030-06-20', 5, '-1 day', '30 days', 'open'))"
	" AS v(code, term, starts, ends, cap, opens, closes, status) WHERE c.code = v.code;"
	"INSERT INTO section_instructors SELECT s.id, u.id FROM sections s"
	" JOIN courses c ON c.id = s.course_id, users u"
	" WHERE c.code LIKE 'E-%' AND u.email = 'instructor@example.com';";

static long long section(const char *code, const char *term)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT s.id FROM sections s JOIN courses c ON c.id = s.course_id"
		 " WHERE c.code = '%s' AND s.term = '%s'",
		 code, term);
	return harness_sql_ll(conninfo, sql);
}

/* A new learner at the ladder stage, signed in. */
static struct harness_actor learner(const char *name, const char *stage)
{
	char body[256], email[96];
	struct harness_actor a;

	snprintf(email, sizeof(email), "%s@example.org", name);
	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"" PASSWORD "\",\"display_name\":\"%s\","
		 "\"ladder_stage\":\"%s\", " HARNESS_CONSENT "}",
		 email, name, stage);
	assert_int_equal(harness_status_as(&server, NULL, "POST", "/api/v1/auth/register", body), 201);
	assert_int_equal(harness_email_verify(server.conninfo, email), 0);
	assert_int_equal(harness_login(&server, email, PASSWORD, &a), 0);
	return a;
}

/* POST an enrolment; the body parsed (new) after asserting the status. */
static json_t *enrol(const struct harness_actor *a, long long section_id, const char *body,
		     long status)
{
	struct http_result r = {0};
	char path[96];
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments", section_id);
	assert_int_equal(harness_as(&server, a, "POST", path, body, &r), 0);
	if (r.status != status)
		fail_msg("enrol in %lld: expected %ld, got %ld: %s", section_id, status, r.status,
			 r.body);
	j = json_loads(r.body, 0, NULL);
	assert_non_null(j);
	http_result_release(&r);
	return j;
}

static const char *code_of(const json_t *j)
{
	return json_string_value(json_object_get(j, "code"));
}

static long long id_of(const json_t *j)
{
	return json_integer_value(json_object_get(j, "id"));
}

static long change(const struct harness_actor *a, const char *method, long long id,
		   const char *body, json_t **out)
{
	struct http_result r = {0};
	char path[64];
	long status;

	snprintf(path, sizeof(path), "/api/v1/enrollments/%lld", id);
	assert_int_equal(harness_as(&server, a, method, path, body, &r), 0);
	status = r.status;
	if (out)
		*out = json_loads(r.body ? r.body : "null", JSON_DECODE_ANY, NULL);
	http_result_release(&r);
	return status;
}

static int setup(void **state)
{
	if (harness_db_create("enrollment", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_sql(conninfo, fixture_sql) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	if (harness_login(&server, "gist-admin@example.com", "demo-pass-2026", &gist_admin) != 0 ||
	    harness_login(&server, "chonnam-admin@example.com", "demo-pass-2026", &jnu_admin) != 0 ||
	    harness_login(&server, "instructor@example.com", "demo-pass-2026", &teacher) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	return harness_server_stop(&server) == 0 ? 0 : -1;
}

static void seats_then_waitlist_then_promotion(void **state)
{
	long long sec = section("E-OPEN", "2030-1");
	struct harness_actor a = learner("seat-a", "worker"), b = learner("seat-b", "worker"),
			     c = learner("seat-c", "job_seeker"), d = learner("seat-d", "general");
	json_t *ja, *jb, *jc, *jd, *e;
	char sql[160];

	ja = enrol(&a, sec, NULL, 201);
	jb = enrol(&b, sec, "{}", 201);
	jc = enrol(&c, sec, NULL, 201);
	jd = enrol(&d, sec, NULL, 201);
	assert_string_equal(json_string_value(json_object_get(ja, "status")), "enrolled");
	assert_string_equal(json_string_value(json_object_get(jb, "status")), "enrolled");
	assert_string_equal(json_string_value(json_object_get(jc, "status")), "waitlisted");
	assert_int_equal(json_integer_value(json_object_get(jc, "waitlist_position")), 1);
	assert_int_equal(json_integer_value(json_object_get(jd, "waitlist_position")), 2);
	assert_null(json_object_get(ja, "waitlist_position"));

	/* Enrolling twice is 409, not a second row. */
	json_decref(e = enrol(&a, sec, NULL, 409));
	e = enrol(&c, sec, NULL, 409);
	assert_string_equal(code_of(e), "already_enrolled");
	json_decref(e);

	/* A cancellation hands the seat to the first in line at once. */
	assert_int_equal(change(&a, "DELETE", id_of(ja), NULL, &e), 200);
	assert_string_equal(json_string_value(json_object_get(e, "status")), "cancelled");
	json_decref(e);
	assert_int_equal(change(&c, "GET", id_of(jc), NULL, &e), 200);
	assert_string_equal(json_string_value(json_object_get(e, "status")), "enrolled");
	assert_int_equal(json_array_size(json_object_get(e, "history")), 2);
	json_decref(e);
	assert_int_equal(change(&d, "GET", id_of(jd), NULL, &e), 200);
	assert_int_equal(json_integer_value(json_object_get(e, "waitlist_position")), 1);
	json_decref(e);
	snprintf(sql, sizeof(sql), "SELECT enrolled_count FROM sections WHERE id = %lld", sec);
	assert_int_equal(harness_sql_ll(conninfo, sql), 2);
	/* After cancelling, enrolling again is allowed: a new row. */
	json_decref(e = enrol(&a, sec, NULL, 201));

	/* Raising the capacity by 2 promotes the waitlist (only d is left). */
	{
		char path[64];

		snprintf(path, sizeof(path), "/api/v1/sections/%lld", sec);
		assert_int_equal(harness_status_as(&server, &gist_admin, "PATCH", path,
						   "{\"capacity\":4}"),
				 200);
	}
	assert_int_equal(change(&d, "GET", id_of(jd), NULL, &e), 200);
	assert_string_equal(json_string_value(json_object_get(e, "status")), "enrolled");
	{
		char *history = json_dumps(json_object_get(e, "history"), 0);

		assert_contains(history, "capacity raised");
		free(history);
	}
	/* The promotion is in the audit trail, with the admin who raised it. */
	snprintf(sql, sizeof(sql),
		 "SELECT actor_user_id FROM audit_log WHERE action = 'enrollment.promote'"
		 " AND target_type = 'enrollment' AND target_id = %lld",
		 id_of(jd));
	assert_true(gist_admin.user_id > 0);
	assert_int_equal(harness_sql_ll(conninfo, sql), gist_admin.user_id);
	json_decref(e);
	json_decref(ja);
	json_decref(jb);
	json_decref(jc);
	json_decref(jd);
}

static void refusals_name_their_rule(void **state)
{
	struct harness_actor w = learner("rule-w", "worker"), kid = learner("rule-k", "elementary");
	struct http_result r = {0};
	json_t *e;

	e = enrol(&w, section("E-KIDS", "2030-1"), NULL, 403);
	assert_string_equal(code_of(e), "not_eligible_stage");
	assert_true(json_is_array(json_object_get(e, "allowed_stages")));
	json_decref(e);
	e = enrol(&w, section("E-CORP", "2030-1"), NULL, 403);
	assert_string_equal(code_of(e), "affiliation_required");
	json_decref(e);
	e = enrol(&w, section("E-NEXT", "2030-1"), NULL, 403);
	assert_string_equal(code_of(e), "prerequisite_missing");
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "missing_course"),
							      "title_en")),
			    "Basics");
	json_decref(e);
	e = enrol(&w, section("E-OPEN", "2032-1"), NULL, 409);
	assert_string_equal(code_of(e), "enrollment_not_open");
	assert_non_null(json_object_get(e, "opens_at"));
	json_decref(e);
	e = enrol(&w, section("E-OPEN", "2031-2"), NULL, 409);
	assert_string_equal(code_of(e), "enrollment_closed");
	json_decref(e);
	e = enrol(&w, section("E-OPEN", "2031-1"), NULL, 409);
	assert_string_equal(code_of(e), "section_cancelled");
	json_decref(e);
	json_decref(enrol(&w, section("E-OPEN", "2030-summer"), NULL, 404));
	json_decref(enrol(&w, section("E-HIDE", "2030-1"), NULL, 404));
	json_decref(enrol(&w, 99999999, NULL, 404));
	json_decref(enrol(&kid, section("E-KIDS", "2030-1"), NULL, 201));

	/* Completing the rung below opens the one above (a section still to
	 * come completes only by an admin's override). */
	e = enrol(&w, section("E-BASE", "2030-1"), NULL, 201);
	assert_int_equal(change(&gist_admin, "PATCH", id_of(e),
				"{\"status\":\"completed\",\"override_reason\":\"prior learning\"}",
				NULL),
			 200);
	json_decref(e);
	json_decref(enrol(&w, section("E-NEXT", "2030-1"), NULL, 201));

	/* Who may enrol, and what a request may carry. */
	json_decref(enrol(&visitor, section("E-OPEN", "2030-2"), NULL, 401));
	json_decref(enrol(&w, section("E-OPEN", "2030-2"), "{\"statement\":5}", 400));
	json_decref(enrol(&w, section("E-OPEN", "2030-2"), "{\"seat\":1}", 400));
	{
		const char *headers[] = {"Content-Type: application/json", NULL, NULL};
		char cookie[300], path[96];

		snprintf(cookie, sizeof(cookie), "Cookie: %s", w.cookie);
		headers[1] = cookie;
		snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments",
			 section("E-OPEN", "2030-2"));
		assert_int_equal(harness_request_once(&server, "POST", path, headers, "{}", &r), 0);
		assert_int_equal(r.status, 403);
		assert_contains(r.body, "csrf_failed");
		http_result_release(&r);
	}
}

static void idempotent_retry(void **state)
{
	struct harness_actor a = learner("idem-a", "worker");
	struct http_result r1 = {0}, r2 = {0}, r3 = {0};
	const char *headers[5];
	char cookie[300], csrf[100], path[96], replay[16];
	char sql[160];

	snprintf(cookie, sizeof(cookie), "Cookie: %s", a.cookie);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", a.csrf);
	headers[0] = cookie;
	headers[1] = csrf;
	headers[2] = "Idempotency-Key: order-7f3a";
	headers[3] = "Content-Type: application/json";
	headers[4] = NULL;
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments", section("E-OPEN", "2030-2"));
	assert_int_equal(harness_request_once(&server, "POST", path, headers, "{}", &r1), 0);
	assert_int_equal(harness_request_once(&server, "POST", path, headers, "{}", &r2), 0);
	assert_int_equal(r1.status, 201);
	assert_int_equal(r2.status, 201);
	assert_string_equal(r1.body, r2.body);
	assert_non_null(http_result_header(&r2, "Idempotent-Replayed", replay, sizeof(replay)));
	/* A new key is a new request: already enrolled. */
	headers[2] = "Idempotency-Key: order-7f3b";
	assert_int_equal(harness_request_once(&server, "POST", path, headers, "{}", &r3), 0);
	assert_int_equal(r3.status, 409);
	headers[2] = "Idempotency-Key: bad key with spaces";
	http_result_release(&r3);
	assert_int_equal(harness_request_once(&server, "POST", path, headers, "{}", &r3), 0);
	assert_int_equal(r3.status, 400);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM enrollments e JOIN users u ON u.id = e.user_id"
		 " WHERE u.email = 'idem-a@example.org'");
	assert_int_equal(harness_sql_ll(conninfo, sql), 1);
	http_result_release(&r1);
	http_result_release(&r2);
	http_result_release(&r3);
}

static void approvals_grading_and_moves(void **state)
{
	struct harness_actor a = learner("appl-a", "job_seeker"), b = learner("appl-b", "worker");
	long long stup = section("E-STUP", "2030-1");
	json_t *ja, *jb, *e;

	ja = enrol(&a, stup, "{\"statement\":\"AI로 지역 농산물 유통을 혁신하겠습니다.\"}", 201);
	jb = enrol(&b, stup, "{\"statement\":\"제조 데이터 스타트업\"}", 201);
	assert_string_equal(json_string_value(json_object_get(ja, "status")), "pending");
	/* Learners cannot approve themselves; other institutions never see it. */
	assert_int_equal(change(&a, "PATCH", id_of(ja), "{\"status\":\"enrolled\"}", NULL), 403);
	assert_int_equal(change(&jnu_admin, "PATCH", id_of(ja), "{\"status\":\"enrolled\"}", NULL),
			 404);
	assert_int_equal(change(&jnu_admin, "GET", id_of(ja), NULL, NULL), 404);
	/* The instructor grades but does not approve. */
	assert_int_equal(change(&teacher, "PATCH", id_of(ja), "{\"status\":\"enrolled\"}", NULL), 403);
	assert_int_equal(change(&gist_admin, "PATCH", id_of(ja),
				"{\"status\":\"enrolled\",\"reason\":\"좋은 계획\"}", &e),
			 200);
	assert_string_equal(json_string_value(json_object_get(e, "status")), "enrolled");
	json_decref(e);
	/* One seat: approving the second is refused, not over-filled. */
	assert_int_equal(change(&gist_admin, "PATCH", id_of(jb), "{\"status\":\"enrolled\"}", &e), 409);
	assert_string_equal(code_of(e), "section_full");
	json_decref(e);
	assert_int_equal(change(&gist_admin, "PATCH", id_of(jb), "{\"status\":\"rejected\"}", NULL),
			 200);
	/* The state machine: rejected is final; pending cannot be cancelled. */
	assert_int_equal(change(&gist_admin, "PATCH", id_of(jb), "{\"status\":\"enrolled\"}", &e), 409);
	assert_string_equal(code_of(e), "illegal_transition");
	json_decref(e);
	assert_int_equal(change(&gist_admin, "PATCH", id_of(jb), "{\"status\":\"waitlisted\"}", NULL),
			 400);
	assert_int_equal(change(&gist_admin, "PATCH", id_of(ja), "{}", NULL), 400);

	/* Grading: completed, then nothing more. */
	assert_int_equal(change(&a, "PATCH", id_of(ja), "{\"status\":\"completed\"}", NULL), 403);
	assert_int_equal(change(&teacher, "PATCH", id_of(ja), "{\"status\":\"incomplete\"}", &e), 200);
	json_decref(e);
	assert_int_equal(change(&teacher, "PATCH", id_of(ja), "{\"status\":\"completed\"}", &e), 409);
	assert_string_equal(code_of(e), "illegal_transition");
	json_decref(e);
	assert_int_equal(change(&a, "DELETE", id_of(ja), NULL, NULL), 409);
	json_decref(ja);
	json_decref(jb);
}

static void moves_and_started_sections(void **state)
{
	struct harness_actor a = learner("move-a", "worker"), b = learner("move-b", "worker"),
			     c = learner("move-c", "worker");
	long long from = section("E-BASE", "2030-1"), full = section("E-OPEN", "2030-2");
	long long started = section("E-OPEN", "2020-1");
	json_t *ja, *jc, *e;
	char body[96];

	ja = enrol(&a, from, NULL, 201);
	/* Moving to a section of another course is refused. */
	snprintf(body, sizeof(body), "{\"section_id\":%lld}", full);
	assert_int_equal(change(&gist_admin, "PATCH", id_of(ja), body, NULL), 400);
	/* Within the course: a new section of E-BASE. */
	assert_int_equal(harness_sql(conninfo,
				     "INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
				     " enrollment_opens_at, enrollment_closes_at, status)"
				     " SELECT id, '2030-2', '2030-09-01', '2030-12-20', 1,"
				     " now() - interval '1 day', now() + interval '9 days', 'open'"
				     " FROM courses WHERE code = 'E-BASE'"),
			 0);
	snprintf(body, sizeof(body), "{\"section_id\":%lld,\"reason\":\"야간반으로\"}",
		 section("E-BASE", "2030-2"));
	assert_int_equal(change(&gist_admin, "PATCH", id_of(ja), body, &e), 200);
	assert_string_equal(json_string_value(json_object_get(e, "status")), "enrolled");
	assert_int_equal(json_integer_value(json_object_get(e, "section_id")),
			 section("E-BASE", "2030-2"));
	json_decref(e);
	/* The new section is full now: moving another learner there is 409. */
	e = enrol(&b, from, NULL, 201);
	assert_int_equal(change(&gist_admin, "PATCH", id_of(e), body, NULL), 409);
	json_decref(e);

	/* Cancelling after the section started is refused. */
	jc = enrol(&c, started, NULL, 201);
	assert_int_equal(change(&c, "DELETE", id_of(jc), NULL, &e), 409);
	assert_string_equal(code_of(e), "section_started");
	json_decref(e);
	/* Another learner cannot see or cancel it. */
	assert_int_equal(change(&a, "DELETE", id_of(jc), NULL, NULL), 404);
	assert_int_equal(change(&a, "GET", id_of(jc), NULL, NULL), 404);
	assert_int_equal(change(&visitor, "GET", id_of(jc), NULL, NULL), 401);
	/* The admin reading it leaves a trail. */
	assert_int_equal(change(&gist_admin, "GET", id_of(jc), NULL, NULL), 200);
	assert_true(harness_sql_ll(conninfo, "SELECT count(*) FROM audit_log WHERE action ="
					     " 'enrollment.read'") >= 1);
	assert_true(harness_sql_ll(conninfo, "SELECT count(*) FROM audit_log WHERE action ="
					     " 'enrollment.create'") >= 3);
	json_decref(ja);
	json_decref(jc);
}

/* The database holds the line even against code that forgets: a section
 * never has more enrolled than seats, and no transition outside the machine. */
static void the_database_enforces_the_rules(void **state)
{
	long long sec = section("E-OPEN", "2030-2");
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO enrollments (user_id, section_id, status) SELECT id, %lld, 'enrolled'"
		 " FROM users WHERE email LIKE 'rule-%%'",
		 sec);
	assert_int_not_equal(harness_sql(conninfo, sql), 0);
	assert_int_not_equal(harness_sql(conninfo, "UPDATE enrollments SET status = 'pending'"
						   " WHERE status = 'rejected'"),
			     0);
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM sections WHERE"
						  " enrolled_count <> (SELECT count(*) FROM enrollments e"
						  " WHERE e.section_id = sections.id"
						  " AND e.status = 'enrolled')"),
			 0);
}

/* A new open section of course code named term, from starts to ends, with
 * capacity seats and enrolment open now, taught by the teacher; its id. */
static long long section_new(const char *code, const char *term, const char *starts,
			     const char *ends, int capacity)
{
	long long id;

	id = harness_sql_llf(conninfo,
			       "INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
			       " enrollment_opens_at, enrollment_closes_at, status)"
			       " SELECT id, '%s', '%s', '%s', %d, now() - interval '1 day',"
			       " now() + interval '30 days', 'open' FROM courses WHERE code = '%s'"
			       " RETURNING id",
			       term, starts, ends, capacity, code);
	assert_int_equal(harness_sql_llf(conninfo,
					 "INSERT INTO section_instructors VALUES (%lld, %lld)"
					 " RETURNING 1",
					 id, teacher.user_id),
			 1);
	return id;
}

/* Enrolments of GIST created in 2020-2040 with status, by the summary. */
static long long summary_count(const char *status)
{
	json_t *j = harness_json_as(&server, &gist_admin, "GET",
				    "/api/v1/reports/summary?from=2020-01-01&to=2040-01-01", NULL,
				    200);
	long long n = harness_json_ll(json_object_get(j, "by_status"), status);

	json_decref(j);
	return n;
}

/* Lines of the enrolment report of section sec with status. */
static size_t report_lines(long long sec, const char *status)
{
	struct http_result r = {0};
	char path[128];
	size_t n = 0;

	snprintf(path, sizeof(path), "/api/v1/reports/enrollments?section_id=%lld&status=%s", sec,
		 status);
	assert_int_equal(harness_as(&server, &gist_admin, "GET", path, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	for (const char *p = r.body; p && *p; p++)
		n += *p == '\n';
	http_result_release(&r);
	return n;
}

/* Enrolment id, as its learner a sees it, ended with status for the
 * section's cancellation. */
static void assert_ended_by_cancellation(const struct harness_actor *a, long long id,
					 const char *status)
{
	json_t *e, *history;

	assert_int_equal(change(a, "GET", id, NULL, &e), 200);
	assert_string_equal(json_string_value(json_object_get(e, "status")), status);
	history = json_object_get(e, "history");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(history, json_array_size(history) - 1), "reason")),
			    "section_cancelled");
	json_decref(e);
}

/* Cancels section sec as the GIST admin, which must leave no seat taken. */
static void cancel_section(long long sec)
{
	char path[64];
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/sections/%lld", sec);
	j = harness_json_as(&server, &gist_admin, "PATCH", path, "{\"status\":\"cancelled\"}", 200);
	assert_int_equal(harness_json_ll(j, "enrolled_count"), 0);
	json_decref(j);
}

/* Cancelling a section ends its learners' places in the same change: no
 * enrolled, waitlisted or pending row is left behind, and the reports say
 * so. */
static void cancelling_a_section_ends_its_places(void **state)
{
	long long sec = section_new("E-OPEN", "2033-1", "2033-03-02", "2033-06-20", 1),
		  applied = section_new("E-STUP", "2033-1", "2033-03-02", "2033-06-20", 1);
	struct harness_actor a = learner("gone-a", "worker"), b = learner("gone-b", "worker");
	long long enrolled, waitlisted, cancelled, ea, eb;
	json_t *ja, *jb, *jp;

	(void)state;
	ja = enrol(&a, sec, NULL, 201);
	jb = enrol(&b, sec, NULL, 201);
	jp = enrol(&a, applied, NULL, 201);
	assert_string_equal(json_string_value(json_object_get(jp, "status")), "pending");
	assert_string_equal(json_string_value(json_object_get(jb, "status")), "waitlisted");
	ea = id_of(ja);
	eb = id_of(jb);
	enrolled = summary_count("enrolled");
	waitlisted = summary_count("waitlisted");
	cancelled = summary_count("cancelled");

	cancel_section(sec);
	assert_ended_by_cancellation(&a, ea, "cancelled");
	assert_ended_by_cancellation(&b, eb, "cancelled");
	/* An application there is refused: pending cannot become cancelled. */
	cancel_section(applied);
	assert_ended_by_cancellation(&a, id_of(jp), "rejected");
	assert_int_equal(harness_sql_llf(conninfo,
					 "SELECT count(*) FROM audit_log WHERE action = 'enrollment.update'"
					 " AND target_id IN (%lld, %lld) AND actor_user_id = %lld"
					 " AND request_id IS NOT NULL"
					 " AND detail->>'reason' = 'section_cancelled'"
					 " AND detail->>'to' = 'cancelled'",
					 ea, eb, gist_admin.user_id),
			 2);
	assert_int_equal(summary_count("enrolled"), enrolled - 1);
	assert_int_equal(summary_count("waitlisted"), waitlisted - 1);
	assert_int_equal(summary_count("cancelled"), cancelled + 2);
	assert_int_equal(report_lines(sec, "enrolled"), 0);
	assert_int_equal(report_lines(sec, "waitlisted"), 0);
	assert_int_equal(report_lines(sec, "cancelled"), 2);
	json_decref(ja);
	json_decref(jb);
	json_decref(jp);
}

/* PATCHes enrolment id to completed as a with extra fields (may be ""),
 * which must be answered want; with code, the problem's code. */
static void complete_as(const struct harness_actor *a, long long id, const char *extra,
			long want, const char *code)
{
	char body[256];
	json_t *e = NULL;

	snprintf(body, sizeof(body), "{\"status\":\"completed\"%s}", extra);
	assert_int_equal(change(a, "PATCH", id, body, &e), want);
	if (code)
		assert_string_equal(code_of(e), code);
	json_decref(e);
}

/* Nobody completes a section that has not happened: it must have ended or
 * held its last session; an admin may override, with a reason on record. */
static void completion_waits_for_the_end(void **state)
{
	long long later = section_new("E-OPEN", "2033-2", "2033-03-02", "2033-06-20", 5),
		  held = section_new("E-OPEN", "2026-winter", "2026-01-05", "2033-06-20", 5);
	struct harness_actor a = learner("end-a", "worker"), b = learner("end-b", "worker"),
			     c = learner("end-c", "worker"), d = learner("end-d", "worker");
	json_t *ja = enrol(&a, later, NULL, 201), *jb = enrol(&b, later, NULL, 201),
	       *jc = enrol(&c, held, NULL, 201), *jd = enrol(&d, section("E-OPEN", "2020-1"), NULL, 201);
	char sql[512];

	(void)state;
	/* A section still to come: refused, for teachers and admins alike. */
	complete_as(&teacher, id_of(ja), "", 409, "section_not_ended");
	complete_as(&gist_admin, id_of(ja), "", 409, "section_not_ended");
	assert_int_equal(harness_sql_llf(conninfo, "SELECT count(*) FROM enrollments WHERE id = %lld"
						   " AND status = 'enrolled'", id_of(ja)),
			 1);
	snprintf(sql, sizeof(sql), "UPDATE enrollments SET status = 'completed' WHERE id = %lld",
		 id_of(ja));
	assert_int_not_equal(harness_sql(conninfo, sql), 0);
	/* The override: an admin's, with a reason, for a completion only. */
	complete_as(&teacher, id_of(ja), ",\"override_reason\":\"early\"", 403, NULL);
	complete_as(&gist_admin, id_of(ja), ",\"override_reason\":\"\"", 400, "validation_failed");
	assert_int_equal(change(&gist_admin, "PATCH", id_of(ja),
				"{\"status\":\"cancelled\",\"override_reason\":\"early\"}", NULL),
			 400);
	complete_as(&gist_admin, id_of(ja), ",\"override_reason\":\"recognised prior learning\"",
		    200, NULL);
	assert_int_equal(harness_sql_llf(conninfo,
					 "SELECT count(*) FROM audit_log WHERE action = 'enrollment.update'"
					 " AND target_id = %lld AND detail->>'to' = 'completed'"
					 " AND detail->>'override_reason' = 'recognised prior learning'",
					 id_of(ja)),
			 1);
	assert_int_equal(harness_sql_llf(conninfo,
					 "SELECT count(*) FROM enrollment_events WHERE enrollment_id = %lld"
					 " AND to_status = 'completed'"
					 " AND reason LIKE '%%recognised prior learning'",
					 id_of(ja)),
			 1);
	/* The override lasts one change: the next learner is refused again. */
	complete_as(&teacher, id_of(jb), "", 409, "section_not_ended");

	/* A section whose last day passed completes. */
	complete_as(&teacher, id_of(jd), "", 200, NULL);
	/* One still running completes once its last session is over, and not
	 * while another is to come. */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id,"
		 " online_url) SELECT %lld, now() - interval '3 days' + (n || ' hours')::interval,"
		 " now() - interval '3 days' + (n || ' hours')::interval + interval '1 hour', id,"
		 " 'https://meet.example.org/e' FROM users, generate_series(0, 1) n"
		 " WHERE email = 'instructor@example.com'",
		 held);
	assert_int_equal(harness_sql(conninfo, sql), 0);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id,"
		 " online_url) SELECT %lld, now() + interval '3 days',"
		 " now() + interval '3 days 1 hour', id, 'https://meet.example.org/e' FROM users"
		 " WHERE email = 'instructor@example.com'",
		 held);
	assert_int_equal(harness_sql(conninfo, sql), 0);
	complete_as(&teacher, id_of(jc), "", 409, "section_not_ended");
	snprintf(sql, sizeof(sql),
		 "UPDATE class_sessions SET status = 'cancelled' WHERE section_id = %lld"
		 " AND starts_at > now()",
		 held);
	assert_int_equal(harness_sql(conninfo, sql), 0);
	complete_as(&teacher, id_of(jc), "", 200, NULL);
	json_decref(ja);
	json_decref(jb);
	json_decref(jc);
	json_decref(jd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seats_then_waitlist_then_promotion),
		cmocka_unit_test(refusals_name_their_rule),
		cmocka_unit_test(idempotent_retry),
		cmocka_unit_test(approvals_grading_and_moves),
		cmocka_unit_test(moves_and_started_sections),
		cmocka_unit_test(the_database_enforces_the_rules),
		cmocka_unit_test(cancelling_a_section_ends_its_places),
		cmocka_unit_test(completion_waits_for_the_end),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
