/* content_store.h - course content in the database: syllabus, lessons,
 * attachments, lesson progress */
#ifndef LMS_CATALOG_CONTENT_STORE_H
#define LMS_CATALOG_CONTENT_STORE_H

#include <jansson.h>
#include <stdbool.h>

#include "lms/db/blobstore.h"

struct db_conn;

/*
 * A SQL expression for the progress of learner `user` in course `course`
 * (both SQL expressions, e.g. "e.user_id", "s.course_id" or "$1::bigint"):
 * json {"completed": lessons the learner finished, "total": lessons of the
 * course}. For queries that list progress beside other columns, such as a
 * learner's enrolments.
 */
#define CONTENT_STORE_PROGRESS_JSON(user, course)                                        \
	"json_build_object('completed', (SELECT count(*) FROM lesson_progress cp_p"       \
	" JOIN lessons cp_l ON cp_l.id = cp_p.lesson_id"                                  \
	" JOIN course_modules cp_m ON cp_m.id = cp_l.module_id"                           \
	" WHERE cp_p.user_id = " user " AND cp_m.course_id = " course "),"              \
	" 'total', (SELECT count(*) FROM lessons cp_l"                                    \
	" JOIN course_modules cp_m ON cp_m.id = cp_l.module_id"                           \
	" WHERE cp_m.course_id = " course "))"

/* What the permission rules need to know of a lesson's course, for one
 * caller. */
struct content_facts {
	long long course_id;
	long long institution_id;
	bool published;
	bool enrolled;         /* enrolled, completed or incomplete in a section of it */
	bool enrolled_active;  /* enrolled (and not yet finished) in a section of it */
	bool teaches;          /* instructs a section of it */
};

/* An attachment as stored. */
struct content_file {
	long long id;
	long long lesson_id;
	long long size;
	char sha256[BLOB_HASH_LEN + 1];
	char content_type[128];
	char filename[1024];   /* up to 255 characters of UTF-8 */
};

/* The facts of lesson_id's course for user_id (0: nobody). Returns 0 or
 * LMS_ENOTFOUND when there is no such lesson, or a db_exec error. */
int content_store_lesson_facts(struct db_conn *db, long long lesson_id, long long user_id,
			       struct content_facts *f);

/* The attachment id with the facts of its course for user_id. Returns 0,
 * LMS_ENOTFOUND, or a db_exec error. */
int content_store_attachment(struct db_conn *db, long long id, long long user_id,
			     struct content_facts *f, struct content_file *file);

/*
 * The syllabus of course_id into *out (new): {course_id, modules: [{id,
 * position, title_ko, title_en, title, lessons: [{id, position, title_ko,
 * title_en, title, kind, duration_min, has_attachments}]}]} in (position,
 * id) order, titles in lang ("ko" | "en"). No bodies, no URLs.
 */
int content_store_syllabus(struct db_conn *db, long long course_id, const char *lang,
			   json_t **out);

/*
 * Lesson id into *out (new) with body_md (unrendered), url, attachments,
 * title in lang and user_id's completed_at (null when not done).
 * LMS_ENOTFOUND when there is none.
 */
int content_store_lesson(struct db_conn *db, long long id, long long user_id, const char *lang,
			 json_t **out);

/* Records file (its id is ignored) as an attachment uploaded by user_id;
 * the new row's JSON into *out (new). */
int content_store_attachment_add(struct db_conn *db, const struct content_file *file,
				 long long user_id, json_t **out);

/* Marks lesson_id done for user_id; doing it again keeps the first time.
 * *out (new): {lesson_id, completed_at}. */
int content_store_lesson_complete(struct db_conn *db, long long user_id, long long lesson_id,
				  json_t **out);

/* The lessons of course_id that user_id finished, and all its lessons. */
int content_store_course_progress(struct db_conn *db, long long user_id, long long course_id,
				  long long *completed, long long *total);

#endif
