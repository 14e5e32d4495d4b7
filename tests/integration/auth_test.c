/* auth_test.c - accounts, sessions, throttling, tokens, roles and the audit
 * trail against a running server on a scratch database */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"

static struct lms_server server;
static char conninfo[1024];
static long long gist_id, jnu_id;

static int setup(void **state)
{
	if (harness_db_create("auth", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0)
		return -1;
	gist_id = harness_sql_ll(conninfo, "SELECT id FROM institutions WHERE code = 'gist'");
	jnu_id = harness_sql_ll(conninfo, "SELECT id FROM institutions WHERE code = 'jnu'");
	if (gist_id <= 0 || jnu_id <= 0)
		return -1;
	return harness_server_start(&server, conninfo, NULL);
}

static int teardown(void **state)
{
	return harness_server_stop(&server) == 0 ? 0 : -1;
}

/* Each test starts with no throttle state left by the one before. */
static int forget_attempts(void **state)
{
	return harness_sql(conninfo, "DELETE FROM login_attempts");
}

static void assert_code(const struct http_result *r, const char *code)
{
	json_t *j = harness_json_body(r);

	if (!json_string_value(json_object_get(j, "code")) ||
	    strcmp(json_string_value(json_object_get(j, "code")), code) != 0)
		fail_msg("expected code %s in %s", code, r->body);
	json_decref(j);
}

/* Whether the problem's errors list names field. */
/* How many of the errors of r name field. */
static int times_named(const struct http_result *r, const char *field)
{
	json_t *j = harness_json_body(r), *e;
	int n = 0;
	size_t i;

	json_array_foreach(json_object_get(j, "errors"), i, e)
		n += strcmp(json_string_value(json_object_get(e, "field")), field) == 0;
	json_decref(j);
	return n;
}

static bool names_field(const struct http_result *r, const char *field)
{
	return times_named(r, field) > 0;
}

static long login_status(const char *email, const char *password)
{
	struct harness_actor a;
	int rc = harness_login(&server, email, password, &a);

	return rc == 0 ? 200 : rc;
}

static struct harness_actor login(const char *email)
{
	struct harness_actor a;

	harness_login_ok(&server, email, DEMO_PASSWORD, &a);
	return a;
}

static long long audit_count(const char *action)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_log WHERE action = '%s'", action);
	return harness_sql_ll(conninfo, sql);
}

/* SQL that names the session of a cookie "name=token" by its digest. */
static void session_where(const struct harness_actor *a, char *buf, size_t len)
{
	snprintf(buf, len, "token_hash = sha256(convert_to('%s', 'UTF8'))",
		 strchr(a->cookie, '=') + 1);
}

static void register_and_validation(void **state)
{
	struct http_result r = {0};
	json_t *j;
	char sql[256];

	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/register",
				    "{\"email\":\"minji@example.kr\",\"password\":\"광주에서AI배우기2026\","
				    "\"display_name\":\"박민지\",\"ladder_stage\":\"job_seeker\","
				    "\"locale\":\"ko\", " HARNESS_CONSENT "}",
				    &r),
			 0);
	assert_int_equal(r.status, 201);
	j = harness_json_body(&r);
	assert_string_equal(json_string_value(json_object_get(j, "email")), "minji@example.kr");
	assert_string_equal(json_string_value(json_object_get(j, "display_name")), "박민지");
	assert_string_equal(json_string_value(json_object_get(j, "ladder_stage")), "job_seeker");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(j, "roles"), 0), "role")),
			    "learner");
	assert_null(json_object_get(j, "password_hash"));
	assert_null(strstr(r.body, "pbkdf2"));
	json_decref(j);
	http_result_release(&r);
	/* Stored as a salted PBKDF2 hash, never the password. */
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM users WHERE email ="
						  " 'minji@example.kr' AND password_hash LIKE"
						  " 'pbkdf2_sha256$1000$%'"),
			 1);

	/* The same address in another case is the same account. */
	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/register",
				    "{\"email\":\"MINJI@Example.KR\",\"password\":\"another-long-pass\","
				    "\"display_name\":\"민지\",\"ladder_stage\":\"worker\", " HARNESS_CONSENT "}",
				    &r),
			 0);
	assert_int_equal(r.status, 409);
	assert_code(&r, "email_taken");
	http_result_release(&r);

	/* A field the contract does not have is refused, not ignored. */
	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/register",
				    "{\"email\":\"x@example.com\",\"password\":\"long-enough-2026\","
				    "\"display_name\":\"X\",\"ladder_stage\":\"general\","
				    "\"is_admin\":true, " HARNESS_CONSENT "}",
				    &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_true(names_field(&r, "is_admin"));
	http_result_release(&r);

	/* Every bad value is named at once. */
	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/register",
				    "{\"email\":\"not an email\",\"password\":\"short\","
				    "\"display_name\":\" \",\"ladder_stage\":\"astronaut\","
				    "\"locale\":\"fr\", " HARNESS_CONSENT "}",
				    &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_code(&r, "validation_failed");
	assert_true(names_field(&r, "email"));
	assert_true(names_field(&r, "password"));
	assert_true(names_field(&r, "display_name"));
	assert_true(names_field(&r, "ladder_stage"));
	assert_true(names_field(&r, "locale"));
	http_result_release(&r);

	/* Password rules: common, the email itself, NUL, too long. */
	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/register",
				    "{\"email\":\"a1@example.com\",\"password\":\"1234567890\","
				    "\"display_name\":\"A\",\"ladder_stage\":\"general\", " HARNESS_CONSENT "}",
				    &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_true(names_field(&r, "password"));
	assert_contains(r.body, "too common");
	http_result_release(&r);
	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/register",
				    "{\"email\":\"longname@example.com\",\"password\":"
				    "\"LongName@Example.com\",\"display_name\":\"A\","
				    "\"ladder_stage\":\"general\", " HARNESS_CONSENT "}",
				    &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_contains(r.body, "your email address");
	http_result_release(&r);
	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/register",
				    "{\"email\":\"nul@example.com\",\"password\":\"abcdefghij\\u0000klm\","
				    "\"display_name\":\"A\",\"ladder_stage\":\"general\", " HARNESS_CONSENT "}",
				    &r),
			 0);
	/* jansson refuses \u0000 in strings outright. */
	assert_int_equal(r.status, 400);
	http_result_release(&r);

	/* Types, and an affiliation that names no institution. */
	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/register",
				    "{\"email\":5,\"password\":true,\"display_name\":[],"
				    "\"ladder_stage\":null, " HARNESS_CONSENT "}",
				    &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_true(names_field(&r, "email") && names_field(&r, "password") &&
		    names_field(&r, "display_name") && names_field(&r, "ladder_stage"));
	http_result_release(&r);
	/* A wrong type and bad values together: each named, once. */
	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/register",
				    "{\"email\":5,\"password\":\"short\",\"display_name\":\"A\","
				    "\"ladder_stage\":\"wizard\",\"locale\":\"fr\","
				    "\"affiliation_institution_id\":0, " HARNESS_CONSENT "}",
				    &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_code(&r, "validation_failed");
	assert_int_equal(times_named(&r, "email"), 1);
	assert_int_equal(times_named(&r, "password"), 1);
	assert_int_equal(times_named(&r, "ladder_stage"), 1);
	assert_int_equal(times_named(&r, "locale"), 1);
	assert_int_equal(times_named(&r, "affiliation_institution_id"), 1);
	assert_int_equal(times_named(&r, "display_name"), 0);
	assert_contains(r.body, "must be one of preschool");
	assert_contains(r.body, "must be ko or en");
	http_result_release(&r);
	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/register",
				    "{\"email\":\"aff@example.com\",\"password\":\"affiliation-2026\","
				    "\"display_name\":\"A\",\"ladder_stage\":\"worker\","
				    "\"affiliation_institution_id\":999999, " HARNESS_CONSENT "}",
				    &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_true(names_field(&r, "affiliation_institution_id"));
	http_result_release(&r);
	snprintf(sql, sizeof(sql),
		 "{\"email\":\"aff@example.com\",\"password\":\"affiliation-2026\","
		 "\"display_name\":\"A\",\"ladder_stage\":\"worker\","
		 "\"affiliation_institution_id\":%lld, " HARNESS_CONSENT "}",
		 gist_id);
	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/register", sql, &r), 0);
	assert_int_equal(r.status, 201);
	j = harness_json_body(&r);
	/* An affiliation given at sign-up is a claim until it is verified. */
	assert_true(json_is_null(json_object_get(j, "affiliation_institution_id")));
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(j, "affiliation_claim"), "institution_id")),
			 gist_id);
	json_decref(j);
	http_result_release(&r);

	/* Not a JSON object; not JSON at all. */
	assert_int_equal(harness_status_as(&server, NULL, "POST", "/api/v1/auth/register", "[]"),
			 400);
	assert_int_equal(harness_status_as(&server, NULL, "POST", "/api/v1/auth/register", "{"),
			 400);
	/* Nothing half-written by any of the refusals. */
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM users WHERE email IN"
						  " ('a1@example.com', 'longname@example.com',"
						  " 'nul@example.com')"),
			 0);
}

static void login_cookie_and_me(void **state)
{
	struct http_result r = {0};
	struct harness_actor a, b;
	char cookie[512], where[256], sql[512], hdr_cookie[300];
	const char *headers[3];
	json_t *j, *wrong, *unknown;

	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/login",
				    "{\"email\":\"Learner@Example.com\",\"password\":\"" DEMO_PASSWORD
				    "\"}",
				    &r),
			 0);
	assert_int_equal(r.status, 200);
	assert_non_null(http_result_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
	assert_int_equal(strncmp(cookie, "__Host-lms_session=", 19), 0);
	assert_contains(cookie, "; Path=/");
	assert_contains(cookie, "; Secure");
	assert_contains(cookie, "; HttpOnly");
	assert_contains(cookie, "; SameSite=Lax");
	assert_null(strcasestr(cookie, "domain"));
	j = harness_json_body(&r);
	assert_int_equal(strlen(json_string_value(json_object_get(j, "csrf_token"))), 43);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "user"), "email")),
			    "learner@example.com");
	json_decref(j);
	http_result_release(&r);

	a = login("learner@example.com");
	b = login("learner@example.com");
	/* A new token at every sign-in; the database holds only its digest. */
	assert_string_not_equal(a.cookie, b.cookie);
	session_where(&a, where, sizeof(where));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM auth_sessions WHERE %s", where);
	assert_int_equal(harness_sql_ll(conninfo, sql), 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM auth_sessions s WHERE s::text LIKE '%%%s%%'",
		 strchr(a.cookie, '=') + 1);
	assert_int_equal(harness_sql_ll(conninfo, sql), 0);

	/* Signing in while holding a cookie never keeps that cookie's token
	 * (no fixation). */
	snprintf(hdr_cookie, sizeof(hdr_cookie), "Cookie: %s", a.cookie);
	headers[0] = "Content-Type: application/json";
	headers[1] = hdr_cookie;
	headers[2] = NULL;
	assert_int_equal(harness_request_once(&server, "POST", "/api/v1/auth/login", headers,
					      "{\"email\":\"learner@example.com\",\"password\":\"" DEMO_PASSWORD
					      "\"}",
					      &r),
			 0);
	assert_int_equal(r.status, 200);
	assert_non_null(http_result_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
	assert_null(strstr(cookie, strchr(a.cookie, '=') + 1));
	http_result_release(&r);

	assert_int_equal(harness_as(&server, &a, "GET", "/api/v1/me", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	j = harness_json_body(&r);
	assert_string_equal(json_string_value(json_object_get(j, "email")), "learner@example.com");
	assert_string_equal(json_string_value(json_object_get(j, "csrf_token")), a.csrf);
	assert_true(json_is_array(json_object_get(j, "roles")));
	json_decref(j);
	http_result_release(&r);
	assert_int_equal(harness_as(&server, NULL, "GET", "/api/v1/me", NULL, &r), 0);
	assert_int_equal(r.status, 401);
	assert_code(&r, "unauthenticated");
	http_result_release(&r);

	/* An unknown email and a wrong password get the very same answer. */
	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/login",
				    "{\"email\":\"learner@example.com\",\"password\":\"wrong-password-1\"}",
				    &r),
			 0);
	assert_int_equal(r.status, 401);
	wrong = harness_json_body(&r);
	http_result_release(&r);
	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/login",
				    "{\"email\":\"nobody@example.com\",\"password\":\"wrong-password-1\"}",
				    &r),
			 0);
	assert_int_equal(r.status, 401);
	unknown = harness_json_body(&r);
	http_result_release(&r);
	assert_string_equal(json_string_value(json_object_get(wrong, "detail")),
			    json_string_value(json_object_get(unknown, "detail")));
	assert_string_equal(json_string_value(json_object_get(wrong, "code")),
			    json_string_value(json_object_get(unknown, "code")));
	json_decref(wrong);
	json_decref(unknown);
	assert_true(audit_count("auth.login_failed") >= 2);
	assert_true(audit_count("auth.login") >= 3);
}

static void csrf_and_logout(void **state)
{
	struct harness_actor a = login("learner@example.com"), forged;
	struct http_result r = {0};
	char hdr[300], cookie[512], sql[512], q[700];
	const char *headers[] = {hdr, NULL};

	snprintf(hdr, sizeof(hdr), "Cookie: %s", a.cookie);
	/* A change by cookie without the CSRF token is refused... */
	assert_int_equal(harness_request_once(&server, "POST", "/api/v1/auth/logout", headers, NULL,
					      &r),
			 0);
	assert_int_equal(r.status, 403);
	assert_code(&r, "csrf_failed");
	http_result_release(&r);
	/* ...and with another session's token too. */
	forged = a;
	snprintf(forged.csrf, sizeof(forged.csrf), "%s", login("learner@example.com").csrf);
	assert_int_equal(harness_as(&server, &forged, "POST", "/api/v1/auth/logout", NULL, &r), 0);
	assert_int_equal(r.status, 403);
	assert_code(&r, "csrf_failed");
	http_result_release(&r);
	/* Reading needs none. */
	assert_int_equal(harness_request_once(&server, "GET", "/api/v1/me", headers, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	http_result_release(&r);

	assert_int_equal(harness_as(&server, &a, "POST", "/api/v1/auth/logout", NULL, &r), 0);
	assert_int_equal(r.status, 204);
	assert_non_null(http_result_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
	assert_contains(cookie, "Max-Age=0");
	http_result_release(&r);
	session_where(&a, sql, sizeof(sql));
	snprintf(q, sizeof(q), "SELECT count(*) FROM auth_sessions WHERE %s", sql);
	assert_int_equal(harness_sql_ll(conninfo, q), 0);
	assert_int_equal(harness_status_as(&server, &a, "GET", "/api/v1/me", NULL), 401);
	assert_true(audit_count("auth.logout") >= 1);
}

static void password_change(void **state)
{
	struct harness_actor a, b;
	struct http_result r = {0};

	assert_int_equal(harness_status_as(&server, NULL, "POST", "/api/v1/auth/register",
					   "{\"email\":\"change@example.com\",\"password\":"
					   "\"first-password-2026\",\"display_name\":\"C\","
					   "\"ladder_stage\":\"worker\", " HARNESS_CONSENT "}"),
			 201);
	assert_int_equal(harness_login(&server, "change@example.com", "first-password-2026", &a), 0);
	assert_int_equal(harness_login(&server, "change@example.com", "first-password-2026", &b), 0);

	assert_int_equal(harness_as(&server, &a, "POST", "/api/v1/me/password",
				    "{\"current_password\":\"wrong-password-1\","
				    "\"new_password\":\"second-password-2026\"}",
				    &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_true(names_field(&r, "current_password"));
	http_result_release(&r);
	assert_int_equal(harness_as(&server, &a, "POST", "/api/v1/me/password",
				    "{\"current_password\":\"first-password-2026\","
				    "\"new_password\":\"change@example.com\"}",
				    &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_true(names_field(&r, "new_password"));
	http_result_release(&r);
	assert_int_equal(harness_as(&server, &a, "POST", "/api/v1/me/password",
				    "{\"current_password\":5,\"new_password\":\"change@example.com\"}",
				    &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_int_equal(times_named(&r, "current_password"), 1);
	assert_int_equal(times_named(&r, "new_password"), 1);
	http_result_release(&r);

	assert_int_equal(harness_status_as(&server, &a, "POST", "/api/v1/me/password",
					   "{\"current_password\":\"first-password-2026\","
					   "\"new_password\":\"second-password-2026\"}"),
			 204);
	/* The session that changed it lives on; every other one ends. */
	assert_int_equal(harness_status_as(&server, &a, "GET", "/api/v1/me", NULL), 200);
	assert_int_equal(harness_status_as(&server, &b, "GET", "/api/v1/me", NULL), 401);
	assert_int_equal(login_status("change@example.com", "first-password-2026"), 401);
	assert_int_equal(login_status("change@example.com", "second-password-2026"), 200);
	assert_int_equal(audit_count("user.password_change"), 1);
}

static void session_expiry(void **state)
{
	struct harness_actor a = login("learner@example.com");
	struct http_result r = {0};
	char sql[512], q[800], cookie[512];

	session_where(&a, sql, sizeof(sql));
	/* Used 29 minutes ago: still alive, and now marked used. */
	snprintf(q, sizeof(q),
		 "UPDATE auth_sessions SET last_seen_at = now() - interval '29 minutes' WHERE %s",
		 sql);
	assert_int_equal(harness_sql(conninfo, q), 0);
	assert_int_equal(harness_status_as(&server, &a, "GET", "/api/v1/me", NULL), 200);
	snprintf(q, sizeof(q),
		 "SELECT count(*) FROM auth_sessions WHERE %s AND last_seen_at > now() - "
		 "interval '1 minute'",
		 sql);
	assert_int_equal(harness_sql_ll(conninfo, q), 1);

	/* Idle for 31 minutes: over. */
	snprintf(q, sizeof(q),
		 "UPDATE auth_sessions SET last_seen_at = now() - interval '31 minutes' WHERE %s",
		 sql);
	assert_int_equal(harness_sql(conninfo, q), 0);
	assert_int_equal(harness_as(&server, &a, "GET", "/api/v1/me", NULL, &r), 0);
	assert_int_equal(r.status, 401);
	assert_contains(r.body, "session has ended");
	assert_non_null(http_result_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
	assert_contains(cookie, "Max-Age=0");
	http_result_release(&r);

	/* Busy, but past its absolute lifetime: over too. */
	a = login("learner@example.com");
	session_where(&a, sql, sizeof(sql));
	snprintf(q, sizeof(q),
		 "UPDATE auth_sessions SET created_at = now() - interval '12 hours',"
		 " expires_at = now() - interval '1 second' WHERE %s",
		 sql);
	assert_int_equal(harness_sql(conninfo, q), 0);
	assert_int_equal(harness_status_as(&server, &a, "GET", "/api/v1/me", NULL), 401);
	/* Its lifetime is the configured 12 hours. */
	a = login("learner@example.com");
	session_where(&a, sql, sizeof(sql));
	snprintf(q, sizeof(q),
		 "SELECT count(*) FROM auth_sessions WHERE %s AND expires_at - created_at"
		 " BETWEEN interval '11 hours 59 minutes' AND interval '12 hours 1 minute'",
		 sql);
	assert_int_equal(harness_sql_ll(conninfo, q), 1);
}

static void lockout_and_its_end(void **state)
{
	struct http_result r = {0};
	char retry[32];
	long long user_id =
		harness_sql_ll(conninfo, "SELECT id FROM users WHERE email = 'instructor@example.com'");
	char q[256];

	for (int i = 0; i < 5; i++)
		assert_int_equal(login_status("instructor@example.com", "not-the-password"), 401);
	/* Locked: even the right password waits out the window. */
	assert_int_equal(harness_as(&server, NULL, "POST", "/api/v1/auth/login",
				    "{\"email\":\"instructor@example.com\",\"password\":\"" DEMO_PASSWORD
				    "\"}",
				    &r),
			 0);
	assert_int_equal(r.status, 429);
	assert_code(&r, "too_many_attempts");
	assert_non_null(http_result_header(&r, "Retry-After", retry, sizeof(retry)));
	assert_true(atoi(retry) >= 1 && atoi(retry) <= 900);
	http_result_release(&r);
	/* The email's case does not get around it. */
	assert_int_equal(login_status("INSTRUCTOR@example.com", DEMO_PASSWORD), 429);
	snprintf(q, sizeof(q),
		 "SELECT count(*) FROM audit_log WHERE action = 'auth.lockout' AND target_id = %lld",
		 user_id);
	assert_int_equal(harness_sql_ll(conninfo, q), 1);

	/* The window passes. */
	assert_int_equal(harness_sql(conninfo, "UPDATE login_attempts SET at = at - interval "
					       "'15 minutes 1 second'"),
			 0);
	assert_int_equal(login_status("instructor@example.com", DEMO_PASSWORD), 200);

	/* A success starts the count again: 4 failures, a success, 4 more. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(login_status("instructor@example.com", "not-the-password"), 401);
	assert_int_equal(login_status("instructor@example.com", DEMO_PASSWORD), 200);
	for (int i = 0; i < 4; i++)
		assert_int_equal(login_status("instructor@example.com", "not-the-password"), 401);
	assert_int_equal(login_status("instructor@example.com", DEMO_PASSWORD), 200);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return v[n / 2];
}

/* Twenty failures from one address, each for another email, lock nobody
 * out: a correct password from the same address (a campus shares one) gets
 * in, and only the address's further failures are answered late. */
static void address_throttle(void **state)
{
	char email[64];
	double t;

	for (int i = 0; i < 20; i++) {
		snprintf(email, sizeof(email), "spray%d@example.com", i);
		assert_int_equal(login_status(email, "guess-password-1"), 401);
	}
	assert_int_equal(login_status("learner@example.com", DEMO_PASSWORD), 200);
	assert_true(harness_sql_ll(conninfo, "SELECT count(*) FROM audit_log WHERE action ="
					     " 'auth.throttle' AND detail->>'scope' = 'address'") == 1);
	t = harness_now();
	assert_int_equal(login_status("spray-late@example.com", "guess-password-1"), 401);
	assert_true(harness_now() - t >= 0.25);
	assert_int_equal(login_status("instructor@example.com", DEMO_PASSWORD), 200);
}

/* At a real cost, an unknown email takes as long as a wrong password; and a
 * stored hash below the configured cost is upgraded at sign-in. */
static void timing_and_rehash(void **state)
{
	const char *env[] = {"LMS_PASSWORD_HASH_ITERATIONS=200000", NULL};
	struct lms_server costly;
	struct harness_actor a;
	double unknown[5], wrong[5], t, ratio;
	char email[64];

	assert_int_equal(harness_server_start(&costly, conninfo, env), 0);
	assert_int_equal(harness_login(&costly, "learner@example.com", DEMO_PASSWORD, &a), 0);
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM users WHERE email ="
						  " 'learner@example.com' AND password_hash LIKE"
						  " 'pbkdf2_sha256$200000$%'"),
			 1);
	assert_int_equal(harness_sql(conninfo, "DELETE FROM login_attempts"), 0);

	for (int i = 0; i < 5; i++) {
		struct harness_actor none;

		snprintf(email, sizeof(email), "ghost%d@example.com", i);
		t = harness_now();
		assert_int_equal(harness_login(&costly, email, "wrong-password-1", &none), 401);
		unknown[i] = harness_now() - t;
		/* Four wrong passwords stay under the account limit. */
		if (i < 4) {
			t = harness_now();
			assert_int_equal(harness_login(&costly, "learner@example.com",
						       "wrong-password-1", &none),
					 401);
			wrong[i] = harness_now() - t;
		}
	}
	wrong[4] = wrong[3];
	ratio = median(unknown, 5) / median(wrong, 5);
	print_message("sign-in time: unknown email %.1f ms, wrong password %.1f ms (ratio %.2f)\n",
		      median(unknown, 5) * 1e3, median(wrong, 5) * 1e3, ratio);
	if (ratio < 0.5 || ratio > 2.0)
		fail_msg("unknown email and wrong password differ in time by %.2fx", ratio);
	assert_int_equal(harness_server_stop(&costly), 0);
}

static void tokens(void **state)
{
	struct harness_actor gist = login("gist-admin@example.com");
	struct harness_actor jnu = login("chonnam-admin@example.com");
	struct harness_actor admin = login("admin@example.com");
	struct harness_actor tok = {0}, narrow = {0}, metrics = {0};
	struct http_result r = {0};
	char path[128], q[512], body[256];
	long long id;
	json_t *j;

	assert_int_equal(harness_as(&server, &gist, "POST", "/api/v1/tokens",
				    "{\"name\":\"야간 보고서\",\"scopes\":[\"reports:read\","
				    "\"audit:read\"],\"expires_in_days\":30}",
				    &r),
			 0);
	assert_int_equal(r.status, 201);
	j = harness_json_body(&r);
	snprintf(tok.token, sizeof(tok.token), "%s", json_string_value(json_object_get(j, "token")));
	id = json_integer_value(json_object_get(j, "id"));
	assert_int_equal(strncmp(tok.token, "lms_", 4), 0);
	assert_int_equal(strlen(tok.token), 47);
	assert_int_equal(json_integer_value(json_object_get(j, "institution_id")), gist_id);
	assert_int_equal(json_array_size(json_object_get(j, "scopes")), 2);
	assert_non_null(json_object_get(j, "expires_at"));
	json_decref(j);
	http_result_release(&r);
	/* Stored only as a digest. */
	snprintf(q, sizeof(q),
		 "SELECT count(*) FROM api_tokens WHERE token_hash = sha256(convert_to('%s',"
		 " 'UTF8'))",
		 tok.token);
	assert_int_equal(harness_sql_ll(conninfo, q), 1);
	snprintf(q, sizeof(q), "SELECT count(*) FROM api_tokens t WHERE t::text LIKE '%%%s%%'",
		 tok.token + 16);
	assert_int_equal(harness_sql_ll(conninfo, q), 0);
	/* Shown once: lists never carry it. */
	assert_int_equal(harness_as(&server, &gist, "GET", "/api/v1/tokens", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_contains(r.body, "\"items\"");
	assert_null(strstr(r.body, tok.token + 4));
	assert_null(strstr(r.body, "\"token\""));
	http_result_release(&r);

	/* Used within its scope and institution: recorded, with its time. */
	assert_int_equal(harness_as(&server, &tok, "GET", "/api/v1/audit", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	http_result_release(&r);
	snprintf(q, sizeof(q), "SELECT count(*) FROM api_tokens WHERE id = %lld AND last_used_at"
			       " IS NOT NULL", id);
	assert_int_equal(harness_sql_ll(conninfo, q), 1);
	snprintf(q, sizeof(q), "SELECT count(*) FROM audit_log WHERE action = 'token.use' AND"
			       " actor_token_id = %lld AND institution_id = %lld", id, gist_id);
	assert_true(harness_sql_ll(conninfo, q) >= 1);
	/* Never more than its institution and scopes. */
	snprintf(path, sizeof(path), "/api/v1/audit?institution_id=%lld", jnu_id);
	assert_int_equal(harness_status_as(&server, &tok, "GET", path, NULL), 403);
	assert_int_equal(harness_status_as(&server, &tok, "GET", "/metrics", NULL), 403);
	assert_int_equal(harness_status_as(&server, &tok, "GET", "/api/v1/me", NULL), 403);
	assert_int_equal(harness_status_as(&server, &tok, "POST", "/api/v1/tokens",
					   "{\"name\":\"x\",\"scopes\":[\"audit:read\"]}"),
			 403);
	assert_int_equal(harness_as(&server, &gist, "POST", "/api/v1/tokens",
				    "{\"name\":\"reports only\",\"scopes\":[\"reports:read\"]}", &r),
			 0);
	j = harness_json_body(&r);
	snprintf(narrow.token, sizeof(narrow.token), "%s",
		 json_string_value(json_object_get(j, "token")));
	json_decref(j);
	http_result_release(&r);
	assert_int_equal(harness_status_as(&server, &narrow, "GET", "/api/v1/audit", NULL), 403);

	/* No admin mints more than they hold, or nonsense. */
	assert_int_equal(harness_as(&server, &gist, "POST", "/api/v1/tokens",
				    "{\"name\":\"x\",\"scopes\":[\"metrics:read\"]}", &r),
			 0);
	assert_int_equal(r.status, 403);
	http_result_release(&r);
	snprintf(body, sizeof(body), "{\"name\":\"x\",\"scopes\":[\"reports:read\"],"
				     "\"institution_id\":%lld}", jnu_id);
	assert_int_equal(harness_status_as(&server, &gist, "POST", "/api/v1/tokens", body), 403);
	assert_int_equal(harness_as(&server, &gist, "POST", "/api/v1/tokens",
				    "{\"name\":\"x\",\"scopes\":[\"everything\"],"
				    "\"expires_in_days\":366}",
				    &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_true(names_field(&r, "scopes") && names_field(&r, "expires_in_days"));
	http_result_release(&r);
	assert_int_equal(harness_as(&server, &gist, "POST", "/api/v1/tokens",
				    "{\"name\":\"\",\"scopes\":\"reports:read\","
				    "\"expires_in_days\":0,\"institution_id\":0}",
				    &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_int_equal(times_named(&r, "name"), 1);
	assert_int_equal(times_named(&r, "scopes"), 1);
	assert_int_equal(times_named(&r, "expires_in_days"), 1);
	assert_int_equal(times_named(&r, "institution_id"), 1);
	assert_contains(r.body, "must be from 1 to 365");
	http_result_release(&r);
	assert_int_equal(harness_status_as(&server, &gist, "POST", "/api/v1/tokens",
					   "{\"name\":\"x\",\"scopes\":[]}"),
			 400);

	/* Revocation: another institution cannot even see it; its own can. */
	snprintf(path, sizeof(path), "/api/v1/tokens/%lld", id);
	assert_int_equal(harness_status_as(&server, &jnu, "DELETE", path, NULL), 404);
	assert_int_equal(harness_status_as(&server, &gist, "DELETE", path, NULL), 204);
	assert_int_equal(harness_as(&server, &tok, "GET", "/api/v1/audit", NULL, &r), 0);
	assert_int_equal(r.status, 401);
	assert_non_null(http_result_header(&r, "WWW-Authenticate", q, sizeof(q)));
	http_result_release(&r);
	assert_true(audit_count("token.create") >= 2);
	assert_true(audit_count("token.revoke") == 1);

	/* Expired is as good as revoked. */
	assert_int_equal(harness_sql(conninfo, "UPDATE api_tokens SET expires_at = now() -"
					       " interval '1 second' WHERE name = 'reports only'"),
			 0);
	assert_int_equal(harness_status_as(&server, &narrow, "GET", "/api/v1/audit", NULL), 401);

	/* The operating committee may mint a metrics token for a scraper. */
	snprintf(body, sizeof(body), "{\"name\":\"prometheus\",\"scopes\":[\"metrics:read\"],"
				     "\"institution_id\":%lld}", gist_id);
	assert_int_equal(harness_as(&server, &admin, "POST", "/api/v1/tokens", body, &r), 0);
	assert_int_equal(r.status, 201);
	j = harness_json_body(&r);
	snprintf(metrics.token, sizeof(metrics.token), "%s",
		 json_string_value(json_object_get(j, "token")));
	json_decref(j);
	http_result_release(&r);
	assert_int_equal(harness_status_as(&server, &metrics, "GET", "/metrics", NULL), 200);
	/* A platform admin lists every institution's tokens. */
	assert_int_equal(harness_as(&server, &admin, "GET", "/api/v1/tokens?limit=2", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	j = harness_json_body(&r);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 2);
	assert_true(json_is_string(json_object_get(j, "next_cursor")));
	snprintf(path, sizeof(path), "/api/v1/tokens?limit=2&cursor=%s",
		 json_string_value(json_object_get(j, "next_cursor")));
	json_decref(j);
	http_result_release(&r);
	assert_int_equal(harness_as(&server, &admin, "GET", path, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	j = harness_json_body(&r);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
	assert_true(json_is_null(json_object_get(j, "next_cursor")));
	json_decref(j);
	http_result_release(&r);
	assert_int_equal(harness_status_as(&server, &admin, "GET", "/api/v1/tokens?limit=101", NULL),
			 400);
	assert_int_equal(harness_status_as(&server, &admin, "GET", "/api/v1/tokens?cursor=zzz", NULL),
			 400);
}

static void roles(void **state)
{
	struct harness_actor gist = login("gist-admin@example.com");
	struct harness_actor admin = login("admin@example.com");
	struct harness_actor learner = login("learner@example.com");
	long long learner_id =
		harness_sql_ll(conninfo, "SELECT id FROM users WHERE email = 'learner@example.com'");
	long long admin_id =
		harness_sql_ll(conninfo, "SELECT id FROM users WHERE email = 'admin@example.com'");
	struct http_result r = {0};
	char body[256];

	snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role\":\"instructor\",\"institution_id\":%lld}",
		 learner_id, gist_id);
	assert_int_equal(harness_status_as(&server, &gist, "POST", "/api/v1/roles", body), 201);
	assert_int_equal(harness_status_as(&server, &gist, "POST", "/api/v1/roles", body), 200);
	/* Effective at once, in the learner's running session. */
	assert_int_equal(harness_as(&server, &learner, "GET", "/api/v1/me", NULL, &r), 0);
	assert_contains(r.body, "\"instructor\"");
	http_result_release(&r);
	assert_int_equal(harness_status_as(&server, &gist, "DELETE", "/api/v1/roles", body), 204);
	assert_int_equal(harness_status_as(&server, &gist, "DELETE", "/api/v1/roles", body), 404);

	/* Only within the admin's own institution, and never platform-wide. */
	snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role\":\"instructor\",\"institution_id\":%lld}",
		 learner_id, jnu_id);
	assert_int_equal(harness_status_as(&server, &gist, "POST", "/api/v1/roles", body), 403);
	snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role\":\"platform_admin\"}", learner_id);
	assert_int_equal(harness_status_as(&server, &gist, "POST", "/api/v1/roles", body), 403);
	assert_int_equal(harness_as(&server, &gist, "POST", "/api/v1/roles",
				    "{\"user_id\":1,\"role\":\"learner\"}", &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_true(names_field(&r, "role"));
	http_result_release(&r);
	snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role\":\"institution_admin\"}",
		 learner_id);
	assert_int_equal(harness_status_as(&server, &gist, "POST", "/api/v1/roles", body), 400);
	snprintf(body, sizeof(body), "{\"user_id\":999999,\"role\":\"instructor\","
				     "\"institution_id\":%lld}", gist_id);
	assert_int_equal(harness_status_as(&server, &gist, "POST", "/api/v1/roles", body), 404);

	/* The platform cannot lose its last administrator. */
	snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role\":\"platform_admin\"}", admin_id);
	assert_int_equal(harness_as(&server, &admin, "DELETE", "/api/v1/roles", body, &r), 0);
	assert_int_equal(r.status, 409);
	assert_code(&r, "last_platform_admin");
	http_result_release(&r);
	snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role\":\"platform_admin\"}", learner_id);
	assert_int_equal(harness_status_as(&server, &admin, "POST", "/api/v1/roles", body), 201);
	assert_int_equal(harness_status_as(&server, &admin, "DELETE", "/api/v1/roles", body), 204);

	assert_true(audit_count("role.grant") >= 2);
	assert_true(audit_count("role.revoke") >= 2);
	snprintf(body, sizeof(body), "SELECT count(*) FROM audit_log WHERE action = 'role.grant'"
				     " AND target_id = %lld AND institution_id = %lld", learner_id,
		 gist_id);
	assert_int_equal(harness_sql_ll(conninfo, body), 1);
}

static void audit_trail(void **state)
{
	struct harness_actor gist = login("gist-admin@example.com");
	struct harness_actor admin = login("admin@example.com");
	struct http_result r = {0};
	char path[128];
	json_t *j, *row;
	size_t i;

	/* An institution admin sees its own institution's rows only. */
	assert_int_equal(harness_as(&server, &gist, "GET", "/api/v1/audit?limit=100", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	j = harness_json_body(&r);
	assert_true(json_array_size(json_object_get(j, "items")) > 0);
	json_array_foreach(json_object_get(j, "items"), i, row)
		assert_int_equal(json_integer_value(json_object_get(row, "institution_id")), gist_id);
	json_decref(j);
	http_result_release(&r);
	snprintf(path, sizeof(path), "/api/v1/audit?institution_id=%lld", jnu_id);
	assert_int_equal(harness_status_as(&server, &gist, "GET", path, NULL), 403);
	/* The operating committee sees sign-ins too, with their address. */
	assert_int_equal(harness_as(&server, &admin, "GET", "/api/v1/audit?limit=100", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_contains(r.body, "\"auth.login\"");
	assert_contains(r.body, "\"remote_addr\":\"127.0.0.1\"");
	http_result_release(&r);
	/* Reading the trail is itself in the trail. */
	assert_true(audit_count("audit.read") >= 2);
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM audit_log WHERE action IS"
						  " NULL OR at IS NULL"),
			 0);
}

/* The items of GET path as a, which must answer 200 (new reference). */
static json_t *audit_items(const struct harness_actor *a, const char *path)
{
	struct http_result r = {0};
	json_t *j, *items;

	assert_int_equal(harness_as(&server, a, "GET", path, NULL, &r), 0);
	if (r.status != 200)
		fail_msg("GET %s: %ld %s", path, r.status, r.body);
	j = harness_json_body(&r);
	items = json_incref(json_object_get(j, "items"));
	assert_non_null(items);
	json_decref(j);
	http_result_release(&r);
	return items;
}

/* Fails unless items has rows and field of every one is want (a string or
 * an integer). */
static void each_row_has(json_t *items, const char *field, const json_t *want)
{
	json_t *row;
	size_t i;

	if (!json_array_size(items))
		fail_msg("no rows to check %s on", field);
	json_array_foreach(items, i, row)
		if (!json_equal(json_object_get(row, field), (json_t *)want))
			fail_msg("row %zu: %s is not the filter's", i, field);
}

static void audit_filters(void **state)
{
	static const char *const refused[] = {
		"/api/v1/audit?bogus=1", "/api/v1/audit?actor_user_id=x",
		"/api/v1/audit?from=yesterday", "/api/v1/audit?from=2027-01-02&to=2027-01-01",
		"/api/v1/audit?action=", "/api/v1/audit?target_id=-1"};
	struct harness_actor gist = login("gist-admin@example.com");
	struct harness_actor admin = login("admin@example.com");
	json_t *items, *v;
	char path[160];

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_int_equal(harness_status_as(&server, &admin, "GET", refused[i], NULL), 400);
	items = audit_items(&admin, "/api/v1/audit?action=auth.login&limit=100");
	each_row_has(items, "action", v = json_string("auth.login"));
	json_decref(v);
	json_decref(items);
	snprintf(path, sizeof(path), "/api/v1/audit?actor_user_id=%lld&limit=100", gist.user_id);
	items = audit_items(&admin, path);
	each_row_has(items, "actor_user_id", v = json_integer(gist.user_id));
	json_decref(v);
	json_decref(items);
	/* A target is a type and an id together. */
	snprintf(path, sizeof(path), "/api/v1/audit?target_type=user&target_id=%lld&limit=100",
		 gist.user_id);
	items = audit_items(&admin, path);
	each_row_has(items, "target_id", v = json_integer(gist.user_id));
	json_decref(v);
	each_row_has(items, "target_type", v = json_string("user"));
	json_decref(v);
	json_decref(items);
	/* [from, to): the trail began after 2000 and ends before 2999. */
	items = audit_items(&admin, "/api/v1/audit?from=2999-01-01");
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	items = audit_items(&admin, "/api/v1/audit?to=2000-01-01T00:00:00%2B09:00");
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	items = audit_items(&admin, "/api/v1/audit?from=2000-01-01&to=2999-01-01&action=auth.login");
	assert_true(json_array_size(items) > 0);
	json_decref(items);
	/* A filter narrows an institution admin's view, never widens it (its
	 * own readings of the trail are its institution's rows). */
	json_decref(audit_items(&gist, "/api/v1/audit?limit=1"));
	items = audit_items(&gist, "/api/v1/audit?action=audit.read&limit=100");
	each_row_has(items, "institution_id", v = json_integer(gist_id));
	json_decref(v);
	json_decref(items);
	snprintf(path, sizeof(path), "/api/v1/audit?institution_id=%lld&action=auth.login", jnu_id);
	assert_int_equal(harness_status_as(&server, &gist, "GET", path, NULL), 403);
}

/* The server's role can append to the audit log but not rewrite it, and
 * cannot change the schema; the server will not run with more. */
static void least_privilege(void **state)
{
	char app[1100], dir[] = "/tmp/lms-test-priv-XXXXXX", out[8192], port[32], env_db[1100],
						      env_app[1200], env_dir[64], env_static[4200],
						      env_mig[4200];
	const char *argv[] = {"serve", NULL};
	const char *env[] = {env_db, env_app, env_dir, env_static, env_mig, port, NULL};

	snprintf(app, sizeof(app), "%s user=lms_app", conninfo);
	assert_int_equal(harness_sql_ll(app, "SELECT count(*) FROM pg_roles WHERE rolname ="
					     " current_user AND NOT rolsuper"),
			 1);
	assert_int_equal(harness_sql(app, "INSERT INTO audit_log (action) VALUES ('test.append')"),
			 0);
	assert_int_not_equal(harness_sql(app, "UPDATE audit_log SET action = 'rewritten'"), 0);
	assert_int_not_equal(harness_sql(app, "DELETE FROM audit_log"), 0);
	assert_int_not_equal(harness_sql(app, "TRUNCATE audit_log"), 0);
	assert_int_not_equal(harness_sql(app, "CREATE TABLE intruder (x int)"), 0);
	assert_int_not_equal(harness_sql(app, "ALTER TABLE users ADD COLUMN intruder int"), 0);
	assert_int_not_equal(harness_sql(app, "DROP TABLE login_attempts"), 0);
	assert_int_not_equal(harness_sql(app, "UPDATE institutions SET name_en = 'x'"), 0);

	/* Told to connect as a superuser, serve refuses. */
	assert_non_null(mkdtemp(dir));
	snprintf(env_db, sizeof(env_db), "LMS_DATABASE_URL=%s", conninfo);
	snprintf(env_app, sizeof(env_app), "LMS_APP_DATABASE_URL=%s", conninfo);
	snprintf(env_dir, sizeof(env_dir), "LMS_DATA_DIR=%s", dir);
	snprintf(env_static, sizeof(env_static), "LMS_STATIC_DIR=%s/static", harness_source_dir());
	snprintf(env_mig, sizeof(env_mig), "LMS_MIGRATIONS_DIR=%s/migrations", harness_source_dir());
	snprintf(port, sizeof(port), "LMS_HTTPS_PORT=%d", harness_free_port());
	assert_int_equal(harness_lms_run(argv, env, out, sizeof(out)), 1);
	assert_contains(out, "refusing to serve as");
	assert_contains(out, "superuser");
	snprintf(out, sizeof(out), "rm -rf %s", dir);
	assert_int_equal(system(out), 0);
}

static void admin_create_cli(void **state)
{
	char env_db[1100], env_mig[4200], out[8192];
	const char *env[] = {env_db, env_mig, "LMS_PASSWORD_HASH_ITERATIONS=1000",
			     "LMS_ADMIN_PASSWORD=committee-chair-2026", NULL};
	const char *weak_env[] = {env_db, env_mig, "LMS_ADMIN_PASSWORD=short", NULL};
	const char *create[] = {"admin", "create", "--email", "chair@example.org", "--name",
				"운영위원장", NULL};
	const char *in_argv[] = {"admin", "create", "--email", "x@example.org", "--password",
				 "committee-chair-2026", NULL};
	struct http_result r = {0};
	struct harness_actor a;

	snprintf(env_db, sizeof(env_db), "LMS_DATABASE_URL=%s", conninfo);
	snprintf(env_mig, sizeof(env_mig), "LMS_MIGRATIONS_DIR=%s/migrations", harness_source_dir());
	assert_int_equal(harness_lms_run(create, env, out, sizeof(out)), 0);
	assert_contains(out, "created platform admin chair@example.org");
	assert_null(strstr(out, "committee-chair-2026"));
	assert_int_equal(harness_login(&server, "chair@example.org", "committee-chair-2026", &a), 0);
	assert_int_equal(harness_as(&server, &a, "GET", "/api/v1/me", NULL, &r), 0);
	assert_contains(r.body, "\"platform_admin\"");
	assert_contains(r.body, "운영위원장");
	http_result_release(&r);
	/* Never a password on the command line; the policy holds here too. */
	assert_int_equal(harness_lms_run(in_argv, env, out, sizeof(out)), 2);
	assert_int_equal(harness_lms_run(create, weak_env, out, sizeof(out)), 1);
	assert_contains(out, "at least 10 characters");
}

/* Secrets never reach the log or the trail. */
static void no_secrets_in_logs(void **state)
{
	char cmd[PATH_MAX + 128];

	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM audit_log a WHERE"
						  " a::text LIKE '%demo-pass-2026%' OR a::text LIKE"
						  " '%lms\\_%' OR a::text LIKE '%pbkdf2%'"),
			 0);
	snprintf(cmd, sizeof(cmd), "grep -qE 'demo-pass-2026|lms_[A-Za-z0-9_-]{43}|pbkdf2' %s",
		 server.log_path);
	assert_int_not_equal(system(cmd), 0);
}

struct storm {
	const struct lms_server *server;
	char body[128];
	pthread_t thread;
	long status;
	bool retry_after;
};

static void *storm_login(void *arg)
{
	struct storm *s = arg;
	const char *headers[] = {"Content-Type: application/json", NULL};
	struct http_result r = {0};
	char buf[32];

	s->status = -1;
	if (harness_request_once(s->server, "POST", "/api/v1/auth/login", headers, s->body, &r) ==
	    0) {
		s->status = r.status;
		s->retry_after = http_result_header(&r, "Retry-After", buf, sizeof(buf)) != NULL;
	}
	http_result_release(&r);
	return NULL;
}

/* A storm of sign-ins at a real cost gets 503 past the hash cap, never a
 * hang or another error, and the server stays responsive. Each is for
 * another email: attempts in flight count against their account (so that
 * parallel guesses cannot slip past the limit), so one account's storm
 * would be throttled before it reached the cap. */
static void login_storm_is_capped(void **state)
{
	const char *env[] = {"LMS_PASSWORD_HASH_CONCURRENCY=1",
			     "LMS_PASSWORD_HASH_ITERATIONS=2000000", NULL};
	struct lms_server costly;
	struct storm s[12];
	int refused = 0, busy = 0;

	assert_int_equal(harness_server_start(&costly, conninfo, env), 0);
	for (int i = 0; i < 12; i++) {
		s[i].server = &costly;
		snprintf(s[i].body, sizeof(s[i].body),
			 "{\"email\":\"storm%d@example.com\",\"password\":\"storm-password-2026\"}",
			 i);
		assert_int_equal(pthread_create(&s[i].thread, NULL, storm_login, &s[i]), 0);
	}
	for (int i = 0; i < 12; i++)
		pthread_join(s[i].thread, NULL);
	assert_int_equal(harness_status_as(&costly, NULL, "GET", "/healthz", NULL), 200);
	for (int i = 0; i < 12; i++) {
		if (s[i].status == 401) {
			refused++;
		} else if (s[i].status == 503) {
			busy++;
			assert_true(s[i].retry_after);
		} else {
			fail_msg("a sign-in in the storm got %ld", s[i].status);
		}
	}
	print_message("login storm: %d checked, %d told to retry\n", refused, busy);
	assert_true(refused >= 1);
	assert_true(busy >= 1);
	/* Attempts turned away unchecked count against nobody. */
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM login_attempts WHERE"
						  " email LIKE 'storm%'"),
			 refused);
	assert_int_equal(harness_server_stop(&costly), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(register_and_validation, forget_attempts),
		cmocka_unit_test_setup(login_cookie_and_me, forget_attempts),
		cmocka_unit_test_setup(csrf_and_logout, forget_attempts),
		cmocka_unit_test_setup(password_change, forget_attempts),
		cmocka_unit_test_setup(session_expiry, forget_attempts),
		cmocka_unit_test_setup(lockout_and_its_end, forget_attempts),
		cmocka_unit_test_setup(address_throttle, forget_attempts),
		cmocka_unit_test_setup(timing_and_rehash, forget_attempts),
		cmocka_unit_test_setup(tokens, forget_attempts),
		cmocka_unit_test_setup(roles, forget_attempts),
		cmocka_unit_test_setup(audit_trail, forget_attempts),
		cmocka_unit_test_setup(audit_filters, forget_attempts),
		cmocka_unit_test_setup(least_privilege, forget_attempts),
		cmocka_unit_test_setup(admin_create_cli, forget_attempts),
		cmocka_unit_test_setup(login_storm_is_capped, forget_attempts),
		cmocka_unit_test(no_secrets_in_logs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
