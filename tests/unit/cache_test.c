/* cache_test.c - the response cache: generations, size bounds, copies,
 * trusted and fallback lifetimes, counters, single flight on a miss */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "lms/http/cache.h"

#define HOUR_MS (3600 * 1000)

/* Fails unless c serves want (NULL: nothing) for key. */
static void assert_cached(struct http_cache *c, const char *key, const char *want)
{
	char *body = NULL;
	size_t len = 0;
	bool hit = http_cache_get(c, key, &body, &len);

	if (!want) {
		if (hit)
			fail_msg("%s: served [%s], expected nothing", key, body);
		return;
	}
	if (!hit)
		fail_msg("%s: nothing served, expected [%s]", key, want);
	assert_int_equal(len, strlen(want));
	assert_string_equal(body, want);
	free(body);
}

/* Puts body for key at the cache's current generation. */
static void put(struct http_cache *c, const char *key, const char *body)
{
	http_cache_put(c, key, body, strlen(body), http_cache_generation(c));
}

/* Puts key=body at the current generation; true when a get then finds it. */
static bool kept(struct http_cache *c, const char *key, const char *body)
{
	char *got = NULL;
	size_t len = 0;
	bool hit;

	http_cache_put(c, key, body, strlen(body), http_cache_generation(c));
	hit = http_cache_get(c, key, &got, &len);
	if (hit)
		assert_memory_equal(got, body, len);
	free(got);
	return hit;
}

static void untrusted_without_fallback_keeps_nothing(void **state)
{
	struct http_cache *c = http_cache_new(1 << 20, 1 << 16, 30000, 0);
	struct http_cache_stats st;

	(void)state;
	assert_false(kept(c, "/a", "one"));
	http_cache_trust(c, true);
	assert_true(kept(c, "/a", "one"));
	http_cache_stats_get(c, &st);
	assert_true(st.trusted);
	assert_int_equal(st.ttl_ms, 30000);
	/* The feed stopped: everything kept is dropped, nothing more kept. */
	http_cache_trust(c, false);
	http_cache_stats_get(c, &st);
	assert_false(st.trusted);
	assert_int_equal(st.ttl_ms, 0);
	assert_false(kept(c, "/a", "one"));
	http_cache_free(c);
}

static void untrusted_with_fallback_keeps_briefly(void **state)
{
	struct http_cache *c = http_cache_new(1 << 20, 1 << 16, 30000, 2000);
	struct http_cache_stats st;
	char *got = NULL;
	size_t len;

	(void)state;
	assert_true(kept(c, "/a", "one"));
	http_cache_stats_get(c, &st);
	assert_int_equal(st.ttl_ms, 2000);
	/* Trusting again drops what was kept under the short lifetime. */
	http_cache_trust(c, true);
	assert_false(http_cache_get(c, "/a", &got, &len));
	http_cache_free(c);
}

static void hits_and_misses_are_counted(void **state)
{
	struct http_cache *c = http_cache_new(1 << 20, 1 << 16, 30000, 0);
	struct http_cache_stats st;
	uint64_t old;
	char *got = NULL;
	size_t len;

	(void)state;
	http_cache_trust(c, true);
	assert_false(http_cache_get(c, "/b", &got, &len));
	assert_true(kept(c, "/b", "two"));
	/* A body read before a change is not kept. */
	old = http_cache_generation(c);
	http_cache_invalidate(c);
	http_cache_put(c, "/c", "three", 5, old);
	assert_false(http_cache_get(c, "/c", &got, &len));
	http_cache_stats_get(c, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 2);
	http_cache_free(c);
	http_cache_stats_get(NULL, &st);
	assert_int_equal(st.hits + st.misses, 0);
}

static void a_change_makes_bodies_stale(void **state)
{
	struct http_cache *c = http_cache_new(1024, 256, HOUR_MS, 0);
	uint64_t before;

	(void)state;
	http_cache_trust(c, true);
	put(c, "/a", "old");
	before = http_cache_generation(c);
	http_cache_invalidate(c);
	assert_true(http_cache_generation(c) != before);
	assert_cached(c, "/a", NULL);
	/* A body read before the change is not kept after it. */
	http_cache_put(c, "/a", "read before", 11, before);
	assert_cached(c, "/a", NULL);
	put(c, "/a", "new");
	assert_cached(c, "/a", "new");
	http_cache_free(c);
}

static void sizes_are_bounded(void **state)
{
	struct http_cache *c = http_cache_new(15, 10, HOUR_MS, 0);

	(void)state;
	http_cache_trust(c, true);
	/* One body over max_entry is not kept. */
	put(c, "/big", "0123456789X");
	assert_cached(c, "/big", NULL);
	/* Replacing a key's body frees what the old one took. */
	put(c, "/a", "0123456789");
	put(c, "/a", "abcdefghij");
	assert_cached(c, "/a", "abcdefghij");
	/* The whole cache holds at most max_bytes. */
	put(c, "/b", "0123456789");
	assert_cached(c, "/b", NULL);
	assert_cached(c, "/a", "abcdefghij");
	http_cache_invalidate(c);
	put(c, "/b", "0123456789");
	assert_cached(c, "/b", "0123456789");
	http_cache_free(c);
}

static void bodies_are_copies(void **state)
{
	struct http_cache *c = http_cache_new(1024, 256, HOUR_MS, 0);
	char body[] = "with\0nul";
	char *got = NULL;
	size_t len = 0;

	(void)state;
	http_cache_trust(c, true);
	http_cache_put(c, "/n", body, sizeof(body) - 1, http_cache_generation(c));
	body[0] = 'W';
	assert_true(http_cache_get(c, "/n", &got, &len));
	assert_int_equal(len, sizeof(body) - 1);
	assert_memory_equal(got, "with\0nul", len);
	assert_int_equal(got[len], '\0');
	free(got);
	http_cache_free(c);
}

static void no_time_to_live_keeps_nothing(void **state)
{
	struct http_cache *c = http_cache_new(1024, 256, 0, 0);

	(void)state;
	http_cache_trust(c, true);
	put(c, "/a", "alpha");
	assert_cached(c, "/a", NULL);
	http_cache_free(c);
}

static void null_cache_is_harmless(void **state)
{
	char *body = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(http_cache_generation(NULL), 0);
	http_cache_put(NULL, "/a", "alpha", 5, 0);
	assert_false(http_cache_get(NULL, "/a", &body, &len));
	assert_null(body);
	http_cache_invalidate(NULL);
	http_cache_trust(NULL, true);
	http_cache_free(NULL);
}

/* A lookup made on another thread, for the single-flight cases. */
struct lookup {
	pthread_t thread;
	struct http_cache *c;
	const char *key;
	enum http_cache_found found;
	char *body;
	size_t len;
};

static void *lookup_run(void *arg)
{
	struct lookup *l = arg;

	l->found = http_cache_lookup(l->c, l->key, &l->body, &l->len);
	return NULL;
}

static void lookup_start(struct lookup *l, struct http_cache *c, const char *key)
{
	memset(l, 0, sizeof(*l));
	l->c = c;
	l->key = key;
	assert_int_equal(pthread_create(&l->thread, NULL, lookup_run, l), 0);
}

/* Waits (5 s at most) until n lookups of c have begun to wait for a fill. */
static void waiters_await(struct http_cache *c, unsigned long long n)
{
	struct timespec pause = {0, 2 * 1000 * 1000};
	struct http_cache_stats st;

	for (int i = 0; i < 2500; i++) {
		http_cache_stats_get(c, &st);
		if (st.waits >= n)
			return;
		nanosleep(&pause, NULL);
	}
	fail_msg("%llu waiters expected, %llu came", n, st.waits);
}

static struct http_cache *trusted_cache(void)
{
	struct http_cache *c = http_cache_new(1 << 20, 1 << 16, HOUR_MS, 0);

	assert_non_null(c);
	http_cache_trust(c, true);
	return c;
}

static void simultaneous_misses_wait_for_one_fill(void **state)
{
	struct http_cache *c = trusted_cache();
	struct lookup w[3];
	struct http_cache_stats st;
	char *body = NULL;
	size_t len;
	uint64_t g;

	(void)state;
	assert_int_equal(http_cache_lookup(c, "/a", &body, &len), HTTP_CACHE_FILL);
	g = http_cache_generation(c);
	for (int i = 0; i < 3; i++)
		lookup_start(&w[i], c, "/a");
	waiters_await(c, 3);
	/* Another key is not held up by the fill of /a. */
	assert_int_equal(http_cache_lookup(c, "/b", &body, &len), HTTP_CACHE_FILL);
	http_cache_fill_end(c, "/b");
	put(c, "/other", "x");
	http_cache_put(c, "/a", "alpha", 5, g);
	http_cache_fill_end(c, "/a");
	for (int i = 0; i < 3; i++) {
		pthread_join(w[i].thread, NULL);
		assert_int_equal(w[i].found, HTTP_CACHE_HIT);
		assert_int_equal(w[i].len, 5);
		assert_string_equal(w[i].body, "alpha");
		free(w[i].body);
	}
	http_cache_stats_get(c, &st);
	assert_int_equal(st.fills, 2);  /* /a and /b */
	assert_int_equal(st.waits, 3);
	assert_int_equal(st.hits, 3);
	assert_int_equal(st.misses, 2);
	/* The fill ended: the next miss of /a makes it again. */
	http_cache_invalidate(c);
	assert_int_equal(http_cache_lookup(c, "/a", &body, &len), HTTP_CACHE_FILL);
	http_cache_fill_end(c, "/a");
	http_cache_free(c);
}

static void a_failed_fill_hands_over_to_one_waiter(void **state)
{
	struct http_cache *c = trusted_cache();
	struct lookup w[2];
	struct http_cache_stats st;
	char *body = NULL;
	size_t len;
	int fills = 0;

	(void)state;
	assert_int_equal(http_cache_lookup(c, "/a", &body, &len), HTTP_CACHE_FILL);
	lookup_start(&w[0], c, "/a");
	lookup_start(&w[1], c, "/a");
	waiters_await(c, 2);
	/* The maker failed: nothing put. One waiter makes it, the other waits
	 * for that one. */
	http_cache_fill_end(c, "/a");
	for (int i = 0; i < 2500; i++) {
		struct timespec pause = {0, 2 * 1000 * 1000};

		http_cache_stats_get(c, &st);
		if (st.fills == 2)
			break;
		nanosleep(&pause, NULL);
	}
	assert_int_equal(st.fills, 2);
	http_cache_put(c, "/a", "again", 5, http_cache_generation(c));
	http_cache_fill_end(c, "/a");
	for (int i = 0; i < 2; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].found == HTTP_CACHE_FILL) {
			fills++;
			continue;
		}
		assert_int_equal(w[i].found, HTTP_CACHE_HIT);
		assert_string_equal(w[i].body, "again");
		free(w[i].body);
	}
	assert_int_equal(fills, 1);
	http_cache_free(c);
}

static void a_wait_is_bounded(void **state)
{
	struct http_cache *c = trusted_cache();
	struct lookup w;
	struct timespec t0, t1;
	char *body = NULL;
	size_t len;
	long long ms;

	(void)state;
	http_cache_set_fill_wait(c, 100);
	assert_int_equal(http_cache_lookup(c, "/a", &body, &len), HTTP_CACHE_FILL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	lookup_start(&w, c, "/a");
	pthread_join(w.thread, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	/* The maker never ended: after the deadline the waiter makes its
	 * own, without a fill of its own (one is still in flight). */
	assert_int_equal(w.found, HTTP_CACHE_MISS);
	assert_null(w.body);
	assert_true(ms >= 90);
	/* No waiting at all when turned off. */
	http_cache_set_fill_wait(c, 0);
	assert_int_equal(http_cache_lookup(c, "/a", &body, &len), HTTP_CACHE_MISS);
	http_cache_fill_end(c, "/a");
	http_cache_free(c);
}

static void no_fill_when_nothing_is_kept(void **state)
{
	struct http_cache *c = http_cache_new(1 << 20, 1 << 16, HOUR_MS, 0);
	struct http_cache_stats st;
	char *body = NULL;
	size_t len;

	(void)state;
	/* Untrusted without a fallback lifetime: a put keeps nothing, so there
	 * is nothing to wait for. */
	assert_int_equal(http_cache_lookup(c, "/a", &body, &len), HTTP_CACHE_MISS);
	assert_int_equal(http_cache_lookup(c, "/a", &body, &len), HTTP_CACHE_MISS);
	http_cache_stats_get(c, &st);
	assert_int_equal(st.fills, 0);
	assert_int_equal(st.waits, 0);
	assert_int_equal(st.misses, 2);
	assert_int_equal(http_cache_lookup(NULL, "/a", &body, &len), HTTP_CACHE_MISS);
	http_cache_fill_end(NULL, "/a");
	http_cache_fill_end(c, "/never");
	http_cache_free(c);
}

static void many_fills_at_once_are_bounded(void **state)
{
	struct http_cache *c = trusted_cache();
	char key[32], *body = NULL;
	size_t len;
	int n = 0;

	(void)state;
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "/k%d", i);
		if (http_cache_lookup(c, key, &body, &len) == HTTP_CACHE_FILL)
			n++;
	}
	/* Past the table of fills, misses are made alone, as before. */
	assert_true(n >= 8 && n < 100);
	snprintf(key, sizeof(key), "/k%d", 99);
	assert_int_equal(http_cache_lookup(c, key, &body, &len), HTTP_CACHE_MISS);
	/* A key freed lets another fill. */
	http_cache_fill_end(c, "/k0");
	assert_int_equal(http_cache_lookup(c, key, &body, &len), HTTP_CACHE_FILL);
	/* Fills never ended are freed with the cache. */
	http_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(untrusted_without_fallback_keeps_nothing),
		cmocka_unit_test(untrusted_with_fallback_keeps_briefly),
		cmocka_unit_test(hits_and_misses_are_counted),
		cmocka_unit_test(a_change_makes_bodies_stale),
		cmocka_unit_test(sizes_are_bounded),
		cmocka_unit_test(bodies_are_copies),
		cmocka_unit_test(no_time_to_live_keeps_nothing),
		cmocka_unit_test(null_cache_is_harmless),
		cmocka_unit_test(simultaneous_misses_wait_for_one_fill),
		cmocka_unit_test(a_failed_fill_hands_over_to_one_waiter),
		cmocka_unit_test(a_wait_is_bounded),
		cmocka_unit_test(no_fill_when_nothing_is_kept),
		cmocka_unit_test(many_fills_at_once_are_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
