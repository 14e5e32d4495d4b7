/* embedded.h - a private PostgreSQL cluster started and stopped by lms */
#ifndef LMS_DB_EMBEDDED_H
#define LMS_DB_EMBEDDED_H

#include <stdbool.h>
#include <stddef.h>

struct db_embedded;

struct db_embedded_opts {
	const char *pgdata;     /* cluster directory, created by initdb on first use */
	const char *pg_bindir;  /* directory of initdb, pg_ctl, postgres */
	const char *dbname;     /* database created when missing, e.g. "lms" */
	bool fast;              /* scratch clusters: fsync off, for tests */
	bool keep_running;      /* db_embedded_stop only frees: the test fixture
				 * starts a cluster that outlives its process */
};

/*
 * Initialises the cluster at opts->pgdata when it does not exist yet, and
 * starts it listening only on a Unix socket in a private directory, unless it
 * is already running (then it is used as it is and left running by
 * db_embedded_stop). As root, initdb and postgres run as the "postgres" user,
 * which then owns pgdata; every directory above pgdata must be searchable by
 * it.
 *
 * Creates the role "lms_owner" (LOGIN NOSUPERUSER NOCREATEDB CREATEROLE) when
 * missing, and opts->dbname (it must match [a-z_][a-z0-9_]{0,62}) owned by
 * lms_owner when missing. A database that already exists keeps its owner
 * (one created by an older lms belongs to "postgres"). Another process
 * creating either at the same time is not an error.
 *
 * Files beside pgdata: <parent>/<name>.log (initdb and pg_ctl output, server
 * log) and <parent>/pgsock (the socket directory, mode 0700), or
 * /tmp/lms-pg-<hash> when that socket path would not fit in sun_path.
 * Runs initdb and pg_ctl as child processes (fork + execv) and waits for
 * each, so SIGCHLD must not be ignored and nothing else may reap them.
 *
 * On success *out is a new handle (free with db_embedded_stop). On failure
 * returns a negative lms_err and writes a message into err; a server this
 * call started is stopped again.
 */
int db_embedded_start(const struct db_embedded_opts *opts, struct db_embedded **out, char *err,
		      size_t errlen);

/* Conninfo string for the database of e as the role that owns it (borrowed,
 * valid until stop): "host=<socket dir> port=5432 user=<owner> dbname=<dbname>",
 * the owner as found in the catalog at start: lms_owner for a database created
 * by this version, which is not a superuser but may create roles and the
 * trusted extensions (pg_trgm, btree_gist) in its database. Migrations run
 * with this. */
const char *db_embedded_conninfo(const struct db_embedded *e);

/* Conninfo string for the database of e as the bootstrap superuser (borrowed,
 * valid until stop): "host=<socket dir> port=5432 user=postgres dbname=<dbname>".
 * For tooling that creates and drops databases (the test fixture), never for
 * the server. */
const char *db_embedded_superuser_conninfo(const struct db_embedded *e);

/* Stops the cluster if this handle started it and keep_running was false
 * ("fast" shutdown, waiting up to 60 s for it to finish), then frees e.
 * Failures are logged. Accepts NULL. */
void db_embedded_stop(struct db_embedded *e);

/* Stops a cluster at pgdata whoever started it; returns 0 when it is not
 * running afterwards. Used by the test fixture. */
int db_embedded_stop_dir(const char *pgdata, const char *pg_bindir, char *err, size_t errlen);

#endif
