/* stream.c - a response body sent as it is made: chunked, or a known length */
#include "lms/http/stream.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <civetweb.h>

#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/http/response.h"

/* Bytes of a file read per write; on the heap, as CivetWeb's worker
 * stacks are small. */
#define FILE_CHUNK (64 * 1024)

void http_stream_begin(struct http_stream *s, struct http_req *req, int status,
		       const char *content_type, long long content_length,
		       const char *extra_headers)
{
	*s = (struct http_stream){.req = req, .left = content_length < 0 ? -1 : content_length,
				  .head = strcmp(req->method, "HEAD") == 0};
	http_reply_start(req, status, content_type, content_length, extra_headers);
}

int http_stream_write(struct http_stream *s, const void *data, size_t len)
{
	int n;

	if (s->head || len == 0)
		return 0;
	if (s->failed)
		return LMS_EIO;
	if (s->left >= 0 && (long long)len > s->left)
		return LMS_EINVAL;
	/* A short write (a stopping server writes nothing more) fails too. */
	n = s->left < 0 ? mg_send_chunk(s->req->conn, data, (unsigned)len)
			: mg_write(s->req->conn, data, len);
	if (n < 0 || (s->left >= 0 && (size_t)n != len) || n == 0) {
		s->failed = true;
		return LMS_EIO;
	}
	s->req->bytes_out += (long long)len;
	if (s->left >= 0)
		s->left -= (long long)len;
	return 0;
}

int http_stream_file(struct http_stream *s, int fd, long long offset, long long len)
{
	char *buf = NULL;
	int rc = 0;

	if (s->head || len <= 0)
		goto out;
	rc = LMS_ENOMEM;
	if (!(buf = malloc(FILE_CHUNK)))
		goto out;
	rc = 0;
	while (rc == 0 && len > 0) {
		ssize_t n = pread(fd, buf, len < FILE_CHUNK ? (size_t)len : FILE_CHUNK,
				  (off_t)offset);

		if (n <= 0) {
			rc = LMS_EIO;
			break;
		}
		rc = http_stream_write(s, buf, (size_t)n);
		offset += n;
		len -= n;
	}
out:
	free(buf);
	return rc;
}

/* One piece of b at offset (at most cap bytes) into buf, on a connection
 * taken for that read alone. */
static int blob_piece(struct http_stream *s, const struct blob_info *b, long long offset,
		      char *buf, size_t cap, size_t *got)
{
	char msg[256];
	int rc;

	if ((rc = http_req_db_acquire(s->req, msg, sizeof(msg))) < 0) {
		log_error("stream: file %s: %s", b->sha256, msg);
		return rc;
	}
	rc = blob_read(s->req->db, b, offset, buf, cap, got);
	http_req_db_release(s->req);
	return rc;
}

int http_stream_blob(struct http_stream *s, const struct blob_info *b, long long offset,
		     long long len)
{
	char *buf = NULL;
	size_t got = 0;
	int rc = 0;

	if (s->head || len <= 0)
		goto out;
	rc = LMS_ENOMEM;
	if (!(buf = malloc(BLOB_CHUNK_SIZE)))
		goto out;
	rc = 0;
	/* Each round sends at least one byte, or ends the loop. */
	while (rc == 0 && len > 0) {
		size_t cap = len < BLOB_CHUNK_SIZE ? (size_t)len : BLOB_CHUNK_SIZE;

		if ((rc = blob_piece(s, b, offset, buf, cap, &got)) == 0)
			rc = http_stream_write(s, buf, got);
		offset += (long long)got;
		len -= (long long)got;
	}
out:
	free(buf);
	return rc;
}

int http_stream_end(struct http_stream *s)
{
	if (s->head)
		return 0;
	if (!s->failed && (s->left < 0 ? mg_send_chunk(s->req->conn, "", 0) >= 0 : s->left == 0))
		return 0;
	http_stream_abort(s);
	return LMS_EIO;
}

void http_stream_abort(struct http_stream *s)
{
	http_req_close(s->req);
}
