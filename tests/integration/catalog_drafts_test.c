/* catalog_drafts_test.c - the course list with unpublished courses for
 * those who manage an institution's catalogue, beside the public list and
 * its response cache, against a running server */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"

static struct lms_server server;
static char conninfo[1024];

static struct harness_actor learner, instructor, gist_admin, jnu_admin, platform, token;
static long long gist, jnu;

/* GIST's courses found by "zebrafinch", in id order: c[0] and c[3]
 * published; c[1] and c[2] drafts (c[2] and c[3] AI Academy, offline).
 * cj: a Chonnam draft. Found by "cachecrane": cache_pub and a draft. */
static long long c[4], cj, cache_pub;

/* The members of a public list item, in the order they are sent. */
static const char *const public_keys[] = {
	"id", "code", "program", "program_name", "institution_id", "institution_name", "title",
	"title_ko", "title_en", "summary", "summary_ko", "summary_en", "delivery", "level", "tags",
	"open_sections",
};
#define NKEYS (sizeof(public_keys) / sizeof(public_keys[0]))

/* ---- helpers ---- */

#define sql_ll(...) harness_sql_llf(conninfo, __VA_ARGS__)

static long long course_of(long long institution, const char *code, const char *program,
			   const char *delivery, const char *title_en, bool published)
{
	char title_ko[64];

	snprintf(title_ko, sizeof(title_ko), "초안 %s", code);
	return harness_course_create(conninfo, &(struct harness_course){.institution = institution,
									.code = code,
									.program = program,
									.title_ko = title_ko,
									.title_en = title_en,
									.delivery = delivery,
									.draft = !published});
}

/* The Cache-Control of r must be want. */
static void assert_cache_control(const struct http_result *r, const char *want)
{
	char cc[128];

	if (!http_result_header(r, "Cache-Control", cc, sizeof(cc)))
		fail_msg("no Cache-Control");
	assert_string_equal(cc, want);
}

/* The page's items must be the courses want[0..n-1], in order, with
 * "published" as in pub[] when pub is not NULL and without it otherwise. */
static void assert_courses(const json_t *page, const long long *want, const bool *pub, size_t n)
{
	const json_t *items = json_object_get(page, "items"), *item;
	size_t i;

	if (json_array_size(items) != n)
		fail_msg("expected %zu courses, got %zu", n, json_array_size(items));
	json_array_foreach(items, i, item) {
		const json_t *p = json_object_get(item, "published");

		assert_int_equal(harness_json_ll(item, "id"), want[i]);
		if (pub) {
			assert_true(json_is_boolean(p));
			assert_int_equal(json_is_true(p), pub[i]);
		} else {
			assert_null(p);
		}
	}
}

/* The members of item must be the public ones in their order, then
 * "published" when managed. */
static void assert_shape(const json_t *item, bool managed)
{
	const char *key;
	json_t *v;
	size_t k = 0;

	json_object_foreach((json_t *)item, key, v) {
		if (k < NKEYS)
			assert_string_equal(key, public_keys[k]);
		else
			assert_true(managed && k == NKEYS && !strcmp(key, "published"));
		k++;
	}
	assert_int_equal(k, NKEYS + managed);
}

/* Changes a course's English title without telling the servers (no
 * NOTIFY: the triggers do not fire for a replica session). */
static void change_silently(long long course, const char *title_en)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "SET session_replication_role = replica;"
		 " UPDATE courses SET title_en = '%s' WHERE id = %lld;"
		 " RESET session_replication_role;",
		 title_en, course);
	if (harness_sql(conninfo, sql) != 0)
		fail_msg("cannot change course %lld", course);
}

static void pause_briefly(void)
{
	nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
}

/* ---- fixture ---- */

static int setup(void **state)
{
	if (harness_db_create("catalog_drafts", conninfo, sizeof(conninfo)) != 0 ||
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
	    harness_token_create(&server, &gist_admin, gist, "drafts test",
				 "\"reports:read\", \"audit:read\"", &token) < 0)
		return -1;
	c[0] = course_of(gist, "DP-1", "online", "online", "Zebrafinch Public One", true);
	c[1] = course_of(gist, "DP-2", "online", "online", "Zebrafinch Draft Two", false);
	c[2] = course_of(gist, "DP-3", "ai_academy", "offline", "Zebrafinch Draft Three", false);
	c[3] = course_of(gist, "DP-4", "ai_academy", "offline", "Zebrafinch Public Four", true);
	cj = course_of(jnu, "DP-J", "online", "online", "Zebrafinch Chonnam Draft", false);
	cache_pub = course_of(gist, "DP-5", "online", "online", "Cachecrane Public", true);
	course_of(gist, "DP-6", "online", "online", "Cachecrane Draft", false);
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

static void managers_see_drafts_with_published(void **state)
{
	const bool pub[] = {true, false, false, true};
	struct http_result r = {0};
	char path[200];
	json_t *page;

	(void)state;
	snprintf(path, sizeof(path),
		 "/api/v1/courses?institution_id=%lld&q=zebrafinch&include_unpublished=true", gist);
	harness_get_as(&server, &gist_admin, path, &r);
	assert_int_equal(r.status, 200);
	assert_cache_control(&r, "private, no-store");
	page = harness_json_body(&r);
	assert_courses(page, c, pub, 4);
	assert_shape(json_array_get(json_object_get(page, "items"), 1), true);
	assert_true(json_is_null(json_object_get(page, "next_cursor")));
	json_decref(page);
	http_result_release(&r);

	/* The operating committee manages every catalogue. */
	page = harness_json_as(&server, &platform, "GET", path, NULL, 200);
	assert_courses(page, c, pub, 4);
	json_decref(page);

	/* Chonnam's admins, their own. */
	snprintf(path, sizeof(path),
		 "/api/v1/courses?institution_id=%lld&q=zebrafinch&include_unpublished=true", jnu);
	page = harness_json_as(&server, &jnu_admin, "GET", path, NULL, 200);
	assert_courses(page, &cj, (const bool[]){false}, 1);
	json_decref(page);
}

static void public_list_is_unchanged(void **state)
{
	struct http_result visitor = {0}, admin = {0}, off = {0};
	char path[200], path_off[240];
	json_t *page;

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/courses?institution_id=%lld&q=zebrafinch", gist);
	harness_get_as(&server, NULL, path, &visitor);
	assert_int_equal(visitor.status, 200);
	assert_cache_control(&visitor, "no-cache");
	page = harness_json_body(&visitor);
	assert_courses(page, (const long long[]){c[0], c[3]}, NULL, 2);
	assert_shape(json_array_get(json_object_get(page, "items"), 0), false);
	json_decref(page);
	if (strstr(visitor.body, "published") || strstr(visitor.body, "Draft"))
		fail_msg("the public list shows drafts: %s", visitor.body);

	/* Without the flag a manager gets the public answer, byte for byte;
	 * so does anyone with include_unpublished=false. */
	harness_get_as(&server, &gist_admin, path, &admin);
	assert_int_equal(admin.status, 200);
	assert_string_equal(admin.body, visitor.body);
	snprintf(path_off, sizeof(path_off), "%s&include_unpublished=false", path);
	harness_get_as(&server, &learner, path_off, &off);
	assert_int_equal(off.status, 200);
	assert_cache_control(&off, "no-cache");
	assert_string_equal(off.body, visitor.body);
	http_result_release(&visitor);
	http_result_release(&admin);
	http_result_release(&off);

	/* A draft's own page stays closed to visitors. */
	snprintf(path, sizeof(path), "/api/v1/courses/%lld", c[1]);
	harness_problem_as(&server, NULL, "GET", path, NULL, 404, "not_found", NULL);
}

static void filters_and_paging_keep_working(void **state)
{
	char path[240];
	json_t *page;

	(void)state;
	snprintf(path, sizeof(path),
		 "/api/v1/courses?institution_id=%lld&q=zebrafinch&include_unpublished=true"
		 "&program=ai_academy",
		 gist);
	page = harness_json_as(&server, &gist_admin, "GET", path, NULL, 200);
	assert_courses(page, c + 2, (const bool[]){false, true}, 2);
	json_decref(page);
	snprintf(path, sizeof(path),
		 "/api/v1/courses?include_unpublished=true&delivery=online&institution_id=%lld"
		 "&q=zebrafinch",
		 gist);
	page = harness_json_as(&server, &gist_admin, "GET", path, NULL, 200);
	assert_courses(page, c, (const bool[]){true, false}, 2);
	json_decref(page);
	/* Two search words: both must match. */
	snprintf(path, sizeof(path),
		 "/api/v1/courses?institution_id=%lld&q=zebrafinch%%20draft"
		 "&include_unpublished=true",
		 gist);
	page = harness_json_as(&server, &gist_admin, "GET", path, NULL, 200);
	assert_courses(page, c + 1, (const bool[]){false, false}, 2);
	json_decref(page);

	/* Pages by id behind the cursor. */
	snprintf(path, sizeof(path),
		 "/api/v1/courses?institution_id=%lld&q=zebrafinch&include_unpublished=true"
		 "&limit=3",
		 gist);
	page = harness_json_as(&server, &gist_admin, "GET", path, NULL, 200);
	assert_courses(page, c, (const bool[]){true, false, false}, 3);
	assert_true(json_is_string(json_object_get(page, "next_cursor")));
	snprintf(path, sizeof(path),
		 "/api/v1/courses?institution_id=%lld&q=zebrafinch&include_unpublished=true&limit=3"
		 "&cursor=%s",
		 gist, json_string_value(json_object_get(page, "next_cursor")));
	json_decref(page);
	page = harness_json_as(&server, &gist_admin, "GET", path, NULL, 200);
	assert_courses(page, c + 3, (const bool[]){true}, 1);
	assert_true(json_is_null(json_object_get(page, "next_cursor")));
	json_decref(page);
}

static void bad_input_is_named(void **state)
{
	char path[200];

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/courses?institution_id=%lld&include_unpublished=yes",
		 gist);
	harness_problem_as(&server, &gist_admin, "GET", path, NULL, 400, "validation_failed",
			   "include_unpublished");
	harness_problem_as(&server, NULL, "GET", path, NULL, 400, "validation_failed",
			   "include_unpublished");
	snprintf(path, sizeof(path), "/api/v1/courses?institution_id=%lld&include_unpublished=1",
		 gist);
	harness_problem_as(&server, &gist_admin, "GET", path, NULL, 400, "validation_failed",
			   "include_unpublished");
	harness_problem_as(&server, &gist_admin, "GET", "/api/v1/courses?include_unpublished=",
			   NULL, 400, "validation_failed", "include_unpublished");
	harness_problem_as(&server, &gist_admin, "GET",
			   "/api/v1/courses?include_unpublished=truetruetrue", NULL, 400,
			   "validation_failed", "include_unpublished");
	/* It needs the institution. */
	harness_problem_as(&server, &gist_admin, "GET", "/api/v1/courses?include_unpublished=true",
			   NULL, 400, "validation_failed", "institution_id");
	harness_problem_as(&server, &platform, "GET",
			   "/api/v1/courses?include_unpublished=true&q=zebrafinch", NULL, 400,
			   "validation_failed", "institution_id");
	harness_problem_as(&server, &gist_admin, "GET",
			   "/api/v1/courses?include_unpublished=true&institution_id=abc", NULL, 400,
			   "validation_failed", "institution_id");
	/* The other parameters are checked as ever. */
	snprintf(path, sizeof(path),
		 "/api/v1/courses?institution_id=%lld&include_unpublished=true&delivery=radio",
		 gist);
	harness_problem_as(&server, &gist_admin, "GET", path, NULL, 400, "validation_failed",
			   "delivery");
}

static void only_managers_may_ask(void **state)
{
	char path[200];

	(void)state;
	snprintf(path, sizeof(path),
		 "/api/v1/courses?institution_id=%lld&q=zebrafinch&include_unpublished=true", gist);
	harness_problem_as(&server, NULL, "GET", path, NULL, 401, "unauthenticated", NULL);
	harness_problem_as(&server, &learner, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &instructor, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &jnu_admin, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &token, "GET", path, NULL, 403, "forbidden", NULL);
	snprintf(path, sizeof(path),
		 "/api/v1/courses?institution_id=%lld&q=zebrafinch&include_unpublished=true", jnu);
	harness_problem_as(&server, &gist_admin, "GET", path, NULL, 403, "forbidden", NULL);
}

/* The public answer stays in the response cache; answers with drafts are
 * never served from it, and do not disturb it. No request in here
 * changes anything through the server, which would empty the cache. */
static void drafts_bypass_the_cache(void **state)
{
	struct http_result r = {0};
	char pub[200], managed[240], title[64], *cached = NULL;
	int round;

	(void)state;
	snprintf(pub, sizeof(pub), "/api/v1/courses?institution_id=%lld&q=cachecrane", gist);
	snprintf(managed, sizeof(managed), "%s&include_unpublished=true", pub);

	/* Until the server follows the change feed it serves nothing from
	 * memory: wait for an answer that a silent change does not reach. */
	for (round = 1; round <= 100 && !cached; round++) {
		char *before;

		harness_get_as(&server, NULL, pub, &r);
		assert_int_equal(r.status, 200);
		before = strdup(r.body);
		http_result_release(&r);
		snprintf(title, sizeof(title), "Cachecrane Public %d", round);
		change_silently(cache_pub, title);
		harness_get_as(&server, NULL, pub, &r);
		assert_int_equal(r.status, 200);
		if (strcmp(r.body, before) == 0)
			cached = before;
		else
			free(before);
		http_result_release(&r);
		if (!cached)
			pause_briefly();
	}
	if (!cached)
		fail_msg("the public list was never served from the cache");
	assert_null(strstr(cached, title));

	/* The managers' answer is read fresh, twice. */
	harness_get_as(&server, &gist_admin, managed, &r);
	assert_int_equal(r.status, 200);
	assert_cache_control(&r, "private, no-store");
	assert_contains(r.body, title);
	assert_contains(r.body, "Cachecrane Draft");
	http_result_release(&r);
	change_silently(cache_pub, "Cachecrane Public again");
	harness_get_as(&server, &gist_admin, managed, &r);
	assert_int_equal(r.status, 200);
	assert_contains(r.body, "Cachecrane Public again");
	http_result_release(&r);

	/* The public answer is still the one kept. */
	harness_get_as(&server, NULL, pub, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, cached);
	assert_cache_control(&r, "no-cache");
	http_result_release(&r);
	free(cached);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(managers_see_drafts_with_published),
		cmocka_unit_test(public_list_is_unchanged),
		cmocka_unit_test(filters_and_paging_keep_working),
		cmocka_unit_test(bad_input_is_named),
		cmocka_unit_test(only_managers_may_ask),
		cmocka_unit_test(drafts_bypass_the_cache),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
