/* request.c - one HTTP request: path, parameters, bounded body, JSON input */
#include "lms/http/request.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <civetweb.h>

#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/core/netaddr.h"
#include "lms/core/text.h"
#include "lms/db/pool.h"
#include "lms/http/response.h"
#include "lms/http/routes.h"
#include "lms/http/server.h"
#include "lms/http/watchdog.h"

const char *http_req_header(const struct http_req *req, const char *name)
{
	return mg_get_header(req->conn, name);
}

long long http_req_content_length(const struct http_req *req)
{
	return req->ri->content_length;
}

int http_req_cookie(const struct http_req *req, const char *name, char *buf, size_t len)
{
	const char *cookies = http_req_header(req, "Cookie");

	return cookies ? mg_get_cookie(cookies, name, buf, len) : -1;
}

bool http_json_depth_ok(const char *body, size_t len, int max_depth)
{
	int depth = 0;
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		char c = body[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max_depth)
				return false;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return true;
}

/* reg-name characters: unreserved, sub-delims and '%' of pct-encoded */
static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("-._~!$&'()*+,;=%", c));
}

bool http_host_valid(const char *host)
{
	const char *p = host, *port;

	if (*p == '[') {
		p++;
		p += strspn(p, "0123456789abcdefABCDEF:.");
		if (p == host + 1 || *p != ']')
			return false;
		p++;
	} else {
		while (host_char(*p))
			p++;
		if (p == host)
			return false;
	}
	if (*p == '\0')
		return true;
	if (*p != ':')
		return false;
	port = ++p;
	p += strspn(p, "0123456789");
	return *p == '\0' && p - port <= 5 && (p == port || atoi(port) <= 65535);
}

const char *http_target_absolute(const char *target, char *host, size_t hostlen)
{
	static const char *const schemes[] = {"http://", "https://", "ws://", "wss://"};
	const char *authority = NULL, *path, *end;
	char hostport[256];
	size_t n;

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]) && !authority; i++)
		if (!strncasecmp(target, schemes[i], strlen(schemes[i])))
			authority = target + strlen(schemes[i]);
	if (!authority || !(path = strchr(authority, '/')))
		return NULL;
	n = (size_t)(path - authority);
	if (n == 0 || n >= sizeof(hostport) || memchr(authority, '@', n))
		return NULL;
	memcpy(hostport, authority, n);
	hostport[n] = '\0';
	if (!http_host_valid(hostport))
		return NULL;
	/* The port is ignored: this server answers for its name on any. */
	end = hostport[0] == '[' ? strchr(hostport, ']') + 1 : hostport + strcspn(hostport, ":");
	n = (size_t)(end - hostport);
	if (n >= hostlen)
		return NULL;
	memcpy(host, hostport, n);
	host[n] = '\0';
	return path;
}

char *http_path_decode(const char *raw)
{
	size_t n = strlen(raw), j = 0;
	char *out = malloc(n + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (raw[i] == '%') {
			int hi = i + 1 < n ? text_hex_digit((unsigned char)raw[i + 1]) : -1;
			int lo = i + 2 < n ? text_hex_digit((unsigned char)raw[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				goto bad;
			out[j++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[j++] = raw[i];
		}
	}
	out[j] = '\0';
	if (!text_utf8_printable(out, j))
		goto bad;
	return out;
bad:
	free(out);
	return NULL;
}

int http_req_query(const struct http_req *req, const char *name, char *buf, size_t len)
{
	int n;

	if (!req->query)
		return -1;
	n = mg_get_var(req->query, strlen(req->query), name, buf, len);
	if (n == -1)
		return -1;
	if (n < 0 || !text_utf8_printable(buf, (size_t)n))
		return -2;
	return n;
}

bool http_req_param_id_or_reply(struct http_req *req, int i, long long *out)
{
	const char *s = i < req->nparams ? req->params[i] : NULL;
	char *end;
	long long v;

	errno = 0;
	if (s && *s >= '1' && *s <= '9') {
		v = strtoll(s, &end, 10);
		if (errno == 0 && *end == '\0') {
			*out = v;
			return true;
		}
	}
	http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
	return false;
}

/* The q-value of one Accept-Language entry ("en-US;q=0.8" -> 0.8). */
static double lang_q(const char *entry, size_t len)
{
	const char *q = memmem(entry, len, ";q=", 3);

	return q ? strtod(q + 3, NULL) : 1.0;
}

const char *http_req_lang(const struct http_req *req)
{
	const char *al = http_req_header(req, "Accept-Language");
	double best_q = 0;
	const char *best = "ko";
	char lang[8];

	if (http_req_query(req, "lang", lang, sizeof(lang)) > 0 &&
	    (!strcmp(lang, "ko") || !strcmp(lang, "en")))
		return !strcmp(lang, "en") ? "en" : "ko";
	for (const char *p = al; p && *p;) {
		size_t len = strcspn(p, ",");
		const char *tag = p;
		double q;

		while (*tag == ' ' && tag < p + len)
			tag++;
		q = lang_q(p, len);
		/* A primary subtag of exactly ko or en: "ko", "ko-KR", "en-US". */
		if ((!strncasecmp(tag, "ko", 2) || !strncasecmp(tag, "en", 2)) &&
		    strchr("-;, ", tag[2] ? tag[2] : ' ') && q > best_q) {
			best_q = q;
			best = !strncasecmp(tag, "en", 2) ? "en" : "ko";
		}
		p += len + (p[len] == ',');
	}
	return best;
}

bool http_req_query_id_or_reply(struct http_req *req, const char *name, long long *out)
{
	char buf[32], *end = buf;
	long long v = 0;
	int n;

	*out = 0;
	if ((n = http_req_query(req, name, buf, sizeof(buf))) == -1)
		return true;
	errno = 0;
	if (n > 0 && buf[0] >= '1' && buf[0] <= '9')
		v = strtoll(buf, &end, 10);
	if (n <= 0 || v <= 0 || errno || *end) {
		json_t *errors = NULL;

		http_json_error_add(&errors, name, "must be a positive integer id");
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the query parameter %s is not valid", name);
		return false;
	}
	*out = v;
	return true;
}

static bool report_route(const struct http_req *req)
{
	return req->route && (req->route->flags & ROUTE_REPORT) && req->app->report_pool;
}

int http_req_db_acquire(struct http_req *req, char *errmsg, size_t errlen)
{
	struct db_pool *pool = report_route(req) ? req->app->report_pool : req->app->pool;
	int rc;

	if (req->db)
		return 0;
	if ((rc = db_pool_acquire(pool, &req->db, errmsg, errlen)) < 0)
		return rc;
	req->db_pool = pool;
	return 0;
}

struct db_conn *http_req_db_or_reply(struct http_req *req)
{
	struct db_pool_stats st;
	char msg[256];

	if (http_req_db_acquire(req, msg, sizeof(msg)) == 0)
		return req->db;
	/* A report waits for nothing: it asks again later. */
	if (report_route(req)) {
		db_pool_stats_get(req->app->report_pool, &st);
		if (st.in_use == st.size) {
			http_reply_problem_headers(req, 503, "reports_busy", NULL,
						   "Retry-After: 10\r\n",
						   "all %d report connections are in use: try again "
						   "shortly",
						   st.size);
			return NULL;
		}
	}
	http_reply_problem(req, 503, "unavailable", NULL, "%s", msg);
	return NULL;
}

struct db_conn *http_req_read_db_or_reply(struct http_req *req)
{
	char msg[256];

	if (!req->app->read_pool)
		return http_req_db_or_reply(req);
	if (req->read_db ||
	    db_pool_acquire(req->app->read_pool, &req->read_db, msg, sizeof(msg)) == 0)
		return req->read_db;
	http_reply_problem(req, 503, "unavailable", NULL, "report database: %s", msg);
	return NULL;
}

void http_req_db_release(struct http_req *req)
{
	if (req->read_db) {
		db_pool_release(req->app->read_pool, req->read_db);
		req->read_db = NULL;
	}
	if (!req->db)
		return;
	db_pool_release(req->db_pool, req->db);
	req->db = NULL;
	req->db_pool = NULL;
}

void http_req_close(struct http_req *req)
{
	req->close = true;
	mg_disable_connection_keep_alive(req->conn);
}

/* Where the bytes of a body go as they arrive: room() gives space for up
 * to want bytes (NULL: out of memory), took() keeps the n read into it. */
struct body_sink {
	char *(*room)(struct body_sink *sink, size_t want);
	int (*took)(struct body_sink *sink, const char *data, size_t n);
};

/* Bytes asked of one read. mg_read returns only when it has all it was
 * asked for, and the deadline moves only when a read returns: at this size
 * a client keeping to body_min_rate never outruns its allowance. */
#define BODY_PIECE 16384

/*
 * Reads the whole body into sink, refusing more than limit bytes. The
 * body has body_timeout_ms, and a second more for every body_min_rate
 * bytes that arrive: the watchdog cuts a read that falls behind.
 * Returns the length, LMS_ETOOBIG, LMS_EINVAL (the client stopped sending,
 * or was too slow: then *late is set) or the sink's error.
 */
static long long body_pump(struct http_req *req, long long limit, struct body_sink *sink,
			   bool *late)
{
	const struct lms_config *cfg = req->app->cfg;
	int64_t start = watchdog_now_ns(), allowance = (int64_t)cfg->body_timeout_ms * 1000000LL;
	long long len = 0;
	int n = 0, rc = 0;
	char *room;

	*late = false;
	if (watchdog_arm(req->fd, start + allowance) < 0)
		return LMS_ENOMEM;
	for (;;) {
		long long left = req->ri->content_length >= 0 ? req->ri->content_length - len
							      : limit + 1 - len;
		size_t want = BODY_PIECE;

		/* A chunked body is read to one byte past the limit, which tells
		 * one that is too large; an announced one (checked against the
		 * limit before) to its end. */
		if ((long long)want > left)
			want = (size_t)left;
		if (want == 0)
			break;
		if (!(room = sink->room(sink, want))) {
			rc = LMS_ENOMEM;
			break;
		}
		if ((n = mg_read(req->conn, room, want)) <= 0)
			break;
		len += n;
		if (len > limit) {
			rc = LMS_ETOOBIG;
			break;
		}
		if ((rc = sink->took(sink, room, (size_t)n)) < 0)
			break;
		watchdog_extend(start + allowance +
				(int64_t)((double)len / (double)cfg->body_min_rate * 1e9));
	}
	*late = watchdog_disarm();
	/* mg_read also ends quietly when the client falls silent for
	 * request_timeout_ms: a body shorter than announced is not complete. */
	if (rc == 0 && (n < 0 || *late || (req->ri->content_length >= 0 && len < req->ri->content_length)))
		rc = LMS_EINVAL;
	req->body_pending = rc < 0;
	return rc < 0 ? rc : len;
}

/* Answers a body that could not be received; the connection ends, since
 * the rest of the body, if any, is still on the way. */
static void body_refuse(struct http_req *req, long long rc, bool late, long long limit)
{
	http_req_close(req);
	if (late)
		http_reply_problem(req, 408, "request_timeout", NULL,
				   "the request body arrived too slowly: it must arrive within %d ms "
				   "plus a second for every %lld bytes",
				   req->app->cfg->body_timeout_ms, req->app->cfg->body_min_rate);
	else if (rc == LMS_ETOOBIG)
		http_reply_problem(req, 413, "body_too_large", NULL,
				   "the request body is larger than %lld bytes", limit);
	else if (rc == LMS_EINVAL)
		http_reply_problem(req, 400, "invalid_request", NULL,
				   "the request body could not be read: the client stopped sending");
	else
		http_reply_problem(req, 503, "unavailable", NULL,
				   "the request body cannot be stored now: try again");
}

/* A JSON body is read straight into the buffer it is parsed from. */
struct memory_sink {
	struct body_sink sink;
	char *buf;
	size_t len, cap;
};

static char *memory_room(struct body_sink *sink, size_t want)
{
	struct memory_sink *m = (struct memory_sink *)sink;

	if (m->len + want + 1 > m->cap) {
		size_t cap = m->cap ? m->cap : 8192;
		char *grown;

		while (cap < m->len + want + 1)
			cap *= 2;
		if (!(grown = realloc(m->buf, cap)))
			return NULL;
		m->buf = grown;
		m->cap = cap;
	}
	return m->buf + m->len;
}

static int memory_took(struct body_sink *sink, const char *data, size_t n)
{
	struct memory_sink *m = (struct memory_sink *)sink;

	(void)data;
	m->len += n;
	return 0;
}

bool http_req_body_or_reply(struct http_req *req, long long limit)
{
	long long declared = req->ri->content_length;
	struct memory_sink m = {.sink = {memory_room, memory_took}};
	long long rc;
	bool late;

	/* What is announced is allocated once; a chunked body grows. */
	if (declared > 0 && declared <= limit)
		m.cap = (size_t)declared + 1;
	if (!(m.buf = malloc(m.cap ? m.cap : 1))) {
		body_refuse(req, LMS_ENOMEM, false, limit);
		return false;
	}
	if ((rc = body_pump(req, limit, &m.sink, &late)) < 0) {
		free(m.buf);
		body_refuse(req, rc, late, limit);
		return false;
	}
	m.buf[m.len] = '\0';
	req->body = m.buf;
	req->body_len = m.len;
	return true;
}

/* An upload goes to a temporary file through a buffer of its own (not on
 * a worker's small stack), hashed on the way. */
struct file_sink {
	struct body_sink sink;
	int fd;
	EVP_MD_CTX *md;
	char *piece;
};

static char *file_room(struct body_sink *sink, size_t want)
{
	(void)want;
	return ((struct file_sink *)sink)->piece;
}

static int file_took(struct body_sink *sink, const char *data, size_t len)
{
	struct file_sink *f = (struct file_sink *)sink;

	if (EVP_DigestUpdate(f->md, data, len) != 1)
		return LMS_ENOMEM;
	while (len) {
		ssize_t n = write(f->fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("upload: cannot write a temporary file: %s", strerror(errno));
			return LMS_EIO;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

bool http_req_body_to_file_or_reply(struct http_req *req, const char *dir,
				    struct http_upload *up)
{
	long long limit = req->app->cfg->max_upload_bytes, rc = LMS_ENOMEM;
	struct file_sink f = {.sink = {file_room, file_took}, .fd = -1};
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	bool late = false;

	/* Nobody waits on a database connection while a file trickles in. */
	http_req_db_release(req);
	up->path[0] = '\0';
	if ((size_t)snprintf(up->path, sizeof(up->path), "%s/.upload-XXXXXX", dir) >=
	    sizeof(up->path))
		goto fail;
	if ((f.fd = mkostemp(up->path, O_CLOEXEC)) < 0) {
		log_error("upload: cannot create a temporary file in %s: %s", dir, strerror(errno));
		up->path[0] = '\0';
		rc = LMS_EIO;
		goto fail;
	}
	if (!(f.piece = malloc(BODY_PIECE)) || !(f.md = EVP_MD_CTX_new()) ||
	    EVP_DigestInit_ex(f.md, EVP_sha256(), NULL) != 1)
		goto fail;
	if ((rc = body_pump(req, limit, &f.sink, &late)) < 0)
		goto fail;
	up->size = rc;
	rc = LMS_EIO;
	if (EVP_DigestFinal_ex(f.md, digest, &dlen) != 1 || dlen != 32 || fsync(f.fd) != 0)
		goto fail;
	text_hex_encode(digest, dlen, up->sha256);
	free(f.piece);
	EVP_MD_CTX_free(f.md);
	close(f.fd);
	return true;
fail:
	free(f.piece);
	EVP_MD_CTX_free(f.md);
	if (f.fd >= 0)
		close(f.fd);
	if (up->path[0])
		unlink(up->path);
	up->path[0] = '\0';
	body_refuse(req, rc, late, limit);
	return false;
}

/* A body handed on piece by piece as it arrives. */
struct each_sink {
	struct body_sink sink;
	char *piece;
	int (*each)(void *ctx, const char *data, size_t len);
	void *ctx;
	int rc;
};

static char *each_room(struct body_sink *sink, size_t want)
{
	(void)want;
	return ((struct each_sink *)sink)->piece;
}

static int each_took(struct body_sink *sink, const char *data, size_t len)
{
	struct each_sink *e = (struct each_sink *)sink;
	int rc = e->each(e->ctx, data, len);

	if (rc < 0)
		e->rc = rc;
	return rc < 0 ? rc : 0;
}

bool http_req_body_each_or_reply(struct http_req *req, long long limit,
				 int (*each)(void *ctx, const char *data, size_t len), void *ctx,
				 int *each_rc)
{
	struct each_sink e = {.sink = {each_room, each_took}, .each = each, .ctx = ctx};
	long long rc = LMS_ENOMEM;
	bool late = false;

	*each_rc = 0;
	/* Nobody waits on a database connection while a body trickles in. */
	http_req_db_release(req);
	if ((e.piece = malloc(BODY_PIECE)))
		rc = body_pump(req, limit, &e.sink, &late);
	free(e.piece);
	if (rc >= 0)
		return true;
	if (e.rc < 0 && rc == e.rc) {
		/* The rest of the body, if any, is never read. */
		*each_rc = e.rc;
		http_req_close(req);
		return false;
	}
	body_refuse(req, rc, late, limit);
	return false;
}

void http_json_error_add(json_t **errors, const char *field, const char *message)
{
	if (!*errors)
		*errors = json_array();
	if (*errors)
		json_array_append_new(*errors,
				      json_pack("{s:s, s:s}", "field", field, "message", message));
}

/* Cursors are "p<id>" in base64url: opaque to clients, so the paging key
 * can change without breaking them. */
json_t *http_page_cursor(long long last_id, size_t count, int limit)
{
	char raw[32], out[TEXT_B64URL_BUF(sizeof(raw))];
	int n;

	if (count < (size_t)limit || last_id <= 0)
		return json_null();
	n = snprintf(raw, sizeof(raw), "p%lld", last_id);
	text_b64url_encode(raw, (size_t)n, out);
	return json_string(out);
}

bool http_page_cursor_decode(const char *text, long long *id)
{
	char raw[32], *end;
	size_t n = strlen(text);
	long len;

	if (n == 0 || n > 40 || (len = text_b64url_decode(text, n, raw, sizeof(raw) - 1)) < 2)
		return false;
	raw[len] = '\0';
	if (raw[0] != 'p' || raw[1] < '1' || raw[1] > '9')
		return false;
	errno = 0;
	*id = strtoll(raw + 1, &end, 10);
	return errno == 0 && *end == '\0';
}

bool http_req_page_or_reply(struct http_req *req, int *limit, long long *cursor_id)
{
	char buf[64], *end;
	json_t *errors = NULL;
	long v;
	int n;

	*limit = 20;
	*cursor_id = 0;
	if ((n = http_req_query(req, "limit", buf, sizeof(buf))) != -1) {
		errno = 0;
		v = n > 0 ? strtol(buf, &end, 10) : 0;
		if (n <= 0 || errno || *end || v < 1 || v > 100)
			http_json_error_add(&errors, "limit", "must be an integer from 1 to 100");
		else
			*limit = (int)v;
	}
	if ((n = http_req_query(req, "cursor", buf, sizeof(buf))) != -1 &&
	    (n <= 0 || !http_page_cursor_decode(buf, cursor_id)))
		http_json_error_add(&errors, "cursor", "is not a cursor this list returned");
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the list parameters are not valid");
		return false;
	}
	return true;
}

const char *http_req_client_addr(const struct http_req *req, char *buf, size_t len)
{
	const char *xff[MG_MAX_HEADERS];
	size_t n = 0;

	/* Every X-Forwarded-For line, in order: a proxy may add a line of
	 * its own below one the client sent, rather than extend it. */
	for (int i = 0; i < req->ri->num_headers && i < MG_MAX_HEADERS; i++)
		if (!strcasecmp(req->ri->http_headers[i].name, "X-Forwarded-For"))
			xff[n++] = req->ri->http_headers[i].value;
	return netaddr_client(req->ri->remote_addr, xff, n, &req->app->cfg->trusted_proxies, buf,
			      len);
}
