/* files.h - content-addressed file store: bytes named by their SHA-256 */
#ifndef LMS_CATALOG_FILES_H
#define LMS_CATALOG_FILES_H

#include <stdbool.h>
#include <stddef.h>

/* Length of a file's name in the store: its SHA-256 in lower-case hex. */
#define FILES_HASH_LEN 64

/* Whether hash is exactly 64 lower-case hex digits (and so a safe name). */
bool files_hash_valid(const char *hash);

/*
 * Stores len bytes of data as root/<first two hex digits>/<sha256>,
 * creating the directories as needed (mode 0750), and writes the digest
 * into hash. The bytes go to a temporary file in the same directory, are
 * synced and then renamed into place, so a reader never sees a partial
 * file; content already stored is not written again. Returns 0,
 * LMS_EIO (nothing is left behind) or LMS_ENOMEM.
 */
int files_blob_put(const char *root, const void *data, size_t len,
		   char hash[FILES_HASH_LEN + 1]);

/* Creates the store's root directory when missing, so that temporary
 * files can be made in it. Returns 0 or LMS_EIO. */
int files_store_ready(const char *root);

/*
 * Takes the synced temporary file tmp (in root, so on the same file
 * system), holding size bytes whose SHA-256 is hash, into the store as
 * root/<first two hex digits>/<hash>. tmp is gone afterwards in every case:
 * renamed, or removed when the store holds those bytes already or on
 * failure. Returns 0, LMS_EINVAL (hash is not a digest) or LMS_EIO.
 */
int files_blob_adopt(const char *root, const char *tmp, const char *hash, long long size);

/*
 * Opens the stored file of hash for reading: *fd (the caller closes it)
 * and its *size. Returns 0, LMS_EINVAL when hash is not a valid name,
 * LMS_ENOTFOUND when no such file is stored, or LMS_EIO.
 */
int files_blob_open(const char *root, const char *hash, int *fd, long long *size);

#endif
