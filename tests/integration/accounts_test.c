/* accounts_test.c - the profile a person keeps: consent at sign-up, the
 * verified e-mail change, verified affiliation (domains and claims),
 * institutions of every kind, the user directory, instructor invitations
 * (issue 18 defect 11), data download and account deletion, against a
 * running server on a scratch database */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define USER_PASSWORD "accounts-test-pass-2026"

static struct lms_server server;
static char conninfo[1024];
static long long gist, jnu, section_aff;
static struct harness_actor platform, gist_admin, jnu_admin, learner;

/* ---- helpers ---- */

/* One answer: status, body as JSON (NULL when it is not), the raw body
 * for messages and the Location header. */
struct answer {
	long status;
	json_t *json;
	char raw[32768];
	char location[128];
};

/* A printf-style string in one of a few rotating buffers: paths and
 * bodies built inline. */
static const char *f(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *f(const char *fmt, ...)
{
	static char bufs[4][8192];
	static int next;
	char *b = bufs[next++ % 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	return b;
}

/* Sends body (NULL: none) as a (NULL: a visitor). */
static struct answer call(const struct harness_actor *a, const char *method, const char *path,
			  const char *body)
{
	struct http_result h = {0};
	struct answer r = {0};

	if (harness_as(&server, a, method, path, body, &h) != 0)
		fail_msg("%s %s: no answer", method, path);
	r.status = h.status;
	r.json = json_loads(h.body ? h.body : "", 0, NULL);
	snprintf(r.raw, sizeof(r.raw), "%s", h.body ? h.body : "");
	if (!http_result_header(&h, "Location", r.location, sizeof(r.location)))
		r.location[0] = '\0';
	http_result_release(&h);
	return r;
}

/* Fails unless r has status and, when given, the problem code and an
 * error naming field. Releases r. */
static void expect(struct answer *r, long status, const char *code, const char *field)
{
	const char *got = json_string_value(json_object_get(r->json, "code"));
	bool named = !field;
	size_t i;
	json_t *e;

	if (r->status != status)
		fail_msg("expected %ld, got %ld: %s", status, r->status, r->raw);
	if (code && (!got || strcmp(got, code)))
		fail_msg("expected code %s: %s", code, r->raw);
	json_array_foreach(json_object_get(r->json, "errors"), i, e)
		named |= field && !strcmp(json_string_value(json_object_get(e, "field")), field);
	if (!named)
		fail_msg("expected an error naming %s: %s", field, r->raw);
	json_decref(r->json);
	r->json = NULL;
}

/* The status of a request whose answer does not matter otherwise. */
static long status_of(const struct harness_actor *a, const char *method, const char *path,
		      const char *body)
{
	struct answer r = call(a, method, path, body);
	long st = r.status;

	json_decref(r.json);
	return st;
}

static long long count(const char *sql)
{
	long long n = harness_sql_ll(conninfo, sql);

	if (n < 0)
		fail_msg("query failed: %s", sql);
	return n;
}

/* The text of a one-value query (into a rotating buffer). */
static const char *value(const char *sql)
{
	static char bufs[4][1024];
	static int next;
	char *b = bufs[next++ % 4];

	if (harness_sql_value(conninfo, sql, b, sizeof(bufs[0])) != 0)
		fail_msg("query failed: %s", sql);
	return b;
}

/* Whether the items of a list answer hold one with id. */
static bool lists(const json_t *page, long long id)
{
	size_t i;
	json_t *it;

	json_array_foreach(json_object_get(page, "items"), i, it)
		if (json_integer_value(json_object_get(it, "id")) == id)
			return true;
	return false;
}

/* Registers an account (consenting) and signs in as a when not NULL. */
static long long user(const char *email, const char *name, struct harness_actor *a)
{
	struct answer r = call(NULL, "POST", "/api/v1/auth/register",
			       f("{\"email\": \"%s\", \"password\": \"" USER_PASSWORD "\","
				 " \"display_name\": \"%s\", \"ladder_stage\": \"worker\", " HARNESS_CONSENT
				 "}",
				 email, name));
	long long id = json_integer_value(json_object_get(r.json, "id"));

	if (r.status != 201 || id <= 0)
		fail_msg("register %s: %ld %s", email, r.status, r.raw);
	json_decref(r.json);
	if (a && harness_login(&server, email, USER_PASSWORD, a) != 0)
		fail_msg("cannot sign in as %s", email);
	return id;
}

/* The token of the newest e-mail change link sent to address. */
static const char *link_token(const char *address)
{
	return value(f("SELECT params->>'token' FROM outbox WHERE kind = 'email_change.confirm'"
		       " AND to_address = '%s' ORDER BY id DESC LIMIT 1",
		       address));
}

/* ---- fixture ---- */

static int setup(void **state)
{
	(void)state;
	/* Mail is held (no SMTP server answers; the next try is an hour away),
	 * so a link's token is read from its outbox row: delivery itself is
	 * the mail test's. */
	static const char *const env[] = {"LMS_SMTP_URL=smtp://127.0.0.1:1",
					  "LMS_MAIL_RETRY_BASE_S=3600", NULL};

	if (harness_db_create("accounts", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, env) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return harness_server_stop(&server) == 0 ? 0 : -1;
}

static void actors(void **state)
{
	long long course;

	(void)state;
	gist = harness_sql_ll(conninfo, "SELECT id FROM institutions WHERE code = 'gist'");
	jnu = harness_sql_ll(conninfo, "SELECT id FROM institutions WHERE code = 'jnu'");
	harness_login_ok(&server, "admin@example.com", DEMO_PASSWORD, &platform);
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	harness_login_ok(&server, "learner@example.com", DEMO_PASSWORD, &learner);
	/* A course of GIST in a programme that needs an affiliation. */
	assert_int_equal(harness_sql(conninfo, "UPDATE programs SET approval_required = false,"
					       " affiliation_required = true, allowed_stages ="
					       " '{worker,general}' WHERE code = 'corporate_university'"),
			 0);
	course = harness_course_create(conninfo, &(struct harness_course){
							 .institution = gist,
							 .code = "ACC-101",
							 .program = "corporate_university"});
	section_aff = harness_section_create(conninfo, &(struct harness_section){
							       .course = course,
							       .starts_on = "2027-03-02",
							       .ends_on = "2027-06-30",
							       .opens_at = "2026-01-01",
							       .closes_at = "2027-03-01"});
}

/* ---- consent to the privacy notice ---- */

static void consent_at_signup(void **state)
{
	const char *base = "\"email\": \"consent@example.kr\", \"password\": \"" USER_PASSWORD
			   "\", \"display_name\": \"동의\", \"ladder_stage\": \"general\"";
	struct answer r;
	long long id;
	json_t *j;

	(void)state;
	/* The notice and its version, for the form. */
	r = call(NULL, "GET", "/api/v1/privacy-notice", NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "version")), "2026-12-01");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3);
	json_decref(r.json);
	r = call(NULL, "GET", "/privacy/notice.ko.txt", NULL);
	assert_int_equal(r.status, 200);
	assert_contains(r.raw, "2026-12-01");
	assert_contains(r.raw, "개인정보");
	r = call(NULL, "GET", "/privacy/notice.en.txt", NULL);
	assert_int_equal(r.status, 200);
	assert_contains(r.raw, "2026-12-01");

	/* No consent, a false one, another version, an unknown item. */
	r = call(NULL, "POST", "/api/v1/auth/register", f("{%s}", base));
	expect(&r, 400, "consent_required", "consent_required");
	r = call(NULL, "POST", "/api/v1/auth/register",
		 f("{%s, \"consent_version\": \"2026-12-01\", \"consent_required\": false}", base));
	expect(&r, 400, "consent_required", "consent_required");
	r = call(NULL, "POST", "/api/v1/auth/register",
		 f("{%s, \"consent_version\": \"2020-01-01\", \"consent_required\": true}", base));
	expect(&r, 400, "validation_failed", "consent_version");
	r = call(NULL, "POST", "/api/v1/auth/register",
		 f("{%s, " HARNESS_CONSENT ", \"consent_optional\": [\"marketing_calls\"]}", base));
	expect(&r, 400, "validation_failed", "consent_optional");
	r = call(NULL, "POST", "/api/v1/auth/register",
		 f("{%s, " HARNESS_CONSENT ", \"consent_required\": \"yes\"}", base));
	assert_int_equal(r.status, 400);
	json_decref(r.json);
	assert_int_equal(count("SELECT count(*) FROM users WHERE email = 'consent@example.kr'"), 0);

	/* Required and one optional item: each recorded, with the version. */
	r = call(NULL, "POST", "/api/v1/auth/register",
		 f("{%s, " HARNESS_CONSENT ", \"consent_optional\": [\"program_news\"]}", base));
	assert_int_equal(r.status, 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	json_decref(r.json);
	j = NULL;
	assert_string_equal(
		value(f("SELECT string_agg(item || ':' || required || ':' || granted || ':' ||"
			" notice_version, ',' ORDER BY item) FROM privacy_consents WHERE user_id = %lld",
			id)),
		"program_news:false:true:2026-12-01,service:true:true:2026-12-01,"
		"survey:false:false:2026-12-01");
	assert_int_equal(count(f("SELECT count(*) FROM privacy_consents WHERE user_id = %lld"
				 " AND at > now() - interval '1 minute' AND remote_addr IS NOT NULL",
				 id)),
			 3);
	(void)j;
}

/* ---- PATCH /api/v1/me ---- */

static void profile_update(void **state)
{
	struct harness_actor a;
	struct answer r;
	long long id = user("profile@example.kr", "프로필", &a);

	(void)state;
	r = call(&a, "PATCH", "/api/v1/me",
		 "{\"display_name\": \"새 이름\", \"locale\": \"en\", \"ladder_stage\": \"job_seeker\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "display_name")), "새 이름");
	assert_string_equal(json_string_value(json_object_get(r.json, "locale")), "en");
	assert_string_equal(json_string_value(json_object_get(r.json, "ladder_stage")), "job_seeker");
	json_decref(r.json);
	assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action = 'user.update'"
				 " AND target_id = %lld",
				 id)),
			 1);
	/* Every bad field named; nothing changed. */
	r = call(&a, "PATCH", "/api/v1/me",
		 "{\"display_name\": \" \", \"locale\": \"fr\", \"ladder_stage\": \"wizard\"}");
	assert_int_equal(r.status, 400);
	assert_contains(r.raw, "\"display_name\"");
	assert_contains(r.raw, "\"locale\"");
	assert_contains(r.raw, "\"ladder_stage\"");
	json_decref(r.json);
	r = call(&a, "PATCH", "/api/v1/me", "{\"role\": \"platform_admin\"}");
	expect(&r, 400, "validation_failed", "role");
	r = call(&a, "PATCH", "/api/v1/me", "{}");
	expect(&r, 400, "invalid_request", NULL);
	r = call(&a, "PATCH", "/api/v1/me", "{\"affiliation_institution_id\": 987654321}");
	expect(&r, 400, "validation_failed", "affiliation_institution_id");
	r = call(NULL, "PATCH", "/api/v1/me", "{\"display_name\": \"x\"}");
	expect(&r, 401, "unauthenticated", NULL);
	assert_string_equal(value(f("SELECT display_name || ' ' || locale FROM users WHERE id = %lld",
				    id)),
			    "새 이름 en");
}

/* ---- e-mail change ---- */

static void email_change(void **state)
{
	struct harness_actor a, again;
	struct answer r;
	long long id = user("old-address@example.kr", "주소변경", &a);
	char first[128];

	(void)state;
	r = call(&a, "PATCH", "/api/v1/me", "{\"email\": \"new-address@example.kr\"}");
	expect(&r, 400, "validation_failed", "current_password");
	r = call(&a, "PATCH", "/api/v1/me",
		 "{\"email\": \"new-address@example.kr\", \"current_password\": \"wrong-pass-2026\"}");
	expect(&r, 400, "validation_failed", "current_password");
	r = call(&a, "PATCH", "/api/v1/me",
		 "{\"email\": \"LEARNER@example.com\", \"current_password\": \"" USER_PASSWORD "\"}");
	expect(&r, 409, "email_taken", NULL);
	r = call(&a, "PATCH", "/api/v1/me", "{\"email\": \"not an address\"}");
	expect(&r, 400, "validation_failed", "email");
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE kind LIKE 'email_change.%'"), 0);

	/* The request: a link to the new address, a word to the old one. */
	r = call(&a, "PATCH", "/api/v1/me",
		 "{\"email\": \"new-address@example.kr\", \"current_password\": \"" USER_PASSWORD "\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "email")),
			    "old-address@example.kr");
	assert_string_equal(json_string_value(json_object_get(r.json, "pending_email")),
			    "new-address@example.kr");
	json_decref(r.json);
	snprintf(first, sizeof(first), "%s", link_token("new-address@example.kr"));
	assert_true(strlen(first) >= 40);
	assert_int_equal(count(f("SELECT count(*) FROM outbox WHERE kind = 'email_change.requested'"
				 " AND to_address = 'old-address@example.kr' AND user_id = %lld"
				 " AND params->>'new_email' = 'new-address@example.kr'",
				 id)),
			 1);
	/* Only a digest is stored. */
	assert_int_equal(count(f("SELECT count(*) FROM email_changes WHERE token_hash ="
				 " sha256(convert_to('%s', 'UTF8')) AND user_id = %lld",
				 first, id)),
			 1);
	/* A second request replaces the first link. */
	r = call(&a, "PATCH", "/api/v1/me",
		 "{\"email\": \"newer-address@example.kr\", \"current_password\": \"" USER_PASSWORD
		 "\"}");
	assert_int_equal(r.status, 200);
	json_decref(r.json);
	r = call(NULL, "POST", "/api/v1/me/email/confirm", f("{\"token\": \"%s\"}", first));
	expect(&r, 400, "token_invalid", NULL);
	r = call(NULL, "POST", "/api/v1/me/email/confirm", "{\"token\": \"nonsense\"}");
	expect(&r, 400, "token_invalid", NULL);
	r = call(NULL, "POST", "/api/v1/me/email/confirm", "{}");
	expect(&r, 400, "validation_failed", "token");
	/* An expired link. */
	snprintf(first, sizeof(first), "%s", link_token("newer-address@example.kr"));
	assert_int_equal(harness_sql(conninfo, f("UPDATE email_changes SET created_at = now() -"
						 " interval '2 hours', expires_at = now() -"
						 " interval '1 hour' WHERE user_id = %lld AND"
						 " used_at IS NULL",
						 id)),
			 0);
	r = call(NULL, "POST", "/api/v1/me/email/confirm", f("{\"token\": \"%s\"}", first));
	expect(&r, 400, "token_invalid", NULL);
	assert_string_equal(value(f("SELECT email FROM users WHERE id = %lld", id)),
			    "old-address@example.kr");

	/* A fresh link, followed: the address changes, verified; the old
	 * address is told; the link works once. */
	r = call(&a, "PATCH", "/api/v1/me",
		 "{\"email\": \"newer-address@example.kr\", \"current_password\": \"" USER_PASSWORD
		 "\"}");
	assert_int_equal(r.status, 200);
	json_decref(r.json);
	snprintf(first, sizeof(first), "%s", link_token("newer-address@example.kr"));
	r = call(NULL, "POST", "/api/v1/me/email/confirm", f("{\"token\": \"%s\"}", first));
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "email")),
			    "newer-address@example.kr");
	json_decref(r.json);
	assert_int_equal(count(f("SELECT count(*) FROM users WHERE id = %lld AND email ="
				 " 'newer-address@example.kr' AND email_verified_at IS NOT NULL",
				 id)),
			 1);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE kind = 'email_change.done'"
			       " AND to_address = 'old-address@example.kr'"
			       " AND params->>'new_email' = 'newer-address@example.kr'"),
			 1);
	assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action ="
				 " 'user.email_change' AND target_id = %lld",
				 id)),
			 1);
	r = call(NULL, "POST", "/api/v1/me/email/confirm", f("{\"token\": \"%s\"}", first));
	expect(&r, 400, "token_invalid", NULL);
	assert_int_equal(harness_login(&server, "old-address@example.kr", USER_PASSWORD, &again),
			 401);
	harness_login_ok(&server, "newer-address@example.kr", USER_PASSWORD, &again);
}

/* ---- verified affiliation ---- */

static void institutions_of_every_kind(void **state)
{
	struct answer r;

	(void)state;
	r = call(&gist_admin, "POST", "/api/v1/institutions",
		 "{\"code\": \"acme_ai\", \"kind\": \"company\", \"name_ko\": \"에이크미 AI\","
		 " \"name_en\": \"Acme AI\"}");
	expect(&r, 403, "forbidden", NULL);
	r = call(&platform, "POST", "/api/v1/institutions",
		 "{\"code\": \"Acme AI\", \"kind\": \"startup\", \"name_ko\": \"\","
		 " \"name_en\": \"Acme AI\"}");
	assert_int_equal(r.status, 400);
	assert_contains(r.raw, "\"code\"");
	assert_contains(r.raw, "\"kind\"");
	assert_contains(r.raw, "\"name_ko\"");
	json_decref(r.json);
	r = call(&platform, "POST", "/api/v1/institutions",
		 "{\"code\": \"acme_ai\", \"kind\": \"company\", \"name_ko\": \"에이크미 AI\","
		 " \"name_en\": \"Acme AI\", \"region\": \"광주\"}");
	assert_int_equal(r.status, 201);
	assert_string_equal(json_string_value(json_object_get(r.json, "kind")), "company");
	json_decref(r.json);
	r = call(&platform, "POST", "/api/v1/institutions",
		 "{\"code\": \"gwangju_agency\", \"kind\": \"public_agency\", \"name_ko\": \"광주"
		 " 정보문화산업진흥원\", \"name_en\": \"Gwangju ICT Agency\"}");
	assert_int_equal(r.status, 201);
	json_decref(r.json);
	r = call(&platform, "POST", "/api/v1/institutions",
		 "{\"code\": \"acme_ai\", \"kind\": \"company\", \"name_ko\": \"또\","
		 " \"name_en\": \"Again\"}");
	expect(&r, 409, "code_taken", "code");
	/* Listed with the others, and audited. */
	r = call(NULL, "GET", "/api/v1/institutions?limit=100", NULL);
	assert_contains(r.raw, "acme_ai");
	json_decref(r.json);
	assert_int_equal(count("SELECT count(*) FROM audit_log WHERE action = 'institution.create'"),
			 2);
}

static void domains(void **state)
{
	struct answer r;

	(void)state;
	r = call(&jnu_admin, "POST", f("/api/v1/institutions/%lld/domains", gist),
		 "{\"domain\": \"gist.ac.kr\"}");
	expect(&r, 403, "forbidden", NULL);
	r = call(&learner, "GET", f("/api/v1/institutions/%lld/domains", gist), NULL);
	expect(&r, 403, "forbidden", NULL);
	r = call(&gist_admin, "POST", f("/api/v1/institutions/%lld/domains", gist),
		 "{\"domain\": \"GIST.ac.kr\"}");
	assert_int_equal(r.status, 201);
	assert_string_equal(json_string_value(json_object_get(r.json, "domain")), "gist.ac.kr");
	json_decref(r.json);
	r = call(&jnu_admin, "POST", f("/api/v1/institutions/%lld/domains", jnu),
		 "{\"domain\": \"gist.ac.kr\"}");
	expect(&r, 409, "domain_taken", NULL);
	r = call(&gist_admin, "POST", f("/api/v1/institutions/%lld/domains", gist),
		 "{\"domain\": \"gmail.com\"}");
	expect(&r, 400, "validation_failed", "domain");
	r = call(&gist_admin, "POST", f("/api/v1/institutions/%lld/domains", gist),
		 "{\"domain\": \"not a domain\"}");
	expect(&r, 400, "validation_failed", "domain");
	r = call(&platform, "POST", f("/api/v1/institutions/%lld/domains", jnu),
		 "{\"domain\": \"jnu.ac.kr\"}");
	assert_int_equal(r.status, 201);
	json_decref(r.json);
	r = call(&gist_admin, "POST", f("/api/v1/institutions/%lld/domains", gist),
		 "{\"domain\": \"old.gist.ac.kr\"}");
	assert_int_equal(r.status, 201);
	json_decref(r.json);
	r = call(&gist_admin, "GET", f("/api/v1/institutions/%lld/domains", gist), NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	json_decref(r.json);
	r = call(&jnu_admin, "DELETE", f("/api/v1/institutions/%lld/domains/old.gist.ac.kr", gist),
		 NULL);
	expect(&r, 403, "forbidden", NULL);
	assert_int_equal(status_of(&gist_admin, "DELETE",
				   f("/api/v1/institutions/%lld/domains/old.gist.ac.kr", gist), NULL),
			 204);
	r = call(&gist_admin, "DELETE", f("/api/v1/institutions/%lld/domains/old.gist.ac.kr", gist),
		 NULL);
	expect(&r, 404, "not_found", NULL);
}

static void affiliation_by_domain_and_claim(void **state)
{
	struct harness_actor by_domain, claimant, later;
	long long a, b, c, claim;
	struct answer r;
	char path[96];

	(void)state;
	/* A verified address at GIST's domain: affiliated at once. */
	a = user("kim@gist.ac.kr", "김지스트", &by_domain);
	assert_int_equal(harness_sql(conninfo, f("UPDATE users SET email_verified_at = now()"
						 " WHERE id = %lld",
						 a)),
			 0);
	r = call(&by_domain, "PATCH", "/api/v1/me", f("{\"affiliation_institution_id\": %lld}", gist));
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "affiliation_institution_id")),
			 gist);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(r.json, "affiliation_claim"), "verified_by")),
			    "domain");
	json_decref(r.json);
	assert_int_equal(status_of(&by_domain, "POST",
				   f("/api/v1/sections/%lld/enrollments", section_aff), "{}"),
			 201);

	/* Anyone else: a pending claim, which does not satisfy the rule. */
	b = user("park@example.kr", "박청구", &claimant);
	r = call(&claimant, "PATCH", "/api/v1/me", f("{\"affiliation_institution_id\": %lld}", gist));
	assert_int_equal(r.status, 200);
	assert_true(json_is_null(json_object_get(r.json, "affiliation_institution_id")));
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(r.json, "affiliation_claim"), "status")),
			    "pending");
	claim = json_integer_value(
		json_object_get(json_object_get(r.json, "affiliation_claim"), "id"));
	json_decref(r.json);
	/* (Its address confirmed, so that affiliation is what refuses it.) */
	assert_int_equal(harness_email_verify(conninfo, "park@example.kr"), 0);
	r = call(&claimant, "POST", f("/api/v1/sections/%lld/enrollments", section_aff), "{}");
	expect(&r, 403, "affiliation_required", NULL);
	/* The database refuses an unverified affiliation whatever the path. */
	assert_int_not_equal(harness_sql(conninfo, f("UPDATE users SET affiliation_institution_id ="
						     " %lld WHERE id = %lld",
						     jnu, b)),
			     0);

	/* Chonnam neither sees nor decides GIST's claims. */
	r = call(&jnu_admin, "GET", f("/api/v1/institutions/%lld/affiliation-claims", gist), NULL);
	expect(&r, 403, "forbidden", NULL);
	snprintf(path, sizeof(path), "/api/v1/affiliation-claims/%lld", claim);
	r = call(&jnu_admin, "PATCH", path, "{\"status\": \"approved\"}");
	expect(&r, 404, "not_found", NULL);
	r = call(&claimant, "PATCH", path, "{\"status\": \"approved\"}");
	expect(&r, 403, "forbidden", NULL);

	/* GIST's admin sees it pending, refuses it only with a reason. */
	r = call(&gist_admin, "GET",
		 f("/api/v1/institutions/%lld/affiliation-claims?status=pending", gist), NULL);
	assert_int_equal(r.status, 200);
	assert_true(lists(r.json, claim));
	json_decref(r.json);
	r = call(&gist_admin, "GET",
		 f("/api/v1/institutions/%lld/affiliation-claims?status=maybe", gist), NULL);
	expect(&r, 400, "validation_failed", "status");
	r = call(&gist_admin, "PATCH", path, "{\"status\": \"rejected\"}");
	expect(&r, 400, "validation_failed", "reason");
	r = call(&gist_admin, "PATCH", path, "{\"status\": \"maybe\"}");
	expect(&r, 400, "validation_failed", "status");
	r = call(&gist_admin, "PATCH", path,
		 "{\"status\": \"rejected\", \"reason\": \"재직 증명이 필요합니다\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "rejected");
	json_decref(r.json);
	assert_int_equal(count(f("SELECT count(*) FROM outbox WHERE kind = 'affiliation.rejected'"
				 " AND user_id = %lld AND params->>'reason' = '재직 증명이 필요합니다'",
				 b)),
			 1);
	r = call(&gist_admin, "PATCH", path, "{\"status\": \"approved\"}");
	expect(&r, 409, "claim_decided", NULL);

	/* Claimed again and approved: now it counts. */
	r = call(&claimant, "PATCH", "/api/v1/me", f("{\"affiliation_institution_id\": %lld}", gist));
	claim = json_integer_value(
		json_object_get(json_object_get(r.json, "affiliation_claim"), "id"));
	json_decref(r.json);
	snprintf(path, sizeof(path), "/api/v1/affiliation-claims/%lld", claim);
	r = call(&gist_admin, "PATCH", path, "{\"status\": \"approved\"}");
	assert_int_equal(r.status, 200);
	json_decref(r.json);
	assert_int_equal(count(f("SELECT count(*) FROM users WHERE id = %lld"
				 " AND affiliation_institution_id = %lld",
				 b, gist)),
			 1);
	assert_int_equal(count(f("SELECT count(*) FROM outbox WHERE kind = 'affiliation.approved'"
				 " AND user_id = %lld",
				 b)),
			 1);
	assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action ="
				 " 'affiliation.decide' AND institution_id = %lld",
				 gist)),
			 2);
	assert_int_equal(status_of(&claimant, "POST",
				   f("/api/v1/sections/%lld/enrollments", section_aff), "{}"),
			 201);

	/* An address verified later proves a pending claim. */
	c = user("lee@jnu.ac.kr", "이전남", &later);
	r = call(&later, "PATCH", "/api/v1/me", f("{\"affiliation_institution_id\": %lld}", jnu));
	assert_int_equal(r.status, 200);
	json_decref(r.json);
	assert_int_equal(count(f("SELECT count(*) FROM users WHERE id = %lld"
				 " AND affiliation_institution_id IS NULL",
				 c)),
			 1);
	assert_int_equal(harness_sql(conninfo, f("UPDATE users SET email_verified_at = now()"
						 " WHERE id = %lld",
						 c)),
			 0);
	assert_int_equal(count(f("SELECT count(*) FROM users WHERE id = %lld"
				 " AND affiliation_institution_id = %lld",
				 c, jnu)),
			 1);

	/* A company's employee, approved by the operating committee. */
	{
		long long acme = harness_sql_ll(conninfo,
						"SELECT id FROM institutions WHERE code = 'acme_ai'");
		struct harness_actor worker;
		long long w = user("worker@acme.example", "회사원", &worker);

		r = call(&worker, "PATCH", "/api/v1/me",
			 f("{\"affiliation_institution_id\": %lld}", acme));
		claim = json_integer_value(
			json_object_get(json_object_get(r.json, "affiliation_claim"), "id"));
		json_decref(r.json);
		r = call(&platform, "PATCH", f("/api/v1/affiliation-claims/%lld", claim),
			 "{\"status\": \"approved\"}");
		assert_int_equal(r.status, 200);
		json_decref(r.json);
		assert_int_equal(count(f("SELECT count(*) FROM users WHERE id = %lld"
					 " AND affiliation_institution_id = %lld",
					 w, acme)),
				 1);
		/* Leaving it: no affiliation. */
		r = call(&worker, "PATCH", "/api/v1/me", "{\"affiliation_institution_id\": null}");
		assert_int_equal(r.status, 200);
		assert_true(json_is_null(json_object_get(r.json, "affiliation_institution_id")));
		json_decref(r.json);
	}
}

/* ---- the user directory ---- */

static void directory(void **state)
{
	long long gist_only, jnu_only, enrolled, section_jnu, course_jnu;
	struct answer r;
	const char *next;
	char cursor[256];

	(void)state;
	gist_only = harness_sql_ll(conninfo, "SELECT id FROM users WHERE email = 'kim@gist.ac.kr'");
	jnu_only = harness_sql_ll(conninfo, "SELECT id FROM users WHERE email = 'lee@jnu.ac.kr'");
	/* Someone with no affiliation, enrolled in a Chonnam section. */
	enrolled = user("dir-enrolled@example.kr", "디렉터리", NULL);
	course_jnu = harness_course_create(conninfo,
					   &(struct harness_course){.institution = jnu, .code = "DIR-1"});
	section_jnu = harness_section_create(conninfo, &(struct harness_section){.course = course_jnu});
	harness_enrollment_create(conninfo,
				  &(struct harness_enrollment){.section = section_jnu, .user = enrolled});

	r = call(&learner, "GET", "/api/v1/users?q=kim", NULL);
	expect(&r, 403, "forbidden", NULL);
	r = call(NULL, "GET", "/api/v1/users", NULL);
	expect(&r, 401, "unauthenticated", NULL);

	/* The platform admin: everyone, by e-mail or by name. */
	r = call(&platform, "GET", "/api/v1/users?q=KIM@gist", NULL);
	assert_int_equal(r.status, 200);
	assert_true(lists(r.json, gist_only));
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	json_decref(r.json);
	r = call(&platform, "GET", f("/api/v1/users?q=%s", "%EC%9D%B4%EC%A0%84%EB%82%A8"), NULL);
	assert_true(lists(r.json, jnu_only));
	json_decref(r.json);

	/* GIST's admin: GIST's people only. */
	r = call(&gist_admin, "GET", "/api/v1/users?q=ac.kr", NULL);
	assert_int_equal(r.status, 200);
	assert_true(lists(r.json, gist_only));
	assert_false(lists(r.json, jnu_only));
	json_decref(r.json);
	r = call(&gist_admin, "GET", "/api/v1/users?q=dir-enrolled", NULL);
	assert_false(lists(r.json, enrolled));
	json_decref(r.json);
	/* Chonnam's: its affiliated and its enrolled, not GIST's. */
	r = call(&jnu_admin, "GET", "/api/v1/users?q=ac.kr", NULL);
	assert_true(lists(r.json, jnu_only));
	assert_false(lists(r.json, gist_only));
	json_decref(r.json);
	r = call(&jnu_admin, "GET", "/api/v1/users?q=dir-enrolled", NULL);
	assert_true(lists(r.json, enrolled));
	json_decref(r.json);
	/* GIST's instructor shared with Chonnam is Chonnam's too. */
	r = call(&jnu_admin, "GET", "/api/v1/users?q=instructor@example.com", NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	json_decref(r.json);
	/* Another institution's directory is not asked for. */
	r = call(&gist_admin, "GET", f("/api/v1/users?institution_id=%lld", jnu), NULL);
	expect(&r, 403, "forbidden", NULL);
	r = call(&gist_admin, "GET", "/api/v1/users?limit=101", NULL);
	expect(&r, 400, "validation_failed", "limit");

	/* Pages. */
	r = call(&platform, "GET", "/api/v1/users?limit=2", NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	next = json_string_value(json_object_get(r.json, "next_cursor"));
	assert_non_null(next);
	snprintf(cursor, sizeof(cursor), "%s", next);
	json_decref(r.json);
	r = call(&platform, "GET", f("/api/v1/users?limit=2&cursor=%s", cursor), NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	json_decref(r.json);
	assert_true(count("SELECT count(*) FROM audit_log WHERE action = 'user.search'") >= 5);
}

/* ---- issue 18 defect 11: staff are invited, not taken ---- */

static void instructors_need_acceptance(void **state)
{
	struct harness_actor jnu_staff;
	long long staff, invitation;
	struct answer r;
	char path[96];

	(void)state;
	/* Chonnam's admin, as in the defect; signed in as the invitee. */
	staff = jnu_admin.user_id;
	jnu_staff = jnu_admin;
	r = call(&gist_admin, "POST", "/api/v1/instructors", f("{\"user_id\": %lld}", staff));
	/* Before: 201 and the profile was GIST's at once. */
	assert_int_equal(r.status, 202);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "pending");
	invitation = json_integer_value(json_object_get(r.json, "id"));
	json_decref(r.json);
	assert_int_equal(count(f("SELECT count(*) FROM instructors WHERE user_id = %lld", staff)), 0);
	assert_int_equal(count(f("SELECT count(*) FROM user_roles WHERE user_id = %lld"
				 " AND role = 'instructor'",
				 staff)),
			 0);
	assert_int_equal(count(f("SELECT count(*) FROM outbox WHERE kind = 'instructor.invited'"
				 " AND user_id = %lld",
				 staff)),
			 1);
	r = call(&gist_admin, "POST", "/api/v1/instructors", f("{\"user_id\": %lld}", staff));
	expect(&r, 409, "invitation_pending", NULL);

	/* Only the invitee answers. */
	snprintf(path, sizeof(path), "/api/v1/instructor-invitations/%lld", invitation);
	r = call(&learner, "PATCH", path, "{\"status\": \"accepted\"}");
	expect(&r, 404, "not_found", NULL);
	r = call(&gist_admin, "PATCH", path, "{\"status\": \"accepted\"}");
	expect(&r, 404, "not_found", NULL);
	r = call(&jnu_staff, "GET", "/api/v1/me/instructor-invitations", NULL);
	assert_int_equal(r.status, 200);
	assert_true(lists(r.json, invitation));
	json_decref(r.json);
	r = call(&jnu_staff, "PATCH", path, "{\"status\": \"maybe\"}");
	expect(&r, 400, "validation_failed", "status");
	r = call(&jnu_staff, "PATCH", path, "{\"status\": \"declined\"}");
	assert_int_equal(r.status, 200);
	json_decref(r.json);
	r = call(&jnu_staff, "PATCH", path, "{\"status\": \"accepted\"}");
	expect(&r, 409, "invitation_answered", NULL);
	assert_int_equal(count(f("SELECT count(*) FROM instructors WHERE user_id = %lld", staff)), 0);

	/* Invited again and accepted: GIST's instructor, by consent. */
	r = call(&gist_admin, "POST", "/api/v1/instructors",
		 f("{\"user_id\": %lld, \"expertise\": [\"데이터\"]}", staff));
	assert_int_equal(r.status, 202);
	invitation = json_integer_value(json_object_get(r.json, "id"));
	json_decref(r.json);
	snprintf(path, sizeof(path), "/api/v1/instructor-invitations/%lld", invitation);
	r = call(&jnu_staff, "PATCH", path, "{\"status\": \"accepted\"}");
	assert_int_equal(r.status, 200);
	json_decref(r.json);
	assert_int_equal(count(f("SELECT count(*) FROM instructors WHERE user_id = %lld"
				 " AND home_institution_id = %lld AND expertise = '{데이터}'",
				 staff, gist)),
			 1);
	assert_int_equal(count(f("SELECT count(*) FROM user_roles WHERE user_id = %lld"
				 " AND role = 'instructor' AND institution_id = %lld",
				 staff, gist)),
			 1);

	/* Home moves are the operating committee's. */
	r = call(&gist_admin, "PUT", f("/api/v1/instructors/%lld/home", staff),
		 f("{\"institution_id\": %lld}", jnu));
	expect(&r, 403, "forbidden", NULL);
	r = call(&platform, "PUT", f("/api/v1/instructors/%lld/home", staff),
		 "{\"institution_id\": 987654321}");
	expect(&r, 400, "validation_failed", "institution_id");
	r = call(&platform, "PUT", "/api/v1/instructors/987654321/home",
		 f("{\"institution_id\": %lld}", jnu));
	expect(&r, 404, "not_found", NULL);
	r = call(&platform, "PUT", f("/api/v1/instructors/%lld/home", staff),
		 f("{\"institution_id\": %lld}", jnu));
	assert_int_equal(r.status, 200);
	json_decref(r.json);
	assert_int_equal(count(f("SELECT count(*) FROM instructors WHERE user_id = %lld"
				 " AND home_institution_id = %lld",
				 staff, jnu)),
			 1);
	assert_int_equal(count(f("SELECT count(*) FROM user_roles WHERE user_id = %lld"
				 " AND role = 'instructor'",
				 staff)),
			 1);
	assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action ="
				 " 'instructor.home_move' AND target_id = %lld",
				 staff)),
			 1);

	/* A verified affiliation is consent enough: GIST's own staff. */
	{
		long long own = harness_sql_ll(conninfo,
					       "SELECT id FROM users WHERE email = 'kim@gist.ac.kr'");

		r = call(&gist_admin, "POST", "/api/v1/instructors", f("{\"user_id\": %lld}", own));
		assert_int_equal(r.status, 201);
		json_decref(r.json);
	}
}

/* ---- data download and deletion ---- */

static void export_and_delete(void **state)
{
	struct harness_actor leaver, next;
	long long id, waiting, course, section, e_leaver, audit_before;
	struct answer r;

	(void)state;
	id = user("leaver@example.kr", "탈퇴예정", &leaver);
	waiting = user("waiting@example.kr", "대기자", &next);
	/* Confirmed addresses, as those who enrol have. */
	assert_int_equal(harness_email_verify(conninfo, "leaver@example.kr"), 0);
	assert_int_equal(harness_email_verify(conninfo, "waiting@example.kr"), 0);
	course = harness_course_create(conninfo,
				       &(struct harness_course){.institution = gist, .code = "DEL-1"});
	section = harness_section_create(conninfo, &(struct harness_section){
							   .course = course,
							   .capacity = 1,
							   .starts_on = "2027-03-02",
							   .ends_on = "2027-06-30",
							   .opens_at = "2026-01-01",
							   .closes_at = "2027-03-01"});
	assert_int_equal(status_of(&leaver, "POST", f("/api/v1/sections/%lld/enrollments", section),
				   "{}"),
			 201);
	assert_int_equal(status_of(&next, "POST", f("/api/v1/sections/%lld/enrollments", section),
				   "{}"),
			 201);
	e_leaver = harness_sql_llf(conninfo, "SELECT id FROM enrollments WHERE user_id = %lld", id);
	r = call(&leaver, "PATCH", "/api/v1/me", f("{\"affiliation_institution_id\": %lld}", jnu));
	json_decref(r.json);

	/* The download: everything, as a file. */
	r = call(&leaver, "GET", "/api/v1/me/export", NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "profile"),
							      "email")),
			    "leaver@example.kr");
	assert_int_equal(json_array_size(json_object_get(r.json, "enrollments")), 1);
	assert_int_equal(json_array_size(json_object_get(r.json, "consents")), 3);
	assert_int_equal(json_array_size(json_object_get(r.json, "affiliation_claims")), 1);
	assert_true(json_array_size(json_object_get(r.json, "audit")) >= 2);
	assert_true(json_is_array(json_object_get(r.json, "attendance")));
	assert_true(json_is_array(json_object_get(r.json, "roles")));
	assert_null(strstr(r.raw, "password_hash"));
	assert_null(strstr(r.raw, "pbkdf2"));
	json_decref(r.json);
	assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action = 'user.export'"
				 " AND target_id = %lld",
				 id)),
			 1);

	/* Deletion: the password, and not for those who administer. */
	r = call(&leaver, "DELETE", "/api/v1/me", "{}");
	expect(&r, 400, "validation_failed", "password");
	r = call(&leaver, "DELETE", "/api/v1/me", "{\"password\": \"wrong-pass-2026\"}");
	expect(&r, 400, "validation_failed", "password");
	r = call(&gist_admin, "DELETE", "/api/v1/me", "{\"password\": \"" DEMO_PASSWORD "\"}");
	expect(&r, 409, "role_holder", NULL);
	audit_before = count(f("SELECT count(*) FROM audit_log WHERE actor_user_id = %lld", id));
	assert_int_equal(count(f("SELECT enrolled_count FROM sections WHERE id = %lld", section)),
			 1);
	/* An invitation a bulk enrolment left for the address goes with it. */
	assert_int_equal(harness_sql(conninfo,
				     f("INSERT INTO enrollment_invitations (section_id, email)"
				       " VALUES (%lld, 'leaver@example.kr')",
				       section)),
			 0);

	r = call(&leaver, "DELETE", "/api/v1/me", "{\"password\": \"" USER_PASSWORD "\"}");
	assert_int_equal(r.status, 204);
	json_decref(r.json);
	/* Personal data gone; the row stays, pseudonymous. */
	assert_string_equal(value(f("SELECT email || ' ' || display_name || ' ' ||"
				    " (deleted_at IS NOT NULL) || ' ' || ladder_stage FROM users"
				    " WHERE id = %lld",
				    id)),
			    f("deleted-%lld@deleted.invalid 탈퇴 회원 true worker", id));
	assert_int_equal(count("SELECT count(*) FROM users WHERE email = 'leaver@example.kr'"), 0);
	assert_int_equal(count("SELECT count(*) FROM enrollment_invitations"
			       " WHERE email = 'leaver@example.kr'"),
			 0);
	assert_int_equal(count(f("SELECT count(*) FROM outbox WHERE user_id = %lld"
				 " AND to_address NOT LIKE 'deleted-%%'",
				 id)),
			 0);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE to_address ="
			       " 'leaver@example.kr'"),
			 0);
	/* Sessions ended; no way back in. */
	r = call(&leaver, "GET", "/api/v1/me", NULL);
	expect(&r, 401, "unauthenticated", NULL);
	assert_int_equal(harness_login(&server, "leaver@example.kr", USER_PASSWORD, &leaver), 401);
	/* The seat went to the first in line, in the same transaction; the
	 * statistics keep both enrolments. */
	assert_string_equal(value(f("SELECT status FROM enrollments WHERE id = %lld", e_leaver)),
			    "cancelled");
	assert_string_equal(value(f("SELECT status FROM enrollments WHERE user_id = %lld"
				    " AND section_id = %lld",
				    waiting, section)),
			    "enrolled");
	assert_int_equal(count(f("SELECT enrolled_count FROM sections WHERE id = %lld", section)),
			 1);
	assert_int_equal(count(f("SELECT count(*) FROM enrollments WHERE section_id = %lld",
				 section)),
			 2);
	assert_int_equal(count(f("SELECT count(*) FROM affiliation_claims WHERE user_id = %lld"
				 " AND status = 'pending'",
				 id)),
			 0);
	/* The trail is whole, and says what happened. */
	assert_true(count(f("SELECT count(*) FROM audit_log WHERE actor_user_id = %lld", id)) >
		    audit_before);
	assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action = 'user.delete'"
				 " AND target_id = %lld AND detail->>'enrollments_ended' = '1'",
				 id)),
			 1);
	assert_int_equal(count(f("SELECT count(*) FROM audit_log WHERE action ="
				 " 'enrollment.promote' AND detail->>'user_id' = '%lld'",
				 waiting)),
			 1);
	/* Not in the directory any more. */
	r = call(&platform, "GET", "/api/v1/users?q=deleted-", NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	json_decref(r.json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(actors),
		cmocka_unit_test(consent_at_signup),
		cmocka_unit_test(profile_update),
		cmocka_unit_test(email_change),
		cmocka_unit_test(institutions_of_every_kind),
		cmocka_unit_test(domains),
		cmocka_unit_test(affiliation_by_domain_and_claim),
		cmocka_unit_test(directory),
		cmocka_unit_test(instructors_need_acceptance),
		cmocka_unit_test(export_and_delete),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
