/* bulk_enrollment_test.c - an institution's admin enrols learners: one on
 * their behalf (overrides with a reason), and CSV files of them (dry run,
 * apply in one transaction, twice changes nothing, invitations, bad files,
 * 10,000 rows in flat memory, racing self-enrolments) */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define BOM "\xEF\xBB\xBF"

static struct lms_server server;
static char conninfo[1024];
static struct harness_actor gist_admin, jnu_admin, platform, demo_learner;

/* GIST courses of the test's own, one per rule, and one of Chonnam. */
static const char fixture_sql[] =
	"INSERT INTO courses (institution_id, program_id, code, title_ko, title_en, delivery,"
	" published) SELECT i.id, p.id, v.code, v.ko, v.en, 'offline', true"
	" FROM (VALUES"
	" ('gist', 'B-OPEN', 'online', '열린 과정', 'Open Course'),"
	" ('gist', 'B-BASE', 'online', '기초 과정', 'Basics'),"
	" ('gist', 'B-NEXT', 'online', '심화 과정', 'Advanced'),"
	" ('gist', 'B-KIDS', 'science_academy', '어린이 과정', 'For Children'),"
	" ('gist', 'B-CORP', 'corporate_university', '사내 과정', 'For Staff'),"
	" ('jnu', 'B-JNU', 'online', '전남대 과정', 'Chonnam Course'))"
	" AS v(inst, code, program, ko, en) JOIN programs p ON p.code = v.program"
	" JOIN institutions i ON i.code = v.inst;"
	"INSERT INTO course_prerequisites SELECT n.id, b.id FROM courses n, courses b"
	" WHERE n.code = 'B-NEXT' AND b.code = 'B-BASE';"
	"INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
	" enrollment_opens_at, enrollment_closes_at, status)"
	" SELECT c.id, v.term, v.starts::date, v.ends::date, v.cap, now() + v.opens::interval,"
	" now() + v.closes::interval, v.status FROM courses c, (VALUES"
	" ('B-OPEN', '2030-1', '2030-03-02', '2030-06-20', 2, '-1 day', '30 days', 'open'),"
	" ('B-OPEN', '2030-2', '2030-09-01', '2030-12-20', 5, '-1 day', '30 days', 'closed'),"
	" ('B-OPEN', '2031-1', '2031-03-02', '2031-06-20', 5, '-1 day', '30 days', 'cancelled'),"
	" ('B-OPEN', '2031-2', '2031-09-01', '2031-12-20', 100, '-1 day', '30 days', 'open'),"
	" ('B-OPEN', '2032-1', '2032-03-02', '2032-06-20', 50, '-1 day', '30 days', 'open'),"
	" ('B-OPEN', '2032-2', '2032-09-01', '2032-12-20', 5, '-1 day', '30 days', 'open'),"
	" ('B-NEXT', '2030-1', '2030-03-02', '2030-06-20', 5, '-1 day', '30 days', 'open'),"
	" ('B-KIDS', '2030-1', '2030-03-02', '2030-06-20', 2, '-1 day', '30 days', 'open'),"
	" ('B-KIDS', '2030-2', '2030-09-01', '2030-12-20', 5, '-1 day', '30 days', 'open'),"
	" ('B-CORP', '2030-1', '2030-03-02', '2030-06-20', 5, '-1 day', '30 days', 'open'),"
	" ('B-JNU', '2030-1', '2030-03-02', '2030-06-20', 5, '-1 day', '30 days', 'open'))"
	" AS v(code, term, starts, ends, cap, opens, closes, status) WHERE c.code = v.code;";

#define sql_ll(...) harness_sql_llf(conninfo, __VA_ARGS__)

static long long section(const char *code, const char *term)
{
	return sql_ll("SELECT s.id FROM sections s JOIN courses c ON c.id = s.course_id"
		      " WHERE c.code = '%s' AND s.term = '%s'",
		      code, term);
}

/* POSTs len bytes of body to path as a with Content-Type type (NULL:
 * text/csv) and the extra header extra (may be NULL). */
static void post_raw(const struct harness_actor *a, const char *path, const char *type,
		     const void *body, size_t len, struct http_result *out)
{
	char url[512], resolve[64], cookie[300], csrf[96], ct[96];
	struct curl_slist *hdrs = NULL, *res = NULL;
	FILE *bodyf, *headf;
	char *bbuf = NULL, *hbuf = NULL;
	size_t blen = 0, hlen = 0;
	CURL *curl = curl_easy_init();

	assert_non_null(curl);
	memset(out, 0, sizeof(*out));
	snprintf(url, sizeof(url), "https://localhost:%d%s", server.port, path);
	snprintf(resolve, sizeof(resolve), "localhost:%d:127.0.0.1", server.port);
	snprintf(cookie, sizeof(cookie), "Cookie: %s", a->cookie);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", a->csrf);
	snprintf(ct, sizeof(ct), "Content-Type: %s", type ? type : "text/csv");
	hdrs = curl_slist_append(hdrs, cookie);
	hdrs = curl_slist_append(hdrs, csrf);
	hdrs = curl_slist_append(hdrs, ct);
	hdrs = curl_slist_append(hdrs, "Expect:");
	res = curl_slist_append(res, resolve);
	bodyf = open_memstream(&bbuf, &blen);
	headf = open_memstream(&hbuf, &hlen);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_RESOLVE, res);
	curl_easy_setopt(curl, CURLOPT_CAINFO, server.cert_path);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 240L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, bodyf);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, headf);
	curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	fclose(bodyf);
	fclose(headf);
	out->body = bbuf;
	out->len = blen;
	out->headers = hbuf;
	curl_slist_free_all(hdrs);
	curl_slist_free_all(res);
	curl_easy_cleanup(curl);
}

/* Uploads the CSV text csv to section sec (apply or a dry run) as a; the
 * answer must have status want; returns its JSON (new). */
static json_t *upload(const struct harness_actor *a, long long sec, bool apply, const char *csv,
		      size_t len, long want)
{
	struct http_result r;
	char path[128];
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments/bulk%s", sec,
		 apply ? "?apply=1" : "");
	post_raw(a, path, NULL, csv, len, &r);
	if (r.status != want)
		fail_msg("upload to %lld: expected %ld, got %ld: %.2000s", sec, want, r.status,
			 r.body ? r.body : "");
	j = r.len ? harness_json_body(&r) : NULL;
	http_result_release(&r);
	return j;
}

#define UPLOAD(a, sec, apply, csv, want) upload((a), (sec), (apply), (csv), strlen(csv), (want))

/* Row line of a bulk answer (fails when absent). */
static json_t *row_at(json_t *answer, long line)
{
	json_t *rows = json_object_get(answer, "rows"), *r;
	size_t i;

	json_array_foreach(rows, i, r)
		if (json_integer_value(json_object_get(r, "line")) == line)
			return r;
	fail_msg("no row for line %ld", line);
	return NULL;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* Fails unless the JSON text of j holds words. */
static void assert_json_has(const json_t *j, const char *words)
{
	char *text = json_dumps(j, 0);

	assert_contains(text, words);
	free(text);
}

static void assert_row(json_t *answer, long line, const char *result, const char *code)
{
	json_t *r = row_at(answer, line);

	if (strcmp(str(r, "result"), result) != 0 || (code && strcmp(str(r, "code"), code) != 0))
		fail_msg("line %ld: expected %s %s, got %s", line, result, code ? code : "",
			 json_dumps(r, JSON_COMPACT));
}

static long long summary(json_t *answer, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(answer, "summary"), k));
}

/* Registers a learner at stage (affiliated with institution aff when not
 * 0) and signs in. */
static void learner(const char *email, const char *stage, long long aff,
		    struct harness_actor *a)
{
	char fields[256];

	if (aff)
		snprintf(fields, sizeof(fields),
			 "\"display_name\": \"L\", \"ladder_stage\": \"%s\","
			 " \"affiliation_institution_id\": %lld",
			 stage, aff);
	else
		snprintf(fields, sizeof(fields), "\"display_name\": \"L\", \"ladder_stage\": \"%s\"",
			 stage);
	harness_register_ok(&server, email, "bulk-test-pass-2026", fields, a);
}

/* The sanitizers' quarantine keeps freed memory on purpose (256 MiB of
 * it by default): the server's memory is measured with a small one, so
 * that what it shows is what the server holds. */
static const char *const server_env[] = {
	"ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:quarantine_size_mb=4",
	NULL};

static int setup(void **state)
{
	(void)state;
	if (harness_db_create("bulk_enrollment", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_sql(conninfo, fixture_sql) != 0 ||
	    harness_server_start(&server, conninfo, server_env) != 0)
		return -1;
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	harness_login_ok(&server, "admin@example.com", DEMO_PASSWORD, &platform);
	harness_login_ok(&server, "learner@example.com", DEMO_PASSWORD, &demo_learner);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(harness_server_stop(&server), 0);
	return 0;
}

/* ---- on behalf ---- */

static void on_behalf_enrols_waitlists_and_replays(void **state)
{
	struct harness_actor a, b, c;
	long long sec = section("B-OPEN", "2030-1");
	char path[128], body[160];
	json_t *j;

	(void)state;
	learner("ob-a@example.com", "worker", 0, &a);
	learner("ob-b@example.com", "worker", 0, &b);
	learner("ob-c@example.com", "worker", 0, &c);
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments/on-behalf", sec);

	j = harness_json_as(&server, &gist_admin, "POST", path,
			    "{\"email\": \"OB-A@example.com\"}", 201);
	assert_string_equal(str(j, "status"), "enrolled");
	assert_int_equal(harness_json_ll(j, "user_id"), a.user_id);
	/* The admin is the actor, in the audit trail and the history. */
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'enrollment.create'"
				" AND target_id = %lld AND actor_user_id = %lld"
				" AND detail->>'on_behalf' = 'true' AND (detail->>'user_id')::bigint = %lld",
				harness_json_ll(j, "id"), gist_admin.user_id, a.user_id),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollment_events WHERE enrollment_id = %lld"
				" AND actor_user_id = %lld",
				harness_json_ll(j, "id"), gist_admin.user_id),
			 1);
	json_decref(j);

	snprintf(body, sizeof(body), "{\"user_id\": %lld}", b.user_id);
	j = harness_json_as(&server, &gist_admin, "POST", path, body, 201);
	assert_string_equal(str(j, "status"), "enrolled");
	json_decref(j);
	/* The seats are self-enrolment's: the third waits. */
	snprintf(body, sizeof(body), "{\"user_id\": %lld}", c.user_id);
	j = harness_json_as(&server, &platform, "POST", path, body, 201);
	assert_string_equal(str(j, "status"), "waitlisted");
	assert_int_equal(harness_json_ll(j, "waitlist_position"), 1);
	json_decref(j);
	assert_int_equal(sql_ll("SELECT enrolled_count FROM sections WHERE id = %lld", sec), 2);

	harness_problem_as(&server, &gist_admin, "POST", path, "{\"email\": \"ob-a@example.com\"}",
			   409, "already_enrolled", NULL);
	harness_problem_as(&server, &gist_admin, "POST", path, "{\"email\": \"nobody@example.com\"}",
			   404, "user_not_found", "email");
	harness_problem_as(&server, &gist_admin, "POST", path,
			   "{\"email\": \"ob-a@example.com\", \"user_id\": 1}", 400,
			   "validation_failed", "user_id");
	harness_problem_as(&server, &gist_admin, "POST", path, "{\"email\": 5}", 400,
			   "validation_failed", "email");
	harness_problem_as(&server, &gist_admin, "POST", path, "{}", 400, "validation_failed",
			   "user_id");
}

static void on_behalf_idempotency_key_replays(void **state)
{
	struct harness_actor a;
	long long sec = section("B-OPEN", "2032-2");
	char path[128], cookie[300], csrf[96];
	const char *headers[] = {cookie, csrf, "Content-Type: application/json",
				 "Idempotency-Key: ob-key-1", NULL};
	struct http_result r1, r2;

	(void)state;
	learner("ob-key@example.com", "worker", 0, &a);
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments/on-behalf", sec);
	snprintf(cookie, sizeof(cookie), "Cookie: %s", gist_admin.cookie);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", gist_admin.csrf);
	assert_int_equal(harness_request_once(&server, "POST", path, headers,
					      "{\"email\": \"ob-key@example.com\"}", &r1),
			 0);
	assert_int_equal(harness_request_once(&server, "POST", path, headers,
					      "{\"email\": \"ob-key@example.com\"}", &r2),
			 0);
	assert_int_equal(r1.status, 201);
	assert_int_equal(r2.status, 201);
	assert_string_equal(r1.body, r2.body);
	assert_contains(r2.headers, "Idempotent-Replayed: true");
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE section_id = %lld", sec), 1);
	http_result_release(&r1);
	http_result_release(&r2);
}

static void on_behalf_rules_and_overrides(void **state)
{
	struct harness_actor w;
	long long kids = section("B-KIDS", "2030-2"), next = section("B-NEXT", "2030-1"),
		  corp = section("B-CORP", "2030-1"), closed = section("B-OPEN", "2030-2"),
		  cancelled = section("B-OPEN", "2031-1");
	char path[128];
	json_t *j;

	(void)state;
	learner("ob-worker@example.com", "worker", 0, &w);
#define P(sec) (snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments/on-behalf", (sec)), path)
	/* The same codes as self-enrolment. */
	harness_problem_as(&server, &w, "POST",
			   (snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments", kids),
			    path),
			   NULL, 403, "not_eligible_stage", NULL);
	harness_problem_as(&server, &gist_admin, "POST", P(kids),
			   "{\"email\": \"ob-worker@example.com\"}", 403, "not_eligible_stage", NULL);
	harness_problem_as(&server, &gist_admin, "POST", P(next),
			   "{\"email\": \"ob-worker@example.com\"}", 403, "prerequisite_missing",
			   NULL);
	harness_problem_as(&server, &gist_admin, "POST", P(corp),
			   "{\"email\": \"ob-worker@example.com\"}", 403, "affiliation_required",
			   NULL);
	harness_problem_as(&server, &gist_admin, "POST", P(closed),
			   "{\"email\": \"ob-worker@example.com\"}", 409, "enrollment_closed", NULL);
	harness_problem_as(&server, &gist_admin, "POST", P(cancelled),
			   "{\"email\": \"ob-worker@example.com\"}", 409, "section_cancelled", NULL);
	/* A reason must say something. */
	harness_problem_as(&server, &gist_admin, "POST", P(kids),
			   "{\"email\": \"ob-worker@example.com\", \"override_reason\": \"  \"}", 400,
			   "validation_failed", "override_reason");
	harness_problem_as(&server, &gist_admin, "POST", P(kids),
			   "{\"email\": \"ob-worker@example.com\", \"override_reason\": \"\"}", 400,
			   "validation_failed", "override_reason");
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE user_id = %lld", w.user_id),
			 0);

	/* With a reason the admin passes, and the reason is kept. */
	j = harness_json_as(&server, &gist_admin, "POST", P(kids),
			    "{\"email\": \"ob-worker@example.com\", \"override_reason\":"
			    " \"parent volunteer for the children's class\"}",
			    201);
	assert_string_equal(str(j, "overridden"), "not_eligible_stage");
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE target_id = %lld"
				" AND action = 'enrollment.create' AND detail->>'overridden' ="
				" 'not_eligible_stage' AND detail->>'override_reason' ="
				" 'parent volunteer for the children''s class'",
				harness_json_ll(j, "id")),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollment_events WHERE enrollment_id = %lld"
				" AND reason LIKE '%%not_eligible_stage: parent volunteer%%'",
				harness_json_ll(j, "id")),
			 1);
	json_decref(j);
	j = harness_json_as(&server, &gist_admin, "POST", P(closed),
			    "{\"email\": \"ob-worker@example.com\", \"override_reason\": \"late"
			    " registration approved by the director\"}",
			    201);
	assert_string_equal(str(j, "overridden"), "enrollment_closed");
	json_decref(j);
	j = harness_json_as(&server, &gist_admin, "POST", P(next),
			    "{\"email\": \"ob-worker@example.com\", \"override_reason\": \"took the"
			    " basics elsewhere\"}",
			    201);
	assert_string_equal(str(j, "overridden"), "prerequisite_missing");
	json_decref(j);
	/* Some things no reason overrides. */
	harness_problem_as(&server, &gist_admin, "POST", P(cancelled),
			   "{\"email\": \"ob-worker@example.com\", \"override_reason\": \"x\"}", 409,
			   "section_cancelled", NULL);
	harness_problem_as(&server, &gist_admin, "POST", P(kids),
			   "{\"email\": \"ob-worker@example.com\", \"override_reason\": \"x\"}", 409,
			   "already_enrolled", NULL);
#undef P
}

static void on_behalf_other_institution_is_refused(void **state)
{
	long long gist_sec = section("B-OPEN", "2032-2"), jnu_sec = section("B-JNU", "2030-1");
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments/on-behalf", gist_sec);
	harness_problem_as(&server, &jnu_admin, "POST", path,
			   "{\"email\": \"learner@example.com\"}", 404, "not_found", NULL);
	harness_problem_as(&server, &demo_learner, "POST", path,
			   "{\"email\": \"learner@example.com\"}", 403, "forbidden", NULL);
	assert_int_equal(harness_status_as(&server, NULL, "POST", path,
					   "{\"email\": \"learner@example.com\"}"),
			 401);
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments/on-behalf", jnu_sec);
	harness_problem_as(&server, &gist_admin, "POST", path,
			   "{\"email\": \"learner@example.com\"}", 404, "not_found", NULL);
	json_decref(harness_json_as(&server, &jnu_admin, "POST", path,
				    "{\"email\": \"learner@example.com\"}", 201));
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments e JOIN users u ON u.id = e.user_id"
				" WHERE u.email = 'learner@example.com' AND e.section_id = %lld",
				gist_sec),
			 0);
}

/* ---- files ---- */

static void bulk_dry_run_then_apply_twice(void **state)
{
	struct harness_actor h0, h1, h2, h3, w, invited;
	long long sec = section("B-KIDS", "2030-1");
	const char *bad =
		BOM "Email,Name,Ladder_Stage\r\n"
		"bk-h1@example.com,하나,high\r\n"              /* 2 enroll */
		"bk-w@example.com,Worker,\r\n"                 /* 3 refused: stage */
		"bk-new@example.com,\"Kim, New\",middle\r\n"   /* 4 invite */
		"not-an-address,Bad,high\r\n"                  /* 5 error */
		"BK-H2@example.com,둘,\r\n"                    /* 6 enroll (last seat) */
		"bk-h1@example.com,again,high\r\n"             /* 7 error: repeat */
		"bk-h3@example.com,,wizard\r\n"                /* 8 error: stage */
		",,\r\n"                                       /* skipped */
		"bk-h0@example.com,,\r\n";                     /* 10 unchanged */
	const char *good = "email\n"
			   "bk-h1@example.com\n"
			   "bk-w@example.com\n"
			   "bk-new@example.com\n"
			   "bk-h2@example.com\n"
			   "bk-h3@example.com\n"
			   "bk-h0@example.com\n";
	long long before_events, before_outbox;
	json_t *j, *r;

	(void)state;
	learner("bk-h0@example.com", "high", 0, &h0);
	learner("bk-h1@example.com", "high", 0, &h1);
	learner("bk-h2@example.com", "high", 0, &h2);
	learner("bk-h3@example.com", "high", 0, &h3);
	learner("bk-w@example.com", "worker", 0, &w);
	harness_enrollment_create(conninfo, &(struct harness_enrollment){.section = sec,
									 .user = h0.user_id,
									 .status = "waitlisted"});
	before_events = sql_ll("SELECT count(*) FROM enrollment_events");
	before_outbox = sql_ll("SELECT count(*) FROM outbox");

	/* The dry run: every row's fate, nothing written. */
	j = UPLOAD(&gist_admin, sec, false, bad, 200);
	assert_false(json_is_true(json_object_get(j, "applied")));
	assert_row(j, 2, "enroll", NULL);
	assert_row(j, 3, "refused", "not_eligible_stage");
	assert_row(j, 4, "invite", NULL);
	assert_string_equal(str(row_at(j, 4), "name"), "Kim, New");
	assert_row(j, 5, "error", "invalid_row");
	assert_json_has(row_at(j, 5), "email must have one @");
	assert_row(j, 6, "enroll", NULL);
	assert_string_equal(str(row_at(j, 6), "email"), "bk-h2@example.com");
	assert_row(j, 7, "error", "duplicate_row");
	assert_json_has(row_at(j, 7), "line 2");
	assert_row(j, 8, "error", "invalid_row");
	assert_json_has(row_at(j, 8), "ladder_stage must be one of");
	assert_row(j, 10, "unchanged", NULL);
	assert_string_equal(str(row_at(j, 10), "status"), "waitlisted");
	assert_int_equal(summary(j, "rows"), 8);
	assert_int_equal(summary(j, "error"), 3);
	json_decref(j);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollment_events"), before_events);
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox"), before_outbox);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action ="
				" 'enrollment.bulk_preview' AND target_id = %lld AND actor_user_id = %lld",
				sec, gist_admin.user_id),
			 1);

	/* A file with errors is not applied, and says where they are. */
	j = UPLOAD(&gist_admin, sec, true, bad, 400);
	assert_string_equal(str(j, "code"), "validation_failed");
	assert_json_has(j, "\"line 5\"");
	assert_json_has(j, "\"line 7\"");
	assert_json_has(j, "\"line 8\"");
	json_decref(j);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollment_events"), before_events);
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox"), before_outbox);

	/* Applied: two seats in file order, the third high-schooler waits. */
	j = UPLOAD(&gist_admin, sec, true, good, 200);
	assert_true(json_is_true(json_object_get(j, "applied")));
	assert_row(j, 2, "enroll", NULL);
	assert_row(j, 3, "refused", "not_eligible_stage");
	assert_row(j, 4, "invite", NULL);
	assert_row(j, 5, "enroll", NULL);
	assert_row(j, 6, "waitlist", NULL);
	assert_int_equal(json_integer_value(json_object_get(row_at(j, 6), "waitlist_position")), 2);
	assert_row(j, 7, "unchanged", NULL);
	json_decref(j);
	assert_int_equal(sql_ll("SELECT enrolled_count FROM sections WHERE id = %lld", sec), 2);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE section_id = %lld AND"
				" status = 'enrolled' AND user_id IN (%lld, %lld)",
				sec, h1.user_id, h2.user_id),
			 2);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE section_id = %lld AND"
				" status = 'waitlisted' AND user_id = %lld",
				sec, h3.user_id),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE user_id = %lld", w.user_id),
			 0);
	/* The invitation: one message to the address, in the outbox. */
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox WHERE kind = 'invitation.enroll' AND"
				" to_address = 'bk-new@example.com' AND user_id IS NULL AND"
				" (params->>'section_id')::bigint = %lld AND params->>'course_title' ="
				" '어린이 과정'",
				sec),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'enrollment.create'"
				" AND actor_user_id = %lld AND detail->>'source' = 'bulk'"
				" AND (detail->>'section_id')::bigint = %lld",
				gist_admin.user_id, sec),
			 3);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action ="
				" 'enrollment.bulk_apply' AND target_id = %lld",
				sec),
			 1);

	/* The same file again changes nothing. */
	before_events = sql_ll("SELECT count(*) FROM enrollment_events");
	before_outbox = sql_ll("SELECT count(*) FROM outbox");
	j = UPLOAD(&gist_admin, sec, true, good, 200);
	assert_int_equal(summary(j, "unchanged"), 5);
	assert_int_equal(summary(j, "refused"), 1);
	assert_int_equal(summary(j, "enroll") + summary(j, "waitlist") + summary(j, "invite"), 0);
	assert_string_equal(str(row_at(j, 4), "status"), "invited");
	json_decref(j);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollment_events"), before_events);
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox"), before_outbox);

	/* The invited person registers: the section is offered to them. */
	learner("bk-new@example.com", "middle", 0, &invited);
	j = harness_get_json(&server, &invited, "/api/v1/me/invitations");
	r = json_array_get(json_object_get(j, "items"), 0);
	assert_non_null(r);
	assert_int_equal(harness_json_ll(r, "section_id"), sec);
	assert_true(json_is_null(json_object_get(r, "enrollment_status")));
	json_decref(j);
	j = harness_get_json(&server, &h1, "/api/v1/me/invitations");
	assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
	json_decref(j);
	/* And the file applied again enrols them now. */
	j = UPLOAD(&gist_admin, sec, true, good, 200);
	assert_row(j, 4, "waitlist", NULL);
	assert_int_equal(json_integer_value(json_object_get(row_at(j, 4), "user_id")),
			 invited.user_id);
	json_decref(j);
}

/* A file's refusals are self-enrolment's, rule by rule. */
static void bulk_refusals_are_self_enrolment_codes(void **state)
{
	struct harness_actor w;
	static const struct {
		const char *code, *term, *want;
	} cases[] = {
		{"B-NEXT", "2030-1", "prerequisite_missing"},
		{"B-CORP", "2030-1", "affiliation_required"},
		{"B-KIDS", "2030-2", "not_eligible_stage"},
		{"B-OPEN", "2030-2", "enrollment_closed"},
		{"B-OPEN", "2031-1", "section_cancelled"},
	};
	char self[96];
	json_t *j;

	(void)state;
	learner("bk-rules@example.com", "worker", 0, &w);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long sec = section(cases[i].code, cases[i].term);

		snprintf(self, sizeof(self), "/api/v1/sections/%lld/enrollments", sec);
		harness_problem_as(&server, &w, "POST", self, NULL,
				   !strcmp(cases[i].want, "enrollment_closed") ||
						   !strcmp(cases[i].want, "section_cancelled")
					   ? 409
					   : 403,
				   cases[i].want, NULL);
		j = UPLOAD(&gist_admin, sec, true,
			   "email,name\nbk-rules@example.com,R\nbk-rules-new@example.com,N\n", 200);
		assert_row(j, 2, "refused", cases[i].want);
		/* A closed or cancelled section invites nobody either. */
		if (!strcmp(cases[i].code, "B-OPEN"))
			assert_row(j, 3, "refused", cases[i].want);
		else
			assert_row(j, 3, "invite", NULL);
		json_decref(j);
	}
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE user_id = %lld", w.user_id),
			 0);
}

static void bulk_other_institution_is_refused(void **state)
{
	long long sec = section("B-OPEN", "2032-2"), jnu = section("B-JNU", "2030-1");
	const char *csv = "email\nlearner@example.com\n";

	(void)state;
	json_decref(UPLOAD(&jnu_admin, sec, false, csv, 404));
	json_decref(UPLOAD(&jnu_admin, sec, true, csv, 404));
	/* A learner is no admin anywhere: refused before any section is read. */
	json_decref(UPLOAD(&demo_learner, sec, true, csv, 403));
	json_decref(UPLOAD(&gist_admin, jnu, true, csv, 404));
	json_decref(UPLOAD(&platform, jnu, false, csv, 200));
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE section_id = %lld", jnu), 1);
}

/* A bad file is refused whole with the line that is wrong. */
#define LIT(s) (s), sizeof(s) - 1

static void assert_unreadable(const void *csv, size_t len, long status, const char *code,
			      const char *line, const char *words)
{
	struct http_result r;
	char path[128], *text;
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments/bulk?apply=1",
		 section("B-OPEN", "2032-2"));
	post_raw(&gist_admin, path, NULL, csv, len, &r);
	if (r.status != status)
		fail_msg("expected %ld, got %ld: %s", status, r.status, r.body);
	j = harness_json_body(&r);
	assert_string_equal(str(j, "code"), code);
	text = json_dumps(j, 0);
	if (line)
		assert_contains(text, line);
	if (words)
		assert_contains(text, words);
	free(text);
	json_decref(j);
	http_result_release(&r);
}

static void bulk_bad_files(void **state)
{
	long long sec = section("B-OPEN", "2032-2");
	long long before = sql_ll("SELECT count(*) FROM enrollments");
	char *huge, *many, binary[512];
	size_t n = 0;
	json_t *j;
	struct http_result r;
	char path[128];

	(void)state;
	/* Ragged rows are errors of their rows. */
	j = UPLOAD(&gist_admin, sec, false,
		   "email,name\nlearner@example.com\nx@example.com,a,b\ny@example.com,Y\n", 200);
	assert_row(j, 2, "error", "invalid_row");
	assert_json_has(row_at(j, 2), "the row has 1 cells; the header has 2");
	assert_row(j, 3, "error", "invalid_row");
	assert_row(j, 4, "invite", NULL);
	json_decref(j);

	assert_unreadable(LIT("email,name\na@example.com,\"Kim\n\"Lee\",x\n"), 400, "invalid_csv",
			  "line 3", "quoting");
	assert_unreadable(LIT("email,name\na@example.com,\"open quote\n"), 400, "invalid_csv", NULL,
			  "quoting");
	assert_unreadable(LIT("mail,name\na@example.com,A\n"), 400, "invalid_csv", "line 1",
			  "unknown column");
	assert_unreadable(LIT("name\nA\n"), 400, "invalid_csv", "line 1", "no email column");
	assert_unreadable(LIT("email,email\na@example.com,b@example.com\n"), 400, "invalid_csv",
			  "line 1", "twice");
	/* CP949 (EUC-KR) from an old Excel: not UTF-8. */
	assert_unreadable(LIT("email,name\na@example.com,\xb1\xe8\xc3\xb6\xbc\xf6\n"), 400,
			  "invalid_csv", "line 2", "UTF-8");
	for (size_t i = 0; i < sizeof(binary); i++)
		binary[i] = (char)((i * 131 + 7) % 256);
	assert_unreadable(binary, sizeof(binary), 400, "invalid_csv", NULL, NULL);
	assert_unreadable(LIT("email\na@exa\0mple.com\n"), 400, "invalid_csv", "line 2", "UTF-8");
	huge = malloc(200000);
	n = (size_t)sprintf(huge, "email,name\na@example.com,\"");
	memset(huge + n, 'x', 150000);
	n += 150000;
	n += (size_t)sprintf(huge + n, "\"\n");
	assert_unreadable(huge, n, 400, "invalid_csv", "line 2", "longer than 4096 bytes");
	free(huge);
	assert_unreadable("", 0, 400, "validation_failed", NULL, "empty");
	assert_unreadable(BOM, 3, 400, "invalid_csv", "line 1", "empty");
	/* Too many rows: refused, nothing applied. */
	many = malloc(20002 * 24 + 16);
	n = (size_t)sprintf(many, "email\n");
	for (int i = 0; i < 20001; i++)
		n += (size_t)sprintf(many + n, "m%d@example.com\n", i);
	assert_unreadable(many, n, 413, "too_many_rows", "line 20002", "too many rows");
	free(many);
	/* Not CSV at all. */
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments/bulk", sec);
	post_raw(&gist_admin, path, "application/json", "{}", 2, &r);
	assert_int_equal(r.status, 415);
	http_result_release(&r);
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments/bulk?apply=yes", sec);
	post_raw(&gist_admin, path, NULL, "email\n", 6, &r);
	assert_int_equal(r.status, 400);
	assert_contains(r.body, "apply");
	http_result_release(&r);
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments/bulk?aply=1", sec);
	post_raw(&gist_admin, path, NULL, "email\n", 6, &r);
	assert_int_equal(r.status, 400);
	assert_contains(r.body, "aply");
	http_result_release(&r);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments"), before);
}

static void bulk_body_bounds(void **state)
{
	char req[1024], out[4096];
	int n;

	(void)state;
	/* Announced too large: 413 before a byte of it is read. */
	n = snprintf(req, sizeof(req),
		     "POST /api/v1/sections/%lld/enrollments/bulk HTTP/1.1\r\nHost: localhost\r\n"
		     "Cookie: %s\r\nX-CSRF-Token: %s\r\nContent-Type: text/csv\r\n"
		     "Content-Length: 9000000\r\n\r\nemail\n",
		     section("B-OPEN", "2032-2"), gist_admin.cookie, gist_admin.csrf);
	assert_true(harness_raw_tls(&server, req, (size_t)n, out, sizeof(out)) > 0);
	assert_int_equal(harness_raw_status(out), 413);
	/* A body that stops arriving is 400 or 408, never a 500. */
	n = snprintf(req, sizeof(req),
		     "POST /api/v1/sections/%lld/enrollments/bulk HTTP/1.1\r\nHost: localhost\r\n"
		     "Cookie: %s\r\nX-CSRF-Token: %s\r\nContent-Type: text/csv\r\n"
		     "Content-Length: 100\r\n\r\nemail\n",
		     section("B-OPEN", "2032-2"), gist_admin.cookie, gist_admin.csrf);
	if (harness_raw_tls(&server, req, (size_t)n, out, sizeof(out)) > 0) {
		int st = harness_raw_status(out);

		if (st != 400 && st != 408)
			fail_msg("a short body: %s", out);
	}
}

/* 10,000 rows: applied in one go, seats and waitlist in file order, and
 * the server's memory does not grow with the file. */
static void bulk_ten_thousand_rows_in_flat_memory(void **state)
{
	enum { N = 10000 };
	struct harness_actor *actors = calloc(N, sizeof(*actors));
	long long sec = section("B-OPEN", "2031-2");
	struct harness_rss_watch watch;
	char *csv = malloc(N * 40 + 64);
	long base_kb;
	size_t n;
	json_t *j;

	(void)state;
	assert_non_null(actors);
	assert_int_equal(harness_learners_create(conninfo, "tenk", "worker", N, actors), 0);
	n = (size_t)sprintf(csv, BOM "email,name\r\n");
	for (int i = 1; i <= N; i++)
		n += (size_t)sprintf(csv + n, "tenk%d@example.com,Learner %d\r\n", i, i);
	/* Warm up, then watch a dry run and the apply. */
	json_decref(UPLOAD(&gist_admin, section("B-OPEN", "2032-2"), false,
			   "email\nlearner@example.com\n", 200));
	base_kb = harness_rss_kb(server.pid);
	assert_int_equal(harness_rss_watch_start(&watch, server.pid, base_kb), 0);
	j = upload(&gist_admin, sec, false, csv, n, 200);
	assert_int_equal(summary(j, "enroll"), 100);
	assert_int_equal(summary(j, "waitlist"), N - 100);
	json_decref(j);
	j = upload(&gist_admin, sec, true, csv, n, 200);
	harness_rss_watch_stop(&watch);
	assert_int_equal(summary(j, "enroll"), 100);
	assert_int_equal(json_integer_value(json_object_get(row_at(j, N + 1), "waitlist_position")),
			 N - 100);
	json_decref(j);
	print_message("bulk: %d rows; server RSS %ld KiB before, peak %ld KiB (%ld samples)\n", N,
		base_kb, watch.peak_kb, watch.samples);
	/* The file is ~350 KB, its rows as JSON ~2 MB, and the answer twice
	 * that: holding them whole (with ASan's redzones) would show; the
	 * bound leaves room for the sanitizers' own bookkeeping. */
	if (watch.peak_kb - base_kb > 8 * 1024)
		fail_msg("server memory grew by %ld KiB", watch.peak_kb - base_kb);
	assert_int_equal(sql_ll("SELECT enrolled_count FROM sections WHERE id = %lld", sec), 100);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE section_id = %lld"
				" AND status = 'waitlisted'",
				sec),
			 N - 100);
	/* Waitlist order is the file's order. */
	assert_int_equal(sql_ll("SELECT count(*) FROM (SELECT u.email, row_number() OVER (ORDER BY"
				" e.waitlist_seq) AS pos FROM enrollments e JOIN users u ON u.id ="
				" e.user_id WHERE e.section_id = %lld AND e.status = 'waitlisted') w"
				" WHERE w.email <> 'tenk' || (w.pos + 100) || '@example.com'",
				sec),
			 0);
	free(csv);
	free(actors);
}

/* ---- a file applied while learners enrol themselves ---- */

struct self_shot {
	const struct harness_actor *a;
	long long sec;
	pthread_barrier_t *start;
	long status;
};

static void *self_enrol(void *arg)
{
	struct self_shot *s = arg;
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments", s->sec);
	pthread_barrier_wait(s->start);
	s->status = harness_status_as(&server, s->a, "POST", path, NULL);
	return NULL;
}

struct bulk_shot {
	long long sec;
	const char *csv;
	pthread_barrier_t *start;
	long status;
};

static void *bulk_apply(void *arg)
{
	struct bulk_shot *b = arg;
	struct http_result r;
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments/bulk?apply=1", b->sec);
	pthread_barrier_wait(b->start);
	post_raw(&gist_admin, path, NULL, b->csv, strlen(b->csv), &r);
	b->status = r.status;
	http_result_release(&r);
	return NULL;
}

static void bulk_apply_racing_self_enrolment_never_overfills(void **state)
{
	enum { SELF = 40, FILE_ROWS = 60, CAP = 50 };
	struct harness_actor self[SELF], *listed = calloc(FILE_ROWS, sizeof(*listed));
	long long sec = section("B-OPEN", "2032-1");
	struct self_shot shots[SELF];
	struct bulk_shot b;
	pthread_t threads[SELF + 1];
	pthread_barrier_t start;
	char *csv = malloc(FILE_ROWS * 40 + 16);
	size_t n;
	int ok = 0;

	(void)state;
	assert_int_equal(harness_learners_create(conninfo, "race-self", "worker", SELF, self), 0);
	assert_int_equal(harness_learners_create(conninfo, "race-file", "worker", FILE_ROWS, listed),
			 0);
	n = (size_t)sprintf(csv, "email\n");
	for (int i = 1; i <= FILE_ROWS; i++)
		n += (size_t)sprintf(csv + n, "race-file%d@example.com\n", i);
	assert_int_equal(pthread_barrier_init(&start, NULL, SELF + 2), 0);
	b = (struct bulk_shot){.sec = sec, .csv = csv, .start = &start};
	assert_int_equal(pthread_create(&threads[SELF], NULL, bulk_apply, &b), 0);
	for (int i = 0; i < SELF; i++) {
		shots[i] = (struct self_shot){.a = &self[i], .sec = sec, .start = &start};
		assert_int_equal(pthread_create(&threads[i], NULL, self_enrol, &shots[i]), 0);
	}
	pthread_barrier_wait(&start);
	for (int i = 0; i <= SELF; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&start);
	assert_int_equal(b.status, 200);
	for (int i = 0; i < SELF; i++)
		ok += shots[i].status == 201;
	assert_int_equal(ok, SELF);
	/* Exact seats, whoever came first, and nobody twice. */
	assert_int_equal(sql_ll("SELECT enrolled_count FROM sections WHERE id = %lld", sec), CAP);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE section_id = %lld"
				" AND status = 'enrolled'",
				sec),
			 CAP);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE section_id = %lld", sec),
			 SELF + FILE_ROWS);
	/* The file's learners keep the file's order in the line. */
	assert_int_equal(sql_ll("SELECT count(*) FROM (SELECT u.email, e.waitlist_seq, lag(u.email)"
				" OVER (ORDER BY e.waitlist_seq) AS prev FROM enrollments e JOIN users u"
				" ON u.id = e.user_id WHERE e.section_id = %lld AND e.status ="
				" 'waitlisted' AND u.email LIKE 'race-file%%') w WHERE prev IS NOT NULL"
				" AND split_part(substring(email from 10), '@', 1)::int - 1 <>"
				" split_part(substring(prev from 10), '@', 1)::int",
				sec),
			 0);
	free(csv);
	free(listed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(on_behalf_enrols_waitlists_and_replays),
		cmocka_unit_test(on_behalf_idempotency_key_replays),
		cmocka_unit_test(on_behalf_rules_and_overrides),
		cmocka_unit_test(on_behalf_other_institution_is_refused),
		cmocka_unit_test(bulk_dry_run_then_apply_twice),
		cmocka_unit_test(bulk_refusals_are_self_enrolment_codes),
		cmocka_unit_test(bulk_other_institution_is_refused),
		cmocka_unit_test(bulk_bad_files),
		cmocka_unit_test(bulk_body_bounds),
		cmocka_unit_test(bulk_ten_thousand_rows_in_flat_memory),
		cmocka_unit_test(bulk_apply_racing_self_enrolment_never_overfills),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
