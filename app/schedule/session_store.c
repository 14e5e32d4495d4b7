/* session_store.c - class sessions in PostgreSQL: scheduling that cannot
 * double-book, attendance and attendance rates, the sections an instructor
 * teaches */
#include "lms/schedule/session_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/catalog/catalog_store.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"

/* SQL: the instant of parameter p, microseconds since the epoch. Split into
 * whole seconds and the rest so that each product is exact (a bigint times
 * an interval goes through a double). */
#define TS(p)                                                                             \
	"('epoch'::timestamptz + (" p "::bigint / 1000000) * interval '1 second'"         \
	" + (" p "::bigint % 1000000) * interval '1 microsecond')"

/* SQL: an instant as microseconds since the epoch. */
#define US(col) "(extract(epoch FROM " col ") * 1000000)::bigint"

/* SQL: a name in the language of parameter lang. */
#define NAME_IN(lang, ko, en) "CASE WHEN " lang " = 'en' THEN " en " ELSE " ko " END"

/* The facts of section "s" of course "c" for the caller $2, in the columns
 * section_read() reads from. */
#define SECTION_COLUMNS                                                                   \
	"s.id, s.course_id, c.institution_id, s.status, s.starts_on::text, s.ends_on::text,"  \
	" " US("s.starts_on::timestamp AT TIME ZONE 'Asia/Seoul'") ","                      \
	" " US("(s.ends_on + 1)::timestamp AT TIME ZONE 'Asia/Seoul'") ","                  \
	" c.published,"                                                                   \
	" EXISTS (SELECT 1 FROM section_instructors si WHERE si.section_id = s.id"          \
	" AND si.user_id = $2),"                                                          \
	" EXISTS (SELECT 1 FROM enrollments e WHERE e.section_id = s.id AND e.user_id = $2"  \
	" AND e.status IN ('enrolled', 'completed', 'incomplete')),"                      \
	" EXISTS (SELECT 1 FROM class_sessions t WHERE t.section_id = s.id"                \
	" AND t.instructor_id = $2)"
#define SECTION_NCOLUMNS 12

/* What every answer naming a session "cs" shows first (its section "s",
 * course "c", institution "i"). */
#define SESSION_HEAD(lang)                                                                \
	"'id', cs.id, 'section_id', cs.section_id, 'course_id', c.id,"                     \
	" 'course_title', " NAME_IN(lang, "c.title_ko", "c.title_en") ","                  \
	" 'institution_id', i.id, 'institution', " NAME_IN(lang, "i.name_ko", "i.name_en") "," \
	" 'starts_at', " CLASS_SESSION_KST("cs.starts_at") ","                             \
	" 'ends_at', " CLASS_SESSION_KST("cs.ends_at")
#define SESSION_JOINS                                                                     \
	" JOIN sections s ON s.id = cs.section_id JOIN courses c ON c.id = s.course_id"      \
	" JOIN institutions i ON i.id = c.institution_id"

/* The facility "f" of a session, or null when it meets online. */
#define FACILITY_JSON(lang)                                                               \
	"CASE WHEN f.id IS NULL THEN NULL ELSE json_build_object('id', f.id,"               \
	" 'name', " NAME_IN(lang, "f.name_ko", "f.name_en") ") END"

#define ATTENDANCE_COUNTS CLASS_SESSION_ATTENDANCE_COUNTS

static void section_read(const PGresult *res, struct class_session_section *s)
{
	s->id = db_ll(res, 0, 0);
	s->course_id = db_ll(res, 0, 1);
	s->institution_id = db_ll(res, 0, 2);
	snprintf(s->status, sizeof(s->status), "%s", PQgetvalue(res, 0, 3));
	snprintf(s->starts_on, sizeof(s->starts_on), "%s", PQgetvalue(res, 0, 4));
	snprintf(s->ends_on, sizeof(s->ends_on), "%s", PQgetvalue(res, 0, 5));
	s->first_us = db_ll(res, 0, 6);
	s->last_us = db_ll(res, 0, 7);
	s->published = db_bool(res, 0, 8);
	s->teaches = db_bool(res, 0, 9);
	s->enrolled = db_bool(res, 0, 10);
	s->instructs = db_bool(res, 0, 11);
}

int class_session_store_section(struct db_conn *db, long long section_id, long long caller,
				struct class_session_section *s)
{
	PGresult *res = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = db_one_row(db, &res,
			     "SELECT " SECTION_COLUMNS " FROM sections s"
			     " JOIN courses c ON c.id = s.course_id WHERE s.id = $1",
			     "ll", section_id, caller)) < 0)
		return rc;
	section_read(res, s);
	PQclear(res);
	return 0;
}

#define INFO_SQL                                                                          \
	"SELECT " SECTION_COLUMNS ", cs.instructor_id, coalesce(cs.facility_id, 0),"        \
	" coalesce(cs.online_url, ''), cs.online_url IS NULL, cs.status,"                   \
	" " US("cs.starts_at") ", " US("cs.ends_at") ", cs.starts_at <= now(),"             \
	" cs.instructor_id = $2"                                                          \
	" FROM class_sessions cs JOIN sections s ON s.id = cs.section_id"                    \
	" JOIN courses c ON c.id = s.course_id WHERE cs.id = $1"

int class_session_store_info(struct db_conn *db, long long id, long long caller, bool lock,
			     struct class_session_info *info)
{
	PGresult *res = NULL;
	int rc, k = SECTION_NCOLUMNS;

	memset(info, 0, sizeof(*info));
	if ((rc = db_one_row(db, &res, lock ? INFO_SQL " FOR UPDATE OF cs" : INFO_SQL, "ll", id,
			     caller)) < 0)
		return rc;
	info->id = id;
	section_read(res, &info->section);
	info->slot.instructor_id = db_ll(res, 0, k);
	info->slot.facility_id = db_ll(res, 0, k + 1);
	snprintf(info->online_url, sizeof(info->online_url), "%s", PQgetvalue(res, 0, k + 2));
	info->slot.online_url = db_bool(res, 0, k + 3) ? NULL : info->online_url;
	snprintf(info->status, sizeof(info->status), "%s", PQgetvalue(res, 0, k + 4));
	info->slot.starts_us = db_ll(res, 0, k + 5);
	info->slot.ends_us = db_ll(res, 0, k + 6);
	info->started = db_bool(res, 0, k + 7);
	info->instructs = db_bool(res, 0, k + 8);
	PQclear(res);
	return 0;
}

int class_session_store_refs(struct db_conn *db, long long instructor_id,
			     long long facility_id, bool *instructor_ok, bool *facility_ok)
{
	PGresult *res = NULL;
	int rc;

	*instructor_ok = *facility_ok = false;
	if ((rc = db_execf(db, &res,
			   "SELECT EXISTS (SELECT 1 FROM instructors WHERE user_id = $1),"
			   " $2::bigint = 0 OR EXISTS (SELECT 1 FROM facilities WHERE id = $2)",
			   "ll", instructor_id, facility_id)) < 0)
		return rc;
	*instructor_ok = db_bool(res, 0, 0);
	*facility_ok = db_bool(res, 0, 1);
	PQclear(res);
	return 0;
}

int class_session_store_create(struct db_conn *db, long long section_id,
			       const struct class_session_slot *s, long long *id)
{
	PGresult *res = NULL;
	int rc;

	*id = 0;
	/* No look-before-insert: the exclusion constraints decide, so two
	 * requests racing for one instructor or room cannot both win. A
	 * facility of 0 is none: the session meets online. */
	if ((rc = db_execf(db, &res,
			   "INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id,"
			   " facility_id, online_url) VALUES ($1, " TS("$2") ", " TS("$3") ", $4, $5,"
			   " $6) RETURNING id",
			   "llll?ls", section_id, s->starts_us, s->ends_us, s->instructor_id,
			   s->facility_id != 0, s->facility_id, s->online_url)) < 0)
		return rc;
	*id = db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}

int class_session_store_update(struct db_conn *db, long long id,
			       const struct class_session_slot *s, bool cancel)
{
	if (cancel)
		return db_execf(db, NULL,
				"UPDATE class_sessions SET status = 'cancelled',"
				" sequence = sequence + 1, updated_at = now() WHERE id = $1",
				"l", id);
	return db_execf(db, NULL,
			"UPDATE class_sessions SET starts_at = " TS("$2") ", ends_at = " TS("$3") ","
			" instructor_id = $4, facility_id = $5, online_url = $6,"
			" sequence = sequence + 1, updated_at = now() WHERE id = $1",
			"llll?ls", id, s->starts_us, s->ends_us, s->instructor_id,
			s->facility_id != 0, s->facility_id, s->online_url);
}

int class_session_store_conflict(struct db_conn *db, const char *constraint,
				 const struct class_session_slot *s, long long except_id,
				 const char *lang, json_t **session)
{
	bool by_facility = strcmp(constraint, CLASS_SESSION_FACILITY_FREE) == 0;

	/* The one that holds what the constraint guards: the instructor or
	 * the room. */
	return db_jsonf(db, session,
			"SELECT json_build_object(" SESSION_HEAD("$6") ") FROM class_sessions cs"
			SESSION_JOINS
			" WHERE cs.status = 'scheduled' AND cs.id <> $5::bigint"
			" AND (cs.instructor_id = $1::bigint OR cs.facility_id = $2::bigint)"
			" AND tstzrange(cs.starts_at, cs.ends_at, '[)')"
			" && tstzrange(" TS("$3") ", " TS("$4") ", '[)')"
			" ORDER BY cs.starts_at LIMIT 1",
			"?l?lllls", !by_facility, s->instructor_id, by_facility, s->facility_id,
			s->starts_us, s->ends_us, except_id, lang);
}

int class_session_store_get(struct db_conn *db, long long id, const char *lang,
			    json_t **session)
{
	return db_jsonf(db, session,
			"SELECT json_build_object(" SESSION_HEAD("$2") ","
			" 'instructor', json_build_object('id', u.id, 'display_name', u.display_name),"
			" 'facility', " FACILITY_JSON("$2") ", 'online_url', cs.online_url,"
			" 'status', cs.status, 'sequence', cs.sequence, 'series_id', cs.series_id,"
			" 'created_at', cs.created_at, 'updated_at', cs.updated_at)"
			" FROM class_sessions cs" SESSION_JOINS
			" JOIN users u ON u.id = cs.instructor_id"
			" LEFT JOIN facilities f ON f.id = cs.facility_id WHERE cs.id = $1",
			"ls", id, lang);
}

/*
 * Runs sql with $1 the attendance items as jsonb text and $2 the id a:
 * with out, as db_json into *out; without, with $3 the id b too.
 */
static int items_run(struct db_conn *db, const char *sql, const json_t *items, long long a,
		     long long b, json_t **out)
{
	char *text = json_dumps(items, JSON_COMPACT);
	int rc;

	if (!text)
		return LMS_ENOMEM;
	rc = out ? db_jsonf(db, out, sql, "sl", text, a)
		 : db_execf(db, NULL, sql, "sll", text, a, b);
	free(text);
	return rc;
}

int class_session_store_attendance_check(struct db_conn *db, long long section_id,
					 const json_t *items, json_t **bad)
{
	*bad = NULL;
	return items_run(db,
			 "SELECT coalesce(json_agg(x.ord - 1 ORDER BY x.ord), '[]')"
			 " FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY x(v, ord)"
			 " WHERE NOT EXISTS (SELECT 1 FROM enrollments e"
			 " WHERE e.id = (x.v->>'enrollment_id')::bigint AND e.section_id = $2"
			 " AND e.status IN ('enrolled', 'completed', 'incomplete'))",
			 items, section_id, 0, bad);
}

int class_session_store_attendance_set(struct db_conn *db, long long session_id,
				       const json_t *items, long long recorded_by)
{
	return items_run(db,
			 "INSERT INTO attendance (session_id, enrollment_id, present, recorded_by)"
			 " SELECT $2, (v->>'enrollment_id')::bigint, (v->>'present')::boolean, $3"
			 " FROM jsonb_array_elements($1::jsonb) v"
			 " ON CONFLICT (session_id, enrollment_id) DO UPDATE SET"
			 " present = EXCLUDED.present, recorded_by = EXCLUDED.recorded_by,"
			 " recorded_at = now()",
			 items, session_id, recorded_by, NULL);
}

int class_session_store_attendance_list(struct db_conn *db, long long session_id,
					json_t **out)
{
	/* Everyone who may be marked, marked or not yet (present null), and
	 * anyone marked who has left since. */
	return db_jsonf(
		db, out,
		"SELECT json_build_object('session_id', $1::bigint, 'items',"
		" coalesce(json_agg(json_build_object('enrollment_id', e.id, 'user_id', e.user_id,"
		" 'display_name', u.display_name, 'status', e.status, 'present', a.present,"
		" 'recorded_at', a.recorded_at, 'attendance', json_build_object("
		" 'attended', r.attended, 'held', r.held, 'rate_pct',"
		" CASE WHEN r.held > 0 THEN round(100.0 * r.attended / r.held, 1) END))"
		" ORDER BY e.id), '[]'))"
		" FROM enrollments e JOIN users u ON u.id = e.user_id"
		" LEFT JOIN attendance a ON a.session_id = $1 AND a.enrollment_id = e.id"
		ATTENDANCE_COUNTS
		" WHERE e.section_id = (SELECT section_id FROM class_sessions WHERE id = $1)"
		" AND (e.status IN ('enrolled', 'completed', 'incomplete')"
		" OR a.enrollment_id IS NOT NULL)",
		"l", session_id);
}

int class_session_store_attendance_rate(struct db_conn *db, long long enrollment_id,
					struct class_session_rate *r)
{
	PGresult *res = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = db_one_row(db, &res,
			     "SELECT r.held, r.attended, CASE WHEN course_requires_attendance(c.id)"
			     " THEN coalesce(p.min_attendance_pct, 0) ELSE 0 END"
			     " FROM enrollments e JOIN sections s ON s.id = e.section_id"
			     " JOIN courses c ON c.id = s.course_id"
			     " JOIN programs p ON p.id = c.program_id" ATTENDANCE_COUNTS
			     " WHERE e.id = $1",
			     "l", enrollment_id)) < 0)
		return rc;
	r->held = db_ll(res, 0, 0);
	r->attended = db_ll(res, 0, 1);
	r->threshold_pct = (int)db_ll(res, 0, 2);
	PQclear(res);
	return 0;
}

bool class_session_store_rate_meets(const struct class_session_rate *r)
{
	return r->threshold_pct <= 0 || r->held == 0 ||
	       r->attended * 100 >= (long long)r->threshold_pct * r->held;
}

int class_session_store_taught(struct db_conn *db, long long user_id, long long after_id,
			       int limit, const char *lang, json_t **items)
{
	return db_jsonf(
		db, items,
		"SELECT coalesce(json_agg(x.j ORDER BY x.id), '[]') FROM ("
		" SELECT s.id, json_build_object(" CATALOG_SECTION_FIELDS ","
		"  'course', json_build_object('id', c.id, 'code', c.code,"
		"   'title', " NAME_IN("$4", "c.title_ko", "c.title_en") ","
		"   'title_ko', c.title_ko, 'title_en', c.title_en,"
		"   'institution_id', c.institution_id,"
		"   'institution', " NAME_IN("$4", "i.name_ko", "i.name_en") "),"
		"  'next_session', (SELECT json_build_object('id', cs.id,"
		"   'starts_at', " CLASS_SESSION_KST("cs.starts_at") ","
		"   'ends_at', " CLASS_SESSION_KST("cs.ends_at") ","
		"   'instructor_id', cs.instructor_id,"
		"   'facility', " FACILITY_JSON("$4") ", 'online_url', cs.online_url)"
		"   FROM class_sessions cs LEFT JOIN facilities f ON f.id = cs.facility_id"
		"   WHERE cs.section_id = s.id AND cs.status = 'scheduled' AND cs.ends_at > now()"
		"   ORDER BY cs.starts_at LIMIT 1)) AS j"
		" FROM sections s JOIN courses c ON c.id = s.course_id"
		" JOIN institutions i ON i.id = c.institution_id" CATALOG_SECTION_COUNTS
		" WHERE s.id > $2::bigint"
		" AND (EXISTS (SELECT 1 FROM section_instructors si WHERE si.section_id = s.id"
		"  AND si.user_id = $1)"
		"  OR EXISTS (SELECT 1 FROM class_sessions t WHERE t.section_id = s.id"
		"  AND t.instructor_id = $1 AND t.status = 'scheduled'))"
		" ORDER BY s.id LIMIT $3) x",
		"llis", user_id, after_id, limit, lang);
}
