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
 *
 * Files are kept in memory as they were when last read, with their gzip
 * and brotli forms made once (zlib, libbrotlienc) and a content hash
 * (SHA-256): a request stats the file, and reads and compresses it again
 * only when its size or modification time changed. A client that accepts
 * br or gzip gets that form (Vary: Accept-Encoding, an ETag per form).
 *
 * Versioned URLs: a request whose ?v= is the file's current hash is
 * answered "Cache-Control: public, max-age=31536000, immutable"; any other
 * is "no-cache" with its ETag as before. index.html is written out with
 * those URLs: an import map that sends every module of static/js/ to its
 * ?v=<hash> URL (so the relative imports of the modules are versioned too),
 * modulepreload links for the frame's modules, and the stylesheet's URL
 * with its hash. The import map is an inline script: its hash is added to
 * the response's script-src. A change to one file changes its own URL and
 * index.html, nothing else: a visit revalidates index.html only.
 */
#include "lms/http/static.h"

#include <brotli/encode.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "lms/http/conditional.h"
#include "lms/http/response.h"
#include "lms/http/server.h"
#include "lms/http/stream.h"

/* Larger files, and files of types that do not compress, are sent from
 * disk as they stand. */
#define ASSET_MAX_BYTES (4 << 20)
#define ASSETS_MAX 1024
#define HASH_HEX 12
#define IMMUTABLE "public, max-age=31536000, immutable"

static const struct {
	const char *ext;
	const char *type;
	bool text; /* compressed and kept in memory */
} mime_types[] = {
	{".html", "text/html; charset=utf-8", true},
	{".css", "text/css; charset=utf-8", true},
	{".js", "text/javascript; charset=utf-8", true},
	{".mjs", "text/javascript; charset=utf-8", true},
	{".json", "application/json", true},
	{".webmanifest", "application/manifest+json", true},
	{".svg", "image/svg+xml", true},
	{".png", "image/png", false},
	{".jpg", "image/jpeg", false},
	{".jpeg", "image/jpeg", false},
	{".gif", "image/gif", false},
	{".webp", "image/webp", false},
	{".ico", "image/x-icon", false},
	{".txt", "text/plain; charset=utf-8", true},
	{".woff2", "font/woff2", false},
	{".pdf", "application/pdf", false},
};

static int mime_index(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && !strchr(dot, '/'))
		for (size_t i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
			if (strcasecmp(dot, mime_types[i].ext) == 0)
				return (int)i;
	return -1;
}

static const char *mime_type(const char *path)
{
	int i = mime_index(path);

	return i < 0 ? "application/octet-stream" : mime_types[i].type;
}

static bool is_text(const char *path)
{
	int i = mime_index(path);

	return i >= 0 && mime_types[i].text;
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

/* ---- files in memory ---- */

struct form {
	unsigned char *data;
	size_t len; /* 0: this form is not kept (it was not smaller) */
};

struct asset {
	int refs;            /* the table's and each request's, under lock */
	char *key;           /* the file's real path */
	off_t size;          /* of the file when read */
	struct timespec mtim;
	struct form raw, gz, br;
	bool forms;          /* gz and br were made (index.html's list skips them) */
	char hash[HASH_HEX + 1];
	char csp[64];        /* index.html: its import map's CSP source */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct asset *assets[ASSETS_MAX];
static size_t nassets;

static void asset_free(struct asset *a)
{
	free(a->key);
	free(a->raw.data);
	free(a->gz.data);
	free(a->br.data);
	free(a);
}

static void asset_unref(struct asset *a)
{
	bool last;

	if (!a)
		return;
	pthread_mutex_lock(&lock);
	last = --a->refs == 0;
	pthread_mutex_unlock(&lock);
	if (last)
		asset_free(a);
}

static void gzip_form(struct asset *a)
{
	z_stream z = {0};
	uLong bound;

	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	bound = deflateBound(&z, (uLong)a->raw.len);
	if ((a->gz.data = malloc(bound))) {
		z.next_in = a->raw.data;
		z.avail_in = (uInt)a->raw.len;
		z.next_out = a->gz.data;
		z.avail_out = (uInt)bound;
		if (deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < a->raw.len)
			a->gz.len = z.total_out;
	}
	deflateEnd(&z);
	if (!a->gz.len) {
		free(a->gz.data);
		a->gz.data = NULL;
	}
}

static void brotli_form(struct asset *a)
{
	size_t len = BrotliEncoderMaxCompressedSize(a->raw.len);

	if (!len || !(a->br.data = malloc(len)))
		return;
	if (BrotliEncoderCompress(BROTLI_MAX_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT,
				  a->raw.len, a->raw.data, &len, a->br.data) &&
	    len < a->raw.len) {
		a->br.len = len;
		return;
	}
	free(a->br.data);
	a->br.data = NULL;
}

/* A new asset (one reference) holding data (taken over, len bytes), with
 * its compressed forms when forms is set. */
static struct asset *asset_make(const char *key, unsigned char *data, size_t len,
				const struct stat *st, bool forms)
{
	struct asset *a = calloc(1, sizeof(*a));
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!a || !(a->key = strdup(key)) ||
	    !EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL)) {
		if (a)
			free(a->key);
		free(a);
		free(data);
		return NULL;
	}
	a->refs = 1;
	a->raw.data = data;
	a->raw.len = len;
	a->size = st ? st->st_size : 0;
	if (st)
		a->mtim = st->st_mtim;
	for (int i = 0; i < HASH_HEX / 2; i++)
		snprintf(a->hash + 2 * i, 3, "%02x", md[i]);
	if ((a->forms = forms)) {
		gzip_form(a);
		brotli_form(a);
	}
	return a;
}

/* The table's asset for key with one more reference, or NULL; when fresh
 * is given, only one read at that size and time; with forms, only one
 * with its compressed forms. */
static struct asset *table_find(const char *key, const struct stat *fresh, bool forms)
{
	struct asset *a = NULL;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nassets; i++) {
		if (strcmp(assets[i]->key, key) != 0)
			continue;
		if ((!forms || assets[i]->forms) &&
		    (!fresh || (assets[i]->size == fresh->st_size &&
				assets[i]->mtim.tv_sec == fresh->st_mtim.tv_sec &&
				assets[i]->mtim.tv_nsec == fresh->st_mtim.tv_nsec))) {
			a = assets[i];
			a->refs++;
		}
		break;
	}
	pthread_mutex_unlock(&lock);
	return a;
}

/* Puts a (which has the caller's reference) in the table in place of any
 * asset of its key; a full table keeps it out. */
static void table_put(struct asset *a)
{
	struct asset *old = NULL;
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < nassets && strcmp(assets[i]->key, a->key) != 0; i++)
		;
	if (i < nassets) {
		old = assets[i];
		assets[i] = a;
		a->refs++;
	} else if (nassets < ASSETS_MAX) {
		assets[nassets++] = a;
		a->refs++;
	}
	pthread_mutex_unlock(&lock);
	asset_unref(old);
}

/* The whole of fd (size bytes), or NULL. */
static unsigned char *read_all(int fd, off_t size)
{
	unsigned char *buf = malloc((size_t)size + 1);
	size_t got = 0;

	while (buf && got < (size_t)size) {
		ssize_t n = pread(fd, buf + got, (size_t)size - got, (off_t)got);

		if (n <= 0) {
			free(buf);
			return NULL;
		}
		got += (size_t)n;
	}
	return buf;
}

/* The asset of the open file fd at real path key, read again when it has
 * changed (or, for forms, when it was kept without its compressed forms);
 * a reference the caller drops, or NULL. Two requests that find it missing
 * at once both make it: the second replaces the first, which is the same. */
static struct asset *asset_of_file(const char *key, int fd, const struct stat *st, bool forms)
{
	struct asset *a = table_find(key, st, forms);
	unsigned char *data;

	if (a)
		return a;
	if (st->st_size > ASSET_MAX_BYTES || !(data = read_all(fd, st->st_size)))
		return NULL;
	if ((a = asset_make(key, data, (size_t)st->st_size, st, forms)))
		table_put(a);
	return a;
}

/* The asset of root + rel when it is a text file small enough, or NULL:
 * its hash for index.html's URLs, its compressed forms made only once the
 * file itself is asked for. */
static struct asset *asset_at(const char *root, const char *rel)
{
	char path[PATH_MAX];
	struct asset *a = NULL;
	struct stat st;
	int fd;

	if (!is_text(rel) || snprintf(path, sizeof(path), "%s%s", root, rel) >= (int)sizeof(path))
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		a = asset_of_file(path, fd, &st, false);
	close(fd);
	return a;
}

void static_release(void)
{
	pthread_mutex_lock(&lock);
	while (nassets) {
		struct asset *a = assets[--nassets];

		if (--a->refs == 0)
			asset_free(a);
	}
	pthread_mutex_unlock(&lock);
}

/* ---- index.html with versioned URLs ---- */

struct text {
	char *s;
	size_t len, cap;
	bool failed;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->failed)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *p = realloc(t->s, cap);

		if (!p) {
			t->failed = true;
			return;
		}
		t->s = p;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void puts_(struct text *t, const char *s) { put(t, s, strlen(s)); }

/* Only plain names go into the page: letters, digits, '.', '_', '-'. */
static bool plain_name(const char *s)
{
	if (s[0] == '.' || !s[0])
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && *s != '.' && *s != '_' && *s != '-')
			return false;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The modules under root + dir (a path like "/js"), depth first, sorted,
 * appended to *list (n of cap). */
static void list_modules(const char *root, const char *dir, int depth, char ***list, size_t *n,
			 size_t *cap)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	size_t first = *n;

	if (depth > 4 || snprintf(path, sizeof(path), "%s%s", root, dir) >= (int)sizeof(path) ||
	    !(d = opendir(path)))
		return;
	while ((e = readdir(d))) {
		char rel[PATH_MAX];
		size_t l = strlen(e->d_name);

		if (!plain_name(e->d_name) ||
		    snprintf(rel, sizeof(rel), "%s/%s", dir, e->d_name) >= (int)sizeof(rel))
			continue;
		if (e->d_type == DT_DIR) {
			list_modules(root, rel, depth + 1, list, n, cap);
			continue;
		}
		if (l < 4 || strcmp(e->d_name + l - 3, ".js") != 0)
			continue;
		if (*n == *cap) {
			char **p = realloc(*list, (*cap ? *cap * 2 : 64) * sizeof(char *));

			if (!p)
				break;
			*list = p;
			*cap = *cap ? *cap * 2 : 64;
		}
		if (((*list)[*n] = strdup(rel)))
			(*n)++;
	}
	closedir(d);
	qsort(*list + first, *n - first, sizeof(char *), cmp_str);
}

/* The modules every view needs: the frame's (those directly in js/ and
 * what main.js imports from below it), preloaded so that the import chain
 * is one round trip, not one per level; and the catalogue's, the view of
 * "/" where most visits start, with its strings, which the course page
 * shares. Not the two that only some staff and calendar views import: on a
 * slow link every preload shares the bandwidth and the connections that
 * the first view waits on. */
static bool preloaded(const char *rel)
{
	static const char *const more[] = {
		"/js/strings/common.js", "/js/strings/mail.js", "/js/pages/verify_email.js",
		"/js/pages/catalog.js", "/js/strings/learner.js",
	};

	if (strcmp(rel, "/js/chart.js") == 0 || strcmp(rel, "/js/week.js") == 0)
		return false;
	if (strncmp(rel, "/js/", 4) == 0 && !strchr(rel + 4, '/'))
		return true;
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		if (strcmp(rel, more[i]) == 0)
			return true;
	return false;
}

/* Writes the import map and the preload links into t; sets csp to the
 * import map's script-src source. */
static void import_map(struct text *t, const char *root, char *csp, size_t csplen)
{
	char **mods = NULL, line[PATH_MAX * 2 + 64];
	size_t n = 0, cap = 0;
	struct text map = {0};
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char b64[4 * ((32 + 2) / 3) + 1]; /* a SHA-256 in base64 */

	list_modules(root, "/js", 0, &mods, &n, &cap);
	puts_(&map, "{\"imports\":{");
	for (size_t i = 0, k = 0; i < n; i++) {
		struct asset *a = asset_at(root, mods[i]);

		if (a) {
			snprintf(line, sizeof(line), "%s\"%s\":\"%s?v=%s\"", k++ ? "," : "", mods[i],
				 mods[i], a->hash);
			puts_(&map, line);
		}
		asset_unref(a);
	}
	puts_(&map, "}}");
	if (!map.failed && EVP_Digest(map.s, map.len, md, &mdlen, EVP_sha256(), NULL) &&
	    mdlen == 32) {
		EVP_EncodeBlock((unsigned char *)b64, md, 32);
		snprintf(csp, csplen, "'sha256-%s'", b64);
		puts_(t, "<script type=\"importmap\">");
		put(t, map.s, map.len);
		puts_(t, "</script>\n");
		for (size_t i = 0; i < n; i++) {
			struct asset *a = preloaded(mods[i]) ? asset_at(root, mods[i]) : NULL;

			if (a) {
				snprintf(line, sizeof(line),
					 "<link rel=\"modulepreload\" href=\"%s?v=%s\">\n", mods[i],
					 a->hash);
				puts_(t, line);
			}
			asset_unref(a);
		}
	}
	free(map.s);
	for (size_t i = 0; i < n; i++)
		free(mods[i]);
	free(mods);
}

/*
 * index.html as served: every src="/x" and href="/x" that names a text file
 * of static/ gets ?v=<its hash>, and the import map and preload links go
 * before the first module script. A page without a module script is
 * served as it stands.
 */
static struct asset *index_asset(const char *root, const char *key, int fd, const struct stat *st)
{
	static const char module_tag[] = "<script type=\"module\"";
	unsigned char *src;
	struct text out = {0};
	struct asset *cached, *a;
	char csp[64] = "";
	const char *p;

	if (st->st_size > ASSET_MAX_BYTES || !(src = read_all(fd, st->st_size)))
		return NULL;
	src[st->st_size] = '\0';
	if (memchr(src, '\0', (size_t)st->st_size) || !strstr((char *)src, module_tag)) {
		free(src);
		return asset_of_file(key, fd, st, true);
	}
	for (p = (const char *)src; *p;) {
		const char *attr = strstr(p, "=\"/");
		const char *tag = strstr(p, module_tag);
		const char *next = attr && (!tag || attr < tag) ? attr : tag;

		if (!next) {
			puts_(&out, p);
			break;
		}
		put(&out, p, (size_t)(next - p));
		if (next == tag) {
			if (!csp[0])
				import_map(&out, root, csp, sizeof(csp));
			put(&out, tag, sizeof(module_tag) - 1);
			p = tag + sizeof(module_tag) - 1;
			continue;
		}
		{
			const char *url = attr + 2, *end = strchr(url, '"');
			char rel[PATH_MAX];
			struct asset *one = NULL;

			put(&out, attr, 2);
			if (!end) {
				p = url;
				continue;
			}
			if ((size_t)(end - url) < sizeof(rel) && !memchr(url, '?', (size_t)(end - url))) {
				snprintf(rel, sizeof(rel), "%.*s", (int)(end - url), url);
				if (!has_hidden_segment(rel))
					one = asset_at(root, rel);
			}
			put(&out, url, (size_t)(end - url));
			if (one) {
				puts_(&out, "?v=");
				puts_(&out, one->hash);
			}
			asset_unref(one);
			p = end;
		}
	}
	free(src);
	if (out.failed) {
		free(out.s);
		return NULL;
	}
	/* The same page as last time keeps its compressed forms. */
	cached = table_find(key, NULL, true);
	if (cached && cached->raw.len == out.len && memcmp(cached->raw.data, out.s, out.len) == 0 &&
	    strcmp(cached->csp, csp) == 0) {
		free(out.s);
		return cached;
	}
	asset_unref(cached);
	if ((a = asset_make(key, (unsigned char *)out.s, out.len, NULL, true))) {
		snprintf(a->csp, sizeof(a->csp), "%s", csp);
		table_put(a);
	}
	return a;
}

/* ---- the reply ---- */

/* Whether the Accept-Encoding list ae accepts coding (named, q > 0). */
static bool accepts(const char *ae, const char *coding)
{
	size_t n = strlen(coding);

	for (const char *p = ae; p && *p;) {
		size_t tok;
		const char *end;

		p += strspn(p, " \t,");
		tok = strcspn(p, " \t;,");
		end = p + strcspn(p, ",");
		if (tok == n && strncasecmp(p, coding, n) == 0) {
			for (const char *q = p + tok; q < end; q += strcspn(q, ";,")) {
				q += strspn(q, " \t;");
				if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=')
					return strtod(q + 2, NULL) > 0;
			}
			return true;
		}
		p = end;
	}
	return false;
}

static void serve_asset(struct http_req *req, const struct asset *a, const char *type)
{
	const char *ae = http_req_header(req, "Accept-Encoding");
	const struct form *f = &a->raw;
	const char *coding = NULL;
	char v[HASH_HEX + 8], etag[64], extra[320];
	bool versioned = http_req_query(req, "v", v, sizeof(v)) > 0 && strcmp(v, a->hash) == 0;

	if (a->br.len && accepts(ae, "br")) {
		f = &a->br;
		coding = "br";
	} else if (a->gz.len && accepts(ae, "gzip")) {
		f = &a->gz;
		coding = "gzip";
	}
	snprintf(etag, sizeof(etag), "\"%s%s%s\"", a->hash, coding ? "-" : "",
		 coding ? (coding[0] == 'b' ? "br" : "gz") : "");
	snprintf(extra, sizeof(extra),
		 "ETag: %s\r\nCache-Control: %s\r\nVary: Accept-Encoding\r\n", etag,
		 versioned ? IMMUTABLE : "no-cache");
	snprintf(req->script_src_extra, sizeof(req->script_src_extra), "%s", a->csp);
	if (http_reply_not_modified(req, etag, extra))
		return;
	if (coding) {
		size_t l = strlen(extra);

		snprintf(extra + l, sizeof(extra) - l, "Content-Encoding: %s\r\n", coding);
	}
	http_reply_bytes(req, 200, type, f->data, f->len, extra);
}

void static_serve(struct http_req *req)
{
	const char *root = req->app->static_root;
	const char *rel = strcmp(req->path, "/") == 0 ? "/index.html" : req->path;
	char joined[PATH_MAX], *real = NULL, etag[64], extra[160];
	struct http_stream body;
	struct asset *a = NULL;
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

	if (is_text(real)) {
		a = strcmp(real + rootlen, "/index.html") == 0 ? index_asset(root, real, fd, &st)
							       : asset_of_file(real, fd, &st, true);
		if (a) {
			serve_asset(req, a, mime_type(real));
			goto out;
		}
	}
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
	asset_unref(a);
	if (fd >= 0)
		close(fd);
	free(real);
}
