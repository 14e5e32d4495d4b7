/* files_test.c - unit tests: the content-addressed file store */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lms/catalog/files.h"
#include "lms/core/err.h"

/* SHA-256 of "hello". */
#define HELLO_HASH "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

static char base[64];

static int setup(void **state)
{
	snprintf(base, sizeof(base), "/tmp/lms-files-test-XXXXXX");
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	/* Only the mkdtemp directory made above. */
	if (strncmp(base, "/tmp/lms-files-test-", 20) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

/* Names in dir other than . and .., and how many start with prefix. */
static int count_entries(const char *dir, const char *prefix, int *with_prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	*with_prefix = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		*with_prefix += !strncmp(e->d_name, prefix, strlen(prefix));
	}
	closedir(d);
	return n;
}

static void stores_and_opens_by_hash(void **state)
{
	char root[256], path[512], hash[FILES_HASH_LEN + 1], buf[16];
	long long size;
	struct stat st;
	int fd;

	/* The root and its parents are made on demand. */
	snprintf(root, sizeof(root), "%s/data/content", base);
	assert_int_equal(files_blob_put(root, "hello", 5, hash), 0);
	assert_string_equal(hash, HELLO_HASH);
	snprintf(path, sizeof(path), "%s/2c/%s", root, HELLO_HASH);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 5);
	assert_int_equal(stat(root, &st), 0);
	assert_int_equal(st.st_mode & 0027, 0);

	assert_int_equal(files_blob_open(root, HELLO_HASH, &fd, &size), 0);
	assert_true(fd >= 0);
	assert_int_equal(size, 5);
	assert_int_equal(read(fd, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	close(fd);
}

static void stores_identical_content_once(void **state)
{
	char root[256], shard[512], hash[FILES_HASH_LEN + 1];
	int tmp;

	snprintf(root, sizeof(root), "%s/dedupe", base);
	assert_int_equal(files_blob_put(root, "hello", 5, hash), 0);
	assert_int_equal(files_blob_put(root, "hello", 5, hash), 0);
	assert_string_equal(hash, HELLO_HASH);
	snprintf(shard, sizeof(shard), "%s/2c", root);
	assert_int_equal(count_entries(shard, ".tmp-", &tmp), 1);
	assert_int_equal(tmp, 0);
	assert_int_equal(count_entries(root, "", &tmp), 1);

	/* Other bytes, another name. */
	assert_int_equal(files_blob_put(root, "hello!", 6, hash), 0);
	assert_string_not_equal(hash, HELLO_HASH);
	assert_int_equal(count_entries(root, "", &tmp), 2);

	/* Empty content has a name too. */
	assert_int_equal(files_blob_put(root, "", 0, hash), 0);
	assert_string_equal(hash, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void leaves_no_temporary_file_on_failure(void **state)
{
	char root[256], target[640], shard[512], hash[FILES_HASH_LEN + 1];
	int tmp;

	/* A directory where the file must go: the rename fails after the
	 * bytes were written to a temporary file. */
	snprintf(root, sizeof(root), "%s/blocked", base);
	snprintf(shard, sizeof(shard), "%s/2c", root);
	snprintf(target, sizeof(target), "%s/%s", shard, HELLO_HASH);
	assert_int_equal(mkdir(root, 0700), 0);
	assert_int_equal(mkdir(shard, 0700), 0);
	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(files_blob_put(root, "hello", 5, hash), LMS_EIO);
	assert_int_equal(count_entries(shard, ".tmp-", &tmp), 1);
	assert_int_equal(tmp, 0);

	/* A root below a regular file cannot be made. */
	snprintf(root, sizeof(root), "%s/plain", base);
	{
		FILE *f = fopen(root, "w");

		assert_non_null(f);
		fclose(f);
	}
	strncat(root, "/content", sizeof(root) - strlen(root) - 1);
	assert_int_equal(files_blob_put(root, "hello", 5, hash), LMS_EIO);
}

static void refuses_names_that_are_not_hashes(void **state)
{
	static const char *const bad[] = {
		"../../etc/passwd",
		"",
		"2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
		"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982",
		"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98244",
		"2c/24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
		"../f24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
		"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982g",
	};
	char root[256];
	long long size;
	int fd;

	snprintf(root, sizeof(root), "%s/data/content", base);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(files_hash_valid(bad[i]));
		assert_int_equal(files_blob_open(root, bad[i], &fd, &size), LMS_EINVAL);
		assert_int_equal(fd, -1);
	}
	assert_false(files_hash_valid(NULL));
	assert_true(files_hash_valid(HELLO_HASH));
	/* A valid name of nothing stored. */
	assert_int_equal(files_blob_open(root, "00000000000000000000000000000000000000000000000000"
					       "00000000000000",
					 &fd, &size),
			 LMS_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stores_and_opens_by_hash),
		cmocka_unit_test(stores_identical_content_once),
		cmocka_unit_test(leaves_no_temporary_file_on_failure),
		cmocka_unit_test(refuses_names_that_are_not_hashes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
