/* watchdog.c - deadlines for reads a slow client could stretch without end */
#include "lms/http/watchdog.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "lms/core/err.h"
#include "lms/core/log.h"

/* How often the thread looks: deadlines hold to within this. */
#define TICK_NS (100 * 1000000LL)

/* One per worker thread that ever armed a read; kept until watchdog_stop
 * (worker threads live as long as the server). */
struct watch {
	int fd;              /* -1: nothing watched */
	_Atomic int64_t deadline_ns;
	bool fired;
	struct watch *next;
};

static struct {
	pthread_mutex_t lock; /* guards the list and every watch's fd and fired */
	pthread_cond_t wake;
	pthread_t thread;
	bool running, stopping;
	struct watch *all;
} wd = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static _Thread_local struct watch *mine;

int64_t watchdog_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Shutting down only the reading side makes a blocked read see the end of
 * the stream while the reply can still be sent. The fd stays valid: its
 * worker disarms under the lock before the connection is closed. */
static void sweep(int64_t now)
{
	for (struct watch *w = wd.all; w; w = w->next) {
		if (w->fd < 0 || w->fired || atomic_load(&w->deadline_ns) > now)
			continue;
		w->fired = true;
		shutdown(w->fd, SHUT_RD);
	}
}

static void *run(void *arg)
{
	struct timespec next;

	(void)arg;
	pthread_mutex_lock(&wd.lock);
	while (!wd.stopping) {
		int64_t t = watchdog_now_ns() + TICK_NS;

		next.tv_sec = t / 1000000000LL;
		next.tv_nsec = t % 1000000000LL;
		pthread_cond_timedwait(&wd.wake, &wd.lock, &next);
		sweep(watchdog_now_ns());
	}
	pthread_mutex_unlock(&wd.lock);
	return NULL;
}

int watchdog_start(void)
{
	pthread_condattr_t attr;
	int rc;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_destroy(&wd.wake);
	pthread_cond_init(&wd.wake, &attr);
	pthread_condattr_destroy(&attr);
	wd.stopping = false;
	if ((rc = pthread_create(&wd.thread, NULL, run, NULL)) != 0) {
		log_error("watchdog: cannot start its thread (error %d)", rc);
		return LMS_ENOMEM;
	}
	wd.running = true;
	return 0;
}

void watchdog_stop(void)
{
	struct watch *w, *next;

	if (wd.running) {
		pthread_mutex_lock(&wd.lock);
		wd.stopping = true;
		pthread_cond_signal(&wd.wake);
		pthread_mutex_unlock(&wd.lock);
		pthread_join(wd.thread, NULL);
		wd.running = false;
	}
	pthread_mutex_lock(&wd.lock);
	for (w = wd.all; w; w = next) {
		next = w->next;
		free(w);
	}
	wd.all = NULL;
	pthread_mutex_unlock(&wd.lock);
}

int watchdog_arm(int fd, int64_t deadline_ns)
{
	if (!mine) {
		struct watch *w = calloc(1, sizeof(*w));

		if (!w)
			return LMS_ENOMEM;
		w->fd = -1;
		pthread_mutex_lock(&wd.lock);
		w->next = wd.all;
		wd.all = w;
		pthread_mutex_unlock(&wd.lock);
		mine = w;
	}
	pthread_mutex_lock(&wd.lock);
	atomic_store(&mine->deadline_ns, deadline_ns);
	mine->fired = false;
	mine->fd = fd;
	pthread_mutex_unlock(&wd.lock);
	return 0;
}

void watchdog_extend(int64_t deadline_ns)
{
	if (mine)
		atomic_store(&mine->deadline_ns, deadline_ns);
}

bool watchdog_disarm(void)
{
	bool fired;

	if (!mine)
		return false;
	pthread_mutex_lock(&wd.lock);
	fired = mine->fired;
	mine->fd = -1;
	mine->fired = false;
	pthread_mutex_unlock(&wd.lock);
	return fired;
}
