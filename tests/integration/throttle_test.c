/* throttle_test.c - sign-in and registration throttling by address, and the
 * client address behind trusted proxies, against running servers */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define NEW_PASSWORD "throttle-pass-2026"

/* Believes X-Forwarded-For from 127.0.0.1, so one test client can be many
 * addresses; three registrations per address. */
static struct lms_server proxied;
/* Trusts no proxy: the harness's defaults. */
static struct lms_server direct;
static char conninfo[1024];

static int setup(void **state)
{
	const char *env[] = {"LMS_TRUSTED_PROXIES=127.0.0.1", "LMS_REGISTER_PER_ADDRESS=3",
			     NULL};

	if (harness_db_create("throttle", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&proxied, conninfo, env) != 0)
		return -1;
	return harness_server_start(&direct, conninfo, NULL);
}

static int teardown(void **state)
{
	int a = harness_server_stop(&proxied), b = harness_server_stop(&direct);

	return a == 0 && b == 0 ? 0 : -1;
}

/* Each test starts with no throttle state left by the one before. */
static int forget_attempts(void **state)
{
	return harness_sql(conninfo, "DELETE FROM login_attempts;"
				     " DELETE FROM registration_attempts");
}

/* POSTs body to path on s as if from addr (an X-Forwarded-For header; NULL:
 * none) with a fresh connection. Returns the status, or -1; r (may be
 * NULL) keeps the answer. */
static long post_from(const struct lms_server *s, const char *xff, const char *path,
		      const char *body, struct http_result *r)
{
	char forwarded[128];
	const char *headers[] = {"Content-Type: application/json", forwarded, NULL};
	struct http_result own = {0}, *out = r ? r : &own;
	long status;

	snprintf(forwarded, sizeof(forwarded), "X-Forwarded-For: %s", xff ? xff : "");
	if (!xff)
		headers[1] = NULL;
	status = harness_request_once(s, "POST", path, headers, body, out) == 0 ? out->status : -1;
	http_result_release(&own);
	return status;
}

static long login_from(const struct lms_server *s, const char *xff, const char *email,
		       const char *password, struct http_result *r)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	return post_from(s, xff, "/api/v1/auth/login", body, r);
}

static long register_from(const struct lms_server *s, const char *xff, const char *email,
			  struct http_result *r)
{
	char body[256];

	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"" NEW_PASSWORD "\","
		 "\"display_name\":\"학습자\",\"ladder_stage\":\"worker\", " HARNESS_CONSENT "}",
		 email);
	return post_from(s, xff, "/api/v1/auth/register", body, r);
}

/* The Retry-After of r in seconds, or -1 when it has none. */
static int retry_after(const struct http_result *r)
{
	char buf[32];

	return http_result_header(r, "Retry-After", buf, sizeof(buf)) ? atoi(buf) : -1;
}

static void pause_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

struct guess {
	pthread_t thread;
	char email[64];
	long status;
	int retry_after;
	double took;
};

static void *guess_run(void *arg)
{
	struct guess *g = arg;
	struct http_result r = {0};
	double t = harness_now();

	g->status = login_from(&proxied, "198.51.100.10", g->email, "guess-password-1", &r);
	g->took = harness_now() - t;
	g->retry_after = retry_after(&r);
	http_result_release(&r);
	return NULL;
}

/*
 * One person sprays guesses from a network others share. The address is
 * slowed down and capped, but the correct password of an account with no
 * failures of its own gets in at once, even while the address's guesses
 * sleep and its cap is full.
 */
static void neighbour_cannot_lock_out(void **state)
{
	const char *nat = "198.51.100.10";
	struct guess g[6];
	int late = 0, refused = 0;
	char email[64];
	double t, deadline;

	for (int i = 0; i < 20; i++) {
		snprintf(email, sizeof(email), "spray%d@example.com", i);
		assert_int_equal(login_from(&proxied, nat, email, "guess-password-1", NULL), 401);
	}
	/* Ten more failures in the window, as a longer spray would leave: the
	 * delay is at its cap of 4 s. */
	assert_int_equal(harness_sql(conninfo, "INSERT INTO login_attempts (email, remote_addr)"
					       " SELECT 'old' || g || '@example.com', '198.51.100.10'"
					       " FROM generate_series(1, 10) g"),
			 0);
	t = harness_now();
	assert_int_equal(login_from(&proxied, nat, "learner@example.com", DEMO_PASSWORD, NULL), 200);
	assert_true(harness_now() - t < 2.0);

	/* A burst of guesses at once. */
	for (int i = 0; i < 6; i++) {
		memset(&g[i], 0, sizeof(g[i]));
		snprintf(g[i].email, sizeof(g[i].email), "burst%d@example.com", i);
		assert_int_equal(pthread_create(&g[i].thread, NULL, guess_run, &g[i]), 0);
	}
	/* While some of them wait out their delay (busy for at most 4 s, where
	 * one being checked is busy for 30 s), a correct password gets in. */
	deadline = harness_now() + 10;
	while (harness_sql_ll(conninfo, "SELECT count(*) FROM login_attempts WHERE remote_addr ="
					" '198.51.100.10' AND busy_until BETWEEN clock_timestamp()"
					" AND clock_timestamp() + interval '5 seconds'") < 1) {
		if (harness_now() > deadline)
			fail_msg("no guess of the burst was held back within 10 s");
		pause_ms(20);
	}
	t = harness_now();
	assert_int_equal(login_from(&proxied, nat, "instructor@example.com", DEMO_PASSWORD, NULL),
			 200);
	assert_true(harness_now() - t < 2.0);
	for (int i = 0; i < 6; i++)
		pthread_join(g[i].thread, NULL);

	for (int i = 0; i < 6; i++) {
		if (g[i].status == 401) {
			late++;
			if (g[i].took < 3.9)
				fail_msg("a guess was answered after %.2f s, not held back 4 s",
					 g[i].took);
		} else if (g[i].status == 429) {
			refused++;
			assert_int_equal(g[i].retry_after, 4);
		} else {
			fail_msg("a guess of the burst got %ld", g[i].status);
		}
	}
	print_message("burst of 6 guesses: %d held back 4 s, %d refused at once\n", late, refused);
	/* No more than 4 of the address asleep at once. */
	assert_true(late <= 4);
	assert_true(refused >= 2);
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM audit_log WHERE action ="
						  " 'auth.throttle' AND remote_addr = '198.51.100.10'"),
			 1);
	/* Another address is not slowed down by this one. */
	t = harness_now();
	assert_int_equal(login_from(&proxied, "198.51.100.11", "nobody@example.com",
				    "guess-password-1", NULL),
			 401);
	assert_true(harness_now() - t < 2.0);
}

/* The lock-out of one account does not care where guesses come from. */
static void account_lockout_across_addresses(void **state)
{
	struct http_result r = {0};
	char addr[32];
	int retry;

	for (int i = 0; i < 5; i++) {
		snprintf(addr, sizeof(addr), "198.51.100.%d", 21 + i);
		assert_int_equal(login_from(&proxied, addr, "instructor@example.com",
					    "not-the-password", NULL),
				 401);
	}
	assert_int_equal(login_from(&proxied, "198.51.100.30", "instructor@example.com",
				    DEMO_PASSWORD, &r),
			 429);
	retry = retry_after(&r);
	assert_true(retry >= 1 && retry <= 900);
	assert_contains(r.body, "\"too_many_attempts\"");
	http_result_release(&r);
	/* Other accounts from those addresses are untouched. */
	assert_int_equal(login_from(&proxied, "198.51.100.21", "learner@example.com",
				    DEMO_PASSWORD, NULL),
			 200);
}

/* Three registrations per address and hour; the limit is checked before
 * the password hash and before the email is looked at. */
static void registration_limit_per_address(void **state)
{
	struct http_result r = {0};
	int retry;

	assert_int_equal(register_from(&proxied, "203.0.113.7", "reg1@example.com", NULL), 201);
	assert_int_equal(register_from(&proxied, "203.0.113.7", "reg2@example.com", NULL), 201);
	/* A taken email counts: it cost a hash all the same. */
	assert_int_equal(register_from(&proxied, "203.0.113.7", "reg1@example.com", NULL), 409);
	assert_int_equal(register_from(&proxied, "203.0.113.7", "reg3@example.com", &r), 429);
	retry = retry_after(&r);
	assert_true(retry >= 3590 && retry <= 3600);
	assert_contains(r.body, "\"too_many_registrations\"");
	assert_contains(r.body, "registrations from this address");
	http_result_release(&r);
	assert_int_equal(register_from(&proxied, "203.0.113.7", "reg1@example.com", NULL), 429);
	/* A body that is refused anyway is not counted and not throttled. */
	assert_int_equal(post_from(&proxied, "203.0.113.7", "/api/v1/auth/register", "{}", NULL),
			 400);

	/* Other addresses have their own allowance. */
	assert_int_equal(register_from(&proxied, "203.0.113.8", "reg4@example.com", NULL), 201);
	assert_int_equal(register_from(&proxied, NULL, "reg5@example.com", NULL), 201);
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM registration_attempts"
						  " WHERE remote_addr = '203.0.113.7'"),
			 3);
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM users WHERE email ="
						  " 'reg3@example.com'"),
			 0);

	/* The window passes. */
	assert_int_equal(harness_sql(conninfo, "UPDATE registration_attempts SET at = at -"
					       " interval '1 hour'"),
			 0);
	assert_int_equal(register_from(&proxied, "203.0.113.7", "reg3@example.com", NULL), 201);
}

/* Where a request came from, as the audit log and the sessions record it. */
static void client_address_of(const struct lms_server *s, const char *xff, const char *email,
			      char *out, size_t len)
{
	char sql[256];

	assert_int_equal(register_from(s, xff, email, NULL), 201);
	snprintf(sql, sizeof(sql),
		 "SELECT host(remote_addr) FROM audit_log WHERE action = 'user.register' AND"
		 " target_id = (SELECT id FROM users WHERE email = '%s')",
		 email);
	assert_int_equal(harness_sql_value(conninfo, sql, out, len), 0);
}

static void forwarded_for_only_from_trusted_proxies(void **state)
{
	char addr[64];

	/* From a peer that is not a trusted proxy, the header is the client's
	 * own claim: ignored. */
	client_address_of(&direct, "203.0.113.50", "xff1@example.com", addr, sizeof(addr));
	assert_string_equal(addr, "127.0.0.1");
	/* And it does not get a client a fresh registration allowance. */
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM registration_attempts"
						  " WHERE remote_addr = '203.0.113.50'"),
			 0);

	/* Through the trusted proxy: the address it appended, not what the
	 * client wrote left of it; a header that does not parse counts for
	 * nothing. */
	client_address_of(&proxied, "203.0.113.51", "xff2@example.com", addr, sizeof(addr));
	assert_string_equal(addr, "203.0.113.51");
	client_address_of(&proxied, "10.9.9.9, 203.0.113.52", "xff3@example.com", addr,
			  sizeof(addr));
	assert_string_equal(addr, "203.0.113.52");
	client_address_of(&proxied, "2001:DB8::0:1", "xff4@example.com", addr, sizeof(addr));
	assert_string_equal(addr, "2001:db8::1");
	client_address_of(&proxied, "not-an-address", "xff5@example.com", addr, sizeof(addr));
	assert_string_equal(addr, "127.0.0.1");
	client_address_of(&proxied, "203.0.113.53, 127.0.0.1", "xff6@example.com", addr,
			  sizeof(addr));
	assert_string_equal(addr, "203.0.113.53");

	/* Sessions record it too. */
	assert_int_equal(login_from(&proxied, "203.0.113.54", "xff2@example.com", NEW_PASSWORD,
				    NULL),
			 200);
	assert_int_equal(harness_sql_ll(conninfo, "SELECT count(*) FROM auth_sessions s JOIN users u"
						  " ON u.id = s.user_id WHERE u.email ="
						  " 'xff2@example.com' AND s.remote_addr ="
						  " '203.0.113.54'"),
			 1);
}

static void bad_trusted_proxies_refused_at_start(void **state)
{
	const char *serve[] = {"serve", NULL};
	const char *env[] = {"LMS_TRUSTED_PROXIES=127.0.0.1, 10.0.0.0/33", NULL};
	char out[4096], path[64], arg[80];
	const char *with_file[] = {arg, "serve", NULL};
	FILE *f;
	int fd;

	assert_int_equal(harness_lms_run(serve, env, out, sizeof(out)), 1);
	assert_contains(out, "LMS_TRUSTED_PROXIES: trusted_proxies: \"10.0.0.0/33\" is not an IP"
			     " address or CIDR range");

	snprintf(path, sizeof(path), "/tmp/lms-throttle-XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs("# proxies\n\ntrusted_proxies = 10.1.2.3/8\n", f);
	fclose(f);
	snprintf(arg, sizeof(arg), "--config=%s", path);
	assert_int_equal(harness_lms_run(with_file, NULL, out, sizeof(out)), 1);
	unlink(path);
	assert_contains(out, ":3: trusted_proxies: \"10.1.2.3/8\" has bits set past its prefix /8");
	assert_contains(out, path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(neighbour_cannot_lock_out, forget_attempts),
		cmocka_unit_test_setup(account_lockout_across_addresses, forget_attempts),
		cmocka_unit_test_setup(registration_limit_per_address, forget_attempts),
		cmocka_unit_test_setup(forwarded_for_only_from_trusted_proxies, forget_attempts),
		cmocka_unit_test(bad_trusted_proxies_refused_at_start),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
