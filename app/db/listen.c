/* listen.c - a thread that follows a PostgreSQL NOTIFY channel */
#include "lms/db/listen.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lms/core/log.h"
#include "lms/db/sql.h"

struct db_listener {
	pthread_t thread;
	char *conninfo;
	char *channel;
	db_listen_fn fn;
	void *arg;
	int wake[2];  /* a byte written here stops the thread */
};

/* Waits up to ms for the connection (fd >= 0) or the stop pipe; true when
 * asked to stop. */
static bool wait_or_stop(struct db_listener *l, int fd, int ms)
{
	struct pollfd p[2] = {{l->wake[0], POLLIN, 0}, {fd, POLLIN, 0}};

	while (poll(p, fd >= 0 ? 2 : 1, ms) < 0 && errno == EINTR)
		;
	return p[0].revents != 0;
}

/* Connects and LISTENs; false when that failed. */
static bool subscribe(struct db_listener *l, struct db_conn *c)
{
	char *ident = NULL, *sql = NULL;
	bool ok = false;

	if (db_conn_open(c, l->conninfo) < 0)
		goto out;
	if (!(ident = PQescapeIdentifier(c->pg, l->channel, strlen(l->channel))) ||
	    asprintf(&sql, "LISTEN %s", ident) < 0) {
		sql = NULL;
		goto out;
	}
	ok = db_exec(c, NULL, sql, 0, NULL) == 0;
out:
	if (!ok && c->errmsg[0])
		log_warn("listen %s: %s", l->channel, c->errmsg);
	PQfreemem(ident);
	free(sql);
	return ok;
}

static void *run(void *arg)
{
	struct db_listener *l = arg;
	struct db_conn c = {0};
	bool stop = false;

	while (!stop) {
		if (!subscribe(l, &c)) {
			db_conn_close(&c);
			l->fn(l->arg, false);
			stop = wait_or_stop(l, -1, 1000);
			continue;
		}
		/* Whatever changed while we were away is unknown: say so. */
		l->fn(l->arg, true);
		while (!(stop = wait_or_stop(l, PQsocket(c.pg), -1))) {
			PGnotify *n;
			bool any = false;

			if (!PQconsumeInput(c.pg))
				break;
			while ((n = PQnotifies(c.pg))) {
				any = true;
				PQfreemem(n);
			}
			if (any)
				l->fn(l->arg, true);
		}
		if (!stop) {
			log_warn("listen %s: connection lost: %s", l->channel,
				 PQerrorMessage(c.pg));
			l->fn(l->arg, false);
		}
		db_conn_close(&c);
	}
	db_conn_close(&c);
	return NULL;
}

struct db_listener *db_listener_start(const char *conninfo, const char *channel, db_listen_fn fn,
				      void *arg)
{
	struct db_listener *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->wake[0] = l->wake[1] = -1;
	l->fn = fn;
	l->arg = arg;
	if (!(l->conninfo = strdup(conninfo)) || !(l->channel = strdup(channel)) ||
	    pipe(l->wake) != 0 || pthread_create(&l->thread, NULL, run, l) != 0) {
		if (l->wake[0] >= 0) {
			close(l->wake[0]);
			close(l->wake[1]);
		}
		free(l->conninfo);
		free(l->channel);
		free(l);
		return NULL;
	}
	return l;
}

void db_listener_stop(struct db_listener *l)
{
	if (!l)
		return;
	if (write(l->wake[1], "x", 1) != 1)
		log_warn("listen %s: cannot wake the listener", l->channel);
	pthread_join(l->thread, NULL);
	close(l->wake[0]);
	close(l->wake[1]);
	free(l->conninfo);
	free(l->channel);
	free(l);
}
