/* catalog_rules.c - rules of catalogue values: dates, codes, terms, tags, links, spans */
#include "lms/catalog/catalog_rules.h"

#include <stdio.h>
#include <string.h>

#include "lms/core/text.h"
#include "lms/http/request.h"

/* Reads exactly n decimal digits at s into *v. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

static bool leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil; y >= 1 here, so no negative eras). */
static long long civil_days(int y, int m, int d)
{
	int yy = m <= 2 ? y - 1 : y;
	long long era = yy / 400;
	long long yoe = yy - era * 400;
	long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* The "YYYY-MM-DD" at the start of s (exactly ten characters). */
static bool date_prefix(const char *s, long long *days)
{
	int y, m, d;

	if (strnlen(s, 10) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return false;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return false;
	*days = civil_days(y, m, d);
	return true;
}

bool catalog_rules_date_parse(const char *s, long long *days)
{
	long long v;

	if (!s || strlen(s) != 10 || !date_prefix(s, &v))
		return false;
	*days = v;
	return true;
}

bool catalog_rules_timestamp_parse(const char *s, long long *usec)
{
	long long days, frac = 0;
	int h, mi, sec, oh = 0, om = 0, sign = 0, nfrac = 0;
	const char *p;

	if (!s || !date_prefix(s, &days) || s[10] != 'T')
		return false;
	p = s + 11;
	if (!digits(p, 2, &h) || p[2] != ':' || !digits(p + 3, 2, &mi) || p[5] != ':' ||
	    !digits(p + 6, 2, &sec) || h > 23 || mi > 59 || sec > 59)
		return false;
	p += 8;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nfrac++) {
			if (nfrac == 6)
				return false;
			frac = frac * 10 + (*p - '0');
		}
		if (nfrac == 0)
			return false;
		for (int i = nfrac; i < 6; i++)
			frac *= 10;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 15 ||
		    om > 59)
			return false;
		p += 6;
	} else {
		return false;
	}
	if (*p)
		return false;
	*usec = ((days * 86400 + h * 3600 + mi * 60 + sec) - sign * (oh * 3600 + om * 60)) *
			1000000LL +
		frac;
	return true;
}

/* Korea has kept +09:00 all year since 1988. */
#define KST_OFFSET_S (9 * 3600)

bool catalog_rules_instant_parse(const char *s, long long *usec)
{
	size_t n = s ? strlen(s) : 0;
	long long days;
	char buf[64];

	if (catalog_rules_date_parse(s, &days)) {
		*usec = (days * 86400 - KST_OFFSET_S) * 1000000LL;
		return true;
	}
	if (n > 19 && n < sizeof(buf) && s[n - 6] == ' ') {
		memcpy(buf, s, n + 1);
		buf[n - 6] = '+';
		s = buf;
	}
	return catalog_rules_timestamp_parse(s, usec);
}

static bool blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

static bool code_ok(const char *s, long long max)
{
	static const char chars[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";
	size_t n = strlen(s);

	/* The first character is one of chars but not of its last three. */
	return n >= 1 && (long long)n <= max && strspn(s, chars) == n &&
	       !strchr("_.-", s[0]);
}

static bool term_ok(const char *s)
{
	int y;

	return digits(s, 4, &y) && s[4] == '-' &&
	       (!strcmp(s + 5, "1") || !strcmp(s + 5, "2") || !strcmp(s + 5, "summer") ||
		!strcmp(s + 5, "winter"));
}

static bool url_ok(const char *s, long long max)
{
	size_t n = strlen(s);

	if ((long long)n > max || strncmp(s, "https://", 8) != 0 || !s[8] || s[8] == '/')
		return false;
	/* A link is shown and followed as it is: no spaces or control
	 * characters that would end it early or hide part of it. */
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c <= 0x20 || *c == 0x7f)
			return false;
	return true;
}

static bool one_of(const char *s, const char *const *values)
{
	for (; values && *values; values++)
		if (!strcmp(s, *values))
			return true;
	return false;
}

bool catalog_rules_code_check(const struct schema_field *f, const json_t *v, char *msg,
			      size_t len)
{
	return code_ok(json_string_value(v), f->max) ||
	       schema_refuse(msg, len,
			     "must be 1 to %lld letters, digits, '_', '.' or '-', starting with a "
			     "letter or digit",
			     f->max);
}

bool catalog_rules_term_check(const struct schema_field *f, const json_t *v, char *msg,
			      size_t len)
{
	(void)f;
	return term_ok(json_string_value(v)) ||
	       schema_refuse(msg, len, "must be a year and a term: YYYY-1, YYYY-2, YYYY-summer "
				       "or YYYY-winter");
}

bool catalog_rules_date_check(const struct schema_field *f, const json_t *v, char *msg,
			      size_t len)
{
	long long ignored;

	(void)f;
	return catalog_rules_date_parse(json_string_value(v), &ignored) ||
	       schema_refuse(msg, len, "must be a date YYYY-MM-DD that exists");
}

bool catalog_rules_timestamp_check(const struct schema_field *f, const json_t *v, char *msg,
				   size_t len)
{
	long long ignored;

	(void)f;
	return catalog_rules_timestamp_parse(json_string_value(v), &ignored) ||
	       schema_refuse(msg, len, "must be an RFC 3339 time with an offset, like "
				       "2027-02-01T09:00:00+09:00");
}

bool catalog_rules_url_check(const struct schema_field *f, const json_t *v, char *msg,
			     size_t len)
{
	return url_ok(json_string_value(v), f->max) ||
	       schema_refuse(msg, len, "must be an https:// link without spaces, at most %lld bytes",
			     f->max);
}

bool catalog_rules_tags_check(const struct schema_field *f, const json_t *tags, char *msg,
			      size_t len)
{
	size_t i;
	json_t *t;

	if (json_array_size(tags) > CATALOG_TAGS_MAX)
		return schema_refuse(msg, len, "must have at most %d tags", CATALOG_TAGS_MAX);
	json_array_foreach(tags, i, t) {
		size_t n;

		if (!json_is_string(t) || strlen(json_string_value(t)) != json_string_length(t))
			return schema_refuse(msg, len, "each tag must be a string");
		n = text_utf8_chars(json_string_value(t));
		if ((long long)n < f->min || (long long)n > f->max ||
		    blank(json_string_value(t)))
			return schema_refuse(msg, len,
					     "each tag must be %lld to %lld characters, not blank",
					     f->min, f->max);
	}
	return true;
}

/* Checks first <= last (or first < last when strict); names the field the
 * body sets, the later one when it sets both. */
static bool ordered(const json_t *body, long long first, long long last, bool strict,
		    const char *first_name, const char *last_name, json_t **errors)
{
	char msg[96];

	if (strict ? first < last : first <= last)
		return true;
	if (json_object_get(body, last_name) || !json_object_get(body, first_name)) {
		snprintf(msg, sizeof(msg), "must be %s %s", strict ? "after" : "on or after",
			 first_name);
		http_json_error_add(errors, last_name, msg);
	} else {
		snprintf(msg, sizeof(msg), "must be %s %s", strict ? "before" : "on or before",
			 last_name);
		http_json_error_add(errors, first_name, msg);
	}
	return false;
}

bool catalog_rules_section_span(const json_t *body, struct catalog_span *span, json_t **errors)
{
	bool dates, window;

	/* Absent fields leave the span's values as they are. */
	catalog_rules_date_parse(json_string_value(json_object_get(body, "starts_on")),
				 &span->starts_on);
	catalog_rules_date_parse(json_string_value(json_object_get(body, "ends_on")),
				 &span->ends_on);
	catalog_rules_timestamp_parse(
		json_string_value(json_object_get(body, "enrollment_opens_at")), &span->opens_at);
	catalog_rules_timestamp_parse(
		json_string_value(json_object_get(body, "enrollment_closes_at")), &span->closes_at);
	dates = ordered(body, span->starts_on, span->ends_on, false, "starts_on", "ends_on", errors);
	window = ordered(body, span->opens_at, span->closes_at, true, "enrollment_opens_at",
			 "enrollment_closes_at", errors);
	return dates && window;
}

bool catalog_rules_section_transition_ok(const char *from, const char *to)
{
	static const char *const statuses[] = {"draft", "open", "closed", "cancelled", NULL};

	if (!one_of(to, statuses))
		return false;
	if (!strcmp(from, to))
		return true;
	return strcmp(from, "cancelled") != 0;
}

bool catalog_rules_lesson_needs_url(const char *kind)
{
	return !strcmp(kind, "video") || !strcmp(kind, "link");
}
