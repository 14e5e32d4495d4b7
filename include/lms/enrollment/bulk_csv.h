/* bulk_csv.h - a learner list in CSV (email, name, ladder stage), parsed
 * as it arrives, one row at a time */
#ifndef LMS_ENROLLMENT_BULK_CSV_H
#define LMS_ENROLLMENT_BULK_CSV_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The file: UTF-8 (a leading byte order mark, as Korean Excel writes "CSV
 * UTF-8", is skipped), RFC 4180 quoting, CRLF or LF. Line 1 is the header:
 * email (also "e-mail", "이메일"), and optionally name ("display_name",
 * "이름") and ladder_stage ("stage", "단계"), in any order, any case. A row
 * whose cells are all empty is skipped. Everything else is a row, handed
 * to the caller with its checks done: a row that breaks one (ragged, a bad
 * address, an unknown stage, a name too long) still comes, with its error.
 * What makes the file unreadable (bad quoting, bytes that are not UTF-8, a
 * cell over BULK_CSV_FIELD_MAX bytes, a wrong header, too many rows) stops
 * it: the feed fails and bulk_csv_error says where and why.
 *
 * Memory does not grow with the file: a row is handed on once it ends.
 */

/* Longest cell, in bytes. */
#define BULK_CSV_FIELD_MAX 4096

/* One row of the file, valid during the callback only. */
struct bulk_csv_row {
	long line;           /* the line of the file where the row ends; the header is 1 */
	const char *email;   /* ASCII-lower-cased; "" when missing */
	const char *name;    /* NULL when the file has no such column or the cell is empty */
	const char *stage;   /* likewise */
	const char *error;   /* NULL, or what is wrong with the row */
};

/* Takes one row; returns 0, or a negative lms_err that stops the parse. */
typedef int (*bulk_csv_row_fn)(void *ctx, const struct bulk_csv_row *row);

struct bulk_csv;

/* A parser handing rows to fn(ctx, row), refusing more than max_rows rows
 * (the header not counted). Returns NULL when out of memory. */
struct bulk_csv *bulk_csv_new(bulk_csv_row_fn fn, void *ctx, long max_rows);

/* Frees p; accepts NULL. */
void bulk_csv_free(struct bulk_csv *p);

/*
 * Parses the next len bytes of the file. Returns 0; LMS_EINVAL when the
 * file cannot be read (bulk_csv_error); LMS_ETOOBIG when it has more than
 * max_rows rows; LMS_ENOMEM; or the callback's error. After an error every
 * call returns it again.
 */
int bulk_csv_feed(struct bulk_csv *p, const void *data, size_t len);

/* Ends the file (its last row may lack a line break). Same returns; an
 * empty file or an open quote at the end is LMS_EINVAL. */
int bulk_csv_finish(struct bulk_csv *p);

/* What stopped the parse and on which line (0: none), or NULL. */
const char *bulk_csv_error(const struct bulk_csv *p, long *line);

/* Rows handed on so far. */
long bulk_csv_rows(const struct bulk_csv *p);

#endif
