/* drain_test.c - integration: streamed reports on their own connections (a
 * stalled report does not hold other requests; the next one gets 503) and
 * the graceful stop on SIGTERM (readiness off, connections closing, requests
 * in flight finished, a report cut visibly, exit 0) */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "slowclient.h"

#include "lms/seed/seed.h"

#define DB_NAME "it_drain"
#define REPORT "/api/v1/reports/enrollments"
#define PROMPT_S 1.0

/* The large report: LEARNERS x SECTIONS enrolments, some 20 MB of CSV,
 * far more than the socket buffers of a client that reads little. */
#define LEARNERS 4000
#define SECTIONS 20
/* The stalled client's receive buffer: small, so the server blocks soon. */
#define STALL_RCVBUF 8192

#define GRACE_MS 3000
/* Bounds on what the drain may take after SIGTERM. */
#define CUT_BY_S 10.0
#define EXIT_BY_S 15.0

static char conninfo[1024];
static long long gist, course_id;
/* The server of the test running, stopped after it even when it fails. */
static struct lms_server srv;

#define sql_ll(...) harness_sql_llf(conninfo, __VA_ARGS__)

static int group_setup(void **state)
{
	char sql[1024];

	if (harness_db_create(DB_NAME, conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0)
		return -1;
	gist = harness_sql_ll(conninfo, "SELECT id FROM institutions WHERE code = 'gist'");
	course_id = harness_sql_ll(conninfo, "SELECT min(id) FROM courses WHERE published");
	/* A GIST course whose sections hold every bulk learner, set-based and
	 * with the seat trigger off (see report_test.c); the counts after. */
	snprintf(sql, sizeof(sql),
		 "WITH c AS (INSERT INTO courses (institution_id, program_id, code, title_ko,"
		 " title_en, delivery, published) VALUES (%lld, (SELECT id FROM programs WHERE"
		 " code = 'online'), 'DRAIN-BULK', '대량 과정', 'Bulk course', 'online', true)"
		 " RETURNING id)"
		 " INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
		 " enrollment_opens_at, enrollment_closes_at, status) SELECT c.id, '2026-2',"
		 " '2026-09-01', '2026-12-20', %d, '2026-07-01', '2026-08-31', 'open'"
		 " FROM c, generate_series(1, %d)",
		 gist, LEARNERS, SECTIONS);
	if (gist <= 0 || course_id <= 0 || harness_sql(conninfo, sql) != 0)
		return -1;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO users (email, password_hash, display_name, ladder_stage)"
		 " SELECT 'drain-' || g || '@example.com', '!', '대량 학습자 ' || g, 'worker'"
		 " FROM generate_series(1, %d) g;"
		 " SET session_replication_role = replica;"
		 " INSERT INTO enrollments (user_id, section_id, status)"
		 " SELECT u.id, s.id, 'enrolled' FROM users u CROSS JOIN sections s"
		 " JOIN courses c ON c.id = s.course_id"
		 " WHERE u.email LIKE 'drain-%%' AND c.code = 'DRAIN-BULK';"
		 " RESET session_replication_role;"
		 " UPDATE sections s SET enrolled_count = %d FROM courses c"
		 " WHERE c.id = s.course_id AND c.code = 'DRAIN-BULK';"
		 " ANALYZE users, sections, courses, enrollments",
		 LEARNERS, LEARNERS);
	if (harness_sql(conninfo, sql) != 0)
		return -1;
	*state = NULL;
	return 0;
}

/* Stops the test's server if it still runs: it must stop cleanly. */
static int server_stopped(void **state)
{
	int rc;

	if (srv.pid > 0 && (rc = harness_server_stop(&srv)) != 0)
		fail_msg("the server exited %d after SIGTERM (expected 0: no crash, no sanitizer "
			 "report)",
			 rc);
	return 0;
}

static void server_start(const char *const *env)
{
	if (harness_server_start(&srv, conninfo, env) != 0)
		fail_msg("the server did not start");
}

/* Starts the whole-institution CSV report as a on c (with a small receive
 * buffer) and reads its head and a first piece of its body into r. */
static void report_start(struct slow_conn *c, const struct harness_actor *a,
			 struct slow_reply *r)
{
	char req[512];

	snprintf(req, sizeof(req),
		 "GET " REPORT "?institution_id=%lld&format=csv HTTP/1.1\r\nHost: localhost\r\n"
		 "Cookie: %s\r\n\r\n",
		 gist, a->cookie);
	if (slow_connect(c, &srv, STALL_RCVBUF) != 0 || slow_send_str(c, req, 2000) != 0)
		fail_msg("cannot send the report request");
	if (slow_head_read(c, r, 10000) != 0 || r->status != 200 || !r->chunked)
		fail_msg("GET " REPORT "?format=csv: expected 200 with a chunked body, got %d:\n%s",
			 r->status, r->head ? r->head : "(no response)");
	r->discard = true;
	if (slow_body_read(c, r, 4096, 5000) != 0)
		fail_msg("the report ended (or nothing came) within its first 4 KiB: %zu bytes",
			 r->body_len);
}

/* GET path as a on a fresh connection: the status, and the seconds taken
 * in *secs; *retry_after gets the header (empty when none). */
static long timed_get(const struct harness_actor *a, const char *path, double *secs,
		      char *retry_after, size_t len, bool *problem)
{
	struct http_result r = {0};
	double t0 = harness_now();
	long status = -1;
	char ct[128];

	if (harness_as(&srv, a, "GET", path, NULL, &r) == 0)
		status = r.status;
	*secs = harness_now() - t0;
	if (retry_after && !http_result_header(&r, "Retry-After", retry_after, len))
		retry_after[0] = '\0';
	if (problem)
		*problem = http_result_header(&r, "Content-Type", ct, sizeof(ct)) &&
			   strncmp(ct, "application/problem+json", 24) == 0;
	http_result_release(&r);
	return status;
}

/* GET path (as a) must answer 200 within PROMPT_S. */
static void assert_prompt_200(const struct harness_actor *a, const char *path,
			      const char *while_what)
{
	double secs;
	long status = timed_get(a, path, &secs, NULL, 0, NULL);

	if (status != 200 || secs >= PROMPT_S)
		fail_msg("GET %s while %s: expected 200 within %.1f s, got %ld after %.2f s", path,
			 while_what, PROMPT_S, status, secs);
}

/* ---- 6. reports on their own connections ---- */

static void test_stalled_report_leaves_others_served(void **state)
{
	const char *env[] = {"LMS_REPORT_POOL_SIZE=1", NULL};
	struct harness_actor admin;
	struct slow_conn stalled;
	struct slow_reply first;
	char small[256], oneroster[128], course[64], retry[64];
	const char *busy[] = {small, oneroster};
	double secs, t0;
	long status = -1;
	bool problem;

	server_start(env);
	harness_login_ok(&srv, "gist-admin@example.com", SEED_DEMO_PASSWORD, &admin);
	snprintf(small, sizeof(small), REPORT "?institution_id=%lld&status=rejected&format=csv",
		 gist);
	snprintf(oneroster, sizeof(oneroster), "/api/v1/reports/oneroster?institution_id=%lld",
		 gist);
	snprintf(course, sizeof(course), "/api/v1/courses/%lld", course_id);

	/* The one report connection is taken by a client that stopped
	 * reading. */
	report_start(&stalled, &admin, &first);

	for (size_t i = 0; i < sizeof(busy) / sizeof(busy[0]); i++) {
		status = timed_get(&admin, busy[i], &secs, retry, sizeof(retry), &problem);
		if (status != 503 || secs >= PROMPT_S || !retry[0] || !problem)
			fail_msg("GET %s while the only report connection streams to a stalled "
				 "client: expected 503 problem+json with Retry-After within %.1f s, "
				 "got %ld after %.2f s (Retry-After \"%s\", problem+json %s)",
				 busy[i], PROMPT_S, status, secs, retry, problem ? "yes" : "no");
	}
	assert_prompt_200(NULL, course, "a report stalls");
	assert_prompt_200(NULL, "/api/v1/courses", "a report stalls");
	assert_prompt_200(NULL, "/api/v1/courses?limit=5&delivery=online", "a report stalls");

	/* The client leaves: its connection comes back. */
	slow_close(&stalled);
	slow_reply_release(&first);
	t0 = harness_now();
	while ((harness_now() - t0) < 10.0 &&
	       (status = timed_get(&admin, small, &secs, NULL, 0, NULL)) != 200)
		slow_pause_ms(100);
	if (status != 200)
		fail_msg("GET %s after the stalled client left: still %ld after %.1f s (expected "
			 "200 once its report connection is back)",
			 small, status, harness_now() - t0);
	if (harness_status_as(&srv, NULL, "GET", "/healthz", NULL) != 200)
		fail_msg("GET /healthz after the stalled report: not 200");
}

/* ---- 7. draining on SIGTERM ---- */

static void test_sigterm_drains(void **state)
{
	char env_grace[64], head[256], req[512], body[160];
	const char *env[] = {env_grace, NULL};
	struct harness_actor admin;
	struct slow_conn report, keep, inflight;
	struct slow_reply rr, r;
	size_t half;
	double t0, grace_end, secs;
	int rc;
	bool closed;

	snprintf(env_grace, sizeof(env_grace), "LMS_SHUTDOWN_GRACE_MS=%d", GRACE_MS);
	server_start(env);
	harness_login_ok(&srv, "gist-admin@example.com", SEED_DEMO_PASSWORD, &admin);

	/* A report read slowly: it cannot finish within the grace. */
	report_start(&report, &admin, &rr);

	/* A keep-alive connection with one answer behind it. */
	if (slow_connect(&keep, &srv, 0) != 0 ||
	    slow_send_str(&keep, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", 2000) != 0 ||
	    slow_reply_read(&keep, &r, 3000) != 0 || r.status != 200)
		fail_msg("the keep-alive connection's first GET /healthz failed");
	slow_reply_release(&r);

	/* A sign-in whose body is half there. */
	snprintf(body, sizeof(body), "{\"email\":\"learner@example.com\",\"password\":\"%s\"}",
		 SEED_DEMO_PASSWORD);
	half = strlen(body) / 2;
	snprintf(head, sizeof(head),
		 "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
		 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
		 strlen(body));
	if (slow_connect(&inflight, &srv, 0) != 0 || slow_send_str(&inflight, head, 2000) != 0 ||
	    slow_send(&inflight, body, half, 2000) != 0)
		fail_msg("cannot start the sign-in in flight");

	assert_int_equal(kill(srv.pid, SIGTERM), 0);
	t0 = harness_now();
	grace_end = t0 + GRACE_MS / 1000.0;

	/* A new connection: not ready any more, at once. */
	snprintf(req, sizeof(req), "GET /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n");
	if (slow_exchange(&srv, req, strlen(req), 3000, 1000, &r, &closed) != 0 ||
	    r.status != 503 || (harness_now() - t0) >= PROMPT_S)
		fail_msg("GET /readyz on a new connection after SIGTERM: expected 503 within %.1f s, "
			 "got %s%d after %.2f s",
			 PROMPT_S, r.status < 0 ? "no response (refused or closed) " : "", r.status,
			 (harness_now() - t0));
	if (closed && !slow_reply_closes(&r))
		fail_msg("the 503 of /readyz while draining closed the connection without "
			 "\"Connection: close\":\n%s",
			 r.head);
	slow_reply_release(&r);

	/* The request in flight gets the rest of its body, and its answer. */
	if (slow_send(&inflight, body + half, strlen(body) - half, 2000) != 0 ||
	    slow_reply_read(&inflight, &r, 5000) != 0 || r.status != 200 || !r.body ||
	    !strstr(r.body, "\"csrf_token\""))
		fail_msg("the sign-in in flight at SIGTERM: expected its normal 200, got %d: %s",
			 r.status, r.body ? r.body : "(no body)");
	if (!slow_reply_closes(&r))
		fail_msg("an answer during the grace lacks \"Connection: close\":\n%s", r.head);
	slow_reply_release(&r);
	slow_close(&inflight);

	/* The keep-alive connection: answered, told it closes, closed. */
	if (slow_send_str(&keep, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", 2000) != 0 ||
	    slow_reply_read(&keep, &r, 3000) != 0)
		fail_msg("a request on a keep-alive connection during the grace got no answer");
	if (!slow_reply_closes(&r))
		fail_msg("a response on a keep-alive connection during the grace lacks "
			 "\"Connection: close\":\n%s",
			 r.head);
	if (slow_wait_closed(&keep, 2000) != 0)
		fail_msg("the server kept a keep-alive connection open after saying it closes");
	slow_reply_release(&r);
	slow_close(&keep);

	/* The report, read slowly through the grace, then as fast as it
	 * comes: it must end without its last chunk. */
	while (harness_now() < grace_end + 0.5 && slow_body_read(&report, &rr, 4096, 100) == 0)
		slow_pause_ms(100);
	rc = slow_body_read(&report, &rr, 0, (int)((t0 + CUT_BY_S - harness_now()) * 1000));
	print_message("the report: %zu bytes of CSV before it ended %.2f s after SIGTERM (%s)\n",
		      rr.body_len, report.eof ? report.t_closed - t0 : (harness_now() - t0),
		      report.reset ? "reset" : "closed");
	if (rc == 1)
		fail_msg("the report cut by the end of the grace ended with its last chunk: its "
			 "client takes %zu bytes for the whole report",
			 rr.body_len);
	if (rc == 0)
		fail_msg("the report stream was still open %.0f s after SIGTERM (grace %d ms)",
			 CUT_BY_S, GRACE_MS);
	slow_reply_release(&rr);
	slow_close(&report);

	/* After the grace nothing listens. */
	while (!slow_refused(&srv) && (harness_now() - t0) < CUT_BY_S)
		slow_pause_ms(50);
	if (!slow_refused(&srv))
		fail_msg("new connections were still accepted %.0f s after SIGTERM (grace %d ms)",
			 CUT_BY_S, GRACE_MS);

	secs = t0 + EXIT_BY_S - harness_now();
	rc = harness_server_wait(&srv, secs > 1.0 ? (int)(secs * 1000) : 1000);
	if (rc != 0)
		fail_msg("after draining the server exited with %d (expected 0 within %.0f s of "
			 "SIGTERM)",
			 rc, EXIT_BY_S);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_stalled_report_leaves_others_served, server_stopped),
		cmocka_unit_test_teardown(test_sigterm_drains, server_stopped),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
