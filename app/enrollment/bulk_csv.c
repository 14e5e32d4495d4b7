/* bulk_csv.c - a learner list in CSV, parsed as it arrives (libcsv) */
#include "lms/enrollment/bulk_csv.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/account.h"
#include "lms/core/err.h"
#include "lms/core/text.h"

enum column { COL_OTHER = -1, COL_EMAIL, COL_NAME, COL_STAGE, COL_COUNT };

struct bulk_csv {
	struct csv_parser csv;
	bulk_csv_row_fn fn;
	void *ctx;
	long max_rows, rows;
	long line;                 /* the line being fed, from 1 */
	bool after_cr;             /* the last byte fed was a CR (its LF is no new line) */
	int bom;                   /* bytes of the byte order mark seen; 3: decided */
	bool header_done;
	bool data_seen;            /* a byte after the byte order mark */
	int map[16];               /* header position -> enum column */
	int ncols;
	/* The row being read: its mapped cells and how many cells it has. */
	char *cell[COL_COUNT];
	int nfields;
	bool nonempty;
	char header_problem[160];
	int err;
	char errmsg[200];
	long errline;
};

/* The cell buffer of libcsv never grows past a cell of BULK_CSV_FIELD_MAX
 * bytes (and its terminating NUL): a longer one fails as CSV_ENOMEM. */
static void *bounded_realloc(void *ptr, size_t size)
{
	if (size > BULK_CSV_FIELD_MAX + 1)
		return NULL;
	return realloc(ptr, size);
}

static void stop(struct bulk_csv *p, int err, long line, const char *msg)
{
	if (p->err)
		return;
	p->err = err;
	p->errline = line;
	snprintf(p->errmsg, sizeof(p->errmsg), "%s", msg);
}

static void row_reset(struct bulk_csv *p)
{
	for (int i = 0; i < COL_COUNT; i++) {
		free(p->cell[i]);
		p->cell[i] = NULL;
	}
	p->nfields = 0;
	p->nonempty = false;
}

static enum column column_of(const char *name)
{
	static const struct {
		const char *name;
		enum column col;
	} names[] = {
		{"email", COL_EMAIL}, {"e-mail", COL_EMAIL}, {"e_mail", COL_EMAIL},
		{"이메일", COL_EMAIL}, {"name", COL_NAME}, {"display_name", COL_NAME},
		{"이름", COL_NAME}, {"ladder_stage", COL_STAGE}, {"stage", COL_STAGE},
		{"단계", COL_STAGE},
	};
	char folded[64];
	size_t n = strlen(name);

	if (n >= sizeof(folded))
		return COL_OTHER;
	for (size_t i = 0; i <= n; i++)
		folded[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(folded, names[i].name))
			return names[i].col;
	return COL_OTHER;
}

/* One cell ended: s[0..len), NUL-terminated by libcsv (CSV_APPEND_NULL). */
static void on_cell(void *s, size_t len, void *data)
{
	struct bulk_csv *p = data;
	const char *text = s ? s : "";
	int col;

	if (p->err)
		return;
	/* Bytes that are not UTF-8 are a file in another encoding (CP949
	 * from an older Excel) or not text at all: nothing in it can be read. */
	if (!text_utf8_valid(text, len) || memchr(text, '\0', len)) {
		stop(p, LMS_EINVAL, p->line,
		     "the file is not UTF-8 text: save it as \"CSV UTF-8\"");
		return;
	}
	if (len)
		p->nonempty = true;
	if (!p->header_done) {
		if (p->nfields >= (int)(sizeof(p->map) / sizeof(p->map[0]))) {
			snprintf(p->header_problem, sizeof(p->header_problem),
				 "the header has too many columns");
		} else if ((col = column_of(text)) == COL_OTHER) {
			if (!p->header_problem[0])
				snprintf(p->header_problem, sizeof(p->header_problem),
					 "the header names an unknown column \"%.60s\": the columns "
					 "are email, name and ladder_stage",
					 text);
		} else {
			for (int i = 0; i < p->nfields; i++)
				if (p->map[i] == col && !p->header_problem[0])
					snprintf(p->header_problem, sizeof(p->header_problem),
						 "the header names column \"%.60s\" twice", text);
			p->map[p->nfields] = col;
		}
		p->nfields++;
		return;
	}
	if (p->nfields < p->ncols && (col = p->map[p->nfields]) != COL_OTHER && len &&
	    !(p->cell[col] = strndup(text, len))) {
		stop(p, LMS_ENOMEM, p->line, "out of memory");
		return;
	}
	p->nfields++;
}

static void header_end(struct bulk_csv *p)
{
	bool email = false;

	p->ncols = p->nfields;
	/* A header of more columns than map holds has its problem already. */
	for (int i = 0; i < p->ncols && i < (int)(sizeof(p->map) / sizeof(p->map[0])); i++)
		email |= p->map[i] == COL_EMAIL;
	if (!p->header_problem[0] && !email)
		snprintf(p->header_problem, sizeof(p->header_problem),
			 "the header has no email column: line 1 must name the columns, e.g. "
			 "email,name,ladder_stage");
	if (p->header_problem[0])
		stop(p, LMS_EINVAL, p->line, p->header_problem);
	p->header_done = true;
}

/* What is wrong with the row just read, into buf; false when nothing. */
static bool row_problem(struct bulk_csv *p, char *buf, size_t len)
{
	const char *problem;

	if (p->nfields != p->ncols) {
		snprintf(buf, len, "the row has %d cells; the header has %d", p->nfields,
			 p->ncols);
		return true;
	}
	if (!p->cell[COL_EMAIL]) {
		snprintf(buf, len, "email is empty");
		return true;
	}
	if ((problem = account_email_problem(p->cell[COL_EMAIL]))) {
		snprintf(buf, len, "email %s", problem);
		return true;
	}
	if (p->cell[COL_NAME] && (problem = account_display_name_problem(p->cell[COL_NAME]))) {
		snprintf(buf, len, "name %s", problem);
		return true;
	}
	if (p->cell[COL_STAGE] && !account_stage_valid(p->cell[COL_STAGE])) {
		snprintf(buf, len,
			 "ladder_stage must be one of preschool, elementary, middle, high, "
			 "undergraduate, graduate, worker, job_seeker, public_servant, general");
		return true;
	}
	return false;
}

/* One row ended (c: the character that ended it, -1 at the end of the file). */
static void on_row(int c, void *data)
{
	struct bulk_csv *p = data;
	char problem[200], email[256];
	struct bulk_csv_row row;
	int rc;

	(void)c;
	if (p->err)
		goto out;
	if (!p->header_done) {
		header_end(p);
		goto out;
	}
	if (!p->nonempty)
		goto out;
	if (++p->rows > p->max_rows) {
		stop(p, LMS_ETOOBIG, p->line, "the file has too many rows");
		goto out;
	}
	/* An address too long to be one is not cut (a cut could split a
	 * character): the row says it is wrong and shows none. */
	email[0] = '\0';
	if (p->cell[COL_EMAIL] && strlen(p->cell[COL_EMAIL]) < sizeof(email))
		account_email_fold(p->cell[COL_EMAIL], email, sizeof(email));
	row = (struct bulk_csv_row){
		.line = p->line,
		.email = email,
		.name = p->cell[COL_NAME],
		.stage = p->cell[COL_STAGE],
		.error = row_problem(p, problem, sizeof(problem)) ? problem : NULL,
	};
	if ((rc = p->fn(p->ctx, &row)) < 0)
		stop(p, rc, p->line, "the row could not be kept");
out:
	row_reset(p);
}

struct bulk_csv *bulk_csv_new(bulk_csv_row_fn fn, void *ctx, long max_rows)
{
	struct bulk_csv *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (csv_init(&p->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		free(p);
		return NULL;
	}
	csv_set_realloc_func(&p->csv, bounded_realloc);
	p->fn = fn;
	p->ctx = ctx;
	p->max_rows = max_rows;
	p->line = 1;
	return p;
}

void bulk_csv_free(struct bulk_csv *p)
{
	if (!p)
		return;
	row_reset(p);
	csv_free(&p->csv);
	free(p);
}

/* Why libcsv stopped, as the caller's error. */
static void parse_failed(struct bulk_csv *p)
{
	int e = csv_error(&p->csv);

	if (e == CSV_ENOMEM || e == CSV_ETOOBIG)
		stop(p, LMS_EINVAL, p->line, "a cell is longer than 4096 bytes");
	else
		stop(p, LMS_EINVAL, p->line,
		     "the quoting is broken: a quoted cell must end with a quote followed by a "
		     "comma or a line break, and a quote inside it is written twice");
}

/* Feeds one piece that holds at most one line break, at its end. */
static int feed_piece(struct bulk_csv *p, const char *s, size_t n)
{
	if (csv_parse(&p->csv, s, n, on_cell, on_row, p) != n)
		parse_failed(p);
	return p->err;
}

int bulk_csv_feed(struct bulk_csv *p, const void *data, size_t len)
{
	static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
	const char *s = data;

	if (p->err)
		return p->err;
	while (len && p->bom < 3) {
		if (p->bom == 0 && (unsigned char)*s != bom[0]) {
			p->bom = 3;
			break;
		}
		if ((unsigned char)*s != bom[p->bom]) {
			stop(p, LMS_EINVAL, 1, "the file is not UTF-8 text: save it as \"CSV UTF-8\"");
			return p->err;
		}
		p->bom++;
		s++;
		len--;
	}
	if (len)
		p->data_seen = true;
	/* Line by line, so that a row's line is known when it ends. A line
	 * ends in LF, CRLF or a lone CR (old Macintosh files). */
	while (len) {
		size_t n = 0;

		while (n < len && s[n] != '\n' && s[n] != '\r')
			n++;
		if (n < len)
			n++;
		if (feed_piece(p, s, n) < 0)
			return p->err;
		if (s[n - 1] == '\r' || (s[n - 1] == '\n' && !(n == 1 && p->after_cr)))
			p->line++;
		p->after_cr = s[n - 1] == '\r';
		s += n;
		len -= n;
	}
	return p->err;
}

int bulk_csv_finish(struct bulk_csv *p)
{
	if (p->err)
		return p->err;
	if (p->bom > 0 && p->bom < 3) {
		stop(p, LMS_EINVAL, 1, "the file is not UTF-8 text: save it as \"CSV UTF-8\"");
		return p->err;
	}
	if (!p->data_seen) {
		stop(p, LMS_EINVAL, 1, "the file is empty: line 1 must name the columns, e.g. "
				       "email,name,ladder_stage");
		return p->err;
	}
	if (csv_fini(&p->csv, on_cell, on_row, p) != 0)
		parse_failed(p);
	if (!p->err && !p->header_done)
		stop(p, LMS_EINVAL, 1, "the file has no header line");
	return p->err;
}

const char *bulk_csv_error(const struct bulk_csv *p, long *line)
{
	*line = p->err ? p->errline : 0;
	return p->err ? p->errmsg : NULL;
}

long bulk_csv_rows(const struct bulk_csv *p) { return p->rows; }
