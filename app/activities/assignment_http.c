/* assignment_http.c - handlers: assignments (settings, submissions, files,
 * grading). A submitted file is checked by its name and by its first bytes,
 * kept in the blob store, and only ever sent back as an attachment. */
#include "lms/activities/assignment_http.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lms/activities/assignment_store.h"
#include "lms/auth/guard.h"
#include "lms/catalog/content_store.h"
#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/db/blobstore.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/http/server.h"
#include "lms/http/stream.h"
#include "lms/service/audit.h"

#define FILENAME_MAX_BYTES 255
#define NOTEBOOK_MAX_BYTES (32LL * 1024 * 1024)

static const char *const late_policies[] = {"refuse", "accept", "penalty", NULL};
static const char *const accepts_values[] = {"file", "text", "both", NULL};
static const char *const statuses[] = {"submitted", "graded", "returned", NULL};

static const struct schema_field assignment_fields[] = {
	{"due_at", SCHEMA_TIMESTAMP, .required = true},
	{"late_policy", SCHEMA_STRING, .max_bytes = 16, .values = late_policies},
	{"late_penalty_pct", SCHEMA_INT, .min = 0, .max = 100},
	{"late_until", SCHEMA_TIMESTAMP, .nullable = true},
	{"max_score", SCHEMA_INT, .min = 1, .max = 1000},
	{"accepts", SCHEMA_STRING, .max_bytes = 8, .values = accepts_values},
	{"max_file_mb", SCHEMA_INT, .min = 1, .max = 200},
};
static const struct schema assignment_schema = SCHEMA_OF(assignment_fields);

static const struct schema_field text_fields[] = {
	{"body", SCHEMA_STRING, .required = true, .min = 1, .max = 50000},
};
static const struct schema text_schema = SCHEMA_OF(text_fields);

static const struct schema_field grade_fields[] = {
	{"score", SCHEMA_INT, .min = 0, .max = 1000},
	{"feedback", SCHEMA_STRING, .max = 20000},
	{"return", SCHEMA_BOOL, .required = false},
};
static const struct schema grade_schema = SCHEMA_OF(grade_fields);

/* What a submitted file may be: its name's ending, its first bytes, and
 * the type it is stored and sent as. */
struct file_kind {
	const char *ext;
	const char *magic;
	size_t magic_len;
	const char *type;
};

static const struct file_kind file_kinds[] = {
	{".pdf", "%PDF-", 5, "application/pdf"},
	{".zip", "PK\x03\x04", 4, "application/zip"},
	{".zip", "PK\x05\x06", 4, "application/zip"},
	{".png", "\x89PNG\r\n\x1a\n", 8, "image/png"},
	{".jpg", "\xff\xd8\xff", 3, "image/jpeg"},
	{".jpeg", "\xff\xd8\xff", 3, "image/jpeg"},
	{".ipynb", NULL, 0, "application/x-ipynb+json"},
};

/* Whether name ends with ext, ignoring case. */
static bool ends_with(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);

	return n > e && strcasecmp(name + n - e, ext) == 0;
}

/* Whether name's ending is one of the kinds. */
static bool name_allowed(const char *name)
{
	for (size_t i = 0; i < sizeof(file_kinds) / sizeof(file_kinds[0]); i++)
		if (ends_with(name, file_kinds[i].ext))
			return true;
	return false;
}

/* A notebook: a JSON object with a list of cells and an nbformat number. */
static bool notebook_ok(int fd, long long size)
{
	json_error_t err;
	json_t *nb;
	bool ok;

	/* Parsed whole in memory: only notebooks of a sane size. */
	if (size > NOTEBOOK_MAX_BYTES || lseek(fd, 0, SEEK_SET) != 0)
		return false;
	nb = json_loadfd(fd, 0, &err);
	ok = json_is_object(nb) && json_is_array(json_object_get(nb, "cells")) &&
	     json_is_integer(json_object_get(nb, "nbformat"));
	json_decref(nb);
	return ok;
}

/* The type of the file named name whose bytes fd holds, when both its name
 * and its content say it is one of the kinds; NULL otherwise. */
static const char *file_type(const char *name, int fd, long long size)
{
	unsigned char head[16] = {0};
	ssize_t n = pread(fd, head, sizeof(head), 0);

	if (n < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(file_kinds) / sizeof(file_kinds[0]); i++) {
		const struct file_kind *k = &file_kinds[i];

		if (!ends_with(name, k->ext))
			continue;
		if (!k->magic)
			return notebook_ok(fd, size) ? k->type : NULL;
		if ((size_t)n >= k->magic_len && memcmp(head, k->magic, k->magic_len) == 0)
			return k->type;
	}
	return NULL;
}

/* ---- who may ---- */

static struct guard_target lesson_target(const struct content_facts *f, bool active_only)
{
	return (struct guard_target){
		.institution_id = f->institution_id,
		.enrolled = active_only ? f->enrolled_active : f->enrolled,
		.teaches = f->teaches,
		.hidden = !f->published,
	};
}

/* Path parameter 0 as an assignment lesson, checked for action; 404
 * not_an_assignment for another kind of lesson. */
static bool assignment_lesson_or_reply(struct http_req *req, enum guard_action action,
				       long long *id, struct content_facts *f)
{
	struct guard_target t;
	struct db_conn *db;
	PGresult *res = NULL;
	bool is;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, id) || !(db = http_req_db_or_reply(req)))
		return false;
	if ((rc = content_store_lesson_facts(db, *id, req->who.user_id, f)) < 0 ||
	    (rc = db_one_row(db, &res, "SELECT kind = 'assignment' FROM lessons WHERE id = $1",
			     "l", *id)) < 0) {
		http_reply_error(req, rc);
		return false;
	}
	is = db_bool(res, 0, 0);
	PQclear(res);
	t = lesson_target(f, action == GUARD_PROGRESS_WRITE);
	if (!guard_require_target_or_reply(req, action, &t))
		return false;
	if (!is) {
		http_reply_problem(req, 404, "not_an_assignment", NULL,
				   "lesson %lld is not an assignment", *id);
		return false;
	}
	return true;
}

/* Submission path parameter 0 and its facts, for a caller who may read it
 * (action GUARD_ENROLLMENT_READ) or grade it (GUARD_ENROLLMENT_GRADE);
 * someone else's submission is not found. */
static bool submission_or_reply(struct http_req *req, enum guard_action action, long long *id,
				struct submission_facts *f)
{
	struct guard_target t;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, id) || !http_req_db_or_reply(req))
		return false;
	if ((rc = assignment_store_submission_facts(req->db, *id, req->who.user_id, f)) < 0) {
		http_reply_error(req, rc);
		return false;
	}
	t = (struct guard_target){
		.institution_id = f->institution_id,
		.own = f->learner_id == req->who.user_id,
		.teaches = f->teaches_learner,
		.hidden = !f->published,
	};
	if (guard_decide_target(&req->who, GUARD_ENROLLMENT_READ, &t) != GUARD_ALLOW) {
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
		return false;
	}
	return guard_require_target_or_reply(req, action, &t);
}

/* A refused submission or grade, rolled back and answered. */
static void reply_assignment_error(struct http_req *req, int rc, const char *what)
{
	struct db_conn *db = req->db;
	static const struct {
		const char *state;
		int status;
		const char *code, *detail;
	} refusals[] = {
		{"LMSA1", 409, "past_due", "the assignment is past due and takes no more submissions"},
		{"LMSA2", 409, "already_graded", "the submission is graded: it can no longer change"},
		{"LMSA3", 409, "assignment_not_set", "the assignment has no due date set yet"},
		{"LMSA4", 400, "validation_failed", "the score is above the assignment's maximum"},
	};

	for (size_t i = 0; db && rc == LMS_EDB && i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (db_sqlstate_is(db, refusals[i].state)) {
			db_rollback(db);
			http_reply_problem(req, refusals[i].status, refusals[i].code, NULL, "%s",
					   refusals[i].detail);
			return;
		}
	audit_change_failed(req, db, rc, what);
}

/* ---- settings ---- */

void assignment_put(struct http_req *req)
{
	struct content_facts f;
	json_t *out = NULL;
	long long id;
	int rc;

	if (!assignment_lesson_or_reply(req, GUARD_CONTENT_UPLOAD, &id, &f) ||
	    !schema_body_or_reply(req, &assignment_schema, SCHEMA_CREATE))
		return;
	if ((rc = db_begin(req->db)) < 0 ||
	    (rc = assignment_store_put(req->db, id, req->json, &out)) < 0) {
		reply_assignment_error(req, rc, "assignment change");
		return;
	}
	audit_commit_reply(req, req->db,
			   &(struct audit_event){.action = "assignment.update",
						 .target_type = "lesson",
						 .target_id = id,
						 .institution_id = f.institution_id,
						 .detail = req->json},
			   200, out, NULL, NULL);
	json_decref(out);
}

void assignment_get(struct http_req *req)
{
	struct content_facts f;
	json_t *out = NULL;
	long long id;
	int rc;

	if (!assignment_lesson_or_reply(req, GUARD_CONTENT_READ, &id, &f))
		return;
	if ((rc = assignment_store_view(req->db, id, req->who.user_id, &out)) < 0)
		http_reply_error(req, rc);
	else
		http_reply_json(req, 200, out);
	json_decref(out);
}

/* ---- submissions ---- */

/* Records the submission (its blob first when there is a file) and its
 * audit row in one transaction and replies 200 with it. */
static void submit_and_reply(struct http_req *req, long long lesson, long long institution,
			     const char *body, const char *filename, const char *type,
			     long long size, const char *sha256, int fd)
{
	json_t *out = NULL, *detail;
	long long id;
	int rc;

	if ((rc = db_begin(req->db)) < 0 ||
	    (fd >= 0 && (rc = blob_put_fd(req->db, fd, sha256, size)) < 0) ||
	    (rc = assignment_store_submit(req->db, lesson, req->who.user_id, body, filename, type,
					  size, sha256, &id)) < 0 ||
	    (rc = assignment_store_submission_json(req->db, id, &out)) < 0) {
		/* The file we received is not what its digest says: our fault. */
		reply_assignment_error(req, rc == LMS_EINVAL ? LMS_EIO : rc, "submission");
		return;
	}
	detail = json_pack("{s:I, s:O, s:O}", "lesson_id", (json_int_t)lesson, "version",
			   json_object_get(out, "version"), "late", json_object_get(out, "late"));
	if (sha256)
		json_object_set_new(detail, "sha256", json_string(sha256));
	audit_commit_reply(req, req->db,
			   &(struct audit_event){.action = "assignment_submission.submit",
						 .target_type = "assignment_submission",
						 .target_id = id,
						 .institution_id = institution,
						 .detail = detail},
			   200, out, NULL, NULL);
	json_decref(detail);
	json_decref(out);
}

void assignment_submit_text(struct http_req *req)
{
	struct assignment_rules rules;
	struct content_facts f;
	long long id;
	int rc;

	if (!assignment_lesson_or_reply(req, GUARD_PROGRESS_WRITE, &id, &f) ||
	    !schema_body_or_reply(req, &text_schema, SCHEMA_CREATE))
		return;
	if ((rc = assignment_store_rules(req->db, id, &rules)) < 0) {
		if (rc == LMS_ENOTFOUND)
			http_reply_problem(req, 409, "assignment_not_set", NULL,
					   "the assignment has no due date set yet");
		else
			http_reply_error(req, rc);
		return;
	}
	if (!strcmp(rules.accepts, "file")) {
		http_reply_problem(req, 409, "text_not_accepted", NULL,
				   "this assignment takes a file, not a text");
		return;
	}
	submit_and_reply(req, id, f.institution_id,
			 json_string_value(json_object_get(req->json, "body")), NULL, NULL, 0, NULL,
			 -1);
}

/* The directory an upload is received into, made when missing. */
static int uploads_dir(const struct http_req *req, char *buf, size_t len)
{
	const char *data_dir = req->app->cfg->data_dir;

	if ((size_t)snprintf(buf, len, "%s/uploads", data_dir) >= len)
		return LMS_EIO;
	if ((mkdir(data_dir, 0750) != 0 && errno != EEXIST) ||
	    (mkdir(buf, 0750) != 0 && errno != EEXIST)) {
		log_error("assignment: cannot create %s: %s", buf, strerror(errno));
		return LMS_EIO;
	}
	return 0;
}

void assignment_submit_file(struct http_req *req)
{
	char name[FILENAME_MAX_BYTES + 1], root[PATH_MAX];
	struct assignment_rules rules;
	struct content_facts f;
	struct http_upload up;
	const char *type;
	long long id, length;
	int n, fd = -1, rc;

	/* Everything the head tells is checked before a byte is received. */
	if (!assignment_lesson_or_reply(req, GUARD_PROGRESS_WRITE, &id, &f))
		return;
	if ((rc = assignment_store_rules(req->db, id, &rules)) < 0) {
		if (rc == LMS_ENOTFOUND)
			http_reply_problem(req, 409, "assignment_not_set", NULL,
					   "the assignment has no due date set yet");
		else
			http_reply_error(req, rc);
		return;
	}
	n = http_req_query(req, "filename", name, sizeof(name));
	if (n <= 0 || strpbrk(name, "/\\") || !name_allowed(name)) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "filename", "message",
					     "must name a .pdf, .zip, .ipynb, .png, .jpg or .jpeg "
					     "file of 1 to 255 bytes, without / or \\"),
				   "the upload has invalid parts");
		return;
	}
	if (!strcmp(rules.accepts, "text")) {
		http_reply_problem(req, 409, "file_not_accepted", NULL,
				   "this assignment takes a text, not a file");
		return;
	}
	length = http_req_content_length(req);
	if (length <= 0) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "body", "message",
					     "must hold the file: it is empty"),
				   "the upload has invalid parts");
		return;
	}
	if (length > rules.max_file_bytes) {
		http_reply_problem(req, 413, "too_large", NULL,
				   "this assignment takes files of at most %lld MB",
				   rules.max_file_bytes / 1048576);
		return;
	}
	if ((rc = uploads_dir(req, root, sizeof(root))) < 0) {
		http_reply_error(req, rc);
		return;
	}
	if (!http_req_body_to_file_or_reply(req, root, &up))
		return;
	fd = open(up.path, O_RDONLY | O_CLOEXEC);
	unlink(up.path);
	if (fd < 0) {
		log_error("assignment: cannot reopen the upload %s: %s", up.path, strerror(errno));
		http_reply_error(req, LMS_EIO);
		return;
	}
	if (up.size > rules.max_file_bytes) {
		http_reply_problem(req, 413, "too_large", NULL,
				   "this assignment takes files of at most %lld MB",
				   rules.max_file_bytes / 1048576);
	} else if (!(type = file_type(name, fd, up.size))) {
		http_reply_problem(req, 415, "unsupported_media_type", NULL,
				   "the file's content is not what its name says: PDF, ZIP, "
				   "Jupyter notebook, PNG or JPEG only");
	} else if (http_req_db_or_reply(req)) {
		submit_and_reply(req, id, f.institution_id, NULL, name, type, up.size, up.sha256,
				 fd);
	}
	close(fd);
}

void assignment_queue(struct http_req *req)
{
	struct content_facts f;
	struct guard_target t;
	json_t *out = NULL;
	char status[16];
	long long id;
	bool all;
	int n, rc;

	if (!assignment_lesson_or_reply(req, GUARD_CONTENT_READ, &id, &f))
		return;
	t = lesson_target(&f, false);
	if (!guard_require_target_or_reply(req, GUARD_ENROLLMENT_GRADE, &t))
		return;
	n = http_req_query(req, "status", status, sizeof(status));
	if (n == 0 || n < -1) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "status", "message",
					     "must be submitted, graded or returned"),
				   "the query has invalid parts");
		return;
	}
	if (n > 0) {
		bool known = false;

		for (size_t i = 0; statuses[i]; i++)
			known |= !strcmp(status, statuses[i]);
		if (!known) {
			http_reply_problem(req, 400, "validation_failed",
					   json_pack("[{s:s, s:s}]", "field", "status", "message",
						     "must be submitted, graded or returned"),
					   "the query has invalid parts");
			return;
		}
	}
	all = guard_decide(&req->who, GUARD_CATALOG_MANAGE, f.institution_id) == GUARD_ALLOW;
	if ((rc = assignment_store_queue(req->db, id, req->who.user_id, all, n > 0 ? status : NULL,
					 &out)) < 0)
		http_reply_error(req, rc);
	else
		http_reply_json(req, 200, out);
	json_decref(out);
}

void assignment_submission_show(struct http_req *req)
{
	struct submission_facts f;
	json_t *out = NULL;
	long long id;
	int rc;

	if (!submission_or_reply(req, GUARD_ENROLLMENT_READ, &id, &f))
		return;
	if ((rc = assignment_store_submission_json(req->db, id, &out)) < 0)
		http_reply_error(req, rc);
	else
		http_reply_json(req, 200, out);
	json_decref(out);
}

/* The RFC 5987 ext-value of a UTF-8 file name: attr-chars as they are,
 * every other byte %XX, so no byte of it can end or add a header. */
static void filename_encode(const char *name, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t j = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p && j + 4 <= len; p++) {
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

void assignment_submission_file(struct http_req *req)
{
	char name[800], headers[1100];
	struct submission_facts f;
	struct blob_info blob;
	struct http_stream body;
	long long id;
	int rc;

	if (!submission_or_reply(req, GUARD_ENROLLMENT_READ, &id, &f))
		return;
	if (!f.sha256[0]) {
		http_reply_problem(req, 404, "not_found", NULL, "this submission has no file");
		return;
	}
	if ((rc = blob_stat(req->db, f.sha256, &blob)) < 0 || blob.size != f.size) {
		log_error("assignment: submission %lld: its file %s is missing or has %lld bytes, "
			  "not %lld (%s)", id, f.sha256, blob.size, f.size, lms_strerror(rc));
		http_reply_error(req, LMS_EIO);
		return;
	}
	http_req_db_release(req);
	filename_encode(f.filename, name, sizeof(name));
	/* Never inline: whatever the file holds, the browser saves it. */
	snprintf(headers, sizeof(headers),
		 "Content-Disposition: attachment; filename*=UTF-8''%s\r\n"
		 "Cache-Control: private, no-store\r\n",
		 name);
	http_stream_begin(&body, req, 200, f.content_type, blob.size, headers);
	http_stream_blob(&body, &blob, 0, blob.size);
	http_stream_end(&body);
}

void assignment_grade(struct http_req *req)
{
	struct submission_facts f;
	json_t *errors = NULL, *before = NULL, *out = NULL, *detail = NULL;
	const json_t *score;
	bool returning;
	long long id;
	int rc;

	if (!submission_or_reply(req, GUARD_ENROLLMENT_GRADE, &id, &f) ||
	    !schema_body_check_or_reply(req, &grade_schema, SCHEMA_CREATE, &errors))
		goto out;
	score = json_object_get(req->json, "score");
	returning = json_is_true(json_object_get(req->json, "return"));
	if (!errors && returning && score)
		http_json_error_add(&errors, "score", "a submission returned for revision has no "
						      "score");
	if (!errors && !returning && !score)
		http_json_error_add(&errors, "score", "is required unless return is true");
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the grade has invalid fields");
		errors = NULL;
		goto out;
	}
	if ((rc = db_begin(req->db)) < 0 ||
	    (rc = assignment_store_submission_json(req->db, id, &before)) < 0 ||
	    (rc = assignment_store_grade(req->db, id, req->who.user_id,
					 returning ? -1 : (long long)json_integer_value(score),
					 json_string_value(json_object_get(req->json, "feedback"))
						 ? json_string_value(
							   json_object_get(req->json, "feedback"))
						 : "")) < 0 ||
	    (rc = assignment_store_submission_json(req->db, id, &out)) < 0) {
		reply_assignment_error(req, rc, "grade");
		goto out;
	}
	detail = json_pack("{s:O, s:O, s:O, s:O, s:O}", "from_status",
			   json_object_get(before, "status"), "to_status",
			   json_object_get(out, "status"), "from_score",
			   json_object_get(before, "final_score"), "to_score",
			   json_object_get(out, "final_score"), "version",
			   json_object_get(out, "version"));
	audit_commit_reply(req, req->db,
			   &(struct audit_event){.action = "assignment_submission.grade",
						 .target_type = "assignment_submission",
						 .target_id = id,
						 .institution_id = f.institution_id,
						 .detail = detail},
			   200, out, NULL, NULL);
out:
	json_decref(errors);
	json_decref(before);
	json_decref(out);
	json_decref(detail);
}
