/* calendar.c - RFC 5545 iCalendar text: a calendar of class sessions in Korean time */

/*
 * Written by hand on purpose; the tests read it back with libical. libical
 * 3.0 (Debian 12) as the writer was tried and gives worse text: it writes
 * an X- value (X-WR-CALNAME) with its commas and semicolons unescaped,
 * keeps control characters such as 0x01 in TEXT and drops a lone CR where
 * a line break was meant, and folds a long value by breaking the line
 * right after "SUMMARY:", so that no line is the 75 octets it could be.
 * Building its component tree is no less code than these few functions,
 * and the server would link one more library for it.
 */
#include "lms/schedule/calendar.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lms/core/err.h"
#include "lms/core/text.h"

/* The time zone every event names, and its one rule: +09:00 since 1970. */
static const char *const vtimezone[] = {
	"BEGIN:VTIMEZONE",
	"TZID:Asia/Seoul",
	"BEGIN:STANDARD",
	"DTSTART:19700101T000000",
	"TZOFFSETFROM:+0900",
	"TZOFFSETTO:+0900",
	"TZNAME:KST",
	"END:STANDARD",
	"END:VTIMEZONE",
};

int calendar_init(struct calendar *c)
{
	memset(c, 0, sizeof(*c));
	if (!(c->out = open_memstream(&c->data, &c->len)))
		c->err = LMS_ENOMEM;
	return c->err;
}

void calendar_release(struct calendar *c)
{
	if (c->out)
		fclose(c->out);
	free(c->data);
	memset(c, 0, sizeof(*c));
}

/* Writes n bytes as they are; a failed write sticks. */
static void put(struct calendar *c, const char *s, size_t n)
{
	if (!c->err && n && fwrite(s, 1, n, c->out) != n)
		c->err = LMS_ENOMEM;
}

/*
 * Writes one unit (a character, or an escape: bytes a parser must not see
 * apart) at column *col, folding first when it would pass the limit: a
 * fold is CRLF and one space, which counts on the next line.
 */
static void put_unit(struct calendar *c, const char *s, size_t n, size_t *col)
{
	if (*col + n > CALENDAR_LINE_MAX) {
		put(c, "\r\n ", 3);
		*col = 1;
	}
	put(c, s, n);
	*col += n;
}

int calendar_property_write(struct calendar *c, const char *name, const char *value, bool text)
{
	const unsigned char *p = (const unsigned char *)(value ? value : "");
	size_t col = 0;

	if (c->err)
		return c->err;
	for (const char *q = name; *q; q++)
		put_unit(c, q, 1, &col);
	put_unit(c, ":", 1, &col);
	while (*p) {
		const char *escape = NULL;
		size_t n = 1;

		if (text && (*p == '\\' || *p == ';' || *p == ',')) {
			escape = *p == '\\' ? "\\\\" : *p == ';' ? "\\;" : "\\,";
		} else if (text && (*p == '\n' || *p == '\r')) {
			/* CRLF, LF and a lone CR are each one line break. */
			if (p[0] == '\r' && p[1] == '\n')
				p++;
			escape = "\\n";
		} else if (*p < 0x20 || *p == 0x7F) {
			/* TEXT allows no control character but tab; a URI none. */
			if (!(text && *p == '\t')) {
				p++;
				continue;
			}
		} else if (*p >= 0x80) {
			n = text_utf8_char_len((const char *)p);
		}
		if (escape)
			put_unit(c, escape, 2, &col);
		else
			put_unit(c, (const char *)p, n, &col);
		p += n;
	}
	put(c, "\r\n", 2);
	return c->err;
}

/* A fixed line of ours (short, nothing to escape). */
static void line(struct calendar *c, const char *s)
{
	put(c, s, strlen(s));
	put(c, "\r\n", 2);
}

/* The time t + offset seconds as UTC fields, in *tm. */
static struct tm *broken_down(long long t, long long offset, struct tm *tm)
{
	time_t v = (time_t)(t + offset);

	memset(tm, 0, sizeof(*tm));
	gmtime_r(&v, tm);
	return tm;
}

void calendar_local_format(long long t, char out[16])
{
	struct tm tm;

	if (!strftime(out, 16, "%Y%m%dT%H%M%S", broken_down(t, CALENDAR_KST_OFFSET_S, &tm)))
		out[0] = '\0';
}

void calendar_utc_format(long long t, char out[17])
{
	struct tm tm;

	if (!strftime(out, 17, "%Y%m%dT%H%M%SZ", broken_down(t, 0, &tm)))
		out[0] = '\0';
}

void calendar_rfc3339_format(long long t, char out[26])
{
	struct tm tm;

	if (!strftime(out, 26, "%Y-%m-%dT%H:%M:%S+09:00",
		      broken_down(t, CALENDAR_KST_OFFSET_S, &tm)))
		out[0] = '\0';
}

int calendar_begin(struct calendar *c, const char *name)
{
	line(c, "BEGIN:VCALENDAR");
	line(c, "VERSION:2.0");
	line(c, "PRODID:-//Gwangju AI Talent Platform//lms//KO");
	line(c, "CALSCALE:GREGORIAN");
	line(c, "METHOD:PUBLISH");
	calendar_property_write(c, "X-WR-CALNAME", name, true);
	line(c, "X-WR-TIMEZONE:Asia/Seoul");
	/* Subscribed calendars poll: hourly is fresh enough for class times. */
	line(c, "REFRESH-INTERVAL;VALUE=DURATION:PT1H");
	line(c, "X-PUBLISHED-TTL:PT1H");
	for (size_t i = 0; i < sizeof(vtimezone) / sizeof(vtimezone[0]); i++)
		line(c, vtimezone[i]);
	return c->err;
}

int calendar_event_write(struct calendar *c, const struct calendar_event *ev, const char *host,
			 long long stamp)
{
	char buf[320], when[17];

	line(c, "BEGIN:VEVENT");
	snprintf(buf, sizeof(buf), "session-%lld@%s", ev->id, host);
	calendar_property_write(c, "UID", buf, true);
	calendar_utc_format(stamp, when);
	calendar_property_write(c, "DTSTAMP", when, false);
	calendar_local_format(ev->starts_at, when);
	calendar_property_write(c, "DTSTART;TZID=Asia/Seoul", when, false);
	calendar_local_format(ev->ends_at, when);
	calendar_property_write(c, "DTEND;TZID=Asia/Seoul", when, false);
	calendar_property_write(c, "SUMMARY", ev->summary, true);
	if (ev->location && ev->location[0])
		calendar_property_write(c, "LOCATION", ev->location, true);
	if (ev->url && ev->url[0])
		calendar_property_write(c, "URL", ev->url, false);
	if (ev->description && ev->description[0])
		calendar_property_write(c, "DESCRIPTION", ev->description, true);
	snprintf(buf, sizeof(buf), "SEQUENCE:%d", ev->sequence);
	line(c, buf);
	line(c, ev->cancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED");
	calendar_utc_format(ev->updated_at, when);
	calendar_property_write(c, "LAST-MODIFIED", when, false);
	line(c, "END:VEVENT");
	return c->err;
}

int calendar_end(struct calendar *c)
{
	line(c, "END:VCALENDAR");
	if (!c->err && fflush(c->out) != 0)
		c->err = LMS_ENOMEM;
	return c->err;
}
