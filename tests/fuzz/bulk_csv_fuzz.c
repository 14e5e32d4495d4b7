/* bulk_csv_fuzz.c - fuzz target: an uploaded learner list of any bytes,
 * parsed whole and in pieces, must give the same rows or the same refusal */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lms/enrollment/bulk_csv.h"

#define MAX_ROWS 50

/* What a parse handed on, as text, and how it ended. */
struct result {
	char *text;
	size_t len;
	FILE *f;
	long last_line;
	long rows;
};

static int keep(void *ctx, const struct bulk_csv_row *r)
{
	struct result *res = ctx;

	/* Rows come in file order, after the header. */
	FUZZ_CHECK(r->line >= 2 && r->line >= res->last_line);
	res->last_line = r->line;
	FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)r->email, strlen(r->email)));
	for (const char *c = r->email; *c; c++)
		FUZZ_CHECK(!(*c >= 'A' && *c <= 'Z'));
	FUZZ_CHECK(!r->name || strlen(r->name) <= BULK_CSV_FIELD_MAX);
	fprintf(res->f, "%ld|%s|%s|%s|%s\n", r->line, r->email, r->name ? r->name : "(none)",
		r->stage ? r->stage : "(none)", r->error ? r->error : "ok");
	res->rows++;
	return 0;
}

/* Parses data fed in pieces of piece bytes; fills res, returns the result
 * and the error text into err. */
static int parse(const uint8_t *data, size_t size, size_t piece, struct result *res,
		 char *err, size_t errlen)
{
	struct bulk_csv *p = bulk_csv_new(keep, res, MAX_ROWS);
	const char *why;
	long line;
	int rc = 0;

	FUZZ_CHECK(p != NULL);
	memset(res, 0, sizeof(*res));
	res->f = open_memstream(&res->text, &res->len);
	FUZZ_CHECK(res->f != NULL);
	for (size_t at = 0; at < size && rc == 0; at += piece)
		rc = bulk_csv_feed(p, data + at, size - at < piece ? size - at : piece);
	if (rc == 0)
		rc = bulk_csv_finish(p);
	why = bulk_csv_error(p, &line);
	snprintf(err, errlen, "%ld %s", line, why ? why : "");
	FUZZ_CHECK((rc == 0) == (why == NULL));
	FUZZ_CHECK(bulk_csv_rows(p) <= MAX_ROWS + 1);
	bulk_csv_free(p);
	fclose(res->f);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result whole, pieces;
	char err1[256], err2[256];
	size_t piece = size ? (size_t)data[0] % 7 + 1 : 1;
	int rc1, rc2;

	rc1 = parse(data, size, size ? size : 1, &whole, err1, sizeof(err1));
	rc2 = parse(data, size, piece, &pieces, err2, sizeof(err2));
	/* Where the pieces of the body fall changes nothing. */
	FUZZ_CHECK(rc1 == rc2);
	FUZZ_CHECK(!strcmp(err1, err2));
	FUZZ_CHECK(whole.len == pieces.len && !memcmp(whole.text, pieces.text, whole.len));
	free(whole.text);
	free(pieces.text);
	return 0;
}
