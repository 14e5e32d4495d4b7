/* oneroster_http.c - handler: an institution's rostering data as a
 * OneRoster 1.2 CSV archive */
#include "lms/reports/oneroster_http.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "lms/auth/guard.h"
#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/stream.h"
#include "lms/reports/oneroster.h"
#include "lms/reports/oneroster_store.h"
#include "lms/service/audit.h"

/* CSV text is moved to its file each time it grows past this, so memory
 * holds one batch of rows whatever the size of the institution. */
#define SPILL_BYTES (64 * 1024)

/* An export being built: the files' text and the temporary files it is
 * moved to, which the archive is made of. */
struct build {
	struct oneroster_export x;
	enum oneroster_file source; /* of the rows being read */
	FILE *spill[ONEROSTER_NFILES];
};

static const char *temp_dir(void)
{
	const char *d = getenv("TMPDIR");

	return d && *d ? d : "/tmp";
}

/* Creates a new temporary file, writing its name into path: its
 * descriptor (open for reading and writing), or -1. */
static int temp_create(char *path, size_t len)
{
	snprintf(path, len, "%s/lms-oneroster-XXXXXX", temp_dir());
	return mkostemp(path, O_CLOEXEC);
}

/* A temporary file that disappears when closed. */
static FILE *temp_stream(void)
{
	char path[PATH_MAX];
	int fd = temp_create(path, sizeof(path));
	FILE *f;

	if (fd < 0)
		return NULL;
	unlink(path);
	if (!(f = fdopen(fd, "w+")))
		close(fd);
	return f;
}

/* Moves the text of every file that grew past SPILL_BYTES (all of it,
 * with all) to its temporary file. */
static int spill(struct build *b, bool all)
{
	for (int f = 0; f < ONEROSTER_NFILES; f++) {
		struct csv_writer *w = &b->x.files[f];

		if (w->err)
			return w->err;
		if (!w->len || (!all && w->len < SPILL_BYTES))
			continue;
		if (fwrite(w->data, 1, w->len, b->spill[f]) != w->len)
			return LMS_EIO;
		csv_writer_clear(w);
	}
	return 0;
}

static int row_add(void *ctx, const struct oneroster_row *r)
{
	struct build *b = ctx;
	int rc = oneroster_row_add(&b->x, b->source, r);

	return rc < 0 ? rc : spill(b, false);
}

/* Writes every data file of institution org into b, reading in the
 * transaction open on db. */
static int build_files(struct db_conn *db, const struct oneroster_institution *org,
		       const char *lang, struct build *b)
{
	static const enum oneroster_file sources[] = {
		ONEROSTER_ACADEMIC_SESSIONS, ONEROSTER_COURSES, ONEROSTER_CLASSES,
		ONEROSTER_USERS, ONEROSTER_ENROLLMENTS,
	};
	int rc;

	if ((rc = oneroster_export_init(&b->x, org->id, lang)) < 0)
		return rc;
	for (int f = 0; f < ONEROSTER_NFILES; f++)
		if (!(b->spill[f] = temp_stream()))
			return LMS_EIO;
	b->source = ONEROSTER_ORGS;
	if ((rc = row_add(b, &(struct oneroster_row){.id = org->id, .code = org->code,
						     .title = org->name})) < 0)
		return rc;
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		b->source = sources[i];
		if ((rc = oneroster_store_read(db, org->id, lang, sources[i], row_add, b)) < 0)
			return rc;
	}
	if ((rc = spill(b, true)) < 0)
		return rc;
	for (int f = 0; f < ONEROSTER_NFILES; f++)
		if (fflush(b->spill[f]) != 0)
			return LMS_EIO;
	return 0;
}

/* Adds the file at *fp to the archive (which then owns and closes it). */
static int zip_add_stream(zip_t *za, const char *name, FILE **fp)
{
	zip_source_t *src;

	/* libzip reads from where the stream stands, not from its start. */
	rewind(*fp);
	if (!(src = zip_source_filep(za, *fp, 0, -1)))
		return LMS_EIO;
	*fp = NULL;
	if (zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8) < 0) {
		zip_source_free(src);
		return LMS_EIO;
	}
	return 0;
}

/*
 * Packs manifest.csv (manifest, mlen bytes) and b's files into a ZIP
 * archive in a temporary file: *fd is open on it for reading (its name is
 * already gone) and *size its length.
 */
static int zip_build(struct build *b, const char *manifest, size_t mlen, int *fd,
		     long long *size)
{
	char path[PATH_MAX];
	zip_source_t *src;
	struct stat st;
	zip_t *za = NULL;
	int rc = LMS_EIO, tmp, zerr;

	if ((tmp = temp_create(path, sizeof(path))) < 0)
		return LMS_EIO;
	close(tmp);
	if (!(za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr)))
		goto out;
	if (!(src = zip_source_buffer(za, manifest, mlen, 0)))
		goto out;
	if (zip_file_add(za, "manifest.csv", src, ZIP_FL_ENC_UTF_8) < 0) {
		zip_source_free(src);
		goto out;
	}
	for (int f = 0; f < ONEROSTER_NFILES; f++)
		if (zip_add_stream(za, oneroster_file_name(f), &b->spill[f]) < 0)
			goto out;
	/* The archive is written (and the files compressed) here. */
	if (zip_close(za) < 0) {
		log_error("oneroster: the archive cannot be written: %s", zip_strerror(za));
		goto out;
	}
	za = NULL;
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		goto out;
	if (fstat(*fd, &st) < 0) {
		close(*fd);
		*fd = -1;
		goto out;
	}
	*size = (long long)st.st_size;
	rc = 0;
out:
	if (za)
		zip_discard(za);
	unlink(path);
	return rc;
}

static void build_release(struct build *b)
{
	for (int f = 0; f < ONEROSTER_NFILES; f++)
		if (b->spill[f])
			fclose(b->spill[f]);
	oneroster_export_release(&b->x);
}

/* {"format", "lang", "rows": {"<file>": n, ...}} (new). */
static json_t *audit_detail(const struct build *b, const char *lang)
{
	json_t *rows = json_object();

	for (int f = 0; rows && f < ONEROSTER_NFILES; f++)
		json_object_set_new(rows, oneroster_file_name(f), json_integer(b->x.rows[f]));
	return json_pack("{s:s, s:s, s:o*}", "format", "oneroster-1.2", "lang", lang, "rows", rows);
}

void oneroster_report(struct http_req *req)
{
	struct oneroster_institution org;
	struct csv_writer manifest = {0};
	struct build b = {0};
	struct http_stream body;
	struct db_conn *db = NULL;
	const char *lang = http_req_lang(req);
	json_t *detail = NULL;
	long long named, inst, size = 0;
	char headers[160];
	int rc, fd = -1;

	if (!http_req_query_id_or_reply(req, "institution_id", &named) ||
	    !(inst = guard_institution_or_reply(req, named)) ||
	    !guard_require_or_reply(req, GUARD_REPORTS_READ, inst) || !http_req_db_or_reply(req) ||
	    !(db = http_req_read_db_or_reply(req)))
		goto out;
	if ((rc = oneroster_store_institution(db, inst, lang, &org)) < 0)
		goto fail;

	/* The files are read from one snapshot (of the report database, which
	 * may be a replica), packed, and their reading recorded (on the
	 * primary) before that ends; sent only once both succeeded: personal
	 * data never leaves without its trail. */
	if ((rc = oneroster_store_begin(db)) < 0)
		goto fail;
	if ((rc = build_files(db, &org, lang, &b)) < 0 ||
	    (rc = csv_writer_init(&manifest, false)) < 0 ||
	    (rc = oneroster_manifest_write(&manifest)) < 0 ||
	    (rc = zip_build(&b, manifest.data, manifest.len, &fd, &size)) < 0)
		goto rollback;
	rc = LMS_ENOMEM;
	if (!(detail = audit_detail(&b, lang)))
		goto rollback;
	if (audit_record(req, &(struct audit_event){.action = "report.oneroster",
						    .target_type = "institution",
						    .target_id = inst,
						    .institution_id = inst,
						    .detail = detail}) < 0 ||
	    db_commit(db) < 0) {
		db_rollback(db);
		http_reply_problem(req, 503, "unavailable", NULL,
				   "the export cannot be sent: its reading could not be recorded "
				   "in the audit log; try again");
		goto out;
	}

	snprintf(headers, sizeof(headers),
		 "Content-Disposition: attachment; filename=\"oneroster-%s.zip\"\r\n", org.code);
	/* A transfer cut short ends with the connection, fewer bytes than
	 * Content-Length promised. */
	http_stream_begin(&body, req, 200, "application/zip", size, headers);
	http_stream_file(&body, fd, 0, size);
	http_stream_end(&body);
	goto out;
rollback:
	db_rollback(db);
fail:
	http_reply_error(req, rc);
out:
	if (fd >= 0)
		close(fd);
	build_release(&b);
	csv_writer_release(&manifest);
	json_decref(detail);
}
