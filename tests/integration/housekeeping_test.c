/* housekeeping_test.c - rows past their retention deleted (by `lms
 * housekeeping` and by the server's job), what stays, throttling after a
 * run, and an erased applicant's documents */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define PASSWORD "demo-pass-2026"
#define USER_PASSWORD "housekeeping-pass-2026"
#define LEARNER_FIELDS "\"display_name\": \"지원자\", \"ladder_stage\": \"worker\""
#define ONE_STAGE                                                                        \
	"[{\"kind\": \"document_screening\", \"name_ko\": \"서류 심사\","                   \
	" \"name_en\": \"Documents\", \"rule\": \"pass_fail\"}]"

static struct lms_server server;
/* A server whose job runs every second (test_server_job). */
static struct lms_server job;
static char conninfo[1024];
static struct harness_actor gist;
static long long gist_id, course_id, user_id;
static char out[8192];

static long long sql_ll(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long sql_ll(const char *fmt, ...)
{
	char sql[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return harness_sql_ll(conninfo, sql);
}

static void sql_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sql_ok(const char *fmt, ...)
{
	char sql[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (harness_sql(conninfo, sql) != 0)
		fail_msg("failed: %s", sql);
}

/* `lms housekeeping` against the test database; its output in out. */
static int housekeeping(void)
{
	char env_db[1200], env_mig[600];
	const char *env[] = {env_db, env_mig, NULL};
	const char *argv[] = {"housekeeping", NULL};

	snprintf(env_db, sizeof(env_db), "LMS_DATABASE_URL=%s", conninfo);
	snprintf(env_mig, sizeof(env_mig), "LMS_MIGRATIONS_DIR=%s/migrations", harness_source_dir());
	int rc = harness_lms_run(argv, env, out, sizeof(out));

	if (rc != 0)
		fprintf(stderr, "lms housekeeping: %d\n%s\n", rc, out);
	return rc;
}

/* The count printed for table by the last run. */
static long long deleted(const char *table)
{
	char key[64];
	const char *at;

	snprintf(key, sizeof(key), "\n%s ", table);
	if (!strncmp(out, key + 1, strlen(key + 1)))
		at = out + strlen(key + 1);
	else if ((at = strstr(out, key)))
		at += strlen(key);
	else
		fail_msg("no count for %s in:\n%s", table, out);
	return atoll(at);
}

static int setup(void **state)
{
	(void)state;
	if (harness_db_create("housekeeping", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	gist_id = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	user_id = sql_ll("SELECT id FROM users WHERE email = 'learner@example.com'");
	course_id = harness_course_create(conninfo, &(struct harness_course){
							    .institution = gist_id,
							    .code = "HK-101",
							    .program = "ai_academy"});
	harness_login_ok(&server, "gist-admin@example.com", PASSWORD, &gist);
	return gist_id > 0 && user_id > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	int a = harness_server_stop(&server), b = job.pid > 0 ? harness_server_stop(&job) : 0;

	(void)state;
	return a == 0 && b == 0 ? 0 : -1;
}

/* Rows of every table, some past their retention and some not (all
 * marked "hk" to be told from the rest); returns nothing, fails on error. */
static void rows_make(void)
{
	long long ended, running;

	ended = harness_section_create(conninfo, &(struct harness_section){
							 .course = course_id,
							 .term = "2025-1",
							 .starts_on = "2025-03-02",
							 .ends_on = "2025-06-30",
							 .opens_at = "2025-01-01",
							 .closes_at = "2025-03-01"});
	running = harness_section_create(conninfo, &(struct harness_section){
							   .course = course_id,
							   .term = "2030-1",
							   .starts_on = "2030-03-02",
							   .ends_on = "2030-06-30",
							   .opens_at = "2026-01-01",
							   .closes_at = "2030-03-01"});
	sql_ok("INSERT INTO login_attempts (email, remote_addr, at, succeeded, busy_until) VALUES"
	       " ('hk-old@example.com', '192.0.2.1', now() - interval '16 minutes', false, NULL),"
	       " ('hk-old@example.com', '192.0.2.1', now() - interval '1 day', true, NULL),"
	       " ('hk-old@example.com', '192.0.2.1', now() - interval '400 days', false, NULL),"
	       " ('hk-new@example.com', '192.0.2.1', now() - interval '14 minutes', false, NULL),"
	       " ('hk-busy@example.com', '192.0.2.1', now() - interval '16 minutes', false,"
	       "  now() + interval '1 minute')");
	sql_ok("INSERT INTO registration_attempts (remote_addr, at) VALUES"
	       " ('192.0.2.2', now() - interval '61 minutes'),"
	       " ('192.0.2.2', now() - interval '30 days'),"
	       " ('192.0.2.2', now() - interval '59 minutes')");
	sql_ok("INSERT INTO certificate_lookups (remote_addr, at) VALUES"
	       " ('192.0.2.3', now() - interval '2 minutes'),"
	       " ('192.0.2.3', now() - interval '10 seconds')");
	sql_ok("INSERT INTO mail_requests (scope, key, at) VALUES"
	       " ('reset email', 'hk-old@example.com', now() - interval '2 hours'),"
	       " ('reset email', 'hk-new@example.com', now() - interval '10 minutes')");
	/* Sessions: past their lifetime, idle past the idle timeout (30 min),
	 * and live. */
	sql_ok("INSERT INTO auth_sessions (token_hash, user_id, created_at, last_seen_at,"
	       " expires_at, user_agent) VALUES"
	       " (sha256('hk-expired'), %lld, now() - interval '2 days', now() - interval '1 minute',"
	       "  now() - interval '1 second', 'hk'),"
	       " (sha256('hk-idle'), %lld, now() - interval '3 hours',"
	       "  now() - interval '31 minutes', now() + interval '1 hour', 'hk'),"
	       " (sha256('hk-live'), %lld, now() - interval '3 hours', now() - interval '1 minute',"
	       "  now() + interval '1 hour', 'hk')",
	       user_id, user_id, user_id);
	sql_ok("INSERT INTO mail_tokens (purpose, user_id, email, digest, created_at, expires_at,"
	       " used_at) VALUES"
	       " ('password_reset', %lld, 'hk@example.com', encode(sha256('hk-used'), 'hex'),"
	       "  now() - interval '10 minutes', now() + interval '20 minutes', now()),"
	       " ('password_reset', %lld, 'hk@example.com', encode(sha256('hk-expired'), 'hex'),"
	       "  now() - interval '1 hour', now() - interval '30 minutes', NULL),"
	       " ('email_verify', %lld, 'hk@example.com', encode(sha256('hk-live'), 'hex'),"
	       "  now() - interval '1 hour', now() + interval '1 hour', NULL)",
	       user_id, user_id, user_id);
	/* Answered two days ago; still running since then (never touched);
	 * answered an hour ago. */
	sql_ok("INSERT INTO idempotency_keys (user_id, scope, key, status, body, created_at) VALUES"
	       " (%lld, 'hk', 'old', 201, '{}', now() - interval '2 days'),"
	       " (%lld, 'hk', 'running', NULL, NULL, now() - interval '2 days'),"
	       " (%lld, 'hk', 'new', 201, '{}', now() - interval '1 hour')",
	       user_id, user_id, user_id);
	sql_ok("INSERT INTO enrollment_invitations (section_id, email, display_name) VALUES"
	       " (%lld, 'hk-ended@example.com', 'hk'), (%lld, 'hk-running@example.com', 'hk')",
	       ended, running);
	/* The audit trail stays, however old. */
	sql_ok("INSERT INTO audit_log (at, action, detail) VALUES"
	       " (now() - interval '10 years', 'hk.old', '{}')");
}

/* What is past its retention goes, in every table; what is inside its
 * window, in flight, still running or kept for good stays. */
static void test_prune(void **state)
{
	long long audit;

	(void)state;
	rows_make();
	audit = sql_ll("SELECT count(*) FROM audit_log");
	assert_int_equal(housekeeping(), 0);
	assert_int_equal(deleted("login_attempts"), 3);
	assert_int_equal(deleted("registration_attempts"), 2);
	assert_int_equal(deleted("certificate_lookups"), 1);
	assert_int_equal(deleted("mail_requests"), 1);
	assert_int_equal(deleted("auth_sessions"), 2);
	assert_int_equal(deleted("mail_tokens"), 2);
	assert_int_equal(deleted("idempotency_keys"), 1);
	assert_int_equal(deleted("enrollment_invitations"), 1);

	assert_int_equal(sql_ll("SELECT count(*) FROM login_attempts WHERE email LIKE 'hk-%%'"), 2);
	assert_int_equal(sql_ll("SELECT count(*) FROM login_attempts WHERE email IN"
				" ('hk-new@example.com', 'hk-busy@example.com')"),
			 2);
	assert_int_equal(sql_ll("SELECT count(*) FROM registration_attempts"
				" WHERE remote_addr = '192.0.2.2'"),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM certificate_lookups"
				" WHERE remote_addr = '192.0.2.3'"),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM mail_requests WHERE key ="
				" 'hk-new@example.com'"),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM auth_sessions WHERE user_agent = 'hk'"), 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM auth_sessions WHERE"
				" token_hash = sha256('hk-live')"),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM mail_tokens WHERE"
				" digest = encode(sha256('hk-live'), 'hex')"),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM idempotency_keys WHERE scope = 'hk'"
				" AND key IN ('running', 'new')"),
			 2);
	assert_int_equal(sql_ll("SELECT count(*) FROM idempotency_keys WHERE scope = 'hk'"), 2);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollment_invitations WHERE"
				" email = 'hk-running@example.com'"),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollment_invitations WHERE"
				" display_name = 'hk'"),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log"), audit);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'hk.old'"), 1);
	/* The signed-in admin's session is live and still works. */
	assert_int_equal(harness_status_as(&server, &gist, "GET", "/api/v1/me", NULL), 200);

	/* Nothing more is due. */
	assert_int_equal(housekeeping(), 0);
	assert_int_equal(deleted("login_attempts"), 0);
	assert_int_equal(deleted("auth_sessions"), 0);
	assert_int_equal(deleted("idempotency_keys"), 0);
}

/* A backlog larger than a batch (1000 rows per table and transaction) goes
 * whole, in several transactions. */
static void test_backlog(void **state)
{
	(void)state;
	sql_ok("INSERT INTO login_attempts (email, remote_addr, at)"
	       " SELECT 'hk-backlog@example.com', '192.0.2.9', now() - interval '1 day'"
	       " FROM generate_series(1, 2500)");
	assert_int_equal(housekeeping(), 0);
	assert_int_equal(deleted("login_attempts"), 2500);
	assert_int_equal(sql_ll("SELECT count(*) FROM login_attempts"
				" WHERE email = 'hk-backlog@example.com'"),
			 0);
}

static long login_status(const char *email, const char *password)
{
	char body[256];
	struct http_result r = {0};
	long status;

	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/login", body, &r), 0);
	status = r.status;
	http_result_release(&r);
	return status;
}

/* Sign-in throttling holds across a run: the failures inside the window
 * stay and still lock; once they are out of it they go, and the right
 * password works. */
static void test_throttle_after_run(void **state)
{
	(void)state;
	sql_ok("DELETE FROM login_attempts WHERE email = 'instructor@example.com'");
	for (int i = 0; i < 5; i++)
		assert_int_equal(login_status("instructor@example.com", "not-the-password"), 401);
	assert_int_equal(login_status("instructor@example.com", PASSWORD), 429);
	assert_int_equal(housekeeping(), 0);
	assert_int_equal(deleted("login_attempts"), 0);
	assert_int_equal(login_status("instructor@example.com", PASSWORD), 429);

	sql_ok("UPDATE login_attempts SET at = at - interval '15 minutes 1 second'"
	       " WHERE email = 'instructor@example.com'");
	assert_int_equal(housekeeping(), 0);
	assert_true(deleted("login_attempts") >= 5);
	assert_int_equal(sql_ll("SELECT count(*) FROM login_attempts"
				" WHERE email = 'instructor@example.com'"),
			 0);
	assert_int_equal(login_status("instructor@example.com", PASSWORD), 200);
}

/* The server runs the job itself, at start and every interval, logs what
 * it deleted and counts it in /metrics. */
static void test_server_job(void **state)
{
	static const char *const env[] = {"LMS_HOUSEKEEPING_INTERVAL_S=1", NULL};
	struct harness_actor admin;
	struct http_result r = {0};
	char *log = NULL;
	size_t len = 0;
	FILE *f;
	long long left = -1;

	(void)state;
	sql_ok("INSERT INTO login_attempts (email, remote_addr, at)"
	       " SELECT 'hk-job@example.com', '192.0.2.10', now() - interval '1 day'"
	       " FROM generate_series(1, 7)");
	assert_int_equal(harness_server_start(&job, conninfo, (const char *const *)env), 0);
	for (int i = 0; i < 300 && left != 0; i++) {
		left = sql_ll("SELECT count(*) FROM login_attempts WHERE email = 'hk-job@example.com'");
		if (left)
			usleep(100 * 1000);
	}
	assert_int_equal(left, 0);
	/* And again an interval later. */
	sql_ok("INSERT INTO login_attempts (email, remote_addr, at)"
	       " VALUES ('hk-job@example.com', '192.0.2.10', now() - interval '1 day')");
	left = -1;
	for (int i = 0; i < 300 && left != 0; i++) {
		left = sql_ll("SELECT count(*) FROM login_attempts WHERE email = 'hk-job@example.com'");
		if (left)
			usleep(100 * 1000);
	}
	assert_int_equal(left, 0);
	harness_login_ok(&job, "admin@example.com", PASSWORD, &admin);
	assert_int_equal(harness_as(&job, &admin, "GET", "/metrics", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_contains(r.body, "lms_housekeeping_deleted_total{table=\"login_attempts\"} ");
	assert_contains(r.body, "lms_housekeeping_runs_total ");
	assert_contains(r.body, "lms_mail_sent_total ");
	http_result_release(&r);
	f = fopen(job.log_path, "r");
	assert_non_null(f);
	log = calloc(1, 1 << 20);
	assert_non_null(log);
	len = fread(log, 1, (1 << 20) - 1, f);
	fclose(f);
	log[len] = '\0';
	assert_contains(log, "housekeeping: ");
	assert_contains(log, "login_attempts 7");
	free(log);
	assert_int_equal(harness_server_stop(&job), 0);
	job.pid = 0;
}

static long upload(const struct harness_actor *a, long long app, const char *body)
{
	char cookie[300], csrf[96], path[128];
	const char *headers[] = {cookie, csrf, "Content-Type: application/pdf", NULL};
	struct http_result r = {0};
	long status;

	snprintf(cookie, sizeof(cookie), "Cookie: %s", a->cookie);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", a->csrf);
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/documents?filename=cv.pdf", app);
	assert_int_equal(harness_request_once(&server, "POST", path, headers, body, &r), 0);
	status = r.status;
	http_result_release(&r);
	return status;
}

static long long intake_new(int capacity)
{
	char body[2048];
	long long section = harness_section_create(
		conninfo, &(struct harness_section){.course = course_id,
						    .capacity = capacity,
						    .term = "2027-1",
						    .starts_on = "2027-03-02",
						    .ends_on = "2027-06-30",
						    .opens_at = "2026-01-01",
						    .closes_at = "2027-03-01"});
	json_t *j;
	long long id;

	snprintf(body, sizeof(body),
		 "{\"section_id\": %lld, \"title_ko\": \"선발 %lld\", \"title_en\": \"Intake %lld\","
		 " \"opens_at\": \"2026-01-01T00:00:00+09:00\","
		 " \"closes_at\": \"2030-01-01T00:00:00+09:00\", \"stages\": " ONE_STAGE "}",
		 section, section, section);
	j = harness_json_as(&server, &gist, "POST", "/api/v1/intakes", body, 201);
	id = harness_json_ll(j, "id");
	json_decref(j);
	return id;
}

static long long apply(const struct harness_actor *a, long long intake)
{
	char path[96];
	json_t *j;
	long long id;

	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/applications", intake);
	j = harness_json_as(&server, a, "POST", path, "{\"statement\": \"제 이야기입니다\"}", 201);
	id = harness_json_ll(j, "id");
	json_decref(j);
	return id;
}

static void pass(long long intake, long long app)
{
	char path[96], body[128];

	snprintf(path, sizeof(path), "/api/v1/applications/%lld/results", app);
	snprintf(body, sizeof(body), "{\"stage_id\": %lld, \"decision\": \"pass\"}",
		 sql_ll("SELECT id FROM intake_stages WHERE intake_id = %lld", intake));
	json_decref(harness_json_as(&server, &gist, "POST", path, body, 200));
}

/* An applicant who erases the account: the documents and their bytes go
 * (a file another applicant sent too stays), the statement goes; the
 * offer held is declined and offered to the next in line, an application
 * under review is withdrawn; the results and the history stay. */
static void test_erase_applicant(void **state)
{
	struct harness_actor leaver, next;
	long long intake = intake_new(1), other = intake_new(5), a, b, a2, uid;
	char path[96];

	(void)state;
	harness_register_ok(&server, "hk-leaver@example.kr", USER_PASSWORD, LEARNER_FIELDS,
			    &leaver);
	harness_register_ok(&server, "hk-next@example.kr", USER_PASSWORD, LEARNER_FIELDS, &next);
	uid = leaver.user_id;
	a = apply(&leaver, intake);
	b = apply(&next, intake);
	a2 = apply(&leaver, other);
	assert_int_equal(upload(&leaver, a, "%PDF-1.4 the leaver's own CV"), 201);
	assert_int_equal(upload(&leaver, a, "%PDF-1.4 a form everyone sends"), 201);
	assert_int_equal(upload(&next, b, "%PDF-1.4 a form everyone sends"), 201);
	assert_int_equal(upload(&leaver, a2, "%PDF-1.4 the leaver's plan"), 201);
	pass(intake, a);
	pass(intake, b);
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/offers", intake);
	json_decref(harness_json_as(&server, &gist, "POST", path, NULL, 200));
	assert_int_equal(sql_ll("SELECT count(*) FROM applications WHERE id = %lld"
				" AND status = 'offered'",
				a),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM applications WHERE id = %lld"
				" AND status = 'passed'",
				b),
			 1);
	assert_true(sql_ll("SELECT count(*) FROM mail_tokens WHERE user_id = %lld", uid) >= 1);
	/* What else the erase used to leave: the profile an invitation to teach
	 * carried, the notice of an e-mail change sent to the former address,
	 * the mail-request counts under the address. */
	sql_ok("INSERT INTO instructor_invitations (user_id, institution_id, profile, status,"
	       " decided_at) VALUES (%lld, %lld, '{\"bio_ko\": \"제 경력\"}', 'declined', now())",
	       uid, gist_id);
	sql_ok("WITH e AS (INSERT INTO email_changes (user_id, new_email, token_hash, expires_at,"
	       " used_at) VALUES (%lld, 'hk-leaver@example.kr', sha256('hk-change'),"
	       " now() + interval '1 hour', now()) RETURNING id)"
	       " INSERT INTO outbox (kind, to_address, locale, params, dedup_key)"
	       " SELECT 'email_change.done', 'hk-former@example.kr', 'ko', '{}',"
	       " 'email_change.done:' || id FROM e",
	       uid);
	sql_ok("INSERT INTO mail_requests (scope, key) VALUES ('reset email', 'hk-leaver@example.kr'),"
	       " ('mail account', '%lld')",
	       uid);

	json_decref(harness_json_as(&server, &leaver, "DELETE", "/api/v1/me",
				    "{\"password\": \"" USER_PASSWORD "\"}", 204));

	/* The documents and their bytes, but not the file someone else holds. */
	assert_int_equal(sql_ll("SELECT count(*) FROM application_documents d JOIN applications x"
				" ON x.id = d.application_id WHERE x.user_id = %lld",
				uid),
			 0);
	assert_int_equal(sql_ll("SELECT count(*) FROM blobs WHERE sha256 IN"
				" (encode(sha256('%%PDF-1.4 the leaver''s own CV'), 'hex'),"
				" encode(sha256('%%PDF-1.4 the leaver''s plan'), 'hex'))"),
			 0);
	assert_int_equal(sql_ll("SELECT count(*) FROM blobs WHERE sha256 ="
				" encode(sha256('%%PDF-1.4 a form everyone sends'), 'hex')"),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM application_documents"
				" WHERE application_id = %lld",
				b),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM applications WHERE user_id = %lld"
				" AND statement IS NOT NULL",
				uid),
			 0);
	/* The offer declined and made to the next; the other withdrawn. */
	assert_int_equal(sql_ll("SELECT count(*) FROM applications WHERE id = %lld"
				" AND status = 'declined'",
				a),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM applications WHERE id = %lld"
				" AND status = 'offered'",
				b),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM applications WHERE id = %lld"
				" AND status = 'withdrawn'",
				a2),
			 1);
	assert_int_equal(sql_ll("SELECT s.offered_count FROM sections s JOIN intakes i"
				" ON i.section_id = s.id WHERE i.id = %lld",
				intake),
			 1);
	/* Results, history and audit stay, naming the pseudonymous account. */
	assert_int_equal(sql_ll("SELECT count(*) FROM application_results"
				" WHERE application_id = %lld AND decision = 'pass'",
				a),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM application_events WHERE application_id ="
				" %lld AND to_status = 'declined' AND reason = 'account deleted'",
				a),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM application_events WHERE application_id ="
				" %lld",
				a),
			 4);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE actor_user_id = %lld AND"
				" ((action = 'application.decline' AND target_id = %lld) OR"
				" (action = 'application.withdraw' AND target_id = %lld))"
				" AND detail->>'reason' = 'account deleted'",
				uid, a, a2),
			 2);
	/* The links mailed to the account go with it, and the rest. */
	assert_int_equal(sql_ll("SELECT count(*) FROM mail_tokens WHERE user_id = %lld", uid), 0);
	assert_int_equal(sql_ll("SELECT count(*) FROM instructor_invitations WHERE user_id = %lld"
				" AND profile = '{}' AND status = 'declined'",
				uid),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox WHERE to_address LIKE 'hk-former%%'"),
			 0);
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox WHERE to_address ="
				" 'deleted-%lld@deleted.invalid' AND kind = 'email_change.done'",
				uid),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM mail_requests WHERE key IN"
				" ('hk-leaver@example.kr', '%lld')",
				uid),
			 0);
	assert_int_equal(sql_ll("SELECT count(*) FROM users WHERE id = %lld AND deleted_at IS NOT"
				" NULL AND email LIKE 'deleted-%%@deleted.invalid'",
				uid),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_backlog),
		cmocka_unit_test(test_throttle_after_run),
		cmocka_unit_test(test_server_job),
		cmocka_unit_test(test_erase_applicant),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
