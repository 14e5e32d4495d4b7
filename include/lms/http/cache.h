/* cache.h - response bodies kept in memory until the data behind them changes */
#ifndef LMS_HTTP_CACHE_H
#define LMS_HTTP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_cache;

/* A cache of at most max_bytes of bodies, none over max_entry bytes, each
 * kept at most ttl_ms (for what changes with time alone, such as enrolment
 * windows opening and closing) while changes are heard of, and at most
 * fallback_ttl_ms (0: not at all) while they may not be; NULL on ENOMEM.
 * Starts untrusted, until http_cache_trust. */
struct http_cache *http_cache_new(size_t max_bytes, size_t max_entry, int ttl_ms,
				  int fallback_ttl_ms);

/* What /metrics shows of a cache. */
struct http_cache_stats {
	unsigned long long hits, misses; /* lookups answered from memory, or not */
	unsigned long long fills;        /* misses that made the body for the others (flights) */
	unsigned long long waits;        /* lookups that waited for another's fill */
	bool trusted;                    /* changes are heard of */
	int ttl_ms;                      /* what a body put now is kept */
};

/* Frees c; accepts NULL. */
void http_cache_free(struct http_cache *c);

/* The current generation: take it before reading the data a body is made
 * of, and give it to http_cache_put. */
uint64_t http_cache_generation(struct http_cache *c);

/* A copy of the fresh body for key into *body (malloc'd, NUL-terminated)
 * and *len; false when there is none or the cache is disabled or NULL. */
bool http_cache_get(struct http_cache *c, const char *key, char **body, size_t *len);

/* What http_cache_lookup found. */
enum http_cache_found {
	HTTP_CACHE_HIT,  /* *body (malloc'd, NUL-terminated) and *len hold a copy */
	HTTP_CACHE_FILL, /* nobody is making it: make it, http_cache_put it, and call
			  * http_cache_fill_end however that went */
	HTTP_CACHE_MISS, /* make it alone (the cache keeps nothing now, too many
			  * fills are in flight, or the wait for one ran out) */
};

/* As http_cache_get, but a miss on a key that another caller is already
 * making (an HTTP_CACHE_FILL not yet ended) waits for that fill, at most
 * the flight wait from the first wait on, and answers from what it put:
 * one of many simultaneous misses of a key runs the query. When the fill
 * ends without a body (its maker failed, or the data changed meanwhile),
 * the next waiter to wake makes it, and the others wait for that one.
 * A NULL c is a MISS. */
enum http_cache_found http_cache_lookup(struct http_cache *c, const char *key, char **body,
					size_t *len);

/* Ends the fill of key that http_cache_lookup gave this caller (with
 * HTTP_CACHE_FILL), put or not, and wakes those waiting for it. */
void http_cache_fill_end(struct http_cache *c, const char *key);

/* How long a lookup waits for another's fill at most (default 10 s); 0
 * turns the waiting off (every miss makes its own). */
void http_cache_set_fill_wait(struct http_cache *c, int wait_ms);

/* Keeps body (copied) for key, unless the data changed since generation was
 * taken, the body is too large or the cache is full or NULL. */
void http_cache_put(struct http_cache *c, const char *key, const char *body, size_t len,
		    uint64_t generation);

/* The data changed: everything kept so far is stale. */
void http_cache_invalidate(struct http_cache *c);

/* Changes are heard of (trusted: bodies are kept ttl_ms) or may go
 * unnoticed (the change feed is down: fallback_ttl_ms). Either way
 * invalidates. */
void http_cache_trust(struct http_cache *c, bool trusted);

/* Counters and state now; a NULL c reads as all zero. */
void http_cache_stats_get(struct http_cache *c, struct http_cache_stats *out);

#endif
