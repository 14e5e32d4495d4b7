/* stream.h - a response body sent as it is made: chunked, or a known length */
#ifndef LMS_HTTP_STREAM_H
#define LMS_HTTP_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "lms/db/blobstore.h"
#include "lms/http/request.h"

/*
 * The one way a handler writes a body of its own (reports, files) without
 * touching the socket. A stream that does not end whole ends so that its
 * client sees the loss: a chunked one without its last chunk, a fixed one
 * with fewer bytes than its Content-Length, and the connection closes
 * either way. For HEAD the head alone is sent and writes do nothing.
 * Caller-owned, on the stack; nothing to release.
 */
struct http_stream {
	struct http_req *req;   /* borrowed */
	long long left;         /* a fixed length: bytes still owed; -1 chunked */
	bool head;              /* a HEAD request: no body goes out */
	bool failed;            /* a write failed: the client is gone */
};

/*
 * Starts the reply (http_reply_start: status, security headers,
 * extra_headers): content_length < 0 for a chunked body, else the exact
 * number of bytes the stream will carry.
 */
void http_stream_begin(struct http_stream *s, struct http_req *req, int status,
		       const char *content_type, long long content_length,
		       const char *extra_headers);

/* Sends len bytes (one chunk when chunked). Returns 0, LMS_EIO when the
 * client is gone, LMS_EINVAL for more than a fixed length owes. */
int http_stream_write(struct http_stream *s, const void *data, size_t len);

/* Sends len bytes of fd from offset, never holding the file whole in
 * memory. Returns 0, or LMS_EIO when the file ends early or the client is
 * gone. */
int http_stream_file(struct http_stream *s, int fd, long long offset, long long len);

/*
 * Sends len bytes of the stored blob b from offset, a chunk at a time,
 * never the whole file in memory: the request holds a database connection
 * only while it reads a chunk, none while the client takes it. Returns 0,
 * or LMS_EIO (or another lms_err) when a chunk cannot be read or the client
 * is gone.
 */
int http_stream_blob(struct http_stream *s, const struct blob_info *b, long long offset,
		     long long len);

/* Ends the body: the last chunk, or a check that every promised byte went.
 * Returns 0; LMS_EIO when it could not end whole (then it was aborted). */
int http_stream_end(struct http_stream *s);

/* Cuts the body short on purpose: no last chunk, and the connection
 * closes (http_req_close), which is how the client learns of it. */
void http_stream_abort(struct http_stream *s);

#endif
