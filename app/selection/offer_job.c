/* offer_job.c - the server's job that expires selection offers past their
 * deadline and offers the freed seats to the next in line */
#include "lms/selection/offer_job.h"

#include <stdlib.h>

#include "lms/core/log.h"
#include "lms/core/periodic.h"
#include "lms/db/pool.h"
#include "lms/db/sql.h"
#include "lms/selection/selection_store.h"

/* Offers expired per transaction: a long backlog is worked through in
 * short transactions that hold their section locks briefly. */
#define BATCH 50

struct offer_job {
	struct db_pool *pool;
	struct periodic *timer;
};

/* One run: batches until none is due, or a failure (tried again next run). */
static void run_once(void *arg)
{
	struct offer_job *j = arg;
	struct db_conn *db = NULL;
	char err[256];
	long long n = 0, total = 0;
	int rc;

	if (db_pool_acquire(j->pool, &db, err, sizeof(err)) < 0)
		return;
	do {
		if ((rc = db_begin(db)) < 0 || (rc = selection_store_expire(db, BATCH, &n)) < 0 ||
		    (rc = db_commit(db)) < 0) {
			log_warn("offer job: expiring offers failed: %s", db->errmsg);
			db_rollback(db);
			break;
		}
		total += n;
	} while (n == BATCH);
	if (total > 0)
		log_info("offer job: %lld offers expired, their seats offered on", total);
	db_pool_release(j->pool, db);
}

struct offer_job *offer_job_start(struct db_pool *pool, int interval_ms)
{
	struct offer_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->pool = pool;
	if (!(j->timer = periodic_start(run_once, j, interval_ms > 0 ? interval_ms : 30000))) {
		free(j);
		return NULL;
	}
	return j;
}

void offer_job_stop(struct offer_job *j)
{
	if (!j)
		return;
	periodic_stop(j->timer);
	free(j);
}
