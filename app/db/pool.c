/* pool.c - a bounded pool of PostgreSQL connections shared by worker threads */
#include "lms/db/pool.h"

#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lms/core/err.h"
#include "lms/core/log.h"

struct slot {
	struct db_conn conn;
	bool in_use;
};

struct db_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	char *conninfo;
	int size, wait_ms, in_use;
	long long timeouts, waits, wait_us;
	enum db_role role;  /* as the last connection opened found it */
	bool prepare;       /* connections keep their statements prepared */
	struct slot *slots;
};

struct db_pool *db_pool_new(const char *conninfo, int size, int wait_ms)
{
	struct db_pool *p = calloc(1, sizeof(*p));
	pthread_condattr_t attr;

	if (!p)
		return NULL;
	p->conninfo = strdup(conninfo);
	p->slots = calloc((size_t)size, sizeof(*p->slots));
	if (!p->conninfo || !p->slots) {
		free(p->conninfo);
		free(p->slots);
		free(p);
		return NULL;
	}
	p->size = size;
	p->wait_ms = wait_ms;
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->freed, &attr);
	pthread_condattr_destroy(&attr);
	return p;
}

void db_pool_free(struct db_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->size; i++)
		db_conn_close(&p->slots[i].conn);
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->lock);
	free(p->slots);
	free(p->conninfo);
	free(p);
}

void db_pool_set_prepare(struct db_pool *p, bool on) { p->prepare = on; }

static void give_back(struct db_pool *p, struct slot *s)
{
	pthread_mutex_lock(&p->lock);
	s->in_use = false;
	p->in_use--;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

/* Opens a slot's connection and notes what the database is to writes:
 * a failover turns a primary into a replica under the same URL. */
static int connect_slot(struct db_pool *p, struct db_conn *c)
{
	enum db_role role;
	int rc;

	if ((rc = db_conn_open(c, p->conninfo)) < 0)
		return rc;
	c->prepare = p->prepare;
	if (db_role_read(c, &role) < 0)
		return 0; /* the request's own statement will say what is wrong */
	pthread_mutex_lock(&p->lock);
	p->role = role;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/* Brings a slot's connection to "connected, idle": opens it the first time,
 * replaces it when it broke, rolls back what a previous user left open. */
static int make_ready(struct db_pool *p, struct db_conn *c)
{
	if (c->pg && PQstatus(c->pg) == CONNECTION_OK &&
	    PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		db_rollback(c);
	if (c->pg && (PQstatus(c->pg) != CONNECTION_OK ||
		      PQtransactionStatus(c->pg) != PQTRANS_IDLE))
		db_conn_close(c);
	if (!c->pg)
		return connect_slot(p, c);
	/* A new user does not inherit the last one's failure. */
	c->sqlstate[0] = c->errmsg[0] = c->constraint[0] = '\0';
	return 0;
}

static long long us_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)(t.tv_sec - t0->tv_sec) * 1000000 + (t.tv_nsec - t0->tv_nsec) / 1000;
}

/* Waits, with the lock held, until a slot frees or deadline passes; counts
 * the wait and its length. false: none freed in time. */
static bool wait_for_slot(struct db_pool *p, const struct timespec *deadline)
{
	struct timespec t0;
	bool freed = true;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	p->waits++;
	while (p->in_use == p->size) {
		if (pthread_cond_timedwait(&p->freed, &p->lock, deadline) == ETIMEDOUT &&
		    p->in_use == p->size) {
			p->timeouts++;
			freed = false;
			break;
		}
	}
	p->wait_us += us_since(&t0);
	return freed;
}

int db_pool_acquire(struct db_pool *p, struct db_conn **out, char *errmsg, size_t errlen)
{
	struct timespec deadline;
	struct slot *s = NULL;
	int rc;

	*out = NULL;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += p->wait_ms / 1000;
	deadline.tv_nsec += (long)(p->wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}

	pthread_mutex_lock(&p->lock);
	if (p->in_use == p->size && !wait_for_slot(p, &deadline)) {
		pthread_mutex_unlock(&p->lock);
		snprintf(errmsg, errlen, "no database connection freed within %d ms", p->wait_ms);
		return LMS_EUNAVAILABLE;
	}
	/* Prefer a slot that is already connected. */
	for (int i = 0; i < p->size; i++) {
		struct slot *t = &p->slots[i];
		if (!t->in_use && (!s || (!s->conn.pg && t->conn.pg)))
			s = t;
	}
	s->in_use = true;
	p->in_use++;
	pthread_mutex_unlock(&p->lock);

	/* Connecting happens outside the lock: it can take up to the connect
	 * timeout and must not hold up the other threads. */
	if ((rc = make_ready(p, &s->conn)) < 0) {
		snprintf(errmsg, errlen, "database unavailable: %s", s->conn.errmsg);
		db_conn_close(&s->conn);
		give_back(p, s);
		return rc;
	}
	*out = &s->conn;
	return 0;
}

void db_pool_release(struct db_pool *p, struct db_conn *c)
{
	struct slot *s;

	if (!c)
		return;
	s = (struct slot *)((char *)c - offsetof(struct slot, conn));
	if (c->pg && PQtransactionStatus(c->pg) == PQTRANS_ACTIVE) {
		/* A streaming reply was cut short: stop the query and drain it. */
		PGcancel *cancel = PQgetCancel(c->pg);
		char buf[256];
		PGresult *r;
		int n = 0;

		if (cancel) {
			PQcancel(cancel, buf, sizeof(buf));
			PQfreeCancel(cancel);
		}
		while (n++ < 1000000 && (r = PQgetResult(c->pg)))
			PQclear(r);
	}
	if (c->pg && PQstatus(c->pg) == CONNECTION_OK &&
	    PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
		log_warn("database connection returned inside a transaction; rolling back");
		db_rollback(c);
	}
	if (c->pg && (PQstatus(c->pg) != CONNECTION_OK ||
		      PQtransactionStatus(c->pg) != PQTRANS_IDLE))
		db_conn_close(c);
	give_back(p, s);
}

void db_pool_stats_get(struct db_pool *p, struct db_pool_stats *out)
{
	pthread_mutex_lock(&p->lock);
	out->size = p->size;
	out->in_use = p->in_use;
	out->timeouts = p->timeouts;
	out->waits = p->waits;
	out->wait_seconds = (double)p->wait_us / 1e6;
	out->role = p->role;
	pthread_mutex_unlock(&p->lock);
}
