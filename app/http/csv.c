/* csv.c - RFC 4180 CSV: a row writer safe to open in a spreadsheet, and
 * choosing CSV for a request */
#include "lms/http/csv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "lms/core/err.h"
#include "lms/http/request.h"
#include "lms/http/response.h"

#define CSV_FIRST_CAP 4096

/* Makes room for n more bytes. */
static int reserve(struct csv_writer *w, size_t n)
{
	size_t cap;
	char *p;

	if (w->err)
		return w->err;
	if (n <= w->cap - w->len)
		return 0;
	if (n > SIZE_MAX / 2 - w->len) {
		w->err = LMS_ENOMEM;
		return w->err;
	}
	for (cap = w->cap ? w->cap : CSV_FIRST_CAP; cap - w->len < n;)
		cap *= 2;
	if (!(p = realloc(w->data, cap))) {
		w->err = LMS_ENOMEM;
		return w->err;
	}
	w->data = p;
	w->cap = cap;
	return 0;
}

static void put(struct csv_writer *w, const void *s, size_t n)
{
	memcpy(w->data + w->len, s, n);
	w->len += n;
}

int csv_writer_init(struct csv_writer *w, bool bom)
{
	memset(w, 0, sizeof(*w));
	if (bom && reserve(w, 3) == 0)
		put(w, "\xEF\xBB\xBF", 3);
	return w->err;
}

void csv_writer_release(struct csv_writer *w)
{
	free(w->data);
	memset(w, 0, sizeof(*w));
}

void csv_writer_clear(struct csv_writer *w)
{
	w->len = 0;
}

/* Spreadsheets read a cell starting with one of these as a formula (tab
 * and CR are stripped by some before they look). */
static bool formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

int csv_cell_write(struct csv_writer *w, const char *s, size_t len)
{
	bool quote = false, neutral;
	size_t quotes = 0;

	if (!s)
		len = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			quotes++;
		if (s[i] == '"' || s[i] == ',' || s[i] == '\r' || s[i] == '\n')
			quote = true;
	}
	neutral = len > 0 && formula_start(s[0]);
	/* Separator, quote mark, both enclosing quotes, doubled quotes. */
	if (reserve(w, 1 + (neutral ? 1 : 0) + (quote ? 2 : 0) + len + quotes) < 0)
		return w->err;
	if (w->in_row)
		put(w, ",", 1);
	w->in_row = true;
	if (quote)
		put(w, "\"", 1);
	if (neutral)
		put(w, "'", 1);
	for (size_t i = 0; i < len; i++) {
		w->data[w->len++] = s[i];
		if (s[i] == '"')
			w->data[w->len++] = '"';
	}
	if (quote)
		put(w, "\"", 1);
	return 0;
}

int csv_cell_write_str(struct csv_writer *w, const char *s)
{
	return csv_cell_write(w, s, s ? strlen(s) : 0);
}

int csv_cell_write_json(struct csv_writer *w, const json_t *v)
{
	char num[32];

	if (json_is_string(v))
		return csv_cell_write(w, json_string_value(v), json_string_length(v));
	if (json_is_integer(v))
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(num, sizeof(num), "%.10g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(num, sizeof(num), "%s", json_is_true(v) ? "true" : "false");
	else
		num[0] = '\0';
	return csv_cell_write_str(w, num);
}

int csv_row_end(struct csv_writer *w)
{
	if (reserve(w, 2) < 0)
		return w->err;
	put(w, "\r\n", 2);
	w->in_row = false;
	return 0;
}

int csv_row_write(struct csv_writer *w, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		csv_cell_write_str(w, cells[i]);
	return csv_row_end(w);
}

/* Whether the Accept header value names text/csv among its media ranges
 * (parameters such as q aside). */
static bool accept_names_csv(const char *accept)
{
	for (const char *p = accept; p && *p;) {
		size_t len = strcspn(p, ","), type;
		const char *t = p;

		while (t < p + len && (*t == ' ' || *t == '\t'))
			t++;
		type = strcspn(t, ";,");
		while (type && (t[type - 1] == ' ' || t[type - 1] == '\t'))
			type--;
		if (type == 8 && strncasecmp(t, "text/csv", 8) == 0)
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

bool csv_wanted_or_reply(struct http_req *req, const char *other, bool *csv, bool *bom)
{
	char format[16], b[8], msg[64];
	json_t *errors = NULL;
	int n;

	*csv = false;
	*bom = true;
	if ((n = http_req_query(req, "format", format, sizeof(format))) == -1)
		*csv = accept_names_csv(http_req_header(req, "Accept"));
	else if (n > 0 && strcmp(format, "csv") == 0)
		*csv = true;
	else if (n <= 0 || !other || strcmp(format, other) != 0) {
		snprintf(msg, sizeof(msg), "must be csv%s%s", other ? " or " : "",
			 other ? other : "");
		http_json_error_add(&errors, "format", msg);
	}
	if ((n = http_req_query(req, "bom", b, sizeof(b))) != -1) {
		if (n == 1 && (b[0] == '0' || b[0] == '1'))
			*bom = b[0] == '1';
		else
			http_json_error_add(&errors, "bom", "must be 0 or 1");
	}
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the format parameters are not valid");
		return false;
	}
	return true;
}
