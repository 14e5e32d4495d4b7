/* listen.c - a thread that follows a PostgreSQL NOTIFY channel and proves it hears */
#include "lms/db/listen.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/rand.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lms/core/log.h"
#include "lms/db/sql.h"

struct db_listener {
	pthread_t thread;
	pthread_mutex_t lock;   /* guards the fields under it */
	char *conninfo;         /* LISTEN */
	char *notify_conninfo;  /* heartbeats are sent through this one */
	char *channel;
	char beat_channel[64];  /* this listener's own: <channel>_hb_<random hex> */
	int heartbeat_ms;
	db_listen_fn fn;
	void *arg;
	int wake[2];            /* a byte written here stops the thread */
	bool up;
	enum db_role role;      /* of the LISTEN connection's database */
	long long last_beat_ms; /* monotonic; 0: never heard */
	long long lost;         /* times it stopped receiving */
};

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits up to ms for the connection (fd >= 0) or the stop pipe; true when
 * asked to stop. */
static bool wait_or_stop(struct db_listener *l, int fd, int ms)
{
	struct pollfd p[2] = {{l->wake[0], POLLIN, 0}, {fd, POLLIN, 0}};

	while (poll(p, fd >= 0 ? 2 : 1, ms) < 0 && errno == EINTR)
		;
	return p[0].revents != 0;
}

static bool listen_to(struct db_conn *c, const char *channel)
{
	char *ident = PQescapeIdentifier(c->pg, channel, strlen(channel)), *sql = NULL;
	bool ok = false;

	if (ident && asprintf(&sql, "LISTEN %s", ident) >= 0) {
		ok = db_exec(c, NULL, sql, 0, NULL) == 0;
		free(sql);
	}
	PQfreemem(ident);
	return ok;
}

/* Connects and LISTENs to both channels; false when that failed. */
static bool subscribe(struct db_listener *l, struct db_conn *c)
{
	enum db_role role = DB_ROLE_UNKNOWN;
	bool ok = db_conn_open(c, l->conninfo) == 0 && db_role_read(c, &role) == 0 &&
		  listen_to(c, l->channel) && listen_to(c, l->beat_channel);

	pthread_mutex_lock(&l->lock);
	l->role = role;
	pthread_mutex_unlock(&l->lock);

	if (!ok && c->errmsg[0])
		log_warn("listen %s: %s", l->channel, c->errmsg);
	return ok;
}

/* Records whether the listener receives, telling the follower when that
 * changed, and (tell) of a catalogue change whatever the state. */
static void state_set(struct db_listener *l, bool up, bool tell)
{
	bool was;

	pthread_mutex_lock(&l->lock);
	was = l->up;
	l->up = up;
	if (!up && was)
		l->lost++;
	pthread_mutex_unlock(&l->lock);
	/* Why it stopped is logged where that is known. */
	if (!was && up)
		log_info("listen %s: receiving notifications", l->channel);
	if (tell || was != up)
		l->fn(l->arg, up);
}

/* Sends a heartbeat the way a change would come: through the pool's URL,
 * to our own channel. A failure is just a beat that will not be heard. */
static void beat_send(struct db_listener *l, struct db_conn *notify)
{
	if (!notify->pg && db_conn_open(notify, l->notify_conninfo) < 0) {
		db_conn_close(notify);
		return;
	}
	if (db_execp(notify, NULL, "SELECT pg_notify($1, 'heartbeat')", l->beat_channel) < 0) {
		log_debug("listen %s: heartbeat not sent: %s", l->channel, notify->errmsg);
		db_conn_close(notify);
		return;
	}
	/* Behind a transaction pooler the sender may be handed what others
	 * LISTENed for: drop it, or it piles up in libpq. */
	for (PGnotify *n; (n = PQnotifies(notify->pg));)
		PQfreemem(n);
}

/* Takes what arrived: true when it held a catalogue change. */
static bool drain(struct db_listener *l, struct db_conn *c)
{
	PGnotify *n;
	bool change = false;
	int guard = 0;

	while (guard++ < 100000 && (n = PQnotifies(c->pg))) {
		if (!strcmp(n->relname, l->beat_channel)) {
			pthread_mutex_lock(&l->lock);
			l->last_beat_ms = now_ms();
			pthread_mutex_unlock(&l->lock);
		} else {
			change = true;
		}
		PQfreemem(n);
	}
	return change;
}

/* When a heartbeat last came back (monotonic ms; 0: never). */
static long long last_beat(struct db_listener *l)
{
	long long last;

	pthread_mutex_lock(&l->lock);
	last = l->last_beat_ms;
	pthread_mutex_unlock(&l->lock);
	return last;
}

/* Follows a subscribed connection until asked to stop (true), or false
 * when it broke or stayed silent so long that a new one may do better (a
 * peer that vanished without a word leaves a socket that never wakes).
 * Receiving: a heartbeat came back within two periods and a second. */
static bool follow(struct db_listener *l, struct db_conn *c, struct db_conn *notify)
{
	long long since = now_ms(), next_beat = 0, heard = 2LL * l->heartbeat_ms + 1000;
	bool warned = false;

	for (;;) {
		long long now = now_ms(), last, silent;
		bool change;

		if (now >= next_beat) {
			beat_send(l, notify);
			next_beat = now + l->heartbeat_ms;
		}
		if (wait_or_stop(l, PQsocket(c->pg), (int)(next_beat - now)))
			return true;
		if (!PQconsumeInput(c->pg)) {
			log_warn("listen %s: connection lost: %s; not receiving notifications",
				 l->channel, PQerrorMessage(c->pg));
			return false;
		}
		change = drain(l, c);
		last = last_beat(l);
		silent = now_ms() - (last > since ? last : since);
		/* Heard on this connection, lately: trusted; and a change (or the
		 * way back) drops the cache. */
		state_set(l, last >= since && silent <= heard, change);
		if (silent > heard && !warned)
			log_warn("listen %s: no heartbeat heard for %lld ms: not receiving "
				 "notifications (is listen_database_url a transaction-pooling "
				 "PgBouncer?); catalogue lists are kept briefly until it is",
				 l->channel, silent);
		warned = silent > heard;
		if (silent > 4 * heard) {
			log_warn("listen %s: no heartbeat for %lld ms: connecting again", l->channel,
				 silent);
			return false;
		}
	}
}

static void *run(void *arg)
{
	struct db_listener *l = arg;
	struct db_conn c = {0}, notify = {0};
	bool stop = false;

	while (!stop) {
		if (!subscribe(l, &c)) {
			db_conn_close(&c);
			state_set(l, false, false);
			stop = wait_or_stop(l, -1, 1000);
			continue;
		}
		/* Trusted once the first heartbeat comes back: whatever changed
		 * while away is unknown until then. */
		if (!(stop = follow(l, &c, &notify)))
			state_set(l, false, false);
		db_conn_close(&c);
	}
	db_conn_close(&notify);
	return NULL;
}

static bool names_make(struct db_listener *l, const char *conninfo, const char *notify_conninfo,
		       const char *channel)
{
	unsigned char r[8];

	if (strlen(channel) > 32 || RAND_bytes(r, sizeof(r)) != 1)
		return false;
	snprintf(l->beat_channel, sizeof(l->beat_channel), "%s_hb_%02x%02x%02x%02x%02x%02x%02x%02x",
		 channel, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	l->conninfo = strdup(conninfo);
	l->notify_conninfo = strdup(notify_conninfo);
	l->channel = strdup(channel);
	return l->conninfo && l->notify_conninfo && l->channel;
}

static void listener_free(struct db_listener *l)
{
	if (l->wake[0] >= 0) {
		close(l->wake[0]);
		close(l->wake[1]);
	}
	pthread_mutex_destroy(&l->lock);
	free(l->conninfo);
	free(l->notify_conninfo);
	free(l->channel);
	free(l);
}

struct db_listener *db_listener_start(const struct db_listener_opts *o)
{
	struct db_listener *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	pthread_mutex_init(&l->lock, NULL);
	l->wake[0] = l->wake[1] = -1;
	l->fn = o->fn;
	l->arg = o->arg;
	l->heartbeat_ms = o->heartbeat_ms > 0 ? o->heartbeat_ms : 5000;
	if (!names_make(l, o->conninfo, o->notify_conninfo, o->channel) || pipe(l->wake) != 0 ||
	    pthread_create(&l->thread, NULL, run, l) != 0) {
		listener_free(l);
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
	listener_free(l);
}

void db_listener_stats_get(struct db_listener *l, struct db_listener_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->last_heartbeat_s = -1;
	if (!l)
		return;
	pthread_mutex_lock(&l->lock);
	out->up = l->up;
	out->lost = l->lost;
	out->role = l->role;
	if (l->last_beat_ms)
		out->last_heartbeat_s = (double)(now_ms() - l->last_beat_ms) / 1000.0;
	pthread_mutex_unlock(&l->lock);
}
