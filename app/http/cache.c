/* cache.c - response bodies kept in memory until the data behind them changes */
#include "lms/http/cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Direct-mapped: a key has one slot, and a newer body for another key that
 * lands there replaces it. Simple, bounded, and plenty for a catalogue
 * whose popular pages are few. */
#define SLOTS 512

struct entry {
	char *key;
	char *body;
	size_t len;
	uint64_t generation;
	long long expires_ms;  /* monotonic */
};

struct http_cache {
	pthread_mutex_t lock;
	struct entry slots[SLOTS];
	uint64_t generation;
	bool trusted;       /* changes are heard of: keep bodies ttl_ms */
	size_t bytes, max_bytes, max_entry;
	int ttl_ms, fallback_ttl_ms;
	unsigned long long hits, misses;
};

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static size_t slot_of(const char *key)
{
	/* FNV-1a */
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)(h % SLOTS);
}

static void entry_clear(struct http_cache *c, struct entry *e)
{
	c->bytes -= e->body ? e->len : 0;
	free(e->key);
	free(e->body);
	memset(e, 0, sizeof(*e));
}

/* How long a body put now is kept; 0: it is not kept. */
static int ttl_now(const struct http_cache *c)
{
	return c->trusted ? c->ttl_ms : c->fallback_ttl_ms;
}

struct http_cache *http_cache_new(size_t max_bytes, size_t max_entry, int ttl_ms,
				  int fallback_ttl_ms)
{
	struct http_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->max_bytes = max_bytes;
	c->max_entry = max_entry;
	c->ttl_ms = ttl_ms;
	c->fallback_ttl_ms = fallback_ttl_ms;
	return c;
}

void http_cache_free(struct http_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < SLOTS; i++)
		entry_clear(c, &c->slots[i]);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

uint64_t http_cache_generation(struct http_cache *c)
{
	uint64_t g;

	if (!c)
		return 0;
	pthread_mutex_lock(&c->lock);
	g = c->generation;
	pthread_mutex_unlock(&c->lock);
	return g;
}

bool http_cache_get(struct http_cache *c, const char *key, char **body, size_t *len)
{
	struct entry *e;
	bool hit = false;

	if (!c)
		return false;
	pthread_mutex_lock(&c->lock);
	e = &c->slots[slot_of(key)];
	if (ttl_now(c) > 0 && e->key && e->generation == c->generation &&
	    e->expires_ms > now_ms() && !strcmp(e->key, key) && (*body = malloc(e->len + 1))) {
		memcpy(*body, e->body, e->len + 1);
		*len = e->len;
		hit = true;
	}
	if (hit)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->lock);
	return hit;
}

void http_cache_put(struct http_cache *c, const char *key, const char *body, size_t len,
		    uint64_t generation)
{
	struct entry *e;

	if (!c || len > c->max_entry)
		return;
	pthread_mutex_lock(&c->lock);
	e = &c->slots[slot_of(key)];
	/* A body read before the last change is already stale. */
	if (ttl_now(c) <= 0 || generation != c->generation)
		goto out;
	entry_clear(c, e);
	if (c->bytes + len > c->max_bytes)
		goto out;
	if (!(e->key = strdup(key)) || !(e->body = malloc(len + 1))) {
		entry_clear(c, e);
		goto out;
	}
	memcpy(e->body, body, len);
	e->body[len] = '\0';
	e->len = len;
	e->generation = generation;
	e->expires_ms = now_ms() + ttl_now(c);
	c->bytes += len;
out:
	pthread_mutex_unlock(&c->lock);
}

/* Drops every body, so stale ones hold no memory. Called with the lock. */
static void drop_all(struct http_cache *c)
{
	c->generation++;
	if (c->bytes)
		for (size_t i = 0; i < SLOTS; i++)
			if (c->slots[i].key)
				entry_clear(c, &c->slots[i]);
}

void http_cache_invalidate(struct http_cache *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	drop_all(c);
	pthread_mutex_unlock(&c->lock);
}

void http_cache_trust(struct http_cache *c, bool trusted)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->trusted = trusted;
	drop_all(c);
	pthread_mutex_unlock(&c->lock);
}

void http_cache_stats_get(struct http_cache *c, struct http_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	out->hits = c->hits;
	out->misses = c->misses;
	out->trusted = c->trusted;
	out->ttl_ms = ttl_now(c);
	pthread_mutex_unlock(&c->lock);
}
