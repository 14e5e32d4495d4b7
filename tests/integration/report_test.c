/* report_test.c - the enrolment report against a running server: filters,
 * CSV bytes (quoting, formula injection, Korean, the byte order mark), JSON
 * lines, tenant isolation on every path, the audit trail, and a large report
 * streamed while the server's memory stays flat */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define REPORT "/api/v1/reports/enrollments"
#define BOM "\xEF\xBB\xBF"
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define CSV_HEADER                                                                       \
	"enrollment_id,status,created_at,updated_at,waitlist_position,user_id,display_name," \
	"email,ladder_stage,affiliation_institution_code,institution_code,"                \
	"institution_name_ko,program_code,course_id,course_code,course_title_ko,"         \
	"course_title_en,section_id,term,starts_on,ends_on,lessons_completed,lessons_total,"   \
	"certificate_serial\r\n"

/* The large report: BULK_LEARNERS x BULK_SECTIONS enrolments. */
#define BULK_LEARNERS 10000
#define BULK_SECTIONS 20
#define BULK_ROWS (BULK_LEARNERS * BULK_SECTIONS)
/* What the server may grow by while it streams them. */
#define RSS_GROWTH_MAX_KB (16 * 1024)

static struct lms_server server;
static char conninfo[1024];

static struct harness_actor learner, instructor, gist_admin, jnu_admin, platform, tok_a,
	tok_a_audit, tok_b;
static long long gist, jnu, chosun, tok_a_id;

/* ---- the fixture ---- */

/* Learners, named to try the CSV writer: name as stored, and as its CSV
 * cell must read. */
static struct person {
	const char *key, *name, *cell, *stage, *affiliation;
	long long id;
} people[] = {
	{"formula", "=HYPERLINK(\"http://evil.example/\",\"click\")",
	 "\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\"", "worker", "gist", 0},
	{"plus", "+1", "'+1", "job_seeker", NULL, 0},
	{"at", "@x", "'@x", "undergraduate", NULL, 0},
	{"tab", "\tTab", "'\tTab", "general", NULL, 0},
	{"minus", "-5", "'-5", "worker", NULL, 0},
	{"comma", "Kim, \"Q\"", "\"Kim, \"\"Q\"\"\"", "worker", NULL, 0},
	{"newline", "line1\nline2", "\"line1\nline2\"", "graduate", "jnu", 0},
	{"korean", "박지성", "박지성", "public_servant", NULL, 0},
	{"cr", "\rX", "\"'\rX\"", "high", NULL, 0},
	{"b", "B learner", "B learner", "middle", NULL, 0},
};

enum { P_FORMULA, P_PLUS, P_AT, P_TAB, P_MINUS, P_COMMA, P_NEWLINE, P_KOREAN, P_CR, P_B };

/* Sections: two of GIST (A1 in "online" with three lessons, A2 in the AI
 * Academy) and one of Chonnam (B1). */
enum { S_A1, S_A2, S_B1, NSECTIONS };

static struct offer {
	const char *code, *program, *title_ko, *title_en, *title_cell_ko, *title_cell_en;
	long long *institution, course, section;
} offers[NSECTIONS] = {
	[S_A1] = {"RPT-A1", "online", "인공지능 기초", "AI Basics", "인공지능 기초", "AI Basics",
		  &gist, 0, 0},
	[S_A2] = {"RPT-A2", "ai_academy", "머신러닝, \"심화\"", "ML, \"Advanced\"",
		  "\"머신러닝, \"\"심화\"\"\"", "\"ML, \"\"Advanced\"\"\"", &gist, 0, 0},
	[S_B1] = {"RPT-B1", "online", "전남 과정", "JNU Course", "전남 과정", "JNU Course", &jnu,
		  0, 0},
};

/* Enrolments, in id order: created on March (day) 2026 at 10:00 in Korea
 * (one at 00:30, still the 4th in UTC), updated the same day at 18:30. */
static struct enrolment {
	int person, offer;
	const char *status, *created, *updated, *position;
	int done; /* lessons completed */
	long long id;
} enrolments[] = {
	{P_FORMULA, S_A1, "enrolled", "2026-03-01T10:00:00+09:00", "2026-03-01T18:30:00+09:00", "", 2, 0},
	{P_PLUS, S_A1, "enrolled", "2026-03-02T10:00:00+09:00", "2026-03-02T18:30:00+09:00", "", 0, 0},
	{P_AT, S_A1, "completed", "2026-03-03T10:00:00+09:00", "2026-03-03T18:30:00+09:00", "", 0, 0},
	{P_TAB, S_A1, "cancelled", "2026-03-04T10:00:00+09:00", "2026-03-04T18:30:00+09:00", "", 0, 0},
	{P_MINUS, S_A1, "waitlisted", "2026-03-05T00:30:00+09:00", "2026-03-05T18:30:00+09:00", "1", 0, 0},
	{P_COMMA, S_A1, "waitlisted", "2026-03-06T10:00:00+09:00", "2026-03-06T18:30:00+09:00", "2", 0, 0},
	{P_NEWLINE, S_A1, "pending", "2026-03-07T10:00:00+09:00", "2026-03-07T18:30:00+09:00", "", 0, 0},
	{P_KOREAN, S_A1, "enrolled", "2026-03-08T10:00:00+09:00", "2026-03-08T18:30:00+09:00", "", 3, 0},
	{P_CR, S_A2, "rejected", "2026-03-09T10:00:00+09:00", "2026-03-09T18:30:00+09:00", "", 0, 0},
	{P_KOREAN, S_A2, "completed", "2026-03-10T10:00:00+09:00", "2026-03-10T18:30:00+09:00", "", 0, 0},
	{P_FORMULA, S_A2, "incomplete", "2026-03-11T10:00:00+09:00", "2026-03-11T18:30:00+09:00", "", 0, 0},
	{P_B, S_B1, "enrolled", "2026-03-12T10:00:00+09:00", "2026-03-12T18:30:00+09:00", "", 0, 0},
	{P_KOREAN, S_B1, "enrolled", "2026-03-13T10:00:00+09:00", "2026-03-13T18:30:00+09:00", "", 0, 0},
	{P_NEWLINE, S_B1, "waitlisted", "2026-03-14T10:00:00+09:00", "2026-03-14T18:30:00+09:00", "1", 0, 0},
};

#define NENROLMENTS ((int)NELEMS(enrolments))
#define LESSONS_A1 3

/* Index sets of enrolments[], as bit masks. */
#define BIT(i) (1u << (i))
#define ALL_A 0x7ffu            /* 0..10: GIST's */
#define ALL_B (BIT(11) | BIT(12) | BIT(13))
#define ALL (ALL_A | ALL_B)

/* ---- helpers ---- */

#define sql_ll(...) harness_sql_llf(conninfo, __VA_ARGS__)

/* GET path with the API token of a and the header Accept: accept. */
static void get_accepting(const struct harness_actor *a, const char *path, const char *accept,
			  struct http_result *r)
{
	char bearer[160], acc[160];
	const char *headers[] = {bearer, acc, NULL};

	snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", a->token);
	snprintf(acc, sizeof(acc), "Accept: %s", accept);
	if (harness_request_once(&server, "GET", path, headers, NULL, r) != 0)
		fail_msg("GET %s: no response", path);
}

/* The enrolments[] a JSON-lines report holds, as a mask; fails the test on
 * a row that is none of them or a line that is not a JSON object. */
static unsigned ndjson_mask(const struct http_result *r)
{
	unsigned mask = 0;
	const char *p = r->body, *end = r->body + r->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		json_error_t err;
		json_t *row;
		long long id;
		int i;

		if (!nl)
			fail_msg("the last line has no newline: %s", p);
		if (!(row = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES, &err)) ||
		    !json_is_object(row))
			fail_msg("a line is not a JSON object (%s): %.*s", err.text, (int)(nl - p), p);
		id = json_integer_value(json_object_get(row, "enrollment_id"));
		for (i = 0; i < NENROLMENTS && enrolments[i].id != id; i++)
			;
		if (i == NENROLMENTS)
			fail_msg("a row of another enrolment: %.*s", (int)(nl - p), p);
		if (mask & BIT(i))
			fail_msg("a row twice: %lld", id);
		mask |= BIT(i);
		json_decref(row);
		p = nl + 1;
	}
	return mask;
}

/* The report at path as a (JSON lines) must hold exactly the enrolments
 * of want. */
static void assert_rows(const struct harness_actor *a, const char *path, unsigned want)
{
	struct http_result r = {0};
	unsigned got;

	harness_get_as(&server, a, path, &r);
	if (r.status != 200)
		fail_msg("GET %s: expected 200, got %ld: %s", path, r.status, r.body);
	if ((got = ndjson_mask(&r)) != want)
		fail_msg("GET %s: rows %#x, expected %#x:\n%s", path, got, want, r.body);
	http_result_release(&r);
}

/* The same with a printf-style path. */
static void assert_rowsf(const struct harness_actor *a, unsigned want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void assert_rowsf(const struct harness_actor *a, unsigned want, const char *fmt, ...)
{
	char path[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	assert_rows(a, path, want);
}

/* GET path as a must be refused with status and code, naming field when
 * it is set. */
static void assert_refused(const struct harness_actor *a, const char *path, long status,
			   const char *code, const char *field)
{
	harness_problem_as(&server, a, "GET", path, NULL, status, code, field);
}

/* s as a SQL expression of its exact bytes, whatever they hold. */
static const char *sql_text(const char *s, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "convert_from(decode('");

	for (const unsigned char *p = (const unsigned char *)s; *p && used + 8 < len; p++)
		used += (size_t)snprintf(buf + used, len - used, "%02x", *p);
	snprintf(buf + used, len - used, "', 'hex'), 'UTF8')");
	return buf;
}

static long long report_audits(void)
{
	return sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.enrollments'");
}

/* ---- setup ---- */

static void fixture_load(void)
{
	char name[512], ko[512], en[512];
	long long module;

	for (size_t i = 0; i < NELEMS(people); i++) {
		struct person *p = &people[i];
		char aff[96] = "NULL";

		if (p->affiliation)
			snprintf(aff, sizeof(aff), "(SELECT id FROM institutions WHERE code = '%s')",
				 p->affiliation);
		p->id = sql_ll("INSERT INTO users (email, password_hash, display_name, ladder_stage,"
			       " affiliation_institution_id) VALUES ('rpt-%s@example.com', '!', %s,"
			       " '%s', %s) RETURNING id",
			       p->key, sql_text(p->name, name, sizeof(name)), p->stage, aff);
	}
	for (int i = 0; i < NSECTIONS; i++) {
		struct offer *o = &offers[i];

		o->course = sql_ll("INSERT INTO courses (institution_id, program_id, code, title_ko,"
				   " title_en, delivery, published) VALUES (%lld, (SELECT id FROM"
				   " programs WHERE code = '%s'), '%s', %s, %s, 'online', true)"
				   " RETURNING id",
				   *o->institution, o->program, o->code,
				   sql_text(o->title_ko, ko, sizeof(ko)),
				   sql_text(o->title_en, en, sizeof(en)));
		o->section = sql_ll("INSERT INTO sections (course_id, term, starts_on, ends_on,"
				    " capacity, enrollment_opens_at, enrollment_closes_at, status)"
				    " VALUES (%lld, '2026-1', '2026-03-02', '2026-06-30', 100,"
				    " '2026-01-01', '2026-03-01', 'open') RETURNING id",
				    o->course);
	}
	for (int i = 0; i < NENROLMENTS; i++) {
		struct enrolment *e = &enrolments[i];

		e->id = sql_ll("INSERT INTO enrollments (user_id, section_id, status, created_at,"
			       " updated_at) VALUES (%lld, %lld, '%s', '%s', '%s') RETURNING id",
			       people[e->person].id, offers[e->offer].section, e->status,
			       e->created, e->updated);
	}
	/* Three lessons in A1; lessons done count per learner and course. */
	module = sql_ll("INSERT INTO course_modules (course_id, position, title_ko, title_en)"
			" VALUES (%lld, 1, '1주차', 'Week 1') RETURNING id",
			offers[S_A1].course);
	sql_ll("INSERT INTO lessons (module_id, position, title_ko, title_en, kind)"
	       " SELECT %lld, g, '수업 ' || g, 'Lesson ' || g, 'text'"
	       " FROM generate_series(1, %d) g RETURNING 1",
	       module, LESSONS_A1);
	for (int i = 0; i < NENROLMENTS; i++)
		if (enrolments[i].done)
			sql_ll("INSERT INTO lesson_progress (user_id, lesson_id) SELECT %lld, id"
			       " FROM lessons WHERE module_id = %lld ORDER BY id LIMIT %d"
			       " RETURNING 1",
			       people[enrolments[i].person].id, module, enrolments[i].done);
}

static int setup(void **state)
{
	static char asan[512];
	/* ASan keeps freed memory in quarantine (256 MiB by default), which
	 * would look like growth; a small one still catches use after free. */
	const char *env[] = {"LMS_DB_POOL_SIZE=1", asan, NULL};

	snprintf(asan, sizeof(asan), "ASAN_OPTIONS=%s%squarantine_size_mb=4",
		 getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "",
		 getenv("ASAN_OPTIONS") ? ":" : "");
	if (harness_db_create("report", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    /* The reports are checked row by row: the demo catalogue, without
	     * the enrolments its demo intakes made. */
	    harness_sql(conninfo, "TRUNCATE enrollments CASCADE") != 0 ||
	    harness_server_start(&server, conninfo, env) != 0)
		return -1;
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	jnu = sql_ll("SELECT id FROM institutions WHERE code = 'jnu'");
	chosun = sql_ll("SELECT id FROM institutions WHERE code = 'chosun'");
	harness_login_ok(&server, "learner@example.com", DEMO_PASSWORD, &learner);
	harness_login_ok(&server, "instructor@example.com", DEMO_PASSWORD, &instructor);
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	harness_login_ok(&server, "admin@example.com", DEMO_PASSWORD, &platform);
	if ((tok_a_id = harness_token_create(&server, &gist_admin, gist, "report a",
					     "\"reports:read\"", &tok_a)) < 0 ||
	    harness_token_create(&server, &gist_admin, gist, "report audit", "\"audit:read\"",
				 &tok_a_audit) < 0 ||
	    harness_token_create(&server, &jnu_admin, jnu, "report b", "\"reports:read\"",
				 &tok_b) < 0)
		return -1;
	fixture_load();
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(harness_server_stop(&server), 0);
	return 0;
}

/* ---- JSON lines ---- */

static void json_lines_by_default_with_every_column(void **state)
{
	static const char *const columns[] = {
		"enrollment_id", "status", "created_at", "updated_at", "waitlist_position",
		"user_id", "display_name", "email", "ladder_stage", "affiliation_institution_code",
		"institution_code", "institution_name_ko", "program_code", "course_id",
		"course_code", "course_title_ko", "course_title_en", "section_id", "term",
		"starts_on", "ends_on", "lessons_completed", "lessons_total", "certificate_serial"};
	struct http_result r = {0};
	char h[128];
	const char *p;
	int line = 0;

	harness_get_as(&server, &gist_admin, REPORT, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(http_result_header(&r, "Content-Type", h, sizeof(h)),
			    "application/x-ndjson");
	assert_string_equal(http_result_header(&r, "Transfer-Encoding", h, sizeof(h)), "chunked");
	assert_int_equal(ndjson_mask(&r), ALL_A);

	/* Every line: the columns in order, the values of its enrolment. */
	for (p = r.body; p < r.body + r.len; line++) {
		const char *nl = strchr(p, '\n');
		json_t *row = json_loadb(p, (size_t)(nl - p), 0, NULL), *v;
		const struct enrolment *e = &enrolments[line];
		const struct person *who = &people[e->person];
		const struct offer *o = &offers[e->offer];
		const char *key;
		size_t c = 0;

		json_object_foreach(row, key, v) {
			assert_true(c < NELEMS(columns));
			assert_string_equal(key, columns[c++]);
		}
		assert_int_equal(c, NELEMS(columns));
		assert_int_equal(json_integer_value(json_object_get(row, "enrollment_id")), e->id);
		assert_string_equal(json_string_value(json_object_get(row, "status")), e->status);
		assert_string_equal(json_string_value(json_object_get(row, "created_at")), e->created);
		assert_string_equal(json_string_value(json_object_get(row, "updated_at")), e->updated);
		if (e->position[0])
			assert_int_equal(json_integer_value(json_object_get(row, "waitlist_position")),
					 atoi(e->position));
		else
			assert_true(json_is_null(json_object_get(row, "waitlist_position")));
		assert_int_equal(json_integer_value(json_object_get(row, "user_id")), who->id);
		assert_string_equal(json_string_value(json_object_get(row, "display_name")),
				    who->name);
		assert_string_equal(json_string_value(json_object_get(row, "ladder_stage")),
				    who->stage);
		if (who->affiliation)
			assert_string_equal(json_string_value(json_object_get(
						    row, "affiliation_institution_code")),
					    who->affiliation);
		else
			assert_true(json_is_null(json_object_get(row, "affiliation_institution_code")));
		assert_string_equal(json_string_value(json_object_get(row, "institution_code")),
				    "gist");
		assert_string_equal(json_string_value(json_object_get(row, "institution_name_ko")),
				    "광주과학기술원 GIST");
		assert_string_equal(json_string_value(json_object_get(row, "program_code")),
				    o->program);
		assert_int_equal(json_integer_value(json_object_get(row, "course_id")), o->course);
		assert_string_equal(json_string_value(json_object_get(row, "course_code")), o->code);
		assert_string_equal(json_string_value(json_object_get(row, "course_title_ko")),
				    o->title_ko);
		assert_string_equal(json_string_value(json_object_get(row, "course_title_en")),
				    o->title_en);
		assert_int_equal(json_integer_value(json_object_get(row, "section_id")), o->section);
		assert_string_equal(json_string_value(json_object_get(row, "term")), "2026-1");
		assert_string_equal(json_string_value(json_object_get(row, "starts_on")),
				    "2026-03-02");
		assert_string_equal(json_string_value(json_object_get(row, "ends_on")), "2026-06-30");
		assert_int_equal(json_integer_value(json_object_get(row, "lessons_completed")),
				 e->done);
		assert_int_equal(json_integer_value(json_object_get(row, "lessons_total")),
				 e->offer == S_A1 ? LESSONS_A1 : 0);
		json_decref(row);
		p = nl + 1;
	}
	assert_int_equal(line, 11);
	http_result_release(&r);

	/* Asked for by name, or by Accept. */
	assert_rows(&gist_admin, REPORT "?format=ndjson", ALL_A);
	get_accepting(&tok_a, REPORT, "application/x-ndjson", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(ndjson_mask(&r), ALL_A);
	http_result_release(&r);
	/* ?format wins over Accept. */
	get_accepting(&tok_a, REPORT "?format=ndjson", "text/csv", &r);
	assert_int_equal(ndjson_mask(&r), ALL_A);
	http_result_release(&r);
}

/* ---- CSV ---- */

/* The CSV of section A1 as it must read, byte for byte. */
static void expected_csv_a1(bool bom, char *out, size_t len)
{
	const struct offer *o = &offers[S_A1];
	size_t used = (size_t)snprintf(out, len, "%s" CSV_HEADER, bom ? BOM : "");

	for (int i = 0; i < NENROLMENTS; i++) {
		const struct enrolment *e = &enrolments[i];
		const struct person *p = &people[e->person];

		if (e->offer != S_A1)
			continue;
		used += (size_t)snprintf(out + used, len - used,
					 "%lld,%s,%s,%s,%s,%lld,%s,rpt-%s@example.com,%s,%s,gist,"
					 "광주과학기술원 GIST,online,%lld,RPT-A1,%s,%s,%lld,2026-1,"
					 "2026-03-02,2026-06-30,%d,%d,\r\n",
					 e->id, e->status, e->created, e->updated, e->position, p->id,
					 p->cell, p->key, p->stage,
					 p->affiliation ? p->affiliation : "", o->course,
					 o->title_cell_ko, o->title_cell_en, o->section, e->done,
					 LESSONS_A1);
	}
}

static void assert_csv(const struct http_result *r, const char *want)
{
	char h[128];

	if (r->status != 200)
		fail_msg("expected 200, got %ld: %s", r->status, r->body);
	assert_string_equal(http_result_header(r, "Content-Type", h, sizeof(h)),
			    "text/csv; charset=utf-8");
	assert_string_equal(http_result_header(r, "Content-Disposition", h, sizeof(h)),
			    "attachment; filename=\"enrollments.csv\"");
	assert_string_equal(http_result_header(r, "Transfer-Encoding", h, sizeof(h)), "chunked");
	if (r->len != strlen(want) || memcmp(r->body, want, r->len) != 0)
		fail_msg("expected CSV:\n%s\ngot (%zu bytes):\n%s", want, r->len, r->body);
}

/* The report at the printf-style path, as a with Accept: accept (NULL:
 * none, as a's session), must be the CSV want. */
static void assert_csv_at(const struct harness_actor *a, const char *accept, const char *want,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void assert_csv_at(const struct harness_actor *a, const char *accept, const char *want,
			  const char *fmt, ...)
{
	struct http_result r = {0};
	char path[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (accept)
		get_accepting(a, path, accept, &r);
	else
		harness_get_as(&server, a, path, &r);
	assert_csv(&r, want);
	http_result_release(&r);
}

static void csv_quotes_neutralises_and_keeps_korean(void **state)
{
	const long long a1 = offers[S_A1].section;
	char path[160], want[8192], plain[8192];
	struct http_result r = {0};

	expected_csv_a1(true, want, sizeof(want));
	expected_csv_a1(false, plain, sizeof(plain));

	snprintf(path, sizeof(path), REPORT "?section_id=%lld&format=csv", a1);
	harness_get_as(&server, &gist_admin, path, &r);
	assert_csv(&r, want);
	/* Korean arrives as the very bytes stored, after the byte order mark. */
	assert_memory_equal(r.body, BOM, 3);
	assert_non_null(memmem(r.body, r.len, "\xEB\xB0\x95\xEC\xA7\x80\xEC\x84\xB1", 9));
	assert_non_null(memmem(r.body, r.len, "광주과학기술원 GIST", strlen("광주과학기술원 GIST")));
	/* No cell begins with a formula character. */
	assert_null(memmem(r.body, r.len, ",=", 2));
	assert_null(memmem(r.body, r.len, ",+", 2));
	assert_null(memmem(r.body, r.len, ",@", 2));
	assert_null(memmem(r.body, r.len, ",-", 2));
	assert_null(memmem(r.body, r.len, ",\t", 2));
	assert_null(memmem(r.body, r.len, ",\"=", 3));
	http_result_release(&r);

	/* Accept: text/csv, alone or among others; ?bom=0 leaves the mark out. */
	assert_csv_at(&tok_a, "text/csv", want, REPORT "?section_id=%lld", a1);
	assert_csv_at(&tok_a, "application/json;q=0.5, Text/CSV;q=0.9", want,
		      REPORT "?section_id=%lld", a1);
	assert_csv_at(&tok_a, "text/csv", want, REPORT "?section_id=%lld&bom=1", a1);
	assert_csv_at(&gist_admin, NULL, plain, REPORT "?section_id=%lld&format=csv&bom=0", a1);
	/* Nothing to report: the header row all the same. */
	assert_csv_at(&gist_admin, NULL, CSV_HEADER,
		      REPORT "?section_id=%lld&format=csv&bom=0&status=rejected", a1);

	/* A title with a comma and quotes (A2), one row. */
	snprintf(path, sizeof(path), REPORT "?course_id=%lld&status=rejected&format=csv&bom=0",
		 offers[S_A2].course);
	harness_get_as(&server, &gist_admin, path, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, ",\"머신러닝, \"\"심화\"\"\",\"ML, \"\"Advanced\"\"\","));
	assert_non_null(strstr(r.body, ",\"'\rX\",rpt-cr@example.com,high,,gist,"));
	http_result_release(&r);
}

/* ?header=ko: Korean column names and codes as words, the same rows. */
static void csv_in_korean_for_spreadsheets(void **state)
{
	struct http_result r = {0};
	char path[200];

	snprintf(path, sizeof(path),
		 REPORT "?course_id=%lld&status=rejected&format=csv&bom=0&header=ko",
		 offers[S_A2].course);
	harness_get_as(&server, &gist_admin, path, &r);
	assert_int_equal(r.status, 200);
	if (strncmp(r.body, "신청 번호,상태,신청 일시,변경 일시,대기 순번,회원 번호,이름,이메일,대상 단계,",
		    strlen("신청 번호,상태,신청 일시,변경 일시,대기 순번,회원 번호,이름,이메일,대상 단계,")))
		fail_msg("the header row is not in Korean:\n%.300s", r.body);
	assert_non_null(strstr(r.body, ",\"머신러닝, \"\"심화\"\"\",\"ML, \"\"Advanced\"\"\","));
	assert_non_null(strstr(r.body, ",반려,"));
	assert_non_null(strstr(r.body, ",rpt-cr@example.com,고등학생,,gist,"));
	assert_null(strstr(r.body, ",rejected,"));
	http_result_release(&r);

	/* header=codes is the default's header row. */
	snprintf(path, sizeof(path), REPORT "?course_id=%lld&format=csv&bom=0&header=codes",
		 offers[S_A2].course);
	harness_get_as(&server, &gist_admin, path, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(strncmp(r.body, "enrollment_id,status,", strlen("enrollment_id,status,")), 0);
	http_result_release(&r);
}

/* ---- filters ---- */

static void filters_select_rows(void **state)
{
	const struct harness_actor *a = &gist_admin;

	assert_rowsf(a, BIT(8) | BIT(9) | BIT(10), REPORT "?program=ai_academy");
	assert_rowsf(a, ALL_A & ~(BIT(8) | BIT(9) | BIT(10)), REPORT "?program=online");
	assert_rowsf(a, 0, REPORT "?program=regional_center");
	assert_rowsf(a, BIT(8) | BIT(9) | BIT(10), REPORT "?course_id=%lld", offers[S_A2].course);
	assert_rowsf(a, 0xff, REPORT "?section_id=%lld", offers[S_A1].section);
	assert_rowsf(a, BIT(4) | BIT(5), REPORT "?status=waitlisted");
	assert_rowsf(a, BIT(0) | BIT(1) | BIT(7), REPORT "?status=enrolled");
	assert_rowsf(a, BIT(2) | BIT(9), REPORT "?status=completed");
	assert_rowsf(a, BIT(10), REPORT "?status=incomplete");
	assert_rowsf(a, BIT(6), REPORT "?status=pending");
	assert_rowsf(a, BIT(3), REPORT "?status=cancelled");
	assert_rowsf(a, BIT(8), REPORT "?status=rejected");
	assert_rowsf(a, BIT(0) | BIT(4) | BIT(5) | BIT(10), REPORT "?stage=worker");
	assert_rowsf(a, BIT(7) | BIT(9), REPORT "?stage=public_servant");
	assert_rowsf(a, 0, REPORT "?stage=preschool");

	/* A date is midnight in Korea: the enrolment of 00:30 on the 5th (the
	 * 4th in UTC) is on the 5th. "to" is not included. */
	assert_rowsf(a, BIT(4) | BIT(5) | BIT(6), REPORT "?from=2026-03-05&to=2026-03-08");
	assert_rowsf(a, BIT(0) | BIT(1) | BIT(2) | BIT(3), REPORT "?to=2026-03-05");
	assert_rowsf(a, BIT(10), REPORT "?from=2026-03-11");
	/* Times with an offset, "+" encoded, sent bare (a space), or Z. */
	assert_rowsf(a, BIT(5) | BIT(6),
		     REPORT "?from=2026-03-06T10:00:00%%2B09:00&to=2026-03-07T10:00:01+09:00");
	assert_rowsf(a, BIT(5), REPORT "?from=2026-03-06T01:00:00Z&to=2026-03-07T01:00:00Z");
	assert_rowsf(a, BIT(4), REPORT "?from=2026-03-04T15:30:00Z&to=2026-03-04T15:30:00.000001Z");

	/* Together, each narrows. */
	assert_rowsf(a, BIT(5), REPORT "?section_id=%lld&status=waitlisted&stage=worker&from=2026-03-06",
		     offers[S_A1].section);
	assert_rowsf(a, BIT(7), REPORT "?program=online&status=enrolled&stage=public_servant");
	assert_rowsf(a, 0, REPORT "?course_id=%lld&section_id=%lld", offers[S_A2].course,
		     offers[S_A1].section);
}

static void bad_parameters_are_named(void **state)
{
	static const struct {
		const char *query, *field;
	} cases[] = {
		{"institution_id=abc", "institution_id"},
		{"institution_id=0", "institution_id"},
		{"institution_id=", "institution_id"},
		{"course_id=-1", "course_id"},
		{"section_id=1.5", "section_id"},
		{"section_id=99999999999999999999", "section_id"},
		{"program=nope", "program"},
		{"program=", "program"},
		{"program=Online", "program"},
		{"status=active", "status"},
		{"status=enrolled%00", "status"},
		{"stage=alien", "stage"},
		{"stage=%ff", "stage"},
		{"from=2026-02-30", "from"},
		{"from=yesterday", "from"},
		{"from=", "from"},
		{"to=2026-03-01T10:00:00", "to"},
		{"to=2026-03-01T25:00:00Z", "to"},
		{"from=2026-03-05&to=2026-03-05", "to"},
		{"from=2026-03-06&to=2026-03-05", "to"},
		{"format=xml", "format"},
		{"format=json", "format"},
		{"bom=2", "bom"},
		{"format=csv&bom=yes", "bom"},
		{"institution=3", "institution"},
		{"Status=enrolled", "Status"},
		{"status=enrolled&sectionid=3", "sectionid"},
		{"format=csv&header=en", "header"},
		{"format=csv&header=", "header"},
	};
	char path[256];

	for (size_t i = 0; i < NELEMS(cases); i++) {
		snprintf(path, sizeof(path), REPORT "?%s", cases[i].query);
		assert_refused(&platform, path, 400, "validation_failed", cases[i].field);
		assert_refused(&gist_admin, path, 400, "validation_failed", cases[i].field);
	}
	/* Several at once: each named. */
	assert_refused(&platform, REPORT "?status=x&stage=y", 400, "validation_failed", "status");
	assert_refused(&platform, REPORT "?status=x&stage=y", 400, "validation_failed", "stage");
}

/* ---- tenant isolation ---- */

static void tenant_isolation_on_every_path(void **state)
{
	struct http_result r = {0};
	char path[160];

	/* Institution admins: their own, whatever they filter by. */
	assert_rows(&gist_admin, REPORT, ALL_A);
	assert_rowsf(&gist_admin, ALL_A, REPORT "?institution_id=%lld", gist);
	assert_rowsf(&gist_admin, 0, REPORT "?course_id=%lld", offers[S_B1].course);
	assert_rowsf(&gist_admin, 0, REPORT "?section_id=%lld", offers[S_B1].section);
	assert_rowsf(&gist_admin, 0, REPORT "?section_id=%lld&status=enrolled",
		     offers[S_B1].section);
	assert_rowsf(&gist_admin, BIT(4) | BIT(5), REPORT "?status=waitlisted");
	assert_rows(&jnu_admin, REPORT, ALL_B);
	assert_rowsf(&jnu_admin, 0, REPORT "?section_id=%lld", offers[S_A1].section);
	assert_rowsf(&jnu_admin, 0, REPORT "?course_id=%lld", offers[S_A2].course);
	assert_rowsf(&jnu_admin, BIT(13), REPORT "?status=waitlisted");
	assert_rowsf(&jnu_admin, ALL_B, REPORT "?program=online");
	snprintf(path, sizeof(path), REPORT "?institution_id=%lld", jnu);
	assert_refused(&gist_admin, path, 403, "forbidden", NULL);
	assert_refused(&tok_a, path, 403, "forbidden", NULL);
	snprintf(path, sizeof(path), REPORT "?institution_id=%lld&format=csv", gist);
	assert_refused(&jnu_admin, path, 403, "forbidden", NULL);
	assert_refused(&tok_b, path, 403, "forbidden", NULL);
	snprintf(path, sizeof(path), REPORT "?institution_id=%lld", chosun);
	assert_refused(&gist_admin, path, 403, "forbidden", NULL);

	/* The other institution's learner appears in A's report only through
	 * A's sections: the Korean learner's Chonnam row never. */
	harness_get_as(&server, &gist_admin, REPORT, &r);
	assert_null(strstr(r.body, "RPT-B1"));
	assert_null(strstr(r.body, "rpt-b@example.com"));
	assert_null(strstr(r.body, "전남"));
	http_result_release(&r);
	assert_csv_at(&gist_admin, NULL, BOM CSV_HEADER, REPORT "?format=csv&section_id=%lld",
		      offers[S_B1].section);

	/* Tokens: their institution's, with reports:read only. */
	assert_rows(&tok_a, REPORT, ALL_A);
	assert_rowsf(&tok_a, ALL_A, REPORT "?institution_id=%lld", gist);
	assert_rowsf(&tok_a, 0, REPORT "?section_id=%lld", offers[S_B1].section);
	assert_rowsf(&tok_a, 0, REPORT "?course_id=%lld&status=enrolled", offers[S_B1].course);
	assert_rows(&tok_b, REPORT, ALL_B);
	assert_rowsf(&tok_b, 0, REPORT "?section_id=%lld", offers[S_A1].section);
	assert_refused(&tok_a_audit, REPORT, 403, "forbidden", NULL);
	snprintf(path, sizeof(path), REPORT "?institution_id=%lld", gist);
	assert_refused(&tok_a_audit, path, 403, "forbidden", NULL);

	/* The platform admin: every institution, or the one named. */
	assert_rows(&platform, REPORT, ALL);
	assert_rowsf(&platform, ALL_A, REPORT "?institution_id=%lld", gist);
	assert_rowsf(&platform, ALL_B, REPORT "?institution_id=%lld", jnu);
	assert_rowsf(&platform, 0, REPORT "?institution_id=987654321");
	assert_rowsf(&platform, ALL_B, REPORT "?section_id=%lld", offers[S_B1].section);
	assert_rowsf(&platform, 0, REPORT "?institution_id=%lld&section_id=%lld", gist,
		     offers[S_B1].section);
	assert_rowsf(&platform, BIT(4) | BIT(5) | BIT(13), REPORT "?status=waitlisted");
	assert_rowsf(&platform, BIT(7) | BIT(9) | BIT(12), REPORT "?stage=public_servant");

	/* Nobody else. */
	assert_refused(&learner, REPORT, 403, "forbidden", NULL);
	assert_refused(&instructor, REPORT, 403, "forbidden", NULL);
	assert_refused(NULL, REPORT, 401, "unauthenticated", NULL);
	snprintf(path, sizeof(path), REPORT "?institution_id=%lld", gist);
	assert_refused(&learner, path, 403, "forbidden", NULL);
	assert_refused(&instructor, path, 403, "forbidden", NULL);
}

/* ---- the audit trail ---- */

static void pulls_are_audited_with_filters_and_rows(void **state)
{
	struct http_result r = {0};
	char path[256];
	long long before = report_audits(),
		  last = sql_ll("SELECT coalesce(max(id), 0) FROM audit_log");

	snprintf(path, sizeof(path),
		 REPORT "?section_id=%lld&status=waitlisted&stage=worker&from=2026-03-01"
			"&to=2026-04-01T00:00:00%%2B09:00&program=online&format=csv",
		 offers[S_A1].section);
	harness_get_as(&server, &gist_admin, path, &r);
	assert_int_equal(r.status, 200);
	http_result_release(&r);
	assert_int_equal(report_audits(), before + 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.enrollments'"
				" AND actor_user_id = %lld AND actor_token_id IS NULL"
				" AND institution_id = %lld AND detail = jsonb_build_object("
				" 'format', 'csv', 'rows', 2, 'complete', true, 'filters',"
				" jsonb_build_object('section_id', %lld, 'status', 'waitlisted',"
				" 'stage', 'worker', 'program', 'online', 'from', '2026-03-01',"
				" 'to', '2026-04-01T00:00:00+09:00'))"
				" AND remote_addr IS NOT NULL AND request_id IS NOT NULL",
				gist_admin.user_id, gist, offers[S_A1].section),
			 1);

	/* A token's pull names the token; the platform's whole report names
	 * no institution. */
	assert_rows(&tok_a, REPORT, ALL_A);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.enrollments'"
				" AND id > %lld AND actor_token_id = %lld AND institution_id = %lld"
				" AND detail = '{\"format\": \"ndjson\", \"rows\": 11,"
				" \"complete\": true, \"filters\": {}}'",
				last, tok_a_id, gist),
			 1);
	assert_rows(&platform, REPORT, ALL);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.enrollments'"
				" AND id > %lld AND actor_user_id = %lld AND institution_id IS NULL"
				" AND (detail->>'rows')::int = 14",
				last, platform.user_id),
			 1);
	assert_rowsf(&platform, ALL_B, REPORT "?institution_id=%lld", jnu);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.enrollments'"
				" AND id > %lld AND actor_user_id = %lld AND institution_id = %lld"
				" AND (detail->'filters'->>'institution_id')::bigint = %lld",
				last, platform.user_id, jnu, jnu),
			 1);
	assert_int_equal(report_audits(), before + 4);

	/* Refusals read nothing and record nothing; HEAD sends no rows. */
	assert_refused(&learner, REPORT, 403, "forbidden", NULL);
	assert_refused(&tok_a_audit, REPORT, 403, "forbidden", NULL);
	assert_refused(&gist_admin, REPORT "?status=nope", 400, "validation_failed", "status");
	if (harness_as(&server, &gist_admin, "HEAD", REPORT "?format=csv", NULL, &r) != 0)
		fail_msg("HEAD: no response");
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 0);
	http_result_release(&r);
	assert_int_equal(report_audits(), before + 4);
}

/* ---- a large report ---- */

static void bulk_load(void)
{
	char sql[1024];
	long long course;

	course = sql_ll("INSERT INTO courses (institution_id, program_id, code, title_ko, title_en,"
			" delivery, published) VALUES (%lld, (SELECT id FROM programs"
			" WHERE code = 'online'), 'RPT-BULK', '대량 보고서 과정', 'Bulk report course',"
			" 'online', true) RETURNING id",
			chosun);
	sql_ll("WITH s AS (INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
	       " enrollment_opens_at, enrollment_closes_at, status) SELECT %lld, '2026-2',"
	       " '2026-09-01', '2026-12-20', %d, '2026-07-01', '2026-08-31', 'open'"
	       " FROM generate_series(1, %d) RETURNING 1) SELECT count(*) FROM s",
	       course, BULK_LEARNERS, BULK_SECTIONS);
	sql_ll("WITH u AS (INSERT INTO users (email, password_hash, display_name, ladder_stage)"
	       " SELECT 'rpt-bulk-' || g || '@example.com', '!', '대량 학습자 ' || g, 'worker'"
	       " FROM generate_series(1, %d) g RETURNING 1) SELECT count(*) FROM u",
	       BULK_LEARNERS);
	/* Every learner in every section, set-based. The seat trigger would
	 * update each section row once per enrolment inside one transaction,
	 * which is quadratic: triggers are off for this session, and the
	 * seats are counted after (within the capacities). */
	snprintf(sql, sizeof(sql),
		 "SET session_replication_role = replica;"
		 " INSERT INTO enrollments (user_id, section_id, status)"
		 " SELECT u.id, s.id, 'enrolled' FROM users u CROSS JOIN sections s"
		 " WHERE u.email LIKE 'rpt-bulk-%%' AND s.course_id = %lld;"
		 " RESET session_replication_role;"
		 " UPDATE sections s SET enrolled_count = (SELECT count(*) FROM enrollments e"
		 " WHERE e.section_id = s.id AND e.status = 'enrolled') WHERE s.course_id = %lld;"
		 " ANALYZE users, sections, courses, enrollments",
		 course, course);
	if (harness_sql(conninfo, sql) != 0)
		fail_msg("cannot load the large report");
	assert_int_equal(sql_ll("SELECT sum(enrolled_count) FROM sections WHERE course_id = %lld",
				course),
			 BULK_ROWS);
}

/* What a streamed answer held, counted as it arrived (the body is not
 * kept: a 50 MB body grown by realloc would be slow under ASan). */
struct tally {
	size_t bytes;
	long lines;
	char head[1024];  /* the first bytes */
	const char *sql;  /* run once when the first 100 kB have come, or NULL */
};

static size_t tally_write(char *data, size_t size, size_t n, void *arg)
{
	struct tally *t = arg;
	size_t len = size * n;

	if (t->bytes < sizeof(t->head) - 1) {
		size_t k = len < sizeof(t->head) - 1 - t->bytes ? len : sizeof(t->head) - 1 - t->bytes;

		memcpy(t->head + t->bytes, data, k);
	}
	for (size_t i = 0; i < len; i++)
		t->lines += data[i] == '\n';
	t->bytes += len;
	if (t->sql && t->bytes > 100 * 1000) {
		if (harness_sql(conninfo, t->sql) != 0)
			print_error("cannot run %s\n", t->sql);
		t->sql = NULL;
	}
	return len;
}

/* GET path as the session a into *t, running sql midway when it is not
 * NULL; returns the status, or -1 when the transfer failed (a report cut
 * short fails it). */
static long get_counted(const struct harness_actor *a, const char *path, const char *sql,
			struct tally *t)
{
	char url[256], resolve[64], cookie[300];
	struct curl_slist *hosts, *headers;
	CURL *c = curl_easy_init();
	CURLcode rc;
	long status = -1;

	memset(t, 0, sizeof(*t));
	t->sql = sql;
	snprintf(url, sizeof(url), "https://localhost:%d%s", server.port, path);
	snprintf(resolve, sizeof(resolve), "localhost:%d:127.0.0.1", server.port);
	snprintf(cookie, sizeof(cookie), "Cookie: %s", a->cookie);
	hosts = curl_slist_append(NULL, resolve);
	headers = curl_slist_append(NULL, cookie);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_RESOLVE, hosts);
	curl_easy_setopt(c, CURLOPT_CAINFO, server.cert_path);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, tally_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	if ((rc = curl_easy_perform(c)) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	else
		print_error("GET %s: %s\n", path, curl_easy_strerror(rc));
	curl_slist_free_all(headers);
	curl_slist_free_all(hosts);
	curl_easy_cleanup(c);
	return status;
}

static void large_report_streams_in_flat_memory(void **state)
{
	struct harness_rss_watch w;
	struct tally t, json;
	char path[128];
	long before, status, json_status;

	bulk_load();
	snprintf(path, sizeof(path), REPORT "?institution_id=%lld&format=csv", chosun);
	/* Warm: TLS, the connection, the plan; then the baseline. */
	assert_rowsf(&platform, 0, REPORT "?institution_id=%lld&status=rejected", chosun);
	before = harness_rss_kb(server.pid);
	assert_true(before > 0);
	if (harness_rss_watch_start(&w, server.pid, before) != 0)
		fail_msg("cannot start the sampler");
	status = get_counted(&platform, path, NULL, &t);
	/* And as JSON lines. */
	snprintf(path, sizeof(path), REPORT "?institution_id=%lld", chosun);
	json_status = get_counted(&platform, path, NULL, &json);
	harness_rss_watch_stop(&w);

	print_message("large report: %d rows, %zu bytes of CSV, %zu of JSON lines; server RSS"
		      " %ld KiB before, peak %ld KiB (+%ld KiB) over %ld samples\n",
		      BULK_ROWS, t.bytes, json.bytes, before, w.peak_kb, w.peak_kb - before,
		      w.samples);
	assert_int_equal(status, 200);
	assert_int_equal(t.lines, BULK_ROWS + 1);
	assert_memory_equal(t.head, BOM CSV_HEADER, strlen(BOM CSV_HEADER));
	assert_non_null(strstr(t.head, ",대량 학습자 1,rpt-bulk-1@example.com,worker,,chosun,"
				       "조선대학교,online,"));
	assert_int_equal(json_status, 200);
	assert_int_equal(json.lines, BULK_ROWS);
	assert_non_null(strstr(json.head, "\"display_name\":\"대량 학습자 1\""));
	if (w.peak_kb - before >= RSS_GROWTH_MAX_KB)
		fail_msg("the server grew by %ld KiB streaming %d rows (at most %d)",
			 w.peak_kb - before, BULK_ROWS, RSS_GROWTH_MAX_KB);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.enrollments'"
				" AND institution_id = %lld AND (detail->>'rows')::int = %d"
				" AND (detail->>'complete')::boolean",
				chosun, BULK_ROWS),
			 2);
}

/* A client that leaves mid-report: the query is cancelled, the pull is
 * recorded as incomplete, and the only pooled connection serves the next
 * request at once. */
static void client_leaving_midway_frees_the_connection(void **state)
{
	char req[512], *out = malloc(64 * 1024);
	struct timespec pause = {0, 50 * 1000 * 1000};
	long long rows = -1, busy = -1;
	int n;

	snprintf(req, sizeof(req),
		 "GET " REPORT "?institution_id=%lld&format=csv HTTP/1.1\r\nHost: localhost\r\n"
		 "Cookie: %s\r\n\r\n",
		 chosun, platform.cookie);
	n = harness_raw_tls(&server, req, strlen(req), out, 64 * 1024);
	assert_true(n > 1000);
	assert_int_equal(harness_raw_status(out), 200);
	free(out);

	for (int i = 0; i < 200 && rows < 0; i++) {
		rows = harness_sql_ll(conninfo,
				      "SELECT (detail->>'rows')::bigint FROM audit_log"
				      " WHERE action = 'report.enrollments'"
				      " AND NOT (detail->>'complete')::boolean ORDER BY id DESC LIMIT 1");
		if (rows < 0)
			nanosleep(&pause, NULL);
	}
	if (rows < 0)
		fail_msg("no audit row for the report cut short");
	assert_true(rows < BULK_ROWS);
	print_message("the client left after %lld rows had been sent\n", rows);
	/* No report query runs on, and no connection is left in a
	 * transaction (the server's connection turns idle a moment after the
	 * audit row commits). */
	for (int i = 0; i < 100 && busy != 0; i++) {
		busy = sql_ll("SELECT count(*) FROM pg_stat_activity WHERE usename = 'lms_app'"
			      " AND state <> 'idle'");
		if (busy)
			nanosleep(&pause, NULL);
	}
	assert_int_equal(busy, 0);
	/* The pool has one connection: this works only if it came back. */
	assert_rowsf(&platform, BIT(4) | BIT(5) | BIT(13), REPORT "?status=waitlisted");
}

/* The database connection fails midway: the client sees a report cut
 * short (no last chunk), the pull is still recorded, and the pool replaces
 * the connection. */
static void a_failure_midway_cuts_the_report_short(void **state)
{
	struct tally t;
	char path[128];
	long long last = sql_ll("SELECT coalesce(max(id), 0) FROM audit_log");

	snprintf(path, sizeof(path), REPORT "?institution_id=%lld", chosun);
	assert_int_equal(get_counted(&platform, path,
				     "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
				     " WHERE usename = 'lms_app' AND state = 'active'",
				     &t),
			 -1);
	assert_true(t.lines > 1 && t.lines < BULK_ROWS);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE id > %lld"
				" AND action = 'report.enrollments' AND institution_id = %lld"
				" AND NOT (detail->>'complete')::boolean"
				" AND (detail->>'rows')::bigint BETWEEN 1 AND %d",
				last, chosun, BULK_ROWS - 1),
			 1);
	assert_rowsf(&platform, BIT(4) | BIT(5) | BIT(13), REPORT "?status=waitlisted");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_lines_by_default_with_every_column),
		cmocka_unit_test(csv_quotes_neutralises_and_keeps_korean),
		cmocka_unit_test(csv_in_korean_for_spreadsheets),
		cmocka_unit_test(filters_select_rows),
		cmocka_unit_test(bad_parameters_are_named),
		cmocka_unit_test(tenant_isolation_on_every_path),
		cmocka_unit_test(pulls_are_audited_with_filters_and_rows),
		cmocka_unit_test(large_report_streams_in_flat_memory),
		cmocka_unit_test(client_leaving_midway_frees_the_connection),
		cmocka_unit_test(a_failure_midway_cuts_the_report_short),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
