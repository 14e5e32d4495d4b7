/* cache_test.c - the response cache: trusted and fallback lifetimes, counters */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lms/http/cache.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(untrusted_without_fallback_keeps_nothing),
		cmocka_unit_test(untrusted_with_fallback_keeps_briefly),
		cmocka_unit_test(hits_and_misses_are_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
