/* oneroster_store.c - the SQL of the OneRoster export: an institution's
 * classes, courses, terms, people and enrolments, read through cursors */
#include "lms/reports/oneroster_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

/* Rows fetched at a time: memory holds one batch, whatever the size of
 * the institution. */
#define FETCH_ROWS 2000
#define STR(x) #x
#define XSTR(x) STR(x)

/* The classes exported: sections of the institution ($1) that are open or
 * closed. Tenant isolation rests on this filter and on $1, which the guard
 * decided; every query below reads through it. */
#define CLASSES                                                                          \
	"DECLARE oneroster_rows NO SCROLL CURSOR FOR"                                      \
	" WITH classes AS (SELECT s.id, s.course_id, s.term, s.starts_on, s.ends_on"       \
	"  FROM sections s JOIN courses c ON c.id = s.course_id"                           \
	"  WHERE c.institution_id = $1 AND s.status IN ('open', 'closed')) "

/* Enrolments that put a learner in a class. */
#define ENROLLED "e.status IN ('enrolled', 'completed', 'incomplete')"

#define TITLE "CASE WHEN $2 = 'en' THEN c.title_en ELSE c.title_ko END"

static const char sql_terms[] =
	CLASSES "SELECT term, min(starts_on)::text, max(ends_on)::text FROM classes"
	" GROUP BY term ORDER BY term";

static const char sql_courses[] =
	CLASSES "SELECT c.id, c.code, " TITLE " FROM courses c"
	" WHERE c.institution_id = $1 AND (c.published OR c.id IN (SELECT course_id FROM classes))"
	" ORDER BY c.id";

static const char sql_classes[] =
	CLASSES "SELECT k.id, c.id, c.code, " TITLE ", k.term"
	" FROM classes k JOIN courses c ON c.id = k.course_id ORDER BY k.id";

static const char sql_users[] =
	CLASSES "SELECT u.id, u.display_name, u.email, bool_or(p.teacher), bool_or(NOT p.teacher)"
	" FROM (SELECT si.user_id, true AS teacher"
	"  FROM section_instructors si JOIN classes k ON k.id = si.section_id"
	"  UNION ALL"
	"  SELECT e.user_id, false FROM enrollments e JOIN classes k ON k.id = e.section_id"
	"  WHERE " ENROLLED ") p"
	" JOIN users u ON u.id = p.user_id GROUP BY u.id ORDER BY u.id";

static const char sql_enrollments[] =
	CLASSES "SELECT id, section_id, user_id, teacher, sole, serial FROM ("
	" SELECT e.id, e.section_id, e.user_id, false AS teacher, false AS sole, cert.serial"
	"  FROM enrollments e JOIN classes k ON k.id = e.section_id"
	"  LEFT JOIN certificates cert ON cert.enrollment_id = e.id AND cert.revoked_at IS NULL"
	"  WHERE " ENROLLED
	" UNION ALL"
	" SELECT 0, si.section_id, si.user_id, true, count(*) OVER (PARTITION BY si.section_id) = 1,"
	"  NULL"
	"  FROM section_instructors si JOIN classes k ON k.id = si.section_id) r"
	" ORDER BY section_id, teacher DESC, id, user_id";

/* Row i of a batch as the row of its source. */
static void row_of(enum oneroster_file source, const PGresult *res, int i,
		   struct oneroster_row *r)
{
	memset(r, 0, sizeof(*r));
	switch (source) {
	case ONEROSTER_ACADEMIC_SESSIONS:
		r->code = PQgetvalue(res, i, 0);
		r->starts_on = PQgetvalue(res, i, 1);
		r->ends_on = PQgetvalue(res, i, 2);
		break;
	case ONEROSTER_COURSES:
		r->id = db_ll(res, i, 0);
		r->code = PQgetvalue(res, i, 1);
		r->title = PQgetvalue(res, i, 2);
		break;
	case ONEROSTER_CLASSES:
		r->id = db_ll(res, i, 0);
		r->course_id = db_ll(res, i, 1);
		r->code = PQgetvalue(res, i, 2);
		r->title = PQgetvalue(res, i, 3);
		r->term = PQgetvalue(res, i, 4);
		break;
	case ONEROSTER_USERS:
		r->id = db_ll(res, i, 0);
		r->title = PQgetvalue(res, i, 1);
		r->email = PQgetvalue(res, i, 2);
		r->teacher = db_bool(res, i, 3);
		r->student = db_bool(res, i, 4);
		break;
	case ONEROSTER_ENROLLMENTS:
		r->id = db_ll(res, i, 0);
		r->section_id = db_ll(res, i, 1);
		r->user_id = db_ll(res, i, 2);
		r->teacher = db_bool(res, i, 3);
		r->primary = db_bool(res, i, 4);
		r->certificate_serial = PQgetisnull(res, i, 5) ? NULL : PQgetvalue(res, i, 5);
		break;
	default:
		break;
	}
}

int oneroster_store_institution(struct db_conn *db, long long id, const char *lang,
				struct oneroster_institution *out)
{
	PGresult *res = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = db_one_row(db, &res,
			     "SELECT code, CASE WHEN $2 = 'en' THEN name_en ELSE name_ko END"
			     " FROM institutions WHERE id = $1",
			     "ls", id, lang)) < 0)
		return rc;
	out->id = id;
	snprintf(out->code, sizeof(out->code), "%s", PQgetvalue(res, 0, 0));
	snprintf(out->name, sizeof(out->name), "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}

int oneroster_store_begin(struct db_conn *db)
{
	int rc;

	if ((rc = db_begin(db)) < 0)
		return rc;
	if ((rc = db_exec(db, NULL, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", 0,
			   NULL)) < 0)
		db_rollback(db);
	return rc;
}

int oneroster_store_read(struct db_conn *db, long long institution_id, const char *lang,
			 enum oneroster_file source, oneroster_store_row_fn fn, void *ctx)
{
	struct oneroster_row row;
	PGresult *res = NULL;
	const char *sql;
	bool titled = false;
	int rc, n;

	/* Titles ($2, the language) are in courses and classes only. */
	switch (source) {
	case ONEROSTER_ACADEMIC_SESSIONS: sql = sql_terms; break;
	case ONEROSTER_COURSES: sql = sql_courses; titled = true; break;
	case ONEROSTER_CLASSES: sql = sql_classes; titled = true; break;
	case ONEROSTER_USERS: sql = sql_users; break;
	case ONEROSTER_ENROLLMENTS: sql = sql_enrollments; break;
	default: return LMS_EINVAL;
	}
	rc = titled ? db_execf(db, NULL, sql, "ls", institution_id, lang)
		    : db_execf(db, NULL, sql, "l", institution_id);
	if (rc < 0)
		return rc;
	do {
		if ((rc = db_exec(db, &res, "FETCH " XSTR(FETCH_ROWS) " FROM oneroster_rows", 0, NULL)) < 0)
			return rc;
		n = PQntuples(res);
		for (int i = 0; i < n && rc == 0; i++) {
			row_of(source, res, i, &row);
			rc = fn(ctx, &row);
		}
		PQclear(res);
		if (rc < 0)
			return rc;
	} while (n == FETCH_ROWS);
	return db_exec(db, NULL, "CLOSE oneroster_rows", 0, NULL);
}
