/* slowclient.c - raw TLS clients that misbehave on purpose: partial heads,
 * trickled bodies, reads that stop, with every wait bounded */
#include "slowclient.h"
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_MS 5000
#define READ_PIECE 16384
/* What slow_wait_closed keeps of bytes it did not ask for. */
#define KEEP_MAX (1u << 20)

enum { CS_SIZE, CS_DATA, CS_DATA_END, CS_TRAILER };

void slow_pause_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int ms_left(double deadline)
{
	double left = (deadline - harness_now()) * 1000.0;

	return left <= 0 ? 0 : left > 600000 ? 600000 : (int)left + 1;
}

/* Waits until fd is readable (or writable), at most until deadline: >0
 * ready, 0 time is up, <0 error. */
static int fd_wait(int fd, bool for_write, double deadline)
{
	struct pollfd p = {fd, for_write ? POLLOUT : POLLIN, 0};
	int n;

	do
		n = poll(&p, 1, ms_left(deadline));
	while (n < 0 && errno == EINTR);
	return n;
}

static void mark_closed(struct slow_conn *c, bool reset)
{
	if (c->eof)
		return;
	c->eof = true;
	c->reset = reset;
	c->t_closed = harness_now();
}

int slow_connect(struct slow_conn *c, const struct lms_server *s, int rcvbuf)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	double deadline = harness_now() + CONNECT_MS / 1000.0;
	int one = 1, rc;

	/* A write to a connection the server has closed must fail, not kill
	 * the test. */
	signal(SIGPIPE, SIG_IGN);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!(c->ctx = SSL_CTX_new(TLS_client_method())))
		goto fail;
	if (SSL_CTX_load_verify_locations(c->ctx, s->cert_path, NULL) != 1)
		goto fail;
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	/* A FIN without close_notify is an end of stream, told apart from a
	 * reset by c->reset. */
	SSL_CTX_set_options(c->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(c->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
					 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		goto fail;
	if (rcvbuf > 0)
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* A trickled byte leaves at once. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (errno != EINPROGRESS || fd_wait(c->fd, true, deadline) <= 0 ||
		    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err)
			goto fail;
	}
	if (!(c->ssl = SSL_new(c->ctx)))
		goto fail;
	SSL_set_fd(c->ssl, c->fd);
	SSL_set_tlsext_host_name(c->ssl, "localhost");
	SSL_set1_host(c->ssl, "localhost");
	while ((rc = SSL_connect(c->ssl)) != 1) {
		int e = SSL_get_error(c->ssl, rc);

		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
		    fd_wait(c->fd, e == SSL_ERROR_WANT_WRITE, deadline) <= 0)
			goto fail;
	}
	c->t_start = harness_now();
	return 0;
fail:
	ERR_clear_error();
	slow_close(c);
	return -1;
}

void slow_close(struct slow_conn *c)
{
	if (!c->ctx)
		return;
	SSL_free(c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	SSL_CTX_free(c->ctx);
	free(c->in);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

int slow_send(struct slow_conn *c, const void *data, size_t len, int timeout_ms)
{
	double deadline = harness_now() + timeout_ms / 1000.0;
	const char *p = data;
	size_t off = 0;

	if (!c->ssl)
		return -1;
	while (off < len) {
		size_t piece = len - off > (1u << 20) ? (1u << 20) : len - off;
		int n, e;

		ERR_clear_error();
		if ((n = SSL_write(c->ssl, p + off, (int)piece)) > 0) {
			off += (size_t)n;
			continue;
		}
		e = SSL_get_error(c->ssl, n);
		/* Not marked closed: a reply may still be waiting to be read. */
		if ((e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) ||
		    fd_wait(c->fd, e == SSL_ERROR_WANT_WRITE, deadline) <= 0) {
			ERR_clear_error();
			return -1;
		}
	}
	return 0;
}

int slow_send_str(struct slow_conn *c, const char *text, int timeout_ms)
{
	return slow_send(c, text, strlen(text), timeout_ms);
}

static bool in_reserve(struct slow_conn *c, size_t more)
{
	size_t cap = c->cap ? c->cap : READ_PIECE * 2;
	char *grown;

	if (c->len + more + 1 <= c->cap)
		return true;
	while (cap < c->len + more + 1)
		cap *= 2;
	if (!(grown = realloc(c->in, cap)))
		return false;
	c->in = grown;
	c->cap = cap;
	return true;
}

int slow_fill(struct slow_conn *c, size_t max, int timeout_ms)
{
	double deadline = harness_now() + timeout_ms / 1000.0;
	size_t got = 0;

	if (!c->ssl || c->eof)
		return -1;
	for (;;) {
		size_t want = READ_PIECE;
		int n, e;

		if (max && got >= max)
			return (int)got;
		if (max && max - got < want)
			want = max - got;
		if (!in_reserve(c, want))
			return got ? (int)got : -1;
		ERR_clear_error();
		if ((n = SSL_read(c->ssl, c->in + c->len, (int)want)) > 0) {
			c->len += (size_t)n;
			c->in[c->len] = '\0';
			c->total_in += (size_t)n;
			got += (size_t)n;
			if (!c->t_first)
				c->t_first = harness_now();
			/* A stream that never pauses still returns in time. */
			if (harness_now() >= deadline)
				return (int)got;
			continue;
		}
		e = SSL_get_error(c->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if (got)
				return (int)got;
			n = fd_wait(c->fd, e == SSL_ERROR_WANT_WRITE, deadline);
			if (n == 0)
				return 0;
			if (n < 0) {
				mark_closed(c, true);
				return -1;
			}
			continue;
		}
		mark_closed(c, e != SSL_ERROR_ZERO_RETURN);
		ERR_clear_error();
		return got ? (int)got : -1;
	}
}

void slow_consume(struct slow_conn *c, size_t n)
{
	if (n >= c->len) {
		c->len = 0;
	} else {
		memmove(c->in, c->in + n, c->len - n);
		c->len -= n;
	}
	if (c->in)
		c->in[c->len] = '\0';
}

int slow_wait_closed(struct slow_conn *c, int timeout_ms)
{
	double deadline = harness_now() + timeout_ms / 1000.0;

	while (!c->eof) {
		if (c->len > KEEP_MAX)
			slow_consume(c, c->len);
		if (slow_fill(c, 0, ms_left(deadline)) == 0 && harness_now() >= deadline)
			return -1;
	}
	return 0;
}

static bool drip_waiting(const struct slow_conn *c)
{
	return c->ssl && !c->eof && !c->t_first && c->dripped < c->drip_len;
}

/* Reads whatever comes on any of cs until deadline. */
static void pump(struct slow_conn *const *cs, int n, struct pollfd *p, double deadline)
{
	for (;;) {
		int np = 0, ready;

		for (int i = 0; i < n; i++)
			if (cs[i]->ssl && !cs[i]->eof)
				p[np++] = (struct pollfd){cs[i]->fd, POLLIN, 0};
		if (!np)
			return;
		ready = poll(p, (nfds_t)np, ms_left(deadline));
		if (ready < 0 && errno != EINTR)
			return;
		for (int i = 0, k = 0; i < n && ready > 0; i++) {
			if (!cs[i]->ssl || cs[i]->eof)
				continue;
			if (p[k++].revents) {
				if (cs[i]->len > KEEP_MAX)
					slow_consume(cs[i], cs[i]->len);
				slow_fill(cs[i], 0, 0);
			}
		}
		if (harness_now() >= deadline)
			return;
	}
}

int slow_drip(struct slow_conn *const *cs, int n, int interval_ms, int limit_ms)
{
	double end = harness_now() + limit_ms / 1000.0;
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	int waiting = 0;

	if (!p)
		return n;
	for (;;) {
		double tick = harness_now() + interval_ms / 1000.0;

		for (int i = 0; i < n; i++) {
			struct slow_conn *c = cs[i];

			if (!drip_waiting(c))
				continue;
			if (slow_send(c, c->drip + c->dripped, 1, interval_ms) == 0)
				c->dripped++;
			else /* refused: the reading below tells how it ended */
				c->dripped = c->drip_len;
		}
		pump(cs, n, p, tick < end ? tick : end);
		waiting = 0;
		for (int i = 0; i < n; i++)
			waiting += drip_waiting(cs[i]);
		if (!waiting || harness_now() >= end)
			break;
	}
	free(p);
	return waiting;
}

/* The value of the first header name at or after line (a "\r\n" of the
 * head) and its length; *at is left on that header's line break. */
static const char *header_from(const char **at, const char *name, size_t *vlen)
{
	size_t n = strlen(name);

	for (const char *p = *at; p && p[2] && p[2] != '\r'; p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2, *eol = strstr(line, "\r\n"), *v;

		if (!eol)
			break;
		if (strncasecmp(line, name, n) != 0 || line[n] != ':')
			continue;
		for (v = line + n + 1; *v == ' ' || *v == '\t'; v++)
			;
		*vlen = (size_t)(eol - v);
		while (*vlen && (v[*vlen - 1] == ' ' || v[*vlen - 1] == '\t'))
			(*vlen)--;
		*at = eol;
		return v;
	}
	return NULL;
}

const char *slow_reply_header(const struct slow_reply *r, const char *name, char *buf,
			      size_t len)
{
	const char *at = r->head ? strstr(r->head, "\r\n") : NULL, *v;
	size_t vlen;

	if (!at || !(v = header_from(&at, name, &vlen)))
		return NULL;
	snprintf(buf, len, "%.*s", (int)vlen, v);
	return buf;
}

/* Whether any header name of head lists token (comma-separated,
 * case-insensitive). */
static bool header_has_token(const char *head, const char *name, const char *token)
{
	const char *at = strstr(head, "\r\n"), *v;
	size_t tl = strlen(token), vlen;

	while (at && (v = header_from(&at, name, &vlen))) {
		const char *end = v + vlen;

		while (v < end) {
			const char *comma = memchr(v, ',', (size_t)(end - v)), *a = v, *b;

			b = comma ? comma : end;
			v = b + 1;
			while (a < b && (*a == ' ' || *a == '\t'))
				a++;
			while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
				b--;
			if ((size_t)(b - a) == tl && strncasecmp(a, token, tl) == 0)
				return true;
		}
	}
	return false;
}

bool slow_reply_closes(const struct slow_reply *r)
{
	return r->head && header_has_token(r->head, "Connection", "close");
}

int slow_head_read(struct slow_conn *c, struct slow_reply *r, int timeout_ms)
{
	double deadline = harness_now() + timeout_ms / 1000.0;
	char *end;
	size_t head_len;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	r->length = -1;
	while (!(end = c->in ? memmem(c->in, c->len, "\r\n\r\n", 4) : NULL)) {
		if (c->eof || harness_now() >= deadline)
			return -1;
		slow_fill(c, 0, ms_left(deadline));
	}
	head_len = (size_t)(end - c->in) + 4;
	if (!(r->head = strndup(c->in, head_len)))
		return -1;
	slow_consume(c, head_len);
	if (sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1)
		r->status = -1;
	r->chunked = header_has_token(r->head, "Transfer-Encoding", "chunked");
	if (!r->chunked) {
		char v[32];

		if (slow_reply_header(r, "Content-Length", v, sizeof(v)))
			r->length = strtoll(v, NULL, 10);
		else if (r->status == 204 || r->status == 304 || (r->status >= 100 && r->status < 200))
			r->length = 0;
	}
	if (r->length == 0)
		r->complete = true;
	return r->status < 0 ? -1 : 0;
}

static void body_take(struct slow_reply *r, const char *p, size_t n)
{
	if (!r->discard && n) {
		/* Doubling: a body of megabytes grown piece by piece would be
		 * copied over and over. */
		if (r->body_len + n + 1 > r->body_cap) {
			size_t cap = r->body_cap ? r->body_cap : 4096;
			char *grown;

			while (cap < r->body_len + n + 1)
				cap *= 2;
			if (!(grown = realloc(r->body, cap))) {
				r->discard = true;
				r->body_len += n;
				return;
			}
			r->body = grown;
			r->body_cap = cap;
		}
		memcpy(r->body + r->body_len, p, n);
		r->body[r->body_len + n] = '\0';
	}
	r->body_len += n;
}

static bool chunk_size_parse(struct slow_reply *r)
{
	unsigned long long v = 0;
	size_t i = 0, len = r->cline_len;

	if (len && r->cline[len - 1] == '\r')
		len--;
	for (; i < len && i < 15; i++) {
		char ch = r->cline[i];
		int d = ch >= '0' && ch <= '9'   ? ch - '0'
			: ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
			: ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
						 : -1;
		if (d < 0)
			break;
		v = v * 16 + (unsigned)d;
	}
	if (i == 0 || (i < len && r->cline[i] != ';'))
		return false;
	r->cleft = v;
	return true;
}

/* Takes what of p[0..n) belongs to r's body; returns how many bytes. */
static size_t body_decode(struct slow_reply *r, const char *p, size_t n)
{
	size_t i = 0;

	if (!r->chunked) {
		size_t take = n;

		if (r->length >= 0 && take > (size_t)r->length - r->body_len)
			take = (size_t)r->length - r->body_len;
		body_take(r, p, take);
		if (r->length >= 0 && r->body_len == (size_t)r->length)
			r->complete = true;
		return take;
	}
	while (i < n && !r->complete && !r->bad_framing) {
		char ch;
		size_t take;

		switch (r->cstate) {
		case CS_SIZE:
			if ((ch = p[i++]) != '\n') {
				if (r->cline_len + 1 >= sizeof(r->cline))
					r->bad_framing = true;
				else
					r->cline[r->cline_len++] = ch;
				break;
			}
			if (!chunk_size_parse(r)) {
				r->bad_framing = true;
				break;
			}
			r->cline_len = 0;
			r->cstate = r->cleft ? CS_DATA : CS_TRAILER;
			break;
		case CS_DATA:
			take = n - i < r->cleft ? n - i : (size_t)r->cleft;
			body_take(r, p + i, take);
			i += take;
			if (!(r->cleft -= take))
				r->cstate = CS_DATA_END;
			break;
		case CS_DATA_END:
			ch = p[i++];
			if (ch == '\n')
				r->cstate = CS_SIZE;
			else if (ch != '\r')
				r->bad_framing = true;
			break;
		case CS_TRAILER:
			/* Trailer lines until an empty one; cline_len counts a
			 * line's characters other than CR. */
			ch = p[i++];
			if (ch == '\n') {
				if (!r->cline_len)
					r->complete = true;
				r->cline_len = 0;
			} else if (ch != '\r') {
				r->cline_len = 1;
			}
			break;
		}
	}
	return i;
}

int slow_body_read(struct slow_conn *c, struct slow_reply *r, size_t limit, int timeout_ms)
{
	double deadline = harness_now() + timeout_ms / 1000.0;
	size_t start = c->total_in;

	for (;;) {
		slow_consume(c, body_decode(r, c->in, c->len));
		if (r->complete)
			return 1;
		if (r->bad_framing)
			return -1;
		if (c->eof) {
			/* Neither length nor chunks: the close ends the body. */
			if (!r->chunked && r->length < 0) {
				r->complete = true;
				return 1;
			}
			return -1;
		}
		if ((limit && c->total_in - start >= limit) || harness_now() >= deadline)
			return 0;
		slow_fill(c, limit ? limit - (c->total_in - start) : 0, ms_left(deadline));
	}
}

int slow_reply_read(struct slow_conn *c, struct slow_reply *r, int timeout_ms)
{
	double deadline = harness_now() + timeout_ms / 1000.0;

	if (slow_head_read(c, r, timeout_ms) < 0)
		return -1;
	return slow_body_read(c, r, 0, ms_left(deadline)) == 1 ? 0 : -1;
}

bool slow_reply_is_problem(const struct slow_reply *r)
{
	char ct[128];
	json_t *j;
	bool ok;

	if (!slow_reply_header(r, "Content-Type", ct, sizeof(ct)) ||
	    strncasecmp(ct, "application/problem+json", 24) != 0 || !r->body)
		return false;
	j = json_loadb(r->body, r->body_len, 0, NULL);
	ok = j && json_integer_value(json_object_get(j, "status")) == r->status &&
	     json_is_string(json_object_get(j, "code"));
	json_decref(j);
	return ok;
}

char *slow_reply_detail(const struct slow_reply *r)
{
	json_t *j = r->body ? json_loadb(r->body, r->body_len, 0, NULL) : NULL;
	const char *d = json_string_value(json_object_get(j, "detail"));
	char *copy = d ? strdup(d) : NULL;

	json_decref(j);
	return copy;
}

void slow_reply_release(struct slow_reply *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
	r->status = -1;
}

int slow_exchange(const struct lms_server *s, const char *req, size_t len, int timeout_ms,
		  int close_ms, struct slow_reply *r, bool *closed)
{
	struct slow_conn c;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	if (closed)
		*closed = false;
	if (slow_connect(&c, s, 0) < 0)
		return -1;
	/* A send cut short may still have its answer waiting: read anyway. */
	slow_send(&c, req, len, timeout_ms);
	rc = slow_reply_read(&c, r, timeout_ms);
	if (rc == 0 && close_ms > 0 && closed)
		*closed = slow_wait_closed(&c, close_ms) == 0;
	slow_close(&c);
	return rc;
}

bool slow_refused(const struct lms_server *s)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool refused;

	if (fd < 0)
		return false;
	refused = connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 && errno == ECONNREFUSED;
	close(fd);
	return refused;
}
