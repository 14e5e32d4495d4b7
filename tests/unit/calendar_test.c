/* calendar_test.c - unit tests for the iCalendar writer: escaping, folding,
 * CRLF, a whole calendar read back by libical (strictly), Korean time */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/ical_check.h"
#include "lms/core/datetime.h"
#include "lms/schedule/calendar.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define KO "\xED\x95\x9C" /* 한: three octets */

/* Seconds since the epoch of an RFC 3339 time. */
static long long at(const char *rfc3339)
{
	long long usec;

	assert_true(datetime_timestamp_parse(rfc3339, &usec));
	return usec / 1000000;
}

/* The text of one property line as written, NUL-terminated (free it). */
static char *property(const char *name, const char *value, bool text)
{
	struct calendar c;
	char *s;

	assert_int_equal(calendar_init(&c), 0);
	assert_int_equal(calendar_property_write(&c, name, value, text), 0);
	assert_int_equal(fflush(c.out), 0);
	s = strndup(c.data, c.len);
	calendar_release(&c);
	assert_non_null(s);
	return s;
}

/* Fails unless name:value is written exactly as want. */
static void assert_property(const char *name, const char *value, bool text, const char *want)
{
	char *got = property(name, value, text);

	if (strcmp(got, want) != 0)
		fail_msg("%s:%s\nexpected [%s]\n     got [%s]", name, value ? value : "(null)", want,
			 got);
	free(got);
}

/* The octets of each physical line of text (without CRLF) into lens;
 * returns how many lines. */
static int line_lengths(const char *text, size_t *lens, int max)
{
	int n = 0;

	for (const char *p = text; *p && n < max;) {
		const char *crlf = strstr(p, "\r\n");

		assert_non_null(crlf);
		lens[n++] = (size_t)(crlf - p);
		p = crlf + 2;
	}
	return n;
}

/* A whole calendar with one SUMMARY of value, checked and unfolded into c. */
static void calendar_of_summary(const char *value, struct ical *c)
{
	struct calendar cal;

	assert_int_equal(calendar_init(&cal), 0);
	assert_int_equal(calendar_begin(&cal, "test"), 0);
	assert_int_equal(calendar_event_write(&cal,
					      &(struct calendar_event){
						      .id = 1,
						      .starts_at = at("2027-03-03T00:00:00Z"),
						      .ends_at = at("2027-03-03T03:00:00Z"),
						      .updated_at = at("2027-02-01T00:00:00Z"),
						      .summary = value,
					      },
					      "lms.example.kr", at("2027-02-02T00:00:00Z")),
			 0);
	assert_int_equal(calendar_end(&cal), 0);
	if (!ical_check(cal.data, cal.len, c))
		fail_msg("%s in:\n%.*s", c->error, (int)cal.len, cal.data);
	calendar_release(&cal);
}

/* ---- escaping ---- */

static void text_is_escaped(void **state)
{
	(void)state;
	assert_property("SUMMARY", "AI, 딥러닝; 기초\\심화", true,
			"SUMMARY:AI\\, 딥러닝\\; 기초\\\\심화\r\n");
	/* Every kind of line break is one \n. */
	assert_property("DESCRIPTION", "1부\n2부\r\n3부\r4부", true,
			"DESCRIPTION:1부\\n2부\\n3부\\n4부\r\n");
	/* Control characters are dropped, a tab stays. */
	assert_property("SUMMARY", "a\x01" "b\tc\x7f", true, "SUMMARY:ab\tc\r\n");
	/* Colons and quotes need no escape in TEXT. */
	assert_property("SUMMARY", "Python: \"기초\"", true, "SUMMARY:Python: \"기초\"\r\n");
	/* A URI is not TEXT: its commas and semicolons stay. */
	assert_property("URL", "https://meet.example.kr/a,b;c", false,
			"URL:https://meet.example.kr/a,b;c\r\n");
	assert_property("SUMMARY", "", true, "SUMMARY:\r\n");
	assert_property("SUMMARY", NULL, true, "SUMMARY:\r\n");
}

/* Unfolding gives back the escaped value, and unescaping the title. */
static void escaped_title_reads_back(void **state)
{
	static const char *const titles[] = {
		"머신러닝, 딥러닝; 그리고 \\ 백슬래시\n두 번째 줄",
		"AI 실무 프로젝트 (2027-1), 광주과학기술원; 인공지능대학원 \\ 세미나실 A-101\n"
		"매주 수요일, 09:00–12:00; 온라인 병행",
		",,,;;;\\\\\\\n\n\n",
	};

	(void)state;
	for (size_t i = 0; i < NELEMS(titles); i++) {
		struct ical c;

		calendar_of_summary(titles[i], &c);
		ICAL_ASSERT(&c, ical_event(&c, 0), {"SUMMARY", titles[i]});
		ical_release(&c);
	}
}

/* ---- folding ---- */

static void folds_at_75_octets(void **state)
{
	char value[200], *text, want[300];
	size_t lens[8];

	(void)state;
	/* "SUMMARY:" is 8 octets: 67 more make exactly 75, no fold. */
	memset(value, 'a', 67);
	value[67] = '\0';
	text = property("SUMMARY", value, true);
	assert_int_equal(line_lengths(text, lens, 8), 1);
	assert_int_equal(lens[0], 75);
	free(text);

	/* One more folds: 75 octets, then a space and the rest. */
	memset(value, 'a', 68);
	value[68] = '\0';
	text = property("SUMMARY", value, true);
	snprintf(want, sizeof(want), "SUMMARY:%.67s\r\n a\r\n", value);
	assert_string_equal(text, want);
	free(text);

	/* A continuation line holds 74 octets after its space. */
	memset(value, 'b', 67 + 74 + 1);
	value[67 + 74 + 1] = '\0';
	text = property("SUMMARY", value, true);
	assert_int_equal(line_lengths(text, lens, 8), 3);
	assert_int_equal(lens[0], 75);
	assert_int_equal(lens[1], 75);
	assert_int_equal(lens[2], 2);
	free(text);

	/* An escape is never cut in two: 66 octets and "\," would end at 76. */
	memset(value, 'c', 66);
	strcpy(value + 66, ",d");
	text = property("SUMMARY", value, true);
	snprintf(want, sizeof(want), "SUMMARY:%.66s\r\n \\,d\r\n", value);
	assert_string_equal(text, want);
	free(text);
}

static void korean_is_never_split(void **state)
{
	char value[400], *text;
	size_t lens[16];

	(void)state;
	/* 8 + 22 * 3 = 74: the 23rd character would end at 77, so the line
	 * folds before it, at 74 octets. */
	value[0] = '\0';
	for (int i = 0; i < 30; i++)
		strcat(value, KO);
	text = property("SUMMARY", value, true);
	assert_int_equal(line_lengths(text, lens, 16), 2);
	assert_int_equal(lens[0], 74);
	/* then one space and the 8 characters left */
	assert_int_equal(lens[1], 1 + 8 * 3);
	free(text);

	/* Shifted by one octet, 22 characters end exactly at 75. */
	snprintf(value, sizeof(value), "a");
	for (int i = 0; i < 30; i++)
		strcat(value, KO);
	text = property("SUMMARY", value, true);
	assert_int_equal(line_lengths(text, lens, 16), 2);
	assert_int_equal(lens[0], 75);
	free(text);

	/* Any alignment of Korean, 2-, 3- and 4-octet characters and escapes:
	 * the strict checker reads whole characters on every line, and the
	 * title back as it was. */
	for (int shift = 0; shift < 6; shift++) {
		struct ical c;

		snprintf(value, sizeof(value), "%.*s", shift, "xxxxxx");
		for (int i = 0; i < 12; i++)
			strcat(value, i % 4 == 0 ? "é" : i % 4 == 1 ? KO "," : i % 4 == 2 ? "😀" : "광주;");
		calendar_of_summary(value, &c);
		ICAL_ASSERT(&c, ical_event(&c, 0), {"SUMMARY", value});
		ical_release(&c);
	}
}

static void every_line_ends_in_crlf(void **state)
{
	struct calendar cal;

	(void)state;
	assert_int_equal(calendar_init(&cal), 0);
	assert_int_equal(calendar_begin(&cal, "이름\n둘째 줄"), 0);
	assert_int_equal(calendar_end(&cal), 0);
	assert_true(cal.len > 2);
	for (size_t i = 0; i < cal.len; i++) {
		if (cal.data[i] == '\n' && (i == 0 || cal.data[i - 1] != '\r'))
			fail_msg("a bare LF at octet %zu", i);
		if (cal.data[i] == '\r' && (i + 1 == cal.len || cal.data[i + 1] != '\n'))
			fail_msg("a bare CR at octet %zu", i);
	}
	assert_memory_equal(cal.data + cal.len - 2, "\r\n", 2);
	calendar_release(&cal);
}

/* ---- a whole calendar ---- */

/* Fails unless event starts and ends at these seconds since the epoch, in
 * the time zone its DTSTART and DTEND name. */
static void assert_instants(icalcomponent *event, long long starts, long long ends)
{
	struct icaltimetype start = icalcomponent_get_dtstart(event),
			    end = icalcomponent_get_dtend(event);

	assert_non_null(start.zone);
	assert_non_null(end.zone);
	assert_int_equal(icaltime_as_timet_with_zone(start, start.zone), starts);
	assert_int_equal(icaltime_as_timet_with_zone(end, end.zone), ends);
}

static void full_calendar(void **state)
{
	struct calendar cal;
	struct ical c;
	icalcomponent *zone;

	(void)state;
	assert_int_equal(calendar_init(&cal), 0);
	assert_int_equal(calendar_begin(&cal, "이지능 교수 강의 일정"), 0);
	assert_int_equal(
		calendar_event_write(
			&cal,
			&(struct calendar_event){
				.id = 7,
				.starts_at = at("2027-03-03T00:00:00Z"),
				.ends_at = at("2027-03-03T03:00:00Z"),
				.updated_at = at("2027-02-01T08:30:00Z"),
				.sequence = 3,
				.cancelled = true,
				.summary = "머신러닝 기초, 실습",
				.location = "AI대학원 세미나실, 광주 북구 첨단과기로 123; 2층",
				.description = "광주과학기술원\n학기: 2027-1",
			},
			"lms.example.kr", at("2027-02-02T01:02:03Z")),
		0);
	assert_int_equal(calendar_event_write(&cal,
					      &(struct calendar_event){
						      .id = 8,
						      .starts_at = at("2027-03-03T20:30:00Z"),
						      .ends_at = at("2027-03-03T22:00:00Z"),
						      .updated_at = at("2027-02-01T08:30:00Z"),
						      .summary = "Online",
						      .location = "https://meet.example.kr/a,b",
						      .url = "https://meet.example.kr/a,b",
					      },
					      "lms.example.kr", at("2027-02-02T01:02:03Z")),
			 0);
	assert_int_equal(calendar_end(&cal), 0);
	if (!ical_check(cal.data, cal.len, &c))
		fail_msg("%s in:\n%.*s", c.error, (int)cal.len, cal.data);

	assert_int_equal(c.nevents, 2);
	ICAL_ASSERT(&c, c.cal, {"VERSION", "2.0"},
		    {"PRODID", "-//Gwangju AI Talent Platform//lms//KO"}, {"CALSCALE", "GREGORIAN"},
		    {"METHOD", "PUBLISH"}, {"X-WR-CALNAME", "이지능 교수 강의 일정"});
	assert_int_equal(icalcomponent_count_components(c.cal, ICAL_VTIMEZONE_COMPONENT), 1);
	zone = ical_timezone(&c, "Asia/Seoul");
	ICAL_ASSERT(&c, zone, {"TZID", "Asia/Seoul"});
	ICAL_ASSERT(&c, icalcomponent_get_first_component(zone, ICAL_XSTANDARD_COMPONENT),
		    {"DTSTART", "19700101T000000"}, {"TZOFFSETFROM", "+0900"},
		    {"TZOFFSETTO", "+0900"}, {"TZNAME", "KST"});
	/* The first event: 00:00Z is 09:00 in Seoul. A facility's event has
	 * no URL. */
	ICAL_ASSERT(&c, ical_event(&c, 0), {"UID", "session-7@lms.example.kr"},
		    {"DTSTAMP", "20270202T010203Z"}, {"DTSTART;TZID=Asia/Seoul", "20270303T090000"},
		    {"DTEND;TZID=Asia/Seoul", "20270303T120000"}, {"SUMMARY", "머신러닝 기초, 실습"},
		    {"LOCATION", "AI대학원 세미나실, 광주 북구 첨단과기로 123; 2층"},
		    {"DESCRIPTION", "광주과학기술원\n학기: 2027-1"}, {"SEQUENCE", "3"},
		    {"STATUS", "CANCELLED"}, {"LAST-MODIFIED", "20270201T083000Z"}, {"URL", NULL});
	/* The second: 20:30Z is 05:30 the next day in Seoul; the online link
	 * is its URL and, as text, its LOCATION. */
	ICAL_ASSERT(&c, ical_event(&c, 1), {"UID", "session-8@lms.example.kr"},
		    {"DTSTART;TZID=Asia/Seoul", "20270304T053000"},
		    {"DTEND;TZID=Asia/Seoul", "20270304T070000"},
		    {"LOCATION", "https://meet.example.kr/a,b"}, {"SEQUENCE", "0"},
		    {"STATUS", "CONFIRMED"}, {"DESCRIPTION", NULL},
		    {"URL", "https://meet.example.kr/a,b"});
	/* libical, with the calendar's own VTIMEZONE, finds the same instants. */
	assert_instants(ical_event(&c, 0), at("2027-03-03T00:00:00Z"), at("2027-03-03T03:00:00Z"));
	assert_instants(ical_event(&c, 1), at("2027-03-03T20:30:00Z"), at("2027-03-03T22:00:00Z"));
	/* And the comparison tells a wrong value, parameter or presence. */
	assert_false(ical_expect(&c, ical_event(&c, 0),
				 (const char *const[][2]){{"SEQUENCE", "4"}, {NULL, NULL}}));
	assert_false(ical_expect(
		&c, ical_event(&c, 1),
		(const char *const[][2]){{"DTSTART;TZID=Europe/Paris", "20270304T053000"}, {NULL, NULL}}));
	assert_false(ical_expect(&c, ical_event(&c, 1),
				 (const char *const[][2]){{"URL", NULL}, {NULL, NULL}}));
	assert_false(ical_expect(&c, ical_event(&c, 0),
				 (const char *const[][2]){{"URL", "https://meet.example.kr/a,b"},
							  {NULL, NULL}}));
	assert_null(ical_event(&c, 2));
	ical_release(&c);
	calendar_release(&cal);
}

/* ---- Korean time ---- */

static void times_in_korea(void **state)
{
	char local[16], utc[17], rfc[26];

	(void)state;
	calendar_local_format(at("2027-03-03T00:00:00Z"), local);
	calendar_utc_format(at("2027-03-03T00:00:00Z"), utc);
	calendar_rfc3339_format(at("2027-03-03T00:00:00Z"), rfc);
	assert_string_equal(local, "20270303T090000");
	assert_string_equal(utc, "20270303T000000Z");
	assert_string_equal(rfc, "2027-03-03T09:00:00+09:00");

	/* A session at 09:00 in Korea is at 00:00Z. */
	calendar_utc_format(at("2027-03-03T09:00:00+09:00"), utc);
	assert_string_equal(utc, "20270303T000000Z");
	/* Across midnight and the year. */
	calendar_rfc3339_format(at("2026-12-31T15:00:00Z"), rfc);
	assert_string_equal(rfc, "2027-01-01T00:00:00+09:00");
	calendar_local_format(at("2026-12-31T14:59:59Z"), local);
	assert_string_equal(local, "20261231T235959");
}

/* ---- the checker itself refuses what it must ---- */

#define CAL_HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
#define ZONE                                                                             \
	"BEGIN:VTIMEZONE\r\nTZID:Asia/Seoul\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n" \
	"TZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
/* An event whose SEQUENCE line is seq, with lines more before its END. */
#define EVENT(seq, more)                                                                 \
	"BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20270101T000000Z\r\n"                              \
	"DTSTART;TZID=Asia/Seoul:20270101T000000\r\nDTEND;TZID=Asia/Seoul:20270101T010000\r\n" \
	"SUMMARY:x\r\n" seq "\r\nSTATUS:CONFIRMED\r\n" more "END:VEVENT\r\n"

static void checker_refuses_bad_text(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{"BEGIN:VCALENDAR\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n", "line feed"},
		{CAL_HEAD "END:VCALENDAR", "CRLF"},
		{CAL_HEAD "X-WR-CALNAME:"
			  "012345678901234567890123456789012345678901234567890123456789012\r\n"
			  "END:VCALENDAR\r\n",
		 "76 octets"},
		{CAL_HEAD "X-WR-CALNAME:\xED\x95\r\n \x9C\r\nEND:VCALENDAR\r\n", "UTF-8"},
		{CAL_HEAD "X-WR-CALNAME:a\x01\r\nEND:VCALENDAR\r\n", "control character"},
		{CAL_HEAD "X-WR-CALNAME:a\r\n\tb\r\nEND:VCALENDAR\r\n", "tab"},
		{CAL_HEAD "\r\nEND:VCALENDAR\r\n", "empty line"},
		{CAL_HEAD "BEGIN:VEVENT\r\nEND:VCALENDAR\r\n", "libical reads no calendar"},
		{"BEGIN:VCALENDAR\r\nPRODID:x\r\nEND:VCALENDAR\r\n", "VERSION"},
		{CAL_HEAD "END:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "not one VCALENDAR"},
		{CAL_HEAD "X-WR-CALNAME:a,b\r\nEND:VCALENDAR\r\n", "reads back as [X-WR-CALNAME:a\\,b]"},
		{CAL_HEAD ZONE EVENT("SEQUENCE:0", "DESCRIPTION:a;b\r\n") "END:VCALENDAR\r\n",
		 "reads back as [DESCRIPTION:a\\;b]"},
		{CAL_HEAD ZONE EVENT("SEQUENCE:0", "DESCRIPTION:a\\tb\r\n") "END:VCALENDAR\r\n",
		 "[DESCRIPTION:a\\tb] reads back"},
		{CAL_HEAD EVENT("SEQUENCE:0", "") "END:VCALENDAR\r\n", "VTIMEZONE"},
		{CAL_HEAD ZONE EVENT("SEQUENCE:x1", "") "END:VCALENDAR\r\n",
		 "[SEQUENCE:x1] reads back as [SEQUENCE:0]"},
		{CAL_HEAD ZONE EVENT("SEQUENCE:-1", "") "END:VCALENDAR\r\n", "SEQUENCE is not a number"},
		{CAL_HEAD ZONE EVENT("SEQUENCE:0", "STATUS:DONE\r\n") "END:VCALENDAR\r\n", "STATUS DONE"},
		{CAL_HEAD ZONE EVENT("SEQUENCE:0", "SUMMARY:y\r\n") "END:VCALENDAR\r\n",
		 "VEVENT needs UID"},
		{CAL_HEAD ZONE EVENT("SEQUENCE:0", "LAST-MODIFIED:20270101T000000\r\n")
			  "END:VCALENDAR\r\n",
		 "LAST-MODIFIED is not a UTC date-time"},
		{CAL_HEAD ZONE EVENT("X-SEQ:0", "SEQUENCE:0\r\nDTSTART:20270101T000000\r\n")
			  "END:VCALENDAR\r\n",
		 "floating time"},
	};

	(void)state;
	for (size_t i = 0; i < NELEMS(bad); i++) {
		struct ical c;

		if (ical_check(bad[i].text, strlen(bad[i].text), &c))
			fail_msg("accepted: %s", bad[i].text);
		if (!strstr(c.error, bad[i].why))
			fail_msg("refused for \"%s\", expected \"%s\"", c.error, bad[i].why);
		ical_release(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_is_escaped),
		cmocka_unit_test(escaped_title_reads_back),
		cmocka_unit_test(folds_at_75_octets),
		cmocka_unit_test(korean_is_never_split),
		cmocka_unit_test(every_line_ends_in_crlf),
		cmocka_unit_test(full_calendar),
		cmocka_unit_test(times_in_korea),
		cmocka_unit_test(checker_refuses_bad_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
