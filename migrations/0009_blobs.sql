-- 0009_blobs.sql - file contents in the database, so that every instance
-- sees every file: attachments now, certificates and application documents
-- later (app/db/blobstore.c).
--
-- Rows of bytea chunks rather than large objects: a chunk is an ordinary
-- row, so a statement reads or writes it in one go through PgBouncer's
-- transaction pooling (a large object is read through a descriptor that
-- lives only inside one transaction, which a download to a slow client
-- would have to hold open); pg_dump dumps the chunks with their table and
-- GRANT covers them (large objects carry owners and ACLs of their own);
-- a blob is removed with a DELETE that cascades (large objects need
-- vacuumlo or lo_unlink); and a Range read fetches only the chunks, and
-- within them only the bytes, it needs.

-- One stored file, named by the SHA-256 of its bytes: the same bytes are
-- stored once, however many rows refer to them.
CREATE TABLE blobs (
	sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	size bigint NOT NULL CHECK (size >= 0),
	-- Bytes per chunk (the last one may hold fewer): kept with the blob,
	-- so that the writer may change it without rewriting older files.
	chunk_size integer NOT NULL CHECK (chunk_size > 0),
	created_at timestamptz NOT NULL DEFAULT now()
);

-- Its bytes: chunk idx holds bytes idx * chunk_size onwards.
CREATE TABLE blob_chunks (
	sha256 text NOT NULL REFERENCES blobs (sha256) ON DELETE CASCADE,
	idx integer NOT NULL CHECK (idx >= 0),
	data bytea NOT NULL,
	PRIMARY KEY (sha256, idx)
);
-- Out of line and uncompressed: most uploads (PDF, ZIP, the Office
-- formats, PNG, JPEG, MP4) are compressed already, so pglz would spend CPU
-- for nothing; and substring() of an uncompressed value reads only the
-- TOAST slices it needs, which is what a Range request asks for.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- An attachment's bytes are stored with it, in the same transaction.
-- NOT VALID: rows from before this migration point at files under
-- data_dir/content until `lms migrate` has moved them in (docs/operations.md,
-- "Files"); new rows are checked, and a referenced blob cannot be deleted.
ALTER TABLE attachments ADD CONSTRAINT attachments_blob
	FOREIGN KEY (sha256) REFERENCES blobs (sha256) NOT VALID;

COMMENT ON COLUMN attachments.sha256 IS 'its bytes: blobs.sha256';

GRANT SELECT, INSERT ON blobs, blob_chunks TO lms_app;
