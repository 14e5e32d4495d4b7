/* summary_test.c - the enrolment summary report against a running server:
 * counts, dates, tenant isolation, tokens, CSV and its audit trail */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define BOM "\xEF\xBB\xBF"
#define PATH "/api/v1/reports/summary"

static struct lms_server server;
static char conninfo[1024];

static struct harness_actor learner, gist_admin, jnu_admin, platform, token, audit_token;
static long long gist, jnu, chosun;
static long long course_a1, course_a2, course_b1;

/* ---- helpers ---- */

#define sql_ll(...) harness_sql_llf(conninfo, __VA_ARGS__)

/* GET path as a; the status must be want; returns the body as JSON (new). */
#define get_json(a, path, want) harness_json_as(&server, (a), "GET", (path), NULL, (want))

/* GET path as a must be a 400 naming field. */
#define assert_names(a, path, field)                                                     \
	harness_problem_as(&server, (a), "GET", (path), NULL, 400, "validation_failed", (field))


/* The item of array whose member key is the integer or string want. */
static json_t *find(const json_t *array, const char *key, const char *want)
{
	json_t *item;
	size_t i;

	json_array_foreach(array, i, item) {
		const json_t *v = json_object_get(item, key);
		char buf[32];

		if (json_is_integer(v))
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		else
			snprintf(buf, sizeof(buf), "%s", json_is_string(v) ? json_string_value(v) : "");
		if (!strcmp(buf, want))
			return item;
	}
	return NULL;
}

/* The status counts of obj, in the CSV's order, must be want[0..6]
 * (enrolled waitlisted pending completed incomplete cancelled rejected). */
static void assert_counts(const json_t *obj, const long long want[7])
{
	static const char *const names[] = {"enrolled", "waitlisted", "pending", "completed",
					    "incomplete", "cancelled", "rejected"};

	for (int i = 0; i < 7; i++)
		if (harness_json_ll(obj, names[i]) != want[i])
			fail_msg("%s: expected %lld, got %lld", names[i], want[i],
				 harness_json_ll(obj, names[i]));
}

static void assert_rate(const json_t *v, double want)
{
	if (!json_is_number(v) || fabs(json_number_value(v) - want) > 1e-9)
		fail_msg("completion_rate: expected %g", want);
}

static long long course_of(long long institution, const char *program, const char *code,
			   const char *title_ko)
{
	char title_en[64];

	snprintf(title_en, sizeof(title_en), "Summary %s", code);
	return harness_course_create(conninfo, &(struct harness_course){.institution = institution,
									.code = code,
									.program = program,
									.title_ko = title_ko,
									.title_en = title_en});
}

static long long section_of(long long course)
{
	return harness_section_create(conninfo,
				      &(struct harness_section){.course = course, .capacity = 50});
}

/* An enrolment of user in section with status, created at (SQL literal). */
static void enroll(long long section, long long user, const char *status, const char *at)
{
	harness_enrollment_create(conninfo, &(struct harness_enrollment){.section = section,
									  .user = user,
									  .status = status,
									  .created_at = at});
}

/* ---- fixture ---- */

/*
 * GIST (A): course_a1 (ai_academy) with six enrolments on 2026-03-05 and
 * course_a2 (online) with four on other days; Chonnam (B): course_b1
 * (regional_center) with four. Users by stage: w* workers, u* undergraduates,
 * h1 at high school.
 */
static int setup(void **state)
{
	struct harness_actor w[4], u[2], h[1];
	long long w1, w2, w3, w4, u1, u2, h1, a1, a2, b1;

	if (harness_db_create("summary", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	jnu = sql_ll("SELECT id FROM institutions WHERE code = 'jnu'");
	chosun = sql_ll("SELECT id FROM institutions WHERE code = 'chosun'");
	if (harness_login(&server, "learner@example.com", DEMO_PASSWORD, &learner) != 0 ||
	    harness_login(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin) != 0 ||
	    harness_login(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin) != 0 ||
	    harness_login(&server, "admin@example.com", DEMO_PASSWORD, &platform) != 0)
		return -1;
	if (harness_token_create(&server, &gist_admin, gist, "summary reports",
				 "\"reports:read\"", &token) < 0 ||
	    harness_token_create(&server, &gist_admin, gist, "summary audit", "\"audit:read\"",
				 &audit_token) < 0)
		return -1;

	if (harness_learners_create(conninfo, "sum-w", "worker", 4, w) != 0 ||
	    harness_learners_create(conninfo, "sum-u", "undergraduate", 2, u) != 0 ||
	    harness_learners_create(conninfo, "sum-h", "high", 1, h) != 0)
		return -1;
	w1 = w[0].user_id, w2 = w[1].user_id, w3 = w[2].user_id, w4 = w[3].user_id;
	u1 = u[0].user_id, u2 = u[1].user_id, h1 = h[0].user_id;

	course_a1 = course_of(gist, "ai_academy", "SUM-A1", "요약 A1");
	course_a2 = course_of(gist, "online", "SUM-A2", "요약 A2");
	course_b1 = course_of(jnu, "regional_center", "SUM-B1", "=요약, \"B\"");
	a1 = section_of(course_a1);
	a2 = section_of(course_a2);
	b1 = section_of(course_b1);

	enroll(a1, w1, "enrolled", "2026-03-05T10:00:00+09:00");
	enroll(a1, w2, "completed", "2026-03-05T10:00:00+09:00");
	enroll(a1, w3, "completed", "2026-03-05T10:00:00+09:00");
	enroll(a1, u1, "incomplete", "2026-03-05T10:00:00+09:00");
	enroll(a1, u2, "waitlisted", "2026-03-05T10:00:00+09:00");
	enroll(a1, h1, "pending", "2026-03-05T10:00:00+09:00");
	enroll(a2, w1, "completed", "2026-04-10T10:00:00+09:00");
	enroll(a2, w2, "cancelled", "2026-04-10T10:00:00+09:00");
	/* 23:30 in Korea on the last day of February: before 2026-03-01. */
	enroll(a2, u1, "rejected", "2026-02-27T23:30:00+09:00");
	/* 00:30 in Korea on 1 April, still 31 March in UTC. */
	enroll(a2, w4, "enrolled", "2026-03-31T15:30:00Z");

	enroll(b1, w1, "completed", "2026-03-10T10:00:00+09:00");
	enroll(b1, w2, "enrolled", "2026-03-10T10:00:00+09:00");
	enroll(b1, w3, "completed", "2026-03-10T10:00:00+09:00");
	enroll(b1, w4, "incomplete", "2026-03-10T10:00:00+09:00");
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(harness_server_stop(&server), 0);
	return 0;
}

/* ---- counts ---- */

static void counts_by_program_course_status_and_stage(void **state)
{
	json_t *s = get_json(&gist_admin, PATH, 200), *p, *c, *list;
	char id[24];

	(void)state;
	assert_int_equal(harness_json_ll(s, "institution_id"), gist);
	assert_true(json_is_null(json_object_get(s, "from")));
	assert_true(json_is_null(json_object_get(s, "to")));
	assert_int_equal(harness_json_ll(s, "total"), 10);
	assert_counts(json_object_get(s, "by_status"), (const long long[]){2, 1, 1, 3, 1, 1, 1});
	assert_rate(json_object_get(s, "completion_rate"), 0.75);
	assert_int_equal(harness_json_ll(s, "waitlist_length"), 1);

	/* Programmes in their order, each with its counts and rate. */
	list = json_object_get(s, "by_program");
	assert_int_equal(json_array_size(list), 2);
	p = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(p, "program")), "ai_academy");
	assert_string_equal(json_string_value(json_object_get(p, "name")), "인공지능사관학교");
	assert_string_equal(json_string_value(json_object_get(p, "name_en")), "AI Academy");
	assert_counts(p, (const long long[]){1, 1, 1, 2, 1, 0, 0});
	assert_int_equal(harness_json_ll(p, "total"), 6);
	assert_rate(json_object_get(p, "completion_rate"), 0.6667);
	p = json_array_get(list, 1);
	assert_string_equal(json_string_value(json_object_get(p, "program")), "online");
	assert_counts(p, (const long long[]){1, 0, 0, 1, 0, 1, 1});
	assert_int_equal(harness_json_ll(p, "total"), 4);
	assert_rate(json_object_get(p, "completion_rate"), 1.0);

	/* Courses, the largest first. */
	list = json_object_get(s, "by_course");
	assert_int_equal(json_array_size(list), 2);
	c = json_array_get(list, 0);
	assert_int_equal(harness_json_ll(c, "course_id"), course_a1);
	assert_string_equal(json_string_value(json_object_get(c, "code")), "SUM-A1");
	assert_string_equal(json_string_value(json_object_get(c, "title")), "요약 A1");
	assert_string_equal(json_string_value(json_object_get(c, "program")), "ai_academy");
	assert_int_equal(harness_json_ll(c, "institution_id"), gist);
	assert_int_equal(harness_json_ll(c, "total"), 6);
	c = json_array_get(list, 1);
	assert_int_equal(harness_json_ll(c, "course_id"), course_a2);
	assert_counts(c, (const long long[]){1, 0, 0, 1, 0, 1, 1});

	/* Stages in ladder order, only those present. */
	list = json_object_get(s, "by_stage");
	assert_int_equal(json_array_size(list), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "stage")),
			    "high");
	assert_int_equal(harness_json_ll(json_array_get(list, 0), "total"), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "stage")),
			    "undergraduate");
	assert_int_equal(harness_json_ll(json_array_get(list, 1), "total"), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 2), "stage")),
			    "worker");
	assert_int_equal(harness_json_ll(json_array_get(list, 2), "total"), 6);
	snprintf(id, sizeof(id), "%lld", course_b1);
	assert_null(find(json_object_get(s, "by_course"), "course_id", id));
	json_decref(s);

	/* Names in the language asked for. */
	s = get_json(&gist_admin, PATH "?lang=en", 200);
	p = json_array_get(json_object_get(s, "by_program"), 0);
	assert_string_equal(json_string_value(json_object_get(p, "name")), "AI Academy");
	c = json_array_get(json_object_get(s, "by_course"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "title")), "Summary SUM-A1");
	json_decref(s);
}

static void nothing_to_count(void **state)
{
	char path[128];
	json_t *s;

	(void)state;
	snprintf(path, sizeof(path), PATH "?institution_id=%lld", chosun);
	s = get_json(&platform, path, 200);
	assert_int_equal(harness_json_ll(s, "total"), 0);
	assert_counts(json_object_get(s, "by_status"), (const long long[]){0, 0, 0, 0, 0, 0, 0});
	assert_true(json_is_null(json_object_get(s, "completion_rate")));
	assert_int_equal(harness_json_ll(s, "waitlist_length"), 0);
	assert_int_equal(json_array_size(json_object_get(s, "by_program")), 0);
	assert_int_equal(json_array_size(json_object_get(s, "by_course")), 0);
	assert_int_equal(json_array_size(json_object_get(s, "by_stage")), 0);
	json_decref(s);
}

/* ---- dates ---- */

static long long total_of(const struct harness_actor *a, const char *path)
{
	json_t *s = get_json(a, path, 200);
	long long n = harness_json_ll(s, "total");

	json_decref(s);
	return n;
}

static void dates_are_korean_midnights_and_half_open(void **state)
{
	json_t *s;

	(void)state;
	/* From 1 March in Korea: the rejection of 27 February goes. */
	assert_int_equal(total_of(&gist_admin, PATH "?from=2026-03-01"), 9);
	/* Before 1 April in Korea: the April rows and the one of 00:30 on 1
	 * April (31 March in UTC) go. */
	assert_int_equal(total_of(&gist_admin, PATH "?from=2026-03-01&to=2026-04-01"), 6);
	assert_int_equal(total_of(&gist_admin, PATH "?to=2026-04-01"), 7);
	/* The end is not in the window; a second later it is. */
	assert_int_equal(total_of(&gist_admin, PATH "?from=2026-03-01&to=2026-03-31T15:30:00Z"), 6);
	assert_int_equal(total_of(&gist_admin, PATH "?from=2026-03-01&to=2026-03-31T15:30:01Z"), 7);
	/* An offset's "+" sent unencoded is still an offset. */
	assert_int_equal(total_of(&gist_admin,
				  PATH "?from=2026-03-01&to=2026-04-01T00:30:01+09:00"),
			 7);
	assert_int_equal(total_of(&gist_admin,
				  PATH "?from=2026-03-01&to=2026-04-01T00:30:01%2B09:00"),
			 7);

	/* The window comes back in Korean time. */
	s = get_json(&gist_admin, PATH "?from=2026-03-01&to=2026-03-31T15:30:00Z", 200);
	assert_string_equal(json_string_value(json_object_get(s, "from")),
			    "2026-03-01T00:00:00+09:00");
	assert_string_equal(json_string_value(json_object_get(s, "to")),
			    "2026-04-01T00:30:00+09:00");
	json_decref(s);
}

static void bad_parameters_are_named(void **state)
{
	(void)state;
	assert_names(&gist_admin, PATH "?from=2026-13-01", "from");
	assert_names(&gist_admin, PATH "?from=yesterday", "from");
	assert_names(&gist_admin, PATH "?to=2026-03-01T09:00:00", "to");
	assert_names(&gist_admin, PATH "?from=2026-03-02&to=2026-03-01", "to");
	assert_names(&gist_admin, PATH "?from=2026-03-01&to=2026-03-01", "to");
	assert_names(&gist_admin, PATH "?institution_id=abc", "institution_id");
	assert_names(&gist_admin, PATH "?institution_id=0", "institution_id");
	assert_names(&gist_admin, PATH "?format=xml", "format");
	assert_names(&gist_admin, PATH "?bom=2", "bom");
	/* A misspelt filter would widen the report without a word. */
	assert_names(&platform, PATH "?institution=1", "institution");
}

/* ---- filters ---- */

/* The enrolment report's filters narrow the summary the same way, and a
 * bad one is named; another institution's course counts nothing. */
static void filters_narrow_the_counts(void **state)
{
	char path[160];
	json_t *s;

	(void)state;
	s = get_json(&gist_admin, PATH "?program=ai_academy", 200);
	assert_int_equal(harness_json_ll(s, "total"), 6);
	assert_int_equal(json_array_size(json_object_get(s, "by_program")), 1);
	assert_int_equal(json_array_size(json_object_get(s, "by_course")), 1);
	json_decref(s);
	snprintf(path, sizeof(path), PATH "?course_id=%lld", course_a2);
	assert_int_equal(total_of(&gist_admin, path), 4);
	s = get_json(&gist_admin, PATH "?status=completed", 200);
	assert_int_equal(harness_json_ll(s, "total"), 3);
	assert_counts(json_object_get(s, "by_status"), (const long long[]){0, 0, 0, 3, 0, 0, 0});
	json_decref(s);
	s = get_json(&gist_admin, PATH "?stage=worker", 200);
	assert_int_equal(harness_json_ll(s, "total"), 6);
	assert_int_equal(json_array_size(json_object_get(s, "by_stage")), 1);
	json_decref(s);
	assert_int_equal(total_of(&gist_admin, PATH "?program=online&status=completed"), 1);
	assert_int_equal(total_of(&gist_admin, PATH "?program=online&from=2026-03-01&stage=worker"), 3);
	snprintf(path, sizeof(path), PATH "?course_id=%lld", course_b1);
	assert_int_equal(total_of(&gist_admin, path), 0);
	snprintf(path, sizeof(path), PATH "?institution_id=%lld&course_id=%lld", jnu, course_b1);
	assert_int_equal(total_of(&platform, path), 4);

	assert_names(&gist_admin, PATH "?program=nope", "program");
	assert_names(&gist_admin, PATH "?status=finished", "status");
	assert_names(&gist_admin, PATH "?stage=retired", "stage");
	assert_names(&gist_admin, PATH "?course_id=abc", "course_id");
	assert_names(&gist_admin, PATH "?program=", "program");
}

/* ---- who sees what ---- */

static void each_institution_sees_its_own(void **state)
{
	char path[128], a1[24], b1[24];
	json_t *s;

	(void)state;
	snprintf(a1, sizeof(a1), "%lld", course_a1);
	snprintf(b1, sizeof(b1), "%lld", course_b1);

	/* B's admin: only B's four, none of A's courses or stages. */
	s = get_json(&jnu_admin, PATH, 200);
	assert_int_equal(harness_json_ll(s, "institution_id"), jnu);
	assert_int_equal(harness_json_ll(s, "total"), 4);
	assert_counts(json_object_get(s, "by_status"), (const long long[]){1, 0, 0, 2, 1, 0, 0});
	assert_rate(json_object_get(s, "completion_rate"), 0.6667);
	assert_null(find(json_object_get(s, "by_course"), "course_id", a1));
	assert_non_null(find(json_object_get(s, "by_course"), "course_id", b1));
	assert_int_equal(json_array_size(json_object_get(s, "by_stage")), 1);
	json_decref(s);

	/* Naming the other institution is refused, for admins and tokens. */
	snprintf(path, sizeof(path), PATH "?institution_id=%lld", gist);
	assert_int_equal(harness_status_as(&server, &jnu_admin, "GET", path, NULL), 403);
	snprintf(path, sizeof(path), PATH "?institution_id=%lld", jnu);
	assert_int_equal(harness_status_as(&server, &gist_admin, "GET", path, NULL), 403);
	assert_int_equal(harness_status_as(&server, &token, "GET", path, NULL), 403);

	/* A token with reports:read reads its institution's; without, none. */
	s = get_json(&token, PATH, 200);
	assert_int_equal(harness_json_ll(s, "institution_id"), gist);
	assert_int_equal(harness_json_ll(s, "total"), 10);
	assert_null(find(json_object_get(s, "by_course"), "course_id", b1));
	json_decref(s);
	assert_int_equal(harness_status_as(&server, &audit_token, "GET", PATH, NULL), 403);

	/* The operating committee: everything, or one institution. */
	s = get_json(&platform, PATH, 200);
	assert_true(json_is_null(json_object_get(s, "institution_id")));
	assert_int_equal(harness_json_ll(s, "total"), 14);
	assert_non_null(find(json_object_get(s, "by_course"), "course_id", a1));
	assert_non_null(find(json_object_get(s, "by_course"), "course_id", b1));
	assert_int_equal(json_array_size(json_object_get(s, "by_program")), 3);
	json_decref(s);
	snprintf(path, sizeof(path), PATH "?institution_id=%lld", gist);
	assert_int_equal(total_of(&platform, path), 10);

	/* Learners and visitors see no report. */
	assert_int_equal(harness_status_as(&server, &learner, "GET", PATH, NULL), 403);
	assert_int_equal(harness_status_as(&server, NULL, "GET", PATH, NULL), 401);
}

/* ---- CSV ---- */

static void csv_bytes(void **state)
{
	char want[1024], auth[300];
	const char *headers[] = {auth, "Accept: text/csv", NULL};
	struct http_result r = {0};
	char type[128], disposition[128];

	(void)state;
	snprintf(want, sizeof(want),
		 BOM "dimension,key,name,enrolled,waitlisted,pending,completed,incomplete,"
		     "cancelled,rejected,total,completion_rate\r\n"
		     "all,,,1,0,0,2,1,0,0,4,0.6667\r\n"
		     "program,regional_center,지역지능화 혁신인재양성,1,0,0,2,1,0,0,4,0.6667\r\n"
		     "course,%lld,\"'=요약, \"\"B\"\"\",1,0,0,2,1,0,0,4,0.6667\r\n"
		     "stage,worker,,,,,,,,,4,\r\n",
		 course_b1);
	if (harness_as(&server, &jnu_admin, "GET", PATH "?format=csv", NULL, &r) != 0)
		fail_msg("no response");
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, want);
	assert_string_equal(http_result_header(&r, "Content-Type", type, sizeof(type)),
			    "text/csv; charset=utf-8");
	assert_string_equal(http_result_header(&r, "Content-Disposition", disposition,
					       sizeof(disposition)),
			    "attachment; filename=\"summary.csv\"");
	http_result_release(&r);

	/* The Accept header asks for it too; ?bom=0 leaves the mark out. */
	snprintf(auth, sizeof(auth), "Cookie: %s", jnu_admin.cookie);
	if (harness_request_once(&server, "GET", PATH "?bom=0", headers, NULL, &r) != 0)
		fail_msg("no response");
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, want + strlen(BOM));
	http_result_release(&r);

	/* ?format=json wins over the header. */
	if (harness_request_once(&server, "GET", PATH "?format=json", headers, NULL, &r) != 0)
		fail_msg("no response");
	assert_int_equal(r.status, 200);
	assert_contains(http_result_header(&r, "Content-Type", type, sizeof(type)),
			"application/json");
	http_result_release(&r);
}

/* ---- audit ---- */

static void pulls_are_audited(void **state)
{
	long long before = sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.summary'");
	long long by_token = sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.summary'"
				    " AND actor_token_id IS NOT NULL");
	struct http_result r = {0};

	(void)state;
	/* The last row of the trail is this pull: who, whose, which window,
	 * how many rows. */
	json_decref(get_json(&gist_admin, PATH "?from=2026-03-01", 200));
	assert_int_equal(
		sql_ll("SELECT count(*) FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)"
		       " AND action = 'report.summary'"
		       " AND actor_user_id = %lld AND institution_id = %lld"
		       " AND detail->>'format' = 'json' AND (detail->>'enrollments')::int = 9"
		       " AND (detail->>'rows')::int = 1 + 2 + 2 + 3"
		       " AND detail->>'from' = '2026-03-01T00:00:00+09:00' AND detail->'to' = 'null'",
		       gist_admin.user_id, gist),
		1);
	json_decref(get_json(&token, PATH, 200));
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.summary'"
				" AND actor_token_id IS NOT NULL AND institution_id = %lld",
				gist),
			 by_token + 1);
	if (harness_as(&server, &platform, "GET", PATH "?format=csv", NULL, &r) != 0)
		fail_msg("no response");
	assert_int_equal(r.status, 200);
	http_result_release(&r);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE id = (SELECT max(id)"
				" FROM audit_log) AND action = 'report.summary'"
				" AND institution_id IS NULL AND detail->>'format' = 'csv'"
				" AND (detail->>'enrollments')::int = 14 AND actor_user_id = %lld",
				platform.user_id),
			 1);
	/* Refusals read nothing and record no pull. */
	assert_int_equal(harness_status_as(&server, &learner, "GET", PATH, NULL), 403);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.summary'"),
			 before + 3);

	/* When the audit row cannot be written, the report is not sent. */
	if (harness_sql(conninfo, "REVOKE INSERT ON audit_log FROM lms_app") != 0)
		fail_msg("cannot revoke");
	if (harness_as(&server, &gist_admin, "GET", PATH, NULL, &r) != 0)
		fail_msg("no response");
	assert_int_equal(r.status, 503);
	if (strstr(r.body, "by_program"))
		fail_msg("the report was sent without its audit row: %s", r.body);
	http_result_release(&r);
	if (harness_sql(conninfo, "GRANT INSERT ON audit_log TO lms_app") != 0)
		fail_msg("cannot grant");
	assert_int_equal(total_of(&gist_admin, PATH), 10);
}

/* ---- the day's new enrolments ---- */

/* created_today: of the counted enrolments, those created since midnight
 * in Korea (one a minute before it is yesterday's); the dashboard reads it
 * with the totals in one request. */
static void created_today_counts_the_day(void **state)
{
	struct harness_actor t[3];
	char yesterday[64];
	long long section;
	json_t *s;

	(void)state;
	s = get_json(&gist_admin, PATH, 200);
	assert_int_equal(harness_json_ll(s, "created_today"), 0);
	json_decref(s);
	if (harness_learners_create(conninfo, "sum-today", "worker", 3, t) != 0)
		fail_msg("no learners");
	section = section_of(course_a2);
	if (harness_sql_value(conninfo,
			      "SELECT (date_trunc('day', now() AT TIME ZONE 'Asia/Seoul')"
			      " AT TIME ZONE 'Asia/Seoul') - interval '1 minute'",
			      yesterday, sizeof(yesterday)) != 0)
		fail_msg("no time");
	enroll(section, t[0].user_id, "enrolled", NULL);
	enroll(section, t[1].user_id, "cancelled", NULL);
	enroll(section, t[2].user_id, "enrolled", yesterday);
	s = get_json(&gist_admin, PATH, 200);
	assert_int_equal(harness_json_ll(s, "total"), 13);
	assert_int_equal(harness_json_ll(s, "created_today"), 2);
	json_decref(s);
	/* Within the counted ones only: the window, the filters, the institution. */
	s = get_json(&gist_admin, PATH "?from=2026-03-01&to=2026-04-01", 200);
	assert_int_equal(harness_json_ll(s, "created_today"), 0);
	json_decref(s);
	s = get_json(&gist_admin, PATH "?status=enrolled", 200);
	assert_int_equal(harness_json_ll(s, "created_today"), 1);
	json_decref(s);
	s = get_json(&jnu_admin, PATH, 200);
	assert_int_equal(harness_json_ll(s, "created_today"), 0);
	json_decref(s);
	s = get_json(&platform, PATH, 200);
	assert_int_equal(harness_json_ll(s, "created_today"), 2);
	json_decref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_by_program_course_status_and_stage),
		cmocka_unit_test(nothing_to_count),
		cmocka_unit_test(dates_are_korean_midnights_and_half_open),
		cmocka_unit_test(bad_parameters_are_named),
		cmocka_unit_test(filters_narrow_the_counts),
		cmocka_unit_test(each_institution_sees_its_own),
		cmocka_unit_test(csv_bytes),
		cmocka_unit_test(pulls_are_audited),
		cmocka_unit_test(created_today_counts_the_day),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
