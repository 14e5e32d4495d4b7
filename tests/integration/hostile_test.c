/* hostile_test.c - integration: clients that attack the server's resources
 * (deep JSON, a starved pool, slow heads and bodies, idle connections,
 * refused and large uploads, ambiguous framing) and the server holding up */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "slowclient.h"

#include "lms/seed/seed.h"

#define DB_NAME "it_hostile"
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* What "at once" and "promptly" mean here. */
#define PROMPT_S 1.0
#define JSON_DEPTH_LIMIT "64"

#define STARVE_POOL 2
#define STR_(x) #x
#define STR(x) STR_(x)
#define STARVE_CLIENTS 8
#define STARVE_LENGTH 1000
#define STARVE_GETS 5

#define SLOW_CUT_S 3.0
#define DRIBBLERS 32
#define IDLERS 32

#define UPLOAD_BYTES (5 << 20)
#define UPLOADS_AT_ONCE 4
#define UPLOAD_PIECE (64 << 10)

/*
 * Two servers for the whole group: "main" with the defaults, and "slow"
 * with short head and body limits so that misbehaving clients are cut
 * within seconds. The slow server has workers to spare for every client a
 * test opens (CivetWeb serves one connection per worker): what is tested
 * is that the limits end them, not how many fit.
 */
static struct lms_server main_srv, slow_srv;
/* A server of one test's own, stopped after it even when it fails. */
static struct lms_server own_srv;
static char conninfo[1024];
static struct harness_actor learners[STARVE_CLIENTS + 1], gist_admin;
static long long section_id, gist_lesson_id;

static const char *const slow_env[] = {
	"LMS_BODY_TIMEOUT_MS=1000", "LMS_BODY_MIN_RATE=1KiB", "LMS_REQUEST_TIMEOUT_MS=1000",
	"LMS_WORKER_THREADS=200", NULL,
};

/* ---- helpers ---- */

#define sql_ll(...) harness_sql_llf(conninfo, __VA_ARGS__)

/* /healthz on s answers 200 (every test leaves the servers serving). */
static void assert_healthy(const struct lms_server *s, const char *after)
{
	struct http_result r = {0};

	if (harness_request_once(s, "GET", "/healthz", NULL, NULL, &r) != 0 || r.status != 200)
		fail_msg("after %s, GET /healthz: expected 200, got %ld", after, r.status);
	http_result_release(&r);
}

/* GET path on a fresh connection must answer want within PROMPT_S. */
static void assert_prompt(const struct lms_server *s, const char *path, long want,
			  const char *while_what)
{
	struct http_result r = {0};
	double t0 = harness_now(), took;
	int rc = harness_request_once(s, "GET", path, NULL, NULL, &r);

	took = harness_now() - t0;
	if (rc != 0 || r.status != want || took >= PROMPT_S)
		fail_msg("GET %s while %s: expected %ld within %.1f s, got %ld after %.2f s", path,
			 while_what, want, PROMPT_S, rc ? -1 : r.status, took);
	http_result_release(&r);
}

/* r must be status as problem+json; what names the request. */
static void assert_problem(const struct slow_reply *r, int status, const char *what)
{
	if (r->status != status)
		fail_msg("%s: expected %d problem+json, got %d:\n%s%s", what, status, r->status,
			 r->head ? r->head : "(no response)", r->body ? r->body : "");
	if (!slow_reply_is_problem(r))
		fail_msg("%s: %d is not application/problem+json with a matching status:\n%s%s",
			 what, status, r->head, r->body ? r->body : "");
}

/* A response after which the server closed must have said so. */
static void assert_close_announced(const struct slow_reply *r, bool closed, const char *what)
{
	if (closed && !slow_reply_closes(r))
		fail_msg("%s: the server closed the connection after a %d without "
			 "\"Connection: close\":\n%s",
			 what, r->status, r->head);
}

/* A body of exactly len bytes that is valid JSON once whole. */
static char *json_filler(size_t len)
{
	char *b = malloc(len + 1);

	assert_non_null(b);
	memset(b, 'a', len);
	memcpy(b, "{\"statement\":\"", 14);
	memcpy(b + len - 2, "\"}", 2);
	b[len] = '\0';
	return b;
}

static const char *login_body(void)
{
	static char body[160];

	snprintf(body, sizeof(body), "{\"email\":\"learner@example.com\",\"password\":\"%s\"}",
		 SEED_DEMO_PASSWORD);
	return body;
}

/* ---- fixture ---- */

static int group_setup(void **state)
{
	if (harness_db_create(DB_NAME, conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_learners_create(conninfo, "hostile", "worker", (int)NELEMS(learners),
				    learners) != 0)
		return -1;
	section_id = harness_sql_ll(conninfo, "SELECT min(id) FROM sections");
	/* A lesson of a published GIST course: gist-admin may add files to it,
	 * the learners may not. */
	gist_lesson_id = harness_sql_ll(
		conninfo, "SELECT min(l.id) FROM lessons l JOIN course_modules m ON m.id = l.module_id"
			  " JOIN courses c ON c.id = m.course_id JOIN institutions i"
			  " ON i.id = c.institution_id WHERE i.code = 'gist' AND c.published");
	if (section_id <= 0 || gist_lesson_id <= 0) {
		fprintf(stderr, "the demo data has no section or GIST lesson\n");
		return -1;
	}
	if (harness_server_start(&main_srv, conninfo, NULL) != 0)
		return -1;
	if (harness_server_start(&slow_srv, conninfo, slow_env) != 0) {
		harness_server_stop(&main_srv);
		return -1;
	}
	if (harness_login(&main_srv, "gist-admin@example.com", SEED_DEMO_PASSWORD, &gist_admin) !=
	    0) {
		fprintf(stderr, "cannot sign in as gist-admin@example.com\n");
		harness_server_stop(&main_srv);
		harness_server_stop(&slow_srv);
		return -1;
	}
	*state = NULL;
	return 0;
}

static int group_teardown(void **state)
{
	int a = harness_server_stop(&main_srv), b = harness_server_stop(&slow_srv);

	/* Non-zero: a server crashed, hung or had a sanitizer report. */
	if (a != 0 || b != 0)
		fprintf(stderr, "server exit status: main %d, slow %d (expected 0 and 0)\n", a, b);
	return a == 0 && b == 0 ? 0 : -1;
}

/* After every test the servers still serve, and a test's own server
 * stops cleanly. */
static int still_healthy(void **state)
{
	int rc;

	assert_healthy(&main_srv, "the test (main server)");
	assert_healthy(&slow_srv, "the test (slow server)");
	if (own_srv.pid > 0) {
		assert_healthy(&own_srv, "the test (its own server)");
		if ((rc = harness_server_stop(&own_srv)) != 0)
			fail_msg("the test's own server exited %d after SIGTERM (expected 0)", rc);
	}
	return 0;
}

/* ---- 1. deep JSON ---- */

/* prefix, depth "[" and depth "]", suffix, as a new string. */
static char *nested(const char *prefix, int depth, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *b = malloc(pl + 2 * (size_t)depth + sl + 1);

	assert_non_null(b);
	memcpy(b, prefix, pl);
	memset(b + pl, '[', (size_t)depth);
	memset(b + pl + depth, ']', (size_t)depth);
	memcpy(b + pl + 2 * (size_t)depth, suffix, sl + 1);
	return b;
}

/* POSTs body to the login route; returns the status and the problem's
 * detail (new string, or NULL). */
static long login_post(const char *body, char **detail)
{
	struct http_result r = {0};
	json_t *j;
	long status;

	if (harness_as(&main_srv, NULL, "POST", "/api/v1/auth/login", body, &r) != 0)
		fail_msg("POST /api/v1/auth/login with a %zu-byte body: no response (did the "
			 "server crash?)",
			 strlen(body));
	status = r.status;
	j = json_loadb(r.body, r.len, 0, NULL);
	*detail = json_string_value(json_object_get(j, "detail"))
			  ? strdup(json_string_value(json_object_get(j, "detail")))
			  : NULL;
	json_decref(j);
	http_result_release(&r);
	return status;
}

static void test_deep_json_is_refused_naming_the_limit(void **state)
{
	static const int depths[] = {65, 1000, 100000};
	char *depth_detail = NULL, *detail, *body;
	long status;

	for (size_t i = 0; i < NELEMS(depths); i++) {
		body = nested("", depths[i], "");
		status = login_post(body, &detail);
		free(body);
		if (status != 400 || !detail || !strstr(detail, JSON_DEPTH_LIMIT))
			fail_msg("a JSON body %d deep: expected 400 problem+json whose detail names "
				 "the limit " JSON_DEPTH_LIMIT ", got %ld with detail \"%s\"",
				 depths[i], status, detail ? detail : "(none)");
		free(depth_detail);
		depth_detail = detail;
		assert_healthy(&main_srv, "a deep JSON body");
	}

	/* 64 deep (an object, then 63 arrays) is within the limit: parsed,
	 * and refused, if at all, for what it says. */
	body = nested("{\"email\":", 63, ",\"password\":\"x\"}");
	status = login_post(body, &detail);
	free(body);
	if (status >= 500 || (detail && depth_detail && strcmp(detail, depth_detail) == 0))
		fail_msg("a JSON body 64 deep: expected it parsed (not refused for depth), got %ld "
			 "with detail \"%s\"",
			 status, detail ? detail : "(none)");
	free(detail);
	free(depth_detail);
}

static void test_course_description_of_50kb_goes_through(void **state)
{
	/* 17000 Hangul syllables: 51000 bytes, within the 20000-character
	 * rule of a description. */
	enum { CHARS = 17000 };
	char *desc = malloc(CHARS * 3 + 1), *text, path[64];
	json_t *body, *j;
	long long id;

	assert_non_null(desc);
	for (int i = 0; i < CHARS; i++)
		memcpy(desc + 3 * i, i % 2 ? "\xEA\xB0\x80" : "\xEB\x82\x98", 3); /* 가, 나 */
	desc[CHARS * 3] = '\0';
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "program", "online", "code",
			 "HOSTILE-DESC", "title_ko", "긴 설명", "title_en", "Long description",
			 "delivery", "online", "description", desc);
	text = json_dumps(body, JSON_COMPACT);
	assert_non_null(text);
	j = harness_json_as(&main_srv, &gist_admin, "POST", "/api/v1/courses", text, 201);
	id = harness_json_ll(j, "id");
	json_decref(j);
	free(text);
	json_decref(body);

	/* And changed to another description of the same size. */
	desc[0] = 'x';
	desc[1] = 'y';
	desc[2] = 'z';
	body = json_pack("{s:s}", "description", desc);
	text = json_dumps(body, JSON_COMPACT);
	snprintf(path, sizeof(path), "/api/v1/courses/%lld", id);
	json_decref(harness_json_as(&main_srv, &gist_admin, "PATCH", path, text, 200));
	assert_int_equal(sql_ll("SELECT octet_length(description) FROM courses WHERE id = %lld"
				" AND description LIKE 'xyz%%'",
				id),
			 CHARS * 3);
	free(text);
	json_decref(body);
	free(desc);
}

/* ---- 2. a starved pool ---- */

struct gets {
	const struct lms_server *s;
	long status[STARVE_GETS];
	double secs[STARVE_GETS];
	atomic_bool done;
};

/* Distinct queries: a fresh server's response cache holds none of them, so
 * each one needs a database connection. */
static const char *const starve_paths[STARVE_GETS] = {
	"/api/v1/courses?limit=5",
	"/api/v1/courses?limit=5&delivery=online",
	"/api/v1/courses?limit=5&delivery=offline",
	"/api/v1/courses?limit=5&delivery=blended",
	"/api/v1/courses?limit=5&open=true",
};

static void *gets_run(void *arg)
{
	struct gets *g = arg;

	for (int i = 0; i < STARVE_GETS; i++) {
		struct http_result r = {0};
		double t0 = harness_now();

		g->status[i] = harness_request_once(g->s, "GET", starve_paths[i], NULL, NULL, &r) == 0
				       ? r.status
				       : -1;
		g->secs[i] = harness_now() - t0;
		http_result_release(&r);
	}
	atomic_store(&g->done, true);
	return NULL;
}

static void test_trickled_bodies_do_not_hold_the_pool(void **state)
{
	const char *env[] = {"LMS_DB_POOL_SIZE=" STR(STARVE_POOL), NULL};
	struct slow_conn conns[STARVE_CLIENTS], *cs[STARVE_CLIENTS];
	struct gets g = {0};
	char head[1024], *body = json_filler(STARVE_LENGTH);
	pthread_t thread;

	assert_int_equal(harness_server_start(&own_srv, conninfo, env), 0);
	g.s = &own_srv;
	for (int i = 0; i < STARVE_CLIENTS; i++) {
		cs[i] = &conns[i];
		if (slow_connect(&conns[i], &own_srv, 0) != 0)
			fail_msg("trickling client %d: cannot connect", i);
		snprintf(head, sizeof(head),
			 "POST /api/v1/sections/%lld/enrollments HTTP/1.1\r\nHost: localhost\r\n"
			 "Cookie: %s\r\nX-CSRF-Token: %s\r\nContent-Type: application/json\r\n"
			 "Content-Length: %d\r\n\r\n",
			 section_id, learners[i].cookie, learners[i].csrf, STARVE_LENGTH);
		assert_int_equal(slow_send_str(&conns[i], head, 2000), 0);
		conns[i].drip = body;
		conns[i].drip_len = STARVE_LENGTH;
	}
	/* Two bytes each first, so that every request is past its head (and
	 * its sign-in check) and reading its body when the GETs start. */
	slow_drip(cs, STARVE_CLIENTS, 500, 1000);
	assert_int_equal(pthread_create(&thread, NULL, gets_run, &g), 0);
	for (int i = 0; i < 60 && !atomic_load(&g.done); i++)
		slow_drip(cs, STARVE_CLIENTS, 500, 500);
	pthread_join(thread, NULL);

	for (int i = 0; i < STARVE_GETS; i++)
		if (g.status[i] != 200 || g.secs[i] >= PROMPT_S)
			fail_msg("GET %s while %d bodies trickle in on a pool of %d: expected 200 "
				 "within %.1f s, got %ld after %.2f s (a request must take a pool "
				 "connection only once its body is complete)",
				 starve_paths[i], STARVE_CLIENTS, STARVE_POOL, PROMPT_S, g.status[i],
				 g.secs[i]);
	/* Their bodies are far from complete: nothing can have answered them
	 * yet (a 503 here is a request that waited for the pool). */
	for (int i = 0; i < STARVE_CLIENTS; i++)
		if (conns[i].t_first || conns[i].eof)
			fail_msg("trickling client %d was answered or closed after %zu of %d body "
				 "bytes: %.200s",
				 i, conns[i].dripped, STARVE_LENGTH, conns[i].in ? conns[i].in : "");
	for (int i = 0; i < STARVE_CLIENTS; i++)
		slow_close(&conns[i]);
	free(body);
}

/* ---- 3. slow heads, slow bodies, idle connections ---- */

/* Opens n connections to the slow server that each send a login head and
 * then trickle its body; *heads_at gets when each head was sent. */
static void dribblers_open(struct slow_conn *conns, struct slow_conn **cs, double *heads_at,
			   int n)
{
	const char *body = login_body();
	char head[256];

	snprintf(head, sizeof(head),
		 "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
		 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
		 strlen(body));
	for (int i = 0; i < n; i++) {
		cs[i] = &conns[i];
		if (slow_connect(&conns[i], &slow_srv, 0) != 0)
			fail_msg("dribbler %d: cannot connect", i);
	}
	for (int i = 0; i < n; i++) {
		assert_int_equal(slow_send_str(&conns[i], head, 2000), 0);
		heads_at[i] = harness_now();
		conns[i].drip = body;
		conns[i].drip_len = strlen(body);
	}
}

/* Dribbler c (head sent at head_at) got 408 problem+json with
 * "Connection: close" within SLOW_CUT_S, and the server closed it. */
static void assert_dribbler_cut(struct slow_conn *c, double head_at, int i)
{
	struct slow_reply r;
	char what[96];
	double answered;

	snprintf(what, sizeof(what), "dribbler %d (a login body at 1 byte per 200 ms)", i);
	if (slow_reply_read(c, &r, 1000) != 0)
		fail_msg("%s: expected 408 within %.0f s, got %s after %.2f s with %zu of %zu body "
			 "bytes sent",
			 what, SLOW_CUT_S, c->eof ? "the connection closed without a response" : "nothing",
			 (harness_now() - head_at), c->dripped, c->drip_len);
	assert_problem(&r, 408, what);
	answered = c->t_first - head_at;
	if (answered >= SLOW_CUT_S)
		fail_msg("%s: the 408 came %.2f s after the head (body_timeout_ms 1000, "
			 "body_min_rate 1KiB: expected within %.0f s)",
			 what, answered, SLOW_CUT_S);
	if (!slow_reply_closes(&r))
		fail_msg("%s: the 408 lacks \"Connection: close\":\n%s", what, r.head);
	if (slow_wait_closed(c, 1000) != 0)
		fail_msg("%s: the server kept the connection open after its 408", what);
	slow_reply_release(&r);
}

static void test_slow_body_gets_408_and_close(void **state)
{
	struct slow_conn conn, *cs[1];
	double head_at;

	dribblers_open(&conn, cs, &head_at, 1);
	slow_drip(cs, 1, 200, (int)(SLOW_CUT_S * 1000) + 1000);
	assert_dribbler_cut(&conn, head_at, 0);
	slow_close(&conn);
}

static void test_many_dribblers_leave_healthz_prompt(void **state)
{
	static struct slow_conn conns[DRIBBLERS];
	struct slow_conn *cs[DRIBBLERS];
	double heads_at[DRIBBLERS];

	dribblers_open(conns, cs, heads_at, DRIBBLERS);
	for (int probe = 0; probe < 3; probe++) {
		slow_drip(cs, DRIBBLERS, 200, 200);
		assert_prompt(&slow_srv, "/healthz", 200, "32 clients trickle bodies");
	}
	slow_drip(cs, DRIBBLERS, 200, (int)(SLOW_CUT_S * 1000) + 1000);
	for (int i = 0; i < DRIBBLERS; i++)
		assert_dribbler_cut(&conns[i], heads_at[i], i);
	for (int i = 0; i < DRIBBLERS; i++)
		slow_close(&conns[i]);
}

static void test_slow_head_is_cut(void **state)
{
	char head[512];
	struct slow_conn conn, *cs[1] = {&conn};
	struct slow_reply r;
	double open_for;

	snprintf(head, sizeof(head), "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: %0200d\r\n\r\n",
		 0);
	assert_int_equal(slow_connect(&conn, &slow_srv, 0), 0);
	conn.drip = head;
	conn.drip_len = strlen(head);
	slow_drip(cs, 1, 200, (int)(SLOW_CUT_S * 1000) + 500);
	/* It may say 408 first; then it must say it closes. */
	if (conn.t_first && slow_reply_read(&conn, &r, 1000) == 0) {
		assert_close_announced(&r, slow_wait_closed(&conn, 1000) == 0,
				       "a head trickled at 1 byte per 200 ms");
		slow_reply_release(&r);
	}
	slow_wait_closed(&conn, 500);
	open_for = (conn.eof ? conn.t_closed : harness_now()) - conn.t_start;
	if (!conn.eof || open_for >= SLOW_CUT_S)
		fail_msg("a head trickled at 1 byte per 200 ms (request_timeout_ms 1000): expected "
			 "the connection closed within %.0f s, it was %s after %.2f s with %zu of %zu "
			 "head bytes sent",
			 SLOW_CUT_S, conn.eof ? "closed" : "still open", open_for, conn.dripped,
			 conn.drip_len);
	slow_close(&conn);
}

static void test_idle_keepalive_connections_leave_healthz_prompt(void **state)
{
	static struct slow_conn conns[IDLERS];
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";

	for (int i = 0; i < IDLERS; i++) {
		struct slow_reply r;

		if (slow_connect(&conns[i], &slow_srv, 0) != 0)
			fail_msg("idle client %d: cannot connect", i);
		assert_int_equal(slow_send_str(&conns[i], req, 2000), 0);
		if (slow_reply_read(&conns[i], &r, 2000) != 0 || r.status != 200)
			fail_msg("idle client %d: its one request got %d", i, r.status);
		slow_reply_release(&r);
	}
	/* They now stay open and say nothing. */
	for (int probe = 0; probe < 3; probe++)
		assert_prompt(&slow_srv, "/healthz", 200, "32 keep-alive connections sit idle");
	for (int i = 0; i < IDLERS; i++)
		slow_close(&conns[i]);
}

/* ---- 4. uploads ---- */

static void test_refused_upload_is_answered_before_its_body(void **state)
{
	struct slow_conn conn;
	struct slow_reply r;
	char req[1024];
	double t0;
	bool closed;

	snprintf(req, sizeof(req),
		 "POST /api/v1/lessons/%lld/attachments?filename=a.pdf HTTP/1.1\r\n"
		 "Host: localhost\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
		 "Content-Type: application/pdf\r\nContent-Length: 52428800\r\n\r\n",
		 gist_lesson_id, learners[STARVE_CLIENTS].cookie, learners[STARVE_CLIENTS].csrf);
	assert_int_equal(slow_connect(&conn, &main_srv, 0), 0);
	t0 = harness_now();
	assert_int_equal(slow_send_str(&conn, req, 2000), 0);
	if (slow_reply_read(&conn, &r, 2000) != 0)
		fail_msg("a learner's upload head declaring 50 MiB, no body: expected 403 within 2 s, "
			 "got %s after %.2f s",
			 conn.eof ? "the connection closed without a response" : "nothing",
			 (harness_now() - t0));
	assert_problem(&r, 403, "a learner's upload head declaring 50 MiB");
	if (!slow_reply_closes(&r))
		fail_msg("the 403 to an upload whose body is left unread lacks "
			 "\"Connection: close\":\n%s",
			 r.head);
	closed = slow_wait_closed(&conn, 2000) == 0;
	if (!closed)
		fail_msg("the server kept the connection open after refusing an upload whose 50 MiB "
			 "body it did not read");
	slow_reply_release(&r);
	slow_close(&conn);
}

/* len bytes that differ with seed (xorshift), so that stored files
 * (kept by their digest) do not coincide. */
static char *payload(size_t len, unsigned seed)
{
	char *p = malloc(len);
	unsigned long long x = 0x9E3779B97F4A7C15ull ^ seed;

	assert_non_null(p);
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (char)(x >> 24);
	}
	memcpy(p, "%PDF-1.4\n", 9);
	return p;
}

struct upload {
	const char *data;
	size_t len;
	int n;              /* names the file */
	int status;
	long long id;
	char detail[256];   /* what went wrong, for the message */
};

/* Sends u->data as gist-admin's attachment in UPLOAD_PIECE pieces and
 * reads the answer. */
static void *upload_run(void *arg)
{
	struct upload *u = arg;
	struct slow_conn c;
	struct slow_reply r = {0};
	char head[1024];
	json_t *j;

	u->status = -1;
	if (slow_connect(&c, &main_srv, 0) != 0) {
		snprintf(u->detail, sizeof(u->detail), "cannot connect");
		return NULL;
	}
	snprintf(head, sizeof(head),
		 "POST /api/v1/lessons/%lld/attachments?filename=big-%d.pdf HTTP/1.1\r\n"
		 "Host: localhost\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
		 "Content-Type: application/pdf\r\nContent-Length: %zu\r\n\r\n",
		 gist_lesson_id, u->n, gist_admin.cookie, gist_admin.csrf, u->len);
	if (slow_send_str(&c, head, 5000) != 0) {
		snprintf(u->detail, sizeof(u->detail), "the head could not be sent");
		goto out;
	}
	for (size_t off = 0; off < u->len; off += UPLOAD_PIECE) {
		size_t n = u->len - off < UPLOAD_PIECE ? u->len - off : UPLOAD_PIECE;

		if (slow_send(&c, u->data + off, n, 30000) != 0) {
			snprintf(u->detail, sizeof(u->detail), "sending stopped at byte %zu", off);
			break;
		}
	}
	if (slow_reply_read(&c, &r, 60000) != 0) {
		snprintf(u->detail, sizeof(u->detail), "no whole response");
		goto out;
	}
	u->status = r.status;
	j = json_loadb(r.body ? r.body : "", r.body_len, 0, NULL);
	u->id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	snprintf(u->detail, sizeof(u->detail), "%.250s", r.body ? r.body : "");
out:
	slow_reply_release(&r);
	slow_close(&c);
	return NULL;
}

/* The attachment id downloads back as exactly data (over raw TLS: the
 * harness's client grows its buffer piece by piece, slow for megabytes
 * under the sanitizers). */
static void assert_downloads(long long id, const char *data, size_t len)
{
	struct slow_conn c;
	struct slow_reply r;
	char req[512];

	snprintf(req, sizeof(req),
		 "GET /api/v1/attachments/%lld HTTP/1.1\r\nHost: localhost\r\nCookie: %s\r\n"
		 "Connection: close\r\n\r\n",
		 id, gist_admin.cookie);
	if (slow_connect(&c, &main_srv, 0) != 0 || slow_send_str(&c, req, 5000) != 0 ||
	    slow_reply_read(&c, &r, 30000) != 0 || r.status != 200)
		fail_msg("GET /api/v1/attachments/%lld: expected 200 with the whole file, got %d", id,
			 r.status);
	if (r.body_len != len || memcmp(r.body, data, len) != 0)
		fail_msg("GET /api/v1/attachments/%lld: %zu bytes that differ from the %zu uploaded",
			 id, r.body_len, len);
	slow_reply_release(&r);
	slow_close(&c);
}

static void test_large_uploads_stream_to_disk(void **state)
{
	struct upload ups[UPLOADS_AT_ONCE + 1] = {0};
	pthread_t threads[UPLOADS_AT_ONCE];
	struct harness_rss_watch w;
	long before;

	/* One first: it must work, and it warms the server. */
	ups[0] = (struct upload){.data = payload(UPLOAD_BYTES, 0), .len = UPLOAD_BYTES, .n = 0};
	upload_run(&ups[0]);
	if (ups[0].status != 201)
		fail_msg("a 5 MiB upload by gist-admin: expected 201, got %d: %s", ups[0].status,
			 ups[0].detail);
	assert_downloads(ups[0].id, ups[0].data, ups[0].len);

	for (int i = 1; i <= UPLOADS_AT_ONCE; i++)
		ups[i] = (struct upload){.data = payload(UPLOAD_BYTES, (unsigned)i),
					 .len = UPLOAD_BYTES, .n = i};
	before = harness_rss_kb(main_srv.pid);
	assert_true(before > 0);
	assert_int_equal(harness_rss_watch_start(&w, main_srv.pid, before), 0);
	for (int i = 0; i < UPLOADS_AT_ONCE; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, upload_run, &ups[i + 1]), 0);
	for (int i = 0; i < UPLOADS_AT_ONCE; i++)
		pthread_join(threads[i], NULL);
	harness_rss_watch_stop(&w);
	print_message("%d uploads of %d bytes at once: server RSS %ld KiB before, peak %ld KiB "
		      "(+%ld KiB)\n",
		      UPLOADS_AT_ONCE, UPLOAD_BYTES, before, w.peak_kb, w.peak_kb - before);

	for (int i = 1; i <= UPLOADS_AT_ONCE; i++) {
		if (ups[i].status != 201)
			fail_msg("upload %d of %d at once: expected 201, got %d: %s", i,
				 UPLOADS_AT_ONCE, ups[i].status, ups[i].detail);
		assert_downloads(ups[i].id, ups[i].data, ups[i].len);
	}
	if (w.peak_kb - before >= (long)UPLOADS_AT_ONCE * UPLOAD_BYTES / 1024)
		fail_msg("the server grew by %ld KiB while %d uploads of %d KiB ran at once: at "
			 "least their sum, so uploads are held in memory (they must go to a "
			 "temporary file)",
			 w.peak_kb - before, UPLOADS_AT_ONCE, UPLOAD_BYTES / 1024);
	for (int i = 0; i <= UPLOADS_AT_ONCE; i++)
		free((char *)ups[i].data);
}

/* ---- 5. framing ---- */

/* Appends n headers "X-Filler-i: x" to b (at least 32 * n bytes free). */
static char *fillers(char *b, int n)
{
	for (int i = 0; i < n; i++)
		b += sprintf(b, "X-Filler-%02d: x\r\n", i);
	return b;
}

/* Sends req on a fresh connection to the main server: the reply must be
 * want as problem+json, and if the server closes after it (waited for up
 * to 1.5 s), it must have said so. */
static void assert_framing_refused(const char *req, int want, const char *what)
{
	struct slow_reply r;
	bool closed;

	if (slow_exchange(&main_srv, req, strlen(req), 3000, 1500, &r, &closed) != 0)
		fail_msg("%s: expected %d, got no whole response", what, want);
	assert_problem(&r, want, what);
	assert_close_announced(&r, closed, what);
	slow_reply_release(&r);
}

static void test_too_many_headers_is_431(void **state)
{
	static const int counts[] = {65, 100};
	char req[8192], *p;

	for (size_t i = 0; i < NELEMS(counts); i++) {
		char what[64];

		p = req + sprintf(req, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n");
		p = fillers(p, counts[i] - 1);
		strcpy(p, "\r\n");
		snprintf(what, sizeof(what), "a request with %d headers", counts[i]);
		assert_framing_refused(req, 431, what);
	}
}

static void test_transfer_encoding_past_64_headers_is_not_smuggled(void **state)
{
	static const char smuggled[] = "GET /smuggled-hostile HTTP/1.1\r\nHost: localhost\r\n\r\n";
	char req[8192], *p;
	struct slow_conn c;
	struct slow_reply r;
	bool closed;

	/* Host, Content-Type and Content-Length, 61 fillers: 64 headers; then
	 * Transfer-Encoding as the 65th. Read by Content-Length the body is 5
	 * bytes; read as chunked it ends at once and a second request follows. */
	p = req + sprintf(req, "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
			       "Content-Type: application/json\r\nContent-Length: 5\r\n");
	p = fillers(p, 61);
	sprintf(p, "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n%s", smuggled);

	assert_int_equal(slow_connect(&c, &main_srv, 0), 0);
	assert_int_equal(slow_send_str(&c, req, 3000), 0);
	if (slow_reply_read(&c, &r, 3000) != 0)
		fail_msg("Content-Length with Transfer-Encoding after 64 headers: expected 431, got "
			 "no whole response");
	assert_problem(&r, 431, "Content-Length with Transfer-Encoding after 64 headers");
	closed = slow_wait_closed(&c, 1500) == 0;
	assert_close_announced(&r, closed, "Content-Length with Transfer-Encoding after 64 headers");
	if (c.len && strstr(c.in, "HTTP/1."))
		fail_msg("a second response followed the 431 (a smuggled request was served):\n%s",
			 c.in);
	slow_reply_release(&r);
	slow_close(&c);
}

static void test_host_header_rules(void **state)
{
	static const struct {
		const char *what, *req;
	} bad[] = {
		{"HTTP/1.1 without Host", "GET /healthz HTTP/1.1\r\n\r\n"},
		{"two Host headers",
		 "GET /healthz HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n\r\n"},
		{"two different Host headers",
		 "GET /healthz HTTP/1.1\r\nHost: localhost\r\nHost: other.example\r\n\r\n"},
		{"Host: bad host/", "GET /healthz HTTP/1.1\r\nHost: bad host/\r\n\r\n"},
	};

	for (size_t i = 0; i < NELEMS(bad); i++)
		assert_framing_refused(bad[i].req, 400, bad[i].what);
}

static void test_absolute_form_targets(void **state)
{
	static const char own[] = "GET http://localhost/healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
	static const char other[] =
		"GET http://other.example/healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
	struct http_result normal = {0};
	struct slow_reply r;

	assert_int_equal(harness_request_once(&main_srv, "GET", "/healthz", NULL, NULL, &normal),
			 0);
	if (slow_exchange(&main_srv, own, strlen(own), 3000, 0, &r, NULL) != 0 ||
	    r.status != 200)
		fail_msg("GET http://localhost/healthz (absolute form): expected 200, got %d:\n%s",
			 r.status, r.head ? r.head : "(no response)");
	if (!r.body || r.body_len != normal.len || memcmp(r.body, normal.body, normal.len) != 0)
		fail_msg("GET http://localhost/healthz (absolute form): body \"%s\", expected the "
			 "normal \"%s\"",
			 r.body ? r.body : "", normal.body);
	slow_reply_release(&r);
	http_result_release(&normal);

	assert_framing_refused(other, 421, "GET http://other.example/healthz (another host)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_deep_json_is_refused_naming_the_limit, still_healthy),
		cmocka_unit_test_teardown(test_course_description_of_50kb_goes_through,
					  still_healthy),
		cmocka_unit_test_teardown(test_trickled_bodies_do_not_hold_the_pool, still_healthy),
		cmocka_unit_test_teardown(test_slow_body_gets_408_and_close, still_healthy),
		cmocka_unit_test_teardown(test_many_dribblers_leave_healthz_prompt, still_healthy),
		cmocka_unit_test_teardown(test_slow_head_is_cut, still_healthy),
		cmocka_unit_test_teardown(test_idle_keepalive_connections_leave_healthz_prompt,
					  still_healthy),
		cmocka_unit_test_teardown(test_refused_upload_is_answered_before_its_body,
					  still_healthy),
		cmocka_unit_test_teardown(test_large_uploads_stream_to_disk, still_healthy),
		cmocka_unit_test_teardown(test_too_many_headers_is_431, still_healthy),
		cmocka_unit_test_teardown(test_transfer_encoding_past_64_headers_is_not_smuggled,
					  still_healthy),
		cmocka_unit_test_teardown(test_host_header_rules, still_healthy),
		cmocka_unit_test_teardown(test_absolute_form_targets, still_healthy),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
