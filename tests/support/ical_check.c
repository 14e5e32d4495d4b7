/* ical_check.c - tests: our calendars read back by libical, strictly */
#include "ical_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ICAL_MAX_LINES 4096

/* The unfolded content lines of a text. */
struct lines {
	char *line[ICAL_MAX_LINES]; /* owned */
	int n;
};

/* The text against what libical read of it: line at is the next to see. */
struct walk {
	struct ical *c;
	const struct lines *l;
	int at;
};

static void lines_release(struct lines *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->line[i]);
	l->n = 0;
}

static bool refuse(struct ical *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool refuse(struct ical *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	return false;
}

/* ---- the octets, which libical does not check ---- */

/* Bytes of the valid UTF-8 character at s (n bytes left), 0 when invalid. */
static size_t utf8_char(const unsigned char *s, size_t n)
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

/* Whether the physical line p (n octets, no CRLF) holds at most 75 octets
 * of whole UTF-8 characters and no control character but tab. */
static bool octets_ok(struct ical *c, const char *p, size_t n, size_t lineno)
{
	if (n > 75)
		return refuse(c, "line %zu: %zu octets, more than 75", lineno, n);
	for (size_t i = 0; i < n;) {
		const unsigned char *s = (const unsigned char *)p + i;
		size_t k = utf8_char(s, n - i);

		if (!k)
			return refuse(c, "line %zu: invalid or split UTF-8 at octet %zu", lineno, i + 1);
		if (k == 1 && (*s < 0x20 || *s == 0x7F) && *s != '\t')
			return refuse(c, "line %zu: control character 0x%02x", lineno, *s);
		i += k;
	}
	return true;
}

/* Adds the physical line p (n octets) to l: a new content line, or the
 * rest of the last one when it starts with a space. */
static bool unfold_line(struct ical *c, struct lines *l, const char *p, size_t n, size_t lineno)
{
	char *joined;

	if (p[0] == '\t')
		return refuse(c, "line %zu: folded with a tab, ours fold with a space", lineno);
	if (p[0] != ' ') {
		if (n == 0)
			return refuse(c, "line %zu: an empty line", lineno);
		if (l->n == ICAL_MAX_LINES)
			return refuse(c, "more than %d lines", ICAL_MAX_LINES);
		if (!(l->line[l->n] = strndup(p, n)))
			return refuse(c, "out of memory");
		l->n++;
		return true;
	}
	if (!l->n)
		return refuse(c, "line %zu: the first line is a continuation", lineno);
	if (n < 2)
		return refuse(c, "line %zu: an empty continuation line", lineno);
	if (asprintf(&joined, "%s%.*s", l->line[l->n - 1], (int)(n - 1), p + 1) < 0)
		return refuse(c, "out of memory");
	free(l->line[l->n - 1]);
	l->line[l->n - 1] = joined;
	return true;
}

/* Splits data into physical lines, checks them and unfolds them into l. */
static bool unfold(struct ical *c, const char *data, size_t len, struct lines *l)
{
	size_t pos = 0, lineno = 0;

	if (len < 2 || data[len - 2] != '\r' || data[len - 1] != '\n')
		return refuse(c, "the text does not end in CRLF");
	while (pos < len) {
		const char *eol = memchr(data + pos, '\n', len - pos);
		size_t n;

		lineno++;
		if (!eol || eol == data + pos || eol[-1] != '\r')
			return refuse(c, "line %zu: a line feed without a carriage return before it",
				      lineno);
		n = (size_t)(eol - 1 - (data + pos));
		if (!octets_ok(c, data + pos, n, lineno) || !unfold_line(c, l, data + pos, n, lineno))
			return false;
		pos = (size_t)(eol + 1 - data);
	}
	return true;
}

/* ---- what libical read, line by line against the text ---- */

/* Whether the next content line is want, as libical writes it. */
static bool expect_line(struct walk *w, const char *want)
{
	const char *got = w->at < w->l->n ? w->l->line[w->at] : NULL;

	if (!got)
		return refuse(w->c, "libical reads more than the text holds: [%s]", want);
	if (strcmp(got, want) != 0)
		return refuse(w->c, "line %d: [%s] reads back as [%s]", w->at + 1, got, want);
	w->at++;
	return true;
}

/* libical's text of p, unfolded, without its CRLF (free it). */
static char *property_text(icalproperty *p)
{
	char *s = icalproperty_as_ical_string_r(p), *o = s;

	if (!s)
		return NULL;
	for (const char *i = s; *i; i++) {
		if (i[0] == '\r' && i[1] == '\n') {
			i += i[2] == ' ' ? 2 : 1;
			continue;
		}
		*o++ = *i;
	}
	*o = '\0';
	return s;
}

/*
 * An X- property (X-WR-CALNAME): libical keeps its value as it found it,
 * half unescaped, so it is read here as TEXT, by libical, and kept so.
 */
static bool x_property(struct walk *w, icalproperty *p)
{
	const char *name = icalproperty_get_x_name(p), *line;
	size_t n = strlen(name);
	icalvalue *v;
	char *want;
	bool ok;

	if (w->at == w->l->n || strncmp(w->l->line[w->at], name, n) || w->l->line[w->at][n] != ':')
		return expect_line(w, name);
	line = w->l->line[w->at];
	if (!(v = icalvalue_new_from_string(ICAL_TEXT_VALUE, line + n + 1)))
		return refuse(w->c, "line %d: %s is not TEXT", w->at + 1, name);
	/* written before p owns it: libical escapes no comma of an X- value */
	if (asprintf(&want, "%s:%s", name, icalvalue_as_ical_string(v)) < 0) {
		icalvalue_free(v);
		return refuse(w->c, "out of memory");
	}
	icalproperty_set_value(p, v);
	ok = expect_line(w, want);
	free(want);
	return ok;
}

/* The checks of a date-time property of component k beyond its form. */
static bool time_ok(struct walk *w, icalcomponent *k, icalproperty *p, const char *name)
{
	struct icaltimetype t = icalvalue_get_datetime(icalproperty_get_value(p));
	const char *tzid = icalproperty_get_parameter_as_string(p, "TZID");
	icalcomponent_kind kind = icalcomponent_isa(k);
	int line = w->at;

	if (!strcmp(name, "DTSTAMP") || !strcmp(name, "LAST-MODIFIED")) {
		if (t.is_date || !icaltime_is_utc(t))
			return refuse(w->c, "line %d: %s is not a UTC date-time", line, name);
		return true;
	}
	if (t.is_date || icaltime_is_utc(t))
		return refuse(w->c, "line %d: %s is not a local date-time", line, name);
	if (tzid && !icalcomponent_get_timezone(w->c->cal, tzid))
		return refuse(w->c, "line %d: TZID=%s names no VTIMEZONE", line, tzid);
	if (!tzid && kind != ICAL_XSTANDARD_COMPONENT && kind != ICAL_XDAYLIGHT_COMPONENT)
		return refuse(w->c, "line %d: %s without TZID (floating time)", line, name);
	return true;
}

/* The checks of property p of component k beyond its form. */
static bool value_ok(struct walk *w, icalcomponent *k, icalproperty *p)
{
	const char *name = icalproperty_get_property_name(p);
	icalproperty_status st;

	switch (icalproperty_isa(p)) {
	case ICAL_DTSTAMP_PROPERTY:
	case ICAL_LASTMODIFIED_PROPERTY:
	case ICAL_DTSTART_PROPERTY:
	case ICAL_DTEND_PROPERTY:
		return time_ok(w, k, p, name);
	case ICAL_SEQUENCE_PROPERTY:
		if (icalproperty_get_sequence(p) < 0)
			return refuse(w->c, "line %d: SEQUENCE is not a number", w->at);
		return true;
	case ICAL_STATUS_PROPERTY:
		st = icalproperty_get_status(p);
		if (st != ICAL_STATUS_CONFIRMED && st != ICAL_STATUS_CANCELLED &&
		    st != ICAL_STATUS_TENTATIVE)
			return refuse(w->c, "line %d: STATUS %s", w->at,
				      icalproperty_get_value_as_string(p));
		return true;
	default:
		return true;
	}
}

/* Property p of component k: as written, and sound. */
static bool property(struct walk *w, icalcomponent *k, icalproperty *p)
{
	char *want;
	bool ok;

	if (icalproperty_isa(p) == ICAL_XLICERROR_PROPERTY)
		return refuse(w->c, "near line %d: libical: %s", w->at + 1,
			      icalproperty_get_xlicerror(p));
	if (icalproperty_isa(p) == ICAL_X_PROPERTY)
		return x_property(w, p);
	if (!(want = property_text(p)))
		return refuse(w->c, "out of memory");
	ok = expect_line(w, want);
	free(want);
	return ok && value_ok(w, k, p);
}

/* Whether k holds each of kinds (ended by ICAL_NO_PROPERTY) once. */
static bool once_each(icalcomponent *k, const icalproperty_kind *kinds)
{
	for (; *kinds != ICAL_NO_PROPERTY; kinds++)
		if (icalcomponent_count_properties(k, *kinds) != 1)
			return false;
	return true;
}

/* The properties and children component k must have; line is its END. */
static bool component_ok(struct ical *c, icalcomponent *k, int line)
{
	static const icalproperty_kind calendar[] = {ICAL_VERSION_PROPERTY, ICAL_PRODID_PROPERTY,
						     ICAL_NO_PROPERTY};
	static const icalproperty_kind event[] = {
		ICAL_UID_PROPERTY,     ICAL_DTSTAMP_PROPERTY,  ICAL_DTSTART_PROPERTY,
		ICAL_DTEND_PROPERTY,   ICAL_SUMMARY_PROPERTY,  ICAL_SEQUENCE_PROPERTY,
		ICAL_STATUS_PROPERTY,  ICAL_NO_PROPERTY};
	static const icalproperty_kind zone[] = {ICAL_TZID_PROPERTY, ICAL_NO_PROPERTY};
	static const icalproperty_kind offset[] = {ICAL_DTSTART_PROPERTY, ICAL_TZOFFSETFROM_PROPERTY,
						   ICAL_TZOFFSETTO_PROPERTY, ICAL_NO_PROPERTY};

	switch (icalcomponent_isa(k)) {
	case ICAL_VCALENDAR_COMPONENT:
		if (!once_each(k, calendar) || strcmp(ical_value(k, "VERSION"), "2.0") != 0)
			return refuse(c, "line %d: VCALENDAR needs VERSION:2.0 and PRODID once each",
				      line);
		return true;
	case ICAL_VEVENT_COMPONENT:
		if (!once_each(k, event))
			return refuse(c, "line %d: VEVENT needs UID, DTSTAMP, DTSTART, DTEND, SUMMARY,"
					 " SEQUENCE, STATUS once each", line);
		return true;
	case ICAL_VTIMEZONE_COMPONENT:
		if (!once_each(k, zone) ||
		    icalcomponent_count_components(k, ICAL_XSTANDARD_COMPONENT) +
				    icalcomponent_count_components(k, ICAL_XDAYLIGHT_COMPONENT) < 1)
			return refuse(c, "line %d: VTIMEZONE needs one TZID and a STANDARD or DAYLIGHT",
				      line);
		return true;
	case ICAL_XSTANDARD_COMPONENT:
	case ICAL_XDAYLIGHT_COMPONENT:
		if (!once_each(k, offset))
			return refuse(c, "line %d: %s needs DTSTART, TZOFFSETFROM, TZOFFSETTO", line,
				      icalcomponent_kind_to_string(icalcomponent_isa(k)));
		return true;
	default:
		return true;
	}
}

/* Component k and all in it, against the text from w->at on. */
static bool walk(struct walk *w, icalcomponent *k)
{
	const char *name = icalcomponent_kind_to_string(icalcomponent_isa(k));
	char line[64];

	snprintf(line, sizeof(line), "BEGIN:%s", name);
	if (!expect_line(w, line))
		return false;
	for (icalproperty *p = icalcomponent_get_first_property(k, ICAL_ANY_PROPERTY); p;
	     p = icalcomponent_get_next_property(k, ICAL_ANY_PROPERTY))
		if (!property(w, k, p))
			return false;
	for (icalcomponent *s = icalcomponent_get_first_component(k, ICAL_ANY_COMPONENT); s;
	     s = icalcomponent_get_next_component(k, ICAL_ANY_COMPONENT))
		if (!walk(w, s))
			return false;
	snprintf(line, sizeof(line), "END:%s", name);
	return expect_line(w, line) && component_ok(w->c, k, w->at);
}

/* ---- the calendar ---- */

/* libical's reading of data (len octets, no NUL among them) into c->cal. */
static bool parse(struct ical *c, const char *data, size_t len)
{
	char *text = strndup(data, len);

	if (!text)
		return refuse(c, "out of memory");
	c->cal = icalparser_parse_string(text);
	free(text);
	if (!c->cal)
		return refuse(c, "libical reads no calendar");
	if (icalcomponent_isa(c->cal) != ICAL_VCALENDAR_COMPONENT)
		return refuse(c, "the text is not one VCALENDAR: libical reads %s",
			      icalcomponent_kind_to_string(icalcomponent_isa(c->cal)));
	return true;
}

bool ical_check(const char *data, size_t len, struct ical *c)
{
	struct lines *l = calloc(1, sizeof(*l));
	struct walk w = {c, l, 0};
	bool ok;

	memset(c, 0, sizeof(*c));
	if (!l)
		return refuse(c, "out of memory");
	ok = unfold(c, data, len, l) && parse(c, data, len) && walk(&w, c->cal);
	if (ok && w.at != l->n)
		ok = refuse(c, "line %d: text after END:VCALENDAR", w.at + 1);
	if (ok)
		c->nevents = icalcomponent_count_components(c->cal, ICAL_VEVENT_COMPONENT);
	lines_release(l);
	free(l);
	return ok;
}

void ical_release(struct ical *c)
{
	if (c->cal)
		icalcomponent_free(c->cal);
	memset(c, 0, sizeof(*c));
}

icalcomponent *ical_event(const struct ical *c, int nth)
{
	icalcomponent *e = c->cal ? icalcomponent_get_first_component(c->cal, ICAL_VEVENT_COMPONENT)
				  : NULL;

	while (e && nth-- > 0)
		e = icalcomponent_get_next_component(c->cal, ICAL_VEVENT_COMPONENT);
	return e;
}

icalcomponent *ical_timezone(const struct ical *c, const char *tzid)
{
	icaltimezone *zone = c->cal ? icalcomponent_get_timezone(c->cal, tzid) : NULL;

	return zone ? icaltimezone_get_component(zone) : NULL;
}

/* Whether p has exactly the parameters of params (";A=x;B=y" or ""). */
static bool has_parameters(icalproperty *p, const char *params)
{
	int n = 0;

	while (*params == ';') {
		size_t name_len = strcspn(params + 1, "="), len = strcspn(params + 1, ";");
		char name[64];
		const char *got;

		if (name_len >= len || name_len >= sizeof(name))
			return false;
		snprintf(name, sizeof(name), "%.*s", (int)name_len, params + 1);
		got = icalproperty_get_parameter_as_string(p, name);
		if (!got || strlen(got) != len - name_len - 1 ||
		    strncmp(got, params + 2 + name_len, len - name_len - 1) != 0)
			return false;
		params += 1 + len;
		n++;
	}
	return icalproperty_count_parameters(p) == n;
}

const char *ical_value(icalcomponent *comp, const char *head)
{
	size_t n = strcspn(head, ";");
	char name[64];
	icalproperty_kind kind;

	snprintf(name, sizeof(name), "%.*s", (int)n, head);
	kind = icalproperty_string_to_kind(name);
	for (icalproperty *p = icalcomponent_get_first_property(comp, kind); p;
	     p = icalcomponent_get_next_property(comp, kind)) {
		icalvalue *v = icalproperty_get_value(p);

		if (kind == ICAL_X_PROPERTY && strcmp(icalproperty_get_x_name(p), name) != 0)
			continue;
		if (!has_parameters(p, head + n))
			continue;
		if (icalvalue_isa(v) == ICAL_TEXT_VALUE)
			return icalvalue_get_text(v);
		return icalproperty_get_value_as_string(p);
	}
	return NULL;
}

bool ical_expect(struct ical *c, icalcomponent *comp, const char *const expect[][2])
{
	if (!comp)
		return refuse(c, "no such component in the calendar");
	for (int i = 0; expect[i][0]; i++) {
		const char *got = ical_value(comp, expect[i][0]), *want = expect[i][1];

		if ((got && want && !strcmp(got, want)) || (!got && !want))
			continue;
		return refuse(c, "%s of %s is [%s], expected [%s]", expect[i][0],
			      icalcomponent_kind_to_string(icalcomponent_isa(comp)), got ? got : "(none)",
			      want ? want : "(none)");
	}
	return true;
}
