/* content_test.c - course content against a running server: syllabus, lessons,
 * attachments (upload, download, ranges), lesson progress */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define USER_PASSWORD "content-user-pass-2026"
#define LEARNER_FIELDS "\"display_name\": \"수강생\", \"ladder_stage\": \"worker\""
#define KOREAN_NAME "강의 자료 1.txt"
#define KOREAN_NAME_QUERY "%EA%B0%95%EC%9D%98%20%EC%9E%90%EB%A3%8C%201.txt"
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static struct lms_server server;
static char conninfo[1024];

/* Who asks. */
static struct harness_actor learner, instructor, gist_admin, jnu_admin, platform, stranger,
	waitlisted, finished, token;

/*
 * The fixture: course A (GIST, published) with a section the instructor
 * teaches, where the learner is enrolled, one user waitlisted and one
 * finished; course U (GIST, unpublished), where the learner is enrolled and
 * the instructor teaches too.
 */
static long long course_a, course_u, module_a0, module_a1, lesson_text, lesson_video,
	lesson_file, lesson_hidden;

/* ---- helpers ---- */

static long long sql_ll(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long sql_ll(const char *fmt, ...)
{
	char sql[2048];
	va_list ap;
	long long v;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	v = harness_sql_ll(conninfo, sql);
	if (v < 0)
		fail_msg("query failed or returned nothing: %s", sql);
	return v;
}

static void assert_code(const struct http_result *r, const char *code)
{
	json_t *j = harness_json_body(r);
	const char *got = json_string_value(json_object_get(j, "code"));

	if (!got || strcmp(got, code) != 0)
		fail_msg("expected code %s in %s", code, r->body);
	json_decref(j);
}

/* Whether the problem's errors list names field. */
static bool names_field(const struct http_result *r, const char *field)
{
	json_t *j = harness_json_body(r), *e;
	bool found = false;
	size_t i;

	json_array_foreach(json_object_get(j, "errors"), i, e)
		found |= strcmp(json_string_value(json_object_get(e, "field")), field) == 0;
	json_decref(j);
	return found;
}

/* A request as a (NULL: a visitor) with extra header lines (NULL-ended,
 * may be NULL) and a body sent as it is; fails the test on a transport
 * error. */
static void request(struct lms_server *s, const struct harness_actor *a, const char *method,
		    const char *path, const char *const *extra, const char *body,
		    struct http_result *r)
{
	char cookie[300], csrf[96], bearer[128];
	const char *headers[16];
	int n = 0;

	if (a && a->token[0]) {
		snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", a->token);
		headers[n++] = bearer;
	} else if (a && a->cookie[0]) {
		snprintf(cookie, sizeof(cookie), "Cookie: %s", a->cookie);
		snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", a->csrf);
		headers[n++] = cookie;
		headers[n++] = csrf;
	}
	/* No 100-continue round trip for large bodies. */
	headers[n++] = "Expect:";
	if (body && !extra)
		headers[n++] = "Content-Type: application/json";
	for (; extra && *extra && n < (int)NELEMS(headers) - 1; extra++)
		headers[n++] = *extra;
	headers[n] = NULL;
	if (harness_request_once(s, method, path, headers, body, r) != 0)
		fail_msg("%s %s: no response", method, path);
}

static long status_of(const struct harness_actor *a, const char *method, const char *path,
		      const char *const *extra, const char *body)
{
	struct http_result r = {0};
	long st;

	request(&server, a, method, path, extra, body, &r);
	st = r.status;
	http_result_release(&r);
	return st;
}

/* Who asks, and the status they must get. */
struct access_case {
	const char *name;
	const struct harness_actor *who;
	long status;
};

/*
 * Sends method path (no body) as each case's actor and checks the status
 * and the problem code of a refusal; when shown is set, every success must
 * hold it and no refusal may.
 */
static void assert_access(const char *method, const char *path, const struct access_case *cases,
			  size_t n, const char *shown)
{
	for (size_t i = 0; i < n; i++) {
		struct http_result r = {0};
		bool ok = cases[i].status < 300;

		request(&server, cases[i].who, method, path, NULL, NULL, &r);
		if (r.status != cases[i].status)
			fail_msg("%s %s as %s: expected %ld, got %ld: %s", method, path,
				 cases[i].name, cases[i].status, r.status, r.body);
		if (!ok)
			assert_code(&r, r.status == 401   ? "unauthenticated"
					: r.status == 403 ? "forbidden"
							  : "not_found");
		if (shown && ok != (strstr(r.body, shown) != NULL))
			fail_msg("%s %s as %s: %s", method, path, cases[i].name,
				 ok ? "the content is missing" : "a refusal shows the content");
		http_result_release(&r);
	}
}

/* Uploads body to lesson as a with the query's filename part (already
 * encoded) and Content-Type type (NULL: none of ours). */
static void upload(struct lms_server *s, const struct harness_actor *a, long long lesson,
		   const char *filename_query, const char *type, const char *body,
		   struct http_result *r)
{
	char path[1024], ct[160];
	const char *extra[] = {ct, NULL};

	snprintf(path, sizeof(path), "/api/v1/lessons/%lld/attachments%s%s", lesson,
		 filename_query ? "?filename=" : "", filename_query ? filename_query : "");
	/* "Content-Type:" with no value: curl sends none. */
	snprintf(ct, sizeof(ct), "Content-Type:%s%s", type ? " " : "", type ? type : "");
	request(s, a, "POST", path, extra, body, r);
}

/* Uploads and returns the new attachment's id (the upload must succeed). */
static long long upload_ok(long long lesson, const char *filename_query, const char *type,
			   const char *body)
{
	struct http_result r = {0};
	long long id;
	json_t *j;

	upload(&server, &instructor, lesson, filename_query, type, body, &r);
	if (r.status != 201)
		fail_msg("upload %s: expected 201, got %ld: %s", filename_query, r.status, r.body);
	j = harness_json_body(&r);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	http_result_release(&r);
	assert_true(id > 0);
	return id;
}

static long long section_of(long long course, const struct harness_actor *teacher)
{
	long long s = harness_section_create(conninfo, &(struct harness_section){.course = course});

	sql_ll("INSERT INTO section_instructors (section_id, user_id) VALUES (%lld, %lld)"
	       " RETURNING section_id",
	       s, teacher->user_id);
	return s;
}

static void enroll(long long section, const struct harness_actor *a, const char *status)
{
	harness_enrollment_create(conninfo, &(struct harness_enrollment){
						    .section = section, .user = a->user_id, .status = status});
}

static long long module_of(long long course, int position, const char *ko, const char *en)
{
	return sql_ll("INSERT INTO course_modules (course_id, position, title_ko, title_en)"
		      " VALUES (%lld, %d, '%s', '%s') RETURNING id",
		      course, position, ko, en);
}

static long long lesson_of(long long module, int position, const char *ko, const char *en,
			   const char *kind, const char *body_md, const char *url)
{
	char url_sql[256];

	snprintf(url_sql, sizeof(url_sql), url ? "'%s'" : "NULL", url);
	return sql_ll("INSERT INTO lessons (module_id, position, title_ko, title_en, kind, body_md,"
		      " url, duration_min) VALUES (%lld, %d, '%s', '%s', '%s', '%s', %s, 30)"
		      " RETURNING id",
		      module, position, ko, en, kind, body_md, url_sql);
}

/* ---- fixture ---- */

static int setup(void **state)
{
	struct http_result r = {0};
	long long gist, section_a, section_u, module_u;
	char body[256];
	json_t *j;

	if (harness_db_create("content", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	harness_login_ok(&server, "learner@example.com", DEMO_PASSWORD, &learner);
	harness_login_ok(&server, "instructor@example.com", DEMO_PASSWORD, &instructor);
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	harness_login_ok(&server, "admin@example.com", DEMO_PASSWORD, &platform);
	harness_register_ok(&server, "stranger@example.com", USER_PASSWORD, LEARNER_FIELDS,
			    &stranger);
	harness_register_ok(&server, "waitlisted@example.com", USER_PASSWORD, LEARNER_FIELDS,
			    &waitlisted);
	harness_register_ok(&server, "finished@example.com", USER_PASSWORD, LEARNER_FIELDS,
			    &finished);

	snprintf(body, sizeof(body),
		 "{\"institution_id\": %lld, \"name\": \"content test\","
		 " \"scopes\": [\"reports:read\", \"audit:read\"]}",
		 gist);
	if (harness_as(&server, &gist_admin, "POST", "/api/v1/tokens", body, &r) != 0 ||
	    r.status != 201 || !(j = json_loads(r.body, 0, NULL)))
		fail_msg("cannot make a token: %ld %s", r.status, r.body);
	snprintf(token.token, sizeof(token.token), "%s",
		 json_string_value(json_object_get(j, "token")));
	json_decref(j);
	http_result_release(&r);

	sql_ll("INSERT INTO programs (code, name_ko, name_en, allowed_stages)"
	       " VALUES ('online', '온라인 교육', 'Online education', '{worker,general}')"
	       " ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code RETURNING id");
	course_a = sql_ll("INSERT INTO courses (institution_id, program_id, code, title_ko,"
			  " title_en, delivery, published) VALUES (%lld,"
			  " (SELECT id FROM programs WHERE code = 'online'), 'CT-101',"
			  " '인공지능 기초', 'AI Basics', 'online', true) RETURNING id",
			  gist);
	course_u = sql_ll("INSERT INTO courses (institution_id, program_id, code, title_ko,"
			  " title_en, delivery, published) VALUES (%lld,"
			  " (SELECT id FROM programs WHERE code = 'online'), 'CT-DRAFT',"
			  " '준비 중인 과정', 'Draft course', 'online', false) RETURNING id",
			  gist);
	section_a = section_of(course_a, &instructor);
	section_u = section_of(course_u, &instructor);
	enroll(section_a, &learner, "enrolled");
	enroll(section_a, &waitlisted, "waitlisted");
	enroll(section_a, &finished, "completed");
	enroll(section_u, &learner, "enrolled");

	/* Inserted out of order: the syllabus orders by position. */
	module_a1 = module_of(course_a, 2, "2주차: 모델", "Week 2: models");
	module_a0 = module_of(course_a, 1, "1주차: 데이터", "Week 1: data");
	lesson_video = lesson_of(module_a0, 2, "강의 영상", "Lecture video", "video",
				 "영상 설명", "https://video.example.com/w1");
	lesson_text = lesson_of(module_a0, 1, "데이터란 무엇인가", "What is data", "text",
				"# 데이터\n\n- 정형\n- 비정형\n\n<script>alert(1)</script>\n\n"
				"[click](javascript:alert(1)) <img src=x onerror=alert(1)>\n",
				NULL);
	lesson_file = lesson_of(module_a1, 1, "실습 자료", "Lab files", "file", "", NULL);
	module_u = module_of(course_u, 1, "준비", "Preparation");
	lesson_hidden = lesson_of(module_u, 1, "비공개 강의", "Hidden lesson", "text",
				  "secret *draft*", NULL);
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	return harness_server_stop(&server) == 0 ? 0 : -1;
}

/* ---- syllabus ---- */

static void test_syllabus_is_public_without_bodies(void **state)
{
	char path[128];
	struct http_result r = {0};
	json_t *j, *modules, *m0, *m1, *lessons, *l;

	/* One lesson gets a file, so has_attachments shows (its bytes are a
	 * row of blobs: the attachment must refer to one). */
	sql_ll("INSERT INTO blobs (sha256, size, chunk_size) VALUES (repeat('a', 64), 1, 1)"
	       " RETURNING 1");
	sql_ll("INSERT INTO attachments (lesson_id, filename, content_type, size, sha256)"
	       " VALUES (%lld, 'data.csv', 'text/plain', 1, repeat('a', 64)) RETURNING id",
	       lesson_file);

	snprintf(path, sizeof(path), "/api/v1/courses/%lld/modules", course_a);
	request(&server, NULL, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	j = harness_json_body(&r);
	assert_int_equal(json_integer_value(json_object_get(j, "course_id")), course_a);
	modules = json_object_get(j, "modules");
	assert_int_equal(json_array_size(modules), 2);
	m0 = json_array_get(modules, 0);
	m1 = json_array_get(modules, 1);
	assert_int_equal(json_integer_value(json_object_get(m0, "id")), module_a0);
	assert_int_equal(json_integer_value(json_object_get(m1, "id")), module_a1);
	assert_string_equal(json_string_value(json_object_get(m0, "title")), "1주차: 데이터");
	assert_string_equal(json_string_value(json_object_get(m0, "title_en")), "Week 1: data");
	lessons = json_object_get(m0, "lessons");
	assert_int_equal(json_array_size(lessons), 2);
	l = json_array_get(lessons, 0);
	assert_int_equal(json_integer_value(json_object_get(l, "id")), lesson_text);
	assert_string_equal(json_string_value(json_object_get(l, "title")), "데이터란 무엇인가");
	assert_string_equal(json_string_value(json_object_get(l, "title_ko")), "데이터란 무엇인가");
	assert_string_equal(json_string_value(json_object_get(l, "title_en")), "What is data");
	assert_string_equal(json_string_value(json_object_get(l, "kind")), "text");
	assert_int_equal(json_integer_value(json_object_get(l, "duration_min")), 30);
	assert_true(json_is_false(json_object_get(l, "has_attachments")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(lessons, 1), "id")),
			 lesson_video);
	l = json_array_get(json_object_get(m1, "lessons"), 0);
	assert_true(json_is_true(json_object_get(l, "has_attachments")));
	json_decref(j);
	/* No bodies and no URLs, anywhere in it. */
	assert_null(strstr(r.body, "body"));
	assert_null(strstr(r.body, "url"));
	assert_null(strstr(r.body, "video.example.com"));
	assert_null(strstr(r.body, "script"));
	http_result_release(&r);

	/* English by ?lang= or by Accept-Language. */
	snprintf(path, sizeof(path), "/api/v1/courses/%lld/modules?lang=en", course_a);
	request(&server, NULL, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_contains(r.body, "\"title\":\"Week 1: data\"");
	assert_contains(r.body, "\"title\":\"What is data\"");
	http_result_release(&r);
	{
		const char *en[] = {"Accept-Language: en-US,en;q=0.9,ko;q=0.5", NULL};

		snprintf(path, sizeof(path), "/api/v1/courses/%lld/modules", course_a);
		request(&server, NULL, "GET", path, en, NULL, &r);
		assert_int_equal(r.status, 200);
		assert_contains(r.body, "\"title\":\"Week 2: models\"");
		http_result_release(&r);
	}

	/* Courses that are not there. */
	assert_int_equal(status_of(NULL, "GET", "/api/v1/courses/987654321/modules", NULL, NULL),
			 404);
	assert_int_equal(status_of(NULL, "GET", "/api/v1/courses/abc/modules", NULL, NULL), 404);
	assert_int_equal(status_of(NULL, "GET", "/api/v1/courses/0/modules", NULL, NULL), 404);
}

static void test_unpublished_syllabus_is_hidden(void **state)
{
	const struct access_case cases[] = {
		{"visitor", NULL, 404},           {"enrolled learner", &learner, 404},
		{"stranger", &stranger, 404},     {"chonnam admin", &jnu_admin, 404},
		{"token", &token, 404},           {"gist admin", &gist_admin, 200},
		{"platform admin", &platform, 200},
	};
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/courses/%lld/modules", course_u);
	assert_access("GET", path, cases, NELEMS(cases), "\"title\":\"준비\"");
}

/* ---- lessons ---- */

static void test_lesson_permissions(void **state)
{
	const struct {
		const char *name;
		const struct harness_actor *who;
		long status;
		bool source; /* sees body_md */
	} cases[] = {
		{"visitor", NULL, 401, false},
		{"not enrolled", &stranger, 403, false},
		{"enrolled", &learner, 200, false},
		{"finished", &finished, 200, false},
		{"waitlisted", &waitlisted, 403, false},
		{"instructor", &instructor, 200, true},
		{"gist admin", &gist_admin, 200, true},
		{"chonnam admin", &jnu_admin, 403, false},
		{"platform admin", &platform, 200, true},
		{"token", &token, 403, false},
	};
	char path[128];
	struct http_result r = {0};

	snprintf(path, sizeof(path), "/api/v1/lessons/%lld", lesson_text);
	for (size_t i = 0; i < NELEMS(cases); i++) {
		json_t *j;
		const char *html;

		request(&server, cases[i].who, "GET", path, NULL, NULL, &r);
		if (r.status != cases[i].status)
			fail_msg("%s: expected %ld, got %ld: %s", cases[i].name, cases[i].status,
				 r.status, r.body);
		if (r.status != 200) {
			assert_code(&r, r.status == 401 ? "unauthenticated" : "forbidden");
			assert_null(strstr(r.body, "데이터"));
			http_result_release(&r);
			continue;
		}
		j = harness_json_body(&r);
		html = json_string_value(json_object_get(j, "body_html"));
		assert_non_null(html);
		assert_contains(html, "<h1>데이터</h1>");
		assert_contains(html, "<li>정형</li>");
		/* The script, the javascript: link and the onerror are inert. */
		assert_null(strstr(html, "<script"));
		assert_null(strstr(html, "javascript:"));
		assert_null(strstr(html, "onerror"));
		assert_null(strstr(html, "<img"));
		assert_contains(html, "<a href=\"\">click</a>");
		if (cases[i].source != (json_object_get(j, "body_md") != NULL))
			fail_msg("%s: body_md %s", cases[i].name,
				 cases[i].source ? "missing" : "shown to a reader");
		assert_int_equal(json_integer_value(json_object_get(j, "id")), lesson_text);
		assert_int_equal(json_integer_value(json_object_get(j, "course_id")), course_a);
		assert_int_equal(json_integer_value(json_object_get(j, "module_id")), module_a0);
		assert_string_equal(json_string_value(json_object_get(j, "title")),
				    "데이터란 무엇인가");
		assert_true(json_is_array(json_object_get(j, "attachments")));
		json_decref(j);
		http_result_release(&r);
	}

	/* A video lesson carries its URL; titles follow the language. */
	snprintf(path, sizeof(path), "/api/v1/lessons/%lld?lang=en", lesson_video);
	request(&server, &learner, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_contains(r.body, "\"url\":\"https://video.example.com/w1\"");
	assert_contains(r.body, "\"title\":\"Lecture video\"");
	assert_contains(r.body, "\"kind\":\"video\"");
	http_result_release(&r);

	assert_int_equal(status_of(&learner, "GET", "/api/v1/lessons/987654321", NULL, NULL), 404);
	assert_int_equal(status_of(&learner, "GET", "/api/v1/lessons/x1", NULL, NULL), 404);
	assert_int_equal(status_of(NULL, "GET", "/api/v1/lessons/987654321", NULL, NULL), 401);
}

static void test_unpublished_lessons_only_for_managers_and_teachers(void **state)
{
	const struct access_case cases[] = {
		{"visitor", NULL, 401},           {"enrolled learner", &learner, 404},
		{"stranger", &stranger, 404},     {"chonnam admin", &jnu_admin, 404},
		{"token", &token, 403},           {"instructor", &instructor, 200},
		{"gist admin", &gist_admin, 200}, {"platform admin", &platform, 200},
	};
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/lessons/%lld", lesson_hidden);
	assert_access("GET", path, cases, NELEMS(cases), "secret <em>draft</em>");
	/* Nor can an enrolled learner make progress in it, or an outsider
	 * learn it exists by uploading. */
	snprintf(path, sizeof(path), "/api/v1/lessons/%lld/complete", lesson_hidden);
	assert_int_equal(status_of(&learner, "POST", path, NULL, NULL), 404);
	{
		struct http_result r = {0};

		upload(&server, &learner, lesson_hidden, "x.txt", "text/plain", "x", &r);
		assert_int_equal(r.status, 404);
		http_result_release(&r);
		upload(&server, &instructor, lesson_hidden, "x.txt", "text/plain", "x", &r);
		assert_int_equal(r.status, 201);
		http_result_release(&r);
	}
}

/* ---- uploads ---- */

/* Regular files under dir (recursively) and how many are temporary
 * uploads. */
static int files_under(const char *dir, int *tmp)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[1024];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			n += files_under(path, tmp);
		} else {
			n++;
			*tmp += !strncmp(e->d_name, ".upload", 7);
		}
	}
	closedir(d);
	return n;
}

static void test_upload(void **state)
{
	char sql[512], path[1024], uploads_dir[512], sha[80];
	struct http_result r = {0};
	long long id, before;
	json_t *j;
	int tmp = 0;

	/* By the course's instructor. */
	upload(&server, &instructor, lesson_file, "week1.pdf", "application/pdf",
	       "%PDF-1.4 lesson one", &r);
	assert_int_equal(r.status, 201);
	j = harness_json_body(&r);
	id = json_integer_value(json_object_get(j, "id"));
	assert_true(id > 0);
	assert_int_equal(json_integer_value(json_object_get(j, "lesson_id")), lesson_file);
	assert_string_equal(json_string_value(json_object_get(j, "filename")), "week1.pdf");
	assert_string_equal(json_string_value(json_object_get(j, "content_type")),
			    "application/pdf");
	assert_int_equal(json_integer_value(json_object_get(j, "size")), 19);
	snprintf(path, sizeof(path), "/api/v1/attachments/%lld", id);
	assert_string_equal(json_string_value(json_object_get(j, "download")), path);
	json_decref(j);
	{
		char loc[128];

		assert_non_null(http_result_header(&r, "Location", loc, sizeof(loc)));
		assert_string_equal(loc, path);
	}
	http_result_release(&r);

	/* The bytes are in the database under their SHA-256, not on this
	 * instance's disk, and the upload is audited. */
	snprintf(sql, sizeof(sql), "SELECT sha256 FROM attachments WHERE id = %lld", id);
	assert_int_equal(harness_sql_value(conninfo, sql, sha, sizeof(sha)), 0);
	assert_int_equal(sql_ll("SELECT b.size + sum(length(c.data)) FROM blobs b"
				" JOIN blob_chunks c USING (sha256) WHERE sha256 = '%s'"
				" GROUP BY b.size HAVING encode(sha256(string_agg(c.data, ''"
				" ORDER BY c.idx)), 'hex') = '%s'", sha, sha),
			 38);
	snprintf(path, sizeof(path), "%s/content/%.2s/%s", server.dir, sha, sha);
	{
		struct stat st;

		assert_int_not_equal(stat(path, &st), 0);
	}
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'attachment.create'"
				" AND target_id = %lld AND actor_user_id = %lld"
				" AND detail->>'filename' = 'week1.pdf'",
				id, instructor.user_id),
			 1);

	/* Content-Type parameters do not matter; the stored type is ours. */
	upload(&server, &gist_admin, lesson_file, "notes.md", "Text/Markdown; charset=utf-8",
	       "# notes", &r);
	assert_int_equal(r.status, 201);
	assert_contains(r.body, "\"content_type\":\"text/markdown\"");
	http_result_release(&r);

	/* Who may not. */
	before = sql_ll("SELECT count(*) FROM attachments");
	upload(&server, &learner, lesson_file, "mine.pdf", "application/pdf", "%PDF", &r);
	assert_int_equal(r.status, 403);
	assert_code(&r, "forbidden");
	http_result_release(&r);
	upload(&server, NULL, lesson_file, "mine.pdf", "application/pdf", "%PDF", &r);
	assert_int_equal(r.status, 401);
	http_result_release(&r);
	upload(&server, &jnu_admin, lesson_file, "mine.pdf", "application/pdf", "%PDF", &r);
	assert_int_equal(r.status, 403);
	http_result_release(&r);
	upload(&server, &token, lesson_file, "mine.pdf", "application/pdf", "%PDF", &r);
	assert_int_equal(r.status, 403);
	http_result_release(&r);
	upload(&server, &instructor, 987654321, "mine.pdf", "application/pdf", "%PDF", &r);
	assert_int_equal(r.status, 404);
	http_result_release(&r);
	/* A session change without the CSRF token. */
	{
		char cookie[300], url[128];
		const char *headers[] = {cookie, "Content-Type: application/pdf", NULL};

		snprintf(cookie, sizeof(cookie), "Cookie: %s", instructor.cookie);
		snprintf(url, sizeof(url), "/api/v1/lessons/%lld/attachments?filename=a.pdf",
			 lesson_file);
		assert_int_equal(harness_request_once(&server, "POST", url, headers, "%PDF", &r), 0);
		assert_int_equal(r.status, 403);
		assert_code(&r, "csrf_failed");
		http_result_release(&r);
	}

	/* Bad input. */
	upload(&server, &instructor, lesson_file, "empty.pdf", "application/pdf", "", &r);
	assert_int_equal(r.status, 400);
	assert_code(&r, "validation_failed");
	assert_true(names_field(&r, "body"));
	http_result_release(&r);
	{
		static const char *const bad_names[] = {
			"../../etc/passwd",
			"..%2F..%2Fetc%2Fpasswd",
			"a%5Cb.txt",
			"a%0Ab.txt",
			"a%0D%0AX-Evil:%201.txt",
			"a%00b.txt",
			"a%7Fb.txt",
			"%FF%FE.txt",
			"",
			"..",
			NULL, /* no ?filename= at all */
		};
		char long_name[300];

		for (size_t i = 0; i < NELEMS(bad_names); i++) {
			upload(&server, &instructor, lesson_file, bad_names[i], "text/plain", "x",
			       &r);
			if (r.status != 400 || !names_field(&r, "filename"))
				fail_msg("filename \"%s\": expected 400 naming filename, got %ld %s",
					 bad_names[i] ? bad_names[i] : "(none)", r.status, r.body);
			http_result_release(&r);
		}
		/* 256 bytes is one too many; 255 is fine. */
		memset(long_name, 'a', 256);
		long_name[256] = '\0';
		upload(&server, &instructor, lesson_file, long_name, "text/plain", "x", &r);
		assert_int_equal(r.status, 400);
		assert_true(names_field(&r, "filename"));
		http_result_release(&r);
		long_name[255] = '\0';
		upload(&server, &instructor, lesson_file, long_name, "text/plain", "x", &r);
		assert_int_equal(r.status, 201);
		http_result_release(&r);
		before++;
	}
	{
		static const char *const bad_types[] = {
			"text/html", "image/svg+xml", "application/javascript",
			"application/octet-stream", "application/pdfx", "application/vnd.openxmlformats-officedocument",
		};

		for (size_t i = 0; i < NELEMS(bad_types); i++) {
			upload(&server, &instructor, lesson_file, "x.bin", bad_types[i], "x", &r);
			if (r.status != 415)
				fail_msg("type %s: expected 415, got %ld", bad_types[i], r.status);
			assert_code(&r, "unsupported_media_type");
			http_result_release(&r);
		}
		/* No type at all. */
		upload(&server, &instructor, lesson_file, "x.bin", NULL, "x", &r);
		assert_int_equal(r.status, 415);
		http_result_release(&r);
	}
	assert_int_equal(sql_ll("SELECT count(*) FROM attachments"), before);

	/* The same bytes twice: two attachments, one stored file; nothing
	 * of either upload stays on disk. */
	snprintf(uploads_dir, sizeof(uploads_dir), "%s/uploads", server.dir);
	before = sql_ll("SELECT count(*) FROM blobs");
	upload_ok(lesson_file, "same-a.txt", "text/plain", "identical bytes");
	upload_ok(lesson_text, "same-b.txt", "text/plain", "identical bytes");
	assert_int_equal(sql_ll("SELECT count(*) FROM blobs"), before + 1);
	assert_int_equal(files_under(uploads_dir, &tmp), 0);
	assert_int_equal(sql_ll("SELECT count(DISTINCT sha256) FROM attachments"
				" WHERE filename IN ('same-a.txt', 'same-b.txt')"),
			 1);

	/* Larger than the JSON body limit (1 MiB) but within the upload limit. */
	{
		size_t big = 1536 * 1024;
		char *body = malloc(big + 1);

		assert_non_null(body);
		memset(body, 'z', big);
		body[big] = '\0';
		upload(&server, &instructor, lesson_file, "big.txt", "text/plain", body, &r);
		free(body);
		assert_int_equal(r.status, 201);
		assert_contains(r.body, "\"size\":1572864");
		http_result_release(&r);
	}
	/* Every file type of the list is accepted. */
	{
		static const char *const good_types[] = {
			"image/png", "image/jpeg", "application/zip", "video/mp4",
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			"application/vnd.openxmlformats-officedocument.presentationml.presentation",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		};

		for (size_t i = 0; i < NELEMS(good_types); i++) {
			upload(&server, &instructor, lesson_file, "ok.bin", good_types[i], "ok", &r);
			if (r.status != 201)
				fail_msg("type %s: expected 201, got %ld %s", good_types[i], r.status,
					 r.body);
			http_result_release(&r);
		}
	}
}

/* Sends the head of an upload that declares length bytes and none of them. */
static int declared_upload(struct lms_server *s, long long length, char *out, size_t outlen)
{
	char req[1024];
	int n = snprintf(req, sizeof(req),
			 "POST /api/v1/lessons/%lld/attachments?filename=big.pdf HTTP/1.1\r\n"
			 "Host: localhost\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
			 "Content-Type: application/pdf\r\nContent-Length: %lld\r\n"
			 "Connection: close\r\n\r\n",
			 lesson_file, instructor.cookie, instructor.csrf, length);

	if (harness_raw_tls(s, req, (size_t)n, out, outlen) < 0)
		return -1;
	return harness_raw_status(out);
}

static void test_upload_limit(void **state)
{
	const char *env[] = {"LMS_MAX_UPLOAD_BYTES=2KiB", NULL};
	struct lms_server small;
	struct http_result r = {0};
	char raw[8192], *body;
	long long before = sql_ll("SELECT count(*) FROM attachments");

	assert_int_equal(harness_server_start(&small, conninfo, env), 0);
	/* Over the limit: refused before a byte of the body is read. */
	assert_int_equal(declared_upload(&small, 2049, raw, sizeof(raw)), 413);
	assert_contains(raw, "\"body_too_large\"");
	assert_int_equal(declared_upload(&small, 50LL << 20, raw, sizeof(raw)), 413);
	/* At the limit: taken. */
	body = malloc(2049);
	assert_non_null(body);
	memset(body, 'q', 2048);
	body[2048] = '\0';
	upload(&small, &instructor, lesson_file, "limit.txt", "text/plain", body, &r);
	free(body);
	assert_int_equal(r.status, 201);
	http_result_release(&r);
	assert_int_equal(harness_server_stop(&small), 0);
	assert_int_equal(sql_ll("SELECT count(*) FROM attachments"), before + 1);

	/* The default server: 50 MiB and one byte more is too much. */
	assert_int_equal(declared_upload(&server, (50LL << 20) + 1, raw, sizeof(raw)), 413);
	/* And a JSON route keeps the 1 MiB limit. */
	{
		char req[512];
		int n = snprintf(req, sizeof(req),
				 "POST /api/v1/lessons/%lld/complete HTTP/1.1\r\n"
				 "Host: localhost\r\nContent-Type: application/json\r\n"
				 "Content-Length: 2000000\r\nConnection: close\r\n\r\n",
				 lesson_text);

		assert_true(harness_raw_tls(&server, req, (size_t)n, raw, sizeof(raw)) > 0);
		assert_int_equal(harness_raw_status(raw), 413);
	}
}

/* ---- downloads ---- */

static void assert_header(const struct http_result *r, const char *name, const char *want)
{
	char got[1024];

	if (!http_result_header(r, name, got, sizeof(got)))
		fail_msg("no %s header in:\n%s", name, r->headers);
	if (strcmp(got, want) != 0)
		fail_msg("%s is \"%s\", expected \"%s\"", name, got, want);
}

static void get_range(long long id, const char *range, const char *if_range,
		      struct http_result *r)
{
	char path[128], h_range[128], h_if[160];
	const char *extra[3] = {NULL};
	int n = 0;

	if (range) {
		snprintf(h_range, sizeof(h_range), "Range: %s", range);
		extra[n++] = h_range;
	}
	if (if_range) {
		snprintf(h_if, sizeof(h_if), "If-Range: %s", if_range);
		extra[n++] = h_if;
	}
	snprintf(path, sizeof(path), "/api/v1/attachments/%lld", id);
	request(&server, &learner, "GET", path, extra, NULL, r);
}

static void test_download(void **state)
{
	static const char content[] = "0123456789abcdefghij";
	char path[128], sha[80], sql[256], etag[100], disposition[256];
	struct http_result r = {0};
	long long id = upload_ok(lesson_text, KOREAN_NAME_QUERY, "text/plain", content);

	snprintf(sql, sizeof(sql), "SELECT sha256 FROM attachments WHERE id = %lld", id);
	assert_int_equal(harness_sql_value(conninfo, sql, sha, sizeof(sha)), 0);
	snprintf(etag, sizeof(etag), "\"%s\"", sha);
	snprintf(disposition, sizeof(disposition), "%s",
		 "attachment; filename*=UTF-8''" KOREAN_NAME_QUERY);

	/* The name is stored as sent. */
	snprintf(sql, sizeof(sql), "SELECT filename = '" KOREAN_NAME "' FROM attachments"
		 " WHERE id = %lld", id);
	assert_int_equal(harness_sql_value(conninfo, sql, path, sizeof(path)), 0);
	assert_string_equal(path, "t");

	/* The whole file. */
	get_range(id, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 20);
	assert_memory_equal(r.body, content, 20);
	assert_header(&r, "Content-Type", "text/plain");
	assert_header(&r, "Content-Length", "20");
	assert_header(&r, "Content-Disposition", disposition);
	assert_header(&r, "X-Content-Type-Options", "nosniff");
	assert_header(&r, "ETag", etag);
	assert_header(&r, "Accept-Ranges", "bytes");
	http_result_release(&r);

	/* The lesson lists it. */
	snprintf(path, sizeof(path), "/api/v1/lessons/%lld", lesson_text);
	request(&server, &learner, "GET", path, NULL, NULL, &r);
	assert_contains(r.body, "\"filename\":\"" KOREAN_NAME "\"");
	http_result_release(&r);

	/* One range, three ways. */
	{
		const struct {
			const char *range, *body, *content_range;
		} ranges[] = {
			{"bytes=2-5", "2345", "bytes 2-5/20"},
			{"bytes=15-", "fghij", "bytes 15-19/20"},
			{"bytes=-4", "ghij", "bytes 16-19/20"},
			{"bytes=5-100", "56789abcdefghij", "bytes 5-19/20"},
			{"bytes=-100", content, "bytes 0-19/20"},
			{"bytes=0-0", "0", "bytes 0-0/20"},
			{"bytes=19-19", "j", "bytes 19-19/20"},
		};

		for (size_t i = 0; i < NELEMS(ranges); i++) {
			char len[24];

			get_range(id, ranges[i].range, NULL, &r);
			if (r.status != 206)
				fail_msg("%s: expected 206, got %ld", ranges[i].range, r.status);
			assert_int_equal(r.len, strlen(ranges[i].body));
			assert_memory_equal(r.body, ranges[i].body, r.len);
			assert_header(&r, "Content-Range", ranges[i].content_range);
			snprintf(len, sizeof(len), "%zu", strlen(ranges[i].body));
			assert_header(&r, "Content-Length", len);
			assert_header(&r, "Content-Disposition", disposition);
			http_result_release(&r);
		}
	}
	/* Outside the file. */
	{
		static const char *const unsatisfiable[] = {"bytes=20-", "bytes=20-30", "bytes=-0",
							    "bytes=99999999999999999999-"};

		for (size_t i = 0; i < NELEMS(unsatisfiable); i++) {
			get_range(id, unsatisfiable[i], NULL, &r);
			if (r.status != 416)
				fail_msg("%s: expected 416, got %ld", unsatisfiable[i], r.status);
			assert_header(&r, "Content-Range", "bytes */20");
			http_result_release(&r);
		}
	}
	/* Several ranges, other units and nonsense: the whole file. */
	{
		static const char *const whole[] = {"bytes=0-1,4-5", "bytes=5-2", "items=0-1",
						    "bytes=abc",     "bytes=1-2x",  "bytes=--1",
						    "bytes="};

		for (size_t i = 0; i < NELEMS(whole); i++) {
			get_range(id, whole[i], NULL, &r);
			if (r.status != 200 || r.len != 20)
				fail_msg("%s: expected 200 with the whole file, got %ld (%zu bytes)",
					 whole[i], r.status, r.len);
			http_result_release(&r);
		}
	}
	/* If-Range: the range only of this version. */
	get_range(id, "bytes=0-1", etag, &r);
	assert_int_equal(r.status, 206);
	http_result_release(&r);
	get_range(id, "bytes=0-1", "\"other\"", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 20);
	http_result_release(&r);

	/* HEAD: the headers alone. */
	snprintf(path, sizeof(path), "/api/v1/attachments/%lld", id);
	request(&server, &learner, "HEAD", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 0);
	assert_header(&r, "Content-Length", "20");
	http_result_release(&r);

	/* If-None-Match: a copy the client holds is not sent again. */
	{
		char inm[4][160];
		const char *h[2] = {NULL};
		static const char *const method[] = {"GET", "HEAD"};

		snprintf(inm[0], sizeof(inm[0]), "If-None-Match: %s", etag);
		snprintf(inm[1], sizeof(inm[1]), "If-None-Match: \"x\", W/%s", etag);
		snprintf(inm[2], sizeof(inm[2]), "If-None-Match: *");
		snprintf(inm[3], sizeof(inm[3]), "If-None-Match: \"x\"");
		for (size_t i = 0; i < 8; i++) {
			h[0] = inm[i % 4];
			request(&server, &learner, method[i / 4], path, h, NULL, &r);
			if (r.status != (i % 4 == 3 ? 200 : 304))
				fail_msg("%s with %s: got %ld", method[i / 4], h[0], r.status);
			if (r.status == 304 && r.len != 0)
				fail_msg("%s with %s: 304 with a body", method[i / 4], h[0]);
			assert_header(&r, "ETag", etag);
			http_result_release(&r);
		}
		/* With a Range too: nothing to send either. */
		{
			const char *both[] = {inm[0], "Range: bytes=0-1", NULL};

			request(&server, &learner, "GET", path, both, NULL, &r);
			assert_int_equal(r.status, 304);
			http_result_release(&r);
		}
	}

	/* A name with quotes, semicolons and spaces stays inside filename*. */
	id = upload_ok(lesson_text, "a%22%3B%20b%3D1.txt", "text/plain", "q");
	get_range(id, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_header(&r, "Content-Disposition", "attachment; filename*=UTF-8''a%22%3B%20b%3D1.txt");
	http_result_release(&r);
}

static void test_download_permissions(void **state)
{
	const struct access_case cases[] = {
		{"visitor", NULL, 401},          {"not enrolled", &stranger, 403},
		{"waitlisted", &waitlisted, 403}, {"chonnam admin", &jnu_admin, 403},
		{"token", &token, 403},          {"enrolled", &learner, 200},
		{"finished", &finished, 200},    {"instructor", &instructor, 200},
		{"gist admin", &gist_admin, 200}, {"platform admin", &platform, 200},
	};
	long long id = upload_ok(lesson_file, "perm.txt", "text/plain", "permissions");
	long long hidden = upload_ok(lesson_hidden, "hidden.txt", "text/plain", "hidden");
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/attachments/%lld", id);
	assert_access("GET", path, cases, NELEMS(cases), "permissions");
	assert_int_equal(status_of(&learner, "GET", "/api/v1/attachments/987654321", NULL, NULL),
			 404);
	/* A file of an unpublished course: its teachers and managers only. */
	snprintf(path, sizeof(path), "/api/v1/attachments/%lld", hidden);
	assert_int_equal(status_of(&learner, "GET", path, NULL, NULL), 404);
	assert_int_equal(status_of(&jnu_admin, "GET", path, NULL, NULL), 404);
	assert_int_equal(status_of(&instructor, "GET", path, NULL, NULL), 200);
	assert_int_equal(status_of(&gist_admin, "GET", path, NULL, NULL), 200);
}

/* ---- progress ---- */

static void assert_progress(const struct http_result *r, long long lesson, long long completed,
			    long long total, char *completed_at, size_t len)
{
	json_t *j = harness_json_body(r), *p = json_object_get(j, "course_progress");

	assert_int_equal(json_integer_value(json_object_get(j, "lesson_id")), lesson);
	assert_non_null(json_string_value(json_object_get(j, "completed_at")));
	snprintf(completed_at, len, "%s", json_string_value(json_object_get(j, "completed_at")));
	assert_int_equal(json_integer_value(json_object_get(p, "completed")), completed);
	assert_int_equal(json_integer_value(json_object_get(p, "total")), total);
	json_decref(j);
}

static void test_complete(void **state)
{
	char path[128], first[64], again[64];
	struct http_result r = {0};

	snprintf(path, sizeof(path), "/api/v1/lessons/%lld/complete", lesson_text);
	request(&server, &learner, "POST", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_progress(&r, lesson_text, 1, 3, first, sizeof(first));
	http_result_release(&r);
	/* Again: the same answer, the first time kept, no second row. */
	request(&server, &learner, "POST", path, NULL, "{}", &r);
	assert_int_equal(r.status, 200);
	assert_progress(&r, lesson_text, 1, 3, again, sizeof(again));
	assert_string_equal(first, again);
	http_result_release(&r);
	assert_int_equal(sql_ll("SELECT count(*) FROM lesson_progress WHERE user_id = %lld",
				learner.user_id),
			 1);

	/* The lesson shows when it was done. */
	snprintf(path, sizeof(path), "/api/v1/lessons/%lld", lesson_text);
	request(&server, &learner, "GET", path, NULL, NULL, &r);
	assert_contains(r.body, "\"completed_at\":\"");
	http_result_release(&r);

	snprintf(path, sizeof(path), "/api/v1/lessons/%lld/complete", lesson_file);
	request(&server, &learner, "POST", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_progress(&r, lesson_file, 2, 3, again, sizeof(again));
	http_result_release(&r);

	/* Only learners enrolled now. */
	{
		const struct access_case cases[] = {
			{"visitor", NULL, 401},           {"not enrolled", &stranger, 403},
			{"waitlisted", &waitlisted, 403}, {"finished", &finished, 403},
			{"instructor", &instructor, 403}, {"gist admin", &gist_admin, 403},
			{"platform admin", &platform, 403}, {"token", &token, 403},
		};

		snprintf(path, sizeof(path), "/api/v1/lessons/%lld/complete", lesson_video);
		assert_access("POST", path, cases, NELEMS(cases), NULL);
		assert_int_equal(sql_ll("SELECT count(*) FROM lesson_progress WHERE lesson_id = %lld",
					lesson_video),
				 0);
	}

	/* Bad input. */
	request(&server, &learner, "POST", path, NULL, "{\"done\": true}", &r);
	assert_int_equal(r.status, 400);
	assert_true(names_field(&r, "done"));
	http_result_release(&r);
	request(&server, &learner, "POST", path, NULL, "[]", &r);
	assert_int_equal(r.status, 400);
	http_result_release(&r);
	assert_int_equal(status_of(&learner, "POST", "/api/v1/lessons/987654321/complete", NULL,
				   NULL),
			 404);
	assert_int_equal(sql_ll("SELECT count(*) FROM lesson_progress WHERE user_id = %lld",
				learner.user_id),
			 2);

	/* A lesson added later counts in the total. */
	lesson_of(module_a1, 5, "추가 강의", "Extra lesson", "text", "extra", NULL);
	request(&server, &learner, "POST", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_progress(&r, lesson_video, 3, 4, again, sizeof(again));
	http_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syllabus_is_public_without_bodies),
		cmocka_unit_test(test_unpublished_syllabus_is_hidden),
		cmocka_unit_test(test_lesson_permissions),
		cmocka_unit_test(test_unpublished_lessons_only_for_managers_and_teachers),
		cmocka_unit_test(test_upload),
		cmocka_unit_test(test_upload_limit),
		cmocka_unit_test(test_download),
		cmocka_unit_test(test_download_permissions),
		cmocka_unit_test(test_complete),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
