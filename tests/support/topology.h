/* topology.h - integration tests: PgBouncer and a streaming replica beside the scratch cluster */
#ifndef LMS_TEST_TOPOLOGY_H
#define LMS_TEST_TOPOLOGY_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/* A server process started as the scratch cluster's owner (postgres when
 * the tests run as root: neither PostgreSQL nor PgBouncer runs as root). */
struct topo_proc {
	pid_t pid;
	char log_path[PATH_MAX]; /* its stdout and stderr */
};

/* PgBouncer in transaction pooling on 127.0.0.1, in front of the cluster. */
struct topo_pgbouncer {
	struct topo_proc proc;
	char dir[64]; /* its config, user list and log */
	int port;
};

/* A hot standby made with pg_basebackup -R, streaming from the cluster. */
struct topo_replica {
	struct topo_proc proc;
	char dir[64]; /* pgdata/ and the socket */
};

/*
 * Starts PgBouncer (pool_mode transaction, trust, a config of the test's
 * own) in front of the cluster that conninfo (any scratch database)
 * reaches, and waits at most 30 s until it answers for that database.
 * Returns 0 or -1 after printing why. Stop it with topo_pgbouncer_stop.
 */
int topo_pgbouncer_start(struct topo_pgbouncer *b, const char *conninfo);

/* A conninfo for dbname as user through b, into out. */
void topo_pgbouncer_conninfo(const struct topo_pgbouncer *b, const char *dbname,
			     const char *user, char *out, size_t len);

/* Stops b (bounded) and removes its directory; 0 or -1. Accepts a zeroed b. */
int topo_pgbouncer_stop(struct topo_pgbouncer *b);

/*
 * Copies the cluster of conninfo with pg_basebackup -R (streaming WAL) and
 * starts the copy as a hot standby on a socket of its own; waits at most
 * 60 s until it answers in recovery. Returns 0 or -1 after printing why.
 */
int topo_replica_start(struct topo_replica *r, const char *conninfo);

/* A conninfo for dbname as user on the replica, into out. */
void topo_replica_conninfo(const struct topo_replica *r, const char *dbname, const char *user,
			   char *out, size_t len);

/* Waits at most timeout_ms until the replica has replayed all WAL the
 * primary of conninfo has written by now; 0, or -1 when it has not. */
int topo_replica_catch_up(const struct topo_replica *r, const char *conninfo, int timeout_ms);

/* Stops r (bounded) and removes its directory; 0 or -1. Accepts a zeroed r. */
int topo_replica_stop(struct topo_replica *r);

#endif
