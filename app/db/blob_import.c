/* blob_import.c - files kept on disk before the database held them, moved into it */
#include "lms/db/blob_import.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/db/blobstore.h"

/* A database failure stops the import; a file that is not what it should
 * be only counts as failed. */
static bool import_fatal(int rc)
{
	return rc == LMS_EUNAVAILABLE || rc == LMS_EDB || rc == LMS_ERETRY;
}

/* Stores the regular file path as blob hash in a transaction of its own.
 * Returns 1 (stored now), 0 (stored already) or an error. */
static int file_store(struct db_conn *c, const char *path, const char *hash)
{
	struct stat st;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return LMS_EIO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return LMS_EIO;
	}
	if ((rc = db_begin(c)) == 0) {
		rc = blob_put_fd(c, fd, hash, (long long)st.st_size);
		if (rc < 0 || db_commit(c) < 0) {
			rc = rc < 0 ? rc : LMS_EDB;
			db_rollback(c);
		}
	}
	close(fd);
	return rc;
}

/* Moves one file, dir/name, when name is a hash that starts with the two
 * digits of its directory; counts it in *n. */
static int file_import(struct db_conn *c, const char *dir, const char *digits,
		       const char *name, struct blob_import_count *n)
{
	char path[PATH_MAX];
	int rc;

	if (!blob_hash_valid(name) || strncmp(name, digits, 2) != 0)
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return 0;
	if ((rc = file_store(c, path, name)) < 0) {
		log_warn("files: %s stays on disk: %s (%s)", path, lms_strerror(rc),
			 import_fatal(rc) ? c->errmsg : "unreadable, or not the bytes of its name");
		n->failed++;
		return import_fatal(rc) ? rc : 0;
	}
	if (unlink(path) != 0)
		log_warn("files: %s is in the database but cannot be removed: %s", path,
			 strerror(errno));
	if (rc == 1)
		n->moved++;
	else
		n->present++;
	return 0;
}

/* Moves the files of root/digits, then removes the directory if empty. */
static int dir_import(struct db_conn *c, const char *root, const char *digits,
		      struct blob_import_count *n)
{
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", root, digits) >= sizeof(dir) ||
	    !(d = opendir(dir)))
		return 0;
	while (rc == 0 && (e = readdir(d)))
		rc = file_import(c, dir, digits, e->d_name, n);
	closedir(d);
	/* Fails, as it should, while anything is left in it. */
	rmdir(dir);
	return rc;
}

/* Whether name is two lower-case hex digits: a directory of the tree. */
static bool digits_name(const char *name)
{
	return strlen(name) == 2 && strspn(name, "0123456789abcdef") == 2;
}

int blob_import_tree(struct db_conn *c, const char *root, struct blob_import_count *n)
{
	struct dirent *e;
	DIR *d;
	int rc = 0;

	memset(n, 0, sizeof(*n));
	if (!(d = opendir(root))) {
		if (errno == ENOENT)
			return 0;
		log_error("files: cannot read %s: %s", root, strerror(errno));
		return LMS_EIO;
	}
	while (rc == 0 && (e = readdir(d)))
		if (digits_name(e->d_name))
			rc = dir_import(c, root, e->d_name, n);
	closedir(d);
	return rc;
}
