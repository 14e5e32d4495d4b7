/* content_store.c - course content in the database: syllabus, lessons,
 * attachments, lesson progress */
#include "lms/catalog/content_store.h"

#include <stdio.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

/* The caller's relation to course c, user $2: the columns of struct
 * content_facts in order. */
#define FACTS_COLUMNS                                                                    \
	"c.id, c.institution_id, c.published,"                                           \
	" EXISTS (SELECT 1 FROM enrollments e JOIN sections s ON s.id = e.section_id"    \
	"  WHERE s.course_id = c.id AND e.user_id = $2"                                   \
	"  AND e.status IN ('enrolled', 'completed', 'incomplete')),"                     \
	" EXISTS (SELECT 1 FROM enrollments e JOIN sections s ON s.id = e.section_id"    \
	"  WHERE s.course_id = c.id AND e.user_id = $2 AND e.status = 'enrolled'),"       \
	" EXISTS (SELECT 1 FROM section_instructors si JOIN sections s"                   \
	"  ON s.id = si.section_id WHERE s.course_id = c.id AND si.user_id = $2)"

#define LESSON_COURSE                                                                    \
	" JOIN course_modules m ON m.id = l.module_id JOIN courses c ON c.id = m.course_id"

/* The JSON of attachment row a. */
#define ATTACHMENT_JSON                                                                  \
	"json_build_object('id', a.id, 'lesson_id', a.lesson_id, 'filename', a.filename,"  \
	" 'content_type', a.content_type, 'size', a.size,"                                \
	" 'download', '/api/v1/attachments/' || a.id, 'created_at', a.created_at)"

#define TITLE_IN(alias, lang_param)                                                      \
	"CASE WHEN " lang_param " = 'en' THEN " alias ".title_en ELSE " alias ".title_ko END"

static void facts_read(const PGresult *res, struct content_facts *f)
{
	f->course_id = db_ll(res, 0, 0);
	f->institution_id = db_ll(res, 0, 1);
	f->published = db_bool(res, 0, 2);
	f->enrolled = db_bool(res, 0, 3);
	f->enrolled_active = db_bool(res, 0, 4);
	f->teaches = db_bool(res, 0, 5);
}

int content_store_lesson_facts(struct db_conn *db, long long lesson_id, long long user_id,
			       struct content_facts *f)
{
	PGresult *res = NULL;
	int rc;

	memset(f, 0, sizeof(*f));
	if ((rc = db_one_row(db, &res,
			     "SELECT " FACTS_COLUMNS " FROM lessons l" LESSON_COURSE
			     " WHERE l.id = $1",
			     "ll", lesson_id, user_id)) < 0)
		return rc;
	facts_read(res, f);
	PQclear(res);
	return 0;
}

int content_store_attachment(struct db_conn *db, long long id, long long user_id,
			     struct content_facts *f, struct content_file *file)
{
	PGresult *res = NULL;
	int rc;

	memset(f, 0, sizeof(*f));
	memset(file, 0, sizeof(*file));
	if ((rc = db_one_row(db, &res,
			     "SELECT " FACTS_COLUMNS ", a.id, a.lesson_id, a.size, a.sha256,"
			     " a.content_type, a.filename FROM attachments a"
			     " JOIN lessons l ON l.id = a.lesson_id" LESSON_COURSE
			     " WHERE a.id = $1",
			     "ll", id, user_id)) < 0)
		return rc;
	facts_read(res, f);
	file->id = db_ll(res, 0, 6);
	file->lesson_id = db_ll(res, 0, 7);
	file->size = db_ll(res, 0, 8);
	snprintf(file->sha256, sizeof(file->sha256), "%s", PQgetvalue(res, 0, 9));
	snprintf(file->content_type, sizeof(file->content_type), "%s", PQgetvalue(res, 0, 10));
	snprintf(file->filename, sizeof(file->filename), "%s", PQgetvalue(res, 0, 11));
	PQclear(res);
	return 0;
}

int content_store_syllabus(struct db_conn *db, long long course_id, const char *lang,
			   json_t **out)
{
	return db_jsonf(
		db, out,
		"SELECT json_build_object('course_id', $1::bigint, 'modules',"
		" coalesce(json_agg(json_build_object('id', m.id, 'position', m.position,"
		"  'title_ko', m.title_ko, 'title_en', m.title_en, 'title', " TITLE_IN("m", "$2") ","
		"  'lessons', (SELECT coalesce(json_agg(json_build_object('id', l.id,"
		"   'position', l.position, 'title_ko', l.title_ko, 'title_en', l.title_en,"
		"   'title', " TITLE_IN("l", "$2") ", 'kind', l.kind,"
		"   'duration_min', l.duration_min, 'has_attachments',"
		"   EXISTS (SELECT 1 FROM attachments a WHERE a.lesson_id = l.id))"
		"   ORDER BY l.position, l.id), '[]') FROM lessons l WHERE l.module_id = m.id))"
		"  ORDER BY m.position, m.id), '[]'))"
		" FROM course_modules m WHERE m.course_id = $1",
		"ls", course_id, lang);
}

int content_store_lesson(struct db_conn *db, long long id, long long user_id, const char *lang,
			 json_t **out)
{
	return db_jsonf(
		db, out,
		"SELECT json_build_object('id', l.id, 'module_id', l.module_id,"
		" 'course_id', m.course_id, 'position', l.position,"
		" 'title_ko', l.title_ko, 'title_en', l.title_en, 'title', " TITLE_IN("l", "$3") ","
		" 'kind', l.kind, 'duration_min', l.duration_min, 'url', l.url,"
		" 'body_md', l.body_md,"
		" 'attachments', (SELECT coalesce(json_agg(" ATTACHMENT_JSON " ORDER BY a.id), '[]')"
		"  FROM attachments a WHERE a.lesson_id = l.id),"
		" 'completed_at', (SELECT p.completed_at FROM lesson_progress p"
		"  WHERE p.lesson_id = l.id AND p.user_id = $2),"
		" 'created_at', l.created_at, 'updated_at', l.updated_at)"
		" FROM lessons l JOIN course_modules m ON m.id = l.module_id WHERE l.id = $1",
		"lls", id, user_id, lang);
}

int content_store_attachment_add(struct db_conn *db, const struct content_file *file,
				 long long user_id, json_t **out)
{
	return db_jsonf(db, out,
			"INSERT INTO attachments AS a (lesson_id, filename, content_type, size,"
			" sha256, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6)"
			" RETURNING " ATTACHMENT_JSON,
			"lsslsl", file->lesson_id, file->filename, file->content_type, file->size,
			file->sha256, user_id);
}

int content_store_lesson_complete(struct db_conn *db, long long user_id, long long lesson_id,
				  json_t **out)
{
	int rc;

	/* The first completion counts; repeating it changes nothing. Two
	 * statements: the second one's snapshot sees a row that a concurrent
	 * first completion committed while this insert waited on it. */
	if ((rc = db_execf(db, NULL,
			   "INSERT INTO lesson_progress (user_id, lesson_id) VALUES ($1, $2)"
			   " ON CONFLICT DO NOTHING",
			   "ll", user_id, lesson_id)) < 0)
		return rc;
	return db_jsonf(db, out,
			"SELECT json_build_object('lesson_id', lesson_id, 'completed_at',"
			" completed_at) FROM lesson_progress WHERE user_id = $1 AND lesson_id = $2",
			"ll", user_id, lesson_id);
}

int content_store_course_progress(struct db_conn *db, long long user_id, long long course_id,
				  long long *completed, long long *total)
{
	json_t *progress = NULL;
	int rc;

	*completed = *total = 0;
	if ((rc = db_jsonf(db, &progress,
			   "SELECT " CONTENT_STORE_PROGRESS_JSON("$1::bigint", "$2::bigint"), "ll",
			   user_id, course_id)) < 0)
		return rc;
	*completed = json_integer_value(json_object_get(progress, "completed"));
	*total = json_integer_value(json_object_get(progress, "total"));
	json_decref(progress);
	return 0;
}
