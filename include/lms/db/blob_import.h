/* blob_import.h - files kept on disk before the database held them, moved into it */
#ifndef LMS_DB_BLOB_IMPORT_H
#define LMS_DB_BLOB_IMPORT_H

#include "lms/db/sql.h"

/* What one import did. */
struct blob_import_count {
	int moved;     /* stored now, file removed */
	int present;   /* stored already (an earlier run), file removed */
	int failed;    /* left on disk: unreadable, or not the bytes its name says */
};

/*
 * Moves the files of the content-addressed tree root, laid out as
 * root/<first two hex digits>/<sha256> (as attachments were kept on disk),
 * into the blob store: each in a transaction of its own on c, which must
 * be outside any transaction; a file is removed once its bytes are
 * committed, and then its directory when that is empty. Other names (the
 * temporary files of uploads) are left alone. Running it again moves
 * nothing twice; a root that does not exist holds nothing to move.
 * Returns 0 with *n filled, LMS_EIO when root cannot be read, or a db_exec
 * error that stopped it (*n counts what was done until then).
 */
int blob_import_tree(struct db_conn *c, const char *root, struct blob_import_count *n);

#endif
