/* roster_test.c - reading enrolments against a running server: the learner's
 * own list, a section's roster in JSON and CSV, and its audit trail */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define USER_PASSWORD "roster-user-pass-2026"
#define FORMULA_NAME "=cmd|' /C calc'!A0"
#define BOM "\xEF\xBB\xBF"
#define CSV_HEADER                                                                       \
	"enrollment_id,user_id,display_name,email,ladder_stage,affiliation_institution_id," \
	"status,waitlist_position,created_at,updated_at,lessons_completed,lessons_total,"  \
	"sessions_held,sessions_attended,attendance_rate_pct\r\n"

static struct lms_server server;
static char conninfo[1024];

static struct harness_actor learner, instructor, other_instructor, gist_admin, jnu_admin,
	platform, token, formula, quoted, korean, dropped;
static long long gist;

/*
 * The fixture, all of GIST but section_j:
 * - section_a (capacity 2): formula and quoted enrolled, korean and the
 *   learner waitlisted (korean first in line, though the learner's row is
 *   older), dropped cancelled (the oldest row); the instructor teaches it.
 * - section_csv: formula and the learner enrolled, quoted waitlisted.
 * - section_j (Chonnam, two lessons, one done): the learner enrolled.
 * - section_u (an unpublished course): the learner cancelled.
 * - section_draft: a draft.
 */
static long long course_a, section_a, section_csv, section_j, section_u, section_draft;
static long long e_learner_a, e_korean_a, e_learner_j, e_learner_u;
static long long e_csv[3];

/* ---- helpers ---- */

/* A number from the test database (the query must give one). */
#define sql_ll(...) harness_sql_llf(conninfo, __VA_ARGS__)

/* GET path as a (NULL: a visitor) with an Accept header when accept is
 * not NULL; fails the test on a transport error. */
static void get(const struct harness_actor *a, const char *path, const char *accept,
		struct http_result *r)
{
	char auth[300], acc[160];
	const char *headers[3] = {NULL};
	int n = 0;

	if (a && a->token[0])
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", a->token);
	else if (a)
		snprintf(auth, sizeof(auth), "Cookie: %s", a->cookie);
	if (a)
		headers[n++] = auth;
	if (accept) {
		snprintf(acc, sizeof(acc), "Accept: %s", accept);
		headers[n++] = acc;
	}
	if (harness_request_once(&server, "GET", path, headers, NULL, r) != 0)
		fail_msg("GET %s: no response", path);
}

/* GET path as a must be refused with status and code; field, when set,
 * must be named in the errors list. */
static void assert_refused(const struct harness_actor *a, const char *path, long status,
			   const char *code, const char *field)
{
	struct http_result r = {0};
	json_t *j, *e;
	bool named = false;
	size_t i;

	get(a, path, NULL, &r);
	if (r.status != status)
		fail_msg("GET %s: expected %ld, got %ld: %s", path, status, r.status, r.body);
	j = harness_json_body(&r);
	if (!json_is_string(json_object_get(j, "code")) ||
	    strcmp(json_string_value(json_object_get(j, "code")), code) != 0)
		fail_msg("GET %s: expected code %s: %s", path, code, r.body);
	json_array_foreach(json_object_get(j, "errors"), i, e)
		named |= field && !strcmp(json_string_value(json_object_get(e, "field")), field);
	if (field && !named)
		fail_msg("GET %s: the errors do not name %s: %s", path, field, r.body);
	if (strstr(r.body, "@example.com"))
		fail_msg("GET %s: a refusal shows an email: %s", path, r.body);
	json_decref(j);
	http_result_release(&r);
}

static long status_of(const struct harness_actor *a, const char *path)
{
	struct http_result r = {0};
	long st;

	get(a, path, NULL, &r);
	st = r.status;
	http_result_release(&r);
	return st;
}

/* Registers email (display name and stage as given, affiliated with
 * institution when it is not 0) and signs in. */
static void register_and_login(const char *email, const char *name_json, const char *stage,
			       long long institution, struct harness_actor *a)
{
	char fields[256], aff[64] = "";

	if (institution)
		snprintf(aff, sizeof(aff), ", \"affiliation_institution_id\": %lld", institution);
	snprintf(fields, sizeof(fields), "\"display_name\": %s, \"ladder_stage\": \"%s\"%s",
		 name_json, stage, aff);
	harness_register_ok(&server, email, USER_PASSWORD, fields, a);
	/* An affiliation given at sign-up is a claim: its admin approves it. */
	if (institution)
		assert_int_equal(harness_affiliate(conninfo, a->user_id, institution), 0);
}

static long long course_of(long long institution, const char *code, bool published)
{
	char title_ko[64], title_en[64];

	snprintf(title_ko, sizeof(title_ko), "명부 %s", code);
	snprintf(title_en, sizeof(title_en), "Roster %s", code);
	return harness_course_create(conninfo, &(struct harness_course){.institution = institution,
									.code = code,
									.title_ko = title_ko,
									.title_en = title_en,
									.draft = !published});
}

static long long section_of(long long course, int capacity, const char *status)
{
	return harness_section_create(conninfo, &(struct harness_section){
							.course = course, .capacity = capacity, .status = status});
}

static long long enroll(long long section, const struct harness_actor *a, const char *status)
{
	return harness_enrollment_create(conninfo, &(struct harness_enrollment){
							   .section = section, .user = a->user_id, .status = status});
}

/* Rows of the audit log for reads of section by actor, in format with
 * rows rows (-1: any). */
static long long audit_rows(long long section, const struct harness_actor *a, const char *format,
			    int rows)
{
	return sql_ll("SELECT count(*) FROM audit_log WHERE action = 'roster.read'"
		      " AND target_type = 'section' AND target_id = %lld AND actor_user_id = %lld"
		      " AND institution_id = %lld AND detail->>'format' = '%s'"
		      " AND (%d < 0 OR (detail->>'rows')::int = %d)",
		      section, a->user_id, gist, format, rows, rows);
}

/* ---- fixture ---- */

static int setup(void **state)
{
	long long jnu, course_j, course_u, module;

	if (harness_db_create("roster", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	jnu = sql_ll("SELECT id FROM institutions WHERE code = 'jnu'");
	harness_login_ok(&server, "learner@example.com", DEMO_PASSWORD, &learner);
	harness_login_ok(&server, "instructor@example.com", DEMO_PASSWORD, &instructor);
	harness_login_ok(&server, "instructor2@example.com", DEMO_PASSWORD, &other_instructor);
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	harness_login_ok(&server, "admin@example.com", DEMO_PASSWORD, &platform);
	register_and_login("roster-formula@example.com", "\"" FORMULA_NAME "\"", "worker", gist,
			   &formula);
	register_and_login("roster-quoted@example.com", "\"Kim, \\\"Q\\\"\"", "job_seeker", 0,
			   &quoted);
	register_and_login("roster-korean@example.com", "\"박지성\"", "general", 0, &korean);
	register_and_login("roster-dropped@example.com", "\"Lee\"", "undergraduate", 0, &dropped);

	if (harness_token_create(&server, &gist_admin, gist, "roster test",
				 "\"reports:read\", \"audit:read\"", &token) < 0)
		return -1;

	course_a = course_of(gist, "RA", true);
	course_j = course_of(jnu, "RJ", true);
	course_u = course_of(gist, "RU", false);
	section_a = section_of(course_a, 2, "open");
	section_csv = section_of(course_a, 2, "closed");
	section_draft = section_of(course_a, 5, "draft");
	section_j = section_of(course_j, 5, "open");
	section_u = section_of(course_u, 5, "open");
	sql_ll("INSERT INTO section_instructors (section_id, user_id) VALUES (%lld, %lld),"
	       " (%lld, %lld), (%lld, %lld) RETURNING 1",
	       section_a, instructor.user_id, section_csv, instructor.user_id, section_u,
	       instructor.user_id);

	enroll(section_a, &dropped, "cancelled");
	e_learner_a = enroll(section_a, &learner, "waitlisted");
	e_korean_a = enroll(section_a, &korean, "waitlisted");
	enroll(section_a, &formula, "enrolled");
	enroll(section_a, &quoted, "enrolled");
	/* First come, first served is the waitlist sequence, not the row id. */
	sql_ll("UPDATE enrollments SET waitlist_seq = CASE id WHEN %lld THEN 2000000 ELSE 1000000"
	       " END WHERE id IN (%lld, %lld) RETURNING 1",
	       e_learner_a, e_learner_a, e_korean_a);

	e_csv[0] = enroll(section_csv, &formula, "enrolled");
	e_csv[1] = enroll(section_csv, &learner, "enrolled");
	e_csv[2] = enroll(section_csv, &quoted, "waitlisted");

	e_learner_j = enroll(section_j, &learner, "enrolled");
	e_learner_u = enroll(section_u, &learner, "cancelled");
	module = sql_ll("INSERT INTO course_modules (course_id, position, title_ko, title_en)"
			" VALUES (%lld, 1, '1주차', 'Week 1') RETURNING id",
			course_j);
	sql_ll("INSERT INTO lessons (module_id, position, title_ko, title_en, kind)"
	       " VALUES (%lld, 1, '하나', 'One', 'text'), (%lld, 2, '둘', 'Two', 'text') RETURNING 1",
	       module, module);
	sql_ll("INSERT INTO lesson_progress (user_id, lesson_id) SELECT %lld, min(id)"
	       " FROM lessons WHERE module_id = %lld RETURNING 1",
	       learner.user_id, module);
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(harness_server_stop(&server), 0);
	return 0;
}

/* ---- the learner's own enrolments ---- */

static void mine_lists_own_newest_first_with_course_and_section(void **state)
{
	json_t *page = harness_get_json(&server, &learner, "/api/v1/me/enrollments"), *items, *e,
	       *c, *s;
	const long long want[] = {e_learner_u, e_learner_j, e_csv[1], e_learner_a};
	size_t i;

	items = json_object_get(page, "items");
	assert_int_equal(json_array_size(items), 4);
	assert_true(json_is_null(json_object_get(page, "next_cursor")));
	json_array_foreach(items, i, e) {
		assert_int_equal(json_integer_value(json_object_get(e, "id")), want[i]);
		assert_int_equal(json_integer_value(json_object_get(e, "user_id")),
				 learner.user_id);
		assert_true(json_is_object(json_object_get(e, "progress")));
		assert_true(json_is_string(json_object_get(e, "created_at")));
	}

	/* The Chonnam enrolment: course, section and progress. */
	e = json_array_get(items, 1);
	c = json_object_get(e, "course");
	s = json_object_get(e, "section");
	assert_string_equal(json_string_value(json_object_get(e, "status")), "enrolled");
	assert_int_equal(json_integer_value(json_object_get(e, "section_id")), section_j);
	assert_string_equal(json_string_value(json_object_get(c, "code")), "RJ");
	assert_string_equal(json_string_value(json_object_get(c, "title")), "명부 RJ");
	assert_string_equal(json_string_value(json_object_get(c, "title_en")), "Roster RJ");
	assert_int_equal(json_integer_value(json_object_get(c, "institution_id")),
			 sql_ll("SELECT id FROM institutions WHERE code = 'jnu'"));
	assert_int_equal(json_integer_value(json_object_get(s, "id")), section_j);
	assert_string_equal(json_string_value(json_object_get(s, "term")), "2026-1");
	assert_string_equal(json_string_value(json_object_get(s, "starts_on")), "2026-03-02");
	assert_string_equal(json_string_value(json_object_get(s, "ends_on")), "2026-06-30");
	assert_string_equal(json_string_value(json_object_get(s, "status")), "open");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "progress"),
							    "completed")),
			 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "progress"),
							    "total")),
			 2);
	assert_true(json_is_null(json_object_get(e, "waitlist_position")));

	/* Second in line: korean came first. */
	e = json_array_get(items, 3);
	assert_string_equal(json_string_value(json_object_get(e, "status")), "waitlisted");
	assert_int_equal(json_integer_value(json_object_get(e, "waitlist_position")), 2);
	json_decref(page);

	/* Titles in the language asked for. */
	page = harness_get_json(&server, &learner, "/api/v1/me/enrollments?lang=en");
	c = json_object_get(json_array_get(json_object_get(page, "items"), 1), "course");
	assert_string_equal(json_string_value(json_object_get(c, "title")), "Roster RJ");
	assert_string_equal(json_string_value(json_object_get(c, "title_ko")), "명부 RJ");
	json_decref(page);

	/* Someone with none gets an empty list. */
	page = harness_get_json(&server, &instructor, "/api/v1/me/enrollments");
	assert_int_equal(json_array_size(json_object_get(page, "items")), 0);
	assert_true(json_is_null(json_object_get(page, "next_cursor")));
	json_decref(page);

	/* Others see only their own. */
	page = harness_get_json(&server, &korean, "/api/v1/me/enrollments");
	items = json_object_get(page, "items");
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")),
			 e_korean_a);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0),
							    "waitlist_position")),
			 1);
	json_decref(page);
}

/* Positions are ranks: when the one ahead leaves, the next is first. */
static void mine_waitlist_positions_close_up(void **state)
{
	json_t *page;

	sql_ll("UPDATE enrollments SET status = 'cancelled' WHERE id = %lld RETURNING 1",
	       e_korean_a);
	page = harness_get_json(&server, &learner, "/api/v1/me/enrollments?status=waitlisted");
	assert_int_equal(json_array_size(json_object_get(page, "items")), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(page, "items"), 0),
				 "waitlist_position")),
			 1);
	json_decref(page);
	/* Back in line as it was, for the roster tests: a new waitlist row. */
	sql_ll("UPDATE enrollments SET status = 'cancelled' WHERE id = %lld RETURNING 1",
	       e_learner_a);
	e_korean_a = enroll(section_a, &korean, "waitlisted");
	e_learner_a = enroll(section_a, &learner, "waitlisted");
}

static void mine_filters_by_status(void **state)
{
	json_t *page = harness_get_json(&server, &learner,
					"/api/v1/me/enrollments?status=cancelled"),
	       *e;
	size_t i;

	assert_true(json_array_size(json_object_get(page, "items")) >= 1);
	json_array_foreach(json_object_get(page, "items"), i, e)
		assert_string_equal(json_string_value(json_object_get(e, "status")), "cancelled");
	json_decref(page);
	page = harness_get_json(&server, &learner, "/api/v1/me/enrollments?status=completed");
	assert_int_equal(json_array_size(json_object_get(page, "items")), 0);
	json_decref(page);
}

/* Every enrolment once, in the same order, however it is paged. */
static void mine_pages_by_cursor(void **state)
{
	json_t *all = harness_get_json(&server, &learner, "/api/v1/me/enrollments?limit=100");
	size_t total = json_array_size(json_object_get(all, "items")), seen = 0;
	char path[256], cursor[128] = "";
	int pages = 0;

	assert_true(total >= 5);
	for (;;) {
		json_t *page, *e, *next;
		size_t i;

		snprintf(path, sizeof(path), "/api/v1/me/enrollments?limit=2%s%s",
			 cursor[0] ? "&cursor=" : "", cursor);
		page = harness_get_json(&server, &learner, path);
		json_array_foreach(json_object_get(page, "items"), i, e) {
			json_t *want = json_array_get(json_object_get(all, "items"), seen++);

			assert_int_equal(json_integer_value(json_object_get(e, "id")),
					 json_integer_value(json_object_get(want, "id")));
		}
		pages++;
		next = json_object_get(page, "next_cursor");
		if (json_is_null(next)) {
			json_decref(page);
			break;
		}
		snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
		json_decref(page);
		if (pages > 10)
			fail_msg("paging does not end");
	}
	assert_int_equal(seen, total);
	assert_int_equal(pages, (int)(total / 2 + 1));
	json_decref(all);
}

static void mine_needs_a_session(void **state)
{
	assert_refused(NULL, "/api/v1/me/enrollments", 401, "unauthenticated", NULL);
	assert_refused(&token, "/api/v1/me/enrollments", 403, "forbidden", NULL);
}

/* ---- the roster ---- */

static void roster_who_may_read(void **state)
{
	char path[128], draft[128], hidden[128];

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster", section_a);
	assert_int_equal(status_of(&instructor, path), 200);
	assert_int_equal(status_of(&gist_admin, path), 200);
	assert_int_equal(status_of(&platform, path), 200);
	assert_refused(&jnu_admin, path, 403, "forbidden", NULL);
	assert_refused(&other_instructor, path, 403, "forbidden", NULL);
	assert_refused(&learner, path, 403, "forbidden", NULL);
	assert_refused(&formula, path, 403, "forbidden", NULL);
	assert_refused(NULL, path, 401, "unauthenticated", NULL);
	assert_refused(&token, path, 403, "forbidden", NULL);

	/* No such section, or a draft: nothing to read, for anyone. */
	assert_refused(&platform, "/api/v1/sections/987654321/roster", 404, "not_found", NULL);
	assert_refused(&gist_admin, "/api/v1/sections/0/roster", 404, "not_found", NULL);
	assert_refused(&gist_admin, "/api/v1/sections/abc/roster", 404, "not_found", NULL);
	snprintf(draft, sizeof(draft), "/api/v1/sections/%lld/roster", section_draft);
	assert_refused(&gist_admin, draft, 404, "not_found", NULL);
	assert_refused(&jnu_admin, draft, 404, "not_found", NULL);

	/* An unpublished course exists only for those who run it. */
	snprintf(hidden, sizeof(hidden), "/api/v1/sections/%lld/roster", section_u);
	assert_int_equal(status_of(&instructor, hidden), 200);
	assert_int_equal(status_of(&gist_admin, hidden), 200);
	assert_refused(&jnu_admin, hidden, 404, "not_found", NULL);
	assert_refused(&learner, hidden, 404, "not_found", NULL);

	/* The other institution's admins read their own sections. */
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster", section_j);
	assert_int_equal(status_of(&jnu_admin, path), 200);
	assert_refused(&gist_admin, path, 403, "forbidden", NULL);
	assert_refused(&instructor, path, 403, "forbidden", NULL);
}

/* The roster: enrolled, then the waitlist in its order, then the rest. */
static void roster_json_orders_and_shows_learners(void **state)
{
	char path[128];
	json_t *roster, *items, *sec, *e;
	const struct harness_actor *want[] = {&formula, &quoted, &korean, &learner, &dropped,
					      &learner, &korean};
	const char *status[] = {"enrolled", "enrolled", "waitlisted", "waitlisted",
				"cancelled", "cancelled", "cancelled"};
	size_t i;

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster", section_a);
	roster = harness_get_json(&server, &instructor, path);
	sec = json_object_get(roster, "section");
	items = json_object_get(roster, "items");
	assert_int_equal(json_integer_value(json_object_get(sec, "id")), section_a);
	assert_int_equal(json_integer_value(json_object_get(sec, "enrolled_count")), 2);
	assert_int_equal(json_integer_value(json_object_get(sec, "waitlist_length")), 2);
	assert_int_equal(json_integer_value(json_object_get(sec, "capacity")), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(sec, "course"),
							      "code")),
			    "RA");
	assert_true(json_is_false(json_object_get(roster, "truncated")));
	assert_int_equal(json_array_size(items), 7);
	json_array_foreach(items, i, e) {
		assert_int_equal(json_integer_value(json_object_get(e, "user_id")),
				 want[i]->user_id);
		assert_string_equal(json_string_value(json_object_get(e, "status")), status[i]);
		assert_true(json_is_string(json_object_get(e, "email")));
		assert_true(json_is_string(json_object_get(e, "display_name")));
		assert_true(json_is_string(json_object_get(e, "ladder_stage")));
		assert_true(json_is_string(json_object_get(e, "created_at")));
		assert_true(json_is_object(json_object_get(e, "progress")));
		assert_int_equal(json_integer_value(json_object_get(e, "section_id")), section_a);
		if (strcmp(status[i], "waitlisted") == 0)
			assert_int_equal(json_integer_value(
						 json_object_get(e, "waitlist_position")),
					 i - 1);
		else
			assert_true(json_is_null(json_object_get(e, "waitlist_position")));
	}
	e = json_array_get(items, 0);
	assert_string_equal(json_string_value(json_object_get(e, "display_name")), FORMULA_NAME);
	assert_string_equal(json_string_value(json_object_get(e, "email")),
			    "roster-formula@example.com");
	assert_string_equal(json_string_value(json_object_get(e, "ladder_stage")), "worker");
	assert_int_equal(json_integer_value(json_object_get(e, "affiliation_institution_id")),
			 gist);
	assert_true(json_is_null(json_object_get(json_array_get(items, 1),
						 "affiliation_institution_id")));
	json_decref(roster);

	/* Of one status. */
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster?status=waitlisted", section_a);
	roster = harness_get_json(&server, &gist_admin, path);
	items = json_object_get(roster, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")),
			 e_korean_a);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "id")),
			 e_learner_a);
	json_decref(roster);
}

/* Bad query parameters are 400 naming the parameter, on both lists. */
static void bad_parameters_are_named(void **state)
{
	static const struct {
		bool roster;
		const char *query, *field;
	} cases[] = {
		{false, "status=active", "status"},
		{false, "status=", "status"},
		{false, "status=ENROLLED", "status"},
		{false, "status=enrolled%00", "status"},
		{false, "limit=0", "limit"},
		{false, "limit=101", "limit"},
		{false, "cursor=garbage!", "cursor"},
		{true, "status=gone", "status"},
		{true, "format=xlsx", "format"},
		{true, "format=", "format"},
		{true, "format=csv&bom=yes", "bom"},
		{true, "bom=2", "bom"},
	};
	char path[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].roster)
			snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster?%s", section_a,
				 cases[i].query);
		else
			snprintf(path, sizeof(path), "/api/v1/me/enrollments?%s", cases[i].query);
		assert_refused(&gist_admin, path, 400, "validation_failed", cases[i].field);
	}
}

/* The expected CSV of section_csv, with the timestamps the JSON roster
 * shows (the same read, in the other format). */
static void expected_csv(bool bom, char *out, size_t len)
{
	char path[128], aff[32];
	json_t *roster, *items;
	const struct harness_actor *who[] = {&formula, &learner, &quoted};
	const char *names[] = {"'" FORMULA_NAME, "김학습", "\"Kim, \"\"Q\"\"\""};
	const char *emails[] = {"roster-formula@example.com", "learner@example.com",
				"roster-quoted@example.com"};
	const char *stages[] = {"worker", "worker", "job_seeker"};
	const char *statuses[] = {"enrolled", "enrolled", "waitlisted"};
	const char *positions[] = {"", "", "1"};
	size_t used;

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster", section_csv);
	roster = harness_get_json(&server, &instructor, path);
	items = json_object_get(roster, "items");
	assert_int_equal(json_array_size(items), 3);
	used = (size_t)snprintf(out, len, "%s" CSV_HEADER, bom ? BOM : "");
	for (size_t i = 0; i < 3; i++) {
		json_t *e = json_array_get(items, i);
		long long a = json_integer_value(
			json_object_get(e, "affiliation_institution_id"));

		assert_int_equal(json_integer_value(json_object_get(e, "id")), e_csv[i]);
		snprintf(aff, sizeof(aff), a ? "%lld" : "", a);
		used += (size_t)snprintf(out + used, len - used,
					 "%lld,%lld,%s,%s,%s,%s,%s,%s,%s,%s,0,0,0,0,\r\n", e_csv[i],
					 who[i]->user_id, names[i], emails[i], stages[i], aff,
					 statuses[i], positions[i],
					 json_string_value(json_object_get(e, "created_at")),
					 json_string_value(json_object_get(e, "updated_at")));
	}
	json_decref(roster);
}

static void assert_csv(const struct http_result *r, const char *want)
{
	char h[256], disposition[128];

	if (r->status != 200)
		fail_msg("expected 200, got %ld: %s", r->status, r->body);
	assert_string_equal(http_result_header(r, "Content-Type", h, sizeof(h)),
			    "text/csv; charset=utf-8");
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"roster-%lld.csv\"",
		 section_csv);
	assert_string_equal(http_result_header(r, "Content-Disposition", h, sizeof(h)),
			    disposition);
	if (r->len != strlen(want) || memcmp(r->body, want, r->len) != 0)
		fail_msg("expected CSV:\n%s\ngot (%zu bytes):\n%s", want, r->len, r->body);
}

static void roster_csv_bytes(void **state)
{
	char path[160], want[4096], want_plain[4096];
	struct http_result r = {0};

	expected_csv(true, want, sizeof(want));
	expected_csv(false, want_plain, sizeof(want_plain));

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster", section_csv);
	get(&instructor, path, "text/csv", &r);
	assert_csv(&r, want);
	/* The Korean name arrives as the same UTF-8 bytes, after the BOM. */
	assert_non_null(memmem(r.body, r.len, "\xEA\xB9\x80\xED\x95\x99\xEC\x8A\xB5", 9));
	assert_memory_equal(r.body, BOM, 3);
	http_result_release(&r);

	/* Accept with several types, one of them CSV. */
	get(&gist_admin, path, "application/json;q=0.5, Text/CSV;q=0.9", &r);
	assert_csv(&r, want);
	http_result_release(&r);

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster?format=csv", section_csv);
	get(&gist_admin, path, NULL, &r);
	assert_csv(&r, want);
	http_result_release(&r);

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster?format=csv&bom=0", section_csv);
	get(&gist_admin, path, NULL, &r);
	assert_csv(&r, want_plain);
	http_result_release(&r);

	/* ?format wins over Accept. */
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster?format=json", section_csv);
	get(&gist_admin, path, "text/csv", &r);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.body, "{", 1);
	http_result_release(&r);

	/* Of one status, still with its header row. */
	snprintf(path, sizeof(path),
		 "/api/v1/sections/%lld/roster?format=csv&bom=0&status=rejected", section_csv);
	get(&gist_admin, path, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, CSV_HEADER);
	http_result_release(&r);
}

/* Every read leaves an audit row; a refused one does not; and no roster
 * leaves without its row. */
static void roster_reads_are_audited(void **state)
{
	char path[160];
	struct http_result r = {0};
	long long before_json = audit_rows(section_csv, &gist_admin, "json", 3),
		  before_csv = audit_rows(section_csv, &gist_admin, "csv", 3),
		  all = sql_ll("SELECT count(*) FROM audit_log WHERE action = 'roster.read'");

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster", section_csv);
	assert_int_equal(status_of(&gist_admin, path), 200);
	assert_int_equal(audit_rows(section_csv, &gist_admin, "json", 3), before_json + 1);
	get(&gist_admin, path, "text/csv", &r);
	assert_int_equal(r.status, 200);
	http_result_release(&r);
	assert_int_equal(audit_rows(section_csv, &gist_admin, "csv", 3), before_csv + 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'roster.read'"),
			 all + 2);
	/* The filter is part of the record, and so is the address. */
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster?status=waitlisted",
		 section_csv);
	assert_int_equal(status_of(&platform, path), 200);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'roster.read'"
				" AND actor_user_id = %lld AND target_id = %lld"
				" AND detail->>'status' = 'waitlisted'"
				" AND (detail->>'rows')::int = 1"
				" AND remote_addr IS NOT NULL AND request_id IS NOT NULL",
				platform.user_id, section_csv),
			 1);

	/* Refusals read nothing and record nothing. */
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster", section_csv);
	assert_int_equal(status_of(&jnu_admin, path), 403);
	assert_int_equal(status_of(&learner, path), 403);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'roster.read'"),
			 all + 3);

	/* When the audit row cannot be written, the roster is not sent. */
	if (harness_sql(conninfo, "REVOKE INSERT ON audit_log FROM lms_app") != 0)
		fail_msg("cannot revoke");
	get(&gist_admin, path, NULL, &r);
	assert_int_equal(r.status, 503);
	if (strstr(r.body, "@example.com"))
		fail_msg("the roster was sent without its audit row: %s", r.body);
	http_result_release(&r);
	get(&gist_admin, path, "text/csv", &r);
	assert_int_equal(r.status, 503);
	if (strstr(r.body, "@example.com"))
		fail_msg("the roster was sent without its audit row: %s", r.body);
	http_result_release(&r);
	if (harness_sql(conninfo, "GRANT INSERT ON audit_log TO lms_app") != 0)
		fail_msg("cannot grant");
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'roster.read'"),
			 all + 3);
	/* And the connection it used is fine for the next request. */
	assert_int_equal(status_of(&gist_admin, path), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mine_lists_own_newest_first_with_course_and_section),
		cmocka_unit_test(mine_waitlist_positions_close_up),
		cmocka_unit_test(mine_filters_by_status),
		cmocka_unit_test(mine_pages_by_cursor),
		cmocka_unit_test(mine_needs_a_session),
		cmocka_unit_test(roster_who_may_read),
		cmocka_unit_test(roster_json_orders_and_shows_learners),
		cmocka_unit_test(bad_parameters_are_named),
		cmocka_unit_test(roster_csv_bytes),
		cmocka_unit_test(roster_reads_are_audited),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
