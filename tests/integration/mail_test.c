/* mail_test.c - mail that really goes out: a real SMTP server (aiosmtpd, with
 * STARTTLS and AUTH) receives what the worker sends, and the links in it work */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define PASSWORD "mail-test-pass-2026"
#define NEW_PASSWORD "reset-by-mail-2026"
#define SMTP_USER "mailer"
#define SMTP_PASSWORD "smtp-secret-2026"
#define WAIT_S 60

static char conninfo[1024];
static char work[64];          /* the sink's certificate, password file, inbox */
static char inbox[128];
static char cert[160], key[160], pwfile[160];
static int smtp_port;
static pid_t sink = -1;
static struct lms_server server, second;
static struct harness_actor admin;

static const char *python(void)
{
	const char *p = getenv("LMS_TEST_PYTHON");

	return p && *p ? p : "/usr/bin/python3";
}

/* Starts the SMTP sink on smtp_port and waits until it says "ready". */
static int sink_start(void)
{
	char script[PATH_MAX], port[16], auth[64], line[64] = "";
	int out[2];
	FILE *f;

	snprintf(script, sizeof(script), "%s/tests/support/smtp_sink.py", harness_source_dir());
	snprintf(port, sizeof(port), "%d", smtp_port);
	snprintf(auth, sizeof(auth), "%s:%s", SMTP_USER, SMTP_PASSWORD);
	if (pipe(out) != 0)
		return -1;
	if ((sink = fork()) == 0) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execl(python(), python(), script, "--port", port, "--dir", inbox, "--tls", cert, key,
		      "--auth", auth, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	f = fdopen(out[0], "r");
	if (!f || !fgets(line, sizeof(line), f) || strncmp(line, "ready", 5)) {
		fprintf(stderr, "mail_test: the SMTP sink did not start (%s)\n", python());
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static void sink_stop(void)
{
	if (sink > 0) {
		kill(sink, SIGTERM);
		waitpid(sink, NULL, 0);
	}
	sink = -1;
}

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int setup(void **state)
{
	char cmd[1024], url[64], ca[200], pw[200];
	const char *env[] = {url,
			     "LMS_SMTP_USERNAME=" SMTP_USER,
			     pw,
			     ca,
			     "LMS_MAIL_RETRY_BASE_S=1",
			     "LMS_MAIL_RETRY_MAX_S=2",
			     "LMS_MAIL_MAX_ATTEMPTS=30",
			     "LMS_MAIL_POLL_MS=500",
			     "LMS_SMTP_TIMEOUT_S=10",
			     NULL};
	FILE *f;

	snprintf(work, sizeof(work), "/tmp/lms-mail-XXXXXX");
	if (!mkdtemp(work))
		return -1;
	snprintf(inbox, sizeof(inbox), "%s/inbox", work);
	snprintf(cert, sizeof(cert), "%s/cert.pem", work);
	snprintf(key, sizeof(key), "%s/key.pem", work);
	snprintf(pwfile, sizeof(pwfile), "%s/smtp-password", work);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
		 " -keyout %s -out %s -days 2 -subj /CN=localhost"
		 " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null",
		 key, cert);
	if (mkdir(inbox, 0755) != 0 || run(cmd) != 0 || !(f = fopen(pwfile, "w")))
		return -1;
	fputs(SMTP_PASSWORD "\n", f);
	fclose(f);
	if ((smtp_port = harness_free_port()) < 0 || sink_start() != 0)
		return -1;
	snprintf(url, sizeof(url), "LMS_SMTP_URL=smtp://127.0.0.1:%d", smtp_port);
	snprintf(ca, sizeof(ca), "LMS_SMTP_CA_FILE=%s", cert);
	snprintf(pw, sizeof(pw), "LMS_SMTP_PASSWORD_FILE=%s", pwfile);
	if (harness_db_create("mail", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, env) != 0 ||
	    harness_server_start(&second, conninfo, env) != 0 ||
	    harness_login(&server, "admin@example.com", "demo-pass-2026", &admin) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	int a = harness_server_stop(&server), b = harness_server_stop(&second);
	char cmd[200];

	sink_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
	run(cmd);
	return a == 0 && b == 0 ? 0 : -1;
}

/* ---- reading what arrived ---- */

struct received {
	char *raw;       /* the bytes as received */
	json_t *msg;     /* as mail_read.py (Python's email package) reads it */
	const char *subject, *to, *text, *html; /* decoded; borrowed from msg */
	bool tls, authenticated, dated, identified;
};

static void received_release(struct received *r)
{
	free(r->raw);
	json_decref(r->msg);
	memset(r, 0, sizeof(*r));
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int c;

	if (!f)
		return NULL;
	out = open_memstream(&buf, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, out);
	fclose(out);
	fclose(f);
	return buf;
}

/* Fills r from msg (stolen), what a reader made of the message. */
static void received_fill(struct received *r, json_t *msg)
{
	r->msg = msg;
	r->subject = json_string_value(json_object_get(msg, "subject"));
	r->to = json_string_value(json_object_get(msg, "to"));
	r->text = json_string_value(json_object_get(msg, "text"));
	r->html = json_string_value(json_object_get(msg, "html"));
	r->dated = json_is_string(json_object_get(msg, "date"));
	r->identified = json_is_string(json_object_get(msg, "message_id"));
	assert_int_equal(json_integer_value(json_object_get(msg, "defects")), 0);
	assert_string_equal(json_string_value(json_object_get(msg, "content_type")),
			    "multipart/alternative");
}

/* Reads the message file at path with tests/support/mail_read.py. */
static bool parse(const char *path, struct received *r)
{
	char cmd[PATH_MAX * 2], out[65536];
	size_t n;
	FILE *p;
	json_t *msg;

	snprintf(cmd, sizeof(cmd), "%s %s/tests/support/mail_read.py %s", python(),
		 harness_source_dir(), path);
	if (!(p = popen(cmd, "r")))
		return false;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	if (pclose(p) != 0 || !(msg = json_loads(out, 0, NULL)))
		return false;
	r->raw = slurp(path);
	received_fill(r, msg);
	return r->raw != NULL;
}

/* Whether message n went to `to`; when it did and r is not NULL, fills r. */
static bool envelope_to(int n, const char *to, struct received *r)
{
	char path[PATH_MAX], needle[300];
	json_t *meta = NULL, *rcpt;
	bool yes = false;
	size_t i;

	snprintf(path, sizeof(path), "%s/%d.json", inbox, n);
	if (!(meta = json_load_file(path, 0, NULL)))
		return false;
	snprintf(needle, sizeof(needle), "%s", to);
	json_array_foreach(json_object_get(meta, "rcpt_tos"), i, rcpt)
		yes |= !strcmp(json_string_value(rcpt), needle);
	if (yes && r) {
		memset(r, 0, sizeof(*r));
		r->tls = json_is_true(json_object_get(meta, "tls"));
		r->authenticated = json_is_true(json_object_get(meta, "authenticated"));
		snprintf(path, sizeof(path), "%s/%d.eml", inbox, n);
		r->raw = slurp(path);
		received_fill(r, json_incref(json_object_get(meta, "message")));
	}
	json_decref(meta);
	return yes;
}

/* How many messages the sink received. */
static int inbox_count(void)
{
	DIR *d = opendir(inbox);
	struct dirent *e;
	int n = 0;
	size_t len;

	while (d && (e = readdir(d)))
		if ((len = strlen(e->d_name)) > 5 && !strcmp(e->d_name + len - 5, ".json"))
			n++;
	if (d)
		closedir(d);
	return n;
}

/* How many received messages went to to. */
static int count_to(const char *to)
{
	int n = 0, all = inbox_count();

	for (int i = 1; i <= all; i++)
		n += envelope_to(i, to, NULL);
	return n;
}

/* Waits until `to` has received nth messages, then reads the newest; fails
 * the test after WAIT_S seconds. */
static void mail_to(const char *to, int nth, struct received *r)
{
	double until = harness_now() + WAIT_S;

	memset(r, 0, sizeof(*r));
	while (harness_now() < until) {
		if (count_to(to) >= nth) {
			for (int i = inbox_count(); i >= 1; i--)
				if (envelope_to(i, to, r))
					return;
		}
		usleep(100 * 1000);
	}
	fail_msg("no mail %d to %s within %d s", nth, to, WAIT_S);
}

/* The reset or verification token of the link in text (static buffer). */
static const char *token_in(const char *text)
{
	static char token[64];
	const char *t = text ? strstr(text, "token=") : NULL;
	size_t n;

	assert_non_null(t);
	t += 6;
	n = strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
	assert_true(n >= 40 && n < sizeof(token));
	memcpy(token, t, n);
	token[n] = '\0';
	return token;
}

/* The number a query written as printf's fmt answers. */
static long long outbox_ll(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long outbox_ll(const char *fmt, ...)
{
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return harness_sql_ll(conninfo, sql);
}

/* Waits until the count of the query written as printf's fmt is want. */
static void until_count(long long want, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void until_count(long long want, const char *fmt, ...)
{
	double until = harness_now() + WAIT_S;
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	while (harness_now() < until) {
		if (harness_sql_ll(conninfo, sql) == want)
			return;
		usleep(100 * 1000);
	}
	fail_msg("waited %d s for %s to be %lld, it is %lld", WAIT_S, sql, want,
		 harness_sql_ll(conninfo, sql));
}

/* ---- the tests ---- */

/* Sign-up sends a verification mail over STARTTLS with AUTH, in Korean,
 * plain text and HTML; until its link is used the account may not enrol;
 * the link works once and its token does not stay in the outbox. */
static void registration_verifies_by_mail(void **state)
{
	const char *email = "new-learner@example.com";
	struct harness_actor a;
	struct received r;
	struct http_result res = {0};
	json_t *me;
	char body[384];
	long long section = harness_sql_llf(conninfo, "SELECT min(s.id) FROM sections s"
						       " WHERE s.status = 'open' AND %s",
					    "s.enrollment_closes_at > now()");

	snprintf(body, sizeof(body),
		 "{\"email\": \"%s\", \"password\": \"" PASSWORD "\", \"display_name\": \"김메일\","
		 " \"ladder_stage\": \"worker\", " HARNESS_CONSENT "}",
		 email);
	assert_int_equal(harness_status_as(&server, NULL, "POST", "/api/v1/auth/register", body),
			 201);
	harness_login_ok(&server, email, PASSWORD, &a);
	me = harness_get_json(&server, &a, "/api/v1/me");
	assert_false(json_boolean_value(json_object_get(me, "email_verified")));
	json_decref(me);
	if (section > 0) {
		char path[96];

		snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments", section);
		harness_problem_as(&server, &a, "POST", path, "{}", 403, "email_unverified", NULL);
	}

	mail_to(email, 1, &r);
	assert_true(r.tls);
	assert_true(r.authenticated);
	assert_true(r.dated);
	assert_true(r.identified);
	assert_string_equal(r.to, email);
	/* The Korean subject travels as RFC 2047 encoded words and reads back. */
	assert_string_equal(r.subject, "[광주 AI 인재 플랫폼] 이메일 주소를 확인해 주세요");
	assert_non_null(strstr(r.raw, "Subject: =?"));
	assert_non_null(strstr(r.raw, "multipart/alternative"));
	assert_non_null(r.text);
	assert_non_null(r.html);
	assert_contains(r.text, "김메일 님");
	assert_contains(r.html, "<p>김메일 님");
	assert_contains(r.html, "<a href=\"https://localhost:");
	assert_contains(r.text, "/#/verify-email?token=");

	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token_in(r.text));
	json_decref(harness_json_as(&server, NULL, "POST", "/api/v1/auth/email/verify", body, 200));
	harness_problem_as(&server, NULL, "POST", "/api/v1/auth/email/verify", body, 400,
			   "token_invalid", NULL);
	me = harness_get_json(&server, &a, "/api/v1/me");
	assert_true(json_boolean_value(json_object_get(me, "email_verified")));
	json_decref(me);
	/* Verified: no more verification mail to ask for. */
	harness_problem_as(&server, &a, "POST", "/api/v1/me/email/verification", NULL, 409,
			   "already_verified", NULL);
	/* Sent, and the secret is gone from the row. */
	assert_int_equal(outbox_ll("SELECT count(*) FROM outbox WHERE to_address = '%s'"
				   " AND state = 'sent' AND NOT params ? 'token'",
				   email),
			 1);
	received_release(&r);
	http_result_release(&res);
}

/* A forgotten password: the same answer for an unknown address, a link
 * in the mail that resets the password once, every session ended. */
static void password_reset_by_mail(void **state)
{
	const char *email = "forgetful@example.com";
	struct harness_actor a, b;
	struct received r;
	char body[256];
	int before;

	harness_register_ok(&server, email, PASSWORD,
			    "\"display_name\": \"Forgetful\", \"ladder_stage\": \"worker\","
			    " \"locale\": \"en\"",
			    &a);
	harness_login_ok(&server, email, PASSWORD, &b);

	before = inbox_count();
	assert_int_equal(harness_status_as(&server, NULL, "POST", "/api/v1/auth/password/forgot",
					   "{\"email\": \"nobody-here@example.com\"}"),
			 202);
	assert_int_equal(harness_status_as(&server, NULL, "POST", "/api/v1/auth/password/forgot",
					   "{\"email\": \"FORGETFUL@example.com\"}"),
			 202);
	mail_to(email, 2, &r);
	assert_string_equal(r.subject, "[Gwangju AI Talent Platform] Resetting your password");
	assert_contains(r.text, "Hello Forgetful,");
	assert_contains(r.text, "30 minutes");
	assert_int_equal(count_to("nobody-here@example.com"), 0);
	assert_int_equal(outbox_ll("SELECT count(*) FROM outbox WHERE to_address = '%s'",
				   "nobody-here@example.com"),
			 0);
	assert_true(inbox_count() > before);

	/* The registration policy holds. */
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"new_password\": \"short\"}",
		 token_in(r.text));
	harness_problem_as(&server, NULL, "POST", "/api/v1/auth/password/reset", body, 400,
			   "validation_failed", "new_password");
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"new_password\": \"" NEW_PASSWORD "\"}",
		 token_in(r.text));
	assert_int_equal(harness_status_as(&server, NULL, "POST", "/api/v1/auth/password/reset",
					   body),
			 204);
	harness_problem_as(&server, NULL, "POST", "/api/v1/auth/password/reset", body, 400,
			   "token_invalid", NULL);
	/* Every session ended; the new password signs in, the old does not. */
	assert_int_equal(harness_status_as(&server, &a, "GET", "/api/v1/me", NULL), 401);
	assert_int_equal(harness_status_as(&server, &b, "GET", "/api/v1/me", NULL), 401);
	assert_int_equal(harness_login(&server, email, PASSWORD, &a), 401);
	harness_login_ok(&server, email, NEW_PASSWORD, &a);
	assert_int_equal(harness_sql_llf(conninfo,
					 "SELECT count(*) FROM audit_log WHERE action = '%s'",
					 "user.password_reset"),
			 1);
	received_release(&r);
}

/* Reset requests are limited per address asked for, whether or not an
 * account has it. */
static void reset_requests_limited(void **state)
{
	const char *body = "{\"email\": \"limit@example.com\"}";

	for (int i = 0; i < 3; i++)
		assert_int_equal(harness_status_as(&server, NULL, "POST",
						   "/api/v1/auth/password/forgot", body),
				 202);
	harness_problem_as(&server, NULL, "POST", "/api/v1/auth/password/forgot", body, 429,
			   "too_many_requests", NULL);
	harness_problem_as(&server, NULL, "POST", "/api/v1/auth/password/forgot",
			   "{\"email\": 7}", 400, "validation_failed", "email");
	harness_problem_as(&server, NULL, "POST", "/api/v1/auth/password/reset",
			   "{\"token\": \"not-a-token\", \"new_password\": \"" NEW_PASSWORD "\"}",
			   400, "token_invalid", NULL);
}

/* A change rolled back sends nothing; the one committed after it does. */
static void rolled_back_sends_nothing(void **state)
{
	const char *email = "learner@example.com";

	assert_int_equal(
		harness_sql(conninfo,
			    "BEGIN; SELECT outbox_enqueue(id, 'auth.email_verify', '{\"token\":"
			    " \"rolledbackrolledbackrolledbackrolledback000\", \"name\": \"x\","
			    " \"hours\": 1}') FROM users WHERE email = 'learner@example.com';"
			    " ROLLBACK;"
			    " SELECT outbox_enqueue(id, 'auth.email_verify', '{\"token\":"
			    " \"committedcommittedcommittedcommittedcommitt\", \"name\": \"x\","
			    " \"hours\": 1}') FROM users WHERE email = 'learner@example.com'"),
		0);
	until_count(1, "SELECT count(*) FROM outbox WHERE to_address = '%s' AND state = 'sent'",
		    email);
	for (int i = 1, n = inbox_count(); i <= n; i++) {
		char path[PATH_MAX], *raw;

		snprintf(path, sizeof(path), "%s/%d.eml", inbox, i);
		raw = slurp(path);
		assert_non_null(raw);
		assert_null(strstr(raw, "rolledback"));
		free(raw);
	}
	assert_int_equal(count_to(email), 1);
}

/* lms_mail_retried_total of s's /metrics. */
static long long retried(struct lms_server *s)
{
	struct http_result m = {0};
	const char *at;
	long long n;

	harness_get_as(s, &admin, "/metrics", &m);
	assert_int_equal(m.status, 200);
	at = strstr(m.body, "\nlms_mail_retried_total ");
	assert_non_null(at);
	n = strtoll(at + strlen("\nlms_mail_retried_total "), NULL, 10);
	http_result_release(&m);
	return n;
}

/* The SMTP server is down: the message is retried with back-off, counted
 * in /metrics, and delivered once the server is back. */
static void smtp_down_then_back(void **state)
{
	const char *email = "instructor@example.com";
	struct http_result m = {0};
	struct received r;

	sink_stop();
	assert_int_equal(harness_sql(conninfo,
				     "SELECT outbox_enqueue(id, 'auth.email_verify', '{\"token\":"
				     " \"downdowndowndowndowndowndowndowndowndowndow\","
				     " \"name\": \"x\", \"hours\": 1}') FROM users"
				     " WHERE email = 'instructor@example.com'"),
			 0);
	until_count(1, "SELECT count(*) FROM outbox WHERE to_address = '%s' AND attempts >= 3"
		    " AND state = 'pending' AND last_error IS NOT NULL", email);
	/* Back-off: the next attempt waits, it does not spin. */
	assert_true(outbox_ll("SELECT max(attempts) FROM outbox WHERE to_address = '%s'", email) <
		    10);
	/* Either server may have made the attempts: the counters are each
	 * process's own, the gauges the outbox's. */
	assert_true(retried(&server) + retried(&second) >= 3);
	harness_get_as(&server, &admin, "/metrics", &m);
	assert_int_equal(m.status, 200);
	assert_null(strstr(m.body, "lms_mail_pending 0\n"));
	assert_contains(m.body, "lms_mail_oldest_pending_seconds ");
	http_result_release(&m);

	assert_int_equal(sink_start(), 0);
	until_count(1, "SELECT count(*) FROM outbox WHERE to_address = '%s' AND state = 'sent'",
		    email);
	mail_to(email, 1, &r);
	assert_contains(r.text, "downdowndown");
	received_release(&r);
	harness_get_as(&second, &admin, "/metrics", &m);
	assert_contains(m.body, "lms_mail_pending 0\n");
	http_result_release(&m);
}

/* Two servers on one database: every message is delivered exactly once. */
static void two_instances_deliver_once(void **state)
{
	int before = inbox_count();
	char to[64];

	assert_int_equal(harness_sql(conninfo,
				     "SELECT outbox_enqueue_address('many' || g || '@example.com', 'ko',"
				     " 'auth.email_verify', jsonb_build_object('token',"
				     " 'many' || g, 'name', '다수', 'hours', 1)) FROM"
				     " generate_series(1, 60) g"),
			 0);
	until_count(60, "SELECT count(*) FROM outbox WHERE to_address LIKE '%s' AND state = 'sent'",
		    "many%@example.com");
	assert_int_equal(inbox_count() - before, 60);
	for (int g = 1; g <= 60; g++) {
		snprintf(to, sizeof(to), "many%d@example.com", g);
		assert_int_equal(count_to(to), 1);
	}
}

/* A message that can never be made fails at once; platform admins see it
 * and may try it again; others may not. */
static void failed_visible_to_admins(void **state)
{
	struct harness_actor learner;
	json_t *list, *msg;
	char path[96];
	long long id;

	id = harness_sql_llf(conninfo,
			     "SELECT outbox_enqueue_address('broken@example.com', 'en',"
			     " 'auth.email_verify', '{\"name\": \"no token\"}', %s)",
			     "'broken-1'");
	until_count(1, "SELECT count(*) FROM outbox WHERE to_address = '%s' AND state = 'failed'",
		    "broken@example.com");
	list = harness_get_json(&server, &admin, "/api/v1/mail/failed");
	msg = json_array_get(json_object_get(list, "messages"), 0);
	assert_int_equal(harness_json_ll(msg, "id"), id);
	assert_contains(json_string_value(json_object_get(msg, "last_error")), "no value for {{");
	assert_null(json_object_get(msg, "params"));
	/* Its link is gone with its token: the list says a retry is refused. */
	assert_true(json_is_false(json_object_get(msg, "retryable")));
	json_decref(list);

	harness_login_ok(&server, "learner@example.com", "demo-pass-2026", &learner);
	assert_int_equal(harness_status_as(&server, &learner, "GET", "/api/v1/mail/failed", NULL),
			 403);
	snprintf(path, sizeof(path), "/api/v1/mail/%lld/retry", id);
	assert_int_equal(harness_status_as(&server, &learner, "POST", path, NULL), 403);
	/* A verification mail's link is gone with its token: not retried. */
	harness_problem_as(&server, &admin, "POST", path, NULL, 409, "not_retryable", NULL);
	harness_problem_as(&server, &admin, "POST", "/api/v1/mail/999999/retry", NULL, 404,
			   "not_found", NULL);
	/* Any other failed message goes back to pending. */
	assert_int_equal(harness_sql(conninfo, "UPDATE outbox SET kind = 'auth.password_reset_x'"
					       " WHERE to_address = 'broken@example.com'"),
			 0);
	list = harness_get_json(&server, &admin, "/api/v1/mail/failed");
	assert_true(json_is_true(
		json_object_get(json_array_get(json_object_get(list, "messages"), 0), "retryable")));
	json_decref(list);
	msg = harness_json_as(&server, &admin, "POST", path, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(msg, "state")), "pending");
	assert_true(json_is_false(json_object_get(msg, "retryable")));
	assert_int_equal(harness_json_ll(msg, "attempts"), 0);
	json_decref(msg);
	until_count(1, "SELECT count(*) FROM outbox WHERE to_address = '%s' AND state = 'failed'",
		    "broken@example.com");
}

/* Platform admins can send an account a reset mail; others cannot. */
static void admin_initiated_reset(void **state)
{
	struct harness_actor learner;
	long long id = harness_sql_llf(conninfo, "SELECT id FROM users WHERE email = '%s'",
				       "gist-admin@example.com");
	struct received r;
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/users/%lld/password-reset", id);
	harness_login_ok(&server, "learner@example.com", "demo-pass-2026", &learner);
	assert_int_equal(harness_status_as(&server, &learner, "POST", path, NULL), 403);
	json_decref(harness_json_as(&server, &admin, "POST", path, NULL, 202));
	mail_to("gist-admin@example.com", 1, &r);
	assert_contains(r.text, "/#/reset-password?token=");
	received_release(&r);
	harness_problem_as(&server, &admin, "POST", "/api/v1/users/999999/password-reset", NULL,
			   404, "not_found", NULL);
}

/* Without smtp_url the message is a real .eml file under the data
 * directory, and the start-up log says where. */
static void eml_files_without_smtp(void **state)
{
	char db[1024], dir[PATH_MAX], path[PATH_MAX + 300], name[80], *log;
	struct lms_server plain;
	struct received r = {0};
	double until;
	long long id;
	DIR *d = NULL;
	struct dirent *e;

	assert_int_equal(harness_db_create("mail_eml", db, sizeof(db)), 0);
	assert_int_equal(harness_migrate(db), 0);
	assert_int_equal(harness_seed_demo(db), 0);
	assert_int_equal(harness_server_start(&plain, db, NULL), 0);
	id = harness_sql_llf(db,
			     "SELECT outbox_enqueue(id, 'auth.password_reset', '{\"token\":"
			     " \"emlemlemlemlemlemlemlemlemlemlemlemlemlemle\", \"name\": \"학습자\","
			     " \"minutes\": 30}') FROM users WHERE email = '%s'",
			     "learner@example.com");
	snprintf(dir, sizeof(dir), "%s/mail", plain.dir);
	snprintf(name, sizeof(name), "%lld-auth.password_reset.eml", id);
	until = harness_now() + WAIT_S;
	path[0] = '\0';
	/* The demo data's own messages (its intakes') are written there too. */
	while (!path[0] && harness_now() < until) {
		if ((d = opendir(dir))) {
			while ((e = readdir(d)))
				if (!strcmp(e->d_name, name))
					snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			closedir(d);
		}
		if (!path[0])
			usleep(100 * 1000);
	}
	if (!path[0]) {
		char cmd[PATH_MAX + 40];

		snprintf(cmd, sizeof(cmd), "ls -l %s >&2", dir);
		fprintf(stderr, "no %s in %s:\n", name, dir);
		if (system(cmd) != 0)
			fprintf(stderr, "(cannot list it)\n");
		harness_server_dump_log(&plain);
	}
	assert_true(path[0] != '\0');
	assert_true(parse(path, &r));
	assert_string_equal(r.subject, "[광주 AI 인재 플랫폼] 비밀번호 재설정 안내");
	assert_string_equal(r.to, "learner@example.com");
	assert_contains(r.text, "학습자 님");
	assert_non_null(r.html);
	received_release(&r);
	log = slurp(plain.log_path);
	assert_contains(log, "messages are written to");
	assert_contains(log, dir);
	free(log);
	assert_int_equal(harness_server_stop(&plain), 0);
}

/* ---- notifications ---- */

/* A new learner, verified, with id; signed in as a when a is not NULL. */
static long long notified_learner(const char *email, struct harness_actor *a)
{
	struct harness_actor own;

	harness_register_ok(&server, email, PASSWORD,
			    "\"display_name\": \"알림 학습자\", \"ladder_stage\": \"worker\"",
			    a ? a : &own);
	return harness_sql_llf(conninfo, "SELECT id FROM users WHERE email = '%s'", email);
}

/* The outbox rows of kind to user: how many. */
static long long notices(const char *kind, long long user)
{
	return outbox_ll("SELECT count(*) FROM outbox WHERE kind = '%s' AND user_id = %lld", kind,
			 user);
}

/* Every change of an enrolment that the learner must hear of is enqueued
 * by the database in the change's transaction, whoever makes it, and
 * arrives in the learner's language with the course and the reason. */
static void enrolment_changes_are_told(void **state)
{
	long long gist = harness_sql_llf(conninfo, "SELECT id FROM institutions WHERE code = '%s'",
					 "gist");
	long long course = harness_course_create(conninfo, &(struct harness_course){
								   .institution = gist,
								   .code = "MAIL-101",
								   .title_ko = "메일 알림 강좌",
								   .title_en = "Notice Course"});
	long long section = harness_section_create(
		conninfo, &(struct harness_section){.course = course, .term = "2030-1",
						    .starts_on = "2030-03-02",
						    .ends_on = "2030-06-30", .capacity = 1,
						    .opens_at = "2026-01-01",
						    .closes_at = "2030-03-01"});
	long long a = notified_learner("notice-a@example.com", NULL),
		  b = notified_learner("notice-b@example.com", NULL),
		  c = notified_learner("notice-c@example.com", NULL);
	long long ea, eb, ec;
	struct received r;
	char sql[512];

	ea = harness_enrollment_create(conninfo, &(struct harness_enrollment){
							 .section = section, .user = a,
							 .status = "pending"});
	eb = harness_enrollment_create(conninfo, &(struct harness_enrollment){
							 .section = section, .user = b,
							 .status = "pending"});
	/* Approved by an admin. */
	snprintf(sql, sizeof(sql),
		 "BEGIN; SELECT set_config('lms.actor_user_id', '1', true);"
		 " UPDATE enrollments SET status = 'enrolled' WHERE id = %lld; COMMIT",
		 ea);
	assert_int_equal(harness_sql(conninfo, sql), 0);
	assert_int_equal(notices("enrollment.approved", a), 1);
	mail_to("notice-a@example.com", 2, &r);
	assert_string_equal(r.subject,
			    "[광주 AI 인재 플랫폼] 수강 신청이 승인되었습니다: 메일 알림 강좌");
	assert_contains(r.text, "알림 학습자 님");
	assert_contains(r.text, "강좌: 메일 알림 강좌 (MAIL-101)");
	assert_contains(r.text, "2030-03-02 ~ 2030-06-30");
	received_release(&r);
	/* Rejected, with the reason. */
	snprintf(sql, sizeof(sql),
		 "BEGIN; SELECT set_config('lms.actor_user_id', '1', true),"
		 " set_config('lms.reason', '정원이 찼습니다', true);"
		 " UPDATE enrollments SET status = 'rejected' WHERE id = %lld; COMMIT",
		 eb);
	assert_int_equal(harness_sql(conninfo, sql), 0);
	assert_int_equal(
		outbox_ll("SELECT count(*) FROM outbox WHERE kind = 'enrollment.rejected'"
			  " AND user_id = %lld AND params->>'reason' = '정원이 찼습니다'", b),
		1);
	/* A waitlisted learner promoted when the admin cancels a seat: the
	 * promotion and the cancellation are both told. */
	ec = harness_enrollment_create(conninfo, &(struct harness_enrollment){
							 .section = section, .user = c,
							 .status = "waitlisted"});
	snprintf(sql, sizeof(sql),
		 "BEGIN; SELECT set_config('lms.actor_user_id', '1', true),"
		 " set_config('lms.reason', 'moved to the evening class', true);"
		 " UPDATE enrollments SET status = 'cancelled' WHERE id = %lld;"
		 " SELECT enrollment_promote(%lld, 'seat freed'); COMMIT",
		 ea, section);
	assert_int_equal(harness_sql(conninfo, sql), 0);
	assert_int_equal(notices("enrollment.cancelled", a), 1);
	assert_int_equal(notices("enrollment.promoted", c), 1);
	/* The learner's own cancellation is not told back. */
	snprintf(sql, sizeof(sql),
		 "BEGIN; SELECT set_config('lms.actor_user_id', '%lld', true);"
		 " UPDATE enrollments SET status = 'cancelled' WHERE id = %lld; COMMIT",
		 c, ec);
	assert_int_equal(harness_sql(conninfo, sql), 0);
	assert_int_equal(notices("enrollment.cancelled", c), 0);
	/* A rolled-back approval tells nobody. */
	ec = harness_enrollment_create(conninfo, &(struct harness_enrollment){
							 .section = section, .user = c,
							 .status = "pending"});
	snprintf(sql, sizeof(sql),
		 "BEGIN; UPDATE enrollments SET status = 'rejected' WHERE id = %lld; ROLLBACK", ec);
	assert_int_equal(harness_sql(conninfo, sql), 0);
	assert_int_equal(notices("enrollment.rejected", c), 0);
	/* The section cancelled: every learner with a place or an application. */
	snprintf(sql, sizeof(sql), "UPDATE sections SET status = 'cancelled' WHERE id = %lld",
		 section);
	assert_int_equal(harness_sql(conninfo, sql), 0);
	assert_int_equal(notices("section.cancelled", c), 1);
	mail_to("notice-c@example.com", 3, &r);
	assert_contains(r.subject, "분반이 폐강되었습니다");
	received_release(&r);
}

/* A class moved or cancelled tells the enrolled learners with the new
 * time; a learner may turn those notices off, not the ones about rights. */
static void class_changes_and_settings(void **state)
{
	struct harness_actor a;
	long long user = notified_learner("notice-d@example.com", &a);
	long long gist = harness_sql_llf(conninfo, "SELECT id FROM institutions WHERE code = '%s'",
					 "gist");
	long long course = harness_course_create(conninfo, &(struct harness_course){
								   .institution = gist,
								   .code = "MAIL-102",
								   .title_ko = "시간표 알림 강좌",
								   .title_en = "Timetable Course"});
	long long section = harness_section_create(
		conninfo, &(struct harness_section){.course = course, .term = "2030-1",
						    .starts_on = "2030-03-02",
						    .ends_on = "2030-06-30",
						    .opens_at = "2026-01-01",
						    .closes_at = "2030-03-01"});
	long long session = harness_sql_llf(
		conninfo,
		"INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id, online_url)"
		" SELECT %lld, '2030-03-03 10:00+09', '2030-03-03 12:00+09', i.user_id,"
		" 'https://meet.example.com/mail' FROM instructors i JOIN users u ON u.id = i.user_id"
		" WHERE u.email = 'instructor@example.com' RETURNING id",
		section);
	json_t *got, *kinds;
	char sql[512];

	harness_enrollment_create(conninfo, &(struct harness_enrollment){
						    .section = section, .user = user,
						    .status = "enrolled"});
	snprintf(sql, sizeof(sql),
		 "UPDATE class_sessions SET starts_at = starts_at + interval '1 hour',"
		 " ends_at = ends_at + interval '1 hour' WHERE id = %lld",
		 session);
	assert_int_equal(harness_sql(conninfo, sql), 0);
	assert_int_equal(notices("session.moved", user), 1);
	assert_int_equal(outbox_ll("SELECT count(*) FROM outbox WHERE kind = 'session.moved'"
				   " AND user_id = %lld AND params->>'old_starts' = '2030-03-03 10:00'"
				   " AND params->>'new_starts' = '2030-03-03 11:00'"
				   " AND params->>'new_ends' = '13:00'",
				   user),
			 1);

	got = harness_get_json(&server, &a, "/api/v1/me/notifications");
	kinds = json_object_get(got, "notifications");
	assert_int_equal(json_array_size(kinds), 8);
	assert_string_equal(json_string_value(json_object_get(json_array_get(kinds, 0), "kind")),
			    "enrollment.promoted");
	assert_true(json_is_false(json_object_get(json_array_get(kinds, 0), "optional")));
	assert_true(json_is_true(json_object_get(json_array_get(kinds, 6), "enabled")));
	json_decref(got);

	harness_problem_as(&server, &a, "PUT", "/api/v1/me/notifications",
			   "{\"notifications\": {\"enrollment.promoted\": false}}", 400,
			   "validation_failed", "notifications.enrollment.promoted");
	harness_problem_as(&server, &a, "PUT", "/api/v1/me/notifications",
			   "{\"notifications\": {\"no.such\": true}}", 400, "validation_failed",
			   "notifications.no.such");
	harness_problem_as(&server, &a, "PUT", "/api/v1/me/notifications",
			   "{\"notifications\": {\"session.moved\": 0}}", 400,
			   "validation_failed", "notifications.session.moved");
	harness_problem_as(&server, &a, "PUT", "/api/v1/me/notifications", "{}", 400,
			   "validation_failed", "notifications");
	got = harness_json_as(&server, &a, "PUT", "/api/v1/me/notifications",
			      "{\"notifications\": {\"session.moved\": false,"
			      " \"enrollment.completed\": true}}",
			      200);
	assert_true(json_is_false(
		json_object_get(json_array_get(json_object_get(got, "notifications"), 6), "enabled")));
	json_decref(got);
	/* Moved again: not told; cancelled: told. */
	assert_int_equal(harness_sql(conninfo, sql), 0);
	assert_int_equal(notices("session.moved", user), 1);
	snprintf(sql, sizeof(sql), "UPDATE class_sessions SET status = 'cancelled' WHERE id = %lld",
		 session);
	assert_int_equal(harness_sql(conninfo, sql), 0);
	assert_int_equal(notices("session.cancelled", user), 1);
	/* Visitors have no settings. */
	assert_int_equal(harness_status_as(&server, NULL, "GET", "/api/v1/me/notifications", NULL),
			 401);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registration_verifies_by_mail),
		cmocka_unit_test(password_reset_by_mail),
		cmocka_unit_test(reset_requests_limited),
		cmocka_unit_test(rolled_back_sends_nothing),
		cmocka_unit_test(smtp_down_then_back),
		cmocka_unit_test(two_instances_deliver_once),
		cmocka_unit_test(failed_visible_to_admins),
		cmocka_unit_test(admin_initiated_reset),
		cmocka_unit_test(eml_files_without_smtp),
		cmocka_unit_test(enrolment_changes_are_told),
		cmocka_unit_test(class_changes_and_settings),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
