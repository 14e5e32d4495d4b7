/* query_fuzz.c - fuzz target: query parameters (CivetWeb's mg_get_var, our UTF-8 check), cursors */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "lms/http/request.h"

/* Bytes after the buffer handed to mg_get_var, which is not instrumented:
 * a write past the end shows as a changed guard byte. */
#define GUARD_BYTES 16
#define GUARD 0xA5

/* A cursor id must come back from the cursor made of it. */
static void check_cursor_round_trip(long long id)
{
	json_t *cursor = http_page_cursor(id, 1, 1);
	long long back = 0;

	FUZZ_CHECK(json_is_string(cursor));
	FUZZ_CHECK(json_string_length(cursor) <= 40);
	FUZZ_CHECK(http_page_cursor_decode(json_string_value(cursor), &back));
	FUZZ_CHECK(back == id);
	json_decref(cursor);
}

static void check_cursor(const char *text)
{
	long long id = 0;

	if (http_page_cursor_decode(text, &id)) {
		FUZZ_CHECK(id > 0);
		check_cursor_round_trip(id);
	}
}

/*
 * Input: one byte choosing the buffer size (1..80 bytes; the server uses 8
 * to 64), then "name\0query" or just a query, read as "cursor". The value
 * found also goes through the cursor decoder, as the list routes do.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = size ? 1 + data[0] % 80 : 16, rest = size ? size - 1 : 0;
	char *input = fuzz_strndup(size ? data + 1 : data, rest);
	const char *name = "cursor", *query = input;
	unsigned char *buf = malloc(len + GUARD_BYTES);
	struct http_req req = {0};
	long long id;
	int n;

	FUZZ_CHECK(buf != NULL);
	if (memchr(input, '\0', rest)) {
		name = fuzz_part(input, rest, 0);
		query = fuzz_part(input, rest, 1);
	}
	req.query = query;
	memset(buf, GUARD, len + GUARD_BYTES);
	n = http_req_query(&req, name, (char *)buf, len);
	for (size_t i = len; i < len + GUARD_BYTES; i++)
		FUZZ_CHECK(buf[i] == GUARD);
	FUZZ_CHECK(n >= -2);
	if (n >= 0) {
		FUZZ_CHECK((size_t)n < len && buf[n] == '\0');
		FUZZ_CHECK(strlen((char *)buf) == (size_t)n);
		FUZZ_CHECK(fuzz_utf8_valid(buf, (size_t)n));
		for (int i = 0; i < n; i++)
			FUZZ_CHECK(buf[i] >= 0x20 && buf[i] != 0x7F);
		check_cursor((const char *)buf);
	}
	check_cursor(query);
	/* And every id, whatever the text held. */
	if (size >= 9) {
		memcpy(&id, data + 1, sizeof(id));
		if (id > 0)
			check_cursor_round_trip(id);
	}
	free(buf);
	free(input);
	return 0;
}
