/* enrollment_list_test.c - an institution's enrolments (the admins'
 * queue of applications) against a running server: shapes, filters,
 * paging, bad input, who may read it, and its audit trail */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define LIST "/api/v1/enrollments"

static struct lms_server server;
static char conninfo[1024];

static struct harness_actor learner, instructor, gist_admin, jnu_admin, platform, token,
	people[4], two_hats;
static long long gist, jnu;

/*
 * The fixture: course_a (GIST, published) with section_a1 (capacity 1) and
 * section_a2, course_d (GIST, unpublished) with section_d, course_j
 * (Chonnam) with section_j. Enrolments in id order:
 *   e[0] people[0] a1 enrolled     e[4] people[0] j  pending
 *   e[1] people[1] a1 waitlisted   e[5] people[1] d  cancelled
 *   e[2] people[2] a1 pending      e[6] people[2] a2 rejected
 *   e[3] people[3] a2 pending
 */
static long long course_a, course_d, course_j, section_a1, section_a2, section_d, section_j;
static long long e[7];

/* ---- helpers ---- */

#define sql_ll(...) harness_sql_llf(conninfo, __VA_ARGS__)

static json_t *get_ok(const struct harness_actor *a, const char *path)
{
	return harness_json_as(&server, a, "GET", path, NULL, 200);
}

/* The ids of a page's items, in order, must be want[0..n-1]. */
static void assert_ids(const json_t *page, const long long *want, size_t n)
{
	const json_t *items = json_object_get(page, "items"), *item;
	size_t i;

	if (json_array_size(items) != n)
		fail_msg("expected %zu items, got %zu", n, json_array_size(items));
	json_array_foreach(items, i, item)
		assert_int_equal(harness_json_ll(item, "id"), want[i]);
}

/* GET path as a: its page must list want. */
static void assert_list(const struct harness_actor *a, const char *path, const long long *want,
			size_t n)
{
	json_t *page = get_ok(a, path);

	assert_ids(page, want, n);
	assert_true(json_is_null(json_object_get(page, "next_cursor")));
	json_decref(page);
}

static long long course_of(long long institution, const char *code, bool published)
{
	char title_ko[64], title_en[64];

	snprintf(title_ko, sizeof(title_ko), "신청 %s", code);
	snprintf(title_en, sizeof(title_en), "Queue %s", code);
	return harness_course_create(conninfo, &(struct harness_course){.institution = institution,
									.code = code,
									.title_ko = title_ko,
									.title_en = title_en,
									.draft = !published});
}

static long long section_of(long long course, int capacity)
{
	return harness_section_create(conninfo, &(struct harness_section){.course = course,
									  .term = "2026-2",
									  .starts_on = "2026-09-01",
									  .ends_on = "2026-12-18",
									  .capacity = capacity,
									  .opens_at = "2026-07-01",
									  .closes_at = "2026-08-25"});
}

static long long enroll(long long section, const struct harness_actor *a, const char *status,
			const char *statement)
{
	return harness_enrollment_create(conninfo, &(struct harness_enrollment){
							   .section = section,
							   .user = a->user_id,
							   .status = status,
							   .statement = statement});
}

static long long list_audits(void)
{
	return sql_ll("SELECT count(*) FROM audit_log WHERE action = 'enrollment.list'");
}

/* ---- fixture ---- */

static int setup(void **state)
{
	if (harness_db_create("enrollment_list", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	jnu = sql_ll("SELECT id FROM institutions WHERE code = 'jnu'");
	if (harness_login(&server, "learner@example.com", DEMO_PASSWORD, &learner) != 0 ||
	    harness_login(&server, "instructor@example.com", DEMO_PASSWORD, &instructor) != 0 ||
	    harness_login(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin) != 0 ||
	    harness_login(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin) != 0 ||
	    harness_login(&server, "admin@example.com", DEMO_PASSWORD, &platform) != 0 ||
	    harness_learners_create(conninfo, "queue", "worker", 4, people) != 0 ||
	    harness_learners_create(conninfo, "twohats", "worker", 1, &two_hats) != 0 ||
	    harness_token_create(&server, &gist_admin, gist, "queue test", "\"reports:read\"",
				 &token) < 0)
		return -1;
	/* An admin of two institutions must say which. */
	sql_ll("INSERT INTO user_roles (user_id, role, institution_id) VALUES"
	       " (%lld, 'institution_admin', %lld), (%lld, 'institution_admin', %lld) RETURNING 1",
	       two_hats.user_id, gist, two_hats.user_id, jnu);

	course_a = course_of(gist, "QA", true);
	course_d = course_of(gist, "QD", false);
	course_j = course_of(jnu, "QJ", true);
	section_a1 = section_of(course_a, 1);
	section_a2 = section_of(course_a, 5);
	section_d = section_of(course_d, 5);
	section_j = section_of(course_j, 5);
	e[0] = enroll(section_a1, &people[0], "enrolled", NULL);
	e[1] = enroll(section_a1, &people[1], "waitlisted", NULL);
	e[2] = enroll(section_a1, &people[2], "pending", "I build robots, \"really\"");
	e[3] = enroll(section_a2, &people[3], "pending", "두 번째 신청");
	e[4] = enroll(section_j, &people[0], "pending", NULL);
	e[5] = enroll(section_d, &people[1], "cancelled", NULL);
	e[6] = enroll(section_a2, &people[2], "rejected", NULL);
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(harness_server_stop(&server), 0);
	return 0;
}

/* ---- tests ---- */

static void items_carry_learner_course_and_section(void **state)
{
	json_t *page = get_ok(&gist_admin, LIST), *item, *c, *s;
	const long long want[] = {e[0], e[1], e[2], e[3], e[5], e[6]};

	(void)state;
	/* GIST's only, oldest first; the draft course's too. */
	assert_ids(page, want, 6);
	assert_true(json_is_null(json_object_get(page, "next_cursor")));

	/* The application: its statement, the learner, course and section. */
	item = json_array_get(json_object_get(page, "items"), 2);
	assert_string_equal(json_string_value(json_object_get(item, "status")), "pending");
	assert_string_equal(json_string_value(json_object_get(item, "statement")),
			    "I build robots, \"really\"");
	assert_true(json_is_null(json_object_get(item, "waitlist_position")));
	assert_int_equal(harness_json_ll(item, "user_id"), people[2].user_id);
	assert_int_equal(harness_json_ll(item, "section_id"), section_a1);
	assert_int_equal(harness_json_ll(item, "course_id"), course_a);
	assert_string_equal(json_string_value(json_object_get(item, "display_name")), "Learner 3");
	assert_string_equal(json_string_value(json_object_get(item, "email")),
			    "queue3@example.com");
	assert_string_equal(json_string_value(json_object_get(item, "ladder_stage")), "worker");
	assert_true(json_is_string(json_object_get(item, "created_at")));
	assert_true(json_is_string(json_object_get(item, "updated_at")));
	assert_true(json_is_object(json_object_get(item, "progress")));
	c = json_object_get(item, "course");
	assert_int_equal(harness_json_ll(c, "id"), course_a);
	assert_string_equal(json_string_value(json_object_get(c, "code")), "QA");
	assert_string_equal(json_string_value(json_object_get(c, "title")), "신청 QA");
	assert_string_equal(json_string_value(json_object_get(c, "title_ko")), "신청 QA");
	assert_string_equal(json_string_value(json_object_get(c, "title_en")), "Queue QA");
	s = json_object_get(item, "section");
	assert_int_equal(harness_json_ll(s, "id"), section_a1);
	assert_string_equal(json_string_value(json_object_get(s, "term")), "2026-2");
	assert_string_equal(json_string_value(json_object_get(s, "starts_on")), "2026-09-01");
	assert_string_equal(json_string_value(json_object_get(s, "ends_on")), "2026-12-18");
	assert_string_equal(json_string_value(json_object_get(s, "status")), "open");

	/* The waitlisted one knows its place. */
	item = json_array_get(json_object_get(page, "items"), 1);
	assert_string_equal(json_string_value(json_object_get(item, "status")), "waitlisted");
	assert_int_equal(harness_json_ll(item, "waitlist_position"), 1);
	json_decref(page);

	/* Titles in the language asked for. */
	page = get_ok(&gist_admin, LIST "?lang=en&limit=1");
	c = json_object_get(json_array_get(json_object_get(page, "items"), 0), "course");
	assert_string_equal(json_string_value(json_object_get(c, "title")), "Queue QA");
	json_decref(page);
}

static void filters_narrow_within_the_institution(void **state)
{
	char path[160];

	(void)state;
	/* The queue of applications. */
	assert_list(&gist_admin, LIST "?status=pending", (const long long[]){e[2], e[3]}, 2);
	snprintf(path, sizeof(path), LIST "?course_id=%lld", course_a);
	assert_list(&gist_admin, path, (const long long[]){e[0], e[1], e[2], e[3], e[6]}, 5);
	snprintf(path, sizeof(path), LIST "?section_id=%lld", section_a2);
	assert_list(&gist_admin, path, (const long long[]){e[3], e[6]}, 2);
	snprintf(path, sizeof(path), LIST "?section_id=%lld&status=pending&course_id=%lld",
		 section_a2, course_a);
	assert_list(&gist_admin, path, (const long long[]){e[3]}, 1);
	snprintf(path, sizeof(path), LIST "?status=cancelled&institution_id=%lld", gist);
	assert_list(&gist_admin, path, (const long long[]){e[5]}, 1);
	assert_list(&gist_admin, LIST "?status=completed", NULL, 0);
	/* Another institution's course or section is no way in: no rows. */
	snprintf(path, sizeof(path), LIST "?course_id=%lld", course_j);
	assert_list(&gist_admin, path, NULL, 0);
	snprintf(path, sizeof(path), LIST "?section_id=%lld", section_j);
	assert_list(&gist_admin, path, NULL, 0);
	/* Chonnam's admins see Chonnam's by default. */
	assert_list(&jnu_admin, LIST, (const long long[]){e[4]}, 1);
}

static void pages_follow_the_cursor(void **state)
{
	const long long want[] = {e[0], e[1], e[2], e[3], e[5], e[6]};
	char path[200];
	size_t seen = 0;
	int pages = 0;
	json_t *page;

	(void)state;
	snprintf(path, sizeof(path), LIST "?limit=2");
	for (;;) {
		const json_t *cursor;

		page = get_ok(&gist_admin, path);
		assert_true(seen + json_array_size(json_object_get(page, "items")) <= 6);
		assert_ids(page, want + seen, json_array_size(json_object_get(page, "items")));
		seen += json_array_size(json_object_get(page, "items"));
		pages++;
		cursor = json_object_get(page, "next_cursor");
		if (json_is_null(cursor)) {
			json_decref(page);
			break;
		}
		assert_true(json_is_string(cursor));
		snprintf(path, sizeof(path), LIST "?limit=2&cursor=%s", json_string_value(cursor));
		json_decref(page);
		assert_true(pages < 10);
	}
	/* Three full pages, then an empty one that ends the list. */
	assert_int_equal(seen, 6);
	assert_int_equal(pages, 4);

	/* The cursor combines with the filters. */
	page = get_ok(&gist_admin, LIST "?status=pending&limit=1");
	assert_ids(page, (const long long[]){e[2]}, 1);
	snprintf(path, sizeof(path), LIST "?status=pending&limit=1&cursor=%s",
		 json_string_value(json_object_get(page, "next_cursor")));
	json_decref(page);
	page = get_ok(&gist_admin, path);
	assert_ids(page, (const long long[]){e[3]}, 1);
	json_decref(page);
}

static void bad_parameters_are_named(void **state)
{
	static const struct {
		const char *query;
		const char *field;
	} cases[] = {
		{"?status=approved", "status"},
		{"?status=", "status"},
		{"?status=PENDING", "status"},
		{"?course_id=abc", "course_id"},
		{"?course_id=0", "course_id"},
		{"?section_id=-4", "section_id"},
		{"?institution_id=x", "institution_id"},
		{"?limit=0", "limit"},
		{"?limit=101", "limit"},
		{"?cursor=not-a-cursor", "cursor"},
		{"?stauts=pending", "stauts"},
	};
	char path[160];
	long long before = list_audits();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), LIST "%s", cases[i].query);
		harness_problem_as(&server, &gist_admin, "GET", path, NULL, 400,
				   "validation_failed", cases[i].field);
		harness_problem_as(&server, &platform, "GET", path, NULL, 400, "validation_failed",
				   cases[i].field);
	}
	/* An admin of two institutions names one. */
	harness_problem_as(&server, &two_hats, "GET", LIST, NULL, 400, "validation_failed",
			   "institution_id");
	snprintf(path, sizeof(path), LIST "?institution_id=%lld", jnu);
	assert_list(&two_hats, path, (const long long[]){e[4]}, 1);
	/* Refusals read nothing and record nothing. */
	assert_int_equal(list_audits(), before + 1);
}

static void who_may_read(void **state)
{
	char path[160];
	json_t *page;

	(void)state;
	harness_problem_as(&server, NULL, "GET", LIST, NULL, 401, "unauthenticated", NULL);
	harness_problem_as(&server, &learner, "GET", LIST, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &instructor, "GET", LIST, NULL, 403, "forbidden", NULL);
	/* Scripts have the report; this list is for people signed in. */
	harness_problem_as(&server, &token, "GET", LIST, NULL, 403, "forbidden", NULL);
	/* Another institution's enrolments. */
	snprintf(path, sizeof(path), LIST "?institution_id=%lld", gist);
	harness_problem_as(&server, &jnu_admin, "GET", path, NULL, 403, "forbidden", NULL);
	snprintf(path, sizeof(path), LIST "?institution_id=%lld&status=pending", jnu);
	harness_problem_as(&server, &gist_admin, "GET", path, NULL, 403, "forbidden", NULL);
	snprintf(path, sizeof(path), LIST "?institution_id=987654321");
	harness_problem_as(&server, &gist_admin, "GET", path, NULL, 403, "forbidden", NULL);

	/* The operating committee: every institution unless it names one. */
	page = get_ok(&platform, LIST);
	assert_ids(page, e, 7);
	json_decref(page);
	assert_list(&platform, LIST "?status=pending", (const long long[]){e[2], e[3], e[4]}, 3);
	snprintf(path, sizeof(path), LIST "?institution_id=%lld&status=pending", jnu);
	assert_list(&platform, path, (const long long[]){e[4]}, 1);
	assert_list(&platform, LIST "?institution_id=987654321", NULL, 0);
}

static void reads_are_audited(void **state)
{
	struct http_result r = {0};
	char path[160];
	long long before = list_audits();

	(void)state;
	snprintf(path, sizeof(path), LIST "?status=pending&course_id=%lld", course_a);
	assert_list(&gist_admin, path, (const long long[]){e[2], e[3]}, 2);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'enrollment.list'"
				" AND actor_user_id = %lld AND institution_id = %lld"
				" AND detail->'filters'->>'status' = 'pending'"
				" AND (detail->'filters'->>'course_id')::bigint = %lld"
				" AND (detail->'filters'->>'institution_id')::bigint = %lld"
				" AND NOT detail->'filters' ? 'section_id'"
				" AND (detail->>'rows')::int = 2"
				" AND remote_addr IS NOT NULL AND request_id IS NOT NULL",
				gist_admin.user_id, gist, course_a, gist),
			 1);
	/* The whole partnership: no institution. */
	assert_int_equal(harness_status_as(&server, &platform, "GET", LIST "?limit=5", NULL), 200);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'enrollment.list'"
				" AND actor_user_id = %lld AND institution_id IS NULL"
				" AND detail->'filters'->'institution_id' = 'null'::jsonb"
				" AND (detail->>'rows')::int = 5",
				platform.user_id),
			 1);
	/* Every page is a reading. */
	assert_int_equal(harness_status_as(&server, &gist_admin, "GET", LIST "?limit=1", NULL),
			 200);
	assert_int_equal(list_audits(), before + 3);

	/* Refusals record nothing. */
	assert_int_equal(harness_status_as(&server, &learner, "GET", LIST, NULL), 403);
	snprintf(path, sizeof(path), LIST "?institution_id=%lld", gist);
	assert_int_equal(harness_status_as(&server, &jnu_admin, "GET", path, NULL), 403);
	assert_int_equal(list_audits(), before + 3);

	/* When the audit row cannot be written, nothing personal leaves. */
	if (harness_sql(conninfo, "REVOKE INSERT ON audit_log FROM lms_app") != 0)
		fail_msg("cannot revoke");
	assert_int_equal(harness_as(&server, &gist_admin, "GET", LIST, NULL, &r), 0);
	assert_int_equal(r.status, 503);
	if (strstr(r.body, "@example.com"))
		fail_msg("the list was sent without its audit row: %s", r.body);
	http_result_release(&r);
	if (harness_sql(conninfo, "GRANT INSERT ON audit_log TO lms_app") != 0)
		fail_msg("cannot grant");
	assert_int_equal(list_audits(), before + 3);
	assert_int_equal(harness_status_as(&server, &gist_admin, "GET", LIST, NULL), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(items_carry_learner_course_and_section),
		cmocka_unit_test(filters_narrow_within_the_institution),
		cmocka_unit_test(pages_follow_the_cursor),
		cmocka_unit_test(bad_parameters_are_named),
		cmocka_unit_test(who_may_read),
		cmocka_unit_test(reads_are_audited),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
