/* catalog_rules.c - rules of catalogue values: codes, terms, tags, spans, transitions */
#include "lms/catalog/catalog_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/datetime.h"
#include "lms/core/text.h"
#include "lms/http/request.h"

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

int catalog_rules_term_cohort(const char *term)
{
	const char *c;
	size_t n;

	/* The prefix first: c is only read within the string. */
	if (!term || strspn(term, "0123456789") != 4 || strncmp(term + 4, "-c", 2) != 0)
		return 0;
	c = term + 6;
	n = strspn(c, "0123456789");
	return n >= 1 && n <= 2 && c[0] != '0' && c[n] == '\0' ? atoi(c) : 0;
}

static bool term_ok(const char *s)
{
	return strspn(s, "0123456789") == 4 && s[4] == '-' &&
	       (!strcmp(s + 5, "1") || !strcmp(s + 5, "2") || !strcmp(s + 5, "summer") ||
		!strcmp(s + 5, "winter") || catalog_rules_term_cohort(s) > 0);
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
	       schema_refuse(msg, len, "must be a year and a term: YYYY-1, YYYY-2, YYYY-summer, "
				       "YYYY-winter or a cohort YYYY-c1 to YYYY-c99");
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
	datetime_date_parse(json_string_value(json_object_get(body, "starts_on")),
				 &span->starts_on);
	datetime_date_parse(json_string_value(json_object_get(body, "ends_on")),
				 &span->ends_on);
	datetime_timestamp_parse(
		json_string_value(json_object_get(body, "enrollment_opens_at")), &span->opens_at);
	datetime_timestamp_parse(
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
