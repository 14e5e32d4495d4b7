/* worker.c - the mail worker: delivers the outbox over SMTP, or into .eml files */
#include "lms/mail/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/db/sql.h"
#include "lms/mail/message.h"
#include "lms/mail/smtp.h"
#include "lms/mail/template.h"

/* The params that are secrets (the token of a reset or verification link):
 * a message that reached its end, sent or failed, keeps none of them. */
#define SECRET_KEYS "'{token}'::text[]"

/* How long to wait when a due message is being sent by another instance. */
#define BUSY_RETRY_MS 1000

struct mail_worker {
	pthread_t thread;
	const struct lms_config *cfg;
	char *conninfo;
	char from[256];          /* the envelope sender: mail_from's address */
	char base_url[512];
	char dir[PATH_MAX];      /* .eml files; "" when sending over SMTP */
	char *password;          /* AUTH, from smtp_password_file */
	int wake[2];             /* a byte here stops the thread */
	atomic_bool stop;
};

static atomic_ullong n_sent, n_retried, n_failed;

void mail_counters_get(struct mail_counters *out)
{
	out->sent = atomic_load(&n_sent);
	out->retried = atomic_load(&n_retried);
	out->failed = atomic_load(&n_failed);
}

/* Waits up to ms (-1: for ever) for fd (when >= 0) or the stop pipe; true
 * when asked to stop. */
static bool wait_or_stop(struct mail_worker *w, int fd, int ms)
{
	struct pollfd p[2] = {{w->wake[0], POLLIN, 0}, {fd, POLLIN, 0}};

	while (poll(p, fd >= 0 ? 2 : 1, ms) < 0 && errno == EINTR)
		;
	return p[0].revents != 0 || atomic_load(&w->stop);
}

/* Writes the message into dir as <id>-<kind>.eml, whole or not at all. */
static int file_write(const char *dir, const char *id, const char *kind, const char *msg,
		      size_t len, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	int fd, rc = LMS_EIO;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s-%s.eml", dir, id, kind) >= sizeof(path)) {
		snprintf(err, errlen, "the mail directory's path is too long");
		return LMS_EIO;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) < 0) {
		snprintf(err, errlen, "%.256s: %s", tmp, strerror(errno));
		return LMS_EIO;
	}
	if (write(fd, msg, len) == (ssize_t)len && fsync(fd) == 0)
		rc = 0;
	else
		snprintf(err, errlen, "%.256s: %s", tmp, strerror(errno));
	if (close(fd) != 0 && rc == 0) {
		snprintf(err, errlen, "%.256s: %s", tmp, strerror(errno));
		rc = LMS_EIO;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		snprintf(err, errlen, "%.256s: %s", path, strerror(errno));
		rc = LMS_EIO;
	}
	if (rc < 0)
		unlink(tmp);
	return rc;
}

/* Makes the message of one row and hands it on. Returns 0 when delivered;
 * LMS_EINVAL when it can never be (no template, a value missing: no use
 * trying again); LMS_EIO when it may be later. */
static int deliver(struct mail_worker *w, const char *id, const char *kind, const char *to,
		   const char *locale, const char *params_text, char *err, size_t errlen)
{
	const struct lms_config *cfg = w->cfg;
	struct mail_text t = {0};
	json_t *params = json_loads(params_text, 0, NULL);
	char *msg = NULL, id_left[96];
	unsigned char r[8];
	size_t len = 0;
	int rc;

	if (!params) {
		snprintf(err, errlen, "params are not JSON");
		rc = LMS_EINVAL;
		goto out;
	}
	if ((rc = mail_render(kind, locale, params, w->base_url, &t, err, errlen)) < 0) {
		rc = rc == LMS_ENOMEM ? LMS_EIO : LMS_EINVAL;
		goto out;
	}
	if (RAND_bytes(r, sizeof(r)) != 1)
		memset(r, 0, sizeof(r));
	snprintf(id_left, sizeof(id_left), "outbox.%s.%02x%02x%02x%02x%02x%02x%02x%02x", id, r[0],
		 r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	if ((rc = mail_message_build(cfg->mail_from, to, &t, id_left, &msg, &len, err, errlen)) <
	    0) {
		rc = rc == LMS_EINVAL ? LMS_EINVAL : LMS_EIO;
		goto out;
	}
	if (w->dir[0]) {
		rc = file_write(w->dir, id, kind, msg, len, err, errlen);
	} else {
		struct mail_smtp s = {.url = cfg->smtp_url,
				      .starttls = cfg->smtp_starttls &&
						  !strncmp(cfg->smtp_url, "smtp://", 7),
				      .username = cfg->smtp_username,
				      .password = w->password,
				      .ca_file = cfg->smtp_ca_file,
				      .timeout_s = cfg->smtp_timeout_s,
				      .stop = &w->stop};

		rc = mail_smtp_send(&s, w->from, to, msg, len, err, errlen);
	}
out:
	free(msg);
	mail_text_release(&t);
	json_decref(params);
	return rc;
}

/* The wait before attempt number `attempts + 1`: base, doubled each time,
 * at most max. */
static int backoff_s(const struct lms_config *cfg, int attempts)
{
	long long s = cfg->mail_retry_base_s;

	for (int i = 1; i < attempts && s < cfg->mail_retry_max_s; i++)
		s *= 2;
	return (int)(s < cfg->mail_retry_max_s ? s : cfg->mail_retry_max_s);
}

/*
 * Claims the next due message (rows other instances hold are skipped, so
 * no two send one message), delivers it and records the outcome, all in
 * one transaction: the row stays locked while it is being sent. Returns 1
 * when a message was handled, 0 when none is due, or a negative lms_err
 * when the database failed.
 */
static int deliver_next(struct mail_worker *w, struct db_conn *c)
{
	const struct lms_config *cfg = w->cfg;
	PGresult *res = NULL;
	char err[512] = "", attempts_text[16];
	const char *id;
	int rc, attempts;

	if ((rc = db_begin(c)) < 0)
		return rc;
	if ((rc = db_exec(c, &res,
			  "SELECT id, kind, to_address, locale, params::text, attempts FROM outbox"
			  " WHERE state = 'pending' AND next_attempt_at <= now()"
			  " ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
			  0, NULL)) < 0)
		goto fail;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return db_commit(c) < 0 ? LMS_EDB : 0;
	}
	id = PQgetvalue(res, 0, 0);
	attempts = (int)db_ll(res, 0, 5) + 1;
	snprintf(attempts_text, sizeof(attempts_text), "%d", attempts);
	rc = deliver(w, id, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3),
		     PQgetvalue(res, 0, 4), err, sizeof(err));
	if (rc == 0) {
		rc = db_execf(c, NULL,
			      "UPDATE outbox SET state = 'sent', sent_at = now(), attempts = $2,"
			      " last_error = NULL, params = params - " SECRET_KEYS " WHERE id = $1",
			      "si", id, attempts);
		if (rc == 0)
			atomic_fetch_add(&n_sent, 1);
		log_debug("mail %s: delivered", id);
	} else if (rc == LMS_EINVAL || attempts >= cfg->mail_max_attempts) {
		rc = db_execf(c, NULL,
			      "UPDATE outbox SET state = 'failed', attempts = $2, last_error = $3,"
			      " params = params - " SECRET_KEYS " WHERE id = $1",
			      "sis", id, attempts, err);
		if (rc == 0)
			atomic_fetch_add(&n_failed, 1);
		log_warn("mail %s: failed after %d attempt%s: %s", id, attempts,
			 attempts == 1 ? "" : "s", err);
	} else {
		int wait = backoff_s(cfg, attempts);

		rc = db_execf(c, NULL,
			      "UPDATE outbox SET attempts = $2, last_error = $3,"
			      " next_attempt_at = now() + make_interval(secs => $4::int) WHERE id = $1",
			      "sisi", id, attempts, err, wait);
		if (rc == 0)
			atomic_fetch_add(&n_retried, 1);
		log_warn("mail %s: attempt %d failed, again in %d s: %s", id, attempts, wait, err);
	}
	PQclear(res);
	res = NULL;
	if (rc < 0 || (rc = db_commit(c)) < 0)
		goto fail;
	return 1;
fail:
	PQclear(res);
	log_warn("mail: database: %s", c->errmsg);
	db_rollback(c);
	return rc;
}

/* Milliseconds until the next pending message is due (0: now), at most
 * the polling period; the polling period when the database cannot say. */
static int next_due_ms(struct mail_worker *w, struct db_conn *c)
{
	PGresult *res = NULL;
	int ms = w->cfg->mail_poll_ms;

	if (db_exec(c, &res,
		    "SELECT ceil(extract(epoch FROM min(next_attempt_at) - now()) * 1000)::bigint"
		    " FROM outbox WHERE state = 'pending'",
		    0, NULL) == 0 &&
	    !PQgetisnull(res, 0, 0)) {
		long long due = db_ll(res, 0, 0);

		ms = due < 0 ? 0 : due < ms ? (int)due : ms;
	}
	PQclear(res);
	return ms;
}

static void notifications_drop(struct db_conn *c)
{
	for (PGnotify *n; (n = PQnotifies(c->pg));)
		PQfreemem(n);
}

static void *run(void *arg)
{
	struct mail_worker *w = arg;
	struct db_conn c = {0};

	int handled = 0;

	while (!atomic_load(&w->stop)) {
		int rc = 0, ms;

		if (!c.pg) {
			if (db_conn_open(&c, w->conninfo) < 0 ||
			    db_exec(&c, NULL, "LISTEN lms_outbox", 0, NULL) < 0) {
				log_warn("mail: cannot reach the database: %s; trying again",
					 c.errmsg);
				db_conn_close(&c);
				if (wait_or_stop(w, -1, 1000))
					break;
				continue;
			}
		}
		notifications_drop(&c);
		while (!atomic_load(&w->stop) && (rc = deliver_next(w, &c)) > 0)
			handled++;
		if (rc < 0 || PQstatus(c.pg) != CONNECTION_OK) {
			db_conn_close(&c);
			continue;
		}
		ms = next_due_ms(w, &c);
		/* Due but nothing claimed: another instance is sending it. Look
		 * again in a while rather than spin while it does. */
		if (ms == 0 && handled == 0)
			ms = w->cfg->mail_poll_ms < BUSY_RETRY_MS ? w->cfg->mail_poll_ms : BUSY_RETRY_MS;
		handled = 0;
		if (ms == 0)
			continue;
		if (wait_or_stop(w, PQsocket(c.pg), ms))
			break;
		if (!PQconsumeInput(c.pg))
			db_conn_close(&c);
	}
	db_conn_close(&c);
	return NULL;
}

/* The first line of path into *out (new string). */
static int secret_read(const char *path, char **out, char *err, size_t errlen)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, errlen, "smtp_password_file %s: %s", path, strerror(errno));
		return LMS_EIO;
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	*out = strdup(line);
	OPENSSL_cleanse(line, sizeof(line));
	return *out ? 0 : LMS_ENOMEM;
}

static void worker_free(struct mail_worker *w)
{
	if (w->wake[0] >= 0) {
		close(w->wake[0]);
		close(w->wake[1]);
	}
	if (w->password) {
		OPENSSL_cleanse(w->password, strlen(w->password));
		free(w->password);
	}
	free(w->conninfo);
	free(w);
}

/* Where .eml files go when there is no SMTP server: made if missing, and
 * made absolute, so the operator is told a path that opens. */
static int dir_ready(const struct lms_config *cfg, char *out, size_t len, char *err,
		     size_t errlen)
{
	char dir[PATH_MAX];

	if (cfg->mail_dir[0])
		snprintf(dir, sizeof(dir), "%s", cfg->mail_dir);
	else
		snprintf(dir, sizeof(dir), "%s/mail", cfg->data_dir);
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "mail directory %s: %s", dir, strerror(errno));
		return LMS_EIO;
	}
	if (!realpath(dir, out)) {
		snprintf(err, errlen, "mail directory %s: %s", dir, strerror(errno));
		return LMS_EIO;
	}
	(void)len;
	return 0;
}

struct mail_worker *mail_worker_start(const struct lms_config *cfg, const char *conninfo,
				      char *err, size_t errlen)
{
	struct mail_worker *w = calloc(1, sizeof(*w));

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->wake[0] = w->wake[1] = -1;
	w->cfg = cfg;
	mail_message_init();
	mail_smtp_init();
	config_public_url(cfg, w->base_url, sizeof(w->base_url));
	if (mail_address_of(cfg->mail_from, w->from, sizeof(w->from)) < 0) {
		snprintf(err, errlen, "mail_from \"%s\": expected one address, as "
				      "\"Name <user@example.com>\"",
			 cfg->mail_from);
		goto fail;
	}
	if (!cfg->smtp_url[0]) {
		if (dir_ready(cfg, w->dir, sizeof(w->dir), err, errlen) < 0)
			goto fail;
	} else if (strncmp(cfg->smtp_url, "smtp://", 7) && strncmp(cfg->smtp_url, "smtps://", 8)) {
		snprintf(err, errlen, "smtp_url: expected smtp://host:port or smtps://host:port");
		goto fail;
	} else if (cfg->smtp_password_file[0] &&
		   secret_read(cfg->smtp_password_file, &w->password, err, errlen) < 0) {
		goto fail;
	}
	if (!(w->conninfo = strdup(conninfo)) || pipe(w->wake) != 0 ||
	    pthread_create(&w->thread, NULL, run, w) != 0) {
		snprintf(err, errlen, "cannot start the mail worker");
		goto fail;
	}
	if (w->dir[0])
		log_info("mail: no smtp_url: messages are written to %s/ as .eml files", w->dir);
	else
		log_info("mail: delivering through %s%s", cfg->smtp_url,
			 !strncmp(cfg->smtp_url, "smtp://", 7) && cfg->smtp_starttls
				 ? " (STARTTLS required)"
				 : "");
	return w;
fail:
	worker_free(w);
	return NULL;
}

void mail_worker_stop(struct mail_worker *w)
{
	if (!w)
		return;
	atomic_store(&w->stop, true);
	if (write(w->wake[1], "x", 1) != 1)
		log_warn("mail: cannot wake the worker");
	pthread_join(w->thread, NULL);
	worker_free(w);
}
