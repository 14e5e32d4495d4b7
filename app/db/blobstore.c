/* blobstore.c - stored files, named by the SHA-256 of their bytes, in PostgreSQL */
#include "lms/db/blobstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lms/core/err.h"
#include "lms/core/log.h"

bool blob_hash_valid(const char *hash)
{
	return hash && strlen(hash) == BLOB_HASH_LEN &&
	       strspn(hash, "0123456789abcdef") == BLOB_HASH_LEN;
}

static void hex_write(const unsigned char digest[32], char hash[BLOB_HASH_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		hash[2 * i] = hex[digest[i] >> 4];
		hash[2 * i + 1] = hex[digest[i] & 15];
	}
	hash[BLOB_HASH_LEN] = '\0';
}

/* Where a put's bytes come from: a file or memory. */
struct source {
	int fd;                     /* -1: mem */
	const unsigned char *mem;   /* borrowed */
	unsigned char *buf;         /* one chunk, for reading fd; owned */
};

/* The n bytes of src at off: in memory, or read from the file into
 * src->buf. NULL when the file ends early or cannot be read. */
static const unsigned char *source_at(struct source *src, long long off, size_t n)
{
	size_t done = 0;

	if (src->fd < 0)
		return src->mem + off;
	while (done < n) {
		ssize_t r = pread(src->fd, src->buf + done, n - done, (off_t)(off + (long long)done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return NULL;
		done += (size_t)r;
	}
	return src->buf;
}

/* Adds the row of blob hash; LMS_ENOTFOUND when one is there already (a
 * concurrent put of the same bytes waits here for the other to end). The
 * row found is locked till the end of the transaction: a transaction that
 * drops the last reference to these bytes cannot delete them
 * (blob_release) before the caller's row refers to them, and one that
 * deleted them first makes this an insert. */
static int blob_claim(struct db_conn *c, const char *hash, long long size)
{
	PGresult *res = NULL;
	bool added;
	int rc;

	if ((rc = db_one_row(c, &res,
			     "INSERT INTO blobs AS b (sha256, size, chunk_size) VALUES ($1, $2, $3)"
			     " ON CONFLICT (sha256) DO UPDATE SET size = b.size"
			     " RETURNING b.xmax = 0",
			     "sli", hash, size, BLOB_CHUNK_SIZE)) < 0)
		return rc;
	added = db_bool(res, 0, 0);
	PQclear(res);
	return added ? 0 : LMS_ENOTFOUND;
}

static int chunk_insert(struct db_conn *c, const char *hash, int idx, const void *data,
			size_t len)
{
	char idx_text[16];
	const char *params[] = {hash, idx_text, data};
	const int lengths[] = {0, 0, (int)len}, formats[] = {0, 0, 1};

	snprintf(idx_text, sizeof(idx_text), "%d", idx);
	return db_exec_raw(c, NULL,
			   "INSERT INTO blob_chunks (sha256, idx, data) VALUES ($1, $2, $3)", 3,
			   params, lengths, formats, false);
}

/* Writes the chunks of src's size bytes as blob hash, checking on the way
 * that they are the bytes of that digest. */
static int chunks_write(struct db_conn *c, const char *hash, struct source *src,
			long long size, EVP_MD_CTX *md)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	char got[BLOB_HASH_LEN + 1];
	unsigned int dlen = 0;
	int rc;

	for (long long off = 0, idx = 0; off < size; off += BLOB_CHUNK_SIZE, idx++) {
		size_t n = size - off < BLOB_CHUNK_SIZE ? (size_t)(size - off) : BLOB_CHUNK_SIZE;
		const unsigned char *p = source_at(src, off, n);

		if (!p)
			return LMS_EIO;
		if (EVP_DigestUpdate(md, p, n) != 1)
			return LMS_ENOMEM;
		if ((rc = chunk_insert(c, hash, (int)idx, p, n)) < 0)
			return rc;
	}
	if (EVP_DigestFinal_ex(md, digest, &dlen) != 1 || dlen != 32)
		return LMS_ENOMEM;
	hex_write(digest, got);
	/* A file that is not what its name says never enters the store. */
	return strcmp(got, hash) == 0 ? 0 : LMS_EINVAL;
}

/* The put of src's size bytes as blob hash: claim the name, then write. */
static int put(struct db_conn *c, struct source *src, const char *hash, long long size)
{
	EVP_MD_CTX *md = NULL;
	int rc;

	if (!blob_hash_valid(hash) || size < 0)
		return LMS_EINVAL;
	if ((rc = blob_claim(c, hash, size)) == LMS_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	rc = LMS_ENOMEM;
	if ((src->fd < 0 || (src->buf = malloc(BLOB_CHUNK_SIZE))) && (md = EVP_MD_CTX_new()) &&
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1)
		rc = chunks_write(c, hash, src, size, md);
	EVP_MD_CTX_free(md);
	free(src->buf);
	src->buf = NULL;
	if (rc == LMS_EINVAL)
		log_error("blobs: the bytes given as %s are not those of that name", hash);
	return rc < 0 ? rc : 1;
}

int blob_put_fd(struct db_conn *c, int fd, const char *hash, long long size)
{
	struct source src = {.fd = fd};

	return put(c, &src, hash, size);
}

int blob_put(struct db_conn *c, const void *data, size_t len, char hash[BLOB_HASH_LEN + 1])
{
	struct source src = {.fd = -1, .mem = data};
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	if (EVP_Digest(data, len, digest, &dlen, EVP_sha256(), NULL) != 1 || dlen != 32)
		return LMS_ENOMEM;
	hex_write(digest, hash);
	return put(c, &src, hash, (long long)len);
}

int blob_stat(struct db_conn *c, const char *hash, struct blob_info *out)
{
	PGresult *res = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!blob_hash_valid(hash))
		return LMS_EINVAL;
	if ((rc = db_one_row(c, &res, "SELECT size, chunk_size FROM blobs WHERE sha256 = $1", "s",
			     hash)) < 0)
		return rc;
	memcpy(out->sha256, hash, BLOB_HASH_LEN + 1);
	out->size = db_ll(res, 0, 0);
	out->chunk_size = (int)db_ll(res, 0, 1);
	PQclear(res);
	return 0;
}

int blob_read(struct db_conn *c, const struct blob_info *b, long long offset, void *buf,
	      size_t cap, size_t *got)
{
	long long idx, within, n;
	struct db_params p;
	PGresult *res = NULL;
	int rc;

	*got = 0;
	if (offset < 0 || offset >= b->size || cap == 0 || b->chunk_size <= 0)
		return LMS_EINVAL;
	idx = offset / b->chunk_size;
	within = offset % b->chunk_size;
	n = b->chunk_size - within;
	if (n > b->size - offset)
		n = b->size - offset;
	if (n > (long long)cap)
		n = (long long)cap;
	/* Only the bytes asked for leave the server: substring() of a value
	 * stored uncompressed reads just the slices that hold them. */
	if (db_params_format(&p, "slll", b->sha256, idx, within + 1, n) < 0)
		return LMS_EDB;
	if ((rc = db_exec_raw(c, &res,
			      "SELECT substring(data FROM $3 FOR $4) FROM blob_chunks"
			      " WHERE sha256 = $1 AND idx = $2",
			      4, p.values, NULL, NULL, true)) < 0)
		return rc;
	if (PQntuples(res) != 1 || PQgetlength(res, 0, 0) != n) {
		log_error("blobs: %s: chunk %lld is missing or short", b->sha256, idx);
		rc = LMS_EIO;
	} else {
		memcpy(buf, PQgetvalue(res, 0, 0), (size_t)n);
		*got = (size_t)n;
	}
	PQclear(res);
	return rc;
}
