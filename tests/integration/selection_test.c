/* selection_test.c - intakes, the application state machine, offers within
 * the seats, and the expiry job with two servers on one database */
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define PASSWORD "demo-pass-2026"
#define LEARNERS 12
#define RACERS 40

static struct lms_server servers[2];
static char conninfo[1024];
static struct harness_actor gist, jnu, platform, instructor, learners[LEARNERS], racers[RACERS], others[3];
static long long gist_id, course_id, precourse_id;

__attribute__((format(printf, 1, 2))) static long long sql_ll(const char *fmt, ...)
{
	char sql[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return harness_sql_ll(conninfo, sql);
}

__attribute__((format(printf, 1, 2))) static int sql_run(const char *fmt, ...)
{
	char sql[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return harness_sql(conninfo, sql);
}

static struct lms_server *srv(void) { return &servers[0]; }

/* A new open section of the selection course with capacity seats. */
static long long section_new(int capacity)
{
	return harness_section_create(conninfo,
				      &(struct harness_section){.course = course_id,
								.capacity = capacity,
								.starts_on = "2027-03-02",
								.ends_on = "2027-06-30",
								.opens_at = "2026-01-01",
								.closes_at = "2027-03-01"});
}

/* An intake on a new section of capacity seats with the given stages
 * (JSON array text), open for applications now; returns its JSON. */
static json_t *intake_new(int capacity, const char *stages)
{
	char body[4096];

	snprintf(body, sizeof(body),
		 "{\"section_id\": %lld, \"title_ko\": \"2027 인공지능사관학교 1기\","
		 " \"title_en\": \"AI Academy 2027 cohort 1\","
		 " \"opens_at\": \"2026-01-01T00:00:00+09:00\","
		 " \"closes_at\": \"2030-01-01T00:00:00+09:00\", \"offer_hours\": 48,"
		 " \"stages\": %s}",
		 section_new(capacity), stages);
	return harness_json_as(srv(), &gist, "POST", "/api/v1/intakes", body, 201);
}

static long long apply_ok(long long intake, const struct harness_actor *a)
{
	char path[96];
	json_t *j;
	long long id;

	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/applications", intake);
	j = harness_json_as(srv(), a, "POST", path, "{\"statement\": \"저는 준비되었습니다\"}",
			    201);
	id = harness_json_ll(j, "id");
	assert_string_equal(json_string_value(json_object_get(j, "status")), "applied");
	json_decref(j);
	return id;
}

static long long stage_id(const json_t *intake, size_t i)
{
	return harness_json_ll(json_array_get(json_object_get(intake, "stages"), i), "id");
}

/* Records a stage result as the gist admin; returns the answer's status. */
static json_t *result_as(const struct harness_actor *a, long long app, const char *body,
			 long want)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/applications/%lld/results", app);
	return harness_json_as(srv(), a, "POST", path, body, want);
}

static const char *status_of(long long app, char *buf, size_t len)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT status FROM applications WHERE id = %lld", app);
	if (harness_sql_value(conninfo, sql, buf, len) != 0)
		fail_msg("no application %lld", app);
	return buf;
}

static int setup(void **state)
{
	static const char *const env[] = {"LMS_OFFER_JOB_INTERVAL_MS=200", NULL};
	long long program;

	(void)state;
	if (harness_db_create("selection", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0)
		return -1;
	program = sql_ll("SELECT id FROM programs WHERE code = 'ai_academy'");
	gist_id = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	if (program <= 0 || gist_id <= 0)
		return -1;
	course_id = harness_course_create(conninfo, &(struct harness_course){
							    .institution = gist_id,
							    .code = "SEL-101",
							    .program = "ai_academy"});
	precourse_id = harness_course_create(conninfo, &(struct harness_course){
							       .institution = gist_id,
							       .code = "SEL-PRE",
							       .program = "online"});
	if (harness_learners_create(conninfo, "sel", "worker", LEARNERS, learners) != 0 ||
	    harness_learners_create(conninfo, "race", "worker", RACERS, racers) != 0 ||
	    harness_learners_create(conninfo, "other", "worker", 3, others) != 0 ||
	    harness_server_start(&servers[0], conninfo, env) != 0 ||
	    harness_server_start(&servers[1], conninfo, env) != 0)
		return -1;
	harness_login_ok(&servers[0], "gist-admin@example.com", PASSWORD, &gist);
	harness_login_ok(&servers[0], "chonnam-admin@example.com", PASSWORD, &jnu);
	harness_login_ok(&servers[0], "admin@example.com", PASSWORD, &platform);
	harness_login_ok(&servers[0], "instructor@example.com", PASSWORD, &instructor);
	return 0;
}

static int teardown(void **state)
{
	int a = harness_server_stop(&servers[0]), b = harness_server_stop(&servers[1]);

	(void)state;
	return a == 0 && b == 0 ? 0 : -1;
}

#define THREE_STAGES                                                                     \
	"[{\"kind\": \"document_screening\", \"name_ko\": \"서류 심사\","                   \
	" \"name_en\": \"Documents\", \"rule\": \"pass_fail\"},"                            \
	" {\"kind\": \"test_score\", \"name_ko\": \"역량 평가\", \"name_en\": \"Skills test\"," \
	" \"rule\": \"threshold\", \"threshold\": 60},"                                     \
	" {\"kind\": \"interview\", \"name_ko\": \"면접\", \"name_en\": \"Interview\","      \
	" \"rule\": \"top_n\", \"top_n\": 3}]"

#define ONE_STAGE                                                                        \
	"[{\"kind\": \"document_screening\", \"name_ko\": \"서류 심사\","                   \
	" \"name_en\": \"Documents\", \"rule\": \"pass_fail\"}]"

/* Intakes: stages as rows with a kind and a rule; bad bodies are named
 * field by field; only the section's institution may define one. */
static void test_intake_define(void **state)
{
	json_t *intake = intake_new(2, THREE_STAGES), *stages;
	long long section = harness_json_ll(intake, "section_id"), other = section_new(5);
	char body[2048], path[96];

	(void)state;
	stages = json_object_get(intake, "stages");
	assert_int_equal(json_array_size(stages), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(stages, 1), "rule")),
			    "threshold");
	assert_int_equal(sql_ll("SELECT count(*) FROM intake_stages WHERE intake_id = %lld"
				" AND kind = 'interview' AND rule = 'top_n' AND top_n = 3",
				harness_json_ll(intake, "id")),
			 1);
	/* One intake per section. */
	snprintf(body, sizeof(body),
		 "{\"section_id\": %lld, \"title_ko\": \"가\", \"title_en\": \"A\","
		 " \"opens_at\": \"2026-01-01T00:00:00Z\", \"closes_at\": \"2030-01-01T00:00:00Z\","
		 " \"stages\": " ONE_STAGE "}",
		 section);
	harness_problem_as(srv(), &gist, "POST", "/api/v1/intakes", body, 409, "intake_exists",
			   NULL);
	/* Another institution's admin, a learner, a visitor. */
	snprintf(body, sizeof(body),
		 "{\"section_id\": %lld, \"title_ko\": \"가\", \"title_en\": \"A\","
		 " \"opens_at\": \"2026-01-01T00:00:00Z\", \"closes_at\": \"2030-01-01T00:00:00Z\","
		 " \"stages\": " ONE_STAGE "}",
		 other);
	harness_problem_as(srv(), &jnu, "POST", "/api/v1/intakes", body, 403, "forbidden", NULL);
	assert_int_equal(harness_status_as(srv(), &learners[0], "POST", "/api/v1/intakes", body),
			 403);
	assert_int_equal(harness_status_as(srv(), NULL, "POST", "/api/v1/intakes", body), 401);
	/* Bad bodies. */
	harness_problem_as(srv(), &gist, "POST", "/api/v1/intakes",
			   "{\"section_id\": 999999, \"title_ko\": \"가\", \"title_en\": \"A\","
			   " \"opens_at\": \"2026-01-01T00:00:00Z\","
			   " \"closes_at\": \"2030-01-01T00:00:00Z\", \"stages\": " ONE_STAGE "}",
			   400, "validation_failed", "section_id");
	snprintf(body, sizeof(body),
		 "{\"section_id\": %lld, \"title_ko\": \"가\", \"title_en\": \"A\","
		 " \"opens_at\": \"2026-01-01T00:00:00Z\", \"closes_at\": \"2030-01-01T00:00:00Z\","
		 " \"stages\": []}",
		 other);
	harness_problem_as(srv(), &gist, "POST", "/api/v1/intakes", body, 400, "validation_failed",
			   "stages");
	snprintf(body, sizeof(body),
		 "{\"section_id\": %lld, \"title_ko\": \"가\", \"title_en\": \"A\","
		 " \"opens_at\": \"2026-01-01T00:00:00Z\", \"closes_at\": \"2030-01-01T00:00:00Z\","
		 " \"stages\": [{\"kind\": \"test_score\", \"name_ko\": \"시험\","
		 " \"name_en\": \"Test\", \"rule\": \"threshold\"}]}",
		 other);
	harness_problem_as(srv(), &gist, "POST", "/api/v1/intakes", body, 400, "validation_failed",
			   "stages[0].threshold");
	snprintf(body, sizeof(body),
		 "{\"section_id\": %lld, \"title_ko\": \"가\", \"title_en\": \"A\","
		 " \"opens_at\": \"2026-01-01T00:00:00Z\", \"closes_at\": \"2030-01-01T00:00:00Z\","
		 " \"stages\": [{\"kind\": \"free text\", \"name_ko\": \"시험\","
		 " \"name_en\": \"Test\", \"rule\": \"pass_fail\"}]}",
		 other);
	harness_problem_as(srv(), &gist, "POST", "/api/v1/intakes", body, 400, "validation_failed",
			   "stages[0].kind");
	snprintf(body, sizeof(body),
		 "{\"section_id\": %lld, \"title_ko\": \"가\", \"title_en\": \"A\","
		 " \"opens_at\": \"2026-01-01T00:00:00Z\", \"closes_at\": \"2030-01-01T00:00:00Z\","
		 " \"stages\": [{\"kind\": \"precourse\", \"name_ko\": \"사전\","
		 " \"name_en\": \"Pre\", \"rule\": \"pass_fail\"}], \"extra\": 1}",
		 other);
	harness_problem_as(srv(), &gist, "POST", "/api/v1/intakes", body, 400, "validation_failed",
			   "extra");
	harness_problem_as(srv(), &gist, "POST", "/api/v1/intakes", "[1]", 400, "invalid_request",
			   NULL);
	/* Public reading; a section that admits by selection takes no direct
	 * enrolment. */
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld", harness_json_ll(intake, "id"));
	json_decref(harness_get_json(srv(), NULL, path));
	harness_problem_as(srv(), NULL, "GET", "/api/v1/intakes/99999", NULL, 404, "not_found",
			   NULL);
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/enrollments", section);
	harness_problem_as(srv(), &learners[0], "POST", path, "{}", 409, "selection_required",
			   NULL);
	json_decref(intake);
}

/* The state machine: stages move in order, each change with its reason in
 * the history; illegal changes are refused by the database itself. */
static void test_state_machine(void **state)
{
	json_t *intake = intake_new(2, THREE_STAGES), *j;
	long long id = harness_json_ll(intake, "id"), app[5], s1 = stage_id(intake, 0),
		  s2 = stage_id(intake, 1), s3 = stage_id(intake, 2);
	char body[256], path[96], buf[32];

	(void)state;
	for (int i = 0; i < 5; i++)
		app[i] = apply_ok(id, &learners[i]);
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/applications", id);
	harness_problem_as(srv(), &learners[0], "POST", path, "{}", 409, "already_applied", NULL);
	harness_problem_as(srv(), &learners[0], "POST", path, "{\"statement\": 5}", 400,
			   "validation_failed", "statement");

	/* Stage 1: pass/fail. A decision is required; the wrong stage is refused. */
	snprintf(body, sizeof(body), "{\"stage_id\": %lld}", s1);
	assert_int_equal(harness_status_as(srv(), &gist, "POST", "/api/v1/applications/0/results",
					   body),
			 404);
	assert_int_equal(harness_status_as(srv(), &gist, "POST",
					   "/api/v1/applications/99999/results", body),
			 404);
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/results", app[0]);
	harness_problem_as(srv(), &gist, "POST", path, body, 400, "validation_failed", "decision");
	snprintf(body, sizeof(body), "{\"stage_id\": %lld, \"score\": 70}", s2);
	harness_problem_as(srv(), &gist, "POST", path, body, 409, "not_at_stage", NULL);
	snprintf(body, sizeof(body), "{\"stage_id\": %lld, \"decision\": \"pass\"}", s1);
	harness_problem_as(srv(), &jnu, "POST", path, body, 404, "not_found", NULL);
	harness_problem_as(srv(), &learners[0], "POST", path, body, 404, "not_found", NULL);
	for (int i = 0; i < 5; i++) {
		snprintf(body, sizeof(body), "{\"stage_id\": %lld, \"decision\": \"%s\"}", s1,
			 i == 4 ? "fail" : "pass");
		json_decref(result_as(&gist, app[i], body, 200));
	}
	/* The same decision again changes nothing; another is refused. */
	snprintf(body, sizeof(body), "{\"stage_id\": %lld, \"decision\": \"pass\"}", s1);
	j = result_as(&gist, app[0], body, 200);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "in_stage");
	assert_int_equal(harness_json_ll(j, "stage"), 2);
	json_decref(j);
	snprintf(body, sizeof(body), "{\"stage_id\": %lld, \"decision\": \"fail\"}", s1);
	harness_problem_as(srv(), &gist, "POST", path, body, 409, "already_decided", NULL);
	assert_string_equal(status_of(app[4], buf, sizeof(buf)), "rejected");
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox WHERE kind = 'application.rejected'"
				" AND user_id = %lld AND params->>'application_id' = '%lld'",
				learners[4].user_id, app[4]),
			 1);
	/* A rejected application goes nowhere. */
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/reject", app[4]);
	harness_problem_as(srv(), &gist, "POST", path, "{\"reason\": \"again\"}", 409,
			   "illegal_transition", NULL);
	harness_problem_as(srv(), &gist, "POST", path, "{}", 400, "validation_failed", "reason");

	/* Stage 2: a threshold: the score decides, not the reviewer. */
	snprintf(body, sizeof(body), "{\"stage_id\": %lld, \"score\": 70, \"decision\": \"pass\"}",
		 s2);
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/results", app[0]);
	harness_problem_as(srv(), &gist, "POST", path, body, 400, "validation_failed", "decision");
	for (int i = 0; i < 4; i++) {
		snprintf(body, sizeof(body), "{\"stage_id\": %lld, \"score\": %d}", s2,
			 i == 3 ? 40 : 80 + i);
		json_decref(result_as(&gist, app[i], body, 200));
	}
	assert_string_equal(status_of(app[3], buf, sizeof(buf)), "rejected");

	/* Stage 3: top 3 of the scores, decided when the stage closes. */
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/stages/%lld/close", id, s3);
	harness_problem_as(srv(), &gist, "POST", path, NULL, 409, "scores_missing", NULL);
	harness_problem_as(srv(), &jnu, "POST", path, NULL, 404, "not_found", NULL);
	for (int i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "{\"stage_id\": %lld, \"score\": %d}", s3, 90 - i);
		json_decref(result_as(&gist, app[i], body, 200));
	}
	j = harness_json_as(srv(), &gist, "POST", path, NULL, 200);
	assert_int_equal(harness_json_ll(j, "passed"), 3);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/stages/%lld/close", id, s1);
	harness_problem_as(srv(), &gist, "POST", path, NULL, 409, "stage_not_closable", NULL);
	for (int i = 0; i < 3; i++)
		assert_string_equal(status_of(app[i], buf, sizeof(buf)), "passed");

	/* The history: every change with its reason. */
	snprintf(path, sizeof(path), "/api/v1/applications/%lld", app[0]);
	j = harness_get_json(srv(), &learners[0], path);
	assert_int_equal(json_array_size(json_object_get(j, "history")), 4);
	assert_int_equal(json_array_size(json_object_get(j, "results")), 3);
	json_decref(j);
	assert_int_equal(harness_status_as(srv(), &learners[1], "GET", path, NULL), 404);
	assert_int_equal(harness_status_as(srv(), &jnu, "GET", path, NULL), 404);
	json_decref(harness_get_json(srv(), &gist, path));
	assert_int_equal(sql_ll("SELECT count(*) FROM application_events WHERE reason IS NULL"
				" OR reason = ''"),
			 0);
	/* The database refuses what the machine does not allow, whoever asks. */
	assert_int_not_equal(sql_run("SELECT selection_tell(NULL, 'x');"
				     " UPDATE applications SET status = 'enrolled' WHERE id = %lld",
				     app[0]),
			     0);
	assert_int_not_equal(sql_run("UPDATE applications SET status = 'rejected', stage = NULL"
				     " WHERE id = %lld",
				     app[0]),
			     0);
	/* Lists: the intake's admins see its applications; the learner theirs. */
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/applications?status=passed", id);
	j = harness_get_json(srv(), &gist, path);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 3);
	json_decref(j);
	assert_int_equal(harness_status_as(srv(), &jnu, "GET", path, NULL), 404);
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/applications?status=bogus", id);
	harness_problem_as(srv(), &gist, "GET", path, NULL, 400, "validation_failed", "status");
	j = harness_get_json(srv(), &learners[0], "/api/v1/me/applications");
	assert_true(json_array_size(json_object_get(j, "items")) >= 1);
	json_decref(j);
	json_decref(intake);
}

/* Passes app through a one-stage intake's stage as the gist admin. */
static void pass_one(const json_t *intake, long long app)
{
	char body[96];

	snprintf(body, sizeof(body), "{\"stage_id\": %lld, \"decision\": \"pass\"}",
		 stage_id(intake, 0));
	json_decref(result_as(&gist, app, body, 200));
}

/* Offers up to the seats; accept enrols, decline and expiry offer the seat
 * to the next in line; the learners are told through the outbox. */
static void test_offers(void **state)
{
	json_t *intake = intake_new(2, ONE_STAGE), *j;
	long long id = harness_json_ll(intake, "id"), section = harness_json_ll(intake, "section_id"),
		  app[5];
	char path[96], buf[32];

	(void)state;
	for (int i = 0; i < 5; i++) {
		app[i] = apply_ok(id, &learners[5 + i]);
		pass_one(intake, app[i]);
	}
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/offers", id);
	harness_problem_as(srv(), &jnu, "POST", path, NULL, 404, "not_found", NULL);
	j = harness_json_as(srv(), &gist, "POST", path, NULL, 200);
	assert_int_equal(harness_json_ll(j, "offered"), 2);
	json_decref(j);
	j = harness_json_as(srv(), &gist, "POST", path, NULL, 200);
	assert_int_equal(harness_json_ll(j, "offered"), 0);
	json_decref(j);
	assert_string_equal(status_of(app[0], buf, sizeof(buf)), "offered");
	assert_string_equal(status_of(app[2], buf, sizeof(buf)), "passed");
	assert_int_equal(sql_ll("SELECT offered_count FROM sections WHERE id = %lld", section), 2);
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox WHERE kind = 'offer.made'"
				" AND params->>'application_id' IN ('%lld', '%lld')"
				" AND params ? 'expires_at' AND params ? 'course_ko'",
				app[0], app[1]),
			 2);

	/* Only the applicant answers; someone else's offer is not there. */
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/accept", app[0]);
	harness_problem_as(srv(), &learners[6], "POST", path, NULL, 404, "not_found", NULL);
	harness_problem_as(srv(), &gist, "POST", path, NULL, 404, "not_found", NULL);
	j = harness_json_as(srv(), &learners[5], "POST", path, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "enrolled");
	assert_true(harness_json_ll(j, "enrollment_id") > 0);
	json_decref(j);
	harness_problem_as(srv(), &learners[5], "POST", path, NULL, 409, "illegal_transition",
			   NULL);
	assert_int_equal(sql_ll("SELECT enrolled_count * 10 + offered_count FROM sections"
				" WHERE id = %lld",
				section),
			 11);

	/* A decline offers the seat to the next in line at once. */
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/decline", app[1]);
	j = harness_json_as(srv(), &learners[6], "POST", path, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "declined");
	json_decref(j);
	assert_string_equal(status_of(app[2], buf, sizeof(buf)), "offered");

	/* A deadline passed: the job expires it and offers the seat on. */
	assert_int_equal(sql_run("UPDATE applications SET offer_expires_at = now()"
				 " - interval '1 second' WHERE id = %lld",
				 app[2]),
			 0);
	for (int i = 0; i < 300 && strcmp(status_of(app[2], buf, sizeof(buf)), "offered") == 0;
	     i++)
		usleep(50000);
	assert_string_equal(status_of(app[2], buf, sizeof(buf)), "offer_expired");
	assert_string_equal(status_of(app[3], buf, sizeof(buf)), "offered");
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox WHERE kind = 'offer.expired'"
				" AND user_id = %lld",
				learners[7].user_id),
			 1);
	/* Accepting after the deadline, before the job saw it: refused, and
	 * the seat goes on in the same transaction. */
	assert_int_equal(sql_run("UPDATE applications SET offer_expires_at = now()"
				 " + interval '1 hour' WHERE status = 'offered';"
				 " UPDATE applications SET offer_expires_at = now()"
				 " - interval '1 second' WHERE id = %lld",
				 app[3]),
			 0);
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/accept", app[3]);
	harness_problem_as(srv(), &learners[8], "POST", path, NULL, 409, "offer_expired", NULL);
	assert_string_equal(status_of(app[4], buf, sizeof(buf)), "offered");
	assert_int_equal(sql_ll("SELECT enrolled_count + offered_count FROM sections"
				" WHERE id = %lld",
				section),
			 2);
	/* A withdrawal ends an application that waits. */
	json_decref(intake);
}

struct shot {
	const struct lms_server *server;
	const struct harness_actor *actor;
	char path[96];
	pthread_barrier_t *start;
	struct http_result r;
	int rc;
};

static void *shot_fire(void *arg)
{
	struct shot *s = arg;

	pthread_barrier_wait(s->start);
	s->rc = harness_as(s->server, s->actor, "POST", s->path, NULL, &s->r);
	return NULL;
}

static void *shot_cancel(void *arg)
{
	struct shot *s = arg;

	pthread_barrier_wait(s->start);
	s->rc = harness_as(s->server, s->actor, "DELETE", s->path, NULL, &s->r);
	return NULL;
}

static void burst(struct shot *shots, int n)
{
	pthread_t threads[RACERS * 2];
	pthread_barrier_t start;

	assert_int_equal(pthread_barrier_init(&start, NULL, (unsigned)n), 0);
	for (int i = 0; i < n; i++) {
		shots[i].start = &start;
		assert_int_equal(pthread_create(&threads[i], NULL, shot_fire, &shots[i]), 0);
	}
	for (int i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&start);
}

/* Offers, accepts and declines at the same instant through two servers:
 * offers and enrolments together never exceed the seats. */
static void test_offers_concurrent(void **state)
{
	enum { SEATS = 5 };
	static struct shot shots[RACERS * 2];
	json_t *intake = intake_new(SEATS, ONE_STAGE);
	long long id = harness_json_ll(intake, "id"), section = harness_json_ll(intake, "section_id"),
		  app[RACERS];
	int n = 0;

	(void)state;
	for (int i = 0; i < RACERS; i++)
		app[i] = apply_ok(id, &racers[i]);
	assert_int_equal(sql_run("SELECT application_decide(id, (SELECT id FROM intake_stages"
				 " WHERE intake_id = %lld), NULL, 'pass', NULL, 'passed')"
				 " FROM applications WHERE intake_id = %lld",
				 id, id),
			 0);
	/* Many admins' offer requests at once: exactly SEATS offers. */
	for (int i = 0; i < 20; i++) {
		shots[n] = (struct shot){.server = &servers[i % 2], .actor = &gist};
		snprintf(shots[n++].path, sizeof(shots[0].path), "/api/v1/intakes/%lld/offers", id);
	}
	burst(shots, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(shots[i].r.status, 200);
		http_result_release(&shots[i].r);
	}
	assert_int_equal(sql_ll("SELECT offered_count FROM sections WHERE id = %lld", section),
			 SEATS);
	/* Every racer answers at once: the offered accept or decline, the
	 * others try to accept what they were not offered; offers run too. */
	n = 0;
	for (int i = 0; i < RACERS; i++) {
		shots[n] = (struct shot){.server = &servers[i % 2], .actor = &racers[i]};
		snprintf(shots[n++].path, sizeof(shots[0].path), "/api/v1/applications/%lld/%s",
			 app[i], i % 3 == 0 ? "decline" : "accept");
		if (i % 4 == 0) {
			shots[n] = (struct shot){.server = &servers[(i + 1) % 2], .actor = &gist};
			snprintf(shots[n++].path, sizeof(shots[0].path),
				 "/api/v1/intakes/%lld/offers", id);
		}
	}
	burst(shots, n);
	for (int i = 0; i < n; i++) {
		if (shots[i].r.status != 200 && shots[i].r.status != 409)
			fail_msg("%s: %ld %s", shots[i].path, shots[i].r.status,
				 shots[i].r.body ? shots[i].r.body : "");
		http_result_release(&shots[i].r);
	}
	assert_true(sql_ll("SELECT enrolled_count + offered_count FROM sections WHERE id = %lld",
			   section) <= SEATS);
	assert_int_equal(sql_ll("SELECT (SELECT count(*) FROM enrollments WHERE section_id = %lld"
				" AND status = 'enrolled') + (SELECT count(*) FROM applications"
				" WHERE intake_id = %lld AND status = 'offered')"
				" - (SELECT enrolled_count + offered_count FROM sections"
				" WHERE id = %lld)",
				section, id, section),
			 0);
	json_decref(intake);
}

/* The expiry job on two servers: every expired offer expires once and
 * every freed seat is offered once. */
static void test_expiry_two_servers(void **state)
{
	enum { INTAKES = 6, SEATS = 3, APPLICANTS = 9 };
	long long ids[INTAKES];

	(void)state;
	for (int k = 0; k < INTAKES; k++) {
		json_t *intake = intake_new(SEATS, ONE_STAGE);

		ids[k] = harness_json_ll(intake, "id");
		json_decref(intake);
		/* Applicants straight in the database: the racers again. */
		assert_int_equal(sql_run("SELECT intake_apply(u.id, %lld, NULL) FROM users u"
					 " WHERE u.email LIKE 'race%%' ORDER BY u.id LIMIT %d;"
					 " SELECT application_decide(id, (SELECT id FROM intake_stages"
					 " WHERE intake_id = %lld), NULL, 'pass', NULL, 'passed')"
					 " FROM applications WHERE intake_id = %lld;"
					 " SELECT selection_tell(NULL, 'offered');"
					 " SELECT intake_offer(%lld, 'offered');",
					 ids[k], APPLICANTS, ids[k], ids[k], ids[k]),
				 0);
	}
	/* Every offer's deadline passes at once; both servers' jobs run. */
	assert_int_equal(sql_run("UPDATE applications SET offer_expires_at = now()"
				 " - interval '1 second' WHERE status = 'offered'"
				 " AND intake_id BETWEEN %lld AND %lld",
				 ids[0], ids[INTAKES - 1]),
			 0);
	for (int i = 0; i < 400 && sql_ll("SELECT count(*) FROM applications WHERE intake_id"
					  " BETWEEN %lld AND %lld AND status = 'offer_expired'",
					  ids[0], ids[INTAKES - 1]) < INTAKES * SEATS;
	     i++)
		usleep(50000);
	for (int k = 0; k < INTAKES; k++) {
		assert_int_equal(sql_ll("SELECT count(*) FROM applications WHERE intake_id = %lld"
					" AND status = 'offer_expired'",
					ids[k]),
				 SEATS);
		assert_int_equal(sql_ll("SELECT count(*) FROM applications WHERE intake_id = %lld"
					" AND status = 'offered'",
					ids[k]),
				 SEATS);
		assert_int_equal(sql_ll("SELECT s.offered_count FROM sections s JOIN intakes i"
					" ON i.section_id = s.id WHERE i.id = %lld",
					ids[k]),
				 SEATS);
	}
	/* Offered once each: one offer event and one message per application. */
	assert_int_equal(sql_ll("SELECT count(*) FROM (SELECT application_id FROM"
				" application_events e JOIN applications a ON a.id = e.application_id"
				" WHERE a.intake_id BETWEEN %lld AND %lld AND e.to_status = 'offered'"
				" GROUP BY application_id HAVING count(*) > 1) x",
				ids[0], ids[INTAKES - 1]),
			 0);
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox o JOIN applications a"
				" ON a.id = (o.params->>'application_id')::bigint"
				" WHERE o.kind = 'offer.made' AND a.intake_id BETWEEN %lld AND %lld",
				ids[0], ids[INTAKES - 1]),
			 INTAKES * SEATS * 2);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action ="
				" 'application.offer_expire' AND target_id IN (SELECT id FROM"
				" applications WHERE intake_id BETWEEN %lld AND %lld)",
				ids[0], ids[INTAKES - 1]),
			 INTAKES * SEATS);
}


/* POSTs csv as text/csv to intake's decisions as a; the answer as JSON. */
static json_t *decisions(const struct harness_actor *a, long long intake, const char *query,
			 const char *csv, long want)
{
	char cookie[300], csrf[96], path[128];
	const char *headers[] = {cookie, csrf, "Content-Type: text/csv; charset=utf-8", NULL};
	struct http_result r = {0};
	json_t *j;

	snprintf(cookie, sizeof(cookie), "Cookie: %s", a->cookie);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", a->csrf);
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/decisions%s", intake, query);
	assert_int_equal(harness_request_once(srv(), "POST", path, headers, csv, &r), 0);
	if (r.status != want)
		fail_msg("POST %s: expected %ld, got %ld: %s", path, want, r.status, r.body);
	j = harness_json_body(&r);
	http_result_release(&r);
	return j;
}

/* The line and column of error i of j's errors. */
static void assert_error_at(const json_t *j, size_t i, long long line, const char *column)
{
	const json_t *e = json_array_get(json_object_get(j, "errors"), i);

	if (!e)
		fail_msg("no error %zu in %s", i, json_dumps(j, 0));
	assert_int_equal(harness_json_ll(e, "line"), line);
	if (column)
		assert_string_equal(json_string_value(json_object_get(e, "column")), column);
}

/* Decisions by CSV: a dry run shows the diff and every row's fault by
 * line; applying is all or nothing; the same file twice changes nothing. */
static void test_decision_file(void **state)
{
	json_t *intake = intake_new(3, THREE_STAGES), *j;
	long long id = harness_json_ll(intake, "id"), app[3];
	char csv[1024], buf[32];
	struct http_result r = {0};

	(void)state;
	for (int i = 0; i < 3; i++)
		app[i] = apply_ok(id, &learners[9 + i]);
	snprintf(csv, sizeof(csv),
		 "application_id,stage,score,decision,reason\r\n"
		 "%lld,1,,pass,good documents\r\n"
		 "%lld,2,75,,\r\n"
		 "%lld,1,,fail,\"incomplete, sadly\"\r\n",
		 app[0], app[0], app[1]);
	/* Rows by e-mail too. */
	strcat(csv, "\n");
	j = decisions(&gist, id, "", csv, 200);
	assert_true(json_is_true(json_object_get(j, "dry_run")));
	assert_int_equal(harness_json_ll(j, "rows"), 3);
	assert_int_equal(harness_json_ll(j, "changed"), 3);
	assert_int_equal(json_array_size(json_object_get(j, "errors")), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(
				    json_object_get(j, "diff"), 1), "to"), "status")),
			    "in_stage");
	json_decref(j);
	/* A dry run changes nothing. */
	assert_string_equal(status_of(app[0], buf, sizeof(buf)), "applied");

	/* Faults by line: a bad score, an unknown application, a stage that
	 * is not the one it waits in; nothing is applied. */
	{
		char bad[1024];

		snprintf(bad, sizeof(bad),
			 "application_id,stage,score,decision\n"
			 "%lld,1,,pass\n"
			 "%lld,2,abc,\n"
			 "999999,1,,pass\n"
			 "%lld,3,80,\n",
			 app[0], app[0], app[2]);
		j = decisions(&gist, id, "?dry_run=false", bad, 422);
		assert_string_equal(json_string_value(json_object_get(j, "code")),
				    "decisions_invalid");
		assert_int_equal(json_array_size(json_object_get(j, "errors")), 3);
		assert_error_at(j, 0, 3, "score");
		assert_error_at(j, 1, 4, NULL);
		assert_error_at(j, 2, 5, "stage");
		json_decref(j);
		assert_string_equal(status_of(app[0], buf, sizeof(buf)), "applied");
	}
	/* Headers and quoting. */
	j = decisions(&gist, id, "", "application_id,stage,colour\n1,1,red\n", 200);
	assert_error_at(j, 0, 1, "colour");
	json_decref(j);
	j = decisions(&gist, id, "", "email,application_id,stage\n", 200);
	assert_error_at(j, 0, 1, NULL);
	json_decref(j);
	j = decisions(&gist, id, "", "application_id,stage\n1,\"2\n", 200);
	assert_true(json_array_size(json_object_get(j, "errors")) >= 1);
	json_decref(j);
	j = decisions(&gist, id, "", "", 200);
	assert_error_at(j, 0, 1, NULL);
	json_decref(j);
	j = decisions(&gist, id, "?dry_run=maybe", "x", 400);
	json_decref(j);

	/* Apply; then the same file again: nothing changes. */
	j = decisions(&gist, id, "?dry_run=false", csv, 200);
	assert_true(json_is_true(json_object_get(j, "applied")));
	assert_int_equal(harness_json_ll(j, "changed"), 3);
	json_decref(j);
	assert_string_equal(status_of(app[0], buf, sizeof(buf)), "in_stage");
	assert_string_equal(status_of(app[1], buf, sizeof(buf)), "rejected");
	{
		long long events = sql_ll("SELECT count(*) FROM application_events e JOIN"
					  " applications a ON a.id = e.application_id"
					  " WHERE a.intake_id = %lld", id);

		j = decisions(&gist, id, "?dry_run=false", csv, 200);
		assert_int_equal(harness_json_ll(j, "changed"), 0);
		assert_string_equal(json_string_value(json_object_get(json_array_get(
					    json_object_get(j, "diff"), 0), "outcome")),
				    "unchanged");
		json_decref(j);
		assert_int_equal(sql_ll("SELECT count(*) FROM application_events e JOIN"
					" applications a ON a.id = e.application_id"
					" WHERE a.intake_id = %lld", id),
				 events);
	}
	/* By e-mail. */
	snprintf(csv, sizeof(csv), "email,stage,decision\nSEL12@example.com,1,pass\n");
	j = decisions(&gist, id, "?dry_run=false", csv, 200);
	assert_int_equal(harness_json_ll(j, "changed"), 1);
	json_decref(j);
	assert_string_equal(status_of(app[2], buf, sizeof(buf)), "in_stage");

	/* Another institution, a learner, not CSV. */
	j = decisions(&jnu, id, "", "application_id,stage\n", 404);
	json_decref(j);
	j = decisions(&learners[0], id, "", "application_id,stage\n", 404);
	json_decref(j);
	harness_as(srv(), &gist, "POST", "/api/v1/intakes/1/decisions", "{}", &r);
	assert_int_equal(r.status, 415);
	http_result_release(&r);
	json_decref(intake);
}

/* AI Academy and AI Do-Dream are not taken in the same year: refused at
 * application and again at acceptance. */
static void test_exclusivity(void **state)
{
	json_t *intake = intake_new(2, ONE_STAGE), *j;
	long long id = harness_json_ll(intake, "id"), dream, section, app;
	char path[96], buf[32];

	(void)state;
	dream = harness_course_create(conninfo, &(struct harness_course){
							.institution = gist_id,
							.code = "DREAM-1",
							.program = "ai_do_dream"});
	section = harness_section_create(conninfo, &(struct harness_section){
							   .course = dream, .term = "2026-2",
							   .starts_on = "2026-09-01",
							   .ends_on = "2026-12-20"});
	harness_enrollment_create(conninfo, &(struct harness_enrollment){
						    .section = section, .user = others[0].user_id});
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/applications", id);
	j = harness_json_as(srv(), &others[0], "POST", path, "{}", 409);
	assert_string_equal(json_string_value(json_object_get(j, "code")), "program_exclusive");
	assert_string_equal(json_string_value(json_object_get(j, "conflicting_program")),
			    "ai_do_dream");
	json_decref(j);

	/* Offered first, then a Do-Dream seat: the acceptance is refused. */
	app = apply_ok(id, &others[1]);
	pass_one(intake, app);
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/offers", id);
	json_decref(harness_json_as(srv(), &gist, "POST", path, NULL, 200));
	harness_enrollment_create(conninfo, &(struct harness_enrollment){
						    .section = section, .user = others[1].user_id});
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/accept", app);
	harness_problem_as(srv(), &others[1], "POST", path, NULL, 409, "program_exclusive", NULL);
	assert_string_equal(status_of(app, buf, sizeof(buf)), "offered");

	/* The rules: public to read, the platform's admins' to change. */
	j = harness_get_json(srv(), NULL, "/api/v1/program-exclusions");
	assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
	json_decref(j);
	assert_int_equal(harness_status_as(srv(), &gist, "POST", "/api/v1/program-exclusions",
					   "{\"programs\": [\"online\", \"ai_academy\"]}"),
			 403);
	harness_problem_as(srv(), &platform, "POST", "/api/v1/program-exclusions",
			   "{\"programs\": [\"online\", \"nope\"]}", 400, "validation_failed",
			   "programs");
	harness_problem_as(srv(), &platform, "POST", "/api/v1/program-exclusions",
			   "{\"programs\": [\"online\"]}", 400, "validation_failed", "programs");
	j = harness_json_as(srv(), &platform, "POST", "/api/v1/program-exclusions",
			    "{\"programs\": [\"online\", \"ai_academy\"]}", 201);
	assert_int_equal(json_array_size(j), 2);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/program-exclusions/ai_academy/online");
	assert_int_equal(harness_status_as(srv(), &gist, "DELETE", path, NULL), 403);
	assert_int_equal(harness_status_as(srv(), &platform, "DELETE", path, NULL), 204);
	assert_int_equal(harness_status_as(srv(), &platform, "DELETE", path, NULL), 404);
	json_decref(intake);
}

/* Reviewers: instructors or admins of the institution, added per intake;
 * with blind review they see no names; they decide, they do not offer. */
static void test_reviewers(void **state)
{
	json_t *intake, *j, *item;
	long long id, app;
	char path[128], body[256];

	(void)state;
	{
		char def[4096];

		snprintf(def, sizeof(def),
			 "{\"section_id\": %lld, \"title_ko\": \"블라인드\", \"title_en\": \"Blind\","
			 " \"opens_at\": \"2026-01-01T00:00:00Z\","
			 " \"closes_at\": \"2030-01-01T00:00:00Z\", \"blind_review\": true,"
			 " \"stages\": " ONE_STAGE "}",
			 section_new(2));
		intake = harness_json_as(srv(), &gist, "POST", "/api/v1/intakes", def, 201);
	}
	id = harness_json_ll(intake, "id");
	assert_true(json_is_true(json_object_get(intake, "blind_review")));
	app = apply_ok(id, &others[2]);

	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/applications", id);
	assert_int_equal(harness_status_as(srv(), &instructor, "GET", path, NULL), 404);
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/reviewers", id);
	snprintf(body, sizeof(body), "{\"user_id\": %lld}", instructor.user_id);
	assert_int_equal(harness_status_as(srv(), &jnu, "POST", path, body), 404);
	assert_int_equal(harness_status_as(srv(), &instructor, "POST", path, body), 403);
	snprintf(body, sizeof(body), "{\"user_id\": %lld}", others[0].user_id);
	harness_problem_as(srv(), &gist, "POST", path, body, 400, "validation_failed", "user_id");
	harness_problem_as(srv(), &gist, "POST", path, "{\"user_id\": \"x\"}", 400,
			   "validation_failed", "user_id");
	snprintf(body, sizeof(body), "{\"user_id\": %lld}", instructor.user_id);
	j = harness_json_as(srv(), &gist, "POST", path, body, 201);
	assert_int_equal(json_array_size(j), 1);
	json_decref(j);
	json_decref(harness_json_as(srv(), &gist, "POST", path, body, 201));

	/* The reviewer sees the applications without names, and decides. */
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/applications", id);
	j = harness_get_json(srv(), &instructor, path);
	item = json_array_get(json_object_get(j, "items"), 0);
	assert_true(json_is_null(json_object_get(item, "display_name")));
	assert_true(json_is_null(json_object_get(item, "email")));
	json_decref(j);
	j = harness_get_json(srv(), &gist, path);
	item = json_array_get(json_object_get(j, "items"), 0);
	assert_true(json_is_string(json_object_get(item, "email")));
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/applications/%lld", app);
	j = harness_get_json(srv(), &instructor, path);
	assert_true(json_is_null(json_object_get(j, "email")));
	json_decref(j);
	j = decisions(&instructor, id, "", "email,stage,decision\nother3@example.com,1,pass\n",
		      403);
	json_decref(j);
	snprintf(body, sizeof(body), "{\"stage_id\": %lld, \"decision\": \"pass\"}",
		 stage_id(intake, 0));
	j = result_as(&instructor, app, body, 200);
	assert_true(json_is_null(json_object_get(j, "display_name")));
	assert_string_equal(json_string_value(json_object_get(j, "status")), "passed");
	json_decref(j);
	/* Offers and rejections stay with the admins. */
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/offers", id);
	assert_int_equal(harness_status_as(srv(), &instructor, "POST", path, NULL), 403);
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/reject", app);
	assert_int_equal(harness_status_as(srv(), &instructor, "POST", path, "{\"reason\": \"x\"}"),
			 403);
	/* Removed, the reviewer sees nothing. */
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/reviewers/%lld", id, instructor.user_id);
	json_decref(harness_json_as(srv(), &gist, "DELETE", path, NULL, 200));
	harness_problem_as(srv(), &gist, "DELETE", path, NULL, 404, "not_found", NULL);
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/applications", id);
	assert_int_equal(harness_status_as(srv(), &instructor, "GET", path, NULL), 404);
	json_decref(intake);
}

/* The funnel: per intake and step, JSON and CSV, each institution its own. */
static void test_funnel(void **state)
{
	json_t *j, *intake;
	struct http_result r = {0};
	char path[128];
	size_t i;

	(void)state;
	j = harness_get_json(srv(), &gist, "/api/v1/reports/selection-funnel");
	assert_int_equal(json_array_size(json_object_get(j, "intakes")),
			 sql_ll("SELECT count(*) FROM intakes WHERE institution_id = %lld", gist_id));
	json_array_foreach(json_object_get(j, "intakes"), i, intake) {
		long long id = harness_json_ll(intake, "intake_id");

		assert_int_equal(harness_json_ll(intake, "applied"),
				 sql_ll("SELECT count(*) FROM applications WHERE intake_id = %lld",
					id));
		assert_int_equal(harness_json_ll(intake, "offered"),
				 sql_ll("SELECT count(DISTINCT application_id) FROM"
					" application_events e JOIN applications a ON a.id ="
					" e.application_id WHERE a.intake_id = %lld AND"
					" e.to_status = 'offered'",
					id));
		assert_true(harness_json_ll(intake, "enrolled") <=
			    harness_json_ll(intake, "accepted"));
	}
	{
		long long applied = 0;
		json_t *total;

		/* The demo's startup call is there too, next to the Academy. */
		assert_int_equal(json_array_size(json_object_get(j, "totals")), 2);
		json_array_foreach(json_object_get(j, "totals"), i, total)
			applied += harness_json_ll(total, "applied");
		assert_int_equal(applied, sql_ll("SELECT count(*) FROM applications"));
	}
	json_decref(j);
	harness_get_as(srv(), &gist, "/api/v1/reports/selection-funnel?format=csv&program=ai_academy",
		       &r);
	assert_int_equal(r.status, 200);
	assert_contains(r.body, "institution,program,intake_id,intake,step,count");
	assert_contains(r.body, "stage 1 passed");
	assert_contains(r.body, "gist,ai_academy,");
	http_result_release(&r);
	assert_true(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.selection_funnel'")
		    >= 2);

	/* Another institution sees its own (none); not someone else's. */
	j = harness_get_json(srv(), &jnu, "/api/v1/reports/selection-funnel");
	assert_int_equal(json_array_size(json_object_get(j, "intakes")), 0);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/reports/selection-funnel?institution_id=%lld",
		 gist_id);
	assert_int_equal(harness_status_as(srv(), &jnu, "GET", path, NULL), 403);
	assert_int_equal(harness_status_as(srv(), &learners[0], "GET",
					   "/api/v1/reports/selection-funnel", NULL),
			 403);
	harness_problem_as(srv(), &gist, "GET", "/api/v1/reports/selection-funnel?program=A-1",
			   NULL, 400, "validation_failed", "program");
	harness_problem_as(srv(), &gist, "GET", "/api/v1/reports/selection-funnel?colour=red",
			   NULL, 400, "validation_failed", NULL);
}

/* The demo: an AI Academy intake mid-way, a startup call with offers out. */
static void test_demo_data(void **state)
{
	(void)state;
	assert_int_equal(sql_ll("SELECT count(*) FROM intakes WHERE title_en LIKE '%%(demo)'"), 2);
	assert_int_equal(sql_ll("SELECT count(*) FROM applications a JOIN intakes i ON"
				" i.id = a.intake_id WHERE i.title_en = 'AI Academy selection (demo)'"
				" AND a.status = 'in_stage' AND a.stage = 3"),
			 6);
	assert_int_equal(sql_ll("SELECT count(*) FROM applications a JOIN intakes i ON"
				" i.id = a.intake_id WHERE i.title_en = 'Startup support call (demo)'"
				" AND a.status = 'offered'"),
			 3);
	/* Offers wait for their answer: the demo enrols nobody, so the demo
	 * catalogue's sections start empty. */
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments"), 0);
	/* Seeding again changes nothing. */
	assert_int_equal(harness_seed_demo(conninfo), 0);
	assert_int_equal(sql_ll("SELECT count(*) FROM intakes WHERE title_en LIKE '%%(demo)'"), 2);
}

/* POSTs body as type to path as a; returns the status, the answer in out. */
static long upload(const struct harness_actor *a, const char *path, const char *type,
		   const char *body, struct http_result *out)
{
	char cookie[300], csrf[96], ct[96];
	const char *headers[] = {cookie, csrf, ct, NULL};

	snprintf(cookie, sizeof(cookie), "Cookie: %s", a->cookie);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", a->csrf);
	snprintf(ct, sizeof(ct), "Content-Type: %s", type);
	assert_int_equal(harness_request_once(srv(), "POST", path, headers, body, out), 0);
	return out->status;
}

/* Documents: the applicant adds PDF, PNG or JPEG files while under review;
 * the intake's admins read them; nobody else. */
static void test_documents(void **state)
{
	json_t *intake = intake_new(2, ONE_STAGE), *j;
	long long id = harness_json_ll(intake, "id"), app, doc;
	struct http_result r = {0};
	char path[160], *big;

	(void)state;
	app = sql_ll("SELECT id FROM applications WHERE intake_id = %lld", id);
	assert_true(app < 0);
	app = apply_ok(id, &racers[39]);
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/documents?filename=%s", app,
		 "%EC%9D%B4%EB%A0%A5%EC%84%9C.pdf");
	assert_int_equal(upload(&racers[39], path, "application/pdf", "%PDF-1.4 a CV", &r), 201);
	j = harness_json_body(&r);
	doc = harness_json_ll(j, "id");
	assert_string_equal(json_string_value(json_object_get(j, "filename")), "이력서.pdf");
	json_decref(j);
	http_result_release(&r);
	/* The wrong type, bytes that are not what they claim, no name, too big,
	 * someone else's application. */
	assert_int_equal(upload(&racers[39], path, "text/html", "<p>", &r), 415);
	http_result_release(&r);
	assert_int_equal(upload(&racers[39], path, "image/png", "%PDF-1.4", &r), 400);
	http_result_release(&r);
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/documents", app);
	assert_int_equal(upload(&racers[39], path, "application/pdf", "%PDF-1.4", &r), 400);
	http_result_release(&r);
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/documents?filename=a%%2Fb.pdf", app);
	assert_int_equal(upload(&racers[39], path, "application/pdf", "%PDF-1.4", &r), 400);
	http_result_release(&r);
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/documents?filename=cv.pdf", app);
	big = malloc((5 << 20) + 16);
	assert_non_null(big);
	memset(big, 'a', (5 << 20) + 15);
	memcpy(big, "%PDF-", 5);
	big[(5 << 20) + 15] = '\0';
	assert_int_equal(upload(&racers[39], path, "application/pdf", big, &r), 413);
	http_result_release(&r);
	free(big);
	assert_int_equal(upload(&racers[38], path, "application/pdf", "%PDF-1.4", &r), 404);
	http_result_release(&r);

	/* Reading: the applicant, the intake's admins; not another institution. */
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/documents/%lld", app, doc);
	harness_get_as(srv(), &gist, path, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "%PDF-1.4 a CV");
	http_result_release(&r);
	assert_int_equal(harness_status_as(srv(), &racers[39], "GET", path, NULL), 200);
	assert_int_equal(harness_status_as(srv(), &jnu, "GET", path, NULL), 404);
	assert_int_equal(harness_status_as(srv(), &racers[38], "GET", path, NULL), 404);
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/documents/999999", app);
	assert_int_equal(harness_status_as(srv(), &gist, "GET", path, NULL), 404);
	snprintf(path, sizeof(path), "/api/v1/applications/%lld", app);
	j = harness_get_json(srv(), &racers[39], path);
	assert_int_equal(json_array_size(json_object_get(j, "documents")), 1);
	json_decref(j);

	/* Once decided, the file is closed. */
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/reject", app);
	json_decref(harness_json_as(srv(), &gist, "POST", path, "{\"reason\": \"full\"}", 200));
	snprintf(path, sizeof(path), "/api/v1/applications/%lld/documents?filename=cv.pdf", app);
	assert_int_equal(upload(&racers[39], path, "application/pdf", "%PDF-1.4", &r), 409);
	http_result_release(&r);
	json_decref(intake);
}

/* A cancelled enrolment of a section admitted by selection offers its seat
 * to the next in line in the same transaction, as a decline does; two
 * cancellations of the same enrolment at once, through two servers, offer
 * it once, and two different enrolments cancelled at once offer two. */
static void test_cancel_reoffers(void **state)
{
	static struct harness_actor fresh[5];
	static struct shot shots[4];
	json_t *intake = intake_new(2, ONE_STAGE), *j;
	long long id = harness_json_ll(intake, "id"), section = harness_json_ll(intake, "section_id"),
		  app[5], enr[2];
	char path[96], buf[32];

	(void)state;
	assert_int_equal(harness_learners_create(conninfo, "reoffer", "worker", 5, fresh), 0);
	for (int i = 0; i < 5; i++) {
		app[i] = apply_ok(id, &fresh[i]);
		pass_one(intake, app[i]);
	}
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/offers", id);
	j = harness_json_as(srv(), &gist, "POST", path, NULL, 200);
	assert_int_equal(harness_json_ll(j, "offered"), 2);
	json_decref(j);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/api/v1/applications/%lld/accept", app[i]);
		j = harness_json_as(srv(), &fresh[i], "POST", path, NULL, 200);
		enr[i] = harness_json_ll(j, "enrollment_id");
		json_decref(j);
	}
	assert_string_equal(status_of(app[2], buf, sizeof(buf)), "passed");

	/* Each learner cancels twice at the same instant, on both servers. */
	for (int i = 0; i < 4; i++) {
		shots[i] = (struct shot){.server = &servers[i % 2], .actor = &fresh[i / 2]};
		snprintf(shots[i].path, sizeof(shots[0].path), "/api/v1/enrollments/%lld",
			 enr[i / 2]);
	}
	{
		pthread_t threads[4];
		pthread_barrier_t start;

		assert_int_equal(pthread_barrier_init(&start, NULL, 4), 0);
		for (int i = 0; i < 4; i++) {
			shots[i].start = &start;
			assert_int_equal(pthread_create(&threads[i], NULL, shot_cancel, &shots[i]),
					 0);
		}
		for (int i = 0; i < 4; i++)
			pthread_join(threads[i], NULL);
		pthread_barrier_destroy(&start);
	}
	for (int i = 0; i < 4; i++) {
		if (shots[i].r.status >= 500)
			fail_msg("%s: %ld %s", shots[i].path, shots[i].r.status,
				 shots[i].r.body ? shots[i].r.body : "");
		http_result_release(&shots[i].r);
	}
	assert_int_equal(sql_ll("SELECT count(*) FROM enrollments WHERE id IN (%lld, %lld)"
				" AND status = 'cancelled'",
				enr[0], enr[1]),
			 2);
	/* The two freed seats went to the next two, best first; once each. */
	assert_string_equal(status_of(app[2], buf, sizeof(buf)), "offered");
	assert_string_equal(status_of(app[3], buf, sizeof(buf)), "offered");
	assert_string_equal(status_of(app[4], buf, sizeof(buf)), "passed");
	assert_int_equal(sql_ll("SELECT enrolled_count * 10 + offered_count FROM sections"
				" WHERE id = %lld",
				section),
			 2);
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox WHERE kind = 'offer.made'"
				" AND params->>'application_id' IN ('%lld', '%lld', '%lld')",
				app[2], app[3], app[4]),
			 2);
	assert_int_equal(sql_ll("SELECT count(*) FROM application_events WHERE application_id"
				" IN (%lld, %lld) AND to_status = 'offered'"
				" AND reason LIKE '%%cancelled enrolment%%'",
				app[2], app[3]),
			 2);
	/* A full section offers nothing when nobody leaves it. */
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/offers", id);
	j = harness_json_as(srv(), &gist, "POST", path, NULL, 200);
	assert_int_equal(harness_json_ll(j, "offered"), 0);
	json_decref(j);
	json_decref(intake);
}

#define INTERVIEW_STAGE                                                                  \
	"[{\"kind\": \"interview\", \"name_ko\": \"면접\", \"name_en\": \"Interview\","      \
	" \"rule\": \"pass_fail\"}]"

/* Interview slots are class sessions under the same exclusion rules: a
 * clash with a class or another slot is a 409 naming it; an interviewer
 * not of the institution nor lent to it is refused; the applicant sees
 * the slot and is told through the outbox. */
static void test_interviews(void **state)
{
	static struct harness_actor people[4];
	json_t *intake = intake_new(3, INTERVIEW_STAGE), *one = intake_new(3, ONE_STAGE), *j, *it;
	long long id = harness_json_ll(intake, "id"), stage = stage_id(intake, 0),
		  other_section = section_new(5), chonnam, room, inside, outside, lent, slot, app[2],
		  class_id;
	char path[128], body[512];

	(void)state;
	assert_int_equal(harness_learners_create(conninfo, "interview", "worker", 4, people), 0);
	chonnam = sql_ll("SELECT id FROM institutions WHERE code <> 'gist' ORDER BY id LIMIT 1");
	inside = people[0].user_id;
	outside = people[1].user_id;
	lent = people[2].user_id;
	assert_int_equal(sql_run("INSERT INTO instructors (user_id, home_institution_id) VALUES"
				 " (%lld, %lld), (%lld, %lld), (%lld, %lld);"
				 " INSERT INTO instructor_shares (instructor_id, institution_id)"
				 " VALUES (%lld, %lld)",
				 inside, gist_id, outside, chonnam, lent, chonnam, lent, gist_id),
			 0);
	room = sql_ll("INSERT INTO facilities (institution_id, name_ko, name_en, kind, capacity)"
		      " VALUES (%lld, '면접실 A', 'Interview room A', 'classroom', 10) RETURNING id",
		      gist_id);
	class_id = sql_ll("INSERT INTO class_sessions (section_id, starts_at, ends_at,"
			  " instructor_id, online_url) VALUES (%lld, '2027-02-01 10:00+09',"
			  " '2027-02-01 12:00+09', %lld, 'https://meet.example.com/c')"
			  " RETURNING id",
			  other_section, inside);
	app[0] = apply_ok(id, &people[3]);
	app[1] = apply_ok(id, &learners[0]);
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/interviews", id);

	/* Bad bodies, someone else's intake, a stage that is no interview. */
	harness_problem_as(srv(), &gist, "POST", path, "{}", 400, "validation_failed", NULL);
	snprintf(body, sizeof(body),
		 "{\"stage_id\": %lld, \"starts_at\": \"2027-02-01T11:00:00+09:00\","
		 " \"ends_at\": \"2027-02-01T11:30:00+09:00\", \"interviewer_id\": %lld}",
		 stage, inside);
	harness_problem_as(srv(), &gist, "POST", path, body, 400, "validation_failed", NULL);
	snprintf(body, sizeof(body),
		 "{\"stage_id\": %lld, \"starts_at\": \"2027-02-01T11:00:00+09:00\","
		 " \"ends_at\": \"2027-02-01T11:30:00+09:00\", \"interviewer_id\": %lld,"
		 " \"facility_id\": %lld}",
		 stage, inside, room);
	harness_problem_as(srv(), &jnu, "POST", path, body, 404, "not_found", NULL);
	{
		char p2[128], b2[512];

		snprintf(p2, sizeof(p2), "/api/v1/intakes/%lld/interviews",
			 harness_json_ll(one, "id"));
		snprintf(b2, sizeof(b2),
			 "{\"stage_id\": %lld, \"starts_at\": \"2027-02-03T11:00:00+09:00\","
			 " \"ends_at\": \"2027-02-03T11:30:00+09:00\", \"interviewer_id\": %lld,"
			 " \"facility_id\": %lld}",
			 stage_id(one, 0), inside, room);
		harness_problem_as(srv(), &gist, "POST", p2, b2, 409, "not_interview_stage", NULL);
		/* A stage of another intake is not this intake's. */
		snprintf(b2, sizeof(b2),
			 "{\"stage_id\": %lld, \"starts_at\": \"2027-02-03T11:00:00+09:00\","
			 " \"ends_at\": \"2027-02-03T11:30:00+09:00\", \"interviewer_id\": %lld,"
			 " \"facility_id\": %lld}",
			 stage_id(one, 0), inside, room);
		harness_problem_as(srv(), &gist, "POST", path, b2, 400, "validation_failed", NULL);
	}

	/* The interviewer teaches a class then: refused, the class named. */
	j = harness_json_as(srv(), &gist, "POST", path, body, 409);
	assert_string_equal(json_string_value(json_object_get(j, "code")), "instructor_conflict");
	it = json_object_get(j, "conflicting_session");
	assert_int_equal(harness_json_ll(it, "id"), class_id);
	json_decref(j);

	/* Another institution's instructor, not lent to it: refused. */
	snprintf(body, sizeof(body),
		 "{\"stage_id\": %lld, \"starts_at\": \"2027-02-02T10:00:00+09:00\","
		 " \"ends_at\": \"2027-02-02T10:30:00+09:00\", \"interviewer_id\": %lld,"
		 " \"facility_id\": %lld}",
		 stage, outside, room);
	harness_problem_as(srv(), &gist, "POST", path, body, 400, "validation_failed", NULL);
	assert_int_equal(sql_ll("SELECT count(*) FROM class_sessions WHERE instructor_id = %lld",
				outside),
			 0);

	/* Lent to it: scheduled; the same room at the same time is not. */
	snprintf(body, sizeof(body),
		 "{\"stage_id\": %lld, \"starts_at\": \"2027-02-02T10:00:00+09:00\","
		 " \"ends_at\": \"2027-02-02T10:30:00+09:00\", \"interviewer_id\": %lld,"
		 " \"facility_id\": %lld}",
		 stage, lent, room);
	j = harness_json_as(srv(), &gist, "POST", path, body, 201);
	slot = harness_json_ll(j, "id");
	json_decref(j);
	snprintf(body, sizeof(body),
		 "{\"stage_id\": %lld, \"starts_at\": \"2027-02-02T10:15:00+09:00\","
		 " \"ends_at\": \"2027-02-02T10:45:00+09:00\", \"interviewer_id\": %lld,"
		 " \"facility_id\": %lld}",
		 stage, inside, room);
	j = harness_json_as(srv(), &gist, "POST", path, body, 409);
	assert_string_equal(json_string_value(json_object_get(j, "code")), "facility_conflict");
	assert_int_equal(harness_json_ll(json_object_get(j, "conflicting_session"), "id"), slot);
	json_decref(j);
	/* Online, the same interviewer at once: also a clash. */
	snprintf(body, sizeof(body),
		 "{\"stage_id\": %lld, \"starts_at\": \"2027-02-02T10:20:00+09:00\","
		 " \"ends_at\": \"2027-02-02T10:50:00+09:00\", \"interviewer_id\": %lld,"
		 " \"online_url\": \"https://meet.example.com/i\"}",
		 stage, lent);
	harness_problem_as(srv(), &gist, "POST", path, body, 409, "instructor_conflict", NULL);
	/* The slot is a class session: the rule holds for classes too. */
	assert_int_not_equal(sql_run("INSERT INTO class_sessions (section_id, starts_at, ends_at,"
				     " instructor_id, online_url) VALUES (%lld,"
				     " '2027-02-02 10:00+09', '2027-02-02 11:00+09', %lld,"
				     " 'https://meet.example.com/x')",
				     other_section, lent),
			     0);

	/* Assigning: only an application waiting in the stage, of this intake. */
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/interviews/%lld/applicants", id, slot);
	snprintf(body, sizeof(body), "{\"application_id\": %lld}", app[0]);
	harness_problem_as(srv(), &jnu, "POST", path, body, 404, "not_found", NULL);
	harness_problem_as(srv(), &gist, "POST", path, "{\"application_id\": \"x\"}", 400,
			   "validation_failed", NULL);
	json_decref(harness_json_as(srv(), &gist, "POST", path, body, 200));
	json_decref(harness_json_as(srv(), &gist, "POST", path, body, 200));
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox WHERE kind = 'interview.scheduled'"
				" AND user_id = %lld AND params->>'place_en' = 'Interview room A'"
				" AND params->>'starts_at' = '2027-02-02 10:00 KST'"
				" AND params ? 'intake_ko' AND params ? 'stage_ko'"
				" AND to_address = (SELECT email FROM users WHERE id = %lld)",
				people[3].user_id, people[3].user_id),
			 1);
	{
		long long foreign = apply_ok(harness_json_ll(one, "id"), &learners[1]);

		snprintf(body, sizeof(body), "{\"application_id\": %lld}", foreign);
		harness_problem_as(srv(), &gist, "POST", path, body, 404, "not_found", NULL);
	}
	snprintf(body, sizeof(body), "{\"application_id\": %lld}", app[1]);
	assert_int_equal(sql_run("SELECT application_move(%lld, 'withdrawn', NULL, 'test')",
				 app[1]),
			 0);
	harness_problem_as(srv(), &gist, "POST", path, body, 409, "not_at_stage", NULL);

	/* The applicant sees the slot; the admin sees who is in it. */
	j = harness_json_as(srv(), &people[3], "GET", "/api/v1/me/applications", NULL, 200);
	it = json_object_get(json_array_get(json_object_get(j, "items"), 0), "interview");
	assert_non_null(it);
	assert_int_equal(harness_json_ll(it, "session_id"), slot);
	assert_string_equal(json_string_value(json_object_get(json_object_get(it, "facility"),
							      "name_en")),
			     "Interview room A");
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/intakes/%lld/interviews", id);
	harness_problem_as(srv(), &jnu, "GET", path, NULL, 404, "not_found", NULL);
	j = harness_json_as(srv(), &gist, "GET", path, NULL, 200);
	it = json_array_get(json_object_get(j, "items"), 0);
	assert_int_equal(harness_json_ll(it, "id"), slot);
	assert_int_equal(json_array_size(json_object_get(it, "applicants")), 1);
	json_decref(j);
	/* The interviewer's week shows the slot as it shows a class. */
	snprintf(path, sizeof(path),
		 "/api/v1/instructors/%lld/schedule?from=2027-02-01&to=2027-02-04", lent);
	j = harness_json_as(srv(), &people[2], "GET", path, NULL, 200);
	it = json_object_get(j, "items");
	assert_int_equal(json_array_size(it), 1);
	assert_int_equal(harness_json_ll(json_array_get(it, 0), "id"), slot);
	json_decref(j);
	json_decref(one);
	json_decref(intake);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_data),
		cmocka_unit_test(test_intake_define),
		cmocka_unit_test(test_state_machine),
		cmocka_unit_test(test_offers),
		cmocka_unit_test(test_offers_concurrent),
		cmocka_unit_test(test_expiry_two_servers),
		cmocka_unit_test(test_decision_file),
		cmocka_unit_test(test_exclusivity),
		cmocka_unit_test(test_reviewers),
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_funnel),
		cmocka_unit_test(test_cancel_reoffers),
		cmocka_unit_test(test_interviews),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
