/* pool.h - a bounded pool of PostgreSQL connections shared by worker threads */
#ifndef LMS_DB_POOL_H
#define LMS_DB_POOL_H

#include "lms/db/sql.h"

struct db_pool;

struct db_pool_stats {
	int size;     /* configured connections */
	int in_use;   /* handed out now */
	long long timeouts; /* acquisitions that gave up waiting */
	long long waits;    /* acquisitions that found every connection in use */
	double wait_seconds; /* time they spent waiting, in all */
	enum db_role role;  /* of the database, as the last connection opened found it */
};

/* Creates a pool of up to size connections to conninfo (copied), opened
 * lazily. Returns NULL when out of memory. */
struct db_pool *db_pool_new(const char *conninfo, int size, int wait_ms);

/* Whether the connections p opens from now on keep their statements
 * prepared (struct db_conn's prepare); off by default. Set before use. */
void db_pool_set_prepare(struct db_pool *p, bool on);

/* Closes every connection and frees p; all connections must be released.
 * Accepts NULL. */
void db_pool_free(struct db_pool *p);

/*
 * Hands out a connection that is connected and outside any transaction,
 * waiting at most wait_ms for one to free. Returns 0 with *out set, or
 * LMS_EUNAVAILABLE (*out NULL) when none freed in time or the database
 * cannot be reached; the message is in errmsg.
 */
int db_pool_acquire(struct db_pool *p, struct db_conn **out, char *errmsg, size_t errlen);

/* Gives c back; a transaction left open or failed is rolled back and a
 * query still running is cancelled first. Accepts NULL. */
void db_pool_release(struct db_pool *p, struct db_conn *c);

/* Current counters, for /metrics. */
void db_pool_stats_get(struct db_pool *p, struct db_pool_stats *out);

#endif
