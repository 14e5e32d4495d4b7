/* admin_store.c - changing the catalogue: courses, sections, modules, lessons */
#include "lms/catalog/admin_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/catalog/catalog_store.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"

/*
 * Bodies reach PostgreSQL whole, as one jsonb parameter "b"; each statement
 * reads the fields it needs. SET_FROM(col, type) keeps a column unless the
 * body names it (an update sends any subset).
 */
#define BODY_FROM " FROM (SELECT $2::jsonb AS b) body"
#define SET_FROM(col, cast)                                                              \
	" " col " = CASE WHEN b ? '" col "' THEN (b->>'" col "')" cast " ELSE " col " END,"

#define MODULE_JSON                                                                      \
	"json_build_object('id', m.id, 'course_id', m.course_id, 'position', m.position,"   \
	" 'title_ko', m.title_ko, 'title_en', m.title_en, 'created_at', m.created_at,"      \
	" 'updated_at', m.updated_at)"

#define LESSON_JSON                                                                      \
	"json_build_object('id', l.id, 'module_id', l.module_id, 'position', l.position,"   \
	" 'title_ko', l.title_ko, 'title_en', l.title_en, 'kind', l.kind, 'body_md',"       \
	" l.body_md, 'url', l.url, 'duration_min', l.duration_min, 'created_at',"           \
	" l.created_at, 'updated_at', l.updated_at)"

/*
 * Makes the rows of a link table for $1 exactly the ids of the JSON array
 * $2: removes the others, adds the missing, keeps the rest (one statement:
 * both parts see the same rows).
 */
#define LINKS_SET(table, owner, member)                                                  \
	"WITH ids AS (SELECT DISTINCT value::bigint AS id"                               \
	" FROM jsonb_array_elements_text($2::jsonb)),"                                   \
	" gone AS (DELETE FROM " table " WHERE " owner " = $1"                           \
	" AND " member " NOT IN (SELECT id FROM ids))"                                   \
	" INSERT INTO " table " (" owner ", " member ") SELECT $1, id FROM ids"           \
	" ON CONFLICT DO NOTHING"

/* The target row of each kind is "t"; its course "c". */
#define OWNER_COURSE "SELECT t.id, t.institution_id FROM courses t WHERE t.id = $1"
#define OWNER_SECTION                                                                    \
	"SELECT c.id, c.institution_id FROM sections t JOIN courses c ON c.id = t.course_id" \
	" WHERE t.id = $1"
#define OWNER_MODULE                                                                     \
	"SELECT c.id, c.institution_id FROM course_modules t"                            \
	" JOIN courses c ON c.id = t.course_id WHERE t.id = $1"
#define OWNER_LESSON                                                                     \
	"SELECT c.id, c.institution_id FROM lessons t"                                   \
	" JOIN course_modules m ON m.id = t.module_id JOIN courses c ON c.id = m.course_id"   \
	" WHERE t.id = $1"
#define LOCKED " FOR UPDATE OF t"

/* The body as text for its jsonb parameter (free() it), or NULL. */
static char *body_text(const json_t *body)
{
	return json_dumps(body, JSON_COMPACT);
}

int admin_store_owner(struct db_conn *db, enum admin_kind kind, long long id, bool lock,
		      struct admin_owner *o)
{
	static const char *const sql[2][4] = {
		{OWNER_COURSE, OWNER_SECTION, OWNER_MODULE, OWNER_LESSON},
		{OWNER_COURSE LOCKED, OWNER_SECTION LOCKED, OWNER_MODULE LOCKED,
		 OWNER_LESSON LOCKED},
	};
	PGresult *res = NULL;
	int rc;

	rc = db_one_row(db, &res, sql[lock][kind], "l", id);
	o->course_id = db_ll(res, 0, 0);
	o->institution_id = db_ll(res, 0, 1);
	PQclear(res);
	return rc;
}

int admin_store_teaches(struct db_conn *db, long long course_id, long long user_id,
			bool *teaches)
{
	PGresult *res = NULL;
	int rc;

	*teaches = false;
	if ((rc = db_one_row(db, &res,
			     "SELECT EXISTS (SELECT 1 FROM section_instructors si"
			     " JOIN sections s ON s.id = si.section_id"
			     " WHERE s.course_id = $1 AND si.user_id = $2)",
			     "ll", course_id, user_id)) < 0)
		return rc;
	*teaches = db_bool(res, 0, 0);
	PQclear(res);
	return 0;
}

int admin_store_program_id(struct db_conn *db, const char *code, long long *id)
{
	PGresult *res = NULL;
	int rc;

	rc = db_one_row(db, &res, "SELECT id FROM programs WHERE code = $1", "s", code);
	*id = db_ll(res, 0, 0);
	PQclear(res);
	return rc;
}

/* Reads a check whose outcome is rc and whose row (res, cleared here)
 * holds a message, or NULL or no row when all is well, into *why (new). */
static int check_message(int rc, PGresult *res, char **why)
{
	*why = NULL;
	if (rc == 0 && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) &&
	    !(*why = strdup(PQgetvalue(res, 0, 0))))
		rc = LMS_ENOMEM;
	PQclear(res);
	return rc;
}

int admin_store_prerequisites_check(struct db_conn *db, long long course_id,
				    long long institution_id, const json_t *ids, char **why)
{
	char *list = body_text(ids);
	PGresult *res = NULL;
	int rc;

	*why = NULL;
	if (!list)
		return LMS_ENOMEM;
	/* The rungs change rarely: one lock for all of them keeps two changes
	 * from closing a cycle between them. */
	if (course_id &&
	    (rc = db_exec(db, NULL,
			  "SELECT pg_advisory_xact_lock('course_prerequisites'::regclass::oid::int, 0)",
			  0, NULL)) < 0)
		goto out;
	/* An unpublished course of another institution is, to this one, no
	 * course at all. */
	rc = db_execf(
		db, &res,
		"WITH RECURSIVE ids AS (SELECT DISTINCT value::bigint AS id"
		"  FROM jsonb_array_elements_text($3::jsonb)),"
		" unknown AS (SELECT string_agg(ids.id::text, ', ' ORDER BY ids.id) AS list FROM ids"
		"  WHERE NOT EXISTS (SELECT 1 FROM courses c WHERE c.id = ids.id"
		"  AND (c.published OR c.institution_id = $2::bigint))),"
		" reach (id) AS (SELECT id FROM ids UNION SELECT cp.prerequisite_id"
		"  FROM course_prerequisites cp JOIN reach r ON cp.course_id = r.id)"
		" SELECT CASE"
		"  WHEN (SELECT list FROM unknown) IS NOT NULL"
		"   THEN 'no such course: ' || (SELECT list FROM unknown)"
		"  WHEN EXISTS (SELECT 1 FROM ids WHERE id = $1::bigint)"
		"   THEN 'must not include the course itself'"
		"  WHEN EXISTS (SELECT 1 FROM reach WHERE id = $1::bigint)"
		"   THEN 'would make a cycle: a course listed already requires this one' END",
		"lls", course_id, institution_id, list);
	rc = check_message(rc, res, why);
out:
	free(list);
	return rc;
}

int admin_store_instructors_check(struct db_conn *db, long long institution_id,
				  const json_t *ids, char **why)
{
	char *list = body_text(ids);
	PGresult *res = NULL;
	int rc;

	if (!list)
		return LMS_ENOMEM;
	/* Instructors whose home is the course's institution, or whose home
	 * shares them with it. */
	rc = db_execf(db, &res,
		      "SELECT 'not instructors of the course''s institution or shared with"
		      " it: ' || string_agg(i.id::text, ', ' ORDER BY i.id)"
		      " FROM (SELECT DISTINCT value::bigint AS id"
		      " FROM jsonb_array_elements_text($2::jsonb)) i"
		      " WHERE NOT EXISTS (SELECT 1 FROM instructors n WHERE n.user_id = i.id"
		      " AND n.home_institution_id = $1::bigint)"
		      " AND NOT EXISTS (SELECT 1 FROM instructor_shares s"
		      " WHERE s.instructor_id = i.id AND s.institution_id = $1::bigint)"
		      " HAVING count(*) > 0",
		      "ls", institution_id, list);
	rc = check_message(rc, res, why);
	free(list);
	return rc;
}

/* Runs sql with $1 = id, $2 = body and, when program is not NULL, $3 =
 * *program; with out, sql answers one row whose first column is an id
 * into *out (LMS_ENOTFOUND without the row). */
static int with_body(struct db_conn *db, const char *sql, long long id, const json_t *body,
		     const long long *program, long long *out)
{
	char *b = body_text(body);
	PGresult *res = NULL;
	int rc;

	if (!b)
		return LMS_ENOMEM;
	if (out)
		rc = program ? db_one_row(db, &res, sql, "lsl", id, b, *program)
			     : db_one_row(db, &res, sql, "ls", id, b);
	else
		rc = program ? db_execf(db, NULL, sql, "lsl", id, b, *program)
			     : db_execf(db, NULL, sql, "ls", id, b);
	if (rc == 0 && out)
		*out = db_ll(res, 0, 0);
	PQclear(res);
	free(b);
	return rc;
}

/* Runs sql with $1 = id and $2 = body, whose row is JSON, into *out. */
static int with_body_json(struct db_conn *db, const char *sql, long long id, const json_t *body,
			  json_t **out)
{
	char *b = body_text(body);
	int rc;

	*out = NULL;
	if (!b)
		return LMS_ENOMEM;
	rc = db_jsonf(db, out, sql, "ls", id, b);
	free(b);
	return rc;
}

int admin_store_course_create(struct db_conn *db, long long institution_id, long long program_id,
			      const json_t *body, long long *id)
{
	return with_body(db,
			 "INSERT INTO courses (institution_id, program_id, code, title_ko, title_en,"
			 " summary_ko, summary_en, description, delivery, level, tags, published)"
			 " SELECT $1, $3, b->>'code', b->>'title_ko', b->>'title_en',"
			 " coalesce(b->>'summary_ko', ''), coalesce(b->>'summary_en', ''),"
			 " coalesce(b->>'description', ''), b->>'delivery',"
			 " coalesce(b->>'level', 'beginner'),"
			 " ARRAY(SELECT jsonb_array_elements_text(b->'tags')),"
			 " coalesce((b->>'published')::boolean, false)" BODY_FROM " RETURNING id",
			 institution_id, body, &program_id, id);
}

int admin_store_course_update(struct db_conn *db, long long id, long long program_id,
			      const json_t *body)
{
	return with_body(db,
			 "UPDATE courses SET"
			 " program_id = CASE WHEN $3::bigint = 0 THEN program_id ELSE $3::bigint END,"
			 SET_FROM("code", "") SET_FROM("title_ko", "") SET_FROM("title_en", "")
			 SET_FROM("summary_ko", "") SET_FROM("summary_en", "")
			 SET_FROM("description", "") SET_FROM("delivery", "") SET_FROM("level", "")
			 SET_FROM("published", "::boolean")
			 " tags = CASE WHEN b ? 'tags'"
			 " THEN ARRAY(SELECT jsonb_array_elements_text(b->'tags')) ELSE tags END,"
			 " updated_at = now()" BODY_FROM " WHERE id = $1",
			 id, body, &program_id, NULL);
}

int admin_store_prerequisites_set(struct db_conn *db, long long course_id, const json_t *ids)
{
	return with_body(db, LINKS_SET("course_prerequisites", "course_id", "prerequisite_id"),
			 course_id, ids, NULL, NULL);
}

int admin_store_section_state(struct db_conn *db, long long id, struct admin_section *s)
{
	PGresult *res = NULL;
	int rc;

	/* Dates in the units catalog_rules compares: days and microseconds
	 * since the epoch. */
	if ((rc = db_one_row(db, &res,
			     "SELECT capacity, status, starts_on - DATE '1970-01-01',"
			     " ends_on - DATE '1970-01-01',"
			     " (extract(epoch FROM enrollment_opens_at) * 1000000)::bigint,"
			     " (extract(epoch FROM enrollment_closes_at) * 1000000)::bigint,"
			     " (SELECT count(*) FROM enrollments e WHERE e.section_id = s.id"
			     " AND e.status = 'enrolled')"
			     " FROM sections s WHERE id = $1",
			     "l", id)) < 0)
		return rc;
	s->capacity = (int)db_ll(res, 0, 0);
	snprintf(s->status, sizeof(s->status), "%s", PQgetvalue(res, 0, 1));
	s->span.starts_on = db_ll(res, 0, 2);
	s->span.ends_on = db_ll(res, 0, 3);
	s->span.opens_at = db_ll(res, 0, 4);
	s->span.closes_at = db_ll(res, 0, 5);
	s->enrolled = db_ll(res, 0, 6);
	PQclear(res);
	return 0;
}

int admin_store_section_create(struct db_conn *db, long long course_id, const json_t *body,
			       long long *id)
{
	return with_body(db,
			 "INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
			 " enrollment_opens_at, enrollment_closes_at, status)"
			 " SELECT $1, b->>'term', (b->>'starts_on')::date, (b->>'ends_on')::date,"
			 " (b->>'capacity')::int, (b->>'enrollment_opens_at')::timestamptz,"
			 " (b->>'enrollment_closes_at')::timestamptz, coalesce(b->>'status', 'draft')"
			 BODY_FROM " RETURNING id",
			 course_id, body, NULL, id);
}

int admin_store_section_update(struct db_conn *db, long long id, const json_t *body)
{
	return with_body(db,
			 "UPDATE sections SET" SET_FROM("term", "") SET_FROM("starts_on", "::date")
			 SET_FROM("ends_on", "::date") SET_FROM("capacity", "::int")
			 SET_FROM("enrollment_opens_at", "::timestamptz")
			 SET_FROM("enrollment_closes_at", "::timestamptz") SET_FROM("status", "")
			 " updated_at = now()" BODY_FROM " WHERE id = $1",
			 id, body, NULL, NULL);
}

int admin_store_instructors_set(struct db_conn *db, long long section_id, const json_t *ids)
{
	return with_body(db, LINKS_SET("section_instructors", "section_id", "user_id"), section_id,
			 ids, NULL, NULL);
}

int admin_store_section_get(struct db_conn *db, long long id, json_t **section)
{
	return db_jsonf(db, section,
			"SELECT json_build_object(" CATALOG_SECTION_FIELDS ", 'course_id', s.course_id,"
			" 'created_at', s.created_at, 'updated_at', s.updated_at)"
			" FROM sections s" CATALOG_SECTION_COUNTS " WHERE s.id = $1",
			"l", id);
}

int admin_store_module_create(struct db_conn *db, long long course_id, const json_t *body,
			      json_t **module)
{
	return with_body_json(db,
			      "INSERT INTO course_modules AS m (course_id, position, title_ko, title_en)"
			      " SELECT $1, (b->>'position')::int, b->>'title_ko', b->>'title_en'"
			      BODY_FROM " RETURNING " MODULE_JSON,
			      course_id, body, module);
}

int admin_store_module_update(struct db_conn *db, long long id, const json_t *body,
			      json_t **module)
{
	return with_body_json(db,
			      "UPDATE course_modules m SET" SET_FROM("position", "::int")
			      SET_FROM("title_ko", "") SET_FROM("title_en", "") " updated_at = now()"
			      BODY_FROM " WHERE m.id = $1 RETURNING " MODULE_JSON,
			      id, body, module);
}

int admin_store_lesson_get(struct db_conn *db, long long id, json_t **lesson)
{
	return db_jsonf(db, lesson, "SELECT " LESSON_JSON " FROM lessons l WHERE l.id = $1", "l",
			id);
}

int admin_store_lesson_create(struct db_conn *db, long long module_id, const json_t *body,
			      json_t **lesson)
{
	return with_body_json(db,
			      "INSERT INTO lessons AS l (module_id, position, title_ko, title_en, kind,"
			      " body_md, url, duration_min)"
			      " SELECT $1, (b->>'position')::int, b->>'title_ko', b->>'title_en',"
			      " b->>'kind', coalesce(b->>'body_md', ''), b->>'url',"
			      " (b->>'duration_min')::int" BODY_FROM " RETURNING " LESSON_JSON,
			      module_id, body, lesson);
}

int admin_store_lesson_update(struct db_conn *db, long long id, const json_t *body,
			      json_t **lesson)
{
	return with_body_json(db,
			      "UPDATE lessons l SET" SET_FROM("position", "::int")
			      SET_FROM("title_ko", "") SET_FROM("title_en", "") SET_FROM("kind", "")
			      SET_FROM("body_md", "") SET_FROM("url", "")
			      SET_FROM("duration_min", "::int") " updated_at = now()"
			      BODY_FROM " WHERE l.id = $1 RETURNING " LESSON_JSON,
			      id, body, lesson);
}
