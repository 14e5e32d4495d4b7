/* worker.h - the mail worker: delivers the outbox over SMTP, or into .eml files */
#ifndef LMS_MAIL_WORKER_H
#define LMS_MAIL_WORKER_H

#include <stddef.h>

#include "lms/core/config.h"

struct mail_worker;

/* What this process did since it started (the gauges are the database's). */
struct mail_counters {
	unsigned long long sent;    /* accepted by the SMTP server, or written to a file */
	unsigned long long retried; /* failed, tried again later */
	unsigned long long failed;  /* given up: the message is failed */
};

/*
 * Starts the worker thread: its own connection to conninfo (the
 * application role's), LISTEN lms_outbox, a look every cfg->mail_poll_ms.
 * cfg must outlive the worker. Returns NULL with the reason in err (a
 * password file that cannot be read, a mail_from that is no address, a
 * mail directory that cannot be made).
 */
struct mail_worker *mail_worker_start(const struct lms_config *cfg, const char *conninfo,
				      char *err, size_t errlen);

/* Abandons a delivery in progress (it is tried again later), stops and
 * frees the worker; accepts NULL. */
void mail_worker_stop(struct mail_worker *w);

/* This process's counters. */
void mail_counters_get(struct mail_counters *out);

#endif
