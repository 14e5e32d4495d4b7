/* housekeeping.h - the server's job that deletes rows past their retention
 * (throttle counts, expired sessions and links, old idempotency keys) */
#ifndef LMS_SERVICE_HOUSEKEEPING_H
#define LMS_SERVICE_HOUSEKEEPING_H

#include <stddef.h>

struct db_conn;
struct db_pool;
struct lms_config;
struct housekeeping;

/* Rows deleted per table and transaction: a backlog goes in short
 * transactions that hold their row locks briefly. */
#define HOUSEKEEPING_BATCH 1000

/* The tables housekeeping_prune() answers for, in its order. */
#define HOUSEKEEPING_TABLES 8

/* What one run deleted: the tables' names (static) and their counts. */
struct housekeeping_counts {
	const char *table[HOUSEKEEPING_TABLES];
	long long deleted[HOUSEKEEPING_TABLES];
	long long total;
};

/*
 * Runs housekeeping_prune() on db (outside any transaction) in
 * transactions of at most batch rows per table, until nothing more is due,
 * with the sign-in throttle's window login_window_s and the other windows
 * of cfg. Adds to counts (zero it first). Returns 0 or a negative LMS error
 * (db->errmsg says why); what was committed before stays.
 */
int housekeeping_run(struct db_conn *db, const struct lms_config *cfg, int login_window_s,
		     int batch, struct housekeeping_counts *counts);

/* "login_attempts 12, auth_sessions 3" for the tables with deletions. */
void housekeeping_describe(const struct housekeeping_counts *counts, char *buf, size_t len);

/*
 * Starts a thread that at once, then every cfg->housekeeping_interval_s,
 * takes a connection of pool (pool and cfg borrowed: they must outlive the
 * job) and runs housekeeping_run(), logging what it deleted. Several
 * servers may run it on one database. Returns NULL when the thread cannot
 * start.
 */
struct housekeeping *housekeeping_start(struct db_pool *pool, const struct lms_config *cfg,
					int login_window_s);

/* Stops the thread (waiting for a run in progress) and frees h; accepts NULL. */
void housekeeping_stop(struct housekeeping *h);

/* The job's runs and rows deleted per table since start, as Prometheus
 * text for /metrics (new string, free()), or NULL. */
char *housekeeping_metrics_text(void);

#endif
