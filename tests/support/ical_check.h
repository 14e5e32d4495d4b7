/* ical_check.h - tests: a strict reader of RFC 5545 text, as our calendars must be */
#ifndef LMS_TEST_ICAL_CHECK_H
#define LMS_TEST_ICAL_CHECK_H

/*
 * Stricter than calendar apps: every line ends in CRLF (no bare CR or LF),
 * holds at most 75 octets and whole UTF-8 characters, continuation lines
 * start with one space; after unfolding every line is NAME[;PARAM=V]:VALUE,
 * BEGIN and END nest and match, the required properties are there once,
 * times have the forms our events use, DTSTART/DTEND name a VTIMEZONE of
 * the calendar, and TEXT values hold no unescaped comma or semicolon and
 * no escape but \\ \; \, \n.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A test uses what it needs of these. */
#define ICAL_FN static __attribute__((unused))

#define ICAL_MAX_LINES 4096
#define ICAL_MAX_DEPTH 8

struct ical {
	char *lines[ICAL_MAX_LINES]; /* unfolded content lines, owned */
	int nlines;
	int nevents;
	char error[512];             /* why the text was refused */
};

ICAL_FN void ical_release(struct ical *c)
{
	for (int i = 0; i < c->nlines; i++)
		free(c->lines[i]);
	memset(c, 0, sizeof(*c));
}

/* Bytes of the valid UTF-8 character at s (n bytes left), 0 when invalid. */
ICAL_FN size_t ical_utf8_char(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
				   : (s[0] & 0xF8) == 0xF0 ? 4 : 0;

	if (!len || len > n || (len == 2 && s[0] < 0xC2))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

/* The name of a content line ("DTSTART" of "DTSTART;TZID=x:v") into out. */
ICAL_FN void ical_name(const char *line, char *out, size_t len)
{
	size_t n = strcspn(line, ";:");

	snprintf(out, len, "%.*s", (int)n, line);
}

/* The value of a content line: after the first colon outside quotes. */
ICAL_FN const char *ical_line_value(const char *line)
{
	bool quoted = false;

	for (const char *p = line; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ':' && !quoted)
			return p + 1;
	}
	return NULL;
}

/* Whether s is n digits. */
ICAL_FN bool ical_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Whether v is a DATE-TIME: YYYYMMDDTHHMMSS, with Z when utc. */
ICAL_FN bool ical_datetime(const char *v, bool utc)
{
	return v && strlen(v) == (utc ? 16u : 15u) && ical_digits(v, 8) && v[8] == 'T' &&
	       ical_digits(v + 9, 6) && (!utc || v[15] == 'Z');
}

/* Whether v is a TEXT value as RFC 5545 3.3.11 writes it. */
ICAL_FN bool ical_text_ok(const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p == ',' || *p == ';')
			return false;
		if (*p == '\\') {
			if (!strchr("\\;,nN", p[1]) || !p[1])
				return false;
			p++;
		}
	}
	return true;
}

/* Unescapes the TEXT value v into out (len bytes). */
ICAL_FN void ical_unescape(const char *v, char *out, size_t len)
{
	size_t used = 0;

	for (const char *p = v; *p && used + 1 < len; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			out[used++] = *p == 'n' || *p == 'N' ? '\n' : *p;
		} else {
			out[used++] = *p;
		}
	}
	out[used] = '\0';
}

/*
 * The value of the nth (from 0) content line whose name and parameters are
 * head ("SUMMARY", "DTSTART;TZID=Asia/Seoul"), still escaped; NULL when
 * there is none.
 */
ICAL_FN const char *ical_value(const struct ical *c, const char *head, int nth)
{
	size_t n = strlen(head);

	for (int i = 0; i < c->nlines; i++)
		if (strncmp(c->lines[i], head, n) == 0 && c->lines[i][n] == ':' && nth-- == 0)
			return c->lines[i] + n + 1;
	return NULL;
}

/*
 * Compares, for each {head, want} of expect (ended by {NULL}), the nth
 * value of head (still escaped) with want (NULL: there must be none).
 * Returns false with the first difference in c->error.
 */
ICAL_FN bool ical_expect(struct ical *c, int nth, const char *const expect[][2])
{
	for (int i = 0; expect[i][0]; i++) {
		const char *got = ical_value(c, expect[i][0], nth);

		if (got && expect[i][1] && !strcmp(got, expect[i][1]))
			continue;
		if (!got && !expect[i][1])
			continue;
		snprintf(c->error, sizeof(c->error), "%s #%d is [%s], expected [%s]", expect[i][0],
			 nth, got ? got : "(none)", expect[i][1] ? expect[i][1] : "(none)");
		return false;
	}
	return true;
}

/* In a cmocka test: fails it unless ical_expect(c, nth, {{head, want},
 * ...}) holds. */
#define ICAL_ASSERT(c, nth, ...)                                                         \
	do {                                                                             \
		if (!ical_expect((c), (nth), (const char *const[][2]){__VA_ARGS__, {NULL, NULL}})) \
			fail_msg("%s", (c)->error);                                      \
	} while (0)

#define ICAL_FAIL(...)                                                                   \
	do {                                                                             \
		snprintf(c->error, sizeof(c->error), __VA_ARGS__);                       \
		return false;                                                            \
	} while (0)

/* Splits data into physical lines, checks them and unfolds them into c. */
ICAL_FN bool ical_unfold(const char *data, size_t len, struct ical *c)
{
	size_t pos = 0, lineno = 0;

	if (len < 2 || data[len - 2] != '\r' || data[len - 1] != '\n')
		ICAL_FAIL("the text does not end in CRLF");
	while (pos < len) {
		const char *eol = memchr(data + pos, '\n', len - pos);
		size_t n, i;

		lineno++;
		if (!eol || eol == data + pos || eol[-1] != '\r')
			ICAL_FAIL("line %zu: a line feed without a carriage return before it", lineno);
		n = (size_t)(eol - 1 - (data + pos));
		if (n > 75)
			ICAL_FAIL("line %zu: %zu octets, more than 75", lineno, n);
		for (i = 0; i < n;) {
			const unsigned char *p = (const unsigned char *)data + pos + i;
			size_t k = ical_utf8_char(p, n - i);

			if (!k)
				ICAL_FAIL("line %zu: invalid or split UTF-8 at octet %zu", lineno, i + 1);
			if (k == 1 && (*p < 0x20 || *p == 0x7F) && *p != '\t')
				ICAL_FAIL("line %zu: control character 0x%02x", lineno, *p);
			i += k;
		}
		if (data[pos] == ' ') {
			char *joined;

			if (!c->nlines)
				ICAL_FAIL("line %zu: the first line is a continuation", lineno);
			if (n < 2)
				ICAL_FAIL("line %zu: an empty continuation line", lineno);
			if (asprintf(&joined, "%s%.*s", c->lines[c->nlines - 1], (int)(n - 1),
				     data + pos + 1) < 0)
				ICAL_FAIL("out of memory");
			free(c->lines[c->nlines - 1]);
			c->lines[c->nlines - 1] = joined;
		} else if (data[pos] == '\t') {
			ICAL_FAIL("line %zu: folded with a tab, ours fold with a space", lineno);
		} else {
			if (n == 0)
				ICAL_FAIL("line %zu: an empty line", lineno);
			if (c->nlines == ICAL_MAX_LINES)
				ICAL_FAIL("more than %d lines", ICAL_MAX_LINES);
			if (!(c->lines[c->nlines] = strndup(data + pos, n)))
				ICAL_FAIL("out of memory");
			c->nlines++;
		}
		pos = (size_t)(eol + 1 - data);
	}
	return true;
}

/* Counts of the properties one component must or may hold once. */
struct ical_component {
	char name[32];
	int uid, dtstamp, dtstart, dtend, summary, sequence, status, version, prodid, tzid,
		tzfrom, tzto, children;
};

/* Checks the component that ends at line i. */
ICAL_FN bool ical_component_end(struct ical *c, const struct ical_component *k, int i)
{
	if (!strcmp(k->name, "VCALENDAR") &&
	    (k->version != 1 || k->prodid != 1 || !ical_value(c, "VERSION", 0) ||
	     strcmp(ical_value(c, "VERSION", 0), "2.0") != 0))
		ICAL_FAIL("line %d: VCALENDAR needs VERSION:2.0 and PRODID once each", i + 1);
	if (!strcmp(k->name, "VEVENT") &&
	    (k->uid != 1 || k->dtstamp != 1 || k->dtstart != 1 || k->dtend != 1 ||
	     k->summary != 1 || k->sequence != 1 || k->status != 1))
		ICAL_FAIL("line %d: VEVENT needs UID, DTSTAMP, DTSTART, DTEND, SUMMARY, SEQUENCE,"
			  " STATUS once each",
			  i + 1);
	if (!strcmp(k->name, "VTIMEZONE") && (k->tzid != 1 || k->children < 1))
		ICAL_FAIL("line %d: VTIMEZONE needs one TZID and a STANDARD or DAYLIGHT", i + 1);
	if ((!strcmp(k->name, "STANDARD") || !strcmp(k->name, "DAYLIGHT")) &&
	    (k->dtstart != 1 || k->tzfrom != 1 || k->tzto != 1))
		ICAL_FAIL("line %d: %s needs DTSTART, TZOFFSETFROM, TZOFFSETTO", i + 1, k->name);
	return true;
}

/* Whether the calendar defines the time zone tzid. */
ICAL_FN bool ical_has_tzid(const struct ical *c, const char *tzid)
{
	for (int n = 0; ical_value(c, "TZID", n); n++)
		if (!strcmp(ical_value(c, "TZID", n), tzid))
			return true;
	return false;
}

/* Checks one property line of component k (counting it). */
ICAL_FN bool ical_property(struct ical *c, struct ical_component *k, const char *line,
			  const char *name, const char *value, int i)
{
	static const char *const text_props[] = {"SUMMARY", "LOCATION", "DESCRIPTION",
						 "X-WR-CALNAME", "UID", "TZNAME"};
	const char *params = line + strlen(name);

	for (size_t t = 0; t < sizeof(text_props) / sizeof(text_props[0]); t++)
		if (!strcmp(name, text_props[t]) && !ical_text_ok(value))
			ICAL_FAIL("line %d: %s is not escaped TEXT: %s", i + 1, name, value);
	if (!strcmp(name, "UID"))
		k->uid++;
	else if (!strcmp(name, "DTSTAMP") || !strcmp(name, "LAST-MODIFIED")) {
		k->dtstamp += !strcmp(name, "DTSTAMP");
		if (!ical_datetime(value, true))
			ICAL_FAIL("line %d: %s is not a UTC date-time: %s", i + 1, name, value);
	} else if (!strcmp(name, "DTSTART") || !strcmp(name, "DTEND")) {
		bool tz = strncmp(params, ";TZID=", 6) == 0;
		char tzid[128];

		if (!strcmp(name, "DTSTART"))
			k->dtstart++;
		else
			k->dtend++;
		if (!ical_datetime(value, false))
			ICAL_FAIL("line %d: %s is not a local date-time: %s", i + 1, name, value);
		if (tz) {
			snprintf(tzid, sizeof(tzid), "%.*s", (int)(value - 1 - params - 6),
				 params + 6);
			if (!ical_has_tzid(c, tzid))
				ICAL_FAIL("line %d: TZID=%s names no VTIMEZONE", i + 1, tzid);
		} else if (strcmp(k->name, "STANDARD") && strcmp(k->name, "DAYLIGHT")) {
			ICAL_FAIL("line %d: %s without TZID (floating time)", i + 1, name);
		}
	} else if (!strcmp(name, "SUMMARY"))
		k->summary++;
	else if (!strcmp(name, "SEQUENCE")) {
		k->sequence++;
		if (!*value || strspn(value, "0123456789") != strlen(value))
			ICAL_FAIL("line %d: SEQUENCE is not a number: %s", i + 1, value);
	} else if (!strcmp(name, "STATUS")) {
		k->status++;
		if (strcmp(value, "CONFIRMED") && strcmp(value, "CANCELLED") &&
		    strcmp(value, "TENTATIVE"))
			ICAL_FAIL("line %d: STATUS %s", i + 1, value);
	} else if (!strcmp(name, "VERSION"))
		k->version++;
	else if (!strcmp(name, "PRODID"))
		k->prodid++;
	else if (!strcmp(name, "TZID"))
		k->tzid++;
	else if (!strcmp(name, "TZOFFSETFROM"))
		k->tzfrom++;
	else if (!strcmp(name, "TZOFFSETTO"))
		k->tzto++;
	return true;
}

/* Checks data (len bytes) as a whole calendar and unfolds it into *c
 * (ical_release it in every case). Returns false with c->error. */
ICAL_FN bool ical_check(const char *data, size_t len, struct ical *c)
{
	struct ical_component stack[ICAL_MAX_DEPTH];
	int depth = 0;

	memset(c, 0, sizeof(*c));
	if (!ical_unfold(data, len, c))
		return false;
	for (int i = 0; i < c->nlines; i++) {
		const char *line = c->lines[i], *value = ical_line_value(line);
		char name[64];

		ical_name(line, name, sizeof(name));
		if (!value || !name[0] || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
						  strlen(name))
			ICAL_FAIL("line %d: not NAME:VALUE: %s", i + 1, line);
		if (!strcmp(name, "BEGIN")) {
			if (depth == ICAL_MAX_DEPTH)
				ICAL_FAIL("line %d: nested too deep", i + 1);
			if (depth == 0 && strcmp(value, "VCALENDAR"))
				ICAL_FAIL("line %d: the text does not begin with VCALENDAR", i + 1);
			if (depth > 0)
				stack[depth - 1].children++;
			memset(&stack[depth], 0, sizeof(stack[depth]));
			snprintf(stack[depth].name, sizeof(stack[depth].name), "%s", value);
			c->nevents += !strcmp(value, "VEVENT");
			depth++;
		} else if (!strcmp(name, "END")) {
			if (depth == 0 || strcmp(value, stack[depth - 1].name))
				ICAL_FAIL("line %d: END:%s does not close %s", i + 1, value,
					  depth ? stack[depth - 1].name : "anything");
			if (!ical_component_end(c, &stack[depth - 1], i))
				return false;
			if (--depth == 0 && i != c->nlines - 1)
				ICAL_FAIL("line %d: text after END:VCALENDAR", i + 1);
		} else if (depth == 0) {
			ICAL_FAIL("line %d: a property outside VCALENDAR", i + 1);
		} else if (!ical_property(c, &stack[depth - 1], line, name, value, i)) {
			return false;
		}
	}
	if (depth)
		ICAL_FAIL("%s is not closed", stack[depth - 1].name);
	return true;
}

#undef ICAL_FAIL

#endif
