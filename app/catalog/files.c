/* files.c - content-addressed file store: bytes named by their SHA-256 */
#include "lms/catalog/files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lms/auth/secret.h"
#include "lms/core/err.h"
#include "lms/core/log.h"

#define DIR_MODE 0750
#define FILE_MODE 0640

bool files_hash_valid(const char *hash)
{
	return hash && strlen(hash) == FILES_HASH_LEN &&
	       strspn(hash, "0123456789abcdef") == FILES_HASH_LEN;
}

/* mkdir -p: each missing component of path, with DIR_MODE. */
static int dir_create(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (n == 0 || n >= sizeof(buf))
		return LMS_EIO;
	memcpy(buf, path, n + 1);
	/* From the second byte: an absolute path does not try to create "". */
	for (char *slash = strchr(buf + 1, '/');; slash = strchr(slash + 1, '/')) {
		if (slash)
			*slash = '\0';
		if (mkdir(buf, DIR_MODE) != 0 && errno != EEXIST) {
			log_error("files: cannot create %s: %s", buf, strerror(errno));
			return LMS_EIO;
		}
		if (!slash)
			break;
		*slash = '/';
	}
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_error("files: %s is not a directory", path);
		return LMS_EIO;
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return LMS_EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The rename is durable only once the directory itself is synced. */
static void dir_sync(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* The final name of hash under root, and its directory (created). */
static int blob_paths(const char *root, const char *hash, char dir[PATH_MAX],
		      char final[PATH_MAX])
{
	if ((size_t)snprintf(dir, PATH_MAX, "%s/%.2s", root, hash) >= PATH_MAX ||
	    (size_t)snprintf(final, PATH_MAX, "%s/%s", dir, hash) >= PATH_MAX) {
		log_error("files: the store path %s is too long", root);
		return LMS_EIO;
	}
	return dir_create(dir);
}

/* The name is the digest of the bytes: a file of that name and size
 * holds them already. */
static bool blob_present(const char *final, long long size)
{
	struct stat st;

	return stat(final, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == (off_t)size;
}

/* Moves the synced temporary file tmp into place as final, durably. */
static int blob_rename(const char *tmp, const char *dir, const char *final)
{
	if (rename(tmp, final) != 0) {
		log_error("files: cannot store %s: %s", final, strerror(errno));
		return LMS_EIO;
	}
	dir_sync(dir);
	return 0;
}

int files_blob_put(const char *root, const void *data, size_t len,
		   char hash[FILES_HASH_LEN + 1])
{
	char dir[PATH_MAX], final[PATH_MAX], tmp[PATH_MAX];
	int fd = -1, rc;

	secret_sha256_hex(data, len, hash);
	if ((rc = blob_paths(root, hash, dir, final)) < 0)
		return rc;
	if (blob_present(final, (long long)len))
		return 0;
	rc = LMS_EIO;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir) >= sizeof(tmp) ||
	    (fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		tmp[0] = '\0';
		goto out;
	}
	if (fchmod(fd, FILE_MODE) != 0 || write_all(fd, data, len) < 0 || fsync(fd) != 0)
		goto out;
	rc = close(fd);
	fd = -1;
	if (rc != 0 || (rc = blob_rename(tmp, dir, final)) < 0) {
		rc = LMS_EIO;
		goto out;
	}
	tmp[0] = '\0';
	rc = 0;
out:
	if (rc < 0)
		log_error("files: cannot store %s: %s", final, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (tmp[0])
		unlink(tmp);
	return rc;
}

int files_store_ready(const char *root)
{
	return dir_create(root);
}

int files_blob_adopt(const char *root, const char *tmp, const char *hash, long long size)
{
	char dir[PATH_MAX], final[PATH_MAX];
	int rc;

	if (!files_hash_valid(hash)) {
		unlink(tmp);
		return LMS_EINVAL;
	}
	if ((rc = blob_paths(root, hash, dir, final)) < 0 || blob_present(final, size))
		goto drop;
	if (chmod(tmp, FILE_MODE) != 0 || blob_rename(tmp, dir, final) < 0) {
		rc = LMS_EIO;
		goto drop;
	}
	return 0;
drop:
	unlink(tmp);
	return rc;
}

int files_blob_open(const char *root, const char *hash, int *fd, long long *size)
{
	char path[PATH_MAX];
	struct stat st;

	*fd = -1;
	*size = 0;
	if (!files_hash_valid(hash))
		return LMS_EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%.2s/%s", root, hash, hash) >= sizeof(path))
		return LMS_EIO;
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return errno == ENOENT ? LMS_ENOTFOUND : LMS_EIO;
	if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -1;
		return LMS_EIO;
	}
	*size = (long long)st.st_size;
	return 0;
}
