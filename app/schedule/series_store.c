/* series_store.c - recurring classes in PostgreSQL: a series row and its
 * occurrences, created together or not at all */
#include "lms/schedule/series_store.h"

#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

/* SQL: microseconds since the epoch (a bigint expression) as an instant. */
#define TS(p)                                                                             \
	"('epoch'::timestamptz + ((" p ")::bigint / 1000000) * interval '1 second'"       \
	" + ((" p ")::bigint % 1000000) * interval '1 microsecond')"

int series_store_create(struct db_conn *db, const struct series_plan *plan, long long created_by,
			long long *id)
{
	const struct class_session_slot *p = &plan->place;
	PGresult *res = NULL;
	int rc;

	*id = 0;
	if ((rc = db_execf(db, &res,
			   "INSERT INTO class_session_series (section_id, weekdays, start_time,"
			   " end_time, starts_on, ends_on, instructor_id, facility_id, online_url,"
			   " created_by) VALUES ($1, $2::smallint[], $3::time, $4::time, $5::date,"
			   " $6::date, $7, $8, $9, $10) RETURNING id",
			   "lsssssl?lsl", plan->section_id, plan->weekdays, plan->start_time,
			   plan->end_time, plan->starts_on, plan->ends_on, p->instructor_id,
			   p->facility_id != 0, p->facility_id, p->online_url, created_by)) < 0)
		return rc;
	*id = db_ll(res, 0, 0);
	PQclear(res);
	/* One statement for every occurrence: no look-before-insert, the
	 * exclusion constraints check each row, and one clash aborts all. */
	return db_execf(db, NULL,
			"INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id,"
			" facility_id, online_url, series_id)"
			" SELECT $1, " TS("x") ", " TS("x + $3::bigint") ", $4, $5, $6, $7"
			" FROM unnest($2::bigint[]) x ORDER BY x",
			"lsll?lsl", plan->section_id, plan->starts_us, plan->duration_us,
			p->instructor_id, p->facility_id != 0, p->facility_id, p->online_url, *id);
}

int series_store_conflicts(struct db_conn *db, const struct series_plan *plan, const char *lang,
			   json_t **conflicts)
{
	const struct class_session_slot *p = &plan->place;

	return db_jsonf(
		db, conflicts,
		"SELECT coalesce(json_agg(json_build_object("
		" 'occurrence', json_build_object("
		"  'starts_at', " CLASS_SESSION_KST(TS("o.x")) ","
		"  'ends_at', " CLASS_SESSION_KST(TS("o.x + $2::bigint")) "),"
		" 'conflicts', array_remove(ARRAY["
		"  CASE WHEN cs.instructor_id = $3 THEN 'instructor' END,"
		"  CASE WHEN cs.facility_id = $4::bigint THEN 'facility' END], NULL),"
		" 'conflicting_session', json_build_object('id', cs.id,"
		"  'section_id', cs.section_id, 'course_id', c.id,"
		"  'course_title', CASE WHEN $5 = 'en' THEN c.title_en ELSE c.title_ko END,"
		"  'institution_id', i.id,"
		"  'institution', CASE WHEN $5 = 'en' THEN i.name_en ELSE i.name_ko END,"
		"  'starts_at', " CLASS_SESSION_KST("cs.starts_at") ","
		"  'ends_at', " CLASS_SESSION_KST("cs.ends_at") "))"
		" ORDER BY o.x, cs.starts_at, cs.id), '[]')"
		" FROM unnest($1::bigint[]) o(x)"
		" JOIN class_sessions cs ON cs.status = 'scheduled'"
		"  AND (cs.instructor_id = $3 OR cs.facility_id = $4::bigint)"
		"  AND tstzrange(cs.starts_at, cs.ends_at, '[)')"
		"   && tstzrange(" TS("o.x") ", " TS("o.x + $2::bigint") ", '[)')"
		" JOIN sections s ON s.id = cs.section_id JOIN courses c ON c.id = s.course_id"
		" JOIN institutions i ON i.id = c.institution_id",
		"sll?ls", plan->starts_us, plan->duration_us, p->instructor_id, p->facility_id != 0,
		p->facility_id, lang);
}

int series_store_get(struct db_conn *db, long long id, json_t **series)
{
	return db_jsonf(
		db, series,
		"SELECT json_build_object('id', r.id, 'section_id', r.section_id,"
		" 'weekdays', (SELECT json_agg((ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat',"
		"  'sun'])[d] ORDER BY d) FROM unnest(r.weekdays) d), 'start_time', to_char(r.start_time, 'HH24:MI'),"
		" 'end_time', to_char(r.end_time, 'HH24:MI'), 'time_zone', r.time_zone,"
		" 'starts_on', r.starts_on, 'ends_on', r.ends_on,"
		" 'instructor_id', r.instructor_id, 'facility_id', r.facility_id,"
		" 'online_url', r.online_url, 'created_at', r.created_at,"
		" 'occurrences', (SELECT coalesce(json_agg(json_build_object('id', cs.id,"
		"  'starts_at', " CLASS_SESSION_KST("cs.starts_at") ","
		"  'ends_at', " CLASS_SESSION_KST("cs.ends_at") ","
		"  'status', cs.status, 'sequence', cs.sequence)"
		"  ORDER BY cs.starts_at, cs.id), '[]')"
		"  FROM class_sessions cs WHERE cs.series_id = r.id))"
		" FROM class_session_series r WHERE r.id = $1",
		"l", id);
}

int series_store_section(struct db_conn *db, long long id, long long *section_id)
{
	PGresult *res = NULL;
	int rc;

	*section_id = 0;
	if ((rc = db_one_row(db, &res, "SELECT section_id FROM class_session_series WHERE id = $1",
			     "l", id)) < 0)
		return rc;
	*section_id = db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}
