/* faculty_test.c - instructor profiles, the directory, sharing and facilities
 * against a running server on a scratch database */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/schedule/faculty_store.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define USER_PASSWORD "faculty-test-pass-2026"

static struct lms_server server;
static char conninfo[1024];
static long long gist, jnu, chosun, honam, instructor_id, learner_id;
static struct harness_actor platform, gist_admin, jnu_admin, honam_admin, instructor, learner;

/* ---- helpers ---- */

/* One answer: status, body as JSON (NULL when it is not), the raw body
 * for messages and the Location header. */
struct answer {
	long status;
	json_t *json;
	char raw[32768];
	char location[128];
};

/* A printf-style string in one of a few rotating buffers: paths and
 * bodies built inline. */
static const char *f(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *f(const char *fmt, ...)
{
	static char bufs[4][8192];
	static int next;
	char *b = bufs[next++ % 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	return b;
}

/* Sends body (NULL: none) as a (NULL: a visitor). */
static struct answer call(const struct harness_actor *a, const char *method, const char *path,
			  const char *body)
{
	struct http_result h = {0};
	struct answer r = {0};

	if (harness_as(&server, a, method, path, body, &h) != 0)
		fail_msg("%s %s: no answer", method, path);
	r.status = h.status;
	r.json = json_loads(h.body ? h.body : "", 0, NULL);
	snprintf(r.raw, sizeof(r.raw), "%s", h.body ? h.body : "");
	if (!http_result_header(&h, "Location", r.location, sizeof(r.location)))
		r.location[0] = '\0';
	http_result_release(&h);
	return r;
}

/* Fails unless r has status and, when given, the problem code and an
 * error naming field. Releases r. */
static void expect(struct answer *r, long status, const char *code, const char *field)
{
	const char *got = json_string_value(json_object_get(r->json, "code"));
	bool named = !field;
	size_t i;
	json_t *e;

	if (r->status != status)
		fail_msg("expected %ld, got %ld: %s", status, r->status, r->raw);
	if (code && (!got || strcmp(got, code)))
		fail_msg("expected code %s: %s", code, r->raw);
	json_array_foreach(json_object_get(r->json, "errors"), i, e)
		named |= field && !strcmp(json_string_value(json_object_get(e, "field")), field);
	if (!named)
		fail_msg("expected an error naming %s: %s", field, r->raw);
	json_decref(r->json);
	r->json = NULL;
}

/* The status of a request whose answer does not matter otherwise. */
static long status_of(const struct harness_actor *a, const char *method, const char *path,
		      const char *body)
{
	struct answer r = call(a, method, path, body);
	long st = r.status;

	json_decref(r.json);
	return st;
}

static long long count(const char *sql)
{
	long long n = harness_sql_ll(conninfo, sql);

	if (n < 0)
		fail_msg("query failed: %s", sql);
	return n;
}

/* Whether the items of a list answer hold one with id. */
static bool lists(const json_t *page, long long id)
{
	size_t i;
	json_t *it;

	json_array_foreach(json_object_get(page, "items"), i, it)
		if (json_integer_value(json_object_get(it, "id")) == id)
			return true;
	return false;
}

/* The item with id of a list answer (borrowed), failing when absent. */
static json_t *item(const json_t *page, long long id)
{
	size_t i;
	json_t *it;

	json_array_foreach(json_object_get(page, "items"), i, it)
		if (json_integer_value(json_object_get(it, "id")) == id)
			return it;
	fail_msg("no item %lld in the list", id);
	return NULL;
}

/* Registers a learner account and returns its id; signs in as it when a
 * is not NULL. */
static long long user(const char *email, const char *name, struct harness_actor *a)
{
	struct answer r = call(NULL, "POST", "/api/v1/auth/register",
			       f("{\"email\": \"%s\", \"password\": \"" USER_PASSWORD "\","
				 " \"display_name\": \"%s\", \"ladder_stage\": \"worker\", " HARNESS_CONSENT "}",
				 email, name));
	long long id = json_integer_value(json_object_get(r.json, "id"));

	if (r.status != 201 || id <= 0)
		fail_msg("register %s: %ld %s", email, r.status, r.raw);
	json_decref(r.json);
	if (a && harness_login(&server, email, USER_PASSWORD, a) != 0)
		fail_msg("cannot sign in as %s", email);
	return id;
}

static long long institution(const char *code)
{
	return harness_sql_llf(conninfo, "SELECT id FROM institutions WHERE code = '%s'", code);
}

/* ---- fixture ---- */

static int setup(void **state)
{
	(void)state;
	if (harness_db_create("faculty", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return harness_server_stop(&server) == 0 ? 0 : -1;
}

/* Actors, signed in once; the honam admin is made here (the demo data has
 * none): an admin of an institution the instructor is not shared with. */
static void actors(void **state)
{
	(void)state;
	gist = institution("gist");
	jnu = institution("jnu");
	chosun = institution("chosun");
	honam = institution("honam");
	harness_login_ok(&server, "admin@example.com", DEMO_PASSWORD, &platform);
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	harness_login_ok(&server, "instructor@example.com", DEMO_PASSWORD, &instructor);
	harness_login_ok(&server, "learner@example.com", DEMO_PASSWORD, &learner);
	instructor_id = instructor.user_id;
	learner_id = learner.user_id;
	user("honam-admin@example.com", "호남대 교육 담당자", NULL);
	assert_int_equal(harness_sql(conninfo,
				     f("INSERT INTO user_roles (user_id, role, institution_id)"
				       " SELECT id, 'institution_admin', %lld FROM users"
				       " WHERE email = 'honam-admin@example.com'",
				       honam)),
			 0);
	if (harness_login(&server, "honam-admin@example.com", USER_PASSWORD, &honam_admin) != 0)
		fail_msg("cannot sign in as the honam admin");
}

/* ---- the demo data ---- */

static void demo_profiles_and_shares(void **state)
{
	(void)state;
	/* Every instructor account has a profile at the institution of its
	 * role; the demo instructor is GIST's, shared with Chonnam. */
	assert_int_equal(count("SELECT count(*) FROM user_roles r WHERE r.role = 'instructor'"
			       " AND NOT EXISTS (SELECT 1 FROM instructors n"
			       " WHERE n.user_id = r.user_id)"),
			 0);
	assert_true(count("SELECT count(*) FROM instructors WHERE bio_ko <> '' AND bio_en <> ''"
			  " AND cardinality(expertise) > 0") >= 8);
	assert_int_equal(count(f("SELECT count(*) FROM instructors WHERE user_id = %lld"
				 " AND home_institution_id = %lld",
				 instructor_id, gist)),
			 1);
	assert_int_equal(count(f("SELECT count(*) FROM instructor_shares WHERE instructor_id ="
				 " %lld AND institution_id = %lld",
				 instructor_id, jnu)),
			 1);
	assert_true(count("SELECT count(*) FROM instructor_shares") >= 5);
	/* A second seed changes nothing. */
	{
		long long before = count("SELECT count(*) FROM instructor_shares") * 1000 +
				   count("SELECT count(*) FROM instructors");

		assert_int_equal(harness_seed_demo(conninfo), 0);
		assert_int_equal(count("SELECT count(*) FROM instructor_shares") * 1000 +
					 count("SELECT count(*) FROM instructors"),
				 before);
	}
}

/* ---- profiles ---- */

static void instructor_create(void **state)
{
	long long teacher = user("new-teacher@example.com", "김새봄", NULL);
	long long before = count("SELECT count(*) FROM instructors");
	struct answer r;
	json_t *j;

	(void)state;
	/* Who may not: others than GIST's admins, for GIST. */
	r = call(NULL, "POST", "/api/v1/instructors", f("{\"user_id\": %lld}", teacher));
	expect(&r, 401, "unauthenticated", NULL);
	r = call(&learner, "POST", "/api/v1/instructors", f("{\"user_id\": %lld}", teacher));
	expect(&r, 403, "forbidden", NULL);
	r = call(&instructor, "POST", "/api/v1/instructors", f("{\"user_id\": %lld}", teacher));
	expect(&r, 403, "forbidden", NULL);
	r = call(&jnu_admin, "POST", "/api/v1/instructors",
		 f("{\"user_id\": %lld, \"institution_id\": %lld}", teacher, gist));
	expect(&r, 403, "forbidden", NULL);
	assert_int_equal(count("SELECT count(*) FROM instructors"), before);

	/* GIST's admin (GIST by default), for one of GIST's own staff. */
	assert_int_equal(harness_affiliate(conninfo, teacher, gist), 0);
	r = call(&gist_admin, "POST", "/api/v1/instructors",
		 f("{\"user_id\": %lld, \"expertise\": [\"로봇\", \"PyTorch\", \"로봇\"],"
		   " \"bio_ko\": \"로봇 학습을 가르칩니다.\", \"bio_en\": \"Teaches robot learning.\"}",
		   teacher));
	assert_int_equal(r.status, 201);
	j = r.json;
	assert_int_equal(json_integer_value(json_object_get(j, "id")), teacher);
	assert_string_equal(json_string_value(json_object_get(j, "display_name")), "김새봄");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "home_institution"),
							     "id")),
			 gist);
	assert_int_equal(json_array_size(json_object_get(j, "expertise")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "expertise"), 0)),
			    "로봇");
	assert_string_equal(json_string_value(json_object_get(j, "bio")), "로봇 학습을 가르칩니다.");
	assert_int_equal(json_array_size(json_object_get(j, "shared_with")), 0);
	assert_null(strstr(r.raw, "@example.com"));
	assert_string_equal(r.location, f("/api/v1/instructors/%lld", teacher));
	json_decref(j);
	/* The role came with it, and both are in the audit trail. */
	assert_int_equal(count(f("SELECT count(*) FROM user_roles WHERE user_id = %lld"
				 " AND role = 'instructor' AND institution_id = %lld",
				 teacher, gist)),
			 1);
	assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action ="
				 " 'instructor.create' AND target_id = %lld AND institution_id = %lld"
				 " AND actor_user_id = %lld",
				 teacher, gist, gist_admin.user_id)),
			 1);
	assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action = 'role.grant'"
				 " AND target_id = %lld AND institution_id = %lld",
				 teacher, gist)),
			 1);

	/* Once: the home of a profile is fixed. */
	r = call(&gist_admin, "POST", "/api/v1/instructors", f("{\"user_id\": %lld}", teacher));
	expect(&r, 409, "already_instructor", "user_id");
	r = call(&platform, "POST", "/api/v1/instructors",
		 f("{\"user_id\": %lld, \"institution_id\": %lld}", teacher, jnu));
	expect(&r, 409, "already_instructor", NULL);
	r = call(&jnu_admin, "POST", "/api/v1/instructors", f("{\"user_id\": %lld}", instructor_id));
	expect(&r, 409, "already_instructor", NULL);
	assert_int_equal(count(f("SELECT count(*) FROM user_roles WHERE user_id = %lld"
				 " AND role = 'instructor'",
				 teacher)),
			 1);

	/* A user who holds the role already gets a profile, not a second role. */
	{
		long long holder = user("role-holder@example.com", "이미강사", NULL);

		assert_int_equal(harness_affiliate(conninfo, holder, jnu), 0);

		assert_int_equal(harness_sql(conninfo,
					     f("INSERT INTO user_roles (user_id, role, institution_id)"
					       " VALUES (%lld, 'instructor', %lld)",
					       holder, jnu)),
				 0);
		r = call(&jnu_admin, "POST", "/api/v1/instructors", f("{\"user_id\": %lld}", holder));
		expect(&r, 201, NULL, NULL);
		assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action = 'role.grant'"
					 " AND target_id = %lld",
					 holder)),
				 0);
	}

	/* Nobody by that id. */
	r = call(&gist_admin, "POST", "/api/v1/instructors", "{\"user_id\": 987654321}");
	expect(&r, 404, "not_found", NULL);
}

static void instructor_validation(void **state)
{
	long long teacher = user("invalid-teacher@example.com", "검증", NULL);
	long long before = count("SELECT count(*) FROM instructors");
	static const struct {
		const char *body, *code, *field;
	} cases[] = {
		{"{}", "validation_failed", "user_id"},
		{"{\"user_id\": \"7\"}", "validation_failed", "user_id"},
		{"{\"user_id\": -3}", "validation_failed", "user_id"},
		{"{\"user_id\": {U}, \"institution_id\": 0}", "validation_failed", "institution_id"},
		{"{\"user_id\": {U}, \"institution_id\": 987654321}", "validation_failed",
		 "institution_id"},
		{"{\"user_id\": {U}, \"expertise\": \"로봇\"}", "validation_failed", "expertise"},
		{"{\"user_id\": {U}, \"expertise\": [\"\"]}", "validation_failed", "expertise"},
		{"{\"user_id\": {U}, \"expertise\": [\"  \"]}", "validation_failed", "expertise"},
		{"{\"user_id\": {U}, \"expertise\": [7]}", "validation_failed", "expertise"},
		{"{\"user_id\": {U}, \"expertise\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\","
		 "\"h\",\"i\",\"j\",\"k\",\"l\",\"m\",\"n\",\"o\",\"p\",\"q\",\"r\",\"s\",\"t\","
		 "\"u\"]}",
		 "validation_failed", "expertise"},
		{"{\"user_id\": {U}, \"bio_ko\": null}", "validation_failed", "bio_ko"},
		{"{\"user_id\": {U}, \"home_institution_id\": 1}", "validation_failed",
		 "home_institution_id"},
		{"[1]", "invalid_request", NULL},
	};
	char body[512];
	struct answer r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *u = strstr(cases[i].body, "{U}");

		if (u)
			snprintf(body, sizeof(body), "%.*s%lld%s", (int)(u - cases[i].body),
				 cases[i].body, teacher, u + 3);
		else
			snprintf(body, sizeof(body), "%s", cases[i].body);
		/* Only the platform admin may name any institution. */
		r = call(strstr(body, "\"institution_id\"") ? &platform : &gist_admin, "POST",
			 "/api/v1/instructors", body);
		expect(&r, 400, cases[i].code, cases[i].field);
	}
	/* A bio of 4,001 characters (Korean: three bytes each). */
	{
		size_t len = 4001 * 3 + 64, o;
		char *b = malloc(len);

		assert_non_null(b);
		o = (size_t)snprintf(b, len, "{\"user_id\": %lld, \"bio_ko\": \"", teacher);
		for (int i = 0; i < 4001; i++, o += 3)
			memcpy(b + o, "가", 3);
		snprintf(b + o, len - o, "\"}");
		r = call(&gist_admin, "POST", "/api/v1/instructors", b);
		free(b);
		expect(&r, 400, "validation_failed", "bio_ko");
	}
	/* The platform admin names no institution: which one? */
	r = call(&platform, "POST", "/api/v1/instructors", f("{\"user_id\": %lld}", teacher));
	expect(&r, 400, "validation_failed", "institution_id");
	assert_int_equal(count("SELECT count(*) FROM instructors"), before);
}

static void instructor_update(void **state)
{
	const char *path = f("/api/v1/instructors/%lld", instructor_id);
	char mine[64];
	struct answer r;

	(void)state;
	snprintf(mine, sizeof(mine), "%s", path);
	/* The instructor writes their own bio. */
	r = call(&instructor, "PATCH", mine, "{\"bio_en\": \"Deep learning, hands on.\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "bio_en")),
			    "Deep learning, hands on.");
	json_decref(r.json);
	/* The home's admins too; the same tag twice is kept once. */
	r = call(&gist_admin, "PATCH", mine, "{\"expertise\": [\"딥러닝\", \"MLOps\", \"딥러닝\"]}");
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "expertise")), 2);
	assert_string_equal(json_string_value(json_object_get(r.json, "bio_en")),
			    "Deep learning, hands on.");
	json_decref(r.json);
	r = call(&platform, "PATCH", mine,
		 "{\"expertise\": [\"머신러닝\", \"딥러닝\", \"컴퓨터비전\", \"PyTorch\"]}");
	expect(&r, 200, NULL, NULL);
	assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action ="
				 " 'instructor.update' AND target_id = %lld AND institution_id = %lld",
				 instructor_id, gist)),
			 3);

	/* Not the partner's, nor anyone else's. */
	r = call(&jnu_admin, "PATCH", mine, "{\"bio_ko\": \"남의 소개\"}");
	expect(&r, 403, "forbidden", NULL);
	r = call(&learner, "PATCH", mine, "{\"bio_ko\": \"남의 소개\"}");
	expect(&r, 403, "forbidden", NULL);
	r = call(NULL, "PATCH", mine, "{\"bio_ko\": \"남의 소개\"}");
	expect(&r, 401, "unauthenticated", NULL);
	assert_int_equal(count("SELECT count(*) FROM instructors WHERE bio_ko = '남의 소개'"), 0);

	/* The home is not for changing; nor is anything unknown. */
	r = call(&gist_admin, "PATCH", mine, f("{\"home_institution_id\": %lld}", jnu));
	expect(&r, 400, "validation_failed", "home_institution_id");
	r = call(&gist_admin, "PATCH", mine, "{\"bio_en\": 5}");
	expect(&r, 400, "validation_failed", "bio_en");
	r = call(&gist_admin, "PATCH", mine, "{}");
	expect(&r, 400, "invalid_request", NULL);
	r = call(&gist_admin, "PATCH", f("/api/v1/instructors/%lld", learner_id),
		 "{\"bio_ko\": \"x\"}");
	expect(&r, 404, "not_found", NULL);
	r = call(&learner, "PATCH", f("/api/v1/instructors/%lld", learner_id), "{\"bio_ko\": \"x\"}");
	expect(&r, 404, "not_found", NULL);
}

/* ---- the directory ---- */

/* Percent-encodes s for a query string (into a rotating buffer). */
static const char *enc(const char *s)
{
	static char bufs[2][512];
	static int next;
	char *b = bufs[next++ % 2];
	size_t o = 0;

	for (const unsigned char *c = (const unsigned char *)s; *c && o + 4 < sizeof(bufs[0]); c++)
		o += (size_t)snprintf(b + o, sizeof(bufs[0]) - o, "%%%02X", *c);
	b[o] = '\0';
	return b;
}

static void directory(void **state)
{
	long long jnu_prof = harness_sql_llf(conninfo, "SELECT id FROM users WHERE email ="
						       " 'instructor2@example.com'");
	long long city = harness_sql_llf(conninfo, "SELECT id FROM users WHERE email ="
						   " 'instructor6@example.com'");
	struct answer r;
	json_t *it;

	(void)state;
	/* Public, without e-mail addresses, Korean by default. */
	r = call(NULL, "GET", "/api/v1/instructors?limit=100", NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.raw, "@example.com"));
	assert_null(strstr(r.raw, "email"));
	it = item(r.json, instructor_id);
	assert_string_equal(json_string_value(json_object_get(it, "display_name")), "이지능 교수");
	assert_string_equal(json_string_value(json_object_get(json_object_get(it,
									       "home_institution"),
							      "name")),
			    "광주과학기술원 GIST");
	assert_string_equal(json_string_value(json_object_get(it, "bio")),
			    json_string_value(json_object_get(it, "bio_ko")));
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(it, "shared_with"), 0),
				 "institution_id")),
			 jnu);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(it, "shared_with"), 0), "name")),
			    "전남대학교");
	assert_false(lists(r.json, learner_id));
	json_decref(r.json);

	/* English. */
	r = call(NULL, "GET", f("/api/v1/instructors/%lld?lang=en", instructor_id), NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json,
									       "home_institution"),
							      "name")),
			    "Gwangju Institute of Science and Technology (GIST)");
	assert_string_equal(json_string_value(json_object_get(r.json, "bio")),
			    json_string_value(json_object_get(r.json, "bio_en")));
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(r.json, "shared_with"), 0),
				    "name")),
			    "Chonnam National University");
	json_decref(r.json);

	/* By expertise: the exact tag. */
	r = call(NULL, "GET", f("/api/v1/instructors?limit=100&expertise=%s", enc("딥러닝")), NULL);
	assert_int_equal(r.status, 200);
	assert_true(lists(r.json, instructor_id));
	assert_false(lists(r.json, jnu_prof));
	json_decref(r.json);
	r = call(NULL, "GET", f("/api/v1/instructors?limit=100&expertise=%s", enc("딥")), NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	json_decref(r.json);

	/* By institution: home only, or shared with it too. */
	r = call(NULL, "GET", f("/api/v1/instructors?limit=100&institution_id=%lld", jnu), NULL);
	assert_true(lists(r.json, jnu_prof));
	assert_false(lists(r.json, instructor_id));
	json_decref(r.json);
	r = call(NULL, "GET", f("/api/v1/instructors?limit=100&institution_id=%lld&shared=true", jnu),
		 NULL);
	assert_true(lists(r.json, jnu_prof));
	assert_true(lists(r.json, instructor_id));
	assert_true(lists(r.json, city));
	json_decref(r.json);

	/* By name, any case. */
	r = call(NULL, "GET", f("/api/v1/instructors?q=%s", enc("지능")), NULL);
	assert_true(lists(r.json, instructor_id));
	assert_false(lists(r.json, jnu_prof));
	json_decref(r.json);
	r = call(NULL, "GET", "/api/v1/instructors?q=%25", NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	json_decref(r.json);

	/* Paging: every profile once. */
	{
		long long seen = 0, total = count("SELECT count(*) FROM instructors");
		char next[256] = "/api/v1/instructors?limit=3";

		for (int pages = 0; next[0]; pages++) {
			json_t *cursor;

			assert_true(pages < 50);
			r = call(NULL, "GET", next, NULL);
			assert_int_equal(r.status, 200);
			seen += (long long)json_array_size(json_object_get(r.json, "items"));
			cursor = json_object_get(r.json, "next_cursor");
			if (json_is_string(cursor))
				snprintf(next, sizeof(next), "/api/v1/instructors?limit=3&cursor=%s",
					 json_string_value(cursor));
			else
				next[0] = '\0';
			json_decref(r.json);
		}
		assert_int_equal(seen, total);
	}

	/* Bad parameters are named. */
	r = call(NULL, "GET", "/api/v1/instructors?limit=0", NULL);
	expect(&r, 400, "validation_failed", "limit");
	r = call(NULL, "GET", "/api/v1/instructors?institution_id=gist", NULL);
	expect(&r, 400, "validation_failed", "institution_id");
	r = call(NULL, "GET", f("/api/v1/instructors?institution_id=%lld&shared=maybe", jnu), NULL);
	expect(&r, 400, "validation_failed", "shared");
	r = call(NULL, "GET", "/api/v1/instructors?shared=true", NULL);
	expect(&r, 400, "validation_failed", "shared");
	r = call(NULL, "GET", "/api/v1/instructors?expertise=", NULL);
	expect(&r, 400, "validation_failed", "expertise");
	r = call(NULL, "GET", "/api/v1/instructors?cursor=zzz", NULL);
	expect(&r, 400, "validation_failed", "cursor");

	/* One profile; none for those who are no instructors. */
	r = call(NULL, "GET", f("/api/v1/instructors/%lld", learner_id), NULL);
	expect(&r, 404, "not_found", NULL);
	r = call(NULL, "GET", "/api/v1/instructors/abc", NULL);
	expect(&r, 404, "not_found", NULL);
}

/* ---- sharing ---- */

static void sharing(void **state)
{
	const char *shares = f("/api/v1/instructors/%lld/shares", instructor_id);
	char path[96];
	struct answer r;

	(void)state;
	snprintf(path, sizeof(path), "%s", shares);
	/* Only the home's admins: not the partner's, nor another's. */
	r = call(&jnu_admin, "POST", path, f("{\"institution_id\": %lld}", chosun));
	expect(&r, 403, "forbidden", NULL);
	r = call(&honam_admin, "POST", path, f("{\"institution_id\": %lld}", honam));
	expect(&r, 403, "forbidden", NULL);
	r = call(&instructor, "POST", path, f("{\"institution_id\": %lld}", chosun));
	expect(&r, 403, "forbidden", NULL);
	r = call(&learner, "POST", path, f("{\"institution_id\": %lld}", chosun));
	expect(&r, 403, "forbidden", NULL);
	r = call(NULL, "POST", path, f("{\"institution_id\": %lld}", chosun));
	expect(&r, 401, "unauthenticated", NULL);
	assert_int_equal(count(f("SELECT count(*) FROM instructor_shares WHERE instructor_id ="
				 " %lld AND institution_id IN (%lld, %lld)",
				 instructor_id, chosun, honam)),
			 0);

	/* The home's admin: 201, then 200. */
	r = call(&gist_admin, "POST", path, f("{\"institution_id\": %lld}", chosun));
	expect(&r, 201, NULL, NULL);
	r = call(&gist_admin, "POST", path, f("{\"institution_id\": %lld}", chosun));
	expect(&r, 200, NULL, NULL);
	assert_int_equal(count(f("SELECT count(*) FROM instructor_shares WHERE instructor_id ="
				 " %lld AND institution_id = %lld AND shared_by = %lld",
				 instructor_id, chosun, gist_admin.user_id)),
			 1);
	assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action ="
				 " 'instructor.share' AND target_id = %lld AND institution_id = %lld"
				 " AND detail->>'institution_id' = '%lld'",
				 instructor_id, gist, chosun)),
			 1);
	r = call(NULL, "GET", f("/api/v1/instructors/%lld", instructor_id), NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "shared_with")), 2);
	json_decref(r.json);
	/* The platform admin may too. */
	r = call(&platform, "POST", path, f("{\"institution_id\": %lld}", honam));
	expect(&r, 201, NULL, NULL);

	/* Not with the home itself, nor with nobody. */
	r = call(&gist_admin, "POST", path, f("{\"institution_id\": %lld}", gist));
	expect(&r, 400, "validation_failed", "institution_id");
	r = call(&gist_admin, "POST", path, "{\"institution_id\": 987654321}");
	expect(&r, 400, "validation_failed", "institution_id");
	r = call(&gist_admin, "POST", path, "{\"institution_id\": 0}");
	expect(&r, 400, "validation_failed", "institution_id");
	r = call(&gist_admin, "POST", path, "{}");
	expect(&r, 400, "validation_failed", "institution_id");
	r = call(&gist_admin, "POST", path, f("{\"institution_id\": \"%lld\"}", chosun));
	expect(&r, 400, "validation_failed", "institution_id");
	r = call(&gist_admin, "POST", path, f("{\"institution_id\": %lld, \"x\": 1}", chosun));
	expect(&r, 400, "validation_failed", "x");
	r = call(&gist_admin, "POST", f("/api/v1/instructors/%lld/shares", learner_id),
		 f("{\"institution_id\": %lld}", chosun));
	expect(&r, 404, "not_found", NULL);

	/* Revoking: the home's admin; then there is nothing to revoke. */
	r = call(&jnu_admin, "DELETE", f("%s/%lld", path, chosun), NULL);
	expect(&r, 403, "forbidden", NULL);
	r = call(&honam_admin, "DELETE", f("%s/%lld", path, honam), NULL);
	expect(&r, 403, "forbidden", NULL);
	r = call(&gist_admin, "DELETE", f("%s/%lld", path, chosun), NULL);
	expect(&r, 204, NULL, NULL);
	r = call(&gist_admin, "DELETE", f("%s/%lld", path, chosun), NULL);
	expect(&r, 404, "not_found", NULL);
	r = call(&platform, "DELETE", f("%s/%lld", path, honam), NULL);
	expect(&r, 204, NULL, NULL);
	r = call(&gist_admin, "DELETE", f("%s/987654321", path), NULL);
	expect(&r, 404, "not_found", NULL);
	r = call(&gist_admin, "DELETE", f("/api/v1/instructors/%lld/shares/%lld", learner_id, jnu),
		 NULL);
	expect(&r, 404, "not_found", NULL);
	assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action ="
				 " 'instructor.unshare' AND target_id = %lld AND institution_id = %lld",
				 instructor_id, gist)),
			 2);
	assert_int_equal(count(f("SELECT count(*) FROM instructor_shares WHERE instructor_id ="
				 " %lld",
				 instructor_id)),
			 1);
}

/*
 * A partner assigns only instructors shared with it to its sections: the
 * catalogue's instructor_ids follow the shares.
 */
#define SECTION_BODY                                                                     \
	"{\"term\": \"2027-1\", \"starts_on\": \"2027-03-02\", \"ends_on\": \"2027-06-20\","  \
	" \"capacity\": 30, \"enrollment_opens_at\": \"2027-02-01T09:00:00+09:00\","          \
	" \"enrollment_closes_at\": \"2027-02-20T18:00:00+09:00\", \"instructor_ids\": [%lld]}"

static void partners_assign_shared_instructors_only(void **state)
{
	long long honam_prof = harness_sql_llf(conninfo, "SELECT id FROM users WHERE email ="
							 " 'instructor4@example.com'");
	char path[64];
	struct answer r;
	long long course;

	(void)state;
	r = call(&jnu_admin, "POST", "/api/v1/courses",
		 "{\"program\": \"online\", \"code\": \"FAC-SHARE\", \"title_ko\": \"공유 강사\","
		 " \"title_en\": \"Shared instructors\", \"delivery\": \"offline\"}");
	assert_int_equal(r.status, 201);
	course = json_integer_value(json_object_get(r.json, "id"));
	json_decref(r.json);
	snprintf(path, sizeof(path), "/api/v1/courses/%lld/sections", course);

	/* GIST's instructor is shared with Chonnam; Honam's is not. */
	r = call(&jnu_admin, "POST", path, f(SECTION_BODY, instructor_id));
	expect(&r, 201, NULL, NULL);
	r = call(&jnu_admin, "POST", path, f(SECTION_BODY, honam_prof));
	expect(&r, 400, "validation_failed", "instructor_ids");
	r = call(&jnu_admin, "POST", path, f(SECTION_BODY, learner_id));
	expect(&r, 400, "validation_failed", "instructor_ids");

	/* Revoked, the share no longer counts; restored, it does. */
	r = call(&gist_admin, "DELETE", f("/api/v1/instructors/%lld/shares/%lld", instructor_id, jnu),
		 NULL);
	expect(&r, 204, NULL, NULL);
	r = call(&jnu_admin, "POST", path, f(SECTION_BODY, instructor_id));
	expect(&r, 400, "validation_failed", "instructor_ids");
	r = call(&gist_admin, "POST", f("/api/v1/instructors/%lld/shares", instructor_id),
		 f("{\"institution_id\": %lld}", jnu));
	expect(&r, 201, NULL, NULL);
	r = call(&jnu_admin, "POST", path, f(SECTION_BODY, instructor_id));
	expect(&r, 201, NULL, NULL);
}

/* The checks the scheduling code relies on, and their lock. */
static void store_checks(void **state)
{
	struct db_conn a = {0}, b = {0};
	long long gist_room, lent;
	bool ok = true;

	(void)state;
	gist_room = harness_sql_llf(conninfo, "SELECT id FROM facilities WHERE name_en ="
					      " 'Lecture Recording Studio'");
	lent = harness_sql_llf(conninfo, "SELECT id FROM facilities WHERE name_en = 'GPU Lab'");
	assert_int_equal(db_conn_open(&a, conninfo), 0);
	assert_int_equal(db_conn_open(&b, conninfo), 0);

	assert_int_equal(faculty_store_can_teach(&a, instructor_id, gist, &ok), 0);
	assert_true(ok);
	assert_int_equal(faculty_store_can_teach(&a, instructor_id, jnu, &ok), 0);
	assert_true(ok);
	assert_int_equal(faculty_store_can_teach(&a, instructor_id, honam, &ok), 0);
	assert_false(ok);
	assert_int_equal(faculty_store_can_teach(&a, learner_id, gist, &ok), 0);
	assert_false(ok);
	assert_int_equal(faculty_store_facility_usable(&a, gist_room, gist, &ok), 0);
	assert_true(ok);
	assert_int_equal(faculty_store_facility_usable(&a, gist_room, jnu, &ok), 0);
	assert_false(ok);
	assert_int_equal(faculty_store_facility_usable(&a, lent, honam, &ok), 0);
	assert_true(ok);
	assert_int_equal(faculty_store_facility_usable(&a, 987654321, gist, &ok), 0);
	assert_false(ok);

	/* Within a transaction the answer holds until it ends: revoking the
	 * share (which locks the profile first) has to wait. */
	assert_int_equal(db_begin(&a), 0);
	assert_int_equal(faculty_store_can_teach(&a, instructor_id, jnu, &ok), 0);
	assert_true(ok);
	assert_int_equal(db_begin(&b), 0);
	assert_true(db_execp(&b, NULL,
			     "SELECT 1 FROM instructors WHERE user_id = $1 FOR UPDATE NOWAIT",
			     f("%lld", instructor_id)) < 0);
	assert_true(db_sqlstate_is(&b, "55P03"));
	assert_int_equal(db_rollback(&b), 0);
	assert_int_equal(db_rollback(&a), 0);
	db_conn_close(&a);
	db_conn_close(&b);
}

/* ---- facilities ---- */

#define FACILITY_BODY                                                                    \
	"{\"name_ko\": \"공유 실습실 %d\", \"name_en\": \"Shared Lab %d\", \"kind\": \"lab\","  \
	" \"capacity\": 30, \"location\": \"오룡관 1층\", \"lent_to\": [%lld, %lld, %lld]}"

static void facilities(void **state)
{
	long long before = count("SELECT count(*) FROM facilities"), id;
	char path[64];
	struct answer r;
	json_t *lent;

	(void)state;
	/* Who may not add one. */
	r = call(&jnu_admin, "POST", "/api/v1/facilities",
		 f("{\"institution_id\": %lld, \"name_ko\": \"남의 방\", \"name_en\": \"X\","
		   " \"kind\": \"lab\", \"capacity\": 3}",
		   gist));
	expect(&r, 403, "forbidden", NULL);
	r = call(&instructor, "POST", "/api/v1/facilities", f(FACILITY_BODY, 1, 1, jnu, chosun, jnu));
	expect(&r, 403, "forbidden", NULL);
	r = call(NULL, "POST", "/api/v1/facilities", f(FACILITY_BODY, 1, 1, jnu, chosun, jnu));
	expect(&r, 401, "unauthenticated", NULL);
	assert_int_equal(count("SELECT count(*) FROM facilities"), before);

	/* GIST's admin lends it to two partners (one named twice). */
	r = call(&gist_admin, "POST", "/api/v1/facilities", f(FACILITY_BODY, 1, 1, jnu, chosun, jnu));
	assert_int_equal(r.status, 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	assert_int_equal(json_integer_value(json_object_get(r.json, "institution_id")), gist);
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), "공유 실습실 1");
	assert_string_equal(json_string_value(json_object_get(r.json, "kind")), "lab");
	lent = json_object_get(r.json, "lent_to");
	assert_int_equal(json_array_size(lent), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(lent, 0),
							    "institution_id")),
			 jnu < chosun ? jnu : chosun);
	json_decref(r.json);
	assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action = 'facility.create'"
				 " AND target_id = %lld AND institution_id = %lld",
				 id, gist)),
			 1);
	/* One name per institution. */
	r = call(&gist_admin, "POST", "/api/v1/facilities", f(FACILITY_BODY, 1, 2, jnu, chosun, jnu));
	expect(&r, 409, "facility_name_taken", "name_ko");

	/* Bad values are named. */
	{
		static const struct {
			const char *body, *field;
		} cases[] = {
			{"{\"name_ko\": \"\", \"name_en\": \"E\", \"kind\": \"lab\", \"capacity\": 3}",
			 "name_ko"},
			{"{\"name_ko\": \"가\", \"name_en\": \"E\", \"kind\": \"pool\", \"capacity\": 3}",
			 "kind"},
			{"{\"name_ko\": \"가\", \"name_en\": \"E\", \"kind\": \"lab\", \"capacity\": 0}",
			 "capacity"},
			{"{\"name_ko\": \"가\", \"name_en\": \"E\", \"kind\": \"lab\", \"capacity\": 5001}",
			 "capacity"},
			{"{\"name_ko\": \"가\", \"name_en\": \"E\", \"kind\": \"lab\"}", "capacity"},
			{"{\"name_ko\": \"가\", \"name_en\": \"E\", \"kind\": \"lab\", \"capacity\": 3,"
			 " \"lent_to\": [\"x\"]}",
			 "lent_to"},
			{"{\"name_ko\": \"가\", \"name_en\": \"E\", \"kind\": \"lab\", \"capacity\": 3,"
			 " \"lent_to\": [987654321]}",
			 "lent_to"},
			{"{\"name_ko\": \"가\", \"name_en\": \"E\", \"kind\": \"lab\", \"capacity\": 3,"
			 " \"lent_to\": {GIST}}",
			 "lent_to"},
			{"{\"name_ko\": \"가\", \"name_en\": \"E\", \"kind\": \"lab\", \"capacity\": 3,"
			 " \"floor\": 2}",
			 "floor"},
			{"{\"name_ko\": \"가\", \"name_en\": \"E\", \"kind\": \"lab\", \"capacity\": 3,"
			 " \"institution_id\": 987654321}",
			 "institution_id"},
		};
		char b[512];

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			const char *g = strstr(cases[i].body, "{GIST}");

			if (g)
				snprintf(b, sizeof(b), "%.*s[%lld]%s", (int)(g - cases[i].body),
					 cases[i].body, gist, g + 6);
			else
				snprintf(b, sizeof(b), "%s", cases[i].body);
			r = call(strstr(b, "\"institution_id\"") ? &platform : &gist_admin, "POST",
				 "/api/v1/facilities", b);
			expect(&r, 400, "validation_failed", cases[i].field);
		}
	}
	assert_int_equal(count("SELECT count(*) FROM facilities"), before + 1);

	/* Changing it, and whom it is lent to. */
	snprintf(path, sizeof(path), "/api/v1/facilities/%lld", id);
	r = call(&gist_admin, "PATCH", path, f("{\"capacity\": 40, \"lent_to\": [%lld]}", honam));
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "capacity")), 40);
	assert_string_equal(json_string_value(json_object_get(r.json, "location")), "오룡관 1층");
	lent = json_object_get(r.json, "lent_to");
	assert_int_equal(json_array_size(lent), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(lent, 0),
							    "institution_id")),
			 honam);
	json_decref(r.json);
	r = call(&gist_admin, "PATCH", path, "{\"name_en\": \"Shared Lab One\"}");
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "lent_to")), 1);
	json_decref(r.json);
	assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action = 'facility.update'"
				 " AND target_id = %lld",
				 id)),
			 2);
	r = call(&jnu_admin, "PATCH", path, "{\"capacity\": 2}");
	expect(&r, 403, "forbidden", NULL);
	r = call(&learner, "PATCH", path, "{\"capacity\": 2}");
	expect(&r, 403, "forbidden", NULL);
	r = call(&gist_admin, "PATCH", path, f("{\"institution_id\": %lld}", jnu));
	expect(&r, 400, "validation_failed", "institution_id");
	r = call(&gist_admin, "PATCH", path, f("{\"lent_to\": [%lld]}", gist));
	expect(&r, 400, "validation_failed", "lent_to");
	r = call(&gist_admin, "PATCH", path, "{\"kind\": \"gym\"}");
	expect(&r, 400, "validation_failed", "kind");
	r = call(&gist_admin, "PATCH", path, "{}");
	expect(&r, 400, "invalid_request", NULL);
	r = call(&gist_admin, "PATCH", path, "{\"name_ko\": \"GPU 실습실\"}");
	expect(&r, 409, "facility_name_taken", "name_ko");
	r = call(&gist_admin, "PATCH", "/api/v1/facilities/987654321", "{\"capacity\": 2}");
	expect(&r, 404, "not_found", NULL);
	assert_int_equal(count(f("SELECT capacity FROM facilities WHERE id = %lld", id)), 40);

	/* Listing: anyone signed in; an institution's own, or what it may
	 * use (its own and what is lent to it). */
	r = call(&learner, "GET", f("/api/v1/facilities?institution_id=%lld&limit=100", gist), NULL);
	assert_int_equal(r.status, 200);
	assert_true(lists(r.json, id));
	json_decref(r.json);
	r = call(&learner, "GET", f("/api/v1/facilities?usable_by=%lld&limit=100&lang=en", honam),
		 NULL);
	assert_int_equal(r.status, 200);
	assert_true(lists(r.json, id));
	assert_string_equal(json_string_value(json_object_get(item(r.json, id), "name")),
			    "Shared Lab One");
	assert_true(lists(r.json, harness_sql_llf(conninfo, "SELECT id FROM facilities WHERE"
							    " name_en = 'AI-Centred University"
							    " Robot Lab'")));
	json_decref(r.json);
	r = call(&learner, "GET", f("/api/v1/facilities?usable_by=%lld&limit=100", jnu), NULL);
	assert_false(lists(r.json, id));
	json_decref(r.json);
	r = call(&learner, "GET", "/api/v1/facilities?institution_id=x", NULL);
	expect(&r, 400, "validation_failed", "institution_id");
	r = call(&learner, "GET", "/api/v1/facilities?usable_by=-1", NULL);
	expect(&r, 400, "validation_failed", "usable_by");
	r = call(&learner, "GET", "/api/v1/facilities?limit=101", NULL);
	expect(&r, 400, "validation_failed", "limit");
	r = call(NULL, "GET", "/api/v1/facilities", NULL);
	expect(&r, 401, "unauthenticated", NULL);
	assert_int_equal(status_of(&platform, "GET", "/api/v1/facilities", NULL), 200);
}

/* What the database refuses is answered from one table: a constraint is
 * the request's fault (400), a database that takes no changes passes
 * (503); neither is a 500. */
static void database_refusals_are_answered(void **state)
{
	static const struct {
		const char *errcode;
		long status;
		const char *code;
	} cases[] = {
		{"check_violation", 400, "validation_failed"},
		{"read_only_sql_transaction", 503, "unavailable"},
	};
	struct answer r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(
			harness_sql(conninfo,
				    f("CREATE FUNCTION refuse_share() RETURNS trigger LANGUAGE plpgsql"
				      " AS $$ BEGIN RAISE EXCEPTION 'refused for the test' USING"
				      " ERRCODE = '%s'; END $$; CREATE TRIGGER refuse_share BEFORE"
				      " INSERT ON instructor_shares FOR EACH ROW EXECUTE FUNCTION"
				      " refuse_share()",
				      cases[i].errcode)),
			0);
		r = call(&gist_admin, "POST", f("/api/v1/instructors/%lld/shares", instructor_id),
			 f("{\"institution_id\": %lld}", honam));
		assert_int_equal(harness_sql(conninfo, "DROP TRIGGER refuse_share ON instructor_shares;"
						       " DROP FUNCTION refuse_share()"),
				 0);
		expect(&r, cases[i].status, cases[i].code, NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(actors),
		cmocka_unit_test(demo_profiles_and_shares),
		cmocka_unit_test(instructor_create),
		cmocka_unit_test(instructor_validation),
		cmocka_unit_test(instructor_update),
		cmocka_unit_test(directory),
		cmocka_unit_test(sharing),
		cmocka_unit_test(partners_assign_shared_instructors_only),
		cmocka_unit_test(store_checks),
		cmocka_unit_test(facilities),
		cmocka_unit_test(database_refusals_are_answered),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
