/* topology.c - integration tests: PgBouncer and a streaming replica beside the scratch cluster */
#include "topology.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define OWNER "postgres"

static const char *pg_bindir(void)
{
	const char *s = getenv("LMS_PG_BINDIR");

	return s && *s ? s : LMS_PG_BINDIR_DEFAULT;
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* In a child: drops root for the cluster's owner, as pgscratch's cluster
 * runs. Not root: stays who it is, the owner already. */
static void become_owner(void)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return;
	if (!(pw = getpwnam(OWNER)) || setgid(pw->pw_gid) != 0 ||
	    initgroups(OWNER, pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		fprintf(stderr, "topology: cannot become %s: %s\n", OWNER, strerror(errno));
		_exit(127);
	}
}

/* A private directory under /tmp the owner may use; false on failure. */
static bool dir_make(char *dir, size_t len)
{
	struct passwd *pw;

	snprintf(dir, len, "/tmp/lms-test-XXXXXX");
	if (!mkdtemp(dir))
		return false;
	if (geteuid() == 0 && (!(pw = getpwnam(OWNER)) || chown(dir, pw->pw_uid, pw->pw_gid) != 0))
		return false;
	return true;
}

static int dir_remove(const char *dir)
{
	char cmd[128];

	/* Only what dir_make made. */
	if (strncmp(dir, "/tmp/lms-test-", 14) != 0)
		return dir[0] ? -1 : 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int proc_start(struct topo_proc *p, const char *const *argv)
{
	if ((p->pid = fork()) == 0) {
		int fd = open(p->log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd < 0)
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		become_owner();
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "topology: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return p->pid > 0 ? 0 : -1;
}

/* Waits at most timeout_ms for p to exit, then kills it; its status, or -1. */
static int proc_wait(struct topo_proc *p, int timeout_ms)
{
	int status = 0;

	for (int waited = 0; p->pid > 0; waited += 20) {
		pid_t w = waitpid(p->pid, &status, WNOHANG);

		if (w == p->pid) {
			p->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		if (w < 0 || waited >= timeout_ms) {
			fprintf(stderr, "topology: pid %d did not stop in %d ms\n", (int)p->pid,
				timeout_ms);
			kill(p->pid, SIGKILL);
			waitpid(p->pid, NULL, 0);
			p->pid = 0;
			return -1;
		}
		pause_ms(20);
	}
	return -1;
}

static void log_dump(const struct topo_proc *p)
{
	FILE *f = fopen(p->log_path, "r");
	char line[1024];

	fprintf(stderr, "---- %s ----\n", p->log_path);
	while (f && fgets(line, sizeof(line), f))
		fputs(line, stderr);
	if (f)
		fclose(f);
}

/* Runs argv to its end (at most 120 s) as the owner; its exit status. */
static int run_as_owner(const char *const *argv, const char *log_path)
{
	struct topo_proc p = {0};
	int rc;

	snprintf(p.log_path, sizeof(p.log_path), "%s", log_path);
	if (proc_start(&p, argv) < 0)
		return -1;
	if ((rc = proc_wait(&p, 120000)) != 0)
		log_dump(&p);
	return rc;
}

/* The socket directory, port and database of a scratch conninfo. */
static bool conninfo_split(const char *conninfo, char *host, char *port, char *db, size_t len)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL), *o;

	if (!opts)
		return false;
	host[0] = port[0] = db[0] = '\0';
	for (o = opts; o->keyword; o++) {
		char *dst = !strcmp(o->keyword, "host")	    ? host
			    : !strcmp(o->keyword, "port")   ? port
			    : !strcmp(o->keyword, "dbname") ? db
							    : NULL;
		if (dst && o->val)
			snprintf(dst, len, "%s", o->val);
	}
	PQconninfoFree(opts);
	if (!port[0])
		snprintf(port, len, "5432");
	return host[0] && db[0];
}

/* Waits at most timeout_ms until conninfo accepts connections. */
static int wait_ping(const char *conninfo, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 50) {
		if (PQping(conninfo) == PQPING_OK)
			return 0;
		pause_ms(50);
	}
	return -1;
}

static int write_text(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		return -1;
	rc = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) == 0 ? rc : -1;
}

static int pgbouncer_config(struct topo_pgbouncer *b, const char *host, const char *port)
{
	char ini[2048];

	snprintf(ini, sizeof(ini),
		 "[databases]\n"
		 "* = host=%s port=%s\n"
		 "[pgbouncer]\n"
		 "listen_addr = 127.0.0.1\n"
		 "listen_port = %d\n"
		 "unix_socket_dir =\n"
		 "auth_type = trust\n"
		 "auth_file = %s/users.txt\n"
		 "pool_mode = transaction\n"
		 "max_client_conn = 400\n"
		 "default_pool_size = 10\n"
		 "server_check_delay = 0\n",
		 host, port, b->port, b->dir);
	return write_text(b->dir, "pgbouncer.ini", ini) == 0 &&
			       write_text(b->dir, "users.txt",
					  "\"postgres\" \"\"\n\"lms_app\" \"\"\n\"lms_owner\" \"\"\n") == 0
		       ? 0
		       : -1;
}

int topo_pgbouncer_start(struct topo_pgbouncer *b, const char *conninfo)
{
	char host[256], port[16], db[128], ini[PATH_MAX], probe[512];
	const char *argv[] = {"/usr/sbin/pgbouncer", ini, NULL};

	memset(b, 0, sizeof(*b));
	if (!conninfo_split(conninfo, host, port, db, sizeof(host)) ||
	    !dir_make(b->dir, sizeof(b->dir)) || (b->port = harness_free_port()) < 0 ||
	    pgbouncer_config(b, host, port) < 0) {
		fprintf(stderr, "topology: cannot prepare pgbouncer\n");
		return -1;
	}
	snprintf(ini, sizeof(ini), "%s/pgbouncer.ini", b->dir);
	snprintf(b->proc.log_path, sizeof(b->proc.log_path), "%s/pgbouncer.log", b->dir);
	if (proc_start(&b->proc, argv) < 0)
		return -1;
	topo_pgbouncer_conninfo(b, db, "postgres", probe, sizeof(probe));
	if (wait_ping(probe, 30000) < 0) {
		fprintf(stderr, "topology: pgbouncer did not answer within 30 s\n");
		log_dump(&b->proc);
		return -1;
	}
	return 0;
}

void topo_pgbouncer_conninfo(const struct topo_pgbouncer *b, const char *dbname,
			     const char *user, char *out, size_t len)
{
	snprintf(out, len, "host=127.0.0.1 port=%d dbname=%s user=%s connect_timeout=5", b->port,
		 dbname, user);
}

int topo_pgbouncer_stop(struct topo_pgbouncer *b)
{
	int rc = 0;

	/* SIGTERM: immediate shutdown, whoever is still connected. */
	if (b->proc.pid > 0 && (kill(b->proc.pid, SIGTERM) != 0 || proc_wait(&b->proc, 30000) < 0))
		rc = -1;
	return dir_remove(b->dir) < 0 ? -1 : rc;
}

int topo_replica_start(struct topo_replica *r, const char *conninfo)
{
	char host[256], port[16], db[128], pgdata[PATH_MAX], tool[PATH_MAX], server[PATH_MAX],
		sock[128], probe[512];
	const char *backup[] = {tool, "-d", conninfo, "-D", pgdata, "-R", "-X", "stream",
				"-c", "fast", NULL};
	const char *argv[] = {server, "-D", pgdata, "-c", "port=5432", "-c", sock, "-c",
			      "listen_addresses=", "-c", "hot_standby=on", NULL};

	memset(r, 0, sizeof(*r));
	if (!conninfo_split(conninfo, host, port, db, sizeof(host)) ||
	    !dir_make(r->dir, sizeof(r->dir)))
		return -1;
	snprintf(pgdata, sizeof(pgdata), "%s/pgdata", r->dir);
	snprintf(tool, sizeof(tool), "%s/pg_basebackup", pg_bindir());
	snprintf(server, sizeof(server), "%s/postgres", pg_bindir());
	snprintf(sock, sizeof(sock), "unix_socket_directories=%s", r->dir);
	snprintf(r->proc.log_path, sizeof(r->proc.log_path), "%s/postgres.log", r->dir);
	if (run_as_owner(backup, r->proc.log_path) != 0) {
		fprintf(stderr, "topology: pg_basebackup failed\n");
		return -1;
	}
	if (proc_start(&r->proc, argv) < 0)
		return -1;
	topo_replica_conninfo(r, db, "postgres", probe, sizeof(probe));
	if (wait_ping(probe, 60000) < 0 ||
	    harness_sql(probe, "DO $$ BEGIN IF NOT pg_is_in_recovery() THEN RAISE 'primary';"
			       " END IF; END $$") != 0) {
		fprintf(stderr, "topology: the replica did not start in recovery within 60 s\n");
		log_dump(&r->proc);
		return -1;
	}
	return 0;
}

void topo_replica_conninfo(const struct topo_replica *r, const char *dbname, const char *user,
			   char *out, size_t len)
{
	snprintf(out, len, "host=%s port=5432 dbname=%s user=%s connect_timeout=5", r->dir, dbname,
		 user);
}

int topo_replica_catch_up(const struct topo_replica *r, const char *conninfo, int timeout_ms)
{
	char lsn[64], sql[160], replica[512], host[256], port[16], db[128];

	if (!conninfo_split(conninfo, host, port, db, sizeof(host)) ||
	    harness_sql_value(conninfo, "SELECT pg_current_wal_lsn()", lsn, sizeof(lsn)) != 0)
		return -1;
	topo_replica_conninfo(r, db, "postgres", replica, sizeof(replica));
	snprintf(sql, sizeof(sql), "SELECT 1 WHERE pg_last_wal_replay_lsn() >= '%s'::pg_lsn", lsn);
	for (int waited = 0; waited < timeout_ms; waited += 50) {
		if (harness_sql_ll(replica, sql) == 1)
			return 0;
		pause_ms(50);
	}
	return -1;
}

int topo_replica_stop(struct topo_replica *r)
{
	int rc = 0;

	/* SIGINT: PostgreSQL's fast shutdown. */
	if (r->proc.pid > 0 && (kill(r->proc.pid, SIGINT) != 0 || proc_wait(&r->proc, 60000) < 0))
		rc = -1;
	return dir_remove(r->dir) < 0 ? -1 : rc;
}
