/* datetime.h - calendar dates and RFC 3339 instants as requests write them */
#ifndef LMS_CORE_DATETIME_H
#define LMS_CORE_DATETIME_H

#include <stdbool.h>

/*
 * Parses a calendar date "YYYY-MM-DD" (years 0001 to 9999, a day that exists
 * in that month) into days since 1970-01-01. Returns false for anything
 * else, without touching *days.
 */
bool datetime_date_parse(const char *s, long long *days);

/*
 * Parses an RFC 3339 instant "YYYY-MM-DDTHH:MM:SS[.f]" with "Z" or "+HH:MM" /
 * "-HH:MM" (at most 6 fraction digits, the precision PostgreSQL keeps;
 * offsets to +-15:59, as PostgreSQL accepts) into microseconds since
 * 1970-01-01T00:00:00Z. Returns false for anything else.
 */
bool datetime_timestamp_parse(const char *s, long long *usec);

/*
 * Parses an instant as a query string names one: RFC 3339 as
 * datetime_timestamp_parse takes it, or a date YYYY-MM-DD meaning
 * 00:00 of that day in Korea (+09:00). A space where an offset's "+"
 * stands is read as "+" (a query string turns an unencoded "+" into a
 * space, and RFC 3339 has none there). Returns false for anything else.
 */
bool datetime_instant_parse(const char *s, long long *usec);

#endif
