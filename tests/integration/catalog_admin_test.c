/* catalog_admin_test.c - institution admins publish courses, sections, modules
 * and lessons, against a running server on a scratch database */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"

static struct lms_server server;
static char conninfo[1024];
static long long gist_id, jnu_id, instructor_id, learner_id;
static struct harness_actor platform, gist_admin, jnu_admin, instructor, learner;

/* ---- helpers ---- */

/* The outcome of one request: status, parsed body (NULL if not JSON), and
 * the raw reply for messages. */
struct reply {
	long status;
	json_t *json;
	char location[128];
	char raw[1024];
};

static void reply_release(struct reply *r)
{
	json_decref(r->json);
	r->json = NULL;
}

/* Sends body (a JSON text, or NULL) as a (NULL: a visitor). */
static struct reply send_as(const struct harness_actor *a, const char *method, const char *path,
			    const char *body)
{
	struct http_result h = {0};
	struct reply r = {0};

	if (harness_as(&server, a, method, path, body, &h) != 0)
		fail_msg("%s %s: no response", method, path);
	r.status = h.status;
	r.json = json_loads(h.body ? h.body : "", 0, NULL);
	snprintf(r.raw, sizeof(r.raw), "%s", h.body ? h.body : "");
	if (!http_result_header(&h, "Location", r.location, sizeof(r.location)))
		r.location[0] = '\0';
	http_result_release(&h);
	return r;
}

/* send_as with a body built by json_pack-style format (the object is
 * stolen and dumped). */
static struct reply send_json(const struct harness_actor *a, const char *method,
			      const char *path, json_t *body)
{
	char *text;
	struct reply r;

	if (!body)
		fail_msg("test body did not pack");
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	r = send_as(a, method, path, text);
	free(text);
	return r;
}

/* Whether the problem r has an error naming field. */
static bool names(const struct reply *r, const char *field)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(r->json, "errors"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "field")), field))
			return true;
	return false;
}

/* Fails unless r has status and, for a problem, code and an error naming
 * field (NULL: any or none). Releases r. */
static void expect(struct reply *r, long status, const char *code, const char *field)
{
	const char *got_code = json_string_value(json_object_get(r->json, "code"));

	if (r->status != status)
		fail_msg("expected %ld, got %ld: %s", status, r->status, r->raw);
	if (code && (!got_code || strcmp(got_code, code) != 0))
		fail_msg("expected code %s: %s", code, r->raw);
	if (field && !names(r, field))
		fail_msg("expected an error naming %s: %s", field, r->raw);
	reply_release(r);
}

/* The id of r's body after a 201 (r is released). */
static long long created(struct reply *r)
{
	long long id;

	if (r->status != 201)
		fail_msg("expected 201, got %ld: %s", r->status, r->raw);
	id = json_integer_value(json_object_get(r->json, "id"));
	if (id <= 0)
		fail_msg("no id in %s", r->raw);
	reply_release(r);
	return id;
}

static long long sql_count(const char *sql)
{
	long long n = harness_sql_ll(conninfo, sql);

	if (n < 0)
		fail_msg("query failed: %s", sql);
	return n;
}

/* Rows of table, to show that a refused request added none. */
static long long rows(const char *table)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return sql_count(sql);
}

/* Audit rows of action about target id of institution inst. */
static long long audited(const char *action, long long id, long long inst)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit_log WHERE action = '%s' AND target_id = %lld"
		 " AND institution_id = %lld",
		 action, id, inst);
	return sql_count(sql);
}

/* Valid bodies with one field set (name NULL: none; value stolen). */
static json_t *with_field(json_t *body, const char *name, json_t *value)
{
	if (name)
		json_object_set_new(body, name, value);
	return body;
}

static json_t *course_body(const char *code, const char *name, json_t *value)
{
	return with_field(json_pack("{s:s, s:s, s:s, s:s, s:s}", "program", "online", "code", code,
				    "title_ko", "강좌", "title_en", "A course", "delivery", "online"),
			  name, value);
}

static json_t *section_body(const char *name, json_t *value)
{
	return with_field(json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "term", "2027-1",
				    "starts_on", "2027-03-02", "ends_on", "2027-06-20", "capacity",
				    30, "enrollment_opens_at", "2027-02-01T09:00:00+09:00",
				    "enrollment_closes_at", "2027-02-20T18:00:00+09:00"),
			  name, value);
}

static json_t *lesson_body(const char *name, json_t *value)
{
	return with_field(json_pack("{s:i, s:s, s:s, s:s}", "position", 2, "title_ko", "영상",
				    "title_en", "Video", "kind", "video"),
			  name, value);
}

/* A course of gist-admin's with code (program "online"), or another
 * actor's with an explicit institution. */
static long long course_as(const struct harness_actor *a, long long inst, const char *code)
{
	struct reply r = send_json(a, "POST", "/api/v1/courses",
				   course_body(code, "institution_id", json_integer(inst)));

	return created(&r);
}

/* ---- fixture ---- */

static int setup(void **state)
{
	if (harness_db_create("catalog_admin", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0)
		return -1;
	gist_id = harness_sql_ll(conninfo, "SELECT id FROM institutions WHERE code = 'gist'");
	jnu_id = harness_sql_ll(conninfo, "SELECT id FROM institutions WHERE code = 'jnu'");
	instructor_id = harness_sql_ll(conninfo,
				       "SELECT id FROM users WHERE email = 'instructor@example.com'");
	learner_id = harness_sql_ll(conninfo,
				    "SELECT id FROM users WHERE email = 'learner@example.com'");
	if (gist_id <= 0 || jnu_id <= 0 || instructor_id <= 0 || learner_id <= 0)
		return -1;
	/* The demo data may or may not hold the programmes by now. */
	if (harness_sql(conninfo,
			"INSERT INTO programs (code, name_ko, name_en, allowed_stages) VALUES"
			" ('online', '온라인 교육', 'Online education', '{general,worker}'),"
			" ('ai_academy', '인공지능사관학교', 'AI Academy', '{job_seeker,worker}')"
			" ON CONFLICT (code) DO NOTHING") != 0)
		return -1;
	if (harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	harness_login_ok(&server, "admin@example.com", DEMO_PASSWORD, &platform);
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	harness_login_ok(&server, "instructor@example.com", DEMO_PASSWORD, &instructor);
	harness_login_ok(&server, "learner@example.com", DEMO_PASSWORD, &learner);
	return 0;
}

static int teardown(void **state)
{
	return harness_server_stop(&server) == 0 ? 0 : -1;
}

/* ---- courses ---- */

static void course_create_round_trips_korean(void **state)
{
	const char *title = "인공지능 기초 — 파이썬으로 시작하는 머신러닝 🤖";
	char sql[512], path[64];
	struct reply r;
	long long id, second;
	json_t *j;

	/* An admin of one institution need not name it. */
	r = send_json(&gist_admin, "POST", "/api/v1/courses",
		      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s,s], s:b}", "program",
				"online", "code", "ADMT-101", "title_ko", title, "title_en",
				"AI basics with Python", "summary_ko", "광주에서 배우는 인공지능",
				"description", "## 목표\n- 데이터 다루기", "delivery", "blended",
				"level", "intermediate", "tags", "AI", "파이썬", "published", 0));
	if (r.status != 201)
		fail_msg("expected 201: %s", r.raw);
	j = r.json;
	id = json_integer_value(json_object_get(j, "id"));
	assert_true(id > 0);
	snprintf(path, sizeof(path), "/api/v1/courses/%lld", id);
	assert_string_equal(r.location, path);
	assert_string_equal(json_string_value(json_object_get(j, "title_ko")), title);
	assert_string_equal(json_string_value(json_object_get(j, "summary_ko")),
			    "광주에서 배우는 인공지능");
	assert_string_equal(json_string_value(json_object_get(j, "summary_en")), "");
	assert_string_equal(json_string_value(json_object_get(j, "program")), "online");
	assert_string_equal(json_string_value(json_object_get(j, "delivery")), "blended");
	assert_string_equal(json_string_value(json_object_get(j, "level")), "intermediate");
	assert_int_equal(json_integer_value(json_object_get(j, "institution_id")), gist_id);
	assert_true(json_is_false(json_object_get(j, "published")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "tags"), 1)),
			    "파이썬");
	assert_int_equal(json_array_size(json_object_get(j, "prerequisite_course_ids")), 0);
	assert_true(json_is_string(json_object_get(j, "created_at")));
	assert_true(json_is_string(json_object_get(j, "updated_at")));
	reply_release(&r);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM courses WHERE id = %lld AND title_ko = '%s'"
		 " AND tags = '{AI,파이썬}' AND NOT published",
		 id, title);
	assert_int_equal(sql_count(sql), 1);
	assert_int_equal(audited("course.create", id, gist_id), 1);

	/* The next rung of the ladder, published, by a platform admin. */
	r = send_json(&platform, "POST", "/api/v1/courses",
		      json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:[I], s:b}", "program",
				"ai_academy", "institution_id", (json_int_t)gist_id, "code",
				"ADMT-201", "title_ko", "인공지능 심화", "title_en", "AI advanced",
				"delivery", "offline", "prerequisite_course_ids", (json_int_t)id,
				"published", 1));
	if (r.status != 201)
		fail_msg("expected 201: %s", r.raw);
	second = json_integer_value(json_object_get(r.json, "id"));
	assert_int_equal(json_integer_value(json_array_get(
				 json_object_get(r.json, "prerequisite_course_ids"), 0)),
			 id);
	assert_string_equal(json_string_value(json_object_get(r.json, "level")), "beginner");
	reply_release(&r);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM course_prerequisites WHERE course_id = %lld"
		 " AND prerequisite_id = %lld",
		 second, id);
	assert_int_equal(sql_count(sql), 1);
	assert_int_equal(audited("course.create", second, gist_id), 1);
}

static void course_validation_names_each_field(void **state)
{
	long long before = rows("courses"), audits = rows("audit_log");
	static const char *const required[] = {"program", "code", "title_ko", "title_en",
					       "delivery"};
	char title[256] = "", bad_program[64] = "";
	struct reply r;

	for (int i = 0; i < 201; i++)
		strcat(title, "a");
	const struct {
		const char *field;
		json_t *value;
	} cases[] = {
		{"program", json_string("cooking")},
		{"delivery", json_string("hybrid")},
		{"title_en", json_string(title)}, /* 201 characters */
		{"title_ko", json_string("  ")},
		{"code", json_string("CA X!")},
		{"code", json_integer(5)},
		{"level", json_string("expert")},
		{"tags", json_pack("[s,i]", "AI", 7)},
		{"tags", json_string("AI")},
		{"prerequisite_course_ids", json_pack("[I]", (json_int_t)987654321)},
		{"prerequisite_course_ids", json_pack("[s]", "1")},
		{"is_featured", json_true()},
		{"published", json_string("yes")},
		{"institution_id", json_integer(0)},
		{"institution_id", json_integer(-1)},
	};

	/* Missing fields, every one named. */
	r = send_as(&gist_admin, "POST", "/api/v1/courses", "{}");
	assert_int_equal(r.status, 400);
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!names(&r, required[i]))
			fail_msg("%s is not named: %s", required[i], r.raw);
	reply_release(&r);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = send_json(&gist_admin, "POST", "/api/v1/courses",
			      course_body("ADMT-X", cases[i].field, cases[i].value));
		expect(&r, 400, "validation_failed", cases[i].field);
	}
	/* A platform admin must say which institution, and a real one. */
	r = send_json(&platform, "POST", "/api/v1/courses", course_body("ADMT-X", NULL, NULL));
	expect(&r, 400, "validation_failed", "institution_id");
	r = send_json(&platform, "POST", "/api/v1/courses",
		      course_body("ADMT-X", "institution_id", json_integer(987654)));
	expect(&r, 400, "validation_failed", "institution_id");
	/* A programme code of the contract whose programme is not loaded. */
	harness_sql_value(conninfo,
			  "SELECT c FROM unnest(ARRAY['ai_academy', 'ai_do_dream',"
			  " 'corporate_university', 'science_academy', 'university_track',"
			  " 'graduate_school', 'online', 'startup_support', 'regional_center']) c"
			  " WHERE c NOT IN (SELECT code FROM programs) LIMIT 1",
			  bad_program, sizeof(bad_program));
	if (bad_program[0]) {
		r = send_json(&gist_admin, "POST", "/api/v1/courses",
			      course_body("ADMT-X", "program", json_string(bad_program)));
		expect(&r, 400, "validation_failed", "program");
	}
	/* Not a JSON object at all. */
	r = send_as(&gist_admin, "POST", "/api/v1/courses", "[1, 2]");
	expect(&r, 400, "invalid_request", NULL);
	r = send_as(&gist_admin, "POST", "/api/v1/courses", "{\"code\": ");
	expect(&r, 400, NULL, NULL);
	/* Nothing was written, not even a trail. */
	assert_int_equal(rows("courses"), before);
	assert_int_equal(rows("audit_log"), audits);
}

static void course_code_is_unique_per_institution(void **state)
{
	long long a = course_as(&gist_admin, gist_id, "ADMT-DUP"), b, n = rows("courses");
	char path[64];
	struct reply r;

	r = send_json(&gist_admin, "POST", "/api/v1/courses", course_body("ADMT-DUP", NULL, NULL));
	expect(&r, 409, "course_code_taken", "code");
	assert_int_equal(rows("courses"), n);
	/* Another institution may use the same code. */
	b = course_as(&jnu_admin, jnu_id, "ADMT-DUP");
	assert_true(b != a);
	/* Renaming onto a taken code is the same conflict. */
	course_as(&gist_admin, gist_id, "ADMT-DUP2");
	snprintf(path, sizeof(path), "/api/v1/courses/%lld", a);
	r = send_as(&gist_admin, "PATCH", path, "{\"code\": \"ADMT-DUP2\"}");
	expect(&r, 409, "course_code_taken", "code");
	assert_int_equal(sql_count("SELECT count(*) FROM courses WHERE code = 'ADMT-DUP'"), 2);
}

static void course_permissions(void **state)
{
	long long gist_course = course_as(&gist_admin, gist_id, "ADMT-PERM"), n;
	char path[64], body[256], cookie[300], sql[256];
	const char *headers[] = {cookie, "Content-Type: application/json", NULL};
	struct http_result h = {0};
	struct reply r;

	snprintf(body, sizeof(body),
		 "{\"program\": \"online\", \"institution_id\": %lld, \"code\": \"ADMT-PERM-J\","
		 " \"title_ko\": \"가\", \"title_en\": \"A\", \"delivery\": \"online\"}",
		 jnu_id);
	n = rows("courses");
	r = send_as(&gist_admin, "POST", "/api/v1/courses", body);
	expect(&r, 403, "forbidden", NULL);
	r = send_as(&learner, "POST", "/api/v1/courses", body);
	expect(&r, 403, "forbidden", NULL);
	r = send_as(&instructor, "POST", "/api/v1/courses", body);
	expect(&r, 403, "forbidden", NULL);
	r = send_as(NULL, "POST", "/api/v1/courses", body);
	expect(&r, 401, "unauthenticated", NULL);
	/* The cookie without its CSRF token. */
	snprintf(cookie, sizeof(cookie), "Cookie: %s", jnu_admin.cookie);
	assert_int_equal(harness_request_once(&server, "POST", "/api/v1/courses", headers, body, &h),
			 0);
	assert_int_equal(h.status, 403);
	assert_non_null(strstr(h.body, "csrf_failed"));
	http_result_release(&h);
	assert_int_equal(rows("courses"), n);

	/* Another institution's course is none of chonnam-admin's business. */
	snprintf(path, sizeof(path), "/api/v1/courses/%lld", gist_course);
	r = send_as(&jnu_admin, "PATCH", path, "{\"title_en\": \"Taken over\"}");
	expect(&r, 404, "not_found", NULL);
	r = send_as(&learner, "PATCH", path, "{\"title_en\": \"Taken over\"}");
	expect(&r, 403, "forbidden", NULL);
	r = send_as(NULL, "PATCH", path, "{\"title_en\": \"Taken over\"}");
	expect(&r, 401, "unauthenticated", NULL);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM courses WHERE id = %lld AND title_en = 'Taken over'",
		 gist_course);
	assert_int_equal(sql_count(sql), 0);
	assert_int_equal(audited("course.update", gist_course, gist_id), 0);
	/* The operating committee may. */
	r = send_as(&platform, "PATCH", path, "{\"title_en\": \"Taken over\"}");
	expect(&r, 200, NULL, NULL);
	assert_int_equal(sql_count(sql), 1);
	/* No such course, and ids that cannot be. */
	r = send_as(&gist_admin, "PATCH", "/api/v1/courses/987654321", "{\"title_en\": \"X\"}");
	expect(&r, 404, "not_found", NULL);
	r = send_as(&gist_admin, "PATCH", "/api/v1/courses/abc", "{\"title_en\": \"X\"}");
	expect(&r, 404, "not_found", NULL);
	r = send_as(&gist_admin, "PATCH", "/api/v1/courses/0", "{\"title_en\": \"X\"}");
	expect(&r, 404, "not_found", NULL);
}

static void course_update(void **state)
{
	long long id = course_as(&gist_admin, gist_id, "ADMT-UPD"), other, third;
	char path[64], body[256], sql[256];
	struct reply r;

	snprintf(path, sizeof(path), "/api/v1/courses/%lld", id);
	other = course_as(&gist_admin, gist_id, "ADMT-UPD-PRE");
	third = course_as(&gist_admin, gist_id, "ADMT-UPD-3");
	snprintf(body, sizeof(body),
		 "{\"title_ko\": \"바뀐 제목\", \"program\": \"ai_academy\", \"tags\": [\"로봇\"],"
		 " \"published\": true, \"level\": \"advanced\", \"prerequisite_course_ids\": [%lld]}",
		 other);
	r = send_as(&gist_admin, "PATCH", path, body);
	if (r.status != 200)
		fail_msg("expected 200: %s", r.raw);
	assert_string_equal(json_string_value(json_object_get(r.json, "title_ko")), "바뀐 제목");
	assert_string_equal(json_string_value(json_object_get(r.json, "title_en")), "A course");
	assert_string_equal(json_string_value(json_object_get(r.json, "program")), "ai_academy");
	assert_true(json_is_true(json_object_get(r.json, "published")));
	assert_int_equal(json_integer_value(json_array_get(
				 json_object_get(r.json, "prerequisite_course_ids"), 0)),
			 other);
	reply_release(&r);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM courses WHERE id = %lld AND updated_at > created_at"
		 " AND tags = '{로봇}' AND level = 'advanced' AND code = 'ADMT-UPD'",
		 id);
	assert_int_equal(sql_count(sql), 1);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit_log WHERE action = 'course.update' AND target_id = %lld"
		 " AND institution_id = %lld AND detail->'fields' ? 'title_ko'",
		 id, gist_id);
	assert_int_equal(sql_count(sql), 1);

	/* The prerequisites are replaced, not added to. */
	snprintf(body, sizeof(body), "{\"prerequisite_course_ids\": [%lld]}", third);
	r = send_as(&gist_admin, "PATCH", path, body);
	expect(&r, 200, NULL, NULL);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FILTER (WHERE prerequisite_id = %lld) * 10 + count(*)"
		 " FROM course_prerequisites WHERE course_id = %lld",
		 third, id);
	assert_int_equal(sql_count(sql), 11);

	/* Itself, or a course that requires it, cannot be a prerequisite. */
	snprintf(body, sizeof(body), "{\"prerequisite_course_ids\": [%lld]}", id);
	r = send_as(&gist_admin, "PATCH", path, body);
	expect(&r, 400, "validation_failed", "prerequisite_course_ids");
	snprintf(path, sizeof(path), "/api/v1/courses/%lld", third);
	snprintf(body, sizeof(body), "{\"prerequisite_course_ids\": [%lld]}", id);
	r = send_as(&gist_admin, "PATCH", path, body);
	expect(&r, 400, "validation_failed", "prerequisite_course_ids");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM course_prerequisites WHERE course_id = %lld",
		 third);
	assert_int_equal(sql_count(sql), 0);

	/* An empty change, a move, bad values. */
	snprintf(path, sizeof(path), "/api/v1/courses/%lld", id);
	r = send_as(&gist_admin, "PATCH", path, "{}");
	expect(&r, 400, "invalid_request", NULL);
	snprintf(body, sizeof(body), "{\"institution_id\": %lld}", jnu_id);
	r = send_as(&gist_admin, "PATCH", path, body);
	expect(&r, 400, "validation_failed", "institution_id");
	r = send_as(&platform, "PATCH", path, body);
	expect(&r, 400, "validation_failed", "institution_id");
	snprintf(body, sizeof(body), "{\"institution_id\": %lld, \"title_en\": \"Same home\"}",
		 gist_id);
	r = send_as(&gist_admin, "PATCH", path, body);
	expect(&r, 200, NULL, NULL);
	r = send_as(&gist_admin, "PATCH", path, "{\"title_en\": null}");
	expect(&r, 400, "validation_failed", "title_en");
	r = send_as(&gist_admin, "PATCH", path, "{\"delivery\": \"radio\", \"program\": \"x\"}");
	expect(&r, 400, "validation_failed", "delivery");
	r = send_as(&gist_admin, "PATCH", path, "{\"tags\": [\"\"]}");
	expect(&r, 400, "validation_failed", "tags");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM courses WHERE id = %lld AND tags = '{로봇}'"
				   " AND delivery = 'online' AND institution_id = %lld",
		 id, gist_id);
	assert_int_equal(sql_count(sql), 1);
}

/* ---- sections ---- */

static void section_create(void **state)
{
	long long course = course_as(&gist_admin, gist_id, "ADMT-SEC"), id;
	char path[64], sql[256];
	struct reply r;
	json_t *b;

	snprintf(path, sizeof(path), "/api/v1/courses/%lld/sections", course);
	b = section_body("instructor_ids", json_pack("[I]", (json_int_t)instructor_id));
	json_object_set_new(b, "status", json_string("open"));
	r = send_json(&gist_admin, "POST", path, b);
	if (r.status != 201)
		fail_msg("expected 201: %s", r.raw);
	id = json_integer_value(json_object_get(r.json, "id"));
	assert_int_equal(json_integer_value(json_object_get(r.json, "course_id")), course);
	assert_string_equal(json_string_value(json_object_get(r.json, "term")), "2027-1");
	assert_string_equal(json_string_value(json_object_get(r.json, "starts_on")), "2027-03-02");
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "open");
	assert_int_equal(json_integer_value(json_object_get(r.json, "capacity")), 30);
	assert_int_equal(json_integer_value(json_object_get(r.json, "seats_left")), 30);
	assert_int_equal(json_integer_value(json_object_get(r.json, "enrolled_count")), 0);
	assert_int_equal(json_integer_value(json_object_get(r.json, "waitlist_length")), 0);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(r.json, "instructor_ids"),
							   0)),
			 instructor_id);
	assert_true(json_is_string(json_object_get(r.json, "enrollment_opens_at")));
	reply_release(&r);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM sections WHERE id = %lld"
		 " AND enrollment_opens_at = '2027-02-01T00:00:00Z'"
		 " AND enrollment_closes_at = '2027-02-20T09:00:00Z'",
		 id);
	assert_int_equal(sql_count(sql), 1);
	assert_int_equal(audited("section.create", id, gist_id), 1);

	/* The default status is draft. */
	r = send_json(&gist_admin, "POST", path, section_body(NULL, NULL));
	if (r.status != 201 ||
	    strcmp(json_string_value(json_object_get(r.json, "status")), "draft") != 0)
		fail_msg("expected a draft: %s", r.raw);
	reply_release(&r);
}

static void section_validation(void **state)
{
	long long course = course_as(&gist_admin, gist_id, "ADMT-SECV");
	long long before = rows("sections"), before_si = rows("section_instructors");
	char path[64];
	struct reply r;
	const struct {
		const char *field;
		json_t *value;
		const char *named; /* the field the error must name */
	} cases[] = {
		{"starts_on", json_string("2027-02-30"), "starts_on"},
		{"ends_on", json_string("2027-13-01"), "ends_on"},
		{"enrollment_opens_at", json_string("tomorrow"), "enrollment_opens_at"},
		{"enrollment_opens_at", json_string("2027-02-01 09:00:00"), "enrollment_opens_at"},
		{"enrollment_closes_at", json_string("2027-02-01T00:00:00+09:00"),
		 "enrollment_closes_at"}, /* before opens (00:00Z) */
		{"enrollment_closes_at", json_string("2027-02-01T00:00:00Z"),
		 "enrollment_closes_at"}, /* equal to opens */
		{"ends_on", json_string("2027-03-01"), "ends_on"}, /* before starts */
		{"capacity", json_integer(0), "capacity"},
		{"capacity", json_integer(10001), "capacity"},
		{"capacity", json_string("30"), "capacity"},
		{"term", json_string("2027-3"), "term"},
		{"term", json_string("2027-c0"), "term"},
		{"term", json_string("2027-c03"), "term"},
		{"term", json_string("2027-c100"), "term"},
		{"status", json_string("archived"), "status"},
		{"instructor_ids", json_pack("[I]", (json_int_t)learner_id), "instructor_ids"},
		{"instructor_ids", json_pack("[I]", (json_int_t)987654321), "instructor_ids"},
		{"instructor_ids", json_pack("[s]", "x"), "instructor_ids"},
		{"room", json_string("A-101"), "room"},
	};

	snprintf(path, sizeof(path), "/api/v1/courses/%lld/sections", course);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = send_json(&gist_admin, "POST", path, section_body(cases[i].field, cases[i].value));
		expect(&r, 400, "validation_failed", cases[i].named);
	}
	/* A missing field. */
	{
		json_t *b = section_body(NULL, NULL);

		json_object_del(b, "enrollment_closes_at");
		r = send_json(&gist_admin, "POST", path, b);
		expect(&r, 400, "validation_failed", "enrollment_closes_at");
	}
	/* Another institution's instructor (a role there, no profile shared
	 * with this one) is not this one's; faculty_test covers sharing. */
	{
		char sql[512];
		long long jnu_teacher;

		snprintf(sql, sizeof(sql),
			 "WITH u AS (INSERT INTO users (email, password_hash, display_name,"
			 " ladder_stage) VALUES ('jnu-teacher@example.com', 'x', '전남 강사',"
			 " 'worker') RETURNING id) INSERT INTO user_roles (user_id, role,"
			 " institution_id) SELECT id, 'instructor', %lld FROM u RETURNING user_id",
			 jnu_id);
		jnu_teacher = sql_count(sql);
		r = send_json(&gist_admin, "POST", path,
			      section_body("instructor_ids", json_pack("[I,I]",
								       (json_int_t)instructor_id,
								       (json_int_t)jnu_teacher)));
		expect(&r, 400, "validation_failed", "instructor_ids");
	}
	assert_int_equal(rows("sections"), before);
	assert_int_equal(rows("section_instructors"), before_si);
	assert_int_equal(sql_count("SELECT count(*) FROM audit_log WHERE action = 'section.create'"
				   " AND target_id NOT IN (SELECT id FROM sections)"),
			 0);

	/* Another institution's course, or none. */
	r = send_json(&jnu_admin, "POST", path, section_body(NULL, NULL));
	expect(&r, 404, "not_found", NULL);
	r = send_json(&learner, "POST", path, section_body(NULL, NULL));
	expect(&r, 403, "forbidden", NULL);
	r = send_json(&gist_admin, "POST", "/api/v1/courses/987654321/sections",
		      section_body(NULL, NULL));
	expect(&r, 404, "not_found", NULL);
	assert_int_equal(rows("sections"), before);
}

/* Adds n learners of status to section (as the enrolment engine would). */
static void enrol(long long section, int n, const char *status, const char *tag)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "WITH u AS (INSERT INTO users (email, password_hash, display_name, ladder_stage)"
		 " SELECT 'seat-%s-' || g || '@example.com', 'x', '수강생 ' || g, 'worker'"
		 " FROM generate_series(1, %d) g RETURNING id)"
		 " INSERT INTO enrollments (user_id, section_id, status)"
		 " SELECT id, %lld, '%s' FROM u",
		 tag, n, section, status);
	if (harness_sql(conninfo, sql) != 0)
		fail_msg("cannot enrol: %s", sql);
}

/* The Academy and the regional centres run cohorts (기수), not semesters:
 * a section's term may be one, and the database takes it as well. */
static void section_of_a_cohort(void **state)
{
	long long course = course_as(&gist_admin, gist_id, "ADMT-COHO"), id;
	char path[64], sql[128];
	struct reply r;

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/courses/%lld/sections", course);
	r = send_json(&gist_admin, "POST", path, section_body("term", json_string("2027-c3")));
	if (r.status == 201)
		assert_string_equal(json_string_value(json_object_get(r.json, "term")), "2027-c3");
	id = created(&r);
	snprintf(path, sizeof(path), "/api/v1/sections/%lld", id);
	r = send_as(&gist_admin, "PATCH", path, "{\"term\": \"2027-c12\"}");
	if (r.status != 200)
		fail_msg("expected 200: %s", r.raw);
	reply_release(&r);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM sections WHERE id = %lld"
		 " AND term = '2027-c12'", id);
	assert_int_equal(sql_count(sql), 1);
}

static void section_update(void **state)
{
	long long course = course_as(&gist_admin, gist_id, "ADMT-SECU"), id;
	char path[64], sql[256];
	struct reply r;

	snprintf(path, sizeof(path), "/api/v1/courses/%lld/sections", course);
	r = send_json(&gist_admin, "POST", path, section_body("capacity", json_integer(5)));
	id = created(&r);
	enrol(id, 3, "enrolled", "u");
	enrol(id, 1, "waitlisted", "w");
	snprintf(path, sizeof(path), "/api/v1/sections/%lld", id);

	/* Not below the learners who hold seats; down to them is fine. */
	r = send_as(&gist_admin, "PATCH", path, "{\"capacity\": 2}");
	expect(&r, 409, "capacity_below_enrolled", NULL);
	r = send_as(&gist_admin, "PATCH", path, "{\"capacity\": 3, \"status\": \"open\"}");
	if (r.status != 200)
		fail_msg("expected 200: %s", r.raw);
	assert_int_equal(json_integer_value(json_object_get(r.json, "capacity")), 3);
	assert_int_equal(json_integer_value(json_object_get(r.json, "seats_left")), 0);
	assert_int_equal(json_integer_value(json_object_get(r.json, "enrolled_count")), 3);
	assert_int_equal(json_integer_value(json_object_get(r.json, "waitlist_length")), 1);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "open");
	reply_release(&r);
	r = send_as(&gist_admin, "PATCH", path, "{\"capacity\": 40}");
	expect(&r, 200, NULL, NULL);
	snprintf(sql, sizeof(sql), "SELECT capacity FROM sections WHERE id = %lld", id);
	assert_int_equal(sql_count(sql), 40);

	/* Dates against what is stored: each change names its field. */
	r = send_as(&gist_admin, "PATCH", path, "{\"ends_on\": \"2027-03-01\"}");
	expect(&r, 400, "validation_failed", "ends_on");
	r = send_as(&gist_admin, "PATCH", path, "{\"starts_on\": \"2027-07-01\"}");
	expect(&r, 400, "validation_failed", "starts_on");
	r = send_as(&gist_admin, "PATCH", path,
		    "{\"enrollment_closes_at\": \"2027-01-31T23:59:59.999999Z\"}");
	expect(&r, 400, "validation_failed", "enrollment_closes_at");
	r = send_as(&gist_admin, "PATCH", path, "{\"starts_on\": \"2027-02-29\"}");
	expect(&r, 400, "validation_failed", "starts_on");
	r = send_as(&gist_admin, "PATCH", path,
		    "{\"starts_on\": \"2027-07-01\", \"ends_on\": \"2027-08-31\","
		    " \"enrollment_closes_at\": \"2027-06-30T23:59:59.5+09:00\"}");
	expect(&r, 200, NULL, NULL);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM sections WHERE id = %lld AND starts_on = '2027-07-01'"
		 " AND enrollment_closes_at = '2027-06-30T14:59:59.5Z'",
		 id);
	assert_int_equal(sql_count(sql), 1);

	/* Instructors are replaced; an empty list clears them. */
	snprintf(sql, sizeof(sql), "{\"instructor_ids\": [%lld]}", instructor_id);
	r = send_as(&gist_admin, "PATCH", path, sql);
	expect(&r, 200, NULL, NULL);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM section_instructors WHERE section_id = %lld",
		 id);
	assert_int_equal(sql_count(sql), 1);
	r = send_as(&gist_admin, "PATCH", path, "{\"instructor_ids\": []}");
	expect(&r, 200, NULL, NULL);
	assert_int_equal(sql_count(sql), 0);

	/* Bad changes change nothing. */
	r = send_as(&gist_admin, "PATCH", path, "{}");
	expect(&r, 400, "invalid_request", NULL);
	r = send_as(&gist_admin, "PATCH", path, "{\"capacity\": 10001}");
	expect(&r, 400, "validation_failed", "capacity");
	r = send_as(&jnu_admin, "PATCH", path, "{\"capacity\": 41}");
	expect(&r, 404, "not_found", NULL);
	r = send_as(&learner, "PATCH", path, "{\"capacity\": 41}");
	expect(&r, 403, "forbidden", NULL);
	r = send_as(&gist_admin, "PATCH", "/api/v1/sections/987654321", "{\"capacity\": 41}");
	expect(&r, 404, "not_found", NULL);
	snprintf(sql, sizeof(sql), "SELECT capacity FROM sections WHERE id = %lld", id);
	assert_int_equal(sql_count(sql), 40);

	/* Cancelled is final. */
	r = send_as(&gist_admin, "PATCH", path, "{\"status\": \"closed\"}");
	expect(&r, 200, NULL, NULL);
	r = send_as(&gist_admin, "PATCH", path, "{\"status\": \"cancelled\"}");
	expect(&r, 200, NULL, NULL);
	r = send_as(&gist_admin, "PATCH", path, "{\"status\": \"open\"}");
	expect(&r, 409, "illegal_transition", NULL);
	r = send_as(&gist_admin, "PATCH", path, "{\"status\": \"draft\", \"capacity\": 50}");
	expect(&r, 409, "illegal_transition", NULL);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM sections WHERE id = %lld AND status = 'cancelled'"
		 " AND capacity = 40",
		 id);
	assert_int_equal(sql_count(sql), 1);
	/* Every successful change left one trail row, and only those. */
	assert_int_equal(audited("section.update", id, gist_id), 7);
}

/* ---- modules and lessons ---- */

static void modules_and_lessons(void **state)
{
	long long course = course_as(&gist_admin, gist_id, "ADMT-MOD"), module, lesson, video, n;
	char path[64], lesson_path[64], sql[256], *big;
	struct reply r;
	const struct {
		const char *field;
		json_t *value;
		const char *other; /* a second field, or NULL */
		json_t *other_value;
		const char *named;
	} bad_lessons[] = {
		{"url", json_string("http://example.com/v.mp4"), NULL, NULL, "url"},
		{"url", json_string("https://exa mple.com/"), NULL, NULL, "url"},
		{"title_ko", json_string("영상"), NULL, NULL, "url"}, /* a video without */
		{"kind", json_string("link"), "url", json_null(), "url"},
		{"kind", json_string("podcast"), "duration_min", json_integer(0), "kind"},
		{"kind", json_string("text"), "duration_min", json_integer(1441), "duration_min"},
		{"kind", json_string("text"), "position", json_integer(10001), "position"},
		{"kind", json_string("text"), "body_md", json_integer(1), "body_md"},
	};

	snprintf(path, sizeof(path), "/api/v1/courses/%lld/modules", course);
	r = send_as(&gist_admin, "POST", path,
		    "{\"position\": 1, \"title_ko\": \"1주차: 데이터\", \"title_en\": \"Week 1\"}");
	if (r.status != 201)
		fail_msg("expected 201: %s", r.raw);
	module = json_integer_value(json_object_get(r.json, "id"));
	assert_int_equal(json_integer_value(json_object_get(r.json, "course_id")), course);
	assert_string_equal(json_string_value(json_object_get(r.json, "title_ko")),
			    "1주차: 데이터");
	reply_release(&r);
	assert_int_equal(audited("module.create", module, gist_id), 1);
	r = send_as(&gist_admin, "POST", path,
		    "{\"position\": -1, \"title_ko\": \"가\", \"title_en\": \"A\"}");
	expect(&r, 400, "validation_failed", "position");
	r = send_as(&gist_admin, "POST", path, "{\"position\": 2, \"title_ko\": \"가\"}");
	expect(&r, 400, "validation_failed", "title_en");
	r = send_as(&jnu_admin, "POST", path,
		    "{\"position\": 2, \"title_ko\": \"가\", \"title_en\": \"A\"}");
	expect(&r, 404, "not_found", NULL);

	snprintf(path, sizeof(path), "/api/v1/modules/%lld", module);
	r = send_as(&gist_admin, "PATCH", path, "{\"title_en\": \"Week 1: data\", \"position\": 3}");
	if (r.status != 200)
		fail_msg("expected 200: %s", r.raw);
	assert_string_equal(json_string_value(json_object_get(r.json, "title_en")), "Week 1: data");
	assert_string_equal(json_string_value(json_object_get(r.json, "title_ko")),
			    "1주차: 데이터");
	assert_int_equal(json_integer_value(json_object_get(r.json, "position")), 3);
	reply_release(&r);
	assert_int_equal(audited("module.update", module, gist_id), 1);
	r = send_as(&gist_admin, "PATCH", path, "{\"position\": 10001}");
	expect(&r, 400, "validation_failed", "position");
	r = send_as(&jnu_admin, "PATCH", path, "{\"position\": 4}");
	expect(&r, 404, "not_found", NULL);

	/* Lessons. */
	n = rows("lessons");
	snprintf(path, sizeof(path), "/api/v1/modules/%lld/lessons", module);
	r = send_as(&gist_admin, "POST", path,
		    "{\"position\": 1, \"title_ko\": \"판다스 입문\", \"title_en\": \"Pandas\","
		    " \"kind\": \"text\", \"body_md\": \"# 판다스\\n\\n`df.head()`\","
		    " \"duration_min\": 45}");
	if (r.status != 201)
		fail_msg("expected 201: %s", r.raw);
	lesson = json_integer_value(json_object_get(r.json, "id"));
	snprintf(lesson_path, sizeof(lesson_path), "/api/v1/lessons/%lld", lesson);
	assert_string_equal(r.location, lesson_path);
	assert_string_equal(json_string_value(json_object_get(r.json, "body_md")),
			    "# 판다스\n\n`df.head()`");
	assert_true(json_is_null(json_object_get(r.json, "url")));
	reply_release(&r);
	assert_int_equal(audited("lesson.create", lesson, gist_id), 1);

	for (size_t i = 0; i < sizeof(bad_lessons) / sizeof(bad_lessons[0]); i++) {
		r = send_json(&gist_admin, "POST", path,
			      with_field(lesson_body(bad_lessons[i].field, bad_lessons[i].value),
					 bad_lessons[i].other, bad_lessons[i].other_value));
		expect(&r, 400, "validation_failed", bad_lessons[i].named);
	}
	/* A body over 200000 bytes. */
	{
		static const char head[] = "{\"position\": 2, \"title_ko\": \"긴 글\","
					   " \"title_en\": \"Long\", \"kind\": \"text\","
					   " \"body_md\": \"";
		size_t hl = strlen(head);

		big = malloc(hl + 200001 + 3);
		assert_non_null(big);
		memcpy(big, head, hl);
		memset(big + hl, 'a', 200001);
		strcpy(big + hl + 200001, "\"}");
		r = send_as(&gist_admin, "POST", path, big);
		free(big);
	}
	expect(&r, 400, "validation_failed", "body_md");
	r = send_as(&jnu_admin, "POST", path,
		    "{\"position\": 2, \"title_ko\": \"가\", \"title_en\": \"A\", \"kind\": \"text\"}");
	expect(&r, 404, "not_found", NULL);
	assert_int_equal(rows("lessons"), n + 1);

	r = send_json(&gist_admin, "POST", path,
		      lesson_body("url", json_string("https://video.example.kr/v/1")));
	video = created(&r);

	/* Updates keep a video or link with its url. */
	r = send_as(&gist_admin, "PATCH", lesson_path, "{\"kind\": \"link\"}");
	expect(&r, 400, "validation_failed", "url");
	r = send_as(&gist_admin, "PATCH", lesson_path, "{\"url\": \"ftp://example.com/x\"}");
	expect(&r, 400, "validation_failed", "url");
	r = send_as(&gist_admin, "PATCH", lesson_path,
		    "{\"kind\": \"link\", \"url\": \"https://pandas.pydata.org/\","
		    " \"title_en\": \"Pandas docs\"}");
	if (r.status != 200)
		fail_msg("expected 200: %s", r.raw);
	assert_string_equal(json_string_value(json_object_get(r.json, "kind")), "link");
	assert_string_equal(json_string_value(json_object_get(r.json, "title_ko")), "판다스 입문");
	reply_release(&r);
	snprintf(path, sizeof(path), "/api/v1/lessons/%lld", video);
	r = send_as(&gist_admin, "PATCH", path, "{\"url\": null}");
	expect(&r, 400, "validation_failed", "url");
	r = send_as(&gist_admin, "PATCH", path, "{\"kind\": \"text\", \"url\": null}");
	expect(&r, 200, NULL, NULL);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM lessons WHERE id = %lld AND kind = 'text' AND url IS NULL",
		 video);
	assert_int_equal(sql_count(sql), 1);
	r = send_as(&gist_admin, "PATCH", path, "{}");
	expect(&r, 400, "invalid_request", NULL);
	r = send_as(&jnu_admin, "PATCH", path, "{\"title_en\": \"Mine\"}");
	expect(&r, 404, "not_found", NULL);
	/* An instructor of the institution who teaches no section of this
	 * course may not write it, and is not told it is there. */
	r = send_as(&instructor, "PATCH", path, "{\"title_en\": \"Mine\"}");
	expect(&r, 404, "not_found", NULL);
	r = send_as(&gist_admin, "PATCH", "/api/v1/lessons/987654321", "{\"title_en\": \"X\"}");
	expect(&r, 404, "not_found", NULL);
	assert_int_equal(audited("lesson.update", lesson, gist_id), 1);
	assert_int_equal(audited("lesson.update", video, gist_id), 1);
}

/* Every change the API made is in the trail, with its institution. */
static void every_change_is_audited(void **state)
{
	static const char *const checks[] = {
		"SELECT count(*) FROM courses c WHERE NOT EXISTS (SELECT 1 FROM audit_log a"
		" WHERE a.action = 'course.create' AND a.target_id = c.id"
		" AND a.institution_id = c.institution_id) AND c.code LIKE 'ADMT-%'",
		"SELECT count(*) FROM sections s JOIN courses c ON c.id = s.course_id"
		" WHERE c.code LIKE 'ADMT-%' AND NOT EXISTS (SELECT 1 FROM audit_log a"
		" WHERE a.action = 'section.create' AND a.target_id = s.id"
		" AND a.institution_id = c.institution_id)",
		"SELECT count(*) FROM course_modules m JOIN courses c ON c.id = m.course_id"
		" WHERE c.code LIKE 'ADMT-%' AND NOT EXISTS (SELECT 1 FROM audit_log a"
		" WHERE a.action = 'module.create' AND a.target_id = m.id)",
		"SELECT count(*) FROM lessons l JOIN course_modules m ON m.id = l.module_id"
		" JOIN courses c ON c.id = m.course_id WHERE c.code LIKE 'ADMT-%' AND NOT EXISTS"
		" (SELECT 1 FROM audit_log a WHERE a.action = 'lesson.create'"
		" AND a.target_id = l.id)",
		/* and the trail names nothing that was rolled back */
		"SELECT count(*) FROM audit_log a WHERE a.action IN ('course.create',"
		" 'course.update') AND NOT EXISTS (SELECT 1 FROM courses c WHERE c.id = a.target_id)",
		"SELECT count(*) FROM audit_log a WHERE a.action LIKE 'section.%'"
		" AND NOT EXISTS (SELECT 1 FROM sections s WHERE s.id = a.target_id)",
	};

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (sql_count(checks[i]) != 0)
			fail_msg("not as expected: %s", checks[i]);
}

/* A change that fails after its first row is written leaves nothing: here
 * the database refuses the section's instructor (as a CHECK would), after
 * the section itself was inserted. */
static void failure_midway_leaves_nothing(void **state)
{
	long long course = course_as(&gist_admin, gist_id, "ADMT-MID");
	long long sections = rows("sections"), audits = rows("audit_log");
	char sql[512], path[64];
	struct reply r;

	snprintf(sql, sizeof(sql),
		 "CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
		 " RAISE EXCEPTION 'refused for the test' USING ERRCODE = 'check_violation';"
		 " END $$; CREATE TRIGGER refuse_instructor BEFORE INSERT ON section_instructors"
		 " FOR EACH ROW WHEN (NEW.user_id = %lld) EXECUTE FUNCTION refuse_row()",
		 instructor_id);
	assert_int_equal(harness_sql(conninfo, sql), 0);
	snprintf(path, sizeof(path), "/api/v1/courses/%lld/sections", course);
	r = send_json(&gist_admin, "POST", path,
		      section_body("instructor_ids", json_pack("[I]", (json_int_t)instructor_id)));
	assert_int_equal(harness_sql(conninfo, "DROP TRIGGER refuse_instructor ON"
					       " section_instructors; DROP FUNCTION refuse_row()"),
			 0);
	/* A 400, not a 500, and no trace of the section. */
	expect(&r, 400, "validation_failed", NULL);
	assert_int_equal(rows("sections"), sections);
	assert_int_equal(rows("audit_log"), audits);
}

/* Validation caught every bad value before PostgreSQL saw it, but for the
 * one refusal forced above: no request relied on a CHECK or foreign key to
 * be refused, and none failed inside. */
static void database_refused_nothing_else(void **state)
{
	char line[4096];
	FILE *f = fopen(server.log_path, "r");
	int refused = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		refused += strstr(line, "refused a catalogue change") != NULL;
		if (strstr(line, "\"status\":500"))
			fail_msg("in the server log: %s", line);
	}
	fclose(f);
	assert_int_equal(refused, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(course_create_round_trips_korean),
		cmocka_unit_test(course_validation_names_each_field),
		cmocka_unit_test(course_code_is_unique_per_institution),
		cmocka_unit_test(course_permissions),
		cmocka_unit_test(course_update),
		cmocka_unit_test(section_create),
		cmocka_unit_test(section_validation),
		cmocka_unit_test(section_of_a_cohort),
		cmocka_unit_test(section_update),
		cmocka_unit_test(modules_and_lessons),
		cmocka_unit_test(every_change_is_audited),
		cmocka_unit_test(failure_midway_leaves_nothing),
		cmocka_unit_test(database_refused_nothing_else),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
