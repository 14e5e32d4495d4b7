/* listen.h - a thread that follows a PostgreSQL NOTIFY channel */
#ifndef LMS_DB_LISTEN_H
#define LMS_DB_LISTEN_H

#include <stdbool.h>

struct db_listener;

/*
 * Called on the listener's thread: with connected true for each
 * notification and after each (re)connection (changes may have been missed
 * while away), with connected false when the connection is lost.
 */
typedef void (*db_listen_fn)(void *arg, bool connected);

/*
 * Starts a thread that LISTENs on channel over a connection of its own to
 * conninfo (copied), reconnecting every second while the database is away.
 * Returns NULL on ENOMEM or when the thread cannot start.
 */
struct db_listener *db_listener_start(const char *conninfo, const char *channel, db_listen_fn fn,
				      void *arg);

/* Stops the thread and frees l; accepts NULL. */
void db_listener_stop(struct db_listener *l);

#endif
