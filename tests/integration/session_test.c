/* session_test.c - class sessions against a running server: no double
 * booking (also from two institutions at once), sharing and lending,
 * Korean time, attendance, the completion threshold, an instructor's
 * sections */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define ROUNDS 6

static struct lms_server server;
static char conninfo[1024];

/*
 * The fixture:
 * - teacher (the demo instructor): home GIST, shared with Chonnam; teaches
 *   section_ai and section_now.
 * - colleague: an instructor at home at GIST who teaches no section.
 * - stranger: an instructor of Chosun, shared with nobody.
 * - course S-AI of GIST in the AI Academy (80% attendance to complete):
 *   section_ai (2027-03-02 to 2027-06-20) and section_now (from 20 days
 *   ago to 20 days ahead, Korean dates) where learners[0] and [1] are
 *   enrolled; learners[2] is enrolled in section_ai.
 * - section_jnu: a Chonnam course's section with section_ai's dates.
 * - room: a GIST lab; far_room: a Chosun lab lent to nobody.
 */
static struct harness_actor gist_admin, jnu_admin, teacher, colleague, stranger, learners[3];
static char gist_name[256];
static long long gist, section_ai, section_now, section_jnu, room, far_room;
static long long e_now[2], e_ai;

/* ---- helpers ---- */

#define sql_ll(...) harness_sql_llf(conninfo, __VA_ARGS__)

/* method path as a (NULL: a visitor) with body; the status, and the body
 * parsed into *out when out is not NULL (JSON null when there is none). */
static long call(const struct harness_actor *a, const char *method, const char *path,
		 const char *body, json_t **out)
{
	struct http_result r = {0};
	long status;

	if (harness_as(&server, a, method, path, body, &r) != 0)
		fail_msg("%s %s: no response", method, path);
	status = r.status;
	if (out)
		*out = json_loads(r.body && r.body[0] ? r.body : "null", JSON_DECODE_ANY, NULL);
	http_result_release(&r);
	return status;
}

/* A session body: from..to, the instructor, and the facility (0: online). */
static const char *session_body(char *buf, size_t len, const char *from, const char *to,
				long long instructor, long long facility)
{
	if (facility)
		snprintf(buf, len,
			 "{\"starts_at\": \"%s\", \"ends_at\": \"%s\", \"instructor_id\": %lld,"
			 " \"facility_id\": %lld}",
			 from, to, instructor, facility);
	else
		snprintf(buf, len,
			 "{\"starts_at\": \"%s\", \"ends_at\": \"%s\", \"instructor_id\": %lld,"
			 " \"online_url\": \"https://meet.example.com/s\"}",
			 from, to, instructor);
	return buf;
}

/* POSTs a session to section as a and checks the status; returns the new
 * session's id (201) or the answer's body in *out (when not NULL). */
static long long schedule(const struct harness_actor *a, long long section, const char *from,
			  const char *to, long long instructor, long long facility, long status,
			  json_t **out)
{
	char path[96], body[512];
	json_t *j = NULL;
	long got;
	long long id;

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/sessions", section);
	got = call(a, "POST", path, session_body(body, sizeof(body), from, to, instructor, facility),
		   &j);
	if (got != status) {
		char *text = json_dumps(j, 0);

		fail_msg("POST %s %s: expected %ld, got %ld: %s", path, body, status, got, text);
	}
	id = status == 201 ? json_integer_value(json_object_get(j, "id")) : 0;
	if (out)
		*out = j;
	else
		json_decref(j);
	return id;
}

static long patch(const struct harness_actor *a, long long session, const char *body,
		  json_t **out)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/v1/sessions/%lld", session);
	return call(a, "PATCH", path, body, out);
}

static const char *str(const json_t *j, const char *name)
{
	const char *s = json_string_value(json_object_get(j, name));

	return s ? s : "(none)";
}

static long long num(const json_t *j, const char *name)
{
	return json_integer_value(json_object_get(j, name));
}

/* The problem's code must be code and its errors must name field (when
 * not NULL). */
static void assert_problem(const json_t *j, const char *code, const char *field)
{
	char *text = json_dumps(j, 0);

	if (strcmp(str(j, "code"), code) != 0)
		fail_msg("expected code %s in %s", code, text);
	if (field) {
		bool named = false;
		size_t i;
		json_t *e;

		json_array_foreach(json_object_get(j, "errors"), i, e)
			named = named || !strcmp(str(e, "field"), field);
		if (!named)
			fail_msg("expected an error naming %s in %s", field, text);
	}
	free(text);
}

/* The Korean date of today + days as "YYYY-MM-DD" into buf. */
static const char *kst_day(char *buf, size_t len, int days)
{
	char sql[160];

	snprintf(sql, sizeof(sql),
		 "SELECT ((now() AT TIME ZONE 'Asia/Seoul')::date + %d)::text", days);
	if (harness_sql_value(conninfo, sql, buf, len) != 0)
		fail_msg("cannot compute a date");
	return buf;
}

/* ---- fixture ---- */

static const char fixture_sql[] =
	"INSERT INTO instructors (user_id, home_institution_id) SELECT u.id, i.id"
	" FROM users u, institutions i WHERE u.email = 'instructor@example.com' AND i.code = 'gist'"
	" ON CONFLICT (user_id) DO NOTHING;"
	"INSERT INTO instructors (user_id, home_institution_id) SELECT u.id, i.id"
	" FROM users u JOIN institutions i ON i.code = CASE u.email"
	" WHEN 'sess-t1@example.com' THEN 'gist' ELSE 'chosun' END"
	" WHERE u.email IN ('sess-t1@example.com', 'sess-t2@example.com');"
	"INSERT INTO instructor_shares (instructor_id, institution_id) SELECT u.id, i.id"
	" FROM users u, institutions i WHERE u.email = 'instructor@example.com' AND i.code = 'jnu'"
	" ON CONFLICT DO NOTHING;"
	"INSERT INTO facilities (institution_id, name_ko, name_en, kind, capacity)"
	" SELECT i.id, v.ko, v.en, 'lab', 30 FROM institutions i, (VALUES"
	" ('gist', '세션 실습실', 'Session Lab'), ('chosun', '세션 먼 실습실', 'Far Lab')) AS v(code, ko, en)"
	" WHERE i.code = v.code;"
	"INSERT INTO courses (institution_id, program_id, code, title_ko, title_en, delivery,"
	" published) SELECT i.id, p.id, v.code, v.ko, v.en, 'offline', true FROM (VALUES"
	" ('gist', 'ai_academy', 'S-AI', '세션 과정, 실습', 'Sessions; a course'),"
	" ('jnu', 'online', 'S-JNU', '전남대 세션 과정', 'Chonnam sessions'))"
	" AS v(inst, program, code, ko, en)"
	" JOIN institutions i ON i.code = v.inst JOIN programs p ON p.code = v.program;"
	"INSERT INTO sections (course_id, term, starts_on, ends_on, capacity, enrollment_opens_at,"
	" enrollment_closes_at, status) SELECT c.id, v.term, v.starts, v.ends, 30,"
	" now() - interval '60 days', now() - interval '30 days', 'open' FROM courses c, (VALUES"
	" ('S-AI', '2027-1', date '2027-03-02', date '2027-06-20'),"
	" ('S-AI', '2026-2', (now() AT TIME ZONE 'Asia/Seoul')::date - 20,"
	"  (now() AT TIME ZONE 'Asia/Seoul')::date + 20),"
	" ('S-JNU', '2027-1', date '2027-03-02', date '2027-06-20')) AS v(code, term, starts, ends)"
	" WHERE c.code = v.code;"
	"INSERT INTO section_instructors (section_id, user_id) SELECT s.id, u.id FROM sections s"
	" JOIN courses c ON c.id = s.course_id, users u"
	" WHERE c.code = 'S-AI' AND u.email = 'instructor@example.com';"
	"INSERT INTO enrollments (user_id, section_id, status) SELECT u.id, s.id, 'enrolled'"
	" FROM users u, sections s JOIN courses c ON c.id = s.course_id WHERE c.code = 'S-AI'"
	" AND ((u.email IN ('sess-l1@example.com', 'sess-l2@example.com') AND s.term = '2026-2')"
	" OR (u.email = 'sess-l3@example.com' AND s.term = '2027-1'));";

static long long section_of(const char *code, const char *term)
{
	return sql_ll("SELECT s.id FROM sections s JOIN courses c ON c.id = s.course_id"
		      " WHERE c.code = '%s' AND s.term = '%s'",
		      code, term);
}

static long long enrollment_of(const struct harness_actor *a)
{
	return sql_ll("SELECT id FROM enrollments WHERE user_id = %lld", a->user_id);
}

static int setup(void **state)
{
	struct harness_actor t[2];

	(void)state;
	if (harness_db_create("session", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_learners_create(conninfo, "sess-t", "worker", 2, t) != 0 ||
	    harness_learners_create(conninfo, "sess-l", "job_seeker", 3, learners) != 0 ||
	    harness_sql(conninfo, fixture_sql) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	colleague = t[0];
	stranger = t[1];
	if (harness_login(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin) != 0 ||
	    harness_login(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin) != 0 ||
	    harness_login(&server, "instructor@example.com", DEMO_PASSWORD, &teacher) != 0)
		return -1;
	gist = harness_sql_ll(conninfo, "SELECT id FROM institutions WHERE code = 'gist'");
	if (harness_sql_value(conninfo, "SELECT name_ko FROM institutions WHERE code = 'gist'",
			      gist_name, sizeof(gist_name)) != 0)
		return -1;
	section_ai = harness_sql_ll(conninfo, "SELECT s.id FROM sections s JOIN courses c ON"
					      " c.id = s.course_id WHERE c.code = 'S-AI' AND"
					      " s.term = '2027-1'");
	section_now = harness_sql_ll(conninfo, "SELECT s.id FROM sections s JOIN courses c ON"
					       " c.id = s.course_id WHERE c.code = 'S-AI' AND"
					       " s.term = '2026-2'");
	section_jnu = harness_sql_ll(conninfo, "SELECT s.id FROM sections s JOIN courses c ON"
					       " c.id = s.course_id WHERE c.code = 'S-JNU'");
	room = harness_sql_ll(conninfo, "SELECT id FROM facilities WHERE name_en = 'Session Lab'");
	far_room = harness_sql_ll(conninfo, "SELECT id FROM facilities WHERE name_en = 'Far Lab'");
	return gist > 0 && section_ai > 0 && section_now > 0 && section_jnu > 0 && room > 0 &&
			       far_room > 0
		       ? 0
		       : -1;
}

static int teardown(void **state)
{
	(void)state;
	return harness_server_stop(&server) == 0 ? 0 : -1;
}

/* ---- scheduling ---- */

static void korean_time_in_and_out(void **state)
{
	char utc[64], path[160], loc[128];
	struct http_result r = {0};
	long long id, next;
	json_t *j = NULL;

	(void)state;
	assert_int_equal(section_of("S-AI", "2027-1"), section_ai);
	id = schedule(&teacher, section_ai, "2027-03-03T09:00:00+09:00", "2027-03-03T10:00:00+09:00",
		      teacher.user_id, room, 201, &j);
	/* Stored as the instant it is: 00:00 UTC. */
	snprintf(path, sizeof(path),
		 "SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
		 " FROM class_sessions WHERE id = %lld",
		 id);
	assert_int_equal(harness_sql_value(conninfo, path, utc, sizeof(utc)), 0);
	assert_string_equal(utc, "2027-03-03T00:00:00Z");
	/* Answered in Korean time, with everything a calendar needs. */
	assert_string_equal(str(j, "starts_at"), "2027-03-03T09:00:00+09:00");
	assert_string_equal(str(j, "ends_at"), "2027-03-03T10:00:00+09:00");
	assert_int_equal(num(j, "section_id"), section_ai);
	assert_string_equal(str(j, "course_title"), "세션 과정, 실습");
	assert_string_equal(str(j, "institution"), gist_name);
	assert_int_equal(num(json_object_get(j, "instructor"), "id"), teacher.user_id);
	assert_string_equal(str(json_object_get(j, "instructor"), "display_name"), "이지능 교수");
	assert_int_equal(num(json_object_get(j, "facility"), "id"), room);
	assert_string_equal(str(json_object_get(j, "facility"), "name"), "세션 실습실");
	assert_true(json_is_null(json_object_get(j, "online_url")));
	assert_string_equal(str(j, "status"), "scheduled");
	assert_int_equal(num(j, "sequence"), 0);
	json_decref(j);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'session.create'"
				" AND target_id = %lld",
				id),
			 1);

	/* A time given in UTC is the same instant: 01:00Z is 10:00 in Seoul,
	 * the moment the first ends; touching sessions are allowed, for the
	 * instructor and for the room. */
	next = schedule(&teacher, section_ai, "2027-03-03T01:00:00Z", "2027-03-03T02:00:00Z",
			teacher.user_id, room, 201, &j);
	assert_string_equal(str(j, "starts_at"), "2027-03-03T10:00:00+09:00");
	json_decref(j);
	/* And the session before, ending when the first starts. */
	schedule(&teacher, section_ai, "2027-03-03T08:00:00+09:00", "2027-03-03T09:00:00+09:00",
		 teacher.user_id, room, 201, NULL);

	snprintf(path, sizeof(path), "/api/v1/sessions/%lld?lang=en", next);
	assert_int_equal(harness_as(&server, &teacher, "GET", path, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	j = harness_json_body(&r);
	assert_string_equal(str(j, "course_title"), "Sessions; a course");
	assert_string_equal(str(json_object_get(j, "facility"), "name"), "Session Lab");
	assert_string_equal(str(j, "ends_at"), "2027-03-03T11:00:00+09:00");
	json_decref(j);
	http_result_release(&r);

	/* Bad references are named; a 201 says where the session lives. */
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/sessions", section_ai);
	assert_int_equal(harness_as(&server, &gist_admin, "POST", path,
				    "{\"starts_at\": \"2027-03-03T12:00:00+09:00\","
				    " \"ends_at\": \"2027-03-03T13:00:00+09:00\", \"instructor_id\": 0,"
				    " \"online_url\": null}",
				    &r),
			 0);
	assert_int_equal(r.status, 400);
	http_result_release(&r);
	{
		char body[512];

		assert_int_equal(harness_as(&server, &gist_admin, "POST", path,
					    session_body(body, sizeof(body),
							 "2027-03-03T14:00:00+09:00",
							 "2027-03-03T15:00:00+09:00", teacher.user_id,
							 0),
					    &r),
				 0);
		assert_int_equal(r.status, 201);
		j = harness_json_body(&r);
		snprintf(utc, sizeof(utc), "/api/v1/sessions/%lld", num(j, "id"));
		json_decref(j);
		assert_non_null(http_result_header(&r, "Location", loc, sizeof(loc)));
		assert_string_equal(loc, utc);
		http_result_release(&r);
	}
}

static void overlaps_are_refused_naming_the_session(void **state)
{
	long long a, d;
	json_t *j;
	const json_t *other;

	(void)state;
	a = schedule(&teacher, section_ai, "2027-03-04T09:00:00+09:00", "2027-03-04T11:00:00+09:00",
		     teacher.user_id, room, 201, NULL);

	/* The instructor is busy until 11:00, wherever the class meets. */
	schedule(&gist_admin, section_ai, "2027-03-04T10:00:00+09:00", "2027-03-04T12:00:00+09:00",
		 teacher.user_id, 0, 409, &j);
	assert_problem(j, "instructor_conflict", NULL);
	other = json_object_get(j, "conflicting_session");
	assert_int_equal(num(other, "id"), a);
	assert_int_equal(num(other, "section_id"), section_ai);
	assert_string_equal(str(other, "course_title"), "세션 과정, 실습");
	assert_string_equal(str(other, "institution"), gist_name);
	assert_string_equal(str(other, "starts_at"), "2027-03-04T09:00:00+09:00");
	assert_string_equal(str(other, "ends_at"), "2027-03-04T11:00:00+09:00");
	assert_non_null(strstr(str(j, "detail"), "2027-03-04T09:00:00+09:00"));
	json_decref(j);
	/* Inside it, around it: the same. */
	schedule(&gist_admin, section_ai, "2027-03-04T09:30:00+09:00", "2027-03-04T09:40:00+09:00",
		 teacher.user_id, 0, 409, NULL);
	schedule(&gist_admin, section_ai, "2027-03-04T08:00:00+09:00", "2027-03-04T12:00:00+09:00",
		 teacher.user_id, 0, 409, NULL);

	/* The room is taken until 11:00, whoever teaches. */
	schedule(&gist_admin, section_ai, "2027-03-04T10:30:00+09:00", "2027-03-04T11:30:00+09:00",
		 colleague.user_id, room, 409, &j);
	assert_problem(j, "facility_conflict", NULL);
	assert_int_equal(num(json_object_get(j, "conflicting_session"), "id"), a);
	json_decref(j);
	/* From 11:00 it is free. */
	d = schedule(&gist_admin, section_ai, "2027-03-04T11:00:00+09:00",
		     "2027-03-04T12:00:00+09:00", colleague.user_id, room, 201, NULL);
	assert_true(d > a);
	assert_int_equal(sql_ll("SELECT count(*) FROM class_sessions WHERE starts_at::date ="
				" '2027-03-04' AND status = 'scheduled'"),
			 2);

	/* A move into a taken slot is refused the same way. */
	assert_int_equal(patch(&gist_admin, d,
			       "{\"starts_at\": \"2027-03-04T10:00:00+09:00\","
			       " \"ends_at\": \"2027-03-04T11:00:00+09:00\"}",
			       &j),
			 409);
	assert_problem(j, "facility_conflict", NULL);
	assert_int_equal(num(json_object_get(j, "conflicting_session"), "id"), a);
	json_decref(j);
	assert_int_equal(patch(&gist_admin, d, "{\"instructor_id\": ", NULL), 400);
}

static void cancelled_sessions_free_the_slot(void **state)
{
	long long e, f;
	json_t *j;

	(void)state;
	e = schedule(&teacher, section_ai, "2027-03-05T09:00:00+09:00", "2027-03-05T10:00:00+09:00",
		     teacher.user_id, room, 201, NULL);
	schedule(&teacher, section_ai, "2027-03-05T09:00:00+09:00", "2027-03-05T10:00:00+09:00",
		 teacher.user_id, room, 409, NULL);
	assert_int_equal(patch(&teacher, e, "{\"status\": \"cancelled\"}", &j), 200);
	assert_string_equal(str(j, "status"), "cancelled");
	assert_int_equal(num(j, "sequence"), 1);
	json_decref(j);
	f = schedule(&teacher, section_ai, "2027-03-05T09:00:00+09:00", "2027-03-05T10:00:00+09:00",
		     teacher.user_id, room, 201, NULL);
	assert_true(f > e);

	/* Cancelled is final. */
	assert_int_equal(patch(&teacher, e, "{\"status\": \"scheduled\"}", &j), 409);
	assert_problem(j, "illegal_transition", NULL);
	json_decref(j);
	assert_int_equal(patch(&teacher, e, "{\"starts_at\": \"2027-03-05T08:00:00+09:00\"}", &j),
			 409);
	assert_problem(j, "illegal_transition", NULL);
	json_decref(j);
	assert_int_equal(patch(&teacher, e, "{\"status\": \"cancelled\"}", NULL), 409);
	/* A cancellation comes alone. */
	assert_int_equal(patch(&teacher, f,
			       "{\"status\": \"cancelled\", \"starts_at\": \"2027-03-05T08:00:00+09:00\"}",
			       &j),
			 400);
	assert_problem(j, "validation_failed", "status");
	json_decref(j);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'session.cancel'"
				" AND target_id = %lld",
				e),
			 1);
}

static void each_change_raises_the_sequence(void **state)
{
	long long g;
	json_t *j;

	(void)state;
	g = schedule(&teacher, section_ai, "2027-03-08T09:00:00+09:00", "2027-03-08T10:00:00+09:00",
		     teacher.user_id, 0, 201, NULL);
	assert_int_equal(patch(&teacher, g,
			       "{\"starts_at\": \"2027-03-08T13:00:00+09:00\","
			       " \"ends_at\": \"2027-03-08T14:30:00+09:00\"}",
			       &j),
			 200);
	assert_int_equal(num(j, "sequence"), 1);
	assert_string_equal(str(j, "starts_at"), "2027-03-08T13:00:00+09:00");
	assert_string_equal(str(j, "online_url"), "https://meet.example.com/s");
	json_decref(j);
	/* A session never collides with itself: half an hour later is fine. */
	assert_int_equal(patch(&teacher, g,
			       "{\"starts_at\": \"2027-03-08T13:30:00+09:00\","
			       " \"ends_at\": \"2027-03-08T15:00:00+09:00\"}",
			       &j),
			 200);
	assert_int_equal(num(j, "sequence"), 2);
	json_decref(j);
	/* To a room: the link goes. */
	assert_int_equal(patch(&teacher, g, "{\"facility_id\": ", NULL), 400);
	{
		char body[64];

		snprintf(body, sizeof(body), "{\"facility_id\": %lld}", room);
		assert_int_equal(patch(&teacher, g, body, &j), 200);
	}
	assert_int_equal(num(j, "sequence"), 3);
	assert_int_equal(num(json_object_get(j, "facility"), "id"), room);
	assert_true(json_is_null(json_object_get(j, "online_url")));
	json_decref(j);
	/* Back online, another instructor. */
	{
		char body[160];

		snprintf(body, sizeof(body),
			 "{\"online_url\": \"https://meet.example.com/g\", \"instructor_id\": %lld}",
			 colleague.user_id);
		assert_int_equal(patch(&teacher, g, body, &j), 200);
	}
	assert_int_equal(num(j, "sequence"), 4);
	assert_true(json_is_null(json_object_get(j, "facility")));
	assert_int_equal(num(json_object_get(j, "instructor"), "id"), colleague.user_id);
	json_decref(j);
	/* A refused change leaves it as it was. */
	assert_int_equal(patch(&teacher, g, "{\"ends_at\": \"2027-03-08T13:00:00+09:00\"}", &j),
			 400);
	assert_problem(j, "validation_failed", "ends_at");
	json_decref(j);
	assert_int_equal(sql_ll("SELECT sequence FROM class_sessions WHERE id = %lld", g), 4);
	assert_int_equal(sql_ll("SELECT count(*) FROM class_sessions WHERE id = %lld"
				" AND updated_at > created_at",
				g),
			 1);
	assert_int_equal(patch(&teacher, g, "{\"status\": \"cancelled\"}", &j), 200);
	assert_int_equal(num(j, "sequence"), 5);
	json_decref(j);
}

/* One request of a race, sent from its own thread once both are ready. */
struct racer {
	const struct harness_actor *actor;
	char path[96], body[512];
	pthread_barrier_t *go;
	long status;
	json_t *answer;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct http_result res = {0};

	pthread_barrier_wait(r->go);
	r->status = harness_as(&server, r->actor, "POST", r->path, r->body, &res) == 0 ? res.status
										      : -1;
	r->answer = json_loads(res.body ? res.body : "null", JSON_DECODE_ANY, NULL);
	http_result_release(&res);
	return NULL;
}

static void two_institutions_race_for_one_instructor(void **state)
{
	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		struct racer rs[2] = {{.actor = &gist_admin}, {.actor = &jnu_admin}};
		char a_from[40], a_to[40], b_from[40], b_to[40];
		pthread_barrier_t go;
		pthread_t th[2];
		int won = -1;

		/* GIST 13:00-15:00 and Chonnam 14:00-16:00 on a day of April. */
		snprintf(a_from, sizeof(a_from), "2027-04-%02dT13:00:00+09:00", round + 5);
		snprintf(a_to, sizeof(a_to), "2027-04-%02dT15:00:00+09:00", round + 5);
		snprintf(b_from, sizeof(b_from), "2027-04-%02dT14:00:00+09:00", round + 5);
		snprintf(b_to, sizeof(b_to), "2027-04-%02dT16:00:00+09:00", round + 5);
		snprintf(rs[0].path, sizeof(rs[0].path), "/api/v1/sections/%lld/sessions", section_ai);
		snprintf(rs[1].path, sizeof(rs[1].path), "/api/v1/sections/%lld/sessions",
			 section_jnu);
		session_body(rs[0].body, sizeof(rs[0].body), a_from, a_to, teacher.user_id, 0);
		session_body(rs[1].body, sizeof(rs[1].body), b_from, b_to, teacher.user_id, 0);
		assert_int_equal(pthread_barrier_init(&go, NULL, 3), 0);
		for (int i = 0; i < 2; i++) {
			rs[i].go = &go;
			assert_int_equal(pthread_create(&th[i], NULL, race, &rs[i]), 0);
		}
		pthread_barrier_wait(&go);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&go);

		for (int i = 0; i < 2; i++)
			if (rs[i].status == 201)
				won = i;
		if (won < 0 || rs[1 - won].status != 409) {
			char *a = json_dumps(rs[0].answer, 0), *b = json_dumps(rs[1].answer, 0);

			fail_msg("round %d: expected one 201 and one 409, got %ld %s and %ld %s", round,
				 rs[0].status, a, rs[1].status, b);
		}
		assert_problem(rs[1 - won].answer, "instructor_conflict", NULL);
		assert_int_equal(num(json_object_get(rs[1 - won].answer, "conflicting_session"), "id"),
				 num(rs[won].answer, "id"));
		assert_int_equal(sql_ll("SELECT count(*) FROM class_sessions WHERE instructor_id = %lld"
					" AND status = 'scheduled' AND starts_at::date = '2027-04-%02d'",
					teacher.user_id, round + 5),
				 1);
		json_decref(rs[0].answer);
		json_decref(rs[1].answer);
	}
	/* Chonnam may schedule the shared instructor when they are free. */
	schedule(&jnu_admin, section_jnu, "2027-04-20T09:00:00+09:00", "2027-04-20T10:00:00+09:00",
		 teacher.user_id, 0, 201, NULL);
}

static void sharing_and_lending_rules(void **state)
{
	json_t *j;

	(void)state;
	/* Chosun's instructor is not shared with GIST. */
	schedule(&gist_admin, section_ai, "2027-05-03T09:00:00+09:00", "2027-05-03T10:00:00+09:00",
		 stranger.user_id, 0, 403, &j);
	assert_problem(j, "instructor_not_shared", NULL);
	json_decref(j);
	/* GIST's colleague is not shared with Chonnam. */
	schedule(&jnu_admin, section_jnu, "2027-05-03T09:00:00+09:00", "2027-05-03T10:00:00+09:00",
		 colleague.user_id, 0, 403, &j);
	assert_problem(j, "instructor_not_shared", NULL);
	json_decref(j);
	/* Chosun's lab is not lent to GIST, GIST's lab not to Chonnam. */
	schedule(&gist_admin, section_ai, "2027-05-03T09:00:00+09:00", "2027-05-03T10:00:00+09:00",
		 teacher.user_id, far_room, 403, &j);
	assert_problem(j, "facility_not_available", NULL);
	json_decref(j);
	schedule(&jnu_admin, section_jnu, "2027-05-03T09:00:00+09:00", "2027-05-03T10:00:00+09:00",
		 teacher.user_id, room, 403, &j);
	assert_problem(j, "facility_not_available", NULL);
	json_decref(j);
	/* Once lent, it may be booked. */
	assert_int_equal(harness_sql(conninfo, "INSERT INTO facility_loans (facility_id,"
					       " institution_id) SELECT f.id, i.id FROM facilities f,"
					       " institutions i WHERE f.name_en = 'Session Lab'"
					       " AND i.code = 'jnu'"),
			 0);
	schedule(&jnu_admin, section_jnu, "2027-05-03T09:00:00+09:00", "2027-05-03T10:00:00+09:00",
		 teacher.user_id, room, 201, NULL);
	/* A move to an unshared instructor or an unlent room is refused too. */
	{
		long long s = schedule(&gist_admin, section_ai, "2027-05-04T09:00:00+09:00",
				       "2027-05-04T10:00:00+09:00", teacher.user_id, 0, 201, NULL);
		char body[96];

		snprintf(body, sizeof(body), "{\"instructor_id\": %lld}", stranger.user_id);
		assert_int_equal(patch(&gist_admin, s, body, &j), 403);
		assert_problem(j, "instructor_not_shared", NULL);
		json_decref(j);
		snprintf(body, sizeof(body), "{\"facility_id\": %lld}", far_room);
		assert_int_equal(patch(&gist_admin, s, body, &j), 403);
		assert_problem(j, "facility_not_available", NULL);
		json_decref(j);
		assert_int_equal(sql_ll("SELECT sequence FROM class_sessions WHERE id = %lld", s), 0);
	}
	/* No such instructor or room: the field is named. */
	schedule(&gist_admin, section_ai, "2027-05-03T11:00:00+09:00", "2027-05-03T12:00:00+09:00",
		 learners[0].user_id, 0, 400, &j);
	assert_problem(j, "validation_failed", "instructor_id");
	json_decref(j);
	schedule(&gist_admin, section_ai, "2027-05-03T11:00:00+09:00", "2027-05-03T12:00:00+09:00",
		 teacher.user_id, 987654321, 400, &j);
	assert_problem(j, "validation_failed", "facility_id");
	json_decref(j);
}

static void bad_input_is_named(void **state)
{
	static const struct {
		const char *body, *field;
	} cases[] = {
		{"{\"ends_at\": \"2027-03-10T10:00:00+09:00\", \"instructor_id\": 1,"
		 " \"online_url\": \"https://a.example/x\"}",
		 "starts_at"},
		{"{\"starts_at\": \"2027-03-10 09:00\", \"ends_at\": \"2027-03-10T10:00:00+09:00\","
		 " \"instructor_id\": 1, \"online_url\": \"https://a.example/x\"}",
		 "starts_at"},
		{"{\"starts_at\": \"2027-03-10T09:00:00\", \"ends_at\": \"2027-03-10T10:00:00+09:00\","
		 " \"instructor_id\": 1, \"online_url\": \"https://a.example/x\"}",
		 "starts_at"},
		{"{\"starts_at\": \"2027-03-10T09:00:00+09:00\", \"ends_at\": \"2027-03-10T09:00:00+09:00\","
		 " \"instructor_id\": 1, \"online_url\": \"https://a.example/x\"}",
		 "ends_at"},
		{"{\"starts_at\": \"2027-03-10T09:00:00+09:00\", \"ends_at\": \"2027-03-10T10:00:00+09:00\","
		 " \"instructor_id\": \"1\", \"online_url\": \"https://a.example/x\"}",
		 "instructor_id"},
		{"{\"starts_at\": \"2027-03-10T09:00:00+09:00\", \"ends_at\": \"2027-03-10T10:00:00+09:00\","
		 " \"instructor_id\": -4, \"online_url\": \"https://a.example/x\"}",
		 "instructor_id"},
		{"{\"starts_at\": \"2027-03-10T09:00:00+09:00\", \"ends_at\": \"2027-03-10T10:00:00+09:00\","
		 " \"instructor_id\": 1}",
		 "facility_id"},
		{"{\"starts_at\": \"2027-03-10T09:00:00+09:00\", \"ends_at\": \"2027-03-10T10:00:00+09:00\","
		 " \"instructor_id\": 1, \"facility_id\": 1, \"online_url\": \"https://a.example/x\"}",
		 "facility_id"},
		{"{\"starts_at\": \"2027-03-10T09:00:00+09:00\", \"ends_at\": \"2027-03-10T10:00:00+09:00\","
		 " \"instructor_id\": 1, \"online_url\": \"http://a.example/x\"}",
		 "online_url"},
		{"{\"starts_at\": \"2027-03-10T09:00:00+09:00\", \"ends_at\": \"2027-03-10T10:00:00+09:00\","
		 " \"instructor_id\": 1, \"online_url\": \"https://a.example/x\", \"room\": 1}",
		 "room"},
		{"{\"starts_at\": \"2027-03-10T09:00:00+09:00\", \"ends_at\": \"2027-03-10T10:00:00+09:00\","
		 " \"instructor_id\": 1, \"online_url\": \"https://a.example/x\", \"status\": \"cancelled\"}",
		 "status"},
	};
	static const struct {
		const char *from, *to, *field; /* field: the one a 400 names; NULL: 201 */
	} edges[] = {
		{"2027-03-01T14:00:00Z", "2027-03-01T15:30:00Z", "starts_at"},
		{"2027-03-01T15:00:00Z", "2027-03-01T16:00:00Z", NULL},
		{"2027-06-20T23:00:00+09:00", "2027-06-21T00:30:00+09:00", "ends_at"},
		{"2027-06-20T23:00:00+09:00", "2027-06-21T00:00:00+09:00", NULL},
		{"2027-07-01T09:00:00+09:00", "2027-07-01T10:00:00+09:00", "starts_at"},
	};
	char path[96];
	json_t *j;

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/sessions", section_ai);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (call(&gist_admin, "POST", path, cases[i].body, &j) != 400)
			fail_msg("expected 400 for %s", cases[i].body);
		assert_problem(j, "validation_failed", cases[i].field);
		json_decref(j);
	}
	assert_int_equal(call(&gist_admin, "POST", path, "[1, 2]", &j), 400);
	assert_problem(j, "invalid_request", NULL);
	json_decref(j);

	/* The section's dates are Korean days: 2027-03-02 starts at
	 * 2027-03-01T15:00:00Z, 2027-06-20 ends at 2027-06-20T15:00:00Z. */
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		schedule(&gist_admin, section_ai, edges[i].from, edges[i].to, teacher.user_id, 0,
			 edges[i].field ? 400 : 201, &j);
		if (edges[i].field)
			assert_problem(j, "validation_failed", edges[i].field);
		json_decref(j);
	}

	/* A move outside the dates, and a change with nothing in it. */
	{
		long long s = schedule(&gist_admin, section_ai, "2027-05-05T09:00:00+09:00",
				       "2027-05-05T10:00:00+09:00", teacher.user_id, 0, 201, NULL);

		assert_int_equal(patch(&gist_admin, s, "{\"starts_at\": \"2027-03-01T09:00:00+09:00\"}",
				       &j),
				 400);
		assert_problem(j, "validation_failed", "starts_at");
		json_decref(j);
		assert_int_equal(patch(&gist_admin, s, "{}", &j), 400);
		assert_problem(j, "invalid_request", NULL);
		json_decref(j);
		assert_int_equal(patch(&gist_admin, s, "{\"status\": \"held\"}", &j), 400);
		assert_problem(j, "validation_failed", "status");
		json_decref(j);
		assert_int_equal(patch(&gist_admin, s, "{\"online_url\": null}", &j), 400);
		assert_problem(j, "validation_failed", "online_url");
		json_decref(j);
	}
}

static void who_may_schedule(void **state)
{
	char path[96], body[512];
	long long s;
	json_t *j;

	(void)state;
	session_body(body, sizeof(body), "2027-05-06T09:00:00+09:00", "2027-05-06T10:00:00+09:00",
		     teacher.user_id, 0);
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/sessions", section_ai);
	assert_int_equal(call(NULL, "POST", path, body, NULL), 401);
	assert_int_equal(call(&learners[2], "POST", path, body, &j), 403);
	assert_problem(j, "forbidden", NULL);
	json_decref(j);
	/* Another institution's admin, an instructor who does not teach it. */
	assert_int_equal(call(&jnu_admin, "POST", path, body, NULL), 403);
	assert_int_equal(call(&colleague, "POST", path, body, NULL), 403);
	assert_int_equal(call(&gist_admin, "POST", "/api/v1/sections/987654321/sessions", body, NULL),
			 404);
	assert_int_equal(sql_ll("SELECT count(*) FROM class_sessions WHERE starts_at::date ="
				" '2027-05-06'"),
			 0);
	s = schedule(&teacher, section_ai, "2027-05-06T09:00:00+09:00", "2027-05-06T10:00:00+09:00",
		     teacher.user_id, 0, 201, NULL);

	/* The same for changes. */
	assert_int_equal(patch(NULL, s, "{\"status\": \"cancelled\"}", NULL), 401);
	assert_int_equal(patch(&learners[2], s, "{\"status\": \"cancelled\"}", NULL), 403);
	assert_int_equal(patch(&jnu_admin, s, "{\"status\": \"cancelled\"}", NULL), 403);
	assert_int_equal(patch(&colleague, s, "{\"status\": \"cancelled\"}", NULL), 403);
	assert_int_equal(patch(&gist_admin, 987654321, "{\"status\": \"cancelled\"}", NULL), 404);
	assert_int_equal(sql_ll("SELECT count(*) FROM class_sessions WHERE id = %lld"
				" AND status = 'scheduled'",
				s),
			 1);

	/* A cancelled section has nothing to schedule. */
	{
		long long cancelled = sql_ll(
			"INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
			" enrollment_opens_at, enrollment_closes_at, status) SELECT course_id, '2028-1',"
			" '2028-03-02', '2028-06-20', 5, now(), now() + interval '1 day', 'cancelled'"
			" FROM sections WHERE id = %lld RETURNING id",
			section_ai);

		schedule(&gist_admin, cancelled, "2028-03-03T09:00:00+09:00",
			 "2028-03-03T10:00:00+09:00", teacher.user_id, 0, 409, &j);
		assert_problem(j, "section_cancelled", NULL);
		json_decref(j);
	}
}

static void who_may_read_a_session(void **state)
{
	char path[64];
	long long s;

	(void)state;
	s = schedule(&gist_admin, section_ai, "2027-05-07T09:00:00+09:00",
		     "2027-05-07T10:00:00+09:00", colleague.user_id, 0, 201, NULL);
	snprintf(path, sizeof(path), "/api/v1/sessions/%lld", s);
	assert_int_equal(call(NULL, "GET", path, NULL, NULL), 401);
	assert_int_equal(call(&teacher, "GET", path, NULL, NULL), 200);   /* the section's */
	assert_int_equal(call(&colleague, "GET", path, NULL, NULL), 200); /* the session's */
	assert_int_equal(call(&gist_admin, "GET", path, NULL, NULL), 200);
	assert_int_equal(call(&learners[2], "GET", path, NULL, NULL), 200); /* enrolled */
	assert_int_equal(call(&learners[0], "GET", path, NULL, NULL), 403); /* elsewhere */
	assert_int_equal(call(&jnu_admin, "GET", path, NULL, NULL), 403);
	assert_int_equal(call(&stranger, "GET", path, NULL, NULL), 403);
	assert_int_equal(call(&teacher, "GET", "/api/v1/sessions/987654321", NULL, NULL), 404);
	assert_int_equal(call(&teacher, "GET", "/api/v1/sessions/abc", NULL, NULL), 404);
}

/* ---- attendance ---- */

/* The sessions of section_now: five held (5 to 1 days ago), one to come. */
static long long held[5], upcoming;

static void held_sessions(void)
{
	char day[16], from[40], to[40];

	if (upcoming)
		return;
	for (int i = 0; i < 5; i++) {
		kst_day(day, sizeof(day), i - 5);
		snprintf(from, sizeof(from), "%sT10:00:00+09:00", day);
		snprintf(to, sizeof(to), "%sT11:00:00+09:00", day);
		held[i] = schedule(&gist_admin, section_now, from, to, teacher.user_id, 0, 201, NULL);
	}
	kst_day(day, sizeof(day), 2);
	snprintf(from, sizeof(from), "%sT10:00:00+09:00", day);
	snprintf(to, sizeof(to), "%sT12:00:00+09:00", day);
	upcoming = schedule(&gist_admin, section_now, from, to, teacher.user_id, room, 201, NULL);
	e_now[0] = enrollment_of(&learners[0]);
	e_now[1] = enrollment_of(&learners[1]);
	e_ai = enrollment_of(&learners[2]);
}

/* PUTs marks of session as a: "[{e, present}, ...]" from pairs; the status. */
static long mark(const struct harness_actor *a, long long session, const char *body, json_t **out)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/sessions/%lld/attendance", session);
	return call(a, "PUT", path, body, out);
}

/* The marks body for the two learners of section_now. */
static const char *marks(char *buf, size_t len, bool first, bool second)
{
	snprintf(buf, len,
		 "[{\"enrollment_id\": %lld, \"present\": %s},"
		 " {\"enrollment_id\": %lld, \"present\": %s}]",
		 e_now[0], first ? "true" : "false", e_now[1], second ? "true" : "false");
	return buf;
}

/* The item of enrolment e in an attendance answer. */
static const json_t *item_of(const json_t *answer, long long e)
{
	size_t i;
	json_t *it;

	json_array_foreach(json_object_get(answer, "items"), i, it)
		if (num(it, "enrollment_id") == e)
			return it;
	fail_msg("enrolment %lld is not in the attendance", e);
	return NULL;
}

static void attendance_by_the_session_instructor(void **state)
{
	char body[256];
	json_t *j;
	const json_t *it;

	(void)state;
	held_sessions();
	marks(body, sizeof(body), true, false);
	assert_int_equal(mark(NULL, held[0], body, NULL), 401);
	assert_int_equal(mark(&learners[0], held[0], body, &j), 403);
	assert_problem(j, "forbidden", NULL);
	json_decref(j);
	/* Another instructor, another institution's admin. */
	assert_int_equal(mark(&colleague, held[0], body, NULL), 403);
	assert_int_equal(mark(&jnu_admin, held[0], body, NULL), 403);
	assert_int_equal(mark(&teacher, 987654321, body, NULL), 404);
	assert_int_equal(sql_ll("SELECT count(*) FROM attendance"), 0);

	assert_int_equal(mark(&teacher, held[0], body, &j), 200);
	assert_int_equal(num(j, "session_id"), held[0]);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 2);
	it = item_of(j, e_now[0]);
	assert_true(json_is_true(json_object_get(it, "present")));
	assert_int_equal(num(it, "user_id"), learners[0].user_id);
	assert_int_equal(num(json_object_get(it, "attendance"), "attended"), 1);
	assert_int_equal(num(json_object_get(it, "attendance"), "held"), 5);
	assert_true(json_is_false(json_object_get(item_of(j, e_now[1]), "present")));
	json_decref(j);
	/* Marks are replaced, not added; an admin may take them too. */
	assert_int_equal(mark(&gist_admin, held[0], marks(body, sizeof(body), true, true), &j), 200);
	assert_true(json_is_true(json_object_get(item_of(j, e_now[1]), "present")));
	json_decref(j);
	assert_int_equal(sql_ll("SELECT count(*) FROM attendance WHERE session_id = %lld", held[0]),
			 2);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'attendance.update'"
				" AND target_id = %lld",
				held[0]),
			 2);
	/* Partial marks leave the others; the unmarked show null. */
	snprintf(body, sizeof(body), "[{\"enrollment_id\": %lld, \"present\": true}]", e_now[0]);
	assert_int_equal(mark(&teacher, held[1], body, &j), 200);
	assert_true(json_is_null(json_object_get(item_of(j, e_now[1]), "present")));
	json_decref(j);

	/* Bad marks: each named by its place. */
	snprintf(body, sizeof(body),
		 "[{\"enrollment_id\": %lld, \"present\": true}, {\"enrollment_id\": %lld,"
		 " \"present\": false}]",
		 e_now[0], e_ai);
	assert_int_equal(mark(&teacher, held[1], body, &j), 400);
	assert_problem(j, "validation_failed", "[1].enrollment_id");
	json_decref(j);
	snprintf(body, sizeof(body), "[{\"enrollment_id\": 987654321, \"present\": true}]");
	assert_int_equal(mark(&teacher, held[1], body, &j), 400);
	assert_problem(j, "validation_failed", "[0].enrollment_id");
	json_decref(j);
	snprintf(body, sizeof(body),
		 "[{\"enrollment_id\": %lld, \"present\": true}, {\"enrollment_id\": %lld},"
		 " {\"enrollment_id\": %lld, \"present\": true}, 7, {\"enrollment_id\": 0,"
		 " \"present\": true, \"late\": true}]",
		 e_now[0], e_now[1], e_now[0]);
	assert_int_equal(mark(&teacher, held[1], body, &j), 400);
	assert_problem(j, "validation_failed", "[1].present");
	assert_problem(j, "validation_failed", "[2].enrollment_id");
	assert_problem(j, "validation_failed", "[3]");
	assert_problem(j, "validation_failed", "[4].enrollment_id");
	assert_problem(j, "validation_failed", "[4].late");
	json_decref(j);
	assert_int_equal(mark(&teacher, held[1], "{\"enrollment_id\": 1}", &j), 400);
	assert_problem(j, "invalid_request", NULL);
	json_decref(j);
	/* Nothing of the refused requests was kept. */
	assert_int_equal(sql_ll("SELECT count(*) FROM attendance WHERE session_id = %lld", held[1]),
			 1);

	/* Only sessions that are held take attendance. */
	assert_int_equal(mark(&teacher, upcoming, marks(body, sizeof(body), true, true), &j), 409);
	assert_problem(j, "session_not_started", NULL);
	json_decref(j);
	{
		char day[16], from[40], to[40];
		long long gone;

		kst_day(day, sizeof(day), -6);
		snprintf(from, sizeof(from), "%sT10:00:00+09:00", day);
		snprintf(to, sizeof(to), "%sT11:00:00+09:00", day);
		gone = schedule(&gist_admin, section_now, from, to, teacher.user_id, 0, 201, NULL);
		assert_int_equal(patch(&gist_admin, gone, "{\"status\": \"cancelled\"}", NULL), 200);
		assert_int_equal(mark(&teacher, gone, body, &j), 409);
		assert_problem(j, "session_cancelled", NULL);
		json_decref(j);
	}
	/* An empty list just answers the attendance. */
	assert_int_equal(mark(&teacher, held[1], "[]", &j), 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 2);
	json_decref(j);
}

/* PATCHes enrolment e to completed as the GIST admin; the status. Both
 * sections have sessions to come, so this is an early completion with its
 * reason (the attendance threshold holds all the same). */
static long complete(long long e, json_t **out)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/v1/enrollments/%lld", e);
	return call(&gist_admin, "PATCH", path,
		    "{\"status\": \"completed\", \"override_reason\": \"finished early\"}", out);
}

static void attendance_rate_and_completion_threshold(void **state)
{
	char body[256];
	const json_t *a;
	json_t *j;

	(void)state;
	held_sessions();
	assert_int_equal(sql_ll("SELECT min_attendance_pct FROM programs WHERE code = 'ai_academy'"),
			 80);
	/* The first learner misses the last, the second the last two. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(mark(&teacher, held[i], marks(body, sizeof(body), true, i < 3), NULL),
				 200);
	assert_int_equal(mark(&teacher, held[4], marks(body, sizeof(body), false, false), &j), 200);
	a = json_object_get(item_of(j, e_now[0]), "attendance");
	assert_int_equal(num(a, "attended"), 4);
	assert_int_equal(num(a, "held"), 5);
	assert_true(json_real_value(json_object_get(a, "rate_pct")) == 80.0 ||
		    json_integer_value(json_object_get(a, "rate_pct")) == 80);
	a = json_object_get(item_of(j, e_now[1]), "attendance");
	assert_int_equal(num(a, "attended"), 3);
	json_decref(j);

	/* 60% is below the AI Academy's 80%. */
	assert_int_equal(complete(e_now[1], &j), 409);
	assert_problem(j, "attendance_below_threshold", NULL);
	assert_int_equal(num(j, "threshold_pct"), 80);
	assert_int_equal(num(json_object_get(j, "attendance"), "attended"), 3);
	assert_int_equal(num(json_object_get(j, "attendance"), "held"), 5);
	assert_true(json_real_value(json_object_get(json_object_get(j, "attendance"), "rate_pct")) ==
		    60.0);
	json_decref(j);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE id = %lld"
				" AND status = 'enrolled'",
				e_now[1]),
			 1);
	/* 80% meets it. */
	assert_int_equal(complete(e_now[0], &j), 200);
	assert_string_equal(str(j, "status"), "completed");
	json_decref(j);
	/* Marked present once more, the second learner reaches 80% too. */
	snprintf(body, sizeof(body), "[{\"enrollment_id\": %lld, \"present\": true}]", e_now[1]);
	assert_int_equal(mark(&teacher, held[4], body, NULL), 200);
	assert_int_equal(complete(e_now[1], NULL), 200);

	/* A completed enrolment still takes marks. */
	assert_int_equal(mark(&teacher, held[4], marks(body, sizeof(body), true, true), NULL), 200);

	/* With no session held, the rule does not block: section_ai has only
	 * sessions to come. */
	assert_int_equal(complete(e_ai, NULL), 200);
}

/* ---- the instructor's sections ---- */

static void my_sections_with_the_next_session(void **state)
{
	json_t *j, *page2, *it;
	char path[200];
	long long next_ai;
	bool seen_ai = false, seen_now = false;
	size_t i;

	(void)state;
	held_sessions();
	assert_int_equal(call(NULL, "GET", "/api/v1/me/sections", NULL, NULL), 401);
	assert_int_equal(call(&teacher, "GET", "/api/v1/me/sections?limit=0", NULL, &j), 400);
	json_decref(j);

	next_ai = sql_ll("SELECT coalesce((SELECT id FROM class_sessions WHERE section_id = %lld"
			 " AND status = 'scheduled' AND ends_at > now() ORDER BY starts_at LIMIT 1), 0)",
			 section_ai);
	/* The demo catalogue gives the teacher many sections: page through. */
	snprintf(path, sizeof(path), "/api/v1/me/sections?lang=en&limit=100");
	for (int pages = 0; pages < 50; pages++) {
		assert_int_equal(call(&teacher, "GET", path, NULL, &j), 200);
		json_array_foreach(json_object_get(j, "items"), i, it) {
			const json_t *next = json_object_get(it, "next_session");

			if (num(it, "id") == section_ai) {
				seen_ai = true;
				assert_int_equal(num(next, "id"), next_ai);
				assert_string_equal(str(json_object_get(it, "course"), "title"),
						    "Sessions; a course");
				assert_string_equal(str(it, "term"), "2027-1");
				assert_string_equal(str(it, "starts_on"), "2027-03-02");
				assert_int_equal(num(it, "capacity"), 30);
				/* Its one learner completed since. */
				assert_int_equal(num(it, "enrolled_count"), 0);
			} else if (num(it, "id") == section_now) {
				seen_now = true;
				assert_int_equal(num(next, "id"), upcoming);
				assert_non_null(strstr(str(next, "starts_at"), "T10:00:00+09:00"));
				assert_non_null(strstr(str(next, "ends_at"), "T12:00:00+09:00"));
				assert_int_equal(num(json_object_get(next, "facility"), "id"), room);
				assert_string_equal(str(json_object_get(next, "facility"), "name"),
						    "Session Lab");
				assert_int_equal(num(it, "waitlist_length"), 0);
			}
		}
		if (json_is_null(json_object_get(j, "next_cursor"))) {
			json_decref(j);
			break;
		}
		snprintf(path, sizeof(path), "/api/v1/me/sections?lang=en&limit=100&cursor=%s",
			 str(j, "next_cursor"));
		json_decref(j);
	}
	assert_true(seen_ai && seen_now);

	/* Paged. */
	assert_int_equal(call(&teacher, "GET", "/api/v1/me/sections?limit=1", NULL, &j), 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
	snprintf(path, sizeof(path), "/api/v1/me/sections?limit=1&cursor=%s",
		 str(j, "next_cursor"));
	assert_int_equal(call(&teacher, "GET", path, NULL, &page2), 200);
	assert_true(num(json_array_get(json_object_get(page2, "items"), 0), "id") >
		    num(json_array_get(json_object_get(j, "items"), 0), "id"));
	json_decref(page2);
	json_decref(j);

	/* Teaching a session of a section is teaching it; learners teach
	 * nothing. */
	assert_int_equal(call(&colleague, "GET", "/api/v1/me/sections", NULL, &j), 200);
	it = json_array_get(json_object_get(j, "items"), 0);
	assert_int_equal(num(it, "id"), section_ai);
	json_decref(j);
	assert_int_equal(call(&learners[0], "GET", "/api/v1/me/sections", NULL, &j), 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
	json_decref(j);
}

/* ---- reading a section's sessions ---- */

/* The ids of the items of a list, in order, as "1,2,3". */
static const char *item_ids(const json_t *list, char *buf, size_t len)
{
	size_t i, used = 0;
	json_t *it;

	buf[0] = '\0';
	json_array_foreach(json_object_get(list, "items"), i, it)
		used += (size_t)snprintf(buf + used, len - used, "%s%lld", i ? "," : "",
					 num(it, "id"));
	return buf;
}

static void sessions_of_a_section(void **state)
{
	struct harness_actor platform, fan, token;
	long long listed, a, b, c;
	char path[96], got[192], want[128];
	json_t *j, *mine;
	const json_t *it;

	(void)state;
	assert_int_equal(harness_login(&server, "admin@example.com", DEMO_PASSWORD, &platform), 0);
	assert_int_equal(harness_learners_create(conninfo, "sess-list", "job_seeker", 1, &fan), 0);
	assert_true(harness_token_create(&server, &gist_admin, gist, "sessions", "\"reports:read\"",
					 &token) > 0);
	/* A section of its own, taught by the teacher; its one learner has
	 * completed it. */
	listed = sql_ll("INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
			" enrollment_opens_at, enrollment_closes_at, status) SELECT course_id, '2027-2',"
			" '2027-09-01', '2027-12-20', 5, now(), now() + interval '1 day', 'open'"
			" FROM sections WHERE id = %lld RETURNING id",
			section_ai);
	assert_int_equal(sql_ll("INSERT INTO section_instructors (section_id, user_id) VALUES"
				" (%lld, %lld); INSERT INTO enrollments (user_id, section_id, status)"
				" VALUES (%lld, %lld, 'completed') RETURNING 1",
				listed, teacher.user_id, fan.user_id, listed),
			 1);
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/sessions", listed);

	/* None yet. */
	j = harness_json_as(&server, &teacher, "GET", path, NULL, 200);
	assert_int_equal(num(j, "section_id"), listed);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
	json_decref(j);
	/* The colleague teaches none of it yet. */
	harness_problem_as(&server, &colleague, "GET", path, NULL, 403, "forbidden", NULL);

	/* Scheduled out of order, one cancelled: listed by start, all three. */
	a = schedule(&gist_admin, listed, "2027-09-02T09:00:00+09:00", "2027-09-02T10:00:00+09:00",
		     teacher.user_id, room, 201, NULL);
	b = schedule(&gist_admin, listed, "2027-09-01T13:00:00+09:00", "2027-09-01T14:00:00+09:00",
		     colleague.user_id, 0, 201, NULL);
	c = schedule(&gist_admin, listed, "2027-09-03T09:00:00+09:00", "2027-09-03T10:00:00+09:00",
		     teacher.user_id, 0, 201, NULL);
	assert_int_equal(patch(&gist_admin, c, "{\"status\": \"cancelled\"}", NULL), 200);
	j = harness_json_as(&server, &teacher, "GET", path, NULL, 200);
	snprintf(want, sizeof(want), "%lld,%lld,%lld", b, a, c);
	assert_string_equal(item_ids(j, got, sizeof(got)), want);
	it = json_array_get(json_object_get(j, "items"), 1);
	assert_int_equal(num(it, "section_id"), listed);
	assert_string_equal(str(it, "course_title"), "세션 과정, 실습");
	assert_string_equal(str(it, "term"), "2027-2");
	assert_int_equal(num(json_object_get(it, "institution"), "id"), gist);
	assert_int_equal(num(it, "instructor_id"), teacher.user_id);
	assert_string_equal(str(json_object_get(it, "instructor"), "display_name"), "이지능 교수");
	assert_string_equal(str(it, "starts_at"), "2027-09-02T09:00:00+09:00");
	assert_string_equal(str(it, "ends_at"), "2027-09-02T10:00:00+09:00");
	assert_string_equal(str(json_object_get(it, "facility"), "name"), "세션 실습실");
	assert_true(json_is_null(json_object_get(it, "online_url")));
	assert_string_equal(str(it, "status"), "scheduled");
	it = json_array_get(json_object_get(j, "items"), 0);
	assert_true(json_is_null(json_object_get(it, "facility")));
	assert_string_equal(str(it, "online_url"), "https://meet.example.com/s");
	assert_int_equal(num(json_object_get(it, "instructor"), "id"), colleague.user_id);
	it = json_array_get(json_object_get(j, "items"), 2);
	assert_string_equal(str(it, "status"), "cancelled");
	assert_int_equal(num(it, "sequence"), 1);
	/* Each item as the instructor's schedule has it. */
	snprintf(got, sizeof(got), "/api/v1/instructors/%lld/schedule?from=2027-09-02&to=2027-09-03",
		 teacher.user_id);
	mine = harness_json_as(&server, &teacher, "GET", got, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(mine, "items")), 1);
	assert_true(json_equal(json_array_get(json_object_get(mine, "items"), 0),
			       json_array_get(json_object_get(j, "items"), 1)));
	json_decref(mine);
	json_decref(j);
	snprintf(got, sizeof(got), "%s?lang=en", path);
	j = harness_json_as(&server, &gist_admin, "GET", got, NULL, 200);
	assert_string_equal(str(json_array_get(json_object_get(j, "items"), 1), "course_title"),
			    "Sessions; a course");
	assert_string_equal(str(json_object_get(json_array_get(json_object_get(j, "items"), 1),
						"facility"),
				"name"),
			    "Session Lab");
	json_decref(j);

	/* Those who may read one of its sessions: its instructors, the
	 * instructor of one of its sessions, the admins, its learners (also
	 * completed). */
	assert_int_equal(call(&colleague, "GET", path, NULL, NULL), 200);
	assert_int_equal(call(&gist_admin, "GET", path, NULL, NULL), 200);
	assert_int_equal(call(&platform, "GET", path, NULL, NULL), 200);
	assert_int_equal(call(&fan, "GET", path, NULL, NULL), 200);
	harness_problem_as(&server, NULL, "GET", path, NULL, 401, "unauthenticated", NULL);
	harness_problem_as(&server, &token, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &learners[0], "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &jnu_admin, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &stranger, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &teacher, "GET", "/api/v1/sections/987654321/sessions", NULL,
			   404, "not_found", NULL);
	harness_problem_as(&server, &teacher, "GET", "/api/v1/sections/abc/sessions", NULL, 404,
			   "not_found", NULL);
	harness_problem_as(&server, NULL, "GET", "/api/v1/sections/987654321/sessions", NULL, 401,
			   "unauthenticated", NULL);

	/* A draft is there only for those who run it: its learner and
	 * strangers are told it does not exist. */
	assert_int_equal(sql_ll("UPDATE sections SET status = 'draft' WHERE id = %lld RETURNING 1",
				listed),
			 1);
	assert_int_equal(call(&teacher, "GET", path, NULL, NULL), 200);
	assert_int_equal(call(&colleague, "GET", path, NULL, NULL), 200);
	assert_int_equal(call(&gist_admin, "GET", path, NULL, NULL), 200);
	harness_problem_as(&server, &fan, "GET", path, NULL, 404, "not_found", NULL);
	harness_problem_as(&server, &jnu_admin, "GET", path, NULL, 404, "not_found", NULL);
	harness_problem_as(&server, &learners[0], "GET", path, NULL, 404, "not_found", NULL);
	/* So is an unpublished course's section. */
	assert_int_equal(sql_ll("UPDATE sections SET status = 'open' WHERE id = %lld RETURNING 1",
				listed),
			 1);
	assert_int_equal(sql_ll("UPDATE courses SET published = false WHERE id = (SELECT course_id"
				" FROM sections WHERE id = %lld) RETURNING 1",
				listed),
			 1);
	assert_int_equal(call(&teacher, "GET", path, NULL, NULL), 200);
	harness_problem_as(&server, &fan, "GET", path, NULL, 404, "not_found", NULL);
	harness_problem_as(&server, &stranger, "GET", path, NULL, 404, "not_found", NULL);
	assert_int_equal(sql_ll("UPDATE courses SET published = true WHERE id = (SELECT course_id"
				" FROM sections WHERE id = %lld) RETURNING 1",
				listed),
			 1);
	assert_int_equal(call(&fan, "GET", path, NULL, NULL), 200);
}

/* ---- reading attendance ---- */

/* GET /api/v1/sessions/{session}/attendance as a: the status, the body in
 * *out when out is not NULL. */
static long attendance_of(const struct harness_actor *a, long long session, json_t **out)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/sessions/%lld/attendance", session);
	return call(a, "GET", path, NULL, out);
}

/* A session of section_now on the Korean day today + day, 10:00-11:00,
 * taught online by who. */
static long long session_on(int day, const struct harness_actor *who)
{
	char d[16], from[40], to[40];

	kst_day(d, sizeof(d), day);
	snprintf(from, sizeof(from), "%sT10:00:00+09:00", d);
	snprintf(to, sizeof(to), "%sT11:00:00+09:00", d);
	return schedule(&gist_admin, section_now, from, to, who->user_id, 0, 201, NULL);
}

static void attendance_read(void **state)
{
	struct harness_actor platform, token;
	long long theirs, dropped, reads;
	char body[256];
	json_t *put, *got;
	const json_t *it;
	size_t i;

	(void)state;
	held_sessions();
	assert_int_equal(harness_login(&server, "admin@example.com", DEMO_PASSWORD, &platform), 0);
	assert_true(harness_token_create(&server, &gist_admin, gist, "attendance",
					 "\"reports:read\"", &token) > 0);
	/* A held session the colleague teaches in the teacher's section. */
	theirs = session_on(-8, &colleague);

	/* Before anything is marked: everyone who may be marked, all null. */
	assert_int_equal(attendance_of(&colleague, theirs, &got), 200);
	assert_int_equal(num(got, "session_id"), theirs);
	assert_int_equal(json_array_size(json_object_get(got, "items")), 2);
	json_array_foreach(json_object_get(got, "items"), i, it) {
		assert_true(json_is_null(json_object_get(it, "present")));
		assert_true(json_is_null(json_object_get(it, "recorded_at")));
		assert_non_null(json_object_get(json_object_get(it, "attendance"), "held"));
	}
	assert_int_equal(num(item_of(got, e_now[0]), "user_id"), learners[0].user_id);
	json_decref(got);

	/* It reads just as the marking answers. */
	assert_int_equal(mark(&colleague, theirs, marks(body, sizeof(body), true, false), &put), 200);
	assert_int_equal(attendance_of(&colleague, theirs, &got), 200);
	if (!json_equal(put, got))
		fail_msg("GET differs from the PUT's answer: %s vs %s", json_dumps(got, 0),
			 json_dumps(put, 0));
	assert_true(json_is_true(json_object_get(item_of(got, e_now[0]), "present")));
	assert_true(json_is_false(json_object_get(item_of(got, e_now[1]), "present")));
	assert_true(json_is_string(json_object_get(item_of(got, e_now[0]), "recorded_at")));
	json_decref(put);
	json_decref(got);

	/* The session's instructor, the section's (who may not mark it),
	 * the admins; each reading is recorded. */
	reads = sql_ll("SELECT count(*) FROM audit_log WHERE action = 'attendance.read'"
		       " AND target_id = %lld",
		       theirs);
	assert_int_equal(reads, 2);
	assert_int_equal(mark(&teacher, theirs, marks(body, sizeof(body), true, true), NULL), 403);
	assert_int_equal(attendance_of(&teacher, theirs, NULL), 200);
	assert_int_equal(attendance_of(&gist_admin, theirs, NULL), 200);
	assert_int_equal(attendance_of(&platform, theirs, NULL), 200);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'attendance.read'"
				" AND target_id = %lld AND institution_id = %lld",
				theirs, gist),
			 reads + 3);
	/* Not its learners, not strangers, not tokens. */
	harness_problem_as(&server, NULL, "GET", "/api/v1/sessions/1/attendance", NULL, 401,
			   "unauthenticated", NULL);
	{
		char path[96];

		snprintf(path, sizeof(path), "/api/v1/sessions/%lld/attendance", theirs);
		harness_problem_as(&server, NULL, "GET", path, NULL, 401, "unauthenticated", NULL);
		harness_problem_as(&server, &learners[0], "GET", path, NULL, 403, "forbidden", NULL);
		harness_problem_as(&server, &jnu_admin, "GET", path, NULL, 403, "forbidden", NULL);
		harness_problem_as(&server, &stranger, "GET", path, NULL, 403, "forbidden", NULL);
		harness_problem_as(&server, &token, "GET", path, NULL, 403, "forbidden", NULL);
		harness_problem_as(&server, &teacher, "GET", "/api/v1/sessions/987654321/attendance",
				   NULL, 404, "not_found", NULL);
		harness_problem_as(&server, &teacher, "GET", "/api/v1/sessions/abc/attendance", NULL,
				   404, "not_found", NULL);
	}
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'attendance.read'"
				" AND target_id = %lld",
				theirs),
			 reads + 3);

	/* A session to come and a cancelled one have their list too. */
	assert_int_equal(attendance_of(&teacher, upcoming, &got), 200);
	assert_int_equal(json_array_size(json_object_get(got, "items")), 2);
	assert_true(json_is_null(json_object_get(item_of(got, e_now[1]), "present")));
	json_decref(got);
	dropped = session_on(-9, &teacher);
	assert_int_equal(patch(&teacher, dropped, "{\"status\": \"cancelled\"}", NULL), 200);
	assert_int_equal(attendance_of(&gist_admin, dropped, &got), 200);
	assert_int_equal(num(got, "session_id"), dropped);
	assert_int_equal(json_array_size(json_object_get(got, "items")), 2);
	assert_true(json_is_null(json_object_get(item_of(got, e_now[0]), "present")));
	json_decref(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(korean_time_in_and_out),
		cmocka_unit_test(overlaps_are_refused_naming_the_session),
		cmocka_unit_test(cancelled_sessions_free_the_slot),
		cmocka_unit_test(each_change_raises_the_sequence),
		cmocka_unit_test(two_institutions_race_for_one_instructor),
		cmocka_unit_test(sharing_and_lending_rules),
		cmocka_unit_test(bad_input_is_named),
		cmocka_unit_test(who_may_schedule),
		cmocka_unit_test(who_may_read_a_session),
		cmocka_unit_test(attendance_by_the_session_instructor),
		cmocka_unit_test(attendance_rate_and_completion_threshold),
		cmocka_unit_test(my_sections_with_the_next_session),
		cmocka_unit_test(sessions_of_a_section),
		cmocka_unit_test(attendance_read),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
