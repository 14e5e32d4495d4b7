/* csv.h - RFC 4180 CSV: a row writer safe to open in a spreadsheet, and
 * choosing CSV for a request */
#ifndef LMS_HTTP_CSV_H
#define LMS_HTTP_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct http_req;

/*
 * CSV text being written into a growing buffer. Rows end in CRLF; a cell
 * holding a comma, a double quote, CR or LF is quoted with its quotes
 * doubled. A cell beginning with =, +, -, @, tab or CR gets a leading single
 * quote, whatever follows (so -5 is written '-5): a spreadsheet would run
 * it as a formula, and no rule that lets some of them through (numbers,
 * say) is one an attacker cannot aim at. Errors are sticky: after a failed
 * allocation every call returns LMS_ENOMEM and writes nothing.
 *
 * A writer that streams sends data[0..len) when it grew large enough and
 * then calls csv_writer_clear, so memory stays bounded by one batch.
 */
struct csv_writer {
	char *data;    /* the text written so far (not NUL-terminated), owned */
	size_t len;
	size_t cap;
	bool in_row;   /* a cell of the current row was written */
	int err;       /* 0, or the first error */
};

/* Starts w empty; with bom, the text begins with the UTF-8 byte order mark
 * (EF BB BF) that spreadsheet programs need to read UTF-8. Returns 0 or
 * LMS_ENOMEM (then w needs csv_writer_release all the same). */
int csv_writer_init(struct csv_writer *w, bool bom);

/* Frees the text of w; accepts a zeroed writer. */
void csv_writer_release(struct csv_writer *w);

/* Forgets the text written (after it was sent), keeping the buffer. */
void csv_writer_clear(struct csv_writer *w);

/* Appends one cell of len bytes (s may be NULL when len is 0: an empty
 * cell) to the current row. Returns 0 or LMS_ENOMEM. */
int csv_cell_write(struct csv_writer *w, const char *s, size_t len);

/* csv_cell_write of a NUL-terminated string; NULL is an empty cell. */
int csv_cell_write_str(struct csv_writer *w, const char *s);

/* csv_cell_write of a JSON value (borrowed): a string as it is, a number in
 * decimal (reals with up to 10 significant digits), true or false, and an
 * empty cell for null, NULL or anything else. */
int csv_cell_write_json(struct csv_writer *w, const json_t *v);

/* Ends the current row (CRLF). Returns 0 or LMS_ENOMEM. */
int csv_row_end(struct csv_writer *w);

/* Writes a whole row of n cells (NULL entries are empty) and ends it. */
int csv_row_write(struct csv_writer *w, const char *const *cells, size_t n);

/* The media type of our CSV answers. */
#define CSV_CONTENT_TYPE "text/csv; charset=utf-8"

/*
 * Whether req asks for CSV: ?format=csv, or no ?format and an Accept header
 * naming text/csv. ?format may also be other (the list's other format,
 * e.g. "json"; NULL: none). *bom is false only for ?bom=0 (1 and absent
 * mean a byte order mark). Replies 400 naming format or bom and returns
 * false when either holds anything else.
 */
bool csv_wanted_or_reply(struct http_req *req, const char *other, bool *csv, bool *bom);

#endif
