/* decision_csv.h - a file of stage decisions (CSV) read into rows, with the
 * line of every fault */
#ifndef LMS_SELECTION_DECISION_CSV_H
#define LMS_SELECTION_DECISION_CSV_H

#include <stddef.h>

#include <jansson.h>

/* At most this many decisions in one file. */
#define DECISION_CSV_MAX_ROWS 5000

/*
 * Reads text (len bytes; a UTF-8 byte-order mark is skipped) with libcsv.
 * The first record names the columns: application_id or email (one of
 * them), stage (the stage's position, 1 first), and optionally score (a
 * whole number 0..1000000), decision (pass or fail) and reason (at most
 * 500 characters). Fills *rows (new array) with one object per record:
 * {"line", "application_id" or "email", "stage", "score"?, "decision"?,
 * "reason"?}, and *errors (new array, empty when none) with {"line",
 * "column", "message"} for every fault; a row with a fault is not in rows.
 * "line" is the line of the file the record ends on (the header is 1).
 * Returns 0, or LMS_ENOMEM.
 */
int decision_csv_parse(const char *text, size_t len, json_t **rows, json_t **errors);

#endif
