/* bulk_http.c - handlers: enrolment on behalf of a learner, by CSV file,
 * and a learner's invitations */
#include "lms/enrollment/bulk_http.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lms/auth/guard.h"
#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/core/netaddr.h"
#include "lms/db/sql.h"
#include "lms/enrollment/bulk_csv.h"
#include "lms/enrollment/bulk_store.h"
#include "lms/enrollment/enrollment_http.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/http/server.h"
#include "lms/http/stream.h"
#include "lms/service/audit.h"
#include "lms/service/idempotency_store.h"
#include "lms/service/pull.h"

/* The bounds of one file: a cohort list, not a data dump. */
#define BULK_MAX_BYTES (8LL * 1024 * 1024)
#define BULK_MAX_ROWS 20000
/* Row errors named in a refused apply; the dry run lists them all. */
#define BULK_ERRORS_SHOWN 100

/* A refusal of enrollment_place, as an admin is told it. */
static const struct {
	const char *code;
	int status;
	const char *detail;
} refusals[] = {
	{"not_found", 404, "no resource at this path"},
	{"section_cancelled", 409, "this section was cancelled"},
	{"selection_required", 409,
	 "this section admits by selection: its learners come from its intake's offers"},
	{"enrollment_not_open", 409,
	 "enrolment for this section has not opened yet: give an override_reason to enrol "
	 "anyway"},
	{"enrollment_closed", 409,
	 "enrolment for this section is closed: give an override_reason to enrol anyway"},
	{"not_eligible_stage", 403,
	 "this programme does not admit the learner's ladder stage: give an override_reason to "
	 "enrol anyway"},
	{"affiliation_required", 403,
	 "this programme is for staff of a member institution or company and the learner has "
	 "no affiliation: give an override_reason to enrol anyway"},
	{"prerequisite_missing", 403,
	 "the learner has not completed the prerequisite course: give an override_reason to "
	 "enrol anyway"},
	{"already_enrolled", 409,
	 "the learner already holds an enrolment, an application or a waitlist place in this "
	 "section"},
	{"user_not_found", 404, "no account has this id or address"},
};

static bool key_valid(const char *key)
{
	size_t n = strlen(key);

	if (n < 1 || n > 200)
		return false;
	for (size_t i = 0; i < n; i++)
		if (key[i] < 0x21 || key[i] > 0x7e)
			return false;
	return true;
}

/* The section of the path, which the caller must manage: 404 to anyone
 * else, as for a section that does not exist. */
static bool section_or_reply(struct http_req *req, struct bulk_section *sec)
{
	struct db_conn *db;
	long long id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !(db = http_req_db_or_reply(req)))
		return false;
	if ((rc = bulk_store_section(db, id, sec)) == LMS_ENOTFOUND) {
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
		return false;
	}
	if (rc < 0) {
		http_reply_error(req, rc);
		return false;
	}
	return guard_require_or_404(req, GUARD_ENROLLMENT_MANAGE, sec->institution_id);
}

/* ---- one learner ---- */

/* A blank override_reason is refused by the schema ("must not be blank"). */
static const struct schema_field on_behalf_fields[] = {
	{"user_id", SCHEMA_INT, .min = 1, .max = LLONG_MAX, .message = "must be the id of a user"},
	{"email", SCHEMA_STRING, .min = 3, .max = 254, .max_bytes = 254},
	{"override_reason", SCHEMA_STRING, .nullable = true, .min = 1, .max = 500},
};
static const struct schema on_behalf_schema = SCHEMA_OF(on_behalf_fields);

/* The answer to an enrolment on behalf as (status, JSON text). */
static int on_behalf_answer(const struct enroll_result *r, long long section_id,
			    long long user_id, const char *override, char **text)
{
	json_t *body = NULL, *overridden = json_object_get(r->detail, "overridden");
	int status = 500;

	*text = NULL;
	if (!strcmp(r->code, "ok")) {
		status = 201;
		body = json_pack("{s:I, s:I, s:I, s:O?, s:s, s:O?}", "id",
				 (json_int_t)r->enrollment_id, "section_id", (json_int_t)section_id,
				 "user_id", (json_int_t)user_id, "course_id",
				 json_object_get(r->detail, "course_id"), "status", r->status,
				 "created_at", json_object_get(r->detail, "created_at"));
		if (body && r->waitlist_position)
			json_object_set_new(body, "waitlist_position",
					    json_integer(r->waitlist_position));
		if (body && json_is_string(overridden)) {
			json_object_set(body, "overridden", overridden);
			json_object_set_new(body, "override_reason", json_string(override));
		}
	} else {
		for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
			if (strcmp(refusals[i].code, r->code) != 0)
				continue;
			status = refusals[i].status;
			body = http_problem_new(status, r->code, "%s", refusals[i].detail);
			if (body && r->detail && !strcmp(r->code, "prerequisite_missing"))
				json_object_set(body, "missing_course", r->detail);
			else if (body && r->detail)
				json_object_update(body, r->detail);
		}
	}
	if (body)
		*text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return *text ? status : 500;
}

void enrollment_on_behalf(struct http_req *req)
{
	const char *key = http_req_header(req, "Idempotency-Key"), *email, *override;
	struct enroll_result r = {0};
	struct bulk_section sec;
	char scope[96], addr[NETADDR_TEXT_MAX], *text = NULL, *stored = NULL;
	bool replayed = false, in_tx = false;
	long long user_id = 0, id;
	int status = 0, rc;

	if (!section_or_reply(req, &sec) ||
	    !schema_body_or_reply(req, &on_behalf_schema, SCHEMA_CREATE))
		goto out;
	id = json_integer_value(json_object_get(req->json, "user_id"));
	email = json_string_value(json_object_get(req->json, "email"));
	override = json_string_value(json_object_get(req->json, "override_reason"));
	if (!id == !email) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "user_id", "message",
					     "give either user_id or email"),
				   "name the learner");
		goto out;
	}
	if (key && !key_valid(key)) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "Idempotency-Key", "message",
					     "must be 1 to 200 visible ASCII characters"),
				   "the Idempotency-Key header is not valid");
		goto out;
	}
	if ((rc = bulk_store_user_find(req->db, id, email, &user_id)) == LMS_ENOTFOUND) {
		http_reply_problem(req, 404, "user_not_found",
				   json_pack("[{s:s, s:s}]", "field", email ? "email" : "user_id",
					     "message", "no account has it"),
				   "no account has this id or address: a file upload invites new "
				   "addresses");
		goto out;
	}
	if (rc < 0)
		goto fail;
	if ((rc = db_begin(req->db)) < 0)
		goto fail;
	in_tx = true;
	if (key) {
		snprintf(scope, sizeof(scope), "POST /api/v1/sections/%lld/enrollments/on-behalf",
			 sec.id);
		if ((rc = idempotency_store_claim(req->db, req->who.user_id, scope, key, false,
						  &replayed, &status, &stored)) < 0)
			goto fail;
		if (replayed) {
			if ((rc = db_commit(req->db)) < 0)
				goto fail;
			enrollment_reply_text(req, status, stored, true);
			goto out;
		}
	}
	if ((rc = audit_tell_database(req, req->db)) < 0 ||
	    (rc = bulk_store_enroll_on_behalf(req->db, user_id, sec.id, req->who.user_id, override,
					      http_req_client_addr(req, addr, sizeof(addr)),
					      req->request_id, &r)) < 0)
		goto fail;
	if ((status = on_behalf_answer(&r, sec.id, user_id, override, &text)) == 500) {
		rc = LMS_ENOMEM;
		goto fail;
	}
	if (key && (rc = idempotency_store_finish(req->db, req->who.user_id, scope, key, status,
						  text, false)) < 0)
		goto fail;
	if ((rc = db_commit(req->db)) < 0)
		goto fail;
	enrollment_reply_text(req, status, text, false);
	goto out;
fail:
	if (in_tx)
		db_rollback(req->db);
	http_reply_error(req, rc);
out:
	json_decref(r.detail);
	free(stored);
	free(text);
}

/* ---- a file of learners ---- */

/* The parsed rows, spooled to a temporary file in COPY text format as the
 * body arrives: memory holds one piece and one row, whatever the file. */
struct spool {
	struct bulk_csv *csv;
	FILE *f;
	int fd;
};

/* Appends s to f escaped for COPY's text format; NULL is \N. */
static void copy_field(FILE *f, const char *s)
{
	if (!s) {
		fputs("\\N", f);
		return;
	}
	for (; *s; s++) {
		switch (*s) {
		case '\\': fputs("\\\\", f); break;
		case '\t': fputs("\\t", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		default: fputc(*s, f);
		}
	}
}

static int spool_row(void *ctx, const struct bulk_csv_row *row)
{
	struct spool *sp = ctx;

	fprintf(sp->f, "%ld\t", row->line);
	copy_field(sp->f, row->email);
	fputc('\t', sp->f);
	copy_field(sp->f, row->name);
	fputc('\t', sp->f);
	copy_field(sp->f, row->stage);
	fputc('\t', sp->f);
	copy_field(sp->f, row->error);
	fputc('\n', sp->f);
	return ferror(sp->f) ? LMS_EIO : 0;
}

/* After the first line that cannot be read the rest of the body is read
 * and dropped: a client answered before it has sent its body whole may
 * never see the answer. Only a failure of our own stops the reading. */
static int spool_piece(void *ctx, const char *data, size_t len)
{
	int rc = bulk_csv_feed(((struct spool *)ctx)->csv, data, len);

	return rc == LMS_ENOMEM || rc == LMS_EIO ? rc : 0;
}

static long spool_fill(void *ctx, char *buf, size_t cap)
{
	size_t n = fread(buf, 1, cap, ((struct spool *)ctx)->f);

	return ferror(((struct spool *)ctx)->f) ? LMS_EIO : (long)n;
}

/* A temporary file under the data directory, unlinked at once: gone
 * however the request ends. */
static int spool_open(struct http_req *req, struct spool *sp)
{
	const char *data_dir = req->app->cfg->data_dir;
	char dir[PATH_MAX], path[PATH_MAX + 16];

	if ((size_t)snprintf(dir, sizeof(dir), "%s/uploads", data_dir) >= sizeof(dir))
		return LMS_EIO;
	if ((mkdir(data_dir, 0750) != 0 && errno != EEXIST) ||
	    (mkdir(dir, 0750) != 0 && errno != EEXIST)) {
		log_error("bulk: cannot create %s: %s", dir, strerror(errno));
		return LMS_EIO;
	}
	snprintf(path, sizeof(path), "%s/.bulk-XXXXXX", dir);
	if ((sp->fd = mkostemp(path, O_CLOEXEC)) < 0) {
		log_error("bulk: cannot create a temporary file in %s: %s", dir, strerror(errno));
		return LMS_EIO;
	}
	unlink(path);
	if (!(sp->f = fdopen(sp->fd, "w+"))) {
		close(sp->fd);
		sp->fd = -1;
		return LMS_ENOMEM;
	}
	return 0;
}

static void spool_close(struct spool *sp)
{
	if (sp->f)
		fclose(sp->f);
	else if (sp->fd >= 0)
		close(sp->fd);
	sp->f = NULL;
	sp->fd = -1;
	bulk_csv_free(sp->csv);
	sp->csv = NULL;
}

/* Empties the spool for its next use. */
static int spool_rewrite(struct spool *sp)
{
	fflush(sp->f);
	if (ftruncate(sp->fd, 0) != 0)
		return LMS_EIO;
	rewind(sp->f);
	return 0;
}

/* Replies 400 for a file that cannot be read, naming the line. */
static void reply_unreadable(struct http_req *req, const struct bulk_csv *csv, int rc)
{
	const char *why;
	char field[32];
	long line;

	if (rc == LMS_ENOMEM || rc == LMS_EIO || !(why = bulk_csv_error(csv, &line))) {
		http_reply_error(req, rc);
		return;
	}
	snprintf(field, sizeof(field), "line %ld", line);
	if (rc == LMS_ETOOBIG)
		http_reply_problem(req, 413, "too_many_rows",
				   json_pack("[{s:s, s:s}]", "field", field, "message", why),
				   "the file has more than %d rows: split it", BULK_MAX_ROWS);
	else
		http_reply_problem(req, 400, "invalid_csv",
				   json_pack("[{s:s, s:s}]", "field", field, "message", why),
				   "line %ld: %s", line, why);
}

static bool media_type_ok(const char *type)
{
	static const char *const ok[] = {"text/csv", "text/plain", "application/csv",
					 "application/vnd.ms-excel"};
	size_t n;

	if (!type)
		return false;
	n = strcspn(type, "; \t");
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strlen(ok[i]) == n && !strncasecmp(type, ok[i], n))
			return true;
	return false;
}

/* A misspelt ?apply would quietly make a dry run of what was meant to be
 * applied: any parameter but these is refused. */
static const char *const bulk_params[] = {"apply", "invite_locale", "lang", NULL};

/* ?apply and ?invite_locale; replies 400 and returns false when bad. */
static bool options_or_reply(struct http_req *req, bool *apply, char locale[3])
{
	char buf[8];
	int n;

	*apply = false;
	if (!pull_params_or_reply(req, bulk_params))
		return false;
	snprintf(locale, 3, "ko");
	if ((n = http_req_query(req, "apply", buf, sizeof(buf))) >= 0) {
		if (!strcmp(buf, "1") || !strcmp(buf, "true"))
			*apply = true;
		else if (strcmp(buf, "0") != 0 && strcmp(buf, "false") != 0)
			n = -2;
	}
	if (n == -2) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "apply", "message",
					     "must be 1 or 0"),
				   "the query has invalid parameters");
		return false;
	}
	if ((n = http_req_query(req, "invite_locale", buf, sizeof(buf))) >= 0 &&
	    strcmp(buf, "ko") != 0 && strcmp(buf, "en") != 0)
		n = -2;
	if (n == -2) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "invite_locale", "message",
					     "must be ko or en"),
				   "the query has invalid parameters");
		return false;
	}
	if (n >= 0)
		memcpy(locale, buf, 3); /* "ko" or "en" and its NUL */
	return true;
}

/* Writes the classified rows into the spool as the members of a JSON
 * array, a database row at a time. */
static int results_spool(struct db_conn *db, struct spool *sp)
{
	struct db_stream s = {0};
	const char *v;
	size_t len;
	long n = 0;
	int rc;

	if ((rc = spool_rewrite(sp)) < 0 || (rc = bulk_store_results_stream(db, &s)) < 0)
		goto out;
	while ((rc = db_stream_next(&s)) == 1) {
		v = db_stream_value(&s, 0, &len);
		if (n++)
			fputc(',', sp->f);
		fwrite(v, 1, len, sp->f);
	}
	if (rc == 0 && (fflush(sp->f) != 0 || ferror(sp->f)))
		rc = LMS_EIO;
out:
	db_stream_end(&s);
	return rc;
}

/* Sends {"section_id", "applied", "summary", "rows": [the spool]} as it
 * reads the spool. */
static void reply_results(struct http_req *req, long long section_id, bool applied,
			  json_t *summary, struct spool *sp)
{
	struct http_stream st;
	json_t *head = json_pack("{s:I, s:b, s:O}", "section_id", (json_int_t)section_id,
				 "applied", applied, "summary", summary);
	char *text = head ? json_dumps(head, JSON_COMPACT) : NULL;
	long long size = (long long)ftello(sp->f);
	size_t n;

	json_decref(head);
	if (!text || size < 0) {
		free(text);
		http_reply_error(req, text ? LMS_EIO : LMS_ENOMEM);
		return;
	}
	/* The object without its closing brace, then the rows. */
	n = strlen(text) - 1;
	http_stream_begin(&st, req, 200, "application/json", -1, NULL);
	if (http_stream_write(&st, text, n) < 0 || http_stream_write(&st, ",\"rows\":[", 9) < 0 ||
	    (size > 0 && http_stream_file(&st, sp->fd, 0, size) < 0) ||
	    http_stream_write(&st, "]}", 2) < 0)
		http_stream_abort(&st);
	else
		http_stream_end(&st);
	free(text);
}

void enrollment_bulk(struct http_req *req)
{
	struct spool sp = {.fd = -1};
	struct bulk_section sec;
	char locale[3], addr[NETADDR_TEXT_MAX];
	json_t *summary = NULL, *errors = NULL, *detail = NULL;
	long long length = http_req_content_length(req);
	bool apply, in_tx = false;
	int rc = 0, each_rc;

	if (!section_or_reply(req, &sec) || !options_or_reply(req, &apply, locale))
		goto out;
	if (!media_type_ok(http_req_header(req, "Content-Type"))) {
		http_reply_problem(req, 415, "unsupported_media_type", NULL,
				   "send the file as text/csv");
		goto out;
	}
	if (length <= 0) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "body", "message",
					     "must hold the file: it is empty"),
				   "the upload has invalid parts");
		goto out;
	}
	if (length > BULK_MAX_BYTES) {
		http_req_close(req);
		http_reply_problem(req, 413, "body_too_large", NULL,
				   "the file is larger than %lld bytes: split it", BULK_MAX_BYTES);
		goto out;
	}
	if ((rc = spool_open(req, &sp)) < 0 ||
	    !(sp.csv = bulk_csv_new(spool_row, &sp, BULK_MAX_ROWS))) {
		rc = rc ? rc : LMS_ENOMEM;
		goto fail;
	}
	/* Parsed as it arrives, into the spool: never whole in memory. */
	if (!http_req_body_each_or_reply(req, BULK_MAX_BYTES, spool_piece, &sp, &each_rc)) {
		if (each_rc)
			reply_unreadable(req, sp.csv, each_rc);
		goto out;
	}
	if ((rc = bulk_csv_finish(sp.csv)) < 0) {
		reply_unreadable(req, sp.csv, rc);
		goto out;
	}
	if (fflush(sp.f) != 0) {
		rc = LMS_EIO;
		goto fail;
	}
	rewind(sp.f);
	if (!http_req_db_or_reply(req))
		goto out;
	if ((rc = db_begin(req->db)) < 0)
		goto fail;
	in_tx = true;
	if ((rc = audit_tell_database(req, req->db)) < 0 ||
	    (rc = bulk_store_rows_load(req->db, spool_fill, &sp)) < 0 ||
	    (rc = bulk_store_classify(req->db, sec.id, req->who.user_id, apply, locale,
				      http_req_client_addr(req, addr, sizeof(addr)),
				      req->request_id, &summary)) < 0)
		goto fail;
	/* A file is applied whole or not at all. */
	if (apply && json_integer_value(json_object_get(summary, "error")) > 0) {
		if ((rc = bulk_store_errors(req->db, BULK_ERRORS_SHOWN, &errors)) < 0)
			goto fail;
		db_rollback(req->db);
		in_tx = false;
		http_reply_problem(req, 400, "validation_failed", errors,
				   "%lld rows have errors: correct them and upload the file again; "
				   "nothing was applied",
				   (long long)json_integer_value(json_object_get(summary, "error")));
		errors = NULL;
		goto out;
	}
	if ((rc = results_spool(req->db, &sp)) < 0)
		goto fail;
	/* Reading who has an account and where they stand is reading personal
	 * data; applying is the change. Either is one audit row for the file
	 * (each enrolment has its own). */
	detail = json_pack("{s:O}", "summary", summary);
	if ((rc = audit_record(req, &(struct audit_event){
					    .action = apply ? "enrollment.bulk_apply"
							    : "enrollment.bulk_preview",
					    .target_type = "section",
					    .target_id = sec.id,
					    .institution_id = sec.institution_id,
					    .detail = detail})) < 0 ||
	    (rc = db_commit(req->db)) < 0)
		goto fail;
	in_tx = false;
	/* The section's lock and the connection go before a slow client
	 * reads the answer. */
	http_req_db_release(req);
	reply_results(req, sec.id, apply, summary, &sp);
	goto out;
fail:
	if (in_tx)
		db_rollback(req->db);
	if (rc == LMS_EDB && req->db && db_sqlstate_is(req->db, "23514"))
		http_reply_problem(req, 409, "section_full", NULL, "the section has no free seat");
	else
		http_reply_db_error(req, rc, "bulk enrolment");
out:
	spool_close(&sp);
	json_decref(summary);
	json_decref(errors);
	json_decref(detail);
}

/* ---- the invited ---- */

void enrollment_invitations_mine(struct http_req *req)
{
	json_t *items = NULL, *body;
	int rc;

	if (!http_req_db_or_reply(req))
		return;
	if ((rc = bulk_store_invitations_mine(req->db, req->who.user_id, &items)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	body = json_pack("{s:o}", "items", items);
	http_reply_json(req, 200, body);
	json_decref(body);
}
