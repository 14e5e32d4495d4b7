/* enroll_race_test.c - seats and waitlist under concurrency: two servers on one
 * database, hundreds of learners enrolling at the same instant */
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define LEARNERS 200
#define SEATS 30
#define WAITING (LEARNERS - SEATS)
#define CANCELS 10
#define ROUNDS 5
#define RETRIES 10

static struct lms_server servers[2];
static char conninfo[1024];
static struct harness_actor learners[LEARNERS];
static long long course_id;

/* One request of a burst: sent from its own thread once all are ready. */
struct shot {
	const struct lms_server *server;
	const struct harness_actor *actor;
	const char *method;
	char path[96];
	const char *body;
	const char *idempotency_key; /* NULL: none */
	pthread_barrier_t *start;
	struct http_result r;
	json_t *json;                /* the parsed body, or NULL */
	int rc;
};

static void *shot_fire(void *arg)
{
	struct shot *s = arg;
	char cookie[300], csrf[96], key[256];
	const char *headers[5] = {cookie, csrf, NULL};
	int n = 2;

	snprintf(cookie, sizeof(cookie), "Cookie: %s", s->actor->cookie);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", s->actor->csrf);
	if (s->body)
		headers[n++] = "Content-Type: application/json";
	if (s->idempotency_key) {
		snprintf(key, sizeof(key), "Idempotency-Key: %s", s->idempotency_key);
		headers[n++] = key;
	}
	pthread_barrier_wait(s->start);
	s->rc = harness_request_once(s->server, s->method, s->path, headers, s->body, &s->r);
	return NULL;
}

/* Sends all n shots at once (every thread waits at a barrier until the last
 * one is ready) and parses their answers. Returns the seconds it took. */
static double burst(struct shot *shots, int n)
{
	pthread_t *threads = calloc((size_t)n, sizeof(*threads));
	pthread_barrier_t start;
	struct timespec t0, t1;

	assert_non_null(threads);
	assert_int_equal(pthread_barrier_init(&start, NULL, (unsigned)n + 1), 0);
	for (int i = 0; i < n; i++) {
		shots[i].start = &start;
		assert_int_equal(pthread_create(&threads[i], NULL, shot_fire, &shots[i]), 0);
	}
	pthread_barrier_wait(&start);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_barrier_destroy(&start);
	free(threads);
	for (int i = 0; i < n; i++)
		shots[i].json = json_loads(shots[i].r.body ? shots[i].r.body : "", 0, NULL);
	return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static void shots_release(struct shot *shots, int n)
{
	for (int i = 0; i < n; i++) {
		http_result_release(&shots[i].r);
		json_decref(shots[i].json);
		shots[i].json = NULL;
	}
}

/* Fails unless every shot was answered with status; shows how many were
 * not and one of them. */
static void assert_all_status(const struct shot *shots, int n, long status, const char *what)
{
	int bad = 0, first = -1;

	for (int i = 0; i < n; i++)
		if (shots[i].rc != 0 || shots[i].r.status != status) {
			bad++;
			first = first < 0 ? i : first;
		}
	if (bad)
		fail_msg("%s: %d of %d answers were not %ld, e.g. %ld (transport %d): %s", what,
			 bad, n, status, shots[first].r.status, shots[first].rc,
			 shots[first].r.body ? shots[first].r.body : "(none)");
}

static const char *str_of(const json_t *j, const char *key)
{
	const char *v = json_string_value(json_object_get(j, key));

	return v ? v : "";
}

static long long int_of(const json_t *j, const char *key)
{
	return json_integer_value(json_object_get(j, key));
}

/* harness_sql_value of a query formatted from numbers and ids made here. */
__attribute__((format(printf, 3, 4))) static void sql_text(char *buf, size_t len,
							   const char *fmt, ...)
{
	char sql[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (harness_sql_value(conninfo, sql, buf, len) != 0)
		fail_msg("query failed: %s", sql);
}

/* The same as a number. */
__attribute__((format(printf, 1, 2))) static long long sql_ll(const char *fmt, ...)
{
	char sql[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return harness_sql_ll(conninfo, sql);
}

/* A new open section of capacity SEATS of the race course, starting in a
 * month (so learners may still cancel). */
static long long section_new(void)
{
	long long id = sql_ll("INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
			      " enrollment_opens_at, enrollment_closes_at, status) VALUES (%lld,"
			      " '2026-2', current_date + 30, current_date + 120, %d,"
			      " now() - interval '1 day', now() + interval '20 days', 'open')"
			      " RETURNING id",
			      course_id, SEATS);

	assert_true(id > 0);
	return id;
}

/* The section's waitlist as enrolment ids in waitlist_seq order, "a,b,...". */
static void waitlist_order(long long section, char *buf, size_t len)
{
	sql_text(buf, len,
		 "SELECT coalesce(string_agg(id::text, ',' ORDER BY waitlist_seq), '')"
		 " FROM enrollments WHERE section_id = %lld AND status = 'waitlisted'",
		 section);
}

/* Enrolment ids of by_position[from..to] (1-based positions) as "a,b,...". */
static void ids_join(const long long *by_position, int from, int to, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int p = from; p <= to && used < len; p++)
		used += (size_t)snprintf(buf + used, len - used, "%s%lld", p > from ? "," : "",
					 by_position[p]);
}

static int setup(void **state)
{
	long long program, gist;

	if (harness_db_create("enroll_race", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0)
		return -1;
	/* A programme anyone may join without approval or affiliation. */
	if (harness_sql(conninfo, "INSERT INTO programs (code, name_ko, name_en, allowed_stages)"
				  " VALUES ('online', '온라인 교육', 'Online education',"
				  " '{general,worker}') ON CONFLICT (code) DO NOTHING") != 0)
		return -1;
	program = sql_ll("SELECT id FROM programs WHERE code = 'online' AND NOT approval_required"
			 " AND NOT affiliation_required AND 'general' = ANY (allowed_stages)");
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	if (program <= 0 || gist <= 0)
		return -1;
	course_id = sql_ll("INSERT INTO courses (institution_id, program_id, code, title_ko,"
			   " title_en, delivery, published) VALUES (%lld, %lld, 'RACE-101',"
			   " '동시 신청 검증', 'Concurrent enrolment', 'online', true) RETURNING id",
			   gist, program);
	if (course_id <= 0 ||
	    harness_learners_create(conninfo, "race", "general", LEARNERS, learners) != 0 ||
	    harness_server_start(&servers[0], conninfo, NULL) != 0)
		return -1;
	return harness_server_start(&servers[1], conninfo, NULL);
}

static int teardown(void **state)
{
	int a = harness_server_stop(&servers[0]), b = harness_server_stop(&servers[1]);

	return a == 0 && b == 0 ? 0 : -1;
}

/* ---- the race ---- */

/* A burst of LEARNERS requests, learner i's to <prefix><ids[i]><suffix>
 * through server i % 2. */
static void shots_fill(struct shot *shots, const char *method, const char *body,
		       const char *prefix, const long long *ids, const char *suffix)
{
	for (int i = 0; i < LEARNERS; i++) {
		shots[i] = (struct shot){.server = &servers[i % 2], .actor = &learners[i],
					 .method = method, .body = body};
		snprintf(shots[i].path, sizeof(shots[i].path), "%s%lld%s", prefix, ids[i], suffix);
	}
}

/*
 * LEARNERS learners enrol in a fresh section of SEATS seats at once, half
 * through each server; then CANCELS of the enrolled cancel at once. Fills
 * the seconds each burst took.
 */
static void race_round(int round, double *enrol_s, double *cancel_s)
{
	static struct shot shots[LEARNERS];
	/* by_position[p]: the enrolment answered waitlist position p;
	 * position_of[i]: learner i's (0: enrolled). */
	long long by_position[WAITING + 1] = {0}, enrolment[LEARNERS], section = section_new();
	long long sections[LEARNERS];
	int position_of[LEARNERS], enrolled = 0, waitlisted = 0, cancelled = 0;
	bool was_cancelled[LEARNERS] = {false};
	char expected[WAITING * 24], actual[WAITING * 24];

	/* Enrol: every answer is 201, exactly SEATS seats, waitlist 1..WAITING. */
	for (int i = 0; i < LEARNERS; i++)
		sections[i] = section;
	shots_fill(shots, "POST", "{}", "/api/v1/sections/", sections, "/enrollments");
	*enrol_s = burst(shots, LEARNERS);
	assert_all_status(shots, LEARNERS, 201, "enrol");
	for (int i = 0; i < LEARNERS; i++) {
		const json_t *j = shots[i].json;
		const char *status = str_of(j, "status");
		long long pos = int_of(j, "waitlist_position");

		enrolment[i] = int_of(j, "id");
		assert_true(enrolment[i] > 0);
		assert_int_equal(int_of(j, "section_id"), section);
		assert_int_equal(int_of(j, "course_id"), course_id);
		position_of[i] = 0;
		if (strcmp(status, "enrolled") == 0) {
			enrolled++;
			assert_false(json_is_integer(json_object_get(j, "waitlist_position")));
		} else if (strcmp(status, "waitlisted") == 0) {
			waitlisted++;
			if (pos < 1 || pos > WAITING || by_position[pos])
				fail_msg("round %d: waitlist position %lld given twice or out of"
					 " 1..%d: %s",
					 round, pos, WAITING, shots[i].r.body);
			by_position[pos] = enrolment[i];
			position_of[i] = (int)pos;
		} else {
			fail_msg("round %d: unexpected status: %s", round, shots[i].r.body);
		}
	}
	shots_release(shots, LEARNERS);
	assert_int_equal(enrolled, SEATS);
	assert_int_equal(waitlisted, WAITING);

	/* The database agrees: seats, the counter, and the waitlist order. */
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE section_id = %lld"
				" AND status = 'enrolled'",
				section),
			 SEATS);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE section_id = %lld"
				" AND status = 'waitlisted'",
				section),
			 WAITING);
	assert_int_equal(sql_ll("SELECT enrolled_count FROM sections WHERE id = %lld", section),
			 SEATS);
	ids_join(by_position, 1, WAITING, expected, sizeof(expected));
	waitlist_order(section, actual, sizeof(actual));
	assert_string_equal(actual, expected);

	/* CANCELS enrolled learners cancel at once, through both servers. */
	memset(shots, 0, sizeof(shots));
	for (int i = 0; i < LEARNERS && cancelled < CANCELS; i++) {
		if (position_of[i])
			continue;
		shots[cancelled] = (struct shot){.server = &servers[cancelled % 2],
						 .actor = &learners[i], .method = "DELETE"};
		snprintf(shots[cancelled].path, sizeof(shots[cancelled].path),
			 "/api/v1/enrollments/%lld", enrolment[i]);
		was_cancelled[i] = true;
		cancelled++;
	}
	*cancel_s = burst(shots, CANCELS);
	assert_all_status(shots, CANCELS, 200, "cancel");
	for (int i = 0; i < CANCELS; i++)
		assert_string_equal(str_of(shots[i].json, "status"), "cancelled");
	shots_release(shots, CANCELS);

	/* The first CANCELS of the waitlist hold the freed seats; the rest
	 * moved up, in the same order. */
	assert_int_equal(sql_ll("SELECT enrolled_count FROM sections WHERE id = %lld", section),
			 SEATS);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE section_id = %lld"
				" AND status = 'enrolled'",
				section),
			 SEATS);
	ids_join(by_position, 1, CANCELS, expected, sizeof(expected));
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE id IN (%s)"
				" AND status = 'enrolled'",
				expected),
			 CANCELS);
	/* The history names each promotion, of exactly those learners, and
	 * why; each cancellation names its learner. */
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollment_events WHERE enrollment_id IN"
				" (%s) AND from_status = 'waitlisted' AND to_status = 'enrolled'"
				" AND reason LIKE 'promoted from the waitlist%%'",
				expected),
			 CANCELS);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollment_events v JOIN enrollments e"
				" ON e.id = v.enrollment_id WHERE e.section_id = %lld"
				" AND v.from_status = 'waitlisted' AND v.to_status = 'enrolled'",
				section),
			 CANCELS);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollment_events v JOIN enrollments e"
				" ON e.id = v.enrollment_id WHERE e.section_id = %lld"
				" AND v.from_status = 'enrolled' AND v.to_status = 'cancelled'"
				" AND v.actor_user_id = e.user_id",
				section),
			 CANCELS);
	ids_join(by_position, CANCELS + 1, WAITING, expected, sizeof(expected));
	waitlist_order(section, actual, sizeof(actual));
	assert_string_equal(actual, expected);

	/* Each learner reads their own enrolment at once: the API shows the
	 * same, waitlist positions 1..WAITING - CANCELS. */
	shots_fill(shots, "GET", NULL, "/api/v1/enrollments/", enrolment, "");
	burst(shots, LEARNERS);
	assert_all_status(shots, LEARNERS, 200, "read");
	for (int i = 0; i < LEARNERS; i++) {
		const json_t *j = shots[i].json;
		const char *want = was_cancelled[i]             ? "cancelled"
				   : position_of[i] > CANCELS ? "waitlisted"
							      : "enrolled";

		if (strcmp(str_of(j, "status"), want) != 0)
			fail_msg("round %d: learner %d should be %s: %s", round, i, want,
				 shots[i].r.body);
		if (strcmp(want, "waitlisted") == 0 &&
		    int_of(j, "waitlist_position") != position_of[i] - CANCELS)
			fail_msg("round %d: waitlist position should be %d: %s", round,
				 position_of[i] - CANCELS, shots[i].r.body);
	}
	shots_release(shots, LEARNERS);
}

static void seats_and_waitlist_are_exact_across_two_servers(void **state)
{
	for (int round = 1; round <= ROUNDS; round++) {
		double enrol_s, cancel_s;

		race_round(round, &enrol_s, &cancel_s);
		print_message("round %d: %d enrolments through two servers in %.2f s,"
			      " %d cancellations in %.2f s\n",
			      round, LEARNERS, enrol_s, CANCELS, cancel_s);
	}
}

/* ---- one learner, many requests ---- */

/* RETRIES enrolments of one learner in a fresh section at once, alternating
 * servers, with Idempotency-Key key unless NULL. Returns the section. */
static long long retries_fire(struct shot *shots, const struct harness_actor *a, const char *key)
{
	long long section = section_new();

	for (int i = 0; i < RETRIES; i++) {
		shots[i] = (struct shot){.server = &servers[i % 2], .actor = a, .method = "POST",
					 .body = "{}", .idempotency_key = key};
		snprintf(shots[i].path, sizeof(shots[i].path), "/api/v1/sections/%lld/enrollments",
			 section);
	}
	burst(shots, RETRIES);
	return section;
}

static void same_learner_gets_one_seat(void **state)
{
	struct shot shots[RETRIES];
	const struct harness_actor *a = &learners[0];
	long long section = retries_fire(shots, a, NULL);
	int created = 0, refused = 0;

	for (int i = 0; i < RETRIES; i++) {
		if (shots[i].r.status == 201) {
			created++;
			assert_string_equal(str_of(shots[i].json, "status"), "enrolled");
		} else if (shots[i].r.status == 409 &&
			   strcmp(str_of(shots[i].json, "code"), "already_enrolled") == 0) {
			refused++;
		} else {
			fail_msg("expected 201 or 409 already_enrolled, got %ld: %s",
				 shots[i].r.status, shots[i].r.body);
		}
	}
	shots_release(shots, RETRIES);
	assert_int_equal(created, 1);
	assert_int_equal(refused, RETRIES - 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE section_id = %lld"
				" AND user_id = %lld",
				section, a->user_id),
			 1);
	assert_int_equal(sql_ll("SELECT enrolled_count FROM sections WHERE id = %lld", section),
			 1);
}

static void retries_with_one_key_get_the_first_answer(void **state)
{
	struct shot shots[RETRIES];
	const struct harness_actor *a = &learners[1];
	const char *key = "race-retry-7f3a";
	long long section = retries_fire(shots, a, key);

	assert_all_status(shots, RETRIES, 201, "retry");
	assert_string_equal(str_of(shots[0].json, "status"), "enrolled");
	for (int i = 1; i < RETRIES; i++)
		assert_string_equal(shots[i].r.body, shots[0].r.body);
	shots_release(shots, RETRIES);
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE section_id = %lld"
				" AND user_id = %lld",
				section, a->user_id),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM idempotency_keys WHERE user_id = %lld"
				" AND key = '%s' AND status = 201",
				a->user_id, key),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seats_and_waitlist_are_exact_across_two_servers),
		cmocka_unit_test(same_learner_gets_one_seat),
		cmocka_unit_test(retries_with_one_key_get_the_first_answer),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
