/* catalog_rules.h - rules of catalogue values: dates, codes, texts, tags, links */
#ifndef LMS_CATALOG_CATALOG_RULES_H
#define LMS_CATALOG_CATALOG_RULES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* At most this many tags on a course. */
#define CATALOG_TAGS_MAX 20

/* What a value of one field must be (the JSON type was checked before). */
enum catalog_check {
	CATALOG_TEXT,      /* string of min..max characters; not blank when min > 0 */
	CATALOG_INT,       /* integer from min to max */
	CATALOG_ONE_OF,    /* string, one of values */
	CATALOG_CODE,      /* course code: a letter or digit, then letters, digits, _ . -;
			    * at most max characters */
	CATALOG_TERM,      /* "2027-1", "2027-2", "2027-summer", "2027-winter" */
	CATALOG_DATE,      /* YYYY-MM-DD, a day that exists */
	CATALOG_TIMESTAMP, /* RFC 3339 with an offset */
	CATALOG_TAGS,      /* array of at most CATALOG_TAGS_MAX strings of min..max
			    * characters */
	CATALOG_IDS,       /* array of at most max positive integer ids */
	CATALOG_HTTPS_URL, /* https:// link of at most max bytes, no spaces */
};

/* The rule of one field of a request body. */
struct catalog_rule {
	const char *field;
	enum catalog_check check;
	long long min, max;
	const char *const *values; /* CATALOG_ONE_OF: NULL-terminated */
};

/*
 * Checks each field of body that rules name and body holds (absent fields,
 * JSON null, values of the wrong type and fields *errors already names are
 * left to the field list of the request) and appends {"field", "message"}
 * for each bad one to *errors (an array, created when NULL). Returns true
 * when every value it checked is acceptable.
 */
bool catalog_rules_check(const json_t *body, const struct catalog_rule *rules, size_t nrules,
			 json_t **errors);

/*
 * Whether v is acceptable by rule r; writes why not into msg (len bytes)
 * when it is not.
 */
bool catalog_rules_value_ok(const struct catalog_rule *r, const json_t *v, char *msg,
			    size_t len);

/*
 * Parses a calendar date "YYYY-MM-DD" (years 0001 to 9999, a day that exists
 * in that month) into days since 1970-01-01. Returns false for anything
 * else, without touching *days.
 */
bool catalog_rules_date_parse(const char *s, long long *days);

/*
 * Parses an RFC 3339 instant "YYYY-MM-DDTHH:MM:SS[.f]" with "Z" or "+HH:MM" /
 * "-HH:MM" (at most 6 fraction digits, the precision PostgreSQL keeps;
 * offsets to +-15:59, as PostgreSQL accepts) into microseconds since
 * 1970-01-01T00:00:00Z. Returns false for anything else.
 */
bool catalog_rules_timestamp_parse(const char *s, long long *usec);

/*
 * Parses an instant as a query string names one: RFC 3339 as
 * catalog_rules_timestamp_parse takes it, or a date YYYY-MM-DD meaning
 * 00:00 of that day in Korea (+09:00). A space where an offset's "+"
 * stands is read as "+" (a query string turns an unencoded "+" into a
 * space, and RFC 3339 has none there). Returns false for anything else.
 */
bool catalog_rules_instant_parse(const char *s, long long *usec);

/* The number of characters (code points) of the UTF-8 text s. */
size_t catalog_rules_chars(const char *s);

/* When a section runs and takes enrolments. */
struct catalog_span {
	long long starts_on, ends_on;   /* days since 1970-01-01 */
	long long opens_at, closes_at;  /* microseconds since 1970-01-01T00:00:00Z */
};

/*
 * Applies the dates body names (starts_on, ends_on, enrollment_opens_at,
 * enrollment_closes_at; valid ones, see catalog_rules_check) over *span and
 * checks that the section ends no earlier than it starts and that
 * enrolment closes after it opens. Each relation that fails adds an error
 * to *errors naming a field the body sets (the later one when it sets
 * both). Returns true when both hold.
 */
bool catalog_rules_section_span(const json_t *body, struct catalog_span *span, json_t **errors);

/*
 * Whether a section may go from status from to status to: cancelled is
 * final; draft, open and closed go to each other or to cancelled.
 */
bool catalog_rules_section_transition_ok(const char *from, const char *to);

/* Whether a lesson of this kind must have a url (video, link). */
bool catalog_rules_lesson_needs_url(const char *kind);

#endif
