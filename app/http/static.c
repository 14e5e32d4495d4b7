/* static.c - files of static/ with MIME types, validators, no traversal */
#include "lms/http/static.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	const char *inm;
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
	inm = http_req_header(req, "If-None-Match");
	if (inm && strstr(inm, etag)) {
		http_reply_start(req, 304, NULL, 0, extra);
		goto out;
	}
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
