/* offer_job.c - the server's job that expires selection offers past their
 * deadline and offers the freed seats to the next in line */
#include "lms/selection/offer_job.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "lms/core/log.h"
#include "lms/db/pool.h"
#include "lms/db/sql.h"
#include "lms/selection/selection_store.h"

/* Offers expired per transaction: a long backlog is worked through in
 * short transactions that hold their section locks briefly. */
#define BATCH 50

struct offer_job {
	struct db_pool *pool;
	int interval_ms;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
};

/* One run: batches until none is due, or a failure (tried again next run). */
static void run_once(struct offer_job *j)
{
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

static void *job_main(void *arg)
{
	struct offer_job *j = arg;
	struct timespec until;

	pthread_mutex_lock(&j->lock);
	while (!j->stop) {
		pthread_mutex_unlock(&j->lock);
		run_once(j);
		pthread_mutex_lock(&j->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += j->interval_ms / 1000;
		until.tv_nsec += (long)(j->interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!j->stop && pthread_cond_timedwait(&j->wake, &j->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

struct offer_job *offer_job_start(struct db_pool *pool, int interval_ms)
{
	struct offer_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->pool = pool;
	j->interval_ms = interval_ms > 0 ? interval_ms : 30000;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->wake, NULL);
	if (pthread_create(&j->thread, NULL, job_main, j) != 0) {
		pthread_mutex_destroy(&j->lock);
		pthread_cond_destroy(&j->wake);
		free(j);
		return NULL;
	}
	return j;
}

void offer_job_stop(struct offer_job *j)
{
	if (!j)
		return;
	pthread_mutex_lock(&j->lock);
	j->stop = true;
	pthread_cond_signal(&j->wake);
	pthread_mutex_unlock(&j->lock);
	pthread_join(j->thread, NULL);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->wake);
	free(j);
}
