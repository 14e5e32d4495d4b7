/* calendar.h - RFC 5545 iCalendar text: a calendar of class sessions in Korean time */
#ifndef LMS_SCHEDULE_CALENDAR_H
#define LMS_SCHEDULE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Korea keeps one offset all year (no daylight saving since 1988). */
#define CALENDAR_KST_OFFSET_S (9 * 3600)

/* The media type of our calendars. */
#define CALENDAR_CONTENT_TYPE "text/calendar; charset=utf-8"

/* Octets of a content line before its CRLF (RFC 5545 3.1). */
#define CALENDAR_LINE_MAX 75

/*
 * A calendar being written into a growing buffer: every line ends in CRLF
 * and is folded at CALENDAR_LINE_MAX octets, never inside a UTF-8
 * character or an escape. Errors are sticky: after one, every call returns
 * it and writes nothing.
 */
struct calendar {
	FILE *out;     /* open_memstream over data / len, owned */
	char *data;    /* the text, valid after calendar_end */
	size_t len;
	int err;       /* 0, or the first error */
};

/* One class session as an event. Strings are borrowed UTF-8; NULL or ""
 * leaves the property out (summary excepted). */
struct calendar_event {
	long long id;          /* the session: UID session-<id>@<host>, stable */
	long long starts_at;   /* seconds since 1970-01-01T00:00:00Z */
	long long ends_at;
	long long updated_at;  /* LAST-MODIFIED */
	int sequence;          /* rises whenever the session changes */
	bool cancelled;        /* STATUS:CANCELLED, else CONFIRMED */
	const char *summary;   /* the course title */
	const char *location;  /* room and where it is, or the online link */
	const char *url;       /* the online link (a URI, not text) */
	const char *description;
};

/* Starts c empty. Returns 0 or LMS_ENOMEM (c needs calendar_release all
 * the same). */
int calendar_init(struct calendar *c);

/* Frees the text of c; accepts a zeroed calendar. */
void calendar_release(struct calendar *c);

/*
 * Writes the head: VCALENDAR with VERSION, PRODID, CALSCALE, METHOD:PUBLISH,
 * X-WR-CALNAME name (text), and the VTIMEZONE of Asia/Seoul that events
 * refer to. Returns 0 or an lms_err.
 */
int calendar_begin(struct calendar *c, const char *name);

/* Writes ev as a VEVENT with UID session-<id>@host and DTSTAMP stamp
 * (seconds since the epoch). Returns 0 or an lms_err. */
int calendar_event_write(struct calendar *c, const struct calendar_event *ev, const char *host,
			 long long stamp);

/* Ends the VCALENDAR; then c->data holds c->len bytes (not NUL-terminated).
 * Returns 0 or an lms_err. */
int calendar_end(struct calendar *c);

/*
 * Writes one content line "name:value", folded: name as given (it may
 * carry parameters, ";TZID=Asia/Seoul"); value escaped as TEXT when text
 * (backslash, semicolon, comma, and newlines as \n; other control
 * characters dropped), else only stripped of control characters (URIs,
 * dates). Returns 0 or an lms_err.
 */
int calendar_property_write(struct calendar *c, const char *name, const char *value, bool text);

/* "YYYYMMDDTHHMMSS" of the Korean local time at t (seconds since the
 * epoch), for DTSTART;TZID=Asia/Seoul. */
void calendar_local_format(long long t, char out[16]);

/* "YYYYMMDDTHHMMSSZ" of t in UTC (DTSTAMP, LAST-MODIFIED). */
void calendar_utc_format(long long t, char out[17]);

/* RFC 3339 "YYYY-MM-DDTHH:MM:SS+09:00" of t in Korean time. */
void calendar_rfc3339_format(long long t, char out[26]);

#endif
