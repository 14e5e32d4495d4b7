/* gate_test.c - unit tests for the concurrency gate, with real threads */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <time.h>

#include "lms/core/err.h"
#include "lms/core/gate.h"

/* Long enough that no correct wait in these tests can run out, even under
 * sanitizers on a loaded machine; short waits are tested on purpose only. */
#define LONG_WAIT_MS 60000

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Polls until waiting callers are blocked inside gate_enter(): the gate's
 * own count is the only sign of that. Fails rather than hangs. */
static void wait_for_waiters(struct gate *g, int want)
{
	const struct timespec tick = {0, 1000000};
	long long give_up = now_ms() + 20000;
	int waiting = -1;

	while (now_ms() < give_up) {
		gate_stats(g, NULL, &waiting);
		if (waiting == want)
			return;
		nanosleep(&tick, NULL);
	}
	fail_msg("expected %d waiters, have %d", want, waiting);
}

static void assert_stats(struct gate *g, int running, int waiting)
{
	int r = -1, w = -1;

	gate_stats(g, &r, &w);
	assert_int_equal(r, running);
	assert_int_equal(w, waiting);
}

static void bad_arguments(void **state)
{
	struct gate *g;

	assert_null(gate_new(0, 1));
	assert_null(gate_new(-1, 0));
	assert_null(gate_new(1, -1));
	assert_non_null(g = gate_new(1, 0));
	assert_stats(g, 0, 0);
	gate_free(g);
	gate_free(NULL);
}

/* Threads that enter, stay inside until the test releases them one by one,
 * and count how many are inside at once. */
struct crowd {
	struct gate *g;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	int inside, max_inside, released, done, failures;
};

static void *crowd_member(void *arg)
{
	struct crowd *c = arg;

	if (gate_enter(c->g, LONG_WAIT_MS) != 0) {
		pthread_mutex_lock(&c->lock);
		c->failures++;
		c->done++;
		pthread_cond_broadcast(&c->changed);
		pthread_mutex_unlock(&c->lock);
		return NULL;
	}
	pthread_mutex_lock(&c->lock);
	if (++c->inside > c->max_inside)
		c->max_inside = c->inside;
	pthread_cond_broadcast(&c->changed);
	while (c->released == 0)
		pthread_cond_wait(&c->changed, &c->lock);
	c->released--;
	/* Counted out before leaving: the next one may enter at once. */
	c->inside--;
	c->done++;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
	gate_leave(c->g);
	return NULL;
}

static void max_running_respected(void **state)
{
	enum { THREADS = 8, CAP = 3 };
	struct crowd c = {.lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};
	pthread_t t[THREADS];

	assert_non_null(c.g = gate_new(CAP, THREADS));
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, crowd_member, &c), 0);

	/* CAP inside and everyone else pressing at the gate. */
	pthread_mutex_lock(&c.lock);
	while (c.inside < CAP && c.done == 0)
		pthread_cond_wait(&c.changed, &c.lock);
	pthread_mutex_unlock(&c.lock);
	wait_for_waiters(c.g, THREADS - CAP);
	assert_stats(c.g, CAP, THREADS - CAP);

	/* Let them out one at a time; each exit must let exactly one in. */
	for (int k = 1; k <= THREADS; k++) {
		int want = THREADS - k < CAP ? THREADS - k : CAP;

		pthread_mutex_lock(&c.lock);
		c.released++;
		pthread_cond_broadcast(&c.changed);
		while (c.failures == 0 && (c.done < k || c.inside < want))
			pthread_cond_wait(&c.changed, &c.lock);
		if (c.failures > 0) {
			/* Free everyone so the joins below finish and report it. */
			c.released = THREADS;
			pthread_cond_broadcast(&c.changed);
			pthread_mutex_unlock(&c.lock);
			break;
		}
		assert_int_equal(c.inside, want);
		pthread_mutex_unlock(&c.lock);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);

	assert_int_equal(c.failures, 0);
	assert_int_equal(c.max_inside, CAP);
	assert_stats(c.g, 0, 0);
	gate_free(c.g);
}

/* Many short turns from many threads: the cap holds and nobody is lost. */
struct churn {
	struct gate *g;
	pthread_mutex_t lock;
	int inside, max_inside, failures;
};

static void *churner(void *arg)
{
	struct churn *c = arg;

	for (int i = 0; i < 200; i++) {
		if (gate_enter(c->g, LONG_WAIT_MS) != 0) {
			pthread_mutex_lock(&c->lock);
			c->failures++;
			pthread_mutex_unlock(&c->lock);
			continue;
		}
		pthread_mutex_lock(&c->lock);
		if (++c->inside > c->max_inside)
			c->max_inside = c->inside;
		pthread_mutex_unlock(&c->lock);
		sched_yield();
		pthread_mutex_lock(&c->lock);
		c->inside--;
		pthread_mutex_unlock(&c->lock);
		gate_leave(c->g);
	}
	return NULL;
}

static void many_short_turns(void **state)
{
	enum { THREADS = 16, CAP = 2 };
	struct churn c = {.lock = PTHREAD_MUTEX_INITIALIZER};
	pthread_t t[THREADS];

	assert_non_null(c.g = gate_new(CAP, THREADS));
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, churner, &c), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(c.failures, 0);
	assert_true(c.max_inside >= 1 && c.max_inside <= CAP);
	assert_stats(c.g, 0, 0);
	gate_free(c.g);
}

/* One waiter that enters, reports, and holds its turn until told to go. */
struct waiter {
	struct gate *g;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	int rc;
	bool entered, go;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	int rc = gate_enter(w->g, LONG_WAIT_MS);

	pthread_mutex_lock(&w->lock);
	w->rc = rc;
	w->entered = true;
	pthread_cond_broadcast(&w->changed);
	while (!w->go)
		pthread_cond_wait(&w->changed, &w->lock);
	pthread_mutex_unlock(&w->lock);
	if (rc == 0)
		gate_leave(w->g);
	return NULL;
}

static void start_waiter(struct waiter *w, struct gate *g, pthread_t *t)
{
	*w = (struct waiter){.g = g, .rc = 1};
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
	assert_int_equal(pthread_create(t, NULL, waiter_main, w), 0);
}

static int finish_waiter(struct waiter *w, pthread_t t)
{
	pthread_mutex_lock(&w->lock);
	w->go = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	pthread_join(t, NULL);
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
	return w->rc;
}

static void full_queue_refuses_at_once(void **state)
{
	struct gate *g = gate_new(1, 1);
	struct waiter w;
	pthread_t t;
	long long start;

	assert_non_null(g);
	assert_int_equal(gate_enter(g, 0), 0);
	start_waiter(&w, g, &t);
	wait_for_waiters(g, 1);

	/* Running and waiting are both full: no wait, although one is asked
	 * for. Waiting would take LONG_WAIT_MS, so a loose bound proves it. */
	start = now_ms();
	assert_int_equal(gate_enter(g, LONG_WAIT_MS), LMS_EUNAVAILABLE);
	assert_int_equal(gate_enter(g, LONG_WAIT_MS), LMS_EUNAVAILABLE);
	assert_true(now_ms() - start < LONG_WAIT_MS / 4);
	assert_stats(g, 1, 1);

	gate_leave(g);
	assert_int_equal(finish_waiter(&w, t), 0);
	assert_stats(g, 0, 0);
	gate_free(g);

	/* No waiting room at all: the cap alone decides. */
	assert_non_null(g = gate_new(2, 0));
	assert_int_equal(gate_enter(g, LONG_WAIT_MS), 0);
	assert_int_equal(gate_enter(g, LONG_WAIT_MS), 0);
	start = now_ms();
	assert_int_equal(gate_enter(g, LONG_WAIT_MS), LMS_EUNAVAILABLE);
	assert_true(now_ms() - start < LONG_WAIT_MS / 4);
	gate_leave(g);
	assert_int_equal(gate_enter(g, 0), 0);
	gate_leave(g);
	gate_leave(g);
	assert_stats(g, 0, 0);
	gate_free(g);
}

static void waiter_times_out(void **state)
{
	struct gate *g = gate_new(1, 4);

	assert_non_null(g);
	assert_int_equal(gate_enter(g, 50), 0);
	assert_int_equal(gate_enter(g, 50), LMS_EUNAVAILABLE);
	assert_stats(g, 1, 0);
	/* No wait asked for: refused without queueing. */
	assert_int_equal(gate_enter(g, 0), LMS_EUNAVAILABLE);
	assert_int_equal(gate_enter(g, -1), LMS_EUNAVAILABLE);
	/* A timed-out waiter took no turn with it. */
	gate_leave(g);
	assert_stats(g, 0, 0);
	assert_int_equal(gate_enter(g, 50), 0);
	gate_leave(g);
	assert_stats(g, 0, 0);
	gate_free(g);
}

static void leave_wakes_a_waiter(void **state)
{
	struct gate *g = gate_new(1, 1);
	struct waiter w;
	pthread_t t;

	assert_non_null(g);
	assert_int_equal(gate_enter(g, 0), 0);
	start_waiter(&w, g, &t);
	wait_for_waiters(g, 1);
	pthread_mutex_lock(&w.lock);
	assert_false(w.entered);
	pthread_mutex_unlock(&w.lock);

	gate_leave(g);
	pthread_mutex_lock(&w.lock);
	while (!w.entered)
		pthread_cond_wait(&w.changed, &w.lock);
	pthread_mutex_unlock(&w.lock);
	assert_stats(g, 1, 0);
	assert_int_equal(finish_waiter(&w, t), 0);
	assert_stats(g, 0, 0);
	gate_free(g);
}

static void freed_turn_goes_to_the_waiter(void **state)
{
	struct gate *g = gate_new(1, 1);
	struct waiter w;
	pthread_t t;

	assert_non_null(g);
	assert_int_equal(gate_enter(g, 0), 0);
	start_waiter(&w, g, &t);
	wait_for_waiters(g, 1);

	/* The turn is handed over inside gate_leave(): a newcomer cannot take
	 * it whether or not the waiter has woken yet (it holds the turn until
	 * finish_waiter()). */
	gate_leave(g);
	assert_int_equal(gate_enter(g, 0), LMS_EUNAVAILABLE);
	assert_stats(g, 1, 0);
	assert_int_equal(finish_waiter(&w, t), 0);
	assert_int_equal(gate_enter(g, 0), 0);
	gate_leave(g);
	gate_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(max_running_respected),
		cmocka_unit_test(many_short_turns),
		cmocka_unit_test(full_queue_refuses_at_once),
		cmocka_unit_test(waiter_times_out),
		cmocka_unit_test(leave_wakes_a_waiter),
		cmocka_unit_test(freed_turn_goes_to_the_waiter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
