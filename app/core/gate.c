/* gate.c - bounded concurrency for expensive work: a cap on runners and on waiters */
#include "lms/core/gate.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "lms/core/err.h"

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t turn;
	int max_running, max_waiting;
	int running;  /* turns held, including those handed to a waiter */
	int waiting;  /* callers inside gate_enter() waiting, handed a turn or not */
	int handed;   /* turns gate_leave() passed to waiters not yet awake */
};

struct gate *gate_new(int max_running, int max_waiting)
{
	struct gate *g;
	pthread_condattr_t attr;

	if (max_running < 1 || max_waiting < 0)
		return NULL;
	if (!(g = calloc(1, sizeof(*g))))
		return NULL;
	g->max_running = max_running;
	g->max_waiting = max_waiting;
	if (pthread_mutex_init(&g->lock, NULL) != 0)
		goto fail;
	/* Deadlines on the monotonic clock: a wall-clock step (NTP, an
	 * administrator) must neither cut a wait short nor stretch it. */
	if (pthread_condattr_init(&attr) != 0)
		goto fail_mutex;
	if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&g->turn, &attr) != 0) {
		pthread_condattr_destroy(&attr);
		goto fail_mutex;
	}
	pthread_condattr_destroy(&attr);
	return g;

fail_mutex:
	pthread_mutex_destroy(&g->lock);
fail:
	free(g);
	return NULL;
}

void gate_free(struct gate *g)
{
	if (!g)
		return;
	pthread_cond_destroy(&g->turn);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static struct timespec deadline_after(int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

int gate_enter(struct gate *g, int wait_ms)
{
	struct timespec deadline;
	int rc = 0;

	pthread_mutex_lock(&g->lock);
	if (g->running < g->max_running) {
		g->running++;
		goto out;
	}
	/* Refusing at once is the point: under overload a quick 503 is
	 * better than a queue that grows until every request times out. */
	if (g->waiting >= g->max_waiting || wait_ms <= 0) {
		rc = LMS_EUNAVAILABLE;
		goto out;
	}

	deadline = deadline_after(wait_ms);
	g->waiting++;
	/* Loop: wakeups may be spurious, and another waiter may have taken
	 * the turn this wakeup was for; only a handed turn ends the wait. */
	while (g->handed == 0) {
		if (pthread_cond_timedwait(&g->turn, &g->lock, &deadline) == ETIMEDOUT &&
		    g->handed == 0) {
			rc = LMS_EUNAVAILABLE;
			break;
		}
	}
	if (rc == 0)
		g->handed--;  /* running was kept for us by gate_leave() */
	g->waiting--;
out:
	pthread_mutex_unlock(&g->lock);
	return rc;
}

void gate_leave(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	/* Hand the turn straight to a waiter instead of freeing it, so a
	 * caller arriving between this unlock and the waiter's wakeup cannot
	 * take it: waiters would otherwise starve under steady load. */
	if (g->handed < g->waiting) {
		g->handed++;
		pthread_cond_signal(&g->turn);
	} else {
		g->running--;
	}
	pthread_mutex_unlock(&g->lock);
}

void gate_stats(const struct gate *g, int *running, int *waiting)
{
	/* The lock is the one mutable part of a gate read for statistics;
	 * every gate is allocated writable by gate_new(). */
	struct gate *m = (struct gate *)g;

	pthread_mutex_lock(&m->lock);
	if (running)
		*running = m->running;
	if (waiting)
		*waiting = m->waiting - m->handed;
	pthread_mutex_unlock(&m->lock);
}
