/* slowclient.h - raw TLS clients that misbehave on purpose: partial heads,
 * trickled bodies, reads that stop, with every wait bounded */
#ifndef LMS_TEST_SLOWCLIENT_H
#define LMS_TEST_SLOWCLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "harness.h"

/* One TLS connection to a test server. Zero it (or let slow_connect fill
 * it) before use; slow_close releases it. */
struct slow_conn {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	char *in;            /* received and not yet consumed, NUL-terminated */
	size_t len, cap;
	size_t total_in;     /* bytes received over the connection's life */
	bool eof;            /* the server closed the connection or reset it */
	bool reset;          /* ... and without a TLS close_notify or a FIN */
	double t_start;      /* monotonic seconds: connected */
	double t_first;      /* when the first reply byte came (0: none yet) */
	double t_closed;     /* when the server closed it (0: open) */
	const char *drip;    /* what slow_drip sends (borrowed), and how far */
	size_t drip_len, dripped;
};

/* A response read from a slow_conn. */
struct slow_reply {
	int status;          /* -1 when no complete head came */
	char *head;          /* the head, status line to the blank line, NUL-terminated */
	char *body;          /* decoded body when kept (NUL-terminated), or NULL */
	size_t body_len;     /* decoded body bytes seen, kept or not */
	size_t body_cap;
	bool discard;        /* set before reading the body: count it, do not keep it */
	bool chunked;        /* framed by Transfer-Encoding: chunked */
	long long length;    /* Content-Length, or -1 */
	bool complete;       /* the body ended as its framing says (last chunk, length) */
	bool bad_framing;    /* a chunk size line that is not one */
	/* chunked decoder state */
	int cstate;
	unsigned long long cleft;
	char cline[64];
	size_t cline_len;
};

/* A wait of ms milliseconds that is part of a client's behaviour (its
 * pace), never a guess at the server's timing. */
void slow_pause_ms(int ms);

/*
 * Opens a TCP connection to s and completes a TLS handshake, trusting s's
 * certificate; rcvbuf > 0 sets a small receive buffer first so that a
 * client that stops reading stalls the server soon. Bounded by 5 s.
 * Returns 0, or -1 (c is then released).
 */
int slow_connect(struct slow_conn *c, const struct lms_server *s, int rcvbuf);

/* Closes abruptly: no close_notify, unread bytes left in the socket (the
 * kernel answers the server with a reset). Accepts a zeroed c. */
void slow_close(struct slow_conn *c);

/* Sends all len bytes within timeout_ms; 0, or -1 when the server closed
 * the connection or the time ran out. */
int slow_send(struct slow_conn *c, const void *data, size_t len, int timeout_ms);

/* slow_send of a string. */
int slow_send_str(struct slow_conn *c, const char *text, int timeout_ms);

/*
 * Waits up to timeout_ms for bytes and reads what has come, at most max
 * (0: no bound) into c->in. Returns the bytes read, 0 when none came in
 * time, or -1 when the connection ended (c->eof) with nothing read.
 */
int slow_fill(struct slow_conn *c, size_t max, int timeout_ms);

/* Drops the first n bytes of c->in. */
void slow_consume(struct slow_conn *c, size_t n);

/* Reads until the server closes the connection, at most timeout_ms;
 * bytes that come meanwhile are kept (up to 1 MiB, then dropped). Returns
 * 0 when it closed in time, -1 otherwise. */
int slow_wait_closed(struct slow_conn *c, int timeout_ms);

/*
 * Sends each connection's drip (c->drip, c->drip_len) one byte at a time:
 * a byte to every connection still waiting, then interval_ms of reading
 * all of them, again, until limit_ms have passed. A connection stops
 * waiting once a reply byte has come, it was closed, or its drip is all
 * sent. Calls continue where the last one stopped. Returns how many still
 * wait.
 */
int slow_drip(struct slow_conn *const *cs, int n, int interval_ms, int limit_ms);

/*
 * Reads one response head within timeout_ms into r (status, head,
 * framing); bytes after it stay in c->in. Returns 0, or -1 (r->status -1)
 * when no whole head came.
 */
int slow_head_read(struct slow_conn *c, struct slow_reply *r, int timeout_ms);

/*
 * Reads r's body (what is in c->in first) until it is complete, the
 * connection ends, timeout_ms pass or, when limit > 0, about limit more
 * bytes came off the connection. The body is kept in r->body unless
 * r->discard. Returns 1 when complete, 0 when it may go on, -1 when the
 * connection ended before the body did.
 */
int slow_body_read(struct slow_conn *c, struct slow_reply *r, size_t limit, int timeout_ms);

/* slow_head_read, then slow_body_read of the whole body, both within
 * timeout_ms. Returns 0 when a whole response came, else -1. */
int slow_reply_read(struct slow_conn *c, struct slow_reply *r, int timeout_ms);

/* Value of header name in r's head (first one, case-insensitive) copied
 * into buf, or NULL. */
const char *slow_reply_header(const struct slow_reply *r, const char *name, char *buf,
			      size_t len);

/* Whether r says "Connection: close". */
bool slow_reply_closes(const struct slow_reply *r);

/* Whether r is application/problem+json whose "status" is r's status. */
bool slow_reply_is_problem(const struct slow_reply *r);

/* The "detail" member of r's problem body (new string), or NULL. */
char *slow_reply_detail(const struct slow_reply *r);

void slow_reply_release(struct slow_reply *r);

/*
 * Sends req (a whole request) on a fresh connection and reads the reply
 * within timeout_ms; then waits up to close_ms for the server to close
 * the connection (0: does not wait). *closed tells whether it did.
 * Returns 0 when a whole reply came, else -1 (r->status -1).
 */
int slow_exchange(const struct lms_server *s, const char *req, size_t len, int timeout_ms,
		  int close_ms, struct slow_reply *r, bool *closed);

/* Whether a TCP connection to s's port is refused (nothing listens). */
bool slow_refused(const struct lms_server *s);

#endif
