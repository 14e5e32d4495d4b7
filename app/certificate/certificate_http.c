/* certificate_http.c - certificates of completion over HTTP */
#include "lms/certificate/certificate_http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <archive.h>
#include <archive_entry.h>

#include "lms/auth/guard.h"
#include "lms/certificate/certificate.h"
#include "lms/certificate/certificate_sign.h"
#include "lms/certificate/certificate_store.h"
#include "lms/core/config.h"
#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/db/blobstore.h"
#include "lms/http/conditional.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/http/server.h"
#include "lms/http/stream.h"
#include "lms/service/audit.h"
#include "lms/service/pull.h"

/* A seal is a small picture: a stamp, not a photograph. */
#define SEAL_MAX_BYTES (1024 * 1024)
#define SEAL_MAX_SIDE 2000

static const char *str(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

/* Where clients reach the platform (public_url). */
static void base_url(const struct http_req *req, char *out, size_t len)
{
	config_public_url(req->app->cfg, out, len);
}

/* The front end's verification page of serial: what the QR code holds. */
static void verify_url(const struct http_req *req, const char *serial, char *out, size_t len)
{
	char base[512];

	base_url(req, base, sizeof(base));
	snprintf(out, len, "%s/#/verify/%s", base, serial);
}

/* ---- public verification ---- */

/* What the certificate states and nothing else about the person: the
 * signed part of the answer (new). */
static json_t *statement_of(const struct http_req *req, const json_t *c)
{
	char url[700];

	verify_url(req, str(c, "serial"), url, sizeof(url));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
			 " s:O, s:s, s:O, s:s, s:s, s:O, s:O}",
			 "type", "gjai-certificate-statement/1", "serial", str(c, "serial"),
			 "status", str(c, "status"), "learner_name", str(c, "learner_name"),
			 "course_code", str(c, "course_code"), "course_title_ko",
			 str(c, "course_title_ko"), "course_title_en", str(c, "course_title_en"),
			 "program_name_ko", str(c, "program_name_ko"), "program_name_en",
			 str(c, "program_name_en"), "institution_name_ko",
			 str(c, "institution_name_ko"), "institution_name_en",
			 str(c, "institution_name_en"), "starts_on", str(c, "starts_on"), "ends_on",
			 str(c, "ends_on"), "hours", str(c, "hours"), "attendance_pct",
			 json_object_get(c, "attendance_pct"), "issued_on", str(c, "issued_on"),
			 "revoked_on", json_object_get(c, "revoked_on"), "verify_url", url,
			 "signatory_title_ko", str(c, "signatory_title_ko"), "signatory_name_ko",
			 json_object_get(c, "signatory_name_ko"), "signatory_name_en",
			 json_object_get(c, "signatory_name_en"));
}

/* Replies 200 {statement, signature, public_key_url}. */
static void reply_signed(struct http_req *req, const json_t *c)
{
	char sig[128], key_id[CERTIFICATE_KEY_ID_BUF], base[512], keys[600];
	json_t *statement = NULL, *body = NULL;
	char *canonical = NULL;
	int rc = LMS_ENOMEM;

	if (!(statement = statement_of(req, c)) || !(canonical = certificate_canonical(statement)))
		goto fail;
	if ((rc = certificate_key_load(req->app->cfg)) < 0 ||
	    (rc = certificate_sign(canonical, strlen(canonical), sig, sizeof(sig), key_id)) < 0)
		goto fail;
	base_url(req, base, sizeof(base));
	snprintf(keys, sizeof(keys), "%s/api/v1/certificates/keys", base);
	if (!(body = json_pack("{s:O, s:{s:s, s:s, s:s, s:s}, s:s}", "statement", statement,
			       "signature", "alg", "Ed25519", "key_id", key_id, "canonicalization",
			       "RFC8785", "value", sig, "public_key_url", keys))) {
		rc = LMS_ENOMEM;
		goto fail;
	}
	http_reply_json_headers(req, 200, body, "Cache-Control: no-store\r\n");
	goto out;
fail:
	http_reply_error(req, rc == LMS_EIO ? LMS_EUNAVAILABLE : rc);
out:
	free(canonical);
	json_decref(statement);
	json_decref(body);
}

static void verify(struct http_req *req, const char *text)
{
	const struct lms_config *cfg = req->app->cfg;
	char serial[CERTIFICATE_SERIAL_BUF], addr[64], retry[64];
	json_t *c = NULL, *detail = NULL;
	bool known;
	int rc, wait = 0;

	if (!http_req_db_or_reply(req))
		goto out;
	known = certificate_serial_parse(text, serial);
	/* Every lookup counts, a malformed one too: the limit is what makes
	 * guessing serials hopeless, and the trail shows who tried. */
	if ((rc = db_begin(req->db)) < 0 ||
	    (rc = certificate_store_lookup_count(req->db,
						 http_req_client_addr(req, addr, sizeof(addr)),
						 cfg->certificate_lookups_per_address,
						 cfg->certificate_lookup_window_s, &wait)) < 0)
		goto fail;
	if (wait > 0) {
		if ((rc = db_commit(req->db)) < 0)
			goto fail;
		snprintf(retry, sizeof(retry), "Retry-After: %d\r\n", wait);
		http_reply_problem_headers(req, 429, "too_many_lookups", NULL, retry,
					   "too many certificate lookups from your address: try "
					   "again in %d seconds",
					   wait);
		goto out;
	}
	if (known && (rc = certificate_store_by_serial(req->db, serial, &c)) < 0 &&
	    rc != LMS_ENOTFOUND)
		goto fail;
	detail = json_pack("{s:s, s:s}", "serial", known ? serial : "(malformed)", "result",
			   !c ? "unknown" : str(c, "status"));
	if ((rc = audit_record(req, &(struct audit_event){
					    .action = "certificate.verify",
					    .target_type = "certificate",
					    .target_id = c ? json_integer_value(json_object_get(c, "id")) : 0,
					    .institution_id =
						    c ? json_integer_value(json_object_get(
								c, "institution_id"))
						      : 0,
					    .detail = detail})) < 0 ||
	    (rc = db_commit(req->db)) < 0)
		goto fail;
	if (!known)
		http_reply_problem(req, 404, "certificate_not_found", NULL,
				   "this is not a certificate serial: it reads GJAI-YYYY-XXXX-XXXX-"
				   "XXXX, and its last character checks the others");
	else if (!c)
		http_reply_problem(req, 404, "certificate_not_found", NULL,
				   "no certificate has the serial %s", serial);
	else
		reply_signed(req, c);
	goto out;
fail:
	db_rollback(req->db);
	http_reply_error(req, rc);
out:
	json_decref(detail);
	json_decref(c);
}

/* ---- the PDF ---- */

/* The decoded bytes of blob hash (malloc'd into *data), for the seal. */
static int blob_load(struct db_conn *db, const char *hash, unsigned char **data, size_t *len)
{
	struct blob_info b;
	size_t got;
	long long at = 0;
	int rc;

	*data = NULL;
	if ((rc = blob_stat(db, hash, &b)) < 0)
		return rc;
	if (b.size <= 0 || b.size > SEAL_MAX_BYTES || !(*data = malloc((size_t)b.size)))
		return b.size > 0 ? LMS_ENOMEM : LMS_EIO;
	while (at < b.size) {
		if ((rc = blob_read(db, &b, at, *data + at, (size_t)(b.size - at), &got)) < 0) {
			free(*data);
			*data = NULL;
			return rc;
		}
		at += (long long)got;
	}
	*len = (size_t)b.size;
	return 0;
}

/*
 * Makes sure certificate c (a row from the store) has its PDF stored, and
 * writes its name into hash. The first request to ask makes it; two that
 * ask at once both make one, and the one that records it first wins: the
 * other's is rolled back with its transaction, so one PDF is stored.
 */
static int pdf_ensure(struct http_req *req, const json_t *c, char hash[BLOB_HASH_LEN + 1])
{
	struct db_conn *db = req->db;
	unsigned char *seal = NULL, *pdf = NULL;
	size_t seal_len = 0, pdf_len = 0;
	char url[700];
	json_t *again = NULL;
	int rc;

	if (str(c, "pdf_sha256")) {
		snprintf(hash, BLOB_HASH_LEN + 1, "%s", str(c, "pdf_sha256"));
		return 0;
	}
	if (str(c, "seal_sha256") &&
	    (rc = blob_load(db, str(c, "seal_sha256"), &seal, &seal_len)) < 0)
		log_warn("certificates: the seal of %s cannot be read (%s): left out",
			 str(c, "serial"), lms_strerror(rc));
	verify_url(req, str(c, "serial"), url, sizeof(url));
	rc = certificate_pdf_render(
		&(struct certificate_doc){
			.serial = str(c, "serial"),
			.learner_name = str(c, "learner_name"),
			.course_title_ko = str(c, "course_title_ko"),
			.course_title_en = str(c, "course_title_en"),
			.program_name_ko = str(c, "program_name_ko"),
			.program_name_en = str(c, "program_name_en"),
			.institution_name_ko = str(c, "institution_name_ko"),
			.institution_name_en = str(c, "institution_name_en"),
			.starts_on = str(c, "starts_on"),
			.ends_on = str(c, "ends_on"),
			.issued_on = str(c, "issued_on"),
			.hours = str(c, "hours"),
			.attendance_pct = str(c, "attendance_pct"),
			.signatory_title_ko = str(c, "signatory_title_ko"),
			.signatory_name_ko = str(c, "signatory_name_ko"),
			.signatory_title_en = str(c, "signatory_title_en"),
			.signatory_name_en = str(c, "signatory_name_en"),
			.verify_url = url,
			.seal_png = seal,
			.seal_len = seal_len},
		&pdf, &pdf_len);
	free(seal);
	if (rc < 0)
		return rc;
	if ((rc = db_begin(db)) < 0)
		goto out;
	if ((rc = blob_put(db, pdf, pdf_len, hash)) < 0 ||
	    (rc = certificate_store_pdf_set(
		     db, json_integer_value(json_object_get(c, "id")), hash)) < 0) {
		db_rollback(db);
		goto out;
	}
	if (rc == 1) {
		rc = db_commit(db);
		goto out;
	}
	/* Another request stored one first: that one is the PDF. */
	if ((rc = db_rollback(db)) < 0 ||
	    (rc = certificate_store_by_serial(db, str(c, "serial"), &again)) < 0)
		goto out;
	rc = str(again, "pdf_sha256") ? 0 : LMS_EIO;
	if (rc == 0)
		snprintf(hash, BLOB_HASH_LEN + 1, "%s", str(again, "pdf_sha256"));
out:
	json_decref(again);
	free(pdf);
	return rc;
}

/* The RFC 8187 ext-value of UTF-8 text for filename*=: attr-chars as they
 * are, every other byte %XX, so no byte of it can end or add a header. */
static void ext_value(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t j = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && j + 4 <= len; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p)) {
			out[j++] = (char)*p;
		} else {
			out[j++] = '%';
			out[j++] = hex[*p >> 4];
			out[j++] = hex[*p & 15];
		}
	}
	out[j] = '\0';
}

/* "수료증_<name>_<serial>.pdf", the file name a person saves. */
static void file_name(const json_t *c, char *out, size_t len)
{
	snprintf(out, len, "수료증_%s_%s.pdf", str(c, "learner_name"), str(c, "serial"));
	/* A name is one path segment in a ZIP or a download folder. */
	for (char *p = out; *p; p++)
		if (*p == '/' || *p == '\\')
			*p = '_';
}

static void pdf(struct http_req *req, const char *text)
{
	char serial[CERTIFICATE_SERIAL_BUF], hash[BLOB_HASH_LEN + 1], name[300], enc[1000],
		etag[BLOB_HASH_LEN + 3], headers[1400];
	struct guard_target t;
	struct blob_info blob;
	struct http_stream body;
	json_t *c = NULL;
	int rc;

	if (!certificate_serial_parse(text, serial)) {
		http_reply_problem(req, 404, "certificate_not_found", NULL,
				   "this is not a certificate serial");
		goto out;
	}
	if (!http_req_db_or_reply(req))
		goto out;
	/* Nobody signed in is told to sign in, whatever the serial. */
	if (!guard_require_or_reply(req, GUARD_SIGNED_IN, GUARD_ANY_INSTITUTION))
		goto out;
	if ((rc = certificate_store_by_serial(req->db, serial, &c)) < 0)
		goto fail;
	t = (struct guard_target){
		.institution_id = json_integer_value(json_object_get(c, "institution_id")),
		.own = json_integer_value(json_object_get(c, "user_id")) == req->who.user_id};
	/* Someone else's certificate is not there for them. */
	if (guard_decide_target(&req->who, GUARD_CERTIFICATE_READ, &t) != GUARD_ALLOW) {
		rc = LMS_ENOTFOUND;
		goto fail;
	}
	if (!strcmp(str(c, "status"), "revoked")) {
		http_reply_problem(req, 410, "certificate_revoked", NULL,
				   "certificate %s was revoked on %s: it is no longer issued", serial,
				   str(c, "revoked_on"));
		goto out;
	}
	if ((rc = pdf_ensure(req, c, hash)) < 0)
		goto fail;
	if (!t.own && (rc = audit_record(req, &(struct audit_event){
							 .action = "certificate.download",
							 .target_type = "certificate",
							 .target_id = json_integer_value(
								 json_object_get(c, "id")),
							 .institution_id = t.institution_id})) < 0)
		goto fail;
	if ((rc = blob_stat(req->db, hash, &blob)) < 0)
		goto fail;
	http_req_db_release(req);
	snprintf(etag, sizeof(etag), "\"%s\"", hash);
	snprintf(headers, sizeof(headers), "ETag: %s\r\nCache-Control: private, no-cache\r\n", etag);
	if (http_reply_not_modified(req, etag, headers))
		goto out;
	file_name(c, name, sizeof(name));
	ext_value(name, enc, sizeof(enc));
	/* RFC 6266: a plain ASCII filename for old clients, filename* with
	 * the Korean name for the rest, which prefer it. */
	snprintf(headers, sizeof(headers),
		 "Content-Disposition: attachment; filename=\"certificate-%s.pdf\";"
		 " filename*=UTF-8''%s\r\nETag: %s\r\nCache-Control: private, no-cache\r\n",
		 serial, enc, etag);
	http_stream_begin(&body, req, 200, "application/pdf", blob.size, headers);
	http_stream_blob(&body, &blob, 0, blob.size);
	http_stream_end(&body);
	goto out;
fail:
	if (rc == LMS_ENOTFOUND)
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
	else
		http_reply_error(req, rc);
out:
	json_decref(c);
}

void certificate_show(struct http_req *req)
{
	const char *param = req->params[0];
	size_t n = strlen(param);
	char serial[64];

	if (n > 4 && n - 4 < sizeof(serial) && !strcmp(param + n - 4, ".pdf")) {
		memcpy(serial, param, n - 4);
		serial[n - 4] = '\0';
		pdf(req, serial);
	} else {
		verify(req, param);
	}
}

void certificate_keys(struct http_req *req)
{
	char pem[256], raw[64], id[CERTIFICATE_KEY_ID_BUF];
	json_t *body;
	int rc;

	if ((rc = certificate_key_load(req->app->cfg)) < 0 ||
	    (rc = certificate_public_key(pem, sizeof(pem), raw, sizeof(raw), id)) < 0) {
		http_reply_error(req, LMS_EUNAVAILABLE);
		return;
	}
	body = json_pack("{s:[{s:s, s:s, s:s, s:s}]}", "keys", "key_id", id, "alg", "Ed25519",
			 "public_key_pem", pem, "public_key", raw);
	if (!body) {
		http_reply_error(req, LMS_ENOMEM);
		return;
	}
	http_reply_json_headers(req, 200, body, "Cache-Control: public, max-age=3600\r\n");
	json_decref(body);
}

/* ---- lists ---- */

void certificate_mine(struct http_req *req)
{
	json_t *items = NULL;
	long long cursor;
	int limit, rc;

	if (!http_req_page_or_reply(req, &limit, &cursor) || !http_req_db_or_reply(req))
		goto out;
	if ((rc = certificate_store_mine(req->db, req->who.user_id, cursor, limit, &items)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	http_reply_page(req, items, limit);
out:
	json_decref(items);
}

/* The section of the path, for its institution's admins: replies (404, 403)
 * and returns false otherwise. */
static bool section_or_reply(struct http_req *req, long long *section, long long *institution)
{
	int rc;

	if (!http_req_param_id_or_reply(req, 0, section) || !http_req_db_or_reply(req))
		return false;
	if ((rc = certificate_store_section_institution(req->db, *section, institution)) < 0) {
		http_reply_error(req, rc);
		return false;
	}
	return guard_require_or_reply(req, GUARD_ENROLLMENT_MANAGE, *institution);
}

void certificate_section_list(struct http_req *req)
{
	json_t *items = NULL, *item;
	long long section, institution, cursor;
	int limit, rc;
	size_t i;

	if (!http_req_page_or_reply(req, &limit, &cursor) ||
	    !section_or_reply(req, &section, &institution))
		goto out;
	if ((rc = certificate_store_section(req->db, section, cursor, limit, &items)) < 0 ||
	    (rc = audit_record(req, &(struct audit_event){.action = "certificate.list",
							  .target_type = "section",
							  .target_id = section,
							  .institution_id = institution})) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	json_array_foreach(items, i, item) {
		json_object_del(item, "pdf_sha256");
		json_object_del(item, "seal_sha256");
	}
	http_reply_page(req, items, limit);
out:
	json_decref(items);
}

/* libarchive hands the ZIP's bytes to the response as it makes them. */
static la_ssize_t zip_write(struct archive *a, void *ctx, const void *data, size_t len)
{
	struct http_stream *s = ctx;

	if (http_stream_write(s, data, len) < 0) {
		archive_set_error(a, EIO, "the client is gone");
		return -1;
	}
	return (la_ssize_t)len;
}

/* Adds the stored PDF hash as name to a, a chunk at a time. */
static int zip_add(struct archive *a, struct db_conn *db, const char *name, const char *hash,
		   void *buf, time_t mtime)
{
	struct archive_entry *e = NULL;
	struct blob_info b;
	long long at = 0;
	size_t got;
	int rc;

	if ((rc = blob_stat(db, hash, &b)) < 0)
		return rc;
	if (!(e = archive_entry_new()))
		return LMS_ENOMEM;
	archive_entry_set_pathname_utf8(e, name);
	archive_entry_set_size(e, b.size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, mtime, 0);
	rc = archive_write_header(a, e) == ARCHIVE_OK ? 0 : LMS_EIO;
	archive_entry_free(e);
	while (rc == 0 && at < b.size) {
		if ((rc = blob_read(db, &b, at, buf, BLOB_CHUNK_SIZE, &got)) < 0)
			break;
		if (archive_write_data(a, buf, got) != (la_ssize_t)got)
			rc = LMS_EIO;
		at += (long long)got;
	}
	return rc;
}

void certificate_section_zip(struct http_req *req)
{
	char headers[300], hash[BLOB_HASH_LEN + 1], name[300];
	struct archive *a = NULL;
	struct http_stream body;
	json_t *items = NULL, *item, *detail = NULL;
	long long section, institution;
	void *buf = NULL;
	bool begun = false;
	size_t i, n = 0;
	int rc;

	if (!section_or_reply(req, &section, &institution))
		goto out;
	if ((rc = certificate_store_section(req->db, section, 0, 0, &items)) < 0)
		goto fail;
	/* Every PDF is made before the first byte goes: an error is then
	 * still an answer of its own, not a ZIP cut short. */
	json_array_foreach(items, i, item) {
		if (strcmp(str(item, "status"), "valid") != 0)
			continue;
		if ((rc = pdf_ensure(req, item, hash)) < 0)
			goto fail;
		json_object_set_new(item, "pdf_sha256", json_string(hash));
		n++;
	}
	detail = json_pack("{s:I}", "certificates", (json_int_t)n);
	if ((rc = audit_record(req, &(struct audit_event){.action = "certificate.bulk_download",
							  .target_type = "section",
							  .target_id = section,
							  .institution_id = institution,
							  .detail = detail})) < 0)
		goto fail;
	rc = LMS_ENOMEM;
	if (!(buf = malloc(BLOB_CHUNK_SIZE)) || !(a = archive_write_new()))
		goto fail;
	/* PDFs are compressed already: stored as they are. */
	if (archive_write_set_format_zip(a) != ARCHIVE_OK ||
	    archive_write_set_options(a, "zip:compression=store,zip:hdrcharset=UTF-8") !=
		    ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK) {
		log_error("certificates: libarchive: %s", archive_error_string(a));
		rc = LMS_EIO;
		goto fail;
	}
	snprintf(headers, sizeof(headers),
		 "Content-Disposition: attachment; filename=\"certificates-section-%lld.zip\";"
		 " filename*=UTF-8''%%EC%%88%%98%%EB%%A3%%8C%%EC%%A6%%9D-section-%lld.zip\r\n"
		 "Cache-Control: no-store\r\n",
		 section, section);
	http_stream_begin(&body, req, 200, "application/zip", -1, headers);
	begun = true;
	if (archive_write_open2(a, &body, NULL, zip_write, NULL, NULL) != ARCHIVE_OK) {
		rc = LMS_EIO;
		goto fail;
	}
	rc = 0;
	json_array_foreach(items, i, item) {
		if (strcmp(str(item, "status"), "valid") != 0)
			continue;
		file_name(item, name, sizeof(name));
		if ((rc = zip_add(a, req->db, name, str(item, "pdf_sha256"), buf, time(NULL))) < 0)
			break;
	}
	if (rc == 0 && archive_write_close(a) != ARCHIVE_OK)
		rc = LMS_EIO;
	if (rc < 0) {
		log_warn("certificates: the ZIP of section %lld was cut short: %s", section,
			 archive_error_string(a) ? archive_error_string(a) : lms_strerror(rc));
		http_stream_abort(&body);
	} else {
		http_stream_end(&body);
	}
	goto out;
fail:
	if (begun)
		http_stream_abort(&body);
	else
		http_reply_error(req, rc);
out:
	if (a)
		archive_write_free(a);
	free(buf);
	json_decref(detail);
	json_decref(items);
}

/* ---- the KPI's evidence ---- */

void certificate_kpi_trained(struct http_req *req)
{
	static const char *const known[] = {"institution_id", "year", NULL};
	char text[16], *end;
	json_t *items = NULL, *body = NULL;
	long long inst;
	long year = 0;
	int rc, n;

	if (!pull_params_or_reply(req, known))
		goto out;
	if ((n = http_req_query(req, "year", text, sizeof(text))) != -1) {
		year = n < 0 ? 0 : strtol(text, &end, 10);
		if (n <= 0 || *end || year < 2000 || year > 2100) {
			http_reply_problem(req, 400, "validation_failed",
					   json_pack("[{s:s, s:s}]", "field", "year", "message",
						     "must be a year from 2000 to 2100"),
					   "the query has invalid parameters");
			goto out;
		}
	}
	if (!guard_scope_or_reply(req, GUARD_REPORTS_READ, &inst) || !http_req_db_or_reply(req))
		goto out;
	if ((rc = certificate_store_kpi_trained(req->db, inst, (int)year, &items)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	body = json_pack("{s:O}", "items", items);
	pull_reply(req, "report.kpi_trained", inst,
		   json_pack("{s:I, s:I, s:I}", "institution_id", (json_int_t)inst, "year",
			     (json_int_t)year, "rows", (json_int_t)json_array_size(items)),
		   body, NULL, NULL);
out:
	json_decref(body);
	json_decref(items);
}

/* ---- the issuer's settings ---- */

static const struct schema_field issuer_fields[] = {
	{"signatory_name_ko", SCHEMA_STRING, .nullable = true, .min = 1, .max = 60},
	{"signatory_title_ko", SCHEMA_STRING, .nullable = true, .min = 1, .max = 60},
	{"signatory_name_en", SCHEMA_STRING, .nullable = true, .min = 1, .max = 100},
	{"signatory_title_en", SCHEMA_STRING, .nullable = true, .min = 1, .max = 100},
};
static const struct schema issuer_schema = SCHEMA_OF(issuer_fields);

void certificate_issuer(struct http_req *req)
{
	json_t *out = NULL, *fields = NULL;
	long long inst;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &inst) || !http_req_db_or_reply(req) ||
	    !guard_require_or_reply(req, GUARD_CATALOG_MANAGE, inst))
		goto end;
	if (!strcmp(req->method, "GET") || !strcmp(req->method, "HEAD")) {
		if ((rc = certificate_store_issuer(req->db, inst, &out)) < 0)
			http_reply_error(req, rc);
		else
			http_reply_json(req, 200, out);
		goto end;
	}
	if (!schema_body_or_reply(req, &issuer_schema, SCHEMA_CHANGE))
		goto end;
	if ((rc = db_begin(req->db)) < 0 ||
	    (rc = certificate_store_issuer_set(req->db, inst, req->json, req->who.user_id, &out)) <
		    0) {
		audit_change_failed(req, req->db, rc, "certificate issuer change");
		goto end;
	}
	fields = audit_fields_named(req->json);
	audit_commit_reply(req, req->db,
			   &(struct audit_event){.action = "certificate.issuer_update",
						 .target_type = "institution",
						 .target_id = inst,
						 .institution_id = inst,
						 .detail = fields},
			   200, out, NULL, NULL);
end:
	json_decref(fields);
	json_decref(out);
}

void certificate_seal(struct http_req *req)
{
	char hash[BLOB_HASH_LEN + 1];
	bool remove = !strcmp(req->method, "DELETE");
	json_t *out = NULL;
	long long inst;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &inst) || !http_req_db_or_reply(req) ||
	    !guard_require_or_reply(req, GUARD_CATALOG_MANAGE, inst))
		goto end;
	if (!remove) {
		const char *type = http_req_header(req, "Content-Type");

		if (!type || strncasecmp(type, "image/png", 9) != 0) {
			http_reply_problem(req, 415, "unsupported_media_type", NULL,
					   "a seal is a PNG image: send it with Content-Type: "
					   "image/png");
			goto end;
		}
		if (http_req_content_length(req) > SEAL_MAX_BYTES) {
			http_reply_problem(req, 413, "payload_too_large", NULL,
					   "a seal is at most %d bytes", SEAL_MAX_BYTES);
			goto end;
		}
		if (!http_req_body_or_reply(req, SEAL_MAX_BYTES))
			goto end;
		if (!certificate_png_ok((const unsigned char *)req->body, req->body_len,
					SEAL_MAX_SIDE)) {
			http_reply_problem(req, 400, "validation_failed",
					   json_pack("[{s:s, s:s}]", "field", "body", "message",
						     "must be a PNG image of at most 2000 x 2000 "
						     "pixels"),
					   "the seal cannot be read");
			goto end;
		}
		if (!http_req_db_or_reply(req))
			goto end;
	}
	if ((rc = db_begin(req->db)) < 0 ||
	    (!remove && (rc = blob_put(req->db, req->body, req->body_len, hash)) < 0) ||
	    (rc = certificate_store_seal_set(req->db, inst, remove ? NULL : hash,
					     req->who.user_id)) < 0 ||
	    (rc = certificate_store_issuer(req->db, inst, &out)) < 0) {
		audit_change_failed(req, req->db, rc, "certificate seal change");
		goto end;
	}
	audit_commit_reply(req, req->db,
			   &(struct audit_event){.action = remove ? "certificate.seal_delete"
								  : "certificate.seal_update",
						 .target_type = "institution",
						 .target_id = inst,
						 .institution_id = inst},
			   200, out, NULL, NULL);
end:
	json_decref(out);
}
