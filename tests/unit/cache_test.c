/* cache_test.c - unit tests of the response cache: enabling, generations,
 * size bounds, time to live */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

static void serves_only_when_enabled(void **state)
{
	struct http_cache *c = http_cache_new(1024, 256, HOUR_MS);

	(void)state;
	assert_non_null(c);
	put(c, "/a", "alpha");
	assert_cached(c, "/a", NULL);
	http_cache_enable(c, true);
	assert_cached(c, "/a", NULL);
	put(c, "/a", "alpha");
	assert_cached(c, "/a", "alpha");
	assert_cached(c, "/b", NULL);
	/* Turning it off drops what it had, and turning it on finds nothing. */
	http_cache_enable(c, false);
	assert_cached(c, "/a", NULL);
	http_cache_enable(c, true);
	assert_cached(c, "/a", NULL);
	http_cache_free(c);
}

static void a_change_makes_bodies_stale(void **state)
{
	struct http_cache *c = http_cache_new(1024, 256, HOUR_MS);
	uint64_t before;

	(void)state;
	http_cache_enable(c, true);
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
	struct http_cache *c = http_cache_new(15, 10, HOUR_MS);

	(void)state;
	http_cache_enable(c, true);
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
	struct http_cache *c = http_cache_new(1024, 256, HOUR_MS);
	char body[] = "with\0nul";
	char *got = NULL;
	size_t len = 0;

	(void)state;
	http_cache_enable(c, true);
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
	struct http_cache *c = http_cache_new(1024, 256, 0);

	(void)state;
	http_cache_enable(c, true);
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
	http_cache_enable(NULL, true);
	http_cache_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(serves_only_when_enabled),
		cmocka_unit_test(a_change_makes_bodies_stale),
		cmocka_unit_test(sizes_are_bounded),
		cmocka_unit_test(bodies_are_copies),
		cmocka_unit_test(no_time_to_live_keeps_nothing),
		cmocka_unit_test(null_cache_is_harmless),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
