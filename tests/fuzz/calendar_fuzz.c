/* calendar_fuzz.c - fuzz target: iCalendar text escaping and line folding */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lms/schedule/calendar.h"

static bool control(unsigned char c)
{
	return c < 0x20 || c == 0x7F;
}

/*
 * Checks the content lines of text[0..len): each ends in CRLF, holds no
 * other CR or LF and at most CALENDAR_LINE_MAX octets, and a folded line
 * goes on with one space. With utf8, each line is valid UTF-8 on its own:
 * no fold cut a character.
 */
static void check_lines(const char *text, size_t len, bool utf8)
{
	size_t start = 0;

	FUZZ_CHECK(len >= 2 && text[len - 2] == '\r' && text[len - 1] == '\n');
	while (start < len) {
		const char *crlf = memchr(text + start, '\r', len - start);
		size_t n, skip;

		FUZZ_CHECK(crlf && crlf[1] == '\n');
		n = (size_t)(crlf - text) - start;
		FUZZ_CHECK(n <= CALENDAR_LINE_MAX);
		FUZZ_CHECK(!memchr(text + start, '\n', n));
		skip = text[start] == ' ' ? 1 : 0;
		if (utf8)
			FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)text + start + skip,
						   n - skip));
		start += n + 2;
	}
}

/* The value as a reader must get it back: TEXT turns each of CRLF, LF and
 * CR into LF and drops control characters but tab; other values drop
 * every control character. Into out (as long as value, at least). */
static size_t expected_value(const char *value, bool text, char *out)
{
	size_t n = 0;

	for (const char *p = value; *p; p++) {
		if (text && (*p == '\r' || *p == '\n')) {
			if (p[0] == '\r' && p[1] == '\n')
				p++;
			out[n++] = '\n';
		} else if (!control((unsigned char)*p) || (text && *p == '\t')) {
			out[n++] = *p;
		}
	}
	return n;
}

/*
 * Unfolds and unescapes the value of the content line at text (after
 * "name:") into out, as a reader does; an escape cut by a fold, an unknown
 * escape, or a bare ; , or control character in TEXT is a broken line.
 * Returns the length of the value, *end past the line's CRLF.
 */
static size_t read_value(const char *text, bool is_text, char *out, const char **end)
{
	const char *p = text;
	size_t n = 0;
	bool escaped = false;

	for (;;) {
		if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
			FUZZ_CHECK(!escaped);
			p += 3;
			continue;
		}
		if (p[0] == '\r' && p[1] == '\n')
			break;
		if (escaped) {
			FUZZ_CHECK(strchr("\\;,n", *p) && *p);
			out[n++] = *p == 'n' ? '\n' : *p;
			escaped = false;
		} else if (is_text && *p == '\\') {
			escaped = true;
		} else {
			FUZZ_CHECK(!is_text || (*p != ';' && *p != ','));
			FUZZ_CHECK(!control((unsigned char)*p) || (is_text && *p == '\t'));
			out[n++] = *p;
		}
		p++;
	}
	FUZZ_CHECK(!escaped);
	*end = p + 2;
	return n;
}

/* One property of value (text or not): its line unfolds to the value. */
static void check_property(const char *value, bool text)
{
	const char *name = text ? "DESCRIPTION" : "URL", *end;
	size_t vlen = strlen(value), got_len, want_len;
	char *got = malloc(vlen + 1), *want = malloc(vlen + 1), *doc;
	struct calendar c;

	FUZZ_CHECK(got && want);
	FUZZ_CHECK(calendar_init(&c) == 0);
	FUZZ_CHECK(calendar_property_write(&c, name, value, text) == 0);
	FUZZ_CHECK(calendar_end(&c) == 0);
	check_lines(c.data, c.len, fuzz_utf8_valid((const unsigned char *)value, vlen));
	/* As a string, for the reader. */
	doc = fuzz_strndup((const uint8_t *)c.data, c.len);
	FUZZ_CHECK(strncmp(doc, name, strlen(name)) == 0 && doc[strlen(name)] == ':');
	got_len = read_value(doc + strlen(name) + 1, text, got, &end);
	want_len = expected_value(value, text, want);
	FUZZ_CHECK(got_len == want_len && memcmp(got, want, got_len) == 0);
	FUZZ_CHECK(strcmp(end, "END:VCALENDAR\r\n") == 0);
	free(doc);
	calendar_release(&c);
	free(want);
	free(got);
}

/* A whole calendar of one event with the strings of the input. */
static void check_event(const char *s, size_t size)
{
	struct calendar_event ev = {
		.id = 42,
		.starts_at = 1772323200,
		.ends_at = 1772330400,
		.updated_at = 1767225600,
		.sequence = 3,
		.summary = fuzz_part(s, size, 1),
		.location = fuzz_part(s, size, 2),
		.url = fuzz_part(s, size, 3),
		.description = fuzz_part(s, size, 4),
	};
	struct calendar c;

	FUZZ_CHECK(calendar_init(&c) == 0);
	FUZZ_CHECK(calendar_begin(&c, fuzz_part(s, size, 0)) == 0);
	FUZZ_CHECK(calendar_event_write(&c, &ev, "lms.example.kr", 1767225600) == 0);
	FUZZ_CHECK(calendar_end(&c) == 0);
	check_lines(c.data, c.len, fuzz_utf8_valid((const unsigned char *)s, size));
	calendar_release(&c);
}

/*
 * Input: a mode byte, then the value. Mode 0 and 1: one property, 1 as
 * TEXT; 2 and 3: a calendar of one event whose name, summary, location,
 * URL and description are the NUL-separated parts of the rest.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return -1;
	s = fuzz_strndup(data + 1, size - 1);
	if (data[0] & 2)
		check_event(s, size - 1);
	else
		check_property(s, data[0] & 1);
	free(s);
	return 0;
}
