/* static.c - files of static/ with MIME types, validators, no traversal */

/*
 * Not CivetWeb's own file sending: mg_send_mime_file2 of 1.15 (read in
 * src/civetweb.c at v1.15, handle_static_file_request and its callers)
 * cannot give what this does:
 * - its 304 carries only the configured additional_header, never the
 *   headers passed to it, so a 304 would lose X-Request-Id (new for each
 *   response) and our security headers that response.c adds;
 * - a missing file, a directory or a failed open is its own text/plain
 *   error (403 for a directory, a 500 that names the path), not our
 *   problem+json 404;
 * - its ETag is the mtime in seconds and the size, so a file rewritten
 *   within a second at the same size keeps its ETag (ours has the
 *   nanoseconds), and If-None-Match must equal it whole: a list of tags
 *   never matches;
 * - it stats and opens by path again, after our realpath confinement, and
 *   serves name.gz in place of name to a client that accepts gzip without
 *   sending Vary: Accept-Encoding, so a shared cache may hand gzip to a
 *   client that did not ask for it;
 * - its Range is sscanf("bytes=%lld-%lld"): a suffix range is ignored, of
 *   several ranges the first is served, an end at or past the end of the
 *   file makes Content-Length one byte too long, a start past it gives a
 *   negative length instead of 416, and there is no If-Range.
 * Range is range.c's, for downloads whose bytes come from PostgreSQL,
 * which no mg_send_* function can send since they take a path.
 */
#include "lms/http/static.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lms/http/conditional.h"
#include "lms/http/response.h"
#include "lms/http/server.h"
#include "lms/http/stream.h"

static const struct {
	const char *ext;
	const char *type;
} mime_types[] = {
	{".html", "text/html; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".json", "application/json"},
	{".webmanifest", "application/manifest+json"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".jpg", "image/jpeg"},
	{".jpeg", "image/jpeg"},
	{".gif", "image/gif"},
	{".webp", "image/webp"},
	{".ico", "image/x-icon"},
	{".txt", "text/plain; charset=utf-8"},
	{".woff2", "font/woff2"},
	{".pdf", "application/pdf"},
};

static const char *mime_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && !strchr(dot, '/'))
		for (size_t i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
			if (strcasecmp(dot, mime_types[i].ext) == 0)
				return mime_types[i].type;
	return "application/octet-stream";
}

/* True when some segment of path starts with '.': covers ".", ".." and
 * dotfiles such as .git or .env. */
static bool has_hidden_segment(const char *path)
{
	for (const char *p = path; (p = strchr(p, '/')); p++)
		if (p[1] == '.')
			return true;
	return false;
}

void static_serve(struct http_req *req)
{
	const char *root = req->app->static_root;
	const char *rel = strcmp(req->path, "/") == 0 ? "/index.html" : req->path;
	char joined[PATH_MAX], *real = NULL, etag[64], extra[160];
	struct http_stream body;
	struct stat st;
	size_t rootlen = strlen(root);
	int fd = -1;

	if (has_hidden_segment(rel) || snprintf(joined, sizeof(joined), "%s%s", root, rel) >=
					       (int)sizeof(joined))
		goto not_found;
	/* The resolved file must still lie under the root: this catches
	 * symbolic links that point elsewhere. */
	if (!(real = realpath(joined, NULL)) || strncmp(real, root, rootlen) != 0 ||
	    real[rootlen] != '/')
		goto not_found;
	if ((fd = open(real, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0 ||
	    !S_ISREG(st.st_mode))
		goto not_found;

	snprintf(etag, sizeof(etag), "\"%llx-%llx\"", (unsigned long long)st.st_size,
		 (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL +
			 (unsigned long long)st.st_mtim.tv_nsec);
	snprintf(extra, sizeof(extra), "ETag: %s\r\nCache-Control: no-cache\r\n", etag);
	if (http_reply_not_modified(req, etag, extra))
		goto out;
	http_stream_begin(&body, req, 200, mime_type(real), (long long)st.st_size, extra);
	http_stream_file(&body, fd, 0, (long long)st.st_size);
	http_stream_end(&body);
	goto out;
not_found:
	http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
out:
	if (fd >= 0)
		close(fd);
	free(real);
}
