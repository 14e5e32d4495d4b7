/* assignment_test.c - assignments against a running server: settings, text
 * and file submissions checked by name and content, downloads only as
 * attachments, due dates and late policies, grading and returning for
 * revision, and who may see and grade whose submission */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define USER_PASSWORD "assignment-user-pass-2026"
#define LEARNER_FIELDS "\"display_name\": \"수강생\", \"ladder_stage\": \"worker\""
#define PDF_BODY "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
#define NOTEBOOK_BODY                                                                    \
	"{\"cells\": [{\"cell_type\": \"code\", \"source\": [\"print(1)\"]}],"           \
	" \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}"

static struct lms_server server;
static char conninfo[1024];
static struct harness_actor learner, other, instructor, instructor2, gist_admin, jnu_admin,
	outsider;
static long long course, module_id, lesson_hw, lesson_late, lesson_text;

static long long sql_ll(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long sql_ll(const char *fmt, ...)
{
	char sql[4096];
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

#define path_of(buf, len, fmt, id) snprintf((buf), (len), fmt, (long long)(id))

/* A request as a with extra header lines (NULL-ended) and a raw body. */
static void request(const struct harness_actor *a, const char *method, const char *path,
		    const char *const *extra, const char *body, struct http_result *r)
{
	char cookie[300], csrf[96];
	const char *headers[12];
	int n = 0;

	if (a) {
		snprintf(cookie, sizeof(cookie), "Cookie: %s", a->cookie);
		snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", a->csrf);
		headers[n++] = cookie;
		headers[n++] = csrf;
	}
	headers[n++] = "Expect:";
	for (; extra && *extra && n < 11; extra++)
		headers[n++] = *extra;
	headers[n] = NULL;
	if (harness_request_once(&server, method, path, headers, body, r) != 0)
		fail_msg("%s %s: no response", method, path);
}

/* Uploads body as file name to lesson's submission; the status. */
static long upload(const struct harness_actor *a, long long lesson, const char *name,
		   const char *body, struct http_result *r)
{
	char path[512];
	const char *extra[] = {"Content-Type: application/octet-stream", NULL};

	snprintf(path, sizeof(path), "/api/v1/lessons/%lld/submission/file?filename=%s", lesson,
		 name);
	request(a, "POST", path, extra, body, r);
	return r->status;
}

static long upload_status(const struct harness_actor *a, long long lesson, const char *name,
			  const char *body)
{
	struct http_result r = {0};
	long st = upload(a, lesson, name, body, &r);

	http_result_release(&r);
	return st;
}

static long long lesson_of(const char *kind, int position)
{
	return sql_ll("INSERT INTO lessons (module_id, position, title_ko, title_en, kind, body_md)"
		      " VALUES (%lld, %d, '과제 %d', 'Assignment %d', '%s', '보고서를 제출하세요')"
		      " RETURNING id",
		      module_id, position, position, position, kind);
}

static int setup(void **state)
{
	long long gist, section_a, section_b;
	char sql[512];

	(void)state;
	if (harness_db_create("assignment", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	harness_login_ok(&server, "learner@example.com", DEMO_PASSWORD, &learner);
	harness_login_ok(&server, "instructor@example.com", DEMO_PASSWORD, &instructor);
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	harness_register_ok(&server, "hw-other@example.com", USER_PASSWORD, LEARNER_FIELDS, &other);
	harness_register_ok(&server, "hw-outsider@example.com", USER_PASSWORD, LEARNER_FIELDS,
			    &outsider);
	harness_register_ok(&server, "hw-teacher2@example.com", USER_PASSWORD, LEARNER_FIELDS,
			    &instructor2);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO user_roles (user_id, role, institution_id) VALUES (%lld,"
		 " 'instructor', %lld)",
		 instructor2.user_id, gist);
	if (harness_sql(conninfo, sql) != 0)
		return -1;
	course = harness_course_create(conninfo, &(struct harness_course){
							 .institution = gist, .code = "HW-101"});
	section_a = harness_section_create(conninfo, &(struct harness_section){.course = course});
	section_b = harness_section_create(conninfo, &(struct harness_section){.course = course});
	sql_ll("INSERT INTO section_instructors VALUES (%lld, %lld), (%lld, %lld)"
	       " RETURNING section_id",
	       section_a, instructor.user_id, section_b, instructor2.user_id);
	harness_enrollment_create(conninfo, &(struct harness_enrollment){
						    .section = section_a, .user = learner.user_id});
	harness_enrollment_create(conninfo, &(struct harness_enrollment){
						    .section = section_a, .user = other.user_id});
	module_id = sql_ll("INSERT INTO course_modules (course_id, position, title_ko, title_en)"
			   " VALUES (%lld, 1, '과제', 'Assignments') RETURNING id",
			   course);
	lesson_hw = lesson_of("assignment", 1);
	lesson_late = lesson_of("assignment", 2);
	lesson_text = lesson_of("text", 3);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return harness_server_stop(&server) == 0 ? 0 : -1;
}

static void test_settings(void **state)
{
	char path[128];
	json_t *a;

	(void)state;
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/assignment", lesson_hw);
	harness_problem_as(&server, &learner, "PUT", path,
			   "{\"due_at\": \"2099-01-01T00:00:00+09:00\"}", 403, "forbidden", NULL);
	harness_problem_as(&server, &jnu_admin, "PUT", path,
			   "{\"due_at\": \"2099-01-01T00:00:00+09:00\"}", 403, "forbidden", NULL);
	harness_problem_as(&server, &instructor, "PUT", path, "{\"due_at\": \"tomorrow\"}", 400,
			   "validation_failed", "due_at");
	harness_problem_as(&server, &instructor, "PUT", path,
			   "{\"due_at\": \"2099-01-01T00:00:00+09:00\", \"late_policy\": \"maybe\"}",
			   400, "validation_failed", "late_policy");
	harness_problem_as(&server, &instructor, "PUT", path,
			   "{\"due_at\": \"2099-01-01T00:00:00+09:00\", \"max_file_mb\": 0}", 400,
			   "validation_failed", "max_file_mb");
	/* A text lesson is no assignment. */
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/assignment", lesson_text);
	harness_problem_as(&server, &instructor, "PUT", path,
			   "{\"due_at\": \"2099-01-01T00:00:00+09:00\"}", 404, "not_an_assignment",
			   NULL);
	/* Not set yet: nothing to submit to. */
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/submission", lesson_hw);
	harness_problem_as(&server, &learner, "PUT", path, "{\"body\": \"x\"}", 409,
			   "assignment_not_set", NULL);

	path_of(path, sizeof(path), "/api/v1/lessons/%lld/assignment", lesson_hw);
	a = harness_json_as(&server, &instructor, "PUT", path,
			    "{\"due_at\": \"2099-01-01T00:00:00+09:00\", \"max_score\": 100,"
			    " \"max_file_mb\": 1}",
			    200);
	assert_string_equal(json_string_value(json_object_get(a, "late_policy")), "refuse");
	json_decref(a);
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/assignment", lesson_late);
	json_decref(harness_json_as(&server, &gist_admin, "PUT", path,
				    "{\"due_at\": \"2099-01-01T00:00:00+09:00\","
				    " \"late_policy\": \"penalty\", \"late_penalty_pct\": 10,"
				    " \"accepts\": \"text\"}",
				    200));
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'assignment.update'"),
			 2);
	/* The learner sees the settings, no submission yet. */
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/assignment", lesson_hw);
	a = harness_get_json(&server, &learner, path);
	assert_true(json_is_null(json_object_get(a, "submission")));
	json_decref(a);
	harness_problem_as(&server, &outsider, "GET", path, NULL, 403, "forbidden", NULL);
}

static void test_submissions(void **state)
{
	struct http_result r = {0};
	char path[128], big[1100000];
	json_t *s;

	(void)state;
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/submission", lesson_hw);
	harness_problem_as(&server, &outsider, "PUT", path, "{\"body\": \"x\"}", 403, "forbidden",
			   NULL);
	harness_problem_as(&server, &learner, "PUT", path, "{\"body\": \"\"}", 400,
			   "validation_failed", "body");
	s = harness_json_as(&server, &learner, "PUT", path, "{\"body\": \"첫 제출입니다\"}", 200);
	assert_int_equal(harness_json_ll(s, "version"), 1);
	assert_true(json_is_false(json_object_get(s, "late")));
	json_decref(s);
	s = harness_json_as(&server, &learner, "PUT", path, "{\"body\": \"다시 제출합니다\"}", 200);
	assert_int_equal(harness_json_ll(s, "version"), 2);
	json_decref(s);

	/* Files: checked by name and by content. */
	assert_int_equal(upload(&learner, lesson_hw, "%EB%B3%B4%EA%B3%A0%EC%84%9C.pdf", PDF_BODY,
				&r),
			 200);
	s = harness_json_body(&r);
	http_result_release(&r);
	assert_string_equal(json_string_value(json_object_get(json_object_get(s, "file"),
							      "content_type")),
			    "application/pdf");
	/* The text sent before is kept with the file. */
	assert_string_equal(json_string_value(json_object_get(s, "body")), "다시 제출합니다");
	json_decref(s);
	assert_int_equal(upload_status(&learner, lesson_hw, "report.pdf", "<html><script>x</script>"),
			 415);
	assert_int_equal(upload_status(&learner, lesson_hw, "run.exe", "MZ"), 400);
	assert_int_equal(upload_status(&learner, lesson_hw, "a%2Fb.pdf", PDF_BODY), 400);
	assert_int_equal(upload_status(&learner, lesson_hw, "nb.ipynb", "{\"not\": \"a notebook\"}"),
			 415);
	assert_int_equal(upload_status(&learner, lesson_hw, "photo.png", "GIF89a"), 415);
	assert_int_equal(upload_status(&other, lesson_hw, "photo.PNG", "\x89PNG\r\n\x1a\nrest"), 200);
	assert_int_equal(upload_status(&other, lesson_hw, "work.ipynb", NOTEBOOK_BODY), 200);
	/* Over the assignment's 1 MB. */
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "%PDF-", 5);
	assert_int_equal(upload_status(&learner, lesson_hw, "big.pdf", big), 413);
	assert_int_equal(sql_ll("SELECT version FROM assignment_submissions WHERE user_id = %lld"
				" AND lesson_id = %lld",
				learner.user_id, lesson_hw),
			 3);
	/* A text-only assignment takes no file. */
	assert_int_equal(upload_status(&learner, lesson_late, "r.pdf", PDF_BODY), 409);
}

static void test_download(void **state)
{
	struct http_result r = {0};
	char path[128], buf[256];
	long long id;

	(void)state;
	id = sql_ll("SELECT id FROM assignment_submissions WHERE user_id = %lld AND lesson_id = %lld",
		    learner.user_id, lesson_hw);
	path_of(path, sizeof(path), "/api/v1/assignment-submissions/%lld/file", id);
	request(&learner, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, PDF_BODY);
	assert_non_null(http_result_header(&r, "Content-Disposition", buf, sizeof(buf)));
	assert_non_null(strstr(buf, "attachment; filename*=UTF-8''%EB%B3%B4%EA%B3%A0%EC%84%9C.pdf"));
	assert_non_null(http_result_header(&r, "X-Content-Type-Options", buf, sizeof(buf)));
	assert_string_equal(buf, "nosniff");
	http_result_release(&r);
	/* Its instructor and admins; nobody else learns it exists. */
	assert_int_equal(harness_status_as(&server, &instructor, "GET", path, NULL), 200);
	assert_int_equal(harness_status_as(&server, &gist_admin, "GET", path, NULL), 200);
	assert_int_equal(harness_status_as(&server, &other, "GET", path, NULL), 404);
	assert_int_equal(harness_status_as(&server, &instructor2, "GET", path, NULL), 404);
	assert_int_equal(harness_status_as(&server, &jnu_admin, "GET", path, NULL), 404);
	assert_int_equal(harness_status_as(&server, NULL, "GET", path, NULL), 401);
	path_of(path, sizeof(path), "/api/v1/assignment-submissions/%lld", id);
	assert_int_equal(harness_status_as(&server, &other, "GET", path, NULL), 404);
	assert_int_equal(harness_status_as(&server, &instructor2, "GET", path, NULL), 404);
	assert_int_equal(harness_status_as(&server, &learner, "GET", path, NULL), 200);
}

static void test_grading(void **state)
{
	char path[128], sub[128];
	long long mine, theirs;
	json_t *s, *queue;

	(void)state;
	mine = sql_ll("SELECT id FROM assignment_submissions WHERE user_id = %lld AND lesson_id ="
		      " %lld",
		      learner.user_id, lesson_hw);
	theirs = sql_ll("SELECT id FROM assignment_submissions WHERE user_id = %lld AND lesson_id"
			" = %lld",
			other.user_id, lesson_hw);
	/* The queue: the instructor's own sections. */
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/submissions", lesson_hw);
	queue = harness_get_json(&server, &instructor, path);
	assert_int_equal(json_array_size(queue), 2);
	json_decref(queue);
	queue = harness_get_json(&server, &instructor2, path);
	assert_int_equal(json_array_size(queue), 0);
	json_decref(queue);
	harness_problem_as(&server, &learner, "GET", path, NULL, 403, "forbidden", NULL);
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/submissions?status=late", lesson_hw);
	harness_problem_as(&server, &instructor, "GET", path, NULL, 400, "validation_failed",
			   "status");

	path_of(sub, sizeof(sub), "/api/v1/assignment-submissions/%lld/grade", mine);
	harness_problem_as(&server, &learner, "PUT", sub, "{\"score\": 100}", 403, "forbidden",
			   NULL);
	harness_problem_as(&server, &other, "PUT", sub, "{\"score\": 100}", 404, "not_found", NULL);
	harness_problem_as(&server, &instructor2, "PUT", sub, "{\"score\": 100}", 404, "not_found",
			   NULL);
	harness_problem_as(&server, &jnu_admin, "PUT", sub, "{\"score\": 100}", 404, "not_found",
			   NULL);
	harness_problem_as(&server, &instructor, "PUT", sub, "{\"score\": 101}", 400,
			   "validation_failed", NULL);
	harness_problem_as(&server, &instructor, "PUT", sub, "{\"feedback\": \"x\"}", 400,
			   "validation_failed", "score");
	harness_problem_as(&server, &instructor, "PUT", sub, "{\"score\": 5, \"return\": true}", 400,
			   "validation_failed", "score");
	s = harness_json_as(&server, &instructor, "PUT", sub,
			    "{\"score\": 87, \"feedback\": \"잘 했습니다. 그래프 축 이름을 붙이세요.\"}",
			    200);
	assert_string_equal(json_string_value(json_object_get(s, "status")), "graded");
	assert_int_equal((int)json_number_value(json_object_get(s, "final_score")), 87);
	json_decref(s);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action ="
				" 'assignment_submission.grade' AND target_id = %lld"
				" AND (detail ->> 'to_score')::numeric = 87",
				mine),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox WHERE kind = 'assignment.graded'"
				" AND user_id = %lld AND params ->> 'score' = '87.00'",
				learner.user_id),
			 1);
	/* The learner sees grade and feedback, and can no longer resubmit. */
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/assignment", lesson_hw);
	s = harness_get_json(&server, &learner, path);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(s, "submission"),
								 "feedback")),
			       "그래프"));
	json_decref(s);
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/submission", lesson_hw);
	harness_problem_as(&server, &learner, "PUT", path, "{\"body\": \"늦은 수정\"}", 409,
			   "already_graded", NULL);

	/* Returned for revision: resubmitted even after the due date. */
	path_of(sub, sizeof(sub), "/api/v1/assignment-submissions/%lld/grade", theirs);
	s = harness_json_as(&server, &gist_admin, "PUT", sub,
			    "{\"return\": true, \"feedback\": \"Please add the plots.\"}", 200);
	assert_string_equal(json_string_value(json_object_get(s, "status")), "returned");
	json_decref(s);
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox WHERE kind = 'assignment.returned'"
				" AND user_id = %lld",
				other.user_id),
			 1);
	sql_ll("UPDATE assignments SET due_at = now() - interval '1 day' WHERE lesson_id = %lld"
	       " RETURNING lesson_id",
	       lesson_hw);
	s = harness_json_as(&server, &other, "PUT", path, "{\"body\": \"plots added\"}", 200);
	assert_string_equal(json_string_value(json_object_get(s, "status")), "submitted");
	json_decref(s);
}

static void test_late_policies(void **state)
{
	char path[128], sub[128];
	json_t *s;
	long long id;

	(void)state;
	/* A penalty policy takes late work, marked late, and takes its share. */
	sql_ll("UPDATE assignments SET due_at = now() - interval '1 hour' WHERE lesson_id = %lld"
	       " RETURNING lesson_id",
	       lesson_late);
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/submission", lesson_late);
	s = harness_json_as(&server, &learner, "PUT", path, "{\"body\": \"late work\"}", 200);
	assert_true(json_is_true(json_object_get(s, "late")));
	id = harness_json_ll(s, "id");
	json_decref(s);
	path_of(sub, sizeof(sub), "/api/v1/assignment-submissions/%lld/grade", id);
	s = harness_json_as(&server, &instructor, "PUT", sub, "{\"score\": 100}", 200);
	assert_int_equal((int)json_number_value(json_object_get(s, "final_score")), 90);
	assert_int_equal((int)json_number_value(json_object_get(s, "score")), 100);
	json_decref(s);
	/* Past the late window: refused. */
	sql_ll("UPDATE assignments SET late_until = now() - interval '1 minute',"
	       " due_at = now() - interval '2 hours' WHERE lesson_id = %lld RETURNING lesson_id",
	       lesson_late);
	harness_problem_as(&server, &other, "PUT", path, "{\"body\": \"too late\"}", 409,
			   "past_due", NULL);
	/* Refuse policy: nothing after the due date. */
	sql_ll("UPDATE assignments SET late_until = NULL, late_policy = 'refuse'"
	       " WHERE lesson_id = %lld RETURNING lesson_id",
	       lesson_late);
	harness_problem_as(&server, &other, "PUT", path, "{\"body\": \"too late\"}", 409,
			   "past_due", NULL);
	assert_int_equal(sql_ll("SELECT count(*) FROM assignment_submissions WHERE user_id = %lld"
				" AND lesson_id = %lld",
				other.user_id, lesson_late),
			 0);
}

/* The blob store keeps a file's bytes as long as a row names them: the
 * file a resubmission replaced goes, unless another submission holds the
 * same bytes; an erased account's files go with its work. */
static void test_files_released(void **state)
{
	struct harness_actor leaver;
	long long lesson, section;
	char path[128], a_hash[65], b_hash[65], d_hash[65], sql[512];

	(void)state;
	lesson = lesson_of("assignment", 4);
	sql_ll("INSERT INTO assignments (lesson_id, due_at) VALUES (%lld, now() + interval '7 days')"
	       " RETURNING lesson_id",
	       lesson);
#define HASH_OF(out, user)                                                               \
	do {                                                                             \
		snprintf(sql, sizeof(sql),                                               \
			 "SELECT sha256 FROM assignment_submissions WHERE user_id = %lld" \
			 " AND lesson_id = %lld",                                         \
			 (long long)(user), lesson);                                      \
		if (harness_sql_value(conninfo, sql, out, sizeof(out)) != 0)             \
			fail_msg("no file: %s", sql);                                    \
	} while (0)
#define BLOBS_OF(hash)                                                                   \
	sql_ll("SELECT (SELECT count(*) FROM blobs WHERE sha256 = '%s') * 10"            \
	       " + (SELECT least(count(*), 9) FROM blob_chunks WHERE sha256 = '%s')",    \
	       hash, hash)

	/* Two learners send the same bytes: stored once. */
	assert_int_equal(upload_status(&learner, lesson, "a.pdf", "%PDF-1.4 release A\n"), 200);
	assert_int_equal(upload_status(&other, lesson, "same.pdf", "%PDF-1.4 release A\n"), 200);
	HASH_OF(a_hash, learner.user_id);
	assert_int_equal(BLOBS_OF(a_hash), 11);
	/* One replaces it: the other still holds the bytes. */
	assert_int_equal(upload_status(&learner, lesson, "b.pdf", "%PDF-1.4 release B\n"), 200);
	HASH_OF(b_hash, learner.user_id);
	assert_int_equal(BLOBS_OF(a_hash), 11);
	assert_int_equal(BLOBS_OF(b_hash), 11);
	/* The other replaces it too: nothing names A, and it is gone. */
	assert_int_equal(upload_status(&other, lesson, "c.pdf", "%PDF-1.4 release C\n"), 200);
	assert_int_equal(BLOBS_OF(a_hash), 0);
	/* The same bytes again change nothing; a text keeps the file. */
	assert_int_equal(upload_status(&learner, lesson, "b2.pdf", "%PDF-1.4 release B\n"), 200);
	path_of(path, sizeof(path), "/api/v1/lessons/%lld/submission", lesson);
	json_decref(harness_json_as(&server, &learner, "PUT", path, "{\"body\": \"글\"}", 200));
	assert_int_equal(BLOBS_OF(b_hash), 11);
	/* A change rolled back releases nothing. */
	snprintf(sql, sizeof(sql),
		 "BEGIN; UPDATE assignment_submissions SET filename = NULL, content_type = NULL,"
		 " size = NULL, sha256 = NULL WHERE user_id = %lld AND lesson_id = %lld; ROLLBACK",
		 learner.user_id, lesson);
	assert_int_equal(harness_sql(conninfo, sql), 0);
	assert_int_equal(BLOBS_OF(b_hash), 11);
	/* Bytes another table names (an attachment) stay when the
	 * submission lets them go. */
	sql_ll("INSERT INTO attachments (lesson_id, filename, content_type, size, sha256)"
	       " SELECT %lld, 'b.pdf', 'application/pdf', size, sha256 FROM blobs"
	       " WHERE sha256 = '%s' RETURNING id",
	       lesson, b_hash);
	assert_int_equal(upload_status(&learner, lesson, "d.pdf", "%PDF-1.4 release D\n"), 200);
	assert_int_equal(BLOBS_OF(b_hash), 11);

	/* An erased account: its text and file go, its grade stays. */
	harness_register_ok(&server, "hw-leaver@example.com", USER_PASSWORD, LEARNER_FIELDS,
			    &leaver);
	section = sql_ll("SELECT section_id FROM enrollments WHERE user_id = %lld LIMIT 1",
			 learner.user_id);
	harness_enrollment_create(conninfo, &(struct harness_enrollment){.section = section,
									  .user = leaver.user_id});
	assert_int_equal(upload_status(&leaver, lesson, "mine.pdf", "%PDF-1.4 leaver only\n"), 200);
	json_decref(harness_json_as(&server, &leaver, "PUT", path, "{\"body\": \"개인 글\"}", 200));
	HASH_OF(d_hash, leaver.user_id);
	assert_int_equal(BLOBS_OF(d_hash), 11);
	assert_int_equal(harness_status_as(&server, &leaver, "DELETE", "/api/v1/me",
					   "{\"password\": \"" USER_PASSWORD "\"}"),
			 204);
	assert_int_equal(BLOBS_OF(d_hash), 0);
	assert_int_equal(sql_ll("SELECT count(*) FROM assignment_submissions WHERE user_id = %lld"
				" AND lesson_id = %lld AND sha256 IS NULL AND filename IS NULL"
				" AND body = ''",
				leaver.user_id, lesson),
			 1);
#undef HASH_OF
#undef BLOBS_OF
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_submissions),
		cmocka_unit_test(test_download),
		cmocka_unit_test(test_grading),
		cmocka_unit_test(test_late_policies),
		cmocka_unit_test(test_files_released),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
