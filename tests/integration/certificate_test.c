/* certificate_test.c - certificates of completion against a running server:
 * issued with the completion, the PDF read back by poppler and zbar, the
 * signed statement checked by the openssl command line, revocation, who may
 * fetch what, bad serials, the streamed ZIP, the lookup throttle */
#include <jansson.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>
#include <curl/curl.h>

#include "harness.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define NAME_KO "김수료"
#define NAME_OTHER "이동료"

static struct lms_server server;
static char conninfo[1024], dir[256];
static struct harness_actor learners[3], gist_admin, jnu_admin, instructor;
static long long section_id, enrollments[3];

#define sql_ll(...) harness_sql_llf(conninfo, __VA_ARGS__)
#define call(a, method, path, body, want) harness_json_as(&server, a, method, path, body, want)

/* ---- helpers ---- */

/* Completes enrolment i as the GIST admin. */
static void complete(int i)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/v1/enrollments/%lld", enrollments[i]);
	json_decref(call(&gist_admin, "PATCH", path, "{\"status\": \"completed\"}", 200));
}

/* The live serial of enrolment i into out. */
static void serial_of(int i, char *out, size_t len)
{
	char sql[200];

	snprintf(sql, sizeof(sql),
		 "SELECT serial FROM certificates WHERE enrollment_id = %lld ORDER BY id DESC LIMIT 1",
		 enrollments[i]);
	assert_int_equal(harness_sql_value(conninfo, sql, out, len), 0);
}

/* Runs a shell command; its standard output (at most len-1 bytes) in out.
 * Returns its exit status. */
static int run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;

	if (!p)
		return -1;
	if (out) {
		n = fread(out, 1, len - 1, p);
		out[n] = '\0';
	} else {
		char sink[256];

		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	return pclose(p);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* GET the PDF of serial as a; the result in r (release it). */
static void get_pdf(const struct harness_actor *a, const char *serial, struct http_result *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/certificates/%s.pdf", serial);
	assert_int_equal(harness_as(&server, a, "GET", path, NULL, r), 0);
}


static size_t sink_write(char *data, size_t size, size_t n, void *arg)
{
	struct http_result *r = arg;
	char *p = realloc(r->body, r->len + size * n + 1);

	if (!p)
		return 0;
	memcpy(p + r->len, data, size * n);
	r->body = p;
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

/* A request whose body is len bytes (a PNG holds NULs); the status and
 * body in r (release it). */
static int harness_request_bytes(const struct lms_server *s, const char *method, const char *path,
				 const char *const *headers, const char *body, size_t len,
				 struct http_result *r)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[512];
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	r->body = calloc(1, 1);
	r->headers = calloc(1, 1);
	if (!curl)
		return -1;
	for (; headers && *headers; headers++)
		h = curl_slist_append(h, *headers);
	snprintf(url, sizeof(url), "https://localhost:%d%s", s->port, path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CAINFO, s->cert_path);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
	return rc == CURLE_OK ? 0 : -1;
}

/* ---- fixture ---- */

static int setup(void **state)
{
	char sql[2048];
	long long gist, course;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lms-cert-test-%ld", (long)getpid());
	snprintf(sql, sizeof(sql), "rm -rf %s && mkdir -p %s", dir, dir);
	if (system(sql) != 0)
		return -1;
	if (harness_db_create("certificate", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	harness_login_ok(&server, "instructor@example.com", DEMO_PASSWORD, &instructor);
	if (harness_learners_create(conninfo, "cert", "job_seeker", 3, learners) != 0)
		return -1;
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	course = harness_course_create(conninfo, &(struct harness_course){
							 .institution = gist,
							 .code = "CERT-101",
							 .program = "ai_academy",
							 .title_ko = "인공지능 기초 실무",
							 .title_en = "Practical AI Foundations",
							 .delivery = "blended"});
	section_id = harness_section_create(conninfo, &(struct harness_section){
							      .course = course,
							      .term = "2026-1",
							      .starts_on = "2026-03-02",
							      .ends_on = "2026-06-30",
							      .opens_at = "2026-01-01",
							      .closes_at = "2026-03-01"});
	for (int i = 0; i < 3; i++)
		enrollments[i] = harness_enrollment_create(
			conninfo, &(struct harness_enrollment){.section = section_id,
							       .user = learners[i].user_id});
	/* Two sessions of three hours held, both attended by everyone. */
	snprintf(sql, sizeof(sql),
		 "UPDATE users SET display_name = '" NAME_KO "' WHERE id = %lld;"
		 "UPDATE users SET display_name = '" NAME_OTHER "' WHERE id = %lld;"
		 "INSERT INTO section_instructors SELECT %lld, id FROM users"
		 " WHERE email = 'instructor@example.com';"
		 "INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id,"
		 " online_url) SELECT %lld, v.s::timestamptz, v.s::timestamptz + interval '3 hours',"
		 " u.id, 'https://meet.example.com/cert' FROM users u, (VALUES"
		 " ('2026-04-04 01:07+00'), ('2026-04-11 01:07+00')) v(s)"
		 " WHERE u.email = 'instructor@example.com';"
		 "INSERT INTO attendance (session_id, enrollment_id, present)"
		 " SELECT cs.id, e.id, true FROM class_sessions cs, enrollments e"
		 " WHERE cs.section_id = %lld AND e.section_id = %lld",
		 learners[0].user_id, learners[1].user_id, section_id, section_id, section_id,
		 section_id);
	if (harness_sql(conninfo, sql) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	assert_int_equal(harness_server_stop(&server), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- tests ---- */

static void issued_with_the_completion(void **state)
{
	char serial[64], sql[700];
	regex_t re;

	(void)state;
	assert_int_equal(sql_ll("SELECT count(*) FROM certificates WHERE section_id = %lld",
				section_id),
			 0);
	complete(0);
	complete(1);
	serial_of(0, serial, sizeof(serial));
	assert_int_equal(regcomp(&re, "^GJAI-20[0-9]{2}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-"
				      "[0-9A-HJKMNP-TV-Z]{4}$",
				 REG_EXTENDED | REG_NOSUB),
			 0);
	assert_int_equal(regexec(&re, serial, 0, NULL, 0), 0);
	regfree(&re);
	/* What it states, as of the completion. */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM certificates WHERE serial = '%s' AND learner_name = '" NAME_KO
		 "' AND hours = 6.0 AND sessions_held = 2 AND sessions_attended = 2"
		 " AND institution_name_ko = '광주과학기술원 GIST' AND program_code = 'ai_academy'"
		 " AND revoked_at IS NULL",
		 serial);
	assert_int_equal(sql_ll("%s", sql), 1);
	/* And the learner's completion notice, in the same transaction,
	 * carries it. */
	assert_int_equal(sql_ll("SELECT count(*) FROM outbox WHERE kind = 'enrollment.completed'"
				" AND user_id = %lld AND params->>'serial' = '%s'",
				learners[0].user_id, serial),
			 1);
}

static void pdf_read_back(void **state)
{
	char serial[64], path[400], cmd[1200], out[8192], hdr[600], url[300], etag[100];
	const char *headers[3] = {NULL};
	struct http_result r, again;

	(void)state;
	serial_of(0, serial, sizeof(serial));
	get_pdf(&learners[0], serial, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(http_result_header(&r, "Content-Type", hdr, sizeof(hdr)),
			    "application/pdf");
	assert_memory_equal(r.body, "%PDF-", 5);
	/* RFC 6266: an ASCII fallback and the Korean name in filename*. */
	assert_non_null(http_result_header(&r, "Content-Disposition", hdr, sizeof(hdr)));
	assert_contains(hdr, "attachment; filename=\"certificate-");
	/* 수료증_김수료_ */
	assert_contains(hdr, "filename*=UTF-8''%EC%88%98%EB%A3%8C%EC%A6%9D_%EA%B9%80%EC%88%98%EB%A3%8C_");
	assert_non_null(http_result_header(&r, "ETag", etag, sizeof(etag)));

	snprintf(path, sizeof(path), "%s/c.pdf", dir);
	write_file(path, r.body, r.len);
	/* poppler reads the Korean name and the serial out of it. */
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 %s -", path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_contains(out, NAME_KO);
	assert_contains(out, serial);
	assert_contains(out, "수 료 증");
	assert_contains(out, "Practical AI Foundations");
	/* The fonts are Nanum, embedded (a subset each). */
	snprintf(cmd, sizeof(cmd), "pdffonts %s", path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_contains(out, "Nanum");
	assert_null(strstr(out, " no  "));
	/* A4 */
	snprintf(cmd, sizeof(cmd), "pdfinfo %s", path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_contains(out, "595.28 x 841.89 pts (A4)");
	/* zbar decodes the QR code to the verification page. */
	snprintf(cmd, sizeof(cmd), "pdftoppm -r 150 -png -singlefile %s %s/page && zbarimg -q --raw %s/page.png",
		 path, dir, dir);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	snprintf(url, sizeof(url), "https://localhost:%d/#/verify/%s\n", server.port, serial);
	assert_string_equal(out, url);

	/* The same bytes again, or nothing when the copy held is current. */
	get_pdf(&learners[0], serial, &again);
	assert_int_equal(again.status, 200);
	assert_int_equal(again.len, r.len);
	assert_memory_equal(again.body, r.body, r.len);
	http_result_release(&again);
	snprintf(cmd, sizeof(cmd), "If-None-Match: %s", etag);
	headers[0] = cmd;
	snprintf(path, sizeof(path), "Cookie: %s", learners[0].cookie);
	headers[1] = path;
	snprintf(out, sizeof(out), "/api/v1/certificates/%s.pdf", serial);
	assert_int_equal(harness_request(&server, "GET", out, headers, NULL, &again), 0);
	assert_int_equal(again.status, 304);
	http_result_release(&again);
	http_result_release(&r);
	assert_int_equal(sql_ll("SELECT count(*) FROM certificates WHERE serial = '%s'"
				" AND pdf_sha256 IS NOT NULL", serial),
			 1);
}

/* The statement as the openssl command line sees it: verified with the
 * published key over the canonical JSON. */
static void verify_signature_with_openssl(const json_t *body)
{
	char path[400], cmd[1600], out[512];
	json_t *keys = harness_get_json(&server, NULL, "/api/v1/certificates/keys");
	json_t *key = json_array_get(json_object_get(keys, "keys"), 0);
	const json_t *sig = json_object_get(body, "signature");
	char *canonical = json_dumps(json_object_get(body, "statement"),
				     JSON_COMPACT | JSON_SORT_KEYS);

	assert_non_null(canonical);
	assert_string_equal(json_string_value(json_object_get(sig, "alg")), "Ed25519");
	assert_string_equal(json_string_value(json_object_get(sig, "key_id")),
			    json_string_value(json_object_get(key, "key_id")));
	snprintf(path, sizeof(path), "%s/pub.pem", dir);
	write_file(path, json_string_value(json_object_get(key, "public_key_pem")),
		   strlen(json_string_value(json_object_get(key, "public_key_pem"))));
	snprintf(path, sizeof(path), "%s/statement.json", dir);
	write_file(path, canonical, strlen(canonical));
	snprintf(path, sizeof(path), "%s/sig.b64", dir);
	write_file(path, json_string_value(json_object_get(sig, "value")),
		   strlen(json_string_value(json_object_get(sig, "value"))));
	snprintf(cmd, sizeof(cmd),
		 "base64 -d %s/sig.b64 > %s/sig.bin && openssl pkeyutl -verify -pubin -inkey "
		 "%s/pub.pem -rawin -in %s/statement.json -sigfile %s/sig.bin",
		 dir, dir, dir, dir, dir);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_contains(out, "Signature Verified Successfully");
	/* A statement changed by one byte does not verify. */
	canonical[strlen(canonical) - 2] ^= 1;
	snprintf(path, sizeof(path), "%s/statement.json", dir);
	write_file(path, canonical, strlen(canonical));
	assert_int_not_equal(run(cmd, out, sizeof(out)), 0);
	free(canonical);
	json_decref(keys);
}

static void public_verification(void **state)
{
	char serial[64], path[96], lower[64];
	json_t *body, *st;
	char *text;

	(void)state;
	serial_of(0, serial, sizeof(serial));
	snprintf(path, sizeof(path), "/api/v1/certificates/%s", serial);
	body = harness_get_json(&server, NULL, path);
	st = json_object_get(body, "statement");
	assert_string_equal(json_string_value(json_object_get(st, "serial")), serial);
	assert_string_equal(json_string_value(json_object_get(st, "status")), "valid");
	assert_string_equal(json_string_value(json_object_get(st, "learner_name")), NAME_KO);
	assert_string_equal(json_string_value(json_object_get(st, "institution_name_ko")),
			    "광주과학기술원 GIST");
	assert_string_equal(json_string_value(json_object_get(st, "starts_on")), "2026-03-02");
	assert_string_equal(json_string_value(json_object_get(st, "hours")), "6.0");
	/* Nothing else about the person: no address, stage, ids or other
	 * enrolments. */
	text = json_dumps(body, 0);
	assert_null(strstr(text, "@"));
	assert_null(strstr(text, "job_seeker"));
	assert_null(strstr(text, "user_id"));
	assert_null(strstr(text, "enrollment"));
	free(text);
	verify_signature_with_openssl(body);
	json_decref(body);

	/* Typed by hand: lower case, O for 0 and l for 1 are read right. */
	for (size_t i = 0; serial[i]; i++) {
		char c = serial[i];

		lower[i] = (char)(i >= 5 && c == '0' ? 'o' : i >= 5 && c == '1' ? 'l'
						  : (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
		lower[i + 1] = '\0';
	}
	snprintf(path, sizeof(path), "/api/v1/certificates/%s", lower);
	json_decref(harness_get_json(&server, NULL, path));
	/* Every lookup is in the audit trail. */
	assert_true(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'certificate.verify'"
			   " AND detail->>'serial' = '%s' AND detail->>'result' = 'valid'", serial) >= 2);
}

static void bad_serials(void **state)
{
	char serial[64], path[700], wrong[64];
	static const char *const bad[] = {
		"/api/v1/certificates/GJAI-2026-0000-0000-0000X",                 /* too long */
		"/api/v1/certificates/%EA%B9%80%EC%88%98%EB%A3%8C",               /* Korean */
		"/api/v1/certificates/GJAI-2026-%C3%A9000-0000-0000",             /* non-ASCII */
		"/api/v1/certificates/12",                                       /* an id */
		"/api/v1/certificates/GJAI-2026-UUUU-0000-0000",                 /* U: not in it */
		"/api/v1/certificates/GJAI-2026-0000-0000-0000.pdf.pdf",
	};
	const char *alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	char longest[600];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		harness_problem_as(&server, NULL, "GET", bad[i], NULL, 404, "certificate_not_found",
				   NULL);
	memset(longest, 'A', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	snprintf(path, sizeof(path), "/api/v1/certificates/%s", longest);
	{
		long st = harness_status_as(&server, NULL, "GET", path, NULL);

		assert_true(st == 404 || st == 414 || st == 400);
	}
	/* One character changed: the check character tells, no lookup. */
	serial_of(0, serial, sizeof(serial));
	snprintf(wrong, sizeof(wrong), "%s", serial);
	wrong[16] = wrong[16] == alphabet[5] ? alphabet[6] : alphabet[5];
	snprintf(path, sizeof(path), "/api/v1/certificates/%s", wrong);
	harness_problem_as(&server, NULL, "GET", path, NULL, 404, "certificate_not_found", NULL);
	/* A well-formed serial nobody was given: said so. */
	harness_problem_as(&server, NULL, "GET", "/api/v1/certificates/GJAI-2026-0000-0000-0000",
			   NULL, 404, "certificate_not_found", NULL);
	snprintf(path, sizeof(path), "/api/v1/certificates/%s.pdf", wrong);
	harness_problem_as(&server, &learners[0], "GET", path, NULL, 404, "certificate_not_found",
			   NULL);
}

static void who_may_fetch_the_pdf(void **state)
{
	char serial[64];
	struct http_result r;

	(void)state;
	serial_of(0, serial, sizeof(serial));
	/* Another learner, another institution's admin: not there for them. */
	get_pdf(&learners[1], serial, &r);
	assert_int_equal(r.status, 404);
	http_result_release(&r);
	get_pdf(&jnu_admin, serial, &r);
	assert_int_equal(r.status, 404);
	http_result_release(&r);
	/* The section's instructor does not hand out certificates either. */
	get_pdf(&instructor, serial, &r);
	assert_int_equal(r.status, 404);
	http_result_release(&r);
	/* Nobody signed in: sign in first. */
	get_pdf(NULL, serial, &r);
	assert_int_equal(r.status, 401);
	http_result_release(&r);
	/* The institution's admin may, and that reading is kept. */
	get_pdf(&gist_admin, serial, &r);
	assert_int_equal(r.status, 200);
	http_result_release(&r);
	assert_true(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'certificate.download'"
			   " AND actor_user_id = %lld", gist_admin.user_id) >= 1);
}

static void lists_and_zip(void **state)
{
	char serial0[64], serial1[64], path[128], cmd[800], out[4096];
	struct http_result r;
	json_t *mine, *list;

	(void)state;
	serial_of(0, serial0, sizeof(serial0));
	serial_of(1, serial1, sizeof(serial1));
	mine = harness_get_json(&server, &learners[0], "/api/v1/me/certificates");
	assert_int_equal(json_array_size(json_object_get(mine, "items")), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(mine, "items"), 0), "serial")),
			    serial0);
	json_decref(mine);

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/certificates", section_id);
	list = harness_get_json(&server, &gist_admin, path);
	assert_int_equal(json_array_size(json_object_get(list, "items")), 2);
	json_decref(list);
	assert_int_equal(harness_status_as(&server, &jnu_admin, "GET", path, NULL), 403);
	assert_int_equal(harness_status_as(&server, &learners[0], "GET", path, NULL), 403);

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/certificates.zip", section_id);
	assert_int_equal(harness_status_as(&server, &jnu_admin, "GET", path, NULL), 403);
	assert_int_equal(harness_as(&server, &gist_admin, "GET", path, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_contains(r.headers, "application/zip");
	/* Streamed: no length known in advance. */
	assert_contains(r.headers, "chunked");
	snprintf(cmd, sizeof(cmd), "%s/all.zip", dir);
	write_file(cmd, r.body, r.len);
	http_result_release(&r);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]);"
		 " assert z.testzip() is None; print(\"\\n\".join(sorted(z.namelist())))' %s/all.zip",
		 dir);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_contains(out, serial0);
	assert_contains(out, serial1);
	assert_contains(out, "수료증_" NAME_KO "_");
}

/* Two requests make the first PDF of a certificate at once: one is kept,
 * and both answer with it. */
struct fetch {
	char serial[64];
	char etag[100];
	long status;
};

static void *fetch_pdf(void *arg)
{
	struct fetch *f = arg;
	struct http_result r;
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/certificates/%s.pdf", f->serial);
	if (harness_as(&server, &learners[2], "GET", path, NULL, &r) == 0) {
		f->status = r.status;
		if (!http_result_header(&r, "ETag", f->etag, sizeof(f->etag)))
			f->etag[0] = '\0';
		http_result_release(&r);
	}
	return NULL;
}

static void first_pdf_made_once(void **state)
{
	struct fetch f[2] = {0};
	pthread_t t[2];

	(void)state;
	complete(2);
	serial_of(2, f[0].serial, sizeof(f[0].serial));
	memcpy(f[1].serial, f[0].serial, sizeof(f[0].serial));
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fetch_pdf, &f[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(f[0].status, 200);
	assert_int_equal(f[1].status, 200);
	assert_string_equal(f[0].etag, f[1].etag);
	assert_int_equal(sql_ll("SELECT count(*) FROM certificates c JOIN blobs b"
				" ON b.sha256 = c.pdf_sha256 WHERE c.serial = '%s'", f[0].serial),
			 1);
	/* Issued after the institution named its signatory and uploaded its
	 * seal: both are on it. */
	{
		char cmd[600], out[8192];
		struct http_result r;

		get_pdf(&learners[2], f[0].serial, &r);
		snprintf(cmd, sizeof(cmd), "%s/signed.pdf", dir);
		write_file(cmd, r.body, r.len);
		http_result_release(&r);
		snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 %s/signed.pdf - && pdfimages -list %s/signed.pdf", dir, dir);
		assert_int_equal(run(cmd, out, sizeof(out)), 0);
		assert_contains(out, "홍길동");
		assert_contains(out, "광주과학기술원 총장");
		assert_contains(out, "image");
	}
}

static void revoked_not_deleted(void **state)
{
	char serial[64], path[96];
	struct http_result r;
	json_t *body;

	(void)state;
	serial_of(1, serial, sizeof(serial));
	snprintf(path, sizeof(path), "/api/v1/enrollments/%lld", enrollments[1]);
	/* Taking a completion back is the admins' (not the instructor's),
	 * and says why. */
	harness_problem_as(&server, &instructor, "PATCH", path, "{\"status\": \"incomplete\"}", 403,
			   "forbidden", NULL);
	harness_problem_as(&server, &gist_admin, "PATCH", path, "{\"status\": \"incomplete\"}", 400,
			   "validation_failed", "reason");
	json_decref(call(&gist_admin, "PATCH", path,
			 "{\"status\": \"incomplete\", \"reason\": \"attendance recorded for the"
			 " wrong learner\"}",
			 200));
	assert_int_equal(sql_ll("SELECT count(*) FROM certificates WHERE serial = '%s'"
				" AND revoked_at IS NOT NULL AND revoked_reason LIKE '%%wrong learner%%'",
				serial),
			 1);
	snprintf(path, sizeof(path), "/api/v1/certificates/%s", serial);
	body = harness_get_json(&server, NULL, path);
	assert_string_equal(json_string_value(json_object_get(json_object_get(body, "statement"),
								"status")),
			    "revoked");
	assert_true(json_is_string(json_object_get(json_object_get(body, "statement"), "revoked_on")));
	/* The reason is the institution's, not the public's. */
	assert_null(strstr(json_string_value(json_object_get(json_object_get(body, "statement"),
							     "learner_name")),
			   "wrong"));
	verify_signature_with_openssl(body);
	json_decref(body);
	get_pdf(&learners[1], serial, &r);
	assert_int_equal(r.status, 410);
	http_result_release(&r);
}

static void seal_and_signatory(void **state)
{
	char path[96], cmd[600];
	json_t *j;
	long long gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	long long jnu = sql_ll("SELECT id FROM institutions WHERE code = 'jnu'");

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/institutions/%lld/certificate-issuer", gist);
	j = call(&gist_admin, "PATCH", path,
		 "{\"signatory_title_ko\": \"광주과학기술원 총장\", \"signatory_name_ko\": \"홍길동\","
		 " \"signatory_title_en\": \"President, GIST\", \"signatory_name_en\": \"Gildong Hong\"}",
		 200);
	assert_string_equal(json_string_value(json_object_get(j, "signatory_name_ko")), "홍길동");
	json_decref(j);
	harness_problem_as(&server, &gist_admin, "PATCH", path, "{\"signatory_name_ko\": 7}", 400,
			   "validation_failed", "signatory_name_ko");
	snprintf(path, sizeof(path), "/api/v1/institutions/%lld/certificate-issuer", jnu);
	assert_int_equal(harness_status_as(&server, &gist_admin, "PATCH", path,
					   "{\"signatory_name_ko\": \"누구\"}"),
			 403);
	/* A seal: a red square stamp, as a PNG. */
	{
		cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 200, 200);
		cairo_t *cr = cairo_create(s);
		const char *headers[4] = {NULL};
		char cookie[400], csrf[128], png_path[300];
		struct http_result r;
		FILE *f;
		char *png;
		long n;

		cairo_set_source_rgba(cr, 0.8, 0.1, 0.1, 0.9);
		cairo_set_line_width(cr, 14);
		cairo_rectangle(cr, 12, 12, 176, 176);
		cairo_stroke(cr);
		cairo_rectangle(cr, 60, 60, 80, 80);
		cairo_fill(cr);
		cairo_destroy(cr);
		snprintf(png_path, sizeof(png_path), "%s/seal.png", dir);
		assert_int_equal(cairo_surface_write_to_png(s, png_path), CAIRO_STATUS_SUCCESS);
		cairo_surface_destroy(s);
		f = fopen(png_path, "rb");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fseek(f, 0, SEEK_SET);
		png = malloc((size_t)n + 1);
		assert_int_equal(fread(png, 1, (size_t)n, f), (size_t)n);
		png[n] = '\0';
		fclose(f);
		snprintf(cookie, sizeof(cookie), "Cookie: %s", gist_admin.cookie);
		snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", gist_admin.csrf);
		headers[0] = cookie;
		headers[1] = csrf;
		headers[2] = "Content-Type: image/png";
		snprintf(path, sizeof(path), "/api/v1/institutions/%lld/certificate-seal", gist);
		/* The body may hold NUL bytes: sent by length. */
		assert_int_equal(harness_request_bytes(&server, "PUT", path, headers, png, (size_t)n, &r), 0);
		assert_int_equal(r.status, 200);
		assert_contains(r.body, "\"seal\":true");
		http_result_release(&r);
		/* Not a PNG: refused. */
		assert_int_equal(harness_request_bytes(&server, "PUT", path, headers, "GIF89a....", 10, &r), 0);
		assert_int_equal(r.status, 400);
		http_result_release(&r);
		free(png);
	}
	(void)cmd;
}


/* The demo data of the run command: completions in the AI Academy and a
 * regional centre's course, with certificates, one revoked. */
static void demo_certificates(void **state)
{
	char env_db[1200], env_mig[600], out[2048], serial[64], path[96];
	const char *env[] = {env_db, env_mig, NULL};
	const char *argv[] = {"seed", "--certificates", NULL};
	struct harness_actor demo;
	struct http_result r;
	json_t *mine, *body;
	long long before;

	(void)state;
	snprintf(env_db, sizeof(env_db), "LMS_DATABASE_URL=%s", conninfo);
	snprintf(env_mig, sizeof(env_mig), "LMS_MIGRATIONS_DIR=%s/migrations", harness_source_dir());
	assert_int_equal(harness_lms_run(argv, env, out, sizeof(out)), 0);
	assert_contains(out, "demo certificates loaded");
	assert_int_equal(sql_ll("SELECT count(*) FROM certificates c JOIN users u ON u.id = c.user_id"
				" WHERE u.email LIKE 'graduate_@example.com' OR u.email = 'learner@example.com'"),
			 5);
	assert_int_equal(sql_ll("SELECT count(DISTINCT program_code) FROM certificates c JOIN users u"
				" ON u.id = c.user_id WHERE u.email LIKE 'graduate_@example.com'"),
			 2);
	assert_int_equal(sql_ll("SELECT count(*) FROM certificates c JOIN users u ON u.id = c.user_id"
				" WHERE u.email = 'graduate2@example.com' AND c.revoked_at IS NOT NULL"),
			 1);
	assert_int_equal(sql_ll("SELECT count(*) FROM certificates WHERE program_code ="
				" 'regional_center' AND hours = 24.0 AND signatory_title_ko ="
				" '전남대학교 총장'"),
			 2);
	/* Once loaded, loading again changes nothing. */
	before = sql_ll("SELECT count(*) FROM certificates");
	assert_int_equal(harness_lms_run(argv, env, out, sizeof(out)), 0);
	assert_int_equal(sql_ll("SELECT count(*) FROM certificates"), before);

	/* The demo learner sees and fetches theirs; anyone verifies it. */
	harness_login_ok(&server, "learner@example.com", DEMO_PASSWORD, &demo);
	mine = harness_get_json(&server, &demo, "/api/v1/me/certificates");
	assert_int_equal(json_array_size(json_object_get(mine, "items")), 1);
	snprintf(serial, sizeof(serial), "%s",
		 json_string_value(json_object_get(json_array_get(json_object_get(mine, "items"), 0),
						   "serial")));
	json_decref(mine);
	get_pdf(&demo, serial, &r);
	assert_int_equal(r.status, 200);
	http_result_release(&r);
	assert_int_equal(harness_sql_value(conninfo,
					   "SELECT serial FROM certificates c JOIN users u ON"
					   " u.id = c.user_id WHERE u.email = 'graduate2@example.com'",
					   serial, sizeof(serial)),
			 0);
	snprintf(path, sizeof(path), "/api/v1/certificates/%s", serial);
	body = harness_get_json(&server, NULL, path);
	assert_string_equal(json_string_value(json_object_get(json_object_get(body, "statement"),
								"status")),
			    "revoked");
	json_decref(body);
}

/* The KPI's employees trained link to the certificates behind them. */
static void kpi_evidence(void **state)
{
	struct harness_actor jnu;
	json_t *kpi, *items, *item, *row = NULL;
	char path[300];
	size_t i;

	(void)state;
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu);
	kpi = harness_get_json(&server, &jnu, "/api/v1/reports/kpi");
	json_array_foreach(json_object_get(kpi, "items"), i, item)
		if (json_integer_value(json_object_get(item, "in_service_employees_trained")) > 0)
			row = item;
	assert_non_null(row);
	assert_int_equal(json_integer_value(json_object_get(row, "in_service_employees_trained")), 2);
	snprintf(path, sizeof(path), "%s",
		 json_string_value(json_object_get(row, "trained_evidence")));
	json_decref(kpi);
	kpi = harness_get_json(&server, &jnu, path);
	items = json_object_get(kpi, "items");
	assert_int_equal(json_array_size(items), 2);
	json_array_foreach(items, i, item) {
		assert_true(json_is_string(json_object_get(item, "certificate_serial")));
		assert_contains(json_string_value(json_object_get(item, "verify_path")), "/#/verify/GJAI-");
	}
	json_decref(kpi);
	/* Another centre's evidence is another centre's. */
	snprintf(path, sizeof(path), "/api/v1/reports/kpi/trained?institution_id=%lld",
		 sql_ll("SELECT id FROM institutions WHERE code = 'jnu'"));
	assert_int_equal(harness_status_as(&server, &gist_admin, "GET", path, NULL), 403);
	harness_problem_as(&server, &jnu, "GET", "/api/v1/reports/kpi/trained?year=20x6", NULL, 400,
			   "validation_failed", "year");
}

static void lookups_throttled(void **state)
{
	char path[96];
	long st = 200;
	int i;

	(void)state;
	/* The address starts afresh: the tests before looked certificates up
	 * too. */
	assert_int_equal(harness_sql(conninfo, "DELETE FROM certificate_lookups"), 0);
	snprintf(path, sizeof(path), "/api/v1/certificates/GJAI-2026-0000-0000-0000");
	for (i = 0; i < 80 && st != 429; i++)
		st = harness_status_as(&server, NULL, "GET", path, NULL);
	assert_int_equal(st, 429);
	/* the default: 60 a minute */
	assert_int_equal(i, 61);
	assert_int_equal(harness_sql(conninfo, "DELETE FROM certificate_lookups"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(issued_with_the_completion),
		cmocka_unit_test(pdf_read_back),
		cmocka_unit_test(public_verification),
		cmocka_unit_test(bad_serials),
		cmocka_unit_test(who_may_fetch_the_pdf),
		cmocka_unit_test(lists_and_zip),
		cmocka_unit_test(seal_and_signatory),
		cmocka_unit_test(first_pdf_made_once),
		cmocka_unit_test(revoked_not_deleted),
		cmocka_unit_test(demo_certificates),
		cmocka_unit_test(kpi_evidence),
		cmocka_unit_test(lookups_throttled),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
