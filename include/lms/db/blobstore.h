/* blobstore.h - stored files, named by the SHA-256 of their bytes, in PostgreSQL */
#ifndef LMS_DB_BLOBSTORE_H
#define LMS_DB_BLOBSTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "lms/db/sql.h"

/*
 * Any feature that keeps files (lesson attachments, certificates,
 * application documents) stores their bytes here and keeps the name in a
 * row of its own that references blobs (sha256). The bytes are rows of
 * blob_chunks (migrations/0009_blobs.sql says why not large objects), so
 * every server instance sees every file. Another backend (an S3-compatible
 * store) would keep these functions and their contract: a put joins the
 * caller's transaction, a read needs a connection only while it reads.
 */

/* Length of a blob's name: its SHA-256 in lower-case hex. */
#define BLOB_HASH_LEN 64

/* Bytes per chunk of blobs stored now; also the most blob_read reads at
 * once. */
#define BLOB_CHUNK_SIZE (256 * 1024)

/* What blob_stat found: enough to read the blob. Caller-owned value. */
struct blob_info {
	char sha256[BLOB_HASH_LEN + 1];
	long long size;     /* bytes */
	int chunk_size;     /* bytes per stored chunk */
};

/* Whether hash is exactly 64 lower-case hex digits (and so a name). */
bool blob_hash_valid(const char *hash);

/*
 * Stores the size bytes that fd holds from offset 0, whose SHA-256 is
 * hash, chunk by chunk (never the whole file in memory), within c's
 * transaction: the caller begins it, adds the row that refers to the blob
 * and commits, so that both are stored or neither. Bytes already stored are
 * not stored again, nor read. fd stays the caller's. Returns 1 when stored
 * now, 0 when the store held them already, LMS_EINVAL when hash is not a
 * name or fd's bytes are not size bytes of that digest, LMS_EIO when fd
 * cannot be read, LMS_ENOMEM, or a db_exec error. After an error the
 * transaction must be rolled back.
 */
int blob_put_fd(struct db_conn *c, int fd, const char *hash, long long size);

/* blob_put_fd for len bytes of data in memory (borrowed); writes their
 * name into hash. Same returns. */
int blob_put(struct db_conn *c, const void *data, size_t len, char hash[BLOB_HASH_LEN + 1]);

/* Looks blob hash up, filling *out. Returns 0, LMS_EINVAL when hash is not
 * a name, LMS_ENOTFOUND when no such blob is stored, or a db_exec error. */
int blob_stat(struct db_conn *c, const char *hash, struct blob_info *out);

/*
 * Reads bytes of b from offset into buf, one statement on c: at most cap
 * bytes, and none past the chunk that holds offset, so the caller may give
 * c back between reads of a large file. *got is the number read (at least
 * one on success). Returns 0, LMS_EINVAL when offset lies outside the blob
 * or cap is 0, LMS_EIO when the stored chunk is missing or short, or a
 * db_exec error.
 */
int blob_read(struct db_conn *c, const struct blob_info *b, long long offset, void *buf,
	      size_t cap, size_t *got);

#endif
