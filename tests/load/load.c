/* load.c - load client of tests/load/run.sh: keep-alive catalogue readers,
 * slow heads and slow bodies, an enrolment burst, and a probe that times
 * /healthz and a course page on fresh connections for the whole run */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BOUND_MS 1000
#define HIST_MS 10000          /* latencies kept to the millisecond up to 10 s */
#define TICK_MS 10             /* timer granularity of the event loop */
#define RAMP_PER_TICK 40       /* connections opened per tick while ramping up */
#define PROBE_EVERY_MS 150
#define PROBE_TIMEOUT_MS 5000
#define BODY_LENGTH 1000       /* what a slow body declares */
#define IN_MAX (1u << 20)

enum kind { K_READER, K_SLOW_HEAD, K_SLOW_BODY, K_ENROL, NKINDS };
enum state { S_CONNECT, S_HANDSHAKE, S_SEND, S_READ, S_THINK, S_DRIP, S_HOLD, S_DONE };

struct conn {
	enum kind kind;
	enum state state;
	int fd;
	SSL *ssl;
	uint32_t events;        /* epoll interest now */
	char out[1024];
	size_t out_len, out_off;
	char *in;
	size_t in_len, in_cap;
	double t_open, t_req, next_at;
	size_t dripped;
	int n;                  /* readers: requests made; enrolments: the learner */
	int status;             /* of the last response */
	size_t slot;            /* in registry */
};

/* Latencies in 1 ms buckets, the last one "10 s or more". */
struct hist {
	long count, over, failed;
	double max_ms;
	long bucket[HIST_MS + 1];
};

static struct {
	int port, seconds, readers, heads, bodies, think_ms, drip_ms, burst;
	long long course_id, section_id;
	const char *cert, *sessions;
} opt = {.seconds = 30, .readers = 1000, .heads = 50, .bodies = 50, .think_ms = 250,
	 .drip_ms = 500, .burst = 0};

static SSL_CTX *ctx;
static int ep;
static char (*cookies)[160], (*csrfs)[96];
static int nsessions;

/* What happened, for the table. */
static struct hist h_reader, h_enrol, h_probe_health, h_probe_course;
static long readers_up, readers_up_peak, reader_reconnects, reader_bad_status;
static long cuts[NKINDS], cut_408[NKINDS], connect_fail[NKINDS];
static double cut_max_s[NKINDS];
static long enrol_2xx, enrol_other, enrol_enrolled, enrol_waitlisted;
static int enrol_ready, enrol_done;
static atomic_bool probe_stop;

/* Every live connection, for the timers (epoll finds the rest); a freed
 * connection leaves a NULL its successor may take. */
static struct conn **registry;
static size_t registry_n, registry_cap;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hist_add(struct hist *h, double ms)
{
	long b = ms < 0 ? 0 : ms >= HIST_MS ? HIST_MS : (long)ms;

	h->bucket[b]++;
	h->count++;
	h->over += ms > BOUND_MS;
	if (ms > h->max_ms)
		h->max_ms = ms;
}

static double hist_pct(const struct hist *h, double p)
{
	long want = (long)ceil(p * (double)h->count), seen = 0;

	for (long b = 0; b <= HIST_MS && h->count; b++)
		if ((seen += h->bucket[b]) >= want && want > 0)
			return (double)b + 0.5;
	return 0;
}

/* ---- the event loop's connections ---- */

static void watch(struct conn *c, uint32_t events)
{
	if (c->events == events)
		return;
	struct epoll_event ev = {.events = events, .data.ptr = c};
	epoll_ctl(ep, c->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev);
	c->events = events;
}

static int tcp_open(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static void conn_free(struct conn *c)
{
	if (c->kind == K_READER && c->state >= S_SEND && c->state != S_DONE)
		readers_up--;
	if (c->ssl)
		SSL_free(c->ssl);
	if (c->fd >= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	registry[c->slot] = NULL;
	free(c->in);
	free(c);
}

static bool registry_add(struct conn *c)
{
	static size_t hint;

	for (size_t i = 0; i < registry_n; i++, hint++) {
		if (hint >= registry_n)
			hint = 0;
		if (!registry[hint]) {
			registry[c->slot = hint] = c;
			return true;
		}
	}
	if (registry_n == registry_cap) {
		size_t cap = registry_cap ? registry_cap * 2 : 2048;
		struct conn **grown = realloc(registry, cap * sizeof(*grown));

		if (!grown)
			return false;
		registry = grown;
		registry_cap = cap;
	}
	registry[c->slot = registry_n++] = c;
	return true;
}

static void conn_replace(struct conn *c);

static struct conn *conn_open(enum kind kind, int n)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->kind = kind;
	c->n = n;
	c->t_open = now_s();
	if (!registry_add(c)) {
		free(c);
		return NULL;
	}
	if ((c->fd = tcp_open()) < 0) {
		/* Not retried: out of descriptors, most likely (ulimit -n). */
		connect_fail[kind]++;
		if (kind == K_ENROL) {
			enrol_other++;
			enrol_done++;
		}
		registry[c->slot] = NULL;
		free(c);
		return NULL;
	}
	c->state = S_CONNECT;
	watch(c, EPOLLOUT);
	return c;
}

static const char *const pages[] = {
	"/api/v1/courses?limit=20",
	"/api/v1/courses?limit=20&delivery=online",
	"/api/v1/courses?limit=20&program=ai_academy",
	"/api/v1/courses?limit=20&open=true",
	NULL, /* the course page */
};

static void request_set(struct conn *c)
{
	char path[160];
	const char *page = pages[c->n % (int)(sizeof(pages) / sizeof(pages[0]))];
	int len = 0;

	switch (c->kind) {
	case K_READER:
		if (page)
			snprintf(path, sizeof(path), "%s", page);
		else
			snprintf(path, sizeof(path), "/api/v1/courses/%lld", opt.course_id);
		len = snprintf(c->out, sizeof(c->out), "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n",
			       path);
		break;
	case K_SLOW_HEAD:
		/* Trickled whole, from the first byte. */
		len = 0;
		break;
	case K_SLOW_BODY:
		len = snprintf(c->out, sizeof(c->out),
			       "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
			       "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n",
			       BODY_LENGTH);
		break;
	case K_ENROL:
		len = snprintf(c->out, sizeof(c->out),
			       "POST /api/v1/sections/%lld/enrollments HTTP/1.1\r\nHost: localhost\r\n"
			       "Cookie: %s\r\nX-CSRF-Token: %s\r\nContent-Type: application/json\r\n"
			       "Content-Length: 2\r\nConnection: close\r\n\r\n{}",
			       opt.section_id, cookies[c->n], csrfs[c->n]);
		break;
	default:
		break;
	}
	c->out_len = (size_t)len;
	c->out_off = 0;
	c->in_len = 0;
	c->t_req = now_s();
	c->state = S_SEND;
}

/* What slow clients trickle: a head that never ends, a body of
 * BODY_LENGTH bytes. */
static char drip_head[4096], drip_body[BODY_LENGTH];

static void drip_init(void)
{
	size_t n = (size_t)snprintf(drip_head, sizeof(drip_head),
				    "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");

	memset(drip_head + n, 'a', sizeof(drip_head) - n - 1);
	memset(drip_body, ' ', sizeof(drip_body));
	drip_body[0] = '{';
	drip_body[sizeof(drip_body) - 1] = '}';
}

/* Whether in holds a whole response (Content-Length or chunked). */
static bool response_whole(struct conn *c)
{
	char *end = c->in ? memmem(c->in, c->in_len, "\r\n\r\n", 4) : NULL, *p;
	size_t head;

	if (!end)
		return false;
	head = (size_t)(end - c->in) + 4;
	c->in[head - 1] = '\0';
	if (sscanf(c->in, "HTTP/1.%*d %d", &c->status) != 1)
		c->status = -1;
	p = strcasestr(c->in, "\r\nContent-Length:");
	if (p && p < end) {
		size_t len = strtoul(p + 17, NULL, 10);

		c->in[head - 1] = '\n';
		return c->in_len >= head + len;
	}
	p = strcasestr(c->in, "\r\nTransfer-Encoding: chunked");
	c->in[head - 1] = '\n';
	if (p && p < end)
		return c->in_len >= head + 5 && !memcmp(c->in + c->in_len - 5, "0\r\n\r\n", 5);
	return true;
}

/* The server ended c: slow clients count a cut and come back, readers a
 * reconnect. */
static void on_closed(struct conn *c)
{
	double open_for = now_s() - c->t_open;

	if (c->kind == K_SLOW_HEAD || c->kind == K_SLOW_BODY) {
		cuts[c->kind]++;
		cut_408[c->kind] += c->status == 408;
		if (open_for > cut_max_s[c->kind])
			cut_max_s[c->kind] = open_for;
	} else if (c->kind == K_READER) {
		reader_reconnects++;
	}
	conn_replace(c);
}

static void on_response(struct conn *c)
{
	double ms = (now_s() - c->t_req) * 1000.0;

	switch (c->kind) {
	case K_READER:
		hist_add(&h_reader, ms);
		if (c->status != 200)
			reader_bad_status++;
		c->n++;
		c->in_len = 0;
		c->state = S_THINK;
		c->next_at = now_s() + opt.think_ms / 1000.0 * (0.5 + (double)rand() / RAND_MAX);
		watch(c, EPOLLIN);
		break;
	case K_ENROL:
		hist_add(&h_enrol, ms);
		if (c->status >= 200 && c->status < 300) {
			enrol_2xx++;
			enrol_enrolled += strstr(c->in, "\"status\":\"enrolled\"") != NULL;
			enrol_waitlisted += strstr(c->in, "\"status\":\"waitlisted\"") != NULL;
		} else {
			enrol_other++;
			fprintf(stderr, "load: an enrolment got %d: %.300s\n", c->status, c->in);
		}
		enrol_done++;
		c->state = S_DONE;
		break;
	default:
		/* A slow client answered (408): the close that follows counts. */
		c->in_len = 0;
		break;
	}
}

/* Reads what is there; false when the connection ended. */
static bool read_some(struct conn *c)
{
	for (;;) {
		int n, e;

		if (c->in_cap - c->in_len < 16384) {
			size_t cap = c->in_cap ? c->in_cap * 2 : 32768;
			char *grown;

			if (cap > IN_MAX || !(grown = realloc(c->in, cap + 1)))
				return false;
			c->in = grown;
			c->in_cap = cap;
		}
		ERR_clear_error();
		if ((n = SSL_read(c->ssl, c->in + c->in_len, (int)(c->in_cap - c->in_len))) > 0) {
			c->in_len += (size_t)n;
			c->in[c->in_len] = '\0';
			if (c->state == S_READ && response_whole(c))
				return true;
			if (c->state != S_READ && response_whole(c)) {
				on_response(c);
				c->in_len = 0;
			}
			continue;
		}
		e = SSL_get_error(c->ssl, n);
		if (e == SSL_ERROR_WANT_READ)
			return true;
		return false;
	}
}

static void step(struct conn *c)
{
	for (;;) {
		int rc, e, err = 0;
		socklen_t len = sizeof(err);

		switch (c->state) {
		case S_CONNECT:
			if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
				connect_fail[c->kind]++;
				conn_replace(c);
				return;
			}
			c->ssl = SSL_new(ctx);
			SSL_set_fd(c->ssl, c->fd);
			SSL_set_tlsext_host_name(c->ssl, "localhost");
			SSL_set1_host(c->ssl, "localhost");
			c->state = S_HANDSHAKE;
			break;
		case S_HANDSHAKE:
			ERR_clear_error();
			if ((rc = SSL_connect(c->ssl)) != 1) {
				e = SSL_get_error(c->ssl, rc);
				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
					watch(c, e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT);
					return;
				}
				connect_fail[c->kind]++;
				conn_replace(c);
				return;
			}
			if (c->kind == K_READER && ++readers_up > readers_up_peak)
				readers_up_peak = readers_up;
			if (c->kind == K_ENROL) {
				/* Held until every learner of the burst is ready. */
				enrol_ready++;
				c->state = S_HOLD;
				watch(c, EPOLLIN);
				return;
			}
			request_set(c);
			break;
		case S_SEND:
			while (c->out_off < c->out_len) {
				ERR_clear_error();
				rc = SSL_write(c->ssl, c->out + c->out_off, (int)(c->out_len - c->out_off));
				if (rc > 0) {
					c->out_off += (size_t)rc;
					continue;
				}
				e = SSL_get_error(c->ssl, rc);
				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
					watch(c, e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT);
					return;
				}
				on_closed(c);
				return;
			}
			if (c->kind == K_SLOW_HEAD || c->kind == K_SLOW_BODY) {
				c->state = S_DRIP;
				c->next_at = now_s();
				watch(c, EPOLLIN);
				return;
			}
			c->state = S_READ;
			watch(c, EPOLLIN);
			break;
		case S_READ:
			if (!read_some(c)) {
				on_closed(c);
				return;
			}
			if (c->in_len && response_whole(c)) {
				on_response(c);
				if (c->state == S_DONE) {
					conn_free(c);
					return;
				}
			}
			return;
		case S_THINK:
		case S_DRIP:
		case S_HOLD:
			/* Readable while waiting: an answer, or the server closing. */
			if (!read_some(c)) {
				on_closed(c);
				return;
			}
			return;
		case S_DONE:
			return;
		}
	}
}

/* Replaces a connection that ended with a new one of its kind; an
 * enrolment is tried once, and one that ended unanswered counts as failed. */
static void conn_replace(struct conn *c)
{
	enum kind kind = c->kind;
	int n = c->n;

	if (kind == K_ENROL && c->state != S_DONE) {
		enrol_other++;
		enrol_done++;
	}
	conn_free(c);
	if (kind != K_ENROL)
		conn_open(kind, n);
}

/* ---- timers: every connection's, scanned each tick ---- */

static void timers_run(void)
{
	double t = now_s();

	for (size_t i = 0; i < registry_n; i++) {
		struct conn *c = registry[i];

		if (!c)
			continue;
		if (c->state == S_THINK && t >= c->next_at) {
			request_set(c);
			step(c);
		} else if (c->state == S_DRIP && t >= c->next_at) {
			const char *src = c->kind == K_SLOW_HEAD ? drip_head : drip_body;
			size_t len = c->kind == K_SLOW_HEAD ? strlen(drip_head) : sizeof(drip_body);
			int rc;

			c->next_at = t + opt.drip_ms / 1000.0;
			if (c->dripped >= len)
				continue;
			ERR_clear_error();
			rc = SSL_write(c->ssl, src + c->dripped, 1);
			if (rc == 1)
				c->dripped++;
			else if (SSL_get_error(c->ssl, rc) != SSL_ERROR_WANT_WRITE &&
				 SSL_get_error(c->ssl, rc) != SSL_ERROR_WANT_READ)
				on_closed(c);
		}
	}
}

/* ---- the probe: its own thread, blocking, so the loop's load cannot
 * delay what it measures ---- */

static int wait_fd(int fd, short what, double deadline)
{
	struct pollfd p = {fd, what, 0};
	int ms = (int)((deadline - now_s()) * 1000.0);

	return ms <= 0 ? 0 : poll(&p, 1, ms);
}

/* GET path on a fresh connection: milliseconds from connect to the whole
 * response, or -1 (failure, or not 200). */
static double probe_once(SSL_CTX *pctx, const char *path)
{
	double t0 = now_s(), deadline = t0 + PROBE_TIMEOUT_MS / 1000.0, ms = -1;
	char req[256], in[65536];
	size_t used = 0, len;
	int fd = tcp_open(), rc, e, status = 0;
	SSL *ssl = NULL;

	if (fd < 0 || wait_fd(fd, POLLOUT, deadline) <= 0)
		goto out;
	ssl = SSL_new(pctx);
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, "localhost");
	SSL_set1_host(ssl, "localhost");
	while ((rc = SSL_connect(ssl)) != 1) {
		e = SSL_get_error(ssl, rc);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
		    wait_fd(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline) <= 0)
			goto out;
	}
	len = (size_t)snprintf(req, sizeof(req),
			       "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path);
	while ((rc = SSL_write(ssl, req, (int)len)) <= 0) {
		e = SSL_get_error(ssl, rc);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
		    wait_fd(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline) <= 0)
			goto out;
	}
	for (;;) {
		struct conn view = {.in = in, .in_len = used};

		if (used && response_whole(&view)) {
			status = view.status;
			break;
		}
		if (used + 1 >= sizeof(in))
			goto out;
		if ((rc = SSL_read(ssl, in + used, (int)(sizeof(in) - used - 1))) > 0) {
			used += (size_t)rc;
			in[used] = '\0';
			continue;
		}
		e = SSL_get_error(ssl, rc);
		if (e != SSL_ERROR_WANT_READ || wait_fd(fd, POLLIN, deadline) <= 0)
			goto out;
	}
	if (status == 200)
		ms = (now_s() - t0) * 1000.0;
out:
	if (ssl)
		SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	ERR_clear_error();
	return ms;
}

static void *probe_run(void *arg)
{
	SSL_CTX *pctx = arg;
	char course[64];

	snprintf(course, sizeof(course), "/api/v1/courses/%lld", opt.course_id);
	while (!atomic_load(&probe_stop)) {
		double next = now_s() + PROBE_EVERY_MS / 1000.0, ms;
		struct timespec ts;

		if ((ms = probe_once(pctx, "/healthz")) < 0)
			h_probe_health.failed++;
		else
			hist_add(&h_probe_health, ms);
		if ((ms = probe_once(pctx, course)) < 0)
			h_probe_course.failed++;
		else
			hist_add(&h_probe_course, ms);
		if ((ms = next - now_s()) > 0) {
			ts.tv_sec = 0;
			ts.tv_nsec = (long)(ms * 1e9);
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

/* ---- set-up and report ---- */

static SSL_CTX *ctx_new(void)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());

	if (!c || SSL_CTX_load_verify_locations(c, opt.cert, NULL) != 1) {
		fprintf(stderr, "load: cannot trust %s\n", opt.cert);
		exit(2);
	}
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_options(c, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return c;
}

static void sessions_load(void)
{
	FILE *f = fopen(opt.sessions, "r");
	char token[128], csrf[96];

	if (!f) {
		fprintf(stderr, "load: %s: %s\n", opt.sessions, strerror(errno));
		exit(2);
	}
	cookies = calloc((size_t)opt.burst, sizeof(*cookies));
	csrfs = calloc((size_t)opt.burst, sizeof(*csrfs));
	while (nsessions < opt.burst && fscanf(f, "%127s %95s", token, csrf) == 2) {
		snprintf(cookies[nsessions], sizeof(cookies[0]), "__Host-lms_session=%s", token);
		snprintf(csrfs[nsessions], sizeof(csrfs[0]), "%s", csrf);
		nsessions++;
	}
	fclose(f);
	if (nsessions < opt.burst) {
		fprintf(stderr, "load: %s holds %d sessions, the burst needs %d\n", opt.sessions,
			nsessions, opt.burst);
		exit(2);
	}
}

static void row(const char *what, const struct hist *h)
{
	printf("%-30s %7ld %8.1f %8.1f %8.1f %8ld %7ld\n", what, h->count, hist_pct(h, 0.5),
	       hist_pct(h, 0.99), h->max_ms, h->over, h->failed);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: lms-load --port P --cert PEM --course ID [--section ID --sessions FILE "
		"--burst N]\n"
		"                [--seconds S] [--readers N] [--think-ms MS] [--slow-heads N]\n"
		"                [--slow-bodies N] [--drip-ms MS]\n");
	exit(2);
}

static void options_parse(int argc, char **argv)
{
	static const struct option longs[] = {
		{"port", 1, NULL, 'p'},     {"cert", 1, NULL, 'c'},       {"course", 1, NULL, 'C'},
		{"section", 1, NULL, 'S'},  {"sessions", 1, NULL, 'f'},   {"burst", 1, NULL, 'b'},
		{"seconds", 1, NULL, 's'},  {"readers", 1, NULL, 'r'},    {"think-ms", 1, NULL, 't'},
		{"slow-heads", 1, NULL, 'H'}, {"slow-bodies", 1, NULL, 'B'}, {"drip-ms", 1, NULL, 'd'},
		{"help", 0, NULL, 'h'},     {NULL, 0, NULL, 0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (ch) {
		case 'p': opt.port = atoi(optarg); break;
		case 'c': opt.cert = optarg; break;
		case 'C': opt.course_id = atoll(optarg); break;
		case 'S': opt.section_id = atoll(optarg); break;
		case 'f': opt.sessions = optarg; break;
		case 'b': opt.burst = atoi(optarg); break;
		case 's': opt.seconds = atoi(optarg); break;
		case 'r': opt.readers = atoi(optarg); break;
		case 't': opt.think_ms = atoi(optarg); break;
		case 'H': opt.heads = atoi(optarg); break;
		case 'B': opt.bodies = atoi(optarg); break;
		case 'd': opt.drip_ms = atoi(optarg); break;
		default: usage();
		}
	}
	if (!opt.port || !opt.cert || !opt.course_id || opt.seconds < 1 ||
	    (opt.burst && (!opt.section_id || !opt.sessions)))
		usage();
}

int main(int argc, char **argv)
{
	struct epoll_event evs[512];
	SSL_CTX *pctx;
	pthread_t probe;
	double start, burst_at, end, last_tick = 0;
	int opened = 0, want = 0, broken = 0;
	bool burst_started = false, burst_sent = false;

	options_parse(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	if (opt.burst)
		sessions_load();
	drip_init();
	ctx = ctx_new();
	pctx = ctx_new();
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return 2;
	want = opt.readers + opt.heads + opt.bodies;
	srand(42);

	start = now_s();
	burst_at = start + opt.seconds / 2.0;
	end = start + opt.seconds;
	if (pthread_create(&probe, NULL, probe_run, pctx) != 0)
		return 2;

	while (now_s() < end || (burst_started && enrol_done < opt.burst && now_s() < end + 10)) {
		int n = epoll_wait(ep, evs, (int)(sizeof(evs) / sizeof(evs[0])), TICK_MS);
		double t = now_s();

		for (int i = 0; i < n; i++)
			step(evs[i].data.ptr);
		if (t - last_tick < TICK_MS / 1000.0)
			continue;
		last_tick = t;
		/* Ramp up: readers first, then the slow clients. */
		for (int k = 0; k < RAMP_PER_TICK && opened < want; k++, opened++)
			conn_open(opened < opt.readers			? K_READER
				  : opened < opt.readers + opt.heads ? K_SLOW_HEAD
								     : K_SLOW_BODY,
				  opened);
		if (opt.burst && !burst_started && t >= burst_at) {
			for (int k = 0; k < opt.burst; k++)
				conn_open(K_ENROL, k);
			burst_started = true;
		}
		/* All at once, when every learner's connection is ready (or
		 * 5 s after the burst began). */
		if (burst_started && !burst_sent &&
		    (enrol_ready + (int)connect_fail[K_ENROL] >= opt.burst || t >= burst_at + 5)) {
			for (size_t i = 0; i < registry_n; i++)
				if (registry[i] && registry[i]->state == S_HOLD) {
					request_set(registry[i]);
					step(registry[i]);
				}
			burst_sent = true;
		}
		timers_run();
	}
	atomic_store(&probe_stop, true);
	pthread_join(probe, NULL);

	printf("load: %d keep-alive readers (a request every ~%d ms each), %d slow heads and %d "
	       "slow bodies (a byte every %d ms), %d s",
	       opt.readers, opt.think_ms, opt.heads, opt.bodies, opt.drip_ms, opt.seconds);
	if (opt.burst)
		printf(", a burst of %d enrolments halfway", opt.burst);
	printf("\n\n%-30s %7s %8s %8s %8s %8s %7s\n", "what", "n", "p50 ms", "p99 ms", "max ms",
	       "> 1 s", "failed");
	row("probe GET /healthz (fresh)", &h_probe_health);
	row("probe GET /courses/{id} (fresh)", &h_probe_course);
	row("readers (keep-alive)", &h_reader);
	if (opt.burst)
		row("enrolment burst", &h_enrol);
	printf("\nreaders connected at once: %ld of %d; reconnects %ld; answers not 200: %ld; "
	       "connections that failed: %ld\n",
	       readers_up_peak, opt.readers, reader_reconnects, reader_bad_status,
	       connect_fail[K_READER]);
	printf("slow heads cut by the server: %ld (%ld with 408), longest held %.1f s\n",
	       cuts[K_SLOW_HEAD], cut_408[K_SLOW_HEAD], cut_max_s[K_SLOW_HEAD]);
	printf("slow bodies cut by the server: %ld (%ld with 408), longest held %.1f s\n",
	       cuts[K_SLOW_BODY], cut_408[K_SLOW_BODY], cut_max_s[K_SLOW_BODY]);
	if (opt.burst)
		printf("enrolments: %ld answered 2xx (enrolled %ld, waitlisted %ld), %ld otherwise\n",
		       enrol_2xx, enrol_enrolled, enrol_waitlisted, enrol_other);

	printf("\nbounds:\n");
#define BOUND(ok, text)                                                            \
	do {                                                                       \
		bool ok_ = (ok);                                                   \
		printf("  %-6s %s\n", ok_ ? "held" : "BROKEN", text);              \
		broken += !ok_;                                                    \
	} while (0)
	BOUND(h_probe_health.count > 0 && !h_probe_health.over && !h_probe_health.failed,
	      "every /healthz probe answered 200 within 1 s");
	BOUND(h_probe_course.count > 0 && !h_probe_course.over && !h_probe_course.failed,
	      "every course page probe answered 200 within 1 s");
	BOUND(readers_up_peak >= opt.readers && !reader_bad_status && !connect_fail[K_READER],
	      "every reader connected and got only 200s");
	BOUND(opt.seconds < 15 || ((!opt.heads || cuts[K_SLOW_HEAD]) &&
				   (!opt.bodies || cuts[K_SLOW_BODY])),
	      "slow heads and slow bodies were cut by the server");
	if (opt.burst)
		BOUND(enrol_2xx == opt.burst, "every enrolment of the burst answered 2xx");
	return broken ? 1 : 0;
}
