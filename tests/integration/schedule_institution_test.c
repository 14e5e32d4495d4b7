/* schedule_institution_test.c - an institution's schedule against a running
 * server: the sessions of its sections whoever teaches them (a shared
 * instructor too), interview slots, the window, bad input, who may read it */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define USER_PASSWORD "schedule-user-pass-2026"
#define WORKER(name) "\"display_name\": \"" name "\", \"ladder_stage\": \"worker\""
#define MARCH "from=2027-03-01&to=2027-04-01"

static struct lms_server server;
static char conninfo[1024];

/* shared: an instructor of GIST shared with Chonnam (JNU); jnu_own: one of
 * Chonnam's own. */
static struct harness_actor shared, jnu_own, gist_admin, jnu_admin, chosun_admin, platform,
	learner, demo_instructor, token;
static long long gist, jnu, chosun, section_g, section_j, section_i, room;
/*
 * g1: GIST's section, the shared instructor, 2027-03-03 09:00-12:00 in Korea,
 * in a GIST room. j1: JNU's section, the shared instructor, 2027-03-04
 * 10:00-11:00, online. j2: JNU's, its own instructor, 2027-03-02 14:00-16:00.
 * j3: JNU's, cancelled, 2027-03-05. j_april: JNU's, April. i1: an interview
 * slot of a JNU intake, 2027-03-06.
 */
static long long g1, j1, j2, j3, j_april, i1;

#define sql_ll(...) harness_sql_llf(conninfo, __VA_ARGS__)

static void sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sql(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (harness_sql(conninfo, buf) != 0)
		fail_msg("SQL failed: %s", buf);
}

/* The path of institution's schedule with query ("": none). */
static const char *path_of(char *out, size_t len, long long institution, const char *query)
{
	snprintf(out, len, "/api/v1/institutions/%lld/schedule%s%s", institution,
		 query[0] ? "?" : "", query);
	return out;
}

/* The ids of a schedule's items, in order, as "1,2,3". */
static void item_ids(const json_t *body, char *out, size_t len)
{
	const json_t *item;
	size_t i, used = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(body, "items"), i, item) {
		int n = snprintf(out + used, len - used, "%s%lld", i ? "," : "",
				 (long long)json_integer_value(json_object_get(item, "id")));
		if (n < 0 || (size_t)n >= len - used)
			fail_msg("too many items");
		used += (size_t)n;
	}
}

static const char *ids(char *buf, size_t len, int n, ...)
{
	va_list ap;
	size_t used = 0;

	buf[0] = '\0';
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%lld", i ? "," : "",
					 va_arg(ap, long long));
	va_end(ap);
	return buf;
}

/* GET institution's schedule with query as a: must be 200; the ids of its
 * items into got. */
static void schedule_ids(const struct harness_actor *a, long long institution, const char *query,
			 char *got, size_t len)
{
	char path[256];
	json_t *body = harness_get_json(&server, a, path_of(path, sizeof(path), institution, query));

	item_ids(body, got, len);
	json_decref(body);
}

/* The item of body whose id is id; fails when there is none. Borrowed. */
static const json_t *item_of(const json_t *body, long long id)
{
	const json_t *item;
	size_t i;

	json_array_foreach(json_object_get(body, "items"), i, item)
		if (json_integer_value(json_object_get(item, "id")) == id)
			return item;
	fail_msg("no item %lld", id);
	return NULL;
}

static long long session_of(long long section, long long instructor, const char *starts,
			    int hours, const char *place)
{
	return sql_ll("INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id,"
		      " facility_id, online_url) SELECT %lld, t, t + interval '%d hours', %lld, %s"
		      " FROM (SELECT timestamptz '%s' AS t) x RETURNING id",
		      section, hours, instructor, place, starts);
}

static long long section_of(long long course)
{
	return harness_section_create(conninfo, &(struct harness_section){.course = course,
									  .term = "2027-1",
									  .starts_on = "2026-09-01",
									  .ends_on = "2027-06-30",
									  .opens_at = "2026-08-01",
									  .closes_at = "2026-08-31"});
}

static int setup(void **state)
{
	long long course_g, course_j, intake, stage;
	char place[128];

	(void)state;
	if (harness_db_create("schedule_institution", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	jnu = sql_ll("SELECT id FROM institutions WHERE code = 'jnu'");
	chosun = sql_ll("SELECT id FROM institutions WHERE code = 'chosun'");

	harness_register_ok(&server, "inst-shared@example.com", USER_PASSWORD,
			    WORKER("공유 교수"), &shared);
	harness_register_ok(&server, "inst-jnu-own@example.com", USER_PASSWORD,
			    WORKER("전남대 교수"), &jnu_own);
	harness_register_ok(&server, "inst-chosun-admin@example.com", USER_PASSWORD,
			    WORKER("조선대 관리자"), &chosun_admin);
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	harness_login_ok(&server, "admin@example.com", DEMO_PASSWORD, &platform);
	harness_login_ok(&server, "learner@example.com", DEMO_PASSWORD, &learner);
	harness_login_ok(&server, "instructor@example.com", DEMO_PASSWORD, &demo_instructor);
	if (harness_token_create(&server, &jnu_admin, jnu, "schedule", "\"reports:read\"",
				 &token) < 0)
		return -1;
	sql("INSERT INTO user_roles (user_id, role, institution_id) VALUES"
	    " (%lld, 'institution_admin', %lld)",
	    chosun_admin.user_id, chosun);
	sql("INSERT INTO instructors (user_id, home_institution_id) VALUES (%lld, %lld), (%lld, %lld);"
	    " INSERT INTO instructor_shares (instructor_id, institution_id) VALUES (%lld, %lld)",
	    shared.user_id, gist, jnu_own.user_id, jnu, shared.user_id, jnu);

	course_g = harness_course_create(conninfo, &(struct harness_course){
		.institution = gist, .code = "ISCH-G", .title_ko = "지스트 일정 강좌",
		.title_en = "GIST schedule course", .delivery = "offline"});
	course_j = harness_course_create(conninfo, &(struct harness_course){
		.institution = jnu, .code = "ISCH-J", .title_ko = "전남대 일정 강좌",
		.title_en = "JNU schedule course", .delivery = "online"});
	section_g = section_of(course_g);
	section_j = section_of(course_j);
	section_i = section_of(course_j);
	room = sql_ll("INSERT INTO facilities (institution_id, name_ko, name_en, kind, capacity,"
		      " location) VALUES (%lld, '일정 세미나실', 'Schedule seminar room', 'classroom',"
		      " 30, '광주 북구 첨단과기로 123') RETURNING id",
		      gist);

	snprintf(place, sizeof(place), "%lld, NULL", room);
	g1 = session_of(section_g, shared.user_id, "2027-03-03T00:00:00Z", 3, place);
	j1 = session_of(section_j, shared.user_id, "2027-03-04T01:00:00Z", 1,
			"NULL, 'https://meet.example.kr/j1'");
	j2 = session_of(section_j, jnu_own.user_id, "2027-03-02T05:00:00Z", 2,
			"NULL, 'https://meet.example.kr/j2'");
	j3 = session_of(section_j, jnu_own.user_id, "2027-03-05T05:00:00Z", 2,
			"NULL, 'https://meet.example.kr/j3'");
	sql("UPDATE class_sessions SET status = 'cancelled' WHERE id = %lld", j3);
	j_april = session_of(section_j, jnu_own.user_id, "2027-04-10T05:00:00Z", 2,
			     "NULL, 'https://meet.example.kr/april'");

	/* An interview slot of an intake of Chonnam's third section. */
	intake = sql_ll("INSERT INTO intakes (section_id, institution_id, title_ko, title_en,"
			" opens_at, closes_at) VALUES (%lld, %lld, '일정 선발', 'Schedule intake',"
			" '2026-07-01', '2026-07-31') RETURNING id",
			section_i, jnu);
	stage = sql_ll("INSERT INTO intake_stages (intake_id, position, kind, name_ko, name_en, rule)"
		       " VALUES (%lld, 1, 'interview', '면접', 'Interview', 'pass_fail') RETURNING id",
		       intake);
	i1 = session_of(section_i, jnu_own.user_id, "2027-03-06T01:00:00Z", 1,
			"NULL, 'https://meet.example.kr/interview'");
	sql("UPDATE class_sessions SET interview_stage_id = %lld WHERE id = %lld", stage, i1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(harness_server_stop(&server), 0);
	return 0;
}

/* Chonnam's March: its own instructor's classes, the shared instructor's
 * class, the cancelled one and the interview slot, by start; not GIST's
 * class of the same shared instructor, nor April's. */
static void rows_of_an_institution(void **state)
{
	char path[256], got[256], want[256];
	const json_t *item;
	json_t *body;

	(void)state;
	body = harness_get_json(&server, &jnu_admin, path_of(path, sizeof(path), jnu, MARCH));
	assert_int_equal(harness_json_ll(body, "institution_id"), jnu);
	assert_string_equal(json_string_value(json_object_get(body, "from")),
			    "2027-03-01T00:00:00+09:00");
	assert_string_equal(json_string_value(json_object_get(body, "to")),
			    "2027-04-01T00:00:00+09:00");
	item_ids(body, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 4, j2, j1, j3, i1));

	item = item_of(body, j1);
	assert_int_equal(harness_json_ll(item, "section_id"), section_j);
	assert_string_equal(json_string_value(json_object_get(item, "course_title")),
			    "전남대 일정 강좌");
	assert_string_equal(json_string_value(json_object_get(item, "term")), "2027-1");
	assert_int_equal(harness_json_ll(json_object_get(item, "institution"), "id"), jnu);
	assert_int_equal(harness_json_ll(json_object_get(item, "instructor"), "id"),
			 shared.user_id);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(item, "instructor"), "display_name")),
		"공유 교수");
	assert_string_equal(json_string_value(json_object_get(item, "starts_at")),
			    "2027-03-04T10:00:00+09:00");
	assert_string_equal(json_string_value(json_object_get(item, "ends_at")),
			    "2027-03-04T11:00:00+09:00");
	assert_true(json_is_null(json_object_get(item, "facility")));
	assert_string_equal(json_string_value(json_object_get(item, "online_url")),
			    "https://meet.example.kr/j1");
	assert_string_equal(json_string_value(json_object_get(item, "status")), "scheduled");
	assert_true(json_is_false(json_object_get(item, "interview")));
	assert_string_equal(json_string_value(json_object_get(item_of(body, j3), "status")),
			    "cancelled");
	assert_true(json_is_true(json_object_get(item_of(body, i1), "interview")));
	json_decref(body);

	/* GIST's: the shared instructor's class there, in its room, in English. */
	body = harness_get_json(&server, &gist_admin,
				path_of(path, sizeof(path), gist, MARCH "&lang=en"));
	item_ids(body, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 1, g1));
	item = item_of(body, g1);
	assert_string_equal(json_string_value(json_object_get(item, "course_title")),
			    "GIST schedule course");
	assert_int_equal(harness_json_ll(json_object_get(item, "facility"), "id"), room);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(item, "facility"), "name")),
		"Schedule seminar room");
	assert_true(json_is_null(json_object_get(item, "online_url")));
	json_decref(body);

	/* An institution with nothing in the window: an empty list. */
	schedule_ids(&platform, chosun, MARCH, got, sizeof(got));
	assert_string_equal(got, "");
}

/* The instructor shared by two institutions: each institution sees only
 * the classes of its own sections; the instructor's own schedule has both. */
static void shared_instructor_is_split(void **state)
{
	char path[256], got[256], want[256];
	json_t *body;

	(void)state;
	schedule_ids(&gist_admin, gist, MARCH, got, sizeof(got));
	assert_null(strstr(got, ids(want, sizeof(want), 1, j1)));
	schedule_ids(&jnu_admin, jnu, MARCH, got, sizeof(got));
	assert_null(strstr(got, ids(want, sizeof(want), 1, g1)));
	snprintf(path, sizeof(path), "/api/v1/instructors/%lld/schedule?" MARCH, shared.user_id);
	body = harness_get_json(&server, &shared, path);
	item_ids(body, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 2, g1, j1));
	json_decref(body);
}

/* Sessions that overlap [from, to): one ending at from or starting at to is
 * out; a window of 366 days is allowed, dates and offsets alike. */
static void window_bounds(void **state)
{
	char got[256], want[256];

	(void)state;
	/* j1 is 10:00-11:00 in Korea on 2027-03-04. */
	schedule_ids(&jnu_admin, jnu, "from=2027-03-04T10:00:00%2B09:00&to=2027-03-04T11:00:00%2B09:00",
		     got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 1, j1));
	schedule_ids(&jnu_admin, jnu, "from=2027-03-04T11:00:00%2B09:00&to=2027-03-04T12:00:00%2B09:00",
		     got, sizeof(got));
	assert_string_equal(got, "");
	schedule_ids(&jnu_admin, jnu, "from=2027-03-04T09:00:00%2B09:00&to=2027-03-04T10:00:00%2B09:00",
		     got, sizeof(got));
	assert_string_equal(got, "");
	schedule_ids(&jnu_admin, jnu, "from=2027-03-04T00:59:59Z&to=2027-03-04T01:00:01Z", got,
		     sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 1, j1));
	/* The longest window, and April in it. */
	schedule_ids(&jnu_admin, jnu, "from=2027-03-01&to=2028-03-01", got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 5, j2, j1, j3, i1, j_april));
	/* One bound alone: the other 97 days away. */
	schedule_ids(&jnu_admin, jnu, "from=2027-03-05", got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 3, j3, i1, j_april));
}

static void bad_input_is_400(void **state)
{
	static const struct {
		const char *query, *field;
	} cases[] = {
		{"from=yesterday", "from"},
		{"from=2027-13-01", "from"},
		{"to=2027-03-01T09:00:00", "to"},
		{"from=2027-03-10&to=2027-03-01", "to"},
		{"from=2027-03-01&to=2027-03-01", "to"},
		{"from=2027-03-01&to=2028-03-02", "to"},
		{"from=2000-01-01&to=2099-01-01", "to"},
		{"from=&to=2027-03-01", "from"},
	};
	char path[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		harness_problem_as(&server, &jnu_admin, "GET",
				   path_of(path, sizeof(path), jnu, cases[i].query), NULL, 400,
				   "validation_failed", cases[i].field);
	harness_problem_as(&server, &platform, "GET", "/api/v1/institutions/abc/schedule", NULL,
			   404, "not_found", NULL);
	/* No such institution: 404 for whoever may read any. */
	harness_problem_as(&server, &platform, "GET",
			   path_of(path, sizeof(path), 987654321, MARCH), NULL, 404, "not_found",
			   NULL);
}

/* Its admins and platform admins; nobody else, an admin of another
 * institution included; tokens never (a schedule is no report). */
static void who_reads_it(void **state)
{
	char path[256], got[256];

	(void)state;
	path_of(path, sizeof(path), jnu, MARCH);
	harness_problem_as(&server, NULL, "GET", path, NULL, 401, "unauthenticated", NULL);
	harness_problem_as(&server, &learner, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &demo_instructor, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &shared, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &token, "GET", path, NULL, 403, "forbidden", NULL);
	/* Admins of B asking for A, both ways, and a third institution. */
	harness_problem_as(&server, &gist_admin, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &chosun_admin, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &jnu_admin, "GET", path_of(path, sizeof(path), gist, MARCH),
			   NULL, 403, "forbidden", NULL);
	/* An admin asking for an institution that does not exist learns
	 * nothing of it. */
	harness_problem_as(&server, &jnu_admin, "GET",
			   path_of(path, sizeof(path), 987654321, MARCH), NULL, 403, "forbidden",
			   NULL);
	/* The platform admin reads every institution's. */
	schedule_ids(&platform, jnu, MARCH, got, sizeof(got));
	assert_non_null(strchr(got, ','));
	schedule_ids(&platform, gist, MARCH, got, sizeof(got));
	assert_true(got[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_of_an_institution),
		cmocka_unit_test(shared_instructor_is_split),
		cmocka_unit_test(window_bounds),
		cmocka_unit_test(bad_input_is_400),
		cmocka_unit_test(who_reads_it),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
