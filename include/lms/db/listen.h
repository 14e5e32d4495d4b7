/* listen.h - a thread that follows a PostgreSQL NOTIFY channel and proves it hears */
#ifndef LMS_DB_LISTEN_H
#define LMS_DB_LISTEN_H

#include <stdbool.h>

#include "lms/db/sql.h"

struct db_listener;

/*
 * Called on the listener's thread: with receiving true for each change
 * notified on the channel and when the listener starts receiving (again:
 * changes may have been missed meanwhile); with receiving false when it
 * stops (connection lost, or its heartbeats no longer come back).
 */
typedef void (*db_listen_fn)(void *arg, bool receiving);

struct db_listener_opts {
	const char *conninfo;        /* the LISTEN session: PostgreSQL itself, not a
				      * transaction-pooling PgBouncer (copied) */
	const char *notify_conninfo; /* heartbeats are sent through it (copied) */
	const char *channel;         /* at most 32 bytes (copied) */
	int heartbeat_ms;            /* how often to send one; <= 0: 5000 */
	db_listen_fn fn;
	void *arg;                   /* fn's (borrowed) */
};

/* What /metrics shows of a listener. */
struct db_listener_stats {
	bool up;                 /* receiving: the last heartbeat came back in time */
	double last_heartbeat_s; /* seconds since one came back; -1: none yet */
	long long lost;          /* times it stopped receiving */
	enum db_role role;       /* of the database it LISTENs on */
};

/*
 * Starts a thread that LISTENs on o->channel over a connection of its own,
 * reconnecting every second while the database is away. Every heartbeat_ms
 * it NOTIFYs a channel of its own through notify_conninfo and expects to
 * hear it back within two periods and a second: a LISTEN behind a
 * transaction-pooling PgBouncer is accepted but hears nothing, and this is
 * how that shows. Returns NULL on ENOMEM, a channel name too long, or when
 * the thread cannot start.
 */
struct db_listener *db_listener_start(const struct db_listener_opts *o);

/* Stops the thread and frees l; accepts NULL. */
void db_listener_stop(struct db_listener *l);

/* The listener's state now; a NULL l reads as down, never heard. */
void db_listener_stats_get(struct db_listener *l, struct db_listener_stats *out);

#endif
