/* config.h - the server's typed configuration: file, environment, defaults */
#ifndef LMS_CORE_CONFIG_H
#define LMS_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "lms/core/log.h"
#include "lms/core/netaddr.h"

/* Every key of config/lms.conf; strings and address lists are owned by the struct. */
struct lms_config {
	char *listen_address;
	char *public_host;         /* host name clients use: redirects, links */
	int https_port;
	int http_port;             /* 0: no plain-HTTP redirect port */
	char *tls_cert;            /* empty: development certificate under data_dir */
	char *tls_key;
	char *database_url;        /* the schema owner; empty: embedded cluster under data_dir/pgdata */
	char *app_database_url;    /* serve's role; empty: database_url as lms_app */
	char *listen_database_url; /* the LISTEN connection; empty: as serve's */
	char *report_database_url; /* report reads (a replica); empty: serve's */
	int listen_heartbeat_ms;   /* how often the listener proves it hears */
	int cache_fallback_ttl_ms; /* catalogue cache lifetime while it does not */
	int offer_job_interval_ms; /* how often expired selection offers are looked for */
	int housekeeping_interval_s; /* how often rows past their retention are deleted */
	int migrate_lock_timeout_s; /* a migrate waits this long for another */
	char *data_dir;
	char *pg_bindir;
	char *static_dir;
	char *migrations_dir;
	char *seed_dir;
	int worker_threads;
	int db_pool_size;
	int db_pool_wait_ms;
	bool db_prepared_statements; /* off behind a pooler that moves clients between transactions */
	long long max_body_bytes;
	long long max_upload_bytes;  /* raw bodies of upload routes */
	int request_timeout_ms;      /* the request head; a stalled read or write */
	int body_timeout_ms;         /* a body's allowance before body_min_rate adds to it */
	long long body_min_rate;     /* bytes per second a body must keep up */
	int keep_alive_timeout_ms;
	int report_pool_size;        /* database connections for streamed reports */
	int shutdown_grace_ms;       /* SIGTERM: serve (draining) this long, then stop */
	enum log_level log_level;
	bool access_log;
	int password_hash_iterations;
	int password_hash_concurrency; /* 0: one per CPU */
	char *common_passwords_file;   /* empty: no list */
	int session_idle_timeout_s;
	int session_lifetime_s;
	struct netaddr_list trusted_proxies; /* peers whose X-Forwarded-For is believed */
	int register_per_address;    /* registrations one address may attempt per window */
	int register_window_s;
	char *certificate_signing_key;  /* PEM Ed25519 private key; empty: generated under
					 * data_dir */
	int certificate_lookups_per_address; /* public verifications per address and window */
	int certificate_lookup_window_s;
	char *public_url;            /* links in mail; empty: https://public_host:https_port */
	char *mail_from;             /* From: of every message */
	char *mail_dir;              /* .eml files when smtp_url is empty; empty: data_dir/mail */
	char *smtp_url;              /* smtp://host:587 or smtps://host:465; empty: files */
	bool smtp_starttls;          /* smtp://: refuse to send unless STARTTLS succeeds */
	char *smtp_username;         /* empty: no AUTH */
	char *smtp_password_file;    /* the AUTH password, first line */
	char *smtp_ca_file;          /* CA bundle for the server's certificate; empty: system */
	int smtp_timeout_s;          /* one delivery, connect to QUIT */
	int mail_max_attempts;       /* then the message is failed */
	int mail_retry_base_s;       /* first retry delay, doubled each time */
	int mail_retry_max_s;
	int mail_poll_ms;            /* the worker looks this often without a notification */
	int password_reset_ttl_s;
	int email_verify_ttl_s;
	int mail_requests_per_address; /* reset and verification mails one client may ask for */
	int mail_requests_per_email;   /* ... one address or account may be sent */
	int mail_requests_window_s;
};

/*
 * Fills cfg from the defaults, then the file at path (skipped when path is
 * NULL), then LMS_<KEY> environment variables. Every value is validated.
 * On failure returns LMS_EINVAL (LMS_EIO when the file cannot be read) and
 * writes "file:line: message" (or "LMS_KEY: message") into err.
 * cfg must be released with config_release() in every case.
 */
int config_load(struct lms_config *cfg, const char *path, char *err, size_t errlen);

/* Frees the strings of cfg; safe on a zeroed or partly loaded struct. */
void config_release(struct lms_config *cfg);

/* Writes "key = value" for every key to stdout (secrets masked). */
void config_print(const struct lms_config *cfg);

/* Where people reach the platform, for links in mail and on certificates:
 * public_url without a trailing slash, or https://public_host[:https_port]. */
void config_public_url(const struct lms_config *cfg, char *out, size_t len);

#endif
