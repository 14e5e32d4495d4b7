/* ical_check.h - tests: our calendars read back by libical, strictly */
#ifndef LMS_TEST_ICAL_CHECK_H
#define LMS_TEST_ICAL_CHECK_H

/*
 * Stricter than calendar apps. The octets first, which libical does not
 * look at: every line ends in CRLF (no bare CR or LF), holds at most 75
 * octets of whole UTF-8 characters and no control character but tab, and a
 * continuation line starts with one space. Then libical parses the text:
 * it must be one VCALENDAR without parse errors, every content line must
 * be exactly what libical writes for what it read (so TEXT is escaped as
 * RFC 5545 says, numbers and times have their canonical form), the
 * required properties are there once, DTSTAMP is UTC, and DTSTART/DTEND of
 * an event are local times whose TZID names a VTIMEZONE of the calendar.
 */

#include <libical/ical.h>
#include <stdbool.h>
#include <stddef.h>

struct ical {
	icalcomponent *cal; /* the VCALENDAR libical read, owned */
	int nevents;
	char error[512];    /* why the text was refused */
};

/*
 * Checks data (len bytes) as a whole calendar and parses it into *c
 * (ical_release it in every case). Returns false with c->error.
 */
bool ical_check(const char *data, size_t len, struct ical *c);

/* Frees what ical_check kept; c may be zeroed or released already. */
void ical_release(struct ical *c);

/* The nth (from 0) VEVENT of the calendar, borrowed; NULL when none. */
icalcomponent *ical_event(const struct ical *c, int nth);

/* The calendar's VTIMEZONE of tzid, borrowed; NULL when none. */
icalcomponent *ical_timezone(const struct ical *c, const char *tzid);

/*
 * The value of comp's property head ("SUMMARY", "DTSTART;TZID=Asia/Seoul":
 * a name and the parameters it has, all of them) as libical reads it: TEXT
 * unescaped, other values in their RFC 5545 form. Borrowed (from comp, or
 * libical's ring buffer: use it before many more libical calls); NULL when
 * comp has no such property.
 */
const char *ical_value(icalcomponent *comp, const char *head);

/*
 * Compares, for each {head, want} of expect (ended by {NULL}), the value
 * of head in comp with want (NULL: there must be none). Returns false with
 * the first difference in c->error.
 */
bool ical_expect(struct ical *c, icalcomponent *comp, const char *const expect[][2]);

/* In a cmocka test: fails it unless ical_expect(c, comp, {{head, want},
 * ...}) holds. */
#define ICAL_ASSERT(c, comp, ...)                                                        \
	do {                                                                             \
		if (!ical_expect((c), (comp),                                            \
				 (const char *const[][2]){__VA_ARGS__, {NULL, NULL}}))   \
			fail_msg("%s", (c)->error);                                      \
	} while (0)

#endif
