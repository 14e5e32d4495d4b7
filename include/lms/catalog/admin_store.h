/* admin_store.h - changing the catalogue: courses, sections, modules, lessons */
#ifndef LMS_CATALOG_ADMIN_STORE_H
#define LMS_CATALOG_ADMIN_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lms/catalog/catalog_rules.h"

struct db_conn;

/*
 * Bodies (body arguments) are request objects already checked against
 * their schema (types, lengths, dates, enumerations; admin_http.c):
 * PostgreSQL reads the fields it names from them. An update changes only
 * the fields the body names.
 */

/* What can be changed, each reached through its course. */
enum admin_kind {
	ADMIN_COURSE,
	ADMIN_SECTION,
	ADMIN_MODULE,
	ADMIN_LESSON,
};

/* Whose a target is. */
struct admin_owner {
	long long course_id;
	long long institution_id;
};

/* What a section change is checked against. */
struct admin_section {
	int capacity;
	char status[16];
	struct catalog_span span;
	long long enrolled;       /* enrolments holding a seat (status enrolled) */
};

/*
 * The course and institution of target id of kind into *o; with lock, the
 * target row is locked (FOR UPDATE) until the caller's transaction ends.
 * Returns 0, LMS_ENOTFOUND or another lms_err.
 */
int admin_store_owner(struct db_conn *db, enum admin_kind kind, long long id, bool lock,
		      struct admin_owner *o);

/* Whether user_id instructs a section of course_id, into *teaches. */
int admin_store_teaches(struct db_conn *db, long long course_id, long long user_id,
			bool *teaches);

/* The id of the programme with code; LMS_ENOTFOUND when there is none. */
int admin_store_program_id(struct db_conn *db, const char *code, long long *id);

/*
 * Checks ids (a JSON array of ids) as the prerequisites of course_id (0 for
 * a course not created yet) of institution_id: each must be a course that
 * is published or of the same institution, not the course itself, and not
 * one that already requires it (a cycle would make both unreachable).
 * Returns 0 with *why NULL when they are acceptable, or with *why a new
 * message saying which are not (free() it); or an lms_err. For an existing
 * course it serialises with other prerequisite changes until the caller's
 * transaction ends, so two changes cannot close a cycle together.
 */
int admin_store_prerequisites_check(struct db_conn *db, long long course_id,
				    long long institution_id, const json_t *ids, char **why);

/*
 * Checks ids (a JSON array of user ids) as instructors of a section of a
 * course of institution_id: each must have an instructor profile whose home
 * is institution_id or which is shared with it.
 * Returns 0 with *why NULL, or with *why a new message naming the others
 * (free() it); or an lms_err.
 */
int admin_store_instructors_check(struct db_conn *db, long long institution_id,
				  const json_t *ids, char **why);

/*
 * Creates a course of institution_id in programme program_id from body into
 * *id. Returns 0, LMS_ECONFLICT when the institution has a course with that
 * code, or another lms_err.
 */
int admin_store_course_create(struct db_conn *db, long long institution_id, long long program_id,
			      const json_t *body, long long *id);

/* Updates course id from body; program_id 0 keeps its programme. Returns 0,
 * LMS_ECONFLICT for a code the institution already uses, or an lms_err. */
int admin_store_course_update(struct db_conn *db, long long id, long long program_id,
			      const json_t *body);

/* Makes ids (a JSON array, checked) the prerequisites of course id. */
int admin_store_prerequisites_set(struct db_conn *db, long long course_id, const json_t *ids);

/* The state of section id (lock it first, with admin_store_owner). */
int admin_store_section_state(struct db_conn *db, long long id, struct admin_section *s);

/* Creates a section of course_id from body into *id. */
int admin_store_section_create(struct db_conn *db, long long course_id, const json_t *body,
			       long long *id);

/* Updates section id from body. */
int admin_store_section_update(struct db_conn *db, long long id, const json_t *body);

/* Makes ids (a JSON array, checked) the instructors of section id. */
int admin_store_instructors_set(struct db_conn *db, long long section_id, const json_t *ids);

/* Section id as JSON with instructor_ids, enrolled_count, waitlist_length
 * and seats_left into *section (new). */
int admin_store_section_get(struct db_conn *db, long long id, json_t **section);

/* Creates a module of course_id / updates module id from body; its JSON
 * into *module (new). */
int admin_store_module_create(struct db_conn *db, long long course_id, const json_t *body,
			      json_t **module);
int admin_store_module_update(struct db_conn *db, long long id, const json_t *body,
			      json_t **module);

/* Lesson id as JSON into *lesson (new); LMS_ENOTFOUND when there is none. */
int admin_store_lesson_get(struct db_conn *db, long long id, json_t **lesson);

/* Creates a lesson of module_id / updates lesson id from body; its JSON
 * into *lesson (new). */
int admin_store_lesson_create(struct db_conn *db, long long module_id, const json_t *body,
			      json_t **lesson);
int admin_store_lesson_update(struct db_conn *db, long long id, const json_t *body,
			      json_t **lesson);

#endif
