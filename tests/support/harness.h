/* harness.h - integration tests: scratch databases, a real lms, HTTPS clients */
#ifndef LMS_TEST_HARNESS_H
#define LMS_TEST_HARNESS_H

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>
#include <jansson.h>

/* A running `lms serve` started by the harness. */
struct lms_server {
	pid_t pid;
	int port;
	char dir[64];             /* private data dir: dev cert, log */
	char log_path[PATH_MAX];  /* the server's stderr */
	char cert_path[PATH_MAX]; /* its dev certificate, trusted by the clients */
	char conninfo[1024];
	void *curl;               /* keep-alive client of harness_request */
};

struct http_result {
	long status;
	char *body;      /* NUL-terminated */
	size_t len;
	char *headers;   /* raw header block */
};

/* Path of the built lms binary and of the source tree (from the test env). */
const char *harness_lms_bin(void);
const char *harness_source_dir(void);

/* Creates (or re-creates, empty) database name in the scratch cluster and
 * writes a conninfo for it. Returns 0 or -1. */
int harness_db_create(const char *name, char *conninfo, size_t len);

/* Runs `lms migrate` against conninfo with the source tree's migrations;
 * returns 0, or -1 after printing its output. */
int harness_migrate(const char *conninfo);

/* A TCP port on 127.0.0.1 that was free a moment ago, or -1. */
int harness_free_port(void);

/* Runs SQL on conninfo; returns 0 when it succeeded. */
int harness_sql(const char *conninfo, const char *sql);

/* Runs a query and copies the first column of its first row into buf.
 * Returns 0, or -1 when it failed or returned no row. */
int harness_sql_value(const char *conninfo, const char *sql, char *buf, size_t len);

/* Whether the output of `lms migrate` says it applied no migration: a line
 * that begins "0 migrations applied" (not "10 migrations applied"). */
bool harness_migrated_none(const char *out);

/* harness_sql_value as a number; -1 when there is none. */
long long harness_sql_ll(const char *conninfo, const char *sql);

/* harness_sql_ll of a printf-style query that must succeed and give a row:
 * fails the test otherwise. */
long long harness_sql_llf(const char *conninfo, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Whether lms migrate's output out says it applied no migration: a line
 * that begins "0 migrations applied" ("10 migrations applied" does not). */
bool harness_migrated_none(const char *out);

/*
 * Runs the lms binary with argv (NULL-terminated, without argv[0]) and
 * extra "KEY=value" environment entries (NULL-terminated, may be NULL),
 * capturing stdout and stderr into out. Returns the exit status, or -1.
 */
int harness_lms_run(const char *const *argv, const char *const *env, char *out, size_t outlen);

/* Environment for a server: the database, a free port, a private data dir,
 * the source tree's static/ and migrations/, a low password-hash cost. */

/*
 * Starts `lms serve` against conninfo on a free port with extra env entries
 * (may be NULL) and waits, at most 60 s, until /healthz answers. Returns 0,
 * or -1 after printing the server's log.
 */
int harness_server_start(struct lms_server *s, const char *conninfo, const char *const *env);

/* Sends SIGTERM and waits (bounded) for exit; returns the exit status (0 is
 * a clean stop with no sanitizer report), or -1; prints the log if not 0. */
int harness_server_stop(struct lms_server *s);

/* Waits at most timeout_ms for the server to exit after a signal the
 * caller sent (SIGKILL after that); returns and reports as
 * harness_server_stop does. */
int harness_server_wait(struct lms_server *s, int timeout_ms);

/* Prints the server's log to stderr. */
void harness_server_dump_log(const struct lms_server *s);

/*
 * HTTPS request to the server, verifying its certificate. headers is a
 * NULL-terminated list of "Name: value" (may be NULL); body may be NULL.
 * Reuses one keep-alive connection per server. Returns 0 or -1.
 */
int harness_request(struct lms_server *s, const char *method, const char *path,
		    const char *const *headers, const char *body, struct http_result *out);

/* Same with a fresh connection of its own (safe from any thread). */
int harness_request_once(const struct lms_server *s, const char *method, const char *path,
			 const char *const *headers, const char *body, struct http_result *out);

void http_result_release(struct http_result *r);

/* Value of a response header (case-insensitive) copied into buf, or NULL. */
const char *http_result_header(const struct http_result *r, const char *name, char *buf,
			       size_t len);

/* The body of r parsed as JSON (new reference); fails the test when it is
 * not JSON. */
json_t *harness_json_body(const struct http_result *r);

/*
 * Sends raw bytes over a new TLS connection and reads the reply until the
 * server closes or 5 s pass. Returns bytes read (NUL-terminated), or -1.
 */
int harness_raw_tls(const struct lms_server *s, const void *req, size_t len, char *out,
		    size_t outlen);

/*
 * Attempts a TLS handshake with the given version bounds (TLS1_VERSION ..)
 * and TLS 1.2 cipher list (NULL: default). Returns 1 when it succeeded,
 * 0 when the server refused, -1 on a local error.
 */
int harness_tls_handshake(const struct lms_server *s, int min_version, int max_version,
			  const char *ciphers);

/* Resident memory (VmRSS) of process pid in KiB, or -1. */
long harness_rss_kb(pid_t pid);

/* Samples a process's resident memory every 2 ms on a thread of its own,
 * keeping the peak: what a server holds at its worst moment, which a
 * reading taken after the fact would miss. */
struct harness_rss_watch {
	pid_t pid;
	long peak_kb;
	long samples;
	atomic_bool stop;
	pthread_t thread;
};

/* Starts watching pid, the peak starting at from_kb. Returns 0 or -1. */
int harness_rss_watch_start(struct harness_rss_watch *w, pid_t pid, long from_kb);

/* Stops the sampling; w->peak_kb and w->samples are final. */
void harness_rss_watch_stop(struct harness_rss_watch *w);

/* Fails the test, showing both strings, when needle is not in hay. */
#define assert_contains(hay, needle)                                                     \
	do {                                                                             \
		const char *h_ = (hay), *n_ = (needle);                                  \
		if (!h_ || !strstr(h_, n_))                                              \
			fail_msg("expected \"%s\" in:\n%s", n_, h_ ? h_ : "(null)");       \
	} while (0)

/* Runs `lms seed --demo` against conninfo (demo institutions and accounts,
 * password SEED_DEMO_PASSWORD, at a low hash cost). Returns 0 or -1. */
int harness_seed_demo(const char *conninfo);

/* Who a request is sent as: a signed-in browser session or an API token. */
struct harness_actor {
	char cookie[256];   /* "__Host-lms_session=..." or "" */
	char csrf[64];      /* its X-CSRF-Token */
	char token[96];     /* a Bearer API token, or "" */
	long long user_id;
};

/* Signs in; on 200 fills a and returns 0, else returns the status (or -1). */
int harness_login(struct lms_server *s, const char *email, const char *password,
		  struct harness_actor *a);

/*
 * A request as a (NULL: a visitor), with the session cookie and CSRF token
 * or the Bearer token, and Content-Type: application/json when there is a
 * body. Fresh connection. Returns 0 or -1.
 */
int harness_as(const struct lms_server *s, const struct harness_actor *a, const char *method,
	       const char *path, const char *body, struct http_result *out);

/* harness_as that returns the status only (-1 on a transport failure). */
long harness_status_as(const struct lms_server *s, const struct harness_actor *a,
		       const char *method, const char *path, const char *body);

/*
 * Creates n learner accounts at ladder stage stage (e-mail
 * <prefix><i>@example.com) with a live session each, straight in the
 * database in one statement, and fills actors[0..n-1] with their cookies,
 * CSRF tokens and ids: hundreds of signed-in users without hundreds of
 * password sign-ins. They have no usable password; their addresses are
 * verified. Returns 0 or -1.
 */
int harness_learners_create(const char *conninfo, const char *prefix, const char *stage, int n,
			    struct harness_actor *actors);

/*
 * creator makes an API token of institution_id named name with scopes (the
 * inside of a JSON list, e.g. "\"reports:read\""); fills *out (when not
 * NULL) as an actor using it. Returns the token's id, or -1 after printing
 * the answer.
 */
long long harness_token_create(const struct lms_server *s, const struct harness_actor *creator,
			       long long institution_id, const char *name, const char *scopes,
			       struct harness_actor *out);

/* Status code of the first response line in raw, or -1. */
int harness_raw_status(const char *raw);

/*
 * harness_as whose status must be want (fails the test otherwise, showing
 * the answer). Returns the body as JSON (new), or NULL when it is empty.
 */
json_t *harness_json_as(const struct lms_server *s, const struct harness_actor *a,
			const char *method, const char *path, const char *body, long want);

/*
 * harness_as that must be refused with status want and problem code code,
 * naming field in its "errors" when field is not NULL.
 */
void harness_problem_as(const struct lms_server *s, const struct harness_actor *a,
			const char *method, const char *path, const char *body, long want,
			const char *code, const char *field);

/* The integer member name of obj; fails the test when it is none. */
long long harness_json_ll(const json_t *obj, const char *name);

/* Seconds on the monotonic clock: for measuring, never for waiting. */
double harness_now(void);

/* harness_login that must succeed: fails the test otherwise. */
void harness_login_ok(struct lms_server *s, const char *email, const char *password,
		      struct harness_actor *a);

/* The members of a sign-up body that consent to the required items of the
 * privacy notice (its current version), for bodies written by hand. */
#define HARNESS_CONSENT "\"consent_version\": \"2026-12-01\", \"consent_required\": true"

/* Gives user_id the verified affiliation institution_id straight in the
 * database (an approved claim, as an admin's approval makes). Returns 0 or
 * -1. */
int harness_affiliate(const char *conninfo, long long user_id, long long institution_id);

/*
 * Registers email with password and the other members fields (JSON object
 * members without braces, e.g. "\"display_name\": \"Kim\", \"ladder_stage\":
 * \"worker\""), which must answer 201, marks the address verified (as the
 * verification mail's link would), then signs in as a. Fails the test
 * otherwise.
 */
void harness_register_ok(struct lms_server *s, const char *email, const char *password,
			 const char *fields, struct harness_actor *a);

/* Marks the address of the account of email verified, straight in the
 * database (as the link of its verification mail would). Returns 0 or -1. */
int harness_email_verify(const char *conninfo, const char *email);

/* GET path as a (NULL: a visitor) into out (release it); fails the test
 * when there is no response. */
void harness_get_as(const struct lms_server *s, const struct harness_actor *a, const char *path,
		    struct http_result *out);

/* GET path as a: must answer 200 with a JSON body, returned (new). */
json_t *harness_get_json(const struct lms_server *s, const struct harness_actor *a,
			 const char *path);

/* A fixture row made straight in the database. A field left 0 or NULL
 * takes the default written beside it; code and the ids are required. */
struct harness_course {
	long long institution;
	const char *code;
	const char *program;  /* programs.code: "online" */
	const char *title_ko; /* "강좌 <code>" */
	const char *title_en; /* "Course <code>" */
	const char *delivery; /* "online" */
	bool draft;           /* not published (published when false) */
};

struct harness_section {
	long long course;
	const char *term;      /* "2026-1" */
	const char *starts_on; /* "2026-03-02" */
	const char *ends_on;   /* "2026-06-30" */
	int capacity;          /* 30 */
	const char *opens_at;  /* enrollment_opens_at: "2026-01-01" */
	const char *closes_at; /* enrollment_closes_at: "2026-03-01" */
	const char *status;    /* "open" */
};

struct harness_enrollment {
	long long section, user;
	const char *status;     /* "enrolled" */
	const char *statement;  /* none */
	const char *created_at; /* now() */
};

/* Insert the row into the database of conninfo and return its id; fail
 * the test when the INSERT fails. Values go as parameters, never as SQL. */
long long harness_course_create(const char *conninfo, const struct harness_course *c);
long long harness_section_create(const char *conninfo, const struct harness_section *s);
long long harness_enrollment_create(const char *conninfo, const struct harness_enrollment *e);

#endif
