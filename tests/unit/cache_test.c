/* cache_test.c - the response cache: generations, size bounds, copies,
 * trusted and fallback lifetimes, counters */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
