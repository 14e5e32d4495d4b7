/* kpi_test.c - the regional centres' KPI report and the outputs they record,
 * against a running server: values per centre and year, evidence rules,
 * who may record, read and delete, CSV and the audit trail */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define USER_PASSWORD "kpi-centre-pass-2026"
#define BOM "\xEF\xBB\xBF"
#define REPORT "/api/v1/reports/kpi"
#define OUTPUTS "/api/v1/reports/kpi/outputs"

static struct lms_server server;
static char conninfo[1024];

/* jnu (Chonnam) and kumoh are regional centres; gist is not. */
static struct harness_actor learner, gist_admin, jnu_admin, kumoh_admin, platform, token,
	audit_token;
static long long gist, jnu, kumoh, centres, this_year;

/* ---- helpers ---- */

#define sql_ll(...) harness_sql_llf(conninfo, __VA_ARGS__)

#define call(a, method, path, body, want) harness_json_as(&server, a, method, path, body, want)
#define assert_refused(...) harness_problem_as(&server, __VA_ARGS__)

/* Records an output as a (201); returns its id. */
static long long record(const struct harness_actor *a, const char *body)
{
	json_t *j = call(a, "POST", OUTPUTS, body, 201);
	long long id = harness_json_ll(j, "id");

	json_decref(j);
	return id;
}

/* The row of items for institution in year, or NULL. */
static json_t *row_of(const json_t *items, long long institution, long long year)
{
	json_t *item;
	size_t i;

	json_array_foreach(items, i, item)
		if (harness_json_ll(item, "institution_id") == institution &&
		    harness_json_ll(item, "year") == year)
			return item;
	return NULL;
}

/* The five indicators of row must be as given. */
static void assert_kpi(const json_t *row, long long trained, long long graduates, long long papers,
		       long long patents, long long income)
{
	if (!row)
		fail_msg("no such row");
	assert_int_equal(harness_json_ll(row, "in_service_employees_trained"), trained);
	assert_int_equal(harness_json_ll(row, "degree_graduates"), graduates);
	assert_int_equal(harness_json_ll(row, "papers"), papers);
	assert_int_equal(harness_json_ll(row, "patents"), patents);
	assert_int_equal(harness_json_ll(row, "tech_transfer_income_krw"), income);
}

static long long course_of(long long institution, const char *program, const char *code)
{
	char title_ko[64], title_en[64];

	snprintf(title_ko, sizeof(title_ko), "지표 %s", code);
	snprintf(title_en, sizeof(title_en), "KPI %s", code);
	return harness_course_create(conninfo, &(struct harness_course){.institution = institution,
									.code = code,
									.program = program,
									.title_ko = title_ko,
									.title_en = title_en,
									.delivery = "offline"});
}

static long long section_of(long long course, const char *term)
{
	return harness_section_create(conninfo, &(struct harness_section){.course = course,
									  .term = term,
									  .starts_on = "2025-09-01",
									  .ends_on = "2025-12-20",
									  .opens_at = "2025-08-01",
									  .closes_at = "2025-08-30",
									  .status = "closed"});
}

static void enroll(long long section, long long user, const char *status)
{
	harness_enrollment_create(conninfo, &(struct harness_enrollment){
						    .section = section, .user = user, .status = status});
}

/* ---- fixture ---- */

/*
 * Completed enrolments in regional-centre courses:
 * - Chonnam 2025: w1 (in two sections: counted once), w2; also g1 (a
 *   graduate student, not an employee), w3 enrolled but not done, u1
 *   incomplete, and w3 completed an online course (not the programme).
 * - Chonnam 2026: w3.
 * - Kumoh 2025: w1.
 * Outputs are recorded through the API in the tests.
 */
static int setup(void **state)
{
	struct harness_actor w[3], g[1], u[1];
	long long w1, w2, w3, g1, u1, rc_jnu, rc_kumoh, online_jnu, s1, s2, s3, s4, s5;
	char body[512];

	if (harness_db_create("kpi", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	/* The tests record every output they count; the demo's go. */
	if (harness_sql(conninfo, "DELETE FROM kpi_outputs") != 0)
		return -1;
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	jnu = sql_ll("SELECT id FROM institutions WHERE code = 'jnu'");
	kumoh = sql_ll("SELECT id FROM institutions WHERE code = 'kumoh'");
	centres = sql_ll("SELECT count(*) FROM institutions WHERE is_regional_center");
	this_year = sql_ll("SELECT extract(year FROM now() AT TIME ZONE 'Asia/Seoul')::int");
	if (harness_login(&server, "learner@example.com", DEMO_PASSWORD, &learner) != 0 ||
	    harness_login(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin) != 0 ||
	    harness_login(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin) != 0 ||
	    harness_login(&server, "admin@example.com", DEMO_PASSWORD, &platform) != 0)
		return -1;

	/* Kumoh's admin: registered, made an admin of the centre. */
	snprintf(body, sizeof(body),
		 "{\"email\": \"kumoh-admin@example.com\", \"password\": \"" USER_PASSWORD "\","
		 " \"display_name\": \"금오공대 담당자\", \"ladder_stage\": \"worker\", " HARNESS_CONSENT "}");
	if (harness_status_as(&server, NULL, "POST", "/api/v1/auth/register", body) != 201)
		return -1;
	sql_ll("INSERT INTO user_roles (user_id, role, institution_id) SELECT id,"
	       " 'institution_admin', %lld FROM users WHERE email = 'kumoh-admin@example.com'"
	       " RETURNING id",
	       kumoh);
	if (harness_login(&server, "kumoh-admin@example.com", USER_PASSWORD, &kumoh_admin) != 0)
		return -1;
	if (harness_token_create(&server, &jnu_admin, jnu, "kpi reports", "\"reports:read\"",
				 &token) < 0 ||
	    harness_token_create(&server, &jnu_admin, jnu, "kpi audit", "\"audit:read\"",
				 &audit_token) < 0)
		return -1;

	if (harness_learners_create(conninfo, "kpi-w", "worker", 3, w) != 0 ||
	    harness_learners_create(conninfo, "kpi-g", "graduate", 1, g) != 0 ||
	    harness_learners_create(conninfo, "kpi-u", "undergraduate", 1, u) != 0)
		return -1;
	w1 = w[0].user_id, w2 = w[1].user_id, w3 = w[2].user_id;
	g1 = g[0].user_id, u1 = u[0].user_id;
	rc_jnu = course_of(jnu, "regional_center", "KPI-RC");
	online_jnu = course_of(jnu, "online", "KPI-ON");
	rc_kumoh = course_of(kumoh, "regional_center", "KPI-RC");
	s1 = section_of(rc_jnu, "2025-2");
	s2 = section_of(rc_jnu, "2025-winter");
	s3 = section_of(rc_jnu, "2026-1");
	s4 = section_of(online_jnu, "2025-2");
	s5 = section_of(rc_kumoh, "2025-2");
	enroll(s1, w1, "completed");
	enroll(s1, w2, "completed");
	enroll(s1, g1, "completed");
	enroll(s1, w3, "enrolled");
	enroll(s1, u1, "incomplete");
	enroll(s2, w1, "completed");
	enroll(s3, w3, "completed");
	enroll(s4, w3, "completed");
	enroll(s5, w1, "completed");
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(harness_server_stop(&server), 0);
	return 0;
}

/* ---- recording outputs ---- */

static long long paper_2026;

static void centres_record_outputs(void **state)
{
	char body[512];
	json_t *j;

	(void)state;
	/* Each kind with its evidence; the answer is the row. */
	j = call(&jnu_admin, "POST", OUTPUTS,
		 "{\"year\": 2025, \"kind\": \"paper\", \"title\": \"제조 AI 논문\","
		 " \"doi\": \"10.1234/abc.2025.1\"}",
		 201);
	assert_int_equal(harness_json_ll(j, "institution_id"), jnu);
	assert_int_equal(harness_json_ll(j, "year"), 2025);
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "paper");
	assert_string_equal(json_string_value(json_object_get(j, "title")), "제조 AI 논문");
	assert_string_equal(json_string_value(json_object_get(j, "doi")), "10.1234/abc.2025.1");
	assert_true(json_is_null(json_object_get(j, "patent_number")));
	assert_true(json_is_null(json_object_get(j, "amount_krw")));
	assert_true(json_is_null(json_object_get(j, "count")));
	assert_int_equal(harness_json_ll(j, "recorded_by"), jnu_admin.user_id);
	assert_true(json_is_string(json_object_get(j, "created_at")));
	json_decref(j);

	record(&jnu_admin, "{\"year\": 2025, \"kind\": \"paper\", \"title\": \"Paper two\","
			   " \"doi\": \"10.55555.1/x(y)z;2\"}");
	record(&jnu_admin, "{\"year\": 2025, \"kind\": \"patent\", \"title\": \"특허\","
			   " \"patent_number\": \"10-2345678\"}");
	record(&jnu_admin, "{\"year\": 2025, \"kind\": \"tech_transfer\", \"title\": \"기술이전 A\","
			   " \"amount_krw\": 15000000}");
	record(&jnu_admin, "{\"year\": 2025, \"kind\": \"tech_transfer\", \"title\": \"기술이전 B\","
			   " \"amount_krw\": 5000000, \"institution_id\": null}");
	record(&jnu_admin, "{\"year\": 2025, \"kind\": \"graduate\", \"title\": \"2025 석사 학위수여\","
			   " \"count\": 7}");
	paper_2026 = record(&jnu_admin, "{\"year\": 2026, \"kind\": \"paper\", \"title\": \"Next\","
					" \"doi\": \"10.1234/next\"}");
	/* The platform admin records for a centre it names. */
	snprintf(body, sizeof(body),
		 "{\"institution_id\": %lld, \"year\": 2025, \"kind\": \"patent\","
		 " \"title\": \"Kumoh patent\", \"patent_number\": \"10-1111111\"}",
		 kumoh);
	record(&platform, body);
	snprintf(body, sizeof(body),
		 "{\"institution_id\": %lld, \"year\": 2025, \"kind\": \"graduate\","
		 " \"title\": \"Kumoh graduates\", \"count\": 3}",
		 kumoh);
	record(&kumoh_admin, body);

	/* The same paper or patent twice (case aside) is one output. */
	assert_refused(&jnu_admin, "POST", OUTPUTS,
		       "{\"year\": 2026, \"kind\": \"paper\", \"title\": \"Again\","
		       " \"doi\": \"10.1234/ABC.2025.1\"}",
		       409, "kpi_output_exists", "doi");
	assert_refused(&jnu_admin, "POST", OUTPUTS,
		       "{\"year\": 2025, \"kind\": \"patent\", \"title\": \"Again\","
		       " \"patent_number\": \"10-2345678\"}",
		       409, "kpi_output_exists", "patent_number");
	/* Another centre may record the same paper (co-authors). */
	snprintf(body, sizeof(body),
		 "{\"institution_id\": %lld, \"year\": 2024, \"kind\": \"paper\","
		 " \"title\": \"Shared\", \"doi\": \"10.1234/abc.2025.1\"}",
		 kumoh);
	record(&kumoh_admin, body);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'kpi_output.create'"
				" AND target_type = 'kpi_output' AND institution_id = %lld"
				" AND actor_user_id = %lld",
				jnu, jnu_admin.user_id),
			 7);
}

static void bad_outputs_are_named(void **state)
{
	static const struct {
		const char *body, *field;
	} cases[] = {
		{"{\"year\": 2025, \"kind\": \"paper\", \"title\": \"T\","
		 " \"doi\": \"https://doi.org/10.1234/abc\"}", "doi"},
		{"{\"year\": 2025, \"kind\": \"paper\", \"title\": \"T\", \"doi\": \"10.12/abc\"}",
		 "doi"},
		{"{\"year\": 2025, \"kind\": \"paper\", \"title\": \"T\", \"doi\": \"10.1234/\"}",
		 "doi"},
		{"{\"year\": 2025, \"kind\": \"paper\", \"title\": \"T\", \"doi\": \"10.1234/a b\"}",
		 "doi"},
		{"{\"year\": 2025, \"kind\": \"paper\", \"title\": \"T\", \"doi\": \"10.1234./ab\"}",
		 "doi"},
		{"{\"year\": 2025, \"kind\": \"paper\", \"title\": \"T\"}", "doi"},
		{"{\"year\": 2025, \"kind\": \"paper\", \"title\": \"T\", \"doi\": 101234}", "doi"},
		{"{\"year\": 2025, \"kind\": \"patent\", \"title\": \"T\", \"doi\": \"10.1234/a\","
		 " \"patent_number\": \"10-1\"}", "doi"},
		{"{\"year\": 2025, \"kind\": \"patent\", \"title\": \"T\"}", "patent_number"},
		{"{\"year\": 2025, \"kind\": \"patent\", \"title\": \"T\", \"patent_number\": \"-12\"}",
		 "patent_number"},
		{"{\"year\": 2025, \"kind\": \"patent\", \"title\": \"T\", \"patent_number\": \"KR\"}",
		 "patent_number"},
		{"{\"year\": 2025, \"kind\": \"tech_transfer\", \"title\": \"T\", \"amount_krw\": -1}",
		 "amount_krw"},
		{"{\"year\": 2025, \"kind\": \"tech_transfer\", \"title\": \"T\","
		 " \"amount_krw\": 1.5}", "amount_krw"},
		{"{\"year\": 2025, \"kind\": \"tech_transfer\", \"title\": \"T\"}", "amount_krw"},
		{"{\"year\": 2025, \"kind\": \"graduate\", \"title\": \"T\", \"count\": 0}", "count"},
		{"{\"year\": 2025, \"kind\": \"graduate\", \"title\": \"T\", \"count\": 2,"
		 " \"amount_krw\": 5}", "amount_krw"},
		{"{\"year\": 2025, \"kind\": \"book\", \"title\": \"T\"}", "kind"},
		{"{\"year\": 1999, \"kind\": \"graduate\", \"title\": \"T\", \"count\": 2}", "year"},
		{"{\"year\": \"2025\", \"kind\": \"graduate\", \"title\": \"T\", \"count\": 2}",
		 "year"},
		{"{\"kind\": \"graduate\", \"title\": \"T\", \"count\": 2}", "year"},
		{"{\"year\": 2025, \"kind\": \"graduate\", \"title\": \"  \", \"count\": 2}", "title"},
		{"{\"year\": 2025, \"kind\": \"graduate\", \"count\": 2}", "title"},
		{"{\"year\": 2025, \"kind\": \"graduate\", \"title\": \"T\", \"count\": 2,"
		 " \"evidence\": \"x\"}", "evidence"},
		{"{\"year\": 2025, \"kind\": \"graduate\", \"title\": \"T\", \"count\": 2,"
		 " \"institution_id\": 0}", "institution_id"},
	};
	long long before = sql_ll("SELECT count(*) FROM kpi_outputs");
	char body[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_refused(&jnu_admin, "POST", OUTPUTS, cases[i].body, 400, "validation_failed",
			       cases[i].field);
	assert_refused(&jnu_admin, "POST", OUTPUTS, "[1]", 400, "invalid_request", NULL);
	/* Only the regional centres record outputs. */
	snprintf(body, sizeof(body),
		 "{\"institution_id\": %lld, \"year\": 2025, \"kind\": \"graduate\","
		 " \"title\": \"T\", \"count\": 2}",
		 gist);
	assert_refused(&platform, "POST", OUTPUTS, body, 400, "validation_failed",
		       "institution_id");
	assert_refused(&gist_admin, "POST", OUTPUTS,
		       "{\"year\": 2025, \"kind\": \"graduate\", \"title\": \"T\", \"count\": 2}",
		       400, "validation_failed", "institution_id");
	/* A platform admin must say which centre. */
	assert_refused(&platform, "POST", OUTPUTS,
		       "{\"year\": 2025, \"kind\": \"graduate\", \"title\": \"T\", \"count\": 2}",
		       400, "validation_failed", "institution_id");
	assert_int_equal(sql_ll("SELECT count(*) FROM kpi_outputs"), before);
}

static void only_a_centres_admins_record_for_it(void **state)
{
	long long before = sql_ll("SELECT count(*) FROM kpi_outputs");
	char body[256];

	(void)state;
	snprintf(body, sizeof(body),
		 "{\"institution_id\": %lld, \"year\": 2025, \"kind\": \"graduate\","
		 " \"title\": \"Not yours\", \"count\": 2}",
		 jnu);
	assert_refused(&kumoh_admin, "POST", OUTPUTS, body, 403, "forbidden", NULL);
	assert_refused(&gist_admin, "POST", OUTPUTS, body, 403, "forbidden", NULL);
	assert_refused(&learner, "POST", OUTPUTS, body, 403, "forbidden", NULL);
	assert_refused(&token, "POST", OUTPUTS, body, 403, "forbidden", NULL);
	assert_refused(NULL, "POST", OUTPUTS, body, 401, "unauthenticated", NULL);
	assert_int_equal(sql_ll("SELECT count(*) FROM kpi_outputs"), before);
}

/* ---- the report ---- */

static void kpi_per_centre_and_year(void **state)
{
	json_t *r, *items, *totals;
	char path[128];

	(void)state;
	/* A centre's admin: its own row for the year. */
	r = call(&jnu_admin, "GET", REPORT "?year=2025", NULL, 200);
	assert_int_equal(harness_json_ll(r, "year"), 2025);
	assert_int_equal(harness_json_ll(r, "institution_id"), jnu);
	items = json_object_get(r, "items");
	assert_int_equal(json_array_size(items), 1);
	assert_kpi(row_of(items, jnu, 2025), 2, 7, 2, 1, 20000000);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "code")),
			    "jnu");
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "name")),
			    "전남대학교");
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "region")),
			    "광주");
	json_decref(r);

	r = call(&jnu_admin, "GET", REPORT "?year=2026&lang=en", NULL, 200);
	assert_kpi(row_of(json_object_get(r, "items"), jnu, 2026), 1, 0, 1, 0, 0);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(r, "items"), 0), "name")),
			    "Chonnam National University");
	json_decref(r);

	/* Without a year: each year with data, and this one. */
	r = call(&jnu_admin, "GET", REPORT, NULL, 200);
	assert_true(json_is_null(json_object_get(r, "year")));
	items = json_object_get(r, "items");
	assert_int_equal(json_array_size(items), 2 + (this_year != 2025 && this_year != 2026));
	assert_kpi(row_of(items, jnu, 2025), 2, 7, 2, 1, 20000000);
	assert_kpi(row_of(items, jnu, 2026), 1, 0, 1, 0, 0);
	assert_non_null(row_of(items, jnu, this_year));
	assert_int_equal(harness_json_ll(json_array_get(items, 0), "year"), 2025);
	json_decref(r);

	/* The operating committee: every centre, zeros included, and totals. */
	r = call(&platform, "GET", REPORT "?year=2025", NULL, 200);
	assert_true(json_is_null(json_object_get(r, "institution_id")));
	items = json_object_get(r, "items");
	assert_int_equal(json_array_size(items), centres);
	assert_kpi(row_of(items, jnu, 2025), 2, 7, 2, 1, 20000000);
	assert_kpi(row_of(items, kumoh, 2025), 1, 3, 0, 1, 0);
	assert_null(row_of(items, gist, 2025));
	totals = json_object_get(r, "totals");
	assert_int_equal(json_array_size(totals), 1);
	assert_int_equal(harness_json_ll(json_array_get(totals, 0), "centres"), centres);
	assert_kpi(json_array_get(totals, 0), 3, 10, 2, 2, 20000000);
	json_decref(r);
	/* Kumoh's shared paper of 2024. */
	snprintf(path, sizeof(path), REPORT "?year=2024&institution_id=%lld", kumoh);
	r = call(&platform, "GET", path, NULL, 200);
	assert_kpi(row_of(json_object_get(r, "items"), kumoh, 2024), 0, 0, 1, 0, 0);
	json_decref(r);

	/* An institution that is no centre has no rows. */
	r = call(&gist_admin, "GET", REPORT "?year=2025", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(r, "items")), 0);
	assert_int_equal(json_array_size(json_object_get(r, "totals")), 0);
	json_decref(r);
}

static void kpi_isolation_and_tokens(void **state)
{
	char path[128];
	json_t *r;

	(void)state;
	r = call(&token, "GET", REPORT "?year=2025", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(r, "items")), 1);
	assert_kpi(row_of(json_object_get(r, "items"), jnu, 2025), 2, 7, 2, 1, 20000000);
	json_decref(r);
	assert_refused(&audit_token, "GET", REPORT, NULL, 403, "forbidden", NULL);
	snprintf(path, sizeof(path), REPORT "?institution_id=%lld", kumoh);
	assert_refused(&jnu_admin, "GET", path, NULL, 403, "forbidden", NULL);
	assert_refused(&token, "GET", path, NULL, 403, "forbidden", NULL);
	snprintf(path, sizeof(path), REPORT "?institution_id=%lld", jnu);
	assert_refused(&kumoh_admin, "GET", path, NULL, 403, "forbidden", NULL);
	assert_refused(&learner, "GET", REPORT, NULL, 403, "forbidden", NULL);
	assert_refused(NULL, "GET", REPORT, NULL, 401, "unauthenticated", NULL);

	assert_refused(&jnu_admin, "GET", REPORT "?year=1999", NULL, 400, "validation_failed",
		       "year");
	assert_refused(&jnu_admin, "GET", REPORT "?year=2025x", NULL, 400, "validation_failed",
		       "year");
	assert_refused(&jnu_admin, "GET", REPORT "?year=", NULL, 400, "validation_failed", "year");
	assert_refused(&jnu_admin, "GET", REPORT "?institution_id=x", NULL, 400,
		       "validation_failed", "institution_id");
	assert_refused(&jnu_admin, "GET", REPORT "?format=pdf", NULL, 400, "validation_failed",
		       "format");
	assert_refused(&jnu_admin, "GET", REPORT "?years=2025", NULL, 400, "validation_failed",
		       "years");
}

static void kpi_csv_bytes(void **state)
{
	struct http_result r = {0};
	char want[512];

	(void)state;
	snprintf(want, sizeof(want),
		 BOM "year,institution_id,code,name,region,in_service_employees_trained,"
		     "degree_graduates,papers,patents,tech_transfer_income_krw\r\n"
		     "2025,%lld,jnu,전남대학교,광주,2,7,2,1,20000000\r\n",
		 jnu);
	if (harness_as(&server, &jnu_admin, "GET", REPORT "?year=2025&format=csv", NULL, &r) != 0)
		fail_msg("no response");
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, want);
	http_result_release(&r);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE id = (SELECT max(id)"
				" FROM audit_log) AND action = 'report.kpi'"
				" AND institution_id = %lld AND detail->>'format' = 'csv'"
				" AND (detail->>'year')::int = 2025 AND (detail->>'rows')::int = 1",
				jnu),
			 1);
}

/* ---- listing and deleting outputs ---- */

static size_t listed(const struct harness_actor *a, const char *path)
{
	json_t *page = call(a, "GET", path, NULL, 200);
	size_t n = json_array_size(json_object_get(page, "items"));

	json_decref(page);
	return n;
}

static void outputs_listed_per_institution(void **state)
{
	json_t *page, *item;
	char path[128];
	size_t i;

	(void)state;
	page = call(&jnu_admin, "GET", OUTPUTS, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 7);
	assert_true(json_is_null(json_object_get(page, "next_cursor")));
	/* Newest first, all Chonnam's. */
	assert_int_equal(harness_json_ll(json_array_get(json_object_get(page, "items"), 0), "id"),
			 paper_2026);
	json_array_foreach(json_object_get(page, "items"), i, item)
		assert_int_equal(harness_json_ll(item, "institution_id"), jnu);
	json_decref(page);
	assert_int_equal(listed(&jnu_admin, OUTPUTS "?year=2026"), 1);
	assert_int_equal(listed(&token, OUTPUTS), 7);
	assert_int_equal(listed(&kumoh_admin, OUTPUTS), 3);
	assert_int_equal(listed(&platform, OUTPUTS), 10);
	snprintf(path, sizeof(path), OUTPUTS "?institution_id=%lld", kumoh);
	assert_int_equal(listed(&platform, path), 3);
	assert_refused(&jnu_admin, "GET", path, NULL, 403, "forbidden", NULL);
	assert_refused(&audit_token, "GET", OUTPUTS, NULL, 403, "forbidden", NULL);
	assert_refused(&learner, "GET", OUTPUTS, NULL, 403, "forbidden", NULL);
	assert_refused(&jnu_admin, "GET", OUTPUTS "?year=20x", NULL, 400, "validation_failed",
		       "year");
	assert_refused(&jnu_admin, "GET", OUTPUTS "?limit=0", NULL, 400, "validation_failed",
		       "limit");

	/* Paged. */
	page = call(&jnu_admin, "GET", OUTPUTS "?limit=5", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 5);
	snprintf(path, sizeof(path), OUTPUTS "?limit=5&cursor=%s",
		 json_string_value(json_object_get(page, "next_cursor")));
	json_decref(page);
	assert_int_equal(listed(&jnu_admin, path), 2);
	assert_true(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.kpi_outputs'"
			   " AND institution_id = %lld",
			   jnu) >= 4);
}

static void outputs_deleted_by_their_centre(void **state)
{
	char path[128];
	json_t *r;

	(void)state;
	snprintf(path, sizeof(path), OUTPUTS "/%lld", paper_2026);
	/* Another institution's output is no output to them. */
	assert_refused(&kumoh_admin, "DELETE", path, NULL, 404, "not_found", NULL);
	assert_refused(&gist_admin, "DELETE", path, NULL, 404, "not_found", NULL);
	assert_refused(&token, "DELETE", path, NULL, 403, "forbidden", NULL);
	assert_refused(&learner, "DELETE", path, NULL, 403, "forbidden", NULL);
	assert_refused(NULL, "DELETE", path, NULL, 401, "unauthenticated", NULL);
	assert_int_equal(sql_ll("SELECT count(*) FROM kpi_outputs WHERE id = %lld", paper_2026), 1);

	assert_null(call(&jnu_admin, "DELETE", path, NULL, 204));
	assert_refused(&jnu_admin, "DELETE", path, NULL, 404, "not_found", NULL);
	assert_refused(&jnu_admin, "DELETE", OUTPUTS "/abc", NULL, 404, "not_found", NULL);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'kpi_output.delete'"
				" AND target_id = %lld AND institution_id = %lld"
				" AND detail->>'kind' = 'paper' AND (detail->>'year')::int = 2026",
				paper_2026, jnu),
			 1);
	r = call(&jnu_admin, "GET", REPORT "?year=2026", NULL, 200);
	assert_kpi(row_of(json_object_get(r, "items"), jnu, 2026), 1, 0, 0, 0, 0);
	json_decref(r);
	/* Deleted, the DOI may be recorded again. */
	record(&jnu_admin, "{\"year\": 2026, \"kind\": \"paper\", \"title\": \"Next\","
			   " \"doi\": \"10.1234/next\"}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(centres_record_outputs),
		cmocka_unit_test(bad_outputs_are_named),
		cmocka_unit_test(only_a_centres_admins_record_for_it),
		cmocka_unit_test(kpi_per_centre_and_year),
		cmocka_unit_test(kpi_isolation_and_tokens),
		cmocka_unit_test(kpi_csv_bytes),
		cmocka_unit_test(outputs_listed_per_institution),
		cmocka_unit_test(outputs_deleted_by_their_centre),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
