/* bulk_csv_test.c - unit tests for the learner-list parser: header names,
 * BOM, quoting, line numbers, row checks, bounds, pieces of any size */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/enrollment/bulk_csv.h"

#define BOM "\xEF\xBB\xBF"
#define LIT(s) (s), sizeof(s) - 1

/* What the parser handed on: one line of text per row. */
struct seen {
	char text[4096];
	size_t len;
	int rows;
};

static int collect(void *ctx, const struct bulk_csv_row *r)
{
	struct seen *s = ctx;

	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%ld|%s|%s|%s|%s\n",
				   r->line, r->email, r->name ? r->name : "-",
				   r->stage ? r->stage : "-", r->error ? r->error : "ok");
	s->rows++;
	return 0;
}

/* Parses text fed piece bytes at a time; returns the result, the rows in s. */
static int parse(const char *text, size_t len, size_t piece, long max_rows, struct seen *s,
		 char *err, size_t errlen)
{
	struct bulk_csv *p = bulk_csv_new(collect, s, max_rows);
	const char *why;
	long line;
	int rc = 0;

	assert_non_null(p);
	memset(s, 0, sizeof(*s));
	for (size_t at = 0; at < len && rc == 0; at += piece)
		rc = bulk_csv_feed(p, text + at, len - at < piece ? len - at : piece);
	if (rc == 0)
		rc = bulk_csv_finish(p);
	why = bulk_csv_error(p, &line);
	if (err)
		snprintf(err, errlen, "%ld: %s", line, why ? why : "");
	bulk_csv_free(p);
	return rc;
}

static void rows_with_header_names_bom_and_quoting(void **state)
{
	static const char text[] = BOM "E-Mail,이름,Stage\r\n"
				   "Kim@Example.com,\"Kim, \"\"Q\"\"\",worker\r\n"
				   "\r\n"
				   ",,\r\n"
				   "lee@example.com,\"two\nlines\",\r\n"
				   "park@example.com,,high";
	static const char want[] = "2|kim@example.com|Kim, \"Q\"|worker|ok\n"
				   /* a row that spans lines is named by its last; a
				    * name cannot hold a line break */
				   "6|lee@example.com|two\nlines|-|name must not contain control characters\n"
				   "7|park@example.com|-|high|ok\n";
	struct seen s;

	(void)state;
	/* Whole, a byte at a time, and in odd pieces: the same rows. */
	for (size_t piece = 1; piece <= sizeof(text); piece += 3) {
		assert_int_equal(parse(text, sizeof(text) - 1, piece, 100, &s, NULL, 0), 0);
		assert_string_equal(s.text, want);
	}
}

static void lines_end_in_lf_crlf_or_cr(void **state)
{
	static const char text[] = "email\ra@x.kr\r\nb@x.kr\rc@x.kr\n\rd@x.kr";
	struct seen s;

	(void)state;
	for (size_t piece = 1; piece <= sizeof(text); piece++) {
		assert_int_equal(parse(text, sizeof(text) - 1, piece, 100, &s, NULL, 0), 0);
		assert_string_equal(s.text, "2|a@x.kr|-|-|ok\n3|b@x.kr|-|-|ok\n4|c@x.kr|-|-|ok\n"
					    "6|d@x.kr|-|-|ok\n");
	}
}

static void row_errors_come_with_their_rows(void **state)
{
	static const char text[] = "email,name,ladder_stage\n"
				   "a@example.com\n"
				   "b@example.com,B,wizard\n"
				   ",C,high\n"
				   "no-at-sign,D,\n"
				   "e@example.com,E,worker,extra\n";
	struct seen s;

	(void)state;
	assert_int_equal(parse(text, sizeof(text) - 1, 7, 100, &s, NULL, 0), 0);
	assert_int_equal(s.rows, 5);
	assert_non_null(strstr(s.text, "2|a@example.com|-|-|the row has 1 cells; the header has 3"));
	assert_non_null(strstr(s.text, "3|b@example.com|B|wizard|ladder_stage must be one of"));
	assert_non_null(strstr(s.text, "4||C|high|email is empty"));
	assert_non_null(strstr(s.text, "5|no-at-sign|D|-|email must have one @"));
	assert_non_null(strstr(s.text, "6|e@example.com|E|worker|the row has 4 cells"));
}

static void a_long_address_is_an_error_and_not_cut(void **state)
{
	char text[1200], err[64];
	struct seen s;
	size_t n = (size_t)sprintf(text, "email\n");

	(void)state;
	/* 300 bytes of two-byte characters: cut at 255 it would end inside one. */
	for (int i = 0; i < 150; i++)
		n += (size_t)sprintf(text + n, "\xC3\xA9");
	n += (size_t)sprintf(text + n, "@example.com\n");
	assert_int_equal(parse(text, n, 64, 10, &s, err, sizeof(err)), 0);
	assert_string_equal(s.text, "2||-|-|email must be 3 to 254 bytes\n");
}

static void unreadable_files_stop_with_their_line(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		int rc;
		const char *err;
	} cases[] = {
		{LIT(""), LMS_EINVAL, "1: the file is empty"},
		{LIT(BOM), LMS_EINVAL, "1: the file is empty"},
		{LIT("\xEF\xBB"), LMS_EINVAL, "1: the file is not UTF-8"},
		{LIT("name\nx\n"), LMS_EINVAL, "1: the header has no email column"},
		{LIT("email,phone\n"), LMS_EINVAL, "1: the header names an unknown column \"phone\""},
		{LIT("stage,,,,,,,,,,,,,,,,,,,,i\nm\n"), LMS_EINVAL, "1: the header has too many columns"},
		{LIT("email,e-mail\n"), LMS_EINVAL, "1: the header names column \"e-mail\" twice"},
		{LIT("email\n\"a@example.com\"x\n"), LMS_EINVAL, "2: the quoting is broken"},
		{LIT("email\n\"a@example.com\n"), LMS_EINVAL, "the quoting is broken"},
		{LIT("email\na\xff@example.com\n"), LMS_EINVAL, "2: the file is not UTF-8"},
		{LIT("email\na\0@example.com\n"), LMS_EINVAL, "2: the file is not UTF-8"},
		{LIT("email\na@x.kr\nb@x.kr\nc@x.kr\n"), LMS_ETOOBIG, "4: the file has too many rows"},
	};
	struct seen s;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(cases[i].text, cases[i].len, 5, 2, &s, err, sizeof(err));

		if (rc != cases[i].rc || !strstr(err, cases[i].err))
			fail_msg("case %zu: expected %d \"%s\", got %d \"%s\"", i, cases[i].rc,
				 cases[i].err, rc, err);
	}
}

static void a_huge_cell_is_refused_without_growing(void **state)
{
	size_t n = 1 << 20;
	char *text = malloc(n + 64), err[256];
	struct seen s;
	size_t len;

	(void)state;
	assert_non_null(text);
	len = (size_t)sprintf(text, "email\n\"");
	memset(text + len, 'x', n);
	len += n;
	assert_int_equal(parse(text, len, 65536, 100, &s, err, sizeof(err)), LMS_EINVAL);
	assert_non_null(strstr(err, "2: a cell is longer than 4096 bytes"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_with_header_names_bom_and_quoting),
		cmocka_unit_test(lines_end_in_lf_crlf_or_cr),
		cmocka_unit_test(row_errors_come_with_their_rows),
		cmocka_unit_test(a_long_address_is_an_error_and_not_cut),
		cmocka_unit_test(unreadable_files_stop_with_their_line),
		cmocka_unit_test(a_huge_cell_is_refused_without_growing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
