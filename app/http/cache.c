/* cache.c - response bodies kept in memory until the data behind them changes */
#include "lms/http/cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Direct-mapped: a key has one slot, and a newer body for another key that
 * lands there replaces it. Simple, bounded, and plenty for a catalogue
 * whose popular pages are few. */
#define SLOTS 512

/* Keys being made now by one caller for the others (single flight). A
 * catalogue has few expensive pages; when more are in flight at once, the
 * rest are made the old way, each by its own caller. */
#define FLIGHTS 32
#define FILL_WAIT_MS 10000

struct entry {
	char *key;
	char *body;
	size_t len;
	uint64_t generation;
	long long expires_ms;  /* monotonic */
};

struct flight {
	char *key;    /* NULL: free */
	uint64_t id;  /* which fill, so that a waiter knows its own ended */
};

struct http_cache {
	pthread_mutex_t lock;
	pthread_cond_t filled; /* a fill ended; waiters check whether it was theirs */
	struct entry slots[SLOTS];
	struct flight flights[FLIGHTS];
	uint64_t flight_ids;
	int fill_wait_ms;
	uint64_t generation;
	bool trusted;       /* changes are heard of: keep bodies ttl_ms */
	size_t bytes, max_bytes, max_entry;
	int ttl_ms, fallback_ttl_ms;
	unsigned long long hits, misses, fills, waits;
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

	pthread_condattr_t attr;

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	/* Waits are bounded on the monotonic clock, as the lifetimes are. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&c->filled, &attr);
	pthread_condattr_destroy(&attr);
	c->fill_wait_ms = FILL_WAIT_MS;
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
	for (size_t i = 0; i < FLIGHTS; i++)
		free(c->flights[i].key);
	pthread_cond_destroy(&c->filled);
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

/* A copy of the fresh body for key, as http_cache_get; counts nothing.
 * Called with the lock. */
static bool take(struct http_cache *c, const char *key, char **body, size_t *len)
{
	struct entry *e = &c->slots[slot_of(key)];

	if (ttl_now(c) > 0 && e->key && e->generation == c->generation &&
	    e->expires_ms > now_ms() && !strcmp(e->key, key) && (*body = malloc(e->len + 1))) {
		memcpy(*body, e->body, e->len + 1);
		*len = e->len;
		return true;
	}
	return false;
}

bool http_cache_get(struct http_cache *c, const char *key, char **body, size_t *len)
{
	bool hit;

	if (!c)
		return false;
	pthread_mutex_lock(&c->lock);
	hit = take(c, key, body, len);
	if (hit)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->lock);
	return hit;
}

/* The fill of key in flight, or NULL. Called with the lock. */
static struct flight *flight_of(struct http_cache *c, const char *key)
{
	for (size_t i = 0; i < FLIGHTS; i++)
		if (c->flights[i].key && !strcmp(c->flights[i].key, key))
			return &c->flights[i];
	return NULL;
}

/* A new fill of key, or NULL when FLIGHTS are in flight (or on ENOMEM).
 * Called with the lock. */
static struct flight *flight_claim(struct http_cache *c, const char *key)
{
	for (size_t i = 0; i < FLIGHTS; i++) {
		struct flight *f = &c->flights[i];

		if (f->key)
			continue;
		if (!(f->key = strdup(key)))
			return NULL;
		f->id = ++c->flight_ids;
		return f;
	}
	return NULL;
}

enum http_cache_found http_cache_lookup(struct http_cache *c, const char *key, char **body,
					size_t *len)
{
	enum http_cache_found found = HTTP_CACHE_MISS;
	struct timespec deadline = {0};
	bool waited = false;
	struct flight *f;
	uint64_t id;

	if (!c)
		return HTTP_CACHE_MISS;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		if (take(c, key, body, len)) {
			found = HTTP_CACHE_HIT;
			break;
		}
		/* Nothing put now would be kept: nothing to wait for. */
		if (ttl_now(c) <= 0)
			break;
		if (!(f = flight_of(c, key))) {
			if (flight_claim(c, key))
				found = HTTP_CACHE_FILL;
			break;
		}
		if (c->fill_wait_ms <= 0)
			break;
		if (!waited) {
			long long end = now_ms() + c->fill_wait_ms;

			waited = true;
			c->waits++;
			deadline.tv_sec = end / 1000;
			deadline.tv_nsec = (end % 1000) * 1000000;
		}
		/* Until that fill ends (then look again: it put the body, or
		 * it failed and this caller may make it), or the deadline. */
		id = f->id;
		while (f->id == id)
			if (pthread_cond_timedwait(&c->filled, &c->lock, &deadline) == ETIMEDOUT)
				break;
		if (f->id == id)
			break; /* waited long enough: make it alone */
	}
	if (found == HTTP_CACHE_HIT)
		c->hits++;
	else
		c->misses++;
	if (found == HTTP_CACHE_FILL)
		c->fills++;
	pthread_mutex_unlock(&c->lock);
	return found;
}

void http_cache_fill_end(struct http_cache *c, const char *key)
{
	struct flight *f;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	if ((f = flight_of(c, key))) {
		free(f->key);
		f->key = NULL;
		f->id = 0;
		pthread_cond_broadcast(&c->filled);
	}
	pthread_mutex_unlock(&c->lock);
}

void http_cache_set_fill_wait(struct http_cache *c, int wait_ms)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->fill_wait_ms = wait_ms;
	pthread_mutex_unlock(&c->lock);
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
	out->fills = c->fills;
	out->waits = c->waits;
	out->trusted = c->trusted;
	out->ttl_ms = ttl_now(c);
	pthread_mutex_unlock(&c->lock);
}
