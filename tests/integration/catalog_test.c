/* catalog_test.c - the public catalogue: search, filters, paging, ETags,
 * languages, course pages and the response cache, against a running server */
#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static struct lms_server server;
static char conninfo[1024];
static long long inst_id, gist_id;

/* Courses of an institution of the test's own, so the demo catalogue never
 * gets in the way of exact answers. */
static const char fixture_sql[] =
	"INSERT INTO institutions (code, kind, name_ko, name_en, region)"
	" VALUES ('testuni', 'university', '시험대학교', 'Test University', '광주');"
	"INSERT INTO programs (code, name_ko, name_en, allowed_stages) VALUES"
	" ('ai_academy', '인공지능사관학교', 'AI Academy', '{job_seeker,general,worker}'),"
	" ('science_academy', '과학관 AI 아카데미', 'Science AI Academy', '{elementary,middle,high}')"
	" ON CONFLICT (code) DO NOTHING;"
	"INSERT INTO courses (institution_id, program_id, code, title_ko, title_en, summary_ko,"
	" summary_en, delivery, tags, published)"
	" SELECT i.id, p.id, v.code, v.title_ko, v.title_en, v.summary_ko, v.summary_en,"
	" v.delivery, v.tags, v.published"
	" FROM institutions i, (VALUES"
	" ('T-DL', 'ai_academy', '인공지능사관학교 딥러닝 실무', 'AI Academy: Practical Deep Learning',"
	"  '현업 데이터로 배우는 딥러닝', 'Deep learning on real data', 'offline', '{dl}'::text[], true),"
	" ('T-KID', 'science_academy', '어린이 코딩 교실', 'Coding Class for Kids',"
	"  '블록으로 시작하는 코딩', 'Start coding with blocks', 'online', '{kids}', true),"
	" ('T-ROB', 'science_academy', '로봇 공학 입문', 'Introduction to Robotics',"
	"  '움직이는 로봇 만들기', 'Build a moving robot', 'blended', '{robot}', true),"
	" ('T-HID', 'ai_academy', '비공개 준비 과정', 'Hidden Draft Course', '', '', 'online',"
	"  '{}', false)) AS v(code, program, title_ko, title_en, summary_ko, summary_en,"
	"  delivery, tags, published)"
	" JOIN programs p ON p.code = v.program WHERE i.code = 'testuni';"
	/* T-DL: an open section (capacity 3: 2 enrolled, 1 waitlisted) and a
	 * draft one; T-KID: a section whose window closed. */
	"INSERT INTO sections (course_id, term, starts_on, ends_on, capacity, enrollment_opens_at,"
	" enrollment_closes_at, status)"
	" SELECT c.id, '2027-1', '2027-03-02'::date, '2027-06-20'::date, 3, now() - interval '1 day',"
	" now() + interval '30 days', 'open' FROM courses c WHERE c.code = 'T-DL'"
	" UNION ALL SELECT c.id, '2027-2', '2027-09-01', '2027-12-20', 20, now(),"
	" now() + interval '60 days', 'draft' FROM courses c WHERE c.code = 'T-DL'"
	" UNION ALL SELECT c.id, '2027-1', '2027-03-02', '2027-06-20', 20,"
	" now() - interval '30 days', now() - interval '1 day', 'open'"
	" FROM courses c WHERE c.code = 'T-KID';"
	"INSERT INTO section_instructors (section_id, user_id)"
	" SELECT s.id, u.id FROM sections s JOIN courses c ON c.id = s.course_id, users u"
	" WHERE c.code = 'T-DL' AND s.status = 'open' AND u.email = 'instructor@example.com';"
	"INSERT INTO enrollments (user_id, section_id, status)"
	" SELECT u.id, s.id, v.status FROM sections s JOIN courses c ON c.id = s.course_id,"
	" (VALUES ('learner@example.com', 'enrolled'), ('admin@example.com', 'enrolled'),"
	"  ('gist-admin@example.com', 'waitlisted')) AS v(email, status)"
	" JOIN users u ON u.email = v.email"
	" WHERE c.code = 'T-DL' AND s.status = 'open';";

static int setup(void **state)
{
	if (harness_db_create("catalog", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_sql(conninfo, fixture_sql) != 0)
		return -1;
	inst_id = harness_sql_ll(conninfo, "SELECT id FROM institutions WHERE code = 'testuni'");
	gist_id = harness_sql_ll(conninfo, "SELECT id FROM institutions WHERE code = 'gist'");
	return harness_server_start(&server, conninfo, NULL);
}

static int teardown(void **state)
{
	return harness_server_stop(&server) == 0 ? 0 : -1;
}

/* GET path with extra headers (NULL-terminated, may be NULL); the body
 * parsed as JSON (new), after asserting the status. */
static json_t *get_json(const char *path, const char *const *headers, long status)
{
	struct http_result r = {0};
	json_t *j;

	assert_int_equal(harness_request_once(&server, "GET", path, headers, NULL, &r), 0);
	if (r.status != status)
		fail_msg("GET %s: expected %ld, got %ld: %s", path, status, r.status, r.body);
	j = json_loads(r.body, 0, NULL);
	if (!j)
		fail_msg("GET %s: not JSON: %s", path, r.body);
	http_result_release(&r);
	return j;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The codes of the items of a list, sorted, joined by spaces. */
static void codes(const json_t *list, char *buf, size_t len)
{
	const char *sorted[128];
	json_t *item;
	size_t i, n = 0, used = 0;

	json_array_foreach(json_object_get(list, "items"), i, item)
		if (n < 128)
			sorted[n++] = json_string_value(json_object_get(item, "code"));
	qsort(sorted, n, sizeof(sorted[0]), cmp_str);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "", sorted[i]);
}

/* The codes a search of this institution's courses finds. */
static void search(const char *query, char *buf, size_t len)
{
	char path[512];
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/courses?institution_id=%lld&%s", inst_id, query);
	j = get_json(path, NULL, 200);
	codes(j, buf, len);
	json_decref(j);
}

static void search_korean_english_and_short_words(void **state)
{
	char found[512];

	/* 인공지 (a prefix of 인공지능) finds 인공지능사관학교. */
	search("q=%EC%9D%B8%EA%B3%B5%EC%A7%80", found, sizeof(found));
	assert_string_equal(found, "T-DL");
	/* Two-syllable words, below pg_trgm's three characters: 코딩, 로봇. */
	search("q=%EC%BD%94%EB%94%A9", found, sizeof(found));
	assert_string_equal(found, "T-KID");
	search("q=%EB%A1%9C%EB%B4%87", found, sizeof(found));
	assert_string_equal(found, "T-ROB");
	/* English, any case; several words must all match. */
	search("q=DEEP", found, sizeof(found));
	assert_string_equal(found, "T-DL");
	search("q=robot%20intro", found, sizeof(found));
	assert_string_equal(found, "T-ROB");
	search("q=%EC%BD%94%EB%94%A9+%EA%B5%90%EC%8B%A4", found, sizeof(found)); /* 코딩 교실 */
	assert_string_equal(found, "T-KID");
	search("q=robot+%EC%BD%94%EB%94%A9", found, sizeof(found));
	assert_string_equal(found, "");
	/* One character, and LIKE's own wildcards taken literally. */
	search("q=%EB%B4%87", found, sizeof(found)); /* 봇 */
	assert_string_equal(found, "T-ROB");
	search("q=%25", found, sizeof(found));
	assert_string_equal(found, "");
	search("q=_", found, sizeof(found));
	assert_string_equal(found, "");
	/* Unpublished courses are not in the catalogue. */
	search("q=hidden", found, sizeof(found));
	assert_string_equal(found, "");
	search("q=", found, sizeof(found));
	assert_string_equal(found, "T-DL T-KID T-ROB");
}

/* The codes of the items of a list, in their order, joined by spaces. */
static void codes_in_order(const json_t *list, char *buf, size_t len)
{
	json_t *item;
	size_t i, used = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(list, "items"), i, item)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "",
					 json_string_value(json_object_get(item, "code")));
}

/* What a person types: five words and more, all of which must match,
 * courses with every word in the title first, paged in that order. */
static void search_many_words_title_first(void **state)
{
	char path[1024], found[512], cursor[128];
	json_t *j;

	/* 인공지능 딥러닝 실무 현업 데이터로 */
	search("q=%EC%9D%B8%EA%B3%B5%EC%A7%80%EB%8A%A5+%EB%94%A5%EB%9F%AC%EB%8B%9D"
	       "+%EC%8B%A4%EB%AC%B4+%ED%98%84%EC%97%85+%EB%8D%B0%EC%9D%B4%ED%84%B0%EB%A1%9C",
	       found, sizeof(found));
	assert_string_equal(found, "T-DL");
	search("q=deep+learning+real+data+practical+ai", found, sizeof(found));
	assert_string_equal(found, "T-DL");
	search("q=deep+learning+real+data+practical+robot", found, sizeof(found));
	assert_string_equal(found, "");
	search("q=a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p", found, sizeof(found));
	assert_string_equal(found, "");
	/* Sixteen words of three characters or more: each its own condition. */
	search("q=deep+learning+real+data+practical+academy+deep+learning+real+data+practical"
	       "+academy+deep+learning+real+data",
	       found, sizeof(found));
	assert_string_equal(found, "T-DL");

	/* 파이썬 기초: R-SUM (older) has the words in its summary only, R-TTL
	 * in its title, and comes first. */
	assert_int_equal(harness_sql(conninfo,
				     "INSERT INTO courses (institution_id, program_id, code, title_ko,"
				     " title_en, summary_ko, delivery, published)"
				     " SELECT i.id, p.id, v.code, v.title, v.title, v.summary, 'online',"
				     " true FROM institutions i, programs p, (VALUES"
				     " ('R-SUM', '메이커 교실', '파이썬 기초 실습'),"
				     " ('R-TTL', '광주 파이썬 기초', '처음 배우는 프로그래밍'))"
				     " AS v(code, title, summary)"
				     " WHERE i.code = 'gist' AND p.code = 'ai_academy' ORDER BY v.code"),
			 0);
	snprintf(path, sizeof(path), "/api/v1/courses?institution_id=%lld"
		 "&q=%%ED%%8C%%8C%%EC%%9D%%B4%%EC%%8D%%AC+%%EA%%B8%%B0%%EC%%B4%%88", gist_id);
	j = get_json(path, NULL, 200);
	codes_in_order(j, found, sizeof(found));
	assert_string_equal(found, "R-TTL R-SUM");
	json_decref(j);
	/* One at a time, the cursor carries the order across. */
	strcat(path, "&limit=1");
	j = get_json(path, NULL, 200);
	codes_in_order(j, found, sizeof(found));
	assert_string_equal(found, "R-TTL");
	snprintf(cursor, sizeof(cursor), "%s", json_string_value(json_object_get(j, "next_cursor")));
	json_decref(j);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "&cursor=%s", cursor);
	j = get_json(path, NULL, 200);
	codes_in_order(j, found, sizeof(found));
	assert_string_equal(found, "R-SUM");
	json_decref(j);
}

static void filters(void **state)
{
	char found[512];
	json_t *j, *e;
	size_t i;

	search("program=science_academy", found, sizeof(found));
	assert_string_equal(found, "T-KID T-ROB");
	search("delivery=blended", found, sizeof(found));
	assert_string_equal(found, "T-ROB");
	search("stage=elementary", found, sizeof(found));
	assert_string_equal(found, "T-KID T-ROB");
	search("stage=job_seeker", found, sizeof(found));
	assert_string_equal(found, "T-DL");
	/* Open: a section open for enrolment now (T-KID's window closed). */
	search("open=true", found, sizeof(found));
	assert_string_equal(found, "T-DL");
	search("open=false", found, sizeof(found));
	assert_string_equal(found, "T-DL T-KID T-ROB");

	/* Every bad parameter is named. */
	j = get_json("/api/v1/courses?program=cooking&delivery=fax&stage=retired&open=maybe"
		     "&institution_id=x",
		     NULL, 400);
	assert_string_equal(json_string_value(json_object_get(j, "code")), "validation_failed");
	json_decref(j);
	j = get_json("/api/v1/courses?program=cooking&delivery=fax&stage=retired&open=maybe",
		     NULL, 400);
	found[0] = '\0';
	json_array_foreach(json_object_get(j, "errors"), i, e) {
		strcat(found, json_string_value(json_object_get(e, "field")));
		strcat(found, " ");
	}
	assert_string_equal(found, "program delivery stage open ");
	json_decref(j);
	/* Up to 16 words (and 200 bytes); more is refused. */
	json_decref(get_json("/api/v1/courses?q=a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q", NULL, 400));
	json_decref(get_json("/api/v1/courses?limit=101", NULL, 400));
	json_decref(get_json("/api/v1/courses?limit=0", NULL, 400));
	json_decref(get_json("/api/v1/courses?cursor=not-a-cursor", NULL, 400));
}

/* A first page says how many courses match in all, whatever its limit;
 * a later page does not say. */
static void total_on_the_first_page(void **state)
{
	static const struct {
		const char *query;
		long long total;
	} cases[] = {
		{"program=science_academy", 2},
		{"stage=elementary&delivery=online", 1},
		{"open=true", 1},
		{"open=false", 3},
		{"q=%EC%BD%94%EB%94%A9", 1}, /* 코딩: two characters, by bigram */
		{"q=robot", 1},
		{"q=nothing-like-this", 0},
		/* A search's page and total come from one ranked set: with
		 * filters, and paged (the second page below). */
		{"q=in", 3},
		{"q=in&program=science_academy", 2},
		{"q=in&delivery=online", 1},
		{"q=in&open=true", 1},
		{"q=in&open=false", 3},
		{"q=tion+in", 1},
	};
	char path[512];
	json_t *j, *next;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "/api/v1/courses?institution_id=%lld&%s&limit=1",
			 inst_id, cases[i].query);
		j = get_json(path, NULL, 200);
		if (json_integer_value(json_object_get(j, "total")) != cases[i].total)
			fail_msg("%s: total %lld, expected %lld", cases[i].query,
				 json_integer_value(json_object_get(j, "total")), cases[i].total);
		if (cases[i].total > 1) {
			snprintf(path + strlen(path), sizeof(path) - strlen(path), "&cursor=%s",
				 json_string_value(json_object_get(j, "next_cursor")));
			next = get_json(path, NULL, 200);
			assert_null(json_object_get(next, "total"));
			assert_int_equal(json_array_size(json_object_get(next, "items")), 1);
			json_decref(next);
		}
		json_decref(j);
	}
}

/* Paging by id: rows added while a client pages through appear once at
 * most, and none of those that were there is skipped or repeated. */
static void paging_under_concurrent_inserts(void **state)
{
	char path[512], sql[512];
	json_t *page, *item;
	int seen[64] = {0}, pages = 0, extra = 0;
	const char *cursor = NULL;
	char cursor_buf[128];
	size_t i;

	assert_int_equal(harness_sql(conninfo,
				     "INSERT INTO courses (institution_id, program_id, code, title_ko,"
				     " title_en, delivery, published)"
				     " SELECT i.id, p.id, 'P-' || n, '페이지 ' || n, 'Page ' || n,"
				     " 'online', true FROM institutions i, programs p,"
				     " generate_series(1, 25) n"
				     " WHERE i.code = 'testuni' AND p.code = 'ai_academy'"),
			 0);
	for (;;) {
		snprintf(path, sizeof(path), "/api/v1/courses?institution_id=%lld&q=page&limit=7%s%s",
			 inst_id, cursor ? "&cursor=" : "", cursor ? cursor : "");
		page = get_json(path, NULL, 200);
		json_array_foreach(json_object_get(page, "items"), i, item) {
			const char *code = json_string_value(json_object_get(item, "code"));
			int n = atoi(code + 2);

			assert_true(n >= 1 && n < 64);
			seen[n]++;
		}
		/* Someone publishes two more courses between pages. */
		snprintf(sql, sizeof(sql),
			 "INSERT INTO courses (institution_id, program_id, code, title_ko, title_en,"
			 " delivery, published) SELECT i.id, p.id, 'P-' || n, '페이지 ' || n,"
			 " 'Page ' || n, 'online', true FROM institutions i, programs p,"
			 " generate_series(%d, %d) n WHERE i.code = 'testuni' AND p.code = 'ai_academy'",
			 26 + 2 * pages, 27 + 2 * pages);
		assert_int_equal(harness_sql(conninfo, sql), 0);
		pages++;
		if (json_is_null(json_object_get(page, "next_cursor")) || pages > 20) {
			json_decref(page);
			break;
		}
		snprintf(cursor_buf, sizeof(cursor_buf), "%s",
			 json_string_value(json_object_get(page, "next_cursor")));
		cursor = cursor_buf;
		json_decref(page);
	}
	assert_true(pages <= 20);
	for (int n = 1; n <= 25; n++)
		if (seen[n] != 1)
			fail_msg("course P-%d was seen %d times", n, seen[n]);
	for (int n = 26; n < 64; n++) {
		assert_true(seen[n] <= 1);
		extra += seen[n];
	}
	print_message("paged through 25 courses in %d pages; %d added meanwhile were seen\n", pages,
		      extra);
}

static void pause_briefly(void)
{
	struct timespec ts = {0, 10 * 1000 * 1000};

	nanosleep(&ts, NULL);
}

/* Waits, bounded, until GET path answers something other than etag. */
static char *wait_for_change(const char *path, const char *etag)
{
	struct timespec t0, now;
	char tag[128];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct http_result r = {0};

		assert_int_equal(harness_request_once(&server, "GET", path, NULL, NULL, &r), 0);
		assert_non_null(http_result_header(&r, "ETag", tag, sizeof(tag)));
		if (strcmp(tag, etag) != 0) {
			char *body = strdup(r.body);

			http_result_release(&r);
			return body;
		}
		http_result_release(&r);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 10)
			fail_msg("GET %s still answers the old version after 10 s", path);
		pause_briefly();
	}
}

static void etag_and_304_and_fresh_after_change(void **state)
{
	struct http_result r = {0};
	char path[256], etag[128], inm[160], vary[128], cc[128], *body;
	const char *headers[] = {inm, NULL};

	snprintf(path, sizeof(path), "/api/v1/courses?institution_id=%lld&q=robot", inst_id);
	assert_int_equal(harness_request_once(&server, "GET", path, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(http_result_header(&r, "ETag", etag, sizeof(etag)));
	assert_non_null(http_result_header(&r, "Vary", vary, sizeof(vary)));
	assert_contains(vary, "Accept-Language");
	assert_non_null(http_result_header(&r, "Cache-Control", cc, sizeof(cc)));
	assert_string_equal(cc, "no-cache");
	http_result_release(&r);

	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	assert_int_equal(harness_request_once(&server, "GET", path, headers, NULL, &r), 0);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.len, 0);
	http_result_release(&r);
	snprintf(inm, sizeof(inm), "If-None-Match: \"other\", W/%s", etag);
	assert_int_equal(harness_request_once(&server, "GET", path, headers, NULL, &r), 0);
	assert_int_equal(r.status, 304);
	http_result_release(&r);

	/* A change made anywhere (here: straight in the database, as another
	 * instance would) reaches the answers, cached or not. */
	assert_int_equal(harness_sql(conninfo, "UPDATE courses SET title_en = 'Introduction to"
					       " Robotics, Revised' WHERE code = 'T-ROB'"),
			 0);
	body = wait_for_change(path, etag);
	assert_contains(body, "Revised");
	free(body);
	assert_int_equal(harness_request_once(&server, "GET", path, headers, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	http_result_release(&r);
}

static void language(void **state)
{
	const char *en[] = {"Accept-Language: en-US,en;q=0.9", NULL};
	const char *ko_pref[] = {"Accept-Language: en;q=0.3, ko-KR;q=0.8", NULL};
	const char *fr[] = {"Accept-Language: fr-FR", NULL};
	char path[256];
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/courses?institution_id=%lld&q=deep", inst_id);
	j = get_json(path, en, 200);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(j, "items"), 0), "title")),
			    "AI Academy: Practical Deep Learning");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(j, "items"), 0), "institution_name")),
			    "Test University");
	json_decref(j);
	j = get_json(path, ko_pref, 200);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(j, "items"), 0), "title")),
			    "인공지능사관학교 딥러닝 실무");
	json_decref(j);
	/* Neither language offered: Korean. ?lang= wins over the header. */
	j = get_json(path, fr, 200);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(j, "items"), 0), "title")),
			    "인공지능사관학교 딥러닝 실무");
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/courses?institution_id=%lld&q=deep&lang=en", inst_id);
	j = get_json(path, fr, 200);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(j, "items"), 0), "title")),
			    "AI Academy: Practical Deep Learning");
	json_decref(j);
}

static long long course_id(const char *code)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT id FROM courses WHERE code = '%s'", code);
	return harness_sql_ll(conninfo, sql);
}

static void course_page(void **state)
{
	struct harness_actor gist, jnu;
	struct http_result r = {0};
	char path[128];
	json_t *j, *sections, *s;

	snprintf(path, sizeof(path), "/api/v1/courses/%lld", course_id("T-DL"));
	j = get_json(path, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "program")), "ai_academy");
	sections = json_object_get(j, "sections");
	/* The draft section is not shown to visitors. */
	assert_int_equal(json_array_size(sections), 1);
	s = json_array_get(sections, 0);
	assert_int_equal(json_integer_value(json_object_get(s, "capacity")), 3);
	assert_int_equal(json_integer_value(json_object_get(s, "enrolled_count")), 2);
	assert_int_equal(json_integer_value(json_object_get(s, "waitlist_length")), 1);
	assert_int_equal(json_integer_value(json_object_get(s, "seats_left")), 1);
	assert_true(json_is_true(json_object_get(s, "enrollment_open")));
	assert_string_equal(json_string_value(json_object_get(s, "starts_on")), "2027-03-02");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(s, "instructors"), 0),
				    "display_name")),
			    "이지능 교수");
	assert_true(json_is_array(json_object_get(json_object_get(j, "program_detail"),
						  "allowed_stages")));
	json_decref(j);

	/* An unpublished course exists only for those who manage it. */
	assert_int_equal(harness_sql(conninfo, "UPDATE courses SET institution_id = (SELECT id FROM"
					       " institutions WHERE code = 'gist')"
					       " WHERE code = 'T-HID'"),
			 0);
	snprintf(path, sizeof(path), "/api/v1/courses/%lld", course_id("T-HID"));
	json_decref(get_json(path, NULL, 404));
	assert_int_equal(harness_login(&server, "chonnam-admin@example.com", "demo-pass-2026", &jnu),
			 0);
	assert_int_equal(harness_status_as(&server, &jnu, "GET", path, NULL), 404);
	assert_int_equal(harness_login(&server, "gist-admin@example.com", "demo-pass-2026", &gist), 0);
	assert_int_equal(harness_as(&server, &gist, "GET", path, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_contains(r.body, "Hidden Draft Course");
	http_result_release(&r);

	json_decref(get_json("/api/v1/courses/99999999", NULL, 404));
	json_decref(get_json("/api/v1/courses/abc", NULL, 404));
}

static void institutions_and_programs(void **state)
{
	const char *en[] = {"Accept-Language: en", NULL};
	char found[2048];
	json_t *j, *item;
	size_t i;
	int partners = 0, centres = 0;

	j = get_json("/api/v1/institutions?limit=100", en, 200);
	json_array_foreach(json_object_get(j, "items"), i, item) {
		partners += json_is_true(json_object_get(item, "is_partner"));
		centres += json_is_true(json_object_get(item, "is_regional_center"));
		if (!strcmp(json_string_value(json_object_get(item, "code")), "jnu"))
			assert_string_equal(json_string_value(json_object_get(item, "name")),
					    "Chonnam National University");
	}
	assert_int_equal(partners, 8);
	assert_int_equal(centres, 15);
	json_decref(j);
	j = get_json("/api/v1/institutions?limit=5", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 5);
	assert_true(json_is_string(json_object_get(j, "next_cursor")));
	json_decref(j);

	j = get_json("/api/v1/programs?limit=100", NULL, 200);
	codes(j, found, sizeof(found));
	assert_contains(found, "ai_academy");
	assert_contains(found, "science_academy");
	json_array_foreach(json_object_get(j, "items"), i, item)
		assert_true(json_is_array(json_object_get(item, "allowed_stages")));
	json_decref(j);
}

/* Two instances on one database: a change is seen by both, though each
 * keeps answers in memory. */
static void two_instances_stay_fresh(void **state)
{
	struct lms_server other;
	char path[256], etag[128];
	struct http_result r = {0};
	struct timespec t0, now;

	assert_int_equal(harness_server_start(&other, conninfo, NULL), 0);
	snprintf(path, sizeof(path), "/api/v1/courses?institution_id=%lld&q=kids", inst_id);
	assert_int_equal(harness_request_once(&other, "GET", path, NULL, NULL, &r), 0);
	assert_non_null(http_result_header(&r, "ETag", etag, sizeof(etag)));
	http_result_release(&r);
	assert_int_equal(harness_request_once(&server, "GET", path, NULL, NULL, &r), 0);
	http_result_release(&r);

	assert_int_equal(harness_sql(conninfo, "UPDATE courses SET title_en = 'Coding Class for"
					       " Kids (new term)' WHERE code = 'T-KID'"),
			 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		assert_int_equal(harness_request_once(&other, "GET", path, NULL, NULL, &r), 0);
		if (strstr(r.body, "new term")) {
			http_result_release(&r);
			break;
		}
		http_result_release(&r);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 10)
			fail_msg("the other instance still answers the old title after 10 s");
		pause_briefly();
	}
	free(wait_for_change(path, etag));
	assert_int_equal(harness_server_stop(&other), 0);
}

/* A counter of /metrics, read as the platform admin. */
static long long cache_metric(const struct harness_actor *admin, const char *name)
{
	struct http_result r = {0};
	char prefix[96];
	const char *at;
	long long v;

	assert_int_equal(harness_as(&server, admin, "GET", "/metrics", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	snprintf(prefix, sizeof(prefix), "\n%s ", name);
	at = strstr(r.body, prefix);
	if (!at)
		fail_msg("no %s in /metrics", name);
	v = atoll(at + strlen(prefix));
	http_result_release(&r);
	return v;
}

struct flight_get {
	pthread_t thread;
	const char *path;
	int rc;
	long status;
	char *body;
};

static void *flight_get_run(void *arg)
{
	struct flight_get *g = arg;
	struct http_result r = {0};

	g->rc = harness_request_once(&server, "GET", g->path, NULL, NULL, &r);
	g->status = r.status;
	g->body = r.body ? strdup(r.body) : NULL;
	http_result_release(&r);
	return NULL;
}

#define FLIGHT_GETS 6

static void simultaneous_misses_run_the_query_once(void **state)
{
	struct flight_get g[FLIGHT_GETS];
	struct harness_actor admin;
	long long fills, waits, misses, hits;
	char path[256];
	PGconn *lock = NULL;
	PGresult *res;
	int i;

	(void)state;
	harness_login_ok(&server, "admin@example.com", "demo-pass-2026", &admin);
	fills = cache_metric(&admin, "lms_cache_fills_total");
	waits = cache_metric(&admin, "lms_cache_waits_total");
	misses = cache_metric(&admin, "lms_cache_misses_total");
	hits = cache_metric(&admin, "lms_cache_hits_total");
	/* The query is held up by a lock on the courses, so that every request
	 * misses while the first is still running. */
	lock = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(lock), CONNECTION_OK);
	res = PQexec(lock, "BEGIN; LOCK TABLE courses IN ACCESS EXCLUSIVE MODE");
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	snprintf(path, sizeof(path), "/api/v1/courses?institution_id=%lld&q=robot&_=flight",
		 inst_id);
	for (i = 0; i < FLIGHT_GETS; i++) {
		memset(&g[i], 0, sizeof(g[i]));
		g[i].path = path;
		assert_int_equal(pthread_create(&g[i].thread, NULL, flight_get_run, &g[i]), 0);
	}
	/* Bounded: all but one wait for the one that runs the query. */
	for (i = 0; i < 2000; i++) {
		if (cache_metric(&admin, "lms_cache_waits_total") - waits >= FLIGHT_GETS - 1)
			break;
		pause_briefly();
	}
	res = PQexec(lock, "COMMIT");
	PQclear(res);
	PQfinish(lock);
	for (i = 0; i < FLIGHT_GETS; i++) {
		pthread_join(g[i].thread, NULL);
		assert_int_equal(g[i].rc, 0);
		assert_int_equal(g[i].status, 200);
		assert_non_null(g[i].body);
		assert_contains(g[i].body, "T-ROB");
		assert_string_equal(g[i].body, g[0].body);
	}
	for (i = 0; i < FLIGHT_GETS; i++)
		free(g[i].body);
	assert_int_equal(cache_metric(&admin, "lms_cache_fills_total") - fills, 1);
	assert_int_equal(cache_metric(&admin, "lms_cache_waits_total") - waits, FLIGHT_GETS - 1);
	assert_int_equal(cache_metric(&admin, "lms_cache_misses_total") - misses, 1);
	assert_int_equal(cache_metric(&admin, "lms_cache_hits_total") - hits, FLIGHT_GETS - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(search_korean_english_and_short_words),
		cmocka_unit_test(filters),
		cmocka_unit_test(total_on_the_first_page),
		cmocka_unit_test(language),
		cmocka_unit_test(etag_and_304_and_fresh_after_change),
		cmocka_unit_test(course_page),
		cmocka_unit_test(institutions_and_programs),
		cmocka_unit_test(two_instances_stay_fresh),
		cmocka_unit_test(paging_under_concurrent_inserts),
		cmocka_unit_test(search_many_words_title_first),
		cmocka_unit_test(simultaneous_misses_run_the_query_once),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
