/* content_http.c - handlers: course content (syllabus, lessons, files, progress) */
#include "lms/catalog/content_http.h"

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
#include "lms/catalog/admin_store.h"
#include "lms/catalog/catalog_store.h"
#include "lms/catalog/content_store.h"
#include "lms/catalog/markdown.h"
#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/db/blobstore.h"
#include "lms/db/pool.h"
#include "lms/db/sql.h"
#include "lms/http/conditional.h"
#include "lms/http/range.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/http/server.h"
#include "lms/http/stream.h"
#include "lms/service/audit.h"

#define FILENAME_MAX_BYTES 255

/* What a lesson may carry: documents, slides, sheets, images, archives,
 * video. Anything else (HTML, SVG, scripts) could run in a browser. */
static const char *const upload_types[] = {
	"application/pdf",
	"image/png",
	"image/jpeg",
	"text/plain",
	"text/markdown",
	"application/zip",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"video/mp4",
};

/* The allowed media type ct names (parameters aside) as our own constant,
 * so what is stored and later sent back is never the client's bytes; NULL
 * when it is not allowed. */
static const char *upload_type(const char *ct)
{
	size_t n;

	if (!ct)
		return NULL;
	n = strcspn(ct, ";");
	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < sizeof(upload_types) / sizeof(upload_types[0]); i++)
		if (strlen(upload_types[i]) == n && strncasecmp(ct, upload_types[i], n) == 0)
			return upload_types[i];
	return NULL;
}

/* The directory an upload is received into, made when missing: a file
 * stays there only until its bytes are in the database. */
static int uploads_dir(const struct http_req *req, char *buf, size_t len)
{
	const char *data_dir = req->app->cfg->data_dir;

	if ((size_t)snprintf(buf, len, "%s/uploads", data_dir) >= len)
		return LMS_EIO;
	if ((mkdir(data_dir, 0750) != 0 && errno != EEXIST) ||
	    (mkdir(buf, 0750) != 0 && errno != EEXIST)) {
		log_error("content: cannot create %s: %s", buf, strerror(errno));
		return LMS_EIO;
	}
	return 0;
}

/* The guard's view of a course for this caller. Reading counts finished
 * enrolments too; progress only one still running. */
static struct guard_target target_of(const struct content_facts *f, bool active_only)
{
	return (struct guard_target){
		.institution_id = f->institution_id,
		.enrolled = active_only ? f->enrolled_active : f->enrolled,
		.teaches = f->teaches,
		.hidden = !f->published,
	};
}

/* Path parameter 0 as a lesson, its course's facts for the caller, and
 * action checked against them. Replies and returns false when the request
 * must stop; req->db is the request's connection otherwise. */
static bool lesson_or_reply(struct http_req *req, enum guard_action action, long long *id,
			    struct content_facts *f)
{
	struct guard_target t;
	struct db_conn *db;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, id) || !(db = http_req_db_or_reply(req)))
		return false;
	if ((rc = content_store_lesson_facts(db, *id, req->who.user_id, f)) < 0) {
		http_reply_error(req, rc);
		return false;
	}
	t = target_of(f, action == GUARD_PROGRESS_WRITE);
	return guard_require_target_or_reply(req, action, &t);
}

void content_syllabus(struct http_req *req)
{
	json_t *syllabus = NULL;
	long long id, inst;
	struct db_conn *db;
	bool published, replied, teaches = false;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = catalog_store_course_owner(db, id, &inst, &published)) < 0)
		goto fail;
	/* An unpublished course's syllabus is for those who write it: its
	 * institution's admins and the instructors of its sections. */
	if (!published && !guard_allows(req, GUARD_CATALOG_MANAGE, inst, &replied)) {
		if (replied)
			goto out;
		if (req->who.user_id &&
		    (rc = admin_store_teaches(db, id, req->who.user_id, &teaches)) < 0)
			goto fail;
		if (!teaches) {
			http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
			goto out;
		}
	}
	if ((rc = content_store_syllabus(db, id, http_req_lang(req), &syllabus)) < 0)
		goto fail;
	http_reply_json(req, 200, syllabus);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	json_decref(syllabus);
}

void content_lesson(struct http_req *req)
{
	struct content_facts f;
	struct guard_target t;
	json_t *lesson = NULL, *md;
	char *html = NULL;
	long long id;
	int rc;

	if (!lesson_or_reply(req, GUARD_CONTENT_READ, &id, &f))
		goto out;
	if ((rc = content_store_lesson(req->db, id, req->who.user_id, http_req_lang(req),
				       &lesson)) < 0)
		goto fail;
	md = json_object_get(lesson, "body_md");
	rc = LMS_ENOMEM;
	if (!(html = markdown_html_render(json_string_value(md) ? json_string_value(md) : "",
					  json_string_length(md))) ||
	    json_object_set_new(lesson, "body_html", json_string(html)) < 0)
		goto fail;
	/* The source is for those who may change the lesson (its
	 * institution's admins and the course's instructors): whoever may
	 * attach files to it. */
	t = target_of(&f, false);
	if (guard_decide_target(&req->who, GUARD_CONTENT_UPLOAD, &t) != GUARD_ALLOW)
		json_object_del(lesson, "body_md");
	http_reply_json(req, 200, lesson);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	free(html);
	json_decref(lesson);
}

/* Reads ?filename= into name (FILENAME_MAX_BYTES + 1 bytes); adds an error
 * naming it to *errors when it is missing or not a plain file name. The
 * name is only data: it never becomes a path. */
static void filename_check(const struct http_req *req, char *name, json_t **errors)
{
	int n = http_req_query(req, "filename", name, FILENAME_MAX_BYTES + 1);

	if (n == -1)
		http_json_error_add(errors, "filename", "is required: name the file in ?filename=");
	else if (n <= 0)
		http_json_error_add(errors, "filename",
				    "must be 1 to 255 bytes of UTF-8 without control characters");
	else if (strpbrk(name, "/\\"))
		http_json_error_add(errors, "filename", "must not contain / or \\");
	else if (!strcmp(name, ".") || !strcmp(name, ".."))
		http_json_error_add(errors, "filename", "must name a file");
}

/* Stores the bytes of fd as file's blob, file's row and its audit record
 * in one transaction: all of them or none. *row: the row's JSON (new). */
static int attachment_store(struct http_req *req, const struct content_file *file,
			    long long institution_id, int fd, json_t **row)
{
	json_t *detail = json_pack("{s:I, s:s, s:s, s:I, s:s}", "lesson_id",
				   (json_int_t)file->lesson_id, "filename", file->filename,
				   "content_type", file->content_type, "size", (json_int_t)file->size,
				   "sha256", file->sha256);
	int rc;

	if ((rc = db_begin(req->db)) < 0 ||
	    (rc = blob_put_fd(req->db, fd, file->sha256, file->size)) < 0 ||
	    (rc = content_store_attachment_add(req->db, file, req->who.user_id, row)) < 0 ||
	    (rc = audit_record(req, &(struct audit_event){
					    .action = "attachment.create",
					    .target_type = "attachment",
					    .target_id = json_integer_value(json_object_get(*row, "id")),
					    .institution_id = institution_id,
					    .detail = detail})) < 0 ||
	    (rc = db_commit(req->db)) < 0)
		db_rollback(req->db);
	json_decref(detail);
	/* The file we received is not what its digest says: our fault. */
	return rc == LMS_EINVAL ? LMS_EIO : rc;
}

void content_attachment_upload(struct http_req *req)
{
	struct content_file file = {0};
	struct content_facts f;
	struct http_upload up;
	json_t *errors = NULL, *row = NULL;
	char root[PATH_MAX], location[96];
	const char *type;
	long long id;
	int fd = -1, rc;

	/* Who may attach is settled before the file is looked at, and
	 * everything the head can tell before a byte of the file is read:
	 * whoever may not learns nothing from the checks of what they sent,
	 * and nobody's refused upload is received first. */
	if (!lesson_or_reply(req, GUARD_CONTENT_UPLOAD, &id, &f))
		goto out;
	filename_check(req, file.filename, &errors);
	if (http_req_content_length(req) <= 0)
		http_json_error_add(&errors, "body", "must hold the file: it is empty");
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the upload has invalid parts");
		goto out;
	}
	if (!(type = upload_type(http_req_header(req, "Content-Type")))) {
		http_reply_problem(req, 415, "unsupported_media_type", NULL,
				   "this type of file cannot be attached: PDF, PNG, JPEG, plain "
				   "text, Markdown, ZIP, Word, PowerPoint, Excel or MP4 only");
		goto out;
	}
	if ((rc = uploads_dir(req, root, sizeof(root))) < 0)
		goto fail;
	/* The file goes to disk as it arrives, never whole into memory, and
	 * from there into the database chunk by chunk. Unlinked at once, it
	 * is gone however the request ends. */
	if (!http_req_body_to_file_or_reply(req, root, &up))
		goto out;
	fd = open(up.path, O_RDONLY | O_CLOEXEC);
	unlink(up.path);
	if (fd < 0) {
		log_error("content: cannot reopen the upload %s: %s", up.path, strerror(errno));
		rc = LMS_EIO;
		goto fail;
	}
	if (!http_req_db_or_reply(req))
		goto out;
	file.lesson_id = id;
	file.size = up.size;
	snprintf(file.sha256, sizeof(file.sha256), "%s", up.sha256);
	snprintf(file.content_type, sizeof(file.content_type), "%s", type);
	if ((rc = attachment_store(req, &file, f.institution_id, fd, &row)) < 0)
		goto fail;
	snprintf(location, sizeof(location), "Location: /api/v1/attachments/%lld\r\n",
		 (long long)json_integer_value(json_object_get(row, "id")));
	http_reply_json_headers(req, 201, row, location);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	if (fd >= 0)
		close(fd);
	json_decref(row);
}

/* The RFC 5987 ext-value of a UTF-8 file name for filename*=: attr-chars
 * as they are, every other byte %XX. The name never reaches the header
 * raw, so no byte of it can end or add a header. */
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

void content_attachment_download(struct http_req *req)
{
	char name[800], headers[1200], etag[BLOB_HASH_LEN + 3];
	long long id, size, first = 0, last = 0;
	struct blob_info blob;
	struct content_file file;
	struct content_facts f;
	struct guard_target t;
	struct http_stream body;
	enum http_range_kind range;
	const char *if_range, *type;
	int rc, n;

	if (!http_req_param_id_or_reply(req, 0, &id) || !http_req_db_or_reply(req))
		goto out;
	if ((rc = content_store_attachment(req->db, id, req->who.user_id, &f, &file)) < 0)
		goto fail;
	t = target_of(&f, false);
	if (!guard_require_target_or_reply(req, GUARD_CONTENT_READ, &t))
		goto out;
	if ((rc = blob_stat(req->db, file.sha256, &blob)) < 0 || blob.size != file.size) {
		log_error("content: attachment %lld: its file %s is missing or has %lld bytes, not "
			  "%lld (%s)", id, file.sha256, blob.size, file.size, lms_strerror(rc));
		rc = LMS_EIO;
		goto fail;
	}
	/* Sending a large file to a slow client takes long: the connection
	 * goes back to the pool, and is taken again only to read a chunk. */
	http_req_db_release(req);
	size = blob.size;
	snprintf(etag, sizeof(etag), "\"%s\"", file.sha256);
	/* A copy the client holds needs no sending again (Range is then
	 * ignored, RFC 9110 13.2.2). */
	snprintf(headers, sizeof(headers), "ETag: %s\r\nAccept-Ranges: bytes\r\n", etag);
	if (http_reply_not_modified(req, etag, headers))
		goto out;
	range = http_range_parse(http_req_header(req, "Range"), size, &first, &last);
	/* A range of another version is no range of this one. */
	if_range = http_req_header(req, "If-Range");
	if (if_range && strcmp(if_range, etag) != 0)
		range = HTTP_RANGE_NONE;
	if (range == HTTP_RANGE_UNSATISFIABLE) {
		snprintf(headers, sizeof(headers),
			 "Content-Range: bytes */%lld\r\nAccept-Ranges: bytes\r\n", size);
		http_reply_problem_headers(req, 416, "range_not_satisfiable", NULL, headers,
					   "the range lies outside the file of %lld bytes", size);
		goto out;
	}
	if (range == HTTP_RANGE_NONE) {
		first = 0;
		last = size - 1;
	}
	filename_encode(file.filename, name, sizeof(name));
	n = snprintf(headers, sizeof(headers),
		     "Content-Disposition: attachment; filename*=UTF-8''%s\r\n"
		     "ETag: %s\r\nAccept-Ranges: bytes\r\n",
		     name, etag);
	if (range == HTTP_RANGE_ONE)
		snprintf(headers + n, sizeof(headers) - (size_t)n,
			 "Content-Range: bytes %lld-%lld/%lld\r\n", first, last, size);
	/* Only types of the list were stored; anything else in the row is
	 * not sent as a header. */
	type = upload_type(file.content_type);
	/* The file is never held in memory whole; a transfer cut short ends
	 * with the connection, fewer bytes than Content-Length promised. */
	http_stream_begin(&body, req, range == HTTP_RANGE_ONE ? 206 : 200,
			  type ? type : "application/octet-stream", last - first + 1, headers);
	http_stream_blob(&body, &blob, first, last - first + 1);
	http_stream_end(&body);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	return;
}

/* A body with no fields. */
static const struct schema nothing_schema = {NULL, 0};

void content_lesson_complete(struct http_req *req)
{
	struct content_facts f;
	json_t *done = NULL;
	long long id, completed, total;
	int rc;

	/* Nothing needs saying; a body, if any, must be an empty object. */
	if (req->json && !schema_body_or_reply(req, &nothing_schema, SCHEMA_CREATE))
		goto out;
	if (!lesson_or_reply(req, GUARD_PROGRESS_WRITE, &id, &f))
		goto out;
	if ((rc = content_store_lesson_complete(req->db, req->who.user_id, id, &done)) < 0 ||
	    (rc = content_store_course_progress(req->db, req->who.user_id, f.course_id,
						&completed, &total)) < 0)
		goto fail;
	json_object_set_new(done, "course_progress",
			    json_pack("{s:I, s:I}", "completed", (json_int_t)completed, "total",
				      (json_int_t)total));
	http_reply_json(req, 200, done);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	json_decref(done);
}
