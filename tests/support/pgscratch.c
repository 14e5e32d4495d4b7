/* pgscratch.c - ctest fixture: start or remove a scratch PostgreSQL cluster under a directory */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lms/core/err.h"
#include "lms/db/embedded.h"

/* Present in every directory this tool made: it only ever deletes those,
 * so a mistyped argument cannot remove someone's tree. */
#define MARKER ".pgscratch"

struct scratch {
	char dir[PATH_MAX];
	char pgdata[PATH_MAX];
	char conninfo[PATH_MAX];
	char marker[PATH_MAX];
};

static const char *pg_bindir(void)
{
	const char *s = getenv("LMS_PG_BINDIR");

	return s && *s ? s : LMS_PG_BINDIR_DEFAULT;
}

static bool scratch_init(struct scratch *s, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 0 || n >= sizeof(s->dir)) {
		fprintf(stderr, "pgscratch: directory name is empty or too long\n");
		return false;
	}
	memcpy(s->dir, dir, n);
	s->dir[n] = '\0';
	if (snprintf(s->pgdata, sizeof(s->pgdata), "%s/pgdata", s->dir) >= (int)sizeof(s->pgdata) ||
	    snprintf(s->conninfo, sizeof(s->conninfo), "%s/conninfo", s->dir) >=
		    (int)sizeof(s->conninfo) ||
	    snprintf(s->marker, sizeof(s->marker), "%s/" MARKER, s->dir) >=
		    (int)sizeof(s->marker)) {
		fprintf(stderr, "pgscratch: %s: path too long\n", s->dir);
		return false;
	}
	return true;
}

/* 1: dir is ours (marker, or empty), 0: it does not exist, -1: refuse. */
static int scratch_owned(const struct scratch *s)
{
	struct dirent *d;
	struct stat st;
	bool empty = true;
	DIR *dp;

	if (lstat(s->dir, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "pgscratch: cannot stat %s: %s\n", s->dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "pgscratch: %s exists and is not a directory\n", s->dir);
		return -1;
	}
	if (access(s->marker, F_OK) == 0)
		return 1;
	if (!(dp = opendir(s->dir))) {
		fprintf(stderr, "pgscratch: cannot open %s: %s\n", s->dir, strerror(errno));
		return -1;
	}
	while ((d = readdir(dp)))
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			empty = false;
	closedir(dp);
	if (!empty) {
		fprintf(stderr,
			"pgscratch: %s was not made by pgscratch (no " MARKER "): remove it "
			"yourself\n",
			s->dir);
		return -1;
	}
	return 1;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (remove(path) != 0) {
		fprintf(stderr, "pgscratch: cannot remove %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Stops a cluster left running in the directory, then deletes it all. */
static bool scratch_remove(const struct scratch *s)
{
	char err[1024];
	int rc;

	rc = scratch_owned(s);
	if (rc <= 0)
		return rc == 0;
	if ((rc = db_embedded_stop_dir(s->pgdata, pg_bindir(), err, sizeof(err))) < 0) {
		fprintf(stderr, "pgscratch: %s: %s\n", lms_strerror(rc), err);
		return false;
	}
	/* depth first, symlinks not followed, never into another file system */
	return nftw(s->dir, remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) == 0;
}

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f) {
		fprintf(stderr, "pgscratch: cannot create %s: %s\n", path, strerror(errno));
		return false;
	}
	ok = fputs(text, f) >= 0;
	ok = fclose(f) == 0 && ok;
	if (!ok)
		fprintf(stderr, "pgscratch: cannot write %s: %s\n", path, strerror(errno));
	return ok;
}

static int scratch_start(const struct scratch *s)
{
	struct db_embedded_opts opts = {
		.pgdata = s->pgdata,
		.pg_bindir = pg_bindir(),
		.dbname = "postgres",
		.fast = true,
		.keep_running = true, /* it must outlive this process */
	};
	struct db_embedded *db = NULL;
	char err[1024];
	bool started;
	int rc = 1, e;

	if (!scratch_remove(s))
		goto out;
	/* 0755 whatever the umask: as root, the postgres user must enter it */
	if (mkdir(s->dir, 0755) != 0 || chmod(s->dir, 0755) != 0) {
		fprintf(stderr, "pgscratch: cannot create %s: %s\n", s->dir, strerror(errno));
		goto out;
	}
	if (!write_file(s->marker, "made by pgscratch; removed by pgscratch stop\n"))
		goto out;
	if ((e = db_embedded_start(&opts, &db, err, sizeof(err))) < 0) {
		fprintf(stderr, "pgscratch: %s: %s\n", lms_strerror(e), err);
		goto out;
	}
	/* the harness creates and drops databases with it: the superuser */
	if (!write_file(s->conninfo, db_embedded_superuser_conninfo(db)))
		goto out;
	printf("pgscratch: cluster running at %s, conninfo in %s\n", s->pgdata, s->conninfo);
	rc = 0;
out:
	started = db != NULL;
	db_embedded_stop(db); /* frees only: keep_running */
	if (rc != 0 && started) {
		/* no half-made fixture: the tests would find a cluster but no
		 * conninfo */
		if ((e = db_embedded_stop_dir(s->pgdata, pg_bindir(), err, sizeof(err))) < 0)
			fprintf(stderr, "pgscratch: %s: %s\n", lms_strerror(e), err);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct scratch s;

	if (argc != 3 || (strcmp(argv[1], "start") != 0 && strcmp(argv[1], "stop") != 0)) {
		fprintf(stderr, "usage: pgscratch start|stop DIR\n"
				"  start: remove DIR, start a cluster at DIR/pgdata, write "
				"DIR/conninfo\n"
				"  stop:  stop that cluster and remove DIR\n");
		return 2;
	}
	if (!scratch_init(&s, argv[2]))
		return 1;
	if (strcmp(argv[1], "start") == 0)
		return scratch_start(&s);
	return scratch_remove(&s) ? 0 : 1;
}
