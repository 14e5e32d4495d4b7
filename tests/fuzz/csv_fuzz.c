/* csv_fuzz.c - fuzz target: CSV cells of any bytes, read back as RFC 4180 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "lms/http/csv.h"

#define ROW_END 0xFF

struct cell {
	const char *s;
	size_t len;
	bool row_end;  /* not a cell: the row ends here */
};

/* Whether a spreadsheet would read a cell starting with c as a formula. */
static bool formula_char(char c)
{
	return c && strchr("=+-@\t\r", c);
}

/* The cell that starts at text[*pos] (RFC 4180, nothing lenient) into
 * out, *pos past it. Returns its length, or -1 when it is malformed. */
static long read_field(const char *text, size_t len, size_t *pos, char *out)
{
	size_t p = *pos, n = 0;

	if (p < len && text[p] == '"') {
		for (p++;; p++) {
			if (p >= len)
				return -1;
			if (text[p] == '"' && (p + 1 >= len || text[p + 1] != '"'))
				break;
			out[n++] = text[p];
			if (text[p] == '"')
				p++;
		}
		p++;
	} else {
		for (; p < len && text[p] != ',' && text[p] != '\r' && text[p] != '\n'; p++) {
			if (text[p] == '"')
				return -1;
			out[n++] = text[p];
		}
	}
	*pos = p;
	return (long)n;
}

/* What a cell of s[0..len) must read back as: the text, behind a single
 * quote when a spreadsheet would take it for a formula. */
static bool reads_back(const char *got, long n, const struct cell *c)
{
	bool formula = c->len > 0 && formula_char(c->s[0]);
	size_t quote = formula ? 1 : 0;

	if (n > 0 && formula_char(got[0]))
		return false;
	return (size_t)n == c->len + quote && (!formula || got[0] == '\'') &&
	       memcmp(got + quote, c->s, c->len) == 0;
}

/*
 * Input: a flags byte (1: byte order mark, 2: cells as JSON strings), then
 * cells as a length byte and that many bytes; a length byte of 0xFF ends a
 * row instead.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cell *cells = calloc(size + 1, sizeof(*cells));
	size_t ncells = 0, pos = 0, i = 1, in_row = 0;
	bool bom = size && (data[0] & 1), as_json = size && (data[0] & 2);
	struct csv_writer w;
	char *field;

	FUZZ_CHECK(cells != NULL);
	FUZZ_CHECK(csv_writer_init(&w, bom) == 0);
	while (i < size) {
		struct cell *c = &cells[ncells++];

		if (data[i] == ROW_END) {
			c->row_end = true;
			i++;
			FUZZ_CHECK(csv_row_end(&w) == 0);
			in_row = 0;
			continue;
		}
		c->len = data[i] < size - i - 1 ? data[i] : size - i - 1;
		c->s = (const char *)data + i + 1;
		i += 1 + c->len;
		if (as_json) {
			json_t *v = json_stringn_nocheck(c->s, c->len);

			FUZZ_CHECK(v && csv_cell_write_json(&w, v) == 0);
			json_decref(v);
		} else {
			FUZZ_CHECK(csv_cell_write(&w, c->s, c->len) == 0);
		}
		in_row++;
	}
	if (in_row) {
		FUZZ_CHECK(csv_row_end(&w) == 0);
		cells[ncells++].row_end = true;
	}

	/* Read it back: the byte order mark, then each row as it was written
	 * (a row of no cells reads as one empty cell). */
	FUZZ_CHECK(w.err == 0);
	if (bom) {
		FUZZ_CHECK(w.len >= 3 && memcmp(w.data, "\xEF\xBB\xBF", 3) == 0);
		pos = 3;
	}
	field = malloc(w.len + 1);
	FUZZ_CHECK(field != NULL);
	for (size_t k = 0; k < ncells; k++) {
		struct cell empty = {"", 0, false};
		const struct cell *c = cells[k].row_end ? &empty : &cells[k];
		long n = read_field(w.data, w.len, &pos, field);

		FUZZ_CHECK(n >= 0);
		FUZZ_CHECK(reads_back(field, n, c));
		if (!cells[k].row_end && !cells[k + 1].row_end) {
			FUZZ_CHECK(pos < w.len && w.data[pos] == ',');
			pos++;
			continue;
		}
		FUZZ_CHECK(pos + 2 <= w.len && memcmp(w.data + pos, "\r\n", 2) == 0);
		pos += 2;
		if (!cells[k].row_end)
			k++;
	}
	FUZZ_CHECK(pos == w.len);
	free(field);
	csv_writer_release(&w);
	free(cells);
	return 0;
}
