/* decision_csv.c - a file of stage decisions (CSV) read into rows, with the
 * line of every fault */
#include "lms/selection/decision_csv.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"

enum column { COL_APPLICATION, COL_EMAIL, COL_STAGE, COL_SCORE, COL_DECISION, COL_REASON,
	      NCOLUMNS };

static const char *const column_names[NCOLUMNS] = {
	"application_id", "email", "stage", "score", "decision", "reason",
};

#define MAX_FIELDS 16

struct reader {
	json_t *rows, *errors;
	int map[MAX_FIELDS];      /* field position -> column, -1 unknown */
	int nmap;
	bool header_done, header_bad;
	char *fields[MAX_FIELDS]; /* the current record's values (owned) */
	int nfields;
	bool too_many_fields;
	long line;                /* the physical line being read, 1 first */
	int nomem;
};

static void error_add(struct reader *r, long line, const char *column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void error_add(struct reader *r, long line, const char *column, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json_array_append_new(r->errors, json_pack("{s:I, s:s?, s:s}", "line",
							(json_int_t)line, "column", column,
							"message", msg)) < 0)
		r->nomem = 1;
}

static void on_field(void *data, size_t len, void *arg)
{
	struct reader *r = arg;
	char *v;

	if (r->nfields >= MAX_FIELDS) {
		r->too_many_fields = true;
		return;
	}
	if (!(v = malloc(len + 1))) {
		r->nomem = 1;
		return;
	}
	memcpy(v, data ? data : "", len);
	v[len] = '\0';
	r->fields[r->nfields++] = v;
}

static void header_read(struct reader *r)
{
	bool seen[NCOLUMNS] = {false};

	r->header_done = true;
	r->nmap = r->nfields;
	for (int i = 0; i < r->nfields; i++) {
		r->map[i] = -1;
		for (int c = 0; c < NCOLUMNS; c++)
			if (!strcmp(r->fields[i], column_names[c]))
				r->map[i] = c;
		if (r->map[i] < 0) {
			error_add(r, r->line, r->fields[i],
				  "is not a column: use application_id or email, stage, score, "
				  "decision, reason");
			r->header_bad = true;
		} else if (seen[r->map[i]]) {
			error_add(r, r->line, r->fields[i], "is named twice");
			r->header_bad = true;
		} else {
			seen[r->map[i]] = true;
		}
	}
	if (seen[COL_APPLICATION] == seen[COL_EMAIL]) {
		error_add(r, r->line, NULL, "name one of the columns application_id and email");
		r->header_bad = true;
	}
	if (!seen[COL_STAGE]) {
		error_add(r, r->line, "stage", "the column stage is required");
		r->header_bad = true;
	}
}

/* A whole number in [lo, hi] with nothing else around it. */
static bool whole_number(const char *s, long long lo, long long hi, long long *out)
{
	char *end;

	if (!*s || *s == ' ' || *s == '+' || *s == '-')
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && !*end && *out >= lo && *out <= hi;
}

static void row_read(struct reader *r)
{
	json_t *row, *reason;
	long long n;
	bool bad = false, blank = true;

	for (int i = 0; i < r->nfields; i++)
		if (r->fields[i][0])
			blank = false;
	if (blank)
		return; /* an empty line, often the last one */
	if (r->nfields != r->nmap || r->too_many_fields) {
		error_add(r, r->line, NULL, "has %d fields; the header names %d", r->nfields,
			  r->nmap);
		return;
	}
	if (json_array_size(r->rows) >= DECISION_CSV_MAX_ROWS) {
		error_add(r, r->line, NULL, "is past the limit of %d decisions in one file",
			  DECISION_CSV_MAX_ROWS);
		return;
	}
	if (!(row = json_pack("{s:I}", "line", (json_int_t)r->line))) {
		r->nomem = 1;
		return;
	}
	for (int i = 0; i < r->nfields; i++) {
		const char *v = r->fields[i], *name = column_names[r->map[i]];

		switch (r->map[i]) {
		case COL_APPLICATION:
		case COL_STAGE:
			if (!whole_number(v, 1, r->map[i] == COL_STAGE ? 20 : 1LL << 62, &n)) {
				error_add(r, r->line, name, "must be %s",
					  r->map[i] == COL_STAGE ? "a stage's position, 1 to 20"
								 : "an application's id");
				bad = true;
			} else {
				json_object_set_new(row, name, json_integer(n));
			}
			break;
		case COL_EMAIL:
			if (strlen(v) < 3 || strlen(v) > 254 || !strchr(v, '@')) {
				error_add(r, r->line, name, "must be an applicant's e-mail address");
				bad = true;
			} else {
				json_object_set_new(row, name, json_string(v));
			}
			break;
		case COL_SCORE:
			if (!*v)
				break;
			if (!whole_number(v, 0, 1000000, &n)) {
				error_add(r, r->line, name, "must be a whole number from 0 to 1000000");
				bad = true;
			} else {
				json_object_set_new(row, name, json_integer(n));
			}
			break;
		case COL_DECISION:
			if (!*v)
				break;
			if (strcmp(v, "pass") != 0 && strcmp(v, "fail") != 0) {
				error_add(r, r->line, name, "must be pass or fail, or empty");
				bad = true;
			} else {
				json_object_set_new(row, name, json_string(v));
			}
			break;
		case COL_REASON:
			if (!*v)
				break;
			if (strlen(v) > 2000 || !(reason = json_string(v))) {
				error_add(r, r->line, name, "must be UTF-8 text of at most 500 characters");
				bad = true;
			} else {
				json_object_set_new(row, name, reason);
			}
			break;
		}
	}
	if (bad || json_array_append(r->rows, row) < 0)
		r->nomem |= !bad;
	json_decref(row);
}

static void on_record(int c, void *arg)
{
	struct reader *r = arg;

	(void)c;
	if (!r->header_done)
		header_read(r);
	else if (!r->header_bad)
		row_read(r);
	for (int i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	r->nfields = 0;
	r->too_many_fields = false;
}

int decision_csv_parse(const char *text, size_t len, json_t **rows, json_t **errors)
{
	struct reader r = {.line = 1};
	struct csv_parser p;
	size_t at = 0;
	int rc = 0;

	*rows = *errors = NULL;
	if (!(r.rows = json_array()) || !(r.errors = json_array()) ||
	    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		json_decref(r.rows);
		json_decref(r.errors);
		return LMS_ENOMEM;
	}
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		at = 3;
	/* Fed a line at a time, so that each record knows the line it ends on. */
	while (at < len && !r.nomem) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) + 1 : len - at;

		if (memchr(text + at, '\0', n)) {
			error_add(&r, r.line, NULL, "holds a NUL byte: the file is not CSV text");
			break;
		}
		if (csv_parse(&p, text + at, n, on_field, on_record, &r) != n) {
			error_add(&r, r.line, NULL, "is not valid CSV: %s",
				  csv_strerror(csv_error(&p)));
			break;
		}
		at += n;
		if (nl)
			r.line++;
	}
	if (at >= len && !r.nomem && csv_fini(&p, on_field, on_record, &r) != 0)
		error_add(&r, r.line, NULL, "is not valid CSV: %s", csv_strerror(csv_error(&p)));
	if (!r.header_done && !json_array_size(r.errors))
		error_add(&r, 1, NULL, "the file is empty: its first line names the columns");
	for (int i = 0; i < r.nfields; i++)
		free(r.fields[i]);
	csv_free(&p);
	if (r.nomem) {
		rc = LMS_ENOMEM;
		json_decref(r.rows);
		json_decref(r.errors);
		return rc;
	}
	*rows = r.rows;
	*errors = r.errors;
	return 0;
}
