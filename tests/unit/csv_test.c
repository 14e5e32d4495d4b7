/* csv_test.c - unit tests for the CSV writer: quoting, CRLF, BOM, formulas */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/http/csv.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define BOM "\xEF\xBB\xBF"

/* Fails unless w holds exactly the text want. */
static void assert_text(const struct csv_writer *w, const char *want)
{
	assert_int_equal(w->err, 0);
	if (w->len != strlen(want) || memcmp(w->data, want, w->len) != 0)
		fail_msg("expected [%s] (%zu bytes), got [%.*s] (%zu bytes)", want, strlen(want),
			 (int)w->len, w->data ? w->data : "", w->len);
}

/* The whole text of a writer (with a BOM or not) after one row of one
 * cell. */
static void assert_row(bool bom, const char *cell, const char *want)
{
	struct csv_writer w;

	assert_int_equal(csv_writer_init(&w, bom), 0);
	assert_int_equal(csv_cell_write_str(&w, cell), 0);
	assert_int_equal(csv_row_end(&w), 0);
	assert_text(&w, want);
	csv_writer_release(&w);
}

/* One cell alone in a row, as written. */
static void assert_cell(const char *cell, const char *want)
{
	char row[256];

	snprintf(row, sizeof(row), "%s\r\n", want);
	assert_row(false, cell, row);
}

static void rows_end_in_crlf(void **state)
{
	const char *header[] = {"id", "name"}, *row[] = {"1", NULL};
	struct csv_writer w;

	assert_int_equal(csv_writer_init(&w, false), 0);
	assert_int_equal(csv_row_write(&w, header, NELEMS(header)), 0);
	assert_int_equal(csv_row_write(&w, row, NELEMS(row)), 0);
	/* A row of one empty cell is still a row. */
	assert_int_equal(csv_cell_write(&w, NULL, 0), 0);
	assert_int_equal(csv_row_end(&w), 0);
	assert_text(&w, "id,name\r\n1,\r\n\r\n");
	csv_writer_release(&w);
}

static void special_characters_are_quoted(void **state)
{
	assert_cell("plain text", "plain text");
	assert_cell("a,b", "\"a,b\"");
	assert_cell("say \"hi\"", "\"say \"\"hi\"\"\"");
	assert_cell("\"", "\"\"\"\"");
	assert_cell("line\nbreak", "\"line\nbreak\"");
	assert_cell("line\r\nbreak", "\"line\r\nbreak\"");
	assert_cell("end\r", "\"end\r\"");
	assert_cell("", "");
	assert_cell(NULL, "");
	/* Spaces and single quotes need no quoting (RFC 4180). */
	assert_cell(" padded ", " padded ");
	assert_cell("it's", "it's");
}

static void korean_text_is_kept_byte_for_byte(void **state)
{
	assert_cell("김학습", "김학습");
	assert_cell("광주과학기술원, GIST", "\"광주과학기술원, GIST\"");
	assert_cell("인공지능 \"두드림\"", "\"인공지능 \"\"두드림\"\"\"");
}

static void bom_is_optional(void **state)
{
	assert_row(true, "이름", BOM "이름\r\n");
	assert_row(false, "이름", "이름\r\n");
}

/* Every cell that begins like a formula gets a leading quote, numbers
 * included: no exception an attacker could aim at. */
static void formulas_are_neutralised(void **state)
{
	assert_cell("=1+1", "'=1+1");
	assert_cell("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0");
	assert_cell("+82-10-1234-5678", "'+82-10-1234-5678");
	assert_cell("-5", "'-5");
	assert_cell("-", "'-");
	assert_cell("-1+1|cmd", "'-1+1|cmd");
	assert_cell("@SUM(A1:A9)", "'@SUM(A1:A9)");
	assert_cell("\t=1+1", "'\t=1+1");
	assert_cell("\r=1+1", "\"'\r=1+1\"");
	/* Quoted and neutralised: the quote mark goes inside the quotes. */
	assert_cell("=HYPERLINK(\"http://x\",\"y\")",
		    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	assert_cell("=a,b", "\"'=a,b\"");
	/* Only the first character counts. */
	assert_cell("a=b", "a=b");
	assert_cell("5-3", "5-3");
	assert_cell("5", "5");
	assert_cell("'=already", "'=already");
}

static void cells_are_separated_within_a_row(void **state)
{
	struct csv_writer w;

	assert_int_equal(csv_writer_init(&w, false), 0);
	csv_cell_write_str(&w, "a");
	csv_cell_write_str(&w, "");
	csv_cell_write_str(&w, "=b");
	csv_row_end(&w);
	csv_cell_write_str(&w, "c");
	assert_int_equal(csv_row_end(&w), 0);
	assert_text(&w, "a,,'=b\r\nc\r\n");
	csv_writer_release(&w);
}

/* Cells with their length: bytes after len are not written. */
static void cells_take_a_length(void **state)
{
	struct csv_writer w;

	assert_int_equal(csv_writer_init(&w, false), 0);
	assert_int_equal(csv_cell_write(&w, "abc,def", 3), 0);
	assert_int_equal(csv_cell_write(&w, "x\"y", 3), 0);
	assert_int_equal(csv_row_end(&w), 0);
	assert_text(&w, "abc,\"x\"\"y\"\r\n");
	csv_writer_release(&w);
}

/* A streaming writer sends and clears: what follows starts afresh, and
 * the buffer grows past its first size when a row needs it. */
/* JSON values as cells: numbers in decimal, strings through the same
 * quoting and neutralising, null empty. */
static void json_values_are_cells(void **state)
{
	json_t *row = json_pack("[s, I, f, f, b, n, s, I]", "Kim, \"Q\"", (json_int_t)-5, 0.6667,
				1.0, 1, "=1+1", (json_int_t)20000000000LL);
	struct csv_writer w;
	size_t i;
	json_t *v;

	assert_non_null(row);
	assert_int_equal(csv_writer_init(&w, false), 0);
	json_array_foreach(row, i, v)
		assert_int_equal(csv_cell_write_json(&w, v), 0);
	assert_int_equal(csv_cell_write_json(&w, NULL), 0);
	assert_int_equal(csv_row_end(&w), 0);
	assert_text(&w, "\"Kim, \"\"Q\"\"\",'-5,0.6667,1,true,,'=1+1,20000000000,\r\n");
	csv_writer_release(&w);
	json_decref(row);
}

static void clear_and_growth(void **state)
{
	struct csv_writer w;
	char *big = malloc(20001);

	assert_non_null(big);
	memset(big, '"', 20000);
	big[20000] = '\0';
	assert_int_equal(csv_writer_init(&w, true), 0);
	csv_cell_write_str(&w, "first");
	csv_row_end(&w);
	csv_writer_clear(&w);
	assert_int_equal(w.len, 0);
	csv_cell_write_str(&w, big);
	assert_int_equal(csv_row_end(&w), 0);
	/* 20000 quotes doubled, enclosed in quotes, then CRLF. */
	assert_int_equal(w.len, 2 + 40000 + 2);
	assert_int_equal(w.data[0], '"');
	assert_int_equal(w.data[w.len - 3], '"');
	assert_memory_equal(w.data + w.len - 2, "\r\n", 2);
	for (size_t i = 1; i < w.len - 2; i++)
		if (w.data[i] != '"')
			fail_msg("byte %zu is not a quote", i);
	free(big);
	csv_writer_release(&w);
	/* Releasing twice, or a zeroed writer, is harmless. */
	csv_writer_release(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_end_in_crlf),
		cmocka_unit_test(special_characters_are_quoted),
		cmocka_unit_test(korean_text_is_kept_byte_for_byte),
		cmocka_unit_test(bom_is_optional),
		cmocka_unit_test(formulas_are_neutralised),
		cmocka_unit_test(cells_are_separated_within_a_row),
		cmocka_unit_test(cells_take_a_length),
		cmocka_unit_test(json_values_are_cells),
		cmocka_unit_test(clear_and_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
