/* catalog_rules.h - rules of catalogue values: codes, terms, tags, spans, transitions */
#ifndef LMS_CATALOG_CATALOG_RULES_H
#define LMS_CATALOG_CATALOG_RULES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lms/http/schema.h"

/* At most this many tags on a course. */
#define CATALOG_TAGS_MAX 20

/*
 * Checks of catalogue values for a body's schema (schema_check_fn: v has
 * the field's type; why not into msg). code: a letter or digit, then
 * letters, digits, '_', '.', '-', at most f->max in all. term: "2027-1",
 * "2027-2", "2027-summer", "2027-winter", or a cohort "2027-c1" to
 * "2027-c99" (2027-c3: the year's third cohort, 2027년 3기). tags (an array): at most
 * CATALOG_TAGS_MAX strings of f->min..f->max characters, not blank.
 */
schema_check_fn catalog_rules_code_check, catalog_rules_term_check, catalog_rules_tags_check;

/*
 * The number of the cohort term names ("2027-c3": 3, shown as 2027년 3기 or
 * 2027 Cohort 3), 1 to 99; 0 when term (may be NULL) is no cohort.
 */
int catalog_rules_term_cohort(const char *term);

/* When a section runs and takes enrolments. */
struct catalog_span {
	long long starts_on, ends_on;   /* days since 1970-01-01 */
	long long opens_at, closes_at;  /* microseconds since 1970-01-01T00:00:00Z */
};

/*
 * Applies the dates body names (starts_on, ends_on, enrollment_opens_at,
 * enrollment_closes_at; valid ones, as the body's schema checked them)
 * over *span and checks that the section ends no earlier than it starts
 * and that enrolment closes after it opens. Each relation that fails adds
 * an error to *errors naming a field the body sets (the later one when it
 * sets both). Returns true when both hold.
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
