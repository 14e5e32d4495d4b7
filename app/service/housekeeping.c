/* housekeeping.c - the server's job that deletes rows past their retention:
 * what the throttles no longer read, sessions and links that no longer
 * work, idempotency keys no retry will present */
#include "lms/service/housekeeping.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/config.h"
#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/core/periodic.h"
#include "lms/db/pool.h"
#include "lms/db/sql.h"

struct housekeeping {
	struct db_pool *pool;
	const struct lms_config *cfg;
	int login_window_s;
	struct periodic *timer;
};

/* The tables housekeeping_prune() answers for, in its order. */
static const char *const tables[HOUSEKEEPING_TABLES] = {
	"login_attempts", "registration_attempts", "certificate_lookups", "mail_requests",
	"auth_sessions",  "mail_tokens",           "idempotency_keys",    "enrollment_invitations"};

/* What this process's job deleted since start, per table, for /metrics. */
static atomic_ullong deleted_total[HOUSEKEEPING_TABLES];
static atomic_ullong runs_total;

/* One transaction: at most batch rows of each table. *more when some table
 * gave a full batch (more may be due). */
static int prune_once(struct db_conn *db, const struct lms_config *cfg, int login_window_s,
		      int batch, struct housekeeping_counts *counts, bool *more)
{
	PGresult *res = NULL;
	int rc;

	*more = false;
	if ((rc = db_begin(db)) < 0)
		return rc;
	if ((rc = db_execf(db, &res,
			   "SELECT what, deleted FROM housekeeping_prune($1, $2, $3, $4, $5, $6)",
			   "iiiiii", batch, login_window_s, cfg->register_window_s,
			   cfg->certificate_lookup_window_s, cfg->mail_requests_window_s,
			   cfg->session_idle_timeout_s)) < 0) {
		db_rollback(db);
		return rc;
	}
	if ((rc = db_commit(db)) < 0) {
		PQclear(res);
		db_rollback(db);
		return rc;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);
		long long d = db_ll(res, i, 1);

		for (int t = 0; t < HOUSEKEEPING_TABLES; t++)
			if (!strcmp(tables[t], name))
				counts->deleted[t] += d;
		counts->total += d;
		if (d >= batch)
			*more = true;
	}
	PQclear(res);
	return 0;
}

int housekeeping_run(struct db_conn *db, const struct lms_config *cfg, int login_window_s,
		     int batch, struct housekeeping_counts *counts)
{
	bool more = true;
	int rc = 0;

	for (int t = 0; t < HOUSEKEEPING_TABLES; t++)
		counts->table[t] = tables[t];
	while (more && (rc = prune_once(db, cfg, login_window_s, batch, counts, &more)) == 0)
		;
	return rc;
}

void housekeeping_describe(const struct housekeeping_counts *counts, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int t = 0; t < HOUSEKEEPING_TABLES && used < len; t++) {
		int n;

		if (!counts->deleted[t])
			continue;
		n = snprintf(buf + used, len - used, "%s%s %lld", used ? ", " : "", tables[t],
			     counts->deleted[t]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

char *housekeeping_metrics_text(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, "# HELP lms_housekeeping_runs_total Housekeeping runs of this process.\n"
		   "# TYPE lms_housekeeping_runs_total counter\n"
		   "lms_housekeeping_runs_total %llu\n"
		   "# HELP lms_housekeeping_deleted_total Rows past their retention this process "
		   "deleted.\n"
		   "# TYPE lms_housekeeping_deleted_total counter\n",
		atomic_load_explicit(&runs_total, memory_order_relaxed));
	for (int t = 0; t < HOUSEKEEPING_TABLES; t++)
		fprintf(f, "lms_housekeeping_deleted_total{table=\"%s\"} %llu\n", tables[t],
			atomic_load_explicit(&deleted_total[t], memory_order_relaxed));
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* One run: until nothing is due, or a failure (tried again next run). */
static void run_once(void *arg)
{
	struct housekeeping *h = arg;
	struct housekeeping_counts counts = {0};
	struct db_conn *db = NULL;
	char err[256], what[512];

	if (db_pool_acquire(h->pool, &db, err, sizeof(err)) < 0)
		return;
	if (housekeeping_run(db, h->cfg, h->login_window_s, HOUSEKEEPING_BATCH, &counts) < 0)
		log_warn("housekeeping: deleting rows past their retention failed: %s",
			 db->errmsg);
	db_pool_release(h->pool, db);
	atomic_fetch_add_explicit(&runs_total, 1, memory_order_relaxed);
	for (int t = 0; t < HOUSEKEEPING_TABLES; t++)
		atomic_fetch_add_explicit(&deleted_total[t], (unsigned long long)counts.deleted[t],
					  memory_order_relaxed);
	if (counts.total > 0) {
		housekeeping_describe(&counts, what, sizeof(what));
		log_info("housekeeping: %lld rows past their retention deleted (%s)", counts.total,
			 what);
	}
}

struct housekeeping *housekeeping_start(struct db_pool *pool, const struct lms_config *cfg,
					int login_window_s)
{
	struct housekeeping *h = calloc(1, sizeof(*h));
	int interval_s = cfg->housekeeping_interval_s > 0 ? cfg->housekeeping_interval_s : 3600;

	if (!h)
		return NULL;
	h->pool = pool;
	h->cfg = cfg;
	h->login_window_s = login_window_s;
	if (!(h->timer = periodic_start(run_once, h, interval_s * 1000))) {
		free(h);
		return NULL;
	}
	return h;
}

void housekeeping_stop(struct housekeeping *h)
{
	if (!h)
		return;
	periodic_stop(h->timer);
	free(h);
}
