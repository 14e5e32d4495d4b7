/* calendar_test.c - schedules against a running server: JSON and iCalendar,
 * who may read them, feed secrets, the learner's calendar */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ical_check.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define USER_PASSWORD "calendar-user-pass-2026"
/* The members of a sign-up at ladder stage worker, after e-mail and password. */
#define WORKER(name) "\"display_name\": \"" name "\", \"ladder_stage\": \"worker\""
#define ICS_TYPE "text/calendar; charset=utf-8"
#define MARCH "from=2027-03-01&to=2027-04-01"

static struct lms_server server;
static char conninfo[1024];

/* The instructor (home GIST, shared with Chonnam), other instructor
 * (home GIST, shared with nobody), and who asks. */
static struct harness_actor instructor, other_instructor, gist_admin, jnu_admin, chosun_admin,
	platform, learner, enrolled, finished, soon, capped, token;
static long long gist, jnu, chosun;
static long long section_a, section_j, section_w, section_n;
/*
 * Sessions of the instructor: s1 (section_a, a room, 2027-03-03 09:00-12:00
 * in Korea), s2 (section_j, online, 2027-03-04 10:00-11:00), s3 (section_a,
 * a room, 2027-03-10), s4 (section_w, 2027-03-11: only a waitlisted
 * learner), s_june (section_a, June). The other instructor's, in section_n
 * and relative to now (so apart from the fixed dates whenever this runs):
 * s_soon, s_past, s_far.
 */
static long long s1, s2, s3, s4, s_june, s_soon, s_past, s_far;

/* ---- helpers ---- */

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

static long status_of(const struct harness_actor *a, const char *path)
{
	long st = harness_status_as(&server, a, "GET", path, NULL);

	if (st < 0)
		fail_msg("GET %s: no response", path);
	return st;
}

/* GET path as a: must be a 200 calendar that the strict checker accepts,
 * read into *c (ical_release it). */
static void get_ics(const struct harness_actor *a, const char *path, struct ical *c)
{
	struct http_result r = {0};
	char h[128];

	harness_get_as(&server, a, path, &r);
	if (r.status != 200)
		fail_msg("GET %s: expected 200, got %ld: %s", path, r.status, r.body);
	if (!http_result_header(&r, "Content-Type", h, sizeof(h)) || strcmp(h, ICS_TYPE) != 0)
		fail_msg("GET %s: Content-Type %s", path, h);
	if (!http_result_header(&r, "Cache-Control", h, sizeof(h)) ||
	    strcmp(h, "private, no-cache") != 0)
		fail_msg("GET %s: Cache-Control %s", path, h);
	if (!ical_check(r.body, r.len, c))
		fail_msg("GET %s: %s in:\n%s", path, c->error, r.body);
	http_result_release(&r);
}

/* GET the printf-style path as a visitor must be 404: a feed key that
 * names no feed of this calendar. */
static void assert_no_feed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void assert_no_feed(const char *fmt, ...)
{
	char path[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	harness_problem_as(&server, NULL, "GET", path, NULL, 404, "not_found", NULL);
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

/* The UIDs of a calendar's events, in order, as "s1,s2" session ids. */
static void event_ids(const struct ical *c, char *out, size_t len)
{
	size_t used = 0;
	icalcomponent *event;

	out[0] = '\0';
	for (int n = 0; (event = ical_event(c, n)); n++) {
		const char *uid = icalcomponent_get_uid(event);
		long long id;
		int k;

		if (sscanf(uid, "session-%lld@localhost", &id) != 1)
			fail_msg("UID %s is not session-<id>@localhost", uid);
		k = snprintf(out + used, len - used, "%s%lld", n ? "," : "", id);
		if (k < 0 || (size_t)k >= len - used)
			fail_msg("too many events");
		used += (size_t)k;
	}
}

/* The path of who's schedule: suffix "" (JSON) or ".ics", and query ("":
 * none). */
static void schedule_path(char *out, size_t len, long long who, const char *suffix,
			  const char *query)
{
	snprintf(out, len, "/api/v1/instructors/%lld/schedule%s%s%s", who, suffix,
		 query[0] ? "?" : "", query);
}

/* "1,2" of two ids, and so on, for comparing lists. */
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

/*
 * a creates a feed of kind: fills the path of its URL (from /api/v1) into
 * path and its secret into key, returns its id.
 */
static long long feed_create(const struct harness_actor *a, const char *kind, char *path,
			     size_t path_len, char *key, size_t key_len)
{
	struct http_result r = {0};
	char body[64], prefix[64];
	const char *url, *k;
	long long id;
	json_t *j;

	snprintf(body, sizeof(body), "{\"kind\": \"%s\"}", kind);
	if (harness_as(&server, a, "POST", "/api/v1/me/calendar-feeds", body, &r) != 0 ||
	    r.status != 201)
		fail_msg("POST feed %s: %ld %s", kind, r.status, r.body ? r.body : "");
	j = harness_json_body(&r);
	id = json_integer_value(json_object_get(j, "id"));
	assert_true(id > 0);
	assert_string_equal(json_string_value(json_object_get(j, "kind")), kind);
	assert_non_null(json_string_value(json_object_get(j, "created_at")));
	url = json_string_value(json_object_get(j, "url"));
	assert_non_null(url);
	snprintf(prefix, sizeof(prefix), "https://localhost:%d/api/v1/", server.port);
	if (strncmp(url, prefix, strlen(prefix)) != 0)
		fail_msg("feed URL %s does not start with %s", url, prefix);
	snprintf(path, path_len, "%s", url + strlen(prefix) - strlen("/api/v1/"));
	assert_non_null(k = strstr(url, "?key=cal_"));
	snprintf(key, key_len, "%s", k + 5);
	assert_int_equal(strlen(key), 4 + 43);
	json_decref(j);
	http_result_release(&r);
	return id;
}

/* ---- fixture ---- */

static long long course_of(long long institution, const char *code, const char *title_ko,
			   const char *title_en)
{
	return harness_course_create(conninfo, &(struct harness_course){.institution = institution,
									.code = code,
									.title_ko = title_ko,
									.title_en = title_en,
									.delivery = "offline"});
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

/* A session of instructor in section from starts (a SQL timestamptz
 * expression) for hours, in facility (0: online at url). */
static long long session_of(long long section, const struct harness_actor *who,
			    const char *starts, int hours, long long facility, const char *url)
{
	char place[256];

	if (facility)
		snprintf(place, sizeof(place), "%lld, NULL", facility);
	else
		snprintf(place, sizeof(place), "NULL, '%s'", url ? url : "");
	return sql_ll("INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id,"
		      " facility_id, online_url) SELECT %lld, t, t + interval '%d hours', %lld, %s"
		      " FROM (SELECT %s AS t) x RETURNING id",
		      section, hours, who->user_id, place, starts);
}

static int setup(void **state)
{
	long long course_a, course_j, room;

	if (harness_db_create("calendar", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	jnu = sql_ll("SELECT id FROM institutions WHERE code = 'jnu'");
	chosun = sql_ll("SELECT id FROM institutions WHERE code = 'chosun'");

	harness_register_ok(&server, "cal-instructor@example.com", USER_PASSWORD,
			    WORKER("캘린더, 교수; 테스트"), &instructor);
	harness_register_ok(&server, "cal-other-instructor@example.com", USER_PASSWORD,
			    WORKER("다른 교수"), &other_instructor);
	harness_register_ok(&server, "cal-chosun-admin@example.com", USER_PASSWORD,
			    WORKER("조선대 관리자"), &chosun_admin);
	harness_register_ok(&server, "cal-enrolled@example.com", USER_PASSWORD, WORKER("수강생"),
			    &enrolled);
	harness_register_ok(&server, "cal-finished@example.com", USER_PASSWORD, WORKER("수료생"),
			    &finished);
	harness_register_ok(&server, "cal-soon@example.com", USER_PASSWORD, WORKER("곧 수업"),
			    &soon);
	harness_register_ok(&server, "cal-capped@example.com", USER_PASSWORD, WORKER("피드 많음"),
			    &capped);
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	harness_login_ok(&server, "admin@example.com", DEMO_PASSWORD, &platform);
	harness_login_ok(&server, "learner@example.com", DEMO_PASSWORD, &learner);
	if (harness_token_create(&server, &gist_admin, gist, "calendar", "\"reports:read\"",
				 &token) < 0)
		return -1;
	sql("INSERT INTO user_roles (user_id, role, institution_id) VALUES"
	    " (%lld, 'institution_admin', %lld)",
	    chosun_admin.user_id, chosun);
	sql("INSERT INTO instructors (user_id, home_institution_id) VALUES (%lld, %lld), (%lld, %lld);"
	    " INSERT INTO instructor_shares (instructor_id, institution_id) VALUES (%lld, %lld)",
	    instructor.user_id, gist, other_instructor.user_id, gist, instructor.user_id, jnu);

	/* Titles and places with every character TEXT must escape. */
	course_a = course_of(gist, "CAL-A", "머신러닝, 기초; 실습\\과정\n2부",
			     "ML, basics; lab");
	course_j = course_of(jnu, "CAL-J", "전남대 AI 세미나", "JNU AI seminar");
	section_a = section_of(course_a);
	section_j = section_of(course_j);
	section_w = section_of(course_a);
	section_n = section_of(course_a);
	room = sql_ll("INSERT INTO facilities (institution_id, name_ko, name_en, kind, capacity,"
		      " location) VALUES (%lld, '캘린더 세미나실', 'Calendar seminar room', 'classroom',"
		      " 40, '광주 북구 첨단과기로 123, 2층') RETURNING id",
		      gist);

	s1 = session_of(section_a, &instructor, "timestamptz '2027-03-03T00:00:00Z'", 3, room, NULL);
	s2 = session_of(section_j, &instructor, "timestamptz '2027-03-04T01:00:00Z'", 1, 0,
			"https://meet.example.kr/room?a=1,b=2;c");
	s3 = session_of(section_a, &instructor, "timestamptz '2027-03-10T00:00:00Z'", 3, room, NULL);
	s4 = session_of(section_w, &instructor, "timestamptz '2027-03-11T00:00:00Z'", 3, room, NULL);
	s_june = session_of(section_a, &instructor, "timestamptz '2027-06-02T00:00:00Z'", 3, room,
			    NULL);
	s_soon = session_of(section_n, &other_instructor,
			    "date_trunc('hour', now()) + interval '10 days'", 2, 0,
			    "https://meet.example.kr/soon");
	s_past = session_of(section_n, &other_instructor,
			    "date_trunc('hour', now()) - interval '10 days'", 2, 0,
			    "https://meet.example.kr/past");
	s_far = session_of(section_n, &other_instructor,
			   "date_trunc('hour', now()) + interval '100 days'", 2, 0,
			   "https://meet.example.kr/far");

	/* enrolled: in section_a, cancelled from section_j, waitlisted in
	 * section_w; finished: completed section_j; soon: in section_n. */
	sql("INSERT INTO enrollments (user_id, section_id, status) VALUES (%lld, %lld, 'enrolled'),"
	    " (%lld, %lld, 'cancelled'), (%lld, %lld, 'waitlisted'), (%lld, %lld, 'completed'),"
	    " (%lld, %lld, 'incomplete')",
	    enrolled.user_id, section_a, enrolled.user_id, section_j, enrolled.user_id, section_w,
	    finished.user_id, section_j, soon.user_id, section_n);
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(harness_server_stop(&server), 0);
	return 0;
}

/* ---- the JSON schedule ---- */

static void schedule_as_json(void **state)
{
	char path[256], got[256], want[256];
	json_t *body, *item, *facility;

	(void)state;
	schedule_path(path, sizeof(path), instructor.user_id, "", MARCH);
	body = harness_get_json(&server, &instructor, path);
	item_ids(body, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 4, s1, s2, s3, s4));
	assert_int_equal(json_integer_value(json_object_get(body, "instructor_id")),
			 instructor.user_id);
	/* Dates are midnight in Korea. */
	assert_string_equal(json_string_value(json_object_get(body, "from")),
			    "2027-03-01T00:00:00+09:00");
	assert_string_equal(json_string_value(json_object_get(body, "to")),
			    "2027-04-01T00:00:00+09:00");

	/* 00:00Z is 09:00 in Korea, and says so. */
	item = json_array_get(json_object_get(body, "items"), 0);
	assert_int_equal(json_integer_value(json_object_get(item, "section_id")), section_a);
	assert_string_equal(json_string_value(json_object_get(item, "starts_at")),
			    "2027-03-03T09:00:00+09:00");
	assert_string_equal(json_string_value(json_object_get(item, "ends_at")),
			    "2027-03-03T12:00:00+09:00");
	assert_string_equal(json_string_value(json_object_get(item, "course_title")),
			    "머신러닝, 기초; 실습\\과정\n2부");
	assert_string_equal(json_string_value(json_object_get(json_object_get(item, "institution"),
							      "name")),
			    "광주과학기술원 GIST");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(item, "institution"),
							    "id")),
			 gist);
	facility = json_object_get(item, "facility");
	assert_string_equal(json_string_value(json_object_get(facility, "name")), "캘린더 세미나실");
	assert_string_equal(json_string_value(json_object_get(facility, "location")),
			    "광주 북구 첨단과기로 123, 2층");
	assert_true(json_is_null(json_object_get(item, "online_url")));
	assert_string_equal(json_string_value(json_object_get(item, "status")), "scheduled");
	assert_int_equal(json_integer_value(json_object_get(item, "sequence")), 0);
	assert_string_equal(json_string_value(json_object_get(item, "term")), "2027-1");
	assert_int_equal(json_integer_value(json_object_get(item, "instructor_id")),
			 instructor.user_id);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(item, "instructor"),
							    "id")),
			 instructor.user_id);
	assert_string_equal(json_string_value(json_object_get(json_object_get(item, "instructor"),
							      "display_name")),
			    "캘린더, 교수; 테스트");

	/* The online one at the partner. */
	item = json_array_get(json_object_get(body, "items"), 1);
	assert_true(json_is_null(json_object_get(item, "facility")));
	assert_string_equal(json_string_value(json_object_get(item, "online_url")),
			    "https://meet.example.kr/room?a=1,b=2;c");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(item, "institution"),
							    "id")),
			 jnu);
	json_decref(body);

	/* June is another window. */
	schedule_path(path, sizeof(path), instructor.user_id, "", "from=2027-06-01&to=2027-06-03");
	body = harness_get_json(&server, &instructor, path);
	item_ids(body, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 1, s_june));
	json_decref(body);

	/* In English. */
	schedule_path(path, sizeof(path), instructor.user_id, "", MARCH "&lang=en");
	body = harness_get_json(&server, &instructor, path);
	item = json_array_get(json_object_get(body, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(item, "course_title")),
			    "ML, basics; lab");
	assert_string_equal(json_string_value(json_object_get(json_object_get(item, "facility"),
							      "name")),
			    "Calendar seminar room");
	json_decref(body);
}

/* [from, to) is half-open: a session that ends when the window starts, or
 * starts when it ends, is not in it. */
static void window_edges(void **state)
{
	static const struct {
		const char *query;
		int n;
	} cases[] = {
		/* 2027-03-03 in Korea is 2027-03-02T15:00Z to 2027-03-03T15:00Z */
		{"from=2027-03-03&to=2027-03-04", 1},
		{"from=2027-03-01T00:00:00%2B09:00&to=2027-03-03T09:00:00%2B09:00", 0},
		{"from=2027-03-01T00:00:00%2B09:00&to=2027-03-03T09:00:01%2B09:00", 1},
		{"from=2027-03-03T12:00:00%2B09:00&to=2027-03-04T10:00:00%2B09:00", 0},
		{"from=2027-03-03T02:59:59Z&to=2027-03-04T01:00:00Z", 1},
		{"from=2027-03-03T02:59:59.999999Z&to=2027-03-04T01:00:00.000001Z", 2},
		/* An offset's "+" sent unencoded arrives as a space: still read. */
		{"from=2027-03-03T11:00:00+09:00&to=2027-03-03T11:30:00+09:00", 1},
		/* With one end, the other is 97 days away. */
		{"from=2027-03-03", 5},
		{"to=2027-03-04", 1},
		/* 366 days is the most. */
		{"from=2027-01-01&to=2028-01-02", 5},
	};
	char path[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *body;
		size_t n;

		schedule_path(path, sizeof(path), instructor.user_id, "", cases[i].query);
		body = harness_get_json(&server, &instructor, path);
		n = json_array_size(json_object_get(body, "items"));
		if ((int)n != cases[i].n)
			fail_msg("%s: %zu sessions, expected %d", cases[i].query, n, cases[i].n);
		json_decref(body);
	}
}

/* Without from and to: a week back, 90 days ahead. */
static void default_window(void **state)
{
	char path[256], got[256], want[256], query[64];
	struct ical c;
	json_t *body;

	(void)state;
	schedule_path(path, sizeof(path), other_instructor.user_id, "", "");
	body = harness_get_json(&server, &other_instructor, path);
	item_ids(body, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 1, s_soon));
	json_decref(body);

	schedule_path(path, sizeof(path), other_instructor.user_id, ".ics", "");
	get_ics(&other_instructor, path, &c);
	event_ids(&c, got, sizeof(got));
	assert_string_equal(got, want);
	ical_release(&c);

	/* The past and far ones are there for a window that holds them. */
	assert_int_equal(harness_sql_value(conninfo,
					   "SELECT 'from=' || ((now() AT TIME ZONE 'Asia/Seoul')::date"
					   " - 12) || '&to=' || ((now() AT TIME ZONE 'Asia/Seoul')"
					   "::date + 120)",
					   query, sizeof(query)),
			 0);
	schedule_path(path, sizeof(path), other_instructor.user_id, "", query);
	body = harness_get_json(&server, &other_instructor, path);
	item_ids(body, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 3, s_past, s_soon, s_far));
	json_decref(body);
	ids(want, sizeof(want), 1, s_soon);

	/* A learner's calendar has the same window, and so has its JSON. */
	get_ics(&soon, "/api/v1/me/calendar.ics", &c);
	event_ids(&c, got, sizeof(got));
	assert_string_equal(got, want);
	ical_release(&c);
	body = harness_get_json(&server, &soon, "/api/v1/me/schedule");
	item_ids(body, got, sizeof(got));
	assert_string_equal(got, want);
	json_decref(body);
	snprintf(path, sizeof(path), "/api/v1/me/schedule?%s", query);
	body = harness_get_json(&server, &soon, path);
	item_ids(body, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 3, s_past, s_soon, s_far));
	json_decref(body);
}

static void bad_windows_are_400(void **state)
{
	static const struct {
		const char *query, *field;
	} cases[] = {
		{"from=yesterday", "from"},
		{"from=2027-02-30", "from"},
		{"from=2027-03-01T09:00:00", "from"},      /* no offset */
		{"from=2027-03-01T25:00:00Z", "from"},
		{"from=", "from"},
		{"to=2027-13-01", "to"},
		{"from=2027-03-01&to=2027-03-01", "to"},   /* empty */
		{"from=2027-03-02&to=2027-03-01", "to"},   /* backwards */
		{"from=2027-01-01&to=2028-01-03", "to"},   /* 367 days */
		{"from=0001-01-01&to=9999-12-31", "to"},
		{"from=%ff", "from"},
	};
	char path[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		schedule_path(path, sizeof(path), instructor.user_id, "", cases[i].query);
		harness_problem_as(&server, &instructor, "GET", path, NULL, 400,
				   "validation_failed", cases[i].field);
		schedule_path(path, sizeof(path), instructor.user_id, ".ics", cases[i].query);
		harness_problem_as(&server, &instructor, "GET", path, NULL, 400,
				   "validation_failed", cases[i].field);
		snprintf(path, sizeof(path), "/api/v1/me/calendar.ics?%s", cases[i].query);
		harness_problem_as(&server, &enrolled, "GET", path, NULL, 400, "validation_failed",
				   cases[i].field);
		snprintf(path, sizeof(path), "/api/v1/me/schedule?%s", cases[i].query);
		harness_problem_as(&server, &enrolled, "GET", path, NULL, 400, "validation_failed",
				   cases[i].field);
	}
	/* Ids that cannot be are no path at all. */
	harness_problem_as(&server, &instructor, "GET", "/api/v1/instructors/abc/schedule", NULL,
			   404, "not_found", NULL);
	harness_problem_as(&server, &instructor, "GET", "/api/v1/instructors/0/schedule.ics", NULL,
			   404, "not_found", NULL);
	harness_problem_as(&server, &instructor, "GET",
			   "/api/v1/instructors/99999999999999999999999/schedule.ics", NULL, 404,
			   "not_found", NULL);
}

/* ---- who may read a schedule ---- */

static void who_reads_a_schedule(void **state)
{
	const struct {
		const struct harness_actor *who;
		long status;
	} cases[] = {
		{&instructor, 200},       /* own */
		{&gist_admin, 200},       /* home admin */
		{&jnu_admin, 200},        /* partner admin: shared with Chonnam */
		{&platform, 200},
		{&chosun_admin, 403},     /* an admin of another institution */
		{&other_instructor, 403}, /* a colleague */
		{&learner, 403},
		{&token, 403},            /* tokens read reports, not schedules */
		{NULL, 401},              /* a visitor, without a key */
	};
	char json_path[256], ics_path[256];

	(void)state;
	schedule_path(json_path, sizeof(json_path), instructor.user_id, "", MARCH);
	schedule_path(ics_path, sizeof(ics_path), instructor.user_id, ".ics", MARCH);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long st = cases[i].status;
		const char *code = st == 401 ? "unauthenticated" : "forbidden";

		if (st == 200) {
			struct ical c;

			json_decref(harness_get_json(&server, cases[i].who, json_path));
			get_ics(cases[i].who, ics_path, &c);
			assert_int_equal(c.nevents, 4);
			ical_release(&c);
		} else {
			harness_problem_as(&server, cases[i].who, "GET", json_path, NULL, st, code,
					   NULL);
			harness_problem_as(&server, cases[i].who, "GET", ics_path, NULL, st, code,
					   NULL);
		}
	}

	/* No longer shared with Chonnam: its admins no longer see it. */
	sql("DELETE FROM instructor_shares WHERE instructor_id = %lld", instructor.user_id);
	harness_problem_as(&server, &jnu_admin, "GET", json_path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &jnu_admin, "GET", ics_path, NULL, 403, "forbidden", NULL);
	sql("INSERT INTO instructor_shares (instructor_id, institution_id) VALUES (%lld, %lld)",
	    instructor.user_id, jnu);
	assert_int_equal(status_of(&jnu_admin, json_path), 200);

	/* A user without an instructor profile, and nobody at all. */
	schedule_path(json_path, sizeof(json_path), learner.user_id, "", "");
	harness_problem_as(&server, &platform, "GET", json_path, NULL, 404, "not_found", NULL);
	harness_problem_as(&server, &platform, "GET", "/api/v1/instructors/987654321/schedule.ics",
			   NULL, 404, "not_found", NULL);
	/* Visitors learn nothing either way. */
	harness_problem_as(&server, NULL, "GET", "/api/v1/instructors/987654321/schedule.ics", NULL,
			   401, "unauthenticated", NULL);
}

/* ---- the calendar ---- */

static void schedule_as_ics(void **state)
{
	char path[256], got[256], want[256], uid[64];
	struct ical c;

	(void)state;
	schedule_path(path, sizeof(path), instructor.user_id, ".ics", MARCH);
	get_ics(&gist_admin, path, &c);
	event_ids(&c, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 4, s1, s2, s3, s4));
	ICAL_ASSERT(&c, c.cal, {"X-WR-CALNAME", "캘린더, 교수; 테스트 강의 일정"},
		    {"METHOD", "PUBLISH"});
	ICAL_ASSERT(&c, ical_timezone(&c, "Asia/Seoul"), {"TZID", "Asia/Seoul"});

	/* s1: 2027-03-03T00:00:00Z is 09:00 in Seoul. */
	snprintf(uid, sizeof(uid), "session-%lld@localhost", s1);
	ICAL_ASSERT(&c, ical_event(&c, 0), {"UID", uid},
		    {"DTSTART;TZID=Asia/Seoul", "20270303T090000"},
		    {"DTEND;TZID=Asia/Seoul", "20270303T120000"},
		    {"SUMMARY", "머신러닝, 기초; 실습\\과정\n2부"},
		    {"LOCATION", "캘린더 세미나실, 광주 북구 첨단과기로 123, 2층"},
		    {"DESCRIPTION", "광주과학기술원 GIST\n학기: 2027-1"}, {"SEQUENCE", "0"},
		    {"STATUS", "CONFIRMED"}, {"URL", NULL});

	/* s2: online, at the partner, 01:00Z is 10:00. */
	ICAL_ASSERT(&c, ical_event(&c, 1), {"DTSTART;TZID=Asia/Seoul", "20270304T100000"},
		    {"LOCATION", "https://meet.example.kr/room?a=1,b=2;c"},
		    {"SUMMARY", "전남대 AI 세미나"}, {"DESCRIPTION", "전남대학교\n학기: 2027-1"},
		    {"URL", "https://meet.example.kr/room?a=1,b=2;c"});
	ical_release(&c);

	/* English names. */
	schedule_path(path, sizeof(path), instructor.user_id, ".ics", MARCH "&lang=en");
	get_ics(&instructor, path, &c);
	ICAL_ASSERT(&c, ical_event(&c, 0), {"SUMMARY", "ML, basics; lab"});
	ICAL_ASSERT(&c, c.cal, {"X-WR-CALNAME", "캘린더, 교수; 테스트: teaching schedule"});
	ical_release(&c);
}

/* ---- feeds ---- */

static void instructor_feed(void **state)
{
	char path[256], key[64], bad[300], list_path[64], *log;
	struct http_result r = {0};
	long long id;
	json_t *body, *item;
	struct ical c;
	FILE *f;
	size_t n;

	(void)state;
	id = feed_create(&instructor, "instructor", path, sizeof(path), key, sizeof(key));
	snprintf(bad, sizeof(bad), "/api/v1/instructors/%lld/schedule.ics?key=%s",
		 instructor.user_id, key);
	assert_string_equal(path, bad);
	/* Only the digest is kept, and nobody used it yet. */
	assert_int_equal(sql_ll("SELECT count(*) FROM calendar_feeds WHERE id = %lld AND"
				" token_hash = sha256('%s'::bytea) AND last_used_at IS NULL"
				" AND user_id = %lld AND kind = 'instructor'",
				id, key, instructor.user_id),
			 1);

	/* A calendar app comes with the key alone. */
	snprintf(bad, sizeof(bad), "%s&" MARCH, path);
	get_ics(NULL, bad, &c);
	assert_int_equal(c.nevents, 4);
	ical_release(&c);
	get_ics(NULL, path, &c);
	ical_release(&c);
	assert_int_equal(sql_ll("SELECT count(*) FROM calendar_feeds WHERE id = %lld"
				" AND last_used_at > now() - interval '1 minute'",
				id),
			 1);
	/* A key works whoever else is signed in. */
	get_ics(&learner, bad, &c);
	ical_release(&c);

	/* Any other key is no key: 404, never 401 or 403. */
	snprintf(bad, sizeof(bad), "/api/v1/instructors/%lld/schedule.ics?key=%.*sA",
		 instructor.user_id, (int)strlen(key) - 1, key);
	if (key[strlen(key) - 1] == 'A')
		bad[strlen(bad) - 1] = 'B';
	harness_problem_as(&server, NULL, "GET", bad, NULL, 404, "not_found", NULL);
	assert_no_feed("/api/v1/instructors/%lld/schedule.ics?key=", instructor.user_id);
	assert_no_feed("/api/v1/instructors/%lld/schedule.ics?key=%sx", instructor.user_id, key);
	/* The instructor's key opens no other schedule, nor the learner's calendar. */
	assert_no_feed("/api/v1/instructors/%lld/schedule.ics?key=%s", other_instructor.user_id, key);
	assert_no_feed("/api/v1/me/calendar.ics?key=%s", key);
	/* Nor the JSON schedule, which takes sessions only. */
	snprintf(bad, sizeof(bad), "/api/v1/instructors/%lld/schedule?key=%s", instructor.user_id,
		 key);
	harness_problem_as(&server, NULL, "GET", bad, NULL, 401, "unauthenticated", NULL);

	/* The list shows it without its secret. */
	snprintf(list_path, sizeof(list_path), "/api/v1/me/calendar-feeds");
	body = harness_get_json(&server, &instructor, list_path);
	item = json_array_get(json_object_get(body, "items"), 0);
	assert_int_equal(json_integer_value(json_object_get(item, "id")), id);
	assert_string_equal(json_string_value(json_object_get(item, "kind")), "instructor");
	assert_non_null(json_string_value(json_object_get(item, "last_used_at")));
	assert_true(json_is_null(json_object_get(item, "revoked_at")));
	assert_true(json_is_null(json_object_get(body, "next_cursor")));
	json_decref(body);
	harness_get_as(&server, &instructor, list_path, &r);
	assert_null(strstr(r.body, key));
	assert_null(strstr(r.body, "url"));
	http_result_release(&r);
	/* Nobody else's list holds it. */
	body = harness_get_json(&server, &gist_admin, list_path);
	assert_int_equal(json_array_size(json_object_get(body, "items")), 0);
	json_decref(body);

	/* Only its owner revokes it; others are told it does not exist. */
	snprintf(bad, sizeof(bad), "/api/v1/me/calendar-feeds/%lld", id);
	harness_problem_as(&server, &gist_admin, "DELETE", bad, NULL, 404, "not_found", NULL);
	harness_problem_as(&server, &platform, "DELETE", bad, NULL, 404, "not_found", NULL);
	get_ics(NULL, path, &c);
	ical_release(&c);
	assert_int_equal(harness_status_as(&server, &instructor, "DELETE", bad, NULL), 204);
	harness_problem_as(&server, NULL, "GET", path, NULL, 404, "not_found", NULL);
	/* Revoking again changes nothing. */
	assert_int_equal(harness_status_as(&server, &instructor, "DELETE", bad, NULL), 204);
	assert_int_equal(sql_ll("SELECT count(*) FROM calendar_feeds WHERE id = %lld"
				" AND revoked_at IS NOT NULL",
				id),
			 1);
	harness_problem_as(&server, &instructor, "DELETE", "/api/v1/me/calendar-feeds/987654321",
			   NULL, 404, "not_found", NULL);
	harness_problem_as(&server, &instructor, "DELETE", "/api/v1/me/calendar-feeds/x", NULL, 404,
			   "not_found", NULL);

	/* Audited, without the secret. */
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE target_type ="
				" 'calendar_feed' AND target_id = %lld AND actor_user_id = %lld"
				" AND action IN ('calendar_feed.create', 'calendar_feed.revoke')",
				id, instructor.user_id),
			 3);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE detail::text LIKE '%%%s%%'",
				key),
			 0);
	/* Nor does any log line hold it. */
	assert_non_null(f = fopen(server.log_path, "r"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = (size_t)ftell(f);
	rewind(f);
	assert_non_null(log = calloc(1, n + 1));
	assert_int_equal(fread(log, 1, n, f), n);
	fclose(f);
	assert_null(strstr(log, key));
	assert_non_null(strstr(log, "schedule.ics"));
	free(log);
}

static void feed_requests(void **state)
{
	char path[256], key[64];

	(void)state;
	/* Only instructors have a teaching schedule to publish. */
	harness_problem_as(&server, &learner, "POST", "/api/v1/me/calendar-feeds",
			   "{\"kind\": \"instructor\"}", 403, "forbidden", NULL);
	harness_problem_as(&server, &gist_admin, "POST", "/api/v1/me/calendar-feeds",
			   "{\"kind\": \"instructor\"}", 403, "forbidden", NULL);
	harness_problem_as(&server, &learner, "POST", "/api/v1/me/calendar-feeds",
			   "{\"kind\": \"teacher\"}", 400, "validation_failed", "kind");
	harness_problem_as(&server, &learner, "POST", "/api/v1/me/calendar-feeds", "{\"kind\": 1}",
			   400, "validation_failed", "kind");
	harness_problem_as(&server, &learner, "POST", "/api/v1/me/calendar-feeds", "{}", 400,
			   "validation_failed", "kind");
	harness_problem_as(&server, &learner, "POST", "/api/v1/me/calendar-feeds",
			   "{\"kind\": \"learner\", \"key\": \"mine\"}", 400, "validation_failed",
			   "key");
	harness_problem_as(&server, &learner, "POST", "/api/v1/me/calendar-feeds", "[]", 400,
			   "invalid_request", NULL);
	harness_problem_as(&server, NULL, "POST", "/api/v1/me/calendar-feeds",
			   "{\"kind\": \"learner\"}", 401, "unauthenticated", NULL);
	harness_problem_as(&server, &token, "POST", "/api/v1/me/calendar-feeds",
			   "{\"kind\": \"learner\"}", 403, "forbidden", NULL);
	harness_problem_as(&server, &token, "GET", "/api/v1/me/calendar-feeds", NULL, 403,
			   "forbidden", NULL);
	harness_problem_as(&server, &learner, "GET", "/api/v1/me/calendar-feeds?limit=0", NULL, 400,
			   "validation_failed", "limit");
	assert_int_equal(sql_ll("SELECT count(*) FROM calendar_feeds WHERE user_id IN (%lld, %lld)",
				learner.user_id, gist_admin.user_id),
			 0);

	/* At most 20 live feeds each; a revoked one makes room. */
	for (int i = 0; i < 20; i++)
		feed_create(&capped, "learner", path, sizeof(path), key, sizeof(key));
	harness_problem_as(&server, &capped, "POST", "/api/v1/me/calendar-feeds",
			   "{\"kind\": \"learner\"}", 409, "too_many_feeds", NULL);
	snprintf(path, sizeof(path), "/api/v1/me/calendar-feeds/%lld",
		 sql_ll("SELECT max(id) FROM calendar_feeds WHERE user_id = %lld", capped.user_id));
	assert_int_equal(harness_status_as(&server, &capped, "DELETE", path, NULL), 204);
	feed_create(&capped, "learner", path, sizeof(path), key, sizeof(key));

	/* The list pages, newest first. */
	{
		json_t *body =
			harness_get_json(&server, &capped, "/api/v1/me/calendar-feeds?limit=15");
		char next[256];

		assert_int_equal(json_array_size(json_object_get(body, "items")), 15);
		assert_true(json_integer_value(json_object_get(
				    json_array_get(json_object_get(body, "items"), 0), "id")) >
			    json_integer_value(json_object_get(
				    json_array_get(json_object_get(body, "items"), 1), "id")));
		snprintf(next, sizeof(next), "/api/v1/me/calendar-feeds?limit=15&cursor=%s",
			 json_string_value(json_object_get(body, "next_cursor")));
		json_decref(body);
		body = harness_get_json(&server, &capped, next);
		assert_int_equal(json_array_size(json_object_get(body, "items")), 6);
		json_decref(body);
	}
}

/* ---- the learner's calendar ---- */

/* GET /api/v1/me/schedule: the learner's calendar as JSON, each item as the
 * instructor schedule has it. */
static void learner_schedule_json(void)
{
	char path[256], got[256], want[256];
	json_t *mine, *theirs, *item;

	mine = harness_get_json(&server, &enrolled, "/api/v1/me/schedule?" MARCH);
	item_ids(mine, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 2, s1, s3));
	assert_int_equal(json_integer_value(json_object_get(mine, "user_id")), enrolled.user_id);
	assert_string_equal(json_string_value(json_object_get(mine, "from")),
			    "2027-03-01T00:00:00+09:00");
	assert_string_equal(json_string_value(json_object_get(mine, "to")),
			    "2027-04-01T00:00:00+09:00");
	schedule_path(path, sizeof(path), instructor.user_id, "", MARCH);
	theirs = harness_get_json(&server, &instructor, path);
	if (!json_equal(json_array_get(json_object_get(mine, "items"), 0),
			json_array_get(json_object_get(theirs, "items"), 0)))
		fail_msg("a learner's item differs from the instructor's: %s vs %s",
			 json_dumps(json_array_get(json_object_get(mine, "items"), 0), 0),
			 json_dumps(json_array_get(json_object_get(theirs, "items"), 0), 0));
	json_decref(theirs);
	json_decref(mine);

	/* In English; a finished course stays; teaching is not learning. */
	mine = harness_get_json(&server, &enrolled, "/api/v1/me/schedule?" MARCH "&lang=en");
	item = json_array_get(json_object_get(mine, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(item, "course_title")),
			    "ML, basics; lab");
	json_decref(mine);
	mine = harness_get_json(&server, &finished, "/api/v1/me/schedule?" MARCH);
	item_ids(mine, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 1, s2));
	json_decref(mine);
	mine = harness_get_json(&server, &instructor, "/api/v1/me/schedule?" MARCH);
	assert_int_equal(json_array_size(json_object_get(mine, "items")), 0);
	json_decref(mine);

	/* Signed in by session only: no feed key, no token. */
	harness_problem_as(&server, NULL, "GET", "/api/v1/me/schedule", NULL, 401,
			   "unauthenticated", NULL);
	harness_problem_as(&server, &token, "GET", "/api/v1/me/schedule", NULL, 403, "forbidden",
			   NULL);
}

static void learner_calendar(void **state)
{
	char path[256], key[64], got[256], want[256];
	struct ical c;

	(void)state;
	/* Enrolled in section_a: its sessions, not those of section_j
	 * (cancelled) or section_w (waitlisted). */
	get_ics(&enrolled, "/api/v1/me/calendar.ics?" MARCH, &c);
	event_ids(&c, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 2, s1, s3));
	ICAL_ASSERT(&c, c.cal, {"X-WR-CALNAME", "내 수업 일정"});
	ICAL_ASSERT(&c, ical_event(&c, 0), {"DTSTART;TZID=Asia/Seoul", "20270303T090000"});
	ical_release(&c);
	/* A finished course stays in the calendar. */
	get_ics(&finished, "/api/v1/me/calendar.ics?" MARCH, &c);
	event_ids(&c, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 1, s2));
	ical_release(&c);
	/* Nothing for someone enrolled in nothing; the instructor's teaching
	 * is not their learning. */
	get_ics(&instructor, "/api/v1/me/calendar.ics?" MARCH, &c);
	assert_int_equal(c.nevents, 0);
	ical_release(&c);

	harness_problem_as(&server, NULL, "GET", "/api/v1/me/calendar.ics", NULL, 401,
			   "unauthenticated", NULL);
	harness_problem_as(&server, &token, "GET", "/api/v1/me/calendar.ics", NULL, 403,
			   "forbidden", NULL);

	learner_schedule_json();

	/* A feed of it, fetched without a session. */
	feed_create(&enrolled, "learner", path, sizeof(path), key, sizeof(key));
	snprintf(want, sizeof(want), "/api/v1/me/calendar.ics?key=%s", key);
	assert_string_equal(path, want);
	snprintf(path, sizeof(path), "/api/v1/me/calendar.ics?key=%s&" MARCH, key);
	get_ics(NULL, path, &c);
	event_ids(&c, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 2, s1, s3));
	ical_release(&c);
	/* Whoever else is signed in, the key says whose calendar it is. */
	get_ics(&finished, path, &c);
	event_ids(&c, got, sizeof(got));
	assert_string_equal(got, ids(want, sizeof(want), 2, s1, s3));
	ical_release(&c);
	/* A learner key is no instructor key. */
	assert_no_feed("/api/v1/instructors/%lld/schedule.ics?key=%s", instructor.user_id, key);
	assert_no_feed("/api/v1/instructors/%lld/schedule.ics?key=%s", enrolled.user_id, key);

	/* Dropping the course drops its sessions from the feed. */
	sql("UPDATE enrollments SET status = 'cancelled' WHERE user_id = %lld AND section_id = %lld",
	    enrolled.user_id, section_a);
	snprintf(path, sizeof(path), "/api/v1/me/calendar.ics?key=%s&" MARCH, key);
	get_ics(NULL, path, &c);
	assert_int_equal(c.nevents, 0);
	ical_release(&c);
	sql("INSERT INTO enrollments (user_id, section_id, status) VALUES (%lld, %lld, 'enrolled')",
	    enrolled.user_id, section_a);
}

/* ---- changes reach calendars ---- */

static void changes_raise_sequence(void **state)
{
	char path[256], uid[64];
	json_t *body, *item;
	struct ical c;

	(void)state;
	/* s1 moves an hour later; s3 is cancelled. */
	sql("UPDATE class_sessions SET starts_at = starts_at + interval '1 hour',"
	    " ends_at = ends_at + interval '1 hour', sequence = sequence + 1, updated_at = now()"
	    " WHERE id = %lld",
	    s1);
	sql("UPDATE class_sessions SET status = 'cancelled', sequence = sequence + 1,"
	    " updated_at = now() WHERE id = %lld",
	    s3);
	sql("UPDATE class_sessions SET sequence = sequence + 1, updated_at = now() WHERE id = %lld",
	    s3);

	schedule_path(path, sizeof(path), instructor.user_id, ".ics", MARCH);
	get_ics(&instructor, path, &c);
	assert_int_equal(c.nevents, 4);
	/* The same UID: a calendar updates the event it has. */
	snprintf(uid, sizeof(uid), "session-%lld@localhost", s1);
	ICAL_ASSERT(&c, ical_event(&c, 0), {"UID", uid},
		    {"DTSTART;TZID=Asia/Seoul", "20270303T100000"},
		    {"SEQUENCE", "1"}, {"STATUS", "CONFIRMED"});
	ICAL_ASSERT(&c, ical_event(&c, 1), {"SEQUENCE", "0"});
	/* Cancelled sessions stay, so calendars remove them. */
	snprintf(uid, sizeof(uid), "session-%lld@localhost", s3);
	ICAL_ASSERT(&c, ical_event(&c, 2), {"UID", uid}, {"SEQUENCE", "2"},
		    {"STATUS", "CANCELLED"});
	ical_release(&c);

	get_ics(&enrolled, "/api/v1/me/calendar.ics?" MARCH, &c);
	ICAL_ASSERT(&c, ical_event(&c, 1), {"STATUS", "CANCELLED"});
	ical_release(&c);
	body = harness_get_json(&server, &enrolled, "/api/v1/me/schedule?" MARCH);
	item = json_array_get(json_object_get(body, "items"), 1);
	assert_int_equal(json_integer_value(json_object_get(item, "id")), s3);
	assert_string_equal(json_string_value(json_object_get(item, "status")), "cancelled");
	assert_int_equal(json_integer_value(json_object_get(item, "sequence")), 2);
	json_decref(body);

	schedule_path(path, sizeof(path), instructor.user_id, "", MARCH);
	body = harness_get_json(&server, &instructor, path);
	item = json_array_get(json_object_get(body, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(item, "starts_at")),
			    "2027-03-03T10:00:00+09:00");
	assert_int_equal(json_integer_value(json_object_get(item, "sequence")), 1);
	item = json_array_get(json_object_get(body, "items"), 2);
	assert_int_equal(json_integer_value(json_object_get(item, "id")), s3);
	assert_string_equal(json_string_value(json_object_get(item, "status")), "cancelled");
	assert_int_equal(json_integer_value(json_object_get(item, "sequence")), 2);
	json_decref(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(schedule_as_json),
		cmocka_unit_test(window_edges),
		cmocka_unit_test(default_window),
		cmocka_unit_test(bad_windows_are_400),
		cmocka_unit_test(who_reads_a_schedule),
		cmocka_unit_test(schedule_as_ics),
		cmocka_unit_test(instructor_feed),
		cmocka_unit_test(feed_requests),
		cmocka_unit_test(learner_calendar),
		cmocka_unit_test(changes_raise_sequence),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
