/* embedded.c - a private PostgreSQL cluster: initdb, pg_ctl start/stop, database creation */
#include "lms/db/embedded.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <limits.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lms/core/err.h"
#include "lms/core/log.h"

#define PG_PORT "5432"
#define SOCK_FILE "/.s.PGSQL." PG_PORT
#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* owns the databases lms creates and runs their migrations */
#define OWNER_ROLE "lms_owner"

/* pg_ctl status exit codes */
#define PGCTL_RUNNING 0
#define PGCTL_STOPPED 3
#define PGCTL_NODIR 4

/* pg_ctl bounds start and stop itself (-t); ours only guard against a hang. */
#define PGCTL_WAIT_S "60"
#define PGCTL_TIMEOUT_MS 90000
#define STATUS_TIMEOUT_MS 15000
#define INITDB_TIMEOUT_MS 300000
#define READY_TIMEOUT_MS 60000
#define LOCK_TIMEOUT_MS 180000

/* Whom the children run as. PostgreSQL refuses to run as root, so as root
 * they switch to the "postgres" user; the groups are looked up here because
 * initgroups() is not async-signal-safe and the child of a threaded process
 * may call only such functions. */
struct runas {
	bool drop;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	int ngroups;
};

/* Every path derived from pgdata, all absolute. */
struct paths {
	char *parent;
	char *pgdata;
	char *sockdir;
	char *logpath;
	bool sock_in_tmp;
};

struct db_embedded {
	struct runas ra;
	struct paths p;
	char *bindir;
	char *conninfo;     /* as the owner of the database */
	char *su_conninfo;  /* as the bootstrap superuser */
	bool started;       /* this handle started the server */
	bool keep_running;
};

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static char *str_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000L + (now.tv_nsec - start->tv_nsec) / 1000000L;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static bool dbname_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* pg_ctl pastes -D and -l into a /bin/sh command line inside double quotes,
 * so these characters would be interpreted by the shell. */
static bool path_shell_safe(const char *s)
{
	for (; *s; s++)
		if (strchr("\"$`\\", *s) || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* The socket directory also goes into postgresql.conf, the -o option (again
 * through the shell) and conninfo strings; a plain path needs no quoting in
 * any of them. */
static bool path_plain(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("/._+-", *s)))
			return false;
	return true;
}

/* FNV-1a: a stable name for the fallback socket directory of one pgdata. */
static uint64_t hash64(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static void runas_release(struct runas *ra)
{
	free(ra->groups);
	memset(ra, 0, sizeof(*ra));
}

static int runas_init(struct runas *ra, char *err, size_t errlen)
{
	struct passwd pw, *found = NULL;
	char buf[16384];
	int n = 16, got, e;

	memset(ra, 0, sizeof(*ra));
	if (geteuid() != 0) {
		ra->uid = geteuid();
		ra->gid = getegid();
		return 0;
	}
	e = getpwnam_r("postgres", &pw, buf, sizeof(buf), &found);
	if (e != 0 || !found)
		return fail(err, errlen, LMS_ENOTFOUND,
			    "postgresql cannot run as root and there is no postgres user: "
			    "create one or run lms as another user");
	if (pw.pw_uid == 0)
		return fail(err, errlen, LMS_EINVAL, "postgres user has uid 0");
	ra->drop = true;
	ra->uid = pw.pw_uid;
	ra->gid = pw.pw_gid;
	for (;;) {
		free(ra->groups);
		if (!(ra->groups = malloc((size_t)n * sizeof(gid_t))))
			return fail(err, errlen, LMS_ENOMEM, "out of memory");
		got = n;
		if (getgrouplist(pw.pw_name, pw.pw_gid, ra->groups, &got) >= 0) {
			ra->ngroups = got;
			return 0;
		}
		if (n >= 65536)
			return fail(err, errlen, LMS_EINVAL, "postgres user is in too many groups");
		n = got > n ? got : n * 2;
	}
}

static bool runas_in_group(const struct runas *ra, gid_t gid)
{
	if (gid == ra->gid)
		return true;
	for (int i = 0; i < ra->ngroups; i++)
		if (ra->groups[i] == gid)
			return true;
	return false;
}

/* Mode bits only, as the kernel applies them: the owner class wins even when
 * the group or other bits would allow more. */
static bool runas_can_search(const struct runas *ra, const struct stat *st)
{
	if (st->st_uid == ra->uid)
		return (st->st_mode & S_IXUSR) != 0;
	if (runas_in_group(ra, st->st_gid))
		return (st->st_mode & S_IXGRP) != 0;
	return (st->st_mode & S_IXOTH) != 0;
}

/* The postmaster chdirs into pgdata as the postgres user; a root-only home
 * directory on the way would only show up as an obscure initdb failure. We
 * report it rather than chmod someone's directories. */
static int check_reachable(const struct runas *ra, const char *dir, char *err, size_t errlen)
{
	struct stat st;
	char *path = NULL;
	size_t len;
	int rc = 0;

	if (!(path = strdup(dir)))
		return fail(err, errlen, LMS_ENOMEM, "out of memory");
	len = strlen(path);
	for (size_t i = 0; i <= len; i++) {
		char c = path[i];

		/* "/" first, then every prefix ending before a slash or the end */
		if (i > 0 && ((c != '/' && c != '\0') || path[i - 1] == '/'))
			continue;
		path[i] = '\0';
		if (stat(i == 0 ? "/" : path, &st) != 0) {
			rc = fail(err, errlen, LMS_EIO, "cannot stat %s: %s", i == 0 ? "/" : path,
				  strerror(errno));
			goto out;
		}
		if (!runas_can_search(ra, &st)) {
			rc = fail(err, errlen, LMS_EFORBIDDEN,
				  "postgres user cannot enter %s: run from (or set data_dir to) a "
				  "directory it can reach",
				  i == 0 ? "/" : path);
			goto out;
		}
		path[i] = c;
	}
out:
	free(path);
	return rc;
}

static int mkdir_parents(char *path, char *err, size_t errlen)
{
	struct stat st;

	for (char *s = path + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			int e = errno;

			*s = c;
			return fail(err, errlen, LMS_EIO, "cannot create %s: %s", path, strerror(e));
		}
		*s = c;
		if (c == '\0')
			break;
	}
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return fail(err, errlen, LMS_EIO, "%s is not a directory", path);
	return 0;
}

static void paths_release(struct paths *p)
{
	free(p->parent);
	free(p->pgdata);
	free(p->sockdir);
	free(p->logpath);
	memset(p, 0, sizeof(*p));
}

/* Makes pgdata absolute (through the real path of its parent, which is
 * created when create is set) and derives the socket directory and log. */
static int paths_resolve(const char *pgdata, bool create, struct paths *p, char *err,
			 size_t errlen)
{
	char *copy = NULL, *slash, *base, *parent;
	size_t n;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	if (!(copy = strdup(pgdata))) {
		rc = fail(err, errlen, LMS_ENOMEM, "out of memory");
		goto out;
	}
	for (n = strlen(copy); n > 1 && copy[n - 1] == '/'; n--)
		copy[n - 1] = '\0';
	slash = strrchr(copy, '/');
	if (!slash) {
		parent = ".";
		base = copy;
	} else {
		*slash = '\0';
		parent = slash == copy ? "/" : copy;
		base = slash + 1;
	}
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		rc = fail(err, errlen, LMS_EINVAL, "pgdata %s does not name a directory", pgdata);
		goto out;
	}
	if (create && parent == copy && (rc = mkdir_parents(parent, err, errlen)) < 0)
		goto out;
	if (!(p->parent = realpath(parent, NULL))) {
		rc = fail(err, errlen, errno == ENOENT ? LMS_ENOTFOUND : LMS_EIO,
			  "cannot resolve %s: %s", parent, strerror(errno));
		goto out;
	}
	n = strlen(p->parent);
	p->pgdata = str_printf("%s/%s", n > 1 ? p->parent : "", base);
	p->logpath = str_printf("%s/%s.log", n > 1 ? p->parent : "", base);
	p->sockdir = str_printf("%s/pgsock", n > 1 ? p->parent : "");
	if (!p->pgdata || !p->logpath || !p->sockdir) {
		rc = fail(err, errlen, LMS_ENOMEM, "out of memory");
		goto out;
	}
	if (!path_shell_safe(p->pgdata)) {
		rc = fail(err, errlen, LMS_EINVAL,
			  "pgdata %s contains a character pg_ctl cannot pass through its shell "
			  "(\", $, `, \\ or a control character)",
			  p->pgdata);
		goto out;
	}
	if (strlen(p->sockdir) + strlen(SOCK_FILE) > SUN_PATH_MAX || !path_plain(p->sockdir)) {
		free(p->sockdir);
		p->sockdir = str_printf("/tmp/lms-pg-%016" PRIx64, hash64(p->pgdata));
		p->sock_in_tmp = true;
		if (!p->sockdir) {
			rc = fail(err, errlen, LMS_ENOMEM, "out of memory");
			goto out;
		}
	}
out:
	free(copy);
	if (rc < 0)
		paths_release(p);
	return rc;
}

/* Creates path (mode 0700) owned by the user the server runs as. An existing
 * directory must already belong to that user unless adopt is set: under /tmp
 * anyone could have created it first. O_NOFOLLOW refuses a planted symlink. */
static int dir_prepare(const char *path, const struct runas *ra, bool adopt, char *err,
		       size_t errlen)
{
	struct stat st;
	bool created;
	int fd = -1, rc = 0;

	created = mkdir(path, 0700) == 0;
	if (!created && errno != EEXIST) {
		rc = fail(err, errlen, LMS_EIO, "cannot create %s: %s", path, strerror(errno));
		goto out;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = fail(err, errlen, LMS_EIO, "cannot open directory %s: %s", path,
			  strerror(errno));
		goto out;
	}
	if (st.st_uid != ra->uid) {
		if (!ra->drop || !(created || adopt)) {
			rc = fail(err, errlen, LMS_EFORBIDDEN,
				  "%s belongs to uid %u, not to the user running postgresql "
				  "(uid %u): remove it",
				  path, (unsigned)st.st_uid, (unsigned)ra->uid);
			goto out;
		}
		if (fchown(fd, ra->uid, ra->gid) != 0) {
			rc = fail(err, errlen, LMS_EIO, "cannot chown %s: %s", path,
				  strerror(errno));
			goto out;
		}
	}
	if ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700) != 0) {
		rc = fail(err, errlen, LMS_EIO, "cannot chmod %s: %s", path, strerror(errno));
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Opens the log for appending; the postgres user must own it because
 * pg_ctl -l reopens it by name for the server's output. */
static int log_open(const char *path, const struct runas *ra, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(err, errlen, LMS_EIO, "cannot open %s: %s", path, strerror(errno));
	if (ra->drop && fstat(fd, &st) == 0 && st.st_uid != ra->uid &&
	    fchown(fd, ra->uid, ra->gid) != 0) {
		close(fd);
		return fail(err, errlen, LMS_EIO, "cannot chown %s: %s", path, strerror(errno));
	}
	return fd;
}

/* Two lms processes on one pgdata would race in initdb and pg_ctl start; an
 * flock on the log serialises them. A descriptor of its own (closed in every
 * child) keeps the lock from being inherited by the daemonised postmaster. */
static int lock_bounded(const char *logpath, const struct runas *ra, int *fdp, char *err,
			size_t errlen)
{
	struct timespec start;
	int fd;

	*fdp = -1;
	if ((fd = log_open(logpath, ra, err, errlen)) < 0)
		return fd;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			close(fd);
			return fail(err, errlen, LMS_EIO, "cannot lock %s: %s", logpath,
				    strerror(errno));
		}
		if (ms_since(&start) > LOCK_TIMEOUT_MS) {
			close(fd);
			return fail(err, errlen, LMS_EUNAVAILABLE,
				    "another process has held the lock on %s for %d s", logpath,
				    LOCK_TIMEOUT_MS / 1000);
		}
		sleep_ms(100);
	}
	*fdp = fd;
	return 0;
}

/* Writes into out the last lines that a command added to the log after
 * offset from, joined by " | ", so that errors show the cause. */
static void log_tail(const char *path, off_t from, char *out, size_t outlen)
{
	enum { KEEP = 4, WINDOW = 4096 };
	static const char examine[] = "Examine the log output.";
	const char *lines[KEEP];
	size_t lens[KEEP], used = 0;
	char buf[WINDOW + 1];
	struct stat st;
	ssize_t got = 0;
	off_t start;
	int fd, n = 0;

	out[0] = '\0';
	fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd >= 0 && fstat(fd, &st) == 0) {
		start = st.st_size - WINDOW > from ? st.st_size - WINDOW : from;
		got = pread(fd, buf, WINDOW, start);
	}
	if (fd >= 0)
		close(fd);
	buf[got > 0 ? got : 0] = '\0';
	for (char *s = buf; *s;) {
		char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char *next = s + len + (nl ? 1 : 0);

		while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		while (len > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		/* pg_ctl's pointer to the log we are already quoting */
		if (len > 0 && !(len == strlen(examine) && memcmp(s, examine, len) == 0)) {
			if (n == KEEP) {
				memmove(lines, lines + 1, sizeof(lines[0]) * (KEEP - 1));
				memmove(lens, lens + 1, sizeof(lens[0]) * (KEEP - 1));
				n--;
			}
			lines[n] = s;
			lens[n++] = len;
		}
		s = next;
	}
	for (int i = 0; i < n && used + 1 < outlen; i++) {
		int w = snprintf(out + used, outlen - used, "%s%.*s", i ? " | " : "", (int)lens[i],
				 lines[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (n == 0)
		snprintf(out, outlen, "no output");
}

/* In the child: only async-signal-safe calls from here to execv. */
static void __attribute__((noreturn))
child_exec(const struct runas *ra, const char *const argv[], int outfd, int nullfd, int maxfd)
{
	static const char msg_setid[] = "lms: cannot switch to the postgres user\n";
	static const char msg_exec[] = "lms: cannot execute the command\n";
	struct sigaction sa;
	sigset_t none;

	/* The server blocks SIGINT/SIGTERM for sigwait and may ignore SIGPIPE;
	 * both would be inherited through exec and break pg_ctl's shutdown. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (dup2(nullfd, 0) < 0 || dup2(outfd, 1) < 0 || dup2(outfd, 2) < 0)
		_exit(127);
	for (int fd = 0; fd < 3; fd++)
		fcntl(fd, F_SETFD, 0);
	/* Anything else open here (listening sockets, libpq connections,
	 * pipes from ctest) would live on in the daemonised postmaster. */
	if (close_range(3, ~0U, 0) != 0)
		for (int fd = 3; fd < maxfd; fd++)
			close(fd);

	if (ra->drop && (setgroups((size_t)ra->ngroups, ra->groups) != 0 ||
			 setgid(ra->gid) != 0 || setuid(ra->uid) != 0)) {
		(void)!write(2, msg_setid, sizeof(msg_setid) - 1);
		_exit(126);
	}
	/* The caller's directory may be one the postgres user cannot enter. */
	if (chdir("/") != 0)
		_exit(127);
	execv(argv[0], (char *const *)argv);
	(void)!write(2, msg_exec, sizeof(msg_exec) - 1);
	_exit(127);
}

/* Waits for pid at most timeout_ms, then kills it; never leaves a zombie. */
static int wait_bounded(pid_t pid, long timeout_ms, int *status)
{
	struct timespec start;
	long nap = 1;
	pid_t r;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return LMS_EIO; /* ECHILD: SIGCHLD ignored or reaped elsewhere */
		if (ms_since(&start) > timeout_ms) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return LMS_EUNAVAILABLE;
		}
		sleep_ms(nap);
		if (nap < 20)
			nap *= 2;
	}
}

/*
 * Runs argv[0] (an absolute path) with stdout and stderr appended to logpath
 * (NULL: discarded). *code is its exit status, 128 + n when killed by signal
 * n; *from the log size before it ran, for log_tail. Returns an error only
 * when it could not be run or had to be killed.
 */
static int cmd_run(const struct runas *ra, const char *const argv[], const char *logpath,
		   long timeout_ms, int *code, off_t *from, char *err, size_t errlen)
{
	struct stat st;
	int outfd = -1, nullfd = -1, status = 0, rc = 0, maxfd;
	long openmax;
	pid_t pid;

	*code = -1;
	*from = 0;
	openmax = sysconf(_SC_OPEN_MAX);
	maxfd = openmax > 0 && openmax < 65536 ? (int)openmax : 65536;
	if (logpath) {
		if ((rc = outfd = log_open(logpath, ra, err, errlen)) < 0)
			goto out;
		rc = 0;
		if (fstat(outfd, &st) == 0)
			*from = st.st_size;
	} else if ((outfd = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
		rc = fail(err, errlen, LMS_EIO, "cannot open /dev/null: %s", strerror(errno));
		goto out;
	}
	if ((nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		rc = fail(err, errlen, LMS_EIO, "cannot open /dev/null: %s", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		rc = fail(err, errlen, LMS_EIO, "cannot fork for %s: %s", argv[0], strerror(errno));
		goto out;
	}
	if (pid == 0)
		child_exec(ra, argv, outfd, nullfd, maxfd);
	if ((rc = wait_bounded(pid, timeout_ms, &status)) == LMS_EIO) {
		fail(err, errlen, rc, "cannot wait for %s: %s", argv[0], strerror(errno));
		goto out;
	} else if (rc < 0) {
		fail(err, errlen, rc, "%s %s did not finish within %ld s and was killed", argv[0],
		     argv[1] ? argv[1] : "", timeout_ms / 1000);
		goto out;
	}
	*code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	if (outfd >= 0)
		close(outfd);
	if (nullfd >= 0)
		close(nullfd);
	return rc;
}

static int cmd_fail(char *err, size_t errlen, int code, const char *what, int status,
		    const char *logpath, off_t from)
{
	char tail[768];

	log_tail(logpath, from, tail, sizeof(tail));
	return fail(err, errlen, code, "%s failed with exit status %d: %s (log: %s)", what,
		    status, tail, logpath ? logpath : "none");
}

static int check_exec(const char *path, char *err, size_t errlen)
{
	if (access(path, X_OK) != 0)
		return fail(err, errlen, LMS_ENOTFOUND, "cannot execute %s: %s (check pg_bindir)",
			    path, strerror(errno));
	return 0;
}

/* Sets *code to PGCTL_RUNNING, PGCTL_STOPPED or PGCTL_NODIR (or another
 * pg_ctl exit status). */
static int pgctl_status(const struct runas *ra, const char *pgctl, const char *pgdata, int *code,
			char *err, size_t errlen)
{
	const char *argv[] = {pgctl, "status", "-D", pgdata, NULL};
	off_t from;

	return cmd_run(ra, argv, NULL, STATUS_TIMEOUT_MS, code, &from, err, errlen);
}

static int pgctl_start(const struct paths *p, const struct runas *ra, const char *pgctl,
		       int *status, off_t *from, char *err, size_t errlen)
{
	/* -o goes through pg_ctl's shell, hence the inner quotes; the conf has
	 * the same settings, this keeps a cluster initialised elsewhere (or by
	 * an older lms) private too. */
	char *o = str_printf("-c unix_socket_directories='%s' -c listen_addresses='' -c port=%s",
			     p->sockdir, PG_PORT);
	const char *argv[] = {pgctl, "-D", p->pgdata, "-l", p->logpath, "-w", "-t", PGCTL_WAIT_S,
			      "-o", o, "start", NULL};
	int rc;

	if (!o)
		return fail(err, errlen, LMS_ENOMEM, "out of memory");
	rc = cmd_run(ra, argv, p->logpath, PGCTL_TIMEOUT_MS, status, from, err, errlen);
	free(o);
	return rc;
}

static int pgctl_stop(const struct paths *p, const struct runas *ra, const char *pgctl, char *err,
		      size_t errlen)
{
	const char *argv[] = {pgctl, "-D", p->pgdata, "-m", "fast", "-w", "-t", PGCTL_WAIT_S,
			      "stop", NULL};
	int rc, status;
	off_t from;

	rc = cmd_run(ra, argv, p->logpath, PGCTL_TIMEOUT_MS, &status, &from, err, errlen);
	if (rc == 0 && status != 0)
		rc = cmd_fail(err, errlen, LMS_EIO, "pg_ctl stop", status, p->logpath, from);
	return rc;
}

static int conf_append(const struct paths *p, bool fast, char *err, size_t errlen)
{
	char *path = NULL;
	FILE *f = NULL;
	int rc = 0;

	if (!(path = str_printf("%s/postgresql.conf", p->pgdata))) {
		rc = fail(err, errlen, LMS_ENOMEM, "out of memory");
		goto out;
	}
	/* Appended settings win over initdb's defaults above them; root keeps
	 * the postgres user's ownership of the file by appending. */
	if (!(f = fopen(path, "ae"))) {
		rc = fail(err, errlen, LMS_EIO, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	fprintf(f,
		"\n# added by lms: a private cluster, reachable only through its Unix socket\n"
		"listen_addresses = ''\n"
		"unix_socket_directories = '%s'\n"
		"port = %s\n"
		"max_connections = 200\n",
		p->sockdir, PG_PORT);
	if (fast)
		fprintf(f, "# scratch cluster: durability traded for speed\n"
			   "fsync = off\n"
			   "synchronous_commit = off\n"
			   "full_page_writes = off\n");
	if (fflush(f) != 0 || ferror(f)) {
		rc = fail(err, errlen, LMS_EIO, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
out:
	if (f && fclose(f) != 0 && rc == 0)
		rc = fail(err, errlen, LMS_EIO, "cannot write %s: %s", path, strerror(errno));
	free(path);
	return rc;
}

static int cluster_init(const struct db_embedded *e, bool fast, char *err, size_t errlen)
{
	const char *argv[16];
	char *initdb = NULL;
	locale_t loc;
	int rc, n = 0, status;
	off_t from;

	if (!(initdb = str_printf("%s/initdb", e->bindir))) {
		rc = fail(err, errlen, LMS_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = check_exec(initdb, err, errlen)) < 0)
		goto out;
	/* initdb would leave a non-empty pgdata alone, but it must be ours */
	if ((rc = dir_prepare(e->p.pgdata, &e->ra, true, err, errlen)) < 0)
		goto out;
	/* C.UTF-8 sorts by code point like C but knows UTF-8 character classes;
	 * glibc 2.35+ always has it, older systems may not. */
	loc = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0);
	if (loc)
		freelocale(loc);
	argv[n++] = initdb;
	argv[n++] = "-D";
	argv[n++] = e->p.pgdata;
	argv[n++] = "-U";
	argv[n++] = "postgres";
	argv[n++] = "--auth-local=trust"; /* only the owner can enter the socket dir */
	argv[n++] = "--auth-host=reject";
	argv[n++] = "-E";
	argv[n++] = "UTF8";
	argv[n++] = loc ? "--locale=C.UTF-8" : "--locale=C";
	argv[n++] = "--no-instructions";
	if (fast)
		argv[n++] = "--no-sync";
	argv[n] = NULL;

	log_info("postgresql: initialising a cluster at %s", e->p.pgdata);
	rc = cmd_run(&e->ra, argv, e->p.logpath, INITDB_TIMEOUT_MS, &status, &from, err, errlen);
	if (rc == 0 && status != 0)
		rc = cmd_fail(err, errlen, LMS_EIO, "initdb", status, e->p.logpath, from);
	if (rc == 0)
		rc = conf_append(&e->p, fast, err, errlen);
out:
	free(initdb);
	return rc;
}

static void pq_message(const PGconn *conn, const PGresult *res, char *buf, size_t len)
{
	size_t n;

	snprintf(buf, len, "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
	for (n = strlen(buf); n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '); n--)
		buf[n - 1] = '\0';
}

/* A server found running may still be starting up (another lms process
 * started it a moment ago); ours answers at once, pg_ctl -w saw it ready. */
static int wait_ready(const char *sockdir, char *err, size_t errlen)
{
	const char *const keys[] = {"host", "port", "user", "dbname", "connect_timeout", NULL};
	const char *const vals[] = {sockdir, PG_PORT, "postgres", "postgres", "5", NULL};
	struct timespec start;
	PGPing ping;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		ping = PQpingParams(keys, vals, 0);
		if (ping == PQPING_OK)
			return 0;
		if (ping == PQPING_NO_ATTEMPT || ms_since(&start) > READY_TIMEOUT_MS)
			return fail(err, errlen, LMS_EUNAVAILABLE,
				    "postgresql at %s" SOCK_FILE " is not accepting connections",
				    sockdir);
		sleep_ms(100);
	}
}

/* Role names may need quoting in a conninfo value; the socket directory is
 * plain (paths_resolve) and the database name was validated. */
static char *conninfo_make(const char *sockdir, const char *user, const char *dbname)
{
	char *quoted = NULL, *q, *conninfo = NULL;

	if (path_plain(user))
		return str_printf("host=%s port=%s user=%s dbname=%s", sockdir, PG_PORT, user,
				  dbname);
	if (!(quoted = malloc(2 * strlen(user) + 3)))
		goto out;
	q = quoted;
	*q++ = '\'';
	for (const char *s = user; *s; s++) {
		if (*s == '\'' || *s == '\\')
			*q++ = '\\';
		*q++ = *s;
	}
	*q++ = '\'';
	*q = '\0';
	conninfo = str_printf("host=%s port=%s user=%s dbname=%s", sockdir, PG_PORT, quoted,
			      dbname);
out:
	free(quoted);
	return conninfo;
}

/* Migrations run as the owner of the database, not as the superuser; it
 * creates the application's role, hence CREATEROLE. */
static int role_ensure(PGconn *conn, char *err, size_t errlen)
{
	const char *params[1] = {OWNER_ROLE};
	PGresult *res = NULL;
	const char *state;
	char msg[512];
	int rc = 0;

	res = PQexecParams(conn, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, NULL, params,
			   NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pq_message(conn, res, msg, sizeof(msg));
		rc = fail(err, errlen, LMS_EDB, "cannot look up role " OWNER_ROLE ": %s", msg);
		goto out;
	}
	if (PQntuples(res) > 0)
		goto out;
	PQclear(res);
	res = PQexec(conn, "CREATE ROLE " OWNER_ROLE " LOGIN NOSUPERUSER NOCREATEDB CREATEROLE");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		/* Another process created it meanwhile: 42710 duplicate_object,
		 * or 23505 unique_violation when both passed the name check. */
		if (state && (strcmp(state, "42710") == 0 || strcmp(state, "23505") == 0))
			goto out;
		pq_message(conn, res, msg, sizeof(msg));
		rc = fail(err, errlen, LMS_EDB, "cannot create role " OWNER_ROLE ": %s", msg);
		goto out;
	}
	log_info("postgresql: created role " OWNER_ROLE);
out:
	PQclear(res);
	return rc;
}

/* Sets *owner to the name of the role owning dbname (new string), or to NULL
 * when there is no such database. */
static int db_owner(PGconn *conn, const char *dbname, char **owner, char *err, size_t errlen)
{
	const char *params[1] = {dbname};
	PGresult *res = NULL;
	char msg[512];
	int rc = 0;

	*owner = NULL;
	res = PQexecParams(conn,
			   "SELECT r.rolname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba "
			   "WHERE d.datname = $1",
			   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pq_message(conn, res, msg, sizeof(msg));
		rc = fail(err, errlen, LMS_EDB, "cannot look up database %s: %s", dbname, msg);
		goto out;
	}
	if (PQntuples(res) > 0 && !(*owner = strdup(PQgetvalue(res, 0, 0))))
		rc = fail(err, errlen, LMS_ENOMEM, "out of memory");
out:
	PQclear(res);
	return rc;
}

/* Makes sure the owner role and dbname exist, and sets *owner to the role
 * that owns dbname (new string): OWNER_ROLE for a database created here,
 * postgres for one an older lms created, which keeps working as it was. */
static int db_ensure(const char *sockdir, const char *dbname, char **owner, char *err,
		     size_t errlen)
{
	const char *const keys[] = {"host", "port", "user", "dbname", "connect_timeout", NULL};
	const char *const vals[] = {sockdir, PG_PORT, "postgres", "postgres", "10", NULL};
	PGconn *conn = NULL;
	PGresult *res = NULL;
	char *ident = NULL, *sql = NULL, msg[512];
	const char *state;
	int rc = 0;

	*owner = NULL;
	conn = PQconnectdbParams(keys, vals, 0);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		pq_message(conn, NULL, msg, sizeof(msg));
		rc = fail(err, errlen, LMS_EUNAVAILABLE, "cannot connect to postgresql at %s: %s",
			  sockdir, msg);
		goto out;
	}
	if ((rc = role_ensure(conn, err, errlen)) < 0)
		goto out;
	if ((rc = db_owner(conn, dbname, owner, err, errlen)) < 0 || *owner)
		goto out;

	/* CREATE DATABASE takes no parameters; the name was validated and is
	 * quoted anyway. */
	if (!(ident = PQescapeIdentifier(conn, dbname, strlen(dbname))) ||
	    !(sql = str_printf("CREATE DATABASE %s OWNER " OWNER_ROLE, ident))) {
		rc = fail(err, errlen, LMS_ENOMEM, "out of memory");
		goto out;
	}
	res = PQexec(conn, sql);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		log_info("postgresql: created database %s owned by " OWNER_ROLE, dbname);
	} else {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		/* Another process created it meanwhile: 42P04 duplicate_database,
		 * or 23505 unique_violation when both passed the name check. */
		if (!state || (strcmp(state, "42P04") != 0 && strcmp(state, "23505") != 0)) {
			pq_message(conn, res, msg, sizeof(msg));
			rc = fail(err, errlen, LMS_EDB, "cannot create database %s: %s", dbname,
				  msg);
			goto out;
		}
	}
	/* whoever created it, the owner is what the catalog says */
	if ((rc = db_owner(conn, dbname, owner, err, errlen)) < 0)
		goto out;
	if (!*owner)
		rc = fail(err, errlen, LMS_EDB, "database %s was dropped as it was created",
			  dbname);
out:
	if (rc < 0) {
		free(*owner);
		*owner = NULL;
	}
	PQclear(res);
	PQfreemem(ident);
	free(sql);
	PQfinish(conn);
	return rc;
}

static void embedded_free(struct db_embedded *e)
{
	runas_release(&e->ra);
	paths_release(&e->p);
	free(e->bindir);
	free(e->conninfo);
	free(e->su_conninfo);
	free(e);
}

/* The socket directory under /tmp is ours alone (named after pgdata); once
 * the server is gone it is empty and removing it leaves /tmp as it was. */
static void sockdir_cleanup(const struct paths *p)
{
	if (p->sock_in_tmp)
		rmdir(p->sockdir);
}

int db_embedded_start(const struct db_embedded_opts *opts, struct db_embedded **out, char *err,
		      size_t errlen)
{
	struct db_embedded *e = NULL;
	struct timespec t0;
	struct stat st;
	char *pgctl = NULL, *version = NULL, *owner = NULL, stop_err[512];
	int lockfd = -1, rc = 0, status;
	off_t from;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*out = NULL;
	if (!opts || !opts->pgdata || !opts->pg_bindir || !opts->dbname) {
		rc = fail(err, errlen, LMS_EINVAL, "pgdata, pg_bindir and dbname are required");
		goto out;
	}
	if (!dbname_valid(opts->dbname)) {
		rc = fail(err, errlen, LMS_EINVAL,
			  "database name %s is not valid: use [a-z_][a-z0-9_]*, at most 63 "
			  "characters",
			  opts->dbname);
		goto out;
	}
	if (!(e = calloc(1, sizeof(*e))) || !(e->bindir = strdup(opts->pg_bindir))) {
		rc = fail(err, errlen, LMS_ENOMEM, "out of memory");
		goto out;
	}
	e->keep_running = opts->keep_running;
	if ((rc = runas_init(&e->ra, err, errlen)) < 0)
		goto out;
	if ((rc = paths_resolve(opts->pgdata, true, &e->p, err, errlen)) < 0)
		goto out;
	if (e->ra.drop && (rc = check_reachable(&e->ra, e->p.parent, err, errlen)) < 0)
		goto out;
	if (!(pgctl = str_printf("%s/pg_ctl", e->bindir)) ||
	    !(version = str_printf("%s/PG_VERSION", e->p.pgdata))) {
		rc = fail(err, errlen, LMS_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = check_exec(pgctl, err, errlen)) < 0)
		goto out;
	if ((rc = dir_prepare(e->p.sockdir, &e->ra, !e->p.sock_in_tmp, err, errlen)) < 0)
		goto out;
	if ((rc = lock_bounded(e->p.logpath, &e->ra, &lockfd, err, errlen)) < 0)
		goto out;

	if (stat(version, &st) != 0) {
		if (errno != ENOENT) {
			rc = fail(err, errlen, LMS_EIO, "cannot stat %s: %s", version,
				  strerror(errno));
			goto out;
		}
		if ((rc = cluster_init(e, opts->fast, err, errlen)) < 0)
			goto out;
	}

	if ((rc = pgctl_status(&e->ra, pgctl, e->p.pgdata, &status, err, errlen)) < 0)
		goto out;
	if (status == PGCTL_RUNNING) {
		log_info("postgresql: using the cluster already running at %s", e->p.pgdata);
	} else {
		if ((rc = pgctl_start(&e->p, &e->ra, pgctl, &status, &from, err, errlen)) < 0)
			goto out;
		if (status == 0) {
			e->started = true;
		} else {
			/* Another process (without our lock: an older lms, a
			 * person) may have started it meanwhile. */
			int again;

			if ((rc = pgctl_status(&e->ra, pgctl, e->p.pgdata, &again, err, errlen)) < 0)
				goto out;
			if (again != PGCTL_RUNNING) {
				rc = cmd_fail(err, errlen, LMS_EUNAVAILABLE, "pg_ctl start", status,
					      e->p.logpath, from);
				goto out;
			}
			log_warn("postgresql: cluster at %s was started by another process",
				 e->p.pgdata);
		}
	}
	if ((rc = wait_ready(e->p.sockdir, err, errlen)) < 0)
		goto out;
	if ((rc = db_ensure(e->p.sockdir, opts->dbname, &owner, err, errlen)) < 0)
		goto out;
	if (!(e->conninfo = conninfo_make(e->p.sockdir, owner, opts->dbname)) ||
	    !(e->su_conninfo = conninfo_make(e->p.sockdir, "postgres", opts->dbname))) {
		rc = fail(err, errlen, LMS_ENOMEM, "out of memory");
		goto out;
	}
	log_info("postgresql: ready in %ld ms (socket directory %s, log %s)", ms_since(&t0),
		 e->p.sockdir, e->p.logpath);
	*out = e;
	e = NULL;
out:
	if (e) {
		/* A server we started must not outlive a failed start. */
		if (e->started && pgctl && pgctl_stop(&e->p, &e->ra, pgctl, stop_err,
						      sizeof(stop_err)) < 0)
			log_error("postgresql: %s", stop_err);
		embedded_free(e);
	}
	if (lockfd >= 0)
		close(lockfd);
	free(pgctl);
	free(version);
	free(owner);
	return rc;
}

const char *db_embedded_conninfo(const struct db_embedded *e) { return e->conninfo; }

const char *db_embedded_superuser_conninfo(const struct db_embedded *e) { return e->su_conninfo; }

void db_embedded_stop(struct db_embedded *e)
{
	char err[1024], *pgctl = NULL;

	if (!e)
		return;
	if (e->started && !e->keep_running) {
		if (!(pgctl = str_printf("%s/pg_ctl", e->bindir))) {
			log_error("postgresql: out of memory stopping the cluster at %s",
				  e->p.pgdata);
		} else if (pgctl_stop(&e->p, &e->ra, pgctl, err, sizeof(err)) < 0) {
			log_error("postgresql: %s", err);
		} else {
			log_info("postgresql: stopped the cluster at %s", e->p.pgdata);
			sockdir_cleanup(&e->p);
		}
	}
	free(pgctl);
	embedded_free(e);
}

int db_embedded_stop_dir(const char *pgdata, const char *pg_bindir, char *err, size_t errlen)
{
	struct runas ra = {0};
	struct paths p = {0};
	struct stat st;
	char *pgctl = NULL, *pidfile = NULL;
	int rc, status;

	if (!pgdata || !pg_bindir)
		return fail(err, errlen, LMS_EINVAL, "pgdata and pg_bindir are required");
	if ((rc = paths_resolve(pgdata, false, &p, err, errlen)) < 0) {
		if (rc == LMS_ENOTFOUND)
			rc = 0; /* no parent, so no cluster */
		goto out;
	}
	if (lstat(p.pgdata, &st) != 0) {
		if (errno == ENOENT)
			goto out;
		rc = fail(err, errlen, LMS_EIO, "cannot stat %s: %s", p.pgdata, strerror(errno));
		goto out;
	}
	if ((rc = runas_init(&ra, err, errlen)) < 0)
		goto out;
	if (!(pgctl = str_printf("%s/pg_ctl", pg_bindir)) ||
	    !(pidfile = str_printf("%s/postmaster.pid", p.pgdata))) {
		rc = fail(err, errlen, LMS_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = check_exec(pgctl, err, errlen)) < 0)
		goto out;
	if ((rc = pgctl_status(&ra, pgctl, p.pgdata, &status, err, errlen)) < 0)
		goto out;
	/* not a cluster (yet): nothing can run there unless a pid file says so */
	if (status == PGCTL_NODIR && stat(pidfile, &st) != 0 && errno == ENOENT)
		status = PGCTL_STOPPED;
	if (status == PGCTL_RUNNING) {
		if ((rc = pgctl_stop(&p, &ra, pgctl, err, errlen)) < 0)
			goto out;
		if ((rc = pgctl_status(&ra, pgctl, p.pgdata, &status, err, errlen)) < 0)
			goto out;
		log_info("postgresql: stopped the cluster at %s", p.pgdata);
	}
	if (status != PGCTL_STOPPED) {
		rc = fail(err, errlen, LMS_EIO,
			  "pg_ctl status -D %s exited with status %d: cannot tell whether it runs",
			  p.pgdata, status);
		goto out;
	}
	sockdir_cleanup(&p);
out:
	runas_release(&ra);
	paths_release(&p);
	free(pgctl);
	free(pidfile);
	return rc;
}
