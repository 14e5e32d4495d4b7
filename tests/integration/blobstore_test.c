/* blobstore_test.c - stored files against running servers: two instances on
 * one database, a large file streamed both ways, failed uploads, the move of
 * files kept on disk before */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "harness.h"
#include "lms/core/err.h"
#include "lms/db/blobstore.h"
#include "slowclient.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define CHUNK (256 * 1024)
#define LARGE (32 * 1024 * 1024)
#define B_LIMIT (1024 * 1024)

/* Two instances on one database: a serves with the default limits, b
 * with an upload limit of 1 MiB. Each has a data dir of its own. */
static struct lms_server a, b;
static char conninfo[1024];
static struct harness_actor admin;
static long long lesson;

/* ---- helpers ---- */

/* n pseudo-random bytes, none of them NUL (the harness sends bodies as
 * strings), then a NUL. */
static char *bytes_new(size_t n, unsigned seed)
{
	char *p = malloc(n + 1);
	unsigned x = seed | 1;

	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (char)(1 + x % 255);
	}
	p[n] = '\0';
	return p;
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	assert_int_equal(EVP_Digest(data, len, d, &dlen, EVP_sha256(), NULL), 1);
	for (unsigned int i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}

static long long sql_ll(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long sql_ll(const char *fmt, ...)
{
	char sql[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return harness_sql_llf(conninfo, "%s", sql);
}

/* A request to s as admin with extra header lines (NULL-ended). */
static void send_as_admin(const struct lms_server *s, const char *method, const char *path,
			  const char *const *extra, const char *body, struct http_result *r)
{
	char cookie[300], csrf[96];
	const char *headers[8] = {cookie, csrf, "Expect:"};
	int n = 3;

	snprintf(cookie, sizeof(cookie), "Cookie: %s", admin.cookie);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", admin.csrf);
	for (; extra && *extra && n < 7; extra++)
		headers[n++] = *extra;
	headers[n] = NULL;
	if (harness_request_once(s, method, path, headers, body, r) != 0)
		fail_msg("%s %s: no response", method, path);
}

/* Uploads body (a string) to the lesson through s as name; returns the
 * new attachment's id, or -1 with the answer in *r (released otherwise). */
static long long upload(const struct lms_server *s, const char *name, const char *body,
			struct http_result *r)
{
	const char *extra[] = {"Content-Type: application/zip", NULL};
	char path[256];
	long long id = -1;
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/lessons/%lld/attachments?filename=%s", lesson, name);
	send_as_admin(s, "POST", path, extra, body, r);
	if (r->status == 201 && (j = json_loads(r->body, 0, NULL))) {
		id = json_integer_value(json_object_get(j, "id"));
		json_decref(j);
		http_result_release(r);
	}
	return id;
}

static long long upload_ok(const struct lms_server *s, const char *name, const char *body)
{
	struct http_result r = {0};
	long long id = upload(s, name, body, &r);

	if (id <= 0)
		fail_msg("upload %s: expected 201, got %ld: %s", name, r.status, r.body);
	return id;
}

/* GET (or HEAD) of attachment id through s, with a Range when not NULL. */
static void fetch(const struct lms_server *s, const char *method, long long id,
		  const char *range, struct http_result *r)
{
	char path[128], h_range[128];
	const char *extra[] = {range ? h_range : NULL, NULL};

	snprintf(path, sizeof(path), "/api/v1/attachments/%lld", id);
	snprintf(h_range, sizeof(h_range), "Range: %s", range ? range : "");
	send_as_admin(s, method, path, extra, NULL, r);
}

/* Fails unless r is status with exactly the len bytes of want. */
static void assert_body(const struct http_result *r, long status, const char *want, size_t len)
{
	if (r->status != status || r->len != len || memcmp(r->body, want, len) != 0)
		fail_msg("expected %ld with %zu bytes, got %ld with %zu (%s)", status, len,
			 r->status, r->len, r->len == len ? "other bytes" : "a different length");
}

/* The rows of the store, to compare before and after. */
static void store_counts(long long out[3])
{
	out[0] = sql_ll("SELECT count(*) FROM blobs");
	out[1] = sql_ll("SELECT count(*) FROM blob_chunks");
	out[2] = sql_ll("SELECT count(*) FROM attachments");
}

static void assert_store_unchanged(const long long before[3])
{
	long long now[3];

	store_counts(now);
	if (memcmp(before, now, sizeof(now)) != 0)
		fail_msg("blobs, chunks, attachments went from %lld, %lld, %lld to %lld, %lld, %lld",
			 before[0], before[1], before[2], now[0], now[1], now[2]);
}

/* Regular files directly in dir (0 when it does not exist). */
static int files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_type == DT_REG;
	if (d)
		closedir(d);
	return n;
}

/* ---- fixture ---- */

static int setup(void **state)
{
	static char asan[512];
	/* ASan keeps freed memory in quarantine (256 MiB by default), which
	 * would look like growth; a small one still catches use after free. */
	const char *env_a[] = {asan, NULL};
	const char *env_b[] = {asan, "LMS_MAX_UPLOAD_BYTES=1MiB", NULL};

	snprintf(asan, sizeof(asan), "ASAN_OPTIONS=%s%squarantine_size_mb=4",
		 getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "",
		 getenv("ASAN_OPTIONS") ? ":" : "");
	if (harness_db_create("blobstore", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&a, conninfo, env_a) != 0 ||
	    harness_server_start(&b, conninfo, env_b) != 0)
		return -1;
	if (harness_login(&a, "gist-admin@example.com", DEMO_PASSWORD, &admin) != 0)
		return -1;
	lesson = harness_sql_llf(conninfo, "%s",
				 "SELECT l.id FROM lessons l"
				 " JOIN course_modules m ON m.id = l.module_id"
				 " JOIN courses c ON c.id = m.course_id"
				 " JOIN institutions i ON i.id = c.institution_id"
				 " WHERE i.code = 'gist' ORDER BY l.id LIMIT 1");
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	int ra = harness_server_stop(&a), rb = harness_server_stop(&b);

	return ra == 0 && rb == 0 ? 0 : -1;
}

/* ---- tests ---- */

/* Uploaded through one instance, read through the other: whole, in
 * ranges (one across a chunk boundary), and its head. */
static void one_database_two_instances(void **state)
{
	const size_t n = 2 * CHUNK + 75000;
	char *body = bytes_new(n, 7), sha[65], etag[80], got[128];
	struct http_result r = {0};
	long long id;

	sha256_hex(body, n, sha);
	id = upload_ok(&a, "shared.zip", body);
	assert_int_equal(sql_ll("SELECT count(*) FROM blob_chunks WHERE sha256 = '%s'", sha), 3);

	fetch(&b, "GET", id, NULL, &r);
	assert_body(&r, 200, body, n);
	snprintf(etag, sizeof(etag), "\"%s\"", sha);
	assert_non_null(http_result_header(&r, "ETag", got, sizeof(got)));
	assert_string_equal(got, etag);
	http_result_release(&r);

	fetch(&b, "GET", id, "bytes=262140-262150", &r);
	assert_body(&r, 206, body + 262140, 11);
	assert_non_null(http_result_header(&r, "Content-Range", got, sizeof(got)));
	assert_string_equal(got, "bytes 262140-262150/599288");
	http_result_release(&r);
	fetch(&b, "GET", id, "bytes=-10", &r);
	assert_body(&r, 206, body + n - 10, 10);
	http_result_release(&r);
	fetch(&b, "GET", id, "bytes=600000-", &r);
	assert_int_equal(r.status, 416);
	http_result_release(&r);

	fetch(&b, "HEAD", id, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 0);
	assert_non_null(http_result_header(&r, "Content-Length", got, sizeof(got)));
	assert_string_equal(got, "599288");
	http_result_release(&r);

	/* Nothing of it is on either instance's disk. */
	snprintf(got, sizeof(got), "%s/uploads", a.dir);
	assert_int_equal(files_in(got), 0);
	free(body);
}

/* 32 MiB in and out: byte for byte, and the server never holds it whole
 * (its growth stays far below the file's size: buffers of a chunk, and
 * ASan's quarantine of 4 MiB). */
static void a_large_file_streams(void **state)
{
	char *body = bytes_new(LARGE, 11);
	struct harness_rss_watch w;
	struct http_result r = {0};
	long before;
	long long id;

	/* Warm: TLS, pooled connections, a small file both ways. */
	id = upload_ok(&a, "warm.zip", "warm");
	fetch(&a, "GET", id, NULL, &r);
	http_result_release(&r);
	before = harness_rss_kb(a.pid);
	assert_true(before > 0);
	assert_int_equal(harness_rss_watch_start(&w, a.pid, before), 0);
	id = upload_ok(&a, "large.zip", body);
	fetch(&a, "GET", id, NULL, &r);
	harness_rss_watch_stop(&w);

	print_message("32 MiB file: server RSS %ld KiB before, peak %ld KiB (+%ld KiB) over %ld "
		      "samples\n",
		      before, w.peak_kb, w.peak_kb - before, w.samples);
	assert_body(&r, 200, body, LARGE);
	http_result_release(&r);
	free(body);
	if (w.peak_kb - before >= LARGE / 1024 / 2)
		fail_msg("the server grew by %ld KiB moving a file of %d KiB", w.peak_kb - before,
			 LARGE / 1024);
}

/* Waits at most limit_s for dir to hold n files; returns the seconds it
 * took, or fails the test saying what. */
static double wait_files(const char *dir, int n, double limit_s, const char *what)
{
	double start = harness_now();

	while (files_in(dir) != n && harness_now() < start + limit_s)
		slow_pause_ms(20);
	if (files_in(dir) != n)
		fail_msg("%s: %d files in %s after %.1f s, expected %d", what, files_in(dir), dir,
			 harness_now() - start, n);
	return harness_now() - start;
}



/* Sends the head of an upload of length bytes to s, then part bytes of
 * it; once the server is writing them to its temporary file in dir, goes
 * away with a reset, as a client that crashes does. */
static void upload_abandoned(const struct lms_server *s, const char *dir, long long length,
			     size_t part)
{
	struct slow_conn c = {0};
	char head[1024], *bytes = bytes_new(part, 3);

	snprintf(head, sizeof(head),
		 "POST /api/v1/lessons/%lld/attachments?filename=cut.zip HTTP/1.1\r\n"
		 "Host: localhost\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
		 "Content-Type: application/zip\r\nContent-Length: %lld\r\n\r\n",
		 lesson, admin.cookie, admin.csrf, length);
	assert_int_equal(slow_connect(&c, s, 0), 0);
	assert_int_equal(slow_send_str(&c, head, 5000), 0);
	assert_int_equal(slow_send(&c, bytes, part, 5000), 0);
	wait_files(dir, 1, 10, "an upload under way");
	assert_int_equal(setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &(struct linger){1, 0},
				    sizeof(struct linger)),
			 0);
	slow_close(&c);
	free(bytes);
}

/* Sends the head of an upload that declares length bytes to s and reads
 * the answer into raw; returns its status. */
static int upload_declared(const struct lms_server *s, long long length, char *raw,
			   size_t rawlen)
{
	char head[1024];
	int n = snprintf(head, sizeof(head),
			 "POST /api/v1/lessons/%lld/attachments?filename=big.zip HTTP/1.1\r\n"
			 "Host: localhost\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
			 "Content-Type: application/zip\r\nContent-Length: %lld\r\n"
			 "Connection: close\r\n\r\n",
			 lesson, admin.cookie, admin.csrf, length);

	return harness_raw_tls(s, head, (size_t)n, raw, rawlen) > 0 ? harness_raw_status(raw)
								      : -1;
}

/* An upload cut short, one over the limit, and one whose row fails after
 * its chunks were written: nothing of any of them stays. */
static void failed_uploads_leave_nothing(void **state)
{
	char raw[8192], dir[128], *body;
	struct http_result r = {0};
	long long before[3];

	store_counts(before);
	/* The client goes away a tenth of the way in. At most 30 s: a server
	 * that missed the reset still gives up after body_timeout_ms (10 s). */
	snprintf(dir, sizeof(dir), "%s/uploads", a.dir);
	upload_abandoned(&a, dir, 1 << 20, 100000);
	print_message("the cut upload's file was gone after %.2f s\n",
		      wait_files(dir, 0, 30, "an upload cut short"));
	assert_store_unchanged(before);

	/* More than b takes (uploads must say their length). */
	assert_int_equal(upload_declared(&b, B_LIMIT + 1, raw, sizeof(raw)), 413);
	assert_contains(raw, "\"body_too_large\"");
	snprintf(dir, sizeof(dir), "%s/uploads", b.dir);
	assert_int_equal(files_in(dir), 0);
	assert_store_unchanged(before);

	/* The attachment's row is refused after its 3 chunks went in: the
	 * transaction takes them back. */
	assert_int_equal(harness_sql(conninfo,
				     "CREATE FUNCTION refuse_attachment() RETURNS trigger"
				     " LANGUAGE plpgsql AS $$ BEGIN"
				     " RAISE EXCEPTION 'refused by the test'; END $$;"
				     "CREATE TRIGGER refuse_attachment BEFORE INSERT ON attachments"
				     " FOR EACH ROW WHEN (NEW.filename = 'refused.zip')"
				     " EXECUTE FUNCTION refuse_attachment()"),
			 0);
	body = bytes_new(2 * CHUNK + 10, 5);
	assert_int_equal(upload(&a, "refused.zip", body, &r), -1);
	assert_int_equal(r.status, 500);
	http_result_release(&r);
	assert_int_equal(harness_sql(conninfo, "DROP TRIGGER refuse_attachment ON attachments;"
					       "DROP FUNCTION refuse_attachment()"),
			 0);
	assert_store_unchanged(before);
	/* And the same bytes go in whole once nothing refuses them. */
	upload_ok(&a, "accepted.zip", body);
	free(body);
}

/* Writes len bytes of data as dir/<2 digits>/<name> (name: its hash, or
 * another when given). */
static void old_file(const char *dir, const char *data, size_t len, const char *name)
{
	char sha[65], path[PATH_MAX];
	FILE *f;

	sha256_hex(data, len, sha);
	if (!name)
		name = sha;
	snprintf(path, sizeof(path), "%s/%.2s", dir, name);
	mkdir(path, 0750);
	snprintf(path, sizeof(path), "%s/%.2s/%s", dir, name, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* rm -rf of a directory this test made under /tmp/lms-blob-import-. */
static void remove_tree(const char *dir)
{
	char cmd[128];

	assert_int_equal(strncmp(dir, "/tmp/lms-blob-import-", 21), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int migrate_in(const char *data_dir, char *out, size_t outlen)
{
	char env_db[1100], env_mig[PATH_MAX + 32], env_data[PATH_MAX + 16];
	const char *env[] = {env_db, env_mig, env_data, NULL};
	const char *argv[] = {"migrate", NULL};

	snprintf(env_db, sizeof(env_db), "LMS_DATABASE_URL=%s", conninfo);
	snprintf(env_mig, sizeof(env_mig), "LMS_MIGRATIONS_DIR=%s/migrations",
		 harness_source_dir());
	snprintf(env_data, sizeof(env_data), "LMS_DATA_DIR=%s", data_dir);
	return harness_lms_run(argv, env, out, outlen);
}

/* Files that an earlier version kept under data_dir/content move into the
 * database when `lms migrate` runs, once; a file that is not what its name
 * says stays where it is. */
static void old_files_move_into_the_database(void **state)
{
	const size_t n = CHUNK + 5000;
	char data_dir[64] = "/tmp/lms-blob-import-XXXXXX", content[128], path[PATH_MAX];
	char out[8192], sha[65], other[65], *big = bytes_new(n, 13);
	struct http_result r = {0};
	long long id;
	FILE *f;

	upload_ok(&a, "present.zip", "stored already");
	assert_non_null(mkdtemp(data_dir));
	snprintf(content, sizeof(content), "%s/content", data_dir);
	assert_int_equal(mkdir(content, 0750), 0);
	old_file(content, big, n, NULL);
	old_file(content, "old notes", 9, NULL);
	old_file(content, "stored already", 14, NULL);
	/* An upload of the old version that never finished: not a file of
	 * the store. */
	snprintf(path, sizeof(path), "%s/.upload-abc123", content);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);

	assert_int_equal(migrate_in(data_dir, out, sizeof(out)), 0);
	assert_contains(out, "2 files moved into the database");
	assert_contains(out, "(1 there already, 0 left on disk)");
	sha256_hex(big, n, sha);
	assert_int_equal(sql_ll("SELECT count(*) FROM blobs b WHERE sha256 = '%s' AND size = %zu"
				" AND (SELECT encode(sha256(string_agg(data, '' ORDER BY idx)),"
				" 'hex') FROM blob_chunks c WHERE c.sha256 = b.sha256) = sha256",
				sha, n),
			 1);
	snprintf(path, sizeof(path), "%s/%.2s", content, sha);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/.upload-abc123", content);
	assert_int_equal(access(path, F_OK), 0);

	/* Again: nothing more to move. */
	assert_int_equal(migrate_in(data_dir, out, sizeof(out)), 0);
	assert_contains(out, "0 files moved into the database");

	/* An attachment of before, served from the database by either. */
	id = sql_ll("INSERT INTO attachments (lesson_id, filename, content_type, size, sha256)"
		    " VALUES (%lld, 'old.zip', 'application/zip', %zu, '%s') RETURNING id",
		    lesson, n, sha);
	fetch(&b, "GET", id, NULL, &r);
	assert_body(&r, 200, big, n);
	http_result_release(&r);

	/* Bytes under a name that is not theirs: left, and said so. */
	sha256_hex("never stored", 12, other);
	old_file(content, "tampered", 8, other);
	assert_int_equal(migrate_in(data_dir, out, sizeof(out)), 1);
	assert_contains(out, "0 files moved into the database");
	assert_contains(out, "1 left on disk");
	snprintf(path, sizeof(path), "%s/%.2s/%s", content, other, other);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(sql_ll("SELECT count(*) FROM blobs WHERE sha256 = '%s'", other), 0);
	free(big);
	remove_tree(data_dir);
}

/* SHA-256 of "hello". */
#define HELLO_HASH "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

/* The store's functions on a connection of their own. */
static void the_store_itself(void **state)
{
	static const char *const bad[] = {
		"", "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
		"../../../../etc/passwd", HELLO_HASH "0", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1",
	};
	struct db_conn c = {0};
	struct blob_info info;
	char hash[BLOB_HASH_LEN + 1], buf[8];
	size_t got;
	FILE *f;

	assert_int_equal(db_conn_open(&c, conninfo), 0);
	/* Stored once, however often it is put. */
	assert_int_equal(db_begin(&c), 0);
	assert_int_equal(blob_put(&c, "hello", 5, hash), 1);
	assert_string_equal(hash, HELLO_HASH);
	assert_int_equal(blob_put(&c, "hello", 5, hash), 0);
	assert_int_equal(db_commit(&c), 0);
	assert_int_equal(blob_stat(&c, HELLO_HASH, &info), 0);
	assert_int_equal(info.size, 5);
	assert_int_equal(info.chunk_size, BLOB_CHUNK_SIZE);
	assert_int_equal(blob_read(&c, &info, 1, buf, 3, &got), 0);
	assert_int_equal(got, 3);
	assert_memory_equal(buf, "ell", 3);
	assert_int_equal(blob_read(&c, &info, 3, buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 2);
	assert_int_equal(blob_read(&c, &info, 5, buf, sizeof(buf), &got), LMS_EINVAL);
	assert_int_equal(blob_read(&c, &info, -1, buf, sizeof(buf), &got), LMS_EINVAL);

	/* Empty: a blob without chunks. */
	assert_int_equal(blob_put(&c, "", 0, hash), 1);
	assert_int_equal(blob_stat(&c, hash, &info), 0);
	assert_int_equal(info.size, 0);

	/* Bytes under a name that is not theirs never enter. */
	assert_non_null(f = tmpfile());
	assert_int_equal(fwrite("hellO", 1, 5, f), 5);
	fflush(f);
	sha256_hex("other bytes", 11, hash);
	assert_int_equal(db_begin(&c), 0);
	assert_int_equal(blob_put_fd(&c, fileno(f), hash, 5), LMS_EINVAL);
	assert_int_equal(db_rollback(&c), 0);
	assert_int_equal(blob_stat(&c, hash, &info), LMS_ENOTFOUND);
	/* Nor a file shorter than said. */
	sha256_hex("hellO", 5, hash);
	assert_int_equal(db_begin(&c), 0);
	assert_int_equal(blob_put_fd(&c, fileno(f), hash, 6), LMS_EIO);
	assert_int_equal(db_rollback(&c), 0);
	assert_int_equal(blob_put_fd(&c, fileno(f), hash, 5), 1);
	fclose(f);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(blob_hash_valid(bad[i]));
		assert_int_equal(blob_stat(&c, bad[i], &info), LMS_EINVAL);
	}
	assert_false(blob_hash_valid(NULL));
	assert_int_equal(blob_stat(&c, "00000000000000000000000000000000"
				       "00000000000000000000000000000000", &info),
			 LMS_ENOTFOUND);
	db_conn_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_store_itself),
		cmocka_unit_test(one_database_two_instances),
		cmocka_unit_test(a_large_file_streams),
		cmocka_unit_test(failed_uploads_leave_nothing),
		cmocka_unit_test(old_files_move_into_the_database),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
